"""Contacts with a citizen, the coordinator of record, and the contact map ("the red thread").

A professional logs a contact with a citizen they may see, for one of their
units today. When the citizen has a coordinator of record (the coordinator of
their active plan) and the contact comes from a unit where that coordinator
holds no role today, the contact is sent to the coordinator: it waits on their
list "Contacts with your families" until they mark it seen, and they get an
e-mail that names neither the citizen nor anything about them.

The contact map gathers everyone in touch with the citizen: engagements valid
today, the active plan's coordinator and participants, the units of open and
accepted referrals, and the contacts logged in the last 12 months, grouped by
sector and unit with the date of the last contact.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from helhed import policy
from helhed.citizens.models import Citizen, Engagement
from helhed.lib.logfilter import CPR_SHAPE
from helhed.lib.validity import today
from helhed.organisation.models import RoleAssignment, Sector, Staff, Unit
from helhed.plans.models import Contact, Participant, Plan, Referral

logger = logging.getLogger(__name__)

PURPOSE_MAX = 200
MAP_MONTHS = 12
MAP_DAYS = 365


def _validate(
    actor: Staff, unit: Unit | None, contacted_on: dt.date | None, channel: str, purpose: str
) -> str:
    """Check the input and return the cleaned purpose; all errors at once, by field."""
    errors: dict[str, list[str]] = {}
    if unit is None or not policy.contact_units(actor.user).filter(pk=unit.pk).exists():
        errors["unit"] = [_("Choose one of the units where you work today.")]
    if contacted_on is None:
        errors["contacted_on"] = [_("Say when the contact was.")]
    elif contacted_on > today():
        errors["contacted_on"] = [_("A contact cannot be logged for a day in the future.")]
    if channel not in Contact.Channel.values:
        errors["channel"] = [_("Choose how the contact was made.")]
    cleaned = " ".join(purpose.split())
    if not cleaned:
        errors["purpose"] = [_("Say in a few words what the contact was about.")]
    elif len(cleaned) > PURPOSE_MAX:
        errors["purpose"] = [
            _("Keep the purpose to %(n)s characters; the details belong in the case.")
            % {"n": PURPOSE_MAX}
        ]
    elif CPR_SHAPE.search(cleaned):
        errors["purpose"] = [_("Leave CPR numbers out of the purpose.")]
    if errors:
        raise ValidationError(errors)
    return cleaned


def coordinators_to_tell(citizen: Citizen, actor: Staff, unit: Unit) -> list[Staff]:
    """The coordinators of record who do not work in the unit the contact came from."""
    return [
        coordinator
        for coordinator in policy.coordinators_of_record(citizen).order_by("pk")
        if coordinator.pk != actor.pk and not policy.works_in_unit(coordinator, unit)
    ]


@transaction.atomic
def do_log_contact(
    *,
    actor: Staff,
    citizen: Citizen,
    unit: Unit | None,
    contacted_on: dt.date | None,
    channel: str,
    purpose: str,
) -> Contact:
    """Log a contact; a coordinator of record in another unit is told (list and e-mail).

    A citizen has one active plan, so one coordinator at most; were there
    several, each gets their own copy to mark seen. Returns the (first) contact.
    """
    if not policy.can_log_contact(actor.user, citizen):
        raise PermissionDenied(_("You can log contacts only with citizens you work with."))
    cleaned = _validate(actor, unit, contacted_on, channel, purpose)
    assert unit is not None and contacted_on is not None  # noqa: S101 - checked by _validate
    coordinators: list[Staff | None] = list(coordinators_to_tell(citizen, actor, unit)) or [None]
    contacts = []
    for coordinator in coordinators:
        contact = Contact(
            citizen=citizen,
            staff=actor,
            unit=unit,
            contacted_on=contacted_on,
            channel=channel,
            purpose=cleaned,
            coordinator=coordinator,
        )
        contact.full_clean()
        contact.save()
        contacts.append(contact)
        if coordinator is not None and coordinator.email:
            transaction.on_commit(partial(notify_coordinator, coordinator.email))
    return contacts[0]


def notify_coordinator(address: str) -> bool:
    """E-mail a coordinator that a contact waits; no name, CPR or purpose in it.

    Sent after the contact is saved; a failing mail server does not undo the
    contact, which waits on the coordinator's list either way.
    """
    # Written in the municipality's language, like every message it sends.
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Helhed: a new contact with a family you coordinate")
        body = _(
            "Someone from another unit has been in contact with a family you coordinate.\n\n"
            "Open Helhed and see “Contacts with your families”: %(path)s\n"
        ) % {"path": reverse("plans:contacts_to_see")}
    try:
        send_mail(subject, body, None, [address])
    except (OSError, smtplib.SMTPException):
        logger.warning("The e-mail about a new contact could not be sent", exc_info=True)
        return False
    return True


@transaction.atomic
def do_mark_contact_seen(*, actor: Staff, contact: Contact) -> Contact:
    """The coordinator marks a contact seen; marking it again changes nothing."""
    if not policy.can_mark_contact_seen(actor.user, contact):
        raise PermissionDenied(_("Only the coordinator the contact was sent to marks it seen."))
    locked = Contact.objects.select_for_update().get(pk=contact.pk)
    if locked.coordinator_seen_on is None:
        locked.coordinator_seen_on = today()
        locked.save(update_fields=["coordinator_seen_on"])
    return locked


def search_contacts(contacts: QuerySet[Contact], query: str) -> QuerySet[Contact]:
    """Every word in the citizen's name, the unit, the professional or the purpose."""
    for word in query.split():
        contacts = contacts.filter(
            Q(citizen__first_name__icontains=word)
            | Q(citizen__last_name__icontains=word)
            | Q(unit__name__icontains=word)
            | Q(staff__first_name__icontains=word)
            | Q(staff__last_name__icontains=word)
            | Q(purpose__icontains=word)
        )
    return contacts


