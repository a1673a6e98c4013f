"""Logging contacts: who is told (the coordinator of record, from another unit only) and how."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from helhed.audit import codes
from helhed.audit.models import AuditEntry
from helhed.lib.validity import today
from helhed.organisation.models import Staff, Unit
from helhed.plans.actions.contacts import do_log_contact, do_mark_contact_seen
from helhed.plans.models import Contact, Plan
from helhed.test import BaseTestCase, engage, make_plan


class ContactCase(BaseTestCase):
    """Alma's plan is coordinated by the caseworker (family department)."""

    plan: Plan

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.plan = make_plan(cls.alma, coordinator=cls.caseworker)
        # The colleague works in the coordinator's own unit and with Alma too.
        engage(cls.alma, staff=cls.colleague)

    def log(self, actor: Staff | None = None, unit: Unit | None = None, **changes: Any) -> Contact:
        actor = actor or self.teacher
        fields: dict[str, Any] = {
            "contacted_on": today(),
            "channel": Contact.Channel.PHONE,
            "purpose": "Talked with mother about mornings",
        }
        fields.update(changes)
        unit = unit or (
            self.family_dept if actor in (self.caseworker, self.colleague) else self.school
        )
        return do_log_contact(actor=actor, citizen=self.alma, unit=unit, **fields)


class NotifyTests(ContactCase):
    def test_a_contact_from_another_unit_goes_to_the_coordinator_with_an_e_mail(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            contact = self.log(self.teacher)
        assert contact.coordinator == self.caseworker
        assert contact.coordinator_seen_on is None
        assert AuditEntry.objects.filter(
            action=codes.CREATE, citizen_id=self.alma.pk, object_id=str(contact.pk)
        ).exists()
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == [self.caseworker.email]

    def test_the_e_mail_names_neither_the_citizen_nor_their_cpr_nor_the_purpose(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            self.log(self.teacher, purpose="Alma cried at school today")
        message = mail.outbox[0]
        text = f"{message.subject}\n{message.body}"
        for secret in ("Alma", "Jensen", self.alma.cpr, self.alma.cpr.replace("-", ""), "cried"):
            assert secret not in text, secret
        assert "/contacts/to-see/" in message.body

    def test_a_contact_from_the_coordinators_own_unit_is_not_sent(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            contact = self.log(self.colleague)
        assert contact.coordinator is None
        assert mail.outbox == []

    def test_the_coordinators_own_contact_is_not_sent(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            contact = self.log(self.caseworker)
        assert contact.coordinator is None
        assert mail.outbox == []

    def test_without_an_active_plan_nobody_is_told(self) -> None:
        from helhed.plans.actions.plans import do_close_plan

        do_close_plan(
            actor=self.caseworker,
            plan=self.plan,
            expected_version=self.plan.version,
            reason="Goals reached",
        )
        with self.captureOnCommitCallbacks(execute=True):
            contact = self.log(self.teacher)
        assert contact.coordinator is None
        assert mail.outbox == []


class RuleTests(ContactCase):
    def errors(self, **changes: Any) -> dict[str, Any]:
        with self.assertRaises(ValidationError) as caught:
            self.log(**changes)
        return caught.exception.message_dict

    def test_the_date_may_not_be_in_the_future(self) -> None:
        assert "contacted_on" in self.errors(contacted_on=today() + dt.timedelta(days=1))
        assert self.log(contacted_on=today() - dt.timedelta(days=30)).pk

    def test_the_purpose_holds_no_cpr_number_and_is_not_empty(self) -> None:
        assert "purpose" in self.errors(purpose=f"About {self.alma.cpr}")
        assert "purpose" in self.errors(purpose="About 1705141234 and more")
        assert "purpose" in self.errors(purpose="   ")

    def test_the_unit_is_one_where_the_actor_works_today(self) -> None:
        assert "unit" in self.errors(unit=self.family_dept)

    def test_a_channel_must_be_chosen(self) -> None:
        assert "channel" in self.errors(channel="pigeon")

    def test_only_staff_who_may_see_the_citizen_log_a_contact(self) -> None:
        with self.assertRaises(PermissionDenied):
            self.log(self.leader, unit=self.school)
        assert not Contact.objects.exists()


class SeenTests(ContactCase):
    def test_only_the_coordinator_marks_a_contact_seen(self) -> None:
        contact = self.log(self.teacher)
        for other in (self.teacher, self.colleague, self.leader):
            with self.subTest(other.full_name), self.assertRaises(PermissionDenied):
                do_mark_contact_seen(actor=other, contact=contact)
        seen = do_mark_contact_seen(actor=self.caseworker, contact=contact)
        assert seen.coordinator_seen_on == today()
        # Marking it again changes nothing.
        assert do_mark_contact_seen(actor=self.caseworker, contact=contact).coordinator_seen_on
