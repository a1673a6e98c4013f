"""Targets: setting, replacing and deleting them, on the web and through the action."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import translation

from helhed.results.actions.targets import do_set_target
from helhed.results.models import Target
from helhed.results.tests.test_catalogue_pages import CatalogueCase
from helhed.test import set_target


class TargetPageTests(CatalogueCase):
    def data(self, **changes: str) -> dict[str, str]:
        data = {
            "unit": str(self.school.pk),
            "applies_from": "2026",
            "value": "9",
            "baseline_value": "12.5",
            "baseline_period": "2025",
            "note": "Agreed with the board",
        }
        data.update(changes)
        return data

    def test_the_leader_sets_a_target_for_her_school(self) -> None:
        self.login(self.leader)
        assert self.get("target_set", self.absence.pk).status_code == 200
        response = self.client.post(
            self.url("target_set", self.absence.pk), self.data(), follow=True
        )
        self.assertRedirects(response, self.url("indicator", self.absence.pk))
        self.assertContains(response, "The target for Bakkeskolen from 2026 is 9.0.")
        target = Target.objects.get(indicator=self.absence, unit_key=self.school.key)
        assert (target.applies_from, target.value, target.baseline_value) == (
            "2026",
            Decimal("9"),
            Decimal("12.5"),
        )
        assert target.set_by == self.leader

    def test_setting_it_again_for_the_same_period_replaces_it_and_says_so(self) -> None:
        set_target(self.absence, self.school, 10, applies_from="2026")
        self.login(self.chief)
        response = self.client.post(
            self.url("target_set", self.absence.pk), self.data(value="8"), follow=True
        )
        self.assertContains(response, "is now 8.0; it replaced the target of 10.0.")
        targets = Target.objects.filter(indicator=self.absence, unit_key=self.school.key)
        assert [t.value for t in targets] == [Decimal("8")]

    def test_a_unit_the_leader_does_not_lead_is_not_a_choice(self) -> None:
        self.login(self.leader)
        response = self.post(
            "target_set", self.absence.pk, data=self.data(unit=str(self.family_dept.pk))
        )
        assert response.status_code == 400
        assert not Target.objects.exists()

    def test_staff_without_leadership_get_403_and_the_outsider_404(self) -> None:
        for person in (self.teacher, self.caseworker, self.politician):
            self.login(person)
            assert self.get("target_set", self.absence.pk).status_code == 403
            assert self.post("target_set", self.absence.pk, data=self.data()).status_code == 403
        self.login(self.outsider)
        assert self.get("target_set", self.absence.pk).status_code == 404
        assert not Target.objects.exists()

    def test_bad_periods_and_percentages_are_form_errors(self) -> None:
        self.login(self.director)
        for changes, message in (
            ({"applies_from": "2026-Q5"}, "is not a period"),
            ({"value": "140"}, "A percentage must be between 0 and 100."),
            ({"baseline_period": "2027"}, "it cannot come after 2026"),
            ({"baseline_period": ""}, "Give the period the baseline is from."),
        ):
            response = self.post("target_set", self.absence.pk, data=self.data(**changes))
            assert response.status_code == 400, changes
            self.assertContains(response, message, status_code=400)
        assert not Target.objects.exists()

    def test_a_target_is_deleted_by_post_with_the_same_permission(self) -> None:
        target = set_target(self.absence, self.school, 10, applies_from="2026")
        self.login(self.teacher)
        assert self.post("target_delete", target.pk).status_code == 403
        self.login(self.leader)
        assert self.get("target_delete", target.pk).status_code == 405
        self.login(self.outsider)
        assert self.post("target_delete", target.pk).status_code == 404
        assert Target.objects.filter(pk=target.pk).exists()
        self.login(self.leader)
        response = self.post("target_delete", target.pk)
        self.assertRedirects(response, self.url("indicator", self.absence.pk))
        assert not Target.objects.filter(pk=target.pk).exists()

    def test_a_leader_cannot_delete_the_target_of_the_unit_above(self) -> None:
        target = set_target(self.absence, self.children_admin, 10)
        self.login(self.leader)
        assert self.post("target_delete", target.pk).status_code == 403
        assert Target.objects.filter(pk=target.pk).exists()


class TargetActionTests(CatalogueCase):
    def test_any_valid_period_kind_starts_a_target(self) -> None:
        for code in ("2026", "2026-H2", "2026-Q3", "2026-11"):
            result = do_set_target(
                actor=self.director,
                indicator=self.absence,
                unit=self.school,
                applies_from=code.lower(),
                value=Decimal("9"),
            )
            assert result.target.applies_from == code and not result.replaced

    def test_a_baseline_value_needs_its_period(self) -> None:
        with translation.override("en"), self.assertRaises(ValidationError) as caught:
            do_set_target(
                actor=self.director,
                indicator=self.absence,
                unit=self.school,
                applies_from="2026",
                value=Decimal("9"),
                baseline_value=Decimal("11"),
            )
        assert caught.exception.message_dict == {
            "baseline_period": ["Give the period the baseline is from."]
        }
