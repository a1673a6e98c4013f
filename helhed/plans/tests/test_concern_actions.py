"""The rules of concerns: logging, following up, closing and escalating keep the history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from helhed import policy
from helhed.lib.validity import today
from helhed.organisation.models import Staff
from helhed.plans.actions.concerns import (
    do_add_concern_note,
    do_close_concern,
    do_escalate_concern_to_notification,
    do_escalate_concern_to_plan,
    do_log_concern,
)
from helhed.plans.models import Concern, ConcernEvent, Notification, Plan
from helhed.test import BaseTestCase, assign, make_citizen, make_plan, make_staff, make_unit

Kind = ConcernEvent.Kind


class ConcernTestCase(BaseTestCase):
    """Concerns logged by the teacher at Bakkeskolen, in English messages."""

    def setUp(self) -> None:
        translation.activate("en")
        self.addCleanup(translation.deactivate)

    def log(self, actor: Staff | None = None, **changes: Any) -> Concern:
        actor = actor or self.teacher
        data: dict[str, Any] = {
            "actor": actor,
            "citizen": self.alma,
            "unit": self.school if actor == self.teacher else self.family_dept,
            "observation": "Alma kom uden madpakke tre dage i træk og faldt i søvn i timen.",
            "category": Concern.Category.WELLBEING,
            "severity": Concern.Severity.MEDIUM,
            "parents_informed": True,
            "parents_not_informed_reason": "",
            "follow_up_owner": actor,
            "follow_up_on": today() + dt.timedelta(days=14),
            "observed_on": today(),
        }
        data.update(changes)
        return do_log_concern(**data)

    def make_overdue(self, concern: Concern, days: int = 3) -> None:
        Concern.objects.filter(pk=concern.pk).update(follow_up_on=today() - dt.timedelta(days=days))
        concern.refresh_from_db()

    def assert_refused(self, field: str, **changes: Any) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.log(**changes)
        self.assertIn(field, caught.exception.message_dict)
        self.assertFalse(Concern.objects.exists())
        self.assertFalse(ConcernEvent.objects.exists())


class LogConcernTests(ConcernTestCase):
    def test_it_logs_the_concern_and_its_first_history_entry(self) -> None:
        concern = self.log(follow_up_owner=self.leader)
        self.assertEqual(concern.status, Concern.Status.OPEN)
        self.assertEqual(concern.raised_by, self.teacher)
        self.assertEqual(concern.follow_up_owner, self.leader)
        [event] = concern.events.all()
        self.assertEqual(event.kind, Kind.LOGGED)
        self.assertEqual(event.actor, self.teacher)
        self.assertIn("Lise Lund", event.note)

    def test_parents_not_told_needs_a_reason(self) -> None:
        self.assert_refused("parents_not_informed_reason", parents_informed=False)

    def test_parents_not_told_with_a_reason_is_recorded(self) -> None:
        concern = self.log(
            parents_informed=False, parents_not_informed_reason="Mistanke om vold i hjemmet"
        )
        self.assertEqual(concern.parents_not_informed_reason, "Mistanke om vold i hjemmet")

    def test_a_reason_is_dropped_when_the_parents_were_told(self) -> None:
        concern = self.log(parents_informed=True, parents_not_informed_reason="glemt")
        self.assertEqual(concern.parents_not_informed_reason, "")

    def test_the_follow_up_date_cannot_be_in_the_past(self) -> None:
        self.assert_refused("follow_up_on", follow_up_on=today() - dt.timedelta(days=1))

    def test_the_follow_up_date_may_be_today(self) -> None:
        self.assertEqual(self.log(follow_up_on=today()).follow_up_on, today())

    def test_the_observation_cannot_be_in_the_future(self) -> None:
        self.assert_refused("observed_on", observed_on=today() + dt.timedelta(days=1))

    def test_the_owner_must_work_in_the_childs_municipality(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.log(follow_up_owner=self.outsider)
        self.assertIn("another municipality", caught.exception.message_dict["follow_up_owner"][0])
        self.assertFalse(Concern.objects.exists())

    def test_the_unit_must_be_one_where_the_actor_works_today(self) -> None:
        self.assert_refused("unit", unit=self.family_dept)

    def test_a_unit_where_the_role_has_ended_is_refused(self) -> None:
        old_school = make_unit(
            "Gammel Skole", parent=self.children_admin, valid_to=today() - dt.timedelta(days=1)
        )
        assign(self.teacher, old_school, "teacher", valid_to=today() - dt.timedelta(days=1))
        self.assert_refused("unit", unit=old_school)

    def test_the_observation_must_be_described(self) -> None:
        self.assert_refused("observation", observation="   ")

    def test_an_unknown_category_is_refused(self) -> None:
        self.assert_refused("category", category="gossip")

    def test_a_child_the_actor_cannot_see_is_refused(self) -> None:
        stranger = make_citizen("Ukendt", birth_date=dt.date(2013, 1, 1))
        with self.assertRaises(PermissionDenied):
            self.log(citizen=stranger)
        self.assertFalse(Concern.objects.exists())


class FollowUpTests(ConcernTestCase):
    def test_a_note_is_added_to_the_history(self) -> None:
        concern = self.log()
        do_add_concern_note(actor=self.teacher, concern=concern, note="Talt med mor.")
        kinds = list(concern.events.values_list("kind", "note"))
        self.assertEqual(kinds, [(Kind.LOGGED, kinds[0][1]), (Kind.NOTE, "Talt med mor.")])

    def test_an_empty_note_without_changes_is_refused(self) -> None:
        concern = self.log()
        with self.assertRaises(ValidationError) as caught:
            do_add_concern_note(actor=self.teacher, concern=concern, note=" ")
        self.assertIn("note", caught.exception.message_dict)
        self.assertEqual(concern.events.count(), 1)

    def test_reassigning_keeps_the_old_owner_and_date_in_the_history(self) -> None:
        concern = self.log()
        old_date = concern.follow_up_on
        new_date = today() + dt.timedelta(days=30)
        do_add_concern_note(
            actor=self.teacher,
            concern=concern,
            note="Lederen tager over.",
            follow_up_owner=self.leader,
            follow_up_on=new_date,
        )
        concern.refresh_from_db()
        self.assertEqual(concern.follow_up_owner, self.leader)
        self.assertEqual(concern.follow_up_on, new_date)
        event = concern.events.last()
        assert event is not None
        self.assertEqual(event.kind, Kind.REASSIGNED)
        self.assertIn("Tom Thy → Lise Lund", event.note)
        self.assertIn(f"{old_date:%d.%m.%Y} → {new_date:%d.%m.%Y}", event.note)
        self.assertIn("Lederen tager over.", event.note)

    def test_a_new_date_in_the_past_is_refused_and_nothing_changes(self) -> None:
        concern = self.log()
        with self.assertRaises(ValidationError) as caught:
            do_add_concern_note(
                actor=self.teacher,
                concern=concern,
                note="x",
                follow_up_owner=self.leader,
                follow_up_on=today() - dt.timedelta(days=1),
            )
        self.assertIn("follow_up_on", caught.exception.message_dict)
        concern.refresh_from_db()
        self.assertEqual(concern.follow_up_owner, self.teacher)
        self.assertEqual(concern.events.count(), 1)

    def test_a_new_owner_from_another_municipality_is_refused(self) -> None:
        concern = self.log()
        with self.assertRaises(ValidationError) as caught:
            do_add_concern_note(
                actor=self.teacher, concern=concern, note="", follow_up_owner=self.outsider
            )
        self.assertIn("follow_up_owner", caught.exception.message_dict)
        concern.refresh_from_db()
        self.assertEqual(concern.follow_up_owner, self.teacher)

    def test_someone_who_neither_raised_nor_owns_it_cannot_follow_up(self) -> None:
        concern = self.log()
        with self.assertRaises(PermissionDenied):
            do_add_concern_note(actor=self.caseworker, concern=concern, note="Hej")

    def test_closing_needs_an_outcome(self) -> None:
        concern = self.log()
        with self.assertRaises(ValidationError) as caught:
            do_close_concern(actor=self.teacher, concern=concern, outcome="  ")
        self.assertIn("outcome", caught.exception.message_dict)
        concern.refresh_from_db()
        self.assertTrue(concern.is_open)

    def test_closing_records_the_outcome_and_ends_follow_up(self) -> None:
        concern = self.log()
        do_close_concern(actor=self.teacher, concern=concern, outcome="Familien fik hjælp.")
        concern.refresh_from_db()
        self.assertEqual(concern.status, Concern.Status.CLOSED)
        self.assertEqual(concern.outcome, "Familien fik hjælp.")
        self.assertEqual(
            list(concern.events.values_list("kind", flat=True)), [Kind.LOGGED, Kind.CLOSED]
        )
        with self.assertRaises(ValidationError):
            do_add_concern_note(actor=self.teacher, concern=concern, note="Efter lukning")


class OverdueTests(ConcernTestCase):
    def test_a_concern_past_its_date_is_overdue_on_the_leaders_list(self) -> None:
        concern = self.log()
        self.assertFalse(concern.is_overdue())
        self.assertFalse(policy.led_overdue_concerns(self.leader.user).exists())
        self.make_overdue(concern)
        self.assertTrue(concern.is_overdue())
        self.assertEqual(list(policy.led_overdue_concerns(self.leader.user)), [concern])
        # The chief leads the administration above the school, so sees it too.
        self.assertEqual(list(policy.led_overdue_concerns(self.chief.user)), [concern])

    def test_a_closed_concern_is_never_overdue(self) -> None:
        concern = self.log()
        do_close_concern(actor=self.teacher, concern=concern, outcome="Afklaret")
        self.make_overdue(concern)
        self.assertFalse(concern.is_overdue())
        self.assertFalse(policy.led_overdue_concerns(self.leader.user).exists())


class EscalationTests(ConcernTestCase):
    def test_escalating_into_a_plan_starts_the_plan_and_keeps_the_history(self) -> None:
        concern = self.log(actor=self.caseworker)
        do_add_concern_note(actor=self.caseworker, concern=concern, note="Møde med skolen.")
        plan = do_escalate_concern_to_plan(
            actor=self.caseworker, concern=concern, title="Alma trives"
        )
        concern.refresh_from_db()
        self.assertEqual(concern.status, Concern.Status.PLAN)
        self.assertEqual(concern.plan, plan)
        self.assertEqual(plan.title, "Alma trives")
        self.assertEqual(plan.coordinator, self.caseworker)
        self.assertEqual(list(plan.citizens()), [self.alma])
        self.assertEqual(
            list(concern.events.values_list("kind", flat=True)),
            [Kind.LOGGED, Kind.NOTE, Kind.PLAN],
        )
        self.assertEqual(concern.observation[:4], "Alma")

    def test_escalating_into_a_plan_joins_the_childs_active_plan(self) -> None:
        existing = make_plan(self.alma, coordinator=self.caseworker)
        concern = self.log()
        plan = do_escalate_concern_to_plan(actor=self.teacher, concern=concern)
        self.assertEqual(plan, existing)
        self.assertEqual(Plan.objects.count(), 1)
        concern.refresh_from_db()
        self.assertEqual(concern.plan, existing)
        event = concern.events.last()
        assert event is not None
        self.assertIn("existing plan", event.note)

    def test_a_new_plan_gets_a_default_title(self) -> None:
        concern = self.log()
        plan = do_escalate_concern_to_plan(actor=self.teacher, concern=concern)
        self.assertEqual(plan.title, "Plan for Alma")

    def test_a_coordinator_from_another_municipality_is_refused(self) -> None:
        concern = self.log()
        with self.assertRaises(ValidationError):
            do_escalate_concern_to_plan(
                actor=self.teacher, concern=concern, coordinator=self.outsider
            )
        concern.refresh_from_db()
        self.assertTrue(concern.is_open)
        self.assertFalse(Plan.objects.exists())
        self.assertEqual(concern.events.count(), 1)

    def test_escalating_into_a_notification_goes_to_the_social_services(self) -> None:
        concern = self.log()
        notification = do_escalate_concern_to_notification(
            actor=self.teacher, concern=concern, to_unit=self.family_dept, reason="Omsorgssvigt"
        )
        concern.refresh_from_db()
        self.assertEqual(concern.status, Concern.Status.NOTIFIED)
        self.assertEqual(notification.concern, concern)
        self.assertEqual(notification.citizen, self.alma)
        self.assertEqual(notification.from_unit, self.school)
        self.assertEqual(notification.reported_by, self.teacher)
        self.assertEqual(
            list(concern.events.values_list("kind", flat=True)), [Kind.LOGGED, Kind.NOTIFIED]
        )
        self.assertFalse(policy.can_follow_up_concern(self.teacher.user, concern))

    def test_a_notification_to_a_unit_outside_the_social_services_is_refused(self) -> None:
        concern = self.log()
        other_root = make_unit("Hvidovre 2", unit_type="municipality", municipality_code=167)
        hvidovre_social = make_unit("Socialt", parent=other_root, sector="social")
        for unit in (self.school, hvidovre_social):
            with self.subTest(unit=unit), self.assertRaises(ValidationError) as caught:
                do_escalate_concern_to_notification(
                    actor=self.teacher, concern=concern, to_unit=unit, reason="x"
                )
            self.assertIn("to_unit", caught.exception.message_dict)
        self.assertFalse(Notification.objects.exists())
        concern.refresh_from_db()
        self.assertTrue(concern.is_open)

    def test_a_notification_needs_a_reason(self) -> None:
        concern = self.log()
        with self.assertRaises(ValidationError) as caught:
            do_escalate_concern_to_notification(
                actor=self.teacher, concern=concern, to_unit=self.family_dept, reason=" "
            )
        self.assertIn("reason", caught.exception.message_dict)
        self.assertFalse(Notification.objects.exists())

    def test_a_staff_member_without_login_can_be_the_owner(self) -> None:
        nurse = make_staff("Nina", "Nord", unit=self.school, role="teacher")
        concern = self.log(follow_up_owner=nurse)
        self.assertEqual(concern.follow_up_owner, nurse)
