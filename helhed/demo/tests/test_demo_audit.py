"""The demo's audit history: a real, intact chain with the stories the review pages need."""

from __future__ import annotations

from io import StringIO

from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TestCase, override_settings

from helhed import policy
from helhed.audit import codes
from helhed.audit.chain import verify
from helhed.audit.models import AuditEntry
from helhed.citizens.models import Engagement
from helhed.demo.generator import generate, plan_municipalities

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@override_settings(PASSWORD_HASHERS=FAST_HASHERS)
class DemoAuditTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        generate(plan_municipalities([230], 6_000, seed=3), password="demo")

    def test_the_chain_is_non_empty_and_intact(self) -> None:
        verdict = verify()
        self.assertTrue(verdict.ok, verdict.problem)
        self.assertGreater(verdict.entries, 1_000)
        out = StringIO()
        call_command("audit", "verify", stdout=out)
        self.assertIn(f"Audit chain intact: {verdict.entries} entries", out.getvalue())

    def test_a_row_altered_in_the_database_is_caught(self) -> None:
        target = AuditEntry.objects.order_by("seq")[500].seq
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("DROP TRIGGER audit_entry_no_update")
            else:
                cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_no_update")
            cursor.execute("UPDATE audit_auditentry SET actor = 'Nobody' WHERE seq = %s", [target])
        with self.assertRaisesMessage(CommandError, f"BROKEN at entry #{target}"):
            call_command("audit", "verify", stdout=StringIO())

    def test_the_history_has_look_ups_break_the_glass_and_a_family_login(self) -> None:
        views = AuditEntry.objects.filter(action=codes.VIEW)
        self.assertGreater(views.filter(object_type="citizens.citizen").count(), 500)
        self.assertTrue(views.filter(object_type="plans.plan").exists())
        glass = AuditEntry.objects.filter(action=codes.BREAK_GLASS, break_glass=True)
        self.assertEqual(glass.count(), 3)
        self.assertTrue(all(e.purpose.startswith("Bryd glasset: ") for e in glass))
        self.assertEqual(
            Engagement.objects.filter(kind=Engagement.Kind.EMERGENCY).count(), glass.count()
        )
        family = User.objects.get(username="foraelder")
        self.assertTrue(AuditEntry.objects.filter(actor_id=family.pk, action=codes.VIEW).exists())

    def test_the_demo_case_worker_is_on_call_and_may_break_the_glass(self) -> None:
        self.assertTrue(policy.can_break_glass(User.objects.get(username="sagsbehandler")))
        self.assertFalse(policy.can_break_glass(User.objects.get(username="laerer")))
