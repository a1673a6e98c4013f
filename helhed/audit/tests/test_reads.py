"""Every read of a citizen's personal data is in the audit log: pages, lists, API, family.

Detail pages log through the policy getters (one entry per citizen of the
object, with the access basis); lists log the citizens named on the page
shown, not the whole result, in one batch; searches are logged as searches;
the family's own pages are logged with the family login as the actor. A
request that gets 404 writes nothing about the citizen it probed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.audit import codes, trail
from helhed.audit.context import acting_as
from helhed.audit.models import AuditEntry
from helhed.citizens import views as citizen_views
from helhed.citizens.models import Citizen, FamilyLink
from helhed.lib.validity import today
from helhed.organisation.models import Sector, Staff, Unit
from helhed.plans.actions.concerns import do_log_concern
from helhed.plans.actions.meetings import do_add_action, do_schedule_meeting
from helhed.plans.actions.referrals import do_send_referral
from helhed.plans.actions.stories import do_write_story
from helhed.plans.models import (
    Action,
    Concern,
    Effort,
    LegalBasis,
    Meeting,
    Plan,
    Referral,
    Story,
)
from helhed.test import engage, make_citizen, make_family_login, make_plan, make_staff, make_unit

READS = [codes.VIEW, codes.LIST, codes.SEARCH, codes.EXPORT]


def child(n: int, first_name: str = "Barn") -> Citizen:
    """A child with a birth date of their own (a synthetic CPR number is drawn from it)."""
    born = dt.date(2010, 1, 1) + dt.timedelta(days=41 * n + 3)
    return make_citizen(f"{first_name}{n:02d}", "Aagaard", birth_date=born)


# (action, citizen, actor's user id, object type, list name)
Row = tuple[str, int | None, int | None, str, str]


class ReadsTestCase(ApiTestCase):
    plan: Plan
    meeting: Meeting
    action: Action
    concern: Concern
    referral: Referral
    story: Story
    ppr: Unit
    psychologist: Staff

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.ppr = make_unit("PPR", parent=cls.children_admin, sector="ppr")
        cls.psychologist = make_staff("Pia", unit=cls.ppr, role="psychologist", username="pia")
        cls.plan = make_plan(cls.alma, coordinator=cls.caseworker, title="Almas plan")
        cls.meeting = do_schedule_meeting(
            actor=cls.caseworker,
            plan=cls.plan,
            starts_at=timezone.now() + dt.timedelta(days=3),
            place="Rådhuset",
            agenda="Skolen",
            staff_participants=[(cls.caseworker, "")],
            family_participants=[(cls.alma, "Barnet"), (cls.mother, "Mor")],
        )
        cls.action = do_add_action(
            actor=cls.caseworker,
            plan=cls.plan,
            description="Ring til skolen",
            owner=cls.caseworker,
            due_on=today() + dt.timedelta(days=3),
        )
        cls.concern = do_log_concern(
            actor=cls.caseworker,
            citizen=cls.alma,
            unit=cls.family_dept,
            observation="Alma virker trist",
            category=Concern.Category.WELLBEING,
            severity=Concern.Severity.MEDIUM,
            parents_informed=True,
            follow_up_owner=cls.caseworker,
            follow_up_on=today() + dt.timedelta(days=7),
        )
        cls.referral = do_send_referral(
            actor=cls.caseworker,
            citizen=cls.alma,
            from_unit=cls.family_dept,
            to_unit=cls.ppr,
            question="Vurdering af trivsel",
            legal_basis=LegalBasis.BARNETS_LOV,
        )
        cls.story = do_write_story(
            actor=cls.caseworker, plan=cls.plan, title="En god uge", text="Alma smilede"
        )

    # ----------------------------------------------------------------- helpers

    def user_of(self, who: Staff | User) -> User:
        user = who.user if isinstance(who, Staff) else who
        assert user is not None
        return user

    def reads(self, call: Callable[[], Any]) -> tuple[Any, list[Row]]:
        """Run ``call`` and return its result and the read entries it wrote, in order."""
        start = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        result = call()
        rows = [
            (e.action, e.citizen_id, e.actor_id, e.object_type, e.detail.get("list", ""))
            for e in AuditEntry.objects.filter(seq__gt=start, action__in=READS).order_by("seq")
        ]
        return result, rows

    def get(self, who: Staff | User, url: str, status: int = 200, **params: Any) -> list[Row]:
        self.login(who)
        response, rows = self.reads(lambda: self.client.get(url, params))
        self.assertEqual(response.status_code, status, url)
        return rows

    def get_api(self, who: Staff, url: str, status: int = 200) -> list[Row]:
        response, rows = self.reads(lambda: self.api("get", url, as_=who))
        self.assertEqual(response.status_code, status, url)
        return rows

    def assert_viewed(
        self, rows: list[Row], who: Staff | User, obj: Any, citizens: list[Citizen]
    ) -> None:
        """One VIEW entry for each citizen of ``obj``, by ``who``, naming the object's type."""
        viewed = sorted(
            (r[1], r[2]) for r in rows if r[0] == codes.VIEW and r[3] == obj._meta.label_lower
        )
        user = self.user_of(who)
        self.assertEqual(viewed, sorted((c.pk, user.pk) for c in citizens), rows)

    def assert_listed(
        self,
        rows: list[Row],
        who: Staff | User,
        what: str,
        citizens: list[Citizen] | list[int],
        action: str = codes.LIST,
    ) -> None:
        """The list ``what`` named exactly these citizens, once each, with no object."""
        listed = sorted((r[1], r[2], r[3]) for r in rows if r[0] == action and r[4] == what)
        user = self.user_of(who)
        ids = [c if isinstance(c, int) else c.pk for c in citizens]
        self.assertEqual(listed, sorted((c, user.pk, "") for c in ids), rows)

    def assert_nothing_about(self, rows: list[Row], *citizens: Citizen) -> None:
        ids = {c.pk for c in citizens}
        self.assertEqual([r for r in rows if r[1] in ids], [])


