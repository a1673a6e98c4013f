"""The forums' rules: escalation without cycles, budgets, grants within limit and budget left."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from helhed import policy
from helhed.forums.actions import forums as actions
from helhed.forums.models import Decision, Forum, ForumMember
from helhed.lib.validity import today
from helhed.organisation.models import Staff
from helhed.test import BaseTestCase, make_staff, make_unit


class ForumCase(BaseTestCase):
    """Three forums of Rudersdal in a chain, and one of Hvidovre.

    * ``leaders``: the daily leaders' group, escalates to ``chiefs``;
    * ``chiefs``: the chiefs' group, escalates to ``steering``;
    * ``steering``: the steering group, top of the chain, with an advisory
      budget of DKK 500,000 a year and a limit of DKK 250,000 per grant.
      Chair: the chief; secretary: the analyst; member: the school leader.
    """

    leaders: Forum
    chiefs: Forum
    steering: Forum
    foreign: Forum

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.steering = actions.do_create_forum(
            actor=cls.director,
            name="Styregruppen",
            kind=Forum.Kind.STEERING_GROUP,
            cadence=Forum.Cadence.MONTHLY,
            mandate="Grants to trial actions across sectors; removes snags the chiefs raise.",
            yearly_budget=Decimal(500_000),
            grant_limit=Decimal(250_000),
        )
        cls.chiefs = actions.do_create_forum(
            actor=cls.director,
            name="Chefgruppen",
            kind=Forum.Kind.CHIEFS_GROUP,
            cadence=Forum.Cadence.WEEKLY,
            mandate="Decides who acts and who pays across the administrations.",
            escalates_to=cls.steering,
        )
        cls.leaders = actions.do_create_forum(
            actor=cls.director,
            name="Daglig ledergruppe",
            kind=Forum.Kind.LEADERS_GROUP,
            cadence=Forum.Cadence.DAILY,
            mandate="Solves the day's snags between school and social services.",
            escalates_to=cls.chiefs,
        )
        for forum in (cls.steering, cls.chiefs, cls.leaders):
            actions.do_set_member(
                actor=cls.director, forum=forum, staff=cls.chief, role=ForumMember.Role.CHAIR
            )
            actions.do_set_member(
                actor=cls.director,
                forum=forum,
                staff=cls.analyst,
                role=ForumMember.Role.SECRETARY,
            )
            actions.do_set_member(
                actor=cls.director, forum=forum, staff=cls.leader, role=ForumMember.Role.MEMBER
            )
        cls.foreign = actions.do_create_forum(
            actor=cls.outsider,
            name="Hvidovres styregruppe",
            kind=Forum.Kind.STEERING_GROUP,
            cadence=Forum.Cadence.MONTHLY,
            mandate="Hvidovre's own.",
        )

    def setUp(self) -> None:
        super().setUp()
        # Messages are checked in English, with English number grouping (250,000),
        # on the pages too (the language cookie).
        self.enterContext(translation.override("en"))
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def grant(self, amount: int | str, *, on: dt.date | None = None, **kw: Any) -> Decision:
        return actions.do_record_decision(
            actor=kw.pop("actor", self.analyst),
            forum=kw.pop("forum", self.steering),
            text=kw.pop("text", "The trial gets a grant."),
            mandate_basis=kw.pop("mandate_basis", "Grants to trial actions"),
            decided_on=on,
            grant_amount=Decimal(amount),
            grant_purpose=kw.pop("grant_purpose", "Trial action"),
            **kw,
        )

    def errors(self, exc: ValidationError) -> dict[str, list[str]]:
        return exc.message_dict


class ManagingTests(ForumCase):
    def test_the_director_chiefs_and_analysts_manage_forums_and_nobody_else(self) -> None:
        for staff, expected in [
            (self.director, True),
            (self.chief, True),
            (self.analyst, True),
            (self.leader, False),
            (self.teacher, False),
            (self.caseworker, False),
            (self.politician, False),
        ]:
            with self.subTest(staff.full_name):
                assert policy.can_manage_forums(staff.user) is expected

    def test_a_leader_two_levels_down_is_not_a_chief(self) -> None:
        area = make_unit("Skoleområde Nord", parent=self.children_admin, unit_type="area")
        area_leader = make_staff("Ib", unit=area, role="leader", username="area_leader")
        assert not policy.can_manage_forums(area_leader.user)

    def test_every_staff_member_of_the_municipality_reads_the_forums(self) -> None:
        for staff in (self.teacher, self.caseworker, self.politician, self.leader):
            assert set(policy.visible_forums(staff.user)) == {
                self.steering,
                self.chiefs,
                self.leaders,
            }
        assert set(policy.visible_forums(self.outsider.user)) == {self.foreign}


class EscalationTests(ForumCase):
    def update(self, forum: Forum, **changes: Any) -> Forum:
        fields: dict[str, Any] = {
            "name": forum.name,
            "kind": forum.kind,
            "cadence": forum.cadence,
            "mandate": forum.mandate,
            "escalates_to": forum.escalates_to,
            "yearly_budget": forum.yearly_budget,
            "grant_limit": forum.grant_limit,
        }
        fields.update(changes)
        return actions.do_update_forum(actor=self.director, forum=forum, **fields)

    def test_the_chain_runs_from_the_leaders_to_the_steering_group(self) -> None:
        assert actions.escalation_chain(self.leaders) == [self.chiefs, self.steering]
        assert list(actions.escalated_from(self.steering)) == [self.chiefs]
        assert actions.escalation_chain(self.steering) == []

    def test_a_chain_that_would_go_round_in_a_circle_is_refused(self) -> None:
        # steering -> leaders would close leaders -> chiefs -> steering -> leaders.
        with self.assertRaises(ValidationError) as caught:
            self.update(self.steering, escalates_to=self.leaders)
        assert "escalates_to" in self.errors(caught.exception)
        assert "circle" in self.errors(caught.exception)["escalates_to"][0]
        with self.assertRaises(ValidationError):
            self.update(self.chiefs, escalates_to=self.chiefs)
        self.steering.refresh_from_db()
        assert self.steering.escalates_to is None

    def test_a_forum_escalates_only_within_its_municipality(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.update(self.steering, escalates_to=self.foreign)
        assert "same municipality" in self.errors(caught.exception)["escalates_to"][0]
        with self.assertRaises(ValidationError):
            actions.do_create_forum(
                actor=self.chief,
                name="Nyt forum",
                kind=Forum.Kind.JOINT_FORUM,
                cadence=Forum.Cadence.MONTHLY,
                mandate="Joint.",
                escalates_to=self.foreign,
            )

    def test_a_new_branch_into_the_chain_is_fine(self) -> None:
        referral = actions.do_create_forum(
            actor=self.chief,
            name="Visitationsmøde",
            kind=Forum.Kind.REFERRAL_MEETING,
            cadence=Forum.Cadence.FORTNIGHTLY,
            mandate="Refers to efforts.",
            escalates_to=self.chiefs,
        )
        assert actions.escalation_chain(referral) == [self.chiefs, self.steering]


class BudgetSettingTests(ForumCase):
    def create(self, **fields: Any) -> Forum:
        data: dict[str, Any] = {
            "name": "Rådgivende møde",
            "kind": Forum.Kind.ADVISORY_MEETING,
            "cadence": Forum.Cadence.MONTHLY,
            "mandate": "Grants to trials up to the limit.",
        }
        data.update(fields)
        return actions.do_create_forum(actor=self.analyst, **data)

    def test_both_budget_and_limit_or_neither(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.create(yearly_budget=Decimal(100_000))
        assert "grant_limit" in self.errors(caught.exception)
        with self.assertRaises(ValidationError) as caught:
            self.create(grant_limit=Decimal(100_000))
        assert "yearly_budget" in self.errors(caught.exception)
        assert not self.create().may_grant

    def test_the_limit_per_grant_is_at_most_the_budget(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.create(yearly_budget=Decimal(100_000), grant_limit=Decimal(100_001))
        assert "grant_limit" in self.errors(caught.exception)
        forum = self.create(yearly_budget=Decimal(100_000), grant_limit=Decimal(100_000))
        assert forum.may_grant

    def test_names_are_unique_in_the_municipality_but_not_across(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.create(name="styregruppen")
        assert "name" in self.errors(caught.exception)
        actions.do_create_forum(
            actor=self.outsider,
            name="Styregruppen",
            kind=Forum.Kind.STEERING_GROUP,
            cadence=Forum.Cadence.MONTHLY,
            mandate="Hvidovre's.",
        )

    def test_the_budget_cannot_be_cut_below_what_is_granted_this_year(self) -> None:
        self.grant(200_000)
        with self.assertRaises(ValidationError) as caught:
            actions.do_update_forum(
                actor=self.director,
                forum=self.steering,
                name=self.steering.name,
                kind=self.steering.kind,
                cadence=self.steering.cadence,
                mandate=self.steering.mandate,
                yearly_budget=Decimal(150_000),
                grant_limit=Decimal(100_000),
            )
        assert "yearly_budget" in self.errors(caught.exception)


class GrantTests(ForumCase):
    def test_grants_are_refused_beyond_what_is_left_of_the_years_budget(self) -> None:
        # Budget 500,000: 200,000 + 250,000 = 450,000 granted, so 50,000 is left.
        self.grant(200_000)
        self.grant(250_000)
        year = today().year
        assert actions.forum_budget_used(self.steering, year) == Decimal(450_000)
        assert actions.forum_budget_left(self.steering, year) == Decimal(50_000)
        with self.assertRaises(ValidationError) as caught:
            self.grant(60_000)
        message = self.errors(caught.exception)["grant_amount"][0]
        assert "50,000" in message and "500,000" in message
        assert actions.forum_budget_left(self.steering, year) == Decimal(50_000)
        self.grant("50000.00")  # exactly what is left
        assert actions.forum_budget_left(self.steering, year) == Decimal(0)
        with self.assertRaises(ValidationError):
            self.grant("0.01")
        assert Decision.objects.filter(forum=self.steering).count() == 3

    def test_a_grant_is_refused_beyond_the_limit_per_grant(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.grant("250000.01")
        message = self.errors(caught.exception)["grant_amount"][0]
        assert "250,000" in message
        assert not Decision.objects.filter(forum=self.steering).exists()
        self.grant(250_000)  # the limit itself is within the mandate

    def test_a_forum_without_a_budget_grants_nothing(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.grant(1_000, forum=self.chiefs)
        assert "no budget" in self.errors(caught.exception)["grant_amount"][0]
        assert not Decision.objects.filter(forum=self.chiefs).exists()

    def test_last_years_grants_do_not_use_this_years_budget(self) -> None:
        last_year = today().replace(year=today().year - 1, day=1)
        self.grant(250_000, on=last_year)
        self.grant(250_000, on=last_year)
        with self.assertRaises(ValidationError):
            self.grant(1, on=last_year)  # last year's budget is spent
        assert actions.forum_budget_left(self.steering, today().year) == Decimal(500_000)
        self.grant(250_000)

    def test_a_grant_needs_a_purpose_and_a_sensible_amount(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.grant(10_000, grant_purpose="")
        assert "grant_purpose" in self.errors(caught.exception)
        for amount in ("0", "-5", "10.001"):
            with self.subTest(amount), self.assertRaises(ValidationError) as caught:
                self.grant(amount)
            assert "grant_amount" in self.errors(caught.exception)


class DecisionTests(ForumCase):
    def record(self, actor: Staff, **fields: Any) -> Decision:
        data: dict[str, Any] = {
            "forum": self.chiefs,
            "text": "Youth guidance takes the handover at 17 1/2.",
            "mandate_basis": "Who acts across the administrations",
        }
        data.update(fields)
        return actions.do_record_decision(actor=actor, **data)

    def test_the_chair_decides_even_when_the_secretary_records(self) -> None:
        assert self.record(self.analyst).decided_by == self.chief
        assert self.record(self.chief).decided_by == self.chief

    def test_only_the_chair_or_secretary_records(self) -> None:
        for staff in (self.leader, self.teacher, self.director, self.outsider):
            with self.subTest(staff.full_name), self.assertRaises(PermissionDenied):
                self.record(staff)
        assert policy.can_record_in_forum(self.analyst.user, self.chiefs)
        assert not policy.can_record_in_forum(self.leader.user, self.chiefs)

    def test_the_mandate_basis_is_required(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.record(self.chief, mandate_basis="   ")
        assert "mandate_basis" in self.errors(caught.exception)
        with self.assertRaises(ValidationError) as caught:
            self.record(self.chief, text="")
        assert "text" in self.errors(caught.exception)

    def test_a_decision_is_not_dated_in_the_future_nor_at_another_forums_meeting(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.record(self.chief, decided_on=today() + dt.timedelta(days=1))
        assert "decided_on" in self.errors(caught.exception)
        other = actions.do_plan_meeting(
            actor=self.chief, forum=self.leaders, held_on=today(), agenda="Snags"
        )
        with self.assertRaises(ValidationError) as caught:
            self.record(self.chief, meeting=other)
        assert "meeting" in self.errors(caught.exception)

    def test_a_forum_without_a_chair_cannot_decide(self) -> None:
        ForumMember.objects.filter(forum=self.chiefs, role=ForumMember.Role.CHAIR).delete()
        with self.assertRaises(ValidationError) as caught:
            self.record(self.analyst)
        assert "__all__" in self.errors(caught.exception)


class MeetingAndFollowUpTests(ForumCase):
    def test_a_meeting_is_planned_then_minuted_and_held(self) -> None:
        meeting = actions.do_plan_meeting(
            actor=self.analyst, forum=self.chiefs, held_on=today(), agenda="1. Handovers at 18"
        )
        assert meeting.status == "planned"
        held = actions.do_record_minutes(
            actor=self.analyst, meeting=meeting, minutes="Agreed who takes the handover."
        )
        assert held.status == "held" and held.minutes.startswith("Agreed")

    def test_minutes_wait_until_the_meeting_has_taken_place(self) -> None:
        meeting = actions.do_plan_meeting(
            actor=self.chief,
            forum=self.chiefs,
            held_on=today() + dt.timedelta(days=7),
            agenda="Budget",
        )
        with self.assertRaises(ValidationError) as caught:
            actions.do_record_minutes(actor=self.chief, meeting=meeting, minutes="Early.")
        assert "minutes" in self.errors(caught.exception)
        with self.assertRaises(PermissionDenied):
            actions.do_plan_meeting(
                actor=self.leader, forum=self.chiefs, held_on=today(), agenda="Mine"
            )

    def test_follow_ups_are_flagged_when_overdue_and_marked_done(self) -> None:
        decided = today() - dt.timedelta(days=10)
        decision = actions.do_record_decision(
            actor=self.chief,
            forum=self.chiefs,
            text="Map the handovers at 18.",
            mandate_basis="Who acts",
            decided_on=decided,
        )
        late = actions.do_add_follow_up(
            actor=self.chief,
            decision=decision,
            title="Map the handovers",
            owner=self.leader,
            due_on=today() - dt.timedelta(days=1),
        )
        on_time = actions.do_add_follow_up(
            actor=self.chief, decision=decision, title="Report", owner=self.leader, due_on=today()
        )
        assert late.is_overdue() and not on_time.is_overdue()
        overdue = actions.overdue_follow_ups(decision.follow_ups.all())
        assert list(overdue) == [late]
        actions.do_complete_follow_up(actor=self.leader, follow_up=late)
        late.refresh_from_db()
        assert late.done_on == today() and not late.is_overdue()
        with self.assertRaises(ValidationError):
            actions.do_add_follow_up(
                actor=self.chief,
                decision=decision,
                title="Before",
                owner=self.outsider,
                due_on=decided - dt.timedelta(days=1),
            )
