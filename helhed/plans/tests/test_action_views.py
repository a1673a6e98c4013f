"""Actions pages: my actions, a leader's overdue list without names, and changing an action."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from helhed.lib.validity import today
from helhed.organisation.models import Staff
from helhed.plans.models import Action
from helhed.plans.tests.test_meeting_actions import MeetingCase

LIST = reverse("plans:actions")
HTMX = {"HX-Request": "true"}


class MyActionsTests(MeetingCase):
    def test_open_actions_come_first_overdue_ones_marked_done_ones_folded(self) -> None:
        late = self.make_overdue(self.add_action(description="Late one"), days=4)
        self.add_action(description="Later one", due_on=today() + dt.timedelta(days=30))
        done = self.add_action(description="Finished one")
        Action.objects.filter(pk=done.pk).update(status=Action.Status.DONE, done_on=today())
        self.add_action(description="Someone else's", owner=self.colleague)
        self.login(self.teacher)
        response = self.client.get(LIST)
        assert response.status_code == 200
        html = response.content.decode()
        assert html.index("Late one") < html.index("Later one") < html.index("Finished one")
        self.assertContains(response, "4 days overdue")
        self.assertContains(response, f'id="action-{late.pk}" class="overdue"')
        self.assertContains(response, "<details")
        self.assertNotContains(response, "Someone else")
        # No leader section for a teacher.
        self.assertNotContains(response, "Overdue actions in my units")

    def test_the_owner_sees_the_plan_title_only_when_they_may_see_the_plan(self) -> None:
        self.add_action(owner=self.colleague)  # a colleague without engagement
        self.login(self.colleague)
        response = self.client.get(LIST)
        self.assertNotContains(response, self.plan.title)
        self.assertContains(response, f"Plan {self.plan.pk}")

    def test_the_list_is_for_staff_and_get_only(self) -> None:
        self.login(self.guardian)
        assert self.client.get(LIST).status_code == 403
        self.login(self.caseworker)
        assert self.client.post(LIST).status_code == 405


class LeaderListTests(MeetingCase):
    def test_the_leader_sees_overdue_actions_of_their_unit_without_names_or_text(self) -> None:
        self.make_overdue(self.add_action(description="SECRET: call Alma's mother"), days=3)
        self.make_overdue(self.add_action(owner=self.caseworker, description="Other unit"), 2)
        self.login(self.leader)
        response = self.client.get(LIST)
        assert response.status_code == 200
        section = response.content.decode().split('data-testid="led-overdue"')[1]
        assert "Tom Thy" in section
        assert f"<td>{self.plan.pk}</td>" in section
        assert '<span class="badge overdue">3</span>' in section
        for hidden in ("SECRET", "Alma", "Jensen", self.plan.title, "Sara Sand", "Other unit"):
            assert hidden not in section, hidden
        per_owner = section.split('data-testid="per-owner"')[1]
        assert "<td>Tom Thy</td><td>1</td><td>1</td>" in per_owner.replace("\n", "")

    def test_the_chief_sees_the_units_beneath(self) -> None:
        self.make_overdue(self.add_action(), days=1)
        self.make_overdue(self.add_action(owner=self.caseworker), days=1)
        self.login(self.chief)
        response = self.client.get(LIST)
        assert len(response.context["led_overdue"]) == 2


class ChangeActionTests(MeetingCase):
    def test_the_owner_completes_an_action(self) -> None:
        action = self.add_action()
        self.login(self.teacher)  # the owner, though not a participant of the plan
        url = reverse("plans:action_complete", args=[action.pk])
        response = self.client.post(url, {"note": "Done and dusted", "next": LIST})
        self.assertRedirects(response, LIST)
        action.refresh_from_db()
        assert (action.status, action.note) == (Action.Status.DONE, "Done and dusted")

    def test_htmx_gets_the_row_back(self) -> None:
        action = self.add_action()
        self.login(self.teacher)
        response = self.client.post(
            reverse("plans:action_complete", args=[action.pk]), {"view": "mine"}, headers=HTMX
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert html.startswith("<tr") and "<html" not in html
        assert reverse("plans:action_reopen", args=[action.pk]) in html
        response = self.client.post(
            reverse("plans:action_complete", args=[action.pk]), {"view": "mine"}, headers=HTMX
        )
        assert response.status_code == 400
        self.assertContains(response, "reopen it first", status_code=400)
        response = self.client.post(reverse("plans:action_reopen", args=[action.pk]), headers=HTMX)
        assert response.status_code == 200
        action.refresh_from_db()
        assert action.status == Action.Status.OPEN

    def test_cancelling_needs_a_note(self) -> None:
        action = self.add_action()
        url = reverse("plans:action_cancel", args=[action.pk])
        self.login(self.caseworker)  # the plan's coordinator
        assert self.client.get(url).status_code == 200
        response = self.client.post(url, {"note": ""})
        assert response.status_code == 400
        action.refresh_from_db()
        assert action.status == Action.Status.OPEN
        assert self.client.post(url, {"note": "No longer needed"}).status_code == 302
        action.refresh_from_db()
        assert action.status == Action.Status.CANCELLED

    def test_reassigning_to_a_past_date_is_refused(self) -> None:
        action = self.add_action()
        url = reverse("plans:action_reassign", args=[action.pk])
        self.login(self.caseworker)
        assert self.client.get(url).status_code == 200
        past = (today() - dt.timedelta(days=1)).isoformat()
        response = self.client.post(url, {"owner": self.colleague.pk, "due_on": past})
        assert response.status_code == 400
        self.assertContains(response, "The due date must be today or later.", status_code=400)
        action.refresh_from_db()
        assert action.owner == self.teacher
        response = self.client.post(
            url, {"owner": self.colleague.pk, "due_on": today().isoformat()}
        )
        assert response.status_code == 302
        action.refresh_from_db()
        assert action.owner == self.colleague

    def test_a_reader_who_does_not_own_it_gets_403(self) -> None:
        action = self.add_action(owner=self.caseworker)
        self.login(self.teacher)  # sees the plan, neither participant nor owner
        for name in ("action_complete", "action_reopen", "action_cancel", "action_reassign"):
            url = reverse(f"plans:{name}", args=[action.pk])
            assert self.client.post(url, {"note": "x"}).status_code == 403, name
        action.refresh_from_db()
        assert action.status == Action.Status.OPEN

    def test_an_outsider_gets_404_and_get_on_complete_is_405(self) -> None:
        action = self.add_action()
        self.login(self.outsider)
        assert (
            self.client.post(reverse("plans:action_complete", args=[action.pk])).status_code == 404
        )
        self.login(self.teacher)
        assert (
            self.client.get(reverse("plans:action_complete", args=[action.pk])).status_code == 405
        )

    def test_adding_an_action_to_the_plan(self) -> None:
        url = reverse("plans:action_create", args=[self.plan.pk])
        self.login(self.caseworker)
        assert self.client.get(url).status_code == 200
        past = (today() - dt.timedelta(days=1)).isoformat()
        data = {"description": "Book PPR", "owner": self.teacher.pk, "due_on": past}
        response = self.client.post(url, data)
        assert response.status_code == 400
        self.assertContains(response, "The due date must be today or later.", status_code=400)
        assert not Action.objects.exists()
        data["due_on"] = today().isoformat()
        data["next"] = LIST
        self.assertRedirects(self.client.post(url, data), LIST)
        assert Action.objects.get().owner == self.teacher
        self.login(self.teacher)
        assert self.client.post(url, data).status_code == 403
        self.login(self.outsider)
        assert self.client.get(url).status_code == 404


class PlanMeetingsTagTests(MeetingCase):
    def render(self, staff_or_user: Staff | User) -> str:
        request = RequestFactory().get("/")
        user = staff_or_user.user if isinstance(staff_or_user, Staff) else staff_or_user
        assert user is not None
        request.user = user
        template = Template("{% load plan_meetings %}{% plan_meetings plan %}")
        return template.render(Context({"plan": self.plan, "request": request}))

    def test_it_lists_meetings_and_open_actions_with_owners(self) -> None:
        upcoming = self.schedule()
        past = self.start(self.schedule())
        self.add_action(description="Call the nurse")
        html = self.render(self.caseworker)
        assert reverse("plans:meeting_detail", args=[upcoming.pk]) in html
        assert reverse("plans:meeting_summary", args=[past.pk]) in html
        assert "Call the nurse" in html and "Tom Thy" in html
        assert reverse("plans:meeting_create", args=[self.plan.pk]) in html

    def test_a_reader_gets_no_buttons_and_the_family_links_to_summaries(self) -> None:
        meeting = self.schedule()
        self.add_action(owner=self.caseworker)
        html = self.render(self.teacher)
        assert reverse("plans:meeting_create", args=[self.plan.pk]) not in html
        assert "action_complete" not in html and "/complete/" not in html
        html = self.render(self.guardian)
        assert reverse("plans:meeting_summary", args=[meeting.pk]) in html
        assert f'href="{reverse("plans:meeting_detail", args=[meeting.pk])}"' not in html
