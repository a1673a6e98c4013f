"""API for network meetings and actions, with the same rules as the web pages.

Only meetings and actions the policy lets the user see exist here (404
otherwise); changing them without being the plan's coordinator or a
participant (or, for an action, its owner) answers 403; rule breaches from
the actions (Ballerup's rule, a due date in the past) answer 422. A family
login reads a meeting without the professionals' internal minutes, as on the
web.

No ``from __future__ import annotations``: ninja reads the annotations at runtime.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from helhed import policy
from helhed.audit import trail
from helhed.lib.middleware import NO_NUL_PATTERN
from helhed.lib.pagination import AuditedPages
from helhed.organisation.models import Staff
from helhed.plans.actions import meetings as actions
from helhed.plans.models import Action, Decision, Meeting, Plan, PlanMember

router = Router(tags=["meetings"])


class MeetingParticipantOut(Schema):
    id: int
    name: str
    role: str
    family: bool = Field(..., description="A member of the family rather than a professional.")
    staff_id: int | None
    citizen_id: int | None
    attended: bool | None


class MeetingOut(Schema):
    id: int
    plan_id: int
    starts_at: dt.datetime
    place: str
    agenda: str
    status: str
    without_citizen_reason: str
    participants: list[MeetingParticipantOut]


class ActionOut(Schema):
    id: int
    plan_id: int
    meeting_id: int | None
    decision_id: int | None
    description: str
    owner_id: int
    owner: str
    due_on: dt.date
    status: str
    done_on: dt.date | None
    note: str
    overdue: bool

    @staticmethod
    def resolve_owner(action: Action) -> str:
        return action.owner.full_name

    @staticmethod
    def resolve_overdue(action: Action) -> bool:
        return action.is_overdue()


class DecisionOut(Schema):
    id: int
    text: str


class MeetingDetailOut(MeetingOut):
    minutes: str | None = Field(None, description="Internal; empty for a family login.")
    family_summary: str
    decisions: list[DecisionOut]
    actions: list[ActionOut]


class StaffParticipantIn(Schema):
    staff_id: int
    role: str = Field("", max_length=100, pattern=NO_NUL_PATTERN)


class FamilyParticipantIn(Schema):
    citizen_id: int
    role: str = Field(..., max_length=100, pattern=NO_NUL_PATTERN, examples=["Mor"])


class MeetingIn(Schema):
    starts_at: dt.datetime = Field(..., description="In the future.")
    place: str = Field("", max_length=200, pattern=NO_NUL_PATTERN)
    agenda: str = Field("", max_length=5000, pattern=NO_NUL_PATTERN)
    staff_participants: list[StaffParticipantIn] = Field(default_factory=list, max_length=50)
    family_participants: list[FamilyParticipantIn] = Field(
        default_factory=list,
        max_length=20,
        description="The plan's members and their guardians, with their role at the meeting.",
    )
    without_citizen_reason: str = Field(
        "",
        max_length=300,
        pattern=NO_NUL_PATTERN,
        description="Required when nobody from the family takes part (Ballerup's rule).",
    )


class NewActionIn(Schema):
    description: str = Field(..., min_length=1, max_length=300, pattern=NO_NUL_PATTERN)
    owner_id: int
    due_on: dt.date = Field(..., description="Today or later.")
    decision: int | None = Field(
        None, ge=1, description="The number (from 1) of the decision it follows in `decisions`."
    )


class MinutesIn(Schema):
    minutes: str = Field("", max_length=20000, pattern=NO_NUL_PATTERN)
    family_summary: str = Field("", max_length=5000, pattern=NO_NUL_PATTERN)
    decisions: list[str] = Field(default_factory=list, max_length=30)
    attendance: dict[int, bool] = Field(
        default_factory=dict, description="Participant id to whether they came."
    )
    actions: list[NewActionIn] = Field(default_factory=list, max_length=30)


class CancelIn(Schema):
    reason: str = Field(..., max_length=300, pattern=NO_NUL_PATTERN)


class ActionIn(Schema):
    description: str = Field(..., min_length=1, max_length=300, pattern=NO_NUL_PATTERN)
    owner_id: int
    due_on: dt.date = Field(..., description="Today or later.")
    meeting_id: int | None = None
    decision_id: int | None = None


class NoteIn(Schema):
    note: str = Field("", max_length=300, pattern=NO_NUL_PATTERN)


class ReassignIn(Schema):
    owner_id: int
    due_on: dt.date = Field(..., description="Today or later.")


def _participants(meeting: Meeting) -> list[MeetingParticipantOut]:
    return [
        MeetingParticipantOut(
            id=p.pk,
            name=p.name,
            role=p.role,
            family=p.citizen_id is not None,
            staff_id=p.staff_id,
            citizen_id=p.citizen_id,
            attended=p.attended,
        )
        for p in meeting.participants.all()
    ]


def _meeting_out(meeting: Meeting) -> MeetingOut:
    return MeetingOut(
        id=meeting.pk,
        plan_id=meeting.plan_id,
        starts_at=meeting.starts_at,
        place=meeting.place,
        agenda=meeting.agenda,
        status=meeting.status,
        without_citizen_reason=meeting.without_citizen_reason,
        participants=_participants(meeting),
    )


def _detail_out(request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    """The meeting as ``MeetingDetailOut`` validates it (actions resolved from the rows)."""
    is_staff = policy.staff_for(request.user) is not None
    rows = meeting.actions.select_related("owner")
    if not is_staff:
        rows = rows.exclude(status=Action.Status.CANCELLED)
    return {
        **_meeting_out(meeting).model_dump(),
        "minutes": meeting.minutes if is_staff else None,
        "family_summary": meeting.family_summary,
        "decisions": [DecisionOut(id=d.pk, text=d.text) for d in meeting.decisions.all()],
        "actions": list(rows),
    }


def _editor(request: HttpRequest, plan: Plan) -> Staff:
    staff = policy.staff_for(request.user)
    if staff is None or not policy.can_edit_plan(request.user, plan):
        raise PermissionDenied("Only the plan's coordinator and participants can do this.")
    return staff


def _owner(request: HttpRequest, owner_id: int) -> Staff:
    owner = policy.visible_staff(request.user).filter(pk=owner_id).first()
    if owner is None:
        raise HttpError(422, f"Unknown staff member {owner_id}")
    return owner


def _action_for_change(request: HttpRequest, action_id: int) -> tuple[Action, Staff]:
    action = policy.get_action_for_user(request.user, action_id)
    staff = policy.staff_for(request.user)
    if staff is None or not policy.can_update_action(request.user, action):
        raise PermissionDenied("Only the action's owner and the plan's editors can change it.")
    return action, staff


# --------------------------------------------------------------------------- meetings


@router.get("/plans/{plan_id}/meetings", response=list[MeetingOut])
def list_meetings(request: HttpRequest, plan_id: int) -> list[MeetingOut]:
    """The plan's meetings, the latest first."""
    plan = policy.get_plan_for_user(request.user, plan_id)
    meetings = [_meeting_out(m) for m in plan.meetings.prefetch_related("participants")]
    # The family at the table (parents, say) need not be the plan's members.
    trail.log_list(
        request.user,
        [p.citizen_id for m in meetings for p in m.participants],
        what="api:plan_meetings",
    )
    return meetings


