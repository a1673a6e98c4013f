"""Import the municipal organisation from a CSV file or from OS2mo.

Each source has a reader that turns it into the same rows (``rows.py``):
``csv_import`` reads two CSV files, ``os2mo`` fetches from OS2mo's GraphQL API
and maps its shapes. One apply step (``apply.py``) validates and writes the
rows for both, so the two imports agree on matching, reorganisations and
errors. The formats are documented in ``docs/import-formats.md``.
"""

from __future__ import annotations

from helhed.organisation.importers.apply import apply_rows
from helhed.organisation.importers.csv_import import import_csv, read_staff, read_units
from helhed.organisation.importers.rows import (
    Counts,
    ImportResult,
    Placement,
    RowError,
    StaffRow,
    UnitRow,
)

__all__ = [
    "Counts",
    "ImportResult",
    "Placement",
    "RowError",
    "StaffRow",
    "UnitRow",
    "apply_rows",
    "import_csv",
    "read_staff",
    "read_units",
]
