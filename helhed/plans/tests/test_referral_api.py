"""The referral API: the same rules and permissions as the web pages."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from helhed import policy
from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.citizens.models import Engagement
from helhed.lib.validity import today
from helhed.organisation.models import Unit
from helhed.plans.models import LegalBasis, Referral
from helhed.plans.tests.test_referral_actions import ReferralTestCase
from helhed.test import make_plan

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

BASE = "/api/referrals"


class ReferralApiTests(ReferralTestCase, ApiTestCase):
    def body(self, **overrides: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "citizen_id": self.alma.pk,
            "from_unit_id": self.school.pk,
            "to_unit_id": self.ppr.pk,
            "question": "Alma har brug for en vurdering.",
            "legal_basis": LegalBasis.FOLKESKOLELOVEN.value,
        }
        data.update(overrides)
        return data

    def fields(self, response: TestResponse) -> set[str]:
        return {error["field"] for error in json.loads(response.content)["detail"]}

    def test_the_whole_flow_through_the_api(self) -> None:
        plan = make_plan(self.alma, coordinator=self.caseworker)
        response = self.api("post", BASE, as_=self.teacher, body=self.body(access_days=30))
        self.assertEqual(response.status_code, 201, response.content)
        sent = response.json()
        self.assertEqual(sent["status"], "sent")
        self.assertEqual(sent["citizen_name"], "Alma Jensen")
        self.assertEqual(sent["plan_id"], plan.pk)
        self.assertEqual(sent["waiting_days"], 0)
        referral_id = sent["id"]

        incoming = self.api("get", f"{BASE}?box=incoming", as_=self.psychologist).json()
        self.assertEqual([r["id"] for r in incoming["items"]], [referral_id])
        self.assertEqual(incoming["items"][0]["question"], "Alma har brug for en vurdering.")
        self.assertEqual(
            self.api("get", f"/api/citizens/{self.alma.pk}", as_=self.psychologist).status_code, 404
        )

        response = self.api("post", f"{BASE}/{referral_id}/received", as_=self.psychologist)
        self.assertEqual(response.json()["status"], "received")
        response = self.api("post", f"{BASE}/{referral_id}/accept", as_=self.psychologist)
        self.assertEqual(response.status_code, 200, response.content)
        until = today() + dt.timedelta(days=30)
        self.assertEqual(response.json()["access_until"], until.isoformat())
        self.assertEqual(response.json()["decided_by"], "Pia Prahl")
        engagement = Engagement.objects.get(unit=self.ppr, citizen=self.alma)
        self.assertEqual(engagement.valid_to, until)
        self.assertEqual(
            self.api("get", f"/api/citizens/{self.alma.pk}", as_=self.psychologist).status_code,
            200,
        )
        self.assertNotIn(
            self.alma,
            policy.visible_citizens(self.psychologist.user, on=until + dt.timedelta(days=1)),
        )

    def test_lists_filter_incoming_outgoing_and_status(self) -> None:
        referral = self.send()
        outgoing = self.api("get", f"{BASE}?box=outgoing", as_=self.teacher).json()
        self.assertEqual([r["id"] for r in outgoing["items"]], [referral.pk])
        self.assertEqual(
            self.api("get", f"{BASE}?box=incoming", as_=self.teacher).json()["count"], 0
        )
        self.assertEqual(
            self.api("get", f"{BASE}?status=accepted", as_=self.teacher).json()["count"], 0
        )
        self.assertEqual(
            self.api("get", f"{BASE}?status=sent", as_=self.teacher).json()["count"], 1
        )
        self.assertEqual(self.api("get", f"{BASE}?box=sideways", as_=self.teacher).status_code, 422)

    def test_a_leader_of_the_sending_unit_gets_the_row_without_the_child(self) -> None:
        referral = self.send()
        row = self.api("get", f"{BASE}/{referral.pk}", as_=self.leader).json()
        self.assertIsNone(row["citizen_id"])
        self.assertIsNone(row["citizen_name"])
        self.assertIsNone(row["question"])
        self.assertEqual(row["to_unit"], "PPR Rudersdal")

    def test_bad_input_answers_422_and_creates_nothing(self) -> None:
        cases = {
            "consent": self.body(legal_basis="consent"),
            "to_unit": self.body(to_unit_id=self.school.pk),
            "access_days": self.body(access_days=0),
        }
        for field, body in cases.items():
            response = self.api("post", BASE, as_=self.teacher, body=body)
            self.assertEqual(response.status_code, 422, field)
            self.assertIn(field, json.dumps(response.json()), field)
        hvidovre = Unit.objects.get(name="Familie", municipality__code=167)
        response = self.api("post", BASE, as_=self.teacher, body=self.body(to_unit_id=hvidovre.pk))
        self.assertEqual(response.status_code, 422)
        response = self.api("post", BASE, as_=self.teacher, body=self.body(question="a\x00b"))
        self.assertEqual(response.status_code, 422)
        self.assertFalse(Referral.objects.exists())

        self.send()
        response = self.api("post", BASE, as_=self.teacher, body=self.body())
        self.assertEqual(response.status_code, 422)
        self.assertEqual(self.fields(response), {"to_unit"})
        self.assertEqual(Referral.objects.count(), 1)

    def test_a_rejection_needs_a_reason(self) -> None:
        referral = self.send()
        url = f"{BASE}/{referral.pk}/reject"
        self.assertEqual(
            self.api("post", url, as_=self.psychologist, body={"reason": ""}).status_code, 422
        )
        response = self.api("post", url, as_=self.psychologist, body={"reason": "   "})
        self.assertEqual(response.status_code, 422)
        self.assertEqual(self.fields(response), {"reason"})
        referral.refresh_from_db()
        self.assertEqual(referral.status, Referral.Status.SENT)
        response = self.api("post", url, as_=self.psychologist, body={"reason": "Ikke PPR"})
        self.assertEqual(response.json()["status"], "rejected")
        self.assertEqual(response.json()["rejection_reason"], "Ikke PPR")

    def test_the_sender_cannot_answer_and_the_receiver_cannot_withdraw(self) -> None:
        referral = self.send()
        for path in ("accept", "received"):
            response = self.api("post", f"{BASE}/{referral.pk}/{path}", as_=self.teacher)
            self.assertEqual(response.status_code, 403, path)
        response = self.api(
            "post", f"{BASE}/{referral.pk}/reject", as_=self.teacher, body={"reason": "Nej"}
        )
        self.assertEqual(response.status_code, 403)
        response = self.api("post", f"{BASE}/{referral.pk}/withdraw", as_=self.psychologist)
        self.assertEqual(response.status_code, 403)
        response = self.api("post", f"{BASE}/{referral.pk}/withdraw", as_=self.teacher)
        self.assertEqual(response.json()["status"], "withdrawn")
        response = self.api("post", f"{BASE}/{referral.pk}/accept", as_=self.psychologist)
        self.assertEqual(response.status_code, 422)

    def test_outsiders_and_uninvolved_staff_get_404(self) -> None:
        referral = self.send()
        for staff in (self.outsider, self.caseworker, self.colleague):
            self.assertEqual(self.api("get", BASE, as_=staff).json()["count"], 0)
            self.assertEqual(self.api("get", f"{BASE}/{referral.pk}", as_=staff).status_code, 404)
            for path in ("received", "accept", "withdraw"):
                response = self.api("post", f"{BASE}/{referral.pk}/{path}", as_=staff)
                self.assertEqual(response.status_code, 404, path)
        # Sending about a citizen you do not work with: 404, as on the web.
        response = self.api(
            "post", BASE, as_=self.colleague, body=self.body(from_unit_id=self.family_dept.pk)
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.api("get", BASE).status_code, 401)
        referral.refresh_from_db()
        self.assertEqual(referral.status, Referral.Status.SENT)

    def test_wrong_method_is_405(self) -> None:
        referral = self.send()
        self.assertEqual(
            self.api("get", f"{BASE}/{referral.pk}/accept", as_=self.psychologist).status_code, 405
        )
        self.assertEqual(
            self.api("delete", f"{BASE}/{referral.pk}", as_=self.teacher).status_code, 405
        )

    def test_the_schema_documents_the_referral_endpoints(self) -> None:
        paths = self.client.get("/api/openapi.json").json()["paths"]
        self.assertIn("post", paths["/api/referrals"])
        self.assertIn("get", paths["/api/referrals/{referral_id}"])
        for action in ("received", "accept", "reject", "withdraw"):
            self.assertIn(f"/api/referrals/{{referral_id}}/{action}", paths)
