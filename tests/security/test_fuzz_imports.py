"""Fuzzing the imports: measurement files (CSV and Excel) and the organisation's CSV files.

Whatever a file holds, an import ends in a clean answer: a list of errors
(row, column, message) or a result, and for an unreadable file a
``ValidationError`` on ``file`` that the page shows. Never another exception
(a 500), and never half an import: with any error the tables hold the same
rows as before. Files are random bytes, or CSV and workbooks whose header
names some of the real columns and whose cells mix real codes, names and
periods with numbers of every size and arbitrary text. Derandomized.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase
from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.utils.exceptions import IllegalCharacterError  # type: ignore[import-untyped]

from helhed.organisation.importers import ImportResult, import_csv
from helhed.organisation.importers.csv_import import STAFF_COLUMNS, UNIT_COLUMNS
from helhed.organisation.models import RoleAssignment, Staff, Unit
from helhed.results.actions.measurements import do_import_measurements
from helhed.results.imports import COLUMNS
from helhed.results.models import Measurement
from helhed.test import BaseTestCase, indicator, municipality

FUZZ = settings(
    max_examples=40,
    derandomize=True,
    database=None,
    deadline=dt.timedelta(seconds=10),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FEW = settings(FUZZ, max_examples=8)

NUMBERS = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.sampled_from(["12,5", "1.234,5", "0", "-1", "1e400", "NaN", "Infinity", "٣", "²", ""]),
    st.decimals(allow_nan=True, allow_infinity=True, places=3).map(str),
)
ODD_TEXT = st.text(max_size=20)
# Text a workbook can hold: openpyxl refuses control characters in cells.
CELL_TEXT = st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=20)


def csv_text(header: list[str], rows: list[list[Any]], delimiter: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def workbook(header: list[Any], rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class MeasurementImportFuzzTests(BaseTestCase, HypothesisTestCase):
    """The leader of Bakkeskolen imports values for the units she may record for."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        indicator("fravaer-over-10")  # installs the catalogue

    def cells(self) -> st.SearchStrategy[Any]:
        codes = ["fravaer-over-10", "karakter-02-dansk-matematik", "FRAVAER-OVER-10", "nope"]
        units = [str(self.school.pk), str(self.school.key), "Bakkeskolen", "Hvidovre", "0"]
        periods = ["2025-Q3", "2025-09", "2025", "2025-Q9", "1900-Q1", "2999-Q1", "Q3"]
        return st.one_of(st.sampled_from(codes + units + periods), NUMBERS, CELL_TEXT, st.none())

    def good_cells(self) -> dict[str, st.SearchStrategy[Any]]:
        """For each column, values that are right, so that whole files get through."""
        return {
            "indicator": st.sampled_from(["fravaer-over-10", "Fravaer-Over-10"]),
            "unit": st.sampled_from([str(self.school.pk), "Bakkeskolen", str(self.school.key)]),
            "period": st.sampled_from(["2025-Q1", "2025-Q2", "2025-Q3", "2024-Q4"]),
            "value": st.decimals(min_value=0, max_value=100, places=1).map(str),
            "persons": st.integers(min_value=0, max_value=5000).map(str),
        }

    def tables(self, excel: bool) -> st.SearchStrategy[tuple[list[Any], list[list[Any]]]]:
        """Clean files (the real columns, right values) and messy ones (anything)."""
        standard = ["indicator", "unit", "period", "value", "persons"]
        good = self.good_cells()
        clean = st.permutations(standard).flatmap(
            lambda columns: st.tuples(
                st.just(list(columns)),
                st.lists(st.tuples(*(good[c] for c in columns)).map(list), max_size=4),
            )
        )
        names = [alias for aliases in COLUMNS.values() for alias in aliases[:2]]
        header = st.lists(st.one_of(st.sampled_from(names), CELL_TEXT), min_size=1, max_size=8)
        cell = st.one_of(self.cells(), *good.values())
        if excel:
            cell = st.one_of(
                cell,
                st.integers(min_value=-(10**15), max_value=10**15),
                st.floats(allow_nan=False, allow_infinity=False),
                st.dates(min_value=dt.date(1900, 3, 1)),
                st.booleans(),
            )
        messy = st.tuples(header, st.lists(st.lists(cell, max_size=9), max_size=6))
        tables = st.one_of(clean, messy)
        if excel:
            return tables
        return tables.map(
            lambda table: (
                [str(c) for c in table[0]],
                [["" if c is None else str(c) for c in row] for row in table[1]],
            )
        )

    def attempt(self, filename: str, content: bytes) -> None:
        """Import; a clean answer, and all rows or none."""
        before = Measurement.objects.count()
        allowed = {self.school.pk, self.children_admin.pk}
        try:
            result = do_import_measurements(
                actor=self.leader,
                municipality=municipality(230),
                filename=filename,
                content=content,
                may_record=lambda unit: unit.pk in allowed,
            )
        except ValidationError as exc:
            assert "file" in exc.message_dict, exc
            assert Measurement.objects.count() == before
            event("the file cannot be read")
            return
        after = Measurement.objects.count()
        if result.errors:
            assert after == before, "an import with errors saved rows"
            assert all(error.message for error in result.errors)
            event("row errors")
        else:
            event("imported")
            assert after == before + result.created
            assert result.created + result.updated <= result.rows

    @FUZZ
    @given(content=st.binary(max_size=300), name=st.sampled_from(["v.csv", "v.xlsx", "v.txt"]))
    def test_random_bytes_give_a_file_error_or_row_errors(self, content: bytes, name: str) -> None:
        self.attempt(name, content)

    @FUZZ
    @given(data=st.data(), delimiter=st.sampled_from([";", ","]))
    def test_random_csv_rows_give_row_errors_or_are_imported_whole(
        self, data: st.DataObject, delimiter: str
    ) -> None:
        header, rows = data.draw(self.tables(excel=False))
        text = csv_text(header, rows, delimiter)
        encoding = data.draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
        self.attempt("values.csv", text.encode(encoding, errors="replace"))

    @FEW
    @given(data=st.data())
    def test_random_workbooks_give_row_errors_or_are_imported_whole(
        self, data: st.DataObject
    ) -> None:
        header, rows = data.draw(self.tables(excel=True))
        try:
            content = workbook(header, rows)
        except IllegalCharacterError:
            return  # openpyxl refuses the cell itself (control characters): no file to import
        self.attempt("values.xlsx", content)

    def test_a_huge_number_of_persons_is_a_row_error(self) -> None:
        """Regression: persons past what the column holds went to the database (a 500)."""
        for persons in ("3000000000", "9" * 25):
            text = (
                "indicator;unit;period;value;persons\n"
                f"fravaer-over-10;Bakkeskolen;2025-Q3;5;{persons}\n"
            )
            result = do_import_measurements(
                actor=self.leader,
                municipality=municipality(230),
                filename="v.csv",
                content=text.encode(),
                may_record=lambda unit: True,
            )
            assert [e.column for e in result.errors] == ["persons"], result.errors
        assert not Measurement.objects.exists()

    @FEW
    @given(content=st.binary(max_size=200), name=st.sampled_from(["v.csv", "v.xlsx", "v.xls"]))
    def test_the_import_page_answers_400_never_500(self, content: bytes, name: str) -> None:
        self.login(self.leader)
        response = self.client.post(
            reverse("results:import"), {"file": SimpleUploadedFile(name, content)}
        )
        assert response.status_code in (200, 400), response.status_code


