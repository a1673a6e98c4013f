"""Benchmarking: a municipality beside comparable municipalities, and schools beside each other.

``comparable`` chooses the group a municipality compares itself with: the
``k`` municipalities nearest on size and social profile (``Profile``), each
measure in standard deviations over all profiles, so that neither the log of
the inhabitants nor the socio-economic index dominates because of its scale.

``compare`` puts the municipality's published value of an indicator (its
root unit's cell, group "all") beside each comparable municipality's, the
comparable group as a whole, and every municipality in the data, and ranks
the municipality among itself and its comparables (1 = best, by the
indicator's direction). ``schools`` ranks the schools of one municipality.

Small numbers are never returned as numbers:

* a cell the engine hid (``Cell.suppression``), or that shows fewer than
  ``MIN_PERSONS`` persons however it came to be stored, is a hidden row,
  without value or persons, and is not ranked;
* an aggregate over several cells (the comparable group, all
  municipalities) is computed **only from the visible cells** and says how
  many of its members it includes (``included`` of ``members``; ``partial``
  when some are left out). A sum that included a hidden cell would give that
  cell away by subtracting the visible ones; a sum of visible cells tells
  nothing that is not already shown.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from helhed.analytics.definitions import BY_CODE, Total
from helhed.analytics.models import Cell, Profile
from helhed.lib.validity import today
from helhed.organisation.models import Municipality, Unit, UnitQuerySet
from helhed.results.catalogue import catalogue_entries
from helhed.results.models import Indicator
from helhed.results.periods import Period

GROUP_ALL = "all"
SCHOOL_SECTOR = "school"
SCHOOL_UNIT_TYPE = "institution"
DEFAULT_K = 5
MILLI = Decimal("0.001")

# Row kinds.
MUNICIPALITY = "municipality"
COMPARABLE = "comparable"
GROUP = "group"
NATIONAL = "national"
SCHOOL = "school"
AGGREGATES = (GROUP, NATIONAL)


class UnknownIndicator(ValueError):
    """The code names no indicator the analytics engine computes."""


@dataclass(frozen=True)
class IndicatorInfo:
    """What a comparison needs to know of an indicator, in the municipality's words."""

    code: str
    name: str
    unit_label: str
    decimals: int
    higher_is_better: bool
    factor: int
    scale: int  # a Total's divisor; 0 for a ratio

    @property
    def is_total(self) -> bool:
        return self.scale > 0


@dataclass(frozen=True)
class Row:
    """One line of a comparison: a municipality, a school, or an aggregate of several.

    ``value`` and ``persons`` are ``None`` when the row is hidden
    (``suppression`` says why) or has no value (``has_data`` false).
    """

    kind: str
    label: str
    value: Decimal | None = None
    persons: int | None = None
    suppression: str = ""
    rank: int | None = None
    municipality_code: int | None = None
    unit_id: int | None = None
    is_self: bool = False
    has_data: bool = True
    included: int = 0  # aggregates: members whose numbers are in the value
    members: int = 0  # aggregates: members in all

    @property
    def hidden(self) -> bool:
        return bool(self.suppression)

    @property
    def partial(self) -> bool:
        return self.kind in AGGREGATES and self.included < self.members

    @property
    def suppression_label(self) -> str:
        return str(Cell.Suppression(self.suppression).label) if self.suppression else ""


@dataclass(frozen=True)
class Benchmark:
    indicator: IndicatorInfo
    period: str
    municipality: Municipality
    rows: list[Row]  # the municipality and its comparables, best first
    group: Row
    national: Row

    @property
    def own(self) -> Row:
        return next(row for row in self.rows if row.is_self)

    @property
    def ranked(self) -> int:
        """How many rows have a rank: those with a value neither hidden nor missing."""
        return sum(row.rank is not None for row in self.rows)


@dataclass(frozen=True)
class SchoolRanking:
    indicator: IndicatorInfo
    period: str
    municipality: Municipality
    rows: list[Row]  # best first; hidden and empty ones last, by name

    @property
    def ranked(self) -> int:
        return sum(row.rank is not None for row in self.rows)


# --------------------------------------------------------------------------- the indicator


