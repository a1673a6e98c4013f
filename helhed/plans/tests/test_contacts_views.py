"""Contact pages: the contact map, logging a contact, and the coordinator's list."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import mail
from django.urls import reverse

from helhed.audit import codes
from helhed.audit.models import AuditEntry
from helhed.lib.validity import today
from helhed.plans.models import Contact
from helhed.plans.tests.test_contacts_actions import ContactCase
from helhed.test import engage

TO_SEE = reverse("plans:contacts_to_see")


class MapTests(ContactCase):
    def url(self) -> str:
        return reverse("plans:contact_map", args=[self.alma.pk])

    def test_it_shows_every_unit_and_professional_in_touch_with_the_last_contact(self) -> None:
        self.log(self.teacher, contacted_on=today() - dt.timedelta(days=3))
        self.log(self.teacher, contacted_on=today() - dt.timedelta(days=1))
        old = self.log(self.teacher, purpose="Long ago")
        Contact.objects.filter(pk=old.pk).update(contacted_on=today() - dt.timedelta(days=400))
        self.login(self.caseworker)
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # English relations
        response = self.client.get(self.url())
        assert response.status_code == 200
        groups = {g.unit.name: g for g in response.context["map"].groups if g.unit}
        assert set(groups) >= {"Bakkeskolen", "Familieafdelingen"}
        school = groups["Bakkeskolen"]
        assert school.last_contact == today() - dt.timedelta(days=1)
        assert [p.name for p in school.person_list] == ["Tom Thy"]
        caseworker = groups["Familieafdelingen"].people[self.caseworker.pk]
        assert "Coordinator of the shared plan" in caseworker.relations
        self.assertContains(response, "Sara Sand")
        self.assertNotContains(response, "Long ago")  # older than 12 months

    def test_only_staff_who_may_see_the_citizen_see_the_map(self) -> None:
        for user in (self.leader, self.outsider, self.analyst, self.guardian):
            with self.subTest(str(user)):
                self.login(user)
                assert self.client.get(self.url()).status_code == 404

    def test_each_view_is_logged_as_a_read_of_the_citizen(self) -> None:
        self.login(self.teacher)
        before = AuditEntry.objects.filter(citizen_id=self.alma.pk, action=codes.VIEW).count()
        assert self.client.get(self.url()).status_code == 200
        entries = AuditEntry.objects.filter(citizen_id=self.alma.pk, action=codes.VIEW)
        assert entries.count() == before + 1
        latest = entries.order_by("-seq").first()
        assert latest is not None and latest.actor_staff_id == self.teacher.pk

    def test_wrong_method(self) -> None:
        self.login(self.teacher)
        assert self.client.post(self.url()).status_code == 405

    def test_the_citizen_page_links_to_the_map(self) -> None:
        self.login(self.teacher)
        response = self.client.get(reverse("citizens:detail", args=[self.alma.pk]))
        self.assertContains(response, f'href="{self.url()}"')


class LogTests(ContactCase):
    def url(self) -> str:
        return reverse("plans:contact_create", args=[self.alma.pk])

    def data(self, **changes: str) -> dict[str, str]:
        data = {
            "contacted_on": today().isoformat(),
            "channel": "home_visit",
            "purpose": "Home visit about sleep",
            "unit": str(self.school.pk),
        }
        data.update(changes)
        return data

    def test_logging_a_contact_from_another_unit_tells_the_coordinator(self) -> None:
        self.login(self.teacher)
        assert self.client.get(self.url()).status_code == 200
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url(), self.data())
        self.assertRedirects(response, reverse("plans:contact_map", args=[self.alma.pk]))
        contact = Contact.objects.get()
        assert (contact.staff, contact.unit, contact.coordinator) == (
            self.teacher,
            self.school,
            self.caseworker,
        )
        assert len(mail.outbox) == 1

    def test_bad_input_is_an_error_on_the_form_not_a_500(self) -> None:
        self.login(self.teacher)
        bad = [
            self.data(contacted_on=(today() + dt.timedelta(days=2)).isoformat()),
            self.data(contacted_on="someday"),
            self.data(purpose=f"CPR {self.alma.cpr}"),
            self.data(purpose=""),
            self.data(purpose="x" * 500),
            self.data(channel="pigeon"),
            self.data(unit=str(self.family_dept.pk)),
            self.data(unit=str(2**70)),
        ]
        for data in bad:
            with self.subTest(data):
                assert self.client.post(self.url(), data).status_code == 422
        assert not Contact.objects.exists()

    def test_who_may_not_see_the_citizen_gets_404(self) -> None:
        for staff in (self.leader, self.outsider):
            with self.subTest(staff.full_name):
                self.login(staff)
                assert self.client.get(self.url()).status_code == 404
                assert self.client.post(self.url(), self.data()).status_code == 404

    def test_wrong_method(self) -> None:
        self.login(self.teacher)
        assert self.client.put(self.url()).status_code == 405


class ToSeeTests(ContactCase):
    def test_the_coordinator_sees_contacts_by_other_units_and_marks_them_seen(self) -> None:
        contact = self.log(self.teacher, purpose="Called about lunch")
        self.log(self.colleague, purpose="Same unit, not sent")
        self.login(self.caseworker)
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        home = self.client.get(reverse("home"))
        self.assertContains(home, 'data-attention="contacts"')
        self.assertContains(home, "1 contact with your families to see")
        response = self.client.get(TO_SEE)
        self.assertContains(response, "Called about lunch")
        self.assertContains(response, "Alma Jensen")
        self.assertNotContains(response, "Same unit, not sent")
        seen = reverse("plans:contact_seen", args=[contact.pk])
        self.assertRedirects(self.client.post(seen), TO_SEE)
        contact.refresh_from_db()
        assert contact.coordinator_seen_on == today()
        self.assertNotContains(self.client.get(TO_SEE), "Called about lunch")
        self.assertContains(self.client.get(TO_SEE, {"show": "seen"}), "Called about lunch")
        self.assertNotContains(self.client.get(reverse("home")), 'data-attention="contacts"')

    def test_search_and_unknown_filters(self) -> None:
        self.log(self.teacher, purpose="Called about lunch")
        self.log(self.teacher, purpose="Talked about reading")
        self.login(self.caseworker)
        response = self.client.get(TO_SEE, {"q": "reading", "show": "nonsense"})
        assert [c.purpose for c in response.context["page"]] == ["Talked about reading"]

    def test_only_the_coordinator_marks_seen(self) -> None:
        contact = self.log(self.teacher)
        seen = reverse("plans:contact_seen", args=[contact.pk])
        self.login(self.teacher)  # sees Alma, but is not the coordinator
        assert self.client.post(seen).status_code == 403
        for staff in (self.outsider, self.leader):
            with self.subTest(staff.full_name):
                self.login(staff)
                assert self.client.post(seen).status_code == 404
        contact.refresh_from_db()
        assert contact.coordinator_seen_on is None
        self.login(self.caseworker)
        assert self.client.get(seen).status_code == 405

    def test_others_have_an_empty_list(self) -> None:
        self.log(self.teacher, purpose="Called about lunch")
        engage(self.alma, staff=self.leader)
        self.login(self.leader)
        response = self.client.get(TO_SEE)
        assert response.status_code == 200
        self.assertNotContains(response, "Called about lunch")
