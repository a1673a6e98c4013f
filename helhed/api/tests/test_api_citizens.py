"""The citizens API: only visible citizens exist, and registration validates the CPR."""

from __future__ import annotations

import datetime as dt
from typing import Any

from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.citizens.models import Citizen, Engagement
from helhed.test import make_citizen, synthetic_cpr


class CitizenListTests(ApiTestCase):
    def ids(self, as_: Any, query: str = "") -> list[int]:
        response = self.api("get", f"/api/citizens{query}", as_=as_)
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == len(body["items"])
        return [item["id"] for item in body["items"]]

    def test_a_caseworker_sees_the_citizen_they_work_with(self) -> None:
        assert self.ids(self.caseworker) == [self.alma.pk]

    def test_a_teacher_sees_pupils_through_the_school(self) -> None:
        assert self.ids(self.teacher) == [self.alma.pk]

    def test_nobody_else_sees_citizens(self) -> None:
        for staff in (self.outsider, self.leader, self.colleague, self.chief, self.politician):
            with self.subTest(staff=staff):
                assert self.ids(staff) == []

    def test_an_administrator_without_a_staff_record_sees_none(self) -> None:
        self.login(self.admin)
        assert self.client.get("/api/citizens").json() == {"items": [], "count": 0}

    def test_the_list_does_not_leak_the_cpr(self) -> None:
        response = self.api("get", "/api/citizens", as_=self.caseworker)
        [item] = response.json()["items"]
        assert "cpr" not in item
        assert self.alma.cpr[7:] not in response.content.decode()
        assert item["birth_date"] == "2014-05-17"

    def test_it_searches_by_name_and_by_full_cpr(self) -> None:
        assert self.ids(self.caseworker, "?q=alma") == [self.alma.pk]
        assert self.ids(self.caseworker, f"?q={self.alma.cpr}") == [self.alma.pk]
        assert self.ids(self.caseworker, "?q=mette") == []
        # Searching by another citizen's CPR finds nothing: search stays within access.
        assert self.ids(self.caseworker, f"?q={self.mother.cpr}") == []

    def test_it_paginates(self) -> None:
        for number in range(50):
            born = dt.date(2015, 1, 2) + dt.timedelta(days=number)
            citizen = make_citizen(f"Barn{number:02d}", birth_date=born)
            Engagement.objects.create(
                citizen=citizen, staff=self.caseworker, kind=Engagement.Kind.CASEWORK
            )
        first = self.api("get", "/api/citizens", as_=self.caseworker).json()
        second = self.api("get", "/api/citizens?page=2", as_=self.caseworker).json()
        assert first["count"] == 51
        assert len(first["items"]) == 50
        assert len(second["items"]) == 1

    def test_an_ended_engagement_gives_no_access(self) -> None:
        Engagement.objects.filter(staff=self.caseworker).update(valid_to=dt.date(2021, 1, 1))
        assert self.ids(self.caseworker) == []


class CitizenDetailTests(ApiTestCase):
    def test_an_engaged_caseworker_gets_the_citizen_with_cpr(self) -> None:
        response = self.api("get", f"/api/citizens/{self.alma.pk}", as_=self.caseworker)
        assert response.status_code == 200
        body = response.json()
        assert body["cpr"] == self.alma.cpr
        assert body["municipality_code"] == 230
        assert body["current_unit_id"] == self.school.pk

    def test_another_citizen_is_a_404_like_a_missing_one(self) -> None:
        hidden = self.api("get", f"/api/citizens/{self.mother.pk}", as_=self.caseworker)
        missing = self.api("get", "/api/citizens/999999", as_=self.caseworker)
        assert hidden.status_code == missing.status_code == 404
        assert hidden.json() == missing.json()

    def test_an_outsider_gets_a_404(self) -> None:
        for path in (f"/api/citizens/{self.alma.pk}", f"/api/citizens/{self.alma.pk}/engagements"):
            with self.subTest(path=path):
                assert self.api("get", path, as_=self.outsider).status_code == 404

    def test_a_leader_gets_a_404(self) -> None:
        response = self.api("get", f"/api/citizens/{self.alma.pk}", as_=self.leader)
        assert response.status_code == 404

    def test_it_lists_the_engagements(self) -> None:
        response = self.api("get", f"/api/citizens/{self.alma.pk}/engagements", as_=self.teacher)
        assert response.status_code == 200
        assert {(e["staff"], e["unit"]) for e in response.json()} == {
            ("Sara Sand", None),
            (None, "Bakkeskolen"),
        }


