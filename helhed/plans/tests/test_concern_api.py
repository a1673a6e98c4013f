"""The concerns API: the same access and rules as the web pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.lib.validity import today
from helhed.plans.actions.concerns import do_close_concern, do_log_concern
from helhed.plans.models import Concern, ConcernEvent, Notification, Plan
from helhed.test import make_citizen

BASE = "/api/concerns"


class ConcernApiTestCase(ApiTestCase):
    def log(self, **changes: Any) -> Concern:
        data: dict[str, Any] = {
            "actor": self.teacher,
            "citizen": self.alma,
            "unit": self.school,
            "observation": "Alma virker bange for at gå hjem.",
            "category": Concern.Category.FAMILY,
            "severity": Concern.Severity.HIGH,
            "parents_informed": True,
            "follow_up_owner": self.teacher,
            "follow_up_on": today() + dt.timedelta(days=7),
        }
        data.update(changes)
        return do_log_concern(**data)

    def payload(self, **changes: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "citizen_id": self.alma.pk,
            "observation": "Alma har ikke været i skole i en uge.",
            "category": "absence",
            "severity": "medium",
            "parents_informed": True,
        }
        body.update(changes)
        return body

    def fields(self, response: Any) -> set[str]:
        return {error["field"] for error in response.json()["detail"]}


class ListAndGetTests(ConcernApiTestCase):
    def test_it_lists_my_concerns_overdue_first(self) -> None:
        later = self.log()
        overdue = self.log()
        Concern.objects.filter(pk=overdue.pk).update(follow_up_on=today() - dt.timedelta(days=2))
        body = self.api("get", BASE, as_=self.teacher).json()
        self.assertEqual([c["id"] for c in body["items"]], [overdue.pk, later.pk])
        self.assertEqual([c["is_overdue"] for c in body["items"]], [True, False])
        only = self.api("get", f"{BASE}?overdue=true", as_=self.teacher).json()
        self.assertEqual([c["id"] for c in only["items"]], [overdue.pk])

    def test_a_closed_concern_is_not_overdue(self) -> None:
        concern = self.log()
        do_close_concern(actor=self.teacher, concern=concern, outcome="Afklaret")
        Concern.objects.filter(pk=concern.pk).update(follow_up_on=today() - dt.timedelta(days=2))
        body = self.api("get", f"{BASE}?overdue=true", as_=self.teacher).json()
        self.assertEqual(body["count"], 0)
        closed = self.api("get", f"{BASE}?status=closed", as_=self.teacher).json()
        self.assertEqual([c["is_overdue"] for c in closed["items"]], [False])

    def test_the_owner_who_did_not_raise_it_sees_it(self) -> None:
        concern = self.log(follow_up_owner=self.leader)
        body = self.api("get", BASE, as_=self.leader).json()
        self.assertEqual([c["id"] for c in body["items"]], [concern.pk])

    def test_others_see_no_concern(self) -> None:
        concern = self.log()
        for staff in (self.outsider, self.colleague, self.caseworker, self.leader):
            with self.subTest(staff=staff):
                self.assertEqual(self.api("get", BASE, as_=staff).json()["count"], 0)
                response = self.api("get", f"{BASE}/{concern.pk}", as_=staff)
                self.assertEqual(response.status_code, 404)

    def test_one_concern_comes_with_its_history(self) -> None:
        concern = self.log()
        response = self.api("get", f"{BASE}/{concern.pk}", as_=self.teacher)
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["citizen_name"], "Alma Jensen")
        self.assertEqual([e["kind"] for e in body["events"]], ["logged"])
        self.assertIsNone(body["notification"])

    def test_it_needs_authentication(self) -> None:
        self.assertEqual(self.api("get", BASE).status_code, 401)

    def test_wrong_method_is_405(self) -> None:
        concern = self.log()
        response = self.api("delete", f"{BASE}/{concern.pk}", as_=self.teacher)
        self.assertEqual(response.status_code, 405)
        response = self.api("get", f"{BASE}/{concern.pk}/close", as_=self.teacher)
        self.assertEqual(response.status_code, 405)


class LogTests(ConcernApiTestCase):
    def test_it_logs_with_defaults_for_unit_owner_and_date(self) -> None:
        response = self.api("post", BASE, as_=self.teacher, body=self.payload())
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(body["unit_id"], self.school.pk)
        self.assertEqual(body["follow_up_owner_id"], self.teacher.pk)
        self.assertEqual(body["follow_up_on"], (today() + dt.timedelta(days=14)).isoformat())
        self.assertEqual([e["kind"] for e in body["events"]], ["logged"])

    def test_bad_input_is_422_and_saves_nothing(self) -> None:
        yesterday = (today() - dt.timedelta(days=1)).isoformat()
        tomorrow = (today() + dt.timedelta(days=1)).isoformat()
        cases: dict[str, dict[str, Any]] = {
            "follow_up_on": {"follow_up_on": yesterday},
            "observed_on": {"observed_on": tomorrow},
            "parents_not_informed_reason": {"parents_informed": False},
            "follow_up_owner": {"follow_up_owner_id": self.outsider.pk},
            "unit": {"unit_id": self.family_dept.pk},
        }
        for field, changes in cases.items():
            with self.subTest(field=field):
                response = self.api("post", BASE, as_=self.teacher, body=self.payload(**changes))
                self.assertEqual(response.status_code, 422, response.content)
                self.assertIn(field, self.fields(response))
        self.assertFalse(Concern.objects.exists())

    def test_the_outsiders_name_is_not_revealed(self) -> None:
        response = self.api(
            "post", BASE, as_=self.teacher, body=self.payload(follow_up_owner_id=self.outsider.pk)
        )
        self.assertNotIn("Otto", response.content.decode())

    def test_schema_errors_are_422(self) -> None:
        for changes in ({"category": "gossip"}, {"observation": ""}, {"observation": "a\x00b"}):
            with self.subTest(changes=changes):
                response = self.api("post", BASE, as_=self.teacher, body=self.payload(**changes))
                self.assertEqual(response.status_code, 422)
        self.assertFalse(Concern.objects.exists())

    def test_a_citizen_the_user_cannot_see_is_404(self) -> None:
        stranger = make_citizen("Ukendt", birth_date=dt.date(2013, 1, 1))
        cases = [(self.teacher, stranger.pk), (self.colleague, self.alma.pk), (self.outsider, 0)]
        for staff, citizen_id in cases:
            with self.subTest(staff=staff):
                response = self.api(
                    "post", BASE, as_=staff, body=self.payload(citizen_id=citizen_id)
                )
                self.assertEqual(response.status_code, 404)
        self.assertFalse(Concern.objects.exists())


class FollowUpTests(ConcernApiTestCase):
    def test_a_note_and_a_reassignment_are_added_to_the_history(self) -> None:
        concern = self.log()
        url = f"{BASE}/{concern.pk}/notes"
        response = self.api("post", url, as_=self.teacher, body={"note": "Talt med mor"})
        self.assertEqual(response.status_code, 201)
        response = self.api(
            "post", url, as_=self.teacher, body={"follow_up_owner_id": self.leader.pk}
        )
        self.assertEqual(response.status_code, 201)
        body = response.json()
        self.assertEqual([e["kind"] for e in body["events"]], ["logged", "note", "reassigned"])
        self.assertEqual(body["follow_up_owner_id"], self.leader.pk)

    def test_a_past_follow_up_date_is_422(self) -> None:
        concern = self.log()
        response = self.api(
            "post",
            f"{BASE}/{concern.pk}/notes",
            as_=self.teacher,
            body={"note": "x", "follow_up_on": (today() - dt.timedelta(days=1)).isoformat()},
        )
        self.assertEqual(response.status_code, 422)
        self.assertEqual(self.fields(response), {"follow_up_on"})
        self.assertEqual(concern.events.count(), 1)

    def test_close_needs_an_outcome(self) -> None:
        concern = self.log()
        url = f"{BASE}/{concern.pk}/close"
        response = self.api("post", url, as_=self.teacher, body={"outcome": " "})
        self.assertEqual(response.status_code, 422)
        response = self.api("post", url, as_=self.teacher, body={"outcome": "Afklaret"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["status"], "closed")

    def test_a_closed_concern_is_read_only_403(self) -> None:
        concern = self.log()
        do_close_concern(actor=self.teacher, concern=concern, outcome="Afklaret")
        response = self.api(
            "post", f"{BASE}/{concern.pk}/notes", as_=self.teacher, body={"note": "Mere"}
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.api("get", f"{BASE}/{concern.pk}", as_=self.teacher).status_code, 200)

    def test_others_get_404_on_changes(self) -> None:
        concern = self.log()
        for staff in (self.outsider, self.caseworker):
            with self.subTest(staff=staff):
                response = self.api(
                    "post", f"{BASE}/{concern.pk}/notes", as_=staff, body={"note": "Hej"}
                )
                self.assertEqual(response.status_code, 404)
        self.assertEqual(concern.events.count(), 1)

    def test_escalating_into_a_notification_keeps_the_history(self) -> None:
        concern = self.log()
        response = self.api(
            "post",
            f"{BASE}/{concern.pk}/notification",
            as_=self.teacher,
            body={"to_unit_id": self.family_dept.pk, "reason": "Mistanke om omsorgssvigt"},
        )
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(body["status"], "notified")
        self.assertEqual(body["notification"]["to_unit_id"], self.family_dept.pk)
        self.assertEqual([e["kind"] for e in body["events"]], ["logged", "notified"])
        self.assertEqual(Notification.objects.get().concern, concern)

    def test_a_notification_to_another_sector_is_422(self) -> None:
        concern = self.log()
        for to_unit_id in (self.school.pk, 999999):
            with self.subTest(to_unit_id=to_unit_id):
                response = self.api(
                    "post",
                    f"{BASE}/{concern.pk}/notification",
                    as_=self.teacher,
                    body={"to_unit_id": to_unit_id, "reason": "x"},
                )
                self.assertEqual(response.status_code, 422)
                self.assertEqual(self.fields(response), {"to_unit"})
        self.assertFalse(Notification.objects.exists())
        self.assertEqual(
            list(concern.events.values_list("kind", flat=True)), [ConcernEvent.Kind.LOGGED]
        )

    def test_escalating_into_a_plan_keeps_the_history(self) -> None:
        concern = self.log()
        response = self.api(
            "post", f"{BASE}/{concern.pk}/plan", as_=self.teacher, body={"title": "Almas plan"}
        )
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        plan = Plan.objects.get()
        self.assertEqual(plan.title, "Almas plan")
        self.assertEqual(plan.coordinator, self.teacher)
        self.assertEqual(body["plan_id"], plan.pk)
        self.assertEqual(body["status"], "plan")
        self.assertEqual([e["kind"] for e in body["events"]], ["logged", "plan"])

    def test_a_coordinator_from_another_municipality_is_422(self) -> None:
        concern = self.log()
        response = self.api(
            "post",
            f"{BASE}/{concern.pk}/plan",
            as_=self.teacher,
            body={"coordinator_id": self.outsider.pk},
        )
        self.assertEqual(response.status_code, 422)
        self.assertEqual(self.fields(response), {"coordinator"})
        self.assertFalse(Plan.objects.exists())
