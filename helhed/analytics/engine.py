"""The indicator engine: definitions in, cells for every unit, period and group out.

The design that makes it fast is two steps of very different size:

1. **Leaf cells** (``sql.leaves_query``, ``update_leaves``): one pass over
   the observations of each indicator's kinds, grouped by the unit the fact
   was recorded at, the period, the sex and the age band. This is the only
   step that reads millions of rows; DuckDB runs the indicators' branches in
   parallel and, because the store is sorted by kind and date, reads only the
   row groups of the kinds (and, when incremental, the years) it needs. The
   leaf cells are *kept* in the store (``leaf_cells``), by period: a new batch
   recomputes only the years it touches.
2. **Roll-up** (``sql.ROLLUP_QUERY``, ``rollup``): the kept leaf cells
   (thousands of rows, not millions) are joined to the closure of the unit tree and summed with
   GROUPING SETS into every unit above them, for the groups all, by sex and
   by age band.

Numerators and denominators are exact whole thousandths, summed by the
engine; the division and the rounding happen once, in ``finish``, with
integer arithmetic, so DuckDB, Spark, pandas and the ORM baseline give the
same value to the last digit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from helhed.analytics import sql
from helhed.analytics.definitions import DEFINITIONS, Definition, Total

Progress = Callable[[str], None]

CELL_COLUMNS = (
    "indicator",
    "unit_id",
    "period",
    "grp",
    "numerator",
    "denominator",
    "persons",
    "value_milli",
)


@dataclass
class Result:
    """The engine's output: the published cells and each unit's own persons."""

    cells: pd.DataFrame
    own: pd.DataFrame


# --------------------------------------------------------------------------- inputs


def period_rows(first: dt.date, last: dt.date) -> list[tuple[int, str, int, dt.date, dt.date]]:
    """(period, frequency, year, start, end exclusive) of every year and quarter in range."""
    rows = []
    for year in range(first.year, last.year + 1):
        rows.append((year, "year", year, dt.date(year, 1, 1), dt.date(year + 1, 1, 1)))
        for quarter in range(1, 5):
            start = dt.date(year, 3 * quarter - 2, 1)
            if start > last or (quarter < 4 and dt.date(year, 3 * quarter + 1, 1) <= first):
                continue
            end = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
            rows.append((year * 10 + quarter, "quarter", year, start, end))
    return rows


def closure_rows(parents: dict[int, int | None]) -> list[tuple[int, int, int]]:
    """(descendant, ancestor, depth) for every unit and each of its ancestors, itself included."""
    rows = []
    for unit in parents:
        ancestor: int | None = unit
        depth = 0
        seen = set()
        while ancestor is not None and ancestor not in seen:
            seen.add(ancestor)
            rows.append((unit, ancestor, depth))
            ancestor = parents.get(ancestor)
            depth += 1
    return rows


def whole_years(ranges: Iterable[tuple[dt.date, dt.date]]) -> list[tuple[dt.date, dt.date]]:
    """[start, end) ranges widened to whole years, merged: a year's indicators need all of it."""
    years = sorted({year for first, last in ranges for year in range(first.year, last.year + 1)})
    merged: list[tuple[dt.date, dt.date]] = []
    for year in years:
        start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
        if merged and merged[-1][1] == start:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


# --------------------------------------------------------------------------- finishing


def finish(cells: pd.DataFrame, definitions: Sequence[Definition] = DEFINITIONS) -> pd.DataFrame:
    """Add ``value_milli``: the value in thousandths, rounded half up, by integer arithmetic.

    value = numerator x factor / denominator (or numerator / scale for a
    total); numerator and denominator are both in thousandths, so the ratio
    needs no rescaling. A cell without a denominator where one is needed has
    no value (``<NA>``).
    """
    cells = cells.reset_index(drop=True)
    factor = cells["indicator"].map({d.code: d.factor for d in definitions}).to_numpy("int64")
    scales = {d.code: d.template.scale if isinstance(d.template, Total) else 0 for d in definitions}
    scale = cells["indicator"].map(scales).to_numpy("int64")
    numerator = cells["numerator"].to_numpy("int64")
    denominator = pd.array(cells["denominator"], dtype="Int64")
    has_denominator = ~denominator.isna() & (denominator != 0)
    den = denominator.to_numpy("int64", na_value=1)
    den = np.where(has_denominator.to_numpy(bool), den, 1)
    ratio = (2 * numerator * factor * 1000 + den) // (2 * den)
    total = (2 * numerator + scale) // np.maximum(2 * scale, 1)
    milli = np.where(scale > 0, total, ratio)
    valid = (scale > 0) | has_denominator.to_numpy(bool)
    cells["value_milli"] = pd.array(np.where(valid, milli, 0), dtype="Int64")
    cells.loc[~valid, "value_milli"] = pd.NA
    cells["denominator"] = denominator
    return cells[list(CELL_COLUMNS)]


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells in one canonical order and dtype, so two engines' outputs compare with ``equals``."""
    frame = frame.astype(
        {
            "indicator": "string",
            "unit_id": "int64",
            "period": "int64",
            "grp": "string",
            "numerator": "int64",
            "denominator": "Int64",
            "persons": "int64",
            "value_milli": "Int64",
        }
    )
    return frame.sort_values(["indicator", "unit_id", "period", "grp"]).reset_index(drop=True)


