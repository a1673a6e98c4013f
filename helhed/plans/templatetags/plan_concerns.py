"""The {% plan_concerns plan %} section of the plan page (owned by the concerns work)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("plans/plan_concerns.html", takes_context=True)
def plan_concerns(context: template.Context, plan: Any) -> dict[str, Any]:
    return {"plan": plan, "request": context.get("request")}
