"""The worklist: who meets the rule for one plan, who lacks a coordinator, who may see it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from helhed.citizens.models import Citizen, Engagement
from helhed.lib.validity import today
from helhed.organisation.models import Sector, Unit
from helhed.plans.models import Effort, LegalBasis, NeedsRule, Plan
from helhed.plans.worklist import (
    REASON_COST,
    REASON_EFFORTS,
    REASON_SECTORS,
    composite_needs,
    needs_counts,
)
from helhed.test import BaseTestCase, engage, make_citizen, make_plan, make_unit

URL = reverse("plans:worklist")
RULE_URL = reverse("plans:worklist_rule")


def make_effort(
    plan: Plan,
    *,
    unit: Unit,
    sector: str | None = None,
    started: dt.date | None = None,
    ends: dt.date | None = None,
    monthly: int = 0,
    citizen: Citizen | None = None,
    title: str = "Støtte i hverdagen",
) -> Effort:
    """An effort written straight to the table: the rule reads rows, not forms."""
    return Effort.objects.create(
        plan=plan,
        citizen=citizen,
        title=title,
        sector=Sector.objects.get(code=sector or (unit.sector.code if unit.sector else "social")),
        responsible_unit=unit,
        legal_basis=LegalBasis.BARNETS_LOV,
        starts_on=started or today() - dt.timedelta(days=30),
        ends_on=ends,
        monthly_cost=Decimal(monthly),
    )


class WorklistData(BaseTestCase):
    """Alma meets the default rule through two sectors (school and social services) alone."""

    rule: NeedsRule

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.rule = NeedsRule.for_municipality(cls.root.municipality)

    def casework_citizen(self, first_name: str) -> Citizen:
        """A child only the family department works with (one sector)."""
        citizen = make_citizen(first_name, "Berg", birth_date=dt.date(2013, 2, 3))
        engage(citizen, staff=self.caseworker)
        return citizen

    def rows(self, rule: NeedsRule | None = None) -> dict[int, list[str]]:
        return {
            row.citizen.pk: row.reasons
            for row in composite_needs(Citizen.objects.all(), rule or self.rule)
        }


class RuleThresholdTests(WorklistData):
    def test_two_sectors_alone_put_a_citizen_on_the_list(self) -> None:
        [row] = composite_needs(Citizen.objects.filter(pk=self.alma.pk), self.rule)
        self.assertEqual(row.reasons, [REASON_SECTORS])
        self.assertEqual([s.code for s in row.sectors], ["school", "social"])
        self.assertEqual((row.efforts, row.yearly_cost), (0, Decimal(0)))
        self.assertFalse(row.has_coordinator)

    def test_three_active_efforts_alone_put_a_citizen_on_the_list(self) -> None:
        citizen = self.casework_citizen("Ida")
        plan = make_plan(citizen, coordinator=self.caseworker, title="Ida")
        for _ in range(3):
            make_effort(plan, unit=self.family_dept, monthly=100)
        self.assertEqual(self.rows()[citizen.pk], [REASON_EFFORTS])

    def test_a_yearly_cost_above_the_threshold_alone_puts_a_citizen_on_the_list(self) -> None:
        citizen = self.casework_citizen("Ida")
        plan = make_plan(citizen, coordinator=self.caseworker, title="Ida")
        make_effort(plan, unit=self.family_dept, monthly=12_501)  # 150,012 a year
        [row] = composite_needs(Citizen.objects.filter(pk=citizen.pk), self.rule)
        self.assertEqual(row.reasons, [REASON_COST])
        self.assertEqual(row.yearly_cost, Decimal(150_012))

    def test_exactly_the_threshold_cost_is_not_more_than_it(self) -> None:
        citizen = self.casework_citizen("Ida")
        plan = make_plan(citizen, coordinator=self.caseworker, title="Ida")
        make_effort(plan, unit=self.family_dept, monthly=12_500)  # 150,000 a year
        self.assertNotIn(citizen.pk, self.rows())

    def test_below_every_threshold_a_citizen_is_not_on_the_list(self) -> None:
        citizen = self.casework_citizen("Ida")
        plan = make_plan(citizen, coordinator=self.caseworker, title="Ida")
        make_effort(plan, unit=self.family_dept, monthly=1000)
        make_effort(plan, unit=self.family_dept, monthly=1000)
        self.assertNotIn(citizen.pk, self.rows())
        self.assertIn(self.alma.pk, self.rows())

    def test_ended_and_planned_efforts_do_not_count(self) -> None:
        citizen = self.casework_citizen("Ida")
        plan = make_plan(citizen, coordinator=self.caseworker, title="Ida")
        make_effort(plan, unit=self.family_dept, monthly=20_000, ends=today() - dt.timedelta(1))
        make_effort(plan, unit=self.family_dept, started=today() + dt.timedelta(days=7))
        make_effort(plan, unit=self.school, sector="school", started=today() + dt.timedelta(7))
        self.assertNotIn(citizen.pk, self.rows())

    def test_an_effort_of_another_sector_adds_a_way_in(self) -> None:
        citizen = self.casework_citizen("Ida")
        plan = make_plan(citizen, coordinator=self.caseworker, title="Ida")
        make_effort(plan, unit=self.school, sector="ppr")
        self.assertEqual(self.rows()[citizen.pk], [REASON_SECTORS])

    def test_an_ended_engagement_is_no_way_in(self) -> None:
        Engagement.objects.filter(citizen=self.alma, unit=self.school).update(
            valid_to=today() - dt.timedelta(days=1)
        )
        self.assertNotIn(self.alma.pk, self.rows())

    def test_a_team_without_a_sector_counts_as_its_school(self) -> None:
        citizen = make_citizen("Ida", "Berg", birth_date=dt.date(2013, 8, 8))
        team = make_unit("Indskoling", parent=self.school, unit_type="team")
        engage(citizen, unit=team, kind=Engagement.Kind.TEACHING)
        engage(citizen, staff=self.caseworker)
        [row] = composite_needs(Citizen.objects.filter(pk=citizen.pk), self.rule)
        self.assertEqual([s.code for s in row.sectors], ["school", "social"])

    def test_a_configured_rule_changes_the_list(self) -> None:
        citizen = self.casework_citizen("Ida")
        plan = make_plan(citizen, coordinator=self.caseworker, title="Ida")
        make_effort(plan, unit=self.family_dept, monthly=1000)
        make_effort(plan, unit=self.family_dept, monthly=1000)
        NeedsRule.objects.create(
            municipality=self.root.municipality,
            min_sectors=3,
            min_efforts=2,
            min_yearly_cost=Decimal(1_000_000),
        )
        rule = NeedsRule.for_municipality(self.root.municipality)
        self.assertEqual(self.rows(rule), {citizen.pk: [REASON_EFFORTS]})

    def test_a_family_effort_counts_for_every_member_and_a_sibling_effort_does_not(self) -> None:
        plan = make_plan(self.alma, coordinator=self.caseworker, adults=[self.mother])
        for _ in range(3):
            make_effort(plan, unit=self.family_dept)  # for the whole family
        make_effort(plan, unit=self.family_dept, citizen=self.mother)
        rows = {r.citizen.pk: r for r in composite_needs(Citizen.objects.all(), self.rule)}
        self.assertEqual((rows[self.alma.pk].efforts, rows[self.mother.pk].efforts), (3, 4))

    def test_a_citizen_with_a_plan_has_its_coordinator(self) -> None:
        plan = make_plan(self.alma, coordinator=self.caseworker)
        [row] = composite_needs(Citizen.objects.filter(pk=self.alma.pk), self.rule)
        self.assertTrue(row.has_coordinator)
        self.assertEqual((row.plan, row.coordinator), (plan, self.caseworker))

    def test_a_closed_plan_leaves_the_citizen_without_coordinator(self) -> None:
        plan = make_plan(self.alma, coordinator=self.caseworker)
        Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.CLOSED)
        plan.members.update(is_active=False)
        [row] = composite_needs(Citizen.objects.filter(pk=self.alma.pk), self.rule)
        self.assertFalse(row.has_coordinator)

    def test_the_counts_have_no_names_and_count_the_uncoordinated(self) -> None:
        ida = self.casework_citizen("Ida")
        make_plan(ida, coordinator=self.caseworker, title="Ida")
        make_effort(Plan.objects.get(title="Ida"), unit=self.school, sector="school")
        counts = needs_counts(Citizen.objects.all(), self.rule)
        self.assertEqual((counts.on_list, counts.without_coordinator), (2, 1))


class QueryCountTests(WorklistData):
    def add_citizens(self, number: int) -> None:
        start = Citizen.objects.count()
        for index in range(start, start + number):
            born = dt.date(2013, 1, 1) + dt.timedelta(days=index)
            citizen = make_citizen(f"Barn{index:02d}", "Berg", birth_date=born)
            engage(citizen, staff=self.caseworker)
            engage(citizen, unit=self.school, kind=Engagement.Kind.TEACHING)
            if index % 2:
                plan = make_plan(citizen, coordinator=self.caseworker, title=f"Plan {index}")
                make_effort(plan, unit=self.family_dept, monthly=500)
                make_effort(plan, unit=self.school, sector="ppr", monthly=500)

    def count_queries(self, call: object) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert callable(call)
            call()
        return len(queries)

    def test_the_rule_runs_a_fixed_number_of_queries(self) -> None:
        self.add_citizens(3)
        few = self.count_queries(lambda: composite_needs(Citizen.objects.all(), self.rule))
        self.add_citizens(7)
        self.assertEqual(len(composite_needs(Citizen.objects.all(), self.rule)), 11)
        with self.assertNumQueries(few):
            composite_needs(Citizen.objects.all(), self.rule)

    def test_the_page_runs_a_fixed_number_of_queries(self) -> None:
        self.login(self.caseworker)
        self.add_citizens(3)
        few = self.count_queries(lambda: self.client.get(URL, {"show": "all"}))
        self.add_citizens(7)
        with self.assertNumQueries(few):
            response = self.client.get(URL, {"show": "all"})
        self.assertEqual(response.context["page"].paginator.count, 11)


class WorklistPageTests(WorklistData):
    def test_a_caseworker_sees_alma_without_coordinator_and_a_link_to_start_a_plan(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, reverse("citizens:detail", args=[self.alma.pk]))
        self.assertContains(response, "Alma Jensen")
        self.assertContains(response, "data-no-coordinator")
        self.assertContains(response, f"{reverse('plans:create')}?citizen={self.alma.pk}")
        self.assertContains(response, 'data-reason="sectors"')
        self.assertContains(response, 'data-sectors="2"')

    def test_the_yearly_cost_is_shown_in_kroner(self) -> None:
        plan = make_plan(self.alma, coordinator=self.caseworker)
        make_effort(plan, unit=self.family_dept, monthly=12_600)
        self.login(self.caseworker)
        response = self.client.get(URL, {"show": "all"})
        self.assertContains(response, "151.200")  # Danish thousands separator
        self.assertContains(response, 'data-reason="cost"')

    def test_by_default_it_shows_only_citizens_without_coordinator(self) -> None:
        make_plan(self.alma, coordinator=self.colleague)
        self.login(self.caseworker)
        response = self.client.get(URL)
        self.assertNotContains(response, 'data-citizen="')
        response = self.client.get(URL, {"show": "all"})
        self.assertContains(response, f'data-citizen="{self.alma.pk}"')
        self.assertContains(response, "Karl Kolding")  # the coordinator
        self.assertNotContains(response, "data-no-coordinator")

    def test_the_teacher_sees_the_schools_pupil(self) -> None:
        self.login(self.teacher)
        self.assertContains(self.client.get(URL), f'data-citizen="{self.alma.pk}"')

    def test_a_colleague_without_engagement_sees_no_one(self) -> None:
        self.login(self.colleague)
        response = self.client.get(URL, {"show": "all"})
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "Alma Jensen")

    def test_an_outsider_sees_none_of_ours(self) -> None:
        other = make_citizen("Otto", "Ny", birth_date=dt.date(2012, 8, 8), municipality_code=167)
        self.login(self.outsider)
        response = self.client.get(URL, {"show": "all"})
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "Alma Jensen")
        self.assertNotContains(response, other.full_name)
        self.assertNotContains(response, "data-count")

    def test_a_leader_sees_counts_and_no_names(self) -> None:
        self.casework_citizen("Ida")
        make_plan(self.alma, coordinator=self.caseworker)
        bo = make_citizen("Bo", "Berg", birth_date=dt.date(2012, 9, 9), sex="M")
        engage(bo, unit=self.school, kind=Engagement.Kind.TEACHING)
        engage(bo, staff=self.caseworker)
        self.login(self.leader)
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, '<dd data-count="on-list">2</dd>', html=True)
        self.assertContains(response, '<dd data-count="without-coordinator">1</dd>', html=True)
        for name in ("Alma", "Bo Berg", "Ida"):
            self.assertNotContains(response, name)
        self.assertNotContains(response, 'data-citizen="')
        self.assertNotContains(response, RULE_URL)  # a school leader does not set the rule

    def test_the_director_may_change_the_rule(self) -> None:
        self.login(self.director)
        response = self.client.get(URL)
        self.assertContains(response, RULE_URL)
        self.assertContains(response, 'data-count="on-list"')

    def test_a_politician_sees_neither_names_nor_counts(self) -> None:
        self.login(self.politician)
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "Alma")
        self.assertNotContains(response, "data-count")

    def test_it_paginates(self) -> None:
        for index in range(30):
            born = dt.date(2013, 1, 1) + dt.timedelta(days=index)
            citizen = make_citizen(f"Barn{index:02d}", "Berg", birth_date=born)
            engage(citizen, staff=self.caseworker)
            engage(citizen, unit=self.school, kind=Engagement.Kind.TEACHING)
        self.login(self.caseworker)
        first = self.client.get(URL)
        second = self.client.get(URL, {"page": 2})
        self.assertEqual(first.context["page"].paginator.count, 31)
        self.assertEqual(len(first.context["page"]), 25)
        self.assertEqual(len(second.context["page"]), 6)
        self.assertContains(first, "?show=uncoordinated&amp;page=2")

    def test_htmx_gets_the_rows_only(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(URL, {"show": "all"}, headers={"HX-Request": "true"})
        self.assertTemplateUsed(response, "plans/worklist_rows.html")
        self.assertTemplateNotUsed(response, "plans/worklist.html")

    def test_a_family_login_gets_404(self) -> None:
        self.login(self.guardian)
        self.assertEqual(self.client.get(URL).status_code, 404)

    def test_anonymous_users_go_to_login(self) -> None:
        self.assertRedirects(self.client.get(URL), f"{reverse('login')}?next={URL}")

    def test_it_rejects_post(self) -> None:
        self.login(self.caseworker)
        self.assertEqual(self.client.post(URL).status_code, 405)


class RuleFormTests(WorklistData):
    valid = {
        "min_sectors": "3",
        "min_efforts": "4",
        "min_yearly_cost": "200000",
        "review_after_days": "90",
    }

    def test_the_director_sees_the_current_rule(self) -> None:
        self.login(self.director)
        response = self.client.get(RULE_URL)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'name="review_after_days" value="120"')

    def test_the_director_sets_the_rule(self) -> None:
        self.login(self.director)
        response = self.client.post(RULE_URL, self.valid)
        self.assertRedirects(response, URL)
        rule = NeedsRule.objects.get(municipality=self.root.municipality)
        self.assertEqual(
            (rule.min_sectors, rule.min_efforts, rule.min_yearly_cost, rule.review_after_days),
            (3, 4, Decimal(200_000), 90),
        )
        # Alma's two sectors no longer put her on the list.
        self.login(self.caseworker)
        self.assertNotContains(self.client.get(URL, {"show": "all"}), "Alma Jensen")

    def test_a_chief_of_an_administration_may_set_it_too(self) -> None:
        self.login(self.chief)
        self.assertRedirects(self.client.post(RULE_URL, self.valid), URL)

    def test_bad_input_is_shown_beside_the_field_and_nothing_changes(self) -> None:
        self.login(self.director)
        for field, value in (
            ("review_after_days", "400"),
            ("review_after_days", "14"),
            ("min_sectors", "0"),
            ("min_efforts", "-1"),
            ("min_yearly_cost", "0"),
            ("min_yearly_cost", "lots"),
        ):
            with self.subTest(field=field, value=value):
                response = self.client.post(RULE_URL, {**self.valid, field: value})
                self.assertEqual(response.status_code, 400)
                self.assertIn(field, response.context["form"].errors)
                self.assertContains(response, f'id="id_{field}-error"', status_code=400)
        self.assertFalse(NeedsRule.objects.exists())

    def test_a_caseworker_and_a_school_leader_get_403(self) -> None:
        for staff in (self.caseworker, self.leader, self.outsider):
            with self.subTest(staff=staff):
                self.login(staff)
                self.assertEqual(self.client.get(RULE_URL).status_code, 403)
                self.assertEqual(self.client.post(RULE_URL, self.valid).status_code, 403)
        self.assertFalse(NeedsRule.objects.exists())

    def test_a_family_login_gets_403(self) -> None:
        self.login(self.guardian)
        self.assertEqual(self.client.get(RULE_URL).status_code, 403)

    def test_it_rejects_other_methods(self) -> None:
        self.login(self.director)
        self.assertEqual(self.client.delete(RULE_URL).status_code, 405)
