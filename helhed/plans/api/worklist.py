"""API for the worklist: citizens with composite needs, efforts to reconsider, the rule.

The same access as the web page: front-line staff get the rows of the
citizens they may see and the efforts of the plans they work on; leaders get
the municipality's numbers, no names; leaders of the root unit or an
administration change the rule.

No ``from __future__ import annotations``: ninja reads the annotations at runtime.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from helhed import policy
from helhed.citizens.models import Citizen
from helhed.lib.pagination import AuditedPages
from helhed.lib.validity import today
from helhed.organisation.models import Staff
from helhed.plans.actions.worklist import REVIEW_MAX_DAYS, REVIEW_MIN_DAYS, do_set_needs_rule
from helhed.plans.models import NeedsRule, PlanMember
from helhed.plans.worklist import composite_needs, efforts_to_review, needs_counts

router = Router(tags=["worklist"])


class WorklistRowOut(Schema):
    citizen_id: int
    first_name: str
    last_name: str
    age: int
    sectors: list[str] = Field(..., description="Codes of the sectors that work with the citizen.")
    sector_count: int
    efforts: int = Field(..., description="Active efforts in the citizen's active plan.")
    yearly_cost: Decimal = Field(..., description="Yearly cost of those efforts (DKK).")
    reasons: list[str] = Field(..., description="Thresholds met: sectors, efforts, cost.")
    plan_id: int | None
    coordinator: str | None = Field(..., description="Empty when the citizen has no plan yet.")


class EffortReviewOut(Schema):
    effort_id: int
    title: str
    sector: str
    plan_id: int
    plan_title: str
    started: dt.date
    months_without_progress: int


class CountsOut(Schema):
    on_list: int
    without_coordinator: int


class RuleOut(Schema):
    min_sectors: int
    min_efforts: int
    min_yearly_cost: Decimal
    review_after_days: int


class RuleIn(Schema):
    min_sectors: int = Field(..., ge=1, le=20)
    min_efforts: int = Field(..., ge=1, le=100)
    min_yearly_cost: Decimal = Field(..., gt=0, max_digits=12, decimal_places=0)
    review_after_days: int = Field(..., ge=REVIEW_MIN_DAYS, le=REVIEW_MAX_DAYS)


def _staff(request: HttpRequest) -> Staff:
    staff = policy.staff_for(request.user)
    if staff is None:
        raise Http404("The worklist is for staff")
    return staff


def _rule_out(rule: NeedsRule) -> RuleOut:
    return RuleOut(
        min_sectors=rule.min_sectors,
        min_efforts=rule.min_efforts,
        min_yearly_cost=rule.min_yearly_cost,
        review_after_days=rule.review_after_days,
    )


def _families_of(reviews: list[EffortReviewOut]) -> list[int]:
    """The citizens of the plans a page of efforts to review names."""
    plan_ids = {r.plan_id for r in reviews}
    return list(
        PlanMember.objects.filter(plan_id__in=plan_ids).values_list("citizen_id", flat=True)
    )


@router.get("", response=list[WorklistRowOut])
@paginate(
    AuditedPages,
    page_size=50,
    what="api:worklist",
    citizens=lambda rows: [r.citizen_id for r in rows],
)
def list_worklist(request: HttpRequest, without_coordinator: bool = False) -> list[WorklistRowOut]:
    """Citizens the user works with who meet the municipality's rule, by name."""
    staff = policy.staff_for(request.user)
    if staff is None:
        return []
    on = today()
    rule = NeedsRule.for_municipality(staff.municipality)
    rows = composite_needs(policy.visible_citizens(request.user, on), rule, on)
    return [
        WorklistRowOut(
            citizen_id=row.citizen.pk,
            first_name=row.citizen.first_name,
            last_name=row.citizen.last_name,
            age=row.citizen.age(on),
            sectors=[s.code for s in row.sectors],
            sector_count=row.sector_count,
            efforts=row.efforts,
            yearly_cost=row.yearly_cost,
            reasons=row.reasons,
            plan_id=row.plan.pk if row.plan else None,
            coordinator=row.coordinator.full_name if row.coordinator else None,
        )
        for row in rows
        if not (without_coordinator and row.has_coordinator)
    ]


@router.get("/efforts", response=list[EffortReviewOut])
@paginate(AuditedPages, page_size=50, what="api:worklist_efforts", citizens=_families_of)
def list_efforts_to_review(request: HttpRequest) -> list[EffortReviewOut]:
    """Efforts in the plans the user works on that have shown no progress for too long."""
    staff = policy.staff_for(request.user)
    if staff is None:
        return []
    on = today()
    rule = NeedsRule.for_municipality(staff.municipality)
    return [
        EffortReviewOut(
            effort_id=review.effort.pk,
            title=review.effort.title,
            sector=review.effort.sector.code,
            plan_id=review.plan.pk,
            plan_title=review.plan.title,
            started=review.started,
            months_without_progress=review.months_without_progress,
        )
        for review in efforts_to_review(policy.editable_plans(request.user), rule, on)
    ]


@router.get("/counts", response=CountsOut)
def worklist_counts(request: HttpRequest) -> CountsOut:
    """The municipality's worklist as numbers, for leaders."""
    staff = _staff(request)
    if not policy.capabilities(request.user).leads_units:
        raise PermissionDenied
    counts = needs_counts(
        Citizen.objects.filter(municipality_id=staff.municipality_id),
        NeedsRule.for_municipality(staff.municipality),
    )
    return CountsOut(on_list=counts.on_list, without_coordinator=counts.without_coordinator)


@router.get("/rule", response=RuleOut)
def get_rule(request: HttpRequest) -> RuleOut:
    """The thresholds of the user's municipality (the default rule until one is set)."""
    return _rule_out(NeedsRule.for_municipality(_staff(request).municipality))


@router.put("/rule", response=RuleOut)
def set_rule(request: HttpRequest, payload: RuleIn) -> RuleOut:
    """Change the thresholds: leaders of the root unit or an administration only."""
    staff = _staff(request)
    if not policy.can_edit_needs_rule(request.user):
        raise PermissionDenied
    rule = do_set_needs_rule(
        actor=staff,
        municipality=staff.municipality,
        min_sectors=payload.min_sectors,
        min_efforts=payload.min_efforts,
        min_yearly_cost=payload.min_yearly_cost,
        review_after_days=payload.review_after_days,
    )
    return _rule_out(rule)
