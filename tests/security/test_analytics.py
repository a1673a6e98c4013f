"""The analytics pages, files and API: no hidden number reaches anyone; hostile filters do no harm.

Who may open which analytics page is the access matrix's (``dashboard``,
``comparison``, ``schools``, ``whatworks`` ...) and the IDOR test's
(``QUERY_IDS``). This module attacks what the pages *show*:

* **Hidden numbers.** The world (``world.SecurityCase.make_analytics``) holds
  cells the engine hid that nevertheless store a value, a numerator and a
  denominator (``HIDDEN_VALUE`` ...): numbers that should never have been
  stored, and that no answer may hold, to any user, in any rounding, on any
  dashboard (its tables and the data of its plots), in the CSV and Excel
  files (the workbook's XML), on the benchmark and what-works pages, or in
  the API. The plots are drawn by a stand-in that writes the Vega-Lite data as
  text, so a hidden value passed to a plot is found too. A control shows that
  the scan reads numbers: the school's shown value is found on every surface
  by a user who may see it.
* **A cell under five persons stored as if shown** (``UNDER_FIVE_VALUE``):
  below the small-number rule however it came to be stored: every surface
  hides it (``Cell.is_visible`` is the one rule).
* **Hostile filters.** Every filter of the pages and the API (``unit``,
  ``group``, ``from``, ``to``, ``indicator``, ``period``, ``by``, ``start``,
  ``end``, and the API's ``unit_id``, ``period_from``, ``period_to``) gets
  SQL, markup, template syntax, huge and negative numbers, NUL, control and
  right-to-left characters, other scripts' digits, impossible dates and
  periods, and 5000 characters, one parameter at a time with the others
  valid, then text drawn by hypothesis. Never a 500 or an exception; an HTML
  answer never holds the markup unescaped; other answers are JSON, CSV or
  plain text with ``nosniff``, so a browser does not render them as HTML.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import traceback
import zipfile
from collections.abc import Iterator
from typing import Any
from unittest import mock
from urllib.parse import urlencode

from django.contrib.auth.models import User
from django.test import Client, override_settings
from django.urls import reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from helhed.analytics.models import Cell
from helhed.api.models import ApiToken
from helhed.organisation.models import Unit

from .test_injection import ATTRIBUTE, RAW, RTL, SCRIPT, SQL, TEMPLATE
from .world import (
    ABSENCE,
    HIDDEN_MARKERS,
    NO_CACHE,
    PERIODS,
    SHOWN_VALUE,
    UNDER_FIVE_MARKERS,
    WELLBEING,
    SecurityCase,
    number_forms,
)

# Everyone of the cast: leaders at three levels, front-line staff, the analyst and the
# politician, the outsider, the family login and the administrator without a staff record.
USERS = (
    "director",
    "chief",
    "leader",
    "caseworker",
    "teacher",
    "colleague",
    "keeper",
    "psychologist",
    "analyst",
    "politician",
    "outsider",
    "guardian",
    "admin",
)
DASHBOARDS = ("analytics:dashboard", "analytics:dashboard_csv", "analytics:dashboard_xlsx")
RANGE = {"from": "2024-Q1", "to": "2025-Q4"}
SHOWN_FORMS = number_forms(SHOWN_VALUE)

# Surfaces that show the cell of three persons stored as if shown: none, since every
# surface asks ``Cell.is_visible``.
KNOWN_UNDER_FIVE: set[str] = set()


def drawn_as_data(spec: dict[str, Any], *args: Any, **kwargs: Any) -> str:
    """A plot as its Vega-Lite spec in text, so the numbers handed to it can be read."""
    return f"<svg >{json.dumps(spec)}</svg>"


def text_of(content: bytes, content_type: str) -> str:
    """The answer as text; a workbook's XML files (its cells and shared strings) joined."""
    if "spreadsheetml" in content_type:
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            return "\n".join(book.read(name).decode() for name in book.namelist())
    return content.decode(errors="replace")


