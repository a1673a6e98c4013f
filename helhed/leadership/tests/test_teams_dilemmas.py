"""The dilemma log: members record, members and leaders above read, search and filter."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from helhed.leadership.actions.teams import do_record_dilemma
from helhed.leadership.models import Dilemma, LeadershipTask
from helhed.leadership.tests.test_teams_rounds import TeamCase


class DilemmaTests(TeamCase):
    def data(self, **changes: Any) -> dict[str, Any]:
        data = {
            "title": "Inklusion eller ro i klassen",
            "task": LeadershipTask.HOLISTIC,
            "description": "En elev har brug for mere, end klassen kan rumme.",
            "decision": "Vi beholder eleven i klassen med støtte fra PPR.",
            "reasoning": "Barnets Lov og skolens inklusionsprincip.",
        }
        data.update(changes)
        return data

    def record(self, **changes: Any) -> Dilemma:
        return do_record_dilemma(actor=self.leader, team=self.team, **self.data(**changes))

    def test_a_member_records_a_dilemma(self) -> None:
        self.login(self.teacher)
        url = reverse("leadership:team_dilemma_create", args=[self.team.pk])
        assert self.client.get(url).status_code == 200
        response = self.client.post(url, self.data())
        assert response.status_code == 302
        dilemma = Dilemma.objects.get()
        assert (dilemma.recorded_by, dilemma.task) == (self.teacher, "holistic")

    def test_bad_input_shows_errors_not_a_500(self) -> None:
        self.login(self.teacher)
        url = reverse("leadership:team_dilemma_create", args=[self.team.pk])
        for bad in (self.data(title=""), self.data(decision="  "), self.data(task="nonsense")):
            assert self.client.post(url, bad).status_code == 422
        assert not Dilemma.objects.exists()

    def test_leaders_above_read_but_do_not_record_and_others_get_404(self) -> None:
        self.record()
        create = reverse("leadership:team_dilemma_create", args=[self.team.pk])
        listing = reverse("leadership:team_dilemmas", args=[self.team.pk])
        self.login(self.chief)
        assert "Inklusion eller ro i klassen" in self.client.get(listing).content.decode()
        assert self.client.post(create, self.data()).status_code == 403
        for user in (self.family_leader, self.outsider):
            self.login(user)
            assert self.client.get(listing).status_code == 404
            assert self.client.post(create, self.data()).status_code == 404
        self.login(self.teacher)
        assert self.client.post(listing).status_code == 405
        assert Dilemma.objects.count() == 1

    def test_the_log_searches_filters_by_task_and_pages(self) -> None:
        self.record()
        other = {"description": "Andet", "decision": "Andet", "reasoning": "Andet"}
        self.record(title="Tid til ledelse", task=LeadershipTask.OWNERSHIP, **other)
        for number in range(26):
            self.record(title=f"Gammelt dilemma {number}", task="", **other)
        url = reverse("leadership:team_dilemmas", args=[self.team.pk])
        self.login(self.teacher)
        by_task = self.client.get(url, {"task": "ownership"}).content.decode()
        assert "Tid til ledelse" in by_task
        assert "Inklusion eller ro i klassen" not in by_task
        found = self.client.get(url, {"q": "PPR"}).content.decode()
        assert "Inklusion eller ro i klassen" in found
        assert "Gammelt dilemma" not in found
        second = self.client.get(url, {"page": 2}).content.decode()
        assert second.count('data-testid="dilemma"') == 3
        assert self.client.get(url, {"task": "<script>"}).status_code == 200
