"""Measurements: values of an indicator for a unit and a period, by hand, from a file, or computed.

The rules a value must meet are kept in one function, ``check_measurement``,
which the form, the API, the CSV/Excel import and (for the parts that apply)
the computed sources all pass through:

* an indicator with a computed source takes no values by hand or from a file;
* the period is written as a code and must be of the indicator's frequency
  (a quarterly indicator takes "2025-Q3"), and must have started;
* the unit must belong to the indicator's municipality and have existed in
  the period (the registration valid in the period is the one stored, so a
  value follows the unit through a reorganisation by its ``key``);
* with a numerator and a denominator (> 0) the value is
  ``numerator / denominator * factor``; a value given beside them must agree
  with that up to the rounding it was written with;
* a percentage (factor 100) lies between 0 and 100.

Recording a value for an (indicator, unit, period) that already has one
replaces it: a corrected number is the normal case, and the unit's history
keeps one value per period (the database's ``results_measurement_one_per_unit_period``).
Every store is an upsert on that constraint in one statement, so two people
saving at once cannot produce an error page or a duplicate.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from helhed.lib.validity import overlap_q, today
from helhed.organisation.models import Municipality, Staff, Unit
from helhed.results import imports, sources
from helhed.results.models import Indicator, Measurement
from helhed.results.periods import Frequency, Period

STORED = Decimal("0.001")
# Measurement.value has 14 digits, 3 of them decimals.
LARGEST = Decimal("99999999999.999")
HUNDRED = Decimal(100)
# Measurement.persons is a 32-bit column on every database; the API's bound too.
MOST_PERSONS = 2_000_000_000

RegistrationFinder = Callable[[Unit, Period], "Unit | None"]


@dataclass(frozen=True)
class CleanMeasurement:
    """A value that has passed every rule, ready to be stored."""

    indicator: Indicator
    unit: Unit  # the registration valid in the period
    period: Period
    value: Decimal
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    persons: int | None = None

    @property
    def key(self) -> tuple[int, uuid.UUID, str]:
        return (self.indicator.pk, self.unit.key, self.period.code)


@dataclass
class Stored:
    """How many values a store created and replaced, and the replaced values."""

    created: int = 0
    updated: int = 0
    previous: dict[tuple[int, uuid.UUID, str], Decimal] = field(default_factory=dict)

    def add(self, other: Stored) -> None:
        self.created += other.created
        self.updated += other.updated
        self.previous.update(other.previous)


@dataclass(frozen=True)
class Recorded:
    """A value recorded by hand, and the value it replaced (``None`` when it is new)."""

    measurement: Measurement
    previous_value: Decimal | None

    @property
    def replaced(self) -> bool:
        return self.previous_value is not None


# --------------------------------------------------------------------------- the rules


def example_period(frequency: str, on: dt.date | None = None) -> str:
    """A period code of this frequency to show in messages ("2025-Q3")."""
    return Period.last_complete(on or today(), frequency).code


def registration_in(unit: Unit, period: Period) -> Unit | None:
    """The registration of the unit (by its key) that was valid in the period.

    The one valid on the period's last day if there is one (the organisation as
    the period ended), else the latest that overlapped the period.
    """
    registrations = list(
        Unit.objects.filter(key=unit.key, municipality_id=unit.municipality_id)
        .filter(overlap_q(period.start, period.end))
        .order_by("-valid_from")
    )
    return pick_registration(registrations, period)


def pick_registration(registrations: Iterable[Unit], period: Period) -> Unit | None:
    """Of registrations of one unit, the one to use for the period (see ``registration_in``)."""
    overlapping = [
        unit
        for unit in registrations
        if unit.valid_from <= period.end
        and (unit.valid_to is None or unit.valid_to >= period.start)
    ]
    for unit in overlapping:
        if unit.is_valid_on(period.end):
            return unit
    return max(overlapping, key=lambda unit: unit.valid_from, default=None)


def _half_last_place(value: Decimal) -> Decimal:
    """Half a unit in the last decimal the value was written with: its rounding."""
    exponent = value.as_tuple().exponent
    places = min(exponent, 0) if isinstance(exponent, int) else 0
    return max(Decimal(5).scaleb(places - 1), STORED / 2)


def _stored(value: Decimal) -> Decimal:
    return value.quantize(STORED, rounding=ROUND_HALF_UP)


def check_measurement(
    *,
    indicator: Indicator,
    unit: Unit,
    period: str | Period,
    value: Decimal | None = None,
    numerator: Decimal | None = None,
    denominator: Decimal | None = None,
    persons: int | None = None,
    on: dt.date | None = None,
    computed: bool = False,
    registration_for: RegistrationFinder = registration_in,
) -> CleanMeasurement:
    """Check a value against every rule; ``ValidationError`` naming the fields if it fails.

    ``computed`` is for the computed sources, which alone may store values of
    an indicator with ``computed_by``. ``registration_for`` finds the unit's
    registration in the period (the import passes one that reads from memory).
    """
    on = on or today()
    if indicator.computed_by and not computed:
        raise ValidationError(
            {
                "indicator": _(
                    "“%(indicator)s” is computed by Helhed (%(source)s); its values cannot "
                    "be entered by hand or imported."
                )
                % {"indicator": indicator.name, "source": indicator.computed_by}
            },
            code="computed",
        )
    errors: dict[str, list[ValidationError]] = {}

    def error(name: str, message: str, code: str) -> None:
        errors.setdefault(name, []).append(ValidationError(message, code=code))

    if unit.municipality_id != indicator.municipality_id:
        error("unit", _("The unit belongs to another municipality."), "other_municipality")
    the_period: Period | None = None
    try:
        the_period = period if isinstance(period, Period) else Period.parse(period)
    except ValidationError as exc:
        errors.setdefault("period", []).append(exc)
    registration: Unit | None = None
    if the_period is not None:
        if the_period.kind != indicator.frequency:
            error(
                "period",
                _("“%(indicator)s” is measured %(frequency)s: give a period like %(example)s.")
                % {
                    "indicator": indicator.name,
                    "frequency": str(Frequency(indicator.frequency).label).lower(),
                    "example": example_period(indicator.frequency, on),
                },
                "frequency",
            )
        elif the_period.start > on:
            error(
                "period",
                _("%(period)s has not started yet; a value can be recorded from its first day.")
                % {"period": the_period.label},
                "future",
            )
        if "unit" not in errors:
            registration = registration_for(unit, the_period)
            if registration is None:
                error(
                    "unit",
                    _("%(unit)s did not exist in %(period)s.")
                    % {"unit": unit.name, "period": the_period.label},
                    "not_in_period",
                )

    result = _check_numbers(indicator, value, numerator, denominator, persons, error)
    if errors or the_period is None or registration is None or result is None:
        raise ValidationError(errors)
    return CleanMeasurement(
        indicator=indicator,
        unit=registration,
        period=the_period,
        value=result,
        numerator=numerator,
        denominator=denominator,
        persons=persons,
    )


def _check_numbers(
    indicator: Indicator,
    value: Decimal | None,
    numerator: Decimal | None,
    denominator: Decimal | None,
    persons: int | None,
    error: Callable[[str, str, str], None],
) -> Decimal | None:
    """The value to store, from the value given or from numerator and denominator."""
    if persons is not None and persons < 0:
        error("persons", _("The number of persons cannot be negative."), "negative")
    elif persons is not None and persons > MOST_PERSONS:
        error("persons", _("The number of persons is too large."), "too_large")
    for name, number in (("numerator", numerator), ("denominator", denominator)):
        if number is not None and (not number.is_finite() or abs(number) > LARGEST):
            error(name, _("The number is too large."), "too_large")
            return None
    if value is not None and (not value.is_finite() or abs(value) > LARGEST):
        error("value", _("The value is too large."), "too_large")
        return None
    if (numerator is None) != (denominator is None):
        missing = "denominator" if denominator is None else "numerator"
        error(missing, _("Give both the numerator and the denominator, or neither."), "pair")
        return None
    if numerator is not None and denominator is not None:
        if numerator < 0:
            error("numerator", _("The numerator cannot be negative."), "negative")
            return None
        if denominator <= 0:
            error("denominator", _("The denominator must be more than 0."), "zero")
            return None
        computed = numerator / denominator * indicator.factor
        if value is not None and abs(value - computed) > _half_last_place(value):
            error(
                "value",
                _(
                    "The value %(value)s does not agree with numerator / denominator × "
                    "%(factor)s = %(computed)s. Leave the value empty to have it computed."
                )
                % {
                    "value": value,
                    "factor": indicator.factor,
                    "computed": _stored(computed).normalize(),
                },
                "disagrees",
            )
            return None
        value = computed
    if value is None:
        error("value", _("Give the value, or the numerator and the denominator."), "required")
        return None
    if indicator.factor == Indicator.Factor.PERCENT and not 0 <= value <= HUNDRED:
        error("value", _("A percentage must be between 0 and 100."), "percent_range")
        return None
    try:
        return _stored(value)
    except InvalidOperation:  # pragma: no cover - guarded by LARGEST above
        error("value", _("The value is too large."), "too_large")
        return None


# --------------------------------------------------------------------------- storing


def existing_values(rows: Sequence[CleanMeasurement]) -> dict[tuple[int, uuid.UUID, str], Decimal]:
    """The values already stored for the rows' (indicator, unit key, period)."""
    wanted = {row.key for row in rows}
    found: dict[tuple[int, uuid.UUID, str], Decimal] = {}
    indicator_ids = {row.indicator.pk for row in rows}
    unit_keys = {row.unit.key for row in rows}
    periods = {row.period.code for row in rows}
    # Chunked by unit key so the IN lists stay within every database's limits.
    keys = sorted(unit_keys, key=str)
    for start in range(0, len(keys), 500):
        for indicator_id, unit_key, period, value in Measurement.objects.filter(
            Q(indicator_id__in=indicator_ids)
            & Q(unit_key__in=keys[start : start + 500])
            & Q(period__in=periods)
        ).values_list("indicator_id", "unit_key", "period", "value"):
            if (indicator_id, unit_key, period) in wanted:
                found[(indicator_id, unit_key, period)] = value
    return found


