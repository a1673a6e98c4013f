"""Trend plots of an indicator for a unit: values per period, the target, and a forecast.

Built with Altair as Vega-Lite and rendered on the server by vl-convert: as
inline SVG for pages (no JavaScript, prints cleanly) and as PNG for the PDF
status report. The plot carries only numbers and fixed labels; every page
puts a table of the same numbers beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import altair as alt
import vl_convert
from django.utils.translation import gettext as _

from helhed.lib.charts import cached_svg
from helhed.results.periods import Period
from helhed.results.status import IndicatorStatus, Point

WIDTH = 420
HEIGHT = 170
VALUE_COLOUR = "#1f4e79"
TARGET_COLOUR = "#1b7f3b"
FORECAST_COLOUR = "#b3261e"


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def trend_spec(
    status: IndicatorStatus,
    *,
    forecast: Sequence[tuple[Period, Decimal]] = (),
    width: int = WIDTH,
    height: int = HEIGHT,
) -> dict[str, Any]:
    """The Vega-Lite spec of one indicator's series for one unit."""
    value_title = _("Value")
    target_title = _("Target")
    forecast_title = _("Forecast if nothing changes")
    series_title = _("Series")
    period_title = _("Period")
    rows: list[dict[str, Any]] = []
    order = [point.period.label for point in status.series]
    for point in status.series:
        if point.value is not None:
            rows.append(
                {"period": point.period.label, "value": _float(point.value), "series": value_title}
            )
        if point.target is not None:
            rows.append(
                {
                    "period": point.period.label,
                    "value": _float(point.target),
                    "series": target_title,
                }
            )
    if forecast:
        last = _last_shown(status.series)
        if last is not None:
            rows.append(
                {"period": last.period.label, "value": _float(last.value), "series": forecast_title}
            )
        for period, value in forecast:
            order.append(period.label)
            rows.append({"period": period.label, "value": _float(value), "series": forecast_title})
    order = list(dict.fromkeys(order))
    # Only the series that are drawn get a legend entry.
    styles = [
        (value_title, VALUE_COLOUR, [1, 0]),
        (target_title, TARGET_COLOUR, [6, 4]),
        (forecast_title, FORECAST_COLOUR, [2, 3]),
    ]
    drawn = {row["series"] for row in rows}
    styles = [style for style in styles if style[0] in drawn]
    colour = alt.Color(
        "series:N",
        title=series_title,
        scale=alt.Scale(
            domain=[name for name, _c, _d in styles], range=[c for _n, c, _d in styles]
        ),
        legend=alt.Legend(orient="bottom", title=None),
    )
    dash = alt.StrokeDash(
        "series:N",
        scale=alt.Scale(
            domain=[name for name, _c, _d in styles], range=[d for _n, _c, d in styles]
        ),
        legend=None,
    )
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_line(point=True)
        .encode(
            x=alt.X("period:N", title=period_title, sort=order, axis=alt.Axis(labelAngle=-30)),
            y=alt.Y(
                "value:Q",
                title=f"{status.indicator.unit_label}",
                scale=alt.Scale(zero=False),
            ),
            color=colour,
            strokeDash=dash,
        )
        .properties(width=width, height=height)
    )
    return chart.to_dict()


def _last_shown(series: Sequence[Point]) -> Point | None:
    for point in reversed(series):
        if point.value is not None:
            return point
    return None


def trend_svg(status: IndicatorStatus, **options: Any) -> str:
    """The plot as inline SVG with an accessible title; empty when there is nothing to plot."""
    if not any(point.value is not None for point in status.series):
        return ""
    name = _("Trend of %(indicator)s for %(unit)s") % {
        "indicator": status.indicator.name,
        "unit": status.unit.name,
    }
    # Aggregates with small numbers already hidden: safe to keep drawn.
    return cached_svg(trend_spec(status, **options), name)


def trend_png(status: IndicatorStatus, **options: Any) -> bytes | None:
    """The plot as PNG (for the PDF); None when there is nothing to plot."""
    if not any(point.value is not None for point in status.series):
        return None
    return bytes(vl_convert.vegalite_to_png(trend_spec(status, **options), scale=2))
