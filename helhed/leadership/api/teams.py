"""API of the leadership app: teams. Same rules as the web pages (helhed.policy).

A team is read by its members and the leaders of its unit or above (404 for
others); an open round and its answers by the members only; a closed round's
agenda, with only the answers marked for the meeting, by the leaders above
too. Changes are the members' (403 for a leader above who reads along).

No ``from __future__ import annotations``: ninja reads the annotations at runtime.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from helhed import policy
from helhed.leadership.actions import teams as actions
from helhed.leadership.models import (
    Dilemma,
    LeadershipTask,
    LeaderTeam,
    ReflectionAnswer,
    ReflectionQuestion,
    TeamReflection,
)
from helhed.lib.middleware import NO_NUL_PATTERN
from helhed.lib.pagination import BoundedPages
from helhed.organisation.models import Staff

router = Router(tags=["leadership: teams"])

MAX_ID = 2**63 - 1


class TeamOut(Schema):
    id: int
    name: str
    unit_id: int
    unit: str

    @staticmethod
    def resolve_unit(team: LeaderTeam) -> str:
        return team.unit.name


class TeamMemberOut(Schema):
    id: int
    name: str


class TeamDetailOut(Schema):
    id: int
    name: str
    unit_id: int
    unit: str
    members: list[TeamMemberOut]
    is_member: bool


class TeamIn(Schema):
    unit_id: int = Field(..., ge=1, le=MAX_ID)
    name: str = Field(..., min_length=1, max_length=actions.MAX_TEAM_NAME, pattern=NO_NUL_PATTERN)
    member_ids: list[int] = Field(..., min_length=1, max_length=actions.MAX_MEMBERS)


class QuestionOut(Schema):
    id: int
    task: str
    text: str
    active: bool


class TeamRoundOut(Schema):
    id: int
    team_id: int
    title: str
    meeting_on: dt.date
    status: str


class AnswerOut(Schema):
    id: int
    question_id: int
    answered_by_id: int = Field(..., description="Who wrote it (last, for the team's answer).")
    answered_by: str
    as_team: bool
    text: str
    for_agenda: bool


class TeamRoundDetailOut(Schema):
    id: int
    team_id: int
    title: str
    meeting_on: dt.date
    status: str
    questions: list[QuestionOut]
    answers: list[AnswerOut] = Field(
        ..., description="Every answer for members; for others only those on the agenda."
    )


class TeamRoundIn(Schema):
    title: str = Field(..., min_length=1, max_length=actions.MAX_TITLE, pattern=NO_NUL_PATTERN)
    meeting_on: dt.date = Field(..., description="Today or later.")
    question_ids: list[int] | None = Field(
        None, max_length=200, description="Leave out for all the active questions."
    )


class AnswerIn(Schema):
    question_id: int = Field(..., ge=1, le=MAX_ID)
    text: str = Field(..., min_length=1, max_length=actions.MAX_ANSWER, pattern=NO_NUL_PATTERN)
    as_team: bool = False
    for_agenda: bool = True


class AgendaPointOut(Schema):
    answered_by: str | None = Field(..., description="Null for the team's joint answer.")
    as_team: bool
    text: str


class AgendaQuestionOut(Schema):
    question_id: int
    question: str
    points: list[AgendaPointOut]


class AgendaTaskOut(Schema):
    task: str
    label: str
    questions: list[AgendaQuestionOut]


class AgendaOut(Schema):
    reflection_id: int
    team: str
    title: str
    meeting_on: dt.date
    status: str
    tasks: list[AgendaTaskOut]


class DilemmaOut(Schema):
    id: int
    team_id: int
    task: str
    title: str
    description: str
    decision: str
    reasoning: str
    recorded_by_id: int
    recorded_on: dt.date


class DilemmaIn(Schema):
    title: str = Field(..., min_length=1, max_length=actions.MAX_TITLE, pattern=NO_NUL_PATTERN)
    task: str = Field("", description="One of the four tasks, or empty.")
    description: str = Field(
        ..., min_length=1, max_length=actions.MAX_DILEMMA_TEXT, pattern=NO_NUL_PATTERN
    )
    decision: str = Field(
        ..., min_length=1, max_length=actions.MAX_DILEMMA_TEXT, pattern=NO_NUL_PATTERN
    )
    reasoning: str = Field(
        ..., min_length=1, max_length=actions.MAX_DILEMMA_TEXT, pattern=NO_NUL_PATTERN
    )


def _staff(request: HttpRequest) -> Staff:
    staff = policy.staff_for(request.user)
    if staff is None:
        raise HttpError(404, "No staff record")
    return staff


def _ids(ids: list[int], name: str) -> list[int]:
    if any(not 1 <= pk <= MAX_ID for pk in ids):
        raise ValidationError({name: "An id is out of range."})
    return list(dict.fromkeys(ids))


def _team_detail(request: HttpRequest, team: LeaderTeam) -> dict[str, Any]:
    members = team.members.order_by("first_name", "last_name", "pk")
    return {
        "id": team.pk,
        "name": team.name,
        "unit_id": team.unit_id,
        "unit": team.unit.name,
        "members": [{"id": m.pk, "name": m.full_name} for m in members],
        "is_member": policy.is_team_member(request.user, team),
    }


def _answer(answer: ReflectionAnswer) -> dict[str, Any]:
    return {
        "id": answer.pk,
        "question_id": answer.question_id,
        "answered_by_id": answer.answered_by_id,
        "answered_by": answer.answered_by.full_name,
        "as_team": answer.as_team,
        "text": answer.text,
        "for_agenda": answer.for_agenda,
    }


def _round_detail(request: HttpRequest, reflection: TeamReflection) -> dict[str, Any]:
    answers = policy.visible_answers(request.user, reflection).select_related("answered_by")
    return {
        "id": reflection.pk,
        "team_id": reflection.team_id,
        "title": reflection.title,
        "meeting_on": reflection.meeting_on,
        "status": reflection.status,
        "questions": list(reflection.questions.order_by("task", "sort_order", "pk")),
        "answers": [_answer(a) for a in answers],
    }


# --------------------------------------------------------------------------- teams


@router.get("", response=list[TeamOut])
@paginate(BoundedPages, page_size=50)
def list_teams(request: HttpRequest, q: str = "") -> QuerySet[LeaderTeam]:
    """The caller's leader teams and the teams of the units beneath the caller."""
    teams = policy.visible_teams(request.user)
    for word in q[:100].split():
        teams = teams.filter(Q(name__icontains=word) | Q(unit__name__icontains=word))
    return teams.select_related("unit").order_by("unit__path", "name", "pk")


