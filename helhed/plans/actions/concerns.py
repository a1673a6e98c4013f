"""Early concerns (bekymringer) and formal notifications (underretninger).

A concern is logged by a professional who works with the child, before any
case exists. It has one follow-up owner and a follow-up date; whatever then
happens (a note, a new owner or date, closing it, escalating it into a plan or
a notification) is one more ``ConcernEvent``. The concern's own fields hold
the current state; the events hold the history, so nothing is lost when the
owner or the date changes.

Access is decided in ``helhed.policy`` and checked by the views and the API
first; the checks here are a second line for callers that skip them. They
need the actor's login, so a staff member without one (the demo generator's
synthetic staff) is trusted as the caller says.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils.translation import gettext as _

from helhed import policy
from helhed.citizens.models import Citizen
from helhed.lib.validity import today
from helhed.organisation.models import RoleAssignment, Staff, Unit
from helhed.plans.actions.plans import do_create_plan
from helhed.plans.models import Concern, ConcernEvent, Notification, Plan, PlanMember

# The sector code of the social services, which receive notifications (Barnets Lov § 133).
SOCIAL_SECTOR = "social"


def concern_units(actor: Staff, citizen: Citizen, on: dt.date | None = None) -> list[Unit]:
    """Units the actor may log a concern on behalf of: where they hold a role today."""
    on = on or today()
    unit_ids = (
        RoleAssignment.objects.valid_on(on)
        .filter(staff=actor, unit__municipality_id=citizen.municipality_id)
        .values("unit_id")
    )
    return list(Unit.objects.filter(pk__in=unit_ids).order_by("name"))


def notification_units(citizen: Citizen, on: dt.date | None = None) -> list[Unit]:
    """Units of the social services in the citizen's municipality that exist today."""
    return list(
        Unit.objects.valid_on(on or today())
        .filter(municipality_id=citizen.municipality_id, sector__code=SOCIAL_SECTOR)
        .order_by("name")
    )


