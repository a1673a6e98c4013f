"""The audit API: the family's insight and the leader's review, with the web's rules."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from helhed.api.tests.test_api_auth import ApiTestCase
from helhed.audit import codes
from helhed.audit.models import AuditEntry
from helhed.audit.trail import Entry, log_many
from helhed.citizens.actions import do_break_glass
from helhed.citizens.models import Citizen
from helhed.organisation.models import Role, Staff
from helhed.test import engage, make_citizen

MINE = "/api/audit/mine"
GLASS = "/api/audit/review/break-glass"
HEAVY = "/api/audit/review/heavy-users"
REASON = "Akut underretning modtaget uden for kontortid"


class AuditApiTestCase(ApiTestCase):
    viggo: Citizen

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        Role.objects.filter(code__in=["teacher", "caseworker"]).update(emergency_access=True)
        cls.viggo = make_citizen("Viggo", "Vestergaard", birth_date=dt.date(2013, 2, 2))

    def look_as(self, staff: Staff, citizen: Citizen) -> None:
        """Real use through the API: the staff member reads the citizen."""
        response = self.api("get", f"/api/citizens/{citizen.pk}", as_=staff)
        assert response.status_code == 200, response.content

    def mine(self, query: str = "", status: int = 200) -> Any:
        self.login(self.guardian)
        response = self.client.get(MINE + query, headers={"accept-language": "en"})
        assert response.status_code == status, response.content
        return response.json()

    def items(self, path: str, as_: Staff, status: int = 200) -> Any:
        """The items of the first page; the whole body for an error."""
        response = self.api("get", path, as_=as_)
        assert response.status_code == status, response.content
        body = response.json()
        return body["items"] if status == 200 else body


class MineApiTests(AuditApiTestCase):
    def test_the_guardian_gets_the_caseworkers_look_ups_of_her_child(self) -> None:
        self.look_as(self.caseworker, self.alma)
        body = self.mine()
        assert body["count"] == len(body["items"])
        [row] = [r for r in body["items"] if r["action"] == codes.VIEW]
        assert row["citizen_id"] == self.alma.pk
        assert row["actor"] == "Sara Sand"
        assert row["actor_unit"] == "Familieafdelingen"
        assert row["object_type"] == "citizens.citizen"
        assert row["object_label"] == "citizen"
        assert row["action_label"] == "Looked at"
        assert row["purpose"]
        assert row["break_glass"] is False
        assert row["by_you"] is False

    def test_a_siblings_entries_are_left_out_and_his_id_is_not_found(self) -> None:
        engage(self.bror, staff=self.caseworker)
        self.look_as(self.caseworker, self.bror)
        assert self.bror.pk not in {r["citizen_id"] for r in self.mine()["items"]}
        self.mine(f"?citizen_id={self.bror.pk}", status=404)
        self.mine("?citizen_id=999999", status=404)

    def test_the_filter_by_child_and_period(self) -> None:
        self.look_as(self.caseworker, self.alma)
        items = self.mine(f"?citizen_id={self.alma.pk}")["items"]
        assert items and {r["citizen_id"] for r in items} == {self.alma.pk}
        assert self.mine("?date_to=2001-01-01")["items"] == []

    def test_own_look_ups_only_when_asked(self) -> None:
        self.login(self.guardian)
        log_many([Entry(action=codes.VIEW, actor=self.guardian, citizen_id=self.alma.pk)])
        assert not [r for r in self.mine()["items"] if r["by_you"]]
        own = [r for r in self.mine("?include_own=true")["items"] if r["by_you"]]
        assert [r["actor"] for r in own] == ["You"]

    def test_break_the_glass_is_marked(self) -> None:
        do_break_glass(actor=self.colleague, citizen=self.alma, reason=REASON)
        self.look_as(self.colleague, self.alma)
        glass = [r for r in self.mine()["items"] if r["break_glass"]]
        assert {r["action"] for r in glass} == {codes.BREAK_GLASS, codes.VIEW}

    def test_a_bad_period_is_422_naming_the_field(self) -> None:
        body = self.mine("?date_from=2024-05-01&date_to=2024-04-01", status=422)
        assert [d["field"] for d in body["detail"]] == ["date_to"]
        self.mine("?date_from=0001-01-01", status=422)
        self.mine("?date_from=not-a-date", status=422)

    def test_it_paginates(self) -> None:
        entries = [Entry(action=codes.VIEW, actor=self.caseworker.user, citizen_id=self.alma.pk)]
        log_many(entries * 60)
        first = self.mine()
        second = self.mine("?page=2")
        assert first["count"] == second["count"] >= 60
        assert len(first["items"]) == 50
        assert len(second["items"]) == first["count"] - 50

    def test_staff_get_not_found(self) -> None:
        for staff in (self.caseworker, self.leader, self.director):
            with self.subTest(staff=staff):
                self.items(MINE, staff, status=404)

    def test_anonymous_gets_401_and_post_405(self) -> None:
        assert self.client.get(MINE).status_code == 401
        self.login(self.guardian)
        assert self.client.post(MINE).status_code == 405


class ReviewApiTests(AuditApiTestCase):
    def test_a_leader_gets_break_the_glass_by_her_staff_only(self) -> None:
        do_break_glass(actor=self.teacher, citizen=self.viggo, reason=REASON)
        self.look_as(self.teacher, self.viggo)
        do_break_glass(actor=self.colleague, citizen=self.alma, reason=REASON)
        rows = self.items(GLASS, self.leader)
        assert {r["actor_staff_id"] for r in rows} == {self.teacher.pk}
        assert {r["citizen_id"] for r in rows} == {self.viggo.pk}
        assert {r["action"] for r in rows} == {codes.BREAK_GLASS, codes.VIEW}
        assert all(REASON in r["purpose"] for r in rows)
        chief_rows = self.items(GLASS, self.chief)
        assert {r["actor_staff_id"] for r in chief_rows} == {self.teacher.pk, self.colleague.pk}

    def test_no_citizen_name_is_in_the_answers(self) -> None:
        do_break_glass(actor=self.teacher, citizen=self.viggo, reason=REASON)
        self.look_as(self.teacher, self.viggo)
        with override_settings(AUDIT_MANY_LOOKUPS=0):
            for path in (GLASS, HEAVY):
                text = json.dumps(self.items(path, self.leader))
                assert "Viggo" not in text and "Vestergaard" not in text, path

    @override_settings(AUDIT_MANY_LOOKUPS=1)
    def test_heavy_users_are_listed_per_day_with_the_count(self) -> None:
        self.look_as(self.teacher, self.alma)
        engage(self.viggo, staff=self.teacher)
        self.look_as(self.teacher, self.viggo)
        log_many([Entry(action=codes.SEARCH, actor=self.colleague.user, citizen_id=self.alma.pk)])
        assert self.items(HEAVY, self.leader) == [
            {
                "staff_id": self.teacher.pk,
                "actor": "Tom Thy",
                "day": timezone.localdate().isoformat(),
                "citizens": 2,
            }
        ]

    def test_the_period_defaults_to_30_days_and_can_be_chosen(self) -> None:
        long_ago = timezone.now() - dt.timedelta(days=40)
        log_many(
            [
                Entry(
                    action=codes.VIEW,
                    actor=self.teacher.user,
                    citizen_id=self.viggo.pk,
                    break_glass=True,
                    at=long_ago,
                )
            ]
        )
        assert self.items(GLASS, self.leader) == []
        day = timezone.localtime(long_ago).date().isoformat()
        rows = self.items(f"{GLASS}?date_from={day}&date_to={day}", self.leader)
        assert [r["citizen_id"] for r in rows] == [self.viggo.pk]

    def test_a_bad_period_is_422(self) -> None:
        for path in (GLASS, HEAVY):
            with self.subTest(path=path):
                body = self.items(
                    f"{path}?date_from=2024-05-02&date_to=2024-05-01", self.leader, 422
                )
                assert body["detail"][0]["field"] == "date_to"
                self.items(f"{path}?date_to=9999-12-31", self.leader, status=422)

    def test_other_staff_are_refused_and_family_logins_not_found(self) -> None:
        for path in (GLASS, HEAVY):
            for staff in (self.teacher, self.caseworker, self.analyst, self.politician):
                with self.subTest(path=path, staff=staff):
                    self.items(path, staff, status=403)
            self.login(self.guardian)
            assert self.client.get(path).status_code == 404
            self.client.logout()
            assert self.client.get(path).status_code == 401

    def test_only_get_is_allowed(self) -> None:
        for path in (GLASS, HEAVY):
            assert self.api("post", path, as_=self.leader, body={}).status_code == 405

    def test_reviewing_creates_no_entries(self) -> None:
        do_break_glass(actor=self.teacher, citizen=self.viggo, reason=REASON)
        before = AuditEntry.objects.count()
        self.items(GLASS, self.leader)
        self.items(HEAVY, self.leader)
        assert AuditEntry.objects.count() == before

    def test_the_schema_documents_the_endpoints(self) -> None:
        paths = self.client.get(reverse("api:openapi-json")).json()["paths"]
        for path in (MINE, GLASS, HEAVY):
            assert "get" in paths[path], path
