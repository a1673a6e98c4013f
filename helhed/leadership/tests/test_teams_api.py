"""Leader teams through the API: the same permissions and rules as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.leadership.actions.teams import do_close_reflection
from helhed.leadership.models import (
    Dilemma,
    LeadershipTask,
    LeaderTeam,
    ReflectionAnswer,
    TeamReflection,
)
from helhed.leadership.tests.test_teams_rounds import TeamCase
from helhed.lib.validity import today

BASE = "/api/leadership/teams"


class TeamApiTests(TeamCase, ApiTestCase):
    def test_teams_are_listed_and_read_by_members_and_leaders_above_only(self) -> None:
        ids = [t["id"] for t in self.api("get", BASE, self.teacher).json()["items"]]
        assert ids == [self.team.pk]
        assert [t["id"] for t in self.api("get", BASE, self.chief).json()["items"]] == ids
        assert self.api("get", BASE, self.family_leader).json()["items"] == []
        assert self.api("get", BASE, self.outsider).json()["items"] == []
        url = f"{BASE}/{self.team.pk}"
        detail = self.api("get", url, self.chief).json()
        assert (detail["is_member"], len(detail["members"])) == (False, 2)
        for user in (self.family_leader, self.outsider):
            assert self.api("get", url, user).status_code == 404

    def test_creating_a_team_with_the_web_rules(self) -> None:
        body: dict[str, Any] = {
            "unit_id": self.school.pk,
            "name": "Skoleledere",
            "member_ids": [self.leader.pk],
        }
        assert self.api("post", BASE, self.teacher, body).status_code == 403
        beside = {**body, "unit_id": self.family_dept.pk}
        assert self.api("post", BASE, self.leader, beside).status_code == 422
        stranger = {**body, "member_ids": [self.outsider.pk]}
        assert self.api("post", BASE, self.leader, stranger).status_code == 422
        huge = {**body, "member_ids": [2**70]}
        assert self.api("post", BASE, self.leader, huge).status_code == 422
        response = self.api("post", BASE, self.chief, body)
        assert response.status_code == 201
        assert LeaderTeam.objects.get(pk=response.json()["id"]).unit == self.school


class RoundApiTests(TeamCase, ApiTestCase):
    def open_via_api(self) -> dict[str, Any]:
        body = {"title": "Møde", "meeting_on": str(today() + dt.timedelta(days=2))}
        url = f"{BASE}/{self.team.pk}/rounds"
        assert self.api("post", url, self.chief, body).status_code == 403
        assert self.api("post", url, self.outsider, body).status_code == 404
        past = {**body, "meeting_on": str(today() - dt.timedelta(days=1))}
        assert self.api("post", url, self.teacher, past).status_code == 422
        assert self.api("post", url, self.teacher, {**body, "question_ids": []}).status_code == 422
        response = self.api("post", url, self.teacher, body)
        assert response.status_code == 201
        return dict(response.json())

    def test_members_answer_while_open_and_the_agenda_hides_unmarked_answers(self) -> None:
        data = self.open_via_api()
        round_url = f"{BASE}/rounds/{data['id']}"
        questions = {q["task"]: q["id"] for q in data["questions"]}
        answers = f"{round_url}/answers"
        holistic = {"question_id": questions["holistic"], "text": "Overgange"}
        ownership = {"question_id": questions["ownership"], "text": "Fælles mål", "as_team": True}
        private = {"question_id": questions["ownership"], "text": "Kun til os", "for_agenda": False}
        assert self.api("post", answers, self.chief, holistic).status_code == 404
        assert self.api("post", answers, self.teacher, {**holistic, "text": ""}).status_code == 422
        wrong = {**holistic, "question_id": 2**31}
        assert self.api("post", answers, self.teacher, wrong).status_code == 422
        for body in (holistic, ownership, private):
            assert self.api("post", answers, self.teacher, body).status_code == 200
        assert self.api("get", f"{round_url}/agenda", self.chief).status_code == 404
        assert self.api("post", f"{round_url}/close", self.chief).status_code == 404
        assert self.api("post", f"{round_url}/close", self.teacher).json()["status"] == "closed"
        assert self.api("post", answers, self.teacher, holistic).status_code == 403
        assert self.api("post", f"{round_url}/close", self.teacher).status_code == 403

        agenda = self.api("get", f"{round_url}/agenda", self.chief).json()
        assert [t["task"] for t in agenda["tasks"]] == LeadershipTask.values
        points = [p for t in agenda["tasks"] for q in t["questions"] for p in q["points"]]
        assert points == [
            {"answered_by": None, "as_team": True, "text": "Fælles mål"},
            {"answered_by": "Tom Thy", "as_team": False, "text": "Overgange"},
        ]
        chief_round = self.api("get", round_url, self.chief).json()
        assert {a["text"] for a in chief_round["answers"]} == {"Fælles mål", "Overgange"}
        member_round = self.api("get", round_url, self.leader).json()
        assert len(member_round["answers"]) == 3
        for user in (self.family_leader, self.outsider):
            assert self.api("get", f"{round_url}/agenda", user).status_code == 404
            assert self.api("get", round_url, user).status_code == 404
        assert ReflectionAnswer.objects.count() == 3

    def test_leaders_above_list_only_the_closed_rounds(self) -> None:
        self.open_round(title="Åben")
        closed = self.open_round(title="Lukket")
        do_close_reflection(actor=self.leader, reflection=closed)
        url = f"{BASE}/{self.team.pk}/rounds"
        assert [r["title"] for r in self.api("get", url, self.chief).json()["items"]] == ["Lukket"]
        assert len(self.api("get", url, self.teacher).json()["items"]) == 2
        assert self.api("get", url, self.outsider).status_code == 404
        assert TeamReflection.objects.count() == 2


class DilemmaApiTests(TeamCase, ApiTestCase):
    def test_members_record_and_leaders_above_read_the_dilemma_log(self) -> None:
        url = f"{BASE}/{self.team.pk}/dilemmas"
        body = {
            "title": "Tid eller kvalitet",
            "task": "learning",
            "description": "Dilemmaet",
            "decision": "Beslutningen",
            "reasoning": "Fordi",
        }
        assert self.api("post", url, self.chief, body).status_code == 403
        assert self.api("post", url, self.outsider, body).status_code == 404
        assert self.api("post", url, self.teacher, {**body, "task": "x"}).status_code == 422
        assert self.api("post", url, self.teacher, {**body, "reasoning": ""}).status_code == 422
        assert self.api("post", url, self.teacher, body).status_code == 201
        assert Dilemma.objects.count() == 1
        items = self.api("get", url, self.chief, None).json()["items"]
        assert [d["title"] for d in items] == ["Tid eller kvalitet"]
        assert self.api("get", f"{url}?task=holistic", self.chief).json()["items"] == []
        assert self.api("get", f"{url}?task=bogus", self.chief).status_code == 422
        assert self.api("get", url, self.family_leader).status_code == 404
