"""The rules of the shared plan, through its actions: one active plan per citizen,
goals, efforts, participants, family members, and the optimistic lock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from unittest import mock

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import translation

from helhed.lib.validity import today
from helhed.organisation.models import Sector
from helhed.plans.actions.plans import (
    StalePlanError,
    do_add_effort,
    do_add_goal,
    do_add_member,
    do_add_participant,
    do_close_plan,
    do_create_plan,
    do_end_effort,
    do_remove_participant,
    do_set_occupation,
    do_update_effort,
    do_update_goal,
)
from helhed.plans.models import Effort, Goal, Participant, Plan, PlanMember, PlanVersion
from helhed.test import BaseTestCase, make_citizen, make_plan, make_staff, make_unit


def codes(error: ValidationError) -> dict[str, list[str | None]]:
    """The error codes per field, so tests do not depend on the wording's language."""
    if hasattr(error, "error_dict"):
        return {f: [e.code for e in errs] for f, errs in error.error_dict.items()}
    return {"__all__": [e.code for e in error.error_list]}


class PlanTestCase(BaseTestCase):
    """Messages and version summaries in English, whatever the catalogue says in Danish."""

    def setUp(self) -> None:
        super().setUp()
        self.enterContext(translation.override("en"))


class OneActivePlanPerCitizenTests(PlanTestCase):
    def test_a_second_plan_for_the_same_citizen_is_refused(self) -> None:
        make_plan(self.alma, coordinator=self.caseworker)
        with self.assertRaises(ValidationError) as caught:
            do_create_plan(
                actor=self.caseworker,
                citizens=[self.alma],
                title="Another plan",
                coordinator=self.caseworker,
            )
        self.assertEqual(codes(caught.exception), {"citizen": ["has_plan"]})
        self.assertIn("Alma Jensen", caught.exception.messages[0])
        self.assertEqual(Plan.objects.count(), 1)

    def test_a_family_plan_naming_a_citizen_with_a_plan_is_refused(self) -> None:
        make_plan(self.alma, coordinator=self.caseworker)
        with self.assertRaises(ValidationError) as caught:
            do_create_plan(
                actor=self.caseworker,
                citizens=[self.bror, self.alma],
                adults=[self.mother],
                kind=Plan.Kind.FAMILY,
                title="Family",
                coordinator=self.caseworker,
            )
        self.assertEqual(codes(caught.exception), {"citizen": ["has_plan"]})
        self.assertEqual(Plan.objects.count(), 1)
        # And the other way round: the child with a plan cannot join a family plan.
        family = do_create_plan(
            actor=self.caseworker,
            citizens=[self.bror],
            adults=[self.mother],
            kind=Plan.Kind.FAMILY,
            title="Family",
            coordinator=self.caseworker,
        )
        with self.assertRaises(ValidationError) as caught:
            do_add_member(
                actor=self.caseworker,
                plan=family,
                expected_version=family.version,
                citizen=self.alma,
                role=PlanMember.Role.CHILD,
            )
        self.assertEqual(codes(caught.exception), {"citizen": ["has_plan"]})
        family.refresh_from_db()
        self.assertEqual(family.version, 1)
        self.assertEqual(family.members.count(), 2)

    def test_a_closed_plan_frees_the_citizen(self) -> None:
        plan = make_plan(self.alma, coordinator=self.caseworker)
        do_close_plan(actor=self.caseworker, plan=plan, expected_version=1, reason="Goals met")
        second = do_create_plan(
            actor=self.caseworker, citizens=[self.alma], title="New", coordinator=self.caseworker
        )
        self.assertTrue(second.is_active)
        self.assertEqual(PlanMember.objects.filter(citizen=self.alma).count(), 2)

    def test_a_citizen_of_another_municipality_gets_no_plan(self) -> None:
        stranger = make_citizen(
            "Sofie", "Holm", birth_date=dt.date(2013, 2, 3), municipality_code=167
        )
        with self.assertRaises(ValidationError) as caught:
            do_create_plan(
                actor=self.caseworker,
                citizens=[stranger],
                title="Plan",
                coordinator=self.caseworker,
            )
        self.assertEqual(codes(caught.exception), {"citizen": ["other_municipality"]})
        self.assertFalse(Plan.objects.exists())

    def test_the_creator_can_take_part_from_the_first_version(self) -> None:
        plan = do_create_plan(
            actor=self.teacher,
            citizens=[self.alma],
            title="Plan",
            coordinator=self.caseworker,
            participants=[(self.teacher, self.school)],
        )
        self.assertEqual(plan.version, 1)
        self.assertEqual(plan.participants.get().staff, self.teacher)
        self.assertEqual(plan.versions.get().snapshot["participants"][0]["name"], "Tom Thy")

    def test_a_participant_must_hold_a_role_in_the_unit(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            do_create_plan(
                actor=self.teacher,
                citizens=[self.alma],
                title="Plan",
                coordinator=self.caseworker,
                participants=[(self.teacher, self.family_dept)],
            )
        self.assertEqual(codes(caught.exception), {"unit": ["no_role"]})
        self.assertFalse(Plan.objects.exists())


class GoalTests(PlanTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.plan = make_plan(self.alma, coordinator=self.caseworker)

    def goal(self, **changes: Any) -> Goal:
        arguments: dict[str, Any] = {
            "actor": self.caseworker,
            "plan": self.plan,
            "expected_version": self.plan.version,
            "text": "Jeg vil gerne have en ven i klassen",
            "formulated_by": Goal.FormulatedBy.CHILD,
            "formulated_by_name": "Alma",
            "target_date": today() + dt.timedelta(days=90),
            "citizen": self.alma,
        }
        arguments.update(changes)
        return do_add_goal(**arguments)

    def test_adding_a_goal_makes_a_version(self) -> None:
        goal = self.goal()
        self.plan.refresh_from_db()
        self.assertEqual(self.plan.version, 2)
        version = self.plan.versions.get(number=2)
        self.assertEqual(version.summary, "Goal added: Jeg vil gerne have en ven i klassen")
        self.assertEqual(version.changed_by, self.caseworker)
        self.assertEqual(version.snapshot["goals"][0]["id"], goal.pk)

    def test_a_target_date_in_the_past_is_refused_and_nothing_changes(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.goal(target_date=today() - dt.timedelta(days=1))
        self.assertEqual(codes(caught.exception), {"target_date": ["past_target"]})
        self.assertIn("has passed", caught.exception.message_dict["target_date"][0])
        self.plan.refresh_from_db()
        self.assertEqual(self.plan.version, 1)
        self.assertFalse(Goal.objects.exists())

    def test_changing_the_target_date_to_the_past_is_refused(self) -> None:
        goal = self.goal()
        with self.assertRaises(ValidationError) as caught:
            do_update_goal(
                actor=self.caseworker,
                goal=goal,
                expected_version=2,
                text=goal.text,
                formulated_by=goal.formulated_by,
                formulated_by_name=goal.formulated_by_name,
                target_date=today() - dt.timedelta(days=3),
                status=goal.status,
                citizen=self.alma,
            )
        self.assertEqual(codes(caught.exception), {"target_date": ["past_target"]})
        goal.refresh_from_db()
        self.assertGreater(goal.target_date, today())

    def test_a_passed_target_date_that_is_kept_does_not_block_a_status_change(self) -> None:
        goal = self.goal()
        Goal.objects.filter(pk=goal.pk).update(
            target_date=today() - dt.timedelta(days=5),
            status_changed_on=today() - dt.timedelta(days=60),
        )
        goal.refresh_from_db()
        do_update_goal(
            actor=self.caseworker,
            goal=goal,
            expected_version=2,
            text=goal.text,
            formulated_by=goal.formulated_by,
            formulated_by_name=goal.formulated_by_name,
            target_date=goal.target_date,
            status=Goal.Status.ACHIEVED,
            citizen=self.alma,
        )
        goal.refresh_from_db()
        self.assertEqual(goal.status, Goal.Status.ACHIEVED)
        self.assertEqual(goal.status_changed_on, today())
        self.assertEqual(self.plan.versions.get(number=3).summary[:13], "Goal achieved")

    def test_a_text_change_keeps_the_status_date(self) -> None:
        goal = self.goal()
        Goal.objects.filter(pk=goal.pk).update(status_changed_on=dt.date(2024, 1, 1))
        goal.refresh_from_db()
        do_update_goal(
            actor=self.caseworker,
            goal=goal,
            expected_version=2,
            text="Jeg vil have to venner",
            formulated_by=goal.formulated_by,
            formulated_by_name=goal.formulated_by_name,
            target_date=goal.target_date,
            status=goal.status,
            citizen=self.alma,
        )
        goal.refresh_from_db()
        self.assertEqual(goal.status_changed_on, dt.date(2024, 1, 1))

    def test_a_goal_for_someone_outside_the_plan_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.goal(citizen=self.bror)
        self.assertEqual(codes(caught.exception), {"citizen": ["not_member"]})


class EffortTests(PlanTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.plan = make_plan(self.alma, coordinator=self.caseworker)

    def effort(self, **changes: Any) -> Effort:
        arguments: dict[str, Any] = {
            "actor": self.caseworker,
            "plan": self.plan,
            "expected_version": self.plan.version,
            "title": "Støtte i klassen",
            "responsible_unit": self.school,
            "legal_basis": "folkeskoleloven",
            "starts_on": today(),
            "monthly_cost": Decimal("4500"),
        }
        arguments.update(changes)
        return do_add_effort(**arguments)

    def test_the_sector_defaults_to_the_responsible_units(self) -> None:
        effort = self.effort()
        self.assertEqual(effort.sector.code, "school")
        self.assertEqual(effort.yearly_cost, Decimal("54000"))
        self.assertEqual(self.plan.versions.get(number=2).summary, "Effort added: Støtte i klassen")

    def test_a_chosen_sector_wins(self) -> None:
        effort = self.effort(sector=Sector.objects.get(code="ppr"))
        self.assertEqual(effort.sector.code, "ppr")

    def test_a_unit_of_another_municipality_is_refused(self) -> None:
        hvidovre = make_unit("Skole i Hvidovre", municipality_code=167, sector="school")
        with self.assertRaises(ValidationError) as caught:
            self.effort(responsible_unit=hvidovre)
        self.assertEqual(codes(caught.exception), {"responsible_unit": ["other_municipality"]})
        self.assertFalse(Effort.objects.exists())

    def test_a_unit_without_sector_needs_one_chosen(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.effort(responsible_unit=self.children_admin)
        self.assertEqual(codes(caught.exception), {"sector": ["no_sector"]})

    def test_an_end_before_the_start_and_a_negative_cost_are_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.effort(ends_on=today() - dt.timedelta(days=1))
        self.assertEqual(codes(caught.exception), {"ends_on": ["period_order"]})
        with self.assertRaises(ValidationError) as caught:
            self.effort(monthly_cost=Decimal("-1"))
        self.assertEqual(codes(caught.exception), {"monthly_cost": ["negative_cost"]})
        self.plan.refresh_from_db()
        self.assertEqual(self.plan.version, 1)
        self.assertFalse(Effort.objects.exists())

    def test_changing_and_ending_an_effort(self) -> None:
        effort = self.effort(starts_on=today() - dt.timedelta(days=30))
        goal = do_add_goal(
            actor=self.caseworker,
            plan=self.plan,
            expected_version=2,
            text="Gå i skole hver dag",
            formulated_by=Goal.FormulatedBy.CHILD,
            formulated_by_name="Alma",
            target_date=today() + dt.timedelta(days=30),
        )
        do_update_effort(
            actor=self.caseworker,
            effort=effort,
            expected_version=3,
            title="Støtte i klassen, 10 timer",
            responsible_unit=self.school,
            legal_basis="folkeskoleloven",
            starts_on=effort.starts_on,
            monthly_cost=Decimal("6000"),
            goals=[goal],
        )
        do_end_effort(actor=self.caseworker, effort=effort, expected_version=4)
        effort.refresh_from_db()
        self.assertEqual(effort.ends_on, today())
        self.assertEqual(list(effort.goals.all()), [goal])
        self.assertEqual(effort.monthly_cost, Decimal("6000"))
        summaries = list(self.plan.versions.order_by("number").values_list("summary", flat=True))
        self.assertEqual(summaries[3], "Effort changed: Støtte i klassen, 10 timer")
        self.assertEqual(summaries[4], "Effort ended: Støtte i klassen, 10 timer")

    def test_an_effort_cannot_end_before_it_starts(self) -> None:
        effort = self.effort(starts_on=today() + dt.timedelta(days=10))
        with self.assertRaises(ValidationError) as caught:
            do_end_effort(actor=self.caseworker, effort=effort, expected_version=2)
        self.assertEqual(codes(caught.exception), {"ends_on": ["period_order"]})


class ParticipantAndMemberTests(PlanTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.plan = make_plan(self.alma, coordinator=self.caseworker)

    def test_adding_and_removing_a_participant(self) -> None:
        participant = do_add_participant(
            actor=self.caseworker,
            plan=self.plan,
            expected_version=1,
            staff=self.teacher,
            unit=self.school,
            role="Klasselærer",
        )
        do_remove_participant(actor=self.caseworker, participant=participant, expected_version=2)
        self.assertFalse(Participant.objects.exists())
        summaries = list(self.plan.versions.order_by("number").values_list("summary", flat=True))
        self.assertEqual(
            summaries[1:], ["Participant added: Tom Thy", "Participant removed: Tom Thy"]
        )

    def test_a_participant_from_another_municipality_or_unit_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            do_add_participant(
                actor=self.caseworker,
                plan=self.plan,
                expected_version=1,
                staff=self.outsider,
                unit=self.family_dept,
            )
        self.assertEqual(codes(caught.exception), {"staff": ["other_municipality"]})
        with self.assertRaises(ValidationError) as caught:
            do_add_participant(
                actor=self.caseworker,
                plan=self.plan,
                expected_version=1,
                staff=self.teacher,
                unit=self.family_dept,
            )
        self.assertEqual(codes(caught.exception), {"unit": ["no_role"]})

    def test_the_coordinator_is_neither_added_nor_removed(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            do_add_participant(
                actor=self.caseworker,
                plan=self.plan,
                expected_version=1,
                staff=self.caseworker,
                unit=self.family_dept,
            )
        self.assertEqual(codes(caught.exception), {"staff": ["coordinator"]})
        participant = Participant.objects.create(
            plan=self.plan, staff=self.caseworker, unit=self.family_dept
        )
        with self.assertRaises(ValidationError) as caught:
            do_remove_participant(
                actor=self.caseworker, participant=participant, expected_version=1
            )
        self.assertEqual(codes(caught.exception), {"__all__": ["coordinator"]})
        self.assertTrue(Participant.objects.filter(pk=participant.pk).exists())

    def test_a_member_joins_only_a_family_plan(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            do_add_member(
                actor=self.caseworker,
                plan=self.plan,
                expected_version=1,
                citizen=self.mother,
                role=PlanMember.Role.ADULT,
            )
        self.assertEqual(codes(caught.exception), {"citizen": ["kind"]})

    def test_a_family_member_with_an_occupation(self) -> None:
        do_close_plan(actor=self.caseworker, plan=self.plan, expected_version=1, reason="New")
        family = make_plan(self.alma, coordinator=self.caseworker, adults=[self.mother])
        member = do_add_member(
            actor=self.caseworker,
            plan=family,
            expected_version=1,
            citizen=self.bror,
            role=PlanMember.Role.CHILD,
            occupation=PlanMember.Occupation.SCHOOL,
        )
        mother = family.members.get(citizen=self.mother)
        do_set_occupation(
            actor=self.caseworker,
            member=mother,
            expected_version=2,
            occupation=PlanMember.Occupation.JOB_SEEKING,
        )
        mother.refresh_from_db()
        self.assertEqual(mother.occupation, "job_seeking")
        self.assertTrue(member.is_active)
        self.assertEqual(
            family.versions.get(number=3).summary,
            "Job or education status of Mette Jensen: Seeking work",
        )
        stranger = make_citizen(
            "Sofie", "Holm", birth_date=dt.date(2013, 2, 3), municipality_code=167
        )
        with self.assertRaises(ValidationError) as caught:
            do_add_member(
                actor=self.caseworker,
                plan=family,
                expected_version=3,
                citizen=stranger,
                role=PlanMember.Role.CHILD,
            )
        self.assertEqual(codes(caught.exception), {"citizen": ["other_municipality"]})


class OptimisticLockTests(PlanTestCase):
    def test_two_edits_of_the_same_version_the_second_is_refused_and_saves_nothing(self) -> None:
        plan = make_plan(self.alma, coordinator=self.caseworker)
        other = make_staff("Pia", "Ppr", unit=self.family_dept, role="psychologist")
        Participant.objects.create(plan=plan, staff=other, unit=self.family_dept)
        first = Plan.objects.get(pk=plan.pk)
        second = Plan.objects.get(pk=plan.pk)
        do_add_goal(
            actor=self.caseworker,
            plan=first,
            expected_version=1,
            text="First",
            formulated_by=Goal.FormulatedBy.CHILD,
            formulated_by_name="Alma",
            target_date=today(),
        )
        with self.assertRaises(StalePlanError) as caught:
            do_add_effort(
                actor=other,
                plan=second,
                expected_version=1,
                title="Second",
                responsible_unit=self.school,
                legal_basis="folkeskoleloven",
                starts_on=today(),
            )
        self.assertEqual(caught.exception.code, "stale")
        self.assertIn("version 1, it is now version 2", caught.exception.messages[0])
        self.assertFalse(Effort.objects.exists())
        self.assertEqual(PlanVersion.objects.filter(plan=plan).count(), 2)
        plan.refresh_from_db()
        self.assertEqual(plan.version, 2)

    def test_a_closed_plan_cannot_be_changed(self) -> None:
        plan = make_plan(self.alma, coordinator=self.caseworker)
        do_close_plan(actor=self.caseworker, plan=plan, expected_version=1, reason="Done")
        with self.assertRaises(ValidationError) as caught:
            do_add_goal(
                actor=self.caseworker,
                plan=plan,
                expected_version=2,
                text="Late",
                formulated_by=Goal.FormulatedBy.CHILD,
                formulated_by_name="Alma",
                target_date=today(),
            )
        self.assertEqual(codes(caught.exception), {"__all__": ["closed"]})


class RaceTests(PlanTestCase):
    def test_the_database_index_refuses_a_member_who_got_a_plan_a_moment_ago(self) -> None:
        """The check before saving can lose a race; the partial unique index cannot."""
        make_plan(self.alma, coordinator=self.caseworker)
        family = do_create_plan(
            actor=self.caseworker,
            citizens=[self.bror],
            adults=[self.mother],
            kind=Plan.Kind.FAMILY,
            title="Family",
            coordinator=self.caseworker,
        )
        # As if Alma's plan was made between the check and the insert.
        with (
            mock.patch.object(QuerySet, "exists", return_value=False),
            self.assertRaises(ValidationError) as caught,
        ):
            do_add_member(
                actor=self.caseworker,
                plan=family,
                expected_version=1,
                citizen=self.alma,
                role=PlanMember.Role.CHILD,
            )
        self.assertEqual(codes(caught.exception), {"citizen": ["has_plan"]})
        family.refresh_from_db()
        self.assertEqual(family.version, 1)
        self.assertEqual(family.versions.count(), 1)
        self.assertFalse(family.members.filter(citizen=self.alma).exists())