UPSERT_FIELDS = [
    "unit",
    "period_start",
    "value",
    "numerator",
    "denominator",
    "persons",
    "source",
    "source_detail",
    "recorded_by",
    "recorded_at",
]


def store_measurements(
    rows: Sequence[CleanMeasurement],
    *,
    source: str,
    actor: Staff | None,
    source_detail: str = "",
) -> Stored:
    """Create or replace the rows' values: an upsert on (indicator, unit key, period).

    Call inside a transaction. The derived columns that ``Measurement.save``
    would fill (``unit_key``, ``period_start``) are set here, since a bulk
    upsert does not call ``save``.
    """
    unique = {row.key: row for row in rows}  # the last of duplicates wins
    previous = existing_values(list(unique.values()))
    now = timezone.now()
    objects = [
        Measurement(
            indicator=row.indicator,
            unit=row.unit,
            unit_key=row.unit.key,
            period=row.period.code,
            period_start=row.period.start,
            value=row.value,
            numerator=row.numerator,
            denominator=row.denominator,
            persons=row.persons,
            source=source,
            source_detail=source_detail[:200],
            recorded_by=actor,
            recorded_at=now,
        )
        for row in unique.values()
    ]
    Measurement.objects.bulk_create(
        objects,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["indicator", "unit_key", "period"],
        update_fields=UPSERT_FIELDS,
    )
    return Stored(created=len(unique) - len(previous), updated=len(previous), previous=previous)


