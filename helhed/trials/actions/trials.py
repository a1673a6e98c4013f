"""Trial actions: create, fund, spend, evaluate, collect stories, and decide the outcome.

A leader creates a trial with a hypothesis, an owner, the units taking part
(across sectors), participants, the indicators it watches, a period, a
comparison group and a budget. The owner applies to a forum that may grant;
the forum's chair or secretary grants (through the forum's own decision,
``do_record_decision``, which keeps the grant within the forum's limit and
the budget left) or refuses with a reason. The owner and the participants
record expenses, write interim and final evaluations (per indicator, the
trial's value against the comparison group or the own baseline) and link
everyday stories that are shared anonymised. After a final evaluation, the
owner or a leader of one of its units decides to scale, adjust or stop.

Who may do what is asked of ``helhed.policy`` (section "trials") by the
views and the API; the rules of the record are kept here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from helhed.forums.actions.forums import dkk, do_record_decision
from helhed.forums.models import Forum
from helhed.lib.validity import today
from helhed.organisation.models import Staff, Unit
from helhed.plans.models import Story
from helhed.results.levels import default_period
from helhed.results.models import Indicator
from helhed.results.status import IndicatorStatus, statuses
from helhed.trials.models import (
    Application,
    Evaluation,
    EvaluationResult,
    Expense,
    Trial,
    TrialStory,
)

MAX_TEXT = 20_000
# A reason is a sentence, not a word.
MIN_REASON = 20
# Money above this is a typing error, not a trial (the fields hold 12 digits).
MAX_AMOUNT = Decimal("9999999999.99")
MAX_VALUE = Decimal("99999999999.999")
MAX_YEARS = 10
ZERO = Decimal(0)


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Money:
    granted: Decimal
    spent: Decimal

    @property
    def left(self) -> Decimal:
        return self.granted - self.spent


def money(trial: Trial) -> Money:
    """The money granted to the trial (by its granted applications) and spent on it."""
    granted = trial.applications.filter(status=Application.Status.GRANTED).aggregate(
        total=Sum("decision__grant_amount")
    )["total"]
    spent = trial.expenses.aggregate(total=Sum("amount"))["total"]
    return Money(granted=granted or ZERO, spent=spent or ZERO)


def total_money(trials: QuerySet[Trial]) -> Money:
    """The money granted to and spent on all these trials together."""
    ids = trials.values("pk")
    granted = Application.objects.filter(
        trial__in=ids, status=Application.Status.GRANTED
    ).aggregate(total=Sum("decision__grant_amount"))["total"]
    spent = Expense.objects.filter(trial__in=ids).aggregate(total=Sum("amount"))["total"]
    return Money(granted=granted or ZERO, spent=spent or ZERO)


def with_money(trials: QuerySet[Trial]) -> QuerySet[Trial]:
    """Annotate ``granted``, ``spent`` and ``evaluation_count`` (one query, no row doubling)."""
    money_field: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)
    granted = (
        Application.objects.filter(trial=OuterRef("pk"), status=Application.Status.GRANTED)
        .values("trial")
        .annotate(total=Sum("decision__grant_amount"))
        .values("total")
    )
    spent = (
        Expense.objects.filter(trial=OuterRef("pk"))
        .values("trial")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    evaluations = (
        Evaluation.objects.filter(trial=OuterRef("pk"))
        .values("trial")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return trials.annotate(
        granted=Coalesce(Subquery(granted), Value(ZERO), output_field=money_field),
        spent=Coalesce(Subquery(spent), Value(ZERO), output_field=money_field),
        evaluation_count=Coalesce(Subquery(evaluations), Value(0)),
    )


def display_status(trial: Trial, on: dt.date | None = None) -> str:
    """The status as a reader sees it: a planned trial whose start has come is running."""
    on = on or today()
    if trial.status == Trial.Status.PLANNED and trial.starts_on <= on:
        return str(Trial.Status.RUNNING.label)
    return str(Trial.Status(trial.status).label)


def filter_status(
    trials: QuerySet[Trial], status: str, on: dt.date | None = None
) -> QuerySet[Trial]:
    on = on or today()
    if status == Trial.Status.PLANNED:
        return trials.filter(status=Trial.Status.PLANNED, starts_on__gt=on)
    if status == Trial.Status.RUNNING:
        return trials.filter(
            Q(status=Trial.Status.RUNNING) | Q(status=Trial.Status.PLANNED, starts_on__lte=on)
        )
    return trials.filter(status=status)


def search_trials(trials: QuerySet[Trial], query: str) -> QuerySet[Trial]:
    """Trials whose title or hypothesis contains every word of the query."""
    for word in query[:100].split():
        trials = trials.filter(Q(title__icontains=word) | Q(hypothesis__icontains=word))
    return trials


class Direction:
    BETTER = "better"
    WORSE = "worse"
    SAME = "same"
    MIXED = "mixed"
    NONE = "none"

    LABELS = {
        BETTER: gettext_lazy("Better"),
        WORSE: gettext_lazy("Worse"),
        SAME: gettext_lazy("No difference"),
        MIXED: gettext_lazy("Mixed"),
        NONE: gettext_lazy("No evidence yet"),
    }


@dataclass(frozen=True)
class Effect:
    """One indicator's result: the trial against the comparison group, else the own baseline."""

    result: EvaluationResult
    against: Decimal | None
    against_comparison: bool
    difference: Decimal | None
    direction: str

    @property
    def label(self) -> str:
        return str(Direction.LABELS[self.direction])


