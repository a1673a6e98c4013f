"""API: forums, members, meetings, decisions, follow-ups and the decision log.

The same rules as the web pages (``helhed.policy``, section "forums"): every
staff member of the municipality reads (404 for anyone else and for another
municipality's forums); the director, the chiefs and analysts set forums up
and change their members (403 otherwise); the chair or secretary plans
meetings, records minutes, decisions and follow-ups (403 for the rest). Bad
input answers 422 with the field it is about.

No ``from __future__ import annotations``: ninja reads the annotations at runtime.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from helhed import policy
from helhed.forums.actions import forums as actions
from helhed.forums.models import Decision, FollowUp, Forum, ForumMeeting, ForumMember, Item
from helhed.lib.middleware import NO_NUL_PATTERN
from helhed.lib.openapi import inline_choices
from helhed.lib.pagination import BoundedPages
from helhed.lib.validity import today
from helhed.organisation.models import Staff

router = Router(tags=["forums"])

MAX_ID = 2**63 - 1


# --------------------------------------------------------------------------- schemas


class ForumOut(Schema):
    id: int
    name: str
    kind: str
    cadence: str
    is_active: bool
    escalates_to_id: int | None
    yearly_budget: Decimal | None
    grant_limit: Decimal | None


class ForumMemberOut(Schema):
    id: int
    staff_id: int
    name: str
    role: str

    @staticmethod
    def resolve_name(member: ForumMember) -> str:
        return member.staff.full_name


class ForumRef(Schema):
    id: int
    name: str


class ForumDetailOut(ForumOut):
    mandate: str
    unit_ids: list[int]
    members: list[ForumMemberOut]
    escalation_chain: list[ForumRef] = Field(..., description="Where items go, nearest first.")
    escalated_from: list[ForumRef] = Field(..., description="Forums whose items come here.")
    year: int
    budget_used: Decimal = Field(..., description="Granted by decisions dated this year.")
    budget_left: Decimal | None = Field(..., description="Left this year; null without a budget.")
    can_manage: bool
    can_record: bool


class ForumIn(Schema):
    name: str = Field(..., min_length=1, max_length=150, pattern=NO_NUL_PATTERN)
    kind: Annotated[Forum.Kind, inline_choices(Forum.Kind)]
    cadence: Forum.Cadence
    mandate: str = Field(..., min_length=1, max_length=actions.MAX_TEXT, pattern=NO_NUL_PATTERN)
    unit_ids: list[int] = Field(default_factory=list, max_length=200)
    escalates_to_id: int | None = Field(None, ge=1, le=MAX_ID)
    yearly_budget: Decimal | None = Field(None, gt=0, max_digits=12, decimal_places=2)
    grant_limit: Decimal | None = Field(None, gt=0, max_digits=12, decimal_places=2)
    is_active: bool = True


class ForumFilters(Schema):
    q: str = Field("", max_length=100, pattern=NO_NUL_PATTERN)
    kind: Annotated[Forum.Kind, inline_choices(Forum.Kind)] | None = None


class MemberIn(Schema):
    staff_id: int = Field(..., ge=1, le=MAX_ID)
    role: ForumMember.Role = ForumMember.Role.MEMBER


class ForumMeetingOut(Schema):
    id: int
    forum_id: int
    held_on: dt.date
    agenda: str
    minutes: str
    status: str


class ForumMeetingIn(Schema):
    held_on: dt.date
    agenda: str = Field(..., min_length=1, max_length=actions.MAX_TEXT, pattern=NO_NUL_PATTERN)


class ForumMinutesIn(Schema):
    minutes: str = Field(..., min_length=1, max_length=actions.MAX_TEXT, pattern=NO_NUL_PATTERN)


class ForumDecisionOut(Schema):
    id: int
    forum_id: int
    forum: str
    meeting_id: int | None
    item_id: int | None
    text: str
    mandate_basis: str
    decided_by_id: int
    decided_by: str
    decided_on: dt.date
    grant_amount: Decimal | None
    grant_purpose: str

    @staticmethod
    def resolve_forum(decision: Decision) -> str:
        return decision.forum.name

    @staticmethod
    def resolve_decided_by(decision: Decision) -> str:
        return decision.decided_by.full_name


class DecisionIn(Schema):
    text: str = Field(..., min_length=1, max_length=actions.MAX_TEXT, pattern=NO_NUL_PATTERN)
    mandate_basis: str = Field(..., max_length=300, pattern=NO_NUL_PATTERN)
    decided_on: dt.date | None = Field(None, description="Empty: today.")
    meeting_id: int | None = Field(None, ge=1, le=MAX_ID)
    item_id: int | None = Field(None, ge=1, le=MAX_ID)
    grant_amount: Decimal | None = Field(None, gt=0, max_digits=12, decimal_places=2)
    grant_purpose: str = Field("", max_length=200, pattern=NO_NUL_PATTERN)


class DecisionFilters(Schema):
    q: str = Field("", max_length=100, pattern=NO_NUL_PATTERN)
    forum_id: int | None = Field(None, ge=1, le=MAX_ID)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    grants_only: bool = False


class FollowUpOut(Schema):
    id: int
    decision_id: int
    title: str
    owner_id: int
    owner: str
    due_on: dt.date
    done_on: dt.date | None
    overdue: bool

    @staticmethod
    def resolve_owner(follow_up: FollowUp) -> str:
        return follow_up.owner.full_name

    @staticmethod
    def resolve_overdue(follow_up: FollowUp) -> bool:
        return follow_up.is_overdue()


class FollowUpIn(Schema):
    title: str = Field(..., min_length=1, max_length=200, pattern=NO_NUL_PATTERN)
    owner_id: int = Field(..., ge=1, le=MAX_ID)
    due_on: dt.date


# --------------------------------------------------------------------------- helpers


def _staff(request: HttpRequest) -> Staff:
    staff = policy.staff_for(request.user)
    if staff is None or not policy.has_staff_role(request.user):
        raise HttpError(404, "No staff role")
    return staff


def _require_manager(request: HttpRequest) -> None:
    if not policy.can_manage_forums(request.user):
        raise PermissionDenied("Only the director, the chiefs and analysts set up forums.")


def _require_recorder(request: HttpRequest, forum: Forum) -> None:
    if not policy.can_record_in_forum(request.user, forum):
        raise PermissionDenied("Only the forum's chair or secretary records in the forum.")


def _ref(forum: Forum) -> dict[str, Any]:
    return {"id": forum.pk, "name": forum.name}


def _detail(request: HttpRequest, forum: Forum) -> dict[str, Any]:
    year = today().year
    return {
        "id": forum.pk,
        "name": forum.name,
        "kind": forum.kind,
        "cadence": forum.cadence,
        "is_active": forum.is_active,
        "escalates_to_id": forum.escalates_to_id,
        "yearly_budget": forum.yearly_budget,
        "grant_limit": forum.grant_limit,
        "mandate": forum.mandate,
        "unit_ids": sorted(forum.units.values_list("pk", flat=True)),
        "members": list(actions.members(forum)),
        "escalation_chain": [_ref(f) for f in actions.escalation_chain(forum)],
        "escalated_from": [_ref(f) for f in actions.escalated_from(forum)],
        "year": year,
        "budget_used": actions.forum_budget_used(forum, year),
        "budget_left": actions.forum_budget_left(forum, year),
        "can_manage": policy.can_manage_forums(request.user),
        "can_record": policy.can_record_in_forum(request.user, forum),
    }


def _forum_fields(request: HttpRequest, payload: ForumIn) -> dict[str, Any]:
    """The payload as the action's arguments, with ids looked up within the user's reach."""
    unit_ids = list(dict.fromkeys(payload.unit_ids))
    if any(not 1 <= pk <= MAX_ID for pk in unit_ids):
        raise ValidationError({"units": "An id is out of range."})
    units = list(policy.visible_units(request.user).filter(pk__in=unit_ids))
    if len(units) != len(unit_ids):
        raise ValidationError({"units": "No such unit in the municipality."})
    escalates_to = None
    if payload.escalates_to_id is not None:
        escalates_to = (
            policy.visible_forums(request.user).filter(pk=payload.escalates_to_id).first()
        )
        if escalates_to is None:
            raise ValidationError({"escalates_to": "No such forum in the municipality."})
    return {
        "name": payload.name,
        "kind": payload.kind,
        "cadence": payload.cadence,
        "mandate": payload.mandate,
        "units": units,
        "escalates_to": escalates_to,
        "yearly_budget": payload.yearly_budget,
        "grant_limit": payload.grant_limit,
        "is_active": payload.is_active,
    }


# --------------------------------------------------------------------------- forums


@router.get("", response=list[ForumOut])
@paginate(BoundedPages, page_size=25)
def list_forums(request: HttpRequest, filters: Query[ForumFilters]) -> QuerySet[Forum]:
    """The municipality's forums: search name and mandate; filter by kind."""
    forums = actions.search_forums(policy.visible_forums(request.user), filters.q)
    if filters.kind:
        forums = forums.filter(kind=filters.kind)
    return forums.order_by("-is_active", "name", "pk")


