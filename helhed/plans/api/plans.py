"""API for the shared plan: list, read, start a plan, and add or change goals and efforts.

The same rules as the web: ``policy.get_plan_for_staff`` (404 when the plan is
not visible), ``policy.can_edit_plan`` (403 when it may only be read). Every
write names the ``expected_version`` it was based on; an edit of a version that
is no longer current answers 409 and saves nothing.

No ``from __future__ import annotations``: ninja reads the annotations at runtime.
"""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from helhed import policy
from helhed.lib.middleware import NO_NUL_PATTERN
from helhed.lib.pagination import AuditedPages
from helhed.organisation.models import Sector, Staff
from helhed.plans.actions.plans import (
    KeepMethod,
    StalePlanError,
    do_add_effort,
    do_add_goal,
    do_create_plan,
    do_update_effort,
    do_update_goal,
    participation_unit,
)
from helhed.plans.models import Effort, Goal, Plan

router = Router(tags=["plans"])

T = TypeVar("T")


# --------------------------------------------------------------------------- schemas


class MemberOut(Schema):
    citizen_id: int
    name: str
    role: str
    occupation: str


class ParticipantOut(Schema):
    staff_id: int
    name: str
    unit_id: int
    unit: str
    role: str


class GoalOut(Schema):
    id: int
    text: str
    citizen_id: int | None
    formulated_by: str
    formulated_by_name: str
    target_date: dt.date
    status: str
    status_changed_on: dt.date
    plan_version: int


class EffortOut(Schema):
    id: int
    title: str
    description: str
    citizen_id: int | None
    sector: str
    responsible_unit_id: int
    responsible_unit: str
    legal_basis: str
    legal_reference: str
    starts_on: dt.date
    ends_on: dt.date | None
    monthly_cost: Decimal
    yearly_cost: Decimal
    goal_ids: list[int]
    method_id: int | None = None
    method: str | None = None
    paying_unit_id: int | None = None
    paying_authority: str = ""
    payer_agreed_on: dt.date | None = None
    plan_version: int


class PlanOut(Schema):
    id: int
    title: str
    kind: str
    status: str
    version: int
    started_on: dt.date
    coordinator_id: int
    coordinator: str
    members: list[MemberOut]

    # The list pages Plan objects, the detail answers a dict: read both.
    @staticmethod
    def resolve_coordinator(obj: Any) -> str:
        return obj["coordinator"] if isinstance(obj, dict) else obj.coordinator.full_name

    @staticmethod
    def resolve_members(obj: Any) -> list[dict[str, Any]]:
        return obj["members"] if isinstance(obj, dict) else _members_out(obj)


class PlanDetailOut(PlanOut):
    what_matters: str
    closed_on: dt.date | None
    close_reason: str
    goals: list[GoalOut]
    efforts: list[EffortOut]
    participants: list[ParticipantOut]


class PlanIn(Schema):
    citizen_id: int
    kind: str = Field(Plan.Kind.CITIZEN, description="'citizen' or 'family'.")
    adult_ids: list[int] = Field(default_factory=list, description="Adults on a family plan.")
    title: str = Field(..., min_length=1, max_length=200, pattern=NO_NUL_PATTERN)
    what_matters: str = Field("", max_length=5000, pattern=NO_NUL_PATTERN)
    coordinator_id: int | None = Field(None, description="Staff id; the caller by default.")


class GoalIn(Schema):
    expected_version: int = Field(..., ge=1)
    text: str = Field(..., min_length=1, max_length=5000, pattern=NO_NUL_PATTERN)
    formulated_by: str
    formulated_by_name: str = Field(..., min_length=1, max_length=100, pattern=NO_NUL_PATTERN)
    target_date: dt.date
    citizen_id: int | None = Field(None, description="Empty for a goal of the whole family.")


class GoalPatch(Schema):
    expected_version: int = Field(..., ge=1)
    text: str | None = Field(None, min_length=1, max_length=5000, pattern=NO_NUL_PATTERN)
    formulated_by: str | None = None
    formulated_by_name: str | None = Field(
        None, min_length=1, max_length=100, pattern=NO_NUL_PATTERN
    )
    target_date: dt.date | None = None
    status: str | None = None
    citizen_id: int | None = None


