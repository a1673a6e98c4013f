"""API for early concerns: my concerns, one with its history, logging and following up.

The same rules as the web: a concern exists here only for whoever raised it
and its follow-up owner (404 for everyone else); only they act on it while it
is open (403 otherwise); the actions' ``ValidationError`` becomes a 422.

No ``from __future__ import annotations``: ninja reads the annotations at runtime.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from helhed import policy
from helhed.lib.middleware import NO_NUL_PATTERN
from helhed.lib.pagination import AuditedPages
from helhed.lib.validity import today
from helhed.organisation.models import Staff, Unit
from helhed.plans.actions import concerns as actions
from helhed.plans.forms.concerns import FOLLOW_UP_DAYS
from helhed.plans.models import Concern, ConcernEvent, Notification

router = Router(tags=["concerns"])


class ConcernOut(Schema):
    id: int
    citizen_id: int
    citizen_name: str = Field(..., alias="citizen.full_name")
    unit_id: int
    unit_name: str = Field(..., alias="unit.name")
    raised_by_id: int
    raised_by_name: str = Field(..., alias="raised_by.full_name")
    observed_on: dt.date
    observation: str
    category: str
    severity: str
    parents_informed: bool
    parents_not_informed_reason: str
    follow_up_owner_id: int
    follow_up_owner_name: str = Field(..., alias="follow_up_owner.full_name")
    follow_up_on: dt.date
    status: str
    outcome: str
    plan_id: int | None
    is_overdue: bool

    @staticmethod
    def resolve_is_overdue(obj: Concern) -> bool:
        return obj.is_overdue()


class ConcernEventOut(Schema):
    kind: str
    note: str
    actor_id: int
    actor_name: str = Field(..., alias="actor.full_name")
    at: dt.datetime


class NotificationOut(Schema):
    id: int
    to_unit_id: int
    reported_on: dt.date
    reason: str


class ConcernDetailOut(ConcernOut):
    events: list[ConcernEventOut]
    notification: NotificationOut | None = None

    @staticmethod
    def resolve_events(obj: Concern) -> list[ConcernEvent]:
        return list(obj.events.select_related("actor"))

    @staticmethod
    def resolve_notification(obj: Concern) -> Notification | None:
        return Notification.objects.filter(concern=obj).first()


class ConcernIn(Schema):
    citizen_id: int
    unit_id: int | None = Field(
        None, description="Where you work today; may be left out when you have one unit."
    )
    observation: str = Field(..., min_length=1, max_length=5000, pattern=NO_NUL_PATTERN)
    category: Concern.Category
    severity: Concern.Severity
    parents_informed: bool
    parents_not_informed_reason: str = Field("", max_length=300, pattern=NO_NUL_PATTERN)
    follow_up_owner_id: int | None = Field(None, description="Defaults to you.")
    follow_up_on: dt.date | None = Field(None, description="Defaults to 14 days from today.")
    observed_on: dt.date | None = Field(None, description="Defaults to today.")


class ConcernNoteIn(Schema):
    note: str = Field("", max_length=5000, pattern=NO_NUL_PATTERN)
    follow_up_owner_id: int | None = None
    follow_up_on: dt.date | None = None


class CloseIn(Schema):
    outcome: str = Field(..., max_length=5000, pattern=NO_NUL_PATTERN)


class NotificationIn(Schema):
    to_unit_id: int
    reason: str = Field(..., max_length=5000, pattern=NO_NUL_PATTERN)


def _detail(concern: Concern) -> Concern:
    """The concern as stored after an action, for ``ConcernDetailOut``."""
    return Concern.objects.select_related("citizen", "unit", "raised_by", "follow_up_owner").get(
        pk=concern.pk
    )


def _staff(request: HttpRequest) -> Staff:
    staff = policy.staff_for(request.user)
    if staff is None:
        raise PermissionDenied("Only staff members work with concerns.")
    return staff


def _owner(request: HttpRequest, staff_id: int, field: str) -> Staff:
    """A staff member of the user's municipality; any other id is refused the same way."""
    owner = policy.visible_staff(request.user).filter(pk=staff_id).first()
    if owner is None:
        raise ValidationError(
            {field: _("Choose a staff member of the child's municipality.")},
            code="other_municipality",
        )
    return owner


def _unit(unit_id: int, field: str, message: str) -> Unit:
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise ValidationError({field: message}, code="unknown_unit")
    return unit


def _to_change(request: HttpRequest, concern_id: int) -> tuple[Concern, Staff]:
    concern = policy.get_concern_for_user(request.user, concern_id)
    if not policy.can_follow_up_concern(request.user, concern):
        raise PermissionDenied("This concern can no longer be changed, or not by you.")
    return concern, _staff(request)


