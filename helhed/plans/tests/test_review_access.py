"""Review: the API may not hand a named child to staff who work with aggregates only.

The web offers only front-line staff (and leaders, for a concern) as a plan's
coordinator or a concern's follow-up owner; analysts and politicians never see
a named child. The API took any staff id of the municipality, which opened
the child's plan or concern to them. The actions now refuse it for every caller.
"""

from __future__ import annotations

from helhed import policy
from helhed.plans.models import Concern, Plan
from helhed.plans.tests.test_concern_api import ConcernApiTestCase


class AggregateRolesGetNoChildTests(ConcernApiTestCase):
    def test_a_politician_cannot_be_made_a_plans_coordinator(self) -> None:
        body = {"citizen_id": self.alma.pk, "title": "Alma", "coordinator_id": self.politician.pk}
        response = self.api("post", "/api/plans", as_=self.caseworker, body=body)
        assert response.status_code == 422, response.content
        assert not Plan.objects.exists()
        assert not policy.can_view_citizen(self.politician.user, self.alma)

    def test_an_analyst_cannot_be_made_a_concerns_follow_up_owner(self) -> None:
        body = self.payload(follow_up_owner_id=self.analyst.pk)
        response = self.api("post", "/api/concerns", as_=self.teacher, body=body)
        assert response.status_code == 422, response.content
        assert not Concern.objects.exists()

    def test_a_concern_cannot_be_handed_on_to_a_politician(self) -> None:
        concern = self.log()
        body = {"note": "Videre", "follow_up_owner_id": self.politician.pk}
        response = self.api(
            "post", f"/api/concerns/{concern.pk}/notes", as_=self.teacher, body=body
        )
        assert response.status_code == 422, response.content
        concern.refresh_from_db()
        assert concern.follow_up_owner == self.teacher
        assert (
            self.api("get", f"/api/concerns/{concern.pk}", as_=self.politician).status_code == 404
        )

    def test_escalating_to_a_plan_cannot_make_an_analyst_coordinator(self) -> None:
        concern = self.log()
        body = {"coordinator_id": self.analyst.pk}
        response = self.api("post", f"/api/concerns/{concern.pk}/plan", as_=self.teacher, body=body)
        assert response.status_code == 422, response.content
        assert not Plan.objects.exists()

    def test_a_front_line_coordinator_and_a_leader_owner_are_still_accepted(self) -> None:
        body = {"citizen_id": self.alma.pk, "title": "Alma", "coordinator_id": self.teacher.pk}
        assert self.api("post", "/api/plans", as_=self.caseworker, body=body).status_code == 201
        body = self.payload(follow_up_owner_id=self.leader.pk)
        assert self.api("post", "/api/concerns", as_=self.teacher, body=body).status_code == 201
