"""The What works page, its CSV file and its API, with hand-computed figures.

The cast (window: 2025), children on CORS (cut-off 28, reliable change 6),
efforts from 1 February, baselines in January:

* FIT at Familieafdelingen: c1 (ended 15 June) +8 (18 to 26), c2 +10
  (20 to 30), c3 +4 (25 to 29, crosses the cut-off), c4 -7 (24 to 17),
  c5 +7 (14 to 21). Mean 22 / 5 = 4.4; improved 3/5, better off 4/5 (c3
  crossed), deteriorated 1/5. Goals: c1's moved, c2's achieved, c3's stuck,
  c4's moved before the start, c5's not started: 2/5 moved, 1/5 achieved.
* LØFT at Bakkeskolen: c6 +10 (10 to 20, still below the cut-off), c7 +2,
  c8 +4 (26 to 30, crosses), c9 -10, c10 0. Mean 6 / 5 = 1.2; improved 1/5,
  better off 2/5 (c6, c8), deteriorated 1/5. No goals. And LØFT at
  Familieafdelingen for c1: six citizens for whoever sees both units.
* Health (no method) at Sundhedsplejen, beneath Børn og Skole: c11 (two
  efforts), c12, c13, all +10 or more: three citizens, suppressed.
* Hvidovre: one effort in another municipality, which nobody here sees.

Who sees what: the school leader leads Bakkeskolen (LØFT, five citizens);
the chief leads Børn og Skole (all three groups); the analyst, politician and
director see the municipality; case workers and teachers compare nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any
from unittest import mock

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from helhed.analytics.views.whatworks import year_before
from helhed.analytics.whatworks import CAVEAT
from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.citizens.models import Citizen
from helhed.feedback.models import Rating, Scale
from helhed.leadership.models import Method
from helhed.organisation.models import Sector, Staff, Unit
from helhed.plans.models import Effort, Goal, Plan
from helhed.plans.tests.test_worklist import make_effort
from helhed.test import BaseTestCase, make_citizen, make_plan, make_unit, municipality

D = dt.date
URL = reverse("analytics:what_works")
CSV_URL = reverse("analytics:what_works_csv")
API = "/api/analytics/what-works"
YEAR = {"start": "2025-01-01", "end": "2025-12-31"}
FROM_FEB = D(2025, 2, 1)
# Measured: 10 for the analyst (session, user, staff, the policy's roles, the comparison's
# efforts, ratings, goal links and goals, the menu's two), 12 for a leader (the director
# check and her units). A little room, no more: the count must not grow with the data.
MAX_QUERIES = 14


class WhatWorksData(BaseTestCase):
    fit: Method
    loeft: Method
    health: Unit
    hvidovre: Unit
    children: dict[int, Citizen]
    plans: dict[int, Plan]
    efforts: dict[int, Effort]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.fit = cls.method("FIT")
        cls.loeft = cls.method("LØFT")
        cls.health = make_unit("Sundhedsplejen", parent=cls.children_admin, sector="health")
        cls.children, cls.plans, cls.efforts = {}, {}, {}
        for n in range(1, 14):
            child = make_citizen(f"Barn{n}", "Berg", birth_date=D(2014, 1, n))
            cls.children[n] = child
            cls.plans[n] = make_plan(child, coordinator=cls.caseworker, title=f"Barn {n}")

        for n in range(1, 6):
            cls.efforts[n] = cls.effort(n, cls.family_dept, method=cls.fit)
        Effort.objects.filter(pk=cls.efforts[1].pk).update(ends_on=D(2025, 6, 15))
        for n in range(6, 11):
            cls.effort(n, cls.school, method=cls.loeft)
        cls.effort(1, cls.family_dept, method=cls.loeft)
        for n in (11, 11, 12, 13):
            cls.effort(n, cls.health, sector="health")

        for n, before, after in (
            (1, 18, 26),
            (2, 20, 30),
            (3, 25, 29),
            (4, 24, 17),
            (5, 14, 21),
            (6, 10, 20),
            (7, 20, 22),
            (8, 26, 30),
            (9, 30, 20),
            (10, 15, 15),
            (11, 10, 23),
            (12, 10, 22),
            (13, 10, 21),
        ):
            cls.rate(n, [(D(2025, 1, 20), before), (D(2025, 6, 1), after)])

        cls.goal(1, Goal.Status.PROGRESSING, D(2025, 3, 1))
        cls.goal(2, Goal.Status.ACHIEVED, D(2025, 9, 1))
        cls.goal(3, Goal.Status.STUCK, D(2025, 4, 1))
        cls.goal(4, Goal.Status.PROGRESSING, D(2025, 1, 15))  # before the effort started
        cls.goal(5, Goal.Status.NOT_STARTED, D(2025, 1, 1))

        other = make_unit("Hvidovre Familiehus", municipality_code=167, sector="social")
        outsider_child = make_citizen("Ude", "Holm", municipality_code=167)
        plan = make_plan(outsider_child, coordinator=cls.outsider, title="Ude")
        make_effort(plan, unit=other, started=FROM_FEB, citizen=outsider_child)

    @classmethod
    def method(cls, name: str) -> Method:
        return Method.objects.create(
            municipality=municipality(230),
            name=name,
            description=f"{name} i familiearbejdet.",
            research_basis="Praksis.",
            owner=cls.analyst,
        )

    @classmethod
    def effort(
        cls, n: int, unit: Unit, *, method: Method | None = None, sector: str | None = None
    ) -> Effort:
        effort = make_effort(
            cls.plans[n], unit=unit, sector=sector, started=FROM_FEB, citizen=cls.children[n]
        )
        if method is not None:
            effort.method = method
            effort.save(update_fields=["method"])
        return effort

    @classmethod
    def rate(cls, n: int, totals: list[tuple[dt.date, int]]) -> None:
        scale = Scale.objects.get(code="cors")
        for on, total in totals:
            Rating.objects.create(
                plan=cls.plans[n],
                scale=scale,
                citizen=cls.children[n],
                rated_on=on,
                scores=[total / 4] * 4,
                total=Decimal(total),
                given_by="Barnet",
            )

    @classmethod
    def goal(cls, n: int, status: str, changed_on: dt.date) -> None:
        goal = Goal.objects.create(
            plan=cls.plans[n],
            citizen=cls.children[n],
            text="Jeg vil gerne komme i skole hver dag",
            formulated_by=Goal.FormulatedBy.CHILD,
            formulated_by_name=f"Barn {n}",
            target_date=D(2026, 6, 1),
            status=status,
            status_changed_on=changed_on,
        )
        cls.efforts[n].goals.add(goal)

    @property
    def health_key(self) -> str:
        return f"sector:{Sector.objects.get(code='health').pk}"


class PageCase(WhatWorksData):
    def setUp(self) -> None:
        super().setUp()
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def page(self, staff: Staff | None = None, status: int = 200, **params: Any) -> str:
        if staff is not None:
            self.login(staff)
        response = self.client.get(URL, {**YEAR, **params})
        self.assertEqual(response.status_code, status, response.content[:500])
        return response.content.decode()

    def row(self, html: str, key: str) -> str:
        """The inside of a group's table row."""
        match = re.search(rf'<tr data-key="{key}"[^>]*>(.*?)</tr>', html, re.DOTALL)
        assert match is not None, f"no row for {key}"
        return match.group(1)

    def cells(self, html: str, key: str) -> list[str]:
        """A row's cells as text, without markup."""
        row = self.row(html, key)
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.DOTALL)
        return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]

    def labels(self, html: str) -> list[str]:
        table = html[html.index('data-testid="whatworks-table"') :]
        return re.findall(r'<tr data-key="[^"]+"[^>]*>\s*<th scope="row">([^<]+)</th>', table)


