"""The management span API: the same spans, scenario and target rules as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.leadership.actions.span import do_set_span_target
from helhed.leadership.models import SpanTarget
from helhed.leadership.tests.test_span_actions import SpanCase
from helhed.lib.validity import today
from helhed.results.periods import Frequency, Period
from helhed.test import indicator, record_value

BASE = "/api/leadership/spans"


class SpanApiTests(SpanCase, ApiTestCase):
    def set_target(self, value: int, applies_from: dt.date | None = None) -> SpanTarget:
        day = applies_from or today()
        return do_set_span_target(
            actor=self.director,
            municipality=self.root.municipality,
            max_direct_reports=value,
            applies_from=day,
            on=day,
        )

    def test_todays_spans_and_summary_with_suppressed_area_numbers(self) -> None:
        self.set_target(3)
        quarter = Period.last_complete(today(), Frequency.QUARTERLY)
        record_value(indicator("sygefravaer-medarbejdere"), self.care, quarter.code, "4.8")
        record_value(
            indicator("trivsel-medarbejdere"), self.care, str(today().year - 1), 72, persons=3
        )
        response = self.api("get", BASE, self.director)
        assert response.status_code == 200
        data = response.json()
        assert data["unit"]["id"] == self.root.pk
        summary = data["summary"]
        assert (summary["leaders"], summary["largest"], summary["target"]) == (4, 4, 3)
        assert (summary["above_target"], summary["mean"]) == (1, "3.0")
        care = data["leaders"][0]
        assert (care["unit_id"], care["direct_reports"], care["over_target"]) == (
            self.care.pk,
            4,
            True,
        )
        assert care["sickness"]["value"] == "4.800"
        assert care["wellbeing"] == {
            "indicator_code": "trivsel-medarbejdere",
            "period": str(today().year - 1),
            "value": None,
            "suppressed": True,
        }

    def test_units_the_caller_may_not_see_are_404(self) -> None:
        assert self.api("get", f"{BASE}?unit={self.root.pk}", self.chief).status_code == 404
        assert self.api("get", f"{BASE}?unit={self.school.pk}", self.chief).status_code == 200
        assert self.api("get", f"{BASE}?unit={2**70}", self.director).status_code in (404, 422)
        for staff in (self.outsider, self.caseworker):
            assert self.api("get", BASE, staff).status_code == 404
            assert self.api("get", f"{BASE}/history", staff).status_code == 404
            assert self.api("get", f"{BASE}/scenario?target=5", staff).status_code == 404

    def test_history_follows_the_organisation_quarter_by_quarter(self) -> None:
        response = self.api("get", f"{BASE}/history?unit={self.care.pk}", self.director)
        assert response.status_code == 200
        days = response.json()["days"]
        assert [d["largest"] for d in days] == [6, 6, 6, 6, 5, 5, 4, 4, 4]
        assert days[-1]["on"] == today().isoformat()

    def test_the_scenario_with_a_given_or_the_target_in_force(self) -> None:
        url = f"{BASE}/scenario"
        assert self.api("get", url, self.director).status_code == 422  # no target yet
        data = self.api("get", f"{url}?target=2", self.director).json()
        assert (data["needed_by_leader"], data["needed_overall"], data["leaders_today"]) == (
            7,
            6,
            4,
        )
        assert (data["difference_by_leader"], data["difference_overall"]) == (3, 2)
        self.set_target(3)
        assert self.api("get", url, self.director).json()["needed_by_leader"] == 5
        for bad in ("1", "501", "abc"):
            assert self.api("get", f"{url}?target={bad}", self.director).status_code == 422, bad

    def test_only_the_director_sets_the_target(self) -> None:
        body: dict[str, Any] = {"max_direct_reports": 25, "applies_from": today().isoformat()}
        assert self.api("post", f"{BASE}/target", self.chief, body).status_code == 403
        assert self.api("post", f"{BASE}/target", self.analyst, body).status_code == 403
        assert self.api("post", f"{BASE}/target", self.outsider, body).status_code == 404
        assert not SpanTarget.objects.exists()
        for bad in (
            {**body, "max_direct_reports": 1},
            {**body, "applies_from": "2020-01-01"},
            {**body, "note": "x" * 301},
        ):
            assert self.api("post", f"{BASE}/target", self.director, bad).status_code == 422, bad
        response = self.api("post", f"{BASE}/target", self.director, body)
        assert response.status_code == 201
        assert response.json()["max_direct_reports"] == 25
        assert self.api("post", f"{BASE}/target", self.director, body).status_code == 422

    def test_the_target_history_is_listed_for_those_who_see_spans(self) -> None:
        self.set_target(30, today() - dt.timedelta(days=100))
        self.set_target(20)
        listed = self.api("get", f"{BASE}/target", self.chief).json()
        assert [t["max_direct_reports"] for t in listed["items"]] == [20, 30]
        assert self.api("get", f"{BASE}/target", self.outsider).json()["count"] == 0
        assert self.api("get", f"{BASE}/target", self.caseworker).json()["count"] == 0

    def test_wrong_method_is_405(self) -> None:
        assert self.api("delete", f"{BASE}/target", self.director).status_code == 405
        assert self.api("post", f"{BASE}/history", self.director, {}).status_code == 405
