"""Efforts in plans refer to a method of their own municipality's library."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from helhed.leadership.models import Method
from helhed.lib.validity import today
from helhed.plans.actions.plans import do_add_effort, do_update_effort
from helhed.plans.models import Effort
from helhed.test import BaseTestCase, make_plan, municipality


class EffortMethodTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        self.plan = make_plan(self.alma, coordinator=self.caseworker)
        self.own = Method.objects.create(
            municipality=municipality(230),
            name="IPS",
            description="Individuelt planlagt job med støtte.",
            research_basis="Cochrane review.",
            owner=self.analyst,
        )
        self.foreign = Method.objects.create(
            municipality=municipality(167),
            name="Hvidovre-modellen",
            description="En anden kommunes metode.",
            research_basis="Praksis.",
            owner=self.outsider,
        )

    def data(self, **changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "expected_version": self.plan.version,
            "title": "Job med støtte",
            "description": "",
            "citizen": "",
            "responsible_unit": self.family_dept.pk,
            "sector": "",
            "legal_basis": "barnets_lov",
            "legal_reference": "",
            "starts_on": today().isoformat(),
            "ends_on": "",
            "monthly_cost": "0",
            "method": self.own.pk,
        }
        data.update(changes)
        return data

    def test_the_effort_form_offers_only_the_municipalitys_methods(self) -> None:
        self.login(self.caseworker)
        url = reverse("plans:effort_add", args=[self.plan.pk])
        response = self.client.get(url)
        self.assertContains(response, "IPS")
        self.assertNotContains(response, "Hvidovre-modellen")
        refused = self.client.post(url, self.data(method=self.foreign.pk))
        assert refused.status_code == 400
        assert not self.plan.efforts.exists()
        response = self.client.post(url, self.data())
        self.assertRedirects(response, reverse("plans:detail", args=[self.plan.pk]))
        assert self.plan.efforts.get().method == self.own

    def test_the_action_refuses_another_municipalitys_method(self) -> None:
        with pytest.raises(ValidationError) as caught:
            do_add_effort(
                actor=self.caseworker,
                plan=self.plan,
                expected_version=self.plan.version,
                title="Job",
                responsible_unit=self.family_dept,
                legal_basis="barnets_lov",
                starts_on=today(),
                method=self.foreign,
            )
        assert "method" in caught.value.message_dict

    def test_an_update_without_a_method_keeps_it(self) -> None:
        effort = do_add_effort(
            actor=self.caseworker,
            plan=self.plan,
            expected_version=self.plan.version,
            title="Job",
            responsible_unit=self.family_dept,
            legal_basis="barnets_lov",
            starts_on=today(),
            method=self.own,
        )
        self.plan.refresh_from_db()
        effort.plan = self.plan
        do_update_effort(
            actor=self.caseworker,
            effort=effort,
            expected_version=self.plan.version,
            title="Job med støtte",
            responsible_unit=self.family_dept,
            legal_basis="barnets_lov",
            starts_on=today(),
        )
        effort.refresh_from_db()
        assert effort.method == self.own


class EffortMethodApiTests(BaseTestCase):
    """The plans API reads and sets an effort's method, only from the municipality's library."""

    def test_the_api_sets_shows_keeps_and_removes_the_method(self) -> None:
        plan = make_plan(self.alma, coordinator=self.caseworker)
        method = Method.objects.create(
            municipality=self.root.municipality,
            name="FIT",
            description="Feedback",
            research_basis="Miller m.fl.",
            owner=self.director,
        )
        self.login(self.caseworker)
        added = self.client.post(
            f"/api/plans/{plan.pk}/efforts",
            {
                "expected_version": plan.version,
                "title": "Familiebehandling",
                "responsible_unit_id": self.family_dept.pk,
                "legal_basis": "barnets_lov",
                "starts_on": "2026-01-05",
                "method_id": method.pk,
            },
            content_type="application/json",
        )
        self.assertEqual(added.status_code, 201, added.content)
        body = added.json()
        self.assertEqual((body["method_id"], body["method"]), (method.pk, "FIT"))
        effort = Effort.objects.get(pk=body["id"])
        plan.refresh_from_db()
        kept = self.client.patch(
            f"/api/plans/{plan.pk}/efforts/{effort.pk}",
            {"expected_version": plan.version, "title": "Familiebehandling i hjemmet"},
            content_type="application/json",
        )
        self.assertEqual(kept.status_code, 200, kept.content)
        self.assertEqual(kept.json()["method_id"], method.pk)
        plan.refresh_from_db()
        removed = self.client.patch(
            f"/api/plans/{plan.pk}/efforts/{effort.pk}",
            {"expected_version": plan.version, "method_id": None},
            content_type="application/json",
        )
        self.assertEqual(removed.json()["method_id"], None)

    def test_a_method_of_another_municipality_is_refused(self) -> None:
        plan = make_plan(self.alma, coordinator=self.caseworker)
        other = Method.objects.create(
            municipality=self.outsider.municipality,
            name="Andet",
            description="x",
            research_basis="y",
            owner=self.outsider,
        )
        self.login(self.caseworker)
        response = self.client.post(
            f"/api/plans/{plan.pk}/efforts",
            {
                "expected_version": plan.version,
                "title": "Støtte",
                "responsible_unit_id": self.family_dept.pk,
                "legal_basis": "barnets_lov",
                "starts_on": "2026-01-05",
                "method_id": other.pk,
            },
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 422)
        self.assertIn("method_id", response.content.decode())
