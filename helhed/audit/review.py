"""Reading the audit log: the citizen's insight and the leader's review of unusual access.

Queries on ``AuditEntry`` only. Who may read which entries is decided in
``helhed.policy`` (section "audit"): callers pass in the citizens or the staff
whose entries are to be read. The web pages and the API share everything
here, the period's validation included, so they answer alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, overload

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from helhed.audit import codes
from helhed.audit.models import AuditEntry

# Actions that are look-ups: what "many look-ups in one day" counts.
LOOKUP_ACTIONS = (codes.VIEW, codes.LIST, codes.SEARCH)
# Roles given, changed and ended by someone: what "Roles granted in the period" lists.
# (A reorganisation's carried-over roles, ``ROLE_MOVED``, change no one's access.)
ROLE_ACTIONS = (codes.ROLE_GRANTED, codes.ROLE_CHANGED, codes.ROLE_ENDED)
# The review shows the last 30 days (today included) unless told otherwise.
REVIEW_DAYS = 30
# Dates outside these are typing mistakes, and far enough out they would
# overflow the conversion to UTC; they are refused with a message.
FIRST_DATE = dt.date(2000, 1, 1)
LAST_DATE = dt.date(2099, 12, 31)

T = TypeVar("T")


def many_lookups_threshold() -> int:
    """More distinct citizens than this in one day is unusual (``HELHED_AUDIT_MANY_LOOKUPS``)."""
    return int(settings.AUDIT_MANY_LOOKUPS)


# --------------------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    """Whole days in the municipality's time zone; ``None`` leaves that end open."""

    start: dt.date | None = None
    end: dt.date | None = None

    def q(self) -> Q:
        condition = Q()
        if self.start is not None:
            condition &= Q(at__gte=_midnight(self.start))
        if self.end is not None:
            condition &= Q(at__lt=_midnight(self.end + dt.timedelta(days=1)))
        return condition


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def check_period(start: dt.date | None, end: dt.date | None) -> Period:
    """The period, or a ``ValidationError`` naming the field that is wrong."""
    errors: dict[str, str] = {}
    for field, day in (("date_from", start), ("date_to", end)):
        if day is not None and not FIRST_DATE <= day <= LAST_DATE:
            errors[field] = _("Choose a date from %(first)s to %(last)s.") % {
                "first": FIRST_DATE.isoformat(),
                "last": LAST_DATE.isoformat(),
            }
    if not errors and start is not None and end is not None and start > end:
        errors["date_to"] = _("The end of the period comes before its start.")
    if errors:
        raise ValidationError(errors, code="bad_period")
    return Period(start, end)


def review_period(start: dt.date | None, end: dt.date | None, on: dt.date | None = None) -> Period:
    """The reviewed period: the last ``REVIEW_DAYS`` days up to ``end`` (today) by default."""
    on = on or timezone.localdate()
    if end is None:
        end = max(on, start) if start is not None and start <= LAST_DATE else on
    if start is None and FIRST_DATE <= end <= LAST_DATE:
        start = max(FIRST_DATE, end - dt.timedelta(days=REVIEW_DAYS - 1))
    return check_period(start, end)


# --------------------------------------------------------------------------- queries


def entries_about(
    citizen_ids: Iterable[int], period: Period, *, leave_out_actor: int | None = None
) -> QuerySet[AuditEntry]:
    """Entries about these citizens, newest first; optionally without one user's own."""
    entries = AuditEntry.objects.filter(period.q(), citizen_id__in=list(citizen_ids))
    if leave_out_actor is not None:
        # actor_id is empty for the system's entries, which are kept.
        entries = entries.exclude(actor_id=leave_out_actor)
    return entries.order_by("-at", "-seq")


def break_glass_entries(staff_ids: QuerySet[Any], period: Period) -> QuerySet[AuditEntry]:
    """Break-the-glass entries (the opening and every look-up it allowed) by these staff."""
    return AuditEntry.objects.filter(
        period.q(), break_glass=True, actor_staff_id__in=staff_ids
    ).order_by("-at", "-seq")


