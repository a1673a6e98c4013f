"""Creating and changing the shared plan, with a version for every change.

Every change goes through ``plan_change``: it claims the next version number
with a conditional UPDATE (``WHERE version = <the version the user edited>``),
so two people who edit the same version cannot both win: the second is told
that the plan changed under them and nothing of theirs is saved. After the
change a ``PlanVersion`` snapshot is written in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from helhed import policy
from helhed.citizens.models import Citizen
from helhed.lib.validity import today
from helhed.organisation.models import Role, RoleAssignment, Sector, Staff, Unit
from helhed.plans import versions
from helhed.plans.models import Effort, Goal, Participant, Plan, PlanMember, PlanVersion


def _field_error(field: str, message: str, code: str) -> ValidationError:
    """An error on one field, with a code that API clients and tests can rely on."""
    return ValidationError({field: ValidationError(message, code=code)})


class StalePlanError(ValidationError):
    """The plan was changed by someone else after the user loaded it."""

    def __init__(self, plan: Plan, expected: int) -> None:
        current = Plan.objects.filter(pk=plan.pk).values_list("version", flat=True).first()
        super().__init__(
            _(
                "Someone else changed this plan while you were editing it (you edited "
                "version %(expected)s, it is now version %(current)s). Nothing of yours was "
                "saved: reload the plan, check their change and make yours again."
            )
            % {"expected": expected, "current": current},
            code="stale",
        )


@contextmanager
def plan_change(plan: Plan, *, actor: Staff, expected_version: int, summary: str) -> Iterator[None]:
    """Run a change of ``plan`` as the next version, or refuse it if the plan moved on.

    Use as ``with plan_change(plan, ...): <change goals, efforts ...>``. The
    block runs inside the transaction; an exception rolls everything back.
    """
    with transaction.atomic():
        if not plan.is_active:
            raise ValidationError(_("A closed plan cannot be changed."), code="closed")
        claimed = Plan.objects.filter(pk=plan.pk, version=expected_version).update(
            version=F("version") + 1, updated_at=timezone.now()
        )
        if not claimed:
            raise StalePlanError(plan, expected_version)
        plan.version = expected_version + 1
        yield
        _record_version(plan, actor=actor, summary=summary)


def _record_version(plan: Plan, *, actor: Staff, summary: str) -> PlanVersion:
    plan.refresh_from_db()
    return PlanVersion.objects.create(
        plan=plan,
        number=plan.version,
        changed_by=actor,
        summary=summary[:300],
        snapshot=versions.snapshot(plan),
    )


def _check_same_municipality(plan_municipality_id: int, staff: Staff, field: str) -> None:
    if staff.municipality_id != plan_municipality_id:
        raise _field_error(
            field,
            _("%(name)s works in another municipality.") % {"name": staff},
            "other_municipality",
        )


def _check_coordinator(plan_municipality_id: int, coordinator: Staff) -> None:
    _check_same_municipality(plan_municipality_id, coordinator, "coordinator")
    if not policy.works_with_named_children(coordinator):
        raise _field_error(
            "coordinator",
            _("%(name)s works with aggregates only and cannot coordinate a plan.")
            % {"name": coordinator},
            "not_frontline",
        )


@transaction.atomic
def do_create_plan(
    *,
    actor: Staff,
    citizens: Sequence[Citizen],
    title: str,
    coordinator: Staff,
    kind: str = Plan.Kind.CITIZEN,
    what_matters: str = "",
    adults: Sequence[Citizen] = (),
    started_on: dt.date | None = None,
    participants: Sequence[tuple[Staff, Unit]] = (),
) -> Plan:
    """Start the one shared plan for ``citizens`` (the first is the plan's lead citizen).

    ``adults`` are the family's adults on a family plan. Every citizen must
    belong to the actor's municipality and have no other active plan.
    ``participants`` (staff, unit) take part from the start, so the first
    version already names them (the one who starts the plan, typically).
    """
    members = [*citizens, *adults]
    if not citizens:
        raise ValidationError(_("A plan needs at least one citizen."), code="no_citizen")
    if len({c.pk for c in members}) != len(members):
        raise ValidationError(_("A citizen is named twice in the plan."), code="duplicate")
    for citizen in members:
        if citizen.municipality_id != actor.municipality_id:
            raise _field_error(
                "citizen",
                _(
                    "%(name)s is a citizen of another municipality; a plan can only be made "
                    "for citizens of your own municipality."
                )
                % {"name": citizen},
                "other_municipality",
            )
    _check_coordinator(actor.municipality_id, coordinator)
    for staff, unit in participants:
        _check_participant(actor.municipality_id, staff, unit)
    if kind == Plan.Kind.CITIZEN and len(members) > 1:
        raise ValidationError(
            _("A plan for one citizen has one member; choose a family plan."), code="kind"
        )
    busy = PlanMember.objects.filter(citizen__in=members, is_active=True).select_related("citizen")
    if busy:
        raise _field_error(
            "citizen",
            _(
                "%(names)s already has an active plan. One citizen, one plan: add to "
                "that plan instead."
            )
            % {"names": ", ".join(str(m.citizen) for m in busy)},
            "has_plan",
        )
    plan = Plan(
        municipality_id=actor.municipality_id,
        kind=kind,
        title=title.strip(),
        what_matters=what_matters.strip(),
        coordinator=coordinator,
        created_by=actor,
        started_on=started_on or today(),
    )
    plan.full_clean()
    plan.save()
    try:
        # A savepoint, so that a lost race ends in a ValidationError and a
        # clean rollback on PostgreSQL as well.
        with transaction.atomic():
            for citizen in citizens:
                PlanMember.objects.create(plan=plan, citizen=citizen, role=PlanMember.Role.CHILD)
            for adult in adults:
                PlanMember.objects.create(plan=plan, citizen=adult, role=PlanMember.Role.ADULT)
    except IntegrityError as exc:
        raise _field_error(
            "citizen", _("The citizen got another active plan a moment ago."), "has_plan"
        ) from exc
    for staff, unit in participants:
        if staff.pk != coordinator.pk:
            Participant.objects.get_or_create(plan=plan, staff=staff, defaults={"unit": unit})
    _record_version(plan, actor=actor, summary=_("Plan created"))
    return plan


def do_update_plan(
    *,
    actor: Staff,
    plan: Plan,
    expected_version: int,
    title: str,
    what_matters: str,
    coordinator: Staff,
) -> Plan:
    """Change the plan's title, what matters to the family, and its coordinator."""
    if coordinator.pk != plan.coordinator_id:
        _check_coordinator(plan.municipality_id, coordinator)
    with plan_change(
        plan, actor=actor, expected_version=expected_version, summary=_("Plan details changed")
    ):
        plan.title = title.strip()
        plan.what_matters = what_matters.strip()
        plan.coordinator = coordinator
        plan.full_clean()
        plan.save(update_fields=["title", "what_matters", "coordinator", "updated_at"])
    return plan


def do_close_plan(*, actor: Staff, plan: Plan, expected_version: int, reason: str) -> Plan:
    """Close the plan; its citizens are then free to get a new one."""
    if not reason.strip():
        raise _field_error("reason", _("Say why the plan is closed."), "no_reason")
    with plan_change(
        plan, actor=actor, expected_version=expected_version, summary=_("Plan closed")
    ):
        plan.status = Plan.Status.CLOSED
        plan.closed_on = today()
        plan.close_reason = reason.strip()[:300]
        plan.save(update_fields=["status", "closed_on", "close_reason", "updated_at"])
        plan.members.update(is_active=False)
    return plan


# --------------------------------------------------------------------------- helpers


def _short(text: str, length: int = 60) -> str:
    """A goal's text or a title cut to fit a version summary."""
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _check_participant(plan_municipality_id: int, staff: Staff, unit: Unit) -> None:
    """A participant works in the plan's municipality, for a unit where they hold a role today."""
    _check_same_municipality(plan_municipality_id, staff, "staff")
    holds_role = (
        RoleAssignment.objects.valid_on(today())
        .filter(staff=staff, unit=unit, unit__municipality_id=plan_municipality_id)
        .exists()
    )
    if not holds_role:
        raise _field_error(
            "unit",
            _("%(name)s holds no role in %(unit)s today.") % {"name": staff, "unit": unit.name},
            "no_role",
        )


def participation_unit(staff: Staff) -> Unit | None:
    """The unit a staff member takes part for by default: their first front-line unit today."""
    assignment = (
        RoleAssignment.objects.valid_on(today())
        .filter(
            staff=staff,
            role__kind=Role.Kind.FRONTLINE,
            unit__municipality_id=staff.municipality_id,
        )
        .select_related("unit")
        .order_by("pk")
        .first()
    )
    return assignment.unit if assignment else None


def _check_plan_citizen(plan: Plan, citizen: Citizen | None, field: str = "citizen") -> None:
    """A goal or an effort is for one of the plan's members, or for the whole family."""
    if citizen is not None and not plan.members.filter(citizen=citizen).exists():
        raise _field_error(
            field, _("%(name)s is not a member of this plan.") % {"name": citizen}, "not_member"
        )


def _check_target_date(target_date: dt.date) -> None:
    if target_date < today():
        raise _field_error(
            "target_date",
            _("The target date %(date)s has passed; choose today or a later date.")
            % {"date": target_date.strftime("%d.%m.%Y")},
            "past_target",
        )


# --------------------------------------------------------------------------- goals


def do_add_goal(
    *,
    actor: Staff,
    plan: Plan,
    expected_version: int,
    text: str,
    formulated_by: str,
    formulated_by_name: str,
    target_date: dt.date,
    citizen: Citizen | None = None,
) -> Goal:
    """Add a goal in the citizen's or family's own words, with a target date not yet passed."""
    _check_target_date(target_date)
    _check_plan_citizen(plan, citizen)
    goal = Goal(
        plan=plan,
        citizen=citizen,
        text=text.strip(),
        formulated_by=formulated_by,
        formulated_by_name=formulated_by_name.strip(),
        target_date=target_date,
        status=Goal.Status.NOT_STARTED,
        status_changed_on=today(),
    )
    goal.full_clean()
    with plan_change(
        plan,
        actor=actor,
        expected_version=expected_version,
        summary=_("Goal added: %(text)s") % {"text": _short(goal.text)},
    ):
        goal.save()
    return goal


def do_update_goal(
    *,
    actor: Staff,
    goal: Goal,
    expected_version: int,
    text: str,
    formulated_by: str,
    formulated_by_name: str,
    target_date: dt.date,
    status: str,
    citizen: Citizen | None = None,
) -> Goal:
    """Change a goal; a new status is dated today, a new target date must not have passed.

    An unchanged target date that has passed is kept: the goal's status can
    still be brought up to date after the date.
    """
    plan = goal.plan
    if target_date != goal.target_date:
        _check_target_date(target_date)
    _check_plan_citizen(plan, citizen)
    status_changed = status != goal.status
    goal.text = text.strip()
    goal.formulated_by = formulated_by
    goal.formulated_by_name = formulated_by_name.strip()
    goal.target_date = target_date
    goal.citizen = citizen
    goal.status = status
    if status_changed:
        goal.status_changed_on = today()
    goal.full_clean()
    if status_changed:
        summary = _("Goal %(status)s: %(text)s") % {
            "status": goal.get_status_display().lower(),
            "text": _short(goal.text),
        }
    else:
        summary = _("Goal changed: %(text)s") % {"text": _short(goal.text)}
    with plan_change(plan, actor=actor, expected_version=expected_version, summary=summary):
        goal.save()
    return goal


# --------------------------------------------------------------------------- efforts


class KeepMethod(enum.Enum):
    """Leave an effort's method as it is (callers that do not know about methods)."""

    KEEP = "keep"


class KeepPayer(enum.Enum):
    """Leave an effort's proposed payer as it is (callers that do not know about payers)."""

    KEEP = "keep"


def _set_payer(effort: Effort, plan: Plan, paying_unit: Unit | None, paying_authority: str) -> None:
    """Propose the effort's payer; a changed payer must be agreed again (actions.payments)."""
    paying_authority = paying_authority.strip()
    if paying_unit is not None and paying_unit.municipality_id != plan.municipality_id:
        raise _field_error(
            "paying_unit",
            _("%(unit)s belongs to another municipality; name another authority as the payer.")
            % {"unit": paying_unit.name},
            "other_municipality",
        )
    if paying_unit is not None and paying_authority:
        raise _field_error(
            "paying_authority",
            _("Name one payer: a budget of the municipality or another authority, not both."),
            "two_payers",
        )
    changed = (effort.paying_unit_id, effort.paying_authority) != (
        paying_unit.pk if paying_unit is not None else None,
        paying_authority,
    )
    effort.paying_unit = paying_unit
    effort.paying_authority = paying_authority
    if changed:
        effort.payer_agreed_on = None
        effort.payer_agreed_by = None


def _prepare_effort(
    effort: Effort,
    *,
    plan: Plan,
    title: str,
    description: str,
    responsible_unit: Unit,
    sector: Sector | None,
    legal_basis: str,
    legal_reference: str,
    starts_on: dt.date,
    ends_on: dt.date | None,
    monthly_cost: Decimal,
    citizen: Citizen | None,
    goals: Iterable[Goal],
    method: Model | None = None,
    paying_unit: Unit | KeepPayer | None = KeepPayer.KEEP,
    paying_authority: str = "",
) -> list[Goal]:
    """Fill ``effort`` and check it against the plan; return the goals it serves."""
    if responsible_unit.municipality_id != plan.municipality_id:
        raise _field_error(
            "responsible_unit",
            _("%(unit)s belongs to another municipality; choose a unit of %(municipality)s.")
            % {"unit": responsible_unit.name, "municipality": plan.municipality},
            "other_municipality",
        )
    sector = sector or responsible_unit.sector
    if sector is None:
        raise _field_error(
            "sector",
            _("%(unit)s has no sector; choose the sector.") % {"unit": responsible_unit},
            "no_sector",
        )
    if ends_on is not None and ends_on < starts_on:
        raise _field_error("ends_on", _("The effort cannot end before it starts."), "period_order")
    if monthly_cost < 0:
        raise _field_error(
            "monthly_cost", _("The monthly cost cannot be negative."), "negative_cost"
        )
    _check_plan_citizen(plan, citizen)
    goals = list(goals)
    if any(goal.plan_id != plan.pk for goal in goals):
        raise _field_error("goals", _("Choose goals of this plan."), "other_plan")
    effort.plan = plan
    effort.title = title.strip()
    effort.description = description.strip()
    effort.responsible_unit = responsible_unit
    effort.sector = sector
    effort.legal_basis = legal_basis
    effort.legal_reference = legal_reference.strip()
    effort.starts_on = starts_on
    effort.ends_on = ends_on
    effort.monthly_cost = monthly_cost
    effort.citizen = citizen
    # A method of the municipality's own library (``leadership.Method``), if any.
    if method is not None and getattr(method, "municipality_id", None) != plan.municipality_id:
        raise _field_error(
            "method", _("Choose a method of the municipality's library."), "other_municipality"
        )
    effort.method_id = method.pk if method is not None else None
    if not isinstance(paying_unit, KeepPayer):
        _set_payer(effort, plan, paying_unit, paying_authority)
    effort.full_clean()
    return goals


def do_add_effort(
    *,
    actor: Staff,
    plan: Plan,
    expected_version: int,
    title: str,
    responsible_unit: Unit,
    legal_basis: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    monthly_cost: Decimal = Decimal(0),
    sector: Sector | None = None,
    description: str = "",
    legal_reference: str = "",
    citizen: Citizen | None = None,
    goals: Iterable[Goal] = (),
    method: Model | None = None,
    paying_unit: Unit | None = None,
    paying_authority: str = "",
) -> Effort:
    """Add an effort by a unit of the plan's municipality; the sector defaults to the unit's.

    The payer may be proposed from the start or later; it is agreed separately.
    """
    effort = Effort()
    served = _prepare_effort(
        effort,
        plan=plan,
        title=title,
        description=description,
        responsible_unit=responsible_unit,
        sector=sector,
        legal_basis=legal_basis,
        legal_reference=legal_reference,
        starts_on=starts_on,
        ends_on=ends_on,
        monthly_cost=monthly_cost,
        citizen=citizen,
        goals=goals,
        method=method,
        paying_unit=paying_unit,
        paying_authority=paying_authority,
    )
    with plan_change(
        plan,
        actor=actor,
        expected_version=expected_version,
        summary=_("Effort added: %(title)s") % {"title": _short(effort.title)},
    ):
        effort.save()
        effort.goals.set(served)
    return effort


def do_update_effort(
    *,
    actor: Staff,
    effort: Effort,
    expected_version: int,
    title: str,
    responsible_unit: Unit,
    legal_basis: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    monthly_cost: Decimal = Decimal(0),
    sector: Sector | None = None,
    description: str = "",
    legal_reference: str = "",
    citizen: Citizen | None = None,
    goals: Iterable[Goal] = (),
    method: Model | KeepMethod | None = KeepMethod.KEEP,
    paying_unit: Unit | KeepPayer | None = KeepPayer.KEEP,
    paying_authority: str = "",
) -> Effort:
    """Change an effort under the same rules as adding one; the method stays unless given.

    So does the proposed payer; proposing another payer undoes an agreement.
    """
    plan = effort.plan
    if method is KeepMethod.KEEP:
        method = effort.method
    served = _prepare_effort(
        effort,
        plan=plan,
        title=title,
        description=description,
        responsible_unit=responsible_unit,
        sector=sector,
        legal_basis=legal_basis,
        legal_reference=legal_reference,
        starts_on=starts_on,
        ends_on=ends_on,
        monthly_cost=monthly_cost,
        citizen=citizen,
        goals=goals,
        method=method,
        paying_unit=paying_unit,
        paying_authority=paying_authority,
    )
    with plan_change(
        plan,
        actor=actor,
        expected_version=expected_version,
        summary=_("Effort changed: %(title)s") % {"title": _short(effort.title)},
    ):
        effort.save()
        effort.goals.set(served)
    return effort


def do_end_effort(
    *, actor: Staff, effort: Effort, expected_version: int, ends_on: dt.date | None = None
) -> Effort:
    """End an effort on ``ends_on`` (today by default); it stays in the plan as ended."""
    ends_on = ends_on or today()
    if ends_on < effort.starts_on:
        raise _field_error(
            "ends_on",
            _(
                "The effort starts on %(start)s and cannot end before that; change its "
                "dates instead."
            )
            % {"start": effort.starts_on.strftime("%d.%m.%Y")},
            "period_order",
        )
    with plan_change(
        effort.plan,
        actor=actor,
        expected_version=expected_version,
        summary=_("Effort ended: %(title)s") % {"title": _short(effort.title)},
    ):
        effort.ends_on = ends_on
        effort.save(update_fields=["ends_on"])
    return effort


# --------------------------------------------------------------------------- participants


def do_add_participant(
    *,
    actor: Staff,
    plan: Plan,
    expected_version: int,
    staff: Staff,
    unit: Unit,
    role: str = "",
) -> Participant:
    """Let a professional of the plan's municipality take part, for a unit they work in today."""
    _check_participant(plan.municipality_id, staff, unit)
    if staff.pk == plan.coordinator_id:
        raise _field_error(
            "staff",
            _("%(name)s is the plan's coordinator and takes part already.") % {"name": staff},
            "coordinator",
        )
    if plan.participants.filter(staff=staff).exists():
        raise _field_error(
            "staff", _("%(name)s takes part in the plan already.") % {"name": staff}, "duplicate"
        )
    participant = Participant(plan=plan, staff=staff, unit=unit, role=role.strip())
    participant.full_clean(exclude=["plan", "staff"])
    with plan_change(
        plan,
        actor=actor,
        expected_version=expected_version,
        summary=_("Participant added: %(name)s") % {"name": staff.full_name},
    ):
        participant.save()
    return participant


def do_remove_participant(*, actor: Staff, participant: Participant, expected_version: int) -> None:
    """Take a professional off the plan; the coordinator stays (choose a new one first)."""
    plan = participant.plan
    if participant.staff_id == plan.coordinator_id:
        raise ValidationError(
            _("The coordinator cannot be removed; choose another coordinator first."),
            code="coordinator",
        )
    name = participant.staff.full_name
    with plan_change(
        plan,
        actor=actor,
        expected_version=expected_version,
        summary=_("Participant removed: %(name)s") % {"name": name},
    ):
        participant.delete()


# --------------------------------------------------------------------------- members


def do_add_member(
    *,
    actor: Staff,
    plan: Plan,
    expected_version: int,
    citizen: Citizen,
    role: str,
    occupation: str = "",
) -> PlanMember:
    """Add an adult or a child to a family plan, if they have no other active plan."""
    if plan.kind != Plan.Kind.FAMILY:
        raise _field_error(
            "citizen",
            _(
                "This plan is for one citizen. Only a plan for the whole family has "
                "several members."
            ),
            "kind",
        )
    if citizen.municipality_id != plan.municipality_id:
        raise _field_error(
            "citizen",
            _(
                "%(name)s is a citizen of another municipality; a plan can only be made "
                "for citizens of your own municipality."
            )
            % {"name": citizen},
            "other_municipality",
        )
    if plan.members.filter(citizen=citizen).exists():
        raise _field_error(
            "citizen", _("%(name)s is in the plan already.") % {"name": citizen}, "duplicate"
        )
    has_plan_error = _field_error(
        "citizen",
        _("%(names)s already has an active plan. One citizen, one plan: add to that plan instead.")
        % {"names": citizen},
        "has_plan",
    )
    if PlanMember.objects.filter(citizen=citizen, is_active=True).exists():
        raise has_plan_error
    member = PlanMember(plan=plan, citizen=citizen, role=role, occupation=occupation)
    member.full_clean(exclude=["plan", "citizen"], validate_constraints=False)
    with plan_change(
        plan,
        actor=actor,
        expected_version=expected_version,
        summary=_("Member added: %(name)s") % {"name": citizen.full_name},
    ):
        try:
            # A savepoint: the partial unique index decides a race on PostgreSQL too.
            with transaction.atomic():
                member.save()
        except IntegrityError as exc:
            raise has_plan_error from exc
    return member


def do_set_occupation(
    *, actor: Staff, member: PlanMember, expected_version: int, occupation: str
) -> PlanMember:
    """Record a member's job or education status (the adults' beside the children's)."""
    member.occupation = occupation
    member.full_clean(exclude=["plan", "citizen"], validate_constraints=False)
    with plan_change(
        member.plan,
        actor=actor,
        expected_version=expected_version,
        summary=_("Job or education status of %(name)s: %(occupation)s")
        % {"name": member.citizen.full_name, "occupation": member.get_occupation_display()},
    ):
        member.save(update_fields=["occupation"])
    return member
