"""Referral rules: sending, answering, the access an acceptance opens, and the waiting time."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from helhed import policy
from helhed.citizens.models import Consent, Engagement
from helhed.lib.validity import today
from helhed.organisation.models import Sector, Staff, Unit
from helhed.plans.actions.referrals import (
    do_accept_referral,
    do_mark_referral_received,
    do_reject_referral,
    do_send_referral,
    do_withdraw_referral,
    engagement_kind_for,
)
from helhed.plans.models import LegalBasis, Referral
from helhed.test import BaseTestCase, make_plan, make_staff, make_unit


class ReferralTestCase(BaseTestCase):
    """The base cast plus a PPR unit with a psychologist and a leader, and a consent."""

    ppr: Unit
    psychologist: Staff
    ppr_leader: Staff
    consent: Consent

    def setUp(self) -> None:
        """The rules' messages are asserted in English; the UI's default is Danish."""
        super().setUp()
        translation.activate("en")
        self.addCleanup(translation.deactivate)
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.ppr = make_unit("PPR Rudersdal", parent=cls.children_admin, sector="ppr")
        cls.psychologist = make_staff(
            "Pia", "Prahl", unit=cls.ppr, role="psychologist", username="psychologist"
        )
        cls.ppr_leader = make_staff(
            "Poul", "Pagh", unit=cls.ppr, role="leader", username="ppr_leader"
        )
        cls.consent = Consent.objects.create(
            citizen=cls.alma,
            purpose="Samarbejde mellem skole og PPR",
            given_by=cls.mother,
            given_on=dt.date(2024, 3, 1),
        )
        cls.consent.sectors.set(Sector.objects.filter(code__in=["school", "ppr"]))

    def send(self, **overrides: Any) -> Referral:
        """Bakkeskolen's teacher refers Alma to PPR (or as ``overrides`` say)."""
        arguments: dict[str, Any] = {
            "actor": self.teacher,
            "citizen": self.alma,
            "from_unit": self.school,
            "to_unit": self.ppr,
            "question": "Alma læser langsomt og trækker sig i timerne. Vi ønsker en vurdering.",
            "legal_basis": LegalBasis.FOLKESKOLELOVEN,
            "access_days": 90,
        }
        arguments.update(overrides)
        return do_send_referral(**arguments)

    def backdate(self, referral: Referral, days: int) -> Referral:
        Referral.objects.filter(pk=referral.pk).update(
            sent_at=timezone.now() - dt.timedelta(days=days)
        )
        referral.refresh_from_db()
        return referral


