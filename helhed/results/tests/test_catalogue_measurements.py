"""Values by hand: every rule of ``do_record_measurement``, as the user sees it on the page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation

from helhed.lib.validity import today
from helhed.organisation.actions import do_move_unit
from helhed.results.actions.measurements import do_record_measurement
from helhed.results.models import Measurement
from helhed.results.periods import Period
from helhed.results.tests.test_catalogue_pages import CatalogueCase
from helhed.test import indicator, record_value


class MeasurementPageTests(CatalogueCase):
    def data(self, **changes: str) -> dict[str, str]:
        data = {
            "unit": str(self.school.pk),
            "period": "2025-Q3",
            "value": "12.5",
            "numerator": "",
            "denominator": "",
            "persons": "200",
        }
        data.update(changes)
        return data

    def record(self, **changes: str) -> Any:
        return self.client.post(
            self.url("measurement_record", self.absence.pk), self.data(**changes), follow=True
        )

    def refused(self, message: str, **changes: str) -> None:
        before = Measurement.objects.count()
        response = self.record(**changes)
        self.assertContains(response, message, status_code=400)
        assert Measurement.objects.count() == before

    def test_the_leader_records_a_value_for_her_school(self) -> None:
        self.login(self.leader)
        assert self.get("measurement_record", self.absence.pk).status_code == 200
        response = self.record()
        self.assertContains(response, "The value 12.5 is recorded for Bakkeskolen in Q3 2025.")
        value = Measurement.objects.get(indicator=self.absence, unit_key=self.school.key)
        assert (value.value, value.persons, value.source, value.recorded_by) == (
            Decimal("12.5"),
            200,
            Measurement.Source.MANUAL,
            self.leader,
        )

    def test_recording_again_replaces_the_value_and_says_so(self) -> None:
        record_value(self.absence, self.school, "2025-Q3", 20, source=Measurement.Source.IMPORT)
        self.login(self.chief)
        response = self.record(value="11")
        self.assertContains(
            response,
            "The value for Bakkeskolen in Q3 2025 is now 11.0; it replaced the old value 20.0.",
        )
        value = Measurement.objects.get(indicator=self.absence, unit_key=self.school.key)
        assert (value.value, value.source, value.recorded_by) == (
            Decimal("11"),
            Measurement.Source.MANUAL,
            self.chief,
        )

    def test_the_period_must_be_of_the_indicator_frequency(self) -> None:
        self.login(self.leader)
        self.refused("is measured quarterly: give a period like", period="2025")
        self.refused("is measured quarterly", period="2025-09")
        self.refused("is not a period", period="Q3 2025")

    def test_a_period_that_has_not_started_is_refused(self) -> None:
        future = Period.containing(today(), "quarter").next()
        with translation.override("en"):  # the page is in English, the test in Danish
            label = future.label
        self.login(self.leader)
        self.refused(f"{label} has not started yet", period=future.code)
        # The running quarter has started, so it can be recorded.
        running = Period.containing(today(), "quarter")
        self.assertContains(self.record(period=running.code), "is recorded for Bakkeskolen")

    def test_a_percentage_must_be_between_0_and_100(self) -> None:
        self.login(self.leader)
        self.refused("A percentage must be between 0 and 100.", value="100.5")
        self.refused("A percentage must be between 0 and 100.", value="-1")

    def test_numerator_and_denominator_give_the_value(self) -> None:
        self.login(self.leader)
        response = self.record(value="", numerator="25", denominator="200")
        self.assertContains(response, "The value 12.5 is recorded")
        value = Measurement.objects.get(indicator=self.absence, unit_key=self.school.key)
        assert (value.value, value.numerator, value.denominator) == (
            Decimal("12.5"),
            Decimal("25"),
            Decimal("200"),
        )

    def test_a_value_that_disagrees_with_numerator_and_denominator_is_refused(self) -> None:
        self.login(self.leader)
        self.refused(
            "The value 14 does not agree with numerator / denominator × 100 = 12.5.",
            value="14",
            numerator="25",
            denominator="200",
        )
        # Within the rounding it was written with is fine: 1/3 is 33.3.
        self.assertContains(
            self.record(value="33.3", numerator="1", denominator="3"), "is recorded"
        )

    def test_the_denominator_must_be_more_than_zero_and_come_with_a_numerator(self) -> None:
        self.login(self.leader)
        self.refused(
            "The denominator must be more than 0.", value="", numerator="2", denominator="0"
        )
        self.refused("Give both the numerator and the denominator, or neither.", numerator="2")
        self.refused("Give the value, or the numerator and the denominator.", value="")

    def test_an_indicator_with_a_computed_source_refuses_values_by_hand(self) -> None:
        waiting = indicator("ventetid-henvisninger")
        self.login(self.director)
        response = self.client.post(
            self.url("measurement_record", waiting.pk),
            self.data(value="5"),
        )
        self.assertContains(
            response, "its values cannot be entered by hand or imported", status_code=400
        )
        assert not Measurement.objects.filter(indicator=waiting).exists()

    def test_permissions(self) -> None:
        for person in (self.teacher, self.caseworker, self.politician):
            self.login(person)
            assert self.get("measurement_record", self.absence.pk).status_code == 403
            assert (
                self.client.post(
                    self.url("measurement_record", self.absence.pk), self.data()
                ).status_code
                == 403
            )
        self.login(self.leader)
        response = self.client.post(
            self.url("measurement_record", self.absence.pk),
            self.data(unit=str(self.family_dept.pk)),
        )
        assert response.status_code == 400  # not a unit she may choose
        self.login(self.outsider)
        assert self.get("measurement_record", self.absence.pk).status_code == 404
        self.login(self.leader)
        assert self.client.put(self.url("measurement_record", self.absence.pk)).status_code == 405
        assert not Measurement.objects.exists()


class MeasurementRuleTests(CatalogueCase):
    def test_a_value_follows_the_unit_through_a_reorganisation(self) -> None:
        moved = do_move_unit(self.school, self.root, on=today())
        result = do_record_measurement(
            actor=self.director,
            indicator=self.absence,
            unit=moved,
            period="2025-Q3",
            value=Decimal("10"),
        )
        # Stored with the registration the school had in 2025, under the same key.
        assert result.measurement.unit == self.school
        assert result.measurement.unit_key == moved.key

    def test_a_unit_that_did_not_exist_in_the_period_is_refused(self) -> None:
        with translation.override("en"), self.assertRaises(ValidationError) as caught:
            do_record_measurement(
                actor=self.director,
                indicator=self.absence,
                unit=self.school,
                period="2019-Q3",
                value=Decimal("10"),
            )
        assert caught.exception.message_dict == {"unit": ["Bakkeskolen did not exist in Q3 2019."]}
