"""A unit's results page: its markers, two levels up and two levels down, with drill-down.

Hjørring's model: every leader sees what their own unit is measured on, what
their chief and her chief are measured on (two up), and how their units and
their units' units do (two down). Everything is an aggregate per unit; small
numbers are suppressed by ``status``. Who may open which unit is
``policy.get_unit_for_results`` (404 otherwise); which rows of the down
table are shown is ``levels.unit_results``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from helhed import policy
from helhed.lib.validity import today
from helhed.results import charts
from helhed.results.levels import MAX_DOWN_ROWS, default_period, off_target, unit_results
from helhed.results.periods import Period
from helhed.results.status import IndicatorStatus, format_value
from helhed.results.views.chain import own_units, staff_or_403

CURVE_PATH = "/results/curves/new/"


def period_from(request: HttpRequest) -> tuple[Period, str]:
    """The period asked for in ``?period=``, or the last complete quarter and why not."""
    fallback = default_period(today())
    code = request.GET.get("period", "").strip()
    if not code:
        return fallback, ""
    try:
        return Period.parse(code[:20]), ""
    except ValidationError as exc:
        message = _("%(error)s Showing %(period)s instead.") % {
            "error": " ".join(exc.messages),
            "period": fallback.label,
        }
        return fallback, message


def series_rows(status: IndicatorStatus) -> list[dict[str, Any]]:
    """The plot's numbers as the table beside it shows them, newest first."""
    return [
        {
            "label": point.period.label,
            "value": format_value(status.indicator, point.value),
            "suppressed": point.suppressed,
            "target": format_value(status.indicator, point.target),
        }
        for point in reversed(status.series)
    ]


def curve_url(status: IndicatorStatus) -> str:
    """The "turn the curve" page for an indicator of a unit (built by the curves area)."""
    query = urlencode({"indicator": status.indicator.pk, "unit": status.unit.pk})
    return f"{CURVE_PATH}?{query}"


@login_required
@require_GET
def my_units(request: HttpRequest) -> HttpResponse:
    """Open the results page of the user's own top unit."""
    staff = staff_or_403(request)
    units = own_units(staff)
    if not units:
        messages.info(request, _("You hold no role in a unit today, so there is no unit to show."))
        return redirect("results:home")
    return redirect("results:unit", unit_id=units[0].pk)


@login_required
@require_GET
def unit_page(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The unit's results: its own markers, two levels up and two down, for a period."""
    unit = policy.get_unit_for_results(request.user, unit_id)
    period, period_error = period_from(request)
    results = unit_results(request.user, unit, period)
    may_start_curve = policy.can_start_curve(request.user, unit)
    own: list[dict[str, Any]] = []
    for group in results.ambitions:
        markers = []
        for marker_group in group.markers:
            rows = []
            for status in marker_group.statuses:
                rows.append(
                    {
                        "status": status,
                        "target_source": results.target_source(status)
                        if status.target_inherited
                        else "",
                        "svg": charts.trend_svg(status),
                        "series": series_rows(status),
                        "curve_url": curve_url(status)
                        if may_start_curve and off_target(status)
                        else "",
                    }
                )
            markers.append({"marker": marker_group.marker, "rows": rows})
        own.append({"ambition": group.ambition, "markers": markers})
    up_by_indicator = [
        {
            "indicator": indicator,
            "cells": [row.statuses[index] for row in results.up],
            "own": results.own[indicator.pk],
        }
        for index, indicator in enumerate(results.indicators)
    ]
    context = {
        "unit": unit,
        "results": results,
        "period": period,
        "period_error": period_error,
        "previous_period": period.previous(),
        # Only periods that have ended: a quarter still running has no values to show.
        "next_period": period.next() if period.next().end < today() else None,
        "own": own,
        "up_by_indicator": up_by_indicator,
        "max_rows": MAX_DOWN_ROWS,
    }
    return render(request, "results/unit_detail.html", context)


urlpatterns: list[URLPattern] = [
    path("units/", my_units, name="units"),
    path("units/<int:unit_id>/", unit_page, name="unit"),
]
