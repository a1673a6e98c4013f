"""The obstacle board: raise an item, take it, and resolve, decline or escalate it.

Any staff member raises an obstacle (or a matter) on a forum's board with
what blocks, a category and who is affected *in general terms*: the board is
read by many, so text shaped like a CPR number is refused. A leader of the
forum takes it; the one who took it, or the chair, resolves or declines it
with a reason, or escalates it with a reason to the forum's ``escalates_to``.
Escalation moves the item (status back to open, nobody holding it): its
history stays one list of ``ItemEvent`` rows, each naming the forum it
happened in (and, for an escalation, the forum it went to).

Who may do what is asked of ``helhed.policy`` by the views and the API
(``can_take_item``, ``can_settle_item``); the rules of the record are here.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from helhed.forums.models import Forum, Item, ItemEvent
from helhed.lib.logfilter import CPR_SHAPE
from helhed.lib.validity import today
from helhed.organisation.models import Staff

MAX_TITLE = 200
MAX_AFFECTED = 300
MAX_TEXT = 10_000
# A reason is a sentence: "no" does not tell the one who raised it why.
MIN_REASON = 10
# The board's median time to resolution looks back this far.
MEDIAN_WINDOW_DAYS = 365


def _check_no_cpr(value: str, name: str, errors: dict[str, str]) -> None:
    if name not in errors and CPR_SHAPE.search(value):
        errors[name] = _(
            "Leave out anything like a CPR number: the board names no citizen and is read by many."
        )


def _check_text(value: str, name: str, errors: dict[str, str], *, missing: str, limit: int) -> str:
    value = value.strip()
    if not value:
        errors[name] = missing
    elif len(value) > limit:
        errors[name] = _("Keep it under %(n)d characters.") % {"n": limit}
    _check_no_cpr(value, name, errors)
    return value


def _check_reason(reason: str, errors: dict[str, str]) -> str:
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        errors["reason"] = _("Give the reason in a sentence (at least %(n)d characters).") % {
            "n": MIN_REASON
        }
    elif len(reason) > MAX_TEXT:
        errors["reason"] = _("Keep the reason under %(n)d characters.") % {"n": MAX_TEXT}
    _check_no_cpr(reason, "reason", errors)
    return reason


@transaction.atomic
def do_raise_item(
    *,
    actor: Staff,
    forum: Forum,
    title: str,
    description: str,
    affected: str,
    category: str = Item.Category.OTHER,
    kind: str = Item.Kind.OBSTACLE,
) -> Item:
    """Raise an item on an active forum of the actor's municipality; its history starts here."""
    errors: dict[str, str] = {}
    if forum.municipality_id != actor.municipality_id or not forum.is_active:
        errors["forum"] = _("Choose an active forum of your municipality.")
    title = _check_text(
        title, "title", errors, missing=_("Give the item a short title."), limit=MAX_TITLE
    )
    description = _check_text(
        description,
        "description",
        errors,
        missing=_("Describe what blocks, and what it costs."),
        limit=MAX_TEXT,
    )
    affected = _check_text(
        affected,
        "affected",
        errors,
        missing=_("Say who is affected, in general terms."),
        limit=MAX_AFFECTED,
    )
    if category not in Item.Category.values:
        errors["category"] = _("Choose a category.")
    if kind not in Item.Kind.values:
        errors["kind"] = _("Choose whether it is an obstacle or a matter.")
    if errors:
        raise ValidationError(errors, code="item")
    item = Item.objects.create(
        forum=forum,
        kind=kind,
        category=category,
        title=title,
        description=description,
        affected=affected,
        raised_by=actor,
        raised_on=today(),
    )
    ItemEvent.objects.create(item=item, kind=ItemEvent.Kind.RAISED, forum=forum, by=actor)
    return item


def _locked(item: Item) -> Item:
    return (
        Item.objects.select_for_update(of=("self",))
        .select_related("forum__escalates_to")
        .get(pk=item.pk)
    )


@transaction.atomic
def do_take_item(*, actor: Staff, item: Item) -> Item:
    """Take an open item: the actor answers for it from now on."""
    item = _locked(item)
    if item.status != Item.Status.OPEN:
        raise ValidationError(
            {"status": _("Only an open item nobody has taken can be taken.")}, code="not_open"
        )
    item.status = Item.Status.TAKEN
    item.taken_by = actor
    item.save(update_fields=["status", "taken_by"])
    ItemEvent.objects.create(item=item, kind=ItemEvent.Kind.TAKEN, forum=item.forum, by=actor)
    return item


def _check_still_open(item: Item) -> None:
    if not item.is_open:
        raise ValidationError(
            {"status": _("The item is closed; it takes no further steps.")}, code="closed"
        )


