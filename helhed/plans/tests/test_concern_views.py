"""Concern pages: my lists, logging, the detail page with its forms, and the plan's section."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from helhed.lib.validity import today
from helhed.plans.actions.concerns import (
    do_close_concern,
    do_escalate_concern_to_plan,
    do_log_concern,
)
from helhed.plans.models import Concern, ConcernEvent, Notification, Plan
from helhed.test import BaseTestCase, assign, make_plan, make_staff

LIST = reverse("plans:concerns")
CREATE = reverse("plans:concern_create")
OBSERVATION = "Alma græder hver morgen ved skoleporten."


class ConcernViewTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def log(self, actor: Any = None, **changes: Any) -> Concern:
        actor = actor or self.teacher
        data: dict[str, Any] = {
            "actor": actor,
            "citizen": self.alma,
            "unit": self.school if actor == self.teacher else self.family_dept,
            "observation": OBSERVATION,
            "category": Concern.Category.WELLBEING,
            "severity": Concern.Severity.HIGH,
            "parents_informed": True,
            "follow_up_owner": actor,
            "follow_up_on": today() + dt.timedelta(days=7),
        }
        data.update(changes)
        return do_log_concern(**data)

    def make_overdue(self, concern: Concern, days: int = 5) -> None:
        Concern.objects.filter(pk=concern.pk).update(follow_up_on=today() - dt.timedelta(days=days))
        concern.refresh_from_db()

    def url(self, name: str, concern: Concern) -> str:
        return reverse(f"plans:{name}", args=[concern.pk])


class ConcernListTests(ConcernViewTestCase):
    def test_the_owner_sees_overdue_concerns_first_with_a_badge(self) -> None:
        later = self.log(follow_up_on=today() + dt.timedelta(days=2))
        overdue = self.log(category=Concern.Category.ABSENCE)
        self.make_overdue(overdue)
        self.login(self.teacher)
        response = self.client.get(LIST)
        self.assertEqual(response.status_code, 200)
        owned = list(response.context["owned"])
        self.assertEqual(owned, [overdue, later])
        self.assertContains(response, 'data-testid="overdue"', count=2)  # owned and raised
        self.assertContains(response, "Alma Jensen")

    def test_the_school_leader_sees_overdue_concerns_without_name_or_text(self) -> None:
        concern = self.log(follow_up_owner=self.teacher)
        self.make_overdue(concern, days=5)
        self.login(self.leader)
        response = self.client.get(LIST)
        self.assertEqual(response.status_code, 200)
        [row] = response.context["led_rows"]
        self.assertEqual(row["unit"], "Bakkeskolen")
        self.assertEqual(row["owner"], "Tom Thy")
        self.assertEqual(row["days_overdue"], 5)
        self.assertContains(response, 'data-testid="concerns-led"')
        self.assertContains(response, "Tom Thy")
        self.assertContains(response, "Well-being")
        self.assertNotContains(response, "Alma")
        self.assertNotContains(response, "Jensen")
        self.assertNotContains(response, OBSERVATION)
        self.assertNotContains(response, self.url("concern_detail", concern))

    def test_a_concern_on_time_or_closed_is_not_on_the_leaders_list(self) -> None:
        self.log()
        closed = self.log()
        do_close_concern(actor=self.teacher, concern=closed, outcome="Afklaret")
        self.make_overdue(closed)
        self.login(self.leader)
        response = self.client.get(LIST)
        self.assertEqual(response.context["led_rows"], [])

    def test_a_closed_concern_is_not_overdue_for_the_owner(self) -> None:
        closed = self.log()
        do_close_concern(actor=self.teacher, concern=closed, outcome="Afklaret")
        self.make_overdue(closed)
        self.login(self.teacher)
        response = self.client.get(LIST)
        self.assertEqual(list(response.context["owned"]), [])
        response = self.client.get(LIST, {"show": "all"})
        self.assertEqual(list(response.context["owned"]), [closed])
        self.assertNotContains(response, 'data-testid="overdue"')

    def test_non_leaders_get_no_leader_section(self) -> None:
        self.login(self.teacher)
        self.assertNotContains(self.client.get(LIST), 'data-testid="concerns-led"')

    def test_raised_and_owned_are_listed_apart(self) -> None:
        handed_on = self.log(follow_up_owner=self.leader)
        self.login(self.teacher)
        response = self.client.get(LIST)
        self.assertEqual(list(response.context["owned"]), [])
        self.assertEqual(list(response.context["raised"]), [handed_on])
        self.login(self.leader)
        response = self.client.get(LIST)
        self.assertEqual(list(response.context["owned"]), [handed_on])

    def test_it_paginates(self) -> None:
        for _ in range(23):
            self.log()
        self.login(self.teacher)
        response = self.client.get(LIST)
        self.assertEqual(len(response.context["owned"]), 20)
        self.assertContains(response, "?owned_page=2")
        second = self.client.get(LIST, {"owned_page": 2})
        self.assertEqual(len(second.context["owned"]), 3)

    def test_others_see_nothing_of_the_concern(self) -> None:
        self.log()
        for staff in (self.outsider, self.colleague, self.caseworker):
            with self.subTest(staff=staff):
                self.login(staff)
                response = self.client.get(LIST)
                self.assertEqual(response.status_code, 200)
                self.assertNotContains(response, "Alma")

    def test_wrong_method_is_405(self) -> None:
        self.login(self.teacher)
        self.assertEqual(self.client.post(LIST).status_code, 405)

    def test_anonymous_is_sent_to_login(self) -> None:
        self.assertEqual(self.client.get(LIST).status_code, 302)


class ConcernCreateTests(ConcernViewTestCase):
    def url_for(self, citizen_id: Any) -> str:
        return f"{CREATE}?citizen={citizen_id}"

    def valid_data(self, **changes: Any) -> dict[str, Any]:
        data = {
            "unit": str(self.school.pk),
            "observed_on": today().isoformat(),
            "observation": OBSERVATION,
            "category": Concern.Category.WELLBEING,
            "severity": Concern.Severity.MEDIUM,
            "parents_informed": "on",
            "parents_not_informed_reason": "",
            "follow_up_owner": str(self.teacher.pk),
            "follow_up_on": (today() + dt.timedelta(days=14)).isoformat(),
        }
        data.update(changes)
        return data

    def test_the_form_has_sensible_defaults(self) -> None:
        self.login(self.teacher)
        response = self.client.get(self.url_for(self.alma.pk))
        self.assertEqual(response.status_code, 200)
        form = response.context["form"]
        self.assertEqual(form["unit"].value(), self.school.pk)
        self.assertEqual(form["follow_up_owner"].value(), self.teacher.pk)
        self.assertEqual(form["follow_up_on"].value(), today() + dt.timedelta(days=14))
        self.assertContains(response, 'type="date"')
        owners = {str(s) for s in form.fields["follow_up_owner"].queryset}
        self.assertIn("Lise Lund", owners)
        self.assertIn("Sara Sand", owners)
        self.assertNotIn("Otto Olsen", owners)  # Hvidovre's
        self.assertNotIn("Anna Ahl", owners)  # analysts work with aggregates only
        self.assertNotIn("Per Poulsen", owners)  # and politicians too

    def test_with_several_units_the_user_chooses_one(self) -> None:
        assign(self.teacher, self.family_dept, "pedagogue")
        self.login(self.teacher)
        response = self.client.get(self.url_for(self.alma.pk))
        form = response.context["form"]
        self.assertIsNone(form["unit"].value())
        self.assertContains(response, '<option value="" selected>---------</option>', html=True)
        response = self.client.post(self.url_for(self.alma.pk), self.valid_data(unit=""))
        self.assertEqual(response.status_code, 400)
        response = self.client.post(
            self.url_for(self.alma.pk), self.valid_data(unit=str(self.family_dept.pk))
        )
        self.assertEqual(Concern.objects.get().unit, self.family_dept)

    def test_it_logs_the_concern_and_shows_it(self) -> None:
        self.login(self.teacher)
        response = self.client.post(self.url_for(self.alma.pk), self.valid_data(), follow=True)
        concern = Concern.objects.get()
        self.assertRedirects(response, self.url("concern_detail", concern))
        self.assertEqual(concern.raised_by, self.teacher)
        self.assertEqual(concern.unit, self.school)
        self.assertContains(response, OBSERVATION)
        self.assertContains(response, "The concern is logged")
        self.assertEqual(concern.events.get().kind, ConcernEvent.Kind.LOGGED)

    def test_bad_input_is_shown_beside_the_field_and_saves_nothing(self) -> None:
        yesterday = (today() - dt.timedelta(days=1)).isoformat()
        tomorrow = (today() + dt.timedelta(days=1)).isoformat()
        cases = {
            "follow_up_on": {"follow_up_on": yesterday},
            "observed_on": {"observed_on": tomorrow},
            "parents_not_informed_reason": {"parents_informed": ""},
            "follow_up_owner": {"follow_up_owner": str(self.outsider.pk)},
            "unit": {"unit": str(self.family_dept.pk)},
        }
        self.login(self.teacher)
        for field, changes in cases.items():
            with self.subTest(field=field):
                response = self.client.post(self.url_for(self.alma.pk), self.valid_data(**changes))
                self.assertEqual(response.status_code, 400)
                self.assertTrue(response.context["form"].errors.get(field), field)
                self.assertContains(response, 'class="field-error"', status_code=400)
        self.assertFalse(Concern.objects.exists())

    def test_a_citizen_the_user_cannot_see_is_404(self) -> None:
        for staff in (self.colleague, self.outsider, self.leader):
            with self.subTest(staff=staff):
                self.login(staff)
                self.assertEqual(self.client.get(self.url_for(self.alma.pk)).status_code, 404)
                response = self.client.post(self.url_for(self.alma.pk), self.valid_data())
                self.assertEqual(response.status_code, 404)
        self.assertFalse(Concern.objects.exists())

    def test_a_missing_or_bad_citizen_id_is_404(self) -> None:
        self.login(self.teacher)
        self.assertEqual(self.client.get(CREATE).status_code, 404)
        self.assertEqual(self.client.get(self.url_for("x")).status_code, 404)
        self.assertEqual(self.client.get(self.url_for(999999)).status_code, 404)

    def test_wrong_method_is_405(self) -> None:
        self.login(self.teacher)
        self.assertEqual(self.client.put(self.url_for(self.alma.pk)).status_code, 405)


class ConcernDetailTests(ConcernViewTestCase):
    def test_the_owner_sees_the_concern_its_history_and_the_forms(self) -> None:
        concern = self.log()
        self.login(self.teacher)
        response = self.client.get(self.url("concern_detail", concern))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, OBSERVATION)
        self.assertContains(response, 'data-testid="concern-history"')
        self.assertContains(response, self.url("concern_note", concern))
        self.assertContains(response, self.url("concern_close", concern))
        self.assertContains(response, self.url("concern_escalate_plan", concern))
        self.assertContains(response, self.url("concern_escalate_notification", concern))

    def test_the_owner_who_did_not_raise_it_sees_it_too(self) -> None:
        concern = self.log(follow_up_owner=self.leader)
        self.login(self.leader)
        self.assertEqual(self.client.get(self.url("concern_detail", concern)).status_code, 200)

    def test_outsiders_and_colleagues_get_404(self) -> None:
        concern = self.log()
        other_teacher = make_staff(
            "Ulla", "Ulv", unit=self.school, role="teacher", username="other_teacher"
        )
        for who in (self.outsider, self.caseworker, self.colleague, other_teacher, self.leader):
            with self.subTest(who=who):
                self.login(who)
                self.assertEqual(
                    self.client.get(self.url("concern_detail", concern)).status_code, 404
                )
                for name in ("concern_note", "concern_close", "concern_escalate_plan"):
                    response = self.client.post(self.url(name, concern), {"note-note": "x"})
                    self.assertEqual(response.status_code, 404)
        self.assertEqual(concern.events.count(), 1)

    def test_a_closed_concern_is_read_only(self) -> None:
        concern = self.log()
        do_close_concern(actor=self.teacher, concern=concern, outcome="Afklaret")
        self.login(self.teacher)
        response = self.client.get(self.url("concern_detail", concern))
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, self.url("concern_note", concern))
        posts = {
            "concern_note": {"note-note": "Mere"},
            "concern_close": {"close-outcome": "Igen"},
            "concern_escalate_plan": {"plan-title": "Plan"},
            "concern_escalate_notification": {
                "notify-to_unit": str(self.family_dept.pk),
                "notify-reason": "x",
            },
        }
        for name, data in posts.items():
            with self.subTest(name=name):
                self.assertEqual(self.client.post(self.url(name, concern), data).status_code, 403)
        self.assertEqual(concern.events.count(), 2)

    def test_post_endpoints_refuse_get(self) -> None:
        concern = self.log()
        self.login(self.teacher)
        for name in (
            "concern_note",
            "concern_close",
            "concern_escalate_plan",
            "concern_escalate_notification",
        ):
            with self.subTest(name=name):
                self.assertEqual(self.client.get(self.url(name, concern)).status_code, 405)
        self.assertEqual(self.client.post(self.url("concern_detail", concern)).status_code, 405)


class ConcernFollowUpViewTests(ConcernViewTestCase):
    def test_a_note_is_added(self) -> None:
        concern = self.log()
        self.login(self.teacher)
        response = self.client.post(
            self.url("concern_note", concern), {"note-note": "Talt med Almas mor."}, follow=True
        )
        self.assertRedirects(response, self.url("concern_detail", concern))
        self.assertContains(response, "Talt med Almas mor.")
        self.assertEqual(concern.events.last().kind, ConcernEvent.Kind.NOTE)  # type: ignore[union-attr]

    def test_handing_on_the_concern_sends_the_owner_to_the_list(self) -> None:
        concern = self.log(actor=self.caseworker, follow_up_owner=self.teacher)
        self.login(self.teacher)
        response = self.client.post(
            self.url("concern_note", concern),
            {"note-note": "", "note-follow_up_owner": str(self.leader.pk)},
        )
        self.assertRedirects(response, LIST)
        concern.refresh_from_db()
        self.assertEqual(concern.follow_up_owner, self.leader)
        self.assertEqual(concern.events.last().kind, ConcernEvent.Kind.REASSIGNED)  # type: ignore[union-attr]
        self.assertEqual(self.client.get(self.url("concern_detail", concern)).status_code, 404)

    def test_a_past_date_is_refused_with_400_and_nothing_changes(self) -> None:
        concern = self.log()
        self.login(self.teacher)
        response = self.client.post(
            self.url("concern_note", concern),
            {"note-note": "x", "note-follow_up_on": (today() - dt.timedelta(days=2)).isoformat()},
        )
        self.assertEqual(response.status_code, 400)
        self.assertTrue(response.context["note_form"].errors["follow_up_on"])
        self.assertEqual(concern.events.count(), 1)

    def test_closing_without_outcome_is_400(self) -> None:
        concern = self.log()
        self.login(self.teacher)
        response = self.client.post(self.url("concern_close", concern), {"close-outcome": ""})
        self.assertEqual(response.status_code, 400)
        self.assertTrue(response.context["close_form"].errors["outcome"])
        concern.refresh_from_db()
        self.assertTrue(concern.is_open)

    def test_closing_with_outcome(self) -> None:
        concern = self.log()
        self.login(self.teacher)
        response = self.client.post(
            self.url("concern_close", concern), {"close-outcome": "Bekymringen er afklaret."}
        )
        self.assertRedirects(response, self.url("concern_detail", concern))
        concern.refresh_from_db()
        self.assertEqual(concern.status, Concern.Status.CLOSED)

    def test_escalating_into_a_plan(self) -> None:
        concern = self.log(actor=self.caseworker)
        self.login(self.caseworker)
        response = self.client.post(
            self.url("concern_escalate_plan", concern),
            {"plan-title": "Almas plan", "plan-coordinator": str(self.caseworker.pk)},
            follow=True,
        )
        self.assertRedirects(response, self.url("concern_detail", concern))
        plan = Plan.objects.get()
        concern.refresh_from_db()
        self.assertEqual(concern.plan, plan)
        self.assertContains(response, 'data-testid="concern-plan"')
        self.assertContains(response, "Almas plan")
        self.assertContains(response, "Escalated into a plan")

    def test_escalating_shows_the_existing_plan(self) -> None:
        make_plan(self.alma, coordinator=self.caseworker, title="Den fælles plan")
        concern = self.log()
        self.login(self.teacher)
        response = self.client.get(self.url("concern_detail", concern))
        self.assertContains(response, "Den fælles plan")
        self.client.post(self.url("concern_escalate_plan", concern), {"plan-note": "Tilføjet"})
        concern.refresh_from_db()
        self.assertEqual(concern.plan, Plan.objects.get())

    def test_escalating_into_a_notification(self) -> None:
        concern = self.log()
        self.login(self.teacher)
        response = self.client.post(
            self.url("concern_escalate_notification", concern),
            {"notify-to_unit": str(self.family_dept.pk), "notify-reason": "Mistanke om svigt"},
            follow=True,
        )
        self.assertRedirects(response, self.url("concern_detail", concern))
        self.assertContains(response, 'data-testid="concern-notification"')
        notification = Notification.objects.get()
        self.assertEqual(notification.to_unit, self.family_dept)
        self.assertEqual(
            list(concern.events.values_list("kind", flat=True)),
            [ConcernEvent.Kind.LOGGED, ConcernEvent.Kind.NOTIFIED],
        )

    def test_a_notification_to_the_school_is_refused_with_400(self) -> None:
        concern = self.log()
        self.login(self.teacher)
        response = self.client.post(
            self.url("concern_escalate_notification", concern),
            {"notify-to_unit": str(self.school.pk), "notify-reason": "x"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertTrue(response.context["notify_form"].errors["to_unit"])
        self.assertFalse(Notification.objects.exists())


class PlanConcernsTagTests(ConcernViewTestCase):
    TEMPLATE = Template("{% load plan_concerns %}{% plan_concerns plan %}")

    def render(self, user: Any, plan: Plan) -> str:
        request = RequestFactory().get("/")
        request.user = user
        return self.TEMPLATE.render(Context({"plan": plan, "request": request}))

    def test_the_plan_shows_the_concerns_that_led_to_it_with_their_history(self) -> None:
        concern = self.log(actor=self.caseworker)
        plan = do_escalate_concern_to_plan(actor=self.caseworker, concern=concern)
        html = self.render(self.caseworker.user, plan)
        self.assertIn('data-testid="plan-concerns"', html)
        self.assertIn(OBSERVATION, html)
        self.assertIn('data-testid="concern-history"', html)
        self.assertEqual(html.count("<li>"), 2)  # logged, escalated

    def test_nothing_for_those_who_may_not_see_the_plan_or_the_family(self) -> None:
        concern = self.log(actor=self.caseworker)
        plan = do_escalate_concern_to_plan(actor=self.caseworker, concern=concern)
        for user in (self.colleague.user, self.outsider.user, self.guardian):
            with self.subTest(user=user):
                self.assertNotIn(OBSERVATION, self.render(user, plan))

    def test_a_plan_without_concerns_shows_nothing(self) -> None:
        plan = make_plan(self.alma, coordinator=self.caseworker)
        self.assertNotIn("plan-concerns", self.render(self.caseworker.user, plan))

    def test_the_plan_page_shows_the_concern_and_the_concern_links_to_the_plan(self) -> None:
        concern = self.log(actor=self.caseworker)
        plan = do_escalate_concern_to_plan(actor=self.caseworker, concern=concern)
        self.login(self.caseworker)
        plan_url = reverse("plans:detail", args=[plan.pk])
        response = self.client.get(plan_url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'data-testid="plan-concerns"')
        self.assertContains(response, OBSERVATION)
        response = self.client.get(self.url("concern_detail", concern))
        self.assertContains(response, f'href="{plan_url}"')
