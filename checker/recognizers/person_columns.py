"""PERSON in plain-text columns aligned with blanks or tabs: phone lists, rosters,
pasted spreadsheet ranges without a CSV separator or a header that names the column.

    Empfang        Schulz        -100
    Einkauf        Wójcik        -214
    Buchhaltung    Ayhan         -241

A block of at least ``MIN_ROWS`` consecutive lines that all split into two or more
cells at a tab or a run of two or more blanks is a table. A column is a name column
when most of its cells are one to three capitalised words and most of those name a
known person (a surname or first name from the lists, ``name_lexicon``): then every
name-shaped cell in it is a name, also one the lists lack — the column says so, as
a CSV header would (``table_columns``). Departments, cities, products and numbers
are no known names, so their columns never qualify.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator

from checker.recognizers.name_lexicon import NameLexicon

SCORE = 0.85
MIN_ROWS = 3
_UP = "A-ZÀ-ÖØ-Þ\u0100-\u024f"
_LO = "a-zß-öø-ÿ\u0100-\u024f"
_PART = rf"(?:[{_UP}]['’])?[{_UP}][{_LO}]+(?:-[{_UP}][{_LO}]+)*"
_NAME_CELL_RE = re.compile(rf"{_PART}(?:,?[ ]{_PART}){{0,2}}")
_CELL_GAP_RE = re.compile(r"\t+| {2,}")
_WORD_RE = re.compile(rf"{_PART}")


def _cells(line: str, offset: int) -> list[tuple[int, int]]:
    """(start, end) of the cells of one line, relative to the text."""
    cells = []
    pos = len(line) - len(line.lstrip(" \t"))
    for gap in _CELL_GAP_RE.finditer(line, pos):
        if gap.start() > pos:
            cells.append((offset + pos, offset + gap.start()))
        pos = gap.end()
    end = len(line.rstrip(" \t"))
    if end > pos:
        cells.append((offset + pos, offset + end))
    return cells


def column_names(
    text: str, lex: NameLexicon, stop: Collection[str]
) -> Iterator[tuple[int, int, float, str]]:
    """(start, end, score, rule) of every name cell in a name column."""
    block: list[list[tuple[int, int]]] = []
    offset = 0
    for raw in text.splitlines(keepends=True):
        line = raw.rstrip("\r\n")
        cells = _cells(line, offset) if "\t" in line or "  " in line.strip() else []
        if len(cells) >= 2:
            block.append(cells)
        else:
            yield from _block_names(text, block, lex, stop)
            block = []
        offset += len(raw)
    yield from _block_names(text, block, lex, stop)


def _block_names(
    text: str, rows: list[list[tuple[int, int]]], lex: NameLexicon, stop: Collection[str]
) -> Iterator[tuple[int, int, float, str]]:
    if len(rows) < MIN_ROWS:
        return
    width = max(len(r) for r in rows)
    for column in range(width):
        cells = [r[column] for r in rows if column < len(r)]
        shaped = [
            (s, e)
            for s, e in cells
            if _NAME_CELL_RE.fullmatch(text, s, e)
            and not any(w.group() in stop for w in _WORD_RE.finditer(text, s, e))
        ]
        known = [
            (s, e)
            for s, e in shaped
            if any(
                lex.is_surname(w.group()) or lex.is_first(w.group())
                for w in _WORD_RE.finditer(text, s, e)
            )
        ]
        # most cells name-shaped, most of those known names: a column of people
        if len(shaped) * 3 >= len(cells) * 2 and len(known) * 2 >= max(len(shaped), 4):
            header = cells[0] if column < len(rows[0]) else None
            for s, e in shaped:
                # the first line may be a header ("Name   IBAN   Betrag"): only a
                # known name there
                if (s, e) != header or (s, e) in known:
                    yield s, e, SCORE, "name column"
