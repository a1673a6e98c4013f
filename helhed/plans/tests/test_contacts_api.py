"""Contacts and the contact map through the API: the same rules as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import mail

from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.audit import codes
from helhed.audit.models import AuditEntry
from helhed.lib.validity import today
from helhed.plans.models import Contact
from helhed.plans.tests.test_contacts_actions import ContactCase

BASE = "/api/contacts"


class ContactApiTests(ContactCase, ApiTestCase):
    def body(self, **changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "citizen_id": self.alma.pk,
            "unit_id": self.school.pk,
            "contacted_on": today().isoformat(),
            "channel": "phone",
            "purpose": "Called about the school trip",
        }
        data.update(changes)
        return data

    def test_logging_a_contact_tells_the_coordinator_of_another_unit(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            response = self.api("post", BASE, self.teacher, self.body())
        assert response.status_code == 201, response.content
        assert response.json()["coordinator_id"] == self.caseworker.pk
        assert len(mail.outbox) == 1
        same_unit = self.api(
            "post", BASE, self.colleague, self.body(unit_id=self.family_dept.pk)
        ).json()
        assert same_unit["coordinator_id"] is None

    def test_bad_input_answers_422_and_strangers_404(self) -> None:
        bad = [
            self.body(contacted_on=(today() + dt.timedelta(days=1)).isoformat()),
            self.body(purpose=f"About {self.alma.cpr}"),
            self.body(purpose=""),
            self.body(channel="pigeon"),
            self.body(unit_id=self.family_dept.pk),
            self.body(unit_id=2**70),
            self.body(purpose="a\x00b"),
        ]
        for body in bad:
            with self.subTest(body):
                assert self.api("post", BASE, self.teacher, body).status_code == 422
        assert self.api("post", BASE, self.outsider, self.body()).status_code == 404
        assert self.api("post", BASE, self.leader, self.body()).status_code == 404
        assert self.api("post", BASE, None, self.body()).status_code == 401
        assert not Contact.objects.exists()

    def test_the_map_and_the_list_for_a_citizen_are_audited_reads(self) -> None:
        self.log(self.teacher, purpose="Called about lunch")
        url = f"{BASE}/citizens/{self.alma.pk}"
        before = AuditEntry.objects.filter(citizen_id=self.alma.pk, action=codes.VIEW).count()
        the_map = self.api("get", f"{url}/map", self.caseworker)
        assert the_map.status_code == 200
        units = {g["unit"]: g for g in the_map.json()["groups"]}
        assert units["Bakkeskolen"]["last_contact"] == today().isoformat()
        assert the_map.json()["coordinator_ids"] == [self.caseworker.pk]
        rows = self.api("get", url, self.caseworker).json()["items"]
        assert [r["purpose"] for r in rows] == ["Called about lunch"]
        after = AuditEntry.objects.filter(citizen_id=self.alma.pk, action=codes.VIEW).count()
        assert after >= before + 2
        for staff in (self.outsider, self.leader):
            with self.subTest(staff.full_name):
                assert self.api("get", f"{url}/map", staff).status_code == 404
                assert self.api("get", url, staff).status_code == 404

    def test_the_coordinator_lists_and_marks_seen_only_their_own(self) -> None:
        contact = self.log(self.teacher, purpose="Called about lunch")
        listed = self.api("get", f"{BASE}/to-see", self.caseworker).json()["items"]
        assert [c["id"] for c in listed] == [contact.pk]
        assert self.api("get", f"{BASE}/to-see", self.teacher).json()["items"] == []
        seen = f"{BASE}/{contact.pk}/seen"
        assert self.api("post", seen, self.teacher).status_code == 403
        assert self.api("post", seen, self.outsider).status_code == 404
        assert self.api("post", f"{BASE}/{2**70}/seen", self.caseworker).status_code in (404, 422)
        response = self.api("post", seen, self.caseworker)
        assert response.status_code == 200
        assert response.json()["coordinator_seen_on"] == today().isoformat()
        assert self.api("get", f"{BASE}/to-see", self.caseworker).json()["items"] == []
        assert self.api("get", f"{BASE}/{contact.pk}", self.teacher).status_code == 200
        assert self.api("get", f"{BASE}/{contact.pk}", self.outsider).status_code == 404
