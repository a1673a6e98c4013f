"""The worklist API: the same rows, counts and rule as the web page, with the same access."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.citizens.models import Engagement
from helhed.lib.validity import today
from helhed.plans.models import NeedsRule
from helhed.plans.tests.test_worklist import make_effort
from helhed.test import engage, make_citizen, make_plan

BASE = "/api/worklist"


class WorklistApiTests(ApiTestCase):
    def rows(self, as_: Any, query: str = "") -> list[dict[str, Any]]:
        response = self.api("get", f"{BASE}{query}", as_=as_)
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["count"] == len(body["items"])
        return list(body["items"])

    def test_a_caseworker_gets_alma_with_the_reasons(self) -> None:
        [row] = self.rows(self.caseworker)
        assert row["citizen_id"] == self.alma.pk
        assert row["sectors"] == ["school", "social"]
        assert row["reasons"] == ["sectors"]
        assert row["plan_id"] is None
        assert row["coordinator"] is None

    def test_the_filter_leaves_out_citizens_with_a_coordinator(self) -> None:
        plan = make_plan(self.alma, coordinator=self.caseworker)
        make_effort(plan, unit=self.family_dept, monthly=13_000)
        [row] = self.rows(self.caseworker)
        assert (row["plan_id"], row["coordinator"]) == (plan.pk, "Sara Sand")
        assert Decimal(row["yearly_cost"]) == Decimal(156_000)
        assert self.rows(self.caseworker, "?without_coordinator=true") == []

    def test_nobody_else_gets_rows(self) -> None:
        for staff in (self.colleague, self.leader, self.director, self.politician, self.outsider):
            assert self.rows(staff) == [], staff
        self.login(self.guardian)
        assert self.client.get(BASE).json()["items"] == []

    def test_it_paginates(self) -> None:
        for index in range(55):
            born = dt.date(2012, 1, 1) + dt.timedelta(days=index)
            citizen = make_citizen(f"Barn{index:02d}", "Berg", birth_date=born)
            engage(citizen, staff=self.caseworker)
            engage(citizen, unit=self.school, kind=Engagement.Kind.TEACHING)
        first = self.api("get", BASE, as_=self.caseworker).json()
        second = self.api("get", f"{BASE}?page=2", as_=self.caseworker).json()
        assert first["count"] == 56
        assert (len(first["items"]), len(second["items"])) == (50, 6)

    def test_the_counts_are_for_leaders_only(self) -> None:
        response = self.api("get", f"{BASE}/counts", as_=self.leader)
        assert response.status_code == 200
        assert response.json() == {"on_list": 1, "without_coordinator": 1}
        assert self.api("get", f"{BASE}/counts", as_=self.caseworker).status_code == 403

    def test_the_efforts_to_review(self) -> None:
        plan = make_plan(self.alma, coordinator=self.caseworker)
        effort = make_effort(
            plan, unit=self.family_dept, started=today() - dt.timedelta(days=200), title="MST"
        )
        response = self.api("get", f"{BASE}/efforts", as_=self.caseworker)
        assert response.status_code == 200
        [item] = response.json()["items"]
        assert (item["effort_id"], item["plan_id"], item["title"]) == (effort.pk, plan.pk, "MST")
        assert item["months_without_progress"] >= 6
        for staff in (self.colleague, self.leader, self.outsider):
            assert self.api("get", f"{BASE}/efforts", as_=staff).json()["items"] == [], staff

    def test_everyone_on_staff_reads_the_rule(self) -> None:
        response = self.api("get", f"{BASE}/rule", as_=self.teacher)
        assert response.status_code == 200
        body = response.json()
        assert (body["min_sectors"], body["min_efforts"], body["review_after_days"]) == (2, 3, 120)
        assert Decimal(body["min_yearly_cost"]) == Decimal(150_000)

    def test_the_director_sets_the_rule(self) -> None:
        body = {
            "min_sectors": 3,
            "min_efforts": 2,
            "min_yearly_cost": 90000,
            "review_after_days": 180,
        }
        response = self.api("put", f"{BASE}/rule", as_=self.director, body=body)
        assert response.status_code == 200, response.content
        rule = NeedsRule.objects.get(municipality=self.root.municipality)
        assert (rule.min_sectors, rule.review_after_days) == (3, 180)
        assert self.rows(self.caseworker) == []  # two sectors are no longer enough

    def test_bad_rule_input_is_422_and_changes_nothing(self) -> None:
        good = {"min_sectors": 3, "min_efforts": 2, "min_yearly_cost": 1, "review_after_days": 90}
        for field, value in (
            ("review_after_days", 366),
            ("review_after_days", 29),
            ("min_sectors", 0),
            ("min_yearly_cost", 0),
        ):
            response = self.api(
                "put", f"{BASE}/rule", as_=self.director, body={**good, field: value}
            )
            assert response.status_code == 422, (field, value)
        assert not NeedsRule.objects.exists()

    def test_only_leaders_of_the_root_or_an_administration_set_the_rule(self) -> None:
        body = {"min_sectors": 3, "min_efforts": 2, "min_yearly_cost": 1, "review_after_days": 90}
        for staff in (self.caseworker, self.leader, self.outsider, self.analyst):
            response = self.api("put", f"{BASE}/rule", as_=staff, body=body)
            assert response.status_code == 403, staff
        assert not NeedsRule.objects.exists()

    def test_a_family_login_has_no_rule(self) -> None:
        self.login(self.guardian)
        assert self.client.get(f"{BASE}/rule").status_code == 404

    def test_anonymous_callers_are_refused(self) -> None:
        assert self.client.get(BASE).status_code == 401

    def test_wrong_method_is_405(self) -> None:
        assert self.api("delete", f"{BASE}/rule", as_=self.director).status_code == 405
