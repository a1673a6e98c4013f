"""API for the indicator catalogue, targets and values, with the same rules as the web pages.

Another municipality's indicator is a 404; changing the catalogue and
computing are for results managers, targets and values for the unit's
leaders and managers (403 otherwise). A value based on fewer than five
persons comes back as ``null`` with ``"suppressed": true``. An import with a
bad row answers 422 with every row error and saves nothing.

No ``from __future__ import annotations``: ninja reads the annotations at runtime.
"""

import uuid
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from helhed import policy
from helhed.lib.middleware import NO_NUL_PATTERN
from helhed.lib.pagination import BoundedPages, ShapedRows
from helhed.lib.validity import today
from helhed.organisation.models import Staff, Unit
from helhed.results import status
from helhed.results.actions import catalogue as catalogue_actions
from helhed.results.actions import measurements as measurement_actions
from helhed.results.actions import targets as target_actions
from helhed.results.imports import MAX_BYTES
from helhed.results.models import Indicator, Measurement, Target
from helhed.results.periods import Period

router = Router(tags=["results: catalogue"])


class IndicatorOut(Schema):
    id: int
    code: str
    name: str
    definition: str
    population: str
    numerator: str
    denominator: str
    factor: int
    unit_label: str
    decimals: int
    direction: str
    kind: str
    source: str
    frequency: str
    computed_by: str
    counts_persons: bool
    amber_margin: Decimal | None
    national_value: Decimal | None
    national_note: str
    is_active: bool


class IndicatorIn(Schema):
    code: str = Field(..., min_length=1, max_length=60)
    name: str = Field(..., min_length=1, max_length=200, pattern=NO_NUL_PATTERN)
    definition: str = Field(..., min_length=1, max_length=5000, pattern=NO_NUL_PATTERN)
    population: str = Field("", max_length=300, pattern=NO_NUL_PATTERN)
    numerator: str = Field("", max_length=300, pattern=NO_NUL_PATTERN)
    denominator: str = Field("", max_length=300, pattern=NO_NUL_PATTERN)
    factor: int = 100
    unit_label: str = Field(..., min_length=1, max_length=40, pattern=NO_NUL_PATTERN)
    decimals: int = Field(1, ge=0, le=6)
    direction: str = "higher"
    kind: str = "population"
    source: str = Field(..., min_length=1, max_length=200, pattern=NO_NUL_PATTERN)
    frequency: str = "quarter"
    computed_by: str = Field("", max_length=60)
    counts_persons: bool = True
    amber_margin: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=3)
    national_value: Decimal | None = Field(None, max_digits=12, decimal_places=3)
    national_note: str = Field("", max_length=200, pattern=NO_NUL_PATTERN)
    is_active: bool = True


class TargetOut(Schema):
    id: int
    indicator_id: int
    unit_id: int
    unit_key: uuid.UUID
    unit_name: str
    applies_from: str
    value: Decimal
    baseline_value: Decimal | None
    baseline_period: str
    note: str


class TargetSetOut(TargetOut):
    replaced: bool
    previous_value: Decimal | None


class TargetIn(Schema):
    unit_id: int
    applies_from: str = Field(..., min_length=1, max_length=10)
    value: Decimal = Field(..., max_digits=12, decimal_places=3)
    baseline_value: Decimal | None = Field(None, max_digits=12, decimal_places=3)
    baseline_period: str = Field("", max_length=10)
    note: str = Field("", max_length=300, pattern=NO_NUL_PATTERN)


class MeasurementOut(Schema):
    id: int
    indicator_id: int
    unit_id: int
    unit_key: uuid.UUID
    unit_name: str
    period: str
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    persons: int | None
    suppressed: bool
    source: str


class MeasurementIn(Schema):
    indicator_id: int
    unit_id: int
    period: str = Field(..., min_length=1, max_length=10)
    value: Decimal | None = Field(None, max_digits=14, decimal_places=3)
    numerator: Decimal | None = Field(None, max_digits=14, decimal_places=3)
    denominator: Decimal | None = Field(None, max_digits=14, decimal_places=3)
    persons: int | None = Field(None, ge=0, le=2_000_000_000)


class RecordedOut(Schema):
    measurement: MeasurementOut
    replaced: bool
    previous_value: Decimal | None


class ImportOut(Schema):
    rows: int
    created: int
    updated: int
    dry_run: bool


class ComputeOut(Schema):
    created: int
    updated: int
    periods: list[str]


# --------------------------------------------------------------------------- helpers


def _staff(request: HttpRequest) -> Staff:
    staff = policy.staff_for(request.user)
    if staff is None:
        raise PermissionDenied("Only staff of a municipality can use the results API.")
    return staff