class HiddenNumberTests(SecurityCase):
    """Every analytics answer to every user of the cast, searched for the hidden numbers."""

    def user(self, who: str) -> User:
        found = getattr(self, who)
        user = found if isinstance(found, User) else found.user
        assert user is not None
        return user

    def units(self) -> list[Unit]:
        """The units with cells and those without, in both municipalities."""
        other = Unit.objects.get(municipality__code=167, parent=None)
        return [
            self.root,
            self.children_admin,
            self.school,
            self.family_dept,
            self.health,
            self.ppr,
            other,
        ]

    def surfaces(self) -> Iterator[tuple[str, str]]:
        """(surface, URL): every page, file and endpoint, for every unit, group and period."""
        for name in DASHBOARDS:
            yield name, reverse(name)
            for unit in self.units():
                yield name, f"{reverse(name)}?{urlencode({'unit': unit.pk, **RANGE})}"
            girls = {"unit": self.school.pk, "group": "sex:F", **RANGE}
            yield name, f"{reverse(name)}?{urlencode(girls)}"
        choices = [(ABSENCE, p) for p in ("", *PERIODS)] + [(WELLBEING, p) for p in ("", "2024")]
        for code, period in choices:
            query = urlencode({"indicator": code, "period": period})
            yield "analytics:benchmark", f"{reverse('analytics:benchmark')}?{query}"
        yield "analytics:what_works", reverse("analytics:what_works")
        yield "analytics:what_works_csv", reverse("analytics:what_works_csv")
        yield "/api/analytics/cells", "/api/analytics/cells"
        yield "/api/analytics/cells", "/api/analytics/cells?group=sex:F"
        for unit in self.units():
            yield "/api/analytics/cells", f"/api/analytics/cells?unit_id={unit.pk}"
        for path in ("/api/analytics/benchmark", "/api/analytics/schools"):
            for period in PERIODS:
                yield path, f"{path}?{urlencode({'indicator': ABSENCE, 'period': period})}"
            yield path, f"{path}?{urlencode({'indicator': WELLBEING, 'period': '2024'})}"
        yield "/api/analytics/what-works", "/api/analytics/what-works"

    def read_all(self, who: str) -> Iterator[tuple[str, str, int, str]]:
        """(surface, URL, status, text) of every surface, as ``who`` reads it."""
        client = Client()
        user = self.user(who)
        client.force_login(user)
        token = ApiToken.issue(user, "analytics")[1]
        for surface, url in self.surfaces():
            headers = self.bearer(token) if url.startswith("/api/") else {}
            response = client.get(url, headers=headers)
            assert response.status_code < 500, (who, url, response.status_code)
            content_type = response.get("Content-Type", "")
            yield surface, url, response.status_code, text_of(response.content, content_type)

    @override_settings(CACHES=NO_CACHE)
    @mock.patch("vl_convert.vegalite_to_svg", side_effect=drawn_as_data)
    def test_no_answer_to_anyone_holds_a_hidden_number(self, _draw: mock.Mock) -> None:
        problems: list[str] = []
        under_five: dict[str, set[str]] = {}
        shown_on: set[str] = set()
        hidden_rows: set[str] = set()
        for who in USERS:
            for surface, url, status, text in self.read_all(who):
                leaked = [marker for marker in HIDDEN_MARKERS if marker in text]
                if leaked:
                    problems.append(f"{who:12} {url}: {status} holds {leaked}")
                if any(marker in text for marker in UNDER_FIVE_MARKERS):
                    under_five.setdefault(surface, set()).add(who)
                if who == "analyst" and status == 200:
                    if any(form in text for form in SHOWN_FORMS):
                        shown_on.add(surface)
                    if 'data-hidden="true"' in text or '"suppressed": true' in text:
                        hidden_rows.add(surface)
        assert not problems, "\n".join(problems)
        # The control: the scan reads the numbers of every surface that shows the school
        # (the workbook's and the plots' too), and the hidden cells were among those read.
        assert {
            *DASHBOARDS,
            "analytics:benchmark",
            "/api/analytics/cells",
            "/api/analytics/schools",
        } <= shown_on, shown_on
        assert {"analytics:dashboard", "/api/analytics/cells"} <= hidden_rows, hidden_rows
        # The cell of three persons stored as if shown (see ``KNOWN_UNDER_FIVE``).
        assert set(under_five) == KNOWN_UNDER_FIVE, under_five

    def test_the_hidden_cell_holds_the_numbers_it_must_not_show(self) -> None:
        """The control of the world: the numbers are stored, so their absence means hidden."""
        stored = Cell.objects.filter(unit=self.school, period="2025-Q2", group="all").get()
        assert stored.suppression == Cell.Suppression.PRIMARY
        assert str(stored.value) in HIDDEN_MARKERS
        assert str(stored.numerator) in HIDDEN_MARKERS


