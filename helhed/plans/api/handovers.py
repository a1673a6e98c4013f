"""API: handovers between units. Same rules as the web pages (helhed.policy).

Only handovers the policy lets the user see exist here (404 otherwise), and
every one handed out is logged as read; a list page logs the citizens on it.
Rule breaches from the actions answer 422, acting without the role 403. The
leaders' ``/overdue`` list names no citizen.

No ``from __future__ import annotations``: ninja reads the annotations at runtime.
"""

import datetime as dt
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from helhed import policy
from helhed.lib.middleware import NO_NUL_PATTERN
from helhed.lib.openapi import inline_choices
from helhed.lib.pagination import AuditedPages, BoundedPages
from helhed.lib.validity import today
from helhed.organisation.models import Staff
from helhed.plans.actions import handovers as actions
from helhed.plans.models import Handover, HandoverItem, Plan

router = Router(tags=["plans: handovers"])


class HandoverItemOut(Schema):
    id: int
    text: str
    done_on: dt.date | None
    done_by: str | None

    @staticmethod
    def resolve_done_by(obj: HandoverItem) -> str | None:
        return obj.done_by.full_name if obj.done_by else None


class HandoverOut(Schema):
    id: int
    kind: str
    status: str
    citizen_id: int
    citizen_name: str
    plan_id: int | None
    from_unit_id: int
    from_unit: str
    to_unit_id: int
    to_unit: str
    responsible_unit_id: int
    deadline: dt.date
    overdue: bool
    days_overdue: int
    note: str
    created_by: str
    created_on: dt.date
    decided_by: str | None
    decided_on: dt.date | None
    return_reason: str
    items: list[HandoverItemOut]

    @staticmethod
    def resolve_citizen_name(obj: Handover) -> str:
        return obj.citizen.full_name

    @staticmethod
    def resolve_from_unit(obj: Handover) -> str:
        return obj.from_unit.name

    @staticmethod
    def resolve_to_unit(obj: Handover) -> str:
        return obj.to_unit.name

    @staticmethod
    def resolve_responsible_unit_id(obj: Handover) -> int:
        return obj.responsible_unit.pk

    @staticmethod
    def resolve_overdue(obj: Handover) -> bool:
        return obj.is_overdue()

    @staticmethod
    def resolve_days_overdue(obj: Handover) -> int:
        return actions.days_overdue(obj)

    @staticmethod
    def resolve_created_by(obj: Handover) -> str:
        return obj.created_by.full_name

    @staticmethod
    def resolve_decided_by(obj: Handover) -> str | None:
        return obj.decided_by.full_name if obj.decided_by else None

    @staticmethod
    def resolve_items(obj: Handover) -> list[HandoverItem]:
        return list(obj.items.all())


class OverdueOut(Schema):
    """A row of the leaders' list: no citizen, no note."""

    id: int
    kind: str
    from_unit_id: int
    from_unit: str
    to_unit_id: int
    to_unit: str
    deadline: dt.date
    days_overdue: int

    @staticmethod
    def resolve_from_unit(obj: Handover) -> str:
        return obj.from_unit.name

    @staticmethod
    def resolve_to_unit(obj: Handover) -> str:
        return obj.to_unit.name

    @staticmethod
    def resolve_days_overdue(obj: Handover) -> int:
        return actions.days_overdue(obj)


class HandoverIn(Schema):
    citizen_id: int
    kind: Annotated[Handover.Kind, inline_choices(Handover.Kind)]
    from_unit_id: int
    to_unit_id: int
    deadline: dt.date
    note: str = Field("", max_length=actions.MAX_NOTE, pattern=NO_NUL_PATTERN)
    items: list[str] = Field(
        default_factory=list,
        max_length=actions.MAX_ITEMS,
        description="Checklist points; left empty, the kind's standard checklist is used.",
    )
    plan_id: int | None = Field(
        None,
        description="The citizen's shared plan; left out, the active plan you can see is used.",
    )


class HandoverItemIn(Schema):
    text: str = Field(..., min_length=1, max_length=actions.MAX_ITEM_LENGTH, pattern=NO_NUL_PATTERN)


class TickIn(Schema):
    done: bool = True


class HandoverReturnIn(Schema):
    reason: str = Field(..., min_length=1, max_length=actions.MAX_NOTE, pattern=NO_NUL_PATTERN)


def _staff(request: HttpRequest) -> Staff:
    staff = policy.staff_for(request.user)
    if staff is None:
        raise PermissionDenied("Only staff work with handovers.")
    return staff


def _related(rows: QuerySet[Handover]) -> QuerySet[Handover]:
    return rows.select_related(
        "citizen", "from_unit", "to_unit", "created_by", "decided_by"
    ).prefetch_related("items__done_by")


def _one(request: HttpRequest, handover_id: int) -> Handover:
    """The handover (its read logged), or 404 when the user may not see it."""
    policy.get_handover_for_user(request.user, handover_id)
    found = _related(policy.visible_handovers(request.user).filter(pk=handover_id)).first()
    if found is None:  # pragma: no cover - the policy call above answered 404
        raise HttpError(404, "No such handover")
    return found


