"""The forecast if nothing changes: least squares over the latest shown values, continued."""

from __future__ import annotations

from decimal import Decimal

from helhed.results.forecast import linear_forecast
from helhed.results.periods import Frequency, Period
from helhed.results.status import Point

D = Decimal
Q1_2024 = Period(Frequency.QUARTERLY, 2024, 1)


def series(*values: str | None, start: Period = Q1_2024) -> list[Point]:
    return [
        Point(period=start.shift(i), value=None if v is None else D(v))
        for i, v in enumerate(values)
    ]


def test_a_straight_line_is_continued_exactly() -> None:
    forecast = linear_forecast(series("10", "12.5", "15", "17.5"), 3)
    assert forecast == [
        (Period(Frequency.QUARTERLY, 2025, 1), D("20.000")),
        (Period(Frequency.QUARTERLY, 2025, 2), D("22.500")),
        (Period(Frequency.QUARTERLY, 2025, 3), D("25.000")),
    ]


def test_a_falling_line_crosses_into_the_next_year() -> None:
    start = Period(Frequency.MONTHLY, 2024, 10)
    forecast = linear_forecast(series("9", "8", "7", start=start), 2)
    assert [(p.code, v) for p, v in forecast] == [("2025-01", D("6.000")), ("2025-02", D("5.000"))]


def test_a_flat_series_stays_flat() -> None:
    forecast = linear_forecast(series("7.3", "7.3", "7.3", "7.3", "7.3"), 4)
    assert [v for _p, v in forecast] == [D("7.300")] * 4


def test_gaps_are_skipped_and_count_as_time() -> None:
    # Values on the line 2x + 1 at quarters 0, 1, 3 and 4; quarter 2 is missing.
    forecast = linear_forecast(series("1", "3", None, "7", "9"), 1)
    assert forecast == [(Q1_2024.shift(5), D("11.000"))]


def test_suppressed_values_are_skipped() -> None:
    points = series("1", "2", "3", "4")
    points[3] = Point(period=points[3].period, value=None, suppressed=True)
    forecast = linear_forecast(points, 1)
    assert forecast == [(points[2].period.next(), D("4.000"))]


def test_only_the_last_eight_values_count() -> None:
    # The first two values are far off the line; the last eight lie on it.
    values = ["100", "100"] + [str(n) for n in range(1, 9)]
    forecast = linear_forecast(series(*values), 1)
    assert forecast == [(Q1_2024.shift(10), D("9.000"))]


def test_least_squares_rounds_to_three_decimals() -> None:
    # Through (0, 1), (1, 2), (2, 2): slope 1/2, intercept 7/6; at 3: 8/3 = 2.667.
    forecast = linear_forecast(series("1", "2", "2"), 1)
    assert forecast == [(Q1_2024.shift(3), D("2.667"))]


def test_fewer_than_three_values_give_no_forecast() -> None:
    assert linear_forecast(series("1", None, "2"), 4) == []
    assert linear_forecast([], 4) == []
    assert linear_forecast(series("1", "2", "3"), 0) == []


def test_the_forecast_starts_after_the_latest_value_not_the_series_end() -> None:
    forecast = linear_forecast(series("1", "2", "3", None, None), 1)
    assert forecast == [(Q1_2024.shift(3), D("4.000"))]
