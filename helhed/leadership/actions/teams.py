"""Leader teams: reflection rounds before a meeting, the agenda they become, the dilemma log.

A leader team reflects on the four professional leadership tasks before a
meeting: each member answers the round's questions alone, or the team answers
one together, and marks what to raise at the meeting. Closing the round turns
the marked answers into the agenda for the dialogue along the management
chain, which the leaders above the team's unit then read. The dilemma log
keeps what the team decided in a professional dilemma, and why.

Who may do what is asked of ``helhed.policy`` by the views and the API
(``can_create_team``, ``can_open_reflection``, ``can_answer_reflection``,
``can_close_reflection``, ``can_record_dilemma``,
``can_manage_reflection_questions``); the rules of the records are kept here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _

from helhed.leadership.models import (
    Dilemma,
    LeadershipTask,
    LeaderTeam,
    ReflectionAnswer,
    ReflectionQuestion,
    TeamReflection,
)
from helhed.leadership.questions import ensure_questions
from helhed.lib.validity import today
from helhed.organisation.models import Municipality, RoleAssignment, Staff, Unit

MAX_ANSWER = 5_000
MAX_DILEMMA_TEXT = 10_000
MAX_MEMBERS = 50
MAX_TITLE = 200
MAX_TEAM_NAME = 150
MAX_QUESTION = 300


def member_candidates(municipality: Municipality, on: dt.date | None = None) -> QuerySet[Staff]:
    """Staff of the municipality with a role in it on the day: who can sit on a leader team."""
    roles = RoleAssignment.objects.valid_on(on or today()).filter(
        unit__municipality_id=municipality.pk
    )
    return Staff.objects.filter(
        municipality_id=municipality.pk, pk__in=roles.values("staff_id")
    ).order_by("first_name", "last_name", "pk")


def active_questions(municipality: Municipality) -> QuerySet[ReflectionQuestion]:
    """The municipality's active questions, installing the shipped ones on first use."""
    ensure_questions(municipality)
    return ReflectionQuestion.objects.filter(municipality=municipality, active=True)


def _required(errors: dict[str, str], name: str, value: str, limit: int) -> str:
    value = value.strip()
    if not value:
        errors[name] = _("This field is required.")
    elif len(value) > limit:
        errors[name] = _("Keep it under %(count)s characters.") % {"count": limit}
    return value


# --------------------------------------------------------------------------- teams


@transaction.atomic
def do_create_team(*, actor: Staff, unit: Unit, name: str, members: Sequence[Staff]) -> LeaderTeam:
    """Create a leader team for ``unit`` with its members (staff of the municipality)."""
    errors: dict[str, str] = {}
    name = _required(errors, "name", name, MAX_TEAM_NAME)
    if unit.municipality_id != actor.municipality_id:
        errors["unit"] = _("The unit is not in your municipality.")
    if name and LeaderTeam.objects.filter(unit=unit, name__iexact=name).exists():
        errors["name"] = _("%(unit)s already has a leader team with this name.") % {
            "unit": unit.name
        }
    members = list(dict.fromkeys(members))
    if not members:
        errors["members"] = _("Choose the team's members.")
    elif len(members) > MAX_MEMBERS:
        errors["members"] = _("A leader team has at most %(count)s members.") % {
            "count": MAX_MEMBERS
        }
    else:
        allowed = set(
            member_candidates(unit.municipality)
            .filter(pk__in=[m.pk for m in members])
            .values_list("pk", flat=True)
        )
        outside = [m.full_name for m in members if m.pk not in allowed]
        if outside:
            errors["members"] = _(
                "Only staff with a role in the municipality can be members: %(names)s."
            ) % {"names": ", ".join(outside)}
    if errors:
        raise ValidationError(errors, code="team")
    team = LeaderTeam.objects.create(municipality_id=unit.municipality_id, name=name, unit=unit)
    team.members.set(members)
    return team


# --------------------------------------------------------------------------- reflection rounds


@transaction.atomic
def do_open_reflection(
    *,
    actor: Staff,
    team: LeaderTeam,
    title: str,
    meeting_on: dt.date,
    questions: Sequence[ReflectionQuestion] | None = None,
) -> TeamReflection:
    """Open a round before a meeting; without ``questions``, all the active questions."""
    errors: dict[str, str] = {}
    title = _required(errors, "title", title, MAX_TITLE)
    if meeting_on < today():
        errors["meeting_on"] = _("The meeting cannot be in the past.")
    active = active_questions(team.municipality)
    chosen = list(active) if questions is None else list(dict.fromkeys(questions))
    if not chosen:
        errors["questions"] = _("Choose at least one question.")
    else:
        allowed = set(active.values_list("pk", flat=True))
        if any(q.pk not in allowed for q in chosen):
            errors["questions"] = _("Choose among the municipality's active questions.")
    if errors:
        raise ValidationError(errors, code="reflection")
    reflection = TeamReflection.objects.create(
        team=team, title=title, meeting_on=meeting_on, created_by=actor
    )
    reflection.questions.set(chosen)
    return reflection


def _lock_open(reflection: TeamReflection) -> TeamReflection:
    """The round, locked, if it is still open; answers and closing wait for each other."""
    locked = TeamReflection.objects.select_for_update().get(pk=reflection.pk)
    if locked.status != TeamReflection.Status.OPEN:
        raise ValidationError(
            _("The round is closed: its agenda is made."), code="reflection_closed"
        )
    return locked


