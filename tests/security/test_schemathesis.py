"""Schemathesis against the OpenAPI schema: no 500, answers as documented, no leaks.

The schema is the one the running app serves (``/api/openapi.json``, loaded
through the WSGI application). Every operation is called as a case worker
with a bearer token, with cases generated from the schema (valid ones, and
invalid bodies where there is a body): path ids are mostly ids of objects
that exist (alma's, whom she sees, and the secret citizen's, whom she does
not), so the calls reach the views instead of ending in "not found".

Every response must not be a server error, must match the documented schema
and content type when its status is documented, and must not contain the
secret citizen's name or CPR number in any form.

Deterministic and bounded: hypothesis is derandomized with a fixed number of
examples per operation, and each example runs in a savepoint that is rolled
back, so one example's changes never steer the next.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import schemathesis
from django.core import signals
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from ninja import Schema as NinjaSchema
from ninja.openapi.schema import OpenAPISchema
from schemathesis.checks import not_a_server_error
from schemathesis.generation.feedback import NO_FEEDBACK
from schemathesis.schemas import APIOperation, BaseSchema
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from helhed.api.api import api
from helhed.api.models import ApiToken
from helhed.wsgi import application

from .world import SecurityCase, leak_markers

# Examples per operation: about a hundred operations on a slow machine, so few.
# Set HELHED_FUZZ_EXAMPLES for a deeper run by hand (still derandomized).
EXAMPLES = int(os.environ.get("HELHED_FUZZ_EXAMPLES", "3"))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
# Lists for leaders only (404 for other staff, as on the web): the open settlements
# show the efforts of the units a leader leads, without the citizen.
SEARCHED_BY_LEADERS = frozenset({"/api/payments/open"})


@contextmanager
def connections_kept() -> Iterator[None]:
    """Keep the test's database connection open across WSGI requests, as Django's test client does.

    The WSGI handler closes "old" connections when a request starts and ends;
    inside a test's transaction that would throw the test data away.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@contextmanager
def server_exceptions() -> Iterator[list[str]]:
    """The tracebacks of exceptions the app turned into 500 answers, to show in a failure."""
    caught: list[str] = []

    def record(sender: object, **kwargs: Any) -> None:
        caught.append("".join(traceback.format_exception(*sys.exc_info())))

    signals.got_request_exception.connect(record)
    try:
        yield caught
    finally:
        signals.got_request_exception.disconnect(record)


def load_schema() -> BaseSchema:
    with connections_kept():
        return schemathesis.openapi.from_wsgi("/api/openapi.json", application)


def test_every_api_schema_has_its_own_name() -> None:
    """Two schemas of one name share one entry in the OpenAPI document: one describes the other.

    It happened: the meetings' ParticipantOut described a plan's participants;
    the results' UnitOut, PointOut and StatusOut clashed with the
    organisation's, the feedback's and the reflections'; the concerns' NoteIn
    and PlanIn described an action's note and the body of POST /api/plans.
    Answers broke their documented schema, and clients were told wrong bodies.
    """
    import helhed.api.api  # noqa: F401 - imports every router and its schemas

    def subclasses(cls: type) -> list[type]:
        return [sub for direct in cls.__subclasses__() for sub in (direct, *subclasses(direct))]

    names: dict[str, set[str]] = {}
    for schema in subclasses(NinjaSchema):
        if schema.__module__.startswith("helhed."):
            names.setdefault(schema.__name__, set()).add(schema.__module__)
    doubles = {name: modules for name, modules in names.items() if len(modules) > 1}
    assert not doubles


# Component names the OpenAPI document gives to more than one schema, from before
# issue 9 and not fixed yet: name -> the enums (their values) that share it.
KNOWN_SHARED_COMPONENTS: dict[str, set[tuple[str, ...]]] = {
    "Status": {
        ("open", "closed", "plan", "notified"),  # a concern's status (its list's filter)
        ("sent", "received", "accepted", "rejected", "withdrawn"),  # a referral's
        ("in_force", "repealed"),  # a leadership rule's
        ("open", "preparing", "decided", "implemented"),  # a reform's local decision's
    },
}


def test_no_two_schemas_share_one_component_of_the_openapi_document() -> None:
    """An enum is named after its class too: ``Forum.Kind`` and ``Handover.Kind`` are both "Kind".

    It happened: the forums', board's, trials', handovers' and contradictions'
    choices (Kind, Status, Category) shared components, so the document told
    clients a forum's kind was "interim" or "final". The document is built
    here with every schema definition recorded; a name given two different
    schemas is a clash (``helhed.lib.openapi.inline_choices`` avoids them).
    """
    shared: dict[str, set[tuple[str, ...]]] = {}
    add = OpenAPISchema.add_schema_definitions

    def record(self: OpenAPISchema, definitions: dict[str, Any]) -> None:
        for name, definition in definitions.items():
            known = self.schemas.get(name)
            if known is not None and known != definition:
                shared.setdefault(name, set()).update(
                    tuple(d.get("enum") or sorted(d.get("properties", {})))
                    for d in (known, definition)
                )
        add(self, definitions)

    with mock.patch.object(OpenAPISchema, "add_schema_definitions", record):
        api.get_openapi_schema()
    assert shared == KNOWN_SHARED_COMPONENTS


