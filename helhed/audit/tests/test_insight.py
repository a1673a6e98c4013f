"""Who has looked at our data: a family login's insight into the audit log (GDPR art. 15)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from helhed.audit import codes
from helhed.audit.models import AuditEntry
from helhed.audit.trail import Entry, log_many
from helhed.citizens.actions import do_break_glass
from helhed.citizens.models import FamilyLink
from helhed.organisation.models import Role
from helhed.test import BaseTestCase, engage, make_citizen, make_family_login, make_plan

URL = reverse("audit:mine")


class InsightTestCase(BaseTestCase):
    def login(self, staff_or_user: Any) -> None:
        super().login(staff_or_user)
        # English msgids, whatever the .po files say (logging out clears the cookie).
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def look_as(self, staff: Any, *paths: str) -> None:
        """Real use: the staff member opens these pages, which logs the look-ups."""
        self.login(staff)
        for path in paths:
            response = self.client.get(path)
            assert response.status_code == 200, (path, response.status_code)
        self.client.logout()

    def insight(self, query: str = "", status: int = 200) -> Any:
        self.login(self.guardian)
        response = self.client.get(URL + query)
        assert response.status_code == status, response.status_code
        return response

    def rows(self, query: str = "") -> list[Any]:
        page = self.insight(query).context["page"]
        return list(page.object_list)


class WhatTheGuardianSeesTests(InsightTestCase):
    def test_the_guardian_sees_the_caseworkers_look_ups_of_her_child(self) -> None:
        plan = make_plan(self.alma, coordinator=self.caseworker)
        self.look_as(
            self.caseworker,
            reverse("citizens:detail", args=[self.alma.pk]),
            reverse("plans:detail", args=[plan.pk]),
        )
        response = self.insight()
        looks = [
            r
            for r in response.context["page"].object_list
            if r.action == codes.VIEW and r.actor == "Sara Sand"
        ]
        assert {r.object_type for r in looks} == {"citizens.citizen", "plans.plan"}
        assert {r.citizen_id for r in looks} == {self.alma.pk}
        assert {r.actor_unit for r in looks} == {"Familieafdelingen"}
        assert all(r.purpose for r in looks)
        self.assertContains(response, "Sara Sand")
        self.assertContains(response, "Familieafdelingen")
        self.assertContains(response, "Looked at · plan")
        self.assertContains(response, "Looked at · citizen")
        self.assertContains(response, "Alma Jensen")

    def test_newest_entries_come_first(self) -> None:
        self.look_as(self.caseworker, reverse("citizens:detail", args=[self.alma.pk]))
        self.look_as(self.teacher, reverse("citizens:detail", args=[self.alma.pk]))
        rows = self.rows()
        assert [r.at for r in rows] == sorted((r.at for r in rows), reverse=True)
        views = [r.actor for r in rows if r.action == codes.VIEW]
        assert views[:2] == ["Tom Thy", "Sara Sand"]

    def test_the_guardian_does_not_see_a_siblings_entries_she_has_no_right_to(self) -> None:
        # Bo is Alma's brother, but not in the mother's care.
        engage(self.bror, staff=self.caseworker)
        self.look_as(self.caseworker, reverse("citizens:detail", args=[self.bror.pk]))
        assert AuditEntry.objects.filter(citizen_id=self.bror.pk, action=codes.VIEW).exists()
        response = self.insight()
        assert self.bror.pk not in {r.citizen_id for r in response.context["page"].object_list}
        self.assertNotContains(response, "Bo Jensen")
        self.insight(f"?citizen={self.bror.pk}", status=404)

    def test_a_family_plan_names_only_the_members_in_her_care(self) -> None:
        plan = make_plan(self.alma, coordinator=self.caseworker, adults=[self.mother])
        self.look_as(self.caseworker, reverse("plans:detail", args=[plan.pk]))
        seen = {r.citizen_id for r in self.rows() if r.object_type == "plans.plan"}
        assert seen == {self.alma.pk, self.mother.pk}

    def test_break_the_glass_is_marked(self) -> None:
        Role.objects.filter(code="caseworker").update(emergency_access=True)
        do_break_glass(
            actor=self.colleague, citizen=self.alma, reason="Akut henvendelse fra politiet i nat"
        )
        self.look_as(self.colleague, reverse("citizens:detail", args=[self.alma.pk]))
        response = self.insight()
        glass = [r for r in response.context["page"].object_list if r.break_glass]
        assert {r.action for r in glass} == {codes.BREAK_GLASS, codes.VIEW}
        assert all("Akut henvendelse fra politiet i nat" in r.purpose for r in glass)
        self.assertContains(response, 'data-break-glass="true"', count=len(glass))
        self.assertContains(response, "Emergency access (break the glass)")

    def test_another_family_login_is_not_named(self) -> None:
        father = make_citizen("Frederik", "Foged", birth_date=dt.date(1980, 1, 1), sex="M")
        FamilyLink.objects.create(
            from_citizen=father, to_citizen=self.alma, kind=FamilyLink.Kind.GUARDIAN
        )
        father_login = make_family_login(father, "frederik")
        plan = make_plan(self.alma, coordinator=self.caseworker)
        self.look_as(father_login, reverse("plans:family_plan", args=[plan.pk]))
        response = self.insight()
        by_father = [r for r in response.context["page"].object_list if r.object_type]
        assert "Another family member's login" in {r.actor for r in by_father}
        self.assertNotContains(response, "Frederik")
        self.assertNotContains(response, "frederik")


class FilterTests(InsightTestCase):
    def test_own_look_ups_are_left_out_unless_asked_for(self) -> None:
        plan = make_plan(self.alma, coordinator=self.caseworker)
        self.look_as(self.guardian, reverse("plans:family_plan", args=[plan.pk]))
        assert not [r for r in self.rows() if r.by_you]
        own = [r for r in self.rows("?include_own=on") if r.by_you]
        assert own and {r.actor for r in own} == {"You"}
        assert {r.object_type for r in own} == {"plans.plan"}

    def test_the_filter_by_child_shows_only_that_child(self) -> None:
        self.look_as(self.caseworker, reverse("citizens:detail", args=[self.alma.pk]))
        log_many([Entry(action=codes.VIEW, actor=self.caseworker.user, citizen_id=self.mother.pk)])
        assert {r.citizen_id for r in self.rows()} == {self.alma.pk, self.mother.pk}
        assert {r.citizen_id for r in self.rows(f"?citizen={self.alma.pk}")} == {self.alma.pk}

    def test_any_other_child_id_is_not_found(self) -> None:
        other = make_citizen("Ida", "Iversen")
        for value in (str(self.bror.pk), str(other.pk), "999999", "abc", "-1", "²", "9" * 5000):
            with self.subTest(value=value):
                self.insight(f"?citizen={value}", status=404)

    def test_the_period_filter_keeps_the_days_asked_for(self) -> None:
        days = [dt.date(2024, 3, 1), dt.date(2024, 3, 15), dt.date(2024, 4, 2)]
        log_many(
            [
                Entry(
                    action=codes.VIEW,
                    actor=self.caseworker.user,
                    citizen_id=self.alma.pk,
                    at=timezone.make_aware(dt.datetime.combine(day, dt.time(23, 30))),
                )
                for day in days
            ]
        )
        rows = self.rows("?date_from=2024-03-01&date_to=2024-03-15")
        assert [timezone.localdate(r.at) for r in rows] == [days[1], days[0]]
        assert len(self.rows("?date_from=2024-04-01")) >= 1
        assert self.rows("?date_to=2024-02-29") == []

    def test_a_bad_period_is_explained_not_a_crash(self) -> None:
        for query, field in (
            ("?date_from=2024-13-01", "date_from"),
            ("?date_from=tomorrow", "date_from"),
            ("?date_to=0001-01-01", "date_to"),
            ("?date_from=9999-12-31", "date_from"),
            ("?date_from=2024-05-01&date_to=2024-04-01", "date_to"),
        ):
            with self.subTest(query=query):
                response = self.insight(query, status=400)
                self.assertContains(response, f'data-testid="error-{field}"', status_code=400)
                assert response.context["page"] is None

    def test_it_paginates(self) -> None:
        log_many(
            [
                Entry(action=codes.VIEW, actor=self.caseworker.user, citizen_id=self.alma.pk)
                for _ in range(60)
            ]
        )
        total = AuditEntry.objects.filter(citizen_id__in=[self.alma.pk, self.mother.pk]).count()
        first = self.insight().context["page"]
        assert first.paginator.count == total
        assert len(first.object_list) == 50
        second = self.insight("?page=2").context["page"]
        assert len(second.object_list) == total - 50
        assert {r.seq for r in first.object_list}.isdisjoint(r.seq for r in second.object_list)

    def test_a_page_costs_the_same_queries_however_many_staff_looked(self) -> None:
        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert self.client.get(URL).status_code == 200
            return len(captured)

        log_many([Entry(action=codes.VIEW, actor=self.caseworker.user, citizen_id=self.alma.pk)])
        self.login(self.guardian)
        self.client.get(URL)  # warm the session
        one = queries()
        for staff in (self.teacher, self.colleague, self.leader, self.chief):
            log_many([Entry(action=codes.VIEW, actor=staff.user, citizen_id=self.alma.pk)] * 3)
        assert queries() == one


class InsightAccessTests(InsightTestCase):
    def test_staff_get_not_found(self) -> None:
        for staff in (self.caseworker, self.leader, self.director, self.analyst):
            with self.subTest(staff=staff):
                self.login(staff)
                assert self.client.get(URL).status_code == 404

    def test_a_user_without_staff_or_citizen_gets_not_found(self) -> None:
        self.login(self.admin)
        assert self.client.get(URL).status_code == 404

    def test_anonymous_users_are_sent_to_log_in(self) -> None:
        response = self.client.get(URL)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_only_get_is_allowed(self) -> None:
        self.login(self.guardian)
        assert self.client.post(URL).status_code == 405

    def test_reading_the_insight_page_logs_no_look_up(self) -> None:
        before = AuditEntry.objects.count()
        self.insight()
        assert AuditEntry.objects.count() == before

    def test_the_menu_links_to_the_page_for_family_logins_only(self) -> None:
        self.login(self.guardian)
        self.assertContains(self.client.get(reverse("plans:family_home")), URL)
        self.login(self.caseworker)
        self.assertNotContains(self.client.get(reverse("home")), URL)
