"""The ``demo`` command: generate once, always print the logins in the agreed form."""

from __future__ import annotations

import re
from io import StringIO

from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings

from helhed.citizens.models import Citizen
from helhed.demo.generator import LOGIN_USERNAMES
from helhed.organisation.models import Staff

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_LINE = re.compile(r"^login: (\S+) (\S+) (\S+)$")


def run(*args: str) -> str:
    out = StringIO()
    call_command("demo", "--inhabitants", "2000", *args, stdout=out)
    return out.getvalue()


def login_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("login:")]


# A fast hasher: these tests log in many times; real hashing is tested by Django.
@override_settings(PASSWORD_HASHERS=FAST_HASHERS)
class DemoCommandTests(TestCase):
    def test_it_prints_exactly_one_login_line_per_role(self) -> None:
        lines = login_lines(run())
        expected = [f"login: {role} {user} demo" for role, user in LOGIN_USERNAMES.items()]
        self.assertEqual(
            lines, [*expected, "login: guardian foraelder demo", "login: admin admin demo"]
        )
        for line in lines:
            self.assertRegex(line, LOGIN_LINE)
        roles = [line.split()[1] for line in lines]
        self.assertEqual(len(roles), len(set(roles)))
        self.assertLessEqual(
            {"director", "chief", "leader", "caseworker", "teacher", "pedagogue"}, set(roles)
        )
        self.assertLessEqual({"coordinator", "analyst", "politician", "admin"}, set(roles))

    def test_the_printed_logins_work(self) -> None:
        for line in login_lines(run()):
            match = LOGIN_LINE.match(line)
            assert match is not None
            _role, username, password = match.groups()
            self.assertTrue(self.client.login(username=username, password=password), line)

    def test_it_prints_progress_and_a_summary(self) -> None:
        output = run()
        self.assertIn("Rudersdal: saved", output)
        summary = [line for line in output.splitlines() if line.startswith("Generated ")]
        self.assertEqual(len(summary), 1)
        self.assertRegex(summary[0], r"^Generated Rudersdal: [\d ]+ units, [\d ]+ staff, .* s$")
        # The logins come last, after the summary.
        self.assertTrue(output.rstrip().splitlines()[-1].startswith("login: admin"))

    def test_it_does_not_generate_again_when_there_are_citizens(self) -> None:
        first = run()
        citizens = Citizen.objects.count()
        staff = Staff.objects.count()
        second = run("--seed", "2")
        self.assertIn("not generating", second)
        self.assertNotIn("Generated", second)
        self.assertEqual(Citizen.objects.count(), citizens)
        self.assertEqual(Staff.objects.count(), staff)
        self.assertEqual(login_lines(second), login_lines(first))

    def test_force_replaces_the_demo_with_the_same_data_for_the_same_seed(self) -> None:
        run()
        names = sorted(Citizen.objects.values_list("first_name", "last_name"))
        output = run("--force")
        self.assertIn("Generated Rudersdal", output)
        self.assertEqual(sorted(Citizen.objects.values_list("first_name", "last_name")), names)
        self.assertEqual(len(login_lines(output)), len(LOGIN_USERNAMES) + 2)
        self.assertTrue(self.client.login(username="sagsbehandler", password="demo"))

    def test_the_password_option_sets_and_prints_the_password(self) -> None:
        lines = login_lines(run("--password", "hemmelig-demo"))
        self.assertIn("login: caseworker sagsbehandler hemmelig-demo", lines)
        self.assertTrue(self.client.login(username="laerer", password="hemmelig-demo"))

    def test_comparable_municipalities_are_generated_without_logins(self) -> None:
        output = run("--municipality", "167", "--comparable", "1")
        self.assertEqual(output.count("Generated "), 3)  # two municipalities' lines and a total
        self.assertIn("Generated Hvidovre", output)
        self.assertEqual(len(set(Citizen.objects.values_list("municipality", flat=True))), 2)
        codes = set(Staff.objects.filter(user__isnull=False).values_list("municipality__code"))
        self.assertEqual(codes, {(167,)})

    def test_bad_arguments_are_refused(self) -> None:
        with self.assertRaisesMessage(CommandError, "Unknown municipality code: 999"):
            run("--municipality", "999")
        with self.assertRaisesMessage(CommandError, "--inhabitants"):
            call_command("demo", "--inhabitants", "10", stdout=StringIO())
        self.assertFalse(Citizen.objects.exists())
