"""Two levels up and two levels down: what a unit's results page shows, built once.

The web page and the API answer read the same ``UnitResults``: the unit's
markers (grouped by ambition), its parent and grandparent, its children and
grandchildren valid on the period's end, and the status of every indicator
for every one of those units, from one call of ``status.statuses`` (three
queries for the whole page, whatever the number of units).

Units beneath the page's unit are listed only when the user may see their
results (``policy.results_units``): a teacher at one school does not read the
other schools' numbers through the administration's page. The units above
are shown (that is what the unit is measured against) and linked where the
user may open them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from helhed import policy
from helhed.organisation.models import Unit
from helhed.results import scope
from helhed.results.models import Ambition, Indicator, Marker
from helhed.results.periods import Frequency, Period
from helhed.results.status import IndicatorStatus, Rag, statuses

MAX_DOWN_ROWS = 300
LEVELS = 2


def default_period(on: dt.date) -> Period:
    """The last complete quarter: the period a results page opens on."""
    return Period.last_complete(on, Frequency.QUARTERLY)


@dataclass
class MarkerGroup:
    marker: Marker
    statuses: list[IndicatorStatus]


@dataclass
class AmbitionGroup:
    ambition: Ambition
    markers: list[MarkerGroup] = field(default_factory=list)


@dataclass
class UnitRow:
    """One unit of the up or down table: its statuses in the page's indicator order."""

    unit: Unit
    depth: int
    visible: bool
    statuses: list[IndicatorStatus]


@dataclass
class UnitResults:
    unit: Unit
    period: Period
    ancestors: list[Unit]
    ancestors_visible: set[int]
    indicators: list[Indicator]
    ambitions: list[AmbitionGroup]
    own: dict[int, IndicatorStatus]
    up: list[UnitRow]
    down: list[UnitRow]
    down_truncated: bool
    down_hidden: int
    names_by_key: dict[uuid.UUID, str]

    def target_source(self, status: IndicatorStatus) -> str:
        """The name of the unit an inherited target was set for."""
        if status.target is None:
            return ""
        return self.names_by_key.get(status.target.unit_key, "")

    @property
    def markers(self) -> list[MarkerGroup]:
        return [group for ambition in self.ambitions for group in ambition.markers]


def _down_units(unit: Unit, on: dt.date) -> list[tuple[Unit, int]]:
    """Children and grandchildren valid on ``on``: each child followed by its own children."""
    rows = list(
        Unit.objects.under(unit, include_self=False)
        .valid_on(on)
        .filter(depth__lte=unit.depth + LEVELS)
        .select_related("unit_type", "sector")
    )
    children = sorted((u for u in rows if u.parent_id == unit.pk), key=lambda u: u.name.lower())
    below: dict[int | None, list[Unit]] = defaultdict(list)
    for row in rows:
        if row.depth == unit.depth + 2:
            below[row.parent_id].append(row)
    ordered: list[tuple[Unit, int]] = []
    for child in children:
        ordered.append((child, 1))
        ordered.extend((grand, 2) for grand in sorted(below[child.pk], key=lambda u: u.name))
    return ordered


def unit_results(user: policy.AnyUser, unit: Unit, period: Period) -> UnitResults:
    """Everything the unit's results page shows, for this user, at the end of ``period``."""
    ancestors = list(Unit.objects.filter(pk__in=unit.ancestor_ids()).order_by("depth"))
    up_units = ancestors[-LEVELS:]
    down_all = _down_units(unit, period.end)
    page_ids = {unit.pk, *(u.pk for u in ancestors), *(u.pk for u, _ in down_all)}
    visible = set(policy.results_units(user).filter(pk__in=page_ids).values_list("pk", flat=True))
    down_seen = [(u, depth) for u, depth in down_all if u.pk in visible]
    down_hidden = len(down_all) - len(down_seen)
    truncated = len(down_seen) > MAX_DOWN_ROWS
    down_seen = down_seen[:MAX_DOWN_ROWS]

    markers = scope.markers_for(unit, year=period.year)
    indicators: dict[int, Indicator] = {}
    for marker in markers:
        for ind in marker.indicators.all():
            indicators.setdefault(ind.pk, ind)
    indicator_list = list(indicators.values())

    units = [unit, *up_units, *(u for u, _ in down_seen)]
    found = statuses(indicator_list, units, period)

    def row(u: Unit, depth: int) -> UnitRow:
        return UnitRow(
            unit=u,
            depth=depth,
            visible=u.pk in visible,
            statuses=[found[(ind.pk, u.pk)] for ind in indicator_list],
        )

    groups: dict[int, AmbitionGroup] = {}
    for marker in markers:
        group = groups.setdefault(marker.ambition_id, AmbitionGroup(ambition=marker.ambition))
        group.markers.append(
            MarkerGroup(
                marker=marker,
                statuses=[found[(ind.pk, unit.pk)] for ind in marker.indicators.all()],
            )
        )
    names = {u.key: u.name for u in [*ancestors, *units]}
    return UnitResults(
        unit=unit,
        period=period,
        ancestors=ancestors,
        ancestors_visible=visible,
        indicators=indicator_list,
        ambitions=list(groups.values()),
        own={ind.pk: found[(ind.pk, unit.pk)] for ind in indicator_list},
        up=[row(u, -(len(up_units) - i)) for i, u in enumerate(up_units)],
        down=[row(u, depth) for u, depth in down_seen],
        down_truncated=truncated,
        down_hidden=down_hidden,
        names_by_key=names,
    )


def off_target(status: IndicatorStatus) -> bool:
    return status.rag in (Rag.RED, Rag.AMBER)
