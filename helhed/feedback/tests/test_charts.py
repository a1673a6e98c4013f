"""The progress chart: what the Vega-Lite spec carries, and that it renders to SVG here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from helhed.feedback import charts, scoring
from helhed.feedback.tests.base import FeedbackTestCase


def layer_values(spec: dict[str, Any]) -> list[list[dict[str, Any]]]:
    return [layer["data"]["values"] for layer in spec["layer"]]


class ChartTests(FeedbackTestCase):
    def cors_series(self, totals: list[float]) -> scoring.Series:
        start = dt.date(2026, 1, 5)
        return scoring.series(
            [(start + dt.timedelta(days=14 * i), t) for i, t in enumerate(totals)],
            cutoff=self.cors.clinical_cutoff,
            reliable_change=self.cors.reliable_change,
        )

    def test_the_spec_has_the_band_the_cutoff_and_the_points(self) -> None:
        spec = charts.chart_spec(self.cors_series([18, 20.5, 31]), self.cors)
        values = layer_values(spec)
        assert {"lo": 12.0, "hi": 24.0} in values[0]  # 18 ± 6
        assert values[1][0]["cutoff"] == 28.0
        points = values[-1]
        assert [p["total"] for p in points] == [18.0, 20.5, 31.0]
        assert [p["range"] for p in points] == [
            "Below the cut-off",
            "Below the cut-off",
            "At or above the cut-off",
        ]
        assert spec["layer"][-1]["encoding"]["y"]["scale"]["domain"] == [0, 40]

    def test_the_band_stays_inside_the_scale(self) -> None:
        spec = charts.chart_spec(self.cors_series([38]), self.cors)
        assert {"lo": 32.0, "hi": 40} in layer_values(spec)[0]

    def test_a_scale_without_reliable_change_has_no_band(self) -> None:
        series = scoring.series([(dt.date(2026, 1, 5), 30)], cutoff=36, reliable_change=None)
        spec = charts.chart_spec(series, self.srs)
        assert all("lo" not in v[0] for v in layer_values(spec))

    def test_it_renders_labelled_svg(self) -> None:
        svg = charts.render_svg(self.cors_series([18, 22]), self.cors)
        assert svg.startswith('<svg role="img" aria-label="Chart of the totals on Child Outcome')
        assert "Cut-off 28.0" in svg
