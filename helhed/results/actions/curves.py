"""Turning the curve: starting a plan for an indicator off target, its six steps, its actions.

Who may call these is asked of ``helhed.policy`` by the views and the API
(``can_start_curve``, ``can_edit_curve``, ``can_update_curve_action``); the
rules about the plan itself (one active plan per indicator and unit, a
forecast in the indicator's own periods after its latest value, due dates
not in the past) are kept here, so the web and the API give the same answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from helhed.lib.validity import today
from helhed.organisation.models import RoleAssignment, Staff, Unit
from helhed.results.models import CurveAction, CurvePlan, Indicator, Measurement
from helhed.results.periods import Frequency, Period

#: The text steps a curve editor writes: 1 the end, 3 the story, 4 partners, 5 what works.
STEP_FIELDS = ("end_wanted", "story", "partners", "what_works")
MAX_STEP_LENGTH = 20_000
MAX_FORECAST_PERIODS = 12
# A forecast value beyond this is a typing slip, not a forecast (and keeps the JSON sane).
MAX_FORECAST_VALUE = Decimal("1e9")
PLACES = Decimal("0.001")


class DuplicateCurveError(ValidationError):
    """An active plan for the indicator and unit exists already; ``curve`` is that plan."""

    def __init__(self, curve: CurvePlan) -> None:
        super().__init__(
            _("There is already an active plan to turn this curve for %(unit)s.")
            % {"unit": curve.unit.name},
            code="exists",
        )
        self.curve = curve


def active_curve(indicator: Indicator, unit: Unit) -> CurvePlan | None:
    """The active plan for the indicator and the unit's identity (any registration of it)."""
    return (
        CurvePlan.objects.filter(indicator=indicator, unit_key=unit.key, is_active=True)
        .select_related("unit")
        .first()
    )


def _check_active(curve: CurvePlan) -> None:
    if not curve.is_active:
        raise ValidationError(_("The plan is closed and can no longer be changed."), code="closed")


@transaction.atomic
def do_start_curve(
    *, actor: Staff, indicator: Indicator, unit: Unit, end_wanted: str = ""
) -> CurvePlan:
    """Start turning the curve of an indicator for a unit, owned by the one who starts it."""
    if indicator.municipality_id != unit.municipality_id or not indicator.is_active:
        raise ValidationError(
            {"indicator": _("The indicator is not in this municipality's catalogue.")},
            code="other_municipality",
        )
    existing = active_curve(indicator, unit)
    if existing is not None:
        raise DuplicateCurveError(existing)
    curve = CurvePlan(
        indicator=indicator, unit=unit, owner=actor, end_wanted=end_wanted.strip()[:MAX_STEP_LENGTH]
    )
    try:
        with transaction.atomic():
            curve.save()
    except IntegrityError as exc:  # started by someone else a moment ago
        existing = active_curve(indicator, unit)
        if existing is None:  # pragma: no cover - the constraint is the only unique one
            raise
        raise DuplicateCurveError(existing) from exc
    return curve


@transaction.atomic
def do_update_curve_steps(
    *, actor: Staff, curve: CurvePlan, changes: Mapping[str, str]
) -> CurvePlan:
    """Save the text of steps 1, 3, 4 and 5 (any of them; the others are kept)."""
    _check_active(curve)
    unknown = set(changes) - set(STEP_FIELDS)
    if unknown:
        raise ValidationError(
            _("No such step: %(names)s.") % {"names": ", ".join(sorted(unknown))}, code="step"
        )
    errors: dict[str, str] = {}
    for name, text in changes.items():
        if len(text) > MAX_STEP_LENGTH:
            errors[name] = _("Keep it under %(count)s characters.") % {"count": MAX_STEP_LENGTH}
    if errors:
        raise ValidationError(errors, code="too_long")
    for name, text in changes.items():
        setattr(curve, name, text.strip())
    if changes:
        curve.save(update_fields=[*changes, "updated_at"])
    return curve


def latest_value_period(curve: CurvePlan) -> Period | None:
    """The indicator's period of the unit's latest value (shown or not), if there is one.

    A value stored for a period of another kind counts in the indicator's
    period that holds its end, so periods compare as the same kind.
    """
    code = (
        Measurement.objects.filter(indicator=curve.indicator, unit_key=curve.unit_key)
        .order_by("-period_start")
        .values_list("period", flat=True)
        .first()
    )
    if not code:
        return None
    return Period.containing(Period.parse(code).end, curve.indicator.frequency)


def _kind_example(kind: str, after: Period | None) -> str:
    year = after.year if after else timezone.localdate().year
    return Period(kind, year, 1).code if kind != Frequency.YEARLY else str(year)


