"""The unit admin shows the tree's rules as clear form errors and saves nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse

from helhed.organisation.models import Unit, UnitType
from helhed.test import BaseTestCase, make_unit

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

ADD_URL = reverse("admin:organisation_unit_add")


class UnitAdminTests(BaseTestCase):
    def setUp(self) -> None:
        self.login(self.admin)
        self.before = Unit.objects.count()

    def post_unit(self, url: str = ADD_URL, **fields: str) -> TestResponse:
        data = {
            "name": "Skovskolen",
            "municipality": str(self.root.municipality_id),
            "parent": str(self.children_admin.pk),
            "unit_type": str(UnitType.objects.get(code="institution").pk),
            "sector": "",
            "external_id": "",
            "valid_from": "2021-01-01",
            "valid_to": "",
            "role_assignments-TOTAL_FORMS": "0",
            "role_assignments-INITIAL_FORMS": "0",
            "role_assignments-MIN_NUM_FORMS": "0",
            "role_assignments-MAX_NUM_FORMS": "1000",
            **fields,
        }
        # Messages are asserted in English: choose it as a user would.
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return self.client.post(url, data)

    def test_it_adds_a_valid_unit_into_the_tree(self) -> None:
        response = self.post_unit()
        assert response.status_code == 302
        unit = Unit.objects.get(name="Skovskolen")
        assert unit.path == f"{self.children_admin.path}{unit.pk}."
        assert unit in Unit.objects.under(self.root)

    def test_it_rejects_a_parent_in_another_municipality(self) -> None:
        other = Unit.objects.get(name="Hvidovre Kommune")
        response = self.post_unit(parent=str(other.pk))
        assert response.status_code == 200
        self.assertContains(response, "The parent unit belongs to another municipality.")
        assert Unit.objects.count() == self.before

    def test_it_rejects_a_period_that_ends_before_it_starts(self) -> None:
        response = self.post_unit(valid_from="2022-01-01", valid_to="2021-12-31")
        assert response.status_code == 200
        self.assertContains(response, "The period cannot end before it starts.")
        assert Unit.objects.count() == self.before

    def test_it_rejects_a_child_type_above_its_parent(self) -> None:
        team = make_unit("Team", parent=self.school, unit_type="team")
        before = Unit.objects.count()
        response = self.post_unit(parent=str(team.pk))
        assert response.status_code == 200
        self.assertContains(response, "cannot be placed under")
        assert Unit.objects.count() == before

    def test_it_rejects_a_period_outside_the_parent(self) -> None:
        response = self.post_unit(valid_from="2019-01-01")
        assert response.status_code == 200
        self.assertContains(response, "must lie within its parent")
        assert Unit.objects.count() == self.before

    def test_it_rejects_moving_a_unit_by_editing_its_parent(self) -> None:
        url = reverse("admin:organisation_unit_change", args=[self.school.pk])
        other_area = make_unit("Område", parent=self.children_admin, unit_type="area")
        response = self.post_unit(url, name="Bakkeskolen", parent=str(other_area.pk))
        assert response.status_code == 200
        self.assertContains(response, "To move a unit, reorganise it from a date")
        assert Unit.objects.get(pk=self.school.pk).parent == self.children_admin

    def test_it_rejects_a_unit_under_itself(self) -> None:
        url = reverse("admin:organisation_unit_change", args=[self.school.pk])
        response = self.post_unit(url, name="Bakkeskolen", parent=str(self.school.pk))
        assert response.status_code == 200
        self.assertContains(response, "A unit cannot be placed under itself.")
        assert Unit.objects.get(pk=self.school.pk).parent == self.children_admin
