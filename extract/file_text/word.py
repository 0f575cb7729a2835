"""Word (DOCX/DOCM/DOTX; python-docx opens the package): main document, headers,
footers, footnotes, endnotes and comments, including tables (cells tab-separated), text
boxes, content controls and tracked deletions."""

from __future__ import annotations

import io
from typing import Any

from extract.file_text.office_xml import xml_text
from extract.file_text.outcome import Collector, plural

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


def read_docx(data: bytes, limit: int) -> tuple[str, str]:
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
    out = Collector(limit, "docx")
    for _, _, part in sorted(ranked, key=lambda item: item[:2]):
        out.line(xml_text(part.blob))
    return out.text(), f"docx, {plural(len(ranked), 'text part')}"
