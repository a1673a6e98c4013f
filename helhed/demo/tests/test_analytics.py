"""The demo's observations: the engine computes exactly the demo's planned numbers from them."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock

import duckdb
import numpy as np
import pandas as pd
from django.db.models import Q
from django.test import SimpleTestCase, TestCase, override_settings

from helhed.analytics import engine, store
from helhed.analytics.definitions import BY_CODE, Total
from helhed.analytics.kinds import KINDS
from helhed.analytics.models import Cell, Profile
from helhed.demo import analytics, results
from helhed.demo.generator import (
    MunicipalitySpec,
    clear_municipalities,
    generate,
    generate_municipality,
    plan_municipalities,
)
from helhed.organisation.models import Municipality
from helhed.results.models import Measurement
from helhed.results.periods import Frequency, Period

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
INHABITANTS = 3_000  # one school, small teams: small numbers and suppression show


def temporary_store(case: type[TestCase]) -> Path:
    """A store file of the test class's own, deleted with it."""
    folder = tempfile.TemporaryDirectory(prefix="helhed-demo-analytics-")
    case.addClassCleanup(folder.cleanup)
    path = Path(folder.name) / "analytics.duckdb"
    case.enterClassContext(override_settings(ANALYTICS_STORE=path))
    return path


def period_number(period: Period) -> int:
    """The engine's integer period: 20253 for 2025-Q3, 2025 for 2025."""
    return period.year * 10 + period.number if period.kind == Frequency.QUARTERLY else period.year


def planned(plans: list[Any]) -> Iterator[tuple[str, int, int, Any]]:
    """(indicator, unit id, period, the plan's cell) for every unit of every plan."""
    for plan in plans:
        for code, totals in plan.totals.items():
            periods = plan.series_periods.get(code) or plan.periods(BY_CODE[code].frequency)
            for unit, series in totals.items():
                for period, cell in zip(periods, series, strict=True):
                    if cell is not None:
                        yield code, unit.pk, period_number(period), cell


