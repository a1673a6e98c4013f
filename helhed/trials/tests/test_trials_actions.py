"""The rules of trial actions: creating, granting, money, evaluations, stories and the outcome."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from helhed import policy
from helhed.forums.models import Forum, ForumMember
from helhed.lib.validity import today
from helhed.organisation.models import Unit
from helhed.plans.models import Story
from helhed.test import indicator
from helhed.trials.actions import trials as actions
from helhed.trials.models import Application, Evaluation, Trial
from helhed.trials.tests.trial_case import TrialCase


def fields(exc: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return set(exc.value.message_dict)


class CreateTests(TrialCase):
    def test_a_trial_runs_from_its_start_and_keeps_units_people_and_indicators(self) -> None:
        trial = self.make_trial()
        assert trial.status == Trial.Status.RUNNING
        assert set(trial.units.all()) == {self.school, self.family_dept}
        assert list(trial.participants.all()) == [self.teacher]
        assert set(trial.indicators.all()) == {self.absence, self.grades}
        later = self.make_trial(starts_on=today() + dt.timedelta(days=10))
        assert later.status == Trial.Status.PLANNED
        assert actions.display_status(later) == Trial.Status.PLANNED.label

    def test_it_refuses_another_municipalitys_people_units_and_indicators(self) -> None:
        foreign = indicator("fravaer-over-10", municipality_code=167)
        with pytest.raises(ValidationError) as exc:
            self.make_trial(
                owner=self.outsider,
                units=[Unit.objects.get(name="Familie")],
                participants=[self.outsider],
                indicators=[foreign],
                title=" ",
                ends_on=today() - dt.timedelta(days=300),
            )
        assert fields(exc) == {"owner", "units", "participants", "indicators", "title", "ends_on"}
        with pytest.raises(ValidationError) as exc:
            self.make_trial(units=[], budget=Decimal(-1))
        assert fields(exc) == {"units", "budget"}

    def test_only_leaders_create_and_owner_and_participants_edit(self) -> None:
        assert policy.can_create_trial(self.leader.user)
        assert policy.can_create_trial(self.chief.user)
        assert not policy.can_create_trial(self.teacher.user)
        assert not policy.can_create_trial(self.analyst.user)
        trial = self.make_trial()
        assert policy.can_edit_trial(self.leader.user, trial)
        assert policy.can_edit_trial(self.teacher.user, trial)
        assert not policy.can_edit_trial(self.chief.user, trial)
        assert not policy.can_edit_trial(self.outsider.user, trial)
        assert policy.get_trial_for_user(self.politician.user, trial.pk) == trial
        with pytest.raises(Exception, match="No such trial"):
            policy.get_trial_for_user(self.outsider.user, trial.pk)


class GrantTests(TrialCase):
    def test_the_forum_grants_within_its_limit_and_the_decision_is_linked(self) -> None:
        trial = self.make_trial()
        application = self.grant(self.apply(trial, 200_000))
        assert application.status == Application.Status.GRANTED
        decision = application.decision
        assert decision is not None
        assert decision.forum == self.forum
        assert decision.grant_amount == Decimal(200_000)
        assert decision.grant_purpose == trial.title
        assert decision.decided_by == self.director  # the chair's decision
        assert actions.money(trial).granted == Decimal(200_000)

    def test_the_application_cannot_exceed_the_forums_limit_per_grant(self) -> None:
        trial = self.make_trial()
        with pytest.raises(ValidationError) as exc:
            self.apply(trial, 250_001)
        assert fields(exc) == {"amount"}

    def test_a_grant_beyond_the_budget_left_is_refused_by_the_forum(self) -> None:
        trial = self.make_trial()
        other = self.make_trial(title="Ung i job")
        self.grant(self.apply(trial, 250_000))
        late = self.apply(other, 200_000)  # 150,000 is left of 400,000
        with pytest.raises(ValidationError) as exc:
            self.grant(late)
        assert "grant_amount" in fields(exc)
        late.refresh_from_db()
        assert late.status == Application.Status.PENDING
        assert late.decision_id is None
        assert actions.money(other).granted == 0

    def test_a_forum_whose_limit_was_lowered_refuses_at_decision_time(self) -> None:
        trial = self.make_trial()
        application = self.apply(trial, 200_000)
        Forum.objects.filter(pk=self.forum.pk).update(grant_limit=Decimal(100_000))
        with pytest.raises(ValidationError) as exc:
            self.grant(application)
        assert "grant_amount" in fields(exc)

    def test_only_a_forum_that_may_grant_takes_applications(self) -> None:
        trial = self.make_trial()
        talk = Forum.objects.create(
            municipality=self.root.municipality,
            name="Chefgruppe",
            kind=Forum.Kind.CHIEFS_GROUP,
            cadence=Forum.Cadence.WEEKLY,
            mandate="Talks.",
        )
        with pytest.raises(ValidationError) as exc:
            self.apply(trial, 1000, forum=talk)
        assert fields(exc) == {"forum"}
        assert list(policy.granting_forums(self.leader.user)) == [self.forum]

    def test_refusal_needs_a_reason_and_is_logged_as_the_forums_decision(self) -> None:
        application = self.apply(self.make_trial())
        with pytest.raises(ValidationError) as exc:
            actions.do_decide_application(
                actor=self.analyst,
                application=application,
                grant=False,
                text="No.",
                mandate_basis="Grants",
            )
        assert fields(exc) == {"text"}
        refused = actions.do_decide_application(
            actor=self.analyst,
            application=application,
            grant=False,
            text="The trial duplicates the family department's own effort.",
            mandate_basis="Grants",
        )
        assert refused.status == Application.Status.REFUSED
        assert refused.decision is not None and refused.decision.grant_amount is None
        assert actions.money(refused.trial).granted == 0
        with pytest.raises(ValidationError):
            self.grant(refused)

    def test_only_the_chair_or_secretary_decides(self) -> None:
        application = self.apply(self.make_trial())
        assert policy.can_decide_application(self.director.user, application)
        assert policy.can_decide_application(self.analyst.user, application)
        for staff in (self.chief, self.leader, self.teacher, self.outsider):
            assert not policy.can_decide_application(staff.user, application), staff
        with pytest.raises(PermissionDenied):
            self.grant(application, actor=self.leader)
        assert list(policy.applications_to_decide(self.analyst.user)) == [application]
        assert not policy.applications_to_decide(self.chief.user).exists()
        assert not policy.applications_to_decide(self.leader.user).exists()


class MoneyTests(TrialCase):
    def test_granted_spent_and_left_sum_over_granted_applications_and_expenses(self) -> None:
        trial = self.make_trial()
        self.grant(self.apply(trial, 150_000))
        second = self.apply(trial, 50_000)
        ForumMember.objects.filter(forum=self.forum, staff=self.analyst).update(role="secretary")
        self.grant(second)
        self.apply(trial, 30_000)  # pending: not granted money
        for amount in ("12000.50", "7999.50"):
            actions.do_record_expense(
                actor=self.teacher,
                trial=trial,
                amount=Decimal(amount),
                spent_on=today(),
                text="Coordinator hours",
            )
        money = actions.money(trial)
        assert money.granted == Decimal(200_000)
        assert money.spent == Decimal(20_000)
        assert money.left == Decimal(180_000)
        row = actions.with_money(Trial.objects.filter(pk=trial.pk)).get()
        assert (row.granted, row.spent, row.evaluation_count) == (200_000, 20_000, 0)  # type: ignore[attr-defined]

    def test_an_expense_needs_an_amount_a_past_date_and_a_text(self) -> None:
        trial = self.make_trial()
        with pytest.raises(ValidationError) as exc:
            actions.do_record_expense(
                actor=self.leader,
                trial=trial,
                amount=Decimal(0),
                spent_on=today() + dt.timedelta(days=1),
                text=" ",
            )
        assert fields(exc) == {"amount", "spent_on", "text"}


class EvaluationTests(TrialCase):
    def test_results_show_the_difference_against_the_comparison_group(self) -> None:
        trial = self.make_trial()
        self.evaluate(
            trial,
            results=[
                # absence: lower is better; grades: higher is better
                actions.ResultIn(self.absence, Decimal("8.5"), Decimal("12.0"), Decimal("14")),
                actions.ResultIn(self.grades, Decimal("70"), None, Decimal("65")),
            ],
        )
        [(_evaluation, effects)] = actions.evaluations(trial)
        by_code = {e.result.indicator.code: e for e in effects}
        absence = by_code["fravaer-over-10"]
        assert absence.against_comparison and absence.difference == Decimal("-3.5")
        assert absence.direction == "better"
        grades = by_code["karakter-02-dansk-matematik"]
        assert not grades.against_comparison and grades.difference == Decimal(5)
        assert grades.direction == "better"
        trial.refresh_from_db()
        assert trial.status == Trial.Status.EVALUATED
        assert actions.latest_directions([trial.pk]) == {trial.pk: "better"}

    def test_mixed_and_no_evidence(self) -> None:
        trial = self.make_trial()
        assert actions.latest_directions([trial.pk]) == {trial.pk: "none"}
        self.evaluate(
            trial,
            kind=Evaluation.Kind.INTERIM,
            results=[
                actions.ResultIn(self.absence, Decimal("15"), Decimal("12"), None),
                actions.ResultIn(self.grades, Decimal("70"), Decimal("60"), None),
            ],
        )
        assert actions.latest_directions([trial.pk]) == {trial.pk: "mixed"}

    def test_it_refuses_results_without_comparison_or_baseline_and_a_second_final(self) -> None:
        trial = self.make_trial()
        foreign = indicator("karakter-02-dansk-matematik", municipality_code=167)
        for results in (
            [actions.ResultIn(self.absence, Decimal(8))],
            [actions.ResultIn(foreign, Decimal(8), Decimal(9))],
        ):
            with pytest.raises(ValidationError) as exc:
                self.evaluate(trial, results=results)
            assert "results" in fields(exc)
        with pytest.raises(ValidationError) as exc:
            self.evaluate(trial, persons_compared=None)
        assert fields(exc) == {"persons_compared"}
        self.evaluate(trial)
        with pytest.raises(ValidationError) as exc:
            self.evaluate(trial)
        assert fields(exc) == {"kind"}
        with pytest.raises(ValidationError) as exc:
            self.evaluate(trial, kind="interim", evaluated_on=today() + dt.timedelta(days=1))
        assert fields(exc) == {"evaluated_on"}


class StoryTests(TrialCase):
    def test_only_stories_shared_anonymised_in_the_municipality_are_linked(self) -> None:
        trial = self.make_trial()
        for sharing in (Story.Sharing.PRIVATE, Story.Sharing.PROPOSED, Story.Sharing.DECLINED):
            with pytest.raises(ValidationError) as exc:
                actions.do_link_story(
                    actor=self.leader, trial=trial, story=self.shared_story(sharing)
                )
            assert fields(exc) == {"story"}
        story = self.shared_story()
        actions.do_link_story(actor=self.leader, trial=trial, story=story)
        with pytest.raises(ValidationError):
            actions.do_link_story(actor=self.leader, trial=trial, story=story)
        assert list(policy.trial_stories(self.politician.user, trial)) == [story]
        assert (
            actions.story_label(story) == "A girl in fifth grade came to school every day in May."
        )


class OutcomeTests(TrialCase):
    def test_the_outcome_needs_a_final_evaluation_first(self) -> None:
        trial = self.make_trial()
        self.evaluate(trial, kind=Evaluation.Kind.INTERIM)
        with pytest.raises(ValidationError) as exc, translation.override("en"):
            actions.do_decide_outcome(
                actor=self.leader,
                trial=trial,
                outcome="scale",
                reason="It works well enough for us.",
            )
        assert "final evaluation first" in exc.value.message_dict["outcome"][0]
        self.evaluate(trial)
        with pytest.raises(ValidationError) as exc:
            actions.do_decide_outcome(actor=self.leader, trial=trial, outcome="grow", reason="x")
        assert fields(exc) == {"outcome", "outcome_reason"}
        decided = actions.do_decide_outcome(
            actor=self.leader,
            trial=trial,
            outcome="scale",
            reason="Absence fell by a third against the comparison schools.",
        )
        assert (decided.status, decided.outcome, decided.outcome_on) == ("closed", "scale", today())
        assert not policy.can_edit_trial(self.leader.user, decided)
        assert not policy.can_decide_trial_outcome(self.leader.user, decided)
        with pytest.raises(ValidationError):
            actions.do_record_expense(
                actor=self.leader, trial=decided, amount=Decimal(1), spent_on=today(), text="x"
            )

    def test_the_owner_or_a_leader_of_its_units_or_above_decides(self) -> None:
        trial = self.make_trial(owner=self.teacher, units=[self.family_dept])
        assert policy.can_decide_trial_outcome(self.teacher.user, trial)  # owner
        assert policy.can_decide_trial_outcome(self.chief.user, trial)  # above the unit
        assert policy.can_decide_trial_outcome(self.director.user, trial)
        assert not policy.can_decide_trial_outcome(self.leader.user, trial)  # another unit
        assert not policy.can_decide_trial_outcome(self.caseworker.user, trial)
        assert not policy.can_decide_trial_outcome(self.outsider.user, trial)
