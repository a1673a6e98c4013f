"""The benchmark page: the municipality beside comparable municipalities, and its schools.

One indicator and one period at a time (only periods with published cells
are offered). The numbers come from ``benchmarking``; hidden values stay
hidden there and here. Who sees which section is asked of the access rules
in ``benchmarking`` (stand-ins for ``policy``): anyone with analytics units
opens the page, leaders, analysts and politicians see the municipality
comparison, and whoever may see the school area sees the schools ranking.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import altair as alt
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from helhed import policy
from helhed.analytics import benchmarking
from helhed.analytics.benchmarking import IndicatorInfo, Row
from helhed.analytics.definitions import DEFINITIONS
from helhed.lib.charts import cached_svg
from helhed.organisation.models import Municipality
from helhed.results.catalogue import catalogue_entries
from helhed.results.periods import Period

CHART_WIDTH = 420
BAR_HEIGHT = 24
COLOURS = {
    benchmarking.MUNICIPALITY: "#1f4e79",
    benchmarking.COMPARABLE: "#8fa9c4",
    benchmarking.GROUP: "#1b7f3b",
    benchmarking.NATIONAL: "#a15c00",
    benchmarking.SCHOOL: "#1f4e79",
}


def kind_label(kind: str) -> str:
    return {
        benchmarking.MUNICIPALITY: _("Your municipality"),
        benchmarking.COMPARABLE: _("Comparable municipality"),
        benchmarking.GROUP: _("Comparable group as a whole"),
        benchmarking.NATIONAL: _("All municipalities in the data"),
        benchmarking.SCHOOL: _("School"),
    }[kind]


def format_number(value: Decimal | None, decimals: int) -> str:
    """The value rounded half up to the indicator's decimals, in the locale; a dash for none."""
    if value is None:
        return "–"
    rounded = value.quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    return number_format(rounded, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def axis_label(row: Row) -> str:
    """The row's name on the chart's axis, saying why a row has no bar."""
    if row.hidden:
        return _("%(name)s (hidden)") % {"name": row.label}
    if row.value is None:
        return _("%(name)s (no data)") % {"name": row.label}
    return row.label


def bar_svg(rows: list[Row], info: IndicatorInfo, name: str) -> str:
    """A horizontal bar per row in the given order; empty when no row has a value."""
    if not any(row.value is not None for row in rows):
        return ""
    order = [axis_label(row) for row in rows]
    kinds = [kind for kind in COLOURS if any(row.kind == kind for row in rows)]
    data = [
        {"label": axis_label(row), "value": float(row.value), "kind": kind_label(row.kind)}
        for row in rows
        if row.value is not None
    ]
    chart = (
        alt.Chart(alt.Data(values=data))
        .mark_bar()
        .encode(
            y=alt.Y("label:N", title=None, sort=order, scale=alt.Scale(domain=order)),
            x=alt.X("value:Q", title=info.unit_label or _("Value")),
            color=alt.Color(
                "kind:N",
                scale=alt.Scale(
                    domain=[kind_label(kind) for kind in kinds],
                    range=[COLOURS[kind] for kind in kinds],
                ),
                legend=alt.Legend(orient="bottom", title=None) if len(kinds) > 1 else None,
            ),
        )
        .properties(width=CHART_WIDTH, height=BAR_HEIGHT * len(order))
    )
    return cached_svg(chart.to_dict(), name)


def table_rows(rows: list[Row], info: IndicatorInfo) -> list[dict[str, Any]]:
    return [
        {
            "row": row,
            "value": format_number(row.value, info.decimals),
            "kind": kind_label(row.kind),
        }
        for row in rows
    ]


def indicator_choices(request: HttpRequest) -> list[tuple[str, str]]:
    """The engine's indicators, named as the user's catalogue names them."""
    names = {entry["code"]: str(entry["name"]) for entry in catalogue_entries()}
    names.update(
        policy.visible_indicators(request.user)
        .filter(code__in=[d.code for d in DEFINITIONS])
        .values_list("code", "name")
    )
    return [(d.code, names.get(d.code, d.code)) for d in DEFINITIONS]


def chosen(request: HttpRequest, codes: list[str]) -> tuple[str, list[str]]:
    """The indicator and period asked for, or the defaults and what was wrong."""
    errors: list[str] = []
    code = request.GET.get("indicator", "").strip()[:60]
    if code not in codes:
        if code:
            errors.append(_("There is no indicator “%(code)s” to compare.") % {"code": code})
        # The first indicator with computed values, so the default page has something.
        code = next(
            (candidate for candidate in codes if benchmarking.periods_with_cells(candidate)),
            codes[0],
        )
    return code, errors


def chosen_period(request: HttpRequest, periods: list[str]) -> tuple[str, list[str]]:
    text = request.GET.get("period", "").strip()[:20]
    fallback = periods[0] if periods else ""
    if not text:
        return fallback, []
    try:
        code = Period.parse(text).code
    except ValidationError as exc:
        return fallback, [" ".join(exc.messages)]
    if code not in periods:
        return fallback, [_("There are no computed values for %(period)s.") % {"period": code}]
    return code, []


def municipality_section(code: str, period: str, municipality: Municipality) -> dict[str, Any]:
    bench = benchmarking.compare(code, period, municipality)
    rows = [*bench.rows, bench.group, bench.national]
    name = _("%(indicator)s, %(period)s: %(municipality)s beside comparable municipalities") % {
        "indicator": bench.indicator.name,
        "period": Period.parse(period).label,
        "municipality": municipality.name,
    }
    return {
        "bench": bench,
        "own": bench.own,
        "unranked": len(bench.rows) - bench.ranked,
        "rows": table_rows(rows, bench.indicator),
        "svg": bar_svg(rows, bench.indicator, name),
        "name": name,
    }


def schools_section(code: str, period: str, municipality: Municipality) -> dict[str, Any]:
    ranking = benchmarking.schools(code, period, municipality)
    name = _("%(indicator)s, %(period)s: the schools of %(municipality)s") % {
        "indicator": ranking.indicator.name,
        "period": Period.parse(period).label,
        "municipality": municipality.name,
    }
    return {
        "ranking": ranking,
        "rows": table_rows(ranking.rows, ranking.indicator),
        "svg": bar_svg(ranking.rows, ranking.indicator, name),
        "name": name,
    }


@login_required
@require_GET
def benchmark(request: HttpRequest) -> HttpResponse:
    """Compare the user's municipality and its schools on one indicator in one period."""
    staff = policy.staff_for(request.user)
    if staff is None or not policy.analytics_units(request.user).exists():
        raise Http404("No analytics to show")
    municipality = staff.municipality
    choices = indicator_choices(request)
    code, errors = chosen(request, [c for c, _name in choices])
    periods = benchmarking.periods_with_cells(code)
    period, period_errors = chosen_period(request, periods)
    may_compare = policy.may_compare_municipality(request.user)
    may_rank_schools = policy.may_rank_schools(request.user, municipality)
    context: dict[str, Any] = {
        "municipality": municipality,
        "choices": choices,
        "indicator_code": code,
        "periods": [(p, Period.parse(p).label) for p in periods],
        "period": period,
        "errors": errors + period_errors,
        "may_compare": may_compare,
        "may_rank_schools": may_rank_schools,
        "municipality_section": None,
        "schools_section": None,
    }
    if period:
        context["period_label"] = Period.parse(period).label
        if may_compare:
            context["municipality_section"] = municipality_section(code, period, municipality)
        if may_rank_schools:
            context["schools_section"] = schools_section(code, period, municipality)
    return render(request, "analytics/benchmark.html", context)


urlpatterns: list[URLPattern] = [
    path("benchmark/", benchmark, name="benchmark"),
]
