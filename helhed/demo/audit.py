"""The demo's history of look-ups, written to the audit log like real use.

A municipality that has used Helhed for a while has an audit log: case
workers opened their children's records, coordinators their plans, a parent
looked at her child's plan, the on-call social worker broke the glass a few
times at night, and one employee looked up far more children in a day than
her work explains. The demo writes such a history for the weeks before its
reference date, so that the citizen's insight page and the leader's review
have something to show, and ``helhed audit verify`` has a real chain to check.

The entries go through ``trail.log_many``, the same chaining as every other
entry; only their times lie in the past (``at`` is when a look-up happened,
the chain's order is when it was written).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone

from helhed.audit import codes
from helhed.audit.context import acting_as
from helhed.audit.trail import Entry, log_many
from helhed.citizens.models import Citizen, Engagement, FamilyLink
from helhed.lib.validity import valid_on_q
from helhed.organisation.models import Municipality, Role, RoleAssignment, Staff
from helhed.plans.models import Plan, PlanMember

HISTORY_DAYS = 91
BATCH = 5_000
ON_CALL_ROLE = "on_call"
# Reasons an on-call social worker gave, in the municipality's language.
GLASS_REASONS = [
    "Politiet har ringet om barnet i nat; vurdering af akut anbringelse.",
    "Skadestuen henvender sig om barnet uden for åbningstid; tjek af kendte bekymringer.",
    "Barnet er mødt op alene på vagtcentralen; skal finde forældre og netværk.",
]
SOURCE = "web (demo history)"
# Gives the time of a look-up: (days after the start, at night?) -> aware datetime.
Clock = Callable[..., dt.datetime]


@dataclass
class AuditCounts:
    entries: int = 0
    break_glass: int = 0


def generate_audit_history(
    municipality: Municipality,
    on: dt.date,
    rng: random.Random,
    *,
    family_user: User | None = None,
) -> AuditCounts:
    """Write about three months of look-ups in ``municipality`` before ``on``."""
    staff = {
        s.pk: s
        for s in Staff.objects.filter(municipality=municipality).only(
            "pk", "first_name", "last_name", "user_id"
        )
    }
    frontline_by_unit: dict[int, list[int]] = defaultdict(list)
    for unit_id, staff_id in (
        RoleAssignment.objects.valid_on(on)
        .filter(unit__municipality=municipality, role__kind=Role.Kind.FRONTLINE)
        .values_list("unit_id", "staff_id")
        .order_by("unit_id", "staff_id")
    ):
        frontline_by_unit[unit_id].append(staff_id)
    kinds = dict(Engagement.Kind.choices)
    start = on - dt.timedelta(days=HISTORY_DAYS)

    entries: list[tuple[dt.datetime, Entry]] = []

    def at(day_offset: int, night: bool = False) -> dt.datetime:
        day = start + dt.timedelta(days=day_offset)
        hour = rng.choice([0, 1, 2, 3, 22, 23]) if night else rng.randint(8, 15)
        naive = dt.datetime.combine(day, dt.time(hour, rng.randint(0, 59), rng.randint(0, 59)))
        return timezone.make_aware(naive)

    # Front-line staff open the records of the children they work with.
    engagements = (
        Engagement.objects.filter(citizen__municipality=municipality)
        .filter(valid_on_q(on))
        .exclude(kind=Engagement.Kind.EMERGENCY)
        .values_list("citizen_id", "staff_id", "unit_id", "kind", "unit__name")
        .order_by("pk")
    )
    for citizen_id, staff_id, unit_id, kind, unit_name in engagements:
        looks = rng.choices([0, 1, 2, 4], weights=[5, 3, 2, 1])[0]
        readers = [staff_id] if staff_id else frontline_by_unit.get(unit_id, [])
        if not readers:
            continue
        purpose = f"{kinds[kind]} ({unit_name})" if unit_name else str(kinds[kind])
        for _ in range(looks):
            reader = staff[rng.choice(readers)]
            entries.append(
                (
                    when := at(rng.randrange(HISTORY_DAYS)),
                    Entry(
                        action=codes.VIEW,
                        staff=reader,
                        object_type="citizens.citizen",
                        object_id=str(citizen_id),
                        citizen_id=citizen_id,
                        purpose=purpose,
                        source=SOURCE,
                        at=when,
                    ),
                )
            )

    # Coordinators open their shared plans, about every other week.
    members: dict[int, list[int]] = defaultdict(list)
    for plan_id, citizen_id in PlanMember.objects.filter(
        plan__municipality=municipality, plan__status=Plan.Status.ACTIVE
    ).values_list("plan_id", "citizen_id"):
        members[plan_id].append(citizen_id)
    plans = Plan.objects.filter(municipality=municipality, status=Plan.Status.ACTIVE)
    for plan_id, coordinator_id in plans.values_list("pk", "coordinator_id").order_by("pk"):
        if coordinator_id not in staff:
            continue
        for week in range(0, HISTORY_DAYS, 14):
            when = at(min(HISTORY_DAYS - 1, week + rng.randrange(14)))
            for citizen_id in members[plan_id]:
                entries.append(
                    (
                        when,
                        Entry(
                            action=codes.VIEW,
                            staff=staff[coordinator_id],
                            object_type="plans.plan",
                            object_id=str(plan_id),
                            citizen_id=citizen_id,
                            purpose="Koordinator af den fælles plan",
                            source=SOURCE,
                            at=when,
                        ),
                    )
                )

    # A parent reads her child's plan now and then.
    family_citizen = Citizen.objects.filter(user=family_user).first() if family_user else None
    if family_citizen is not None:
        child_plans = PlanMember.objects.filter(
            citizen__family_links_to__from_citizen=family_citizen,
            citizen__family_links_to__kind=FamilyLink.Kind.GUARDIAN,
        ).values_list("plan_id", "citizen_id")
        for plan_id, child_id in child_plans:
            for week in range(0, HISTORY_DAYS, 21):
                when = at(week + rng.randrange(7))
                entries.append(
                    (
                        when,
                        Entry(
                            action=codes.VIEW,
                            actor=family_user,
                            object_type="plans.plan",
                            object_id=str(plan_id),
                            citizen_id=child_id,
                            purpose="Forælders login",
                            source=SOURCE,
                            at=when,
                        ),
                    )
                )

    counts = AuditCounts()
    entries += _break_the_glass(municipality, on, rng, staff, at, counts)
    entries += _heavy_day(municipality, rng, staff, frontline_by_unit, at)

    entries.sort(key=lambda pair: pair[0])
    with acting_as(source="command:demo"):
        for begin in range(0, len(entries), BATCH):
            log_many([entry for _, entry in entries[begin : begin + BATCH]])
    counts.entries = len(entries)
    return counts


def _break_the_glass(
    municipality: Municipality,
    on: dt.date,
    rng: random.Random,
    staff: dict[int, Staff],
    at: Clock,
    counts: AuditCounts,
) -> list[tuple[dt.datetime, Entry]]:
    """Night-time emergency access by the on-call social workers, with their reasons."""
    on_call = list(
        RoleAssignment.objects.valid_on(on)
        .filter(unit__municipality=municipality, role__code=ON_CALL_ROLE)
        .values_list("staff_id", flat=True)
        .order_by("staff_id")
    )
    if not on_call:
        return []
    # Children nobody on call works with: that is when the glass is broken.
    engaged = Engagement.objects.filter(Q(staff_id__in=on_call)).values("citizen_id")
    candidates = list(
        Citizen.objects.filter(municipality=municipality, family_links_from__isnull=True)
        .exclude(pk__in=engaged)
        .values_list("pk", flat=True)
        .order_by("pk")[:500]
    )
    out: list[tuple[dt.datetime, Entry]] = []
    for reason in GLASS_REASONS:
        if not candidates:
            break
        citizen_id = candidates.pop(rng.randrange(len(candidates)))
        reader = staff[rng.choice(on_call)]
        when = at(rng.randrange(HISTORY_DAYS), night=True)
        engagement = Engagement.objects.create(
            citizen_id=citizen_id,
            staff=reader,
            kind=Engagement.Kind.EMERGENCY,
            valid_from=when.date(),
            valid_to=when.date(),
            purpose=reason,
        )
        for action, object_type, object_id in (
            (codes.BREAK_GLASS, "citizens.engagement", engagement.pk),
            (codes.VIEW, "citizens.citizen", citizen_id),
        ):
            out.append(
                (
                    when,
                    Entry(
                        action=action,
                        staff=reader,
                        object_type=object_type,
                        object_id=str(object_id),
                        citizen_id=citizen_id,
                        purpose=f"Bryd glasset: {reason}",
                        source=SOURCE,
                        break_glass=True,
                        at=when,
                    ),
                )
            )
        counts.break_glass += 1
    return out


def _heavy_day(
    municipality: Municipality,
    rng: random.Random,
    staff: dict[int, Staff],
    frontline_by_unit: dict[int, list[int]],
    at: Clock,
) -> list[tuple[dt.datetime, Entry]]:
    """One employee who opened 45 of her unit's children in one afternoon."""
    units = sorted(u for u, people in frontline_by_unit.items() if people)
    if not units:
        return []
    unit_id = units[rng.randrange(len(units))]
    reader = staff[frontline_by_unit[unit_id][0]]
    children = list(
        Engagement.objects.filter(unit_id=unit_id).values_list("citizen_id", flat=True)[:45]
    )
    day = rng.randrange(HISTORY_DAYS)
    out = []
    for citizen_id in children:
        when = at(day)
        out.append(
            (
                when,
                Entry(
                    action=codes.VIEW,
                    staff=reader,
                    object_type="citizens.citizen",
                    object_id=str(citizen_id),
                    citizen_id=citizen_id,
                    source=SOURCE,
                    at=when,
                ),
            )
        )
    return out


def assign_on_call(
    municipality: Municipality, on: dt.date, rng: random.Random, first: int | None = None
) -> list[int]:
    """Put three case workers (``first``, the demo's, among them) on the on-call rota."""
    role = Role.objects.get(code=ON_CALL_ROLE)
    caseworkers = list(
        RoleAssignment.objects.valid_on(on)
        .filter(unit__municipality=municipality, role__code="caseworker")
        .values_list("staff_id", "unit_id")
        .order_by("staff_id")
    )
    if not caseworkers:
        return []
    chosen = [pair for pair in caseworkers if pair[0] == first][:1]
    others = [pair for pair in caseworkers if pair[0] != first]
    chosen += rng.sample(others, min(len(others), 3 - len(chosen)))
    RoleAssignment.objects.bulk_create(
        RoleAssignment(
            staff_id=staff_id,
            unit_id=unit_id,
            role=role,
            job_title=role.name_da,
            valid_from=on - dt.timedelta(days=HISTORY_DAYS + 30),
        )
        for staff_id, unit_id in chosen
    )
    return [staff_id for staff_id, _ in chosen]
