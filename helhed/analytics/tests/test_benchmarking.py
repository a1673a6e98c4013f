"""Benchmarking: the comparable group, ranks by direction, aggregates, schools, and the page.

The six municipalities' profiles (A is Rudersdal, whose users the base has):

=====  ====  ===========  =====  ======================================
name   code  inhabitants  index  standardised distance from A (by hand)
=====  ====  ===========  =====  ======================================
A      230   50,000       0.80   --
B      101   600,000      1.10   2.884
C      147   100,000      0.85   0.680
D      151   50,000       1.20   2.561
E      153   35,000       0.95   1.009
F      167   14,000       0.78   1.110
=====  ====  ===========  =====  ======================================

Over all six, log(inhabitants) has mean 11.078 and standard deviation
1.155, the index 0.947 and 0.156; C is (ln 2 / 1.155, 0.05 / 0.156) =
(0.600, 0.320) away, 0.680. The three nearest are C, E, F. Unstandardised,
they would be E (0.387), D (0.400) and C (0.695): D is as big as A but much
poorer, which the standardisation makes count.

Absence over 10 % ("fravaer-over-10", lower is better), 2025-Q3, root cells:
A 24/200 = 12 %, B 50/500 = 10 %, C 8/100 = 8 %, D no cell, E hidden
(stored, wrongly, with 3/100 = 3 % so a leak would show), F 30/200 = 15 %.
"""

from __future__ import annotations

import re
from decimal import Decimal

from helhed import policy
from helhed.analytics import benchmarking
from helhed.analytics.models import Cell, Profile
from helhed.organisation.models import Unit
from helhed.results.periods import Period
from helhed.test import BaseTestCase, indicator, make_unit, municipality

ABSENCE = "fravaer-over-10"
WELLBEING = "trivsel"
LOST_EARNINGS = "tabt-arbejdsfortjeneste"
PERIOD = "2025-Q3"
YEAR = "2025"

PROFILES = {
    230: (50_000, "0.80"),
    101: (600_000, "1.10"),
    147: (100_000, "0.85"),
    151: (50_000, "1.20"),
    153: (35_000, "0.95"),
    167: (14_000, "0.78"),
}


def make_cell(
    unit: Unit,
    code: str,
    period: str,
    numerator: str | int | None,
    denominator: str | int | None,
    persons: int | None,
    *,
    value: str | None = None,
    suppression: str = "",
    group: str = "all",
) -> Cell:
    """A published cell; ``value`` defaults to numerator / denominator x 100."""
    if value is None and numerator is not None and denominator is not None:
        value = str(Decimal(numerator) * 100 / Decimal(denominator))
    return Cell.objects.create(
        indicator_code=code,
        municipality=unit.municipality,
        unit=unit,
        unit_key=unit.key,
        period=period,
        period_start=Period.parse(period).start,
        group=group,
        value=None if value is None else Decimal(value),
        numerator=None if numerator is None else Decimal(numerator),
        denominator=None if denominator is None else Decimal(denominator),
        persons=persons,
        suppression=suppression,
    )


