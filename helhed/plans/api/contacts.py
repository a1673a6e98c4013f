"""API: contacts and the contact map. Same rules as the web pages (helhed.policy).

* ``POST /api/contacts``: log a contact with a citizen you may see (404
  otherwise), for one of your units today; bad input 422.
* ``GET /api/contacts/citizens/{id}``: the citizen's contacts of the last 12
  months; ``GET /api/contacts/citizens/{id}/map``: the contact map. Both are
  reads of the citizen (audited), 404 for anyone who may not see them.
* ``GET /api/contacts/to-see``: contacts by other units with the families you
  coordinate; ``POST /api/contacts/{id}/seen``: only that coordinator (403 for
  others who see the contact, 404 for the rest).

No ``from __future__ import annotations``: ninja reads the annotations at runtime.
"""

import datetime as dt
from typing import Any, Literal

from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from helhed import policy
from helhed.lib.middleware import NO_NUL_PATTERN
from helhed.lib.pagination import AuditedPages
from helhed.lib.validity import today
from helhed.organisation.models import Staff
from helhed.plans.actions import contacts as actions
from helhed.plans.models import Contact

router = Router(tags=["plans: contacts"])

MAX_ID = 2**63 - 1


def _readable(contact: Contact) -> bool:
    """Set by ``_with_readable``; rows without it are of a citizen the user was just handed."""
    return bool(getattr(contact, "readable", True))


class ContactOut(Schema):
    id: int
    citizen_id: int | None = Field(None, description="Empty when you may no longer see them.")
    citizen_name: str | None = None
    staff_id: int
    staff: str
    unit_id: int
    unit: str
    contacted_on: dt.date
    channel: str
    purpose: str | None = Field(None, description="Empty when you may no longer see them.")
    coordinator_id: int | None
    coordinator: str | None
    coordinator_seen_on: dt.date | None

    @staticmethod
    def resolve_citizen_id(obj: Contact) -> int | None:
        return obj.citizen_id if _readable(obj) else None

    @staticmethod
    def resolve_citizen_name(obj: Contact) -> str | None:
        return obj.citizen.full_name if _readable(obj) else None

    @staticmethod
    def resolve_staff(obj: Contact) -> str:
        return obj.staff.full_name

    @staticmethod
    def resolve_unit(obj: Contact) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_purpose(obj: Contact) -> str | None:
        return obj.purpose if _readable(obj) else None

    @staticmethod
    def resolve_coordinator(obj: Contact) -> str | None:
        return obj.coordinator.full_name if obj.coordinator else None


class ContactIn(Schema):
    citizen_id: int = Field(..., ge=1, le=MAX_ID)
    unit_id: int = Field(..., ge=1, le=MAX_ID)
    contacted_on: dt.date | None = Field(None, description="Today when left out; not later.")
    channel: Contact.Channel
    purpose: str = Field(..., min_length=1, max_length=actions.PURPOSE_MAX, pattern=NO_NUL_PATTERN)


class MapPersonOut(Schema):
    staff_id: int
    name: str
    relations: list[str]
    last_contact: dt.date | None


class MapGroupOut(Schema):
    unit_id: int | None
    unit: str | None
    sector: str | None
    relations: list[str]
    people: list[MapPersonOut]
    last_contact: dt.date | None


class ContactMapOut(Schema):
    citizen_id: int
    since: dt.date
    coordinator_ids: list[int]
    groups: list[MapGroupOut]


def _staff(request: HttpRequest) -> Staff:
    staff = policy.staff_for(request.user)
    if staff is None:
        raise HttpError(404, "No staff record")
    return staff


def _with_readable(request: HttpRequest, contacts: QuerySet[Contact]) -> QuerySet[Contact]:
    readable = policy.visible_citizens(request.user).filter(pk=OuterRef("citizen_id"))
    return contacts.annotate(readable=Exists(readable)).select_related(
        "citizen", "staff", "unit", "coordinator"
    )


