"""API: trial actions. Same rules as the web pages (helhed.policy).

Every staff member of the municipality lists and reads the trials (404 for
another municipality's); a leader creates one (403 otherwise); the owner and
participants record expenses, evaluations and stories; the owner applies for
a grant; the forum's chair or secretary decides it; the owner or a leader of
one of its units decides the outcome after the final evaluation. Bad input
answers 422 with the field it is about. Stories show only the anonymised text.

No ``from __future__ import annotations``: ninja reads the annotations at runtime.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from helhed import policy
from helhed.lib.middleware import NO_NUL_PATTERN
from helhed.lib.openapi import inline_choices
from helhed.lib.pagination import BoundedPages
from helhed.lib.validity import today
from helhed.organisation.models import Staff
from helhed.trials.actions import trials as actions
from helhed.trials.models import Application, Evaluation, Trial

router = Router(tags=["trials"])

MAX_ID = 2**63 - 1


class _TrialFields(Schema):
    id: int
    title: str
    status: str
    owner_id: int
    owner: str
    starts_on: dt.date
    ends_on: dt.date
    budget: Decimal
    granted: Decimal
    spent: Decimal
    left: Decimal
    evaluation_count: int
    outcome: str


class TrialOut(_TrialFields):
    """A row of the portfolio, read from the annotated trial."""

    @staticmethod
    def resolve_owner(trial: Trial) -> str:
        return trial.owner.full_name

    @staticmethod
    def resolve_left(trial: Any) -> Decimal:
        return Decimal(trial.granted - trial.spent)


class ApplicationOut(Schema):
    id: int
    trial_id: int
    trial: str
    forum_id: int
    forum: str
    amount: Decimal
    reason: str
    applied_by_id: int
    applied_on: dt.date
    status: str
    decision_id: int | None
    decision_text: str
    granted: Decimal | None


class ExpenseOut(Schema):
    id: int
    amount: Decimal
    spent_on: dt.date
    text: str
    recorded_by_id: int


class ResultOut(Schema):
    indicator_id: int
    indicator: str
    trial_value: Decimal
    comparison_value: Decimal | None
    baseline_value: Decimal | None
    difference: Decimal | None
    against: Literal["comparison", "baseline", "none"]
    direction: str


class EvaluationOut(Schema):
    id: int
    kind: str
    evaluated_on: dt.date
    summary: str
    persons_in_trial: int
    persons_compared: int | None
    estimated_saving: Decimal | None
    written_by_id: int
    direction: str
    baseline_only: bool = Field(..., description="No result is against a comparison group.")
    results: list[ResultOut]


class TrialStoryOut(Schema):
    id: int
    anonymised_text: str
    written_on: dt.date


class IndicatorValueOut(Schema):
    indicator_id: int
    unit_id: int
    value: Decimal | None = Field(..., description="Empty when missing or hidden (< 5 persons).")
    period: str | None
    suppressed: bool
    trend: str


class TrialDetailOut(_TrialFields):
    hypothesis: str
    comparison: str
    unit_ids: list[int]
    participant_ids: list[int]
    indicator_ids: list[int]
    outcome_reason: str
    outcome_on: dt.date | None
    indicator_values: list[IndicatorValueOut]
    applications: list[ApplicationOut]
    expenses: list[ExpenseOut]
    evaluations: list[EvaluationOut]
    stories: list[TrialStoryOut]
    can_edit: bool
    can_apply: bool
    can_decide_outcome: bool


class TrialFilters(Schema):
    q: str = Field("", max_length=100, pattern=NO_NUL_PATTERN)
    status: Annotated[Trial.Status, inline_choices(Trial.Status)] | None = None
    unit_id: int | None = Field(None, ge=1, le=MAX_ID)
    forum_id: int | None = Field(None, ge=1, le=MAX_ID)


class TrialIn(Schema):
    title: str = Field(..., min_length=1, max_length=200, pattern=NO_NUL_PATTERN)
    hypothesis: str = Field(..., min_length=1, max_length=actions.MAX_TEXT, pattern=NO_NUL_PATTERN)
    owner_id: int = Field(..., ge=1, le=MAX_ID)
    unit_ids: list[int] = Field(..., max_length=200)
    participant_ids: list[int] = Field(default_factory=list, max_length=200)
    indicator_ids: list[int] = Field(default_factory=list, max_length=200)
    starts_on: dt.date
    ends_on: dt.date
    comparison: str = Field("", max_length=actions.MAX_TEXT, pattern=NO_NUL_PATTERN)
    budget: Decimal = Field(
        Decimal(0), ge=0, le=actions.MAX_AMOUNT, max_digits=12, decimal_places=2
    )


class ApplicationIn(Schema):
    forum_id: int = Field(..., ge=1, le=MAX_ID)
    amount: Decimal = Field(..., ge=0, le=actions.MAX_AMOUNT, max_digits=12, decimal_places=2)
    reason: str = Field(..., min_length=1, max_length=actions.MAX_TEXT, pattern=NO_NUL_PATTERN)


class ApplicationDecisionIn(Schema):
    decision: Literal["grant", "refuse"]
    text: str = Field(
        "",
        max_length=actions.MAX_TEXT,
        pattern=NO_NUL_PATTERN,
        description="The decision; required to refuse (the reason).",
    )
    mandate_basis: str = Field(..., max_length=300, pattern=NO_NUL_PATTERN)


class ExpenseIn(Schema):
    amount: Decimal = Field(..., ge=0, le=actions.MAX_AMOUNT, max_digits=12, decimal_places=2)
    spent_on: dt.date
    text: str = Field(..., min_length=1, max_length=200, pattern=NO_NUL_PATTERN)


class ResultIn(Schema):
    indicator_id: int = Field(..., ge=1, le=MAX_ID)
    trial_value: Decimal = Field(..., max_digits=14, decimal_places=3)
    comparison_value: Decimal | None = Field(None, max_digits=14, decimal_places=3)
    baseline_value: Decimal | None = Field(None, max_digits=14, decimal_places=3)


class EvaluationIn(Schema):
    kind: Annotated[Evaluation.Kind, inline_choices(Evaluation.Kind)]
    evaluated_on: dt.date
    summary: str = Field(..., min_length=1, max_length=actions.MAX_TEXT, pattern=NO_NUL_PATTERN)
    persons_in_trial: int = Field(..., ge=0, le=10**7)
    persons_compared: int | None = Field(None, ge=0, le=10**7)
    estimated_saving: Decimal | None = Field(None, max_digits=14, decimal_places=2)
    results: list[ResultIn] = Field(default_factory=list, max_length=200)


class TrialStoryIn(Schema):
    story_id: int = Field(..., ge=1, le=MAX_ID)


class OutcomeIn(Schema):
    outcome: Trial.Outcome
    reason: str = Field(..., max_length=actions.MAX_TEXT, pattern=NO_NUL_PATTERN)


def _staff(request: HttpRequest) -> Staff:
    staff = policy.staff_for(request.user)
    if staff is None or not policy.has_staff_role(request.user):
        raise HttpError(404, "No staff role")
    return staff


def _application(a: Application) -> dict[str, Any]:
    decision = a.decision
    return {
        "id": a.pk,
        "trial_id": a.trial_id,
        "trial": a.trial.title,
        "forum_id": a.forum_id,
        "forum": a.forum.name,
        "amount": a.amount,
        "reason": a.reason,
        "applied_by_id": a.applied_by_id,
        "applied_on": a.applied_on,
        "status": a.status,
        "decision_id": decision.pk if decision else None,
        "decision_text": decision.text if decision else "",
        "granted": decision.grant_amount if decision else None,
    }


def _detail(request: HttpRequest, trial: Trial) -> dict[str, Any]:
    money = actions.money(trial)
    evaluations = []
    for evaluation, effects in actions.evaluations(trial):
        evaluations.append(
            {
                "id": evaluation.pk,
                "kind": evaluation.kind,
                "evaluated_on": evaluation.evaluated_on,
                "summary": evaluation.summary,
                "persons_in_trial": evaluation.persons_in_trial,
                "persons_compared": evaluation.persons_compared,
                "estimated_saving": evaluation.estimated_saving,
                "written_by_id": evaluation.written_by_id,
                "direction": actions.overall_direction(effects),
                "baseline_only": not any(e.against_comparison for e in effects),
                "results": [
                    {
                        "indicator_id": e.result.indicator_id,
                        "indicator": e.result.indicator.name,
                        "trial_value": e.result.trial_value,
                        "comparison_value": e.result.comparison_value,
                        "baseline_value": e.result.baseline_value,
                        "difference": e.difference,
                        "against": "comparison"
                        if e.against_comparison
                        else ("baseline" if e.against is not None else "none"),
                        "direction": e.direction,
                    }
                    for e in effects
                ],
            }
        )
    values = [
        {
            "indicator_id": status.indicator.pk,
            "unit_id": status.unit.pk,
            "value": None if status.suppressed else status.value,
            "period": status.value_period.code if status.value_period else None,
            "suppressed": status.suppressed,
            "trend": status.trend,
        }
        for status in actions.latest_statuses(trial)
    ]
    return {
        "id": trial.pk,
        "title": trial.title,
        "status": trial.status,
        "owner_id": trial.owner_id,
        "owner": trial.owner.full_name,
        "starts_on": trial.starts_on,
        "ends_on": trial.ends_on,
        "budget": trial.budget,
        "granted": money.granted,
        "spent": money.spent,
        "left": money.left,
        "evaluation_count": len(evaluations),
        "outcome": trial.outcome,
        "hypothesis": trial.hypothesis,
        "comparison": trial.comparison,
        "unit_ids": sorted(trial.units.values_list("pk", flat=True)),
        "participant_ids": sorted(trial.participants.values_list("pk", flat=True)),
        "indicator_ids": sorted(trial.indicators.values_list("pk", flat=True)),
        "outcome_reason": trial.outcome_reason,
        "outcome_on": trial.outcome_on,
        "indicator_values": values,
        "applications": [
            _application(a) for a in trial.applications.select_related("trial", "forum", "decision")
        ],
        "expenses": list(trial.expenses.all()),
        "evaluations": evaluations,
        "stories": list(
            policy.trial_stories(request.user, trial)
            .only("pk", "anonymised_text", "written_on")
            .order_by("-written_on", "-pk")
        ),
        "can_edit": policy.can_edit_trial(request.user, trial),
        "can_apply": policy.can_apply_for_grant(request.user, trial),
        "can_decide_outcome": policy.can_decide_trial_outcome(request.user, trial),
    }


def _ids(ids: list[int], field: str) -> list[int]:
    ids = list(dict.fromkeys(ids))
    if any(not 1 <= pk <= MAX_ID for pk in ids):
        raise ValidationError({field: "An id is out of range."})
    return ids


def _editable(request: HttpRequest, trial_id: int) -> Trial:
    trial = policy.get_trial_for_user(request.user, trial_id)
    if not policy.can_edit_trial(request.user, trial):
        raise PermissionDenied("Only the trial's owner and participants change an undecided trial.")
    return trial


@router.get("", response=list[TrialOut])
@paginate(BoundedPages, page_size=25)
def list_trials(request: HttpRequest, filters: Query[TrialFilters]) -> QuerySet[Trial]:
    """The portfolio: search title and hypothesis; filter by status, unit and forum."""
    trials = actions.search_trials(policy.visible_trials(request.user), filters.q)
    if filters.status:
        trials = actions.filter_status(trials, filters.status)
    if filters.unit_id:
        trials = trials.filter(units=filters.unit_id)
    if filters.forum_id:
        trials = trials.filter(applications__forum=filters.forum_id)
    trials = Trial.objects.filter(pk__in=trials.values("pk"))
    return actions.with_money(trials).select_related("owner").order_by("-starts_on", "-pk")


@router.post("", response={201: TrialDetailOut})
def create_trial(request: HttpRequest, payload: TrialIn) -> tuple[int, dict[str, Any]]:
    """Start a trial (leaders)."""
    staff = _staff(request)
    if not policy.can_create_trial(request.user):
        raise PermissionDenied("Only leaders start trial actions.")
    candidates = policy.trial_staff_candidates(request.user)
    owner = candidates.filter(pk=payload.owner_id).first()
    if owner is None:
        raise ValidationError({"owner": "No such staff member in the municipality."})
    unit_ids = _ids(payload.unit_ids, "units")
    units = list(policy.visible_units(request.user).valid_on(today()).filter(pk__in=unit_ids))
    if len(units) != len(unit_ids):
        raise ValidationError({"units": "No such unit in the municipality."})
    participant_ids = _ids(payload.participant_ids, "participants")
    participants = list(candidates.filter(pk__in=participant_ids))
    if len(participants) != len(participant_ids):
        raise ValidationError({"participants": "No such staff member in the municipality."})
    indicator_ids = _ids(payload.indicator_ids, "indicators")
    indicators = list(policy.visible_indicators(request.user).filter(pk__in=indicator_ids))
    if len(indicators) != len(indicator_ids):
        raise ValidationError({"indicators": "No such indicator in the municipality's catalogue."})
    trial = actions.do_create_trial(
        actor=staff,
        title=payload.title,
        hypothesis=payload.hypothesis,
        owner=owner,
        units=units,
        participants=participants,
        indicators=indicators,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        comparison=payload.comparison,
        budget=payload.budget,
    )
    return 201, _detail(request, trial)


@router.get("/applications", response=list[ApplicationOut])
@paginate(BoundedPages, page_size=25)
def applications_to_decide(request: HttpRequest) -> list[dict[str, Any]]:
    """Applications waiting for a forum where the caller is chair or secretary."""
    return [
        _application(a)
        for a in policy.applications_to_decide(request.user)
        .select_related("trial", "forum", "decision")
        .order_by("applied_on", "pk")[:1000]
    ]


@router.get("/applications/{application_id}", response=ApplicationOut)
def get_application(request: HttpRequest, application_id: int) -> dict[str, Any]:
    return _application(policy.get_application_for_user(request.user, application_id))


@router.post("/applications/{application_id}/decision", response={201: ApplicationOut})
def decide_application(
    request: HttpRequest, application_id: int, payload: ApplicationDecisionIn
) -> tuple[int, dict[str, Any]]:
    """Grant (within the forum's limit and budget left) or refuse with a reason."""
    application = policy.get_application_for_user(request.user, application_id)
    if not policy.can_decide_application(request.user, application):
        raise PermissionDenied("Only the forum's chair or secretary decides a pending application.")
    application = actions.do_decide_application(
        actor=_staff(request),
        application=application,
        grant=payload.decision == "grant",
        text=payload.text,
        mandate_basis=payload.mandate_basis,
    )
    return 201, _application(application)


@router.get("/{trial_id}", response=TrialDetailOut)
def get_trial(request: HttpRequest, trial_id: int) -> dict[str, Any]:
    """One trial with its money, indicator values, evaluations and stories."""
    return _detail(request, policy.get_trial_for_user(request.user, trial_id))


@router.post("/{trial_id}/applications", response={201: ApplicationOut})
def apply_for_grant(
    request: HttpRequest, trial_id: int, payload: ApplicationIn
) -> tuple[int, dict[str, Any]]:
    """The owner applies to a forum that may grant."""
    trial = policy.get_trial_for_user(request.user, trial_id)
    if not policy.can_apply_for_grant(request.user, trial):
        raise PermissionDenied("Only the trial's owner applies for a grant.")
    forum = policy.granting_forums(request.user).filter(pk=payload.forum_id).first()
    if forum is None:
        raise ValidationError({"forum": "Choose a forum of the municipality that may grant."})
    application = actions.do_apply_for_grant(
        actor=_staff(request),
        trial=trial,
        forum=forum,
        amount=payload.amount,
        reason=payload.reason,
    )
    return 201, _application(application)


@router.post("/{trial_id}/expenses", response={201: ExpenseOut})
def record_expense(request: HttpRequest, trial_id: int, payload: ExpenseIn) -> tuple[int, Any]:
    trial = _editable(request, trial_id)
    expense = actions.do_record_expense(
        actor=_staff(request),
        trial=trial,
        amount=payload.amount,
        spent_on=payload.spent_on,
        text=payload.text,
    )
    return 201, expense


@router.post("/{trial_id}/evaluations", response={201: TrialDetailOut})
def write_evaluation(
    request: HttpRequest, trial_id: int, payload: EvaluationIn
) -> tuple[int, dict[str, Any]]:
    """An interim or the final evaluation with results per watched indicator."""
    trial = _editable(request, trial_id)
    watched = {i.pk: i for i in trial.indicators.all()}
    results = []
    for row in payload.results:
        indicator = watched.get(row.indicator_id)
        if indicator is None:
            raise ValidationError({"results": "An indicator the trial does not watch."})
        results.append(
            actions.ResultIn(indicator, row.trial_value, row.comparison_value, row.baseline_value)
        )
    actions.do_write_evaluation(
        actor=_staff(request),
        trial=trial,
        kind=payload.kind,
        evaluated_on=payload.evaluated_on,
        summary=payload.summary,
        persons_in_trial=payload.persons_in_trial,
        persons_compared=payload.persons_compared,
        estimated_saving=payload.estimated_saving,
        results=results,
    )
    return 201, _detail(request, policy.get_trial_for_user(request.user, trial_id))


@router.post("/{trial_id}/stories", response={201: TrialDetailOut})
def link_story(
    request: HttpRequest, trial_id: int, payload: TrialStoryIn
) -> tuple[int, dict[str, Any]]:
    """Link a story shared anonymised in the municipality."""
    trial = _editable(request, trial_id)
    story = policy.shared_stories(request.user).filter(pk=payload.story_id).first()
    if story is None:
        raise ValidationError(
            {"story": "Only a story shared anonymised in the municipality can be linked."}
        )
    actions.do_link_story(actor=_staff(request), trial=trial, story=story)
    return 201, _detail(request, trial)


@router.post("/{trial_id}/outcome", response={201: TrialDetailOut})
def decide_outcome(
    request: HttpRequest, trial_id: int, payload: OutcomeIn
) -> tuple[int, dict[str, Any]]:
    """Scale, adjust or stop, with a reason; only after the final evaluation."""
    trial = policy.get_trial_for_user(request.user, trial_id)
    if not policy.can_decide_trial_outcome(request.user, trial):
        raise PermissionDenied(
            "Only the trial's owner or a leader of one of its units decides its outcome."
        )
    actions.do_decide_outcome(
        actor=_staff(request), trial=trial, outcome=payload.outcome, reason=payload.reason
    )
    return 201, _detail(request, policy.get_trial_for_user(request.user, trial_id))
