"""The demo municipality's organisation, planned in memory before anything is saved.

The shape follows a typical Danish municipality after the 2007 structural
reform: a municipal director over a handful of administrations (forvaltninger),
areas under them, institutions under the areas, and teams in some
institutions. Sizes scale with the number of inhabitants: about one school per
4,500 inhabitants, one daycare per 2,000, a teacher per 14 pupils, and staff
numbers in the other services in proportion.

Management spans are deliberately uneven: school leaders lead every teacher
and pedagogue of their school directly (30-90 people at a large school, as in
Viborg before its leadership reform), while the family department and the job
centre have team leaders.

Staff are planned in two steps: the units first (``build_units``), then,
once the children are placed and we know how many pupils each school has and
how many vulnerable children each team follows, the people (``build_staff``).
"""

from __future__ import annotations

import datetime as dt
import math
import random
import uuid
from collections import Counter
from dataclasses import dataclass, field

from faker import Faker

from helhed.demo.names import (
    Name,
    Names,
    care_home_names,
    daycare_names,
    school_names,
    slug,
)

# Every unit dates from the structural reform that created today's 98 municipalities.
UNITS_FROM = dt.date(2007, 1, 1)

# The family department's teams; which one a vulnerable family belongs to.
TEAM_CHILDREN = "children"
TEAM_YOUTH = "youth"
TEAM_DISABILITY = "disability"

# Committee names for politicians' job titles; the first is the children's committee.
FINANCE_COMMITTEE = "Økonomiudvalget"
COMMITTEES = (
    "Børne- og Skoleudvalget",
    "Social- og Sundhedsudvalget",
    "Beskæftigelsesudvalget",
    "Kultur- og Fritidsudvalget",
    "Teknik- og Miljøudvalget",
)
# Share of women by role in Danish municipalities (health visitors are nearly all women).
FEMALE_SHARE = {
    "health_visitor": 0.98,
    "caseworker": 0.88,
    "coordinator": 0.85,
    "psychologist": 0.82,
    "pedagogue": 0.76,
    "teacher": 0.68,
    "job_consultant": 0.66,
    "leader": 0.58,
    "chief": 0.4,
    "director": 0.3,
    "politician": 0.35,
}
SCHOOL_TEAMS = (
    ("Indskolingen (0.-3. klasse)", range(0, 4)),
    ("Mellemtrinnet (4.-6. klasse)", range(4, 7)),
    ("Udskolingen (7.-9. klasse)", range(7, 10)),
)


@dataclass(eq=False)
class UnitPlan:
    """A unit to be created; ``tag`` says what the generator uses it for."""

    name: str
    unit_type: str
    sector: str | None
    parent: UnitPlan | None
    key: uuid.UUID
    tag: str = ""
    weight: float = 1.0
    district: int = 0
    children: list[UnitPlan] = field(default_factory=list)
    pk: int | None = None

    @property
    def depth(self) -> int:
        return 1 if self.parent is None else self.parent.depth + 1


@dataclass(frozen=True)
class AssignmentPlan:
    unit: UnitPlan
    role: str
    job_title: str
    valid_from: dt.date


@dataclass(eq=False)
class StaffPlan:
    name: Name
    email: str
    assignments: list[AssignmentPlan] = field(default_factory=list)
    pk: int | None = None

    @property
    def main_unit(self) -> UnitPlan:
        return self.assignments[0].unit


@dataclass
class OrgPlan:
    """The unit tree, and handles on the units the rest of the generator needs."""

    municipality_name: str
    inhabitants: int
    root: UnitPlan
    units: list[UnitPlan] = field(default_factory=list)
    schools: list[UnitPlan] = field(default_factory=list)
    daycares: list[UnitPlan] = field(default_factory=list)
    tagged: dict[str, UnitPlan] = field(default_factory=dict)
    staff: list[StaffPlan] = field(default_factory=list)
    # Front-line staff by their main unit's tag or by unit, for engagements.
    staff_by_unit: dict[int, list[StaffPlan]] = field(default_factory=dict)
    logins: dict[str, StaffPlan] = field(default_factory=dict)

    def unit(self, tag: str) -> UnitPlan:
        return self.tagged[tag]


