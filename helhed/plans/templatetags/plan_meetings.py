"""The {% plan_meetings plan %} section of the plan page: meetings and open actions."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from helhed import policy
from helhed.plans.models import Meeting, Plan
from helhed.plans.views.meetings import ActionRow

register = template.Library()


@register.inclusion_tag("plans/plan_meetings.html", takes_context=True)
def plan_meetings(context: template.Context, plan: Plan) -> dict[str, Any]:
    """Upcoming and past meetings with links, and the plan's open actions with owners.

    The caller has already opened the plan through the policy; what may be
    changed is asked here. A family login is linked to the meetings'
    summaries, not to the professionals' pages.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    staff = policy.staff_for(user)
    can_edit = policy.can_edit_plan(user, plan)
    now = timezone.now()
    meetings = plan.meetings.order_by("starts_at", "pk")
    upcoming = meetings.filter(status=Meeting.Status.PLANNED, starts_at__gte=now)
    past = meetings.exclude(pk__in=upcoming.values("pk")).order_by("-starts_at", "-pk")
    actions = [
        ActionRow.of(
            a,
            can_update=can_edit or (staff is not None and a.owner_id == staff.pk),
            plan_visible=True,
        )
        for a in plan.actions.open().select_related("owner").order_by("due_on", "pk")
    ]
    return {
        "plan": plan,
        "request": request,
        "upcoming": list(upcoming),
        "past": list(past[:20]),
        "open_actions": actions,
        "can_edit": can_edit,
        "is_family": staff is None,
        "next": request.get_full_path() if request is not None else "",
    }
