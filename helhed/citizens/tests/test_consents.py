"""Consents: listed on the citizen page, recorded and withdrawn by staff, withdrawn by the family.

Front-line staff who may see the citizen record and withdraw; staff who only
read the citizen (a leader taking part in a plan) get 403; everyone else 404.
A family login withdraws consents about itself and the children in its care
on its own page. Bad input is explained and saves nothing, on the web and in
the API.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.citizens.models import Consent, Engagement, FamilyLink
from helhed.lib.validity import today
from helhed.organisation.models import Sector
from helhed.test import (
    BaseTestCase,
    engage,
    make_citizen,
    make_consent,
    make_family_login,
    make_plan,
)

GIVEN = dt.date(2024, 3, 1)


def detail_url(citizen_id: int) -> str:
    return reverse("citizens:detail", args=[citizen_id])


def record_url(citizen_id: int) -> str:
    return reverse("citizens:consent_record", args=[citizen_id])


def withdraw_url(citizen_id: int, consent_id: int) -> str:
    return reverse("citizens:consent_withdraw", args=[citizen_id, consent_id])


FAMILY_URL = reverse("citizens:family_consents")


def family_withdraw_url(consent_id: int) -> str:
    return reverse("citizens:family_consent_withdraw", args=[consent_id])


def sector_ids(*codes: str) -> list[int]:
    return list(Sector.objects.filter(code__in=codes).values_list("pk", flat=True))


class ConsentCase(BaseTestCase):
    """The base cast, Alma's consent given by her mother, and English messages."""

    consent: Consent

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.consent = make_consent(
            cls.alma,
            sectors=("school", "social"),
            given_by=cls.mother,
            purpose="Samarbejde mellem skole og familieafdeling",
            given_on=GIVEN,
        )

    def setUp(self) -> None:
        super().setUp()
        # Messages are asserted in English (the msgids); Danish is the site's default.
        self.enterContext(translation.override("en"))
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def plan_with_leader(self) -> None:
        """The school leader takes part in Alma's plan: they see her, without a front-line role."""
        make_plan(self.alma, coordinator=self.caseworker, participants=[(self.leader, self.school)])


class CitizenPageConsentsTests(ConsentCase):
    def test_it_lists_each_consent_with_its_facts_and_the_engagements_resting_on_it(self) -> None:
        Engagement.objects.create(
            citizen=self.alma,
            unit=self.family_dept,
            kind=Engagement.Kind.CASEWORK,
            valid_from=GIVEN,
            consent=self.consent,
        )
        make_consent(
            self.alma,
            sectors=("health",),
            given_by=self.mother,
            purpose="Deling med sundhedsplejen",
            given_on=dt.date(2023, 1, 10),
            expires_on=dt.date(2023, 12, 31),
        )
        self.login(self.caseworker)
        response = self.client.get(detail_url(self.alma.pk))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Samarbejde mellem skole og familieafdeling")
        self.assertContains(response, "1 Mar 2024 by Mette Jensen")
        self.assertContains(response, "Social services")
        self.assertContains(response, "No expiry")
        self.assertContains(response, "Active")
        self.assertContains(response, "Expired 31 Dec 2023")
        self.assertContains(response, "Engagements resting on it")
        self.assertContains(response, '<td data-testid="engagement-count">1</td>', html=True)
        self.assertContains(response, '<td data-testid="engagement-count">0</td>', html=True)
        self.assertContains(response, withdraw_url(self.alma.pk, self.consent.pk))
        self.assertContains(response, 'data-testid="record-consent"')

    def test_a_withdrawn_consent_offers_no_withdraw_button(self) -> None:
        Consent.objects.filter(pk=self.consent.pk).update(withdrawn_on=dt.date(2024, 6, 1))
        self.login(self.caseworker)
        response = self.client.get(detail_url(self.alma.pk))
        self.assertContains(response, "Withdrawn 1 Jun 2024")
        self.assertNotContains(response, withdraw_url(self.alma.pk, self.consent.pk))

    def test_staff_who_only_read_the_citizen_see_consents_without_buttons(self) -> None:
        self.plan_with_leader()
        self.login(self.leader)
        response = self.client.get(detail_url(self.alma.pk))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Samarbejde mellem skole og familieafdeling")
        self.assertNotContains(response, withdraw_url(self.alma.pk, self.consent.pk))
        self.assertNotContains(response, 'data-testid="record-consent"')


