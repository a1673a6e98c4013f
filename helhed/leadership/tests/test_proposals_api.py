"""Burden proposals through the API: the same levels and rules as the pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.leadership.actions.documentation import hours_saved
from helhed.leadership.actions.proposals import do_decide_proposal
from helhed.leadership.models import BurdenProposal, BurdenTheme
from helhed.leadership.tests.test_proposals_actions import REASON, ProposalCase
from helhed.test import municipality

BASE = "/api/leadership/proposals"


class ProposalApiTests(ProposalCase, ApiTestCase):
    def body(self, **changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "title": "Drop the absence form",
            "description": "Nobody reads it.",
            "change": "remove",
            "theme_id": self.theme.pk,
            "requirement_id": self.requirement.pk,
        }
        data.update(changes)
        return data

    def test_proposing_with_the_web_rules(self) -> None:
        assert self.api("post", BASE, self.outsider, self.body()).status_code == 422  # not theirs
        assert self.api("post", BASE, None, self.body()).status_code == 401
        bad = [
            self.body(requirement_id=None),
            self.body(rule_id=self.rule.pk),
            self.body(requirement_id=None, procedure="Sign-off"),
            self.body(theme_id=None),
            self.body(requirement_id=2**70),
            self.body(title=""),
        ]
        for body in bad:
            with self.subTest(body=body):
                assert self.api("post", BASE, self.teacher, body).status_code == 422
        body = self.body(theme_id=None, new_theme="Meetings")
        assert self.api("post", BASE, self.teacher, body).status_code == 403
        assert not BurdenProposal.objects.exists()
        response = self.api("post", BASE, self.teacher, self.body())
        assert response.status_code == 201
        data = response.json()
        assert (data["decision_unit_id"], data["status"], data["can_decide"]) == (
            self.school.pk,
            "proposed",
            False,
        )
        response = self.api("post", BASE, self.leader, body)
        assert response.status_code == 201
        assert response.json()["theme"] == "Meetings"

    def test_deciding_by_the_right_level_only(self) -> None:
        proposal = self.propose()
        url = f"{BASE}/{proposal.pk}/decide"
        decision = {"decision": "accept", "reason": REASON}
        assert self.api("post", url, self.teacher, decision).status_code == 403
        assert self.api("post", url, self.sibling_leader, decision).status_code == 403
        assert self.api("post", url, self.outsider, decision).status_code == 404
        response = self.api("post", url, self.leader, {"decision": "accept", "reason": " "})
        assert response.status_code == 422
        assert response.json()["detail"][0]["field"] == "reason"
        assert (
            self.api("post", url, self.leader, {"decision": "maybe", "reason": REASON}).status_code
            == 422
        )
        before = hours_saved(municipality())
        response = self.api("post", url, self.chief, decision)
        assert response.status_code == 200
        assert (response.json()["status"], response.json()["decided_by"]) == ("done", "Claus Krog")
        assert hours_saved(municipality()) - before == Decimal("300.0")
        again = self.api("post", url, self.leader, decision)
        assert again.status_code == 422
        assert again.json()["detail"][0]["field"] == "status"

    def test_marking_done(self) -> None:
        proposal = self.propose(requirement=None, procedure="Sign-off", unit=self.school)
        url = f"{BASE}/{proposal.pk}/done"
        assert self.api("post", url, self.leader).status_code == 422  # not accepted yet
        do_decide_proposal(actor=self.leader, proposal=proposal, accept=True, reason=REASON)
        assert self.api("post", url, self.teacher).status_code == 403
        assert self.api("post", url, self.outsider).status_code == 404
        response = self.api("post", url, self.chief)
        assert (response.status_code, response.json()["status"]) == (200, "done")

    def test_list_detail_themes_and_overview(self) -> None:
        meetings = BurdenTheme.objects.create(municipality=municipality(), name="Meetings")
        first = self.propose()
        self.propose(title="Fewer meetings", theme=meetings)
        do_decide_proposal(actor=self.leader, proposal=first, accept=True, reason=REASON)
        response = self.api("get", BASE, self.teacher)
        assert response.status_code == 200
        assert response.json()["count"] == 2
        response = self.api("get", BASE + "?status=proposed", self.teacher)
        assert [p["title"] for p in response.json()["items"]] == ["Fewer meetings"]
        assert self.api("get", BASE + "?to_decide=true", self.leader).json()["count"] == 1
        assert self.api("get", BASE + "?to_decide=true", self.teacher).json()["count"] == 0
        assert self.api("get", BASE + f"?theme={meetings.pk}", self.teacher).json()["count"] == 1
        assert self.api("get", BASE, self.outsider).json()["count"] == 0
        assert self.api("get", BASE + "?page=0", self.teacher).status_code == 422
        detail = self.api("get", f"{BASE}/{first.pk}", self.teacher)
        assert (detail.status_code, detail.json()["decision_reason"]) == (200, REASON)
        assert self.api("get", f"{BASE}/{first.pk}", self.outsider).status_code == 404
        themes = self.api("get", f"{BASE}/themes", self.teacher).json()
        assert [t["name"] for t in themes] == ["Documentation", "Meetings"]
        assert self.api("post", f"{BASE}/themes", self.teacher, {"name": "IT"}).status_code == 403
        assert self.api("post", f"{BASE}/themes", self.analyst, {"name": "IT"}).status_code == 201
        overview = self.api("get", f"{BASE}/overview", self.teacher).json()
        assert overview["total"] == 2
        assert {row["status"]: row["count"] for row in overview["by_status"]} == {
            "proposed": 1,
            "accepted": 0,
            "rejected": 0,
            "done": 1,
        }
        assert Decimal(str(overview["hours_saved_per_year"])) == Decimal("300.0")
        assert [r["title"] for r in overview["dropped"]] == ["Absence form"]
        assert self.api("get", f"{BASE}/overview", self.outsider).json()["total"] == 0
