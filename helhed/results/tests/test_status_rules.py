"""The rules a status report stands on: red/amber/green, direction, trend, targets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from helhed.organisation.actions import do_move_unit
from helhed.results.periods import Period
from helhed.results.status import Rag, Trend, rag, status_for, trend
from helhed.test import BaseTestCase, indicator, make_unit, record_value, set_target

D = Decimal


@pytest.mark.parametrize(
    ("value", "target", "higher", "margin", "expected"),
    [
        ("80", "80", True, None, Rag.GREEN),  # reaching the target is green
        ("85", "80", True, None, Rag.GREEN),
        ("72", "80", True, None, Rag.AMBER),  # 8 below, within 10% of 80
        ("71.9", "80", True, None, Rag.RED),
        ("8", "10", False, None, Rag.GREEN),  # lower is better: below target is green
        ("10.9", "10", False, None, Rag.AMBER),
        ("11.1", "10", False, None, Rag.RED),
        ("79", "80", True, "0.5", Rag.RED),  # the indicator's own margin wins
        ("79.5", "80", True, "0.5", Rag.AMBER),
        (None, "80", True, None, Rag.NONE),
        ("80", None, True, None, Rag.NONE),
    ],
)
def test_rag(value, target, higher, margin, expected) -> None:
    assert (
        rag(
            D(value) if value else None,
            D(target) if target else None,
            higher_is_better=higher,
            margin=D(margin) if margin else None,
        )
        == expected
    )


@pytest.mark.parametrize(
    ("latest", "earlier", "higher", "expected"),
    [
        ("12", "10", True, Trend.IMPROVING),
        ("12", "10", False, Trend.WORSENING),
        ("8", "10", False, Trend.IMPROVING),
        ("10.05", "10", True, Trend.STEADY),
        (None, "10", True, Trend.UNKNOWN),
    ],
)
def test_trend(latest, earlier, higher, expected) -> None:
    result = trend(D(latest) if latest else None, D(earlier), higher_is_better=higher)
    assert result == expected


class TestStatusOfAUnit(BaseTestCase):
    def setUp(self) -> None:
        self.absence = indicator("fravaer-over-10")  # quarterly, lower is better

    def test_a_unit_without_a_target_inherits_the_nearest_ancestors(self) -> None:
        set_target(self.absence, self.root, 12)
        set_target(self.absence, self.children_admin, 10)
        record_value(self.absence, self.school, "2026-Q2", "10.5")
        status = status_for(self.absence, self.school, Period.parse("2026-Q2"))
        assert status.target_value == D(10)
        assert status.target_inherited
        assert status.rag == Rag.AMBER

    def test_the_units_own_target_wins_and_a_later_target_takes_over(self) -> None:
        set_target(self.absence, self.children_admin, 10)
        set_target(self.absence, self.school, 14, applies_from="2025")
        set_target(self.absence, self.school, 9, applies_from="2026-Q3")
        record_value(self.absence, self.school, "2026-Q2", "13")
        assert status_for(self.absence, self.school, Period.parse("2026-Q2")).rag == Rag.GREEN
        record_value(self.absence, self.school, "2026-Q3", "13")
        status = status_for(self.absence, self.school, Period.parse("2026-Q3"))
        assert status.target_value == D(9)
        assert not status.target_inherited
        assert status.rag == Rag.RED

    def test_the_trend_compares_with_the_same_quarter_a_year_earlier(self) -> None:
        set_target(self.absence, self.school, 10)
        record_value(self.absence, self.school, "2025-Q3", "14")
        record_value(self.absence, self.school, "2026-Q2", "8")  # a better quarter, not the one
        record_value(self.absence, self.school, "2026-Q3", "12")
        status = status_for(self.absence, self.school, Period.parse("2026-Q3"))
        assert status.trend == Trend.IMPROVING  # 12 against 14, lower is better

    def test_a_value_about_fewer_than_five_persons_is_not_shown(self) -> None:
        set_target(self.absence, self.school, 10)
        record_value(self.absence, self.school, "2026-Q3", "50", persons=4)
        status = status_for(self.absence, self.school, Period.parse("2026-Q3"))
        assert status.suppressed
        assert status.display_value == "–"
        assert status.rag == Rag.NONE
        assert status.series[-1].value is None and status.series[-1].suppressed

    def test_an_old_value_is_shown_but_not_current(self) -> None:
        record_value(self.absence, self.school, "2025-Q4", "9")
        status = status_for(self.absence, self.school, Period.parse("2026-Q3"))
        assert status.value == D(9)
        assert not status.current
        record_value(self.absence, self.school, "2026-Q2", "9")
        assert status_for(self.absence, self.school, Period.parse("2026-Q3")).current

    def test_values_follow_the_unit_through_a_reorganisation(self) -> None:
        other_admin = make_unit("Skole og Dagtilbud", parent=self.root, unit_type="administration")
        record_value(self.absence, self.school, "2025-Q4", "9")
        moved = do_move_unit(self.school, new_parent=other_admin, on=dt.date(2026, 1, 1))
        record_value(self.absence, moved, "2026-Q1", "8")
        status = status_for(self.absence, moved, Period.parse("2026-Q1"))
        assert [p.value for p in status.series[-2:]] == [D(9), D(8)]


def test_values_are_rounded_half_up_not_cut_off() -> None:
    from django.utils import translation

    from helhed.results.models import Indicator
    from helhed.results.status import format_value

    one = Indicator(decimals=1)
    none = Indicator(decimals=0)
    with translation.override("da"):
        assert format_value(one, D("14.46")) == "14,5"
        assert format_value(one, D("14.44")) == "14,4"
        assert format_value(none, D("3.5")) == "4"
        assert format_value(one, D("1234.56")) == "1.234,6"
        assert format_value(one, None) == "–"


class TestTrendPlot(BaseTestCase):
    def test_the_legend_names_only_the_series_drawn(self) -> None:
        from helhed.results.charts import trend_spec

        absence = indicator("fravaer-over-10")
        record_value(absence, self.school, "2026-Q2", "9")
        status = status_for(absence, self.school, Period.parse("2026-Q3"))
        domain = trend_spec(status)["encoding"]["color"]["scale"]["domain"]
        assert len(domain) == 1  # values only: no target, no forecast
        set_target(absence, self.school, 10)
        status = status_for(absence, self.school, Period.parse("2026-Q3"))
        with_forecast = trend_spec(status, forecast=[(Period.parse("2026-Q4"), D("8"))])
        assert len(with_forecast["encoding"]["color"]["scale"]["domain"]) == 3
