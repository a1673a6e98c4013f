"""Generate realistic, reproducible demo municipalities.

One call makes a whole municipality: the unit tree, staff with roles, the
children (as citizens with valid synthetic CPR numbers), their guardians and
siblings, and the engagements that give front-line staff access to them. The
same seed gives the same municipality, down to names and CPR numbers: every
random choice comes from a ``random.Random`` and a Faker instance seeded from
the seed and the municipality code, never from the global generator.

The demo is a snapshot on 1 August, the start of the current school year
(``reference_date``), so regenerating within a school year gives identical
data; pass ``on`` to pin another date.

Everything is planned in memory first (``organisation`` and ``people``) and
then written with ``bulk_create`` in a few large batches, which keeps the
default size (60,000 inhabitants, about 12,000 children) well under a minute
on SQLite.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max, Q
from faker import Faker

from helhed.citizens.models import Citizen, Consent, Engagement, FamilyLink
from helhed.demo.across import AcrossCounts, clear_across, generate_across
from helhed.demo.activity import ActivityCounts, clear_activity, generate_activity
from helhed.demo.audit import AuditCounts, assign_on_call, generate_audit_history
from helhed.demo.leadership import LeadershipCounts, clear_leadership, generate_leadership
from helhed.demo.names import Names
from helhed.demo.organisation import UNITS_FROM, OrgPlan, build_staff, build_units
from helhed.demo.people import CprNumbers, PeoplePlan, assign_professionals, build_people
from helhed.demo.reports import ReportsCounts, generate_reports
from helhed.demo.results import ResultsCounts, clear_results, generate_results
from helhed.lib.validity import today
from helhed.organisation.models import (
    Municipality,
    Role,
    RoleAssignment,
    Sector,
    Staff,
    Unit,
    UnitType,
)

DEFAULT_MUNICIPALITY = 230  # Rudersdal, one of the municipalities the practices come from
DEFAULT_INHABITANTS = 60_000
DEFAULT_PASSWORD = "demo"  # noqa: S105 - the published demo password, printed on purpose
MIN_INHABITANTS = 1_000
BATCH_SIZE = 2_000

# Role code -> username of the demo login, in the order the logins are printed.
LOGIN_USERNAMES: dict[str, str] = {
    "director": "direktor",
    "chief": "chef",
    "leader": "skoleleder",
    "caseworker": "sagsbehandler",
    "teacher": "laerer",
    "pedagogue": "paedagog",
    "coordinator": "koordinator",
    "psychologist": "psykolog",
    "health_visitor": "sundhedsplejerske",
    "job_consultant": "jobkonsulent",
    "analyst": "analytiker",
    "politician": "politiker",
}
ADMIN_USERNAME = "admin"
FAMILY_USERNAME = "foraelder"
FAMILY_ROLE = "guardian"

Progress = Callable[[str], None]


@dataclass(frozen=True)
class MunicipalitySpec:
    """One municipality to generate; only the main one gets demo logins."""

    code: int
    inhabitants: int = DEFAULT_INHABITANTS
    seed: int = 1
    logins: bool = False


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    password: str

    @property
    def line(self) -> str:
        return f"login: {self.role} {self.username} {self.password}"


@dataclass
class Generated:
    """Counts for one generated municipality, for the progress and summary lines."""

    code: int
    name: str
    inhabitants: int
    units: int = 0
    staff: int = 0
    assignments: int = 0
    families: int = 0
    children: int = 0
    guardians: int = 0
    family_links: int = 0
    engagements: int = 0
    vulnerable: int = 0
    seconds: float = 0.0
    login_staff: dict[str, int] = field(default_factory=dict)
    activity: ActivityCounts = field(default_factory=ActivityCounts)
    results: ResultsCounts = field(default_factory=ResultsCounts)
    reports: ReportsCounts = field(default_factory=ReportsCounts)
    audit: AuditCounts = field(default_factory=AuditCounts)
    leadership: LeadershipCounts = field(default_factory=LeadershipCounts)
    across: AcrossCounts = field(default_factory=AcrossCounts)


@dataclass
class DemoResult:
    municipalities: list[Generated]
    logins: list[DemoLogin]
    seconds: float


def number(value: float) -> str:
    """Thousands separated by a space, as in "12 034"."""
    return f"{value:,.0f}".replace(",", " ")


def reference_date(on: dt.date | None = None) -> dt.date:
    """1 August of the school year that ``on`` (default today) falls in."""
    on = on or today()
    return dt.date(on.year if on.month >= 8 else on.year - 1, 8, 1)


def plan_municipalities(
    codes: Sequence[int],
    inhabitants: int = DEFAULT_INHABITANTS,
    seed: int = 1,
    comparable: int = 0,
) -> list[MunicipalitySpec]:
    """The main municipality (the first code) and comparable ones for benchmarks.

    Codes after the first are generated as comparable municipalities; then
    ``comparable`` more are picked, from the main one's region first. They get
    a size between 60% and 100% of the main one, and no logins.
    """
    wanted = list(dict.fromkeys(codes or [DEFAULT_MUNICIPALITY]))
    known = {m.code: m for m in Municipality.objects.all()}
    unknown = [code for code in wanted if code not in known]
    if unknown:
        raise ValueError(f"Unknown municipality code: {', '.join(map(str, unknown))}")
    main = known[wanted[0]]
    rng = random.Random(f"helhed-demo-comparable:{seed}:{main.code}")
    candidates = sorted(code for code in known if code not in wanted)
    same_region = [c for c in candidates if known[c].region == main.region]
    elsewhere = [c for c in candidates if known[c].region != main.region]
    rng.shuffle(same_region)
    rng.shuffle(elsewhere)
    extra = [*wanted[1:], *(same_region + elsewhere)[: max(0, comparable)]]
    specs = [MunicipalitySpec(main.code, inhabitants, seed, logins=True)]
    for code in extra:
        size = max(MIN_INHABITANTS, round(inhabitants * rng.uniform(0.6, 1.0)))
        specs.append(MunicipalitySpec(code, size, seed))
    return specs


def generate(
    specs: Sequence[MunicipalitySpec],
    *,
    password: str = DEFAULT_PASSWORD,
    on: dt.date | None = None,
    progress: Progress | None = None,
) -> DemoResult:
    """Generate each municipality, then the demo logins for the ones that want them."""
    started = time.perf_counter()
    on = on or reference_date()
    say = progress or (lambda _line: None)
    used: set[str] = set()
    taken = set(Citizen.objects.values_list("cpr_hash", flat=True))
    generated = [
        generate_municipality(spec, on=on, progress=say, used_cprs=used, taken_hashes=taken)
        for spec in specs
    ]
    staff_by_role: dict[str, int] = {}
    family_citizen: int | None = None
    for spec, result in zip(specs, generated, strict=True):
        if spec.logins and not staff_by_role:
            staff_by_role = result.login_staff
            family_citizen = result.activity.family_login_citizen
    logins = create_logins(staff_by_role, password, family_citizen) if staff_by_role else []
    family_user = (
        User.objects.filter(citizen__pk=family_citizen).first() if family_citizen else None
    )
    for spec, result in zip(specs, generated, strict=True):
        municipality = Municipality.objects.get(code=spec.code)
        rng = random.Random(f"helhed-demo-audit:{spec.seed}:{spec.code}")
        main = spec.logins and result.login_staff == staff_by_role
        assign_on_call(municipality, on, rng, staff_by_role.get("caseworker") if main else None)
        result.audit = generate_audit_history(
            municipality, on, rng, family_user=family_user if main else None
        )
        say(
            f"{result.name}: {number(result.audit.entries)} look-ups in the audit log "
            f"({result.audit.break_glass} break-the-glass)"
        )
    return DemoResult(generated, logins, time.perf_counter() - started)


def generate_municipality(
    spec: MunicipalitySpec,
    *,
    on: dt.date | None = None,
    progress: Progress | None = None,
    used_cprs: set[str] | None = None,
    taken_hashes: set[str] | None = None,
) -> Generated:
    """Plan and save one municipality; ``used_cprs`` keeps numbers unique across calls."""
    started = time.perf_counter()
    on = on or reference_date()
    say = progress or (lambda _line: None)
    municipality = Municipality.objects.get(code=spec.code)
    # Each municipality has its own stream, so adding a comparable one changes nothing else.
    rng = random.Random(f"helhed-demo:{spec.seed}:{spec.code}")
    fake = Faker("da_DK")
    fake.seed_instance(rng.getrandbits(64))
    names = Names(fake)
    result = Generated(spec.code, municipality.name, spec.inhabitants)

    org = build_units(municipality.name, spec.inhabitants, rng, fake)
    target = round(spec.inhabitants * rng.uniform(0.19, 0.21))
    cprs = CprNumbers(rng, used_cprs if used_cprs is not None else set(), taken_hashes or set())
    people, demand = build_people(org, target, names, cprs, rng, on)
    build_staff(org, demand, names, rng, on)
    assign_professionals(org, people, rng, on)
    say(
        f"{municipality.name}: planned {number(len(org.units))} units, "
        f"{number(len(org.staff))} staff, {number(demand.children)} children in "
        f"{number(len(people.families))} families"
    )
    with transaction.atomic():
        _save_organisation(org, municipality, result)
        say(
            f"{municipality.name}: saved {number(result.units)} units, "
            f"{number(result.staff)} staff, {number(result.assignments)} role assignments"
        )
        _save_people(people, municipality, result)
        say(
            f"{municipality.name}: saved {number(result.children)} children, "
            f"{number(result.guardians)} guardians, {number(result.family_links)} family links"
        )
        _save_engagements(people, result)
        say(
            f"{municipality.name}: saved {number(result.engagements)} engagements "
            f"({number(result.vulnerable)} vulnerable children)"
        )
        result.login_staff = {
            role: staff.pk for role, staff in org.logins.items() if staff.pk is not None
        }
        work = generate_activity(
            municipality,
            rng=random.Random(f"helhed-demo-activity:{spec.seed}:{spec.code}"),
            now=today(),
            login_staff=result.login_staff if spec.logins else None,
        )
        result.activity = work
        say(
            f"{municipality.name}: saved {number(work.plans)} shared plans "
            f"({number(work.family_plans)} for whole families), {number(work.meetings)} "
            f"network meetings, {number(work.actions)} actions, {number(work.ratings)} ratings, "
            f"{number(work.concerns)} concerns, {number(work.referrals)} referrals"
        )
        result.results = generate_results(
            municipality,
            org,
            demand,
            rng=random.Random(f"helhed-demo-results:{spec.seed}:{spec.code}"),
            now=today(),
        )
        say(f"{municipality.name}: {result.results.line}")
        result.reports = generate_reports(
            municipality,
            rng=random.Random(f"helhed-demo-reports:{spec.seed}:{spec.code}"),
            now=today(),
        )
        say(f"{municipality.name}: {result.reports.line}")
        result.leadership = generate_leadership(
            municipality,
            rng=random.Random(f"helhed-demo-leadership:{spec.seed}:{spec.code}"),
            now=today(),
            login_staff=result.login_staff if spec.logins else None,
        )
        say(f"{municipality.name}: {result.leadership.line}")
        result.across = generate_across(
            municipality,
            rng=random.Random(f"helhed-demo-across:{spec.seed}:{spec.code}"),
            now=today(),
            login_staff=result.login_staff if spec.logins else None,
        )
        say(f"{municipality.name}: {result.across.line}")
    result.seconds = time.perf_counter() - started
    return result


def _saved(pk: int | None) -> int:
    """The primary key of a planned row that has been saved (bulk_create sets it)."""
    if pk is None:
        raise RuntimeError("A planned row was used before it was saved")
    return pk


def _save_organisation(org: OrgPlan, municipality: Municipality, result: Generated) -> None:
    types = {t.code: t for t in UnitType.objects.all()}
    sectors = {s.code: s for s in Sector.objects.all()}
    roles = {r.code: r for r in Role.objects.all()}
    paths: dict[int, str] = {}
    by_depth: dict[int, list[int]] = {}
    for index, plan in enumerate(org.units):
        by_depth.setdefault(plan.depth, []).append(index)
    # Level by level, so every parent has its primary key, and so its path, first.
    for depth in sorted(by_depth):
        plans = [org.units[i] for i in by_depth[depth]]
        units = [
            Unit(
                key=plan.key,
                municipality=municipality,
                parent_id=plan.parent.pk if plan.parent else None,
                name=plan.name,
                unit_type=types[plan.unit_type],
                sector=sectors[plan.sector] if plan.sector else None,
                valid_from=UNITS_FROM,
            )
            for plan in plans
        ]
        Unit.objects.bulk_create(units, batch_size=BATCH_SIZE)
        for plan, unit in zip(plans, units, strict=True):
            plan.pk = unit.pk
            parent_path = paths[plan.parent.pk] if plan.parent and plan.parent.pk else ""
            unit.path = f"{parent_path}{unit.pk}."
            unit.depth = depth
            paths[unit.pk] = unit.path
        Unit.objects.bulk_update(units, ["path", "depth"], batch_size=BATCH_SIZE)
    result.units = len(org.units)

    staff = [
        Staff(
            municipality=municipality,
            first_name=plan.name.first_name,
            last_name=plan.name.last_name,
            email=plan.email,
        )
        for plan in org.staff
    ]
    Staff.objects.bulk_create(staff, batch_size=BATCH_SIZE)
    assignments: list[RoleAssignment] = []
    for person, row in zip(org.staff, staff, strict=True):
        person.pk = row.pk
        assignments.extend(
            RoleAssignment(
                staff_id=row.pk,
                unit_id=_saved(a.unit.pk),
                role=roles[a.role],
                job_title=a.job_title,
                valid_from=a.valid_from,
            )
            for a in person.assignments
        )
    RoleAssignment.objects.bulk_create(assignments, batch_size=BATCH_SIZE)
    result.staff = len(staff)
    result.assignments = len(assignments)


def _save_people(people: PeoplePlan, municipality: Municipality, result: Generated) -> None:
    persons = [p for family in people.families for p in (*family.children, *family.guardians)]
    citizens = []
    for person in persons:
        citizen = Citizen(
            first_name=person.name.first_name,
            last_name=person.name.last_name,
            municipality=municipality,
            current_unit_id=person.current_unit.pk if person.current_unit else None,
        )
        citizen.set_cpr(person.cpr)  # validates, encrypts and hashes, as for real citizens
        citizens.append(citizen)
    Citizen.objects.bulk_create(citizens, batch_size=BATCH_SIZE)
    for person, citizen in zip(persons, citizens, strict=True):
        person.pk = citizen.pk

    links: list[FamilyLink] = []
    for family in people.families:
        for guardian in family.guardians:
            links.extend(
                FamilyLink(
                    from_citizen_id=_saved(guardian.pk),
                    to_citizen_id=_saved(child.pk),
                    kind=FamilyLink.Kind.GUARDIAN,
                )
                for child in family.children
            )
        for i, older in enumerate(family.children):
            # Siblings are stored once, and read in both directions.
            links.extend(
                FamilyLink(
                    from_citizen_id=_saved(older.pk),
                    to_citizen_id=_saved(younger.pk),
                    kind=FamilyLink.Kind.SIBLING,
                )
                for younger in family.children[i + 1 :]
            )
    FamilyLink.objects.bulk_create(links, batch_size=BATCH_SIZE)
    result.families = len(people.families)
    result.children = sum(len(f.children) for f in people.families)
    result.guardians = sum(len(f.guardians) for f in people.families)
    result.family_links = len(links)
    result.vulnerable = sum(len(f.vulnerable) for f in people.families)


def _save_engagements(people: PeoplePlan, result: Generated) -> None:
    engagements = [
        Engagement(
            citizen_id=_saved(plan.person.pk),
            staff_id=plan.staff.pk if plan.staff else None,
            unit_id=plan.unit.pk if plan.unit else None,
            kind=plan.kind,
            purpose=plan.purpose,
            valid_from=plan.valid_from,
        )
        for plan in people.engagements
    ]
    Engagement.objects.bulk_create(engagements, batch_size=BATCH_SIZE)
    result.engagements = len(engagements)


def create_logins(
    staff_by_role: dict[str, int], password: str, family_citizen: int | None = None
) -> list[DemoLogin]:
    """Users for the chosen staff members, a family login, and the superuser ``admin``.

    The family login (``foraelder``) belongs to the guardian of a child whose
    plan the demo case worker, teacher and coordinator share.

    One password hash serves all of them: hashing is deliberately slow (about
    half a second each), and the demo password is public anyway.
    """
    encoded = make_password(password)
    logins = []
    staff_rows = Staff.objects.in_bulk(staff_by_role.values())
    with transaction.atomic():
        for role, username in LOGIN_USERNAMES.items():
            staff = staff_rows.get(staff_by_role.get(role, -1))
            if staff is None:
                continue
            user, _created = User.objects.get_or_create(username=username)
            user.first_name = staff.first_name
            user.last_name = staff.last_name
            user.email = staff.email
            user.password = encoded
            user.is_active = True
            user.save()
            Staff.objects.filter(user=user).exclude(pk=staff.pk).update(user=None)
            staff.user = user
            staff.save(update_fields=["user"])
            logins.append(DemoLogin(role, username, password))
        guardian = Citizen.objects.filter(pk=family_citizen).first() if family_citizen else None
        if guardian is not None:
            user, _created = User.objects.get_or_create(username=FAMILY_USERNAME)
            user.first_name, user.last_name = guardian.first_name, guardian.last_name
            user.password = encoded
            user.is_active = True
            user.save()
            Citizen.objects.filter(user=user).exclude(pk=guardian.pk).update(user=None)
            guardian.user = user
            guardian.save(update_fields=["user"])
            logins.append(DemoLogin(FAMILY_ROLE, FAMILY_USERNAME, password))
        admin, _created = User.objects.get_or_create(
            username=ADMIN_USERNAME, defaults={"email": "admin@example.org"}
        )
        admin.is_staff = admin.is_superuser = admin.is_active = True
        admin.password = encoded
        admin.save()
        logins.append(DemoLogin(ADMIN_USERNAME, ADMIN_USERNAME, password))
    return logins


def existing_logins(password: str = DEFAULT_PASSWORD) -> list[DemoLogin]:
    """The demo logins that exist, read from the users (the password is the known one)."""
    usernames = {**LOGIN_USERNAMES, FAMILY_ROLE: FAMILY_USERNAME}
    present = set(
        User.objects.filter(username__in=[*usernames.values(), ADMIN_USERNAME]).values_list(
            "username", flat=True
        )
    )
    logins = [
        DemoLogin(role, username, password)
        for role, username in usernames.items()
        if username in present
    ]
    if ADMIN_USERNAME in present:
        logins.append(DemoLogin(ADMIN_USERNAME, ADMIN_USERNAME, password))
    return logins


def clear_municipalities(codes: Iterable[int]) -> None:
    """Delete the organisation, staff, citizens and demo users of these municipalities.

    Used by ``demo --force`` to generate again. Children units go before their
    parents, because a unit protects its subtree. Rows in other apps that
    protect a unit or a citizen stop the deletion (``ProtectedError``).
    """
    munis = Municipality.objects.filter(code__in=list(codes))
    with transaction.atomic():
        clear_across(munis)
        clear_leadership(munis)
        clear_results(munis)
        clear_activity(munis)
        User.objects.filter(username=FAMILY_USERNAME, citizen__municipality__in=munis).delete()
        Engagement.objects.filter(
            Q(citizen__municipality__in=munis)
            | Q(unit__municipality__in=munis)
            | Q(staff__municipality__in=munis)
        ).delete()
        Consent.objects.filter(
            Q(citizen__municipality__in=munis) | Q(given_by__municipality__in=munis)
        ).delete()
        FamilyLink.objects.filter(
            Q(from_citizen__municipality__in=munis) | Q(to_citizen__municipality__in=munis)
        ).delete()
        Citizen.objects.filter(municipality__in=munis).delete()
        User.objects.filter(
            username__in=LOGIN_USERNAMES.values(), staff__municipality__in=munis
        ).delete()
        RoleAssignment.objects.filter(
            Q(unit__municipality__in=munis) | Q(staff__municipality__in=munis)
        ).delete()
        Staff.objects.filter(municipality__in=munis).delete()
        deepest = Unit.objects.filter(municipality__in=munis).aggregate(d=Max("depth"))["d"]
        for depth in range(deepest or 0, -1, -1):
            Unit.objects.filter(municipality__in=munis, depth=depth).delete()
