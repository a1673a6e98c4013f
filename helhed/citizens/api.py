"""API endpoints for citizens. Only citizens the policy lets the user see exist here."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from helhed import policy
from helhed.citizens import actions
from helhed.citizens.models import Citizen, Engagement
from helhed.lib.middleware import NO_NUL_PATTERN
from helhed.lib.pagination import BoundedPages
from helhed.organisation.models import Municipality

router = Router(tags=["citizens"])


class CitizenOut(Schema):
    id: int
    first_name: str
    last_name: str
    birth_date: dt.date
    sex: str
    municipality_code: int = Field(..., alias="municipality.code")
    current_unit_id: int | None


class CitizenDetailOut(CitizenOut):
    cpr: str


class CitizenIn(Schema):
    cpr: str = Field(..., description="DDMMYY-SSSS or ten digits.", pattern=NO_NUL_PATTERN)
    first_name: str = Field(..., min_length=1, max_length=100, pattern=NO_NUL_PATTERN)
    last_name: str = Field(..., min_length=1, max_length=100, pattern=NO_NUL_PATTERN)
    municipality_code: int
    current_unit_id: int | None = None


class EngagementOut(Schema):
    id: int
    kind: str
    staff: str | None
    unit: str | None
    valid_from: dt.date
    valid_to: dt.date | None
    purpose: str


@router.get("", response=list[CitizenOut])
@paginate(BoundedPages, page_size=50)
def list_citizens(request: HttpRequest, q: str = "") -> QuerySet[Citizen]:
    """Citizens the user works with today; search by name or full CPR number."""
    return policy.visible_citizens(request.user).search(q).select_related("municipality")


@router.get("/{citizen_id}", response=CitizenDetailOut)
def get_citizen(request: HttpRequest, citizen_id: int) -> dict[str, object]:
    citizen = policy.get_citizen_for_user(request.user, citizen_id)
    data = CitizenOut.from_orm(citizen).model_dump(by_alias=True)
    data["cpr"] = citizen.cpr
    return data


@router.get("/{citizen_id}/engagements", response=list[EngagementOut])
def list_engagements(request: HttpRequest, citizen_id: int) -> list[EngagementOut]:
    citizen = policy.get_citizen_for_user(request.user, citizen_id)
    rows = Engagement.objects.filter(citizen=citizen).select_related("staff", "unit")
    return [
        EngagementOut(
            id=e.pk,
            kind=e.kind,
            staff=e.staff.full_name if e.staff else None,
            unit=e.unit.name if e.unit else None,
            valid_from=e.valid_from,
            valid_to=e.valid_to,
            purpose=e.purpose,
        )
        for e in rows
    ]


@router.post("", response={201: CitizenDetailOut})
def register_citizen(request: HttpRequest, payload: CitizenIn) -> tuple[int, dict[str, object]]:
    """Register a citizen; the caller gets an engagement (case work) with them."""
    if not policy.can_register_citizen(request.user):
        raise PermissionDenied
    municipality = Municipality.objects.filter(code=payload.municipality_code).first()
    if municipality is None:
        raise HttpError(422, f"Unknown municipality code {payload.municipality_code}")
    if not policy.can_register_citizen_in(request.user, municipality):
        raise HttpError(422, "You can register citizens only in your own municipality")
    unit = None
    if payload.current_unit_id is not None:
        unit = policy.visible_units(request.user).filter(pk=payload.current_unit_id).first()
        if unit is None:
            raise HttpError(422, f"Unknown unit {payload.current_unit_id}")
    citizen = actions.do_register_citizen(
        cpr=payload.cpr,
        first_name=payload.first_name,
        last_name=payload.last_name,
        municipality=municipality,
        current_unit=unit,
        registered_by=policy.staff_for(request.user),
    )
    data = CitizenOut.from_orm(citizen).model_dump(by_alias=True)
    data["cpr"] = citizen.cpr
    return 201, data
