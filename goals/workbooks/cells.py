"""Cells as text, both ways: how both workbooks read a cell back, and how every workbook and
CSV file the app writes keeps text as text.

Spreadsheets run what looks like a formula: openpyxl writes any text that starts with "="
as a live formula, and Excel or WPS opening a CSV evaluates a cell starting with = + - @
(or a tab or carriage return before one). A note like =HYPERLINK("http://x.example","y")
or +cmd|' /C calc'!A0 is what an official typed, and stays what they typed: every xlsx is
saved through `workbook_bytes`, which writes every text cell as a string, and every CSV
text cell goes through `csv_text`, which prefixes such a cell with a single quote (OWASP's
advice). Numbers are written as numbers, so a negative figure stays a number.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from openpyxl.workbook.workbook import Workbook

from goals.rules.formatting import plain

# What a spreadsheet may take for the start of a formula in a CSV cell.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value) -> str:
    """A cell's value as the text a form field would get: numbers without float noise
    (0.1, not 0.1000000000000000055), dates as ISO, the rest stripped."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return plain(Decimal(repr(value)))
    if isinstance(value, int | Decimal):
        return plain(Decimal(value))
    return str(value).strip()


def is_formula(cell) -> bool:
    """A cell that holds a formula (what a spreadsheet computes), not text that looks like one."""
    return getattr(cell, "data_type", None) == "f"


def workbook_bytes(workbook: Workbook) -> bytes:
    """The workbook as .xlsx bytes, every cell the app wrote as text written as text.

    openpyxl marks a value starting with "=" as a formula when it is set; the app never
    writes formulas, so each such cell is turned back into a string (an inline string in
    the file, which Excel shows as the text it is and never computes).
    """
    for sheet in workbook.worksheets:
        for cell in sheet._cells.values():  # the cells the sheet holds (openpyxl's writer reads the same)
            if cell.data_type == "f":
                cell.data_type = "s"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_text(text: str) -> str:
    """A text cell for a CSV file: one a spreadsheet would take for a formula gets a leading quote."""
    return "'" + text if text.startswith(FORMULA_LEADS) else text