class BenchmarkCase(BaseTestCase):
    """Six municipalities with profiles and root cells; four schools and a daycare in A."""

    roots: dict[int, Unit]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.roots = {230: cls.root, 167: Unit.objects.get(municipality__code=167, parent=None)}
        for code in (101, 147, 151, 153):
            cls.roots[code] = make_unit(
                f"Kommune {code}", unit_type="municipality", municipality_code=code
            )
        for code, (inhabitants, index) in PROFILES.items():
            Profile.objects.create(
                municipality=municipality(code),
                inhabitants=inhabitants,
                social_index=Decimal(index),
            )
        r = cls.roots
        make_cell(r[230], ABSENCE, PERIOD, 24, 200, 200)
        make_cell(r[101], ABSENCE, PERIOD, 50, 500, 500)
        make_cell(r[147], ABSENCE, PERIOD, 8, 100, 100)
        make_cell(r[153], ABSENCE, PERIOD, 3, 100, 100, suppression="complementary")
        make_cell(r[167], ABSENCE, PERIOD, 30, 200, 200)
        # Another group and another period must not mix in.
        make_cell(r[230], ABSENCE, PERIOD, 1, 100, 100, group="sex:F")
        make_cell(r[147], ABSENCE, "2025-Q2", 90, 100, 100)

        cls.north = make_unit("Nordskolen", parent=cls.children_admin, sector="school")
        cls.south = make_unit("Sydskolen", parent=cls.children_admin, sector="school")
        cls.west = make_unit("Vestskolen", parent=cls.children_admin, sector="school")
        cls.daycare = make_unit("Solsikken", parent=cls.children_admin, sector="daycare")
        cls.team = make_unit("Indskolingen", parent=cls.school, unit_type="team", sector="school")
        make_cell(cls.school, ABSENCE, PERIOD, 10, 100, 100)
        make_cell(cls.south, ABSENCE, PERIOD, 6, 100, 100)
        # Three persons, stored as shown by mistake: still hidden.
        make_cell(cls.north, ABSENCE, PERIOD, 1, 3, 3, value="33.333")
        make_cell(cls.west, ABSENCE, PERIOD, None, None, None, suppression="primary")
        make_cell(cls.daycare, ABSENCE, PERIOD, 1, 100, 100)
        make_cell(cls.team, ABSENCE, PERIOD, 50, 100, 100)

    north: Unit
    south: Unit
    west: Unit
    daycare: Unit
    team: Unit


class ComparableTests(BenchmarkCase):
    def test_the_nearest_three_are_chosen_by_standardised_distance(self) -> None:
        found = benchmarking.comparable(municipality(230), k=3)
        assert [m.code for m in found] == [147, 153, 167]

    def test_all_five_others_come_nearest_first(self) -> None:
        found = benchmarking.comparable(municipality(230))
        assert [m.code for m in found] == [147, 153, 167, 151, 101]

    def test_a_municipality_without_a_profile_has_no_comparables(self) -> None:
        assert benchmarking.comparable(municipality(157), k=3) == []


