"""The home page points leaders to the results work waiting for them."""

from __future__ import annotations

import datetime as dt

from helhed.lib.validity import today
from helhed.results.models import CurveAction, CurvePlan, Reflection, StatusReport
from helhed.test import BaseTestCase, indicator

HOME = "/"


class ResultsAttentionTests(BaseTestCase):
    def setUp(self) -> None:
        self.committee, self.ambition, self.marker = self.make_results_chain()
        self.report = StatusReport.objects.create(
            committee=self.committee, period="2026-Q2", due_on=today()
        )

    def test_the_chief_is_asked_to_submit_the_draft(self) -> None:
        self.login(self.chief)
        response = self.client.get(HOME)
        assert response.context["attention"].reports_to_submit == 1
        self.assertContains(response, 'data-attention="reports-submit"')
        self.login(self.teacher)
        assert self.client.get(HOME).context["attention"].reports_to_submit == 0

    def test_the_director_is_asked_to_approve_a_submitted_report(self) -> None:
        self.report.status = StatusReport.Status.SUBMITTED
        self.report.save()
        self.login(self.director)
        response = self.client.get(HOME)
        assert response.context["attention"].reports_to_approve == 1
        self.assertContains(response, 'data-attention="reports-approve"')
        self.login(self.chief)
        assert self.client.get(HOME).context["attention"].reports_to_approve == 0

    def test_curve_actions_and_reflection_follow_ups_are_counted(self) -> None:
        curve = CurvePlan.objects.create(
            indicator=indicator("fravaer-over-10"), unit=self.school, owner=self.leader
        )
        CurveAction.objects.create(
            curve=curve,
            description="Ring hjem dag 1",
            owner=self.leader,
            due_on=today() - dt.timedelta(days=1),
        )
        CurveAction.objects.create(
            curve=curve, description="Done", owner=self.leader, due_on=today(), status="done"
        )
        Reflection.objects.create(
            unit=self.school,
            held_on=today() - dt.timedelta(days=20),
            led_by=self.leader,
            what_we_see="Fraværet stiger i 7. klasse",
            follow_up_owner=self.leader,
            follow_up_on=today() + dt.timedelta(days=3),
        )
        self.login(self.leader)
        card = self.client.get(HOME).context["attention"]
        assert (card.curve_actions_open, card.curve_actions_overdue) == (1, 1)
        assert card.reflections_to_follow_up == 1