@transaction.atomic
def do_record_measurement(
    *,
    actor: Staff,
    indicator: Indicator,
    unit: Unit,
    period: str | Period,
    value: Decimal | None = None,
    numerator: Decimal | None = None,
    denominator: Decimal | None = None,
    persons: int | None = None,
) -> Recorded:
    """Record a value by hand; recording again for the same period replaces the value."""
    row = check_measurement(
        indicator=indicator,
        unit=unit,
        period=period,
        value=value,
        numerator=numerator,
        denominator=denominator,
        persons=persons,
    )
    stored = store_measurements([row], source=Measurement.Source.MANUAL, actor=actor)
    measurement = Measurement.objects.select_related("unit", "recorded_by").get(
        indicator=indicator, unit_key=row.unit.key, period=row.period.code
    )
    return Recorded(measurement=measurement, previous_value=stored.previous.get(row.key))


# --------------------------------------------------------------------------- computing


def _computed_rows(
    indicator: Indicator, values: Iterable[sources.Computed]
) -> list[CleanMeasurement]:
    rows = []
    for computed in values:
        row = check_measurement(
            indicator=indicator,
            unit=computed.unit,
            period=computed.period,
            value=computed.value,
            numerator=computed.numerator,
            denominator=computed.denominator,
            persons=computed.persons,
            computed=True,
            registration_for=lambda unit, _period: unit,
        )
        rows.append(row)
    return rows


