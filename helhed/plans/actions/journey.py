"""The citizen's journey: one timeline of a course across sectors, and its marks.

The timeline is assembled only from ``policy.journey_scope``: the concerns,
notifications, referrals, plans (start and close), efforts (start and end),
network meetings, handovers (sent, accepted, returned) and contacts that the
viewer may already see. Nothing here widens access; a source the viewer may
not see is simply empty.

Each event can be marked green (it worked well) or red (it worked badly) with
a short why: once by each staff member who sees it, and once by the family
together (a new mark replaces one's own). Marks are stored per citizen as
``JourneyMark`` rows keyed by the event's type and id, and are shown on the
event: staff see which colleague marked, the family sees "a professional".
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from helhed import policy
from helhed.citizens.models import Citizen
from helhed.lib.logfilter import CPR_SHAPE
from helhed.lib.validity import today
from helhed.organisation.models import Sector, Unit
from helhed.plans.models import Handover, JourneyMark, Meeting, Plan

NOTE_MAX = 300

# The event types, as stored in ``JourneyMark.event_type``, and what they are called.
KINDS: dict[str, str | Promise] = {
    "concern": gettext_lazy("Concern"),
    "notification": gettext_lazy("Notification (underretning)"),
    "referral": gettext_lazy("Referral"),
    "plan_started": gettext_lazy("Plan started"),
    "plan_closed": gettext_lazy("Plan closed"),
    "effort_started": gettext_lazy("Effort started"),
    "effort_ended": gettext_lazy("Effort ended"),
    "meeting": gettext_lazy("Network meeting"),
    "handover_sent": gettext_lazy("Handover sent"),
    "handover_accepted": gettext_lazy("Handover accepted"),
    "handover_returned": gettext_lazy("Handover returned"),
    "contact": gettext_lazy("Contact"),
}


@dataclass
class MarkView:
    """A mark as the viewer sees it: who is named only for staff viewers."""

    mark: str
    note: str
    by: str
    own: bool
    marked_at: dt.datetime

    @property
    def is_green(self) -> bool:
        return self.mark == JourneyMark.Mark.GREEN


@dataclass
class Event:
    """One event on the timeline."""

    kind: str
    id: int
    on: dt.date
    title: str
    detail: str = ""
    where: str = ""
    sectors: list[Sector] = field(default_factory=list)
    url: str | None = None
    marks: list[MarkView] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.id}"

    @property
    def kind_label(self) -> str:
        return str(KINDS[self.kind])

    @property
    def upcoming(self) -> bool:
        return self.on > today()

    @property
    def green(self) -> int:
        return sum(1 for m in self.marks if m.mark == JourneyMark.Mark.GREEN)

    @property
    def red(self) -> int:
        return sum(1 for m in self.marks if m.mark == JourneyMark.Mark.RED)

    @property
    def own_mark(self) -> MarkView | None:
        return next((m for m in self.marks if m.own), None)


def _sectors(*units: Unit | None) -> list[Sector]:
    found: dict[int, Sector] = {}
    for unit in units:
        if unit is not None and unit.sector is not None:
            found.setdefault(unit.sector.pk, unit.sector)
    return list(found.values())


def _between(a: Unit, b: Unit) -> str:
    return f"{a.name} → {b.name}"


def _staff_url(name: str, pk: int) -> str:
    return reverse(name, args=[pk])


def build_events(scope: policy.JourneyScope) -> list[Event]:
    """Every event of the scope, oldest first (ties by kind and id, so the order is stable)."""
    family = scope.family
    events: list[Event] = []

    for concern in scope.concerns.select_related("unit__sector"):
        events.append(
            Event(
                "concern",
                concern.pk,
                concern.observed_on,
                _("Concern: %(category)s") % {"category": concern.get_category_display()},
                _("Severity %(severity)s; %(status)s")
                % {
                    "severity": concern.get_severity_display().lower(),
                    "status": concern.get_status_display().lower(),
                },
                concern.unit.name,
                _sectors(concern.unit),
                _staff_url("plans:concern_detail", concern.pk),
            )
        )

    visible_concern_ids = set(scope.concerns.values_list("pk", flat=True))
    for note in scope.notifications.select_related("from_unit__sector", "to_unit__sector"):
        events.append(
            Event(
                "notification",
                note.pk,
                note.reported_on,
                _("Notification (underretning) to %(unit)s") % {"unit": note.to_unit.name},
                "",
                _between(note.from_unit, note.to_unit),
                _sectors(note.from_unit, note.to_unit),
                _staff_url("plans:concern_detail", note.concern_id)
                if note.concern_id in visible_concern_ids
                else None,
            )
        )

    for referral in scope.referrals.select_related("from_unit__sector", "to_unit__sector"):
        events.append(
            Event(
                "referral",
                referral.pk,
                timezone.localdate(referral.sent_at),
                _("Referral to %(unit)s") % {"unit": referral.to_unit.name},
                referral.get_status_display(),
                _between(referral.from_unit, referral.to_unit),
                _sectors(referral.from_unit, referral.to_unit),
                _staff_url("plans:referral_detail", referral.pk),
            )
        )

    for plan in scope.plans.select_related("coordinator"):
        url = _plan_url(plan, family)
        coordinator = _("Coordinator: %(name)s") % {"name": plan.coordinator.full_name}
        events.append(
            Event("plan_started", plan.pk, plan.started_on, plan.title, coordinator, url=url)
        )
        if plan.closed_on is not None:
            events.append(
                Event(
                    "plan_closed", plan.pk, plan.closed_on, plan.title, plan.close_reason, url=url
                )
            )

    for effort in scope.efforts.select_related("plan", "responsible_unit", "sector"):
        url = _plan_url(effort.plan, family)
        where = effort.responsible_unit.name
        sectors = [effort.sector]
        events.append(
            Event(
                "effort_started", effort.pk, effort.starts_on, effort.title, "", where, sectors, url
            )
        )
        if effort.ends_on is not None:
            events.append(
                Event(
                    "effort_ended", effort.pk, effort.ends_on, effort.title, "", where, sectors, url
                )
            )

    for meeting in scope.meetings.select_related("plan"):
        title = meeting.plan.title
        if meeting.status == Meeting.Status.CANCELLED:
            title = _("%(plan)s (cancelled)") % {"plan": title}
        url = (
            _staff_url("plans:meeting_summary", meeting.pk)
            if family
            else _staff_url("plans:meeting_detail", meeting.pk)
        )
        events.append(
            Event(
                "meeting",
                meeting.pk,
                timezone.localdate(meeting.starts_at),
                title,
                meeting.family_summary,
                meeting.place,
                url=url,
            )
        )

    for handover in scope.handovers.select_related("plan", "from_unit__sector", "to_unit__sector"):
        where = _between(handover.from_unit, handover.to_unit)
        sectors = _sectors(handover.from_unit, handover.to_unit)
        handover_url: str | None = _staff_url("plans:handover_detail", handover.pk)
        if family:
            handover_url = _plan_url(handover.plan, True) if handover.plan is not None else None
        kind = handover.get_kind_display()
        events.append(
            Event(
                "handover_sent",
                handover.pk,
                handover.created_on,
                kind,
                "",
                where,
                sectors,
                handover_url,
            )
        )
        if handover.decided_on is not None and handover.status == Handover.Status.ACCEPTED:
            events.append(
                Event(
                    "handover_accepted",
                    handover.pk,
                    handover.decided_on,
                    kind,
                    "",
                    where,
                    sectors,
                    handover_url,
                )
            )
        elif handover.decided_on is not None and handover.status == Handover.Status.RETURNED:
            reason = "" if family else handover.return_reason
            events.append(
                Event(
                    "handover_returned",
                    handover.pk,
                    handover.decided_on,
                    kind,
                    reason,
                    where,
                    sectors,
                    handover_url,
                )
            )

    for contact in scope.contacts.select_related("staff", "unit__sector"):
        events.append(
            Event(
                "contact",
                contact.pk,
                contact.contacted_on,
                _("%(channel)s by %(name)s")
                % {"channel": contact.get_channel_display(), "name": contact.staff.full_name},
                contact.purpose,
                contact.unit.name,
                _sectors(contact.unit),
                _staff_url("plans:contact_map", contact.citizen_id),
            )
        )

    events.sort(key=lambda e: (e.on, list(KINDS).index(e.kind), e.id))
    return events


def _plan_url(plan: Plan, family: bool) -> str:
    return reverse("plans:family_plan" if family else "plans:detail", args=[plan.pk])


_EVENT_KEY = re.compile(r"^([a-z_]{1,40})-([1-9][0-9]{0,17})$")


def parse_event_key(key: str) -> tuple[str, int] | None:
    """``"meeting-12"`` -> ``("meeting", 12)``; ``None`` when it is not shaped like a key."""
    found = _EVENT_KEY.match(key.strip())
    if found is None:
        return None
    return found.group(1), int(found.group(2))


def find_event(scope: policy.JourneyScope, kind: str, event_id: int) -> Event:
    """The event the viewer sees, or 404 (an unknown kind, or an event out of their sight)."""
    if kind not in KINDS:
        raise Http404("No such event")
    for event in build_events(scope):
        if event.kind == kind and event.id == event_id:
            return event
    raise Http404("No such event")


def filter_events(
    events: Iterable[Event],
    *,
    sector: Sector | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    newest_first: bool = False,
) -> list[Event]:
    """The events of one sector and period, in the order asked for."""
    chosen = [
        e
        for e in events
        if (sector is None or any(s.pk == sector.pk for s in e.sectors))
        and (since is None or e.on >= since)
        and (until is None or e.on <= until)
    ]
    if newest_first:
        chosen.reverse()
    return chosen


def attach_marks(citizen: Citizen, events: list[Event], user: policy.AnyUser) -> list[Event]:
    """Put the marks on the events; staff are named to staff, "a professional" to the family."""
    staff = policy.staff_for(user)
    wanted = {(e.kind, e.id) for e in events}
    by_event: dict[tuple[str, int], list[MarkView]] = defaultdict(list)
    marks = (
        JourneyMark.objects.filter(citizen=citizen, event_type__in={k for k, _id in wanted})
        .select_related("marked_by_staff")
        .order_by("marked_at", "pk")
    )
    for mark in marks:
        key = (mark.event_type, mark.event_id)
        if key not in wanted:
            continue
        if mark.marked_by_family:
            by = _("The family")
            own = staff is None
        elif mark.marked_by_staff is not None and staff is not None:
            by = mark.marked_by_staff.full_name
            own = mark.marked_by_staff_id == staff.pk
        else:
            by = _("A professional")
            own = False
        by_event[key].append(MarkView(mark.mark, mark.note, by, own, mark.marked_at))
    for event in events:
        event.marks = by_event.get((event.kind, event.id), [])
    return events


def journey(
    citizen: Citizen,
    user: policy.AnyUser,
    *,
    sector: Sector | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    newest_first: bool = False,
) -> list[Event]:
    """The viewer's journey of ``citizen``, filtered and ordered, with the marks on it."""
    scope = policy.journey_scope(user, citizen)
    events = filter_events(
        build_events(scope), sector=sector, since=since, until=until, newest_first=newest_first
    )
    return attach_marks(citizen, events, user)


