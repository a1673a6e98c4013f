"""The stylesheet and htmx must be found by the static files machinery."""

from __future__ import annotations

from django.contrib.staticfiles import finders


def test_the_stylesheet_and_htmx_are_found() -> None:
    assert finders.find("helhed/helhed.css") is not None
    assert finders.find("helhed/htmx.min.js") is not None
