"""Rotating the audit key: old entries keep verifying, a retired key cannot sign new ones.

Each test plays the operator's steps with real, freshly generated keys: key A
signs; B is put first with A after it (the processes restart and sign with
B); ``helhed audit rotate-key`` retires A. A process (or a thief) still
signing with A after that breaks the chain, and so does dropping A from the
settings, each with its own message.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings

from helhed.audit import codes
from helhed.audit.chain import Verdict, key_id, verify
from helhed.audit.models import AuditEntry, AuditHead
from helhed.audit.tests.test_chain import _raw
from helhed.audit.trail import log
from helhed.lib.keys import add_missing_secrets, write_env_file

A = secrets.token_urlsafe(32)
B = secrets.token_urlsafe(32)
C = secrets.token_urlsafe(32)
ROOT = Path(__file__).resolve().parents[3]


def write(n: int, *keys: str) -> list[int]:
    """Log ``n`` entries as a process configured with ``keys`` would."""
    with override_settings(AUDIT_KEYS=list(keys)):
        return [log(None, codes.VIEW, citizen_id=7, detail={"n": i}).seq for i in range(n)]


def rotate(*keys: str) -> str:
    out = StringIO()
    with override_settings(AUDIT_KEYS=list(keys)):
        call_command("audit", "rotate-key", stdout=out, stderr=StringIO())
    return out.getvalue()


def verify_with(*keys: str) -> Verdict:
    with override_settings(AUDIT_KEYS=list(keys)):
        return verify()


def verify_command(*keys: str) -> str:
    out = StringIO()
    with override_settings(AUDIT_KEYS=list(keys)):
        call_command("audit", "verify", stdout=out)
    return out.getvalue()


class RotationTests(TestCase):
    def setUp(self) -> None:
        # Entries from set-up would be signed with the test run's own key.
        self.assertEqual(AuditHead.objects.get(pk=1).entries, 0)
        self.before = write(3, A)
        # B is put first, A kept after it; the restarted processes sign with B
        # before anyone runs rotate-key.
        self.between = write(2, B, A)

    def test_a_rotation_keeps_the_chain_verifiable_and_counts_per_key(self) -> None:
        out = rotate(B, A)
        rotation = AuditEntry.objects.get(action=codes.KEY_ROTATED)
        self.assertEqual(rotation.seq, 6)
        self.assertIn(f"entry #6, signed with key {key_id(B)}, retires key {key_id(A)}", out)
        self.assertEqual(rotation.detail, {"key": key_id(B), "retired": [key_id(A)]})
        after = write(2, B, A)

        stored = dict(AuditEntry.objects.values_list("seq", "key_id"))
        self.assertEqual({stored[s] for s in self.before}, {key_id(A)})
        self.assertEqual({stored[s] for s in [*self.between, 6, *after]}, {key_id(B)})
        verdict = verify_with(B, A)
        self.assertTrue(verdict.ok, verdict.problem)
        self.assertEqual(verdict.per_key, {key_id(A): 3, key_id(B): 5})
        self.assertEqual(verdict.retired, {key_id(A): 6})

        text = verify_command(B, A)
        self.assertIn("Audit chain intact: 8 entries, head ", text)
        self.assertIn(f"key {key_id(B)}: 5 entries (signs new entries)", text)
        self.assertIn(f"key {key_id(A)}: 3 entries (retired at entry #6)", text)
        self.assertNotIn(A, text)
        self.assertNotIn(B, text)

    def test_an_entry_signed_with_the_retired_key_after_the_rotation_is_refused(self) -> None:
        rotate(B, A)
        write(1, B, A)
        # A process still configured with the old key first, or someone who stole it.
        [forged] = write(1, A, B)
        verdict = verify_with(B, A)
        self.assertFalse(verdict.ok)
        self.assertEqual(verdict.broken_at, forged)
        self.assertIn(
            f"entry #{forged} is signed with a retired key {key_id(A)} (retired at entry #6)",
            verdict.problem,
        )
        with (
            override_settings(AUDIT_KEYS=[B, A]),
            self.assertRaisesMessage(CommandError, f"BROKEN at entry #{forged}"),
        ):
            call_command("audit", "verify", stdout=StringIO())

    def test_emptying_the_key_id_does_not_let_a_retired_key_through(self) -> None:
        # The key id is not hashed: without it the entry is tried with every
        # key, and the retired-key rule holds for the key that matched.
        rotate(B, A)
        [forged] = write(1, A)
        _raw("UPDATE audit_auditentry SET key_id = NULL WHERE seq = %s", [forged])
        verdict = verify_with(B, A)
        self.assertEqual(verdict.broken_at, forged)
        self.assertIn(f"is signed with a retired key {key_id(A)}", verdict.problem)

    def test_a_key_id_changed_to_another_configured_key_is_caught_as_altered(self) -> None:
        _raw("UPDATE audit_auditentry SET key_id = %s WHERE seq = %s", [key_id(B), self.before[1]])
        verdict = verify_with(B, A)
        self.assertEqual(verdict.broken_at, self.before[1])
        self.assertIn("altered", verdict.problem)

    def test_a_key_id_changed_to_an_unknown_one_is_caught_as_altered(self) -> None:
        _raw("UPDATE audit_auditentry SET key_id = 'feedfacefeedface' WHERE seq = 2")
        verdict = verify_with(B, A)
        self.assertEqual(verdict.broken_at, 2)
        self.assertIn("altered after it was written (its key id was changed)", verdict.problem)

    def test_a_key_missing_from_the_settings_is_named_not_called_tampering(self) -> None:
        rotate(B, A)
        verdict = verify_with(B)
        self.assertFalse(verdict.ok)
        self.assertEqual(verdict.broken_at, 1)
        self.assertIn(
            f"entry #1 was signed with key {key_id(A)}, which is not in HELHED_AUDIT_KEYS",
            verdict.problem,
        )
        self.assertNotIn("altered", verdict.problem)
        with (
            override_settings(AUDIT_KEYS=[B]),
            self.assertRaisesMessage(CommandError, "which is not in HELHED_AUDIT_KEYS"),
        ):
            call_command("audit", "verify", stdout=StringIO())

    def test_rotating_a_broken_chain_is_refused_and_writes_nothing(self) -> None:
        _raw("UPDATE audit_auditentry SET actor = 'x' WHERE seq = %s", [self.before[1]])
        with self.assertRaisesMessage(
            CommandError, f"Audit chain BROKEN at entry #{self.before[1]}"
        ) as caught:
            rotate(B, A)
        self.assertIn("not rotating the key", str(caught.exception))
        self.assertFalse(AuditEntry.objects.filter(action=codes.KEY_ROTATED).exists())
        self.assertEqual(AuditEntry.objects.count(), 5)

    def test_rotating_twice_is_refused_the_second_time(self) -> None:
        rotate(B, A)
        # Run twice, or left in a script: A is already retired.
        with self.assertRaisesMessage(CommandError, "Nothing to rotate"):
            rotate(B, A)
        self.assertEqual(AuditEntry.objects.filter(action=codes.KEY_ROTATED).count(), 1)

    def test_a_retired_key_cannot_be_put_first_again(self) -> None:
        rotate(B, A)
        with self.assertRaisesMessage(
            CommandError, f"The first key in HELHED_AUDIT_KEYS ({key_id(A)}) was retired"
        ):
            rotate(A, B)

    def test_a_second_rotation_retires_the_next_key_and_both_stay_retired(self) -> None:
        rotate(B, A)
        write(1, C, B, A)
        self.assertIn(f"retires key {key_id(B)}", rotate(C, B, A))
        verdict = verify_with(C, B, A)
        self.assertTrue(verdict.ok, verdict.problem)
        self.assertEqual(verdict.retired, {key_id(A): 6, key_id(B): 8})
        [forged] = write(1, A)
        self.assertEqual(verify_with(C, B, A).broken_at, forged)


class NothingToRotateTests(TestCase):
    def test_a_single_key_that_signed_the_newest_entry_has_nothing_to_rotate(self) -> None:
        write(2, A)
        with self.assertRaisesMessage(CommandError, "Nothing to rotate") as caught:
            rotate(A)
        self.assertIn("put it first in HELHED_AUDIT_KEYS", str(caught.exception))
        self.assertEqual(AuditEntry.objects.count(), 2)


class LegacyEntryTests(TestCase):
    """Entries written before key ids existed (NULL) verify with whichever configured key fits."""

    def setUp(self) -> None:
        self.seqs = write(4, A)
        _raw("UPDATE audit_auditentry SET key_id = NULL")

    def test_they_verify_with_the_old_key_anywhere_in_the_list_and_rotate(self) -> None:
        verdict = verify_with(B, A)
        self.assertTrue(verdict.ok, verdict.problem)
        self.assertEqual((verdict.without_key_id, verdict.per_key), (4, {key_id(A): 4}))
        rotate(B, A)
        text = verify_command(B, A)
        self.assertIn("Audit chain intact: 5 entries", text)
        self.assertIn("4 entries from before entries recorded their key", text)

    def test_an_altered_one_is_caught(self) -> None:
        _raw("UPDATE audit_auditentry SET purpose = 'x' WHERE seq = %s", [self.seqs[2]])
        verdict = verify_with(B, A)
        self.assertEqual(verdict.broken_at, self.seqs[2])
        self.assertIn("altered", verdict.problem)

    def test_they_fail_without_their_key(self) -> None:
        verdict = verify_with(B)
        self.assertEqual(verdict.broken_at, 1)
        self.assertIn("removed from HELHED_AUDIT_KEYS", verdict.problem)


def settings_with(**env: str) -> subprocess.CompletedProcess[str]:
    """Import settings in a fresh interpreter with exactly these audit variables."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HELHED_")}
    clean.update(
        HELHED_SECRET_KEY="s",
        HELHED_PSEUDONYM_KEY="p",
        HELHED_CPR_KEYS="eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHg=",
        HELHED_VAR_DIR="/nonexistent",
        **env,
    )
    return subprocess.run(
        [sys.executable, "-c", "import helhed.settings as s; print(s.AUDIT_KEYS)"],
        env=clean,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_settings_read_the_key_list_or_the_single_key() -> None:
    several = settings_with(HELHED_AUDIT_KEYS=" new , old ,")
    assert several.returncode == 0, several.stderr
    assert several.stdout.strip() == "['new', 'old']"
    single = settings_with(HELHED_AUDIT_KEY="only")
    assert single.returncode == 0, single.stderr
    assert single.stdout.strip() == "['only']"


def test_settings_refuse_both_names_at_once() -> None:
    both = settings_with(HELHED_AUDIT_KEY="old", HELHED_AUDIT_KEYS="new,old")
    assert both.returncode != 0
    assert "ImproperlyConfigured" in both.stderr
    assert "HELHED_AUDIT_KEY and HELHED_AUDIT_KEYS are both set" in both.stderr
    empty = settings_with(HELHED_AUDIT_KEYS=",")
    assert empty.returncode != 0
    assert "HELHED_AUDIT_KEYS holds no key" in empty.stderr


def test_init_adds_no_single_key_beside_a_rotated_key_list(tmp_path: Path) -> None:
    path = tmp_path / "helhed.env"
    assert write_env_file(path)
    assert "HELHED_AUDIT_KEY=" in path.read_text(encoding="utf-8")
    rotated = path.read_text(encoding="utf-8").replace(
        "HELHED_AUDIT_KEY=", "HELHED_AUDIT_KEYS=new,"
    )
    path.write_text(rotated, encoding="utf-8")
    assert add_missing_secrets(path) == []
    assert not write_env_file(path)
    assert path.read_text(encoding="utf-8") == rotated
    started = settings_with(HELHED_ENV_FILE=str(path))
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip().startswith("['new', ")