@override_settings(PASSWORD_HASHERS=FAST_HASHERS)
class DemoObservationsTests(TestCase):
    path: Path
    plans: list[Any]
    main: Municipality
    comparable: Municipality

    @classmethod
    def setUpClass(cls) -> None:
        cls.path = temporary_store(cls)
        super().setUpClass()

    @classmethod
    def setUpTestData(cls) -> None:
        made: list[Any] = []
        make_values = results._Results.make_values

        def keep(plan: Any) -> None:
            make_values(plan)
            made.append(plan)

        specs = plan_municipalities([230], INHABITANTS, seed=5, comparable=1)
        with mock.patch.object(results._Results, "make_values", keep):
            generate(specs, password="demo")
        cls.plans = made
        cls.main = Municipality.objects.get(code=specs[0].code)
        cls.comparable = Municipality.objects.get(code=specs[1].code)

    def query(self, sql: str, parameters: list[Any] | None = None) -> list[tuple[Any, ...]]:
        connection = duckdb.connect(str(self.path), read_only=True)
        try:
            return connection.execute(sql, parameters or []).fetchall()
        finally:
            connection.close()

    def engine_cells(self) -> dict[tuple[str, int, int], Any]:
        """The engine's group "all" for every unit and period, before suppression."""
        connection = store.open_store(self.path)
        try:
            cells = engine.compute(connection).cells
        finally:
            connection.close()
        overall = cells[cells["grp"] == "all"]
        return {
            (row.indicator, int(row.unit_id), int(row.period)): row
            for row in overall.itertuples(index=False)
        }

    def test_the_engine_gives_the_plans_numbers_for_every_unit_and_period(self) -> None:
        found = self.engine_cells()
        seen = set()
        for code, unit_id, period, cell in planned(self.plans):
            key = (code, unit_id, period)
            seen.add(key)
            computed = found[key]
            self.assertEqual(computed.persons, cell.persons, key)
            if isinstance(BY_CODE[code].template, Total):
                # Thousand kroner planned; the payments are in kroner.
                self.assertEqual(computed.numerator, cell.numerator * 1000 * 1000, key)
                self.assertTrue(pd.isna(computed.denominator), key)
            else:
                self.assertEqual(computed.numerator, cell.numerator * 1000, key)
                self.assertEqual(computed.denominator, cell.denominator * 1000, key)
        self.assertGreater(len(seen), 2000)
        # Nothing the plan does not hold: no quarter before the plan's first, no stray unit.
        self.assertEqual(set(found) - seen, set())

    def test_published_values_are_the_plans_where_they_are_shown(self) -> None:
        plan = next(p for p in self.plans if p.municipality.code == self.main.code)
        school = plan.schools[0]
        quarter = plan.quarters[-1]
        cell = plan.totals["fravaer-over-10"][school][-1]
        published = Cell.objects.get(
            indicator_code="fravaer-over-10", unit_key=school.key, period=quarter.code, group="all"
        )
        self.assertEqual(published.suppression, "")
        self.assertEqual(published.numerator, cell.numerator)
        self.assertEqual(published.denominator, cell.denominator)
        self.assertEqual(published.persons, cell.persons)
        self.assertEqual(published.value, cell.value(100))
        measured = Measurement.objects.get(
            indicator__code="fravaer-over-10", unit_key=school.key, period=quarter.code
        )
        self.assertEqual(measured.value, cell.value(100))
        self.assertEqual(measured.source, Measurement.Source.COMPUTED)
        # The rate per 1,000 children of the whole municipality, from the teams' numbers.
        root = plan.org.root
        notes = plan.totals["underretninger-pr-1000"][root][-1]
        published = Cell.objects.get(
            indicator_code="underretninger-pr-1000",
            unit_key=root.key,
            period=quarter.code,
            group="all",
        )
        self.assertEqual(published.value, notes.value(1000))
        self.assertGreater(published.persons or 0, 400)

    def test_no_cell_under_five_persons_shows_a_number(self) -> None:
        ours = Cell.objects.filter(municipality__in=[self.main, self.comparable])
        self.assertTrue(ours.filter(suppression=Cell.Suppression.PRIMARY).exists())
        self.assertTrue(ours.filter(suppression=Cell.Suppression.COMPLEMENTARY).exists())
        self.assertFalse(ours.filter(persons__lt=5).exists())
        hidden = ours.exclude(suppression="")
        self.assertFalse(
            hidden.filter(
                Q(value__isnull=False) | Q(numerator__isnull=False) | Q(persons__isnull=False)
            ).exists()
        )
        small = Measurement.objects.filter(
            indicator__municipality=self.main, indicator__code__in=BY_CODE, persons__lt=5
        )
        self.assertTrue(small.exists())
        self.assertFalse(small.exclude(value=0).exists())

    def test_the_store_holds_every_kind_within_its_range(self) -> None:
        rows = self.query(
            "SELECT kind, COUNT(*), MIN(value), MAX(value) FROM observations GROUP BY kind"
        )
        self.assertEqual({row[0] for row in rows}, set(KINDS))
        for kind, count, low, high in rows:
            self.assertGreater(count, 0, kind)
            self.assertGreaterEqual(low, KINDS[kind].low, kind)
            self.assertLessEqual(high, KINDS[kind].high, kind)
        municipalities = {row[0] for row in self.query("SELECT municipality FROM observations")}
        self.assertEqual(municipalities, {self.main.code, self.comparable.code})
        batches = self.query("SELECT source, rows FROM batches ORDER BY batch")
        self.assertEqual(len(batches), 2)
        self.assertEqual(
            sum(rows for _source, rows in batches),
            self.query("SELECT COUNT(*) FROM observations")[0][0],
        )

    def test_each_municipality_has_a_profile_to_be_compared_by(self) -> None:
        for municipality, inhabitants in ((self.main, INHABITANTS), (self.comparable, None)):
            profile = Profile.objects.get(municipality=municipality)
            self.assertGreaterEqual(profile.social_index, Decimal("0.80"))
            self.assertLessEqual(profile.social_index, Decimal("1.20"))
            if inhabitants is not None:
                self.assertEqual(profile.inhabitants, inhabitants)
            else:
                self.assertGreaterEqual(profile.inhabitants, INHABITANTS * 0.6)

    def test_pupils_keep_their_pseudonym_and_move_up_a_grade(self) -> None:
        plan = next(p for p in self.plans if p.municipality.code == self.main.code)
        spring = next(q for q in plan.quarters if q.number == 2)
        autumn = spring.next()
        rows = self.query(
            """SELECT a.pseudonym, a.birth_year, b.birth_year, b.pseudonym IS NOT NULL
               FROM observations a LEFT JOIN observations b
                 ON b.pseudonym = a.pseudonym AND b.kind = 'enrolment'
                AND b.date BETWEEN ? AND ?
               WHERE a.kind = 'enrolment' AND a.municipality = ? AND a.date BETWEEN ? AND ?""",
            [autumn.start, autumn.end, self.main.code, spring.start, spring.end],
        )
        ages = [spring.year - 1 - born for _p, born, _b, _stays in rows]
        # In spring of a school year, 0th grade was born 6 years before the year it began.
        self.assertEqual((min(ages), max(ages)), (6, 15))
        stayed = [row for row in rows if row[3]]
        left = [row for row in rows if not row[3]]
        self.assertTrue(all(before == after for _p, before, after, _s in stayed))
        ninth = [row for row in rows if spring.year - 1 - row[1] == 15]
        self.assertTrue(ninth)
        self.assertLessEqual({row[0] for row in ninth}, {row[0] for row in left})
        self.assertGreater(len(stayed) / len(rows), 0.85)

    def test_absence_is_counted_in_school_days_and_over_ten_percent_as_planned(self) -> None:
        plan = next(p for p in self.plans if p.municipality.code == self.main.code)
        school, quarter = plan.schools[0], plan.quarters[-1]
        days = len(analytics.school_days(quarter))
        rows = self.query(
            """SELECT e.pseudonym, e.value, COALESCE(SUM(a.value), 0) AS absent
               FROM observations e LEFT JOIN observations a
                 ON a.pseudonym = e.pseudonym AND a.kind = 'absence_day'
                AND a.unit_id = e.unit_id AND a.date BETWEEN ? AND ?
               WHERE e.kind = 'enrolment' AND e.unit_id = ? AND e.date BETWEEN ? AND ?
               GROUP BY e.pseudonym, e.value""",
            [quarter.start, quarter.end, school.pk, quarter.start, quarter.end],
        )
        cell = plan.leaves["fravaer-over-10"][school][-1]
        self.assertEqual({row[1] for row in rows}, {Decimal(days)})
        self.assertEqual(len(rows), cell.denominator)
        self.assertEqual(sum(1 for row in rows if row[2] * 10 > days), cell.numerator)
        self.assertTrue(all(row[2] <= days for row in rows))


