"""No one grants a role to themself, and every grant, change and end of a role is audited.

A role opens citizens' data (a front-line role in a unit opens the unit's
citizens), so an administrator with a staff record of their own must not give
it a role: another administrator does (two people). Nor may an administrator
link their own login to a staff record that holds roles. The rule is
``policy.may_assign_role`` / ``policy.may_change_staff``; the admin forms and
the actions ask it. Every grant, change and end is in the audit log with ids
and codes only, and the leaders' review lists them for their units.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from helhed import policy
from helhed.audit import codes
from helhed.audit.chain import verify
from helhed.audit.models import AuditEntry
from helhed.organisation.actions import (
    do_assign_role,
    do_close_unit,
    do_end_assignment,
    do_move_unit,
)
from helhed.organisation.importers import import_csv
from helhed.organisation.models import Role, RoleAssignment, Staff
from helhed.test import PASSWORD, BaseTestCase, assign, make_staff, make_unit, municipality

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

ROLE_ADD = reverse("admin:organisation_roleassignment_add")
STAFF_ADD = reverse("admin:organisation_staff_add")
START = dt.date(2024, 1, 1)
OWN_ROLES = "You cannot grant, change or end your own roles"
OWN_LOGIN = "You cannot link your own login to a staff record"
OWN_RECORD = "This is your own staff record"
ROLE_CODES = {codes.ROLE_GRANTED, codes.ROLE_CHANGED, codes.ROLE_ENDED, codes.ROLE_MOVED}


def role_change_url(assignment: RoleAssignment) -> str:
    return reverse("admin:organisation_roleassignment_change", args=[assignment.pk])


def staff_change_url(staff: Staff) -> str:
    return reverse("admin:organisation_staff_change", args=[staff.pk])


class RoleGrantTestCase(BaseTestCase):
    """The base cast, plus Ada: an administrator who also works in the municipality."""

    ada: Staff
    ada_user: User
    nina: Staff

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.ada = make_staff("Ada", "Andersen", username="ada", municipality_code=230)
        assert cls.ada.user is not None
        cls.ada_user = cls.ada.user
        cls.ada_user.is_staff = True
        cls.ada_user.is_superuser = True
        cls.ada_user.save()
        # A teacher at Bakkeskolen without a login: a staff identity to take over.
        cls.nina = make_staff("Nina", "Nørgaard", unit=cls.school, role="teacher")

    def setUp(self) -> None:
        self.start = self.last_seq()

    @staticmethod
    def last_seq() -> int:
        return AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0

    def login_en(self, user: User) -> None:
        self.client.force_login(user)
        # Messages are asserted in English: choose it as a user would.
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def new_entries(self, *actions: str) -> list[AuditEntry]:
        """Entries written since the test began, oldest first (all role and login codes)."""
        wanted = actions or (*ROLE_CODES, codes.STAFF_LOGIN)
        return list(
            AuditEntry.objects.filter(seq__gt=self.start, action__in=wanted).order_by("seq")
        )

    def post_role(self, url: str = ROLE_ADD, **fields: Any) -> TestResponse:
        data = {
            "staff": str(self.ada.pk),
            "unit": str(self.school.pk),
            "role": str(Role.objects.get(code="teacher").pk),
            "job_title": "",
            "valid_from": START.isoformat(),
            "valid_to": "",
            **{name: str(value) for name, value in fields.items()},
        }
        return self.client.post(url, data)

    def post_staff(self, url: str, staff: Staff | None = None, **fields: Any) -> TestResponse:
        data = {
            "user": str(staff.user_id or "") if staff else "",
            "municipality": str(staff.municipality_id if staff else municipality(230).pk),
            "first_name": staff.first_name if staff else "Ny",
            "last_name": staff.last_name if staff else "Medarbejder",
            "email": staff.email if staff else "",
            "external_id": staff.external_id if staff else "",
            **{name: str(value) for name, value in fields.items()},
        }
        return self.client.post(url, data)

    def assert_no_names(self, entry: AuditEntry, *people: Staff) -> None:
        """The entry's own fields (all but who did it) name no one and no citizen."""
        assert entry.citizen_id is None
        written = json.dumps(
            [entry.detail, entry.purpose, entry.object_type, entry.object_id], ensure_ascii=False
        )
        for person in people:
            assert person.first_name not in written, written
            assert person.last_name not in written, written


