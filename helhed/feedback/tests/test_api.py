"""The FIT API: the same rules as the pages, refusals as 422 with the message."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.test.client import Client

from helhed.api.models import ApiToken
from helhed.feedback.models import Rating
from helhed.feedback.tests.base import FeedbackTestCase
from helhed.organisation.models import Staff


class FeedbackApiTests(FeedbackTestCase):
    def call(self, method: str, path: str, as_: Staff | User, body: Any = None) -> Any:
        user = as_.user if isinstance(as_, Staff) else as_
        assert user is not None
        token = ApiToken.issue(user, "test")[1]
        headers = {"authorization": f"Bearer {token}", "accept-language": "en"}
        client = Client()
        if body is not None:
            return getattr(client, method)(
                path, body, content_type="application/json", headers=headers
            )
        return getattr(client, method)(path, headers=headers)

    def ratings_url(self, plan_id: int | None = None) -> str:
        return f"/api/feedback/plans/{plan_id or self.plan.pk}/ratings"

    def body(self, **overrides: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "scale": "cors",
            "citizen_id": self.alma.pk,
            "scores": [5, 6.5, 4, 7],
            "rated_on": self.days_ago(1).isoformat(),
            "given_by": "Alma",
        }
        data.update(overrides)
        return data

    def refused(self, as_: Staff | User | None = None, **overrides: Any) -> list[dict[str, str]]:
        response = self.call(
            "post", self.ratings_url(), as_ or self.caseworker, self.body(**overrides)
        )
        assert response.status_code == 422, response.content
        assert not Rating.objects.exists()
        detail: list[dict[str, str]] = response.json()["detail"]
        return detail

    def test_it_lists_the_scales_with_the_enabled_flag(self) -> None:
        response = self.call("get", "/api/feedback/scales", self.caseworker)
        assert response.status_code == 200
        scales = {row["code"]: row for row in response.json()}
        assert scales["ors"]["enabled"] is True
        assert scales["csrs"]["enabled"] is False
        assert scales["ors"]["clinical_cutoff"] == "25.0"
        assert scales["cors"]["reliable_change"] == "6.0"
        assert scales["srs"]["clinical_cutoff"] == "36.0"
        assert len(scales["cors"]["items"]) == 4
        outsider = self.call("get", "/api/feedback/scales", self.outsider).json()
        assert not any(row["enabled"] for row in outsider)

    def test_a_caseworker_records_and_lists_ratings(self) -> None:
        response = self.call("post", self.ratings_url(), self.caseworker, self.body())
        assert response.status_code == 201, response.content
        created = response.json()
        assert created["total"] == "22.5"
        assert created["scale"] == "cors"
        assert created["recorded_by_id"] == self.caseworker.pk
        listed = self.call("get", self.ratings_url(), self.caseworker).json()
        assert [row["id"] for row in listed["items"]] == [created["id"]]

    def test_the_family_records_a_rating_without_a_recorder(self) -> None:
        body = self.body(scale="samarbejde", scores=[8, 7, 9, 8], given_by="Mette")
        response = self.call("post", self.ratings_url(), self.guardian, body)
        assert response.status_code == 201, response.content
        assert response.json()["recorded_by_id"] is None

    def test_a_score_above_10_is_422_with_the_message(self) -> None:
        assert self.refused(scores=[5, 5, 5, 11]) == [
            {
                "field": "scores",
                "message": "The score for “Everything (how is everything going?)” must be a "
                "number from 0 to 10.",
            }
        ]

    def test_a_negative_score_a_string_or_the_wrong_count_is_422(self) -> None:
        assert "must be a number from 0 to 10" in self.refused(scores=[-1, 5, 5, 5])[0]["message"]
        assert "must be a number from 0 to 10" in self.refused(scores=["5", 5, 5, 5])[0]["message"]
        assert self.refused(scores=[5, 5])[0]["message"] == (
            "Child Outcome Rating Scale (CORS) has 4 items; 2 scores were given."
        )

    def test_the_rules_on_scale_age_date_and_member_are_422(self) -> None:
        assert self.refused(scale="csrs")[0]["field"] == "scale"
        assert (
            "Use Child Outcome Rating Scale (CORS) instead."
            in self.refused(scale="ors", rated_on="2026-06-01")[0]["message"]
        )
        assert self.refused(rated_on=self.days_ago(-1).isoformat()) == [
            {"field": "rated_on", "message": "The date of a rating cannot be in the future."}
        ]
        assert self.refused(citizen_id=self.karla.pk) == [
            {"field": "citizen_id", "message": "The rating must be about a member of this plan."}
        ]
        assert self.refused(scale="nope")[0]["field"] == "scale"

    def test_it_gives_the_progress_summary(self) -> None:
        self.add_rating([5, 4, 5, 4], days_ago=60)
        self.add_rating([5, 5, 5, 5], days_ago=30)
        self.add_rating([6, 5, 6, 5], days_ago=1)
        response = self.call("get", f"/api/feedback/plans/{self.plan.pk}/progress", self.teacher)
        assert response.status_code == 200
        [alma] = response.json()
        assert alma["citizen_id"] == self.alma.pk
        assert alma["not_improving"] is True
        [cors] = alma["series"]
        assert cors["scale"] == "cors"
        assert cors["band"] == ["12.0", "24.0"]
        assert [p["total"] for p in cors["points"]] == ["18.0", "20.0", "22.0"]
        assert [p["classification"] for p in cors["points"]] == ["no_reliable_change"] * 3
        assert cors["points"][-1]["change"] == "4.0"
        assert cors["points"][-1]["clinical"] is True

    def test_a_reader_gets_403_and_strangers_404(self) -> None:
        response = self.call("post", self.ratings_url(), self.teacher, self.body())
        assert response.status_code == 403
        for user in (self.outsider, self.colleague, self.other_guardian):
            with self.subTest(user=user):
                assert self.call("post", self.ratings_url(), user, self.body()).status_code == 404
                assert self.call("get", self.ratings_url(), user).status_code == 404
                progress = f"/api/feedback/plans/{self.plan.pk}/progress"
                assert self.call("get", progress, user).status_code == 404
        assert (
            self.call("get", self.ratings_url(self.other_plan.pk), self.guardian).status_code == 404
        )
        assert not Rating.objects.exists()

    def test_wrong_method_is_405(self) -> None:
        assert self.call("delete", self.ratings_url(), self.caseworker).status_code == 405

    def test_anonymous_callers_get_401(self) -> None:
        assert Client().get("/api/feedback/scales").status_code == 401
