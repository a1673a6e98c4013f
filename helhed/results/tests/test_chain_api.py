"""The API for committees, ambitions and markers: the same rules as the web."""

from __future__ import annotations

from typing import Any

from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.results.models import Ambition, Marker
from helhed.test import indicator, make_unit

BASE = "/api/results"


class ChainApiCase(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.committee, self.ambition, self.marker = self.make_results_chain()

    def fields(self, response: Any) -> dict[str, str]:
        return {e["field"]: e["message"] for e in response.json()["detail"]}


class ReadTests(ChainApiCase):
    def test_staff_read_committees_and_ambitions(self) -> None:
        body = self.api("get", f"{BASE}/committees", as_=self.teacher).json()
        assert [c["name"] for c in body] == ["Børne- og Skoleudvalget"]
        body = self.api("get", f"{BASE}/ambitions?year=2025", as_=self.teacher).json()
        assert [a["id"] for a in body] == [self.ambition.pk]
        assert body[0]["cross_cutting"] is False
        assert self.api("get", f"{BASE}/ambitions?year=2019", as_=self.teacher).json() == []
        other = self.api("get", f"{BASE}/ambitions?committee=99999", as_=self.teacher).json()
        assert other == []

    def test_one_ambition_with_markers_indicators_and_owners(self) -> None:
        body = self.api("get", f"{BASE}/ambitions/{self.ambition.pk}", as_=self.teacher).json()
        assert body["title"] == self.ambition.title
        (marker,) = body["markers"]
        assert marker["owner_id"] == self.chief.pk and marker["owner_name"] == "Claus Krog"
        codes = {i["code"] for i in marker["indicators"]}
        assert codes == {"fravaer-over-10", "karakter-02-dansk-matematik"}

    def test_the_outsider_gets_404_and_nothing_listed(self) -> None:
        response = self.api("get", f"{BASE}/ambitions/{self.ambition.pk}", as_=self.outsider)
        assert response.status_code == 404
        assert self.api("get", f"{BASE}/committees", as_=self.outsider).json() == []
        assert self.api("get", f"{BASE}/committees").status_code == 401


class WriteTests(ChainApiCase):
    def ambition_body(self, **changes: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "committee_id": self.committee.pk,
            "title": "Alle unge i uddannelse",
            "first_year": 2026,
            "last_year": 2029,
            "owner_id": self.chief.pk,
            "unit_ids": [self.children_admin.pk, self.root.pk],
        }
        body.update(changes)
        return body

    def test_a_manager_creates_an_ambition(self) -> None:
        response = self.api(
            "post", f"{BASE}/ambitions", as_=self.analyst, body=self.ambition_body()
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["cross_cutting"] is True and body["markers"] == []

    def test_others_get_403(self) -> None:
        for staff in (self.chief, self.teacher):
            response = self.api("post", f"{BASE}/ambitions", as_=staff, body=self.ambition_body())
            assert response.status_code == 403

    def test_bad_ambitions_get_422_with_the_field(self) -> None:
        cases: list[tuple[dict[str, Any], str, str]] = [
            ({"first_year": 2030}, "last_year", "cannot come before the first year"),
            ({"owner_id": self.outsider.pk}, "owner", "staff member of this municipality"),
            ({"unit_ids": [self.school.pk]}, "units", "Bakkeskolen is not one of them"),
            ({"unit_ids": [999999]}, "units", "No such id"),
        ]
        for changes, field, message in cases:
            with self.subTest(field=field, message=message):
                response = self.api(
                    "post",
                    f"{BASE}/ambitions",
                    as_=self.analyst,
                    body=self.ambition_body(**changes),
                )
                assert response.status_code == 422
                assert message in self.fields(response)[field]
        assert Ambition.objects.count() == 1

    def test_the_owner_adds_a_marker_and_units_outside_are_refused(self) -> None:
        url = f"{BASE}/ambitions/{self.ambition.pk}/markers"
        body = {
            "title": "Flere unge i uddannelse",
            "owner_id": self.leader.pk,
            "indicator_ids": [indicator("ungdomsuddannelse-18").pk],
            "unit_ids": [self.school.pk],
        }
        response = self.api("post", url, as_=self.chief, body=body)
        assert response.status_code == 201, response.content
        assert response.json()["units"] == [{"id": self.school.pk, "name": "Bakkeskolen"}]
        social = make_unit("Social og Sundhed", parent=self.root, unit_type="administration")
        response = self.api("post", url, as_=self.chief, body={**body, "unit_ids": [social.pk]})
        assert response.status_code == 422
        assert "outside them" in self.fields(response)["units"]
        assert self.api("post", url, as_=self.teacher, body=body).status_code == 403
        assert self.api("post", url, as_=self.outsider, body=body).status_code == 404
        assert Marker.objects.count() == 2

    def test_patching_a_marker(self) -> None:
        url = f"{BASE}/markers/{self.marker.pk}"
        response = self.api("patch", url, as_=self.chief, body={"title": "Nyt navn"})
        assert response.status_code == 200
        assert response.json()["title"] == "Nyt navn"
        assert len(response.json()["indicators"]) == 2
        response = self.api("patch", url, as_=self.chief, body={"unit_ids": [self.root.pk]})
        assert response.status_code == 422
        assert self.api("patch", url, as_=self.teacher, body={"title": "X"}).status_code == 403
        assert self.api("patch", url, as_=self.outsider, body={"title": "X"}).status_code == 404
        assert self.api("delete", url, as_=self.chief).status_code == 405
        self.marker.refresh_from_db()
        assert self.marker.title == "Nyt navn" and not self.marker.units.exists()
