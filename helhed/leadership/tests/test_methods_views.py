"""The method library on the web: registering, where a method is used, and who may do what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.urls import reverse

from helhed.leadership.actions.principles import do_register_method, method_usage
from helhed.leadership.models import Method
from helhed.lib.validity import today
from helhed.plans.actions.plans import do_add_effort, do_close_plan
from helhed.plans.models import Plan
from helhed.test import BaseTestCase, make_citizen, make_plan


class MethodCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        self.method = do_register_method(
            actor=self.analyst,
            name="FIT",
            description="Feedback Informed Treatment.",
            research_basis="Randomiserede forsøg i psykoterapi.",
            evidence=Method.Evidence.PROMISING,
            units=[self.family_dept],
        )

    def effort(self, plan: Plan, **changes: Any) -> None:
        data: dict[str, Any] = {
            "actor": self.caseworker,
            "plan": plan,
            "expected_version": plan.version,
            "title": "Familiebehandling",
            "responsible_unit": self.family_dept,
            "legal_basis": "barnets_lov",
            "starts_on": today(),
            "monthly_cost": Decimal("1000"),
            "method": self.method,
        }
        data.update(changes)
        do_add_effort(**data)
        plan.refresh_from_db()


class MethodUsageTests(MethodCase):
    def test_usage_counts_active_efforts_in_active_plans_by_sector_and_unit(self) -> None:
        plan = make_plan(self.alma, coordinator=self.caseworker)
        self.effort(plan)
        self.effort(plan, title="Støtte i skolen", responsible_unit=self.school)
        self.effort(plan, title="Uden metode", method=None)
        self.effort(plan, title="Planlagt", starts_on=today() + dt.timedelta(days=5))
        self.effort(
            plan,
            title="Afsluttet",
            starts_on=today() - dt.timedelta(days=30),
            ends_on=today() - dt.timedelta(days=1),
        )
        other = make_plan(make_citizen("Bo", current_unit=self.school), coordinator=self.caseworker)
        self.effort(other, title="I en lukket plan")
        do_close_plan(
            actor=self.caseworker, plan=other, expected_version=other.version, reason="Slut"
        )
        usage = method_usage(self.method)
        assert usage.total == 2
        assert sorted((r.name, r.count) for r in usage.by_unit) == [
            ("Bakkeskolen", 1),
            ("Familieafdelingen", 1),
        ]
        assert sum(r.count for r in usage.by_sector) == 2
        self.login(self.teacher)
        response = self.client.get(reverse("leadership:method", args=[self.method.pk]))
        self.assertContains(response, "2 active efforts refer to the method.")
        self.assertContains(response, "Familieafdelingen")
        self.assertNotContains(response, "Alma")

    def test_a_method_nobody_uses_shows_zero(self) -> None:
        self.login(self.teacher)
        response = self.client.get(reverse("leadership:method", args=[self.method.pk]))
        self.assertContains(response, "0 active efforts refer to the method.")


class MethodPageTests(MethodCase):
    def data(self, **changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": "LØFT",
            "description": "Løsningsfokuseret tilgang.",
            "research_basis": "Praksiserfaring fra danske kommuner.",
            "evidence": "practice",
            "link": "https://example.org/loft",
            "units": [self.school.pk],
        }
        data.update(changes)
        return data

    def test_the_library_lists_and_filters(self) -> None:
        self.login(self.teacher)
        response = self.client.get(reverse("leadership:methods"))
        self.assertContains(response, "FIT")
        self.assertNotContains(response, "Register a method")
        response = self.client.get(reverse("leadership:methods"), {"evidence": "documented"})
        self.assertNotContains(response, reverse("leadership:method", args=[self.method.pk]))
        response = self.client.get(reverse("leadership:methods"), {"evidence": "nonsense"})
        assert response.status_code == 200

    def test_a_leader_registers_a_method(self) -> None:
        self.login(self.leader)
        response = self.client.post(reverse("leadership:method_create"), self.data())
        method = Method.objects.get(name="LØFT")
        self.assertRedirects(response, reverse("leadership:method", args=[method.pk]))
        assert list(method.units.all()) == [self.school]
        assert method.owner == self.leader

    def test_names_are_unique_and_input_is_checked(self) -> None:
        self.login(self.analyst)
        response = self.client.post(reverse("leadership:method_create"), self.data(name="fit"))
        self.assertContains(response, "already has a method", status_code=422)
        response = self.client.post(
            reverse("leadership:method_create"), self.data(link="javascript:alert(1)")
        )
        assert response.status_code == 422
        response = self.client.post(
            reverse("leadership:method_create"), self.data(units=[str(2**70)])
        )
        assert response.status_code == 422

    def test_only_leaders_and_analysts_keep_the_library(self) -> None:
        self.login(self.teacher)
        assert self.client.get(reverse("leadership:method_create")).status_code == 403
        assert self.client.post(reverse("leadership:method_create"), self.data()).status_code == 403
        edit = reverse("leadership:method_edit", args=[self.method.pk])
        assert self.client.post(edit, self.data()).status_code == 403

    def test_editing_a_method(self) -> None:
        self.login(self.leader)
        edit = reverse("leadership:method_edit", args=[self.method.pk])
        assert self.client.get(edit).status_code == 200
        response = self.client.post(edit, self.data(name="FIT", evidence="documented"))
        self.assertRedirects(response, reverse("leadership:method", args=[self.method.pk]))
        self.method.refresh_from_db()
        assert self.method.evidence == "documented"

    def test_an_outsider_gets_404(self) -> None:
        self.login(self.outsider)
        assert (
            self.client.get(reverse("leadership:method", args=[self.method.pk])).status_code == 404
        )
        edit = reverse("leadership:method_edit", args=[self.method.pk])
        assert self.client.get(edit).status_code == 404
        self.assertNotContains(self.client.get(reverse("leadership:methods")), "FIT")

    def test_wrong_method(self) -> None:
        self.login(self.leader)
        assert self.client.post(reverse("leadership:methods")).status_code == 405
        url = reverse("leadership:method", args=[self.method.pk])
        assert self.client.post(url).status_code == 405