def _manager(request: HttpRequest) -> Staff:
    staff = _staff(request)
    if not policy.can_manage_results(request.user, staff.municipality):
        raise PermissionDenied("Only results managers can do this.")
    return staff


def _changeable_unit(request: HttpRequest, unit_id: int) -> Unit:
    """A unit the caller may set targets and record values for: 404 unseen, 403 unchangeable."""
    unit = policy.get_unit_for_results(request.user, unit_id)
    if not policy.can_set_target(request.user, unit):
        raise PermissionDenied("Only the unit's leaders and results managers can do this.")
    return unit


def _measurement_out(measurement: Measurement) -> dict[str, Any]:
    hidden = status.is_suppressed(
        measurement.indicator, measurement.persons, hidden=measurement.suppressed
    )
    return {
        "id": measurement.pk,
        "indicator_id": measurement.indicator_id,
        "unit_id": measurement.unit_id,
        "unit_key": measurement.unit_key,
        "unit_name": measurement.unit.name,
        "period": measurement.period,
        "value": None if hidden else measurement.value,
        "numerator": None if hidden else measurement.numerator,
        "denominator": None if hidden else measurement.denominator,
        # The count itself is shown only when the value is.
        "persons": None if hidden else measurement.persons,
        "suppressed": hidden,
        "source": measurement.source,
    }


def _target_out(target: Target) -> dict[str, Any]:
    return {
        "id": target.pk,
        "indicator_id": target.indicator_id,
        "unit_id": target.unit_id,
        "unit_key": target.unit_key,
        "unit_name": target.unit.name,
        "applies_from": target.applies_from,
        "value": target.value,
        "baseline_value": target.baseline_value,
        "baseline_period": target.baseline_period,
        "note": target.note,
    }


def _period(text: str | None, name: str) -> Period | None:
    if not text:
        return None
    try:
        return Period.parse(text)
    except ValidationError as exc:
        raise ValidationError({name: exc.messages}) from exc


# --------------------------------------------------------------------------- indicators


@router.get("/indicators", response=list[IndicatorOut])
@paginate(BoundedPages, page_size=50)
def list_indicators(request: HttpRequest, q: str = "") -> QuerySet[Indicator]:
    """The caller's municipality's catalogue; ``q`` searches name, code and definition."""
    indicators = policy.visible_indicators(request.user)
    text = q.strip()[:100]
    if text:
        indicators = indicators.filter(
            Q(name__icontains=text) | Q(code__icontains=text) | Q(definition__icontains=text)
        )
    return indicators.order_by("name", "pk")


@router.get("/indicators/{indicator_id}", response=IndicatorOut)
def get_indicator(request: HttpRequest, indicator_id: int) -> Indicator:
    return policy.get_indicator_for_user(request.user, indicator_id)


@router.post("/indicators", response={201: IndicatorOut})
def create_indicator(request: HttpRequest, payload: IndicatorIn) -> tuple[int, Indicator]:
    """Add an indicator to the catalogue (results managers)."""
    staff = _manager(request)
    indicator = catalogue_actions.do_create_indicator(
        actor=staff, municipality=staff.municipality, **payload.dict()
    )
    return 201, indicator


@router.post("/indicators/{indicator_id}/compute", response=ComputeOut)
def compute_indicator(request: HttpRequest, indicator_id: int) -> dict[str, Any]:
    """Compute a computed indicator's last 8 complete periods for every active unit (managers)."""
    indicator = policy.get_indicator_for_user(request.user, indicator_id)
    staff = _manager(request)
    if not indicator.computed_by:
        raise HttpError(422, "This indicator is not computed; its values are entered.")
    periods = measurement_actions.default_periods(indicator)
    units = list(Unit.objects.filter(municipality=staff.municipality).valid_on(today()))
    stored = measurement_actions.do_compute(indicator, units, periods, actor=staff)
    return {
        "created": stored.created,
        "updated": stored.updated,
        "periods": [period.code for period in periods],
    }


# --------------------------------------------------------------------------- targets


@router.get("/indicators/{indicator_id}/targets", response=list[TargetOut])
def list_targets(request: HttpRequest, indicator_id: int) -> list[dict[str, Any]]:
    """The indicator's targets for the units whose results the caller sees."""
    indicator = policy.get_indicator_for_user(request.user, indicator_id)
    targets = (
        Target.objects.filter(
            indicator=indicator, unit_key__in=policy.results_units(request.user).values("key")
        )
        .select_related("unit")
        .order_by("unit__path", "applies_from_start")
    )
    return [_target_out(target) for target in targets]


