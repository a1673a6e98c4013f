"""Synthetic observation stores for the benchmark: a municipality, or all 98, over five years.

The generator is vectorised with numpy and seeded: the same size and seed
give the same rows. Each municipality gets a realistic unit tree (the
municipality, its administrations, areas, and the institutions and teams
where facts are recorded: schools, day care, the family department's
district teams, elder care, the job centre ...) and, sized by its
inhabitants, the facts of every kind in ``kinds.KINDS`` for 2021-2025:

* children in 22 birth cohorts (1.12 % of the inhabitants each), 83 % of
  them at a municipal school from grade 0 to 9; absence 5.5 % of the school
  days (15 % of the pupils over 10 % in a year); 3 % of the pupils in
  special classes or the special school; exam grades averaging 6.5 with 8 %
  of the examined below 02 in Danish or maths; a well-being answer a year;
  85 % in youth education at 18; 4 % change school in a year;
* notifications for 3 % of the children a year (45 per 1,000), 0.8 %
  placed at any time, monthly payments for lost earnings to the families of
  0.09 % of the inhabitants (324 in Aarhus);
* employees 7 % of the inhabitants, sickness 4.2 % of the planned working
  days, a well-being answer a year from 80 %.

(The figures are those of the Aarhus size, seed 1.) Aarhus (360,000
inhabitants) comes to 5.0 million observations, the country (5.9 million)
to 82 million. Values are whole numbers, halves or quarters, so the float
arithmetic of the pandas baseline and of SQLite is exact and all
implementations can agree to the last digit.

Generation is trusted, so it bypasses ``store.load_relation`` (which checks
a file row by row): each municipality's rows go to a Parquet file in a
scratch folder, and one ``INSERT ... ORDER BY kind, date`` puts them all in
the store, sorted as the engine expects. Memory stays bounded for the
national size: one municipality's arrays at a time, and DuckDB sorts within
``memory_limit``, spilling to disk.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from helhed.analytics import store
from helhed.analytics.kinds import KINDS

Progress = Callable[[str], None]

VERSION = 2  # bump when the generator writes different rows: a cached store is then rebuilt
FIRST_YEAR = 2021
YEARS = 5
QUARTERS = 4 * YEARS
EPOCH = np.datetime64("1970-01-01", "D")
KIND_CODES = tuple(KINDS)
SEXES = ("F", "M")
MEMORY_LIMIT = "3GB"

# Planned school days and working days (after holidays) per quarter, and the
# part of each quarter in which school is held (month, day) to (month, day).
SCHOOL_DAYS = (58, 52, 36, 54)
WORK_DAYS = (58, 55, 50, 57)
SCHOOL_TERMS = (((1, 4), (3, 31)), ((4, 3), (6, 26)), ((8, 11), (9, 30)), ((10, 3), (12, 20)))
GRADES = np.array([-3, 0, 2, 4, 7, 10, 12])
GRADE_EDGES = np.array([-1.5, 1.0, 3.0, 5.5, 8.5, 11.0])

PLACES = (
    "Nord", "Syd", "Øst", "Vest", "Skov", "Sø", "Bakke", "Eng", "Mølle", "Strand", "Å", "Kirke",
    "Lunde", "Holme", "Bøge", "Ege", "Fjord", "Hede", "Mose", "Vang",
)  # fmt: skip

# Known sizes (inhabitants) of the largest and smallest municipalities; the
# rest are drawn once (not from --seed) so the national total is 5.9 million.
NATIONAL_INHABITANTS = 5_900_000
KNOWN_SIZES = {
    101: 660_000, 751: 362_000, 851: 222_000, 461: 207_000, 561: 116_000, 630: 121_000,
    147: 104_000, 730: 99_000, 615: 98_000, 791: 98_000, 621: 95_000, 657: 90_000,
    825: 1_700, 741: 3_700, 563: 3_500, 492: 6_000, 482: 12_000,
}  # fmt: skip


@dataclass(frozen=True)
class Municipality:
    code: int
    name: str
    inhabitants: int


def municipalities(size: str) -> list[Municipality]:
    """The municipalities of a benchmark size: ``tiny``, ``aarhus`` or ``national``."""
    if size == "tiny":
        return [Municipality(751, "Aarhus", 400)]
    if size == "aarhus":
        return [Municipality(751, "Aarhus", 360_000)]
    if size != "national":
        raise ValueError(f"Unknown size {size!r}: tiny, aarhus or national")
    from helhed.organisation.reference import municipality_rows

    rows = municipality_rows()
    others = [row for row in rows if int(row["code"]) not in KNOWN_SIZES]
    drawn = np.random.default_rng(98).lognormal(np.log(42_000), 0.55, len(others))
    rest = NATIONAL_INHABITANTS - sum(KNOWN_SIZES.values())
    scaled = np.round(drawn * rest / drawn.sum()).astype(int)
    sizes = {int(row["code"]): int(n) for row, n in zip(others, scaled, strict=True)}
    sizes.update(KNOWN_SIZES)
    return [Municipality(int(row["code"]), row["name"], sizes[int(row["code"])]) for row in rows]


# --------------------------------------------------------------------------- units


@dataclass
class Tree:
    """One municipality's units, and where each kind of fact is recorded."""

    units: list[store.Unit] = field(default_factory=list)
    schools: list[int] = field(default_factory=list)
    school_share: list[float] = field(default_factory=list)  # of the pupils, per school
    special_school: int | None = None
    districts: list[int] = field(default_factory=list)
    disability_team: int = 0
    youth_guidance: int = 0
    staff: dict[int, float] = field(default_factory=dict)  # unit -> weight (employees)


