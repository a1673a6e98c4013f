"""The observation store: one DuckDB file of pseudonymised facts, and how data gets in.

The store lives apart from the operational database (``HELHED_ANALYTICS_STORE``,
by default ``var/analytics.duckdb``): it holds no CPR number and no name,
only a pseudonym per person (a keyed hash, see ``citizens.crypto``), the
birth year, the sex, the unit, the municipality, the day, the kind and the
value. Each load is a *batch*; ``helhed compute`` recomputes only the
periods the batches since its last run touched.

Files (CSV or Parquet) are documented in ``docs/analytics.md``. A file is
checked as a whole before anything is added: unknown kinds or units, values
outside a kind's range, a sex other than F/M or a missing column refuse the
whole file with the first problems named, and nothing is stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from helhed.analytics.kinds import KINDS

SCHEMA = """
CREATE TABLE IF NOT EXISTS observations (
    pseudonym BIGINT NOT NULL,
    birth_year SMALLINT NOT NULL,
    sex VARCHAR NOT NULL,
    unit_id INTEGER NOT NULL,
    municipality SMALLINT NOT NULL,
    date DATE NOT NULL,
    kind VARCHAR NOT NULL,
    value DECIMAL(18, 3) NOT NULL,
    batch INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS units (
    unit_id INTEGER PRIMARY KEY,
    unit_key VARCHAR NOT NULL UNIQUE,
    parent_id INTEGER,
    municipality SMALLINT NOT NULL,
    name VARCHAR NOT NULL,
    unit_type VARCHAR NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS leaf_cells (
    indicator VARCHAR NOT NULL,
    unit_id INTEGER NOT NULL,
    period INTEGER NOT NULL,
    sex VARCHAR NOT NULL,
    age_band VARCHAR NOT NULL,
    numerator BIGINT NOT NULL,
    denominator BIGINT,
    persons BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS batches (
    batch INTEGER PRIMARY KEY,
    source VARCHAR NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    rows BIGINT NOT NULL,
    first_date DATE,
    last_date DATE,
    computed BOOLEAN NOT NULL DEFAULT FALSE
);
"""

COLUMNS = ("pseudonym", "birth_year", "sex", "unit", "municipality", "date", "kind", "value")
MAX_PROBLEMS = 10


class StoreError(ValueError):
    """A file or frame that cannot be loaded; the message names what is wrong."""


@dataclass(frozen=True)
class Unit:
    unit_id: int
    unit_key: str
    parent_id: int | None
    municipality: int
    name: str
    unit_type: str = ""


def open_store(path: str | Path | None = None, *, read_only: bool = False) -> Any:
    """A connection to the store (``:memory:`` when no path), with its tables created."""
    target = str(path) if path is not None else ":memory:"
    if target != ":memory:":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    connection = duckdb.connect(target, read_only=read_only)
    if not read_only:
        connection.execute(SCHEMA)
    return connection


def replace_units(connection: Any, units: Iterable[Unit]) -> int:
    """Replace the unit tree (the tree as of today: the roll-up uses it for every period)."""
    rows = [
        (u.unit_id, u.unit_key, u.parent_id, u.municipality, u.name, u.unit_type) for u in units
    ]
    ids = {row[0] for row in rows}
    orphans = [row for row in rows if row[2] is not None and row[2] not in ids]
    if orphans:
        raise StoreError(f"Unit {orphans[0][1]} names a parent that is not in the tree")
    frame = pd.DataFrame(
        rows, columns=["unit_id", "unit_key", "parent_id", "municipality", "name", "unit_type"]
    ).astype({"unit_id": "int32", "parent_id": "Int32", "municipality": "int16"})
    connection.execute("DELETE FROM units")
    # A registered frame, not row-by-row inserts: the national tree has 10,000 units.
    connection.register("units_frame", frame)
    try:
        connection.execute("INSERT INTO units SELECT * FROM units_frame")
    finally:
        connection.unregister("units_frame")
    return len(rows)


def _next_batch(connection: Any) -> int:
    return int(connection.execute("SELECT COALESCE(MAX(batch), 0) + 1 FROM batches").fetchone()[0])


def _problems(connection: Any, relation: str) -> list[str]:
    """Every reason to refuse the staged rows, at most ``MAX_PROBLEMS``."""
    problems: list[str] = []
    kinds = ", ".join(f"'{code}'" for code in KINDS)
    checks = [
        (f"kind NOT IN ({kinds})", "unknown kind “{kind}”"),
        ("sex NOT IN ('F', 'M')", "sex must be F or M, not “{sex}”"),
        ("unit_id IS NULL", "unknown unit “{unit}”"),
        ("birth_year < 1900 OR birth_year > YEAR(date)", "birth year {birth_year} is impossible"),
        ("pseudonym IS NULL", "no pseudonym"),
    ]
    for condition, message in checks:
        rows = connection.execute(
            f"SELECT * FROM {relation} WHERE {condition} LIMIT {MAX_PROBLEMS}"
        ).fetchdf()
        for record in rows.to_dict("records"):
            problems.append(f"row {record['row_number']}: " + message.format(**record))
    for code, kind in KINDS.items():
        rows = connection.execute(
            f"SELECT row_number, value FROM {relation} WHERE kind = ? "
            "AND (value < ? OR value > ?) LIMIT 3",
            [code, kind.low, kind.high],
        ).fetchall()
        for row_number, value in rows:
            problems.append(
                f"row {row_number}: {value} is outside {kind.low}–{kind.high} for {code}"
            )
    return problems[:MAX_PROBLEMS]


def load_relation(connection: Any, select: str, source: str) -> int:
    """Validate and append the rows of ``select`` (the file's columns) as one batch.

    ``select`` yields the documented columns; ``pseudonym`` may be a whole
    number or the hexadecimal keyed hash Helhed writes (its first 15 digits
    are kept as a number). Returns the number of rows added.
    """
    connection.execute("BEGIN")
    try:
        connection.execute(f"""
            CREATE OR REPLACE TEMP TABLE staged AS
            SELECT ROW_NUMBER() OVER () AS row_number,
                   CASE WHEN TRY_CAST(f.pseudonym AS BIGINT) IS NOT NULL
                        THEN TRY_CAST(f.pseudonym AS BIGINT)
                        ELSE TRY_CAST(CONCAT('0x', SUBSTR(CAST(f.pseudonym AS VARCHAR), 1, 15))
                                      AS BIGINT) END AS pseudonym,
                   TRY_CAST(f.birth_year AS SMALLINT) AS birth_year,
                   UPPER(CAST(f.sex AS VARCHAR)) AS sex,
                   CAST(f.unit AS VARCHAR) AS unit,
                   u.unit_id,
                   TRY_CAST(f.municipality AS SMALLINT) AS municipality,
                   TRY_CAST(f.date AS DATE) AS date,
                   CAST(f.kind AS VARCHAR) AS kind,
                   TRY_CAST(f.value AS DECIMAL(18, 3)) AS value
            FROM ({select}) f LEFT JOIN units u ON u.unit_key = CAST(f.unit AS VARCHAR)
        """)
        missing = connection.execute(
            "SELECT row_number FROM staged WHERE birth_year IS NULL OR date IS NULL "
            "OR value IS NULL OR municipality IS NULL LIMIT 3"
        ).fetchall()
        problems = [
            f"row {row[0]}: a number, a year or a date could not be read" for row in missing
        ]
        problems += _problems(connection, "staged")
        if problems:
            raise StoreError("; ".join(problems[:MAX_PROBLEMS]))
        batch = _next_batch(connection)
        connection.execute(
            """INSERT INTO observations
               SELECT pseudonym, birth_year, sex, unit_id, municipality, date, kind, value, ?
               FROM staged ORDER BY kind, date""",
            [batch],
        )
        rows, first, last = connection.execute(
            "SELECT COUNT(*), MIN(date), MAX(date) FROM staged"
        ).fetchone()
        connection.execute(
            "INSERT INTO batches VALUES (?, ?, now()::TIMESTAMP, ?, ?, ?, FALSE)",
            [batch, source[:200], rows, first, last],
        )
        connection.execute("DROP TABLE staged")
        connection.execute("COMMIT")
    except Exception:
        connection.execute("ROLLBACK")
        raise
    return int(rows)


def load_file(connection: Any, path: str | Path) -> int:
    """Load one CSV or Parquet file in the documented format (``docs/analytics.md``)."""
    file = Path(path)
    if not file.exists():
        raise StoreError(f"No file {file}")
    literal = str(file).replace("'", "''")
    if file.suffix.lower() == ".parquet":
        reader = f"read_parquet('{literal}')"
    elif file.suffix.lower() == ".csv":
        reader = f"read_csv('{literal}', header = true, all_varchar = true)"
    else:
        raise StoreError("Only .csv and .parquet files can be loaded")
    try:
        described = connection.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()
    except duckdb.Error as exc:
        raise StoreError(f"{file.name} could not be read: {str(exc).splitlines()[0]}") from exc
    names = [row[0] for row in described]
    absent = [column for column in COLUMNS if column not in names]
    if absent:
        raise StoreError(f"{file.name} lacks the column(s) {', '.join(absent)}")
    return load_relation(connection, f"SELECT {', '.join(COLUMNS)} FROM {reader}", file.name)


def load_rows(connection: Any, rows: Sequence[tuple[Any, ...]], source: str) -> int:
    """Load rows in ``COLUMNS`` order (the operational database's export, small tests).

    The rows go in as text, like a CSV file's, and are read and checked by the
    same ``load_relation``; a registered frame instead of row-by-row inserts.
    """
    frame = pd.DataFrame(
        [[None if value is None else str(value) for value in row] for row in rows],
        columns=list(COLUMNS),
        dtype="object",
    )
    connection.register("incoming_frame", frame)
    try:
        return load_relation(connection, "SELECT * FROM incoming_frame", source)
    finally:
        connection.unregister("incoming_frame")


def pending_ranges(connection: Any) -> list[tuple[dt.date, dt.date]]:
    """The [first, last] days of the batches not yet computed."""
    return [
        (first, last)
        for first, last in connection.execute(
            "SELECT first_date, last_date FROM batches WHERE NOT computed AND rows > 0 "
            "ORDER BY first_date"
        ).fetchall()
    ]


def mark_computed(connection: Any) -> None:
    connection.execute("UPDATE batches SET computed = TRUE WHERE NOT computed")