class RecordConsentTests(ConsentCase):
    def valid(self, **changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "sectors": sector_ids("school", "ppr"),
            "purpose": "Samarbejde mellem skole og PPR om Almas læsning",
            "given_by": str(self.mother.pk),
            "given_on": "2025-01-15",
            "expires_on": "",
        }
        data.update(changes)
        return data

    def test_the_form_offers_the_citizen_and_their_guardians_only(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(record_url(self.alma.pk))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Alma Jensen (the citizen)")
        self.assertContains(response, "Mette Jensen (guardian)")
        self.assertNotContains(response, "Bo Jensen")  # a sibling gives no consent
        self.assertContains(response, f'value="{today().isoformat()}"')  # given on: today

    def test_it_records_the_consent_and_shows_it_on_the_citizen_page(self) -> None:
        self.login(self.caseworker)
        response = self.client.post(record_url(self.alma.pk), self.valid(), follow=True)
        self.assertRedirects(response, detail_url(self.alma.pk) + "#consents")
        self.assertContains(response, "The consent is recorded.")
        self.assertContains(response, "Samarbejde mellem skole og PPR om Almas læsning")
        consent = Consent.objects.get(purpose__startswith="Samarbejde mellem skole og PPR")
        self.assertEqual(consent.citizen, self.alma)
        self.assertEqual(consent.given_by, self.mother)
        self.assertEqual(consent.given_on, dt.date(2025, 1, 15))
        self.assertIsNone(consent.expires_on)
        self.assertEqual(consent.recorded_by, self.caseworker)
        self.assertEqual({s.code for s in consent.sectors.all()}, {"school", "ppr"})

    def test_given_on_left_empty_is_today_and_the_citizen_may_give_it(self) -> None:
        self.login(self.caseworker)
        response = self.client.post(
            record_url(self.alma.pk),
            self.valid(given_on="", given_by=str(self.alma.pk), expires_on="2099-12-31"),
        )
        self.assertEqual(response.status_code, 302)
        consent = Consent.objects.latest("pk")
        self.assertEqual(consent.given_on, today())
        self.assertEqual(consent.given_by, self.alma)
        self.assertEqual(consent.expires_on, dt.date(2099, 12, 31))
        self.assertTrue(consent.is_active())

    def test_bad_input_is_explained_and_saves_nothing(self) -> None:
        tomorrow = (today() + dt.timedelta(days=1)).isoformat()
        cases: dict[str, tuple[dict[str, Any], str]] = {
            "future": ({"given_on": tomorrow}, "cannot be dated in the future"),
            "expires first": (
                {"given_on": "2025-01-15", "expires_on": "2025-01-14"},
                "cannot expire before it was given (15.01.2025)",
            ),
            "sibling": ({"given_by": str(self.bror.pk)}, "only by the citizen or a guardian"),
            "stranger": ({"given_by": "999999"}, "only by the citizen or a guardian"),
            "no giver": ({"given_by": ""}, "Choose who gave the consent."),
            "unknown sector": ({"sectors": ["999999"]}, "Select a valid choice"),
            "huge sector": ({"sectors": [str(2**64)]}, "Select a valid choice"),
            "no sector": ({"sectors": []}, "Choose the sectors the consent covers."),
            "no purpose": ({"purpose": "   "}, "This field is required."),
            "long purpose": ({"purpose": "x" * 301}, "at most 300 characters"),
            "bad date": ({"given_on": "15/13/2025"}, "Enter a valid date."),
        }
        self.login(self.caseworker)
        before = Consent.objects.count()
        for name, (changes, message) in cases.items():
            with self.subTest(name):
                response = self.client.post(record_url(self.alma.pk), self.valid(**changes))
                self.assertIn(response.status_code, (400, 422))
                self.assertContains(response, message, status_code=response.status_code)
                self.assertContains(
                    response, 'class="field-error"', status_code=response.status_code
                )
        self.assertEqual(Consent.objects.count(), before)

    def test_rule_breaches_found_by_the_action_answer_422(self) -> None:
        self.login(self.caseworker)
        tomorrow = (today() + dt.timedelta(days=1)).isoformat()
        response = self.client.post(record_url(self.alma.pk), self.valid(given_on=tomorrow))
        self.assertEqual(response.status_code, 422)

    def test_staff_who_may_not_see_the_citizen_get_404(self) -> None:
        for user in (self.colleague, self.outsider, self.chief, self.politician, self.guardian):
            with self.subTest(user=str(user)):
                self.login(user)
                self.assertEqual(self.client.get(record_url(self.alma.pk)).status_code, 404)
                response = self.client.post(record_url(self.alma.pk), self.valid())
                self.assertEqual(response.status_code, 404)
        self.assertEqual(Consent.objects.count(), 1)

    def test_staff_who_see_the_citizen_without_a_front_line_role_get_403(self) -> None:
        self.plan_with_leader()
        self.login(self.leader)
        self.assertEqual(self.client.get(record_url(self.alma.pk)).status_code, 403)
        self.assertEqual(self.client.post(record_url(self.alma.pk), self.valid()).status_code, 403)
        self.assertEqual(Consent.objects.count(), 1)

    def test_it_answers_404_for_a_citizen_that_does_not_exist(self) -> None:
        self.login(self.caseworker)
        self.assertEqual(self.client.get(record_url(999_999)).status_code, 404)

    def test_other_methods_are_not_allowed(self) -> None:
        self.login(self.caseworker)
        self.assertEqual(self.client.put(record_url(self.alma.pk)).status_code, 405)
        self.assertEqual(self.client.delete(record_url(self.alma.pk)).status_code, 405)

    def test_anonymous_users_are_sent_to_login(self) -> None:
        response = self.client.post(record_url(self.alma.pk), self.valid())
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("login")))


