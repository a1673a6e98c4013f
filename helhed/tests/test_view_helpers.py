"""The shared view helpers: ids from query parameters, and pagination links' query strings."""

from __future__ import annotations

from django.test import RequestFactory
from django.urls import reverse

from helhed.lib.views import parse_id, query_without_page
from helhed.test import BaseTestCase


def test_parse_id_takes_a_positive_id_and_nothing_else() -> None:
    assert parse_id("17") == 17
    assert parse_id("9" * 18) == int("9" * 18)
    for raw in ("", "0", "-3", " 17", "1.5", "abc", "²", "١٧", "9" * 19):
        assert parse_id(raw) is None, raw


def test_query_without_page_keeps_the_filters_and_drops_the_page() -> None:
    request = RequestFactory().get("/", {"q": "Bakke skolen", "page": "3", "taken_page": "2"})
    assert query_without_page(request) == "q=Bakke+skolen&taken_page=2"
    assert query_without_page(request, "taken_page") == "q=Bakke+skolen&page=3"


class TamperedIdTests(BaseTestCase):
    """An id in a link that is not one is ignored, or a 404; never a server error."""

    def test_raising_an_item_ignores_a_forum_that_is_not_an_id(self) -> None:
        self.login(self.teacher)
        for raw in ("²", "9" * 30):
            response = self.client.get(reverse("forums:item_raise"), {"forum": raw})
            assert response.status_code == 200, raw

    def test_a_new_contact_point_ignores_a_unit_that_is_not_an_id(self) -> None:
        self.login(self.leader)
        response = self.client.get(reverse("organisation:directory_create"), {"unit": "²"})
        assert response.status_code == 200

    def test_a_handover_about_a_citizen_that_is_not_an_id_is_not_found(self) -> None:
        self.login(self.caseworker)
        for query in ({"citizen": "²"}, {"plan": "9" * 30}):
            response = self.client.get(reverse("plans:handover_create"), query)
            assert response.status_code == 404, query
