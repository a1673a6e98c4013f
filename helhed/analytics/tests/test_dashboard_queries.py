"""The dashboard reads a small, fixed number of queries, however many units and cells it shows.

The analyst opens the municipality root with 1 unit beneath it, then with 30,
every unit holding every indicator in every quarter and year of the range:
the number of queries stays the same and under ``MAX_QUERIES``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from helhed.analytics.definitions import DEFINITIONS
from helhed.analytics.tests.test_dashboard import make_cell
from helhed.organisation.models import Unit
from helhed.results.periods import Frequency, Period
from helhed.test import BaseTestCase, indicator, make_unit, set_target

URL = reverse("analytics:dashboard")
RANGE: dict[str, Any] = {"from": "2024-Q1", "to": "2025-Q4"}
# Session, user, staff, the menu (family login, emergency access), visible units
# (roles, units), the unit (roles, unit), the catalogue, the unit's cells, the
# cells beneath, targets (ancestors, targets) and the last compute run.
MAX_QUERIES = 16


class Cast(BaseTestCase):
    """Only for its ``setUpTestData``: the named users and units, made by a fixture."""


def fill(unit: Unit) -> None:
    """A shown cell for every indicator and period of the range."""
    first, last = Period.parse("2024-Q1"), Period.parse("2025-Q4")
    for definition in DEFINITIONS:
        if definition.frequency == Frequency.YEARLY:
            periods = ["2024", "2025"]
        else:
            periods = [first.shift(step).code for step in range(8)]
        assert periods[-1] == last.code or definition.frequency == Frequency.YEARLY
        for code in periods:
            make_cell(unit, definition.code, code, "12.500", persons=50)


@pytest.fixture
def cast(db: Any) -> type[Cast]:
    Cast.setUpTestData()
    set_target(indicator("fravaer-over-10"), Cast.root, 10)
    fill(Cast.root)
    return Cast


def queries(client: Client, params: dict[str, Any]) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_page_runs_a_fixed_number_of_queries(
    cast: type[Cast], client: Client, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    assert cast.analyst.user is not None
    client.force_login(cast.analyst.user)
    params = {**RANGE, "unit": cast.root.pk}
    for unit in Unit.objects.filter(parent=cast.root):
        fill(unit)
    few = queries(client, params)
    for number in range(29):
        fill(make_unit(f"Enhed {number:02d}", parent=cast.root, unit_type="administration"))
    assert Unit.objects.filter(parent=cast.root).count() == 30
    cache.clear()
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(URL, params)
    assert response.status_code == 200
    assert len(response.context["children"]) == 30
    assert response.content.count(b'<svg role="img"') == 20
    assert queries(client, params) == few


def test_the_default_unit_costs_one_query_more_at_most(
    cast: type[Cast], client: Client, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    assert cast.leader.user is not None
    client.force_login(cast.leader.user)
    with django_assert_max_num_queries(MAX_QUERIES + 1):
        response = client.get(URL, RANGE)
    assert response.status_code == 200
    assert response.context["selection"].unit == cast.school
