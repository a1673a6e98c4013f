"""The database itself refuses to change or delete an audit entry, after every migration.

The triggers are what stops a SQL console or another program; the chain is
what catches someone who dropped them first. Flushing the whole database
(the test runner between transactional tests, an operator starting over)
still works on both databases.
"""

from __future__ import annotations

from io import StringIO

from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import TestCase, TransactionTestCase

from helhed.audit import codes
from helhed.audit.chain import verify
from helhed.audit.models import AuditEntry
from helhed.audit.tests.test_chain import _raw
from helhed.audit.trail import log

TRIGGERS = {"audit_entry_no_update", "audit_entry_no_delete"}


def triggers() -> set[str]:
    """The enabled triggers on the audit entries' table."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'audit_auditentry'"
            )
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_auditentry'::regclass "
                "AND NOT tgisinternal AND tgenabled <> 'D'"
            )
        return {name for (name,) in cursor.fetchall()}


def entries(n: int) -> list[int]:
    return [log(None, codes.VIEW, citizen_id=1, detail={"n": i}).seq for i in range(n)]


class TriggerTests(TestCase):
    def setUp(self) -> None:
        self.seqs = entries(5)

    def test_both_triggers_are_in_place_after_all_migrations(self) -> None:
        # Adding the key_id column must not have rebuilt the table: on SQLite a
        # rebuild silently drops the triggers.
        self.assertEqual(triggers() & TRIGGERS, TRIGGERS)

    def test_the_database_refuses_an_update_after_all_migrations(self) -> None:
        with (
            self.assertRaisesMessage(Exception, "append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                "UPDATE audit_auditentry SET key_id = NULL, actor = 'x' WHERE seq = %s",
                [self.seqs[2]],
            )
        self.assertTrue(verify().ok)

    def test_the_database_refuses_a_delete_from_any_client(self) -> None:
        for sql in (
            "DELETE FROM audit_auditentry WHERE seq = %s",
            "DELETE FROM audit_auditentry WHERE seq >= %s",
        ):
            with (
                self.assertRaisesMessage(Exception, "append-only"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(sql, [self.seqs[2]])
        self.assertEqual(AuditEntry.objects.filter(seq__in=self.seqs).count(), 5)
        self.assertTrue(verify().ok)

    def test_a_row_deleted_behind_the_triggers_is_named_by_verify(self) -> None:
        _raw("DELETE FROM audit_auditentry WHERE seq = %s", [self.seqs[2]])
        with self.assertRaisesMessage(
            CommandError,
            f"Audit chain BROKEN at entry #{self.seqs[2]}: entry #{self.seqs[2]} is missing",
        ):
            call_command("audit", "verify", stdout=StringIO())


class FlushTests(TransactionTestCase):
    """A flush empties the log on both databases, and the delete trigger is still there after.

    Only the audit tables are flushed here (``available_apps``), between and
    after the tests as well, so the rest of the test database is left alone.
    """

    available_apps = ["helhed.audit"]

    def test_a_flush_empties_the_log_and_keeps_the_triggers(self) -> None:
        entries(3)
        call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
        self.assertFalse(AuditEntry.objects.exists())
        self.assertEqual(triggers() & TRIGGERS, TRIGGERS)
        seqs = entries(2)
        self.assertEqual(seqs, [1, 2])
        with self.assertRaisesMessage(Exception, "append-only"), connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditentry WHERE seq = 1")
        self.assertTrue(verify().ok)