class SendReferralTests(ReferralTestCase):
    def test_it_sends_a_referral_from_the_teachers_school(self) -> None:
        referral = self.send()
        self.assertEqual(referral.status, Referral.Status.SENT)
        self.assertEqual(referral.sent_by, self.teacher)
        self.assertEqual(referral.to_unit, self.ppr)
        self.assertIsNone(referral.decided_at)

    def test_it_links_the_plan_and_rests_on_an_active_consent(self) -> None:
        plan = make_plan(self.alma, coordinator=self.caseworker)
        referral = self.send(legal_basis=LegalBasis.CONSENT, consent=self.consent, plan=plan)
        self.assertEqual(referral.consent, self.consent)
        self.assertEqual(referral.plan, plan)

    def assertRefused(self, field: str, **overrides: Any) -> ValidationError:
        before = Referral.objects.count()
        with self.assertRaises(ValidationError) as caught:
            self.send(**overrides)
        self.assertIn(field, caught.exception.message_dict)
        self.assertTrue(caught.exception.message_dict[field][0])
        self.assertEqual(Referral.objects.count(), before, "nothing may be created")
        return caught.exception

    def test_a_consent_basis_needs_a_consent(self) -> None:
        self.assertRefused("consent", legal_basis=LegalBasis.CONSENT)

    def test_a_consent_basis_needs_a_consent_that_is_active_today(self) -> None:
        withdrawn = Consent.objects.create(
            citizen=self.alma,
            purpose="Gammelt samtykke",
            given_by=self.mother,
            given_on=dt.date(2023, 1, 1),
            withdrawn_on=dt.date(2023, 6, 1),
        )
        error = self.assertRefused("consent", legal_basis=LegalBasis.CONSENT, consent=withdrawn)
        self.assertIn("not active", error.message_dict["consent"][0])

    def test_a_consent_of_another_citizen_is_refused(self) -> None:
        other = Consent.objects.create(
            citizen=self.bror, purpose="Bo", given_by=self.mother, given_on=dt.date(2024, 1, 1)
        )
        self.assertRefused("consent", legal_basis=LegalBasis.CONSENT, consent=other)

    def test_it_refuses_a_referral_to_the_same_unit(self) -> None:
        self.assertRefused("to_unit", to_unit=self.school)

    def test_it_refuses_a_unit_of_another_municipality(self) -> None:
        hvidovre_ppr = Unit.objects.get(name="Familie", municipality__code=167)
        error = self.assertRefused("to_unit", to_unit=hvidovre_ppr)
        self.assertIn("another municipality", error.message_dict["to_unit"][0])

    def test_it_refuses_a_unit_that_has_closed(self) -> None:
        closed = make_unit(
            "Lukket PPR",
            parent=self.children_admin,
            sector="ppr",
            valid_to=today() - dt.timedelta(days=1),
        )
        self.assertRefused("to_unit", to_unit=closed)

    def test_it_refuses_a_second_open_referral_to_the_same_unit(self) -> None:
        first = self.send()
        error = self.assertRefused("to_unit")
        self.assertIn("already has an open referral", error.message_dict["to_unit"][0])
        do_reject_referral(actor=self.psychologist, referral=first, reason="Kontakt sundhedsplejen")
        self.assertEqual(self.send().status, Referral.Status.SENT)

    def test_access_days_lie_between_1_and_365(self) -> None:
        self.assertRefused("access_days", access_days=0)
        self.assertRefused("access_days", access_days=366)
        self.assertEqual(self.send(access_days=365).access_days, 365)

    def test_an_empty_question_is_refused(self) -> None:
        self.assertRefused("question", question="   ")

    def test_the_sender_must_work_in_the_from_unit_today(self) -> None:
        self.assertRefused("from_unit", from_unit=self.family_dept)

    def test_every_problem_is_reported_at_once(self) -> None:
        error = self.assertRefused(
            "to_unit", to_unit=self.school, legal_basis=LegalBasis.CONSENT, access_days=0
        )
        self.assertEqual(set(error.message_dict), {"to_unit", "consent", "access_days"})

    def test_a_plan_of_another_citizen_is_refused(self) -> None:
        plan = make_plan(self.bror, coordinator=self.caseworker, title="Bo")
        self.assertRefused("plan", plan=plan)

    def test_staff_who_do_not_work_with_the_citizen_cannot_refer(self) -> None:
        with self.assertRaises(PermissionDenied):
            self.send(actor=self.colleague, from_unit=self.family_dept)
        self.assertFalse(Referral.objects.exists())