@router.post("", response={201: TeamDetailOut})
def create_team(request: HttpRequest, payload: TeamIn) -> tuple[int, dict[str, Any]]:
    """Create a leader team for a unit the caller leads, or one beneath it."""
    staff = _staff(request)
    unit = policy.led_units(request.user).filter(pk=payload.unit_id).first()
    if unit is None:
        if not policy.is_leader(request.user):
            raise PermissionDenied("Only leaders create leader teams, for the units they lead.")
        raise ValidationError({"unit": "Choose a unit you lead, or one beneath it."})
    if not policy.can_create_team(request.user, unit):
        raise PermissionDenied("Only a leader of the unit or above creates its team.")
    member_ids = _ids(payload.member_ids, "members")
    members = list(Staff.objects.filter(pk__in=member_ids, municipality_id=staff.municipality_id))
    if len(members) != len(member_ids):
        raise ValidationError({"members": "No such staff member in the municipality."})
    team = actions.do_create_team(actor=staff, unit=unit, name=payload.name, members=members)
    return 201, _team_detail(request, team)


@router.get("/questions", response=list[QuestionOut])
def list_questions(request: HttpRequest) -> QuerySet[ReflectionQuestion]:
    """The municipality's reflection questions, by task (retired ones included)."""
    staff = _staff(request)
    if policy.has_staff_role(request.user):
        actions.ensure_questions(staff.municipality)
    return policy.visible_reflection_questions(request.user).order_by("task", "sort_order", "pk")


@router.get("/{team_id}", response=TeamDetailOut)
def get_team(request: HttpRequest, team_id: int) -> dict[str, Any]:
    return _team_detail(request, policy.get_team_for_user(request.user, team_id))


# --------------------------------------------------------------------------- rounds


@router.get("/{team_id}/rounds", response=list[TeamRoundOut])
@paginate(BoundedPages, page_size=50)
def list_rounds(request: HttpRequest, team_id: int) -> QuerySet[TeamReflection]:
    """A team's rounds: all for members, the closed ones (agendas) for leaders above."""
    team = policy.get_team_for_user(request.user, team_id)
    return policy.visible_team_rounds(request.user, team).order_by("-meeting_on", "-pk")


@router.post("/{team_id}/rounds", response={201: TeamRoundDetailOut})
def open_round(
    request: HttpRequest, team_id: int, payload: TeamRoundIn
) -> tuple[int, dict[str, Any]]:
    """Open a reflection round before a meeting (a member)."""
    team = policy.get_team_for_user(request.user, team_id)
    if not policy.can_open_reflection(request.user, team):
        raise PermissionDenied("Only the team's members open a reflection round.")
    questions = None
    if payload.question_ids is not None:
        question_ids = _ids(payload.question_ids, "questions")
        questions = list(
            ReflectionQuestion.objects.filter(pk__in=question_ids, municipality=team.municipality)
        )
        if len(questions) != len(question_ids):
            raise ValidationError({"questions": "No such question in the municipality."})
    reflection = actions.do_open_reflection(
        actor=_staff(request),
        team=team,
        title=payload.title,
        meeting_on=payload.meeting_on,
        questions=questions,
    )
    return 201, _round_detail(request, reflection)


