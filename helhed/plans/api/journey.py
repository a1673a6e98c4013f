"""API: the citizen's journey. Same rules as the web pages (helhed.policy).

* ``GET /api/journeys/{citizen_id}``: the timeline as the caller may see it:
  staff who may see the citizen, or a family login about itself or a child
  in its care (404 for anyone else); a read of the citizen, audited. Filter
  by ``sector`` (code), ``since``, ``until``; ``order`` newest or oldest.
* ``POST /api/journeys/{citizen_id}/marks``: mark an event green or red with
  a short why; it replaces the caller's own mark (201). An event the caller
  does not see is 404; a caller who may read but not mark, 403; bad input 422.
* ``DELETE /api/journeys/{citizen_id}/marks?event_type=..&event_id=..``:
  take back one's own mark (204; 404 when there is none).

No ``from __future__ import annotations``: ninja reads the annotations at runtime.
"""

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from helhed import policy
from helhed.citizens.models import Citizen
from helhed.lib.middleware import NO_NUL_PATTERN
from helhed.lib.pagination import BoundedPages
from helhed.organisation.models import Sector
from helhed.plans.actions import journey as actions
from helhed.plans.models import JourneyMark

router = Router(tags=["plans: journey"])

MAX_ID = 2**63 - 1


class MarkOut(Schema):
    mark: str
    note: str
    by: str = Field(..., description="The colleague's name for staff; 'a professional' else.")
    own: bool
    marked_at: dt.datetime


class EventOut(Schema):
    type: str
    id: int
    on: dt.date
    kind: str
    title: str
    detail: str
    where: str
    sectors: list[str] = Field(..., description="Sector codes.")
    url: str | None = Field(None, description="Where the caller may open the event.")
    upcoming: bool
    green: int
    red: int
    marks: list[MarkOut]


class JourneyFilters(Schema):
    sector: str = Field("", max_length=40, pattern=NO_NUL_PATTERN)
    since: dt.date | None = None
    until: dt.date | None = None
    order: Literal["newest", "oldest"] = "newest"


class EventRef(Schema):
    event_type: str = Field(..., min_length=1, max_length=40, pattern=NO_NUL_PATTERN)
    event_id: int = Field(..., ge=1, le=MAX_ID)


class MarkIn(EventRef):
    mark: JourneyMark.Mark
    note: str = Field(..., max_length=actions.NOTE_MAX, pattern=NO_NUL_PATTERN)


def _citizen(request: HttpRequest, citizen_id: int) -> Citizen:
    if not 1 <= citizen_id <= MAX_ID:
        raise HttpError(404, "No such citizen")
    if policy.staff_for(request.user) is not None:
        return policy.get_journey_citizen_for_staff(request.user, citizen_id)
    return policy.get_journey_citizen_for_family(request.user, citizen_id)


def _out(event: actions.Event) -> dict[str, Any]:
    return {
        "type": event.kind,
        "id": event.id,
        "on": event.on,
        "kind": event.kind_label,
        "title": event.title,
        "detail": event.detail,
        "where": event.where,
        "sectors": [s.code for s in event.sectors],
        "url": event.url,
        "upcoming": event.upcoming,
        "green": event.green,
        "red": event.red,
        "marks": [
            {"mark": m.mark, "note": m.note, "by": m.by, "own": m.own, "marked_at": m.marked_at}
            for m in event.marks
        ],
    }


def _event(request: HttpRequest, citizen: Citizen, kind: str, event_id: int) -> actions.Event:
    if not policy.can_mark_journey(request.user, citizen):
        raise PermissionDenied("You may read this journey but not mark it.")
    return actions.find_event(policy.journey_scope(request.user, citizen), kind, event_id)


@router.get("/{citizen_id}", response=list[EventOut])
@paginate(BoundedPages, page_size=50)
def get_journey(
    request: HttpRequest, citizen_id: int, filters: Query[JourneyFilters]
) -> list[dict[str, Any]]:
    """The citizen's journey as the caller may see it, with the marks on each event."""
    citizen = _citizen(request, citizen_id)
    sector = None
    if filters.sector:
        sector = Sector.objects.filter(code=filters.sector).first()
        if sector is None:
            raise ValidationError({"sector": "No such sector."})
    if filters.since and filters.until and filters.since > filters.until:
        raise ValidationError({"until": "The period ends before it starts."})
    events = actions.journey(
        citizen,
        request.user,
        sector=sector,
        since=filters.since,
        until=filters.until,
        newest_first=filters.order == "newest",
    )
    return [_out(e) for e in events]


@router.post("/{citizen_id}/marks", response={201: EventOut})
def mark_event(
    request: HttpRequest, citizen_id: int, payload: MarkIn
) -> tuple[int, dict[str, Any]]:
    """Mark an event green or red with a short why (replaces your own mark)."""
    citizen = _citizen(request, citizen_id)
    event = _event(request, citizen, payload.event_type, payload.event_id)
    actions.do_mark_event(
        user=request.user, citizen=citizen, event=event, mark=payload.mark, note=payload.note
    )
    return 201, _out(actions.attach_marks(citizen, [event], request.user)[0])


@router.delete("/{citizen_id}/marks", response={204: None})
def unmark_event(request: HttpRequest, citizen_id: int, ref: Query[EventRef]) -> tuple[int, None]:
    """Take back your own mark on an event."""
    citizen = _citizen(request, citizen_id)
    event = _event(request, citizen, ref.event_type, ref.event_id)
    if not actions.do_remove_mark(user=request.user, citizen=citizen, event=event):
        raise HttpError(404, "You have not marked this event")
    return 204, None
