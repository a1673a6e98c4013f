"""Fuzzing the forms of the citizens, results, leadership, forums and trials apps: never a 500.

The plans and feedback forms have their fuzz test already
(``helhed/plans/tests/test_review_fuzz.py``: fixed bad values in every field),
but not the plans pages of leading across sectors (who pays, handovers,
contacts, contradictions, the journey) nor the organisation's directory: they
are fuzzed here (``PLANS_ROUTES``, ``ORGANISATION_ROUTES``). This one covers
the citizens', the results', the leadership, the forums' and the trials' forms
the same way, with hypothesis drawing the values: every page of the apps is read as a user
who may use it, every POST form on it is found in the HTML (its action, its
fields, the options of its selects), and the form is sent with values drawn
per field: mostly of the field's own kind (a real option, a date, a number,
text of any alphabet) so the input gets past the first checks into the
actions, with bad values (letters for ids, huge numbers, impossible dates,
5000 characters) mixed in. Any answer below 500 is fine; an exception or a
500 fails, with the input that caused it. Each post runs in a savepoint
that is rolled back. Derandomized, with a few examples per form.
"""

from __future__ import annotations

import datetime as dt
import traceback
from urllib.parse import urlsplit

from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from helhed.plans.tests.test_review_fuzz import BAD_VALUES
from helhed.results.models import Measurement

from .world import Form, FormField, Route, SecurityCase, read_forms, web_routes

EXAMPLES = 2
NAMESPACES = ("citizens", "results", "leadership", "forums", "trials")
# Pages of other apps fuzzed here: their route names start with one of these.
PLANS_ROUTES = (
    "plans:payments",
    "plans:handover",
    "plans:contact",
    "plans:contradiction",
    "plans:journey",
)
ORGANISATION_ROUTES = ("organisation:directory",)


BAD = st.sampled_from(BAD_VALUES)
TEXT = st.text(max_size=40)


def values_for(f: FormField) -> st.SearchStrategy[str | None]:
    """Mostly a value of the field's own kind; sometimes a bad one, or none at all."""
    own: st.SearchStrategy[str]
    if f.kind == "select" and f.options:
        own = st.sampled_from(f.options)
    elif f.kind == "date":
        own = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)).map(str)
    elif f.kind == "number":
        own = st.one_of(
            st.integers(min_value=-(10**12), max_value=10**12).map(str),
            st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
        )
    elif f.kind == "checkbox":
        own = st.just(f.value or "on")
    elif f.kind == "hidden":
        own = st.just(f.value)
    else:
        own = TEXT
    return st.one_of(own, own, own, BAD, st.none())


def in_other_apps(name: str) -> bool:
    return name.startswith((*PLANS_ROUTES, *ORGANISATION_ROUTES))


