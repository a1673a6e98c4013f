"""What a committee status report says: plain dataclasses, live or rebuilt from a snapshot.

A report's page, its API answer and its PDF all read a ``ReportContent``. While
the report is a draft or submitted, the content is built from the database as
it is now (``live_content``); when the report is approved, the content is
frozen into a JSON snapshot (``snapshot``) and from then on rebuilt from it
(``content_from_snapshot``), so later measurements, targets or narratives do
not change what the committee approved.

The snapshot keeps only what may be shown: a value hidden by the five-person
rule is not stored at all, and units are stored by name and identity only.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from helhed.organisation.models import Unit
from helhed.results.models import (
    Ambition,
    Indicator,
    Marker,
    ReportNarrative,
    StatusReport,
    Target,
)
from helhed.results.periods import Period
from helhed.results.status import IndicatorStatus, Point, Rag, Trend, statuses

SNAPSHOT_VERSION = 1
# The arrow points the way of *better* or *worse*, not of the number, and always comes
# with its words: "↗ Improving" is a lower absence or a higher grade alike.
TREND_ARROWS = {
    Trend.IMPROVING: "↗",
    Trend.STEADY: "→",
    Trend.WORSENING: "↘",
    Trend.UNKNOWN: "·",
}


@dataclass
class Narrative:
    text: str
    written_by: str
    written_at: dt.datetime | None


@dataclass
class IndicatorBlock:
    """One indicator of a marker, with its status for each of the marker's units."""

    indicator: Indicator
    rows: list[IndicatorStatus]


@dataclass
class MarkerContent:
    pk: int
    title: str
    description: str
    owner_id: int
    owner_name: str
    units: list[Unit]
    indicators: list[IndicatorBlock]
    narrative: Narrative | None = None

    @property
    def rows(self) -> list[IndicatorStatus]:
        return [row for block in self.indicators for row in block.rows]


@dataclass
class AmbitionContent:
    pk: int
    title: str
    description: str
    owner_name: str
    markers: list[MarkerContent]


@dataclass
class Summary:
    """How many indicator-and-unit rows of the report are green, amber, red or without status."""

    green: int = 0
    amber: int = 0
    red: int = 0
    none: int = 0

    @property
    def total(self) -> int:
        return self.green + self.amber + self.red + self.none

    def items(self) -> list[tuple[Rag, int]]:
        """(status, count) in reading order, for templates and the PDF."""
        return [
            (Rag.GREEN, self.green),
            (Rag.AMBER, self.amber),
            (Rag.RED, self.red),
            (Rag.NONE, self.none),
        ]


@dataclass
class ReportContent:
    municipality_name: str
    committee_pk: int
    committee_name: str
    period: Period
    ambitions: list[AmbitionContent]
    as_of: dt.datetime
    frozen: bool = False
    summary: Summary = field(default_factory=Summary)

    @property
    def markers(self) -> list[MarkerContent]:
        return [marker for ambition in self.ambitions for marker in ambition.markers]


def summarise(ambitions: list[AmbitionContent]) -> Summary:
    counts = Counter(
        row.rag for ambition in ambitions for marker in ambition.markers for row in marker.rows
    )
    return Summary(
        green=counts[Rag.GREEN],
        amber=counts[Rag.AMBER],
        red=counts[Rag.RED],
        none=counts[Rag.NONE],
    )


# --------------------------------------------------------------------------- live content


def report_ambitions(report: StatusReport) -> list[Ambition]:
    """The committee's active ambitions covering the report's year, markers and all prefetched.

    Markers come in their order with their owner, active indicators and units.
    """
    period = report.period_obj
    ambitions = (
        Ambition.objects.filter(committee_id=report.committee_id, is_active=True)
        .filter(first_year__lte=period.year, last_year__gte=period.year)
        .select_related("owner")
        .prefetch_related(
            "units",
            Prefetch(
                "markers",
                queryset=Marker.objects.select_related("owner")
                .prefetch_related(
                    Prefetch(
                        "indicators",
                        queryset=Indicator.objects.filter(is_active=True).order_by("name", "pk"),
                    ),
                    "units",
                )
                .order_by("sort_order", "pk"),
            ),
        )
        .order_by("title", "pk")
    )
    return [ambition for ambition in ambitions if ambition.covers(period)]


def report_markers(report: StatusReport) -> list[Marker]:
    """Every marker the report covers, in the order the report shows them."""
    return [marker for ambition in report_ambitions(report) for marker in ambition.markers.all()]