def indicator_info(code: str, municipality: Municipality) -> IndicatorInfo:
    """The indicator as the municipality's catalogue has it (the shipped entry if it has none).

    The direction decides the ranking, so the municipality's own catalogue
    entry wins when there is one.
    """
    definition = BY_CODE.get(code)
    if definition is None:
        raise UnknownIndicator(code)
    scale = definition.template.scale if isinstance(definition.template, Total) else 0
    own = Indicator.objects.filter(municipality=municipality, code=code).first()
    if own is not None:
        return IndicatorInfo(
            code,
            own.name,
            own.unit_label,
            own.decimals,
            own.higher_is_better,
            definition.factor,
            scale,
        )
    entry = next((e for e in catalogue_entries() if e["code"] == code), {})
    return IndicatorInfo(
        code,
        str(entry.get("name", code)),
        str(entry.get("unit_label", "")),
        int(entry.get("decimals", 1)),
        entry.get("direction", Indicator.Direction.HIGHER) == Indicator.Direction.HIGHER,
        definition.factor,
        scale,
    )


def period_code(text: str) -> str:
    """The canonical code of a period ("2025-q3" -> "2025-Q3"); ``ValidationError`` if none."""
    return Period.parse(text).code


# --------------------------------------------------------------------------- comparable group


def comparable(municipality: Municipality, k: int = DEFAULT_K) -> list[Municipality]:
    """The ``k`` municipalities nearest to ``municipality`` by size and social profile.

    Distance is Euclidean over two standardised measures: the natural log of
    the inhabitants (a town twice as big is equally far at any size) and the
    socio-economic index, each divided by its standard deviation over every
    profile. Ties go to the lower municipality code. A municipality without
    a profile has no comparables.
    """
    profiles = list(Profile.objects.select_related("municipality"))
    own = next((p for p in profiles if p.municipality_id == municipality.pk), None)
    if own is None or k <= 0:
        return []
    sizes = [math.log(max(p.inhabitants, 1)) for p in profiles]
    indices = [float(p.social_index) for p in profiles]
    size_sd, index_sd = statistics.pstdev(sizes), statistics.pstdev(indices)
    own_size, own_index = math.log(max(own.inhabitants, 1)), float(own.social_index)

    def standardised(difference: float, deviation: float) -> float:
        return difference / deviation if deviation else 0.0

    distances = sorted(
        (
            math.hypot(
                standardised(size - own_size, size_sd), standardised(index - own_index, index_sd)
            ),
            profile.municipality.code,
            profile.municipality,
        )
        for profile, size, index in zip(profiles, sizes, indices, strict=True)
        if profile.pk != own.pk
    )
    return [found for _distance, _code, found in distances[:k]]


# --------------------------------------------------------------------------- cells to rows


def cell_row(
    kind: str,
    label: str,
    cell: Cell | None,
    *,
    municipality_code: int | None = None,
    unit_id: int | None = None,
    is_self: bool = False,
) -> Row:
    """A row for one cell: its value when visible, else hidden (with why) or without data."""
    identity = Row(
        kind, label, municipality_code=municipality_code, unit_id=unit_id, is_self=is_self
    )
    if cell is None:
        return replace(identity, has_data=False)
    if cell.is_visible():
        return replace(identity, value=cell.value, persons=cell.persons)
    reason = cell.hidden_reason()
    return replace(identity, suppression=reason) if reason else replace(identity, has_data=False)


def ranked(rows: Sequence[Row], *, higher_is_better: bool) -> list[Row]:
    """The rows with competition ranks (1, 2, 2, 4), best first.

    Hidden rows and rows without data are not ranked; they follow by label.
    """
    with_value = [row for row in rows if row.value is not None]
    without = sorted((row for row in rows if row.value is None), key=lambda row: row.label)
    sign = -1 if higher_is_better else 1
    with_value.sort(key=lambda row: (sign * (row.value or Decimal(0)), row.label))
    result: list[Row] = []
    previous: Decimal | None = None
    rank = 0
    for position, row in enumerate(with_value, start=1):
        if row.value != previous:
            rank, previous = position, row.value
        result.append(replace(row, rank=rank))
    return result + without


