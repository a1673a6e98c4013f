"""The rules for enabling scales and recording ratings: clear errors, nothing saved."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from helhed.feedback.actions import do_disable_scale, do_enable_scale
from helhed.feedback.models import Rating, ScaleActivation
from helhed.feedback.tests.base import FeedbackTestCase
from helhed.test import municipality


class EnableScaleTests(FeedbackTestCase):
    def test_a_leader_enables_and_disables_a_scale(self) -> None:
        rudersdal = municipality(230)
        do_enable_scale(actor=self.leader, municipality=rudersdal, scale=self.csrs)
        do_enable_scale(actor=self.leader, municipality=rudersdal, scale=self.csrs)
        assert ScaleActivation.objects.filter(municipality=rudersdal, scale=self.csrs).count() == 1
        do_disable_scale(actor=self.leader, municipality=rudersdal, scale=self.csrs)
        assert not ScaleActivation.objects.filter(scale=self.csrs).exists()

    def test_others_may_not(self) -> None:
        for actor, code in ((self.caseworker, 230), (self.teacher, 230), (self.leader, 167)):
            with self.subTest(actor=actor, code=code), pytest.raises(PermissionDenied):
                do_enable_scale(actor=actor, municipality=municipality(code), scale=self.csrs)
        assert not ScaleActivation.objects.filter(scale=self.csrs).exists()

    def test_disabling_keeps_the_ratings_given(self) -> None:
        self.record()
        do_disable_scale(actor=self.leader, municipality=municipality(230), scale=self.cors)
        assert Rating.objects.filter(scale=self.cors).count() == 1


class RecordRatingTests(FeedbackTestCase):
    def refused(self, field: str, **overrides: Any) -> list[str]:
        """Record with ``overrides``, expect a refusal on ``field``, return its messages."""
        with pytest.raises(ValidationError) as caught:
            self.record(**overrides)
        assert Rating.objects.count() == 0
        assert field in caught.value.message_dict, caught.value.message_dict
        return caught.value.message_dict[field]

    def test_a_caseworker_records_a_rating_with_its_total(self) -> None:
        rating = self.record()
        assert rating.total == Decimal("22.5")
        assert rating.recorded_by == self.caseworker
        assert rating.scores == [5, 6.5, 4, 7]

    def test_the_family_rates_and_no_staff_is_recorded(self) -> None:
        rating = self.record(user=self.guardian, scale=self.samarbejde, given_by="Mette")
        assert rating.recorded_by is None
        assert rating.given_by == "Mette"

    def test_decimal_scores_are_stored_as_numbers_to_one_decimal(self) -> None:
        rating = self.record(scores=[Decimal("5.0"), Decimal("6.5"), 4.04, 7])
        assert rating.scores == [5, 6.5, 4, 7]
        assert rating.total == Decimal("22.5")

    def test_a_score_above_10_is_refused(self) -> None:
        messages = self.refused("scores", scores=[5, 5, 5, 11])
        assert messages == [
            "The score for “Everything (how is everything going?)” must be a number from 0 to 10."
        ]

    def test_a_negative_score_is_refused(self) -> None:
        assert self.refused("scores", scores=[-1, 5, 5, 5]) == [
            "The score for “Me (how am I doing?)” must be a number from 0 to 10."
        ]

    def test_a_string_or_a_boolean_is_not_a_score(self) -> None:
        assert len(self.refused("scores", scores=["seven", True, 5, 5])) == 2

    def test_scores_must_be_a_list(self) -> None:
        assert self.refused("scores", scores="5556") == [
            "Give the scores as a list: one number per item."
        ]

    def test_the_number_of_items_must_match(self) -> None:
        assert self.refused("scores", scores=[5, 5, 5]) == [
            "Child Outcome Rating Scale (CORS) has 4 items; 3 scores were given."
        ]

    def test_a_scale_must_be_enabled(self) -> None:
        [message] = self.refused("scale", scale=self.csrs)
        assert "is not enabled in Rudersdal" in message

    def test_the_age_must_fit_the_scale_and_the_message_names_the_right_one(self) -> None:
        [message] = self.refused("scale", scale=self.ors, rated_on=dt.date(2026, 6, 1))
        assert message == (
            "Alma is 12 on that date, and Outcome Rating Scale (ORS) is for ages 18 and over. "
            "Use Child Outcome Rating Scale (CORS) instead."
        )

    def test_the_age_counts_on_the_rating_date(self) -> None:
        # Alma turned 12 on 17 May 2026; before her 6th birthday CORS did not fit.
        [message] = self.refused("scale", rated_on=dt.date(2020, 5, 16))
        assert "Alma is 5 on that date" in message
        assert "No enabled scale of this kind fits that age." in message

    def test_the_date_may_not_be_in_the_future(self) -> None:
        assert self.refused("rated_on", rated_on=self.days_ago(-1)) == [
            "The date of a rating cannot be in the future."
        ]

    def test_the_citizen_must_be_a_member_of_the_plan(self) -> None:
        assert self.refused("citizen", citizen=self.karla) == [
            "The rating must be about a member of this plan."
        ]

    def test_who_gave_it_is_required(self) -> None:
        self.refused("given_by", given_by="  ")

    def test_a_reader_of_the_plan_may_not_rate(self) -> None:
        for user in (self.teacher.user, self.colleague.user, self.other_guardian):
            with self.subTest(user=user), pytest.raises(PermissionDenied):
                self.record(user=user)
        assert Rating.objects.count() == 0

    def test_a_closed_plan_takes_no_ratings(self) -> None:
        self.plan.status = self.plan.Status.CLOSED
        self.plan.save(update_fields=["status"])
        with pytest.raises(PermissionDenied):
            self.record()
