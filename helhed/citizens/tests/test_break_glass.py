"""Break the glass: staff on call open a citizen for the rest of today, on a stated reason.

The page is for users whose role may break the glass (403 for other staff,
404 for family logins). The CPR number is posted only, never written back
into a page, a URL or a log line; an unknown number gets the same answer
whether or not the person lives in another municipality. The citizen page
shows a banner while the access rests only on the emergency engagement.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from helhed import policy
from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.audit import codes
from helhed.audit.models import AuditEntry
from helhed.citizens.models import Citizen, Engagement
from helhed.lib.validity import today
from helhed.organisation.models import Staff
from helhed.test import (
    BaseTestCase,
    engage,
    give_emergency_role,
    make_citizen,
    make_staff,
    synthetic_cpr,
)

URL = reverse("citizens:emergency")
BANNER = "Emergency access: logged and reviewed by your leader"
REASON = "Politiet har ringet: barnet er fundet alene om natten"


def detail_url(citizen_id: int) -> str:
    return reverse("citizens:detail", args=[citizen_id])


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name} {record.getMessage()} {record.args!r}")


@contextmanager
def collected_logs() -> Iterator[list[str]]:
    """Every log record written in the block, before any filter masks it."""
    handler = _Collect()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler.lines
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


class BreakGlassCase(BaseTestCase):
    """The base cast, an on-call social worker, and Ida whom nobody works with."""

    oncall: Staff
    ida: Citizen
    ida_cpr: str
    elsewhere_cpr: str

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.oncall = make_staff("Vera", "Vagt", username="oncall")
        give_emergency_role(cls.oncall, cls.family_dept)
        cls.ida = make_citizen("Ida", "Holm", birth_date=dt.date(2012, 8, 30))
        cls.ida_cpr = cls.ida.cpr
        # A child of Hvidovre: as unknown to Rudersdal's on-call staff as nobody at all.
        elsewhere = make_citizen(
            "Emil", "Ude", birth_date=dt.date(2013, 4, 2), municipality_code=167
        )
        cls.elsewhere_cpr = elsewhere.cpr

    def setUp(self) -> None:
        super().setUp()
        # Messages are asserted in English (the msgids); Danish is the site's default.
        self.enterContext(translation.override("en"))
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def emergency_engagements(self) -> int:
        return Engagement.objects.filter(kind=Engagement.Kind.EMERGENCY).count()

    def assertNoCpr(self, text: str, *numbers: str) -> None:
        for number in numbers:
            digits = number.replace("-", "")
            self.assertNotIn(digits, text.replace("-", ""))


class EmergencyPageTests(BreakGlassCase):
    def test_the_navigation_links_to_it_only_for_staff_who_may_break_the_glass(self) -> None:
        self.login(self.oncall)
        self.assertContains(self.client.get(reverse("home")), f'href="{URL}"')
        for user in (self.caseworker, self.leader):
            with self.subTest(user=str(user)):
                self.login(user)
                self.assertNotContains(self.client.get(reverse("home")), f'href="{URL}"')
        self.login(self.guardian)
        self.assertNotContains(self.client.get(reverse("plans:family_home")), f'href="{URL}"')

    def test_it_shows_the_form(self) -> None:
        self.login(self.oncall)
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'name="cpr"')
        self.assertContains(response, 'name="reason"')
        self.assertContains(response, "at least 15 characters")
        self.assertIn("no-store", response["Cache-Control"])

    def test_a_cpr_number_in_the_query_string_is_ignored(self) -> None:
        self.login(self.oncall)
        response = self.client.get(URL, {"cpr": self.ida_cpr, "reason": REASON})
        self.assertEqual(response.status_code, 200)
        form = response.text[response.text.index('<form method="post" action="' + URL) :]
        self.assertNoCpr(form, self.ida_cpr)
        self.assertNotIn(REASON, form)
        self.assertEqual(self.emergency_engagements(), 0)

    def test_staff_without_an_on_call_role_get_403(self) -> None:
        for staff in (self.caseworker, self.colleague, self.leader, self.director, self.analyst):
            with self.subTest(staff=str(staff)):
                self.login(staff)
                self.assertEqual(self.client.get(URL).status_code, 403)
                response = self.client.post(URL, {"cpr": self.ida_cpr, "reason": REASON})
                self.assertEqual(response.status_code, 403)
        self.login(self.admin)
        self.assertEqual(self.client.get(URL).status_code, 403)
        self.assertEqual(self.emergency_engagements(), 0)

    def test_family_logins_get_404(self) -> None:
        self.login(self.guardian)
        self.assertEqual(self.client.get(URL).status_code, 404)
        self.assertEqual(self.client.post(URL, {"cpr": self.ida_cpr}).status_code, 404)

    def test_anonymous_users_are_sent_to_login(self) -> None:
        response = self.client.post(URL, {"cpr": self.ida_cpr, "reason": REASON})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("login")))
        self.assertNoCpr(response["Location"], self.ida_cpr)

    def test_other_methods_are_not_allowed(self) -> None:
        self.login(self.oncall)
        self.assertEqual(self.client.put(URL).status_code, 405)
        self.assertEqual(self.client.delete(URL).status_code, 405)


class BreakGlassTests(BreakGlassCase):
    def test_it_opens_the_citizen_for_today_with_a_banner(self) -> None:
        self.login(self.oncall)
        self.assertEqual(self.client.get(detail_url(self.ida.pk)).status_code, 404)
        with collected_logs() as lines:
            response = self.client.post(URL, {"cpr": self.ida_cpr, "reason": REASON}, follow=True)
        self.assertRedirects(response, detail_url(self.ida.pk))
        self.assertContains(response, "<h1>Ida Holm</h1>", html=True)
        self.assertContains(response, BANNER)
        self.assertContains(response, "You have emergency access to Ida Holm")
        for url, _status in response.redirect_chain:
            self.assertNoCpr(url, self.ida_cpr)
        self.assertNoCpr("\n".join(lines), self.ida_cpr)

        engagement = Engagement.objects.get(kind=Engagement.Kind.EMERGENCY)
        self.assertEqual(engagement.citizen, self.ida)
        self.assertEqual(engagement.staff, self.oncall)
        self.assertEqual((engagement.valid_from, engagement.valid_to), (today(), today()))
        self.assertEqual(engagement.purpose, REASON)
        entry = AuditEntry.objects.get(action=codes.BREAK_GLASS)
        self.assertTrue(entry.break_glass)
        self.assertEqual(entry.citizen_id, self.ida.pk)
        self.assertEqual(entry.actor_staff_id, self.oncall.pk)
        self.assertEqual(entry.purpose, REASON)
        # The page view itself is logged as a break-the-glass look-up.
        view = AuditEntry.objects.filter(action=codes.VIEW, citizen_id=self.ida.pk).latest("seq")
        self.assertTrue(view.break_glass)

    def test_the_access_ends_tonight(self) -> None:
        self.login(self.oncall)
        self.client.post(URL, {"cpr": self.ida_cpr, "reason": REASON})
        tomorrow = today() + dt.timedelta(days=1)
        assert self.oncall.user is not None
        self.assertTrue(policy.visible_citizens(self.oncall.user).filter(pk=self.ida.pk).exists())
        visible_tomorrow = policy.visible_citizens(self.oncall.user, tomorrow)
        self.assertFalse(visible_tomorrow.filter(pk=self.ida.pk).exists())

    def test_the_banner_goes_once_the_access_rests_on_an_ordinary_engagement(self) -> None:
        self.login(self.oncall)
        self.client.post(URL, {"cpr": self.ida_cpr, "reason": REASON})
        engage(self.ida, staff=self.oncall)
        response = self.client.get(detail_url(self.ida.pk))
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, BANNER)

    def test_no_banner_for_ordinary_access(self) -> None:
        self.login(self.caseworker)
        self.assertNotContains(self.client.get(detail_url(self.alma.pk)), BANNER)

    def test_it_accepts_the_number_without_a_dash(self) -> None:
        self.login(self.oncall)
        response = self.client.post(URL, {"cpr": self.ida_cpr.replace("-", ""), "reason": REASON})
        self.assertRedirects(response, detail_url(self.ida.pk))


class BreakGlassBadInputTests(BreakGlassCase):
    def post(self, **data: Any) -> Any:
        self.login(self.oncall)
        with collected_logs() as lines:
            response = self.client.post(URL, data)
        self.assertNoCpr("\n".join(lines), self.ida_cpr, self.elsewhere_cpr)
        return response

    def test_bad_input_is_explained_saves_nothing_and_never_echoes_the_number(self) -> None:
        good = self.ida_cpr
        wrong_check_digit = good[:-1] + str((int(good[-1]) + 1) % 10)
        cases: dict[str, tuple[dict[str, str], str]] = {
            "no cpr": ({"cpr": "", "reason": REASON}, "Enter the CPR number."),
            "short cpr": ({"cpr": "300812-123", "reason": REASON}, "ten digits"),
            "letters": ({"cpr": "abc", "reason": REASON}, "ten digits"),
            "no date": ({"cpr": "320812-1234", "reason": REASON}, "real date"),
            "check digit": ({"cpr": wrong_check_digit, "reason": REASON}, "check digit"),
            "no reason": ({"cpr": good, "reason": ""}, "State the reason"),
            "short reason": ({"cpr": good, "reason": "  akut   sag  "}, "at least 15 characters"),
            "cpr in reason": (
                {"cpr": good, "reason": f"Barnet {good} er fundet alene"},
                "Leave the CPR number out of the reason",
            ),
            "long reason": ({"cpr": good, "reason": "x" * 301}, "at most 300 characters"),
        }
        for name, (data, message) in cases.items():
            with self.subTest(name):
                response = self.post(**data)
                self.assertContains(response, message, status_code=400)
                self.assertContains(response, 'class="field-error"', status_code=400)
                self.assertNoCpr(response.content.decode(), good)
                if data["reason"] == REASON:
                    self.assertContains(response, REASON, status_code=400)  # the reason is kept
        self.assertEqual(self.emergency_engagements(), 0)
        self.assertFalse(AuditEntry.objects.filter(action=codes.BREAK_GLASS).exists())

    def test_an_unknown_number_and_one_from_another_municipality_get_the_same_answer(
        self,
    ) -> None:
        nobody = synthetic_cpr(dt.date(2010, 1, 20), "M")
        answers = []
        for number in (nobody, self.elsewhere_cpr):
            response = self.post(cpr=number, reason=REASON)
            self.assertContains(
                response,
                "No citizen with this CPR number is registered in your municipality.",
                status_code=400,
            )
            self.assertNoCpr(response.content.decode(), number)
            # The page is the same but for the CSRF token.
            answers.append(re.sub(r'(value=|"X-CSRFToken": )"[^"]{20,}"', "", response.text))
        self.assertEqual(answers[0], answers[1])
        self.assertEqual(self.emergency_engagements(), 0)


class EmergencyAccessApiTests(BreakGlassCase, ApiTestCase):
    PATH = "/api/citizens/emergency-access"

    def test_it_opens_the_citizen_until_tonight(self) -> None:
        response = self.api(
            "post", self.PATH, as_=self.oncall, body={"cpr": self.ida_cpr, "reason": REASON}
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(
            response.json(), {"citizen_id": self.ida.pk, "valid_to": today().isoformat()}
        )
        self.assertEqual(
            self.api("get", f"/api/citizens/{self.ida.pk}", as_=self.oncall).status_code, 200
        )
        self.assertTrue(AuditEntry.objects.filter(action=codes.BREAK_GLASS).exists())

    def test_staff_without_an_on_call_role_get_403_and_families_404(self) -> None:
        body = {"cpr": self.ida_cpr, "reason": REASON}
        for staff in (self.caseworker, self.leader, self.outsider):
            with self.subTest(staff=str(staff)):
                self.assertEqual(self.api("post", self.PATH, as_=staff, body=body).status_code, 403)
        self.login(self.guardian)
        response = self.client.post(self.PATH, body, content_type="application/json")
        self.assertEqual(response.status_code, 404)
        self.client.logout()
        response = self.client.post(self.PATH, body, content_type="application/json")
        self.assertEqual(response.status_code, 401)
        self.assertEqual(self.emergency_engagements(), 0)

    def test_bad_input_answers_422_naming_the_field(self) -> None:
        nobody = synthetic_cpr(dt.date(2010, 1, 20), "M")
        cases: dict[str, tuple[dict[str, str], str, str]] = {
            "malformed": ({"cpr": "12345", "reason": REASON}, "cpr", "ten digits"),
            "no date": ({"cpr": "320812-1234", "reason": REASON}, "cpr", "real date"),
            "unknown": ({"cpr": nobody, "reason": REASON}, "cpr", "No citizen"),
            "elsewhere": ({"cpr": self.elsewhere_cpr, "reason": REASON}, "cpr", "No citizen"),
            "short reason": ({"cpr": self.ida_cpr, "reason": "akut"}, "reason", "at least 15"),
        }
        for name, (body, field, message) in cases.items():
            with self.subTest(name):
                with collected_logs() as lines:
                    response = self.api("post", self.PATH, as_=self.oncall, body=body)
                self.assertEqual(response.status_code, 422, response.content)
                [error] = response.json()["detail"]
                self.assertEqual(error["field"], field)
                self.assertIn(message, error["message"])
                self.assertNoCpr(response.content.decode(), body["cpr"])
                self.assertNoCpr("\n".join(lines), body["cpr"])
        for body in ({"cpr": self.ida_cpr}, {"cpr": "1\x002", "reason": REASON}):
            with self.subTest(body=body):
                response = self.api("post", self.PATH, as_=self.oncall, body=body)
                self.assertEqual(response.status_code, 422)
                self.assertNoCpr(response.content.decode(), self.ida_cpr)
        self.assertEqual(self.emergency_engagements(), 0)

    def test_it_takes_post_only(self) -> None:
        response = self.api("get", self.PATH, as_=self.oncall)
        self.assertEqual(response.status_code, 405)
        self.assertEqual(self.emergency_engagements(), 0)
