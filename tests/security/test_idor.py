"""IDOR: changing the id in a URL or an API call finds nothing the user may not see.

Every web URL pattern and every API path with an id is requested, read from
the URL resolver and the OpenAPI schema so that a new page or endpoint is
covered the day it is added, by

* ``outsider``: a case worker of another municipality,
* ``colleague``: a case worker of the same department, with no engagement,
* ``guardian``: a family login (alma's mother),

with the ids of objects that exist but that they may not see: the secret
citizen's plan, goal, effort (and its settlement), meeting, action, concern,
referral, story, consent, handover, contact, contact map, contradiction and
journey, the leader team of which the keeper is a member (its rounds, its
questions and its dilemma log), the board and self-assessment of the forum
of which the keeper is a member (and the obstacle she raised), and (for the
outsider) Rudersdal's units, results, leadership registers, forums, trials
and directory. The answer
must be 404: not 403 (which says the object exists) and not 200. A page that
only takes POST answers a GET with 405 whatever the id, so it gets a POST.
Where another answer is right, ``EXPECTED`` says so and why. Ids that exist
nowhere answer 404 to everybody, even to a user who could see such objects.
Every answer is checked for the secret citizen's name and CPR number too.

The analytics dashboards, their files and the API's published cells take the
unit's id in the query string (``QUERY_IDS``): they are asked the same way,
with the id of Sundhedsplejen (a unit none of the attackers sees the
dashboard of) and with an id that exists nowhere.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client
from django.urls import reverse

from helhed.api.api import api
from helhed.api.models import ApiToken

from .world import (
    HEALTH_VALUE,
    CitizenObjects,
    SecurityCase,
    leak_markers,
    number_forms,
    web_routes,
)

ATTACKERS = ("outsider", "colleague", "guardian")
UNKNOWN_ID = 2_000_000_000
# Sundhedsplejen's published value of 2025-Q3, as the API, the files and the page write it.
HEALTH_FORMS = number_forms(HEALTH_VALUE, places=(3, 2))

# The leadership registers: rules, documentation requirements and the uses of
# their data, burden proposals, principles, methods, reforms and local
# decisions, reflection questions. Every staff member of the municipality
# reads them (the policy module's leadership section). Not the leader teams:
# a team, its rounds and its dilemma log are its members' (and the leaders'
# above its unit), so they are checked like a citizen's objects, the
# colleague included. Listed one by one: a new kind of leadership page is
# checked strictly until it is named here.
LEADERSHIP_REGISTERS = (
    "leadership:rule",
    "leadership:requirement",
    "leadership:use_",
    "leadership:indicator_use",
    "leadership:proposal",
    "leadership:principle",
    "leadership:method",
    "leadership:reform",
    "leadership:local_decision",
    "leadership:team_question",
    "/api/leadership/rules/",
    "/api/leadership/documentation/",
    "/api/leadership/proposals/",
    "/api/leadership/principles/",
    "/api/leadership/methods/",
    "/api/leadership/reforms/",
)

# Leading across sectors: the forums (their members, meetings, decisions and
# follow-ups), the trials and their grant applications, and the directory of
# contact points. They name no citizen, and every staff member of the
# municipality reads them (the policy module's forums, trials and contacts
# sections), like the leadership registers. Not a forum's board and its
# obstacles (its members, the staff of its units and the one who raised an
# obstacle) nor its self-assessment (its members): those are checked
# strictly, the colleague included, as are the handovers, contacts, the
# contact map, contradictions, settlements and the journey, which name a
# citizen or hang on a plan. Listed one by one, like the registers above.
ACROSS_REGISTERS = (
    "forums:detail",
    "forums:edit",
    "forums:member_",
    "forums:meeting",
    "forums:decision",
    "forums:follow_up_",
    "trials:",
    "organisation:directory",
    "/api/forums/{forum_id}",
    "/api/forums/meetings/",
    "/api/forums/decisions/",
    "/api/forums/follow-ups/",
    "/api/trials/",
    "/api/directory/",
)

# Routes whose objects are not a citizen's: the organisation, the results and the
# analytics (aggregates about units), and the leadership and cross-sector registers. They
# are shared within a municipality (see the policy module), so the colleague
# gets whatever their role allows (the access matrix tests roles); the
# outsider and the family login must not find them.
SHARED_PREFIXES = (
    "organisation:",
    "results:",
    "analytics:",
    "/api/units/",
    "/api/results/",
    "/api/analytics/",
    *LEADERSHIP_REGISTERS,
    *ACROSS_REGISTERS,
)

# Who may see objects of a route at all, for the ids that exist nowhere:
# the leaders' pages are asked by a leader, the rest by the case worker.
PRIVILEGED_PREFIXES = (
    "organisation:",
    "results:",
    "analytics:",
    "audit:",
    "leadership:",
    "/api/units/",
    "/api/results/",
    "/api/analytics/",
    "/api/leadership/",
)

# (route name or API "METHOD path", attacker) -> the answers that are right, and why.
_LEADERS_ONLY = (
    {403},
    "reviewing staff's look-ups is for leaders: refused by role before any look-up, "
    "alike for every id, so the answer tells nothing about the staff member",
)
_NATIONAL = (
    {200},
    "the reforms are a national catalogue, the same for every municipality: "
    "every staff member reads them (the local decisions on them are the municipality's)",
)
EXPECTED: dict[tuple[str, str], tuple[set[int], str]] = {
    ("audit:review_staff", "outsider"): _LEADERS_ONLY,
    ("audit:review_staff", "colleague"): _LEADERS_ONLY,
    ("leadership:reform", "outsider"): _NATIONAL,
    ("GET /api/leadership/reforms/{reform_id}", "outsider"): _NATIONAL,
    ("leadership:local_decision_create", "outsider"): (
        {403},
        "a reform element is in the national catalogue, which every staff member reads; "
        "naming who owns its local decision is for leaders: refused by role",
    ),
}


# Pages and endpoints with a unit's id in the query string (route name or API path, and
# the parameter). Every id here is a look-up like a path's.
QUERY_IDS = (
    ("analytics:dashboard", "unit"),
    ("analytics:dashboard_csv", "unit"),
    ("analytics:dashboard_xlsx", "unit"),
    ("/api/analytics/cells", "unit_id"),
)
_NO_DASHBOARDS = (
    "a family login holds no role that opens a dashboard: refused before any look-up, "
    "alike for every id (the page says so without numbers, the files are refused)"
)
EXPECTED_BY_QUERY: dict[tuple[str, str], tuple[set[int], str]] = {
    ("analytics:dashboard", "guardian"): ({200}, _NO_DASHBOARDS),
    ("analytics:dashboard_csv", "guardian"): ({400}, _NO_DASHBOARDS),
    ("analytics:dashboard_xlsx", "guardian"): ({400}, _NO_DASHBOARDS),
    ("/api/analytics/cells", "guardian"): ({403}, _NO_DASHBOARDS),
}


# Pages that answer 404 even to the keeper: not a look-up of her objects.
KEEPER_NOT_FOUND: dict[str, str] = {
    "plans:family_plan": "the family's own view: for family logins only",
    "citizens:family_consent_withdraw": "the family's own consents: for family logins only",
    "plans:story_decide": "a story is decided only once proposed for sharing, by a leader",
    "plans:family_journey": "the family's own journey: for family logins only",
    "plans:family_journey_mark": "the family's own journey: for family logins only",
    "plans:family_journey_unmark": "the family's own journey: for family logins only",
}


def starts(key: str, prefixes: tuple[str, ...]) -> bool:
    """Whether a route name or an API "METHOD path" starts with one of ``prefixes``."""
    return key.startswith(prefixes) or key.split(" ", 1)[-1].startswith(prefixes)


def shared(key: str) -> bool:
    return starts(key, SHARED_PREFIXES)


def keeper_skips(key: str) -> bool:
    """Shared routes the control leaves out: what the keeper sees there depends on her role.

    The leadership and cross-sector registers are read by every staff member,
    the keeper too, so the control asks them: a 404 there would mean the id
    finds nothing.
    """
    return shared(key) and not starts(key, (*LEADERSHIP_REGISTERS, *ACROSS_REGISTERS))


class IdorTests(SecurityCase):
    def setUp(self) -> None:
        super().setUp()
        self.problems: list[str] = []
        self.markers = leak_markers(self.secret)

    def user(self, attacker: str) -> User:
        who = getattr(self, attacker)
        user = who if isinstance(who, User) else who.user
        assert user is not None
        return user

    def check(self, key: str, attacker: str, status: int, body: bytes, url: str) -> None:
        expected, _reason = EXPECTED.get((key, attacker), ({404}, ""))
        if shared(key) and attacker == "colleague" and (key, attacker) not in EXPECTED:
            expected = set()  # not an IDOR question: roles decide, the access matrix tests them
        if expected and status not in expected:
            self.problems.append(f"{attacker:9} {key}: {status}, expected {expected} ({url})")
        text = body.decode(errors="replace")
        leaked = [marker for marker in self.markers if marker in text]
        if leaked:
            self.problems.append(f"{attacker:9} {key}: leaks {leaked} ({url})")

    def web(self, client: Client, url: str) -> tuple[int, bytes]:
        """GET the page; a POST-only page (405 to GET) gets an empty POST instead."""
        with transaction.atomic():
            response = client.get(url)
            if response.status_code == 405:
                response = client.post(url, {})
            transaction.set_rollback(True)
        return response.status_code, response.content

    def test_web_pages_answer_not_found_for_objects_the_user_may_not_see(self) -> None:
        routes = web_routes()
        assert len(routes) > 60, "the URL patterns were not found"
        for attacker in ATTACKERS:
            client = Client()
            client.force_login(self.user(attacker))
            for route in routes:
                url = self.url(route, self.hidden)
                status, body = self.web(client, url)
                self.check(route.name, attacker, status, body, url)
        assert not self.problems, "\n".join(self.problems)

    def test_the_hidden_objects_exist_for_the_one_who_works_with_the_citizen(self) -> None:
        """The control: asked by ``keeper``, the same URLs find the objects (404 means hidden)."""
        client = Client()
        client.force_login(self.user_of(self.keeper))
        for route in web_routes():
            if keeper_skips(route.name) or route.name in KEEPER_NOT_FOUND:
                continue
            url = self.url(route, self.hidden)
            status, _body = self.web(client, url)
            if status == 404:
                self.problems.append(f"{route.name}: 404 for the keeper ({url})")
        token = ApiToken.issue(self.user_of(self.keeper), "control")[1]
        for method, path, operation in self.api_operations():
            if method != "GET" or keeper_skips(path):
                continue
            url = self.api_path(path, self.hidden)
            status, _body = self.call(client, token, method, url, operation)
            if status != 200:
                self.problems.append(f"{method} {path}: {status} for the keeper ({url})")
        assert not self.problems, "\n".join(self.problems)

    def test_web_pages_answer_not_found_for_ids_that_exist_nowhere(self) -> None:
        routes = web_routes()
        client = Client()
        for route in routes:
            who = self.chief if starts(route.name, PRIVILEGED_PREFIXES) else self.caseworker
            client.force_login(self.user_of(who))
            unknown = {p: UNKNOWN_ID for p in route.params if p != "step"}
            url = self.url(route, self.mine, **unknown)
            status, _body = self.web(client, url)
            if status != 404:
                self.problems.append(f"{route.name}: {status} for unknown ids ({url})")
        assert not self.problems, "\n".join(self.problems)

    def user_of(self, staff: Any) -> User:
        assert staff.user is not None
        return staff.user

    # --------------------------------------------------------------------- API

    def api_operations(self) -> list[tuple[str, str, dict[str, Any]]]:
        """(method, path, operation) for every API operation with a path parameter."""
        schema = api.get_openapi_schema()
        self.components = schema["components"]["schemas"]
        found = []
        for path, operations in schema["paths"].items():
            if "{" not in path:
                continue
            for method, operation in operations.items():
                found.append((method.upper(), path, operation))
        assert len(found) > 40, "the API paths were not found"
        return found

    def minimal(self, schema: dict[str, Any]) -> Any:
        """A small value that passes the schema, so the call reaches the view's look-up."""
        if "$ref" in schema:
            return self.minimal(self.components[schema["$ref"].rsplit("/", 1)[-1]])
        for key in ("anyOf", "oneOf", "allOf"):
            if key in schema:
                options = [o for o in schema[key] if o.get("type") != "null"]
                return self.minimal(options[0]) if options else None
        if "enum" in schema:
            return schema["enum"][0]
        kind = schema.get("type")
        if kind == "object" or "properties" in schema:
            return {
                name: self.minimal(schema["properties"][name])
                for name in schema.get("required", [])
            }
        if kind == "array":
            return [self.minimal(schema["items"])] * schema.get("minItems", 0)
        if kind == "string":
            if schema.get("format") == "date":
                return dt.date.today().isoformat()
            if schema.get("format") == "date-time":
                return dt.datetime.now(dt.UTC).isoformat()
            choices = re.fullmatch(r"\^\(([^()]+)\)\$", schema.get("pattern", ""))
            if choices:
                return choices.group(1).split("|")[0]
            return "x" * max(schema.get("minLength", 1), 1)
        if kind in ("integer", "number"):
            return max(schema.get("minimum", 1), 1)
        if kind == "boolean":
            return False
        return None

    def call(
        self, client: Client, token: str, method: str, path: str, operation: dict[str, Any]
    ) -> tuple[int, bytes]:
        body = operation.get("requestBody", {}).get("content", {})
        kwargs: dict[str, Any] = {"headers": self.bearer(token)}
        if "application/json" in body:
            kwargs["data"] = json.dumps(self.minimal(body["application/json"]["schema"]))
            kwargs["content_type"] = "application/json"
        # Required query parameters too (unmarking a journey event names the event), so
        # the call is valid but for the id and reaches the view's look-up.
        query = {
            p["name"]: self.minimal(p["schema"])
            for p in operation.get("parameters", [])
            if p["in"] == "query" and p.get("required")
        }
        if query:
            path = f"{path}?{urlencode(query)}"
        with transaction.atomic():
            response = client.generic(method, path, **kwargs)
            transaction.set_rollback(True)
        return response.status_code, response.content

    def api_path(self, path: str, objects: CitizenObjects, **override: int) -> str:
        ids = {**self.path_ids(path, objects), **override}
        for name in [p[1:-1] for p in path.split("/") if p.startswith("{")]:
            assert name in ids, f"{path}: give SecurityCase.path_ids an id for {name}"
            path = path.replace("{" + name + "}", str(ids[name]))
        return path

    def test_api_answers_not_found_for_objects_the_user_may_not_see(self) -> None:
        client = Client()
        for attacker in ATTACKERS:
            token = ApiToken.issue(self.user(attacker), "idor")[1]
            for method, path, operation in self.api_operations():
                url = self.api_path(path, self.hidden)
                status, body = self.call(client, token, method, url, operation)
                self.check(f"{method} {path}", attacker, status, body, url)
        assert not self.problems, "\n".join(self.problems)

    def test_api_answers_not_found_for_ids_that_exist_nowhere(self) -> None:
        client = Client()
        tokens = {
            staff.pk: ApiToken.issue(self.user_of(staff), "idor")[1]
            for staff in (self.chief, self.caseworker)
        }
        for method, path, operation in self.api_operations():
            key = f"{method} {path}"
            token = tokens[(self.chief if starts(key, PRIVILEGED_PREFIXES) else self.caseworker).pk]
            names = [p[1:-1] for p in path.split("/") if p.startswith("{")]
            url = self.api_path(path, self.mine, **dict.fromkeys(names, UNKNOWN_ID))
            status, _body = self.call(client, token, method, url, operation)
            if status != 404:
                self.problems.append(f"{key}: {status} for unknown ids ({url})")
        assert not self.problems, "\n".join(self.problems)

    # ------------------------------------------------------------ ids in the query

    def query_url(self, route: str, parameter: str, unit_id: int) -> str:
        path = route if route.startswith("/") else reverse(route)
        return f"{path}?{urlencode({parameter: unit_id})}"

    def ask_by_query(self, client: Client, token: str, url: str) -> tuple[int, bytes]:
        """A page with the session, an API path with the bearer token."""
        headers = self.bearer(token) if url.startswith("/api/") else {}
        with transaction.atomic():
            response = client.get(url, headers=headers)
            transaction.set_rollback(True)
        return response.status_code, response.content

    def test_query_ids_find_no_unit_the_user_may_not_see(self) -> None:
        """Sundhedsplejen's dashboard, by the attackers: 404 (the colleague's role sees it not).

        The answers must not hold Sundhedsplejen's numbers either (its shown value).
        """
        client = Client()
        for attacker in ATTACKERS:
            user = self.user(attacker)
            client.force_login(user)
            token = ApiToken.issue(user, "idor")[1]
            for route, parameter in QUERY_IDS:
                url = self.query_url(route, parameter, self.health.pk)
                status, body = self.ask_by_query(client, token, url)
                expected, _reason = EXPECTED_BY_QUERY.get((route, attacker), ({404}, ""))
                if status not in expected:
                    self.problems.append(f"{attacker:9} {route}: {status}, expected {expected}")
                if any(form in body.decode(errors="replace") for form in HEALTH_FORMS):
                    self.problems.append(f"{attacker:9} {route}: shows the unit's value ({url})")
        assert not self.problems, "\n".join(self.problems)

    def test_query_ids_that_exist_nowhere_find_nothing(self) -> None:
        """Asked by the analyst (who sees every unit of the municipality), and the control."""
        client = Client()
        user = self.user_of(self.analyst)
        client.force_login(user)
        token = ApiToken.issue(user, "idor")[1]
        for route, parameter in QUERY_IDS:
            for unit_id, expected in ((UNKNOWN_ID, 404), (self.health.pk, 200)):
                url = self.query_url(route, parameter, unit_id)
                status, _body = self.ask_by_query(client, token, url)
                if status != expected:
                    self.problems.append(f"{route}: {status} for {unit_id}, expected {expected}")
        assert not self.problems, "\n".join(self.problems)
