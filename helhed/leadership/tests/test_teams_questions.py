"""Reflection questions: shipped and installed once; leaders and analysts add and retire."""

from __future__ import annotations

from django.urls import reverse

from helhed.leadership.models import LeadershipTask, ReflectionQuestion
from helhed.leadership.questions import SHIPPED_QUESTIONS, install_questions
from helhed.leadership.tests.test_teams_rounds import OWNERSHIP_QUESTION, TeamCase
from helhed.test import municipality


class QuestionTests(TeamCase):
    url = "/leadership/teams/questions/"

    def test_three_or_four_danish_questions_per_task_installed_idempotently(self) -> None:
        assert set(SHIPPED_QUESTIONS) == set(LeadershipTask.values)
        assert all(3 <= len(texts) <= 4 for texts in SHIPPED_QUESTIONS.values())
        rudersdal = municipality(230)
        total = sum(len(texts) for texts in SHIPPED_QUESTIONS.values())
        assert install_questions(rudersdal) == total
        retired = ReflectionQuestion.objects.get(text=OWNERSHIP_QUESTION)
        retired.active = False
        retired.save()
        assert install_questions(rudersdal) == 0
        assert ReflectionQuestion.objects.filter(municipality=rudersdal).count() == total
        assert not ReflectionQuestion.objects.get(text=OWNERSHIP_QUESTION).active
        assert not ReflectionQuestion.objects.filter(municipality=municipality(167)).exists()

    def test_a_leader_adds_and_retires_a_question(self) -> None:
        self.login(self.leader)
        page = self.client.get(self.url)
        assert page.status_code == 200
        assert OWNERSHIP_QUESTION in page.content.decode()
        add = reverse("leadership:team_question_create")
        text = "Hvordan bruger vi frirummet fra de ophævede regler?"
        response = self.client.post(add, {"task": "ownership", "text": text})
        assert response.status_code == 302
        added = ReflectionQuestion.objects.get(text=text)
        assert added.sort_order > ReflectionQuestion.objects.get(text=OWNERSHIP_QUESTION).sort_order
        retire = reverse("leadership:team_question_active", args=[added.pk])
        self.client.post(retire, {"active": "0"})
        added.refresh_from_db()
        assert not added.active
        self.client.post(retire, {"active": "1"})
        added.refresh_from_db()
        assert added.active

    def test_bad_input_shows_errors_not_a_500(self) -> None:
        self.login(self.analyst)
        add = reverse("leadership:team_question_create")
        for bad in (
            {"task": "nonsense", "text": "Et spørgsmål?"},
            {"task": "methods", "text": ""},
            {"task": "ownership", "text": OWNERSHIP_QUESTION},
        ):
            assert self.client.post(add, bad).status_code == 422, bad
        assert ReflectionQuestion.objects.filter(text=OWNERSHIP_QUESTION).count() == 1

    def test_staff_read_the_questions_but_only_leaders_and_analysts_change_them(self) -> None:
        self.login(self.leader)
        self.client.get(self.url)
        question = ReflectionQuestion.objects.get(text=OWNERSHIP_QUESTION)
        retire = reverse("leadership:team_question_active", args=[question.pk])
        add = reverse("leadership:team_question_create")
        self.login(self.teacher)
        page = self.client.get(self.url)
        assert page.status_code == 200
        assert 'data-testid="question-form"' not in page.content.decode()
        assert self.client.post(add, {"task": "methods", "text": "Nyt?"}).status_code == 403
        assert self.client.post(retire, {"active": "0"}).status_code == 403
        self.login(self.outsider)
        assert self.client.post(retire, {"active": "0"}).status_code == 404
        question.refresh_from_db()
        assert question.active
        assert self.client.post(self.url).status_code == 405
        assert self.client.get(retire).status_code == 405
