"""The ``{% plan_concerns plan %}`` section of the plan page: the concerns that led to it.

Whoever may see the plan may read these concerns and their history, since
they are the plan's background. The tag checks that itself (a family login
sees the plan through the family pages, not these professional notes), so it
is safe to place on any page that has a plan.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Prefetch

from helhed import policy
from helhed.plans.models import Concern, ConcernEvent, Plan

register = template.Library()


@register.inclusion_tag("plans/plan_concerns.html", takes_context=True)
def plan_concerns(context: template.Context, plan: Plan) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    visible = policy.staff_for(user) is not None and policy.can_view_plan(user, plan)
    concerns: list[Concern] = []
    if visible:
        concerns = list(
            plan.concerns.select_related("unit", "raised_by", "follow_up_owner")
            .prefetch_related(
                Prefetch("events", queryset=ConcernEvent.objects.select_related("actor"))
            )
            .order_by("observed_on", "pk")
        )
    return {"plan": plan, "request": request, "visible": visible, "concerns": concerns}
