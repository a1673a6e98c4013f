"""The {% freshness_card freshness %} card: a report's or a leader's freshness, in words."""

from __future__ import annotations

from typing import Any

from django import template

from helhed.results.freshness import Freshness

register = template.Library()


@register.inclusion_tag("results/freshness_card.html")
def freshness_card(freshness: Freshness, title: str = "") -> dict[str, Any]:
    """The three shares and the score, each with the counts behind it (text, not colour alone)."""
    return {"f": freshness, "title": title}


@register.filter
def percent(share: float | None) -> str:
    """A share as a whole percent ("67 %"); a dash when nothing applies."""
    if share is None:
        return "–"
    return f"{round(share * 100)} %"
