"""The journey through the API: the same visibility and marking rules as the pages."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User

from helhed.api.models import ApiToken
from helhed.audit import codes
from helhed.audit.models import AuditEntry
from helhed.citizens.models import Engagement
from helhed.organisation.models import Staff
from helhed.plans.models import JourneyMark
from helhed.plans.tests.test_journey_views import ALL_STAFF_KINDS, JourneyCase, days
from helhed.test import engage

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

BASE = "/api/journeys"


class JourneyApiTests(JourneyCase):
    def call(
        self, method: str, path: str, as_: Staff | User | None = None, body: Any = None
    ) -> TestResponse:
        headers = {"accept-language": "en"}
        user = as_.user if isinstance(as_, Staff) else as_
        if user is not None:
            headers["authorization"] = f"Bearer {ApiToken.issue(user, 'test')[1]}"
        if body is not None:
            return getattr(self.client, method)(
                path, json.dumps(body), content_type="application/json", headers=headers
            )
        return getattr(self.client, method)(path, headers=headers)

    def url(self, citizen_id: int | None = None) -> str:
        return f"{BASE}/{citizen_id or self.alma.pk}"

    def kinds(self, response: TestResponse) -> set[str]:
        return {e["type"] for e in response.json()["items"]}

    def mark(self, **changes: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "event_type": "meeting",
            "event_id": self.meeting.pk,
            "mark": "green",
            "note": "Good meeting",
        }
        body.update(changes)
        return body

    def test_the_journey_shows_only_what_the_caller_may_see(self) -> None:
        teacher = self.call("get", self.url(), self.teacher)
        assert teacher.status_code == 200, teacher.content
        assert self.kinds(teacher) == ALL_STAFF_KINDS
        assert self.kinds(self.call("get", self.url(), self.caseworker)).isdisjoint(
            {"concern", "notification"}
        )
        family = self.call("get", self.url(), self.guardian)
        assert family.status_code == 200
        assert self.kinds(family) == {
            "plan_started",
            "effort_started",
            "effort_ended",
            "meeting",
            "handover_sent",
            "handover_accepted",
        }

    def test_strangers_and_siblings_not_in_care_get_404(self) -> None:
        for who in (self.colleague, self.leader, self.outsider, self.analyst):
            with self.subTest(str(who)):
                assert self.call("get", self.url(), who).status_code == 404
        assert self.call("get", self.url(self.bror.pk), self.guardian).status_code == 404
        assert self.call("get", self.url(2**70), self.teacher).status_code in (404, 422)
        assert self.call("get", self.url(), None).status_code == 401

    def test_a_read_is_audited(self) -> None:
        entries = AuditEntry.objects.filter(citizen_id=self.alma.pk, action=codes.VIEW)
        before = entries.count()
        assert self.call("get", self.url(), self.caseworker).status_code == 200
        assert entries.count() == before + 1

    def test_filters_and_bad_filters(self) -> None:
        social = self.call("get", self.url() + "?sector=social&order=oldest", self.teacher)
        assert self.kinds(social) == {
            "notification",
            "referral",
            "handover_sent",
            "handover_accepted",
        }
        dates = [e["on"] for e in social.json()["items"]]
        assert dates == sorted(dates)
        for query in (
            "?sector=nope",
            "?since=yesterday",
            "?order=sideways",
            f"?since={days(1).isoformat()}&until={days(30).isoformat()}",
            "?page=0",
        ):
            with self.subTest(query):
                assert self.call("get", self.url() + query, self.teacher).status_code == 422

    def test_marks_one_per_staff_member_replaced_and_taken_back(self) -> None:
        first = self.call("post", self.url() + "/marks", self.teacher, self.mark())
        assert first.status_code == 201, first.content
        again = self.call(
            "post", self.url() + "/marks", self.teacher, self.mark(mark="red", note="Too long")
        )
        assert again.status_code == 201
        body = again.json()
        assert (body["green"], body["red"]) == (0, 1)
        assert body["marks"][0]["by"] == "Tom Thy"
        assert body["marks"][0]["own"] is True
        self.call("post", self.url() + "/marks", self.caseworker, self.mark())
        assert JourneyMark.objects.count() == 2
        path = f"{self.url()}/marks?event_type=meeting&event_id={self.meeting.pk}"
        assert self.call("delete", path, self.teacher).status_code == 204
        assert self.call("delete", path, self.teacher).status_code == 404
        assert list(JourneyMark.objects.values_list("marked_by_staff", flat=True)) == [
            self.caseworker.pk
        ]

    def test_the_family_marks_once_and_sees_no_staff_names(self) -> None:
        self.call("post", self.url() + "/marks", self.teacher, self.mark(note="Well run"))
        self.call("post", self.url() + "/marks", self.guardian, self.mark(note="We were heard"))
        response = self.call(
            "post", self.url() + "/marks", self.guardian, self.mark(mark="red", note="Too short")
        )
        assert response.status_code == 201
        assert JourneyMark.objects.filter(marked_by_family=True).count() == 1
        by = {m["by"] for m in response.json()["marks"]}
        assert by == {"The family", "A professional"}

    def test_an_event_the_caller_cannot_see_is_404(self) -> None:
        hidden = self.mark(event_type="concern", event_id=self.concern.pk)
        assert self.call("post", self.url() + "/marks", self.caseworker, hidden).status_code == 404
        contact = self.mark(event_type="contact", event_id=self.contact.pk)
        assert self.call("post", self.url() + "/marks", self.guardian, contact).status_code == 404
        unknown = self.mark(event_type="nonsense")
        assert self.call("post", self.url() + "/marks", self.teacher, unknown).status_code == 404
        assert (
            self.call("post", self.url() + "/marks", self.outsider, self.mark()).status_code == 404
        )
        assert not JourneyMark.objects.exists()

    def test_bad_marks_answer_422(self) -> None:
        for body in (
            self.mark(mark="blue"),
            self.mark(note=""),
            self.mark(note="x" * 301),
            self.mark(note=f"About {self.alma.cpr}"),
            self.mark(note="a\x00b"),
            self.mark(event_id=0),
            self.mark(event_id=2**70),
            {"mark": "green"},
        ):
            with self.subTest(body):
                response = self.call("post", self.url() + "/marks", self.teacher, body)
                assert response.status_code == 422, response.content
        assert not JourneyMark.objects.exists()

    def test_who_sees_only_by_breaking_the_glass_reads_but_may_not_mark(self) -> None:
        engage(self.alma, staff=self.colleague, kind=Engagement.Kind.EMERGENCY)
        assert self.call("get", self.url(), self.colleague).status_code == 200
        response = self.call("post", self.url() + "/marks", self.colleague, self.mark())
        assert response.status_code == 403
        assert not JourneyMark.objects.exists()

    def test_taking_back_with_bad_input_answers_422(self) -> None:
        for query in ("", "?event_type=meeting", "?event_type=meeting&event_id=0"):
            with self.subTest(query):
                response = self.call("delete", f"{self.url()}/marks{query}", self.teacher)
                assert response.status_code == 422

    def test_wrong_method(self) -> None:
        assert self.call("put", self.url(), self.teacher, {}).status_code == 405
