"""The home page: what this user can do, by their roles."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from helhed import policy
from helhed.lib.validity import today
from helhed.organisation.models import Staff
from helhed.organisation.span import span_of
from helhed.plans.models import Action, Concern, Meeting, Referral
from helhed.results.models import CurveAction, Reflection, StatusReport


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    if policy.family_citizen(request.user) is not None:
        # A family login has one place to go: their plans, in plain language.
        return redirect("plans:family_home")
    staff = policy.staff_for(request.user)
    assignments = list(staff.assignments_on(today())) if staff else []
    led_units = [a.unit for a in assignments if a.role.is_leader]
    spans = [span for unit in led_units if (span := span_of(unit)) is not None]
    context = {
        "staff": staff,
        "assignments": assignments,
        "can": policy.capabilities(request.user),
        "my_spans": spans,
        "citizen_count": policy.visible_citizens(request.user).count(),
        "attention": attention(request.user, staff) if staff else None,
    }
    return render(request, "home.html", context)


@dataclass(frozen=True)
class Attention:
    """What waits for a staff member today: counts only, each linking to its list."""

    open_actions: int
    overdue_actions: int
    concerns_due: int
    referrals_waiting: int
    meetings_this_week: int
    led_overdue_actions: int
    led_overdue_concerns: int
    reports_to_submit: int = 0
    reports_to_approve: int = 0
    curve_actions_open: int = 0
    curve_actions_overdue: int = 0
    reflections_to_follow_up: int = 0
    led_overdue_handovers: int = 0

    @property
    def anything(self) -> bool:
        return any(
            (
                self.open_actions,
                self.concerns_due,
                self.referrals_waiting,
                self.meetings_this_week,
                self.led_overdue_actions,
                self.led_overdue_concerns,
                self.reports_to_submit,
                self.reports_to_approve,
                self.curve_actions_open,
                self.reflections_to_follow_up,
                self.led_overdue_handovers,
            )
        )


def _reports_waiting(user: policy.AnyUser) -> tuple[int, int]:
    """Status reports this user could submit now, and could approve now."""
    open_reports = list(
        policy.visible_reports(user)
        .filter(status__in=[StatusReport.Status.DRAFT, StatusReport.Status.SUBMITTED])
        .select_related("committee")
    )
    to_submit = sum(1 for r in open_reports if policy.can_submit_report(user, r))
    to_approve = sum(1 for r in open_reports if policy.can_approve_report(user, r))
    return to_submit, to_approve


def attention(user: policy.AnyUser, staff: Staff) -> Attention:
    on = today()
    mine = Action.objects.open().filter(owner=staff)
    curve_actions = CurveAction.objects.filter(
        owner=staff, status=CurveAction.Status.OPEN, curve__is_active=True
    )
    to_submit, to_approve = _reports_waiting(user)
    week = timezone.now() + dt.timedelta(days=7)
    return Attention(
        open_actions=mine.count(),
        overdue_actions=mine.filter(due_on__lt=on).count(),
        concerns_due=Concern.objects.filter(
            follow_up_owner=staff, status=Concern.Status.OPEN, follow_up_on__lte=on
        ).count(),
        referrals_waiting=policy.visible_referrals(user)
        .filter(to_unit__in=policy.staff_units(user), status__in=Referral.OPEN_STATUSES)
        .count(),
        meetings_this_week=policy.visible_meetings(user)
        .filter(
            status=Meeting.Status.PLANNED,
            starts_at__gte=timezone.now(),
            starts_at__lt=week,
            participants__staff=staff,
        )
        .distinct()
        .count(),
        led_overdue_actions=policy.led_overdue_actions(user, on).count(),
        led_overdue_concerns=policy.led_overdue_concerns(user, on).count(),
        led_overdue_handovers=policy.led_overdue_handovers(user, on).count(),
        reports_to_submit=to_submit,
        reports_to_approve=to_approve,
        curve_actions_open=curve_actions.count(),
        curve_actions_overdue=curve_actions.filter(due_on__lt=on).count(),
        reflections_to_follow_up=Reflection.objects.filter(
            follow_up_owner=staff,
            followed_up_on__isnull=True,
            follow_up_on__lte=on + dt.timedelta(days=7),
        ).count(),
    )
