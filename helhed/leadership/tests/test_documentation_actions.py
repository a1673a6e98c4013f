"""The documentation register's rules: hours, "nice to know", dropping and uses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from helhed.leadership.actions.documentation import (
    by_cost,
    do_drop_requirement,
    do_end_data_use,
    do_record_data_use,
    do_register_requirement,
    documentation_totals,
    hours_saved,
    indicators_with_use_flags,
    is_nice_to_know,
    nice_to_know,
    with_flags,
)
from helhed.leadership.models import DocumentationRequirement
from helhed.leadership.tests.documentation_case import DocumentationCase
from helhed.lib.validity import today
from helhed.organisation.models import Unit
from helhed.test import indicator, municipality

REASON = "Ingen bruger skemaet; skolen følger trivslen i samtaler."


class HoursTests(DocumentationCase):
    def test_hours_per_year_are_minutes_times_cases_over_sixty(self) -> None:
        assert self.requirement(minutes_per_case=10, cases_per_year=120).hours_per_year == Decimal(
            "20.0"
        )
        odd = self.requirement(title="Fraværsnotat", minutes_per_case=7, cases_per_year=10)
        assert odd.hours_per_year == Decimal("1.2")  # 70 minutes

    def test_hours_saved_sums_the_minutes_of_dropped_requirements_before_rounding(self) -> None:
        # 70 + 70 minutes are 2.33 hours: 2.3, not the 1.2 + 1.2 of the rounded rows.
        first = self.requirement(title="A", minutes_per_case=7, cases_per_year=10)
        second = self.requirement(title="B", minutes_per_case=7, cases_per_year=10)
        self.requirement(title="Kept", minutes_per_case=60, cases_per_year=1000)
        assert hours_saved(municipality()) == Decimal("0.0")
        do_drop_requirement(actor=self.leader, requirement=first, reason=REASON)
        assert hours_saved(municipality()) == Decimal("1.2")
        do_drop_requirement(actor=self.chief, requirement=second, reason=REASON)
        assert hours_saved(municipality()) == Decimal("2.3")

    def test_totals_count_active_nice_to_know_and_saved_hours_apart(self) -> None:
        # Active: 20 h (used) + 5 h (legal basis) + 2 h (nice to know) = 27 h; dropped: 3 h.
        used = self.requirement(title="Used", minutes_per_case=10, cases_per_year=120)
        self.use(used)
        self.requirement(
            title="By law", minutes_per_case=5, cases_per_year=60, legal_basis="Serviceloven § 50"
        )
        self.requirement(title="Nobody", minutes_per_case=4, cases_per_year=30)
        dropped = self.requirement(title="Gone", minutes_per_case=9, cases_per_year=20)
        do_drop_requirement(actor=self.leader, requirement=dropped, reason=REASON)
        self.requirement(municipality=municipality(167), owning_unit=self.outsider_unit())
        totals = documentation_totals(municipality())
        assert (totals.active_count, totals.active_hours) == (3, Decimal("27.0"))
        assert (totals.nice_count, totals.nice_hours) == (1, Decimal("2.0"))
        assert (totals.dropped_count, totals.saved_hours) == (1, Decimal("3.0"))

    def outsider_unit(self) -> Unit:
        return self.outsider.assignments_on().get().unit

    def test_the_costliest_requirement_comes_first_without_overflowing(self) -> None:
        self.requirement(title="Small", minutes_per_case=1, cases_per_year=1)
        huge = self.requirement(title="Huge", minutes_per_case=10_000, cases_per_year=10_000_000)
        ordered = list(by_cost(DocumentationRequirement.objects.all()))
        assert ordered[0] == huge
        assert huge.hours_per_year == Decimal("1666666666.7")


class NiceToKnowTests(DocumentationCase):
    def flags(self) -> dict[str, bool]:
        return {r.title: r.nice_to_know for r in with_flags(DocumentationRequirement.objects.all())}

    def test_a_requirement_without_legal_basis_or_use_is_nice_to_know(self) -> None:
        bare = self.requirement()
        assert is_nice_to_know(bare)
        assert list(nice_to_know(municipality())) == [bare]
        assert self.flags() == {bare.title: True}

    def test_a_legal_basis_makes_it_need_to_know(self) -> None:
        lawful = self.requirement(legal_basis="Folkeskoleloven § 13")
        assert not is_nice_to_know(lawful)
        assert not nice_to_know(municipality()).exists()
        assert self.flags() == {lawful.title: False}

    def test_a_use_in_force_makes_it_need_to_know_until_it_ends(self) -> None:
        used = self.requirement()
        use = self.use(used, ended_on=today() + dt.timedelta(days=1))
        assert not is_nice_to_know(used)
        assert self.flags() == {used.title: False}
        use.ended_on = today()
        use.save()
        # No longer used from today: nobody uses it today.
        assert is_nice_to_know(used)
        assert self.flags() == {used.title: True}

    def test_a_dropped_requirement_is_not_nice_to_know_any_more(self) -> None:
        bare = self.requirement()
        bare = do_drop_requirement(actor=self.leader, requirement=bare, reason=REASON)
        assert not is_nice_to_know(bare)
        assert self.flags() == {bare.title: False}

    def test_an_indicator_nobody_uses_is_nice_to_know(self) -> None:
        absence = indicator("fravaer-over-10")
        other = indicator("trivsel")
        self.use(None, indicator=absence)
        self.use(None, indicator=other, ended_on=today())
        flagged = {
            i.pk: i.nice_to_know
            for i in indicators_with_use_flags(absence.municipality.indicators.all())
        }
        assert flagged[absence.pk] is False
        assert flagged[other.pk] is True


class DropTests(DocumentationCase):
    def test_dropping_records_who_when_and_why(self) -> None:
        bare = self.requirement()
        dropped = do_drop_requirement(actor=self.chief, requirement=bare, reason=f"  {REASON} ")
        bare.refresh_from_db()
        assert (bare.status, bare.dropped_on, bare.dropped_by, bare.drop_reason) == (
            DocumentationRequirement.Status.DROPPED,
            today(),
            self.chief,
            REASON,
        )
        assert dropped.pk == bare.pk

    def test_a_requirement_with_a_legal_basis_cannot_be_dropped(self) -> None:
        lawful = self.requirement(legal_basis="Barnets Lov § 20")
        with pytest.raises(ValidationError) as caught:
            do_drop_requirement(actor=self.director, requirement=lawful, reason=REASON)
        assert "Barnets Lov § 20" in caught.value.message_dict["legal_basis"][0]
        lawful.refresh_from_db()
        assert lawful.status == DocumentationRequirement.Status.ACTIVE

    def test_a_reason_is_needed_and_twice_is_refused(self) -> None:
        bare = self.requirement()
        with pytest.raises(ValidationError) as caught:
            do_drop_requirement(actor=self.leader, requirement=bare, reason="  nej ")
        assert set(caught.value.message_dict) == {"reason"}
        do_drop_requirement(actor=self.leader, requirement=bare, reason=REASON)
        with pytest.raises(ValidationError) as caught:
            do_drop_requirement(actor=self.leader, requirement=bare, reason=REASON)
        assert set(caught.value.message_dict) == {"status"}


class RegisterAndUseTests(DocumentationCase):
    def register(self, **changes: object) -> DocumentationRequirement:
        values: dict[str, object] = {
            "actor": self.leader,
            "title": " Elevplan-felt ",
            "kind": "field",
            "purpose": "Dokumentere elevens mål.",
            "owner": self.teacher,
            "owning_unit": self.school,
            "minutes_per_case": 15,
            "cases_per_year": 400,
            "system": "Aula",
            "units": [self.school, self.school],
        }
        values.update(changes)
        return do_register_requirement(**values)  # type: ignore[arg-type]

    def test_registering_keeps_the_facts_and_the_units(self) -> None:
        requirement = self.register()
        assert requirement.title == "Elevplan-felt"
        assert requirement.municipality == municipality()
        assert list(requirement.units.all()) == [self.school]
        assert requirement.hours_per_year == Decimal("100.0")

    def test_registering_refuses_other_municipalities_and_bad_numbers(self) -> None:
        foreign = self.outsider.assignments_on().get().unit
        with pytest.raises(ValidationError) as caught:
            self.register(
                title=" ",
                kind="poem",
                owner=self.outsider,
                owning_unit=foreign,
                units=[foreign],
                minutes_per_case=0,
                cases_per_year=-1,
            )
        assert set(caught.value.message_dict) == {
            "title",
            "kind",
            "owner",
            "owning_unit",
            "units",
            "minutes_per_case",
            "cases_per_year",
        }
        self.register()
        with pytest.raises(ValidationError) as caught:
            self.register(title="elevplan-FELT")
        assert set(caught.value.message_dict) == {"title"}

    def test_a_use_is_of_one_subject_in_the_own_municipality(self) -> None:
        requirement = self.requirement()
        absence = indicator("fravaer-over-10")
        with pytest.raises(ValidationError):
            do_record_data_use(
                actor=self.teacher,
                requirement=requirement,
                indicator=absence,
                user_description="X",
                used_for="Y",
            )
        with pytest.raises(ValidationError):
            do_record_data_use(
                actor=self.outsider, requirement=requirement, user_description="X", used_for="Y"
            )
        with pytest.raises(ValidationError) as caught:
            do_record_data_use(
                actor=self.teacher, requirement=requirement, user_description=" ", used_for=""
            )
        assert set(caught.value.message_dict) == {"user_description", "used_for"}
        use = do_record_data_use(
            actor=self.teacher, indicator=absence, user_description="MED-udvalg", used_for="Tal"
        )
        assert (use.indicator, use.recorded_by, use.recorded_on) == (absence, self.teacher, today())

    def test_a_dropped_requirement_takes_no_new_uses(self) -> None:
        requirement = self.requirement()
        requirement = do_drop_requirement(actor=self.leader, requirement=requirement, reason=REASON)
        with pytest.raises(ValidationError) as caught:
            do_record_data_use(
                actor=self.teacher, requirement=requirement, user_description="X", used_for="Y"
            )
        assert set(caught.value.message_dict) == {"requirement"}

    def test_ending_a_use_keeps_it_with_its_end_date(self) -> None:
        use = self.use(self.requirement())
        with pytest.raises(ValidationError):
            do_end_data_use(actor=self.leader, use=use, ended_on=use.recorded_on - dt.timedelta(1))
        with pytest.raises(ValidationError):
            do_end_data_use(actor=self.leader, use=use, ended_on=today() + dt.timedelta(days=800))
        do_end_data_use(actor=self.leader, use=use)
        use.refresh_from_db()
        assert use.ended_on == today()
        with pytest.raises(ValidationError):
            do_end_data_use(actor=self.leader, use=use)
