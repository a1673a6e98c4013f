"""Shared data for the contradiction tests: two plans, each with efforts, a goal and meetings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone, translation

from helhed.lib.validity import today
from helhed.plans.actions.plans import do_add_effort, do_add_goal
from helhed.plans.models import Effort, Goal, Meeting, Plan
from helhed.test import BaseTestCase, engage, make_plan


def effort(plan: Plan, actor: Any, title: str, unit: Any) -> Effort:
    plan.refresh_from_db()
    return do_add_effort(
        actor=actor,
        plan=plan,
        expected_version=plan.version,
        title=title,
        responsible_unit=unit,
        legal_basis="serviceloven",
        starts_on=dt.date(2025, 1, 1),
    )


def goal(plan: Plan, actor: Any, text: str) -> Goal:
    plan.refresh_from_db()
    return do_add_goal(
        actor=actor,
        plan=plan,
        expected_version=plan.version,
        text=text,
        formulated_by=Goal.FormulatedBy.CHILD,
        formulated_by_name="Barnet",
        target_date=today() + dt.timedelta(days=200),
    )


def meeting(plan: Plan, actor: Any, days: int, status: str = Meeting.Status.PLANNED) -> Meeting:
    return Meeting.objects.create(
        plan=plan,
        starts_at=timezone.now() + dt.timedelta(days=days),
        status=status,
        created_by=actor,
        without_citizen_reason="Forberedende møde",
    )


class ContradictionCase(BaseTestCase):
    plan: Plan
    other_plan: Plan
    swimming: Effort
    therapy: Effort
    goal: Goal
    next_meeting: Meeting
    later_meeting: Meeting
    held_meeting: Meeting
    cancelled: Meeting
    other_effort: Effort
    other_goal: Goal
    other_meeting: Meeting

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.plan = make_plan(cls.alma, coordinator=cls.caseworker)
        cls.swimming = effort(cls.plan, cls.caseworker, "Svømmetræning tirsdag", cls.school)
        cls.therapy = effort(cls.plan, cls.caseworker, "Terapi tirsdag", cls.family_dept)
        cls.goal = goal(cls.plan, cls.caseworker, "Jeg vil have fri om tirsdagen")
        cls.next_meeting = meeting(cls.plan, cls.caseworker, 7)
        cls.later_meeting = meeting(cls.plan, cls.caseworker, 30)
        cls.held_meeting = meeting(cls.plan, cls.caseworker, -7, Meeting.Status.HELD)
        cls.cancelled = meeting(cls.plan, cls.caseworker, -3, Meeting.Status.CANCELLED)
        engage(cls.bror, staff=cls.caseworker)
        cls.other_plan = make_plan(cls.bror, coordinator=cls.caseworker, title="Bo i skole")
        cls.other_effort = effort(cls.other_plan, cls.caseworker, "Lektiecafé", cls.school)
        cls.other_goal = goal(cls.other_plan, cls.caseworker, "Jeg vil lære at læse")
        cls.other_meeting = meeting(cls.other_plan, cls.caseworker, 5)

    def setUp(self) -> None:
        super().setUp()
        self.enterContext(translation.override("en"))
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
