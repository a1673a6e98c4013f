"""CPR numbers at rest: encrypted, found by keyed hash, and re-encrypted on key rotation."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TestCase, override_settings

from helhed.citizens import crypto
from helhed.citizens.actions import do_register_citizen, do_rotate_cpr_keys
from helhed.citizens.models import Citizen
from helhed.test import make_citizen, municipality

NUMBER = "0707614285"
FORMATTED = "070761-4285"


class CryptoTestCase(TestCase):
    citizen: Citizen

    @classmethod
    def setUpTestData(cls) -> None:
        cls.citizen = do_register_citizen(
            cpr=FORMATTED, first_name="Jens", last_name="Holm", municipality=municipality()
        )
        make_citizen("Ida", birth_date=dt.date(2012, 4, 1))
        make_citizen("Ole", birth_date=dt.date(1990, 11, 30), sex="M")


class EncryptionTests(CryptoTestCase):
    def test_it_round_trips_a_cpr_number(self) -> None:
        token = crypto.encrypt(NUMBER)
        assert token != NUMBER
        assert crypto.decrypt(token) == NUMBER

    def test_it_encrypts_the_same_number_differently_each_time(self) -> None:
        assert crypto.encrypt(NUMBER) != crypto.encrypt(NUMBER)

    def test_it_reads_back_the_stored_number(self) -> None:
        citizen = Citizen.objects.get(pk=self.citizen.pk)
        assert citizen.cpr == FORMATTED
        assert citizen.birth_date == dt.date(1961, 7, 7)
        assert citizen.sex == Citizen.Sex.MALE

    def test_the_database_row_never_holds_the_number_in_clear(self) -> None:
        table = connection.ops.quote_name(Citizen._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [self.citizen.pk])  # noqa: S608
            row = cursor.fetchone()
        assert row is not None
        stored = " ".join(str(value) for value in row)
        assert NUMBER not in stored
        assert FORMATTED not in stored

    def test_it_refuses_a_malformed_key_clearly(self) -> None:
        with (
            override_settings(CPR_KEYS=["not-a-fernet-key"]),
            self.assertRaises(ImproperlyConfigured),
        ):
            crypto.encrypt(NUMBER)


class LookupTests(CryptoTestCase):
    def test_it_finds_a_citizen_by_cpr_in_either_form(self) -> None:
        for raw in (NUMBER, FORMATTED, f"  {FORMATTED} "):
            with self.subTest(raw=raw):
                assert Citizen.objects.by_cpr(raw) == self.citizen

    def test_it_finds_nobody_for_an_unknown_number(self) -> None:
        assert Citizen.objects.by_cpr("0101800001") is None

    def test_search_finds_by_full_cpr_number_only(self) -> None:
        assert list(Citizen.objects.search(FORMATTED)) == [self.citizen]
        assert list(Citizen.objects.search(NUMBER)) == [self.citizen]
        # A partial number is not a look-up key: it finds nobody.
        assert not Citizen.objects.search("070761").exists()

    def test_search_by_name_still_works(self) -> None:
        assert list(Citizen.objects.search("jens holm")) == [self.citizen]

    def test_the_hash_depends_on_the_pseudonym_key(self) -> None:
        original = crypto.keyed_hash(NUMBER)
        assert self.citizen.cpr_hash == original
        with override_settings(PSEUDONYM_KEY="another-key"):
            assert crypto.keyed_hash(NUMBER) != original
            # Stored hashes were made with the old key: a look-up finds nothing.
            assert Citizen.objects.by_cpr(NUMBER) is None
        assert crypto.keyed_hash(NUMBER) == original

    def test_the_hash_separates_purposes(self) -> None:
        assert crypto.keyed_hash(NUMBER, purpose="pseudonym") != crypto.keyed_hash(NUMBER)


class KeyRotationTests(CryptoTestCase):
    def setUp(self) -> None:
        self.old_key = settings.CPR_KEYS[0]
        self.new_key = Fernet.generate_key().decode()
        self.numbers = {c.pk: c.cpr for c in Citizen.objects.all()}
        self.tokens = dict(Citizen.objects.values_list("pk", "cpr_encrypted"))
        assert len(self.numbers) == 3

    def assert_readable_only_with_new_key(self) -> None:
        with override_settings(CPR_KEYS=[self.new_key]):
            for citizen in Citizen.objects.all():
                assert citizen.cpr == self.numbers[citizen.pk]
        with override_settings(CPR_KEYS=[self.old_key]):
            for citizen in Citizen.objects.all():
                with self.assertRaises(ImproperlyConfigured):
                    _ = citizen.cpr

    def test_rotation_re_encrypts_every_number_with_the_new_key(self) -> None:
        with override_settings(CPR_KEYS=[self.new_key, self.old_key]):
            assert do_rotate_cpr_keys(batch_size=2) == 3
        self.assert_readable_only_with_new_key()
        for pk, token in Citizen.objects.values_list("pk", "cpr_encrypted"):
            assert token != self.tokens[pk]

    def test_rotation_keeps_the_lookup_hash(self) -> None:
        with override_settings(CPR_KEYS=[self.new_key, self.old_key]):
            do_rotate_cpr_keys()
        with override_settings(CPR_KEYS=[self.new_key]):
            assert Citizen.objects.by_cpr(NUMBER) == self.citizen

    def test_rotating_twice_is_harmless(self) -> None:
        with override_settings(CPR_KEYS=[self.new_key, self.old_key]):
            do_rotate_cpr_keys()
            do_rotate_cpr_keys()
        self.assert_readable_only_with_new_key()

    def test_the_new_key_alone_cannot_read_before_rotation(self) -> None:
        # Before rotation the new key alone cannot read the data: that is why
        # the old key must stay in the list until the rotation has run.
        with override_settings(CPR_KEYS=[self.new_key]), self.assertRaises(ImproperlyConfigured):
            _ = Citizen.objects.get(pk=self.citizen.pk).cpr


class RotateCommandTests(CryptoTestCase):
    def setUp(self) -> None:
        self.old_key = settings.CPR_KEYS[0]
        self.new_key = Fernet.generate_key().decode()

    def test_it_rotates_and_prints_progress_and_a_summary(self) -> None:
        out = StringIO()
        with override_settings(CPR_KEYS=[self.new_key, self.old_key]):
            call_command("rotate_cpr_key", "--batch-size=2", stdout=out)
        lines = out.getvalue().strip().splitlines()
        assert lines[-1] == "Re-encrypted 3 CPR numbers with the primary key"
        assert [line.strip() for line in lines[:-1]] == ["2/3 (66%)", "3/3 (100%)"]
        with override_settings(CPR_KEYS=[self.new_key]):
            assert Citizen.objects.get(pk=self.citizen.pk).cpr == FORMATTED

    def test_it_fails_clearly_when_no_key_can_read_the_data(self) -> None:
        stranger = Fernet.generate_key().decode()
        with override_settings(CPR_KEYS=[stranger]), self.assertRaises(CommandError) as caught:
            call_command("rotate_cpr_key", stdout=StringIO())
        assert "HELHED_CPR_KEYS" in str(caught.exception)
        # Nothing was re-encrypted: the original key still reads every number.
        assert Citizen.objects.get(pk=self.citizen.pk).cpr == FORMATTED

    def test_it_has_a_one_line_help(self) -> None:
        from helhed.citizens.management.commands.rotate_cpr_key import Command

        assert Command.help
        assert "\n" not in Command.help
