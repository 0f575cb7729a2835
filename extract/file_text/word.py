"""Word (DOCX/DOCM/DOTX; python-docx opens the package): main document, headers,
footers, footnotes, endnotes, comments and building blocks, including tables (cells
tab-separated), text boxes, content controls, tracked deletions, field codes (a
HYPERLINK's mailto: target) and pictures' alternative text. Properties, embedded
objects and the rest of the package: extract/file_text/office_extras.py."""

from __future__ import annotations

import io
from typing import Any

from extract.file_text.bounds import Budget
from extract.file_text.office_xml import xml_text
from extract.file_text.outcome import Collector, plural

# WordprocessingML parts that carry text, main document first.
_WML = "application/vnd.openxmlformats-officedocument.wordprocessingml."


_WML_TEXT_PARTS = (
    "document.main+xml",
    "template.main+xml",
    "document.glossary+xml",  # building blocks and AutoText stored in the document
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


def read_docx(data: bytes, out: Collector, budget: Budget) -> str:
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
    for _, _, part in sorted(ranked, key=lambda item: item[:2]):
        out.line(xml_text(part.blob))
    return f"docx, {plural(len(ranked), 'text part')}"
