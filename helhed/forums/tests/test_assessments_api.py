"""The self-assessment through the API: the same rules as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.forums.models import AssessmentAnswer
from helhed.forums.tests.test_assessments_actions import AssessmentCase, all_scores
from helhed.lib.validity import today

BASE = "/api/forums/self-assessments"


class AssessmentApiTests(AssessmentCase, ApiTestCase):
    def body(self, **changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "forum_id": self.leaders.pk,
            "title": "Før chefmødet",
            "meeting_on": str(today() + dt.timedelta(days=5)),
        }
        data.update(changes)
        return data

    def test_open_answer_close_and_read_the_spread(self) -> None:
        assert self.api("get", f"{BASE}/statements", self.chief).json()[0]["code"] == "solve-first"
        assert self.api("post", BASE, self.teacher, self.body()).status_code == 404
        created = self.api("post", BASE, self.chief, self.body())
        assert created.status_code == 201, created.content
        round_id = created.json()["id"]
        url = f"{BASE}/{round_id}"
        for staff, score in ((self.chief, 2), (self.leader, 3), (self.caseworker, 4)):
            answered = self.api("put", f"{url}/answers", staff, {"scores": all_scores(score)})
            assert answered.status_code == 200
            assert answered.json()["my_scores"] == all_scores(score)
            assert answered.json()["results"] is None
        assert self.api("post", f"{url}/close", self.caseworker).status_code == 403
        closed = self.api("post", f"{url}/close", self.chief)
        assert closed.status_code == 200
        body = closed.json()
        assert body["respondents"] == 3
        first = body["results"][0]
        assert (first["counts"], first["mean"], first["low"], first["high"]) == (
            [0, 1, 1, 1, 0],
            3.0,
            2,
            4,
        )
        # Nothing in the answer names who gave which score.
        keys = {"code", "text", "counts", "answered", "mean", "low", "high"}
        assert all(set(row) == keys for row in body["results"])
        assert self.leader.full_name not in closed.content.decode()
        late = self.api("put", f"{url}/answers", self.leader, {"scores": all_scores(5)})
        assert late.status_code == 403
        history = self.api("get", f"{BASE}/forums/{self.leaders.pk}/history", self.leader)
        assert history.json()[0]["means"]["solve-first"] == 3.0

    def test_non_members_and_outsiders_get_404(self) -> None:
        assessment = self.open_round()
        for staff in (self.teacher, self.director, self.outsider):
            with self.subTest(staff.first_name):
                assert self.api("get", f"{BASE}/{assessment.pk}", staff).status_code == 404
                put = self.api(
                    "put", f"{BASE}/{assessment.pk}/answers", staff, {"scores": all_scores(3)}
                )
                assert put.status_code == 404
                assert self.api("get", BASE, staff).json()["items"] == []
        assert self.api("get", f"{BASE}/{assessment.pk}", None).status_code == 401
        assert not AssessmentAnswer.objects.exists()

    def test_bad_input_is_422(self) -> None:
        assessment = self.open_round()
        url = f"{BASE}/{assessment.pk}/answers"
        for scores in ({"solve-first": 0}, {"nope": 3}, {}):
            with self.subTest(scores):
                response = self.api("put", url, self.chief, {"scores": scores})
                assert response.status_code == 422
        past = self.body(meeting_on=str(today() - dt.timedelta(days=2)))
        assert self.api("post", BASE, self.chief, past).status_code == 422
        assert self.api("post", BASE, self.chief, self.body(title="")).status_code == 422
        assert not AssessmentAnswer.objects.exists()