class AdminRoleFormTests(RoleGrantTestCase):
    def test_an_administrator_cannot_give_their_own_staff_record_a_role(self) -> None:
        self.login_en(self.ada_user)
        response = self.post_role()
        assert response.status_code == 200
        self.assertContains(response, OWN_ROLES)
        assert not RoleAssignment.objects.filter(staff=self.ada).exists()
        assert self.new_entries() == []
        assert not policy.can_view_citizen(self.ada_user, self.alma)

    def test_another_administrator_can_give_it(self) -> None:
        self.login_en(self.admin)
        response = self.post_role()
        assert response.status_code == 302, response.content
        assignment = RoleAssignment.objects.get(staff=self.ada)
        # Four eyes: Ada now sees Bakkeskolen's pupils, because someone else said so.
        assert policy.can_view_citizen(self.ada_user, self.alma)
        [entry] = self.new_entries()
        assert entry.action == codes.ROLE_GRANTED
        assert entry.actor_id == self.admin.pk
        assert entry.actor == "admin"
        assert entry.source.startswith("web ")
        assert (entry.object_type, entry.object_id) == (
            "organisation.roleassignment",
            str(assignment.pk),
        )
        assert entry.detail == {
            "staff": self.ada.pk,
            "role": "teacher",
            "unit": self.school.pk,
            "valid_from": START.isoformat(),
            "valid_to": None,
        }
        self.assert_no_names(entry, self.ada)
        assert verify().ok

    def test_an_administrator_cannot_change_their_own_role(self) -> None:
        assignment = do_assign_role(
            staff=self.ada,
            unit=self.school,
            role=Role.objects.get(code="teacher"),
            valid_from=START,
            valid_to=dt.date(2024, 6, 30),
            by=self.admin,
        )
        self.start = self.last_seq()
        self.login_en(self.ada_user)
        response = self.post_role(role_change_url(assignment), valid_to="2030-12-31")
        assert response.status_code == 200
        self.assertContains(response, OWN_ROLES)
        assignment.refresh_from_db()
        assert assignment.valid_to == dt.date(2024, 6, 30)
        # Handing their own role on to someone else is changing it too.
        response = self.post_role(role_change_url(assignment), staff=self.nina.pk)
        self.assertContains(response, OWN_ROLES)
        assert RoleAssignment.objects.get(pk=assignment.pk).staff_id == self.ada.pk
        assert self.new_entries() == []

    def test_an_administrator_cannot_take_over_someone_elses_role(self) -> None:
        teacher_role = RoleAssignment.objects.get(staff=self.teacher)
        self.login_en(self.ada_user)
        response = self.post_role(
            role_change_url(teacher_role),
            staff=self.ada.pk,
            valid_from=teacher_role.valid_from.isoformat(),
        )
        assert response.status_code == 200
        self.assertContains(response, OWN_ROLES)
        assert RoleAssignment.objects.get(pk=teacher_role.pk).staff_id == self.teacher.pk
        assert self.new_entries() == []

    def test_another_administrator_ends_and_changes_a_role(self) -> None:
        assignment = RoleAssignment.objects.get(staff=self.nina)
        self.login_en(self.ada_user)
        url = role_change_url(assignment)
        common = {"staff": self.nina.pk, "valid_from": assignment.valid_from.isoformat()}
        response = self.post_role(url, **common, valid_to="2025-07-31")
        assert response.status_code == 302, response.content
        response = self.post_role(url, **common, valid_to="2025-07-31", job_title="Lærer")
        assert response.status_code == 302, response.content
        # Saving without a change writes nothing.
        response = self.post_role(url, **common, valid_to="2025-07-31", job_title="Lærer")
        assert response.status_code == 302, response.content
        ended, changed = self.new_entries()
        assert ended.action == codes.ROLE_ENDED
        assert ended.detail["valid_to"] == "2025-07-31"
        assert ended.detail["previous_valid_to"] is None
        assert changed.action == codes.ROLE_CHANGED
        assert changed.detail["fields"] == ["job_title"]
        assert {ended.actor_id, changed.actor_id} == {self.ada_user.pk}
        for entry in (ended, changed):
            self.assert_no_names(entry, self.nina)
        assert verify().ok


