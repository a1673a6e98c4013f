"""The home page's "waiting for you" card: counts that link to the lists, never names."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from helhed.lib.validity import today
from helhed.plans.models import Action, Concern, Meeting, MeetingParticipant
from helhed.test import BaseTestCase, make_plan

HOME = reverse("home")


class AttentionTests(BaseTestCase):
    def setUp(self) -> None:
        self.plan = make_plan(
            self.alma, coordinator=self.caseworker, participants=[(self.teacher, self.school)]
        )
        self.day = today()

    def action(self, due: dt.date, *, status: str = Action.Status.OPEN) -> Action:
        return Action.objects.create(
            plan=self.plan,
            description="Ring til skolen om Almas fravær",
            owner=self.teacher,
            due_on=due,
            status=status,
        )

    def test_it_counts_open_and_overdue_actions_of_the_user(self) -> None:
        self.action(self.day - dt.timedelta(days=3))
        self.action(self.day + dt.timedelta(days=3))
        self.action(self.day - dt.timedelta(days=9), status=Action.Status.DONE)
        self.login(self.teacher)
        response = self.client.get(HOME)
        card = response.context["attention"]
        self.assertEqual((card.open_actions, card.overdue_actions), (2, 1))
        self.assertContains(response, 'data-attention="actions"')

    def test_the_school_leader_sees_overdue_counts_of_the_school_without_names(self) -> None:
        self.action(self.day - dt.timedelta(days=3))
        Concern.objects.create(
            citizen=self.alma,
            unit=self.school,
            raised_by=self.teacher,
            observation="Alma virker trist",
            category=Concern.Category.WELLBEING,
            severity=Concern.Severity.MEDIUM,
            parents_informed=True,
            follow_up_owner=self.teacher,
            follow_up_on=self.day - dt.timedelta(days=1),
        )
        self.login(self.leader)
        response = self.client.get(HOME)
        card = response.context["attention"]
        self.assertEqual((card.led_overdue_actions, card.led_overdue_concerns), (1, 1))
        self.assertNotContains(response, "Alma")
        self.assertNotContains(response, "fravær")

    def test_meetings_of_the_coming_week_count_for_their_participants(self) -> None:
        meeting = Meeting.objects.create(
            plan=self.plan,
            starts_at=timezone.now() + dt.timedelta(days=2),
            created_by=self.caseworker,
        )
        MeetingParticipant.objects.create(
            meeting=meeting, staff=self.caseworker, name="Sara Sand", role="Koordinator"
        )
        self.login(self.caseworker)
        self.assertEqual(self.client.get(HOME).context["attention"].meetings_this_week, 1)
        self.login(self.teacher)  # not invited
        self.assertEqual(self.client.get(HOME).context["attention"].meetings_this_week, 0)

    def test_nothing_waiting_shows_no_card(self) -> None:
        self.login(self.colleague)
        self.assertNotContains(self.client.get(HOME), 'data-testid="attention"')
