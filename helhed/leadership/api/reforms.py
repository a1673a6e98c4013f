"""API for reforms and the municipality's local decisions. Same rules as the web pages.

The catalogue is read by every staff member; local decisions are the
municipality's own (404 outside it). Leaders assign a decision (403 for
others); its owner or a leader of its unit or above updates it (403 for
others); a decided decision needs its text (422).

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
from helhed.leadership.actions import reforms as actions
from helhed.leadership.models import LocalDecision, Reform
from helhed.lib.middleware import NO_NUL_PATTERN
from helhed.lib.pagination import BoundedPages
from helhed.lib.validity import today
from helhed.organisation.models import Staff

router = Router(tags=["leadership: reforms"])

MAX_ID = 2**63 - 1


class ElementOut(Schema):
    id: int
    title: str
    description: str
    leaves_to_municipality: bool


class ReformOut(Schema):
    id: int
    code: str
    name: str
    area: str
    in_force_from: dt.date


class LocalDecisionOut(Schema):
    id: int
    reform_id: int
    element_id: int
    title: str
    owner_id: int
    owning_unit_id: int
    due_on: dt.date | None
    status: str
    decision: str
    decided_on: dt.date | None
    overdue: bool

    @staticmethod
    def resolve_reform_id(decision: LocalDecision) -> int:
        return decision.element.reform_id

    @staticmethod
    def resolve_overdue(decision: LocalDecision) -> bool:
        return decision.is_overdue()


class ReformDetailOut(Schema):
    id: int
    code: str
    name: str
    area: str
    in_force_from: dt.date
    summary: str
    elements: list[ElementOut]
    local_decisions: list[LocalDecisionOut] = Field(
        ..., description="The caller's municipality's decisions on the reform's elements."
    )
    decision_counts: dict[str, int]


class LocalDecisionIn(Schema):
    element_id: int = Field(..., ge=1, le=MAX_ID)
    title: str = Field(..., min_length=1, max_length=200, pattern=NO_NUL_PATTERN)
    owner_id: int = Field(..., ge=1, le=MAX_ID)
    owning_unit_id: int = Field(..., ge=1, le=MAX_ID)
    due_on: dt.date | None = None


class LocalDecisionPatch(Schema):
    status: LocalDecision.Status | None = None
    decision: str | None = Field(None, max_length=actions.MAX_TEXT, pattern=NO_NUL_PATTERN)
    decided_on: dt.date | None = None
    due_on: dt.date | None = None


def _staff(request: HttpRequest) -> Staff:
    staff = policy.staff_for(request.user)
    if staff is None or not policy.has_staff_role(request.user):
        raise HttpError(404, "No staff role")
    return staff


@router.get("", response=list[ReformOut])
@paginate(BoundedPages, page_size=50)
def list_reforms(request: HttpRequest, q: str = "", area: str = "") -> QuerySet[Reform]:
    """The national reforms, by welfare area."""
    reforms = policy.visible_reforms(request.user)
    for word in q[:100].split():
        reforms = reforms.filter(Q(name__icontains=word) | Q(summary__icontains=word))
    if area:
        reforms = reforms.filter(area=area)
    return reforms.order_by("area", "in_force_from", "name")


@router.get("/decisions", response=list[LocalDecisionOut])
@paginate(BoundedPages, page_size=50)
def list_local_decisions(
    request: HttpRequest, status: str = "", mine: bool = False, overdue: bool = False
) -> QuerySet[LocalDecision]:
    """The municipality's local decisions; ``mine`` for the caller's own."""
    decisions = policy.visible_local_decisions(request.user)
    if status:
        decisions = decisions.filter(status=status)
    if mine:
        decisions = decisions.filter(owner=policy.staff_for(request.user))
    if overdue:
        decisions = decisions.filter(
            status__in=[LocalDecision.Status.OPEN, LocalDecision.Status.PREPARING],
            due_on__lt=today(),
        )
    return decisions.select_related("element").order_by("due_on", "pk")


@router.post("/decisions", response={201: LocalDecisionOut})
def create_local_decision(
    request: HttpRequest, payload: LocalDecisionIn
) -> tuple[int, LocalDecision]:
    """Assign a decision an element leaves to the municipality (leaders)."""
    staff = _staff(request)
    element = policy.get_reform_element_for_user(request.user, payload.element_id)
    if not policy.can_assign_local_decision(request.user):
        raise PermissionDenied("Only leaders assign the decisions a reform leaves.")
    owner = policy.visible_staff(request.user).filter(pk=payload.owner_id).first()
    if owner is None:
        raise ValidationError({"owner": "No such staff member in the municipality."})
    unit = policy.visible_units(request.user).filter(pk=payload.owning_unit_id).first()
    if unit is None:
        raise ValidationError({"owning_unit": "No such unit in the municipality."})
    decision = actions.do_create_local_decision(
        actor=staff,
        element=element,
        title=payload.title,
        owner=owner,
        owning_unit=unit,
        due_on=payload.due_on,
    )
    return 201, decision


@router.get("/decisions/{decision_id}", response=LocalDecisionOut)
def get_local_decision(request: HttpRequest, decision_id: int) -> LocalDecision:
    return policy.get_local_decision_for_user(request.user, decision_id)


@router.patch("/decisions/{decision_id}", response=LocalDecisionOut)
def update_local_decision(
    request: HttpRequest, decision_id: int, payload: LocalDecisionPatch
) -> LocalDecision:
    """Move a decision on; fields left out keep their value."""
    staff = _staff(request)
    decision = policy.get_local_decision_for_user(request.user, decision_id)
    if not policy.can_update_local_decision(request.user, decision):
        raise PermissionDenied(
            "Only the decision's owner or a leader of its unit or above can change it."
        )
    given = payload.model_dump(exclude_unset=True)
    return actions.do_update_local_decision(
        actor=staff,
        decision=decision,
        status=given.get("status") or decision.status,
        decision_text=given["decision"] if given.get("decision") is not None else decision.decision,
        decided_on=given.get("decided_on", decision.decided_on),
        due_on=given.get("due_on", decision.due_on),
    )


@router.get("/{reform_id}", response=ReformDetailOut)
def get_reform(request: HttpRequest, reform_id: int) -> dict[str, Any]:
    """A reform, its elements, and the caller's municipality's decisions on them."""
    staff = _staff(request)
    reform = policy.get_reform_for_user(request.user, reform_id)
    decisions = list(
        policy.visible_local_decisions(request.user)
        .filter(element__reform=reform)
        .select_related("element")
        .order_by("due_on", "pk")
    )
    counts = actions.decision_counts(staff.municipality_id).get(
        reform.pk, dict.fromkeys(LocalDecision.Status.values, 0)
    )
    return {
        "id": reform.pk,
        "code": reform.code,
        "name": reform.name,
        "area": reform.area,
        "in_force_from": reform.in_force_from,
        "summary": reform.summary,
        "elements": list(reform.elements.order_by("sort_order", "pk")),
        "local_decisions": decisions,
        "decision_counts": counts,
    }
