"""Read the organisation from two CSV files: units, and staff with their roles.

The format is documented for municipalities in ``docs/import-formats.md``. In
short: UTF-8 (Excel's "CSV UTF-8" works, BOM and all), comma or semicolon
separated, a header row naming the columns in any order, dates as
``YYYY-MM-DD`` (``DD-MM-YYYY`` is accepted too, as Danish Excel writes it).

The reader only turns text into rows and reports what it cannot read, with
the line number; everything else (unknown codes, parents, cycles, the model's
own rules) is checked by ``apply.py``, shared with the OS2mo importer.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TextIO, TypeVar

from django.utils.translation import gettext as _

from helhed.organisation.importers.apply import Progress, apply_rows
from helhed.organisation.importers.rows import (
    ImportResult,
    Placement,
    RowError,
    StaffRow,
    UnitRow,
)
from helhed.organisation.models import Municipality

UNIT_COLUMNS = ("id", "parent_id", "name", "unit_type", "sector", "valid_from", "valid_to")
UNIT_REQUIRED = ("id", "name", "unit_type", "valid_from")
STAFF_COLUMNS = (
    "id",
    "first_name",
    "last_name",
    "email",
    "unit_id",
    "role",
    "job_title",
    "valid_from",
    "valid_to",
)
STAFF_REQUIRED = ("id", "first_name", "last_name")
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")

Source = str | Path | TextIO
T = TypeVar("T")


@dataclass
class Parsed(Generic[T]):
    """The rows a file yielded, what could not be read, and every id seen.

    ``ids`` includes the ids of rejected rows, so the validator does not
    report their children as having an unknown parent as well.
    """

    rows: list[T] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)


class _RowProblems(Exception):
    """The cells of one row that could not be read."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def parse_date(text: str) -> dt.date:
    """A date as ``YYYY-MM-DD``, or ``DD-MM-YYYY`` / ``DD.MM.YYYY`` as Danish Excel writes it."""
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def _where(name: str, line: int) -> str:
    return _("%(file)s, line %(line)d") % {"file": name, "line": line}


def _unreadable(name: str, line: int, exc: csv.Error) -> RowError:
    """A line the csv module gives up on (a cell past its 128 KB limit): the file is refused."""
    return RowError(
        _where(name, line), _("The line cannot be read as CSV: %(error)s") % {"error": exc}, line
    )


def _read_text(source: Source) -> tuple[str, str]:
    """The file's text and the name to show in errors."""
    if isinstance(source, str | Path):
        path = Path(source)
        return path.read_bytes().decode("utf-8-sig"), path.name
    text = source.read()
    return text.removeprefix("\ufeff"), getattr(source, "name", "input")


def _records(
    source: Source, columns: Sequence[str], required: Sequence[str], parsed: Parsed[T]
) -> tuple[str, list[tuple[int, dict[str, str]]]]:
    """Read the header and the non-empty rows as dicts of stripped cells, with line numbers."""
    try:
        text, name = _read_text(source)
    except UnicodeDecodeError:
        name = Path(source).name if isinstance(source, str | Path) else "input"
        parsed.errors.append(
            RowError(
                name,
                _('The file is not UTF-8 text. Save it as "CSV UTF-8" and try again.'),
                None,
            )
        )
        return name, []
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        parsed.errors.append(_unreadable(name, reader.line_num, exc))
        return name, []
    if header is None:
        parsed.errors.append(RowError(name, _("The file is empty."), None))
        return name, []
    header = [cell.strip().lower() for cell in header]
    where = _where(name, 1)
    unknown = [column for column in header if column not in columns]
    missing = [column for column in required if column not in header]
    if unknown:
        parsed.errors.append(
            RowError(
                where,
                _("Unknown column(s): %(unknown)s. The columns are: %(columns)s.")
                % {"unknown": ", ".join(unknown), "columns": ", ".join(columns)},
                1,
            )
        )
    if missing:
        parsed.errors.append(
            RowError(
                where,
                _("Missing column(s): %(missing)s.") % {"missing": ", ".join(missing)},
                1,
            )
        )
    if unknown or missing:
        return name, []
    records = []
    try:
        rows = [(reader.line_num, cells) for cells in reader]
    except csv.Error as exc:
        parsed.errors.append(_unreadable(name, reader.line_num, exc))
        return name, []
    for line, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            parsed.errors.append(
                RowError(
                    _where(name, line),
                    _("Expected %(expected)d cells, found %(found)d.")
                    % {"expected": len(header), "found": len(cells)},
                    line,
                )
            )
            continue
        record = {column: cell.strip() for column, cell in zip(header, cells, strict=True)}
        records.append((line, record))
    return name, records