class CalendarTests(SimpleTestCase):
    def test_school_days_leave_out_holidays(self) -> None:
        # Q3 2025: school starts Monday 11 August (15 days) and all 22 weekdays of September.
        self.assertEqual(len(analytics.school_days(Period(Frequency.QUARTERLY, 2025, 3))), 37)
        # Q1 2025: 23 weekdays in January less 1 and 2 January, 20 in February less the
        # winter holiday (10-14 February), 21 in March.
        days = analytics.school_days(Period(Frequency.QUARTERLY, 2025, 1))
        self.assertEqual(len(days), 57)
        self.assertEqual(days[0], np.datetime64("2025-01-03"))
        self.assertNotIn(np.datetime64("2025-02-12"), days)

    def test_working_days_are_spread_over_the_quarter(self) -> None:
        days = analytics.working_days(Period(Frequency.QUARTERLY, 2025, 3), 50)
        self.assertEqual(len(set(days.tolist())), 50)
        self.assertEqual(days[0], np.datetime64("2025-07-01"))
        self.assertEqual(days[-1], np.datetime64("2025-09-30"))
        self.assertNotIn(
            np.datetime64("2025-12-24"),
            analytics.working_days(Period(Frequency.QUARTERLY, 2025, 4), 59),
        )

    def test_fix_sum_reaches_the_total_within_the_bounds(self) -> None:
        rng = np.random.default_rng(1)
        fixed = analytics.fix_sum(np.array([1, 1, 1]), 11, 0, 4, rng)
        self.assertEqual(int(fixed.sum()), 11)
        self.assertEqual(sorted(fixed.tolist()), [3, 4, 4])
        fixed = analytics.fix_sum(np.array([5, 5]), 3, 1, 9, rng)
        self.assertEqual(sorted(fixed.tolist()), [1, 2])
        with self.assertRaises(ValueError):
            analytics.fix_sum(np.array([1, 1]), 9, 0, 4, rng)


@override_settings(PASSWORD_HASHERS=FAST_HASHERS)
class ClearingTests(TestCase):
    path: Path

    @classmethod
    def setUpClass(cls) -> None:
        cls.path = temporary_store(cls)
        super().setUpClass()

    def test_clearing_removes_cells_profiles_and_the_stored_rows(self) -> None:
        generate_municipality(MunicipalitySpec(230, 2_000, seed=2), on=dt.date(2025, 8, 1))
        municipality = Municipality.objects.get(code=230)
        self.assertTrue(Cell.objects.filter(municipality=municipality).exists())
        self.assertTrue(Profile.objects.filter(municipality=municipality).exists())
        self.assertTrue(self.path.exists())
        with self.captureOnCommitCallbacks(execute=True):
            clear_municipalities([230])
        self.assertFalse(Cell.objects.exists())
        self.assertFalse(Profile.objects.exists())
        self.assertFalse(Measurement.objects.exists())
        # Nothing else was in the store, so it is gone: the next demo starts afresh.
        self.assertFalse(self.path.exists())