class AnswerReferralTests(ReferralTestCase):
    def test_the_whole_flow_opens_access_for_the_receiving_unit_until_access_until(self) -> None:
        psychologist = self.psychologist.user
        referral = self.send(access_days=30)
        self.assertNotIn(self.alma, policy.visible_citizens(psychologist))
        self.assertTrue(policy.can_decide_referral(psychologist, referral))

        referral = do_mark_referral_received(actor=self.psychologist, referral=referral)
        self.assertEqual(referral.status, Referral.Status.RECEIVED)
        self.assertIsNotNone(referral.received_at)
        self.assertNotIn(self.alma, policy.visible_citizens(psychologist))

        referral = do_accept_referral(actor=self.psychologist, referral=referral)
        self.assertEqual(referral.status, Referral.Status.ACCEPTED)
        self.assertEqual(referral.decided_by, self.psychologist)
        self.assertIsNotNone(referral.decided_at)
        until = today() + dt.timedelta(days=30)
        self.assertEqual(referral.access_until, until)

        engagement = Engagement.objects.get(citizen=self.alma, unit=self.ppr)
        self.assertEqual(engagement.kind, Engagement.Kind.PPR)
        self.assertEqual(engagement.valid_from, today())
        self.assertEqual(engagement.valid_to, until)
        self.assertIn(str(referral.pk), engagement.purpose)

        self.assertIn(self.alma, policy.visible_citizens(psychologist))
        self.assertIn(self.alma, policy.visible_citizens(psychologist, on=until))
        self.assertNotIn(
            self.alma, policy.visible_citizens(psychologist, on=until + dt.timedelta(days=1))
        )
        # A leader of the unit still sees no citizens through the engagement.
        self.assertNotIn(self.alma, policy.visible_citizens(self.ppr_leader.user))

    def test_the_engagement_kind_follows_the_receiving_units_sector(self) -> None:
        expected = {
            "ppr": Engagement.Kind.PPR,
            "social": Engagement.Kind.CASEWORK,
            "health": Engagement.Kind.HEALTH,
            "school": Engagement.Kind.TEACHING,
            "daycare": Engagement.Kind.DAYCARE,
            "employment": Engagement.Kind.EMPLOYMENT,
            "culture_leisure": Engagement.Kind.COORDINATION,
        }
        for sector, kind in expected.items():
            self.assertEqual(
                engagement_kind_for(Unit(sector=Sector.objects.get(code=sector))), kind
            )
        self.assertEqual(engagement_kind_for(self.children_admin), Engagement.Kind.COORDINATION)

    def test_a_rejection_needs_a_reason(self) -> None:
        referral = self.send()
        with self.assertRaises(ValidationError) as caught:
            do_reject_referral(actor=self.psychologist, referral=referral, reason="  ")
        self.assertIn("reason", caught.exception.message_dict)
        referral.refresh_from_db()
        self.assertEqual(referral.status, Referral.Status.SENT)

        referral = do_reject_referral(
            actor=self.psychologist, referral=referral, reason="Skolens egen AKT-indsats først."
        )
        self.assertEqual(referral.status, Referral.Status.REJECTED)
        self.assertEqual(referral.rejection_reason, "Skolens egen AKT-indsats først.")
        self.assertFalse(Engagement.objects.filter(unit=self.ppr).exists())

    def test_the_sender_cannot_answer_their_own_referral(self) -> None:
        referral = self.send()
        for answer in (
            lambda: do_accept_referral(actor=self.teacher, referral=referral),
            lambda: do_reject_referral(actor=self.teacher, referral=referral, reason="Nej"),
            lambda: do_mark_referral_received(actor=self.teacher, referral=referral),
        ):
            with self.assertRaises(PermissionDenied):
                answer()
        referral.refresh_from_db()
        self.assertEqual(referral.status, Referral.Status.SENT)
        self.assertFalse(Engagement.objects.filter(unit=self.ppr).exists())

    def test_an_answered_referral_cannot_be_answered_again(self) -> None:
        referral = do_accept_referral(actor=self.psychologist, referral=self.send())
        with self.assertRaises(ValidationError):
            do_reject_referral(actor=self.psychologist, referral=referral, reason="Alligevel ikke")
        with self.assertRaises(ValidationError):
            do_accept_referral(actor=self.psychologist, referral=referral)
        self.assertEqual(Engagement.objects.filter(unit=self.ppr).count(), 1)

    def test_accepting_needs_the_consent_to_be_active_still(self) -> None:
        referral = self.send(legal_basis=LegalBasis.CONSENT, consent=self.consent)
        Consent.objects.filter(pk=self.consent.pk).update(withdrawn_on=today())
        with self.assertRaises(ValidationError) as caught:
            do_accept_referral(actor=self.psychologist, referral=referral)
        self.assertIn("consent", caught.exception.message_dict)
        referral.refresh_from_db()
        self.assertEqual(referral.status, Referral.Status.SENT)
        self.assertFalse(Engagement.objects.filter(unit=self.ppr).exists())

    def test_the_sender_and_the_sending_unit_withdraw_an_open_referral(self) -> None:
        referral = self.send()
        with self.assertRaises(PermissionDenied):
            do_withdraw_referral(actor=self.psychologist, referral=referral)
        # The school's leader works in the sending unit.
        referral = do_withdraw_referral(actor=self.leader, referral=referral)
        self.assertEqual(referral.status, Referral.Status.WITHDRAWN)
        with self.assertRaises(ValidationError):
            do_withdraw_referral(actor=self.teacher, referral=referral)
        with self.assertRaises(ValidationError):
            do_accept_referral(actor=self.psychologist, referral=referral)


class WaitingTimeTests(ReferralTestCase):
    def test_waiting_time_runs_from_sending_to_the_decision(self) -> None:
        referral = self.backdate(self.send(), days=10)
        self.assertEqual(referral.waiting_days, 10)
        referral = do_accept_referral(actor=self.psychologist, referral=referral)
        self.assertEqual(referral.waiting_time().days, 10)
        later = timezone.now() + dt.timedelta(days=30)
        self.assertEqual(referral.waiting_time(later).days, 10, "the clock stops at the answer")

    def test_an_open_referral_keeps_waiting(self) -> None:
        referral = self.backdate(self.send(), days=3)
        later = timezone.now() + dt.timedelta(days=4)
        self.assertEqual(referral.waiting_time(later).days, 7)

    def test_a_withdrawn_referral_stops_waiting(self) -> None:
        referral = self.backdate(self.send(), days=5)
        referral = do_withdraw_referral(actor=self.teacher, referral=referral)
        later = timezone.now() + dt.timedelta(days=30)
        self.assertEqual(referral.waiting_time(later).days, 5)
