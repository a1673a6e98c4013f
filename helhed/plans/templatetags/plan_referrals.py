"""The {% plan_referrals plan %} section of the plan page (owned by the referrals work)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("plans/plan_referrals.html", takes_context=True)
def plan_referrals(context: template.Context, plan: Any) -> dict[str, Any]:
    return {"plan": plan, "request": context.get("request")}
