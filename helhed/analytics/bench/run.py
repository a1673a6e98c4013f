"""Run the benchmark: generate, time the engine and both baselines, check, print the ratios.

The engine is timed in a child process (best of ``runs``, each on a fresh
connection to the store) so that its peak memory is its own, not the
generator's or pandas'. The baselines are timed once, in this process, from
data already in place: the pandas frame and the ORM's table are loaded
first and that loading is not timed. Wall-clock times make the result line;
CPU times are printed too, as they suffer less when other work shares the
machine. The three results must be equal cell by cell
(``engine.normalise``); otherwise ``Mismatch`` names the first differing
cells.

``python -m helhed.analytics.bench.run --engine-child STORE CELLS RUNS`` is
the child; it needs no Django.
"""

from __future__ import annotations

import gc
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from helhed.analytics import engine, store
from helhed.analytics.bench import generate, pandas_baseline

Say = Callable[[str], None]

SIZES = ("tiny", "aarhus", "national")
CELL_KEYS = ["indicator", "unit_id", "period", "grp"]
CELL_NUMBERS = ["numerator", "denominator", "persons", "value_milli"]
# Measured on the Aarhus size: the frame and pandas' intermediates peak at about 250 bytes a row.
PANDAS_BYTES_PER_ROW = 250
ORM_LIMIT_ROWS = 20_000_000


class BenchError(Exception):
    """The benchmark could not finish; the message says why."""


class Mismatch(BenchError):
    """A baseline disagrees with the engine; the message lists the first differing cells."""


@dataclass
class Summary:
    size: str
    engine: float
    pandas: float | None = None
    orm: float | None = None
    cold: float | None = None

    def cold_line(self) -> str:
        """The same comparison for the cold engine (every leaf cell recomputed)."""
        if self.cold is None:
            return ""
        parts = [f"engine {self.cold:.2f} s"]
        if self.pandas is not None:
            parts.append(f"vs pandas {self.pandas / self.cold:.1f}x")
        if self.orm is not None:
            parts.append(f"vs orm {int(self.orm / self.cold + 0.5)}x")
        return f"{self.size} cold: " + ", ".join(parts)

    def line(self) -> str:
        """``aarhus: engine 0.62 s, pandas 4.10 s, orm 31.0 s, vs pandas 6.6x, vs orm 50x``."""
        parts = [f"engine {self.engine:.2f} s"]
        if self.pandas is not None:
            parts.append(f"pandas {self.pandas:.2f} s")
        if self.orm is not None:
            parts.append(f"orm {self.orm:.1f} s")
        if self.pandas is not None:
            parts.append(f"vs pandas {self.pandas / self.engine:.1f}x")
        if self.orm is not None:
            parts.append(f"vs orm {int(self.orm / self.engine + 0.5)}x")
        return f"{self.size}: " + ", ".join(parts)


def gigabytes(kilobytes: int) -> str:
    return f"{kilobytes / 1024 / 1024:.2f} GB"


def differences(expected: pd.DataFrame, actual: pd.DataFrame, limit: int = 10) -> list[str]:
    """The first cells that differ between two normalised cell frames, one line each."""
    merged = expected.merge(
        actual, on=CELL_KEYS, how="outer", suffixes=("", "_other"), indicator=True
    )
    differs = merged["_merge"] != "both"
    for column in CELL_NUMBERS:
        mine, theirs = merged[column].astype("Int64"), merged[f"{column}_other"].astype("Int64")
        same = (mine == theirs).fillna(False) | (mine.isna() & theirs.isna())
        differs |= ~same.astype(bool)
    lines = []
    for row in merged[differs].head(limit).to_dict("records"):
        cell = " ".join(str(row[key]) for key in CELL_KEYS)
        if row["_merge"] == "left_only":
            lines.append(f"{cell}: only in the engine's cells")
        elif row["_merge"] == "right_only":
            lines.append(f"{cell}: missing from the engine's cells")
        else:
            numbers = ", ".join(
                f"{column} {row[column]} vs {row[f'{column}_other']}"
                for column in CELL_NUMBERS
                if str(row[column]) != str(row[f"{column}_other"])
            )
            lines.append(f"{cell}: {numbers}")
    if int(differs.sum()) > limit:
        lines.append(f"... {int(differs.sum()) - limit:,} more")
    return lines


