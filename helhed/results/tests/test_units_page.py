"""A unit's results page: its markers, two levels up and two down, drill-down, who sees what."""

from __future__ import annotations

import re

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from helhed.lib.validity import today
from helhed.organisation.models import Unit
from helhed.results.levels import default_period
from helhed.results.models import Ambition, Committee, Indicator, Marker
from helhed.results.periods import Period
from helhed.test import (
    BaseTestCase,
    indicator,
    make_ambition,
    make_committee,
    make_family_login,
    make_marker,
    make_staff,
    make_unit,
    record_value,
    set_target,
)


class UnitsCase(BaseTestCase):
    """The results chain over Børn og Skole, with values for the last complete quarter.

    Absence (quarterly, lower is better): target 10 set on Børn og Skole (the
    school and its team inherit it) and on the root; Børn og Skole 9 (green),
    the root 10.5 (amber), Bakkeskolen 14 (red, worse than a year earlier),
    its team 7 from 3 persons (suppressed). Grades (yearly): Bakkeskolen 85
    against its own target 80.
    """

    committee: Committee
    ambition: Ambition
    marker: Marker
    absence: Indicator
    grades: Indicator
    team: Unit
    sibling: Unit
    period: Period

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.team = make_unit("Indskolingen", parent=cls.school, unit_type="team")
        cls.sibling = make_unit("Skovskolen", parent=cls.children_admin, sector="school")
        cls.committee = make_committee()
        cls.absence = indicator("fravaer-over-10")
        cls.grades = indicator("karakter-02-dansk-matematik")
        cls.ambition = make_ambition(
            committee=cls.committee, owner=cls.chief, units=[cls.children_admin]
        )
        cls.marker = make_marker(
            cls.ambition, owner=cls.chief, indicators=[cls.absence, cls.grades]
        )
        cls.period = default_period(today())
        year_before = cls.period.shift(-4).code
        set_target(cls.absence, cls.children_admin, 10)
        set_target(cls.absence, cls.root, 10)
        set_target(cls.grades, cls.school, 80)
        record_value(cls.absence, cls.children_admin, cls.period.code, "9")
        record_value(cls.absence, cls.root, cls.period.code, "10.5")
        record_value(cls.absence, cls.school, year_before, "12")
        record_value(cls.absence, cls.school, cls.period.code, "14")
        record_value(cls.absence, cls.team, cls.period.code, "7", persons=3)
        record_value(cls.grades, cls.school, str(cls.period.year - 1), "85")

    def setUp(self) -> None:
        super().setUp()
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def page(self, unit: Unit, query: str = "") -> str:
        response = self.client.get(reverse("results:unit", args=[unit.pk]) + query)
        assert response.status_code == 200, response.status_code
        return response.content.decode()


def english(period: Period) -> str:
    """The period's label as the English pages show it (the tests run in Danish)."""
    with translation.override("en"):
        return period.label


def section(html: str, name: str) -> str:
    match = re.search(rf'<section class="card" data-testid="{name}">(.*?)</section>', html, re.S)
    assert match, name
    return match.group(1)


