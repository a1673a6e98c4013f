"""The dashboard's CSV and Excel files: the page's selection, hidden cells without their number.

The cells are those of ``test_dashboard.DashboardCase`` (see its docstring);
the leader's selection is Bakkeskolen and its team, everyone, 2024-Q1 to 2025-Q4.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.urls import reverse
from openpyxl import load_workbook  # type: ignore[import-untyped]

from helhed.analytics.tests.test_dashboard import RANGE, DashboardCase
from helhed.organisation.models import Unit

CSV_URL = reverse("analytics:dashboard_csv")
XLSX_URL = reverse("analytics:dashboard_xlsx")
ABSENCE_NAME = "Elever med mere end 10 % fravær"
WELLBEING_NAME = "Trivsel (den nationale trivselsmåling)"
PRIMARY = "hidden (fewer than 5)"
COMPLEMENTARY = "hidden (so a number under 5 cannot be worked out)"
HEADER = [
    "Unit",
    "Indicator",
    "Indicator name",
    "Period",
    "Group",
    "Value",
    "Persons",
    "Not shown because",
]


def school_rows(team: str = "Indskolingen") -> list[list[str]]:
    absence = ["Bakkeskolen", "fravaer-over-10", ABSENCE_NAME]
    wellbeing = ["Bakkeskolen", "trivsel", WELLBEING_NAME]
    return [
        [*absence, "2024-Q1", "Everyone", "14.000", "40", ""],
        [*absence, "2024-Q2", "Everyone", "13.500", "41", ""],
        [*absence, "2024-Q4", "Everyone", "12.000", "40", ""],
        [*absence, "2025-Q1", "Everyone", "", "", PRIMARY],
        [*absence, "2025-Q2", "Everyone", "11.500", "42", ""],
        [*absence, "2025-Q3", "Everyone", "", "", COMPLEMENTARY],
        [*absence, "2025-Q4", "Everyone", "10.500", "43", ""],
        [*wellbeing, "2024", "Everyone", "3.850", "200", ""],
        [*wellbeing, "2025", "Everyone", "3.900", "210", ""],
        [team, "fravaer-over-10", ABSENCE_NAME, "2025-Q4", "Everyone", "", "", PRIMARY],
    ]


class ExportTests(DashboardCase):
    def csv_rows(self, **params: Any) -> list[list[str]]:
        response = self.client.get(CSV_URL, {**RANGE, **params})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn("attachment;", response["Content-Disposition"])
        text = response.content.decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text), delimiter=";"))

    def test_the_csv_holds_the_unit_and_the_units_beneath(self) -> None:
        self.login(self.leader)
        rows = self.csv_rows(unit=self.school.pk)
        self.assertEqual(rows[0], HEADER)
        self.assertEqual(rows[1:], school_rows())

    def test_the_csv_follows_the_group_and_the_periods(self) -> None:
        self.login(self.leader)
        rows = self.csv_rows(unit=self.school.pk, group="sex:F", **{"from": "2025-Q4"})
        self.assertEqual(
            rows[1:],
            [
                [
                    "Bakkeskolen",
                    "fravaer-over-10",
                    ABSENCE_NAME,
                    "2025-Q4",
                    "Female",
                    "9.800",
                    "20",
                    "",
                ]
            ],
        )

    def test_the_hidden_number_is_not_in_the_files(self) -> None:
        self.login(self.politician)
        for url in (CSV_URL, XLSX_URL):
            with self.subTest(url=url):
                response = self.client.get(url, {**RANGE, "unit": self.school.pk})
                self.assertEqual(response.status_code, 200)
                self.assertNotIn(b"81.357", response.content)
                self.assertNotIn(b"81,357", response.content)
        book = load_workbook(
            io.BytesIO(self.client.get(XLSX_URL, {**RANGE, "unit": self.school.pk}).content)
        )
        numbers = [cell.value for row in book.active.iter_rows() for cell in row]
        self.assertFalse(any(isinstance(v, float) and 81 < v < 82 for v in numbers))

    def test_the_workbook_has_the_same_rows_with_numbers_as_numbers(self) -> None:
        self.login(self.leader)
        response = self.client.get(XLSX_URL, {**RANGE, "unit": self.school.pk})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response["Content-Type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        self.assertEqual(rows[0], HEADER)
        expected = [
            [
                *row[:5],
                float(row[5]) if row[5] else None,
                int(row[6]) if row[6] else None,
                row[7] or None,
            ]
            for row in school_rows()
        ]
        self.assertEqual(rows[1:], expected)

    def test_a_name_that_looks_like_a_formula_is_not_run(self) -> None:
        Unit.objects.filter(pk=self.team.pk).update(name="=HYPERLINK(1)")
        self.login(self.leader)
        rows = self.csv_rows(unit=self.school.pk)
        self.assertEqual(rows[1:], school_rows(team="'=HYPERLINK(1)"))
        sheet = load_workbook(
            io.BytesIO(self.client.get(XLSX_URL, {**RANGE, "unit": self.school.pk}).content)
        ).active
        self.assertEqual(sheet.cell(row=11, column=1).value, "'=HYPERLINK(1)")

    def test_the_page_links_to_both_files_with_its_selection(self) -> None:
        self.login(self.leader)
        response = self.client.get(
            reverse("analytics:dashboard"), {**RANGE, "unit": self.school.pk}
        )
        query = f"unit={self.school.pk}&amp;group=all&amp;from=2024-Q1&amp;to=2025-Q4"
        self.assertContains(response, f'href="{CSV_URL}?{query}"')
        self.assertContains(response, f'href="{XLSX_URL}?{query}"')

    def test_a_sibling_unit_or_a_bad_filter_gives_no_file(self) -> None:
        self.login(self.leader)
        self.assertEqual(self.client.get(CSV_URL, {"unit": self.sibling.pk}).status_code, 404)
        response = self.client.get(XLSX_URL, {"from": "2025-Q9"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("is not a period", response.content.decode())
