"""The {% plan_progress plan %} section of the plan page (owned by the feedback work)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("feedback/plan_progress.html", takes_context=True)
def plan_progress(context: template.Context, plan: Any) -> dict[str, Any]:
    return {"plan": plan, "request": context.get("request")}
