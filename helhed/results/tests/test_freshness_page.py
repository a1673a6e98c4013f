"""The freshness page, the card tag and the API: who may see what, and the numbers shown."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.results.freshness import Freshness
from helhed.results.tests.test_curves_views import section
from helhed.results.tests.test_freshness_numbers import FreshnessCase

URL = reverse("results:freshness")


class FreshnessPageTests(FreshnessCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def test_a_leader_sees_their_own_score_only(self) -> None:
        self.login(self.leader)
        response = self.client.get(URL)
        card = section(response.content.decode(), "freshness-card")
        assert "50 %" in card  # current data: 1 of 2 rows
        assert "(1 of 2 indicator rows)" in card
        assert "(0 of 1 markers)" in card
        assert "(0 of 1 rows off target)" in card
        assert "Score: <strong>17 %</strong>" in card  # (0.5 + 0 + 0) / 3
        self.assertNotContains(response, "freshness-owners")

    def test_results_managers_see_every_marker_owner_sortable_by_score(self) -> None:
        self.login(self.director)
        html = self.client.get(URL).content.decode()
        table = section(html, "freshness-owners")
        rows = re.findall(r'<tr data-testid="owner-row">\s*<th scope="row">([^<]+)</th>', table)
        assert rows == ["Claus Krog", "Lise Lund"]
        assert "67 %" in table and "17 %" in table
        lowest_first = section(
            self.client.get(URL + "?sort=score").content.decode(), "freshness-owners"
        )
        assert lowest_first.index("Lise Lund") < lowest_first.index("Claus Krog")
        highest_first = section(
            self.client.get(URL + "?sort=-score").content.decode(), "freshness-owners"
        )
        assert highest_first.index("Claus Krog") < highest_first.index("Lise Lund")
        self.login(self.analyst)
        self.assertContains(self.client.get(URL), "freshness-owners")

    def test_a_period_can_be_chosen_and_a_bad_one_is_a_form_error(self) -> None:
        self.login(self.chief)
        response = self.client.get(URL + f"?period={self.period.year - 5}")
        self.assertContains(response, "(no markers to write about)")
        response = self.client.get(URL + "?period=soon")
        self.assertContains(response, "is not a period", status_code=400)

    def test_others_get_403(self) -> None:
        for who in (self.teacher, self.caseworker, self.politician, self.outsider):
            self.login(who)
            assert self.client.get(URL).status_code == 403, who
        self.login(self.admin)
        assert self.client.get(URL).status_code == 403
        self.login(self.chief)
        assert self.client.post(URL).status_code == 405


class FreshnessCardTests(FreshnessCase):
    def test_the_card_says_the_shares_in_words(self) -> None:
        f = Freshness(rows=3, current_rows=2, markers=2, narrated_markers=1)
        with translation.override("en"):
            html = Template("{% load results_freshness %}{% freshness_card f %}").render(
                Context({"f": f})
            )
        assert "Current data" in html and "67 %" in html and "(2 of 3 indicator rows)" in html
        assert "Narratives written" in html and "50 %" in html
        assert "Forecasts set" in html and "(nothing off target)" in html
        assert "Score: <strong>58 %</strong>" in html


class FreshnessApiTests(FreshnessCase, ApiTestCase):
    def test_the_callers_own_numbers(self) -> None:
        path = "/api/results/freshness"
        response = self.api("get", f"{path}?period={self.period.code}", self.chief)
        assert response.status_code == 200
        data = response.json()
        assert (data["period"], data["rows"], data["current_share"]) == (self.period.code, 1, 1.0)
        assert (data["markers"], data["narrated_markers"], data["off_target_rows"]) == (1, 1, 1)
        assert data["score"] == pytest.approx(2 / 3)
        assert self.api("get", path, self.teacher).status_code == 403
        assert self.api("get", path, self.outsider).status_code == 403
        assert self.api("get", f"{path}?period=soon", self.chief).status_code == 422