class FormFuzzTests(SecurityCase):
    def who(self, route_name: str) -> User:
        """A user who may use the page: the family login, the case worker or a leader.

        The forums, the trials, who pays and the directory are the chief's (the
        forum's chair, the trial's owner, a leader above the efforts' budgets
        and Sundhedsplejen); the other plans pages the case worker's (alma's), but
        a handover's page the teacher's, whose school receives it (and answers it).
        """
        if route_name.startswith("citizens:family"):
            return self.guardian
        if route_name.startswith(("forums:", "trials:", "plans:payments", "organisation:")):
            staff = self.chief
        elif route_name == "plans:handover_detail":
            staff = self.teacher
        elif route_name.startswith(("citizens:", "plans:")):
            staff = self.caseworker
        elif route_name.startswith(("results:reflection", "results:curve")):
            staff = self.leader  # the school's leader holds the reflections and the curve
        elif route_name.startswith("leadership:team") and not route_name.startswith(
            ("leadership:team_create", "leadership:team_question")
        ):
            staff = self.keeper  # the leader team's member opens, answers and closes rounds
        else:
            staff = self.director
        assert staff.user is not None
        return staff.user

    def forms(self, client: Client, route: Route) -> list[Form]:
        url = self.url(route, self.mine)
        if route.name == "results:reflection_create":
            url += f"?unit={self.school.pk}"  # the page is for one unit's leader team
        if route.name == "plans:handover_create":
            url += f"?citizen={self.alma.pk}"  # a handover is of one citizen
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("content-type", ""):
            return []
        forms = read_forms(url, response.content.decode())
        return [form for form in forms if self.in_scope(form.action)]

    @staticmethod
    def in_scope(action: str) -> bool:
        try:
            match = resolve(urlsplit(action).path)
        except Resolver404:
            return False
        return match.namespace in NAMESPACES or in_other_apps(match.view_name)

    def fuzz(self, client: Client, form: Form, failures: list[str]) -> None:
        values = st.fixed_dictionaries({name: values_for(f) for name, f in form.fields.items()})

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=dt.timedelta(seconds=20),
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            report_multiple_bugs=False,
        )
        @given(data=values)
        def post(data: dict[str, str | None]) -> None:
            sent = {name: value for name, value in data.items() if value is not None}
            try:
                with transaction.atomic():
                    response = client.post(form.action, sent)
                    transaction.set_rollback(True)
            except Exception as exc:
                lines = traceback.format_exception(exc)
                raise AssertionError(f"POST {form.action} {sent!r:.300}: {lines[-1]}") from exc
            assert response.status_code < 500, f"POST {form.action}: {response.status_code}"

        try:
            post()
        except AssertionError as exc:
            failures.append(str(exc)[:2000])

    def test_random_input_in_the_forms_never_answers_500(self) -> None:
        failures: list[str] = []
        done: set[str] = set()
        kinds: set[tuple[str, tuple[str, ...]]] = set()
        routes = web_routes(*NAMESPACES, with_ids_only=False) + [
            route
            for route in web_routes("plans", "organisation", with_ids_only=False)
            if in_other_apps(route.name)
        ]
        for route in routes:
            client = Client()
            client.force_login(self.who(route.name))
            for form in self.forms(client, route):
                if form.action in done or self.kind(form) in kinds:
                    continue
                done.add(form.action)
                kinds.add(self.kind(form))
                self.fuzz(client, form, failures)
        assert len(done) >= 40, f"too few forms found: {sorted(done)}"
        views = {resolve(urlsplit(action).path).view_name for action in done}
        across = {
            "forums:decision_create",
            "forums:item_settle",
            "forums:assessment_answer",
            "trials:application_decide",
            "plans:payments_agree",
            "plans:handover_accept",
            "plans:contact_create",
            "plans:contradiction_resolve",
            "plans:journey_mark",
            "organisation:directory_create",
        }
        assert across <= views, f"forms not found: {sorted(across - views)}"
        assert not failures, "\n\n".join(failures)

    @staticmethod
    def kind(form: Form) -> tuple[str, tuple[str, ...]]:
        """The view a form posts to and its fields: a page of one form per row (a use per
        indicator, an answer per question) is fuzzed through its first row."""
        return resolve(urlsplit(form.action).path).view_name, tuple(sorted(form.fields))

    def test_a_huge_number_of_persons_is_a_form_error(self) -> None:
        """Regression: persons past the column's range reached the database (a 500)."""
        self.client.force_login(self.who("results:measurement_record"))
        url = self.url(Route("results:measurement_record", "", ("indicator_id",)), self.mine)
        response = self.client.post(
            url,
            {"unit": self.school.pk, "period": "2025-Q3", "value": "5", "persons": "3000000000"},
        )
        assert response.status_code == 400
        assert not Measurement.objects.filter(persons__gt=10**6).exists()

    def test_a_next_that_is_not_a_path_falls_back_to_the_curve(self) -> None:
        """Regression: ``next=1e400`` was taken for a view name by ``redirect`` (a 500)."""
        self.client.force_login(self.who("results:curve_action_update"))
        url = self.url(
            Route("results:curve_action_update", "curves/actions/", ("action_id",)), self.mine
        )
        for target in ("1e400", "home", "https://evil.example/"):
            response = self.client.post(url, {"status": "done", "next": target})
            assert response.status_code == 302, (target, response.status_code)
            assert response["Location"].startswith("/results/curves/"), response["Location"]
