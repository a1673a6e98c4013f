"""The organisation API: units as of a date, the user's own municipality, creating units."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import Permission

from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.organisation.models import Unit
from helhed.test import make_staff, make_unit


class UnitListTests(ApiTestCase):
    def ids(self, query: str = "", as_: Any = None) -> list[int]:
        response = self.api("get", f"/api/units{query}", as_=as_ or self.caseworker)
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["count"] == len(body["items"])
        return [item["id"] for item in body["items"]]

    def test_it_lists_the_units_of_the_users_municipality_in_tree_order(self) -> None:
        assert self.ids() == [
            self.root.pk,
            self.children_admin.pk,
            self.school.pk,
            self.family_dept.pk,
        ]

    def test_a_unit_carries_its_place_in_the_tree(self) -> None:
        response = self.api("get", "/api/units?q=bakke", as_=self.caseworker)
        [item] = response.json()["items"]
        assert item["id"] == self.school.pk
        assert item["key"] == str(self.school.key)
        assert item["parent_id"] == self.children_admin.pk
        assert item["municipality_code"] == 230
        assert item["unit_type"] == "institution"
        assert item["sector"] == "school"
        assert item["depth"] == 3

    def test_it_paginates(self) -> None:
        for number in range(100):
            make_unit(f"Team {number:03d}", parent=self.school, unit_type="team")
        first = self.api("get", "/api/units", as_=self.caseworker).json()
        second = self.api("get", "/api/units?page=2", as_=self.caseworker).json()
        assert first["count"] == second["count"] == 104
        assert len(first["items"]) == 100
        assert len(second["items"]) == 4
        seen = {i["id"] for i in first["items"]} | {i["id"] for i in second["items"]}
        assert len(seen) == 104

    def test_it_searches_by_name(self) -> None:
        assert self.ids("?q=bakke") == [self.school.pk]
        assert self.ids("?q=nothing-like-it") == []

    def test_it_filters_by_subtree(self) -> None:
        assert self.ids(f"?under={self.children_admin.pk}") == [
            self.children_admin.pk,
            self.school.pk,
            self.family_dept.pk,
        ]
        assert self.ids(f"?under={self.school.pk}") == [self.school.pk]

    def test_the_subtree_filter_cannot_reach_another_municipality(self) -> None:
        other = Unit.objects.get(name="Hvidovre Kommune")
        response = self.api("get", f"/api/units?under={other.pk}", as_=self.caseworker)
        assert response.status_code == 404

    def test_it_filters_by_municipality(self) -> None:
        assert self.ids("?municipality=230") == self.ids()
        # Another municipality's units stay hidden even when asked for by code.
        assert self.ids("?municipality=167") == []

    def test_an_administrator_sees_every_municipality_and_can_filter(self) -> None:
        self.login(self.admin)
        response = self.client.get("/api/units?municipality=167")
        assert response.status_code == 200
        names = [item["name"] for item in response.json()["items"]]
        assert names == ["Hvidovre Kommune", "Familie"]

    def test_it_shows_the_organisation_as_of_a_date(self) -> None:
        closed = make_unit(
            "Gammel skole",
            parent=self.children_admin,
            valid_from=dt.date(2021, 1, 1),
            valid_to=dt.date(2021, 12, 31),
        )
        assert closed.pk in self.ids("?on=2021-06-01")
        assert closed.pk not in self.ids("?on=2022-01-01")
        assert closed.pk not in self.ids()
        assert self.ids("?on=2019-12-31") == []

    def test_a_bad_date_is_a_422(self) -> None:
        response = self.api("get", "/api/units?on=2021-02-30", as_=self.caseworker)
        assert response.status_code == 422

    def test_a_user_without_staff_record_or_admin_rights_sees_no_units(self) -> None:
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.create_user("nobody", password="x" * 12)
        self.client.force_login(user)
        response = self.client.get("/api/units")
        assert response.json() == {"items": [], "count": 0}


class UnitDetailTests(ApiTestCase):
    def test_it_shows_the_leader_and_span(self) -> None:
        response = self.api("get", f"/api/units/{self.school.pk}", as_=self.caseworker)
        assert response.status_code == 200
        body = response.json()
        assert body["name"] == "Bakkeskolen"
        assert body["municipality_code"] == 230
        assert body["unit_type"] == "institution"
        assert body["leader"] == "Lise Lund"
        assert body["direct_reports"] == 1  # the teacher
        assert body["subtree_units"] == 1

    def test_a_unit_without_a_leader_has_no_span(self) -> None:
        team = make_unit("Team", parent=self.school, unit_type="team")
        body = self.api("get", f"/api/units/{team.pk}", as_=self.caseworker).json()
        assert body["leader"] is None
        assert body["direct_reports"] is None

    def test_a_unit_of_another_municipality_is_a_404(self) -> None:
        other = Unit.objects.get(name="Familie")
        response = self.api("get", f"/api/units/{other.pk}", as_=self.caseworker)
        assert response.status_code == 404
        missing = self.api("get", "/api/units/999999", as_=self.caseworker)
        assert missing.status_code == 404
        assert response.json() == missing.json()
        # The outsider sees their own.
        assert self.api("get", f"/api/units/{other.pk}", as_=self.outsider).status_code == 200

    def test_spans_list_the_leaders_of_the_subtree(self) -> None:
        response = self.api("get", f"/api/units/{self.children_admin.pk}/spans", as_=self.leader)
        assert response.status_code == 200
        spans = {s["leader"]: s["direct_reports"] for s in response.json()}
        # The chief leads the school leader and the two case workers of the leaderless
        # family department; the school leader leads the teacher.
        assert spans == {"Claus Krog": 3, "Lise Lund": 1}


class StaffListTests(ApiTestCase):
    def test_it_lists_staff_of_the_users_municipality_only(self) -> None:
        response = self.api("get", "/api/staff", as_=self.caseworker)
        names = {s["last_name"] for s in response.json()["items"]}
        assert "Sand" in names
        assert "Olsen" not in names  # the outsider

    def test_it_searches_by_name(self) -> None:
        response = self.api("get", "/api/staff?q=sara", as_=self.caseworker)
        assert [s["last_name"] for s in response.json()["items"]] == ["Sand"]


class CreateUnitTests(ApiTestCase):
    def setUp(self) -> None:
        self.manager = make_staff(
            "Mona", unit=self.children_admin, role="caseworker", username="manager"
        )
        assert self.manager.user is not None
        self.manager.user.user_permissions.add(
            Permission.objects.get(codename="add_unit", content_type__app_label="organisation")
        )
        self.before = Unit.objects.count()

    def payload(self, **fields: Any) -> dict[str, Any]:
        return {
            "name": "Skovskolen",
            "parent_id": self.children_admin.pk,
            "unit_type": "institution",
            "sector": "school",
            "valid_from": "2021-08-01",
            **fields,
        }

    def post(self, body: Any, as_: Any = None) -> Any:
        return self.api("post", "/api/units", as_=as_ or self.manager, body=body)

    def messages(self, response: Any) -> str:
        return " ".join(str(d.get("message", d)) for d in response.json()["detail"])

    def test_it_creates_a_unit_in_the_tree(self) -> None:
        response = self.post(self.payload())
        assert response.status_code == 201, response.content
        unit = Unit.objects.get(pk=response.json()["id"])
        assert unit.parent == self.children_admin
        assert unit.municipality == self.children_admin.municipality
        assert unit.path == f"{self.children_admin.path}{unit.pk}."
        assert unit.sector is not None and unit.sector.code == "school"

    def test_it_is_forbidden_without_permission(self) -> None:
        response = self.post(self.payload(), as_=self.caseworker)
        assert response.status_code == 403
        assert response["content-type"].startswith("application/json")
        assert Unit.objects.count() == self.before

    def test_a_parent_in_another_municipality_is_a_404(self) -> None:
        other = Unit.objects.get(name="Hvidovre Kommune")
        response = self.post(self.payload(parent_id=other.pk))
        assert response.status_code == 404
        assert Unit.objects.count() == self.before

    def test_it_rejects_an_unknown_type(self) -> None:
        response = self.post(self.payload(unit_type="spaceship"))
        assert response.status_code == 422
        assert "Unknown unit type" in response.json()["detail"]
        assert Unit.objects.count() == self.before

    def test_it_rejects_an_unknown_sector(self) -> None:
        response = self.post(self.payload(sector="spaceport"))
        assert response.status_code == 422
        assert Unit.objects.count() == self.before

    def test_it_rejects_a_type_at_or_above_its_parents_level(self) -> None:
        for unit_type, parent in (("institution", self.school), ("administration", self.school)):
            with self.subTest(unit_type=unit_type):
                response = self.post(self.payload(unit_type=unit_type, parent_id=parent.pk))
                assert response.status_code == 422
                detail = response.json()["detail"]
                assert detail[0]["field"] == "unit_type"
                assert "cannot be placed under" in detail[0]["message"]
        assert Unit.objects.count() == self.before

    def test_it_rejects_a_period_that_ends_before_it_starts(self) -> None:
        response = self.post(self.payload(valid_from="2022-01-01", valid_to="2021-12-31"))
        assert response.status_code == 422
        assert response.json()["detail"] == [
            {"field": "valid_to", "message": "The period cannot end before it starts."}
        ]
        assert Unit.objects.count() == self.before

    def test_it_rejects_a_period_before_the_parent_existed(self) -> None:
        response = self.post(self.payload(valid_from="2019-01-01"))
        assert response.status_code == 422
        assert "within its parent" in self.messages(response)
        assert Unit.objects.count() == self.before

    def test_malformed_input_is_a_4xx_never_a_500(self) -> None:
        for body in (
            "{not json",
            "",
            "[]",
            "null",
            '"text"',
            '{"name": 5}',
            self.payload(parent_id="one"),
            self.payload(valid_from="2021-13-01"),
            self.payload(name=""),
            self.payload(name="x" * 201),
            self.payload(name="Nul\u0000skole"),
            self.payload(unit_type="team\u0000"),
        ):
            with self.subTest(body=body):
                response = self.post(body)
                assert 400 <= response.status_code < 500, response.content
        assert Unit.objects.count() == self.before

    def test_a_nul_character_in_a_query_is_a_400(self) -> None:
        # Refused at the edge (RejectNulBytesMiddleware), before any query runs.
        for path in ("/api/units?q=a%00", "/api/staff?q=a%00", "/api/municipalities?q=a%00"):
            with self.subTest(path=path):
                assert self.api("get", path, as_=self.caseworker).status_code == 400
