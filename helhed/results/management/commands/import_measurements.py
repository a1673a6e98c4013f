"""``import_measurements``: import indicator values from a CSV or .xlsx file, all rows or none.

    helhed manage import_measurements --municipality 230 values.csv [--dry-run]

The same checks as the import page (``actions.measurements.do_import_measurements``);
run from the command line, the file may hold values for any unit of the
municipality. Row errors are printed one a line; the exit code is 1 when the
file has any, and then nothing is saved.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from helhed.organisation.models import Municipality
from helhed.results.actions.measurements import do_import_measurements


class Command(BaseCommand):
    help = "Import indicator values from a CSV or Excel (.xlsx) file; nothing is saved on errors."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--municipality", type=int, required=True, metavar="CODE")
        parser.add_argument("file", type=Path, help="A .csv or .xlsx file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every row, then save nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            municipality = Municipality.objects.get(code=options["municipality"])
        except Municipality.DoesNotExist as exc:
            raise CommandError(
                _("Unknown municipality code %(code)s.") % {"code": options["municipality"]}
            ) from exc
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        try:
            result = do_import_measurements(
                actor=None,
                municipality=municipality,
                filename=path.name,
                content=path.read_bytes(),
                may_record=lambda unit: True,
                dry_run=options["dry_run"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        for error in result.errors:
            self.stderr.write(
                _("row %(row)s, %(column)s: %(message)s (given: “%(value)s”)")
                % {
                    "row": error.row,
                    "column": error.column or _("row"),
                    "message": error.message,
                    "value": error.value,
                }
            )
        if result.errors:
            rows = ngettext("%(count)d row", "%(count)d rows", result.rows) % {"count": result.rows}
            message = ngettext(
                # Translators: %(rows)s is "3 rows", translated on its own.
                "%(errors)d error in %(rows)s; nothing was imported.",
                "%(errors)d errors in %(rows)s; nothing was imported.",
                len(result.errors),
            )
            raise CommandError(message % {"errors": len(result.errors), "rows": rows}, returncode=1)
        if result.dry_run:
            summary = ngettext(
                "%(rows)d row is fine: %(created)d would be added, %(updated)d replaced.",
                "%(rows)d rows are fine: %(created)d would be added, %(updated)d replaced.",
                result.rows,
            )
        else:
            summary = ngettext(
                "Imported %(rows)d row: %(created)d added, %(updated)d replaced.",
                "Imported %(rows)d rows: %(created)d added, %(updated)d replaced.",
                result.rows,
            )
        self.stdout.write(
            summary % {"rows": result.rows, "created": result.created, "updated": result.updated}
        )
