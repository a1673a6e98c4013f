"""The management span pages: the plot against the target, leaders today, scenario, target form."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

from django.conf import settings
from django.test.client import Client
from django.urls import reverse

from helhed.leadership.actions.span import do_set_span_target
from helhed.leadership.models import SpanTarget
from helhed.leadership.tests.test_span_actions import SpanCase
from helhed.lib.validity import today
from helhed.organisation.models import Staff
from helhed.results.periods import Frequency, Period
from helhed.test import indicator, record_value

SPAN = reverse("leadership:span")
TARGET = reverse("leadership:span_target")


class SpanPageCase(SpanCase):
    client: Client

    def setUp(self) -> None:
        super().setUp()
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        # vl-convert takes a second a chart; one test below draws the real one.
        patcher = mock.patch(
            "helhed.leadership.views.span.history_svg", return_value="<svg>plot</svg>"
        )
        patcher.start()
        self.addCleanup(patcher.stop)

    def get(self, staff: Staff, url: str = SPAN, **params: Any) -> Any:
        self.login(staff)
        return self.client.get(url, params)

    def set_target(self, value: int, applies_from: dt.date | None = None) -> SpanTarget:
        day = applies_from or today()
        return do_set_span_target(
            actor=self.director,
            municipality=self.root.municipality,
            max_direct_reports=value,
            applies_from=day,
            on=day,
        )


class SpanPageTests(SpanPageCase):
    def test_the_director_sees_the_municipality_against_its_target(self) -> None:
        self.set_target(30, self.days[2] - dt.timedelta(days=5))
        self.set_target(3)
        response = self.get(self.director)
        assert response.status_code == 200
        assert response.context["unit"] == self.root
        history = response.context["history"]
        assert [p.target for p in history] == [None, None, 30, 30, 30, 30, 30, 30, 3]
        self.assertContains(response, "At most 3 staff per leader")
        self.assertContains(response, "<svg>plot</svg>", html=False)
        table = response.context["rows"]
        assert [r.span.direct_reports for r in table] == [4, 3, 3, 2]
        assert [r.over_target for r in table] == [True, False, False, False]
        self.assertContains(response, 'data-testid="over-target"', count=1)
        self.assertContains(response, 'href="/leadership/span/target/"')

    def test_the_plot_is_drawn_with_the_target_line_and_an_accessible_name(self) -> None:
        mock.patch.stopall()
        self.set_target(5, self.days[0] - dt.timedelta(days=1))
        response = self.get(self.director)
        chart = response.context["chart"]
        assert chart.startswith('<svg role="img" aria-label="Management span over time in')
        for legend in ("Mean span", "Largest span", "Target"):
            assert legend in chart

    def test_a_chief_sees_the_units_they_lead_and_no_further_up(self) -> None:
        response = self.get(self.chief)
        assert response.status_code == 200 and response.context["unit"] == self.children_admin
        assert self.get(self.chief, unit=self.school.pk).status_code == 200
        assert self.get(self.chief, unit=self.root.pk).status_code == 404
        assert self.get(self.chief, unit=self.care.pk).status_code == 404
        self.assertNotContains(response, 'href="/leadership/span/target/"')

    def test_who_sees_no_spans_gets_404(self) -> None:
        for staff in (self.outsider, self.caseworker, self.teacher, self.politician):
            assert self.get(staff).status_code == 404, staff
        for bad in ("abc", "-1", "9" * 30, "١"):
            assert self.get(self.director, unit=bad).status_code == 404, bad

    def test_the_leaders_table_shows_sickness_and_suppressed_well_being(self) -> None:
        quarter = Period.last_complete(today(), Frequency.QUARTERLY)
        record_value(indicator("sygefravaer-medarbejdere"), self.care, quarter.code, "4.8")
        record_value(
            indicator("trivsel-medarbejdere"), self.care, str(today().year - 1), 72, persons=3
        )
        response = self.get(self.director)
        self.assertContains(response, '<span data-testid="sickness">4.8 %</span>', html=False)
        self.assertContains(response, '<span data-testid="wellbeing">–</span>', html=False)
        self.assertContains(response, 'data-testid="suppressed"', count=1)
        self.assertNotContains(response, "72 score")

    def test_the_leaders_table_searches_and_filters(self) -> None:
        self.set_target(3)
        response = self.get(self.director, q="hjemme")
        assert [r.span.unit for r in response.context["rows"]] == [self.care]
        response = self.get(self.director, over="1")
        assert [r.span.unit for r in response.context["rows"]] == [self.care]

    def test_wrong_method_is_405(self) -> None:
        self.login(self.director)
        assert self.client.post(SPAN).status_code == 405


class ScenarioPageTests(SpanPageCase):
    def test_the_scenario_defaults_to_the_target_in_force(self) -> None:
        self.set_target(2)
        response = self.get(self.director)
        result = response.context["scenario"]
        assert (result.target, result.needed_by_leader, result.needed_overall) == (2, 7, 6)
        self.assertContains(response, 'data-testid="difference-by-leader">+3<', html=False)
        self.assertContains(response, "This keeps today's units")

    def test_a_given_target_is_computed(self) -> None:
        response = self.get(self.director, target="3")
        assert response.status_code == 200
        result = response.context["scenario"]
        assert (result.needed_by_leader, result.leaders_today, result.needed_overall) == (5, 4, 4)

    def test_without_a_target_nothing_is_computed(self) -> None:
        response = self.get(self.director)
        assert response.context["scenario"] is None
        self.assertContains(response, "Give a target span")

    def test_bad_input_shows_an_error_not_a_500(self) -> None:
        for bad in ("1", "501", "abc", "", "2.5", "9" * 40):
            response = self.get(self.director, target=bad)
            assert response.status_code == 422, bad
            assert response.context["scenario"] is None
            assert response.context["form"].errors["target"], bad


class TargetPageTests(SpanPageCase):
    def data(self, **changes: Any) -> dict[str, Any]:
        data = {"max_direct_reports": "25", "applies_from": today().isoformat(), "note": "KL"}
        data.update(changes)
        return data

    def test_the_director_sets_the_target(self) -> None:
        assert self.get(self.director, TARGET).status_code == 200
        response = self.client.post(TARGET, self.data())
        self.assertRedirects(response, SPAN)
        target = SpanTarget.objects.get()
        assert (target.max_direct_reports, target.set_by, target.note) == (25, self.director, "KL")
        page = self.client.get(SPAN)
        self.assertContains(page, "At most 25 staff per leader")

    def test_bad_input_is_shown_with_the_form(self) -> None:
        self.login(self.director)
        for changes, field in (
            ({"max_direct_reports": "1"}, "max_direct_reports"),
            ({"max_direct_reports": "x"}, "max_direct_reports"),
            ({"applies_from": "2020-01-01"}, "applies_from"),
            ({"applies_from": "nonsense"}, "applies_from"),
            ({"note": "n" * 301}, "note"),
        ):
            response = self.client.post(TARGET, self.data(**changes))
            assert response.status_code == 422, changes
            assert response.context["form"].errors[field], changes
        assert not SpanTarget.objects.exists()

    def test_only_the_director_sets_it(self) -> None:
        for staff in (self.chief, self.leader, self.analyst):
            assert self.get(staff, TARGET).status_code == 403, staff
            assert self.client.post(TARGET, self.data()).status_code == 403, staff
        for staff in (self.outsider, self.caseworker):
            assert self.get(staff, TARGET).status_code == 404, staff
            assert self.client.post(TARGET, self.data()).status_code == 404, staff
        assert not SpanTarget.objects.exists()

    def test_wrong_method_is_405(self) -> None:
        self.login(self.director)
        assert self.client.put(TARGET).status_code == 405
