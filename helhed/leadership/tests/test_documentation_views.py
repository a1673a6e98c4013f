"""The documentation register's pages: the list, a requirement, registering, uses, dropping."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.urls import reverse

from helhed.leadership.models import DataUse, DocumentationRequirement
from helhed.leadership.tests.documentation_case import DocumentationCase
from helhed.lib.validity import today

REASON = "Ingen bruger skemaet; skolen følger trivslen i samtaler."


class DocumentationPageCase(DocumentationCase):
    def setUp(self) -> None:
        # English, so that the hours read with a decimal point.
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


class ListTests(DocumentationPageCase):
    url = reverse("leadership:documentation")

    def test_the_list_shows_hours_flags_and_totals(self) -> None:
        bare = self.requirement(title="Trivselsskema", minutes_per_case=10, cases_per_year=120)
        used = self.requirement(title="Fraværsnotat", minutes_per_case=6, cases_per_year=100)
        self.use(used)
        self.login(self.teacher)
        response = self.client.get(self.url)
        assert response.status_code == 200
        rows = {r.title: r for r in response.context["page"]}
        assert rows[bare.title].nice_to_know and not rows[used.title].nice_to_know
        self.assertContains(response, "20.0")  # the bare one's hours a year
        self.assertContains(response, 'data-testid="nice-to-know"', count=1)
        totals = response.context["totals"]
        assert (str(totals.active_hours), str(totals.nice_hours), str(totals.saved_hours)) == (
            "30.0",
            "20.0",
            "0.0",
        )

    def test_search_and_filters_narrow_the_list(self) -> None:
        self.requirement(title="Trivselsskema")
        self.requirement(title="Fraværsnotat", legal_basis="Folkeskoleloven § 39")
        self.requirement(title="Kvalitetsrapport", kind="report", minutes_per_case=600)
        self.login(self.teacher)

        def titles(**params: Any) -> list[str]:
            return [r.title for r in self.client.get(self.url, params).context["page"]]

        assert titles(q="fravær") == ["Fraværsnotat"]
        assert titles(kind="report") == ["Kvalitetsrapport"]
        assert titles(nice="on") == ["Kvalitetsrapport", "Trivselsskema"]
        assert titles(order="hours")[0] == "Kvalitetsrapport"
        assert titles(status="dropped") == []
        # Unknown values are ignored, not an error page.
        assert len(titles(kind="poem", page="x")) == 3

    def test_the_list_paginates(self) -> None:
        for n in range(27):
            self.requirement(title=f"Skema {n:02d}")
        self.login(self.teacher)
        assert len(self.client.get(self.url).context["page"]) == 25
        assert len(self.client.get(self.url, {"page": 2}).context["page"]) == 2

    def test_the_outsider_sees_none_of_the_municipalitys_requirements(self) -> None:
        self.requirement()
        self.login(self.outsider)
        response = self.client.get(self.url)
        assert response.status_code == 200
        assert list(response.context["page"]) == []

    def test_wrong_method_and_no_login(self) -> None:
        assert self.client.get(self.url).status_code == 302
        self.login(self.teacher)
        assert self.client.post(self.url).status_code == 405


class DetailTests(DocumentationPageCase):
    def test_the_detail_shows_uses_and_the_drop_form_only_to_its_leaders(self) -> None:
        requirement = self.requirement()
        self.use(requirement, user_description="MED-udvalget")
        url = reverse("leadership:requirement", args=[requirement.pk])
        self.login(self.teacher)
        response = self.client.get(url)
        assert response.status_code == 200
        self.assertContains(response, "MED-udvalget")
        self.assertNotContains(response, 'data-testid="drop"')
        self.login(self.chief)
        self.assertContains(self.client.get(url), 'data-testid="drop"')

    def test_the_outsider_gets_404(self) -> None:
        requirement = self.requirement()
        self.login(self.outsider)
        url = reverse("leadership:requirement", args=[requirement.pk])
        assert self.client.get(url).status_code == 404
        assert self.client.get(reverse("leadership:requirement", args=[2**70])).status_code == 404

    def test_nice_to_know_is_flagged_on_the_detail(self) -> None:
        requirement = self.requirement()
        self.login(self.teacher)
        url = reverse("leadership:requirement", args=[requirement.pk])
        self.assertContains(self.client.get(url), 'data-testid="nice-to-know"')
        self.use(requirement)
        self.assertNotContains(self.client.get(url), 'data-testid="nice-to-know"')


class CreateTests(DocumentationPageCase):
    url = reverse("leadership:requirement_create")

    def data(self, **changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "title": "Elevplan-felt",
            "kind": "field",
            "system": "Aula",
            "purpose": "Dokumentere elevens mål.",
            "legal_basis": "",
            "owner": self.teacher.pk,
            "owning_unit": self.school.pk,
            "units": [self.school.pk],
            "minutes_per_case": 15,
            "cases_per_year": 400,
        }
        data.update(changes)
        return data

    def test_a_leader_registers_a_requirement(self) -> None:
        self.login(self.leader)
        assert self.client.get(self.url).status_code == 200
        response = self.client.post(self.url, self.data())
        requirement = DocumentationRequirement.objects.get()
        self.assertRedirects(response, reverse("leadership:requirement", args=[requirement.pk]))
        assert (requirement.owner, requirement.hours_per_year) == (self.teacher, 100)

    def test_bad_input_shows_the_form_again(self) -> None:
        self.login(self.analyst)
        for bad in (
            self.data(title=""),
            self.data(minutes_per_case=0),
            self.data(cases_per_year="many"),
            self.data(owning_unit=2**70),
            self.data(units=[2**70]),
            self.data(owner=self.outsider.pk),
        ):
            response = self.client.post(self.url, bad)
            assert response.status_code == 422, bad
            assert response.context["form"].errors
        self.client.post(self.url, self.data())
        response = self.client.post(self.url, self.data(title="ELEVPLAN-FELT"))
        assert response.status_code == 422
        assert "title" in response.context["form"].errors
        assert DocumentationRequirement.objects.count() == 1

    def test_staff_who_lead_nothing_get_403(self) -> None:
        self.login(self.teacher)
        assert self.client.get(self.url).status_code == 403
        assert self.client.post(self.url, self.data()).status_code == 403
        assert not DocumentationRequirement.objects.exists()

    def test_wrong_method(self) -> None:
        self.login(self.leader)
        assert self.client.put(self.url).status_code == 405


class DropTests(DocumentationPageCase):
    def drop(self, requirement: DocumentationRequirement, reason: str = REASON) -> Any:
        url = reverse("leadership:requirement_drop", args=[requirement.pk])
        return self.client.post(url, {"reason": reason})

    def test_the_leader_of_the_owning_unit_or_above_drops(self) -> None:
        for who in (self.leader, self.chief, self.director):
            requirement = self.requirement(title=f"Skema for {who.first_name}")
            self.login(who)
            response = self.drop(requirement)
            self.assertRedirects(response, reverse("leadership:requirement", args=[requirement.pk]))
            requirement.refresh_from_db()
            assert requirement.status == DocumentationRequirement.Status.DROPPED
            assert requirement.dropped_by == who
            page = self.client.get(reverse("leadership:requirement", args=[requirement.pk]))
            self.assertContains(page, REASON)
            self.assertNotContains(page, 'data-testid="drop"')

    def test_the_owner_who_leads_nothing_and_a_sibling_leader_get_403(self) -> None:
        requirement = self.requirement()
        assert requirement.owner == self.teacher
        for who in (self.teacher, self.sibling, self.analyst):
            self.login(who)
            assert self.drop(requirement).status_code == 403, who
        requirement.refresh_from_db()
        assert requirement.status == DocumentationRequirement.Status.ACTIVE

    def test_the_outsider_gets_404(self) -> None:
        requirement = self.requirement()
        self.login(self.outsider)
        assert self.drop(requirement).status_code == 404

    def test_a_requirement_with_a_legal_basis_is_not_dropped_and_says_why(self) -> None:
        requirement = self.requirement(legal_basis="Folkeskoleloven § 13")
        self.login(self.chief)
        response = self.drop(requirement)
        assert response.status_code == 422
        self.assertContains(response, "Folkeskoleloven § 13", status_code=422)
        self.assertContains(response, "cannot drop it", status_code=422)
        requirement.refresh_from_db()
        assert requirement.status == DocumentationRequirement.Status.ACTIVE

    def test_a_missing_reason_is_a_form_error(self) -> None:
        requirement = self.requirement()
        self.login(self.leader)
        response = self.drop(requirement, reason="")
        assert response.status_code == 422
        assert response.context["drop_form"].errors["reason"]

    def test_a_dropped_requirement_cannot_be_dropped_again(self) -> None:
        requirement = self.requirement()
        self.login(self.leader)
        self.drop(requirement)
        assert self.drop(requirement).status_code == 403

    def test_hours_saved_show_at_the_top_of_the_list(self) -> None:
        self.drop_as_leader(self.requirement(title="A", minutes_per_case=7, cases_per_year=10))
        self.drop_as_leader(self.requirement(title="B", minutes_per_case=7, cases_per_year=10))
        response = self.client.get(reverse("leadership:documentation"))
        self.assertContains(response, "2.3 hours a year (2 requirements dropped)")

    def drop_as_leader(self, requirement: DocumentationRequirement) -> None:
        self.login(self.leader)
        assert self.drop(requirement).status_code == 302

    def test_wrong_method(self) -> None:
        requirement = self.requirement()
        self.login(self.leader)
        url = reverse("leadership:requirement_drop", args=[requirement.pk])
        assert self.client.get(url).status_code == 405


class UseTests(DocumentationPageCase):
    def test_any_staff_member_records_a_use(self) -> None:
        requirement = self.requirement()
        url = reverse("leadership:requirement_use", args=[requirement.pk])
        self.login(self.caseworker)
        assert self.client.get(url).status_code == 200
        response = self.client.post(url, {"user_description": "Familieafdelingen", "used_for": "X"})
        self.assertRedirects(response, reverse("leadership:requirement", args=[requirement.pk]))
        use = requirement.uses.get()
        assert (use.recorded_by, use.user_description) == (self.caseworker, "Familieafdelingen")

    def test_bad_input_outsiders_and_wrong_method(self) -> None:
        requirement = self.requirement()
        url = reverse("leadership:requirement_use", args=[requirement.pk])
        self.login(self.teacher)
        response = self.client.post(url, {"user_description": "", "used_for": ""})
        assert response.status_code == 422
        assert set(response.context["form"].errors) == {"user_description", "used_for"}
        assert self.client.put(url).status_code == 405
        self.login(self.outsider)
        assert self.client.post(url, {"user_description": "A", "used_for": "B"}).status_code == 404
        assert not DataUse.objects.exists()

    def test_a_dropped_requirement_takes_no_use(self) -> None:
        requirement = self.requirement(status="dropped", dropped_on=today())
        self.login(self.teacher)
        url = reverse("leadership:requirement_use", args=[requirement.pk])
        response = self.client.post(url, {"user_description": "A", "used_for": "B"})
        assert response.status_code == 422
        assert response.context["form"].non_field_errors()

    def test_ending_a_use_by_its_recorder_or_a_leader_above(self) -> None:
        requirement = self.requirement()
        use = self.use(requirement, recorded_by=self.teacher)
        url = reverse("leadership:use_end", args=[use.pk])
        for who in (self.caseworker, self.sibling):
            self.login(who)
            assert self.client.post(url, {}).status_code == 403, who
        self.login(self.outsider)
        assert self.client.post(url, {}).status_code == 404
        self.login(self.teacher)
        assert self.client.get(url).status_code == 200
        too_early = str(use.recorded_on - dt.timedelta(days=1))
        assert self.client.post(url, {"ended_on": too_early}).status_code == 422
        assert self.client.post(url, {"ended_on": "not a date"}).status_code == 422
        assert self.client.delete(url).status_code == 405
        response = self.client.post(url, {"ended_on": ""})
        self.assertRedirects(response, reverse("leadership:requirement", args=[requirement.pk]))
        use.refresh_from_db()
        assert use.ended_on == today()
        # Ended today: nobody uses it, so it is nice to know again.
        self.assertContains(
            self.client.get(reverse("leadership:requirement", args=[requirement.pk])),
            'data-testid="nice-to-know"',
        )

    def test_the_chief_ends_a_use_of_a_requirement_below(self) -> None:
        use = self.use(self.requirement(), recorded_by=self.teacher)
        self.login(self.chief)
        assert self.client.post(reverse("leadership:use_end", args=[use.pk])).status_code == 302
