from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from helhed.citizens.actions import do_rotate_cpr_keys
from helhed.citizens.models import Citizen


class Command(BaseCommand):
    help = "Re-encrypt every CPR number with the first key in HELHED_CPR_KEYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size", type=int, default=1000, help="Rows re-encrypted per transaction."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size = options["batch_size"]
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        total = Citizen.objects.count()

        def report(done: int) -> None:
            self.stdout.write(f"  {done}/{total} ({100 * done // max(total, 1)}%)")

        try:
            rotated = do_rotate_cpr_keys(batch_size=batch_size, progress=report)
        except ImproperlyConfigured as exc:
            # Batches already done stay done; rerunning with the right keys resumes.
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Re-encrypted {rotated} CPR numbers with the primary key")
        )
