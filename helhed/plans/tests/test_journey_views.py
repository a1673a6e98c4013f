"""The citizen's journey pages: only what the viewer may see, filters, print, audit, links."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from helhed.audit import codes
from helhed.audit.models import AuditEntry
from helhed.lib.validity import today
from helhed.plans.models import (
    Concern,
    Contact,
    Effort,
    Handover,
    LegalBasis,
    Meeting,
    Notification,
    Plan,
    Referral,
)
from helhed.test import BaseTestCase, make_plan

ALL_STAFF_KINDS = {
    "concern",
    "notification",
    "referral",
    "plan_started",
    "effort_started",
    "effort_ended",
    "meeting",
    "handover_sent",
    "handover_accepted",
    "contact",
}


def days(n: int) -> dt.date:
    return today() - dt.timedelta(days=n)


class JourneyCase(BaseTestCase):
    """Alma's course: a concern the teacher keeps to herself, a notification, a referral,
    a plan coordinated by the caseworker with an effort and a held meeting, an accepted
    handover and a logged contact."""

    plan: Plan
    concern: Concern
    notification: Notification
    referral: Referral
    effort: Effort
    meeting: Meeting
    handover: Handover
    contact: Contact

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.concern = Concern.objects.create(
            citizen=cls.alma,
            unit=cls.school,
            raised_by=cls.teacher,
            follow_up_owner=cls.teacher,
            observed_on=days(90),
            observation="Falls asleep in class",
            category=Concern.Category.WELLBEING,
            severity=Concern.Severity.MEDIUM,
            follow_up_on=today() + dt.timedelta(days=10),
        )
        cls.notification = Notification.objects.create(
            citizen=cls.alma,
            concern=cls.concern,
            reported_by=cls.teacher,
            from_unit=cls.school,
            to_unit=cls.family_dept,
            reported_on=days(80),
            reason="Repeated tiredness",
        )
        cls.referral = Referral.objects.create(
            citizen=cls.alma,
            from_unit=cls.school,
            to_unit=cls.family_dept,
            sent_by=cls.teacher,
            question="Can you help with mornings?",
            legal_basis=LegalBasis.BARNETS_LOV,
            sent_at=timezone.now() - dt.timedelta(days=70),
        )
        cls.plan = make_plan(cls.alma, coordinator=cls.caseworker)
        Plan.objects.filter(pk=cls.plan.pk).update(started_on=days(60))
        assert cls.school.sector is not None
        cls.effort = Effort.objects.create(
            plan=cls.plan,
            title="Homework club",
            sector=cls.school.sector,
            responsible_unit=cls.school,
            legal_basis=LegalBasis.FOLKESKOLELOVEN,
            starts_on=days(50),
            ends_on=days(10),
        )
        cls.meeting = Meeting.objects.create(
            plan=cls.plan,
            starts_at=timezone.now() - dt.timedelta(days=30),
            status=Meeting.Status.HELD,
            minutes="Internal minutes about the father",
            family_summary="We agreed that Alma goes to bed at nine",
            created_by=cls.caseworker,
        )
        cls.handover = Handover.objects.create(
            citizen=cls.alma,
            plan=cls.plan,
            kind=Handover.Kind.SCHOOL_TO_YOUTH,
            from_unit=cls.school,
            to_unit=cls.family_dept,
            deadline=days(5),
            created_by=cls.teacher,
            created_on=days(20),
            status=Handover.Status.ACCEPTED,
            decided_by=cls.caseworker,
            decided_on=days(15),
        )
        cls.contact = Contact.objects.create(
            citizen=cls.alma,
            staff=cls.teacher,
            unit=cls.school,
            contacted_on=days(5),
            channel=Contact.Channel.PHONE,
            purpose="Called mother about mornings",
        )

    def staff_url(self, citizen_id: int | None = None) -> str:
        return reverse("plans:journey", args=[citizen_id or self.alma.pk])

    def family_url(self, citizen_id: int | None = None) -> str:
        return reverse("plans:family_journey", args=[citizen_id or self.alma.pk])

    def kinds(self, response: Any) -> set[str]:
        return {e.kind for e in response.context["events"]}

    def keys(self, response: Any) -> list[str]:
        return [e.key for e in response.context["events"]]


class StaffJourneyTests(JourneyCase):
    def test_it_shows_every_event_the_viewer_may_see_with_a_link(self) -> None:
        self.login(self.teacher)
        response = self.client.get(self.staff_url())
        assert response.status_code == 200
        assert self.kinds(response) == ALL_STAFF_KINDS
        self.assertContains(response, reverse("plans:concern_detail", args=[self.concern.pk]))
        self.assertContains(response, reverse("plans:handover_detail", args=[self.handover.pk]))
        self.assertContains(response, reverse("plans:meeting_detail", args=[self.meeting.pk]))
        self.assertContains(response, "Homework club")
        self.assertContains(response, "Called mother about mornings")

    def test_a_concern_hidden_from_a_colleague_is_not_on_their_journey(self) -> None:
        self.login(self.caseworker)  # sees Alma, but not the teacher's concern
        response = self.client.get(self.staff_url())
        assert response.status_code == 200
        kinds = self.kinds(response)
        assert "concern" not in kinds
        assert "notification" not in kinds
        assert {"referral", "plan_started", "meeting", "handover_sent", "contact"} <= kinds
        self.assertNotContains(response, "Well-being")
        self.assertNotContains(response, reverse("plans:concern_detail", args=[self.concern.pk]))

    def test_staff_who_may_not_see_the_citizen_get_404(self) -> None:
        for user in (self.colleague, self.leader, self.outsider, self.analyst, self.politician):
            with self.subTest(str(user)):
                self.login(user)
                assert self.client.get(self.staff_url()).status_code == 404
        self.login(self.admin)
        assert self.client.get(self.staff_url()).status_code == 404

    def test_a_family_login_gets_404_on_the_staff_journey(self) -> None:
        self.login(self.guardian)
        assert self.client.get(self.staff_url()).status_code == 404

    def test_each_view_is_logged_as_a_read_of_the_citizen(self) -> None:
        self.login(self.caseworker)
        entries = AuditEntry.objects.filter(citizen_id=self.alma.pk, action=codes.VIEW)
        before = entries.count()
        assert self.client.get(self.staff_url()).status_code == 200
        assert entries.count() == before + 1
        latest = entries.order_by("-seq").first()
        assert latest is not None
        assert latest.actor_staff_id == self.caseworker.pk
        assert latest.object_type.endswith("citizen")

    def test_it_links_the_print_stylesheet_and_says_how_to_print(self) -> None:
        self.login(self.teacher)
        response = self.client.get(self.staff_url())
        self.assertContains(response, 'plans/journey-print.css" media="print"')
        self.assertContains(response, 'data-testid="print-hint"')
        self.assertNotContains(response, "<script>")
        css = finders.find("plans/journey-print.css")
        assert css is not None
        with open(css, encoding="utf-8") as handle:
            text = handle.read()
        assert ".topbar" in text
        assert "form" in text

    def test_it_filters_by_sector_and_period(self) -> None:
        self.login(self.teacher)
        social = self.client.get(self.staff_url(), {"sector": "social"})
        # Only events that touch the social sector: between school and the family department.
        assert self.kinds(social) == {
            "notification",
            "referral",
            "handover_sent",
            "handover_accepted",
        }
        period = self.client.get(
            self.staff_url(), {"since": days(55).isoformat(), "until": days(12).isoformat()}
        )
        assert all(days(55) <= e.on <= days(12) for e in period.context["events"])
        assert "effort_started" in self.kinds(period)
        assert "concern" not in self.kinds(period)
        assert "contact" not in self.kinds(period)

    def test_it_orders_newest_or_oldest_first(self) -> None:
        self.login(self.teacher)
        newest = self.client.get(self.staff_url())
        dates = [e.on for e in newest.context["events"]]
        assert dates == sorted(dates, reverse=True)
        assert self.keys(newest)[0] == f"contact-{self.contact.pk}"
        oldest = self.client.get(self.staff_url(), {"order": "oldest"})
        assert self.keys(oldest)[0] == f"concern-{self.concern.pk}"

    def test_bad_filters_are_shown_and_ignored_not_a_500(self) -> None:
        self.login(self.teacher)
        for params in (
            {"sector": "nope"},
            {"since": "not-a-date"},
            {"order": "sideways"},
            {"since": days(1).isoformat(), "until": days(30).isoformat()},
            {"since": "2024-13-45"},
        ):
            with self.subTest(params):
                response = self.client.get(self.staff_url(), params)
                assert response.status_code == 200
                assert response.context["filters"].errors
                assert response.context["events"]  # the journey is still shown
        # A NUL byte is refused by the middleware before the view: a 400, not a 500.
        assert self.client.get(self.staff_url(), {"since": "2024\x00"}).status_code == 400

    def test_wrong_method(self) -> None:
        self.login(self.teacher)
        assert self.client.post(self.staff_url()).status_code == 405
        assert self.client.delete(self.staff_url()).status_code == 405

    def test_the_citizen_page_links_to_the_journey(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(reverse("citizens:detail", args=[self.alma.pk]))
        self.assertContains(response, f'href="{self.staff_url()}"')


class FamilyJourneyTests(JourneyCase):
    def test_the_family_sees_only_what_the_family_view_shows(self) -> None:
        self.login(self.guardian)
        response = self.client.get(self.family_url())
        assert response.status_code == 200
        assert self.kinds(response) == {
            "plan_started",
            "effort_started",
            "effort_ended",
            "meeting",
            "handover_sent",
            "handover_accepted",
        }
        self.assertContains(response, "We agreed that Alma goes to bed at nine")
        self.assertNotContains(response, "Internal minutes")
        self.assertNotContains(response, "Called mother about mornings")
        self.assertNotContains(response, "Well-being")
        self.assertNotContains(response, "underretning")
        # Links go to the family's own pages, never the professionals'.
        self.assertContains(response, reverse("plans:family_plan", args=[self.plan.pk]))
        self.assertContains(response, reverse("plans:meeting_summary", args=[self.meeting.pk]))
        self.assertNotContains(response, f'href="{reverse("plans:detail", args=[self.plan.pk])}"')

    def test_a_cancelled_meeting_is_not_on_the_family_journey(self) -> None:
        Meeting.objects.filter(pk=self.meeting.pk).update(status=Meeting.Status.CANCELLED)
        self.login(self.guardian)
        assert "meeting" not in self.kinds(self.client.get(self.family_url()))

    def test_a_sibling_not_in_care_and_strangers_are_404(self) -> None:
        self.login(self.guardian)
        assert self.client.get(self.family_url(self.bror.pk)).status_code == 404
        assert self.client.get(self.family_url(10**9)).status_code == 404
        for user in (self.teacher, self.caseworker, self.outsider):
            with self.subTest(str(user)):
                self.login(user)
                assert self.client.get(self.family_url()).status_code == 404

    def test_the_family_may_see_their_own_journey(self) -> None:
        self.login(self.guardian)
        response = self.client.get(self.family_url(self.mother.pk))
        assert response.status_code == 200
        assert response.context["events"] == []

    def test_each_family_view_is_logged_as_a_read_of_the_child(self) -> None:
        self.login(self.guardian)
        entries = AuditEntry.objects.filter(citizen_id=self.alma.pk, action=codes.VIEW)
        before = entries.count()
        assert self.client.get(self.family_url()).status_code == 200
        assert entries.count() == before + 1
        latest = entries.order_by("-seq").first()
        assert latest is not None
        assert latest.actor_id == self.guardian.pk

    def test_the_family_plan_page_links_to_the_childs_journey(self) -> None:
        self.login(self.guardian)
        response = self.client.get(reverse("plans:family_plan", args=[self.plan.pk]))
        self.assertContains(response, f'href="{self.family_url()}"')

    def test_the_family_page_links_the_print_stylesheet(self) -> None:
        self.login(self.guardian)
        response = self.client.get(self.family_url())
        self.assertContains(response, 'plans/journey-print.css" media="print"')

    def test_wrong_method(self) -> None:
        self.login(self.guardian)
        assert self.client.post(self.family_url()).status_code == 405


class ReturnedHandoverTests(JourneyCase):
    def test_a_returned_handover_shows_its_reason_to_staff_only(self) -> None:
        Handover.objects.filter(pk=self.handover.pk).update(
            status=Handover.Status.RETURNED, return_reason="The checklist was empty"
        )
        self.login(self.teacher)
        response = self.client.get(self.staff_url())
        assert "handover_returned" in self.kinds(response)
        assert "handover_accepted" not in self.kinds(response)
        self.assertContains(response, "The checklist was empty")
        self.login(self.guardian)
        response = self.client.get(self.family_url())
        assert "handover_returned" in self.kinds(response)
        self.assertNotContains(response, "The checklist was empty")
