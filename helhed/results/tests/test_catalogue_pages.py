"""The catalogue pages: the list, one indicator, and the indicator forms, with their permissions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from helhed.results.catalogue import catalogue_entries
from helhed.results.models import Indicator
from helhed.test import BaseTestCase, indicator, record_value, set_target


class CatalogueCase(BaseTestCase):
    """English pages, and the catalogue installed (``indicator`` installs it on first use)."""

    def setUp(self) -> None:
        super().setUp()
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        self.absence = indicator("fravaer-over-10")  # quarterly percent

    def url(self, name: str, *args: Any) -> str:
        return reverse(f"results:{name}", args=args)

    def get(self, name: str, *args: Any, query: str = "") -> Any:
        return self.client.get(self.url(name, *args) + query)

    def post(self, name: str, *args: Any, data: dict[str, Any] | None = None) -> Any:
        return self.client.post(self.url(name, *args), data or {})


INDICATOR_DATA = {
    "code": "laesning-3-klasse",
    "name": "Reading in 3rd grade",
    "definition": "Share of pupils reading at least at the expected level.",
    "population": "Pupils in 3rd grade",
    "numerator": "Pupils at the level",
    "denominator": "Pupils tested",
    "factor": "100",
    "unit_label": "%",
    "decimals": "1",
    "direction": "higher",
    "kind": "better_off",
    "source": "National tests",
    "frequency": "year",
    "computed_by": "",
    "counts_persons": "on",
    "amber_margin": "",
    "national_value": "",
    "national_note": "",
    "is_active": "on",
}


class ListTests(CatalogueCase):
    def test_staff_see_the_catalogue_and_search_it_by_name_code_and_definition(self) -> None:
        self.login(self.teacher)
        response = self.get("indicators")
        assert response.status_code == 200
        self.assertContains(response, "Indicators")
        assert response.context["page"].paginator.count == len(catalogue_entries())
        by_code = self.get("indicators", query="?q=ledelsesspaend")
        assert [i.code for i in by_code.context["page"]] == ["ledelsesspaend"]
        by_definition = self.get("indicators", query="?q=underretninger")
        assert "underretninger-pr-1000" in [i.code for i in by_definition.context["page"]]
        none = self.get("indicators", query="?q=zzzz")
        self.assertContains(none, "No indicators match the search.")

    def test_it_filters_by_rba_kind_and_frequency_and_paginates(self) -> None:
        self.login(self.teacher)
        response = self.get("indicators", query="?kind=better_off&frequency=quarter")
        codes = [i.code for i in response.context["page"]]
        assert codes == ["fit-paalidelig-fremgang"]
        for number in range(30):
            Indicator.objects.create(
                municipality=self.absence.municipality,
                code=f"extra-{number}",
                name=f"Extra {number:02d}",
                definition="x",
                unit_label="%",
                source="x",
            )
        first = self.get("indicators")
        assert first.context["page"].has_next()
        second = self.get("indicators", query="?page=2")
        assert second.status_code == 200 and second.context["page"].number == 2

    def test_a_manager_sees_how_many_shipped_indicators_are_missing_and_installs_them(
        self,
    ) -> None:
        Indicator.objects.filter(code__in=["trivsel", "ledelsesspaend"]).delete()
        self.login(self.director)
        response = self.get("indicators")
        self.assertContains(response, "2 indicators of the shipped catalogue are not in")
        self.assertContains(response, "Install 2 indicators")
        installed = self.post("catalogue_install")
        assert installed.status_code == 302
        assert Indicator.objects.filter(code__in=["trivsel", "ledelsesspaend"]).count() == 2
        page = self.get("indicators")
        self.assertContains(page, "2 indicators were added from the shipped catalogue.")
        self.assertNotContains(page, "Install ")
        Indicator.objects.filter(code="trivsel").delete()
        self.post("catalogue_install")
        self.assertContains(
            self.get("indicators"), "1 indicator was added from the shipped catalogue."
        )

    def test_others_get_no_install_button_and_a_403_when_they_post(self) -> None:
        Indicator.objects.filter(code="trivsel").delete()
        for person in (self.chief, self.teacher):
            self.login(person)
            self.assertNotContains(self.get("indicators"), "Install ")
            assert self.post("catalogue_install").status_code == 403
        assert not Indicator.objects.filter(code="trivsel").exists()

    def test_the_outsider_sees_only_their_own_municipality_catalogue(self) -> None:
        self.login(self.outsider)
        response = self.get("indicators")
        assert response.status_code == 200
        assert response.context["page"].paginator.count == 0

    def test_wrong_methods_and_anonymous_users(self) -> None:
        self.login(self.director)
        assert self.post("indicators").status_code == 405
        assert self.get("catalogue_install").status_code == 405
        self.client.logout()
        assert self.get("indicators").status_code == 302


class DetailTests(CatalogueCase):
    def test_it_shows_the_definition_markers_targets_and_values(self) -> None:
        _committee, _ambition, marker = self.make_results_chain()
        set_target(
            self.absence,
            self.children_admin,
            8,
            applies_from="2024",
            baseline="11.5",
            baseline_period="2023",
        )
        record_value(self.absence, self.school, "2025-Q3", "12.5", persons=210)
        self.login(self.chief)
        response = self.get("indicator", self.absence.pk)
        assert response.status_code == 200
        html = response.content.decode()
        for text in (
            self.absence.definition,
            self.absence.population,
            "Percent",
            "Lower is better",
            "Quarterly",
            "Population indicator",
            marker.title,
            "Børn og Skole",
            "11.5",
            "Q3 2025",
            "12.5",
            "inherited from Børn og Skole",
        ):
            assert text in html, text

    def test_a_value_based_on_fewer_than_five_persons_is_shown_as_a_dash(self) -> None:
        record_value(self.absence, self.school, "2025-Q3", "37.5", persons=4)
        self.login(self.chief)
        response = self.get("indicator", self.absence.pk)
        html = response.content.decode()
        assert "37.5" not in html and "37,5" not in html
        assert "fewer than 5 persons, not shown" in html

    def test_values_are_filtered_by_unit_and_limited_to_units_the_user_sees(self) -> None:
        record_value(self.absence, self.school, "2025-Q3", "12.5")
        record_value(self.absence, self.family_dept, "2025-Q3", "7.5")
        self.login(self.chief)
        only_school = self.get("indicator", self.absence.pk, query=f"?unit={self.school.key}")
        units = {row["measurement"].unit for row in only_school.context["rows"]}
        assert units == {self.school}
        # The teacher sees Bakkeskolen and the two levels above, not the family department.
        self.login(self.teacher)
        rows = self.get("indicator", self.absence.pk).context["rows"]
        assert {row["measurement"].unit for row in rows} == {self.school}

    def test_the_outsider_gets_404_for_another_municipality_indicator(self) -> None:
        self.login(self.outsider)
        assert self.get("indicator", self.absence.pk).status_code == 404
        assert self.get("indicator_edit", self.absence.pk).status_code == 404
        assert self.get("indicator", 999999).status_code == 404

    def test_buttons_follow_the_permissions(self) -> None:
        self.login(self.teacher)
        html = self.get("indicator", self.absence.pk).content.decode()
        assert self.url("measurement_record", self.absence.pk) not in html
        assert self.url("indicator_edit", self.absence.pk) not in html
        self.login(self.leader)
        html = self.get("indicator", self.absence.pk).content.decode()
        assert self.url("measurement_record", self.absence.pk) in html
        assert self.url("target_set", self.absence.pk) in html
        assert self.url("indicator_edit", self.absence.pk) not in html
        self.login(self.analyst)
        html = self.get("indicator", self.absence.pk).content.decode()
        assert self.url("indicator_edit", self.absence.pk) in html
        assert self.url("indicator_compute", self.absence.pk) not in html  # not computed
        span = indicator("ledelsesspaend")
        html = self.get("indicator", span.pk).content.decode()
        assert "Compute now" in html
        assert self.url("measurement_record", span.pk) not in html

    def test_wrong_method_is_405(self) -> None:
        self.login(self.chief)
        assert self.post("indicator", self.absence.pk).status_code == 405


class FormTests(CatalogueCase):
    def test_a_manager_creates_an_indicator(self) -> None:
        self.login(self.analyst)
        assert self.get("indicator_create").status_code == 200
        response = self.post("indicator_create", data=INDICATOR_DATA)
        created = Indicator.objects.get(code="laesning-3-klasse")
        self.assertRedirects(response, self.url("indicator", created.pk))
        assert created.municipality == self.absence.municipality
        assert created.factor == 100 and created.kind == "better_off"

    def test_a_code_already_in_the_catalogue_is_refused_with_a_clear_message(self) -> None:
        self.login(self.director)
        response = self.post("indicator_create", data={**INDICATOR_DATA, "code": "trivsel"})
        assert response.status_code == 400
        self.assertContains(
            response,
            "The municipality already has an indicator with the code “trivsel”",
            status_code=400,
        )
        assert Indicator.objects.filter(code="trivsel").count() == 1

    def test_computed_by_is_limited_to_registered_sources(self) -> None:
        self.login(self.director)
        page = self.get("indicator_create")
        self.assertContains(page, "plans.referral_waiting_days")
        response = self.post(
            "indicator_create", data={**INDICATOR_DATA, "computed_by": "analytics.nothing"}
        )
        assert response.status_code == 400
        assert not Indicator.objects.filter(code="laesning-3-klasse").exists()
        ok = self.post(
            "indicator_create",
            data={**INDICATOR_DATA, "computed_by": "organisation.management_span"},
        )
        assert ok.status_code == 302

    def test_a_manager_edits_an_indicator_and_others_get_403(self) -> None:
        self.login(self.chief)
        assert self.get("indicator_edit", self.absence.pk).status_code == 403
        assert self.get("indicator_create").status_code == 403
        self.login(self.teacher)
        assert self.post("indicator_edit", self.absence.pk, data=INDICATOR_DATA).status_code == 403
        self.login(self.director)
        form = self.get("indicator_edit", self.absence.pk)
        assert form.context["form"].initial["code"] == "fravaer-over-10"
        data = {**INDICATOR_DATA, "code": "fravaer-over-10", "name": "School absence"}
        response = self.post("indicator_edit", self.absence.pk, data=data)
        assert response.status_code == 302
        self.absence.refresh_from_db()
        assert self.absence.name == "School absence"

    def test_bad_input_is_a_form_error_and_changes_nothing(self) -> None:
        self.login(self.director)
        response = self.post(
            "indicator_edit",
            self.absence.pk,
            data={**INDICATOR_DATA, "code": "fravaer-over-10", "factor": "7", "name": ""},
        )
        assert response.status_code == 400
        self.absence.refresh_from_db()
        assert self.absence.factor == 100 and self.absence.name != ""
