"""API for reflection meetings, with the same rules as the web pages.

Listed and read by the leader team (participants, the one who led it, the
follow-up owner, the unit's leaders; 404 for others); recorded by the unit's
leaders (403 for those who only see the unit's results). A meeting's ``data``
are the unit's own statuses for the indicators looked at: never anything per
employee.

No ``from __future__ import annotations``: ninja reads the annotations at runtime.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from helhed import policy
from helhed.lib.middleware import NO_NUL_PATTERN
from helhed.lib.pagination import BoundedPages
from helhed.organisation.models import Staff
from helhed.results.actions import reflections as actions
from helhed.results.models import Indicator, Reflection

router = Router(tags=["results: reflection meetings"])

MAX_ID = 2**63 - 1


class ReflectionOut(Schema):
    id: int
    unit_id: int
    unit: str
    held_on: dt.date
    led_by_id: int
    led_by: str
    follow_up_owner_id: int | None
    follow_up_on: dt.date | None
    followed_up_on: dt.date | None

    @staticmethod
    def resolve_unit(reflection: Reflection) -> str:
        return reflection.unit.name

    @staticmethod
    def resolve_led_by(reflection: Reflection) -> str:
        return reflection.led_by.full_name


class ReflectionStatusOut(Schema):
    indicator_id: int
    indicator: str
    period: str | None = Field(None, description="The period of the value shown.")
    value: str | None = Field(None, description="Null when missing or hidden (fewer than 5).")
    suppressed: bool
    target: str | None
    rag: str
    trend: str


class ReflectionDetailOut(Schema):
    id: int
    unit_id: int
    unit: str
    held_on: dt.date
    led_by_id: int
    led_by: str
    follow_up_owner_id: int | None
    follow_up_on: dt.date | None
    followed_up_on: dt.date | None
    participant_ids: list[int]
    indicator_ids: list[int]
    what_we_see: str
    what_we_adjust: str
    data: list[ReflectionStatusOut] = Field(
        ..., description="The unit's own statuses; never broken down by employee."
    )


class ReflectionIn(Schema):
    unit_id: int = Field(..., ge=1, le=MAX_ID)
    held_on: dt.date = Field(..., description="Today or earlier.")
    what_we_see: str = Field(..., min_length=1, max_length=actions.MAX_TEXT, pattern=NO_NUL_PATTERN)
    what_we_adjust: str = Field("", max_length=actions.MAX_TEXT, pattern=NO_NUL_PATTERN)
    participant_ids: list[int] = Field(default_factory=list, max_length=100)
    indicator_ids: list[int] = Field(default_factory=list, max_length=100)
    follow_up_owner_id: int | None = Field(None, ge=1, le=MAX_ID)
    follow_up_on: dt.date | None = None


def _staff(request: HttpRequest) -> Staff:
    staff = policy.staff_for(request.user)
    if staff is None:
        raise HttpError(404, "No staff record")
    return staff


def _detail(reflection: Reflection) -> dict[str, Any]:
    data = [
        {
            "indicator_id": s.indicator.pk,
            "indicator": s.indicator.name,
            "period": s.value_period.code if s.value_period else None,
            "value": None if s.suppressed or s.value is None else f"{s.value:.3f}",
            "suppressed": s.suppressed,
            "target": f"{s.target_value:.3f}" if s.target_value is not None else None,
            "rag": s.rag.value,
            "trend": s.trend.value,
        }
        for s in actions.reflection_statuses(reflection)
    ]
    return {
        "id": reflection.pk,
        "unit_id": reflection.unit_id,
        "unit": reflection.unit.name,
        "held_on": reflection.held_on,
        "led_by_id": reflection.led_by_id,
        "led_by": reflection.led_by.full_name,
        "follow_up_owner_id": reflection.follow_up_owner_id,
        "follow_up_on": reflection.follow_up_on,
        "followed_up_on": reflection.followed_up_on,
        "participant_ids": sorted(reflection.participants.values_list("pk", flat=True)),
        "indicator_ids": sorted(reflection.indicators.values_list("pk", flat=True)),
        "what_we_see": reflection.what_we_see,
        "what_we_adjust": reflection.what_we_adjust,
        "data": data,
    }


def _ids(ids: list[int], name: str) -> list[int]:
    if any(not 1 <= pk <= MAX_ID for pk in ids):
        raise ValidationError({name: "An id is out of range."})
    return list(dict.fromkeys(ids))


@router.get("", response=list[ReflectionOut])
@paginate(BoundedPages, page_size=50)
def list_reflections(request: HttpRequest, q: str = "") -> QuerySet[Reflection]:
    """The meetings of the caller's leader teams, the latest first."""
    reflections = policy.visible_reflections(request.user)
    for word in q[:100].split():
        reflections = reflections.filter(
            Q(unit__name__icontains=word) | Q(what_we_see__icontains=word)
        )
    return (
        Reflection.objects.filter(pk__in=reflections.values("pk"))
        .select_related("unit", "led_by")
        .order_by("-held_on", "-pk")
    )


@router.post("", response={201: ReflectionDetailOut})
def record_reflection(request: HttpRequest, payload: ReflectionIn) -> tuple[int, dict[str, Any]]:
    """Record a reflection meeting of a unit's leader team, led by the caller."""
    staff = _staff(request)
    unit = policy.get_unit_for_results(request.user, payload.unit_id)
    if not policy.can_record_reflection(request.user, unit):
        raise PermissionDenied("Only the unit's leaders record its reflection meetings.")
    participant_ids = _ids(payload.participant_ids, "participants")
    participants = list(
        Staff.objects.filter(pk__in=participant_ids, municipality_id=unit.municipality_id)
    )
    if len(participants) != len(participant_ids):
        raise ValidationError({"participants": "No such staff member in the municipality."})
    indicator_ids = _ids(payload.indicator_ids, "indicators")
    indicators = list(
        Indicator.objects.filter(pk__in=indicator_ids, municipality_id=unit.municipality_id)
    )
    if len(indicators) != len(indicator_ids):
        raise ValidationError({"indicators": "No such indicator in the municipality."})
    owner = None
    if payload.follow_up_owner_id is not None:
        owner = Staff.objects.filter(
            pk=payload.follow_up_owner_id, municipality_id=unit.municipality_id
        ).first()
        if owner is None:
            raise ValidationError({"follow_up_owner": "No such staff member in the municipality."})
    reflection = actions.do_record_reflection(
        actor=staff,
        unit=unit,
        held_on=payload.held_on,
        what_we_see=payload.what_we_see,
        what_we_adjust=payload.what_we_adjust,
        participants=participants,
        indicators=indicators,
        follow_up_owner=owner,
        follow_up_on=payload.follow_up_on,
    )
    return 201, _detail(reflection)


@router.get("/{reflection_id}", response=ReflectionDetailOut)
def get_reflection(request: HttpRequest, reflection_id: int) -> dict[str, Any]:
    """One meeting, with the unit's own numbers for the indicators looked at."""
    return _detail(policy.get_reflection_for_user(request.user, reflection_id))


@router.post("/{reflection_id}/followed-up", response=ReflectionDetailOut)
def mark_followed_up(request: HttpRequest, reflection_id: int) -> dict[str, Any]:
    """Record that the follow-up is done, today."""
    reflection = policy.get_reflection_for_user(request.user, reflection_id)
    if not policy.can_edit_reflection(request.user, reflection):
        raise PermissionDenied(
            "Only the meeting's leader, the follow-up owner and the unit's leaders can do this."
        )
    actions.do_mark_followed_up(actor=_staff(request), reflection=reflection)
    return _detail(reflection)
