"""Management span: spans from the tree over time, the target in force, the scenario."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError

from helhed.leadership.actions.span import (
    do_set_span_target,
    history_days,
    leader_rows,
    scenario,
    span_history,
    target_in_force,
)
from helhed.leadership.models import SpanTarget
from helhed.lib.validity import today
from helhed.organisation.models import Staff, Unit
from helhed.organisation.span import Span, management_spans
from helhed.results.periods import Frequency, Period
from helhed.test import BaseTestCase, assign, indicator, make_staff, make_unit, record_value


class SpanCase(BaseTestCase):
    """Home care ("Hjemmeplejen") under the root, led by Hanne, with staff over the quarters.

    Hanne has four staff throughout; Eva's role ends at the end of the third
    quarter from the last (``days[5]``); Mads works in home care until the
    end of ``days[3]`` and then moves to Bakkeskolen (under Lise).
    """

    care: Unit
    hanne: Staff
    days: list[dt.date]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.days = [day for day, _label in history_days(today())]
        cls.care = make_unit("Hjemmeplejen", parent=cls.root, unit_type="administration")
        cls.hanne = make_staff("Hanne", "Holm", unit=cls.care, role="chief", username="hanne")
        for name in ("Asta", "Bent", "Cille", "Dan"):
            make_staff(name, unit=cls.care, role="caseworker")
        eva = make_staff("Eva")
        assign(eva, cls.care, "caseworker", valid_to=cls.days[5])
        mads = make_staff("Mads")
        assign(mads, cls.care, "caseworker", valid_to=cls.days[3])
        assign(mads, cls.school, "teacher", valid_from=cls.days[3] + dt.timedelta(days=1))


class SpanHistoryTests(SpanCase):
    def test_the_days_are_the_last_eight_quarter_ends_and_today(self) -> None:
        last = Period.last_complete(today(), Frequency.QUARTERLY)
        assert self.days[-1] == today()
        assert self.days[:-1] == [q.end for q in last.back(8)]

    def test_a_leader_with_n_reports_has_span_n_from_the_tree(self) -> None:
        spans = {span.unit.name: span.direct_reports for span in management_spans(self.root)}
        # Home care: the four who stay. The director: the chief, the analyst and Hanne
        # (the politician reports to no one). Lise: Tom and Mads, who moved in.
        assert spans == {
            "Hjemmeplejen": 4,
            "Rudersdal Kommune": 3,
            "Børn og Skole": 3,
            "Bakkeskolen": 2,
        }

    def test_a_closed_and_a_moved_role_change_the_history_at_the_right_quarter(self) -> None:
        care = [point.largest for point in span_history(self.care)]
        assert care == [6, 6, 6, 6, 5, 5, 4, 4, 4]
        school = [point.largest for point in span_history(self.school)]
        assert school == [1, 1, 1, 1, 2, 2, 2, 2, 2]

    def test_the_summary_counts_leaders_mean_and_largest(self) -> None:
        now = span_history(self.root)[-1]
        assert (now.leaders, now.reports, now.largest) == (4, 12, 4)
        assert str(now.mean) == "3.0"
        assert now.target is None and now.above_target is None

    def test_a_unit_that_did_not_exist_yet_has_no_leaders(self) -> None:
        later = make_unit(
            "Rehabilitering", parent=self.root, unit_type="administration", valid_from=self.days[6]
        )
        make_staff("Rita", unit=later, role="chief", valid_from=self.days[6])
        history = span_history(later)
        assert [p.leaders for p in history] == [0, 0, 0, 0, 0, 0, 1, 1, 1]
        assert history[0].mean is None


class SpanTargetTests(SpanCase):
    def set(self, value: int, applies_from: dt.date, *, on: dt.date | None = None) -> SpanTarget:
        return do_set_span_target(
            actor=self.director,
            municipality=self.root.municipality,
            max_direct_reports=value,
            applies_from=applies_from,
            on=on or applies_from,
        )

    def test_the_target_in_force_is_the_latest_started_on_or_before_the_day(self) -> None:
        first = self.set(30, self.days[2] - dt.timedelta(days=10))
        second = self.set(5, self.days[6] - dt.timedelta(days=10))
        targets = list(SpanTarget.objects.all())
        assert target_in_force(targets, self.days[0]) is None
        assert target_in_force(targets, self.days[2]) == first
        assert target_in_force(targets, self.days[5]) == first
        assert target_in_force(targets, self.days[6]) == second
        assert SpanTarget.in_force(self.root.municipality) == second

    def test_the_history_is_measured_against_the_target_of_each_day(self) -> None:
        self.set(30, self.days[2] - dt.timedelta(days=10))
        self.set(5, self.days[6] - dt.timedelta(days=10))
        history = span_history(self.care)
        assert [p.target for p in history] == [None, None, 30, 30, 30, 30, 5, 5, 5]
        assert [p.above_target for p in history] == [None, None, 0, 0, 0, 0, 0, 0, 0]
        self.set(3, today())
        now = span_history(self.care)[-1]
        assert (now.target, now.above_target) == (3, 1)

    def test_a_target_outside_2_to_500_or_in_the_past_is_refused(self) -> None:
        for value in (1, 501):
            with self.assertRaises(ValidationError) as caught:
                self.set(value, today())
            assert "max_direct_reports" in caught.exception.message_dict
        with self.assertRaises(ValidationError) as caught:
            self.set(10, today() - dt.timedelta(days=1), on=today())
        assert "applies_from" in caught.exception.message_dict
        assert not SpanTarget.objects.exists()

    def test_one_target_per_day_and_earlier_ones_are_kept(self) -> None:
        self.set(30, today())
        with self.assertRaises(ValidationError) as caught:
            self.set(25, today())
        assert "applies_from" in caught.exception.message_dict
        self.set(25, today() + dt.timedelta(days=1), on=today())
        assert list(SpanTarget.objects.values_list("max_direct_reports", flat=True)) == [25, 30]


class ScenarioTests(SpanCase):
    def test_hand_computed_cases(self) -> None:
        spans = [
            Span(leader=self.leader, unit=self.school, direct_reports=10),
            Span(leader=self.chief, unit=self.children_admin, direct_reports=7),
            Span(leader=self.director, unit=self.root, direct_reports=0),
        ]
        result = scenario(spans, 4)
        # ceil(10/4) + ceil(7/4) + at least 1 = 3 + 2 + 1; overall ceil(17/4) = 5.
        assert (result.needed_by_leader, result.leaders_today) == (6, 3)
        assert (result.needed_overall, result.reports) == (5, 17)
        assert (result.difference_by_leader, result.difference_overall) == (3, 2)
        exact = scenario(spans, 10)
        assert (exact.needed_by_leader, exact.needed_overall) == (3, 2)
        assert exact.difference_overall == -1

    def test_the_scenario_of_the_tree(self) -> None:
        spans = management_spans(self.root)  # 4, 3, 3, 2
        result = scenario(spans, 2)
        assert (result.needed_by_leader, result.needed_overall) == (7, 6)
        assert scenario(spans, 3).needed_by_leader == 5

    def test_a_target_outside_2_to_500_is_refused(self) -> None:
        for value in (0, 1, 501):
            with self.assertRaises(ValidationError) as caught:
                scenario([], value)
            assert "target" in caught.exception.message_dict


class AreaNumbersTests(SpanCase):
    def test_sickness_and_well_being_beside_the_span_stay_suppressed_when_few(self) -> None:
        quarter = Period.last_complete(today(), Frequency.QUARTERLY)
        record_value(indicator("sygefravaer-medarbejdere"), self.care, quarter.code, "4.8")
        record_value(
            indicator("trivsel-medarbejdere"), self.care, str(today().year - 1), 72, persons=3
        )
        target = do_set_span_target(
            actor=self.director,
            municipality=self.root.municipality,
            max_direct_reports=3,
            applies_from=today(),
        )
        rows = {r.span.unit.pk: r for r in leader_rows(management_spans(self.root), target)}
        care = rows[self.care.pk]
        assert care.over_target
        assert care.sickness is not None and care.sickness.value == Decimal("4.8")
        assert care.wellbeing is not None and care.wellbeing.suppressed
        assert care.wellbeing.display_value == "–"
        school = rows[self.school.pk]
        assert not school.over_target
        assert school.sickness is not None and school.sickness.value is None
