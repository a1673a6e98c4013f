"""Reflection rounds: who answers and when, the agenda they become, who reads what."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from helhed.leadership.actions.teams import (
    build_agenda,
    do_answer,
    do_close_reflection,
    do_create_team,
    do_open_reflection,
)
from helhed.leadership.models import (
    LeadershipTask,
    LeaderTeam,
    ReflectionAnswer,
    ReflectionQuestion,
    TeamReflection,
)
from helhed.lib.validity import today
from helhed.organisation.models import Staff, Unit
from helhed.test import BaseTestCase, make_staff

OWNERSHIP_QUESTION = (
    "Hvordan skaber vi ejerskab og mening for medarbejderne i de mål, vi arbejder med?"
)


class TeamCase(BaseTestCase):
    """The school's leader team (Lise the school leader, Tom); the family leader next door."""

    family_leader: Staff
    team: LeaderTeam

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.family_leader = make_staff(
            "Frida", "Falk", unit=cls.family_dept, role="leader", username="family_leader"
        )
        cls.team = do_create_team(
            actor=cls.leader,
            unit=cls.school,
            name="Bakkeskolens ledelse",
            members=[cls.leader, cls.teacher],
        )

    def setUp(self) -> None:
        super().setUp()
        # Messages are checked in English, whatever the lead translates them to.
        translation.activate("en")
        self.addCleanup(translation.deactivate)
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def open_round(self, **changes: Any) -> TeamReflection:
        arguments: dict[str, Any] = {
            "actor": self.leader,
            "team": self.team,
            "title": "Ledelsesmøde i marts",
            "meeting_on": today() + dt.timedelta(days=7),
        }
        arguments.update(changes)
        return do_open_reflection(**arguments)

    def question(self, task: str, index: int = 0) -> ReflectionQuestion:
        return list(
            ReflectionQuestion.objects.filter(
                municipality=self.team.municipality, task=task
            ).order_by("sort_order", "pk")
        )[index]

    def answer(
        self,
        reflection: TeamReflection,
        question: ReflectionQuestion,
        by: Staff,
        text: str,
        **kw: Any,
    ) -> ReflectionAnswer:
        return do_answer(actor=by, reflection=reflection, question=question, text=text, **kw)


def make_team(unit: Unit, actor: Staff, members: list[Staff], name: str) -> LeaderTeam:
    return do_create_team(actor=actor, unit=unit, name=name, members=members)


class RoundRuleTests(TeamCase):
    def test_a_round_gets_all_the_active_questions_installed_on_first_use(self) -> None:
        assert not ReflectionQuestion.objects.exists()
        reflection = self.open_round()
        texts = set(reflection.questions.values_list("text", flat=True))
        assert OWNERSHIP_QUESTION in texts
        assert set(reflection.questions.values_list("task", flat=True)) == set(
            LeadershipTask.values
        )
        assert reflection.status == TeamReflection.Status.OPEN

    def test_a_meeting_in_the_past_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.open_round(meeting_on=today() - dt.timedelta(days=1))
        assert caught.exception.message_dict["meeting_on"] == ["The meeting cannot be in the past."]
        assert not TeamReflection.objects.exists()

    def test_a_retired_question_is_not_offered(self) -> None:
        self.open_round()
        retired = self.question(LeadershipTask.METHODS)
        retired.active = False
        retired.save()
        assert retired not in self.open_round().questions.all()
        with self.assertRaises(ValidationError) as caught:
            self.open_round(questions=[retired])
        assert "questions" in caught.exception.message_dict

    def test_an_answer_is_edited_while_open_and_the_team_has_one_joint_answer(self) -> None:
        reflection = self.open_round()
        question = self.question(LeadershipTask.OWNERSHIP)
        first = self.answer(reflection, question, self.teacher, "Første udkast")
        again = self.answer(reflection, question, self.teacher, "Bedre svar", for_agenda=False)
        assert first.pk == again.pk
        assert (again.text, again.for_agenda) == ("Bedre svar", False)
        team = self.answer(reflection, question, self.teacher, "Vores svar", as_team=True)
        changed = self.answer(reflection, question, self.leader, "Vores bedre svar", as_team=True)
        assert team.pk == changed.pk
        assert changed.answered_by == self.leader
        assert ReflectionAnswer.objects.filter(reflection=reflection).count() == 2

    def test_a_closed_round_takes_no_answers(self) -> None:
        reflection = self.open_round()
        do_close_reflection(actor=self.teacher, reflection=reflection)
        with self.assertRaises(ValidationError):
            self.answer(reflection, self.question(LeadershipTask.OWNERSHIP), self.leader, "Sent")
        with self.assertRaises(ValidationError):
            do_close_reflection(actor=self.leader, reflection=reflection)
        assert not ReflectionAnswer.objects.exists()

    def test_the_agenda_groups_the_marked_answers_by_the_four_tasks_in_order(self) -> None:
        reflection = self.open_round()
        holistic = self.question(LeadershipTask.HOLISTIC)
        ownership = self.question(LeadershipTask.OWNERSHIP)
        self.answer(reflection, holistic, self.teacher, "Overgange til SFO")
        self.answer(reflection, ownership, self.leader, "Fælles mål", as_team=True)
        self.answer(reflection, ownership, self.teacher, "Egne mål")
        self.answer(reflection, ownership, self.leader, "Privat tanke", for_agenda=False)
        agenda = build_agenda(reflection, reflection.answers.all())
        assert [item.task for item in agenda] == list(LeadershipTask)
        assert [[q.question for q in item.questions] for item in agenda] == [
            [ownership],
            [],
            [],
            [holistic],
        ]
        points = [(a.as_team, a.text) for a in agenda[0].questions[0].answers]
        assert points == [(True, "Fælles mål"), (False, "Egne mål")]


