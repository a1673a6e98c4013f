"""``compute_indicators``: compute the indicators that have a computed source, and store them.

    helhed manage compute_indicators --municipality 230 [--indicator CODE] \\
        [--since 2024-Q1] [--until 2026-Q3]

Without ``--since``/``--until`` each indicator gets its last 8 complete
periods; every unit of the municipality that is active today is computed
(each for its registration in the period). Running it again replaces the
values (``actions.measurements.do_compute`` is idempotent). A counter on
stderr shows the progress, a line on stdout sums up.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from helhed.lib.validity import today
from helhed.organisation.models import Municipality, Unit
from helhed.results.actions.measurements import (
    Stored,
    computed_indicators,
    default_periods,
    do_compute,
    periods_between,
)
from helhed.results.periods import Period


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except ValidationError as exc:
        raise CommandError(" ".join(exc.messages)) from exc


class Command(BaseCommand):
    help = "Compute the indicators with a computed source for every active unit, and store them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--municipality", type=int, required=True, metavar="CODE")
        parser.add_argument("--indicator", metavar="CODE", help="Only this indicator.")
        parser.add_argument("--since", metavar="PERIOD", help="From this period (2024-Q1).")
        parser.add_argument("--until", metavar="PERIOD", help="To this period (2026-Q3).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            municipality = Municipality.objects.get(code=options["municipality"])
        except Municipality.DoesNotExist as exc:
            raise CommandError(
                _("Unknown municipality code %(code)s.") % {"code": options["municipality"]}
            ) from exc
        since = _period(options["since"]) if options["since"] else None
        until = _period(options["until"]) if options["until"] else None
        if since and until and since.start > until.end:
            raise CommandError(_("--since comes after --until."))
        indicators = computed_indicators(municipality, options["indicator"])
        if not indicators:
            raise CommandError(
                _("No active computed indicator %(code)s in the municipality's catalogue.")
                % {"code": options["indicator"] or ""}
            )
        units = list(Unit.objects.filter(municipality=municipality).valid_on(today()))
        plan = []
        for indicator in indicators:
            periods = default_periods(indicator)
            if since or until:
                periods = periods_between(indicator, since or periods[0], until or periods[-1])
            plan.append((indicator, periods))
        steps = sum(len(periods) for _indicator, periods in plan)
        total, done = Stored(), 0
        for indicator, periods in plan:
            for period in periods:
                try:
                    total.add(do_compute(indicator, units, [period]))
                except ValidationError as exc:
                    raise CommandError(
                        f"{indicator.code} {period.code}: {' '.join(exc.messages)}"
                    ) from exc
                done += 1
                self.stderr.write(f"\r{done}/{steps} {indicator.code} {period.code}", ending="")
        self.stderr.write("")
        units_text = ngettext("%(count)d unit", "%(count)d units", len(units)) % {
            "count": len(units)
        }
        created_text = ngettext(
            "%(count)d value added", "%(count)d values added", total.created
        ) % {"count": total.created}
        summary = ngettext(
            # Translators: %(units)s is "4 units" and %(created)s "6 values added".
            "Computed %(indicators)d indicator for %(units)s: %(created)s, %(updated)d updated.",
            "Computed %(indicators)d indicators for %(units)s: %(created)s, %(updated)d updated.",
            len(indicators),
        )
        self.stdout.write(
            summary
            % {
                "indicators": len(indicators),
                "units": units_text,
                "created": created_text,
                "updated": total.updated,
            }
        )