def do_set_forecast(
    *, actor: Staff, curve: CurvePlan, rows: Sequence[tuple[str, str]]
) -> CurvePlan:
    """Set the forecast if nothing changes: values for periods after the latest value.

    ``rows`` are (period code, value) as typed; fully empty rows are left out.
    Errors name the row they are about (``period_0``, ``value_2``) or the whole
    forecast (``forecast``); nothing is saved unless every row is right.
    """
    _check_active(curve)
    indicator = curve.indicator
    kind = indicator.frequency
    latest = latest_value_period(curve)
    errors: dict[str, str] = {}
    forecast: dict[Period, Decimal] = {}
    given = [
        (i, code.strip(), value.strip())
        for i, (code, value) in enumerate(rows)
        if code.strip() or value.strip()
    ]
    if not given:
        raise ValidationError(
            {"forecast": _("Give a value for at least one period.")}, code="empty"
        )
    if len(given) > MAX_FORECAST_PERIODS:
        raise ValidationError(
            {
                "forecast": _("A forecast covers at most %(count)s periods.")
                % {"count": MAX_FORECAST_PERIODS}
            },
            code="too_many",
        )
    for i, code, raw in given:
        period: Period | None = None
        if not code:
            errors[f"period_{i}"] = _("Give the period.")
        else:
            try:
                period = Period.parse(code)
            except ValidationError as exc:
                errors[f"period_{i}"] = exc.messages[0]
            else:
                if period.kind != kind:
                    errors[f"period_{i}"] = _(
                        "“%(code)s” is not a period of this indicator, which is measured "
                        "%(frequency)s: write it like %(example)s."
                    ) % {
                        "code": period.code,
                        "frequency": str(Frequency(kind).label).lower(),
                        "example": _kind_example(kind, latest),
                    }
                    period = None
                elif latest is not None and period <= latest:
                    errors[f"period_{i}"] = _(
                        "A forecast is for periods after the latest value (%(latest)s)."
                    ) % {"latest": latest.label}
                    period = None
                elif period in forecast:
                    errors[f"period_{i}"] = _("%(period)s is given twice.") % {
                        "period": period.label
                    }
                    period = None
        value: Decimal | None = None
        if not raw:
            errors[f"value_{i}"] = _("Give a value.")
        else:
            try:
                value = Decimal(raw.replace(",", ".").replace("\u2212", "-"))
            except InvalidOperation:
                value = None
            if value is None or not value.is_finite() or abs(value) >= MAX_FORECAST_VALUE:
                errors[f"value_{i}"] = _("“%(value)s” is not a number.") % {"value": raw[:30]}
                value = None
        if period is not None and value is not None:
            forecast[period] = value.quantize(PLACES)
    if errors:
        raise ValidationError(errors, code="forecast")
    with transaction.atomic():
        curve.forecast = [
            {"period": period.code, "value": f"{value:.3f}"}
            for period, value in sorted(forecast.items())
        ]
        curve.forecast_set_by = actor
        curve.forecast_set_at = timezone.now()
        curve.save(update_fields=["forecast", "forecast_set_by", "forecast_set_at", "updated_at"])
    return curve


def stored_forecast(curve: CurvePlan) -> list[tuple[Period, Decimal]]:
    """The forecast as (period, value), skipping anything unreadable in the stored JSON."""
    out: list[tuple[Period, Decimal]] = []
    for row in curve.forecast or []:
        try:
            out.append((Period.parse(str(row["period"])), Decimal(str(row["value"]))))
        except (KeyError, TypeError, ValidationError, InvalidOperation):
            continue
    return out


def action_owner_candidates(municipality_id: int) -> QuerySet[Staff]:
    """Who can own a curve action: staff of the municipality with a role today."""
    working = RoleAssignment.objects.valid_on(today()).filter(unit__municipality_id=municipality_id)
    return Staff.objects.filter(
        municipality_id=municipality_id, pk__in=working.values("staff_id")
    ).order_by("first_name", "last_name", "pk")


def _check_due(due_on: dt.date) -> None:
    if due_on < today():
        raise ValidationError(
            {"due_on": _("The due date cannot be in the past. Choose today or a later date.")},
            code="due_in_past",
        )


@transaction.atomic
def do_add_curve_action(
    *, actor: Staff, curve: CurvePlan, description: str, owner: Staff, due_on: dt.date
) -> CurveAction:
    """Step 6: what we will do, who owns it (staff of the municipality), by when."""
    _check_active(curve)
    errors: dict[str, str] = {}
    description = description.strip()
    if not description:
        errors["description"] = _("Say what is to be done.")
    if not action_owner_candidates(curve.unit.municipality_id).filter(pk=owner.pk).exists():
        errors["owner"] = _("The owner must hold a role in the municipality today.")
    if errors:
        raise ValidationError(errors, code="action")
    _check_due(due_on)
    action = CurveAction(curve=curve, description=description, owner=owner, due_on=due_on)
    action.full_clean()
    action.save()
    return action


@transaction.atomic
def do_update_curve_action(*, actor: Staff, action: CurveAction, status: str) -> CurveAction:
    """Mark an open action done (today) or cancelled."""
    _check_active(action.curve)
    if status not in (CurveAction.Status.DONE, CurveAction.Status.CANCELLED):
        raise ValidationError({"status": _("Mark the action done or cancelled.")}, code="status")
    if action.status != CurveAction.Status.OPEN:
        raise ValidationError(
            _("The action is already %(status)s.")
            % {"status": str(action.get_status_display()).lower()},
            code="not_open",
        )
    action.status = status
    action.done_on = today() if status == CurveAction.Status.DONE else None
    action.save(update_fields=["status", "done_on"])
    return action


@transaction.atomic
def do_close_curve(*, actor: Staff, curve: CurvePlan) -> CurvePlan:
    """Close the plan; it stays readable, and a new one may be started for the indicator."""
    _check_active(curve)
    curve.is_active = False
    curve.save(update_fields=["is_active", "updated_at"])
    return curve


def is_overdue(action: CurveAction, on: dt.date | None = None) -> bool:
    return action.status == CurveAction.Status.OPEN and action.due_on < (on or today())
