"""The demo's results: the catalogue, committees, ambitions, targets and five years of values.

Runs after the organisation, the people and their plans are saved, and works
from the same in-memory plan (``OrgPlan``, ``Demand``), so it needs no
queries to find its units, leaders or pupil numbers.

* The shipped catalogue is installed, then four committees that match the
  administrations get ambitions with quality markers (pejlemærker) on the
  catalogue's indicators; one ambition spans the children's administration
  and the job centre and is owned by the municipal director.
* Values are planned where they are measured (the *leaves*: schools for the
  school indicators, the family department's teams for notifications and
  placements, every institution for staff sickness) and summed up the tree
  by numerator and denominator, so a parent's value is its children's
  weighted mean. The plan is then played out as pseudonymised observations
  (pupils, children, employees; ``demo/analytics.py``) in the analytics
  store, and the analytics engine computes, suppresses and publishes the
  values, exactly the plan's numbers, as with a municipality's real data.
  Each leaf has its
  own level, a slow trend (most improve a little, some worsen), seasons
  (absence and sickness peak in the first quarter), noise that shrinks with
  size; two schools (one in a small municipality) improve clearly after they
  started attendance teams two years ago.
  Small teams and small 9th-grade cohorts fall under five persons, so
  suppression shows (and the engine hides more, so they cannot be worked out).
* Targets (from the plan's numbers, as the pages show them: hidden values are
  not used): the municipality's for every indicator a marker follows (an
  improvement on the baseline five years ago, or a budget for an amount),
  the administrations' for some, and a few schools' own. The children's
  administration sets its own where the municipality's would not leave it
  with a mix of red, amber and green in the last complete quarter, so the
  demo chief has something to explain.
* Two turn-the-curve plans on its red indicators and two reflection meetings
  (the chief's leader team, the school leader's).

Everything dates backwards from ``now`` (the day the demo is generated): the
20 quarters and 5 years up to the last complete ones. Computed indicators
(``computed_by``) get no values here; their computations fill them. Status
reports are not made here either.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
from django.db.models import Q, QuerySet
from django.utils import timezone, translation

from helhed.demo import analytics
from helhed.demo.organisation import COMMITTEES, FINANCE_COMMITTEE, Demand, OrgPlan, UnitPlan
from helhed.organisation.models import Municipality
from helhed.results.catalogue import install_catalogue
from helhed.results.models import (
    Ambition,
    Committee,
    CurveAction,
    CurvePlan,
    Indicator,
    Marker,
    Measurement,
    Reflection,
    ReportNarrative,
    StatusReport,
    Target,
)
from helhed.results.periods import Frequency, Period
from helhed.results.status import MIN_PERSONS, Rag, format_value, is_suppressed, rag

BATCH = 2_000
QUARTERS = 20
YEARS = 5
INTERVENTION_QUARTERS_AGO = 8
THOUSANDTH = Decimal("0.001")

# Staff sickness absence (%) by sector; the first quarter is the worst.
SICKNESS_LEVEL = {
    "elderly": 8.0,
    "daycare": 6.8,
    "school": 5.4,
    "social": 5.6,
    "health": 5.0,
    "ppr": 4.6,
    "employment": 4.6,
    "culture_leisure": 4.2,
}
SICKNESS_SEASON = {1: 1.1, 2: -0.3, 3: -0.8, 4: 0.2}
WORKDAYS = {1: 62, 2: 58, 3: 50, 4: 59}  # planned working days per employee, summer off
ABSENCE_SEASON = {1: 2.4, 2: -0.6, 3: -1.5, 4: -0.3}
NOTIFICATION_SEASON = {1: 1.05, 2: 1.05, 3: 0.78, 4: 1.12}  # fewer while schools are closed
# The demo staffs only some units; the others get a typical head count for the sector.
TYPICAL_STAFF = {
    "elderly": (45, 90),
    "health": (15, 40),
    "social": (15, 40),
    "employment": (15, 35),
    "culture_leisure": (10, 35),
}
HOME_CARE_STAFF = (70, 130)
OTHER_STAFF = (20, 60)

# The children's administration's colours in the last complete quarter, where the
# municipality's target does not already give them: two reds to turn the curve on, an
# amber and two greens. Its other indicators inherit the municipality's targets.
CHIEF_COLOURS = {
    "fravaer-over-10": Rag.RED,
    "underretninger-pr-1000": Rag.RED,
    "almenskole-andel": Rag.AMBER,
    "trivsel": Rag.GREEN,
    "anbringelser-pr-1000": Rag.GREEN,
}

# Handles on the units the committees' ambitions and markers are about.
CHILDREN = "children_admin"
SOCIAL = "social_admin"
EMPLOYMENT = "employment_admin"
ELDERLY = "elderly"
ROOT = "root"
UNIT_NAMES = {
    SOCIAL: "Social, Sundhed og Ældre",
    EMPLOYMENT: "Beskæftigelse",
    ELDERLY: "Ældre og Pleje",
}


@dataclass(frozen=True)
class _MarkerSpec:
    title: str
    indicators: tuple[str, ...]
    owner: str  # the handle of the unit whose leader is responsible
    units: tuple[str, ...] = ()


@dataclass(frozen=True)
class _AmbitionSpec:
    committee: str
    title: str
    description: str
    owner: str
    units: tuple[str, ...]
    markers: tuple[_MarkerSpec, ...]


CHILDREN_COMMITTEE, SOCIAL_COMMITTEE, EMPLOYMENT_COMMITTEE = COMMITTEES[:3]
COMMITTEE_SPECS = (
    (
        CHILDREN_COMMITTEE,
        Frequency.QUARTERLY,
        "Skoler, dagtilbud, PPR, sundhedspleje og familieafdelingen.",
    ),
    (
        SOCIAL_COMMITTEE,
        Frequency.HALF_YEARLY,
        "Ældreplejen, sundhed og forebyggelse, handicap og psykiatri for voksne.",
    ),
    (
        EMPLOYMENT_COMMITTEE,
        Frequency.QUARTERLY,
        "Jobcentret, ungeindsatsen og ydelserne.",
    ),
    (
        FINANCE_COMMITTEE,
        Frequency.QUARTERLY,
        "Kommunens økonomi, personalepolitik og de tværgående mål.",
    ),
)
AMBITIONS = (
    _AmbitionSpec(
        CHILDREN_COMMITTEE,
        "Alle børn skal blive så dygtige, de kan",
        "Folkeskolen udfordrer alle elever, så de får det faglige fundament for en "
        "ungdomsuddannelse, og flest mulige går i skole i deres eget skoledistrikt.",
        CHILDREN,
        (CHILDREN,),
        (
            _MarkerSpec(
                "Flere elever får mindst 02 i dansk og matematik ved afgangsprøven",
                ("karakter-02-dansk-matematik",),
                CHILDREN,
            ),
            _MarkerSpec(
                "Flere børn går i almindelig klasse på deres lokale skole",
                ("almenskole-andel",),
                "school_area",
            ),
        ),
    ),
    _AmbitionSpec(
        CHILDREN_COMMITTEE,
        "Børn og unge trives",
        "Børn og unge trives i skolen, kommer i skole hver dag og har en voksen, de kan gå til.",
        CHILDREN,
        (CHILDREN,),
        (
            _MarkerSpec("Færre elever har mere end 10 % fravær", ("fravaer-over-10",), CHILDREN),
            _MarkerSpec("Eleverne trives i skolen", ("trivsel",), "school_area"),
        ),
    ),
    _AmbitionSpec(
        CHILDREN_COMMITTEE,
        "Tidlig og sammenhængende indsats",
        "Vi opdager bekymringer tidligt og handler sammen med familien, før problemerne "
        "vokser, så flere børn kan blive boende hjemme.",
        CHILDREN,
        (CHILDREN,),
        (
            _MarkerSpec(
                "Vi handler tidligt, så færre bekymringer ender som underretninger",
                ("underretninger-pr-1000",),
                "family",
            ),
            _MarkerSpec("Flere børn vokser op i egen familie", ("anbringelser-pr-1000",), CHILDREN),
        ),
    ),
    _AmbitionSpec(
        SOCIAL_COMMITTEE,
        "Flere hænder og mere nærvær i ældreplejen",
        "Et lavere sygefravær giver flere hænder og mere kontinuitet: borgerne møder "
        "oftere de samme medarbejdere.",
        SOCIAL,
        (SOCIAL,),
        (
            _MarkerSpec(
                "Sygefraværet falder i hele forvaltningen",
                ("sygefravaer-medarbejdere",),
                SOCIAL,
            ),
            _MarkerSpec(
                "Ældreplejen nedbringer sygefraværet",
                ("sygefravaer-medarbejdere",),
                ELDERLY,
                (ELDERLY,),
            ),
        ),
    ),
    _AmbitionSpec(
        EMPLOYMENT_COMMITTEE,
        "Flere unge i uddannelse og job",
        "Alle unge skal have en vej til uddannelse eller job. Skolerne, familieafdelingen "
        "og jobcentrets ungeindsats løfter opgaven sammen, på tværs af forvaltningerne.",
        ROOT,
        (CHILDREN, EMPLOYMENT),
        (
            _MarkerSpec(
                "Flere 18-årige er i gang med eller har gennemført en ungdomsuddannelse",
                ("ungdomsuddannelse-18",),
                EMPLOYMENT,
            ),
            _MarkerSpec(
                "Flere elever er klar til en ungdomsuddannelse efter 9. klasse",
                ("karakter-02-dansk-matematik",),
                CHILDREN,
            ),
        ),
    ),
    _AmbitionSpec(
        FINANCE_COMMITTEE,
        "En attraktiv arbejdsplads og en økonomi i balance",
        "Kommunen er en arbejdsplads, hvor medarbejderne bliver og trives, og udgifterne "
        "holder sig inden for budgettet.",
        ROOT,
        (ROOT,),
        (
            _MarkerSpec(
                "Sygefraværet blandt kommunens medarbejdere falder",
                ("sygefravaer-medarbejdere",),
                ROOT,
            ),
            _MarkerSpec(
                "Udgifterne til tabt arbejdsfortjeneste holder sig inden for budgettet",
                ("tabt-arbejdsfortjeneste",),
                CHILDREN,
                (CHILDREN,),
            ),
        ),
    ),
)


@dataclass
class ResultsCounts:
    indicators: int = 0
    committees: int = 0
    ambitions: int = 0
    markers: int = 0
    targets: int = 0
    observations: int = 0
    cells: int = 0
    measurements: int = 0
    suppressed: int = 0
    curves: int = 0
    curve_actions: int = 0
    reflections: int = 0
    seconds: float = 0.0

    @property
    def line(self) -> str:
        """The progress line, in the form the rest of the demo prints."""
        return (
            f"saved {self.indicators} indicators, {self.committees} committees with "
            f"{self.ambitions} ambitions and {self.markers} quality markers, "
            f"{self.targets} targets, {_number(self.observations)} observations computed "
            f"into {_number(self.cells)} cells and {_number(self.measurements)} measurements "
            f"({self.suppressed} hidden), {self.curves} turn-the-curve plans "
            f"with {self.curve_actions} actions, {self.reflections} reflection meetings "
            f"in {self.seconds:.1f} s"
        )


def _pk(unit: UnitPlan) -> int:
    """The primary key of a planned unit that has been saved."""
    if unit.pk is None:
        raise RuntimeError("The organisation must be saved before its results")
    return unit.pk


def _number(value: int) -> str:
    return f"{value:,}".replace(",", " ")


@dataclass(frozen=True)
class _Cell:
    """One unit's numbers for one period: a plain number when there is no denominator."""

    numerator: Decimal
    denominator: Decimal | None
    persons: int

    def __add__(self, other: _Cell) -> _Cell:
        denominator = (
            None
            if self.denominator is None or other.denominator is None
            else self.denominator + other.denominator
        )
        return _Cell(self.numerator + other.numerator, denominator, self.persons + other.persons)

    def value(self, factor: int) -> Decimal | None:
        if self.denominator is None:
            return self.numerator.quantize(THOUSANDTH, ROUND_HALF_UP)
        if not self.denominator:
            return None
        return (self.numerator * factor / self.denominator).quantize(THOUSANDTH, ROUND_HALF_UP)


