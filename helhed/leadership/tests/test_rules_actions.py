"""The rule register's rules: reasons, review dates, and a decision history that is never edited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation

from helhed import policy
from helhed.leadership.actions.rules import (
    do_decide_rule,
    do_register_rule,
    due_for_review,
    history,
)
from helhed.leadership.models import Rule, RuleDecision
from helhed.lib.validity import today
from helhed.organisation.models import Staff, Unit
from helhed.test import BaseTestCase, make_staff, make_unit

REASON = "Pupils' absence must be followed up the same day, so worries are caught early."


class RuleCase(BaseTestCase):
    """The base cast, plus the family department's leader (a leader beside the school)."""

    family_leader: Staff

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.family_leader = make_staff(
            "Frida", "Falk", unit=cls.family_dept, role="leader", username="family_leader"
        )

    def setUp(self) -> None:
        super().setUp()
        # The messages are checked in English, also once the Danish translation exists.
        self.enterContext(translation.override("en"))
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def register(self, **changes: Any) -> Rule:
        arguments: dict[str, Any] = {
            "actor": self.leader,
            "title": "Absence is called in before 8",
            "kind": Rule.Kind.PROCEDURE,
            "area": "School",
            "text": "Parents call the school office before 8 when a pupil is ill.",
            "reason": REASON,
            "legal_basis": "",
            "owner": self.leader,
            "owning_unit": self.school,
            "units": [self.school],
            "review_on": today() + dt.timedelta(days=365),
        }
        arguments.update(changes)
        return do_register_rule(**arguments)

    def past_review_rule(self, days: int = 3, **changes: Any) -> Rule:
        """A rule whose review date passed ``days`` ago (registered, then time went by)."""
        rule = self.register(**changes)
        Rule.objects.filter(pk=rule.pk).update(review_on=today() - dt.timedelta(days=days))
        rule.refresh_from_db()
        return rule

    def decide(self, rule: Rule, actor: Staff | None = None, **changes: Any) -> RuleDecision:
        arguments: dict[str, Any] = {
            "actor": actor or self.leader,
            "rule": rule,
            "decision": "keep",
            "reason": "Still needed: the follow-up the same day works.",
            "next_review_on": today() + dt.timedelta(days=365),
        }
        arguments.update(changes)
        return do_decide_rule(**arguments)

    def to_review(self, staff: Staff) -> list[Rule]:
        """The staff member's list of rules to review."""
        assert staff.user is not None
        return list(due_for_review(policy.rules_owned_or_led(staff.user)))


