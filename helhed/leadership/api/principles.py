"""API for shared principles and the method library. Same rules as the web pages.

Read by every staff member of the municipality (404 outside it). A leader
writes a principle; a unit signs through its own leader (a leader above gets
403, a unit elsewhere 404); a unit signs once (422). Leaders and analysts
register methods. A method's usage is counts of active efforts only.

No ``from __future__ import annotations``: ninja reads the annotations at runtime.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from helhed import policy
from helhed.leadership.actions import principles as actions
from helhed.leadership.models import Method, Principle
from helhed.lib.middleware import NO_NUL_PATTERN
from helhed.lib.pagination import BoundedPages
from helhed.lib.validity import today
from helhed.organisation.models import Staff

router = Router(tags=["leadership: principles"])

MAX_ID = 2**63 - 1


class SignatureOut(Schema):
    unit_id: int
    unit: str
    signed_by: str
    signed_on: dt.date


class PrincipleOut(Schema):
    id: int
    title: str
    owner_id: int
    owner: str
    review_on: dt.date
    past_review: bool
    signatures: int = Field(..., description="How many units have signed it.")

    @staticmethod
    def resolve_owner(principle: Principle) -> str:
        return principle.owner.full_name

    @staticmethod
    def resolve_past_review(principle: Principle) -> bool:
        return principle.is_past_review()

    @staticmethod
    def resolve_signatures(principle: Any) -> int:
        return int(principle.signature_count)


class PrincipleDetailOut(Schema):
    id: int
    title: str
    situation: str
    who_does_what: str
    owner_id: int
    owner: str
    review_on: dt.date
    past_review: bool
    signed_by: list[SignatureOut]


class PrincipleIn(Schema):
    title: str = Field(..., min_length=1, max_length=200, pattern=NO_NUL_PATTERN)
    situation: str = Field(..., min_length=1, max_length=actions.MAX_TEXT, pattern=NO_NUL_PATTERN)
    who_does_what: str = Field(
        ..., min_length=1, max_length=actions.MAX_TEXT, pattern=NO_NUL_PATTERN
    )
    review_on: dt.date = Field(..., description="A date in the future.")
    owner_id: int | None = Field(None, ge=1, le=MAX_ID, description="The caller if left out.")


class SignIn(Schema):
    unit_id: int = Field(..., ge=1, le=MAX_ID)


class UsageRowOut(Schema):
    name: str
    count: int


class MethodOut(Schema):
    id: int
    name: str
    evidence: str
    link: str
    unit_ids: list[int]

    @staticmethod
    def resolve_unit_ids(method: Method) -> list[int]:
        return sorted(unit.pk for unit in method.units.all())


class MethodDetailOut(Schema):
    id: int
    name: str
    description: str
    research_basis: str
    evidence: str
    link: str
    owner_id: int
    unit_ids: list[int]
    active_efforts: int = Field(..., description="Active efforts in active plans using it.")
    by_sector: list[UsageRowOut]
    by_unit: list[UsageRowOut]


class MethodIn(Schema):
    name: str = Field(..., min_length=1, max_length=120, pattern=NO_NUL_PATTERN)
    description: str = Field(..., min_length=1, max_length=actions.MAX_TEXT, pattern=NO_NUL_PATTERN)
    research_basis: str = Field(
        ..., min_length=1, max_length=actions.MAX_TEXT, pattern=NO_NUL_PATTERN
    )
    evidence: Method.Evidence = Method.Evidence.PRACTICE
    link: str = Field("", max_length=200, pattern=NO_NUL_PATTERN)
    unit_ids: list[int] = Field(default_factory=list, max_length=500)


def _staff(request: HttpRequest) -> Staff:
    staff = policy.staff_for(request.user)
    if staff is None or not policy.has_staff_role(request.user):
        raise HttpError(404, "No staff role")
    return staff


def _principle_detail(principle: Principle) -> dict[str, Any]:
    signatures = principle.signatures.select_related("unit", "signed_by")
    return {
        "id": principle.pk,
        "title": principle.title,
        "situation": principle.situation,
        "who_does_what": principle.who_does_what,
        "owner_id": principle.owner_id,
        "owner": principle.owner.full_name,
        "review_on": principle.review_on,
        "past_review": principle.is_past_review(),
        "signed_by": [
            {
                "unit_id": s.unit_id,
                "unit": s.unit.name,
                "signed_by": s.signed_by.full_name,
                "signed_on": s.signed_on,
            }
            for s in signatures
        ],
    }


@router.get("/principles", response=list[PrincipleOut])
@paginate(BoundedPages, page_size=50)
def list_principles(
    request: HttpRequest, q: str = "", past_review: bool = False
) -> QuerySet[Principle]:
    """The municipality's shared principles; ``past_review`` for those past their review date."""
    principles = policy.visible_principles(request.user)
    for word in q[:100].split():
        principles = principles.filter(Q(title__icontains=word) | Q(situation__icontains=word))
    if past_review:
        principles = principles.filter(review_on__lt=today())
    return (
        principles.select_related("owner")
        .annotate(signature_count=Count("signatures"))
        .order_by("title", "pk")
    )


