"""``helhed audit verify``: recompute the audit log's hash chain."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from helhed.audit.chain import verify


class Command(BaseCommand):
    help = "Check the audit log: `verify` recomputes the whole hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("verify", help="Recompute the hash chain and report the first broken link.")

    def handle(self, *args: Any, **options: Any) -> None:
        verdict = verify()
        if not verdict.ok:
            where = f" at entry #{verdict.broken_at}" if verdict.broken_at else ""
            raise CommandError(
                f"Audit chain BROKEN{where}: {verdict.problem}. "
                f"{verdict.entries} entries before it verified."
            )
        self.stdout.write(
            f"Audit chain intact: {verdict.entries} entries, head {verdict.head_hash}"
        )