@router.post("", response={201: ForumDetailOut})
def create_forum(request: HttpRequest, payload: ForumIn) -> tuple[int, dict[str, Any]]:
    """Set up a forum (the director, the chiefs and analysts)."""
    staff = _staff(request)
    _require_manager(request)
    forum = actions.do_create_forum(actor=staff, **_forum_fields(request, payload))
    return 201, _detail(request, forum)


@router.get("/{int:forum_id}", response=ForumDetailOut)
def get_forum(request: HttpRequest, forum_id: int) -> dict[str, Any]:
    """A forum with members, mandate, escalation chain and budget this year."""
    return _detail(request, policy.get_forum_for_user(request.user, forum_id))


@router.put("/{int:forum_id}", response=ForumDetailOut)
def update_forum(request: HttpRequest, forum_id: int, payload: ForumIn) -> dict[str, Any]:
    """Change a forum (all fields, as on the web form)."""
    staff = _staff(request)
    forum = policy.get_forum_for_user(request.user, forum_id)
    _require_manager(request)
    actions.do_update_forum(actor=staff, forum=forum, **_forum_fields(request, payload))
    return _detail(request, policy.get_forum_for_user(request.user, forum_id))


@router.get("/{int:forum_id}/members", response=list[ForumMemberOut])
def list_members(request: HttpRequest, forum_id: int) -> QuerySet[ForumMember]:
    return actions.members(policy.get_forum_for_user(request.user, forum_id))


