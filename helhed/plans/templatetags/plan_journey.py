"""{% family_journeys members as journeys %}: the plan's members whose journey the family opens.

The family's plan page links to the journey of each member in the login's
care (itself and its children); a member outside its care gets no link,
because the journey would answer 404.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from helhed import policy
from helhed.citizens.models import Citizen

register = template.Library()


@register.simple_tag(takes_context=True)
def family_journeys(context: template.Context, members: Iterable[Citizen]) -> list[Citizen]:
    request: Any = context.get("request")
    user = getattr(request, "user", None)
    if not policy.is_family_login(user):
        return []
    in_care = set(policy.family_members_in_care(user).values_list("pk", flat=True))
    return [m for m in members if m.pk in in_care]
