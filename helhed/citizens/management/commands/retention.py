"""``helhed retention``: erase or anonymise what has passed its retention period.

It lives in the citizens app, the lowest app that holds personal data; the
rules themselves come from every app through ``helhed.lib.retention``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from helhed.lib import retention
from helhed.lib.validity import today


class Command(BaseCommand):
    help = (
        "Count (default) or, with --apply, erase and anonymise the records past their "
        "retention period; --rules prints the rules."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--apply",
            action="store_true",
            help="Erase and anonymise (one transaction per rule); without it nothing changes.",
        )
        parser.add_argument(
            "--today",
            metavar="YYYY-MM-DD",
            help="Evaluate as of this day (for planning; --apply takes today or earlier).",
        )
        parser.add_argument(
            "--rules", action="store_true", help="Print the rules as a Markdown table and stop."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        on = self._day(options["today"])
        try:
            if options["rules"]:
                self._print_rules(on)
                return
            self._run(on, apply=options["apply"])
        except (ImproperlyConfigured, ValueError) as exc:
            raise CommandError(str(exc)) from exc

    def _day(self, raw: str | None) -> dt.date:
        if raw is None:
            return today()
        try:
            return dt.date.fromisoformat(raw)
        except ValueError as exc:
            raise CommandError(f"--today must be a date as YYYY-MM-DD; got {raw!r}") from exc

    def _run(self, on: dt.date, *, apply: bool) -> None:
        mode = "erasing" if apply else "dry run, nothing is changed (--apply erases)"
        self.stdout.write(f"Retention as of {on.isoformat()}: {mode}")
        width = max(len(rule.code) for rule in retention.rules())

        def progress(outcome: retention.Outcome) -> None:
            rule = outcome.rule
            verb = "anonymise" if rule.action.kind == "anonymise" else "delete"
            if outcome.error:
                self.stderr.write(f"  {rule.code:<{width}}  FAILED, rolled back: {outcome.error}")
                return
            if apply:
                done = f"{verb}d {outcome.done}"
                if rule.action.log_each is False and outcome.done:
                    done += " (one audit entry)"
            else:
                done = f"would {verb} {outcome.erasable}"
            self.stdout.write(
                f"  {rule.code:<{width}}  {done}, kept by law {outcome.kept}  "
                f"({rule.label}; {outcome.period} after {rule.since}, "
                f"before {outcome.when.cutoff.isoformat()})"
            )

        outcomes = retention.run(on, apply=apply, progress=progress)
        deleted = sum(
            o.done if apply else o.erasable for o in outcomes if o.rule.action.kind == "delete"
        )
        anonymised = sum(
            o.done if apply else o.erasable for o in outcomes if o.rule.action.kind == "anonymise"
        )
        kept = sum(o.kept for o in outcomes)
        failed = [o.rule.code for o in outcomes if o.error]
        if apply:
            entries = sum(o.entries for o in outcomes)
            summary = (
                f"Deleted {deleted}, anonymised {anonymised}, kept by law {kept}; "
                f"{entries} audit entries written."
            )
        else:
            summary = (
                f"Dry run: {deleted} would be deleted, {anonymised} anonymised, {kept} kept by law."
            )
        self.stdout.write(summary)
        if failed:
            raise CommandError(f"Rolled back after an error: {', '.join(failed)}")

    def _print_rules(self, on: dt.date) -> None:
        self.stdout.write("| code | records | period | counts from | action | kept when |")
        self.stdout.write("| --- | --- | --- | --- | --- | --- |")
        for rule in retention.rules():
            period = str(retention.period_of(rule, on))
            if rule.period is None and rule.code not in retention.overrides():
                period += " (the longest of the rules)"
            self.stdout.write(
                f"| `{rule.code}` | {rule.label} | {period} | {rule.since} | "
                f"{rule.action.kind} | {rule.kept_when or '–'} |"
            )
        for part in retention.PARTS:
            self.stdout.write(
                f"| ↳ `{part.model._meta.label_lower}` | {part.note} | with `{part.of}` | | | |"
            )
        self.stdout.write("")
        for rule in retention.rules():
            if rule.legal_note:
                self.stdout.write(f"- `{rule.code}`: {rule.legal_note}")