@router.post("/indicators/{indicator_id}/targets", response={201: TargetSetOut, 200: TargetSetOut})
def set_target(
    request: HttpRequest, indicator_id: int, payload: TargetIn
) -> tuple[int, dict[str, Any]]:
    """Set a unit's target from a period; for a period that has one, it is replaced (200)."""
    indicator = policy.get_indicator_for_user(request.user, indicator_id)
    staff = _staff(request)
    unit = _changeable_unit(request, payload.unit_id)
    result = target_actions.do_set_target(
        actor=staff,
        indicator=indicator,
        unit=unit,
        applies_from=payload.applies_from,
        value=payload.value,
        baseline_value=payload.baseline_value,
        baseline_period=payload.baseline_period,
        note=payload.note,
    )
    target = result.target
    body = _target_out(target)
    body.update(replaced=result.replaced, previous_value=result.previous_value)
    return (200 if result.replaced else 201), body


@router.delete("/targets/{target_id}", response={204: None})
def delete_target(request: HttpRequest, target_id: int) -> tuple[int, None]:
    """Delete a target set by mistake (the unit's leaders and results managers)."""
    target = policy.get_target_for_user(request.user, target_id)
    staff = _staff(request)
    if not policy.can_set_target(request.user, target.unit):
        raise PermissionDenied("Only the unit's leaders and results managers can do this.")
    target_actions.do_delete_target(actor=staff, target=target)
    return 204, None


# --------------------------------------------------------------------------- values


@router.get("/indicators/{indicator_id}/measurements", response=list[MeasurementOut])
@paginate(BoundedPages, page_size=100)
def list_measurements(
    request: HttpRequest,
    indicator_id: int,
    unit: int | None = None,
    since: str | None = None,
    until: str | None = None,
) -> Any:
    """Values for the units the caller sees, newest first; ``unit`` is a unit id."""
    indicator = policy.get_indicator_for_user(request.user, indicator_id)
    rows = Measurement.objects.filter(
        indicator=indicator, unit_key__in=policy.results_units(request.user).values("key")
    )
    if unit is not None:
        rows = rows.filter(unit_key=policy.get_unit_for_results(request.user, unit).key)
    first, last = _period(since, "since"), _period(until, "until")
    if first is not None:
        rows = rows.filter(period_start__gte=first.start)
    if last is not None:
        rows = rows.filter(period_start__lte=last.end)
    rows = rows.select_related("unit", "indicator").order_by("-period_start", "unit__name", "pk")
    return ShapedRows(rows, _measurement_out)


@router.post("/measurements", response={201: RecordedOut, 200: RecordedOut})
def record_measurement(request: HttpRequest, payload: MeasurementIn) -> tuple[int, dict[str, Any]]:
    """Record a value by hand; for a period that has one, it is replaced (200)."""
    indicator = policy.get_indicator_for_user(request.user, payload.indicator_id)
    staff = _staff(request)
    unit = _changeable_unit(request, payload.unit_id)
    result = measurement_actions.do_record_measurement(
        actor=staff,
        indicator=indicator,
        unit=unit,
        period=payload.period,
        value=payload.value,
        numerator=payload.numerator,
        denominator=payload.denominator,
        persons=payload.persons,
    )
    body = {
        "measurement": _measurement_out(result.measurement),
        "replaced": result.replaced,
        "previous_value": result.previous_value,
    }
    return (200 if result.replaced else 201), body


@router.post("/measurements/import", response={200: ImportOut, 422: dict[str, Any]})
def import_measurements(
    request: HttpRequest,
    file: UploadedFile = File(...),  # noqa: B008 - ninja's way of declaring a file
    dry_run: bool = Form(False),
) -> tuple[int, Any]:
    """Import a CSV or .xlsx file; any bad row gives 422 with every row error, and saves nothing."""
    staff = _staff(request)
    if not policy.can_import_measurements(request.user):
        raise PermissionDenied("Only leaders and results managers import values.")
    if (file.size or 0) > MAX_BYTES:
        raise ValidationError(
            {"file": "The file is larger than 5 MB. Split it into smaller files."}
        )
    result = measurement_actions.do_import_measurements(
        actor=staff,
        municipality=staff.municipality,
        filename=file.name or "",
        content=file.read(),
        may_record=lambda unit: policy.can_record_measurement(request.user, unit),
        dry_run=dry_run,
    )
    if not result.ok:
        return 422, {
            "detail": "Nothing was imported: correct the rows and upload the file again.",
            "rows": [
                {"row": e.row, "column": e.column, "message": e.message, "value": e.value}
                for e in result.errors
            ],
        }
    return 200, {
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "dry_run": result.dry_run,
    }