class WhatWorksPageTests(PageCase):
    def test_the_analyst_sees_the_municipality_s_groups_with_their_figures(self) -> None:
        html = self.page(self.analyst)
        self.assertEqual(self.labels(html), ["FIT", "Health", "LØFT"])
        # Group, citizens, efforts, ended, rated, mean, improved, better off, deteriorated,
        # goals (their citizens), moved, achieved.
        self.assertEqual(
            self.cells(html, f"method:{self.fit.pk}"),
            [
                "FIT",
                "5",
                "5",
                "1",
                "5",
                "+4.4",
                "60.0 %",
                "80.0 %",
                "20.0 %",
                "5 (5 citizens)",
                "40.0 %",
                "20.0 %",
            ],
        )
        # c1's LØFT effort at Familieafdelingen counts: six citizens, six efforts.
        self.assertEqual(self.cells(html, f"method:{self.loeft.pk}")[1:4], ["6", "6", "0"])
        self.assertNotIn("Social", self.labels(html))  # Hvidovre's effort

    def test_a_leader_sees_only_the_efforts_of_the_units_she_leads(self) -> None:
        html = self.page(self.leader)
        self.assertEqual(self.labels(html), ["LØFT"])
        self.assertEqual(
            self.cells(html, f"method:{self.loeft.pk}"),
            [
                "LØFT",
                "5",
                "5",
                "0",
                "5",
                "+1.2",
                "20.0 %",
                "40.0 %",
                "20.0 %",
                "fewer than 5 citizens with goals",
                "–",
                "–",
            ],
        )
        html = self.page(by="supplier")
        self.assertEqual(self.labels(html), ["Bakkeskolen"])

    def test_a_chief_sees_every_unit_beneath_hers(self) -> None:
        html = self.page(self.chief, by="supplier")
        self.assertEqual(self.labels(html), ["Bakkeskolen", "Familieafdelingen", "Sundhedsplejen"])
        # c1 to c5 (FIT) and c1 again (LØFT): five citizens, six efforts.
        self.assertEqual(self.cells(html, f"unit:{self.family_dept.key}")[1:3], ["5", "6"])

    def test_politicians_and_the_director_see_the_municipality(self) -> None:
        for staff in (self.politician, self.director):
            with self.subTest(staff=staff.full_name):
                self.assertEqual(self.labels(self.page(staff)), ["FIT", "Health", "LØFT"])

    def test_front_line_staff_get_a_polite_403(self) -> None:
        for staff in (self.caseworker, self.teacher, self.colleague, self.outsider):
            with self.subTest(staff=staff.full_name):
                html = self.page(staff, status=403)
                self.assertIn('data-testid="not-for-you"', html)
                self.assertIn("Your roles today give you no efforts to compare here.", html)
                self.assertNotIn("FIT", html)
        self.client.force_login(self.admin)  # a superuser without a staff record
        self.page(status=403)

    def test_anonymous_users_are_sent_to_log_in_and_post_is_405(self) -> None:
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("login"), response["Location"])
        self.login(self.analyst)
        self.assertEqual(self.client.post(URL, YEAR).status_code, 405)
        self.assertEqual(self.client.post(CSV_URL, YEAR).status_code, 405)

    def test_a_suppressed_group_shows_its_name_and_no_number(self) -> None:
        html = self.page(self.analyst)
        self.assertEqual(self.cells(html, self.health_key), ["Health", "fewer than 5 citizens"])
        self.assertIn(f'data-key="{self.health_key}" data-suppressed="true"', html)
        # Nor is it plotted: neither on the chart nor in the table beside it.
        chart = html[html.index('data-testid="chart"') : html.index('data-testid="groups"')]
        self.assertNotIn("Health", chart)
        html = self.page(by="supplier")
        self.assertEqual(
            self.cells(html, f"unit:{self.health.key}"),
            ["Sundhedsplejen", "fewer than 5 citizens"],
        )

    def test_the_caveat_stands_above_the_figures(self) -> None:
        html = self.page(self.analyst)
        with translation.override("en"):
            caveat = str(CAVEAT)
        self.assertIn(caveat, html)
        self.assertIn('data-testid="caveat"', html)
        self.assertLess(html.index(caveat), html.index('data-testid="chart"'))
        self.assertLess(html.index(caveat), html.index('data-testid="whatworks-table"'))
        # Also when the filters are wrong and there are no figures.
        self.assertIn(caveat, self.page(status=400, start="nonsense"))

    def test_the_chart_plots_the_share_better_off_with_the_citizens_in_the_label(self) -> None:
        html = self.page(self.analyst)
        chart = html[html.index('data-testid="chart"') : html.index('data-testid="groups"')]
        self.assertIn('role="img"', chart)
        self.assertIn("FIT (5 of 5 citizens)", chart)
        self.assertIn("LØFT (6 of 6 citizens)", chart)
        table = chart[chart.index('data-testid="chart-table"') :]
        rows = re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", table, re.DOTALL)
        self.assertEqual(len(rows), 2)
        self.assertIn("80.0 %", rows[0])
        # LØFT for the analyst adds c1 (+8, improved): better off c1, c6, c8 = 3/6.
        self.assertIn("50.0 %", rows[1])

    def test_a_group_with_too_few_rated_citizens_is_listed_but_not_plotted(self) -> None:
        Rating.objects.filter(citizen=self.children[5]).delete()
        html = self.page(self.chief)
        self.assertIn("Not plotted, fewer than 5 citizens with two ratings: FIT.", html)
        self.assertEqual(
            self.cells(html, f"method:{self.fit.pk}")[1:9],
            ["5", "5", "1", "fewer than 5", "–", "–", "–", "–"],
        )

    def test_the_window_defaults_to_the_last_12_months(self) -> None:
        self.login(self.analyst)
        with mock.patch("helhed.analytics.views.whatworks.today", return_value=D(2025, 12, 31)):
            response = self.client.get(URL)
        html = response.content.decode()
        self.assertEqual(response.status_code, 200)
        self.assertIn('name="start" value="2025-01-01"', html)
        self.assertIn('name="end" value="2025-12-31"', html)
        self.assertEqual(self.cells(html, f"method:{self.fit.pk}")[1:3], ["5", "5"])
        self.assertEqual(year_before(D(2025, 12, 31)), D(2025, 1, 1))
        self.assertEqual(year_before(D(2024, 2, 29)), D(2023, 3, 1))

    def test_numbers_are_in_the_reader_s_locale(self) -> None:
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "da"
        html = self.page(self.analyst)
        self.assertEqual(
            self.cells(html, f"method:{self.fit.pk}")[5:8], ["+4,4", "60,0 %", "80,0 %"]
        )

    def test_a_window_without_efforts_says_so(self) -> None:
        html = self.page(self.leader, start="2020-01-01", end="2020-12-31")
        self.assertIn('data-testid="no-efforts"', html)
        self.assertNotIn("whatworks-table", html)

    def test_bad_filters_are_a_400_with_a_clear_message(self) -> None:
        self.login(self.analyst)
        for params, message in (
            ({"start": "2025-13-01"}, "Give a date as YYYY-MM-DD, e.g. 2025-01-31."),
            ({"end": "31/12/2025"}, "Give a date as YYYY-MM-DD, e.g. 2025-12-31."),
            ({"start": "2025-06-01", "end": "2025-01-01"}, "The window ends before it starts."),
            ({"end": "0001-01-01"}, "Give a date between 1990-01-01 and 2100-12-31."),
            ({"start": "9999-12-31"}, "Give a date between 1990-01-01 and 2100-12-31."),
            ({"by": "method"}, "Compare by type of effort or by supplier."),
        ):
            with self.subTest(params=params):
                response = self.client.get(URL, params)
                self.assertEqual(response.status_code, 400)
                html = response.content.decode()
                self.assertIn(message, html)
                self.assertIn('data-testid="filter-error"', html)
                self.assertNotIn("whatworks-table", html)

    def test_the_dashboard_and_benchmark_pages_link_here(self) -> None:
        self.login(self.leader)
        for url in (reverse("analytics:dashboard"), reverse("analytics:benchmark")):
            with self.subTest(url=url):
                html = self.client.get(url).content.decode()
                self.assertIn(f'href="{URL}" data-testid="what-works-link"', html)

    def test_the_page_runs_a_bounded_number_of_queries(self) -> None:
        counts = []
        for staff in (self.leader, self.analyst):
            self.login(staff)
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(URL, {**YEAR, "by": "supplier"})
            self.assertEqual(response.status_code, 200)
            counts.append(len(queries))
        self.assertLessEqual(max(counts), MAX_QUERIES, counts)
        # Five more efforts at Bakkeskolen, with ratings: no more queries.
        for n in range(1, 6):
            self.effort(n, self.school, method=self.loeft)
        self.login(self.analyst)
        with CaptureQueriesContext(connection) as queries:
            self.client.get(URL, {**YEAR, "by": "supplier"})
        self.assertEqual(len(queries), counts[1])