def overdue_first(concerns: QuerySet[Concern]) -> QuerySet[Concern]:
    """Open concerns past their follow-up date first (``overdue_rank`` 0), then by date."""
    return concerns.annotate(
        overdue_rank=Case(
            When(status=Concern.Status.OPEN, follow_up_on__lt=today(), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("overdue_rank", "follow_up_on", "pk")


def _owner_error(owner: Staff, citizen: Citizen) -> str:
    """The message when ``owner`` cannot own a concern about ``citizen`` ("" when they can)."""
    if owner.municipality_id != citizen.municipality_id:
        return _(
            "%(name)s works in another municipality. Choose a follow-up owner from the "
            "child's municipality."
        ) % {"name": owner}
    if not policy.works_with_named_children(owner):
        return _(
            "%(name)s works with aggregates only. Choose front-line staff or a leader as "
            "follow-up owner."
        ) % {"name": owner}
    return ""


def _past_follow_up() -> str:
    return _("The follow-up date cannot be in the past. Choose today or a later date.")


def _check_can_follow_up(actor: Staff, concern: Concern) -> None:
    if not concern.is_open:
        raise ValidationError(
            _("This concern is %(status)s and can no longer be changed.")
            % {"status": concern.get_status_display().lower()},
            code="not_open",
        )
    if actor.user is not None and not policy.can_follow_up_concern(actor.user, concern):
        raise PermissionDenied(_("Only the follow-up owner and whoever raised it act on it."))


def _record(concern: Concern, *, kind: str, actor: Staff, note: str = "") -> ConcernEvent:
    return ConcernEvent.objects.create(concern=concern, kind=kind, actor=actor, note=note)


@transaction.atomic
def do_log_concern(
    *,
    actor: Staff,
    citizen: Citizen,
    unit: Unit,
    observation: str,
    category: str,
    severity: str,
    parents_informed: bool,
    parents_not_informed_reason: str = "",
    follow_up_owner: Staff,
    follow_up_on: dt.date,
    observed_on: dt.date | None = None,
) -> Concern:
    """Log an early concern about a child, with a follow-up owner and date.

    The parents are told as a rule; when they are not, the reason is part of
    the record. The unit is the one the actor speaks for, so the unit's leader
    sees the concern (without name or text) if its follow-up is overdue.
    """
    if actor.user is not None and not policy.can_log_concern(actor.user, citizen):
        raise PermissionDenied(_("You can log concerns only about children you work with."))
    observed_on = observed_on or today()
    errors: dict[str, str] = {}
    if unit not in concern_units(actor, citizen):
        errors["unit"] = _("Choose a unit where you work today, in the child's municipality.")
    if observed_on > today():
        errors["observed_on"] = _("The observation date cannot be in the future.")
    if follow_up_on < today():
        errors["follow_up_on"] = _past_follow_up()
    reason = parents_not_informed_reason.strip()
    if not parents_informed and not reason:
        errors["parents_not_informed_reason"] = _(
            "Say why the parents have not been told about the concern."
        )
    if message := _owner_error(follow_up_owner, citizen):
        errors["follow_up_owner"] = message
    if not observation.strip():
        errors["observation"] = _("Describe what you observed.")
    if errors:
        raise ValidationError(errors)
    concern = Concern(
        citizen=citizen,
        unit=unit,
        raised_by=actor,
        observed_on=observed_on,
        observation=observation.strip(),
        category=category,
        severity=severity,
        parents_informed=parents_informed,
        parents_not_informed_reason="" if parents_informed else reason,
        follow_up_owner=follow_up_owner,
        follow_up_on=follow_up_on,
    )
    concern.full_clean(exclude=["plan"])
    concern.save()
    _record(
        concern,
        kind=ConcernEvent.Kind.LOGGED,
        actor=actor,
        note=_("Follow-up owner %(owner)s, follow up by %(date)s.")
        % {"owner": follow_up_owner, "date": f"{follow_up_on:%d.%m.%Y}"},
    )
    return concern


@transaction.atomic
def do_add_concern_note(
    *,
    actor: Staff,
    concern: Concern,
    note: str,
    follow_up_owner: Staff | None = None,
    follow_up_on: dt.date | None = None,
) -> ConcernEvent:
    """Record a follow-up note; optionally hand the concern on or move its date.

    A change of owner or date is recorded as REASSIGNED with the old and the
    new value in the event, so the history shows who had it and until when.
    """
    _check_can_follow_up(actor, concern)
    note = note.strip()
    new_owner = follow_up_owner if follow_up_owner not in (None, concern.follow_up_owner) else None
    new_date = follow_up_on if follow_up_on not in (None, concern.follow_up_on) else None
    errors: dict[str, str] = {}
    if new_owner is not None and (message := _owner_error(new_owner, concern.citizen)):
        errors["follow_up_owner"] = message
    if new_date is not None and new_date < today():
        errors["follow_up_on"] = _past_follow_up()
    if errors:
        raise ValidationError(errors)
    changes: list[str] = []
    fields: list[str] = []
    if new_owner is not None:
        changes.append(
            _("Follow-up owner: %(old)s → %(new)s.")
            % {"old": concern.follow_up_owner, "new": new_owner}
        )
        concern.follow_up_owner = new_owner
        fields.append("follow_up_owner")
    if new_date is not None:
        changes.append(
            _("Follow up by: %(old)s → %(new)s.")
            % {"old": f"{concern.follow_up_on:%d.%m.%Y}", "new": f"{new_date:%d.%m.%Y}"}
        )
        concern.follow_up_on = new_date
        fields.append("follow_up_on")
    if not note and not changes:
        raise ValidationError(
            {"note": _("Write what was done, or choose a new follow-up owner or date.")},
            code="empty",
        )
    if fields:
        concern.save(update_fields=fields)
    kind = ConcernEvent.Kind.REASSIGNED if changes else ConcernEvent.Kind.NOTE
    return _record(concern, kind=kind, actor=actor, note="\n".join([*changes, note]).strip())


@transaction.atomic
def do_close_concern(*, actor: Staff, concern: Concern, outcome: str) -> Concern:
    """Close the concern with what came of it (the worry was met, or was unfounded)."""
    _check_can_follow_up(actor, concern)
    outcome = outcome.strip()
    if not outcome:
        raise ValidationError(
            {"outcome": _("Say what came of the concern before you close it.")}, code="no_outcome"
        )
    concern.status = Concern.Status.CLOSED
    concern.outcome = outcome
    concern.save(update_fields=["status", "outcome"])
    _record(concern, kind=ConcernEvent.Kind.CLOSED, actor=actor, note=outcome)
    return concern


def existing_plan_for(actor: Staff, citizen: Citizen) -> Plan | None:
    """The citizen's active plan, when the actor may see it (a concern joins it then)."""
    member = (
        PlanMember.objects.filter(citizen=citizen, is_active=True).select_related("plan").first()
    )
    if member is None:
        return None
    if actor.user is not None and not policy.can_view_plan(actor.user, member.plan):
        return None
    return member.plan


@transaction.atomic
def do_escalate_concern_to_plan(
    *,
    actor: Staff,
    concern: Concern,
    title: str = "",
    coordinator: Staff | None = None,
    note: str = "",
) -> Plan:
    """Escalate the concern into the child's shared plan.

    One citizen, one plan: when the child already has an active plan the
    actor can see, the concern is linked to it; otherwise a plan is started
    with ``title`` and ``coordinator`` (the actor by default). An active plan
    the actor cannot see makes ``do_create_plan`` refuse with its own message.
    The concern keeps its history and can be read from the plan's page.
    """
    _check_can_follow_up(actor, concern)
    plan = existing_plan_for(actor, concern.citizen)
    if plan is not None:
        summary = _("Linked to the existing plan “%(title)s”.") % {"title": plan.title}
    else:
        title = title.strip() or _("Plan for %(name)s") % {"name": concern.citizen.first_name}
        plan = do_create_plan(
            actor=actor,
            citizens=[concern.citizen],
            title=title,
            coordinator=coordinator or actor,
        )
        summary = _("Plan “%(title)s” started, coordinator %(coordinator)s.") % {
            "title": plan.title,
            "coordinator": plan.coordinator,
        }
    concern.status = Concern.Status.PLAN
    concern.plan = plan
    concern.save(update_fields=["status", "plan"])
    _record(
        concern,
        kind=ConcernEvent.Kind.PLAN,
        actor=actor,
        note="\n".join(part for part in (summary, note.strip()) if part),
    )
    return plan


@transaction.atomic
def do_escalate_concern_to_notification(
    *, actor: Staff, concern: Concern, to_unit: Unit, reason: str
) -> Notification:
    """Make the concern a formal notification (underretning) to the social services.

    The notification goes from the concern's unit to a social-services unit
    of the child's municipality; the concern then carries status NOTIFIED and
    its history stays with it.
    """
    _check_can_follow_up(actor, concern)
    reason = reason.strip()
    errors: dict[str, str] = {}
    if to_unit not in notification_units(concern.citizen):
        errors["to_unit"] = _(
            "A notification goes to the social services of the child's municipality: choose "
            "one of their units."
        )
    if not reason:
        errors["reason"] = _("Say why you are notifying the social services.")
    if errors:
        raise ValidationError(errors)
    notification = Notification(
        citizen=concern.citizen,
        concern=concern,
        reported_by=actor,
        from_unit=concern.unit,
        to_unit=to_unit,
        reason=reason,
    )
    notification.full_clean()
    notification.save()
    concern.status = Concern.Status.NOTIFIED
    concern.save(update_fields=["status"])
    _record(
        concern,
        kind=ConcernEvent.Kind.NOTIFIED,
        actor=actor,
        note=_("Notification to %(unit)s: %(reason)s") % {"unit": to_unit, "reason": reason},
    )
    return notification