class WithdrawConsentTests(ConsentCase):
    def test_it_withdraws_as_of_today_by_default(self) -> None:
        self.login(self.caseworker)
        response = self.client.post(withdraw_url(self.alma.pk, self.consent.pk), follow=True)
        self.assertRedirects(response, detail_url(self.alma.pk) + "#consents")
        self.assertContains(response, "The consent is withdrawn; access resting on it is closed.")
        self.assertContains(response, f"Withdrawn {today():%-d %b %Y}")
        self.consent.refresh_from_db()
        self.assertEqual(self.consent.withdrawn_on, today())
        self.assertFalse(self.consent.is_active())

    def test_a_late_record_keeps_the_day_the_family_withdrew(self) -> None:
        self.login(self.caseworker)
        response = self.client.post(
            withdraw_url(self.alma.pk, self.consent.pk), {"withdrawn_on": "2024-09-01"}
        )
        self.assertEqual(response.status_code, 302)
        self.consent.refresh_from_db()
        self.assertEqual(self.consent.withdrawn_on, dt.date(2024, 9, 1))

    def test_a_consent_already_withdrawn_answers_422_and_keeps_its_date(self) -> None:
        Consent.objects.filter(pk=self.consent.pk).update(withdrawn_on=dt.date(2024, 6, 1))
        self.login(self.caseworker)
        response = self.client.post(withdraw_url(self.alma.pk, self.consent.pk))
        self.assertContains(
            response, "The consent was already withdrawn on 01.06.2024.", status_code=422
        )
        self.consent.refresh_from_db()
        self.assertEqual(self.consent.withdrawn_on, dt.date(2024, 6, 1))

    def test_bad_dates_are_explained_and_change_nothing(self) -> None:
        tomorrow = (today() + dt.timedelta(days=1)).isoformat()
        cases = {
            "2024-02-29": (422, "cannot be withdrawn before it was given (01.03.2024)"),
            tomorrow: (422, "cannot be dated in the future"),
            "not a date": (400, "Enter a valid date."),
        }
        self.login(self.caseworker)
        for value, (status, message) in cases.items():
            with self.subTest(value):
                response = self.client.post(
                    withdraw_url(self.alma.pk, self.consent.pk), {"withdrawn_on": value}
                )
                self.assertContains(response, message, status_code=status)
                self.assertContains(response, 'class="field-error"', status_code=status)
        self.consent.refresh_from_db()
        self.assertIsNone(self.consent.withdrawn_on)

    def test_staff_who_may_not_see_the_citizen_get_404(self) -> None:
        for user in (self.colleague, self.outsider, self.chief, self.guardian):
            with self.subTest(user=str(user)):
                self.login(user)
                response = self.client.post(withdraw_url(self.alma.pk, self.consent.pk))
                self.assertEqual(response.status_code, 404)
        self.consent.refresh_from_db()
        self.assertIsNone(self.consent.withdrawn_on)

    def test_a_consent_of_another_citizen_is_not_found_under_this_one(self) -> None:
        engage(self.bror, staff=self.caseworker)
        brors = make_consent(self.bror, given_on=GIVEN)
        self.login(self.caseworker)
        response = self.client.post(withdraw_url(self.alma.pk, brors.pk))
        self.assertEqual(response.status_code, 404)
        response = self.client.post(withdraw_url(self.alma.pk, 999_999))
        self.assertEqual(response.status_code, 404)
        brors.refresh_from_db()
        self.assertIsNone(brors.withdrawn_on)

    def test_staff_who_see_the_citizen_without_a_front_line_role_get_403(self) -> None:
        self.plan_with_leader()
        self.login(self.leader)
        response = self.client.post(withdraw_url(self.alma.pk, self.consent.pk))
        self.assertEqual(response.status_code, 403)
        self.consent.refresh_from_db()
        self.assertIsNone(self.consent.withdrawn_on)

    def test_it_takes_post_only(self) -> None:
        self.login(self.caseworker)
        self.assertEqual(
            self.client.get(withdraw_url(self.alma.pk, self.consent.pk)).status_code, 405
        )


