"""The {% plan_stories plan %} section of the plan page: the plan's everyday stories."""

from __future__ import annotations

from typing import Any

from django import template

from helhed import policy
from helhed.plans.models import Plan

register = template.Library()


@register.inclusion_tag("plans/plan_stories.html", takes_context=True)
def plan_stories(context: template.Context, plan: Plan) -> dict[str, Any]:
    """The stories of a plan the caller has opened; staff only (the family is not shown them).

    A story is written by professionals about the family; the family view
    shows the plan in plain language and leaves these notes out.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    staff = policy.staff_for(user)
    stories = plan.stories.select_related("goal", "written_by") if staff is not None else []
    return {
        "plan": plan,
        "request": request,
        "stories": stories,
        "is_staff": staff is not None,
        "can_write": policy.can_edit_plan(user, plan),
        "staff_id": staff.pk if staff is not None else None,
    }
