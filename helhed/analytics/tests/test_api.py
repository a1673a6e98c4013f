"""The analytics API: cells, benchmark and schools, with the page's numbers, 404s and 403s.

The data are ``BenchmarkCase``'s (see ``test_benchmarking``): Rudersdal's
absence is 12 %, rank 3 of 4 among itself and its five comparables; its
schools Sydskolen 6 %, Bakkeskolen 10 %, Nordskolen (3 persons) and
Vestskolen hidden.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from helhed.analytics.tests.test_benchmarking import ABSENCE, PERIOD, BenchmarkCase
from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.organisation.models import Staff

CELLS = "/api/analytics/cells"
BENCHMARK = "/api/analytics/benchmark"
SCHOOLS = "/api/analytics/schools"


class AnalyticsApiCase(BenchmarkCase, ApiTestCase):
    def get(self, path: str, as_: Staff | None = None, status: int = 200) -> Any:
        response = self.api("get", path, as_=as_)
        assert response.status_code == status, (response.status_code, response.content)
        return response.json()


class CellsApiTests(AnalyticsApiCase):
    def test_a_unit_s_cells_come_with_their_numbers(self) -> None:
        body = self.get(f"{CELLS}?unit_id={self.school.pk}", as_=self.leader)
        (cell,) = body["items"]
        assert cell["unit_name"] == "Bakkeskolen" and cell["period"] == PERIOD
        assert Decimal(cell["value"]) == Decimal("10.000")
        assert Decimal(cell["numerator"]) == 10 and Decimal(cell["denominator"]) == 100
        assert cell["persons"] == 100 and cell["suppressed"] is False and cell["reason"] is None

    def test_hidden_cells_are_null_with_their_reason(self) -> None:
        body = self.get(f"{CELLS}?unit_id={self.north.pk}", as_=self.analyst)
        (cell,) = body["items"]  # stored with 3 persons and a value: hidden all the same
        assert cell["value"] is None and cell["numerator"] is None
        assert cell["denominator"] is None and cell["persons"] is None
        assert cell["suppressed"] is True and cell["reason"] == "primary"
        assert cell["reason_text"]
        body = self.get(f"{CELLS}?unit_id={self.west.pk}", as_=self.analyst)
        assert body["items"][0]["suppressed"] is True

    def test_the_list_holds_only_the_caller_s_units_and_filters(self) -> None:
        body = self.get(f"{CELLS}?indicator={ABSENCE}&group=all&page_size=3", as_=self.analyst)
        # Rudersdal's root, four schools, the daycare and the team; no other municipality.
        assert body["count"] == 7
        assert len(body["items"]) == 3
        body = self.get(f"{CELLS}?indicator={ABSENCE}&group=all&page_size=100", as_=self.analyst)
        names = {item["unit_name"] for item in body["items"]}
        assert "Rudersdal Kommune" in names and "Kommune 147" not in names
        body = self.get(f"{CELLS}?group=sex:F", as_=self.analyst)
        assert [item["group"] for item in body["items"]] == ["sex:F"]
        body = self.get(f"{CELLS}?period_from=2025-Q3&period_to=2025-Q3", as_=self.outsider)
        assert [item["unit_name"] for item in body["items"]] == ["Hvidovre Kommune"]
        body = self.get(f"{CELLS}?period_from=2025-Q4", as_=self.outsider)
        assert body["count"] == 0

    def test_a_unit_the_caller_may_not_see_is_404(self) -> None:
        for staff, unit in (
            (self.analyst, self.roots[147]),
            (self.outsider, self.school),
            (self.leader, self.family_dept),
        ):
            with self.subTest(staff=staff.full_name, unit=unit.name):
                self.get(f"{CELLS}?unit_id={unit.pk}", as_=staff, status=404)
        self.get(f"{CELLS}?unit_id=999999", as_=self.analyst, status=404)
        assert self.api("get", CELLS).status_code == 401

    def test_bad_parameters_are_4xx(self) -> None:
        for query in (
            "?indicator=nope",
            "?group=sex:X",
            "?period_from=2025-Q9",
            "?period_to=next",
            "?unit_id=abc",
            "?unit_id=99999999999999999999999",
            "?page=0",
            "?page_size=100000",
        ):
            with self.subTest(query=query):
                self.get(CELLS + query, as_=self.analyst, status=422)


class BenchmarkApiTests(AnalyticsApiCase):
    def test_the_analyst_gets_the_rank_the_group_and_all_municipalities(self) -> None:
        body = self.get(f"{BENCHMARK}?indicator={ABSENCE}&period=2025-q3", as_=self.analyst)
        assert body["period"] == PERIOD and body["municipality_code"] == 230
        assert body["indicator"]["higher_is_better"] is False
        assert (body["rank"], body["ranked"], body["compared"]) == (3, 4, 6)
        rows = [(r["municipality_code"], r["rank"], r["suppressed"]) for r in body["rows"]]
        assert rows == [
            (147, 1, False),
            (101, 2, False),
            (230, 3, False),
            (167, 4, False),
            (151, None, False),
            (153, None, True),
        ]
        hidden = body["rows"][-1]
        assert hidden["value"] is None and hidden["persons"] is None
        assert hidden["reason"] == "complementary"
        group = body["group"]
        assert Decimal(group["value"]) == Decimal("11.000")
        assert (group["included"], group["members"], group["partial"]) == (3, 5, True)
        national = body["national"]
        assert Decimal(national["value"]) == Decimal("11.200")
        assert national["label"] == "All municipalities in the data (5)"
        assert "3.000" not in json.dumps(body)  # Brøndby's hidden 3 %

    def test_front_line_staff_may_not_compare_municipalities(self) -> None:
        for staff in (self.teacher, self.outsider):
            with self.subTest(staff=staff.full_name):
                self.get(f"{BENCHMARK}?indicator={ABSENCE}&period={PERIOD}", as_=staff, status=403)

    def test_bad_parameters_are_422(self) -> None:
        for query in (
            f"?indicator=nope&period={PERIOD}",
            f"?indicator={ABSENCE}&period=2025-Q9",
            f"?indicator={ABSENCE}&period=",
            f"?indicator={ABSENCE}",
            "?period=2025",
        ):
            with self.subTest(query=query):
                self.get(BENCHMARK + query, as_=self.analyst, status=422)

    def test_a_period_without_cells_has_no_data_rather_than_an_error(self) -> None:
        body = self.get(f"{BENCHMARK}?indicator={ABSENCE}&period=2019", as_=self.analyst)
        assert body["rank"] is None and body["ranked"] == 0
        assert body["group"]["value"] is None and body["group"]["has_data"] is False


class SchoolsApiTests(AnalyticsApiCase):
    def test_the_leader_gets_the_schools_ranked_with_hidden_ones_last(self) -> None:
        body = self.get(f"{SCHOOLS}?indicator={ABSENCE}&period={PERIOD}", as_=self.leader)
        rows = [
            (r["label"], r["rank"], r["value"] and Decimal(r["value"]), r["reason"])
            for r in body["rows"]
        ]
        assert rows == [
            ("Sydskolen", 1, Decimal("6.000"), None),
            ("Bakkeskolen", 2, Decimal("10.000"), None),
            ("Nordskolen", None, None, "primary"),
            ("Vestskolen", None, None, "primary"),
        ]
        assert body["ranked"] == 2
        assert "33.333" not in json.dumps(body)

    def test_staff_of_another_municipality_get_403(self) -> None:
        self.get(f"{SCHOOLS}?indicator={ABSENCE}&period={PERIOD}", as_=self.outsider, status=403)
        self.get(f"{SCHOOLS}?indicator=nope&period={PERIOD}", as_=self.leader, status=422)


class SchemaTests(AnalyticsApiCase):
    def test_the_schema_names_the_analytics_shapes(self) -> None:
        schema = self.client.get("/api/openapi.json").json()
        for path in (CELLS, BENCHMARK, SCHOOLS):
            assert "get" in schema["paths"][path], path
        components = schema["components"]["schemas"]
        assert {"AnalyticsCellOut", "AnalyticsBenchmarkOut", "AnalyticsRowOut"} <= set(components)
