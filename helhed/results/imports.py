"""Reading measurements from a CSV file or an Excel workbook, row by row.

The format (shown on the import page, with a sample file):

* the first row names the columns, in any order and case; Danish names work
  too: ``indicator`` (the indicator's code; *indikator*, *kode*), ``unit``
  (the unit's id, its key (UUID), its external id or its exact name, as of the
  period; *enhed*), ``period`` ("2025-Q3"; *periode*), ``value`` (*værdi*),
  and optionally ``numerator`` (*tæller*), ``denominator`` (*nævner*) and
  ``persons`` (*personer*). A row gives the value, or the numerator and the
  denominator, or all three;
* CSV: separated by semicolons (as Danish Excel saves it) or commas, in
  UTF-8 with or without a byte-order mark, or else Windows-1252;
* numbers are written "12.5" or "12,5"; thousands separators are not
  guessed at ("1.234,5" is an error, not 1234.5);
* Excel: the first sheet of an .xlsx workbook;
* at most 5 MB and 50,000 rows.

This module only reads: it turns a file into rows of typed cells and finds
the indicator and the unit a row names. The rules a value must meet are
``actions.measurements.check_measurement``, applied to every row by
``do_import_measurements`` before anything is saved.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import uuid
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from helhed.organisation.models import Municipality, Unit
from helhed.results.models import Indicator
from helhed.results.periods import Period

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000

# Canonical column name -> the names accepted for it (compared lower-cased,
# with spaces and hyphens as underscores).
COLUMNS: dict[str, tuple[str, ...]] = {
    "indicator": ("indicator", "indikator", "indicator_code", "indikatorkode", "code", "kode"),
    "unit": ("unit", "enhed", "unit_id", "enhed_id", "enhedsid"),
    "period": ("period", "periode"),
    "value": ("value", "værdi", "vaerdi"),
    "numerator": ("numerator", "tæller", "taeller"),
    "denominator": ("denominator", "nævner", "naevner"),
    "persons": ("persons", "personer", "antal_personer"),
}
ALIASES = {alias: name for name, aliases in COLUMNS.items() for alias in aliases}
REQUIRED = ("indicator", "unit", "period")

_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_WHOLE = re.compile(r"^\+?\d+$")

Cell = Any  # str from CSV; str, int, float, datetime or None from Excel


@dataclass(frozen=True)
class Table:
    """The rows of a file: each with its row number as a spreadsheet shows it."""

    columns: tuple[str, ...]  # canonical names present
    rows: tuple[tuple[int, dict[str, Cell]], ...]


def file_error(message: str, code: str) -> ValidationError:
    return ValidationError({"file": message}, code=code)


# --------------------------------------------------------------------------- files


def read_table(filename: str, content: bytes) -> Table:
    """The rows of a CSV or .xlsx file; ``ValidationError`` on ``file`` if it cannot be read."""
    name = (filename or "").lower()
    if len(content) > MAX_BYTES:
        raise file_error(
            _("The file is larger than 5 MB. Split it into smaller files."), "too_large"
        )
    if not content.strip():
        raise file_error(_("The file is empty."), "empty")
    if name.endswith(".xls"):
        raise file_error(
            _("Old Excel files (.xls) cannot be read. Save the workbook as .xlsx or CSV."),
            "xls",
        )
    if name.endswith(".xlsx"):
        lines = _xlsx_lines(content)
    elif name.endswith((".csv", ".txt")):
        lines = _csv_lines(content)
    else:
        raise file_error(_("Upload a CSV file (.csv) or an Excel workbook (.xlsx)."), "file_type")
    return _table(lines)


def _decode(content: bytes) -> str:
    if b"\x00" in content:
        raise file_error(
            _("The file is not text. Upload a CSV file (.csv) or an Excel workbook (.xlsx)."),
            "binary",
        )
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise file_error(
            _('The file is neither UTF-8 nor Windows text. Save it as "CSV UTF-8" and try again.'),
            "encoding",
        ) from exc


def _csv_lines(content: bytes) -> Iterator[tuple[int, list[Cell]]]:
    text = _decode(content)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for cells in reader:
            yield reader.line_num, list(cells)
    except csv.Error as exc:
        raise file_error(
            _("Row %(row)s of the file cannot be read as CSV: %(error)s")
            % {"row": reader.line_num, "error": exc},
            "csv",
        ) from exc


def _xlsx_lines(content: bytes) -> Iterator[tuple[int, list[Cell]]]:
    # Imported here: openpyxl is only needed for workbooks, and is slow to import.
    from openpyxl import load_workbook  # type: ignore[import-untyped]
    from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped]

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise file_error(
            _("The file is not an Excel workbook (.xlsx) that can be read."), "xlsx"
        ) from exc
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            return
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(cells)
    finally:
        workbook.close()


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _header_name(cell: Cell) -> str:
    text = "" if cell is None else str(cell)
    return re.sub(r"[\s\-]+", "_", text.strip().lstrip("\ufeff").lower())


def _columns(header: list[Cell]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = ALIASES.get(_header_name(cell))
        if name is None:
            continue
        if name in found:
            raise file_error(
                _("Two columns both mean “%(name)s”: keep one of them.") % {"name": name},
                "duplicate_column",
            )
        found[name] = index
    missing = [name for name in REQUIRED if name not in found]
    if "value" not in found and not {"numerator", "denominator"} <= found.keys():
        missing.append("value")
    if missing:
        given = ", ".join(str(cell).strip() for cell in header if not _blank(cell)) or "–"
        raise file_error(
            _(
                "The file lacks the column(s) %(missing)s. The first row must name the "
                "columns: indicator, unit, period, value (and optionally numerator, "
                "denominator, persons). Found: %(given)s."
            )
            % {"missing": ", ".join(missing), "given": given[:300]},
            "missing_columns",
        )
    return found


def _table(lines: Iterator[tuple[int, list[Cell]]]) -> Table:
    columns: dict[str, int] | None = None
    rows: list[tuple[int, dict[str, Cell]]] = []
    for number, cells in lines:
        if all(_blank(cell) for cell in cells):
            continue
        if columns is None:
            columns = _columns(cells)
            continue
        if len(rows) >= MAX_ROWS:
            raise file_error(
                _("The file has more than 50,000 rows. Split it into smaller files."),
                "too_many_rows",
            )
        rows.append(
            (
                number,
                {
                    name: cells[index] if index < len(cells) else None
                    for name, index in columns.items()
                },
            )
        )
    if columns is None:
        raise file_error(_("The file is empty."), "empty")
    if not rows:
        raise file_error(_("The file has column names but no rows of values."), "no_rows")
    return Table(columns=tuple(columns), rows=tuple(rows))


# --------------------------------------------------------------------------- cells


def cell_text(cell: Cell) -> str:
    """A cell as the user wrote it, for error messages."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()[:100]


