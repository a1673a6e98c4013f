"""Proposing a payer on the effort, and agreeing it: only the paying unit's leader or above."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from helhed.lib.validity import today
from helhed.plans.actions.payments import do_agree_payer
from helhed.plans.actions.plans import do_update_effort
from helhed.plans.models import Effort
from helhed.plans.tests.payments_case import PaymentsCase
from helhed.test import BaseTestCase, make_plan, make_unit


class ProposePayerTests(PaymentsCase):
    def form(self, effort: Effort, **changes: Any) -> dict[str, Any]:
        self.plan.refresh_from_db()
        data = {
            "expected_version": self.plan.version,
            "title": effort.title,
            "description": "",
            "citizen": "",
            "responsible_unit": effort.responsible_unit_id,
            "sector": "",
            "legal_basis": effort.legal_basis,
            "legal_reference": "",
            "starts_on": effort.starts_on.isoformat(),
            "ends_on": effort.ends_on.isoformat() if effort.ends_on else "",
            "monthly_cost": str(effort.monthly_cost),
            "paying_unit": "",
            "paying_authority": "",
        }
        data.update(changes)
        return data

    def url(self, effort: Effort) -> str:
        return f"/plans/{self.plan.pk}/efforts/{effort.pk}/"

    def test_the_plans_editor_proposes_a_budget_on_the_effort_form(self) -> None:
        self.login(self.caseworker)
        page = self.client.get(self.url(self.family_support))
        self.assertContains(page, 'name="paying_unit"')
        self.assertContains(page, "Børn og Skole")  # an administration's budget may pay
        response = self.client.post(
            self.url(self.family_support),
            self.form(self.family_support, paying_unit=self.children_admin.pk),
        )
        assert response.status_code == 302
        self.family_support.refresh_from_db()
        assert self.family_support.paying_unit == self.children_admin
        assert self.family_support.payer_agreed_on is None
        detail = self.client.get(f"/plans/{self.plan.pk}/")
        self.assertContains(detail, "Paid by:")
        self.assertContains(detail, "not agreed yet")

    def test_one_payer_only(self) -> None:
        self.login(self.caseworker)
        response = self.client.post(
            self.url(self.family_support),
            self.form(self.family_support, paying_unit=self.school.pk, paying_authority="Region"),
        )
        assert response.status_code == 400
        self.assertContains(response, "Name one payer", status_code=400)

    def test_proposing_another_payer_undoes_the_agreement(self) -> None:
        self.plan.refresh_from_db()
        do_update_effort(
            actor=self.caseworker,
            effort=self.in_class,
            expected_version=self.plan.version,
            title=self.in_class.title,
            responsible_unit=self.school,
            legal_basis=self.in_class.legal_basis,
            starts_on=self.in_class.starts_on,
            monthly_cost=self.in_class.monthly_cost,
            paying_unit=self.family_dept,
        )
        self.in_class.refresh_from_db()
        assert self.in_class.payer_agreed_on is None
        assert self.in_class.payer_agreed_by is None

    def test_changing_other_fields_keeps_the_agreement(self) -> None:
        self.plan.refresh_from_db()
        do_update_effort(
            actor=self.caseworker,
            effort=self.in_class,
            expected_version=self.plan.version,
            title="Støtte i klassen, 4 timer",
            responsible_unit=self.school,
            legal_basis=self.in_class.legal_basis,
            starts_on=self.in_class.starts_on,
            monthly_cost=self.in_class.monthly_cost,
        )
        self.in_class.refresh_from_db()
        assert self.in_class.paying_unit == self.school
        assert self.in_class.payer_agreed_on == dt.date(2025, 2, 1)

    def test_a_budget_of_another_municipality_is_refused(self) -> None:
        other = make_unit("Skole i Hvidovre", municipality_code=167, sector="school")
        self.plan.refresh_from_db()
        with self.assertRaises(ValidationError) as raised:
            do_update_effort(
                actor=self.caseworker,
                effort=self.family_support,
                expected_version=self.plan.version,
                title=self.family_support.title,
                responsible_unit=self.family_dept,
                legal_basis="serviceloven",
                starts_on=self.family_support.starts_on,
                monthly_cost=Decimal(1000),
                paying_unit=other,
            )
        assert "paying_unit" in raised.exception.error_dict


class AgreePayerTests(PaymentsCase):
    def agree(self, effort: Effort, **data: Any) -> Any:
        return self.client.post(f"/payments/efforts/{effort.pk}/agree/", data)

    def test_the_paying_units_leader_agrees(self) -> None:
        # Fritidstilbud: Familieafdelingen's effort, proposed to Bakkeskolen's budget.
        self.login(self.leader)
        page = self.client.get(f"/payments/efforts/{self.after_school.pk}/")
        assert page.status_code == 200
        self.assertContains(page, "Agree to pay")
        self.assertNotContains(page, "Alma")
        response = self.agree(self.after_school)
        assert response.status_code == 302
        self.after_school.refresh_from_db()
        assert self.after_school.payer_agreed_on == today()
        assert self.after_school.payer_agreed_by == self.leader

    def test_a_leader_above_the_paying_unit_agrees(self) -> None:
        self.login(self.director)
        assert self.agree(self.spring_camp, agreed_on="2025-03-01").status_code == 302
        self.spring_camp.refresh_from_db()
        assert self.spring_camp.payer_agreed_on == dt.date(2025, 3, 1)

    def test_the_responsible_units_leader_cannot_agree_for_another_budget(self) -> None:
        # Familieafdelingen has no leader of its own but the chief; make the point with
        # Sundhedsplejen's leader, who leads neither unit, and the plan's coordinator.
        self.login(self.caseworker)  # sees the plan, so the settlement: 403
        assert self.agree(self.after_school).status_code == 403
        self.login(self.health_leader)  # sees nothing of it: 404
        assert self.agree(self.after_school).status_code == 404
        self.after_school.refresh_from_db()
        assert self.after_school.payer_agreed_on is None

    def test_a_leader_of_a_sibling_unit_is_refused(self) -> None:
        # The school leader sees Familiebehandling? No: neither responsible nor paying.
        self.login(self.leader)
        assert self.agree(self.family_support).status_code == 404
        # Health visits are paid by Sundhedsplejen: the school leader is not above it.
        effort = self.add_effort(
            title="Skolesundhed",
            responsible_unit=self.school,
            paying_unit=self.health,
            monthly_cost=Decimal(500),
        )
        page = self.client.get(f"/payments/efforts/{effort.pk}/")
        assert page.status_code == 200
        self.assertNotContains(page, "agree-form")
        assert self.agree(effort).status_code == 403
        self.login(self.health_leader)
        assert self.agree(effort).status_code == 302

    def test_an_external_payer_is_recorded_by_the_responsible_units_leader(self) -> None:
        effort = self.add_effort(
            title="Udredning",
            responsible_unit=self.school,
            paying_authority="Region Hovedstaden",
            monthly_cost=Decimal(900),
        )
        self.login(self.health_leader)
        assert self.agree(effort).status_code == 404
        self.login(self.leader)
        assert self.agree(effort).status_code == 302
        effort.refresh_from_db()
        assert effort.payer_agreed_by == self.leader

    def test_no_payer_proposed_cannot_be_agreed(self) -> None:
        self.login(self.chief)
        assert self.agree(self.family_support).status_code == 403
        with self.assertRaises(ValidationError):
            do_agree_payer(actor=self.chief, effort=self.family_support)

    def test_an_agreement_is_made_once_and_not_in_the_future(self) -> None:
        self.login(self.leader)
        future = (today() + dt.timedelta(days=2)).isoformat()
        response = self.agree(self.after_school, agreed_on=future)
        assert response.status_code == 422
        self.assertContains(response, "cannot be in the future", status_code=422)
        assert self.agree(self.after_school, agreed_on="not a date").status_code == 422
        assert self.agree(self.after_school).status_code == 302
        assert self.agree(self.after_school).status_code == 403  # already agreed
        with self.assertRaises(ValidationError):
            do_agree_payer(actor=self.leader, effort=self.after_school)

    def test_outsiders_get_404_and_get_is_not_agreeing(self) -> None:
        self.login(self.outsider)
        assert self.agree(self.after_school).status_code == 404
        assert self.client.get(f"/payments/efforts/{self.after_school.pk}/").status_code == 404
        self.login(self.leader)
        assert (
            self.client.get(f"/payments/efforts/{self.after_school.pk}/agree/").status_code == 405
        )


class AgreePayerApiTests(PaymentsCase):
    def test_the_api_agrees_with_the_same_rules(self) -> None:
        url = f"/api/payments/efforts/{self.after_school.pk}/agree"
        self.login(self.caseworker)
        assert self.client.post(url, {}, content_type="application/json").status_code == 403
        self.login(self.outsider)
        assert self.client.post(url, {}, content_type="application/json").status_code == 404
        self.login(self.leader)
        future = {"agreed_on": (today() + dt.timedelta(days=1)).isoformat()}
        assert self.client.post(url, future, content_type="application/json").status_code == 422
        response = self.client.post(url, {}, content_type="application/json")
        assert response.status_code == 200
        assert response.json()["agreed_on"] == today().isoformat()
        detail = self.client.get(f"/api/payments/efforts/{self.after_school.pk}")
        assert detail.json()["can_agree"] is False


class EffortPayerApiTests(BaseTestCase):
    """The plans API proposes an effort's payer like the effort form does."""

    def test_the_api_proposes_keeps_and_changes_the_payer(self) -> None:
        plan = make_plan(self.alma, coordinator=self.caseworker)
        self.login(self.caseworker)
        added = self.client.post(
            f"/api/plans/{plan.pk}/efforts",
            {
                "expected_version": plan.version,
                "title": "Støtte i klassen",
                "responsible_unit_id": self.school.pk,
                "legal_basis": "folkeskoleloven",
                "starts_on": "2026-01-05",
                "paying_unit_id": self.family_dept.pk,
            },
            content_type="application/json",
        )
        self.assertEqual(added.status_code, 201, added.content)
        body = added.json()
        self.assertEqual(
            (body["paying_unit_id"], body["payer_agreed_on"]), (self.family_dept.pk, None)
        )
        plan.refresh_from_db()
        kept = self.client.patch(
            f"/api/plans/{plan.pk}/efforts/{body['id']}",
            {"expected_version": plan.version, "title": "Støtte i klassen, 10 timer"},
            content_type="application/json",
        )
        self.assertEqual(kept.json()["paying_unit_id"], self.family_dept.pk)
        plan.refresh_from_db()
        changed = self.client.patch(
            f"/api/plans/{plan.pk}/efforts/{body['id']}",
            {
                "expected_version": plan.version,
                "paying_unit_id": None,
                "paying_authority": "Region Hovedstaden",
            },
            content_type="application/json",
        )
        self.assertEqual(changed.status_code, 200, changed.content)
        self.assertEqual(
            (changed.json()["paying_unit_id"], changed.json()["paying_authority"]),
            (None, "Region Hovedstaden"),
        )

    def test_a_unit_of_another_municipality_is_refused_as_payer(self) -> None:
        plan = make_plan(self.alma, coordinator=self.caseworker)
        other = self.outsider.role_assignments.get().unit
        self.login(self.caseworker)
        response = self.client.post(
            f"/api/plans/{plan.pk}/efforts",
            {
                "expected_version": plan.version,
                "title": "Støtte",
                "responsible_unit_id": self.school.pk,
                "legal_basis": "folkeskoleloven",
                "starts_on": "2026-01-05",
                "paying_unit_id": other.pk,
            },
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 422)
        self.assertIn("paying_unit_id", response.content.decode())
