"""API of the leadership app: proposals. Same rules as the web pages (helhed.policy).

Every staff member of the municipality lists, reads and makes proposals (404
for anyone else); deciding and marking done are for a leader of the
proposal's decision unit or above (403 for others; 422 when the proposal is
not in a state to be decided or marked done).

No ``from __future__ import annotations``: ninja reads the annotations at runtime.
"""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from helhed import policy
from helhed.leadership.actions import proposals as actions
from helhed.leadership.models import BurdenProposal, BurdenTheme
from helhed.leadership.views.proposals import filter_proposals
from helhed.lib.middleware import NO_NUL_PATTERN
from helhed.lib.pagination import BoundedPages
from helhed.organisation.models import Staff

router = Router(tags=["leadership: proposals"])

MAX_ID = 2**63 - 1


class ThemeOut(Schema):
    id: int
    name: str


class ThemeIn(Schema):
    name: str = Field(..., min_length=1, max_length=actions.MAX_THEME, pattern=NO_NUL_PATTERN)


class ProposalFields(Schema):
    id: int
    title: str
    change: str
    status: str
    theme_id: int
    theme: str
    rule_id: int | None
    requirement_id: int | None
    procedure: str
    subject: str
    decision_unit_id: int
    decision_unit: str
    proposed_by_id: int
    proposed_on: dt.date
    decided_on: dt.date | None
    done_on: dt.date | None


class ProposalOut(ProposalFields):
    @staticmethod
    def resolve_theme(proposal: BurdenProposal) -> str:
        return proposal.theme.name

    @staticmethod
    def resolve_decision_unit(proposal: BurdenProposal) -> str:
        return proposal.decision_unit.name


class ProposalDetailOut(ProposalFields):
    description: str
    proposed_by: str
    decided_by_id: int | None
    decided_by: str | None
    decision_reason: str
    can_decide: bool = Field(..., description="Whether the caller may decide it now.")
    can_complete: bool = Field(..., description="Whether the caller may mark it done now.")


class ProposalIn(Schema):
    title: str = Field(..., min_length=1, max_length=actions.MAX_TITLE, pattern=NO_NUL_PATTERN)
    description: str = Field(..., min_length=1, max_length=actions.MAX_TEXT, pattern=NO_NUL_PATTERN)
    change: Literal["remove", "simplify"] = "remove"
    theme_id: int | None = Field(None, ge=1, le=MAX_ID)
    new_theme: str = Field(
        "",
        max_length=actions.MAX_THEME,
        pattern=NO_NUL_PATTERN,
        description="Instead of theme_id: add a theme (leaders and analysts).",
    )
    rule_id: int | None = Field(None, ge=1, le=MAX_ID)
    requirement_id: int | None = Field(None, ge=1, le=MAX_ID)
    procedure: str = Field("", max_length=actions.MAX_TITLE, pattern=NO_NUL_PATTERN)
    unit_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="For a procedure: the unit whose procedure it is."
    )


class ProposalDecisionIn(Schema):
    decision: Literal["accept", "reject"]
    reason: str = Field(..., max_length=actions.MAX_TEXT, pattern=NO_NUL_PATTERN)


class StatusCount(Schema):
    status: str
    label: str
    count: int


class ThemeCountOut(Schema):
    theme_id: int
    theme: str
    total: int
    by_status: dict[str, int]


class DroppedOut(Schema):
    id: int
    title: str
    dropped_on: dt.date | None
    hours_per_year: Decimal


class OverviewOut(Schema):
    total: int
    by_status: list[StatusCount]
    by_theme: list[ThemeCountOut]
    hours_saved_per_year: Decimal
    dropped: list[DroppedOut]


def _staff(request: HttpRequest) -> Staff:
    staff = policy.staff_for(request.user)
    if staff is None or not policy.has_staff_role(request.user):
        raise HttpError(404, "No staff role")
    return staff


def _detail(request: HttpRequest, proposal: BurdenProposal) -> dict[str, Any]:
    return {
        "id": proposal.pk,
        "title": proposal.title,
        "change": proposal.change,
        "status": proposal.status,
        "theme_id": proposal.theme_id,
        "theme": proposal.theme.name,
        "rule_id": proposal.rule_id,
        "requirement_id": proposal.requirement_id,
        "procedure": proposal.procedure,
        "subject": proposal.subject,
        "decision_unit_id": proposal.decision_unit_id,
        "decision_unit": proposal.decision_unit.name,
        "proposed_by_id": proposal.proposed_by_id,
        "proposed_by": proposal.proposed_by.full_name,
        "proposed_on": proposal.proposed_on,
        "decided_by_id": proposal.decided_by_id,
        "decided_by": proposal.decided_by.full_name if proposal.decided_by else None,
        "decided_on": proposal.decided_on,
        "decision_reason": proposal.decision_reason,
        "done_on": proposal.done_on,
        "description": proposal.description,
        "can_decide": policy.can_decide_proposal(request.user, proposal),
        "can_complete": policy.can_complete_proposal(request.user, proposal),
    }


def _at_the_level(request: HttpRequest, proposal: BurdenProposal, allowed: bool) -> None:
    if not allowed and not policy.decides_proposals_at(request.user, proposal):
        raise PermissionDenied(
            "Only a leader of the proposal's decision unit, or a leader above it, decides it."
        )


