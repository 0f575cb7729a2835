"""A value that stands alone: the whole message, the whole line, or a whole table cell.

Identifiers arrive bare — a chat message with just the number, one pasted spreadsheet
cell, a line of a list. Then nothing around the value says what it is, but nothing says
it is something else either, and in running text the same shape is far more often an
order or article number. Recognizers whose format and check digit are strong evidence
(Steuer-ID, KVNR, RV number, document numbers, plates with a real district code) report
such a standalone value at a score that passes the default threshold; in a sentence
they keep waiting for a cue word. A column header that names another kind of number
(Artikelnummer, Bestellnummer, SKU ...) takes the standalone status away.
"""

from __future__ import annotations

import re

from checker.recognizers.table_columns import Cell, Table, parse_tables

# Allowed before a value on its line: indentation, a list mark, an opening quote or
# bracket; after it: a closing quote or bracket and one punctuation mark.
_BEFORE = re.compile(r"[ \t]*(?:(?:[-*•·]|\d{1,3}[.)])[ \t]+)?[\"'„“‚‘`(\[]?[ \t]*")
_AFTER = re.compile(r"[ \t]*[\"'“”‘’`)\]]?[.,;:!?]?[ \t]*\r?")
# Headers and labels of other kinds of numbers (whole words, case-insensitive), alone or
# glued to "nummer"/"nr"/"number"... ("Artikelnummer", "Bestellnr.", "Sachnummer"), but
# not "Sachbearbeiter", "Teilnehmer" or "Partner".
OTHER_NUMBER_HEADER_RE = re.compile(
    r"(?<![^\W\d_])(?:art|artikel|art\.-nr|artnr|bestellung|bestell|order|rechnung|rg"
    r"|invoice|auftrag|ticket|vorgang|sku|ean|gtin|isbn|serie|serien|serial|sach|teil|teile"
    r"|part|material|charge|chargen|lot|batch|produkt|product|modell|model|version|build"
    r"|lieferschein|beleg|kostenstelle|projekt|project|referenz|reference|ref|sap|po)"
    r"s?(?:[-.]?(?:nummer|nr|no|number|id|code))?\.?(?![^\W\d_])",
    re.IGNORECASE,
)
_LABEL_BEFORE_RE = re.compile(
    OTHER_NUMBER_HEADER_RE.pattern + r"(?:[ ](?:nr|no|nummer|number|id)\.?)?[\s:#]*\Z",
    re.IGNORECASE,
)
_LABEL_WINDOW = 30


def other_number_label_before(text: str, start: int) -> bool:
    """Whether a label of another kind of number ends right before `start`
    ("Artikelnummer: …", "Rechnung …", "SKU #…")."""
    return _LABEL_BEFORE_RE.search(text, max(0, start - _LABEL_WINDOW), start) is not None


def is_standalone(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] fills its line (see _BEFORE/_AFTER) or its table cell,
    and no column header above it names another kind of number."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    alone_on_line = (
        _BEFORE.fullmatch(text, line_start, start) is not None
        and _AFTER.fullmatch(text, end, line_end) is not None
    )
    for table in parse_tables(text):
        for index, cell in enumerate(_cells_at(table, start)):
            if cell is None:
                continue
            header = table.header[index].text if index < len(table.header) else ""
            if OTHER_NUMBER_HEADER_RE.search(header):
                return False
            if cell.start == start and cell.end == end:
                return True
    return alone_on_line


def _cells_at(table: Table, position: int) -> list[Cell | None]:
    """The row of `table` holding `position`, cell by cell (None where not the cell)."""
    for row in (table.header, *table.rows):
        if row and row[0].start <= position <= row[-1].end:
            return [cell if cell.start <= position <= cell.end else None for cell in row]
    return []