def aggregate_row(
    kind: str, label: str, cells: Iterable[Cell | None], info: IndicatorInfo, members: int
) -> Row:
    """Several cells as one: sum of numerators over sum of denominators, or a total's sum.

    Only visible cells count (see the module docstring); ``included`` says
    how many of the ``members`` did.
    """
    visible = [cell for cell in cells if cell is not None and cell.is_visible()]
    value: Decimal | None
    if info.is_total:
        usable = [cell for cell in visible if cell.numerator is not None]
        total = sum((cell.numerator or Decimal(0) for cell in usable), Decimal(0))
        value = total / info.scale if usable else None
    else:
        usable = [c for c in visible if c.numerator is not None and c.denominator is not None]
        numerator = sum((cell.numerator or Decimal(0) for cell in usable), Decimal(0))
        denominator = sum((cell.denominator or Decimal(0) for cell in usable), Decimal(0))
        value = numerator * info.factor / denominator if denominator else None
    if value is None:
        return Row(kind, label, has_data=False, members=members)
    return Row(
        kind,
        label,
        value.quantize(MILLI, ROUND_HALF_UP),
        sum(cell.persons or 0 for cell in usable),
        included=len(usable),
        members=members,
    )


# --------------------------------------------------------------------------- comparisons


def root_cells(code: str, period: str) -> dict[int, Cell]:
    """Each municipality's published cell of its root unit, group "all", by municipality id."""
    cells = (
        Cell.objects.filter(
            indicator_code=code, period=period, group=GROUP_ALL, unit__parent__isnull=True
        )
        .select_related("municipality")
        .order_by("municipality_id", "-unit__valid_from", "pk")
    )
    chosen: dict[int, Cell] = {}
    for cell in cells:
        chosen.setdefault(cell.municipality_id, cell)
    return chosen


def compare(
    indicator_code: str, period: str, municipality: Municipality, k: int = DEFAULT_K
) -> Benchmark:
    """The municipality beside its comparables, the comparable group and all in the data.

    The group is the comparables without the municipality itself; the rank
    is among the municipality and its comparables. Raises ``UnknownIndicator``
    and, for a bad period code, ``ValidationError``.
    """
    info = indicator_info(indicator_code, municipality)
    code = period_code(period)
    peers = comparable(municipality, k)
    cells = root_cells(indicator_code, code)
    rows = [
        cell_row(
            MUNICIPALITY,
            municipality.name,
            cells.get(municipality.pk),
            municipality_code=municipality.code,
            is_self=True,
        ),
        *(
            cell_row(COMPARABLE, peer.name, cells.get(peer.pk), municipality_code=peer.code)
            for peer in peers
        ),
    ]
    group = aggregate_row(
        GROUP,
        _("Comparable municipalities (%(count)s)") % {"count": len(peers)},
        (cells.get(peer.pk) for peer in peers),
        info,
        len(peers),
    )
    national = aggregate_row(
        NATIONAL,
        _("All municipalities in the data (%(count)s)") % {"count": len(cells)},
        cells.values(),
        info,
        len(cells),
    )
    return Benchmark(
        info,
        code,
        municipality,
        ranked(rows, higher_is_better=info.higher_is_better),
        group,
        national,
    )


def school_units(municipality: Municipality) -> UnitQuerySet:
    """Today's schools of the municipality: institutions of the school sector."""
    return (
        Unit.objects.valid_on(today())
        .filter(
            municipality=municipality,
            sector__code=SCHOOL_SECTOR,
            unit_type__code=SCHOOL_UNIT_TYPE,
        )
        .order_by("name", "pk")
    )


def schools(indicator_code: str, period: str, municipality: Municipality) -> SchoolRanking:
    """The municipality's schools ranked by the indicator; hidden ones listed without value."""
    info = indicator_info(indicator_code, municipality)
    code = period_code(period)
    units = list(school_units(municipality))
    cells = {
        cell.unit_key: cell
        for cell in Cell.objects.filter(
            indicator_code=indicator_code,
            period=code,
            group=GROUP_ALL,
            unit_key__in=[unit.key for unit in units],
        )
    }
    rows = [cell_row(SCHOOL, unit.name, cells.get(unit.key), unit_id=unit.pk) for unit in units]
    return SchoolRanking(
        info, code, municipality, ranked(rows, higher_is_better=info.higher_is_better)
    )


def periods_with_cells(indicator_code: str) -> list[str]:
    """The periods an indicator has published cells for, newest first."""
    return list(
        Cell.objects.filter(indicator_code=indicator_code, group=GROUP_ALL)
        .order_by("-period_start", "period")
        .values_list("period", flat=True)
        .distinct()
    )
