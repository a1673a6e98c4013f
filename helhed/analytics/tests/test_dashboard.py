"""The analytics dashboard: who sees which unit, hidden cells, filters, plots and bad input.

The cells are written by hand (as ``helhed compute`` would publish them), in
Rudersdal, for the range 2024-Q1 to 2025-Q4:

* Absence (fravaer-over-10, quarterly, 1 decimal, everyone): Bakkeskolen
  14.0, 13.5, (none), 12.0 in 2024; 2025-Q1 hidden (primary) in a row that
  wrongly kept its number 81.357 from 3 persons, 11.5, 2025-Q3 hidden
  (complementary), 10.5 from 43 persons in 2025-Q4. Female 9.8 in 2025-Q4.
  Its team Indskolingen: 2025-Q4 hidden. Børn og Skole 9.0 and Skovskolen
  8.5 in 2025-Q4; Familieafdelingen has no cells.
* Targets for absence: 10 on Børn og Skole from 2022 (Bakkeskolen inherits
  it), 11 on Bakkeskolen itself from 2025-Q3.
* Well-being (trivsel, yearly, 2 decimals): Bakkeskolen 3.85 in 2024, 3.90 in 2025.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any
from unittest import mock

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from helhed.analytics import charts
from helhed.analytics.models import Cell
from helhed.lib import charts as lib_charts
from helhed.lib.validity import today
from helhed.organisation.models import Unit
from helhed.results.models import Indicator
from helhed.results.periods import Period
from helhed.test import BaseTestCase, indicator, make_unit, set_target

URL = reverse("analytics:dashboard")
RANGE: dict[str, Any] = {"from": "2024-Q1", "to": "2025-Q4"}
ABSENCE = "fravaer-over-10"
WELLBEING = "trivsel"
SVG = re.compile(r"<svg.*?</svg>", re.DOTALL)


def make_cell(
    unit: Unit,
    code: str,
    period: str,
    value: str | None,
    *,
    persons: int | None = 40,
    group: str = "all",
    suppression: str = "",
) -> Cell:
    return Cell.objects.create(
        indicator_code=code,
        municipality=unit.municipality,
        unit=unit,
        unit_key=unit.key,
        period=period,
        period_start=Period.parse(period).start,
        group=group,
        value=None if value is None else Decimal(value),
        persons=persons,
        suppression=suppression,
    )


def without_svg(html: str) -> str:
    return SVG.sub("", html)


class DashboardCase(BaseTestCase):
    team: Unit
    sibling: Unit
    absence: Indicator

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.team = make_unit("Indskolingen", parent=cls.school, unit_type="team")
        cls.sibling = make_unit("Skovskolen", parent=cls.children_admin, sector="school")
        cls.absence = indicator(ABSENCE)
        set_target(cls.absence, cls.children_admin, 10)
        set_target(cls.absence, cls.school, 11, applies_from="2025-Q3")
        school = cls.school
        make_cell(school, ABSENCE, "2024-Q1", "14.000")
        make_cell(school, ABSENCE, "2024-Q2", "13.500", persons=41)
        make_cell(school, ABSENCE, "2024-Q4", "12.000")
        # A hidden row that kept its number: nothing may show it all the same.
        make_cell(school, ABSENCE, "2025-Q1", "81.357", persons=3, suppression="primary")
        make_cell(school, ABSENCE, "2025-Q2", "11.500", persons=42)
        make_cell(school, ABSENCE, "2025-Q3", None, persons=None, suppression="complementary")
        make_cell(school, ABSENCE, "2025-Q4", "10.500", persons=43)
        make_cell(school, ABSENCE, "2025-Q4", "9.800", persons=20, group="sex:F")
        make_cell(cls.team, ABSENCE, "2025-Q4", None, persons=None, suppression="primary")
        make_cell(cls.children_admin, ABSENCE, "2025-Q4", "9.000", persons=120)
        make_cell(cls.sibling, ABSENCE, "2025-Q4", "8.500", persons=30)
        make_cell(school, WELLBEING, "2024", "3.850", persons=200)
        make_cell(school, WELLBEING, "2025", "3.900", persons=210)

    def setUp(self) -> None:
        super().setUp()
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        cache.clear()

    def get(self, **params: Any) -> Any:
        return self.client.get(URL, {**RANGE, **params})

    def card(self, html: str, code: str) -> str:
        match = re.search(rf'data-indicator="{code}">(.*?)</section>', html, re.DOTALL)
        assert match is not None, f"no card for {code}"
        # Period labels keep their space unbroken in the tables.
        return match.group(1).replace("\u00a0", " ")


class WhoSeesWhatTests(DashboardCase):
    def test_a_leader_lands_on_her_own_unit(self) -> None:
        self.login(self.leader)
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["selection"].unit, self.school)
        self.assertContains(response, "<h1>Bakkeskolen")

    def test_a_leader_sees_her_unit_beneath_and_above(self) -> None:
        self.login(self.leader)
        for unit in (self.school, self.team, self.children_admin, self.root):
            with self.subTest(unit=unit.name):
                self.assertEqual(self.get(unit=unit.pk).status_code, 200)

    def test_a_leader_does_not_see_a_sibling_unit(self) -> None:
        self.login(self.leader)
        self.assertEqual(self.get(unit=self.sibling.pk).status_code, 404)
        self.assertEqual(self.get(unit=self.family_dept.pk).status_code, 404)
        self.assertEqual(
            self.client.get(
                reverse("analytics:dashboard_csv"), {"unit": self.sibling.pk}
            ).status_code,
            404,
        )

    def test_the_comparison_leaves_out_units_she_may_not_see(self) -> None:
        self.login(self.leader)
        html = self.get(unit=self.children_admin.pk).content.decode()
        self.assertNotIn("Skovskolen", html)
        self.assertNotIn("Familieafdelingen", html)
        rows = re.findall(r'<tr data-unit="(\d+)"', self.card(html, ABSENCE))
        self.assertEqual(rows, [str(self.school.pk)])

    def test_the_picker_lists_only_visible_units(self) -> None:
        self.login(self.leader)
        choices = self.get().context["form"].fields["unit"].widget.choices
        self.assertEqual(
            {pk for pk, _label in choices},
            {self.root.pk, self.children_admin.pk, self.school.pk, self.team.pk},
        )

    def test_an_outsider_gets_404_for_another_municipality(self) -> None:
        self.login(self.outsider)
        self.assertEqual(self.get(unit=self.school.pk).status_code, 404)

    def test_an_analyst_sees_every_unit_of_the_municipality(self) -> None:
        self.login(self.analyst)
        self.assertEqual(self.get(unit=self.sibling.pk).status_code, 200)
        self.assertEqual(self.client.get(URL).context["selection"].unit, self.root)

    def test_a_user_without_a_role_gets_an_explanation(self) -> None:
        self.login(self.admin)
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'data-testid="no-units"')
        self.assertEqual(self.client.get(reverse("analytics:dashboard_csv")).status_code, 400)

    def test_anonymous_is_sent_to_log_in_and_post_is_refused(self) -> None:
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("login"), response["Location"])
        self.login(self.leader)
        self.assertEqual(self.client.post(URL).status_code, 405)
        self.assertEqual(self.client.post(reverse("analytics:dashboard_xlsx")).status_code, 405)

    def test_the_menu_links_to_the_dashboards(self) -> None:
        self.login(self.leader)
        self.assertContains(self.client.get(reverse("home")), f'href="{URL}"')


class HiddenCellTests(DashboardCase):
    def test_a_politician_sees_the_hidden_cells_as_hidden(self) -> None:
        self.login(self.politician)
        response = self.get(unit=self.school.pk)
        self.assertEqual(response.status_code, 200)
        card = self.card(response.content.decode(), ABSENCE)
        hidden = re.findall(
            r'<tr data-hidden="true"><th scope="row">([^<]+)</th><td class="num">'
            r'<span class="muted">([^<]+)</span>',
            card,
        )
        self.assertEqual(
            hidden,
            [
                ("Q3 2025", "hidden (so a number under 5 cannot be worked out)"),
                ("Q1 2025", "hidden (fewer than 5)"),
            ],
        )

    def test_the_hidden_number_appears_nowhere_on_the_page(self) -> None:
        for user in (self.politician, self.leader, self.analyst):
            with self.subTest(user=user.full_name):
                self.login(user)
                html = self.get(unit=self.school.pk).content.decode()
                self.assertIn("<svg", html)
                self.assertNotIn("81.357", html)
                self.assertNotIn("81,357", html)
                text = without_svg(html)
                self.assertNotIn("81.4", text)
                self.assertNotIn("81,4", text)

    def test_the_plot_gets_a_gap_not_the_number(self) -> None:
        captured: list[dict[str, Any]] = []
        real = charts.trend_spec

        def spy(points: Any, **options: Any) -> dict[str, Any]:
            spec = real(points, **options)
            captured.append(spec)
            return spec

        self.login(self.leader)
        with mock.patch.object(charts, "trend_spec", spy):
            self.get(unit=self.school.pk)
        absence = next(
            spec
            for spec in captured
            if any(row["period"] == "Q1 2024" for row in spec["datasets"]["series"])
        )
        values = [
            (row["period"], row["value"])
            for row in absence["datasets"]["series"]
            if row["series"] == "Value"
        ]
        self.assertEqual(
            values,
            [
                ("Q1 2024", 14.0),
                ("Q2 2024", 13.5),
                ("Q3 2024", None),
                ("Q4 2024", 12.0),
                ("Q1 2025", None),
                ("Q2 2025", 11.5),
                ("Q3 2025", None),
                ("Q4 2025", 10.5),
            ],
        )
        targets = [
            row["value"] for row in absence["datasets"]["series"] if row["series"] == "Target"
        ]
        self.assertEqual(targets, [10.0] * 6 + [11.0] * 2)

    def test_a_hidden_unit_beneath_is_listed_as_hidden(self) -> None:
        self.login(self.leader)
        card = self.card(self.get(unit=self.school.pk).content.decode(), ABSENCE)
        self.assertIn(f'<tr data-unit="{self.team.pk}" data-hidden="true">', card.replace("\n", ""))
        self.assertIn("hidden (fewer than 5)", card)
        # Only hidden values beneath: nothing to draw, so no bar plot.
        self.assertIn("No values to compare in this period.", card)


class CardTests(DashboardCase):
    def test_there_is_a_card_per_engine_indicator_named_by_the_catalogue(self) -> None:
        self.login(self.leader)
        html = self.get(unit=self.school.pk).content.decode()
        self.assertEqual(len(re.findall(r'data-testid="indicator"', html)), 10)
        self.assertIn("<h2>Elever med mere end 10 % fravær</h2>", html)

    def test_an_indicator_without_any_cell_is_one_line(self) -> None:
        self.login(self.leader)
        html = self.get(unit=self.school.pk).content.decode()
        card = self.card(html, "underretninger-pr-1000")
        self.assertIn('data-testid="no-values"', card)
        self.assertNotIn("<table", card)
        self.assertNotIn('data-testid="no-values"', self.card(html, ABSENCE))

    def test_a_card_links_to_the_benchmark_of_its_indicator(self) -> None:
        self.login(self.leader)
        card = self.card(self.get(unit=self.school.pk).content.decode(), ABSENCE)
        benchmark = reverse("analytics:benchmark")
        self.assertIn(f'href="{benchmark}?indicator={ABSENCE}&amp;period=2025-Q4"', card)

    def test_the_trend_table_lists_values_targets_and_persons_newest_first(self) -> None:
        self.login(self.leader)
        card = self.card(self.get(unit=self.school.pk).content.decode(), ABSENCE)
        table = card.split('data-testid="comparison"')[0]
        self.assertIn("<caption>", table)
        rows = re.findall(
            r'<tr(?: data-hidden="true")?><th scope="row">([^<]+)</th><td class="num">(.*?)</td>'
            r'<td class="num">([^<]*)</td><td class="num">([^<]*)</td></tr>',
            table,
        )
        plain = [(p, re.sub(r"<[^>]+>", "", v), t, n) for p, v, t, n in rows]
        self.assertEqual(
            plain,
            [
                ("Q4 2025", "10.5", "11.0", "43"),
                ("Q3 2025", "hidden (so a number under 5 cannot be worked out)", "11.0", ""),
                ("Q2 2025", "11.5", "10.0", "42"),
                ("Q1 2025", "hidden (fewer than 5)", "10.0", ""),
                ("Q4 2024", "12.0", "10.0", "40"),
                ("Q3 2024", "–no value", "10.0", ""),
                ("Q2 2024", "13.5", "10.0", "41"),
                ("Q1 2024", "14.0", "10.0", "40"),
            ],
        )
        self.assertIn('<svg role="img" aria-label="Elever med mere end 10 % fravær for', card)

    def test_a_yearly_indicator_shows_the_years_that_end_in_the_range(self) -> None:
        self.login(self.leader)
        card = self.card(self.get(unit=self.school.pk).content.decode(), WELLBEING)
        self.assertEqual(re.findall(r'<th scope="row">(\d{4})</th>', card), ["2025", "2024"])
        self.assertIn('<td class="num">3.90</td>', card)
        # To 2025-Q3: 2025 has not ended, so only 2024.
        card = self.card(self.get(unit=self.school.pk, to="2025-Q3").content.decode(), WELLBEING)
        self.assertEqual(re.findall(r'<th scope="row">(\d{4})</th>', card), ["2024"])

    def test_the_comparison_shows_the_units_beneath_with_drill_down_links(self) -> None:
        self.login(self.chief)
        card = self.card(self.get(unit=self.children_admin.pk).content.decode(), ABSENCE)
        rows = re.findall(
            r'<tr data-unit="\d+"><th scope="row"><a href="([^"]+)">([^<]+)</a></th>'
            r'<td class="num">(.*?)</td>',
            card,
        )
        self.assertEqual(
            [(name, re.sub(r"<[^>]+>", "", value)) for _href, name, value in rows],
            [("Bakkeskolen", "10.5"), ("Familieafdelingen", "–no value"), ("Skovskolen", "8.5")],
        )
        self.assertEqual(
            rows[0][0],
            f"{URL}?unit={self.school.pk}&amp;group=all&amp;from=2024-Q1&amp;to=2025-Q4",
        )
        self.assertIn("The units beneath, Q4 2025", card)
        self.assertIn("The dashed line is the target of Børn og Skole: 10.0.", card)
        self.assertEqual(card.count('<svg role="img"'), 2)

    def test_a_unit_name_is_text_in_the_plots_and_tables(self) -> None:
        Unit.objects.filter(pk=self.sibling.pk).update(name="<script>alert(1)</script>")
        self.login(self.chief)
        html = self.get(unit=self.children_admin.pk).content.decode()
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", html)
        self.assertNotIn("<script>alert", html)

    def test_the_group_filter_shows_that_groups_values(self) -> None:
        self.login(self.leader)
        response = self.get(unit=self.school.pk, group="sex:F")
        card = self.card(response.content.decode(), ABSENCE)
        self.assertIn('<th scope="row">Q4 2025</th><td class="num">9.8</td>', card)
        self.assertNotIn("10.5", without_svg(card))
        self.assertContains(response, "Female, Q1 2024 to Q4 2025.")

    def test_the_period_filter_narrows_the_rows(self) -> None:
        self.login(self.leader)
        card = self.card(
            self.get(unit=self.school.pk, **{"from": "2025-Q2", "to": "2025"}).content.decode(),
            ABSENCE,
        )
        self.assertEqual(
            re.findall(r'<th scope="row">(Q\d \d{4})</th>', card),
            ["Q4 2025", "Q3 2025", "Q2 2025"],
        )

    def test_the_default_range_is_the_last_twenty_quarters(self) -> None:
        self.login(self.leader)
        selection = self.client.get(URL).context["selection"]
        self.assertEqual(selection.last, Period.last_complete(today(), "quarter"))
        self.assertEqual(selection.first, selection.last.shift(-19))


class EmptyStateTests(DashboardCase):
    def test_no_cells_at_all_says_that_compute_has_not_run(self) -> None:
        Cell.objects.all().delete()
        self.login(self.leader)
        response = self.get()
        self.assertContains(response, 'data-testid="never-computed"')
        self.assertContains(response, "helhed compute")
        self.assertNotContains(response, 'data-testid="indicator"')

    def test_no_cells_for_the_selection_says_so(self) -> None:
        self.login(self.leader)
        response = self.get(unit=self.school.pk, group="age:30+")
        self.assertContains(response, 'data-testid="no-cells"')
        self.assertNotContains(response, 'data-testid="never-computed"')


class BadInputTests(DashboardCase):
    def test_bad_filters_are_a_400_with_a_message(self) -> None:
        self.login(self.leader)
        cases = [
            {"group": "sex:X"},
            {"unit": "abc"},
            {"unit": "9" * 40},
            {"unit": "-3"},
            {"from": "2025-Q5"},
            {"from": "yesterday"},
            {"to": "1066"},
            {"from": "2025-Q4", "to": "2025-Q1"},
            {"from": "2000", "to": "2025"},
            {"from": "x" * 500},
        ]
        for params in cases:
            with self.subTest(params=params):
                response = self.client.get(URL, params)
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, 'data-testid="filter-error"', status_code=400)
                csv = self.client.get(reverse("analytics:dashboard_csv"), params)
                self.assertEqual(csv.status_code, 400)

    def test_an_unknown_unit_id_is_a_404(self) -> None:
        self.login(self.leader)
        self.assertEqual(self.get(unit=987654321).status_code, 404)


class CacheTests(DashboardCase):
    def test_a_repeated_request_draws_nothing_again(self) -> None:
        self.login(self.chief)
        with mock.patch.object(
            lib_charts, "accessible_svg", wraps=lib_charts.accessible_svg
        ) as draw:
            first = self.get(unit=self.children_admin.pk)
            drawn = draw.call_count
            second = self.get(unit=self.children_admin.pk)
        # Absence: trend and comparison; well-being: Bakkeskolen's 2025 in the comparison.
        self.assertEqual(drawn, 3)
        self.assertEqual(draw.call_count, 3)
        svgs = SVG.findall(first.content.decode())
        self.assertEqual(len(svgs), 3)
        self.assertEqual(svgs, SVG.findall(second.content.decode()))
