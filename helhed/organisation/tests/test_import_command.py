"""The ``import_organisation`` command: output, exit status, dry run, both sources."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import tempfile
from pathlib import Path
from unittest import mock

from django.core.management import CommandError, call_command
from django.db import connections
from django.test import TestCase
from django.utils import translation

from helhed.organisation.management.commands.import_organisation import Command
from helhed.organisation.models import Staff, Unit
from helhed.organisation.tests.test_import_csv import STAFF, UNITS
from helhed.organisation.tests.test_import_os2mo import (
    CLIENT_ID,
    CLIENT_SECRET,
    RecordedOS2mo,
)


class ImportCommandTestCase(TestCase):
    def setUp(self) -> None:
        self.enterContext(translation.override("en"))  # the tests read the English output
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.dir = Path(tmp.name)
        self.units = self.write("units.csv", UNITS)
        self.staff = self.write("staff.csv", STAFF)

    def write(self, name: str, text: str) -> Path:
        path = self.dir / name
        path.write_text(text, encoding="utf-8")
        return path

    def run_command(self, *args: str) -> tuple[str, str]:
        out, err = io.StringIO(), io.StringIO()
        call_command("import_organisation", "--municipality", "230", *args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()


class CsvCommandTests(ImportCommandTestCase):
    def test_it_imports_and_ends_with_a_one_line_summary(self) -> None:
        out, _err = self.run_command("--units", str(self.units), "--staff", str(self.staff))

        last = out.strip().splitlines()[-1]
        self.assertIn("Units: 7 created, 0 updated, 0 moved, 0 unchanged.", last)
        self.assertIn("Staff: 5 created", last)
        self.assertIn("Roles: 5 created", last)
        self.assertEqual(Unit.objects.filter(municipality__code=230).count(), 7)

        out, _err = self.run_command("--units", str(self.units), "--staff", str(self.staff))
        self.assertIn("7 unchanged", out)

    def test_a_bad_file_lists_the_errors_by_line_and_fails(self) -> None:
        bad = self.write(
            "bad.csv", UNITS.replace("SOL,BU,", "SOL,NOPE,").replace("2021-08-01", "1. august")
        )
        err = io.StringIO()

        with self.assertRaises(CommandError) as raised:
            call_command(
                "import_organisation",
                "--municipality",
                "230",
                "--units",
                str(bad),
                stdout=io.StringIO(),
                stderr=err,
            )

        self.assertIn("2 errors; nothing was imported", str(raised.exception))
        lines = err.getvalue().splitlines()
        self.assertEqual(len(lines), 2)
        self.assertTrue(
            any(line.startswith("bad.csv, line 6:") and "NOPE" in line for line in lines)
        )
        self.assertTrue(
            any(line.startswith("bad.csv, line 7:") and "1. august" in line for line in lines)
        )
        self.assertFalse(Unit.objects.exists())

    def test_the_exit_status_is_not_zero_when_the_file_is_bad(self) -> None:
        bad = self.write("bad.csv", UNITS.replace("daycare", "vuggestue"))
        err = io.StringIO()

        # run_from_argv closes every database connection when it ends, which on
        # PostgreSQL would end this test's transaction and break the tests after it.
        with (
            contextlib.redirect_stderr(err),
            mock.patch.object(connections, "close_all"),
            self.assertRaises(SystemExit) as exited,
        ):
            Command().run_from_argv(
                ["helhed", "import_organisation", "--municipality", "230", "--units", str(bad)]
            )

        self.assertEqual(exited.exception.code, 1)
        self.assertIn("bad.csv, line 6:", err.getvalue())
        self.assertFalse(Unit.objects.exists())

    def test_a_dry_run_validates_reports_and_writes_nothing(self) -> None:
        out, _err = self.run_command(
            "--units", str(self.units), "--staff", str(self.staff), "--dry-run"
        )

        self.assertIn("Dry run, nothing written. Units: 7 created", out)
        self.assertFalse(Unit.objects.exists())
        self.assertFalse(Staff.objects.exists())

    def test_on_dates_a_reorganisation(self) -> None:
        self.run_command("--units", str(self.units))
        moved = self.write("moved.csv", UNITS.replace("SOL,BU,", "SOL,SS,"))

        out, _err = self.run_command("--units", str(moved), "--on", "2024-08-01")

        self.assertIn("1 moved", out)
        successor = Unit.objects.valid_on(dt.date(2024, 8, 1)).get(external_id="SOL")
        self.assertEqual(successor.parent.external_id if successor.parent else None, "SS")

    def test_a_long_import_shows_progress(self) -> None:
        teams = "".join(f"T{n},BAKKE,Team {n},team,,2021-08-01,\n" for n in range(200))
        big = self.write("big.csv", UNITS + teams)

        out, _err = self.run_command("--units", str(big))

        progress = [line for line in out.splitlines() if line.strip().endswith("%)")]
        # A line every 20 rows (a tenth of 207), and one at the end.
        self.assertEqual(len(progress), 11)
        self.assertEqual(progress[0].strip(), "20/207 (9%)")
        self.assertEqual(progress[-1].strip(), "207/207 (100%)")

    def test_wrong_arguments_are_refused_with_a_reason(self) -> None:
        cases = [
            ((), "one source"),
            (("--units", "units.csv", "--os2mo-url", "http://127.0.0.1:1"), "one source"),
            (("--units", "/nonexistent/units.csv"), "No such file"),
        ]
        for args, message in cases:
            with self.subTest(args), self.assertRaisesMessage(CommandError, message):
                self.run_command(*args)
        with self.assertRaisesMessage(CommandError, "Unknown municipality code 999"):
            call_command("import_organisation", "--municipality", "999", "--units", "x.csv")
        with self.assertRaisesMessage(CommandError, "YYYY-MM-DD"):
            self.run_command("--units", str(self.units), "--on", "tomorrow")


class OS2moCommandTests(ImportCommandTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.os2mo = RecordedOS2mo()
        self.os2mo.start()
        self.addCleanup(self.os2mo.stop)

    def test_it_imports_from_os2mo_with_the_secret_from_the_environment(self) -> None:
        with mock.patch.dict(os.environ, {"HELHED_OS2MO_CLIENT_SECRET": CLIENT_SECRET}):
            out, _err = self.run_command(
                "--os2mo-url",
                self.os2mo.url,
                "--os2mo-client-id",
                CLIENT_ID,
                "--os2mo-page-size",
                "4",
            )

        self.assertIn("Fetched 8 org_units", out)
        self.assertIn("Units: 8 created", out.strip().splitlines()[-1])
        self.assertEqual(self.os2mo.token_requests()[0].body["client_secret"], CLIENT_SECRET)
        self.assertEqual(
            Unit.objects.filter(municipality__code=230).values("key").distinct().count(), 8
        )

    def test_a_mapping_file_is_read(self) -> None:
        mapping = self.write("mapping.json", json.dumps({"job_functions": {"Pædagog": None}}))

        out, _err = self.run_command(
            "--os2mo-url",
            self.os2mo.url,
            "--os2mo-token",
            "static-integration-token",
            "--os2mo-mapping",
            str(mapping),
        )

        self.assertIn("Roles: 6 created", out)
        self.assertFalse(Staff.objects.filter(first_name="Pia").exists())

    def test_an_os2mo_failure_fails_the_command_and_writes_nothing(self) -> None:
        self.os2mo.fail["HelhedEmployees"] = (503, b"Service Unavailable")

        with self.assertRaises(CommandError) as raised:
            self.run_command(
                "--os2mo-url",
                self.os2mo.url,
                "--os2mo-client-id",
                CLIENT_ID,
                "--os2mo-client-secret",
                CLIENT_SECRET,
            )

        self.assertIn("HTTP 503", str(raised.exception))
        self.assertIn("Nothing was imported", str(raised.exception))
        self.assertFalse(Unit.objects.exists())

    def test_a_bad_mapping_file_is_refused(self) -> None:
        mapping = self.write("mapping.json", "{not json")

        with self.assertRaisesMessage(CommandError, "mapping.json"):
            self.run_command(
                "--os2mo-url",
                self.os2mo.url,
                "--os2mo-token",
                "t",
                "--os2mo-mapping",
                str(mapping),
            )
        self.assertEqual(self.os2mo.requests, [])