# --------------------------------------------------------------------------- citizens


class CitizenReadTests(ReadsTestCase):
    def test_the_citizen_page_logs_the_citizen_and_the_family_it_names(self) -> None:
        rows = self.get(self.caseworker, reverse("citizens:detail", args=[self.alma.pk]))
        self.assert_viewed(rows, self.caseworker, self.alma, [self.alma])
        self.assert_listed(rows, self.caseworker, "citizens:detail", [self.mother, self.bror])

    def test_the_viewed_entry_carries_the_access_basis(self) -> None:
        self.get(self.caseworker, reverse("citizens:detail", args=[self.alma.pk]))
        entry = AuditEntry.objects.filter(action=codes.VIEW, citizen_id=self.alma.pk).first()
        assert entry is not None
        self.assertEqual(entry.object_type, "citizens.citizen")
        self.assertEqual(entry.actor_staff_id, self.caseworker.pk)
        self.assertNotEqual(entry.purpose, "")
        self.assertTrue(entry.source.startswith("web "))

    def test_an_outsider_probing_the_citizen_page_writes_nothing_about_her(self) -> None:
        rows = self.get(self.outsider, reverse("citizens:detail", args=[self.alma.pk]), 404)
        self.assertEqual(rows, [])

    def test_the_citizen_list_logs_the_citizens_shown(self) -> None:
        rows = self.get(self.caseworker, reverse("citizens:list"))
        self.assert_listed(rows, self.caseworker, "citizens:list", [self.alma])

    def test_a_search_is_logged_as_a_search(self) -> None:
        rows = self.get(self.caseworker, reverse("citizens:list"), q="Alma")
        self.assert_listed(rows, self.caseworker, "citizens:list", [self.alma], codes.SEARCH)
        self.assertEqual([r for r in rows if r[0] == codes.LIST], [])

    def test_a_search_that_finds_no_one_writes_nothing(self) -> None:
        rows = self.get(self.caseworker, reverse("citizens:list"), q="Nobody")
        self.assertEqual(rows, [])

    def test_the_list_logs_only_the_citizens_on_the_page_shown(self) -> None:
        for n in range(citizen_views.CITIZENS_PER_PAGE + 5):
            engage(child(n), staff=self.caseworker)
        self.login(self.caseworker)
        response, rows = self.reads(lambda: self.client.get(reverse("citizens:list"), {"page": 2}))
        shown = [c.pk for c in response.context["page"]]
        self.assertEqual(len(shown), 6)  # 31 citizens, 25 a page
        self.assert_listed(rows, self.caseworker, "citizens:list", shown)

    def test_the_same_list_twice_in_one_request_is_logged_once(self) -> None:
        user = self.user_of(self.caseworker)
        request = RequestFactory().get(reverse("citizens:list"))
        request.user = user

        def twice() -> None:
            with acting_as(user, source="web test"):
                citizen_views.citizen_list(request)
                citizen_views.citizen_list(request)

        _result, rows = self.reads(twice)
        self.assert_listed(rows, self.caseworker, "citizens:list", [self.alma])

    def test_the_same_citizen_twice_in_one_request_is_logged_once(self) -> None:
        user = self.user_of(self.caseworker)
        request = RequestFactory().get(reverse("citizens:detail", args=[self.alma.pk]))
        request.user = user

        def twice() -> None:
            with acting_as(user, source="web test"):
                citizen_views.detail(request, self.alma.pk)
                citizen_views.detail(request, self.alma.pk)

        _result, rows = self.reads(twice)
        self.assert_viewed(rows, self.caseworker, self.alma, [self.alma])
        self.assert_listed(rows, self.caseworker, "citizens:detail", [self.mother, self.bror])

    def test_a_list_page_writes_one_batch_of_entries_whatever_its_length(self) -> None:
        def inserts(url: str) -> int:
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(url).status_code, 200)
            return sum(1 for q in queries if q["sql"].startswith('INSERT INTO "audit_auditentry"'))

        self.login(self.caseworker)
        for n in range(3):
            engage(child(n), staff=self.caseworker)
        self.assertEqual(inserts(reverse("citizens:list")), 1)
        for n in range(3, 24):
            engage(child(n), staff=self.caseworker)
        self.assertEqual(inserts(reverse("citizens:list")), 1)

    def test_the_api_citizen_list_search_and_detail_are_logged(self) -> None:
        rows = self.get_api(self.caseworker, "/api/citizens")
        self.assert_listed(rows, self.caseworker, "api:citizens", [self.alma])
        rows = self.get_api(self.caseworker, "/api/citizens?q=Alma")
        self.assert_listed(rows, self.caseworker, "api:citizens", [self.alma], codes.SEARCH)
        rows = self.get_api(self.caseworker, f"/api/citizens/{self.alma.pk}")
        self.assert_viewed(rows, self.caseworker, self.alma, [self.alma])
        self.assertTrue(
            AuditEntry.objects.filter(citizen_id=self.alma.pk, source__startswith="api ").exists()
        )

    def test_the_api_list_logs_only_the_page_served(self) -> None:
        for n in range(4):
            engage(child(n), staff=self.caseworker)
        rows = self.get_api(self.caseworker, "/api/citizens?page=2&page_size=2")
        served = self.api("get", "/api/citizens?page=2&page_size=2", as_=self.caseworker).json()
        self.assert_listed(
            rows, self.caseworker, "api:citizens", [c["id"] for c in served["items"]]
        )
        self.assertEqual(len(served["items"]), 2)

    def test_an_outsider_probing_the_api_writes_nothing_about_her(self) -> None:
        rows = self.get_api(self.outsider, f"/api/citizens/{self.alma.pk}", 404)
        self.assertEqual(rows, [])
        rows = self.get_api(self.outsider, f"/api/citizens/{self.alma.pk}/engagements", 404)
        self.assertEqual(rows, [])
        rows = self.get_api(self.outsider, "/api/citizens?q=Alma")
        self.assertEqual(rows, [])

    def test_the_admin_list_and_change_page_are_logged(self) -> None:
        user = self.user_of(self.caseworker)
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
        rows = self.get(self.caseworker, reverse("admin:citizens_citizen_changelist"))
        self.assert_listed(rows, self.caseworker, "admin:citizens", [self.alma])
        rows = self.get(
            self.caseworker, reverse("admin:citizens_citizen_change", args=[self.alma.pk])
        )
        self.assert_viewed(rows, self.caseworker, self.alma, [self.alma])


