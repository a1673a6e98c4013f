"""API for referrals between units, with the same rules as the web pages.

Only referrals the policy lets the user see exist here (404 otherwise). The
child's name, age and the question are given only to those who may read them
(``policy.readable_referrals``); a leader who only leads one of the units gets
the row without them. Rule breaches from the actions answer 422, answering a
referral without a role in the receiving unit 403.

No ``from __future__ import annotations``: ninja reads the annotations at runtime.
"""

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from helhed import policy
from helhed.lib.middleware import NO_NUL_PATTERN
from helhed.lib.pagination import AuditedPages
from helhed.organisation.models import Staff
from helhed.plans.actions import referrals as actions
from helhed.plans.models import LegalBasis, Plan, Referral

router = Router(tags=["referrals"])


def _readable(referral: Referral) -> bool:
    """Set by ``_annotated``; a row without the mark is not readable (deny by default)."""
    return bool(getattr(referral, "readable", False))


class ReferralOut(Schema):
    id: int
    status: str
    citizen_id: int | None = Field(None, description="Empty when you may not read the child.")
    citizen_name: str | None = None
    citizen_age: int | None = None
    question: str | None = Field(None, description="Empty when you may not read the child.")
    from_unit_id: int
    from_unit: str
    to_unit_id: int
    to_unit: str
    sent_by: str
    legal_basis: str
    consent_id: int | None
    plan_id: int | None
    access_days: int
    sent_at: dt.datetime
    received_at: dt.datetime | None
    decided_at: dt.datetime | None
    decided_by: str | None
    rejection_reason: str = Field(
        "", description="Empty when you may not read the child: it is free text about them."
    )
    access_until: dt.date | None
    waiting_days: int

    @staticmethod
    def resolve_citizen_id(obj: Referral) -> int | None:
        return obj.citizen_id if _readable(obj) else None

    @staticmethod
    def resolve_citizen_name(obj: Referral) -> str | None:
        return obj.citizen.full_name if _readable(obj) else None

    @staticmethod
    def resolve_citizen_age(obj: Referral) -> int | None:
        return obj.citizen.age() if _readable(obj) else None

    @staticmethod
    def resolve_question(obj: Referral) -> str | None:
        return obj.question if _readable(obj) else None

    @staticmethod
    def resolve_from_unit(obj: Referral) -> str:
        return obj.from_unit.name

    @staticmethod
    def resolve_to_unit(obj: Referral) -> str:
        return obj.to_unit.name

    @staticmethod
    def resolve_sent_by(obj: Referral) -> str:
        return obj.sent_by.full_name

    @staticmethod
    def resolve_decided_by(obj: Referral) -> str | None:
        return obj.decided_by.full_name if obj.decided_by else None

    @staticmethod
    def resolve_rejection_reason(obj: Referral) -> str:
        return obj.rejection_reason if _readable(obj) else ""


class ReferralIn(Schema):
    citizen_id: int
    from_unit_id: int
    to_unit_id: int
    question: str = Field(..., min_length=1, max_length=10_000, pattern=NO_NUL_PATTERN)
    legal_basis: LegalBasis
    consent_id: int | None = None
    access_days: int = Field(90, ge=actions.MIN_ACCESS_DAYS, le=actions.MAX_ACCESS_DAYS)
    plan_id: int | None = Field(
        None,
        description="The citizen's shared plan; left out, the active plan you can see is used.",
    )


class RejectIn(Schema):
    reason: str = Field(..., min_length=1, max_length=10_000, pattern=NO_NUL_PATTERN)


