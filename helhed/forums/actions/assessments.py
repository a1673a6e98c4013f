"""The leadership self-assessment: a round, the members' answers, and the spread.

A member of a forum opens a round before a meeting; each member scores every
statement (``forums/statements.py``) from 1 to 5, once, and may change the
scores while the round is open. The member who opened it, or the chair,
closes it; a closed round takes no answers.

The results are the spread per statement: how many answered 1, 2, ... 5,
the mean and the range. They are shown once the round is closed (so nobody
watches the numbers move as a colleague answers) and only when at least
``MIN_RESPONDENTS`` members answered: with fewer, the spread would be one
person's answers. No page or endpoint shows who answered what.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from helhed.forums.models import AssessmentAnswer, Forum, SelfAssessment
from helhed.forums.statements import BY_CODE, CODES, SCORES, STATEMENTS, Statement
from helhed.lib.charts import accessible_svg
from helhed.lib.logfilter import CPR_SHAPE
from helhed.lib.validity import today
from helhed.organisation.models import Staff

MIN_RESPONDENTS = 3
MAX_TITLE = 200
# A round is for a meeting to come, at most this far ahead.
MAX_DAYS_AHEAD = 366


@transaction.atomic
def do_open_assessment(
    *, actor: Staff, forum: Forum, title: str, meeting_on: dt.date | None
) -> SelfAssessment:
    """Open a round for the forum before the meeting on ``meeting_on``."""
    on = today()
    errors: dict[str, str] = {}
    title = title.strip()
    if not title:
        errors["title"] = _("Give the round a title.")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("Keep the title under %(n)d characters.") % {"n": MAX_TITLE}
    elif CPR_SHAPE.search(title):
        errors["title"] = _("Leave out anything like a CPR number.")
    if meeting_on is None:
        errors["meeting_on"] = _("Give the date of the meeting the round is for.")
    elif meeting_on < on:
        errors["meeting_on"] = _("The meeting must be today or later.")
    elif meeting_on > on + dt.timedelta(days=MAX_DAYS_AHEAD):
        errors["meeting_on"] = _("The meeting must be within a year.")
    if not forum.is_active or forum.municipality_id != actor.municipality_id:
        errors["forum"] = _("Choose an active forum you are a member of.")
    if errors:
        raise ValidationError(errors, code="assessment")
    assert meeting_on is not None  # noqa: S101 - checked above
    return SelfAssessment.objects.create(
        forum=forum, title=title, meeting_on=meeting_on, created_by=actor
    )


@transaction.atomic
def do_answer(
    *,
    actor: Staff,
    assessment: SelfAssessment,
    scores: Mapping[str, int],
    require_all: bool = True,
) -> dict[str, int]:
    """Record (or change) the actor's scores in an open round; return their scores now.

    ``require_all``: every statement must be scored (the web form); the API
    may send some of them.
    """
    assessment = SelfAssessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status != SelfAssessment.Status.OPEN:
        raise ValidationError(
            {"status": _("The round is closed; it takes no more answers.")}, code="closed"
        )
    errors: dict[str, str] = {}
    unknown = sorted(code for code in scores if code not in BY_CODE)
    if unknown:
        errors["scores"] = _("No such statement: %(codes)s.") % {"codes": ", ".join(unknown)}
    for code, score in scores.items():
        if code in BY_CODE and score not in SCORES:
            errors[code] = _("Answer from 1 to 5.")
    if require_all:
        for code in CODES:
            if code not in scores and code not in errors:
                errors[code] = _("Answer every statement.")
    if not scores and "scores" not in errors:
        errors["scores"] = _("Answer at least one statement.")
    if errors:
        raise ValidationError(errors, code="answer")
    for code, score in scores.items():
        AssessmentAnswer.objects.update_or_create(
            assessment=assessment, staff=actor, statement=code, defaults={"score": score}
        )
    return my_scores(assessment, actor)


@transaction.atomic
def do_close_assessment(*, actor: Staff, assessment: SelfAssessment) -> SelfAssessment:
    """Close the round: it takes no more answers, and its results can be shown."""
    assessment = SelfAssessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status != SelfAssessment.Status.OPEN:
        raise ValidationError({"status": _("The round is already closed.")}, code="closed")
    assessment.status = SelfAssessment.Status.CLOSED
    assessment.save(update_fields=["status"])
    return assessment


# --------------------------------------------------------------------------- reading


def my_scores(assessment: SelfAssessment, staff: Staff) -> dict[str, int]:
    """The staff member's own scores in the round (shown to them only, to change them)."""
    return dict(
        AssessmentAnswer.objects.filter(assessment=assessment, staff=staff).values_list(
            "statement", "score"
        )
    )


