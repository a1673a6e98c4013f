"""How an indicator is doing for a unit: its value, target, red/amber/green status and trend.

The rules, in one place (docs/results.md explains them to leaders):

* **Value**: the latest measurement of the unit whose period started on or
  before the end of the period asked about. It is *current* when it is at
  most one period (of the indicator's frequency) older than the period that
  contains that end: data arrive late, a quarter's lag is normal.
* **Suppression**: a value based on fewer than ``MIN_PERSONS`` persons is
  not shown (for indicators that count persons), in the web, the API and the
  PDF alike. The analytics engine adds complementary suppression.
* **Target**: the unit's own target with the latest start on or before the
  period; a unit without one inherits its parent's, then its grandparent's,
  and so on up to the municipality (``TargetBook.target_for``).
* **Red/amber/green**: green when the value reaches the target in the
  indicator's direction; amber when it misses by no more than the amber
  margin (the indicator's own, else 10% of the target); red beyond that;
  grey ("no status") without a shown value or a target.
* **Trend**: the value compared with the one a year earlier (the same
  quarter or month, so seasons do not count as change), or with the
  previous one for yearly indicators and when a year earlier is missing. A
  change within 1% of the earlier value is steady; otherwise it improves or
  worsens by the indicator's direction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from helhed.organisation.models import Unit
from helhed.results.models import Indicator, Measurement, Target
from helhed.results.periods import PER_YEAR, Frequency, Period

MIN_PERSONS = 5
DEFAULT_AMBER_SHARE = Decimal("0.10")
STEADY_SHARE = Decimal("0.01")


class Rag(models.TextChoices):
    GREEN = "green", _("On target")
    AMBER = "amber", _("Close to target")
    RED = "red", _("Off target")
    NONE = "none", _("No status")


class Trend(models.TextChoices):
    IMPROVING = "improving", _("Improving")
    STEADY = "steady", _("Steady")
    WORSENING = "worsening", _("Worsening")
    UNKNOWN = "unknown", _("Not enough data")


# --------------------------------------------------------------------------- pure rules


def rag(
    value: Decimal | None,
    target: Decimal | None,
    *,
    higher_is_better: bool,
    margin: Decimal | None = None,
) -> Rag:
    """Red, amber or green for a value against its target (see the module docstring)."""
    if value is None or target is None:
        return Rag.NONE
    gap = value - target if higher_is_better else target - value
    if gap >= 0:
        return Rag.GREEN
    allowed = margin if margin is not None else abs(target) * DEFAULT_AMBER_SHARE
    return Rag.AMBER if -gap <= allowed else Rag.RED


def trend(latest: Decimal | None, earlier: Decimal | None, *, higher_is_better: bool) -> Trend:
    """Improving, steady or worsening from an earlier value to the latest."""
    if latest is None or earlier is None:
        return Trend.UNKNOWN
    change = latest - earlier
    if abs(change) <= abs(earlier) * STEADY_SHARE:
        return Trend.STEADY
    better = change > 0 if higher_is_better else change < 0
    return Trend.IMPROVING if better else Trend.WORSENING


def is_suppressed(indicator: Indicator, persons: int | None, *, hidden: bool = False) -> bool:
    """Fewer than five persons, or ``hidden`` by the analytics engine's complementary rule."""
    return hidden or (indicator.counts_persons and persons is not None and persons < MIN_PERSONS)


def format_value(indicator: Indicator, value: Decimal | None) -> str:
    """The value as a reader sees it: rounded to the indicator's decimals, in the locale."""
    if value is None:
        return "–"
    # Round half up first: number_format cuts a Decimal's extra places off (14.46 -> "14,4").
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-indicator.decimals), ROUND_HALF_UP)
    return number_format(
        rounded, decimal_pos=indicator.decimals, use_l10n=True, force_grouping=True
    )


# --------------------------------------------------------------------------- batch look-ups


class TargetBook:
    """Every target of some indicators for some units and their ancestors, loaded once."""

    def __init__(self, indicators: Iterable[Indicator], units: Iterable[Unit]) -> None:
        units = list(units)
        self._chains: dict[int, list[uuid.UUID]] = {}
        ancestor_ids = {pk for unit in units for pk in unit.ancestor_ids()}
        keys_by_pk = {unit.pk: unit.key for unit in units}
        keys_by_pk.update(Unit.objects.filter(pk__in=ancestor_ids).values_list("pk", "key"))
        for unit in units:
            chain = [unit.key] + [keys_by_pk[pk] for pk in reversed(unit.ancestor_ids())]
            self._chains[unit.pk] = chain
        self._targets: dict[tuple[int, uuid.UUID], list[Target]] = defaultdict(list)
        for target in Target.objects.filter(
            indicator__in=list(indicators), unit_key__in=set(keys_by_pk.values())
        ).order_by("applies_from_start"):
            self._targets[(target.indicator_id, target.unit_key)].append(target)

    def target_for(self, indicator: Indicator, unit: Unit, period: Period) -> Target | None:
        """The unit's target for the period, inherited from the nearest ancestor if need be."""
        for key in self._chains.get(unit.pk, [unit.key]):
            found = None
            for target in self._targets.get((indicator.pk, key), ()):
                if target.applies_from_start <= period.start:
                    found = target
            if found is not None:
                return found
        return None


