"""The indicators as a web developer would compute them with the Django ORM.

The benchmark's second baseline, over ``BenchObservation`` (the store's rows
copied into the operational database; the copy is setup and not timed). Per
definition it asks the database for grouped sums and counts
(``values(...).annotate(Sum, Count, Count(distinct=True))``), does the
per-person step and the spells in Python loops, and rolls each leaf up the
tree by walking the unit's parents in Python. Nothing here is deliberately
slow: it is the straightforward code, with grouping done in the database.

As in the pandas baseline, the four person shares' rules are written out
by hand, and a person is assumed to have one sex and birth year.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

import pandas as pd
from django.db import connection as db
from django.db import transaction
from django.db.models import Count, Max, Min, Q, Sum

from helhed.analytics import engine
from helhed.analytics.definitions import (
    DEFINITIONS,
    ActiveRate,
    Definition,
    Mean,
    PersonShare,
    Rate,
    RatioOfSums,
    Total,
)
from helhed.analytics.kinds import AGE_BANDS
from helhed.analytics.models import BenchObservation, BenchUnit

Key = tuple[int, int, str, str]  # unit, period, sex, age band
Row = dict[str, Any]
Rule = Callable[[Row], bool]

PERSON_RULES: dict[str, tuple[Rule, Rule]] = {
    "karakter-02-dansk-matematik": (
        lambda p: p["danish_n"] > 0 and p["maths_n"] > 0,
        lambda p: p["danish_sum"] >= 2 * p["danish_n"] and p["maths_sum"] >= 2 * p["maths_n"],
    ),
    "ungdomsuddannelse-18": (
        lambda p: p["status"] is not None,
        lambda p: p["status"] >= 1,
    ),
    "fravaer-over-10": (
        lambda p: p["days"] is not None and p["days"] > 0,
        lambda p: p["absent"] is not None and p["absent"] * 10 > p["days"],
    ),
    "almenskole-andel": (
        lambda p: p["enrolled"] > 0,
        lambda p: p["special"] == 0,
    ),
}
COLUMNS = ["pseudonym", "birth_year", "sex", "unit_id", "municipality", "date", "kind", "value"]
INDEX = "analytics_benchobs_kind_date"
BATCH = 50_000


def age_band(age: int) -> str:
    for name, _low, high in AGE_BANDS:
        if age <= high:
            return name
    return AGE_BANDS[-1][0]


def milli(value: Decimal | int | None) -> int:
    return int((value or 0) * 1000)


# --------------------------------------------------------------------------- setup (not timed)


def load(store_connection: Any) -> int:
    """Copy the store's units and observations into the Bench tables: bulk, index built after."""
    table = BenchObservation._meta.db_table
    clear()
    units = store_connection.execute("SELECT unit_id, parent_id FROM units").fetchall()
    BenchUnit.objects.bulk_create([BenchUnit(unit_id=u, parent_id=p) for u, p in units])
    with transaction.atomic(), db.cursor() as cursor:
        cursor.execute(f"DROP INDEX {INDEX}")
        if db.vendor == "postgresql":
            rows = _copy(cursor, store_connection, table)
        else:
            rows = _insert(cursor, store_connection, table)
        cursor.execute(f"CREATE INDEX {INDEX} ON {table} (kind, date)")
        cursor.execute(f"ANALYZE {table}")
    return rows


def _select(store_connection: Any) -> Any:
    return store_connection.execute(
        "SELECT pseudonym, birth_year, sex, unit_id, municipality, CAST(date AS VARCHAR), kind, "
        "CAST(value AS VARCHAR) FROM observations"
    )


def _insert(cursor: Any, store_connection: Any, table: str) -> int:
    placeholders = ", ".join(["%s"] * len(COLUMNS))
    statement = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({placeholders})"
    result, rows = _select(store_connection), 0
    while batch := result.fetchmany(BATCH):
        cursor.executemany(statement, batch)
        rows += len(batch)
    return rows


def _copy(cursor: Any, store_connection: Any, table: str) -> int:
    """PostgreSQL's COPY, fed from the store in batches (psycopg 3)."""
    result, rows = _select(store_connection), 0
    with cursor.cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
        while batch := result.fetchmany(BATCH):
            for row in batch:
                copy.write_row(row)
            rows += len(batch)
    return rows


def clear() -> None:
    """Empty the Bench tables (the benchmark leaves nothing behind)."""
    with db.cursor() as cursor:
        for model in (BenchObservation, BenchUnit):
            table = model._meta.db_table
            if db.vendor == "postgresql":
                cursor.execute(f"TRUNCATE {table}")
            else:
                cursor.execute(f"DELETE FROM {table}")


