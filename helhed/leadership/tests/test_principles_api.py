"""Principles and methods through the API: the same permissions and rules as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.leadership.actions.principles import do_create_principle, do_register_method
from helhed.leadership.models import Method, Principle, PrincipleSignature
from helhed.lib.validity import today
from helhed.organisation.models import Staff, Unit
from helhed.plans.actions.plans import do_add_effort
from helhed.test import make_plan, make_staff

BASE = "/api/leadership"


class PrincipleApiTests(ApiTestCase):
    family_leader: Staff

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.family_leader = make_staff(
            "Frida", "Falk", unit=cls.family_dept, role="leader", username="familyleader"
        )

    def setUp(self) -> None:
        super().setUp()
        self.principle = do_create_principle(
            actor=self.leader,
            title="Bekymrende fravær",
            situation="En elevs fravær bekymrer skolen.",
            who_does_what="Skolen kontakter familien.",
            review_on=today() + dt.timedelta(days=100),
        )

    def body(self, **changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "title": "Overgang fra dagtilbud til skole",
            "situation": "Et barn starter i skole.",
            "who_does_what": "Dagtilbuddet overleverer til skolen i april.",
            "review_on": str(today() + dt.timedelta(days=300)),
        }
        data.update(changes)
        return data

    def test_listing_and_reading(self) -> None:
        response = self.api("get", f"{BASE}/principles", self.teacher)
        [row] = response.json()["items"]
        assert (row["title"], row["signatures"], row["past_review"]) == (
            "Bekymrende fravær",
            0,
            False,
        )
        assert self.api("get", f"{BASE}/principles", self.outsider).json()["items"] == []
        url = f"{BASE}/principles/{self.principle.pk}"
        assert self.api("get", url, self.teacher).json()["who_does_what"].startswith("Skolen")
        assert self.api("get", url, self.outsider).status_code == 404

    def test_past_review_is_flagged(self) -> None:
        Principle.objects.filter(pk=self.principle.pk).update(
            review_on=today() - dt.timedelta(days=1)
        )
        response = self.api("get", f"{BASE}/principles?past_review=true", self.teacher)
        [row] = response.json()["items"]
        assert row["past_review"] is True

    def test_writing_a_principle(self) -> None:
        assert self.api("post", f"{BASE}/principles", self.teacher, self.body()).status_code == 403
        past = self.body(review_on=str(today()))
        response = self.api("post", f"{BASE}/principles", self.chief, past)
        assert response.status_code == 422
        assert response.json()["detail"][0]["field"] == "review_on"
        response = self.api(
            "post", f"{BASE}/principles", self.chief, self.body(owner_id=self.outsider.pk)
        )
        assert response.status_code == 422
        response = self.api("post", f"{BASE}/principles", self.chief, self.body())
        assert response.status_code == 201
        assert response.json()["owner_id"] == self.chief.pk

    def test_signing_with_the_web_rules(self) -> None:
        url = f"{BASE}/principles/{self.principle.pk}/signatures"
        family = {"unit_id": self.family_dept.pk}
        assert self.api("post", url, self.chief, family).status_code == 403
        assert self.api("post", url, self.outsider, family).status_code == 404
        other = Unit.objects.get(municipality__code=167, name="Familie")
        assert self.api("post", url, self.leader, {"unit_id": other.pk}).status_code == 404
        assert self.api("post", url, self.leader, {"unit_id": 2**70}).status_code == 422
        response = self.api("post", url, self.family_leader, family)
        assert response.status_code == 201
        assert [s["unit_id"] for s in response.json()["signed_by"]] == [self.family_dept.pk]
        assert self.api("post", url, self.family_leader, family).status_code == 422
        assert PrincipleSignature.objects.count() == 1


class MethodApiTests(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.method = do_register_method(
            actor=self.analyst,
            name="FIT",
            description="Feedback Informed Treatment.",
            research_basis="Randomiserede forsøg.",
            evidence=Method.Evidence.PROMISING,
            units=[self.family_dept],
        )

    def body(self, **changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": "IPS",
            "description": "Individuelt planlagt job med støtte.",
            "research_basis": "Cochrane review.",
            "evidence": "documented",
            "link": "https://example.org/ips",
            "unit_ids": [self.family_dept.pk],
        }
        data.update(changes)
        return data

    def test_listing_and_reading_with_usage_counts(self) -> None:
        plan = make_plan(self.alma, coordinator=self.caseworker)
        do_add_effort(
            actor=self.caseworker,
            plan=plan,
            expected_version=plan.version,
            title="Familiebehandling",
            responsible_unit=self.family_dept,
            legal_basis="barnets_lov",
            starts_on=today(),
            monthly_cost=Decimal("100"),
            method=self.method,
        )
        [row] = self.api("get", f"{BASE}/methods", self.teacher).json()["items"]
        assert (row["name"], row["unit_ids"]) == ("FIT", [self.family_dept.pk])
        assert self.api("get", f"{BASE}/methods", self.outsider).json()["items"] == []
        url = f"{BASE}/methods/{self.method.pk}"
        data = self.api("get", url, self.teacher).json()
        assert data["active_efforts"] == 1
        assert data["by_unit"] == [{"name": "Familieafdelingen", "count": 1}]
        assert self.api("get", url, self.outsider).status_code == 404

    def test_registering_a_method(self) -> None:
        assert self.api("post", f"{BASE}/methods", self.teacher, self.body()).status_code == 403
        other = Unit.objects.get(municipality__code=167, name="Familie")
        response = self.api("post", f"{BASE}/methods", self.analyst, self.body(unit_ids=[other.pk]))
        assert response.status_code == 422
        response = self.api("post", f"{BASE}/methods", self.analyst, self.body(name="fit"))
        assert response.status_code == 422
        response = self.api("post", f"{BASE}/methods", self.analyst, self.body(link="ftp:x"))
        assert response.status_code == 422
        response = self.api("post", f"{BASE}/methods", self.analyst, self.body())
        assert response.status_code == 201
        assert response.json()["unit_ids"] == [self.family_dept.pk]
