"""The directory through the API: the same permissions and rules as the pages."""

from __future__ import annotations

from typing import Any

from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.organisation.models import ContactPoint

BASE = "/api/directory"


class DirectoryApiTests(ApiTestCase):
    def body(self, **changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "unit_id": self.school.pk,
            "name": "Skolens kontor",
            "phone": "45 11 22 33",
            "opening_hours": "8-15",
        }
        data.update(changes)
        return data

    def test_leaders_add_and_everyone_on_the_staff_reads(self) -> None:
        response = self.api("post", BASE, self.leader, self.body())
        assert response.status_code == 201, response.content
        point_id = response.json()["id"]
        assert response.json()["can_edit"] is True
        listed = self.api("get", BASE, self.teacher).json()["items"]
        assert [(p["id"], p["can_edit"]) for p in listed] == [(point_id, False)]
        assert self.api("get", f"{BASE}?q=bakke", self.teacher).json()["count"] == 1
        assert self.api("get", f"{BASE}?has_capacity=false", self.teacher).json()["count"] == 0
        assert self.api("get", BASE, self.outsider).json()["items"] == []
        assert self.api("get", f"{BASE}/{point_id}", self.outsider).status_code == 404

    def test_only_the_units_leaders_change_it(self) -> None:
        point = ContactPoint.objects.create(unit=self.school, name="Kontor", phone="1")
        url = f"{BASE}/{point.pk}"
        assert self.api("post", BASE, self.teacher, self.body()).status_code == 403
        assert self.api("patch", url, self.teacher, {"phone": "2"}).status_code == 403
        assert self.api("patch", url, self.outsider, {"phone": "2"}).status_code == 404
        capacity = {"has_capacity": False, "note": "Fuldt"}
        assert self.api("post", f"{url}/capacity", self.teacher, capacity).status_code == 403
        assert self.api("delete", url, self.outsider).status_code == 404
        response = self.api("post", f"{url}/capacity", self.leader, capacity)
        assert response.status_code == 200
        assert (response.json()["has_capacity"], response.json()["capacity_note"]) == (
            False,
            "Fuldt",
        )
        assert self.api("patch", url, self.chief, {"phone": "2"}).json()["phone"] == "2"
        assert self.api("delete", url, self.leader).status_code == 204
        assert not ContactPoint.objects.exists()

    def test_bad_input_answers_422(self) -> None:
        point = ContactPoint.objects.create(unit=self.school, name="Kontor", phone="1")
        for body in (
            self.body(name=""),
            self.body(email="not an e-mail"),
            self.body(phone="", email=""),
            self.body(unit_id=2**70),
            self.body(name="a\x00b"),
        ):
            with self.subTest(body):
                assert self.api("post", BASE, self.leader, body).status_code == 422
        url = f"{BASE}/{point.pk}"
        assert self.api("patch", url, self.leader, {"email": "nope"}).status_code == 422
        assert self.api("patch", url, self.leader, {"phone": "", "email": ""}).status_code == 422
        assert self.api("post", BASE, self.leader, self.body(unit_id=999999)).status_code == 404