# --------------------------------------------------------------------------- plans


class PlanReadTests(ReadsTestCase):
    def test_the_plan_page_logs_its_citizens(self) -> None:
        rows = self.get(self.caseworker, reverse("plans:detail", args=[self.plan.pk]))
        self.assert_viewed(rows, self.caseworker, self.plan, [self.alma])

    def test_the_plan_history_and_an_old_version_are_logged(self) -> None:
        rows = self.get(self.caseworker, reverse("plans:history", args=[self.plan.pk]))
        self.assert_viewed(rows, self.caseworker, self.plan, [self.alma])
        rows = self.get(self.caseworker, reverse("plans:version", args=[self.plan.pk, 1]))
        self.assert_viewed(rows, self.caseworker, self.plan, [self.alma])

    def test_an_outsider_probing_the_plan_writes_nothing(self) -> None:
        rows = self.get(self.outsider, reverse("plans:detail", args=[self.plan.pk]), 404)
        self.assertEqual(rows, [])
        rows = self.get_api(self.outsider, f"/api/plans/{self.plan.pk}", 404)
        self.assertEqual(rows, [])

    def test_the_plan_list_and_its_search_log_the_members_shown(self) -> None:
        rows = self.get(self.caseworker, reverse("plans:list"))
        self.assert_listed(rows, self.caseworker, "plans:list", [self.alma])
        rows = self.get(self.caseworker, reverse("plans:list"), q="Alma")
        self.assert_listed(rows, self.caseworker, "plans:list", [self.alma], codes.SEARCH)

    def test_the_plan_list_logs_only_the_page_shown(self) -> None:
        from helhed.plans.views.plans import PLANS_PER_PAGE

        for n in range(PLANS_PER_PAGE + 2):
            kid = child(n)
            engage(kid, staff=self.caseworker)
            make_plan(kid, coordinator=self.caseworker, title=f"Plan {n:02d}")
        self.login(self.caseworker)
        response, rows = self.reads(lambda: self.client.get(reverse("plans:list"), {"page": 2}))
        shown = [m.citizen_id for p in response.context["page"] for m in p.members.all()]
        self.assertEqual(len(shown), 3)
        self.assert_listed(rows, self.caseworker, "plans:list", shown)

    def test_the_api_plan_list_search_and_detail_are_logged(self) -> None:
        rows = self.get_api(self.caseworker, "/api/plans")
        self.assert_listed(rows, self.caseworker, "api:plans", [self.alma])
        rows = self.get_api(self.caseworker, "/api/plans?q=Alma")
        self.assert_listed(rows, self.caseworker, "api:plans", [self.alma], codes.SEARCH)
        rows = self.get_api(self.caseworker, f"/api/plans/{self.plan.pk}")
        self.assert_viewed(rows, self.caseworker, self.plan, [self.alma])

    def test_starting_a_plan_logs_the_guardians_it_offers(self) -> None:
        engage(self.mother, staff=self.caseworker)
        rows = self.get(self.caseworker, reverse("plans:create"), citizen=self.bror.pk, status=404)
        self.assertEqual(rows, [])
        ida = child(1, "Ida")
        engage(ida, staff=self.caseworker)
        FamilyLink.objects.create(
            from_citizen=self.mother, to_citizen=ida, kind=FamilyLink.Kind.GUARDIAN
        )
        rows = self.get(self.caseworker, reverse("plans:create"), citizen=ida.pk)
        self.assert_viewed(rows, self.caseworker, ida, [ida])
        self.assert_listed(rows, self.caseworker, "plans:create", [self.mother])