class ValueBook:
    """Every measurement of some indicators for some units, loaded once."""

    def __init__(
        self,
        indicators: Iterable[Indicator],
        units: Iterable[Unit],
        *,
        since: dt.date | None = None,
        until: dt.date | None = None,
    ) -> None:
        qs = Measurement.objects.filter(
            indicator__in=list(indicators), unit_key__in={unit.key for unit in units}
        )
        if since is not None:
            qs = qs.filter(period_start__gte=since)
        if until is not None:
            qs = qs.filter(period_start__lte=until)
        self._rows: dict[tuple[int, uuid.UUID], dict[str, Measurement]] = defaultdict(dict)
        for row in qs.only(
            "indicator_id",
            "unit_key",
            "period",
            "period_start",
            "value",
            "persons",
            "source",
            "suppressed",
        ):
            self._rows[(row.indicator_id, row.unit_key)][row.period] = row

    def get(self, indicator: Indicator, unit: Unit, period: Period) -> Measurement | None:
        return self._rows.get((indicator.pk, unit.key), {}).get(period.code)

    def latest(self, indicator: Indicator, unit: Unit, until: dt.date) -> Measurement | None:
        rows = [
            row
            for row in self._rows.get((indicator.pk, unit.key), {}).values()
            if row.period_start <= until
        ]
        return max(rows, key=lambda row: row.period_start, default=None)


# --------------------------------------------------------------------------- the status


@dataclass(frozen=True)
class Point:
    """One period of a series: the value as it may be shown (None when missing or hidden)."""

    period: Period
    value: Decimal | None
    suppressed: bool = False
    target: Decimal | None = None


@dataclass
class IndicatorStatus:
    indicator: Indicator
    unit: Unit
    period: Period
    value: Decimal | None = None
    value_period: Period | None = None
    persons: int | None = None
    suppressed: bool = False
    current: bool = False
    target: Target | None = None
    rag: Rag = Rag.NONE
    trend: Trend = Trend.UNKNOWN
    series: list[Point] = field(default_factory=list)

    @property
    def target_value(self) -> Decimal | None:
        return self.target.value if self.target else None

    @property
    def target_inherited(self) -> bool:
        return self.target is not None and self.target.unit_key != self.unit.key

    @property
    def display_value(self) -> str:
        return format_value(self.indicator, None if self.suppressed else self.value)

    @property
    def display_target(self) -> str:
        return format_value(self.indicator, self.target_value)


def indicator_period(indicator: Indicator, period: Period) -> Period:
    """The indicator's own period that contains the end of ``period``."""
    return Period.containing(period.end, indicator.frequency)


def _year_earlier(indicator: Indicator, at: Period) -> Period:
    steps = PER_YEAR[Frequency(indicator.frequency)]
    return at.shift(-steps if steps > 1 else -1)


def build_status(
    indicator: Indicator,
    unit: Unit,
    period: Period,
    *,
    values: ValueBook,
    targets: TargetBook,
    history: int = 8,
) -> IndicatorStatus:
    """The status of one indicator for one unit at the end of ``period``."""
    own = indicator_period(indicator, period)
    status = IndicatorStatus(indicator=indicator, unit=unit, period=period)
    latest = values.latest(indicator, unit, period.end)
    if latest is not None:
        status.value_period = Period.parse(latest.period)
        status.persons = latest.persons
        status.suppressed = is_suppressed(indicator, latest.persons, hidden=latest.suppressed)
        status.value = latest.value
        # By dates, not by ``Period`` order: that compares the kind first, so a
        # value of another kind (from before a change of frequency) would sort wrong.
        status.current = status.value_period.end >= own.previous().start
    status.target = targets.target_for(indicator, unit, status.value_period or own)
    shown = None if status.suppressed else status.value
    status.rag = rag(
        shown,
        status.target_value,
        higher_is_better=indicator.higher_is_better,
        margin=indicator.amber_margin,
    )
    if status.value_period is not None and shown is not None:
        earlier = values.get(indicator, unit, _year_earlier(indicator, status.value_period))
        if earlier is None:
            earlier = values.get(indicator, unit, status.value_period.previous())
        if earlier is not None and not is_suppressed(
            indicator, earlier.persons, hidden=earlier.suppressed
        ):
            status.trend = trend(shown, earlier.value, higher_is_better=indicator.higher_is_better)
    for at in own.back(history):
        row = values.get(indicator, unit, at)
        hidden = row is not None and is_suppressed(indicator, row.persons, hidden=row.suppressed)
        target = targets.target_for(indicator, unit, at)
        status.series.append(
            Point(
                period=at,
                value=None if row is None or hidden else row.value,
                suppressed=hidden,
                target=target.value if target else None,
            )
        )
    return status


def statuses(
    indicators: Sequence[Indicator],
    units: Sequence[Unit],
    period: Period,
    *,
    history: int = 8,
) -> dict[tuple[int, int], IndicatorStatus]:
    """The status of every indicator for every unit, keyed by (indicator pk, unit pk).

    Three queries whatever the number of indicators and units.
    """
    if not indicators or not units:
        return {}
    fewest_per_year = min(PER_YEAR[Frequency(i.frequency)] for i in indicators)
    years = history / fewest_per_year + 2
    since = period.start - dt.timedelta(days=int(366 * years))
    values = ValueBook(indicators, units, since=since, until=period.end)
    targets = TargetBook(indicators, units)
    return {
        (indicator.pk, unit.pk): build_status(
            indicator, unit, period, values=values, targets=targets, history=history
        )
        for indicator in indicators
        for unit in units
    }


def status_for(
    indicator: Indicator, unit: Unit, period: Period, *, history: int = 8
) -> IndicatorStatus:
    """The status of one indicator for one unit (convenience around ``statuses``)."""
    return statuses([indicator], [unit], period, history=history)[(indicator.pk, unit.pk)]