def effect(result: EvaluationResult) -> Effect:
    comparison = result.comparison_value is not None
    against = result.comparison_value if comparison else result.baseline_value
    if against is None:
        return Effect(result, None, False, None, Direction.NONE)
    difference = result.trial_value - against
    if difference == 0:
        direction = Direction.SAME
    elif (difference > 0) == result.indicator.higher_is_better:
        direction = Direction.BETTER
    else:
        direction = Direction.WORSE
    return Effect(result, against, comparison, difference, direction)


def overall_direction(effects: Iterable[Effect]) -> str:
    """Better or worse when every indicator that moved moved that way; else mixed."""
    directions = {e.direction for e in effects if e.direction != Direction.NONE}
    moved = directions - {Direction.SAME}
    if not directions:
        return Direction.NONE
    if not moved:
        return Direction.SAME
    return moved.pop() if len(moved) == 1 else Direction.MIXED


def evaluations(trial: Trial) -> list[tuple[Evaluation, list[Effect]]]:
    """The trial's evaluations, oldest first, each with its effects per indicator."""
    rows = (
        trial.evaluations.select_related("written_by")
        .prefetch_related("results__indicator")
        .order_by("evaluated_on", "pk")
    )
    return [(evaluation, [effect(r) for r in evaluation.results.all()]) for evaluation in rows]


def latest_directions(trial_ids: Sequence[int]) -> dict[int, str]:
    """The effect direction of each trial's latest evaluation (``none`` without one)."""
    latest: dict[int, int] = {}
    for trial_id, pk in (
        Evaluation.objects.filter(trial_id__in=list(trial_ids))
        .order_by("evaluated_on", "pk")
        .values_list("trial_id", "pk")
    ):
        latest[trial_id] = pk
    effects: dict[int, list[Effect]] = {}
    for result in EvaluationResult.objects.filter(
        evaluation_id__in=list(latest.values())
    ).select_related("indicator", "evaluation"):
        effects.setdefault(result.evaluation.trial_id, []).append(effect(result))
    return {pk: overall_direction(effects.get(pk, [])) for pk in trial_ids}


def latest_statuses(trial: Trial) -> list[IndicatorStatus]:
    """Each watched indicator's status for each unit taking part, by the results app's rules.

    A value counted on fewer than five persons stays hidden (``suppressed``).
    """
    indicators = list(trial.indicators.order_by("name"))
    units = list(trial.units.order_by("path"))
    found = statuses(indicators, units, default_period(today()))
    return [found[(i.pk, u.pk)] for i in indicators for u in units]


def story_label(story: Story) -> str:
    """A shared story named by the start of its anonymised text (never its title or plan)."""
    text = " ".join(story.anonymised_text.split())
    return text if len(text) <= 80 else f"{text[:79]}…"


# --------------------------------------------------------------------------- checks


