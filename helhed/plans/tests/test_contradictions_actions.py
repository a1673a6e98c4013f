"""Flagging and resolving contradictions: same plan only, resolved in a meeting of that plan."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from helhed.plans.actions import contradictions as actions
from helhed.plans.models import Contradiction
from helhed.plans.tests.contradictions_case import ContradictionCase


class FlagTests(ContradictionCase):
    def test_two_efforts_of_the_plan_are_flagged(self) -> None:
        found = actions.do_flag_contradiction(
            actor=self.caseworker,
            plan=self.plan,
            effort=self.swimming,
            other_effort=self.therapy,
            description="To steder på én gang",
        )
        assert found.status == Contradiction.Status.OPEN
        assert found.raised_by == self.caseworker

    def test_an_effort_against_a_goal_is_flagged(self) -> None:
        found = actions.do_flag_contradiction(
            actor=self.caseworker,
            plan=self.plan,
            effort=self.therapy,
            goal=self.goal,
            description="Terapien tager hendes fridag",
        )
        assert found.goal == self.goal

    def assert_refused(self, field: str, **arguments: object) -> None:
        data = {"actor": self.caseworker, "plan": self.plan, "description": "x", **arguments}
        with self.assertRaises(ValidationError) as raised:
            actions.do_flag_contradiction(**data)  # type: ignore[arg-type]
        assert field in raised.exception.error_dict, raised.exception
        assert not Contradiction.objects.exists()

    def test_efforts_and_goals_of_another_plan_are_refused(self) -> None:
        self.assert_refused("other_effort", effort=self.swimming, other_effort=self.other_effort)
        self.assert_refused("effort", effort=self.other_effort, other_effort=self.swimming)
        self.assert_refused("goal", effort=self.swimming, goal=self.other_goal)

    def test_it_needs_exactly_one_other_side_and_a_description(self) -> None:
        self.assert_refused("other_effort", effort=self.swimming)
        self.assert_refused(
            "other_effort", effort=self.swimming, other_effort=self.therapy, goal=self.goal
        )
        self.assert_refused("other_effort", effort=self.swimming, other_effort=self.swimming)
        with self.assertRaises(ValidationError) as raised:
            actions.do_flag_contradiction(
                actor=self.caseworker,
                plan=self.plan,
                effort=self.swimming,
                other_effort=self.therapy,
                description="  ",
            )
        assert "description" in raised.exception.error_dict


class ResolveTests(ContradictionCase):
    def setUp(self) -> None:
        super().setUp()
        self.found = actions.do_flag_contradiction(
            actor=self.caseworker,
            plan=self.plan,
            effort=self.swimming,
            other_effort=self.therapy,
            description="To steder på én gang",
        )

    def test_it_is_resolved_in_a_meeting_of_the_plan_with_how(self) -> None:
        actions.do_resolve_contradiction(
            actor=self.caseworker,
            contradiction=self.found,
            meeting=self.held_meeting,
            resolution="Terapien flyttes til torsdag",
        )
        self.found.refresh_from_db()
        assert self.found.status == Contradiction.Status.RESOLVED
        assert self.found.meeting == self.held_meeting
        assert self.found.resolution == "Terapien flyttes til torsdag"

    def test_a_meeting_of_another_plan_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as raised:
            actions.do_resolve_contradiction(
                actor=self.caseworker,
                contradiction=self.found,
                meeting=self.other_meeting,
                resolution="Løst",
            )
        assert "meeting" in raised.exception.error_dict
        self.found.refresh_from_db()
        assert self.found.status == Contradiction.Status.OPEN

    def test_a_cancelled_meeting_and_an_empty_resolution_are_refused(self) -> None:
        for meeting, text, field in (
            (self.cancelled, "Løst", "meeting"),
            (self.next_meeting, " ", "resolution"),
        ):
            with self.assertRaises(ValidationError) as raised:
                actions.do_resolve_contradiction(
                    actor=self.caseworker,
                    contradiction=self.found,
                    meeting=meeting,
                    resolution=text,
                )
            assert field in raised.exception.error_dict

    def test_it_is_resolved_once(self) -> None:
        actions.do_resolve_contradiction(
            actor=self.caseworker,
            contradiction=self.found,
            meeting=self.next_meeting,
            resolution="A",
        )
        with self.assertRaises(ValidationError):
            actions.do_resolve_contradiction(
                actor=self.caseworker,
                contradiction=self.found,
                meeting=self.next_meeting,
                resolution="B",
            )

    def test_open_contradictions_are_on_the_next_meetings_agenda_only(self) -> None:
        assert actions.next_meeting(self.plan) == self.next_meeting
        assert actions.agenda_contradictions(self.next_meeting) == [self.found]
        assert actions.agenda_contradictions(self.later_meeting) == []
        assert actions.agenda_contradictions(self.other_meeting) == []
