"""The plan's web pages: the list, starting a plan, the plan, its edits, and who may do what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.urls import reverse

from helhed.citizens.models import Engagement, FamilyLink
from helhed.lib.validity import today
from helhed.plans.actions.plans import do_add_effort, do_add_goal, do_close_plan
from helhed.plans.models import Effort, Goal, Participant, Plan, PlanMember
from helhed.test import BaseTestCase, engage, make_citizen, make_plan, make_staff, make_unit


class PlanPageTestCase(BaseTestCase):
    """A plan for Alma, coordinated by the case worker; the pages in English."""

    def setUp(self) -> None:
        super().setUp()
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        self.plan = make_plan(self.alma, coordinator=self.caseworker, title="Alma trives")

    def url(self, name: str, *args: Any) -> str:
        return reverse(f"plans:{name}", args=[self.plan.pk, *args])

    def goal_data(self, **changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "expected_version": self.plan.version,
            "text": "Jeg vil have en ven i klassen",
            "citizen": self.alma.pk,
            "formulated_by": "child",
            "formulated_by_name": "Alma",
            "target_date": (today() + dt.timedelta(days=60)).isoformat(),
        }
        data.update(changes)
        return data

    def effort_data(self, **changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "expected_version": self.plan.version,
            "title": "Støtte i klassen",
            "description": "",
            "citizen": "",
            "responsible_unit": self.school.pk,
            "sector": "",
            "legal_basis": "folkeskoleloven",
            "legal_reference": "§ 3a",
            "starts_on": today().isoformat(),
            "ends_on": "",
            "monthly_cost": "4500",
        }
        data.update(changes)
        return data


class ListTests(PlanPageTestCase):
    def test_it_lists_the_plans_the_user_may_see(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(reverse("plans:list"))
        self.assertContains(response, "Alma trives")
        self.assertContains(response, "Alma Jensen")
        self.assertContains(response, "1 active plan.")

    def test_it_searches_by_title_and_citizen_name(self) -> None:
        self.login(self.caseworker)
        self.assertContains(self.client.get(reverse("plans:list"), {"q": "jensen"}), "Alma trives")
        self.assertContains(self.client.get(reverse("plans:list"), {"q": "trives"}), "Alma trives")
        response = self.client.get(reverse("plans:list"), {"q": "zebra"})
        self.assertNotContains(response, "Alma trives")
        self.assertContains(response, "No plan matches your search.")

    def test_it_filters_by_the_users_part(self) -> None:
        self.login(self.teacher)
        self.assertContains(self.client.get(reverse("plans:list")), "Alma trives")
        for who in ("coordinate", "part"):
            response = self.client.get(reverse("plans:list"), {"who": who})
            self.assertNotContains(response, "Alma trives", msg_prefix=who)
        Participant.objects.create(plan=self.plan, staff=self.teacher, unit=self.school)
        self.assertContains(self.client.get(reverse("plans:list"), {"who": "part"}), "Alma trives")
        self.login(self.caseworker)
        response = self.client.get(reverse("plans:list"), {"who": "coordinate"})
        self.assertContains(response, "Alma trives")

    def test_it_hides_closed_plans_and_plans_without_a_relation(self) -> None:
        self.login(self.colleague)
        self.assertNotContains(self.client.get(reverse("plans:list")), "Alma trives")
        self.login(self.outsider)
        self.assertNotContains(self.client.get(reverse("plans:list")), "Alma trives")
        do_close_plan(actor=self.caseworker, plan=self.plan, expected_version=1, reason="Done")
        self.login(self.caseworker)
        self.assertNotContains(self.client.get(reverse("plans:list")), "Alma trives")

    def test_it_pages_through_many_plans(self) -> None:
        for i in range(26):
            child = make_citizen(f"Barn{i:02d}", "Holm", birth_date=dt.date(2015, 3, 1 + i))
            engage(child, staff=self.caseworker)
            make_plan(child, coordinator=self.caseworker, title=f"Plan {i:02d}")
        self.login(self.caseworker)
        first = self.client.get(reverse("plans:list"))
        self.assertContains(first, "27 active plans.")
        self.assertContains(first, "Page 1 of 2")
        second = self.client.get(reverse("plans:list"), {"page": 2})
        self.assertContains(second, "Plan 25")
        self.assertNotContains(second, "Plan 00")

    def test_the_list_refuses_post(self) -> None:
        self.login(self.caseworker)
        self.assertEqual(self.client.post(reverse("plans:list")).status_code, 405)

    def test_a_family_login_gets_no_professional_list(self) -> None:
        self.login(self.guardian)
        self.assertEqual(self.client.get(reverse("plans:list")).status_code, 404)


class CreateTests(PlanPageTestCase):
    def setUp(self) -> None:
        super().setUp()
        engage(self.bror, staff=self.caseworker)
        self.create_url = reverse("plans:create") + f"?citizen={self.bror.pk}"

    def data(self, **changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": "citizen",
            "title": "Bo i skole",
            "what_matters": "At Bo kommer i skole",
            "coordinator": self.caseworker.pk,
        }
        data.update(changes)
        return data

    def test_the_form_is_prefilled_for_the_citizen(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(self.create_url)
        self.assertContains(response, "Start a shared plan for Bo Jensen")
        self.assertContains(response, f'<option value="{self.caseworker.pk}" selected>', html=False)
        # Coordinators: front-line staff of the municipality, not leaders or outsiders.
        self.assertContains(response, "Tom Thy")
        self.assertNotContains(response, "Lise Lund")
        self.assertNotContains(response, "Otto Olsen")

    def test_it_offers_only_guardians_the_user_sees_as_adults(self) -> None:
        FamilyLink.objects.create(from_citizen=self.mother, to_citizen=self.bror, kind="guardian")
        self.login(self.caseworker)
        self.assertNotContains(self.client.get(self.create_url), "Mette Jensen")
        engage(self.mother, staff=self.caseworker)
        self.assertContains(self.client.get(self.create_url), "Mette Jensen")

    def test_it_starts_a_plan(self) -> None:
        self.login(self.caseworker)
        response = self.client.post(self.create_url, self.data())
        plan = Plan.objects.get(title="Bo i skole")
        self.assertRedirects(response, reverse("plans:detail", args=[plan.pk]))
        self.assertEqual(plan.lead_citizen, self.bror)
        self.assertEqual(plan.coordinator, self.caseworker)
        self.assertEqual(plan.version, 1)
        self.assertFalse(plan.participants.exists())

    def test_a_family_plan_with_the_guardian(self) -> None:
        FamilyLink.objects.create(from_citizen=self.mother, to_citizen=self.bror, kind="guardian")
        engage(self.mother, staff=self.caseworker)
        self.login(self.caseworker)
        self.client.post(self.create_url, self.data(kind="family", adults=[self.mother.pk]))
        plan = Plan.objects.get(title="Bo i skole")
        self.assertEqual(plan.kind, Plan.Kind.FAMILY)
        roles = dict(plan.members.values_list("citizen__first_name", "role"))
        self.assertEqual(roles, {"Bo": "child", "Mette": "adult"})

    def test_the_creator_takes_part_when_someone_else_coordinates(self) -> None:
        engage(self.bror, unit=self.school, kind=Engagement.Kind.TEACHING)
        self.login(self.teacher)
        self.client.post(self.create_url, self.data())
        plan = Plan.objects.get(title="Bo i skole")
        participant = plan.participants.get()
        self.assertEqual((participant.staff, participant.unit), (self.teacher, self.school))

    def test_a_second_plan_for_a_citizen_is_refused(self) -> None:
        self.login(self.caseworker)
        url = reverse("plans:create") + f"?citizen={self.alma.pk}"
        page = self.client.get(url)
        self.assertContains(page, "Alma Jensen already has an active plan.")
        response = self.client.post(url, self.data(title="Second"))
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Alma Jensen already has an active plan", status_code=400)
        self.assertContains(response, 'value="Second"', status_code=400)
        self.assertEqual(Plan.objects.count(), 1)

    def test_a_citizen_of_another_municipality_is_refused(self) -> None:
        stranger = make_citizen(
            "Sofie", "Holm", birth_date=dt.date(2013, 2, 3), municipality_code=167
        )
        engage(stranger, staff=self.caseworker)
        self.login(self.caseworker)
        url = reverse("plans:create") + f"?citizen={stranger.pk}"
        response = self.client.post(url, self.data())
        self.assertContains(
            response, "Sofie Holm is a citizen of another municipality", status_code=400
        )
        self.assertEqual(Plan.objects.count(), 1)

    def test_a_missing_title_is_shown_beside_the_field(self) -> None:
        self.login(self.caseworker)
        response = self.client.post(self.create_url, self.data(title=""))
        self.assertContains(response, 'class="field-error"', status_code=400)
        self.assertEqual(Plan.objects.count(), 1)

    def test_only_staff_who_see_the_citizen_start_a_plan(self) -> None:
        for user in (self.colleague, self.outsider, self.politician, self.guardian):
            self.login(user)
            self.assertEqual(self.client.get(self.create_url).status_code, 404, user)
            self.assertEqual(self.client.post(self.create_url, self.data()).status_code, 404)
        self.assertEqual(Plan.objects.count(), 1)

    def test_without_a_citizen_it_sends_the_user_to_the_citizens(self) -> None:
        self.login(self.caseworker)
        self.assertRedirects(self.client.get(reverse("plans:create")), reverse("citizens:list"))

    def test_a_wrong_method_is_refused(self) -> None:
        self.login(self.caseworker)
        self.assertEqual(self.client.put(self.create_url).status_code, 405)


class DetailTests(PlanPageTestCase):
    def setUp(self) -> None:
        super().setUp()
        do_add_goal(
            actor=self.caseworker,
            plan=self.plan,
            expected_version=1,
            text="Jeg vil have en ven",
            formulated_by="child",
            formulated_by_name="Alma",
            target_date=today() + dt.timedelta(days=30),
        )
        do_add_effort(
            actor=self.caseworker,
            plan=self.plan,
            expected_version=2,
            title="Støttetimer",
            responsible_unit=self.school,
            legal_basis="folkeskoleloven",
            starts_on=today(),
            monthly_cost=Decimal("1000"),
        )
        do_add_effort(
            actor=self.caseworker,
            plan=self.plan,
            expected_version=3,
            title="Familiebehandling",
            responsible_unit=self.family_dept,
            legal_basis="barnets_lov",
            legal_reference="§ 32",
            starts_on=today(),
            monthly_cost=Decimal("2500"),
        )
        self.plan.refresh_from_db()

    def test_it_shows_the_whole_plan(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(self.url("detail"))
        self.assertContains(response, "Alma trives")
        self.assertContains(response, "“Jeg vil have en ven”")
        self.assertContains(response, "Not started")
        self.assertContains(response, "<h3>School</h3>", html=True)
        self.assertContains(response, "<h3>Social services</h3>", html=True)
        self.assertContains(response, "Barnets Lov (the Children&#x27;s Act), § 32")
        self.assertContains(response, "30,000")  # 2,500 a month, yearly
        self.assertContains(response, "3,500")  # the monthly total
        self.assertContains(response, "42,000")  # the yearly total
        self.assertContains(response, "Version 4")
        self.assertContains(response, self.url("history"))
        self.assertContains(response, self.url("edit"))
        self.assertContains(response, self.url("goal_add"))

    def test_a_reader_sees_no_edit_buttons(self) -> None:
        self.login(self.teacher)
        response = self.client.get(self.url("detail"))
        self.assertContains(response, "Jeg vil have en ven")
        self.assertContains(response, "You can read this plan.")
        for name in ("edit", "goal_add", "effort_add", "close", "participants", "members"):
            self.assertNotContains(response, self.url(name), msg_prefix=name)

    def test_a_participant_without_engagement_sees_the_plan(self) -> None:
        ppr = make_unit("PPR", parent=self.children_admin, sector="ppr")
        psychologist = make_staff("Pia", "Pind", unit=ppr, role="psychologist", username="pia")
        self.login(psychologist)
        self.assertEqual(self.client.get(self.url("detail")).status_code, 404)
        Participant.objects.create(plan=self.plan, staff=psychologist, unit=ppr)
        response = self.client.get(self.url("detail"))
        self.assertContains(response, "Jeg vil have en ven")
        self.assertContains(response, self.url("goal_add"))

    def test_others_get_not_found(self) -> None:
        for user in (self.colleague, self.outsider, self.leader, self.guardian, self.admin):
            self.login(user)
            self.assertEqual(self.client.get(self.url("detail")).status_code, 404, user)
        self.login(self.caseworker)
        self.assertEqual(self.client.get(reverse("plans:detail", args=[999999])).status_code, 404)

    def test_the_page_refuses_post(self) -> None:
        self.login(self.caseworker)
        self.assertEqual(self.client.post(self.url("detail")).status_code, 405)


class EditAccessTests(PlanPageTestCase):
    """Every edit URL: 403 for a reader, 404 for users without a relation."""

    def setUp(self) -> None:
        super().setUp()
        self.goal = do_add_goal(
            actor=self.caseworker,
            plan=self.plan,
            expected_version=1,
            text="Mål",
            formulated_by="child",
            formulated_by_name="Alma",
            target_date=today(),
        )
        self.effort = do_add_effort(
            actor=self.caseworker,
            plan=self.plan,
            expected_version=2,
            title="Indsats",
            responsible_unit=self.school,
            legal_basis="folkeskoleloven",
            starts_on=today(),
        )
        self.participant = Participant.objects.create(
            plan=self.plan, staff=self.colleague, unit=self.family_dept
        )
        member = self.plan.members.get()
        self.urls = [
            self.url("edit"),
            self.url("close"),
            self.url("goal_add"),
            self.url("goal_edit", self.goal.pk),
            self.url("effort_add"),
            self.url("effort_edit", self.effort.pk),
            self.url("effort_end", self.effort.pk),
            self.url("participants"),
            self.url("members"),
        ]
        self.post_only = [
            self.url("participant_remove", self.participant.pk),
            self.url("member_occupation", member.pk),
        ]

    def test_the_editor_opens_every_edit_page(self) -> None:
        self.login(self.caseworker)
        for url in self.urls:
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200, url)
            self.assertContains(response, 'expected_version" value="3"', msg_prefix=url)

    def test_a_reader_gets_forbidden_and_nothing_changes(self) -> None:
        self.login(self.teacher)
        for url in self.urls:
            self.assertEqual(self.client.get(url).status_code, 403, url)
        for url in self.urls + self.post_only:
            response = self.client.post(url, {"expected_version": 3, "reason": "x"})
            self.assertEqual(response.status_code, 403, url)
        self.plan.refresh_from_db()
        self.assertEqual(self.plan.version, 3)

    def test_users_without_a_relation_get_not_found(self) -> None:
        for user in (self.outsider, self.leader, self.guardian):
            self.login(user)
            for url in self.urls + self.post_only:
                self.assertEqual(self.client.post(url, {}).status_code, 404, (user, url))

    def test_a_closed_plan_is_read_only(self) -> None:
        do_close_plan(actor=self.caseworker, plan=self.plan, expected_version=3, reason="Done")
        self.login(self.caseworker)
        self.assertEqual(self.client.get(self.url("edit")).status_code, 403)
        response = self.client.get(self.url("detail"))
        self.assertContains(response, "Done")
        self.assertNotContains(response, self.url("goal_add"))

    def test_post_only_urls_refuse_get(self) -> None:
        self.login(self.caseworker)
        for url in self.post_only:
            self.assertEqual(self.client.get(url).status_code, 405, url)

    def test_objects_of_another_plan_are_not_found(self) -> None:
        engage(self.bror, staff=self.caseworker)
        other = make_plan(self.bror, coordinator=self.caseworker, title="Bo")
        self.login(self.caseworker)
        response = self.client.get(reverse("plans:goal_edit", args=[other.pk, self.goal.pk]))
        self.assertEqual(response.status_code, 404)


class EditTests(PlanPageTestCase):
    def test_adding_a_goal(self) -> None:
        self.login(self.caseworker)
        response = self.client.post(self.url("goal_add"), self.goal_data())
        self.assertRedirects(response, self.url("detail"))
        goal = Goal.objects.get()
        self.assertEqual((goal.text, goal.citizen), ("Jeg vil have en ven i klassen", self.alma))
        self.plan.refresh_from_db()
        self.assertEqual(self.plan.version, 2)

    def test_a_goal_target_date_in_the_past_is_refused(self) -> None:
        self.login(self.caseworker)
        past = (today() - dt.timedelta(days=1)).isoformat()
        response = self.client.post(self.url("goal_add"), self.goal_data(target_date=past))
        self.assertContains(response, "has passed; choose today or a later date", status_code=400)
        self.assertContains(response, 'class="field-error"', status_code=400)
        self.assertContains(response, "Jeg vil have en ven i klassen", status_code=400)
        self.assertFalse(Goal.objects.exists())
        self.plan.refresh_from_db()
        self.assertEqual(self.plan.version, 1)

    def test_changing_a_goals_status(self) -> None:
        self.login(self.caseworker)
        self.client.post(self.url("goal_add"), self.goal_data())
        goal = Goal.objects.get()
        page = self.client.get(self.url("goal_edit", goal.pk))
        self.assertContains(page, 'value="2"')
        data = self.goal_data(expected_version=2, status="progressing")
        response = self.client.post(self.url("goal_edit", goal.pk), data)
        self.assertRedirects(response, self.url("detail"))
        goal.refresh_from_db()
        self.assertEqual(goal.status, "progressing")
        detail = self.client.get(self.url("detail"))
        self.assertContains(detail, '<span class="badge good">Progressing</span>', html=True)

    def test_adding_changing_and_ending_an_effort(self) -> None:
        self.login(self.caseworker)
        response = self.client.post(self.url("effort_add"), self.effort_data())
        self.assertRedirects(response, self.url("detail"))
        effort = Effort.objects.get()
        self.assertEqual(effort.sector.code, "school")
        data = self.effort_data(expected_version=2, monthly_cost="5000")
        self.client.post(self.url("effort_edit", effort.pk), data)
        effort.refresh_from_db()
        self.assertEqual(effort.monthly_cost, Decimal("5000"))
        end = {"expected_version": 3, "ends_on": today().isoformat()}
        self.assertRedirects(
            self.client.post(self.url("effort_end", effort.pk), end), self.url("detail")
        )
        effort.refresh_from_db()
        self.assertEqual(effort.ends_on, today())

    def test_bad_effort_input_is_explained_and_nothing_saved(self) -> None:
        hvidovre = make_unit("Hvidovre Skole", municipality_code=167, sector="school")
        self.login(self.caseworker)
        cases = {
            "the cost": self.effort_data(monthly_cost="-5"),
            "the period": self.effort_data(ends_on=(today() - dt.timedelta(days=2)).isoformat()),
            "the unit": self.effort_data(responsible_unit=hvidovre.pk),
        }
        for label, data in cases.items():
            response = self.client.post(self.url("effort_add"), data)
            self.assertEqual(response.status_code, 400, label)
            self.assertContains(response, 'class="field-error"', status_code=400, msg_prefix=label)
        self.assertFalse(Effort.objects.exists())
        self.plan.refresh_from_db()
        self.assertEqual(self.plan.version, 1)

    def test_changing_the_plan_details(self) -> None:
        self.login(self.caseworker)
        data = {
            "expected_version": 1,
            "title": "Alma trives i skolen",
            "what_matters": "At have venner",
            "coordinator": self.teacher.pk,
        }
        self.assertRedirects(self.client.post(self.url("edit"), data), self.url("detail"))
        self.plan.refresh_from_db()
        self.assertEqual((self.plan.title, self.plan.coordinator), (data["title"], self.teacher))

    def test_adding_and_removing_a_participant(self) -> None:
        self.login(self.caseworker)
        page = self.client.get(self.url("participants"))
        assignment = self.teacher.assignments_on().get()
        self.assertContains(page, "Tom Thy – Bakkeskolen (Teacher)")
        data = {"expected_version": 1, "assignment": assignment.pk, "role": "Klasselærer"}
        response = self.client.post(self.url("participants"), data)
        self.assertRedirects(response, self.url("participants"))
        participant = self.plan.participants.get()
        self.assertEqual((participant.staff, participant.unit), (self.teacher, self.school))
        response = self.client.post(
            self.url("participant_remove", participant.pk), {"expected_version": 2}
        )
        self.assertRedirects(response, self.url("participants"))
        self.assertFalse(self.plan.participants.exists())

    def test_family_members_and_their_occupation(self) -> None:
        do_close_plan(actor=self.caseworker, plan=self.plan, expected_version=1, reason="Family")
        engage(self.mother, staff=self.caseworker)
        engage(self.bror, staff=self.caseworker)
        family = make_plan(self.alma, coordinator=self.caseworker, adults=[self.mother])
        self.login(self.caseworker)
        url = reverse("plans:members", args=[family.pk])
        page = self.client.get(url)
        self.assertContains(page, "Bo Jensen")  # a sibling the case worker sees
        response = self.client.post(
            url, {"expected_version": 1, "citizen": self.bror.pk, "role": "child", "occupation": ""}
        )
        self.assertRedirects(response, url)
        mother = family.members.get(citizen=self.mother)
        response = self.client.post(
            reverse("plans:member_occupation", args=[family.pk, mother.pk]),
            {f"m{mother.pk}-expected_version": 2, f"m{mother.pk}-occupation": "job"},
        )
        self.assertRedirects(response, url)
        mother.refresh_from_db()
        self.assertEqual(mother.occupation, "job")
        self.assertContains(self.client.get(reverse("plans:detail", args=[family.pk])), "In work")
        self.assertEqual(PlanMember.objects.filter(plan=family).count(), 3)

    def test_closing_the_plan_needs_a_reason(self) -> None:
        self.login(self.caseworker)
        response = self.client.post(self.url("close"), {"expected_version": 1, "reason": ""})
        self.assertEqual(response.status_code, 400)
        response = self.client.post(self.url("close"), {"expected_version": 1, "reason": "Godt"})
        self.assertRedirects(response, self.url("detail"))
        self.plan.refresh_from_db()
        self.assertFalse(self.plan.is_active)


class StaleEditTests(PlanPageTestCase):
    """Two people edit the same version: the second is told, keeps their input, saves nothing."""

    def test_the_second_edit_of_a_version_gets_409_and_keeps_the_input(self) -> None:
        Participant.objects.create(plan=self.plan, staff=self.teacher, unit=self.school)
        self.login(self.caseworker)
        self.assertContains(self.client.get(self.url("edit")), 'value="1"')
        self.client.post(self.url("goal_add"), self.goal_data(expected_version=1))
        self.login(self.teacher)
        data = {
            "expected_version": 1,
            "title": "Min nye titel",
            "what_matters": "Det teksten siger",
            "coordinator": self.caseworker.pk,
        }
        response = self.client.post(self.url("edit"), data)
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "Someone else changed this plan", status_code=409)
        self.assertContains(response, "you edited version 1, it is now version 2", status_code=409)
        self.assertContains(response, 'value="Min nye titel"', status_code=409)
        self.assertContains(response, "Det teksten siger", status_code=409)
        # The form still holds the old version, so pressing save again is refused
        # too, instead of silently undoing the other change; the user starts again.
        self.assertContains(
            response, '<input type="hidden" name="expected_version" value="1"', status_code=409
        )
        self.assertContains(response, 'data-testid="start-again"', status_code=409)
        again = self.client.post(self.url("edit"), data)
        self.assertEqual(again.status_code, 409)
        self.plan.refresh_from_db()
        self.assertEqual((self.plan.title, self.plan.version), ("Alma trives", 2))
        self.assertTrue(self.plan.goals.exists())  # the other person's change is intact

    def test_a_stale_goal_and_effort_are_not_saved(self) -> None:
        self.login(self.caseworker)
        self.client.post(self.url("goal_add"), self.goal_data(expected_version=1))
        response = self.client.post(self.url("effort_add"), self.effort_data(expected_version=1))
        self.assertContains(response, "Someone else changed this plan", status_code=409)
        response = self.client.post(
            self.url("goal_add"), self.goal_data(expected_version=1, text="Andet mål")
        )
        self.assertContains(response, "Andet mål", status_code=409)
        self.assertFalse(Effort.objects.exists())
        self.assertEqual(Goal.objects.count(), 1)

    def test_a_stale_participant_removal_is_refused(self) -> None:
        participant = Participant.objects.create(
            plan=self.plan, staff=self.teacher, unit=self.school
        )
        self.login(self.caseworker)
        self.client.post(self.url("goal_add"), self.goal_data(expected_version=1))
        response = self.client.post(
            self.url("participant_remove", participant.pk), {"expected_version": 1}
        )
        self.assertContains(response, "Someone else changed this plan", status_code=409)
        self.assertTrue(Participant.objects.filter(pk=participant.pk).exists())