class ChiefTests(UnitsCase):
    def test_the_chief_sees_her_administration_two_up_and_two_down(self) -> None:
        self.login(self.chief)
        html = self.page(self.children_admin)
        own = section(html, "own")
        assert self.marker.title in own
        assert self.ambition.title in own
        assert self.absence.name in own and self.grades.name in own
        assert "9.0" in own and "On target" in own
        assert "<svg" in own
        assert "The numbers in the plot" in own
        up = section(html, "up")
        assert "Rudersdal Kommune" in up
        assert "10.5" in up and "Close to target" in up
        down = section(html, "down")
        assert "Bakkeskolen" in down and "Indskolingen" in down and "Skovskolen" in down
        assert "14.0" in down and "Off target" in down
        assert 'class="indent"' in down
        school_url = reverse("results:unit", args=[self.school.pk])
        assert f'href="{school_url}?period={self.period.code}"' in down
        # Not a citizen anywhere: the page is aggregates only.
        assert "Alma" not in html and "Jensen" not in html

    def test_the_chief_drills_down_to_the_school(self) -> None:
        self.login(self.chief)
        html = self.page(self.children_admin)
        link = re.search(rf'href="(/results/units/{self.school.pk}/[^"]*)"', section(html, "down"))
        assert link
        response = self.client.get(link.group(1).replace("&amp;", "&"))
        assert response.status_code == 200
        school = response.content.decode()
        assert "<h1>Bakkeskolen" in school
        own = section(school, "own")
        assert "14.0" in own and "Off target" in own and "Worsening" in own
        # The inherited target names the unit it was set for.
        assert "inherited from Børn og Skole" in own
        # Grades have the school's own target: not inherited.
        grades = re.search(rf'data-indicator="{self.grades.pk}">(.*?)</article>', own, re.S)
        assert grades and "inherited" not in grades.group(1) and "85.0" in grades.group(1)
        # The chief leads the school, so she may start turning the red curve.
        assert f"/results/curves/new/?indicator={self.absence.pk}&amp;unit={self.school.pk}" in own
        # Two up: Børn og Skole and the root, both linked for her.
        up = section(school, "up")
        assert f'href="/results/units/{self.children_admin.pk}/?period=' in up
        assert f'href="/results/units/{self.root.pk}/?period=' in up
        down = section(school, "down")
        assert "Indskolingen" in down

    def test_a_suppressed_value_is_a_dash_with_a_note(self) -> None:
        self.login(self.chief)
        own = section(self.page(self.team), "own")
        absence = re.search(rf'data-indicator="{self.absence.pk}">(.*?)</article>', own, re.S)
        assert absence
        text = absence.group(1)
        assert "Not shown: based on fewer than 5 persons." in text
        assert "7.0" not in text
        assert "–" in text
        assert "No status" in text
        down = section(self.page(self.school), "down")
        assert "7.0" not in down

    def test_green_indicators_get_no_turn_the_curve_link(self) -> None:
        self.login(self.chief)
        assert "/results/curves/new/" not in self.page(self.children_admin)


class WhoSeesWhatTests(UnitsCase):
    def test_the_school_leader_sees_her_school_and_two_up_but_not_siblings(self) -> None:
        self.login(self.leader)
        for unit in (self.school, self.children_admin, self.root, self.team):
            with self.subTest(unit=unit.name):
                self.page(unit)
        for unit in (self.sibling, self.family_dept):
            with self.subTest(unit=unit.name):
                url = reverse("results:unit", args=[unit.pk])
                assert self.client.get(url).status_code == 404
        html = self.page(self.children_admin)
        down = section(html, "down")
        assert "Bakkeskolen" in down
        assert "Skovskolen" not in html and "Familieafdelingen" not in html
        assert "may not see are left out" in down

    def test_the_teacher_sees_her_school_and_two_up_not_the_units_below(self) -> None:
        self.login(self.teacher)
        school = self.page(self.school)
        assert "14.0" in section(school, "own")
        assert "Børn og Skole" in section(school, "up")
        down = section(school, "down")
        assert "Indskolingen" not in down
        assert "No units beneath this one whose results you may see." in down
        admin = self.page(self.children_admin)
        assert "Skovskolen" not in admin and "Familieafdelingen" not in admin
        assert self.client.get(reverse("results:unit", args=[self.sibling.pk])).status_code == 404
        assert self.client.get(reverse("results:unit", args=[self.team.pk])).status_code == 404
        # A teacher does not start turning curves.
        assert "/results/curves/new/" not in school

    def test_the_analyst_and_the_director_see_every_unit(self) -> None:
        for staff in (self.analyst, self.director):
            self.login(staff)
            for unit in (self.root, self.family_dept, self.sibling, self.team):
                with self.subTest(staff=staff.full_name, unit=unit.name):
                    self.page(unit)

    def test_the_outsider_and_a_family_login_get_404(self) -> None:
        for user in (self.outsider.user, self.guardian):
            assert user is not None
            self.client.force_login(user)
            with self.subTest(user=user.username):
                response = self.client.get(reverse("results:unit", args=[self.school.pk]))
                assert response.status_code == 404

    def test_an_unknown_unit_is_404_and_a_post_is_405(self) -> None:
        self.login(self.director)
        assert self.client.get(reverse("results:unit", args=[999999])).status_code == 404
        url = reverse("results:unit", args=[self.school.pk])
        assert self.client.post(url).status_code == 405

    def test_anonymous_users_are_sent_to_log_in(self) -> None:
        response = self.client.get(reverse("results:unit", args=[self.school.pk]))
        assert response.status_code == 302 and "login" in response["Location"]


