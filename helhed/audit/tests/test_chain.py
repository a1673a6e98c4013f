"""The hash chain: entries chain onto each other, and any tampering is caught."""

from __future__ import annotations

import itertools
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import TestCase

from helhed.audit import codes
from helhed.audit.chain import GENESIS, verify
from helhed.audit.context import acting_as
from helhed.audit.models import AppendOnlyError, AuditEntry, AuditHead
from helhed.audit.trail import Entry, log, log_many
from helhed.test import BaseTestCase, make_citizen


def _raw(sql: str, params: list[int | str | None] | None = None) -> None:
    """Change the table behind the ORM's back, as someone with database access could.

    The triggers that refuse it are dropped first (in the test's transaction,
    so the next test has them again).
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS audit_entry_no_delete")
        else:
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
        cursor.execute(sql, params or [])


class ChainTests(TestCase):
    def setUp(self) -> None:
        # Start each test from an empty log (set-up data may have written some).
        start = AuditHead.objects.get(pk=1).entries
        self.assertEqual(start, AuditEntry.objects.count())
        with acting_as(source="test"):
            for n in range(5):
                log(None, codes.CREATE, citizen_id=n + 1, detail={"n": n})
        self.first = start + 1
        self.last = start + 5

    def test_entries_chain_onto_each_other(self) -> None:
        entries = list(AuditEntry.objects.order_by("seq"))
        self.assertEqual([e.seq for e in entries], list(range(1, self.last + 1)))
        self.assertEqual(entries[0].prev_hash, GENESIS)
        for before, after in itertools.pairwise(entries):
            self.assertEqual(after.prev_hash, before.hash)
        verdict = verify()
        self.assertTrue(verdict.ok, verdict.problem)
        self.assertEqual(verdict.entries, self.last)
        self.assertEqual(verdict.head_hash, entries[-1].hash)

    def test_an_altered_row_is_caught_and_named(self) -> None:
        _raw(
            "UPDATE audit_auditentry SET purpose = 'nothing to see' WHERE seq = %s",
            [self.first + 2],
        )
        verdict = verify()
        self.assertFalse(verdict.ok)
        self.assertEqual(verdict.broken_at, self.first + 2)
        self.assertIn("altered", verdict.problem)
        self.assertEqual(verdict.entries, self.first + 1)

    def test_a_removed_row_is_caught(self) -> None:
        _raw("DELETE FROM audit_auditentry WHERE seq = %s", [self.first + 1])
        verdict = verify()
        self.assertEqual(verdict.broken_at, self.first + 1)
        self.assertIn("missing", verdict.problem)

    def test_removing_the_last_rows_is_caught_by_the_head(self) -> None:
        _raw("DELETE FROM audit_auditentry WHERE seq >= %s", [self.last - 1])
        verdict = verify()
        self.assertFalse(verdict.ok)
        self.assertEqual(verdict.broken_at, self.last - 1)

    def test_a_rehashed_row_without_the_key_is_caught(self) -> None:
        # Someone recomputes a plain SHA-256 for the altered row: without the
        # HMAC key the hash cannot match.
        import hashlib

        forged = hashlib.sha256(b"forged").hexdigest()
        _raw(
            "UPDATE audit_auditentry SET actor = 'someone else', hash = %s WHERE seq = %s",
            [forged, self.last],
        )
        self.assertEqual(verify().broken_at, self.last)

    def test_the_orm_refuses_to_change_or_delete_an_entry(self) -> None:
        entry = AuditEntry.objects.get(seq=self.first)
        entry.purpose = "changed"
        with self.assertRaises(AppendOnlyError):
            entry.save()
        with self.assertRaises(AppendOnlyError):
            entry.delete()
        with self.assertRaises(AppendOnlyError):
            AuditEntry.objects.filter(seq=self.first).update(purpose="x")
        with self.assertRaises(AppendOnlyError):
            AuditEntry.objects.all().delete()
        self.assertTrue(verify().ok)

    def test_the_database_refuses_an_update_from_any_client(self) -> None:
        with (
            self.assertRaisesMessage(Exception, "append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("UPDATE audit_auditentry SET purpose = 'x' WHERE seq = %s", [self.first])
        self.assertTrue(verify().ok)

    def test_a_batch_is_chained_in_order(self) -> None:
        rows = log_many([Entry(action=codes.VIEW, citizen_id=9) for _ in range(3)])
        self.assertEqual([r.seq for r in rows], [self.last + 1, self.last + 2, self.last + 3])
        self.assertTrue(verify().ok)

    def test_an_unregistered_action_is_refused(self) -> None:
        with self.assertRaises(ValueError):
            log(None, "plans.typo")
        self.assertEqual(AuditEntry.objects.count(), self.last)

    def test_a_rolled_back_change_leaves_no_entry_and_an_intact_chain(self) -> None:
        with pytest.raises(RuntimeError), transaction.atomic():
            log(None, codes.CREATE, citizen_id=1)
            raise RuntimeError("the change failed")
        self.assertEqual(AuditEntry.objects.count(), self.last)
        log(None, codes.CREATE, citizen_id=1)
        self.assertTrue(verify().ok)


class VerifyCommandTests(TestCase):
    def test_it_reports_an_intact_chain_with_its_length(self) -> None:
        for _ in range(3):
            log(None, codes.VIEW, citizen_id=1)
        out = StringIO()
        call_command("audit", "verify", stdout=out)
        total = AuditEntry.objects.count()
        self.assertIn(f"Audit chain intact: {total} entries", out.getvalue())

    def test_it_fails_naming_the_first_broken_link(self) -> None:
        for _ in range(3):
            log(None, codes.VIEW, citizen_id=1)
        target = AuditEntry.objects.order_by("seq")[1].seq
        _raw("UPDATE audit_auditentry SET citizen_id = 2 WHERE seq = %s", [target])
        with self.assertRaisesMessage(CommandError, f"BROKEN at entry #{target}"):
            call_command("audit", "verify", stdout=StringIO())


class TrackingTests(BaseTestCase):
    def test_creating_and_changing_a_citizen_is_logged_with_the_actor(self) -> None:
        with acting_as(self.caseworker.user, source="web 10.0.0.7"):
            citizen = make_citizen("Ida", "Holm")
            citizen.first_name = "Idah"
            citizen.save(update_fields=["first_name"])
        entries = list(AuditEntry.objects.filter(citizen_id=citizen.pk).order_by("seq"))
        self.assertEqual([e.action for e in entries], [codes.CREATE, codes.CHANGE])
        self.assertEqual(entries[0].actor, self.caseworker.full_name)
        self.assertEqual(entries[0].actor_staff_id, self.caseworker.pk)
        self.assertEqual(entries[0].source, "web 10.0.0.7")
        self.assertEqual(entries[1].detail, {"fields": ["first_name"]})
        self.assertEqual(entries[0].object_type, "citizens.citizen")

    def test_no_value_of_personal_data_is_written_to_the_log(self) -> None:
        make_citizen("Hemmelig", "Navnesen")
        for entry in AuditEntry.objects.all():
            self.assertNotIn("Hemmelig", str(entry.__dict__))
            self.assertNotIn("Navnesen", str(entry.__dict__))

    def test_deleting_a_family_link_is_logged_for_both_citizens(self) -> None:
        link = self.alma.family_links_to.get(from_citizen=self.mother)
        link.delete()
        deleted = AuditEntry.objects.filter(action=codes.DELETE, object_type="citizens.familylink")
        self.assertEqual(
            sorted(deleted.values_list("citizen_id", flat=True)),
            sorted([self.mother.pk, self.alma.pk]),
        )
        self.assertTrue(verify().ok)
