"""The unit page: place, history, leader and span, children, staff, as of a date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from helhed.organisation.actions import do_move_unit
from helhed.organisation.models import Unit
from helhed.test import BaseTestCase, make_staff, make_unit

MOVED_ON = dt.date(2024, 8, 1)


def url(unit_id: int) -> str:
    return reverse("organisation:unit", args=[unit_id])


def staff_section(response: Any) -> str:
    """The staff table only: names appear in the header and the span table too."""
    html = response.content.decode()
    return html.split('id="staff"', 1)[1].split("</section>", 1)[0]


class UnitPageTests(BaseTestCase):
    def test_it_shows_the_unit_with_its_path_leader_span_and_staff(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(url(self.school.pk))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "<h1>Bakkeskolen", html=False)
        self.assertContains(response, "Institution")
        self.assertContains(response, "Skole")
        # Breadcrumbs: every ancestor, linked.
        self.assertContains(response, f'href="{url(self.root.pk)}"')
        self.assertContains(response, f'href="{url(self.children_admin.pk)}"')
        self.assertContains(response, "ledelsesspænd: 1 direkte medarbejder")  # the teacher
        staff = staff_section(response)
        self.assertIn("Lise Lund", staff)
        self.assertIn("Tom Thy", staff)
        self.assertNotIn("Sara Sand", staff)  # works in another unit
        self.assertContains(response, "Ingen underliggende enheder")

    def test_it_lists_children_and_the_spans_of_every_leader_below(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(url(self.children_admin.pk))
        self.assertContains(response, f'href="{url(self.school.pk)}"')
        self.assertContains(response, f'href="{url(self.family_dept.pk)}"')
        rows = [
            (r.span.leader.full_name, r.span.direct_reports, r.percent)
            for r in response.context["span_rows"]
        ]
        # The chief: the school leader and the two case workers of the leaderless department.
        self.assertEqual(rows, [("Claus Krog", 3, 100), ("Lise Lund", 1, 33)])
        self.assertContains(response, 'width="33%"')
        self.assertNotContains(response, "Dorte Dahl")  # the director's span is above this unit

    def test_it_says_when_a_unit_has_no_leader(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(url(self.family_dept.pk))
        self.assertContains(response, "Ingen leder på denne dato")
        self.assertIn("Sara Sand", staff_section(response))
        self.assertIn("Karl Kolding", staff_section(response))

    def test_it_hides_units_of_another_municipality(self) -> None:
        self.login(self.outsider)
        self.assertEqual(self.client.get(url(self.school.pk)).status_code, 404)

    def test_it_gives_404_for_a_unit_that_does_not_exist(self) -> None:
        self.login(self.caseworker)
        self.assertEqual(self.client.get(url(999_999)).status_code, 404)

    def test_it_sends_anonymous_users_to_login(self) -> None:
        response = self.client.get(url(self.school.pk))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("login")))

    def test_it_rejects_post(self) -> None:
        self.login(self.caseworker)
        self.assertEqual(self.client.post(url(self.school.pk)).status_code, 405)

    def test_it_explains_a_bad_date(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(url(self.school.pk), {"on": "2024-02-30"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "er ikke en dato")
        self.assertContains(response, "Tom Thy")

    def test_it_shows_staff_as_of_the_date(self) -> None:
        make_staff("Nina", "Ny", unit=self.school, role="teacher", valid_from=dt.date(2025, 1, 1))
        self.login(self.caseworker)
        self.assertNotContains(
            self.client.get(url(self.school.pk), {"on": "2024-12-31"}), "Nina Ny"
        )
        self.assertContains(self.client.get(url(self.school.pk), {"on": "2025-01-01"}), "Nina Ny")

    def test_it_pages_the_staff_fifty_at_a_time(self) -> None:
        for i in range(60):
            make_staff(f"Lærer{i:02d}", "Zahle", unit=self.school, role="teacher")
        self.login(self.caseworker)
        first = self.client.get(url(self.school.pk))
        self.assertEqual(len(first.context["staff_page"].object_list), 50)
        self.assertContains(first, "Side 1 af 2")
        self.assertIn("Lise Lund", staff_section(first))  # leaders sort first
        self.assertNotContains(first, "Lærer59 Zahle")
        second = self.client.get(url(self.school.pk), {"page": 2})
        self.assertEqual(len(second.context["staff_page"].object_list), 12)
        self.assertContains(second, "Lærer59 Zahle")
        self.assertNotIn("Lise Lund", staff_section(second))


class UnitHistoryTests(BaseTestCase):
    area: Unit
    moved: Unit

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.area = make_unit("Skoleområde Nord", parent=cls.children_admin, unit_type="area")
        cls.moved = do_move_unit(cls.school, cls.area, MOVED_ON)

    def test_the_old_registration_shows_its_own_period_and_the_successor(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(url(self.school.pk))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["on"], dt.date(2024, 7, 31))  # its last day
        self.assertContains(response, "Tom Thy")
        self.assertContains(response, "Historik på tværs af omorganiseringer")
        self.assertContains(response, f'href="{url(self.moved.pk)}"')
        self.assertContains(response, "efterfølger")
        self.assertNotContains(response, f'href="{url(self.area.pk)}?')  # not on its path

    def test_the_new_registration_shows_the_new_path_and_the_predecessor(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(url(self.moved.pk))
        self.assertContains(response, f'href="{url(self.area.pk)}"')  # breadcrumb
        self.assertContains(response, f'href="{url(self.school.pk)}"')  # history row
        self.assertContains(response, "forgænger")
        self.assertIn("Lise Lund", staff_section(response))

    def test_a_date_outside_the_period_leads_to_the_registration_of_that_date(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(url(self.school.pk), {"on": "2025-01-01"})
        self.assertRedirects(response, f"{url(self.moved.pk)}?on=2025-01-01")
        response = self.client.get(url(self.moved.pk), {"on": "2023-01-01"})
        self.assertRedirects(response, f"{url(self.school.pk)}?on=2023-01-01")

    def test_a_date_before_the_unit_existed_says_so(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(url(self.area.pk), {"on": "2019-06-01"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Enheden fandtes ikke pr.")
        self.assertNotContains(response, "Lise Lund")

    def test_the_parent_shows_the_span_before_and_after(self) -> None:
        self.login(self.caseworker)
        before = self.client.get(url(self.children_admin.pk), {"on": "2024-07-31"})
        self.assertContains(before, f'href="{url(self.school.pk)}?on=2024-07-31"')
        after = self.client.get(url(self.children_admin.pk), {"on": "2024-08-01"})
        self.assertContains(after, f'href="{url(self.area.pk)}?on=2024-08-01"')
        self.assertNotContains(after, f'href="{url(self.school.pk)}?on=2024-08-01"')
        self.assertContains(after, "Lise Lund")  # still in the subtree's spans
