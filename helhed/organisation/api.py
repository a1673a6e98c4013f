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
from helhed.organisation import actions, actions_directory
from helhed.organisation.models import ContactPoint, Municipality, Sector, Staff, Unit, UnitType
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


# --------------------------------------------------------------------------- directory
#
# Contact points: every staff member of the municipality reads them (404 for
# anyone else); a leader of the unit or above adds, changes and removes them
# and sets the capacity (403 for the rest of the staff). Bad input 422.

MAX_ID = 2**63 - 1


class ContactPointOut(Schema):
    id: int
    unit_id: int
    unit: str
    name: str
    phone: str
    email: str
    opening_hours: str
    has_capacity: bool
    capacity_note: str
    updated_on: dt.date
    can_edit: bool = False

    @staticmethod
    def resolve_unit(point: ContactPoint) -> str:
        return point.unit.name


class ContactPointIn(Schema):
    unit_id: int = Field(..., ge=1, le=MAX_ID)
    name: str = Field(..., min_length=1, max_length=150, pattern=NO_NUL_PATTERN)
    phone: str = Field("", max_length=30, pattern=NO_NUL_PATTERN)
    email: str = Field("", max_length=254, pattern=NO_NUL_PATTERN)
    opening_hours: str = Field("", max_length=150, pattern=NO_NUL_PATTERN)
    has_capacity: bool = True
    capacity_note: str = Field("", max_length=200, pattern=NO_NUL_PATTERN)


class ContactPointChangeIn(Schema):
    name: str | None = Field(None, min_length=1, max_length=150, pattern=NO_NUL_PATTERN)
    phone: str | None = Field(None, max_length=30, pattern=NO_NUL_PATTERN)
    email: str | None = Field(None, max_length=254, pattern=NO_NUL_PATTERN)
    opening_hours: str | None = Field(None, max_length=150, pattern=NO_NUL_PATTERN)
    has_capacity: bool | None = None
    capacity_note: str | None = Field(None, max_length=200, pattern=NO_NUL_PATTERN)


class CapacityIn(Schema):
    has_capacity: bool
    note: str = Field("", max_length=200, pattern=NO_NUL_PATTERN)


class DirectoryFilter(Schema):
    q: str = Field("", max_length=100, pattern=NO_NUL_PATTERN)
    has_capacity: bool | None = None
    unit_id: int | None = Field(None, ge=1, le=MAX_ID)


def _directory_staff(request: HttpRequest) -> Staff:
    staff = policy.staff_for(request.user)
    if staff is None or not policy.has_staff_role(request.user):
        raise HttpError(404, "No staff role")
    return staff


def _point(request: HttpRequest, point_id: int) -> ContactPoint:
    if point_id > MAX_ID:
        raise HttpError(404, "No such contact point")
    _directory_staff(request)
    point = policy.get_contact_point_for_user(request.user, point_id)
    point.can_edit = policy.can_edit_contact_points(request.user, point.unit)  # type: ignore[attr-defined]
    return point


def _editable(request: HttpRequest, point_id: int) -> tuple[Staff, ContactPoint]:
    point = _point(request, point_id)
    if not point.can_edit:  # type: ignore[attr-defined]
        raise PermissionDenied("Only a leader of the unit or above keeps its contact points.")
    return _directory_staff(request), point


@router.get("/directory", response=list[ContactPointOut])
@paginate(BoundedPages, page_size=50)
def list_contact_points(
    request: HttpRequest, filters: Query[DirectoryFilter]
) -> QuerySet[ContactPoint]:
    """The municipality's contact points by unit; ``has_capacity=true`` for those with room now."""
    _directory_staff(request)
    points = actions_directory.search_directory(
        policy.visible_contact_points(request.user), filters.q
    )
    if filters.has_capacity is not None:
        points = points.filter(has_capacity=filters.has_capacity)
    if filters.unit_id is not None:
        points = points.filter(unit_id=filters.unit_id)
    return points.select_related("unit").order_by("unit__name", "name", "pk")


@router.get("/directory/{point_id}", response=ContactPointOut)
def get_contact_point(request: HttpRequest, point_id: int) -> ContactPoint:
    return _point(request, point_id)


@router.post("/directory", response={201: ContactPointOut})
def add_contact_point(request: HttpRequest, payload: ContactPointIn) -> tuple[int, ContactPoint]:
    """Add a contact point to a unit you lead (or that lies beneath one)."""
    staff = _directory_staff(request)
    unit = policy.visible_units(request.user).filter(pk=payload.unit_id).first()
    if unit is None:
        raise HttpError(404, "No such unit")
    fields = payload.dict(exclude={"unit_id"})
    point = actions_directory.do_add_contact_point(actor=staff, unit=unit, **fields)
    return 201, _point(request, point.pk)


@router.patch("/directory/{point_id}", response=ContactPointOut)
def change_contact_point(
    request: HttpRequest, point_id: int, payload: ContactPointChangeIn
) -> ContactPoint:
    staff, point = _editable(request, point_id)
    fields = payload.dict(exclude_none=True)
    actions_directory.do_change_contact_point(actor=staff, point=point, **fields)
    return _point(request, point_id)


@router.post("/directory/{point_id}/capacity", response=ContactPointOut)
def set_capacity(request: HttpRequest, point_id: int, payload: CapacityIn) -> ContactPoint:
    """Say whether the contact point has capacity now, with a short note."""
    staff, point = _editable(request, point_id)
    actions_directory.do_set_capacity(
        actor=staff, point=point, has_capacity=payload.has_capacity, note=payload.note
    )
    return _point(request, point_id)


@router.delete("/directory/{point_id}", response={204: None})
def remove_contact_point(request: HttpRequest, point_id: int) -> tuple[int, None]:
    staff, point = _editable(request, point_id)
    actions_directory.do_remove_contact_point(actor=staff, point=point)
    return 204, None
