"""The work around the demo's vulnerable children: plans, meetings, concerns, ratings.

Runs after the organisation and the people are saved, and reads them back:
the children with a case worker are the vulnerable ones. About seven in ten
of them get a shared plan (one in five as a family plan with the adults), with
goals in their own words, efforts from the sectors that already work with
them, network meetings with decisions and actions, FIT ratings that mostly
improve, and now and then an everyday story. Teachers and pedagogues log
early concerns about other children; schools refer children to PPR.

Everything dates backwards from ``now`` (the day the demo is generated), so
that overdue actions, waiting referrals and upcoming meetings look like a
working day; the same seed on the same day gives the same data.

Rows are written with ``bulk_create``; the rules of ``helhed.plans.actions``
hold for them all the same (one active plan per citizen is the database's
own constraint), and every plan gets its first version snapshot.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from helhed.citizens.models import Citizen, Engagement, FamilyLink
from helhed.feedback.models import Rating, Scale, ScaleActivation
from helhed.organisation.models import Municipality, Role, RoleAssignment, Staff, Unit
from helhed.plans import versions
from helhed.plans.models import (
    Action,
    Concern,
    ConcernEvent,
    Decision,
    Effort,
    Goal,
    LegalBasis,
    Meeting,
    MeetingParticipant,
    Notification,
    Participant,
    Plan,
    PlanMember,
    PlanVersion,
    Referral,
    Story,
)

BATCH = 2_000
PLAN_SHARE = 0.7
FAMILY_PLAN_SHARE = 0.2

CHILD_GOALS = (
    "Jeg vil gerne komme i skole hver dag.",
    "Jeg vil have en ven at være sammen med i frikvarteret.",
    "Jeg vil kunne sove om natten uden at vågne.",
    "Jeg vil blive bedre til at læse.",
    "Jeg vil ikke blive så vred, når noget går galt.",
    "Jeg vil gå til fodbold igen.",
    "Jeg vil kunne sige fra, når nogen driller mig.",
)
YOUTH_GOALS = (
    "Jeg vil bestå 9. klasse og komme på en uddannelse.",
    "Jeg vil have et fritidsjob.",
    "Jeg vil have styr på min døgnrytme.",
    "Jeg vil kunne tale med mine forældre uden at vi råber.",
    "Jeg vil finde ud af, hvad jeg vil efter skolen.",
)
FAMILY_GOALS = (
    "Vi vil have rolige morgener, hvor alle kommer af sted til tiden.",
    "Vi vil spise aftensmad sammen mindst fire dage om ugen.",
    "Vi vil have færre konflikter om skærmtid.",
    "Vi vil have en fast aftale med skolen om, hvordan vi taler sammen.",
)
ADULT_GOALS = (
    "Jeg vil i praktik og videre i job.",
    "Jeg vil tage en uddannelse som voksen.",
    "Jeg vil have overskud til mine børn, når jeg kommer hjem.",
)

# (title, sector code, legal basis, section, monthly cost range, min age, max age)
EFFORTS = (
    ("Støtte i klassen", "school", LegalBasis.FOLKESKOLELOVEN, "§ 3 a", (2_000, 9_000), 6, 17),
    (
        "Specialpædagogisk bistand",
        "school",
        LegalBasis.FOLKESKOLELOVEN,
        "§ 3, stk. 2",
        (6_000, 18_000),
        6,
        17,
    ),
    (
        "Pædagogisk-psykologisk vurdering",
        "ppr",
        LegalBasis.FOLKESKOLELOVEN,
        "§ 12",
        (0, 3_000),
        3,
        17,
    ),
    (
        "Familiebehandling",
        "social",
        LegalBasis.BARNETS_LOV,
        "§ 32, stk. 1, nr. 3",
        (8_000, 22_000),
        0,
        17,
    ),
    (
        "Fast kontaktperson",
        "social",
        LegalBasis.BARNETS_LOV,
        "§ 32, stk. 1, nr. 5",
        (4_000, 12_000),
        7,
        17,
    ),
    ("Aflastning", "social", LegalBasis.BARNETS_LOV, "§ 32, stk. 1, nr. 7", (6_000, 25_000), 0, 17),
    (
        "Ekstra besøg af sundhedsplejersken",
        "health",
        LegalBasis.SUNDHEDSLOVEN,
        "§ 120",
        (500, 2_000),
        0,
        6,
    ),
    (
        "Samtaleforløb hos skolesundhedsplejersken",
        "health",
        LegalBasis.SUNDHEDSLOVEN,
        "§ 122",
        (500, 2_000),
        6,
        17,
    ),
    ("Mentor på vej mod uddannelse", "employment", LegalBasis.KUI, "§ 2 a", (3_000, 8_000), 15, 17),
    (
        "Støttepædagog i dagtilbud",
        "daycare",
        LegalBasis.DAGTILBUDSLOVEN,
        "§ 4, stk. 2",
        (5_000, 15_000),
        0,
        5,
    ),
)
ADULT_EFFORTS = (
    ("Virksomhedspraktik", "employment", LegalBasis.LAB, "§ 42", (1_000, 4_000)),
    ("Mentor til forælder", "employment", LegalBasis.LAB, "§ 31", (2_000, 6_000)),
)

DECISIONS = (
    "Skolen og familien mødes hver anden uge i de næste to måneder.",
    "Familiebehandlingen fortsætter med fokus på morgenrutiner.",
    "PPR observerer i klassen og giver sparring til lærerne.",
    "Vi afprøver kortere skoledage i en periode og evaluerer på næste møde.",
    "Sundhedsplejersken tager en samtale med barnet om søvn.",
    "Familien får en fast kontaktperson i kommunen.",
)
ACTIONS = (
    "Sende oversigt over fravær til familien",
    "Aftale observation i klassen",
    "Booke næste netværksmøde",
    "Undersøge fritidstilbud i nærområdet",
    "Tale med klasselæreren om pauser i løbet af dagen",
    "Følge op på samtale med sundhedsplejersken",
    "Sende henvisning til PPR",
    "Ringe til familien og høre, hvordan ugen er gået",
)
CONCERNS = (
    (Concern.Category.ABSENCE, "Har haft meget fravær de sidste uger, ofte mandage."),
    (Concern.Category.WELLBEING, "Virker trist og trækker sig fra de andre i frikvartererne."),
    (Concern.Category.BEHAVIOUR, "Flere konflikter med kammerater og voksne den seneste måned."),
    (Concern.Category.LEARNING, "Er gået i stå med læsningen og undgår opgaver."),
    (Concern.Category.HEALTH, "Kommer ofte uden madpakke og er meget træt om morgenen."),
    (Concern.Category.FAMILY, "Fortæller om uro derhjemme og om at sove hos forskellige."),
)
STORIES = (
    (
        "Første hele skoleuge",
        "I dag fortalte hun stolt, at hun havde været i skole alle fem dage. "
        "Mor havde lavet et skema på køleskabet, og det virkede.",
    ),
    (
        "Fodbold om tirsdagen",
        "Han er begyndt til fodbold igen sammen med en klassekammerat. Træneren siger, "
        "at han er den første, der står klar.",
    ),
    (
        "Morgenen uden råb",
        "Familien fortalte, at de for første gang i lang tid havde en morgen uden konflikter. "
        "De havde pakket tasken aftenen før.",
    ),
)


@dataclass
class ActivityCounts:
    plans: int = 0
    family_plans: int = 0
    goals: int = 0
    efforts: int = 0
    meetings: int = 0
    actions: int = 0
    ratings: int = 0
    concerns: int = 0
    referrals: int = 0
    stories: int = 0
    family_login_citizen: int | None = None
    extra: dict[str, int] = field(default_factory=dict)


@dataclass
class _Child:
    citizen: Citizen
    caseworker: int
    personal: dict[str, int] = field(default_factory=dict)  # engagement kind -> staff id
    unit_ids: list[int] = field(default_factory=list)
    guardians: list[Citizen] = field(default_factory=list)


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _days_before(now: dt.date, rng: random.Random, low: int, high: int) -> dt.date:
    return now - dt.timedelta(days=rng.randint(low, high))


def _cost(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(round(rng.randint(low, high), -2))


class _Org:
    """Lookups into the saved organisation of one municipality."""

    def __init__(self, municipality: Municipality, now: dt.date) -> None:
        assignments = (
            RoleAssignment.objects.valid_on(now)
            .filter(unit__municipality=municipality)
            .select_related("role", "unit__sector")
            .order_by("pk")
        )
        self.unit_of: dict[int, Unit] = {}
        self.frontline_by_unit: dict[int, list[int]] = defaultdict(list)
        self.role_by_unit: dict[tuple[int, str], list[int]] = defaultdict(list)
        self.units_by_sector: dict[str, list[Unit]] = defaultdict(list)
        for a in assignments:
            self.unit_of.setdefault(a.staff_id, a.unit)
            self.role_by_unit[(a.unit_id, a.role.code)].append(a.staff_id)
            if a.role.kind == Role.Kind.FRONTLINE:
                self.frontline_by_unit[a.unit_id].append(a.staff_id)
        self.units: dict[int, Unit] = {}
        for unit in Unit.objects.filter(municipality=municipality).select_related("sector"):
            self.units[unit.pk] = unit
            if unit.sector is not None:
                self.units_by_sector[unit.sector.code].append(unit)
        self.social_units = [u for u in self.units_by_sector["social"] if u.depth <= 3]
        self.ppr_units = sorted(self.units_by_sector["ppr"], key=lambda u: u.depth)

    def unit_for(self, staff_id: int) -> Unit:
        return self.unit_of[staff_id]


def generate_activity(
    municipality: Municipality,
    *,
    rng: random.Random,
    now: dt.date,
    login_staff: dict[str, int] | None = None,
) -> ActivityCounts:
    """Plans, meetings, ratings, concerns and referrals for one saved municipality."""
    counts = ActivityCounts()
    scales = {s.code: s for s in Scale.objects.prefetch_related("items")}
    ScaleActivation.objects.bulk_create(
        [ScaleActivation(municipality=municipality, scale=s) for s in scales.values()],
        ignore_conflicts=True,
    )
    org = _Org(municipality, now)
    children = _vulnerable_children(municipality, now)
    logins = login_staff or {}
    chosen = _family_login_child(children, logins, org)
    plans = _make_plans(children, org, rng, now, counts, chosen, logins)
    _make_meetings(plans, org, rng, now, counts)
    _make_ratings(plans, scales, rng, now, counts)
    _make_stories(plans, org, rng, now, counts)
    _make_concerns(municipality, org, rng, now, counts, logins)
    _make_referrals(children, org, rng, now, counts)
    for plan, _ in plans:
        PlanVersion.objects.create(
            plan=plan,
            number=1,
            changed_by_id=plan.created_by_id,
            changed_at=_at(plan.started_on, 10),
            summary="Planen er oprettet",
            snapshot=versions.snapshot(plan),
        )
    if chosen is not None and chosen.guardians:
        counts.family_login_citizen = chosen.guardians[0].pk
    return counts


def _vulnerable_children(municipality: Municipality, now: dt.date) -> list[_Child]:
    engagements = (
        Engagement.objects.valid_on(now)
        .filter(citizen__municipality=municipality)
        .order_by("citizen_id", "pk")
        .values_list("citizen_id", "kind", "staff_id", "unit_id")
    )
    personal: dict[int, dict[str, int]] = defaultdict(dict)
    units: dict[int, list[int]] = defaultdict(list)
    for citizen_id, kind, staff_id, unit_id in engagements:
        if staff_id is not None:
            personal[citizen_id].setdefault(kind, staff_id)
        if unit_id is not None:
            units[citizen_id].append(unit_id)
    ids = sorted(c for c, kinds in personal.items() if Engagement.Kind.CASEWORK in kinds)
    citizens = Citizen.objects.in_bulk(ids)
    guardians: dict[int, list[Citizen]] = defaultdict(list)
    links = (
        FamilyLink.objects.filter(to_citizen_id__in=ids, kind=FamilyLink.Kind.GUARDIAN)
        .select_related("from_citizen")
        .order_by("pk")
    )
    for link in links:
        guardians[link.to_citizen_id].append(link.from_citizen)
    return [
        _Child(
            citizen=citizens[i],
            caseworker=personal[i][Engagement.Kind.CASEWORK],
            personal=personal[i],
            unit_ids=units[i],
            guardians=guardians[i],
        )
        for i in ids
    ]


def _family_login_child(children: list[_Child], logins: dict[str, int], org: _Org) -> _Child | None:
    """The child whose guardian gets the demo's family login.

    A school child of the demo case worker at the demo teacher's school, with a
    guardian, so that the case worker, the teacher, the coordinator and the
    guardian logins all meet in one plan.
    """
    caseworker, teacher = logins.get("caseworker"), logins.get("teacher")
    if caseworker is None:
        return None
    school = org.unit_of[teacher].pk if teacher in org.unit_of else None
    mine = [c for c in children if c.caseworker == caseworker and c.guardians]
    at_school = [c for c in mine if c.citizen.current_unit_id == school and c.citizen.age() >= 9]
    pick = at_school or mine
    return pick[0] if pick else None


def _make_plans(
    children: list[_Child],
    org: _Org,
    rng: random.Random,
    now: dt.date,
    counts: ActivityCounts,
    chosen: _Child | None,
    logins: dict[str, int],
) -> list[tuple[Plan, _Child]]:
    """Plans for most vulnerable children; returns (plan, lead child) pairs."""
    planned: list[tuple[Plan, _Child, list[_Child], list[Citizen]]] = []
    taken: set[int] = set()
    by_guardian: dict[int, list[_Child]] = defaultdict(list)
    for child in children:
        for g in child.guardians:
            by_guardian[g.pk].append(child)
    for child in children:
        if child.citizen.pk in taken:
            continue
        if child is not chosen and rng.random() > PLAN_SHARE:
            continue
        siblings: list[_Child] = []
        adults: list[Citizen] = []
        if child.guardians and (child is chosen or rng.random() < FAMILY_PLAN_SHARE):
            adults = [g for g in child.guardians if g.pk not in taken]
            siblings = [
                s
                for g in child.guardians
                for s in by_guardian[g.pk]
                if s is not child and s.citizen.pk not in taken
            ]
            siblings = list({s.citizen.pk: s for s in siblings}.values())
        family_children = [child, *siblings]
        for c in family_children:
            taken.add(c.citizen.pk)
        taken.update(a.pk for a in adults)
        coordinator = child.personal.get(Engagement.Kind.COORDINATION, child.caseworker)
        if child is chosen and "coordinator" in logins:
            coordinator = logins["coordinator"]
        start = max(
            now - dt.timedelta(days=700),
            min(
                now - dt.timedelta(days=45), now - dt.timedelta(days=int(rng.expovariate(1 / 300)))
            ),
        )
        family = bool(adults)
        first = child.citizen.first_name
        plan = Plan(
            municipality_id=child.citizen.municipality_id,
            kind=Plan.Kind.FAMILY if family else Plan.Kind.CITIZEN,
            title=f"Familien {child.citizen.last_name}" if family else f"{first}s plan",
            what_matters=rng.choice(
                (
                    "At hverdagen hænger sammen, og at vi ikke skal fortælle vores historie "
                    "fem gange.",
                    f"At {first} er glad for at gå i skole og har nogen at lege med.",
                    "At vi bliver hørt, og at de voksne omkring os taler sammen.",
                )
            ),
            coordinator_id=coordinator,
            created_by_id=child.caseworker,
            started_on=start,
            version=1,
        )
        planned.append((plan, child, siblings, adults))
    Plan.objects.bulk_create([p for p, *_ in planned], batch_size=BATCH)
    members: list[PlanMember] = []
    goals: list[Goal] = []
    efforts: list[Effort] = []
    participants: list[Participant] = []
    for plan, child, siblings, adults in planned:
        counts.plans += 1
        counts.family_plans += bool(adults)
        for c in (child, *siblings):
            members.append(PlanMember(plan=plan, citizen=c.citizen, role=PlanMember.Role.CHILD))
        for adult in adults:
            occupation = rng.choice([o for o, _ in PlanMember.Occupation.choices if o])
            members.append(
                PlanMember(
                    plan=plan, citizen=adult, role=PlanMember.Role.ADULT, occupation=occupation
                )
            )
        staff_ids = {child.caseworker, *child.personal.values(), plan.coordinator_id}
        school_teachers = org.role_by_unit.get((child.citizen.current_unit_id or 0, "teacher"), [])
        if school_teachers:
            staff_ids.add(school_teachers[child.citizen.pk % len(school_teachers)])
        if child is chosen:
            staff_ids.update(logins[r] for r in ("caseworker", "teacher") if r in logins)
        for staff_id in sorted(staff_ids - {plan.coordinator_id}):
            if staff_id in org.unit_of:
                participants.append(
                    Participant(plan=plan, staff_id=staff_id, unit=org.unit_for(staff_id))
                )
        goals.extend(_goals(plan, child, siblings, adults, rng, now))
        efforts.extend(_efforts(plan, child, adults, org, rng, now))
    PlanMember.objects.bulk_create(members, batch_size=BATCH)
    Goal.objects.bulk_create(goals, batch_size=BATCH)
    Effort.objects.bulk_create(efforts, batch_size=BATCH)
    Participant.objects.bulk_create(participants, batch_size=BATCH)
    counts.goals, counts.efforts = len(goals), len(efforts)
    return [(plan, child) for plan, child, *_ in planned]


def _goals(
    plan: Plan,
    child: _Child,
    siblings: list[_Child],
    adults: list[Citizen],
    rng: random.Random,
    now: dt.date,
) -> list[Goal]:
    goals = []
    for c in (child, *siblings):
        age = c.citizen.age(now)
        bank = YOUTH_GOALS if age >= 13 else CHILD_GOALS
        for text in rng.sample(bank, k=2 if age >= 6 else 1):
            own = age >= 8
            goals.append(
                Goal(
                    plan=plan,
                    citizen=c.citizen,
                    text=text,
                    formulated_by=Goal.FormulatedBy.CHILD if own else Goal.FormulatedBy.PARENT,
                    formulated_by_name=c.citizen.first_name
                    if own
                    else (c.guardians[0].first_name if c.guardians else "Forælder"),
                    target_date=now + dt.timedelta(days=rng.randint(30, 240)),
                    status=rng.choices(
                        [s for s, _ in Goal.Status.choices], weights=[2, 6, 2, 2, 1]
                    )[0],
                    status_changed_on=_days_before(now, rng, 5, 90),
                )
            )
    if adults:
        goals.append(
            Goal(
                plan=plan,
                text=rng.choice(FAMILY_GOALS),
                formulated_by=Goal.FormulatedBy.FAMILY,
                formulated_by_name="Familien",
                target_date=now + dt.timedelta(days=rng.randint(60, 200)),
                status=Goal.Status.PROGRESSING,
                status_changed_on=_days_before(now, rng, 5, 60),
            )
        )
        goals.append(
            Goal(
                plan=plan,
                citizen=adults[0],
                text=rng.choice(ADULT_GOALS),
                formulated_by=Goal.FormulatedBy.CITIZEN,
                formulated_by_name=adults[0].first_name,
                target_date=now + dt.timedelta(days=rng.randint(90, 300)),
                status=Goal.Status.NOT_STARTED,
                status_changed_on=plan.started_on,
            )
        )
    return goals


def _efforts(
    plan: Plan,
    child: _Child,
    adults: list[Citizen],
    org: _Org,
    rng: random.Random,
    now: dt.date,
) -> list[Effort]:
    age = child.citizen.age(now)
    engaged_sectors = {"social", "school" if age >= 6 else "daycare"}
    if Engagement.Kind.PPR in child.personal:
        engaged_sectors.add("ppr")
    if Engagement.Kind.HEALTH in child.personal:
        engaged_sectors.add("health")
    if Engagement.Kind.EMPLOYMENT in child.personal:
        engaged_sectors.add("employment")
    fitting = [e for e in EFFORTS if e[5] <= age <= e[6] and e[1] in engaged_sectors]
    chosen = rng.sample(fitting, k=min(len(fitting), rng.randint(1, 4)))
    staff_for_sector = {
        "social": child.caseworker,
        "ppr": child.personal.get(Engagement.Kind.PPR),
        "health": child.personal.get(Engagement.Kind.HEALTH),
        "employment": child.personal.get(Engagement.Kind.EMPLOYMENT),
    }
    efforts = []
    rows = [(*e[:5], child.citizen) for e in chosen]
    if adults:
        rows.extend((*rng.choice(ADULT_EFFORTS), adults[0]) for _ in range(1))
    for title, sector, basis, section, (low, high), whom in rows:
        staff_id = staff_for_sector.get(sector)
        if staff_id in org.unit_of:
            unit = org.unit_for(staff_id)
        elif sector in ("school", "daycare") and child.citizen.current_unit_id:
            unit = org.units[child.citizen.current_unit_id]
        elif org.units_by_sector.get(sector):
            unit = min(org.units_by_sector[sector], key=lambda u: u.depth)
        else:
            continue
        span = max(1, (now - plan.started_on).days)
        starts = plan.started_on + dt.timedelta(days=rng.randint(0, span // 2))
        ends = None
        if rng.random() < 0.2:
            ends = min(
                now + dt.timedelta(days=90), starts + dt.timedelta(days=rng.randint(60, 300))
            )
        efforts.append(
            Effort(
                plan=plan,
                citizen=whom,
                title=title,
                sector=unit.sector,
                responsible_unit=unit,
                legal_basis=basis,
                legal_reference=section,
                starts_on=starts,
                ends_on=ends,
                monthly_cost=_cost(rng, low, high),
            )
        )
    return efforts


def _make_meetings(
    plans: list[tuple[Plan, _Child]],
    org: _Org,
    rng: random.Random,
    now: dt.date,
    counts: ActivityCounts,
) -> None:
    """Meetings every two to four months, the last one coming up; actions from each."""
    staff_names = {
        pk: f"{first} {last}"
        for pk, first, last in Staff.objects.filter(
            pk__in={p.coordinator_id for p, _ in plans}
            | set(
                Participant.objects.filter(plan__in=[p for p, _ in plans]).values_list(
                    "staff_id", flat=True
                )
            )
        ).values_list("pk", "first_name", "last_name")
    }
    participants_by_plan: dict[int, list[int]] = defaultdict(list)
    for plan_id, staff_id in Participant.objects.filter(plan__in=[p for p, _ in plans]).values_list(
        "plan_id", "staff_id"
    ):
        participants_by_plan[plan_id].append(staff_id)
    meetings: list[Meeting] = []
    people: list[tuple[Meeting, list[MeetingParticipant]]] = []
    for plan, child in plans:
        staff = [plan.coordinator_id, *participants_by_plan[plan.pk]]
        day = plan.started_on + dt.timedelta(days=rng.randint(3, 20))
        while True:
            upcoming = day > now
            meeting = Meeting(
                plan=plan,
                starts_at=_at(day, rng.choice((8, 9, 10, 13, 14)), rng.choice((0, 30))),
                place=rng.choice(("Skolen, mødelokale 2", "Familiens hjem", "Rådhuset", "PPR")),
                agenda="1. Hvordan går det? (barnet og familien først)\n"
                "2. Siden sidst: mål og indsatser\n3. Hvad gør vi nu, og hvem gør hvad?",
                status=Meeting.Status.PLANNED if upcoming else Meeting.Status.HELD,
                created_by_id=plan.coordinator_id,
            )
            if not upcoming:
                meeting.minutes = (
                    "Familien fortalte om de seneste uger. Netværket gennemgik målene "
                    "og aftalte næste skridt."
                )
                meeting.family_summary = (
                    "Vi talte om, hvordan det går derhjemme og i skolen. Vi aftalte, hvad "
                    "hver af os gør til næste gang, og hvornår vi ses igen."
                )
            family = [
                MeetingParticipant(
                    meeting=meeting, citizen=g, name=g.full_name, role="Forælder", attended=None
                )
                for g in child.guardians
            ]
            if child.citizen.age(now) >= 10:
                family.append(
                    MeetingParticipant(
                        meeting=meeting,
                        citizen=child.citizen,
                        name=child.citizen.full_name,
                        role="Barnet selv",
                    )
                )
            if not family:
                meeting.without_citizen_reason = "Forældrene deltager ikke; barnet er for lille."
            pros = [
                MeetingParticipant(
                    meeting=meeting,
                    staff_id=s,
                    name=staff_names.get(s, ""),
                    role="Koordinator" if s == plan.coordinator_id else "Fagperson",
                )
                for s in dict.fromkeys(staff)
            ]
            for p in family + pros:
                p.attended = None if upcoming else True
            meetings.append(meeting)
            people.append((meeting, family + pros))
            if upcoming:
                break
            day += dt.timedelta(days=rng.randint(60, 120))
            if day > now:
                day = now + dt.timedelta(days=rng.randint(1, 30))
    Meeting.objects.bulk_create(meetings, batch_size=BATCH)
    MeetingParticipant.objects.bulk_create([p for _, ps in people for p in ps], batch_size=BATCH)
    counts.meetings = len(meetings)

    decisions: list[Decision] = []
    for meeting in meetings:
        if meeting.status == Meeting.Status.HELD:
            decisions.extend(
                Decision(meeting=meeting, text=t) for t in rng.sample(DECISIONS, rng.randint(1, 3))
            )
    Decision.objects.bulk_create(decisions, batch_size=BATCH)
    # The latest held meeting's actions are still being worked on (a few overdue);
    # earlier meetings' actions are mostly done.
    latest: dict[int, Meeting] = {}
    for meeting in meetings:
        if meeting.status == Meeting.Status.HELD:
            latest[meeting.plan_id] = meeting
    actions: list[Action] = []
    for decision in decisions:
        meeting = decision.meeting
        plan = meeting.plan
        owners = [plan.coordinator_id, *participants_by_plan[plan.pk]]
        held = timezone.localtime(meeting.starts_at).date()
        if latest.get(plan.pk) is meeting:
            due = max(held + dt.timedelta(days=7), now + dt.timedelta(days=rng.randint(-12, 30)))
            done = due < now and rng.random() < 0.4
        else:
            due = held + dt.timedelta(days=rng.randint(7, 35))
            done = due < now and rng.random() < 0.95
        actions.append(
            Action(
                plan=plan,
                meeting=meeting,
                decision=decision,
                description=rng.choice(ACTIONS),
                owner_id=rng.choice(owners),
                due_on=due,
                status=Action.Status.DONE if done else Action.Status.OPEN,
                done_on=min(now, due - dt.timedelta(days=rng.randint(0, 5))) if done else None,
            )
        )
    Action.objects.bulk_create(actions, batch_size=BATCH)
    counts.actions = len(actions)


def _series(rng: random.Random, start: float, sessions: int, trend: float) -> list[list[float]]:
    totals = []
    level = start
    for _ in range(sessions):
        items = [
            max(0.0, min(10.0, round(level / 4 + rng.uniform(-1.2, 1.2), 1))) for _ in range(4)
        ]
        totals.append(items)
        level = max(4.0, min(38.0, level + trend + rng.uniform(-1.5, 1.5)))
    return totals


def _make_ratings(
    plans: list[tuple[Plan, _Child]],
    scales: dict[str, Scale],
    rng: random.Random,
    now: dt.date,
    counts: ActivityCounts,
) -> None:
    """ORS/CORS and SRS/CSRS every two to four weeks; the collaboration rating quarterly."""
    ratings: list[Rating] = []
    for plan, child in plans:
        age = child.citizen.age(now)
        if age < 6:
            continue
        outcome, session = (
            (scales["cors"], scales["csrs"])
            if age < 18
            else (
                scales["ors"],
                scales["srs"],
            )
        )
        sessions = rng.randint(3, 10)
        trend = rng.choices((2.2, 0.0, -1.2), weights=(6, 3, 1))[0]
        start_total = rng.uniform(12, 26)
        day = max(plan.started_on, now - dt.timedelta(days=sessions * 21 + 7))
        days = []
        for _ in range(sessions):
            if day > now:
                break
            days.append(day)
            day += dt.timedelta(days=rng.randint(14, 28))
        for on, items in zip(days, _series(rng, start_total, len(days), trend), strict=False):
            for scale, scores in (
                (outcome, items),
                (session, [min(10.0, round(rng.uniform(7.5, 10), 1)) for _ in range(4)]),
            ):
                ratings.append(
                    Rating(
                        plan=plan,
                        scale=scale,
                        citizen=child.citizen,
                        rated_on=on,
                        scores=scores,
                        total=Decimal(str(round(sum(scores), 1))),
                        given_by=child.citizen.first_name,
                        recorded_by_id=plan.coordinator_id,
                    )
                )
        if child.guardians:
            for on in days[::3]:
                scores = [round(rng.uniform(5, 10), 1) for _ in range(4)]
                ratings.append(
                    Rating(
                        plan=plan,
                        scale=scales["samarbejde"],
                        citizen=child.citizen,
                        rated_on=on,
                        scores=scores,
                        total=Decimal(str(round(sum(scores), 1))),
                        given_by=child.guardians[0].first_name,
                    )
                )
    Rating.objects.bulk_create(ratings, batch_size=BATCH)
    counts.ratings = len(ratings)


def _make_stories(
    plans: list[tuple[Plan, _Child]],
    org: _Org,
    rng: random.Random,
    now: dt.date,
    counts: ActivityCounts,
) -> None:
    stories = []
    for plan, child in plans:
        if rng.random() > 0.2:
            continue
        title, text = rng.choice(STORIES)
        sharing = rng.choices(
            [Story.Sharing.PRIVATE, Story.Sharing.PROPOSED, Story.Sharing.SHARED], (5, 2, 3)
        )[0]
        author = plan.coordinator_id
        unit = org.unit_of.get(author)
        stories.append(
            Story(
                plan=plan,
                title=title,
                text=text,
                told_by=child.guardians[0].first_name if child.guardians else "",
                written_by_id=author,
                written_on=_days_before(now, rng, 1, 120),
                anonymised_text=text if sharing != Story.Sharing.PRIVATE else "",
                sharing=sharing,
                sharing_unit=unit if sharing != Story.Sharing.PRIVATE else None,
            )
        )
    Story.objects.bulk_create(stories, batch_size=BATCH)
    counts.stories = len(stories)


def _make_concerns(
    municipality: Municipality,
    org: _Org,
    rng: random.Random,
    now: dt.date,
    counts: ActivityCounts,
    logins: dict[str, int],
) -> None:
    """Early concerns from teachers and pedagogues about about 2% of the children."""
    pupils = list(
        Citizen.objects.filter(municipality=municipality, current_unit__isnull=False)
        .order_by("pk")
        .values_list("pk", "current_unit_id")
    )
    teacher_login = logins.get("teacher")
    teacher_unit = org.unit_of[teacher_login].pk if teacher_login in org.unit_of else None
    concerns: list[Concern] = []
    for citizen_id, unit_id in pupils:
        staff = org.frontline_by_unit.get(unit_id)
        share = 0.05 if unit_id == teacher_unit else 0.02
        if not staff or rng.random() > share:
            continue
        raiser = teacher_login if unit_id == teacher_unit and rng.random() < 0.4 else None
        raiser = raiser or staff[citizen_id % len(staff)]
        category, text = rng.choice(CONCERNS)
        observed = _days_before(now, rng, 1, 150)
        follow_up = observed + dt.timedelta(days=rng.randint(7, 30))
        status = Concern.Status.OPEN
        if follow_up < now - dt.timedelta(days=7) and rng.random() < 0.7:
            status = rng.choices([Concern.Status.CLOSED, Concern.Status.NOTIFIED], (5, 1))[0]
        informed = rng.random() < 0.85
        concerns.append(
            Concern(
                citizen_id=citizen_id,
                unit_id=unit_id,
                raised_by_id=raiser,
                observed_on=observed,
                observation=text,
                category=category,
                severity=rng.choices(
                    [s for s, _ in Concern.Severity.choices], weights=(5, 4, 2, 0.3)
                )[0],
                parents_informed=informed,
                parents_not_informed_reason="" if informed else "Vi vil tale med barnet først.",
                follow_up_owner_id=raiser,
                follow_up_on=follow_up,
                status=status,
                outcome="Talt med familien; vi holder øje."
                if status != Concern.Status.OPEN
                else "",
            )
        )
    Concern.objects.bulk_create(concerns, batch_size=BATCH)
    events: list[ConcernEvent] = []
    notifications: list[Notification] = []
    for concern in concerns:
        events.append(
            ConcernEvent(
                concern=concern,
                kind=ConcernEvent.Kind.LOGGED,
                actor_id=concern.raised_by_id,
                at=_at(concern.observed_on, 15),
            )
        )
        if concern.status == Concern.Status.CLOSED:
            events.append(
                ConcernEvent(
                    concern=concern,
                    kind=ConcernEvent.Kind.CLOSED,
                    note=concern.outcome,
                    actor_id=concern.raised_by_id,
                    at=_at(concern.follow_up_on, 12),
                )
            )
        elif concern.status == Concern.Status.NOTIFIED and org.social_units:
            events.append(
                ConcernEvent(
                    concern=concern,
                    kind=ConcernEvent.Kind.NOTIFIED,
                    actor_id=concern.raised_by_id,
                    at=_at(concern.follow_up_on, 12),
                )
            )
            notifications.append(
                Notification(
                    citizen_id=concern.citizen_id,
                    concern=concern,
                    reported_by_id=concern.raised_by_id,
                    from_unit_id=concern.unit_id,
                    to_unit=org.social_units[0],
                    reported_on=concern.follow_up_on,
                    reason=concern.observation,
                )
            )
    ConcernEvent.objects.bulk_create(events, batch_size=BATCH)
    Notification.objects.bulk_create(notifications, batch_size=BATCH)
    counts.concerns = len(concerns)


def _make_referrals(
    children: list[_Child],
    org: _Org,
    rng: random.Random,
    now: dt.date,
    counts: ActivityCounts,
) -> None:
    """Referrals from the schools to PPR: decided ones for children PPR works with, open ones."""
    if not org.ppr_units:
        return
    ppr = org.ppr_units[0]
    # About one in ten waits for PPR; a small municipality still gets a handful.
    open_share = max(0.1, 6 / max(1, len(children)))
    referrals: list[Referral] = []
    for child in children:
        school = child.citizen.current_unit_id
        teachers = org.role_by_unit.get((school or 0, "teacher"), [])
        if not teachers:
            continue
        has_ppr = Engagement.Kind.PPR in child.personal
        if not has_ppr and rng.random() > open_share:
            continue
        sent = timezone.now() - dt.timedelta(
            days=rng.randint(60, 400) if has_ppr else rng.randint(1, 40), hours=rng.randint(0, 8)
        )
        referral = Referral(
            citizen=child.citizen,
            from_unit_id=school or 0,
            to_unit=ppr,
            sent_by_id=teachers[child.citizen.pk % len(teachers)],
            question=rng.choice(
                (
                    "Vi ønsker en vurdering af barnets læsevanskeligheder og sparring til "
                    "klassens lærere.",
                    "Barnet trives ikke i klassen; vi ønsker observation og råd om "
                    "tilrettelæggelse.",
                    "Forældrene og skolen ønsker en pædagogisk-psykologisk vurdering.",
                )
            ),
            legal_basis=LegalBasis.FOLKESKOLELOVEN,
            sent_at=sent,
        )
        if has_ppr:
            decided = sent + dt.timedelta(days=rng.randint(5, 45))
            referral.status = Referral.Status.ACCEPTED
            referral.received_at = sent + dt.timedelta(days=1)
            referral.decided_at = decided
            referral.decided_by_id = child.personal[Engagement.Kind.PPR]
            referral.access_until = decided.date() + dt.timedelta(days=365)
            referral.access_days = 365
        else:
            referral.status = rng.choice((Referral.Status.SENT, Referral.Status.RECEIVED))
            if referral.status == Referral.Status.RECEIVED:
                referral.received_at = sent + dt.timedelta(days=1)
        referrals.append(referral)
    Referral.objects.bulk_create(referrals, batch_size=BATCH)
    counts.referrals = len(referrals)


def clear_activity(municipalities: QuerySet[Municipality]) -> None:
    """Delete the plans and feedback rows of these municipalities (for ``demo --force``)."""
    plans = Plan.objects.filter(municipality__in=municipalities)
    Rating.objects.filter(plan__in=plans).delete()
    Story.objects.filter(plan__in=plans).delete()
    Action.objects.filter(plan__in=plans).delete()
    Meeting.objects.filter(plan__in=plans).delete()
    Referral.objects.filter(citizen__municipality__in=municipalities).delete()
    Notification.objects.filter(citizen__municipality__in=municipalities).delete()
    Concern.objects.filter(citizen__municipality__in=municipalities).delete()
    plans.delete()
    ScaleActivation.objects.filter(municipality__in=municipalities).delete()
