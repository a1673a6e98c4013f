"""The demo's event data: pupils, children, families and staff as pseudonymised observations.

``demo/results.py`` plans, per leaf unit (schools, the family department's teams,
institutions) and period, the numerator, denominator and persons of each catalogue
indicator. This module turns those numbers into the observations the analytics engine
counts (``analytics.kinds``), writes them to the observation store
(``settings.ANALYTICS_STORE``) and lets the engine compute, suppress and publish them
(``analytics.actions.compute_and_publish``): the demo's values come out of the same
pipeline as a municipality's real data, and the engine gives exactly the plan's numbers
for every leaf unit and period.

The people behave like people:

* pupils keep one pseudonym for as long as they stay at their school: each August the
  9th grade leaves, everyone moves up a grade and a new 0th grade starts; a few pupils
  move in and out every quarter. Birth years follow the grades (0th grade in the year a
  child turns six). Absence is planned in school days (holidays left out), mostly whole
  days and some half days, and the same pupils tend to be the absent ones quarter after
  quarter; special classes keep their pupils from year to year;
* children live in the family department's teams' districts (0-12 and 13-17 years) and
  grow older, newborns arrive and 18-year-olds leave; placements are spells that start,
  last for quarters and end; notifications fall on some children more than once;
* employees stay for years, their sickness comes in spells of consecutive working days,
  a few are long-term sick; families receive lost earnings monthly for a while.

Where the plan counted persons otherwise than the definitions (``analytics.definitions``),
the plan is revised here, before its sums, targets and colours are made:

* mainstream classes: the persons are the pupils enrolled at some time in the year (the
  leavers of June and the new pupils of August both count), not the head count; and the
  current year, whose quarters have enrolment, is computed by the engine too, so the
  plan gets a value for it (its last year's share);
* grades: the persons are the 9th graders who sat both exams, not an estimate; the plan's
  share of them with at least 02 is kept.

Nothing is dated before the plan's first quarter, so the engine computes no quarter the
demo has no values for: yearly facts of the first year that would fall earlier (the
well-being survey in February, the exams in June, the children on 1 January) are dated
on that quarter's first day. Placements already running then start on that day too.

Pseudonyms are random 60-bit numbers drawn from the demo's seeded generator: they are
not derived from any CPR number, real or synthetic.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet

from helhed.analytics import store
from helhed.analytics.actions import compute_and_publish, units_from_organisation
from helhed.analytics.definitions import BY_CODE
from helhed.analytics.kinds import KINDS
from helhed.analytics.models import Cell, Profile
from helhed.demo.organisation import TEAM_YOUTH, UnitPlan
from helhed.organisation.models import Municipality
from helhed.results.models import Measurement
from helhed.results.periods import Frequency, Period
from helhed.results.status import MIN_PERSONS

if TYPE_CHECKING:
    from helhed.demo.results import _Results

Int = npt.NDArray[np.int64]
Bool = npt.NDArray[np.bool_]
Days = npt.NDArray[np.datetime64]
Progress = Callable[[str], None]

KIND_CODES = tuple(KINDS)
KIND_INDEX = {code: index for index, code in enumerate(KIND_CODES)}
MILLI = 1000

# Pupils: a few move every quarter; about 3 % of the 9th grade are exempt from the exams.
PUPILS_MOVING = 0.015
EXEMPT = 0.03
ABSENCE_UNDER = 0.035  # mean share of the days absent of the pupils under 10 %
ABSENCE_EXTRA = 0.08  # mean share above 10 % of the pupils over it
WELLBEING_FROM_GRADE = 4  # the national survey's long questionnaire
DANISH_EXAMS, MATHS_EXAMS = 4, 2  # reading, spelling, writing, oral; written, oral
GRADES = np.array([-3, 0, 2, 4, 7, 10, 12])
STAFF_TURNOVER = 0.03  # per quarter
FAMILIES_TURNOVER = 0.08
PLACEMENTS_ENDING = 0.07  # per quarter
# Women's share of the staff by sector, as in Danish municipalities.
FEMALE_STAFF = {
    "elderly": 0.88,
    "health": 0.9,
    "daycare": 0.85,
    "social": 0.8,
    "school": 0.7,
    "ppr": 0.8,
    "employment": 0.68,
    "culture_leisure": 0.6,
}
FEMALE_STAFF_OTHER = 0.55
SOCIAL_INDEX = (0.8, 1.2)


# --------------------------------------------------------------------------- calendars


def easter(year: int) -> dt.date:
    """Easter Sunday (the Gregorian computus of Meeus, Jones and Butcher)."""
    golden = year % 19
    century, rest = divmod(year, 100)
    epact = (19 * golden + century - century // 4 - (8 * century + 13) // 25 + 15) % 30
    weekday = (32 + 2 * (century % 4) + 2 * (rest // 4) - epact - rest % 4) % 7
    shift = (golden + 11 * epact + 22 * weekday) // 451
    month, day = divmod(epact + weekday - 7 * shift + 114, 31)
    return dt.date(year, month, day + 1)


def public_holidays(year: int) -> list[dt.date]:
    """Danish public holidays, with Christmas Eve and New Year's Eve, when no one works."""
    sunday = easter(year)
    days = [
        dt.date(year, 1, 1),
        sunday - dt.timedelta(days=3),
        sunday - dt.timedelta(days=2),
        sunday + dt.timedelta(days=1),
        sunday + dt.timedelta(days=39),
        sunday + dt.timedelta(days=50),
        dt.date(year, 12, 24),
        dt.date(year, 12, 25),
        dt.date(year, 12, 26),
        dt.date(year, 12, 31),
    ]
    if year < 2024:
        days.append(sunday + dt.timedelta(days=26))  # Store bededag, abolished from 2024
    return days


