"""Reforms and local decisions through the API: the same permissions and rules as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.leadership.actions.reforms import do_create_local_decision
from helhed.leadership.models import LocalDecision, Reform
from helhed.lib.validity import today

BASE = "/api/leadership/reforms"


class ReformApiTests(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.reform = Reform.objects.get(code="aeldrereformen")
        element = self.reform.elements.filter(leaves_to_municipality=True).first()
        assert element is not None
        self.element = element
        self.decision = do_create_local_decision(
            actor=self.director,
            element=self.element,
            title="Organisering af helhedspleje",
            owner=self.caseworker,
            owning_unit=self.family_dept,
            due_on=today() + dt.timedelta(days=30),
        )

    def body(self, **changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "element_id": self.element.pk,
            "title": "Godkendelsesmodel for leverandører",
            "owner_id": self.chief.pk,
            "owning_unit_id": self.children_admin.pk,
            "due_on": str(today() + dt.timedelta(days=60)),
        }
        data.update(changes)
        return data

    def test_the_catalogue(self) -> None:
        response = self.api("get", BASE, self.teacher)
        assert response.json()["count"] == 5
        assert self.api("get", BASE, self.outsider).json()["count"] == 5
        detail = self.api("get", f"{BASE}/{self.reform.pk}", self.teacher).json()
        assert len(detail["elements"]) >= 3
        assert [d["title"] for d in detail["local_decisions"]] == ["Organisering af helhedspleje"]
        assert detail["decision_counts"]["open"] == 1
        outsider = self.api("get", f"{BASE}/{self.reform.pk}", self.outsider).json()
        assert outsider["local_decisions"] == []
        assert outsider["decision_counts"]["open"] == 0

    def test_assigning(self) -> None:
        assert (
            self.api("post", f"{BASE}/decisions", self.caseworker, self.body()).status_code == 403
        )
        national = self.reform.elements.filter(leaves_to_municipality=False).first()
        assert national is not None
        response = self.api(
            "post", f"{BASE}/decisions", self.chief, self.body(element_id=national.pk)
        )
        assert response.status_code == 422
        response = self.api(
            "post", f"{BASE}/decisions", self.chief, self.body(owner_id=self.outsider.pk)
        )
        assert response.status_code == 422
        assert (
            self.api(
                "post", f"{BASE}/decisions", self.chief, self.body(element_id=2**62)
            ).status_code
            == 404
        )
        response = self.api("post", f"{BASE}/decisions", self.chief, self.body())
        assert response.status_code == 201
        assert response.json()["reform_id"] == self.reform.pk

    def test_updating_with_the_status_rules(self) -> None:
        url = f"{BASE}/decisions/{self.decision.pk}"
        assert self.api("patch", url, self.leader, {"status": "preparing"}).status_code == 403
        assert self.api("patch", url, self.outsider, {"status": "preparing"}).status_code == 404
        response = self.api("patch", url, self.caseworker, {"status": "decided"})
        assert response.status_code == 422
        assert response.json()["detail"][0]["field"] == "decision"
        assert self.api("patch", url, self.caseworker, {"status": "finished"}).status_code == 422
        response = self.api(
            "patch", url, self.chief, {"status": "decided", "decision": "Tre teams pr. distrikt."}
        )
        assert response.status_code == 200
        assert (response.json()["status"], response.json()["decided_on"]) == (
            "decided",
            str(today()),
        )
        self.decision.refresh_from_db()
        assert self.decision.status == LocalDecision.Status.DECIDED

    def test_the_list_with_mine_and_overdue(self) -> None:
        LocalDecision.objects.filter(pk=self.decision.pk).update(
            due_on=today() - dt.timedelta(days=1)
        )
        items = self.api("get", f"{BASE}/decisions?mine=true", self.caseworker).json()["items"]
        assert [(d["id"], d["overdue"]) for d in items] == [(self.decision.pk, True)]
        assert self.api("get", f"{BASE}/decisions?mine=true", self.chief).json()["items"] == []
        assert self.api("get", f"{BASE}/decisions", self.outsider).json()["items"] == []