def _date(record: dict[str, str], column: str, problems: list[str]) -> dt.date | None:
    text = record.get(column, "")
    if not text:
        return None
    try:
        return parse_date(text)
    except ValueError:
        problems.append(
            _("%(column)s '%(value)s' is not a date; write it as YYYY-MM-DD.")
            % {"column": column, "value": text}
        )
        return None


def _required(record: dict[str, str], columns: Sequence[str], problems: list[str]) -> None:
    for column in columns:
        if not record.get(column):
            problems.append(_("%(column)s is empty.") % {"column": column})


def read_units(source: Source) -> Parsed[UnitRow]:
    """Parse a units file; see ``docs/import-formats.md`` for the columns."""
    parsed: Parsed[UnitRow] = Parsed()
    name, records = _records(source, UNIT_COLUMNS, UNIT_REQUIRED, parsed)
    for line, record in records:
        problems: list[str] = []
        _required(record, UNIT_REQUIRED, problems)
        valid_from = _date(record, "valid_from", problems)
        valid_to = _date(record, "valid_to", problems)
        if record["id"]:
            parsed.ids.add(record["id"])
        if problems or valid_from is None:
            parsed.errors.extend(RowError(_where(name, line), text, line) for text in problems)
            continue
        parsed.rows.append(
            UnitRow(
                where=_where(name, line),
                line=line,
                external_id=record["id"],
                name=record["name"],
                unit_type=record["unit_type"],
                sector=record.get("sector") or None,
                valid_from=valid_from,
                valid_to=valid_to,
                placements=(Placement(valid_from, record.get("parent_id") or None),),
            )
        )
    return parsed


def read_staff(source: Source) -> Parsed[StaffRow]:
    """Parse a staff file: one row per role, or per person without a role."""
    parsed: Parsed[StaffRow] = Parsed()
    name, records = _records(source, STAFF_COLUMNS, STAFF_REQUIRED, parsed)
    for line, record in records:
        problems: list[str] = []
        _required(record, STAFF_REQUIRED, problems)
        valid_from = _date(record, "valid_from", problems)
        valid_to = _date(record, "valid_to", problems)
        if problems:
            parsed.errors.extend(RowError(_where(name, line), text, line) for text in problems)
            continue
        parsed.rows.append(
            StaffRow(
                where=_where(name, line),
                line=line,
                external_id=record["id"],
                first_name=record["first_name"],
                last_name=record["last_name"],
                email=record.get("email", ""),
                unit_id=record.get("unit_id") or None,
                role=record.get("role") or None,
                job_title=record.get("job_title", ""),
                valid_from=valid_from,
                valid_to=valid_to,
            )
        )
    return parsed


def import_csv(
    municipality: Municipality,
    units: Source | None,
    staff: Source | None = None,
    *,
    on: dt.date | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a units file and/or a staff file into ``municipality``: all or nothing.

    Re-importing the same files changes nothing. A unit whose parent changed
    is reorganised from the row's valid_from if that is later than its
    current registration, else from ``on``.
    """
    unit_file: Parsed[UnitRow] = read_units(units) if units is not None else Parsed()
    staff_file: Parsed[StaffRow] = read_staff(staff) if staff is not None else Parsed()
    return apply_rows(
        municipality,
        unit_file.rows,
        staff_file.rows,
        on=on,
        dry_run=dry_run,
        progress=progress,
        errors=[*unit_file.errors, *staff_file.errors],
        known_ids=unit_file.ids,
    )