class WorklistReadTests(ReadsTestCase):
    def test_the_worklist_logs_the_citizens_on_it(self) -> None:
        rows = self.get(self.caseworker, reverse("plans:worklist"), show="all")
        self.assert_listed(rows, self.caseworker, "plans:worklist", [self.alma])

    def test_efforts_to_review_log_their_plans_citizens_on_the_full_page_only(self) -> None:
        Effort.objects.create(
            plan=self.plan,
            title="Støtte i hverdagen",
            sector=Sector.objects.get(code="social"),
            responsible_unit=self.family_dept,
            legal_basis=LegalBasis.BARNETS_LOV,
            starts_on=today() - dt.timedelta(days=400),
        )
        other = child(3)
        engage(other, staff=self.caseworker)
        make_plan(other, coordinator=self.caseworker, title="Ingen indsats")
        rows = self.get(self.caseworker, reverse("plans:worklist"))
        # Alma has a plan (so she is not on the list of the uncoordinated),
        # but her plan's effort is listed for review; the other plan has none.
        self.assert_listed(rows, self.caseworker, "plans:worklist", [self.alma])
        self.login(self.caseworker)
        response, rows = self.reads(
            lambda: self.client.get(reverse("plans:worklist"), headers={"HX-Request": "true"})
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(rows, [])
        rows = self.get_api(self.caseworker, "/api/worklist/efforts")
        self.assert_listed(rows, self.caseworker, "api:worklist_efforts", [self.alma])

    def test_a_leader_sees_numbers_and_nothing_is_logged(self) -> None:
        rows = self.get(self.leader, reverse("plans:worklist"))
        self.assertEqual(rows, [])

    def test_the_api_worklist_is_logged(self) -> None:
        rows = self.get_api(self.caseworker, "/api/worklist")
        self.assert_listed(rows, self.caseworker, "api:worklist", [self.alma])


class MeetingReadTests(ReadsTestCase):
    def test_the_meeting_page_logs_the_plan_citizens_and_the_family_at_the_table(self) -> None:
        rows = self.get(self.caseworker, reverse("plans:meeting_detail", args=[self.meeting.pk]))
        self.assert_viewed(rows, self.caseworker, self.meeting, [self.alma])
        self.assert_listed(rows, self.caseworker, "plans:meeting_detail", [self.alma, self.mother])

    def test_the_printable_summary_is_logged_for_staff_and_family(self) -> None:
        url = reverse("plans:meeting_summary", args=[self.meeting.pk])
        rows = self.get(self.caseworker, url)
        self.assert_viewed(rows, self.caseworker, self.meeting, [self.alma])
        rows = self.get(self.guardian, url)
        self.assert_viewed(rows, self.guardian, self.meeting, [self.alma])
        self.assert_listed(rows, self.guardian, "plans:meeting_summary", [self.alma, self.mother])

    def test_an_outsider_probing_the_meeting_writes_nothing(self) -> None:
        rows = self.get(self.outsider, reverse("plans:meeting_detail", args=[self.meeting.pk]), 404)
        self.assertEqual(rows, [])
        rows = self.get_api(self.outsider, f"/api/meetings/{self.meeting.pk}", 404)
        self.assertEqual(rows, [])

    def test_the_api_meeting_and_the_plans_meetings_are_logged(self) -> None:
        rows = self.get_api(self.caseworker, f"/api/meetings/{self.meeting.pk}")
        self.assert_viewed(rows, self.caseworker, self.meeting, [self.alma])
        self.assert_listed(rows, self.caseworker, "api:meeting", [self.alma, self.mother])
        rows = self.get_api(self.caseworker, f"/api/plans/{self.plan.pk}/meetings")
        self.assert_viewed(rows, self.caseworker, self.plan, [self.alma])
        self.assert_listed(rows, self.caseworker, "api:plan_meetings", [self.alma, self.mother])

    def test_scheduling_a_meeting_logs_the_family_it_offers(self) -> None:
        rows = self.get(self.caseworker, reverse("plans:meeting_create", args=[self.plan.pk]))
        self.assert_viewed(rows, self.caseworker, self.plan, [self.alma])
        self.assert_listed(rows, self.caseworker, "plans:meeting_create", [self.alma, self.mother])

    def test_my_actions_log_the_families_they_are_about(self) -> None:
        rows = self.get(self.caseworker, reverse("plans:actions"))
        self.assert_listed(rows, self.caseworker, "plans:actions", [self.alma])
        rows = self.get_api(self.caseworker, "/api/actions/mine")
        self.assert_listed(rows, self.caseworker, "api:my_actions", [self.alma])


# --------------------------------------------------------------------------- concerns, referrals


class ConcernReadTests(ReadsTestCase):
    def test_the_concern_list_and_page_are_logged(self) -> None:
        rows = self.get(self.caseworker, reverse("plans:concerns"))
        self.assert_listed(rows, self.caseworker, "plans:concerns", [self.alma])
        rows = self.get(self.caseworker, reverse("plans:concern_detail", args=[self.concern.pk]))
        self.assert_viewed(rows, self.caseworker, self.concern, [self.alma])

    def test_an_outsider_probing_the_concern_writes_nothing(self) -> None:
        url = reverse("plans:concern_detail", args=[self.concern.pk])
        self.assertEqual(self.get(self.colleague, url, 404), [])
        self.assertEqual(self.get_api(self.outsider, f"/api/concerns/{self.concern.pk}", 404), [])

    def test_the_api_concerns_are_logged(self) -> None:
        rows = self.get_api(self.caseworker, "/api/concerns")
        self.assert_listed(rows, self.caseworker, "api:concerns", [self.alma])
        rows = self.get_api(self.caseworker, f"/api/concerns/{self.concern.pk}")
        self.assert_viewed(rows, self.caseworker, self.concern, [self.alma])


class ReferralReadTests(ReadsTestCase):
    def test_the_referral_lists_and_page_are_logged(self) -> None:
        rows = self.get(self.caseworker, reverse("plans:referrals"), box="sent")
        self.assert_listed(rows, self.caseworker, "plans:referrals", [self.alma])
        rows = self.get(self.psychologist, reverse("plans:referrals"))
        self.assert_listed(rows, self.psychologist, "plans:referrals", [self.alma])
        url = reverse("plans:referral_detail", args=[self.referral.pk])
        rows = self.get(self.psychologist, url)
        self.assert_viewed(rows, self.psychologist, self.referral, [self.alma])

    def test_a_leader_who_reads_no_names_in_the_list_is_not_logged_for_it(self) -> None:
        # A leader of the sending unit sees the row as a number, without the child.
        dept_leader = make_staff("Lone", unit=self.family_dept, role="leader", username="lone")
        self.login(dept_leader)
        response, rows = self.reads(
            lambda: self.client.get(reverse("plans:referrals"), {"box": "sent"})
        )
        self.assertEqual(response.context["page"].paginator.count, 1)
        self.assertNotContains(response, "Alma")
        self.assertEqual(rows, [])

    def test_an_outsider_probing_the_referral_writes_nothing(self) -> None:
        url = reverse("plans:referral_detail", args=[self.referral.pk])
        self.assertEqual(self.get(self.outsider, url, 404), [])
        self.assertEqual(self.get_api(self.outsider, f"/api/referrals/{self.referral.pk}", 404), [])

    def test_the_api_referrals_are_logged(self) -> None:
        rows = self.get_api(self.caseworker, "/api/referrals?box=outgoing")
        self.assert_listed(rows, self.caseworker, "api:referrals", [self.alma])
        rows = self.get_api(self.psychologist, f"/api/referrals/{self.referral.pk}")
        self.assert_viewed(rows, self.psychologist, self.referral, [self.alma])

    def test_an_answer_reading_the_referral_twice_logs_it_once(self) -> None:
        response, rows = self.reads(
            lambda: self.api(
                "post", f"/api/referrals/{self.referral.pk}/received", as_=self.psychologist
            )
        )
        self.assertEqual(response.status_code, 200)
        self.assert_viewed(rows, self.psychologist, self.referral, [self.alma])


# --------------------------------------------------------------------------- stories, feedback


class StoryReadTests(ReadsTestCase):
    def test_the_story_page_and_api_are_logged(self) -> None:
        rows = self.get(self.caseworker, reverse("plans:story_detail", args=[self.story.pk]))
        self.assert_viewed(rows, self.caseworker, self.story, [self.alma])
        rows = self.get_api(self.caseworker, f"/api/stories/{self.story.pk}")
        self.assert_viewed(rows, self.caseworker, self.story, [self.alma])

    def test_an_outsider_probing_the_story_writes_nothing(self) -> None:
        url = reverse("plans:story_detail", args=[self.story.pk])
        self.assertEqual(self.get(self.outsider, url, 404), [])
        self.assertEqual(self.get_api(self.outsider, f"/api/stories/{self.story.pk}", 404), [])

    def test_the_plans_progress_is_logged(self) -> None:
        rows = self.get(self.caseworker, reverse("feedback:progress", args=[self.plan.pk]))
        self.assert_viewed(rows, self.caseworker, self.plan, [self.alma])
        rows = self.get_api(self.caseworker, f"/api/feedback/plans/{self.plan.pk}/progress")
        self.assert_viewed(rows, self.caseworker, self.plan, [self.alma])


# --------------------------------------------------------------------------- the family


class FamilyReadTests(ReadsTestCase):
    def test_the_family_home_logs_the_plans_citizens_with_the_family_login_as_actor(self) -> None:
        rows = self.get(self.guardian, reverse("plans:family_home"))
        self.assert_listed(rows, self.guardian, "plans:family_home", [self.alma])

    def test_the_family_plan_page_is_logged_with_the_guardians_basis(self) -> None:
        rows = self.get(self.guardian, reverse("plans:family_plan", args=[self.plan.pk]))
        self.assert_viewed(rows, self.guardian, self.plan, [self.alma])
        entry = AuditEntry.objects.filter(
            action=codes.VIEW, actor_id=self.guardian.pk, object_type="plans.plan"
        ).first()
        assert entry is not None
        self.assertIsNone(entry.actor_staff_id)
        self.assertNotEqual(entry.purpose, "")

    def test_another_family_probing_the_plan_writes_nothing(self) -> None:
        stranger = make_family_login(child(7, "Ole"), "stranger")
        rows = self.get(stranger, reverse("plans:family_plan", args=[self.plan.pk]), 404)
        self.assertEqual(rows, [])
        rows = self.get(self.caseworker, reverse("plans:family_plan", args=[self.plan.pk]), 404)
        self.assertEqual(rows, [])

    def test_the_familys_rating_page_is_logged(self) -> None:
        rows = self.get(self.guardian, reverse("feedback:progress", args=[self.plan.pk]))
        self.assert_viewed(rows, self.guardian, self.plan, [self.alma])


class ListHelperTests(ReadsTestCase):
    def test_a_list_is_logged_once_per_request_and_list(self) -> None:
        def twice() -> None:
            with acting_as(self.user_of(self.caseworker), source="test"):
                trail.log_list(None, [self.alma.pk, self.alma.pk, None], what="x")
                trail.log_list(None, [self.alma.pk], what="x")
                trail.log_list(None, [self.alma.pk], what="x", action=codes.SEARCH)
                trail.log_list(None, [self.alma.pk], what="y")

        _result, rows = self.reads(twice)
        self.assertEqual(
            [(r[0], r[1], r[4]) for r in rows],
            [
                (codes.LIST, self.alma.pk, "x"),
                (codes.SEARCH, self.alma.pk, "x"),
                (codes.LIST, self.alma.pk, "y"),
            ],
        )

    def test_an_empty_list_writes_no_query(self) -> None:
        with CaptureQueriesContext(connection) as queries:
            trail.log_list(None, [], what="x")
        self.assertEqual(len(queries), 0)
