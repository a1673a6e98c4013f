"""Vega-Lite charts rendered on the server as inline SVG, with an accessible name.

Pages embed the SVG directly: no script runs in the browser, so the
Content-Security-Policy holds, and a screen reader reads the chart's name
(``role="img"`` and ``aria-label``). Each page puts a table of the same numbers
beside the chart; this module only draws.

Drawing costs 20-200 ms a plot, so pages of aggregates draw through
``cached_svgs``: the SVG is kept in Django's cache under a hash of the spec
and the name, so the same numbers give the same picture without drawing it
again. Only for aggregates: a plot of one citizen's ratings is drawn with
``accessible_svg`` and never kept.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Mapping
from typing import Any

import vl_convert
from django.core.cache import cache

CACHE_SECONDS = 24 * 60 * 60
CACHE_PREFIX = "svg:"


def accessible_svg(spec: dict[str, Any], name: str) -> str:
    """The Vega-Lite ``spec`` drawn as SVG, named ``name`` for assistive technology."""
    svg = str(vl_convert.vegalite_to_svg(spec))
    return svg.replace("<svg ", f'<svg role="img" aria-label="{html.escape(name)}" ', 1)


def cache_key(spec: Mapping[str, Any], name: str) -> str:
    """The cache key of a drawing: a hash of everything that decides what it looks like."""
    text = json.dumps(
        {"spec": spec, "name": name}, sort_keys=True, separators=(",", ":"), default=str
    )
    return CACHE_PREFIX + hashlib.sha256(text.encode()).hexdigest()


def cached_svgs(charts: Mapping[str, tuple[dict[str, Any], str]]) -> dict[str, str]:
    """Draw every ``slot: (spec, name)`` as SVG, from the cache where already drawn.

    One round trip to the cache for the whole page (``get_many``), one more
    to store what had to be drawn.
    """
    keys = {slot: cache_key(spec, name) for slot, (spec, name) in charts.items()}
    found: dict[str, str] = cache.get_many(list(keys.values()))
    drawn: dict[str, str] = {}
    result: dict[str, str] = {}
    for slot, (spec, name) in charts.items():
        key = keys[slot]
        svg = found.get(key) or drawn.get(key)
        if svg is None:
            svg = accessible_svg(spec, name)
            drawn[key] = svg
        result[slot] = svg
    if drawn:
        cache.set_many(drawn, timeout=CACHE_SECONDS)
    return result


def cached_svg(spec: dict[str, Any], name: str) -> str:
    """One aggregate plot through the cache (``cached_svgs``)."""
    return cached_svgs({"plot": (spec, name)})["plot"]
