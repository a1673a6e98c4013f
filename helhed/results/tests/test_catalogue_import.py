"""Importing values from CSV and Excel: the format, row errors, all-or-nothing, API and command."""

from __future__ import annotations

import io
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook  # type: ignore[import-untyped]

from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.results.models import Measurement
from helhed.results.tests.test_catalogue_pages import CatalogueCase
from helhed.test import indicator, record_value

GOOD_CSV = (
    "Indikator;Enhed;Periode;Værdi;Tæller;Nævner;Personer\n"
    "fravaer-over-10;Bakkeskolen;2025-Q3;12,5;25;200;200\n"
    "fravaer-over-10;Bakkeskolen;2025-Q2;;22;200;200\n"
)


def upload(content: bytes | str, name: str = "values.csv") -> SimpleUploadedFile:
    data = content.encode("utf-8") if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def xlsx(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class ImportPageTests(CatalogueCase):
    def send(self, content: bytes | str, name: str = "values.csv", dry_run: bool = False) -> Any:
        data: dict[str, Any] = {"file": upload(content, name)}
        if dry_run:
            data["dry_run"] = "on"
        return self.client.post(self.url("import"), data)

    def test_a_semicolon_csv_with_decimal_comma_and_danish_headers_is_imported(self) -> None:
        self.login(self.leader)
        response = self.send("\ufeff" + GOOD_CSV)
        self.assertContains(response, "Imported 2 rows: 2 values added, 0 replaced.")
        values = dict(
            Measurement.objects.filter(indicator=self.absence).values_list("period", "value")
        )
        assert values == {"2025-Q3": Decimal("12.5"), "2025-Q2": Decimal("11")}
        assert set(Measurement.objects.values_list("source", flat=True)) == {"import"}

    def test_a_comma_csv_in_windows_1252_is_imported_and_replaces_values(self) -> None:
        record_value(self.absence, self.school, "2025-Q3", 30)
        text = (
            "INDICATOR,unit,period,value,persons\n"
            f"fravaer-over-10,{self.school.key},2025-Q3,12.5,200\n"
        )
        self.login(self.director)
        response = self.send(text.encode("cp1252"))
        self.assertContains(response, "Imported 1 row: 0 values added, 1 replaced.")
        value = Measurement.objects.get(indicator=self.absence, unit_key=self.school.key)
        assert value.value == Decimal("12.5")

    def test_an_xlsx_workbook_is_imported(self) -> None:
        content = xlsx(
            [
                ["indicator", "unit", "period", "value", "persons"],
                ["fravaer-over-10", self.school.pk, "2025-Q3", 12.5, 200],
                ["karakter-02-dansk-matematik", "Bakkeskolen", 2025, 91, 60],
            ]
        )
        self.login(self.leader)
        response = self.send(content, "values.xlsx")
        self.assertContains(response, "Imported 2 rows: 2 values added")
        assert Measurement.objects.get(period="2025").value == Decimal("91")

    def test_a_dry_run_checks_and_saves_nothing(self) -> None:
        self.login(self.leader)
        response = self.send(GOOD_CSV, dry_run=True)
        self.assertContains(response, "Every row is fine (2 rows).")
        self.assertContains(response, "Importing would add 2 values and replace 0.")
        one_row = "\n".join(GOOD_CSV.splitlines()[:2]) + "\n"
        response = self.send(one_row, dry_run=True)
        self.assertContains(response, "Every row is fine (1 row).")
        self.assertContains(response, "Importing would add 1 value and replace 0.")
        assert not Measurement.objects.exists()

    def test_one_bad_row_is_reported_and_nothing_is_saved(self) -> None:
        text = GOOD_CSV + "fravaer-over-10;Bakkeskolen;2025-Q1;1.234,5;;;200\n"
        self.login(self.leader)
        before = Measurement.objects.count()
        response = self.send(text)
        assert response.status_code == 400
        self.assertContains(response, "1 problem in the file. Nothing was saved", status_code=400)
        errors = response.context["result"].errors
        assert [(e.row, e.column, e.value) for e in errors] == [(4, "value", "1.234,5")]
        assert "without thousands separators" in errors[0].message
        assert Measurement.objects.count() == before

    def test_every_rule_of_a_value_applies_to_each_row(self) -> None:
        text = (
            "indicator;unit;period;value;numerator;denominator\n"
            "fravaer-over-10;Bakkeskolen;2025;12;;\n"
            "fravaer-over-10;Bakkeskolen;2025-Q3;120;;\n"
            "fravaer-over-10;Bakkeskolen;2025-Q2;14;25;200\n"
            "ventetid-henvisninger;Bakkeskolen;2025-Q3;5;;\n"
            "nothing;Bakkeskolen;2025-Q3;5;;\n"
            "fravaer-over-10;Nowhere;2025-Q3;5;;\n"
            "fravaer-over-10;Bakkeskolen;2025-Q4;5;;\n"
            "fravaer-over-10;Bakkeskolen;2025-Q4;6;;\n"
        )
        self.login(self.director)
        response = self.send(text)
        found = {(e.row, e.column): e.message for e in response.context["result"].errors}
        assert "is measured quarterly" in found[(2, "period")]
        assert found[(3, "value")] == "A percentage must be between 0 and 100."
        assert "does not agree" in found[(4, "value")]
        assert "cannot be entered by hand or imported" in found[(5, "indicator")]
        assert "No indicator with the code “nothing”" in found[(6, "indicator")]
        assert "No unit “Nowhere”" in found[(7, "unit")]
        assert "Row 8 already gives a value" in found[(9, "")]
        assert not Measurement.objects.exists()

    def test_a_row_for_a_unit_the_leader_does_not_lead_refuses_the_whole_file(self) -> None:
        text = GOOD_CSV + "fravaer-over-10;Familieafdelingen;2025-Q3;9,5;;;40\n"
        self.login(self.leader)
        response = self.send(text)
        errors = response.context["result"].errors
        assert [(e.row, e.column) for e in errors] == [(4, "unit")]
        assert errors[0].message == "You may not record values for Familieafdelingen."
        assert not Measurement.objects.exists()

    def test_files_that_cannot_be_read_give_a_clear_error_and_change_nothing(self) -> None:
        record_value(self.absence, self.school, "2025-Q3", 30)
        self.login(self.director)
        for content, name, message in (
            (
                "indicator;unit;period\nfravaer-over-10;Bakkeskolen;2025-Q3\n",
                "v.csv",
                "The file lacks the column(s) value.",
            ),
            ("", "v.csv", "The submitted file is empty."),
            ("   \n\n", "v.csv", "The file is empty."),
            ("indicator;unit;period;value\n", "v.csv", "no rows of values"),
            (bytes(range(256)) * 4, "v.csv", "The file is not text."),
            (b"PK\x03\x04garbage", "v.xlsx", "not an Excel workbook (.xlsx) that can be read"),
            (b"%PDF-1.4", "v.pdf", "Upload a CSV file (.csv) or an Excel workbook (.xlsx)."),
        ):
            response = self.send(content, name)
            assert response.status_code == 400, name
            self.assertContains(response, message, status_code=400)
        assert Measurement.objects.get().value == Decimal("30")

    def test_a_file_over_5_mb_is_refused(self) -> None:
        self.login(self.director)
        big = "indicator;unit;period;value\n" + "x" * (5 * 1024 * 1024)
        response = self.send(big)
        self.assertContains(response, "larger than 5 MB", status_code=400)

    def test_permissions_and_the_sample_file(self) -> None:
        for person in (self.teacher, self.caseworker):
            self.login(person)
            assert self.get("import").status_code == 403
            assert self.send(GOOD_CSV).status_code == 403
        self.login(self.leader)
        page = self.get("import")
        self.assertContains(page, "Download a sample file")
        sample = self.get("import_sample")
        assert sample.status_code == 200 and sample["Content-Type"].startswith("text/csv")
        # The sample imports as it is.
        response = self.send(sample.content)
        self.assertContains(response, "Imported 3 rows")
        assert self.client.put(self.url("import")).status_code == 405


class ImportApiTests(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.absence = indicator("fravaer-over-10")

    def post_file(self, content: str, as_: Any, **data: Any) -> Any:
        return self.client.post(
            "/api/results/measurements/import",
            {"file": upload(content), **data},
            headers={"authorization": f"Bearer {self.token_for(as_)}", "accept-language": "en"},
        )

    def test_a_good_file_is_imported(self) -> None:
        response = self.post_file(GOOD_CSV, self.leader)
        assert response.status_code == 200
        assert response.json() == {"rows": 2, "created": 2, "updated": 0, "dry_run": False}
        dry = self.post_file(GOOD_CSV, self.leader, dry_run="true")
        assert dry.json() == {"rows": 2, "created": 0, "updated": 2, "dry_run": True}

    def test_a_bad_row_gives_422_with_the_rows_and_saves_nothing(self) -> None:
        text = GOOD_CSV + "fravaer-over-10;Bakkeskolen;2025-Q1;140;;;200\n"
        response = self.post_file(text, self.leader)
        assert response.status_code == 422
        assert response.json()["rows"] == [
            {
                "row": 4,
                "column": "value",
                "message": "A percentage must be between 0 and 100.",
                "value": "140",
            }
        ]
        assert not Measurement.objects.exists()

    def test_an_unreadable_file_is_422_and_a_teacher_gets_403(self) -> None:
        response = self.post_file("indicator;unit\nx;y\n", self.director)
        assert response.status_code == 422
        assert "lacks the column(s)" in response.json()["detail"][0]["message"]
        assert self.post_file(GOOD_CSV, self.teacher).status_code == 403
        assert not Measurement.objects.exists()


class ImportCommandTests(CatalogueCase):
    def run_command(self, content: str, *args: str) -> tuple[str, str]:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "values.csv"
            path.write_text(content, encoding="utf-8")
            out, err = io.StringIO(), io.StringIO()
            call_command(
                "import_measurements",
                "--municipality",
                "230",
                str(path),
                *args,
                stdout=out,
                stderr=err,
            )
            return out.getvalue(), err.getvalue()

    @translation.override("en")
    def test_it_imports_and_sums_up(self) -> None:
        out, _err = self.run_command(GOOD_CSV, "--dry-run")
        assert out.strip() == "2 rows are fine: 2 would be added, 0 replaced."
        assert not Measurement.objects.exists()
        out, _err = self.run_command(GOOD_CSV)
        assert out.strip() == "Imported 2 rows: 2 added, 0 replaced."
        assert Measurement.objects.count() == 2

    @translation.override("en")
    def test_row_errors_are_printed_and_the_exit_code_is_1(self) -> None:
        text = GOOD_CSV + "fravaer-over-10;Bakkeskolen;2025-Q1;140;;;200\n"
        err = io.StringIO()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "values.csv"
            path.write_text(text, encoding="utf-8")
            with self.assertRaises(CommandError) as caught:
                call_command("import_measurements", "--municipality", "230", str(path), stderr=err)
        assert caught.exception.returncode == 1
        assert "1 error in 3 rows; nothing was imported." in str(caught.exception)
        assert "row 4, value: A percentage must be between 0 and 100." in err.getvalue()
        assert not Measurement.objects.exists()
