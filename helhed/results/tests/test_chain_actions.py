"""The rules of committees, ambitions and markers, as the actions keep them."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation

from helhed.results.actions.chain import (
    do_create_ambition,
    do_create_committee,
    do_create_marker,
    do_move_marker,
    do_set_ambition_active,
    do_update_ambition,
    do_update_committee,
    do_update_marker,
    is_cross_cutting,
)
from helhed.results.models import Ambition, Committee, Marker
from helhed.results.scope import markers_for
from helhed.test import BaseTestCase, indicator, make_staff, make_unit


class ChainCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.enterContext(translation.override("en"))
        self.committee = do_create_committee(actor=self.analyst, name="Børne- og Skoleudvalget")

    def ambition(self, **changes: Any) -> Ambition:
        arguments: dict[str, Any] = {
            "actor": self.analyst,
            "committee": self.committee,
            "title": "Alle børn lærer mere",
            "first_year": 2025,
            "last_year": 2028,
            "owner": self.chief,
            "units": [self.children_admin],
        }
        arguments.update(changes)
        return do_create_ambition(**arguments)

    def marker(self, ambition: Ambition, **changes: Any) -> Marker:
        arguments: dict[str, Any] = {
            "actor": self.chief,
            "ambition": ambition,
            "title": "Flere børn i almenskolen",
            "owner": self.leader,
            "indicators": [indicator("almenskole-andel")],
        }
        arguments.update(changes)
        return do_create_marker(**arguments)

    def messages_of(self, caught: Any, field: str) -> str:
        return " ".join(caught.exception.message_dict[field])


class CommitteeRuleTests(ChainCase):
    def test_a_committee_has_a_unique_name_in_its_municipality(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            do_create_committee(actor=self.director, name="  børne- og skoleudvalget ")
        assert "already has a committee with this name" in self.messages_of(caught, "name")
        other = do_create_committee(actor=self.outsider, name="Børne- og Skoleudvalget")
        assert other.municipality.code == 167

    def test_a_committee_needs_a_name_and_a_known_cadence(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            do_create_committee(actor=self.director, name=" ")
        assert "name" in caught.exception.message_dict
        with self.assertRaises(ValidationError) as caught:
            do_update_committee(
                actor=self.director, committee=self.committee, name="X", cadence="weekly"
            )
        assert "cadence" in caught.exception.message_dict
        self.committee.refresh_from_db()
        assert self.committee.name == "Børne- og Skoleudvalget"


class AmbitionRuleTests(ChainCase):
    def test_an_ambition_spans_administrations_with_one_owner(self) -> None:
        ambition = self.ambition(units=[self.children_admin, self.root])
        assert ambition.owner == self.chief
        assert set(ambition.units.all()) == {self.children_admin, self.root}
        assert is_cross_cutting(ambition.units.all())
        assert not is_cross_cutting([self.children_admin])

    def test_the_last_year_cannot_come_before_the_first(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.ambition(first_year=2028, last_year=2025)
        assert self.messages_of(caught, "last_year") == (
            "The last year (2025) cannot come before the first year (2028)."
        )
        assert not Ambition.objects.exists()

    def test_years_must_be_plausible(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.ambition(first_year=25, last_year=28)
        assert {"first_year", "last_year"} <= set(caught.exception.message_dict)

    def test_units_are_the_municipality_or_its_administrations(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.ambition(units=[self.school])
        assert "Bakkeskolen is not one of them" in self.messages_of(caught, "units")
        other_root = make_unit(
            "Hvidovre Kommune 2", unit_type="municipality", municipality_code=167
        )
        with self.assertRaises(ValidationError):
            self.ambition(units=[other_root])
        with self.assertRaises(ValidationError) as caught:
            self.ambition(units=[])
        assert "units" in caught.exception.message_dict
        assert not Ambition.objects.exists()

    def test_the_owner_is_a_leader_of_the_same_municipality(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.ambition(owner=self.outsider)
        assert self.messages_of(caught, "owner") == (
            "The owner must be a staff member of this municipality."
        )
        with self.assertRaises(ValidationError) as caught:
            self.ambition(owner=self.teacher)
        assert "leader role" in self.messages_of(caught, "owner")

    def test_the_committee_is_of_the_same_municipality(self) -> None:
        other = do_create_committee(actor=self.outsider, name="Udvalg")
        with self.assertRaises(ValidationError) as caught:
            self.ambition(committee=other)
        assert "committee" in caught.exception.message_dict

    def test_updating_changes_text_and_years_and_refuses_bad_years(self) -> None:
        ambition = self.ambition()
        do_update_ambition(
            actor=self.chief, ambition=ambition, title="Nyt mål", first_year=2026, last_year=2030
        )
        ambition.refresh_from_db()
        assert (ambition.title, ambition.first_year, ambition.last_year) == ("Nyt mål", 2026, 2030)
        with self.assertRaises(ValidationError):
            do_update_ambition(
                actor=self.chief, ambition=ambition, title="X", first_year=2031, last_year=2030
            )
        ambition.refresh_from_db()
        assert ambition.title == "Nyt mål"

    def test_narrowing_units_is_refused_while_a_marker_lies_outside(self) -> None:
        ambition = self.ambition(units=[self.root])
        self.marker(ambition, units=[self.school])
        other_admin = make_unit("Social og Sundhed", parent=self.root, unit_type="administration")
        with self.assertRaises(ValidationError) as caught:
            do_update_ambition(
                actor=self.analyst,
                ambition=ambition,
                title=ambition.title,
                first_year=2025,
                last_year=2028,
                units=[other_admin],
            )
        assert "change its units first" in self.messages_of(caught, "units")
        assert list(ambition.units.all()) == [self.root]

    def test_a_deactivated_ambition_stays_but_leaves_the_unit_pages(self) -> None:
        ambition = self.ambition()
        marker = self.marker(ambition)
        assert marker in markers_for(self.school)
        do_set_ambition_active(actor=self.analyst, ambition=ambition, active=False)
        assert Ambition.objects.filter(pk=ambition.pk, is_active=False).exists()
        assert marker not in markers_for(self.school)


class MarkerRuleTests(ChainCase):
    def test_a_marker_follows_catalogue_indicators_within_the_ambitions_units(self) -> None:
        ambition = self.ambition()
        first = self.marker(ambition, units=[self.school])
        second = self.marker(ambition, title="Trivsel")
        assert list(first.units.all()) == [self.school]
        assert [m.pk for m in ambition.markers.order_by("sort_order")] == [first.pk, second.pk]

    def test_a_unit_outside_the_ambition_is_refused_clearly(self) -> None:
        ambition = self.ambition()
        other_admin = make_unit("Social og Sundhed", parent=self.root, unit_type="administration")
        with self.assertRaises(ValidationError) as caught:
            self.marker(ambition, units=[other_admin])
        assert self.messages_of(caught, "units") == (
            "A marker's units must lie within the ambition's units; "
            "Social og Sundhed is outside them."
        )
        assert not Marker.objects.exists()

    def test_indicators_come_from_the_municipalitys_active_catalogue(self) -> None:
        ambition = self.ambition()
        foreign = indicator("trivsel", municipality_code=167)
        with self.assertRaises(ValidationError) as caught:
            self.marker(ambition, indicators=[foreign])
        assert "indicators" in caught.exception.message_dict
        retired = indicator("trivsel")
        retired.is_active = False
        retired.save(update_fields=["is_active"])
        with self.assertRaises(ValidationError):
            self.marker(ambition, indicators=[retired])

    def test_the_owner_is_a_leader_of_the_municipality(self) -> None:
        ambition = self.ambition()
        with self.assertRaises(ValidationError) as caught:
            self.marker(ambition, owner=self.outsider)
        assert "owner" in caught.exception.message_dict
        nobody = make_staff("Uden", "Rolle")
        with self.assertRaises(ValidationError):
            self.marker(ambition, owner=nobody)

    def test_updating_keeps_what_is_not_given_and_checks_the_rest(self) -> None:
        ambition = self.ambition()
        marker = self.marker(ambition)
        do_update_marker(actor=self.leader, marker=marker, title="Nyt navn")
        marker.refresh_from_db()
        assert marker.title == "Nyt navn"
        assert [i.code for i in marker.indicators.all()] == ["almenskole-andel"]
        with self.assertRaises(ValidationError):
            do_update_marker(actor=self.leader, marker=marker, units=[self.root])
        assert not marker.units.exists()

    def test_markers_move_up_and_down(self) -> None:
        ambition = self.ambition()
        a, b, c = (self.marker(ambition, title=t) for t in "ABC")
        do_move_marker(actor=self.chief, marker=c, up=True)
        order = [m.title for m in ambition.markers.order_by("sort_order", "pk")]
        assert order == ["A", "C", "B"]
        do_move_marker(actor=self.chief, marker=a, up=True)  # already first: stays
        do_move_marker(actor=self.chief, marker=a, up=False)
        order = [m.title for m in ambition.markers.order_by("sort_order", "pk")]
        assert order == ["C", "A", "B"]
        assert b.pk in [m.pk for m in ambition.markers.all()]


class CommitteeModelTests(ChainCase):
    def test_the_committee_created_is_in_the_actors_municipality(self) -> None:
        assert Committee.objects.get().municipality == self.analyst.municipality


class RetiredIndicatorTests(ChainCase):
    def test_a_retired_indicator_may_stay_on_its_marker_but_not_be_added(self) -> None:
        ambition = self.ambition()
        kept = indicator("almenskole-andel")
        marker = self.marker(ambition, indicators=[kept])
        kept.is_active = False
        kept.save(update_fields=["is_active"])
        do_update_marker(actor=self.leader, marker=marker, indicators=[kept], title="Ny titel")
        assert list(marker.indicators.all()) == [kept]
        other = indicator("trivsel")
        other.is_active = False
        other.save(update_fields=["is_active"])
        with self.assertRaises(ValidationError):
            do_update_marker(actor=self.leader, marker=marker, indicators=[kept, other])