def _count(inhabitants: int, per: int) -> int:
    return max(1, round(inhabitants / per))


def _place(index: int) -> str:
    name = PLACES[index % len(PLACES)]
    return name if index < len(PLACES) else f"{name} {index // len(PLACES) + 1}"


def build_tree(municipality: Municipality, first_id: int, rng: np.random.Generator) -> Tree:
    """Municipality -> administrations -> areas -> institutions and teams, ids from ``first_id``."""
    tree = Tree()
    code, size = municipality.code, municipality.inhabitants
    next_id = [first_id]

    def add(name: str, parent: int | None, unit_type: str, staff: float = 0) -> int:
        unit_id = next_id[0]
        next_id[0] += 1
        key = str(uuid.UUID(int=(0xB3C4 << 112) | unit_id))
        tree.units.append(store.Unit(unit_id, key, parent, code, name, unit_type))
        if staff:
            tree.staff[unit_id] = staff
        return unit_id

    root = add(f"{municipality.name} Kommune", None, "municipality", 12)
    children = add("Børn og Unge", root, "administration", 8)
    schools = _count(size, 7_500)
    pupils_per_school = rng.lognormal(0, 0.35, schools)
    tree.school_share = list(pupils_per_school / pupils_per_school.sum())
    pupils_per_school *= 0.83 * 10 * 0.0112 * size / pupils_per_school.sum()
    areas = [add(f"Skoleområde {_place(i)}", children, "area", 3) for i in range(-(-schools // 6))]
    for i in range(schools):
        tree.schools.append(
            add(f"{_place(i)}skolen", areas[i % len(areas)], "school", 4 + pupils_per_school[i] / 9)
        )
    if size >= 30_000:
        tree.special_school = add("Specialskolen", areas[0], "school", 0.002 * size)
    daycare = _count(size, 1_300)
    areas = [add(f"Dagtilbud {_place(i)}", children, "area", 3) for i in range(-(-daycare // 12))]
    for i in range(daycare):
        add(
            f"Børnehuset {_place(i)}", areas[i % len(areas)], "daycare", float(rng.integers(10, 30))
        )
    family = add("Familieafdelingen", children, "area", 4)
    tree.districts = [
        add(f"Familieteam {_place(i)}", family, "family_team", 20)
        for i in range(_count(size, 25_000))
    ]
    tree.disability_team = add("Handicapteam", family, "family_team", 15)
    tree.youth_guidance = add("Ungdommens Uddannelsesvejledning", children, "team", 12)

    care = add("Sundhed og Omsorg", root, "administration", 8)
    homes, districts = _count(size, 9_000), _count(size, 18_000)
    areas = [add(f"Lokalområde {_place(i)}", care, "area", 3) for i in range(-(-homes // 5))]
    for i in range(homes):
        add(
            f"Plejecenter {_place(i)}",
            areas[i % len(areas)],
            "care_home",
            float(rng.integers(40, 100)),
        )
    for i in range(districts):
        add(
            f"Hjemmeplejen {_place(i)}",
            areas[i % len(areas)],
            "home_care",
            float(rng.integers(80, 200)),
        )

    social = add("Sociale Forhold og Beskæftigelse", root, "administration", 8)
    jobcentre = add("Jobcenter", social, "area", 3)
    for i in range(_count(size, 30_000)):
        add(f"Jobteam {_place(i)}", jobcentre, "team", 40)
    psychiatry = add("Socialpsykiatri", social, "area", 3)
    for i in range(_count(size, 60_000)):
        add(f"Botilbud {_place(i)}", psychiatry, "institution", 35)
    for name, teams in (
        ("Kultur og Borgerservice", ("Borgerservice", "Biblioteker", "Kultur")),
        ("Teknik og Miljø", ("Vej og Park", "Byggeri", "Natur og Miljø")),
        ("Borgmesterens Afdeling", ("HR", "IT", "Økonomi")),
    ):
        parent = add(name, root, "administration", 8)
        for team in teams:
            add(team, parent, "team", 25 * max(1.0, size / 60_000))

    # Scale the employees to 7 % of the inhabitants.
    factor = 0.07 * size / sum(tree.staff.values())
    tree.staff = {unit: weight * factor for unit, weight in tree.staff.items()}
    return tree


# --------------------------------------------------------------------------- rows


def day_of(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01, the store's DATE as an integer."""
    return int((np.datetime64(dt.date(year, month, day), "D") - EPOCH).astype(int))


def weekday(days: np.ndarray) -> np.ndarray:
    """Friday for a Saturday or Sunday: facts are recorded on working days."""
    week = (days + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
    return days - (week == 5) - 2 * (week == 6)


def pseudonyms(code: int, offset: int, count: int) -> np.ndarray:
    """Distinct 60-bit numbers that look like keyed hashes (an odd multiplier is a bijection)."""
    local = np.arange(offset, offset + count, dtype=np.uint64) | np.uint64(code << 32)
    mixed = local * np.uint64(0x9E3779B97F4A7C15) & np.uint64((1 << 60) - 1)
    return mixed.astype(np.int64)


class Rows:
    """Observations of one group of persons, collected kind by kind as numpy arrays."""

    def __init__(
        self, pseudonym: np.ndarray, birth_year: np.ndarray, female: np.ndarray, code: int
    ) -> None:
        self.pseudonym, self.birth_year, self.female, self.code = (
            pseudonym,
            birth_year,
            female,
            code,
        )
        self.parts: list[tuple[np.ndarray, ...]] = []

    def add(self, kind: str, person: np.ndarray, unit: Any, day: Any, value: Any) -> None:
        n = len(person)
        if not n:
            return
        self.parts.append(
            (
                person,
                np.broadcast_to(np.asarray(unit, dtype=np.int32), (n,)),
                np.broadcast_to(np.asarray(day, dtype=np.int32), (n,)),
                np.full(n, KIND_CODES.index(kind), dtype=np.int8),
                np.broadcast_to(np.asarray(value, dtype=np.float64), (n,)),
            )
        )

    def __len__(self) -> int:
        return sum(len(part[0]) for part in self.parts)

    def table(self) -> pa.Table:
        person, unit, day, kind, value = (
            np.concatenate(column) for column in zip(*self.parts, strict=True)
        )
        return pa.table(
            {
                "pseudonym": self.pseudonym[person],
                "birth_year": self.birth_year[person].astype(np.int16),
                "sex": pa.DictionaryArray.from_arrays(
                    (~self.female[person]).astype(np.int8), pa.array(SEXES)
                ),
                "unit_id": unit,
                "municipality": np.full(len(person), self.code, dtype=np.int16),
                "date": pa.array(day, type=pa.int32()).cast(pa.date32()),
                "kind": pa.DictionaryArray.from_arrays(kind, pa.array(KIND_CODES)),
                "value": value,
            }
        )


@dataclass(frozen=True)
class Quarter:
    index: int
    year: int
    quarter: int
    start: int
    end: int  # exclusive
    school_start: int
    school_end: int

    @property
    def school_year(self) -> int:
        """The August in which this quarter's school year began."""
        return self.year - 1 if self.quarter <= 2 else self.year


def quarters() -> list[Quarter]:
    result = []
    for index in range(QUARTERS):
        year, quarter = FIRST_YEAR + index // 4, index % 4 + 1
        (m1, d1), (m2, d2) = SCHOOL_TERMS[quarter - 1]
        end = day_of(year + 1, 1, 1) if quarter == 4 else day_of(year, 3 * quarter + 1, 1)
        result.append(
            Quarter(
                index,
                year,
                quarter,
                day_of(year, 3 * quarter - 2, 1),
                end,
                day_of(year, m1, d1),
                day_of(year, m2, d2) + 1,
            )
        )
    return result


def _days_between(rng: np.random.Generator, start: int, end: int, count: int) -> np.ndarray:
    return weekday(rng.integers(start, end, count))


def children(municipality: Municipality, tree: Tree, rng: np.random.Generator) -> Iterator[Rows]:
    """Pupils' school facts, then every child's social facts (two groups of rows)."""
    size, code = municipality.inhabitants, municipality.code
    cohorts = np.arange(FIRST_YEAR - 18, FIRST_YEAR + YEARS - 1)
    birth_year = np.repeat(cohorts, rng.poisson(0.0112 * size, len(cohorts))).astype(np.int16)
    count = len(birth_year)
    female = rng.random(count) < 0.487
    pseudonym = pseudonyms(code, 0, count)
    schools = np.array(tree.schools, dtype=np.int32)
    share = np.array(tree.school_share)
    home = rng.choice(len(schools), count, p=share)
    public = rng.random(count) < 0.83
    ability = rng.standard_normal(count)
    absence = np.minimum(rng.gamma(1.3, 0.058 / 1.3, count), 0.7)
    special = rng.random(count) < 0.05
    special_from = rng.integers(0, 9, count)
    special_school = tree.special_school
    at_special_school = special & (rng.random(count) < 0.55) & (special_school is not None)
    # The school of each school year (August 2020 to August 2025): 4 % change school a year.
    school = np.empty((count, YEARS + 1), dtype=np.int32)
    current = home.copy()
    for column in range(YEARS + 1):
        moves = rng.random(count) < 0.04
        current = np.where(moves, rng.choice(len(schools), count, p=share), current)
        school[:, column] = schools[current]

    rows = Rows(pseudonym, birth_year, female, code)
    for quarter in quarters():
        grade = quarter.school_year - 6 - birth_year
        person = np.nonzero(public & (grade >= 0) & (grade <= 9))[0]
        in_special = special[person] & (grade[person] >= special_from[person])
        unit = school[person, quarter.school_year - FIRST_YEAR + 1]
        if special_school is not None:
            unit = np.where(in_special & at_special_school[person], special_school, unit)
        days = SCHOOL_DAYS[quarter.quarter - 1]
        rows.add("enrolment", person, unit, quarter.start, days)
        rows.add("special_class", person[in_special], unit[in_special], quarter.start, 1)
        absent = rng.binomial(days, absence[person])
        which = np.repeat(np.arange(len(person)), absent)
        rows.add(
            "absence_day",
            person[which],
            unit[which],
            _days_between(rng, quarter.school_start, quarter.school_end, len(which)),
            np.where(rng.random(len(which)) < 0.9, 1.0, 0.5),
        )
        if quarter.quarter == 1:  # the national well-being survey, February and March
            answers = rng.random(len(person)) < 0.88
            score = rng.normal(3.95 + 0.15 * ability[person], 0.5)
            rows.add(
                "wellbeing_pupil",
                person[answers],
                unit[answers],
                _days_between(
                    rng, day_of(quarter.year, 2, 1), day_of(quarter.year, 3, 26), len(person)
                )[answers],
                (np.round(np.clip(score, 1, 5) * 4) / 4)[answers],
            )
        if quarter.quarter == 2:  # 9th grade exams in June: Danish four grades, maths two
            exempt = np.where(in_special, 0.7, 0.03)
            sitting = (grade[person] == 9) & (rng.random(len(person)) >= exempt)
            examined, exam_unit = person[sitting], unit[sitting]
            for kind, exams in (("grade_danish", 4), ("grade_maths", 2)):
                for _exam in range(exams):
                    score = 6.5 + 2.9 * ability[examined] + rng.normal(0, 1.7, len(examined))
                    rows.add(
                        kind,
                        examined,
                        exam_unit,
                        _days_between(
                            rng,
                            day_of(quarter.year, 6, 2),
                            day_of(quarter.year, 6, 25),
                            len(examined),
                        ),
                        GRADES[np.digitize(score, GRADE_EDGES)],
                    )
    # Youth education status in the year of turning 18 (30 September).
    for year in range(FIRST_YEAR, FIRST_YEAR + YEARS):
        person = np.nonzero(birth_year == year - 18)[0]
        chance = 1 / (1 + np.exp(-(2.1 + 1.1 * ability[person])))
        unit = np.where(public[person], schools[home[person]], tree.youth_guidance)
        status = (rng.random(len(person)) < chance).astype(np.float64)
        rows.add("youth_education_18", person, unit, day_of(year, 9, 30), status)
    yield rows

    rows = Rows(pseudonym, birth_year, female, code)
    districts = np.array(tree.districts, dtype=np.int32)
    district = districts[home * len(districts) // len(schools)]
    risk = rng.gamma(0.05, 20, count)
    for year in range(FIRST_YEAR, FIRST_YEAR + YEARS):
        age = year - birth_year
        person = np.nonzero((age >= 1) & (age <= 18))[0]
        rows.add("child_resident", person, district[person], day_of(year, 1, 1), 1)
        person = np.nonzero((age >= 0) & (age <= 17))[0]
        which = np.repeat(person, rng.poisson(0.045 * risk[person]))
        rows.add(
            "notification",
            which,
            district[which],
            _days_between(rng, day_of(year, 1, 3), day_of(year, 12, 30), len(which)),
            1,
        )
    _placements(rows, birth_year, district, risk, rng)
    yield rows


def _placements(
    rows: Rows,
    birth_year: np.ndarray,
    district: np.ndarray,
    risk: np.ndarray,
    rng: np.random.Generator,
) -> None:
    """At most two spells per child, never overlapping: one ongoing on 1 January 2021, one new."""
    count = len(birth_year)
    first, last = day_of(FIRST_YEAR, 1, 1), day_of(FIRST_YEAR + YEARS - 1, 12, 31)
    age = FIRST_YEAR - birth_year
    eligible = (age >= 1) & (age <= 17)
    ongoing = (rng.random(count) < np.minimum(0.008 * risk, 0.6)) & eligible
    if ongoing.sum() < 2:  # even the smallest municipality has a child or two in care
        ongoing[np.argsort(np.where(eligible, -risk, 0))[:2]] = True
    ended = first + 1 + rng.exponential(900, count).astype(np.int64)
    started_new = np.full(count, -1, dtype=np.int64)
    for year in range(FIRST_YEAR, FIRST_YEAR + YEARS):
        hit = (rng.random(count) < np.minimum(0.0035 * risk, 0.5)) & (started_new < 0)
        hit &= (year - birth_year >= 0) & (year - birth_year <= 16)
        started_new[hit] = rng.integers(day_of(year, 1, 1), day_of(year, 12, 31), hit.sum())
    later = np.maximum(started_new, np.where(ongoing, ended + 30 + rng.integers(0, 365, count), 0))
    new = (started_new >= 0) & (later <= last)
    new_end = later + 60 + rng.exponential(900, count).astype(np.int64)
    person = np.nonzero(ongoing)[0]
    rows.add("placement_start", person, district[person], first, 1)
    person = np.nonzero(ongoing & (ended <= last))[0]
    rows.add("placement_end", person, district[person], ended[person], 1)
    person = np.nonzero(new)[0]
    rows.add("placement_start", person, district[person], later[person], 1)
    person = np.nonzero(new & (new_end <= last))[0]
    rows.add("placement_end", person, district[person], new_end[person], 1)


def families(municipality: Municipality, tree: Tree, rng: np.random.Generator) -> Rows:
    """Monthly payments for lost earnings to the parents of disabled children."""
    count = max(2, round(0.0009 * municipality.inhabitants))
    months = YEARS * 12
    rows = Rows(
        pseudonyms(municipality.code, 2 << 28, count),
        rng.integers(1972, 1999, count).astype(np.int16),
        rng.random(count) < 0.8,
        municipality.code,
    )
    duration = rng.geometric(1 / 30, count)
    start = rng.integers(1 - duration, months)  # every family is paid at least once
    first, stop = np.maximum(start, 0), np.minimum(start + duration, months)
    paid = stop - first
    family = np.repeat(np.arange(count), paid)
    month = first[family] + np.arange(len(family)) - np.repeat(np.cumsum(paid) - paid, paid)
    year = FIRST_YEAR + month // 12
    base = np.round(np.clip(rng.normal(16_500, 6_000, count), 1_500, 33_000))
    amount = np.round(base[family] * 1.03 ** (year - FIRST_YEAR))
    last_day = np.array(
        [day_of(FIRST_YEAR + (m + 1) // 12, (m + 1) % 12 + 1, 1) - 1 for m in range(months)]
    )
    rows.add(
        "lost_earnings_payment", family, tree.disability_team, weekday(last_day[month]), amount
    )
    return rows


def employees(municipality: Municipality, tree: Tree, rng: np.random.Generator) -> Rows:
    """Each job's holder in each quarter: planned working days, sick days, a yearly answer."""
    units = np.array(list(tree.staff), dtype=np.int32)
    sizes = np.maximum(1, np.round(np.array(list(tree.staff.values())))).astype(np.int64)
    job_unit = np.repeat(units, sizes)
    jobs = len(job_unit)
    change = rng.random((jobs, QUARTERS)) < 0.035  # about 13 % leave a year
    change[:, 0] = False
    holders = np.cumsum(change, axis=1)
    job_offset = np.concatenate(([0], np.cumsum(holders[:, -1] + 1)[:-1]))
    holder = job_offset[:, None] + holders
    count = int(holders[:, -1].sum() + jobs)
    rows = Rows(
        pseudonyms(municipality.code, 1 << 28, count),
        rng.integers(1958, 2002, count).astype(np.int16),
        rng.random(count) < 0.78,
        municipality.code,
    )
    fraction = rng.choice([1.0, 0.8, 0.6, 0.5], count, p=[0.6, 0.25, 0.1, 0.05])
    sickness = np.minimum(rng.gamma(0.9, 0.046 / 0.9, count), 0.6)
    for quarter in quarters():
        person = holder[:, quarter.index]
        planned = np.round(WORK_DAYS[quarter.quarter - 1] * fraction[person] * 2) / 2
        rows.add("staff_workdays", person, job_unit, quarter.start, planned)
        sick = rng.binomial(np.floor(planned).astype(np.int64), sickness[person])
        which = np.repeat(np.arange(jobs), sick)
        rows.add(
            "staff_sickness_day",
            person[which],
            job_unit[which],
            _days_between(rng, quarter.start + 3, quarter.end - 1, len(which)),
            np.where(rng.random(len(which)) < 0.85, 1.0, 0.5),
        )
        if quarter.quarter == 4:  # the yearly survey in October and November
            answers = rng.random(jobs) < 0.8
            score = np.clip(np.round(rng.normal(74, 14, jobs)), 1, 100)
            rows.add(
                "staff_wellbeing",
                person[answers],
                job_unit[answers],
                _days_between(rng, quarter.start + 3, day_of(quarter.year, 11, 28), jobs)[answers],
                score[answers],
            )
    return rows


def municipality_rows(
    municipality: Municipality, tree: Tree, rng: np.random.Generator
) -> Iterator[pa.Table]:
    """The municipality's observations, a group of persons at a time (bounded memory)."""
    for rows in children(municipality, tree, rng):
        yield rows.table()
    yield families(municipality, tree, rng).table()
    yield employees(municipality, tree, rng).table()


# --------------------------------------------------------------------------- the store


@dataclass(frozen=True)
class Generated:
    rows: int
    units: int
    seconds: float
    reused: bool = False


def source_label(size: str, seed: int) -> str:
    """What the store's batch is called; a store with the same label is reused."""
    return f"bench {size} seed {seed} generator v{VERSION}"


def existing(path: Path, size: str, seed: int) -> Generated | None:
    """The store at ``path`` if it holds exactly this size and seed, else None."""
    if not path.exists():
        return None
    connection = store.open_store(path, read_only=True)
    try:
        batches = connection.execute("SELECT source, rows FROM batches").fetchall()
        units = connection.execute("SELECT COUNT(*) FROM units").fetchone()[0]
    finally:
        connection.close()
    if len(batches) != 1 or batches[0][0] != source_label(size, seed):
        return None
    return Generated(int(batches[0][1]), int(units), 0.0, reused=True)


def generate_store(path: Path, size: str, seed: int, progress: Progress) -> Generated:
    """Write a new store at ``path`` (replacing any) with the units and rows of ``size``."""
    started = time.perf_counter()
    for old in (path, path.with_name(path.name + ".wal")):
        old.unlink(missing_ok=True)
    places = municipalities(size)
    inhabitants = sum(m.inhabitants for m in places)
    progress(f"generating {size}: {len(places)} municipalities, {inhabitants:,} inhabitants")
    seeds = np.random.SeedSequence(seed).spawn(len(places))
    connection = store.open_store(path)
    scratch = Path(tempfile.mkdtemp(prefix="bench-", dir=path.parent))
    try:
        connection.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        connection.execute(f"SET temp_directory = '{scratch / 'spill'}'")
        units: list[store.Unit] = []
        rows = 0
        for done, (municipality, child_seed) in enumerate(zip(places, seeds, strict=True), 1):
            rng = np.random.default_rng(child_seed)
            tree = build_tree(municipality, len(units) + 1, rng)
            units.extend(tree.units)
            for part, table in enumerate(municipality_rows(municipality, tree, rng)):
                pq.write_table(table, scratch / f"{municipality.code}-{part}.parquet")
                rows += table.num_rows
            progress(f"{done:,} of {len(places):,} municipalities: {rows:,} observations")
        store.replace_units(connection, units)
        progress(f"sorting {rows:,} observations by kind and date into {path}")
        files = str(scratch / "*.parquet").replace("'", "''")
        connection.execute(f"""
            INSERT INTO observations
            SELECT pseudonym, birth_year, sex, unit_id, municipality, date, kind,
                   CAST(value AS DECIMAL(18, 3)), 1
            FROM read_parquet('{files}') ORDER BY kind, date""")
        first, last = connection.execute("SELECT MIN(date), MAX(date) FROM observations").fetchone()
        connection.execute(
            "INSERT INTO batches VALUES (1, ?, now()::TIMESTAMP, ?, ?, ?, FALSE)",
            [source_label(size, seed), rows, first, last],
        )
        connection.execute("CHECKPOINT")
    finally:
        connection.close()
        shutil.rmtree(scratch, ignore_errors=True)
    return Generated(rows, len(units), time.perf_counter() - started)


def kind_counts(path: Path) -> dict[str, int]:
    """Rows per kind in the store, for the progress output and the tests."""
    connection = store.open_store(path, read_only=True)
    try:
        rows = connection.execute(
            "SELECT kind, COUNT(*) FROM observations GROUP BY kind ORDER BY kind"
        ).fetchall()
    finally:
        connection.close()
    return {kind: int(n) for kind, n in rows}