class _Builder:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.units: list[UnitPlan] = []

    def add(
        self,
        name: str,
        unit_type: str,
        parent: UnitPlan | None,
        sector: str | None = None,
        tag: str = "",
    ) -> UnitPlan:
        # Keys from the seeded generator, so a seed gives the same identities too.
        key = uuid.UUID(int=self.rng.getrandbits(128), version=4)
        unit = UnitPlan(name, unit_type, sector, parent, key, tag=tag)
        if parent is not None:
            parent.children.append(unit)
        self.units.append(unit)
        return unit


def _scaled(inhabitants: int, per: float, minimum: int = 1) -> int:
    return max(minimum, round(inhabitants / per))


def build_units(
    municipality_name: str, inhabitants: int, rng: random.Random, fake: Faker
) -> OrgPlan:
    """Plan the unit tree for a municipality of ``inhabitants`` people."""
    b = _Builder(rng)
    root = b.add(f"{municipality_name} Kommune", "municipality", None, tag="root")
    org = OrgPlan(municipality_name, inhabitants, root)
    tag = org.tagged
    tag["root"] = root

    # Børn og Unge: schools, daycare, PPR, the family department, health visitors.
    children = b.add("Børn og Unge", "administration", root, tag="children_admin")
    tag["children_admin"] = children
    school_area = b.add("Skoleområdet", "area", children, "school", tag="school_area")
    n_schools = _scaled(inhabitants, rng.uniform(4000, 5000))
    for index, name in enumerate(school_names(fake, n_schools)):
        school = b.add(name, "institution", school_area, "school", tag="school")
        # School sizes vary a lot: from village schools to four-track city schools.
        school.weight = rng.lognormvariate(0, 0.4)
        school.district = index
        for team_name, _grades in SCHOOL_TEAMS:
            b.add(team_name, "team", school, "school", tag="school_team")
        if school.weight > 1.1:
            b.add("SFO", "team", school, "school", tag="sfo")
        org.schools.append(school)
    daycare_area = b.add("Dagtilbudsområdet", "area", children, "daycare", tag="daycare_area")
    n_daycares = _scaled(inhabitants, rng.uniform(1800, 2200))
    for index, name in enumerate(daycare_names(fake, n_daycares)):
        daycare = b.add(name, "institution", daycare_area, "daycare", tag="daycare")
        daycare.weight = rng.lognormvariate(0, 0.35)
        # Each daycare lies in a school district (the names are already shuffled).
        daycare.district = index % n_schools
        org.daycares.append(daycare)
    tag["ppr"] = b.add("PPR – Pædagogisk Psykologisk Rådgivning", "institution", children, "ppr")
    family = b.add("Familieafdelingen", "area", children, "social", tag="family")
    tag["family"] = family
    tag["intake"] = b.add("Modtagelsen", "team", family, "social")
    tag[TEAM_CHILDREN] = b.add("Team Børn 0-12 år", "team", family, "social")
    tag[TEAM_YOUTH] = b.add("Team Unge 13-17 år", "team", family, "social")
    tag[TEAM_DISABILITY] = b.add("Handicapteamet", "team", family, "social")
    tag["coordination"] = b.add("Tværfaglig Koordinering", "team", family, "social")
    tag["family_house"] = b.add("Familiehuset", "institution", family, "social")
    tag["health_visiting"] = b.add("Sundhedsplejen", "institution", children, "health")
    tag["dental"] = b.add("Den Kommunale Tandpleje", "institution", children, "health")

    # Social, Sundhed og Ældre: adult services, the care homes and home care.
    social = b.add("Social, Sundhed og Ældre", "administration", root)
    health = b.add("Sundhed og Forebyggelse", "area", social, "health")
    b.add("Sundhedscentret", "institution", health, "health")
    b.add("Træning og Rehabilitering", "institution", health, "health")
    elderly = b.add("Ældre og Pleje", "area", social, "elderly")
    tag["assessment"] = b.add("Visitationen", "institution", elderly, "elderly")
    for name in care_home_names(fake, _scaled(inhabitants, 11000)):
        b.add(name, "institution", elderly, "elderly")
    districts = ("Nord", "Syd", "Øst", "Vest")[: min(4, _scaled(inhabitants, 25000))]
    for district in districts:
        b.add(f"Hjemmeplejen {district}", "institution", elderly, "elderly")
    adults = b.add("Handicap og Psykiatri", "area", social, "social")
    tag["adult_counselling"] = b.add("Voksenrådgivningen", "institution", adults, "social")
    b.add("Bostøtten", "institution", adults, "social")
    b.add(
        f"Botilbuddet {fake.random.choice(['Kærgården', 'Lyngbo', 'Ved Søen'])}",
        "institution",
        adults,
        "social",
    )

    # Beskæftigelse: the job centre and its teams.
    employment = b.add("Beskæftigelse", "administration", root, "employment")
    jobcentre = b.add(f"Jobcenter {municipality_name}", "institution", employment, "employment")
    tag["youth_employment"] = b.add("Ungeindsatsen", "team", jobcentre, "employment")
    tag["sickness"] = b.add("Sygedagpenge og Fleksjob", "team", jobcentre, "employment")
    tag["insured"] = b.add("Forsikrede Ledige", "team", jobcentre, "employment")
    tag["business"] = b.add("Virksomhedsservice", "team", jobcentre, "employment")
    b.add("Ydelsescentret", "institution", employment, "employment")

    # Kultur og Fritid.
    culture = b.add("Kultur og Fritid", "administration", root, "culture_leisure")
    b.add("Bibliotekerne", "institution", culture, "culture_leisure")
    b.add(f"{municipality_name} Musikskole", "institution", culture, "culture_leisure")
    b.add("Ungdomsskolen", "institution", culture, "culture_leisure")
    tag["clubs"] = b.add("Fritids- og Ungdomsklubberne", "institution", culture, "culture_leisure")

    # Teknik og Miljø: no citizens' cases here, but a real municipality has it.
    technical = b.add("Teknik og Miljø", "administration", root)
    for name in ("Vej og Park", "Byggeri og Plan", "Natur og Miljø"):
        b.add(name, "area", technical)

    org.units = b.units
    return org


