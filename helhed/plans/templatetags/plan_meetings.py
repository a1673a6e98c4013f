"""The {% plan_meetings plan %} section of the plan page (owned by the meetings work)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("plans/plan_meetings.html", takes_context=True)
def plan_meetings(context: template.Context, plan: Any) -> dict[str, Any]:
    return {"plan": plan, "request": context.get("request")}
