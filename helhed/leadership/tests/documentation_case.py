"""Shared set-up for the documentation register's tests.

Besides the base cast: ``sibling`` leads Familieafdelingen, the school's
sibling under Børn og Skole, so that "a leader, but not of this unit or
above" can be tested. Requirements are owned by the school and by ``teacher``
(an owner who leads nothing).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from helhed.leadership.models import DataUse, DocumentationRequirement
from helhed.lib.validity import today
from helhed.organisation.models import Staff
from helhed.test import BaseTestCase, make_staff


class DocumentationCase(BaseTestCase):
    sibling: Staff

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.sibling = make_staff(
            "Frida", "Fisker", unit=cls.family_dept, role="leader", username="sibling"
        )

    def requirement(self, **fields: Any) -> DocumentationRequirement:
        values: dict[str, Any] = {
            "municipality": self.school.municipality,
            "title": "Ugentligt trivselsskema",
            "kind": DocumentationRequirement.Kind.FORM,
            "purpose": "Følge elevernes trivsel uge for uge.",
            "owner": self.teacher,
            "owning_unit": self.school,
            "minutes_per_case": 10,
            "cases_per_year": 120,
        }
        values.update(fields)
        return DocumentationRequirement.objects.create(**values)

    def use(
        self,
        requirement: DocumentationRequirement | None = None,
        *,
        ended_on: dt.date | None = None,
        **fields: Any,
    ) -> DataUse:
        values: dict[str, Any] = {
            "requirement": requirement,
            "user_description": "Skolens ledelse",
            "used_for": "Opfølgning på fravær",
            "recorded_by": self.leader,
            "recorded_on": today() - dt.timedelta(days=30),
            "ended_on": ended_on,
        }
        values.update(fields)
        return DataUse.objects.create(**values)