def school_grade(birth_date: dt.date, on: dt.date) -> int:
    """The class (0 to 9) a child attends on ``on``; negative before school.

    Danish children start in 0. klasse in August of the year they turn six.
    """
    school_year = on.year if (on.month, on.day) >= (8, 1) else on.year - 1
    return school_year - birth_date.year - 6


@dataclass
class Demand:
    """What the children need, so the staff numbers fit them."""

    pupils: Counter[int] = field(default_factory=Counter)  # by school index
    pupils_young: Counter[int] = field(default_factory=Counter)  # grades 0-3
    daycare_small: Counter[int] = field(default_factory=Counter)  # under 3, by daycare index
    daycare_big: Counter[int] = field(default_factory=Counter)
    team_children: Counter[str] = field(default_factory=Counter)  # vulnerable, by team
    coordinated: int = 0
    children: int = 0


class _Hiring:
    def __init__(self, org: OrgPlan, names: Names, rng: random.Random, on: dt.date) -> None:
        self.org = org
        self.names = names
        self.rng = rng
        self.on = on
        self.domain = f"{slug(org.municipality_name)}.dk"
        self.emails: Counter[str] = Counter()

    def hired(self) -> dt.date:
        # Tenure: many recent hires, some who have been there since the reform.
        days = int(self.rng.expovariate(1 / 2200))
        return max(UNITS_FROM, self.on - dt.timedelta(days=30 + days))

    def hire(self, unit: UnitPlan, role: str, job_title: str) -> StaffPlan:
        female = self.rng.random() < FEMALE_SHARE.get(role, 0.5)
        name = self.names.adult("F" if female else "M")
        local = f"{slug(name.first_name)}.{slug(name.last_name.split()[-1])}"
        self.emails[local] += 1
        if self.emails[local] > 1:
            local = f"{local}{self.emails[local]}"
        staff = StaffPlan(name, f"{local}@{self.domain}")
        staff.assignments.append(AssignmentPlan(unit, role, job_title, self.hired()))
        self.org.staff.append(staff)
        self.org.staff_by_unit.setdefault(id(unit), []).append(staff)
        return staff

    def many(
        self, unit: UnitPlan, role: str, count: int, titles: list[tuple[str, float]]
    ) -> list[StaffPlan]:
        labels = [t for t, _ in titles]
        weights = [w for _, w in titles]
        return [self.hire(unit, role, self.rng.choices(labels, weights)[0]) for _ in range(count)]

    def member(self, staff: StaffPlan, team: UnitPlan, role: str, title: str) -> None:
        """A second assignment: the staff member also belongs to a team in the unit."""
        start = max(staff.assignments[0].valid_from, UNITS_FROM)
        staff.assignments.append(AssignmentPlan(team, role, title, start))


