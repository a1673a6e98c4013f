"""API endpoints for citizens. Only citizens the policy lets the user see exist here."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from helhed import policy
from helhed.audit import trail
from helhed.citizens import actions
from helhed.citizens import cpr as cprlib
from helhed.citizens.models import Citizen, Consent, Engagement
from helhed.lib.middleware import NO_NUL_PATTERN
from helhed.lib.pagination import AuditedPages
from helhed.lib.validity import today
from helhed.organisation.models import Municipality, Sector, Staff

router = Router(tags=["citizens"])
# Withdrawing names the consent alone (/api/consents/{id}/withdraw), so it has a router of its own.
consents_router = Router(tags=["consents"])

# The largest id the database holds (a signed 64-bit integer).
MAX_ID = 2**63 - 1


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
@paginate(
    AuditedPages,
    page_size=50,
    what="api:citizens",
    citizens=lambda rows: [c.pk for c in rows],
    search="q",
)
def list_citizens(request: HttpRequest, q: str = "") -> QuerySet[Citizen]:
    """Citizens the user works with today; search by name or full CPR number."""
    return policy.visible_citizens(request.user).search(q).select_related("municipality")


class EmergencyAccessIn(Schema):
    cpr: str = Field(
        ..., max_length=20, pattern=NO_NUL_PATTERN, description="DDMMYY-SSSS or ten digits."
    )
    reason: str = Field(
        ...,
        max_length=300,
        pattern=NO_NUL_PATTERN,
        description=f"Why, in at least {actions.BREAK_GLASS_MIN_REASON} characters; "
        "your leader reviews it.",
    )


class EmergencyAccessOut(Schema):
    citizen_id: int
    valid_to: dt.date


# Registered before "/{citizen_id}": that path would otherwise match "emergency-access" first.
@router.post("/emergency-access", response={201: EmergencyAccessOut})
def break_glass(request: HttpRequest, payload: EmergencyAccessIn) -> tuple[int, dict[str, object]]:
    """Open a citizen of your municipality for the rest of today, on a stated reason.

    For staff on call (a role that may break the glass). The access and the
    reason are logged for your leader's review. The CPR number travels in the
    body only, and an unknown number gets the same answer whether or not the
    person lives in another municipality.
    """
    if policy.family_citizen(request.user) is not None:
        raise HttpError(404, "Not Found")
    staff = policy.staff_for(request.user)
    if staff is None or not policy.can_break_glass(request.user):
        raise PermissionDenied(_("Only staff on call may open a citizen in an emergency."))
    try:
        number = cprlib.parse(payload.cpr).formatted
    except ValidationError as exc:
        raise ValidationError({"cpr": exc.error_list}) from exc
    citizen = policy.find_citizen_for_break_glass(request.user, number)
    if citizen is None:
        raise ValidationError(
            {"cpr": _("No citizen with this CPR number is registered in your municipality.")}
        )
    engagement = actions.do_break_glass(actor=staff, citizen=citizen, reason=payload.reason)
    return 201, {"citizen_id": citizen.pk, "valid_to": engagement.valid_to}


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


# --------------------------------------------------------------------------- consents


class ConsentOut(Schema):
    id: int
    citizen_id: int
    sector_ids: list[int]
    sectors: list[str] = Field(..., description="Sector codes.")
    purpose: str
    given_by_id: int
    given_by: str
    given_on: dt.date
    expires_on: dt.date | None
    withdrawn_on: dt.date | None
    active: bool = Field(..., description="In force today.")
    engagements: int = Field(..., description="How many engagements rest on the consent.")


class ConsentIn(Schema):
    sector_ids: list[int] = Field(..., max_length=50, description="The sectors covered.")
    purpose: str = Field(..., max_length=300, pattern=NO_NUL_PATTERN)
    given_by_id: int = Field(..., description="The citizen or one of their guardians.")
    given_on: dt.date | None = Field(None, description="Left out: today. Never in the future.")
    expires_on: dt.date | None = Field(None, description="Not before ``given_on``.")


class ConsentWithdrawIn(Schema):
    withdrawn_on: dt.date | None = Field(
        None, description="Left out: today. Never in the future, never before it was given."
    )


# The actions name model fields; the API names ids.
_API_FIELDS = {"sectors": "sector_ids", "given_by": "given_by_id"}


def _api_errors(exc: ValidationError) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({_API_FIELDS.get(k, k): v for k, v in exc.error_dict.items()})


def _consent_out(consent: Consent) -> ConsentOut:
    sectors = sorted(consent.sectors.all(), key=lambda s: (s.sort_order, s.code))
    count = getattr(consent, "engagement_count", None)
    return ConsentOut(
        id=consent.pk,
        citizen_id=consent.citizen_id,
        sector_ids=[s.pk for s in sectors],
        sectors=[s.code for s in sectors],
        purpose=consent.purpose,
        given_by_id=consent.given_by_id,
        given_by=consent.given_by.full_name,
        given_on=consent.given_on,
        expires_on=consent.expires_on,
        withdrawn_on=consent.withdrawn_on,
        active=consent.is_active(today()),
        engagements=count if count is not None else consent.engagements.count(),
    )


def _consents(citizen: Citizen) -> QuerySet[Consent]:
    return (
        Consent.objects.filter(citizen=citizen)
        .select_related("given_by")
        .prefetch_related("sectors")
        .annotate(engagement_count=Count("engagements"))
        .order_by("-given_on", "-pk")
    )


def _consent_staff(request: HttpRequest, citizen: Citizen) -> Staff:
    staff = policy.staff_for(request.user)
    if staff is None or not policy.can_manage_consents(request.user, citizen):
        raise PermissionDenied(
            _("Only front-line staff who work with the citizen can record or withdraw consents.")
        )
    return staff


@router.get("/{citizen_id}/consents", response=list[ConsentOut])
def list_consents(request: HttpRequest, citizen_id: int) -> list[ConsentOut]:
    """The citizen's consents to share data across sectors, newest first."""
    citizen = policy.get_citizen_for_user(request.user, citizen_id)
    consents = [_consent_out(c) for c in _consents(citizen)]
    # Each consent names who gave it, a guardian perhaps, as the citizen's page does.
    givers = [c.given_by_id for c in consents if c.given_by_id != citizen.pk]
    trail.log_list(request.user, givers, what="api:citizen_consents")
    return consents


