"""The rule register's pages: the list, my rules to review, a rule, registering and deciding."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from helhed.leadership.models import Rule, RuleDecision
from helhed.leadership.tests.test_rules_actions import RuleCase
from helhed.lib.validity import today

LIST = reverse("leadership:rules")
MINE = reverse("leadership:rules_mine")
CREATE = reverse("leadership:rule_create")


def detail(rule: Rule) -> str:
    return reverse("leadership:rule", args=[rule.pk])


def decide(rule: Rule) -> str:
    return reverse("leadership:rule_decide", args=[rule.pk])


class ListTests(RuleCase):
    def test_every_staff_member_reads_the_register_and_past_review_stands_out(self) -> None:
        past = self.past_review_rule(title="Absence is called in")
        self.register(title="Homework policy", area="Teaching")
        for staff in (self.teacher, self.caseworker, self.politician, self.leader):
            with self.subTest(staff.full_name):
                self.login(staff)
                response = self.client.get(LIST)
                self.assertContains(response, "Homework policy")
                self.assertContains(response, 'class="overdue" data-past-review="true"', count=1)
                self.assertContains(response, f'href="{detail(past)}"')

    def test_another_municipality_does_not_see_the_rules(self) -> None:
        self.register(title="Homework policy")
        self.login(self.outsider)
        response = self.client.get(LIST)
        assert response.status_code == 200
        self.assertNotContains(response, "Homework policy")

    def test_search_and_filters(self) -> None:
        self.register(title="Homework policy", area="Teaching", text="Homework is optional.")
        self.past_review_rule(title="Absence is called in", area="School")
        guideline = self.register(title="Break duty", kind=Rule.Kind.GUIDELINE, area="School")
        self.decide(guideline, decision="repeal", reason="Nobody needs this guideline any more.")
        self.login(self.teacher)

        def titles(**params: Any) -> set[str]:
            response = self.client.get(LIST, params)
            assert response.status_code == 200
            return {rule.title for rule in response.context["page"]}

        everything = {"Homework policy", "Absence is called in", "Break duty"}
        assert titles() == everything
        assert titles(q="optional") == {"Homework policy"}  # the text
        assert titles(q="teaching") == {"Homework policy"}  # the area
        assert titles(q="absence called") == {"Absence is called in"}
        assert titles(status="repealed") == {"Break duty"}
        assert titles(kind="guideline") == {"Break duty"}
        assert titles(area="School") == {"Absence is called in", "Break duty"}
        assert titles(past_review="on") == {"Absence is called in"}
        # Unknown filter values are ignored rather than answered with an error.
        assert titles(status="nonsense", area="Nowhere", kind="law") == everything

    def test_the_list_is_paginated(self) -> None:
        for number in range(27):
            self.register(title=f"Rule {number:02}")
        self.login(self.teacher)
        first = self.client.get(LIST)
        assert len(first.context["page"]) == 25
        self.assertContains(first, "page=2")
        second = self.client.get(LIST, {"q": "Rule", "page": "2"})
        assert len(second.context["page"]) == 2
        self.assertContains(second, "q=Rule&amp;page=1")

    def test_wrong_method_is_405_and_anonymous_goes_to_login(self) -> None:
        self.login(self.teacher)
        assert self.client.post(LIST).status_code == 405
        assert self.client.post(MINE).status_code == 405
        self.client.logout()
        assert self.client.get(LIST).status_code == 302


class MineTests(RuleCase):
    def test_a_rule_past_review_shows_on_its_owners_list_and_the_leader_above(self) -> None:
        rule = self.past_review_rule()
        for staff in (self.leader, self.chief):
            with self.subTest(staff.full_name):
                self.login(staff)
                response = self.client.get(MINE)
                assert [r.pk for r in response.context["page"]] == [rule.pk]
                self.assertContains(response, "past review")

    def test_it_does_not_show_on_others_lists(self) -> None:
        self.past_review_rule()
        for staff in (self.family_leader, self.teacher, self.outsider):
            with self.subTest(staff.full_name):
                self.login(staff)
                response = self.client.get(MINE)
                assert response.status_code == 200
                assert list(response.context["page"]) == []
                self.assertContains(response, "No rules wait for your review.")

    def test_a_repealed_rule_never_shows(self) -> None:
        rule = self.past_review_rule()
        self.decide(rule, decision="repeal", reason="The national rules now cover this fully.")
        self.login(self.leader)
        assert list(self.client.get(MINE).context["page"]) == []


class DetailTests(RuleCase):
    def test_it_shows_the_rule_and_its_history_and_the_form_to_those_who_decide(self) -> None:
        rule = self.register()
        self.decide(rule, decision="change", new_text="Report absence in the app before 8.")
        self.login(self.chief)
        response = self.client.get(detail(rule))
        self.assertContains(response, "Report absence in the app before 8.")
        self.assertContains(response, 'data-decision="change"')
        self.assertContains(response, 'data-decision="adopt"')
        self.assertContains(response, 'data-testid="previous-text"')
        self.assertContains(response, "Parents call the school office before 8")
        self.assertContains(response, 'data-testid="rule-decide"')

    def test_staff_who_may_not_decide_read_it_without_the_form(self) -> None:
        rule = self.register()
        for staff in (self.teacher, self.family_leader, self.analyst):
            with self.subTest(staff.full_name):
                self.login(staff)
                response = self.client.get(detail(rule))
                self.assertContains(response, rule.title)
                self.assertNotContains(response, 'data-testid="rule-decide"')

    def test_another_municipality_gets_404(self) -> None:
        rule = self.register()
        self.login(self.outsider)
        assert self.client.get(detail(rule)).status_code == 404
        assert self.client.get(reverse("leadership:rule", args=[2**70])).status_code == 404

    def test_a_repealed_rule_is_readable_with_its_history_but_undecidable(self) -> None:
        rule = self.register()
        self.decide(rule, decision="repeal", reason="The national rules now cover this fully.")
        self.login(self.leader)
        response = self.client.get(detail(rule))
        self.assertContains(response, 'data-testid="repealed-note"')
        self.assertContains(response, "The national rules now cover this fully.")
        self.assertContains(response, 'data-decision="adopt"')
        self.assertNotContains(response, 'data-testid="rule-decide"')
        body = {
            "decision": "keep",
            "reason": "Let us keep it anyway.",
            "next_review_on": "2099-01-01",
        }
        assert self.client.post(decide(rule), body).status_code == 403
        assert RuleDecision.objects.filter(rule=rule).count() == 2


class DecideTests(RuleCase):
    def body(self, **changes: str) -> dict[str, str]:
        data = {
            "decision": "keep",
            "reason": "Still needed: the follow-up the same day works.",
            "next_review_on": str(today() + dt.timedelta(days=365)),
            "new_text": "",
        }
        data.update(changes)
        return data

    def test_the_owner_keeps_the_rule(self) -> None:
        rule = self.past_review_rule()
        self.login(self.leader)
        response = self.client.post(decide(rule), self.body())
        self.assertRedirects(response, detail(rule))
        rule.refresh_from_db()
        assert rule.review_on == today() + dt.timedelta(days=365)
        assert rule.decisions.count() == 2

    def test_a_leader_above_changes_it_and_the_old_text_is_kept(self) -> None:
        rule = self.register()
        self.login(self.chief)
        new_text = "Report absence in the app before 8."
        response = self.client.post(decide(rule), self.body(decision="change", new_text=new_text))
        self.assertRedirects(response, detail(rule))
        rule.refresh_from_db()
        assert rule.text == new_text
        change = rule.decisions.get(decision="change")
        assert (change.decided_by, change.previous_text[:12]) == (self.chief, "Parents call")

    def test_the_owner_repeals_it(self) -> None:
        rule = self.register()
        self.login(self.leader)
        body = self.body(decision="repeal", reason="Covered by the national rules now.")
        self.assertRedirects(self.client.post(decide(rule), body), detail(rule))
        rule.refresh_from_db()
        assert rule.status == Rule.Status.REPEALED

    def test_staff_who_see_but_may_not_decide_get_403(self) -> None:
        rule = self.register()
        for staff in (self.teacher, self.family_leader, self.analyst, self.caseworker):
            with self.subTest(staff.full_name):
                self.login(staff)
                assert self.client.post(decide(rule), self.body()).status_code == 403
        assert rule.decisions.count() == 1

    def test_an_outsider_gets_404(self) -> None:
        rule = self.register()
        self.login(self.outsider)
        assert self.client.post(decide(rule), self.body()).status_code == 404

    def test_get_is_405(self) -> None:
        rule = self.register()
        self.login(self.leader)
        assert self.client.get(decide(rule)).status_code == 405

    def test_bad_input_shows_the_errors_not_a_500(self) -> None:
        rule = self.register()
        self.login(self.leader)
        cases: list[tuple[dict[str, str], str]] = [
            (self.body(reason=""), "This field is required."),
            (self.body(reason="ok"), "Write the reason in a sentence or two"),
            (
                self.body(next_review_on=str(today() - dt.timedelta(days=1))),
                "must be in the future",
            ),
            (self.body(next_review_on=""), "Give the date by which the rule is to be reviewed"),
            (self.body(next_review_on="not a date"), "Enter a valid date."),
            (self.body(decision="change", new_text=""), "Write what the rule is to say"),
            (self.body(decision="adopt"), "Select a valid choice."),
        ]
        for body, message in cases:
            with self.subTest(message):
                response = self.client.post(decide(rule), body)
                assert response.status_code == 422
                self.assertContains(response, message, status_code=422)
        assert rule.decisions.count() == 1


class CreateTests(RuleCase):
    def body(self, **changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "title": "Homework policy",
            "kind": "guideline",
            "area": "Teaching",
            "text": "Homework is optional in grades 0-3.",
            "reason": "Homework at this age does not help learning and burdens families.",
            "legal_basis": "",
            "owner": self.leader.pk,
            "owning_unit": self.school.pk,
            "units": [self.school.pk],
            "review_on": str(today() + dt.timedelta(days=180)),
        }
        data.update(changes)
        return data

    def test_a_leader_registers_a_rule_for_the_unit_she_leads(self) -> None:
        self.login(self.leader)
        page = self.client.get(CREATE)
        assert page.status_code == 200
        assert list(page.context["form"].fields["owning_unit"].queryset) == [self.school]
        response = self.client.post(CREATE, self.body())
        rule = Rule.objects.get()
        self.assertRedirects(response, detail(rule))
        assert (rule.title, rule.kind, rule.owner, rule.owning_unit) == (
            "Homework policy",
            "guideline",
            self.leader,
            self.school,
        )
        assert rule.decisions.get().decision == RuleDecision.Decision.ADOPT

    def test_an_analyst_registers_for_any_unit_and_names_another_owner(self) -> None:
        self.login(self.analyst)
        body = self.body(owner=self.chief.pk, owning_unit=self.children_admin.pk, review_on="")
        response = self.client.post(CREATE, body)
        rule = Rule.objects.get()
        self.assertRedirects(response, detail(rule))
        assert (rule.owner, rule.owning_unit) == (self.chief, self.children_admin)
        assert rule.review_on > today()

    def test_a_leader_cannot_register_for_a_unit_she_does_not_lead(self) -> None:
        self.login(self.leader)
        response = self.client.post(CREATE, self.body(owning_unit=self.family_dept.pk))
        assert response.status_code == 422
        assert "owning_unit" in response.context["form"].errors
        assert not Rule.objects.exists()

    def test_staff_who_neither_lead_nor_analyse_get_403(self) -> None:
        for staff in (self.teacher, self.caseworker, self.politician, self.outsider):
            with self.subTest(staff.full_name):
                self.login(staff)
                assert self.client.get(CREATE).status_code == 403
                assert self.client.post(CREATE, self.body()).status_code == 403
        assert not Rule.objects.exists()

    def test_bad_input_shows_the_errors_not_a_500(self) -> None:
        self.login(self.leader)
        cases: list[tuple[dict[str, Any], str]] = [
            (self.body(reason=""), "This field is required."),
            (self.body(reason="Needed."), "Write the reason in a sentence or two"),
            (self.body(review_on=str(today())), "The review date must be in the future."),
            (self.body(review_on="2001-01-01"), "The review date must be in the future."),
            (self.body(owner=self.outsider.pk), "Select a valid choice."),
            (self.body(owner=2**70), "Select a valid choice."),
            (self.body(units=[2**70]), "Select a valid choice."),
            (self.body(title=""), "This field is required."),
        ]
        for body, message in cases:
            with self.subTest(message):
                response = self.client.post(CREATE, body)
                self.assertContains(response, message, status_code=422)
        assert not Rule.objects.exists()

    def test_put_is_405(self) -> None:
        self.login(self.leader)
        assert self.client.put(CREATE).status_code == 405