# --------------------------------------------------------------------------- the baseline


def compute(definitions: Sequence[Definition] = DEFINITIONS) -> pd.DataFrame:
    """Every definition for every unit, period and group: the engine's cell frame."""
    parents = dict(BenchUnit.objects.values_list("unit_id", "parent_id"))
    bounds = BenchObservation.objects.aggregate(first=Min("date"), last=Max("date"))
    periods = engine.period_rows(bounds["first"], bounds["last"])
    cells: dict[tuple[str, int, int, str], list[Any]] = {}
    for definition in definitions:
        wanted = [row for row in periods if row[1] == definition.frequency]
        leaves = leaf(definition, wanted)
        roll_up(cells, definition.code, leaves, parents, definition.has_denominator)
    frame = pd.DataFrame(
        [(*key, *numbers) for key, numbers in cells.items()],
        columns=["indicator", "unit_id", "period", "grp", "numerator", "denominator", "persons"],
    )
    return engine.finish(frame, definitions)


def leaf(definition: Definition, wanted: list[tuple[int, str, int, dt.date, dt.date]]) -> dict:
    """{(unit, period, sex, age band): [numerator, denominator, persons]} of one definition."""
    template = definition.template
    periods = {row[0] for row in wanted}
    if isinstance(template, PersonShare):
        leaves = person_share(definition, template)
    elif isinstance(template, Rate):
        leaves = rate(definition, template, wanted)
    elif isinstance(template, ActiveRate):
        leaves = active_rate(template, wanted)
    elif isinstance(template, Mean | Total):
        leaves = mean(definition, template.kind)
    elif isinstance(template, RatioOfSums):
        leaves = ratio_of_sums(definition, template)
    else:
        raise TypeError(f"No ORM for {type(template).__name__}")
    return {key: numbers for key, numbers in leaves.items() if key[1] in periods}


def _period_fields(definition: Definition) -> list[str]:
    if definition.frequency == "year":
        return ["date__year"]
    return ["date__year", "date__quarter"]


def _period(definition: Definition, row: Row) -> int:
    if definition.frequency == "year":
        return int(row["date__year"])
    return int(row["date__year"]) * 10 + int(row["date__quarter"])


def person_share(definition: Definition, template: PersonShare) -> dict[Key, list[int]]:
    kinds = {kind for kind, _aggregate in template.columns.values()}
    aggregates: dict[str, Any] = {}
    for name, (kind, aggregate) in template.columns.items():
        only = Q(kind=kind)
        if aggregate == "sum":
            aggregates[name] = Sum("value", filter=only)
        elif aggregate == "count":
            aggregates[name] = Count("id", filter=only)
        else:
            aggregates[name] = Max("value", filter=only)
    persons = (
        BenchObservation.objects.filter(kind__in=kinds)
        .values("unit_id", "pseudonym", *_period_fields(definition))
        .annotate(person_sex=Max("sex"), person_birth_year=Max("birth_year"), **aggregates)
        .order_by()
    )
    base, numerator = PERSON_RULES[definition.code]
    leaves: dict[Key, list[int]] = defaultdict(lambda: [0, 0, 0])
    for person in persons.iterator(chunk_size=BATCH):
        if not base(person):
            continue
        age = int(person["date__year"]) - person["person_birth_year"]
        key = (person["unit_id"], _period(definition, person), person["person_sex"], age_band(age))
        numbers = leaves[key]
        numbers[0] += 1000 if numerator(person) else 0
        numbers[1] += 1000
        numbers[2] += 1
    return leaves


def _population(kind: str, wanted: Iterable[tuple[int, str, int, dt.date, dt.date]]) -> dict:
    """{key: persons} of the population on 1 January, for each wanted period of the year."""
    by_year: dict[int, list[int]] = defaultdict(list)
    for period, _frequency, year, _start, _end in wanted:
        by_year[year].append(period)
    counts = (
        BenchObservation.objects.filter(kind=kind)
        .values("unit_id", "sex", "birth_year", "date__year")
        .annotate(persons=Count("pseudonym", distinct=True))
        .order_by()
    )
    population: dict[Key, int] = defaultdict(int)
    for row in counts:
        year = int(row["date__year"])
        for period in by_year.get(year, []):
            key = (row["unit_id"], period, row["sex"], age_band(year - row["birth_year"]))
            population[key] += row["persons"]
    return population


def _with_population(events: dict[Key, int], population: dict[Key, int]) -> dict:
    return {
        key: [events.get(key, 0) * 1000, population.get(key, 0) * 1000, population.get(key, 0)]
        for key in events.keys() | population.keys()
    }


