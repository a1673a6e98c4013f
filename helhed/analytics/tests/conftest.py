"""Fixtures shared by the analytics tests: a small store written by hand.

A test names its units and persons and states each observation; the builder
turns them into an in-memory DuckDB store through the store's own loading
path (``store.replace_units``, ``store.load_rows``), so the rows are
validated exactly as a file would be.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest

from helhed.analytics import store

MUNICIPALITY = 101


@dataclass(frozen=True)
class Person:
    pseudonym: int
    birth_year: int
    sex: str


def unit_key(unit_id: int) -> str:
    """A stable uuid text per unit id, as the operational database's keys look."""
    return str(uuid.UUID(int=unit_id))


class StoreBuilder:
    """Units and observations stated one by one, loaded into a fresh store on ``build``."""

    def __init__(self) -> None:
        self.units: list[store.Unit] = []
        self.rows: list[tuple[Any, ...]] = []
        self.connections: list[Any] = []
        self._next_pseudonym = 1

    def unit(
        self,
        unit_id: int,
        parent_id: int | None = None,
        unit_type: str = "",
        municipality: int = MUNICIPALITY,
    ) -> int:
        self.units.append(
            store.Unit(
                unit_id, unit_key(unit_id), parent_id, municipality, f"Unit {unit_id}", unit_type
            )
        )
        return unit_id

    def person(self, birth_year: int = 2012, sex: str = "F") -> Person:
        """A new person with the next free pseudonym."""
        person = Person(self._next_pseudonym, birth_year, sex)
        self._next_pseudonym += 1
        return person

    def observe(
        self,
        person: Person,
        unit_id: int,
        date: dt.date | str,
        kind: str,
        value: int | float | str | Decimal = 1,
        times: int = 1,
    ) -> None:
        """``times`` identical observations (e.g. ``times=7`` absent days on one date)."""
        municipality = next(u.municipality for u in self.units if u.unit_id == unit_id)
        day = dt.date.fromisoformat(date) if isinstance(date, str) else date
        row = (
            person.pseudonym,
            person.birth_year,
            person.sex,
            unit_key(unit_id),
            municipality,
            day,
            kind,
            Decimal(str(value)),
        )
        self.rows.extend([row] * times)

    def build(self, bulk: bool = False) -> Any:
        """A new in-memory store holding the units and every row observed so far.

        The rows go in through ``store.load_rows``, the path small exports
        take; ``bulk`` scans them as one frame instead, for thousands of rows.
        """
        connection = store.open_store()
        self.connections.append(connection)
        store.replace_units(connection, self.units)
        if self.rows:
            if bulk:
                load_bulk(connection, self.rows, "builder")
            else:
                store.load_rows(connection, self.rows, "builder")
        return connection


def load_bulk(connection: Any, rows: list[tuple[Any, ...]], source: str) -> int:
    """Load rows in ``store.COLUMNS`` order as one batch, fast for thousands of rows.

    ``store.load_rows`` inserts row by row (seconds for a few thousand); a
    frame scanned by DuckDB goes through the same validation
    (``store.load_relation``) in one statement.
    """
    frame = pd.DataFrame(rows, columns=list(store.COLUMNS))
    frame["pseudonym"] = frame["pseudonym"].astype("int64")
    frame["value"] = frame["value"].astype("string")
    connection.register("builder_rows", frame)
    try:
        return store.load_relation(connection, "SELECT * FROM builder_rows", source)
    finally:
        connection.unregister("builder_rows")


@pytest.fixture
def builder() -> Iterator[StoreBuilder]:
    made = StoreBuilder()
    yield made
    for connection in made.connections:
        connection.close()