class RegisterTests(RuleCase):
    def test_registering_writes_the_adoption_as_the_first_decision(self) -> None:
        rule = self.register()
        assert rule.status == Rule.Status.IN_FORCE
        assert list(rule.units.all()) == [self.school]
        [adopted] = history(rule)
        assert adopted.decision == RuleDecision.Decision.ADOPT
        assert (adopted.decided_by, adopted.decided_on) == (self.leader, today())
        assert adopted.reason == REASON
        assert adopted.next_review_on == rule.review_on

    def test_without_a_review_date_the_rule_is_reviewed_in_a_year(self) -> None:
        rule = self.register(review_on=None)
        assert rule.review_on.year == today().year + 1
        assert rule.review_on > today() + dt.timedelta(days=360)

    def refused(self, field: str, **changes: Any) -> str:
        with self.assertRaises(ValidationError) as caught:
            self.register(**changes)
        assert not Rule.objects.exists()
        assert not RuleDecision.objects.exists()
        return caught.exception.message_dict[field][0]

    def test_a_rule_needs_a_meaningful_written_reason(self) -> None:
        assert self.refused("reason", reason="").startswith("Write the reason")
        assert self.refused("reason", reason="   needed   ").startswith("Write the reason")

    def test_a_review_date_today_or_in_the_past_is_refused(self) -> None:
        message = "The review date must be in the future."
        assert self.refused("review_on", review_on=today()) == message
        assert self.refused("review_on", review_on=today() - dt.timedelta(days=1)) == message

    def test_a_review_date_decades_away_is_refused(self) -> None:
        far = today() + dt.timedelta(days=365 * 30)
        assert self.refused("review_on", review_on=far).startswith("Review the rule at least")

    def test_owner_and_units_must_be_the_municipalitys(self) -> None:
        assert self.refused("owner", owner=self.outsider).startswith("The owner must be")
        other = Unit.objects.get(municipality__code=167, name="Familie")
        assert self.refused("owning_unit", owning_unit=other).startswith("Choose a unit")
        message = self.refused("units", units=[self.school, other])
        assert message == "These units are not the municipality's: Familie."

    def test_a_closed_owning_unit_is_refused(self) -> None:
        closed = make_unit(
            "Gammel Skole", parent=self.children_admin, valid_to=today() - dt.timedelta(days=1)
        )
        assert self.refused("owning_unit", owning_unit=closed).startswith("Choose a unit")

    def test_title_area_and_text_are_required(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.register(title=" ", area="", text="")
        assert set(caught.exception.message_dict) == {"title", "area", "text"}


class DecisionTests(RuleCase):
    def test_keep_moves_the_review_date_and_adds_to_the_history(self) -> None:
        rule = self.past_review_rule()
        later = today() + dt.timedelta(days=200)
        decision = self.decide(rule, next_review_on=later)
        rule.refresh_from_db()
        assert rule.review_on == later
        assert not rule.is_past_review()
        assert decision.next_review_on == later
        assert [d.decision for d in history(rule)] == ["keep", "adopt"]

    def test_keep_needs_a_new_review_date_in_the_future(self) -> None:
        rule = self.past_review_rule()
        for bad in (None, today(), today() - dt.timedelta(days=5)):
            with self.subTest(review_on=bad), self.assertRaises(ValidationError) as caught:
                self.decide(rule, next_review_on=bad)
            assert "next_review_on" in caught.exception.message_dict
        assert [d.decision for d in history(rule)] == ["adopt"]

    def test_change_keeps_the_previous_text_in_the_history(self) -> None:
        rule = self.register()
        old_text = rule.text
        new_text = "Parents report absence in the app before 8."
        decision = self.decide(rule, decision="change", new_text=new_text)
        rule.refresh_from_db()
        assert rule.text == new_text
        assert decision.previous_text == old_text
        assert [d.decision for d in history(rule)] == ["change", "adopt"]

    def test_change_needs_new_text_that_differs(self) -> None:
        rule = self.register()
        for text, message in (
            ("", "Write what the rule is to say from now on."),
            (f"  {rule.text} ", "The new text is the same as the old"),
        ):
            with self.subTest(text=text), self.assertRaises(ValidationError) as caught:
                self.decide(rule, decision="change", new_text=text)
            assert caught.exception.message_dict["new_text"][0].startswith(message)
        rule.refresh_from_db()
        assert rule.text.startswith("Parents call")

    def test_every_decision_needs_a_reason(self) -> None:
        rule = self.register()
        for decision in ("keep", "change", "repeal"):
            with self.subTest(decision), self.assertRaises(ValidationError) as caught:
                self.decide(rule, decision=decision, reason="ok", new_text="Another text.")
            assert "reason" in caught.exception.message_dict
        assert RuleDecision.objects.filter(rule=rule).count() == 1

    def test_adopt_is_not_a_decision_on_a_rule_in_force(self) -> None:
        rule = self.register()
        with self.assertRaises(ValidationError) as caught:
            self.decide(rule, decision="adopt")
        assert "decision" in caught.exception.message_dict

    def test_repeal_ends_the_rule_and_no_further_decision_is_taken(self) -> None:
        rule = self.past_review_rule()
        self.decide(rule, decision="repeal", reason="The national rules now cover this fully.")
        rule.refresh_from_db()
        assert rule.status == Rule.Status.REPEALED
        assert not rule.is_past_review()
        assert rule.text.startswith("Parents call")  # still readable
        with self.assertRaises(ValidationError) as caught:
            self.decide(rule)
        assert caught.exception.message_dict["decision"] == [
            "The rule is repealed; it takes no further decisions."
        ]
        assert [d.decision for d in history(rule)] == ["repeal", "adopt"]

    def test_the_history_is_kept_whole_and_ordered_latest_first(self) -> None:
        rule = self.register()
        self.decide(rule, reason="Kept after the first year: it works well.")
        self.decide(rule, decision="change", new_text="Report absence in the app before 8.")
        RuleDecision.objects.filter(rule=rule, decision="adopt").update(
            decided_on=today() - dt.timedelta(days=400)
        )
        self.decide(
            rule, actor=self.chief, decision="repeal", reason="Covered by national law now."
        )
        decisions = list(history(rule))
        assert [d.decision for d in decisions] == ["repeal", "change", "keep", "adopt"]
        assert [d.decided_by for d in decisions] == [
            self.chief,
            self.leader,
            self.leader,
            self.leader,
        ]
        # The change kept the text the keep decision had kept.
        assert decisions[1].previous_text.startswith("Parents call")


class ReviewListTests(RuleCase):
    def test_a_rule_past_review_shows_on_its_owners_list_and_the_leaders_above(self) -> None:
        rule = self.past_review_rule()
        assert rule.is_past_review()
        assert self.to_review(self.leader) == [rule]  # the owner, who leads the school
        assert self.to_review(self.chief) == [rule]  # leads the administration above
        assert self.to_review(self.director) == [rule]  # leads the municipality

    def test_it_does_not_show_on_others_lists(self) -> None:
        self.past_review_rule()
        for staff in (self.family_leader, self.teacher, self.caseworker, self.analyst):
            with self.subTest(staff.full_name):
                assert self.to_review(staff) == []
        assert self.to_review(self.outsider) == []

    def test_an_owner_who_leads_nothing_sees_the_rule_she_owns(self) -> None:
        rule = self.past_review_rule(owner=self.teacher)
        assert self.to_review(self.teacher) == [rule]
        assert self.to_review(self.leader) == [rule]  # still the school's rule

    def test_past_review_comes_first_then_due_within_30_days_and_not_later(self) -> None:
        soon = self.register(title="Soon", review_on=today() + dt.timedelta(days=30))
        self.register(title="Later", review_on=today() + dt.timedelta(days=31))
        past = self.past_review_rule(days=10, title="Past")
        assert self.to_review(self.leader) == [past, soon]

    def test_a_repealed_rule_never_shows(self) -> None:
        rule = self.past_review_rule()
        self.decide(rule, decision="repeal", reason="The national rules now cover this fully.")
        Rule.objects.filter(pk=rule.pk).update(review_on=today() - dt.timedelta(days=30))
        assert self.to_review(self.leader) == []
        assert self.to_review(self.chief) == []
