"""Contradiction pages: on the plan page and the next meeting, flag, resolve, access."""

from __future__ import annotations

from typing import Any

from helhed.audit.models import AuditEntry
from helhed.plans.actions import contradictions as actions
from helhed.plans.models import Contradiction
from helhed.plans.tests.contradictions_case import ContradictionCase


class FlagViewTests(ContradictionCase):
    def url(self) -> str:
        return f"/plans/{self.plan.pk}/contradictions/new/"

    def data(self, **changes: Any) -> dict[str, Any]:
        data = {
            "effort": self.swimming.pk,
            "other_effort": self.therapy.pk,
            "goal": "",
            "description": "Begge kræver Alma om tirsdagen",
        }
        data.update(changes)
        return data

    def test_the_coordinator_flags_it_and_it_shows_on_the_plan_and_the_agenda(self) -> None:
        self.login(self.caseworker)
        assert self.client.get(self.url()).status_code == 200
        response = self.client.post(self.url(), self.data())
        found = Contradiction.objects.get()
        self.assertRedirects(response, f"/contradictions/{found.pk}/")
        plan_page = self.client.get(f"/plans/{self.plan.pk}/")
        self.assertContains(plan_page, 'data-testid="open-contradiction"')
        self.assertContains(plan_page, "Begge kræver Alma om tirsdagen")
        self.assertContains(plan_page, "To be resolved at the next network meeting")
        agenda = self.client.get(f"/meetings/{self.next_meeting.pk}/")
        self.assertContains(agenda, "On the agenda: contradicting efforts")
        self.assertContains(agenda, "Begge kræver Alma om tirsdagen")
        later = self.client.get(f"/meetings/{self.later_meeting.pk}/")
        self.assertNotContains(later, "On the agenda: contradicting efforts")

    def test_an_effort_of_another_plan_is_refused_on_the_form(self) -> None:
        self.login(self.caseworker)
        response = self.client.post(self.url(), self.data(other_effort=self.other_effort.pk))
        assert response.status_code == 422
        assert not Contradiction.objects.exists()
        response = self.client.post(self.url(), self.data(other_effort="", goal=""))
        assert response.status_code == 422
        self.assertContains(response, "one of them", status_code=422)

    def test_a_reader_gets_403_and_an_outsider_404(self) -> None:
        self.login(self.teacher)  # sees Alma through the school, does not work on the plan
        assert self.client.get(f"/plans/{self.plan.pk}/contradictions/").status_code == 200
        assert self.client.get(self.url()).status_code == 403
        assert self.client.post(self.url(), self.data()).status_code == 403
        for who in (self.outsider, self.colleague, self.leader):
            self.login(who)
            assert self.client.post(self.url(), self.data()).status_code == 404, who
            assert self.client.get(f"/plans/{self.plan.pk}/contradictions/").status_code == 404
        assert not Contradiction.objects.exists()

    def test_wrong_method_is_405(self) -> None:
        self.login(self.caseworker)
        assert self.client.put(self.url()).status_code == 405
        assert self.client.post(f"/plans/{self.plan.pk}/contradictions/").status_code == 405


class ResolveViewTests(ContradictionCase):
    def setUp(self) -> None:
        super().setUp()
        self.found = actions.do_flag_contradiction(
            actor=self.caseworker,
            plan=self.plan,
            effort=self.swimming,
            goal=self.goal,
            description="Svømning på hendes fridag",
        )
        self.url = f"/contradictions/{self.found.pk}/resolve/"

    def test_the_detail_offers_the_plans_meetings_held_or_planned(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(f"/contradictions/{self.found.pk}/")
        assert response.status_code == 200
        meetings = list(response.context["form"].fields["meeting"].queryset)
        assert set(meetings) == {self.next_meeting, self.later_meeting, self.held_meeting}
        assert response.context["form"].initial["meeting"] == self.next_meeting.pk
        seen = AuditEntry.objects.filter(
            citizen_id=self.alma.pk, action="record.view", object_id=str(self.found.pk)
        )
        assert seen.filter(object_type__icontains="contradiction").exists()

    def test_it_is_resolved_and_shows_on_the_meeting(self) -> None:
        self.login(self.caseworker)
        data = {"meeting": self.held_meeting.pk, "resolution": "Svømning flyttes til onsdag"}
        response = self.client.post(self.url, data)
        assert response.status_code == 302
        self.found.refresh_from_db()
        assert self.found.status == Contradiction.Status.RESOLVED
        meeting_page = self.client.get(f"/meetings/{self.held_meeting.pk}/")
        self.assertContains(meeting_page, "Contradictions resolved in this meeting")
        self.assertContains(meeting_page, "Svømning flyttes til onsdag")
        plan_page = self.client.get(f"/plans/{self.plan.pk}/")
        self.assertContains(plan_page, "No open contradictions.")

    def test_a_meeting_of_another_plan_or_a_cancelled_one_is_refused(self) -> None:
        self.login(self.caseworker)
        for meeting in (self.other_meeting, self.cancelled):
            response = self.client.post(self.url, {"meeting": meeting.pk, "resolution": "Løst"})
            assert response.status_code == 422
        assert self.client.post(self.url, {"meeting": "x", "resolution": ""}).status_code == 422
        self.found.refresh_from_db()
        assert self.found.status == Contradiction.Status.OPEN

    def test_a_reader_gets_403_and_an_outsider_404(self) -> None:
        data = {"meeting": self.held_meeting.pk, "resolution": "Løst"}
        self.login(self.teacher)
        assert self.client.get(f"/contradictions/{self.found.pk}/").status_code == 200
        assert self.client.post(self.url, data).status_code == 403
        self.login(self.outsider)
        assert self.client.get(f"/contradictions/{self.found.pk}/").status_code == 404
        assert self.client.post(self.url, data).status_code == 404
        self.login(self.guardian)
        assert self.client.get(f"/contradictions/{self.found.pk}/").status_code == 404

    def test_get_does_not_resolve(self) -> None:
        self.login(self.caseworker)
        assert self.client.get(self.url).status_code == 405

    def test_the_list_searches_and_filters(self) -> None:
        self.login(self.caseworker)
        url = f"/plans/{self.plan.pk}/contradictions/"
        assert list(self.client.get(url, {"q": "fridag"}).context["page"]) == [self.found]
        assert list(self.client.get(url, {"q": "nothing"}).context["page"]) == []
        assert list(self.client.get(url, {"status": "resolved"}).context["page"]) == []
        assert self.client.get(url, {"status": "bogus"}).status_code == 200
