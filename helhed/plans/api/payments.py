"""API: who pays. Same rules as the web pages (helhed.policy).

Open settlements (for leaders: their units' efforts without an agreed payer,
oldest first, no citizen data), the ledger per budget and period (leaders:
the budgets they lead; analysts and the director: all), one effort's
settlement, and agreeing its payer (a leader of the paying unit or above,
or of the responsible unit for an external authority; 403 for the rest).
404 for anyone who may not see the list or the effort; bad input 422.

No ``from __future__ import annotations``: ninja reads the annotations at runtime.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from helhed import policy
from helhed.lib.middleware import NO_NUL_PATTERN
from helhed.lib.pagination import BoundedPages
from helhed.lib.validity import today
from helhed.organisation.models import Staff
from helhed.plans.actions import payments as actions
from helhed.plans.models import Effort

router = Router(tags=["plans: payments"])

MAX_ID = 2**63 - 1


class SettlementOut(Schema):
    """An effort's settlement, without anything about the citizen."""

    id: int = Field(..., description="The effort's id.")
    title: str
    responsible_unit_id: int
    responsible_unit: str
    paying_unit_id: int | None
    paying_authority: str
    proposed_payer: str = Field(..., description="Empty while no payer is proposed.")
    external: bool = Field(..., description="Another municipality or the region pays.")
    monthly_cost: Decimal
    starts_on: dt.date
    ends_on: dt.date | None
    age_days: int = Field(..., description="Days since the effort started.")
    agreed_on: dt.date | None
    can_agree: bool = False

    @staticmethod
    def resolve_responsible_unit(effort: Effort) -> str:
        return effort.responsible_unit.name

    @staticmethod
    def resolve_proposed_payer(effort: Effort) -> str:
        return actions.proposed_payer(effort)

    @staticmethod
    def resolve_external(effort: Effort) -> bool:
        return effort.paying_unit_id is None and bool(effort.paying_authority)

    @staticmethod
    def resolve_age_days(effort: Effort) -> int:
        return (today() - effort.starts_on).days

    @staticmethod
    def resolve_agreed_on(effort: Effort) -> dt.date | None:
        return effort.payer_agreed_on


class SettlementFilters(Schema):
    q: str = Field("", max_length=100, pattern=NO_NUL_PATTERN)


class LedgerFilters(Schema):
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="A budget and what is beneath it.")
    period: str = Field(
        "",
        max_length=10,
        pattern=NO_NUL_PATTERN,
        description="2026, 2026-Q3 or 2026-07; empty: this quarter.",
    )


class LedgerRowOut(Schema):
    budget: str
    unit_id: int | None
    external: bool
    efforts: int
    agreed: Decimal
    open: Decimal = Field(..., description="Not agreed yet: fronted by the responsible unit.")
    total: Decimal


class LedgerOut(Schema):
    period: str
    starts_on: dt.date
    ends_on: dt.date
    rule: str
    rows: list[LedgerRowOut]
    efforts: int
    agreed: Decimal
    open: Decimal
    total: Decimal


class AgreeIn(Schema):
    agreed_on: dt.date | None = Field(None, description="Empty: today.")


def _staff(request: HttpRequest) -> Staff:
    staff = policy.staff_for(request.user)
    if staff is None or not policy.has_staff_role(request.user):
        raise HttpError(404, "No staff role")
    return staff


def _settlement(request: HttpRequest, effort: Effort) -> Effort:
    """The effort, marked with whether the user may agree its payer (for the schema)."""
    effort.can_agree = policy.can_agree_payer(request.user, effort)  # type: ignore[attr-defined]
    return effort


@router.get("/open", response=list[SettlementOut])
@paginate(BoundedPages, page_size=25)
def list_open(request: HttpRequest, filters: Query[SettlementFilters]) -> QuerySet[Effort]:
    """Open settlements of the units I lead that have started, the oldest first."""
    _staff(request)
    if not policy.can_view_settlements(request.user):
        raise HttpError(404, "Only leaders see open settlements")
    efforts = actions.search_settlements(policy.open_settlements(request.user), filters.q)
    return actions.started_open(efforts)


@router.get("/to-agree", response=list[SettlementOut])
@paginate(BoundedPages, page_size=25)
def list_to_agree(request: HttpRequest) -> QuerySet[Effort]:
    """Open settlements proposed to budgets I lead (or external ones of my units)."""
    _staff(request)
    if not policy.can_view_settlements(request.user):
        raise HttpError(404, "Only leaders see open settlements")
    return (
        policy.settlements_to_agree(request.user)
        .select_related("responsible_unit", "paying_unit")
        .order_by("starts_on", "pk")
    )


@router.get("/ledger", response=LedgerOut)
def ledger(request: HttpRequest, filters: Query[LedgerFilters]) -> dict[str, Any]:
    """The cost per paying budget in a period: agreed, open (fronted) and total."""
    _staff(request)
    if not policy.can_view_ledger(request.user):
        raise HttpError(404, "Only leaders and analysts see the ledger")
    unit = None
    if filters.unit is not None:
        unit = policy.get_ledger_unit_for_user(request.user, filters.unit)
    period = actions.parse_period(filters.period) if filters.period else actions.current_quarter()
    result = actions.ledger_for(policy.ledger_efforts(request.user), period, unit)
    return {
        "period": period.code,
        "starts_on": period.start,
        "ends_on": period.end,
        "rule": "monthly_cost * 12 / days_in_year * days_active, rounded to øre per effort",
        "rows": [
            {
                "budget": r.budget,
                "unit_id": r.unit_id,
                "external": r.external,
                "efforts": r.efforts,
                "agreed": r.agreed,
                "open": r.open,
                "total": r.total,
            }
            for r in result.rows
        ],
        "efforts": result.efforts,
        "agreed": result.agreed,
        "open": result.open,
        "total": result.total,
    }


@router.get("/efforts/{effort_id}", response=SettlementOut)
def get_settlement(request: HttpRequest, effort_id: int) -> Effort:
    _staff(request)
    return _settlement(request, policy.get_settlement_for_user(request.user, effort_id))


@router.post("/efforts/{effort_id}/agree", response=SettlementOut)
def agree(request: HttpRequest, effort_id: int, payload: AgreeIn) -> Effort:
    """Agree to pay for the effort; the settlement is then no longer open."""
    staff = _staff(request)
    effort = policy.get_settlement_for_user(request.user, effort_id)
    if not policy.can_agree_payer(request.user, effort):
        raise PermissionDenied("Only a leader of the paying unit or above agrees to pay.")
    actions.do_agree_payer(actor=staff, effort=effort, agreed_on=payload.agreed_on)
    return _settlement(request, effort)