@router.get("", response=list[ConcernOut])
@paginate(
    AuditedPages,
    page_size=50,
    what="api:concerns",
    citizens=lambda rows: [c.citizen_id for c in rows],
)
def list_concerns(
    request: HttpRequest, overdue: bool = False, status: Concern.Status | None = None
) -> QuerySet[Concern]:
    """Concerns I follow up or raised, the overdue first; ``overdue=true`` for only those."""
    rows = policy.visible_concerns(request.user).select_related(
        "citizen", "unit", "raised_by", "follow_up_owner"
    )
    if overdue:
        rows = rows.filter(status=Concern.Status.OPEN, follow_up_on__lt=today())
    if status is not None:
        rows = rows.filter(status=status)
    return actions.overdue_first(rows)


@router.get("/{concern_id}", response=ConcernDetailOut)
def get_concern(request: HttpRequest, concern_id: int) -> Concern:
    return _detail(policy.get_concern_for_user(request.user, concern_id))


@router.post("", response={201: ConcernDetailOut})
def log_concern(request: HttpRequest, payload: ConcernIn) -> tuple[int, Concern]:
    """Log a concern about a child you work with."""
    citizen = policy.get_citizen_for_user(request.user, payload.citizen_id)
    if not policy.can_log_concern(request.user, citizen):
        raise PermissionDenied("You can log concerns only about children you work with.")
    staff = _staff(request)
    units = actions.concern_units(staff, citizen)
    if payload.unit_id is not None:
        unit = _unit(payload.unit_id, "unit", _("Choose a unit where you work today."))
    elif len(units) == 1:
        unit = units[0]
    else:
        raise ValidationError({"unit": _("Say which unit you log the concern for.")})
    concern = actions.do_log_concern(
        actor=staff,
        citizen=citizen,
        unit=unit,
        observation=payload.observation,
        category=payload.category,
        severity=payload.severity,
        parents_informed=payload.parents_informed,
        parents_not_informed_reason=payload.parents_not_informed_reason,
        follow_up_owner=(
            _owner(request, payload.follow_up_owner_id, "follow_up_owner")
            if payload.follow_up_owner_id is not None
            else staff
        ),
        follow_up_on=payload.follow_up_on or today() + dt.timedelta(days=FOLLOW_UP_DAYS),
        observed_on=payload.observed_on,
    )
    return 201, _detail(concern)


@router.post("/{concern_id}/notes", response={201: ConcernDetailOut})
def add_note(request: HttpRequest, concern_id: int, payload: ConcernNoteIn) -> tuple[int, Concern]:
    """A follow-up note; optionally a new follow-up owner and/or date."""
    concern, staff = _to_change(request, concern_id)
    actions.do_add_concern_note(
        actor=staff,
        concern=concern,
        note=payload.note,
        follow_up_owner=(
            _owner(request, payload.follow_up_owner_id, "follow_up_owner")
            if payload.follow_up_owner_id is not None
            else None
        ),
        follow_up_on=payload.follow_up_on,
    )
    return 201, _detail(concern)


@router.post("/{concern_id}/close", response=ConcernDetailOut)
def close_concern(request: HttpRequest, concern_id: int, payload: CloseIn) -> Concern:
    concern, staff = _to_change(request, concern_id)
    actions.do_close_concern(actor=staff, concern=concern, outcome=payload.outcome)
    return _detail(concern)


@router.post("/{concern_id}/notification", response={201: ConcernDetailOut})
def escalate_to_notification(
    request: HttpRequest, concern_id: int, payload: NotificationIn
) -> tuple[int, Concern]:
    """Make the concern a formal notification (underretning) to the social services."""
    concern, staff = _to_change(request, concern_id)
    to_unit = _unit(payload.to_unit_id, "to_unit", _("Choose a unit of the social services."))
    actions.do_escalate_concern_to_notification(
        actor=staff, concern=concern, to_unit=to_unit, reason=payload.reason
    )
    return 201, _detail(concern)


class EscalationPlanIn(Schema):
    title: str = Field("", max_length=200, pattern=NO_NUL_PATTERN)
    coordinator_id: int | None = Field(None, description="Defaults to you.")
    note: str = Field("", max_length=2000, pattern=NO_NUL_PATTERN)


@router.post("/{concern_id}/plan", response={201: ConcernDetailOut})
def escalate_to_plan(
    request: HttpRequest, concern_id: int, payload: EscalationPlanIn
) -> tuple[int, Concern]:
    """Escalate into the child's shared plan: join the active one, or start one."""
    concern, staff = _to_change(request, concern_id)
    actions.do_escalate_concern_to_plan(
        actor=staff,
        concern=concern,
        title=payload.title,
        coordinator=(
            _owner(request, payload.coordinator_id, "coordinator")
            if payload.coordinator_id is not None
            else None
        ),
        note=payload.note,
    )
    return 201, _detail(concern)
