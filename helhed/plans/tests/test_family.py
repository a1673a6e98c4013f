"""The family view: a guardian reads their child's plan in plain language, and nothing else."""

from __future__ import annotations

import datetime as dt

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from helhed.citizens.models import FamilyLink
from helhed.lib.validity import today
from helhed.plans.models import Action, Goal, Meeting, Participant, Plan
from helhed.test import (
    BaseTestCase,
    make_citizen,
    make_family_login,
    make_plan,
    make_staff,
    make_unit,
)

HOME = reverse("plans:family_home")


def plan_url(plan: Plan) -> str:
    return reverse("plans:family_plan", args=[plan.pk])


class FamilyData(BaseTestCase):
    plan: Plan
    goal: Goal

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.plan = make_plan(
            cls.alma,
            coordinator=cls.caseworker,
            title="Alma trives i skolen",
            participants=[(cls.caseworker, cls.family_dept), (cls.teacher, cls.school)],
        )
        cls.goal = Goal.objects.create(
            plan=cls.plan,
            text="Jeg vil have en ven i klassen",
            formulated_by=Goal.FormulatedBy.CHILD,
            formulated_by_name="Alma",
            target_date=dt.date(2031, 6, 20),
            status=Goal.Status.PROGRESSING,
        )
        now = timezone.now()
        Meeting.objects.create(
            plan=cls.plan,
            starts_at=now + dt.timedelta(days=10),
            place="Bakkeskolen, lokale 12",
            created_by=cls.caseworker,
        )
        held = Meeting.objects.create(
            plan=cls.plan,
            starts_at=now - dt.timedelta(days=20),
            place="Rådhuset",
            status=Meeting.Status.HELD,
            minutes="INTERN NOTE: mor virkede presset",
            family_summary="Vi talte om skolevejen. Tom hjælper Alma i frikvarteret.",
            created_by=cls.caseworker,
        )
        Action.objects.create(
            plan=cls.plan,
            meeting=held,
            description="Aftale en makker i frikvarteret",
            owner=cls.teacher,
            due_on=today() + dt.timedelta(days=14),
        )
        Action.objects.create(
            plan=cls.plan,
            description="Sende referat",
            owner=cls.caseworker,
            due_on=today() - dt.timedelta(days=3),
            status=Action.Status.DONE,
        )


class FamilyHomeTests(FamilyData):
    def test_the_guardian_sees_her_childs_plan(self) -> None:
        self.login(self.guardian)
        response = self.client.get(HOME)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'class="plain-language"')
        self.assertContains(response, plan_url(self.plan))
        self.assertContains(response, "Alma trives i skolen")
        self.assertContains(response, "Sara Sand")

    def test_a_childs_plan_not_in_her_care_is_not_listed(self) -> None:
        bo_plan = make_plan(self.bror, coordinator=self.colleague, title="Bos plan")
        self.login(self.guardian)
        response = self.client.get(HOME)
        self.assertNotContains(response, "Bos plan")
        self.assertNotContains(response, plan_url(bo_plan))

    def test_a_family_without_a_plan_is_told_so(self) -> None:
        other = make_citizen("Nina", "Holm", birth_date=dt.date(1990, 1, 1))
        self.login(make_family_login(other, "nina"))
        response = self.client.get(HOME)
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "Alma")
        self.assertNotContains(response, 'data-plan="')

    def test_staff_get_404(self) -> None:
        for staff in (self.caseworker, self.leader, self.outsider):
            with self.subTest(staff=staff):
                self.login(staff)
                self.assertEqual(self.client.get(HOME).status_code, 404)
        self.login(self.admin)
        self.assertEqual(self.client.get(HOME).status_code, 404)

    def test_anonymous_users_go_to_login(self) -> None:
        self.assertRedirects(self.client.get(HOME), f"{reverse('login')}?next={HOME}")

    def test_it_rejects_post(self) -> None:
        self.login(self.guardian)
        self.assertEqual(self.client.post(HOME).status_code, 405)


