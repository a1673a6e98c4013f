"""The contradictions sections: on the plan page, and on the next network meeting's page."""

from __future__ import annotations

from typing import Any

from django import template

from helhed import policy
from helhed.plans.actions import contradictions as actions
from helhed.plans.models import Contradiction, Meeting, Plan

register = template.Library()


@register.inclusion_tag("plans/contradiction_section.html", takes_context=True)
def plan_contradictions(context: template.Context, plan: Plan) -> dict[str, Any]:
    """Open contradictions of the plan, and when they are to be taken up.

    The caller has already opened the plan through the policy. Shown only on
    the professionals' pages (a family login sees nothing here).
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    if policy.staff_for(user) is None:
        return {"show": False}
    return {
        "show": True,
        "plan": plan,
        "open": list(actions.open_contradictions(plan).order_by("raised_on", "pk")[:20]),
        "resolved": plan.contradictions.filter(status=Contradiction.Status.RESOLVED).count(),
        "next_meeting": actions.next_meeting(plan),
        "can_flag": policy.can_flag_contradiction(user, plan),
    }


@register.inclusion_tag("plans/contradiction_agenda.html", takes_context=True)
def meeting_contradictions(context: template.Context, meeting: Meeting) -> dict[str, Any]:
    """On the next meeting's page: the open contradictions to take up; on any, those resolved."""
    request = context.get("request")
    if policy.staff_for(getattr(request, "user", None)) is None:
        return {"show": False}
    agenda = actions.agenda_contradictions(meeting)
    resolved = list(
        Contradiction.objects.filter(meeting=meeting).select_related("effort", "other_effort")
    )
    return {
        "show": bool(agenda or resolved),
        "meeting": meeting,
        "agenda": agenda,
        "resolved": resolved,
    }