# --------------------------------------------------------------------------- hostile filters

HOSTILE = [
    SQL,
    "1 OR 1=1",
    "1; SELECT pg_sleep(5)--",
    SCRIPT,
    ATTRIBUTE,
    "'><img src=x onerror=alert(1)>",
    TEMPLATE,
    "%(code)s %s {0}",
    "",
    " ",
    "\x00",
    "1\x00",
    "2025-Q3\x00",
    "\r\nSet-Cookie: x=1",
    "\t\x0b\x1f",
    RTL,
    "\u200b2025",
    "２０２５-Ｑ３",  # full-width digits and letter
    "٢٠٢٥",  # Arabic-Indic digits
    "🙂",
    "-1",
    "0",
    "9" * 40,
    str(2**31),
    str(2**63),
    "1e400",
    "NaN",
    "-0",
    "0x1F",
    "0001-01-01",
    "9999-12-31",
    "2025-02-30",
    "2025-13-01",
    "12/31/2025",
    "1989",
    "2101-Q1",
    "2100-Q4",
    "1990",
    "2025-Q0",
    "2025-Q5",
    "2025-H3",
    "2025-00",
    "2025-Q3-Q4",
    "sex:X",
    "age:999",
    "all' OR '1'='1",
    "supplier",
    "x" * 5000,
]

# What must never appear unescaped in a page: the injection test's, and a tag's break-out.
UNESCAPED = [*RAW, "<img src=x onerror", "'><img"]

# (URL name or API path, valid query): each parameter gets the hostile values in turn.
FILTERS: list[tuple[str, dict[str, str]]] = [
    (
        "analytics:dashboard",
        {"unit": "{school}", "group": "all", "from": "2025-Q1", "to": "2025-Q4"},
    ),
    (
        "analytics:dashboard_csv",
        {"unit": "{school}", "group": "all", "from": "2025-Q1", "to": "2025-Q4"},
    ),
    (
        "analytics:dashboard_xlsx",
        {"unit": "{school}", "group": "all", "from": "2025-Q1", "to": "2025-Q4"},
    ),
    ("analytics:benchmark", {"indicator": ABSENCE, "period": "2025-Q3"}),
    ("analytics:what_works", {"by": "type", "start": "2025-01-01", "end": "2025-12-31"}),
    ("analytics:what_works_csv", {"by": "type", "start": "2025-01-01", "end": "2025-12-31"}),
    (
        "/api/analytics/cells",
        {
            "unit_id": "{school}",
            "indicator": ABSENCE,
            "group": "all",
            "period_from": "2025-Q1",
            "period_to": "2025-Q4",
        },
    ),
    ("/api/analytics/benchmark", {"indicator": ABSENCE, "period": "2025-Q3"}),
    ("/api/analytics/schools", {"indicator": ABSENCE, "period": "2025-Q3"}),
    ("/api/analytics/what-works", {"by": "type", "start": "2025-01-01", "end": "2025-12-31"}),
]
# What a browser does not render as a page (with ``nosniff``): the API's JSON, the files,
# and the plain-text refusals of the files.
SAFE_TYPES = ("application/json", "text/csv", "text/plain", "application/vnd.openxmlformats")
DRAWN = st.text(max_size=60)