@transaction.atomic
def do_escalate_item(*, actor: Staff, item: Item, reason: str) -> Item:
    """Move the item to the forum its forum escalates to, open again and held by nobody."""
    item = _locked(item)
    _check_still_open(item)
    errors: dict[str, str] = {}
    reason = _check_reason(reason, errors)
    target = item.forum.escalates_to
    if target is None:
        errors["forum"] = _(
            "%(forum)s escalates to no other forum: resolve or decline the item here."
        ) % {"forum": item.forum.name}
    elif not target.is_active or target.municipality_id != item.forum.municipality_id:
        errors["forum"] = _("The forum it escalates to, %(forum)s, is no longer active.") % {
            "forum": target.name
        }
    if errors:
        raise ValidationError(errors, code="escalate")
    assert target is not None  # noqa: S101 - checked above
    source = item.forum
    item.forum = target
    item.status = Item.Status.OPEN
    item.taken_by = None
    item.save(update_fields=["forum", "status", "taken_by"])
    ItemEvent.objects.create(
        item=item,
        kind=ItemEvent.Kind.ESCALATED,
        forum=source,
        to_forum=target,
        by=actor,
        note=reason,
    )
    return item


def _close(*, actor: Staff, item: Item, reason: str, status: str, event: str) -> Item:
    item = _locked(item)
    _check_still_open(item)
    errors: dict[str, str] = {}
    reason = _check_reason(reason, errors)
    if errors:
        raise ValidationError(errors, code="close")
    item.status = status
    item.closed_on = today()
    item.outcome = reason
    item.save(update_fields=["status", "closed_on", "outcome"])
    ItemEvent.objects.create(item=item, kind=event, forum=item.forum, by=actor, note=reason)
    return item


@transaction.atomic
def do_resolve_item(*, actor: Staff, item: Item, reason: str) -> Item:
    """Close the item as resolved, saying how."""
    return _close(
        actor=actor,
        item=item,
        reason=reason,
        status=Item.Status.RESOLVED,
        event=ItemEvent.Kind.RESOLVED,
    )


@transaction.atomic
def do_decline_item(*, actor: Staff, item: Item, reason: str) -> Item:
    """Close the item as declined, saying why."""
    return _close(
        actor=actor,
        item=item,
        reason=reason,
        status=Item.Status.DECLINED,
        event=ItemEvent.Kind.DECLINED,
    )


SETTLE_ACTIONS = {
    "resolve": do_resolve_item,
    "decline": do_decline_item,
    "escalate": do_escalate_item,
}


# --------------------------------------------------------------------------- reading


def search_items(items: QuerySet[Item], query: str) -> QuerySet[Item]:
    """Items whose title, description or who is affected contains every word of the query."""
    for word in query[:100].split():
        items = items.filter(
            Q(title__icontains=word) | Q(description__icontains=word) | Q(affected__icontains=word)
        )
    return items


def open_items(items: QuerySet[Item]) -> QuerySet[Item]:
    """Open and taken items, the oldest first."""
    return items.filter(status__in=[Item.Status.OPEN, Item.Status.TAKEN]).order_by(
        "raised_on", "pk"
    )


def closed_items(items: QuerySet[Item]) -> QuerySet[Item]:
    """Resolved and declined items, the latest closed first."""
    return items.filter(status__in=[Item.Status.RESOLVED, Item.Status.DECLINED]).order_by(
        "-closed_on", "-pk"
    )


@dataclass
class BoardStats:
    """Time to resolution on a board: the median of the last year, and the open items' ages."""

    resolved: int
    median_days: float | None
    open_count: int
    open_ages: list[int] = field(default_factory=list)

    @property
    def oldest_open(self) -> int | None:
        return max(self.open_ages) if self.open_ages else None

    @property
    def median_open_age(self) -> float | None:
        return statistics.median(self.open_ages) if self.open_ages else None


def board_stats(forum: Forum, on: dt.date | None = None) -> BoardStats:
    """The median days from raised to resolved of items resolved on ``forum`` in the last year.

    An item escalated here counts here, from the day it was first raised:
    the time the citizen or the effort waited. Declined items are not
    resolutions and do not count.
    """
    on = on or today()
    since = on - dt.timedelta(days=MEDIAN_WINDOW_DAYS)
    resolved = Item.objects.filter(
        forum=forum, status=Item.Status.RESOLVED, closed_on__gt=since, closed_on__lte=on
    ).values_list("raised_on", "closed_on")
    days = [(closed - raised).days for raised, closed in resolved if closed is not None]
    ages = [
        (on - raised).days
        for raised in open_items(forum.items.all()).values_list("raised_on", flat=True)
    ]
    return BoardStats(
        resolved=len(days),
        median_days=statistics.median(days) if days else None,
        open_count=len(ages),
        open_ages=ages,
    )


@dataclass
class ForumChapter:
    """The part of an item's history that happened in one forum."""

    forum: Forum
    events: list[ItemEvent]


def history_by_forum(item: Item) -> list[ForumChapter]:
    """The item's events in order, grouped forum by forum as it moved.

    An escalation opens the next forum's chapter, even before anything has
    happened there, so the page shows where the item is now.
    """
    chapters: list[ForumChapter] = []
    events = item.events.select_related("forum", "to_forum", "by").order_by("at", "pk")
    for event in events:
        if not chapters or chapters[-1].forum.pk != event.forum_id:
            chapters.append(ForumChapter(forum=event.forum, events=[]))
        chapters[-1].events.append(event)
        if event.kind == ItemEvent.Kind.ESCALATED and event.to_forum is not None:
            chapters.append(ForumChapter(forum=event.to_forum, events=[]))
    return chapters
