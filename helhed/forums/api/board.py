"""API: the obstacle board. Same rules as the web pages (helhed.policy).

A forum's members and the staff with a role in one of its units or beneath
read its board and items; the one who raised an item reads it wherever it
moved; everyone else gets 404. Any staff member raises an item on an active
forum of the municipality (422 for any other forum). A leader who is a member
of the item's forum takes it; the one who took it, or the chair, resolves,
declines or escalates it with a reason (403 for the rest). Bad input: 422.

No ``from __future__ import annotations``: ninja reads the annotations at runtime.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from helhed import policy
from helhed.forums.actions import board as actions
from helhed.forums.models import Item, ItemEvent
from helhed.lib.middleware import NO_NUL_PATTERN
from helhed.lib.openapi import inline_choices
from helhed.lib.pagination import BoundedPages
from helhed.organisation.models import Staff

router = Router(tags=["forums: board"])

MAX_ID = 2**63 - 1


class _ItemFields(Schema):
    id: int
    forum_id: int
    forum: str
    kind: str
    category: str
    title: str
    affected: str
    status: str
    raised_by_id: int
    raised_by: str
    raised_on: dt.date
    taken_by_id: int | None
    taken_by: str | None
    closed_on: dt.date | None
    days_open: int = Field(..., description="Days from raised to closed, or to today while open.")


class BoardItemOut(_ItemFields):
    """A row of a list, read from the item itself."""

    @staticmethod
    def resolve_forum(item: Item) -> str:
        return item.forum.name

    @staticmethod
    def resolve_raised_by(item: Item) -> str:
        return item.raised_by.full_name

    @staticmethod
    def resolve_taken_by(item: Item) -> str | None:
        return item.taken_by.full_name if item.taken_by else None

    @staticmethod
    def resolve_days_open(item: Item) -> int:
        return item.days_open()


class ItemEventOut(Schema):
    kind: str
    forum_id: int
    forum: str
    to_forum_id: int | None
    to_forum: str | None
    by_id: int
    by: str
    at: dt.datetime
    note: str


class ItemDetailOut(_ItemFields):
    description: str
    outcome: str
    events: list[ItemEventOut] = Field(..., description="The whole history, oldest first.")
    can_take: bool
    can_settle: bool
    escalates_to_id: int | None = Field(..., description="Where escalating would move it.")


class ItemFilters(Schema):
    forum_id: int | None = Field(None, ge=1, le=MAX_ID)
    status: Annotated[Item.Status, inline_choices(Item.Status)] | None = None
    category: Annotated[Item.Category, inline_choices(Item.Category)] | None = None
    q: str = Field("", max_length=100, pattern=NO_NUL_PATTERN)
    mine: Literal["raised", "taken"] | None = Field(
        None, description="Only what I raised, or what I took."
    )


class BoardItemIn(Schema):
    forum_id: int = Field(..., ge=1, le=MAX_ID)
    kind: Annotated[Item.Kind, inline_choices(Item.Kind)] = Item.Kind.OBSTACLE
    category: Annotated[Item.Category, inline_choices(Item.Category)] = Item.Category.OTHER
    title: str = Field(..., min_length=1, max_length=actions.MAX_TITLE, pattern=NO_NUL_PATTERN)
    description: str = Field(..., min_length=1, max_length=actions.MAX_TEXT, pattern=NO_NUL_PATTERN)
    affected: str = Field(
        ...,
        min_length=1,
        max_length=actions.MAX_AFFECTED,
        pattern=NO_NUL_PATTERN,
        description="In general terms; never a name or a CPR number.",
    )


class ReasonIn(Schema):
    reason: str = Field(..., max_length=actions.MAX_TEXT, pattern=NO_NUL_PATTERN)


class BoardOut(Schema):
    forum_id: int
    forum: str
    escalates_to_id: int | None
    resolved_last_year: int
    median_days_to_resolution: float | None = Field(
        ..., description="Items resolved here in the last 365 days, from raised to resolved."
    )
    open_count: int
    open_ages: list[int] = Field(..., description="Days open of each open item, oldest first.")


def _staff(request: HttpRequest) -> Staff:
    staff = policy.staff_for(request.user)
    if staff is None or not policy.has_staff_role(request.user):
        raise HttpError(404, "No staff role")
    return staff


def _detail(request: HttpRequest, item: Item) -> dict[str, Any]:
    events = [
        {
            "kind": e.kind,
            "forum_id": e.forum_id,
            "forum": e.forum.name,
            "to_forum_id": e.to_forum_id,
            "to_forum": e.to_forum.name if e.to_forum else None,
            "by_id": e.by_id,
            "by": e.by.full_name,
            "at": e.at,
            "note": e.note,
        }
        for e in ItemEvent.objects.filter(item=item)
        .select_related("forum", "to_forum", "by")
        .order_by("at", "pk")
    ]
    return {
        "id": item.pk,
        "forum_id": item.forum_id,
        "forum": item.forum.name,
        "kind": item.kind,
        "category": item.category,
        "title": item.title,
        "affected": item.affected,
        "status": item.status,
        "raised_by_id": item.raised_by_id,
        "raised_by": item.raised_by.full_name,
        "raised_on": item.raised_on,
        "taken_by_id": item.taken_by_id,
        "taken_by": item.taken_by.full_name if item.taken_by else None,
        "closed_on": item.closed_on,
        "days_open": item.days_open(),
        "description": item.description,
        "outcome": item.outcome,
        "events": events,
        "can_take": policy.can_take_item(request.user, item),
        "can_settle": policy.can_settle_item(request.user, item),
        "escalates_to_id": item.forum.escalates_to_id,
    }


def _after(request: HttpRequest, item: Item) -> tuple[int, dict[str, Any]]:
    """The item right after the change (an escalation may move it to a board the actor
    does not see: they get this answer, and 404 from then on)."""
    return 200, _detail(request, item)


@router.get("/items", response=list[BoardItemOut])
@paginate(BoundedPages, page_size=25)
def list_items(request: HttpRequest, filters: Query[ItemFilters]) -> QuerySet[Item]:
    """Items on the boards I see and the items I raised; open first, the oldest first."""
    items = actions.search_items(policy.visible_items(request.user), filters.q)
    if filters.forum_id:
        items = items.filter(forum_id=filters.forum_id)
    if filters.status:
        items = items.filter(status=filters.status)
    if filters.category:
        items = items.filter(category=filters.category)
    staff = policy.staff_for(request.user)
    if filters.mine == "raised":
        items = items.filter(raised_by=staff)
    elif filters.mine == "taken":
        items = items.filter(
            pk__in=ItemEvent.objects.filter(kind=ItemEvent.Kind.TAKEN, by=staff).values("item_id")
        )
    return items.select_related("forum", "raised_by", "taken_by").order_by(
        "closed_on", "raised_on", "pk"
    )


@router.post("/items", response={201: ItemDetailOut})
def raise_item(request: HttpRequest, payload: BoardItemIn) -> tuple[int, dict[str, Any]]:
    """Raise an obstacle or a matter on an active forum's board."""
    staff = _staff(request)
    forum = policy.raise_forums(request.user).filter(pk=payload.forum_id).first()
    if forum is None:
        raise ValidationError({"forum": "No such active forum in your municipality."})
    item = actions.do_raise_item(
        actor=staff,
        forum=forum,
        kind=payload.kind,
        category=payload.category,
        title=payload.title,
        description=payload.description,
        affected=payload.affected,
    )
    return 201, _detail(request, policy.get_item_for_user(request.user, item.pk))


