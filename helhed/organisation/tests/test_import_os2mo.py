"""Importing from OS2mo: a real HTTP server on 127.0.0.1 answers with recorded responses.

No mocks: the client speaks HTTP to ``RecordedOS2mo``, which plays OS2mo's
GraphQL endpoint and its Keycloak token endpoint from the JSON files in
``data/os2mo`` (a small municipality in OS2mo's v22 shapes).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import socket
import threading
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from django.test import TestCase
from django.utils import translation

from helhed.organisation.importers.os2mo import (
    OS2moClient,
    OS2moConfig,
    OS2moError,
    OS2moMapping,
    import_os2mo,
)
from helhed.organisation.models import RoleAssignment, Staff, Unit, leader_for_unit
from helhed.test import municipality

DATA = Path(__file__).parent / "data" / "os2mo"
GRAPHQL_PATH = "/graphql/v22"
TOKEN_PATH = "/auth/realms/mo/protocol/openid-connect/token"
CLIENT_ID = "helhed"
CLIENT_SECRET = "recorded-client-secret"
STATIC_TOKEN = "static-integration-token"

ROOT = "8f1b3c52-5d1e-4a0c-9a36-0f6a4bb1d101"
BU = "0c6e2f8a-91b4-4f53-8e0d-3c1a7d2e5b02"
SOS = "5a9d4e71-2c38-4b6f-a1e2-7f0b9c3d8e03"
BAKKE = "d3f7a1c9-6e24-4d8b-b5a0-1e9f2c7d4a04"
VANGEBO = "7e2c9b14-3f5a-4a61-8d7e-b0c4e1f2a305"
SOL = "b41e6d28-9a73-4c5f-a2b1-6d8e0f3c9706"
DAGPLEJE = "2f8a0c63-d4e1-4b97-9c5a-e3b7f6a1d807"
INDSKOLING = "c95b7e30-1a46-4f2d-b8c9-0e4d7a2f6b08"
LISE = "1a2b3c4d-0003-4e5f-8a9b-0c1d2e3f4a03"
TOM = "1a2b3c4d-0004-4e5f-8a9b-0c1d2e3f4a04"
PIA = "1a2b3c4d-0005-4e5f-8a9b-0c1d2e3f4a05"
HENRIK = "1a2b3c4d-0008-4e5f-8a9b-0c1d2e3f4a08"


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return data


@dataclass
class Seen:
    """One request as the server received it."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class RecordedOS2mo:
    """OS2mo and its Keycloak as a real HTTP server answering from recorded responses.

    Pages chain by cursor as OS2mo's do: the first page answers a null cursor,
    each next page the cursor its predecessor returned. ``fail`` makes an
    operation (or the token endpoint, by its path) answer with a given status
    and body; ``pages`` can be edited to play a changed OS2mo.
    """

    def __init__(self) -> None:
        self.pages: dict[str, list[dict[str, Any]]] = {
            "HelhedOrgUnits": [load(f"org_units.page{n}.json") for n in (1, 2, 3)],
            "HelhedEmployees": [load("employees.json")],
            "HelhedEngagements": [load("engagements.json")],
            "HelhedManagers": [load("managers.json")],
        }
        self.token = load("token.json")
        self.fail: dict[str, tuple[int, Any]] = {}
        self.requests: list[Seen] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def graphql_requests(self, operation: str | None = None) -> list[Seen]:
        return [
            r
            for r in self.requests
            if r.path == GRAPHQL_PATH
            and (operation is None or r.body.get("operationName") == operation)
        ]

    def token_requests(self) -> list[Seen]:
        return [r for r in self.requests if r.path == TOKEN_PATH]

    def start(self) -> None:
        recorded = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status, answer = recorded.answer(self.path, dict(self.headers.items()), raw)
                payload = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # A short poll interval, so shutdown() does not wait half a second per test.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        assert self._server is not None and self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def answer(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, Any]:
        if path == TOKEN_PATH:
            form = dict(urllib.parse.parse_qsl(raw.decode()))
            self.requests.append(Seen(path, headers, form))
            if path in self.fail:
                return self.fail[path]
            expected = {
                "grant_type": "client_credentials",
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
            }
            if form != expected:
                return 401, {
                    "error": "unauthorized_client",
                    "error_description": "Invalid client or Invalid client credentials",
                }
            return 200, self.token
        if path != GRAPHQL_PATH:
            return 404, {"detail": "Not Found"}
        body = json.loads(raw)
        self.requests.append(Seen(path, headers, body))
        bearer = headers.get("Authorization")
        if bearer not in (f"Bearer {self.token['access_token']}", f"Bearer {STATIC_TOKEN}"):
            return 401, {"detail": "Not authenticated"}
        operation = body.get("operationName")
        if operation in self.fail:
            return self.fail[operation]
        cursor = body.get("variables", {}).get("cursor")
        expected_cursor = None
        for page in self.pages.get(operation, []):
            if cursor == expected_cursor:
                return 200, page
            expected_cursor = next(iter(page["data"].values()))["page_info"]["next_cursor"]
        return 200, {"data": None, "errors": [{"message": f"No recorded page for {operation}"}]}


