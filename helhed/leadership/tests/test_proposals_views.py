"""Burden proposal pages: the list, proposing, deciding at the right level, the overview."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import reverse

from helhed.leadership.actions.documentation import hours_saved
from helhed.leadership.actions.proposals import do_decide_proposal
from helhed.leadership.models import BurdenProposal, BurdenTheme, DocumentationRequirement
from helhed.leadership.tests.test_proposals_actions import REASON, ProposalCase, make_rule
from helhed.results.tests.test_curves_views import section
from helhed.test import municipality


def detail(proposal: BurdenProposal) -> str:
    return reverse("leadership:proposal", args=[proposal.pk])


def decide_url(proposal: BurdenProposal) -> str:
    return reverse("leadership:proposal_decide", args=[proposal.pk])


def done_url(proposal: BurdenProposal) -> str:
    return reverse("leadership:proposal_done", args=[proposal.pk])


class ProposePageTests(ProposalCase):
    url = reverse("leadership:proposal_create")

    def post_data(self, **changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "title": "Drop the absence form",
            "description": "Nobody reads it.",
            "change": "remove",
            "requirement": self.requirement.pk,
            "theme": self.theme.pk,
        }
        data.update(changes)
        return {k: v for k, v in data.items() if v is not None}

    def test_a_teacher_proposes_and_the_owning_unit_decides(self) -> None:
        self.login(self.teacher)
        assert self.client.get(self.url).status_code == 200
        response = self.client.post(self.url, self.post_data())
        proposal = BurdenProposal.objects.get()
        self.assertRedirects(response, detail(proposal))
        assert (proposal.decision_unit, proposal.proposed_by) == (self.school, self.teacher)

    def test_the_form_is_prefilled_from_a_rule_or_a_requirement(self) -> None:
        self.login(self.teacher)
        response = self.client.get(self.url + f"?requirement={self.requirement.pk}")
        assert response.context["form"]["requirement"].value() == self.requirement.pk
        response = self.client.get(self.url + f"?rule={self.rule.pk}")
        assert response.context["form"]["rule"].value() == self.rule.pk
        assert self.client.get(self.url + "?rule=abc").status_code == 404
        assert self.client.get(self.url + f"?rule={2**70}").status_code == 404
        foreign = make_rule(owner=self.outsider, unit=self.outsider_unit())
        assert self.client.get(self.url + f"?rule={foreign.pk}").status_code == 404

    def outsider_unit(self) -> Any:
        return self.outsider.assignments_on().get().unit

    def test_bad_input_shows_the_form_with_errors(self) -> None:
        self.login(self.teacher)
        cases = [
            (self.post_data(title=""), "title"),
            (self.post_data(requirement=None), "rule"),  # no subject
            (self.post_data(requirement=None, procedure="Sign-off"), "unit"),
            (self.post_data(theme=None), "theme"),
            (self.post_data(theme=2**70), "theme"),
        ]
        for data, field in cases:
            with self.subTest(field=field):
                response = self.client.post(self.url, data)
                assert response.status_code == 422
                assert field in response.context["form"].errors, response.context["form"].errors
        assert not BurdenProposal.objects.exists()

    def test_only_leaders_and_analysts_add_a_theme(self) -> None:
        self.login(self.teacher)
        response = self.client.post(self.url, self.post_data(new_theme="Meetings"))
        assert response.status_code == 302  # the field is not there: the theme chosen is used
        assert not BurdenTheme.objects.filter(name="Meetings").exists()
        self.login(self.leader)
        response = self.client.post(self.url, self.post_data(theme=None, new_theme="Meetings"))
        assert response.status_code == 302
        assert BurdenProposal.objects.latest("pk").theme.name == "Meetings"

    def test_a_procedure_is_decided_at_the_unit_chosen(self) -> None:
        self.login(self.teacher)
        data = self.post_data(requirement=None, procedure="Sign-off", unit=self.children_admin.pk)
        assert self.client.post(self.url, data).status_code == 302
        assert BurdenProposal.objects.get().decision_unit == self.children_admin

    def test_access(self) -> None:
        self.login(self.outsider)
        assert self.client.get(self.url + f"?rule={self.rule.pk}").status_code == 404
        self.login(self.admin)  # no staff role
        assert self.client.get(self.url).status_code == 404
        self.login(self.teacher)
        assert self.client.put(self.url).status_code == 405
        self.client.logout()
        assert self.client.get(self.url).status_code == 302


class DecidePageTests(ProposalCase):
    def test_decision_by_the_right_level_only(self) -> None:
        proposal = self.propose()
        data = {"decision": "accept", "reason": REASON}
        self.login(self.teacher)  # the proposer
        assert self.client.get(detail(proposal)).status_code == 200
        assert self.client.post(decide_url(proposal), data).status_code == 403
        self.login(self.sibling_leader)
        assert self.client.post(decide_url(proposal), data).status_code == 403
        self.login(self.caseworker)
        assert self.client.post(decide_url(proposal), data).status_code == 403
        self.login(self.outsider)
        assert self.client.get(detail(proposal)).status_code == 404
        assert self.client.post(decide_url(proposal), data).status_code == 404
        proposal.refresh_from_db()
        assert proposal.status == "proposed"
        self.login(self.chief)  # leads the administration above the school
        assert self.client.get(decide_url(proposal)).status_code == 405
        response = self.client.post(decide_url(proposal), data)
        self.assertRedirects(response, detail(proposal))
        proposal.refresh_from_db()
        assert (proposal.status, proposal.decided_by) == ("done", self.chief)

    def test_the_leader_of_the_owning_unit_decides(self) -> None:
        proposal = self.propose()
        self.login(self.leader)
        html = self.client.get(detail(proposal)).content.decode()
        assert 'data-testid="decide-form"' in html
        self.login(self.teacher)
        html = self.client.get(detail(proposal)).content.decode()
        assert 'data-testid="decide-form"' not in html
        self.login(self.leader)
        response = self.client.post(decide_url(proposal), {"decision": "reject", "reason": REASON})
        assert response.status_code == 302
        self.requirement.refresh_from_db()
        assert self.requirement.status == "active"

    def test_accepting_removal_drops_the_requirement_and_the_hours_show(self) -> None:
        proposal = self.propose()
        assert hours_saved(municipality()) == Decimal("0")
        self.login(self.chief)
        self.client.post(decide_url(proposal), {"decision": "accept", "reason": REASON})
        self.requirement.refresh_from_db()
        assert self.requirement.status == DocumentationRequirement.Status.DROPPED
        assert hours_saved(municipality()) == self.requirement.hours_per_year == Decimal("300.0")
        html = self.client.get(reverse("leadership:proposal_overview")).content.decode()
        assert "300.0 hours" in section(html, "hours-saved")
        assert "Absence form" in section(html, "dropped")

    def test_the_reason_is_required(self) -> None:
        proposal = self.propose()
        self.login(self.leader)
        response = self.client.post(decide_url(proposal), {"decision": "accept", "reason": ""})
        assert response.status_code == 422
        assert "reason" in response.context["decision_form"].errors
        response = self.client.post(decide_url(proposal), {"decision": "maybe", "reason": REASON})
        assert response.status_code == 422
        proposal.refresh_from_db()
        assert proposal.status == "proposed"

    def test_a_decided_proposal_cannot_be_decided_again(self) -> None:
        proposal = self.propose()
        self.login(self.leader)
        self.client.post(decide_url(proposal), {"decision": "reject", "reason": REASON})
        self.login(self.chief)
        response = self.client.post(decide_url(proposal), {"decision": "accept", "reason": REASON})
        self.assertContains(response, "already decided", status_code=422)
        self.requirement.refresh_from_db()
        assert self.requirement.status == "active"
        self.login(self.teacher)  # not the level: still 403
        assert self.client.post(decide_url(proposal), {"decision": "accept"}).status_code == 403

    def test_a_legal_basis_gives_a_clear_error(self) -> None:
        self.requirement.legal_basis = "Folkeskoleloven § 39"
        self.requirement.save()
        proposal = self.propose()
        self.login(self.leader)
        response = self.client.post(decide_url(proposal), {"decision": "accept", "reason": REASON})
        self.assertContains(response, "Folkeskoleloven § 39", status_code=422)
        self.requirement.refresh_from_db()
        assert self.requirement.status == "active"

    def test_marking_an_accepted_proposal_done(self) -> None:
        proposal = self.propose(requirement=None, procedure="Sign-off", unit=self.school)
        do_decide_proposal(actor=self.leader, proposal=proposal, accept=True, reason=REASON)
        self.login(self.teacher)
        assert self.client.post(done_url(proposal)).status_code == 403
        self.login(self.sibling_leader)
        assert self.client.post(done_url(proposal)).status_code == 403
        self.login(self.outsider)
        assert self.client.post(done_url(proposal)).status_code == 404
        self.login(self.leader)
        assert self.client.get(done_url(proposal)).status_code == 405
        self.assertRedirects(self.client.post(done_url(proposal)), detail(proposal))
        proposal.refresh_from_db()
        assert proposal.status == "done"
        response = self.client.post(done_url(proposal))
        self.assertContains(response, "Only an accepted proposal", status_code=422)

    def test_a_rule_removal_waits_for_the_repeal(self) -> None:
        proposal = self.propose(requirement=None, rule=self.rule)
        do_decide_proposal(actor=self.leader, proposal=proposal, accept=True, reason=REASON)
        self.login(self.leader)
        response = self.client.post(done_url(proposal))
        self.assertContains(response, "still in force", status_code=422)
        proposal.refresh_from_db()
        assert proposal.status == "accepted"


class ListAndOverviewTests(ProposalCase):
    url = reverse("leadership:proposals")

    def test_search_filters_and_to_decide(self) -> None:
        meetings = BurdenTheme.objects.create(municipality=municipality(), name="Meetings")
        first = self.propose(title="Drop the absence form")
        self.propose(title="Fewer staff meetings", theme=meetings)
        procedure = self.propose(
            title="Excursion sign-off", requirement=None, procedure="Sign", unit=self.family_dept
        )
        do_decide_proposal(actor=self.leader, proposal=first, accept=False, reason=REASON)
        self.login(self.leader)

        def titles(query: str = "") -> set[str]:
            response = self.client.get(self.url + query)
            assert response.status_code == 200
            return {p.title for p in response.context["page"]}

        assert titles() == {"Drop the absence form", "Fewer staff meetings", "Excursion sign-off"}
        assert titles("?q=drop") == {"Drop the absence form"}
        assert titles("?q=absence+form") == {"Drop the absence form", "Fewer staff meetings"}
        assert titles("?status=rejected") == {"Drop the absence form"}
        assert titles(f"?theme={meetings.pk}") == {"Fewer staff meetings"}
        assert titles("?to_decide=1") == {"Fewer staff meetings"}
        assert titles("?status=nonsense&theme=x&page=999") == titles()
        self.login(self.sibling_leader)
        assert titles("?to_decide=1") == {"Excursion sign-off"}
        assert procedure.decision_unit == self.family_dept
        self.login(self.outsider)
        assert titles() == set()

    def test_the_list_pages_by_25(self) -> None:
        for n in range(27):
            self.propose(title=f"Proposal {n:02}")
        self.login(self.teacher)
        response = self.client.get(self.url + "?q=Proposal")
        assert len(response.context["page"]) == 25
        assert "q=Proposal&amp;page=2" in response.content.decode()
        assert len(self.client.get(self.url + "?q=Proposal&page=2").context["page"]) == 2

    def test_the_overview_counts_by_status_and_theme_with_a_chart_and_table(self) -> None:
        meetings = BurdenTheme.objects.create(municipality=municipality(), name="Meetings")
        first = self.propose()
        self.propose(theme=meetings, requirement=None, rule=self.rule)
        self.propose(theme=meetings, requirement=None, procedure="Lists", unit=self.school)
        do_decide_proposal(actor=self.leader, proposal=first, accept=True, reason=REASON)
        self.login(self.teacher)
        response = self.client.get(reverse("leadership:proposal_overview"))
        assert response.status_code == 200
        html = response.content.decode()
        by_status = section(html, "by-status")
        for status, count in (("proposed", 2), ("accepted", 0), ("rejected", 0), ("done", 1)):
            assert f'data-status-count="{status}">{count}<' in by_status
        assert 'data-testid="total">3<' in by_status
        by_theme = section(html, "by-theme")
        assert '<svg role="img" aria-label="Proposals per theme"' in by_theme
        assert "<table>" in by_theme
        assert '<tr data-theme="Meetings">' in by_theme
        assert by_theme.index('data-theme="Meetings"') < by_theme.index(
            'data-theme="Documentation"'
        )

    def test_access(self) -> None:
        for name in ("leadership:proposals", "leadership:proposal_overview"):
            self.login(self.outsider)
            assert self.client.get(reverse(name)).status_code == 200  # their own municipality
            self.login(self.admin)
            assert self.client.get(reverse(name)).status_code == 404
            self.login(self.teacher)
            assert self.client.post(reverse(name)).status_code == 405
        proposal = self.propose()
        self.login(self.outsider)
        assert self.client.get(detail(proposal)).status_code == 404
        assert self.client.get(reverse("leadership:proposal", args=[2**40])).status_code == 404
