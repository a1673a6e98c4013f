"""The curve if nothing changes: a straight line through the recent values, continued.

Step 2 of turning the curve asks for a forecast of the baseline. Leaders set it
themselves (they know what is coming); this gives them a starting point that
anyone can check by hand: ordinary least squares over the last values shown,
measured against their periods' places in time (so a missing quarter is a gap
in time, not a value), projected a few periods past the latest value.

Pure: no database, no clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from helhed.results.periods import PER_YEAR, Frequency, Period
from helhed.results.status import Point

#: How many of the latest shown values the line is fitted to.
WINDOW = 8
#: Fewer values than this give no forecast: two points make a line, not a trend.
MIN_VALUES = 3
PLACES = Decimal("0.001")


def _index(period: Period) -> int:
    """The period's place on a time line of its own kind (consecutive periods differ by 1)."""
    return period.year * PER_YEAR[Frequency(period.kind)] + period.number - 1


def linear_forecast(points: Sequence[Point], steps: int) -> list[tuple[Period, Decimal]]:
    """The next ``steps`` periods after the latest shown value, on the least-squares line.

    Missing and suppressed points are skipped; the line is fitted to the last
    ``WINDOW`` values that are shown, and fewer than ``MIN_VALUES`` of them give
    no forecast (``[]``). Values are rounded to three decimals, as stored.
    """
    shown = [p for p in points if p.value is not None and not p.suppressed][-WINDOW:]
    if len(shown) < MIN_VALUES or steps <= 0:
        return []
    # Exact arithmetic, so a straight line is continued exactly.
    xs = [Fraction(_index(p.period)) for p in shown]
    ys = [Fraction(p.value) for p in shown if p.value is not None]
    count = len(xs)
    mean_x = sum(xs) / count
    mean_y = sum(ys) / count
    spread = sum((x - mean_x) ** 2 for x in xs)
    slope = (
        sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
        if spread
        else Fraction(0)
    )
    intercept = mean_y - slope * mean_x
    last = shown[-1].period
    forecast: list[tuple[Period, Decimal]] = []
    for step in range(1, steps + 1):
        period = last.shift(step)
        value = Fraction(intercept + slope * _index(period))
        decimal = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
            PLACES, rounding=ROUND_HALF_UP
        )
        forecast.append((period, decimal))
    return forecast
