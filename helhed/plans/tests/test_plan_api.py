"""The plans API: the same access as the web, versioned writes, 409 on a stale version."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.lib.validity import today
from helhed.plans.models import Effort, Goal, Participant, Plan
from helhed.test import engage, make_citizen, make_plan, make_staff, make_unit


class PlanApiTestCase(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.plan = make_plan(self.alma, coordinator=self.caseworker, title="Alma trives")

    def goal_body(self, **changes: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "expected_version": 1,
            "text": "Jeg vil have en ven",
            "formulated_by": "child",
            "formulated_by_name": "Alma",
            "target_date": (today() + dt.timedelta(days=30)).isoformat(),
            "citizen_id": self.alma.pk,
        }
        body.update(changes)
        return body

    def effort_body(self, **changes: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "expected_version": 1,
            "title": "Støttetimer",
            "responsible_unit_id": self.school.pk,
            "legal_basis": "folkeskoleloven",
            "starts_on": today().isoformat(),
            "monthly_cost": "2500.00",
        }
        body.update(changes)
        return body


class ReadTests(PlanApiTestCase):
    def test_the_list_holds_visible_plans_only(self) -> None:
        for staff in (self.caseworker, self.teacher):
            body = self.api("get", "/api/plans", as_=staff).json()
            self.assertEqual([p["id"] for p in body["items"]], [self.plan.pk], staff)
            self.assertEqual(body["items"][0]["members"][0]["name"], "Alma Jensen")
        for staff in (self.colleague, self.outsider, self.leader):
            self.assertEqual(self.api("get", "/api/plans", as_=staff).json()["count"], 0, staff)

    def test_the_list_searches_and_paginates(self) -> None:
        for i in range(3):
            child = make_citizen(f"Barn{i}", "Holm", birth_date=dt.date(2015, 3, 1 + i))
            engage(child, staff=self.caseworker)
            make_plan(child, coordinator=self.caseworker, title=f"Plan {i}")
        body = self.api("get", "/api/plans?q=jensen", as_=self.caseworker).json()
        self.assertEqual([p["title"] for p in body["items"]], ["Alma trives"])
        body = self.api("get", "/api/plans?page_size=2&page=2", as_=self.caseworker).json()
        self.assertEqual((body["count"], len(body["items"])), (4, 2))

    def test_a_plan_with_everything_in_it(self) -> None:
        Participant.objects.create(plan=self.plan, staff=self.teacher, unit=self.school)
        self.api("post", f"/api/plans/{self.plan.pk}/goals", self.caseworker, self.goal_body())
        response = self.api("get", f"/api/plans/{self.plan.pk}", as_=self.caseworker)
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["version"], 2)
        self.assertEqual(body["goals"][0]["text"], "Jeg vil have en ven")
        self.assertEqual(body["participants"][0]["name"], "Tom Thy")
        self.assertEqual(body["members"][0]["citizen_id"], self.alma.pk)
        self.assertEqual(body["coordinator_id"], self.caseworker.pk)

    def test_without_a_relation_the_plan_does_not_exist(self) -> None:
        for staff in (self.colleague, self.outsider, self.leader):
            response = self.api("get", f"/api/plans/{self.plan.pk}", as_=staff)
            self.assertEqual(response.status_code, 404, staff)
        self.login(self.guardian)
        self.assertEqual(self.client.get(f"/api/plans/{self.plan.pk}").status_code, 404)

    def test_a_participant_without_engagement_sees_the_plan(self) -> None:
        ppr = make_unit("PPR", parent=self.children_admin, sector="ppr")
        pia = make_staff("Pia", "Pind", unit=ppr, role="psychologist", username="pia")
        self.assertEqual(self.api("get", f"/api/plans/{self.plan.pk}", as_=pia).status_code, 404)
        Participant.objects.create(plan=self.plan, staff=pia, unit=ppr)
        self.assertEqual(self.api("get", f"/api/plans/{self.plan.pk}", as_=pia).status_code, 200)

    def test_a_wrong_method_is_refused(self) -> None:
        response = self.api("delete", f"/api/plans/{self.plan.pk}", as_=self.caseworker)
        self.assertEqual(response.status_code, 405)

    def test_the_schema_documents_the_endpoints(self) -> None:
        paths = json.loads(self.client.get("/api/openapi.json").content)["paths"]
        for path in ("/api/plans", "/api/plans/{plan_id}", "/api/plans/{plan_id}/goals"):
            self.assertIn(path, paths)
        self.assertIn("patch", paths["/api/plans/{plan_id}/efforts/{effort_id}"])


class CreateTests(PlanApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        engage(self.bror, staff=self.caseworker)

    def test_it_starts_a_plan(self) -> None:
        body = {"citizen_id": self.bror.pk, "title": "Bo i skole", "what_matters": "Skole"}
        response = self.api("post", "/api/plans", self.caseworker, body)
        self.assertEqual(response.status_code, 201, response.content)
        data = response.json()
        self.assertEqual((data["title"], data["version"]), ("Bo i skole", 1))
        self.assertEqual(data["coordinator_id"], self.caseworker.pk)

    def test_a_second_plan_is_refused(self) -> None:
        body = {"citizen_id": self.alma.pk, "title": "Second"}
        response = self.api("post", "/api/plans", self.caseworker, body)
        self.assertEqual(response.status_code, 422)
        [error] = response.json()["detail"]
        self.assertEqual(error["field"], "citizen")
        self.assertIn("Alma Jensen already has an active plan", error["message"])
        self.assertEqual(Plan.objects.count(), 1)

    def test_a_citizen_of_another_municipality_is_refused(self) -> None:
        stranger = make_citizen(
            "Sofie", "Holm", birth_date=dt.date(2013, 2, 3), municipality_code=167
        )
        engage(stranger, staff=self.caseworker)
        body = {"citizen_id": stranger.pk, "title": "Plan"}
        response = self.api("post", "/api/plans", self.caseworker, body)
        self.assertEqual(response.status_code, 422)
        self.assertIn("another municipality", response.json()["detail"][0]["message"])
        self.assertEqual(Plan.objects.count(), 1)

    def test_an_invisible_citizen_is_not_found(self) -> None:
        body = {"citizen_id": self.bror.pk, "title": "Plan"}
        for staff in (self.colleague, self.outsider):
            self.assertEqual(self.api("post", "/api/plans", staff, body).status_code, 404)
        self.assertEqual(Plan.objects.count(), 1)


class WriteTests(PlanApiTestCase):
    def test_adding_and_changing_a_goal(self) -> None:
        url = f"/api/plans/{self.plan.pk}/goals"
        response = self.api("post", url, self.caseworker, self.goal_body())
        self.assertEqual(response.status_code, 201, response.content)
        goal = response.json()
        self.assertEqual((goal["status"], goal["plan_version"]), ("not_started", 2))
        patch = {"expected_version": 2, "status": "progressing"}
        response = self.api("patch", f"{url}/{goal['id']}", self.caseworker, patch)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["status"], "progressing")
        self.assertEqual(response.json()["text"], "Jeg vil have en ven")
        self.assertEqual(response.json()["status_changed_on"], today().isoformat())

    def test_a_goal_target_date_in_the_past_is_refused(self) -> None:
        past = (today() - dt.timedelta(days=1)).isoformat()
        body = self.goal_body(target_date=past)
        response = self.api("post", f"/api/plans/{self.plan.pk}/goals", self.caseworker, body)
        self.assertEqual(response.status_code, 422)
        [error] = response.json()["detail"]
        self.assertEqual(error["field"], "target_date")
        self.assertIn("has passed", error["message"])
        self.assertFalse(Goal.objects.exists())

    def test_bad_choices_are_refused(self) -> None:
        body = self.goal_body(formulated_by="martian")
        response = self.api("post", f"/api/plans/{self.plan.pk}/goals", self.caseworker, body)
        self.assertEqual(response.status_code, 422)
        body = self.effort_body(monthly_cost="-10")
        response = self.api("post", f"/api/plans/{self.plan.pk}/efforts", self.caseworker, body)
        self.assertEqual(response.status_code, 422)
        self.assertFalse(Effort.objects.exists())

    def test_adding_and_changing_an_effort(self) -> None:
        url = f"/api/plans/{self.plan.pk}/efforts"
        response = self.api("post", url, self.caseworker, self.effort_body())
        self.assertEqual(response.status_code, 201, response.content)
        effort = response.json()
        self.assertEqual((effort["sector"], effort["yearly_cost"]), ("school", "30000.00"))
        patch = {"expected_version": 2, "monthly_cost": "3000", "sector": "ppr"}
        response = self.api("patch", f"{url}/{effort['id']}", self.caseworker, patch)
        self.assertEqual(response.status_code, 200, response.content)
        changed = response.json()
        self.assertEqual((changed["monthly_cost"], changed["sector"]), ("3000.00", "ppr"))
        self.assertEqual(changed["title"], "Støttetimer")

    def test_a_unit_of_another_municipality_is_refused(self) -> None:
        hvidovre = make_unit("Hvidovre Skole", municipality_code=167, sector="school")
        body = self.effort_body(responsible_unit_id=hvidovre.pk)
        response = self.api("post", f"/api/plans/{self.plan.pk}/efforts", self.caseworker, body)
        self.assertEqual(response.status_code, 422)
        self.assertFalse(Effort.objects.exists())

    def test_a_reader_is_forbidden_and_others_get_not_found(self) -> None:
        url = f"/api/plans/{self.plan.pk}/goals"
        response = self.api("post", url, self.teacher, self.goal_body())
        self.assertEqual(response.status_code, 403)
        for staff in (self.colleague, self.outsider):
            self.assertEqual(self.api("post", url, staff, self.goal_body()).status_code, 404)
        self.assertFalse(Goal.objects.exists())


class StaleTests(PlanApiTestCase):
    def test_two_writes_from_the_same_version_the_second_gets_409(self) -> None:
        Participant.objects.create(plan=self.plan, staff=self.teacher, unit=self.school)
        goals = f"/api/plans/{self.plan.pk}/goals"
        first = self.api("post", goals, self.caseworker, self.goal_body())
        self.assertEqual(first.status_code, 201)
        second = self.api(
            "post", f"/api/plans/{self.plan.pk}/efforts", self.teacher, self.effort_body()
        )
        self.assertEqual(second.status_code, 409)
        self.assertIn("Someone else changed this plan", second.json()["detail"])
        self.assertIn("it is now version 2", second.json()["detail"])
        goal_id = first.json()["id"]
        patch = {"expected_version": 1, "status": "stuck"}
        third = self.api("patch", f"{goals}/{goal_id}", self.teacher, patch)
        self.assertEqual(third.status_code, 409)
        self.assertFalse(Effort.objects.exists())
        self.assertEqual(Goal.objects.get().status, "not_started")
        self.plan.refresh_from_db()
        self.assertEqual(self.plan.version, 2)
