"""PDF (pypdf): the text layer of every page, and the text outside it -- document info,
XMP metadata, bookmarks, annotations (comments, free text, link targets), form fields
(AcroForm values, XFA data) -- and attached files, read as files of their own.

A PDF with more than PDF_MAX_PAGES pages is "unreadable" (too_many_pages): the text of
the pages read is still scanned, but the rest would pass unread.
"""

from __future__ import annotations

import io
import re
from typing import Any

from extract.file_text.bounds import Budget
from extract.file_text.detect import name_text
from extract.file_text.metadata import field, xml_strings
from extract.file_text.outcome import (
    ENCRYPTED,
    TOO_MANY_PAGES,
    Collector,
    NoTextLayer,
    Unreadable,
    plural,
)

PDF_MAX_PAGES = 500
# Annotations, form fields and bookmarks read at most (their text is small; the bound
# keeps a PDF of a million empty annotations from costing a million lookups).
PDF_MAX_OBJECTS = 20_000

# Annotation keys that hold text: contents, author (an author field), subject, rich
# text (XHTML), the name of a file attachment.
_ANNOTATION_KEYS = ("/Contents", "/T", "/Subj", "/RC", "/DS")
_TAGS = re.compile(r"<[^>]*>")


def read_pdf(data: bytes, out: Collector, budget: Budget) -> str:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")
        except Exception as exc:
            raise Unreadable(ENCRYPTED, "pdf, encrypted") from exc
        if not opened:
            raise Unreadable(ENCRYPTED, "pdf, encrypted")
    total = len(reader.pages)
    count = min(total, PDF_MAX_PAGES)
    body = 0
    for index in range(count):
        budget.check_time("pdf")
        page_text = reader.pages[index].extract_text() or ""
        body += len(page_text.strip())
        out.line(page_text)
    _document_text(reader, out, count)
    _attachments(reader, out, budget)
    if count < total:
        raise Unreadable(TOO_MANY_PAGES, f"pdf, {total} pages; only the first {count} read")
    if total and not body:
        raise NoTextLayer(f"pdf, {plural(total, 'page')}, no text layer")
    return f"pdf, {plural(total, 'page')}"


def _document_text(reader: Any, out: Collector, pages: int) -> None:
    """Document info, XMP, bookmarks, annotations of the pages read, form fields."""
    info = reader.metadata or {}
    for key, value in info.items():
        field(out, str(key), _string(value))
    metadata = reader.root_object.get("/Metadata")
    if metadata is not None:
        xml_strings(metadata.get_object().get_data(), out)
    budget = [PDF_MAX_OBJECTS]
    _outline(reader.outline, out, budget)
    for index in range(pages):
        for annotation in _resolved(reader.pages[index].get("/Annots")):
            if not _spend(budget):
                break
            _annotation(annotation, out)
    for name, value in (reader.get_fields() or {}).items():
        if not _spend(budget):
            break
        out.line(str(name))
        for key in ("/V", "/TU", "/Opt", "/DV"):
            field(out, key, _string(value.get(key)))
    for packet in (reader.xfa or {}).values():
        if isinstance(packet, bytes) and packet.strip():
            xml_strings(packet, out)


def _annotation(annotation: Any, out: Collector) -> None:
    if not isinstance(annotation, dict):
        return
    for key in _ANNOTATION_KEYS:
        value = _string(annotation.get(key))
        if key == "/T":
            field(out, "author", value)
        elif key in ("/RC", "/DS") and isinstance(value, str):
            out.line(_TAGS.sub(" ", value))
        else:
            field(out, key, value)
    action = annotation.get("/A")
    if action is not None:
        action = action.get_object()
        if isinstance(action, dict):
            field(out, "/URI", _string(action.get("/URI")))
    attached = annotation.get("/FS")
    if attached is not None:
        attached = attached.get_object()
        if isinstance(attached, dict):
            field(out, "/UF", _string(attached.get("/UF") or attached.get("/F")))


def _outline(items: Any, out: Collector, budget: list[int], depth: int = 0) -> None:
    if depth > 50:
        return
    for item in items or ():
        if not _spend(budget):
            return
        if isinstance(item, list):
            _outline(item, out, budget, depth + 1)
        else:
            field(out, "/Title", _string(getattr(item, "title", None)))


def _attachments(reader: Any, out: Collector, budget: Budget) -> None:
    """Embedded files (the /EmbeddedFiles name tree): name, then content as a file."""
    for name, contents in reader.attachments.items():
        out.line(name_text(str(name)))
        for content in contents:
            budget.check_time("pdf attachment")
            budget.take_members(1, "pdf attachment")
            budget.take_bytes(len(content), "pdf attachment")
            out.merge(budget.nested(content, str(name)))


def _resolved(value: Any) -> list[Any]:
    if value is None:
        return []
    value = value.get_object() if hasattr(value, "get_object") else value
    if not isinstance(value, list):
        return []
    return [item.get_object() if hasattr(item, "get_object") else item for item in value]


def _string(value: Any) -> Any:
    """A PDF object as text where it is one (text strings, names, arrays of them)."""
    if value is None:
        return None
    if hasattr(value, "get_object"):
        value = value.get_object()
    if isinstance(value, list):
        return [_string(item) for item in value]
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if isinstance(value, str):
        return str(value)
    return None


def _spend(budget: list[int]) -> bool:
    budget[0] -= 1
    return budget[0] >= 0
