"""API for a unit's results: its markers, two levels up and two down, as on the web page.

The same ``levels.unit_results`` as the page, so the same rows and the same
numbers: 404 for a unit the caller may not see, units beneath it left out
when the caller may not see them, and a value based on fewer than five
persons given as ``null`` with ``suppressed: true``.

No ``from __future__ import annotations``: ninja reads the annotations at runtime.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema

from helhed import policy
from helhed.lib.validity import today
from helhed.organisation.models import Unit
from helhed.results.levels import default_period, unit_results
from helhed.results.periods import Period
from helhed.results.status import IndicatorStatus

router = Router(tags=["results: units"])


class ResultsUnitOut(Schema):
    id: int
    key: str
    name: str
    parent_id: int | None


class ResultsPointOut(Schema):
    period: str
    value: Decimal | None
    target: Decimal | None


class IndicatorStatusOut(Schema):
    indicator_id: int
    value: Decimal | None
    suppressed: bool
    target: Decimal | None
    target_inherited: bool
    rag: str
    trend: str
    current: bool
    series: list[ResultsPointOut]


class MarkerRef(Schema):
    id: int
    title: str
    ambition_id: int
    ambition_title: str
    owner_id: int


class MarkerStatusOut(Schema):
    marker: MarkerRef
    indicators: list[IndicatorStatusOut]


class LevelOut(Schema):
    unit: ResultsUnitOut
    statuses: list[IndicatorStatusOut]


class DownOut(LevelOut):
    depth: int


class UnitResultsOut(Schema):
    unit: ResultsUnitOut
    period: str
    up: list[LevelOut]
    markers: list[MarkerStatusOut]
    down: list[DownOut]


def _unit(unit: Unit) -> dict[str, object]:
    return {"id": unit.pk, "key": str(unit.key), "name": unit.name, "parent_id": unit.parent_id}


def _status(status: IndicatorStatus) -> dict[str, object]:
    return {
        "indicator_id": status.indicator.pk,
        "value": None if status.suppressed else status.value,
        "suppressed": status.suppressed,
        "target": status.target_value,
        "target_inherited": status.target_inherited,
        "rag": str(status.rag),
        "trend": str(status.trend),
        "current": status.current,
        "series": [
            {"period": point.period.code, "value": point.value, "target": point.target}
            for point in status.series
        ],
    }


@router.get("/units/{unit_id}", response=UnitResultsOut)
def get_unit_results(
    request: HttpRequest, unit_id: int, period: str | None = None
) -> dict[str, object]:
    """A unit's results for a period (default: the last complete quarter)."""
    unit = policy.get_unit_for_results(request.user, unit_id)
    if period:
        try:
            chosen = Period.parse(period[:20])
        except ValidationError as exc:
            raise ValidationError({"period": exc.messages}) from exc
    else:
        chosen = default_period(today())
    results = unit_results(request.user, unit, chosen)
    return {
        "unit": _unit(unit),
        "period": chosen.code,
        "up": [
            {"unit": _unit(row.unit), "statuses": [_status(s) for s in row.statuses]}
            for row in results.up
        ],
        "markers": [
            {
                "marker": {
                    "id": group.marker.pk,
                    "title": group.marker.title,
                    "ambition_id": group.marker.ambition_id,
                    "ambition_title": group.marker.ambition.title,
                    "owner_id": group.marker.owner_id,
                },
                "indicators": [_status(s) for s in group.statuses],
            }
            for group in results.markers
        ],
        "down": [
            {
                "unit": _unit(row.unit),
                "depth": row.depth,
                "statuses": [_status(s) for s in row.statuses],
            }
            for row in results.down
        ],
    }
