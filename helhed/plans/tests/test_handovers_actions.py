"""Handover rules: responsibility moves only on acceptance, overdue lists, who may act."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from helhed import policy
from helhed.citizens.models import Engagement
from helhed.lib.validity import today
from helhed.organisation.models import Staff, Unit
from helhed.plans.actions import handovers as actions
from helhed.plans.models import Handover
from helhed.test import BaseTestCase, make_staff, make_unit


class HandoverTestCase(BaseTestCase):
    """The cast plus youth guidance (UU), a guide and its leader.

    The teacher hands Alma over from Bakkeskolen to UU: the school's leader is
    the responsible leader until UU accepts; UU's leader is the receiving one.
    """

    youth: Unit
    guide: Staff
    youth_leader: Staff

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.youth = make_unit(
            "Ungdommens Uddannelsesvejledning", parent=cls.children_admin, sector="employment"
        )
        cls.guide = make_staff("Ulla", "Uhd", unit=cls.youth, role="caseworker", username="guide")
        cls.youth_leader = make_staff(
            "Yrsa", "Yde", unit=cls.youth, role="leader", username="youthleader"
        )

    def setUp(self) -> None:
        super().setUp()
        # The messages are checked in English, also once the Danish translation exists.
        self.enterContext(translation.override("en"))
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def start(self, **overrides: Any) -> Handover:
        fields: dict[str, Any] = {
            "actor": self.teacher,
            "citizen": self.alma,
            "kind": Handover.Kind.SCHOOL_TO_YOUTH,
            "from_unit": self.school,
            "to_unit": self.youth,
            "deadline": today() + dt.timedelta(days=14),
        }
        fields.update(overrides)
        return actions.do_start_handover(**fields)

    def make_overdue(self, handover: Handover, days: int = 3) -> Handover:
        Handover.objects.filter(pk=handover.pk).update(deadline=today() - dt.timedelta(days=days))
        handover.refresh_from_db()
        return handover

    def fields_of(self, error: ValidationError) -> set[str]:
        return set(error.error_dict)


class StartTests(HandoverTestCase):
    def test_it_uses_the_kinds_standard_checklist_when_none_is_given(self) -> None:
        handover = self.start(kind=Handover.Kind.YOUTH_TO_ADULT)
        points = list(handover.items.values_list("text", flat=True))
        self.assertEqual(points, actions.default_checklist(Handover.Kind.YOUTH_TO_ADULT))
        self.assertEqual(len(points), 5)
        self.assertEqual(handover.responsible_unit, self.school)
        self.assertEqual(handover.status, Handover.Status.PENDING)

    def test_it_keeps_the_senders_own_points(self) -> None:
        handover = self.start(items=["  Møde med Alma og mor ", "", "Skolens vurdering sendt"])
        self.assertEqual(
            list(handover.items.values_list("text", flat=True)),
            ["Møde med Alma og mor", "Skolens vurdering sendt"],
        )

    def test_it_refuses_the_same_unit_another_municipality_and_a_past_deadline(self) -> None:
        with self.assertRaises(ValidationError) as same:
            self.start(to_unit=self.school, deadline=today() - dt.timedelta(days=1))
        self.assertEqual(self.fields_of(same.exception), {"to_unit", "deadline"})
        other = Unit.objects.get(name="Familie")
        with self.assertRaises(ValidationError) as foreign:
            self.start(to_unit=other)
        self.assertEqual(self.fields_of(foreign.exception), {"to_unit"})
        self.assertFalse(Handover.objects.exists())

    def test_it_hands_over_only_from_a_unit_where_the_sender_works(self) -> None:
        with self.assertRaises(ValidationError) as error:
            self.start(from_unit=self.family_dept, to_unit=self.youth)
        self.assertEqual(self.fields_of(error.exception), {"from_unit"})

    def test_it_refuses_a_citizen_the_sender_does_not_see(self) -> None:
        with self.assertRaises(PermissionDenied):
            self.start(actor=self.colleague, from_unit=self.family_dept)

    def test_it_refuses_a_second_pending_handover_to_the_same_unit(self) -> None:
        self.start()
        with self.assertRaises(ValidationError) as error:
            self.start()
        self.assertEqual(self.fields_of(error.exception), {"to_unit"})

    def test_it_refuses_too_many_or_too_long_points(self) -> None:
        with self.assertRaises(ValidationError) as error:
            self.start(items=["x" * 201])
        self.assertEqual(self.fields_of(error.exception), {"items"})
        with self.assertRaises(ValidationError):
            self.start(items=[f"Punkt {n}" for n in range(actions.MAX_ITEMS + 1)])


class ResponsibilityTests(HandoverTestCase):
    def test_accepting_moves_the_responsibility_and_opens_the_citizen(self) -> None:
        handover = self.start()
        self.assertFalse(policy.can_view_citizen(self.guide.user, self.alma))
        actions.do_accept_handover(actor=self.guide, handover=handover)
        handover.refresh_from_db()
        self.assertEqual(handover.status, Handover.Status.ACCEPTED)
        self.assertEqual(handover.responsible_unit, self.youth)
        self.assertEqual(handover.decided_by, self.guide)
        engagement = Engagement.objects.get(unit=self.youth, citizen=self.alma)
        self.assertEqual(engagement.kind, Engagement.Kind.EMPLOYMENT)
        self.assertIsNone(engagement.valid_to)
        self.assertTrue(policy.can_view_citizen(self.guide.user, self.alma))

    def test_the_sending_units_staff_cannot_accept(self) -> None:
        handover = self.start()
        for staff in (self.teacher, self.leader, self.caseworker):
            with self.subTest(staff=staff.full_name), self.assertRaises(PermissionDenied):
                actions.do_accept_handover(actor=staff, handover=handover)
        handover.refresh_from_db()
        self.assertEqual(handover.status, Handover.Status.PENDING)
        self.assertEqual(handover.responsible_unit, self.school)

    def test_the_receiving_units_leader_may_accept(self) -> None:
        handover = actions.do_accept_handover(actor=self.youth_leader, handover=self.start())
        self.assertEqual(handover.responsible_unit, self.youth)

    def test_returning_keeps_the_responsibility_with_the_sender(self) -> None:
        handover = self.start()
        with self.assertRaises(ValidationError) as error:
            actions.do_return_handover(actor=self.guide, handover=handover, reason="  ")
        self.assertEqual(self.fields_of(error.exception), {"reason"})
        actions.do_return_handover(actor=self.guide, handover=handover, reason="Alma er 13 år.")
        handover.refresh_from_db()
        self.assertEqual(handover.status, Handover.Status.RETURNED)
        self.assertEqual(handover.return_reason, "Alma er 13 år.")
        self.assertEqual(handover.responsible_unit, self.school)
        self.assertFalse(Engagement.objects.filter(unit=self.youth).exists())
        self.assertFalse(policy.can_view_citizen(self.guide.user, self.alma))

    def test_a_decided_handover_cannot_be_answered_again(self) -> None:
        handover = actions.do_accept_handover(actor=self.guide, handover=self.start())
        with self.assertRaises(ValidationError):
            actions.do_return_handover(actor=self.guide, handover=handover, reason="Fejl")
        with self.assertRaises(ValidationError):
            actions.do_accept_handover(actor=self.guide, handover=handover)
        self.assertEqual(Engagement.objects.filter(unit=self.youth).count(), 1)


class ChecklistTests(HandoverTestCase):
    def test_staff_of_either_unit_tick_while_pending(self) -> None:
        handover = self.start(items=["Møde", "Vurdering"])
        first, second = handover.items.all()
        actions.do_tick_handover_item(actor=self.teacher, item=first)
        actions.do_tick_handover_item(actor=self.guide, item=second)
        self.assertEqual(handover.items.filter(done_on=today()).count(), 2)
        actions.do_tick_handover_item(actor=self.guide, item=second, done=False)
        second.refresh_from_db()
        self.assertIsNone(second.done_on)
        self.assertIsNone(second.done_by)

    def test_others_who_see_the_citizen_do_not_tick(self) -> None:
        handover = self.start()
        with self.assertRaises(PermissionDenied):
            actions.do_tick_handover_item(actor=self.caseworker, item=handover.items.all()[0])

    def test_a_decided_handovers_checklist_is_closed(self) -> None:
        handover = actions.do_accept_handover(actor=self.guide, handover=self.start())
        with self.assertRaises(ValidationError):
            actions.do_tick_handover_item(actor=self.guide, item=handover.items.all()[0])
        with self.assertRaises(ValidationError):
            actions.do_add_handover_item(actor=self.guide, handover=handover, text="Mere")

    def test_a_point_can_be_added_while_pending(self) -> None:
        handover = self.start(items=["Møde"])
        actions.do_add_handover_item(actor=self.guide, handover=handover, text=" Besøg i UU ")
        self.assertEqual(handover.items.last().text, "Besøg i UU")  # type: ignore[union-attr]
        with self.assertRaises(ValidationError):
            actions.do_add_handover_item(actor=self.guide, handover=handover, text=" ")


class OverdueTests(HandoverTestCase):
    def test_an_overdue_handover_is_on_the_responsible_leaders_list_only(self) -> None:
        handover = self.make_overdue(self.start(), days=3)
        self.assertTrue(handover.is_overdue())
        self.assertEqual(actions.days_overdue(handover), 3)
        self.assertIn(handover, policy.led_overdue_handovers(self.leader.user))
        self.assertIn(handover, policy.led_overdue_handovers(self.chief.user))
        self.assertNotIn(handover, policy.led_overdue_handovers(self.youth_leader.user))
        self.assertNotIn(handover, policy.led_overdue_handovers(self.teacher.user))

    def test_a_handover_within_its_deadline_is_not_overdue(self) -> None:
        handover = self.start()
        self.assertFalse(handover.is_overdue())
        self.assertEqual(actions.days_overdue(handover), 0)
        self.assertFalse(policy.led_overdue_handovers(self.leader.user).exists())

    def test_acceptance_takes_it_off_the_list(self) -> None:
        handover = self.make_overdue(self.start())
        actions.do_accept_handover(actor=self.guide, handover=handover)
        handover.refresh_from_db()
        self.assertFalse(handover.is_overdue())
        self.assertFalse(policy.led_overdue_handovers(self.leader.user).exists())
        self.assertFalse(policy.led_overdue_handovers(self.youth_leader.user).exists())


class VisibilityTests(HandoverTestCase):
    def test_who_sees_a_handover(self) -> None:
        handover = self.start()
        for staff in (self.teacher, self.leader, self.guide, self.youth_leader, self.caseworker):
            with self.subTest(staff=staff.full_name):
                self.assertIn(handover, policy.visible_handovers(staff.user))
        for staff in (self.colleague, self.outsider, self.analyst, self.chief):
            with self.subTest(staff=staff.full_name):
                self.assertNotIn(handover, policy.visible_handovers(staff.user))