class AdminStaffFormTests(RoleGrantTestCase):
    def test_an_administrator_cannot_link_their_login_to_a_teachers_record(self) -> None:
        self.login_en(self.admin)
        response = self.post_staff(staff_change_url(self.nina), self.nina, user=self.admin.pk)
        assert response.status_code == 200
        self.assertContains(response, OWN_LOGIN)
        self.nina.refresh_from_db()
        assert self.nina.user_id is None
        assert not policy.can_view_citizen(self.admin, self.alma)
        assert self.new_entries() == []

    def test_an_administrator_cannot_make_a_staff_record_for_their_own_login(self) -> None:
        self.login_en(self.admin)
        before = Staff.objects.count()
        response = self.post_staff(STAFF_ADD, user=self.admin.pk)
        assert response.status_code == 200
        self.assertContains(response, OWN_LOGIN)
        assert Staff.objects.count() == before

    def test_an_administrator_cannot_change_their_own_staff_record(self) -> None:
        self.login_en(self.ada_user)
        response = self.post_staff(
            staff_change_url(self.ada), self.ada, municipality=municipality(167).pk
        )
        assert response.status_code == 200
        self.assertContains(response, OWN_RECORD)
        self.ada.refresh_from_db()
        assert self.ada.municipality_id == municipality(230).pk

    def test_another_administrator_links_the_login_and_it_is_logged(self) -> None:
        clerk = get_user_model().objects.create_user("nina", password=PASSWORD)
        self.login_en(self.ada_user)
        response = self.post_staff(staff_change_url(self.nina), self.nina, user=clerk.pk)
        assert response.status_code == 302, response.content
        self.nina.refresh_from_db()
        assert self.nina.user_id == clerk.pk
        [entry] = self.new_entries()
        assert entry.action == codes.STAFF_LOGIN
        assert entry.actor_id == self.ada_user.pk
        assert entry.detail == {"staff": self.nina.pk, "user": clerk.pk, "previous_user": None}
        self.assert_no_names(entry, self.nina)


class ActionTests(RoleGrantTestCase):
    def setUp(self) -> None:
        super().setUp()
        # The actions' refusals are read in English (the catalogue would give Danish).
        self.enterContext(translation.override("en"))

    def grant(self, by: User | None, staff: Staff | None = None) -> RoleAssignment:
        return do_assign_role(
            staff=staff or self.ada,
            unit=self.school,
            role=Role.objects.get(code="teacher"),
            valid_from=START,
            by=by,
        )

    def test_no_one_grants_themself_a_role_through_the_action(self) -> None:
        with self.assertRaisesMessage(PermissionDenied, OWN_ROLES):
            self.grant(by=self.ada_user)
        assert not RoleAssignment.objects.filter(staff=self.ada).exists()
        assert self.new_entries() == []

    def test_only_an_administrator_grants_roles(self) -> None:
        assert self.leader.user is not None
        with self.assertRaises(PermissionDenied):
            self.grant(by=self.leader.user, staff=self.nina)
        # An administrator of another municipality does not reach Rudersdal's staff.
        hvidovre = make_staff("Hans", "Holm", username="hvidovre-admin", municipality_code=167)
        assert hvidovre.user is not None
        hvidovre.user.is_staff = True
        hvidovre.user.save()
        with self.assertRaises(PermissionDenied):
            self.grant(by=hvidovre.user, staff=self.nina)

    def test_another_administrator_grants_and_ends_it(self) -> None:
        assignment = self.grant(by=self.admin)
        with self.assertRaisesMessage(PermissionDenied, OWN_ROLES):
            do_end_assignment(assignment, dt.date(2024, 12, 31), by=self.ada_user)
        do_end_assignment(assignment, dt.date(2024, 12, 31), by=self.admin)
        granted, ended = self.new_entries()
        assert (granted.action, ended.action) == (codes.ROLE_GRANTED, codes.ROLE_ENDED)
        assert ended.detail["valid_to"] == "2024-12-31"
        assert verify().ok


