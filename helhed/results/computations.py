"""The computed sources that read Helhed's own data, registered with ``sources.register``.

Each source answers, for every unit and period it is given, one aggregate
about *the unit and everything under it* (``Unit.objects.under``, the
registrations valid in the period): numbers, never a person. A unit that did
not exist in a period, or a period with nothing to count where "nothing" is
no answer (a median of no referrals), gets no value.

* ``organisation.management_span``: the average number of direct reports per
  leader in the subtree at the period's end (``organisation.span``).
* ``plans.referral_waiting_days``: the median whole days from sending to the
  answer of referrals to the subtree that were accepted or rejected in the
  period; persons = the referrals counted.
* ``plans.overdue_actions_share``: of the plan actions due in the period and
  owned by staff holding a role in the subtree during the period, the share
  that was late: still open after the due date at the period's end, or done
  after the due date. Cancelled actions are not counted. Persons = the
  citizens of the plans the actions belong to.
* ``plans.network_meetings``: network meetings held in the period that a
  member of the family attended, in plans with a participant from the subtree.
* ``feedback.reliable_improvement_share``: of the children in plans with a
  participant from the subtree who had at least two outcome ratings (ORS or
  CORS) by the period's end, the share whose latest total is at least the
  scale's reliable change above their first (``feedback.scoring``).

``apps.ResultsConfig.ready`` imports this module so the sources are
registered before any indicator is computed.
"""

from __future__ import annotations

import datetime as dt
import statistics
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone

from helhed.feedback import scoring
from helhed.feedback.models import Rating, Scale
from helhed.lib.validity import overlap_q, today
from helhed.organisation.models import RoleAssignment, Unit
from helhed.organisation.span import Span, management_spans
from helhed.plans.models import Action, Meeting, Participant, PlanMember, Referral
from helhed.results.actions.measurements import pick_registration
from helhed.results.models import Indicator
from helhed.results.periods import Period
from helhed.results.sources import Computed, register

Aggregate = Callable[[Unit, Period], Computed | None]


# --------------------------------------------------------------------------- shared


def subtree(unit: Unit, period: Period) -> QuerySet[Unit]:
    """The unit and everything under it, as registered during the period."""
    return Unit.objects.under(unit).filter(overlap_q(period.start, period.end))


def _day_bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    """The period as [start, end) in aware datetimes of the local time zone."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(period.next().start, dt.time.min, tzinfo=zone)
    return start, end


def _share(numerator: int, denominator: int) -> Decimal:
    return Decimal(numerator) / Decimal(denominator) * 100


def _each(units: Sequence[Unit], periods: Sequence[Period], aggregate: Aggregate) -> list[Computed]:
    """Run ``aggregate`` for each unit (once per key) and period, as registered in the period.

    A unit reorganised since a period is computed with the registration it had
    then; a unit that did not exist in a period is skipped.
    """
    registrations: dict[uuid.UUID, list[Unit]] = defaultdict(list)
    for registration in Unit.objects.filter(key__in={unit.key for unit in units}):
        registrations[registration.key].append(registration)
    found = []
    for period in periods:
        for key in dict.fromkeys(unit.key for unit in units):
            unit = pick_registration(registrations[key], period)
            if unit is None:
                continue
            value = aggregate(unit, period)
            if value is not None:
                found.append(value)
    return found


# --------------------------------------------------------------------------- organisation


def _span_of_subtree(unit: Unit, period: Period, spans: Sequence[Span]) -> Computed | None:
    inside = [span for span in spans if span.unit.path.startswith(unit.path)]
    if not inside:
        return None
    reports = sum(span.direct_reports for span in inside)
    return Computed(
        unit=unit,
        period=period,
        value=Decimal(reports) / Decimal(len(inside)),
        numerator=Decimal(reports),
        denominator=Decimal(len(inside)),
    )


@register("organisation.management_span", "Management span (organisation)")
def management_span(
    indicator: Indicator, units: Sequence[Unit], periods: Sequence[Period]
) -> list[Computed]:
    """Every leader's span is computed once per tree and period, then summed per subtree.

    A leader's direct reports lie inside their own subtree, so the spans of the
    whole tree, filtered by path, equal what each subtree would give alone.
    """
    whole_tree: dict[tuple[int, dt.date], list[Span]] = {}

    def span(unit: Unit, period: Period) -> Computed | None:
        root_id = (unit.ancestor_ids() or [unit.pk])[0]
        key = (root_id, period.end)
        if key not in whole_tree:
            whole_tree[key] = management_spans(Unit.objects.get(pk=root_id), period.end)
        return _span_of_subtree(unit, period, whole_tree[key])

    return _each(units, periods, span)


# --------------------------------------------------------------------------- referrals


def _waiting_days(unit: Unit, period: Period) -> Computed | None:
    start, end = _day_bounds(period)
    waits = [
        (decided - sent).days
        for sent, decided in Referral.objects.filter(
            to_unit__in=subtree(unit, period),
            status__in=[Referral.Status.ACCEPTED, Referral.Status.REJECTED],
            decided_at__gte=start,
            decided_at__lt=end,
        ).values_list("sent_at", "decided_at")
        if decided is not None  # always, by the filter; said for the type checker
    ]
    if not waits:
        return None
    median = Decimal(str(statistics.median(waits)))
    return Computed(unit=unit, period=period, value=median, persons=len(waits))


@register("plans.referral_waiting_days", "Waiting time for referrals (plans)")
def referral_waiting_days(
    indicator: Indicator, units: Sequence[Unit], periods: Sequence[Period]
) -> list[Computed]:
    return _each(units, periods, _waiting_days)


# --------------------------------------------------------------------------- plan actions


def _staff_in(unit: Unit, period: Period) -> QuerySet[RoleAssignment, dict[str, Any]]:
    return (
        RoleAssignment.objects.filter(unit__in=subtree(unit, period))
        .filter(overlap_q(period.start, period.end))
        .values("staff_id")
    )


def _was_late(action: Action, period: Period) -> bool:
    """Open after its due date at the period's end (or now, for a running period), or done late."""
    if action.status == Action.Status.DONE:
        return action.done_on is not None and action.done_on > action.due_on
    return action.due_on < min(period.end, today())


