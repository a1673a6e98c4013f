"""Burden proposals: the level that decides, the decision and its effects, the counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation

from helhed.leadership.actions.documentation import hours_saved
from helhed.leadership.actions.proposals import (
    burden_overview,
    do_add_theme,
    do_complete_proposal,
    do_decide_proposal,
    do_propose,
)
from helhed.leadership.models import BurdenProposal, BurdenTheme, DocumentationRequirement, Rule
from helhed.lib.validity import today
from helhed.organisation.models import Staff, Unit
from helhed.test import BaseTestCase, make_staff, make_unit, municipality

REASON = "Nobody has read these forms in three years."


class ProposalCase(BaseTestCase):
    """The base cast plus a leader of a sibling unit, a rule, a requirement and a theme."""

    sibling_leader: Staff
    theme: BurdenTheme
    rule: Rule
    requirement: DocumentationRequirement

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.sibling_leader = make_staff(
            "Frida", "Fog", unit=cls.family_dept, role="leader", username="sibling"
        )
        cls.theme = BurdenTheme.objects.create(municipality=municipality(), name="Documentation")
        cls.rule = make_rule(owner=cls.leader, unit=cls.school)
        cls.requirement = make_requirement(owner=cls.leader, unit=cls.school)

    def setUp(self) -> None:
        super().setUp()
        # Messages are checked in English, whatever the lead translates them to.
        translation.activate("en")
        self.addCleanup(translation.deactivate)
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def propose(self, **changes: Any) -> BurdenProposal:
        arguments: dict[str, Any] = {
            "actor": self.teacher,
            "title": "Drop the absence form",
            "description": "We fill it in for every pupil; nobody reads it.",
            "change": BurdenProposal.Change.REMOVE,
            "theme": self.theme,
            "requirement": self.requirement,
        }
        arguments.update(changes)
        return do_propose(**arguments)


def make_rule(
    *, owner: Staff, unit: Unit, title: str = "Weekly attendance report", **fields: Any
) -> Rule:
    values: dict[str, Any] = {
        "municipality": unit.municipality,
        "title": title,
        "area": "School",
        "text": "Every class reports attendance every Friday.",
        "reason": "To follow absence closely.",
        "owner": owner,
        "owning_unit": unit,
        "review_on": today() + dt.timedelta(days=100),
    }
    values.update(fields)
    return Rule.objects.create(**values)


def make_requirement(
    *,
    owner: Staff,
    unit: Unit,
    title: str = "Absence form",
    minutes: int = 15,
    cases: int = 1200,
    **fields: Any,
) -> DocumentationRequirement:
    values: dict[str, Any] = {
        "municipality": unit.municipality,
        "title": title,
        "purpose": "Absence statistics.",
        "owner": owner,
        "owning_unit": unit,
        "minutes_per_case": minutes,
        "cases_per_year": cases,
    }
    values.update(fields)
    return DocumentationRequirement.objects.create(**values)


class ProposingTests(ProposalCase):
    def test_a_requirement_is_decided_where_it_is_owned(self) -> None:
        proposal = self.propose(unit=self.family_dept)  # the unit is ignored for a requirement
        assert proposal.decision_unit == self.school
        assert (proposal.status, proposal.proposed_by) == ("proposed", self.teacher)

    def test_a_rule_is_decided_where_it_is_owned(self) -> None:
        proposal = self.propose(requirement=None, rule=self.rule)
        assert proposal.decision_unit == self.school

    def test_a_procedure_is_decided_at_the_unit_chosen(self) -> None:
        proposal = self.propose(
            requirement=None, procedure="Double sign-off on excursions", unit=self.children_admin
        )
        assert (proposal.decision_unit, proposal.subject) == (
            self.children_admin,
            "Double sign-off on excursions",
        )

    def test_a_procedure_needs_a_unit_of_the_municipality(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.propose(requirement=None, procedure="Double sign-off")
        assert "unit" in caught.exception.message_dict
        foreign = make_unit("Skole", municipality_code=167)
        with self.assertRaises(ValidationError) as caught:
            self.propose(requirement=None, procedure="Double sign-off", unit=foreign)
        assert caught.exception.message_dict["unit"] == [
            "Choose one of the municipality's current units."
        ]
        assert not BurdenProposal.objects.exists()

    def test_exactly_one_subject(self) -> None:
        for changes in ({"requirement": None}, {"rule": self.rule}, {"procedure": "Sign-off"}):
            with self.assertRaises(ValidationError) as caught:
                self.propose(**changes)
            assert "subject" in caught.exception.message_dict
        assert not BurdenProposal.objects.exists()

    def test_a_repealed_rule_or_dropped_requirement_cannot_be_proposed(self) -> None:
        repealed = make_rule(owner=self.leader, unit=self.school, status=Rule.Status.REPEALED)
        with self.assertRaises(ValidationError) as caught:
            self.propose(requirement=None, rule=repealed)
        assert caught.exception.message_dict["rule"] == ["The rule is already repealed."]

    def test_a_theme_of_another_municipality_is_refused(self) -> None:
        other = BurdenTheme.objects.create(municipality=municipality(167), name="IT")
        with self.assertRaises(ValidationError) as caught:
            self.propose(theme=other)
        assert "theme" in caught.exception.message_dict

    def test_a_new_theme_is_added_with_the_proposal_and_reused_by_name(self) -> None:
        proposal = self.propose(actor=self.leader, theme=None, new_theme="  Meetings ")
        assert proposal.theme.name == "Meetings"
        assert do_add_theme(actor=self.chief, name="meetings") == proposal.theme
        # An invalid proposal adds no theme.
        with self.assertRaises(ValidationError):
            self.propose(actor=self.leader, theme=None, new_theme="IT", title="")
        assert not BurdenTheme.objects.filter(name="IT").exists()


class DecidingTests(ProposalCase):
    def test_accepting_removal_drops_the_requirement_and_saves_exactly_its_hours(self) -> None:
        other = make_requirement(owner=self.leader, unit=self.school, title="Old report")
        other.status, other.dropped_on = DocumentationRequirement.Status.DROPPED, today()
        other.save()
        before = hours_saved(municipality())
        assert before == Decimal("300.0")
        proposal = self.propose()
        do_decide_proposal(actor=self.chief, proposal=proposal, accept=True, reason=REASON)
        self.requirement.refresh_from_db()
        assert self.requirement.status == DocumentationRequirement.Status.DROPPED
        assert (self.requirement.dropped_by, self.requirement.drop_reason) == (self.chief, REASON)
        # 15 minutes x 1200 cases = 300 hours a year.
        assert hours_saved(municipality()) - before == self.requirement.hours_per_year
        assert hours_saved(municipality()) == Decimal("600.0")
        assert (proposal.status, proposal.done_on, proposal.decided_by) == (
            "done",
            today(),
            self.chief,
        )

    def test_rejecting_keeps_the_requirement(self) -> None:
        proposal = self.propose()
        do_decide_proposal(actor=self.leader, proposal=proposal, accept=False, reason=REASON)
        self.requirement.refresh_from_db()
        assert self.requirement.status == DocumentationRequirement.Status.ACTIVE
        assert hours_saved(municipality()) == Decimal("0")
        proposal.refresh_from_db()
        assert (proposal.status, proposal.decision_reason) == ("rejected", REASON)

    def test_the_reason_is_required(self) -> None:
        proposal = self.propose()
        for reason in ("", "   ", "No."):
            with self.assertRaises(ValidationError) as caught:
                do_decide_proposal(actor=self.leader, proposal=proposal, accept=True, reason=reason)
            assert "reason" in caught.exception.message_dict
        proposal.refresh_from_db()
        self.requirement.refresh_from_db()
        assert proposal.status == "proposed"
        assert self.requirement.status == "active"

    def test_a_decided_proposal_cannot_be_decided_again(self) -> None:
        proposal = self.propose()
        do_decide_proposal(actor=self.leader, proposal=proposal, accept=False, reason=REASON)
        with self.assertRaises(ValidationError) as caught:
            do_decide_proposal(actor=self.chief, proposal=proposal, accept=True, reason=REASON)
        assert caught.exception.message_dict["status"] == [
            "The proposal is already decided: rejected."
        ]
        self.requirement.refresh_from_db()
        assert self.requirement.status == "active"

    def test_a_requirement_with_a_legal_basis_cannot_be_accepted_for_removal(self) -> None:
        self.requirement.legal_basis = "Folkeskoleloven § 39"
        self.requirement.save()
        proposal = self.propose()
        with self.assertRaises(ValidationError) as caught:
            do_decide_proposal(actor=self.leader, proposal=proposal, accept=True, reason=REASON)
        assert "Folkeskoleloven § 39" in caught.exception.message_dict["decision"][0]
        self.requirement.refresh_from_db()
        assert self.requirement.status == "active"
        # Simplifying it can be accepted; it then waits to be done.
        simplify = self.propose(change=BurdenProposal.Change.SIMPLIFY)
        do_decide_proposal(actor=self.leader, proposal=simplify, accept=True, reason=REASON)
        assert simplify.status == "accepted"

    def test_accepting_removal_of_a_rule_does_not_repeal_it_until_done(self) -> None:
        proposal = self.propose(requirement=None, rule=self.rule)
        do_decide_proposal(actor=self.leader, proposal=proposal, accept=True, reason=REASON)
        self.rule.refresh_from_db()
        assert (proposal.status, self.rule.status) == ("accepted", "in_force")
        with self.assertRaises(ValidationError) as caught:
            do_complete_proposal(actor=self.leader, proposal=proposal)
        assert "still in force" in caught.exception.message_dict["status"][0]
        Rule.objects.filter(pk=self.rule.pk).update(status=Rule.Status.REPEALED)
        do_complete_proposal(actor=self.leader, proposal=proposal)
        proposal.refresh_from_db()
        assert (proposal.status, proposal.done_on) == ("done", today())

    def test_only_an_accepted_proposal_is_marked_done(self) -> None:
        proposal = self.propose(requirement=None, procedure="Sign-off", unit=self.school)
        with self.assertRaises(ValidationError):
            do_complete_proposal(actor=self.leader, proposal=proposal)
        do_decide_proposal(actor=self.leader, proposal=proposal, accept=True, reason=REASON)
        do_complete_proposal(actor=self.leader, proposal=proposal)
        assert proposal.status == "done"
        with self.assertRaises(ValidationError):
            do_complete_proposal(actor=self.leader, proposal=proposal)


class CountTests(ProposalCase):
    def test_counts_by_status_and_theme(self) -> None:
        meetings = BurdenTheme.objects.create(municipality=municipality(), name="Meetings")
        BurdenTheme.objects.create(municipality=municipality(), name="Empty")
        first = self.propose()
        second = self.propose(requirement=None, rule=self.rule, theme=meetings)
        self.propose(requirement=None, procedure="Sign-off", unit=self.school)
        self.propose(requirement=None, procedure="Lists", unit=self.school, theme=meetings)
        do_decide_proposal(actor=self.leader, proposal=first, accept=True, reason=REASON)
        do_decide_proposal(actor=self.leader, proposal=second, accept=False, reason=REASON)
        overview = burden_overview(municipality(), BurdenProposal.objects.all())
        assert overview.total == 4
        assert overview.by_status == {"proposed": 2, "accepted": 0, "rejected": 1, "done": 1}
        by_theme = {t.name: (t.total, t.by_status) for t in overview.by_theme}
        assert by_theme["Documentation"] == (
            2,
            {"proposed": 1, "accepted": 0, "rejected": 0, "done": 1},
        )
        assert by_theme["Meetings"][0] == 2
        assert by_theme["Empty"][0] == 0
        assert [t.name for t in overview.by_theme][-1] == "Empty"
        assert overview.hours_saved == Decimal("300.0")
        assert overview.dropped == [self.requirement]
