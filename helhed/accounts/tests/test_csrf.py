"""CSRF everywhere: every URL refuses a POST without the token, the API's session login included."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from helhed.accounts.tests.util import AccountsTestCase, english
from helhed.api.models import ApiToken

# A value each path converter accepts; the CSRF check runs before the view, so
# the objects need not exist.
DUMMY = {
    "int": "1",
    "str": "x",
    "slug": "x",
    "path": "x",
    "uuid": "00000000-0000-0000-0000-000000000000",
}
PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def url_patterns() -> Iterator[tuple[str, bool, URLPattern]]:
    """Every URL pattern: its route with dummy values, whether it is all path(), the pattern."""

    def walk(
        patterns: list[Any], prefix: str, plain: bool
    ) -> Iterator[tuple[str, bool, URLPattern]]:
        for pattern in patterns:
            is_route = isinstance(pattern.pattern, RoutePattern)
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route, plain and is_route)
            else:
                yield route, plain and is_route, pattern

    yield from walk(get_resolver().url_patterns, "", True)


def with_dummies(route: str) -> str:
    return "/" + PARAM.sub(lambda m: DUMMY[m.group("converter") or "str"], route)


def is_api(pattern: URLPattern) -> bool:
    # django-ninja's views are csrf_exempt by design: the API checks CSRF
    # itself for its session login (SessionAuth), and bearer tokens need none.
    return pattern.callback.__module__.startswith("ninja.")


class CsrfWalkTests(AccountsTestCase):
    def test_no_view_outside_the_api_is_csrf_exempt(self) -> None:
        exempt = [
            route
            for route, _plain, pattern in url_patterns()
            if getattr(pattern.callback, "csrf_exempt", False) and not is_api(pattern)
        ]
        self.assertEqual(exempt, [])

    def test_every_page_refuses_a_post_without_the_token(self) -> None:
        client = english(Client(enforce_csrf_checks=True))
        assert self.caseworker.user is not None
        client.force_login(self.caseworker.user)
        checked = []
        for route, plain, pattern in url_patterns():
            if is_api(pattern) or not plain:
                continue
            url = with_dummies(route)
            response = client.post(url, {"x": "1"})
            self.assertEqual(response.status_code, 403, url)
            self.assertIn(b"CSRF verification failed", response.content, url)
            checked.append(url)
        # The walk reached the apps and the admin, not just a few pages.
        for url in (
            "/login/",
            "/logout/",
            "/i18n/setlang/",
            "/accounts/two-factor/start/",
            "/admin/",
        ):
            self.assertIn(url, checked)
        self.assertGreater(len(checked), 100)


class ApiCsrfTests(AccountsTestCase):
    BODY = json.dumps({"name": "Ny enhed", "unit_type": "school"})

    def test_a_session_post_to_the_api_without_the_token_is_refused(self) -> None:
        client = Client(enforce_csrf_checks=True)
        assert self.leader.user is not None
        client.force_login(self.leader.user)
        response = client.post("/api/units", self.BODY, content_type="application/json")
        self.assertEqual(response.status_code, 403)
        self.assertIn(b"CSRF", response.content)

    def test_a_bearer_token_needs_no_csrf_token(self) -> None:
        assert self.leader.user is not None
        token = ApiToken.issue(self.leader.user, "test")[1]
        client = Client(enforce_csrf_checks=True)
        response = client.post(
            "/api/units",
            self.BODY,
            content_type="application/json",
            headers={"authorization": f"Bearer {token}"},
        )
        # Past authentication and CSRF: the endpoint itself asks for its fields.
        self.assertEqual(response.status_code, 422, response.content)