def parse_decimal(cell: Cell) -> Decimal | None:
    """A number written "12.5" or "12,5" (or a number cell); ``ValueError`` with a message."""
    if _blank(cell):
        return None
    if isinstance(cell, bool):
        raise ValueError(_("Write a number."))
    if isinstance(cell, int):
        return Decimal(cell)
    if isinstance(cell, float):
        return Decimal(repr(cell))
    text = str(cell).strip().replace("\u00a0", "")
    if not _NUMBER.match(text):
        raise ValueError(
            _("Write a number like 12.5 or 12,5, without thousands separators or units.")
        )
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only numbers
        raise ValueError(_("Write a number.")) from exc


def parse_persons(cell: Cell) -> int | None:
    if _blank(cell):
        return None
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    text = str(cell).strip()
    if not _WHOLE.match(text):
        raise ValueError(_("The number of persons must be a whole number, 0 or more."))
    return int(text)


def parse_period(cell: Cell) -> Period:
    if isinstance(cell, dt.date | dt.datetime):
        raise ValidationError(
            _(
                "Excel has turned the period into a date. Format the column as text and "
                "write the period as 2025-09, 2025-Q3 or 2025."
            ),
            code="period_date",
        )
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return Period.parse("" if cell is None else str(cell))


# --------------------------------------------------------------------------- look-ups


class Catalogue:
    """The municipality's indicators by code (case does not matter)."""

    def __init__(self, municipality: Municipality) -> None:
        self.by_code = {
            indicator.code.lower(): indicator
            for indicator in Indicator.objects.filter(municipality=municipality)
        }

    def find(self, cell: Cell) -> Indicator:
        code = cell_text(cell).lower()
        if not code:
            raise ValueError(_("Give the indicator's code."))
        indicator = self.by_code.get(code)
        if indicator is None:
            raise ValueError(
                _("No indicator with the code “%(code)s” in the catalogue.") % {"code": code}
            )
        return indicator


class Units:
    """The municipality's unit registrations, loaded once, found by id, key, external id or name.

    A name or external id is looked up among the registrations valid in the
    row's period, and must name one unit (one key) there.
    """

    def __init__(self, municipality: Municipality) -> None:
        self.by_pk: dict[int, Unit] = {}
        self.by_key: dict[uuid.UUID, list[Unit]] = defaultdict(list)
        self.by_external: dict[str, list[Unit]] = defaultdict(list)
        self.by_name: dict[str, list[Unit]] = defaultdict(list)
        for unit in Unit.objects.filter(municipality=municipality).select_related("municipality"):
            self.by_pk[unit.pk] = unit
            self.by_key[unit.key].append(unit)
            if unit.external_id:
                self.by_external[unit.external_id].append(unit)
            self.by_name[unit.name].append(unit)

    def find(self, cell: Cell, period: Period | None) -> Unit:
        text = cell_text(cell)
        if not text:
            raise ValueError(_("Give the unit."))
        if text.isdigit() and int(text) in self.by_pk:
            return self.by_pk[int(text)]
        try:
            key = uuid.UUID(text)
        except ValueError:
            key = None
        if key is not None and key in self.by_key:
            return self.by_key[key][0]
        for table in (self.by_external, self.by_name):
            candidates = table.get(text)
            if not candidates:
                continue
            if period is not None:
                in_period = [
                    unit
                    for unit in candidates
                    if unit.valid_from <= period.end
                    and (unit.valid_to is None or unit.valid_to >= period.start)
                ]
                candidates = in_period or candidates
            if len({unit.key for unit in candidates}) > 1:
                raise ValueError(
                    _("“%(unit)s” names more than one unit. Give the unit's id or key instead.")
                    % {"unit": text}
                )
            return candidates[0]
        raise ValueError(
            _(
                "No unit “%(unit)s” in the municipality. Give the unit's id, key, external "
                "id or exact name."
            )
            % {"unit": text}
        )