class RoundPageTests(TeamCase):
    def answer_url(self, reflection: TeamReflection, question: ReflectionQuestion) -> str:
        return reverse("leadership:team_round_answer", args=[reflection.pk, question.pk])

    def test_a_member_opens_a_round_with_all_questions_by_default(self) -> None:
        self.login(self.teacher)
        url = reverse("leadership:team_round_create", args=[self.team.pk])
        page = self.client.get(url)
        assert page.status_code == 200
        assert OWNERSHIP_QUESTION in page.content.decode()
        ids = [str(pk) for pk in ReflectionQuestion.objects.values_list("pk", flat=True)]
        meeting = str(today() + dt.timedelta(days=3))
        data = {"title": "Møde", "meeting_on": meeting, "questions": ids}
        response = self.client.post(url, data)
        reflection = TeamReflection.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("leadership:team_round", args=[reflection.pk])
        assert reflection.questions.count() == len(ids)

    def test_bad_round_input_shows_errors_not_a_500(self) -> None:
        self.login(self.teacher)
        url = reverse("leadership:team_round_create", args=[self.team.pk])
        self.client.get(url)
        yesterday = str(today() - dt.timedelta(days=1))
        ids = [str(ReflectionQuestion.objects.first().pk)]  # type: ignore[union-attr]
        response = self.client.post(
            url, {"title": "Møde", "meeting_on": yesterday, "questions": ids}
        )
        assert response.status_code == 422
        assert "The meeting cannot be in the past." in response.content.decode()
        for bad in (
            {"title": "", "meeting_on": "not a date", "questions": ids},
            {"title": "Møde", "meeting_on": str(today()), "questions": []},
            {"title": "Møde", "meeting_on": str(today()), "questions": [str(2**70)]},
        ):
            assert self.client.post(url, bad).status_code == 422
        assert not TeamReflection.objects.exists()

    def test_only_members_open_a_round(self) -> None:
        url = reverse("leadership:team_round_create", args=[self.team.pk])
        self.login(self.chief)
        assert self.client.get(url).status_code == 403
        for outsider in (self.family_leader, self.outsider, self.colleague):
            self.login(outsider)
            assert self.client.get(url).status_code == 404
        self.login(self.teacher)
        assert self.client.delete(url).status_code == 405

    def test_a_member_answers_and_edits_on_the_round_page(self) -> None:
        reflection = self.open_round()
        question = self.question(LeadershipTask.LEARNING)
        self.login(self.teacher)
        url = self.answer_url(reflection, question)
        response = self.client.post(url, {"text": "Vi lærer af fejl", "for_agenda": "on"})
        assert response.status_code == 302
        self.client.post(url, {"text": "Vi lærer af fejl sammen", "as_team": "False"})
        answer = ReflectionAnswer.objects.get()
        assert (answer.text, answer.for_agenda, answer.as_team) == (
            "Vi lærer af fejl sammen",
            False,
            False,
        )
        self.client.post(url, {"text": "Teamets svar", "as_team": "True", "for_agenda": "on"})
        assert ReflectionAnswer.objects.filter(as_team=True, answered_by=self.teacher).exists()
        page = self.client.get(reverse("leadership:team_round", args=[reflection.pk]))
        assert page.status_code == 200
        assert "Vi lærer af fejl sammen" in page.content.decode()
        assert "Teamets svar" in page.content.decode()
        assert self.client.get(url).status_code == 405

    def test_an_empty_answer_is_an_error_not_a_500(self) -> None:
        reflection = self.open_round()
        self.login(self.teacher)
        url = self.answer_url(reflection, self.question(LeadershipTask.LEARNING))
        response = self.client.post(url, {"text": "   ", "as_team": "True"})
        assert response.status_code == 422
        assert 'id="id_q' in response.content.decode()
        other = reverse("leadership:team_round_answer", args=[reflection.pk, 2**31])
        assert self.client.post(other, {"text": "x"}).status_code == 404
        assert not ReflectionAnswer.objects.exists()

    def test_only_members_answer_and_only_while_the_round_is_open(self) -> None:
        reflection = self.open_round()
        url = self.answer_url(reflection, self.question(LeadershipTask.OWNERSHIP))
        for stranger in (self.chief, self.family_leader, self.outsider):
            self.login(stranger)
            assert self.client.post(url, {"text": "Indblanding"}).status_code == 404
        do_close_reflection(actor=self.leader, reflection=reflection)
        self.login(self.teacher)
        assert self.client.post(url, {"text": "For sent"}).status_code == 403
        self.login(self.chief)
        assert self.client.post(url, {"text": "Indblanding"}).status_code == 403
        assert not ReflectionAnswer.objects.exists()

    def test_closing_makes_the_agenda_and_only_members_close(self) -> None:
        reflection = self.open_round()
        url = reverse("leadership:team_round_close", args=[reflection.pk])
        self.login(self.chief)
        assert self.client.post(url).status_code == 404
        self.login(self.teacher)
        assert self.client.get(url).status_code == 405
        response = self.client.post(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("leadership:team_agenda", args=[reflection.pk])
        reflection.refresh_from_db()
        assert reflection.status == TeamReflection.Status.CLOSED
        assert self.client.post(url).status_code == 403


class AgendaVisibilityTests(TeamCase):
    """What leaders above, a sibling unit's leader and outsiders see of a round."""

    reflection: TeamReflection

    def setUp(self) -> None:
        self.reflection = self.open_round()
        ownership = self.question(LeadershipTask.OWNERSHIP)
        learning = self.question(LeadershipTask.LEARNING)
        self.answer(self.reflection, learning, self.teacher, "Data om fravær hver måned")
        self.answer(
            self.reflection, ownership, self.leader, "Målene skal give mening", as_team=True
        )
        self.answer(
            self.reflection, ownership, self.teacher, "Jeg er træt af Lise", for_agenda=False
        )

    def urls(self) -> list[str]:
        pk = self.reflection.pk
        return [
            reverse("leadership:team_round", args=[pk]),
            reverse("leadership:team_agenda", args=[pk]),
        ]

    def test_the_leader_above_sees_no_open_round(self) -> None:
        for user in (self.chief, self.director):
            self.login(user)
            for url in self.urls():
                assert self.client.get(url).status_code == 404
            team_page = self.client.get(reverse("leadership:team", args=[self.team.pk]))
            assert team_page.status_code == 200
            assert "Ledelsesmøde i marts" not in team_page.content.decode()

    def test_the_leader_above_sees_the_closed_agenda_without_unmarked_answers(self) -> None:
        do_close_reflection(actor=self.teacher, reflection=self.reflection)
        self.login(self.chief)
        agenda = self.client.get(reverse("leadership:team_agenda", args=[self.reflection.pk]))
        assert agenda.status_code == 200
        text = agenda.content.decode()
        assert "Data om fravær hver måned" in text
        assert "Målene skal give mening" in text
        assert "Jeg er træt af Lise" not in text
        assert text.index("Målene skal give mening") < text.index("Data om fravær hver måned")
        assert "agenda-print.css" in text
        assert 'media="print"' in text
        page = self.client.get(reverse("leadership:team_round", args=[self.reflection.pk]))
        assert page.status_code == 200
        assert "Jeg er træt af Lise" not in page.content.decode()
        assert "Data om fravær hver måned" in page.content.decode()
        assert "<textarea" not in page.content.decode()

    def test_members_see_their_own_unmarked_answers_in_the_round(self) -> None:
        self.login(self.leader)
        page = self.client.get(self.urls()[0])
        assert "Jeg er træt af Lise" in page.content.decode()
        do_close_reflection(actor=self.teacher, reflection=self.reflection)
        agenda = self.client.get(self.urls()[1])
        assert "Jeg er træt af Lise" not in agenda.content.decode()

    def test_the_agenda_shows_the_four_tasks_in_order(self) -> None:
        do_close_reflection(actor=self.teacher, reflection=self.reflection)
        self.login(self.chief)
        text = self.client.get(self.urls()[1]).content.decode()
        positions = [text.index(f'data-task="{task}"') for task in LeadershipTask.values]
        assert positions == sorted(positions)

    def test_a_sibling_leader_and_an_outsider_see_nothing(self) -> None:
        do_close_reflection(actor=self.teacher, reflection=self.reflection)
        for user in (self.family_leader, self.outsider, self.colleague):
            self.login(user)
            for url in [*self.urls(), reverse("leadership:team", args=[self.team.pk])]:
                assert self.client.get(url).status_code == 404, (user, url)
