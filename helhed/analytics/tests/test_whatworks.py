"""What works: efforts compared by method and by supplier, with hand-computed figures.

The cast (window: 2025), all children on CORS (cut-off 28, reliable change 6):

* FIT at Familieafdelingen, efforts from 1 February: c1 (ended 15 June),
  c2 (two FIT efforts), c3, c4, c5 and c6 (no ratings). Changes from baseline
  to latest: c1 +8 (18 to 26), c2 +10 (20 to 30), c3 +4 (25 to 29, crosses the
  cut-off), c4 -7 (24 to 17), c5 +7 (14 to 21: the last rating before the
  start, not the first, 10, is the baseline).
* LØFT: c7 at Familieafdelingen (+7, 20 to 27), c8-c10 at Bakkeskolen.
* No method, sector health, at Sundhedsplejen: c11-c14 and a family effort
  in c15's plan; c11 and c12 rated (too few), c11 and c12 ended 1 October
  (c13's ends after the window: still running in it).
* Out of the window: c16's FIT effort in 2024, c6's second FIT effort in 2026.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import translation

from helhed.analytics import whatworks
from helhed.analytics.whatworks import GoalProgress, Group, OutcomeProgress
from helhed.citizens.models import Citizen
from helhed.feedback.models import Rating, Scale
from helhed.leadership.models import Method
from helhed.organisation.models import Sector, Unit
from helhed.plans.models import Effort, Goal, Plan
from helhed.plans.tests.test_worklist import make_effort
from helhed.test import BaseTestCase, make_citizen, make_plan, make_unit, municipality

D = dt.date
START, END = D(2025, 1, 1), D(2025, 12, 31)
FROM_FEB = D(2025, 2, 1)


class WhatWorksTests(BaseTestCase):
    fit: Method
    loeft: Method
    health: Unit
    cors: Scale
    children: dict[int, Citizen]
    plans: dict[int, Plan]
    efforts: dict[int, Effort]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.fit = cls.method("FIT")
        cls.loeft = cls.method("LØFT")
        cls.health = make_unit("Sundhedsplejen", parent=cls.children_admin, sector="health")
        cls.cors = Scale.objects.get(code="cors")
        cls.children, cls.plans, cls.efforts = {}, {}, {}
        for n in range(1, 17):
            child = make_citizen(f"Barn{n}", "Berg", birth_date=D(2014, 1, n))
            cls.children[n] = child
            cls.plans[n] = make_plan(child, coordinator=cls.caseworker, title=f"Barn {n}")

        for n in range(1, 7):
            cls.efforts[n] = cls.effort(n, cls.family_dept, method=cls.fit)
        Effort.objects.filter(pk=cls.efforts[1].pk).update(ends_on=D(2025, 6, 15))
        cls.effort(2, cls.family_dept, method=cls.fit, started=D(2025, 5, 15))
        cls.effort(7, cls.family_dept, method=cls.loeft)
        for n in (8, 9, 10):
            cls.effort(n, cls.school, method=cls.loeft)
        for n in (11, 12, 13, 14):
            ends = {11: D(2025, 10, 1), 12: D(2025, 10, 1), 13: D(2026, 3, 1)}.get(n)
            cls.efforts[n] = cls.effort(n, cls.health, sector="health", ends=ends)
        cls.effort(15, cls.health, sector="health", family=True)
        cls.effort(16, cls.family_dept, method=cls.fit, started=D(2024, 1, 1), ends=D(2024, 12, 31))
        cls.effort(6, cls.family_dept, method=cls.fit, started=D(2026, 1, 10))

        cls.rate(1, [(D(2025, 1, 20), 18), (D(2025, 4, 1), 22), (D(2025, 6, 1), 26)])
        cls.rate(1, [(D(2025, 7, 1), 10)])  # after c1's effort ended
        cls.rate(2, [(D(2025, 2, 1), 20), (D(2025, 5, 1), 30)])
        cls.rate(2, [(D(2026, 2, 1), 5)])  # after the window
        cls.rate(3, [(D(2025, 3, 1), 25), (D(2025, 6, 1), 29)])
        cls.rate(3, [(D(2025, 3, 1), 10), (D(2025, 6, 1), 38)], code="csrs")  # session scale
        cls.rate(4, [(D(2025, 1, 10), 24), (D(2025, 5, 1), 17)])
        cls.rate(5, [(D(2024, 12, 1), 10), (D(2025, 1, 15), 14), (D(2025, 4, 1), 21)])
        cls.rate(7, [(D(2025, 1, 20), 20), (D(2025, 9, 1), 27)])
        cls.rate(11, [(D(2025, 1, 1), 10), (D(2025, 3, 1), 20)])
        cls.rate(12, [(D(2025, 1, 1), 10), (D(2025, 3, 1), 12)])

        # FIT's goals: c1's first and c2's moved (c2's achieved); the rest did not.
        cls.goal(1, Goal.Status.PROGRESSING, D(2025, 3, 1))
        cls.goal(1, Goal.Status.ACHIEVED, D(2025, 8, 1))  # after c1's effort ended
        cls.goal(2, Goal.Status.ACHIEVED, D(2025, 9, 1))
        cls.goal(3, Goal.Status.STUCK, D(2025, 4, 1))
        cls.goal(4, Goal.Status.PROGRESSING, D(2025, 1, 15))  # before the effort started
        cls.goal(5, Goal.Status.NOT_STARTED, D(2025, 1, 1))
        cls.goal(11, Goal.Status.ACHIEVED, D(2025, 5, 1))

    # ------------------------------------------------------------------ factories

    @classmethod
    def method(cls, name: str) -> Method:
        return Method.objects.create(
            municipality=municipality(230),
            name=name,
            description=f"{name} i familiearbejdet.",
            research_basis="Praksis.",
            owner=cls.analyst,
        )

    @classmethod
    def effort(
        cls,
        n: int,
        unit: Unit,
        *,
        method: Method | None = None,
        sector: str | None = None,
        started: dt.date = FROM_FEB,
        ends: dt.date | None = None,
        family: bool = False,
    ) -> Effort:
        effort = make_effort(
            cls.plans[n],
            unit=unit,
            sector=sector,
            started=started,
            ends=ends,
            citizen=None if family else cls.children[n],
        )
        if method is not None:
            effort.method = method
            effort.save(update_fields=["method"])
        return effort

    @classmethod
    def rate(cls, n: int, totals: list[tuple[dt.date, int]], code: str = "cors") -> None:
        scale = Scale.objects.get(code=code)
        for on, total in totals:
            Rating.objects.create(
                plan=cls.plans[n],
                scale=scale,
                citizen=cls.children[n],
                rated_on=on,
                scores=[total / 4] * 4,
                total=Decimal(total),
                given_by="Barnet",
            )

    @classmethod
    def goal(
        cls,
        n: int,
        status: str,
        changed_on: dt.date,
        *,
        named: bool = True,
        about: Citizen | None = None,
    ) -> Goal:
        goal = Goal.objects.create(
            plan=cls.plans[n],
            citizen=about or cls.children[n],
            text="Jeg vil gerne komme i skole hver dag",
            formulated_by=Goal.FormulatedBy.CHILD,
            formulated_by_name=f"Barn {n}",
            target_date=D(2026, 6, 1),
            status=status,
            status_changed_on=changed_on,
        )
        if named:
            cls.efforts[n].goals.add(goal)
        return goal

    # ------------------------------------------------------------------ helpers

    def setUp(self) -> None:
        super().setUp()
        self.enterContext(translation.override("en"))

    def by_type(self, start: dt.date = START, end: dt.date = END) -> dict[str, Group]:
        comparison = whatworks.by_type(Effort.objects.all(), start=start, end=end)
        return {g.label: g for g in comparison.groups}

    def by_supplier(self) -> dict[str, Group]:
        comparison = whatworks.by_supplier(Effort.objects.all(), start=START, end=END)
        return {g.label: g for g in comparison.groups}

    # ------------------------------------------------------------------ by type

    def test_it_groups_by_method_and_by_sector_without_one_in_label_order(self) -> None:
        comparison = whatworks.by_type(Effort.objects.all(), start=START, end=END)
        self.assertEqual([g.label for g in comparison.groups], ["FIT", "Health", "LØFT"])
        health = Sector.objects.get(code="health")
        self.assertEqual(
            [g.key for g in comparison.groups],
            [f"method:{self.fit.pk}", f"sector:{health.pk}", f"method:{self.loeft.pk}"],
        )
        self.assertEqual(comparison.by, "type")
        self.assertEqual((comparison.start, comparison.end), (START, END))

    def test_it_counts_citizens_efforts_and_ended_efforts_in_the_window(self) -> None:
        fit = self.by_type()["FIT"]
        # c2's two efforts count once as a citizen; c16's 2024 and c6's 2026 efforts not at all.
        self.assertEqual((fit.citizens, fit.efforts, fit.ended), (6, 7, 1))
        self.assertFalse(fit.suppressed)

    def test_it_computes_the_outcome_progress_of_the_citizens_with_two_ratings(self) -> None:
        fit = self.by_type()["FIT"]
        # c6 has no ratings: counted among the 6 citizens, not among the 5 rated.
        # Mean (8 + 10 + 4 - 7 + 7) / 5 = 4.4; improved c1, c2, c5 = 3/5;
        # better off c1, c2, c5 and c3 (crossed the cut-off) = 4/5; deteriorated c4 = 1/5.
        self.assertEqual(
            fit.outcome,
            OutcomeProgress(
                citizens=5,
                mean_change=Decimal("4.4"),
                improved_share=Decimal("60.0"),
                better_off_share=Decimal("80.0"),
                deteriorated_share=Decimal("20.0"),
            ),
        )

    def test_without_a_rating_before_the_start_the_first_inside_is_the_baseline(self) -> None:
        Rating.objects.filter(citizen=self.children[5], rated_on__lt=FROM_FEB).delete()
        Rating.objects.create(
            plan=self.plans[5],
            scale=self.cors,
            citizen=self.children[5],
            rated_on=D(2025, 3, 1),
            scores=[4, 4, 4, 4],
            total=Decimal(16),
            given_by="Barnet",
        )
        outcome = self.by_type()["FIT"].outcome
        assert outcome is not None
        # c5 now 16 (1 March) to 21: +5, no reliable change. (8 + 10 + 4 - 7 + 5) / 5 = 4.0.
        self.assertEqual(outcome.mean_change, Decimal("4.0"))
        self.assertEqual(outcome.improved_share, Decimal("40.0"))

    def test_a_single_rating_inside_the_span_is_no_progress(self) -> None:
        Rating.objects.filter(citizen=self.children[5], rated_on__lt=FROM_FEB).delete()
        outcome = self.by_type()["FIT"].outcome
        # c5 has only the 1 April rating left: four rated, fewer than five, so no figures.
        self.assertIsNone(outcome)
        self.assertEqual(self.by_type()["FIT"].citizens, 6)

    def test_a_citizen_rated_on_two_scales_counts_by_the_one_rated_more_in_the_span(
        self,
    ) -> None:
        # c3 also has ORS (cut-off 25, reliable change 5): 10 before the start, 40 on 1 March.
        self.rate(3, [(D(2025, 1, 1), 10), (D(2025, 3, 1), 40)], code="ors")
        outcome = self.by_type()["FIT"].outcome
        assert outcome is not None
        self.assertEqual(outcome.mean_change, Decimal("4.4"))  # CORS, two ratings inside
        self.rate(3, [(D(2025, 4, 1), 40), (D(2025, 5, 1), 40)], code="ors")
        outcome = self.by_type()["FIT"].outcome
        assert outcome is not None
        # Now ORS, three ratings inside: c3 +30. (8 + 10 + 30 - 7 + 7) / 5 = 9.6.
        self.assertEqual(outcome.mean_change, Decimal("9.6"))
        self.assertEqual(outcome.improved_share, Decimal("80.0"))

    def test_ratings_in_another_plan_do_not_count(self) -> None:
        # Recorded in c7's plan (as if by mistake): not about c4's effort.
        Rating.objects.filter(citizen=self.children[4]).update(plan=self.plans[7])
        outcome = self.by_type()["FIT"].outcome
        self.assertIsNone(outcome)  # four rated left

    def test_a_method_with_four_citizens_shows_only_its_name(self) -> None:
        loeft = self.by_type()["LØFT"]
        self.assertTrue(loeft.suppressed)
        self.assertEqual(
            loeft,
            Group(
                key=f"method:{self.loeft.pk}",
                label="LØFT",
                citizens=None,
                efforts=None,
                ended=None,
                outcome=None,
                goals=None,
            ),
        )

    def test_a_family_effort_counts_for_the_plans_lead_citizen(self) -> None:
        health = self.by_type()["Health"]
        # Four own efforts and c15's family effort: five citizens, so the group is shown.
        self.assertEqual((health.citizens, health.efforts, health.ended), (5, 5, 2))

    def test_figures_behind_fewer_than_five_citizens_are_left_out(self) -> None:
        health = self.by_type()["Health"]
        self.assertIsNone(health.outcome)  # c11 and c12 rated
        self.assertIsNone(health.goals)  # c11's goal

    def test_the_window_chooses_the_efforts(self) -> None:
        groups = self.by_type(start=D(2024, 1, 1), end=D(2024, 12, 31))
        self.assertEqual(list(groups), ["FIT"])
        self.assertTrue(groups["FIT"].suppressed)  # c16 alone
        self.assertEqual(whatworks.by_type(Effort.objects.none(), start=START, end=END).groups, ())

    def test_the_callers_queryset_limits_the_efforts(self) -> None:
        efforts = Effort.objects.filter(responsible_unit=self.health)
        comparison = whatworks.by_type(efforts, start=START, end=END)
        self.assertEqual([g.label for g in comparison.groups], ["Health"])

    # ------------------------------------------------------------------ goals

    def test_goals_moved_within_the_effort_count(self) -> None:
        # Six goals of five citizens: c1's first (progressing 1 March) and c2's (achieved
        # 1 September) moved; c1's second moved after the effort ended, c4's before it began.
        self.assertEqual(
            self.by_type()["FIT"].goals,
            GoalProgress(
                citizens=5,
                goals=6,
                moved_share=Decimal("33.3"),
                achieved_share=Decimal("16.7"),
            ),
        )

    def test_an_effort_naming_no_goals_serves_its_plans_goals_about_its_citizen(self) -> None:
        self.goal(6, Goal.Status.PROGRESSING, D(2025, 5, 1), named=False)  # counts
        self.goal(6, Goal.Status.ACHIEVED, D(2025, 5, 1), named=False, about=self.bror)
        self.goal(1, Goal.Status.ACHIEVED, D(2025, 5, 1), named=False)  # c1's effort names goals
        # Seven goals of six citizens, three moved (c6's too), one achieved.
        self.assertEqual(
            self.by_type()["FIT"].goals,
            GoalProgress(
                citizens=6,
                goals=7,
                moved_share=Decimal("42.9"),
                achieved_share=Decimal("14.3"),
            ),
        )

    # ------------------------------------------------------------------ by supplier

    def test_it_compares_suppliers(self) -> None:
        suppliers = self.by_supplier()
        self.assertEqual(list(suppliers), ["Bakkeskolen", "Familieafdelingen", "Sundhedsplejen"])
        self.assertTrue(suppliers["Bakkeskolen"].suppressed)  # c8-c10
        self.assertEqual(suppliers["Familieafdelingen"].key, f"unit:{self.family_dept.key}")
        department = suppliers["Familieafdelingen"]
        # FIT's six citizens and c7 (LØFT, +7 from 20 to 27, still below the cut-off).
        self.assertEqual((department.citizens, department.efforts, department.ended), (7, 8, 1))
        # Mean (8 + 10 + 4 - 7 + 7 + 7) / 6 = 4.83; improved 4/6; better off 5/6; down 1/6.
        self.assertEqual(
            department.outcome,
            OutcomeProgress(
                citizens=6,
                mean_change=Decimal("4.8"),
                improved_share=Decimal("66.7"),
                better_off_share=Decimal("83.3"),
                deteriorated_share=Decimal("16.7"),
            ),
        )
        health = suppliers["Sundhedsplejen"]
        self.assertEqual((health.citizens, health.efforts, health.ended), (5, 5, 2))

    # ------------------------------------------------------------------ the rest

    def test_the_result_carries_the_caveat(self) -> None:
        comparison = whatworks.by_supplier(Effort.objects.all(), start=START, end=END)
        self.assertIn("not randomly assigned", str(comparison.caveat))
        self.assertEqual(comparison.min_persons, 5)

    def test_the_queries_do_not_grow_with_the_efforts(self) -> None:
        # Efforts, plans' lead citizens, ratings, efforts' goals, goals.
        with self.assertNumQueries(5):
            whatworks.by_type(Effort.objects.all(), start=START, end=END)
        with self.assertNumQueries(5):
            whatworks.by_supplier(Effort.objects.all(), start=START, end=END)
        # Without family efforts there are no lead citizens to look up.
        with self.assertNumQueries(4):
            whatworks.by_supplier(Effort.objects.exclude(citizen=None), start=START, end=END)

    def test_it_refuses_a_bad_grouping_or_window(self) -> None:
        with self.assertRaises(ValueError):
            whatworks.compare(Effort.objects.all(), by="cost", start=START, end=END)  # type: ignore[arg-type]
        with self.assertRaises(ValueError):
            whatworks.compare(Effort.objects.all(), by="type", start=END, end=START)
