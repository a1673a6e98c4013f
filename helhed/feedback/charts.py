"""Progress charts: Vega-Lite specs built with Altair, rendered to SVG on the server.

Server-side SVG needs no JavaScript in the browser, prints, and can go into a
PDF later. Each chart shows one series (a citizen on one scale): the total
per date, a rule at the clinical cut-off, a shaded band of plus or minus the
reliable change around the first total (movement inside it is noise), and
points coloured by whether they lie below the cut-off. The page puts a table
of the same numbers beside every chart; the chart carries only numbers and
fixed labels, never names or free text.
"""

from __future__ import annotations

import html
from typing import Any

import altair as alt
import vl_convert
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from helhed.feedback.models import Scale
from helhed.feedback.scoring import Series

WIDTH = 420
HEIGHT = 200
BELOW_COLOUR = "#b3261e"
ABOVE_COLOUR = "#1b7f3b"
BAND_COLOUR = "#7a8ca3"


def chart_spec(series: Series, scale: Scale) -> dict[str, Any]:
    """The Vega-Lite spec of one series."""
    low = scale.item_min * len(scale.item_list)
    high = scale.total_max
    below = _("Below the cut-off")
    above = _("At or above the cut-off")
    date_title = _("Date")
    total_title = _("Total")
    rows = [
        {
            "date": point.rated_on.isoformat(),
            "total": float(point.total),
            "range": below if point.clinical else above,
        }
        for point in series.points
    ]
    y_scale = alt.Scale(domain=[low, high], nice=False)
    x = alt.X(
        "date:T",
        title=date_title,
        # Padding keeps the first and last points whole inside the plot.
        scale=alt.Scale(padding=12),
        axis=alt.Axis(format="%d.%m.%y", labelAngle=-30),
    )
    y = alt.Y("total:Q", title=total_title, scale=y_scale)
    layers: list[alt.Chart] = []

    band = series.band
    if band is not None:
        band_rows = [{"lo": max(float(band[0]), low), "hi": min(float(band[1]), high)}]
        layers.append(
            alt.Chart(alt.Data(values=band_rows))
            .mark_rect(color=BAND_COLOUR, opacity=0.15)
            .encode(y=alt.Y("lo:Q", scale=y_scale, title=total_title), y2="hi:Q")
        )
    if series.cutoff is not None:
        label = _("Cut-off %(value)s") % {"value": number_format(series.cutoff)}
        cutoff_rows = [{"cutoff": float(series.cutoff), "label": label}]
        cutoff = alt.Chart(alt.Data(values=cutoff_rows))
        layers.append(
            cutoff.mark_rule(color=BELOW_COLOUR, strokeDash=[5, 4]).encode(
                y=alt.Y("cutoff:Q", scale=y_scale)
            )
        )
        layers.append(
            cutoff.mark_text(align="left", baseline="bottom", dy=-2, color=BELOW_COLOUR).encode(
                x=alt.value(4), y=alt.Y("cutoff:Q", scale=y_scale), text="label:N"
            )
        )

    points = alt.Chart(alt.Data(values=rows))
    layers.append(points.mark_line(color="#444").encode(x=x, y=y))
    colour: Any
    if series.cutoff is not None:
        colour = alt.Color(
            "range:N",
            title=None,
            scale=alt.Scale(domain=[below, above], range=[BELOW_COLOUR, ABOVE_COLOUR]),
            legend=alt.Legend(orient="bottom"),
        )
    else:
        colour = alt.value("#444")
    layers.append(points.mark_point(filled=True, size=70, opacity=1).encode(x=x, y=y, color=colour))

    chart = alt.layer(*layers).properties(
        width=WIDTH,
        height=HEIGHT,
        description=_("Totals on %(scale)s by date. The table beside the chart has the numbers.")
        % {"scale": scale.display_name},
    )
    return chart.to_dict()


def render_svg(series: Series, scale: Scale) -> str:
    """The chart of one series as an SVG document (no external requests are allowed)."""
    danish = (get_language() or "da").startswith("da")
    svg: str = vl_convert.vegalite_to_svg(
        chart_spec(series, scale),
        allowed_base_urls=[],
        format_locale="da-DK" if danish else "en-GB",
        time_format_locale="da-DK" if danish else "en-GB",
    )
    # Label the picture for screen readers; the table beside it carries the detail.
    label = html.escape(
        _("Chart of the totals on %(scale)s over time") % {"scale": scale.display_name},
        quote=True,
    )
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)