def heavy_users(
    staff_ids: QuerySet[Any], period: Period, threshold: int | None = None
) -> QuerySet[Any]:
    """Per staff member and day: more distinct citizens looked up than ``threshold``.

    Rows are dicts: ``staff_id``, ``actor`` (the label in the log), ``day``
    (in the municipality's time zone) and ``citizens``; most first.
    """
    limit = many_lookups_threshold() if threshold is None else threshold
    return (
        AuditEntry.objects.filter(
            period.q(),
            action__in=LOOKUP_ACTIONS,
            actor_staff_id__in=staff_ids,
            citizen_id__isnull=False,
        )
        .annotate(day=TruncDate("at", tzinfo=timezone.get_current_timezone()))
        .values("actor_staff_id", "day")
        .annotate(citizens=Count("citizen_id", distinct=True), actor=Max("actor"))
        .filter(citizens__gt=limit)
        .values("actor_staff_id", "day", "citizens", "actor")
        .order_by("-day", "-citizens", "actor_staff_id")
    )


def entries_by_staff(staff_id: int, period: Period) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(period.q(), actor_staff_id=staff_id).order_by("-at", "-seq")


def role_entries(unit_ids: Iterable[int], period: Period) -> QuerySet[AuditEntry]:
    """Roles granted, changed or ended in these units in the period, newest first.

    The entry names the unit in ``detail`` (an entry has no foreign keys), so
    the ids are passed as a list: a JSON value compares with values, not with
    a subquery.
    """
    return AuditEntry.objects.filter(
        period.q(), action__in=ROLE_ACTIONS, detail__unit__in=sorted(set(unit_ids))
    ).order_by("-at", "-seq")


# --------------------------------------------------------------------------- in words


def object_label(object_type: str) -> str:
    """The kind of record in plain words ("plan", "network meeting"), from the model's name."""
    if not object_type:
        return ""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return _("record")
    return str(model._meta.verbose_name)


@dataclass(frozen=True)
class InsightRow:
    """One entry as a family reads it: who, where they work, what, about whom, why."""

    seq: int
    at: dt.datetime
    actor: str
    actor_unit: str
    by_you: bool
    action: str
    action_label: str
    object_type: str
    object_label: str
    citizen_id: int | None
    purpose: str
    break_glass: bool


def insight_rows(
    entries: Sequence[AuditEntry],
    *,
    viewer_id: int | None,
    staff_units: Callable[[list[int]], dict[int, str]],
    family_logins: Callable[[list[int]], set[int]],
) -> list[InsightRow]:
    """Describe entries for a family login, looking up units and logins once for the lot.

    Staff are named with the unit they work in today. Other users are never
    named: another family login's name is a citizen's, and an administrator
    acts for the municipality.
    """
    staff_ids = sorted({e.actor_staff_id for e in entries if e.actor_staff_id is not None})
    units = staff_units(staff_ids) if staff_ids else {}
    others = sorted(
        {
            e.actor_id
            for e in entries
            if e.actor_staff_id is None and e.actor_id is not None and e.actor_id != viewer_id
        }
    )
    families = family_logins(others) if others else set()
    return [
        InsightRow(
            seq=e.seq,
            at=e.at,
            actor=_actor_for_family(e, viewer_id, families),
            actor_unit=units.get(e.actor_staff_id, "") if e.actor_staff_id is not None else "",
            by_you=e.actor_id is not None and e.actor_id == viewer_id,
            action=e.action,
            action_label=codes.label(e.action),
            object_type=e.object_type,
            object_label=object_label(e.object_type),
            citizen_id=e.citizen_id,
            purpose=e.purpose,
            break_glass=e.break_glass,
        )
        for e in entries
    ]


