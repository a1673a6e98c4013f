"""Snapshots of a whole plan, and what changed between two of them.

A ``PlanVersion`` stores the plan as plain JSON after every change, so an
earlier version can be shown exactly as it was, even after goals or efforts
were removed, and "who changed what" is the difference of two snapshots.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from helhed.plans.models import Effort, Goal, Participant, Plan, PlanMember, snapshot_value

PLAN_FIELDS = ("title", "kind", "what_matters", "status", "closed_on", "close_reason")
GOAL_FIELDS = (
    "text",
    "formulated_by",
    "formulated_by_name",
    "target_date",
    "status",
    "citizen_id",
)
EFFORT_FIELDS = (
    "title",
    "description",
    "sector_id",
    "responsible_unit_id",
    "legal_basis",
    "legal_reference",
    "starts_on",
    "ends_on",
    "monthly_cost",
    "citizen_id",
)


def snapshot(plan: Plan) -> dict[str, Any]:
    """The plan and everything versioned with it, as JSON-safe data."""
    data: dict[str, Any] = {f: snapshot_value(getattr(plan, f)) for f in PLAN_FIELDS}
    data["coordinator"] = {"id": plan.coordinator_id, "name": plan.coordinator.full_name}
    data["members"] = [
        {
            "citizen_id": m.citizen_id,
            "name": m.citizen.full_name,
            "role": m.role,
            "occupation": m.occupation,
        }
        for m in plan.members.select_related("citizen").order_by("pk")
    ]
    data["goals"] = [
        {"id": g.pk, **{f: snapshot_value(getattr(g, f)) for f in GOAL_FIELDS}}
        for g in plan.goals.order_by("pk")
    ]
    data["efforts"] = [
        {
            "id": e.pk,
            **{f: snapshot_value(getattr(e, f)) for f in EFFORT_FIELDS},
            "sector": str(e.sector),
            "responsible_unit": str(e.responsible_unit),
            "goal_ids": sorted(e.goals.values_list("pk", flat=True)),
        }
        for e in plan.efforts.select_related("sector", "responsible_unit").order_by("pk")
    ]
    data["participants"] = [
        {"staff_id": p.staff_id, "name": p.staff.full_name, "unit": str(p.unit), "role": p.role}
        for p in plan.participants.select_related("staff", "unit").order_by("pk")
    ]
    return data


def _label(model: type[models.Model], field: str) -> str:
    """The field's verbose name (translated), so the history reads as words, not code."""
    name = field.removesuffix("_id")
    try:
        return str(getattr(model._meta.get_field(name), "verbose_name", name))
    except FieldDoesNotExist:
        return name


def _shown(model: type[models.Model], field: str, value: Any) -> str:
    """A snapshot value as users know it: the choice's label rather than its code."""
    if value in (None, ""):
        return ""
    choices = dict(getattr(model._meta.get_field(field), "flatchoices", None) or ())
    return str(choices.get(value, value))


def _by_id(rows: list[dict[str, Any]], key: str = "id") -> dict[Any, dict[str, Any]]:
    return {row[key]: row for row in rows}


def changes(before: dict[str, Any] | None, after: dict[str, Any]) -> list[str]:
    """Human-readable lines saying what differs from ``before`` to ``after``."""
    if before is None:
        return [_("Plan created")]
    lines: list[str] = []
    for field in PLAN_FIELDS:
        if before.get(field) != after.get(field):
            lines.append(
                _("%(field)s: “%(old)s” → “%(new)s”")
                % {
                    "field": capfirst(_label(Plan, field)),
                    "old": _shown(Plan, field, before.get(field)),
                    "new": _shown(Plan, field, after.get(field)),
                }
            )
    if before["coordinator"]["id"] != after["coordinator"]["id"]:
        lines.append(
            _("Coordinator: %(old)s → %(new)s")
            % {"old": before["coordinator"]["name"], "new": after["coordinator"]["name"]}
        )
    for label, key, id_key, name_key, model in (
        (_("Goal"), "goals", "id", "text", Goal),
        (_("Effort"), "efforts", "id", "title", Effort),
        (_("Participant"), "participants", "staff_id", "name", Participant),
        (_("Member"), "members", "citizen_id", "name", PlanMember),
    ):
        old, new = _by_id(before.get(key, []), id_key), _by_id(after.get(key, []), id_key)
        for ident in new.keys() - old.keys():
            lines.append(
                _("%(what)s added: %(name)s") % {"what": label, "name": new[ident][name_key]}
            )
        for ident in old.keys() - new.keys():
            lines.append(
                _("%(what)s removed: %(name)s") % {"what": label, "name": old[ident][name_key]}
            )
        for ident in sorted(old.keys() & new.keys(), key=str):
            changed = sorted(
                {
                    _label(model, f)
                    for f in new[ident]
                    if new[ident].get(f) != old[ident].get(f)
                    and f not in ("sector", "responsible_unit", "goal_ids")
                }
                | (
                    {_label(Effort, "goals")}
                    if key == "efforts" and _goals_changed(old[ident], new[ident])
                    else set()
                )
            )
            if changed:
                lines.append(
                    _("%(what)s changed (%(fields)s): %(name)s")
                    % {"what": label, "fields": ", ".join(changed), "name": new[ident][name_key]}
                )
    return lines


def _goals_changed(old: dict[str, Any], new: dict[str, Any]) -> bool:
    return bool(old.get("goal_ids") != new.get("goal_ids"))