def _overdue(unit: Unit, period: Period) -> Computed | None:
    actions = list(
        Action.objects.filter(
            owner_id__in=_staff_in(unit, period),
            due_on__gte=period.start,
            due_on__lte=period.end,
        )
        .exclude(status=Action.Status.CANCELLED)
        .only("status", "due_on", "done_on", "plan_id")
    )
    if not actions:
        return None
    late = sum(1 for action in actions if _was_late(action, period))
    persons = (
        PlanMember.objects.filter(plan_id__in={action.plan_id for action in actions})
        .values("citizen_id")
        .distinct()
        .count()
    )
    return Computed(
        unit=unit,
        period=period,
        value=_share(late, len(actions)),
        numerator=Decimal(late),
        denominator=Decimal(len(actions)),
        persons=persons,
    )


@register("plans.overdue_actions_share", "Share of overdue actions (plans)")
def overdue_actions_share(
    indicator: Indicator, units: Sequence[Unit], periods: Sequence[Period]
) -> list[Computed]:
    return _each(units, periods, _overdue)


# --------------------------------------------------------------------------- meetings


def _plans_of(unit: Unit, period: Period) -> QuerySet[Participant, Any]:
    """The plans with a participant on behalf of a unit in the subtree."""
    return Participant.objects.filter(unit__in=subtree(unit, period)).values("plan_id")


def _meetings(unit: Unit, period: Period) -> Computed | None:
    start, end = _day_bounds(period)
    held = (
        Meeting.objects.filter(
            plan_id__in=_plans_of(unit, period),
            status=Meeting.Status.HELD,
            starts_at__gte=start,
            starts_at__lt=end,
            participants__citizen__isnull=False,
            participants__attended=True,
        )
        .distinct()
        .count()
    )
    return Computed(unit=unit, period=period, value=Decimal(held))


@register("plans.network_meetings", "Network meetings with the family (plans)")
def network_meetings(
    indicator: Indicator, units: Sequence[Unit], periods: Sequence[Period]
) -> list[Computed]:
    return _each(units, periods, _meetings)


# --------------------------------------------------------------------------- FIT


def _series_by_child(unit: Unit, period: Period) -> dict[tuple[int, int], list[Decimal]]:
    """Each child's outcome totals up to the period's end, per scale, oldest first."""
    ratings = (
        Rating.objects.filter(
            plan_id__in=_plans_of(unit, period),
            rated_on__lte=period.end,
            scale__kind=Scale.Kind.OUTCOME,
            scale__reliable_change__isnull=False,
            citizen__plan_memberships__plan_id=F("plan_id"),
            citizen__plan_memberships__role=PlanMember.Role.CHILD,
        )
        .order_by("rated_on", "pk")
        .values_list("citizen_id", "scale_id", "total")
    )
    series: dict[tuple[int, int], list[Decimal]] = defaultdict(list)
    for citizen_id, scale_id, total in ratings:
        series[(citizen_id, scale_id)].append(total)
    return series


def _improvement(unit: Unit, period: Period) -> Computed | None:
    thresholds = dict(
        Scale.objects.filter(reliable_change__isnull=False).values_list("pk", "reliable_change")
    )
    latest_scale: dict[int, tuple[int, list[Decimal]]] = {}
    for (citizen_id, scale_id), totals in _series_by_child(unit, period).items():
        # A child rated on two scales (CORS, then ORS at 18) counts once, by the longer series.
        if len(totals) > len(latest_scale.get(citizen_id, (0, []))[1]):
            latest_scale[citizen_id] = (scale_id, totals)
    rated = [(scale, totals) for scale, totals in latest_scale.values() if len(totals) >= 2]
    if not rated:
        return None
    improved = sum(
        1
        for scale, totals in rated
        if scoring.classify(totals[0], totals[-1], thresholds[scale]) is scoring.Change.IMPROVED
    )
    return Computed(
        unit=unit,
        period=period,
        value=_share(improved, len(rated)),
        numerator=Decimal(improved),
        denominator=Decimal(len(rated)),
        persons=len(rated),
    )


@register("feedback.reliable_improvement_share", "Children reliably improving (FIT)")
def reliable_improvement_share(
    indicator: Indicator, units: Sequence[Unit], periods: Sequence[Period]
) -> list[Computed]:
    return _each(units, periods, _improvement)
