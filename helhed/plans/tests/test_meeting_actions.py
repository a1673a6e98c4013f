"""The rules of network meetings and actions: Ballerup's rule, due dates, minutes, overdue."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from helhed import policy
from helhed.lib.validity import today
from helhed.plans.actions.meetings import (
    NewAction,
    do_add_action,
    do_cancel_action,
    do_cancel_meeting,
    do_complete_action,
    do_reassign_action,
    do_record_minutes,
    do_reopen_action,
    do_schedule_meeting,
    family_candidates,
)
from helhed.plans.actions.plans import do_close_plan
from helhed.plans.models import Action, Decision, Meeting, Plan
from helhed.test import BaseTestCase, make_plan, make_staff


class MeetingCase(BaseTestCase):
    """A plan for Alma coordinated by the case worker (no tests here: a base)."""

    plan: Plan

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.plan = make_plan(cls.alma, coordinator=cls.caseworker)

    def setUp(self) -> None:
        super().setUp()
        # The messages are asserted in English, whatever the catalogue says in Danish.
        translation.activate("en")
        self.addCleanup(translation.deactivate)
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def schedule(self, **changes: Any) -> Meeting:
        arguments: dict[str, Any] = {
            "actor": self.caseworker,
            "plan": self.plan,
            "starts_at": timezone.now() + dt.timedelta(days=7),
            "place": "Bakkeskolen, mødelokale 2",
            "agenda": "Alma's school days",
            "staff_participants": [(self.caseworker, "")],
            "family_participants": [(self.mother, "Mor"), (self.alma, "Alma selv")],
            "without_citizen_reason": "",
        }
        arguments.update(changes)
        return do_schedule_meeting(**arguments)

    def start(self, meeting: Meeting) -> Meeting:
        """Move a meeting into the past, as if it had started an hour ago."""
        Meeting.objects.filter(pk=meeting.pk).update(
            starts_at=timezone.now() - dt.timedelta(hours=1)
        )
        meeting.refresh_from_db()
        return meeting

    def add_action(self, **changes: Any) -> Action:
        arguments: dict[str, Any] = {
            "actor": self.caseworker,
            "plan": self.plan,
            "description": "Call the school nurse",
            "owner": self.teacher,
            "due_on": today() + dt.timedelta(days=14),
        }
        arguments.update(changes)
        return do_add_action(**arguments)

    def make_overdue(self, action: Action, days: int) -> Action:
        Action.objects.filter(pk=action.pk).update(due_on=today() - dt.timedelta(days=days))
        action.refresh_from_db()
        return action


class ScheduleMeetingTests(MeetingCase):
    def test_it_schedules_a_meeting_with_the_family_by_name_and_role(self) -> None:
        meeting = self.schedule()
        rows = list(meeting.participants.values_list("name", "role", "staff", "citizen"))
        assert rows == [
            ("Sara Sand", "Coordinator", self.caseworker.pk, None),
            ("Mette Jensen", "Mor", None, self.mother.pk),
            ("Alma Jensen", "Alma selv", None, self.alma.pk),
        ]
        assert meeting.has_family()
        assert meeting.status == Meeting.Status.PLANNED

    def test_ballerups_rule_refuses_a_meeting_without_the_family_and_without_a_reason(
        self,
    ) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.schedule(family_participants=[])
        assert "without_citizen_reason" in caught.exception.message_dict
        assert "without the citizen" in caught.exception.message_dict["without_citizen_reason"][0]
        assert not Meeting.objects.exists()

    def test_a_meeting_without_the_family_is_allowed_with_a_reason(self) -> None:
        meeting = self.schedule(
            family_participants=[], without_citizen_reason="Professionals coordinate first"
        )
        assert not meeting.has_family()
        assert meeting.without_citizen_reason == "Professionals coordinate first"

    def test_a_reason_is_not_kept_when_the_family_takes_part(self) -> None:
        meeting = self.schedule(without_citizen_reason="Left over")
        assert meeting.without_citizen_reason == ""

    def test_the_family_are_the_plans_members_and_their_guardians(self) -> None:
        assert family_candidates(self.plan) == [self.mother, self.alma]
        with self.assertRaises(ValidationError) as caught:
            self.schedule(family_participants=[(self.bror, "Bror")])
        assert "not in the family" in str(caught.exception)

    def test_a_family_participant_needs_a_role(self) -> None:
        with self.assertRaises(ValidationError):
            self.schedule(family_participants=[(self.mother, " ")])
        assert not Meeting.objects.exists()

    def test_a_meeting_must_start_in_the_future(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.schedule(starts_at=timezone.now() - dt.timedelta(minutes=5))
        assert caught.exception.message_dict["starts_at"] == [
            "The meeting must start in the future."
        ]
        assert not Meeting.objects.exists()

    def test_staff_of_another_municipality_cannot_take_part(self) -> None:
        with self.assertRaises(ValidationError):
            self.schedule(staff_participants=[(self.outsider, "")])

    def test_a_closed_plan_gets_no_meetings(self) -> None:
        do_close_plan(
            actor=self.caseworker, plan=self.plan, expected_version=self.plan.version, reason="x"
        )
        with self.assertRaises(ValidationError):
            self.schedule()


class MinutesTests(MeetingCase):
    def test_minutes_are_refused_before_the_meeting_has_started(self) -> None:
        meeting = self.schedule()
        with self.assertRaises(ValidationError) as caught:
            do_record_minutes(
                actor=self.caseworker,
                meeting=meeting,
                minutes="Talked",
                family_summary="",
                decisions=["Alma starts at 9"],
                attendance={},
            )
        assert "once the meeting has started" in str(caught.exception)
        meeting.refresh_from_db()
        assert meeting.status == Meeting.Status.PLANNED
        assert not Decision.objects.exists()

    def test_minutes_record_decisions_attendance_and_actions_and_mark_the_meeting_held(
        self,
    ) -> None:
        meeting = self.start(self.schedule())
        mother_row = meeting.participants.get(citizen=self.mother)
        alma_row = meeting.participants.get(citizen=self.alma)
        do_record_minutes(
            actor=self.caseworker,
            meeting=meeting,
            minutes="Internal notes",
            family_summary="We talked about mornings.",
            decisions=["Alma starts at 9", "", "  ", "Weekly call with mother"],
            attendance={mother_row.pk: True, alma_row.pk: False},
            actions=[
                NewAction("Adjust the timetable", self.teacher, today(), decision=1),
                NewAction("Book the weekly call", self.caseworker, today()),
            ],
        )
        meeting.refresh_from_db()
        assert meeting.status == Meeting.Status.HELD
        assert list(meeting.decisions.values_list("text", flat=True)) == [
            "Alma starts at 9",
            "Weekly call with mother",
        ]
        mother_row.refresh_from_db()
        alma_row.refresh_from_db()
        assert (mother_row.attended, alma_row.attended) == (True, False)
        timetable, call = meeting.actions.order_by("pk")
        assert timetable.decision is not None and timetable.decision.text == "Alma starts at 9"
        assert (timetable.owner, timetable.plan) == (self.teacher, self.plan)
        assert call.decision is None

    def test_a_bad_action_saves_nothing_of_the_minutes(self) -> None:
        meeting = self.start(self.schedule())
        with self.assertRaises(ValidationError) as caught:
            do_record_minutes(
                actor=self.caseworker,
                meeting=meeting,
                minutes="Internal notes",
                family_summary="",
                decisions=["Alma starts at 9"],
                attendance={},
                actions=[
                    NewAction("Late", self.teacher, today() - dt.timedelta(days=1), decision=1)
                ],
            )
        [error] = caught.exception.error_dict["actions"]
        assert error.params == {
            "row": 1,
            "field": "due_on",
            "message": "The due date must be today or later.",
        }
        meeting.refresh_from_db()
        assert meeting.status == Meeting.Status.PLANNED
        assert meeting.minutes == ""
        assert not Decision.objects.exists()
        assert not Action.objects.exists()

    def test_minutes_are_recorded_once(self) -> None:
        meeting = self.start(self.schedule())
        arguments: dict[str, Any] = {
            "actor": self.caseworker,
            "meeting": meeting,
            "minutes": "Notes",
            "family_summary": "",
            "decisions": [],
            "attendance": {},
        }
        do_record_minutes(**arguments)
        with self.assertRaises(ValidationError):
            do_record_minutes(**arguments)

    def test_cancelling_needs_a_reason_and_only_a_planned_meeting(self) -> None:
        meeting = self.schedule()
        with self.assertRaises(ValidationError):
            do_cancel_meeting(actor=self.caseworker, meeting=meeting, reason=" ")
        do_cancel_meeting(actor=self.caseworker, meeting=meeting, reason="Mother is ill")
        meeting.refresh_from_db()
        assert meeting.status == Meeting.Status.CANCELLED
        assert "Mother is ill" in meeting.minutes
        with self.assertRaises(ValidationError):
            do_cancel_meeting(actor=self.caseworker, meeting=meeting, reason="Again")


class ActionRuleTests(MeetingCase):
    def test_an_action_has_an_owner_and_a_due_date_today_or_later(self) -> None:
        action = self.add_action(due_on=today())
        assert (action.owner, action.status, action.due_on) == (
            self.teacher,
            Action.Status.OPEN,
            today(),
        )

    def test_a_due_date_in_the_past_is_refused_and_nothing_is_saved(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.add_action(due_on=today() - dt.timedelta(days=1))
        assert caught.exception.message_dict == {"due_on": ["The due date must be today or later."]}
        assert not Action.objects.exists()

    def test_the_owner_works_in_the_plans_municipality(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.add_action(owner=self.outsider)
        assert "owner" in caught.exception.message_dict
        assert not Action.objects.exists()

    def test_completing_reopening_and_cancelling(self) -> None:
        action = self.add_action()
        do_complete_action(actor=self.teacher, action=action, note="Nurse called")
        action.refresh_from_db()
        assert (action.status, action.done_on, action.note) == (
            Action.Status.DONE,
            today(),
            "Nurse called",
        )
        with self.assertRaises(ValidationError):
            do_complete_action(actor=self.teacher, action=action)
        do_reopen_action(actor=self.teacher, action=action)
        action.refresh_from_db()
        assert (action.status, action.done_on) == (Action.Status.OPEN, None)
        with self.assertRaises(ValidationError):
            do_cancel_action(actor=self.teacher, action=action, note="")
        do_cancel_action(actor=self.teacher, action=action, note="Not needed")
        action.refresh_from_db()
        assert action.status == Action.Status.CANCELLED

    def test_reassigning_keeps_the_due_date_rule(self) -> None:
        action = self.add_action()
        with self.assertRaises(ValidationError):
            do_reassign_action(
                actor=self.caseworker,
                action=action,
                owner=self.colleague,
                due_on=today() - dt.timedelta(days=2),
            )
        action.refresh_from_db()
        assert action.owner == self.teacher
        do_reassign_action(
            actor=self.caseworker, action=action, owner=self.colleague, due_on=today()
        )
        action.refresh_from_db()
        assert (action.owner, action.due_on) == (self.colleague, today())


class OverdueTests(MeetingCase):
    def test_an_open_action_past_its_date_is_overdue_a_done_one_is_not(self) -> None:
        late = self.make_overdue(self.add_action(), days=3)
        done = self.make_overdue(self.add_action(description="Done late"), days=3)
        do_complete_action(actor=self.teacher, action=done)
        due_today = self.add_action(due_on=today())
        assert late.is_overdue() and not due_today.is_overdue()
        assert list(Action.objects.overdue()) == [late]

    def test_the_leader_of_the_owners_unit_sees_it_others_do_not(self) -> None:
        late = self.make_overdue(self.add_action(), days=3)  # owned by the teacher
        self.make_overdue(self.add_action(owner=self.caseworker), days=1)
        assert list(policy.led_overdue_actions(self.leader.user)) == [late]
        assert policy.led_overdue_actions(self.chief.user).count() == 2
        other_leader = make_staff("Ole", unit=self.family_dept, role="leader", username="ole")
        assert [a.owner for a in policy.led_overdue_actions(other_leader.user)] == [self.caseworker]
        assert not policy.led_overdue_actions(self.caseworker.user).exists()
