"""The family's way into their plans, in plain language.

A family login (``Citizen.user``, MitID in production) sees the plans of the
citizen and of the children in their care (``policy.visible_plans``): the
goals in their own words, who helps them, meetings and what happens next.
Never the professionals' minutes, never another family's data. Staff get
404 here: their way into a plan is the professionals' plan page. The family's
reads are audited like everyone's, with the family login as the actor.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from helhed import policy
from helhed.audit import trail
from helhed.lib.validity import today
from helhed.organisation.models import RoleAssignment, Staff, Unit
from helhed.plans.models import Action, Meeting, Participant, Plan, PlanMember
from helhed.plans.views.worklist import url_or_none


def _family_plans(request: HttpRequest) -> QuerySet[Plan]:
    """The plans of this family login; 404 for everyone else (staff included)."""
    if policy.family_citizen(request.user) is None:
        raise Http404("The family view is for families")
    return policy.visible_plans(request.user)


@login_required
@require_GET
def family_home(request: HttpRequest) -> HttpResponse:
    """Our plans: one card per plan, active first."""
    plans = list(
        _family_plans(request)
        .select_related("coordinator")
        .prefetch_related(
            Prefetch(
                "members",
                queryset=PlanMember.objects.select_related("citizen").order_by("pk"),
            )
        )
        .order_by("status", "-started_on", "-pk")
    )
    trail.log_list(
        request.user,
        [m.citizen_id for p in plans for m in p.members.all()],
        what="plans:family_home",
    )
    context = {"citizen": policy.family_citizen(request.user), "plans": plans}
    return render(request, "plans/family_home.html", context)


@dataclass
class SectorGroup:
    name: str
    people: list[Participant]


def _coordinator_unit(plan: Plan, participants: list[Participant]) -> Unit | None:
    """Where the coordinator works: their unit in the plan, else their first unit today."""
    for participant in participants:
        if participant.staff_id == plan.coordinator_id:
            return participant.unit
    assignment = (
        RoleAssignment.objects.valid_on(today())
        .filter(staff_id=plan.coordinator_id)
        .select_related("unit")
        .order_by("unit__path")
        .first()
    )
    return assignment.unit if assignment is not None else None


def _by_sector(participants: list[Participant], coordinator: Staff) -> list[SectorGroup]:
    groups: dict[str, list[Participant]] = defaultdict(list)
    for participant in participants:
        if participant.staff_id == coordinator.pk:
            continue  # shown as the coordinator
        sector = participant.unit.sector
        groups[sector.name if sector is not None else _("Other")].append(participant)
    return [SectorGroup(name, people) for name, people in sorted(groups.items())]


@login_required
@require_GET
def family_plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    """One plan as the family reads it: goals, helpers, meetings, what happens next."""
    plan = (
        _family_plans(request)
        .select_related("coordinator", "municipality")
        .filter(pk=plan_id)
        .first()
    )
    if plan is None:
        raise Http404("No such plan")
    members = list(plan.citizens())
    # The family reads the plan here, not through ``get_plan_for_user``: log it the same way.
    policy.audit_read(request.user, plan, [m.pk for m in members])
    participants = list(
        Participant.objects.filter(plan=plan)
        .select_related("staff", "unit", "unit__sector")
        .order_by("pk")
    )
    now = timezone.now()
    upcoming = list(
        plan.meetings.filter(status=Meeting.Status.PLANNED, starts_at__gte=now).order_by(
            "starts_at"
        )
    )
    held = list(plan.meetings.filter(status=Meeting.Status.HELD).order_by("-starts_at"))
    context: dict[str, Any] = {
        "plan": plan,
        "members": members,
        "goals": list(plan.goals.select_related("citizen").order_by("target_date", "pk")),
        "coordinator_unit": _coordinator_unit(plan, participants),
        "sectors": _by_sector(participants, plan.coordinator),
        "upcoming": upcoming,
        # Only the summary written for the family, never the minutes.
        "held": [
            (m.starts_at, m.place, m.family_summary, url_or_none("plans:meeting_summary", m.pk))
            for m in held
        ],
        "actions": list(
            Action.objects.open().filter(plan=plan).select_related("owner").order_by("due_on")
        ),
        "rate_url": (
            url_or_none("feedback:rate", plan.pk)
            if policy.can_rate_in_plan(request.user, plan)
            else None
        ),
        "today": today(),
    }
    return render(request, "plans/family_plan.html", context)


urlpatterns: list[URLPattern] = [
    path("familie/", family_home, name="family_home"),
    path("familie/plans/<int:plan_id>/", family_plan, name="family_plan"),
]
