"""API: the leadership self-assessment. Same rules as the web pages (helhed.policy).

Only a forum's members list its rounds, open one, answer (while it is open)
and read the results; everyone else gets 404. A closed round takes no
answers (403); the member who opened it or the chair closes it (403 for the
other members). Results are the spread per statement, shown once the round
is closed with enough answers; no endpoint returns another member's answers.

No ``from __future__ import annotations``: ninja reads the annotations at runtime.
"""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from helhed import policy
from helhed.forums.actions import assessments as actions
from helhed.forums.models import SelfAssessment
from helhed.forums.statements import STATEMENTS
from helhed.lib.middleware import NO_NUL_PATTERN
from helhed.lib.openapi import inline_choices
from helhed.lib.pagination import BoundedPages
from helhed.organisation.models import Staff

router = Router(tags=["forums: self-assessment"])

MAX_ID = 2**63 - 1


class StatementOut(Schema):
    code: str
    text: str


class RoundOut(Schema):
    id: int
    forum_id: int
    title: str
    meeting_on: dt.date
    status: str
    created_by_id: int


class StatementResultOut(Schema):
    code: str
    text: str
    counts: list[int] = Field(..., description="How many answered 1, 2, 3, 4 and 5.")
    answered: int
    mean: float | None
    low: int | None
    high: int | None


class RoundDetailOut(RoundOut):
    respondents: int
    members: int
    can_answer: bool
    can_close: bool
    my_scores: dict[str, int] = Field(..., description="Your own scores, by statement code.")
    results: list[StatementResultOut] | None = Field(
        ..., description="The spread, once the round is closed with enough answers; else null."
    )


class RoundMeansOut(Schema):
    id: int
    title: str
    meeting_on: dt.date
    respondents: int
    means: dict[str, float | None]


class RoundFilters(Schema):
    forum_id: int | None = Field(None, ge=1, le=MAX_ID)
    status: Annotated[SelfAssessment.Status, inline_choices(SelfAssessment.Status)] | None = None


class RoundIn(Schema):
    forum_id: int = Field(..., ge=1, le=MAX_ID)
    title: str = Field(..., min_length=1, max_length=actions.MAX_TITLE, pattern=NO_NUL_PATTERN)
    meeting_on: dt.date


class AnswersIn(Schema):
    scores: dict[str, int] = Field(
        ..., description="Scores from 1 to 5 by statement code; some or all.", max_length=50
    )


def _staff(request: HttpRequest) -> Staff:
    staff = policy.staff_for(request.user)
    if staff is None or not policy.has_staff_role(request.user):
        raise HttpError(404, "No staff role")
    return staff


def _round(assessment: SelfAssessment) -> dict[str, Any]:
    return {
        "id": assessment.pk,
        "forum_id": assessment.forum_id,
        "title": assessment.title,
        "meeting_on": assessment.meeting_on,
        "status": assessment.status,
        "created_by_id": assessment.created_by_id,
    }


def _detail(request: HttpRequest, assessment: SelfAssessment, staff: Staff) -> dict[str, Any]:
    results = None
    if actions.results_shown(assessment):
        results = [
            {
                "code": r.statement.code,
                "text": r.statement.text,
                "counts": r.counts,
                "answered": r.answered,
                "mean": r.mean,
                "low": r.low,
                "high": r.high,
            }
            for r in actions.spread(assessment)
        ]
    return {
        **_round(assessment),
        "respondents": actions.respondents(assessment),
        "members": assessment.forum.members.count(),
        "can_answer": policy.can_answer_assessment(request.user, assessment),
        "can_close": policy.can_close_assessment(request.user, assessment),
        "my_scores": actions.my_scores(assessment, staff),
        "results": results,
    }


@router.get("/statements", response=list[StatementOut])
def list_statements(request: HttpRequest) -> list[dict[str, str]]:
    """The statements every round asks, with their codes."""
    _staff(request)
    return [{"code": s.code, "text": s.text} for s in STATEMENTS]


@router.get("", response=list[RoundOut])
@paginate(BoundedPages, page_size=25)
def list_assessment_rounds(
    request: HttpRequest, filters: Query[RoundFilters]
) -> QuerySet[SelfAssessment]:
    """The rounds of the forums I am a member of, the latest meeting first."""
    rounds = policy.visible_assessments(request.user)
    if filters.forum_id:
        rounds = rounds.filter(forum_id=filters.forum_id)
    if filters.status:
        rounds = rounds.filter(status=filters.status)
    return rounds.order_by("-meeting_on", "-pk")


@router.post("", response={201: RoundDetailOut})
def open_assessment_round(request: HttpRequest, payload: RoundIn) -> tuple[int, dict[str, Any]]:
    """Open a round for a forum I am a member of, before a meeting."""
    staff = _staff(request)
    forum = policy.get_assessment_forum_for_user(request.user, payload.forum_id)
    if not policy.can_open_assessment(request.user, forum):
        raise PermissionDenied("Only members of an active forum open a round.")
    assessment = actions.do_open_assessment(
        actor=staff, forum=forum, title=payload.title, meeting_on=payload.meeting_on
    )
    return 201, _detail(request, assessment, staff)


@router.get("/forums/{forum_id}/history", response=list[RoundMeansOut])
def forum_history(request: HttpRequest, forum_id: int) -> list[dict[str, Any]]:
    """The closed rounds with enough answers, oldest first, with the mean per statement."""
    _staff(request)
    forum = policy.get_assessment_forum_for_user(request.user, forum_id)
    return [
        {
            "id": r.assessment.pk,
            "title": r.assessment.title,
            "meeting_on": r.assessment.meeting_on,
            "respondents": r.respondents,
            "means": {s.code: mean for s, mean in zip(STATEMENTS, r.means, strict=True)},
        }
        for r in actions.history(forum)
    ]


@router.get("/{assessment_id}", response=RoundDetailOut)
def get_assessment_round(request: HttpRequest, assessment_id: int) -> dict[str, Any]:
    """A round: my own scores, and the spread once it is closed."""
    staff = _staff(request)
    return _detail(request, policy.get_assessment_for_user(request.user, assessment_id), staff)


@router.put("/{assessment_id}/answers", response=RoundDetailOut)
def answer_assessment_round(
    request: HttpRequest, assessment_id: int, payload: AnswersIn
) -> dict[str, Any]:
    """Record or change my scores while the round is open."""
    staff = _staff(request)
    assessment = policy.get_assessment_for_user(request.user, assessment_id)
    if not policy.can_answer_assessment(request.user, assessment):
        raise PermissionDenied("The round is closed; it takes no more answers.")
    actions.do_answer(actor=staff, assessment=assessment, scores=payload.scores, require_all=False)
    return _detail(request, assessment, staff)


@router.post("/{assessment_id}/close", response=RoundDetailOut)
def close_assessment_round(request: HttpRequest, assessment_id: int) -> dict[str, Any]:
    staff = _staff(request)
    assessment = policy.get_assessment_for_user(request.user, assessment_id)
    if not policy.can_close_assessment(request.user, assessment):
        raise PermissionDenied("Only the member who opened the round, or the chair, closes it.")
    assessment = actions.do_close_assessment(actor=staff, assessment=assessment)
    return _detail(request, assessment, staff)