class EffortIn(Schema):
    expected_version: int = Field(..., ge=1)
    title: str = Field(..., min_length=1, max_length=200, pattern=NO_NUL_PATTERN)
    description: str = Field("", max_length=5000, pattern=NO_NUL_PATTERN)
    responsible_unit_id: int
    sector: str | None = Field(None, description="Sector code; the unit's sector by default.")
    legal_basis: str
    legal_reference: str = Field("", max_length=60, pattern=NO_NUL_PATTERN)
    starts_on: dt.date
    ends_on: dt.date | None = None
    monthly_cost: Decimal = Field(Decimal(0), max_digits=10, decimal_places=2)
    citizen_id: int | None = None
    goal_ids: list[int] = Field(default_factory=list)
    method_id: int | None = Field(None, description="A method of the municipality's library.")
    paying_unit_id: int | None = Field(None, description="The budget (a unit) that pays.")
    paying_authority: str = Field(
        "", max_length=150, pattern=NO_NUL_PATTERN, description="Another authority that pays."
    )


class EffortPatch(Schema):
    expected_version: int = Field(..., ge=1)
    title: str | None = Field(None, min_length=1, max_length=200, pattern=NO_NUL_PATTERN)
    description: str | None = Field(None, max_length=5000, pattern=NO_NUL_PATTERN)
    responsible_unit_id: int | None = None
    sector: str | None = None
    legal_basis: str | None = None
    legal_reference: str | None = Field(None, max_length=60, pattern=NO_NUL_PATTERN)
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    monthly_cost: Decimal | None = Field(None, max_digits=10, decimal_places=2)
    citizen_id: int | None = None
    goal_ids: list[int] | None = None
    method_id: int | None = Field(None, description="A method of the library; null removes it.")
    paying_unit_id: int | None = Field(
        None, description="The paying budget; null with an empty authority removes the payer."
    )
    paying_authority: str | None = Field(None, max_length=150, pattern=NO_NUL_PATTERN)


# --------------------------------------------------------------------------- helpers


def _staff(request: HttpRequest) -> Staff:
    staff = policy.staff_for(request.user)
    if staff is None:
        raise HttpError(404, "Not found")
    return staff


def _plan_to_edit(request: HttpRequest, plan_id: int) -> tuple[Plan, Staff]:
    plan = policy.get_plan_for_staff(request.user, plan_id)
    if not policy.can_edit_plan(request.user, plan):
        raise PermissionDenied("Only the plan's coordinator and participants can change it.")
    return plan, _staff(request)


def _versioned(change: Callable[[], T]) -> T:
    """Run a versioned change; a stale version becomes 409 with the message for the user."""
    try:
        return change()
    except StalePlanError as exc:
        raise HttpError(409, exc.messages[0]) from exc


def _goal_out(goal: Goal) -> dict[str, Any]:
    return {
        "id": goal.pk,
        "text": goal.text,
        "citizen_id": goal.citizen_id,
        "formulated_by": goal.formulated_by,
        "formulated_by_name": goal.formulated_by_name,
        "target_date": goal.target_date,
        "status": goal.status,
        "status_changed_on": goal.status_changed_on,
        "plan_version": goal.plan.version,
    }


def _effort_out(effort: Effort) -> dict[str, Any]:
    return {
        "id": effort.pk,
        "title": effort.title,
        "description": effort.description,
        "citizen_id": effort.citizen_id,
        "sector": effort.sector.code,
        "responsible_unit_id": effort.responsible_unit_id,
        "responsible_unit": effort.responsible_unit.name,
        "legal_basis": effort.legal_basis,
        "legal_reference": effort.legal_reference,
        "starts_on": effort.starts_on,
        "ends_on": effort.ends_on,
        "monthly_cost": effort.monthly_cost,
        "yearly_cost": effort.yearly_cost,
        "goal_ids": sorted(g.pk for g in effort.goals.all()),
        "method_id": effort.method_id,
        "method": effort.method.name if effort.method else None,
        "paying_unit_id": effort.paying_unit_id,
        "paying_authority": effort.paying_authority,
        "payer_agreed_on": effort.payer_agreed_on,
        "plan_version": effort.plan.version,
    }


