"""The contradictions API: list per plan, flag, resolve, with the web's rules."""

from __future__ import annotations

from typing import Any

from helhed.plans.models import Contradiction
from helhed.plans.tests.contradictions_case import ContradictionCase


class ContradictionApiTests(ContradictionCase):
    def flag(self, **changes: Any) -> Any:
        data = {
            "plan_id": self.plan.pk,
            "effort_id": self.swimming.pk,
            "other_effort_id": self.therapy.pk,
            "description": "To steder på én gang",
        }
        data.update(changes)
        return self.client.post("/api/contradictions", data, content_type="application/json")

    def test_flag_list_and_resolve(self) -> None:
        self.login(self.caseworker)
        response = self.flag()
        assert response.status_code == 201
        found = response.json()
        assert found["status"] == "open" and found["effort"] == "Svømmetræning tirsdag"
        listed = self.client.get("/api/contradictions", {"plan_id": self.plan.pk})
        assert [c["id"] for c in listed.json()["items"]] == [found["id"]]
        resolved = self.client.post(
            f"/api/contradictions/{found['id']}/resolve",
            {"meeting_id": self.next_meeting.pk, "resolution": "Terapi flyttes"},
            content_type="application/json",
        )
        assert resolved.status_code == 200
        assert resolved.json()["meeting_id"] == self.next_meeting.pk

    def test_other_plans_efforts_goals_and_meetings_are_422(self) -> None:
        self.login(self.caseworker)
        assert self.flag(other_effort_id=self.other_effort.pk).status_code == 422
        assert self.flag(other_effort_id=None, goal_id=self.other_goal.pk).status_code == 422
        assert self.flag(effort_id=2**62).status_code == 422
        assert self.flag(description="").status_code == 422
        found = self.flag().json()
        response = self.client.post(
            f"/api/contradictions/{found['id']}/resolve",
            {"meeting_id": self.other_meeting.pk, "resolution": "Løst"},
            content_type="application/json",
        )
        assert response.status_code == 422
        assert Contradiction.objects.get().status == Contradiction.Status.OPEN

    def test_readers_get_403_and_outsiders_404(self) -> None:
        self.login(self.caseworker)
        found = self.flag().json()
        self.login(self.teacher)
        assert self.flag().status_code == 403
        assert self.client.get(f"/api/contradictions/{found['id']}").status_code == 200
        resolve = {"meeting_id": self.next_meeting.pk, "resolution": "Løst"}
        response = self.client.post(
            f"/api/contradictions/{found['id']}/resolve", resolve, content_type="application/json"
        )
        assert response.status_code == 403
        self.login(self.outsider)
        assert self.flag().status_code == 404
        assert self.client.get("/api/contradictions", {"plan_id": self.plan.pk}).status_code == 404
        assert self.client.get(f"/api/contradictions/{found['id']}").status_code == 404
