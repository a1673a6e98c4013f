"""API of the leadership app: rules. Same rules as the web pages (helhed.policy).

Every staff member of the municipality lists and reads the register (404 for
another municipality's rules); leaders and analysts register rules (403
otherwise); the owner or a leader of the owning unit or above keeps, changes
or repeals a rule in force (403 for the rest, and once it is repealed). Bad
input answers 422 with the field it is about.

No ``from __future__ import annotations``: ninja reads the annotations at runtime.
"""

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from helhed import policy
from helhed.leadership.actions import rules as actions
from helhed.leadership.models import Rule
from helhed.lib.middleware import NO_NUL_PATTERN
from helhed.lib.pagination import BoundedPages
from helhed.lib.validity import today
from helhed.organisation.models import Staff

router = Router(tags=["leadership: rules"])

MAX_ID = 2**63 - 1


class _RuleFields(Schema):
    id: int
    title: str
    kind: str
    area: str
    status: str
    owner_id: int
    owner: str
    owning_unit_id: int
    owning_unit: str
    review_on: dt.date
    past_review: bool = Field(..., description="In force and its review date has passed.")


class LocalRuleOut(_RuleFields):
    """A row of a list, read from the rule itself."""

    @staticmethod
    def resolve_owner(rule: Rule) -> str:
        return rule.owner.full_name

    @staticmethod
    def resolve_owning_unit(rule: Rule) -> str:
        return rule.owning_unit.name

    @staticmethod
    def resolve_past_review(rule: Rule) -> bool:
        return rule.is_past_review()


class RuleDecisionOut(Schema):
    id: int
    decision: str
    reason: str
    decided_by_id: int
    decided_by: str
    decided_on: dt.date
    next_review_on: dt.date | None
    previous_text: str = Field(..., description="What the rule said before a change; else empty.")


class RuleDetailOut(_RuleFields):
    text: str
    reason: str
    legal_basis: str
    unit_ids: list[int]
    decisions: list[RuleDecisionOut] = Field(..., description="The history, the latest first.")
    can_decide: bool


class RuleFilters(Schema):
    q: str = Field("", max_length=100, pattern=NO_NUL_PATTERN)
    status: Rule.Status | None = None
    kind: Rule.Kind | None = None
    area: str = Field("", max_length=120, pattern=NO_NUL_PATTERN)
    past_review: bool = False


class LocalRuleIn(Schema):
    title: str = Field(..., min_length=1, max_length=200, pattern=NO_NUL_PATTERN)
    kind: Rule.Kind = Rule.Kind.RULE
    area: str = Field(..., min_length=1, max_length=120, pattern=NO_NUL_PATTERN)
    text: str = Field(..., min_length=1, max_length=actions.MAX_TEXT, pattern=NO_NUL_PATTERN)
    reason: str = Field(..., max_length=actions.MAX_TEXT, pattern=NO_NUL_PATTERN)
    legal_basis: str = Field("", max_length=200, pattern=NO_NUL_PATTERN)
    owner_id: int = Field(..., ge=1, le=MAX_ID)
    owning_unit_id: int = Field(..., ge=1, le=MAX_ID)
    unit_ids: list[int] = Field(default_factory=list, max_length=200)
    review_on: dt.date | None = Field(None, description="In the future; empty: in a year.")


class RuleDecisionIn(Schema):
    decision: Literal["keep", "change", "repeal"]
    reason: str = Field(..., max_length=actions.MAX_TEXT, pattern=NO_NUL_PATTERN)
    next_review_on: dt.date | None = Field(None, description="Required to keep or change.")
    new_text: str = Field(
        "", max_length=actions.MAX_TEXT, pattern=NO_NUL_PATTERN, description="Only for a change."
    )


def _staff(request: HttpRequest) -> Staff:
    staff = policy.staff_for(request.user)
    if staff is None or not policy.has_staff_role(request.user):
        raise HttpError(404, "No staff role")
    return staff


