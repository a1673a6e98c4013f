"""Helpers for files people open in a spreadsheet (CSV and Excel exports)."""

from __future__ import annotations

# A cell starting with one of these is read as a formula by Excel and LibreOffice.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """Keep a spreadsheet from running a text cell as a formula (CSV/formula injection).

    Only for text a user typed (names, titles, free text); numbers are written
    as numbers and need no guard.
    """
    return "'" + value if value[:1] in FORMULA_STARTS else value
