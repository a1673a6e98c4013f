"""Freshness, counted by hand on a small committee: 2 markers, 3 rows, 1 narrative."""

from __future__ import annotations

import pytest

from helhed.lib.validity import today
from helhed.results.actions.curves import do_set_forecast, do_start_curve
from helhed.results.freshness import Freshness, leader_freshness, report_freshness
from helhed.results.models import Committee, Indicator, Marker, ReportNarrative, StatusReport
from helhed.results.periods import Frequency, Period
from helhed.test import (
    BaseTestCase,
    indicator,
    make_ambition,
    make_committee,
    make_marker,
    make_staff,
    record_value,
    set_target,
)


def test_the_score_is_the_mean_of_the_shares_that_apply() -> None:
    f = Freshness(rows=4, current_rows=3, markers=2, narrated_markers=1)
    assert (f.current_share, f.narrative_share, f.forecast_share) == (0.75, 0.5, None)
    assert f.score == pytest.approx(0.625)
    assert Freshness().score is None


class FreshnessCase(BaseTestCase):
    """The committee's two markers, both for Bakkeskolen, at the last complete quarter P.

    * Marker A (owner: the chief): absence. 1 row.
    * Marker B (owner: the school leader): absence and exam grades. 2 rows.

    Absence at P is 15 against a target of 8 (red, current); the grades have
    no value (grey, not current). So 2 of 3 rows are current, and both red
    rows are absence for Bakkeskolen. Marker A has a narrative in the report.
    """

    committee: Committee
    marker_a: Marker
    marker_b: Marker
    absence: Indicator
    report: StatusReport
    period: Period

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.period = Period.last_complete(today(), Frequency.QUARTERLY)
        cls.absence = indicator("fravaer-over-10")
        grades = indicator("karakter-02-dansk-matematik")
        cls.committee = make_committee()
        ambition = make_ambition(
            committee=cls.committee,
            owner=cls.chief,
            units=[cls.children_admin],
            first_year=cls.period.year - 1,
            last_year=cls.period.year + 1,
        )
        cls.marker_a = make_marker(
            ambition, owner=cls.chief, indicators=[cls.absence], units=[cls.school], title="A"
        )
        cls.marker_b = make_marker(
            ambition,
            owner=cls.leader,
            indicators=[cls.absence, grades],
            units=[cls.school],
            title="B",
        )
        set_target(cls.absence, cls.school, 8, applies_from="2020")
        record_value(cls.absence, cls.school, cls.period.previous().code, 14)
        record_value(cls.absence, cls.school, cls.period.code, 15)
        cls.report = StatusReport.objects.create(
            committee=cls.committee, period=cls.period.code, due_on=today()
        )
        ReportNarrative.objects.create(
            report=cls.report, marker=cls.marker_a, text="Rising.", written_by=cls.chief
        )

    def set_forecast(self) -> None:
        curve = do_start_curve(actor=self.chief, indicator=self.absence, unit=self.school)
        do_set_forecast(actor=self.chief, curve=curve, rows=[(self.period.next().code, "16")])


class ReportFreshnessTests(FreshnessCase):
    def test_the_shares_counted_by_hand(self) -> None:
        f = report_freshness(self.report)
        assert (f.rows, f.current_rows, f.markers, f.narrated_markers) == (3, 2, 2, 1)
        assert (f.off_target_rows, f.forecast_rows) == (2, 0)
        assert f.narrative_share == 0.5
        assert f.current_share == pytest.approx(2 / 3)
        assert f.forecast_share == 0
        assert f.score == pytest.approx((2 / 3 + 0.5 + 0) / 3)

    def test_a_plan_counts_once_its_forecast_is_set(self) -> None:
        curve = do_start_curve(actor=self.chief, indicator=self.absence, unit=self.school)
        assert report_freshness(self.report).forecast_rows == 0  # started, no forecast yet
        do_set_forecast(actor=self.chief, curve=curve, rows=[(self.period.next().code, "16")])
        f = report_freshness(self.report)
        assert (f.forecast_rows, f.forecast_share) == (2, 1.0)
        assert f.score == pytest.approx((2 / 3 + 0.5 + 1) / 3)

    def test_a_green_report_is_not_scored_on_forecasts(self) -> None:
        record_value(self.absence, self.school, self.period.code, 7)
        f = report_freshness(self.report)
        assert (f.off_target_rows, f.forecast_share) == (0, None)
        assert f.score == pytest.approx((2 / 3 + 0.5) / 2)

    def test_ambitions_not_covering_the_period_are_left_out(self) -> None:
        old = StatusReport.objects.create(
            committee=self.committee, period=str(self.period.year - 5), due_on=today()
        )
        f = report_freshness(old)
        assert (f.rows, f.markers, f.score) == (0, 0, None)


class LeaderFreshnessTests(FreshnessCase):
    def test_the_chief_owns_marker_a(self) -> None:
        f = leader_freshness(self.chief, self.period)
        assert (f.rows, f.current_rows, f.markers, f.narrated_markers) == (1, 1, 1, 1)
        assert (f.off_target_rows, f.forecast_rows) == (1, 0)
        assert f.score == pytest.approx(2 / 3)

    def test_the_school_leader_owns_marker_b(self) -> None:
        self.set_forecast()
        f = leader_freshness(self.leader, self.period)
        assert (f.current_share, f.narrative_share, f.forecast_share) == (0.5, 0.0, 1.0)
        assert f.score == pytest.approx(0.5)

    def test_the_latest_report_up_to_the_period_is_the_one_that_counts(self) -> None:
        later = StatusReport.objects.create(
            committee=self.committee, period=self.period.next().code, due_on=today()
        )
        assert leader_freshness(self.chief, self.period).narrative_share == 1.0
        assert leader_freshness(self.chief, self.period.next()).narrative_share == 0.0
        ReportNarrative.objects.create(
            report=later, marker=self.marker_a, text="x", written_by=self.chief
        )
        assert leader_freshness(self.chief, self.period.next()).narrative_share == 1.0

    def test_no_report_yet_means_no_narrative_share(self) -> None:
        StatusReport.objects.all().delete()
        f = leader_freshness(self.chief, self.period)
        assert (f.markers, f.narrative_share) == (0, None)

    def test_a_leader_without_markers_has_no_score(self) -> None:
        f = leader_freshness(make_staff("Nils", "Nul"), self.period)
        assert (f.rows, f.markers, f.score) == (0, 0, None)

    def test_counting_takes_a_fixed_number_of_queries(self) -> None:
        with self.assertNumQueries(10):
            leader_freshness(self.leader, self.period)
