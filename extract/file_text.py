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

Pure functions over bytes in memory; no I/O, no logging of content.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

# Status values.
SCANNED = "scanned"
IMAGE_NOT_SCANNED = "image_not_scanned"
UNSUPPORTED = "unsupported"
TOO_LARGE = "too_large"
ERROR = "error"

# Kind values.
PDF = "pdf"
DOCX = "docx"
XLSX = "xlsx"
PPTX = "pptx"
TEXT = "text"
IMAGE = "image"
UNKNOWN = "unknown"

PDF_MAX_PAGES = 500
ZIP_INFLATE_FACTOR = 20
ZIP_INFLATE_CAP = 100 * 1024 * 1024
ZIP_MAX_MEMBERS = 10_000
XLSX_MAX_CELLS = 5_000_000
_PDF_MAGIC_WINDOW = 1024  # %PDF- may follow some junk; readers accept it within 1 KB


@dataclass(frozen=True)
class FileText:
    """The outcome of reading one file.

    text:   extracted text; None when nothing was scanned. With status "too_large"
            it may hold the first `limit` characters (see the module docstring).
    status: "scanned" | "image_not_scanned" | "unsupported" | "too_large" | "error"
    detail: short reason or description, never file content ("pdf, 3 pages").
    kind:   "pdf" | "docx" | "xlsx" | "pptx" | "text" | "image" | "unknown"
    """

    text: str | None
    status: str
    detail: str
    kind: str


