"""Reforms and local decisions on the web: the catalogue, assigning, updating, the list."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.urls import reverse

from helhed.leadership.actions.reforms import do_create_local_decision
from helhed.leadership.models import LocalDecision, Reform
from helhed.lib.validity import today
from helhed.test import BaseTestCase


class ReformPageCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        self.reform = Reform.objects.get(code="barnets-lov")
        element = self.reform.elements.filter(leaves_to_municipality=True).first()
        assert element is not None
        self.element = element
        self.national = self.reform.elements.filter(leaves_to_municipality=False).first()
        self.decision = do_create_local_decision(
            actor=self.chief,
            element=self.element,
            title="Ny børne- og ungepolitik",
            owner=self.caseworker,
            owning_unit=self.family_dept,
            due_on=today() + dt.timedelta(days=30),
        )

    def update_url(self) -> str:
        return reverse("leadership:local_decision", args=[self.decision.pk])


class ReformListTests(ReformPageCase):
    def test_reforms_by_welfare_area_with_counts(self) -> None:
        self.login(self.teacher)
        response = self.client.get(reverse("leadership:reforms"))
        self.assertContains(response, "Barnets Lov")
        self.assertContains(response, "Ældrereformen")
        self.assertContains(response, "Children and young people")
        assert len(response.context["rows"]) == 5
        row = next(r for r in response.context["rows"] if r["reform"] == self.reform)
        assert row["counts"][0][1] == 1
        response = self.client.get(reverse("leadership:reforms"), {"area": "elderly"})
        assert [r["reform"].code for r in response.context["rows"]] == ["aeldrereformen"]
        response = self.client.get(reverse("leadership:reforms"), {"area": "x", "q": "sundhed"})
        assert response.status_code == 200

    def test_an_outsider_sees_the_catalogue_but_not_our_decisions(self) -> None:
        self.login(self.outsider)
        response = self.client.get(reverse("leadership:reforms"))
        row = next(r for r in response.context["rows"] if r["reform"] == self.reform)
        assert all(n == 0 for _label, n in row["counts"])
        detail = self.client.get(reverse("leadership:reform", args=[self.reform.pk]))
        self.assertNotContains(detail, "Ny børne- og ungepolitik")
        assert self.client.get(self.update_url()).status_code == 404

    def test_the_reform_page_shows_elements_and_our_decisions(self) -> None:
        self.login(self.chief)
        response = self.client.get(reverse("leadership:reform", args=[self.reform.pk]))
        self.assertContains(response, self.element.title)
        self.assertContains(response, "Ny børne- og ungepolitik")
        self.assertContains(
            response, reverse("leadership:local_decision_create", args=[self.element.pk])
        )
        assert self.national is not None
        self.assertNotContains(
            response, reverse("leadership:local_decision_create", args=[self.national.pk])
        )

    def test_wrong_method(self) -> None:
        self.login(self.chief)
        assert self.client.post(reverse("leadership:reforms")).status_code == 405
        url = reverse("leadership:reform", args=[self.reform.pk])
        assert self.client.post(url).status_code == 405
        assert self.client.post(reverse("leadership:local_decisions")).status_code == 405
        assert self.client.get(reverse("leadership:reform", args=[99999])).status_code == 404


class AssignTests(ReformPageCase):
    def data(self, **changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "title": "Kvalitetsstandard 2026",
            "owner": self.chief.pk,
            "owning_unit": self.children_admin.pk,
            "due_on": (today() + dt.timedelta(days=90)).isoformat(),
        }
        data.update(changes)
        return data

    def url(self, element_id: int | None = None) -> str:
        return reverse("leadership:local_decision_create", args=[element_id or self.element.pk])

    def test_a_leader_assigns_a_decision(self) -> None:
        self.login(self.leader)
        assert self.client.get(self.url()).status_code == 200
        response = self.client.post(self.url(), self.data())
        self.assertRedirects(response, reverse("leadership:reform", args=[self.reform.pk]))
        decision = LocalDecision.objects.get(title="Kvalitetsstandard 2026")
        assert (decision.owner, decision.owning_unit) == (self.chief, self.children_admin)

    def test_an_element_without_a_local_decision_is_refused(self) -> None:
        assert self.national is not None
        self.login(self.leader)
        response = self.client.post(self.url(self.national.pk), self.data())
        self.assertContains(response, "leaves no decision", status_code=422)

    def test_bad_input_is_an_error(self) -> None:
        self.login(self.leader)
        past = (today() - dt.timedelta(days=1)).isoformat()
        response = self.client.post(self.url(), self.data(due_on=past))
        self.assertContains(response, "cannot be in the past", status_code=422)
        response = self.client.post(self.url(), self.data(owner="nobody", owning_unit=2**70))
        assert response.status_code == 422
        assert not LocalDecision.objects.filter(title="Kvalitetsstandard 2026").exists()

    def test_only_leaders_assign(self) -> None:
        self.login(self.caseworker)
        assert self.client.get(self.url()).status_code == 403
        assert self.client.post(self.url(), self.data()).status_code == 403
        self.login(self.analyst)
        assert self.client.post(self.url(), self.data()).status_code == 403


class UpdateTests(ReformPageCase):
    def data(self, **changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "status": "decided",
            "decision_text": "Politikken vedtaget i Børne- og Skoleudvalget.",
            "decided_on": "",
            "due_on": self.decision.due_on.isoformat() if self.decision.due_on else "",
        }
        data.update(changes)
        return data

    def test_the_owner_records_the_decision(self) -> None:
        self.login(self.caseworker)
        response = self.client.post(self.update_url(), self.data())
        self.assertRedirects(response, reverse("leadership:reform", args=[self.reform.pk]))
        self.decision.refresh_from_db()
        assert (self.decision.status, self.decision.decided_on) == ("decided", today())

    def test_decided_needs_the_text(self) -> None:
        self.login(self.caseworker)
        response = self.client.post(self.update_url(), self.data(decision_text=""))
        self.assertContains(response, "Write what was decided", status_code=422)
        self.decision.refresh_from_db()
        assert self.decision.status == "open"

    def test_a_leader_above_the_owning_unit_may_update_others_may_not(self) -> None:
        self.login(self.chief)
        assert self.client.post(self.update_url(), self.data(status="preparing")).status_code == 302
        self.login(self.leader)  # leads the school, not the family department
        page = self.client.get(self.update_url())
        assert page.status_code == 200
        self.assertNotContains(page, '<form method="post"')
        assert self.client.post(self.update_url(), self.data()).status_code == 403
        self.login(self.colleague)
        assert self.client.post(self.update_url(), self.data()).status_code == 403
        self.login(self.outsider)
        assert self.client.post(self.update_url(), self.data()).status_code == 404

    def test_bad_input_is_an_error(self) -> None:
        self.login(self.caseworker)
        response = self.client.post(self.update_url(), self.data(status="done", due_on="x"))
        assert response.status_code == 422


class LocalDecisionListTests(ReformPageCase):
    def test_overdue_flagged_and_mine_filtered(self) -> None:
        other = do_create_local_decision(
            actor=self.chief,
            element=self.element,
            title="Kvalitetsstandard",
            owner=self.chief,
            owning_unit=self.children_admin,
            due_on=today() + dt.timedelta(days=10),
        )
        LocalDecision.objects.filter(pk=other.pk).update(due_on=today() - dt.timedelta(days=3))
        self.login(self.caseworker)
        response = self.client.get(reverse("leadership:local_decisions"))
        self.assertContains(response, "Kvalitetsstandard")
        self.assertContains(response, "Ny børne- og ungepolitik")
        self.assertContains(response, "badge overdue", count=1)
        mine = self.client.get(reverse("leadership:local_decisions"), {"mine": "on"})
        self.assertContains(mine, "Ny børne- og ungepolitik")
        self.assertNotContains(mine, "Kvalitetsstandard")
        overdue = self.client.get(reverse("leadership:local_decisions"), {"overdue": "on"})
        self.assertContains(overdue, "Kvalitetsstandard")
        self.assertNotContains(overdue, "Ny børne- og ungepolitik")

    def test_an_outsider_sees_none_of_ours(self) -> None:
        self.login(self.outsider)
        response = self.client.get(reverse("leadership:local_decisions"))
        self.assertNotContains(response, "Ny børne- og ungepolitik")
