"""The same indicator definitions on Apache Spark, for a region or the country.

DuckDB computes a municipality's indicators on one machine; when the
observations outgrow it, the store is exported to Parquet (``export_store``)
and Spark runs the very queries ``sql.py`` generates, unchanged, over the
same three relations (``obs``, ``periods``, ``closure``) with the same
column types. Only the leaf and roll-up cells come back to the driver, and
``engine.finish`` turns them into values exactly as it does for DuckDB, so
both engines agree to the last digit (``tests/test_spark.py`` checks it).

pyspark is an optional dependency (``pip install helhed[spark]``, Java 17);
nothing else in Helhed imports this module. The module is also the job that
``spark-submit`` runs (``main``). How to run it in local mode and on a
cluster is in ``docs/analytics-spark.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from pyspark.sql import DataFrame, SparkSession

from helhed.analytics import engine, sql
from helhed.analytics.definitions import DEFINITIONS, Definition
from helhed.analytics.store import StoreError

# The store's column types (store.SCHEMA) in Spark's names: Parquet written
# by another tool may widen or narrow them, and the definitions' arithmetic
# (exact DECIMAL sums, integer periods) depends on them.
OBS_COLUMNS: tuple[tuple[str, str], ...] = (
    ("pseudonym", "BIGINT"),
    ("birth_year", "SMALLINT"),
    ("sex", "STRING"),
    ("unit_id", "INT"),
    ("municipality", "SMALLINT"),
    ("date", "DATE"),
    ("kind", "STRING"),
    ("value", "DECIMAL(18,3)"),
)
OWN_COLUMNS = ["indicator", "unit_id", "period", "grp", "persons"]
PERIODS_SCHEMA = "period INT, frequency STRING, year INT, start_date DATE, end_date DATE"
CLOSURE_SCHEMA = "descendant INT, ancestor INT, depth INT"

Source = str | Path | DataFrame
Ranges = Sequence[tuple[dt.date, dt.date]]


def local_session(
    app_name: str = "helhed-analytics", cores: int = 2, config: Mapping[str, str] | None = None
) -> SparkSession:
    """A Spark session on this machine, for tests and for trying a job before a cluster.

    The store's dates are calendar days; the session time zone is pinned to
    UTC so that nothing Spark converts through a timestamp can move a day.
    The web UI and the progress bar are off, and the shuffle partitions few,
    because what reaches a shuffle here is small and Spark's default of 200
    partitions is slower. ``config`` adds or overrides settings.
    """
    settings = {
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": str(2 * cores),
        "spark.default.parallelism": str(2 * cores),
        "spark.sql.session.timeZone": "UTC",
        "spark.driver.extraJavaOptions": "-Duser.timezone=UTC",
        **(config or {}),
    }
    builder = SparkSession.builder.master(f"local[{cores}]").appName(app_name)
    for key, value in settings.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def export_store(connection: Any, directory: str | Path) -> dict[str, Path]:
    """Write the store's observations and units as Parquet for a Spark cluster to read.

    Observations go to ``observations/kind=<kind>/…`` (Hive partitions), so
    Spark reads only the files of the kinds an indicator needs, as DuckDB
    does through its kind-sorted row groups. Units go to ``units.parquet``.
    Existing files in ``directory`` are replaced. An empty store is refused:
    Spark cannot read the schema of a directory without files.
    """
    if connection.execute("SELECT COUNT(*) FROM observations").fetchone()[0] == 0:
        raise StoreError("The store holds no observations to export")
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    observations, units = target / "observations", target / "units.parquet"
    columns = ", ".join(name for name, _type in OBS_COLUMNS)
    connection.execute(
        f"COPY (SELECT {columns} FROM observations ORDER BY kind, date, unit_id) "
        f"TO {_literal(observations)} (FORMAT parquet, PARTITION_BY (kind), OVERWRITE true)"
    )
    connection.execute(
        f"COPY (SELECT * FROM units ORDER BY unit_id) TO {_literal(units)} (FORMAT parquet)"
    )
    return {"observations": observations, "units": units}


def compute_on_spark(
    session: SparkSession,
    observations: Source,
    units: Source | Mapping[int, int | None],
    definitions: Sequence[Definition] = DEFINITIONS,
    ranges: Ranges | None = None,
) -> engine.Result:
    """Every definition for every unit and period, as ``engine.compute`` does on DuckDB.

    ``observations`` is a Parquet path (a file or ``export_store``'s
    directory) or a Spark DataFrame with the store's columns; ``units`` the
    same for the unit tree, or a ``{unit_id: parent_id}`` mapping. With
    ``ranges`` only the years they touch are computed.
    """
    widened = register_inputs(session, observations, units, ranges)
    if session.table("periods").isEmpty():  # an empty store: nothing to plan or run
        return engine.Result(
            pd.DataFrame(columns=list(engine.CELL_COLUMNS)), pd.DataFrame(columns=OWN_COLUMNS)
        )
    leaves = session.sql(sql.leaves_query(definitions, widened)).cache()
    try:
        leaves.createOrReplaceTempView("leaves")
        cells = collect(session.sql(sql.ROLLUP_QUERY))
        own = collect(session.sql(sql.OWN_QUERY))
    finally:
        leaves.unpersist()
    return engine.Result(engine.finish(cells, definitions), own)


def register_inputs(
    session: SparkSession,
    observations: Source,
    units: Source | Mapping[int, int | None],
    ranges: Ranges | None = None,
) -> list[tuple[dt.date, dt.date]] | None:
    """Create the temporary views ``obs``, ``periods`` and ``closure``, as the engine does.

    Returns the ranges widened to whole years (``None`` for a full run), the
    argument ``sql.leaves_query`` takes.
    """
    obs = _frame(session, observations).selectExpr(
        *(f"CAST({name} AS {kind}) AS {name}" for name, kind in OBS_COLUMNS)
    )
    obs.createOrReplaceTempView("obs")
    span = session.sql("SELECT MIN(date) AS first, MAX(date) AS last FROM obs").first()
    widened = engine.whole_years(ranges) if ranges else None
    periods = []
    if span is not None and span["first"] is not None:
        periods = engine.period_rows(span["first"], span["last"])
    if widened is not None:
        periods = [row for row in periods if any(s <= row[3] < e for s, e in widened)]
    session.createDataFrame(periods, PERIODS_SCHEMA).createOrReplaceTempView("periods")
    closure = engine.closure_rows(_parents(session, units))
    session.createDataFrame(closure, CLOSURE_SCHEMA).createOrReplaceTempView("closure")
    return widened


def collect(frame: DataFrame) -> pd.DataFrame:
    """A small result as a pandas frame of Python ints and strings (no Arrow needed)."""
    return pd.DataFrame([tuple(row) for row in frame.collect()], columns=frame.columns)


def _frame(session: SparkSession, source: Source) -> DataFrame:
    if isinstance(source, DataFrame):
        return source
    return session.read.parquet(str(source))


def _parents(
    session: SparkSession, units: Source | Mapping[int, int | None]
) -> dict[int, int | None]:
    """The unit tree as ``{unit_id: parent_id}``: thousands of rows, fine on the driver."""
    if isinstance(units, Mapping):
        return dict(units)
    rows = _frame(session, units).selectExpr(
        "CAST(unit_id AS INT) AS unit_id", "CAST(parent_id AS INT) AS parent_id"
    )
    return {row["unit_id"]: row["parent_id"] for row in rows.collect()}


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def write_result(result: engine.Result, directory: str | Path) -> dict[str, Path]:
    """Write the cells and each unit's own persons as Parquet (by DuckDB: no pyarrow needed)."""
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    paths = {"cells": target / "cells.parquet", "own": target / "own.parquet"}
    with duckdb.connect() as connection:
        for name, frame in (("cells", result.cells), ("own", result.own)):
            connection.register(name, frame)
            connection.execute(f"COPY {name} TO {_literal(paths[name])} (FORMAT parquet)")
    return paths


def main(argv: Sequence[str] | None = None) -> None:
    """The ``spark-submit`` job: an export directory in, cells and own persons out."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("export", help="The directory export_store wrote (any path Spark reads).")
    parser.add_argument("output", type=Path, help="A local directory for the result's Parquet.")
    parser.add_argument(
        "--years", type=int, nargs="*", default=[], help="Only these years (default: all)."
    )
    options = parser.parse_args(argv)
    # spark-submit (or the caller) chooses the master; the time zone is not left to it.
    session = SparkSession.builder.appName("helhed-analytics").getOrCreate()
    session.conf.set("spark.sql.session.timeZone", "UTC")
    export = options.export.rstrip("/")
    ranges = [(dt.date(year, 1, 1), dt.date(year, 12, 31)) for year in options.years] or None
    result = compute_on_spark(
        session, f"{export}/observations", f"{export}/units.parquet", ranges=ranges
    )
    written = write_result(result, options.output)
    periods = sorted({int(period) for period in result.cells["period"]})
    sys.stdout.write(
        f"{len(result.cells):,} cells for {len(periods)} periods "
        f"({', '.join(map(str, periods[:1] + periods[-1:]))}) in {written['cells']}\n"
    )


if __name__ == "__main__":
    main()