# --------------------------------------------------------------------------- DuckDB


def _register_inputs(
    connection: Any, ranges: Sequence[tuple[dt.date, dt.date]] | None
) -> list[tuple[dt.date, dt.date]] | None:
    """Create the temporary ``obs``, ``periods`` and ``closure`` relations for one run."""
    first, last = connection.execute("SELECT MIN(date), MAX(date) FROM observations").fetchone()
    connection.execute("CREATE OR REPLACE TEMP VIEW obs AS SELECT * FROM observations")
    widened = whole_years(ranges) if ranges else None
    rows = period_rows(first, last) if first is not None else []
    if widened is not None:
        rows = [row for row in rows if any(s <= row[3] < e for s, e in widened)]
    periods = pd.DataFrame(
        rows, columns=["period", "frequency", "year", "start_date", "end_date"]
    ).astype({"period": "int32", "year": "int32"})
    parents = dict(connection.execute("SELECT unit_id, parent_id FROM units").fetchall())
    closure = pd.DataFrame(
        closure_rows(parents), columns=["descendant", "ancestor", "depth"], dtype="int32"
    )
    # Registered frames, not row-by-row inserts: the national tree has 10,000 units.
    connection.register("periods_frame", periods)
    connection.register("closure_frame", closure)
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE periods AS SELECT period, frequency, year, "
        "CAST(start_date AS DATE) AS start_date, CAST(end_date AS DATE) AS end_date "
        "FROM periods_frame"
    )
    connection.execute("CREATE OR REPLACE TEMP TABLE closure AS SELECT * FROM closure_frame")
    connection.unregister("periods_frame")
    connection.unregister("closure_frame")
    if first is None:
        return []
    return widened


def update_leaves(
    connection: Any,
    definitions: Sequence[Definition] = DEFINITIONS,
    ranges: Sequence[tuple[dt.date, dt.date]] | None = None,
    progress: Progress | None = None,
) -> bool:
    """Recompute the stored leaf cells of the years ``ranges`` touch (all without ranges).

    This is the pre-aggregation by period that keeps ``helhed compute`` fast:
    the leaf cells of a year change only when observations of that year
    arrive, so a new batch costs a pass over its years, not over the store,
    and ``rollup`` then reads thousands of leaf cells instead of millions of
    observations. Returns False when there is nothing to compute.
    """
    say = progress or (lambda _text: None)
    widened = _register_inputs(connection, ranges)
    if widened == []:
        return False
    say("leaf cells")
    connection.execute("BEGIN")
    try:
        if widened is None:
            connection.execute("DELETE FROM leaf_cells")
        else:
            connection.execute(
                "DELETE FROM leaf_cells WHERE period IN (SELECT period FROM periods)"
            )
        connection.execute(f"INSERT INTO leaf_cells {sql.leaves_query(definitions, widened)}")
        connection.execute("COMMIT")
    except Exception:
        connection.execute("ROLLBACK")
        raise
    return True


def rollup(
    connection: Any,
    definitions: Sequence[Definition] = DEFINITIONS,
    progress: Progress | None = None,
    *,
    only_registered_periods: bool = False,
) -> Result:
    """Every unit's cells from the stored leaf cells: the roll-up and the values.

    Reads the ``periods`` and ``closure`` relations ``update_leaves`` (or
    ``prepare_rollup``) registered; with ``only_registered_periods`` only the
    periods in ``periods`` (an incremental run), else every stored period.
    """
    say = progress or (lambda _text: None)
    say("roll-up")
    codes = ", ".join(f"'{d.code}'" for d in definitions)
    where = f"indicator IN ({codes})"
    if only_registered_periods:
        where += " AND period IN (SELECT period FROM periods)"
    connection.execute(
        f"CREATE OR REPLACE TEMP VIEW leaves AS SELECT * FROM leaf_cells WHERE {where}"
    )
    cells = connection.execute(sql.ROLLUP_QUERY).fetchdf()
    own = connection.execute(sql.OWN_QUERY).fetchdf()
    say("values")
    return Result(finish(cells, definitions), own)


def prepare_rollup(connection: Any) -> None:
    """Register the unit tree's closure (and all periods) for a roll-up on its own."""
    _register_inputs(connection, None)


def compute(
    connection: Any,
    definitions: Sequence[Definition] = DEFINITIONS,
    ranges: Sequence[tuple[dt.date, dt.date]] | None = None,
    progress: Progress | None = None,
) -> Result:
    """Every definition for every unit and period (only ``ranges``' years when given).

    The whole path: the leaf cells of the touched years (all years without
    ``ranges``), then the roll-up of those years.
    """
    if not update_leaves(connection, definitions, ranges, progress):
        return Result(_empty_cells(), _empty_own())
    return rollup(connection, definitions, progress, only_registered_periods=ranges is not None)


def _empty_cells() -> pd.DataFrame:
    return pd.DataFrame({column: [] for column in CELL_COLUMNS})


def _empty_own() -> pd.DataFrame:
    return pd.DataFrame({c: [] for c in ("indicator", "unit_id", "period", "grp", "persons")})
