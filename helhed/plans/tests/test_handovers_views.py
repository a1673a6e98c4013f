"""Handover pages: lists, starting one, the checklist, accepting, returning, the leaders' list."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from helhed.audit import codes
from helhed.audit.models import AuditEntry
from helhed.lib.validity import today
from helhed.plans.actions import handovers as actions
from helhed.plans.models import Handover
from helhed.plans.tests.test_handovers_actions import HandoverTestCase
from helhed.test import make_plan


class ListTests(HandoverTestCase):
    def test_the_sender_and_the_receiver_see_it_in_their_boxes(self) -> None:
        handover = self.start()
        self.login(self.teacher)
        response = self.client.get(reverse("plans:handovers") + "?box=sent")
        self.assertContains(response, "Alma Jensen")
        self.assertContains(response, reverse("plans:handover_detail", args=[handover.pk]))
        response = self.client.get(reverse("plans:handovers") + "?box=incoming")
        self.assertNotContains(response, "Alma Jensen")
        self.login(self.guide)
        response = self.client.get(reverse("plans:handovers") + "?box=incoming")
        self.assertContains(response, "Alma Jensen")
        self.assertTrue(
            AuditEntry.objects.filter(
                actor_id=self.guide.user_id, action=codes.LIST, citizen_id=self.alma.pk
            ).exists()
        )

    def test_it_searches_and_filters(self) -> None:
        self.start()
        self.login(self.teacher)
        url = reverse("plans:handovers")
        self.assertContains(self.client.get(url, {"q": "alma"}), "Alma Jensen")
        self.assertNotContains(self.client.get(url, {"q": "Bo"}), "Alma Jensen")
        self.assertContains(self.client.get(url, {"q": "Vejledning"}), "Alma Jensen")
        self.assertNotContains(self.client.get(url, {"kind": "discharge"}), "Alma Jensen")
        self.assertContains(self.client.get(url, {"status": "pending"}), "Alma Jensen")
        self.assertNotContains(self.client.get(url, {"status": "accepted"}), "Alma Jensen")
        # Bad filter values are ignored, not a server error.
        response = self.client.get(url, {"kind": "nonsense", "page": "x", "box": "<b>"})
        self.assertEqual(response.status_code, 200)

    def test_the_overdue_box_flags_late_handovers(self) -> None:
        self.make_overdue(self.start(), days=2)
        self.login(self.teacher)
        response = self.client.get(reverse("plans:handovers") + "?box=overdue")
        self.assertContains(response, "Alma Jensen")
        self.assertContains(response, "2 days overdue")

    def test_an_outsider_sees_no_handovers(self) -> None:
        self.start()
        self.login(self.outsider)
        response = self.client.get(reverse("plans:handovers"))
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "Alma Jensen")

    def test_wrong_method(self) -> None:
        self.login(self.teacher)
        self.assertEqual(self.client.post(reverse("plans:handovers")).status_code, 405)


class CreateTests(HandoverTestCase):
    def url(self) -> str:
        return reverse("plans:handover_create") + f"?citizen={self.alma.pk}"

    def data(self, **overrides: str) -> dict[str, str]:
        data = {
            "citizen": str(self.alma.pk),
            "kind": Handover.Kind.SCHOOL_TO_YOUTH.value,
            "from_unit": str(self.school.pk),
            "to_unit": str(self.youth.pk),
            "deadline": (today() + dt.timedelta(days=10)).isoformat(),
            "note": "Alma ønsker at blive tømrer.",
            "items": "",
        }
        data.update(overrides)
        return data

    def test_the_citizen_page_links_to_it(self) -> None:
        self.login(self.teacher)
        response = self.client.get(reverse("citizens:detail", args=[self.alma.pk]))
        self.assertContains(response, self.url())

    def test_the_plan_page_links_to_it(self) -> None:
        plan = make_plan(self.alma, coordinator=self.caseworker)
        self.login(self.caseworker)
        response = self.client.get(reverse("plans:detail", args=[plan.pk]))
        link = reverse("plans:handover_create") + f"?plan={plan.pk}"
        self.assertContains(response, link)
        self.assertEqual(self.client.get(link).status_code, 200)

    def test_it_starts_a_handover_with_the_standard_checklist(self) -> None:
        self.login(self.teacher)
        self.assertEqual(self.client.get(self.url()).status_code, 200)
        response = self.client.post(self.url(), self.data())
        handover = Handover.objects.get()
        self.assertRedirects(response, reverse("plans:handover_detail", args=[handover.pk]))
        self.assertEqual(handover.created_by, self.teacher)
        self.assertEqual(handover.items.count(), 4)
        self.assertEqual(handover.note, "Alma ønsker at blive tømrer.")

    def test_own_points_one_per_line(self) -> None:
        self.login(self.teacher)
        self.client.post(self.url(), self.data(items="Møde\r\n\r\nVurdering sendt\r\n"))
        points = list(Handover.objects.get().items.values_list("text", flat=True))
        self.assertEqual(points, ["Møde", "Vurdering sendt"])

    def test_bad_input_is_an_error_not_a_crash(self) -> None:
        self.login(self.teacher)
        past = (today() - dt.timedelta(days=1)).isoformat()
        cases = {
            "past deadline": self.data(deadline=past),
            "same unit": self.data(to_unit=str(self.school.pk)),
            "bad date": self.data(deadline="31-02-2020"),
            "unknown unit": self.data(to_unit="99999999"),
            "no kind": self.data(kind=""),
            "other citizen": self.data(citizen=str(self.bror.pk)),
            "long point": self.data(items="x" * 300),
        }
        for name, data in cases.items():
            with self.subTest(name):
                response = self.client.post(self.url(), data)
                self.assertEqual(response.status_code, 422)
        self.assertContains(
            self.client.post(self.url(), self.data(deadline=past)),
            "The deadline cannot be in the past.",
            status_code=422,
        )
        self.assertFalse(Handover.objects.exists())

    def test_outsider_and_colleague_get_404(self) -> None:
        for staff in (self.outsider, self.colleague):
            with self.subTest(staff=staff.full_name):
                self.login(staff)
                self.assertEqual(self.client.get(self.url()).status_code, 404)
                self.assertEqual(self.client.post(self.url(), self.data()).status_code, 404)
        self.login(self.teacher)
        self.assertEqual(self.client.get(reverse("plans:handover_create")).status_code, 404)

    def test_wrong_method(self) -> None:
        self.login(self.teacher)
        self.assertEqual(self.client.put(self.url()).status_code, 405)


class DetailTests(HandoverTestCase):
    def test_it_shows_the_checklist_and_audits_the_read(self) -> None:
        handover = self.start()
        self.login(self.guide)
        before = AuditEntry.objects.filter(
            action=codes.VIEW, object_type="plans.handover", object_id=str(handover.pk)
        ).count()
        response = self.client.get(reverse("plans:handover_detail", args=[handover.pk]))
        self.assertContains(response, "Alma Jensen")
        standard = actions.default_checklist(Handover.Kind.SCHOOL_TO_YOUTH)
        self.assertContains(response, standard[-1])
        self.assertContains(response, 'data-testid="decide"')
        entries = AuditEntry.objects.filter(
            action=codes.VIEW, object_type="plans.handover", object_id=str(handover.pk)
        )
        self.assertEqual(entries.count(), before + 1)
        self.assertEqual(entries.last().citizen_id, self.alma.pk)  # type: ignore[union-attr]
        self.assertEqual(entries.last().actor_id, self.guide.user_id)  # type: ignore[union-attr]

    def test_the_sender_sees_no_answer_form(self) -> None:
        handover = self.start()
        self.login(self.teacher)
        response = self.client.get(reverse("plans:handover_detail", args=[handover.pk]))
        self.assertNotContains(response, 'data-testid="decide"')
        item = handover.items.first()
        assert item is not None
        self.assertContains(response, reverse("plans:handover_tick", args=[handover.pk, item.pk]))

    def test_outsider_and_colleague_without_relation_get_404(self) -> None:
        handover = self.start()
        for staff in (self.outsider, self.colleague, self.chief):
            with self.subTest(staff=staff.full_name):
                self.login(staff)
                url = reverse("plans:handover_detail", args=[handover.pk])
                self.assertEqual(self.client.get(url).status_code, 404)
                accept = reverse("plans:handover_accept", args=[handover.pk])
                self.assertEqual(self.client.post(accept).status_code, 404)

    def test_wrong_method(self) -> None:
        handover = self.start()
        self.login(self.guide)
        self.assertEqual(
            self.client.post(reverse("plans:handover_detail", args=[handover.pk])).status_code, 405
        )
        self.assertEqual(
            self.client.get(reverse("plans:handover_accept", args=[handover.pk])).status_code, 405
        )


class AnswerTests(HandoverTestCase):
    def test_the_receiving_unit_accepts(self) -> None:
        handover = self.start()
        self.login(self.guide)
        response = self.client.post(reverse("plans:handover_accept", args=[handover.pk]))
        self.assertRedirects(response, reverse("plans:handover_detail", args=[handover.pk]))
        handover.refresh_from_db()
        self.assertEqual(handover.responsible_unit, self.youth)
        self.assertEqual(
            self.client.get(reverse("citizens:detail", args=[self.alma.pk])).status_code, 200
        )
        again = self.client.post(reverse("plans:handover_accept", args=[handover.pk]))
        self.assertEqual(again.status_code, 422)

    def test_the_senders_staff_and_readers_get_403(self) -> None:
        handover = self.start()
        for staff in (self.teacher, self.leader, self.caseworker):
            with self.subTest(staff=staff.full_name):
                self.login(staff)
                accept = reverse("plans:handover_accept", args=[handover.pk])
                self.assertEqual(self.client.post(accept).status_code, 403)
                back = reverse("plans:handover_return", args=[handover.pk])
                self.assertEqual(self.client.post(back, {"reason": "Nej"}).status_code, 403)
        handover.refresh_from_db()
        self.assertEqual(handover.status, Handover.Status.PENDING)
        self.assertEqual(handover.responsible_unit, self.school)

    def test_returning_needs_a_reason_and_keeps_the_responsibility(self) -> None:
        handover = self.start()
        self.login(self.guide)
        url = reverse("plans:handover_return", args=[handover.pk])
        response = self.client.post(url, {"reason": ""})
        self.assertContains(response, "Say why the handover is returned", status_code=422)
        response = self.client.post(url, {"reason": "Alma er for ung til UU."})
        self.assertEqual(response.status_code, 302)
        handover.refresh_from_db()
        self.assertEqual(handover.status, Handover.Status.RETURNED)
        self.assertEqual(handover.responsible_unit, self.school)
        self.login(self.teacher)
        page = self.client.get(reverse("plans:handover_detail", args=[handover.pk]))
        self.assertContains(page, "Alma er for ung til UU.")


class ChecklistTests(HandoverTestCase):
    def test_staff_of_either_unit_tick_and_add(self) -> None:
        handover = self.start(items=["Møde"])
        item = handover.items.get()
        self.login(self.guide)
        tick = reverse("plans:handover_tick", args=[handover.pk, item.pk])
        self.assertEqual(self.client.post(tick).status_code, 302)
        item.refresh_from_db()
        self.assertEqual(item.done_by, self.guide)
        self.client.post(tick, {"done": "0"})
        item.refresh_from_db()
        self.assertIsNone(item.done_on)
        add = reverse("plans:handover_add_item", args=[handover.pk])
        self.assertEqual(self.client.post(add, {"text": "Besøg"}).status_code, 302)
        self.assertEqual(self.client.post(add, {"text": ""}).status_code, 422)
        self.assertEqual(handover.items.count(), 2)

    def test_a_reader_gets_403_and_an_unknown_point_404(self) -> None:
        handover = self.start(items=["Møde"])
        item = handover.items.get()
        self.login(self.caseworker)
        tick = reverse("plans:handover_tick", args=[handover.pk, item.pk])
        self.assertEqual(self.client.post(tick).status_code, 403)
        add = reverse("plans:handover_add_item", args=[handover.pk])
        self.assertEqual(self.client.post(add, {"text": "Besøg"}).status_code, 403)
        self.login(self.guide)
        other = reverse("plans:handover_tick", args=[handover.pk, item.pk + 999])
        self.assertEqual(self.client.post(other).status_code, 404)


class LeaderListTests(HandoverTestCase):
    def test_the_responsible_leader_sees_it_without_the_citizen(self) -> None:
        handover = self.make_overdue(self.start(note="Alma ønsker at blive tømrer."), days=4)
        self.login(self.chief)
        response = self.client.get(reverse("plans:handovers_overdue"))
        self.assertContains(response, f'data-handover="{handover.pk}"')
        self.assertContains(response, "Ungdommens Uddannelsesvejledning")
        self.assertContains(response, '<span class="badge overdue">4</span>', html=True)
        for secret in ("Alma", "Jensen", "tømrer"):
            self.assertNotContains(response, secret)
        home = self.client.get(reverse("home"))
        self.assertContains(home, 'data-attention="led-handovers"')
        self.assertContains(home, reverse("plans:handovers_overdue"))

    def test_the_receiving_leader_does_not_see_it_before_acceptance(self) -> None:
        handover = self.make_overdue(self.start())
        self.login(self.youth_leader)
        response = self.client.get(reverse("plans:handovers_overdue"))
        self.assertNotContains(response, f'data-handover="{handover.pk}"')
        self.assertNotContains(self.client.get(reverse("home")), 'data-attention="led-handovers"')

    def test_it_is_for_leaders(self) -> None:
        self.login(self.teacher)
        self.assertEqual(self.client.get(reverse("plans:handovers_overdue")).status_code, 403)
        self.login(self.leader)
        self.assertEqual(self.client.post(reverse("plans:handovers_overdue")).status_code, 405)