@router.post("/{citizen_id}/consents", response={201: ConsentOut})
def record_consent(
    request: HttpRequest, citizen_id: int, payload: ConsentIn
) -> tuple[int, ConsentOut]:
    """Record a consent given by the citizen or a guardian (front-line staff who see them)."""
    citizen = policy.get_citizen_for_user(request.user, citizen_id)
    staff = _consent_staff(request, citizen)
    wanted = set(payload.sector_ids)
    sectors = list(
        Sector.objects.filter(active=True, pk__in=[pk for pk in wanted if 0 < pk <= MAX_ID])
    )
    missing = sorted(wanted - {s.pk for s in sectors})
    errors: dict[str, str] = {}
    if missing:
        errors["sector_ids"] = _("No such sector: %(ids)s.") % {"ids": ", ".join(map(str, missing))}
    family = Citizen.objects.filter(Q(pk=citizen.pk) | Q(pk__in=citizen.guardians().values("pk")))
    given_by = family.filter(pk=payload.given_by_id).first()
    if given_by is None:
        errors["given_by_id"] = _("Consent can be given only by the citizen or a guardian.")
    if errors or given_by is None:
        raise ValidationError(errors)
    try:
        consent = actions.do_record_consent(
            actor=staff,
            citizen=citizen,
            sectors=sectors,
            purpose=payload.purpose,
            given_by=given_by,
            given_on=payload.given_on,
            expires_on=payload.expires_on,
        )
    except ValidationError as exc:
        raise _api_errors(exc) from exc
    return 201, _consent_out(consent)


@consents_router.post("/{consent_id}/withdraw", response=ConsentOut)
def withdraw_consent(
    request: HttpRequest, consent_id: int, payload: ConsentWithdrawIn | None = None
) -> ConsentOut:
    """Withdraw a consent (today unless said otherwise); the access resting on it closes at once.

    Front-line staff who see the citizen, and a family login for a consent it
    gave or one about itself or a child in its care.
    """
    consent = policy.get_consent_for_user(request.user, consent_id)
    if not policy.may_withdraw_consent(request.user, consent):
        raise PermissionDenied(
            _("Only front-line staff who work with the citizen can record or withdraw consents.")
        )
    withdrawn = actions.do_withdraw_consent(
        consent=consent, withdrawn_on=payload.withdrawn_on if payload is not None else None
    )
    return _consent_out(withdrawn)
