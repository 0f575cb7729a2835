"""Office Open XML packages (ZIP): bounds checked before any parser runs, then the
Word, Excel or PowerPoint reader."""

from __future__ import annotations

import io
import re
import zipfile

from extract.file_text.excel import read_xlsx
from extract.file_text.outcome import (
    DOCX,
    ERROR,
    PPTX,
    TOO_LARGE,
    UNKNOWN,
    UNSUPPORTED,
    XLSX,
    FileText,
    run,
)
from extract.file_text.powerpoint import read_pptx
from extract.file_text.word import read_docx

ZIP_INFLATE_FACTOR = 20
ZIP_INFLATE_CAP = 100 * 1024 * 1024
ZIP_MAX_MEMBERS = 10_000


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


def read_office(data: bytes, hint: str | None, limit: int) -> FileText:
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
    extract = {DOCX: read_docx, XLSX: read_xlsx, PPTX: read_pptx}[kind]
    return run(kind, data, limit, extract)


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