class SchemathesisTests(SecurityCase):
    def path_parameter_sets(self, operation: APIOperation) -> list[dict[str, int]]:
        """Ids of existing objects for the operation's path: all alma's, and all the secret's."""
        names = [p.name for p in operation.path_parameters]
        if not names:
            return []
        sets = []
        for objects in (self.mine, self.hidden):
            ids = self.path_ids(operation.path, objects)
            missing = [name for name in names if name not in ids]
            assert not missing, f"{operation.label}: give SecurityCase.path_ids an id for {missing}"
            sets.append({name: ids[name] for name in names})
        return sets

    def fuzz(self, operation: APIOperation, failures: list[str]) -> None:
        """``EXAMPLES`` cases, the path ids taken from alma's objects, the secret's, or generated.

        The first (simplest) case has alma's ids, so every operation reaches
        its view at least once. Invalid cases only where there is a body to
        get wrong: for paths and queries the framework's own checks answer.
        Without feedback: mining the app's source for constants costs more
        than the whole run may take.
        """
        modes = [schemathesis.GenerationMode.POSITIVE]
        if operation.body:
            modes.append(schemathesis.GenerationMode.NEGATIVE)
        cases = st.one_of(*(operation.as_strategy(mode, feedback=NO_FEEDBACK) for mode in modes))
        ids = st.sampled_from([*self.path_parameter_sets(operation), None])
        headers = self.bearer()
        markers = leak_markers(self.secret)

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=dt.timedelta(seconds=20),
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            report_multiple_bugs=False,
        )
        @given(case=cases, known=ids)
        def call(case: Any, known: dict[str, int] | None) -> None:
            if known is not None:
                case.path_parameters = {**(case.path_parameters or {}), **known}
            with server_exceptions() as caught, transaction.atomic():
                response = case.call(headers=headers)
                transaction.set_rollback(True)
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except AssertionError as exc:
                detail = "\n".join(caught) or str(exc)
                raise AssertionError(f"{operation.label}: {detail}") from exc
            leaked = [marker for marker in markers if marker in response.text]
            assert not leaked, f"{operation.label} leaks {leaked}: {case.formatted_path}"

        try:
            call()
        except AssertionError as exc:
            failures.append(str(exc)[:3000])

    def test_no_operation_answers_500_breaks_its_schema_or_leaks_a_hidden_citizen(self) -> None:
        schema = load_schema()
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) > 50, "the schema lost its operations"
        failures: list[str] = []
        with connections_kept():
            for operation in operations:
                self.fuzz(operation, failures)
        assert not failures, "\n\n".join(failures)

    def test_searching_for_a_hidden_citizen_finds_nothing(self) -> None:
        """The list endpoints, searched by the secret's name and CPR number, say nothing of them.

        Searched by the case worker; the leaders' lists (``SEARCHED_BY_LEADERS``:
        404 for other staff) by the municipal director, whose lists hold the
        secret citizen's rows, which must name nobody. A list of one plan's
        objects is searched within alma's plan.
        """
        schema = load_schema()
        markers = leak_markers(self.secret)
        assert self.director.user is not None
        director = ApiToken.issue(self.director.user, "search")[1]
        searched = 0
        for result in schema.get_all_operations():
            operation = result.ok()
            if operation.method.upper() != "GET" or operation.path_parameters:
                continue
            if "q" not in {p.name for p in operation.query}:
                continue
            token = director if operation.path in SEARCHED_BY_LEADERS else None
            known = {"plan_id": self.mine.plan.pk}
            required = {p.name: known[p.name] for p in operation.query if p.is_required}
            for term in markers:
                response = self.client.get(
                    operation.path, {**required, "q": term}, headers=self.bearer(token)
                )
                assert response.status_code == 200, (operation.label, response.status_code)
                body = response.content.decode()
                assert not [m for m in markers if m in body], (operation.label, term)
                searched += 1
        assert searched >= len(markers), "no searchable list in the API"

    def test_the_leak_markers_are_what_the_api_shows_to_those_who_may_see(self) -> None:
        """The control: the keeper's own answer holds the markers, so their absence means hidden."""
        assert self.keeper.user is not None
        token = ApiToken.issue(self.keeper.user, "control")[1]
        response = self.client.get(f"/api/citizens/{self.secret.pk}", headers=self.bearer(token))
        assert response.status_code == 200
        body = response.content.decode()
        assert [m for m in leak_markers(self.secret) if m in body] == [
            self.secret.first_name,
            self.secret.last_name,
            self.secret.cpr,
        ]
        search = self.client.get(
            "/api/citizens", {"q": self.secret.cpr}, headers=self.bearer(token)
        )
        assert self.secret.last_name in search.content.decode()
