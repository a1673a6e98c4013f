"""``import_organisation``: import units, staff and roles from CSV files or from OS2mo.

    helhed import_organisation --municipality 230 --units units.csv [--staff staff.csv]
    helhed import_organisation --municipality 230 --os2mo-url https://os2mo.example.dk \\
        --os2mo-client-id helhed   # secret in HELHED_OS2MO_CLIENT_SECRET

Secrets may be given in the environment (``HELHED_OS2MO_TOKEN``,
``HELHED_OS2MO_CLIENT_SECRET``) so they do not show in the process list or
the shell history. The formats and the OS2mo setup are in
``docs/import-formats.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from helhed.lib.env import env_str
from helhed.organisation.importers import ImportResult, import_csv
from helhed.organisation.importers.csv_import import parse_date
from helhed.organisation.importers.os2mo import (
    DEFAULT_GRAPHQL_PATH,
    DEFAULT_TOKEN_PATH,
    OS2moClient,
    OS2moConfig,
    OS2moError,
    OS2moMapping,
    import_os2mo,
)
from helhed.organisation.models import Municipality

# Imports shorter than this finish before progress lines would help.
PROGRESS_FROM = 200


def _date(text: str) -> dt.date:
    try:
        return parse_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text}") from exc


class Command(BaseCommand):
    help = "Import the organisation (units, staff and roles) from CSV files or from OS2mo."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--municipality", type=int, required=True, metavar="CODE", help="e.g. 230."
        )
        parser.add_argument("--units", type=Path, help="Units CSV file.")
        parser.add_argument("--staff", type=Path, help="Staff and roles CSV file.")
        parser.add_argument(
            "--on",
            type=_date,
            metavar="YYYY-MM-DD",
            help="Date of reorganisations whose rows do not carry a later valid_from.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and count, then write nothing."
        )
        mo = parser.add_argument_group("OS2mo")
        mo.add_argument("--os2mo-url", metavar="URL", help="OS2mo's base URL.")
        mo.add_argument(
            "--os2mo-graphql-path",
            default=DEFAULT_GRAPHQL_PATH,
            metavar="PATH",
            help=f"GraphQL path (default {DEFAULT_GRAPHQL_PATH}).",
        )
        mo.add_argument(
            "--os2mo-token",
            metavar="TOKEN",
            default=env_str("HELHED_OS2MO_TOKEN") or None,
            help="A bearer token (default: $HELHED_OS2MO_TOKEN).",
        )
        mo.add_argument(
            "--os2mo-client-id",
            metavar="ID",
            default=env_str("HELHED_OS2MO_CLIENT_ID") or None,
            help="Keycloak client id (default: $HELHED_OS2MO_CLIENT_ID).",
        )
        mo.add_argument(
            "--os2mo-client-secret",
            metavar="SECRET",
            default=None,
            help="Keycloak client secret (default: $HELHED_OS2MO_CLIENT_SECRET).",
        )
        mo.add_argument(
            "--os2mo-token-url",
            metavar="URL",
            help="Keycloak token URL (default: <url>" + DEFAULT_TOKEN_PATH + ").",
        )
        mo.add_argument("--os2mo-mapping", type=Path, metavar="JSON", help="Mapping file.")
        mo.add_argument("--os2mo-page-size", type=int, default=100, metavar="N")
        mo.add_argument(
            "--os2mo-no-staff", action="store_true", help="Import the units only, no people."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            municipality = Municipality.objects.get(code=options["municipality"])
        except Municipality.DoesNotExist as exc:
            raise CommandError(
                _("Unknown municipality code %(code)s.") % {"code": options["municipality"]}
            ) from exc
        from_files = options["units"] or options["staff"]
        if bool(from_files) == bool(options["os2mo_url"]):
            raise CommandError(_("Give --units and/or --staff, or --os2mo-url (one source)."))
        for name in ("units", "staff"):
            path = options[name]
            if path is not None and not path.is_file():
                raise CommandError(_("No such file: %(path)s") % {"path": path})

        if from_files:
            files = " and ".join(str(p) for p in (options["units"], options["staff"]) if p)
            self.stdout.write(
                _("Reading %(files)s for %(m)s") % {"files": files, "m": municipality}
            )
            result = import_csv(
                municipality,
                options["units"],
                options["staff"],
                on=options["on"],
                dry_run=options["dry_run"],
                progress=self._progress,
            )
        else:
            result = self._from_os2mo(municipality, options)
        self._report(result)

    def _from_os2mo(self, municipality: Municipality, options: dict[str, Any]) -> ImportResult:
        mapping = OS2moMapping()
        if options["os2mo_mapping"]:
            try:
                data = json.loads(options["os2mo_mapping"].read_text(encoding="utf-8"))
                mapping = OS2moMapping.from_json(data)
            except (OSError, ValueError, AttributeError) as exc:
                raise CommandError(
                    _("Cannot use the mapping file %(path)s: %(error)s")
                    % {"path": options["os2mo_mapping"], "error": exc}
                ) from exc
        config = OS2moConfig(
            url=options["os2mo_url"],
            graphql_path=options["os2mo_graphql_path"],
            token=options["os2mo_token"],
            client_id=options["os2mo_client_id"],
            client_secret=options["os2mo_client_secret"]
            or env_str("HELHED_OS2MO_CLIENT_SECRET")
            or None,
            token_url=options["os2mo_token_url"],
            page_size=options["os2mo_page_size"],
        )
        self.stdout.write(
            _("Fetching from OS2mo at %(url)s for %(m)s")
            % {"url": config.graphql_url, "m": municipality}
        )
        try:
            return import_os2mo(
                municipality,
                OS2moClient(config),
                mapping=mapping,
                staff=not options["os2mo_no_staff"],
                on=options["on"],
                dry_run=options["dry_run"],
                progress=self._progress,
                log=lambda line: self.stdout.write(f"  {line}"),
            )
        except OS2moError as exc:
            raise CommandError(_("%(error)s Nothing was imported.") % {"error": exc}) from exc

    def _progress(self, done: int, total: int) -> None:
        """A line per tenth of the rows on a long import: enough to see it move."""
        if total < PROGRESS_FROM:
            return
        step = max(total // 10, 1)
        if done == total or done % step == 0:
            self.stdout.write(f"  {done}/{total} ({100 * done // max(total, 1)}%)")

    def _report(self, result: ImportResult) -> None:
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(result.summary())
        self.stdout.write(self.style.SUCCESS(result.summary()))