class FamilyConsentsTests(ConsentCase):
    def test_the_family_sees_consents_about_itself_and_its_children_in_care(self) -> None:
        own = make_consent(self.mother, sectors=("health",), purpose="Mettes egen sundhed")
        make_consent(self.bror, purpose="Bos skolegang")  # a sibling not in her care
        karla = make_citizen("Karla", "Berg", birth_date=dt.date(2015, 2, 3))
        make_consent(karla, purpose="Karlas trivsel")  # another family
        self.login(self.guardian)
        response = self.client.get(FAMILY_URL)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Your consents")
        self.assertContains(response, "Samarbejde mellem skole og familieafdeling")
        self.assertContains(response, own.purpose)
        self.assertContains(response, family_withdraw_url(self.consent.pk))
        self.assertNotContains(response, "Bos skolegang")
        self.assertNotContains(response, "Karlas trivsel")
        self.assertContains(response, f'href="{FAMILY_URL}"')  # in the navigation

    def test_a_guardian_withdraws_a_consent_about_their_child(self) -> None:
        self.login(self.guardian)
        response = self.client.post(family_withdraw_url(self.consent.pk), follow=True)
        self.assertRedirects(response, FAMILY_URL)
        self.assertContains(response, "The consent is withdrawn.")
        self.consent.refresh_from_db()
        self.assertEqual(self.consent.withdrawn_on, today())
        self.assertNotContains(response, family_withdraw_url(self.consent.pk))

    def test_a_consent_they_gave_stays_theirs_to_withdraw(self) -> None:
        FamilyLink.objects.filter(from_citizen=self.mother, to_citizen=self.alma).delete()
        self.login(self.guardian)
        response = self.client.post(family_withdraw_url(self.consent.pk))
        self.assertEqual(response.status_code, 302)
        self.consent.refresh_from_db()
        self.assertEqual(self.consent.withdrawn_on, today())

    def test_a_guardian_cannot_withdraw_for_a_child_not_in_their_care(self) -> None:
        brors = make_consent(self.bror, given_by=self.bror, given_on=GIVEN)
        self.login(self.guardian)
        self.assertEqual(self.client.post(family_withdraw_url(brors.pk)).status_code, 404)
        self.assertEqual(self.client.post(family_withdraw_url(999_999)).status_code, 404)
        brors.refresh_from_db()
        self.assertIsNone(brors.withdrawn_on)

    def test_another_family_cannot_withdraw_it(self) -> None:
        karla_mother = make_citizen("Kirsten", "Berg", birth_date=dt.date(1985, 6, 7))
        other = make_family_login(karla_mother, "other_guardian")
        self.login(other)
        self.assertEqual(self.client.post(family_withdraw_url(self.consent.pk)).status_code, 404)
        response = self.client.get(FAMILY_URL)
        self.assertContains(response, "You have given us no consents.")
        self.consent.refresh_from_db()
        self.assertIsNone(self.consent.withdrawn_on)

    def test_withdrawing_twice_is_explained(self) -> None:
        Consent.objects.filter(pk=self.consent.pk).update(withdrawn_on=dt.date(2024, 6, 1))
        self.login(self.guardian)
        response = self.client.post(family_withdraw_url(self.consent.pk))
        self.assertContains(
            response, "The consent was already withdrawn on 01.06.2024.", status_code=422
        )

    def test_staff_get_404_on_the_family_pages(self) -> None:
        for staff in (self.caseworker, self.leader):
            with self.subTest(staff=str(staff)):
                self.login(staff)
                self.assertEqual(self.client.get(FAMILY_URL).status_code, 404)
                response = self.client.post(family_withdraw_url(self.consent.pk))
                self.assertEqual(response.status_code, 404)
        self.consent.refresh_from_db()
        self.assertIsNone(self.consent.withdrawn_on)

    def test_wrong_methods_answer_405(self) -> None:
        self.login(self.guardian)
        self.assertEqual(self.client.post(FAMILY_URL).status_code, 405)
        self.assertEqual(self.client.get(family_withdraw_url(self.consent.pk)).status_code, 405)

    def test_anonymous_users_are_sent_to_login(self) -> None:
        response = self.client.get(FAMILY_URL)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("login")))