def _plan_out(plan: Plan) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "title": plan.title,
        "kind": plan.kind,
        "status": plan.status,
        "version": plan.version,
        "started_on": plan.started_on,
        "coordinator_id": plan.coordinator_id,
        "coordinator": plan.coordinator.full_name,
        "members": _members_out(plan),
    }


def _members_out(plan: Plan) -> list[dict[str, Any]]:
    return [
        {
            "citizen_id": m.citizen_id,
            "name": m.citizen.full_name,
            "role": m.role,
            "occupation": m.occupation,
        }
        for m in plan.members.all()
    ]


def _plan_detail_out(plan: Plan) -> dict[str, Any]:
    plan = (
        Plan.objects.select_related("coordinator")
        .prefetch_related("members__citizen")
        .get(pk=plan.pk)
    )
    data = _plan_out(plan)
    data["what_matters"] = plan.what_matters
    data["closed_on"] = plan.closed_on
    data["close_reason"] = plan.close_reason
    goals = list(plan.goals.order_by("target_date", "pk"))
    for goal in goals:
        goal.plan = plan
    data["goals"] = [_goal_out(g) for g in goals]
    efforts = list(
        plan.efforts.select_related("sector", "responsible_unit")
        .prefetch_related("goals")
        .order_by("starts_on", "pk")
    )
    for effort in efforts:
        effort.plan = plan
    data["efforts"] = [_effort_out(e) for e in efforts]
    data["participants"] = [
        {
            "staff_id": p.staff_id,
            "name": p.staff.full_name,
            "unit_id": p.unit_id,
            "unit": p.unit.name,
            "role": p.role,
        }
        for p in plan.participants.select_related("staff", "unit").order_by("pk")
    ]
    return data


def _member(plan: Plan, citizen_id: int | None, field: str = "citizen_id") -> Any:
    if citizen_id is None:
        return None
    citizen = plan.citizens().filter(pk=citizen_id).first()
    if citizen is None:
        raise ValidationError(
            {field: f"Citizen {citizen_id} is not a member of this plan."}, code="not_member"
        )
    return citizen


