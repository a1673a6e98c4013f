"""Reorganisation: moving a unit closes the old registrations and opens successors."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.test import TestCase
from django.utils import translation

from helhed import policy
from helhed.citizens.models import Citizen, Engagement
from helhed.organisation.actions import do_move_unit
from helhed.organisation.models import RoleAssignment, Staff, Unit, UnitType, leader_for_unit
from helhed.organisation.span import span_of
from helhed.test import assign, engage, make_citizen, make_staff, make_unit, municipality

ON = dt.date(2024, 8, 1)
DAY_BEFORE = dt.date(2024, 7, 31)


class ReorganiseTestCase(TestCase):
    root: Unit
    admin: Unit
    north: Unit
    south: Unit
    school: Unit
    team: Unit
    school_leader: Staff
    teacher: Staff
    team_leader: Staff
    pedagogue: Staff
    pupil: Citizen
    ended: Engagement

    @classmethod
    def setUpTestData(cls) -> None:
        cls.root = make_unit("Rudersdal Kommune", unit_type="municipality")
        cls.admin = make_unit("Børn og Skole", parent=cls.root, unit_type="administration")
        cls.north = make_unit("Nord", parent=cls.admin, unit_type="area")
        cls.south = make_unit("Syd", parent=cls.admin, unit_type="area")
        cls.school = make_unit("Bakkeskolen", parent=cls.north, sector="school")
        cls.team = make_unit("Indskoling", parent=cls.school, unit_type="team")
        cls.school_leader = make_staff("Lise", unit=cls.school, role="leader", username="lise")
        cls.teacher = make_staff("Tom", unit=cls.school, role="teacher", username="tom")
        cls.team_leader = make_staff("Tina", unit=cls.team, role="leader")
        cls.pedagogue = make_staff("Per", unit=cls.team, role="pedagogue", username="per")
        cls.pupil = make_citizen("Alma", current_unit=cls.school)
        engage(cls.pupil, unit=cls.school, kind=Engagement.Kind.TEACHING)
        engage(cls.pupil, unit=cls.team, kind=Engagement.Kind.DAYCARE)
        cls.ended = engage(
            cls.pupil,
            unit=cls.school,
            kind=Engagement.Kind.PPR,
            valid_from=dt.date(2021, 1, 1),
            valid_to=dt.date(2021, 12, 31),
        )

    def successor(self, unit: Unit) -> Unit:
        return Unit.objects.valid_on(ON).get(key=unit.key)


class MoveUnitTests(ReorganiseTestCase):
    def test_the_successor_sits_under_the_new_parent_with_the_same_identity(self) -> None:
        new = do_move_unit(self.school, self.south, ON)
        assert new.pk != self.school.pk
        assert new.key == self.school.key
        assert new.parent == self.south
        assert new.predecessor == self.school
        assert new.valid_from == ON
        assert new.valid_to is None
        assert new.path.startswith(self.south.path)
        assert (new.name, new.unit_type, new.sector) == (
            self.school.name,
            self.school.unit_type,
            self.school.sector,
        )

    def test_the_old_registrations_end_the_day_before(self) -> None:
        do_move_unit(self.school, self.south, ON)
        for unit in (self.school, self.team):
            unit.refresh_from_db()
            assert unit.valid_to == DAY_BEFORE
            assert unit.parent_id is not None
        assert Unit.objects.get(pk=self.school.pk).parent == self.north

    def test_the_subtree_moves_along(self) -> None:
        new_school = do_move_unit(self.school, self.south, ON)
        new_team = self.successor(self.team)
        assert new_team.parent == new_school
        assert new_team.predecessor == self.team
        assert {u.key for u in Unit.objects.under(self.south).valid_on(ON)} == {
            self.south.key,
            self.school.key,
            self.team.key,
        }

    def test_the_old_organisation_is_intact_as_of_the_day_before(self) -> None:
        do_move_unit(self.school, self.south, ON)
        before = set(Unit.objects.under(self.north).valid_on(DAY_BEFORE))
        assert before == {self.north, self.school, self.team}
        assert set(Unit.objects.under(self.south).valid_on(DAY_BEFORE)) == {self.south}
        after = set(Unit.objects.under(self.north).valid_on(ON))
        assert after == {self.north}

    def test_role_assignments_are_carried_to_the_successor(self) -> None:
        new_school = do_move_unit(self.school, self.south, ON)
        new_team = self.successor(self.team)
        assert leader_for_unit(new_school, ON) == self.school_leader
        assert leader_for_unit(new_team, ON) == self.team_leader
        assert leader_for_unit(self.school, DAY_BEFORE) == self.school_leader
        assert leader_for_unit(self.school, ON) is None
        staff_on_new = set(
            RoleAssignment.objects.valid_on(ON)
            .filter(unit__in=[new_school, new_team])
            .values_list("staff_id", flat=True)
        )
        assert staff_on_new == {
            self.school_leader.pk,
            self.teacher.pk,
            self.team_leader.pk,
            self.pedagogue.pk,
        }
        old = RoleAssignment.objects.filter(unit__in=[self.school, self.team])
        assert set(old.values_list("valid_to", flat=True)) == {DAY_BEFORE}

    def test_the_management_span_is_the_same_after_the_move(self) -> None:
        before = span_of(self.school, DAY_BEFORE)
        new_school = do_move_unit(self.school, self.south, ON)
        after = span_of(new_school, ON)
        assert before is not None and after is not None
        assert (after.leader, after.direct_reports) == (before.leader, before.direct_reports)
        assert after.direct_reports == 2  # the teacher and the team leader

    def test_a_future_role_assignment_moves_with_the_unit(self) -> None:
        newcomer = make_staff("Nina")
        later = dt.date(2024, 9, 1)
        assign(newcomer, self.school, "teacher", valid_from=later)
        new_school = do_move_unit(self.school, self.south, ON)
        moved = RoleAssignment.objects.get(staff=newcomer)
        assert moved.unit == new_school
        assert moved.valid_from == later

    def test_open_engagements_move_to_the_successor(self) -> None:
        new_school = do_move_unit(self.school, self.south, ON)
        new_team = self.successor(self.team)
        open_now = Engagement.objects.valid_on(ON).filter(citizen=self.pupil)
        assert {(e.unit_id, e.kind) for e in open_now} == {
            (new_school.pk, Engagement.Kind.TEACHING),
            (new_team.pk, Engagement.Kind.DAYCARE),
        }
        old = Engagement.objects.filter(citizen=self.pupil, unit__in=[self.school, self.team])
        assert {e.valid_to for e in old.exclude(pk=self.ended.pk)} == {DAY_BEFORE}

    def test_an_ended_engagement_stays_with_the_old_unit(self) -> None:
        do_move_unit(self.school, self.south, ON)
        self.ended.refresh_from_db()
        assert self.ended.unit == self.school
        assert self.ended.valid_to == dt.date(2021, 12, 31)

    def test_a_future_engagement_moves_with_the_unit(self) -> None:
        later = dt.date(2024, 10, 1)
        future = engage(self.pupil, unit=self.school, kind=Engagement.Kind.PPR, valid_from=later)
        new_school = do_move_unit(self.school, self.south, ON)
        future.refresh_from_db()
        assert future.unit == new_school
        assert future.valid_from == later

    def test_the_current_unit_follows(self) -> None:
        new_school = do_move_unit(self.school, self.south, ON)
        self.pupil.refresh_from_db()
        assert self.pupil.current_unit == new_school

    def test_staff_keep_seeing_their_pupils_after_the_move(self) -> None:
        do_move_unit(self.school, self.south, ON)
        for staff in (self.teacher, self.pedagogue):
            assert self.pupil in policy.visible_citizens(staff.user, on=ON), staff

    def test_moving_twice_keeps_the_identity(self) -> None:
        first = do_move_unit(self.school, self.south, ON)
        later = dt.date(2025, 8, 1)
        second = do_move_unit(first, self.north, later)
        assert second.key == self.school.key
        assert second.predecessor == first
        assert Unit.objects.filter(key=self.school.key).count() == 3
        assert Unit.objects.valid_on(later).get(key=self.team.key).parent == second


def snapshot() -> tuple[object, ...]:
    """Every row a move touches, with the fields it changes."""
    return (
        sorted(Unit.objects.values_list("pk", "parent_id", "valid_from", "valid_to")),
        sorted(RoleAssignment.objects.values_list("pk", "unit_id", "valid_from", "valid_to")),
        sorted(Engagement.objects.values_list("pk", "unit_id", "valid_from", "valid_to")),
        sorted(Citizen.objects.values_list("pk", "current_unit_id")),
    )


class MoveRuleTests(ReorganiseTestCase):
    def test_it_rejects_moving_a_unit_under_its_own_descendant(self) -> None:
        before = snapshot()
        with translation.override("en"), self.assertRaises(ValidationError) as caught:
            do_move_unit(self.north, self.team, ON)
        messages = caught.exception.message_dict["parent"]
        assert any("itself or one of its own units" in m for m in messages), messages
        assert snapshot() == before

    def test_it_rejects_moving_a_unit_under_itself(self) -> None:
        before = snapshot()
        with self.assertRaises(ValidationError):
            do_move_unit(self.school, self.school, ON)
        assert snapshot() == before

    def test_it_rejects_a_parent_in_another_municipality(self) -> None:
        other_area = Unit.objects.create(
            name="Andet område",
            municipality=municipality(167),
            unit_type=UnitType.objects.get(code="area"),
            valid_from=dt.date(2020, 1, 1),
        )
        before = snapshot()
        with self.assertRaises(ValidationError):
            do_move_unit(self.school, other_area, ON)
        assert snapshot() == before

    def test_it_rejects_a_parent_at_the_same_level(self) -> None:
        other_school = make_unit("Skovskolen", parent=self.south)
        before = snapshot()
        with self.assertRaises(ValidationError):
            do_move_unit(self.school, other_school, ON)
        assert snapshot() == before

    def test_it_rejects_a_date_before_the_unit_existed(self) -> None:
        before = snapshot()
        with self.assertRaises(ValidationError):
            do_move_unit(self.school, self.south, self.school.valid_from)
        assert snapshot() == before

    def test_the_move_is_atomic(self) -> None:
        # The team was registered (bypassing validation) to outlive the school,
        # so the team's successor fails validation after the school's successor,
        # its role assignments and its engagements have been written.
        Unit.objects.filter(pk=self.school.pk).update(valid_to=dt.date(2030, 12, 31))
        self.school.refresh_from_db()
        before = snapshot()
        with self.assertRaises(ValidationError) as caught:
            do_move_unit(self.school, self.south, ON)
        assert "valid_from" in caught.exception.error_dict  # the team's period check
        assert snapshot() == before
