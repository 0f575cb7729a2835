"""Excel (XLSX/XLSM; openpyxl, read-only, cached values): every non-empty cell, row by
row, tab-separated, so a column header stays next to its values; sheet titles included,
hidden and very hidden sheets too. Comments, headers and footers, defined names,
properties and embedded objects: extract/file_text/office_extras.py."""

from __future__ import annotations

import io

from extract.file_text.bounds import Budget
from extract.file_text.office_xml import cells
from extract.file_text.outcome import Collector, TooLarge, plural

XLSX_MAX_CELLS = 5_000_000


def read_xlsx(data: bytes, out: Collector, budget: Budget) -> str:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        visited = 0
        sheets = 0
        for sheet in workbook.worksheets:
            if not hasattr(sheet, "iter_rows"):
                continue  # chartsheets
            sheets += 1
            budget.check_time("xlsx")
            out.line(str(sheet.title))
            if hasattr(sheet, "reset_dimensions"):
                # A forged <dimension ref="A1:XFD1048576"> would make openpyxl pad
                # every row to 16384 cells and invent a million rows.
                sheet.reset_dimensions()
            for row in sheet.iter_rows(values_only=True):
                visited += len(row) + 1
                if visited > XLSX_MAX_CELLS:
                    raise TooLarge(f"xlsx, more than {XLSX_MAX_CELLS} cells")
                out.line("\t".join(cells(row)))
        return f"xlsx, {plural(sheets, 'sheet')}"
    finally:
        workbook.close()
