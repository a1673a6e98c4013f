"""The unit results API: the same rows, numbers and 404s as the page."""

from __future__ import annotations

from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.results.tests.test_units_page import UnitsCase


class UnitsApiTests(UnitsCase, ApiTestCase):
    def url(self, unit_id: int, query: str = "") -> str:
        return f"/api/results/units/{unit_id}{query}"

    def test_the_chief_gets_markers_two_up_and_two_down(self) -> None:
        response = self.api("get", self.url(self.children_admin.pk), as_=self.chief)
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["unit"]["name"] == "Børn og Skole"
        assert body["period"] == self.period.code
        assert [row["unit"]["name"] for row in body["up"]] == ["Rudersdal Kommune"]
        down = [(row["unit"]["name"], row["depth"]) for row in body["down"]]
        assert ("Bakkeskolen", 1) in down and ("Indskolingen", 2) in down
        (marker,) = body["markers"]
        assert marker["marker"]["id"] == self.marker.pk
        absence = next(s for s in marker["indicators"] if s["indicator_id"] == self.absence.pk)
        assert absence["rag"] == "green" and float(absence["value"]) == 9.0
        assert absence["target_inherited"] is False and absence["current"] is True
        assert absence["series"][-1]["period"] == self.period.code

    def test_a_suppressed_value_is_null_and_an_inherited_target_says_so(self) -> None:
        body = self.api("get", self.url(self.school.pk), as_=self.chief).json()
        team = next(row for row in body["down"] if row["unit"]["name"] == "Indskolingen")
        absence = next(s for s in team["statuses"] if s["indicator_id"] == self.absence.pk)
        assert absence["value"] is None and absence["suppressed"] is True
        assert absence["rag"] == "none"
        assert all(point["value"] is None for point in absence["series"])
        own = body["markers"][0]["indicators"]
        school = next(s for s in own if s["indicator_id"] == self.absence.pk)
        assert school["target_inherited"] is True and float(school["target"]) == 10
        assert school["rag"] == "red" and school["trend"] == "worsening"

    def test_404_exactly_as_the_web(self) -> None:
        for staff, unit in (
            (self.leader, self.sibling),
            (self.leader, self.family_dept),
            (self.teacher, self.team),
            (self.outsider, self.school),
        ):
            with self.subTest(staff=staff.full_name, unit=unit.name):
                assert self.api("get", self.url(unit.pk), as_=staff).status_code == 404
        body = self.api("get", self.url(self.children_admin.pk), as_=self.teacher).json()
        assert [row["unit"]["name"] for row in body["down"]] == ["Bakkeskolen"]
        assert self.api("get", self.url(self.school.pk)).status_code == 401

    def test_a_bad_period_is_422(self) -> None:
        response = self.api("get", self.url(self.school.pk, "?period=2026-Q9"), as_=self.chief)
        assert response.status_code == 422
        assert response.json()["detail"][0]["field"] == "period"
        response = self.api(
            "get", self.url(self.school.pk, f"?period={self.period.shift(-4).code}"), as_=self.chief
        )
        own = response.json()["markers"][0]["indicators"]
        assert any(s["value"] is not None and float(s["value"]) == 12 for s in own)
