"""Reflection meetings through the API: the same permissions and rules as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.lib.validity import today
from helhed.results.models import Reflection
from helhed.results.tests.test_reflections_views import ReflectionCase

BASE = "/api/results/reflections"


class ReflectionApiTests(ReflectionCase, ApiTestCase):
    def body(self, **changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "unit_id": self.school.pk,
            "held_on": str(today()),
            "what_we_see": "Absence keeps rising.",
            "participant_ids": [self.leader.pk, self.teacher.pk],
            "indicator_ids": [self.absence.pk],
            "follow_up_owner_id": self.teacher.pk,
            "follow_up_on": str(today() + dt.timedelta(days=7)),
        }
        data.update(changes)
        return data

    def test_recording_with_the_web_permissions_and_rules(self) -> None:
        assert self.api("post", BASE, self.teacher, self.body()).status_code == 403
        assert self.api("post", BASE, self.outsider, self.body()).status_code == 404
        response = self.api(
            "post", BASE, self.leader, self.body(participant_ids=[self.caseworker.pk])
        )
        assert response.status_code == 422
        assert response.json()["detail"][0]["field"] == "participants"
        future = self.body(held_on=str(today() + dt.timedelta(days=1)))
        assert self.api("post", BASE, self.leader, future).status_code == 422
        stranger = self.body(participant_ids=[self.leader.pk])
        assert self.api("post", BASE, self.leader, stranger).status_code == 422
        assert (
            self.api("post", BASE, self.leader, self.body(participant_ids=[2**70])).status_code
            == 422
        )
        assert not Reflection.objects.exists()
        response = self.api("post", BASE, self.leader, self.body())
        assert response.status_code == 201
        data = response.json()
        assert data["participant_ids"] == sorted([self.leader.pk, self.teacher.pk])
        [row] = data["data"]
        assert (row["indicator_id"], row["value"], row["rag"]) == (self.absence.pk, "15.000", "red")
        assert set(row) == {
            "indicator_id",
            "indicator",
            "period",
            "value",
            "suppressed",
            "target",
            "rag",
            "trend",
        }

    def test_reading_and_following_up(self) -> None:
        reflection = self.record()
        url = f"{BASE}/{reflection.pk}"
        assert self.api("get", url, self.teacher).status_code == 200
        assert self.api("get", url, self.outsider).status_code == 404
        assert [r["id"] for r in self.api("get", BASE, self.teacher).json()["items"]] == [
            reflection.pk
        ]
        assert self.api("get", BASE, self.outsider).json()["items"] == []
        assert self.api("post", f"{url}/followed-up", self.outsider).status_code == 404
        response = self.api("post", f"{url}/followed-up", self.teacher)
        assert response.json()["followed_up_on"] == str(today())
        assert self.api("post", f"{url}/followed-up", self.teacher).status_code == 422
