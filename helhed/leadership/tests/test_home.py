"""The leadership overview: what waits for the user, the hours saved, and every section."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from helhed.leadership.actions.proposals import do_decide_proposal
from helhed.leadership.models import DataUse
from helhed.leadership.tests.test_proposals_actions import (
    REASON,
    ProposalCase,
    make_requirement,
    make_rule,
)
from helhed.lib.validity import today
from helhed.results.tests.test_curves_views import section
from helhed.test import make_unit

URL = reverse("leadership:home")


class HomeTests(ProposalCase):
    def test_what_waits_for_a_leader(self) -> None:
        past = today() - dt.timedelta(days=1)
        make_rule(owner=self.leader, unit=self.school, title="Mine, past", review_on=past)
        make_rule(owner=self.chief, unit=self.school, title="Led by me, past", review_on=past)
        make_rule(owner=self.chief, unit=self.children_admin, title="Above me", review_on=past)
        make_rule(owner=self.leader, unit=self.school, title="Repealed", review_on=past,
                  status="repealed")  # fmt: skip
        used = make_requirement(owner=self.leader, unit=self.school, title="Used")
        DataUse.objects.create(
            requirement=used, user_description="Board", used_for="Budget",
            recorded_by=self.leader, recorded_on=today(),
        )  # fmt: skip
        make_requirement(owner=self.leader, unit=self.school, title="By law", legal_basis="§ 1")
        self.propose()
        self.propose(title="Second")
        self.login(self.leader)
        html = self.client.get(URL).content.decode()
        waiting = section(html, "waiting")
        assert "2 proposals to decide" in waiting
        assert "2 of your rules are past their review date" in waiting
        # The unused requirement of the base (Absence form) only: used and lawful ones are not.
        assert "1 documentation requirement is" in waiting
        assert "Drop the absence form" in waiting

    def test_what_waits_for_a_teacher_and_the_hours_saved(self) -> None:
        proposal = self.propose()
        self.login(self.teacher)
        html = self.client.get(URL).content.decode()
        waiting = section(html, "waiting")
        assert "No proposals to decide" in waiting
        assert "None of your rules is past its review date" in waiting
        assert "1 of your proposals is still open" in waiting
        assert ">0.0 hours<" in section(html, "hours-saved")
        do_decide_proposal(actor=self.leader, proposal=proposal, accept=True, reason=REASON)
        html = self.client.get(URL).content.decode()
        assert ">300.0 hours<" in section(html, "hours-saved")
        assert "No documentation requirement is merely" in section(html, "waiting")

    def test_the_chief_decides_for_the_schools_beneath(self) -> None:
        self.propose()
        self.propose(requirement=None, procedure="Sign-off", unit=make_unit("Ny", parent=self.root))
        self.login(self.chief)
        assert "1 proposal to decide" in section(self.client.get(URL).content.decode(), "waiting")
        self.login(self.sibling_leader)
        assert "No proposals to decide" in section(self.client.get(URL).content.decode(), "waiting")
        self.login(self.director)
        assert "2 proposals to decide" in section(self.client.get(URL).content.decode(), "waiting")

    def test_links_to_every_section(self) -> None:
        self.login(self.teacher)
        html = section(self.client.get(URL).content.decode(), "sections")
        for name, path in (
            ("rules", "/leadership/rules/"),
            ("documentation", "/leadership/documentation/"),
            ("proposals", "/leadership/proposals/"),
            ("span", "/leadership/span/"),
            ("principles", "/leadership/principles/"),
            ("methods", "/leadership/methods/"),
            ("reforms", "/leadership/reforms/"),
            ("teams", "/leadership/teams/"),
        ):
            assert f'href="{path}" data-section="leadership:{name}"' in html, name

    def test_access(self) -> None:
        self.login(self.outsider)
        assert self.client.get(URL).status_code == 200  # their own municipality's overview
        self.login(self.admin)
        assert self.client.get(URL).status_code == 404
        self.login(self.teacher)
        assert self.client.post(URL).status_code == 405
        self.client.logout()
        assert self.client.get(URL).status_code == 302
