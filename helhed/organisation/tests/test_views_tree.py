"""The organisation tree page: as of a date, searchable, and cheap however large."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from helhed.organisation.actions import do_move_unit
from helhed.organisation.models import Unit
from helhed.organisation.views import TreeNode
from helhed.test import BaseTestCase, make_staff, make_unit

URL = reverse("organisation:tree")
MOVED_ON = dt.date(2024, 8, 1)


class NestingParser(HTMLParser):
    """Record, for each ``li[data-unit]``, the unit of the ``li`` around it."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str | None] = []
        self.parent_of: dict[int, int | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "li":
            return
        unit = dict(attrs).get("data-unit")
        if unit is not None:
            enclosing = next((u for u in reversed(self.stack) if u is not None), None)
            self.parent_of[int(unit)] = int(enclosing) if enclosing else None
        self.stack.append(unit)

    def handle_endtag(self, tag: str) -> None:
        if tag == "li":
            self.stack.pop()


def nesting(html: str) -> dict[int, int | None]:
    parser = NestingParser()
    parser.feed(html)
    assert parser.stack == [], "unbalanced <li> tags"
    return parser.parent_of


def find(nodes: list[TreeNode], name: str) -> TreeNode | None:
    for node in nodes:
        if node.unit.name == name:
            return node
        found = find(node.children, name)
        if found is not None:
            return found
    return None


class TreeTests(BaseTestCase):
    def test_it_shows_the_municipality_with_types_sectors_leaders_and_staff(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Rudersdal Kommune")
        self.assertContains(response, "Bakkeskolen")
        self.assertContains(response, "Familieafdelingen")
        self.assertContains(response, "Lise Lund")  # leader of Bakkeskolen
        self.assertContains(response, "Skole")  # sector badge (Danish by default)
        self.assertContains(response, "Institution")  # type badge
        self.assertContains(response, reverse("organisation:unit", args=[self.school.pk]))
        school = find(response.context["roots"], "Bakkeskolen")
        assert school is not None
        self.assertEqual(school.staff_count, 2)  # the leader and the teacher
        self.assertEqual(school.leader, self.leader)

    def test_it_nests_units_under_their_parent(self) -> None:
        self.login(self.caseworker)
        roots = self.client.get(URL).context["roots"]
        self.assertEqual([n.unit.name for n in roots], ["Rudersdal Kommune"])
        admin = find(roots, "Børn og Skole")
        assert admin is not None
        self.assertEqual(
            [n.unit.name for n in admin.children], ["Bakkeskolen", "Familieafdelingen"]
        )

    def test_the_page_nests_each_unit_in_its_parent(self) -> None:
        area = make_unit("Dagtilbud Syd", parent=self.children_admin, unit_type="area")
        make_unit("Børnehuset Mælkebøtten", parent=area, sector="daycare")
        make_unit("Vuggestuen Humlebien", parent=area, sector="daycare")
        team = make_unit("Team Øst", parent=self.family_dept, unit_type="team")
        self.login(self.caseworker)
        parent_of = nesting(self.client.get(URL).content.decode())
        expected = {
            u.pk: u.parent_id for u in Unit.objects.filter(municipality=self.root.municipality)
        }
        self.assertEqual(parent_of, expected)
        self.assertEqual(parent_of[team.pk], self.family_dept.pk)

    def test_it_hides_other_municipalities(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(URL)
        self.assertNotContains(response, "Hvidovre Kommune")
        self.login(self.outsider)
        response = self.client.get(URL)
        self.assertContains(response, "Hvidovre Kommune")
        self.assertNotContains(response, "Rudersdal Kommune")
        self.assertNotContains(response, "Bakkeskolen")

    def test_it_sends_anonymous_users_to_login(self) -> None:
        response = self.client.get(URL)
        self.assertRedirects(response, f"{reverse('login')}?next={URL}")

    def test_it_rejects_post(self) -> None:
        self.login(self.caseworker)
        self.assertEqual(self.client.post(URL).status_code, 405)

    def test_it_explains_a_bad_date_and_shows_today(self) -> None:
        self.login(self.caseworker)
        for bad in ("2024-13-45", "yesterday", "31-12-2024"):
            response = self.client.get(URL, {"on": bad})
            self.assertEqual(response.status_code, 200)
            self.assertContains(response, "er ikke en dato")
            self.assertContains(response, "Bakkeskolen")

    def test_it_filters_by_name_and_keeps_the_path_to_each_match(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(URL, {"q": "bakke"})
        self.assertContains(response, "Bakkeskolen")
        self.assertContains(response, "Børn og Skole")  # on the path to the match
        self.assertContains(response, "Rudersdal Kommune")
        self.assertNotContains(response, "Familieafdelingen")
        self.assertContains(response, "1 enhed matcher")

    def test_it_matches_danish_letters_in_any_case(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(URL, {"q": "BØRN"})
        node = find(response.context["roots"], "Børn og Skole")
        assert node is not None
        self.assertTrue(node.match)

    def test_it_says_when_nothing_matches(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(URL, {"q": "no such unit"})
        self.assertContains(response, "Ingen enhed har det navn")
        self.assertNotContains(response, "Bakkeskolen")

    def test_it_returns_only_the_results_to_htmx(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(URL, {"q": "bakke"}, headers={"HX-Request": "true"})
        self.assertContains(response, "Bakkeskolen")
        self.assertNotContains(response, "<html")
        self.assertNotContains(response, "Familieafdelingen")

    def test_it_returns_the_whole_page_when_htmx_restores_history(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(
            URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
        )
        self.assertContains(response, "<html")

    def test_it_shows_the_organisation_before_and_after_a_reorganisation(self) -> None:
        area = make_unit("Skoleområde Nord", parent=self.children_admin, unit_type="area")
        moved = do_move_unit(self.school, area, MOVED_ON)
        self.login(self.caseworker)

        before = self.client.get(URL, {"on": "2024-07-31"})
        admin = find(before.context["roots"], "Børn og Skole")
        assert admin is not None
        self.assertIn("Bakkeskolen", [n.unit.name for n in admin.children])
        self.assertContains(before, reverse("organisation:unit", args=[self.school.pk]))
        self.assertNotContains(before, reverse("organisation:unit", args=[moved.pk]))

        after = self.client.get(URL, {"on": MOVED_ON.isoformat()})
        admin = find(after.context["roots"], "Børn og Skole")
        north = find(after.context["roots"], "Skoleområde Nord")
        assert admin is not None and north is not None
        self.assertNotIn("Bakkeskolen", [n.unit.name for n in admin.children])
        self.assertEqual([n.unit.name for n in north.children], ["Bakkeskolen"])
        self.assertEqual(north.children[0].leader, self.leader)  # the role moved along
        self.assertContains(after, reverse("organisation:unit", args=[moved.pk]))
        self.assertNotContains(after, reverse("organisation:unit", args=[self.school.pk]))

    def test_it_hides_units_that_did_not_exist_yet(self) -> None:
        make_unit("Nyskolen", parent=self.children_admin, valid_from=dt.date(2025, 1, 1))
        self.login(self.caseworker)
        self.assertNotContains(self.client.get(URL, {"on": "2024-12-31"}), "Nyskolen")
        self.assertContains(self.client.get(URL, {"on": "2025-01-01"}), "Nyskolen")

    def test_links_keep_the_chosen_date(self) -> None:
        self.login(self.caseworker)
        response = self.client.get(URL, {"on": "2023-05-01"})
        unit_url = reverse("organisation:unit", args=[self.school.pk])
        self.assertContains(response, f"{unit_url}?on=2023-05-01")


class TreeQueryCountTests(BaseTestCase):
    def add_units(self, count: int) -> None:
        for i in range(count):
            unit = make_unit(f"Institution {i:03d}", parent=self.children_admin, sector="daycare")
            make_staff(f"Leder{i}", unit=unit, role="leader")
            make_staff(f"Pædagog{i}", unit=unit, role="pedagogue")

    def count_queries(self) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        return len(captured.captured_queries)

    def test_it_reads_the_tree_in_a_fixed_number_of_queries(self) -> None:
        self.login(self.caseworker)
        self.add_units(3)
        # Session, user, staff record, units (with staff counts), leaders, and
        # the menu's checks for a family login and for emergency access.
        with self.assertNumQueries(7):
            self.client.get(URL)
        small = self.count_queries()
        self.add_units(60)
        self.assertEqual(Unit.objects.filter(parent=self.children_admin).count(), 65)
        self.assertEqual(self.count_queries(), small)
