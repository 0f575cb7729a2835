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

import bisect
import re
from functools import lru_cache

from checker.recognizers.table_columns import parse_tables

# Allowed before a value on its line: indentation, a list mark, an opening quote or
# bracket; after it: a closing quote or bracket and one punctuation mark. Each part can
# be matched in one way only (no two adjacent runs of blanks), so a check is linear.
_BEFORE = re.compile(r"[ \t]*(?:(?:[-*•·]|\d{1,3}[.)])[ \t]+)?(?:[\"'„“‚‘`(\[][ \t]*)?")
_AFTER = re.compile(r"(?:[ \t]*[\"'“”‘’`)\]])?[.,;:!?]?[ \t]*\r?")
# A value with more than this around it on its line is not alone (and no check scans a
# long line once per match).
_MARGIN = 64
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
    cell = _cell_at(text, start)
    if cell is not None:
        cell_start, cell_end, header = cell
        if OTHER_NUMBER_HEADER_RE.search(header):
            return False
        if (cell_start, cell_end) == (start, end):
            return True
    before = max(0, start - _MARGIN - 1)
    line_start = text.rfind("\n", before, start) + 1
    if line_start == 0 and before > 0:
        return False  # more than _MARGIN characters on the line before the value
    line_end = text.find("\n", end, end + _MARGIN + 1)
    if line_end < 0:
        if end + _MARGIN < len(text):
            return False
        line_end = len(text)
    return (
        _BEFORE.fullmatch(text, line_start, start) is not None
        and _AFTER.fullmatch(text, end, line_end) is not None
    )


def _cell_at(text: str, position: int) -> tuple[int, int, str] | None:
    """(start, end, column header) of the table cell holding `position`, if any."""
    starts, cells = _cell_index(text)
    i = bisect.bisect_right(starts, position) - 1
    if i >= 0 and position <= cells[i][1]:
        return cells[i]
    return None


@lru_cache(maxsize=8)  # the recognizers of one prompt ask about the same text
def _cell_index(text: str) -> tuple[list[int], list[tuple[int, int, str]]]:
    """Every table cell (header rows included: a paste may have no header) with its
    column header, sorted by start: one parse per text, a bisection per question."""
    cells: list[tuple[int, int, str]] = []
    for table in parse_tables(text):
        for row in (table.header, *table.rows):
            for index, cell in enumerate(row):
                header = table.header[index].text if index < len(table.header) else ""
                cells.append((cell.start, cell.end, header))
    cells.sort()
    return [c[0] for c in cells], cells
