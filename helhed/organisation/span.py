"""Management span: how many people report directly to each leader.

Computed from the organisation as of a date, never stored, so it is always
true to the tree and the role assignments. A person reports to the nearest
leader above them: the leader of their own unit, or, in a unit without a
leader, of the closest unit above that has one. A unit's leader reports to the
nearest leader strictly above the unit.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from helhed.lib.validity import today
from helhed.organisation.models import Role, RoleAssignment, Staff, Unit


@dataclass(frozen=True)
class Span:
    leader: Staff
    unit: Unit
    direct_reports: int


def management_spans(root: Unit, on: dt.date | None = None) -> list[Span]:
    """The span of every leader in the subtree of ``root``, largest first.

    Two queries whatever the size of the tree: the units (with the root's
    ancestors, whose leaders the subtree's top leaders report to), and the
    role assignments in them.
    """
    on = on or today()
    units = {
        unit.pk: unit
        for unit in Unit.objects.filter(
            Q(pk__in=root.ancestor_ids()) | Q(path__startswith=root.path)
        ).valid_on(on)
    }
    assignments = list(
        RoleAssignment.objects.valid_on(on)
        .filter(unit_id__in=units.keys())
        .select_related("staff", "role")
    )
    leader_of: dict[int, RoleAssignment] = {}
    for assignment in assignments:
        if assignment.role.kind == Role.Kind.LEADER:
            leader_of.setdefault(assignment.unit_id, assignment)

    def nearest_leader(unit_id: int | None) -> RoleAssignment | None:
        while unit_id is not None and unit_id in units:
            if unit_id in leader_of:
                return leader_of[unit_id]
            unit_id = units[unit_id].parent_id
        return None

    reports: dict[int, set[int]] = defaultdict(set)
    for assignment in assignments:
        if assignment.role.kind == Role.Kind.POLITICIAN:
            # Council members sit on the root unit but report to no leader.
            continue
        if assignment.role.kind == Role.Kind.LEADER:
            boss = nearest_leader(units[assignment.unit_id].parent_id)
        else:
            boss = nearest_leader(assignment.unit_id)
        if boss is not None and boss.staff_id != assignment.staff_id:
            reports[boss.pk].add(assignment.staff_id)

    spans = [
        Span(leader=a.staff, unit=units[a.unit_id], direct_reports=len(reports.get(a.pk, ())))
        for a in leader_of.values()
        if units[a.unit_id].path.startswith(root.path)
    ]
    return sorted(spans, key=lambda s: (-s.direct_reports, s.unit.path))


def span_of(unit: Unit, on: dt.date | None = None) -> Span | None:
    """The span of the leader of ``unit``, or None if the unit has no leader."""
    for span in management_spans(unit, on):
        if span.unit.pk == unit.pk:
            return span
    return None