def _effort_arguments(
    request: HttpRequest, plan: Plan, data: dict[str, Any], effort: Effort | None = None
) -> dict[str, Any]:
    """The action's arguments from a full (add) or partial (change) payload."""

    def pick(name: str, current: Any) -> Any:
        """A value sent (not null) replaces the current one; a field not sent keeps it."""
        return data[name] if data.get(name) is not None else current

    unit = effort.responsible_unit if effort else None
    if "responsible_unit_id" in data:
        unit = (
            policy.visible_units(request.user)
            .filter(pk=data["responsible_unit_id"], municipality_id=plan.municipality_id)
            .first()
        )
        if unit is None:
            raise ValidationError(
                {"responsible_unit_id": "Unknown unit in the plan's municipality."},
                code="unknown_unit",
            )
    sector = effort.sector if effort else None
    if data.get("sector"):
        sector = Sector.objects.filter(code=data["sector"]).first()
        if sector is None:
            raise ValidationError({"sector": "Unknown sector code."}, code="unknown_sector")
    elif "sector" in data:
        sector = None
    goals = list(effort.goals.all()) if effort else []
    if data.get("goal_ids") is not None:
        goals = list(plan.goals.filter(pk__in=data["goal_ids"]))
        if len(goals) != len(set(data["goal_ids"])):
            raise ValidationError({"goal_ids": "Choose goals of this plan."}, code="other_plan")
    citizen = effort.citizen if effort else None
    if "citizen_id" in data:
        citizen = _member(plan, data["citizen_id"])
    # Not sent: a new effort has no method, a changed one keeps its own; null removes it.
    method: Any = None if effort is None else KeepMethod.KEEP
    if data.get("method_id") is not None:
        method = (
            policy.visible_methods(request.user)
            .filter(pk=data["method_id"], municipality_id=plan.municipality_id)
            .first()
        )
        if method is None:
            raise ValidationError(
                {"method_id": "Choose a method of the municipality's library."},
                code="unknown_method",
            )
    elif "method_id" in data:
        method = None
    # The payer, like the method: not sent keeps it (a change), sent replaces both fields.
    payer: dict[str, Any] = {}
    if effort is None or "paying_unit_id" in data or "paying_authority" in data:
        paying_unit = None
        if data.get("paying_unit_id") is not None:
            paying_unit = (
                policy.visible_units(request.user)
                .filter(pk=data["paying_unit_id"], municipality_id=plan.municipality_id)
                .first()
            )
            if paying_unit is None:
                raise ValidationError(
                    {"paying_unit_id": "Unknown unit in the plan's municipality."},
                    code="unknown_unit",
                )
        payer = {
            "paying_unit": paying_unit,
            "paying_authority": data.get("paying_authority") or "",
        }
    return {
        **payer,
        "expected_version": data["expected_version"],
        "title": pick("title", effort.title if effort else ""),
        "description": pick("description", effort.description if effort else ""),
        "responsible_unit": unit,
        "sector": sector,
        "legal_basis": pick("legal_basis", effort.legal_basis if effort else ""),
        "legal_reference": pick("legal_reference", effort.legal_reference if effort else ""),
        "starts_on": pick("starts_on", effort.starts_on if effort else None),
        "ends_on": data.get("ends_on", effort.ends_on if effort else None),
        "monthly_cost": pick("monthly_cost", effort.monthly_cost if effort else Decimal(0)),
        "citizen": citizen,
        "goals": goals,
        "method": method,
    }


# --------------------------------------------------------------------------- endpoints


def _members_of(plans: list[Plan]) -> list[int]:
    """The citizens named in a page of plans (their members, already prefetched)."""
    return [m.citizen_id for plan in plans for m in plan.members.all()]


@router.get("", response=list[PlanOut])
@paginate(AuditedPages, page_size=50, what="api:plans", citizens=_members_of, search="q")
def list_plans(request: HttpRequest, q: str = "", status: str = "") -> QuerySet[Plan]:
    """Plans the user may open; search by title or a citizen's name, filter by status."""
    _staff(request)
    plans = policy.visible_plans(request.user)
    if status:
        plans = plans.filter(status=status)
    q = q[:100]
    condition = Q()
    for word in q.split():
        condition &= (
            Q(title__icontains=word)
            | Q(members__citizen__first_name__icontains=word)
            | Q(members__citizen__last_name__icontains=word)
        )
    if q.strip():
        plans = plans.filter(pk__in=Plan.objects.filter(condition).values("pk"))
    return (
        Plan.objects.filter(pk__in=plans.values("pk"))
        .select_related("coordinator")
        .prefetch_related("members__citizen")
        .order_by("-started_on", "-pk")
    )