def live_content(report: StatusReport) -> ReportContent:
    """The report's content from the database as it is now (one ``statuses`` call)."""
    period = report.period_obj
    ambitions = report_ambitions(report)
    scope: dict[int, list[Unit]] = {}
    indicators: dict[int, Indicator] = {}
    units: dict[int, Unit] = {}
    for ambition in ambitions:
        for marker in ambition.markers.all():
            scope[marker.pk] = marker.scope_units()
            units.update((unit.pk, unit) for unit in scope[marker.pk])
            indicators.update((ind.pk, ind) for ind in marker.indicators.all())
    table = statuses(list(indicators.values()), list(units.values()), period)
    narratives = {
        narrative.marker_id: narrative
        for narrative in ReportNarrative.objects.filter(report=report).select_related("written_by")
    }
    content_ambitions = []
    for ambition in ambitions:
        markers = []
        for marker in ambition.markers.all():
            narrative = narratives.get(marker.pk)
            markers.append(
                MarkerContent(
                    pk=marker.pk,
                    title=marker.title,
                    description=marker.description,
                    owner_id=marker.owner_id,
                    owner_name=marker.owner.full_name,
                    units=scope[marker.pk],
                    indicators=[
                        IndicatorBlock(
                            indicator=ind,
                            rows=[table[(ind.pk, unit.pk)] for unit in scope[marker.pk]],
                        )
                        for ind in marker.indicators.all()
                    ],
                    narrative=Narrative(
                        text=narrative.text,
                        written_by=narrative.written_by.full_name,
                        written_at=narrative.written_at,
                    )
                    if narrative is not None
                    else None,
                )
            )
        content_ambitions.append(
            AmbitionContent(
                pk=ambition.pk,
                title=ambition.title,
                description=ambition.description,
                owner_name=ambition.owner.full_name,
                markers=markers,
            )
        )
    committee = report.committee
    return ReportContent(
        municipality_name=committee.municipality.name,
        committee_pk=committee.pk,
        committee_name=committee.name,
        period=period,
        ambitions=content_ambitions,
        as_of=timezone.now(),
        summary=summarise(content_ambitions),
    )


def report_content(report: StatusReport) -> ReportContent:
    """What the report says: the frozen snapshot once approved, else the live content."""
    if report.is_frozen and report.snapshot:
        return content_from_snapshot(report.snapshot)
    return live_content(report)


# --------------------------------------------------------------------------- the snapshot


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _undec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _indicator_dict(ind: Indicator) -> dict[str, Any]:
    return {
        "pk": ind.pk,
        "code": ind.code,
        "name": ind.name,
        "unit_label": ind.unit_label,
        "decimals": ind.decimals,
        "direction": ind.direction,
        "factor": ind.factor,
        "frequency": ind.frequency,
        "kind": ind.kind,
        "counts_persons": ind.counts_persons,
        "amber_margin": _dec(ind.amber_margin),
    }


def _unit_dict(unit: Unit) -> dict[str, Any]:
    return {"pk": unit.pk, "name": unit.name, "key": str(unit.key)}


def _status_dict(status: IndicatorStatus) -> dict[str, Any]:
    target = status.target
    return {
        "unit": status.unit.pk,
        # A value hidden by the five-person rule is not kept: only what may be shown.
        "value": None if status.suppressed else _dec(status.value),
        "value_period": status.value_period.code if status.value_period else None,
        "persons": None if status.suppressed else status.persons,
        "suppressed": status.suppressed,
        "current": status.current,
        "target": None
        if target is None
        else {
            "value": _dec(target.value),
            "unit_key": str(target.unit_key),
            "applies_from": target.applies_from,
        },
        "rag": str(status.rag),
        "trend": str(status.trend),
        "series": [
            {
                "period": point.period.code,
                "value": _dec(point.value),
                "suppressed": point.suppressed,
                "target": _dec(point.target),
            }
            for point in status.series
        ],
    }


