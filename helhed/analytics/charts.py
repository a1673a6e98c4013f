"""The dashboards' plots: a unit's trend against its target, and its units compared.

Each plot is a Vega-Lite spec built with Altair and drawn on the server as
inline SVG (``helhed.lib.charts.accessible_svg``). Two things keep a page
fast when fifty leaders open their dashboards at once:

* Altair builds (and validates) each *kind* of plot once per language and
  axis title (``_trend_template``, ``_comparison_template``); a request only
  puts its numbers into a copy, as the spec's named ``datasets``. Building a
  chart with Altair takes milliseconds, twenty of them would take the page's
  whole time budget.
* The SVG is cached under a hash of the spec and the accessible name
  (``helhed.lib.charts.cached_svgs``): the same numbers give the same picture, so the cache
  needs no invalidation; new numbers from ``helhed compute`` give new keys.

A hidden value is a ``None`` in the data: the line breaks there (a gap) and
the period or unit stays on its axis, so a reader sees that something is
missing rather than a line drawn straight across it.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

import altair as alt
from django.utils.translation import gettext as _

WIDTH = 420
HEIGHT = 170
BAR_WIDTH = 360
BAR_STEP = 22
VALUE_COLOUR = "#1f4e79"
TARGET_COLOUR = "#1b7f3b"
# The same numbers always draw the same picture; a day keeps memory in check.
# Break the line at a missing value and keep its period on the axis.
GAPS: Final = "break-paths-show-domains"


@dataclass(frozen=True)
class TrendPoint:
    label: str
    value: float | None
    target: float | None


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None


# --------------------------------------------------------------------------- specs


@lru_cache(maxsize=256)
def _trend_template(
    value_title: str, target_title: str, period_title: str, y_title: str, with_target: bool
) -> dict[str, Any]:
    """The trend plot without numbers: one line per series, the target dashed."""
    names = [value_title, target_title] if with_target else [value_title]
    colour = alt.Color(
        "series:N",
        scale=alt.Scale(domain=names, range=[VALUE_COLOUR, TARGET_COLOUR][: len(names)]),
        legend=alt.Legend(orient="bottom", title=None),
    )
    dash = alt.StrokeDash(
        "series:N", scale=alt.Scale(domain=names, range=[[1, 0], [6, 4]][: len(names)]), legend=None
    )
    chart = (
        alt.Chart(alt.Data(name="series"))
        .mark_line(point=True, invalid=GAPS)
        .encode(
            x=alt.X(
                "period:N",
                title=period_title,
                sort=alt.EncodingSortField("order", op="min"),
                axis=alt.Axis(labelAngle=-30),
            ),
            y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False)),
            color=colour,
            strokeDash=dash,
        )
        .properties(width=WIDTH, height=HEIGHT)
    )
    return chart.to_dict()


@lru_cache(maxsize=256)
def _comparison_template(unit_title: str, x_title: str, with_target: bool) -> dict[str, Any]:
    """The comparison plot without numbers: a bar per unit, the target as a rule."""
    bars = (
        alt.Chart(alt.Data(name="bars"))
        .mark_bar(color=VALUE_COLOUR, invalid=GAPS)
        .encode(
            y=alt.Y(
                "unit:N",
                title=unit_title,
                sort=alt.EncodingSortField("order", op="min"),
                axis=alt.Axis(labelLimit=180),
            ),
            x=alt.X("value:Q", title=x_title),
        )
    )
    layers: list[alt.Chart] = [bars]
    if with_target:
        layers.append(
            alt.Chart(alt.Data(name="target"))
            .mark_rule(color=TARGET_COLOUR, strokeDash=[6, 4], size=2)
            .encode(x=alt.X("target:Q", title=x_title))
        )
    return alt.layer(*layers).properties(width=BAR_WIDTH, height=alt.Step(BAR_STEP)).to_dict()


def trend_spec(points: Sequence[TrendPoint], *, y_title: str) -> dict[str, Any]:
    """One indicator's values for one unit, oldest first, with the target where set."""
    value_title, target_title = _("Value"), _("Target")
    with_target = any(point.target is not None for point in points)
    rows: list[dict[str, Any]] = []
    for order, point in enumerate(points):
        rows.append(
            {"period": point.label, "value": point.value, "series": value_title, "order": order}
        )
        if with_target:
            rows.append(
                {
                    "period": point.label,
                    "value": point.target,
                    "series": target_title,
                    "order": order,
                }
            )
    spec = copy.deepcopy(
        _trend_template(value_title, target_title, _("Period"), y_title, with_target)
    )
    spec["datasets"] = {"series": rows}
    return spec


def comparison_spec(
    bars: Sequence[Bar], *, x_title: str, target: float | None = None
) -> dict[str, Any]:
    """Units side by side for one period; the dashed rule is the target of the unit above."""
    spec = copy.deepcopy(_comparison_template(_("Unit"), x_title, target is not None))
    spec["datasets"] = {
        "bars": [
            {"unit": bar.label, "value": bar.value, "order": order}
            for order, bar in enumerate(bars)
        ],
        "target": [{"target": target}] if target is not None else [],
    }
    return spec


# --------------------------------------------------------------------------- drawing
