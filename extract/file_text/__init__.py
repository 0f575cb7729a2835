"""Text of an uploaded file, for the same personal-data scan as a prompt.

What is scanned
    * PDF (pypdf): the text layer of every page, pages joined by "\\n".
    * DOCX/DOCM/DOTX (python-docx opens the package): main document, headers,
      footers, footnotes, endnotes and comments, including tables (cells
      tab-separated), text boxes, content controls and tracked deletions. Text
      that was deleted but is still in the file is still in the file.
    * XLSX/XLSM (openpyxl, read-only, cached values): every non-empty cell, row by
      row, tab-separated, so a column header stays next to its values; sheet
      titles are included.
    * PPTX/PPTM (python-pptx): text frames, tables and speaker notes of every
      slide, group shapes included.
    * Text: txt, csv, md, json, xml, html, source code... decoded from UTF-8,
      UTF-8 with BOM, UTF-16/32 with BOM (UTF-16 without BOM by a NUL-pattern
      guess), else cp1252 (German files from Windows). Markup is kept: the
      detectors cope with it, and attribute values (mailto:...) are data too.

What is not scanned, and why
    Images (PNG, JPEG, GIF, WebP, HEIC/AVIF, BMP, TIFF) and PDFs without a text
    layer (scans) come back as "image_not_scanned": the gateway does no OCR (it
    would be slow, large and unreliable), so it cannot say what is in them. Legacy
    Office files, OpenDocument, other archives and unknown binaries are
    "unsupported". Embedded images, charts and objects inside documents are not
    read either. In every such case the *policy* decides what happens to a file
    that could not be scanned -- this module only reports it truthfully.

Limits (a defined outcome, never a crash or a hang on hostile input)
    * `limit` bounds the input bytes and the extracted text. Input over `limit`
      is "too_large" (text formats still get their first `limit` bytes decoded,
      binary formats get text None). Extracted text over `limit` is "too_large"
      too, *not* silently truncated, so the policy's size action applies -- but
      `text` then holds the first `limit` characters, so the findings in that
      part can still be reported and acted on.
    * ZIP-based formats: the declared uncompressed sizes (sum of
      `ZipInfo.file_size`) must stay under min(ZIP_INFLATE_FACTOR x limit,
      ZIP_INFLATE_CAP) and the member count under ZIP_MAX_MEMBERS, checked
      before any parser runs (zip bomb -> "too_large"). Python's zipfile never
      inflates a member past its declared size, so the declaration is binding.
    * PDF: at most PDF_MAX_PAGES pages are read (more -> "too_large" with the text
      of the first ones); encrypted PDFs that do not open with the empty password
      are "unsupported" / "encrypted".
    * Spreadsheets: at most XLSX_MAX_CELLS cells (including empty ones in the
      stored rows) are visited.
    * Every parser exception becomes status "error" with the exception's type
      name as detail. `detail` never contains file content.

Pure functions over bytes in memory; no I/O, no logging of content. One module per
format (pdf, word, excel, powerpoint, text), detection in detect.py, ZIP bounds in
ooxml.py, the outcome types in outcome.py.
"""

from __future__ import annotations

from functools import partial

from extract.file_text.archive import read_tar
from extract.file_text.bounds import Budget
from extract.file_text.compressed import read_bzip2, read_gzip, read_xz
from extract.file_text.detect import claimed_kind, looks_like_text, sniff
from extract.file_text.image_meta import read_image
from extract.file_text.ooxml import read_zip_file
from extract.file_text.outcome import (
    ARCHIVE,
    CORRUPT,
    DOCX,
    ENCRYPTED,
    IMAGE,
    IMAGE_NOT_SCANNED,
    PDF,
    PPTX,
    SCANNED,
    TEXT,
    UNKNOWN,
    UNKNOWN_FORMAT,
    UNREADABLE,
    UNSUPPORTED,
    XLSX,
    FileText,
    unreadable,
)
from extract.file_text.pdf import read_pdf
from extract.file_text.runner import run
from extract.file_text.text import read_text

__all__ = ["UNREADABLE", "FileText", "file_text"]

# An encrypted Office document is an OLE2 container with this stream (UTF-16 name).
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


def file_text(data: bytes, filename: str | None, content_type: str | None, limit: int) -> FileText:
    """Detect the type of `data` and extract its text within `limit` (see module docstring).

    The type comes from magic bytes first; content type and filename extension
    only decide when the bytes do not say. Never raises for any input.
    """
    try:
        return _file_text(bytes(data), filename, content_type, Budget(limit, _file_text))
    except Exception as exc:  # last line of defence: a defined outcome, always
        return unreadable(CORRUPT, type(exc).__name__, UNKNOWN)


def _file_text(
    data: bytes, filename: str | None, content_type: str | None, budget: Budget
) -> FileText:
    hint = claimed_kind(content_type, filename)
    if not data:
        return FileText("", SCANNED, "empty file", hint or UNKNOWN)

    magic = sniff(data)
    if magic is None:
        if hint == TEXT or looks_like_text(data):
            return run(TEXT, data, budget, read_text)
        if hint == IMAGE:
            return FileText(None, IMAGE_NOT_SCANNED, "image (by name or type)", IMAGE)
        if hint in (PDF, DOCX, XLSX, PPTX, ARCHIVE):
            return unreadable(CORRUPT, f"not a valid {hint} file", hint)
        return FileText(None, UNSUPPORTED, "unknown binary", UNKNOWN)

    kind, what = magic
    if kind == IMAGE:
        return run(IMAGE, data, budget, partial(read_image, what=what))
    if kind == PDF:
        return run(PDF, data, budget, read_pdf)
    if kind == "zip":
        return read_zip_file(data, hint, budget)
    if kind == "tar":
        return run(ARCHIVE, data, budget, read_tar)
    if kind in _COMPRESSED:
        return run(ARCHIVE, data, budget, partial(_COMPRESSED[kind], filename=filename))
    if kind == "unknown_archive":
        return unreadable(UNKNOWN_FORMAT, what, ARCHIVE)
    if kind == "ole2" and _ENCRYPTED_PACKAGE in data:
        return unreadable(ENCRYPTED, "encrypted office document", hint or UNKNOWN)
    return FileText(None, UNSUPPORTED, what, UNKNOWN)


_COMPRESSED = {"gzip": read_gzip, "bzip2": read_bzip2, "xz": read_xz}
