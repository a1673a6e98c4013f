"""Trial actions through the API: the same permissions and rules as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.lib.validity import today
from helhed.trials.actions import trials as actions
from helhed.trials.models import Application, Trial
from helhed.trials.tests.trial_case import TrialCase

BASE = "/api/trials"


class TrialApiTests(TrialCase, ApiTestCase):
    def body(self, **changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "title": "Læring i fællesskab",
            "hypothesis": "If the PPR works in class, fewer children are moved out of school.",
            "owner_id": self.leader.pk,
            "unit_ids": [self.school.pk, self.family_dept.pk],
            "participant_ids": [self.teacher.pk],
            "indicator_ids": [self.absence.pk],
            "starts_on": str(today()),
            "ends_on": str(today() + dt.timedelta(days=365)),
            "budget": "150000",
        }
        data.update(changes)
        return data

    def fields(self, response: Any) -> set[str]:
        return {error["field"] for error in response.json()["detail"]}

    def test_creating_with_the_web_permissions_and_rules(self) -> None:
        assert self.api("post", BASE, self.teacher, self.body()).status_code == 403
        assert self.api("post", BASE, None, self.body()).status_code == 401
        for body, field in [
            (self.body(owner_id=self.outsider.pk), "owner"),
            (self.body(unit_ids=[]), "units"),
            (self.body(unit_ids=[2**70]), "units"),
            (self.body(indicator_ids=[999_999]), "indicators"),
            (self.body(ends_on="2000-01-01"), "ends_on"),
        ]:
            response = self.api("post", BASE, self.leader, body)
            assert response.status_code == 422, field
            assert field in self.fields(response)
        assert self.api("post", BASE, self.leader, self.body(budget="-1")).status_code == 422
        response = self.api("post", BASE, self.leader, self.body())
        assert response.status_code == 201
        assert response.json()["unit_ids"] == sorted([self.school.pk, self.family_dept.pk])
        assert response.json()["can_edit"] is True

    def test_list_and_detail_for_the_municipality_only(self) -> None:
        trial = self.make_trial()
        self.grant(self.apply(trial, 120_000))
        actions.do_record_expense(
            actor=self.leader, trial=trial, amount=Decimal(20_000), spent_on=today(), text="Hours"
        )
        response = self.api("get", BASE, self.politician)
        assert response.status_code == 200
        [row] = response.json()["items"]
        assert (Decimal(row["granted"]), Decimal(row["spent"]), Decimal(row["left"])) == (
            120_000,
            20_000,
            100_000,
        )
        assert (
            self.api("get", f"{BASE}?unit_id={self.school.pk}", self.teacher).json()["count"] == 1
        )
        assert self.api("get", f"{BASE}?status=closed", self.teacher).json()["count"] == 0
        assert self.api("get", BASE, self.outsider).json()["count"] == 0
        assert self.api("get", f"{BASE}/{trial.pk}", self.outsider).status_code == 404
        detail = self.api("get", f"{BASE}/{trial.pk}", self.politician).json()
        assert detail["can_edit"] is False and detail["hypothesis"] == trial.hypothesis
        assert {v["unit_id"] for v in detail["indicator_values"]} == {
            self.school.pk,
            self.family_dept.pk,
        }

    def test_applications_are_decided_only_by_the_forums_chair_or_secretary(self) -> None:
        trial = self.make_trial()
        url = f"{BASE}/{trial.pk}/applications"
        body = {"forum_id": self.forum.pk, "amount": "200000", "reason": "Two coordinators."}
        assert self.api("post", url, self.teacher, body).status_code == 403
        assert self.api("post", url, self.outsider, body).status_code == 404
        too_much = self.api("post", url, self.leader, {**body, "amount": "300000"})
        assert too_much.status_code == 422 and self.fields(too_much) == {"amount"}
        created = self.api("post", url, self.leader, body)
        assert created.status_code == 201
        application_id = created.json()["id"]
        waiting = self.api("get", f"{BASE}/applications", self.analyst).json()["items"]
        assert [a["id"] for a in waiting] == [application_id]
        decide = f"{BASE}/applications/{application_id}/decision"
        grant = {"decision": "grant", "mandate_basis": "Grants to trial actions"}
        assert self.api("post", decide, self.leader, grant).status_code == 403  # the owner
        assert self.api("post", decide, self.outsider, grant).status_code == 404
        response = self.api("post", decide, self.director, grant)
        assert response.status_code == 201
        assert response.json()["status"] == "granted"
        assert Decimal(response.json()["granted"]) == 200_000
        # The budget left (200,000 of 400,000) does not cover another 250,000.
        other = self.make_trial(title="Ung i job")
        late = self.apply(other, 250_000)
        response = self.api("post", f"{BASE}/applications/{late.pk}/decision", self.analyst, grant)
        assert response.status_code == 422 and "grant_amount" in self.fields(response)
        assert Application.objects.get(pk=late.pk).status == "pending"

    def test_expenses_evaluations_stories_and_outcome(self) -> None:
        trial = self.make_trial()
        expense = {"amount": "999.50", "spent_on": str(today()), "text": "Transport"}
        assert (
            self.api("post", f"{BASE}/{trial.pk}/expenses", self.politician, expense).status_code
            == 403
        )
        assert (
            self.api("post", f"{BASE}/{trial.pk}/expenses", self.teacher, expense).status_code
            == 201
        )
        outcome = {"outcome": "stop", "reason": "No effect on absence after a whole year."}
        response = self.api("post", f"{BASE}/{trial.pk}/outcome", self.leader, outcome)
        assert response.status_code == 422 and self.fields(response) == {"outcome"}
        evaluation = {
            "kind": "final",
            "evaluated_on": str(today()),
            "summary": "Same as the usual course.",
            "persons_in_trial": 200,
            "persons_compared": 180,
            "results": [
                {"indicator_id": self.absence.pk, "trial_value": "12", "comparison_value": "12"}
            ],
        }
        bad = {**evaluation, "results": [{"indicator_id": self.absence.pk, "trial_value": "1"}]}
        assert (
            self.api("post", f"{BASE}/{trial.pk}/evaluations", self.teacher, bad).status_code == 422
        )
        response = self.api("post", f"{BASE}/{trial.pk}/evaluations", self.teacher, evaluation)
        assert response.status_code == 201
        [ev] = response.json()["evaluations"]
        assert ev["results"][0]["against"] == "comparison" and ev["direction"] == "same"
        private = self.shared_story("private", anonymised="Not shared.")
        story = self.shared_story()
        url = f"{BASE}/{trial.pk}/stories"
        assert self.api("post", url, self.teacher, {"story_id": private.pk}).status_code == 422
        response = self.api("post", url, self.teacher, {"story_id": story.pk})
        assert response.status_code == 201
        assert response.json()["stories"] == [
            {
                "id": story.pk,
                "anonymised_text": story.anonymised_text,
                "written_on": str(story.written_on),
            }
        ]
        assert "Alma" not in response.content.decode()
        assert (
            self.api("post", f"{BASE}/{trial.pk}/outcome", self.teacher, outcome).status_code == 403
        )
        assert (
            self.api("post", f"{BASE}/{trial.pk}/outcome", self.outsider, outcome).status_code
            == 404
        )
        response = self.api("post", f"{BASE}/{trial.pk}/outcome", self.chief, outcome)
        assert response.status_code == 201
        assert Trial.objects.get(pk=trial.pk).outcome == "stop"