class OS2moTestCase(TestCase):
    def setUp(self) -> None:
        self.enterContext(translation.override("en"))  # the tests read the English messages
        self.os2mo = RecordedOS2mo()
        self.os2mo.start()
        self.addCleanup(self.os2mo.stop)

    def mo_client(self, **config: Any) -> OS2moClient:
        settings: dict[str, Any] = {
            "url": self.os2mo.url,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "page_size": 4,
        }
        settings.update(config)
        return OS2moClient(OS2moConfig(**settings))

    def run_import(self, client: OS2moClient | None = None, **options: Any) -> Any:
        return import_os2mo(municipality(230), client or self.mo_client(), **options)

    def unit(self, external_id: str, on: dt.date = dt.date(2024, 1, 1)) -> Unit:
        return Unit.objects.valid_on(on).get(external_id=external_id)

    def snapshot(self) -> list[tuple[object, ...]]:
        units = list(Unit.objects.order_by("pk").values_list("pk", "parent_id", "name", "valid_to"))
        roles = list(
            RoleAssignment.objects.order_by("pk").values_list(
                "pk", "unit_id", "role_id", "valid_from", "valid_to", "job_title"
            )
        )
        return [*units, *roles, *Staff.objects.order_by("pk").values_list("pk", "email")]

    def assert_nothing_written(self) -> None:
        self.assertFalse(Unit.objects.exists())
        self.assertFalse(Staff.objects.exists())
        self.assertFalse(RoleAssignment.objects.exists())


class OS2moImportTests(OS2moTestCase):
    def test_it_imports_the_recorded_municipality(self) -> None:
        result = self.run_import()

        self.assertEqual(result.errors, [])
        self.assertEqual((result.units.created, result.staff.created), (8, 7))
        self.assertEqual(result.assignments.created, 8)
        school = self.unit(BAKKE)
        self.assertEqual(school.name, "Bakkeskolen")  # the current validity's name
        self.assertEqual(school.valid_from, dt.date(2012, 8, 1))
        self.assertEqual(school.sector.code if school.sector else None, "school")
        self.assertEqual(school.parent, self.unit(BU))
        self.assertEqual(self.unit(INDSKOLING).parent, school)
        self.assertEqual(self.unit(ROOT).unit_type.code, "municipality")
        closed = Unit.objects.get(external_id=DAGPLEJE)
        self.assertEqual(closed.valid_to, dt.date(2023, 7, 31))
        self.assertEqual(RoleAssignment.objects.get(unit=closed).valid_to, dt.date(2023, 7, 31))

    def test_a_unit_moved_in_os2mo_keeps_its_history(self) -> None:
        self.run_import()

        before = self.unit(SOL, dt.date(2021, 12, 31))
        after = self.unit(SOL, dt.date(2022, 1, 1))
        self.assertEqual(before.parent, self.unit(SOS))
        self.assertEqual(after.parent, self.unit(BU))
        self.assertEqual((before.key, after.predecessor), (after.key, before))
        # The pedagogue's engagement spans the move: one role in two pieces.
        pieces = RoleAssignment.objects.filter(staff__external_id=PIA).order_by("valid_from")
        self.assertEqual(
            [(p.unit_id, p.valid_from, p.valid_to) for p in pieces],
            [
                (before.pk, dt.date(2016, 3, 1), dt.date(2021, 12, 31)),
                (after.pk, dt.date(2022, 1, 1), None),
            ],
        )

    def test_managers_become_leaders_and_engagements_roles(self) -> None:
        self.run_import()

        lise = Staff.objects.get(external_id=LISE)
        self.assertEqual(leader_for_unit(self.unit(BAKKE)), lise)
        self.assertEqual(lise.email, "lise.lund@rudersdal.dk")  # the EMAIL address, not PHONE
        # Her "Skoleleder" engagement is not imported a second time as a role.
        self.assertEqual([a.role.code for a in lise.role_assignments.all()], ["leader"])
        director = self.unit(ROOT).leader_assignment(dt.date(2024, 1, 1))
        assert director is not None
        self.assertEqual((director.staff.last_name, director.role.code), ("Dahl", "director"))
        self.assertIsNone(leader_for_unit(self.unit(VANGEBO)))  # the post is vacant
        tom = RoleAssignment.objects.get(staff__external_id=TOM)
        self.assertEqual(
            (tom.role.code, tom.job_title, tom.valid_from, tom.valid_to),
            ("teacher", "Lærer", dt.date(2015, 8, 1), None),
        )
        self.assertFalse(Staff.objects.filter(external_id=HENRIK).exists())

    def test_reimporting_changes_nothing(self) -> None:
        self.run_import()
        before = self.snapshot()

        result = self.run_import()

        self.assertEqual(result.errors, [])
        self.assertEqual(
            (result.units.unchanged, result.staff.unchanged, result.assignments.unchanged),
            (8, 7, 8),
        )
        self.assertEqual(result.units.created + result.units.moved + result.units.updated, 0)
        self.assertEqual(self.snapshot(), before)

    def test_a_new_parent_in_os2mo_becomes_a_reorganisation(self) -> None:
        self.run_import()
        old = self.unit(VANGEBO)
        page = self.os2mo.pages["HelhedOrgUnits"][2]
        vangebo = next(o for o in page["data"]["org_units"]["objects"] if o["uuid"] == VANGEBO)
        first = vangebo["validities"][0]
        moved = copy.deepcopy(first)
        first["validity"]["to"] = "2025-07-31T00:00:00+02:00"
        moved["validity"]["from"] = "2025-08-01T00:00:00+02:00"
        moved["parent"] = {"uuid": SOS}
        vangebo["validities"].append(moved)

        result = self.run_import()

        self.assertEqual(result.errors, [])
        self.assertEqual((result.units.moved, result.units.unchanged), (1, 7))
        old.refresh_from_db()
        self.assertEqual(old.valid_to, dt.date(2025, 7, 31))
        new = self.unit(VANGEBO, dt.date(2025, 8, 1))
        self.assertEqual((new.key, new.parent), (old.key, self.unit(SOS, dt.date(2025, 8, 1))))
        self.assertEqual(self.run_import().units.unchanged, 8)


