"""``helhed bench``: the analytics engine against pandas and the Django ORM, on generated data.

Generates (or reuses) a store of the chosen size under ``var/bench/``,
times the engine and the two baselines, checks that all three give the same
cells and ends with one line of times and ratios, e.g.::

    aarhus: engine 0.62 s, pandas 4.10 s, orm 31.0 s, vs pandas 6.6x, vs orm 50x

A mismatch prints the first differing cells and exits non-zero.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from helhed.analytics.bench.run import SIZES, BenchError, bench
from helhed.analytics.models import BenchObservation
from helhed.analytics.progress import ProgressLine


class Command(BaseCommand):
    help = "Time the analytics engine against pandas and the Django ORM on generated data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--size",
            choices=SIZES,
            default="aarhus",
            help="aarhus: 360,000 inhabitants, about 5 million observations; national: 98 "
            "municipalities, about 82 million; tiny: 400 inhabitants, for tests.",
        )
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same data.")
        parser.add_argument("--skip-pandas", action="store_true", help="Do not run pandas.")
        parser.add_argument("--skip-orm", action="store_true", help="Do not run the ORM.")
        parser.add_argument(
            "--regenerate", action="store_true", help="Generate the store even if it exists."
        )
        parser.add_argument("--runs", type=int, default=3, help="Engine runs; the best counts.")
        parser.add_argument(
            "--store-dir",
            type=Path,
            default=None,
            help="Where the generated stores are kept (default: var/bench).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["runs"] < 1:
            raise CommandError("--runs must be at least 1.")
        if not options["skip_orm"] and (
            BenchObservation._meta.db_table not in connection.introspection.table_names()
        ):
            # A fresh clone: the ORM baseline's table comes with the migrations.
            call_command("migrate", interactive=False, verbosity=0)
        directory = options["store_dir"] or Path(settings.VAR_DIR) / "bench"
        try:
            summary = bench(
                options["size"],
                directory,
                ProgressLine(self.stdout),
                seed=options["seed"],
                runs=options["runs"],
                skip_pandas=options["skip_pandas"],
                skip_orm=options["skip_orm"],
                regenerate=options["regenerate"],
            )
        except BenchError as exc:
            raise CommandError(str(exc)) from exc
        if summary.cold_line():
            self.stdout.write(summary.cold_line())
        self.stdout.write(summary.line())
