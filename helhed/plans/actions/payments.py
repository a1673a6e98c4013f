"""Who pays: open settlements, the settlement ledger, and agreeing a payer.

"Solve first, settle later": an effort may start before its payer is agreed.
The plan's editors propose the payer on the effort (``actions.plans``): a
paying budget of the municipality (``Effort.paying_unit``) or another
authority (``Effort.paying_authority``: another municipality or the region).
Until a leader agrees (``do_agree_payer``) the settlement is *open* and the
responsible unit fronts the cost.

The ledger's pro rata rule
--------------------------
An effort costs ``monthly_cost`` a month, that is ``monthly_cost * 12`` a
year, spread evenly over the days of the calendar year. Its cost in a period
(a year, a quarter or a month, always within one calendar year) is::

    monthly_cost * 12 / days_in_year * days_active

where ``days_in_year`` is 365 or 366 (the period's year) and ``days_active``
counts the days, both ends included, on which the effort runs (from
``starts_on`` to ``ends_on``, or on without an end) inside the period. Each
effort's amount is rounded to whole øre (half up) before it is added, so the
rows and totals of the ledger add up exactly. A whole year of an effort that
runs all year costs exactly ``monthly_cost * 12``.

Who may see and agree what is asked of ``helhed.policy`` by the views and the
API; the functions here keep the rules about the data.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from helhed.lib.exports import spreadsheet_safe
from helhed.lib.validity import today
from helhed.organisation.models import Staff, Unit
from helhed.plans.models import Effort

CENT = Decimal("0.01")
_PERIOD = re.compile(r"^(?P<year>\d{4})(?:-(?:Q(?P<quarter>[1-4])|(?P<month>0[1-9]|1[0-2])))?$")


# --------------------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    """A calendar year, quarter or month; ``end`` is the last day, included."""

    code: str
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def days_in_year(self) -> int:
        return 366 if calendar.isleap(self.start.year) else 365


def parse_period(text: str) -> Period:
    """``2026`` (a year), ``2026-Q3`` (a quarter) or ``2026-07`` (a month)."""
    match = _PERIOD.match(text.strip().upper())
    year = int(match["year"]) if match else 0
    if match is None or not 1900 <= year <= 2200:
        raise ValidationError(
            {
                "period": ValidationError(
                    _(
                        "Write the period as a year (2026), a quarter (2026-Q3) "
                        "or a month (2026-07)."
                    ),
                    code="bad_period",
                )
            }
        )
    if match["quarter"]:
        quarter = int(match["quarter"])
        first, last = 3 * quarter - 2, 3 * quarter
        code = f"{year}-Q{quarter}"
    elif match["month"]:
        first = last = int(match["month"])
        code = f"{year}-{first:02d}"
    else:
        first, last = 1, 12
        code = str(year)
    end = dt.date(year, last, calendar.monthrange(year, last)[1])
    return Period(code=code, start=dt.date(year, first, 1), end=end)


def current_quarter(on: dt.date | None = None) -> Period:
    on = on or today()
    return parse_period(f"{on.year}-Q{(on.month - 1) // 3 + 1}")


def days_active(effort: Effort, period: Period) -> int:
    """Days of ``period`` on which the effort runs, both ends included."""
    start = max(effort.starts_on, period.start)
    end = min(effort.ends_on or period.end, period.end)
    return max((end - start).days + 1, 0)


def cost_in_period(effort: Effort, period: Period) -> Decimal:
    """The effort's cost in ``period`` by the pro rata rule (see the module docstring)."""
    days = days_active(effort, period)
    if days == 0:
        return Decimal(0).quantize(CENT)
    yearly = effort.monthly_cost * 12
    return (yearly * days / period.days_in_year).quantize(CENT, rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------- open settlements


def is_open(effort: Effort) -> bool:
    return effort.payer_agreed_on is None


def proposed_payer(effort: Effort) -> str:
    """The proposed (or agreed) payer in words, or empty when none is proposed yet."""
    if effort.paying_unit is not None:
        return effort.paying_unit.name
    return effort.paying_authority


@dataclass(frozen=True)
class SettlementRow:
    """One open settlement, without anything about the citizen."""

    effort_id: int
    title: str
    responsible_unit: str
    proposed_payer: str
    external: bool
    monthly_cost: Decimal
    started_on: dt.date
    age_days: int

    @classmethod
    def of(cls, effort: Effort, on: dt.date) -> SettlementRow:
        return cls(
            effort_id=effort.pk,
            title=effort.title,
            responsible_unit=effort.responsible_unit.name,
            proposed_payer=proposed_payer(effort),
            external=effort.paying_unit_id is None and bool(effort.paying_authority),
            monthly_cost=effort.monthly_cost,
            started_on=effort.starts_on,
            age_days=(on - effort.starts_on).days,
        )


def started_open(efforts: QuerySet[Effort], on: dt.date | None = None) -> QuerySet[Effort]:
    """Efforts that have started without an agreed payer, the oldest first."""
    return (
        efforts.filter(payer_agreed_on__isnull=True, starts_on__lte=on or today())
        .select_related("responsible_unit", "paying_unit")
        .order_by("starts_on", "pk")
    )


def search_settlements(efforts: QuerySet[Effort], text: str) -> QuerySet[Effort]:
    """Search the effort's title, its responsible unit and its proposed payer."""
    text = text.strip()
    if not text:
        return efforts
    return efforts.filter(
        Q(title__icontains=text)
        | Q(responsible_unit__name__icontains=text)
        | Q(paying_unit__name__icontains=text)
        | Q(paying_authority__icontains=text)
    )


@transaction.atomic
def do_agree_payer(*, actor: Staff, effort: Effort, agreed_on: dt.date | None = None) -> Effort:
    """Record that the proposed payer agrees to pay; the settlement is then no longer open.

    Who may agree (a leader of the paying unit or above, or of the
    responsible unit for an external authority) is the policy's question.
    """
    locked = Effort.objects.select_for_update().get(pk=effort.pk)
    if locked.payer_agreed_on is not None:
        raise ValidationError(_("The payer of this effort is already agreed."), code="agreed")
    if locked.paying_unit_id is None and not locked.paying_authority:
        raise ValidationError(
            _("No payer is proposed for this effort yet: the plan's coordinator proposes one."),
            code="no_payer",
        )
    if (locked.paying_unit_id, locked.paying_authority) != (
        effort.paying_unit_id,
        effort.paying_authority,
    ):
        raise ValidationError(
            _("The proposed payer changed while you looked at it; look again."), code="changed"
        )
    agreed_on = agreed_on or today()
    if agreed_on > today():
        raise ValidationError(
            {"agreed_on": ValidationError(_("The date cannot be in the future."), code="future")}
        )
    effort.payer_agreed_on = agreed_on
    effort.payer_agreed_by = actor
    effort.save(update_fields=["payer_agreed_on", "payer_agreed_by"])
    return effort


# --------------------------------------------------------------------------- the ledger


@dataclass
class LedgerRow:
    """One paying budget (a unit, or an external authority) in a period."""

    budget: str
    unit_id: int | None
    external: bool
    efforts: int = 0
    agreed: Decimal = field(default_factory=lambda: Decimal(0).quantize(CENT))
    open: Decimal = field(default_factory=lambda: Decimal(0).quantize(CENT))

    @property
    def total(self) -> Decimal:
        return self.agreed + self.open


@dataclass
class Ledger:
    period: Period
    rows: list[LedgerRow]

    @property
    def agreed(self) -> Decimal:
        return sum((r.agreed for r in self.rows), Decimal(0).quantize(CENT))

    @property
    def open(self) -> Decimal:
        return sum((r.open for r in self.rows), Decimal(0).quantize(CENT))

    @property
    def total(self) -> Decimal:
        return self.agreed + self.open

    @property
    def efforts(self) -> int:
        return sum(r.efforts for r in self.rows)


def under_unit(efforts: QuerySet[Effort], unit: Unit) -> QuerySet[Effort]:
    """Efforts charged to ``unit`` or a unit beneath it (external ones: by responsible unit)."""
    subtree = Unit.objects.filter(municipality_id=unit.municipality_id, path__startswith=unit.path)
    return efforts.filter(
        Q(paying_unit__in=subtree) | Q(paying_unit__isnull=True, responsible_unit__in=subtree)
    )


def build_ledger(efforts: Iterable[Effort], period: Period) -> Ledger:
    """The cost of ``efforts`` in ``period`` per paying budget, agreed and still open.

    An effort is charged to its paying unit; failing that to the external
    authority named; failing that (no payer proposed yet) to its responsible
    unit, which fronts the cost: that amount is open.
    """
    rows: dict[tuple[str, int | str], LedgerRow] = {}
    for effort in efforts:
        if days_active(effort, period) == 0:
            continue
        if effort.paying_unit is not None:
            key: tuple[str, int | str] = ("unit", effort.paying_unit.pk)
            row = rows.get(key) or LedgerRow(effort.paying_unit.name, effort.paying_unit.pk, False)
        elif effort.paying_authority:
            key = ("authority", effort.paying_authority.casefold())
            row = rows.get(key) or LedgerRow(effort.paying_authority, None, True)
        else:
            key = ("unit", effort.responsible_unit.pk)
            unit = effort.responsible_unit
            row = rows.get(key) or LedgerRow(unit.name, unit.pk, False)
        rows[key] = row
        row.efforts += 1
        cost = cost_in_period(effort, period)
        if is_open(effort):
            row.open += cost
        else:
            row.agreed += cost
    ordered = sorted(rows.values(), key=lambda r: (r.external, r.budget.casefold()))
    return Ledger(period=period, rows=ordered)


def ledger_for(efforts: QuerySet[Effort], period: Period, unit: Unit | None = None) -> Ledger:
    """The ledger of ``efforts`` (already narrowed by the policy), optionally under ``unit``."""
    if unit is not None:
        efforts = under_unit(efforts, unit)
    efforts = efforts.filter(starts_on__lte=period.end).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=period.start)
    )
    return build_ledger(efforts.select_related("paying_unit", "responsible_unit"), period)


