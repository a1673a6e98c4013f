"""API: contradicting efforts in a plan. Same rules as the web pages (helhed.policy).

Listed per plan and read by whoever may open the plan (404 otherwise, the
read audited as the plan's); flagged and resolved by the plan's coordinator
and participants (403 for other readers). Efforts, goals and meetings must
belong to the same plan: anything else answers 422.

No ``from __future__ import annotations``: ninja reads the annotations at runtime.
"""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from helhed import policy
from helhed.lib.middleware import NO_NUL_PATTERN
from helhed.lib.openapi import inline_choices
from helhed.lib.pagination import BoundedPages
from helhed.organisation.models import Staff
from helhed.plans.actions import contradictions as actions
from helhed.plans.models import Contradiction, Effort, Goal, Meeting, Plan

router = Router(tags=["plans: contradictions"])

MAX_ID = 2**63 - 1


class ContradictionOut(Schema):
    id: int
    plan_id: int
    effort_id: int
    effort: str
    other_effort_id: int | None
    other_effort: str | None
    goal_id: int | None
    description: str
    raised_by_id: int
    raised_on: dt.date
    status: str
    meeting_id: int | None = Field(..., description="The network meeting it was resolved in.")
    resolution: str

    @staticmethod
    def resolve_effort(c: Contradiction) -> str:
        return c.effort.title

    @staticmethod
    def resolve_other_effort(c: Contradiction) -> str | None:
        return c.other_effort.title if c.other_effort else None


class ContradictionFilters(Schema):
    plan_id: int = Field(..., ge=1, le=MAX_ID)
    q: str = Field("", max_length=100, pattern=NO_NUL_PATTERN)
    status: Annotated[Contradiction.Status, inline_choices(Contradiction.Status)] | None = None


class FlagIn(Schema):
    plan_id: int = Field(..., ge=1, le=MAX_ID)
    effort_id: int = Field(..., ge=1, le=MAX_ID)
    other_effort_id: int | None = Field(None, ge=1, le=MAX_ID)
    goal_id: int | None = Field(None, ge=1, le=MAX_ID)
    description: str = Field(..., max_length=actions.MAX_TEXT, pattern=NO_NUL_PATTERN)


class ResolveIn(Schema):
    meeting_id: int = Field(..., ge=1, le=MAX_ID)
    resolution: str = Field(..., max_length=actions.MAX_TEXT, pattern=NO_NUL_PATTERN)


def _staff(request: HttpRequest) -> Staff:
    staff = policy.staff_for(request.user)
    if staff is None:
        raise HttpError(404, "No staff record")
    return staff


def _may_change(request: HttpRequest, plan: Plan) -> None:
    if not policy.can_edit_plan(request.user, plan):
        raise PermissionDenied("Only the plan's coordinator and participants can change it.")


def _visible_efforts(request: HttpRequest) -> QuerySet[Effort]:
    """Efforts of plans the user sees; the action then checks they are of this plan."""
    return Effort.objects.filter(plan__in=policy.visible_plans(request.user))


def _one(queryset: QuerySet[Any], pk: int | None, field: str) -> Any:
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: "No such object in a plan you can see."})
    return found


@router.get("", response=list[ContradictionOut])
@paginate(BoundedPages, page_size=25)
def list_contradictions(
    request: HttpRequest, filters: Query[ContradictionFilters]
) -> QuerySet[Contradiction]:
    """A plan's contradictions, open first; search the description, efforts and goal."""
    _staff(request)
    plan = policy.get_plan_for_staff(request.user, filters.plan_id)
    items = actions.search_contradictions(plan.contradictions.all(), filters.q)
    if filters.status:
        items = items.filter(status=filters.status)
    return items.select_related("effort", "other_effort").order_by("status", "-raised_on", "-pk")


@router.get("/{contradiction_id}", response=ContradictionOut)
def get_contradiction(request: HttpRequest, contradiction_id: int) -> Contradiction:
    _staff(request)
    return policy.get_contradiction_for_user(request.user, contradiction_id)


@router.post("", response={201: ContradictionOut})
def flag(request: HttpRequest, payload: FlagIn) -> tuple[int, Contradiction]:
    """Flag two efforts, or an effort and a goal, of the plan that contradict."""
    staff = _staff(request)
    plan = policy.get_plan_for_staff(request.user, payload.plan_id)
    _may_change(request, plan)
    efforts = _visible_efforts(request)
    found = actions.do_flag_contradiction(
        actor=staff,
        plan=plan,
        effort=_one(efforts, payload.effort_id, "effort"),
        other_effort=_one(efforts, payload.other_effort_id, "other_effort"),
        goal=_one(
            Goal.objects.filter(plan__in=policy.visible_plans(request.user)),
            payload.goal_id,
            "goal",
        ),
        description=payload.description,
    )
    return 201, found


@router.post("/{contradiction_id}/resolve", response=ContradictionOut)
def resolve(request: HttpRequest, contradiction_id: int, payload: ResolveIn) -> Contradiction:
    """Resolve it in a network meeting of the same plan (held or planned), saying how."""
    staff = _staff(request)
    contradiction = policy.get_contradiction_for_user(request.user, contradiction_id)
    _may_change(request, contradiction.plan)
    meeting: Meeting = _one(policy.visible_meetings(request.user), payload.meeting_id, "meeting")
    return actions.do_resolve_contradiction(
        actor=staff,
        contradiction=contradiction,
        meeting=meeting,
        resolution=payload.resolution,
    )
