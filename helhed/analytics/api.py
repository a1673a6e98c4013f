"""The analytics API: published cells and benchmarks, suppressed like the pages.

Every endpoint is a GET and asks the same access rules as the benchmark
page (``policy.analytics_units`` and ``benchmarking.may_*``): a unit the caller may
not see is a 404, a comparison the caller may not see a 403. A hidden cell
comes back with ``value``, ``numerator``, ``denominator`` and ``persons``
null, ``"suppressed": true`` and its ``reason``; a combined value (the
comparable group, all municipalities) is computed from visible cells only
and says how many of its members it includes. An unknown indicator, group or
period is a 422.

No ``from __future__ import annotations``: ninja reads the annotations at runtime.
"""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from helhed import policy
from helhed.analytics import benchmarking
from helhed.analytics.benchmarking import IndicatorInfo, Row
from helhed.analytics.definitions import BY_CODE
from helhed.analytics.kinds import AGE_BANDS, SEXES
from helhed.analytics.models import Cell
from helhed.analytics.views.whatworks import may_compare, read_filters, run
from helhed.analytics.whatworks import Group
from helhed.lib.pagination import BoundedPages, ShapedRows
from helhed.organisation.models import Municipality
from helhed.results.periods import Period

router = Router(tags=["analytics"])

GROUPS = ("all", *(f"sex:{sex}" for sex in SEXES), *(f"age:{band}" for band, *_r in AGE_BANDS))

# The largest id the database holds: a larger one would fail there, not in validation.
MAX_ID = 2_147_483_647

Reason = Literal["primary", "complementary"]
RowKind = Literal["municipality", "comparable", "group", "national", "school"]


class AnalyticsCellOut(Schema):
    indicator: str
    unit_id: int
    unit_key: uuid.UUID
    unit_name: str
    period: str
    group: str
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    persons: int | None
    suppressed: bool
    reason: Reason | None
    reason_text: str | None


class AnalyticsIndicatorOut(Schema):
    code: str
    name: str
    unit_label: str
    decimals: int
    higher_is_better: bool


class AnalyticsRowOut(Schema):
    kind: RowKind
    label: str
    municipality_code: int | None
    unit_id: int | None
    is_self: bool
    value: Decimal | None
    persons: int | None
    rank: int | None
    has_data: bool
    suppressed: bool
    reason: Reason | None
    reason_text: str | None
    included: int | None
    members: int | None
    partial: bool


class AnalyticsBenchmarkOut(Schema):
    indicator: AnalyticsIndicatorOut
    period: str
    municipality_code: int
    municipality_name: str
    rank: int | None
    ranked: int
    compared: int
    rows: list[AnalyticsRowOut]
    group: AnalyticsRowOut
    national: AnalyticsRowOut


class AnalyticsSchoolsOut(Schema):
    indicator: AnalyticsIndicatorOut
    period: str
    municipality_code: int
    ranked: int
    rows: list[AnalyticsRowOut]


# --------------------------------------------------------------------------- helpers


def _municipality(request: HttpRequest) -> Municipality:
    """The caller's municipality, when they may see analytics at all (403 otherwise)."""
    staff = policy.staff_for(request.user)
    if staff is None or not policy.analytics_units(request.user).exists():
        raise PermissionDenied("Only staff who may see analytics can use the analytics API.")
    return staff.municipality


def _indicator(code: str) -> str:
    if code not in BY_CODE:
        raise ValidationError({"indicator": [f"No indicator “{code[:60]}” is computed."]})
    return code


def _period(text: str | None, name: str) -> Period | None:
    if not text:
        return None
    try:
        return Period.parse(text)
    except ValidationError as exc:
        raise ValidationError({name: exc.messages}) from exc


def _required_period(text: str) -> Period:
    period = _period(text, "period")
    if period is None:
        raise ValidationError({"period": ["Name a period, e.g. 2025 or 2025-Q3."]})
    return period


def _cell_out(cell: Cell) -> dict[str, Any]:
    shown = cell.is_visible()
    reason = cell.hidden_reason()
    return {
        "indicator": cell.indicator_code,
        "unit_id": cell.unit_id,
        "unit_key": cell.unit_key,
        "unit_name": cell.unit.name,
        "period": cell.period,
        "group": cell.group,
        "value": cell.value if shown else None,
        "numerator": cell.numerator if shown else None,
        "denominator": cell.denominator if shown else None,
        "persons": cell.persons if shown else None,
        "suppressed": bool(reason),
        "reason": reason or None,
        "reason_text": str(Cell.Suppression(reason).label) if reason else None,
    }


def _indicator_out(info: IndicatorInfo) -> dict[str, Any]:
    return {
        "code": info.code,
        "name": info.name,
        "unit_label": info.unit_label,
        "decimals": info.decimals,
        "higher_is_better": info.higher_is_better,
    }


def _row_out(row: Row) -> dict[str, Any]:
    aggregate = row.kind in benchmarking.AGGREGATES
    return {
        "kind": row.kind,
        "label": row.label,
        "municipality_code": row.municipality_code,
        "unit_id": row.unit_id,
        "is_self": row.is_self,
        "value": row.value,
        "persons": row.persons,
        "rank": row.rank,
        "has_data": row.has_data,
        "suppressed": row.hidden,
        "reason": row.suppression or None,
        "reason_text": row.suppression_label or None,
        "included": row.included if aggregate else None,
        "members": row.members if aggregate else None,
        "partial": row.partial,
    }


# --------------------------------------------------------------------------- endpoints


