"""Publishing: the engine's cells, suppressed, reach Cell and Measurement; nothing small leaks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings

from helhed.analytics import store
from helhed.analytics.actions import compute_and_publish, period_code, units_from_organisation
from helhed.analytics.models import Cell, ComputeRun
from helhed.analytics.operational import observations_since, pseudonym
from helhed.plans.models import Notification
from helhed.results.models import Measurement
from helhed.test import indicator, make_citizen, make_staff, make_unit, record_value

Q1 = dt.date(2025, 2, 3)


def pupils(school: Any, count: int, absent: int, first: int, days: int = 60) -> list[tuple]:
    """``count`` pupils enrolled in 2025-Q1; ``absent`` of them absent 7 of 60 days (>10 %)."""
    rows: list[tuple] = []
    for number in range(first, first + count):
        rows.append(
            (number, 2014, "F" if number % 2 else "M", str(school.key), 230, Q1, "enrolment", days)
        )
        if number < first + absent:
            rows += [
                (
                    number,
                    2014,
                    "F" if number % 2 else "M",
                    str(school.key),
                    230,
                    Q1 + dt.timedelta(days=day),
                    "absence_day",
                    1,
                )
                for day in range(7)
            ]
    return rows


class PublishTests(TestCase):
    root: Any
    admin: Any
    big: Any
    small: Any
    other: Any
    absence: Any

    @classmethod
    def setUpTestData(cls) -> None:
        cls.root = make_unit("Kommunen", unit_type="municipality")
        cls.admin = make_unit("Børn og Skole", parent=cls.root, unit_type="administration")
        cls.big = make_unit("Storskolen", parent=cls.admin, sector="school")
        cls.small = make_unit("Lilleskolen", parent=cls.admin, sector="school")
        cls.other = make_unit("Midtskolen", parent=cls.admin, sector="school")
        cls.absence = indicator("fravaer-over-10")

    def setUp(self) -> None:
        self.connection = store.open_store()
        store.replace_units(self.connection, units_from_organisation())
        # 40 pupils (10 over 10 %), 30 (3 over), and 3 (1 over): the 3 must stay hidden.
        rows = pupils(self.big, 40, 10, 1) + pupils(self.other, 30, 3, 100)
        rows += pupils(self.small, 3, 1, 200)
        store.load_rows(self.connection, rows, "test")

    def tearDown(self) -> None:
        self.connection.close()

    def cell(self, unit: Any, group: str = "all") -> Cell:
        return Cell.objects.get(
            indicator_code="fravaer-over-10", unit_key=unit.key, period="2025-Q1", group=group
        )

    def test_values_are_published_for_every_unit_and_group(self) -> None:
        published = compute_and_publish(self.connection)
        assert published.periods == ["2025", "2025-Q1"]
        # 14 of 73 pupils: 19.178 %.
        root = self.cell(self.root)
        assert (root.value, root.persons) == (Decimal("19.178"), 73)
        assert root.numerator == Decimal(14) and root.denominator == Decimal(73)
        big = self.cell(self.big)
        assert big.value == Decimal("25.000")
        assert self.cell(self.big, "sex:F").persons == 20
        assert self.cell(self.big, "age:6-11").persons == 40  # born 2014: 11 in 2025
        assert ComputeRun.objects.get().cells == published.cells

    def test_a_small_school_and_its_smallest_sibling_are_hidden_without_numbers(self) -> None:
        compute_and_publish(self.connection)
        small = self.cell(self.small)
        assert small.suppression == Cell.Suppression.PRIMARY
        assert (small.value, small.numerator, small.persons) == (None, None, None)
        # Otherwise administration - Storskolen - Midtskolen would give Lilleskolen.
        sibling = self.cell(self.other)
        assert sibling.suppression == Cell.Suppression.COMPLEMENTARY
        assert sibling.value is None
        assert self.cell(self.big).suppression == ""
        visible = Cell.objects.filter(suppression="").exclude(persons__gte=5)
        assert not visible.exists()

    def test_measurements_follow_the_cells_and_hide_what_they_hide(self) -> None:
        compute_and_publish(self.connection)
        rows = {
            m.unit_key: m
            for m in Measurement.objects.filter(indicator=self.absence, period="2025-Q1")
        }
        assert rows[self.big.key].value == Decimal("25.000")
        assert rows[self.big.key].source == Measurement.Source.COMPUTED
        assert rows[self.other.key].suppressed and rows[self.other.key].value == 0
        assert (rows[self.small.key].persons or 0) < 5
        assert rows[self.small.key].value == 0

    def test_a_measurement_entered_by_hand_is_kept(self) -> None:
        record_value(self.absence, self.big, "2025-Q1", "12.5")
        compute_and_publish(self.connection)
        kept = Measurement.objects.get(
            indicator=self.absence, unit_key=self.big.key, period="2025-Q1"
        )
        assert (kept.value, kept.source) == (Decimal("12.500"), Measurement.Source.MANUAL)

    def test_incremental_runs_compute_only_new_years(self) -> None:
        compute_and_publish(self.connection)
        assert compute_and_publish(self.connection).periods == []
        later = [(1, 2014, "M", str(self.big.key), 230, dt.date(2026, 4, 1), "enrolment", 60)]
        store.load_rows(self.connection, later, "later")
        published = compute_and_publish(self.connection)
        assert published.periods == ["2026", "2026-Q2"]
        # 2025 is still there, untouched.
        assert self.cell(self.root).value == Decimal("19.178")

    def test_publishing_one_municipality_leaves_the_others_cells_alone(self) -> None:
        compute_and_publish(self.connection)
        before = Cell.objects.count()
        other = make_unit("Hvidovre Kommune", unit_type="municipality", municipality_code=167)
        store.replace_units(self.connection, units_from_organisation())
        store.load_rows(self.connection, pupils(other, 8, 2, 500), "hvidovre")
        published = compute_and_publish(self.connection, full=True, municipalities=[167])
        assert Cell.objects.filter(municipality__code=167).count() == published.cells > 0
        assert Cell.objects.filter(municipality__code=230).count() == before

    def test_period_codes(self) -> None:
        assert (period_code(20253), period_code(2025)) == ("2025-Q3", "2025")


class ComputeCommandTests(TestCase):
    root: Any
    team: Any
    teacher: Any
    child: Any

    @classmethod
    def setUpTestData(cls) -> None:
        cls.root = make_unit("Kommunen", unit_type="municipality")
        cls.team = make_unit("Familieteam", parent=cls.root, sector="social")
        cls.teacher = make_staff("Tina", unit=cls.team, role="caseworker", username="tina")
        cls.child = make_citizen("Alma", birth_date=dt.date(2015, 3, 1))

    def test_the_command_loads_files_and_prints_progress(self) -> None:
        with self.settings_store() as path:
            file = path.parent / "obs.csv"
            lines = ["pseudonym,birth_year,sex,unit,municipality,date,kind,value"]
            lines += [
                f"{n},2015,F,{self.team.key},230,2025-01-01,child_resident,1" for n in range(10)
            ]
            lines.append(f"3,2015,F,{self.team.key},230,2025-05-02,notification,1")
            file.write_text("\n".join(lines) + "\n")
            out = StringIO()
            call_command("compute", "--load", str(file), stdout=out)
            text = out.getvalue()
            assert "loaded 11 observations from obs.csv" in text
            assert "Computed" in text and "suppressed" in text
            # 1 notification per 10 children: 100 per 1,000.
            cell = Cell.objects.get(
                indicator_code="underretninger-pr-1000",
                unit_key=self.team.key,
                period="2025-Q2",
                group="all",
            )
            assert cell.value == Decimal("100.000")
            out = StringIO()
            call_command("compute", stdout=out)
            assert "Nothing new to compute." in out.getvalue()

    def test_a_refused_file_stops_the_command(self) -> None:
        with self.settings_store() as path:
            file = path.parent / "bad.csv"
            file.write_text(
                "pseudonym,birth_year,sex,unit,municipality,date,kind,value\n"
                f"1,2015,F,{self.team.key},230,2025-01-01,nonsense,1\n"
            )
            with self.assertRaisesMessage(CommandError, "unknown kind"):
                call_command("compute", "--load", str(file), stdout=StringIO())
            assert not Cell.objects.exists()

    def test_notifications_leave_the_database_pseudonymised(self) -> None:
        Notification.objects.create(
            citizen=self.child,
            reported_by=self.teacher,
            from_unit=self.team,
            to_unit=self.team,
            reported_on=dt.date(2025, 5, 2),
            reason="Bekymring for Alma Jensen",
        )
        rows = observations_since(dt.date(2025, 1, 1))
        assert rows == [
            (
                pseudonym(self.child.cpr_hash),
                2015,
                "F",
                str(self.team.key),
                230,
                dt.date(2025, 5, 2),
                "notification",
                1,
            )
        ]
        text = repr(rows)
        assert "Alma" not in text and self.child.cpr_hash not in text
        assert observations_since(dt.date(2025, 6, 1)) == []

    def settings_store(self) -> Any:
        import contextlib
        import tempfile

        @contextlib.contextmanager
        def temporary() -> Any:
            with tempfile.TemporaryDirectory() as directory:
                path = Path(directory) / "store.duckdb"
                with override_settings(ANALYTICS_STORE=path):
                    yield path

        return temporary()
