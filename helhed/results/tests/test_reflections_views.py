"""Reflection meetings: recording one with its rules, who reads it, and the unit-level data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse

from helhed.lib.validity import today
from helhed.organisation.models import Staff
from helhed.results.actions.reflections import do_mark_followed_up, do_record_reflection
from helhed.results.models import Reflection
from helhed.results.tests.test_curves_actions import CurveCase
from helhed.results.tests.test_curves_views import section
from helhed.test import indicator, make_ambition, make_committee, make_marker, make_staff


class ReflectionCase(CurveCase):
    tina: Staff

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        committee = make_committee()
        ambition = make_ambition(
            committee=committee,
            owner=cls.chief,
            units=[cls.children_admin],
            first_year=2020,
            last_year=2099,
        )
        make_marker(ambition, owner=cls.chief, indicators=[cls.absence])
        cls.tina = make_staff("Tina", "Toft", unit=cls.school, role="teacher", username="tina")

    def record(self, **changes: Any) -> Reflection:
        arguments: dict[str, Any] = {
            "actor": self.leader,
            "unit": self.school,
            "held_on": today(),
            "what_we_see": "Absence keeps rising after the autumn break.",
            "what_we_adjust": "Call home on the second day.",
            "participants": [self.leader, self.teacher],
            "indicators": [self.absence],
            "follow_up_owner": self.teacher,
            "follow_up_on": today() + dt.timedelta(days=30),
        }
        arguments.update(changes)
        return do_record_reflection(**arguments)

    def refused(self, field: str, **changes: Any) -> str:
        with self.assertRaises(ValidationError) as caught:
            self.record(**changes)
        assert not Reflection.objects.exists()
        return caught.exception.message_dict[field][0]


class ReflectionRuleTests(ReflectionCase):
    def test_a_meeting_is_recorded(self) -> None:
        reflection = self.record()
        assert (reflection.led_by, reflection.unit) == (self.leader, self.school)
        assert set(reflection.participants.all()) == {self.leader, self.teacher}
        assert list(reflection.indicators.all()) == [self.absence]

    def test_a_participant_outside_the_unit_is_refused(self) -> None:
        message = self.refused("participants", participants=[self.teacher, self.caseworker])
        assert message == (
            "Only staff with a role in Bakkeskolen or beneath it can take part: Sara Sand."
        )

    def test_the_follow_up_owner_must_take_part_or_lead(self) -> None:
        message = self.refused(
            "follow_up_owner", participants=[self.leader], follow_up_owner=self.tina
        )
        assert message == "The one who follows up must take part in the meeting or lead it."
        # The leader may follow up without being listed.
        assert self.record(participants=[self.teacher], follow_up_owner=self.leader).pk

    def test_a_future_meeting_is_refused(self) -> None:
        message = self.refused("held_on", held_on=today() + dt.timedelta(days=1))
        assert "cannot be in the future" in message

    def test_what_we_see_is_required_and_follow_up_comes_in_pairs(self) -> None:
        assert self.refused("what_we_see", what_we_see="  ") == "Write what you see in the data."
        assert "Give the date" in self.refused("follow_up_on", follow_up_on=None)
        assert "Name who follows up" in self.refused("follow_up_owner", follow_up_owner=None)
        assert "before the meeting" in self.refused(
            "follow_up_on",
            held_on=today() - dt.timedelta(days=5),
            follow_up_on=today() - dt.timedelta(days=6),
        )

    def test_indicators_must_be_measured_for_the_unit(self) -> None:
        other = indicator("trivsel")  # in the catalogue, in no marker
        assert "not measured for Bakkeskolen" in self.refused("indicators", indicators=[other])

    def test_following_up_once(self) -> None:
        reflection = self.record()
        do_mark_followed_up(actor=self.teacher, reflection=reflection)
        assert reflection.followed_up_on == today()
        with self.assertRaises(ValidationError):
            do_mark_followed_up(actor=self.teacher, reflection=reflection)
        without = self.record(follow_up_owner=None, follow_up_on=None)
        with self.assertRaises(ValidationError):
            do_mark_followed_up(actor=self.leader, reflection=without)


class ReflectionPageTests(ReflectionCase):
    def create_url(self, unit_id: int | None = None) -> str:
        return reverse("results:reflection_create") + f"?unit={unit_id or self.school.pk}"

    def post_data(self, **changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "held_on": today().isoformat(),
            "participants": [self.teacher.pk, self.leader.pk],
            "indicators": [self.absence.pk],
            "what_we_see": "Absence keeps rising.",
            "what_we_adjust": "",
            "follow_up_owner": self.teacher.pk,
            "follow_up_on": (today() + dt.timedelta(days=7)).isoformat(),
        }
        data.update(changes)
        return data

    def test_the_leader_records_a_meeting(self) -> None:
        self.login(self.leader)
        response = self.client.get(self.create_url())
        self.assertContains(response, "Tom Thy")
        self.assertNotContains(response, "Sara Sand")  # not in the unit
        response = self.client.post(self.create_url(), self.post_data())
        reflection = Reflection.objects.get()
        self.assertRedirects(response, reverse("results:reflection", args=[reflection.pk]))

    def test_the_chief_records_for_a_school_beneath_her(self) -> None:
        self.login(self.chief)
        data = self.post_data(participants=[self.leader.pk], follow_up_owner=self.chief.pk)
        assert self.client.post(self.create_url(), data).status_code == 302

    def test_refusals_show_on_the_form_and_save_nothing(self) -> None:
        self.login(self.leader)
        cases = [
            (self.post_data(participants=[self.caseworker.pk]), "participants"),
            (
                self.post_data(participants=[self.leader.pk], follow_up_owner=self.teacher.pk),
                "follow_up_owner",
            ),
            (self.post_data(held_on=(today() + dt.timedelta(days=2)).isoformat()), "held_on"),
            (self.post_data(what_we_see=""), "what_we_see"),
        ]
        for data, field in cases:
            with self.subTest(field=field):
                response = self.client.post(self.create_url(), data)
                assert response.status_code == 400
                assert field in response.context["form"].errors
        response = self.client.post(
            self.create_url(),
            self.post_data(participants=[self.leader.pk], follow_up_owner=self.teacher.pk),
        )
        self.assertContains(response, "must take part in the meeting or lead it", status_code=400)
        assert not Reflection.objects.exists()

    def test_who_may_record(self) -> None:
        self.login(self.teacher)
        assert self.client.get(self.create_url()).status_code == 403
        assert self.client.post(self.create_url(), self.post_data()).status_code == 403
        self.login(self.outsider)
        assert self.client.get(self.create_url()).status_code == 404
        self.login(self.leader)  # sees the administration above, does not lead it
        assert self.client.get(self.create_url(self.children_admin.pk)).status_code == 403
        assert self.client.get(self.create_url(self.family_dept.pk)).status_code == 404
        assert self.client.put(self.create_url()).status_code == 405
        assert self.client.get(reverse("results:reflection_create")).status_code == 302
        assert not Reflection.objects.exists()

    def test_a_participant_reads_it_and_an_unrelated_teacher_gets_404(self) -> None:
        shared = self.record()
        private = self.record(participants=[self.leader], follow_up_owner=None, follow_up_on=None)
        self.login(self.teacher)
        assert self.client.get(reverse("results:reflection", args=[shared.pk])).status_code == 200
        assert self.client.get(reverse("results:reflection", args=[private.pk])).status_code == 404
        self.login(self.outsider)
        assert self.client.get(reverse("results:reflection", args=[shared.pk])).status_code == 404
        self.login(self.chief)  # leads the unit above
        assert self.client.get(reverse("results:reflection", args=[private.pk])).status_code == 200

    def test_the_data_are_the_units_own_numbers_without_employee_names(self) -> None:
        reflection = self.record(participants=[self.leader, self.teacher, self.tina])
        self.login(self.leader)
        html = self.client.get(reverse("results:reflection", args=[reflection.pk])).content.decode()
        record, data = section(html, "reflection-record"), section(html, "reflection-data")
        for name in ("Lise Lund", "Tom Thy", "Tina Toft"):
            assert name in record
            assert name not in data
        assert self.absence.name in data
        assert "Off target" in data and "15.0" in data
        assert "comparisons between individual employees are never shown" in data

    def test_the_list_shows_what_the_user_may_see(self) -> None:
        shared = self.record()
        self.record(participants=[self.leader], follow_up_owner=None, follow_up_on=None)
        self.login(self.teacher)
        html = section(
            self.client.get(reverse("results:reflections")).content.decode(), "reflection-list"
        )
        assert html.count('href="/results/reflections/') == 1
        assert f'href="/results/reflections/{shared.pk}/"' in html
        self.login(self.outsider)
        self.assertContains(
            self.client.get(reverse("results:reflections")), "No reflection meetings"
        )
        assert self.client.post(reverse("results:reflections")).status_code == 405

    def test_marking_followed_up(self) -> None:
        reflection = self.record(participants=[self.leader, self.teacher, self.tina])
        url = reverse("results:reflection_followed_up", args=[reflection.pk])
        self.login(self.tina)  # takes part, neither follows up nor leads
        assert self.client.post(url).status_code == 403
        self.login(self.outsider)
        assert self.client.post(url).status_code == 404
        self.login(self.teacher)
        assert self.client.get(url).status_code == 405
        self.assertRedirects(
            self.client.post(url), reverse("results:reflection", args=[reflection.pk])
        )
        reflection.refresh_from_db()
        assert reflection.followed_up_on == today()
        response = self.client.get(reverse("results:reflection", args=[reflection.pk]))
        self.assertContains(response, "followed up")
        self.assertNotContains(response, "Mark followed up")