def _one(queryset: QuerySet[Any], pk: int | None, field: str, message: str) -> Any:
    """The row ``pk`` of ``queryset``; an id the caller may not use is bad input (422)."""
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: message})
    return found


@router.get("", response=list[ProposalOut])
@paginate(BoundedPages, page_size=25)
def list_proposals(
    request: HttpRequest,
    q: str = "",
    status: str = "",
    theme: int | None = None,
    to_decide: bool = False,
) -> QuerySet[BurdenProposal]:
    """The municipality's proposals, the newest first; filter as the web list does."""
    _staff(request)
    params = {"q": q, "status": status, "theme": theme or "", "to_decide": "1" if to_decide else ""}
    proposals, _filters = filter_proposals(request, policy.visible_proposals(request.user), params)
    return proposals.select_related("theme", "decision_unit").order_by("-proposed_on", "-pk")


@router.get("/overview", response=OverviewOut)
def overview(request: HttpRequest) -> dict[str, Any]:
    """Counts by status and by theme, the hours saved a year and the requirements dropped."""
    staff = _staff(request)
    found = actions.burden_overview(staff.municipality, policy.visible_proposals(request.user))
    return {
        "total": found.total,
        "by_status": [
            {"status": value, "label": str(label), "count": found.by_status[value]}
            for value, label in BurdenProposal.Status.choices
        ],
        "by_theme": [
            {"theme_id": t.theme_id, "theme": t.name, "total": t.total, "by_status": t.by_status}
            for t in found.by_theme
        ],
        "hours_saved_per_year": found.hours_saved,
        "dropped": [
            {
                "id": r.pk,
                "title": r.title,
                "dropped_on": r.dropped_on,
                "hours_per_year": r.hours_per_year,
            }
            for r in found.dropped
        ],
    }


@router.get("/themes", response=list[ThemeOut])
def list_themes(request: HttpRequest) -> QuerySet[BurdenTheme]:
    """The municipality's themes."""
    _staff(request)
    return policy.visible_themes(request.user).order_by("name")


@router.post("/themes", response={201: ThemeOut})
def add_theme(request: HttpRequest, payload: ThemeIn) -> tuple[int, BurdenTheme]:
    """Add a theme (leaders and analysts); an existing one of the same name is returned."""
    staff = _staff(request)
    if not policy.can_add_theme(request.user):
        raise PermissionDenied("Only leaders and analysts add themes.")
    return 201, actions.do_add_theme(actor=staff, name=payload.name)


@router.post("", response={201: ProposalDetailOut})
def propose(request: HttpRequest, payload: ProposalIn) -> tuple[int, dict[str, Any]]:
    """Propose to remove or simplify a rule, a requirement or a procedure."""
    staff = _staff(request)
    if not policy.can_propose(request.user):
        raise PermissionDenied("Only staff of the municipality make proposals.")
    if payload.new_theme.strip() and not policy.can_add_theme(request.user):
        raise PermissionDenied("Only leaders and analysts add themes; choose an existing one.")
    user = request.user
    theme = _one(policy.visible_themes(user), payload.theme_id, "theme", "No such theme.")
    rule = _one(
        policy.visible_rules(user).select_related("owning_unit"),
        payload.rule_id,
        "rule",
        "No such rule.",
    )
    requirement = _one(
        policy.visible_requirements(user).select_related("owning_unit"),
        payload.requirement_id,
        "requirement",
        "No such requirement.",
    )
    unit = _one(policy.proposal_units(user), payload.unit_id, "unit", "No such unit.")
    proposal = actions.do_propose(
        actor=staff,
        title=payload.title,
        description=payload.description,
        change=payload.change,
        theme=theme,
        new_theme=payload.new_theme,
        rule=rule,
        requirement=requirement,
        procedure=payload.procedure,
        unit=unit,
    )
    return 201, _detail(request, policy.get_proposal_for_user(user, proposal.pk))


@router.get("/{proposal_id}", response=ProposalDetailOut)
def get_proposal(request: HttpRequest, proposal_id: int) -> dict[str, Any]:
    """One proposal, with its decision when made."""
    _staff(request)
    return _detail(request, policy.get_proposal_for_user(request.user, proposal_id))


@router.post("/{proposal_id}/decide", response=ProposalDetailOut)
def decide(request: HttpRequest, proposal_id: int, payload: ProposalDecisionIn) -> dict[str, Any]:
    """Accept or reject with a reason; accepting to remove a requirement drops it at once."""
    staff = _staff(request)
    proposal = policy.get_proposal_for_user(request.user, proposal_id)
    _at_the_level(request, proposal, policy.can_decide_proposal(request.user, proposal))
    actions.do_decide_proposal(
        actor=staff,
        proposal=proposal,
        accept=payload.decision == "accept",
        reason=payload.reason,
    )
    return _detail(request, policy.get_proposal_for_user(request.user, proposal_id))


@router.post("/{proposal_id}/done", response=ProposalDetailOut)
def mark_done(request: HttpRequest, proposal_id: int) -> dict[str, Any]:
    """Record that an accepted proposal is carried out."""
    staff = _staff(request)
    proposal = policy.get_proposal_for_user(request.user, proposal_id)
    _at_the_level(request, proposal, policy.can_complete_proposal(request.user, proposal))
    actions.do_complete_proposal(actor=staff, proposal=proposal)
    return _detail(request, policy.get_proposal_for_user(request.user, proposal_id))
