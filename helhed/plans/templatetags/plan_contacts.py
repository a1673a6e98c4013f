"""{% contacts_waiting %}: how many contacts with the user's families wait to be seen.

Shown on the home page beside the rest of the user's waiting work; a count
only, linking to "Contacts with your families".
"""

from __future__ import annotations

from typing import Any

from django import template

from helhed import policy

register = template.Library()


@register.inclusion_tag("plans/contact_waiting.html", takes_context=True)
def contacts_waiting(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"count": policy.contacts_to_see(user).count()}
