"""Publishing the engine's results: suppress, then store cells and measurements.

``compute_and_publish`` is what ``helhed compute`` and the demo run: it
computes the periods with new data (or all), applies small-number and
complementary suppression (``suppression.suppress``) *before* anything
leaves the engine, and replaces the published cells of those periods in one
transaction. A hidden cell is stored without its numbers.

The group "all" of each cell also becomes the results app's measurement
(source "computed"), so the results pages, status reports and dashboards
show the same number. A measurement entered by hand is never overwritten.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd
from django.db import transaction
from django.utils import timezone

from helhed.analytics import engine, store
from helhed.analytics.definitions import BY_CODE, DEFINITIONS
from helhed.analytics.models import Cell, ComputeRun
from helhed.analytics.suppression import suppress
from helhed.organisation.models import Unit
from helhed.results.models import Indicator, Measurement
from helhed.results.periods import Frequency, Period
from helhed.results.status import MIN_PERSONS

BATCH = 5_000
THOUSAND = Decimal(1000)
SOURCE_DETAIL = "Helhed analytics engine"

Progress = Callable[[str], None]


@dataclass
class Published:
    periods: list[str] = field(default_factory=list)
    cells: int = 0
    suppressed: int = 0
    measurements: int = 0
    seconds: float = 0.0


def period_code(period: int) -> str:
    """20253 -> "2025-Q3", 2025 -> "2025"."""
    if period >= 10_000:
        return Period(Frequency.QUARTERLY, period // 10, period % 10).code
    return Period(Frequency.YEARLY, period).code


def units_from_organisation(municipalities: Iterable[int] | None = None) -> list[store.Unit]:
    """Today's unit tree from the operational database, keyed by the units' stable keys."""
    current = Unit.objects.valid_on().select_related("unit_type", "municipality")
    if municipalities is not None:
        current = current.filter(municipality__code__in=list(municipalities))
    rows = list(current)
    ids = {unit.pk for unit in rows}
    return [
        store.Unit(
            unit_id=unit.pk,
            unit_key=str(unit.key),
            parent_id=unit.parent_id if unit.parent_id in ids else None,
            municipality=unit.municipality.code,
            name=unit.name,
            unit_type=unit.unit_type.code,
        )
        for unit in rows
    ]


def _decimal(milli: Any) -> Decimal | None:
    if milli is None or pd.isna(milli):
        return None
    return Decimal(int(milli)) / THOUSAND


def compute_and_publish(
    connection: Any,
    *,
    full: bool = False,
    progress: Progress | None = None,
    municipalities: Iterable[int] | None = None,
) -> Published:
    """Compute what is new in the store (everything with ``full``) and publish it.

    ``municipalities`` (codes) publishes only theirs: the demo adds one
    municipality at a time and need not rewrite the others' cells.
    """
    say = progress or (lambda _text: None)
    ranges = None if full else store.pending_ranges(connection)
    if ranges == []:
        say("nothing new to compute")
        return Published()
    started = time.perf_counter()
    result = engine.compute(connection, DEFINITIONS, ranges, progress=say)
    return publish(connection, result, progress=say, started=started, municipalities=municipalities)


def publish(
    connection: Any,
    result: engine.Result,
    *,
    progress: Progress | None = None,
    started: float | None = None,
    municipalities: Iterable[int] | None = None,
) -> Published:
    """Suppress and store a result, from DuckDB or from Spark (``spark.compute_on_spark``).

    ``connection`` is the store the result was computed from: its unit tree
    gives the parents for suppression and the units' keys. Municipalities are
    separate trees, so publishing only some of them (``municipalities``)
    suppresses and replaces exactly theirs.
    """
    say = progress or (lambda _text: None)
    started = time.perf_counter() if started is None else started
    published = Published()
    run = ComputeRun.objects.create()
    cells, own = result.cells, result.own
    codes = None if municipalities is None else {int(code) for code in municipalities}
    tree = connection.execute("SELECT unit_id, unit_key, parent_id, municipality FROM units")
    rows = tree.fetchall()
    if codes is not None:
        wanted = [unit_id for unit_id, _key, _parent, code in rows if code in codes]
        cells = cells[cells["unit_id"].isin(wanted)].reset_index(drop=True)
        own = own[own["unit_id"].isin(wanted)].reset_index(drop=True)
    say(f"suppression of {len(cells):,} cells")
    parents = {unit_id: parent for unit_id, _key, parent, _code in rows}
    cells["suppression"] = suppress(cells, own, parents, minimum=MIN_PERSONS).to_numpy()
    units = _registrations({unit_id: uuid.UUID(key) for unit_id, key, _parent, _code in rows})
    periods = {
        int(period): (code := period_code(int(period)), Period.parse(code).start)
        for period in cells["period"].unique()
    }
    published.periods = [periods[period][0] for period in sorted(periods)]
    with transaction.atomic():
        published.cells, published.suppressed = _store_cells(cells, units, periods, say, codes)
        published.measurements = _store_measurements(cells, units, periods, say, codes)
        store.mark_computed(connection)
        published.seconds = time.perf_counter() - started
        ComputeRun.objects.filter(pk=run.pk).update(
            finished_at=timezone.now(),
            periods=", ".join(published.periods)[:400],
            observations=int(connection.execute("SELECT COUNT(*) FROM observations").fetchone()[0]),
            cells=published.cells,
            suppressed=published.suppressed,
            seconds=Decimal(f"{published.seconds:.3f}"),
        )
    return published


def _registrations(keys: dict[int, uuid.UUID]) -> dict[int, Unit]:
    """The store's unit ids as today's registrations of the units (by their stable keys)."""
    by_key = {
        unit.key: unit
        for unit in Unit.objects.valid_on()
        .filter(key__in=set(keys.values()))
        .select_related("municipality")
    }
    return {unit_id: by_key[key] for unit_id, key in keys.items() if key in by_key}


def _store_cells(
    cells: pd.DataFrame,
    units: dict[int, Unit],
    periods: dict[int, tuple[str, dt.date]],
    say: Progress,
    codes: set[int] | None = None,
) -> tuple[int, int]:
    old = Cell.objects.filter(
        period__in=[code for code, _start in periods.values()], indicator_code__in=BY_CODE
    )
    if codes is not None:
        old = old.filter(municipality__code__in=codes)
    old.delete()
    batch: list[Cell] = []
    stored = hidden_count = 0
    total = len(cells)
    for row in cells.itertuples(index=False):
        unit = units.get(int(row.unit_id))
        if unit is None:
            continue
        code, start = periods[int(row.period)]
        hidden = bool(row.suppression)
        hidden_count += hidden
        batch.append(
            Cell(
                indicator_code=row.indicator,
                municipality_id=unit.municipality_id,
                unit=unit,
                unit_key=unit.key,
                period=code,
                period_start=start,
                group=row.grp,
                value=None if hidden else _decimal(row.value_milli),
                numerator=None if hidden else _decimal(row.numerator),
                denominator=None if hidden else _decimal(row.denominator),
                persons=None if hidden else int(row.persons),
                suppression=row.suppression,
            )
        )
        if len(batch) >= BATCH:
            Cell.objects.bulk_create(batch)
            stored += len(batch)
            batch = []
            say(f"cells stored: {stored:,} of {total:,}")
    Cell.objects.bulk_create(batch)
    stored += len(batch)
    return stored, hidden_count


def _store_measurements(
    cells: pd.DataFrame,
    units: dict[int, Unit],
    periods: dict[int, tuple[str, dt.date]],
    say: Progress,
    codes: set[int] | None = None,
) -> int:
    """The group "all" as the results app's measurements (hidden ones without their value)."""
    overall = cells[cells["grp"] == "all"]
    codes_of_periods = [code for code, _start in periods.values()]
    indicators = {
        (indicator.municipality_id, indicator.code): indicator
        for indicator in Indicator.objects.filter(code__in=BY_CODE)
    }
    wanted: list[Measurement] = []
    for row in overall.itertuples(index=False):
        unit = units.get(int(row.unit_id))
        indicator = indicators.get((unit.municipality_id, row.indicator)) if unit else None
        if unit is None or indicator is None:
            continue
        if indicator.frequency != BY_CODE[row.indicator].frequency:
            continue
        value = _decimal(row.value_milli)
        if value is None:
            continue
        code, start = periods[int(row.period)]
        hidden = bool(row.suppression)
        wanted.append(
            Measurement(
                indicator=indicator,
                unit=unit,
                unit_key=unit.key,
                period=code,
                period_start=start,
                # A hidden value is not stored: 0 with the flag, never the number.
                value=Decimal(0) if hidden else value,
                numerator=None if hidden else _decimal(row.numerator),
                denominator=None if hidden else _decimal(row.denominator),
                persons=min(int(row.persons), MIN_PERSONS - 1)
                if row.suppression == "primary"
                else int(row.persons),
                suppressed=row.suppression == "complementary",
                source=Measurement.Source.COMPUTED,
                source_detail=SOURCE_DETAIL,
            )
        )
    pairs = {(m.indicator_id, m.unit_key, m.period) for m in wanted}
    manual = set(
        Measurement.objects.filter(
            indicator_id__in={m.indicator_id for m in wanted},
            period__in=codes_of_periods,
            source=Measurement.Source.MANUAL,
        ).values_list("indicator_id", "unit_key", "period")
    )
    old = Measurement.objects.filter(
        indicator_id__in={m.indicator_id for m in wanted}, period__in=codes_of_periods
    ).exclude(source=Measurement.Source.MANUAL)
    if codes is not None:
        old = old.filter(indicator__municipality__code__in=codes)
    old.delete()
    kept = [m for m in wanted if (m.indicator_id, m.unit_key, m.period) not in manual]
    Measurement.objects.bulk_create(kept, batch_size=BATCH)
    say(f"measurements stored: {len(kept):,} ({len(pairs) - len(kept)} kept as entered by hand)")
    return len(kept)
