"""API of the documentation register, with the same rules as the web pages (helhed.policy).

Requirements are read by the municipality's staff (404 outside it),
registered by leaders and analysts (403 for others) and dropped by a leader of
the owning unit or above (403 for others). Any staff member records a use of a
requirement's data or of an indicator of the results catalogue; the recorder,
an analyst or a leader above ends it. Bad input answers 422.

No ``from __future__ import annotations``: ninja reads the annotations at runtime.
"""

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from helhed import policy
from helhed.leadership.actions import documentation as actions
from helhed.leadership.models import DataUse, DocumentationRequirement
from helhed.lib.middleware import NO_NUL_PATTERN
from helhed.lib.pagination import BoundedPages
from helhed.lib.validity import today
from helhed.organisation.models import Staff
from helhed.results.models import Indicator

router = Router(tags=["leadership: documentation"])

MAX_ID = 2**63 - 1


class RequirementOut(Schema):
    id: int
    title: str
    kind: str
    system: str
    status: str
    legal_basis: str
    owner_id: int
    owning_unit_id: int
    owning_unit: str
    minutes_per_case: int
    cases_per_year: int
    hours_per_year: float = Field(..., description="Minutes per case x cases per year / 60.")
    in_use: bool = Field(..., description="Whether a use of the data is in force today.")
    nice_to_know: bool = Field(..., description="Active, no legal basis and no use in force.")

    @staticmethod
    def resolve_owning_unit(requirement: DocumentationRequirement) -> str:
        return requirement.owning_unit.name

    @staticmethod
    def resolve_hours_per_year(requirement: DocumentationRequirement) -> float:
        return float(requirement.hours_per_year)


class UseOut(Schema):
    id: int
    requirement_id: int | None
    indicator_id: int | None
    user_description: str
    used_for: str
    recorded_by_id: int
    recorded_on: dt.date
    ended_on: dt.date | None
    in_force: bool

    @staticmethod
    def resolve_in_force(use: DataUse) -> bool:
        return use.in_force()


class RequirementDetailOut(RequirementOut):
    purpose: str
    unit_ids: list[int]
    dropped_on: dt.date | None
    dropped_by_id: int | None
    drop_reason: str
    uses: list[UseOut]


class TotalsOut(Schema):
    active_count: int
    active_hours: float
    nice_count: int
    nice_hours: float
    dropped_count: int
    saved_hours: float = Field(..., description="Yearly hours of the dropped requirements.")


class IndicatorUsesOut(Schema):
    id: int
    code: str
    name: str
    is_active: bool
    in_use: bool
    nice_to_know: bool = Field(..., description="Active and no use in force.")


class RequirementIn(Schema):
    title: str = Field(..., min_length=1, max_length=200, pattern=NO_NUL_PATTERN)
    kind: Literal["form", "field", "report"]
    system: str = Field("", max_length=120, pattern=NO_NUL_PATTERN)
    purpose: str = Field(..., min_length=1, max_length=actions.MAX_TEXT, pattern=NO_NUL_PATTERN)
    legal_basis: str = Field("", max_length=200, pattern=NO_NUL_PATTERN)
    owner_id: int = Field(..., ge=1, le=MAX_ID)
    owning_unit_id: int = Field(..., ge=1, le=MAX_ID)
    unit_ids: list[int] = Field(default_factory=list, max_length=500)
    minutes_per_case: int = Field(..., ge=1, le=actions.MAX_MINUTES)
    cases_per_year: int = Field(..., ge=0, le=actions.MAX_CASES)


class UseIn(Schema):
    requirement_id: int | None = Field(None, ge=1, le=MAX_ID)
    indicator_id: int | None = Field(None, ge=1, le=MAX_ID)
    user_description: str = Field(..., min_length=1, max_length=200, pattern=NO_NUL_PATTERN)
    used_for: str = Field(..., min_length=1, max_length=actions.MAX_TEXT, pattern=NO_NUL_PATTERN)


