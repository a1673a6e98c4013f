"""Turning the curve, the rules: one active plan, the steps, the forecast, actions, closing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation

from helhed.lib.validity import today
from helhed.results.actions.curves import (
    DuplicateCurveError,
    do_add_curve_action,
    do_close_curve,
    do_set_forecast,
    do_start_curve,
    do_update_curve_action,
    do_update_curve_steps,
)
from helhed.results.models import CurveAction, CurvePlan, Indicator
from helhed.results.periods import Frequency, Period
from helhed.test import BaseTestCase, indicator, make_staff, record_value, set_target


class CurveCase(BaseTestCase):
    """Bakkeskolen's absence (quarterly, lower is better): 10, 11, ... 15 against a target of 8.

    The six values end with the last complete quarter, so the straight line
    continues 16, 17, 18, 19.
    """

    absence: Indicator
    last: Period

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.absence = indicator("fravaer-over-10")
        cls.last = Period.last_complete(today(), Frequency.QUARTERLY)
        set_target(cls.absence, cls.children_admin, 8, applies_from="2020")
        for i, period in enumerate(cls.last.back(6)):
            record_value(cls.absence, cls.school, period.code, 10 + i)

    def setUp(self) -> None:
        super().setUp()
        self.enterContext(translation.override("en"))
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def start(self, actor: Any = None, **changes: Any) -> CurvePlan:
        arguments: dict[str, Any] = {
            "actor": actor or self.chief,
            "indicator": self.absence,
            "unit": self.school,
        }
        arguments.update(changes)
        return do_start_curve(**arguments)

    def next_periods(self, count: int) -> list[str]:
        return [self.last.shift(i).code for i in range(1, count + 1)]


class StartTests(CurveCase):
    def test_a_curve_is_started_and_owned_by_its_starter(self) -> None:
        curve = self.start(end_wanted="  Every child comes to school  ")
        assert (curve.owner, curve.unit_key, curve.is_active) == (
            self.chief,
            self.school.key,
            True,
        )
        assert curve.end_wanted == "Every child comes to school"

    def test_one_active_curve_per_indicator_and_unit(self) -> None:
        first = self.start()
        with self.assertRaises(DuplicateCurveError) as caught:
            self.start(actor=self.leader)
        assert caught.exception.curve == first
        do_close_curve(actor=self.chief, curve=first)
        second = self.start(actor=self.leader)
        assert second.pk != first.pk
        assert CurvePlan.objects.filter(is_active=True).count() == 1

    def test_an_indicator_of_another_municipality_is_refused(self) -> None:
        other = indicator("fravaer-over-10", municipality_code=167)
        with self.assertRaises(ValidationError) as caught:
            self.start(indicator=other)
        assert "indicator" in caught.exception.message_dict
        assert not CurvePlan.objects.exists()


class StepTests(CurveCase):
    def test_the_text_steps_are_saved_and_others_kept(self) -> None:
        curve = self.start(end_wanted="All children in school")
        do_update_curve_steps(
            actor=self.chief,
            curve=curve,
            changes={"story": " Winter colds ", "partners": "PPR", "what_works": "Calls home"},
        )
        curve.refresh_from_db()
        assert (curve.end_wanted, curve.story, curve.partners, curve.what_works) == (
            "All children in school",
            "Winter colds",
            "PPR",
            "Calls home",
        )

    def test_an_unknown_step_is_refused(self) -> None:
        with self.assertRaises(ValidationError):
            do_update_curve_steps(actor=self.chief, curve=self.start(), changes={"owner": "x"})


class ForecastTests(CurveCase):
    def refused(self, rows: list[tuple[str, str]]) -> dict[str, list[str]]:
        curve = CurvePlan.objects.first() or self.start()
        with self.assertRaises(ValidationError) as caught:
            do_set_forecast(actor=self.chief, curve=curve, rows=rows)
        curve.refresh_from_db()
        assert (curve.forecast, curve.forecast_set_by) == ([], None)
        return caught.exception.message_dict

    def test_a_forecast_is_stored_in_order_with_three_decimals(self) -> None:
        curve = self.start()
        first, second = self.next_periods(2)
        do_set_forecast(
            actor=self.leader, curve=curve, rows=[(second, "17,25"), ("", ""), (first, "16")]
        )
        curve.refresh_from_db()
        assert curve.forecast == [
            {"period": first, "value": "16.000"},
            {"period": second, "value": "17.250"},
        ]
        assert curve.forecast_set_by == self.leader
        assert curve.forecast_set_at is not None

    def test_a_period_of_the_wrong_kind_is_refused(self) -> None:
        errors = self.refused([(f"{self.last.year + 1}-05", "16")])
        assert (
            "is not a period of this indicator, which is measured quarterly"
            in (errors["period_0"][0])
        )

    def test_a_value_must_be_a_number(self) -> None:
        errors = self.refused([(self.next_periods(1)[0], "about 16")])
        assert errors["value_0"] == ["“about 16” is not a number."]
        errors = self.refused([(self.next_periods(1)[0], "NaN")])
        assert "value_0" in errors

    def test_periods_must_come_after_the_latest_value(self) -> None:
        errors = self.refused([(self.last.code, "16"), (self.next_periods(1)[0], "17")])
        assert errors == {
            "period_0": [f"A forecast is for periods after the latest value ({self.last.label})."]
        }

    def test_a_period_that_is_not_a_period_is_refused(self) -> None:
        errors = self.refused([("next spring", "16")])
        assert "is not a period" in errors["period_0"][0]

    def test_at_most_twelve_periods(self) -> None:
        rows = [(code, "16") for code in self.next_periods(13)]
        errors = self.refused(rows)
        assert errors["forecast"] == ["A forecast covers at most 12 periods."]

    def test_a_period_twice_and_an_empty_forecast_are_refused(self) -> None:
        code = self.next_periods(1)[0]
        assert "period_1" in self.refused([(code, "16"), (code, "17")])
        assert "forecast" in self.refused([("", "")])
        assert "value_0" in self.refused([(code, "")])


class ActionTests(CurveCase):
    def test_an_action_has_an_owner_in_the_municipality_and_a_due_date(self) -> None:
        curve = self.start()
        action = do_add_curve_action(
            actor=self.chief,
            curve=curve,
            description=" Call the families ",
            owner=self.teacher,
            due_on=today(),
        )
        assert (action.description, action.owner, action.status) == (
            "Call the families",
            self.teacher,
            CurveAction.Status.OPEN,
        )

    def test_the_due_date_cannot_be_in_the_past(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            do_add_curve_action(
                actor=self.chief,
                curve=self.start(),
                description="x",
                owner=self.teacher,
                due_on=today() - dt.timedelta(days=1),
            )
        assert "due_on" in caught.exception.message_dict
        assert not CurveAction.objects.exists()

    def test_the_owner_must_work_in_the_municipality(self) -> None:
        retired = make_staff("Rita", "Ro")  # in Rudersdal, no role
        curve = self.start()
        for owner in (self.outsider, retired):
            with self.assertRaises(ValidationError) as caught:
                do_add_curve_action(
                    actor=self.chief,
                    curve=curve,
                    description="x",
                    owner=owner,
                    due_on=today(),
                )
            assert "owner" in caught.exception.message_dict
        assert not CurveAction.objects.exists()

    def test_done_and_cancelled_and_never_twice(self) -> None:
        curve = self.start()
        done, cancelled = (
            do_add_curve_action(
                actor=self.chief, curve=curve, description=d, owner=self.teacher, due_on=today()
            )
            for d in ("a", "b")
        )
        do_update_curve_action(actor=self.teacher, action=done, status="done")
        do_update_curve_action(actor=self.chief, action=cancelled, status="cancelled")
        assert (done.status, done.done_on) == ("done", today())
        assert (cancelled.status, cancelled.done_on) == ("cancelled", None)
        with self.assertRaises(ValidationError):
            do_update_curve_action(actor=self.chief, action=done, status="cancelled")
        with self.assertRaises(ValidationError):
            do_update_curve_action(actor=self.chief, action=done, status="open")

    def test_a_closed_curve_cannot_be_changed(self) -> None:
        curve = self.start()
        do_close_curve(actor=self.chief, curve=curve)
        with self.assertRaises(ValidationError):
            do_update_curve_steps(actor=self.chief, curve=curve, changes={"story": "x"})
        with self.assertRaises(ValidationError):
            do_set_forecast(actor=self.chief, curve=curve, rows=[("2099-Q1", "1")])
        with self.assertRaises(ValidationError):
            do_close_curve(actor=self.chief, curve=curve)
        curve.refresh_from_db()
        assert (curve.forecast, curve.story) == ([], "")