class WhatWorksCsvTests(PageCase):
    def rows(self, staff: Staff, **params: Any) -> list[list[str]]:
        self.login(staff)
        response = self.client.get(CSV_URL, {**YEAR, **params})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn('filename="helhed-what-works-', response["Content-Disposition"])
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))

    def test_the_file_holds_the_page_s_table_and_the_caveat(self) -> None:
        rows = self.rows(self.analyst)
        self.assertEqual(rows[0][:3], ["Group", "Key", "Citizens"])
        self.assertEqual([row[0] for row in rows[1:4]], ["FIT", "Health", "LØFT"])
        self.assertEqual(
            rows[1],
            [
                "FIT",
                f"method:{self.fit.pk}",
                "5",
                "5",
                "1",
                "5",
                "4.4",
                "60.0",
                "80.0",
                "20.0",
                "5",
                "5",
                "40.0",
                "20.0",
                "",
            ],
        )
        self.assertEqual(rows[4], [])
        with translation.override("en"):
            self.assertEqual(rows[5], [str(CAVEAT)])

    def test_a_suppressed_group_is_its_name_and_the_reason_only(self) -> None:
        rows = self.rows(self.analyst)
        self.assertEqual(rows[2], ["Health", self.health_key, *[""] * 12, "Fewer than 5 citizens"])

    def test_a_leader_s_file_holds_only_her_units_and_missing_figures_say_why(self) -> None:
        rows = self.rows(self.leader, by="supplier")
        self.assertEqual(len(rows), 4)  # header, Bakkeskolen, blank, caveat
        self.assertEqual(rows[1][:3], ["Bakkeskolen", f"unit:{self.school.key}", "5"])
        self.assertEqual(rows[1][6], "1.2")
        self.assertEqual(rows[1][10:], ["", "", "", "", "Goals: fewer than 5 citizens with goals"])

    def test_names_cannot_run_as_formulas(self) -> None:
        Method.objects.filter(pk=self.fit.pk).update(name="=FIT()")
        rows = self.rows(self.analyst)
        self.assertIn("'=FIT()", [row[0] for row in rows if row])

    def test_bad_dates_and_front_line_staff_are_refused(self) -> None:
        self.login(self.analyst)
        response = self.client.get(CSV_URL, {"start": "2025-06-01", "end": "2025-01-01"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("The window ends before it starts.", response.content.decode())
        self.login(self.caseworker)
        self.assertEqual(self.client.get(CSV_URL, YEAR).status_code, 403)


class WhatWorksApiTests(WhatWorksData, ApiTestCase):
    def get(self, query: str, as_: Staff | None, status: int = 200) -> Any:
        response = self.api("get", f"{API}{query}", as_=as_)
        self.assertEqual(response.status_code, status, response.content)
        return response.json()

    def test_the_groups_come_with_their_figures_and_the_caveat(self) -> None:
        body = self.get("?start=2025-01-01&end=2025-12-31", self.analyst)
        self.assertEqual(
            (body["by"], body["start"], body["end"]), ("type", "2025-01-01", "2025-12-31")
        )
        with translation.override("en"):
            self.assertEqual(body["caveat"], str(CAVEAT))
        self.assertEqual(body["min_persons"], 5)
        self.assertEqual([g["label"] for g in body["groups"]], ["FIT", "Health", "LØFT"])
        fit = body["groups"][0]
        self.assertEqual((fit["citizens"], fit["efforts"], fit["ended"]), (5, 5, 1))
        self.assertFalse(fit["suppressed"])
        outcome = {k: Decimal(str(v)) for k, v in fit["outcome"].items()}
        self.assertEqual(
            outcome,
            {
                "citizens": 5,
                "mean_change": Decimal("4.4"),
                "improved_share": Decimal("60.0"),
                "better_off_share": Decimal("80.0"),
                "deteriorated_share": Decimal("20.0"),
            },
        )
        goals = {k: Decimal(str(v)) for k, v in fit["goals"].items()}
        self.assertEqual(
            goals,
            {
                "citizens": 5,
                "goals": 5,
                "moved_share": Decimal("40.0"),
                "achieved_share": Decimal("20.0"),
            },
        )

    def test_a_suppressed_group_has_only_its_key_and_label(self) -> None:
        body = self.get("?start=2025-01-01&end=2025-12-31", self.analyst)
        health = body["groups"][1]
        self.assertEqual(
            health,
            {
                "key": self.health_key,
                "label": "Health",
                "suppressed": True,
                "reason_text": "Fewer than 5 citizens.",
                "citizens": None,
                "efforts": None,
                "ended": None,
                "outcome": None,
                "goals": None,
            },
        )

    def test_a_leader_gets_her_units_and_front_line_staff_a_403(self) -> None:
        body = self.get("?by=supplier&start=2025-01-01&end=2025-12-31", self.leader)
        self.assertEqual(
            [(g["label"], g["citizens"]) for g in body["groups"]], [("Bakkeskolen", 5)]
        )
        for staff in (self.caseworker, self.teacher, self.outsider):
            with self.subTest(staff=staff.full_name):
                self.get("", staff, status=403)
        self.get("", None, status=401)

    def test_bad_parameters_are_422(self) -> None:
        for query, field in (
            ("?start=nonsense", None),
            ("?by=method", None),
            ("?start=2025-06-01&end=2025-01-01", "end"),
            ("?end=0001-01-01", "end"),
        ):
            with self.subTest(query=query):
                body = self.get(query, self.analyst, status=422)
                if field is not None:
                    self.assertIn(field, [d["field"] for d in body["detail"]])