@router.post("/plans/{plan_id}/meetings", response={201: MeetingOut})
def schedule_meeting(
    request: HttpRequest, plan_id: int, payload: MeetingIn
) -> tuple[int, MeetingOut]:
    """Schedule a meeting; without anyone from the family it needs a reason."""
    plan = policy.get_plan_for_user(request.user, plan_id)
    staff = _editor(request, plan)
    visible_staff = policy.visible_staff(request.user)
    staff_participants = []
    for row in payload.staff_participants:
        member = visible_staff.filter(pk=row.staff_id).first()
        if member is None:
            raise HttpError(422, f"Unknown staff member {row.staff_id}")
        staff_participants.append((member, row.role))
    family = {c.pk: c for c in actions.family_candidates(plan)}
    family_participants = []
    for family_row in payload.family_participants:
        citizen = family.get(family_row.citizen_id)
        if citizen is None:
            raise HttpError(422, f"Citizen {family_row.citizen_id} is not in the plan's family")
        family_participants.append((citizen, family_row.role))
    meeting = actions.do_schedule_meeting(
        actor=staff,
        plan=plan,
        starts_at=payload.starts_at,
        place=payload.place,
        agenda=payload.agenda,
        staff_participants=staff_participants,
        family_participants=family_participants,
        without_citizen_reason=payload.without_citizen_reason,
    )
    return 201, _meeting_out(meeting)