@router.post("/{int:forum_id}/members", response={201: ForumMemberOut})
def set_member(request: HttpRequest, forum_id: int, payload: MemberIn) -> tuple[int, ForumMember]:
    """Add a member or change a member's role."""
    staff = _staff(request)
    forum = policy.get_forum_for_user(request.user, forum_id)
    _require_manager(request)
    person = policy.forum_staff_candidates(request.user).filter(pk=payload.staff_id).first()
    if person is None:
        raise ValidationError({"staff": "No such staff member in the municipality."})
    return 201, actions.do_set_member(actor=staff, forum=forum, staff=person, role=payload.role)


@router.delete("/{int:forum_id}/members/{int:member_id}", response={204: None})
def remove_member(request: HttpRequest, forum_id: int, member_id: int) -> tuple[int, None]:
    staff = _staff(request)
    forum = policy.get_forum_for_user(request.user, forum_id)
    _require_manager(request)
    member = forum.members.filter(pk=member_id).first()
    if member is None:
        raise HttpError(404, "No such member")
    actions.do_remove_member(actor=staff, member=member)
    return 204, None


# --------------------------------------------------------------------------- meetings


@router.get("/{int:forum_id}/meetings", response=list[ForumMeetingOut])
@paginate(BoundedPages, page_size=25)
def list_forum_meetings(request: HttpRequest, forum_id: int) -> QuerySet[ForumMeeting]:
    forum = policy.get_forum_for_user(request.user, forum_id)
    return forum.meetings.order_by("-held_on", "-pk")


@router.post("/{int:forum_id}/meetings", response={201: ForumMeetingOut})
def plan_meeting(
    request: HttpRequest, forum_id: int, payload: ForumMeetingIn
) -> tuple[int, ForumMeeting]:
    """Plan a meeting with a date and an agenda (the chair or secretary)."""
    staff = _staff(request)
    forum = policy.get_forum_for_user(request.user, forum_id)
    _require_recorder(request, forum)
    meeting = actions.do_plan_meeting(
        actor=staff, forum=forum, held_on=payload.held_on, agenda=payload.agenda
    )
    return 201, meeting


@router.get("/meetings/{int:meeting_id}", response=ForumMeetingOut)
def get_forum_meeting(request: HttpRequest, meeting_id: int) -> ForumMeeting:
    return policy.get_forum_meeting_for_user(request.user, meeting_id)


