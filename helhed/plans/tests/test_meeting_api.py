"""The meetings and actions API: the same rules and permissions as the web pages."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.utils import timezone

from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.lib.validity import today
from helhed.plans.actions.meetings import do_record_minutes
from helhed.plans.models import Action, Meeting
from helhed.plans.tests.test_meeting_actions import MeetingCase


class MeetingApiTests(ApiTestCase, MeetingCase):
    def meeting_body(self, **changes: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "starts_at": (timezone.now() + dt.timedelta(days=2)).isoformat(),
            "place": "Rådhuset",
            "agenda": "Mornings",
            "staff_participants": [{"staff_id": self.caseworker.pk, "role": "Sagsbehandler"}],
            "family_participants": [{"citizen_id": self.mother.pk, "role": "Mor"}],
        }
        body.update(changes)
        return body

    def test_the_routes_resolve_next_to_the_plans_router(self) -> None:
        schema = json.loads(self.client.get("/api/openapi.json").content)
        for path in (
            "/api/plans/{plan_id}/meetings",
            "/api/plans/{plan_id}/actions",
            "/api/meetings/{meeting_id}",
            "/api/actions/mine",
            "/api/actions/{action_id}/complete",
        ):
            assert path in schema["paths"], path

    def test_scheduling_and_reading_meetings(self) -> None:
        url = f"/api/plans/{self.plan.pk}/meetings"
        response = self.api("post", url, as_=self.caseworker, body=self.meeting_body())
        assert response.status_code == 201, response.content
        created = response.json()
        assert [(p["name"], p["role"], p["family"]) for p in created["participants"]] == [
            ("Sara Sand", "Sagsbehandler", False),
            ("Mette Jensen", "Mor", True),
        ]
        listed = self.api("get", url, as_=self.teacher).json()
        assert [m["id"] for m in listed] == [created["id"]]
        detail = self.api("get", f"/api/meetings/{created['id']}", as_=self.teacher).json()
        assert detail["status"] == "planned" and detail["minutes"] == ""

    def test_ballerups_rule_answers_422_and_saves_nothing(self) -> None:
        url = f"/api/plans/{self.plan.pk}/meetings"
        response = self.api(
            "post", url, as_=self.caseworker, body=self.meeting_body(family_participants=[])
        )
        assert response.status_code == 422
        [error] = response.json()["detail"]
        assert error["field"] == "without_citizen_reason"
        assert not Meeting.objects.exists()
        response = self.api(
            "post",
            url,
            as_=self.caseworker,
            body=self.meeting_body(family_participants=[], without_citizen_reason="Align first"),
        )
        assert response.status_code == 201

    def test_someone_outside_the_family_is_refused(self) -> None:
        body = self.meeting_body(family_participants=[{"citizen_id": self.bror.pk, "role": "x"}])
        response = self.api(
            "post", f"/api/plans/{self.plan.pk}/meetings", as_=self.caseworker, body=body
        )
        assert response.status_code == 422
        assert not Meeting.objects.exists()

    def test_permissions_403_for_a_reader_404_for_an_outsider(self) -> None:
        url = f"/api/plans/{self.plan.pk}/meetings"
        assert self.api("post", url, as_=self.teacher, body=self.meeting_body()).status_code == 403
        assert self.api("get", url, as_=self.outsider).status_code == 404
        assert self.api("post", url, as_=self.outsider, body=self.meeting_body()).status_code == 404
        meeting = self.schedule()
        assert self.api("get", f"/api/meetings/{meeting.pk}", as_=self.outsider).status_code == 404
        assert not Meeting.objects.exclude(pk=meeting.pk).exists()

    def test_a_family_session_reads_the_meeting_without_the_minutes(self) -> None:
        meeting = self.start(self.schedule())
        do_record_minutes(
            actor=self.caseworker,
            meeting=meeting,
            minutes="INTERNAL",
            family_summary="Plain words",
            decisions=["Alma starts at nine"],
            attendance={},
        )
        self.login(self.guardian)
        body = self.client.get(f"/api/meetings/{meeting.pk}").json()
        assert body["minutes"] is None
        assert body["family_summary"] == "Plain words"
        assert [d["text"] for d in body["decisions"]] == ["Alma starts at nine"]

    def test_recording_minutes_with_actions(self) -> None:
        meeting = self.start(self.schedule())
        body = {
            "minutes": "Notes",
            "decisions": ["Alma starts at nine"],
            "actions": [
                {
                    "description": "Adjust timetable",
                    "owner_id": self.teacher.pk,
                    "due_on": today().isoformat(),
                    "decision": 1,
                }
            ],
        }
        url = f"/api/meetings/{meeting.pk}/minutes"
        assert self.api("post", url, as_=self.teacher, body=body).status_code == 403
        response = self.api("post", url, as_=self.caseworker, body=body)
        assert response.status_code == 200, response.content
        [action] = response.json()["actions"]
        assert action["owner"] == "Tom Thy" and action["decision_id"] is not None
        assert self.api("post", url, as_=self.caseworker, body=body).status_code == 422


class ActionApiTests(ApiTestCase, MeetingCase):
    def test_adding_an_action_and_the_due_date_rule(self) -> None:
        url = f"/api/plans/{self.plan.pk}/actions"
        body = {
            "description": "Book PPR",
            "owner_id": self.teacher.pk,
            "due_on": (today() - dt.timedelta(days=1)).isoformat(),
        }
        response = self.api("post", url, as_=self.caseworker, body=body)
        assert response.status_code == 422
        assert response.json()["detail"] == [
            {"field": "due_on", "message": "The due date must be today or later."}
        ]
        assert not Action.objects.exists()
        body["due_on"] = today().isoformat()
        assert self.api("post", url, as_=self.teacher, body=body).status_code == 403
        assert self.api("post", url, as_=self.outsider, body=body).status_code == 404
        response = self.api("post", url, as_=self.caseworker, body=body)
        assert response.status_code == 201
        assert response.json()["owner_id"] == self.teacher.pk

    def test_my_actions_open_first_with_overdue_flag(self) -> None:
        late = self.make_overdue(self.add_action(description="Late"), days=2)
        done = self.add_action(description="Done")
        Action.objects.filter(pk=done.pk).update(status=Action.Status.DONE)
        soon = self.add_action(description="Soon", due_on=today())
        self.add_action(owner=self.colleague)
        response = self.api("get", "/api/actions/mine", as_=self.teacher)
        items = response.json()["items"]
        assert [i["id"] for i in items] == [late.pk, soon.pk, done.pk]
        assert [i["overdue"] for i in items] == [True, False, False]
        response = self.api("get", "/api/actions/mine?status=open", as_=self.teacher)
        assert response.json()["count"] == 2

    def test_completing_an_action(self) -> None:
        action = self.add_action(owner=self.caseworker)
        url = f"/api/actions/{action.pk}/complete"
        assert self.api("post", url, as_=self.teacher, body={}).status_code == 403
        assert self.api("post", url, as_=self.outsider, body={}).status_code == 404
        assert self.api("get", url, as_=self.caseworker).status_code == 405
        response = self.api("post", url, as_=self.caseworker, body={"note": "Called"})
        assert response.status_code == 200
        assert response.json()["status"] == "done"
        assert self.api("post", url, as_=self.caseworker, body={}).status_code == 422
        action.refresh_from_db()
        assert (action.status, action.note) == (Action.Status.DONE, "Called")

    def test_reassign_and_cancel(self) -> None:
        action = self.add_action()
        response = self.api(
            "post",
            f"/api/actions/{action.pk}/reassign",
            as_=self.caseworker,
            body={"owner_id": self.outsider.pk, "due_on": today().isoformat()},
        )
        assert response.status_code == 422  # not a colleague the caller can see
        response = self.api(
            "post",
            f"/api/actions/{action.pk}/cancel",
            as_=self.teacher,
            body={"note": "Not needed"},
        )
        assert response.status_code == 200
        assert response.json()["status"] == "cancelled"