@router.get("/{plan_id}", response=PlanDetailOut)
def get_plan(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    """A plan with its members, goals, efforts, participants and current version."""
    plan = policy.get_plan_for_staff(request.user, plan_id)
    return _plan_detail_out(plan)


@router.post("", response={201: PlanDetailOut})
def create_plan(request: HttpRequest, payload: PlanIn) -> tuple[int, dict[str, Any]]:
    """Start the one shared plan for a citizen (or their family); the caller takes part."""
    staff = _staff(request)
    citizen = policy.get_citizen_for_user(request.user, payload.citizen_id)
    if not policy.can_start_plan(request.user, citizen):
        raise PermissionDenied("Only front-line staff who work with the citizen start a plan.")
    visible = policy.visible_citizens(request.user)
    adults = list(visible.filter(pk__in=payload.adult_ids))
    if len(adults) != len(set(payload.adult_ids)):
        raise ValidationError({"adult_ids": "Unknown citizen among the adults."}, code="unknown")
    coordinator = staff
    if payload.coordinator_id is not None:
        found = policy.visible_staff(request.user).filter(pk=payload.coordinator_id).first()
        if found is None:
            raise ValidationError({"coordinator_id": "Unknown staff member."}, code="unknown")
        coordinator = found
    if payload.kind not in Plan.Kind.values:
        raise ValidationError({"kind": "Choose 'citizen' or 'family'."}, code="kind")
    unit = participation_unit(staff)
    plan = do_create_plan(
        actor=staff,
        citizens=[citizen],
        adults=adults,
        kind=payload.kind,
        title=payload.title,
        what_matters=payload.what_matters,
        coordinator=coordinator,
        participants=[(staff, unit)] if unit and coordinator.pk != staff.pk else [],
    )
    return 201, _plan_detail_out(plan)


@router.post("/{plan_id}/goals", response={201: GoalOut})
def add_goal(request: HttpRequest, plan_id: int, payload: GoalIn) -> tuple[int, dict[str, Any]]:
    """Add a goal in the citizen's or family's own words; the target date must not have passed."""
    plan, staff = _plan_to_edit(request, plan_id)
    citizen = _member(plan, payload.citizen_id)
    goal = _versioned(
        lambda: do_add_goal(
            actor=staff,
            plan=plan,
            expected_version=payload.expected_version,
            text=payload.text,
            formulated_by=payload.formulated_by,
            formulated_by_name=payload.formulated_by_name,
            target_date=payload.target_date,
            citizen=citizen,
        )
    )
    return 201, _goal_out(goal)


@router.patch("/{plan_id}/goals/{goal_id}", response=GoalOut)
def update_goal(
    request: HttpRequest, plan_id: int, goal_id: int, payload: GoalPatch
) -> dict[str, Any]:
    """Change a goal; only the fields sent change. A new status is dated today."""
    plan, staff = _plan_to_edit(request, plan_id)
    goal = plan.goals.filter(pk=goal_id).first()
    if goal is None:
        raise HttpError(404, "Not found")
    goal.plan = plan
    data = payload.dict(exclude_unset=True)
    citizen = _member(plan, data["citizen_id"]) if "citizen_id" in data else goal.citizen
    updated = _versioned(
        lambda: do_update_goal(
            actor=staff,
            goal=goal,
            expected_version=payload.expected_version,
            text=data.get("text") or goal.text,
            formulated_by=data.get("formulated_by") or goal.formulated_by,
            formulated_by_name=data.get("formulated_by_name") or goal.formulated_by_name,
            target_date=data.get("target_date") or goal.target_date,
            status=data.get("status") or goal.status,
            citizen=citizen,
        )
    )
    return _goal_out(updated)


@router.post("/{plan_id}/efforts", response={201: EffortOut})
def add_effort(request: HttpRequest, plan_id: int, payload: EffortIn) -> tuple[int, dict[str, Any]]:
    """Add an effort by a unit of the plan's municipality, under a legal basis, with its cost."""
    plan, staff = _plan_to_edit(request, plan_id)
    arguments = _effort_arguments(request, plan, payload.dict())
    effort = _versioned(lambda: do_add_effort(actor=staff, plan=plan, **arguments))
    effort.refresh_from_db(fields=["monthly_cost"])
    return 201, _effort_out(effort)


@router.patch("/{plan_id}/efforts/{effort_id}", response=EffortOut)
def update_effort(
    request: HttpRequest, plan_id: int, effort_id: int, payload: EffortPatch
) -> dict[str, Any]:
    """Change an effort; only the fields sent change (send ``ends_on: null`` to reopen it)."""
    plan, staff = _plan_to_edit(request, plan_id)
    effort = (
        plan.efforts.select_related("sector", "responsible_unit", "citizen")
        .filter(pk=effort_id)
        .first()
    )
    if effort is None:
        raise HttpError(404, "Not found")
    effort.plan = plan
    arguments = _effort_arguments(request, plan, payload.dict(exclude_unset=True), effort)
    updated = _versioned(lambda: do_update_effort(actor=staff, effort=effort, **arguments))
    updated.refresh_from_db(fields=["monthly_cost"])
    return _effort_out(updated)