class OrganisationImportFuzzTests(HypothesisTestCase):
    """The organisation's units and staff files: errors, or the whole import."""

    def counts(self) -> tuple[int, int, int]:
        return Unit.objects.count(), Staff.objects.count(), RoleAssignment.objects.count()

    def attempt(self, units: Any, staff: Any) -> ImportResult:
        before = self.counts()
        result = import_csv(municipality(230), units, staff)
        assert isinstance(result, ImportResult)
        if result.errors:
            assert self.counts() == before, "an import with errors wrote rows"
            assert all(str(error) for error in result.errors)
        return result

    @staticmethod
    def files(columns: tuple[str, ...], cells: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        header = st.lists(
            st.one_of(st.sampled_from(columns), st.text(max_size=8)), min_size=1, max_size=10
        )
        rows = st.lists(st.lists(cells, max_size=10), max_size=6)
        return st.builds(csv_text, header, rows, st.sampled_from([",", ";", "\t"])) | st.text(
            max_size=200
        )

    @FUZZ
    @given(data=st.data())
    def test_random_csv_files_give_errors_or_are_imported_whole(self, data: st.DataObject) -> None:
        cells = st.one_of(
            st.sampled_from(
                ["K", "BU", "", "municipality", "institution", "school", "leader", "teacher"]
            ),
            st.dates().map(str),
            st.dates().map(lambda d: d.strftime("%d-%m-%Y")),
            st.sampled_from(["2020-02-30", "31.12.9999", "0001-01-01", "2020-1-1"]),
            st.text(max_size=12),
        )
        units = data.draw(self.files(UNIT_COLUMNS, cells))
        staff = data.draw(st.none() | self.files(STAFF_COLUMNS, cells))
        self.attempt(io.StringIO(units), None if staff is None else io.StringIO(staff))

    @FEW
    @given(content=st.binary(max_size=300))
    def test_random_bytes_in_a_file_give_errors(self, content: bytes) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "units.csv"
            path.write_bytes(content)
            self.attempt(path, None)

    def test_a_cell_past_the_csv_field_limit_is_an_error(self) -> None:
        """Regression: a cell over 128 KB made the csv module raise out of the import."""
        text = "id,name,unit_type,valid_from\nK," + "x" * 200_000 + ",municipality,2020-01-01\n"
        result = self.attempt(io.StringIO(text), None)
        assert result.errors