@router.get("", response=list[HandoverOut])
@paginate(
    AuditedPages,
    page_size=50,
    what="api:handovers",
    citizens=lambda rows: [h.citizen_id for h in rows],
    search="q",
)
def list_handovers(
    request: HttpRequest,
    box: Literal["all", "sent", "incoming", "overdue"] = "all",
    kind: Annotated[Handover.Kind, inline_choices(Handover.Kind)] | None = None,
    status: Annotated[Handover.Status, inline_choices(Handover.Status)] | None = None,
    q: str = "",
) -> QuerySet[Handover]:
    """Handovers from (``sent``) and to (``incoming``) your units; pending first, by deadline."""
    staff = _staff(request)
    units = policy.staff_units(request.user)
    visible = policy.visible_handovers(request.user)
    sent = Q(created_by=staff) | Q(from_unit__in=units)
    incoming = Q(to_unit__in=units)
    rows = visible.filter(
        sent if box == "sent" else incoming if box == "incoming" else sent | incoming
    )
    if box == "overdue":
        rows = rows.filter(status=Handover.Status.PENDING, deadline__lt=today())
    if kind is not None:
        rows = rows.filter(kind=kind)
    if status is not None:
        rows = rows.filter(status=status)
    rows = actions.search_handovers(rows, q[:100])
    return _related(rows).order_by("deadline", "-pk")


@router.get("/overdue", response=list[OverdueOut])
@paginate(BoundedPages, page_size=50)
def list_overdue(request: HttpRequest) -> QuerySet[Handover]:
    """Leaders: overdue handovers whose responsible unit you lead, without the citizen."""
    _staff(request)
    if not policy.is_leader(request.user):
        raise PermissionDenied("The list of overdue handovers is for leaders.")
    return (
        policy.led_overdue_handovers(request.user)
        .select_related("from_unit", "to_unit")
        .order_by("deadline", "pk")
    )


@router.get("/{handover_id}", response=HandoverOut)
def get_handover(request: HttpRequest, handover_id: int) -> Handover:
    return _one(request, handover_id)


@router.post("", response={201: HandoverOut})
def start_handover(request: HttpRequest, payload: HandoverIn) -> tuple[int, Handover]:
    """Hand a citizen you work with over from one of your units to another unit."""
    staff = _staff(request)
    citizen = policy.get_citizen_for_user(request.user, payload.citizen_id)
    units = policy.visible_units(request.user)
    from_unit = units.filter(pk=payload.from_unit_id).first()
    if from_unit is None:
        raise HttpError(422, f"Unknown unit {payload.from_unit_id}")
    to_unit = units.filter(pk=payload.to_unit_id).first()
    if to_unit is None:
        raise HttpError(422, f"Unknown unit {payload.to_unit_id}")
    plans = policy.visible_plans(request.user).filter(members__citizen=citizen)
    plan: Plan | None
    if payload.plan_id is not None:
        plan = plans.filter(pk=payload.plan_id).first()
        if plan is None:
            raise HttpError(422, f"No plan {payload.plan_id} of this citizen that you can see")
    else:
        plan = plans.filter(status=Plan.Status.ACTIVE).first()
    handover = actions.do_start_handover(
        actor=staff,
        citizen=citizen,
        kind=payload.kind,
        from_unit=from_unit,
        to_unit=to_unit,
        deadline=payload.deadline,
        note=payload.note,
        items=payload.items,
        plan=plan,
    )
    return 201, _one(request, handover.pk)


@router.post("/{handover_id}/items", response={201: HandoverOut})
def add_item(
    request: HttpRequest, handover_id: int, payload: HandoverItemIn
) -> tuple[int, Handover]:
    handover = _one(request, handover_id)
    actions.do_add_handover_item(actor=_staff(request), handover=handover, text=payload.text)
    return 201, _one(request, handover_id)


@router.post("/{handover_id}/items/{item_id}/tick", response=HandoverOut)
def tick_item(request: HttpRequest, handover_id: int, item_id: int, payload: TickIn) -> Handover:
    """Tick a checklist point (``done: false`` takes the tick back)."""
    handover = _one(request, handover_id)
    item = handover.items.filter(pk=item_id).first()
    if item is None:
        raise HttpError(404, "No such checklist point")
    actions.do_tick_handover_item(actor=_staff(request), item=item, done=payload.done)
    return _one(request, handover_id)


@router.post("/{handover_id}/accept", response=HandoverOut)
def accept_handover(request: HttpRequest, handover_id: int) -> Handover:
    """Accept: the responsibility moves to your unit, which then sees the citizen."""
    handover = _one(request, handover_id)
    actions.do_accept_handover(actor=_staff(request), handover=handover)
    return _one(request, handover_id)


@router.post("/{handover_id}/return", response=HandoverOut)
def return_handover(request: HttpRequest, handover_id: int, payload: HandoverReturnIn) -> Handover:
    handover = _one(request, handover_id)
    actions.do_return_handover(actor=_staff(request), handover=handover, reason=payload.reason)
    return _one(request, handover_id)
