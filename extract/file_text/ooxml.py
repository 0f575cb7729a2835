"""Zip files: Office Open XML packages go to the Word, Excel or PowerPoint reader (plus
the package's other text, office_extras.py); every other zip is an archive
(archive.py). The bounds are checked before any parser runs."""

from __future__ import annotations

import re
import zipfile

from extract.file_text.archive import open_zip, read_zip
from extract.file_text.bounds import MAX_MEMBERS, Budget
from extract.file_text.excel import read_xlsx
from extract.file_text.office_extras import read_extras
from extract.file_text.outcome import (
    ARCHIVE,
    CORRUPT,
    DOCX,
    PPTX,
    TOO_MANY_MEMBERS,
    XLSX,
    Collector,
    FileText,
    Unreadable,
    unreadable,
)
from extract.file_text.powerpoint import read_pptx
from extract.file_text.runner import Extract, run
from extract.file_text.word import read_docx

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

_READERS: dict[str, Extract] = {DOCX: read_docx, XLSX: read_xlsx, PPTX: read_pptx}


def read_zip_file(data: bytes, hint: str | None, budget: Budget) -> FileText:
    office_hint = hint if hint in (DOCX, XLSX, PPTX) else ARCHIVE
    try:
        with open_zip(data, budget, "zip") as zf:
            infos = zf.infolist()
            kind = _ooxml_kind(zf, infos)
    except Unreadable as exc:
        return unreadable(exc.why, exc.detail, office_hint)
    except Exception as exc:
        return unreadable(CORRUPT, f"{type(exc).__name__} (broken zip)", office_hint)
    if kind is None:
        return run(ARCHIVE, data, budget, read_zip)
    if len(infos) > MAX_MEMBERS:
        return unreadable(TOO_MANY_MEMBERS, f"{kind} has more than {MAX_MEMBERS} parts", kind)
    if len(data) > budget.limit:
        return run(kind, data, budget, _READERS[kind])  # "exceeds" before inflating anything
    try:
        budget.take_bytes(sum(info.file_size for info in infos), kind)
    except Unreadable as exc:
        return unreadable(exc.why, exc.detail, kind)
    return run(kind, data, budget, _with_extras(kind))


def _with_extras(kind: str) -> Extract:
    def extract(data: bytes, out: Collector, budget: Budget) -> str:
        detail = _READERS[kind](data, out, budget)
        read_extras(data, kind, out, budget)
        return detail

    return extract


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