class ConsentApiTests(ConsentCase, ApiTestCase):
    def body(self, **changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "sector_ids": sector_ids("school", "ppr"),
            "purpose": "Samarbejde mellem skole og PPR",
            "given_by_id": self.mother.pk,
            "given_on": "2025-01-15",
        }
        data.update(changes)
        return data

    def test_it_lists_the_citizens_consents(self) -> None:
        response = self.api("get", f"/api/citizens/{self.alma.pk}/consents", as_=self.caseworker)
        self.assertEqual(response.status_code, 200)
        [row] = response.json()
        self.assertEqual(row["id"], self.consent.pk)
        self.assertEqual(sorted(row["sectors"]), ["school", "social"])
        self.assertEqual(row["given_by_id"], self.mother.pk)
        self.assertEqual(row["given_by"], "Mette Jensen")
        self.assertEqual(row["given_on"], "2024-03-01")
        self.assertIsNone(row["withdrawn_on"])
        self.assertTrue(row["active"])
        self.assertEqual(row["engagements"], 0)

    def test_invisible_citizens_have_no_consents_here(self) -> None:
        for staff in (self.colleague, self.outsider, self.leader):
            with self.subTest(staff=str(staff)):
                path = f"/api/citizens/{self.alma.pk}/consents"
                self.assertEqual(self.api("get", path, as_=staff).status_code, 404)
                response = self.api("post", path, as_=staff, body=self.body())
                self.assertEqual(response.status_code, 404)
        self.login(self.guardian)
        self.assertEqual(self.client.get(f"/api/citizens/{self.alma.pk}/consents").status_code, 404)
        self.assertEqual(Consent.objects.count(), 1)

    def test_it_records_a_consent(self) -> None:
        response = self.api(
            "post", f"/api/citizens/{self.alma.pk}/consents", as_=self.caseworker, body=self.body()
        )
        self.assertEqual(response.status_code, 201)
        body = response.json()
        self.assertEqual(sorted(body["sectors"]), ["ppr", "school"])
        self.assertEqual(body["given_on"], "2025-01-15")
        self.assertTrue(body["active"])
        consent = Consent.objects.get(pk=body["id"])
        self.assertEqual(consent.recorded_by, self.caseworker)

    def test_readers_without_a_front_line_role_get_403(self) -> None:
        self.plan_with_leader()
        path = f"/api/citizens/{self.alma.pk}/consents"
        self.assertEqual(self.api("get", path, as_=self.leader).status_code, 200)
        response = self.api("post", path, as_=self.leader, body=self.body())
        self.assertEqual(response.status_code, 403)
        response = self.api(
            "post", f"/api/consents/{self.consent.pk}/withdraw", as_=self.leader, body={}
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(Consent.objects.count(), 1)
        self.consent.refresh_from_db()
        self.assertIsNone(self.consent.withdrawn_on)

    def test_bad_input_answers_422_naming_the_field_and_saves_nothing(self) -> None:
        tomorrow = (today() + dt.timedelta(days=1)).isoformat()
        cases: dict[str, tuple[dict[str, Any], str, str]] = {
            "future": ({"given_on": tomorrow}, "given_on", "future"),
            "expires first": ({"expires_on": "2025-01-01"}, "expires_on", "before it was given"),
            "sibling": ({"given_by_id": self.bror.pk}, "given_by_id", "citizen or a guardian"),
            "huge giver": ({"given_by_id": 2**63}, "given_by_id", "citizen or a guardian"),
            "unknown sector": ({"sector_ids": [999_999]}, "sector_ids", "No such sector: 999999"),
            "huge sector": ({"sector_ids": [2**64]}, "sector_ids", "No such sector"),
            "no sector": ({"sector_ids": []}, "sector_ids", "Choose the sectors"),
            "blank purpose": ({"purpose": "  "}, "purpose", "blank"),
        }
        path = f"/api/citizens/{self.alma.pk}/consents"
        for name, (changes, field, message) in cases.items():
            with self.subTest(name):
                response = self.api("post", path, as_=self.caseworker, body=self.body(**changes))
                self.assertEqual(response.status_code, 422, response.content)
                errors = response.json()["detail"]
                self.assertIn(field, [e["field"] for e in errors])
                self.assertIn(message, " ".join(e["message"] for e in errors))
        for bad in ({"given_on": "2025-13-01"}, {"purpose": "a\x00b"}, {"sector_ids": "x"}):
            with self.subTest(bad=bad):
                response = self.api("post", path, as_=self.caseworker, body=self.body(**bad))
                self.assertEqual(response.status_code, 422)
        self.assertEqual(Consent.objects.count(), 1)

    def test_it_withdraws_today_without_a_body(self) -> None:
        # An empty body, as ``curl -X POST`` sends.
        response = self.api(
            "post", f"/api/consents/{self.consent.pk}/withdraw", as_=self.caseworker, body=""
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["withdrawn_on"], today().isoformat())
        self.assertFalse(response.json()["active"])

    def test_it_withdraws_as_of_a_given_day(self) -> None:
        response = self.api(
            "post",
            f"/api/consents/{self.consent.pk}/withdraw",
            as_=self.caseworker,
            body={"withdrawn_on": "2024-09-01"},
        )
        self.assertEqual(response.status_code, 200)
        self.consent.refresh_from_db()
        self.assertEqual(self.consent.withdrawn_on, dt.date(2024, 9, 1))

    def test_bad_withdrawals_answer_422_and_change_nothing(self) -> None:
        path = f"/api/consents/{self.consent.pk}/withdraw"
        tomorrow = (today() + dt.timedelta(days=1)).isoformat()
        for day, message in (("2024-02-01", "before it was given"), (tomorrow, "future")):
            with self.subTest(day):
                response = self.api("post", path, as_=self.caseworker, body={"withdrawn_on": day})
                self.assertEqual(response.status_code, 422)
                [error] = response.json()["detail"]
                self.assertEqual(error["field"], "withdrawn_on")
                self.assertIn(message, error["message"])
        self.consent.refresh_from_db()
        self.assertIsNone(self.consent.withdrawn_on)
        Consent.objects.filter(pk=self.consent.pk).update(withdrawn_on=dt.date(2024, 6, 1))
        response = self.api("post", path, as_=self.caseworker, body={})
        self.assertEqual(response.status_code, 422)
        self.assertIn("already withdrawn", response.json()["detail"][0]["message"])

    def test_withdrawing_an_invisible_consent_is_not_found(self) -> None:
        for staff in (self.colleague, self.outsider):
            with self.subTest(staff=str(staff)):
                response = self.api(
                    "post", f"/api/consents/{self.consent.pk}/withdraw", as_=staff, body={}
                )
                self.assertEqual(response.status_code, 404)
        response = self.api("post", "/api/consents/999999/withdraw", as_=self.caseworker, body={})
        self.assertEqual(response.status_code, 404)
        self.consent.refresh_from_db()
        self.assertIsNone(self.consent.withdrawn_on)

    def test_a_guardian_withdraws_through_the_api_with_their_session(self) -> None:
        self.login(self.guardian)
        response = self.client.post(
            f"/api/consents/{self.consent.pk}/withdraw", "{}", content_type="application/json"
        )
        self.assertEqual(response.status_code, 200)
        self.consent.refresh_from_db()
        self.assertEqual(self.consent.withdrawn_on, today())

    def test_wrong_methods_answer_405(self) -> None:
        response = self.api("get", f"/api/consents/{self.consent.pk}/withdraw", as_=self.caseworker)
        self.assertEqual(response.status_code, 405)
        response = self.api("delete", f"/api/citizens/{self.alma.pk}/consents", as_=self.caseworker)
        self.assertEqual(response.status_code, 405)
