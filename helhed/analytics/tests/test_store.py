"""Loading the observation store: whole files accepted or refused, nothing half-loaded."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from helhed.analytics import store

HEADER = "pseudonym,birth_year,sex,unit,municipality,date,kind,value\n"


@pytest.fixture
def connection():
    con = store.open_store()
    store.replace_units(
        con,
        [
            store.Unit(1, "root", None, 230, "Kommune", "municipality"),
            store.Unit(2, "school", 1, 230, "Skolen", "institution"),
        ],
    )
    yield con
    con.close()


def count(connection) -> int:
    return int(connection.execute("SELECT COUNT(*) FROM observations").fetchone()[0])


def test_a_valid_csv_file_is_one_batch(connection, tmp_path: Path) -> None:
    file = tmp_path / "obs.csv"
    file.write_text(
        HEADER
        + "a1b2c3d4e5f60718293a,2012,F,school,230,2025-03-04,absence_day,1\n"
        + "a1b2c3d4e5f60718293a,2012,f,school,230,2025-03-05,absence_day,0.5\n"
    )
    assert store.load_file(connection, file) == 2
    assert count(connection) == 2
    rows = connection.execute(
        "SELECT pseudonym, sex, unit_id, value FROM observations ORDER BY date"
    ).fetchall()
    # The hexadecimal pseudonym keeps its first 15 digits as a number.
    assert rows[0][0] == int("a1b2c3d4e5f6071", 16)
    assert [row[1:] for row in rows] == [("F", 2, Decimal(1)), ("F", 2, Decimal("0.5"))]
    assert store.pending_ranges(connection) == [(dt.date(2025, 3, 4), dt.date(2025, 3, 5))]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("1,2012,F,school,230,2025-03-04,absense_day,1", "unknown kind “absense_day”"),
        ("1,2012,X,school,230,2025-03-04,absence_day,1", "sex must be F or M"),
        ("1,2012,F,nowhere,230,2025-03-04,absence_day,1", "unknown unit “nowhere”"),
        ("1,2012,F,school,230,2025-03-04,absence_day,2", "outside 0–1 for absence_day"),
        ("1,2030,F,school,230,2025-03-04,absence_day,1", "birth year 2030 is impossible"),
        ("1,2012,F,school,230,4/3/2025,absence_day,1", "could not be read"),
    ],
)
def test_a_file_with_one_bad_row_is_refused_whole(
    connection, tmp_path: Path, line: str, message: str
) -> None:
    file = tmp_path / "obs.csv"
    file.write_text(HEADER + "1,2012,F,school,230,2025-03-01,absence_day,1\n" + line + "\n")
    with pytest.raises(store.StoreError, match=message) as raised:
        store.load_file(connection, file)
    assert "row 2" in str(raised.value)
    assert count(connection) == 0
    assert connection.execute("SELECT COUNT(*) FROM batches").fetchone()[0] == 0


def test_a_missing_column_and_a_wrong_suffix_are_named(connection, tmp_path: Path) -> None:
    file = tmp_path / "obs.csv"
    file.write_text("pseudonym,sex\n1,F\n")
    with pytest.raises(store.StoreError, match="lacks the column"):
        store.load_file(connection, file)
    other = tmp_path / "obs.xlsx"
    other.write_text("x")
    with pytest.raises(store.StoreError, match=r"Only \.csv and \.parquet"):
        store.load_file(connection, other)
    with pytest.raises(store.StoreError, match="No file"):
        store.load_file(connection, tmp_path / "absent.csv")


def test_parquet_files_load_like_csv(connection, tmp_path: Path) -> None:
    file = tmp_path / "obs.parquet"
    connection.execute(
        "COPY (SELECT 7 AS pseudonym, 2010 AS birth_year, 'M' AS sex, 'school' AS unit, "
        "230 AS municipality, DATE '2024-05-01' AS date, 'wellbeing_pupil' AS kind, "
        f"4.2 AS value) TO '{file}' (FORMAT parquet)"
    )
    assert store.load_file(connection, file) == 1
    assert connection.execute("SELECT pseudonym, value FROM observations").fetchone() == (
        7,
        Decimal("4.200"),
    )


def test_a_unit_tree_with_an_unknown_parent_is_refused(connection) -> None:
    with pytest.raises(store.StoreError, match="parent"):
        store.replace_units(connection, [store.Unit(5, "x", 99, 230, "X")])
    assert connection.execute("SELECT COUNT(*) FROM units").fetchone()[0] == 2