def _text(value: str, field: str, message: str, errors: dict[str, str]) -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = message
    elif len(value) > MAX_TEXT:
        errors[field] = _("Keep the text under %(n)d characters.") % {"n": MAX_TEXT}
    return value


def _amount(value: Decimal | None, field: str, errors: dict[str, str], *, zero: bool) -> None:
    if value is None or value < ZERO or (value == ZERO and not zero):
        errors[field] = _("Give an amount above zero.") if not zero else _("Give an amount.")
    elif value > MAX_AMOUNT:
        errors[field] = _("The amount is too large.")


def _reason(reason: str, field: str, errors: dict[str, str]) -> str:
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        errors[field] = _("Write the reason in a sentence or two (at least %(n)d characters).") % {
            "n": MIN_REASON
        }
    elif len(reason) > MAX_TEXT:
        errors[field] = _("Keep the reason under %(n)d characters.") % {"n": MAX_TEXT}
    return reason


def _not_closed(trial: Trial) -> None:
    if trial.status == Trial.Status.CLOSED:
        raise ValidationError(
            {"__all__": _("The trial is decided; it takes no further changes.")}, code="closed"
        )


# --------------------------------------------------------------------------- the trial


def _check_trial(
    *,
    municipality_id: int,
    title: str,
    hypothesis: str,
    owner: Staff,
    units: Sequence[Unit],
    participants: Sequence[Staff],
    indicators: Sequence[Indicator],
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    comparison: str,
    budget: Decimal | None,
    errors: dict[str, str],
) -> tuple[str, str, str]:
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Give the trial a title.")
    elif len(title) > 200:
        errors["title"] = _("Keep the title under 200 characters.")
    hypothesis = _text(
        hypothesis, "hypothesis", _("Write the hypothesis: if we do this, then ..."), errors
    )
    comparison = (comparison or "").strip()
    if len(comparison) > MAX_TEXT:
        errors["comparison"] = _("Keep the text under %(n)d characters.") % {"n": MAX_TEXT}
    if owner.municipality_id != municipality_id:
        errors["owner"] = _("The owner must be a staff member of the municipality.")
    if not units:
        errors["units"] = _("Choose at least one unit taking part.")
    elif any(u.municipality_id != municipality_id for u in units):
        errors["units"] = _("Choose units of the municipality.")
    if any(p.municipality_id != municipality_id for p in participants):
        errors["participants"] = _("Participants must be staff members of the municipality.")
    if any(i.municipality_id != municipality_id for i in indicators):
        errors["indicators"] = _("Choose indicators from the municipality's catalogue.")
    if starts_on is None:
        errors["starts_on"] = _("Give the start date.")
    if ends_on is None:
        errors["ends_on"] = _("Give the end date.")
    if starts_on and ends_on:
        if ends_on < starts_on:
            errors["ends_on"] = _("A trial cannot end before it starts.")
        elif (ends_on - starts_on).days > 366 * MAX_YEARS:
            errors["ends_on"] = _("A trial runs at most %(n)d years.") % {"n": MAX_YEARS}
    _amount(budget, "budget", errors, zero=True)
    return title, hypothesis, comparison


@transaction.atomic
def do_create_trial(
    *,
    actor: Staff,
    title: str,
    hypothesis: str,
    owner: Staff,
    units: Sequence[Unit],
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    participants: Sequence[Staff] = (),
    indicators: Sequence[Indicator] = (),
    comparison: str = "",
    budget: Decimal | None = ZERO,
) -> Trial:
    """Create a trial of the actor's municipality; it runs from its start date."""
    errors: dict[str, str] = {}
    units, participants, indicators = (
        list(dict.fromkeys(units)),
        list(dict.fromkeys(participants)),
        list(dict.fromkeys(indicators)),
    )
    title, hypothesis, comparison = _check_trial(
        municipality_id=actor.municipality_id,
        title=title,
        hypothesis=hypothesis,
        owner=owner,
        units=units,
        participants=participants,
        indicators=indicators,
        starts_on=starts_on,
        ends_on=ends_on,
        comparison=comparison,
        budget=budget,
        errors=errors,
    )
    if errors:
        raise ValidationError(errors, code="trial")
    assert starts_on is not None and ends_on is not None and budget is not None  # noqa: S101
    trial = Trial.objects.create(
        municipality_id=actor.municipality_id,
        title=title,
        hypothesis=hypothesis,
        owner=owner,
        starts_on=starts_on,
        ends_on=ends_on,
        comparison=comparison,
        budget=budget,
        status=Trial.Status.RUNNING if starts_on <= today() else Trial.Status.PLANNED,
    )
    trial.units.set(units)
    trial.participants.set(participants)
    trial.indicators.set(indicators)
    return trial


