"""The results home page, committees, ambitions and markers on the web."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from helhed.lib.validity import today
from helhed.results.levels import default_period
from helhed.results.models import Ambition, Committee, Marker
from helhed.test import (
    BaseTestCase,
    indicator,
    make_ambition,
    make_committee,
    make_marker,
    make_staff,
    make_unit,
    record_value,
    set_target,
)


class ChainViewCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        self.committee, self.ambition, self.marker = self.make_results_chain()

    def get(self, name: str, *args: Any, query: str = "") -> Any:
        return self.client.get(reverse(f"results:{name}", args=args) + query)

    def post(self, name: str, *args: Any, data: dict[str, Any]) -> Any:
        return self.client.post(reverse(f"results:{name}", args=args), data)


class HomeTests(ChainViewCase):
    def test_the_chief_sees_her_unit_committees_and_markers_with_rag_counts(self) -> None:
        period = default_period(today())
        absence = indicator("fravaer-over-10")
        set_target(absence, self.children_admin, 10)
        record_value(absence, self.children_admin, period.code, 14)
        self.login(self.chief)
        response = self.get("home")
        assert response.status_code == 200
        html = response.content.decode()
        assert reverse("results:unit", args=[self.children_admin.pk]) in html
        assert self.committee.name in html and self.ambition.title in html
        assert self.marker.title in html
        assert 'data-rag-count="red"' in html and "Off target: 1" in html
        assert "No status: 1" in html  # the grades have no value yet
        assert reverse("results:committees") in html and reverse("results:ambitions") in html

    def test_a_leader_gets_only_the_top_units_she_leads(self) -> None:
        team = make_unit("Indskolingen", parent=self.school, unit_type="team")
        from helhed.test import assign

        assign(self.leader, team, "leader")
        self.login(self.leader)
        html = self.get("home").content.decode()
        assert reverse("results:unit", args=[self.school.pk]) in html
        assert reverse("results:unit", args=[team.pk]) not in html

    def test_staff_without_roles_get_an_explanation(self) -> None:
        self.login(make_staff("Ny", "Nielsen", username="newcomer"))
        response = self.get("home")
        assert response.status_code == 200
        html = response.content.decode()
        assert 'data-testid="no-units"' in html
        assert "You hold no role in a unit today" in html
        assert self.marker.title not in html

    def test_a_family_login_gets_403_and_a_post_405(self) -> None:
        self.client.force_login(self.guardian)
        assert self.get("home").status_code == 403
        self.login(self.chief)
        assert self.client.post(reverse("results:home")).status_code == 405


class CommitteeViewTests(ChainViewCase):
    def test_staff_list_and_search_committees(self) -> None:
        make_committee("Social- og Sundhedsudvalget")
        self.login(self.teacher)
        html = self.get("committees").content.decode()
        assert "Børne- og Skoleudvalget" in html and "Social- og Sundhedsudvalget" in html
        assert reverse("results:committee_create") not in html
        html = self.get("committees", query="?q=social").content.decode()
        assert "Social- og Sundhedsudvalget" in html and "Børne- og Skoleudvalget" not in html

    def test_a_manager_creates_and_edits_a_committee(self) -> None:
        self.login(self.analyst)
        data = {"name": "Økonomiudvalget", "cadence": "half", "report_due_days": "30"}
        response = self.post("committee_create", data=data)
        assert response.status_code == 302
        committee = Committee.objects.get(name="Økonomiudvalget")
        assert (committee.cadence, committee.report_due_days) == ("half", 30)
        data = {**data, "name": "Økonomi", "is_active": ""}
        assert self.post("committee_edit", committee.pk, data=data).status_code == 302
        committee.refresh_from_db()
        assert (committee.name, committee.is_active) == ("Økonomi", False)

    def test_bad_input_gives_form_errors_and_saves_nothing(self) -> None:
        self.login(self.analyst)
        data = {"name": "børne- og skoleudvalget", "cadence": "quarter", "report_due_days": "45"}
        response = self.post("committee_create", data=data)
        assert response.status_code == 400
        assert "already has a committee with this name" in response.content.decode()
        response = self.post(
            "committee_create", data={"name": "X", "cadence": "weekly", "report_due_days": "0"}
        )
        assert response.status_code == 400
        assert Committee.objects.count() == 1

    def test_others_get_403_and_the_outsider_404(self) -> None:
        for staff in (self.chief, self.teacher):
            self.login(staff)
            assert self.get("committee_create").status_code == 403
            assert self.get("committee_edit", self.committee.pk).status_code == 403
        self.login(self.outsider)
        assert self.get("committee_edit", self.committee.pk).status_code == 404
        self.client.force_login(self.guardian)
        assert self.get("committees").status_code == 403


class AmbitionViewTests(ChainViewCase):
    def test_the_list_is_grouped_by_committee_and_filters(self) -> None:
        other = make_committee("Social- og Sundhedsudvalget")
        make_ambition(
            committee=other,
            owner=self.director,
            units=[self.root],
            title="Færre anbringelser",
            first_year=2020,
            last_year=2021,
        )
        self.login(self.teacher)
        html = self.get("ambitions").content.decode()
        assert f'data-testid="committee-{self.committee.pk}"' in html
        assert f'data-testid="committee-{other.pk}"' in html
        html = self.get("ambitions", query=f"?committee={other.pk}").content.decode()
        assert "Færre anbringelser" in html and self.ambition.title not in html
        html = self.get("ambitions", query="?year=2025").content.decode()
        assert "Færre anbringelser" not in html and self.ambition.title in html
        html = self.get("ambitions", query="?q=anbring").content.decode()
        assert "Færre anbringelser" in html and self.ambition.title not in html
        response = self.get("ambitions", query="?year=abc&committee=x")
        assert response.status_code == 400

    def test_the_ambition_page_shows_markers_owner_and_cross_cutting(self) -> None:
        self.login(self.teacher)
        html = self.get("ambition", self.ambition.pk).content.decode()
        assert self.marker.title in html and "Claus Krog" in html
        assert indicator("fravaer-over-10").name in html
        assert 'data-testid="cross-cutting"' not in html
        assert reverse("results:ambition_edit", args=[self.ambition.pk]) not in html
        social = make_unit("Social og Sundhed", parent=self.root, unit_type="administration")
        self.ambition.units.add(social)
        html = self.get("ambition", self.ambition.pk).content.decode()
        assert 'data-testid="cross-cutting"' in html

    def test_a_manager_creates_an_ambition(self) -> None:
        self.login(self.director)
        data = {
            "committee": self.committee.pk,
            "title": "Alle unge i uddannelse",
            "first_year": "2026",
            "last_year": "2029",
            "owner": self.chief.pk,
            "units": [self.children_admin.pk],
        }
        response = self.post("ambition_create", data=data)
        ambition = Ambition.objects.get(title="Alle unge i uddannelse")
        assert response.status_code == 302
        assert response["Location"] == reverse("results:ambition", args=[ambition.pk])

    def test_ambition_validation_messages_on_the_form(self) -> None:
        self.login(self.director)
        base = {
            "committee": self.committee.pk,
            "title": "Alle unge i uddannelse",
            "first_year": "2029",
            "last_year": "2026",
            "owner": self.chief.pk,
            "units": [self.children_admin.pk],
        }
        cases = [
            (base, "The last year (2026) cannot come before the first year (2029)."),
            ({**base, "last_year": "2030", "units": [self.school.pk]}, "Bakkeskolen is not one of"),
            ({**base, "last_year": "2030", "owner": self.outsider.pk}, "Select a valid choice"),
            ({**base, "last_year": "2030", "owner": self.teacher.pk}, "leader role"),
        ]
        for data, message in cases:
            with self.subTest(message=message):
                response = self.post("ambition_create", data=data)
                assert response.status_code == 400
                assert message in response.content.decode()
        assert not Ambition.objects.filter(title="Alle unge i uddannelse").exists()

    def test_the_owner_edits_text_and_years_only(self) -> None:
        self.login(self.chief)
        response = self.get("ambition_edit", self.ambition.pk)
        assert response.status_code == 200
        assert 'name="units"' not in response.content.decode()
        data = {
            "title": "Alle børn lærer endnu mere",
            "first_year": "2024",
            "last_year": "2031",
            "units": [self.root.pk],
            "owner": self.director.pk,
        }
        assert self.post("ambition_edit", self.ambition.pk, data=data).status_code == 302
        self.ambition.refresh_from_db()
        assert self.ambition.title == "Alle børn lærer endnu mere"
        assert (self.ambition.first_year, self.ambition.last_year) == (2024, 2031)
        assert self.ambition.owner == self.chief
        assert list(self.ambition.units.all()) == [self.children_admin]

    def test_others_may_read_but_not_change_and_the_outsider_gets_404(self) -> None:
        for staff in (self.leader, self.teacher):
            self.login(staff)
            assert self.get("ambition", self.ambition.pk).status_code == 200
            assert self.get("ambition_edit", self.ambition.pk).status_code == 403
            assert self.get("ambition_create").status_code == 403
            response = self.post("ambition_set_active", self.ambition.pk, data={"active": "0"})
            assert response.status_code == 403
        self.login(self.outsider)
        assert self.get("ambition", self.ambition.pk).status_code == 404
        assert self.get("ambition_edit", self.ambition.pk).status_code == 404
        self.client.force_login(self.guardian)
        assert self.get("ambition", self.ambition.pk).status_code == 404

    def test_deactivating_keeps_the_ambition_readable(self) -> None:
        self.login(self.director)
        assert self.get("ambition_set_active", self.ambition.pk).status_code == 405
        response = self.post("ambition_set_active", self.ambition.pk, data={"active": "0"})
        assert response.status_code == 302
        self.ambition.refresh_from_db()
        assert not self.ambition.is_active
        html = self.get("ambition", self.ambition.pk).content.decode()
        assert 'data-testid="inactive"' in html and self.marker.title in html
        assert self.ambition.title not in self.get("ambitions").content.decode()
        html = self.get("ambitions", query="?inactive=on").content.decode()
        assert self.ambition.title in html


class MarkerViewTests(ChainViewCase):
    def data(self, **changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "title": "Flere unge i uddannelse",
            "owner": self.leader.pk,
            "indicators": [indicator("ungdomsuddannelse-18").pk],
            "units": [self.school.pk],
        }
        data.update(changes)
        return data

    def test_the_ambition_owner_adds_a_marker(self) -> None:
        self.login(self.chief)
        response = self.post("marker_create", self.ambition.pk, data=self.data())
        assert response.status_code == 302
        marker = Marker.objects.get(title="Flere unge i uddannelse")
        assert list(marker.units.all()) == [self.school]
        assert marker.owner == self.leader

    def test_a_unit_outside_the_ambition_gives_a_clear_error(self) -> None:
        social = make_unit("Social og Sundhed", parent=self.root, unit_type="administration")
        self.login(self.chief)
        form = self.get("marker_create", self.ambition.pk).content.decode()
        assert "Bakkeskolen" in form and "Social og Sundhed" not in form
        response = self.post("marker_create", self.ambition.pk, data=self.data(units=[social.pk]))
        assert response.status_code == 400
        assert "Social og Sundhed is outside them" in response.content.decode()
        assert not Marker.objects.filter(title="Flere unge i uddannelse").exists()

    def test_the_marker_owner_edits_and_others_get_403(self) -> None:
        self.marker.owner = self.leader
        self.marker.save(update_fields=["owner"])
        self.login(self.leader)
        data = self.data(title="Omdøbt", units=[])
        assert self.post("marker_edit", self.marker.pk, data=data).status_code == 302
        self.marker.refresh_from_db()
        assert self.marker.title == "Omdøbt"
        self.login(self.teacher)
        assert self.get("marker_edit", self.marker.pk).status_code == 403
        assert self.get("marker_create", self.ambition.pk).status_code == 403
        self.login(self.outsider)
        assert self.get("marker_edit", self.marker.pk).status_code == 404

    def test_markers_are_reordered_by_those_who_edit_the_ambition(self) -> None:
        second = make_marker(self.ambition, owner=self.chief, indicators=[], title="Nummer to")
        second.sort_order = 20
        second.save(update_fields=["sort_order"])
        self.login(self.chief)
        assert self.get("marker_move", second.pk).status_code == 405
        response = self.post("marker_move", second.pk, data={"direction": "up"})
        assert response.status_code == 302
        order = list(self.ambition.markers.order_by("sort_order", "pk"))
        assert order == [second, self.marker]
        self.login(self.teacher)
        assert self.post("marker_move", second.pk, data={"direction": "down"}).status_code == 403
