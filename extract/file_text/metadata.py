"""Text outside a file's body: document properties, XMP, image metadata.

All of it is scanned. The fields whose role is to name the file's author or last editor
(PDF /Author, Office creator and lastModifiedBy, XMP dc:creator, EXIF Artist, IPTC
By-line, PNG "Author") go to the collector's `authors` (FileText.authors): Office fills
them in with the name of whoever saved the file -- ordinarily the employee sending it --
so a person's name found there does not count (pipeline/evaluation.py); anything else
in them (an e-mail address, an IBAN, a health term, a confidential term) does.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from xml.etree import ElementTree

from extract.file_text.outcome import Collector

# Field and element names (lower case, without namespace) that name an author.
AUTHOR_FIELDS = frozenset(
    {
        "author",
        "creator",
        "lastmodifiedby",
        "artist",
        "by-line",
        "xpauthor",
        "manager",
        "contributor",
    }
)


def field(out: Collector, key: str, value: object) -> None:
    """One metadata field's value (str, bytes or a list of them) into `out`."""
    author = key.lower().lstrip("/") in AUTHOR_FIELDS
    for text in _texts(value):
        if author:
            out.author(text)
        else:
            out.line(text)


def _texts(value: object) -> Iterable[str]:
    if isinstance(value, bytes):
        yield value.decode("utf-8", errors="replace")
    elif isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _texts(item)
    elif value is not None and not isinstance(value, int | float | dict):
        yield str(value)


def xml_strings(
    xml: bytes,
    out: Collector,
    attributes: frozenset[str] = frozenset(),
    skip: frozenset[str] = frozenset(),
) -> None:
    """Every text node of an XML document on its own line (and the values of the named
    attributes), but the text of elements named in `skip` (lower case); text inside an
    author element (any ancestor) goes through `field`."""
    stack: list[str] = []
    for event, elem in ElementTree.iterparse(io.BytesIO(xml), events=("start", "end")):
        name = elem.tag.rsplit("}", 1)[-1] if isinstance(elem.tag, str) else ""
        if event == "start":
            stack.append(name.lower())
            for key, value in elem.attrib.items():
                if key.rsplit("}", 1)[-1] in attributes:
                    out.line(value)
            continue
        author = next((tag for tag in reversed(stack) if tag in AUTHOR_FIELDS), None)
        own = "" if stack[-1] in skip else (elem.text or "").strip()
        if own and author is not None:
            field(out, author, own)
        else:
            out.line(own)
        out.line((elem.tail or "").strip())
        stack.pop()
        elem.clear()
