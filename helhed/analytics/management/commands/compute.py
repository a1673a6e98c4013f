"""``helhed compute``: load new observations, compute the indicators, publish them.

Incremental by default: only the years with observations loaded since the
last run are computed again (``--full`` recomputes everything). Files named
with ``--load`` are checked and added first, each as one batch; a refused
file stops the command before anything is computed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from helhed.analytics import store
from helhed.analytics.actions import compute_and_publish, units_from_organisation
from helhed.analytics.operational import observations_since
from helhed.analytics.progress import ProgressLine


class Command(BaseCommand):
    help = "Compute the analytics indicators for the periods with new observations."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--store", type=Path, default=None, help="The DuckDB store file.")
        parser.add_argument(
            "--load", type=Path, nargs="*", default=[], help="CSV or Parquet files to add first."
        )
        parser.add_argument("--full", action="store_true", help="Recompute every period.")
        parser.add_argument(
            "--from-database",
            action="store_true",
            help="Add the notifications registered in Helhed (pseudonymised) first.",
        )
        parser.add_argument(
            "--since",
            type=dt.date.fromisoformat,
            default=None,
            help="With --from-database: only those received on or after this day (YYYY-MM-DD).",
        )
        parser.add_argument(
            "--refresh-units",
            action="store_true",
            help="Replace the store's unit tree with today's organisation first.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["store"] or settings.ANALYTICS_STORE
        progress = ProgressLine(self.stdout)
        connection = store.open_store(path)
        try:
            if (
                options["refresh_units"]
                or not connection.execute("SELECT COUNT(*) FROM units").fetchone()[0]
            ):
                count = store.replace_units(connection, units_from_organisation())
                progress(f"unit tree: {count} units from the organisation")
            for file in options["load"]:
                try:
                    rows = store.load_file(connection, file)
                except store.StoreError as exc:
                    raise CommandError(f"{file}: {exc}") from exc
                progress(f"loaded {rows:,} observations from {file.name}")
            if options["from_database"]:
                try:
                    rows = store.load_rows(
                        connection, observations_since(options["since"]), "Helhed: notifications"
                    )
                except store.StoreError as exc:
                    raise CommandError(f"Helhed's notifications: {exc}") from exc
                progress(f"loaded {rows:,} notifications from Helhed's database")
            published = compute_and_publish(connection, full=options["full"], progress=progress)
        finally:
            connection.close()
        if not published.periods:
            self.stdout.write("Nothing new to compute.")
            return
        self.stdout.write(
            f"Computed {len(published.periods)} periods ({published.periods[0]} to "
            f"{published.periods[-1]}): {published.cells:,} cells, {published.suppressed:,} "
            f"suppressed, {published.measurements:,} measurements in {published.seconds:.1f} s."
        )
