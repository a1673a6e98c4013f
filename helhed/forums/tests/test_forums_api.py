"""Forums through the API: the same permissions and rules as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.forums.actions import forums as actions
from helhed.forums.models import Decision, FollowUp, Forum, ForumMeeting, ForumMember
from helhed.forums.tests.test_forums_actions import ForumCase
from helhed.lib.validity import today

BASE = "/api/forums"
# The list and set-up answer at the router's root, with its slash.
LIST = BASE


class ForumApiCase(ForumCase, ApiTestCase):
    def fields(self, response: Any) -> set[str]:
        return {error["field"] for error in response.json()["detail"]}


class ForumApiTests(ForumApiCase):
    def body(self, **changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": "Rådgivende møde",
            "kind": "advisory_meeting",
            "cadence": "monthly",
            "mandate": "Grants up to DKK 250,000 to a trial.",
            "unit_ids": [self.school.pk],
            "escalates_to_id": self.steering.pk,
            "yearly_budget": "1000000",
            "grant_limit": "250000",
        }
        data.update(changes)
        return data

    def test_every_staff_member_lists_and_reads_forums(self) -> None:
        response = self.api("get", LIST, self.teacher)
        assert response.status_code == 200
        names = {row["name"] for row in response.json()["items"]}
        assert names == {"Styregruppen", "Chefgruppen", "Daglig ledergruppe"}
        response = self.api("get", f"{LIST}?q=who+pays", self.teacher)
        assert [row["name"] for row in response.json()["items"]] == ["Chefgruppen"]
        self.grant(200_000)
        detail = self.api("get", f"{BASE}/{self.steering.pk}", self.teacher).json()
        assert detail["budget_used"] == "200000.00"
        assert detail["budget_left"] == "300000.00"
        assert detail["escalated_from"] == [{"id": self.chiefs.pk, "name": "Chefgruppen"}]
        assert {m["role"] for m in detail["members"]} == {"chair", "secretary", "member"}
        assert detail["can_manage"] is False and detail["can_record"] is False
        chain = self.api("get", f"{BASE}/{self.leaders.pk}", self.teacher).json()
        assert [f["id"] for f in chain["escalation_chain"]] == [self.chiefs.pk, self.steering.pk]
        assert self.api("get", f"{BASE}/{self.steering.pk}", self.outsider).status_code == 404
        assert self.api("get", LIST).status_code == 401
        outsider = self.api("get", LIST, self.outsider).json()["items"]
        assert [row["name"] for row in outsider] == ["Hvidovres styregruppe"]

    def test_setting_up_with_the_web_permissions_and_rules(self) -> None:
        assert self.api("post", LIST, self.leader, self.body()).status_code == 403
        assert self.api("post", LIST, self.outsider, self.body()).status_code == 403
        bad: list[tuple[dict[str, Any], str]] = [
            (self.body(grant_limit="2000000"), "grant_limit"),
            (self.body(grant_limit=None), "grant_limit"),
            (self.body(escalates_to_id=self.foreign.pk), "escalates_to"),
            (self.body(unit_ids=[2**70]), "units"),
            (self.body(name="Styregruppen"), "name"),
        ]
        for body, field in bad:
            with self.subTest(field):
                response = self.api("post", LIST, self.chief, body)
                assert response.status_code == 422
                assert field in self.fields(response)
        assert self.api("post", LIST, self.chief, self.body(kind="club")).status_code == 422
        response = self.api("post", LIST, self.chief, self.body())
        assert response.status_code == 201
        assert response.json()["escalates_to_id"] == self.steering.pk
        assert Forum.objects.filter(name="Rådgivende møde").exists()

    def test_changing_refuses_a_cycle(self) -> None:
        body = self.body(name="Styregruppen", escalates_to_id=self.leaders.pk)
        url = f"{BASE}/{self.steering.pk}"
        response = self.api("put", url, self.director, body)
        assert response.status_code == 422
        assert "escalates_to" in self.fields(response)
        assert self.api("put", url, self.leader, body).status_code == 403
        assert self.api("put", url, self.outsider, body).status_code == 404
        body = self.body(name="Styregruppen", escalates_to_id=None)
        response = self.api("put", url, self.director, body)
        assert response.status_code == 200
        assert response.json()["grant_limit"] == "250000.00"

    def test_members(self) -> None:
        url = f"{BASE}/{self.chiefs.pk}/members"
        assert len(self.api("get", url, self.teacher).json()) == 3
        body = {"staff_id": self.teacher.pk, "role": "member"}
        assert self.api("post", url, self.leader, body).status_code == 403
        assert self.api("post", url, self.outsider, body).status_code == 404
        bad = {"staff_id": self.outsider.pk, "role": "member"}
        assert self.api("post", url, self.chief, bad).status_code == 422
        response = self.api("post", url, self.chief, body)
        assert response.status_code == 201
        member = ForumMember.objects.get(forum=self.chiefs, staff=self.teacher)
        remove = f"{url}/{member.pk}"
        assert self.api("delete", remove, self.leader).status_code == 403
        assert self.api("delete", remove, self.chief).status_code == 204
        assert self.api("delete", remove, self.chief).status_code == 404


class MeetingAndDecisionApiTests(ForumApiCase):
    def decision(self, **changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "text": "The trial gets a grant.",
            "mandate_basis": "Grants to trial actions",
            "grant_amount": "200000",
            "grant_purpose": "School and family together",
        }
        data.update(changes)
        return data

    def test_meetings_are_planned_and_minuted_by_the_chair_or_secretary(self) -> None:
        url = f"{BASE}/{self.chiefs.pk}/meetings"
        body = {"held_on": today().isoformat(), "agenda": "Handovers at 18"}
        assert self.api("post", url, self.leader, body).status_code == 403
        assert self.api("post", url, self.outsider, body).status_code == 404
        assert (
            self.api("post", url, self.analyst, {"held_on": "x", "agenda": ""}).status_code == 422
        )
        response = self.api("post", url, self.analyst, body)
        assert response.status_code == 201
        meeting = ForumMeeting.objects.get(pk=response.json()["id"])
        assert self.api("get", url, self.teacher).json()["items"][0]["id"] == meeting.pk
        minutes = f"{BASE}/meetings/{meeting.pk}/minutes"
        assert self.api("post", minutes, self.leader, {"minutes": "x"}).status_code == 403
        response = self.api("post", minutes, self.chief, {"minutes": "Agreed."})
        assert response.status_code == 200 and response.json()["status"] == "held"

    def test_decisions_with_the_grant_rules(self) -> None:
        url = f"{BASE}/{self.steering.pk}/decisions"
        assert self.api("post", url, self.leader, self.decision()).status_code == 403
        assert self.api("post", url, self.outsider, self.decision()).status_code == 404
        response = self.api("post", url, self.analyst, self.decision(mandate_basis=""))
        assert response.status_code == 422 and "mandate_basis" in self.fields(response)
        response = self.api("post", url, self.analyst, self.decision(grant_amount="250000.01"))
        assert response.status_code == 422 and "grant_amount" in self.fields(response)
        assert "250,000" in response.json()["detail"][0]["message"]
        response = self.api("post", url, self.analyst, self.decision(meeting_id=2**62))
        assert response.status_code == 422 and "meeting" in self.fields(response)
        response = self.api("post", url, self.analyst, self.decision())
        assert response.status_code == 201
        assert response.json()["decided_by_id"] == self.chief.pk
        assert response.json()["grant_amount"] == "200000.00"
        self.grant(250_000)
        response = self.api("post", url, self.chief, self.decision(grant_amount="50000.01"))
        assert response.status_code == 422
        assert "DKK 50,000 left" in response.json()["detail"][0]["message"]
        no_budget = f"{BASE}/{self.chiefs.pk}/decisions"
        response = self.api("post", no_budget, self.chief, self.decision(grant_amount="1"))
        assert response.status_code == 422
        listed = self.api("get", url, self.teacher).json()["items"]
        assert [d["grant_amount"] for d in listed] == ["250000.00", "200000.00"]

    def test_the_decision_log_with_filters(self) -> None:
        self.grant(200_000, text="Funded: school and family together.")
        actions.do_record_decision(
            actor=self.chief,
            forum=self.chiefs,
            text="Youth guidance takes over at 17 1/2.",
            mandate_basis="Who acts",
            decided_on=today() - dt.timedelta(days=400),
        )
        log = f"{BASE}/decisions"

        def texts(query: str = "", as_: Any = None) -> list[str]:
            response = self.api("get", log + query, as_ or self.teacher)
            assert response.status_code == 200
            return [row["text"] for row in response.json()["items"]]

        assert len(texts()) == 2
        assert texts("?q=youth") == ["Youth guidance takes over at 17 1/2."]
        assert texts("?grants_only=true") == ["Funded: school and family together."]
        assert texts(f"?forum_id={self.chiefs.pk}") == ["Youth guidance takes over at 17 1/2."]
        since = (today() - dt.timedelta(days=30)).isoformat()
        assert texts(f"?date_from={since}") == ["Funded: school and family together."]
        assert texts(as_=self.outsider) == []
        assert (
            self.api("get", f"{log}?forum_id={self.steering.pk}", self.outsider).status_code == 404
        )
        assert self.api("get", f"{log}?date_from=nope", self.teacher).status_code == 422
        one = Decision.objects.get(forum=self.chiefs)
        assert self.api("get", f"{log}/{one.pk}", self.teacher).json()["forum"] == "Chefgruppen"
        assert self.api("get", f"{log}/{one.pk}", self.outsider).status_code == 404

    def test_follow_ups(self) -> None:
        decision = actions.do_record_decision(
            actor=self.chief,
            forum=self.chiefs,
            text="Map the handovers.",
            mandate_basis="Who acts",
            decided_on=today() - dt.timedelta(days=5),
        )
        url = f"{BASE}/decisions/{decision.pk}/follow-ups"
        body = {
            "title": "Map them",
            "owner_id": self.leader.pk,
            "due_on": (today() - dt.timedelta(days=1)).isoformat(),
        }
        assert self.api("post", url, self.leader, body).status_code == 403
        assert self.api("post", url, self.outsider, body).status_code == 404
        bad = {**body, "owner_id": self.outsider.pk}
        assert self.api("post", url, self.chief, bad).status_code == 422
        response = self.api("post", url, self.chief, body)
        assert response.status_code == 201 and response.json()["overdue"] is True
        follow_up = FollowUp.objects.get(decision=decision)
        done = f"{BASE}/follow-ups/{follow_up.pk}/done"
        assert self.api("post", done, self.teacher).status_code == 403
        response = self.api("post", done, self.leader)
        assert response.status_code == 200 and response.json()["overdue"] is False
        assert self.api("get", url, self.teacher).json()[0]["done_on"] == today().isoformat()


class SchemaTests(ForumApiCase):
    def test_the_schema_documents_the_forum_endpoints(self) -> None:
        response = self.client.get("/api/openapi.json")
        assert response.status_code == 200
        paths = response.json()["paths"]
        for path in (
            "/api/forums",
            "/api/forums/{forum_id}",
            "/api/forums/{forum_id}/decisions",
            "/api/forums/decisions",
            "/api/forums/decisions/{decision_id}/follow-ups",
        ):
            assert path in paths, path
