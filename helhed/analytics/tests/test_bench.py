"""``helhed bench``: the engine and both baselines agree, and the last line has its form (issue 7).

The speed targets are measured by ``make bench``, never tested. Tested here:
the code path on the tiny size (a few hundred inhabitants, every kind), the
baselines against numbers worked out by hand on a 17-row store, the
generator's row counts that follow from its design, and that a baseline
differing by one cell is caught and named.
"""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import call_command

from helhed.analytics import engine
from helhed.analytics.bench import generate, orm_baseline, pandas_baseline
from helhed.analytics.bench.run import Mismatch, Summary, check
from helhed.analytics.kinds import KINDS
from helhed.analytics.tests.conftest import StoreBuilder

LAST_LINE = re.compile(
    r"^tiny: engine \d+\.\d\d s, pandas \d+\.\d\d s, orm \d+\.\d s, "
    r"vs pandas \d+\.\dx, vs orm \d+x$"
)


def value(cells: pd.DataFrame, indicator: str, unit: int, period: int, grp: str) -> object:
    row = cells[
        (cells["indicator"] == indicator)
        & (cells["unit_id"] == unit)
        & (cells["period"] == period)
        & (cells["grp"] == grp)
    ]
    assert len(row) == 1, f"{indicator} {unit} {period} {grp}: {len(row)} cells"
    return row["value_milli"].iloc[0]


def test_the_summary_line_has_the_issues_form() -> None:
    line = Summary("aarhus", 0.62, 4.10, 31.0).line()
    assert line == "aarhus: engine 0.62 s, pandas 4.10 s, orm 31.0 s, vs pandas 6.6x, vs orm 50x"
    assert Summary("national", 12.3456).line() == "national: engine 12.35 s"


@pytest.mark.django_db
def test_baselines_give_the_numbers_worked_out_by_hand(builder: StoreBuilder) -> None:
    root = builder.unit(1)
    north = builder.unit(2, root, "school")
    south = builder.unit(3, root, "school")
    anna, bo, cleo = builder.person(2012, "F"), builder.person(2012, "M"), builder.person(2010, "F")
    builder.observe(anna, north, "2023-01-02", "enrolment", 50)
    builder.observe(anna, north, "2023-02-06", "absence_day", 1, times=6)  # 12 % absent
    builder.observe(bo, north, "2023-01-02", "enrolment", 50)
    builder.observe(bo, north, "2023-02-07", "absence_day", 0.5, times=2)  # 2 %
    builder.observe(cleo, south, "2023-01-02", "enrolment", 40)
    builder.observe(anna, north, "2023-03-01", "wellbeing_pupil", 4)
    builder.observe(bo, north, "2023-03-01", "wellbeing_pupil", 3.5)
    dan = builder.person(2015, "M")
    builder.observe(dan, south, "2023-01-01", "child_resident")
    builder.observe(dan, south, "2023-02-01", "placement_start")
    builder.observe(dan, north, "2023-08-01", "placement_start")  # moved, no end recorded
    builder.observe(cleo, south, "2023-11-01", "wellbeing_pupil", 5)  # the data reach Q4
    connection = builder.build()
    frame = pandas_baseline.load_frame(connection)
    units = connection.execute("SELECT unit_id, parent_id FROM units").fetchdf()
    assert len(frame) == 17
    orm_baseline.load(connection)

    for cells in (
        engine.compute(connection).cells,
        pandas_baseline.compute(frame, units),
        orm_baseline.compute(),
    ):
        # Over 10 % absent in 2023 Q1: Anna of Anna and Bo at North; 1 of 3 in the municipality.
        assert value(cells, "fravaer-over-10", north, 20231, "all") == 50_000
        assert value(cells, "fravaer-over-10", root, 20231, "all") == 33_333
        assert value(cells, "fravaer-over-10", root, 20231, "sex:F") == 50_000
        assert value(cells, "fravaer-over-10", south, 20231, "age:12-17") == 0
        # Well-being 2023: (4 + 3.5) / 2 at North; the boys' is Bo's alone at the top.
        assert value(cells, "trivsel", north, 2023, "all") == 3_750
        assert value(cells, "trivsel", root, 2023, "sex:M") == 3_500
        # Dan, the one child living in South's district, placed from South until the move to
        # a placement from North on 1 August: 1,000 per 1,000 at South until Q3, none in Q4.
        assert value(cells, "anbringelser-pr-1000", south, 20233, "all") == 1_000_000
        assert value(cells, "anbringelser-pr-1000", south, 20234, "all") == 0
        assert value(cells, "anbringelser-pr-1000", root, 20234, "age:6-11") == 1_000_000


def test_a_baseline_one_cell_off_is_named() -> None:
    cells = pd.DataFrame(
        {
            "indicator": ["trivsel", "trivsel"],
            "unit_id": [1, 2],
            "period": [2023, 2023],
            "grp": ["all", "all"],
            "numerator": [7_500, 4_000],
            "denominator": [2_000, 1_000],
            "persons": [2, 1],
        }
    )
    expected = engine.normalise(engine.finish(cells))
    wrong = cells.copy()
    wrong.loc[1, "numerator"] = 3_500
    check("pandas", expected, engine.finish(cells))
    with pytest.raises(Mismatch, match=r"trivsel 2 2023 all: numerator 4000 vs 3500"):
        check("pandas", expected, engine.finish(wrong))


@pytest.mark.django_db
def test_bench_runs_the_tiny_size_end_to_end(tmp_path: Path) -> None:
    out = StringIO()
    call_command("bench", "--size", "tiny", "--store-dir", str(tmp_path), "--runs", "1", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert LAST_LINE.match(lines[-1]), lines[-1]
    assert any(line.startswith("pandas: the same cells as the engine") for line in lines)
    assert any(line.startswith("orm: the same cells as the engine") for line in lines)

    counts = generate.kind_counts(tmp_path / "tiny.duckdb")
    assert set(counts) == set(KINDS)
    # One planned-days row per job and quarter (20 quarters); four Danish exams to two in
    # maths; one status a year per 18-year-old, a cohort being 1.12 % of the inhabitants.
    assert counts["staff_workdays"] % 20 == 0
    assert counts["grade_danish"] == 2 * counts["grade_maths"] > 0
    assert counts["youth_education_18"] == pytest.approx(5 * 0.0112 * 400, rel=0.35)
    # The second run reuses the store: the same size and seed give the same rows.
    out = StringIO()
    call_command(
        "bench", "--size", "tiny", "--store-dir", str(tmp_path), "--runs", "1",
        "--skip-orm", "--skip-pandas", stdout=out,
    )  # fmt: skip
    assert "reusing" in out.getvalue()
    assert re.match(r"^tiny: engine \d+\.\d\d s$", out.getvalue().strip().splitlines()[-1])
