"""Leader teams: the list, creating a team for a unit, the team page."""

from __future__ import annotations

from django.urls import reverse

from helhed.leadership.actions.teams import do_close_reflection
from helhed.leadership.models import LeaderTeam
from helhed.leadership.tests.test_teams_rounds import TeamCase, make_team


class TeamListTests(TeamCase):
    def test_members_and_leaders_above_see_the_team_others_do_not(self) -> None:
        family_team = make_team(
            self.family_dept, self.family_leader, [self.family_leader], "Familieledelsen"
        )
        url = reverse("leadership:teams")
        assert url == "/leadership/teams/"
        seen = {}
        for user in (self.teacher, self.chief, self.family_leader, self.outsider, self.colleague):
            self.login(user)
            response = self.client.get(url)
            assert response.status_code == 200
            seen[user.pk] = response.content.decode()
        assert "Bakkeskolens ledelse" in seen[self.teacher.pk]
        assert "Familieledelsen" not in seen[self.teacher.pk]
        assert "Bakkeskolens ledelse" in seen[self.chief.pk]
        assert family_team.name in seen[self.chief.pk]
        assert "Bakkeskolens ledelse" not in seen[self.family_leader.pk]
        assert "Bakkeskolens ledelse" not in seen[self.outsider.pk]
        assert "Bakkeskolens ledelse" not in seen[self.colleague.pk]
        self.login(self.teacher)
        assert self.client.post(url).status_code == 405

    def test_the_list_searches_and_pages(self) -> None:
        for number in range(30):
            make_team(self.school, self.leader, [self.leader], f"Team {number:02d}")
        self.login(self.leader)
        url = reverse("leadership:teams")
        first = self.client.get(url).content.decode()
        assert "Page 1 of 2" in first or "Side 1 af 2" in first
        found = self.client.get(url, {"q": "Bakkeskolens"}).content.decode()
        assert "Bakkeskolens ledelse" in found
        assert "Team 01" not in found
        assert self.client.get(url, {"page": "x" * 50}).status_code == 200


class TeamCreateTests(TeamCase):
    url = "/leadership/teams/new/"

    def test_a_leader_creates_a_team_for_a_unit_beneath_her(self) -> None:
        self.login(self.chief)
        page = self.client.get(self.url)
        assert page.status_code == 200
        response = self.client.post(
            self.url,
            {
                "name": "Skoleledere",
                "unit": self.school.pk,
                "members": [self.leader.pk, self.chief.pk],
            },
        )
        team = LeaderTeam.objects.get(name="Skoleledere")
        assert response.status_code == 302
        assert response["Location"] == reverse("leadership:team", args=[team.pk])
        assert set(team.members.all()) == {self.leader, self.chief}
        assert team.municipality_id == self.school.municipality_id

    def test_a_leader_cannot_create_a_team_for_a_unit_above_or_beside_her(self) -> None:
        self.login(self.leader)
        for unit in (self.children_admin, self.family_dept):
            data = {"name": "Overtagelse", "unit": unit.pk, "members": [self.leader.pk]}
            assert self.client.post(self.url, data).status_code == 422
        assert not LeaderTeam.objects.filter(name="Overtagelse").exists()

    def test_staff_who_lead_nothing_get_403_and_outsiders_cannot_pick_our_units(self) -> None:
        self.login(self.teacher)
        assert self.client.get(self.url).status_code == 403
        self.login(self.outsider)
        assert self.client.get(self.url).status_code == 403
        self.login(self.leader)
        assert self.client.delete(self.url).status_code == 405

    def test_bad_input_shows_errors_not_a_500(self) -> None:
        self.login(self.leader)
        for data in (
            {"name": "", "unit": self.school.pk, "members": [self.leader.pk]},
            {"name": "Team", "unit": self.school.pk, "members": []},
            {"name": "Team", "unit": "x", "members": [self.leader.pk]},
            {"name": "Team", "unit": self.school.pk, "members": [str(2**70)]},
            {"name": "Team", "unit": self.school.pk, "members": [self.outsider.pk]},
            {"name": "Bakkeskolens ledelse", "unit": self.school.pk, "members": [self.leader.pk]},
        ):
            assert self.client.post(self.url, data).status_code == 422, data
        assert LeaderTeam.objects.count() == 1


class TeamPageTests(TeamCase):
    def test_members_see_open_rounds_and_leaders_above_only_agendas(self) -> None:
        open_round = self.open_round(title="Åben runde")
        closed = self.open_round(title="Lukket runde")
        do_close_reflection(actor=self.leader, reflection=closed)
        url = reverse("leadership:team", args=[self.team.pk])
        self.login(self.teacher)
        member_page = self.client.get(url).content.decode()
        assert "Åben runde" in member_page
        assert "Lukket runde" in member_page
        assert "Tom Thy" in member_page
        assert reverse("leadership:team_round_create", args=[self.team.pk]) in member_page
        self.login(self.chief)
        chief_page = self.client.get(url).content.decode()
        assert "Åben runde" not in chief_page
        assert reverse("leadership:team_agenda", args=[closed.pk]) in chief_page
        assert reverse("leadership:team_round_create", args=[self.team.pk]) not in chief_page
        assert open_round.pk
        self.login(self.outsider)
        assert self.client.get(url).status_code == 404
        self.login(self.teacher)
        assert self.client.post(url).status_code == 405
