"""A withdrawn consent closes the access it gave, at once, end to end.

Bakkeskolen's teacher refers Alma to PPR on her mother's consent; PPR accepts
and its psychologist can open Alma and her plan. When the consent is
withdrawn (by the case worker on the citizen page, by the mother on her own
page, or through the API) the psychologist gets 404 on the same day, while
access on a legal basis stays.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.citizens.models import Consent, Engagement
from helhed.lib.validity import today
from helhed.organisation.models import Staff, Unit
from helhed.plans.actions.referrals import do_accept_referral, do_send_referral
from helhed.plans.models import LegalBasis, Plan
from helhed.test import make_consent, make_plan, make_staff, make_unit


class ConsentAccessTests(ApiTestCase):
    ppr: Unit
    psychologist: Staff
    consent: Consent
    plan: Plan

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.ppr = make_unit("PPR Rudersdal", parent=cls.children_admin, sector="ppr")
        cls.psychologist = make_staff(
            "Pia", "Prahl", unit=cls.ppr, role="psychologist", username="psychologist"
        )
        cls.consent = make_consent(
            cls.alma,
            sectors=("school", "ppr"),
            given_by=cls.mother,
            purpose="Samarbejde mellem skole og PPR",
            given_on=dt.date(2024, 3, 1),
        )
        cls.plan = make_plan(cls.alma, coordinator=cls.caseworker)

    def setUp(self) -> None:
        super().setUp()
        self.enterContext(translation.override("en"))
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        referral = do_send_referral(
            actor=self.teacher,
            citizen=self.alma,
            from_unit=self.school,
            to_unit=self.ppr,
            question="Alma læser langsomt. Vi ønsker en vurdering.",
            legal_basis=LegalBasis.CONSENT,
            consent=self.consent,
        )
        do_accept_referral(actor=self.psychologist, referral=referral)

    def pages(self) -> dict[str, int]:
        """What the psychologist gets on Alma's page, her plan and the API."""
        self.login(self.psychologist)
        return {
            "citizen": self.client.get(reverse("citizens:detail", args=[self.alma.pk])).status_code,
            "plan": self.client.get(reverse("plans:detail", args=[self.plan.pk])).status_code,
            "api": self.client.get(f"/api/citizens/{self.alma.pk}").status_code,
        }

    def assertOpen(self) -> None:
        self.assertEqual(self.pages(), {"citizen": 200, "plan": 200, "api": 200})

    def assertClosed(self) -> None:
        self.assertEqual(self.pages(), {"citizen": 404, "plan": 404, "api": 404})

    def test_the_accepted_referral_opens_alma_to_ppr_on_the_consent(self) -> None:
        engagement = Engagement.objects.get(unit=self.ppr)
        self.assertEqual(engagement.consent, self.consent)
        self.assertOpen()
        self.login(self.caseworker)
        page = self.client.get(reverse("citizens:detail", args=[self.alma.pk]))
        self.assertContains(page, '<td data-testid="engagement-count">1</td>', html=True)

    def test_withdrawing_on_the_citizen_page_closes_ppr_access_the_same_day(self) -> None:
        self.assertOpen()
        self.login(self.caseworker)
        url = reverse("citizens:consent_withdraw", args=[self.alma.pk, self.consent.pk])
        self.assertEqual(self.client.post(url).status_code, 302)
        self.consent.refresh_from_db()
        self.assertEqual(self.consent.withdrawn_on, today())
        # The engagement itself is untouched: the policy reads the consent on every request.
        self.assertTrue(Engagement.objects.filter(unit=self.ppr).valid_on(today()).exists())
        self.assertClosed()
        # Access on a legal basis stays.
        self.login(self.caseworker)
        detail = reverse("citizens:detail", args=[self.alma.pk])
        self.assertEqual(self.client.get(detail).status_code, 200)
        self.login(self.teacher)
        self.assertEqual(self.client.get(detail).status_code, 200)

    def test_the_mother_withdrawing_on_her_page_closes_ppr_access(self) -> None:
        self.assertOpen()
        self.login(self.guardian)
        url = reverse("citizens:family_consent_withdraw", args=[self.consent.pk])
        self.assertEqual(self.client.post(url).status_code, 302)
        self.assertClosed()

    def test_withdrawing_through_the_api_closes_ppr_access(self) -> None:
        self.assertOpen()
        response = self.api(
            "post", f"/api/consents/{self.consent.pk}/withdraw", as_=self.caseworker, body={}
        )
        self.assertEqual(response.status_code, 200)
        self.assertClosed()

    def test_a_withdrawal_recorded_late_closes_access_as_well(self) -> None:
        self.login(self.caseworker)
        url = reverse("citizens:consent_withdraw", args=[self.alma.pk, self.consent.pk])
        yesterday = today() - dt.timedelta(days=1)
        self.assertEqual(
            self.client.post(url, {"withdrawn_on": yesterday.isoformat()}).status_code, 302
        )
        self.assertClosed()

    def test_staff_whose_own_access_rested_on_the_consent_are_told_and_sent_to_the_list(
        self,
    ) -> None:
        # The psychologist may withdraw (front-line, sees Alma), and so loses Alma at once.
        self.login(self.psychologist)
        url = reverse("citizens:consent_withdraw", args=[self.alma.pk, self.consent.pk])
        response = self.client.post(url, follow=True)
        self.assertRedirects(response, reverse("citizens:list"))
        self.assertContains(response, "Your access to the citizen rested on this consent")
        self.assertClosed()
