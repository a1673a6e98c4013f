"""API for turning the curve and for freshness scores, with the same rules as the web pages.

A plan is listed and read by those who see its unit's results (404 otherwise);
it is changed by its owner and the unit's leaders (403 otherwise); an action
is also marked done or cancelled by its owner. Starting a second active plan
for the same indicator and unit answers 409 with the existing plan's id.

``freshness_router`` serves ``GET /freshness`` (the caller's own score).

No ``from __future__ import annotations``: ninja reads the annotations at runtime.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Q, QuerySet, Value, When
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from helhed import policy
from helhed.lib.middleware import NO_NUL_PATTERN
from helhed.lib.pagination import BoundedPages
from helhed.lib.validity import today
from helhed.organisation.models import Staff
from helhed.results.actions import curves as actions
from helhed.results.freshness import leader_freshness
from helhed.results.models import CurveAction, CurvePlan, Indicator
from helhed.results.periods import Frequency, Period

router = Router(tags=["results: turn the curve"])
freshness_router = Router(tags=["results: freshness"])

STEP_TEXT = Field(None, max_length=actions.MAX_STEP_LENGTH, pattern=NO_NUL_PATTERN)


class ForecastPoint(Schema):
    period: str = Field(..., max_length=20, pattern=NO_NUL_PATTERN, examples=["2026-Q1"])
    value: str | float = Field(..., description="A number; a decimal comma is accepted.")


class CurveActionOut(Schema):
    id: int
    curve_id: int
    description: str
    owner_id: int
    owner: str
    due_on: dt.date
    status: str
    done_on: dt.date | None
    overdue: bool

    @staticmethod
    def resolve_owner(action: CurveAction) -> str:
        return action.owner.full_name

    @staticmethod
    def resolve_overdue(action: CurveAction) -> bool:
        return actions.is_overdue(action)


class CurveOut(Schema):
    id: int
    indicator_id: int
    indicator: str
    unit_id: int
    unit: str
    owner_id: int
    owner: str
    is_active: bool
    forecast_set: bool
    updated_at: dt.datetime

    @staticmethod
    def resolve_indicator(curve: CurvePlan) -> str:
        return curve.indicator.name

    @staticmethod
    def resolve_unit(curve: CurvePlan) -> str:
        return curve.unit.name

    @staticmethod
    def resolve_owner(curve: CurvePlan) -> str:
        return curve.owner.full_name

    @staticmethod
    def resolve_forecast_set(curve: CurvePlan) -> bool:
        return bool(curve.forecast)


class CurveDetailOut(CurveOut):
    end_wanted: str
    story: str
    partners: str
    what_works: str
    forecast: list[ForecastPoint]
    forecast_set_by_id: int | None
    forecast_set_at: dt.datetime | None
    actions: list[CurveActionOut]

    @staticmethod
    def resolve_actions(curve: CurvePlan) -> list[CurveAction]:
        return list(curve.actions.select_related("owner").order_by("due_on", "pk"))


class CurveIn(Schema):
    indicator_id: int
    unit_id: int
    end_wanted: str = Field("", max_length=actions.MAX_STEP_LENGTH, pattern=NO_NUL_PATTERN)


class StepsIn(Schema):
    end_wanted: str | None = STEP_TEXT
    story: str | None = STEP_TEXT
    partners: str | None = STEP_TEXT
    what_works: str | None = STEP_TEXT


class ForecastIn(Schema):
    forecast: list[ForecastPoint] = Field(..., max_length=actions.MAX_FORECAST_PERIODS + 8)


class CurveActionIn(Schema):
    description: str = Field(..., min_length=1, max_length=300, pattern=NO_NUL_PATTERN)
    owner_id: int = Field(..., ge=1, le=2**63 - 1)
    due_on: dt.date = Field(..., description="Today or later.")


class CurveActionChangeIn(Schema):
    status: str = Field(..., description="`done` or `cancelled`.", pattern="^(done|cancelled)$")


class FreshnessOut(Schema):
    period: str
    current_share: float | None
    narrative_share: float | None
    forecast_share: float | None
    score: float | None
    rows: int
    current_rows: int
    markers: int
    narrated_markers: int
    off_target_rows: int
    forecast_rows: int


def _staff(request: HttpRequest) -> Staff:
    staff = policy.staff_for(request.user)
    if staff is None:
        raise HttpError(404, "No staff record")
    return staff


def _curve_to_edit(request: HttpRequest, curve_id: int) -> tuple[CurvePlan, Staff]:
    curve = policy.get_curve_for_user(request.user, curve_id)
    if not curve.is_active:
        raise PermissionDenied("The plan is closed and can no longer be changed.")
    if not policy.can_edit_curve(request.user, curve):
        raise PermissionDenied("Only the plan's owner and the unit's leaders can change it.")
    return curve, _staff(request)


# Paths without an id come first, so "actions" and "freshness" are never read as an id.


@router.get("/actions/mine", response=list[CurveActionOut])
@paginate(BoundedPages, page_size=50)
def my_curve_actions(request: HttpRequest) -> QuerySet[CurveAction]:
    """The curve actions the caller owns: open ones first, then by due date."""
    staff = _staff(request)
    return (
        CurveAction.objects.filter(owner=staff)
        .select_related("owner")
        .order_by(
            Case(When(status=CurveAction.Status.OPEN, then=Value(0)), default=Value(1)),
            "due_on",
            "pk",
        )
    )


@router.patch("/actions/{action_id}", response=CurveActionOut)
def update_curve_action(
    request: HttpRequest, action_id: int, payload: CurveActionChangeIn
) -> CurveAction:
    """Mark an open action done or cancelled: its owner, or those who edit the plan."""
    action = policy.get_curve_action_for_user(request.user, action_id)
    if not policy.can_update_curve_action(request.user, action):
        raise PermissionDenied("Only the action's owner and the plan's editors can change it.")
    return actions.do_update_curve_action(
        actor=_staff(request), action=action, status=payload.status
    )


def my_freshness(request: HttpRequest, period: str = "") -> dict[str, Any]:
    """The caller's freshness over the markers they own (leaders and analysts only).

    ``period`` defaults to the last complete quarter.
    """
    if not policy.can_view_freshness(request.user):
        raise PermissionDenied("Freshness scores are for leaders and analysts.")
    staff = _staff(request)
    at = (
        Period.parse(period[:20])
        if period.strip()
        else Period.last_complete(today(), Frequency.QUARTERLY)
    )
    result = leader_freshness(staff, at)
    return {
        "period": at.code,
        "current_share": result.current_share,
        "narrative_share": result.narrative_share,
        "forecast_share": result.forecast_share,
        "score": result.score,
        "rows": result.rows,
        "current_rows": result.current_rows,
        "markers": result.markers,
        "narrated_markers": result.narrated_markers,
        "off_target_rows": result.off_target_rows,
        "forecast_rows": result.forecast_rows,
    }


freshness_router.get("", response=FreshnessOut, operation_id="results_my_freshness")(my_freshness)


@router.get("", response=list[CurveOut])
@paginate(BoundedPages, page_size=50)
def list_curves(request: HttpRequest, state: str = "active", q: str = "") -> QuerySet[CurvePlan]:
    """Plans the caller may see, their own first; ``state`` is active, closed or all."""
    staff = _staff(request)
    curves = policy.visible_curves(request.user)
    if state == "active":
        curves = curves.filter(is_active=True)
    elif state == "closed":
        curves = curves.filter(is_active=False)
    elif state != "all":
        raise HttpError(422, "state is active, closed or all")
    for word in q[:100].split():
        curves = curves.filter(Q(indicator__name__icontains=word) | Q(unit__name__icontains=word))
    return (
        curves.select_related("indicator", "unit", "owner")
        .annotate(mine=Case(When(owner=staff, then=Value(0)), default=Value(1)))
        .order_by("mine", "-updated_at", "pk")
    )


@router.post("", response={201: CurveDetailOut})
def start_curve(request: HttpRequest, payload: CurveIn) -> tuple[int, CurvePlan]:
    """Start turning the curve of an indicator for a unit the caller leads."""
    staff = _staff(request)
    unit = policy.get_unit_for_results(request.user, payload.unit_id)
    if not policy.can_start_curve(request.user, unit):
        raise PermissionDenied("Only the unit's leaders can start turning a curve for it.")
    indicator = Indicator.objects.filter(
        pk=payload.indicator_id, municipality_id=unit.municipality_id, is_active=True
    ).first()
    if indicator is None:
        raise HttpError(404, "No such indicator")
    try:
        curve = actions.do_start_curve(
            actor=staff, indicator=indicator, unit=unit, end_wanted=payload.end_wanted
        )
    except actions.DuplicateCurveError as exc:
        raise HttpError(
            409, f"{exc.messages[0]} (plan {exc.curve.pk}: /api/results/curves/{exc.curve.pk})"
        ) from exc
    return 201, curve


@router.get("/{curve_id}", response=CurveDetailOut)
def get_curve(request: HttpRequest, curve_id: int) -> CurvePlan:
    """One plan with its six steps and its actions."""
    return policy.get_curve_for_user(request.user, curve_id)


@router.patch("/{curve_id}", response=CurveDetailOut)
def update_curve_steps(request: HttpRequest, curve_id: int, payload: StepsIn) -> CurvePlan:
    """Change the text of steps 1, 3, 4 and 5; fields left out are kept."""
    curve, staff = _curve_to_edit(request, curve_id)
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return actions.do_update_curve_steps(actor=staff, curve=curve, changes=changes)


@router.put("/{curve_id}/forecast", response=CurveDetailOut)
def set_forecast(request: HttpRequest, curve_id: int, payload: ForecastIn) -> CurvePlan:
    """Set the forecast if nothing changes: the indicator's periods after its latest value."""
    curve, staff = _curve_to_edit(request, curve_id)
    rows = [(point.period, str(point.value)) for point in payload.forecast]
    return actions.do_set_forecast(actor=staff, curve=curve, rows=rows)


@router.post("/{curve_id}/actions", response={201: CurveActionOut})
def add_curve_action(
    request: HttpRequest, curve_id: int, payload: CurveActionIn
) -> tuple[int, CurveAction]:
    """Add an action with an owner (staff of the municipality) and a due date."""
    curve, staff = _curve_to_edit(request, curve_id)
    owner = Staff.objects.filter(
        pk=payload.owner_id, municipality_id=curve.unit.municipality_id
    ).first()
    if owner is None:
        raise ValidationError({"owner": "No such staff member in the municipality."})
    action = actions.do_add_curve_action(
        actor=staff,
        curve=curve,
        description=payload.description,
        owner=owner,
        due_on=payload.due_on,
    )
    return 201, action


@router.post("/{curve_id}/close", response=CurveDetailOut)
def close_curve(request: HttpRequest, curve_id: int) -> CurvePlan:
    """Close the plan; it stays readable."""
    curve, staff = _curve_to_edit(request, curve_id)
    return actions.do_close_curve(actor=staff, curve=curve)
