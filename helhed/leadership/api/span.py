"""API of the leadership app: management span. Same rules as the web pages (helhed.policy).

``GET /spans?unit=``: today's spans in the unit's subtree with the summary
and each leader's staff sickness absence and well-being (``null`` with
``suppressed: true`` when based on fewer than five persons); ``GET
/spans/history``; ``GET /spans/scenario?target=``; ``GET /spans/target``
(the target history) and ``POST /spans/target`` (the director only: 403 for
others who see spans, 404 for those who see none). A unit the caller may not
see is a 404; a target outside 2-500 a 422.

No ``from __future__ import annotations``: ninja reads the annotations at runtime.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from helhed import policy
from helhed.leadership.actions import span as actions
from helhed.leadership.models import SpanTarget
from helhed.lib.middleware import NO_NUL_PATTERN
from helhed.lib.pagination import BoundedPages
from helhed.lib.validity import today
from helhed.organisation.models import Unit
from helhed.organisation.span import management_spans
from helhed.results.status import IndicatorStatus

router = Router(tags=["leadership: span"])

MAX_ID = 2**63 - 1


class SpanUnitOut(Schema):
    id: int
    name: str


class SummaryOut(Schema):
    on: dt.date
    label: str
    leaders: int
    reports: int = Field(..., description="Reporting lines to the subtree's leaders.")
    mean: Decimal | None
    largest: int | None
    target: int | None = Field(None, description="The target span in force that day.")
    above_target: int | None = Field(None, description="Null when no target was in force.")


class AreaValueOut(Schema):
    indicator_code: str
    period: str | None = Field(None, description="The period of the value shown.")
    value: Decimal | None = Field(None, description="Null when missing or based on fewer than 5.")
    suppressed: bool


class LeaderSpanOut(Schema):
    leader_id: int
    leader: str
    unit_id: int
    unit: str
    direct_reports: int
    over_target: bool
    sickness: AreaValueOut | None
    wellbeing: AreaValueOut | None


class SpansOut(Schema):
    unit: SpanUnitOut
    summary: SummaryOut
    leaders: list[LeaderSpanOut]


class HistoryOut(Schema):
    unit: SpanUnitOut
    days: list[SummaryOut]


class ScenarioOut(Schema):
    unit: SpanUnitOut
    target: int
    leaders_today: int
    reports: int
    needed_by_leader: int
    difference_by_leader: int
    needed_overall: int
    difference_overall: int
    note: str


class SpanTargetOut(Schema):
    id: int
    max_direct_reports: int
    applies_from: dt.date
    note: str
    set_by_id: int


class SpanTargetIn(Schema):
    max_direct_reports: int = Field(..., ge=actions.MIN_TARGET, le=actions.MAX_TARGET)
    applies_from: dt.date
    note: str = Field("", max_length=actions.MAX_NOTE, pattern=NO_NUL_PATTERN)


def _unit(request: HttpRequest, unit: int | None) -> Unit:
    if unit is not None and not 1 <= unit <= MAX_ID:
        raise HttpError(404, "No such unit")
    return policy.get_span_unit_for_user(request.user, unit)


def _unit_out(unit: Unit) -> dict[str, object]:
    return {"id": unit.pk, "name": unit.name}


def _area(status: IndicatorStatus | None) -> dict[str, object] | None:
    if status is None:
        return None
    return {
        "indicator_code": status.indicator.code,
        "period": status.value_period.code if status.value_period else None,
        "value": None if status.suppressed else status.value,
        "suppressed": status.suppressed,
    }


def _target_now(request: HttpRequest) -> SpanTarget | None:
    return actions.target_in_force(list(policy.visible_span_targets(request.user)), today())


@router.get("", response=SpansOut)
def spans_today(request: HttpRequest, unit: int | None = None) -> dict[str, object]:
    """Today's spans of the leaders in the unit's subtree (default: the top unit you see)."""
    found = _unit(request, unit)
    on = today()
    target = _target_now(request)
    spans = management_spans(found, on)
    rows = actions.leader_rows(spans, target, on)
    return {
        "unit": _unit_out(found),
        "summary": actions.summarise(spans, on, target, on.isoformat()),
        "leaders": [
            {
                "leader_id": row.span.leader.pk,
                "leader": row.span.leader.full_name,
                "unit_id": row.span.unit.pk,
                "unit": row.span.unit.name,
                "direct_reports": row.span.direct_reports,
                "over_target": row.over_target,
                "sickness": _area(row.sickness),
                "wellbeing": _area(row.wellbeing),
            }
            for row in rows
        ],
    }


@router.get("/history", response=HistoryOut)
def span_history(request: HttpRequest, unit: int | None = None) -> dict[str, object]:
    """The subtree's spans at each of the last 8 quarter ends and today, oldest first."""
    found = _unit(request, unit)
    return {"unit": _unit_out(found), "days": actions.span_history(found, today())}


@router.get("/scenario", response=ScenarioOut)
def span_scenario(
    request: HttpRequest, target: int | None = None, unit: int | None = None
) -> dict[str, object]:
    """Leader posts a target span would need (default: the target in force)."""
    found = _unit(request, unit)
    if target is None:
        in_force = _target_now(request)
        if in_force is None:
            raise HttpError(422, "No target span is in force: give ?target=.")
        target = in_force.max_direct_reports
    result = actions.scenario(management_spans(found, today()), target)
    return {
        "unit": _unit_out(found),
        "target": result.target,
        "leaders_today": result.leaders_today,
        "reports": result.reports,
        "needed_by_leader": result.needed_by_leader,
        "difference_by_leader": result.difference_by_leader,
        "needed_overall": result.needed_overall,
        "difference_overall": result.difference_overall,
        "note": _(
            "Keeps today's units and reporting lines; new leaders' own reporting is not counted."
        ),
    }


@router.get("/target", response=list[SpanTargetOut])
@paginate(BoundedPages, page_size=50)
def list_targets(request: HttpRequest) -> QuerySet[SpanTarget]:
    """The municipality's target spans, latest first (empty for those who see no spans)."""
    return policy.visible_span_targets(request.user).order_by("-applies_from", "-pk")


@router.post("/target", response={201: SpanTargetOut})
def set_target(request: HttpRequest, payload: SpanTargetIn) -> tuple[int, SpanTarget]:
    """Set the municipality's target span from a day (today or later): the director only."""
    policy.get_span_unit_for_user(request.user)  # 404 for whoever sees no spans
    if not policy.can_set_span_target(request.user):
        raise PermissionDenied("Only the municipal director sets the target span.")
    staff = policy.staff_for(request.user)
    if staff is None:
        raise HttpError(404, "No staff record")
    target = actions.do_set_span_target(
        actor=staff,
        municipality=staff.municipality,
        max_direct_reports=payload.max_direct_reports,
        applies_from=payload.applies_from,
        note=payload.note,
    )
    return 201, target
