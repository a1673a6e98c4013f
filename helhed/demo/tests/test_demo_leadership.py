"""The demo's room to lead: the registers hold what the issue's story needs, by the rules."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import TestCase, override_settings

from helhed import policy
from helhed.demo.generator import generate, plan_municipalities
from helhed.demo.leadership import STORY_REQUIREMENT, STORY_RULE
from helhed.leadership.actions.documentation import hours_saved, is_nice_to_know
from helhed.leadership.models import (
    BurdenProposal,
    DocumentationRequirement,
    LeaderTeam,
    LocalDecision,
    PrincipleSignature,
    Rule,
    SpanTarget,
)
from helhed.lib.validity import today
from helhed.organisation.models import Municipality, RoleAssignment
from helhed.plans.models import Effort

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@override_settings(PASSWORD_HASHERS=FAST_HASHERS)
class DemoLeadershipTests(TestCase):
    municipality: Municipality
    leader: User
    chief: User
    teacher: User

    @classmethod
    def setUpTestData(cls) -> None:
        generate(plan_municipalities([230], 3_000, seed=5), password="demo")
        cls.municipality = Municipality.objects.get(code=230)
        cls.leader = User.objects.get(username="skoleleder")
        cls.chief = User.objects.get(username="chef")
        cls.teacher = User.objects.get(username="laerer")

    def test_the_story_requirement_is_nice_to_know_and_the_chief_may_drop_it(self) -> None:
        requirement = DocumentationRequirement.objects.get(title=STORY_REQUIREMENT)
        self.assertTrue(is_nice_to_know(requirement))
        self.assertTrue(policy.can_drop_requirement(self.chief, requirement))
        self.assertFalse(policy.can_drop_requirement(self.leader, requirement))
        self.assertFalse(policy.can_drop_requirement(self.teacher, requirement))

    def test_the_school_leader_owns_a_rule_past_review(self) -> None:
        rule = Rule.objects.get(title=STORY_RULE)
        self.assertTrue(rule.is_past_review())
        self.assertEqual(rule.owner.user, self.leader)
        self.assertTrue(policy.can_decide_rule(self.leader, rule))
        self.assertEqual(rule.decisions.count(), 1)

    def test_hours_are_already_saved_and_proposals_are_in_every_status(self) -> None:
        self.assertGreater(hours_saved(self.municipality), 0)
        statuses = set(BurdenProposal.objects.values_list("status", flat=True))
        self.assertEqual(statuses, set(BurdenProposal.Status.values))

    def test_every_decided_proposal_was_decided_at_the_right_level(self) -> None:
        decided = BurdenProposal.objects.exclude(status=BurdenProposal.Status.PROPOSED)
        self.assertTrue(decided.exists())
        for proposal in decided.select_related("decided_by__user", "decision_unit"):
            self.assertTrue(proposal.decision_reason)
            unit = proposal.decision_unit
            leads = RoleAssignment.objects.valid_on(today()).filter(
                staff_id=proposal.decided_by_id,
                role__kind="leader",
                unit_id__in=[*unit.ancestor_ids(), unit.pk],
            )
            self.assertTrue(leads.exists(), proposal)

    def test_signatures_come_from_the_units_own_leaders(self) -> None:
        signatures = PrincipleSignature.objects.select_related("unit", "signed_by")
        self.assertTrue(signatures.exists())
        for signature in signatures:
            leader = signature.unit.leader_assignment(today())
            self.assertIsNotNone(leader)
            assert leader is not None
            self.assertEqual(leader.staff_id, signature.signed_by_id)

    def test_targets_methods_reforms_and_teams_are_there(self) -> None:
        target = SpanTarget.in_force(self.municipality)
        assert target is not None
        self.assertEqual(target.max_direct_reports, 30)
        self.assertEqual(SpanTarget.objects.count(), 2)
        self.assertTrue(Effort.objects.filter(method__isnull=False).exists())
        self.assertTrue(LocalDecision.objects.exists())
        self.assertEqual(LeaderTeam.objects.count(), 2)
        self.assertTrue(policy.visible_teams(self.leader).exists())