# --------------------------------------------------------------------------- marks


def _clean(mark: str, note: str) -> str:
    errors: dict[str, list[str]] = {}
    if mark not in JourneyMark.Mark.values:
        errors["mark"] = [_("Choose green (it worked well) or red (it worked badly).")]
    cleaned = " ".join((note or "").split())
    if not cleaned:
        errors["note"] = [_("Say in a few words why.")]
    elif len(cleaned) > NOTE_MAX:
        errors["note"] = [_("Keep the why to %(n)s characters.") % {"n": NOTE_MAX}]
    elif CPR_SHAPE.search(cleaned):
        errors["note"] = [_("Leave CPR numbers out of the why.")]
    if errors:
        raise ValidationError(errors)
    return cleaned


def _own_marks(citizen: Citizen, event: Event, user: policy.AnyUser) -> dict[str, object]:
    """The lookup of the viewer's own mark: the family's one, or the staff member's."""
    base: dict[str, object] = {
        "citizen": citizen,
        "event_type": event.kind,
        "event_id": event.id,
    }
    staff = policy.staff_for(user)
    if staff is None:
        return {**base, "marked_by_family": True}
    return {**base, "marked_by_staff": staff}


def do_mark_event(
    *, user: policy.AnyUser, citizen: Citizen, event: Event, mark: str, note: str
) -> JourneyMark:
    """Mark an event green or red with a short why; it replaces the viewer's earlier mark.

    ``event`` comes from ``find_event`` for this viewer, so it is one they see.
    """
    if not policy.can_mark_journey(user, citizen):
        raise PermissionDenied(_("You may read this journey but not mark it."))
    cleaned = _clean(mark, note)
    lookup = _own_marks(citizen, event, user)
    with transaction.atomic():
        existing = JourneyMark.objects.select_for_update().filter(**lookup).first()
        if existing is None:
            return JourneyMark.objects.create(**lookup, mark=mark, note=cleaned)
        existing.mark = mark
        existing.note = cleaned
        existing.save(update_fields=["mark", "note", "marked_at"])
        return existing


def do_remove_mark(*, user: policy.AnyUser, citizen: Citizen, event: Event) -> bool:
    """Take back the viewer's own mark on an event; whether there was one."""
    if not policy.can_mark_journey(user, citizen):
        raise PermissionDenied(_("You may read this journey but not mark it."))
    with transaction.atomic():
        deleted, _rows = JourneyMark.objects.filter(**_own_marks(citizen, event, user)).delete()
    return deleted > 0
