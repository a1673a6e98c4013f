"""How fresh a report's or a leader's results are: current data, narratives, forecasts.

Three shares, each counted over what it applies to, and their mean:

* **Current data**: of the rows (marker, indicator, and unit the marker is
  measured for), the share whose latest value is current by the status rules
  (``IndicatorStatus.current``: at most one period behind).
* **Narratives**: of the markers, the share with a narrative in the report.
  For a leader, each marker's narrative is looked for in the latest report of
  its committee (up to the period); a marker whose committee has no report
  yet is not counted, since there was nothing to write in.
* **Forecasts**: of the red and amber rows, the share whose indicator and
  unit have an active turn-the-curve plan with a forecast set. Green and grey
  rows need no forecast.

A share is ``None`` when nothing applies (no rows, no markers, nothing off
target), and the score is the mean of the shares that are not ``None``: a
report with every row green is not marked down for having no forecasts.

The report's rows are computed live from the current data, also for an
approved report (whose page reads its snapshot): freshness is about the work
behind the report, not its frozen content.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from helhed.organisation.models import Staff, Unit
from helhed.results.models import (
    Ambition,
    CurvePlan,
    Indicator,
    Marker,
    ReportNarrative,
    StatusReport,
)
from helhed.results.periods import Period
from helhed.results.report_content import ReportContent, live_content
from helhed.results.status import IndicatorStatus, Rag, statuses


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Freshness:
    """The three shares (fractions 0-1, or None when nothing applies), their counts and mean."""

    rows: int = 0
    current_rows: int = 0
    markers: int = 0
    narrated_markers: int = 0
    off_target_rows: int = 0
    forecast_rows: int = 0

    @property
    def current_share(self) -> float | None:
        return _share(self.current_rows, self.rows)

    @property
    def narrative_share(self) -> float | None:
        return _share(self.narrated_markers, self.markers)

    @property
    def forecast_share(self) -> float | None:
        return _share(self.forecast_rows, self.off_target_rows)

    @property
    def shares(self) -> list[float | None]:
        return [self.current_share, self.narrative_share, self.forecast_share]

    @property
    def score(self) -> float | None:
        """The mean of the shares that apply; None when none does."""
        shares = [share for share in self.shares if share is not None]
        return sum(shares) / len(shares) if shares else None


def _markers(ambitions: QuerySet[Ambition], owner: Staff | None = None) -> list[Marker]:
    markers = Marker.objects.filter(ambition__in=ambitions)
    if owner is not None:
        markers = markers.filter(owner=owner)
    return list(
        markers.select_related("ambition")
        .prefetch_related(
            Prefetch("indicators", queryset=Indicator.objects.filter(is_active=True)),
            "units",
            "ambition__units",
        )
        .order_by("ambition_id", "sort_order", "pk")
    )


def _covering(ambitions: QuerySet[Ambition], period: Period) -> QuerySet[Ambition]:
    return ambitions.filter(is_active=True, first_year__lte=period.year, last_year__gte=period.year)


def _forecast_keys(
    indicators: Iterable[Indicator], units: Iterable[Unit]
) -> set[tuple[int, uuid.UUID]]:
    """(indicator pk, unit key) of active plans with a forecast set."""
    return {
        (indicator_id, unit_key)
        for indicator_id, unit_key, forecast in CurvePlan.objects.filter(
            is_active=True,
            indicator__in=list(indicators),
            unit_key__in={unit.key for unit in units},
        ).values_list("indicator_id", "unit_key", "forecast")
        if forecast
    }


def _count_rows(rows: Sequence[IndicatorStatus]) -> dict[str, int]:
    """Count the rows, the current ones, the red/amber ones and those with a forecast."""
    counts = {"rows": len(rows), "current_rows": 0, "off_target_rows": 0, "forecast_rows": 0}
    if not rows:
        return counts
    with_forecast = _forecast_keys({r.indicator for r in rows}, {r.unit for r in rows})
    for row in rows:
        if row.current:
            counts["current_rows"] += 1
        if row.rag in (Rag.RED, Rag.AMBER):
            counts["off_target_rows"] += 1
            if (row.indicator.pk, row.unit.key) in with_forecast:
                counts["forecast_rows"] += 1
    return counts


def _marker_rows(markers: Sequence[Marker], period: Period) -> list[IndicatorStatus]:
    """The status of every (marker, indicator, unit the marker is measured for) row."""
    pairs = [
        (indicator, unit)
        for marker in markers
        for indicator in marker.indicators.all()
        for unit in marker.scope_units()
    ]
    if not pairs:
        return []
    indicators = list({indicator.pk: indicator for indicator, _unit in pairs}.values())
    units = list({unit.pk: unit for _indicator, unit in pairs}.values())
    found = statuses(indicators, units, period)
    return [found[(indicator.pk, unit.pk)] for indicator, unit in pairs]


def report_freshness(report: StatusReport, content: ReportContent | None = None) -> Freshness:
    """The freshness of a committee's report, over its markers and their rows.

    Read from the report's live content; a page that has built it already
    passes it in, so the statuses are not computed twice.
    """
    content = content or live_content(report)
    markers = [marker for ambition in content.ambitions for marker in ambition.markers]
    return Freshness(
        markers=len(markers),
        narrated_markers=sum(1 for marker in markers if marker.narrative is not None),
        **_count_rows([row for marker in markers for row in marker.rows]),
    )


def leader_freshness(staff: Staff, period: Period) -> Freshness:
    """The freshness of the markers a leader is responsible for, at ``period``."""
    ambitions = _covering(Ambition.objects.filter(municipality_id=staff.municipality_id), period)
    markers = _markers(ambitions, owner=staff)
    committee_ids = {marker.ambition.committee_id for marker in markers}
    latest: dict[int, int] = {}
    for report_id, committee_id in (
        StatusReport.objects.filter(committee_id__in=committee_ids, period_start__lte=period.end)
        .order_by("committee_id", "-period_start")
        .values_list("pk", "committee_id")
    ):
        latest.setdefault(committee_id, report_id)
    narrated = set(
        ReportNarrative.objects.filter(
            report_id__in=latest.values(), marker__in=markers
        ).values_list("report_id", "marker_id")
    )
    with_report = [m for m in markers if m.ambition.committee_id in latest]
    return Freshness(
        markers=len(with_report),
        narrated_markers=sum(
            1 for m in with_report if (latest[m.ambition.committee_id], m.pk) in narrated
        ),
        **_count_rows(_marker_rows(markers, period)),
    )
