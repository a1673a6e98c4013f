"""The handover API: the same rules and permissions as the web pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.audit import codes
from helhed.audit.models import AuditEntry
from helhed.lib.validity import today
from helhed.plans.models import Handover
from helhed.plans.tests.test_handovers_actions import HandoverTestCase
from helhed.test import make_plan

BASE = "/api/handovers"


class HandoverApiTests(HandoverTestCase, ApiTestCase):
    def body(self, **overrides: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "citizen_id": self.alma.pk,
            "kind": "school_to_youth",
            "from_unit_id": self.school.pk,
            "to_unit_id": self.youth.pk,
            "deadline": (today() + dt.timedelta(days=7)).isoformat(),
        }
        data.update(overrides)
        return data

    def test_the_whole_flow(self) -> None:
        plan = make_plan(self.alma, coordinator=self.caseworker)
        response = self.api("post", BASE, as_=self.teacher, body=self.body())
        self.assertEqual(response.status_code, 201, response.content)
        created = response.json()
        self.assertEqual(created["citizen_name"], "Alma Jensen")
        self.assertEqual(created["plan_id"], plan.pk)
        self.assertEqual(created["responsible_unit_id"], self.school.pk)
        self.assertEqual(len(created["items"]), 4)
        handover_id = created["id"]

        incoming = self.api("get", f"{BASE}?box=incoming", as_=self.guide).json()
        self.assertEqual([h["id"] for h in incoming["items"]], [handover_id])
        item_id = created["items"][0]["id"]
        ticked = self.api(
            "post", f"{BASE}/{handover_id}/items/{item_id}/tick", as_=self.guide, body={}
        )
        self.assertEqual(ticked.json()["items"][0]["done_by"], "Ulla Uhd")
        added = self.api(
            "post", f"{BASE}/{handover_id}/items", as_=self.teacher, body={"text": "Besøg"}
        )
        self.assertEqual(added.status_code, 201)
        self.assertEqual(len(added.json()["items"]), 5)

        self.assertEqual(
            self.api("get", f"/api/citizens/{self.alma.pk}", as_=self.guide).status_code, 404
        )
        response = self.api("post", f"{BASE}/{handover_id}/accept", as_=self.guide)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["status"], "accepted")
        self.assertEqual(response.json()["responsible_unit_id"], self.youth.pk)
        self.assertEqual(
            self.api("get", f"/api/citizens/{self.alma.pk}", as_=self.guide).status_code, 200
        )

    def test_only_the_receiving_unit_answers(self) -> None:
        handover = self.start()
        for staff in (self.teacher, self.caseworker):
            with self.subTest(staff=staff.full_name):
                accept = self.api("post", f"{BASE}/{handover.pk}/accept", as_=staff)
                self.assertEqual(accept.status_code, 403)
                back = self.api(
                    "post", f"{BASE}/{handover.pk}/return", as_=staff, body={"reason": "Nej"}
                )
                self.assertEqual(back.status_code, 403)
        handover.refresh_from_db()
        self.assertEqual(handover.responsible_unit, self.school)

    def test_returning_keeps_the_responsibility(self) -> None:
        handover = self.start()
        url = f"{BASE}/{handover.pk}/return"
        self.assertEqual(
            self.api("post", url, as_=self.guide, body={"reason": ""}).status_code, 422
        )
        self.assertEqual(
            self.api("post", url, as_=self.guide, body={"reason": " "}).status_code, 422
        )
        response = self.api("post", url, as_=self.guide, body={"reason": "For tidligt."})
        self.assertEqual(response.json()["status"], "returned")
        self.assertEqual(response.json()["responsible_unit_id"], self.school.pk)
        again = self.api("post", f"{BASE}/{handover.pk}/accept", as_=self.guide)
        self.assertEqual(again.status_code, 422)

    def test_bad_input_is_422(self) -> None:
        past = (today() - dt.timedelta(days=1)).isoformat()
        for name, body in {
            "past deadline": self.body(deadline=past),
            "same unit": self.body(to_unit_id=self.school.pk),
            "unknown unit": self.body(to_unit_id=99_999_999),
            "bad kind": self.body(kind="teleport"),
            "bad date": self.body(deadline="2026-02-31"),
            "long point": self.body(items=["x" * 300]),
            "nul point": self.body(items=["a\x00b"]),
        }.items():
            with self.subTest(name):
                response = self.api("post", BASE, as_=self.teacher, body=body)
                self.assertEqual(response.status_code, 422, response.content)
        self.assertFalse(Handover.objects.exists())

    def test_outsider_and_colleague_get_404(self) -> None:
        handover = self.start()
        for staff in (self.outsider, self.colleague):
            with self.subTest(staff=staff.full_name):
                self.assertEqual(
                    self.api("get", f"{BASE}/{handover.pk}", as_=staff).status_code, 404
                )
                accept = self.api("post", f"{BASE}/{handover.pk}/accept", as_=staff)
                self.assertEqual(accept.status_code, 404)
                self.assertEqual(self.api("get", BASE, as_=staff).json()["count"], 0)
                created = self.api("post", BASE, as_=staff, body=self.body())
                self.assertEqual(created.status_code, 404)

    def test_a_read_is_audited(self) -> None:
        handover = self.start()
        self.api("get", f"{BASE}/{handover.pk}", as_=self.guide)
        self.assertTrue(
            AuditEntry.objects.filter(
                action=codes.VIEW,
                object_type="plans.handover",
                object_id=str(handover.pk),
                actor_id=self.guide.user_id,
                citizen_id=self.alma.pk,
            ).exists()
        )

    def test_the_leaders_overdue_list_names_no_citizen(self) -> None:
        handover = self.make_overdue(self.start(), days=5)
        rows = self.api("get", f"{BASE}/overdue", as_=self.leader).json()["items"]
        self.assertEqual([(r["id"], r["days_overdue"]) for r in rows], [(handover.pk, 5)])
        self.assertFalse({"citizen_id", "citizen_name", "note"} & set(rows[0]))
        self.assertEqual(
            self.api("get", f"{BASE}/overdue", as_=self.youth_leader).json()["count"], 0
        )
        self.assertEqual(self.api("get", f"{BASE}/overdue", as_=self.teacher).status_code, 403)
        overdue = self.api("get", f"{BASE}?box=overdue", as_=self.teacher).json()["items"]
        self.assertEqual(overdue[0]["overdue"], True)

    def test_list_filters_and_search(self) -> None:
        self.start()

        def count(query: str) -> int:
            return int(self.api("get", f"{BASE}?{query}", as_=self.teacher).json()["count"])

        self.assertEqual(count("box=sent"), 1)
        self.assertEqual(count("box=incoming"), 0)
        self.assertEqual(count("kind=discharge"), 0)
        self.assertEqual(count("status=pending&q=alma"), 1)
        self.assertEqual(count("q=nobody"), 0)
        self.assertEqual(
            self.api("get", f"{BASE}?kind=nonsense", as_=self.teacher).status_code, 422
        )
        self.assertEqual(self.api("get", f"{BASE}?page=0", as_=self.teacher).status_code, 422)