def snapshot(content: ReportContent) -> dict[str, Any]:
    """The content as JSON-safe data from which ``content_from_snapshot`` rebuilds it."""
    indicators: dict[int, Indicator] = {}
    units: dict[int, Unit] = {}
    for marker in content.markers:
        units.update((unit.pk, unit) for unit in marker.units)
        for block in marker.indicators:
            indicators[block.indicator.pk] = block.indicator
    return {
        "version": SNAPSHOT_VERSION,
        "as_of": content.as_of.isoformat(),
        "municipality": content.municipality_name,
        "committee": {"pk": content.committee_pk, "name": content.committee_name},
        "period": content.period.code,
        "indicators": [_indicator_dict(ind) for ind in indicators.values()],
        "units": [_unit_dict(unit) for unit in units.values()],
        "ambitions": [
            {
                "pk": ambition.pk,
                "title": ambition.title,
                "description": ambition.description,
                "owner": ambition.owner_name,
                "markers": [
                    {
                        "pk": marker.pk,
                        "title": marker.title,
                        "description": marker.description,
                        "owner_id": marker.owner_id,
                        "owner": marker.owner_name,
                        "units": [unit.pk for unit in marker.units],
                        "narrative": None
                        if marker.narrative is None
                        else {
                            "text": marker.narrative.text,
                            "written_by": marker.narrative.written_by,
                            "written_at": marker.narrative.written_at.isoformat()
                            if marker.narrative.written_at
                            else None,
                        },
                        "indicators": [
                            {
                                "indicator": block.indicator.pk,
                                "rows": [_status_dict(row) for row in block.rows],
                            }
                            for block in marker.indicators
                        ],
                    }
                    for marker in ambition.markers
                ],
            }
            for ambition in content.ambitions
        ],
    }


def _rebuild_indicator(data: dict[str, Any]) -> Indicator:
    return Indicator(
        pk=data["pk"],
        code=data["code"],
        name=data["name"],
        unit_label=data["unit_label"],
        decimals=data["decimals"],
        direction=data["direction"],
        factor=data["factor"],
        frequency=data["frequency"],
        kind=data["kind"],
        counts_persons=data["counts_persons"],
        amber_margin=_undec(data["amber_margin"]),
    )


def _rebuild_status(
    data: dict[str, Any], indicator: Indicator, unit: Unit, period: Period
) -> IndicatorStatus:
    target = None
    if data["target"] is not None:
        target = Target(
            value=Decimal(data["target"]["value"]),
            unit_key=uuid.UUID(data["target"]["unit_key"]),
            applies_from=data["target"]["applies_from"],
        )
    return IndicatorStatus(
        indicator=indicator,
        unit=unit,
        period=period,
        value=_undec(data["value"]),
        value_period=Period.parse(data["value_period"]) if data["value_period"] else None,
        persons=data["persons"],
        suppressed=data["suppressed"],
        current=data["current"],
        target=target,
        rag=Rag(data["rag"]),
        trend=Trend(data["trend"]),
        series=[
            Point(
                period=Period.parse(point["period"]),
                value=_undec(point["value"]),
                suppressed=point["suppressed"],
                target=_undec(point["target"]),
            )
            for point in data["series"]
        ],
    )


def content_from_snapshot(data: dict[str, Any]) -> ReportContent:
    """Rebuild a report's content from its snapshot, with unsaved indicators and units."""
    period = Period.parse(data["period"])
    indicators = {row["pk"]: _rebuild_indicator(row) for row in data["indicators"]}
    units = {
        row["pk"]: Unit(pk=row["pk"], name=row["name"], key=uuid.UUID(row["key"]))
        for row in data["units"]
    }
    ambitions = []
    for ambition in data["ambitions"]:
        markers = []
        for marker in ambition["markers"]:
            narrative = marker["narrative"]
            markers.append(
                MarkerContent(
                    pk=marker["pk"],
                    title=marker["title"],
                    description=marker["description"],
                    owner_id=marker["owner_id"],
                    owner_name=marker["owner"],
                    units=[units[pk] for pk in marker["units"]],
                    indicators=[
                        IndicatorBlock(
                            indicator=indicators[block["indicator"]],
                            rows=[
                                _rebuild_status(
                                    row, indicators[block["indicator"]], units[row["unit"]], period
                                )
                                for row in block["rows"]
                            ],
                        )
                        for block in marker["indicators"]
                    ],
                    narrative=None
                    if narrative is None
                    else Narrative(
                        text=narrative["text"],
                        written_by=narrative["written_by"],
                        written_at=dt.datetime.fromisoformat(narrative["written_at"])
                        if narrative["written_at"]
                        else None,
                    ),
                )
            )
        ambitions.append(
            AmbitionContent(
                pk=ambition["pk"],
                title=ambition["title"],
                description=ambition["description"],
                owner_name=ambition["owner"],
                markers=markers,
            )
        )
    return ReportContent(
        municipality_name=data["municipality"],
        committee_pk=data["committee"]["pk"],
        committee_name=data["committee"]["name"],
        period=period,
        ambitions=ambitions,
        as_of=dt.datetime.fromisoformat(data["as_of"]),
        frozen=True,
        summary=summarise(ambitions),
    )
