"""API for committees, ambitions and quality markers, with the same rules as the web pages.

Every staff member of the municipality reads them; results managers create
ambitions; an ambition's owner and the managers add markers; a marker's
responsible leader (and those who may edit its ambition) change it. 404 for
an ambition or marker of another municipality, 403 for one the caller may
read but not change; a rule the action refuses answers 422 with the field.

No ``from __future__ import annotations``: ninja reads the annotations at runtime.
"""

from typing import TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema

from helhed import policy
from helhed.lib.middleware import NO_NUL_PATTERN
from helhed.organisation.models import Staff, Unit
from helhed.results.actions import chain as actions
from helhed.results.models import Ambition, Committee, Indicator, Marker

router = Router(tags=["results: ambitions"])
M = TypeVar("M", bound=models.Model)


class CommitteeOut(Schema):
    id: int
    name: str
    description: str
    cadence: str
    report_due_days: int
    is_active: bool


class IndicatorRef(Schema):
    id: int
    code: str
    name: str


class UnitRef(Schema):
    id: int
    name: str


class MarkerOut(Schema):
    id: int
    ambition_id: int
    title: str
    description: str
    owner_id: int
    owner_name: str
    sort_order: int
    indicators: list[IndicatorRef]
    units: list[UnitRef]

    @staticmethod
    def resolve_owner_name(obj: Marker) -> str:
        return obj.owner.full_name

    @staticmethod
    def resolve_indicators(obj: Marker) -> list[Indicator]:
        return list(obj.indicators.all())

    @staticmethod
    def resolve_units(obj: Marker) -> list[Unit]:
        return list(obj.units.all())


class AmbitionOut(Schema):
    id: int
    committee_id: int
    title: str
    description: str
    first_year: int
    last_year: int
    owner_id: int
    is_active: bool
    cross_cutting: bool
    units: list[UnitRef]

    @staticmethod
    def resolve_units(obj: Ambition) -> list[Unit]:
        return list(obj.units.all())

    @staticmethod
    def resolve_cross_cutting(obj: Ambition) -> bool:
        return actions.is_cross_cutting(obj.units.all())


class AmbitionDetailOut(AmbitionOut):
    markers: list[MarkerOut]

    @staticmethod
    def resolve_markers(obj: Ambition) -> list[Marker]:
        return list(
            obj.markers.select_related("owner")
            .prefetch_related("indicators", "units")
            .order_by("sort_order", "pk")
        )


class AmbitionIn(Schema):
    committee_id: int
    title: str = Field(..., min_length=1, max_length=200, pattern=NO_NUL_PATTERN)
    description: str = Field("", max_length=20000, pattern=NO_NUL_PATTERN)
    first_year: int = Field(..., ge=1900, le=2200)
    last_year: int = Field(..., ge=1900, le=2200)
    owner_id: int
    unit_ids: list[int] = Field(..., max_length=200)


class MarkerIn(Schema):
    title: str = Field(..., min_length=1, max_length=200, pattern=NO_NUL_PATTERN)
    description: str = Field("", max_length=20000, pattern=NO_NUL_PATTERN)
    owner_id: int
    indicator_ids: list[int] = Field([], max_length=200)
    unit_ids: list[int] = Field([], max_length=200)


class MarkerPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200, pattern=NO_NUL_PATTERN)
    description: str | None = Field(None, max_length=20000, pattern=NO_NUL_PATTERN)
    owner_id: int | None = None
    indicator_ids: list[int] | None = Field(None, max_length=200)
    unit_ids: list[int] | None = Field(None, max_length=200)


def _staff(request: HttpRequest) -> Staff:
    staff = policy.staff_for(request.user)
    if staff is None:
        raise PermissionDenied("The results API is for the municipality's staff.")
    return staff


MAX_ID = 2**63 - 1


def _one(model: type[M], pk: int, field: str) -> M:
    """The row, or a 422 naming the field (a missing id is bad input, not a 404 page)."""
    found = model._default_manager.filter(pk=pk).first() if 0 < pk <= MAX_ID else None
    if found is None:
        raise ValidationError({field: f"No such id: {pk}."})
    return found


def _many(model: type[M], pks: list[int], field: str, municipality_id: int) -> list[M]:
    """The rows of the caller's municipality; another's is "no such id", its name untold."""
    # An id beyond the database's integers is no id (SQLite would raise on ``pk__in``).
    rows = model._default_manager.filter(
        pk__in=[pk for pk in pks if 0 < pk <= MAX_ID], municipality_id=municipality_id
    )
    found = {obj.pk: obj for obj in rows}
    missing = [pk for pk in pks if pk not in found]
    if missing:
        raise ValidationError({field: f"No such id: {', '.join(map(str, missing))}."})
    return [found[pk] for pk in dict.fromkeys(pks)]