@router.get("/cells", response=list[AnalyticsCellOut])
@paginate(BoundedPages, page_size=100)
def list_cells(
    request: HttpRequest,
    unit_id: int | None = Query(None, ge=1, le=MAX_ID),
    indicator: str | None = None,
    group: str | None = None,
    period_from: str | None = None,
    period_to: str | None = None,
) -> Any:
    """Published cells of the units the caller sees; ``unit_id`` follows the unit's identity."""
    _municipality(request)
    if unit_id is not None:
        unit = policy.get_unit_for_analytics(request.user, unit_id)
        cells = Cell.objects.filter(unit_key=unit.key)
    else:
        cells = Cell.objects.filter(unit_key__in=policy.analytics_units(request.user).values("key"))
    if indicator:
        cells = cells.filter(indicator_code=_indicator(indicator))
    if group:
        if group not in GROUPS:
            raise ValidationError({"group": [f"Choose one of {', '.join(GROUPS)}."]})
        cells = cells.filter(group=group)
    first, last = _period(period_from, "period_from"), _period(period_to, "period_to")
    if first is not None:
        cells = cells.filter(period_start__gte=first.start)
    if last is not None:
        cells = cells.filter(period_start__lte=last.end)
    cells = cells.select_related("unit").order_by(
        "indicator_code", "unit__path", "group", "period_start", "pk"
    )
    return ShapedRows(cells, _cell_out)


@router.get("/benchmark", response=AnalyticsBenchmarkOut)
def get_benchmark(request: HttpRequest, indicator: str, period: str) -> dict[str, Any]:
    """The caller's municipality beside its comparables, the group and all in the data."""
    municipality = _municipality(request)
    if not policy.may_compare_municipality(request.user):
        raise PermissionDenied("The comparison is for leaders, analysts and politicians.")
    code, chosen = _indicator(indicator), _required_period(period)
    bench = benchmarking.compare(code, chosen.code, municipality)
    return {
        "indicator": _indicator_out(bench.indicator),
        "period": bench.period,
        "municipality_code": municipality.code,
        "municipality_name": municipality.name,
        "rank": bench.own.rank,
        "ranked": bench.ranked,
        "compared": len(bench.rows),
        "rows": [_row_out(row) for row in bench.rows],
        "group": _row_out(bench.group),
        "national": _row_out(bench.national),
    }


@router.get("/schools", response=AnalyticsSchoolsOut)
def get_schools(request: HttpRequest, indicator: str, period: str) -> dict[str, Any]:
    """The caller's municipality's schools ranked by the indicator (hidden ones without value)."""
    municipality = _municipality(request)
    if not policy.may_rank_schools(request.user, municipality):
        raise PermissionDenied("The schools ranking is for those who may see the school area.")
    code, chosen = _indicator(indicator), _required_period(period)
    ranking = benchmarking.schools(code, chosen.code, municipality)
    return {
        "indicator": _indicator_out(ranking.indicator),
        "period": ranking.period,
        "municipality_code": municipality.code,
        "ranked": ranking.ranked,
        "rows": [_row_out(row) for row in ranking.rows],
    }


# --------------------------------------------------------------------------- what works


class AnalyticsOutcomeOut(Schema):
    """Outcome ratings of the group's citizens with two; shares in percent, one decimal."""

    citizens: int
    mean_change: Decimal
    improved_share: Decimal
    better_off_share: Decimal
    deteriorated_share: Decimal


class AnalyticsGoalsOut(Schema):
    """The goals the group's efforts serve; ``citizens`` had efforts serving a goal."""

    citizens: int
    goals: int
    moved_share: Decimal
    achieved_share: Decimal


class AnalyticsEffortGroupOut(Schema):
    key: str
    label: str
    suppressed: bool
    reason_text: str | None
    citizens: int | None
    efforts: int | None
    ended: int | None
    outcome: AnalyticsOutcomeOut | None
    goals: AnalyticsGoalsOut | None


class AnalyticsWhatWorksOut(Schema):
    by: Literal["type", "supplier"]
    start: dt.date
    end: dt.date
    caveat: str
    min_persons: int
    groups: list[AnalyticsEffortGroupOut]


def _effort_group_out(group: Group, min_persons: int) -> dict[str, Any]:
    return {
        "key": group.key,
        "label": group.label,
        "suppressed": group.suppressed,
        "reason_text": f"Fewer than {min_persons} citizens." if group.suppressed else None,
        "citizens": group.citizens,
        "efforts": group.efforts,
        "ended": group.ended,
        "outcome": group.outcome,
        "goals": group.goals,
    }


@router.get("/what-works", response=AnalyticsWhatWorksOut)
def get_what_works(
    request: HttpRequest,
    by: Literal["type", "supplier"] = "type",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> dict[str, Any]:
    """Efforts compared by type or supplier, as the What works page shows them.

    The window defaults to the 12 months ending today (or ending on ``end``). A
    suppressed group has only its key and label. Read ``caveat`` before the figures.
    """
    efforts = policy.what_works_efforts(request.user)
    if not may_compare(efforts):
        raise PermissionDenied("What works is for leaders, analysts and politicians.")
    form = read_filters({"by": by, "start": start, "end": end})
    if not form.is_valid():
        raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
    comparison = run(efforts, form)
    return {
        "by": comparison.by,
        "start": comparison.start,
        "end": comparison.end,
        "caveat": str(comparison.caveat),
        "min_persons": comparison.min_persons,
        "groups": [_effort_group_out(g, comparison.min_persons) for g in comparison.groups],
    }
