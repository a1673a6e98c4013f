"""Marks on the journey: green or red with a why; one per staff member, one for the family."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse

from helhed.audit import codes
from helhed.audit.models import AuditEntry
from helhed.citizens.models import Engagement
from helhed.plans.models import JourneyMark
from helhed.plans.tests.test_journey_views import JourneyCase
from helhed.test import engage

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as HttpResponse


class MarkCase(JourneyCase):
    def post_mark(
        self, kind: str, event_id: int, *, family: bool = False, **data: str
    ) -> HttpResponse:
        name = "plans:family_journey_mark" if family else "plans:journey_mark"
        url = reverse(name, args=[self.alma.pk])
        return self.client.post(url, {"event": f"{kind}-{event_id}", **data})

    def unmark(self, kind: str, event_id: int, *, family: bool = False) -> HttpResponse:
        name = "plans:family_journey_unmark" if family else "plans:journey_unmark"
        url = reverse(name, args=[self.alma.pk])
        return self.client.post(url, {"event": f"{kind}-{event_id}"})

    def meeting_mark(self, mark: str = "green", note: str = "Good to meet", **kw: bool) -> int:
        return self.post_mark(
            "meeting", self.meeting.pk, family=kw.get("family", False), mark=mark, note=note
        ).status_code


class StaffMarkTests(MarkCase):
    def test_each_staff_member_marks_an_event_once_and_may_change_it(self) -> None:
        self.login(self.teacher)
        assert self.meeting_mark("green", "Clear agreements") == 302
        assert self.meeting_mark("red", "Nobody followed up") == 302
        self.login(self.caseworker)
        assert self.meeting_mark("green", "The family spoke up") == 302
        marks = JourneyMark.objects.filter(event_type="meeting", event_id=self.meeting.pk)
        assert marks.count() == 2
        teacher = marks.get(marked_by_staff=self.teacher)
        assert (teacher.mark, teacher.note) == ("red", "Nobody followed up")
        response = self.client.get(self.staff_url())
        event = next(e for e in response.context["events"] if e.kind == "meeting")
        assert (event.green, event.red) == (1, 1)
        # Staff see which colleague marked.
        self.assertContains(response, "Tom Thy")
        self.assertContains(response, "Nobody followed up")

    def test_an_event_the_viewer_cannot_see_is_404(self) -> None:
        self.login(self.caseworker)  # does not see the teacher's concern
        response = self.post_mark("concern", self.concern.pk, mark="red", note="Too late")
        assert response.status_code == 404
        for kind, pk in (("concern", 10**9), ("nonsense", self.meeting.pk), ("meeting", 10**9)):
            with self.subTest(kind):
                assert self.post_mark(kind, pk, mark="red", note="x").status_code == 404
        assert self.unmark("concern", self.concern.pk).status_code == 404
        assert not JourneyMark.objects.exists()

    def test_a_missing_or_malformed_event_is_an_error_on_the_page(self) -> None:
        self.login(self.teacher)
        url = reverse("plans:journey_mark", args=[self.alma.pk])
        for event in ("", "meeting", "meeting-abc", "meeting-0", f"meeting-{2**70}", "x\x01-1"):
            with self.subTest(event):
                response = self.client.post(url, {"event": event, "mark": "red", "note": "x"})
                assert response.status_code == 422
                self.assertContains(response, 'data-testid="mark-error"', status_code=422)
        assert self.client.post(url, {}).status_code == 422
        assert not JourneyMark.objects.exists()

    def test_staff_who_may_not_see_the_citizen_get_404(self) -> None:
        for user in (self.colleague, self.leader, self.outsider, self.analyst):
            with self.subTest(str(user)):
                self.login(user)
                assert self.meeting_mark() == 404
        assert not JourneyMark.objects.exists()

    def test_who_sees_only_by_breaking_the_glass_reads_but_may_not_mark(self) -> None:
        engage(self.alma, staff=self.colleague, kind=Engagement.Kind.EMERGENCY)
        self.login(self.colleague)
        response = self.client.get(self.staff_url())
        assert response.status_code == 200
        assert response.context["can_mark"] is False
        self.assertNotContains(response, "Mark this event")
        assert self.meeting_mark() == 403
        assert not JourneyMark.objects.exists()

    def test_bad_input_is_an_error_on_the_page_not_a_500(self) -> None:
        self.login(self.teacher)
        cases: list[dict[str, str]] = [
            {"mark": "blue", "note": "Fine"},
            {"mark": "green", "note": ""},
            {"mark": "green", "note": "   "},
            {"mark": "red", "note": "x" * 301},
            {"mark": "red", "note": f"About {self.alma.cpr}"},
            {},
        ]
        for data in cases:
            with self.subTest(data):
                url = reverse("plans:journey_mark", args=[self.alma.pk])
                response = self.client.post(url, {"event": f"meeting-{self.meeting.pk}", **data})
                assert response.status_code == 422
                assert response.context["mark_key"] == f"meeting-{self.meeting.pk}"
                assert response.context["mark_form"].errors
        assert not JourneyMark.objects.exists()

    def test_taking_back_a_mark_leaves_the_others(self) -> None:
        self.login(self.caseworker)
        self.meeting_mark()
        self.login(self.teacher)
        self.meeting_mark()
        response = self.unmark("meeting", self.meeting.pk)
        assert response.status_code == 302
        assert list(JourneyMark.objects.values_list("marked_by_staff", flat=True)) == [
            self.caseworker.pk
        ]
        # Nothing left to take back: a message, not an error.
        assert self.unmark("meeting", self.meeting.pk).status_code == 302

    def test_a_mark_is_audited_as_a_change_about_the_citizen(self) -> None:
        self.login(self.teacher)
        self.meeting_mark()
        mark = JourneyMark.objects.get()
        assert AuditEntry.objects.filter(
            action=codes.CREATE, citizen_id=self.alma.pk, object_id=str(mark.pk)
        ).exists()

    def test_wrong_method(self) -> None:
        self.login(self.teacher)
        for name in ("plans:journey_mark", "plans:journey_unmark"):
            url = reverse(name, args=[self.alma.pk])
            assert self.client.get(url).status_code == 405


class FamilyMarkTests(MarkCase):
    def test_the_family_marks_once_and_is_shown_as_the_family(self) -> None:
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # who marked, in English
        self.login(self.teacher)
        self.meeting_mark("red", "Started late")
        self.login(self.guardian)
        assert self.meeting_mark("green", "We were heard", family=True) == 302
        assert self.meeting_mark("red", "Too many people", family=True) == 302
        family = JourneyMark.objects.filter(marked_by_family=True)
        assert family.count() == 1
        assert family.get().note == "Too many people"
        # The family sees the professional's note but not who wrote it.
        response = self.client.get(self.family_url())
        event = next(e for e in response.context["events"] if e.kind == "meeting")
        assert (event.green, event.red) == (0, 2)
        self.assertContains(response, "Started late")
        self.assertContains(response, "A professional")
        self.assertNotContains(response, "Tom Thy")
        # Staff see the family's mark as "the family".
        self.login(self.teacher)
        self.assertContains(self.client.get(self.staff_url()), "The family")

    def test_the_family_cannot_mark_what_the_family_view_does_not_show(self) -> None:
        self.login(self.guardian)
        for kind, pk in (
            ("concern", self.concern.pk),
            ("notification", self.notification.pk),
            ("referral", self.referral.pk),
            ("contact", self.contact.pk),
        ):
            with self.subTest(kind):
                response = self.post_mark(kind, pk, family=True, mark="red", note="x")
                assert response.status_code == 404
        assert not JourneyMark.objects.exists()

    def test_a_sibling_not_in_care_and_staff_get_404(self) -> None:
        self.login(self.guardian)
        url = reverse("plans:family_journey_mark", args=[self.bror.pk])
        body = {"event": f"meeting-{self.meeting.pk}", "mark": "green", "note": "x"}
        assert self.client.post(url, body).status_code == 404
        self.login(self.teacher)
        assert self.meeting_mark(family=True) == 404
        assert not JourneyMark.objects.exists()

    def test_the_family_takes_back_its_mark(self) -> None:
        self.login(self.guardian)
        self.meeting_mark(family=True)
        response = self.unmark("meeting", self.meeting.pk, family=True)
        assert response.status_code == 302
        assert not JourneyMark.objects.exists()