@router.post("", response={201: ContactOut})
def log_contact(request: HttpRequest, payload: ContactIn) -> tuple[int, Contact]:
    """Log a contact; a coordinator of record in another unit is told."""
    staff = _staff(request)
    citizen = policy.get_citizen_for_contact_map(request.user, payload.citizen_id)
    unit = policy.visible_units(request.user).filter(pk=payload.unit_id).first()
    contact = actions.do_log_contact(
        actor=staff,
        citizen=citizen,
        unit=unit,
        contacted_on=payload.contacted_on or today(),
        channel=payload.channel,
        purpose=payload.purpose,
    )
    return 201, contact


@router.get("/to-see", response=list[ContactOut])
@paginate(
    AuditedPages,
    page_size=50,
    what="api:contacts_to_see",
    citizens=lambda rows: [c.citizen_id for c in rows if _readable(c)],
)
def list_to_see(
    request: HttpRequest, show: Literal["unseen", "seen", "all"] = "unseen"
) -> QuerySet[Contact]:
    """Contacts by other units with the citizens whose plan you coordinate."""
    contacts = policy.contacts_sent_to(request.user)
    if show == "unseen":
        contacts = contacts.filter(coordinator_seen_on__isnull=True)
    elif show == "seen":
        contacts = contacts.filter(coordinator_seen_on__isnull=False)
    return _with_readable(request, contacts).order_by("-contacted_on", "-pk")


@router.get("/citizens/{citizen_id}", response=list[ContactOut])
@paginate(
    AuditedPages,
    page_size=50,
    what="api:contacts",
    citizens=lambda rows: [c.citizen_id for c in rows],
)
def list_for_citizen(request: HttpRequest, citizen_id: int) -> QuerySet[Contact]:
    """The citizen's contacts of the last 12 months, newest first."""
    citizen = policy.get_citizen_for_contact_map(request.user, citizen_id)
    return actions.recent_contacts(citizen)


@router.get("/citizens/{citizen_id}/map", response=ContactMapOut)
def citizen_map(request: HttpRequest, citizen_id: int) -> dict[str, Any]:
    """Every professional and unit in touch with the citizen, by sector and unit."""
    citizen = policy.get_citizen_for_contact_map(request.user, citizen_id)
    the_map = actions.contact_map(citizen)
    return {
        "citizen_id": citizen.pk,
        "since": the_map.since,
        "coordinator_ids": [c.pk for c in the_map.coordinators],
        "groups": [
            {
                "unit_id": g.unit.pk if g.unit else None,
                "unit": g.unit.name if g.unit else None,
                "sector": g.sector.code if g.sector else None,
                "relations": g.relations,
                "last_contact": g.last_contact,
                "people": [
                    {
                        "staff_id": p.staff.pk if p.staff else 0,
                        "name": p.name,
                        "relations": p.relations,
                        "last_contact": p.last_contact,
                    }
                    for p in g.person_list
                ],
            }
            for g in the_map.groups
        ],
    }


@router.get("/{contact_id}", response=ContactOut)
def get_contact(request: HttpRequest, contact_id: int) -> Contact:
    if contact_id > MAX_ID:
        raise HttpError(404, "No such contact")
    policy.get_contact_for_user(request.user, contact_id)
    return _with_readable(request, Contact.objects.filter(pk=contact_id)).get()


@router.post("/{contact_id}/seen", response=ContactOut)
def mark_seen(request: HttpRequest, contact_id: int) -> Contact:
    """Mark a contact seen: only the coordinator it was sent to."""
    if contact_id > MAX_ID:
        raise HttpError(404, "No such contact")
    staff = _staff(request)
    contact = policy.get_contact_for_user(request.user, contact_id)
    actions.do_mark_contact_seen(actor=staff, contact=contact)
    return _with_readable(request, Contact.objects.filter(pk=contact_id)).get()
