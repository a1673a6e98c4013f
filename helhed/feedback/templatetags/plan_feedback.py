"""The {% plan_progress plan %} section of the plan page (owned by the feedback work).

A compact summary per member: the latest total on each scale against its
cut-off, the reading against the first rating, and the "not improving" flag,
with links to rate and to the full progress page. No charts here: the plan
page stays fast; the progress page draws them.
"""

from __future__ import annotations

from typing import Any

from django import template

from helhed import policy
from helhed.feedback.progress import plan_progress as build_progress
from helhed.plans.models import Plan

register = template.Library()


@register.inclusion_tag("feedback/plan_progress.html", takes_context=True)
def plan_progress(context: template.Context, plan: Plan) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "plan": plan,
        "request": request,
        "members": build_progress(plan),
        "can_rate": policy.can_rate_in_plan(user, plan),
        "family": policy.staff_for(user) is None,
    }
