"""The stylesheet and htmx must be found by the static files machinery."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders


@pytest.mark.xfail(
    strict=True,
    reason="settings.py has no STATICFILES_DIRS and helhed itself is not an app, "
    "so helhed/static/ is neither served nor collected; remove this marker when fixed",
)
def test_the_stylesheet_and_htmx_are_found() -> None:
    assert finders.find("helhed/helhed.css") is not None
    assert finders.find("helhed/htmx.min.js") is not None
