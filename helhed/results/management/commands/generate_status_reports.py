"""Make the due draft status reports: run daily (cron) so every committee gets its report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from helhed.lib.validity import today
from helhed.results.actions.reports import do_generate_reports


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"{text!r} is not a date; write YYYY-MM-DD.") from exc


class Command(BaseCommand):
    help = "Make each active committee's draft status report for its last complete period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            help="Act as if today were this date (YYYY-MM-DD); default: today.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        on = _date(options["date"]) if options.get("date") else today()
        made = do_generate_reports(on)
        for report in made:
            self.stdout.write(
                f"{report.committee.municipality.name}: {report.committee.name} "
                f"{report.period} (due {report.due_on.isoformat()})"
            )
        self.stdout.write(
            self.style.SUCCESS(f"{len(made)} report(s) made for periods ending before {on}.")
        )
