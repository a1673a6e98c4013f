"""The analytics dashboard: a unit's indicators over time, and the units beneath it compared.

One card per indicator the engine computes (``definitions.DEFINITIONS``),
named as the unit's municipality names it in the results catalogue: a trend
plot of the unit's values with its target (the results app's, inherited from
above when the unit has none), and a bar plot of the units beneath it in the
latest period the unit has a value for, each bar a link to that unit's
dashboard. Every plot has a table of the same numbers beside it.

The page reads only published cells (``Cell``), already suppressed: a hidden
cell is a gap in the plot and "hidden" in the table, never a number. Which
units a user may open is ``policy.get_unit_for_analytics`` (404 otherwise).
The page runs the same dozen queries whatever the unit or the number of
units beneath it; the plots come from the cache when the numbers are the
same (``lib.charts.cached_svgs``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from helhed import policy
from helhed.analytics import charts
from helhed.analytics.definitions import DEFINITIONS, Definition
from helhed.analytics.models import Cell, ComputeRun
from helhed.analytics.views.selection import (
    DashboardFilters,
    Selection,
    catalogue,
    cells_for,
    hidden_reason,
    shown_persons,
    shown_value,
)
from helhed.lib.charts import cached_svgs
from helhed.organisation.models import Unit
from helhed.results.models import Indicator, Target
from helhed.results.periods import Frequency, Period
from helhed.results.status import TargetBook, format_value
from helhed.results.views.chain import own_units

# ---------------------------------------------------------------------------- the selection


@dataclass
class Filtered:
    """The filters as read from the query string, and the selection when they hold."""

    form: DashboardFilters
    units: list[Unit]
    selection: Selection | None = None


def _default_unit(request: HttpRequest, units: list[Unit]) -> Unit:
    """The topmost unit the user holds a role in (a leader's own unit), else the topmost seen."""
    staff = policy.staff_for(request.user)
    visible = {unit.pk: unit for unit in units}
    for own in own_units(staff) if staff is not None else []:
        if own.pk in visible:
            return visible[own.pk]
    return min(units, key=lambda unit: (unit.depth, unit.name))


def read_selection(request: HttpRequest) -> Filtered:
    """The user's visible units, the filters, and the selection (None when they do not hold)."""
    units = list(
        policy.analytics_units(request.user)
        .select_related("unit_type")
        .only("pk", "key", "name", "path", "depth", "parent_id", "municipality_id", "unit_type")
        .order_by("path")
    )
    data: QueryDict = request.GET.copy()
    if units and not data.get("unit", "").strip():
        data["unit"] = str(_default_unit(request, units).pk)
    form = DashboardFilters(data, units=units)
    if not units or not form.is_valid():
        return Filtered(form, units)
    unit = policy.get_unit_for_analytics(request.user, form.cleaned_data["unit"])
    selection = Selection(
        unit=unit,
        group=form.cleaned_data["group"],
        first=form.cleaned_data["first"],
        last=form.cleaned_data["last"],
    )
    return Filtered(form, units, selection)


def children_of(unit: Unit, units: list[Unit]) -> list[Unit]:
    """The units directly beneath ``unit`` that the user may see, by name."""
    return sorted((u for u in units if u.parent_id == unit.pk), key=lambda u: u.name.casefold())


# ---------------------------------------------------------------------------- the cards


@dataclass
class SeriesRow:
    period: Period
    value: str
    persons: int | None
    hidden: str
    target: str

    @property
    def label(self) -> str:
        """The period's label kept on one line in a narrow table column."""
        return self.period.label.replace(" ", "\u00a0")


@dataclass
class ChildRow:
    unit: Unit
    query: str
    value: str
    persons: int | None
    hidden: str
    target: str


@dataclass
class Card:
    definition: Definition
    indicator: Indicator
    rows: list[SeriesRow] = field(default_factory=list)
    trend_svg: str = ""
    compare_period: Period | None = None
    compare_rows: list[ChildRow] = field(default_factory=list)
    compare_target: str = ""
    compare_svg: str = ""

    @property
    def has_data(self) -> bool:
        """Whether any cell, shown or hidden, exists for the unit or the units beneath."""
        rows: list[SeriesRow | ChildRow] = [*self.rows, *self.compare_rows]
        return any(row.value or row.hidden for row in rows)

    @property
    def frequency_label(self) -> str:
        return str(Frequency(self.definition.frequency).label)


def _indicator(code: str, named: dict[str, Indicator]) -> Indicator:
    """The catalogue's indicator, or an unsaved stand-in when the catalogue lacks it."""
    return named.get(code) or Indicator(code=code, name=code, unit_label="", decimals=1)


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


class Targets:
    """The targets of the unit and the units beneath it (inherited from above), loaded once."""

    def __init__(self, indicators: list[Indicator], units: list[Unit]) -> None:
        self.book = TargetBook(indicators, units) if indicators else None

    def get(self, indicator: Indicator, unit: Unit, period: Period) -> Target | None:
        if self.book is None or indicator.pk is None:
            return None
        return self.book.target_for(indicator, unit, period)


def build_cards(
    selection: Selection, children: list[Unit]
) -> tuple[list[Card], dict[str, tuple[dict[str, Any], str]]]:
    """The indicator cards and the plots to draw for them (``slot: (spec, accessible name)``)."""
    unit = selection.unit
    named = catalogue(unit)
    own: dict[tuple[str, str], Cell] = {
        (cell.indicator_code, cell.period): cell for cell in cells_for([unit.key], selection)
    }
    if not own:
        return [], {}
    targets = Targets(list(named.values()), [unit, *children])
    cards = []
    compare_at: dict[str, Period] = {}
    for definition in DEFINITIONS:
        periods = selection.periods(definition.frequency)
        with_cells = [p for p in periods if (definition.code, p.code) in own]
        if periods:
            compare_at[definition.code] = (with_cells or periods)[-1]
        cards.append(Card(definition, _indicator(definition.code, named)))
    beneath: dict[tuple[str, str], dict[Any, Cell]] = defaultdict(dict)
    if children:
        wanted = {(code, p.code) for code, p in compare_at.items()}
        for cell in cells_for(
            [child.key for child in children], selection, {p.code for p in compare_at.values()}
        ):
            if (cell.indicator_code, cell.period) in wanted:
                beneath[(cell.indicator_code, cell.period)][cell.unit_key] = cell
    plots: dict[str, tuple[dict[str, Any], str]] = {}
    for card in cards:
        _fill_trend(card, selection, own, targets, plots)
        card.compare_period = compare_at.get(card.definition.code)
        if children and card.compare_period is not None:
            _fill_comparison(card, selection, children, beneath, targets, plots)
    return cards, plots


def _fill_trend(
    card: Card,
    selection: Selection,
    own: dict[tuple[str, str], Cell],
    targets: Targets,
    plots: dict[str, tuple[dict[str, Any], str]],
) -> None:
    indicator, unit = card.indicator, selection.unit
    points = []
    for period in selection.periods(card.definition.frequency):
        cell = own.get((indicator.code, period.code))
        target = targets.get(indicator, unit, period)
        value = shown_value(cell)
        points.append(
            charts.TrendPoint(period.label, _float(value), _float(target.value if target else None))
        )
        card.rows.append(
            SeriesRow(
                period=period,
                value=format_value(indicator, value) if cell is not None else "",
                persons=shown_persons(cell),
                hidden=hidden_reason(cell),
                target=format_value(indicator, target.value) if target else "",
            )
        )
    card.rows.reverse()  # newest first in the table, as on the results pages
    if any(point.value is not None for point in points):
        name = _("%(indicator)s for %(unit)s (%(group)s), per period, with the target") % {
            "indicator": indicator.name,
            "unit": unit.name,
            "group": selection.group_label,
        }
        plots[f"trend-{indicator.code}"] = (
            charts.trend_spec(points, y_title=indicator.unit_label),
            name,
        )


def _fill_comparison(
    card: Card,
    selection: Selection,
    children: list[Unit],
    beneath: dict[tuple[str, str], dict[Any, Cell]],
    targets: Targets,
    plots: dict[str, tuple[dict[str, Any], str]],
) -> None:
    indicator, period = card.indicator, card.compare_period
    assert period is not None  # noqa: S101 - the caller checks
    cells = beneath.get((indicator.code, period.code), {})
    bars = []
    for child in children:
        cell = cells.get(child.key)
        value = shown_value(cell)
        target = targets.get(indicator, child, period)
        bars.append(charts.Bar(child.name, _float(value)))
        card.compare_rows.append(
            ChildRow(
                unit=child,
                query=selection.query(child),
                value=format_value(indicator, value) if cell is not None else "",
                persons=shown_persons(cell),
                hidden=hidden_reason(cell),
                target=format_value(indicator, target.value) if target else "",
            )
        )
    own_target = targets.get(indicator, selection.unit, period)
    card.compare_target = format_value(indicator, own_target.value) if own_target else ""
    if any(bar.value is not None for bar in bars):
        name = _("%(indicator)s for the units beneath %(unit)s (%(group)s), %(period)s") % {
            "indicator": indicator.name,
            "unit": selection.unit.name,
            "group": selection.group_label,
            "period": period.label,
        }
        plots[f"compare-{indicator.code}"] = (
            charts.comparison_spec(
                bars,
                x_title=indicator.unit_label,
                target=_float(own_target.value) if own_target else None,
            ),
            name,
        )


# ---------------------------------------------------------------------------- the page


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """A unit's dashboard; bad filters are a 400 with the form's messages."""
    filtered = read_selection(request)
    selection = filtered.selection
    context: dict[str, Any] = {
        "form": filtered.form,
        "has_units": bool(filtered.units),
        "selection": selection,
        "benchmark_url": reverse("analytics:benchmark"),
        "dashboard_url": reverse("analytics:dashboard"),
    }
    if selection is None:
        status = 400 if filtered.units else 200
        return render(request, "analytics/dashboard.html", context, status=status)
    unit = selection.unit
    children = children_of(unit, filtered.units)
    cards, plots = build_cards(selection, children)
    svgs = cached_svgs(plots)
    for card in cards:
        card.trend_svg = svgs.get(f"trend-{card.indicator.code}", "")
        card.compare_svg = svgs.get(f"compare-{card.indicator.code}", "")
    context |= {
        "unit": unit,
        "cards": cards,
        "children": children,
        "ancestors": [
            {"unit": u, "query": selection.query(u)}
            for u in filtered.units
            if u.pk in set(unit.ancestor_ids())
        ],
        "computed": ComputeRun.objects.filter(finished_at__isnull=False).first(),
        "never_computed": not cards
        and not Cell.objects.filter(municipality_id=unit.municipality_id).exists(),
        "query": selection.query(),
    }
    return render(request, "analytics/dashboard.html", context)


urlpatterns: list[URLPattern] = [
    path("", dashboard, name="dashboard"),
]