@router.post("/meetings/{int:meeting_id}/minutes", response=ForumMeetingOut)
def record_forum_minutes(
    request: HttpRequest, meeting_id: int, payload: ForumMinutesIn
) -> ForumMeeting:
    """Record the minutes and mark the meeting held."""
    staff = _staff(request)
    meeting = policy.get_forum_meeting_for_user(request.user, meeting_id)
    _require_recorder(request, meeting.forum)
    return actions.do_record_minutes(actor=staff, meeting=meeting, minutes=payload.minutes)


# --------------------------------------------------------------------------- decisions


@router.get("/decisions", response=list[ForumDecisionOut])
@paginate(BoundedPages, page_size=25)
def decision_log(request: HttpRequest, filters: Query[DecisionFilters]) -> QuerySet[Decision]:
    """The decision log across the municipality's forums, the latest first."""
    forum = None
    if filters.forum_id is not None:
        forum = policy.get_forum_for_user(request.user, filters.forum_id)
    return actions.search_decisions(
        policy.visible_decisions(request.user),
        query=filters.q,
        forum=forum,
        date_from=filters.date_from,
        date_to=filters.date_to,
        grants_only=filters.grants_only,
    )


@router.get("/decisions/{int:decision_id}", response=ForumDecisionOut)
def get_decision(request: HttpRequest, decision_id: int) -> Decision:
    return policy.get_decision_for_user(request.user, decision_id)


@router.get("/{int:forum_id}/decisions", response=list[ForumDecisionOut])
@paginate(BoundedPages, page_size=25)
def list_decisions(request: HttpRequest, forum_id: int) -> QuerySet[Decision]:
    forum = policy.get_forum_for_user(request.user, forum_id)
    return actions.search_decisions(policy.visible_decisions(request.user), forum=forum)


@router.post("/{int:forum_id}/decisions", response={201: ForumDecisionOut})
def record_decision(
    request: HttpRequest, forum_id: int, payload: DecisionIn
) -> tuple[int, Decision]:
    """Record a decision, perhaps a grant (the chair or secretary; the chair decides)."""
    staff = _staff(request)
    forum = policy.get_forum_for_user(request.user, forum_id)
    _require_recorder(request, forum)
    meeting = None
    if payload.meeting_id is not None:
        meeting = forum.meetings.filter(pk=payload.meeting_id).first()
        if meeting is None:
            raise ValidationError({"meeting": "No such meeting of this forum."})
    item = None
    if payload.item_id is not None:
        item = Item.objects.filter(forum=forum, pk=payload.item_id).first()
        if item is None:
            raise ValidationError({"item": "No such item on this forum's board."})
    decision = actions.do_record_decision(
        actor=staff,
        forum=forum,
        text=payload.text,
        mandate_basis=payload.mandate_basis,
        decided_on=payload.decided_on,
        meeting=meeting,
        item=item,
        grant_amount=payload.grant_amount,
        grant_purpose=payload.grant_purpose,
    )
    return 201, decision


# --------------------------------------------------------------------------- follow-ups


@router.get("/decisions/{int:decision_id}/follow-ups", response=list[FollowUpOut])
def list_follow_ups(request: HttpRequest, decision_id: int) -> QuerySet[FollowUp]:
    decision = policy.get_decision_for_user(request.user, decision_id)
    return decision.follow_ups.select_related("owner").order_by("due_on", "pk")


@router.post("/decisions/{int:decision_id}/follow-ups", response={201: FollowUpOut})
def add_follow_up(
    request: HttpRequest, decision_id: int, payload: FollowUpIn
) -> tuple[int, FollowUp]:
    staff = _staff(request)
    decision = policy.get_decision_for_user(request.user, decision_id)
    _require_recorder(request, decision.forum)
    owner = policy.forum_staff_candidates(request.user).filter(pk=payload.owner_id).first()
    if owner is None:
        raise ValidationError({"owner": "No such staff member in the municipality."})
    follow_up = actions.do_add_follow_up(
        actor=staff, decision=decision, title=payload.title, owner=owner, due_on=payload.due_on
    )
    return 201, follow_up


@router.post("/follow-ups/{int:follow_up_id}/done", response=FollowUpOut)
def complete_follow_up(request: HttpRequest, follow_up_id: int) -> FollowUp:
    staff = _staff(request)
    follow_up = policy.get_follow_up_for_user(request.user, follow_up_id)
    if not policy.can_complete_follow_up(request.user, follow_up):
        raise PermissionDenied(
            "Only the action's owner, or the forum's chair or secretary, marks it done."
        )
    return actions.do_complete_follow_up(actor=staff, follow_up=follow_up)
