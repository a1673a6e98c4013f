"""Management span: who reports directly to each leader, as of a date."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from helhed.organisation.models import Role, RoleAssignment, Staff, Unit
from helhed.organisation.span import management_spans, span_of
from helhed.test import EPOCH, assign, make_staff, make_unit

# The number of queries a span computation takes, whatever the size of the tree.
SPAN_QUERIES = 2


def reports(unit: Unit, on: dt.date | None = None) -> int:
    span = span_of(unit, on)
    assert span is not None, f"{unit} has no leader"
    return span.direct_reports


def leader_of(unit: Unit, on: dt.date) -> Staff | None:
    span = span_of(unit, on)
    return span.leader if span else None


class SpanTestCase(TestCase):
    area: Unit
    school: Unit
    team: Unit
    area_chief: Staff
    school_leader: Staff
    team_leader: Staff
    teachers: list[Staff]
    pedagogues: list[Staff]

    @classmethod
    def setUpTestData(cls) -> None:
        root = make_unit("Rudersdal Kommune", unit_type="municipality")
        administration = make_unit("Børn og Skole", parent=root, unit_type="administration")
        cls.area = make_unit("Nord", parent=administration, unit_type="area")
        cls.school = make_unit("Bakkeskolen", parent=cls.area, sector="school")
        cls.team = make_unit("Indskoling", parent=cls.school, unit_type="team")
        cls.area_chief = make_staff("Anne", unit=cls.area, role="chief")
        cls.school_leader = make_staff("Lise", unit=cls.school, role="leader")
        cls.teachers = [make_staff(f"Lærer{i}", unit=cls.school, role="teacher") for i in range(5)]
        cls.team_leader = make_staff("Tina", unit=cls.team, role="leader")
        cls.pedagogues = [
            make_staff(f"Pædagog{i}", unit=cls.team, role="pedagogue") for i in range(3)
        ]


class SpanTests(SpanTestCase):
    def test_the_school_leader_leads_the_teachers_and_the_team_leader(self) -> None:
        span = span_of(self.school)
        assert span is not None
        assert span.leader == self.school_leader
        assert span.direct_reports == 5 + 1

    def test_the_team_leader_leads_the_pedagogues(self) -> None:
        assert reports(self.team) == 3

    def test_a_leader_reports_to_the_nearest_leader_above(self) -> None:
        assert reports(self.area) == 1  # the school leader, not the teachers

    def test_spans_list_every_leader_in_the_subtree_largest_first(self) -> None:
        spans = management_spans(self.area)
        assert [(s.leader, s.direct_reports) for s in spans] == [
            (self.school_leader, 6),
            (self.team_leader, 3),
            (self.area_chief, 1),
        ]

    def test_spans_of_a_subtree_leave_out_leaders_above_it(self) -> None:
        assert {s.leader for s in management_spans(self.school)} == {
            self.school_leader,
            self.team_leader,
        }

    def test_a_unit_without_a_leader_rolls_its_staff_up(self) -> None:
        leaderless = make_unit("Udskoling", parent=self.school, unit_type="team")
        make_staff("Ulla", unit=leaderless, role="teacher")
        make_staff("Uffe", unit=leaderless, role="teacher")
        assert span_of(leaderless) is None
        assert reports(self.school) == 5 + 1 + 2

    def test_a_leaderless_school_rolls_up_to_the_area(self) -> None:
        RoleAssignment.objects.filter(staff=self.school_leader).update(
            valid_to=dt.date(2022, 12, 31)
        )
        on = dt.date(2023, 1, 1)
        assert span_of(self.school, on) is None
        assert reports(self.area, on) == 5 + 1  # the teachers and the team leader

    def test_a_staff_member_in_two_units_counts_once_per_leader(self) -> None:
        teacher = self.teachers[0]
        assign(teacher, self.team, "pedagogue")
        assign(teacher, self.school, "coordinator")  # a second role in the same unit
        assert reports(self.school) == 6
        assert reports(self.team) == 4

    def test_a_leader_is_not_their_own_report(self) -> None:
        assign(self.school_leader, self.school, "teacher")
        assert reports(self.school) == 6

    def test_someone_who_has_not_started_is_not_counted(self) -> None:
        start = dt.date(2024, 8, 1)
        make_staff("Ny", unit=self.school, role="teacher", valid_from=start)
        assert reports(self.school, start - dt.timedelta(days=1)) == 6
        assert reports(self.school, start) == 7

    def test_someone_who_has_left_is_not_counted(self) -> None:
        assignment = RoleAssignment.objects.get(staff=self.teachers[0])
        assignment.valid_to = dt.date(2023, 6, 30)
        assignment.save()
        assert reports(self.school, dt.date(2023, 6, 30)) == 6
        assert reports(self.school, dt.date(2023, 7, 1)) == 5


class TwoLeadersTests(SpanTestCase):
    def new_leader(self, valid_from: dt.date, valid_to: dt.date | None = None) -> RoleAssignment:
        return RoleAssignment(
            staff=make_staff("Leo"),
            unit=self.school,
            role=Role.objects.get(code="leader"),
            valid_from=valid_from,
            valid_to=valid_to,
        )

    def test_it_rejects_two_leaders_on_one_unit_in_overlapping_periods(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.new_leader(dt.date(2024, 1, 1)).full_clean()
        assert [e.code for e in caught.exception.error_dict["role"]] == ["two_leaders"]

    def test_it_rejects_a_leader_whose_period_ends_inside_the_other(self) -> None:
        existing = RoleAssignment.objects.get(staff=self.school_leader)
        existing.valid_from = dt.date(2022, 1, 1)
        existing.save()
        with self.assertRaises(ValidationError):
            self.new_leader(EPOCH, dt.date(2022, 1, 1)).full_clean()

    def test_it_accepts_a_new_leader_after_the_old_one_left(self) -> None:
        existing = RoleAssignment.objects.get(staff=self.school_leader)
        existing.valid_to = dt.date(2023, 12, 31)
        existing.save()
        successor = self.new_leader(dt.date(2024, 1, 1))
        successor.full_clean()
        successor.save()
        assert leader_of(self.school, dt.date(2024, 1, 1)) == successor.staff
        assert leader_of(self.school, dt.date(2023, 12, 31)) == self.school_leader

    def test_it_accepts_a_leader_and_a_teacher_in_the_same_period(self) -> None:
        RoleAssignment(
            staff=make_staff("Tea"),
            unit=self.school,
            role=Role.objects.get(code="teacher"),
            valid_from=EPOCH,
        ).full_clean()


KIND_UNDER = {"municipality": "area", "area": "institution", "institution": "team"}


def build_tree(size: int) -> Unit:
    """A municipality of ``size`` units, each with a teacher, two in three with a leader."""
    root = make_unit(f"Kommune {size}", unit_type="municipality")
    make_staff("Direktør", unit=root, role="director")
    parents = [root]
    for number in range(1, size):
        parent = parents[(number - 1) // 4]  # breadth first, four children each
        unit = make_unit(
            f"Enhed {number}", parent=parent, unit_type=KIND_UNDER[parent.unit_type.code]
        )
        if unit.unit_type.code in KIND_UNDER:
            parents.append(unit)
        if number % 3:
            make_staff("Leder", unit=unit, role="leader")
        make_staff("Medarbejder", unit=unit, role="teacher")
    return root


def staff_under(root: Unit) -> int:
    return Staff.objects.filter(role_assignments__unit__path__startswith=root.path).count()


class SpanQueryCountTests(TestCase):
    def count_queries(self, root: Unit) -> tuple[int, int]:
        root = Unit.objects.get(pk=root.pk)
        with CaptureQueriesContext(connection) as queries:
            spans = management_spans(root)
            total = sum(s.direct_reports for s in spans)
        return len(queries), total

    def test_spans_take_a_fixed_number_of_queries_whatever_the_size(self) -> None:
        small = build_tree(5)
        large = build_tree(50)
        assert Unit.objects.under(small).count() == 5
        assert Unit.objects.under(large).count() == 50
        assert Unit.objects.under(large).filter(unit_type__code="team").exists()
        small_queries, small_total = self.count_queries(small)
        large_queries, large_total = self.count_queries(large)
        assert small_queries == SPAN_QUERIES
        assert large_queries == SPAN_QUERIES
        # Everyone but the director reports to someone.
        assert small_total == staff_under(small) - 1
        assert large_total == staff_under(large) - 1

    def test_a_span_of_one_unit_takes_the_same_number_of_queries(self) -> None:
        root = build_tree(50)
        unit = Unit.objects.under(root).filter(depth=3).first()
        assert unit is not None
        with self.assertNumQueries(SPAN_QUERIES):
            span_of(unit)


class PoliticiansAreNotReportsTests(SpanTestCase):
    def test_council_members_on_a_unit_do_not_count_in_its_leaders_span(self) -> None:
        before = reports(self.school)
        make_staff("Per", unit=self.school, role="politician")
        make_staff("Anna", unit=self.school, role="analyst")
        # The analyst is an employee and reports to the leader; the politician does not.
        assert reports(self.school) == before + 1