def recent_contacts(citizen: Citizen, on: dt.date | None = None) -> QuerySet[Contact]:
    """The citizen's contacts of the last 12 months, newest first."""
    on = on or today()
    return (
        Contact.objects.filter(citizen=citizen, contacted_on__gt=on - dt.timedelta(days=MAP_DAYS))
        .select_related("staff", "unit", "unit__sector", "coordinator")
        .order_by("-contacted_on", "-pk")
    )


# --------------------------------------------------------------------------- the contact map


@dataclass
class MapPerson:
    """A professional in touch with the citizen through one unit."""

    staff: Staff | None
    relations: list[str] = field(default_factory=list)
    last_contact: dt.date | None = None

    @property
    def name(self) -> str:
        return self.staff.full_name if self.staff else ""


@dataclass
class MapGroup:
    """A unit in touch with the citizen, and the people there."""

    unit: Unit | None
    relations: list[str] = field(default_factory=list)
    people: dict[int | None, MapPerson] = field(default_factory=dict)
    last_contact: dt.date | None = None

    @property
    def sector(self) -> Sector | None:
        return self.unit.sector if self.unit is not None else None

    @property
    def sector_name(self) -> str:
        return self.sector.name if self.sector else ""

    @property
    def person_list(self) -> list[MapPerson]:
        return sorted(
            (p for p in self.people.values() if p.staff is not None),
            key=lambda p: p.name,
        )


@dataclass
class ContactMap:
    groups: list[MapGroup]
    coordinators: list[Staff]
    since: dt.date

    @property
    def unit_count(self) -> int:
        return sum(1 for g in self.groups if g.unit is not None)

    @property
    def people_count(self) -> int:
        return len({p.staff.pk for g in self.groups for p in g.person_list if p.staff})


class _Builder:
    def __init__(self, on: dt.date) -> None:
        self.on = on
        self.groups: dict[int | None, MapGroup] = {}
        self._home_units: dict[int, Unit | None] = {}

    def home_unit(self, staff: Staff) -> Unit | None:
        """Where a staff member without a unit in the relation works today (first role)."""
        if staff.pk not in self._home_units:
            assignment = (
                RoleAssignment.objects.valid_on(self.on)
                .filter(staff=staff, role__kind__in=["frontline", "leader"])
                .select_related("unit", "unit__sector")
                .order_by("unit__path")
                .first()
            )
            self._home_units[staff.pk] = assignment.unit if assignment else None
        return self._home_units[staff.pk]

    def add(
        self,
        unit: Unit | None,
        staff: Staff | None,
        relation: str,
        contacted_on: dt.date | None = None,
    ) -> None:
        if unit is None and staff is not None:
            unit = self.home_unit(staff)
        key = unit.pk if unit is not None else None
        group = self.groups.setdefault(key, MapGroup(unit=unit))
        if staff is None:
            if relation not in group.relations:
                group.relations.append(relation)
        else:
            person = group.people.setdefault(staff.pk, MapPerson(staff=staff))
            if relation not in person.relations:
                person.relations.append(relation)
            person.last_contact = _later(person.last_contact, contacted_on)
        group.last_contact = _later(group.last_contact, contacted_on)


def _later(first: dt.date | None, second: dt.date | None) -> dt.date | None:
    if first is None:
        return second
    if second is None:
        return first
    return max(first, second)


def contact_map(citizen: Citizen, on: dt.date | None = None) -> ContactMap:
    """Everyone in touch with ``citizen`` today and in the last 12 months, by sector and unit.

    Call it only for a citizen the user may see (``policy.get_citizen_for_contact_map``).
    """
    on = on or today()
    since = on - dt.timedelta(days=MAP_DAYS)
    build = _Builder(on)
    engagements = (
        Engagement.objects.valid_on(on)
        .filter(citizen=citizen)
        .exclude(kind=Engagement.Kind.EMERGENCY)
        .select_related("staff", "unit", "unit__sector")
        .order_by("pk")
    )
    for engagement in engagements:
        build.add(engagement.unit, engagement.staff, str(engagement.get_kind_display()))
    plans = list(
        Plan.objects.filter(status=Plan.Status.ACTIVE, members__citizen=citizen).select_related(
            "coordinator"
        )
    )
    for plan in plans:
        build.add(None, plan.coordinator, _("Coordinator of the shared plan"))
    participants = Participant.objects.filter(plan__in=plans).select_related(
        "staff", "unit", "unit__sector"
    )
    for participant in participants:
        build.add(
            participant.unit, participant.staff, participant.role or _("Takes part in the plan")
        )
    referrals = (
        Referral.objects.filter(citizen=citizen)
        .filter(Q(status__in=Referral.OPEN_STATUSES) | Q(status=Referral.Status.ACCEPTED))
        .filter(sent_at__date__gt=since)
        .select_related("from_unit", "from_unit__sector", "to_unit", "to_unit__sector", "sent_by")
        .order_by("sent_at")
    )
    for referral in referrals:
        build.add(referral.from_unit, referral.sent_by, _("Referred the citizen"))
        build.add(
            referral.to_unit,
            None,
            _("Referral: %(status)s") % {"status": referral.get_status_display().lower()},
        )
    for contact in recent_contacts(citizen, on).order_by("contacted_on", "pk"):
        build.add(contact.unit, contact.staff, _("Logged a contact"), contact.contacted_on)
    groups = sorted(
        build.groups.values(),
        key=lambda g: (g.unit is None, g.sector_name, g.unit.name if g.unit else ""),
    )
    return ContactMap(groups=groups, coordinators=[p.coordinator for p in plans], since=since)
