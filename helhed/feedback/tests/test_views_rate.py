"""The rating page: staff record, the family rates, readers get 403, strangers 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import translation

from helhed.feedback.models import Rating
from helhed.feedback.tests.base import FeedbackTestCase


class RatePageTests(FeedbackTestCase):
    def url(self, plan_id: int | None = None, **query: Any) -> str:
        base = reverse("feedback:rate", args=[plan_id or self.plan.pk])
        if query:
            base += "?" + "&".join(f"{key}={value}" for key, value in query.items())
        return base

    def post(self, scores: list[Any], *, scale: str = "cors", **fields: Any) -> Any:
        data = {f"item_{i}": score for i, score in enumerate(scores, start=1)}
        data.update({"rated_on": self.days_ago(1).isoformat(), "given_by": "Alma"})
        data.update(fields)
        return self.client.post(self.url(scale=scale, citizen=self.alma.pk), data)

    def test_it_shows_one_number_input_per_item_with_label_and_anchor(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(self.url(scale="srs", citizen=self.alma.pk))
        # SRS is for adults: the page falls back to a scale that fits Alma and says so.
        assert response.status_code == 200
        assert "does not fit Alma" in response.content.decode()
        response = self.client.get(self.url(scale="cors", citizen=self.alma.pk))
        html = response.content.decode()
        assert response.status_code == 200
        assert html.count('type="number"') == 4
        assert 'step="0.1"' in html
        assert 'min="0"' in html and 'max="10"' in html
        assert "Family (how are things in my family?)" in html

    def test_it_offers_only_enabled_scales_that_fit_the_age(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(self.url())
        choices = response.content.decode().split('data-testid="scale-choices"')[1]
        choices = choices.split("</section>")[0]
        assert "Child Outcome Rating Scale (CORS)" in choices
        assert "The family&#x27;s rating of the collaboration" in choices
        assert "Outcome Rating Scale (ORS)</a>" not in choices.replace("Child Outcome", "")
        assert "CSRS" not in choices  # fits the age, but not enabled
        # Staff are offered the outcome scale first.
        assert response.context["scale"] == self.cors

    def test_a_caseworker_records_a_rating(self) -> None:
        self.login(self.caseworker)
        response = self.post([5, 6.5, 4, 7], comment="God uge")
        assert response.status_code == 302
        assert response["Location"] == reverse("feedback:progress", args=[self.plan.pk])
        rating = Rating.objects.get()
        assert (rating.scale, rating.citizen, str(rating.total)) == (self.cors, self.alma, "22.5")
        assert rating.recorded_by == self.caseworker
        assert rating.comment == "God uge"

    def test_a_score_above_10_is_shown_beside_the_item_and_nothing_is_saved(self) -> None:
        self.login(self.caseworker)
        response = self.post([5, 5, 5, 11])
        assert response.status_code == 400
        form = response.context["form"]
        assert form.errors["item_4"] == [
            "The score for “Everything (how is everything going?)” must be a number from 0 to 10."
        ]
        assert not Rating.objects.exists()

    def test_a_negative_score_or_a_word_is_refused(self) -> None:
        self.login(self.caseworker)
        response = self.post([-1, "seven", 5, 5])
        assert response.status_code == 400
        errors = response.context["form"].errors
        assert "must be a number from 0 to 10" in errors["item_1"][0]
        assert "Enter a number." in response.content.decode()  # Django's own message
        assert "item_2" in errors
        assert not Rating.objects.exists()

    def test_a_missing_item_is_refused(self) -> None:
        self.login(self.caseworker)
        response = self.post([5, 5, 5, ""])
        assert response.status_code == 400
        # The request leaves Danish active; read the lazy message in English.
        with translation.override("en"):
            assert response.context["form"].errors["item_4"] == ["Give a score for this item."]

    def test_a_future_date_is_refused(self) -> None:
        self.login(self.caseworker)
        response = self.post([5, 5, 5, 5], rated_on=self.days_ago(-2).isoformat())
        assert response.status_code == 400
        assert response.context["form"].errors["rated_on"] == [
            "The date of a rating cannot be in the future."
        ]
        assert not Rating.objects.exists()

    def test_a_scale_that_does_not_fit_the_age_is_refused_by_name(self) -> None:
        self.login(self.caseworker)
        response = self.post([5, 5, 5, 5], scale="ors", rated_on="2026-06-01")
        assert response.status_code == 400
        assert "Use Child Outcome Rating Scale (CORS) instead." in response.content.decode()
        assert not Rating.objects.exists()

    def test_a_disabled_scale_is_refused(self) -> None:
        self.login(self.caseworker)
        response = self.post([5, 5, 5, 5], scale="csrs")
        assert response.status_code == 400
        assert "is not enabled in Rudersdal" in response.content.decode()
        assert not Rating.objects.exists()

    def test_a_citizen_outside_the_plan_is_refused(self) -> None:
        self.login(self.caseworker)
        assert self.client.get(self.url(citizen=self.karla.pk)).status_code == 404
        response = self.client.post(
            self.url(scale="cors", citizen=self.karla.pk),
            {"item_1": 5, "item_2": 5, "item_3": 5, "item_4": 5, "given_by": "x"},
        )
        assert response.status_code == 400
        assert not Rating.objects.exists()

    def test_the_family_is_asked_about_the_collaboration(self) -> None:
        self.login(self.guardian)
        response = self.client.get(self.url())
        html = response.content.decode()
        assert response.status_code == 200
        assert "How was our collaboration?" in html
        assert response.context["scale"] == self.samarbejde
        assert response.context["form"]["given_by"].initial == "Mette"

    def test_the_family_rates_their_childs_plan(self) -> None:
        self.login(self.guardian)
        response = self.post([8, 7, 9, 8], scale="samarbejde", given_by="Mette")
        assert response.status_code == 302
        rating = Rating.objects.get()
        assert rating.recorded_by is None
        assert rating.given_by == "Mette"
        assert str(rating.total) == "32.0"

    def test_a_reader_of_the_plan_gets_403(self) -> None:
        self.login(self.teacher)
        assert self.client.get(self.url()).status_code == 403
        assert self.post([5, 5, 5, 5]).status_code == 403
        assert not Rating.objects.exists()

    def test_those_without_a_relation_get_404(self) -> None:
        for user in (self.outsider, self.colleague, self.other_guardian):
            with self.subTest(user=user):
                self.login(user)
                assert self.client.get(self.url()).status_code == 404
                assert self.post([5, 5, 5, 5]).status_code == 404
        assert not Rating.objects.exists()

    def test_a_family_gets_404_on_another_familys_plan(self) -> None:
        self.login(self.guardian)
        assert self.client.get(self.url(self.other_plan.pk)).status_code == 404

    def test_wrong_method_is_405(self) -> None:
        self.login(self.caseworker)
        assert self.client.put(self.url()).status_code == 405

    def test_anonymous_users_are_sent_to_log_in(self) -> None:
        response = self.client.get(self.url())
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_age_choice_uses_todays_age(self) -> None:
        # A sanity check of the fixture the other tests lean on: Alma is a child today.
        assert 6 <= self.alma.age(dt.date.today()) <= 17