def _actor_for_family(entry: AuditEntry, viewer_id: int | None, families: set[int]) -> str:
    if entry.actor_staff_id is not None:
        return entry.actor
    if entry.actor_id is None:
        return _("Helhed itself (an automatic job)")
    if entry.actor_id == viewer_id:
        return _("You")
    if entry.actor_id in families:
        return _("Another family member's login")
    return _("An administrator")


@dataclass(frozen=True)
class ReviewRow:
    """One entry as a leader reviews it: the staff member by name, the citizen by number."""

    seq: int
    at: dt.datetime
    actor_staff_id: int | None
    actor: str
    action: str
    action_label: str
    object_type: str
    object_label: str
    citizen_id: int | None
    purpose: str
    break_glass: bool


def review_rows(entries: Sequence[AuditEntry]) -> list[ReviewRow]:
    return [
        ReviewRow(
            seq=e.seq,
            at=e.at,
            actor_staff_id=e.actor_staff_id,
            actor=e.actor,
            action=e.action,
            action_label=codes.label(e.action),
            object_type=e.object_type,
            object_label=object_label(e.object_type),
            citizen_id=e.citizen_id,
            purpose=e.purpose,
            break_glass=e.break_glass,
        )
        for e in entries
    ]


@dataclass(frozen=True)
class RoleRow:
    """A role entry as a leader reviews it: who did what, to which staff member, where."""

    seq: int
    at: dt.datetime
    actor: str
    action: str
    action_label: str
    staff_id: int | None
    staff: str
    role: str
    unit: str
    valid_from: dt.date | None
    valid_to: dt.date | None


def _names(model: str, values: set[Any], field: str = "pk") -> dict[Any, str]:
    """Today's names of organisation rows by id (or code): one query, nothing if none.

    The entries hold ids only; the staff, roles and units they name are not
    personal data about citizens and are shown to leaders by name.
    """
    if not values:
        return {}
    rows = apps.get_model(model).objects.filter(**{f"{field}__in": values})
    return {getattr(row, field): str(row) for row in rows}


def _date(text: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None


def role_rows(entries: Sequence[AuditEntry]) -> list[RoleRow]:
    """Describe role entries, looking up staff, roles and units once for the lot.

    Rows whose staff member, role or unit is gone show the id or the code.
    """
    details = [e.detail if isinstance(e.detail, dict) else {} for e in entries]
    staff = _names("organisation.Staff", {d["staff"] for d in details if d.get("staff")})
    roles = _names("organisation.Role", {d["role"] for d in details if d.get("role")}, "code")
    units = _names("organisation.Unit", {d["unit"] for d in details if d.get("unit")})
    return [
        RoleRow(
            seq=e.seq,
            at=e.at,
            actor=e.actor,
            action=e.action,
            action_label=codes.label(e.action),
            staff_id=d.get("staff"),
            staff=staff.get(d.get("staff"), str(d.get("staff") or "")),
            role=roles.get(d.get("role"), str(d.get("role") or "")),
            unit=units.get(d.get("unit"), str(d.get("unit") or "")),
            valid_from=_date(d.get("valid_from")),
            valid_to=_date(d.get("valid_to")),
        )
        for e, d in zip(entries, details, strict=True)
    ]


class Described(Sequence[T]):
    """A queryset whose rows are described a page at a time (for the paginators).

    Django's ``Paginator`` and ninja's pagination count it and slice it; each
    slice is described in one go, so a page costs a fixed number of queries.
    """

    def __init__(
        self, queryset: QuerySet[AuditEntry], describe: Callable[[list[AuditEntry]], list[T]]
    ) -> None:
        self.queryset = queryset
        self.describe = describe
        self._count: int | None = None

    def __len__(self) -> int:
        if self._count is None:
            self._count = self.queryset.count()
        return self._count

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return self.describe(list(self.queryset[index]))
        return self.describe([self.queryset[index]])[0]

    def __iter__(self) -> Iterator[T]:
        return iter(self.describe(list(self.queryset)))