class EndUseIn(Schema):
    ended_on: dt.date | None = Field(None, description="Today when left out.")


class DropIn(Schema):
    reason: str = Field(..., min_length=1, max_length=actions.MAX_TEXT, pattern=NO_NUL_PATTERN)


def _staff(request: HttpRequest) -> Staff:
    staff = policy.staff_for(request.user)
    if staff is None or not policy.has_staff_role(request.user):
        raise HttpError(404, "No staff role")
    return staff


def _detail(requirement: DocumentationRequirement) -> DocumentationRequirement:
    """The requirement read afresh, with its flags, unit ids and uses (latest first)."""
    flagged = (
        actions.with_flags(DocumentationRequirement.objects.filter(pk=requirement.pk))
        .select_related("owning_unit")
        .prefetch_related("uses")
        .get()
    )
    flagged.unit_ids = sorted(flagged.units.values_list("pk", flat=True))  # type: ignore[attr-defined]
    return flagged


@router.get("", response=list[RequirementOut])
@paginate(BoundedPages, page_size=50)
def list_requirements(
    request: HttpRequest,
    q: str = "",
    status: Literal["active", "dropped"] | None = None,
    kind: Literal["form", "field", "report"] | None = None,
    nice_to_know: bool | None = None,
    order: Literal["title", "hours"] = "title",
) -> QuerySet[DocumentationRequirement]:
    """The municipality's requirements, with hours a year and the nice-to-know flag."""
    requirements = actions.with_flags(policy.visible_requirements(request.user))
    for word in q[:100].split():
        requirements = requirements.filter(
            Q(title__icontains=word) | Q(purpose__icontains=word) | Q(system__icontains=word)
        )
    if status:
        requirements = requirements.filter(status=status)
    if kind:
        requirements = requirements.filter(kind=kind)
    if nice_to_know is not None:
        requirements = requirements.filter(nice_to_know=nice_to_know)
    requirements = requirements.select_related("owning_unit")
    if order == "hours":
        return actions.by_cost(requirements)
    return requirements.order_by("title", "pk")


@router.get("/totals", response=TotalsOut)
def totals(request: HttpRequest) -> dict[str, Any]:
    """Hours a year of the active requirements, of the nice-to-know ones, and hours saved."""
    found = actions.documentation_totals(_staff(request).municipality)
    return {
        "active_count": found.active_count,
        "active_hours": float(found.active_hours),
        "nice_count": found.nice_count,
        "nice_hours": float(found.nice_hours),
        "dropped_count": found.dropped_count,
        "saved_hours": float(found.saved_hours),
    }


@router.post("", response={201: RequirementDetailOut})
def register_requirement(
    request: HttpRequest, payload: RequirementIn
) -> tuple[int, DocumentationRequirement]:
    """Register a requirement (leaders and analysts)."""
    staff = _staff(request)
    if not policy.can_register_requirement(request.user):
        raise PermissionDenied("Only leaders and analysts register documentation requirements.")
    owner = policy.visible_staff(request.user).filter(pk=payload.owner_id).first()
    if owner is None:
        raise ValidationError({"owner": "No such staff member in the municipality."})
    units = policy.visible_units(request.user).valid_on(today())
    owning_unit = units.filter(pk=payload.owning_unit_id).first()
    if owning_unit is None:
        raise ValidationError({"owning_unit": "No such current unit in the municipality."})
    if any(not 1 <= pk <= MAX_ID for pk in payload.unit_ids):
        raise ValidationError({"units": "An id is out of range."})
    unit_ids = list(dict.fromkeys(payload.unit_ids))
    bound = list(units.filter(pk__in=unit_ids))
    if len(bound) != len(unit_ids):
        raise ValidationError({"units": "No such current unit in the municipality."})
    requirement = actions.do_register_requirement(
        actor=staff,
        title=payload.title,
        kind=payload.kind,
        system=payload.system,
        purpose=payload.purpose,
        legal_basis=payload.legal_basis,
        owner=owner,
        owning_unit=owning_unit,
        units=bound,
        minutes_per_case=payload.minutes_per_case,
        cases_per_year=payload.cases_per_year,
    )
    return 201, _detail(requirement)


