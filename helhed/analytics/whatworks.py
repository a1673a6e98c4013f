"""What works: efforts compared by type or by supplier, descriptively.

Leaders want to drop what does not work. This module gives them the
numbers to start that conversation, and no more: it compares groups of
efforts on how their citizens' outcome ratings and goals moved, and every
result carries ``CAVEAT`` because citizens are not randomly assigned to
efforts. A group that does better may simply have been sent the citizens
who were going to do better anyway.

The rules, in one place (the pages and the API show these numbers as given):

* **Which efforts**: those in the caller's queryset (access policy and unit
  filter already applied) that ran at some point in the window: started on
  or before its last day and not ended before its first. An effort is
  **ended** when its ``ends_on`` falls on or before the window's last day.
* **Groups**: by *type*, the effort's method (``leadership.Method``), or its
  sector when it works by no method; by *supplier*, the responsible unit
  (every registration of a unit, ``Unit.key``, is one supplier).
* **Whose effort**: the effort's citizen, or the plan's lead citizen (its
  first member) for an effort for the whole family, as in
  ``plans.worklist``. Citizens are counted once per group however many of
  its efforts they had; a citizen with efforts in two groups counts in both.
* **A citizen's span in a group**: from the start of their first effort in
  it to the end of their last, where an effort still running at the
  window's end (or ending after it) ends on the window's last day.
* **Outcome progress** (FIT, ``feedback.scoring``): the outcome ratings (ORS
  or CORS, scales with a reliable-change threshold) about the citizen in the
  plans of their efforts. The *baseline* is the last rating on or before the
  span's start, or else the first rating inside the span; the *latest* is
  the last rating inside the span (after the start, up to and including the
  end), and must be another rating than the baseline. Citizens without both
  are counted in the group but left out of the progress figures. When a
  citizen has pairs on two scales (CORS, then ORS at 18), the scale with
  more ratings inside the span counts. For each citizen with a pair:

  - *change*: latest total minus baseline total (positive is better);
  - *reliably improved*: the change is at least the scale's reliable change
    (``scoring.classify``); *reliably deteriorated*: at least that far down;
  - *better off*: reliably improved, **or** moved from the clinical range
    (below the scale's cut-off) at the baseline to at or above the cut-off
    at the latest. The second half lets a citizen who crossed the line count
    even if the step was smaller than the reliable change; it is wider than
    Jacobson and Truax's "recovered", which needs both.

* **Goal progress**: a goal keeps only its current status and the day it
  last changed, no score and no history, so goal progress can only be
  read from that. An effort serves the goals it names (``Effort.goals``),
  or, when it names none, as in ``plans.worklist``, the goals of its plan
  about its citizen or the whole family. Of the goals the group's efforts
  serve, a goal *moved* when its status is progressing or achieved
  (``plans.worklist.PROGRESS_STATUSES``) and changed after one of those
  efforts started and no later than its end. A goal that moved and later
  stalled therefore counts as not moved.
* **Small numbers** (``results.status.MIN_PERSONS``): a group with fewer
  citizens shows nothing but its name (``Group.suppressed``); outcome or
  goal figures resting on fewer citizens are left out (``None``) while the
  group's counts are shown. No total across groups is given: next to a
  suppressed group it would reveal that group's count by subtraction.

A comparison runs a fixed number of queries (at most five) whatever the
number of efforts, citizens or ratings.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Literal

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from helhed.feedback import scoring
from helhed.feedback.models import Rating, Scale
from helhed.organisation.models import Sector
from helhed.plans.models import Effort, Goal, PlanMember
from helhed.plans.worklist import PROGRESS_STATUSES
from helhed.results.status import MIN_PERSONS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Grouping = Literal["type", "supplier"]

CAVEAT = _(
    "Descriptive only. Citizens are not randomly assigned to efforts, so a difference "
    "between groups can reflect who was referred to them, not what worked. A citizen "
    "with efforts in several groups at once counts in each of them."
)

ONE_DECIMAL = Decimal("0.1")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class OutcomeProgress:
    """How the outcome ratings of the group's citizens with a baseline and a latest moved.

    ``citizens`` is how many had both; shares are percentages of them, one decimal.
    """

    citizens: int
    mean_change: Decimal
    improved_share: Decimal
    better_off_share: Decimal
    deteriorated_share: Decimal


@dataclass(frozen=True)
class GoalProgress:
    """The goals the group's efforts serve, and the share that moved (percent, one decimal).

    ``citizens`` is how many of the group's citizens had efforts serving a goal.
    """

    citizens: int
    goals: int
    moved_share: Decimal
    achieved_share: Decimal


@dataclass(frozen=True)
class Group:
    """One method, sector or supplier; every number ``None`` when suppressed.

    ``label`` is in the language active when the comparison ran (a sector's name).

    ``key`` is stable across languages and reorganisations: ``method:<pk>``,
    ``sector:<pk>`` or ``unit:<uuid>``. ``outcome`` and ``goals`` are
    ``None`` when fewer than ``MIN_PERSONS`` citizens are behind them.
    """

    key: str
    label: str
    citizens: int | None
    efforts: int | None
    ended: int | None
    outcome: OutcomeProgress | None
    goals: GoalProgress | None

    @property
    def suppressed(self) -> bool:
        return self.citizens is None


@dataclass(frozen=True)
class Comparison:
    """The groups of one comparison, ordered by label, with the caveat to show beside them."""

    by: Grouping
    start: dt.date
    end: dt.date
    groups: tuple[Group, ...]
    caveat: StrOrPromise = field(default=CAVEAT)
    min_persons: int = MIN_PERSONS


def by_type(efforts: QuerySet[Effort], *, start: dt.date, end: dt.date) -> Comparison:
    """Compare the efforts by method (by sector for an effort without a method)."""
    return compare(efforts, by="type", start=start, end=end)


def by_supplier(efforts: QuerySet[Effort], *, start: dt.date, end: dt.date) -> Comparison:
    """Compare the efforts by responsible unit."""
    return compare(efforts, by="supplier", start=start, end=end)


def compare(efforts: QuerySet[Effort], *, by: Grouping, start: dt.date, end: dt.date) -> Comparison:
    """Group the efforts that ran in ``[start, end]`` by type or supplier (see the module doc)."""
    if by not in ("type", "supplier"):
        raise ValueError(f"Unknown grouping {by!r}: 'type' or 'supplier'")
    if end < start:
        raise ValueError("The window ends before it starts")
    window = efforts.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=start), starts_on__lte=end)
    rows = _effort_rows(window, end)
    if not rows:
        return Comparison(by=by, start=start, end=end, groups=())
    labels = _labels(rows, by)
    members: dict[str, list[_Row]] = defaultdict(list)
    for row in rows:
        members[row.group_key(by)].append(row)
    series = _outcome_series(window, end)
    goals = _goals(window, rows)
    groups = [
        _group(key, labels[key], group_rows, series, goals) for key, group_rows in members.items()
    ]
    groups.sort(key=lambda g: (g.label.casefold(), g.key))
    return Comparison(by=by, start=start, end=end, groups=tuple(groups))


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class _Row:
    """One effort in the window, as the comparison needs it."""

    pk: int
    plan_id: int
    whom: int
    starts_on: dt.date
    until: dt.date  # its end, or the window's last day while it runs on
    ended: bool
    method_id: int | None
    method_name: str | None
    sector_id: int
    sector_name: str
    unit_key: str
    unit_name: str
    unit_valid_from: dt.date

    def group_key(self, by: Grouping) -> str:
        if by == "supplier":
            return f"unit:{self.unit_key}"
        if self.method_id is not None:
            return f"method:{self.method_id}"
        return f"sector:{self.sector_id}"


def _effort_rows(window: QuerySet[Effort], end: dt.date) -> list[_Row]:
    """The efforts in the window, with family efforts given to the plan's lead citizen."""
    values = list(
        window.order_by("pk").values_list(
            "pk",
            "plan_id",
            "citizen_id",
            "starts_on",
            "ends_on",
            "method_id",
            "method__name",
            "sector_id",
            "sector__name_da",
            "sector__name_en",
            "responsible_unit__key",
            "responsible_unit__name",
            "responsible_unit__valid_from",
        )
    )
    lead: dict[int, int] = {}
    if any(citizen_id is None for _pk, _plan, citizen_id, *_rest in values):
        for plan_id, citizen_id in (
            PlanMember.objects.filter(
                plan_id__in=window.filter(citizen__isnull=True).values("plan")
            )
            .order_by("pk")
            .values_list("plan_id", "citizen_id")
        ):
            lead.setdefault(plan_id, citizen_id)
    rows = []
    for (
        pk,
        plan_id,
        citizen_id,
        starts_on,
        ends_on,
        method_id,
        method_name,
        sector_id,
        sector_da,
        sector_en,
        unit_key,
        unit_name,
        unit_valid_from,
    ) in values:
        whom = citizen_id or lead.get(plan_id)
        if whom is None:  # a plan without members: nobody to count
            continue
        ended_on = ends_on if ends_on is not None and ends_on <= end else None
        rows.append(
            _Row(
                pk=pk,
                plan_id=plan_id,
                whom=whom,
                starts_on=starts_on,
                until=ended_on or end,
                ended=ended_on is not None,
                method_id=method_id,
                method_name=method_name,
                sector_id=sector_id,
                # The name in the active language, by the code list's own rule.
                sector_name=Sector(name_da=sector_da, name_en=sector_en).name,
                unit_key=str(unit_key),
                unit_name=unit_name,
                unit_valid_from=unit_valid_from,
            )
        )
    return rows


def _labels(rows: Iterable[_Row], by: Grouping) -> dict[str, str]:
    """Each group's name: the method's, the sector's (in the active language), the unit's.

    A supplier reorganised during the efforts goes by its newest registration's name.
    """
    labels: dict[str, str] = {}
    if by == "supplier":
        newest: dict[str, dt.date] = {}
        for row in rows:
            key = row.group_key(by)
            if key not in newest or row.unit_valid_from > newest[key]:
                newest[key] = row.unit_valid_from
                labels[key] = row.unit_name
        return labels
    for row in rows:
        labels[row.group_key(by)] = row.method_name or row.sector_name
    return labels


# (date, total, plan) per citizen and scale, oldest first; and each scale's cut-off and threshold.
_Series = dict[tuple[int, int], list[tuple[dt.date, Decimal, int]]]
_Thresholds = dict[int, tuple[Decimal | None, Decimal]]


def _outcome_series(window: QuerySet[Effort], end: dt.date) -> tuple[_Series, _Thresholds]:
    """Every outcome rating in the efforts' plans up to the window's end, in one query."""
    series: _Series = defaultdict(list)
    thresholds: _Thresholds = {}
    for citizen_id, scale_id, plan_id, rated_on, total, cutoff, reliable in (
        Rating.objects.filter(
            plan_id__in=window.values("plan_id"),
            scale__kind=Scale.Kind.OUTCOME,
            scale__reliable_change__isnull=False,
            rated_on__lte=end,
        )
        .order_by("rated_on", "pk")
        .values_list(
            "citizen_id",
            "scale_id",
            "plan_id",
            "rated_on",
            "total",
            "scale__clinical_cutoff",
            "scale__reliable_change",
        )
    ):
        series[(citizen_id, scale_id)].append((rated_on, total, plan_id))
        if reliable is not None:  # always, by the filter; said again for the type checker
            thresholds[scale_id] = (cutoff, reliable)
    return series, thresholds


# effort -> [(goal, status, changed on)]
_Goals = dict[int, list[tuple[int, str, dt.date]]]


def _goals(window: QuerySet[Effort], rows: Iterable[_Row]) -> _Goals:
    """The goals each effort serves, with their current status, in two queries.

    An effort's own goals when it names some; otherwise, as in
    ``plans.worklist``, the goals of its plan, here only those about its
    citizen or the whole family.
    """
    named: dict[int, list[int]] = defaultdict(list)
    through = Effort.goals.through.objects.filter(effort_id__in=window.values("pk"))
    for effort_id, goal_id in through.values_list("effort_id", "goal_id"):
        named[effort_id].append(goal_id)
    found: dict[int, tuple[int | None, str, dt.date]] = {}
    of_plan: dict[int, list[int]] = defaultdict(list)
    for pk, plan_id, citizen_id, status, changed_on in (
        Goal.objects.filter(
            Q(plan_id__in=window.values("plan_id")) | Q(pk__in=through.values("goal_id"))
        )
        .order_by("pk")
        .values_list("pk", "plan_id", "citizen_id", "status", "status_changed_on")
    ):
        found[pk] = (citizen_id, status, changed_on)
        of_plan[plan_id].append(pk)
    goals: _Goals = {}
    for row in rows:
        ids = named.get(row.pk) or [
            pk for pk in of_plan.get(row.plan_id, ()) if found[pk][0] in (None, row.whom)
        ]
        goals[row.pk] = [(pk, found[pk][1], found[pk][2]) for pk in ids if pk in found]
    return goals


# --------------------------------------------------------------------------- arithmetic


@dataclass(frozen=True)
class _Pair:
    baseline: Decimal
    latest: Decimal
    cutoff: Decimal | None
    reliable: Decimal


def _pair(
    citizen_id: int,
    plans: set[int],
    first_start: dt.date,
    last_end: dt.date,
    outcome: tuple[_Series, _Thresholds],
) -> _Pair | None:
    """The citizen's baseline and latest outcome total over their span (see the module doc)."""
    series, thresholds = outcome
    best: tuple[int, _Pair] | None = None
    for scale_id, (cutoff, reliable) in thresholds.items():
        points = [
            (on, total)
            for on, total, plan_id in series.get((citizen_id, scale_id), ())
            if plan_id in plans and on <= last_end
        ]
        before = [total for on, total in points if on <= first_start]
        inside = [total for on, total in points if on > first_start]
        # Without a rating at or before the start, the first inside is the baseline.
        candidates = before[-1:] + inside
        if len(candidates) < 2:
            continue
        pair = _Pair(candidates[0], candidates[-1], cutoff, reliable)
        if best is None or len(inside) > best[0]:
            best = (len(inside), pair)
    return None if best is None else best[1]


def _outcome(pairs: list[_Pair]) -> OutcomeProgress | None:
    if len(pairs) < MIN_PERSONS:
        return None
    improved = better_off = deteriorated = 0
    for pair in pairs:
        change = scoring.classify(pair.baseline, pair.latest, pair.reliable)
        crossed = bool(scoring.in_clinical_range(pair.baseline, pair.cutoff)) and not bool(
            scoring.in_clinical_range(pair.latest, pair.cutoff)
        )
        improved += change is scoring.Change.IMPROVED
        deteriorated += change is scoring.Change.DETERIORATED
        better_off += change is scoring.Change.IMPROVED or crossed
    changes = [scoring.change_from_first(p.baseline, p.latest) for p in pairs]
    return OutcomeProgress(
        citizens=len(pairs),
        mean_change=_round(sum(changes, Decimal(0)) / len(pairs)),
        improved_share=_percent(improved, len(pairs)),
        better_off_share=_percent(better_off, len(pairs)),
        deteriorated_share=_percent(deteriorated, len(pairs)),
    )


def _goal_progress(rows: list[_Row], goals: _Goals) -> GoalProgress | None:
    moved: dict[int, bool] = {}
    achieved: dict[int, bool] = {}
    citizens = set()
    for row in rows:
        for goal_id, status, changed_on in goals.get(row.pk, ()):
            citizens.add(row.whom)
            in_span = row.starts_on < changed_on <= row.until
            moved[goal_id] = moved.get(goal_id, False) or (in_span and status in PROGRESS_STATUSES)
            achieved[goal_id] = achieved.get(goal_id, False) or (
                in_span and status == Goal.Status.ACHIEVED
            )
    if len(citizens) < MIN_PERSONS:
        return None
    return GoalProgress(
        citizens=len(citizens),
        goals=len(moved),
        moved_share=_percent(sum(moved.values()), len(moved)),
        achieved_share=_percent(sum(achieved.values()), len(achieved)),
    )


def _group(
    key: str,
    label: str,
    rows: list[_Row],
    outcome: tuple[_Series, _Thresholds],
    goals: _Goals,
) -> Group:
    spans: dict[int, tuple[dt.date, dt.date, set[int]]] = {}
    for row in rows:
        first, last, plans = spans.get(row.whom, (row.starts_on, row.until, set()))
        spans[row.whom] = (min(first, row.starts_on), max(last, row.until), plans | {row.plan_id})
    if len(spans) < MIN_PERSONS:
        return Group(key, label, None, None, None, None, None)
    pairs = [
        pair
        for whom, (first, last, plans) in spans.items()
        if (pair := _pair(whom, plans, first, last, outcome)) is not None
    ]
    return Group(
        key=key,
        label=label,
        citizens=len(spans),
        efforts=len(rows),
        ended=sum(row.ended for row in rows),
        outcome=_outcome(pairs),
        goals=_goal_progress(rows, goals),
    )


def _round(value: Decimal) -> Decimal:
    return value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def _percent(part: int, whole: int) -> Decimal:
    return _round(Decimal(part) * HUNDRED / Decimal(whole))
