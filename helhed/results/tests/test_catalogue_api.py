"""The catalogue API: the same permissions and rules as the web pages."""

from __future__ import annotations

from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.results.models import Indicator, Measurement, Target
from helhed.test import indicator, record_value

NEW = {
    "code": "laesning",
    "name": "Reading",
    "definition": "Share reading at the expected level.",
    "unit_label": "%",
    "source": "National tests",
    "frequency": "year",
}


class CatalogueApiTests(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.absence = indicator("fravaer-over-10")
        self.base = "/api/results/indicators"

    def test_staff_list_and_search_their_municipality_indicators(self) -> None:
        response = self.api("get", f"{self.base}?q=ledelsesspaend", as_=self.teacher)
        assert response.status_code == 200
        assert [i["code"] for i in response.json()["items"]] == ["ledelsesspaend"]
        outsider = self.api("get", self.base, as_=self.outsider)
        assert outsider.json()["count"] == 0
        assert (
            self.api("get", f"{self.base}/{self.absence.pk}", as_=self.teacher).json()["code"]
            == "fravaer-over-10"
        )
        assert (
            self.api("get", f"{self.base}/{self.absence.pk}", as_=self.outsider).status_code == 404
        )
        assert self.api("get", self.base).status_code == 401

    def test_managers_create_indicators_and_codes_are_unique(self) -> None:
        assert self.api("post", self.base, as_=self.chief, body=NEW).status_code == 403
        created = self.api("post", self.base, as_=self.analyst, body=NEW)
        assert created.status_code == 201 and created.json()["code"] == "laesning"
        again = self.api("post", self.base, as_=self.analyst, body=NEW)
        assert again.status_code == 422
        assert "already has an indicator with the code" in again.json()["detail"][0]["message"]
        bad = self.api(
            "post", self.base, as_=self.analyst, body={**NEW, "code": "x2", "computed_by": "nope"}
        )
        assert bad.status_code == 422
        assert Indicator.objects.filter(code__in=["laesning", "x2"]).count() == 1

    def test_targets_are_listed_set_replaced_and_permission_checked(self) -> None:
        url = f"{self.base}/{self.absence.pk}/targets"
        body = {"unit_id": self.school.pk, "applies_from": "2026", "value": "9"}
        assert self.api("post", url, as_=self.teacher, body=body).status_code == 403
        assert self.api("post", url, as_=self.outsider, body=body).status_code == 404
        first = self.api("post", url, as_=self.leader, body=body)
        assert first.status_code == 201 and first.json()["replaced"] is False
        again = self.api("post", url, as_=self.leader, body={**body, "value": "8"})
        assert again.status_code == 200
        assert again.json()["previous_value"] == "9.000"
        listed = self.api("get", url, as_=self.teacher).json()
        assert [(t["unit_name"], t["value"]) for t in listed] == [("Bakkeskolen", "8.000")]
        bad = self.api("post", url, as_=self.leader, body={**body, "applies_from": "26"})
        assert bad.status_code == 422
        target = Target.objects.get()
        assert (
            self.api("delete", f"/api/results/targets/{target.pk}", as_=self.teacher).status_code
            == 403
        )
        assert (
            self.api("delete", f"/api/results/targets/{target.pk}", as_=self.leader).status_code
            == 204
        )
        assert not Target.objects.exists()

    def test_suppressed_values_come_back_as_null(self) -> None:
        record_value(self.absence, self.school, "2025-Q3", "12.5", persons=200)
        record_value(self.absence, self.school, "2025-Q2", "50", persons=4)
        record_value(self.absence, self.family_dept, "2025-Q3", "7", persons=50)
        url = f"{self.base}/{self.absence.pk}/measurements"
        rows = self.api("get", url, as_=self.chief).json()["items"]
        by_period = {(r["unit_name"], r["period"]): r for r in rows}
        assert by_period[("Bakkeskolen", "2025-Q3")]["value"] == "12.500"
        hidden = by_period[("Bakkeskolen", "2025-Q2")]
        assert (hidden["value"], hidden["suppressed"], hidden["persons"]) == (None, True, None)
        only = self.api(
            "get", f"{url}?unit={self.school.pk}&since=2025-Q3&until=2025-Q4", as_=self.chief
        )
        assert [r["period"] for r in only.json()["items"]] == ["2025-Q3"]
        # The teacher does not see the family department; the outsider not the indicator.
        teacher = self.api("get", url, as_=self.teacher).json()["items"]
        assert {r["unit_name"] for r in teacher} == {"Bakkeskolen"}
        assert self.api("get", url, as_=self.outsider).status_code == 404
        assert self.api("get", f"{url}?since=nonsense", as_=self.chief).status_code == 422

    def test_values_are_recorded_with_the_same_rules(self) -> None:
        url = "/api/results/measurements"
        body = {
            "indicator_id": self.absence.pk,
            "unit_id": self.school.pk,
            "period": "2025-Q3",
            "numerator": "25",
            "denominator": "200",
            "persons": 200,
        }
        assert self.api("post", url, as_=self.teacher, body=body).status_code == 403
        created = self.api("post", url, as_=self.leader, body=body)
        assert created.status_code == 201
        assert created.json()["measurement"]["value"] == "12.500"
        replaced = self.api("post", url, as_=self.leader, body={**body, "numerator": "30"})
        assert replaced.status_code == 200 and replaced.json()["previous_value"] == "12.500"
        bad = self.api("post", url, as_=self.leader, body={**body, "period": "2025"})
        assert bad.status_code == 422
        assert "is measured quarterly" in bad.json()["detail"][0]["message"]
        assert Measurement.objects.get().value == 15

    def test_compute_is_for_managers(self) -> None:
        span = indicator("ledelsesspaend")
        url = f"{self.base}/{span.pk}/compute"
        assert self.api("post", url, as_=self.chief).status_code == 403
        done = self.api("post", url, as_=self.director)
        assert done.status_code == 200 and len(done.json()["periods"]) == 8
        assert done.json()["created"] == Measurement.objects.count() > 0
        assert (
            self.api(
                "post", f"{self.base}/{self.absence.pk}/compute", as_=self.director
            ).status_code
            == 422
        )