@transaction.atomic
def do_edit_trial(
    *,
    actor: Staff,
    trial: Trial,
    title: str,
    hypothesis: str,
    owner: Staff,
    units: Sequence[Unit],
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    participants: Sequence[Staff] = (),
    indicators: Sequence[Indicator] = (),
    comparison: str = "",
    budget: Decimal | None = ZERO,
) -> Trial:
    """Change an undecided trial's details (the same rules as creating it)."""
    trial = Trial.objects.select_for_update().get(pk=trial.pk)
    _not_closed(trial)
    errors: dict[str, str] = {}
    units, participants, indicators = (
        list(dict.fromkeys(units)),
        list(dict.fromkeys(participants)),
        list(dict.fromkeys(indicators)),
    )
    title, hypothesis, comparison = _check_trial(
        municipality_id=trial.municipality_id,
        title=title,
        hypothesis=hypothesis,
        owner=owner,
        units=units,
        participants=participants,
        indicators=indicators,
        starts_on=starts_on,
        ends_on=ends_on,
        comparison=comparison,
        budget=budget,
        errors=errors,
    )
    evaluated = set(
        EvaluationResult.objects.filter(evaluation__trial=trial).values_list(
            "indicator_id", flat=True
        )
    )
    if evaluated - {i.pk for i in indicators}:
        errors["indicators"] = _("An indicator already evaluated cannot be removed from the trial.")
    if errors:
        raise ValidationError(errors, code="trial")
    assert starts_on is not None and ends_on is not None and budget is not None  # noqa: S101
    trial.title, trial.hypothesis, trial.comparison = title, hypothesis, comparison
    trial.owner, trial.starts_on, trial.ends_on, trial.budget = owner, starts_on, ends_on, budget
    if trial.status in (Trial.Status.PLANNED, Trial.Status.RUNNING):
        trial.status = Trial.Status.RUNNING if starts_on <= today() else Trial.Status.PLANNED
    trial.save(
        update_fields=[
            "title",
            "hypothesis",
            "comparison",
            "owner",
            "starts_on",
            "ends_on",
            "budget",
            "status",
        ]
    )
    trial.units.set(units)
    trial.participants.set(participants)
    trial.indicators.set(indicators)
    return trial


# --------------------------------------------------------------------------- money


@transaction.atomic
def do_apply_for_grant(
    *, actor: Staff, trial: Trial, forum: Forum, amount: Decimal | None, reason: str
) -> Application:
    """Apply to a forum that may grant, for at most its limit per grant."""
    trial = Trial.objects.select_for_update().get(pk=trial.pk)
    _not_closed(trial)
    errors: dict[str, str] = {}
    if forum.municipality_id != trial.municipality_id or not forum.is_active or not forum.may_grant:
        errors["forum"] = _("Choose a forum of the municipality that may grant.")
    _amount(amount, "amount", errors, zero=False)
    if (
        "amount" not in errors
        and "forum" not in errors
        and amount is not None
        and forum.grant_limit is not None
        and amount > forum.grant_limit
    ):
        errors["amount"] = _("The forum grants at most %(limit)s at a time.") % {
            "limit": dkk(forum.grant_limit)
        }
    reason = _text(reason, "reason", _("Say what the money is for."), errors)
    if (
        "forum" not in errors
        and trial.applications.filter(forum=forum, status=Application.Status.PENDING).exists()
    ):
        errors["forum"] = _("The trial already has an application waiting for this forum.")
    if errors:
        raise ValidationError(errors, code="application")
    assert amount is not None  # noqa: S101
    return Application.objects.create(
        trial=trial, forum=forum, amount=amount, reason=reason, applied_by=actor, applied_on=today()
    )


