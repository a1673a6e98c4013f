"""The self-assessment pages: only members answer and see results; no one's answers shown."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from helhed.forums.actions import assessments as actions
from helhed.forums.models import AssessmentAnswer, SelfAssessment
from helhed.forums.statements import CODES
from helhed.forums.tests.test_assessments_actions import AssessmentCase, all_scores
from helhed.lib.validity import today


class OpenRoundTests(AssessmentCase):
    def url(self) -> str:
        return reverse("forums:assessment_create", args=[self.leaders.pk])

    def test_a_member_opens_a_round(self) -> None:
        self.login(self.caseworker)
        assert self.client.get(self.url()).status_code == 200
        response = self.client.post(
            self.url(), {"title": "Før mødet", "meeting_on": str(today() + dt.timedelta(days=3))}
        )
        assessment = SelfAssessment.objects.get()
        self.assertRedirects(response, reverse("forums:assessment", args=[assessment.pk]))
        assert (assessment.forum, assessment.created_by) == (self.leaders, self.caseworker)

    def test_non_members_get_404_and_bad_input_422(self) -> None:
        for staff in (self.teacher, self.director, self.outsider):
            with self.subTest(staff.first_name):
                self.login(staff)
                assert self.client.get(self.url()).status_code == 404
                listing = reverse("forums:assessments", args=[self.leaders.pk])
                assert self.client.get(listing).status_code == 404
        self.login(self.chief)
        yesterday = str(today() - dt.timedelta(days=1))
        for data in ({"title": "", "meeting_on": yesterday}, {"title": "x", "meeting_on": "no"}):
            with self.subTest(data):
                assert self.client.post(self.url(), data).status_code == 422
        assert self.client.put(self.url()).status_code == 405
        assert not SelfAssessment.objects.exists()


class AnswerTests(AssessmentCase):
    def answer_url(self, assessment: SelfAssessment) -> str:
        return reverse("forums:assessment_answer", args=[assessment.pk])

    def test_a_member_answers_and_changes_while_open(self) -> None:
        assessment = self.open_round()
        self.login(self.chief)
        page = self.client.get(reverse("forums:assessment", args=[assessment.pk]))
        assert "Vi løser borgerens problem først" in page.content.decode()
        response = self.client.post(self.answer_url(assessment), all_scores(2))
        self.assertRedirects(response, reverse("forums:assessment", args=[assessment.pk]))
        self.client.post(self.answer_url(assessment), {**all_scores(2), "solve-first": 4})
        assert actions.my_scores(assessment, self.chief)["solve-first"] == 4
        assert AssessmentAnswer.objects.count() == 8

    def test_a_partial_or_bad_answer_is_422(self) -> None:
        assessment = self.open_round()
        self.login(self.chief)
        for data in ({"solve-first": 3}, {**all_scores(3), "one-plan": 9}):
            with self.subTest(data):
                assert self.client.post(self.answer_url(assessment), data).status_code == 422
        assert not AssessmentAnswer.objects.exists()

    def test_only_members_answer_and_only_while_open(self) -> None:
        assessment = self.open_round()
        for staff in (self.teacher, self.outsider):
            with self.subTest(staff.first_name):
                self.login(staff)
                url = self.answer_url(assessment)
                assert self.client.post(url, all_scores(3)).status_code == 404
                detail = reverse("forums:assessment", args=[assessment.pk])
                assert self.client.get(detail).status_code == 404
        self.login(self.chief)
        assert self.client.get(self.answer_url(assessment)).status_code == 405
        actions.do_close_assessment(actor=self.leader, assessment=assessment)
        assert self.client.post(self.answer_url(assessment), all_scores(3)).status_code == 403
        assert not AssessmentAnswer.objects.exists()

    def test_only_the_opener_or_the_chair_closes(self) -> None:
        assessment = self.open_round(by=self.caseworker)
        url = reverse("forums:assessment_close", args=[assessment.pk])
        self.login(self.chief)
        assert self.client.post(url).status_code == 403
        self.login(self.leader)  # the chair
        self.assertRedirects(
            self.client.post(url), reverse("forums:assessment", args=[assessment.pk])
        )
        assessment.refresh_from_db()
        assert assessment.status == SelfAssessment.Status.CLOSED


class ResultTests(AssessmentCase):
    def closed_round(self) -> SelfAssessment:
        assessment = self.open_round()
        actions.do_answer(actor=self.leader, assessment=assessment, scores=all_scores(1))
        actions.do_answer(actor=self.chief, assessment=assessment, scores=all_scores(4))
        actions.do_answer(actor=self.caseworker, assessment=assessment, scores=all_scores(5))
        return assessment

    def test_the_spread_shows_after_closing_without_anyones_answers(self) -> None:
        assessment = self.closed_round()
        url = reverse("forums:assessment", args=[assessment.pk])
        self.login(self.chief)
        pending = self.client.get(url)
        assert pending.context["shown"] is False
        assert 'data-testid="spread-table"' not in pending.content.decode()
        actions.do_close_assessment(actor=self.leader, assessment=assessment)
        response = self.client.get(url)
        html = response.content.decode()
        assert response.context["shown"] is True
        assert "<svg" in html and 'data-testid="spread-table"' in html
        first = response.context["results"][0]
        assert first.counts == [1, 0, 0, 1, 1]
        assert first.mean == 10 / 3
        # The page names no one who answered: neither the other members nor their scores.
        for staff in (self.leader, self.caseworker):
            assert staff.full_name not in html
        assert "form" not in response.context or response.context["form"] is None

    def test_the_rounds_page_keeps_means_over_time(self) -> None:
        assessment = self.closed_round()
        actions.do_close_assessment(actor=self.leader, assessment=assessment)
        self.open_round(days=40)  # open: not in the means yet
        self.login(self.caseworker)
        response = self.client.get(reverse("forums:assessments", args=[self.leaders.pk]))
        assert response.status_code == 200
        assert len(response.context["page"]) == 2
        rows = {s.code: means for s, means in response.context["rows"]}
        assert set(rows) == set(CODES)
        assert rows["solve-first"] == [10 / 3]
