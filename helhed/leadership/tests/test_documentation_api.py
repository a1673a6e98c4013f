"""The documentation register through the API: the same permissions and rules as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.leadership.models import DataUse, DocumentationRequirement
from helhed.leadership.tests.documentation_case import DocumentationCase
from helhed.lib.validity import today
from helhed.test import indicator

BASE = "/api/leadership/documentation"
REASON = "Ingen bruger skemaet; skolen følger trivslen i samtaler."


class DocumentationApiTests(DocumentationCase, ApiTestCase):
    def body(self, **changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "title": "Elevplan-felt",
            "kind": "field",
            "purpose": "Dokumentere elevens mål.",
            "owner_id": self.teacher.pk,
            "owning_unit_id": self.school.pk,
            "unit_ids": [self.school.pk],
            "minutes_per_case": 15,
            "cases_per_year": 400,
        }
        data.update(changes)
        return data

    def test_registering_with_the_web_permissions_and_rules(self) -> None:
        assert self.api("post", BASE, self.teacher, self.body()).status_code == 403
        for bad in (
            self.body(title=""),
            self.body(kind="poem"),
            self.body(minutes_per_case=0),
            self.body(owner_id=self.outsider.pk),
            self.body(owning_unit_id=2**70),
            self.body(unit_ids=[2**62]),
        ):
            assert self.api("post", BASE, self.leader, bad).status_code == 422, bad
        assert not DocumentationRequirement.objects.exists()
        response = self.api("post", BASE, self.leader, self.body())
        assert response.status_code == 201
        data = response.json()
        assert (data["hours_per_year"], data["nice_to_know"], data["unit_ids"]) == (
            100.0,
            True,
            [self.school.pk],
        )
        duplicate = self.api("post", BASE, self.analyst, self.body(title="elevplan-felt"))
        assert duplicate.status_code == 422
        assert duplicate.json()["detail"][0]["field"] == "title"

    def test_listing_filters_and_the_outsider_sees_nothing(self) -> None:
        bare = self.requirement(title="Trivselsskema")
        lawful = self.requirement(title="Fraværsnotat", legal_basis="Folkeskoleloven § 39")
        items = self.api("get", BASE, self.teacher).json()["items"]
        assert [(r["id"], r["nice_to_know"]) for r in items] == [
            (lawful.pk, False),
            (bare.pk, True),
        ]
        nice = self.api("get", f"{BASE}?nice_to_know=true", self.teacher).json()["items"]
        assert [r["id"] for r in nice] == [bare.pk]
        assert self.api("get", f"{BASE}?status=gone", self.teacher).status_code == 422
        assert self.api("get", f"{BASE}?page=0", self.teacher).status_code == 422
        assert self.api("get", BASE, self.outsider).json()["items"] == []
        assert self.api("get", f"{BASE}/{bare.pk}", self.outsider).status_code == 404
        assert self.api("get", f"{BASE}/{bare.pk}", self.teacher).json()["title"] == bare.title

    def test_dropping_by_the_right_level_only(self) -> None:
        bare = self.requirement()
        url = f"{BASE}/{bare.pk}/drop"
        for who in (self.teacher, self.sibling):
            assert self.api("post", url, who, {"reason": REASON}).status_code == 403
        assert self.api("post", url, self.outsider, {"reason": REASON}).status_code == 404
        assert self.api("post", url, self.chief, {"reason": "nej"}).status_code == 422
        response = self.api("post", url, self.chief, {"reason": REASON})
        assert response.status_code == 200
        assert (response.json()["status"], response.json()["dropped_by_id"]) == (
            "dropped",
            self.chief.pk,
        )
        assert self.api("get", url, self.chief).status_code == 405

    def test_a_requirement_with_a_legal_basis_is_not_dropped(self) -> None:
        lawful = self.requirement(legal_basis="Barnets Lov § 20")
        response = self.api("post", f"{BASE}/{lawful.pk}/drop", self.director, {"reason": REASON})
        assert response.status_code == 422
        assert response.json()["detail"][0]["field"] == "legal_basis"

    def test_totals_sum_the_minutes(self) -> None:
        for title in ("A", "B"):
            requirement = self.requirement(title=title, minutes_per_case=7, cases_per_year=10)
            url = f"{BASE}/{requirement.pk}/drop"
            assert self.api("post", url, self.leader, {"reason": REASON}).status_code == 200
        self.requirement(title="C", minutes_per_case=30, cases_per_year=10)
        totals = self.api("get", f"{BASE}/totals", self.teacher).json()
        assert totals == {
            "active_count": 1,
            "active_hours": 5.0,
            "nice_count": 1,
            "nice_hours": 5.0,
            "dropped_count": 2,
            "saved_hours": 2.3,
        }
        assert self.api("get", f"{BASE}/totals").status_code == 401

    def test_recording_and_ending_uses_of_requirements_and_indicators(self) -> None:
        bare = self.requirement()
        absence = indicator("fravaer-over-10")
        foreign = indicator("trivsel", municipality_code=167)
        uses = f"{BASE}/uses"
        body = {"user_description": "Skoleudvalget", "used_for": "Opfølgning"}
        assert self.api("post", uses, self.teacher, body).status_code == 422
        both = {**body, "requirement_id": bare.pk, "indicator_id": absence.pk}
        assert self.api("post", uses, self.teacher, both).status_code == 422
        foreign_body = {**body, "indicator_id": foreign.pk}
        assert self.api("post", uses, self.teacher, foreign_body).status_code == 404
        empty = {"requirement_id": bare.pk, "user_description": " ", "used_for": "x"}
        assert self.api("post", uses, self.teacher, empty).status_code == 422
        response = self.api("post", uses, self.teacher, {**body, "requirement_id": bare.pk})
        assert response.status_code == 201
        assert response.json()["in_force"] is True
        assert self.api("get", f"{BASE}/{bare.pk}", self.teacher).json()["nice_to_know"] is False
        response = self.api("post", uses, self.caseworker, {**body, "indicator_id": absence.pk})
        assert response.status_code == 201
        listed = self.api("get", f"{BASE}/indicators/{absence.pk}/uses", self.teacher).json()
        assert [u["user_description"] for u in listed] == ["Skoleudvalget"]
        assert (
            self.api("get", f"{BASE}/indicators/{absence.pk}/uses", self.outsider).status_code
            == 404
        )
        flags = self.api("get", f"{BASE}/indicators?q=fravaer-over-10", self.teacher).json()
        assert [(i["id"], i["nice_to_know"]) for i in flags["items"]] == [(absence.pk, False)]

        use = DataUse.objects.get(indicator=absence)
        end = f"{BASE}/uses/{use.pk}/end"
        assert self.api("post", end, self.leader, {}).status_code == 403
        assert self.api("post", end, self.outsider, {}).status_code == 404
        past = {"ended_on": str(use.recorded_on - dt.timedelta(days=1))}
        assert self.api("post", end, self.caseworker, past).status_code == 422
        response = self.api("post", end, self.caseworker, {})
        assert (response.status_code, response.json()["ended_on"]) == (200, str(today()))
        assert response.json()["in_force"] is False
        flags = self.api("get", f"{BASE}/indicators?q=fravaer-over-10", self.teacher).json()
        assert flags["items"][0]["nice_to_know"] is True