class PeriodTests(UnitsCase):
    def test_the_page_opens_on_the_last_complete_quarter(self) -> None:
        self.login(self.chief)
        html = self.page(self.children_admin)
        assert f"Results for {english(self.period)}" in html

    def test_another_period_shows_its_own_values(self) -> None:
        self.login(self.chief)
        earlier = self.period.shift(-4)
        html = self.page(self.school, f"?period={earlier.code}")
        assert f"Results for {english(earlier)}" in html
        own = section(html, "own")
        assert "12.0" in own and "14.0" not in own

    def test_a_bad_period_says_so_and_falls_back(self) -> None:
        self.login(self.chief)
        for bad in ("2026-Q5", "last quarter", "1800", "2026-13"):
            with self.subTest(period=bad):
                html = self.page(self.children_admin, f"?period={bad}")
                assert 'data-testid="period-error"' in html
                assert f"Showing {english(self.period)} instead." in html
                assert f"Results for {english(self.period)}" in html

    def test_my_units_opens_the_users_own_top_unit(self) -> None:
        self.login(self.chief)
        response = self.client.get(reverse("results:units"))
        assert response.status_code == 302
        assert response["Location"] == reverse("results:unit", args=[self.children_admin.pk])
        self.login(self.teacher)
        response = self.client.get(reverse("results:units"))
        assert response["Location"] == reverse("results:unit", args=[self.school.pk])

    def test_my_units_without_a_role_goes_home_and_family_gets_403(self) -> None:
        self.login(make_staff("Ny", "Nielsen", username="newcomer"))
        response = self.client.get(reverse("results:units"))
        assert response.status_code == 302 and response["Location"] == reverse("results:home")
        self.client.force_login(self.guardian)
        assert self.client.get(reverse("results:units")).status_code == 403


class QueryCountTests(UnitsCase):
    def count_queries(self, children: int) -> int:
        top = make_unit(f"Område {children}", parent=self.children_admin, unit_type="area")
        for number in range(children):
            child = make_unit(f"Skole {children}-{number}", parent=top, sector="school")
            make_unit(f"Team {children}-{number}", parent=child, unit_type="team")
            record_value(self.absence, child, self.period.code, 8 + number % 5)
        self.login(self.director)
        url = reverse("results:unit", args=[top.pk])
        self.client.get(url)  # warm caches (content types, the session)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url)
        assert response.status_code == 200
        assert response.content.decode().count('<tr class="level-') == children * 2
        return len(queries)

    def test_the_page_costs_the_same_queries_for_3_and_12_child_units(self) -> None:
        few = self.count_queries(3)
        many = self.count_queries(12)
        assert few == many, (few, many)
        assert many <= 25, many


class FamilyHelpers(UnitsCase):
    def test_a_second_family_login_gets_nothing(self) -> None:
        user = make_family_login(self.bror, "bror")
        self.client.force_login(user)
        assert self.client.get(reverse("results:unit", args=[self.root.pk])).status_code == 404
