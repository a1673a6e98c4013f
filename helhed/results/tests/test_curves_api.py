"""Turning the curve through the API: the same permissions and rules as the pages."""

from __future__ import annotations

import datetime as dt
import json

from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.lib.validity import today
from helhed.results.actions.curves import do_add_curve_action
from helhed.results.models import CurveAction, CurvePlan
from helhed.results.tests.test_curves_actions import CurveCase

BASE = "/api/results/curves"


class CurveApiTests(CurveCase, ApiTestCase):
    def body(self, indicator_id: int | None = None, unit_id: int | None = None) -> dict:
        return {
            "indicator_id": indicator_id or self.absence.pk,
            "unit_id": unit_id or self.school.pk,
            "end_wanted": "Every child in school",
        }

    def test_starting_with_the_web_permissions(self) -> None:
        assert self.api("post", BASE, self.teacher, self.body()).status_code == 403
        assert self.api("post", BASE, self.outsider, self.body()).status_code == 404
        assert not CurvePlan.objects.exists()
        response = self.api("post", BASE, self.chief, self.body())
        assert response.status_code == 201
        data = json.loads(response.content)
        assert (data["unit"], data["owner"], data["end_wanted"]) == (
            "Bakkeskolen",
            "Claus Krog",
            "Every child in school",
        )
        response = self.api("post", BASE, self.leader, self.body())
        assert response.status_code == 409
        assert f"plan {data['id']}" in json.loads(response.content)["detail"]

    def test_list_and_detail_follow_visibility(self) -> None:
        curve = self.start()
        response = self.api("get", BASE, self.teacher)
        assert [c["id"] for c in json.loads(response.content)["items"]] == [curve.pk]
        assert json.loads(self.api("get", BASE, self.outsider).content)["items"] == []
        assert self.api("get", f"{BASE}/{curve.pk}", self.teacher).status_code == 200
        assert self.api("get", f"{BASE}/{curve.pk}", self.outsider).status_code == 404
        assert self.api("get", f"{BASE}?state=closed", self.chief).json()["items"] == []
        assert self.api("get", f"{BASE}?state=odd", self.chief).status_code == 422

    def test_steps_forecast_and_close(self) -> None:
        curve = self.start()
        url = f"{BASE}/{curve.pk}"
        assert self.api("patch", url, self.teacher, {"story": "x"}).status_code == 403
        response = self.api("patch", url, self.leader, {"story": "Winter colds"})
        assert response.status_code == 200
        assert response.json()["story"] == "Winter colds"
        first = self.last.next().code
        bad = self.api(
            "put", f"{url}/forecast", self.chief, {"forecast": [{"period": first, "value": "x"}]}
        )
        assert bad.status_code == 422
        assert bad.json()["detail"] == [{"field": "value_0", "message": "“x” is not a number."}]
        wrong_kind = {"forecast": [{"period": str(self.last.year + 1), "value": 1}]}
        assert self.api("put", f"{url}/forecast", self.chief, wrong_kind).status_code == 422
        ok = self.api(
            "put", f"{url}/forecast", self.chief, {"forecast": [{"period": first, "value": 16.5}]}
        )
        assert ok.status_code == 200
        assert ok.json()["forecast"] == [{"period": first, "value": "16.500"}]
        assert self.api("post", f"{url}/close", self.teacher).status_code == 403
        assert self.api("post", f"{url}/close", self.chief).json()["is_active"] is False
        assert self.api("patch", url, self.chief, {"story": "y"}).status_code == 403

    def test_actions(self) -> None:
        curve = self.start()
        url = f"{BASE}/{curve.pk}/actions"
        past = {
            "description": "x",
            "owner_id": self.teacher.pk,
            "due_on": str(today() - dt.timedelta(1)),
        }
        response = self.api("post", url, self.chief, past)
        assert response.status_code == 422 and response.json()["detail"][0]["field"] == "due_on"
        elsewhere = {"description": "x", "owner_id": self.outsider.pk, "due_on": str(today())}
        assert self.api("post", url, self.chief, elsewhere).status_code == 422
        ok = {"description": "Call home", "owner_id": self.teacher.pk, "due_on": str(today())}
        assert self.api("post", url, self.teacher, ok).status_code == 403
        response = self.api("post", url, self.chief, ok)
        assert response.status_code == 201
        action_id = response.json()["id"]
        mine = self.api("get", f"{BASE}/actions/mine", self.teacher).json()["items"]
        assert [a["id"] for a in mine] == [action_id]
        change = f"{BASE}/actions/{action_id}"
        assert self.api("patch", change, self.outsider, {"status": "done"}).status_code == 404
        assert self.api("patch", change, self.teacher, {"status": "open"}).status_code == 422
        response = self.api("patch", change, self.teacher, {"status": "done"})
        assert response.json()["status"] == "done"
        assert CurveAction.objects.get().done_on == today()

    def test_an_action_of_another_owner_is_403_for_a_reader(self) -> None:
        curve = self.start()
        action = do_add_curve_action(
            actor=self.chief, curve=curve, description="x", owner=self.leader, due_on=today()
        )
        response = self.api(
            "patch", f"{BASE}/actions/{action.pk}", self.teacher, {"status": "done"}
        )
        assert response.status_code == 403
