"""Text of the XML parts inside Office packages (WordprocessingML and DrawingML)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from xml.etree import ElementTree

# Local element names -> what they contribute (WordprocessingML and DrawingML).
# instrText: field codes (HYPERLINK "mailto:…", MERGEFIELD); delInstrText: deleted ones.
_TEXT_ELEMENTS = frozenset({"t", "delText", "instrText", "delInstrText"})
# Drawing properties whose attributes hold alternative text of pictures and shapes.
_ALT_TEXT_ELEMENTS = frozenset({"docPr", "cNvPr"})
_BREAK_ELEMENTS = frozenset({"br", "cr"})


def xml_text(xml: bytes) -> str:
    """Text of an OOXML part: runs joined, paragraphs on lines, table cells tab-separated."""
    pieces: list[str] = []
    stack: list[str] = []
    for event, elem in ElementTree.iterparse(io.BytesIO(xml), events=("start", "end")):
        name = elem.tag.rsplit("}", 1)[-1]
        if event == "start":
            stack.append(name)
            if name in _ALT_TEXT_ELEMENTS:
                for attribute in ("descr", "title"):
                    if elem.get(attribute):
                        pieces.append(f"\n{elem.get(attribute)}\n")
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


def cells(row: Iterable[object]) -> Iterator[str]:
    for value in row:
        if value is None:
            continue
        text = str(value).strip()
        if text:
            yield text
