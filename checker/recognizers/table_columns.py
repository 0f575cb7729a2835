"""Columns of CSV-like tables in plain text, found by their header row.

A table is a header line followed by at least one data line, all split by the same
separator (tab, ``;`` or ``,``); double-quoted cells may contain the separator
(``"Rossi, Lukas"``) and doubled quotes. A blank line or a line without the
separator ends the table. Recognizers use this to know which cells hold a name or a
date of birth when only the header says so (``Vorname;Nachname`` / ``12;Anna;Weber``).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache

_SEPARATORS = ("\t", ";", ",", "|")  # tried in this order; the first with >= 2 cells wins
_RULE_RE = re.compile(r"[\s|:+-]*-{3}[\s|:+-]*")  # Markdown "|---|:--|" separator row
MAX_HEADER_CELL = 40  # characters; a longer "header" cell is prose, not a column name


@dataclass(frozen=True)
class Cell:
    """One cell: its character span in the text (without quotes and padding)."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Table:
    header: tuple[Cell, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def header_keys(self) -> list[str]:
        return [normalize_header(cell.text) for cell in self.header]


def normalize_header(name: str) -> str:
    """``" Geb.-Datum: "`` → ``"geb.-datum"``; ``"First Name"`` → ``"first_name"``."""
    key = name.strip().strip("\"'").strip().rstrip(":").strip().lower()
    return re.sub(r"[ \t]+", "_", key)


def split_cells(line: str, offset: int, sep: str) -> list[Cell]:
    """Split one line at ``sep`` outside double quotes; spans are relative to the text."""
    cells: list[Cell] = []
    i, n = 0, len(line)
    while True:
        start = i
        while i < n and line[i] in " \t" and line[i] != sep:
            i += 1
        if i < n and line[i] == '"':
            # Quoted cell: up to the closing quote ("" is an escaped quote).
            j = i + 1
            while j < n:
                if line[j] == '"' and j + 1 < n and line[j + 1] == '"':
                    j += 2
                elif line[j] == '"':
                    break
                else:
                    j += 1
            c_start, c_end = i + 1, min(j, n)
            k = line.find(sep, c_end)
            end = n if k < 0 else k
        else:
            k = line.find(sep, start)
            end = n if k < 0 else k
            c_start, c_end = start, end
        raw = line[c_start:c_end]
        lead = len(raw) - len(raw.lstrip())
        trimmed = raw.strip()
        s = offset + c_start + lead
        cells.append(Cell(s, s + len(trimmed), trimmed))
        if end >= n:
            return cells
        i = end + 1


def _lines(text: str) -> list[tuple[int, str]]:
    """(offset, line without its line break) for every line."""
    lines, offset = [], 0
    for raw in text.splitlines(keepends=True):
        lines.append((offset, raw.rstrip("\r\n")))
        offset += len(raw)
    return lines


def _row(line: str, offset: int, sep: str) -> list[Cell]:
    cells = split_cells(line, offset, sep)
    if sep == "|":  # "| a | b |": the outer bars frame the row, they hold no cells
        if cells and not cells[0].text:
            cells = cells[1:]
        if cells and not cells[-1].text:
            cells = cells[:-1]
    return cells


def _separator(line: str) -> str | None:
    for sep in _SEPARATORS:
        if sep not in line:
            continue  # one cell only: no table line (and no walk over the line for it)
        cells = _row(line, 0, sep)
        if len(cells) >= 2 and all(c.text for c in cells):
            return sep
    return None


def _prose_before_table(lines: list[tuple[int, str]], i: int, sep: str, width: int) -> bool:
    """The next two lines have the same number of cells, and this one another."""
    if i + 2 >= len(lines):
        return False
    counts = [len(_row(lines[j][1], 0, sep)) for j in (i + 1, i + 2)]
    return counts[0] == counts[1] != width and sep in lines[i + 2][1]


def parse_tables(text: str) -> list[Table]:
    """Every header line with at least one data line after it."""
    return list(_parse_tables(text))


@lru_cache(maxsize=8)  # several recognizers ask about the same prompt
def _parse_tables(text: str) -> tuple[Table, ...]:
    lines = _lines(text)
    tables: list[Table] = []
    i = 0
    while i < len(lines):
        start, line = lines[i]
        sep = _separator(line)
        if sep is None:
            i += 1
            continue
        header = tuple(_row(line, start, sep))
        if any(len(cell.text) > MAX_HEADER_CELL for cell in header) or _prose_before_table(
            lines, i, sep, len(header)
        ):
            # prose with commas before the real header ("Import these contacts
            # (columns: Name, Company, Email):"): not a header, or it would make the
            # real header a data row
            i += 1
            continue
        rows: list[tuple[Cell, ...]] = []
        j = i + 1
        while j < len(lines):
            row_start, row = lines[j]
            if not row.strip() or sep not in row:
                break
            if not (sep == "|" and _RULE_RE.fullmatch(row)):
                rows.append(tuple(_row(row, row_start, sep)))
            j += 1
        if rows:
            tables.append(Table(header, tuple(rows)))
            i = j
        else:
            i += 1
    return tuple(tables)


def column_spans(
    text: str,
    header_names: Collection[str],
    *,
    unless_headers: Collection[str] = (),
) -> list[tuple[int, int]]:
    """Spans of the non-empty data cells whose column header is one of ``header_names``.

    Header names are compared after :func:`normalize_header` (case-insensitive, spaces
    as ``_``). Tables with any header in ``unless_headers`` are skipped (a ``Name``
    column next to ``Artikel``/``Preis`` names products, not people). Rows with fewer
    cells than the header simply have no cell in the missing columns.
    """
    wanted = {normalize_header(h) for h in header_names}
    unless = {normalize_header(h) for h in unless_headers}
    spans: list[tuple[int, int]] = []
    for table in parse_tables(text):
        keys = table.header_keys()
        if unless & set(keys):
            continue
        columns = [i for i, key in enumerate(keys) if key in wanted]
        for row in table.rows:
            spans.extend(
                (row[i].start, row[i].end) for i in columns if i < len(row) and row[i].text
            )
    return sorted(spans)


def column_header(text: str, position: int) -> str:
    """The header of the table column that `position` lies in, or "".

    Used as a cue: a value in a "last_ip" or "Kennzeichen" column is what the header
    says, however far down the table it stands. A bisection in an index built once per
    text, so a long table costs no more per value than a short one.
    """
    row_starts, rows = _row_index(text)
    i = bisect.bisect_right(row_starts, position) - 1
    if i < 0:
        return ""
    row_end, cell_starts, headers = rows[i]
    if position >= row_end:
        return ""
    # The last cell starting at or before the position holds it.
    index = max(bisect.bisect_right(cell_starts, position) - 1, 0)
    return headers[index]


@lru_cache(maxsize=8)
def _row_index(text: str) -> tuple[list[int], list[tuple[int, list[int], list[str]]]]:
    """Data rows by start: (row end, cell starts, the header text of each cell's column
    or "" when the column has none or its header is too long to be a name)."""
    starts: list[int] = []
    rows: list[tuple[int, list[int], list[str]]] = []
    for table in _parse_tables(text):
        names = [c.text if len(c.text) <= MAX_HEADER_CELL else "" for c in table.header]
        for row in table.rows:
            if not row:
                continue
            headers = [names[i] if i < len(names) else "" for i in range(len(row))]
            starts.append(row[0].start)
            rows.append((row[-1].end, [c.start for c in row], headers))
    order = sorted(range(len(starts)), key=starts.__getitem__)
    return [starts[i] for i in order], [rows[i] for i in order]