class RegisterCitizenTests(ApiTestCase):
    def setUp(self) -> None:
        self.before = Citizen.objects.count()

    def payload(self, **fields: Any) -> dict[str, Any]:
        return {
            "cpr": synthetic_cpr(dt.date(2016, 3, 4), "M"),
            "first_name": "Noah",
            "last_name": "Nielsen",
            "municipality_code": 230,
            **fields,
        }

    def post(self, body: Any, as_: Any = None) -> Any:
        return self.api("post", "/api/citizens", as_=as_ or self.caseworker, body=body)

    def test_a_caseworker_registers_a_citizen_and_can_then_read_it(self) -> None:
        payload = self.payload(current_unit_id=self.school.pk)
        response = self.post(payload)
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["cpr"].replace("-", "") == payload["cpr"]
        assert body["birth_date"] == "2016-03-04"
        assert body["sex"] == "M"
        assert body["current_unit_id"] == self.school.pk
        again = self.api("get", f"/api/citizens/{body['id']}", as_=self.caseworker)
        assert again.status_code == 200
        assert again.json() == body
        # The colleague without an engagement still cannot.
        other = self.api("get", f"/api/citizens/{body['id']}", as_=self.colleague)
        assert other.status_code == 404

    def test_a_bad_check_digit_is_a_422_naming_the_cpr(self) -> None:
        response = self.post(self.payload(cpr="070761-4286"))
        assert response.status_code == 422
        [error] = response.json()["detail"]
        assert error["field"] == "cpr"
        assert "CPR" in error["message"]
        assert "check digit" in error["message"]
        assert Citizen.objects.count() == self.before

    def test_an_impossible_date_is_a_422_naming_the_cpr(self) -> None:
        response = self.post(self.payload(cpr="3102991234"))
        assert response.status_code == 422
        [error] = response.json()["detail"]
        assert error["field"] == "cpr"
        assert "real date" in error["message"]
        assert Citizen.objects.count() == self.before

    def test_a_malformed_cpr_is_a_422(self) -> None:
        for cpr in ("", "12345", "07076l4285", "0707-614285"):
            with self.subTest(cpr=cpr):
                response = self.post(self.payload(cpr=cpr))
                assert response.status_code == 422
                assert response.json()["detail"][0]["field"] == "cpr"
        assert Citizen.objects.count() == self.before

    def test_a_duplicate_is_a_422(self) -> None:
        for cpr in (self.alma.cpr, self.alma.cpr.replace("-", "")):
            with self.subTest(cpr=cpr):
                response = self.post(self.payload(cpr=cpr))
                assert response.status_code == 422
                assert response.json()["detail"] == [
                    {
                        "field": "cpr",
                        "message": "A citizen with this CPR number is already registered.",
                    }
                ]
        assert Citizen.objects.count() == self.before

    def test_a_duplicate_of_a_citizen_the_caller_cannot_see_is_also_a_422(self) -> None:
        # The outsider learns only that the number is taken, never whose it is.
        response = self.post(self.payload(cpr=self.alma.cpr), as_=self.outsider)
        assert response.status_code == 422
        assert "Alma" not in response.content.decode()

    def test_a_caseworker_may_not_register_a_citizen_of_another_municipality(self) -> None:
        response = self.post(self.payload(municipality_code=167))
        assert response.status_code == 422
        assert "own municipality" in response.content.decode()
        assert Citizen.objects.count() == self.before

    def test_a_leader_may_not_register(self) -> None:
        for staff in (self.leader, self.chief, self.analyst, self.politician):
            with self.subTest(staff=staff):
                response = self.post(self.payload(), as_=staff)
                assert response.status_code == 403
        assert Citizen.objects.count() == self.before

    def test_an_administrator_without_staff_record_may_not_register(self) -> None:
        self.login(self.admin)
        response = self.client.post(
            "/api/citizens", self.payload(), content_type="application/json"
        )
        assert response.status_code == 403
        assert Citizen.objects.count() == self.before

    def test_an_unknown_municipality_is_a_422(self) -> None:
        response = self.post(self.payload(municipality_code=9999))
        assert response.status_code == 422
        assert Citizen.objects.count() == self.before

    def test_a_unit_of_another_municipality_is_a_422(self) -> None:
        from helhed.organisation.models import Unit

        other = Unit.objects.get(name="Familie")
        response = self.post(self.payload(current_unit_id=other.pk))
        assert response.status_code == 422
        assert Citizen.objects.count() == self.before

    def test_malformed_input_is_a_4xx_never_a_500(self) -> None:
        for body in (
            "{not json",
            "",
            "[]",
            "null",
            '{"cpr": 707614285}',
            self.payload(municipality_code="two-thirty"),
            self.payload(first_name=""),
            self.payload(first_name="x" * 101),
            self.payload(first_name="No\u0000ah"),
            self.payload(cpr="070761\u00004285"),
            self.payload(current_unit_id="school"),
        ):
            with self.subTest(body=body):
                response = self.post(body)
                assert 400 <= response.status_code < 500, response.content
        assert Citizen.objects.count() == self.before

    def test_a_nul_character_in_the_search_is_a_400(self) -> None:
        # Refused at the edge (RejectNulBytesMiddleware), before any query runs.
        assert self.api("get", "/api/citizens?q=a%00", as_=self.caseworker).status_code == 400
