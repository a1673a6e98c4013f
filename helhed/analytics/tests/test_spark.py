"""Spark in local mode gives DuckDB's cells to the last digit (issue 7).

One synthetic store of a few thousand rows covers every kind, both sexes,
every age band, pupils who change school within a quarter, placements that
span quarters or never end, and a few edge cases written by hand (absence of
exactly 10 %, grades of exactly 02). It is computed by ``engine.compute`` on
DuckDB and by ``spark.compute_on_spark`` on the Parquet export, in full and
incrementally, and every cell must be equal.

Needs Java (17, from Debian in CI); without it the module is skipped.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from helhed.analytics import engine
from helhed.analytics.definitions import DEFINITIONS
from helhed.analytics.kinds import AGE_BANDS
from helhed.analytics.store import StoreError
from helhed.analytics.tests.conftest import Person, StoreBuilder

pytestmark = [
    pytest.mark.skipif(
        shutil.which("java") is None,
        reason="Spark needs Java 17 (apt-get install openjdk-17-jre-headless)",
    ),
    # pyspark 4 warns that it does not fully support pandas 3; only its pandas-on-Spark
    # and Arrow paths are concerned, and the engine uses neither.
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]

with warnings.catch_warnings():
    # pyspark 4 warns about pandas 3 at import; the engine does not use pandas-on-Spark.
    warnings.simplefilter("ignore", FutureWarning)
    pytest.importorskip("pyspark")
    from helhed.analytics import spark

YEARS = (2024, 2025)
QUARTER_STARTS = ((1, 1), (4, 1), (7, 1), (10, 1))
GRADES = (-3, 0, 2, 4, 7, 10, 12)


# A few thousand rows: code compiled by the JVM's quick compiler only (half the
# CPU of a cold run), one shuffle partition, no adaptive re-planning.
FAST = {
    "spark.driver.extraJavaOptions": "-Duser.timezone=UTC -XX:TieredStopAtLevel=1",
    "spark.sql.shuffle.partitions": "1",
    "spark.default.parallelism": "2",
    "spark.sql.adaptive.enabled": "false",
}


@pytest.fixture(scope="module")
def session() -> Iterator[Any]:
    # py4j says goodbye at INFO from a destructor, after pytest has closed its streams.
    logging.getLogger("py4j").setLevel(logging.WARNING)
    made = spark.local_session("helhed-test", config=FAST)
    made.sparkContext.setLogLevel("ERROR")
    yield made
    made.stop()


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Path]]:
    """The DuckDB store and its Parquet export, built once for the module."""
    made = StoreBuilder()
    build_synthetic(made, random.Random(7))
    connection = made.build(bulk=True)
    directory = tmp_path_factory.mktemp("export")
    spark.export_store(connection, directory)
    yield connection, directory
    connection.close()


def day(rng: random.Random, year: int, quarter: int) -> dt.date:
    month, _first = QUARTER_STARTS[quarter - 1]
    return dt.date(year, month + rng.randrange(3), 1 + rng.randrange(28))


def build_synthetic(b: StoreBuilder, rng: random.Random) -> None:
    """A municipality (1) with two districts (2, 3), three schools and its own staff."""
    b.unit(1, unit_type="municipality")
    for district in (2, 3):
        b.unit(district, 1, unit_type="district")
    schools = [b.unit(10, 2, "school"), b.unit(11, 2, "school"), b.unit(12, 3, "school")]
    pupils = [b.person(rng.randrange(2007, 2020), rng.choice("FM")) for _ in range(90)]
    for pupil in pupils:
        school = rng.choice(schools)
        for year in YEARS:
            age = year - pupil.birth_year
            if not 6 <= age <= 17:
                continue
            for quarter in (1, 2, 3, 4):
                add_quarter_of_school(b, rng, pupil, school, year, quarter)
                if rng.random() < 0.05:  # moves school within the quarter
                    school = rng.choice(schools)
                    add_quarter_of_school(b, rng, pupil, school, year, quarter)
            if rng.random() < 0.1:
                b.observe(pupil, school, dt.date(year, 3, 2), "special_class")
            if age == 15:
                for kind in ("grade_danish", "grade_maths"):
                    for _ in range(rng.randrange(0, 3)):
                        b.observe(pupil, school, dt.date(year, 6, 20), kind, rng.choice(GRADES))
            b.observe(
                pupil, school, day(rng, year, 1), "wellbeing_pupil", rng.randrange(10, 51) / 10
            )
    for year in YEARS:
        for _ in range(12):  # youth education in the year of turning 18
            young = b.person(year - 18, rng.choice("FM"))
            b.observe(
                young,
                rng.choice((2, 3)),
                dt.date(year, 10, 1),
                "youth_education_18",
                rng.choice((0, 1, 1, 1)),
            )
    add_children(b, rng)
    add_staff(b, rng, [1, *schools])


def add_quarter_of_school(
    b: StoreBuilder, rng: random.Random, pupil: Person, school: int, year: int, quarter: int
) -> None:
    b.observe(pupil, school, day(rng, year, quarter), "enrolment", rng.randrange(40, 66))
    for _ in range(rng.choice((0, 0, 1, 3, 6, 9))):
        b.observe(pupil, school, day(rng, year, quarter), "absence_day", rng.choice((1, 1, 0.5)))


def add_children(b: StoreBuilder, rng: random.Random) -> None:
    """Children 0-17 living in the districts, their notifications, placements and payments."""
    for _ in range(160):
        child = b.person(rng.randrange(2007, 2025), rng.choice("FM"))
        district = rng.choice((2, 3))
        for year in YEARS:
            if year > child.birth_year and year - child.birth_year <= 17:
                b.observe(child, district, dt.date(year, 1, 1), "child_resident")
            for _ in range(rng.choice((0, 0, 0, 1, 2))):
                b.observe(child, district, day(rng, year, rng.randrange(1, 5)), "notification")
        if rng.random() < 0.25:  # a placement; some end, some span quarters, some never end
            started = day(rng, 2024, rng.randrange(1, 5))
            b.observe(child, district, started, "placement_start")
            if rng.random() < 0.6:
                ended = started + dt.timedelta(days=rng.randrange(10, 400))
                if ended < dt.date(2026, 1, 1):
                    b.observe(child, district, ended, "placement_end")
        if rng.random() < 0.2:  # lost earnings paid to the parents, with øre and fractions
            for quarter in (1, 2, 3, 4):
                amount = f"{rng.randrange(500, 20000)}.{rng.randrange(1000):03d}"
                b.observe(child, district, day(rng, 2025, quarter), "lost_earnings_payment", amount)


def add_staff(b: StoreBuilder, rng: random.Random, workplaces: list[int]) -> None:
    for _ in range(40):
        employee = b.person(rng.randrange(1960, 2004), rng.choice("FM"))
        workplace = rng.choice(workplaces)
        for year in YEARS:
            for quarter in (1, 2, 3, 4):
                b.observe(
                    employee,
                    workplace,
                    day(rng, year, quarter),
                    "staff_workdays",
                    rng.randrange(50, 64),
                )
                for _ in range(rng.choice((0, 0, 1, 2, 5))):
                    b.observe(
                        employee,
                        workplace,
                        day(rng, year, quarter),
                        "staff_sickness_day",
                        rng.choice((1, 0.5, 0.25)),
                    )
            b.observe(
                employee, workplace, day(rng, year, 2), "staff_wellbeing", rng.randrange(1, 101)
            )
    add_edge_cases(b)


def add_edge_cases(b: StoreBuilder) -> None:
    """The boundaries where a wrong comparison or a rounding shows."""
    exactly_ten = b.person(2013, "F")  # 6 of 60 days: 10 %, not over
    b.observe(exactly_ten, 10, "2025-01-08", "enrolment", 60)
    b.observe(exactly_ten, 10, "2025-02-03", "absence_day", 1, times=6)
    just_over = b.person(2013, "M")  # 6.5 of 60 days: counted
    b.observe(just_over, 10, "2025-01-08", "enrolment", 60)
    b.observe(just_over, 10, "2025-02-03", "absence_day", 1, times=6)
    b.observe(just_over, 10, "2025-02-04", "absence_day", "0.5")
    exactly_02 = b.person(2010, "F")  # both subjects average exactly 02: counted
    b.observe(exactly_02, 11, "2025-06-20", "grade_danish", 2)
    b.observe(exactly_02, 11, "2025-06-20", "grade_maths", 0)
    b.observe(exactly_02, 11, "2025-06-21", "grade_maths", 4)
    below_02 = b.person(2010, "M")  # maths averages 1.5: not counted
    b.observe(below_02, 11, "2025-06-20", "grade_danish", 12)
    b.observe(below_02, 11, "2025-06-20", "grade_maths", 0)
    b.observe(below_02, 11, "2025-06-21", "grade_maths", 3)
    same_day = b.person(2015, "M")  # a placement that starts and ends on one day
    b.observe(same_day, 3, "2025-01-01", "child_resident")
    b.observe(same_day, 3, "2025-05-05", "placement_start")
    b.observe(same_day, 3, "2025-05-05", "placement_end")


def own_frame(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype(
        {
            "indicator": "string",
            "unit_id": "int64",
            "period": "int64",
            "grp": "string",
            "persons": "int64",
        }
    )
    return frame.sort_values(["indicator", "unit_id", "period", "grp"]).reset_index(drop=True)


def test_the_synthetic_store_covers_every_indicator_and_group(synthetic):
    connection, _directory = synthetic
    kinds = {
        row[0] for row in connection.execute("SELECT DISTINCT kind FROM observations").fetchall()
    }
    assert kinds == {kind for definition in DEFINITIONS for kind in definition.kinds}
    rows = connection.execute("SELECT COUNT(*) FROM observations").fetchone()[0]
    assert 2000 < rows < 10000
    cells = engine.compute(connection).cells
    assert set(cells["indicator"]) == {definition.code for definition in DEFINITIONS}
    expected_groups = {"all", "sex:F", "sex:M"} | {f"age:{name}" for name, *_ in AGE_BANDS}
    assert set(cells["grp"]) == expected_groups


def test_spark_gives_duckdbs_cells_to_the_last_digit(session, synthetic):
    connection, directory = synthetic
    duck = engine.compute(connection)
    on_spark = spark.compute_on_spark(
        session, directory / "observations", directory / "units.parquet"
    )
    assert len(duck.cells) > 1000
    expected = engine.normalise(duck.cells)
    got = engine.normalise(on_spark.cells)
    assert_same(expected, got)
    assert_same(own_frame(duck.own), own_frame(on_spark.own))


def test_the_spark_submit_job_gives_duckdbs_cells_for_an_incremental_run(
    session, synthetic, tmp_path, capsys
):
    connection, directory = synthetic
    # A batch with days in February and March 2025: the whole of 2025 is recomputed.
    duck = engine.compute(connection, ranges=[(dt.date(2025, 2, 1), dt.date(2025, 3, 31))])
    spark.main([str(directory), str(tmp_path / "out"), "--years", "2025"])
    assert capsys.readouterr().out.startswith(f"{len(duck.cells):,} cells for 5 periods")
    with duckdb.connect() as reader:
        cells = reader.execute(f"FROM '{tmp_path}/out/cells.parquet'").fetchdf()
        own = reader.execute(f"FROM '{tmp_path}/out/own.parquet'").fetchdf()
    assert set(duck.cells["period"]) == {2025, 20251, 20252, 20253, 20254}
    assert_same(engine.normalise(duck.cells), engine.normalise(cells))
    assert_same(own_frame(duck.own), own_frame(own))


def assert_same(expected: pd.DataFrame, got: pd.DataFrame) -> None:
    """Equal in every cell; on failure, name the first rows that differ."""
    if expected.equals(got):
        return
    keys = ["indicator", "unit_id", "period", "grp"]
    both = expected.merge(got, on=keys, how="outer", suffixes=("_duckdb", "_spark"), indicator=True)
    differing = both[both["_merge"] != "both"]
    for column in expected.columns.difference(keys):
        left, right = both[f"{column}_duckdb"], both[f"{column}_spark"]
        differing = pd.concat([differing, both[(left != right).fillna(True)]])
    pytest.fail(
        f"{len(expected)} DuckDB and {len(got)} Spark cells differ:\n"
        f"{differing.head(10).to_string()}"
    )


def test_an_empty_store_gives_no_cells_on_either_engine(session, builder, tmp_path):
    builder.unit(1)
    connection = builder.build()
    with pytest.raises(StoreError, match="no observations"):
        spark.export_store(connection, tmp_path)
    empty = session.createDataFrame([], ", ".join(f"{n} {t}" for n, t in spark.OBS_COLUMNS))
    on_spark = spark.compute_on_spark(session, empty, {1: None})  # a frame and a mapping
    assert len(engine.compute(connection).cells) == 0
    assert len(on_spark.cells) == 0
    assert len(on_spark.own) == 0
