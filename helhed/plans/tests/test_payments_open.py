"""Open settlements per chief: their units only, oldest first, with age, without names."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from helhed.lib.validity import today
from helhed.plans.tests.payments_case import PaymentsCase


class OpenSettlementsPageTests(PaymentsCase):
    url = "/payments/open/"

    def titles(self, response: object) -> list[str]:
        return [row.title for row in response.context["rows"]]  # type: ignore[attr-defined]

    def test_the_chief_sees_the_open_efforts_of_their_units_oldest_first(self) -> None:
        self.login(self.chief)
        response = self.client.get(self.url)
        assert response.status_code == 200
        assert self.titles(response) == ["Forårslejr", "Fritidstilbud", "Familiebehandling"]
        first = response.context["rows"][0]
        assert first.age_days == (today() - dt.date(2025, 1, 1)).days
        assert first.responsible_unit == "Bakkeskolen"
        assert first.proposed_payer == "Bakkeskolen"
        self.assertContains(response, str(first.age_days))
        self.assertContains(response, "no payer proposed")

    def test_it_names_no_citizen(self) -> None:
        self.login(self.chief)
        response = self.client.get(self.url)
        for name in ("Alma", "Jensen", self.plan.title):
            self.assertNotContains(response, name)

    def test_a_leader_sees_only_their_own_unit(self) -> None:
        self.login(self.leader)
        response = self.client.get(self.url)
        assert self.titles(response) == ["Forårslejr"]
        self.login(self.health_leader)
        assert self.titles(self.client.get(self.url)) == []

    def test_another_administrations_leader_sees_theirs_and_not_the_chiefs(self) -> None:
        self.add_effort(
            title="Ekstra besøg", responsible_unit=self.health, monthly_cost=Decimal(100)
        )
        self.login(self.health_leader)
        assert self.titles(self.client.get(self.url)) == ["Ekstra besøg"]
        self.login(self.chief)
        assert "Ekstra besøg" not in self.titles(self.client.get(self.url))

    def test_efforts_that_have_not_started_are_not_open_yet(self) -> None:
        self.add_effort(
            title="Næste år",
            responsible_unit=self.school,
            starts_on=today() + dt.timedelta(days=30),
        )
        self.login(self.leader)
        assert "Næste år" not in self.titles(self.client.get(self.url))

    def test_proposals_to_my_budget_wait_for_my_agreement(self) -> None:
        self.login(self.leader)
        response = self.client.get(self.url)
        waiting = [row.title for row in response.context["to_agree"]]
        # Fritidstilbud is Familieafdelingen's effort, proposed to Bakkeskolen's budget.
        assert waiting == ["Forårslejr", "Fritidstilbud"]

    def test_search_narrows_the_list(self) -> None:
        self.login(self.chief)
        response = self.client.get(self.url, {"q": "fritid"})
        assert self.titles(response) == ["Fritidstilbud"]

    def test_staff_who_lead_nothing_and_outsiders_get_404(self) -> None:
        for who in (self.caseworker, self.teacher, self.analyst, self.outsider):
            self.login(who)
            assert self.client.get(self.url).status_code == 404, who

    def test_wrong_method_is_405(self) -> None:
        self.login(self.chief)
        assert self.client.post(self.url).status_code == 405


class OpenSettlementsApiTests(PaymentsCase):
    def test_the_api_lists_the_same_rows_without_names(self) -> None:
        self.login(self.chief)
        response = self.client.get("/api/payments/open")
        assert response.status_code == 200
        items = response.json()["items"]
        assert [i["title"] for i in items] == ["Forårslejr", "Fritidstilbud", "Familiebehandling"]
        assert items[0]["age_days"] == (today() - dt.date(2025, 1, 1)).days
        assert "citizen_id" not in items[0]
        assert "Alma" not in response.content.decode()

    def test_the_api_lists_what_waits_for_my_agreement(self) -> None:
        self.login(self.leader)
        response = self.client.get("/api/payments/to-agree")
        assert [i["title"] for i in response.json()["items"]] == ["Forårslejr", "Fritidstilbud"]

    def test_the_api_is_404_for_non_leaders(self) -> None:
        for who in (self.caseworker, self.outsider):
            self.login(who)
            assert self.client.get("/api/payments/open").status_code == 404