def respondents(assessment: SelfAssessment) -> int:
    """How many members have answered at least one statement."""
    return assessment.answers.values("staff_id").distinct().count()


def results_shown(assessment: SelfAssessment) -> bool:
    """Closed, and enough answered that the spread is not one person's answers."""
    return (
        assessment.status == SelfAssessment.Status.CLOSED
        and respondents(assessment) >= MIN_RESPONDENTS
    )


@dataclass
class StatementResult:
    """The spread of the answers to one statement."""

    statement: Statement
    counts: list[int]  # how many answered 1, 2, 3, 4, 5

    @property
    def answered(self) -> int:
        return sum(self.counts)

    @property
    def mean(self) -> float | None:
        if not self.answered:
            return None
        return sum(score * n for score, n in zip(SCORES, self.counts, strict=True)) / self.answered

    @property
    def low(self) -> int | None:
        return next((s for s, n in zip(SCORES, self.counts, strict=True) if n), None)

    @property
    def high(self) -> int | None:
        return next(
            (s for s, n in reversed(list(zip(SCORES, self.counts, strict=True))) if n), None
        )


def spread(assessment: SelfAssessment) -> list[StatementResult]:
    """Per statement, the count of each score, from aggregates only (no one's answers)."""
    counts: dict[str, list[int]] = {code: [0] * len(SCORES) for code in CODES}
    rows = (
        AssessmentAnswer.objects.filter(assessment=assessment, statement__in=CODES)
        .values("statement", "score")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counts[row["statement"]][row["score"] - 1] = row["n"]
    return [StatementResult(statement=s, counts=counts[s.code]) for s in STATEMENTS]


@dataclass
class RoundMeans:
    assessment: SelfAssessment
    respondents: int
    means: list[float | None]  # in the order of STATEMENTS


def history(forum: Forum) -> list[RoundMeans]:
    """The forum's closed rounds with enough answers, oldest first, with the mean per statement."""
    rounds: list[RoundMeans] = []
    closed = forum.self_assessments.filter(status=SelfAssessment.Status.CLOSED).order_by(
        "meeting_on", "pk"
    )
    for assessment in closed:
        n = respondents(assessment)
        if n < MIN_RESPONDENTS:
            continue
        means = [result.mean for result in spread(assessment)]
        rounds.append(RoundMeans(assessment=assessment, respondents=n, means=means))
    return rounds


# --------------------------------------------------------------------------- the chart

WIDTH = 360
SCORE_COLOURS = ["#b3261e", "#e58f65", "#c9c9c9", "#7fb685", "#1b7f3b"]


def spread_spec(results: Sequence[StatementResult]) -> dict[str, Any]:
    """A stacked bar per statement: how many answered each score (the statement's code)."""
    score_title = _("Score")
    rows = [
        {"statement": result.statement.code, "score": str(score), "answers": n}
        for result in results
        for score, n in zip(SCORES, result.counts, strict=True)
        if n
    ]
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar()
        .encode(
            y=alt.Y("statement:N", title=None, sort=[r.statement.code for r in results]),
            x=alt.X("sum(answers):Q", title=_("Answers"), axis=alt.Axis(tickMinStep=1)),
            color=alt.Color(
                "score:O",
                title=score_title,
                scale=alt.Scale(domain=[str(s) for s in SCORES], range=SCORE_COLOURS),
                legend=alt.Legend(orient="bottom", direction="horizontal"),
            ),
            order=alt.Order("score:O"),
        )
        .properties(width=WIDTH)
    )
    return chart.to_dict()


def spread_svg(results: Sequence[StatementResult], assessment: SelfAssessment) -> str:
    name = _("The spread of the answers per statement in %(title)s") % {"title": assessment.title}
    return accessible_svg(spread_spec(results), name)
