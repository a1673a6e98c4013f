"""Template tags for what the navigation offers a user from the citizens app."""

from __future__ import annotations

from django import template

from helhed import policy

register = template.Library()


@register.simple_tag
def may_break_glass(user: policy.AnyUser) -> bool:
    """Whether to show the link to emergency access (the page asks the policy again)."""
    return policy.can_break_glass(user)