@router.get("/items/{item_id}", response=ItemDetailOut)
def get_item(request: HttpRequest, item_id: int) -> dict[str, Any]:
    """One item with its whole history, forum by forum."""
    return _detail(request, policy.get_item_for_user(request.user, item_id))


@router.post("/items/{item_id}/take", response=ItemDetailOut)
def take_item(request: HttpRequest, item_id: int) -> tuple[int, dict[str, Any]]:
    staff = _staff(request)
    item = policy.get_item_for_user(request.user, item_id)
    if not policy.can_take_item(request.user, item):
        raise PermissionDenied(
            "Only a leader who is a member of the forum takes an item nobody has taken."
        )
    return _after(request, actions.do_take_item(actor=staff, item=item))


def _settle(
    request: HttpRequest, item_id: int, outcome: str, reason: str
) -> tuple[int, dict[str, Any]]:
    staff = _staff(request)
    item = policy.get_item_for_user(request.user, item_id)
    if not policy.can_settle_item(request.user, item):
        raise PermissionDenied(
            "Only the one who took the item, or the forum's chair, settles or escalates it."
        )
    return _after(request, actions.SETTLE_ACTIONS[outcome](actor=staff, item=item, reason=reason))


@router.post("/items/{item_id}/escalate", response=ItemDetailOut)
def escalate_item(
    request: HttpRequest, item_id: int, payload: ReasonIn
) -> tuple[int, dict[str, Any]]:
    """Move the item to the forum its forum escalates to (422 when there is none)."""
    return _settle(request, item_id, "escalate", payload.reason)


@router.post("/items/{item_id}/resolve", response=ItemDetailOut)
def resolve_item(
    request: HttpRequest, item_id: int, payload: ReasonIn
) -> tuple[int, dict[str, Any]]:
    return _settle(request, item_id, "resolve", payload.reason)


@router.post("/items/{item_id}/decline", response=ItemDetailOut)
def decline_item(
    request: HttpRequest, item_id: int, payload: ReasonIn
) -> tuple[int, dict[str, Any]]:
    return _settle(request, item_id, "decline", payload.reason)


@router.get("/forums/{forum_id}", response=BoardOut)
def get_board(request: HttpRequest, forum_id: int) -> dict[str, Any]:
    """A board's time to resolution: the median of the last year and the open items' ages."""
    forum = policy.get_board_for_user(request.user, forum_id)
    stats = actions.board_stats(forum)
    return {
        "forum_id": forum.pk,
        "forum": forum.name,
        "escalates_to_id": forum.escalates_to_id,
        "resolved_last_year": stats.resolved,
        "median_days_to_resolution": stats.median_days,
        "open_count": stats.open_count,
        "open_ages": sorted(stats.open_ages, reverse=True),
    }