@router.get("/committees", response=list[CommitteeOut])
def list_committees(request: HttpRequest) -> QuerySet[Committee]:
    """The committees of the caller's municipality."""
    _staff(request)
    return policy.visible_committees(request.user).order_by("name", "pk")


@router.get("/ambitions", response=list[AmbitionOut])
def list_ambitions(
    request: HttpRequest,
    committee: int | None = None,
    year: int | None = None,
    inactive: bool = False,
) -> QuerySet[Ambition]:
    """Ambitions, by committee and a year they cover; active ones unless ``inactive``."""
    _staff(request)
    ambitions = policy.visible_ambitions(request.user).prefetch_related("units")
    if committee is not None:
        ambitions = ambitions.filter(committee_id=committee)
    if year is not None:
        ambitions = ambitions.filter(first_year__lte=year, last_year__gte=year)
    if not inactive:
        ambitions = ambitions.filter(is_active=True)
    return ambitions.order_by("committee__name", "title", "pk")


@router.get("/ambitions/{ambition_id}", response=AmbitionDetailOut)
def get_ambition(request: HttpRequest, ambition_id: int) -> Ambition:
    """One ambition with its markers, their indicators and owners."""
    return policy.get_ambition_for_user(request.user, ambition_id)


@router.post("/ambitions", response={201: AmbitionDetailOut})
def create_ambition(request: HttpRequest, payload: AmbitionIn) -> tuple[int, Ambition]:
    """A results manager writes a committee's ambition."""
    staff = _staff(request)
    if not policy.can_manage_results(request.user, staff.municipality):
        raise PermissionDenied("Only analysts and the municipal director can do this.")
    committee = policy.visible_committees(request.user).filter(pk=payload.committee_id).first()
    if committee is None:
        raise ValidationError({"committee": f"No such committee: {payload.committee_id}."})
    ambition = actions.do_create_ambition(
        actor=staff,
        committee=committee,
        title=payload.title,
        description=payload.description,
        first_year=payload.first_year,
        last_year=payload.last_year,
        owner=_one(Staff, payload.owner_id, "owner"),
        units=_many(Unit, payload.unit_ids, "units", staff.municipality_id),
    )
    return 201, ambition


@router.post("/ambitions/{ambition_id}/markers", response={201: MarkerOut})
def create_marker(request: HttpRequest, ambition_id: int, payload: MarkerIn) -> tuple[int, Marker]:
    """Add a quality marker to an ambition (its owner and the results managers)."""
    ambition = policy.get_ambition_for_user(request.user, ambition_id)
    staff = _staff(request)
    if not policy.can_edit_ambition(request.user, ambition):
        raise PermissionDenied("Only the ambition's owner and the results managers can do this.")
    marker = actions.do_create_marker(
        actor=staff,
        ambition=ambition,
        title=payload.title,
        description=payload.description,
        owner=_one(Staff, payload.owner_id, "owner"),
        indicators=_many(Indicator, payload.indicator_ids, "indicators", staff.municipality_id),
        units=_many(Unit, payload.unit_ids, "units", staff.municipality_id),
    )
    return 201, _marker(marker.pk)


@router.patch("/markers/{marker_id}", response=MarkerOut)
def update_marker(request: HttpRequest, marker_id: int, payload: MarkerPatch) -> Marker:
    """Change a quality marker; fields left out are kept."""
    marker = policy.get_marker_for_user(request.user, marker_id)
    staff = _staff(request)
    if not policy.can_edit_marker(request.user, marker):
        raise PermissionDenied("Only the marker's responsible leader can do this.")
    actions.do_update_marker(
        actor=staff,
        marker=marker,
        title=payload.title,
        description=payload.description,
        owner=_one(Staff, payload.owner_id, "owner") if payload.owner_id is not None else None,
        indicators=_many(Indicator, payload.indicator_ids, "indicators", staff.municipality_id)
        if payload.indicator_ids is not None
        else None,
        units=_many(Unit, payload.unit_ids, "units", staff.municipality_id)
        if payload.unit_ids is not None
        else None,
    )
    return _marker(marker.pk)


def _marker(marker_id: int) -> Marker:
    return (
        Marker.objects.select_related("owner")
        .prefetch_related(
            Prefetch("indicators", queryset=Indicator.objects.order_by("name")), "units"
        )
        .get(pk=marker_id)
    )