@transaction.atomic
def do_decide_application(
    *, actor: Staff, application: Application, grant: bool, text: str, mandate_basis: str
) -> Application:
    """Grant (as the forum's decision, within its limit and budget left) or refuse with a reason.

    Both are recorded in the forum's decision log; the grant's decision is
    linked to the application.
    """
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("trial", "forum")
        .get(pk=application.pk)
    )
    if application.status != Application.Status.PENDING:
        raise ValidationError({"__all__": _("The application is already decided.")}, code="decided")
    errors: dict[str, str] = {}
    if grant:
        text = (text or "").strip() or _("Granted %(amount)s to the trial “%(trial)s”.") % {
            "amount": dkk(application.amount),
            "trial": application.trial.title,
        }
    else:
        text = _reason(text, "text", errors)
    mandate_basis = (mandate_basis or "").strip()
    if not mandate_basis:
        errors["mandate_basis"] = _("Name the part of the forum's mandate the decision rests on.")
    elif len(mandate_basis) > 300:
        errors["mandate_basis"] = _("Keep it under 300 characters.")
    if errors:
        raise ValidationError(errors, code="application_decision")
    if grant:
        decision = do_record_decision(
            actor=actor,
            forum=application.forum,
            text=text,
            mandate_basis=mandate_basis,
            grant_amount=application.amount,
            grant_purpose=application.trial.title[:200],
        )
        application.status = Application.Status.GRANTED
    else:
        decision = do_record_decision(
            actor=actor,
            forum=application.forum,
            text=text,
            mandate_basis=mandate_basis,
            grant_amount=None,
            grant_purpose="",
        )
        application.status = Application.Status.REFUSED
    application.decision = decision
    application.save(update_fields=["status", "decision"])
    return application


@transaction.atomic
def do_record_expense(
    *, actor: Staff, trial: Trial, amount: Decimal | None, spent_on: dt.date | None, text: str
) -> Expense:
    """Record money spent on the trial (on a day that has come)."""
    _not_closed(trial)
    errors: dict[str, str] = {}
    _amount(amount, "amount", errors, zero=False)
    if spent_on is None:
        errors["spent_on"] = _("Give the date the money was spent.")
    elif spent_on > today():
        errors["spent_on"] = _("An expense is recorded once it is spent, not before.")
    elif spent_on.year < 1990:
        errors["spent_on"] = _("Give a date after 1990.")
    text = (text or "").strip()
    if not text:
        errors["text"] = _("Say what the money was spent on.")
    elif len(text) > 200:
        errors["text"] = _("Keep it under 200 characters.")
    if errors:
        raise ValidationError(errors, code="expense")
    assert amount is not None and spent_on is not None  # noqa: S101
    return Expense.objects.create(
        trial=trial, amount=amount, spent_on=spent_on, text=text, recorded_by=actor
    )


# --------------------------------------------------------------------------- evidence


@dataclass(frozen=True)
class ResultIn:
    indicator: Indicator
    trial_value: Decimal
    comparison_value: Decimal | None = None
    baseline_value: Decimal | None = None


