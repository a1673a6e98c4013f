"""The demo's leading across: the issue's story is ready to play, and every row keeps the rules."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import User
from django.test import TestCase, override_settings

from helhed import policy
from helhed.demo.across import GRANT_LIMIT, STEERING_BUDGET, STORY_GRANT, STORY_TRIAL
from helhed.demo.generator import generate, plan_municipalities
from helhed.forums.actions.forums import forum_budget_left
from helhed.forums.models import Forum, Item, ItemEvent
from helhed.lib.validity import today
from helhed.plans.models import Contact, Effort, Handover
from helhed.trials.models import Application, Trial

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@override_settings(PASSWORD_HASHERS=FAST_HASHERS)
class DemoAcrossTests(TestCase):
    leader: User
    chief: User
    director: User
    coordinator: User

    @classmethod
    def setUpTestData(cls) -> None:
        generate(plan_municipalities([230], 3_000, seed=7), password="demo")
        cls.leader = User.objects.get(username="skoleleder")
        cls.chief = User.objects.get(username="chef")
        cls.director = User.objects.get(username="direktor")
        cls.coordinator = User.objects.get(username="koordinator")

    def test_the_escalation_chain_leads_from_the_leaders_to_the_steering_group(self) -> None:
        leaders = Forum.objects.get(kind=Forum.Kind.LEADERS_GROUP)
        chiefs = leaders.escalates_to
        assert chiefs is not None
        steering = chiefs.escalates_to
        assert steering is not None
        self.assertEqual(steering.kind, Forum.Kind.STEERING_GROUP)
        self.assertEqual(
            (steering.yearly_budget, steering.grant_limit), (STEERING_BUDGET, GRANT_LIMIT)
        )
        self.assertTrue(policy.can_raise_item(self.leader))
        self.assertTrue(leaders.members.filter(staff__user=self.leader).exists())
        self.assertTrue(leaders.members.filter(staff__user=self.chief).exists())
        self.assertTrue(chiefs.members.filter(staff__user=self.chief).exists())
        self.assertTrue(steering.members.filter(staff__user=self.director, role="chair").exists())

    def test_the_story_grant_fits_the_steering_groups_budget(self) -> None:
        application = Application.objects.get(trial__title=STORY_TRIAL)
        self.assertEqual(application.status, Application.Status.PENDING)
        self.assertEqual(application.amount, STORY_GRANT)
        left = forum_budget_left(application.forum, today().year)
        assert left is not None
        self.assertGreaterEqual(left, STORY_GRANT)
        self.assertLessEqual(STORY_GRANT, GRANT_LIMIT)

    def test_escalated_items_keep_their_history_and_end_where_they_moved(self) -> None:
        for item in Item.objects.filter(events__kind=ItemEvent.Kind.ESCALATED).distinct():
            last = item.events.filter(kind=ItemEvent.Kind.ESCALATED).order_by("at", "pk").last()
            assert last is not None
            self.assertEqual(item.forum_id, last.to_forum_id)
            first = item.events.order_by("at", "pk").first()
            assert first is not None
            self.assertEqual(first.kind, ItemEvent.Kind.RAISED)

    def test_grants_never_exceed_the_forums_limit_or_budget(self) -> None:
        for forum in Forum.objects.exclude(yearly_budget=None):
            left = forum_budget_left(forum, today().year)
            assert left is not None
            self.assertGreaterEqual(left, Decimal(0))
            for decision in forum.decisions.exclude(grant_amount=None):
                assert forum.grant_limit is not None and decision.grant_amount is not None
                self.assertLessEqual(decision.grant_amount, forum.grant_limit)

    def test_the_school_leader_has_an_overdue_handover_on_her_list(self) -> None:
        self.assertTrue(any(h.is_overdue() for h in Handover.objects.all()))
        self.assertTrue(policy.led_overdue_handovers(self.leader).exists())

    def test_the_coordinator_has_contacts_from_other_units_to_see(self) -> None:
        staff = self.coordinator.staff
        waiting = Contact.objects.filter(coordinator=staff, coordinator_seen_on__isnull=True)
        self.assertTrue(waiting.exists())
        for contact in waiting:
            self.assertNotEqual(contact.staff_id, staff.pk)

    def test_some_efforts_wait_for_an_agreed_payer(self) -> None:
        efforts = Effort.objects.all()
        self.assertTrue(efforts.filter(payer_agreed_on__isnull=True).exists())
        self.assertTrue(efforts.filter(payer_agreed_on__isnull=False).exists())
        self.assertFalse(efforts.filter(payer_agreed_on__isnull=False, paying_unit=None).exists())

    def test_a_decided_trial_has_a_final_evaluation(self) -> None:
        for trial in Trial.objects.exclude(outcome=""):
            self.assertTrue(trial.evaluations.filter(kind="final").exists())
