"""Referral pages: the lists, sending one, one referral and its answers, and access."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from helhed.citizens.models import Citizen, Engagement
from helhed.lib.validity import today
from helhed.organisation.models import Unit
from helhed.plans.actions.referrals import do_accept_referral, do_reject_referral
from helhed.plans.models import LegalBasis, Referral
from helhed.plans.tests.test_referral_actions import ReferralTestCase
from helhed.test import make_citizen, make_plan, make_staff, make_unit

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

LIST = reverse("plans:referrals")
CREATE = reverse("plans:referral_create")


def detail(referral: Referral) -> str:
    return reverse("plans:referral_detail", args=[referral.pk])


def change(name: str, referral: Referral) -> str:
    return reverse(f"plans:referral_{name}", args=[referral.pk])


def citizen_page(citizen_id: int) -> str:
    return reverse("citizens:detail", args=[citizen_id])


class ReferralListTests(ReferralTestCase):
    def test_the_receiving_unit_sees_incoming_referrals_with_the_open_ones_first(self) -> None:
        decided = self.backdate(self.send(citizen=self.bror_visible()), days=30)
        do_reject_referral(actor=self.psychologist, referral=decided, reason="Ikke PPR")
        old = self.backdate(self.send(), days=20)
        fresh = self.backdate(self.send(citizen=self.mother_visible()), days=1)

        self.login(self.psychologist)
        response = self.client.get(LIST)
        self.assertEqual(response.status_code, 200)
        rows = list(response.context["page"])
        self.assertEqual([r.pk for r in rows], [old.pk, fresh.pk, decided.pk])
        self.assertContains(response, "Alma Jensen")
        self.assertContains(response, 'class="badge overdue"', count=1)
        self.assertContains(response, detail(old))

    def test_the_sender_sees_sent_referrals(self) -> None:
        referral = self.send()
        self.login(self.teacher)
        response = self.client.get(LIST, {"box": "sent"})
        self.assertEqual([r.pk for r in response.context["page"]], [referral.pk])
        self.assertContains(response, "PPR Rudersdal")
        self.assertEqual(list(self.client.get(LIST).context["page"]), [])

    def test_it_shows_median_and_longest_waiting_time_of_incoming_referrals(self) -> None:
        open_long = self.backdate(self.send(), days=20)
        recent = self.backdate(self.send(citizen=self.bror_visible()), days=6)
        do_accept_referral(actor=self.psychologist, referral=recent)
        Referral.objects.filter(pk=recent.pk).update(
            decided_at=recent.sent_at + dt.timedelta(days=4)
        )
        old = self.backdate(self.send(citizen=self.mother_visible()), days=200)
        do_reject_referral(actor=self.psychologist, referral=old, reason="Gammel")
        Referral.objects.filter(pk=old.pk).update(decided_at=old.sent_at + dt.timedelta(days=50))
        self.assertTrue(open_long.is_open)

        self.login(self.psychologist)
        summary = self.client.get(LIST).context["summary"]
        self.assertEqual(summary.count, 2, "answered more than 90 days ago is left out")
        self.assertEqual(summary.median_days, 12.0)
        self.assertEqual(summary.longest_days, 20)

    def bror_visible(self) -> Citizen:
        """Bo, whom the teacher also works with (through the school)."""
        Engagement.objects.create(
            citizen=self.bror,
            unit=self.school,
            kind=Engagement.Kind.TEACHING,
            valid_from=dt.date(2020, 1, 1),
        )
        return self.bror

    def mother_visible(self) -> Citizen:
        Engagement.objects.create(
            citizen=self.mother,
            staff=self.teacher,
            kind=Engagement.Kind.TEACHING,
            valid_from=dt.date(2020, 1, 1),
        )
        return self.mother

    def test_it_filters_by_status_and_pages(self) -> None:
        for n in range(27):
            child = make_citizen(f"Barn{n}", birth_date=dt.date(2013, 1, 1 + n % 28))
            Referral.objects.create(
                citizen=child,
                from_unit=self.school,
                to_unit=self.ppr,
                sent_by=self.teacher,
                question="Q",
                legal_basis=LegalBasis.FOLKESKOLELOVEN,
                status=Referral.Status.RECEIVED if n < 3 else Referral.Status.SENT,
            )
        self.login(self.psychologist)
        response = self.client.get(LIST)
        self.assertEqual(response.context["page"].paginator.count, 27)
        self.assertEqual(len(response.context["page"]), 25)
        self.assertEqual(len(self.client.get(LIST, {"page": 2}).context["page"]), 2)
        received = self.client.get(LIST, {"status": "received"})
        self.assertEqual(received.context["page"].paginator.count, 3)
        nonsense = self.client.get(LIST, {"status": "nonsense", "box": "nonsense"})
        self.assertEqual(nonsense.status_code, 200)
        self.assertEqual(nonsense.context["page"].paginator.count, 27)

    def test_a_leader_of_the_sending_unit_sees_the_row_without_the_child(self) -> None:
        referral = self.send()
        self.login(self.leader)
        response = self.client.get(LIST, {"box": "sent"})
        self.assertEqual([r.pk for r in response.context["page"]], [referral.pk])
        self.assertNotContains(response, "Alma")
        response = self.client.get(detail(referral))
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "Alma")
        self.assertNotContains(response, "læser langsomt")

    def test_staff_of_other_units_and_outsiders_see_nothing(self) -> None:
        self.send()
        for staff in (self.caseworker, self.outsider):
            self.login(staff)
            response = self.client.get(LIST)
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.context["page"].paginator.count, 0)
            self.assertNotContains(response, "Alma")

    def test_wrong_method_is_405(self) -> None:
        self.login(self.psychologist)
        self.assertEqual(self.client.post(LIST).status_code, 405)

    def test_anonymous_users_are_sent_to_log_in(self) -> None:
        self.assertEqual(self.client.get(LIST).status_code, 302)


class ReferralCreateTests(ReferralTestCase):
    def post(self, **data: object) -> TestResponse:
        body: dict[str, object] = {
            "from_unit": self.school.pk,
            "to_unit": self.ppr.pk,
            "question": "Alma har brug for en vurdering.",
            "legal_basis": LegalBasis.FOLKESKOLELOVEN,
            "access_days": 60,
        }
        body.update(data)
        return self.client.post(f"{CREATE}?citizen={self.alma.pk}", body)

    def test_the_form_offers_my_units_other_units_and_active_consents(self) -> None:
        self.login(self.teacher)
        response = self.client.get(CREATE, {"citizen": self.alma.pk})
        self.assertEqual(response.status_code, 200)
        form = response.context["form"]
        self.assertEqual(list(form.fields["from_unit"].queryset), [self.school])
        to_units = list(form.fields["to_unit"].queryset)
        self.assertIn(self.ppr, to_units)
        self.assertIn(self.family_dept, to_units)
        self.assertNotIn(self.school, to_units)
        self.assertNotIn(self.root, to_units)
        self.assertFalse(any(u.municipality.code == 167 for u in to_units))
        self.assertEqual(list(form.fields["consent"].queryset), [self.consent])
        self.assertContains(response, "PPR (educational psychology): PPR Rudersdal")

    def test_it_sends_and_links_the_active_plan_the_user_can_see(self) -> None:
        plan = make_plan(self.alma, coordinator=self.caseworker)
        self.login(self.teacher)
        response = self.client.get(CREATE, {"citizen": self.alma.pk})
        self.assertContains(response, 'data-testid="linked-plan"')
        response = self.post(legal_basis=LegalBasis.CONSENT, consent=self.consent.pk)
        referral = Referral.objects.get()
        self.assertRedirects(response, detail(referral))
        self.assertEqual(referral.plan, plan)
        self.assertEqual(referral.consent, self.consent)
        self.assertEqual(referral.access_days, 60)
        self.assertEqual(referral.sent_by, self.teacher)

    def test_bad_input_shows_the_error_beside_the_field_and_creates_nothing(self) -> None:
        self.login(self.teacher)
        response = self.post(legal_basis=LegalBasis.CONSENT)
        self.assertEqual(response.status_code, 400)
        self.assertIn("consent", response.context["form"].errors)
        response = self.post(access_days=400)
        self.assertEqual(response.status_code, 400)
        self.assertIn("access_days", response.context["form"].errors)
        response = self.post(to_unit=self.school.pk)
        self.assertEqual(response.status_code, 400)
        self.assertIn("to_unit", response.context["form"].errors)
        hvidovre = Unit.objects.get(name="Familie", municipality__code=167)
        response = self.post(to_unit=hvidovre.pk)
        self.assertEqual(response.status_code, 400)
        self.assertIn("to_unit", response.context["form"].errors)
        self.assertFalse(Referral.objects.exists())

    def test_a_duplicate_open_referral_is_refused_beside_the_unit(self) -> None:
        self.send()
        self.login(self.teacher)
        response = self.post()
        self.assertEqual(response.status_code, 400)
        self.assertIn("already has an open referral", response.context["form"].errors["to_unit"][0])
        self.assertEqual(Referral.objects.count(), 1)

    def test_staff_who_do_not_work_with_the_citizen_get_404(self) -> None:
        for staff in (self.colleague, self.outsider, self.psychologist):
            self.login(staff)
            self.assertEqual(self.client.get(CREATE, {"citizen": self.alma.pk}).status_code, 404)
            self.assertEqual(self.post().status_code, 404)
        self.assertEqual(self.client.get(CREATE).status_code, 404)
        self.assertEqual(self.client.get(CREATE, {"citizen": "x"}).status_code, 404)
        self.assertFalse(Referral.objects.exists())

    def test_a_family_login_gets_404(self) -> None:
        self.login(self.guardian)
        self.assertEqual(self.client.get(CREATE, {"citizen": self.alma.pk}).status_code, 404)

    def test_staff_without_a_unit_today_get_403(self) -> None:
        loner = make_staff("Lone", "Lund", username="loner")
        Engagement.objects.create(
            citizen=self.alma,
            staff=loner,
            kind=Engagement.Kind.CASEWORK,
            valid_from=dt.date(2020, 1, 1),
        )
        self.login(loner)
        self.assertEqual(self.client.get(CREATE, {"citizen": self.alma.pk}).status_code, 403)

    def test_wrong_method_is_405(self) -> None:
        self.login(self.teacher)
        response = self.client.put(f"{CREATE}?citizen={self.alma.pk}")
        self.assertEqual(response.status_code, 405)


class ReferralDetailTests(ReferralTestCase):
    def test_the_receiving_unit_reads_name_age_question_and_basis_but_not_the_citizen_page(
        self,
    ) -> None:
        referral = self.send()
        self.login(self.psychologist)
        response = self.client.get(detail(referral))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Alma Jensen")
        self.assertContains(response, "læser langsomt")
        self.assertContains(response, 'data-testid="decide"')
        self.assertNotContains(response, f'href="{citizen_page(self.alma.pk)}"')
        self.assertEqual(response.context["citizen_age"], self.alma.age())
        self.assertEqual(self.client.get(citizen_page(self.alma.pk)).status_code, 404)

    def test_accepting_opens_the_citizen_page_to_the_receiving_unit(self) -> None:
        referral = self.send()
        self.login(self.psychologist)
        response = self.client.post(change("received", referral))
        self.assertRedirects(response, detail(referral))
        self.assertEqual(self.client.get(citizen_page(self.alma.pk)).status_code, 404)
        response = self.client.post(change("accept", referral))
        self.assertRedirects(response, detail(referral))
        referral.refresh_from_db()
        self.assertEqual(referral.status, Referral.Status.ACCEPTED)
        self.assertEqual(referral.access_until, today() + dt.timedelta(days=90))
        self.assertEqual(self.client.get(citizen_page(self.alma.pk)).status_code, 200)
        response = self.client.get(detail(referral))
        self.assertContains(response, f'href="{citizen_page(self.alma.pk)}"')
        self.assertNotContains(response, 'data-testid="decide"')

    def test_rejecting_needs_a_reason(self) -> None:
        referral = self.send()
        self.login(self.psychologist)
        response = self.client.post(change("reject", referral), {"reason": "   "})
        self.assertEqual(response.status_code, 400)
        self.assertIn("reason", response.context["reject_form"].errors)
        referral.refresh_from_db()
        self.assertEqual(referral.status, Referral.Status.SENT)
        response = self.client.post(change("reject", referral), {"reason": "Kontakt AKT først"})
        self.assertRedirects(response, detail(referral))
        referral.refresh_from_db()
        self.assertEqual(referral.status, Referral.Status.REJECTED)
        self.login(self.teacher)
        self.assertContains(self.client.get(detail(referral)), "Kontakt AKT først")

    def test_an_answered_referral_cannot_be_answered_again(self) -> None:
        referral = self.send()
        do_accept_referral(actor=self.psychologist, referral=referral)
        self.login(self.psychologist)
        response = self.client.post(change("accept", referral))
        self.assertEqual(response.status_code, 400)
        self.assertTrue(response.context["errors"])
        response = self.client.post(change("reject", referral), {"reason": "Nej"})
        self.assertEqual(response.status_code, 400)
        referral.refresh_from_db()
        self.assertEqual(referral.status, Referral.Status.ACCEPTED)

    def test_the_sender_cannot_answer_403(self) -> None:
        referral = self.send()
        for staff in (self.teacher, self.leader):
            self.login(staff)
            self.assertEqual(self.client.get(detail(referral)).status_code, 200)
            self.assertEqual(self.client.post(change("accept", referral)).status_code, 403)
            self.assertEqual(self.client.post(change("received", referral)).status_code, 403)
            response = self.client.post(change("reject", referral), {"reason": "Nej"})
            self.assertEqual(response.status_code, 403)
        referral.refresh_from_db()
        self.assertEqual(referral.status, Referral.Status.SENT)

    def test_the_receiving_unit_cannot_withdraw_403(self) -> None:
        referral = self.send()
        self.login(self.psychologist)
        self.assertEqual(self.client.post(change("withdraw", referral)).status_code, 403)
        self.login(self.teacher)
        self.assertRedirects(self.client.post(change("withdraw", referral)), detail(referral))
        referral.refresh_from_db()
        self.assertEqual(referral.status, Referral.Status.WITHDRAWN)

    def test_outsiders_and_staff_of_uninvolved_units_get_404(self) -> None:
        referral = self.send()
        other_ppr_staff = make_staff(
            "Ulla",
            "Uhd",
            unit=make_unit("Sundhed", parent=self.children_admin, sector="health"),
            role="health_visitor",
            username="uninvolved",
        )
        for staff in (self.outsider, self.caseworker, self.colleague, other_ppr_staff):
            self.login(staff)
            self.assertEqual(self.client.get(detail(referral)).status_code, 404)
            for name in ("received", "accept", "withdraw"):
                self.assertEqual(self.client.post(change(name, referral)).status_code, 404)
            response = self.client.post(change("reject", referral), {"reason": "x"})
            self.assertEqual(response.status_code, 404)
        self.login(self.guardian)
        self.assertEqual(self.client.get(detail(referral)).status_code, 404)
        referral.refresh_from_db()
        self.assertEqual(referral.status, Referral.Status.SENT)

    def test_wrong_methods_are_405(self) -> None:
        referral = self.send()
        self.login(self.psychologist)
        self.assertEqual(self.client.post(detail(referral)).status_code, 405)
        for name in ("received", "accept", "reject", "withdraw"):
            self.assertEqual(self.client.get(change(name, referral)).status_code, 405)

    def test_it_shows_the_waiting_time(self) -> None:
        referral = self.backdate(self.send(), days=16)
        self.login(self.teacher)
        response = self.client.get(detail(referral))
        self.assertContains(response, 'class="badge overdue"')
        self.assertContains(response, "16")


class PlanReferralsTagTests(ReferralTestCase):
    def render(self, plan: object, user: object) -> str:
        request = RequestFactory().get("/")
        request.user = user  # type: ignore[assignment]
        return Template("{% load plan_referrals %}{% plan_referrals plan %}").render(
            Context({"plan": plan, "request": request})
        )

    def test_it_lists_the_plans_referrals_with_status_and_waiting_time(self) -> None:
        plan = make_plan(
            self.alma, coordinator=self.caseworker, participants=[(self.teacher, self.school)]
        )
        referral = self.backdate(self.send(plan=plan), days=3)
        html = self.render(plan, self.teacher.user)
        self.assertIn("PPR Rudersdal", html)
        self.assertIn('data-status="sent"', html)
        self.assertIn(detail(referral), html)
        self.assertIn(f"{CREATE}?citizen={self.alma.pk}", html)
        # The coordinator sees the row, but the referral itself is the two units' business.
        html = self.render(plan, self.caseworker.user)
        self.assertIn("PPR Rudersdal", html)
        self.assertNotIn(detail(referral), html)
        self.assertNotIn("læser langsomt", html)