class CompareTests(BenchmarkCase):
    def test_lower_is_better_ranks_the_lowest_first_and_leaves_hidden_unranked(self) -> None:
        bench = benchmarking.compare(ABSENCE, PERIOD, municipality(230), k=3)
        shown = [(r.label, r.rank, r.value, r.suppression) for r in bench.rows]
        assert shown == [
            ("Frederiksberg", 1, Decimal("8.000"), ""),
            ("Rudersdal", 2, Decimal("12.000"), ""),
            ("Hvidovre", 3, Decimal("15.000"), ""),
            ("Brøndby", None, None, "complementary"),
        ]
        assert bench.own.rank == 2 and bench.ranked == 3
        assert bench.own.is_self and bench.own.municipality_code == 230

    def test_the_group_is_computed_from_visible_cells_only_and_says_so(self) -> None:
        bench = benchmarking.compare(ABSENCE, PERIOD, municipality(230), k=3)
        # C and F: (8 + 30) / (100 + 200) x 100 = 12.667; E's 3/100 left out.
        assert bench.group.value == Decimal("12.667")
        assert (bench.group.included, bench.group.members) == (2, 3)
        assert bench.group.partial
        # A, B, C, F: (24 + 50 + 8 + 30) / (200 + 500 + 100 + 200) x 100 = 11.2.
        assert bench.national.value == Decimal("11.200")
        assert (bench.national.included, bench.national.members) == (4, 5)
        assert bench.national.label == "Alle kommuner i datagrundlaget (5)"

    def test_with_five_comparables_a_municipality_without_cells_shows_no_data(self) -> None:
        bench = benchmarking.compare(ABSENCE, PERIOD, municipality(230))
        ranks = [(r.municipality_code, r.rank, r.has_data) for r in bench.rows]
        assert ranks == [
            (147, 1, True),
            (101, 2, True),
            (230, 3, True),
            (167, 4, True),
            (151, None, False),  # Ballerup, then Brøndby: unranked rows by name
            (153, None, True),
        ]
        # C, B, F: (8 + 50 + 30) / (100 + 500 + 200) x 100 = 11.
        assert bench.group.value == Decimal("11.000")
        assert (bench.group.included, bench.group.members) == (3, 5)

    def test_a_hidden_cell_never_comes_back_as_a_number(self) -> None:
        bench = benchmarking.compare(ABSENCE, PERIOD, municipality(230))
        hidden = next(r for r in bench.rows if r.municipality_code == 153)
        assert hidden.value is None and hidden.persons is None and hidden.hidden
        values = {r.value for r in [*bench.rows, bench.group, bench.national]}
        assert Decimal("3.000") not in values

    def test_higher_is_better_ranks_the_highest_first_and_ties_share_a_rank(self) -> None:
        # Well-being is a mean: numerator = sum of answers, denominator = answers.
        r = self.roots
        make_cell(r[230], WELLBEING, YEAR, 400, 100, 100, value="4.000")
        make_cell(r[147], WELLBEING, YEAR, 200, 50, 50, value="4.000")
        make_cell(r[167], WELLBEING, YEAR, 320, 100, 100, value="3.200")
        bench = benchmarking.compare(WELLBEING, YEAR, municipality(230), k=3)
        assert [(r.label, r.rank) for r in bench.rows] == [
            ("Frederiksberg", 1),
            ("Rudersdal", 1),
            ("Hvidovre", 3),
            ("Brøndby", None),
        ]
        # (200 + 320) / (50 + 100) = 3.4666... -> 3.467; Brøndby has no cell.
        assert bench.group.value == Decimal("3.467")
        assert (bench.group.included, bench.group.members) == (2, 3)

    def test_a_total_is_summed_and_the_own_catalogue_decides_the_direction(self) -> None:
        # Lost earnings: numerator in DKK, value in thousand DKK.
        r = self.roots
        make_cell(r[230], LOST_EARNINGS, PERIOD, 250_000, None, 40, value="250.000")
        make_cell(r[147], LOST_EARNINGS, PERIOD, 120_500, None, 30, value="120.500")
        make_cell(r[167], LOST_EARNINGS, PERIOD, 80_000, None, 20, value="80.000")
        bench = benchmarking.compare(LOST_EARNINGS, PERIOD, municipality(230), k=3)
        assert [r.municipality_code for r in bench.rows if r.rank] == [167, 147, 230]
        assert bench.group.value == Decimal("200.500")
        own = indicator(LOST_EARNINGS)
        own.direction = own.Direction.HIGHER
        own.save(update_fields=["direction"])
        bench = benchmarking.compare(LOST_EARNINGS, PERIOD, municipality(230), k=3)
        assert [r.municipality_code for r in bench.rows if r.rank] == [230, 147, 167]

    def test_an_unknown_indicator_is_refused(self) -> None:
        with self.assertRaises(benchmarking.UnknownIndicator):
            benchmarking.compare("no-such", PERIOD, municipality(230))


class SchoolsTests(BenchmarkCase):
    def test_schools_are_ranked_and_hidden_ones_listed_without_value(self) -> None:
        ranking = benchmarking.schools(ABSENCE, PERIOD, municipality(230))
        shown = [(r.label, r.rank, r.value, r.persons, r.suppression) for r in ranking.rows]
        assert shown == [
            ("Sydskolen", 1, Decimal("6.000"), 100, ""),
            ("Bakkeskolen", 2, Decimal("10.000"), 100, ""),
            ("Nordskolen", None, None, None, "primary"),
            ("Vestskolen", None, None, None, "primary"),
        ]
        assert ranking.ranked == 2


