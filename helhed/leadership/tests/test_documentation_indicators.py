"""The indicators of the results catalogue record who uses them, like requirements."""

from __future__ import annotations

from django.urls import reverse

from helhed.leadership.models import DataUse
from helhed.leadership.tests.test_documentation_views import DocumentationPageCase
from helhed.lib.validity import today
from helhed.test import indicator


class IndicatorUseTests(DocumentationPageCase):
    url = reverse("leadership:documentation_indicators")

    def setUp(self) -> None:
        super().setUp()
        self.absence = indicator("fravaer-over-10")
        self.wellbeing = indicator("trivsel")
        self.foreign = indicator("trivsel", municipality_code=167)

    def flags(self, **params: str) -> dict[int, bool]:
        response = self.client.get(self.url, params)
        assert response.status_code == 200
        return {i.pk: i.nice_to_know for i, _uses in response.context["rows"]}

    def test_unused_indicators_are_flagged_nice_to_know(self) -> None:
        self.use(None, indicator=self.absence, user_description="Skoleudvalget")
        self.use(None, indicator=self.wellbeing, ended_on=today())
        self.login(self.teacher)
        response = self.client.get(self.url, {"q": "fravær"})
        self.assertContains(response, "Skoleudvalget")
        flags = self.flags()
        assert flags[self.absence.pk] is False
        assert self.foreign.pk not in flags
        assert self.flags(q="trivsel")[self.wellbeing.pk] is True
        nice = self.flags(nice="on")
        assert self.absence.pk not in nice and self.wellbeing.pk in nice

    def test_any_staff_member_records_a_use_of_an_indicator(self) -> None:
        self.login(self.caseworker)
        url = reverse("leadership:indicator_use", args=[self.wellbeing.pk])
        assert self.client.get(url).status_code == 200
        response = self.client.post(url, {"user_description": "Ledergruppen", "used_for": "Mål"})
        self.assertRedirects(
            response, f"{self.url}#indicator-{self.wellbeing.pk}", fetch_redirect_response=False
        )
        use = DataUse.objects.get()
        assert (use.indicator, use.requirement, use.recorded_by) == (
            self.wellbeing,
            None,
            self.caseworker,
        )
        assert self.flags(q="trivsel")[self.wellbeing.pk] is False

    def test_bad_input_is_a_form_error_and_outsiders_get_404(self) -> None:
        url = reverse("leadership:indicator_use", args=[self.wellbeing.pk])
        self.login(self.teacher)
        assert self.client.post(url, {"user_description": "", "used_for": ""}).status_code == 422
        self.login(self.outsider)
        assert self.client.post(url, {"user_description": "A", "used_for": "B"}).status_code == 404
        assert not DataUse.objects.exists()

    def test_ending_an_indicator_use_returns_to_the_indicators(self) -> None:
        use = self.use(None, indicator=self.absence, recorded_by=self.teacher)
        end = reverse("leadership:use_end", args=[use.pk])
        self.login(self.leader)  # a leader, but neither recorder, analyst nor director
        assert self.client.post(end).status_code == 403
        self.login(self.analyst)
        response = self.client.post(end)
        self.assertRedirects(
            response, f"{self.url}#indicator-{self.absence.pk}", fetch_redirect_response=False
        )

    def test_wrong_method_and_no_role(self) -> None:
        self.login(self.teacher)
        assert self.client.post(self.url).status_code == 405
        self.client.logout()
        self.client.force_login(self.admin)
        assert self.client.get(self.url).status_code == 404
