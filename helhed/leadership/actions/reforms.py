"""Reforms by welfare area, and the local decisions they leave to the municipality.

The catalogue of reforms is national: the same rows for every municipality,
shipped in ``data/reforms.json`` and loaded by the data migration
``0002_reforms`` (which has its own copy of the loader, as a migration must
not use the current models). ``install_reforms`` loads the same file with the
current models, for a database made without migrations or after the file
has grown; both match reforms by code and elements by title, so loading
twice changes nothing.

A local decision is the municipality's own: a leader names who owns it, in
which unit, and by when; the owner, or a leader of the owning unit or above,
moves it through open, preparing, decided and implemented. A decided (or
implemented) decision says what was decided and when. Who may do what is
asked of ``helhed.policy`` (``can_assign_local_decision``,
``can_update_local_decision``); the rules of the record are kept here.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from helhed.leadership.models import LocalDecision, Reform, ReformElement
from helhed.lib.validity import today
from helhed.organisation.models import Municipality, Staff, Unit

REFORMS_FILE = Path(__file__).resolve().parent.parent / "data" / "reforms.json"
MAX_TEXT = 20_000
DONE_STATUSES = (LocalDecision.Status.DECIDED, LocalDecision.Status.IMPLEMENTED)


def load_reforms_file(path: Path = REFORMS_FILE) -> list[dict[str, Any]]:
    """The reforms of the shipped catalogue, as plain dictionaries."""
    with path.open(encoding="utf-8") as handle:
        data = json.load(handle)
    reforms: list[dict[str, Any]] = data["reforms"]
    return reforms


@transaction.atomic
def install_reforms(path: Path = REFORMS_FILE) -> int:
    """Load the national catalogue; idempotent by reform code (and element title).

    Returns how many reforms the file holds. Elements already loaded are
    updated in place, never deleted: a local decision may refer to them.
    """
    reforms = load_reforms_file(path)
    for entry in reforms:
        reform, _created = Reform.objects.update_or_create(
            code=entry["code"],
            defaults={
                "name": entry["name"],
                "area": entry["area"],
                "in_force_from": dt.date.fromisoformat(entry["in_force_from"]),
                "summary": entry["summary"],
            },
        )
        for position, element in enumerate(entry["elements"], start=1):
            ReformElement.objects.update_or_create(
                reform=reform,
                title=element["title"],
                defaults={
                    "description": element.get("description", ""),
                    "leaves_to_municipality": bool(element.get("leaves_to_municipality")),
                    "sort_order": position * 10,
                },
            )
    return len(reforms)


def decision_counts(
    municipality_id: int, reforms: QuerySet[Reform] | None = None
) -> dict[int, dict[str, int]]:
    """Per reform id: the municipality's local decisions counted by status."""
    decisions = LocalDecision.objects.filter(municipality_id=municipality_id)
    if reforms is not None:
        decisions = decisions.filter(element__reform__in=reforms)
    counts: dict[int, dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(LocalDecision.Status.values, 0)
    )
    rows = decisions.order_by().values("element__reform_id", "status").annotate(n=Count("pk"))
    for row in rows:
        counts[row["element__reform_id"]][row["status"]] = row["n"]
    return counts


def _check_people(
    municipality_id: int, owner: Staff, owning_unit: Unit, errors: dict[str, str]
) -> None:
    if owner.municipality_id != municipality_id:
        errors["owner"] = _("The owner must work in the municipality.")
    if owning_unit.municipality_id != municipality_id:
        errors["owning_unit"] = _("Choose a unit of the municipality.")
    elif not owning_unit.is_valid_on(today()):
        errors["owning_unit"] = _("The unit is closed; choose a unit that exists today.")


@transaction.atomic
def do_create_local_decision(
    *,
    actor: Staff,
    element: ReformElement,
    title: str,
    owner: Staff,
    owning_unit: Unit,
    due_on: dt.date | None = None,
) -> LocalDecision:
    """Name who owns a decision a reform element leaves to the actor's municipality."""
    errors: dict[str, str] = {}
    if not element.leaves_to_municipality:
        errors["element"] = _("This element of the reform leaves no decision to the municipality.")
    title = title.strip()
    if not title:
        errors["title"] = _("Say what is to be decided.")
    _check_people(actor.municipality_id, owner, owning_unit, errors)
    if due_on is not None and due_on < today():
        errors["due_on"] = _("The due date cannot be in the past.")
    if errors:
        raise ValidationError(errors, code="local_decision")
    return LocalDecision.objects.create(
        municipality_id=actor.municipality_id,
        element=element,
        title=title,
        owner=owner,
        owning_unit=owning_unit,
        due_on=due_on,
    )


@transaction.atomic
def do_update_local_decision(
    *,
    actor: Staff,
    decision: LocalDecision,
    status: str,
    decision_text: str = "",
    decided_on: dt.date | None = None,
    due_on: dt.date | None = None,
) -> LocalDecision:
    """Move a local decision on. Decided or implemented needs what was decided, and when.

    ``decided_on`` defaults to today when the decision is first recorded and
    cannot lie in the future. Reopening (back to open or preparing) keeps the
    text for the record but clears the date. A due date that changes cannot
    be set in the past; an unchanged one may have passed (the list flags it).
    """
    decision = LocalDecision.objects.select_for_update().get(pk=decision.pk)
    errors: dict[str, str] = {}
    if status not in LocalDecision.Status.values:
        errors["status"] = _("Choose a status.")
    decision_text = decision_text.strip()
    if len(decision_text) > MAX_TEXT:
        errors["decision"] = _("Keep it under %(count)s characters.") % {"count": MAX_TEXT}
    done = status in DONE_STATUSES
    if done and not decision_text:
        errors["decision"] = _("Write what was decided before marking it decided.")
    if done:
        decided_on = decided_on or decision.decided_on or today()
        if decided_on > today():
            errors["decided_on"] = _("The decision date cannot be in the future.")
    else:
        decided_on = None
    if due_on != decision.due_on and due_on is not None and due_on < today():
        errors["due_on"] = _("The due date cannot be in the past.")
    if errors:
        raise ValidationError(errors, code="local_decision")
    decision.status = status
    decision.decision = decision_text
    decision.decided_on = decided_on
    decision.due_on = due_on
    decision.save(update_fields=["status", "decision", "decided_on", "due_on"])
    return decision


def overdue_count(municipality: Municipality) -> int:
    """Open or preparing decisions past their due date (for overviews)."""
    return LocalDecision.objects.filter(
        municipality=municipality,
        status__in=[LocalDecision.Status.OPEN, LocalDecision.Status.PREPARING],
        due_on__lt=today(),
    ).count()