class AccessTests(BenchmarkCase):
    def test_leaders_analysts_and_politicians_compare_the_municipality(self) -> None:
        for staff, allowed in (
            (self.analyst, True),
            (self.politician, True),
            (self.leader, True),
            (self.director, True),
            (self.teacher, False),
            (self.caseworker, False),
            (self.outsider, False),
        ):
            with self.subTest(staff=staff.full_name):
                assert policy.may_compare_municipality(staff.user) is allowed

    def test_the_schools_ranking_is_for_those_who_see_the_school_area(self) -> None:
        rudersdal = municipality(230)
        for staff in (self.leader, self.politician, self.analyst):
            assert policy.may_rank_schools(staff.user, rudersdal), staff.full_name
        # A league table of schools is a leadership tool, not for front-line staff.
        assert not policy.may_rank_schools(self.teacher.user, rudersdal)
        assert not policy.may_rank_schools(self.outsider.user, rudersdal)
        assert not policy.may_rank_schools(self.admin, rudersdal)
        assert not policy.may_rank_schools(self.guardian, rudersdal)

    def test_with_two_school_areas_the_ranking_needs_both(self) -> None:
        area = make_unit("Skoleområde Nord", parent=self.children_admin, unit_type="area")
        make_unit("Nordbyskolen", parent=area, sector="school")
        rudersdal = municipality(230)
        # Bakkeskolen's leader sees Børn og Skole (one up), not the other area.
        assert not policy.may_rank_schools(self.leader.user, rudersdal)
        assert policy.may_rank_schools(self.analyst.user, rudersdal)


class BenchmarkPageTests(BenchmarkCase):
    url = "/analytics/benchmark/"

    def page(self, query: str = f"?indicator={ABSENCE}&period={PERIOD}") -> str:
        response = self.client.get(self.url + query)
        assert response.status_code == 200, response.status_code
        return response.content.decode()

    def test_the_analyst_sees_the_comparison_with_its_rank_and_the_schools(self) -> None:
        self.login(self.analyst)
        html = self.page()
        assert 'data-testid="rank">Nr. 3 af 4' in html
        assert "(2 kommuner uden en værdi at placere)" in html
        assert "<svg" in html and 'role="img"' in html
        assert "Frederiksberg" in html and "Alle kommuner i datagrundlaget (5)" in html
        values = [v.strip() for v in re.findall(r'data-testid="value">([^<]*)', html)]
        # Municipalities best first, then the group and all; then the schools.
        # Danish, the default language: a decimal comma.
        municipalities = ["8,0", "10,0", "12,0", "15,0", "–", "–", "11,0", "11,2"]
        assert values == [*municipalities, "6,0", "10,0", "–", "–"]
        assert html.count('data-testid="hidden"') == 3  # Brøndby, Nordskolen, Vestskolen
        assert "33,3" not in html and "33.3" not in html  # Nordskolen's three persons

    def test_a_teacher_sees_neither_other_municipalities_nor_a_league_table(self) -> None:
        self.login(self.teacher)
        html = self.page()
        assert 'data-testid="not-for-you"' in html
        assert "Frederiksberg" not in html
        assert "Sydskolen" not in html

    def test_bad_choices_fall_back_with_a_message(self) -> None:
        self.login(self.analyst)
        html = self.page("?indicator=nope&period=2025-Q9")
        assert html.count('data-testid="error"') == 2
        html = self.page(f"?indicator={ABSENCE}&period=2019")
        assert "Der er ingen beregnede værdier for 2019." in html
        assert "Nr. 3 af 4" in html  # the latest period instead

    def test_no_analytics_units_is_404_and_post_is_405(self) -> None:
        self.client.force_login(self.admin)
        assert self.client.get(self.url).status_code == 404
        self.client.force_login(self.guardian)
        assert self.client.get(self.url).status_code == 404
        self.login(self.analyst)
        assert self.client.post(self.url).status_code == 405
        self.client.logout()
        assert self.client.get(self.url).status_code == 302