def _detail(request: HttpRequest, rule: Rule) -> dict[str, Any]:
    decisions = [
        {
            "id": d.pk,
            "decision": d.decision,
            "reason": d.reason,
            "decided_by_id": d.decided_by_id,
            "decided_by": d.decided_by.full_name,
            "decided_on": d.decided_on,
            "next_review_on": d.next_review_on,
            "previous_text": d.previous_text,
        }
        for d in actions.history(rule)
    ]
    return {
        "id": rule.pk,
        "title": rule.title,
        "kind": rule.kind,
        "area": rule.area,
        "status": rule.status,
        "owner_id": rule.owner_id,
        "owner": rule.owner.full_name,
        "owning_unit_id": rule.owning_unit_id,
        "owning_unit": rule.owning_unit.name,
        "review_on": rule.review_on,
        "past_review": rule.is_past_review(),
        "text": rule.text,
        "reason": rule.reason,
        "legal_basis": rule.legal_basis,
        "unit_ids": sorted(rule.units.values_list("pk", flat=True)),
        "decisions": decisions,
        "can_decide": policy.can_decide_rule(request.user, rule),
    }


@router.get("", response=list[LocalRuleOut])
@paginate(BoundedPages, page_size=25)
def list_rules(request: HttpRequest, filters: Query[RuleFilters]) -> QuerySet[Rule]:
    """The municipality's rules: search title, area and text; filter by status, kind, area."""
    rules = actions.search_rules(policy.visible_rules(request.user), filters.q)
    if filters.status:
        rules = rules.filter(status=filters.status)
    if filters.kind:
        rules = rules.filter(kind=filters.kind)
    if filters.area:
        rules = rules.filter(area=filters.area)
    if filters.past_review:
        rules = actions.past_review(rules)
    return rules.select_related("owner", "owning_unit").order_by("status", "review_on", "pk")


@router.get("/mine", response=list[LocalRuleOut])
@paginate(BoundedPages, page_size=25)
def rules_to_review(request: HttpRequest) -> QuerySet[Rule]:
    """My rules to review: owned by me or units I lead, past review or due within 30 days."""
    return actions.due_for_review(policy.rules_owned_or_led(request.user)).select_related(
        "owner", "owning_unit"
    )


@router.post("", response={201: RuleDetailOut})
def register_rule(request: HttpRequest, payload: LocalRuleIn) -> tuple[int, dict[str, Any]]:
    """Register a rule; its adoption is the first decision of its history."""
    staff = _staff(request)
    if not policy.can_register_rule(request.user):
        raise PermissionDenied("Only leaders and analysts register rules.")
    owner = policy.rule_owner_candidates(request.user).filter(pk=payload.owner_id).first()
    if owner is None:
        raise ValidationError({"owner": "No such staff member in the municipality."})
    owning_unit = policy.rule_owning_units(request.user).filter(pk=payload.owning_unit_id).first()
    if owning_unit is None:
        raise ValidationError(
            {"owning_unit": "Choose a unit you lead (analysts: any unit of the municipality)."}
        )
    unit_ids = list(dict.fromkeys(payload.unit_ids))
    if any(not 1 <= pk <= MAX_ID for pk in unit_ids):
        raise ValidationError({"units": "An id is out of range."})
    units = list(policy.visible_units(request.user).valid_on(today()).filter(pk__in=unit_ids))
    if len(units) != len(unit_ids):
        raise ValidationError({"units": "No such unit in the municipality."})
    rule = actions.do_register_rule(
        actor=staff,
        title=payload.title,
        kind=payload.kind,
        area=payload.area,
        text=payload.text,
        reason=payload.reason,
        legal_basis=payload.legal_basis,
        owner=owner,
        owning_unit=owning_unit,
        units=units,
        review_on=payload.review_on,
    )
    return 201, _detail(request, rule)


@router.get("/{rule_id}", response=RuleDetailOut)
def get_rule(request: HttpRequest, rule_id: int) -> dict[str, Any]:
    """One rule with its decision history, repealed or not."""
    return _detail(request, policy.get_rule_for_user(request.user, rule_id))


@router.post("/{rule_id}/decisions", response={201: RuleDetailOut})
def decide_rule(
    request: HttpRequest, rule_id: int, payload: RuleDecisionIn
) -> tuple[int, dict[str, Any]]:
    """Keep, change or repeal a rule in force, with a reason."""
    rule = policy.get_rule_for_user(request.user, rule_id)
    if not policy.can_decide_rule(request.user, rule):
        raise PermissionDenied(
            "Only the rule's owner or a leader of its unit or above decides on a rule in force."
        )
    actions.do_decide_rule(
        actor=_staff(request),
        rule=rule,
        decision=payload.decision,
        reason=payload.reason,
        next_review_on=payload.next_review_on,
        new_text=payload.new_text,
    )
    return 201, _detail(request, policy.get_rule_for_user(request.user, rule_id))