class OS2moHttpTests(OS2moTestCase):
    def test_it_sends_the_keycloak_token_on_every_request(self) -> None:
        self.run_import()

        tokens = self.os2mo.token_requests()
        self.assertEqual(len(tokens), 1)  # fetched once, reused while valid
        self.assertEqual(
            tokens[0].body,
            {
                "grant_type": "client_credentials",
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
            },
        )
        self.assertEqual(tokens[0].headers["Content-Type"], "application/x-www-form-urlencoded")
        graphql = self.os2mo.graphql_requests()
        self.assertEqual(len(graphql), 6)
        bearer = f"Bearer {self.os2mo.token['access_token']}"
        self.assertEqual({r.headers["Authorization"] for r in graphql}, {bearer})

    def test_it_follows_the_cursor_through_short_and_empty_pages(self) -> None:
        result = self.run_import()

        pages = self.os2mo.graphql_requests("HelhedOrgUnits")
        cursors = [r.body["variables"]["cursor"] for r in pages]
        recorded = [
            p["data"]["org_units"]["page_info"]["next_cursor"]
            for p in self.os2mo.pages["HelhedOrgUnits"]
        ]
        self.assertEqual(cursors, [None, *recorded[:2]])
        self.assertEqual({r.body["variables"]["limit"] for r in pages}, {4})
        self.assertIn("org_units(limit: $limit, cursor: $cursor", pages[0].body["query"])
        # Vangeboskolen is only on the last page, after an empty one.
        self.assertEqual(result.units.created, 8)
        self.assertTrue(Unit.objects.filter(external_id=VANGEBO).exists())

    def test_a_static_token_needs_no_keycloak(self) -> None:
        client = self.mo_client(token=STATIC_TOKEN, client_id=None, client_secret=None)

        result = self.run_import(client)

        self.assertEqual(result.errors, [])
        self.assertEqual(self.os2mo.token_requests(), [])
        self.assertEqual(
            {r.headers["Authorization"] for r in self.os2mo.graphql_requests()},
            {f"Bearer {STATIC_TOKEN}"},
        )

    def test_the_token_is_renewed_before_it_expires(self) -> None:
        now = [0.0]
        client = OS2moClient(
            OS2moConfig(url=self.os2mo.url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET),
            clock=lambda: now[0],
        )
        client.query("query HelhedEmployees { employees { objects { uuid } } }")
        now[0] = 269.0  # Keycloak said 300 s; still more than the margin left
        client.query("query HelhedEmployees { employees { objects { uuid } } }")
        self.assertEqual(len(self.os2mo.token_requests()), 1)
        now[0] = 271.0
        client.query("query HelhedEmployees { employees { objects { uuid } } }")
        self.assertEqual(len(self.os2mo.token_requests()), 2)

    def test_an_http_error_raises_and_writes_nothing(self) -> None:
        # Managers are fetched last: units and people were already fetched.
        self.os2mo.fail["HelhedManagers"] = (500, b"Internal Server Error")

        with self.assertRaisesMessage(OS2moError, "HTTP 500"):
            self.run_import()

        self.assertEqual(len(self.os2mo.graphql_requests("HelhedOrgUnits")), 3)
        self.assert_nothing_written()

    def test_a_graphql_error_raises_with_os2mo_message_and_writes_nothing(self) -> None:
        self.os2mo.fail["HelhedEngagements"] = (200, load("graphql_error.json"))

        with self.assertRaises(OS2moError) as raised:
            self.run_import()

        self.assertIn("HelhedEngagements", str(raised.exception))
        self.assertIn("Cannot query field 'job_funktion'", str(raised.exception))
        self.assert_nothing_written()

    def test_a_failed_reimport_leaves_the_earlier_import_as_it_was(self) -> None:
        self.run_import()
        before = self.snapshot()
        self.os2mo.fail["HelhedManagers"] = (502, b"Bad Gateway")

        with self.assertRaises(OS2moError):
            self.run_import()

        self.assertEqual(self.snapshot(), before)

    def test_keycloak_refusing_the_client_is_a_clear_error(self) -> None:
        client = self.mo_client(client_secret="wrong")

        with self.assertRaises(OS2moError) as raised:
            self.run_import(client)

        self.assertIn("HTTP 401", str(raised.exception))
        self.assertIn(TOKEN_PATH, str(raised.exception))
        self.assertIn("unauthorized_client", str(raised.exception))
        self.assertEqual(self.os2mo.graphql_requests(), [])
        self.assert_nothing_written()

    def test_an_unreachable_os2mo_is_a_clear_error(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        client = self.mo_client(
            url=f"http://127.0.0.1:{port}",
            token=STATIC_TOKEN,
            client_id=None,
            client_secret=None,
            timeout=5,
        )

        with self.assertRaisesMessage(OS2moError, "Could not reach"):
            self.run_import(client)

    def test_a_configuration_that_cannot_work_is_refused_up_front(self) -> None:
        cases: list[tuple[dict[str, Any], str]] = [
            ({"url": "file:///etc/passwd"}, "https://"),
            ({"client_secret": None}, "client id and secret"),
            ({"token": STATIC_TOKEN}, "not both"),
        ]
        for change, message in cases:
            with self.subTest(change), self.assertRaisesMessage(OS2moError, message):
                self.mo_client(**change)


class OS2moMappingTests(OS2moTestCase):
    def test_an_unmapped_unit_type_is_an_error_naming_it(self) -> None:
        mapping = OS2moMapping.from_json(
            {
                "replace_defaults": True,
                "unit_types": {
                    "Kommune": "municipality",
                    "Forvaltning": "administration",
                    "Skole": "institution/school",
                    "Team": ["team", None],
                },
                "manager_types": {"*": "leader", "Kommunaldirektør": "director"},
                "job_functions": {"*": None},
            }
        )

        result = self.run_import(mapping=mapping)

        self.assertEqual(len(result.errors), 1)
        message = str(result.errors[0])
        for fragment in ("'Daginstitution'", "unit_types", "Børnehuset Solsikken", "area"):
            self.assertIn(fragment, message)
        self.assert_nothing_written()

    def test_an_unmapped_job_function_is_an_error_unless_caught_by_a_star(self) -> None:
        strict = OS2moMapping.from_json({"job_functions": {"Lærer": "teacher"}})
        strict.job_functions.pop("pædagog")

        result = self.run_import(mapping=strict)

        self.assertEqual(len(result.errors), 1)
        self.assertIn("'Pædagog'", str(result.errors[0]))
        self.assertIn("(2 objects", str(result.errors[0]))
        self.assert_nothing_written()

        lenient = OS2moMapping.from_json({"job_functions": {"*": None, "Lærer": "teacher"}})
        lenient.job_functions.pop("pædagog")
        result = self.run_import(mapping=lenient)
        self.assertEqual(result.errors, [])
        self.assertFalse(RoleAssignment.objects.filter(role__code="pedagogue").exists())
        self.assertTrue(RoleAssignment.objects.filter(role__code="teacher").exists())

    def test_a_mapping_file_with_an_unknown_key_is_refused(self) -> None:
        with self.assertRaisesMessage(ValueError, "enhedstyper"):
            OS2moMapping.from_json({"enhedstyper": {}})
        with self.assertRaisesMessage(ValueError, "'Skole'"):
            OS2moMapping.from_json({"unit_types": {"Skole": 4}})
