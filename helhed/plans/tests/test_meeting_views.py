"""Meeting pages: schedule, detail, minutes, cancel, and the family's printable summary."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from helhed.lib.validity import today
from helhed.plans.actions.meetings import NewAction, do_record_minutes
from helhed.plans.models import Action, Decision, Meeting
from helhed.plans.tests.test_meeting_actions import MeetingCase


class ScheduleViewTests(MeetingCase):
    def url(self) -> str:
        return reverse("plans:meeting_create", args=[self.plan.pk])

    def data(self, **changes: Any) -> dict[str, Any]:
        when = timezone.localtime() + dt.timedelta(days=3)
        data = {
            "date": when.date().isoformat(),
            "time": "10:00",
            "place": "Rådhuset",
            "agenda": "Mornings",
            "staff": [str(self.caseworker.pk)],
            f"family_{self.mother.pk}": "on",
            f"family_{self.mother.pk}_role": "Mor",
            f"family_{self.alma.pk}": "on",
            f"family_{self.alma.pk}_role": "Alma selv",
            "without_citizen_reason": "",
        }
        data.update(changes)
        return data

    def test_the_form_offers_the_family_by_name_with_a_role(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(self.url())
        assert response.status_code == 200
        self.assertContains(response, "Mette Jensen")
        self.assertContains(response, f'name="family_{self.alma.pk}_role"')
        self.assertContains(response, 'type="date"')

    def test_it_schedules_the_meeting_and_shows_it(self) -> None:
        self.login(self.caseworker)
        response = self.client.post(self.url(), self.data(), follow=True)
        meeting = Meeting.objects.get()
        self.assertRedirects(response, reverse("plans:meeting_detail", args=[meeting.pk]))
        self.assertContains(response, "The meeting is scheduled.")
        self.assertContains(response, "Alma selv")
        assert timezone.localtime(meeting.starts_at).hour == 10

    def test_ballerups_rule_is_shown_beside_the_reason_and_nothing_is_saved(self) -> None:
        self.login(self.caseworker)
        data = self.data()
        for key in [k for k in data if k.startswith("family_")]:
            del data[key]
        response = self.client.post(self.url(), data)
        assert response.status_code == 400
        self.assertContains(
            response, "invite the family, or say why they are not taking part", 1, status_code=400
        )
        self.assertContains(response, 'class="field-error"', status_code=400)
        assert not Meeting.objects.exists()
        data["without_citizen_reason"] = "The professionals align first"
        response = self.client.post(self.url(), data)
        assert response.status_code == 302
        assert Meeting.objects.get().without_citizen_reason == "The professionals align first"

    def test_a_date_in_the_past_is_refused(self) -> None:
        self.login(self.caseworker)
        yesterday = (today() - dt.timedelta(days=1)).isoformat()
        response = self.client.post(self.url(), self.data(date=yesterday))
        assert response.status_code == 400
        self.assertContains(response, "The meeting must start in the future.", status_code=400)
        assert not Meeting.objects.exists()

    def test_a_reader_who_is_not_a_participant_gets_403(self) -> None:
        self.login(self.teacher)  # sees the plan through the school, takes no part
        assert self.client.get(self.url()).status_code == 403
        assert self.client.post(self.url(), self.data()).status_code == 403
        assert not Meeting.objects.exists()

    def test_an_outsider_and_the_family_get_404_or_403(self) -> None:
        self.login(self.outsider)
        assert self.client.get(self.url()).status_code == 404
        self.login(self.guardian)
        assert self.client.post(self.url(), self.data()).status_code == 403

    def test_wrong_method_is_405(self) -> None:
        self.login(self.caseworker)
        assert self.client.put(self.url()).status_code == 405


class MeetingPagesTests(MeetingCase):
    def held_meeting(self) -> Meeting:
        meeting = self.start(self.schedule())
        do_record_minutes(
            actor=self.caseworker,
            meeting=meeting,
            minutes="INTERNAL: mother seemed tired",
            family_summary="We talked about how Alma's mornings can be calmer.",
            decisions=["Alma starts at nine"],
            attendance={p.pk: True for p in meeting.participants.all()},
            actions=[NewAction("Adjust the timetable", self.teacher, today(), decision=1)],
        )
        return meeting

    def test_the_detail_shows_participants_minutes_decisions_and_actions(self) -> None:
        meeting = self.held_meeting()
        self.login(self.teacher)  # a reader
        response = self.client.get(reverse("plans:meeting_detail", args=[meeting.pk]))
        assert response.status_code == 200
        for text in ("Mor", "INTERNAL: mother seemed tired", "Alma starts at nine", "Tom Thy"):
            self.assertContains(response, text)
        self.assertNotContains(response, reverse("plans:meeting_cancel", args=[meeting.pk]))

    def test_the_detail_is_404_for_an_outsider_and_405_for_post(self) -> None:
        meeting = self.schedule()
        url = reverse("plans:meeting_detail", args=[meeting.pk])
        self.login(self.outsider)
        assert self.client.get(url).status_code == 404
        self.login(self.caseworker)
        assert self.client.post(url).status_code == 405

    def test_the_family_is_sent_to_the_summary_not_the_minutes(self) -> None:
        meeting = self.held_meeting()
        self.login(self.guardian)
        response = self.client.get(reverse("plans:meeting_detail", args=[meeting.pk]))
        self.assertRedirects(response, reverse("plans:meeting_summary", args=[meeting.pk]))

    def test_the_summary_is_plain_language_without_the_minutes(self) -> None:
        meeting = self.held_meeting()
        self.login(self.guardian)
        response = self.client.get(reverse("plans:meeting_summary", args=[meeting.pk]))
        assert response.status_code == 200
        self.assertContains(response, "plain-language")
        for text in (
            "What we agreed",
            "Alma starts at nine",
            "Tom Thy: Adjust the timetable, by",
            "We talked about how Alma&#x27;s mornings can be calmer.",
            "Mette Jensen (Mor)",
            "Bakkeskolen, mødelokale 2",
        ):
            self.assertContains(response, text)
        self.assertNotContains(response, "INTERNAL")
        self.assertNotContains(response, "mother seemed tired")

    def test_the_summary_is_404_for_an_outsider_and_for_another_family(self) -> None:
        from helhed.test import make_citizen, make_family_login

        meeting = self.held_meeting()
        url = reverse("plans:meeting_summary", args=[meeting.pk])
        self.login(self.outsider)
        assert self.client.get(url).status_code == 404
        stranger = make_family_login(make_citizen("Fremmed", birth_date=dt.date(1980, 1, 1)), "x")
        self.login(stranger)
        assert self.client.get(url).status_code == 404
        self.login(self.caseworker)
        assert self.client.post(url).status_code == 405


class MinutesViewTests(MeetingCase):
    def url(self, meeting: Meeting) -> str:
        return reverse("plans:meeting_minutes", args=[meeting.pk])

    def data(self, meeting: Meeting, **changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "minutes": "Internal",
            "family_summary": "Plainly put",
            "decisions-TOTAL_FORMS": "3",
            "decisions-INITIAL_FORMS": "0",
            "decisions-0-text": "",
            "decisions-1-text": "Alma starts at nine",
            "decisions-2-text": "",
            "actions-TOTAL_FORMS": "2",
            "actions-INITIAL_FORMS": "0",
            "actions-0-description": "Adjust the timetable",
            "actions-0-owner": str(self.teacher.pk),
            "actions-0-due_on": today().isoformat(),
            "actions-0-decision": "2",
            "actions-1-description": "",
            "actions-1-owner": "",
            "actions-1-due_on": "",
            "actions-1-decision": "",
        }
        for participant in meeting.participants.exclude(citizen=self.alma):
            data[f"attended_{participant.pk}"] = "on"
        data.update(changes)
        return data

    def test_it_records_everything_in_one_form(self) -> None:
        meeting = self.start(self.schedule())
        self.login(self.caseworker)
        response = self.client.get(self.url(meeting))
        assert response.status_code == 200
        self.assertContains(response, "decisions-TOTAL_FORMS")
        response = self.client.post(self.url(meeting), self.data(meeting))
        self.assertRedirects(response, reverse("plans:meeting_detail", args=[meeting.pk]))
        meeting.refresh_from_db()
        assert meeting.status == Meeting.Status.HELD
        [decision] = Decision.objects.all()
        [action] = Action.objects.all()
        assert (action.decision, action.owner, action.meeting) == (decision, self.teacher, meeting)
        assert not meeting.participants.get(citizen=self.alma).attended
        assert meeting.participants.get(citizen=self.mother).attended

    def test_a_past_due_date_is_shown_on_its_row_and_nothing_is_saved(self) -> None:
        meeting = self.start(self.schedule())
        self.login(self.caseworker)
        past = (today() - dt.timedelta(days=1)).isoformat()
        response = self.client.post(
            self.url(meeting), self.data(meeting, **{"actions-0-due_on": past})
        )
        assert response.status_code == 400
        self.assertContains(response, "The due date must be today or later.", status_code=400)
        assert response.context["actions"].forms[0].errors["due_on"]
        meeting.refresh_from_db()
        assert meeting.status == Meeting.Status.PLANNED
        assert not Decision.objects.exists() and not Action.objects.exists()

    def test_an_action_on_an_empty_decision_row_is_refused(self) -> None:
        meeting = self.start(self.schedule())
        self.login(self.caseworker)
        response = self.client.post(
            self.url(meeting), self.data(meeting, **{"actions-0-decision": "1"})
        )
        assert response.status_code == 400
        self.assertContains(response, "That decision row is empty.", status_code=400)
        assert not Action.objects.exists()

    def test_a_half_filled_action_row_needs_an_owner(self) -> None:
        meeting = self.start(self.schedule())
        self.login(self.caseworker)
        response = self.client.post(
            self.url(meeting), self.data(meeting, **{"actions-0-owner": ""})
        )
        assert response.status_code == 400
        self.assertContains(response, "Choose who owns the action.", status_code=400)

    def test_minutes_before_the_start_are_refused(self) -> None:
        meeting = self.schedule()
        self.login(self.caseworker)
        response = self.client.post(self.url(meeting), self.data(meeting))
        assert response.status_code == 400
        self.assertContains(response, "once the meeting has started", status_code=400)
        assert not Decision.objects.exists()

    def test_access(self) -> None:
        meeting = self.start(self.schedule())
        self.login(self.teacher)
        assert self.client.get(self.url(meeting)).status_code == 403
        assert self.client.post(self.url(meeting), self.data(meeting)).status_code == 403
        self.login(self.outsider)
        assert self.client.get(self.url(meeting)).status_code == 404
        self.login(self.caseworker)
        assert self.client.delete(self.url(meeting)).status_code == 405
        assert not Decision.objects.exists()


class CancelViewTests(MeetingCase):
    def test_it_cancels_with_a_reason(self) -> None:
        meeting = self.schedule()
        url = reverse("plans:meeting_cancel", args=[meeting.pk])
        self.login(self.caseworker)
        assert self.client.get(url).status_code == 200
        response = self.client.post(url, {"reason": ""})
        assert response.status_code == 400
        response = self.client.post(url, {"reason": "Mother is ill"})
        assert response.status_code == 302
        meeting.refresh_from_db()
        assert meeting.status == Meeting.Status.CANCELLED

    def test_access(self) -> None:
        meeting = self.schedule()
        url = reverse("plans:meeting_cancel", args=[meeting.pk])
        self.login(self.teacher)
        assert self.client.post(url, {"reason": "x"}).status_code == 403
        self.login(self.outsider)
        assert self.client.post(url, {"reason": "x"}).status_code == 404
        self.login(self.caseworker)
        assert self.client.put(url).status_code == 405
        meeting.refresh_from_db()
        assert meeting.status == Meeting.Status.PLANNED
