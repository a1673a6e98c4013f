"""API endpoints for the organisation: municipalities, units, staff, management span.

No ``from __future__ import annotations`` here: django-ninja resolves the
annotations of a ``@paginate`` view in the pagination module's namespace, where
``Query[UnitFilter]`` as a string cannot be resolved, and /api/units failed
with a 500 (PydanticUserError "QueryParams is not fully defined").
"""

import datetime as dt
import uuid

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
from helhed.organisation import actions
from helhed.organisation.models import Municipality, Sector, Staff, Unit, UnitType
from helhed.organisation.span import management_spans, span_of

router = Router(tags=["organisation"])


class MunicipalityOut(Schema):
    code: int
    name: str
    region: str


class UnitOut(Schema):
    id: int
    key: uuid.UUID
    name: str
    municipality_code: int = Field(..., alias="municipality.code")
    parent_id: int | None
    unit_type: str = Field(..., alias="unit_type.code")
    sector: str | None = Field(None, alias="sector.code")
    depth: int
    valid_from: dt.date
    valid_to: dt.date | None
    external_id: str


class UnitDetailOut(UnitOut):
    leader: str | None
    direct_reports: int | None
    subtree_units: int


class UnitIn(Schema):
    name: str = Field(..., min_length=1, max_length=200, pattern=NO_NUL_PATTERN)
    parent_id: int
    unit_type: str = Field(..., pattern=NO_NUL_PATTERN)
    sector: str | None = Field(None, pattern=NO_NUL_PATTERN)
    valid_from: dt.date
    valid_to: dt.date | None = None


class StaffOut(Schema):
    id: int
    first_name: str
    last_name: str
    email: str
    municipality_code: int = Field(..., alias="municipality.code")


class SpanOut(Schema):
    unit_id: int
    unit: str
    leader: str
    direct_reports: int


class UnitFilter(Schema):
    q: str = ""
    municipality: int | None = None
    under: int | None = Field(None, description="Only units in the subtree of this unit id.")
    on: dt.date | None = Field(None, description="The organisation as of this date (today).")


@router.get("/municipalities", response=list[MunicipalityOut])
@paginate(BoundedPages, page_size=100)
def list_municipalities(request: HttpRequest, q: str = "") -> QuerySet[Municipality]:
    qs = Municipality.objects.all()
    return qs.filter(name__icontains=q) if q else qs


@router.get("/units", response=list[UnitOut])
@paginate(BoundedPages, page_size=100)
def list_units(request: HttpRequest, filters: Query[UnitFilter]) -> QuerySet[Unit]:
    qs = (
        policy.visible_units(request.user)
        .valid_on(filters.on or today())
        .search(filters.q)
        .select_related("municipality", "unit_type", "sector")
    )
    if filters.municipality is not None:
        qs = qs.filter(municipality__code=filters.municipality)
    if filters.under is not None:
        qs = qs.under(policy.get_unit_for_user(request.user, filters.under))
    return qs.order_by("path")


@router.get("/units/{unit_id}", response=UnitDetailOut)
def get_unit(request: HttpRequest, unit_id: int, on: dt.date | None = None) -> dict[str, object]:
    unit = policy.get_unit_for_user(request.user, unit_id)
    on = on or today()
    leader = unit.leader_assignment(on)
    span = span_of(unit, on)
    # By alias: the response schema reads "municipality.code", not "municipality_code".
    data = UnitOut.from_orm(unit).model_dump(by_alias=True)
    data.update(
        leader=leader.staff.full_name if leader else None,
        direct_reports=span.direct_reports if span else None,
        subtree_units=Unit.objects.under(unit).valid_on(on).count(),
    )
    return data


@router.get("/units/{unit_id}/spans", response=list[SpanOut])
def unit_spans(request: HttpRequest, unit_id: int, on: dt.date | None = None) -> list[SpanOut]:
    """The management span of every leader in the unit's subtree, largest first."""
    unit = policy.get_unit_for_user(request.user, unit_id)
    return [
        SpanOut(
            unit_id=s.unit.pk,
            unit=s.unit.name,
            leader=s.leader.full_name,
            direct_reports=s.direct_reports,
        )
        for s in management_spans(unit, on)
    ]


@router.post("/units", response={201: UnitOut})
def create_unit(request: HttpRequest, payload: UnitIn) -> tuple[int, Unit]:
    if not request.user.has_perm("organisation.add_unit"):
        raise PermissionDenied
    parent = policy.get_unit_for_user(request.user, payload.parent_id)
    unit_type = UnitType.objects.filter(code=payload.unit_type).first()
    if unit_type is None:
        raise HttpError(422, f"Unknown unit type {payload.unit_type!r}")
    sector = None
    if payload.sector:
        sector = Sector.objects.filter(code=payload.sector).first()
        if sector is None:
            raise HttpError(422, f"Unknown sector {payload.sector!r}")
    unit = actions.do_create_unit(
        municipality=parent.municipality,
        name=payload.name,
        unit_type=unit_type,
        sector=sector,
        parent=parent,
        valid_from=payload.valid_from,
        valid_to=payload.valid_to,
    )
    return 201, unit


@router.get("/staff", response=list[StaffOut])
@paginate(BoundedPages, page_size=100)
def list_staff(request: HttpRequest, q: str = "") -> QuerySet[Staff]:
    qs = policy.visible_staff(request.user).select_related("municipality")
    for word in q.split():
        qs = qs.filter(first_name__icontains=word) | qs.filter(last_name__icontains=word)
    return qs
