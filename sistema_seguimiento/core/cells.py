"""Text that goes into spreadsheet cells (xlsx exports and CSV files): a cell that begins with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return can be run by Excel or LibreOffice as a formula («CSV injection»)."""
from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d[\d,]*(\.\d+)?")  # "-3", "-1,234.50": a number, never a formula


def is_risky(text) -> bool:
    """Text a spreadsheet could run as a formula (begins with = + - @, a tab or a carriage return)."""
    return isinstance(text, str) and text.startswith(FORMULA_START)


def csv_cell(value) -> str:
    """A CSV cell that a spreadsheet shows as text: risky text gets a leading apostrophe (the usual defence,
    as Excel's own «quote prefix»); plain numbers such as «-3.50» are left as they are."""
    text = "" if value is None else str(value)
    if is_risky(text) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text
