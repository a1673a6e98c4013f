"""Finding the citizens who need one plan, and the efforts that should be reconsidered.

Two plain functions over querysets, used by the worklist page and its API:

* ``composite_needs``: which citizens meet the municipality's ``NeedsRule``
  (Høje-Taastrup's rule by default): how many sectors work with them, how
  many efforts they have, what those efforts cost a year, and whether they
  already have a plan and a coordinator.
* ``efforts_to_review``: efforts that have run longer than the rule's review
  period without any sign of progress (a goal that moved forward, or a
  reliable improvement in the citizen's outcome ratings), so that they are
  reconsidered rather than prolonged.

Both run a fixed number of queries whatever the number of citizens or
efforts: the worklist covers a whole municipality for its leaders.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from helhed.citizens.models import Citizen, Engagement
from helhed.lib.validity import today, valid_on_q
from helhed.organisation.models import RoleAssignment, Sector, Staff, Unit
from helhed.plans.models import Effort, Goal, NeedsRule, Plan, PlanMember

# Why a citizen is on the list: one code per threshold met, with its label.
REASON_SECTORS = "sectors"
REASON_EFFORTS = "efforts"
REASON_COST = "cost"
REASON_LABELS = {
    REASON_SECTORS: _("Several ways into the municipality"),
    REASON_EFFORTS: _("Many efforts"),
    REASON_COST: _("High yearly cost"),
}

PROGRESS_STATUSES = (Goal.Status.PROGRESSING, Goal.Status.ACHIEVED)


# --------------------------------------------------------------------------- composite needs


@dataclass
class _Measure:
    """What the municipality does for one citizen, before names are loaded."""

    sector_ids: set[int] = field(default_factory=set)
    efforts: int = 0
    yearly_cost: Decimal = Decimal(0)
    plan: Plan | None = None


@dataclass
class CitizenNeeds:
    """One row of the worklist: a citizen who meets the rule, and why."""

    citizen: Citizen
    sectors: list[Sector]
    efforts: int
    yearly_cost: Decimal
    plan: Plan | None
    reasons: list[str]

    @property
    def sector_count(self) -> int:
        return len(self.sectors)

    @property
    def has_coordinator(self) -> bool:
        # Every plan has a coordinator, so "no coordinator" means "no active plan".
        return self.plan is not None

    @property
    def coordinator(self) -> Staff | None:
        return self.plan.coordinator if self.plan is not None else None

    @property
    def reasons_with_labels(self) -> list[tuple[str, str]]:
        return [(code, str(REASON_LABELS[code])) for code in self.reasons]


def reasons_for(rule: NeedsRule, *, sectors: int, efforts: int, yearly_cost: Decimal) -> list[str]:
    """The thresholds of ``rule`` that these numbers meet (empty: not on the list).

    Counts meet a threshold at or above it ("two or more sectors"); the cost
    must be above it ("more than DKK 150,000 a year"), so that a threshold of
    0 still leaves out citizens without any cost.
    """
    reasons = []
    if sectors >= rule.min_sectors:
        reasons.append(REASON_SECTORS)
    if efforts >= rule.min_efforts:
        reasons.append(REASON_EFFORTS)
    if yearly_cost > rule.min_yearly_cost:
        reasons.append(REASON_COST)
    return reasons


def _active_efforts_q(on: dt.date) -> Q:
    """The condition ``Effort.status_on(on) == active``, in SQL."""
    return Q(starts_on__lte=on) & (Q(ends_on__isnull=True) | Q(ends_on__gte=on))


def _unit_sectors(unit_ids: Iterable[int]) -> dict[int, int | None]:
    """Each unit's sector, inherited from the nearest ancestor when the unit has none.

    A team under a school has no sector of its own but is the school sector.
    Two queries: the units, then the ancestors of those without a sector.
    """
    rows = list(Unit.objects.filter(pk__in=set(unit_ids)).values_list("pk", "path", "sector_id"))
    sectors: dict[int, int | None] = {pk: sector for pk, _path, sector in rows}
    missing = {
        pk: [int(part) for part in path.split(".") if part][:-1]
        for pk, path, sector in rows
        if sector is None
    }
    ancestor_ids = {a for chain in missing.values() for a in chain}
    if ancestor_ids:
        ancestor_sector = dict(
            Unit.objects.filter(pk__in=ancestor_ids, sector__isnull=False).values_list(
                "pk", "sector_id"
            )
        )
        for pk, chain in missing.items():
            for ancestor in reversed(chain):
                if ancestor in ancestor_sector:
                    sectors[pk] = ancestor_sector[ancestor]
                    break
    return sectors


def _measure(citizens: QuerySet[Citizen], on: dt.date) -> dict[int, _Measure]:
    """Sectors, active efforts, yearly cost and active plan of every citizen with any of them."""
    measures: dict[int, _Measure] = defaultdict(_Measure)
    citizen_ids = citizens.values("pk")

    engagements = list(
        Engagement.objects.filter(valid_on_q(on), citizen_id__in=citizen_ids).values_list(
            "citizen_id", "unit_id", "staff_id"
        )
    )
    staff_ids = {staff for _c, _u, staff in engagements if staff is not None}
    staff_units: dict[int, set[int]] = defaultdict(set)
    if staff_ids:
        for staff, unit in (
            RoleAssignment.objects.valid_on(on)
            .filter(staff_id__in=staff_ids)
            .values_list("staff_id", "unit_id")
        ):
            staff_units[staff].add(unit)
    citizen_units: dict[int, set[int]] = defaultdict(set)
    for citizen, unit, staff in engagements:
        if unit is not None:
            citizen_units[citizen].add(unit)
        if staff is not None:
            citizen_units[citizen] |= staff_units[staff]
    unit_sector = _unit_sectors(u for units in citizen_units.values() for u in units)
    for citizen, units in citizen_units.items():
        found = {s for u in units if (s := unit_sector.get(u)) is not None}
        if found:
            measures[citizen].sector_ids |= found

    memberships = list(
        PlanMember.objects.filter(is_active=True, citizen_id__in=citizen_ids).select_related(
            "plan__coordinator"
        )
    )
    members_of: dict[int, list[int]] = defaultdict(list)
    for member in memberships:
        measures[member.citizen_id].plan = member.plan
        members_of[member.plan_id].append(member.citizen_id)
    if members_of:
        efforts = Effort.objects.filter(_active_efforts_q(on), plan_id__in=list(members_of))
        for plan_id, for_whom, sector, monthly_cost in efforts.values_list(
            "plan_id", "citizen_id", "sector_id", "monthly_cost"
        ):
            # An effort for the whole family (no citizen) counts for every member.
            whom = members_of[plan_id] if for_whom is None else [for_whom]
            for citizen in whom:
                if citizen not in members_of[plan_id]:
                    continue
                measure = measures[citizen]
                measure.sector_ids.add(sector)
                measure.efforts += 1
                measure.yearly_cost += monthly_cost * 12
    return measures


def composite_needs(
    citizens: QuerySet[Citizen], rule: NeedsRule, on: dt.date | None = None
) -> list[CitizenNeeds]:
    """The citizens among ``citizens`` who meet ``rule`` on ``on``, by name.

    Sectors are those of the units with a valid engagement with the citizen
    (a staff member's engagement counts through the units where they hold a
    role), and of the active efforts in the citizen's active plan. Efforts and
    cost are the active efforts for the citizen, or for the whole family, in
    that plan.
    """
    on = on or today()
    measures = _measure(citizens, on)
    on_list = {
        citizen: reasons
        for citizen, m in measures.items()
        if (
            reasons := reasons_for(
                rule, sectors=len(m.sector_ids), efforts=m.efforts, yearly_cost=m.yearly_cost
            )
        )
    }
    if not on_list:
        return []
    sector_by_id = {
        s.pk: s
        for s in Sector.objects.filter(pk__in={s for c in on_list for s in measures[c].sector_ids})
    }
    rows = []
    for citizen in Citizen.objects.filter(pk__in=list(on_list)).order_by(
        "last_name", "first_name", "pk"
    ):
        m = measures[citizen.pk]
        rows.append(
            CitizenNeeds(
                citizen=citizen,
                sectors=sorted(
                    (sector_by_id[s] for s in m.sector_ids),
                    key=lambda s: (s.sort_order, s.code),
                ),
                efforts=m.efforts,
                yearly_cost=m.yearly_cost,
                plan=m.plan,
                reasons=on_list[citizen.pk],
            )
        )
    return rows


@dataclass(frozen=True)
class NeedsCounts:
    """The worklist as numbers, for leaders: no names."""

    on_list: int
    without_coordinator: int


def needs_counts(
    citizens: QuerySet[Citizen], rule: NeedsRule, on: dt.date | None = None
) -> NeedsCounts:
    """How many of ``citizens`` meet ``rule``, and how many of them have no coordinator."""
    measures = _measure(citizens, on or today())
    total = uncoordinated = 0
    for m in measures.values():
        if reasons_for(
            rule, sectors=len(m.sector_ids), efforts=m.efforts, yearly_cost=m.yearly_cost
        ):
            total += 1
            uncoordinated += m.plan is None
    return NeedsCounts(on_list=total, without_coordinator=uncoordinated)


# --------------------------------------------------------------------------- efforts to review


@dataclass
class EffortReview:
    """An effort that has run past the review period with no sign of progress."""

    effort: Effort
    on: dt.date

    @property
    def plan(self) -> Plan:
        return self.effort.plan

    @property
    def started(self) -> dt.date:
        return self.effort.starts_on

    @property
    def days_without_progress(self) -> int:
        return (self.on - self.effort.starts_on).days

    @property
    def months_without_progress(self) -> int:
        return months_between(self.effort.starts_on, self.on)


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole calendar months from ``start`` to ``end``."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - (end.day < start.day)


def _reliably_improved(
    series: list[tuple[dt.date, Decimal]], since: dt.date, reliable_change: Decimal
) -> bool:
    """Whether the latest total is at least ``reliable_change`` above the baseline.

    The baseline is the last rating on or before ``since``; when the first
    rating was taken after the effort started (often at its first session),
    that first rating is the baseline.
    """
    from helhed.feedback.scoring import Change, classify

    if len(series) < 2:
        return False
    before = [total for rated_on, total in series if rated_on <= since]
    baseline = before[-1] if before else series[0][1]
    latest_on, latest = series[-1]
    if latest_on <= since:
        return False
    return classify(baseline, latest, reliable_change) == Change.IMPROVED


def efforts_to_review(
    plans: QuerySet[Plan], rule: NeedsRule, on: dt.date | None = None
) -> list[EffortReview]:
    """Active efforts in ``plans`` older than ``rule.review_after_days`` without progress.

    Progress is either a goal (the effort's own goals, or every goal of the
    plan when the effort names none) whose status moved to progressing or
    achieved after the effort started, or a reliable improvement in the
    outcome ratings of the effort's citizen (the plan's lead citizen for a
    family effort) since it started.
    """
    # feedback imports plans; importing it here keeps the apps' import order.
    from helhed.feedback.models import Rating, Scale

    on = on or today()
    cutoff = on - dt.timedelta(days=rule.review_after_days)
    efforts = list(
        Effort.objects.filter(_active_efforts_q(on), plan__in=plans, starts_on__lt=cutoff)
        .select_related("plan", "sector", "responsible_unit")
        .order_by("starts_on", "pk")
    )
    if not efforts:
        return []
    plan_ids = {e.plan_id for e in efforts}
    effort_ids = [e.pk for e in efforts]

    goals = {
        pk: (plan_id, status, changed_on)
        for pk, plan_id, status, changed_on in Goal.objects.filter(
            plan_id__in=plan_ids
        ).values_list("pk", "plan_id", "status", "status_changed_on")
    }
    goals_of_effort: dict[int, list[int]] = defaultdict(list)
    for effort_id, goal_id in Effort.goals.through.objects.filter(
        effort_id__in=effort_ids
    ).values_list("effort_id", "goal_id"):
        goals_of_effort[effort_id].append(goal_id)
    goals_of_plan: dict[int, list[int]] = defaultdict(list)
    for pk, (plan_id, _status, _changed) in goals.items():
        goals_of_plan[plan_id].append(pk)

    lead_citizen: dict[int, int] = {}
    for plan_id, citizen_id in (
        PlanMember.objects.filter(plan_id__in=plan_ids)
        .order_by("pk")
        .values_list("plan_id", "citizen_id")
    ):
        lead_citizen.setdefault(plan_id, citizen_id)
    whose = {e.pk: e.citizen_id or lead_citizen.get(e.plan_id) for e in efforts}

    # citizen -> scale -> [(date, total)], oldest first
    series: dict[int, dict[int, list[tuple[dt.date, Decimal]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    reliable_change: dict[int, Decimal] = {}
    for citizen_id, scale_id, change, rated_on, total in (
        Rating.objects.filter(
            citizen_id__in={c for c in whose.values() if c is not None},
            scale__kind=Scale.Kind.OUTCOME,
            scale__reliable_change__isnull=False,
            rated_on__lte=on,
        )
        .order_by("rated_on", "pk")
        .values_list("citizen_id", "scale_id", "scale__reliable_change", "rated_on", "total")
    ):
        series[citizen_id][scale_id].append((rated_on, total))
        if change is not None:
            reliable_change[scale_id] = change

    flagged = []
    for effort in efforts:
        goal_ids = goals_of_effort.get(effort.pk) or goals_of_plan.get(effort.plan_id, [])
        goal_moved = any(
            goals[g][1] in PROGRESS_STATUSES and goals[g][2] > effort.starts_on for g in goal_ids
        )
        whom = whose[effort.pk]
        ratings_improved = whom is not None and any(
            _reliably_improved(points, effort.starts_on, reliable_change[scale_id])
            for scale_id, points in series[whom].items()
        )
        if not goal_moved and not ratings_improved:
            flagged.append(EffortReview(effort=effort, on=on))
    return flagged
