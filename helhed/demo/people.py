"""The demo's children, their families, and who works with them.

Children are drawn first, with the Danish age profile (slightly fewer
toddlers than teenagers, as births have fallen), and then grouped into
families of one to four siblings a realistic one to six years apart, so the
age profile stays exactly as drawn. Each family gets one or two guardians of
plausible ages and lives in one school district, so siblings share a school
and a daycare.

About 5-6% of the children are vulnerable: their families are picked with a
weight that rises with the children's age and for single-guardian families,
as the Danish child-case statistics show. They get a case worker (one per
family, as in practice), and, depending on age and need, a PPR psychologist,
a health visitor, a cross-sector coordinator and, for the oldest, the job
centre's youth team.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import Counter
from dataclasses import dataclass, field

from helhed.citizens import cpr as cprlib
from helhed.citizens import crypto
from helhed.demo.names import Name, Names
from helhed.demo.organisation import (
    TEAM_CHILDREN,
    TEAM_DISABILITY,
    TEAM_YOUTH,
    Demand,
    OrgPlan,
    StaffPlan,
    UnitPlan,
    school_grade,
)

# Relative size of each one-year age group 0-17 (Danmarks Statistik, 2024: births
# fell in the 2010s, so there are fewer toddlers than teenagers).
AGE_WEIGHTS = (
    0.93, 0.95, 0.96, 0.97, 0.98, 0.99, 1.0, 1.0, 1.01,
    1.02, 1.03, 1.04, 1.05, 1.05, 1.05, 1.04, 1.03, 1.02,
)  # fmt: skip
_AGE_CUM = tuple(itertools.accumulate(AGE_WEIGHTS))
# Children per family (families with children under 18).
FAMILY_SIZES = ((1, 0.42), (2, 0.42), (3, 0.13), (4, 0.03))
# Years between siblings' birth years.
SIBLING_GAPS = (1, 2, 2, 2, 3, 3, 3, 4, 4, 5, 6)
TWIN_SHARE = 0.015
OTHER_ORIGIN_SHARE = 0.09
TWO_GUARDIAN_SHARE = 0.83

# Engagement kinds, as stored (citizens.models.Engagement.Kind values).
CASEWORK = "casework"
TEACHING = "teaching"
DAYCARE = "daycare"
PPR = "ppr"
HEALTH = "health"
EMPLOYMENT = "employment"
COORDINATION = "coordination"

CASE_PURPOSES = (
    ("Børnefaglig undersøgelse", 0.3),
    ("Støttende indsats i familien", 0.35),
    ("Forebyggende indsats", 0.2),
    ("Anbringelse uden for hjemmet", 0.08),
    ("Opfølgning på underretning", 0.07),
)


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def age_on(birth_date: dt.date, on: dt.date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


@dataclass(eq=False)
class PersonPlan:
    name: Name
    birth_date: dt.date
    cpr: str
    current_unit: UnitPlan | None = None
    pk: int | None = None


@dataclass(eq=False)
class FamilyPlan:
    children: list[PersonPlan]
    guardians: list[PersonPlan]
    district: int
    daycare: UnitPlan | None = None
    vulnerable: list[PersonPlan] = field(default_factory=list)
    team: str | None = None
    coordinated: bool = False


@dataclass(frozen=True)
class EngagementPlan:
    person: PersonPlan
    kind: str
    valid_from: dt.date
    purpose: str = ""
    unit: UnitPlan | None = None
    staff: StaffPlan | None = None


@dataclass
class PeoplePlan:
    families: list[FamilyPlan] = field(default_factory=list)
    engagements: list[EngagementPlan] = field(default_factory=list)
    # (child, kind) for the personal engagements still to be given a staff member.
    needs: list[tuple[PersonPlan, str, FamilyPlan]] = field(default_factory=list)

    @property
    def children(self) -> list[PersonPlan]:
        return [c for f in self.families for c in f.children]

    @property
    def guardians(self) -> list[PersonPlan]:
        return [g for f in self.families for g in f.guardians]

    @property
    def vulnerable(self) -> list[PersonPlan]:
        return [c for f in self.families for c in f.vulnerable]


class CprNumbers:
    """Unique synthetic CPR numbers from the seeded generator.

    ``taken`` holds the keyed hashes already in the database, so a demo can be
    generated beside existing citizens without breaking the unique index.
    """

    def __init__(self, rng: random.Random, used: set[str], taken: set[str]) -> None:
        self.rng = rng
        self.used = used
        self.taken = taken

    def new(self, birth_date: dt.date, sex: str) -> str:
        while True:
            number = cprlib.synthetic(birth_date, sex, self.rng)
            if number in self.used:
                continue
            if self.taken and crypto.keyed_hash(number) in self.taken:
                continue
            self.used.add(number)
            return number


def _birth_date(age: int, on: dt.date, rng: random.Random) -> dt.date:
    """A birth date for someone exactly ``age`` years old on ``on``."""
    latest = add_years(on, -age)
    earliest = add_years(on, -age - 1) + dt.timedelta(days=1)
    return earliest + dt.timedelta(days=rng.randrange((latest - earliest).days + 1))


def _form_families(births: list[dt.date], rng: random.Random) -> list[list[dt.date]]:
    """Group birth dates into sibling groups; every date is used exactly once."""
    by_year: dict[int, list[int]] = {}
    order = list(range(len(births)))
    rng.shuffle(order)
    for index in order:
        by_year.setdefault(births[index].year, []).append(index)
    used = [False] * len(births)
    sizes = [s for s, _ in FAMILY_SIZES]
    weights = [w for _, w in FAMILY_SIZES]
    families: list[list[dt.date]] = []
    for anchor in order:
        if used[anchor]:
            continue
        used[anchor] = True
        members = [births[anchor]]
        wanted = rng.choices(sizes, weights)[0]
        year = births[anchor].year
        direction = rng.choice((-1, 1))
        while len(members) < wanted:
            year += direction * rng.choice(SIBLING_GAPS)
            bucket = by_year.get(year, [])
            # Siblings (not twins) are born at least ten months apart.
            found = None
            for _ in range(4):
                while bucket and used[bucket[-1]]:
                    bucket.pop()
                if not bucket:
                    break
                candidate = bucket[rng.randrange(len(bucket))]
                if not used[candidate] and all(
                    abs((births[candidate] - m).days) >= 300 for m in members
                ):
                    found = candidate
                    break
            if found is None:
                break
            used[found] = True
            members.append(births[found])
        families.append(sorted(members))
    return families


def _guardians(
    children: list[PersonPlan],
    surname: str,
    other_origin: bool,
    names: Names,
    cprs: CprNumbers,
    rng: random.Random,
) -> list[PersonPlan]:
    oldest = min(c.birth_date for c in children)
    youngest = max(c.birth_date for c in children)
    # Danish mothers are on average 29-30 at their first child; nobody is a mother
    # before 18, and very few after 46.
    mother_age = min(44.0, max(18.5, rng.gauss(29.5, 4.8)))
    mother_born = oldest - dt.timedelta(days=round(mother_age * 365.25))
    mother_born = max(mother_born, add_years(youngest, -46))
    father_gap = min(15.0, max(-5.0, rng.gauss(2.5, 3.5)))
    father_born = mother_born - dt.timedelta(days=round(father_gap * 365.25))
    father_born = min(father_born, add_years(oldest, -18))
    father_born = max(father_born, add_years(youngest, -60))

    def person(sex: str, born: dt.date, own_surname: str) -> PersonPlan:
        name = (
            names.other_origin_adult(sex, own_surname)
            if other_origin
            else names.adult(sex, surname=own_surname)
        )
        return PersonPlan(name, born, cprs.new(born, sex))

    mother_surname = surname if other_origin or rng.random() < 0.55 else names.family_surname(False)
    if rng.random() < TWO_GUARDIAN_SHARE:
        return [person("F", mother_born, mother_surname), person("M", father_born, surname)]
    if rng.random() < 0.85:
        return [person("F", mother_born, surname)]
    return [person("M", father_born, surname)]


def build_people(
    org: OrgPlan,
    target_children: int,
    names: Names,
    cprs: CprNumbers,
    rng: random.Random,
    on: dt.date,
) -> tuple[PeoplePlan, Demand]:
    """Children, guardians, enrolment, and which children need which professionals."""
    births = [
        _birth_date(rng.choices(range(18), cum_weights=_AGE_CUM)[0], on, rng)
        for _ in range(target_children)
    ]
    people = PeoplePlan()
    demand = Demand()
    school_weights = [s.weight for s in org.schools]
    daycares_by_district: dict[int, list[UnitPlan]] = {}
    for daycare in org.daycares:
        daycares_by_district.setdefault(daycare.district, []).append(daycare)
    school_index = {id(s): i for i, s in enumerate(org.schools)}
    daycare_index = {id(d): i for i, d in enumerate(org.daycares)}
    health_visiting = org.unit("health_visiting")

    for dates in _form_families(births, rng):
        if len(dates) < 4 and rng.random() < TWIN_SHARE:
            twin_of = rng.choice(dates)
            dates = sorted([*dates, twin_of])
        other_origin = rng.random() < OTHER_ORIGIN_SHARE
        surname = names.family_surname(other_origin)
        children = []
        for born in dates:
            sex = "M" if rng.random() < 0.513 else "F"
            children.append(
                PersonPlan(names.child(sex, surname, other_origin), born, cprs.new(born, sex))
            )
        guardians = _guardians(children, surname, other_origin, names, cprs, rng)
        district = rng.choices(range(len(org.schools)), school_weights)[0]
        family = FamilyPlan(children, guardians, district)
        people.families.append(family)
        for child in children:
            _enrol(child, family, org, daycares_by_district, people, rng, on)
            if child.current_unit is not None and child.current_unit.tag == "school":
                index = school_index[id(child.current_unit)]
                demand.pupils[index] += 1
                if school_grade(child.birth_date, on) <= 3:
                    demand.pupils_young[index] += 1
            elif child.current_unit is not None:
                index = daycare_index[id(child.current_unit)]
                if age_on(child.birth_date, on) < 3:
                    demand.daycare_small[index] += 1
                else:
                    demand.daycare_big[index] += 1
            if age_on(child.birth_date, on) < 1:
                # The health visitors see every newborn family in the first year.
                start = min(on, child.birth_date + dt.timedelta(days=5))
                people.engagements.append(
                    EngagementPlan(child, HEALTH, start, "Sundhedspleje", unit=health_visiting)
                )
    demand.children = sum(len(f.children) for f in people.families)
    _select_vulnerable(people, demand, rng, on)
    return people, demand


def _enrol(
    child: PersonPlan,
    family: FamilyPlan,
    org: OrgPlan,
    daycares_by_district: dict[int, list[UnitPlan]],
    people: PeoplePlan,
    rng: random.Random,
    on: dt.date,
) -> None:
    """Place a child in the district school (classes 0-9) or a daycare (from about a year)."""
    grade = school_grade(child.birth_date, on)
    if 0 <= grade <= 9:
        school = org.schools[family.district]
        child.current_unit = school
        # The child started in 0. klasse on 1 August of that school year.
        started = dt.date(on.year - (0 if on.month >= 8 else 1) - grade, 8, 1)
        people.engagements.append(EngagementPlan(child, TEACHING, started, unit=school))
        return
    if grade > 9:
        return  # in youth education or an efterskole, outside the municipality's schools
    days = (on - child.birth_date).days
    chance = 0.0 if days < 300 else 0.4 if days < 365 else 0.9 if days < 3 * 365 else 0.97
    if rng.random() >= chance:
        return  # at home on parental leave, or with a private childminder
    if family.daycare is None:
        nearby = daycares_by_district.get(family.district) or org.daycares
        family.daycare = rng.choices(nearby, [d.weight for d in nearby])[0]
    child.current_unit = family.daycare
    started = min(on, child.birth_date + dt.timedelta(days=rng.randint(290, 420)))
    people.engagements.append(EngagementPlan(child, DAYCARE, started, unit=family.daycare))


def _select_vulnerable(people: PeoplePlan, demand: Demand, rng: random.Random, on: dt.date) -> None:
    """Pick the vulnerable children, family by family, and what each of them needs."""
    target = round(demand.children * rng.uniform(0.05, 0.06))

    def weight(family: FamilyPlan) -> float:
        oldest = max(age_on(c.birth_date, on) for c in family.children)
        return (1 + oldest / 6) * (2.0 if len(family.guardians) == 1 else 1.0)

    # Weighted sampling without replacement (Efraimidis-Spirakis): one key per family.
    ranked = sorted(people.families, key=lambda f: rng.random() ** (1 / weight(f)), reverse=True)
    count = 0
    for family in ranked:
        if count >= target:
            break
        family.vulnerable = [c for c in family.children if rng.random() < 0.75] or [
            family.children[0]
        ]
        count += len(family.vulnerable)
        ages = [age_on(c.birth_date, on) for c in family.vulnerable]
        if rng.random() < 0.12:
            family.team = TEAM_DISABILITY
        else:
            family.team = TEAM_YOUTH if max(ages) >= 13 else TEAM_CHILDREN
        family.coordinated = rng.random() < 0.35
        demand.team_children[family.team] += len(family.vulnerable)
        for child, age in zip(family.vulnerable, ages, strict=True):
            people.needs.append((child, CASEWORK, family))
            if family.coordinated:
                people.needs.append((child, COORDINATION, family))
                demand.coordinated += 1
            if age >= 3 and rng.random() < 0.45:
                people.needs.append((child, PPR, family))
            if rng.random() < (0.55 if age < 7 else 0.15):
                people.needs.append((child, HEALTH, family))
            if age >= 15 and rng.random() < 0.3:
                people.needs.append((child, EMPLOYMENT, family))


def _frontline(org: OrgPlan, unit: UnitPlan, role: str) -> list[StaffPlan]:
    return [s for s in org.staff_by_unit.get(id(unit), []) if s.assignments[0].role == role]


def assign_professionals(org: OrgPlan, people: PeoplePlan, rng: random.Random, on: dt.date) -> None:
    """Give every need a named professional; one case worker and coordinator per family.

    Case workers and coordinators are balanced by caseload; psychologists and
    health visitors cover school districts, as PPR and the health visitors
    usually divide the municipality between them.
    """
    load: Counter[int] = Counter()
    family_staff: dict[tuple[int, str], StaffPlan] = {}
    case_start: dict[int, dt.date] = {}
    pools = {
        CASEWORK: {
            team: _frontline(org, org.unit(team), "caseworker")
            for team in (TEAM_CHILDREN, TEAM_YOUTH, TEAM_DISABILITY)
        },
    }
    coordinators = _frontline(org, org.unit("coordination"), "coordinator")
    psychologists = _frontline(org, org.unit("ppr"), "psychologist")
    health_visitors = _frontline(org, org.unit("health_visiting"), "health_visitor")
    youth_consultants = _frontline(org, org.unit("youth_employment"), "job_consultant")

    def least_loaded(pool: list[StaffPlan]) -> StaffPlan:
        return pool[min(range(len(pool)), key=lambda i: (load[id(pool[i])], i))]

    purposes = [p for p, _ in CASE_PURPOSES]
    purpose_weights = [w for _, w in CASE_PURPOSES]
    for child, kind, family in people.needs:
        key = (id(family), kind)
        if id(family) not in case_start:
            # Cases run from weeks to years; most are a year or two old.
            days = min(2500, 14 + int(rng.expovariate(1 / 500)))
            case_start[id(family)] = on - dt.timedelta(days=days)
        start = min(on, max(case_start[id(family)], child.birth_date + dt.timedelta(days=14)))
        purpose = ""
        if kind == CASEWORK:
            if key not in family_staff:
                family_staff[key] = least_loaded(pools[CASEWORK][family.team or TEAM_CHILDREN])
            staff = family_staff[key]
            purpose = rng.choices(purposes, purpose_weights)[0]
        elif kind == COORDINATION:
            if key not in family_staff:
                family_staff[key] = least_loaded(coordinators)
            staff = family_staff[key]
            purpose = "Koordinering af den fælles plan"
        elif kind == PPR:
            staff = psychologists[family.district % len(psychologists)]
            purpose = rng.choice(("Pædagogisk-psykologisk vurdering", "Konsultativt forløb"))
        elif kind == HEALTH:
            staff = health_visitors[family.district % len(health_visitors)]
            purpose = "Ekstra besøg og støtte fra sundhedsplejen"
        else:
            staff = least_loaded(youth_consultants)
            purpose = "Ungeindsats: vej til uddannelse"
        if kind != CASEWORK:
            start = min(on, start + dt.timedelta(days=rng.randint(0, max(0, (on - start).days))))
        load[id(staff)] += 1
        people.engagements.append(EngagementPlan(child, kind, start, purpose, staff=staff))

    def busiest(pool: list[StaffPlan]) -> StaffPlan:
        return pool[max(range(len(pool)), key=lambda i: (load[id(pool[i])], -i))]

    caseworkers = pools[CASEWORK][TEAM_CHILDREN] + pools[CASEWORK][TEAM_YOUTH]
    org.logins["caseworker"] = busiest(caseworkers)
    org.logins["coordinator"] = busiest(coordinators)
    org.logins["psychologist"] = busiest(psychologists)
    org.logins["health_visitor"] = busiest(health_visitors)
    org.logins["job_consultant"] = busiest(youth_consultants)
