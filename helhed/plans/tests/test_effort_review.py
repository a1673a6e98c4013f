"""The review flag: an effort without progress after the review period is to be reconsidered."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.test import SimpleTestCase
from django.urls import reverse

from helhed.feedback.models import Rating, Scale
from helhed.lib.validity import today
from helhed.plans.models import Effort, Goal, NeedsRule, Plan
from helhed.plans.tests.test_worklist import make_effort
from helhed.plans.worklist import efforts_to_review, months_between
from helhed.test import BaseTestCase, make_plan

URL = reverse("plans:worklist")


def days_ago(days: int) -> dt.date:
    return today() - dt.timedelta(days=days)


class EffortReviewData(BaseTestCase):
    plan: Plan
    effort: Effort
    rule: NeedsRule

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.plan = make_plan(
            cls.alma, coordinator=cls.caseworker, participants=[(cls.teacher, cls.school)]
        )
        cls.effort = make_effort(
            cls.plan, unit=cls.family_dept, started=days_ago(200), title="Familiebehandling"
        )
        cls.rule = NeedsRule.for_municipality(cls.root.municipality)  # 120 days

    def flagged(self, rule: NeedsRule | None = None) -> list[Effort]:
        plans = Plan.objects.filter(pk=self.plan.pk)
        return [r.effort for r in efforts_to_review(plans, rule or self.rule)]

    def goal(self, status: str, changed_on: dt.date) -> Goal:
        return Goal.objects.create(
            plan=self.plan,
            text="Jeg vil gerne komme i skole hver dag",
            formulated_by=Goal.FormulatedBy.CHILD,
            formulated_by_name="Alma",
            target_date=today() + dt.timedelta(days=90),
            status=status,
            status_changed_on=changed_on,
        )

    def rate(self, on: dt.date, total: int, code: str = "cors") -> Rating:
        scale = Scale.objects.get(code=code)
        return Rating.objects.create(
            plan=self.plan,
            scale=scale,
            citizen=self.alma,
            rated_on=on,
            scores=[total / 4] * 4,
            total=Decimal(total),
            given_by="Alma",
        )


class EffortReviewRuleTests(EffortReviewData):
    def test_an_old_effort_without_progress_is_flagged(self) -> None:
        self.goal(Goal.Status.NOT_STARTED, days_ago(300))
        [review] = efforts_to_review(Plan.objects.all(), self.rule)
        self.assertEqual(review.effort, self.effort)
        self.assertEqual(review.started, days_ago(200))
        self.assertEqual(review.months_without_progress, months_between(days_ago(200), today()))
        self.assertGreaterEqual(review.months_without_progress, 6)

    def test_a_young_effort_is_not_flagged(self) -> None:
        Effort.objects.filter(pk=self.effort.pk).update(starts_on=days_ago(60))
        self.assertEqual(self.flagged(), [])

    def test_the_review_period_is_the_rules(self) -> None:
        self.assertEqual(self.flagged(NeedsRule(review_after_days=250)), [])
        self.assertEqual(self.flagged(NeedsRule(review_after_days=90)), [self.effort])

    def test_an_ended_effort_is_not_flagged(self) -> None:
        Effort.objects.filter(pk=self.effort.pk).update(ends_on=days_ago(1))
        self.assertEqual(self.flagged(), [])

    def test_a_goal_that_moved_to_progressing_after_the_start_clears_the_flag(self) -> None:
        self.goal(Goal.Status.PROGRESSING, days_ago(150))
        self.assertEqual(self.flagged(), [])

    def test_an_achieved_goal_clears_the_flag(self) -> None:
        self.goal(Goal.Status.ACHIEVED, days_ago(10))
        self.assertEqual(self.flagged(), [])

    def test_progress_before_the_effort_started_does_not_count(self) -> None:
        self.goal(Goal.Status.PROGRESSING, days_ago(250))
        self.assertEqual(self.flagged(), [self.effort])

    def test_a_stuck_goal_is_no_progress(self) -> None:
        self.goal(Goal.Status.STUCK, days_ago(20))
        self.assertEqual(self.flagged(), [self.effort])

    def test_only_the_efforts_own_goals_count_when_it_names_some(self) -> None:
        own = self.goal(Goal.Status.NOT_STARTED, days_ago(300))
        self.goal(Goal.Status.PROGRESSING, days_ago(20))  # another goal of the plan
        self.effort.goals.add(own)
        self.assertEqual(self.flagged(), [self.effort])
        Goal.objects.filter(pk=own.pk).update(
            status=Goal.Status.PROGRESSING, status_changed_on=days_ago(5)
        )
        self.assertEqual(self.flagged(), [])

    def test_a_reliable_improvement_in_the_outcome_rating_clears_the_flag(self) -> None:
        self.rate(days_ago(210), 18)
        self.rate(days_ago(100), 20)
        self.rate(days_ago(10), 24)  # +6 on CORS, whose reliable change is 6
        self.assertEqual(self.flagged(), [])

    def test_a_smaller_improvement_is_noise_and_keeps_the_flag(self) -> None:
        self.rate(days_ago(210), 18)
        self.rate(days_ago(10), 23)  # +5
        self.assertEqual(self.flagged(), [self.effort])

    def test_a_first_rating_after_the_start_is_the_baseline(self) -> None:
        self.rate(days_ago(190), 15)
        self.rate(days_ago(10), 22)
        self.assertEqual(self.flagged(), [])

    def test_ratings_only_from_before_the_start_show_no_progress(self) -> None:
        self.rate(days_ago(400), 10)
        self.rate(days_ago(210), 30)
        self.assertEqual(self.flagged(), [self.effort])

    def test_session_ratings_are_not_outcome(self) -> None:
        self.rate(days_ago(210), 10, code="csrs")
        self.rate(days_ago(10), 38, code="csrs")
        self.assertEqual(self.flagged(), [self.effort])

    def test_another_citizens_ratings_do_not_count(self) -> None:
        Effort.objects.filter(pk=self.effort.pk).update(citizen=self.alma)
        scale = Scale.objects.get(code="ors")
        for on, total in ((days_ago(210), 10), (days_ago(10), 30)):
            Rating.objects.create(
                plan=self.plan,
                scale=scale,
                citizen=self.mother,
                rated_on=on,
                scores=[total / 4] * 4,
                total=Decimal(total),
                given_by="Mette",
            )
        self.assertEqual(self.flagged(), [self.effort])


class EffortReviewPageTests(EffortReviewData):
    def test_the_coordinator_sees_the_effort_to_reconsider(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, f'data-effort="{self.effort.pk}"')
        self.assertContains(response, "Familiebehandling")
        [(review, _url)] = response.context["reviews"]
        self.assertEqual(review.effort, self.effort)

    def test_a_participant_sees_it_too(self) -> None:
        self.login(self.teacher)
        self.assertContains(self.client.get(URL), f'data-effort="{self.effort.pk}"')

    def test_a_colleague_who_does_not_work_on_the_plan_does_not(self) -> None:
        self.login(self.colleague)
        self.assertNotContains(self.client.get(URL), 'data-effort="')

    def test_a_leader_does_not_see_efforts(self) -> None:
        self.login(self.leader)
        response = self.client.get(URL)
        self.assertNotContains(response, 'data-effort="')
        self.assertNotContains(response, "Familiebehandling")

    def test_progress_removes_it_from_the_page(self) -> None:
        self.goal(Goal.Status.PROGRESSING, days_ago(30))
        self.login(self.caseworker)
        self.assertNotContains(self.client.get(URL), 'data-effort="')


class MonthsTests(SimpleTestCase):
    def test_whole_calendar_months(self) -> None:
        self.assertEqual(months_between(dt.date(2025, 1, 31), dt.date(2025, 2, 28)), 0)
        self.assertEqual(months_between(dt.date(2025, 1, 15), dt.date(2025, 7, 15)), 6)
        self.assertEqual(months_between(dt.date(2024, 11, 20), dt.date(2025, 5, 19)), 5)