def rate(
    definition: Definition, template: Rate, wanted: list[tuple[int, str, int, dt.date, dt.date]]
) -> dict[Key, list[int]]:
    counts = (
        BenchObservation.objects.filter(kind=template.event_kind)
        .values("unit_id", "sex", "birth_year", *_period_fields(definition))
        .annotate(events=Count("id"))
        .order_by()
    )
    events: dict[Key, int] = defaultdict(int)
    for row in counts:
        age = int(row["date__year"]) - row["birth_year"]
        events[(row["unit_id"], _period(definition, row), row["sex"], age_band(age))] += row[
            "events"
        ]
    return _with_population(events, _population(template.population_kind, wanted))


def active_rate(
    template: ActiveRate, wanted: list[tuple[int, str, int, dt.date, dt.date]]
) -> dict[Key, list[int]]:
    rows = list(
        BenchObservation.objects.filter(kind__in=[template.start_kind, template.end_kind])
        .order_by("pseudonym", "date", "kind", "unit_id")
        .values_list("pseudonym", "unit_id", "sex", "birth_year", "date", "kind")
    )
    active: dict[Key, set[int]] = defaultdict(set)
    for index, (pseudonym, unit, sex, birth_year, started, kind) in enumerate(rows):
        if kind != template.start_kind:
            continue
        # The person's next row closes the spell: an end, or a new start (a change of placement).
        ended = None
        if index + 1 < len(rows) and rows[index + 1][0] == pseudonym:
            ended = rows[index + 1][4]
        for period, _frequency, year, start, end in wanted:
            if started < end and (ended is None or ended >= start):
                active[(unit, period, sex, age_band(year - birth_year))].add(pseudonym)
    events = {key: len(persons) for key, persons in active.items()}
    return _with_population(events, _population(template.population_kind, wanted))


def mean(definition: Definition, kind: str) -> dict[Key, list[int]]:
    """Sum, count and distinct persons per cell (a total has no denominator)."""
    sums = (
        BenchObservation.objects.filter(kind=kind)
        .values("unit_id", "sex", "birth_year", *_period_fields(definition))
        .annotate(total=Sum("value"), count=Count("id"), persons=Count("pseudonym", distinct=True))
        .order_by()
    )
    leaves: dict[Key, list[Any]] = defaultdict(lambda: [0, 0, 0])
    for row in sums:
        age = int(row["date__year"]) - row["birth_year"]
        numbers = leaves[(row["unit_id"], _period(definition, row), row["sex"], age_band(age))]
        numbers[0] += milli(row["total"])
        numbers[1] += row["count"] * 1000
        numbers[2] += row["persons"]
    if not definition.has_denominator:
        for numbers in leaves.values():
            numbers[1] = None
    return leaves


def ratio_of_sums(definition: Definition, template: RatioOfSums) -> dict[Key, list[int]]:
    top, bottom = Q(kind=template.numerator_kind), Q(kind=template.denominator_kind)
    sums = (
        BenchObservation.objects.filter(
            kind__in=[template.numerator_kind, template.denominator_kind]
        )
        .values("unit_id", "sex", "birth_year", *_period_fields(definition))
        .annotate(
            top=Sum("value", filter=top),
            bottom=Sum("value", filter=bottom),
            persons=Count("pseudonym", distinct=True, filter=bottom),
        )
        .order_by()
    )
    leaves: dict[Key, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in sums:
        age = int(row["date__year"]) - row["birth_year"]
        numbers = leaves[(row["unit_id"], _period(definition, row), row["sex"], age_band(age))]
        numbers[0] += milli(row["top"])
        numbers[1] += milli(row["bottom"])
        numbers[2] += row["persons"]
    return leaves


def roll_up(
    cells: dict[tuple[str, int, int, str], list[Any]],
    code: str,
    leaves: dict[Key, list[Any]],
    parents: dict[int, int | None],
    has_denominator: bool,
) -> None:
    """Add each leaf to its unit and every unit above it, for all, its sex and its age band."""
    for (unit, period, sex, band), (numerator, denominator, persons) in leaves.items():
        ancestor: int | None = unit
        while ancestor is not None:
            for group in ("all", f"sex:{sex}", f"age:{band}"):
                numbers = cells.setdefault(
                    (code, ancestor, period, group), [0, 0 if has_denominator else None, 0]
                )
                numbers[0] += numerator
                if has_denominator:
                    numbers[1] += denominator
                numbers[2] += persons
            ancestor = parents.get(ancestor)