class AuditedEverywhereTests(RoleGrantTestCase):
    """Roles changed without an administrator asking are logged too."""

    def test_closing_a_unit_ends_its_roles(self) -> None:
        club = make_unit("Klubben", parent=self.children_admin, sector="culture_leisure")
        running = assign(self.nina, club, "pedagogue", valid_from=START)
        future = assign(self.nina, club, "pedagogue", valid_from=dt.date(2031, 1, 1))
        self.start = self.last_seq()
        do_close_unit(club, dt.date(2030, 6, 30))
        entries = {e.object_id: e for e in self.new_entries()}
        assert {e.action for e in entries.values()} == {codes.ROLE_ENDED}
        assert entries[str(running.pk)].detail["valid_to"] == "2030-06-30"
        assert entries[str(running.pk)].detail["previous_valid_to"] is None
        assert entries[str(future.pk)].detail["removed"] is True
        assert verify().ok

    def test_a_reorganisation_logs_roles_as_moved(self) -> None:
        area = make_unit("Område Syd", parent=self.children_admin, unit_type="area")
        moved = do_move_unit(self.school, area, dt.date(2025, 8, 1))
        entries = self.new_entries()
        assert {e.action for e in entries} == {codes.ROLE_MOVED}
        carried = RoleAssignment.objects.filter(unit=moved)
        assert {int(e.object_id) for e in entries} == set(carried.values_list("pk", flat=True))
        assert {e.detail["from_unit"] for e in entries} == {self.school.pk}
        assert verify().ok

    def test_an_import_logs_its_roles(self) -> None:
        units = (
            "id,parent_id,name,unit_type,sector,valid_from,valid_to\n"
            "K,,Rudersdal Kommune,municipality,,2020-01-01,\n"
            "BAKKE,K,Bakkeskolen,institution,school,2020-01-01,\n"
        )
        staff = (
            "id,first_name,last_name,email,unit_id,role,job_title,valid_from,valid_to\n"
            "E9,Ole,Olsen,ole@rudersdal.dk,BAKKE,teacher,Lærer,2021-08-01,\n"
        )
        result = import_csv(municipality(230), io.StringIO(units), io.StringIO(staff))
        assert not result.errors, result.errors
        [entry] = self.new_entries(codes.ROLE_GRANTED)
        ole = Staff.objects.get(external_id="E9")
        assert entry.detail["staff"] == ole.pk
        assert entry.detail["role"] == "teacher"
        # No one at a keyboard: the entry says the system did it.
        assert entry.actor_id is None
        self.assert_no_names(entry, ole)
        assert verify().ok


class ReviewTests(RoleGrantTestCase):
    URL = reverse("audit:review")

    def review_rows(self, user: User, query: str = "") -> list[Any]:
        """The section's rows written since the test began (the base cast's roles are older)."""
        self.login_en(user)
        response = self.client.get(self.URL + query)
        assert response.status_code == 200
        return [row for row in response.context["roles"].object_list if row.seq > self.start]

    def test_a_leader_sees_the_roles_granted_in_her_units(self) -> None:
        caseworker = Role.objects.get(code="caseworker")
        self.login_en(self.admin)
        assert self.post_role().status_code == 302  # Ada, teacher at Bakkeskolen
        do_assign_role(
            staff=self.nina,
            unit=self.family_dept,
            role=caseworker,
            valid_from=START,
            by=self.admin,
        )
        area = make_unit("Område Nord", parent=self.children_admin, unit_type="area")
        do_move_unit(self.school, area, dt.date(2025, 8, 1))

        assert self.leader.user is not None and self.director.user is not None
        rows = self.review_rows(self.leader.user)
        # Her school only; the reorganisation's carried-over roles change no one's access.
        assert [(r.action, r.staff, r.role, r.unit, r.actor) for r in rows] == [
            (codes.ROLE_GRANTED, "Ada Andersen", "Teacher", "Bakkeskolen", "admin")
        ]
        response = self.client.get(self.URL)
        self.assertContains(response, "Roles granted in the period")
        self.assertContains(response, "Ada Andersen")
        self.assertNotContains(response, "Familieafdelingen")  # Nina's new role there
        # The director reviews the whole municipality.
        rows = self.review_rows(self.director.user)
        assert {(r.staff, r.unit) for r in rows} == {
            ("Ada Andersen", "Bakkeskolen"),
            ("Nina Nørgaard", "Familieafdelingen"),
        }

    def test_a_period_without_grants_shows_an_empty_section(self) -> None:
        assert self.leader.user is not None
        self.start = 0
        query = "?date_from=2021-01-01&date_to=2021-12-31"
        assert self.review_rows(self.leader.user, query) == []
        response = self.client.get(self.URL + query)
        self.assertContains(response, "No roles were given, changed or ended in your units")
        # Today's period holds the base cast's roles, granted by the system.
        rows = self.review_rows(self.leader.user)
        assert {r.staff for r in rows} >= {"Lise Lund", "Tom Thy", "Nina Nørgaard"}
        assert {r.actor for r in rows} == {"system"}
        assert "Sara Sand" not in {r.staff for r in rows}  # the family department's
