"""The rule register through the API: the same permissions and rules as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.leadership.models import Rule, RuleDecision
from helhed.leadership.tests.test_rules_actions import RuleCase
from helhed.lib.validity import today

BASE = "/api/leadership/rules"


class RuleApiTests(RuleCase, ApiTestCase):
    def body(self, **changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "title": "Homework policy",
            "kind": "guideline",
            "area": "Teaching",
            "text": "Homework is optional in grades 0-3.",
            "reason": "Homework at this age does not help learning and burdens families.",
            "owner_id": self.leader.pk,
            "owning_unit_id": self.school.pk,
            "unit_ids": [self.school.pk],
            "review_on": str(today() + dt.timedelta(days=180)),
        }
        data.update(changes)
        return data

    def decision(self, **changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "decision": "keep",
            "reason": "Still needed: the follow-up the same day works.",
            "next_review_on": str(today() + dt.timedelta(days=365)),
        }
        data.update(changes)
        return data

    def fields(self, response: Any) -> set[str]:
        return {error["field"] for error in response.json()["detail"]}

    def test_registering_with_the_web_permissions_and_rules(self) -> None:
        assert self.api("post", BASE, self.teacher, self.body()).status_code == 403
        assert self.api("post", BASE, self.outsider, self.body()).status_code == 403
        assert self.api("post", BASE, None, self.body()).status_code == 401
        bad: list[tuple[dict[str, Any], str]] = [
            (self.body(reason="Needed."), "reason"),
            (self.body(review_on=str(today())), "review_on"),
            (self.body(owner_id=self.outsider.pk), "owner"),
            (self.body(owning_unit_id=self.family_dept.pk), "owning_unit"),
            (self.body(unit_ids=[2**70]), "units"),
        ]
        for body, field in bad:
            with self.subTest(field):
                response = self.api("post", BASE, self.leader, body)
                assert response.status_code == 422
                assert field in self.fields(response)
        assert self.api("post", BASE, self.leader, self.body(title="")).status_code == 422
        assert self.api("post", BASE, self.leader, self.body(kind="law")).status_code == 422
        assert not Rule.objects.exists()
        response = self.api("post", BASE, self.leader, self.body())
        assert response.status_code == 201
        data = response.json()
        assert (data["title"], data["owner_id"], data["unit_ids"]) == (
            "Homework policy",
            self.leader.pk,
            [self.school.pk],
        )
        assert [d["decision"] for d in data["decisions"]] == ["adopt"]
        assert data["can_decide"] is True

    def test_the_list_is_filtered_and_paginated_and_stays_in_the_municipality(self) -> None:
        self.register(title="Homework policy", area="Teaching")
        past = self.past_review_rule(title="Absence is called in", area="School")
        response = self.api("get", f"{BASE}?past_review=true", self.teacher)
        assert response.status_code == 200
        [row] = response.json()["items"]
        assert (row["id"], row["past_review"]) == (past.pk, True)
        assert self.api("get", f"{BASE}?q=homework", self.teacher).json()["count"] == 1
        assert self.api("get", f"{BASE}?area=School", self.teacher).json()["count"] == 1
        assert self.api("get", f"{BASE}?status=repealed", self.teacher).json()["count"] == 0
        assert self.api("get", f"{BASE}?status=nonsense", self.teacher).status_code == 422
        assert self.api("get", f"{BASE}?page=2000000", self.teacher).status_code == 422
        assert self.api("get", BASE, self.outsider).json()["count"] == 0

    def test_my_rules_to_review(self) -> None:
        rule = self.past_review_rule()
        for staff, expected in (
            (self.leader, [rule.pk]),
            (self.chief, [rule.pk]),
            (self.family_leader, []),
            (self.teacher, []),
            (self.outsider, []),
        ):
            with self.subTest(staff.full_name):
                items = self.api("get", f"{BASE}/mine", staff).json()["items"]
                assert [item["id"] for item in items] == expected

    def test_detail_with_history_and_404_outside(self) -> None:
        rule = self.register()
        self.decide(rule, decision="change", new_text="Report absence in the app before 8.")
        response = self.api("get", f"{BASE}/{rule.pk}", self.teacher)
        assert response.status_code == 200
        data = response.json()
        assert data["can_decide"] is False
        assert [d["decision"] for d in data["decisions"]] == ["change", "adopt"]
        assert data["decisions"][0]["previous_text"].startswith("Parents call")
        assert self.api("get", f"{BASE}/{rule.pk}", self.outsider).status_code == 404
        assert self.api("get", f"{BASE}/{2**70}", self.leader).status_code == 404

    def test_deciding_with_the_web_permissions_and_rules(self) -> None:
        rule = self.register()
        url = f"{BASE}/{rule.pk}/decisions"
        assert self.api("post", url, self.teacher, self.decision()).status_code == 403
        assert self.api("post", url, self.family_leader, self.decision()).status_code == 403
        assert self.api("post", url, self.outsider, self.decision()).status_code == 404
        response = self.api("post", url, self.leader, self.decision(reason="ok"))
        assert (response.status_code, self.fields(response)) == (422, {"reason"})
        past = str(today() - dt.timedelta(days=1))
        response = self.api("post", url, self.leader, self.decision(next_review_on=past))
        assert (response.status_code, self.fields(response)) == (422, {"next_review_on"})
        response = self.api("post", url, self.leader, self.decision(decision="change"))
        assert (response.status_code, self.fields(response)) == (422, {"new_text"})
        assert (
            self.api("post", url, self.leader, self.decision(decision="adopt")).status_code == 422
        )
        assert RuleDecision.objects.filter(rule=rule).count() == 1

        response = self.api("post", url, self.chief, self.decision())
        assert response.status_code == 201
        assert [d["decision"] for d in response.json()["decisions"]] == ["keep", "adopt"]
        repeal = self.decision(decision="repeal", reason="Covered by the national rules now.")
        response = self.api("post", url, self.leader, repeal)
        assert response.status_code == 201
        assert response.json()["status"] == "repealed"
        # Repealed: still readable with its history, but no further decisions.
        assert self.api("post", url, self.leader, self.decision()).status_code == 403
        data = self.api("get", f"{BASE}/{rule.pk}", self.leader).json()
        assert [d["decision"] for d in data["decisions"]] == ["repeal", "keep", "adopt"]
        assert data["can_decide"] is False