def _header() -> list[str]:
    return [
        _("Paying budget"),
        _("External authority"),
        _("Efforts"),
        _("Agreed (DKK)"),
        _("Open, fronted by the responsible unit (DKK)"),
        _("Total (DKK)"),
    ]


def _table(ledger: Ledger) -> list[list[str | int | Decimal]]:
    rows: list[list[str | int | Decimal]] = [
        # An external authority's name is typed by plan editors: never a formula.
        [
            spreadsheet_safe(r.budget),
            _("yes") if r.external else _("no"),
            r.efforts,
            r.agreed,
            r.open,
            r.total,
        ]
        for r in ledger.rows
    ]
    rows.append([_("All budgets"), "", ledger.efforts, ledger.agreed, ledger.open, ledger.total])
    return rows


def ledger_csv(ledger: Ledger) -> bytes:
    """The ledger as CSV (UTF-8 with a BOM so spreadsheets read the Danish letters)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Period"), ledger.period.code])
    writer.writerow(_header())
    for row in _table(ledger):
        writer.writerow([str(v) for v in row])
    return out.getvalue().encode("utf-8-sig")


def ledger_xlsx(ledger: Ledger) -> bytes:
    """The ledger as an Excel workbook, the amounts as numbers."""
    # Imported here: openpyxl is only needed for workbooks, and is slow to import.
    from openpyxl import Workbook  # type: ignore[import-untyped]

    book = Workbook()
    sheet = book.active
    sheet.title = ledger.period.code
    sheet.append([_("Period"), ledger.period.code])
    sheet.append(_header())
    for row in _table(ledger):
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
    for cells in sheet.iter_rows(min_row=3, min_col=4, max_col=6):
        for cell in cells:
            cell.number_format = "#,##0.00"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
