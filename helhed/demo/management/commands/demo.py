"""``demo``: generate the demo municipality once, and always print the demo logins.

``helhed demo`` (see ``helhed/cli.py``) runs this after ``migrate`` on every
start, so it must be cheap and harmless when the demo already exists: then it
generates nothing and only prints the logins, which it reads from the users
(the password is the published demo password; nothing secret is stored).
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import ProtectedError

from helhed.audit.context import acting_as
from helhed.citizens.models import Citizen
from helhed.demo.generator import (
    DEFAULT_INHABITANTS,
    DEFAULT_PASSWORD,
    MIN_INHABITANTS,
    DemoLogin,
    clear_municipalities,
    existing_logins,
    generate,
    number,
    plan_municipalities,
)


class Command(BaseCommand):
    help = "Generate a realistic, reproducible demo municipality (once) and print the logins."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--inhabitants",
            type=int,
            default=DEFAULT_INHABITANTS,
            help="Size of the main municipality (children are about 20%%).",
        )
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same data.")
        parser.add_argument(
            "--municipality",
            type=int,
            action="append",
            dest="municipalities",
            metavar="CODE",
            help="Municipality code; repeat for more. The first is the main one (default 230).",
        )
        parser.add_argument(
            "--comparable",
            type=int,
            default=0,
            metavar="N",
            help="Generate N more comparable municipalities (60-100%% of the size, no logins).",
        )
        parser.add_argument(
            "--password", default=DEFAULT_PASSWORD, help="Password of the demo logins."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Generate even if there are citizens: replaces these municipalities' data.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # What the generator changes through the ORM is audited as the demo's doing.
        with acting_as(source="command:demo"):
            self._generate(options)

    def _generate(self, options: dict[str, Any]) -> None:
        inhabitants: int = options["inhabitants"]
        comparable: int = options["comparable"]
        password: str = options["password"]
        if inhabitants < MIN_INHABITANTS:
            raise CommandError(f"--inhabitants must be at least {number(MIN_INHABITANTS)}.")
        if comparable < 0:
            raise CommandError("--comparable cannot be negative.")
        if not password:
            raise CommandError("--password cannot be empty.")

        existing = Citizen.objects.count()
        if existing and not options["force"]:
            self.stdout.write(
                f"The database already holds {number(existing)} citizens; not generating "
                "the demo again (--force generates it anew)."
            )
            self._print_logins(existing_logins(password))
            return

        try:
            specs = plan_municipalities(
                options["municipalities"] or [], inhabitants, options["seed"], comparable
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if existing:
            self.stdout.write("Removing the earlier demo data of these municipalities ...")
            try:
                clear_municipalities(spec.code for spec in specs)
            except ProtectedError as exc:
                raise CommandError(
                    "Other data refers to the demo municipalities; use a fresh database."
                ) from exc

        result = generate(specs, password=password, progress=self.stdout.write)
        for made in result.municipalities:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Generated {made.name}: {number(made.units)} units, "
                    f"{number(made.staff)} staff, {number(made.children)} children, "
                    f"{number(made.guardians)} guardians, {number(made.engagements)} "
                    f"engagements ({number(made.vulnerable)} vulnerable children) "
                    f"in {made.seconds:.1f} s"
                )
            )
        if len(result.municipalities) > 1:
            self.stdout.write(
                f"Generated {len(result.municipalities)} municipalities in {result.seconds:.1f} s"
            )
        self._print_logins(result.logins)

    def _print_logins(self, logins: list[DemoLogin]) -> None:
        if not logins:
            self.stdout.write("No demo logins in this database; run `demo --force` to make them.")
        for login in logins:
            self.stdout.write(login.line)
