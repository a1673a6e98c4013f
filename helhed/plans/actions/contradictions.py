"""Contradicting efforts in one plan: flagged, then resolved in a network meeting.

Two efforts can pull the family in two directions (two places at the same
time, a goal one sector works against). Anyone who may change the plan flags
the contradiction between two of its efforts, or an effort and a goal; it
shows on the plan page and on the agenda of the plan's next network meeting,
and is resolved in a meeting of the same plan (held or planned) with how.

Who may call these (the plan's coordinator and participants) is asked of
``helhed.policy`` by the views and the API. Contradictions are not part of the
plan's versioned snapshot, so they change in a plain transaction.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from helhed.organisation.models import Staff
from helhed.plans.models import Contradiction, Effort, Goal, Meeting, Plan

MAX_TEXT = 5000


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _text(value: str, field: str, message: str) -> str:
    value = value.strip()
    if not value:
        raise _error(field, message, "required")
    if len(value) > MAX_TEXT:
        raise _error(
            field,
            _("Keep it under %(n)s characters.") % {"n": MAX_TEXT},
            "too_long",
        )
    return value


@transaction.atomic
def do_flag_contradiction(
    *,
    actor: Staff,
    plan: Plan,
    effort: Effort,
    description: str,
    other_effort: Effort | None = None,
    goal: Goal | None = None,
) -> Contradiction:
    """Flag that ``effort`` contradicts another effort or a goal of the same plan."""
    if not plan.is_active:
        raise ValidationError(_("A closed plan cannot be changed."), code="closed")
    if effort.plan_id != plan.pk:
        raise _error("effort", _("Choose an effort of this plan."), "other_plan")
    if (other_effort is None) == (goal is None):
        raise _error(
            "other_effort",
            _("Choose the other effort or the goal it works against (one of them)."),
            "one_other_side",
        )
    if other_effort is not None:
        if other_effort.plan_id != plan.pk:
            raise _error("other_effort", _("Choose an effort of this plan."), "other_plan")
        if other_effort.pk == effort.pk:
            raise _error("other_effort", _("An effort cannot contradict itself."), "same_effort")
    if goal is not None and goal.plan_id != plan.pk:
        raise _error("goal", _("Choose a goal of this plan."), "other_plan")
    text = _text(description, "description", _("Describe what contradicts."))
    return Contradiction.objects.create(
        plan=plan,
        effort=effort,
        other_effort=other_effort,
        goal=goal,
        description=text,
        raised_by=actor,
    )


def resolution_meetings(plan: Plan) -> QuerySet[Meeting]:
    """Meetings of the plan a contradiction can be resolved in: held or planned."""
    return plan.meetings.filter(status__in=[Meeting.Status.HELD, Meeting.Status.PLANNED]).order_by(
        "-starts_at", "-pk"
    )


@transaction.atomic
def do_resolve_contradiction(
    *, actor: Staff, contradiction: Contradiction, meeting: Meeting, resolution: str
) -> Contradiction:
    """Record how the contradiction was resolved, in which network meeting of the plan."""
    locked = Contradiction.objects.select_for_update().get(pk=contradiction.pk)
    if locked.status != Contradiction.Status.OPEN:
        raise ValidationError(_("This contradiction is already resolved."), code="resolved")
    if meeting.plan_id != contradiction.plan_id:
        raise _error("meeting", _("Choose a network meeting of the same plan."), "other_plan")
    if meeting.status == Meeting.Status.CANCELLED:
        raise _error(
            "meeting",
            _("The meeting was cancelled; choose a meeting that was held or is planned."),
            "cancelled",
        )
    text = _text(resolution, "resolution", _("Say how it was resolved."))
    contradiction.status = Contradiction.Status.RESOLVED
    contradiction.meeting = meeting
    contradiction.resolution = text
    contradiction.save(update_fields=["status", "meeting", "resolution"])
    return contradiction


def next_meeting(plan: Plan) -> Meeting | None:
    """The plan's next planned network meeting, if one is scheduled."""
    return (
        plan.meetings.filter(status=Meeting.Status.PLANNED, starts_at__gte=timezone.now())
        .order_by("starts_at", "pk")
        .first()
    )


def open_contradictions(plan: Plan) -> QuerySet[Contradiction]:
    return plan.contradictions.filter(status=Contradiction.Status.OPEN).select_related(
        "effort", "other_effort", "goal", "raised_by"
    )


def agenda_contradictions(meeting: Meeting) -> list[Contradiction]:
    """The open contradictions to take up at ``meeting``, when it is the plan's next one."""
    upcoming = next_meeting(meeting.plan)
    if upcoming is None or upcoming.pk != meeting.pk:
        return []
    return list(open_contradictions(meeting.plan).order_by("raised_on", "pk"))


def search_contradictions(
    contradictions: QuerySet[Contradiction], text: str
) -> QuerySet[Contradiction]:
    text = text.strip()
    if not text:
        return contradictions
    return contradictions.filter(
        Q(description__icontains=text)
        | Q(resolution__icontains=text)
        | Q(effort__title__icontains=text)
        | Q(other_effort__title__icontains=text)
        | Q(goal__text__icontains=text)
    )
