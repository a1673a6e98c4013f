"""Review: bad input answers 4xx (or is ignored), never 500."""

from __future__ import annotations

from django.urls import reverse

from helhed.plans.models import Action
from helhed.plans.tests.test_meeting_actions import MeetingCase


class NextParameterTests(MeetingCase):
    def test_a_next_that_is_no_path_falls_back_to_my_actions(self) -> None:
        action = self.add_action(owner=self.caseworker)
        self.login(self.caseworker)
        url = reverse("plans:action_cancel", args=[action.pk])
        response = self.client.post(url, {"note": "Ikke nødvendig", "next": "abc"})
        assert response.status_code == 302
        assert response["Location"] == reverse("plans:actions")
        action.refresh_from_db()
        assert action.status == Action.Status.CANCELLED
