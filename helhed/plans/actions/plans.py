"""Creating and changing the shared plan, with a version for every change.

Every change goes through ``plan_change``: it claims the next version number
with a conditional UPDATE (``WHERE version = <the version the user edited>``),
so two people who edit the same version cannot both win: the second is told
that the plan changed under them and nothing of theirs is saved. After the
change a ``PlanVersion`` snapshot is written in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from helhed.citizens.models import Citizen
from helhed.lib.validity import today
from helhed.organisation.models import Staff
from helhed.plans import versions
from helhed.plans.models import Plan, PlanMember, PlanVersion


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
        raise ValidationError(
            {field: _("%(name)s works in another municipality.") % {"name": staff}},
            code="other_municipality",
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
) -> Plan:
    """Start the one shared plan for ``citizens`` (the first is the plan's lead citizen).

    ``adults`` are the family's adults on a family plan. Every citizen must
    belong to the actor's municipality and have no other active plan.
    """
    members = [*citizens, *adults]
    if not citizens:
        raise ValidationError(_("A plan needs at least one citizen."), code="no_citizen")
    if len({c.pk for c in members}) != len(members):
        raise ValidationError(_("A citizen is named twice in the plan."), code="duplicate")
    for citizen in members:
        if citizen.municipality_id != actor.municipality_id:
            raise ValidationError(
                {
                    "citizen": _(
                        "%(name)s is a citizen of another municipality; a plan can only be made "
                        "for citizens of your own municipality."
                    )
                    % {"name": citizen}
                },
                code="other_municipality",
            )
    _check_same_municipality(actor.municipality_id, coordinator, "coordinator")
    if kind == Plan.Kind.CITIZEN and len(members) > 1:
        raise ValidationError(
            _("A plan for one citizen has one member; choose a family plan."), code="kind"
        )
    busy = PlanMember.objects.filter(citizen__in=members, is_active=True).select_related("citizen")
    if busy:
        raise ValidationError(
            {
                "citizen": _(
                    "%(names)s already has an active plan. One citizen, one plan: add to "
                    "that plan instead."
                )
                % {"names": ", ".join(str(m.citizen) for m in busy)}
            },
            code="has_plan",
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
        raise ValidationError(
            {"citizen": _("The citizen got another active plan a moment ago.")}, code="has_plan"
        ) from exc
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
    _check_same_municipality(plan.municipality_id, coordinator, "coordinator")
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
        raise ValidationError({"reason": _("Say why the plan is closed.")}, code="no_reason")
    with plan_change(
        plan, actor=actor, expected_version=expected_version, summary=_("Plan closed")
    ):
        plan.status = Plan.Status.CLOSED
        plan.closed_on = today()
        plan.close_reason = reason.strip()[:300]
        plan.save(update_fields=["status", "closed_on", "close_reason", "updated_at"])
        plan.members.update(is_active=False)
    return plan
