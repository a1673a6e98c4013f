"""The self-assessment's rules: answers once per statement, changeable while open, the spread."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

from helhed.forums.actions import assessments as actions
from helhed.forums.models import AssessmentAnswer, SelfAssessment
from helhed.forums.statements import CODES, STATEMENTS
from helhed.forums.tests.board_case import ForumCase
from helhed.lib.validity import today
from helhed.organisation.models import Staff


def all_scores(score: int) -> dict[str, int]:
    return dict.fromkeys(CODES, score)


class AssessmentCase(ForumCase):
    def open_round(self, by: Staff | None = None, days: int = 7) -> SelfAssessment:
        return actions.do_open_assessment(
            actor=by or self.leader,
            forum=self.leaders,
            title="Før mødet i ledergruppen",
            meeting_on=today() + dt.timedelta(days=days),
        )


class StatementTests(ForumCase):
    def test_there_are_eight_statements_with_unique_codes(self) -> None:
        assert len(STATEMENTS) == 8
        assert len(set(CODES)) == 8
        assert STATEMENTS[0].da.startswith("Vi løser borgerens problem først")


class AnswerTests(AssessmentCase):
    def test_a_member_answers_once_and_may_change_while_open(self) -> None:
        assessment = self.open_round()
        actions.do_answer(actor=self.chief, assessment=assessment, scores=all_scores(2))
        changed = {**all_scores(2), "solve-first": 5}
        mine = actions.do_answer(actor=self.chief, assessment=assessment, scores=changed)
        assert mine == changed
        assert AssessmentAnswer.objects.filter(staff=self.chief).count() == 8

    def test_bad_scores_and_missing_statements_are_refused(self) -> None:
        assessment = self.open_round()
        for scores, field in [
            ({**all_scores(3), "solve-first": 6}, "solve-first"),
            ({**all_scores(3), "unknown": 3}, "scores"),
            ({"solve-first": 3}, "one-plan"),
        ]:
            with self.subTest(field), self.assertRaises(ValidationError) as caught:
                actions.do_answer(actor=self.chief, assessment=assessment, scores=scores)
            assert field in caught.exception.message_dict
        assert not AssessmentAnswer.objects.exists()
        actions.do_answer(
            actor=self.chief, assessment=assessment, scores={"one-plan": 4}, require_all=False
        )
        assert AssessmentAnswer.objects.count() == 1

    def test_a_closed_round_takes_no_answers(self) -> None:
        assessment = self.open_round()
        actions.do_close_assessment(actor=self.leader, assessment=assessment)
        with self.assertRaises(ValidationError):
            actions.do_answer(actor=self.chief, assessment=assessment, scores=all_scores(3))
        with self.assertRaises(ValidationError):
            actions.do_close_assessment(actor=self.leader, assessment=assessment)

    def test_a_round_is_for_a_meeting_to_come(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.open_round(days=-1)
        assert "meeting_on" in caught.exception.message_dict


class SpreadTests(AssessmentCase):
    def answered(self) -> SelfAssessment:
        assessment = self.open_round()
        actions.do_answer(actor=self.leader, assessment=assessment, scores=all_scores(1))
        actions.do_answer(actor=self.chief, assessment=assessment, scores=all_scores(4))
        actions.do_answer(
            actor=self.caseworker,
            assessment=assessment,
            scores={**all_scores(4), "solve-first": 5},
        )
        return assessment

    def test_the_spread_counts_scores_with_mean_and_range(self) -> None:
        assessment = self.answered()
        results = {r.statement.code: r for r in actions.spread(assessment)}
        first = results["solve-first"]
        assert first.counts == [1, 0, 0, 1, 1]
        assert first.answered == 3
        assert first.mean == 10 / 3
        assert (first.low, first.high) == (1, 5)
        other = results["one-plan"]
        assert other.counts == [1, 0, 0, 2, 0]
        assert other.mean == 3
        assert (other.low, other.high) == (1, 4)

    def test_results_show_only_when_closed_and_enough_answered(self) -> None:
        assessment = self.answered()
        assert not actions.results_shown(assessment)
        assessment = actions.do_close_assessment(actor=self.leader, assessment=assessment)
        assert actions.results_shown(assessment)
        few = self.open_round()
        actions.do_answer(actor=self.chief, assessment=few, scores=all_scores(3))
        actions.do_answer(actor=self.leader, assessment=few, scores=all_scores(3))
        few = actions.do_close_assessment(actor=self.leader, assessment=few)
        assert not actions.results_shown(few)

    def test_history_keeps_the_mean_per_statement_across_rounds(self) -> None:
        first = self.answered()
        actions.do_close_assessment(actor=self.leader, assessment=first)
        second = self.open_round(days=30)
        for staff in (self.leader, self.chief, self.caseworker):
            actions.do_answer(actor=staff, assessment=second, scores=all_scores(5))
        actions.do_close_assessment(actor=self.leader, assessment=second)
        rounds = actions.history(self.leaders)
        assert [r.assessment for r in rounds] == [first, second]
        assert rounds[0].means[1] == 3  # one-plan: 1, 4, 4
        assert rounds[1].means == [5.0] * 8
        assert rounds[1].respondents == 3

    def test_the_chart_is_an_accessible_svg(self) -> None:
        assessment = self.answered()
        svg = actions.spread_svg(actions.spread(assessment), assessment)
        assert svg.startswith('<svg role="img" aria-label=')
