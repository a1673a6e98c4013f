"""Importing the organisation from CSV: counts, idempotency, reorganisations, errors."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from django.test import TestCase
from django.utils import translation

from helhed.organisation.importers import ImportResult, import_csv
from helhed.organisation.models import RoleAssignment, Staff, Unit, leader_for_unit
from helhed.test import municipality

UNITS = """\
id,parent_id,name,unit_type,sector,valid_from,valid_to
BU,K,Børn og Unge,administration,,2020-01-01,
K,,Rudersdal Kommune,municipality,,2020-01-01,
SS,K,Social og Sundhed,administration,,2020-01-01,
BAKKE,BU,Bakkeskolen,institution,school,2020-01-01,
SOL,BU,Børnehuset Solsikken,institution,daycare,2020-01-01,
INDSK,BAKKE,Indskolingen,team,,2021-08-01,
GL,BU,Gammelskolen,institution,school,2020-01-01,2023-07-31
"""

STAFF = """\
id,first_name,last_name,email,unit_id,role,job_title,valid_from,valid_to
E1,Lise,Lund,lise@rudersdal.dk,BAKKE,leader,Skoleleder,2020-01-01,
E2,Tom,Thy,tom@rudersdal.dk,BAKKE,teacher,Lærer,2020-08-01,
E2,Tom,Thy,tom@rudersdal.dk,INDSK,teacher,Lærer,2021-08-01,
E3,Dorte,Dahl,dorte@rudersdal.dk,K,director,Kommunaldirektør,2020-01-01,
E4,Pia,Pors,pia@rudersdal.dk,SOL,pedagogue,Pædagog,2020-01-01,
E5,Anna,Ahl,anna@rudersdal.dk,,,,,
"""

MOVE_ON = dt.date(2024, 8, 1)


def replace_line(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new)


class CsvImportTestCase(TestCase):
    def setUp(self) -> None:
        self.enterContext(translation.override("en"))  # the tests read the English messages
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.dir = Path(tmp.name)

    def write(self, name: str, text: str) -> Path:
        path = self.dir / name
        path.write_text(text, encoding="utf-8")
        return path

    def run_import(
        self, units: str | None = UNITS, staff: str | None = None, **options: object
    ) -> ImportResult:
        return import_csv(
            municipality(230),
            self.write("units.csv", units) if units is not None else None,
            self.write("staff.csv", staff) if staff is not None else None,
            **options,  # type: ignore[arg-type]
        )

    def staff(self, external_id: str) -> Staff:
        return Staff.objects.get(external_id=external_id)

    def unit(self, external_id: str, on: dt.date | None = None) -> Unit:
        return Unit.objects.valid_on(on or dt.date(2022, 1, 1)).get(external_id=external_id)

    def snapshot(self) -> list[tuple[object, ...]]:
        units = list(
            Unit.objects.order_by("pk").values_list(
                "pk",
                "key",
                "parent_id",
                "name",
                "unit_type_id",
                "sector_id",
                "valid_from",
                "valid_to",
            )
        )
        roles = list(
            RoleAssignment.objects.order_by("pk").values_list(
                "pk", "staff_id", "unit_id", "role_id", "valid_from", "valid_to", "job_title"
            )
        )
        staff = list(Staff.objects.order_by("pk").values_list("pk", "first_name", "email"))
        return [*units, *roles, *staff]

    def assert_line_error(self, result: ImportResult, line: int, *fragments: str) -> None:
        matching = [e for e in result.errors if e.line == line]
        self.assertTrue(matching, f"no error on line {line}: {[str(e) for e in result.errors]}")
        text = " ".join(str(e) for e in matching)
        self.assertIn(f"line {line}", text)
        for fragment in fragments:
            self.assertIn(fragment, text)


class ImportUnitsTests(CsvImportTestCase):
    def test_it_creates_the_tree_with_parents_listed_after_children(self) -> None:
        result = self.run_import()

        self.assertEqual(result.errors, [])
        self.assertEqual((result.units.created, result.units.unchanged), (7, 0))
        school = self.unit("BAKKE")
        self.assertEqual(school.name, "Bakkeskolen")
        self.assertEqual(school.unit_type.code, "institution")
        self.assertEqual(school.sector.code if school.sector else None, "school")
        self.assertEqual(
            [u.name for u in school.ancestors()], ["Rudersdal Kommune", "Børn og Unge"]
        )
        self.assertEqual(school.municipality.code, 230)
        old = Unit.objects.get(external_id="GL")
        self.assertEqual(old.valid_to, dt.date(2023, 7, 31))
        self.assertEqual(municipality(230).root_unit(dt.date(2022, 1, 1)), self.unit("K"))

    def test_reimporting_the_same_file_changes_nothing(self) -> None:
        self.run_import(staff=STAFF)
        before = self.snapshot()

        result = self.run_import(staff=STAFF)

        self.assertEqual(result.errors, [])
        self.assertEqual(
            (result.units.created, result.units.updated, result.units.moved), (0, 0, 0)
        )
        self.assertEqual(result.units.unchanged, 7)
        self.assertEqual((result.staff.unchanged, result.assignments.unchanged), (5, 5))
        self.assertEqual(result.staff.created + result.assignments.created, 0)
        self.assertEqual(self.snapshot(), before)

    def test_a_new_parent_with_a_later_valid_from_is_a_reorganisation(self) -> None:
        self.run_import(staff=STAFF)
        old = self.unit("SOL")
        moved = replace_line(
            UNITS,
            "SOL,BU,Børnehuset Solsikken,institution,daycare,2020-01-01,",
            "SOL,SS,Børnehuset Solsikken,institution,daycare,2024-08-01,",
        )

        result = self.run_import(moved, STAFF)

        self.assertEqual(result.errors, [])
        self.assertEqual((result.units.moved, result.units.unchanged), (1, 6))
        old.refresh_from_db()
        self.assertEqual(old.valid_to, dt.date(2024, 7, 31))
        new = self.unit("SOL", MOVE_ON)
        self.assertNotEqual(new.pk, old.pk)
        self.assertEqual(new.key, old.key)
        self.assertEqual(new.predecessor, old)
        self.assertEqual(new.parent, self.unit("SS", MOVE_ON))
        self.assertEqual((new.valid_from, new.valid_to), (MOVE_ON, None))
        # The pedagogue's role followed the unit and still counts as the same role.
        self.assertTrue(new.role_assignments.filter(staff__external_id="E4").exists())
        self.assertEqual(result.assignments.unchanged, 5)

        again = self.run_import(moved, STAFF)
        self.assertEqual((again.units.moved, again.units.unchanged), (0, 7))
        self.assertEqual(again.assignments.unchanged, 5)

    def test_a_new_parent_without_a_later_date_asks_for_on(self) -> None:
        self.run_import()
        moved = replace_line(UNITS, "SOL,BU,", "SOL,SS,")

        result = self.run_import(moved)

        self.assert_line_error(result, 6, "parent_id", "--on")
        self.assertEqual(self.unit("SOL", MOVE_ON).parent, self.unit("BU", MOVE_ON))

        result = self.run_import(moved, on=MOVE_ON)

        self.assertEqual(result.errors, [])
        self.assertEqual(result.units.moved, 1)
        self.assertEqual(self.unit("SOL", MOVE_ON).parent, self.unit("SS", MOVE_ON))
        self.assertEqual(self.unit("SOL", dt.date(2024, 7, 31)).parent, self.unit("BU"))
        self.assertEqual(self.run_import(moved).units.unchanged, 7)

    def test_a_moved_unit_takes_its_subtree_along(self) -> None:
        self.run_import()
        moved = replace_line(UNITS, "BAKKE,BU,", "BAKKE,SS,")

        result = self.run_import(moved, on=MOVE_ON)

        self.assertEqual(result.errors, [])
        team = self.unit("INDSK", MOVE_ON)
        self.assertEqual([u.external_id for u in team.ancestors()], ["K", "SS", "BAKKE"])
        self.assertEqual(result.units.moved, 1)
        self.assertEqual(self.run_import(moved).units.unchanged, 7)

    def test_a_renamed_unit_is_updated_in_place(self) -> None:
        self.run_import()
        school = self.unit("BAKKE")
        renamed = replace_line(UNITS, "Bakkeskolen,institution", "Bakkeskolen Nord,institution")

        result = self.run_import(renamed)

        self.assertEqual((result.units.updated, result.units.unchanged), (1, 6))
        school.refresh_from_db()
        self.assertEqual(school.name, "Bakkeskolen Nord")
        self.assertEqual(Unit.objects.filter(external_id="BAKKE").count(), 1)

    def test_an_end_date_closes_the_unit_its_subtree_and_roles(self) -> None:
        self.run_import(staff=STAFF)
        closed = replace_line(
            UNITS,
            "BAKKE,BU,Bakkeskolen,institution,school,2020-01-01,",
            "BAKKE,BU,Bakkeskolen,institution,school,2020-01-01,2024-07-31",
        )
        closed = replace_line(
            closed,
            "INDSK,BAKKE,Indskolingen,team,,2021-08-01,",
            "INDSK,BAKKE,Indskolingen,team,,2021-08-01,2024-07-31",
        )
        staff = STAFF.replace("Skoleleder,2020-01-01,", "Skoleleder,2020-01-01,2024-07-31")
        staff = staff.replace("Lærer,2020-08-01,", "Lærer,2020-08-01,2024-07-31")
        staff = staff.replace("Lærer,2021-08-01,", "Lærer,2021-08-01,2024-07-31")

        result = self.run_import(closed, staff)

        self.assertEqual(result.errors, [])
        # Closing the school closed its team and the roles in both, so the
        # team's and the roles' rows already agree when their turn comes.
        self.assertEqual((result.units.updated, result.units.unchanged), (1, 6))
        self.assertEqual(result.assignments.unchanged, 5)
        self.assertEqual(self.unit("INDSK").valid_to, dt.date(2024, 7, 31))
        self.assertFalse(Unit.objects.valid_on(MOVE_ON).filter(external_id="BAKKE").exists())
        self.assertIsNone(leader_for_unit(self.unit("BAKKE"), MOVE_ON))
        self.assertEqual(self.run_import(closed, staff).units.unchanged, 7)

    def test_a_dry_run_reports_counts_and_writes_nothing(self) -> None:
        result = self.run_import(staff=STAFF, dry_run=True)

        self.assertEqual(result.errors, [])
        self.assertTrue(result.dry_run)
        self.assertEqual((result.units.created, result.staff.created), (7, 5))
        self.assertIn("Dry run", result.summary())
        self.assertFalse(Unit.objects.exists())
        self.assertFalse(Staff.objects.exists())

    def test_it_reads_semicolons_danish_dates_and_a_bom(self) -> None:
        text = "\ufeff" + UNITS.replace(",", ";").replace("2020-01-01", "01-01-2020")

        result = self.run_import(text)

        self.assertEqual(result.errors, [])
        self.assertEqual(result.units.created, 7)
        self.assertEqual(self.unit("K").valid_from, dt.date(2020, 1, 1))


class ImportStaffTests(CsvImportTestCase):
    def test_it_creates_staff_and_their_roles(self) -> None:
        result = self.run_import(staff=STAFF)

        self.assertEqual(result.errors, [])
        self.assertEqual((result.staff.created, result.assignments.created), (5, 5))
        lise = Staff.objects.get(external_id="E1")
        self.assertEqual(leader_for_unit(self.unit("BAKKE"), dt.date(2022, 1, 1)), lise)
        tom = Staff.objects.get(external_id="E2")
        self.assertEqual(
            sorted(a.unit.external_id for a in tom.assignments_on(dt.date(2022, 1, 1))),
            ["BAKKE", "INDSK"],
        )
        self.assertEqual({a.job_title for a in tom.role_assignments.all()}, {"Lærer"})
        self.assertFalse(Staff.objects.get(external_id="E5").role_assignments.exists())

    def test_a_leader_can_hand_over_within_one_file(self) -> None:
        self.run_import(staff=STAFF)
        handover = STAFF.replace("Skoleleder,2020-01-01,", "Skoleleder,2020-01-01,2024-07-31")
        # The new leader's row comes first; ends are applied before starts.
        handover = handover.replace(
            "E1,Lise",
            "E6,Bo,Berg,bo@rudersdal.dk,BAKKE,leader,Skoleleder,2024-08-01,\nE1,Lise",
            1,
        )

        result = self.run_import(staff=handover)

        self.assertEqual(result.errors, [])
        self.assertEqual(result.assignments.updated, 1)
        self.assertEqual(result.assignments.created, 1)
        school = self.unit("BAKKE")
        self.assertEqual(leader_for_unit(school, dt.date(2024, 7, 31)), self.staff("E1"))
        self.assertEqual(leader_for_unit(school, MOVE_ON), self.staff("E6"))

    def test_a_role_across_a_reorganisation_is_split_and_then_matched(self) -> None:
        self.run_import()
        self.run_import(replace_line(UNITS, "SOL,BU,", "SOL,SS,"), on=MOVE_ON)

        result = self.run_import(None, STAFF)

        self.assertEqual(result.errors, [])
        pieces = RoleAssignment.objects.filter(staff__external_id="E4").order_by("valid_from")
        self.assertEqual(
            [(p.valid_from, p.valid_to) for p in pieces],
            [(dt.date(2020, 1, 1), dt.date(2024, 7, 31)), (MOVE_ON, None)],
        )
        self.assertEqual({p.unit.key for p in pieces}, {self.unit("SOL").key})
        again = self.run_import(None, STAFF)
        self.assertEqual((again.assignments.unchanged, again.assignments.created), (5, 0))

    def test_changed_email_and_job_title_are_updated(self) -> None:
        self.run_import(staff=STAFF)
        changed = STAFF.replace("tom@rudersdal.dk", "tom.thy@rudersdal.dk").replace(
            "BAKKE,teacher,Lærer", "BAKKE,teacher,Overlærer"
        )

        result = self.run_import(staff=changed)

        self.assertEqual(result.errors, [])
        self.assertEqual((result.staff.updated, result.assignments.updated), (1, 1))
        tom = Staff.objects.get(external_id="E2")
        self.assertEqual(tom.email, "tom.thy@rudersdal.dk")
        self.assertEqual(tom.role_assignments.get(unit__external_id="BAKKE").job_title, "Overlærer")


class ImportErrorTests(CsvImportTestCase):
    def test_a_bad_row_rolls_back_every_row(self) -> None:
        bad = replace_line(
            UNITS, "SOL,BU,Børnehuset Solsikken,institution", "SOL,BU,Børnehuset Solsikken,skole"
        )

        result = self.run_import(bad, STAFF)

        self.assertFalse(result.ok)
        self.assert_line_error(result, 6, "unit_type", "'skole'", "institution")
        self.assertEqual(len(result.errors), 1)
        self.assertFalse(Unit.objects.exists())
        self.assertFalse(Staff.objects.exists())
        self.assertIn("nothing was imported", result.summary())

    def test_an_error_found_while_writing_rolls_back_the_rows_already_written(self) -> None:
        # That the team starts before its school shows only once the school is
        # written: the rows written before the error must be undone.
        bad = replace_line(UNITS, "Indskolingen,team,,2021-08-01", "Indskolingen,team,,2019-01-01")

        result = self.run_import(bad, STAFF)

        self.assert_line_error(result, 7, "valid_from", "2019-01-01", "unit 'BAKKE'")
        self.assertEqual(result.units.created, 0)
        self.assertFalse(Unit.objects.exists())
        self.assertFalse(Staff.objects.exists())

    def test_a_bad_reimport_leaves_the_earlier_import_as_it_was(self) -> None:
        self.run_import(staff=STAFF)
        before = self.snapshot()
        # Bakkeskolen's rename is written before Solsikken's move fails for
        # want of a date; the rename must be undone with it.
        bad = replace_line(UNITS, "Bakkeskolen,", "Bakkeskolen Nord,")
        bad = replace_line(bad, "SOL,BU,", "SOL,SS,")

        result = self.run_import(bad, STAFF)

        self.assert_line_error(result, 6, "--on")
        self.assertEqual(self.snapshot(), before)

    def test_errors_name_the_line_and_the_problem(self) -> None:
        cases = [
            (
                "SOL,BU,Børnehuset Solsikken,institution,daycare,2020-01-01,",
                "SOL,BU,Børnehuset Solsikken,institution,daycare,2020-02-30,",
                6,
                ("valid_from", "2020-02-30", "YYYY-MM-DD"),
            ),
            ("SOL,BU,", "SOL,XX,", 6, ("parent_id", "'XX'")),
            ("daycare,2020-01-01,", "daycare,2020-01-01,2019-12-31", 6, ("valid_to", "before")),
            ("daycare,", "vuggestue,", 6, ("sector", "'vuggestue'", "daycare")),
            (
                "SOL,BU,Børnehuset Solsikken",
                "BAKKE,BU,Børnehuset Solsikken",
                6,
                ("'BAKKE'", "twice", "line 5"),
            ),
            ("SOL,BU,Børnehuset Solsikken,institution", "SOL,BU,,institution", 6, ("name",)),
        ]
        for old, new, line, fragments in cases:
            with self.subTest(new):
                result = self.run_import(replace_line(UNITS, old, new))
                self.assert_line_error(result, line, *fragments)
                self.assertFalse(Unit.objects.exists())

    def test_an_unknown_column_is_reported_on_line_one(self) -> None:
        result = self.run_import(UNITS.replace("sector", "sektor", 1))

        self.assert_line_error(result, 1, "sektor")
        self.assertTrue(result.errors[0].where.startswith("units.csv"))

    def test_a_cycle_is_detected_and_names_its_lines(self) -> None:
        cyclic = (
            UNITS
            + "A,C,Alfa,team,,2020-01-01,\n"
            + "B,A,Beta,team,,2020-01-01,\n"
            + "C,B,Gamma,team,,2020-01-01,\n"
        )

        result = self.run_import(cyclic)

        self.assertEqual(len(result.errors), 1)
        self.assert_line_error(result, 9, "cycle", "line 10", "line 11")
        self.assertIn("A → C → B → A", str(result.errors[0]))
        self.assertFalse(Unit.objects.exists())

    def test_a_unit_under_itself_is_a_cycle(self) -> None:
        result = self.run_import(replace_line(UNITS, "SOL,BU,", "SOL,SOL,"))

        self.assert_line_error(result, 6, "cycle", "SOL → SOL")

    def test_staff_errors_name_their_line(self) -> None:
        cases = [
            ("BAKKE,teacher,Lærer,2020-08-01", "BAKKE,rektor,Lærer,2020-08-01", 3, ("'rektor'",)),
            ("BAKKE,teacher,Lærer,2020-08-01", "NOPE,teacher,Lærer,2020-08-01", 3, ("'NOPE'",)),
            (
                "E2,Tom,Thy,tom@rudersdal.dk,INDSK",
                "E2,Tom,Thy,tom@other.dk,INDSK",
                4,
                ("'E2'", "line 3"),
            ),
            ("SOL,pedagogue,Pædagog,2020-01-01,", "SOL,pedagogue,Pædagog,,", 6, ("valid_from",)),
            # Only the model knows about leaders: found while writing, still by line.
            (
                "BAKKE,teacher,Lærer,2020-08-01",
                "BAKKE,leader,Lærer,2020-08-01",
                3,
                ("already has a leader",),
            ),
            ("E3,Dorte,Dahl,dorte@rudersdal.dk", "E3,Dorte,Dahl,not-an-email", 5, ("email",)),
        ]
        for old, new, line, fragments in cases:
            with self.subTest(new):
                result = self.run_import(staff=replace_line(STAFF, old, new))
                self.assert_line_error(result, line, *fragments)
                self.assertFalse(Unit.objects.exists())
                self.assertFalse(Staff.objects.exists())