def _span(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def school_holidays(year: int) -> list[dt.date]:
    """The days a Danish folkeskole is closed besides weekends and public holidays."""
    sunday = easter(year)
    week = dt.date.fromisocalendar
    back = next(d for d in _span(dt.date(year, 8, 8), dt.date(year, 8, 14)) if d.weekday() == 0)
    return [
        *_span(week(year, 7, 1), week(year, 7, 5)),  # winter holiday
        *_span(sunday - dt.timedelta(days=6), sunday - dt.timedelta(days=4)),  # Easter
        sunday + dt.timedelta(days=40),  # the Friday after Ascension
        dt.date(year, 6, 5),  # Constitution Day
        *_span(dt.date(year, 6, 27), back - dt.timedelta(days=1)),  # summer
        *_span(week(year, 42, 1), week(year, 42, 5)),  # autumn holiday
        *_span(dt.date(year, 12, 21), dt.date(year, 12, 31)),
        dt.date(year, 1, 2),
    ]


def _weekdays(period: Period, closed: Iterable[dt.date]) -> Days:
    days = np.arange(
        np.datetime64(period.start), np.datetime64(period.end) + 1, dtype="datetime64[D]"
    )
    return days[np.is_busday(days, holidays=[np.datetime64(day) for day in closed])]


def school_days(period: Period) -> Days:
    """The school days of a quarter: its planned days are their number."""
    return _weekdays(period, [*public_holidays(period.year), *school_holidays(period.year)])


def working_days(period: Period, count: int) -> Days:
    """``count`` working days spread over the quarter (holidays taken where there are more)."""
    days = _weekdays(period, public_holidays(period.year))
    if count >= len(days):
        return np.resize(days, count)
    return days[np.linspace(0, len(days) - 1, count).round().astype(np.int64)]


# --------------------------------------------------------------------------- building blocks


class _People:
    """Persons of one municipality: pseudonym, birth year and sex, indexed from 0."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.pseudonym = np.empty(0, np.int64)
        self.birth_year = np.empty(0, np.int64)
        self.female = np.empty(0, np.bool_)
        self._used: set[int] = set()

    def new(self, birth_year: Int, female_share: float | npt.NDArray[np.float64]) -> Int:
        """New persons with these birth years; returns their indices."""
        count = len(birth_year)
        fresh: list[int] = []
        while len(fresh) < count:
            for value in self.rng.integers(1, 16**15, size=count - len(fresh)).tolist():
                if value not in self._used:
                    self._used.add(value)
                    fresh.append(value)
        first = len(self.pseudonym)
        self.pseudonym = np.concatenate([self.pseudonym, np.array(fresh, dtype=np.int64)])
        self.birth_year = np.concatenate([self.birth_year, birth_year.astype(np.int64)])
        female = self.rng.random(count) < female_share
        self.female = np.concatenate([self.female, female])
        return np.arange(first, first + count, dtype=np.int64)


@dataclass
class _Rows:
    """The observations, collected as column arrays per call and joined once at the end."""

    people: _People
    parts: list[tuple[int, Int, Int, Days, Int]] = field(default_factory=list)

    def add(
        self,
        kind: str,
        person: Int,
        unit: int | Int,
        date: dt.date | np.datetime64 | Days,
        value_milli: int | Int,
    ) -> None:
        count = len(person)
        if not count:
            return
        self.parts.append(
            (
                KIND_INDEX[kind],
                np.asarray(person, dtype=np.int64),
                np.broadcast_to(np.asarray(unit, dtype=np.int64), (count,)),
                np.broadcast_to(np.asarray(date, dtype="datetime64[D]"), (count,)),
                np.broadcast_to(np.asarray(value_milli, dtype=np.int64), (count,)),
            )
        )

    def frame(self, municipality: int) -> pd.DataFrame:
        """The rows in the store's columns (``value`` in thousandths, as a float)."""
        kinds = np.concatenate([np.full(len(p[1]), p[0], dtype=np.int8) for p in self.parts])
        person = np.concatenate([p[1] for p in self.parts])
        return pd.DataFrame(
            {
                "pseudonym": self.people.pseudonym[person],
                "birth_year": self.people.birth_year[person].astype(np.int16),
                "sex": np.where(self.people.female[person], "F", "M"),
                "unit_id": np.concatenate([p[2] for p in self.parts]).astype(np.int32),
                "municipality": np.full(len(person), municipality, dtype=np.int16),
                "date": np.concatenate([p[3] for p in self.parts]),
                "kind": pd.Categorical.from_codes(kinds, categories=list(KIND_CODES)),
                "value": np.concatenate([p[4] for p in self.parts]) / MILLI,
            }
        )


def _follow(counts: Sequence[int], turnover: float, rng: np.random.Generator) -> list[Int]:
    """Local indices of who is there at each step: ``counts[i]`` persons, most staying on."""
    current = np.arange(counts[0], dtype=np.int64)
    following = counts[0]
    steps = [current]
    for count in counts[1:]:
        leaving = rng.binomial(len(current), turnover)
        staying = rng.permutation(current)[: min(len(current) - leaving, count)]
        joining = np.arange(following, following + count - len(staying), dtype=np.int64)
        following += len(joining)
        current = np.sort(np.concatenate([staying, joining]))
        steps.append(current)
    return steps


def fix_sum(values: Int, total: int, low: int, high: int, rng: np.random.Generator) -> Int:
    """``values`` moved within [low, high], as little as it takes, so that they sum to ``total``."""
    values = np.clip(values, low, high).astype(np.int64)
    if not len(values) or not len(values) * low <= total <= len(values) * high:
        raise ValueError(f"{len(values)} values in [{low}, {high}] cannot sum to {total}")
    while (missing := total - int(values.sum())) != 0:
        room = high - values if missing > 0 else values - low
        able = np.flatnonzero(room > 0)
        if abs(missing) < len(able):
            able = rng.choice(able, abs(missing), replace=False)
        step = np.minimum(room[able], max(1, abs(missing) // len(able)))
        values[able] += np.sign(missing) * step
    return values


def _count(number: Decimal | None) -> int:
    """A plan's denominator that counts something (a share's, a mean's)."""
    if number is None:
        raise ValueError("A count was planned without a denominator")
    return int(number)


def _exact(cell: Any) -> int:
    """A plan number in thousandths (the plan's numbers have at most three decimals)."""
    milli = Decimal(cell) * MILLI
    if milli != milli.to_integral_value():
        raise ValueError(f"{cell} has more than three decimals")
    return int(milli)


def _sector(unit: UnitPlan) -> str:
    node: UnitPlan | None = unit
    while node is not None:
        if node.sector:
            return node.sector
        node = node.parent
    return ""


def _pk(unit: UnitPlan) -> int:
    if unit.pk is None:
        raise RuntimeError("The organisation must be saved before its observations")
    return unit.pk


# --------------------------------------------------------------------------- the plan


@dataclass
class _Window:
    """The plan's periods, and the first and last day anything may be dated."""

    quarters: list[Period]
    years: list[Period]

    @property
    def first(self) -> dt.date:
        return self.quarters[0].start

    @property
    def last(self) -> dt.date:
        return self.quarters[-1].end

    def at(self, day: dt.date) -> np.datetime64:
        """``day``, or the window's first day if it is earlier."""
        return np.datetime64(max(day, self.first), "D")

    def days_in(self, first: dt.date, last: dt.date, count: int, rng: np.random.Generator) -> Days:
        """``count`` random weekdays between two days (moved into the window)."""
        low, high = max(first, self.first), min(last, self.last)
        if high < low:
            return np.full(count, np.datetime64(low, "D"))
        span = np.arange(np.datetime64(low), np.datetime64(high) + 1, dtype="datetime64[D]")
        weekdays = span[np.is_busday(span)]
        return weekdays[rng.integers(0, len(weekdays), size=count)]


def _school_year(period: Period) -> int:
    return period.year if period.number >= 3 else period.year - 1


def plan_observations(plan: _Results, rng: np.random.Generator) -> pd.DataFrame:
    """The observations behind the plan's leaf numbers; revises the plan where it must.

    Runs after the plan's leaves are made and before they are summed up the tree.
    """
    window = _Window(plan.quarters, plan.years)
    people = _People(rng)
    rows = _Rows(people)
    _pupils(plan, window, rows, rng)
    _youth_education(plan, window, rows)
    _children(plan, window, rows, rng)
    _lost_earnings(plan, window, rows, rng)
    _staff(plan, window, rows, rng)
    return rows.frame(plan.municipality.code)


# --------------------------------------------------------------------------- pupils


@dataclass
class _Roster:
    """One school's pupils, quarter by quarter from the first quarter of the first year."""

    unit: UnitPlan
    steps: list[Period]
    members: list[Int]  # person indices present at each step
    offset: int  # the step of the window's first quarter

    def at(self, period: Period) -> Int:
        return self.members[self.steps.index(period)]


def _roster(
    unit: UnitPlan,
    counts: list[int],
    window: _Window,
    people: _People,
    rng: np.random.Generator,
) -> _Roster:
    """Follow a school's pupils so that each window quarter has exactly ``counts`` of them."""
    start = Period(Frequency.QUARTERLY, min(window.years[0].year, window.quarters[0].year), 1)
    steps = start.back(1)
    while steps[-1] != window.quarters[-1]:
        steps.append(steps[-1].next())
    offset = steps.index(window.quarters[0])
    wanted = [counts[0]] * offset + counts
    pupils = people.new(_school_year(steps[0]) - 6 - rng.integers(0, 10, wanted[0]), 0.49)
    members = [pupils]
    for step, count in zip(steps[1:], wanted[1:], strict=True):
        year = _school_year(step)
        current = members[-1]
        if year != _school_year(steps[len(members) - 1]):
            grade = year - 6 - people.birth_year[current]
            intake = round(len(current) / 10 * rng.uniform(0.9, 1.1))
            current = np.concatenate(
                [current[grade <= 9], people.new(np.full(intake, year - 6), 0.49)]
            )
        else:
            current = rng.permutation(current)[rng.binomial(len(current), PUPILS_MOVING) :]
        if count > len(current):
            grades = rng.integers(0, 10, count - len(current))
            current = np.concatenate([current, people.new(year - 6 - grades, 0.49)])
        current = np.sort(rng.permutation(current)[:count])
        members.append(current)
    return _Roster(unit, steps, members, offset)


def _pupils(plan: _Results, window: _Window, rows: _Rows, rng: np.random.Generator) -> None:
    """Enrolment and absence by quarter; exams, well-being and special classes by year."""
    people = rows.people
    absence = plan.leaves["fravaer-over-10"]
    rosters = []
    for school, series in absence.items():
        counts = [_count(cell.denominator) if cell else 0 for cell in series]
        rosters.append(_roster(school, counts, window, people, rng))
    # Who tends to be absent, and who is taught in a special class, stays the same.
    absent_bent = rng.normal(0, 1, len(people.pseudonym))
    special_rank = rng.random(len(people.pseudonym))

    for index, quarter in enumerate(window.quarters):
        days = school_days(quarter)
        pupils, units, over = [], [], []
        for roster in rosters:
            members = roster.members[roster.offset + index]
            cell = absence[roster.unit][index]
            wanted = int(cell.numerator) if cell else 0
            keys = 1.2 * absent_bent[members] + rng.gumbel(size=len(members))
            chosen = np.zeros(len(members), dtype=np.bool_)
            chosen[np.argsort(-keys)[:wanted]] = True
            pupils.append(members)
            units.append(np.full(len(members), _pk(roster.unit)))
            over.append(chosen)
        person, unit = np.concatenate(pupils), np.concatenate(units)
        rows.add("enrolment", person, unit, days[0], len(days) * MILLI)
        _absence(rows, person, unit, np.concatenate(over), days, rng)

    for roster in rosters:
        _exams(plan, window, rows, roster, rng)
        _wellbeing(plan, window, rows, roster, rng)
        _special_classes(plan, window, rows, roster, special_rank)


def _absence(
    rows: _Rows, person: Int, unit: Int, over: Bool, days: Days, rng: np.random.Generator
) -> None:
    """Absent days (half days count 0.5) so that exactly the ``over`` pupils exceed 10 %."""
    planned = len(days)
    limit = planned // 5  # half days: absent * 10 > days  <=>  half_days * 5 > days
    mean_under = 2 * planned * ABSENCE_UNDER
    half_days = rng.negative_binomial(1.0, 1 / (1 + mean_under), len(person))
    too_many = half_days > limit
    half_days[too_many] = rng.integers(0, limit + 1, int(too_many.sum()))
    mean_extra = 2 * planned * ABSENCE_EXTRA
    extra = rng.negative_binomial(0.9, 0.9 / (0.9 + mean_extra), int(over.sum()))
    half_days[over] = np.minimum(limit + 1 + extra, 2 * planned - 1)
    whole, half = half_days // 2, half_days % 2
    count = whole + half
    order = np.argsort(rng.random((len(person), planned)), axis=1)
    position = np.broadcast_to(np.arange(planned), order.shape)
    taken = position < count[:, None]
    who = np.repeat(np.arange(len(person)), count)
    last = position[taken] == count[who] - 1
    value = np.where(last & (half[who] == 1), MILLI // 2, MILLI)
    rows.add("absence_day", person[who], unit[who], days[order[taken]], value)


def _exams(
    plan: _Results, window: _Window, rows: _Rows, roster: _Roster, rng: np.random.Generator
) -> None:
    """Danish and maths grades of the 9th graders; the plan's share gets at least 02 in both."""
    people = rows.people
    series = plan.leaves["karakter-02-dansk-matematik"][roster.unit]
    revised = []
    for index, year in enumerate(window.years):
        spring = Period(Frequency.QUARTERLY, year.year, 2)
        members = roster.at(spring)
        ninth = members[year.year - 1 - 6 - people.birth_year[members] == 9]
        sitting = rng.permutation(ninth)[rng.binomial(len(ninth), EXEMPT) :]
        cell = series[index]
        share = cell.numerator / cell.denominator if cell and cell.denominator else Decimal(0)
        passing = int((share * len(sitting)).to_integral_value())
        revised.append(plan._share(passing, len(sitting)) if len(sitting) else None)
        if not len(sitting):
            continue
        # The ablest pass, nearly always: grades and the plan's share agree without a pile at 02.
        ability = rng.normal(0, 1, len(sitting))
        passed = np.zeros(len(sitting), dtype=np.bool_)
        passed[np.argsort(-(ability + rng.normal(0, 0.3, len(sitting))))[:passing]] = True
        weak_maths = rng.random(len(sitting)) < 0.7
        danish = _subject(DANISH_EXAMS, ability, passed | weak_maths, rng)
        maths = _subject(MATHS_EXAMS, ability, passed | ~weak_maths, rng)
        day = window.at(dt.date(year.year, 6, 25))
        unit = _pk(roster.unit)
        rows.add("grade_danish", sitting, unit, day, danish)
        rows.add("grade_maths", sitting, unit, day, maths)
    plan.leaves["karakter-02-dansk-matematik"][roster.unit] = revised


def _subject(
    exams: int, ability: npt.NDArray[np.float64], passing: Bool, rng: np.random.Generator
) -> Int:
    """Each pupil's average of ``exams`` grades, in thousandths, rounded to one decimal.

    Around 6.5 on average, as in the country; at least 2.0 where ``passing``, under it
    elsewhere (the grades nearest the line are moved a step until it holds).
    """
    noise = rng.normal(0, 0.8, (len(passing), exams))
    steps = np.clip(np.round(3.9 + 1.1 * ability[:, None] + noise), 0, 6).astype(np.int64)

    def average(steps: Int) -> Int:
        tenths = (GRADES[steps].sum(axis=1) * 20 + exams) // (2 * exams)  # half up
        return tenths * 100

    for _round in range(6 * exams):
        mean = average(steps)
        low = passing & (mean < 2 * MILLI)
        high = ~passing & (mean >= 2 * MILLI)
        if not (low.any() or high.any()):
            return mean
        rows = np.flatnonzero(low)
        steps[rows, steps[rows].argmin(axis=1)] += 1
        rows = np.flatnonzero(high)
        steps[rows, steps[rows].argmax(axis=1)] -= 1
    raise AssertionError("grades did not settle")


def _wellbeing(
    plan: _Results, window: _Window, rows: _Rows, roster: _Roster, rng: np.random.Generator
) -> None:
    """The national well-being survey in February and March: one score (1-5) per answer."""
    people = rows.people
    for index, year in enumerate(window.years):
        cell = plan.leaves["trivsel"][roster.unit][index]
        if cell is None:
            continue
        answers, total = _count(cell.denominator), _exact(cell.numerator) // 10  # hundredths
        members = roster.at(Period(Frequency.QUARTERLY, year.year, 1))
        grade = year.year - 1 - 6 - people.birth_year[members]
        # The long questionnaire's grades first, then the younger pupils, oldest first.
        order = np.lexsort((rng.random(len(members)), -np.minimum(grade, WELLBEING_FROM_GRADE)))
        answering = members[order][:answers]
        if len(answering) < answers:
            extra = rng.integers(0, 10, answers - len(answering))
            answering = np.concatenate([answering, people.new(year.year - 1 - 6 - extra, 0.49)])
        scores = np.round(rng.normal(total / answers, 45, answers)).astype(np.int64)
        scores = fix_sum(scores, total, 100, 500, rng)
        days = window.days_in(dt.date(year.year, 2, 1), dt.date(year.year, 3, 31), answers, rng)
        rows.add("wellbeing_pupil", answering, _pk(roster.unit), days, scores * 10)


def _special_classes(
    plan: _Results, window: _Window, rows: _Rows, roster: _Roster, rank: npt.NDArray[np.float64]
) -> None:
    """Special-class pupils per year, the same from year to year, at the plan's share.

    The persons are every pupil enrolled in the year's quarters; the current year,
    whose quarters have enrolment, gets the last planned year's share.
    """
    series = plan.leaves["almenskole-andel"][roster.unit]
    years = sorted({quarter.year for quarter in window.quarters})
    revised = []
    for year in years:
        quarters = [q for q in window.quarters if q.year == year]
        enrolled = np.unique(np.concatenate([roster.at(q) for q in quarters]))
        planned = [y.year for y in window.years]
        cell = series[planned.index(year)] if year in planned else series[-1]
        share = cell.numerator / cell.denominator if cell and cell.denominator else Decimal(1)
        mainstream = int((share * len(enrolled)).to_integral_value())
        special = enrolled[np.argsort(rank[enrolled])[: len(enrolled) - mainstream]]
        revised.append(plan._share(mainstream, len(enrolled)) if len(enrolled) else None)
        first_seen = np.full(len(special), np.datetime64("NaT"), dtype="datetime64[D]")
        for quarter in reversed(quarters):
            here = np.isin(special, roster.at(quarter))
            first_seen[here] = school_days(quarter)[0]
        rows.add("special_class", special, _pk(roster.unit), first_seen, MILLI)
    plan.leaves["almenskole-andel"][roster.unit] = revised
    if len(years) > len(window.years):
        plan.series_periods["almenskole-andel"] = [Period(Frequency.YEARLY, year) for year in years]


# --------------------------------------------------------------------------- 18-year-olds


def _youth_education(plan: _Results, window: _Window, rows: _Rows) -> None:
    """Each year's 18-year-olds: 1 if in or through a youth education on 1 October, else 0."""
    for unit, series in plan.leaves["ungdomsuddannelse-18"].items():
        for year, cell in zip(window.years, series, strict=True):
            if cell is None:
                continue
            cohort = _count(cell.denominator)
            persons = rows.people.new(np.full(cohort, year.year - 18), 0.49)
            status = np.where(np.arange(cohort) < int(cell.numerator), MILLI, 0)
            rows.add(
                "youth_education_18",
                persons,
                _pk(unit),
                window.at(dt.date(year.year, 10, 1)),
                status,
            )


# --------------------------------------------------------------------------- children


def _population(plan: _Results, code: str, window: _Window) -> dict[UnitPlan, dict[int, int]]:
    """Each team's children per year: the definitions count them once a year, on 1 January."""
    counts: dict[UnitPlan, dict[int, int]] = {}
    for team, series in plan.leaves[code].items():
        for quarter, cell in zip(window.quarters, series, strict=True):
            if cell is None:
                continue
            children = _count(cell.denominator)
            if counts.setdefault(team, {}).setdefault(quarter.year, children) != children:
                raise ValueError(
                    f"{code}: {team.name} has more than one population in {quarter.year}"
                )
    return counts


def _children(plan: _Results, window: _Window, rows: _Rows, rng: np.random.Generator) -> None:
    """Children living in the teams' districts, their notifications and their placements."""
    people = rows.people
    population = _population(plan, "underretninger-pr-1000", window)
    if population != _population(plan, "anbringelser-pr-1000", window):
        raise ValueError("notifications and placements count different children")
    residents: dict[tuple[UnitPlan, int], Int] = {}
    youth = plan.org.tagged.get(TEAM_YOUTH)
    teams = sorted(population, key=lambda team: team is youth)  # the younger children first
    living = np.empty(0, dtype=np.int64)
    for year in sorted({q.year for q in window.quarters}):
        ages = year - 1 - people.birth_year[living]
        living = living[ages <= 17]
        for team in teams:
            oldest, youngest = (17, 13) if team is youth else (12, 0)
            ages = year - 1 - people.birth_year[living]
            here = living[(ages >= youngest) & (ages <= oldest)]
            others = np.setdiff1d(living, here)
            if team is not youth:
                born = round(len(here) / 13 * rng.uniform(0.9, 1.1)) if len(here) else 0
                here = np.concatenate([here, people.new(np.full(born, year - 1), 0.487)])
            wanted = population[team][year]
            if wanted > len(here):
                moving = year - 1 - rng.integers(youngest, oldest + 1, wanted - len(here))
                here = np.concatenate([here, people.new(moving, 0.487)])
            here = np.sort(rng.permutation(here)[:wanted])
            residents[(team, year)] = here
            living = np.concatenate([others, here])
            rows.add("child_resident", here, _pk(team), window.at(dt.date(year, 1, 1)), MILLI)
    risk = rng.gamma(0.5, 2.0, len(people.pseudonym))
    for team in teams:
        notes = plan.leaves["underretninger-pr-1000"][team]
        for quarter, cell in zip(window.quarters, notes, strict=True):
            events = int(cell.numerator) if cell else 0
            pool = residents[(team, quarter.year)]
            if not events or not len(pool):
                continue
            weight = risk[pool] / risk[pool].sum()
            children = rng.choice(pool, events, p=weight)
            days = window.days_in(quarter.start, quarter.end, events, rng)
            rows.add("notification", children, _pk(team), days, MILLI)
        _placements(plan, window, rows, team, residents, rng)


def _placements(
    plan: _Results,
    window: _Window,
    rows: _Rows,
    team: UnitPlan,
    residents: dict[tuple[UnitPlan, int], Int],
    rng: np.random.Generator,
) -> None:
    """Spells so that exactly the plan's number of children is placed at some time each quarter.

    A spell counts in every quarter from the one it starts in to the one it ends in.
    """
    series = plan.leaves["anbringelser-pr-1000"][team]
    wanted = [int(cell.numerator) if cell else 0 for cell in series]
    placed: set[int] = set()
    active: list[tuple[int, np.datetime64]] = []  # (child, started)
    starts: list[tuple[int, np.datetime64]] = []
    ends: list[tuple[int, np.datetime64]] = []
    for index, quarter in enumerate(window.quarters):
        if index:
            before = window.quarters[index - 1]
            closing = max(rng.binomial(len(active), PLACEMENTS_ENDING), len(active) - wanted[index])
            order = rng.permutation(len(active))
            ending = set(order[:closing].tolist())
            last = np.datetime64(before.end)
            for position in sorted(ending):
                child, started = active[position]
                first = max(np.datetime64(before.start), started + 1)
                ends.append((child, first + rng.integers(0, int((last - first).astype(int)) + 1)))
            active = [spell for position, spell in enumerate(active) if position not in ending]
        pool = [c for c in residents[(team, quarter.year)].tolist() if c not in placed]
        new = rng.choice(pool, wanted[index] - len(active), replace=False).tolist()
        if index == 0:
            # Placements running when the data begins start on its first day.
            begun = [np.datetime64(quarter.start)] * len(new)
        else:
            room = (np.datetime64(quarter.end) - 7) - np.datetime64(quarter.start)
            begun = [
                np.datetime64(quarter.start) + rng.integers(0, int(room.astype(int)) + 1)
                for _ in new
            ]
        for child, started in zip(new, begun, strict=True):
            placed.add(child)
            active.append((child, started))
            starts.append((child, started))
    unit = _pk(team)
    for kind, spells in (("placement_start", starts), ("placement_end", ends)):
        if spells:
            children = np.array([child for child, _day in spells], dtype=np.int64)
            days = np.array([day for _child, day in spells], dtype="datetime64[D]")
            rows.add(kind, children, unit, days, MILLI)


# --------------------------------------------------------------------------- families


def _lost_earnings(plan: _Results, window: _Window, rows: _Rows, rng: np.random.Generator) -> None:
    """Monthly payments for lost earnings, to parents who receive them for a while."""
    for unit, series in plan.leaves["tabt-arbejdsfortjeneste"].items():
        receiving = [cell.persons if cell else 0 for cell in series]
        steps = _follow(receiving, FAMILIES_TURNOVER, rng)
        total = max((int(s.max()) + 1 for s in steps if len(s)), default=0)
        parents = rows.people.new(rng.integers(1970, 1996, total), 0.82)
        for quarter, cell, members in zip(window.quarters, series, steps, strict=True):
            if cell is None or not len(members):
                continue
            payees = np.repeat(parents[members], 3)
            months = np.tile(np.arange(3), len(members))
            month_end = [
                np.datetime64(
                    Period(Frequency.MONTHLY, quarter.year, 3 * quarter.number - 2 + m).end
                )
                for m in range(3)
            ]
            kroner = _exact(cell.numerator)  # thousand kroner in thousandths = kroner
            share = np.repeat(rng.uniform(0.5, 1.5, len(members)), 3)
            amounts = np.round(share / share.sum() * kroner).astype(np.int64)
            amounts = fix_sum(amounts, kroner, 1, 10_000_000, rng)
            days = np.array(month_end, dtype="datetime64[D]")[months]
            rows.add("lost_earnings_payment", payees, _pk(unit), days, amounts * MILLI)


# --------------------------------------------------------------------------- staff


def _staff(plan: _Results, window: _Window, rows: _Rows, rng: np.random.Generator) -> None:
    """Planned working days and sickness by quarter, and the yearly workplace assessment."""
    people = rows.people
    sickness = plan.leaves["sygefravaer-medarbejdere"]
    by_quarter: list[list[tuple[int, Int, int, int]]] = [[] for _q in window.quarters]
    for unit, series in sickness.items():
        counts = [cell.persons if cell else 0 for cell in series]
        steps = _follow(counts, STAFF_TURNOVER, rng)
        size = max((int(s.max()) + 1 for s in steps if len(s)), default=0)
        share = FEMALE_STAFF.get(_sector(unit), FEMALE_STAFF_OTHER)
        staff = people.new(rng.integers(1958, 2003, size), share)
        unit_id = _pk(unit)
        for index, (quarter, cell, members) in enumerate(
            zip(window.quarters, series, steps, strict=True)
        ):
            if cell is None or not len(members):
                continue
            planned = _count(cell.denominator)
            days, tenths = planned // len(members), _exact(cell.numerator) // 100
            if days * len(members) != planned:
                raise ValueError(f"{unit.name}: planned days are not the same for everyone")
            rows.add(
                "staff_workdays",
                staff[members],
                unit_id,
                np.datetime64(quarter.start),
                days * MILLI,
            )
            by_quarter[index].append((unit_id, staff[members], days, tenths))
        _staff_wellbeing(plan, window, rows, unit, staff, steps, rng)
    for quarter, groups in zip(window.quarters, by_quarter, strict=True):
        if groups:
            _sick_days(rows, quarter, groups, rng)


def _sick_days(
    rows: _Rows, quarter: Period, groups: list[tuple[int, Int, int, int]], rng: np.random.Generator
) -> None:
    """Sickness in spells of consecutive working days; the tenths of a day in one short day."""
    persons, units, lengths, partial, planned = [], [], [], [], []
    for unit_id, staff, workdays, tenths in groups:
        whole, rest = divmod(tenths, 10)
        weight = rng.gamma(0.3, 1.0, len(staff)) + 1e-9
        spell = rng.multinomial(whole, weight / weight.sum())
        while (spell > workdays).any():
            excess = int((spell - workdays).clip(0).sum())
            spell = np.minimum(spell, workdays)
            room = (spell < workdays) * weight
            spell += rng.multinomial(excess, room / room.sum())
        short = np.zeros(len(staff), dtype=np.int64)
        if rest:
            short[rng.choice(np.flatnonzero(spell < workdays))] = rest
        persons.append(staff)
        units.append(np.full(len(staff), unit_id))
        lengths.append(spell)
        partial.append(short)
        planned.append(np.full(len(staff), workdays))
    person, unit = np.concatenate(persons), np.concatenate(units)
    spell, short = np.concatenate(lengths), np.concatenate(partial)
    length = np.concatenate(planned)
    count = spell + (short > 0)
    start = np.floor(rng.random(len(person)) * (length - count + 1)).astype(np.int64)
    who = np.repeat(np.arange(len(person)), count)
    within = np.arange(len(who)) - np.repeat(np.cumsum(count) - count, count)
    calendar = working_days(quarter, int(length.max()))
    value = np.where(within < spell[who], MILLI, short[who] * 100)
    rows.add("staff_sickness_day", person[who], unit[who], calendar[start[who] + within], value)


def _staff_wellbeing(
    plan: _Results,
    window: _Window,
    rows: _Rows,
    unit: UnitPlan,
    staff: Int,
    steps: list[Int],
    rng: np.random.Generator,
) -> None:
    """The workplace assessment in November: one score (1-100) per employee answering."""
    for year, cell in zip(window.years, plan.leaves["trivsel-medarbejdere"][unit], strict=True):
        if cell is None:
            continue
        answers, total = _count(cell.denominator), _exact(cell.numerator) // 100  # tenths
        present = [s for q, s in zip(window.quarters, steps, strict=True) if q.year == year.year]
        autumn = present[-1] if present else np.empty(0, np.int64)
        earlier = np.setdiff1d(np.concatenate(present) if present else autumn, autumn)
        pool = np.concatenate([rng.permutation(autumn), rng.permutation(earlier)])
        answering = staff[pool[:answers]]
        if len(answering) < answers:
            # Substitutes without planned days of their own answer too.
            missing = answers - len(answering)
            extra = rows.people.new(rng.integers(1958, 2003, missing), 0.7)
            answering = np.concatenate([answering, extra])
        scores = np.round(rng.normal(total / answers, 120, answers)).astype(np.int64)
        scores = fix_sum(scores, total, 10, 1000, rng)
        days = window.days_in(dt.date(year.year, 11, 1), dt.date(year.year, 11, 30), answers, rng)
        rows.add("staff_wellbeing", answering, _pk(unit), days, scores * 100)


# --------------------------------------------------------------------------- the store


@dataclass
class Published:
    """What the engine made of one municipality's observations."""

    observations: dict[str, int] = field(default_factory=dict)
    cells: int = 0
    measurements: int = 0
    hidden: int = 0
    hidden_cells: set[tuple[str, str, str]] = field(default_factory=set)
    seconds: float = 0.0


def publish(
    municipality: Municipality,
    frame: pd.DataFrame,
    *,
    inhabitants: int,
    rng: np.random.Generator,
    progress: Progress | None = None,
) -> Published:
    """Store the observations, compute every indicator and publish; profile the municipality.

    Earlier rows of the municipality, and rows of units that no longer exist
    (a demo rolled back, a test database emptied), are removed first, so the
    store holds what the operational database describes.
    """
    started = time.perf_counter()
    connection = store.open_store(settings.ANALYTICS_STORE)
    try:
        store.replace_units(connection, units_from_organisation())
        connection.execute(
            """DELETE FROM observations o WHERE o.municipality = ? OR NOT EXISTS (
                   SELECT 1 FROM units u
                   WHERE u.unit_id = o.unit_id AND u.municipality = o.municipality)""",
            [municipality.code],
        )
        _insert(connection, frame, f"demo: {municipality.name}")
        compute_and_publish(
            connection, full=True, progress=progress, municipalities=[municipality.code]
        )
    finally:
        connection.close()
    Profile.objects.update_or_create(
        municipality=municipality,
        defaults={
            "inhabitants": inhabitants,
            "social_index": Decimal(f"{rng.uniform(*SOCIAL_INDEX):.2f}"),
        },
    )
    cells = Cell.objects.filter(municipality=municipality)
    measured = Measurement.objects.filter(
        indicator__municipality=municipality,
        indicator__code__in=BY_CODE,
        source=Measurement.Source.COMPUTED,
    )
    return Published(
        observations={str(k): int(n) for k, n in frame["kind"].value_counts().items()},
        cells=cells.count(),
        measurements=measured.count(),
        hidden=measured.filter(Q(suppressed=True) | Q(persons__lt=MIN_PERSONS)).count(),
        hidden_cells={
            (code, str(key), period)
            for code, key, period in cells.filter(group="all")
            .exclude(suppression="")
            .values_list("indicator_code", "unit_key", "period")
        },
        seconds=time.perf_counter() - started,
    )


def _insert(connection: Any, frame: pd.DataFrame, source: str) -> None:
    """One batch, sorted by kind and date as the store expects, recorded in ``batches``."""
    batch = int(
        connection.execute("SELECT COALESCE(MAX(batch), 0) + 1 FROM batches").fetchall()[0][0]
    )
    connection.register("demo_rows", frame)
    try:
        connection.execute(
            """INSERT INTO observations
               SELECT pseudonym, birth_year, CAST(sex AS VARCHAR), unit_id, municipality,
                      CAST(date AS DATE), CAST(kind AS VARCHAR),
                      CAST(value AS DECIMAL(18, 3)), ?
               FROM demo_rows ORDER BY kind, date""",
            [batch],
        )
        rows, first, last = connection.execute(
            "SELECT COUNT(*), MIN(CAST(date AS DATE)), MAX(CAST(date AS DATE)) FROM demo_rows"
        ).fetchall()[0]
    finally:
        connection.unregister("demo_rows")
    connection.execute(
        "INSERT INTO batches VALUES (?, ?, now()::TIMESTAMP, ?, ?, ?, FALSE)",
        [batch, source[:200], rows, first, last],
    )


def clear_analytics(municipalities: QuerySet[Municipality]) -> None:
    """Delete these municipalities' published cells, profiles and stored observations.

    The store's rows go when the deletion is committed, so that a clearing stopped
    by protected rows leaves the store as it was. The store is deleted as a whole
    when nothing else is left in it.
    """
    codes = list(municipalities.values_list("code", flat=True))
    Cell.objects.filter(municipality__in=municipalities).delete()
    Profile.objects.filter(municipality__in=municipalities).delete()
    transaction.on_commit(lambda: forget(codes))


def forget(codes: list[int]) -> None:
    """Delete the stored observations and units of these municipalities."""
    path = settings.ANALYTICS_STORE
    if not path.exists() or not codes:
        return
    connection = store.open_store(path)
    try:
        for table in ("observations", "units"):
            connection.execute(
                f"DELETE FROM {table} WHERE list_contains(?, municipality)",  # noqa: S608
                [codes],
            )
        left = connection.execute("SELECT COUNT(*) FROM observations").fetchall()[0][0]
    finally:
        connection.close()
    if not left:
        path.unlink()