@transaction.atomic
def do_write_evaluation(
    *,
    actor: Staff,
    trial: Trial,
    kind: str,
    evaluated_on: dt.date | None,
    summary: str,
    persons_in_trial: int | None,
    persons_compared: int | None = None,
    estimated_saving: Decimal | None = None,
    results: Sequence[ResultIn] = (),
) -> Evaluation:
    """Write an interim or the final evaluation, with results for the indicators it watches.

    Each result has the trial's value and the comparison group's value, the
    own baseline, or both; a comparison value needs the size of the group.
    The final evaluation (only one) makes the trial ready for its decision.
    """
    trial = Trial.objects.select_for_update().get(pk=trial.pk)
    _not_closed(trial)
    errors: dict[str, str] = {}
    if kind not in Evaluation.Kind.values:
        errors["kind"] = _("Choose an interim or a final evaluation.")
    elif kind == Evaluation.Kind.FINAL and trial.evaluations.filter(kind=kind).exists():
        errors["kind"] = _("The trial already has its final evaluation.")
    if evaluated_on is None:
        errors["evaluated_on"] = _("Give the date of the evaluation.")
    elif evaluated_on > today():
        errors["evaluated_on"] = _("An evaluation cannot be dated in the future.")
    elif evaluated_on < trial.starts_on:
        errors["evaluated_on"] = _("An evaluation cannot be dated before the trial starts.")
    summary = _text(summary, "summary", _("Write what the evaluation shows."), errors)
    if persons_in_trial is None or persons_in_trial < 0:
        errors["persons_in_trial"] = _("Give the number of persons in the trial.")
    if persons_compared is not None and persons_compared < 0:
        errors["persons_compared"] = _("Give a number of zero or more.")
    if estimated_saving is not None and abs(estimated_saving) > MAX_AMOUNT:
        errors["estimated_saving"] = _("The amount is too large.")
    watched = set(trial.indicators.values_list("pk", flat=True))
    seen: set[int] = set()
    for result in results:
        name = result.indicator.name
        if result.indicator.pk not in watched:
            errors["results"] = _("%(name)s is not an indicator the trial watches.") % {
                "name": name
            }
        elif result.indicator.pk in seen:
            errors["results"] = _("%(name)s is given twice.") % {"name": name}
        elif result.comparison_value is None and result.baseline_value is None:
            errors["results"] = _(
                "Give the comparison group's value or the baseline for %(name)s."
            ) % {"name": name}
        elif any(
            v is not None and abs(v) > MAX_VALUE
            for v in (result.trial_value, result.comparison_value, result.baseline_value)
        ):
            errors["results"] = _("A value for %(name)s is too large.") % {"name": name}
        elif result.comparison_value is not None and not persons_compared:
            errors["persons_compared"] = _("Give the number of persons in the comparison group.")
        seen.add(result.indicator.pk)
    if errors:
        raise ValidationError(errors, code="evaluation")
    assert persons_in_trial is not None and evaluated_on is not None  # noqa: S101
    evaluation = Evaluation.objects.create(
        trial=trial,
        kind=kind,
        evaluated_on=evaluated_on,
        summary=summary,
        persons_in_trial=persons_in_trial,
        persons_compared=persons_compared,
        estimated_saving=estimated_saving,
        written_by=actor,
    )
    EvaluationResult.objects.bulk_create(
        EvaluationResult(
            evaluation=evaluation,
            indicator=r.indicator,
            trial_value=r.trial_value,
            comparison_value=r.comparison_value,
            baseline_value=r.baseline_value,
        )
        for r in results
    )
    if kind == Evaluation.Kind.FINAL:
        trial.status = Trial.Status.EVALUATED
        trial.save(update_fields=["status"])
    return evaluation


@transaction.atomic
def do_link_story(*, actor: Staff, trial: Trial, story: Story) -> TrialStory:
    """Link an everyday story shared anonymised in the trial's municipality."""
    _not_closed(trial)
    if story.sharing != Story.Sharing.SHARED or story.plan.municipality_id != trial.municipality_id:
        raise ValidationError(
            {"story": _("Only a story shared anonymised in the municipality can be linked.")},
            code="story",
        )
    if trial.stories.filter(story=story).exists():
        raise ValidationError({"story": _("The story is already linked.")}, code="story")
    return TrialStory.objects.create(trial=trial, story=story, added_by=actor)


@transaction.atomic
def do_decide_outcome(*, actor: Staff, trial: Trial, outcome: str, reason: str) -> Trial:
    """Scale, adjust or stop the trial, with a reason; only after its final evaluation."""
    trial = Trial.objects.select_for_update().get(pk=trial.pk)
    _not_closed(trial)
    if not trial.evaluations.filter(kind=Evaluation.Kind.FINAL).exists():
        raise ValidationError(
            {
                "outcome": _(
                    "Write the final evaluation first: the decision to scale, adjust or stop "
                    "rests on it."
                )
            },
            code="no_final_evaluation",
        )
    errors: dict[str, str] = {}
    if outcome not in Trial.Outcome.values:
        errors["outcome"] = _("Choose to scale up, adjust or stop.")
    reason = _reason(reason, "outcome_reason", errors)
    if errors:
        raise ValidationError(errors, code="outcome")
    trial.outcome, trial.outcome_reason, trial.outcome_on = outcome, reason, today()
    trial.status = Trial.Status.CLOSED
    trial.save(update_fields=["outcome", "outcome_reason", "outcome_on", "status"])
    return trial
