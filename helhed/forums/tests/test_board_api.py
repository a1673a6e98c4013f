"""The obstacle board through the API: the same rules as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.forums.models import Item
from helhed.forums.tests.board_case import ForumCase
from helhed.test import synthetic_cpr

BASE = "/api/forums/board"


class BoardApiTests(ForumCase, ApiTestCase):
    def body(self, **changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "forum_id": self.leaders.pk,
            "category": "it",
            "title": "Systemerne taler ikke sammen",
            "description": "Skolens og socialforvaltningens systemer deler ingen data.",
            "affected": "Familier med sager i begge forvaltninger",
        }
        data.update(changes)
        return data

    def fields(self, response: Any) -> set[str]:
        return {error["field"] for error in response.json()["detail"]}

    def test_raise_take_escalate_and_resolve(self) -> None:
        created = self.api("post", f"{BASE}/items", self.teacher, self.body())
        assert created.status_code == 201, created.content
        item_id = created.json()["id"]
        assert [e["kind"] for e in created.json()["events"]] == ["raised"]
        url = f"{BASE}/items/{item_id}"
        assert self.api("post", f"{url}/take", self.caseworker).status_code == 403
        taken = self.api("post", f"{url}/take", self.chief)
        assert taken.status_code == 200
        assert taken.json()["taken_by_id"] == self.chief.pk
        reason = {"reason": "Kræver en fælles IT-beslutning."}
        assert self.api("post", f"{url}/escalate", self.caseworker, reason).status_code == 403
        escalated = self.api("post", f"{url}/escalate", self.chief, reason)
        assert escalated.status_code == 200
        body = escalated.json()
        assert (body["forum_id"], body["status"], body["taken_by_id"]) == (
            self.steering.pk,
            "open",
            None,
        )
        step = body["events"][-1]
        assert (step["kind"], step["forum_id"], step["to_forum_id"], step["by_id"]) == (
            "escalated",
            self.leaders.pk,
            self.steering.pk,
            self.chief.pk,
        )
        assert self.api("get", url, self.teacher).status_code == 200  # the raiser
        assert self.api("get", url, self.colleague).status_code == 404
        refused = self.api("post", f"{url}/escalate", self.director, reason)
        assert refused.status_code == 422
        assert "forum" in self.fields(refused)
        resolved = self.api("post", f"{url}/resolve", self.director, {"reason": "Vi køber en."})
        assert resolved.status_code == 200
        assert resolved.json()["status"] == "resolved"
        assert self.api("post", f"{url}/decline", self.director, reason).status_code == 403

    def test_bad_input_is_422_and_a_cpr_number_is_refused(self) -> None:
        cpr = synthetic_cpr(dt.date(2013, 2, 2))
        for body, field in [
            (self.body(affected=f"Pigen {cpr}"), "affected"),
            (self.body(forum_id=self.leaders.pk + 999), "forum"),
        ]:
            with self.subTest(field):
                response = self.api("post", f"{BASE}/items", self.teacher, body)
                assert response.status_code == 422
                assert field in self.fields(response)
        assert (
            self.api("post", f"{BASE}/items", self.teacher, self.body(title="")).status_code == 422
        )
        assert self.api("post", f"{BASE}/items", self.outsider, self.body()).status_code == 422
        assert self.api("post", f"{BASE}/items", None, self.body()).status_code == 401
        assert not Item.objects.exists()
        item = self.raise_item()
        short = self.api("post", f"{BASE}/items/{item.pk}/decline", self.leader, {"reason": "x"})
        assert short.status_code == 422

    def test_lists_follow_the_board_visibility(self) -> None:
        item = self.raise_item()
        for staff, expected in [
            (self.teacher, [item.pk]),
            (self.caseworker, [item.pk]),
            (self.nurse, []),
            (self.outsider, []),
        ]:
            with self.subTest(staff.first_name):
                response = self.api("get", f"{BASE}/items", staff)
                assert response.status_code == 200
                assert [row["id"] for row in response.json()["items"]] == expected
        assert self.api("get", f"{BASE}/items/{item.pk}", self.nurse).status_code == 404
        assert self.api("get", f"{BASE}/items/{item.pk}", self.outsider).status_code == 404
        mine = self.api("get", f"{BASE}/items?mine=raised", self.teacher).json()["items"]
        assert [row["id"] for row in mine] == [item.pk]
        assert self.api("get", f"{BASE}/items?status=weird", self.teacher).status_code == 422
        assert self.api("get", f"{BASE}/items?page=0", self.teacher).status_code == 422

    def test_the_board_summary_gives_time_to_resolution(self) -> None:
        item = self.raise_item()
        Item.objects.filter(pk=item.pk).update(raised_on=dt.date.today() - dt.timedelta(days=5))
        board = self.api("get", f"{BASE}/forums/{self.leaders.pk}", self.teacher)
        assert board.status_code == 200
        assert board.json()["open_count"] == 1
        assert board.json()["median_days_to_resolution"] is None
        resolved = self.api(
            "post", f"{BASE}/items/{item.pk}/resolve", self.leader, {"reason": "Løst på mødet."}
        )
        assert resolved.json()["days_open"] == 5
        board = self.api("get", f"{BASE}/forums/{self.leaders.pk}", self.teacher).json()
        assert board["median_days_to_resolution"] == 5
        assert self.api("get", f"{BASE}/forums/{self.leaders.pk}", self.nurse).status_code == 404
