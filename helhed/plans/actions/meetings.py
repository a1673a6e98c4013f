"""Network meetings, their minutes and decisions, and the actions that follow them.

Ballerup's rule, "no meeting about the citizen without the citizen", is kept
here: a meeting where nobody from the family takes part needs a recorded
reason. Every decision gets a named owner through an ``Action`` with a due
date, and the lists of overdue actions are computed from those dates.

Who may call these (the plan's coordinator and participants; for an action
also its owner) is asked of ``helhed.policy`` by the views and the API before
they call in; the functions here keep the rules about the data itself.
Meetings and actions are not part of the plan's versioned snapshot, so they
change in a plain transaction rather than through ``plan_change``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from helhed.citizens.models import Citizen, FamilyLink
from helhed.lib.validity import today
from helhed.organisation.models import Staff
from helhed.plans.models import Action, Decision, Meeting, MeetingParticipant, Plan


@dataclass(frozen=True)
class NewAction:
    """An action agreed at a meeting, recorded together with the minutes.

    ``decision`` is the 1-based number of the decision in the list recorded in
    the same minutes, or ``None`` for an action that follows no one decision.
    """

    description: str
    owner: Staff
    due_on: dt.date
    decision: int | None = None


def _check_active(plan: Plan) -> None:
    if not plan.is_active:
        raise ValidationError(_("A closed plan cannot be changed."), code="closed")


def family_candidates(plan: Plan) -> list[Citizen]:
    """The family members who can take part in a meeting about ``plan``.

    The plan's members (the child included) and the guardians of its members:
    on a plan for one child the parents are not members, yet they belong at the
    table.
    """
    members = Citizen.objects.filter(plan_memberships__plan=plan)
    guardians = Citizen.objects.filter(
        family_links_from__to_citizen__in=members.values("pk"),
        family_links_from__kind=FamilyLink.Kind.GUARDIAN,
    )
    return list(
        Citizen.objects.filter(Q(pk__in=members.values("pk")) | Q(pk__in=guardians.values("pk")))
        .distinct()
        .order_by("birth_date", "pk")
    )


def _staff_role(plan: Plan, staff: Staff) -> str:
    participant = plan.participants.filter(staff=staff).first()
    if participant is not None and participant.role:
        return participant.role
    if plan.coordinator_id == staff.pk:
        return _("Coordinator")
    return _("Professional")


@transaction.atomic
def do_schedule_meeting(
    *,
    actor: Staff,
    plan: Plan,
    starts_at: dt.datetime,
    place: str,
    agenda: str,
    staff_participants: Sequence[tuple[Staff, str]],
    family_participants: Sequence[tuple[Citizen, str]],
    without_citizen_reason: str = "",
) -> Meeting:
    """Schedule a network meeting about ``plan`` with the professionals and the family.

    ``family_participants`` are (citizen, role) pairs, for example
    (mother, "Mor") or (alma, "Alma selv"): members of the plan or their
    guardians. Without any of them the meeting needs ``without_citizen_reason``.
    ``staff_participants`` are (staff, role) pairs; an empty role is taken from
    the staff member's part in the plan.
    """
    _check_active(plan)
    errors: dict[str, str] = {}
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at)
    if starts_at <= timezone.now():
        errors["starts_at"] = _("The meeting must start in the future.")
    reason = without_citizen_reason.strip()
    if not family_participants and not reason:
        errors["without_citizen_reason"] = _(
            "No meeting about the citizen without the citizen: invite the family, "
            "or say why they are not taking part."
        )
    allowed = {c.pk for c in family_candidates(plan)}
    seen_citizens: set[int] = set()
    for citizen, role in family_participants:
        if citizen.pk not in allowed:
            errors["family_participants"] = _("%(name)s is not in the family of this plan.") % {
                "name": citizen.full_name
            }
        elif not role.strip():
            errors["family_participants"] = _(
                "Say what role %(name)s has at the meeting (for example “Mother”)."
            ) % {"name": citizen.full_name}
        elif citizen.pk in seen_citizens:
            errors["family_participants"] = _("%(name)s is named twice.") % {
                "name": citizen.full_name
            }
        seen_citizens.add(citizen.pk)
    seen_staff: set[int] = set()
    for staff, _role in staff_participants:
        if staff.municipality_id != plan.municipality_id:
            errors["staff_participants"] = _("%(name)s works in another municipality.") % {
                "name": staff.full_name
            }
        elif staff.pk in seen_staff:
            errors["staff_participants"] = _("%(name)s is named twice.") % {"name": staff.full_name}
        seen_staff.add(staff.pk)
    if errors:
        raise ValidationError(errors, code="invalid")

    meeting = Meeting(
        plan=plan,
        starts_at=starts_at,
        place=place.strip(),
        agenda=agenda.strip(),
        # The reason is only kept where it is needed, so it never contradicts the list.
        without_citizen_reason="" if family_participants else reason[:300],
        created_by=actor,
    )
    meeting.full_clean()
    meeting.save()
    for staff, role in staff_participants:
        MeetingParticipant.objects.create(
            meeting=meeting,
            staff=staff,
            name=staff.full_name,
            role=(role.strip() or _staff_role(plan, staff))[:100],
        )
    for citizen, role in family_participants:
        MeetingParticipant.objects.create(
            meeting=meeting, citizen=citizen, name=citizen.full_name, role=role.strip()[:100]
        )
    return meeting


def _check_new_actions(plan: Plan, actions: Sequence[NewAction], decisions: int) -> None:
    """Check every action before anything is saved, and say which row is wrong.

    Each error carries ``row`` (1-based, in ``actions``) and ``field`` in its
    params, so a form can show it beside the field of that row.
    """
    errors: list[ValidationError] = []
    for row, action in enumerate(actions, 1):
        problems: dict[str, list[str]] = {}
        if not action.description.strip():
            problems["description"] = [_("Say what is to be done.")]
        try:
            _check_owner(plan, action.owner)
        except ValidationError as exc:
            problems.update(exc.message_dict)
        try:
            _check_due(action.due_on)
        except ValidationError as exc:
            problems.update(exc.message_dict)
        if action.decision is not None and not 1 <= action.decision <= decisions:
            problems["decision"] = [_("There is no such decision in the list.")]
        errors.extend(
            ValidationError(
                _("Action %(row)s: %(message)s"),
                code="action",
                params={"row": row, "field": field, "message": message},
            )
            for field, messages in problems.items()
            for message in messages
        )
    if errors:
        raise ValidationError({"actions": errors})


@transaction.atomic
def do_record_minutes(
    *,
    actor: Staff,
    meeting: Meeting,
    minutes: str,
    family_summary: str,
    decisions: Sequence[str],
    attendance: Mapping[int, bool],
    actions: Sequence[NewAction] = (),
) -> Meeting:
    """Record what happened at a meeting that has started; it is then held.

    ``attendance`` maps ``MeetingParticipant`` ids to whether they came.
    ``actions`` are created in the same transaction, so a bad action (a due
    date in the past) saves nothing of the minutes either.
    """
    _check_active(meeting.plan)
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("The meeting was cancelled."), code="cancelled")
    if meeting.status == Meeting.Status.HELD:
        raise ValidationError(
            _("The minutes of this meeting have already been recorded."), code="held"
        )
    if meeting.starts_at > timezone.now():
        raise ValidationError(
            {"minutes": _("Minutes can be recorded once the meeting has started.")},
            code="not_started",
        )
    texts = [text.strip() for text in decisions if text.strip()]
    if not minutes.strip() and not texts:
        raise ValidationError(
            {"minutes": _("Write the minutes or at least one decision.")}, code="empty"
        )
    _check_new_actions(meeting.plan, actions, len(texts))
    meeting.minutes = minutes.strip()
    meeting.family_summary = family_summary.strip()
    meeting.status = Meeting.Status.HELD
    meeting.full_clean()
    meeting.save(update_fields=["minutes", "family_summary", "status"])
    participants = {p.pk: p for p in meeting.participants.all()}
    for participant_id, attended in attendance.items():
        participant = participants.get(participant_id)
        if participant is None:
            raise ValidationError(
                {"attendance": _("Someone in the attendance list was not invited.")},
                code="not_invited",
            )
        participant.attended = attended
        participant.save(update_fields=["attended"])
    created = [Decision.objects.create(meeting=meeting, text=text) for text in texts]
    for action in actions:
        do_add_action(
            actor=actor,
            plan=meeting.plan,
            description=action.description,
            owner=action.owner,
            due_on=action.due_on,
            meeting=meeting,
            decision=created[action.decision - 1] if action.decision else None,
        )
    return meeting


@transaction.atomic
def do_cancel_meeting(*, actor: Staff, meeting: Meeting, reason: str) -> Meeting:
    """Cancel a planned meeting, saying why.

    The model has no field for the reason; it is kept in the (internal)
    minutes, which a cancelled meeting has no other use for.
    """
    _check_active(meeting.plan)
    if meeting.status != Meeting.Status.PLANNED:
        raise ValidationError(_("Only a planned meeting can be cancelled."), code="not_planned")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the meeting is cancelled.")}, code="no_reason")
    meeting.status = Meeting.Status.CANCELLED
    meeting.minutes = _("Cancelled by %(name)s: %(reason)s") % {
        "name": actor.full_name,
        "reason": reason,
    }
    meeting.save(update_fields=["status", "minutes"])
    return meeting


# --------------------------------------------------------------------------- actions


def _check_owner(plan: Plan, owner: Staff) -> None:
    if owner.municipality_id != plan.municipality_id:
        raise ValidationError(
            {"owner": _("%(name)s works in another municipality.") % {"name": owner.full_name}},
            code="other_municipality",
        )


def _check_due(due_on: dt.date) -> None:
    if due_on < today():
        raise ValidationError(
            {"due_on": _("The due date must be today or later.")}, code="due_in_past"
        )


@transaction.atomic
def do_add_action(
    *,
    actor: Staff,
    plan: Plan,
    description: str,
    owner: Staff,
    due_on: dt.date,
    meeting: Meeting | None = None,
    decision: Decision | None = None,
) -> Action:
    """Give a follow-up one named owner and a due date (today or later)."""
    _check_active(plan)
    description = description.strip()
    if not description:
        raise ValidationError({"description": _("Say what is to be done.")}, code="no_description")
    _check_owner(plan, owner)
    _check_due(due_on)
    if decision is not None:
        meeting = meeting or decision.meeting
        if decision.meeting_id != meeting.pk:
            raise ValidationError(
                {"decision": _("The decision was made at another meeting.")}, code="decision"
            )
    if meeting is not None and meeting.plan_id != plan.pk:
        raise ValidationError({"meeting": _("The meeting is about another plan.")}, code="meeting")
    action = Action(
        plan=plan,
        meeting=meeting,
        decision=decision,
        description=description,
        owner=owner,
        due_on=due_on,
    )
    action.full_clean()
    action.save()
    return action


def _check_open(action: Action) -> None:
    if action.status != Action.Status.OPEN:
        raise ValidationError(
            _("The action is %(status)s; reopen it first.")
            % {"status": action.get_status_display().lower()},
            code="not_open",
        )


@transaction.atomic
def do_complete_action(*, actor: Staff, action: Action, note: str = "") -> Action:
    """Mark an open action done today, with an optional note on how it went."""
    _check_active(action.plan)
    _check_open(action)
    action.status = Action.Status.DONE
    action.done_on = today()
    action.note = note.strip()[:300]
    action.save(update_fields=["status", "done_on", "note"])
    return action


@transaction.atomic
def do_reopen_action(*, actor: Staff, action: Action) -> Action:
    """Open a done or cancelled action again; it keeps its due date and note."""
    _check_active(action.plan)
    if action.status == Action.Status.OPEN:
        raise ValidationError(_("The action is already open."), code="open")
    action.status = Action.Status.OPEN
    action.done_on = None
    action.save(update_fields=["status", "done_on"])
    return action


@transaction.atomic
def do_cancel_action(*, actor: Staff, action: Action, note: str) -> Action:
    """Cancel an open action that is no longer needed, saying why."""
    _check_active(action.plan)
    _check_open(action)
    note = note.strip()
    if not note:
        raise ValidationError(
            {"note": _("Say why the action is no longer needed.")}, code="no_note"
        )
    action.status = Action.Status.CANCELLED
    action.note = note[:300]
    action.save(update_fields=["status", "note"])
    return action


@transaction.atomic
def do_reassign_action(*, actor: Staff, action: Action, owner: Staff, due_on: dt.date) -> Action:
    """Give an open action a new owner or a new due date (today or later)."""
    _check_active(action.plan)
    _check_open(action)
    _check_owner(action.plan, owner)
    _check_due(due_on)
    action.owner = owner
    action.due_on = due_on
    action.save(update_fields=["owner", "due_on"])
    return action
