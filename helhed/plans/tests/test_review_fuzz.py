"""Bad input on every page and endpoint of the plans and feedback apps answers 4xx, never 500.

Every form field a page offers (read from its HTML) is sent with values no
form expects: letters for ids, huge numbers, dates out of range, missing
fields; every API endpoint gets payloads with the wrong types.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import traceback
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from helhed.api.models import ApiToken
from helhed.feedback.models import Scale, ScaleActivation
from helhed.lib.validity import today
from helhed.organisation.models import Staff, Unit
from helhed.plans.actions.concerns import do_log_concern
from helhed.plans.actions.meetings import do_add_action, do_schedule_meeting
from helhed.plans.actions.plans import do_add_effort, do_add_goal
from helhed.plans.actions.referrals import do_send_referral
from helhed.plans.actions.stories import do_write_story
from helhed.plans.models import (
    Action,
    Concern,
    Effort,
    Goal,
    LegalBasis,
    Meeting,
    Plan,
    Referral,
    Story,
)
from helhed.test import BaseTestCase, make_plan, make_staff, make_unit, municipality

BAD_VALUES = [
    "abc",
    "-1",
    "0",
    "99999999999999999999999",
    "1e400",
    "9999-99-99",
    "0001-01-01",
    "10000-01-01",
    "NaN",
    "",
    "x" * 5000,
]
ONE_FIELD_VALUES = {"abc", "99999999999999999999999", "10000-01-01", ""}
BAD_JSON: list[Any] = ["abc", -1, 10**30, 1e308, None, [], {}, True, "9999-99-99", "x" * 5000]


class FuzzCase(BaseTestCase):
    ppr: Unit
    psychologist: Staff
    plan: Plan
    goal: Goal
    effort: Effort
    meeting: Meeting
    action: Action
    concern: Concern
    referral: Referral
    story: Story

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.ppr = make_unit("PPR", parent=cls.children_admin, sector="ppr")
        cls.psychologist = make_staff("Pia", "P", unit=cls.ppr, role="psychologist", username="psy")
        cls.plan = make_plan(cls.alma, coordinator=cls.caseworker)
        v = cls.plan.version
        cls.goal = do_add_goal(
            actor=cls.caseworker,
            plan=cls.plan,
            expected_version=v,
            text="Komme i skole",
            formulated_by=Goal.FormulatedBy.CITIZEN,
            formulated_by_name="Alma",
            target_date=today() + dt.timedelta(days=30),
        )
        cls.plan.refresh_from_db()
        cls.effort = do_add_effort(
            actor=cls.caseworker,
            plan=cls.plan,
            expected_version=cls.plan.version,
            title="Støtte",
            description="",
            citizen=None,
            responsible_unit=cls.school,
            sector=None,
            legal_basis=LegalBasis.FOLKESKOLELOVEN,
            legal_reference="",
            starts_on=today(),
            ends_on=None,
            monthly_cost=Decimal(100),
            goals=[cls.goal],
        )
        cls.plan.refresh_from_db()
        cls.meeting = do_schedule_meeting(
            actor=cls.caseworker,
            plan=cls.plan,
            starts_at=timezone.now() + dt.timedelta(days=7),
            place="Rådhuset",
            agenda="Alma",
            staff_participants=[(cls.caseworker, "")],
            family_participants=[(cls.mother, "Mor"), (cls.alma, "Alma")],
        )
        cls.action = do_add_action(
            actor=cls.caseworker,
            plan=cls.plan,
            description="Ring",
            owner=cls.caseworker,
            due_on=today() + dt.timedelta(days=3),
        )
        cls.concern = do_log_concern(
            actor=cls.caseworker,
            citizen=cls.alma,
            unit=cls.family_dept,
            observation="Græder",
            category=Concern.Category.WELLBEING,
            severity=Concern.Severity.HIGH,
            parents_informed=True,
            follow_up_owner=cls.caseworker,
            follow_up_on=today() + dt.timedelta(days=7),
        )
        cls.referral = do_send_referral(
            actor=cls.caseworker,
            citizen=cls.alma,
            from_unit=cls.family_dept,
            to_unit=cls.ppr,
            question="Vurdering",
            legal_basis=LegalBasis.BARNETS_LOV,
        )
        cls.story = do_write_story(
            actor=cls.caseworker, plan=cls.plan, title="En god uge", text="Alma kom i skole"
        )
        for code in ("ors", "cors", "srs", "samarbejde"):
            ScaleActivation.objects.create(
                municipality=municipality(230), scale=Scale.objects.get(code=code)
            )

    def setUp(self) -> None:
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        self.failures: list[str] = []

    def call(self, method: str, url: str, **kwargs: Any) -> None:
        try:
            response = getattr(self.client, method)(url, **kwargs)
        except Exception:  # noqa: BLE001
            tb = traceback.format_exc().strip().splitlines()
            self.failures.append(f"{method.upper()} {url} {str(kwargs)[:200]}: {tb[-1]} @ {tb[-3]}")
            return
        if response.status_code >= 500:
            self.failures.append(
                f"{method.upper()} {url} {str(kwargs)[:200]}: {response.status_code}"
            )

    def web_urls(self) -> list[str]:
        p = self.plan.pk
        names: list[tuple[str, list[int]]] = [
            ("plans:list", []),
            ("plans:create", []),
            ("plans:detail", [p]),
            ("plans:edit", [p]),
            ("plans:close", [p]),
            ("plans:goal_add", [p]),
            ("plans:goal_edit", [p, self.goal.pk]),
            ("plans:effort_add", [p]),
            ("plans:effort_edit", [p, self.effort.pk]),
            ("plans:effort_end", [p, self.effort.pk]),
            ("plans:participants", [p]),
            ("plans:members", [p]),
            ("plans:history", [p]),
            ("plans:version", [p, 1]),
            ("plans:concerns", []),
            ("plans:concern_create", []),
            ("plans:concern_detail", [self.concern.pk]),
            ("plans:concern_note", [self.concern.pk]),
            ("plans:concern_close", [self.concern.pk]),
            ("plans:referrals", []),
            ("plans:referral_create", []),
            ("plans:referral_detail", [self.referral.pk]),
            ("plans:meeting_create", [p]),
            ("plans:meeting_detail", [self.meeting.pk]),
            ("plans:meeting_minutes", [self.meeting.pk]),
            ("plans:meeting_cancel", [self.meeting.pk]),
            ("plans:meeting_summary", [self.meeting.pk]),
            ("plans:actions", []),
            ("plans:action_create", [p]),
            ("plans:action_reassign", [self.action.pk]),
            ("plans:action_cancel", [self.action.pk]),
            ("plans:action_complete", [self.action.pk]),
            ("plans:stories", []),
            ("plans:story_detail", [self.story.pk]),
            ("plans:story_propose", [self.story.pk]),
            ("plans:story_create", [p]),
            ("plans:worklist", []),
            ("plans:worklist_rule", []),
            ("plans:participant_remove", [p, 999]),
            ("plans:member_occupation", [p, self.plan.members.get().pk]),
            ("plans:concern_escalate_plan", [self.concern.pk]),
            ("plans:concern_escalate_notification", [self.concern.pk]),
            ("plans:referral_received", [self.referral.pk]),
            ("plans:referral_accept", [self.referral.pk]),
            ("plans:referral_reject", [self.referral.pk]),
            ("plans:referral_withdraw", [self.referral.pk]),
            ("plans:action_reopen", [self.action.pk]),
            ("plans:story_decide", [self.story.pk]),
            ("plans:family_home", []),
            ("plans:family_plan", [p]),
            ("feedback:scales", []),
            ("feedback:progress", [p]),
            ("feedback:rate", [p]),
        ]
        return [reverse(n, args=a) for n, a in names]

    def test_web(self) -> None:
        self.login(self.caseworker)
        params = [
            "citizen",
            "page",
            "box",
            "status",
            "q",
            "who",
            "overdue",
            "unit",
            "plan",
            "goal",
            "scale",
            "next",
            "date",
            "on",
            "from",
            "to",
            "sort",
            "kind",
            "tab",
        ]
        for url in self.web_urls():
            self.call("get", url)
            for bad in BAD_VALUES:
                self.call("get", url, data=dict.fromkeys(params, bad))
                self.call("get", url, data={"citizen": self.alma.pk, "page": bad, "scale": bad})
            response = self.client.get(url, {"citizen": self.alma.pk})
            fields = set(re.findall(r'name="([^"]+)"', response.content.decode()))
            fields.discard("csrfmiddlewaretoken")
            self.call("post", url, data={})
            for bad in BAD_VALUES:
                self.call("post", url, data=dict.fromkeys(fields, bad))
                if bad in ONE_FIELD_VALUES:
                    for f in fields:
                        self.call("post", url + f"?citizen={self.alma.pk}", data={f: bad})
        assert not self.failures, "\n".join(sorted(set(self.failures)))

    def test_api(self) -> None:
        token = ApiToken.issue(self.caseworker.user, "t")[1]
        headers = {"authorization": f"Bearer {token}"}
        from helhed.api.api import api

        schema = api.get_openapi_schema()
        for path, ops in schema["paths"].items():
            if not any(
                path.startswith(f"/api/{x}")
                for x in (
                    "plans",
                    "concerns",
                    "referrals",
                    "meetings",
                    "actions",
                    "stories",
                    "worklist",
                    "feedback",
                )
            ):
                continue
            concrete = (
                path.replace("{plan_id}", str(self.plan.pk))
                .replace("{goal_id}", str(self.goal.pk))
                .replace("{effort_id}", str(self.effort.pk))
                .replace("{concern_id}", str(self.concern.pk))
                .replace("{referral_id}", str(self.referral.pk))
                .replace("{meeting_id}", str(self.meeting.pk))
                .replace("{action_id}", str(self.action.pk))
                .replace("{story_id}", str(self.story.pk))
            )
            for method, op in ops.items():
                params = [p["name"] for p in op.get("parameters", []) if p["in"] == "query"]
                body_props: list[str] = []
                body = op.get("requestBody")
                if body:
                    ref = body["content"]["application/json"]["schema"].get("$ref", "")
                    comp = schema["components"]["schemas"].get(ref.split("/")[-1], {})
                    body_props = list(comp.get("properties", {}))
                if method == "get":
                    for bad in BAD_VALUES:
                        self.call("get", concrete, data=dict.fromkeys(params, bad), headers=headers)
                    continue
                self.call(
                    method,
                    concrete,
                    data="{bad json",
                    content_type="application/json",
                    headers=headers,
                )
                self.call(
                    method, concrete, data="[]", content_type="application/json", headers=headers
                )
                self.call(
                    method, concrete, data="{}", content_type="application/json", headers=headers
                )
                for prop in body_props:
                    for bad in BAD_JSON:
                        base: dict[str, Any] = {
                            p: (self.plan.version if p == "expected_version" else None)
                            for p in body_props
                        }
                        base[prop] = bad
                        self.call(
                            method,
                            concrete,
                            data=json.dumps(base),
                            content_type="application/json",
                            headers=headers,
                        )
                for bad in BAD_VALUES:
                    self.call(method, concrete, data=dict.fromkeys(params, bad), headers=headers)
        assert not self.failures, "\n".join(sorted(set(self.failures)))