class FamilyPlanTests(FamilyData):
    def get(self) -> str:
        self.login(self.guardian)
        response = self.client.get(plan_url(self.plan))
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_it_shows_our_goals_in_our_words_with_status_and_date(self) -> None:
        page = self.get()
        self.assertIn('class="plain-language"', page)
        self.assertIn("Jeg vil have en ven i klassen", page)
        self.assertIn(f'data-goal="{self.goal.pk}"', page)
        self.assertIn('data-status="progressing"', page)
        self.assertIn("2031", page)

    def test_it_shows_who_helps_us(self) -> None:
        page = self.get()
        self.assertIn("Sara Sand", page)  # coordinator
        self.assertIn("Familieafdelingen", page)  # the coordinator's unit
        self.assertIn("Tom Thy", page)
        self.assertIn("Bakkeskolen", page)

    def test_it_shows_meetings_and_summaries_but_never_the_minutes(self) -> None:
        page = self.get()
        self.assertIn("Bakkeskolen, lokale 12", page)
        self.assertIn("Vi talte om skolevejen", page)
        self.assertNotIn("INTERN NOTE", page)

    def test_it_links_the_printable_summary_when_that_page_exists(self) -> None:
        page = self.get()
        meeting = self.plan.meetings.get(status=Meeting.Status.HELD)
        try:
            url = reverse("plans:meeting_summary", args=[meeting.pk])
        except NoReverseMatch:
            return  # the summary page is not there yet; the text above is
        self.assertIn(url, page)

    def test_it_shows_open_actions_with_owner_and_date_only(self) -> None:
        page = self.get()
        self.assertIn("Aftale en makker i frikvarteret", page)
        self.assertNotIn("Sende referat", page)  # done

    def test_it_offers_the_collaboration_rating_when_that_page_exists(self) -> None:
        page = self.get()
        try:
            url = reverse("feedback:rate", args=[self.plan.pk])
        except NoReverseMatch:
            self.assertNotIn("data-rate", page)
            return
        self.assertIn(f'href="{url}"', page)

    def test_a_plan_of_a_child_not_in_her_care_is_404(self) -> None:
        bo_plan = make_plan(self.bror, coordinator=self.colleague, title="Bos plan")
        self.login(self.guardian)
        self.assertEqual(self.client.get(plan_url(bo_plan)).status_code, 404)

    def test_another_familys_plan_is_404_like_a_missing_one(self) -> None:
        child = make_citizen("Nina", "Holm", birth_date=dt.date(2015, 1, 1))
        parent = make_citizen("Jens", "Holm", birth_date=dt.date(1985, 1, 1), sex="M")
        FamilyLink.objects.create(
            from_citizen=parent, to_citizen=child, kind=FamilyLink.Kind.GUARDIAN
        )
        other_plan = make_plan(child, coordinator=self.colleague, title="Ninas plan")
        self.login(self.guardian)
        self.assertEqual(self.client.get(plan_url(other_plan)).status_code, 404)
        self.assertEqual(self.client.get("/familie/plans/999999/").status_code, 404)
        # ... and that family sees theirs, not ours.
        self.login(make_family_login(parent, "jens"))
        self.assertEqual(self.client.get(plan_url(other_plan)).status_code, 200)
        self.assertEqual(self.client.get(plan_url(self.plan)).status_code, 404)

    def test_a_child_in_care_of_two_guardians_is_seen_by_both(self) -> None:
        father = make_citizen("Jens", "Jensen", birth_date=dt.date(1982, 1, 1), sex="M")
        FamilyLink.objects.create(
            from_citizen=father, to_citizen=self.alma, kind=FamilyLink.Kind.GUARDIAN
        )
        self.login(make_family_login(father, "far"))
        self.assertEqual(self.client.get(plan_url(self.plan)).status_code, 200)

    def test_staff_get_404_even_on_a_plan_they_coordinate(self) -> None:
        self.login(self.caseworker)
        self.assertEqual(self.client.get(plan_url(self.plan)).status_code, 404)

    def test_the_coordinators_unit_is_found_without_a_participant_row(self) -> None:
        Participant.objects.filter(plan=self.plan, staff=self.caseworker).delete()
        self.assertIn("Familieafdelingen", self.get())

    def test_participants_are_grouped_by_sector(self) -> None:
        team = make_unit("Sundhedsplejen", parent=self.children_admin, sector="health")
        nurse = make_staff("Hanne", "Hjort", unit=team, role="health_visitor")
        Participant.objects.create(plan=self.plan, staff=nurse, unit=team)
        self.login(self.guardian)
        response = self.client.get(plan_url(self.plan))
        groups = {g.name: [p.staff for p in g.people] for g in response.context["sectors"]}
        self.assertEqual(len(groups), 2)
        self.assertIn([nurse], groups.values())
        self.assertIn([self.teacher], groups.values())

    def test_it_rejects_post(self) -> None:
        self.login(self.guardian)
        self.assertEqual(self.client.post(plan_url(self.plan)).status_code, 405)


class HomeRedirectTests(FamilyData):
    def test_a_family_login_is_sent_to_the_family_view(self) -> None:
        self.login(self.guardian)
        self.assertRedirects(self.client.get(reverse("home")), HOME)

    def test_staff_stay_on_the_home_page(self) -> None:
        self.login(self.caseworker)
        self.assertEqual(self.client.get(reverse("home")).status_code, 200)
