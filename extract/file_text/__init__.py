"""Text of an uploaded file, for the same personal-data scan as a prompt.

What is read
    * PDF (pypdf): the text layer of every page; document info (every key, custom ones
      too), XMP metadata, bookmarks, annotations (comments, free text, link targets,
      attached files' names), form fields (AcroForm values, XFA data); attached files are
      read as files of their own.
    * DOCX/DOCM/DOTX (python-docx opens the package): main document, headers, footers,
      footnotes, endnotes, comments and building blocks, including tables (cells
      tab-separated), text boxes, content controls, tracked deletions, field codes
      (a HYPERLINK's mailto:) and pictures' alternative text.
    * XLSX/XLSM (openpyxl, read-only, cached values): every non-empty cell, row by row,
      tab-separated, of every sheet (hidden and very hidden ones too); sheet titles;
      comments, headers and footers, defined names.
    * PPTX/PPTM (python-pptx): text frames, tables and speaker notes of every slide;
      masters and layouts, comments, alternative text.
    * Every Office package: its properties (core, app, custom), custom XML, SmartArt and
      charts, external link targets, and embedded objects (read as files of their own).
    * Archives: zip (other than Office), tar, gzip (also .tgz), bzip2, xz -- every
      member's name, comments, and every member read as a file of its own.
    * Images: no pixels (no OCR), but their metadata: PNG text chunks, EXIF (JPEG, PNG,
      WebP, TIFF), XMP, IPTC, JPEG comments; bytes after an image's end are a file.
    * Text: txt, csv, md, json, xml, html, source code... decoded from UTF-8, UTF-8 with
      BOM, UTF-16/32 with BOM (UTF-16 without BOM by a NUL-pattern guess), else cp1252.
      Markup is kept: the detectors cope with it, and attribute values are data too.
    The fields naming a file's author or last editor are kept apart
    (FileText.authors: a person's name there does not count, anything else does).

Outcomes (FileText.status)
    "scanned": everything was read. "image_not_scanned": an image or a scan without a
    text layer (its metadata is text all the same). "unsupported": a type without a
    reader (legacy Office files, audio, unknown binaries). For both the *policy*'s
    `unscanned_files` decides. "unreadable" (FileText.why): the file could not be read
    completely -- over a bound, encrypted, broken, an archive format without a reader
    (7z, rar, zstd …) -- and the policy's `unreadable_files` decides (by default as if
    it held every data class the tool does not allow). The text that could be read is
    returned and scanned in every case; a container is as unread as its worst member.

Bounds (a defined outcome, never a crash or a hang on hostile input)
    * `limit` bounds each file's bytes and its extracted text; over it: unreadable,
      too_large, with the first `limit` characters of text.
    * One Budget per upload (bounds.py), shared by everything nested in it: at most
      MAX_MEMBERS nested files, MAX_DEPTH levels of containers, INFLATE_FACTOR x limit
      (at most INFLATE_CAP) inflated bytes in total, and no member over `limit` or
      inflating more than MAX_RATIO times its compressed size -- checked on what an
      archive declares, before anything is inflated (Python's zipfile never inflates a
      member past its declared size); compressed streams inflate in bounded steps.
    * A zip's declared entry count is checked before zipfile reads its directory; a
      local header no directory entry covers makes it corrupt.
    * PDF: at most PDF_MAX_PAGES pages (more: unreadable, too_many_pages, with the text
      of the pages read); encrypted PDFs that do not open with the empty password are
      unreadable (encrypted).
    * Spreadsheets: at most XLSX_MAX_CELLS cells are visited.
    * Every parser exception makes the file unreadable (corrupt) with the exception's
      type name as detail. `detail` never contains file content.

Pure functions over bytes in memory; no I/O, no logging of content. One module per
format (pdf, word, excel, powerpoint, text, archive, compressed, image_meta, with
office_extras and metadata for the text outside the body), detection in detect.py, the
outcome types in outcome.py, the bounds in bounds.py, one reader's run in runner.py.
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