def check(name: str, expected: pd.DataFrame, actual: pd.DataFrame) -> None:
    actual = engine.normalise(actual)
    if not expected.equals(actual):
        lines = differences(expected, actual)
        raise Mismatch(f"{name} differs from the engine:\n  " + "\n  ".join(lines))


# --------------------------------------------------------------------------- the engine


def engine_child(path: str, out: str, runs: int) -> None:
    """In the child: time ``runs`` computations of each kind, write the cells, report.

    Two figures per run, each on a fresh connection:

    * *cold*: ``engine.compute``: every year's leaf cells recomputed from the
      observations, then the roll-up (what ``helhed compute --full`` does);
    * *kept*: ``engine.rollup`` over the leaf cells the store keeps by period
      (what ``helhed compute`` does for every unit and period once the leaf
      cells are current: a new batch recomputes only its years' leaf cells).
    """
    cold, kept, cold_cpu, kept_cpu = [], [], [], []
    result = None
    for _run in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        connection = store.open_store(path)  # the engine keeps its leaf cells in the store
        result = engine.compute(connection)
        cold.append(time.perf_counter() - started)
        cold_cpu.append(time.process_time() - started_cpu)
        connection.close()
    for _run in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        connection = store.open_store(path)
        engine.prepare_rollup(connection)
        kept_result = engine.rollup(connection)
        kept.append(time.perf_counter() - started)
        kept_cpu.append(time.process_time() - started_cpu)
        connection.close()
    if result is None:
        raise ValueError("runs must be at least 1")
    if not engine.normalise(result.cells).equals(engine.normalise(kept_result.cells)):
        raise ValueError("The roll-up of the kept leaf cells differs from the full computation")
    engine.normalise(result.cells).to_parquet(out)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report = {"cold": cold, "cold_cpu": cold_cpu, "kept": kept, "kept_cpu": kept_cpu}
    sys.stdout.write(json.dumps({**report, "peak_kb": peak}) + "\n")


def time_engine(path: Path, runs: int, say: Say) -> tuple[float, float, pd.DataFrame]:
    """(best kept, best cold, cells) of the engine, timed in a child process."""
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "cells.parquet"
        command = [sys.executable, "-m", __name__, "--engine-child", str(path), str(out), str(runs)]
        finished = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        if finished.returncode:
            raise BenchError(f"The engine failed:\n{finished.stderr[-2000:]}")
        report = json.loads(finished.stdout.strip().splitlines()[-1])
        cells = engine.normalise(pd.read_parquet(out))

    def listed(times: list[float]) -> str:
        return ", ".join(f"{seconds:.3f} s" for seconds in times)

    say(
        f"engine, cold (every year's leaf cells from the observations, then the roll-up): "
        f"{listed(report['cold'])}; CPU {listed(report['cold_cpu'])}"
    )
    say(
        f"engine, kept (the roll-up of the leaf cells kept by period, as helhed compute "
        f"runs once they are current): {listed(report['kept'])}; CPU {listed(report['kept_cpu'])}"
    )
    say(f"engine: {len(cells):,} cells, the same both ways; each run on a fresh connection")
    say(f"peak memory of the engine's process: {gigabytes(report['peak_kb'])}")
    return min(report["kept"]), min(report["cold"]), cells


# --------------------------------------------------------------------------- the baselines