@router.get("/indicators", response=list[IndicatorUsesOut])
@paginate(BoundedPages, page_size=50)
def list_indicators(
    request: HttpRequest, q: str = "", nice_to_know: bool | None = None
) -> QuerySet[Indicator]:
    """The results catalogue's indicators with whether anybody uses them."""
    indicators = actions.indicators_with_use_flags(policy.documentation_indicators(request.user))
    for word in q[:100].split():
        indicators = indicators.filter(Q(name__icontains=word) | Q(code__icontains=word))
    if nice_to_know is not None:
        indicators = indicators.filter(nice_to_know=nice_to_know)
    return indicators.order_by("-is_active", "name", "pk")


@router.get("/indicators/{indicator_id}/uses", response=list[UseOut])
def indicator_uses(request: HttpRequest, indicator_id: int) -> list[DataUse]:
    """Who uses an indicator, and for what (ended uses too, with their end date)."""
    indicator = policy.get_documentation_indicator_for_user(request.user, indicator_id)
    return list(indicator.uses.order_by("ended_on", "-recorded_on", "-pk"))


@router.post("/uses", response={201: UseOut})
def record_use(request: HttpRequest, payload: UseIn) -> tuple[int, DataUse]:
    """Record who uses a requirement's data or an indicator (give one of the two ids)."""
    staff = _staff(request)
    if (payload.requirement_id is None) == (payload.indicator_id is None):
        raise ValidationError("Give either requirement_id or indicator_id.")
    requirement = indicator = None
    if payload.requirement_id is not None:
        requirement = policy.get_requirement_for_user(request.user, payload.requirement_id)
    else:
        assert payload.indicator_id is not None  # noqa: S101 - narrowed above
        indicator = policy.get_documentation_indicator_for_user(request.user, payload.indicator_id)
    if not policy.can_record_data_use(request.user):
        raise PermissionDenied("Only staff of the municipality record uses of data.")
    use = actions.do_record_data_use(
        actor=staff,
        requirement=requirement,
        indicator=indicator,
        user_description=payload.user_description,
        used_for=payload.used_for,
    )
    return 201, use


@router.post("/uses/{use_id}/end", response=UseOut)
def end_use(request: HttpRequest, use_id: int, payload: EndUseIn) -> DataUse:
    """Record the day the data is no longer used (today by default)."""
    staff = _staff(request)
    use = policy.get_data_use_for_user(request.user, use_id)
    if not policy.can_end_data_use(request.user, use):
        raise PermissionDenied("Only whoever recorded the use, an analyst or a leader above.")
    return actions.do_end_data_use(actor=staff, use=use, ended_on=payload.ended_on)


@router.get("/{requirement_id}", response=RequirementDetailOut)
def get_requirement(request: HttpRequest, requirement_id: int) -> DocumentationRequirement:
    """One requirement with its uses."""
    return _detail(policy.get_requirement_for_user(request.user, requirement_id))


@router.post("/{requirement_id}/drop", response=RequirementDetailOut)
def drop_requirement(
    request: HttpRequest, requirement_id: int, payload: DropIn
) -> DocumentationRequirement:
    """Drop a requirement with a reason (a leader of the owning unit or above)."""
    requirement = policy.get_requirement_for_user(request.user, requirement_id)
    if not policy.can_drop_requirement(request.user, requirement):
        raise PermissionDenied("Only a leader of the owning unit, or above it, drops it.")
    actions.do_drop_requirement(
        actor=_staff(request), requirement=requirement, reason=payload.reason
    )
    return _detail(requirement)
