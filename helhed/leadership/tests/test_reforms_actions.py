"""Local decisions: the rules of the record (elements, owners, status and dates)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from helhed.leadership.actions.reforms import (
    decision_counts,
    do_create_local_decision,
    do_update_local_decision,
)
from helhed.leadership.models import LocalDecision, Reform, ReformElement
from helhed.lib.validity import today
from helhed.organisation.models import Unit
from helhed.test import BaseTestCase


class LocalDecisionCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.reform = Reform.objects.get(code="kvalitetsprogram-folkeskolen")
        self.element = self.reform.elements.filter(leaves_to_municipality=True).first()
        assert self.element is not None
        self.decision = self.assign()

    def assign(self, element: ReformElement | None = None, **changes: object) -> LocalDecision:
        data: dict[str, object] = {
            "actor": self.chief,
            "element": element or self.element,
            "title": "Hvordan bruger skolerne timebanken?",
            "owner": self.leader,
            "owning_unit": self.school,
            "due_on": today() + dt.timedelta(days=60),
        }
        data.update(changes)
        return do_create_local_decision(**data)  # type: ignore[arg-type]


class CreateTests(LocalDecisionCase):
    def test_a_decision_is_assigned_for_the_municipality(self) -> None:
        assert self.decision.municipality == self.chief.municipality
        assert self.decision.status == LocalDecision.Status.OPEN

    def test_an_element_that_leaves_no_decision_is_refused(self) -> None:
        national = self.reform.elements.filter(leaves_to_municipality=False).first()
        with pytest.raises(ValidationError) as caught:
            self.assign(element=national)
        assert "element" in caught.value.message_dict

    def test_owner_unit_and_due_date_are_checked(self) -> None:
        other_unit = Unit.objects.get(municipality__code=167, name="Familie")
        with pytest.raises(ValidationError) as caught:
            self.assign(
                owner=self.outsider,
                owning_unit=other_unit,
                due_on=today() - dt.timedelta(days=1),
                title=" ",
            )
        assert set(caught.value.message_dict) == {"owner", "owning_unit", "due_on", "title"}


class StatusTests(LocalDecisionCase):
    def test_decided_needs_the_decision_text(self) -> None:
        for status in (LocalDecision.Status.DECIDED, LocalDecision.Status.IMPLEMENTED):
            with pytest.raises(ValidationError) as caught:
                do_update_local_decision(
                    actor=self.leader, decision=self.decision, status=status, decision_text="  "
                )
            assert "decision" in caught.value.message_dict
        self.decision.refresh_from_db()
        assert self.decision.status == LocalDecision.Status.OPEN

    def test_decided_with_text_records_the_day(self) -> None:
        decision = do_update_local_decision(
            actor=self.leader,
            decision=self.decision,
            status=LocalDecision.Status.DECIDED,
            decision_text="To voksne i dansk i 1.-3. klasse.",
            due_on=self.decision.due_on,
        )
        assert (decision.status, decision.decided_on) == ("decided", today())

    def test_the_decision_date_cannot_be_in_the_future(self) -> None:
        with pytest.raises(ValidationError) as caught:
            do_update_local_decision(
                actor=self.leader,
                decision=self.decision,
                status=LocalDecision.Status.DECIDED,
                decision_text="Besluttet.",
                decided_on=today() + dt.timedelta(days=1),
                due_on=self.decision.due_on,
            )
        assert "decided_on" in caught.value.message_dict

    def test_a_changed_due_date_cannot_be_in_the_past_but_an_old_one_may_have_passed(
        self,
    ) -> None:
        with pytest.raises(ValidationError):
            do_update_local_decision(
                actor=self.leader,
                decision=self.decision,
                status=LocalDecision.Status.PREPARING,
                due_on=today() - dt.timedelta(days=2),
            )
        LocalDecision.objects.filter(pk=self.decision.pk).update(
            due_on=today() - dt.timedelta(days=5)
        )
        self.decision.refresh_from_db()
        assert self.decision.is_overdue()
        decision = do_update_local_decision(
            actor=self.leader,
            decision=self.decision,
            status=LocalDecision.Status.PREPARING,
            due_on=self.decision.due_on,
        )
        assert decision.status == "preparing"

    def test_reopening_clears_the_date(self) -> None:
        do_update_local_decision(
            actor=self.leader,
            decision=self.decision,
            status=LocalDecision.Status.DECIDED,
            decision_text="Besluttet.",
            due_on=self.decision.due_on,
        )
        decision = do_update_local_decision(
            actor=self.leader,
            decision=self.decision,
            status=LocalDecision.Status.PREPARING,
            decision_text="Besluttet.",
            due_on=self.decision.due_on,
        )
        assert decision.decided_on is None

    def test_counts_per_status_per_reform(self) -> None:
        do_update_local_decision(
            actor=self.leader,
            decision=self.assign(),
            status=LocalDecision.Status.DECIDED,
            decision_text="Besluttet.",
            due_on=today() + dt.timedelta(days=60),
        )
        counts = decision_counts(self.chief.municipality_id)
        assert counts[self.reform.pk]["open"] == 1
        assert counts[self.reform.pk]["decided"] == 1
        assert decision_counts(self.outsider.municipality_id) == {}