def available_bytes() -> int:
    """MemAvailable from /proc/meminfo (Linux); a large number elsewhere."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 1 << 50


def time_pandas(path: Path, rows: int, expected: pd.DataFrame, say: Say) -> float | None:
    needed, spare = rows * PANDAS_BYTES_PER_ROW, 0.8 * available_bytes()
    if needed > spare:
        say(
            f"pandas skipped: {rows:,} rows need about {needed / 1e9:.0f} GB in a data frame, "
            f"more than the {spare / 1e9:.0f} GB this machine can spare (80 % of what is free)"
        )
        return None
    started = time.perf_counter()
    connection = store.open_store(path, read_only=True)
    try:
        frame = pandas_baseline.load_frame(connection)
        units = connection.execute("SELECT unit_id, parent_id FROM units").fetchdf()
    finally:
        connection.close()
    say(
        f"pandas: {len(frame):,} rows loaded into a data frame in "
        f"{time.perf_counter() - started:.1f} s (setup, not timed)"
    )
    started, started_cpu = time.perf_counter(), time.process_time()
    cells = pandas_baseline.compute(frame, units)
    seconds, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    del frame
    gc.collect()
    say(f"pandas: {seconds:.3f} s (one run; CPU {cpu:.3f} s)")
    check("pandas", expected, cells)
    say("pandas: the same cells as the engine, to the last digit")
    return seconds


def time_orm(path: Path, rows: int, expected: pd.DataFrame, say: Say) -> float | None:
    if rows > ORM_LIMIT_ROWS:
        say(
            f"orm skipped: it would first copy {rows:,} rows into the operational database "
            "and then loop over them in Python; --size aarhus measures the ORM"
        )
        return None
    from django.db import connection as db

    from helhed.analytics.bench import orm_baseline

    started = time.perf_counter()
    connection = store.open_store(path, read_only=True)
    try:
        loaded = orm_baseline.load(connection)
    finally:
        connection.close()
    say(
        f"orm: {loaded:,} rows copied into BenchObservation on {db.vendor} in "
        f"{time.perf_counter() - started:.1f} s (setup, not timed)"
    )
    try:
        started, started_cpu = time.perf_counter(), time.process_time()
        cells = orm_baseline.compute()
        seconds, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    finally:
        orm_baseline.clear()
        if db.vendor == "sqlite" and not db.in_atomic_block:
            with db.cursor() as cursor:
                cursor.execute("VACUUM")
    say(
        f"orm: {seconds:.3f} s (one run; CPU in this process {cpu:.3f} s); "
        "BenchObservation emptied again"
    )
    check("orm", expected, cells)
    say("orm: the same cells as the engine, to the last digit")
    return seconds


# --------------------------------------------------------------------------- the whole run


def bench(
    size: str,
    directory: Path,
    say: Say,
    *,
    seed: int = 1,
    runs: int = 3,
    skip_pandas: bool = False,
    skip_orm: bool = False,
    regenerate: bool = False,
) -> Summary:
    """The whole benchmark of one size; the summary's ``line()`` is the result."""
    if size not in SIZES:
        raise ValueError(f"Unknown size {size!r}")
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{size}.duckdb"
    made = None if regenerate else generate.existing(path, size, seed)
    if made is not None:
        say(f"reusing {path}: {made.rows:,} observations (--regenerate to rebuild it)")
    else:
        made = generate.generate_store(path, size, seed, say)
        say(f"generated {made.rows:,} observations in {made.units:,} units in {made.seconds:.1f} s")
    for kind, count in generate.kind_counts(path).items():
        say(f"  {kind}: {count:,}")
    seconds, cold, cells = time_engine(path, runs, say)
    summary = Summary(size, seconds, cold=cold)
    if skip_pandas:
        say("pandas skipped (--skip-pandas)")
    else:
        summary.pandas = time_pandas(path, made.rows, cells, say)
    if skip_orm:
        say("orm skipped (--skip-orm)")
    else:
        summary.orm = time_orm(path, made.rows, cells, say)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    say(f"peak memory of this process (generation and baselines): {gigabytes(peak)}")
    return summary


def main(argv: list[str]) -> int:
    if len(argv) == 4 and argv[0] == "--engine-child":
        engine_child(argv[1], argv[2], int(argv[3]))
        return 0
    sys.stderr.write("usage: python -m helhed.analytics.bench.run --engine-child STORE OUT RUNS\n")
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