@router.get("/rounds/{reflection_id}", response=TeamRoundDetailOut)
def get_round(request: HttpRequest, reflection_id: int) -> dict[str, Any]:
    """A round with the answers the caller may read."""
    reflection = policy.get_reflection_round_for_user(request.user, reflection_id)
    return _round_detail(request, reflection)


@router.post("/rounds/{reflection_id}/answers", response=AnswerOut)
def answer(request: HttpRequest, reflection_id: int, payload: AnswerIn) -> dict[str, Any]:
    """Answer a question of an open round, or change the answer (a member)."""
    reflection = policy.get_reflection_round_for_user(request.user, reflection_id)
    if not policy.can_answer_reflection(request.user, reflection):
        raise PermissionDenied("Only the team's members answer, and only while the round is open.")
    question = reflection.questions.filter(pk=payload.question_id).first()
    if question is None:
        raise ValidationError({"question": "The question is not part of this round."})
    saved = actions.do_answer(
        actor=_staff(request),
        reflection=reflection,
        question=question,
        text=payload.text,
        as_team=payload.as_team,
        for_agenda=payload.for_agenda,
    )
    return _answer(saved)


@router.post("/rounds/{reflection_id}/close", response=TeamRoundDetailOut)
def close_round(request: HttpRequest, reflection_id: int) -> dict[str, Any]:
    """Close the round: the answers marked for the meeting become its agenda (a member)."""
    reflection = policy.get_reflection_round_for_user(request.user, reflection_id)
    if not policy.can_close_reflection(request.user, reflection):
        raise PermissionDenied("Only the team's members close an open round.")
    return _round_detail(
        request, actions.do_close_reflection(actor=_staff(request), reflection=reflection)
    )


@router.get("/rounds/{reflection_id}/agenda", response=AgendaOut)
def get_agenda(request: HttpRequest, reflection_id: int) -> dict[str, Any]:
    """The agenda: the four tasks in order, the points raised under each question."""
    reflection = policy.get_reflection_round_for_user(request.user, reflection_id)
    answers = policy.visible_answers(request.user, reflection).select_related("answered_by")
    tasks = [
        {
            "task": item.task.value,
            "label": item.label,
            "questions": [
                {
                    "question_id": q.question.pk,
                    "question": q.question.text,
                    "points": [
                        {
                            "answered_by": None if a.as_team else a.answered_by.full_name,
                            "as_team": a.as_team,
                            "text": a.text,
                        }
                        for a in q.answers
                    ],
                }
                for q in item.questions
            ],
        }
        for item in actions.build_agenda(reflection, answers)
    ]
    return {
        "reflection_id": reflection.pk,
        "team": reflection.team.name,
        "title": reflection.title,
        "meeting_on": reflection.meeting_on,
        "status": reflection.status,
        "tasks": tasks,
    }


# --------------------------------------------------------------------------- dilemmas


@router.get("/{team_id}/dilemmas", response=list[DilemmaOut])
@paginate(BoundedPages, page_size=50)
def list_dilemmas(
    request: HttpRequest, team_id: int, q: str = "", task: str = ""
) -> QuerySet[Dilemma]:
    """The team's dilemma log, the latest first; ``task`` filters by leadership task."""
    team = policy.get_team_for_user(request.user, team_id)
    dilemmas = policy.visible_dilemmas(request.user).filter(team=team)
    if task:
        if task not in LeadershipTask.values:
            raise ValidationError({"task": "Choose one of the four leadership tasks."})
        dilemmas = dilemmas.filter(task=task)
    for word in q[:100].split():
        dilemmas = dilemmas.filter(
            Q(title__icontains=word)
            | Q(description__icontains=word)
            | Q(decision__icontains=word)
            | Q(reasoning__icontains=word)
        )
    return dilemmas.order_by("-recorded_on", "-pk")


@router.post("/{team_id}/dilemmas", response={201: DilemmaOut})
def record_dilemma(request: HttpRequest, team_id: int, payload: DilemmaIn) -> tuple[int, Dilemma]:
    """Record a dilemma, the decision and why (a member)."""
    team = policy.get_team_for_user(request.user, team_id)
    if not policy.can_record_dilemma(request.user, team):
        raise PermissionDenied("Only the team's members record its dilemmas.")
    dilemma = actions.do_record_dilemma(
        actor=_staff(request),
        team=team,
        title=payload.title,
        task=payload.task,
        description=payload.description,
        decision=payload.decision,
        reasoning=payload.reasoning,
    )
    return 201, dilemma
