"""The {% plan_referrals plan %} section of the plan page: the plan's referrals and their waits.

Anyone who may see the plan sees which units the citizen was referred to, the
status and the waiting time; the question and the child's details stay on the
referral's own page, linked only for those the policy lets open it.
"""

from __future__ import annotations

from typing import Any

from django import template

from helhed import policy
from helhed.plans.models import Plan, Referral

register = template.Library()

LONG_WAIT_DAYS = 14


@register.inclusion_tag("plans/plan_referrals.html", takes_context=True)
def plan_referrals(context: template.Context, plan: Plan) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    referrals: list[Referral] = list(
        plan.referrals.select_related("from_unit", "to_unit").order_by("-sent_at", "-pk")
    )
    openable = set(
        policy.visible_referrals(user)
        .filter(pk__in=[r.pk for r in referrals])
        .values_list("pk", flat=True)
    )
    may_refer = policy.staff_for(user) is not None and policy.can_edit_plan(user, plan)
    return {
        "plan": plan,
        "referrals": referrals,
        "openable": openable,
        "long_wait_days": LONG_WAIT_DAYS,
        "refer_citizen": plan.lead_citizen if may_refer else None,
        "request": request,
    }