Series = list[_Cell | None]


def _binomial(rng: random.Random, n: int, share: float) -> int:
    """How many of ``n`` have a property of probability ``share``, with sampling noise."""
    share = min(max(share, 0.0), 1.0)
    mean = n * share
    spread = math.sqrt(n * share * (1 - share))
    return min(n, max(0, round(rng.gauss(mean, spread))))


def _poisson(rng: random.Random, mean: float) -> int:
    return max(0, round(rng.gauss(mean, math.sqrt(max(mean, 0.0)))))


def _slope(rng: random.Random, better: float, worse: float, worse_share: float = 0.2) -> float:
    """A yearly change: most units improve a little, some get worse."""
    if rng.random() < worse_share:
        return rng.gauss(worse, abs(worse) * 0.3)
    return rng.gauss(better, abs(better) * 0.5)


def _clamp(value: float, low: float, high: float) -> float:
    return min(high, max(low, value))


def _danish(value: Decimal | float, decimals: int = 1) -> str:
    return f"{float(value):.{decimals}f}".replace(".", ",")


def _quarter_label(period: Period) -> str:
    return f"{period.number}. kvartal {period.year}"


class _Results:
    """The plan of one municipality's results, made in memory and then saved in bulk."""

    def __init__(
        self,
        municipality: Municipality,
        org: OrgPlan,
        demand: Demand,
        rng: random.Random,
        now: dt.date,
    ) -> None:
        self.municipality = municipality
        self.org = org
        self.demand = demand
        self.rng = rng
        self.now = now
        self.quarters = Period.last_complete(now, Frequency.QUARTERLY).back(QUARTERS)
        self.years = Period.last_complete(now, Frequency.YEARLY).back(YEARS)
        self.first_year = now.year - 2
        self.last_year = now.year + 1
        self.leaves: dict[str, dict[UnitPlan, Series]] = {}
        self.totals: dict[str, dict[UnitPlan, Series]] = {}
        self.units: dict[str, UnitPlan] = {
            ROOT: org.root,
            **{
                tag: self._tagged(tag)
                for tag in (CHILDREN, "school_area", "daycare_area", "family")
            },
            **{handle: self._named(name) for handle, name in UNIT_NAMES.items()},
        }
        self.schools = [s for i, s in enumerate(org.schools) if demand.pupils[i] > 0]
        self.intervention: list[UnitPlan] = []
        # Set by ``analytics``: periods of a series that are not the frequency's
        # (a year more), the observations, and what the engine hid.
        self.series_periods: dict[str, list[Period]] = {}
        self.observations = pd.DataFrame()
        self.hidden: set[tuple[str, str, str]] = set()
        self.counts = ResultsCounts()

    def _tagged(self, tag: str) -> UnitPlan:
        """A unit by its tag: the organisation's handles, else the first unit so tagged."""
        if tag in self.org.tagged:
            return self.org.tagged[tag]
        for unit in self.org.units:
            if unit.tag == tag:
                return unit
        raise LookupError(f"The demo organisation has no unit tagged {tag!r}")

    def _named(self, name: str) -> UnitPlan:
        for unit in self.org.units:
            if unit.name == name:
                return unit
        raise LookupError(f"The demo organisation has no unit named {name!r}")

    def leader(self, unit: UnitPlan) -> int:
        """The primary key of the unit's leader (hired first for every led unit)."""
        pk = self.org.staff_by_unit[id(unit)][0].pk
        if pk is None:
            raise RuntimeError("The organisation must be saved before its results")
        return pk

    def periods(self, frequency: str) -> list[Period]:
        return self.quarters if frequency == Frequency.QUARTERLY else self.years

    def periods_of(self, indicator: Indicator) -> list[Period]:
        """The periods of an indicator's series."""
        return self.series_periods.get(indicator.code) or self.periods(indicator.frequency)

    # ----------------------------------------------------------------------- values

    def make_values(self) -> None:
        self._schools()
        self._youth_education()
        self._social()
        self._sickness()
        generator = np.random.default_rng(self.rng.getrandbits(64))
        self.observations = analytics.plan_observations(self, generator)
        for code, leaves in self.leaves.items():
            self.totals[code] = self._sum_up(code, leaves)

    def _sum_up(self, code: str, leaves: dict[UnitPlan, Series]) -> dict[UnitPlan, Series]:
        """Each leaf's numbers added to every unit above it: parents are weighted means."""
        length = len(next(iter(leaves.values())))
        totals: dict[UnitPlan, Series] = {}
        for leaf, series in leaves.items():
            node: UnitPlan | None = leaf
            while node is not None:
                total = totals.setdefault(node, [None] * length)
                for index, cell in enumerate(series):
                    if cell is not None:
                        before = total[index]
                        total[index] = cell if before is None else before + cell
                node = node.parent
        return totals

    def _pupils(self, school: UnitPlan) -> Callable[[float], int]:
        """Pupils at a school ``years_back`` years before today, drifting slowly."""
        now = self.demand.pupils[self.org.schools.index(school)]
        growth = self.rng.gauss(0, 0.015)
        return lambda years_back: max(1, round(now * (1 - growth * years_back)))

    def _schools(self) -> None:
        rng = self.rng
        q_count, y_count = len(self.quarters), len(self.years)
        pupils = {school: self._pupils(school) for school in self.schools}
        absence_level = {school: _clamp(rng.gauss(15, 4), 6, 28) for school in self.schools}
        # Two of the schools with the most absence started attendance teams two years ago.
        wanted = min(2, len(self.schools) // 2)
        worst = sorted(self.schools, key=lambda s: -absence_level[s])[: max(wanted * 2, 1)]
        self.intervention = rng.sample(worst, wanted) if wanted else []
        special = set(rng.sample(self.schools, min(2, len(self.schools) // 3)))
        started = q_count - 1 - INTERVENTION_QUARTERS_AGO
        absence: dict[UnitPlan, Series] = {}
        grades: dict[UnitPlan, Series] = {}
        wellbeing: dict[UnitPlan, Series] = {}
        mainstream: dict[UnitPlan, Series] = {}
        for school in self.schools:
            helped = school in self.intervention
            count = pupils[school]
            level = absence_level[school]
            slope = _slope(rng, -0.35, 0.8)
            effect = rng.uniform(4, 6) if helped else 0.0
            series: Series = []
            for index, period in enumerate(self.quarters):
                years = index / 4
                share = level + slope * years + ABSENCE_SEASON[period.number] * level / 15
                if index >= started:
                    share -= effect * min(1.0, (index - started + 1) / 4)
                share = _clamp(share + rng.gauss(0, 0.6), 1.5, 60)
                pupils_now = count((q_count - 1 - index) / 4)
                series.append(self._share(_binomial(rng, pupils_now, share / 100), pupils_now))
            absence[school] = series

            grade_level = _clamp(rng.gauss(88.5, 3), 75, 95)
            grade_slope = _slope(rng, 0.4, -0.7)
            grade_effect = rng.uniform(3, 5) if helped else 0.0
            mood = _clamp(rng.gauss(3.9, 0.08), 3.5, 4.3)
            mood_slope = _slope(rng, 0.012, -0.02)
            inclusion = (
                _clamp(rng.gauss(90, 1.5), 85, 94)
                if school in special
                else _clamp(rng.gauss(97.2, 1.0), 93, 99.6)
            )
            inclusion_slope = _slope(rng, 0.15, -0.3)
            grades[school], wellbeing[school], mainstream[school] = [], [], []
            for index in range(y_count):
                back = y_count - 1 - index
                boost = {0: 1.0, 1: 0.5}.get(back, 0.0)
                pupils_then = count(back)
                cohort = max(1, round(pupils_then / 10 * rng.uniform(0.85, 1.1)))
                share = _clamp(grade_level + grade_slope * index + grade_effect * boost, 40, 100)
                grades[school].append(self._share(_binomial(rng, cohort, share / 100), cohort))
                answers = max(1, round(pupils_then * 0.6 * rng.uniform(0.82, 0.92)))
                score = _clamp(
                    mood + mood_slope * index + 0.12 * boost * helped + rng.gauss(0, 0.025), 1, 5
                )
                wellbeing[school].append(
                    _Cell(Decimal(f"{score * answers:.2f}"), Decimal(answers), answers)
                )
                share = _clamp(inclusion + inclusion_slope * index, 70, 100)
                mainstream[school].append(
                    self._share(_binomial(rng, pupils_then, share / 100), pupils_then)
                )
        self.leaves["fravaer-over-10"] = absence
        self.leaves["karakter-02-dansk-matematik"] = grades
        self.leaves["trivsel"] = wellbeing
        self.leaves["almenskole-andel"] = mainstream

    @staticmethod
    def _share(numerator: int, denominator: int) -> _Cell:
        return _Cell(Decimal(numerator), Decimal(denominator), denominator)

    def _youth_education(self) -> None:
        """The municipality's 18-year-olds, followed by the children's administration."""
        rng = self.rng
        level = _clamp(rng.gauss(91, 1.2), 85, 96)
        slope = _slope(rng, 0.35, -0.3, worse_share=0.1)
        series: Series = []
        for index in range(len(self.years)):
            cohort = max(1, round(self.demand.children / 18 * rng.uniform(0.95, 1.05)))
            share = _clamp(level + slope * index, 50, 100)
            series.append(self._share(_binomial(rng, cohort, share / 100), cohort))
        self.leaves["ungdomsuddannelse-18"] = {self.units[CHILDREN]: series}

    def _social(self) -> None:
        """Notifications and placements by the age teams; lost earnings by the disability team."""
        rng = self.rng
        teams = (
            (self.org.unit("children"), 0.72, rng.gauss(14, 1.5), -0.25, rng.gauss(4.2, 0.5)),
            (self.org.unit("youth"), 0.28, rng.gauss(21, 2.0), 1.2, rng.gauss(8.5, 0.8)),
        )
        notifications: dict[UnitPlan, Series] = {}
        placements: dict[UnitPlan, Series] = {}
        count = len(self.quarters)
        for team, age_share, level, slope, placed in teams:
            growth = rng.gauss(0.005, 0.004)
            placed_slope = _slope(rng, -0.15 * placed / 4, 0.1)
            notes: Series = []
            stock: Series = []
            last_year = self.quarters[-1].year
            for index, period in enumerate(self.quarters):
                years = index / 4
                # Counted once a year, on 1 January, as the definitions count them.
                children = max(
                    1,
                    round(
                        self.demand.children * age_share * (1 - growth * (last_year - period.year))
                    ),
                )
                rate = max(0.0, (level + slope * years) * NOTIFICATION_SEASON[period.number])
                notes.append(
                    _Cell(
                        Decimal(_poisson(rng, children * rate / 1000)), Decimal(children), children
                    )
                )
                rate = max(0.0, placed + placed_slope * years)
                number = max(0, round(children * rate / 1000 + rng.gauss(0, 0.5)))
                stock.append(_Cell(Decimal(number), Decimal(children), children))
            notifications[team] = notes
            placements[team] = stock
        self.leaves["underretninger-pr-1000"] = notifications
        self.leaves["anbringelser-pr-1000"] = placements

        # About 7.5 families per 1,000 children get it, some 47,000 kr. a quarter each.
        families = max(1, round(self.demand.children * 0.0075))
        per_family = rng.gauss(47, 4)
        spending: Series = []
        for index in range(count):
            years = index / 4
            receiving = max(1, round(families * (0.9 + 0.03 * years) + rng.gauss(0, 0.7)))
            amount = receiving * per_family * (1 + 0.025 * years) * rng.uniform(0.93, 1.07)
            spending.append(_Cell(Decimal(round(amount)), None, receiving))
        self.leaves["tabt-arbejdsfortjeneste"] = {self.org.unit("disability"): spending}

    def _sickness_units(self) -> list[UnitPlan]:
        """Where sickness is recorded: institutions, and teams or areas outside them."""

        def inside_institution(unit: UnitPlan) -> bool:
            parent = unit.parent
            while parent is not None:
                if parent.unit_type == "institution":
                    return True
                parent = parent.parent
            return False

        return [
            unit
            for unit in self.org.units
            if unit.unit_type == "institution"
            or (
                not unit.children
                and unit.unit_type in {"team", "area"}
                and not inside_institution(unit)
            )
        ]

    def _sickness(self) -> None:
        rng = self.rng
        leaves = self._sickness_units()
        leaf_set = set(leaves)
        staffed: Counter[UnitPlan] = Counter()
        for person in self.org.staff:
            node: UnitPlan | None = person.main_unit
            while node is not None and node not in leaf_set:
                node = node.parent
            if node is not None:
                staffed[node] += 1
        scale = _clamp(self.org.inhabitants / 60_000, 0.2, 1.5)
        series_by_unit: dict[UnitPlan, Series] = {}
        for unit in leaves:
            sector = self._sector(unit)
            employees = staffed[unit]
            if employees < MIN_PERSONS:
                # The demo hires the leader and the staff it needs for its stories (case
                # workers, psychologists), not the secretaries, therapists and substitutes
                # a real unit also has; give the unit a typical head count.
                low, high = (
                    HOME_CARE_STAFF
                    if unit.name.startswith("Hjemmeplejen")
                    else TYPICAL_STAFF.get(sector or "", OTHER_STAFF)
                )
                employees = max(6, round(rng.uniform(low, high) * scale))
            level = _clamp(rng.gauss(SICKNESS_LEVEL.get(sector or "", 3.8), 0.9), 2, 14)
            slope = _slope(rng, -0.12, 0.3, worse_share=0.25)
            noise = 0.5 * math.sqrt(30 / employees)
            growth = rng.gauss(0, 0.01)
            series: Series = []
            for index, period in enumerate(self.quarters):
                years = index / 4
                staff = max(
                    1, round(employees * (1 - growth * (len(self.quarters) - 1 - index) / 4))
                )
                share = level + slope * years + SICKNESS_SEASON[period.number] * level / 6
                share = _clamp(share + rng.gauss(0, noise), 0.3, 30)
                days = staff * WORKDAYS[period.number]
                sick = Decimal(f"{days * share / 100:.1f}")
                series.append(_Cell(sick, Decimal(days), staff))
            series_by_unit[unit] = series
        self.leaves["sygefravaer-medarbejdere"] = series_by_unit
        self.leaves["trivsel-medarbejdere"] = self._staff_wellbeing(series_by_unit)

    def _staff_wellbeing(self, sickness: dict[UnitPlan, Series]) -> dict[UnitPlan, Series]:
        """The yearly workplace assessment (1-100) where sickness is measured.

        Its own random stream per unit, seeded by the unit's key (which the demo's seed
        decides), so adding it left every other value of the demo as it was. Where
        sickness is high, well-being tends to be lower; about four in five answer.
        """
        wellbeing: dict[UnitPlan, Series] = {}
        for unit, series in sickness.items():
            rng = random.Random(f"trivsel-medarbejdere:{unit.key}")
            staff = max((cell.persons for cell in series if cell is not None), default=6)
            level = _clamp(rng.gauss(74, 5), 50, 92)
            if SICKNESS_LEVEL.get(self._sector(unit) or "", 3.8) > 6:
                level -= 4
            slope = rng.gauss(0.4, 1.2)
            cells: Series = []
            for index in range(len(self.years)):
                answers = max(1, round(staff * rng.uniform(0.7, 0.9)))
                score = _clamp(level + slope * index + rng.gauss(0, 2), 30, 98)
                cells.append(_Cell(Decimal(f"{score * answers:.1f}"), Decimal(answers), answers))
            wellbeing[unit] = cells
        return wellbeing

    @staticmethod
    def _sector(unit: UnitPlan) -> str | None:
        node: UnitPlan | None = unit
        while node is not None:
            if node.sector:
                return node.sector
            node = node.parent
        return None

    def value(self, indicator: Indicator, unit: UnitPlan, index: int = -1) -> _Cell | None:
        series = self.totals.get(indicator.code, {}).get(unit)
        return series[index] if series else None

    def shown(self, indicator: Indicator, unit: UnitPlan, index: int = -1) -> Decimal | None:
        """The value as the status shows it: None when missing or under five persons."""
        cell = self.value(indicator, unit, index)
        if cell is None or is_suppressed(indicator, cell.persons):
            return None
        period = self.periods_of(indicator)[index]
        if (indicator.code, str(unit.key), period.code) in self.hidden:
            return None
        return cell.value(indicator.factor)

    # ----------------------------------------------------------------------- targets

    def targets(self, indicators: dict[str, Indicator], used: list[str]) -> list[Target]:
        rows: list[Target] = []
        applies = Period(Frequency.YEARLY, self.first_year)
        director = self.leader(self.org.root)

        def add(code: str, unit: UnitPlan, value: Decimal, set_by: int, note: str) -> None:
            indicator = indicators[code]
            baseline = self.shown(indicator, unit, 0)
            first = self.periods_of(indicator)[0]
            rows.append(
                Target(
                    indicator=indicator,
                    unit_id=_pk(unit),
                    unit_key=unit.key,
                    applies_from=applies.code,
                    applies_from_start=applies.start,
                    value=value,
                    baseline_value=baseline,
                    baseline_period=first.code if baseline is not None else "",
                    note=note,
                    set_by_id=set_by,
                )
            )

        children = self.units[CHILDREN]
        for code in used:
            indicator = indicators[code]
            root = self.org.root
            baseline = self.shown(indicator, root, 0)
            latest = self.shown(indicator, root, -1)
            council: Decimal | None = None
            if not indicator.denominator and latest is not None:
                # An amount (spending) gets a budget: this year's level and a little more.
                council = _rounded(float(latest) * 1.03, _step(indicator, float(latest)), up=True)
                add(code, root, council, director, "Budgettet for valgperioden")
            elif baseline is not None:
                council = _improved(indicator, baseline, 0.3)
                add(code, root, council, director, "Kommunalbestyrelsens mål for valgperioden")
            latest = self.shown(indicator, children, -1)
            colour = CHIEF_COLOURS.get(code)
            if latest is None or colour is None:
                continue
            inherited = council is not None and colour == rag(
                latest,
                council,
                higher_is_better=indicator.higher_is_better,
                margin=indicator.amber_margin,
            )
            if not inherited:
                add(
                    code,
                    children,
                    _target_for_colour(indicator, latest, colour),
                    self.leader(children),
                    "Forvaltningens mål, aftalt med direktionen",
                )
        sickness = indicators["sygefravaer-medarbejdere"]
        for handle in (SOCIAL, ELDERLY, EMPLOYMENT):
            unit = self.units[handle]
            baseline = self.shown(sickness, unit, 0)
            if baseline is not None:
                add(
                    sickness.code,
                    unit,
                    _improved(sickness, baseline, 0.15),
                    self.leader(unit),
                    "Forvaltningens mål" if handle != ELDERLY else "Områdets eget mål",
                )
        # A few schools set their own absence target, which overrides the inherited one:
        # the schools with attendance teams aim higher, the school with the most absence
        # agrees a step on the way.
        absence = indicators["fravaer-over-10"]
        school_default = _target_of(rows, absence, [children, self.org.root])
        others = [s for s in self.schools if s not in self.intervention]
        # At least one school keeps inheriting, to show both.
        worst = max(others, key=lambda s: self.shown(absence, s) or 0) if len(others) > 1 else None
        for school in [*self.intervention, *([worst] if worst else [])]:
            latest = self.shown(absence, school)
            if latest is None or school_default is None:
                continue
            helped = school in self.intervention
            own = (
                min(school_default - 1, _rounded(float(latest), 0.5, up=True))
                if helped
                else _rounded(float(latest) * 0.93, 0.5, up=False)
            )
            add(
                absence.code,
                school,
                max(own, Decimal("1.0")),
                self.leader(school),
                "Skolens eget mål med fremmødeteamet"
                if helped
                else "Skolens eget mål, et trin på vejen, aftalt med skolechefen",
            )
        return rows


def _target_of(
    targets: list[Target], indicator: Indicator, units: list[UnitPlan]
) -> Decimal | None:
    """The first of the units' targets for the indicator: a unit's own, else the next's."""
    for unit in units:
        for target in targets:
            if target.indicator_id == indicator.pk and target.unit_key == unit.key:
                return target.value
    return None


def _step(indicator: Indicator, value: float) -> float:
    """A round step for targets: half a percentage point or per mille, 0.05 points, 50 t. kr."""
    if indicator.factor in (Indicator.Factor.PERCENT, Indicator.Factor.PER_THOUSAND):
        return 0.5
    magnitude = 10 ** math.floor(math.log10(abs(value))) if value else 1.0
    return max(10.0**-indicator.decimals, magnitude / 20)


def _rounded(value: float, step: float, *, up: bool) -> Decimal:
    steps = math.ceil(value / step - 1e-9) if up else math.floor(value / step + 1e-9)
    return Decimal(f"{steps * step:.3f}")


def _improved(indicator: Indicator, baseline: Decimal, share: float) -> Decimal:
    """A target a little better than the baseline, rounded to a step in the better direction.

    Shares in percent close ``share`` of the gap to 100 when higher is better;
    other values improve by a third of ``share`` of themselves.
    """
    value = float(baseline)
    higher = indicator.higher_is_better
    if higher and indicator.factor == Indicator.Factor.PERCENT:
        wanted = value + (100 - value) * share
    elif higher:
        wanted = value * (1 + share / 10)
    else:
        wanted = value * (1 - share / 2.5)
    return _rounded(wanted, _step(indicator, value), up=higher)


def _target_for_colour(indicator: Indicator, value: Decimal, colour: Rag) -> Decimal:
    """A round target that gives ``value`` the wanted colour under the status rules.

    Amber and red targets differ from the value as a reader sees it (rounded
    to the indicator's decimals), so no one sees "5,0 against 5,0" in amber.
    """
    higher = indicator.higher_is_better
    sign = 1 if higher else -1
    ahead = {Rag.GREEN: -0.03, Rag.AMBER: 0.04, Rag.RED: 0.2}[colour]
    wanted = float(value) * (1 + sign * ahead)
    ceiling = indicator.factor == Indicator.Factor.PERCENT
    if higher and ceiling:
        # Near 100 % a target can only ask for part of what is left.
        wanted = min(wanted, float(value) + (100 - float(value)) / 2)
    least = Decimal(10) ** -indicator.decimals
    coarse = _step(indicator, float(value))
    start = _rounded(wanted, coarse, up=(ahead > 0) == higher)
    for step in (Decimal(f"{coarse:.3f}"), Decimal(f"{coarse / 5:.3f}")):
        # Walk out from the round start, nearest first: start, one step up, one down, ...
        for distance in range(60):
            for target in (start + step * distance, start - step * distance):
                if target < 0 or (ceiling and target > 100):
                    continue
                got = rag(value, target, higher_is_better=higher, margin=indicator.amber_margin)
                if got == colour and (colour == Rag.GREEN or abs(value - target) >= least):
                    return target
    return start


def generate_results(
    municipality: Municipality,
    org: OrgPlan,
    demand: Demand,
    *,
    rng: random.Random,
    now: dt.date,
) -> ResultsCounts:
    """The results chain, targets, values, curves and reflections of one saved municipality."""
    started = time.perf_counter()
    plan = _Results(municipality, org, demand, rng, now)
    counts = plan.counts
    install_catalogue(municipality)
    indicators = {i.code: i for i in Indicator.objects.filter(municipality=municipality)}
    counts.indicators = len(indicators)
    plan.make_values()
    published = analytics.publish(
        municipality,
        plan.observations,
        inhabitants=org.inhabitants,
        rng=np.random.default_rng(rng.getrandbits(64)),
    )
    plan.hidden = published.hidden_cells
    counts.observations = len(plan.observations)
    counts.cells, counts.measurements = published.cells, published.measurements
    counts.suppressed = published.hidden

    committees = [
        Committee(municipality=municipality, name=name, cadence=cadence, description=text)
        for name, cadence, text in COMMITTEE_SPECS
    ]
    Committee.objects.bulk_create(committees)
    by_name = {c.name: c for c in committees}
    ambitions = [
        Ambition(
            municipality=municipality,
            committee=by_name[spec.committee],
            title=spec.title,
            description=spec.description,
            first_year=plan.first_year,
            last_year=plan.last_year,
            owner_id=plan.leader(plan.units[spec.owner]),
        )
        for spec in AMBITIONS
    ]
    Ambition.objects.bulk_create(ambitions)
    Ambition.units.through.objects.bulk_create(
        [
            Ambition.units.through(ambition_id=ambition.pk, unit_id=_pk(plan.units[handle]))
            for spec, ambition in zip(AMBITIONS, ambitions, strict=True)
            for handle in spec.units
        ]
    )
    marker_specs = [
        (ambition, m)
        for spec, ambition in zip(AMBITIONS, ambitions, strict=True)
        for m in spec.markers
    ]
    markers = [
        Marker(
            ambition=ambition,
            title=spec.title,
            owner_id=plan.leader(plan.units[spec.owner]),
            sort_order=10 * (index + 1),
        )
        for index, (ambition, spec) in enumerate(marker_specs)
    ]
    Marker.objects.bulk_create(markers)
    Marker.indicators.through.objects.bulk_create(
        [
            Marker.indicators.through(marker_id=marker.pk, indicator_id=indicators[code].pk)
            for (_ambition, spec), marker in zip(marker_specs, markers, strict=True)
            for code in spec.indicators
        ]
    )
    Marker.units.through.objects.bulk_create(
        [
            Marker.units.through(marker_id=marker.pk, unit_id=_pk(plan.units[handle]))
            for (_ambition, spec), marker in zip(marker_specs, markers, strict=True)
            for handle in spec.units
        ]
    )
    counts.committees, counts.ambitions, counts.markers = (
        len(committees),
        len(ambitions),
        len(markers),
    )
    used = list(dict.fromkeys(code for _a, spec in marker_specs for code in spec.indicators))

    targets = plan.targets(indicators, used)
    Target.objects.bulk_create(targets, batch_size=BATCH)
    counts.targets = len(targets)

    _curves_and_reflections(plan, indicators, targets)
    counts.seconds = time.perf_counter() - started
    return counts


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _forecast(plan: _Results, indicator: Indicator, unit: UnitPlan) -> list[dict[str, str]]:
    """The next four quarters if nothing changes: a year ago, plus the last year's change."""
    values = [
        float(v)
        for v in (plan.shown(indicator, unit, index) for index in range(len(plan.quarters)))
        if v is not None
    ]
    if len(values) < 8:
        return []
    change = sum(values[-4:]) / 4 - sum(values[-8:-4]) / 4
    last = plan.quarters[-1]
    return [
        {
            "period": last.shift(step).code,
            "value": f"{max(0.0, values[-4 + step - 1] + change):.1f}",
        }
        for step in range(1, 5)
    ]


def _curves_and_reflections(
    plan: _Results, indicators: dict[str, Indicator], targets: list[Target]
) -> None:
    """Turn-the-curve plans on the chief's red indicators, and two reflection meetings."""
    org, now, counts = plan.org, plan.now, plan.counts
    children = plan.units[CHILDREN]
    family = plan.units["family"]
    school_area = plan.units["school_area"]
    chief = plan.leader(children)
    school_chief = plan.leader(school_area)
    family_chief = plan.leader(family)
    ppr_leader = plan.leader(org.unit("ppr"))
    leader_plan = org.logins["leader"]
    school = leader_plan.main_unit
    school_leader = plan.leader(school)
    absence = indicators["fravaer-over-10"]
    notes = indicators["underretninger-pr-1000"]
    wellbeing = indicators["trivsel"]
    sickness = indicators["sygefravaer-medarbejdere"]
    model_school = plan.intervention[0].name if plan.intervention else school.name
    absence_target = _target_of(targets, absence, [children, org.root])
    wanted = (
        f" Højst {_danish(absence_target)} % af eleverne har mere end 10 % fravær."
        if absence_target is not None
        else ""
    )

    curves = [
        CurvePlan(
            indicator=absence,
            unit_id=_pk(children),
            unit_key=children.key,
            owner_id=chief,
            end_wanted="Alle elever kommer i skole hver dag og bliver savnet, når de ikke er der."
            + wanted,
            story=(
                "Fraværet steg efter coronaårene og falder kun langsomt. Det høje fravær samler "
                "sig i udskolingen og hos elever med ondt i maven, angst eller uro derhjemme. "
                "Første kvartal er hvert år det tungeste. Skolerne med fremmødeteams viser, at "
                "tidlig kontakt til familien virker."
            ),
            partners=(
                "Forældrene, skolernes fremmødeteams, PPR, sundhedsplejen, Familieafdelingen, "
                "fritids- og ungdomsklubberne og elevrådene."
            ),
            what_works=(
                "Kontakt til familien på første fraværsdag; en fast voksen, eleven kan gå til; "
                "en samtale med sundhedsplejersken ved gentaget sygefravær; en kortere skoledag i "
                f"en periode frem for langt fravær. Erfaringerne fra {model_school} og VIVEs "
                "forskning i fravær peger samme vej."
            ),
            forecast=_forecast(plan, absence, children),
            forecast_set_by_id=chief,
            forecast_set_at=_at(now - dt.timedelta(days=21), 10),
        ),
        CurvePlan(
            indicator=notes,
            unit_id=_pk(family),
            unit_key=family.key,
            owner_id=family_chief,
            end_wanted=(
                "Familier får hjælp, før bekymringen bliver så stor, at den skal underrettes, "
                "og skoler og dagtilbud ved, hvem de kan ringe til."
            ),
            story=(
                "Flere underretninger kommer fra skolerne om de 13-17-årige, ofte om mistrivsel "
                "og fravær. Mange af de unge har været kendt af PPR eller sundhedsplejen i "
                "længere tid. Underretningerne falder hver sommer, når skolerne holder ferie."
            ),
            partners=(
                "Skoler, dagtilbud, PPR, sundhedsplejen, jobcentrets ungeindsats, SSP og "
                "familierne selv."
            ),
            what_works=(
                "Anonym sparring med en rådgiver, før man underretter; tværfaglige "
                "konsultationer på skolerne; en hurtig første samtale med familien."
            ),
        ),
    ]
    CurvePlan.objects.bulk_create(curves)
    absence_curve, notes_curve = curves
    actions = [
        CurveAction(
            curve=absence_curve,
            description="Alle skoler kontakter familien på første fraværsdag",
            owner_id=school_chief,
            due_on=now - dt.timedelta(days=12),
        ),
        CurveAction(
            curve=absence_curve,
            description=f"Udbrede fremmødeteamet fra {model_school} til alle skoler",
            owner_id=school_leader,
            due_on=now + dt.timedelta(days=45),
        ),
        CurveAction(
            curve=absence_curve,
            description="Gennemgå fraværstallene med skolelederne hvert kvartal",
            owner_id=chief,
            due_on=now - dt.timedelta(days=60),
            status=CurveAction.Status.DONE,
            done_on=now - dt.timedelta(days=63),
        ),
        CurveAction(
            curve=notes_curve,
            description="Faste konsultationstider med en rådgiver på alle skoler",
            owner_id=family_chief,
            due_on=now + dt.timedelta(days=30),
        ),
        CurveAction(
            curve=notes_curve,
            description="Månedlige tværfaglige sparringsmøder med PPR og sundhedsplejen",
            owner_id=ppr_leader,
            due_on=now + dt.timedelta(days=75),
        ),
    ]
    CurveAction.objects.bulk_create(actions)
    counts.curves, counts.curve_actions = len(curves), len(actions)

    last = plan.quarters[-1]
    label = _quarter_label(last)

    def said(indicator: Indicator, unit: UnitPlan) -> str:
        """The value as the pages show it (``status.format_value``), in Danish."""
        value = plan.shown(indicator, unit)
        if value is None:
            return "ikke opgjort"
        with translation.override("da"):
            return format_value(indicator, value)

    def direction(indicator: Indicator, unit: UnitPlan) -> str:
        now_values = [plan.shown(indicator, unit, i) for i in range(-4, 0)]
        before = [plan.shown(indicator, unit, i) for i in range(-8, -4)]
        if None in now_values or None in before:
            return "ligger på samme niveau som sidste år"
        change = sum(v for v in now_values if v) - sum(v for v in before if v)
        return "er steget det seneste år" if change > 0 else "er faldet det seneste år"

    areas = {
        "i dagtilbuddene": plan.units["daycare_area"],
        "på skolerne": school_area,
        "i familieafdelingen": family,
    }
    highest_sickness = max(areas, key=lambda name: plan.shown(sickness, areas[name]) or 0)
    sfo = next((u for u in school.children if u.tag == "sfo"), None)
    school_team = [plan.leader(sfo)] if sfo is not None else []
    teacher = org.logins.get("teacher")
    if teacher is not None and teacher.pk is not None and teacher.main_unit is school:
        school_team.append(teacher.pk)
    reflections = [
        (
            Reflection(
                unit_id=_pk(children),
                held_on=now - dt.timedelta(days=20),
                led_by_id=chief,
                what_we_see=(
                    f"Andelen af elever med mere end 10 % fravær er {said(absence, children)} % "
                    f"i {label} og {direction(absence, children)}. Underretningerne "
                    f"{direction(notes, children)} og ligger på {said(notes, children)} pr. "
                    f"1.000 børn. Sygefraværet er {said(sickness, children)} %, højest "
                    f"{highest_sickness}."
                ),
                what_we_adjust=(
                    f"Skolerne tager fremmødeteams i brug efter model fra {model_school}. "
                    "Familieafdelingen tilbyder faste konsultationstider på skolerne. Vi ser på "
                    "tallene igen, når næste kvartal er opgjort."
                ),
                follow_up_owner_id=school_chief,
                follow_up_on=now + dt.timedelta(days=9),
            ),
            [school_chief, plan.leader(plan.units["daycare_area"]), family_chief, ppr_leader],
            [absence, notes, sickness],
        ),
        (
            Reflection(
                unit_id=_pk(school),
                held_on=now - dt.timedelta(days=55),
                led_by_id=school_leader,
                what_we_see=(
                    f"{said(absence, school)} % af vores elever havde mere end 10 % fravær i "
                    f"{label}, flest i udskolingen. Trivslen er {said(wellbeing, school)} i "
                    "den seneste måling. Sygefraværet blandt medarbejderne topper hvert år i "
                    "første kvartal."
                ),
                what_we_adjust=(
                    "Udskolingsteamet ringer hjem på første fraværsdag og afprøver en fast "
                    "morgensamling. SFO'en og lærerne aftaler en fælles overlevering om morgenen."
                ),
                follow_up_owner_id=school_leader,
                follow_up_on=now - dt.timedelta(days=10),
                followed_up_on=now - dt.timedelta(days=11),
            ),
            school_team,
            [absence, wellbeing, sickness],
        ),
    ]
    Reflection.objects.bulk_create([r for r, _people, _data in reflections])
    Reflection.participants.through.objects.bulk_create(
        [
            Reflection.participants.through(reflection_id=r.pk, staff_id=pk)
            for r, people, _data in reflections
            for pk in dict.fromkeys(people)
        ]
    )
    Reflection.indicators.through.objects.bulk_create(
        [
            Reflection.indicators.through(reflection_id=r.pk, indicator_id=i.pk)
            for r, _people, data in reflections
            for i in data
        ]
    )
    counts.reflections = len(reflections)


def clear_results(municipalities: QuerySet[Municipality]) -> None:
    """Delete the results rows of these municipalities (for ``demo --force``).

    Status reports and narratives go first: they protect committees and markers.
    The analytics engine's cells, the profiles and the stored observations go too.
    """
    analytics.clear_analytics(municipalities)
    ReportNarrative.objects.filter(report__committee__municipality__in=municipalities).delete()
    StatusReport.objects.filter(committee__municipality__in=municipalities).delete()
    Reflection.objects.filter(unit__municipality__in=municipalities).delete()
    CurvePlan.objects.filter(
        Q(unit__municipality__in=municipalities) | Q(indicator__municipality__in=municipalities)
    ).delete()
    ours = Q(unit__municipality__in=municipalities) | Q(indicator__municipality__in=municipalities)
    Measurement.objects.filter(ours).delete()
    Target.objects.filter(ours).delete()
    Ambition.objects.filter(municipality__in=municipalities).delete()
    Committee.objects.filter(municipality__in=municipalities).delete()
    Indicator.objects.filter(municipality__in=municipalities).delete()
