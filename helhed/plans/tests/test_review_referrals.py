"""Review: a leader who may not read a referral does not read why it was rejected either.

The reason is free text about the child, written by the receiving unit; it
goes with the question and the name to those who work with the referral.
"""

from __future__ import annotations

from django.urls import reverse

from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.plans.actions.referrals import do_reject_referral
from helhed.plans.tests.test_referral_actions import ReferralTestCase

REASON = "Alma skal til familieafdelingen, moren har et misbrug"


class RejectionReasonTests(ReferralTestCase, ApiTestCase):
    def test_the_school_leader_sees_the_answer_but_not_the_reason(self) -> None:
        referral = self.send()
        do_reject_referral(actor=self.psychologist, referral=referral, reason=REASON)
        self.login(self.leader)
        response = self.client.get(reverse("plans:referral_detail", args=[referral.pk]))
        assert response.status_code == 200
        self.assertNotContains(response, "misbrug")
        self.assertNotContains(response, "Alma")
        body = self.api("get", f"/api/referrals/{referral.pk}", as_=self.leader).json()
        assert body["status"] == "rejected"
        assert "misbrug" not in str(body)

    def test_the_sender_reads_the_reason(self) -> None:
        referral = self.send()
        do_reject_referral(actor=self.psychologist, referral=referral, reason=REASON)
        self.login(self.teacher)
        response = self.client.get(reverse("plans:referral_detail", args=[referral.pk]))
        self.assertContains(response, "misbrug")
        body = self.api("get", f"/api/referrals/{referral.pk}", as_=self.teacher).json()
        assert body["rejection_reason"] == REASON