@transaction.atomic
def do_compute(
    indicator: Indicator,
    units: Sequence[Unit],
    periods: Sequence[Period],
    actor: Staff | None = None,
) -> Stored:
    """Compute the indicator's values with its registered source and store them.

    Idempotent: running it again replaces the values (source "computed") and
    creates no duplicates. A source is trusted to return aggregates of the
    right shape; its values still pass ``check_measurement`` (a percentage over
    100 is a bug in the source and stops the whole run, saving nothing).
    """
    source = sources.get_source(indicator.computed_by) if indicator.computed_by else None
    if source is None:
        raise ValidationError(
            {
                "computed_by": _("“%(indicator)s” has no registered computed source.")
                % {"indicator": indicator.name}
            },
            code="no_source",
        )
    rows = _computed_rows(indicator, source(indicator, units, periods))
    return store_measurements(
        rows,
        source=Measurement.Source.COMPUTED,
        actor=actor,
        source_detail=indicator.computed_by,
    )


def computed_indicators(municipality: Municipality, code: str | None = None) -> list[Indicator]:
    """The municipality's active indicators with a computed source (optionally one code)."""
    indicators = Indicator.objects.filter(municipality=municipality, is_active=True).exclude(
        computed_by=""
    )
    if code:
        indicators = indicators.filter(code=code)
    return list(indicators.order_by("code"))


def default_periods(
    indicator: Indicator, on: dt.date | None = None, count: int = 8
) -> list[Period]:
    """The last ``count`` complete periods of the indicator's frequency, oldest first."""
    return Period.last_complete(on or today(), indicator.frequency).back(count)


def periods_between(indicator: Indicator, since: Period, until: Period) -> list[Period]:
    """The indicator's periods from the one containing ``since``'s start to ``until``'s end."""
    first = Period.containing(since.start, indicator.frequency)
    last = Period.containing(until.end, indicator.frequency)
    latest_started = Period.containing(today(), indicator.frequency)
    last = min(last, latest_started)
    periods = []
    at = first
    while at <= last:
        periods.append(at)
        at = at.next()
    return periods


# --------------------------------------------------------------------------- importing


@dataclass(frozen=True)
class RowError:
    """What is wrong with one row of an imported file."""

    row: int
    column: str
    message: str
    value: str = ""


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# The columns a ValidationError's field names point at (the rest is the row as a whole).
_COLUMN_OF = {
    "indicator": "indicator",
    "unit": "unit",
    "period": "period",
    "value": "value",
    "numerator": "numerator",
    "denominator": "denominator",
    "persons": "persons",
}


def _row_errors(
    number: int, cells: dict[str, imports.Cell], exc: ValidationError
) -> list[RowError]:
    found = []
    fields = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    for name, messages in fields.items():
        column = _COLUMN_OF.get(name, "")
        for message in messages:
            found.append(RowError(number, column, message, imports.cell_text(cells.get(column))))
    return found