def build_staff(
    org: OrgPlan, demand: Demand, names: Names, rng: random.Random, on: dt.date
) -> None:
    """Hire the staff: leaders on every unit, front-line staff where the children are."""
    h = _Hiring(org, names, rng, on)
    n = org.inhabitants
    leader_titles = {
        "root": "Kommunaldirektør",
        "children_admin": "Direktør for Børn og Unge",
        "school_area": "Skolechef",
        "daycare_area": "Dagtilbudschef",
        "family": "Familiechef",
        "school": "Skoleleder",
        "daycare": "Daginstitutionsleder",
        "sfo": "SFO-leder",
    }
    for unit in org.units:
        if unit.tag == "school_team":
            continue  # year-group teams are led by the school leader
        if unit.unit_type == "administration" and unit.tag != "children_admin":
            title = f"Direktør for {unit.name}"
        elif unit.unit_type == "team":
            title = "Teamleder"
        elif unit is org.tagged.get("ppr"):
            title = "Leder af PPR"
        elif unit is org.tagged.get("health_visiting"):
            title = "Ledende sundhedsplejerske"
        elif unit.unit_type == "area":
            title = f"Chef for {unit.name}"
        else:
            title = f"Leder af {unit.name}"
        role = {"municipality": "director", "administration": "chief"}.get(unit.unit_type, "leader")
        staff = h.hire(unit, role, leader_titles.get(unit.tag, title))
        if unit.tag == "root":
            org.logins["director"] = staff
        elif unit.tag == "children_admin":
            org.logins["chief"] = staff

    # The demo's school leader, teacher and pedagogue sit at the largest school and daycare.
    largest_school = max(range(len(org.schools)), key=lambda i: (demand.pupils[i], -i))
    largest_daycare = max(
        range(len(org.daycares)),
        key=lambda i: (demand.daycare_small[i] + demand.daycare_big[i], -i),
    )
    for index, school in enumerate(org.schools):
        pupils = demand.pupils[index]
        teachers = h.many(
            school,
            "teacher",
            max(4, round(pupils / 14 * rng.uniform(0.92, 1.08))),
            [("Lærer", 0.86), ("Børnehaveklasseleder", 0.06), ("Ressourcelærer", 0.08)],
        )
        pedagogues = h.many(
            school,
            "pedagogue",
            max(1, round(demand.pupils_young[index] / 22)),
            [("Pædagog", 0.8), ("Pædagogmedhjælper", 0.2)],
        )
        teams = [u for u in school.children if u.tag == "school_team"]
        sfo = next((u for u in school.children if u.tag == "sfo"), None)
        for teacher in teachers:
            # Teachers teach the school's pupils (the school's engagement) and belong to a team.
            h.member(teacher, rng.choice(teams), "teacher", "Teammedlem")
        for pedagogue in pedagogues:
            h.member(pedagogue, sfo or teams[0], "pedagogue", "Teammedlem")
        if index == largest_school:
            org.logins["leader"] = org.staff_by_unit[id(school)][0]
            org.logins["teacher"] = teachers[0]
    for index, daycare in enumerate(org.daycares):
        # The minimum staffing rules: one adult per three under-threes, per six older children.
        need = demand.daycare_small[index] / 3 + demand.daycare_big[index] / 6
        pedagogues = h.many(
            daycare,
            "pedagogue",
            max(2, round(need * rng.uniform(0.95, 1.1))),
            [("Pædagog", 0.62), ("Pædagogmedhjælper", 0.32), ("Pædagogisk assistent", 0.06)],
        )
        if index == largest_daycare:
            org.logins["pedagogue"] = pedagogues[0]

    tag = org.tagged
    h.many(tag["ppr"], "psychologist", max(1, round(demand.children / 900)), [("Psykolog", 1)])
    h.many(
        tag["health_visiting"],
        "health_visitor",
        max(1, round(demand.children / 1000)),
        [("Sundhedsplejerske", 1)],
    )
    h.many(
        tag["intake"], "caseworker", max(1, round(demand.children / 2500)), [("Socialrådgiver", 1)]
    )
    for team in (TEAM_CHILDREN, TEAM_YOUTH, TEAM_DISABILITY):
        # Danish caseloads: about 25 children per social worker.
        h.many(
            tag[team],
            "caseworker",
            max(1, math.ceil(demand.team_children[team] / 25)),
            [("Socialrådgiver", 0.85), ("Socialformidler", 0.15)],
        )
    h.many(
        tag["coordination"],
        "coordinator",
        max(1, math.ceil(demand.coordinated / 20)),
        [("Koordinerende sagsbehandler", 1)],
    )
    h.many(tag["family_house"], "pedagogue", max(1, round(n / 10000)), [("Familiebehandler", 1)])
    h.many(tag["assessment"], "caseworker", max(1, round(n / 15000)), [("Visitator", 1)])
    h.many(
        tag["adult_counselling"], "caseworker", max(1, round(n / 12000)), [("Socialrådgiver", 1)]
    )
    consultants = max(4, round(n / 1400))
    h.many(
        tag["youth_employment"],
        "job_consultant",
        max(1, round(consultants * 0.25)),
        [("Jobkonsulent", 0.7), ("Ungevejleder", 0.3)],
    )
    h.many(
        tag["sickness"],
        "job_consultant",
        max(1, round(consultants * 0.3)),
        [("Jobkonsulent", 0.6), ("Sagsbehandler", 0.4)],
    )
    h.many(
        tag["insured"], "job_consultant", max(1, round(consultants * 0.25)), [("Jobkonsulent", 1)]
    )
    h.many(
        tag["business"],
        "job_consultant",
        max(1, round(consultants * 0.2)),
        [("Virksomhedskonsulent", 1)],
    )
    h.many(tag["clubs"], "pedagogue", max(1, round(n / 8000)), [("Klubpædagog", 1)])

    root = org.root
    analysts = h.many(
        root,
        "analyst",
        max(1, round(n / 20000)),
        [("Dataanalytiker", 0.6), ("Analysekonsulent", 0.4)],
    )
    org.logins["analyst"] = analysts[0]
    # The council: an odd number of members, 15-31 as in most municipalities. The mayor
    # chairs the finance committee; every other member sits on one of the others.
    council = min(31, max(15, 11 + 2 * round(n / 12000)))
    council += 1 - council % 2
    politicians = [h.hire(root, "politician", f"Borgmester, formand for {FINANCE_COMMITTEE}")]
    for seat in range(1, council):
        committee = COMMITTEES[(seat - 1) % len(COMMITTEES)]
        title = f"Formand for {committee}" if seat <= len(COMMITTEES) else f"Medlem af {committee}"
        politicians.append(h.hire(root, "politician", title))
    # The chair of the children's committee is the politician who logs in.
    org.logins["politician"] = next(
        p for p in politicians if p.assignments[0].job_title == f"Formand for {COMMITTEES[0]}"
    )
