"""The trial pages: the portfolio, one trial, creating, money, evidence, stories, decisions."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.urls import reverse

from helhed.forums.models import Decision
from helhed.lib.validity import today
from helhed.results.levels import default_period
from helhed.test import record_value
from helhed.trials.actions import trials as actions
from helhed.trials.models import Application, Evaluation, Trial
from helhed.trials.tests.trial_case import TrialCase

LIST = reverse("trials:list")
EXPORT = reverse("trials:export")
CREATE = reverse("trials:create")


def url(name: str, obj: Trial | Application) -> str:
    key = "application_id" if isinstance(obj, Application) else "trial_id"
    return reverse(f"trials:{name}", kwargs={key: obj.pk})


class PortfolioTests(TrialCase):
    def setUp(self) -> None:
        self.funded = self.make_trial(title="Skole og familie sammen")
        self.grant(self.apply(self.funded, 200_000))
        actions.do_record_expense(
            actor=self.leader,
            trial=self.funded,
            amount=Decimal(50_000),
            spent_on=today(),
            text="Hours",
        )
        self.evaluate(self.funded, kind=Evaluation.Kind.INTERIM)
        self.other = self.make_trial(title="Ung i job", units=[self.family_dept])
        self.grant(self.apply(self.other, 100_000))

    def test_every_staff_member_reads_the_portfolio_with_money_evidence_and_totals(self) -> None:
        for staff in (self.teacher, self.politician, self.caseworker):
            self.login(staff)
            response = self.client.get(LIST)
            assert response.status_code == 200
            self.assertContains(response, "Skole og familie sammen")
            totals = response.context["totals"]
            assert (totals["count"], totals["granted"], totals["spent"], totals["left"]) == (
                2,
                Decimal(300_000),
                Decimal(50_000),
                Decimal(250_000),
            )
            rows = {row["trial"].title: row for row in response.context["rows"]}
            assert rows["Skole og familie sammen"]["direction"] == "better"
            assert rows["Ung i job"]["direction"] == "none"
            assert rows["Skole og familie sammen"]["trial"].evaluation_count == 1

    def test_filters_by_status_unit_and_forum_and_search(self) -> None:
        self.login(self.teacher)

        def titles(**params: Any) -> set[str]:
            response = self.client.get(LIST, params)
            assert response.status_code == 200
            return {row["trial"].title for row in response.context["rows"]}

        both = {"Skole og familie sammen", "Ung i job"}
        assert titles() == both
        assert titles(unit=self.school.pk) == {"Skole og familie sammen"}
        assert titles(forum=self.forum.pk) == both
        assert titles(status="running") == both
        assert titles(status="closed") == set()
        assert titles(q="job") == {"Ung i job"}
        assert titles(unit="99999999999999999999", status="nonsense") == both
        totals = self.client.get(LIST, {"unit": self.school.pk}).context["totals"]
        assert totals["granted"] == Decimal(200_000)

    def test_the_csv_export_has_one_row_per_trial_with_its_money(self) -> None:
        self.login(self.politician)
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # English column names
        response = self.client.get(EXPORT, {"unit": self.school.pk})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert len(rows) == 2
        row = dict(zip(rows[0], rows[1], strict=True))
        assert row["Trial"] == "Skole og familie sammen"
        assert (row["Granted (DKK)"], row["Spent (DKK)"], row["Left (DKK)"]) == (
            "200000.00",
            "50000.00",
            "150000.00",
        )
        assert row["Evaluations"] == "1"

    def test_another_municipality_sees_no_trials_and_wrong_method_is_405(self) -> None:
        self.login(self.outsider)
        response = self.client.get(LIST)
        assert response.status_code == 200
        assert response.context["totals"]["count"] == 0
        self.assertNotContains(response, "Ung i job")
        assert self.client.post(LIST).status_code == 405
        assert self.client.post(EXPORT).status_code == 405

    def test_applications_waiting_for_your_forum(self) -> None:
        waiting = self.apply(self.other, 1000)
        self.login(self.analyst)  # the secretary
        response = self.client.get(LIST)
        assert list(response.context["to_decide"]) == [waiting]
        self.assertContains(response, url("application", waiting))
        self.login(self.chief)  # a member only
        assert not self.client.get(LIST).context["to_decide"]


class CreateTests(TrialCase):
    def body(self, **changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "title": "Læring i fællesskab",
            "hypothesis": "If the PPR works in class, fewer children are moved out of school.",
            "owner": self.leader.pk,
            "units": [self.school.pk, self.family_dept.pk],
            "participants": [self.teacher.pk],
            "indicators": [self.absence.pk],
            "starts_on": str(today()),
            "ends_on": str(today().replace(year=today().year + 1)),
            "comparison": "",
            "budget": "150000",
        }
        data.update(changes)
        return data

    def test_a_leader_starts_a_trial(self) -> None:
        self.login(self.leader)
        assert self.client.get(CREATE).status_code == 200
        response = self.client.post(CREATE, self.body())
        trial = Trial.objects.get(title="Læring i fællesskab")
        self.assertRedirects(response, url("detail", trial))
        assert set(trial.units.all()) == {self.school, self.family_dept}

    def test_staff_who_are_not_leaders_get_403_and_bad_input_422(self) -> None:
        for staff in (self.teacher, self.analyst, self.politician):
            self.login(staff)
            assert self.client.get(CREATE).status_code == 403
            assert self.client.post(CREATE, self.body()).status_code == 403
        self.login(self.leader)
        for bad in (
            self.body(units=[]),
            self.body(owner=self.outsider.pk),
            self.body(ends_on="2000-01-01"),
            self.body(budget="-5"),
            self.body(units=["99999999999999999999999"]),
        ):
            assert self.client.post(CREATE, bad).status_code == 422
        assert not Trial.objects.exists()
        assert self.client.delete(CREATE).status_code == 405

    def test_owner_and_participants_edit_others_get_403_outsider_404(self) -> None:
        trial = self.make_trial()
        self.login(self.teacher)
        response = self.client.post(url("edit", trial), self.body(title="Ny titel"))
        self.assertRedirects(response, url("detail", trial))
        trial.refresh_from_db()
        assert trial.title == "Ny titel"
        self.login(self.chief)
        assert self.client.get(url("edit", trial)).status_code == 403
        self.login(self.outsider)
        assert self.client.get(url("edit", trial)).status_code == 404


class DetailTests(TrialCase):
    def test_the_trial_page_shows_facts_money_values_evidence_and_stories(self) -> None:
        trial = self.make_trial(comparison="")
        self.grant(self.apply(trial, 200_000))
        actions.do_record_expense(
            actor=self.teacher, trial=trial, amount=Decimal(20_000), spent_on=today(), text="Hours"
        )
        self.evaluate(
            trial,
            persons_compared=None,
            results=[actions.ResultIn(self.absence, Decimal("8.5"), None, Decimal("14"))],
        )
        period = default_period(today())
        record_value(self.absence, self.school, period.previous().code, "12.0")
        record_value(self.absence, self.school, period.code, "11.0")
        record_value(self.absence, self.family_dept, period.code, "3.3", persons=3)
        story = self.shared_story()
        actions.do_link_story(actor=self.leader, trial=trial, story=story)
        self.login(self.politician)
        response = self.client.get(url("detail", trial), headers={"accept-language": "en"})
        assert response.status_code == 200
        self.assertContains(response, trial.hypothesis)
        money = response.context["money"]
        assert (money.granted, money.spent, money.left) == (200_000, 20_000, 180_000)
        # Latest values per unit; the family department's (3 persons) stays hidden.
        rows = response.context["indicator_rows"]
        absence = next(row for row in rows if row["indicator"] == self.absence)
        school, family = absence["cells"]
        assert school["status"].value == Decimal("11.0") and not school["status"].suppressed
        assert family["status"].suppressed
        self.assertNotContains(response, "3,3")
        self.assertNotContains(response, "3.3")
        self.assertContains(response, "11,0", count=2)  # the latest value and the table
        self.assertContains(response, '<svg role="img"')
        # Against own baseline only, with the difference shown.
        self.assertContains(response, 'data-testid="baseline-only"')
        self.assertContains(response, 'data-testid="difference">-5,5')
        # The story: only its anonymised text, never the private text, title, plan or child.
        self.assertContains(response, "A girl in fifth grade came to school every day in May.")
        for hidden in ("Alma", "Bakkeskolen came", story.title, f"/plans/{story.plan_id}/"):
            self.assertNotContains(response, hidden)
        assert response.context["can_edit"] is False
        assert response.context["expense_form"] is None

    def test_outsider_404_and_wrong_method_405(self) -> None:
        trial = self.make_trial()
        self.login(self.outsider)
        assert self.client.get(url("detail", trial)).status_code == 404
        self.login(self.teacher)
        assert self.client.post(url("detail", trial)).status_code == 405
        assert self.client.get(reverse("trials:detail", args=[trial.pk + 999])).status_code == 404


class MoneyAndEvidenceViewTests(TrialCase):
    def test_participants_record_expenses_others_403_outsider_404(self) -> None:
        trial = self.make_trial()
        target = url("expense_add", trial)
        body = {"amount": "1250.50", "spent_on": str(today()), "text": "Transport"}
        self.login(self.politician)
        assert self.client.post(target, body).status_code == 403
        self.login(self.outsider)
        assert self.client.post(target, body).status_code == 404
        self.login(self.teacher)
        assert self.client.get(target).status_code == 405
        assert self.client.post(target, {**body, "amount": "abc"}).status_code == 422
        assert self.client.post(target, {**body, "spent_on": "2999-01-01"}).status_code == 422
        self.assertRedirects(self.client.post(target, body), url("detail", trial))
        assert actions.money(trial).spent == Decimal("1250.50")

    def test_writing_an_evaluation_through_the_page(self) -> None:
        trial = self.make_trial()
        target = url("evaluation_create", trial)
        self.login(self.teacher)
        assert self.client.get(target).status_code == 200
        body = {
            "kind": "interim",
            "evaluated_on": str(today()),
            "summary": "Fewer absent days.",
            "persons_in_trial": "62",
            "persons_compared": "",
            f"ind_{self.absence.pk}_trial": "8.5",
            f"ind_{self.absence.pk}_baseline": "14",
        }
        assert (
            self.client.post(target, {**body, f"ind_{self.absence.pk}_baseline": ""}).status_code
            == 422
        )
        assert (
            self.client.post(target, {**body, f"ind_{self.grades.pk}_comparison": "3"}).status_code
            == 422
        )
        self.assertRedirects(self.client.post(target, body), url("detail", trial))
        [evaluation] = trial.evaluations.all()
        assert evaluation.results.get().baseline_value == Decimal(14)
        self.login(self.politician)
        assert self.client.post(target, body).status_code == 403

    def test_linking_only_shared_stories(self) -> None:
        trial = self.make_trial()
        private = self.shared_story("private", anonymised="A boy who is not shared yet.")
        shared = self.shared_story()
        self.login(self.leader)
        page = self.client.get(url("detail", trial))
        assert list(page.context["story_form"].fields["story"].queryset) == [shared]
        self.assertNotContains(page, private.anonymised_text + "</option>", html=False)
        assert self.client.post(url("story_link", trial), {"story": private.pk}).status_code == 422
        self.assertRedirects(
            self.client.post(url("story_link", trial), {"story": shared.pk}), url("detail", trial)
        )
        self.login(self.politician)
        assert self.client.post(url("story_link", trial), {"story": shared.pk}).status_code == 403


class ApplicationViewTests(TrialCase):
    def test_the_owner_applies_the_forum_decides_owner_403_outsider_404(self) -> None:
        trial = self.make_trial()
        self.login(self.teacher)  # a participant, not the owner
        assert self.client.get(url("apply", trial)).status_code == 403
        self.login(self.leader)
        assert self.client.get(url("apply", trial)).status_code == 200
        too_much = {"forum": self.forum.pk, "amount": "300000", "reason": "Two coordinators."}
        assert self.client.post(url("apply", trial), too_much).status_code == 422
        response = self.client.post(url("apply", trial), {**too_much, "amount": "200000"})
        application = Application.objects.get()
        self.assertRedirects(response, url("application", application))
        decide = url("application_decide", application)
        body = {"decision": "grant", "text": "", "mandate_basis": "Grants to trial actions"}
        assert self.client.post(decide, body).status_code == 403  # the owner
        self.login(self.chief)  # a member, not chair or secretary
        assert self.client.post(decide, body).status_code == 403
        self.login(self.outsider)
        assert self.client.get(url("application", application)).status_code == 404
        assert self.client.post(decide, body).status_code == 404
        self.login(self.analyst)  # the secretary
        assert self.client.get(decide).status_code == 405
        assert self.client.post(decide, {**body, "mandate_basis": ""}).status_code == 422
        self.assertRedirects(self.client.post(decide, body), url("application", application))
        application.refresh_from_db()
        assert application.status == "granted"
        assert Decision.objects.get().grant_amount == Decimal(200_000)
        assert self.client.post(decide, body).status_code == 403  # decided: no longer pending

    def test_a_grant_beyond_the_forums_budget_left_is_a_form_error(self) -> None:
        self.grant(self.apply(self.make_trial(), 250_000))
        late = self.apply(self.make_trial(title="Ung i job"), 200_000)
        self.login(self.director)
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = self.client.post(
            url("application_decide", late),
            {"decision": "grant", "text": "", "mandate_basis": "Grants"},
        )
        assert response.status_code == 422
        self.assertContains(response, "left", status_code=422)
        late.refresh_from_db()
        assert late.status == "pending"


class OutcomeViewTests(TrialCase):
    def test_outcome_only_after_final_evaluation_and_by_the_right_people(self) -> None:
        trial = self.make_trial()
        target = url("outcome", trial)
        body = {"outcome": "adjust", "reason": "Keep it, with fewer meetings and one coordinator."}
        self.login(self.leader)
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = self.client.post(target, body)
        assert response.status_code == 422
        self.assertContains(response, "Write the final evaluation first", status_code=422)
        self.evaluate(trial)
        self.login(self.teacher)  # a participant, not owner nor leader
        assert self.client.post(target, body).status_code == 403
        self.login(self.outsider)
        assert self.client.post(target, body).status_code == 404
        self.login(self.chief)  # a leader above the units
        assert self.client.get(target).status_code == 405
        assert self.client.post(target, {**body, "reason": "ok"}).status_code == 422
        self.assertRedirects(self.client.post(target, body), url("detail", trial))
        trial.refresh_from_db()
        assert (trial.status, trial.outcome) == ("closed", "adjust")
        assert self.client.post(target, body).status_code == 403
