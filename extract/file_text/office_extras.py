"""The text of an Office package outside what the Word, Excel and PowerPoint readers
read: document properties (core, app, custom), custom XML, comments of workbooks and
presentations, slide masters and layouts, SmartArt, charts, alternative text of slide
pictures, headers and footers and defined names of workbooks, external link targets
(mailto:), and embedded objects (an Excel table inside a Word document), which are read
as files of their own.
"""

from __future__ import annotations

import html
import io
import re
import zipfile

from extract.file_text.bounds import Budget
from extract.file_text.metadata import xml_strings
from extract.file_text.office_xml import xml_text
from extract.file_text.outcome import DOCX, PPTX, XLSX, Collector

# Parts whose every text node is read.
_PROPERTIES = re.compile(r"docProps/[^/]+\.xml|customXml/item\d+\.xml", re.I)
_STRINGS = {
    XLSX: re.compile(
        r"xl/(?:comments[^/]*|comments/[^/]+|threadedComments/[^/]+|charts/chart\d+)\.xml", re.I
    ),
    PPTX: re.compile(r"ppt/(?:comments/[^/]+|charts/chart\d+)\.xml", re.I),
    DOCX: re.compile(r"word/charts/chart\d+\.xml", re.I),
}
# DrawingML parts read like slides (runs joined, paragraphs on lines).
_DRAWING = {
    PPTX: re.compile(
        r"ppt/(?:slideMasters|slideLayouts|notesMasters|handoutMasters|diagrams)/[^/]+\.xml",
        re.I,
    ),
    DOCX: re.compile(r"word/diagrams/data\d+\.xml", re.I),
    XLSX: re.compile(r"xl/(?:diagrams/data\d+|drawings/drawing\d+)\.xml", re.I),
}
_SLIDES = re.compile(r"ppt/slides/slide\d+\.xml", re.I)
_SHEETS = re.compile(r"xl/worksheets/sheet\d+\.xml", re.I)
_RELATIONSHIPS = re.compile(r"(?:.*/)?_rels/[^/]*\.rels", re.I)
_EMBEDDED = re.compile(r"[^/]+/embeddings/[^/]+", re.I)
# Statistics and timestamps the application writes into the properties: no free text,
# and a number of characters is no phone number.
_NOT_TEXT = frozenset(
    """Pages Words Characters CharactersWithSpaces Lines Paragraphs TotalTime Slides Notes
    HiddenSlides MMClips DocSecurity AppVersion ScaleCrop LinksUpToDate SharedDoc
    HyperlinksChanged i4 revision created modified lastPrinted""".lower().split()
)
_ALT_TEXT = re.compile(rb'\s(?:descr|title)="([^"]+)"')
_HEADER_FOOTER = re.compile(rb"<(?:\w+:)?headerFooter\b.*?</(?:\w+:)?headerFooter>", re.S)
_DEFINED_NAMES = re.compile(rb"<(?:\w+:)?definedNames\b.*?</(?:\w+:)?definedNames>", re.S)
_EXTERNAL = re.compile(rb"<Relationship\b[^>]*>", re.S)
_TAG = re.compile(rb"<[^>]*>")


def read_extras(data: bytes, kind: str, out: Collector, budget: Budget) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            name = info.filename
            if _PROPERTIES.fullmatch(name) or _STRINGS[kind].fullmatch(name):
                _strings(zf.read(info), out)
            elif _DRAWING[kind].fullmatch(name):
                out.line(xml_text(zf.read(info)))
            elif kind == PPTX and _SLIDES.fullmatch(name):
                for match in _ALT_TEXT.finditer(zf.read(info)):
                    out.line(html.unescape(match[1].decode("utf-8", errors="replace")))
            elif kind == XLSX and (_SHEETS.fullmatch(name) or name == "xl/workbook.xml"):
                _workbook_parts(zf.read(info), out)
            elif _RELATIONSHIPS.fullmatch(name):
                _external_targets(zf.read(info), out)
            elif _EMBEDDED.fullmatch(name) and not info.is_dir():
                budget.take_members(1, f"{kind} embedded object")
                out.merge(budget.nested(zf.read(info), name.rsplit("/", 1)[-1]))


def _strings(xml: bytes, out: Collector) -> None:
    xml_strings(xml, out, skip=_NOT_TEXT)


def _workbook_parts(xml: bytes, out: Collector) -> None:
    """Headers and footers of a sheet, the defined names of the workbook: cut out of
    the part (a sheet's cells are the Excel reader's), tags dropped."""
    for pattern in (_HEADER_FOOTER, _DEFINED_NAMES):
        for match in pattern.finditer(xml):
            text = _TAG.sub(b"\n", match[0]).decode("utf-8", errors="replace")
            out.line(html.unescape(text))


def _external_targets(xml: bytes, out: Collector) -> None:
    """Targets of external relationships: hyperlinks (mailto:…), linked files."""
    for match in _EXTERNAL.finditer(xml):
        element = match[0]
        if b'TargetMode="External"' in element:
            target = re.search(rb'Target="([^"]*)"', element)
            if target:
                out.line(html.unescape(target[1].decode("utf-8", errors="replace")))