class _TooLarge(Exception):
    """Raised inside an extractor when a bound is hit; carries the partial text."""

    def __init__(self, detail: str, partial: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.partial = partial


class _Unsupported(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class _NoTextLayer(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def file_text(data: bytes, filename: str | None, content_type: str | None, limit: int) -> FileText:
    """Detect the type of `data` and extract its text within `limit` (see module docstring).

    The type comes from magic bytes first; content type and filename extension
    only decide when the bytes do not say. Never raises for any input.
    """
    try:
        return _file_text(bytes(data), filename, content_type, limit)
    except Exception as exc:  # last line of defence: a defined outcome, always
        return FileText(None, ERROR, type(exc).__name__, UNKNOWN)


def _file_text(data: bytes, filename: str | None, content_type: str | None, limit: int) -> FileText:
    hint = _hint(content_type, filename)
    if not data:
        return FileText("", SCANNED, "empty file", hint or UNKNOWN)

    magic = _magic(data)
    if magic is None:
        if hint == TEXT or _looks_like_text(data):
            return _run(TEXT, data, limit, _text)
        if hint == IMAGE:
            return FileText(None, IMAGE_NOT_SCANNED, "image (by name or type)", IMAGE)
        if hint in (PDF, DOCX, XLSX, PPTX):
            return FileText(None, ERROR, f"not a valid {hint} file", hint)
        return FileText(None, UNSUPPORTED, "unknown binary", UNKNOWN)

    kind, what = magic
    if kind == IMAGE:
        return FileText(None, IMAGE_NOT_SCANNED, f"image, {what}", IMAGE)
    if kind == PDF:
        return _run(PDF, data, limit, _pdf)
    if kind == "zip":
        return _zip(data, hint, limit)
    return FileText(None, UNSUPPORTED, what, UNKNOWN)


def _run(
    kind: str, data: bytes, limit: int, extract: Callable[[bytes, int], tuple[str, str]]
) -> FileText:
    """Size check, call the extractor, map every outcome onto a FileText."""
    if len(data) > limit:
        partial = _decode(data[: max(limit, 0)], final=False)[0] if kind == TEXT else None
        return FileText(partial, TOO_LARGE, f"{kind} file exceeds {limit} bytes", kind)
    try:
        text, detail = extract(data, limit)
    except _TooLarge as exc:
        partial = None if exc.partial is None else exc.partial[: max(limit, 0)]
        return FileText(partial, TOO_LARGE, exc.detail, kind)
    except _Unsupported as exc:
        return FileText(None, UNSUPPORTED, exc.detail, kind)
    except _NoTextLayer as exc:
        return FileText(None, IMAGE_NOT_SCANNED, exc.detail, kind)
    except RecursionError:
        return FileText(None, ERROR, "RecursionError", kind)
    except Exception as exc:
        return FileText(None, ERROR, type(exc).__name__, kind)
    if len(text) > limit:
        return FileText(text[: max(limit, 0)], TOO_LARGE, f"{detail}; text exceeds {limit}", kind)
    return FileText(text, SCANNED, detail, kind)


# --- type detection ---------------------------------------------------------

_IMAGE_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"BM", "bmp"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"\x00\x00\x01\x00", "ico"),
)
_ISO_BMFF_IMAGE_BRANDS = {
    b"heic": "heic",
    b"heix": "heic",
    b"hevc": "heic",
    b"heim": "heic",
    b"heis": "heic",
    b"mif1": "heif",
    b"msf1": "heif",
    b"avif": "avif",
    b"avis": "avif",
}


def _magic(data: bytes) -> tuple[str, str] | None:
    """(kind, description) from the leading bytes, or None when they say nothing."""
    at = data.find(b"%PDF-", 0, _PDF_MAGIC_WINDOW)
    if at == 0 or (at > 0 and not _looks_like_text(data)):  # text *about* PDFs stays text
        return PDF, "pdf"
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip", "zip"
    for prefix, name in _IMAGE_MAGIC:
        if data.startswith(prefix):
            if name == "bmp" and len(data) < 26:
                continue  # "BM" alone is too weak: a text file may start with it
            return IMAGE, name
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return IMAGE, "webp"
    if data[4:8] == b"ftyp" and data[8:12] in _ISO_BMFF_IMAGE_BRANDS:
        return IMAGE, _ISO_BMFF_IMAGE_BRANDS[data[8:12]]
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole2", "ole2 container (legacy office file or encrypted office document)"
    return None


_TEXT_EXTENSIONS = frozenset(
    """txt text csv tsv md markdown rst json jsonl ndjson xml html htm xhtml svg yaml yml toml
    ini cfg conf env log properties tex rtf eml vcf ics sql sh bash zsh ps1 bat cmd py pyi
    js mjs cjs ts tsx jsx java kt kts scala go rs c h cc cpp cxx hpp hh cs swift m mm rb php
    pl pm lua r jl dart ex exs erl hs clj vue svelte css scss sass less gradle groovy tf hcl
    dockerfile makefile ipynb""".split()  # noqa: SIM905
)
_IMAGE_EXTENSIONS = frozenset(
    """png jpg jpeg jpe gif webp heic heif avif bmp tif tiff ico jfif""".split()  # noqa: SIM905
)
_EXT_KIND = {"pdf": PDF, "docx": DOCX, "docm": DOCX, "dotx": DOCX, "dotm": DOCX}
_EXT_KIND |= {"xlsx": XLSX, "xlsm": XLSX, "xltx": XLSX, "xltm": XLSX}
_EXT_KIND |= {"pptx": PPTX, "pptm": PPTX, "ppsx": PPTX, "ppsm": PPTX, "potx": PPTX}
_TEXT_CONTENT_TYPES = frozenset(
    """application/json application/xml application/javascript application/x-javascript
    application/ecmascript application/x-yaml application/yaml application/toml
    application/x-sh application/sql application/csv application/x-ndjson application/rtf
    application/x-httpd-php application/xhtml+xml""".split()  # noqa: SIM905
)
_CT_KIND = {
    "application/pdf": PDF,
    "application/x-pdf": PDF,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": XLSX,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": PPTX,
    "application/vnd.ms-word.document.macroenabled.12": DOCX,
    "application/vnd.ms-excel.sheet.macroenabled.12": XLSX,
    "application/vnd.ms-powerpoint.presentation.macroenabled.12": PPTX,
}


def _hint(content_type: str | None, filename: str | None) -> str | None:
    """Kind claimed by the content type, else by the extension; None if neither says."""
    ct = (content_type or "").split(";")[0].strip().lower()
    if ct:
        if ct in _CT_KIND:
            return _CT_KIND[ct]
        if ct == "image/svg+xml":
            return TEXT
        if ct.startswith("image/"):
            return IMAGE
        if ct.startswith("text/") or ct in _TEXT_CONTENT_TYPES or ct.endswith(("+json", "+xml")):
            return TEXT
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].lower()
    ext = name.rsplit(".", 1)[-1] if "." in name else name
    if ext in _EXT_KIND:
        return _EXT_KIND[ext]
    if ext in _IMAGE_EXTENSIONS:
        return IMAGE
    if ext in _TEXT_EXTENSIONS:
        return TEXT
    return None