@router.get("/meetings/{meeting_id}", response=MeetingDetailOut)
def get_meeting(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    """A meeting with its decisions and actions; the minutes only for staff."""
    meeting = policy.get_meeting_for_user(request.user, meeting_id)
    detail = _detail_out(request, meeting)
    trail.log_list(
        request.user, [p["citizen_id"] for p in detail["participants"]], what="api:meeting"
    )
    return detail


@router.post("/meetings/{meeting_id}/minutes", response=MeetingDetailOut)
def record_minutes(request: HttpRequest, meeting_id: int, payload: MinutesIn) -> dict[str, Any]:
    """Record the minutes, decisions, attendance and actions of a meeting that has started."""
    meeting = policy.get_meeting_for_user(request.user, meeting_id)
    staff = _editor(request, meeting.plan)
    if any("\x00" in text for text in payload.decisions):
        raise HttpError(422, "A decision may not contain NUL characters")
    new_actions = [
        actions.NewAction(
            description=row.description,
            owner=_owner(request, row.owner_id),
            due_on=row.due_on,
            decision=row.decision,
        )
        for row in payload.actions
    ]
    actions.do_record_minutes(
        actor=staff,
        meeting=meeting,
        minutes=payload.minutes,
        family_summary=payload.family_summary,
        decisions=payload.decisions,
        attendance=payload.attendance,
        actions=new_actions,
    )
    return _detail_out(request, meeting)


@router.post("/meetings/{meeting_id}/cancel", response=MeetingOut)
def cancel_meeting(request: HttpRequest, meeting_id: int, payload: CancelIn) -> MeetingOut:
    meeting = policy.get_meeting_for_user(request.user, meeting_id)
    staff = _editor(request, meeting.plan)
    actions.do_cancel_meeting(actor=staff, meeting=meeting, reason=payload.reason)
    return _meeting_out(meeting)


# --------------------------------------------------------------------------- actions


def _families_of(actions: list[Action]) -> list[int]:
    """The citizens of the plans a page of actions is about."""
    plan_ids = {a.plan_id for a in actions}
    return list(
        PlanMember.objects.filter(plan_id__in=plan_ids).values_list("citizen_id", flat=True)
    )


@router.get("/actions/mine", response=list[ActionOut])
@paginate(AuditedPages, page_size=50, what="api:my_actions", citizens=_families_of)
def my_actions(request: HttpRequest, status: str = "") -> QuerySet[Action]:
    """The caller's actions: open ones first by due date. Filter with ``status=open``."""
    staff = policy.staff_for(request.user)
    if staff is None:
        return Action.objects.none()
    rows = Action.objects.filter(owner=staff).select_related("owner")
    if status:
        rows = rows.filter(status=status)
    return rows.annotate(
        open_first=Case(
            When(status=Action.Status.OPEN, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("open_first", "due_on", "pk")


@router.get("/plans/{plan_id}/actions", response=list[ActionOut])
def list_plan_actions(request: HttpRequest, plan_id: int) -> list[Action]:
    """The plan's actions, by due date."""
    plan = policy.get_plan_for_user(request.user, plan_id)
    return list(plan.actions.select_related("owner"))


@router.post("/plans/{plan_id}/actions", response={201: ActionOut})
def add_action(request: HttpRequest, plan_id: int, payload: ActionIn) -> tuple[int, Action]:
    """Give a follow-up one owner and a due date (today or later)."""
    plan = policy.get_plan_for_user(request.user, plan_id)
    staff = _editor(request, plan)
    meeting = None
    if payload.meeting_id is not None:
        meeting = plan.meetings.filter(pk=payload.meeting_id).first()
        if meeting is None:
            raise HttpError(422, f"Meeting {payload.meeting_id} is not about this plan")
    decision = None
    if payload.decision_id is not None:
        decision = (
            Decision.objects.filter(pk=payload.decision_id, meeting__plan=plan)
            .select_related("meeting")
            .first()
        )
        if decision is None:
            raise HttpError(422, f"Decision {payload.decision_id} is not in this plan")
    action = actions.do_add_action(
        actor=staff,
        plan=plan,
        description=payload.description,
        owner=_owner(request, payload.owner_id),
        due_on=payload.due_on,
        meeting=meeting,
        decision=decision,
    )
    return 201, action


@router.post("/actions/{action_id}/complete", response=ActionOut)
def complete_action(request: HttpRequest, action_id: int, payload: NoteIn) -> Action:
    action, staff = _action_for_change(request, action_id)
    actions.do_complete_action(actor=staff, action=action, note=payload.note)
    return action


@router.post("/actions/{action_id}/reopen", response=ActionOut)
def reopen_action(request: HttpRequest, action_id: int) -> Action:
    action, staff = _action_for_change(request, action_id)
    actions.do_reopen_action(actor=staff, action=action)
    return action


@router.post("/actions/{action_id}/cancel", response=ActionOut)
def cancel_action(request: HttpRequest, action_id: int, payload: NoteIn) -> Action:
    action, staff = _action_for_change(request, action_id)
    actions.do_cancel_action(actor=staff, action=action, note=payload.note)
    return action


@router.post("/actions/{action_id}/reassign", response=ActionOut)
def reassign_action(request: HttpRequest, action_id: int, payload: ReassignIn) -> Action:
    action, staff = _action_for_change(request, action_id)
    owner = _owner(request, payload.owner_id)
    actions.do_reassign_action(actor=staff, action=action, owner=owner, due_on=payload.due_on)
    return action