class _RowChecker:
    """Checks the rows of one file, with the look-ups loaded once."""

    def __init__(
        self, municipality: Municipality, may_record: Callable[[Unit], bool], on: dt.date
    ) -> None:
        self.catalogue = imports.Catalogue(municipality)
        self.units = imports.Units(municipality)
        self.may_record = may_record
        self.allowed: dict[int, bool] = {}
        self.on = on

    def registration_for(self, unit: Unit, period: Period) -> Unit | None:
        return pick_registration(self.units.by_key.get(unit.key, ()), period)

    def allows(self, unit: Unit) -> bool:
        if unit.pk not in self.allowed:
            self.allowed[unit.pk] = self.may_record(unit)
        return self.allowed[unit.pk]

    def check(
        self, number: int, cells: dict[str, imports.Cell]
    ) -> tuple[CleanMeasurement | None, list[RowError]]:
        errors: list[RowError] = []

        def fail(column: str, message: str) -> None:
            errors.append(RowError(number, column, message, imports.cell_text(cells.get(column))))

        indicator = unit = period = None
        numbers: dict[str, Decimal | None] = {}
        persons = None
        try:
            indicator = self.catalogue.find(cells.get("indicator"))
        except ValueError as exc:
            fail("indicator", str(exc))
        try:
            period = imports.parse_period(cells.get("period"))
        except ValidationError as exc:
            fail("period", " ".join(exc.messages))
        try:
            unit = self.units.find(cells.get("unit"), period)
        except ValueError as exc:
            fail("unit", str(exc))
        for name in ("value", "numerator", "denominator"):
            try:
                numbers[name] = imports.parse_decimal(cells.get(name))
            except ValueError as exc:
                fail(name, str(exc))
        try:
            persons = imports.parse_persons(cells.get("persons"))
        except ValueError as exc:
            fail("persons", str(exc))
        if unit is not None and not self.allows(unit):
            fail("unit", _("You may not record values for %(unit)s.") % {"unit": unit.name})
        if errors or indicator is None or unit is None or period is None:
            return None, errors
        try:
            row = check_measurement(
                indicator=indicator,
                unit=unit,
                period=period,
                value=numbers.get("value"),
                numerator=numbers.get("numerator"),
                denominator=numbers.get("denominator"),
                persons=persons,
                on=self.on,
                registration_for=self.registration_for,
            )
        except ValidationError as exc:
            return None, _row_errors(number, cells, exc)
        return row, []


def check_rows(
    table: imports.Table,
    *,
    municipality: Municipality,
    may_record: Callable[[Unit], bool],
    on: dt.date | None = None,
) -> tuple[list[CleanMeasurement], list[RowError]]:
    """Every row of the table through ``check_measurement``; the clean rows and the errors."""
    checker = _RowChecker(municipality, may_record, on or today())
    seen: dict[tuple[int, uuid.UUID, str], int] = {}
    clean: list[CleanMeasurement] = []
    errors: list[RowError] = []
    for number, cells in table.rows:
        row, row_errors = checker.check(number, cells)
        errors.extend(row_errors)
        if row is None:
            continue
        if row.key in seen:
            errors.append(
                RowError(
                    number,
                    "",
                    _("Row %(row)s already gives a value for this indicator, unit and period.")
                    % {"row": seen[row.key]},
                )
            )
            continue
        seen[row.key] = number
        clean.append(row)
    return clean, errors


def do_import_measurements(
    *,
    actor: Staff | None,
    municipality: Municipality,
    filename: str,
    content: bytes,
    may_record: Callable[[Unit], bool],
    dry_run: bool = False,
) -> ImportResult:
    """Import a CSV or Excel file of values: all rows or none.

    Every row is checked first; if any fails, the errors are returned (row,
    column, message, the value given) and nothing is saved. Otherwise every
    row is saved in one transaction (replacing values already there), unless
    ``dry_run``. A file that cannot be read raises ``ValidationError`` on
    ``file``.
    """
    table = imports.read_table(filename, content)
    clean, errors = check_rows(table, municipality=municipality, may_record=may_record)
    result = ImportResult(rows=len(table.rows), dry_run=dry_run, errors=errors)
    if errors:
        return result
    if dry_run:
        existing = existing_values(clean)
        result.updated = len(existing)
        result.created = len(clean) - len(existing)
        return result
    with transaction.atomic():
        stored = store_measurements(
            clean,
            source=Measurement.Source.IMPORT,
            actor=actor,
            source_detail=(filename or "")[-200:],
        )
    result.created, result.updated = stored.created, stored.updated
    return result