_CONTROL = frozenset(range(32)) - {9, 10, 12, 13, 27}


def _looks_like_text(data: bytes) -> bool:
    """A content sniff for files nothing else identifies (no magic, no useful hint)."""
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    head = data[:8192]
    if _utf16_guess(head):
        return True
    if b"\x00" in head:
        return False
    controls = sum(1 for b in head if b in _CONTROL)
    return controls <= len(head) // 100


def _utf16_guess(head: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' if NULs sit in every other byte (ASCII-heavy UTF-16)."""
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) >= 0.4 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) >= 0.4 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


# --- text -------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _decode(data: bytes, final: bool = True) -> tuple[str, str]:
    """(text, encoding). `final=False` tolerates a character cut off at the end."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
            return decoder.decode(data[len(bom) :], final=final), encoding
    guess = _utf16_guess(data[:8192])
    if guess is not None:
        decoder = codecs.getincrementaldecoder(guess)(errors="replace")
        return decoder.decode(data, final=final), guess
    try:
        return codecs.getincrementaldecoder("utf-8")().decode(data, final=final), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def _text(data: bytes, limit: int) -> tuple[str, str]:
    text, encoding = _decode(data)
    return text, f"text, {encoding}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


# --- PDF --------------------------------------------------------------------


def _pdf(data: bytes, limit: int) -> tuple[str, str]:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")
        except Exception as exc:
            raise _Unsupported("encrypted") from exc
        if not opened:
            raise _Unsupported("encrypted")
    total = len(reader.pages)
    count = min(total, PDF_MAX_PAGES)
    parts: list[str] = []
    size = 0
    for index in range(count):
        page_text = reader.pages[index].extract_text() or ""
        parts.append(page_text)
        size += len(page_text) + 1
        if size > limit:
            raise _TooLarge(f"pdf, {total} pages; text exceeds {limit}", "\n".join(parts))
    text = "\n".join(parts)
    if count < total:
        raise _TooLarge(f"pdf, {total} pages; only the first {count} read", text)
    if total and not text.strip():
        raise _NoTextLayer(f"pdf, {_plural(total, 'page')}, no text layer")
    return text, f"pdf, {_plural(total, 'page')}"


# --- ZIP-based (OOXML) ------------------------------------------------------

_MAIN_TYPES = (
    (re.compile(rb"(?:wordprocessingml|ms-word)\.[A-Za-z.]*main\+xml", re.I), DOCX),
    (re.compile(rb"(?:spreadsheetml|ms-excel)\.[A-Za-z.]*main\+xml", re.I), XLSX),
    (re.compile(rb"(?:presentationml|ms-powerpoint)\.[A-Za-z.]*main\+xml", re.I), PPTX),
)
_MAIN_PARTS = (
    ("word/document.xml", DOCX),
    ("xl/workbook.xml", XLSX),
    ("ppt/presentation.xml", PPTX),
)


def _zip(data: bytes, hint: str | None, limit: int) -> FileText:
    office_hint = hint if hint in (DOCX, XLSX, PPTX) else UNKNOWN
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            kind = _ooxml_kind(zf, infos)
    except Exception as exc:
        return FileText(None, ERROR, f"{type(exc).__name__} (broken zip)", office_hint)
    if kind is None:
        names = {info.filename for info in infos}
        what = "opendocument" if "mimetype" in names else "zip archive"
        return FileText(None, UNSUPPORTED, what, UNKNOWN)
    if len(data) > limit:
        return FileText(None, TOO_LARGE, f"{kind} file exceeds {limit} bytes", kind)
    bound = min(ZIP_INFLATE_FACTOR * max(limit, 0), ZIP_INFLATE_CAP)
    if len(infos) > ZIP_MAX_MEMBERS:
        return FileText(None, TOO_LARGE, f"zip has more than {ZIP_MAX_MEMBERS} members", kind)
    if sum(info.file_size for info in infos) > bound:
        return FileText(None, TOO_LARGE, f"zip inflates beyond {bound} bytes", kind)
    extract = {DOCX: _docx, XLSX: _xlsx, PPTX: _pptx}[kind]
    return _run(kind, data, limit, extract)


def _ooxml_kind(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> str | None:
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names:
        return None
    info = zf.getinfo("[Content_Types].xml")
    if info.file_size <= 1024 * 1024:
        types = zf.read(info)
        for pattern, kind in _MAIN_TYPES:
            if pattern.search(types):
                return kind
    for part, kind in _MAIN_PARTS:
        if part in names:
            return kind
    return None


class _Collector:
    """Accumulates text pieces and stops with _TooLarge past `limit` characters."""

    def __init__(self, limit: int, kind: str) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.limit = limit
        self.kind = kind

    def add(self, piece: str) -> None:
        if not piece:
            return
        self.parts.append(piece)
        self.size += len(piece)
        if self.size > self.limit:
            raise _TooLarge(f"{self.kind}; text exceeds {self.limit}", self.text())

    def line(self, piece: str) -> None:
        if piece.strip():
            self.add(piece.rstrip("\n") + "\n")

    def text(self) -> str:
        return "".join(self.parts)


# WordprocessingML parts that carry text, main document first.
_WML = "application/vnd.openxmlformats-officedocument.wordprocessingml."
_WML_TEXT_PARTS = (
    "document.main+xml",
    "template.main+xml",
    "header+xml",
    "footer+xml",
    "footnotes+xml",
    "endnotes+xml",
    "comments+xml",
)
_DOCM_MAIN = frozenset(
    {
        "application/vnd.ms-word.document.macroenabled.main+xml",
        "application/vnd.ms-word.template.macroenabledtemplate.main+xml",
    }
)


def _docx(data: bytes, limit: int) -> tuple[str, str]:
    from docx.opc.package import OpcPackage

    package = OpcPackage.open(io.BytesIO(data))
    ranked: list[tuple[int, str, Any]] = []
    for part in package.iter_parts():
        ct = part.content_type.lower()
        if ct in _DOCM_MAIN:
            rank = 0
        elif ct.startswith(_WML) and ct[len(_WML) :] in _WML_TEXT_PARTS:
            rank = _WML_TEXT_PARTS.index(ct[len(_WML) :])
        else:
            continue
        ranked.append((rank, str(part.partname), part))
    if not any(rank <= 1 for rank, _, _ in ranked):
        raise ValueError("no main document part")
    out = _Collector(limit, "docx")
    for _, _, part in sorted(ranked, key=lambda item: item[:2]):
        out.line(_xml_text(part.blob))
    return out.text(), f"docx, {_plural(len(ranked), 'text part')}"


# Local element names -> what they contribute (WordprocessingML and DrawingML).
_TEXT_ELEMENTS = frozenset({"t", "delText"})
_BREAK_ELEMENTS = frozenset({"br", "cr"})


def _xml_text(xml: bytes) -> str:
    """Text of an OOXML part: runs joined, paragraphs on lines, table cells tab-separated."""
    pieces: list[str] = []
    stack: list[str] = []
    for event, elem in ElementTree.iterparse(io.BytesIO(xml), events=("start", "end")):
        name = elem.tag.rsplit("}", 1)[-1]
        if event == "start":
            stack.append(name)
            continue
        stack.pop()
        parent = stack[-1] if stack else ""
        if name in _TEXT_ELEMENTS and elem.text:
            pieces.append(elem.text)
        elif name == "tab" and parent == "r":
            pieces.append("\t")
        elif name in _BREAK_ELEMENTS:
            pieces.append("\n")
        elif name == "p":
            pieces.append(" " if "tc" in stack else "\n")  # a cell's lines stay in its cell
        elif name == "tc":
            pieces.append("\t")
        elif name == "tr":
            pieces.append("\n")
        if name in ("p", "tbl", "txbxContent"):
            elem.clear()
    text = re.sub(r" +\t", "\t", re.sub(r"[ \t]+\n", "\n", "".join(pieces)))
    return re.sub(r"\n{3,}", "\n\n", text)


def _xlsx(data: bytes, limit: int) -> tuple[str, str]:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        out = _Collector(limit, "xlsx")
        visited = 0
        sheets = 0
        for sheet in workbook.worksheets:
            if not hasattr(sheet, "iter_rows"):
                continue  # chartsheets
            sheets += 1
            out.line(str(sheet.title))
            if hasattr(sheet, "reset_dimensions"):
                # A forged <dimension ref="A1:XFD1048576"> would make openpyxl pad
                # every row to 16384 cells and invent a million rows.
                sheet.reset_dimensions()
            for row in sheet.iter_rows(values_only=True):
                visited += len(row) + 1
                if visited > XLSX_MAX_CELLS:
                    raise _TooLarge(f"xlsx, more than {XLSX_MAX_CELLS} cells", out.text())
                out.line("\t".join(_cells(row)))
        return out.text(), f"xlsx, {_plural(sheets, 'sheet')}"
    finally:
        workbook.close()


def _cells(row: Iterable[object]) -> Iterator[str]:
    for value in row:
        if value is None:
            continue
        text = str(value).strip()
        if text:
            yield text


def _pptx(data: bytes, limit: int) -> tuple[str, str]:
    import pptx

    try:
        presentation = pptx.Presentation(io.BytesIO(data))
    except ValueError:  # slide shows and templates (.ppsx, .potx): python-pptx refuses them
        return _pptx_parts(data, limit)
    out = _Collector(limit, "pptx")
    slides = 0
    for slide in presentation.slides:
        slides += 1
        for shape in slide.shapes:
            _shape_text(shape, out, depth=0)
        if slide.has_notes_slide:
            frame = slide.notes_slide.notes_text_frame
            if frame is not None:
                out.line(frame.text)
    return out.text(), f"pptx, {_plural(slides, 'slide')}"


_SLIDE_PART = re.compile(r"ppt/(slides/slide|notesSlides/notesSlide)(\d+)\.xml")


def _pptx_parts(data: bytes, limit: int) -> tuple[str, str]:
    """Slides and notes read straight from the package, in slide order."""
    out = _Collector(limit, "pptx")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        parts = []
        for name in zf.namelist():
            match = _SLIDE_PART.fullmatch(name)
            if match:
                parts.append((int(match[2]), match[1].startswith("notes"), name))
        for _, _, name in sorted(parts):
            out.line(_xml_text(zf.read(name)))
    slides = sum(1 for _, notes, _ in parts if not notes)
    return out.text(), f"pptx, {_plural(slides, 'slide')}"


def _shape_text(shape: Any, out: _Collector, depth: int) -> None:
    if depth > 20:
        return
    if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
        out.line(shape.text_frame.text)
    if getattr(shape, "has_table", False) and shape.has_table:
        for row in shape.table.rows:
            out.line("\t".join(_cells(cell.text for cell in row.cells)))
    if hasattr(shape, "shapes"):  # group shape
        for child in shape.shapes:
            _shape_text(child, out, depth + 1)
