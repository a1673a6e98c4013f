"""SQL injection, XSS and template injection in every text field: stored as typed, shown escaped.

The main create forms of the web (a citizen, a plan, a concern, a referral, a
goal, an effort, a meeting, an action, a story, a rating, a committee, an
ambition, a reflection meeting; and the leadership's rule, documentation
requirement, burden proposal, principle, method and a leader team's
dilemma; a forum, a forum's decision, an obstacle on its board, a trial, a
handover, a contact, a contradiction and a contact point of the directory)
and the API's create endpoints get the payloads below in every text field.
Each must

* be stored verbatim: the value in the database is the payload, character
  for character (a quote is not doubled, a tag not stripped);
* be shown escaped on the object's page: the payload appears HTML-escaped,
  the raw ``<script>`` tag or attribute break-out never does, and ``{{7*7}}``
  is not evaluated (no template renders user text as a template);
* leave the database whole: the tables still exist and hold their rows.

The web forms are filled from their own HTML (the options of a select, the
value of a hidden field), so only the text fields and a few values a form
needs to be right (a CPR number, a date in the future) are given here. The
API gets each payload on its own; the web gets two payloads that together
hold all of them, to keep the run short.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth.models import User
from django.db import connection, models
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from helhed.citizens import cpr as cprlib
from helhed.citizens.models import Citizen
from helhed.feedback.models import Rating
from helhed.forums.models import Decision, Forum, Item
from helhed.leadership.models import (
    BurdenProposal,
    Dilemma,
    DocumentationRequirement,
    Method,
    Principle,
    Rule,
)
from helhed.lib.validity import today
from helhed.organisation.models import ContactPoint, Staff
from helhed.plans.models import (
    Action,
    Concern,
    Contact,
    Contradiction,
    Effort,
    Goal,
    Handover,
    Meeting,
    Plan,
    Referral,
    Story,
)
from helhed.results.models import Ambition, Committee, Reflection
from helhed.test import engage, make_citizen
from helhed.trials.models import Trial

from .world import Form, SecurityCase, read_forms

SQL = "'; DROP TABLE citizens_citizen; --"
SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '" onmouseover="alert(1)'
TEMPLATE = "{{7*7}}"
TEMPLATE_JS = "${7*7}"
RTL = "\u202ecod.exe\u202c"  # a right-to-left override: "exe.doc" to the eye
PAYLOADS = [SQL, SCRIPT, ATTRIBUTE, TEMPLATE, TEMPLATE_JS, RTL]
# The web gets them all at once in a text field, or in two halves where a
# field is short (a name: 100 characters): one half here, the other in the next.
HALVES = [f"{SQL} {SCRIPT}", f"{ATTRIBUTE} {TEMPLATE} {TEMPLATE_JS} {RTL}"]
ALL = " ".join(HALVES)
# What must never appear unescaped in a page.
RAW = [SCRIPT, "<script>alert", ATTRIBUTE, 'onmouseover="alert']

_rng = random.Random(8)


def new_cpr() -> str:
    born = dt.date(2010, 1, 2) + dt.timedelta(days=_rng.randrange(3000))
    return cprlib.synthetic(born, "F", _rng)


@dataclass
class WebForm:
    """A create page: who uses it, which text fields get the payload, where the result shows."""

    name: str
    who: str
    url: Callable[[Any], str]
    model: type[models.Model]
    text: list[str]
    page: Callable[[Any, Any], str]
    values: Callable[[Any], dict[str, str]] = lambda case: {}
    unset: list[str] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)  # stored, but shown on no page


def in_days(days: int) -> str:
    return str(today() + dt.timedelta(days=days))


WEB_FORMS = [
    WebForm(
        "citizens:register",
        "caseworker",
        lambda c: reverse("citizens:register"),
        Citizen,
        ["first_name", "last_name"],
        lambda c, o: reverse("citizens:detail", args=[o.pk]),
        lambda c: {"cpr": new_cpr()},
    ),
    WebForm(
        "plans:create",
        "caseworker",
        lambda c: reverse("plans:create") + f"?citizen={c.newcomer.pk}",
        Plan,
        ["title", "what_matters"],
        lambda c, o: reverse("plans:detail", args=[o.pk]),
    ),
    WebForm(
        "plans:concern_create",
        "caseworker",
        lambda c: reverse("plans:concern_create") + f"?citizen={c.alma.pk}",
        Concern,
        ["observation"],
        lambda c, o: reverse("plans:concern_detail", args=[o.pk]),
        lambda c: {"parents_informed": "on"},
    ),
    WebForm(
        "plans:referral_create",
        "caseworker",
        lambda c: reverse("plans:referral_create") + f"?citizen={c.newcomer.pk}",
        Referral,
        ["question"],
        lambda c, o: reverse("plans:referral_detail", args=[o.pk]),
        unset=["consent"],
    ),
    WebForm(
        "plans:goal_add",
        "caseworker",
        lambda c: reverse("plans:goal_add", args=[c.mine.plan.pk]),
        Goal,
        ["text", "formulated_by_name"],
        lambda c, o: reverse("plans:detail", args=[o.plan_id]),
        lambda c: {"target_date": in_days(30)},
        unset=["citizen"],
    ),
    WebForm(
        "plans:effort_add",
        "caseworker",
        lambda c: reverse("plans:effort_add", args=[c.mine.plan.pk]),
        Effort,
        ["title", "description", "legal_reference"],
        lambda c, o: reverse("plans:detail", args=[o.plan_id]),
        unset=["citizen", "sector"],
    ),
    WebForm(
        "plans:meeting_create",
        "caseworker",
        lambda c: reverse("plans:meeting_create", args=[c.mine.plan.pk]),
        Meeting,
        ["place", "agenda"],
        lambda c, o: reverse("plans:meeting_detail", args=[o.pk]),
        lambda c: {
            "date": in_days(7),
            "time": "10:00",
            f"family_{c.alma.pk}_role": "Alma",
            f"family_{c.mother.pk}": "",  # not invited: needs no role
            f"family_{c.mother.pk}_role": "",
        },
    ),
    WebForm(
        "plans:action_create",
        "caseworker",
        lambda c: reverse("plans:action_create", args=[c.mine.plan.pk]),
        Action,
        ["description"],
        lambda c, o: reverse("plans:detail", args=[o.plan_id]),
        lambda c: {"due_on": in_days(3), "owner": str(c.caseworker.pk)},
    ),
    WebForm(
        "plans:story_create",
        "caseworker",
        lambda c: reverse("plans:story_create", args=[c.mine.plan.pk]),
        Story,
        ["title", "text", "told_by"],
        lambda c, o: reverse("plans:story_detail", args=[o.pk]),
        unset=["goal"],
    ),
    WebForm(
        "feedback:rate",
        "caseworker",
        lambda c: reverse("feedback:rate", args=[c.mine.plan.pk]),
        Rating,
        ["given_by", "comment"],
        lambda c, o: reverse("feedback:progress", args=[o.plan_id]),
        lambda c: {f"item_{n}": "5" for n in range(1, 5)},
        hidden=["comment"],
    ),
    WebForm(
        "results:committee_create",
        "director",
        lambda c: reverse("results:committee_create"),
        Committee,
        ["name", "description"],
        lambda c, o: reverse("results:committee_edit", args=[o.pk]),
    ),
    WebForm(
        "results:ambition_create",
        "director",
        lambda c: reverse("results:ambition_create"),
        Ambition,
        ["title", "description"],
        lambda c, o: reverse("results:ambition", args=[o.pk]),
    ),
    WebForm(
        "results:reflection_create",
        "leader",
        lambda c: reverse("results:reflection_create") + f"?unit={c.school.pk}",
        Reflection,
        ["what_we_see", "what_we_adjust"],
        lambda c, o: reverse("results:reflection", args=[o.pk]),
        unset=["follow_up_owner"],
    ),
    WebForm(
        "leadership:rule_create",
        "director",
        lambda c: reverse("leadership:rule_create"),
        Rule,
        ["title", "area", "text", "reason", "legal_basis"],
        lambda c, o: reverse("leadership:rule", args=[o.pk]),
        lambda c: {"review_on": in_days(180)},
    ),
    WebForm(
        "leadership:requirement_create",
        "director",
        lambda c: reverse("leadership:requirement_create"),
        DocumentationRequirement,
        ["title", "system", "purpose", "legal_basis"],
        lambda c, o: reverse("leadership:requirement", args=[o.pk]),
        lambda c: {"minutes_per_case": "5", "cases_per_year": "100"},
    ),
    WebForm(
        "leadership:proposal_create",
        "teacher",
        lambda c: reverse("leadership:proposal_create"),
        BurdenProposal,
        ["title", "description"],
        lambda c, o: reverse("leadership:proposal", args=[o.pk]),
        unset=["rule", "unit"],  # a proposal about the requirement (the first in the list)
    ),
    WebForm(
        "leadership:principle_create",
        "leader",
        lambda c: reverse("leadership:principle_create"),
        Principle,
        ["title", "situation", "who_does_what"],
        lambda c, o: reverse("leadership:principle", args=[o.pk]),
        lambda c: {"review_on": in_days(365)},
    ),
    WebForm(
        "leadership:method_create",
        "leader",
        lambda c: reverse("leadership:method_create"),
        Method,
        ["name", "description", "research_basis"],
        lambda c, o: reverse("leadership:method", args=[o.pk]),
    ),
    WebForm(
        "leadership:team_dilemma_create",
        "keeper",
        lambda c: reverse("leadership:team_dilemma_create", args=[c.team.pk]),
        Dilemma,
        ["title", "description", "decision", "reasoning"],
        lambda c, o: reverse("leadership:team_dilemmas", args=[o.team_id]),
    ),
    WebForm(
        "forums:create",
        "director",
        lambda c: reverse("forums:create"),
        Forum,
        ["name", "mandate"],
        lambda c, o: reverse("forums:detail", args=[o.pk]),
    ),
    WebForm(
        "forums:decision_create",
        "chief",
        lambda c: reverse("forums:decision_create", args=[c.forum.pk]),
        Decision,
        ["text", "mandate_basis"],
        lambda c, o: reverse("forums:decision", args=[o.pk]),
        unset=["grant_amount", "grant_purpose"],
    ),
    WebForm(
        "forums:item_raise",
        "keeper",
        lambda c: reverse("forums:item_raise"),
        Item,
        ["title", "description", "affected"],
        lambda c, o: reverse("forums:item", args=[o.pk]),
    ),
    WebForm(
        "trials:create",
        "chief",
        lambda c: reverse("trials:create"),
        Trial,
        ["title", "hypothesis", "comparison"],
        lambda c, o: reverse("trials:detail", args=[o.pk]),
        lambda c: {
            "owner": str(c.chief.pk),
            "units": str(c.health.pk),
            "starts_on": str(today()),
            "ends_on": in_days(180),
            "budget": "1000",
        },
    ),
    WebForm(
        "plans:handover_create",
        "caseworker",
        lambda c: reverse("plans:handover_create") + f"?citizen={c.newcomer.pk}",
        Handover,
        ["note"],
        lambda c, o: reverse("plans:handover_detail", args=[o.pk]),
        lambda c: {"to_unit": str(c.school.pk), "deadline": in_days(14)},
    ),
    WebForm(
        "plans:contact_create",
        "caseworker",
        lambda c: reverse("plans:contact_create", args=[c.alma.pk]),
        Contact,
        ["purpose"],
        lambda c, o: reverse("plans:contact_map", args=[o.citizen_id]),
        lambda c: {"contacted_on": str(today())},
    ),
    WebForm(
        "plans:contradiction_create",
        "caseworker",
        lambda c: reverse("plans:contradiction_create", args=[c.mine.plan.pk]),
        Contradiction,
        ["description"],
        lambda c, o: reverse("plans:contradiction_detail", args=[o.pk]),
        unset=["other_effort"],  # the effort against the plan's goal
    ),
    WebForm(
        "organisation:directory_create",
        "chief",
        lambda c: reverse("organisation:directory_create"),
        ContactPoint,
        ["name", "opening_hours", "capacity_note"],
        lambda c, o: reverse("organisation:directory"),
        lambda c: {"unit": str(c.health.pk), "phone": "45 00 00 00"},
    ),
]


def fill(
    form: Form, text: list[str], values: dict[str, str], unset: list[str]
) -> tuple[dict[str, str], dict[str, str]]:
    """The form's own defaults, the first real option of each select, the payloads in ``text``.

    Returns the data to post and the payload each text field got.
    """
    data: dict[str, str] = {}
    for name, f in form.fields.items():
        if name in unset:
            continue
        if f.kind == "select":
            data[name] = next((option for option in f.options if option), "")
        elif f.kind == "checkbox":
            data[name] = f.value or "on"
        elif f.kind == "number":
            data[name] = f.value or "1"
        elif f.kind in ("text", "textarea"):
            data[name] = ""
        else:
            data[name] = f.value
    sent: dict[str, str] = {}
    short = 0
    for name in text:
        assert name in form.fields, f"{form.action} has no field {name}"
        limit = form.fields[name].maxlength
        if limit is None or limit >= len(ALL):
            sent[name] = ALL
        else:
            sent[name] = HALVES[short % 2]
            short += 1
    assert ALL in sent.values() or set(HALVES) <= set(sent.values()), (form.action, sent)
    data.update(sent)
    data.update(values)
    return data, sent


class InjectionTests(SecurityCase):
    newcomer: Citizen

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # A citizen without a plan or a referral yet, for the plan and referral forms.
        cls.newcomer = make_citizen("Nora", "Nybo", birth_date=dt.date(2016, 2, 3))
        engage(cls.newcomer, staff=cls.caseworker)

    def user(self, who: str) -> User:
        staff: Staff = getattr(self, who)
        assert staff.user is not None
        return staff.user

    def page(self, client: Client, url: str, where: str) -> str:
        """The object's page, checked for payloads that escaped escaping."""
        response = client.get(url)
        assert response.status_code == 200, (where, url, response.status_code)
        html = response.content.decode()
        raw = [r for r in RAW if r in html]
        assert not raw, f"{where}: {raw} unescaped on {url}"
        return html

    def assert_database_whole(self) -> None:
        tables = set(connection.introspection.table_names())
        assert {"citizens_citizen", "plans_plan", "auth_user"} <= tables
        assert Citizen.objects.filter(pk=self.alma.pk).exists()

    def test_web_forms_store_the_payloads_verbatim_and_show_them_escaped(self) -> None:
        for spec in WEB_FORMS:
            client = Client()
            client.force_login(self.user(spec.who))
            url = spec.url(self)
            page = client.get(url)
            assert page.status_code == 200, (spec.name, page.status_code)
            path = urlsplit(url).path
            found = read_forms(url, page.content.decode())
            forms = [f for f in found if urlsplit(f.action).path == path]
            assert len(forms) == 1, f"{spec.name}: no one form posting to {url}"
            form = forms[0]
            newest = spec.model.objects.order_by("-pk").values_list("pk", flat=True).first()
            data, sent = fill(form, spec.text, spec.values(self), spec.unset)
            response = client.post(form.action, data)
            errors = re.findall(
                r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode(), re.S
            )
            assert response.status_code == 302, (spec.name, response.status_code, errors)
            made = spec.model.objects.order_by("-pk").first()
            assert made is not None and made.pk != newest, f"{spec.name}: nothing was made"
            for name, payload in sent.items():
                assert getattr(made, name) == payload, (spec.name, name, getattr(made, name))
            html = self.page(client, spec.page(self, made), spec.name)
            for name, payload in sent.items():
                if name not in spec.hidden:
                    assert escape(payload) in html, f"{spec.name}: {name} is not shown escaped"
        self.assert_database_whole()

    # --------------------------------------------------------------------- API

    def api(self, method: str, path: str, body: dict[str, Any], as_: str = "caseworker") -> Any:
        token = self.token if as_ == "caseworker" else self.token_for(as_)
        response = self.client.generic(
            method, path, json.dumps(body), "application/json", headers=self.bearer(token)
        )
        assert response.status_code in (200, 201), (path, response.status_code, response.content)
        return response.json()

    def token_for(self, who: str) -> str:
        from helhed.api.models import ApiToken

        return ApiToken.issue(self.user(who), "injection")[1]

    def test_api_stores_each_payload_verbatim(self) -> None:
        plan = self.mine.plan
        for payload in PAYLOADS:
            version = Plan.objects.get(pk=plan.pk).version
            made: list[tuple[type[models.Model], int, list[str]]] = []

            citizen = self.api(
                "POST",
                "/api/citizens",
                {
                    "cpr": new_cpr(),
                    "first_name": payload,
                    "last_name": payload,
                    "municipality_code": 230,
                },
            )
            made.append((Citizen, citizen["id"], ["first_name", "last_name"]))
            new_plan = self.api(
                "POST",
                "/api/plans",
                {"citizen_id": citizen["id"], "title": payload, "what_matters": payload},
            )
            made.append((Plan, new_plan["id"], ["title", "what_matters"]))
            concern = self.api(
                "POST",
                "/api/concerns",
                {
                    "citizen_id": self.alma.pk,
                    "observation": payload,
                    "category": "wellbeing",
                    "severity": "low",
                    "parents_informed": False,
                    "parents_not_informed_reason": payload,
                },
            )
            made.append((Concern, concern["id"], ["observation", "parents_not_informed_reason"]))
            referral = self.api(
                "POST",
                "/api/referrals",
                {
                    "citizen_id": citizen["id"],  # one open referral per unit and citizen
                    "from_unit_id": self.family_dept.pk,
                    "to_unit_id": self.school.pk,
                    "question": payload,
                    "legal_basis": "folkeskoleloven",
                },
            )
            made.append((Referral, referral["id"], ["question"]))
            goal = self.api(
                "POST",
                f"/api/plans/{plan.pk}/goals",
                {
                    "expected_version": version,
                    "text": payload,
                    "formulated_by": "citizen",
                    "formulated_by_name": payload,
                    "target_date": in_days(30),
                },
            )
            made.append((Goal, goal["id"], ["text", "formulated_by_name"]))
            effort = self.api(
                "POST",
                f"/api/plans/{plan.pk}/efforts",
                {
                    "expected_version": version + 1,
                    "title": payload,
                    "description": payload,
                    "legal_reference": payload,
                    "responsible_unit_id": self.school.pk,
                    "legal_basis": "folkeskoleloven",
                    "starts_on": str(today()),
                },
            )
            made.append((Effort, effort["id"], ["title", "description", "legal_reference"]))
            meeting = self.api(
                "POST",
                f"/api/plans/{plan.pk}/meetings",
                {
                    "starts_at": f"{in_days(7)}T10:00:00+01:00",
                    "place": payload,
                    "agenda": payload,
                    "family_participants": [{"citizen_id": self.alma.pk, "role": payload}],
                },
            )
            made.append((Meeting, meeting["id"], ["place", "agenda"]))
            action = self.api(
                "POST",
                f"/api/plans/{plan.pk}/actions",
                {"description": payload, "owner_id": self.caseworker.pk, "due_on": in_days(3)},
            )
            made.append((Action, action["id"], ["description"]))
            story = self.api(
                "POST",
                "/api/stories",
                {"plan_id": plan.pk, "title": payload, "text": payload, "told_by": payload},
            )
            made.append((Story, story["id"], ["title", "text", "told_by"]))
            rating = self.api(
                "POST",
                f"/api/feedback/plans/{plan.pk}/ratings",
                {
                    "scale": "cors",
                    "citizen_id": self.alma.pk,
                    "scores": [5, 5, 5, 5],
                    "given_by": payload,
                    "comment": payload,
                },
            )
            made.append((Rating, rating["id"], ["given_by", "comment"]))
            reflection = self.api(
                "POST",
                "/api/results/reflections",
                {
                    "unit_id": self.school.pk,
                    "held_on": str(today()),
                    "what_we_see": payload,
                    "what_we_adjust": payload,
                },
                as_="leader",
            )
            made.append((Reflection, reflection["id"], ["what_we_see", "what_we_adjust"]))
            made.extend(self.leadership_api(payload))
            made.extend(self.across_api(payload))
            for model, pk, names in made:
                row = model.objects.get(pk=pk)
                for name in names:
                    assert getattr(row, name) == payload, (model.__name__, name, payload)
        self.assert_database_whole()

    def leadership_api(self, payload: str) -> list[tuple[type[models.Model], int, list[str]]]:
        """The leadership's create endpoints with ``payload`` in every free-text field.

        A rule's reason wants a sentence (20 characters or more), so it is the
        payload with a sentence after it.
        """
        reason = f"{payload} er grunden til reglen"
        rule = self.api(
            "POST",
            "/api/leadership/rules",
            {
                "title": payload,
                "area": payload,
                "text": payload,
                "reason": reason,
                "legal_basis": payload,
                "owner_id": self.director.pk,
                "owning_unit_id": self.root.pk,
            },
            as_="director",
        )
        assert Rule.objects.get(pk=rule["id"]).reason == reason
        requirement = self.api(
            "POST",
            "/api/leadership/documentation",
            {
                "title": payload,
                "kind": "form",
                "system": payload,
                "purpose": payload,
                "legal_basis": payload,
                "owner_id": self.director.pk,
                "owning_unit_id": self.root.pk,
                "minutes_per_case": 5,
                "cases_per_year": 100,
            },
            as_="director",
        )
        proposal = self.api(
            "POST",
            "/api/leadership/proposals",
            {
                "title": payload,
                "description": payload,
                "change": "simplify",
                "theme_id": self.proposal.theme_id,
                "requirement_id": self.requirement.pk,
            },
        )
        principle = self.api(
            "POST",
            "/api/leadership/principles",
            {
                "title": payload,
                "situation": payload,
                "who_does_what": payload,
                "review_on": in_days(365),
            },
            as_="leader",
        )
        method = self.api(
            "POST",
            "/api/leadership/methods",
            {"name": payload, "description": payload, "research_basis": payload},
            as_="leader",
        )
        dilemma = self.api(
            "POST",
            f"/api/leadership/teams/{self.team.pk}/dilemmas",
            {"title": payload, "description": payload, "decision": payload, "reasoning": payload},
            as_="keeper",
        )
        return [
            (Rule, rule["id"], ["title", "area", "text", "legal_basis"]),
            (
                DocumentationRequirement,
                requirement["id"],
                ["title", "system", "purpose", "legal_basis"],
            ),
            (BurdenProposal, proposal["id"], ["title", "description"]),
            (Principle, principle["id"], ["title", "situation", "who_does_what"]),
            (Method, method["id"], ["name", "description", "research_basis"]),
            (Dilemma, dilemma["id"], ["title", "description", "decision", "reasoning"]),
        ]

    def across_api(self, payload: str) -> list[tuple[type[models.Model], int, list[str]]]:
        """The create endpoints of leading across sectors with ``payload`` in every text field.

        A handover is started for a new citizen each time (one pending handover
        of a citizen between two units at a time).
        """
        forum = self.api(
            "POST",
            "/api/forums",
            {"name": payload, "kind": "strategic_forum", "cadence": "monthly", "mandate": payload},
            as_="director",
        )
        decision = self.api(
            "POST",
            f"/api/forums/{self.forum.pk}/decisions",
            {"text": payload, "mandate_basis": payload},
            as_="chief",
        )
        item = self.api(
            "POST",
            "/api/forums/board/items",
            {
                "forum_id": self.forum.pk,
                "title": payload,
                "description": payload,
                "affected": payload,
            },
            as_="keeper",
        )
        trial = self.api(
            "POST",
            "/api/trials",
            {
                "title": payload,
                "hypothesis": payload,
                "comparison": payload,
                "owner_id": self.chief.pk,
                "unit_ids": [self.health.pk],
                "starts_on": str(today()),
                "ends_on": in_days(180),
            },
            as_="chief",
        )
        citizen = make_citizen("Otto", "Overdraget", birth_date=dt.date(2014, 5, 6))
        engage(citizen, staff=self.caseworker)
        handover = self.api(
            "POST",
            "/api/handovers",
            {
                "citizen_id": citizen.pk,
                "kind": "other",
                "from_unit_id": self.family_dept.pk,
                "to_unit_id": self.school.pk,
                "deadline": in_days(14),
                "note": payload,
                "items": [payload],
            },
        )
        contact = self.api(
            "POST",
            "/api/contacts",
            {
                "citizen_id": self.alma.pk,
                "unit_id": self.family_dept.pk,
                "channel": "phone",
                "purpose": payload,
            },
        )
        contradiction = self.api(
            "POST",
            "/api/contradictions",
            {
                "plan_id": self.mine.plan.pk,
                "effort_id": self.mine.effort.pk,
                "goal_id": self.mine.goal.pk,
                "description": payload,
            },
        )
        point = self.api(
            "POST",
            "/api/directory",
            {
                "unit_id": self.health.pk,
                "name": payload,
                "phone": "45 00 00 00",
                "opening_hours": payload,
                "capacity_note": payload,
            },
            as_="chief",
        )
        assert Handover.objects.get(pk=handover["id"]).items.get().text == payload
        return [
            (Forum, forum["id"], ["name", "mandate"]),
            (Decision, decision["id"], ["text", "mandate_basis"]),
            (Item, item["id"], ["title", "description", "affected"]),
            (Trial, trial["id"], ["title", "hypothesis", "comparison"]),
            (Handover, handover["id"], ["note"]),
            (Contact, contact["id"], ["purpose"]),
            (Contradiction, contradiction["id"], ["description"]),
            (ContactPoint, point["id"], ["name", "opening_hours", "capacity_note"]),
        ]
