"""Shared data for the who-pays tests: one plan, efforts on several budgets, and their costs.

The ledger's hand-computed amounts for 2025-Q3 (1 July - 30 September, 92 days
of a 365-day year; cost = monthly * 12 / 365 * days active, rounded per effort):

* ``in_class`` (Bakkeskolen pays, agreed): 10,000 a month all quarter:
  120,000 * 92 / 365 = 30,246.575... -> 30,246.58
* ``after_school`` (proposed to Bakkeskolen, open; Familieafdelingen
  responsible): 3,000 a month, 15 Aug - 14 Sep = 31 days:
  36,000 * 31 / 365 = 3,057.534... -> 3,057.53
* ``hospital`` (Region Hovedstaden, agreed; Familieafdelingen responsible):
  7,300 a month, until 10 July = 10 days: 87,600 * 10 / 365 = 2,400.00
* ``family_support`` (no payer proposed: Familieafdelingen fronts, open):
  1,000 a month from 1 September = 30 days: 12,000 * 30 / 365 = 986.301... -> 986.30
* ``health_visits`` (Sundhedsplejen pays, agreed): 5,000 a month all quarter:
  60,000 * 92 / 365 = 15,123.287... -> 15,123.29
* ``spring_camp`` (Bakkeskolen, open) ended 30 June: not in the quarter.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import translation

from helhed.organisation.models import Staff, Unit
from helhed.plans.actions.payments import do_agree_payer
from helhed.plans.actions.plans import do_add_effort
from helhed.plans.models import Effort, Plan
from helhed.test import BaseTestCase, make_plan, make_staff, make_unit


class PaymentsCase(BaseTestCase):
    plan: Plan
    health_admin: Unit
    health: Unit
    health_leader: Staff
    in_class: Effort
    after_school: Effort
    hospital: Effort
    family_support: Effort
    health_visits: Effort
    spring_camp: Effort

    def setUp(self) -> None:
        super().setUp()
        # English pages and exports, whatever the translations say.
        self.enterContext(translation.override("en"))
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    @classmethod
    def add_effort(cls, **fields: Any) -> Effort:
        cls.plan.refresh_from_db()
        defaults: dict[str, Any] = {
            "legal_basis": "serviceloven",
            "starts_on": dt.date(2025, 1, 1),
        }
        defaults.update(fields)
        return do_add_effort(
            actor=cls.caseworker, plan=cls.plan, expected_version=cls.plan.version, **defaults
        )

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.health_admin = make_unit(
            "Sundhed og Omsorg", parent=cls.root, unit_type="administration"
        )
        cls.health = make_unit("Sundhedsplejen", parent=cls.health_admin, sector="health")
        cls.health_leader = make_staff(
            "Hanne", "Holm", unit=cls.health, role="leader", username="health_leader"
        )
        cls.plan = make_plan(cls.alma, coordinator=cls.caseworker)
        cls.in_class = cls.add_effort(
            title="Støtte i klassen",
            responsible_unit=cls.school,
            monthly_cost=Decimal(10_000),
            paying_unit=cls.school,
        )
        cls.after_school = cls.add_effort(
            title="Fritidstilbud",
            responsible_unit=cls.family_dept,
            monthly_cost=Decimal(3_000),
            starts_on=dt.date(2025, 8, 15),
            ends_on=dt.date(2025, 9, 14),
            paying_unit=cls.school,
        )
        cls.hospital = cls.add_effort(
            title="Indlæggelse",
            responsible_unit=cls.family_dept,
            monthly_cost=Decimal(7_300),
            starts_on=dt.date(2025, 6, 1),
            ends_on=dt.date(2025, 7, 10),
            paying_authority="Region Hovedstaden",
        )
        cls.family_support = cls.add_effort(
            title="Familiebehandling",
            responsible_unit=cls.family_dept,
            monthly_cost=Decimal(1_000),
            starts_on=dt.date(2025, 9, 1),
        )
        cls.health_visits = cls.add_effort(
            title="Sundhedsplejebesøg",
            responsible_unit=cls.health,
            monthly_cost=Decimal(5_000),
            paying_unit=cls.health,
        )
        cls.spring_camp = cls.add_effort(
            title="Forårslejr",
            responsible_unit=cls.school,
            monthly_cost=Decimal(2_000),
            ends_on=dt.date(2025, 6, 30),
            paying_unit=cls.school,
        )
        for effort, actor in (
            (cls.in_class, cls.leader),
            (cls.hospital, cls.chief),
            (cls.health_visits, cls.health_leader),
        ):
            do_agree_payer(actor=actor, effort=effort, agreed_on=dt.date(2025, 2, 1))
