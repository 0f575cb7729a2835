"""String cells of SQL ``INSERT INTO t (col, …) VALUES (…), (…)`` statements, with the
column each stands in: the column list says what a value is, as a CSV header does
(``table_columns``). Used for names (``person_fields``) and birth dates
(``date_of_birth_recognizer``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from checker.recognizers.table_columns import normalize_header

MAX_ROWS = 1000  # rows of one statement that are read

_INSERT_RE = re.compile(
    r"(?i:insert[ \t]+into)[ \t]+[\w.\"`\[\]]+[ \t]*\((?P<cols>[^()]{1,400})\)\s*(?i:values)\s*",
)
_TUPLE_RE = re.compile(r"\((?P<body>[^()]{1,1000})\)\s*,?\s*")
_SQL_CELL_RE = re.compile(r"\s*(?:'(?P<s>(?:[^']|'')*)'|(?P<o>[^,']*))\s*(?:,|$)")


def column_key(raw: str) -> str:
    """ "Geb-Datum" → "geb_datum", "t.first_name" → "first_name"."""
    return normalize_header(raw).replace("-", "_").split(".")[-1]


def insert_cells(text: str) -> Iterator[tuple[list[str], int, int, int]]:
    """(column keys of the statement, column index, start, end) of every quoted cell."""
    for ins in _INSERT_RE.finditer(text):
        columns = [column_key(c.strip(' \t\n"`[]')) for c in ins.group("cols").split(",")]
        pos = ins.end()
        for _ in range(MAX_ROWS):
            row = _TUPLE_RE.match(text, pos)
            if row is None:
                break
            cell_pos = row.start("body")
            for index in range(len(columns)):
                cell = _SQL_CELL_RE.match(text, cell_pos, row.end("body"))
                if cell is None:
                    break
                if cell.group("s") is not None:
                    yield columns, index, cell.start("s"), cell.end("s")
                if cell.end() <= cell_pos:
                    break
                cell_pos = cell.end()
            pos = row.end()
