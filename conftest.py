"""Shared by every test: each starts with an empty cache.

Pages of aggregates keep their drawn plots in Django's cache under a hash of
the spec (``helhed.lib.charts.cached_svgs``); a plot drawn by one test must not
stand in for the drawing another test watches.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    cache.clear()
    yield