def _annotated(request: HttpRequest, referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    readable = policy.readable_referrals(request.user).filter(pk=OuterRef("pk"))
    return referrals.annotate(readable=Exists(readable)).select_related(
        "citizen", "from_unit", "to_unit", "sent_by", "decided_by"
    )


def _one(request: HttpRequest, referral_id: int) -> Referral:
    """The referral with its readability mark, or 404 when the user may not see it."""
    referral = _annotated(
        request, policy.visible_referrals(request.user).filter(pk=referral_id)
    ).first()
    if referral is None:
        raise HttpError(404, "No such referral")
    if _readable(referral):
        # Read here rather than through ``get_referral_for_user``: log it the same way.
        policy.audit_read(request.user, referral, [referral.citizen_id])
    return referral


def _staff(request: HttpRequest) -> Staff:
    staff = policy.staff_for(request.user)
    if staff is None:
        raise PermissionDenied("Only staff work with referrals.")
    return staff


@router.get("", response=list[ReferralOut])
@paginate(
    AuditedPages,
    page_size=50,
    what="api:referrals",
    citizens=lambda rows: [r.citizen_id for r in rows if _readable(r)],
)
def list_referrals(
    request: HttpRequest,
    box: Literal["all", "incoming", "outgoing"] = "all",
    status: Referral.Status | None = None,
) -> QuerySet[Referral]:
    """Referrals to (``incoming``) or from (``outgoing``) your units, newest first."""
    units = policy.staff_units(request.user)
    rows = policy.visible_referrals(request.user)
    if box == "incoming":
        rows = rows.filter(to_unit__in=units)
    elif box == "outgoing":
        staff = policy.staff_for(request.user)
        rows = rows.filter(Q(from_unit__in=units) | Q(sent_by=staff))
    if status is not None:
        rows = rows.filter(status=status)
    return _annotated(request, rows).order_by("-sent_at", "-pk")


@router.get("/{referral_id}", response=ReferralOut)
def get_referral(request: HttpRequest, referral_id: int) -> Referral:
    return _one(request, referral_id)


@router.post("", response={201: ReferralOut})
def send_referral(request: HttpRequest, payload: ReferralIn) -> tuple[int, Referral]:
    """Refer a citizen you work with from one of your units to another unit."""
    staff = _staff(request)
    citizen = policy.get_citizen_for_user(request.user, payload.citizen_id)
    units = policy.visible_units(request.user)
    from_unit = units.filter(pk=payload.from_unit_id).first()
    if from_unit is None:
        raise HttpError(422, f"Unknown unit {payload.from_unit_id}")
    to_unit = units.filter(pk=payload.to_unit_id).first()
    if to_unit is None:
        raise HttpError(422, f"Unknown unit {payload.to_unit_id}")
    consent = None
    if payload.consent_id is not None:
        consent = citizen.consents.filter(pk=payload.consent_id).first()
        if consent is None:
            raise HttpError(422, f"The citizen has no consent {payload.consent_id}")
    plans = policy.visible_plans(request.user).filter(members__citizen=citizen)
    plan: Plan | None
    if payload.plan_id is not None:
        plan = plans.filter(pk=payload.plan_id).first()
        if plan is None:
            raise HttpError(422, f"No plan {payload.plan_id} of this citizen that you can see")
    else:
        plan = plans.filter(status=Plan.Status.ACTIVE).first()
    referral = actions.do_send_referral(
        actor=staff,
        citizen=citizen,
        from_unit=from_unit,
        to_unit=to_unit,
        question=payload.question,
        legal_basis=payload.legal_basis,
        consent=consent,
        access_days=payload.access_days,
        plan=plan,
    )
    return 201, _one(request, referral.pk)


@router.post("/{referral_id}/received", response=ReferralOut)
def mark_received(request: HttpRequest, referral_id: int) -> Referral:
    referral = _one(request, referral_id)
    actions.do_mark_referral_received(actor=_staff(request), referral=referral)
    return _one(request, referral_id)


@router.post("/{referral_id}/accept", response=ReferralOut)
def accept_referral(request: HttpRequest, referral_id: int) -> Referral:
    """Accept; the receiving unit may then see the citizen until ``access_until``."""
    referral = _one(request, referral_id)
    actions.do_accept_referral(actor=_staff(request), referral=referral)
    return _one(request, referral_id)


@router.post("/{referral_id}/reject", response=ReferralOut)
def reject_referral(request: HttpRequest, referral_id: int, payload: RejectIn) -> Referral:
    referral = _one(request, referral_id)
    actions.do_reject_referral(actor=_staff(request), referral=referral, reason=payload.reason)
    return _one(request, referral_id)


@router.post("/{referral_id}/withdraw", response=ReferralOut)
def withdraw_referral(request: HttpRequest, referral_id: int) -> Referral:
    referral = _one(request, referral_id)
    actions.do_withdraw_referral(actor=_staff(request), referral=referral)
    return _one(request, referral_id)
