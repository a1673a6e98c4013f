"""The indicator engine: definitions in, cells for every unit, period and group out.

The design that makes it fast is two steps of very different size:

1. **Leaf cells** (``sql.leaves_query``): one pass over the observations of
   each indicator's kinds, grouped by the unit the fact was recorded at, the
   period, the sex and the age band. This is the only step that reads
   millions of rows; DuckDB runs the indicators' branches in parallel and,
   because the store is sorted by kind and date, reads only the row groups of
   the kinds (and, when incremental, the years) it needs.
2. **Roll-up** (``sql.ROLLUP_QUERY``): the leaf cells (thousands of rows, not
   millions) are joined to the closure of the unit tree and summed with
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
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE periods (period INTEGER, frequency VARCHAR, "
        "year INTEGER, start_date DATE, end_date DATE)"
    )
    connection.execute(
        "CREATE OR REPLACE TEMP TABLE closure (descendant INTEGER, ancestor INTEGER, depth INTEGER)"
    )
    if first is None:
        return []
    widened = whole_years(ranges) if ranges else None
    rows = period_rows(first, last)
    if widened is not None:
        rows = [row for row in rows if any(s <= row[3] < e for s, e in widened)]
    connection.executemany("INSERT INTO periods VALUES (?, ?, ?, ?, ?)", rows)
    parents = dict(connection.execute("SELECT unit_id, parent_id FROM units").fetchall())
    connection.executemany("INSERT INTO closure VALUES (?, ?, ?)", closure_rows(parents))
    return widened


def compute(
    connection: Any,
    definitions: Sequence[Definition] = DEFINITIONS,
    ranges: Sequence[tuple[dt.date, dt.date]] | None = None,
    progress: Progress | None = None,
) -> Result:
    """Every definition for every unit and period (only ``ranges``' years when given)."""
    say = progress or (lambda _text: None)
    widened = _register_inputs(connection, ranges)
    if widened == [] and ranges is not None:
        return Result(_empty_cells(), _empty_own())
    say("leaf cells")
    connection.execute(
        f"CREATE OR REPLACE TEMP TABLE leaves AS {sql.leaves_query(definitions, widened)}"
    )
    say("roll-up")
    cells = connection.execute(sql.ROLLUP_QUERY).fetchdf()
    own = connection.execute(sql.OWN_QUERY).fetchdf()
    say("values")
    return Result(finish(cells, definitions), own)


def _empty_cells() -> pd.DataFrame:
    return pd.DataFrame({column: [] for column in CELL_COLUMNS})


def _empty_own() -> pd.DataFrame:
    return pd.DataFrame({c: [] for c in ("indicator", "unit_id", "period", "grp", "persons")})