@transaction.atomic
def do_answer(
    *,
    actor: Staff,
    reflection: TeamReflection,
    question: ReflectionQuestion,
    text: str,
    as_team: bool = False,
    for_agenda: bool = True,
) -> ReflectionAnswer:
    """Answer a question of an open round, or change the answer given before.

    A member has one answer of their own per question; the team has one joint
    answer, which any member may write or change (the last to write it is
    recorded as ``answered_by``).
    """
    reflection = _lock_open(reflection)
    errors: dict[str, str] = {}
    text = _required(errors, "text", text, MAX_ANSWER)
    if not reflection.questions.filter(pk=question.pk).exists():
        errors["question"] = _("The question is not part of this round.")
    if errors:
        raise ValidationError(errors, code="answer")
    answers = ReflectionAnswer.objects.filter(
        reflection=reflection, question=question, as_team=as_team
    )
    answer = (answers if as_team else answers.filter(answered_by=actor)).first()
    if answer is None:
        return ReflectionAnswer.objects.create(
            reflection=reflection,
            question=question,
            answered_by=actor,
            as_team=as_team,
            text=text,
            for_agenda=for_agenda,
        )
    answer.answered_by = actor
    answer.text = text
    answer.for_agenda = for_agenda
    answer.save(update_fields=["answered_by", "text", "for_agenda", "answered_at"])
    return answer


@transaction.atomic
def do_close_reflection(*, actor: Staff, reflection: TeamReflection) -> TeamReflection:
    """Close the round: its answers marked for the meeting become the agenda."""
    reflection = _lock_open(reflection)
    reflection.status = TeamReflection.Status.CLOSED
    reflection.save(update_fields=["status"])
    return reflection


@dataclass
class AgendaQuestion:
    question: ReflectionQuestion
    answers: list[ReflectionAnswer] = field(default_factory=list)


@dataclass
class AgendaTask:
    task: LeadershipTask
    questions: list[AgendaQuestion] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(self.task.label)


def build_agenda(
    reflection: TeamReflection, answers: Iterable[ReflectionAnswer]
) -> list[AgendaTask]:
    """The agenda: the four tasks in order, each with its questions and the points raised.

    Only answers marked for the agenda count, whatever ``answers`` holds (the
    caller passes what the user may read, ``policy.visible_answers``). Within
    a question the team's joint answer comes first, then the members' by name.
    A question nobody raised anything under is left out; a task stays, empty.
    """
    by_question: dict[int, list[ReflectionAnswer]] = {}
    for answer in answers:
        if answer.for_agenda and answer.reflection_id == reflection.pk:
            by_question.setdefault(answer.question_id, []).append(answer)
    questions = reflection.questions.order_by("sort_order", "pk")
    agenda = [AgendaTask(task=task) for task in LeadershipTask]
    positions = {task.value: index for index, task in enumerate(LeadershipTask)}
    for question in questions:
        points = by_question.get(question.pk)
        if not points:
            continue
        points.sort(
            key=lambda a: (not a.as_team, a.answered_by.first_name, a.answered_by.last_name, a.pk)
        )
        agenda[positions[question.task]].questions.append(AgendaQuestion(question, points))
    return agenda


# --------------------------------------------------------------------------- dilemmas


@transaction.atomic
def do_record_dilemma(
    *,
    actor: Staff,
    team: LeaderTeam,
    title: str,
    description: str,
    decision: str,
    reasoning: str,
    task: str = "",
) -> Dilemma:
    """Record a professional dilemma the team met, what it decided and why."""
    errors: dict[str, str] = {}
    title = _required(errors, "title", title, MAX_TITLE)
    description = _required(errors, "description", description, MAX_DILEMMA_TEXT)
    decision = _required(errors, "decision", decision, MAX_DILEMMA_TEXT)
    reasoning = _required(errors, "reasoning", reasoning, MAX_DILEMMA_TEXT)
    if task and task not in LeadershipTask.values:
        errors["task"] = _("Choose one of the four leadership tasks.")
    if errors:
        raise ValidationError(errors, code="dilemma")
    return Dilemma.objects.create(
        team=team,
        task=task,
        title=title,
        description=description,
        decision=decision,
        reasoning=reasoning,
        recorded_by=actor,
        recorded_on=today(),
    )


# --------------------------------------------------------------------------- questions


@transaction.atomic
def do_add_question(*, municipality: Municipality, task: str, text: str) -> ReflectionQuestion:
    """Add the municipality's own question under a task, after the questions already there."""
    # The shipped questions first, so that adding one's own never stops them being installed.
    ensure_questions(municipality)
    errors: dict[str, str] = {}
    text = _required(errors, "text", text, MAX_QUESTION)
    if task not in LeadershipTask.values:
        errors["task"] = _("Choose one of the four leadership tasks.")
    elif (
        text
        and ReflectionQuestion.objects.filter(
            municipality=municipality, task=task, text__iexact=text
        ).exists()
    ):
        errors["text"] = _("The question is already there.")
    if errors:
        raise ValidationError(errors, code="question")
    last = ReflectionQuestion.objects.filter(municipality=municipality, task=task).aggregate(
        last=Max("sort_order")
    )["last"]
    return ReflectionQuestion.objects.create(
        municipality=municipality, task=task, text=text, sort_order=min((last or 0) + 10, 32_000)
    )


@transaction.atomic
def do_set_question_active(*, question: ReflectionQuestion, active: bool) -> ReflectionQuestion:
    """Retire a question (or bring it back); rounds already opened keep their questions."""
    if question.active != active:
        question.active = active
        question.save(update_fields=["active"])
    return question
