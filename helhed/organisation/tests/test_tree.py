"""The unit tree: subtree and ancestor queries, history by date, and the tree's rules."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.utils import translation

from helhed.organisation import actions
from helhed.organisation.models import Unit, UnitType
from helhed.test import make_unit, municipality


def codes(exc: ValidationError, field: str) -> set[str | None]:
    return {error.code for error in exc.error_dict[field]}


class TreeTestCase(TestCase):
    root: Unit
    admin: Unit
    north: Unit
    school: Unit
    team: Unit
    south: Unit
    other_root: Unit

    @classmethod
    def setUpTestData(cls) -> None:
        cls.root = make_unit("Rudersdal Kommune", unit_type="municipality")
        cls.admin = make_unit("Børn og Skole", parent=cls.root, unit_type="administration")
        cls.north = make_unit("Nord", parent=cls.admin, unit_type="area")
        cls.school = make_unit("Bakkeskolen", parent=cls.north, sector="school")
        cls.team = make_unit("Indskoling", parent=cls.school, unit_type="team")
        cls.south = make_unit("Syd", parent=cls.admin, unit_type="area")
        cls.other_root = make_unit(
            "Hvidovre Kommune", unit_type="municipality", municipality_code=167
        )

    def new_unit(self, **fields: object) -> Unit:
        values: dict[str, object] = {
            "name": "Ny enhed",
            "municipality": municipality(),
            "unit_type": UnitType.objects.get(code="institution"),
            "parent": self.north,
            "valid_from": dt.date(2021, 1, 1),
        }
        values.update(fields)
        return Unit(**values)


class SubtreeTests(TreeTestCase):
    def test_under_returns_exactly_the_subtree(self) -> None:
        assert set(Unit.objects.under(self.north)) == {self.north, self.school, self.team}
        assert set(Unit.objects.under(self.admin)) == {
            self.admin,
            self.north,
            self.school,
            self.team,
            self.south,
        }
        assert set(Unit.objects.under(self.team)) == {self.team}

    def test_under_can_leave_out_the_unit_itself(self) -> None:
        assert set(Unit.objects.under(self.north, include_self=False)) == {self.school, self.team}

    def test_under_is_one_query(self) -> None:
        with self.assertNumQueries(1):
            units = list(Unit.objects.under(self.admin))
        assert len(units) == 5

    def test_under_returns_the_subtree_in_tree_order(self) -> None:
        names = [u.name for u in Unit.objects.under(self.north)]
        assert names == ["Nord", "Bakkeskolen", "Indskoling"]

    def test_it_does_not_leak_between_siblings_whose_ids_share_a_prefix(self) -> None:
        first = make_unit("Skole A", parent=self.south)
        # A sibling whose id is the first's id followed by a zero: "...12." vs "...120.".
        second = self.new_unit(name="Skole B", parent=self.south, valid_from=dt.date(2020, 1, 1))
        second.pk = first.pk * 10
        second.save()
        assert second.path == f"{self.south.path}{first.pk * 10}."
        assert second.path.startswith(first.path.rstrip("."))  # the trap is real
        first_team = make_unit("Team A", parent=first, unit_type="team")
        second_team = make_unit("Team B", parent=second, unit_type="team")

        assert set(Unit.objects.under(first)) == {first, first_team}
        assert set(Unit.objects.under(second)) == {second, second_team}

    def test_it_stores_the_path_and_depth_on_creation(self) -> None:
        assert (
            self.team.path
            == f"{self.root.pk}.{self.admin.pk}.{self.north.pk}.{self.school.pk}.{self.team.pk}."
        )
        assert self.team.depth == 5
        assert self.root.depth == 1


class AncestorTests(TreeTestCase):
    def test_ancestors_come_from_the_path_root_first(self) -> None:
        assert self.team.ancestor_ids() == [
            self.root.pk,
            self.admin.pk,
            self.north.pk,
            self.school.pk,
        ]
        assert list(self.team.ancestors()) == [self.root, self.admin, self.north, self.school]

    def test_the_root_has_no_ancestors(self) -> None:
        assert self.root.ancestor_ids() == []
        assert not self.root.ancestors().exists()

    def test_descendants_exclude_the_unit(self) -> None:
        assert set(self.north.descendants()) == {self.school, self.team}


class AsOfDateTests(TreeTestCase):
    def test_a_closed_unit_shows_only_in_its_period(self) -> None:
        closed = make_unit(
            "Lukket skole",
            parent=self.north,
            valid_from=dt.date(2021, 8, 1),
            valid_to=dt.date(2022, 7, 31),
        )
        under = Unit.objects.under(self.north)
        assert closed not in under.valid_on(dt.date(2021, 7, 31))
        assert closed in under.valid_on(dt.date(2021, 8, 1))
        assert closed in under.valid_on(dt.date(2022, 7, 31))
        assert closed not in under.valid_on(dt.date(2022, 8, 1))
        # The open units are there throughout.
        assert self.school in under.valid_on(dt.date(2030, 1, 1))

    def test_descendants_as_of_a_date(self) -> None:
        closed = make_unit(
            "Lukket team",
            parent=self.school,
            unit_type="team",
            valid_from=dt.date(2021, 1, 1),
            valid_to=dt.date(2021, 12, 31),
        )
        assert closed in self.school.descendants(on=dt.date(2021, 6, 1))
        assert closed not in self.school.descendants(on=dt.date(2022, 6, 1))

    def test_a_municipality_root_as_of_a_date(self) -> None:
        assert municipality().root_unit(dt.date(2021, 1, 1)) == self.root
        assert municipality().root_unit(dt.date(2019, 12, 31)) is None


class TreeRuleTests(TreeTestCase):
    def test_it_rejects_unit_under_itself(self) -> None:
        unit = Unit.objects.get(pk=self.school.pk)
        unit.parent = unit
        with self.assertRaises(ValidationError) as caught:
            unit.full_clean()
        assert "self_parent" in codes(caught.exception, "parent")

    def test_it_rejects_moving_a_unit_under_itself_through_actions(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            actions.do_move_unit(self.school, self.school, dt.date(2024, 1, 1))
        assert "parent" in caught.exception.error_dict
        assert Unit.objects.get(pk=self.school.pk).valid_to is None

    def test_it_rejects_a_parent_in_another_municipality(self) -> None:
        unit = self.new_unit(parent=self.other_root)
        with self.assertRaises(ValidationError) as caught:
            unit.full_clean()
        assert "other_municipality" in codes(caught.exception, "parent")

    def test_it_rejects_a_parent_in_another_municipality_through_actions(self) -> None:
        before = Unit.objects.count()
        with self.assertRaises(ValidationError) as caught:
            actions.do_create_unit(
                municipality=municipality(),
                name="Forkert",
                unit_type=UnitType.objects.get(code="administration"),
                parent=self.other_root,
                valid_from=dt.date(2021, 1, 1),
            )
        assert "other_municipality" in codes(caught.exception, "parent")
        assert Unit.objects.count() == before

    def test_it_rejects_an_institution_under_a_team(self) -> None:
        unit = self.new_unit(parent=self.team)
        with self.assertRaises(ValidationError) as caught:
            unit.full_clean()
        assert "level_order" in codes(caught.exception, "unit_type")

    def test_it_rejects_a_child_at_the_same_level_as_its_parent(self) -> None:
        before = Unit.objects.count()
        with self.assertRaises(ValidationError) as caught:
            actions.do_create_unit(
                municipality=municipality(),
                name="Skole i skolen",
                unit_type=UnitType.objects.get(code="institution"),
                parent=self.school,
                valid_from=dt.date(2021, 1, 1),
            )
        assert "level_order" in codes(caught.exception, "unit_type")
        assert Unit.objects.count() == before

    def test_it_accepts_a_child_that_skips_a_level(self) -> None:
        unit = actions.do_create_unit(
            municipality=municipality(),
            name="Direkte team",
            unit_type=UnitType.objects.get(code="team"),
            parent=self.admin,
            valid_from=dt.date(2021, 1, 1),
        )
        assert unit in Unit.objects.under(self.admin)

    def test_it_rejects_a_period_that_ends_before_it_starts(self) -> None:
        unit = self.new_unit(valid_from=dt.date(2022, 1, 1), valid_to=dt.date(2021, 12, 31))
        with self.assertRaises(ValidationError) as caught:
            unit.full_clean()
        assert "period_order" in codes(caught.exception, "valid_to")

    def test_it_rejects_a_period_that_ends_before_it_starts_through_actions(self) -> None:
        with self.assertRaises(ValidationError):
            actions.do_create_unit(
                municipality=municipality(),
                name="Baglæns",
                unit_type=UnitType.objects.get(code="institution"),
                parent=self.north,
                valid_from=dt.date(2022, 1, 1),
                valid_to=dt.date(2021, 12, 31),
            )
        assert not Unit.objects.filter(name="Baglæns").exists()

    def test_it_accepts_a_one_day_period(self) -> None:
        unit = self.new_unit(valid_from=dt.date(2022, 1, 1), valid_to=dt.date(2022, 1, 1))
        unit.full_clean()

    def test_the_database_rejects_a_period_that_ends_before_it_starts_on_save(self) -> None:
        unit = self.new_unit(valid_from=dt.date(2022, 1, 1), valid_to=dt.date(2021, 12, 31))
        with self.assertRaises(IntegrityError), transaction.atomic():
            unit.save()
        assert not Unit.objects.filter(name="Ny enhed").exists()

    def test_the_database_rejects_a_period_that_ends_before_it_starts_in_bulk(self) -> None:
        unit = self.new_unit(valid_from=dt.date(2022, 1, 1), valid_to=dt.date(2021, 12, 31))
        with self.assertRaises(IntegrityError), transaction.atomic():
            Unit.objects.bulk_create([unit])
        assert not Unit.objects.filter(name="Ny enhed").exists()

    def test_it_rejects_a_period_that_starts_before_its_parent(self) -> None:
        parent = make_unit(
            "Kort område",
            parent=self.admin,
            unit_type="area",
            valid_from=dt.date(2021, 1, 1),
            valid_to=dt.date(2022, 12, 31),
        )
        for start, end in (
            (dt.date(2020, 12, 31), dt.date(2021, 6, 30)),  # starts too early
            (dt.date(2021, 6, 1), dt.date(2023, 1, 1)),  # ends too late
            (dt.date(2021, 6, 1), None),  # open-ended under a closing parent
        ):
            with self.subTest(start=start, end=end):
                unit = self.new_unit(parent=parent, valid_from=start, valid_to=end)
                with self.assertRaises(ValidationError) as caught:
                    unit.full_clean()
                assert "outside_parent" in codes(caught.exception, "valid_from")
        self.new_unit(
            parent=parent, valid_from=dt.date(2021, 1, 1), valid_to=dt.date(2022, 12, 31)
        ).full_clean()

    def test_it_rejects_changing_the_parent_in_place(self) -> None:
        unit = Unit.objects.get(pk=self.school.pk)
        unit.parent = self.south
        with self.assertRaises(ValidationError) as caught:
            unit.full_clean()
        assert "parent_changed" in codes(caught.exception, "parent")
        with translation.override("en"):
            assert any("reorganise" in m for m in caught.exception.message_dict["parent"])

    def test_it_allows_renaming_in_place(self) -> None:
        unit = Unit.objects.get(pk=self.school.pk)
        unit.name = "Bakkeskolen (ny)"
        unit.full_clean()
        unit.save()
        assert Unit.objects.get(pk=self.school.pk).path == self.school.path
