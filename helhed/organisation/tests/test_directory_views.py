"""The directory of contact points: every staff member reads it, the unit's leaders keep it."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from helhed.organisation.models import ContactPoint
from helhed.test import BaseTestCase, make_unit

LIST = reverse("organisation:directory")
CREATE = reverse("organisation:directory_create")


class DirectoryCase(BaseTestCase):
    def point(self, **changes: Any) -> ContactPoint:
        fields: dict[str, Any] = {
            "unit": self.school,
            "name": "Skolens kontor",
            "phone": "45 11 22 33",
            "opening_hours": "Man-fre 8-15",
        }
        fields.update(changes)
        return ContactPoint.objects.create(**fields)


class ListTests(DirectoryCase):
    def test_every_staff_member_reads_the_directory(self) -> None:
        self.point()
        for staff in (self.teacher, self.caseworker, self.politician, self.leader):
            with self.subTest(staff.full_name):
                self.login(staff)
                response = self.client.get(LIST)
                self.assertContains(response, "Skolens kontor")
                self.assertContains(response, "45 11 22 33")

    def test_another_municipality_does_not_see_it_and_family_logins_get_404(self) -> None:
        self.point()
        self.login(self.outsider)
        self.assertNotContains(self.client.get(LIST), "Skolens kontor")
        self.login(self.guardian)
        assert self.client.get(LIST).status_code == 404

    def test_search_by_unit_or_name_and_filter_on_capacity(self) -> None:
        self.point()
        self.point(unit=self.family_dept, name="Modtagelsen", has_capacity=False)
        self.login(self.teacher)

        def names(**params: str) -> set[str]:
            response = self.client.get(LIST, params)
            assert response.status_code == 200
            return {p.name for p in response.context["page"]}

        assert names() == {"Skolens kontor", "Modtagelsen"}
        assert names(q="familie") == {"Modtagelsen"}
        assert names(q="kontor") == {"Skolens kontor"}
        assert names(has_capacity="on") == {"Skolens kontor"}
        assert names(has_capacity="nonsense", page="x") == {"Skolens kontor"}

    def test_the_list_is_paginated(self) -> None:
        for number in range(27):
            self.point(name=f"Punkt {number:02}")
        self.login(self.teacher)
        assert len(self.client.get(LIST).context["page"]) == 25
        assert len(self.client.get(LIST, {"page": "2"}).context["page"]) == 2

    def test_wrong_method(self) -> None:
        self.login(self.teacher)
        assert self.client.post(LIST).status_code == 405


class EditTests(DirectoryCase):
    def data(self, **changes: str) -> dict[str, str]:
        data = {
            "unit": str(self.school.pk),
            "name": "Skolens kontor",
            "phone": "45 11 22 33",
            "email": "kontor@example.org",
            "opening_hours": "8-15",
            "has_capacity": "on",
            "capacity_note": "",
        }
        data.update(changes)
        return data

    def test_the_units_leader_and_those_above_add_a_contact_point(self) -> None:
        for number, staff in enumerate((self.leader, self.chief, self.director)):
            with self.subTest(staff.full_name):
                self.login(staff)
                assert self.client.get(CREATE).status_code == 200
                response = self.client.post(CREATE, self.data(name=f"Kontor {number}"))
                self.assertRedirects(response, LIST)
        assert ContactPoint.objects.filter(unit=self.school).count() == 3

    def test_a_leader_cannot_add_to_a_unit_outside_their_own(self) -> None:
        self.login(self.leader)
        response = self.client.post(CREATE, self.data(unit=str(self.family_dept.pk)))
        assert response.status_code == 422
        assert not ContactPoint.objects.exists()

    def test_staff_who_lead_nothing_get_403_and_outsiders_404(self) -> None:
        point = self.point()
        self.login(self.teacher)
        assert self.client.get(CREATE).status_code == 403
        assert self.client.post(CREATE, self.data()).status_code == 403
        edit = reverse("organisation:directory_edit", args=[point.pk])
        capacity = reverse("organisation:directory_capacity", args=[point.pk])
        remove = reverse("organisation:directory_remove", args=[point.pk])
        for url in (edit, capacity, remove):
            with self.subTest(url):
                self.login(self.teacher)
                assert self.client.post(url, {"name": "X"}).status_code == 403
                self.login(self.outsider)
                assert self.client.post(url, {"name": "X"}).status_code == 404
        # A leader of another unit of the municipality only reads it.
        other = make_unit("Skovskolen", parent=self.children_admin, sector="school")
        ContactPoint.objects.filter(pk=point.pk).update(unit=other)
        self.login(self.leader)
        assert self.client.post(capacity).status_code == 403
        point.refresh_from_db()
        assert point.has_capacity and point.name == "Skolens kontor"

    def test_the_leader_changes_toggles_capacity_and_removes(self) -> None:
        point = self.point()
        self.login(self.leader)
        edit = reverse("organisation:directory_edit", args=[point.pk])
        assert self.client.get(edit).status_code == 200
        self.assertRedirects(self.client.post(edit, self.data(phone="45 99 99 99")), LIST)
        capacity = reverse("organisation:directory_capacity", args=[point.pk])
        response = self.client.post(capacity, {"capacity_note": "Ventetid 3 uger"})
        self.assertRedirects(response, LIST)
        point.refresh_from_db()
        assert (point.phone, point.has_capacity, point.capacity_note) == (
            "45 99 99 99",
            False,
            "Ventetid 3 uger",
        )
        self.assertContains(self.client.get(LIST), 'data-capacity="no"')
        remove = reverse("organisation:directory_remove", args=[point.pk])
        self.assertRedirects(self.client.post(remove), LIST)
        assert not ContactPoint.objects.exists()
        assert self.client.get(remove).status_code == 405

    def test_bad_input_is_an_error_not_a_500(self) -> None:
        point = self.point()
        self.login(self.leader)
        for data in (
            self.data(name=""),
            self.data(email="not an e-mail"),
            self.data(phone="", email=""),
            self.data(unit=str(2**70)),
            self.data(capacity_note="x" * 300),
        ):
            with self.subTest(data):
                assert self.client.post(CREATE, data).status_code == 422
        edit = reverse("organisation:directory_edit", args=[point.pk])
        assert self.client.post(edit, self.data(name="")).status_code == 422
        capacity = reverse("organisation:directory_capacity", args=[point.pk])
        assert self.client.post(capacity, {"capacity_note": "x" * 300}).status_code == 422
        assert ContactPoint.objects.count() == 1