class HostileFilterTests(SecurityCase):
    """The analyst (who passes every access rule) sends hostile values in every filter."""

    def setUp(self) -> None:
        super().setUp()
        assert self.analyst.user is not None
        self.client.force_login(self.analyst.user)
        self.headers = self.bearer(ApiToken.issue(self.analyst.user, "filters")[1])
        self.problems: list[str] = []

    def path_of(self, route: str) -> str:
        return route if route.startswith("/") else reverse(route)

    def send(self, route: str, query: dict[str, str]) -> None:
        """One request; what is wrong with its answer goes to ``self.problems``."""
        filled = {k: v.replace("{school}", str(self.school.pk)) for k, v in query.items()}
        url = self.path_of(route)
        headers = self.headers if url.startswith("/api/") else {}
        shown = repr(filled)[:160]
        try:
            response = self.client.get(url, filled, headers=headers)
        except Exception as exc:  # noqa: BLE001 - any exception is the finding
            self.problems.append(f"{route} {shown}: {traceback.format_exception(exc)[-1]}")
            return
        status = response.status_code
        if status >= 500:
            self.problems.append(f"{route} {shown}: {status}")
            return
        content_type = response.get("Content-Type", "")
        if "text/html" in content_type:
            text = response.content.decode(errors="replace")
            raw = [r for r in UNESCAPED if r in text]
            if raw:
                self.problems.append(f"{route} {shown}: {raw} unescaped")
        elif not content_type.startswith(SAFE_TYPES):
            self.problems.append(f"{route} {shown}: {status} as {content_type!r}")
        elif response.get("X-Content-Type-Options") != "nosniff":
            self.problems.append(f"{route} {shown}: {content_type} without nosniff")

    @override_settings(CACHES=NO_CACHE)
    @mock.patch("vl_convert.vegalite_to_svg", return_value="<svg></svg>")
    def test_hostile_values_in_every_filter_are_answered_calmly(self, _draw: mock.Mock) -> None:
        sent = 0
        for route, valid in FILTERS:
            self.send(route, valid)
            for name in valid:
                for value in HOSTILE:
                    self.send(route, {**valid, name: value})
                    sent += 1
        assert sent > 1000, sent
        assert not self.problems, "\n".join(self.problems[:40])

    def fuzz(self, route: str, valid: dict[str, str], name: str) -> None:
        """A few drawn texts in one parameter, the others valid."""

        @settings(
            max_examples=3,
            derandomize=True,
            database=None,
            deadline=dt.timedelta(seconds=20),
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(value=DRAWN)
        def one(value: str) -> None:
            # A lone surrogate cannot travel in a URL (no browser sends one): replaced.
            text = value.encode("utf-8", "replace").decode()
            self.send(route, {**valid, name: text})

        one()

    @override_settings(CACHES=NO_CACHE)
    @mock.patch("vl_convert.vegalite_to_svg", return_value="<svg></svg>")
    def test_drawn_text_in_every_filter_is_answered_calmly(self, _draw: mock.Mock) -> None:
        """Text of any alphabet (hypothesis, derandomized), a few examples per parameter."""
        for route, valid in FILTERS:
            for name in valid:
                self.fuzz(route, valid, name)
        assert not self.problems, "\n".join(self.problems[:40])

    def test_a_valid_filter_is_the_control(self) -> None:
        """Each valid query is answered with the numbers, so the hostile ones reached the views."""
        for route, valid in FILTERS:
            filled = {k: v.replace("{school}", str(self.school.pk)) for k, v in valid.items()}
            url = self.path_of(route)
            headers = self.headers if url.startswith("/api/") else {}
            with mock.patch("vl_convert.vegalite_to_svg", return_value="<svg></svg>"):
                response = self.client.get(url, filled, headers=headers)
            assert response.status_code == 200, (route, response.status_code)