@router.post("/principles", response={201: PrincipleDetailOut})
def create_principle(request: HttpRequest, payload: PrincipleIn) -> tuple[int, dict[str, Any]]:
    """Write a principle (leaders)."""
    staff = _staff(request)
    if not policy.can_create_principle(request.user):
        raise PermissionDenied("Only leaders write shared principles.")
    owner = None
    if payload.owner_id is not None:
        owner = policy.visible_staff(request.user).filter(pk=payload.owner_id).first()
        if owner is None:
            raise ValidationError({"owner": "No such staff member in the municipality."})
    principle = actions.do_create_principle(
        actor=staff,
        title=payload.title,
        situation=payload.situation,
        who_does_what=payload.who_does_what,
        review_on=payload.review_on,
        owner=owner,
    )
    return 201, _principle_detail(principle)


@router.get("/principles/{principle_id}", response=PrincipleDetailOut)
def get_principle(request: HttpRequest, principle_id: int) -> dict[str, Any]:
    """One principle with the units that signed it."""
    return _principle_detail(policy.get_principle_for_user(request.user, principle_id))


@router.post("/principles/{principle_id}/signatures", response={201: PrincipleDetailOut})
def sign_principle(
    request: HttpRequest, principle_id: int, payload: SignIn
) -> tuple[int, dict[str, Any]]:
    """Sign on behalf of a unit the caller leads."""
    staff = _staff(request)
    principle = policy.get_principle_for_user(request.user, principle_id)
    unit = policy.get_unit_for_user(request.user, payload.unit_id)
    if not policy.can_sign_principle(request.user, unit):
        raise PermissionDenied("Only the unit's own leader signs on its behalf.")
    actions.do_sign_principle(actor=staff, principle=principle, unit=unit)
    return 201, _principle_detail(principle)


# --------------------------------------------------------------------------- methods


def _method_detail(method: Method) -> dict[str, Any]:
    usage = actions.method_usage(method)
    return {
        "id": method.pk,
        "name": method.name,
        "description": method.description,
        "research_basis": method.research_basis,
        "evidence": method.evidence,
        "link": method.link,
        "owner_id": method.owner_id,
        "unit_ids": sorted(method.units.values_list("pk", flat=True)),
        "active_efforts": usage.total,
        "by_sector": [{"name": r.name, "count": r.count} for r in usage.by_sector],
        "by_unit": [{"name": r.name, "count": r.count} for r in usage.by_unit],
    }


@router.get("/methods", response=list[MethodOut])
@paginate(BoundedPages, page_size=50)
def list_methods(request: HttpRequest, q: str = "", evidence: str = "") -> QuerySet[Method]:
    """The municipality's method library."""
    methods = policy.visible_methods(request.user)
    for word in q[:100].split():
        methods = methods.filter(Q(name__icontains=word) | Q(description__icontains=word))
    if evidence:
        methods = methods.filter(evidence=evidence)
    return methods.prefetch_related("units").order_by("name", "pk")


@router.post("/methods", response={201: MethodDetailOut})
def register_method(request: HttpRequest, payload: MethodIn) -> tuple[int, dict[str, Any]]:
    """Register a method (leaders and analysts)."""
    staff = _staff(request)
    if not policy.can_manage_methods(request.user):
        raise PermissionDenied("Only leaders and analysts keep the method library.")
    if any(not 1 <= pk <= MAX_ID for pk in payload.unit_ids):
        raise ValidationError({"units": "An id is out of range."})
    ids = list(dict.fromkeys(payload.unit_ids))
    units = list(policy.visible_units(request.user).filter(pk__in=ids))
    if len(units) != len(ids):
        raise ValidationError({"units": "No such unit in the municipality."})
    method = actions.do_register_method(
        actor=staff,
        name=payload.name,
        description=payload.description,
        research_basis=payload.research_basis,
        evidence=payload.evidence,
        link=payload.link,
        units=units,
    )
    return 201, _method_detail(method)


@router.get("/methods/{method_id}", response=MethodDetailOut)
def get_method(request: HttpRequest, method_id: int) -> dict[str, Any]:
    """A method, where it is used, and counts of active efforts referring to it."""
    return _method_detail(policy.get_method_for_user(request.user, method_id))
