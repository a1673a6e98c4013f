"""Review: bad input answers 4xx (or is ignored), never 500."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.lib.validity import today
from helhed.plans.models import Action, Effort, LegalBasis, Meeting, Plan
from helhed.plans.tests.test_meeting_actions import MeetingCase
from helhed.test import engage


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


HUGE = "99999999999999999999999"


class HugeIdTests(MeetingCase):
    """Django guards ``pk=`` against ids too large for the database, not ``pk__in=``."""

    def test_a_huge_goal_id_in_an_effort_is_an_invalid_choice(self) -> None:
        self.login(self.caseworker)
        url = reverse("plans:effort_add", args=[self.plan.pk])
        data = {
            "expected_version": self.plan.version,
            "title": "Støtte",
            "responsible_unit": self.school.pk,
            "legal_basis": LegalBasis.FOLKESKOLELOVEN,
            "starts_on": today().isoformat(),
            "monthly_cost": "0",
            "goals": [HUGE],
        }
        response = self.client.post(url, data)
        assert response.status_code == 400
        assert "goals" in response.context["form"].errors
        assert not Effort.objects.exists()

    def test_a_huge_staff_id_at_a_meeting_is_an_invalid_choice(self) -> None:
        self.login(self.caseworker)
        url = reverse("plans:meeting_create", args=[self.plan.pk])
        when = today() + dt.timedelta(days=3)
        data = {"date": when.isoformat(), "time": "10:00", "place": "Rådhuset", "staff": [HUGE]}
        response = self.client.post(url, data)
        assert response.status_code == 400
        assert not Meeting.objects.exists()

    def test_a_huge_adult_id_on_a_new_plan_is_an_invalid_choice(self) -> None:
        engage(self.bror, staff=self.caseworker)
        self.login(self.caseworker)
        response = self.client.post(
            reverse("plans:create") + f"?citizen={self.bror.pk}",
            {"kind": "family", "title": "Bo", "coordinator": self.caseworker.pk, "adults": [HUGE]},
        )
        assert response.status_code == 400
        assert "adults" in response.context["form"].errors


class FormDataToTheApiTests(ApiTestCase):
    def test_a_form_posted_to_a_json_endpoint_is_refused_not_a_500(self) -> None:
        token = self.token_for(self.caseworker)
        response = self.client.post(
            "/api/plans",
            {"citizen_id": str(self.alma.pk), "title": "Alma"},
            headers={"authorization": f"Bearer {token}"},
        )
        assert 400 <= response.status_code < 500
        assert not Plan.objects.exists()
