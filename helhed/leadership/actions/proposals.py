"""Burden proposals: staff propose removing or simplifying a rule, a requirement or a procedure.

Like Viborg's 247 proposals, each one is grouped by a theme, decided by the
right level with a reason, and followed to done. The right level is the
leader of the proposal's ``decision_unit`` or a leader above it; that unit is
set here, never chosen freely: the owning unit of the rule or requirement,
or, for a procedure, the unit whose procedure it is.

Accepting the removal of a documentation requirement drops it at once (its
hours count as saved, ``documentation.hours_saved``). Accepting the removal
of a rule does not repeal it: the rule register keeps its own decision
history, so the proposal stays accepted until the rule is repealed there and
the proposal is marked done. Who may decide or mark done is asked of
``helhed.policy``; the rules of the record are kept here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from helhed.leadership.actions.documentation import MIN_REASON, do_drop_requirement, hours_saved
from helhed.leadership.models import BurdenProposal, BurdenTheme, DocumentationRequirement, Rule
from helhed.lib.validity import today
from helhed.organisation.models import Municipality, Staff, Unit

MAX_TEXT = 10_000
MAX_THEME = 100
MAX_TITLE = 200


# --------------------------------------------------------------------------- themes


@transaction.atomic
def do_add_theme(*, actor: Staff, name: str) -> BurdenTheme:
    """Add a theme to the actor's municipality; an existing one of the same name is reused."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"new_theme": _("Name the theme.")})
    if len(name) > MAX_THEME:
        raise ValidationError(
            {"new_theme": _("Keep the theme under %(n)d characters.") % {"n": MAX_THEME}}
        )
    existing = BurdenTheme.objects.filter(
        municipality_id=actor.municipality_id, name__iexact=name
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return BurdenTheme.objects.create(municipality_id=actor.municipality_id, name=name)
    except IntegrityError:  # added at the same moment by someone else
        return BurdenTheme.objects.get(municipality_id=actor.municipality_id, name=name)


# --------------------------------------------------------------------------- proposing


@transaction.atomic
def do_propose(
    *,
    actor: Staff,
    title: str,
    description: str,
    change: str,
    theme: BurdenTheme | None = None,
    new_theme: str = "",
    rule: Rule | None = None,
    requirement: DocumentationRequirement | None = None,
    procedure: str = "",
    unit: Unit | None = None,
) -> BurdenProposal:
    """Propose to remove or simplify one thing; the level that decides is set from it.

    ``unit`` is only read for a procedure: a rule or a requirement is decided
    where it is owned. The theme is an existing one or ``new_theme``, added
    with the proposal (the caller asks ``policy.can_add_theme`` first).
    """
    errors: dict[str, str] = {}
    municipality_id = actor.municipality_id
    title = " ".join(title.split())
    description = description.strip()
    procedure = " ".join(procedure.split())
    if not title:
        errors["title"] = _("Give the proposal a short title.")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("Keep the title under %(n)d characters.") % {"n": MAX_TITLE}
    if not description:
        errors["description"] = _("Say what should change and why.")
    elif len(description) > MAX_TEXT:
        errors["description"] = _("Keep it under %(n)d characters.") % {"n": MAX_TEXT}
    if change not in BurdenProposal.Change.values:
        errors["change"] = _("Choose to remove or to simplify.")
    new_theme = " ".join(new_theme.split())
    if (theme is None) == (not new_theme):
        errors["theme"] = _("Choose a theme, or add a new one (not both).")
    elif theme is not None and theme.municipality_id != municipality_id:
        errors["theme"] = _("Choose one of the municipality's themes.")
    elif len(new_theme) > MAX_THEME:
        errors["new_theme"] = _("Keep the theme under %(n)d characters.") % {"n": MAX_THEME}
    decision_unit: Unit | None = None
    subjects = [s for s in (rule, requirement, procedure) if s]
    if len(subjects) != 1:
        errors["subject"] = _(
            "Choose exactly one: a registered rule, a documentation requirement or a procedure."
        )
    elif rule is not None:
        if rule.municipality_id != municipality_id:
            errors["rule"] = _("Choose one of the municipality's rules.")
        elif rule.status != Rule.Status.IN_FORCE:
            errors["rule"] = _("The rule is already repealed.")
        decision_unit = rule.owning_unit
    elif requirement is not None:
        if requirement.municipality_id != municipality_id:
            errors["requirement"] = _("Choose one of the municipality's requirements.")
        elif requirement.status != DocumentationRequirement.Status.ACTIVE:
            errors["requirement"] = _("The requirement is already dropped.")
        decision_unit = requirement.owning_unit
    else:
        if len(procedure) > MAX_TITLE:
            errors["procedure"] = _("Keep the name under %(n)d characters.") % {"n": MAX_TITLE}
        if unit is None:
            errors["unit"] = _("Choose the unit whose procedure it is: its leader decides.")
        elif unit.municipality_id != municipality_id or not unit.is_valid_on(today()):
            errors["unit"] = _("Choose one of the municipality's current units.")
        decision_unit = unit
    if errors:
        raise ValidationError(errors)
    assert decision_unit is not None  # noqa: S101 - set with every subject above
    if theme is None:
        theme = do_add_theme(actor=actor, name=new_theme)
    return BurdenProposal.objects.create(
        municipality_id=municipality_id,
        title=title,
        description=description,
        change=change,
        theme=theme,
        rule=rule,
        requirement=requirement,
        procedure=procedure if rule is None and requirement is None else "",
        decision_unit=decision_unit,
        proposed_by=actor,
        proposed_on=today(),
    )


# --------------------------------------------------------------------------- deciding


def _locked(proposal: BurdenProposal) -> BurdenProposal:
    """The proposal re-read under a lock, so that two leaders cannot both decide it."""
    return (
        BurdenProposal.objects.select_for_update(of=("self",))
        .select_related("rule", "requirement", "decision_unit", "theme")
        .get(pk=proposal.pk)
    )


@transaction.atomic
def do_decide_proposal(
    *, actor: Staff, proposal: BurdenProposal, accept: bool, reason: str
) -> BurdenProposal:
    """Accept or reject a proposal, with a reason.

    Accepting the removal of a requirement drops it at once and the proposal
    is done; a requirement the law asks for cannot be removed locally. Every
    other accepted proposal stays accepted until it is carried out.
    """
    locked = _locked(proposal)
    reason = reason.strip()
    errors: dict[str, str] = {}
    if locked.status != BurdenProposal.Status.PROPOSED:
        message = _("The proposal is already decided: %(status)s.") % {
            "status": locked.get_status_display().lower()
        }
        raise ValidationError({"status": message})
    if len(reason) < MIN_REASON:
        errors["reason"] = _("Give the reason in a sentence (at least %(n)d characters).") % {
            "n": MIN_REASON
        }
    elif len(reason) > MAX_TEXT:
        errors["reason"] = _("Keep it under %(n)d characters.") % {"n": MAX_TEXT}
    removes = locked.change == BurdenProposal.Change.REMOVE
    requirement = locked.requirement
    if accept and removes and requirement is not None and requirement.legal_basis.strip():
        errors["decision"] = _(
            "The requirement rests on %(basis)s: a local decision cannot remove it. "
            "Reject the proposal, or propose to simplify the requirement instead."
        ) % {"basis": requirement.legal_basis}
    if errors:
        raise ValidationError(errors)
    on = today()
    locked.decided_by = actor
    locked.decided_on = on
    locked.decision_reason = reason
    fields = ["status", "decided_by", "decided_on", "decision_reason"]
    if not accept:
        locked.status = BurdenProposal.Status.REJECTED
    elif removes and requirement is not None:
        if requirement.status == DocumentationRequirement.Status.ACTIVE:
            do_drop_requirement(actor=actor, requirement=requirement, reason=reason, on=on)
        locked.status = BurdenProposal.Status.DONE
        locked.done_on = on
        fields.append("done_on")
    else:
        locked.status = BurdenProposal.Status.ACCEPTED
    locked.save(update_fields=fields)
    _refresh(proposal, locked)
    return proposal


@transaction.atomic
def do_complete_proposal(*, actor: Staff, proposal: BurdenProposal) -> BurdenProposal:
    """Record that an accepted proposal is carried out, today.

    A proposal to remove a rule is done only when the rule is repealed in the
    rule register: marking it done while the rule is in force would say the
    burden is gone when it is not.
    """
    locked = _locked(proposal)
    if locked.status != BurdenProposal.Status.ACCEPTED:
        raise ValidationError(
            {
                "status": _("Only an accepted proposal can be marked done (this one is %(s)s).")
                % {"s": locked.get_status_display()}
            }
        )
    rule = locked.rule
    if (
        locked.change == BurdenProposal.Change.REMOVE
        and rule is not None
        and rule.status == Rule.Status.IN_FORCE
    ):
        raise ValidationError(
            {
                "status": _(
                    "The rule %(rule)s is still in force: repeal it in the rule register first."
                )
                % {"rule": rule.title}
            }
        )
    locked.status = BurdenProposal.Status.DONE
    locked.done_on = today()
    locked.save(update_fields=["status", "done_on"])
    _refresh(proposal, locked)
    return proposal


def _refresh(proposal: BurdenProposal, locked: BurdenProposal) -> None:
    """Carry the saved state back to the caller's object, so what it shows is current."""
    for field in ("status", "decided_by", "decided_on", "decision_reason", "done_on"):
        setattr(proposal, field, getattr(locked, field))
    if locked.requirement is not None:
        proposal.requirement = DocumentationRequirement.objects.get(pk=locked.requirement.pk)


# --------------------------------------------------------------------------- the overview


@dataclass(frozen=True)
class ThemeCount:
    theme_id: int
    name: str
    total: int
    by_status: dict[str, int]


@dataclass(frozen=True)
class BurdenOverview:
    """What the burden overview shows: how many proposals stand where, and the hours saved."""

    total: int
    by_status: dict[str, int]
    by_theme: list[ThemeCount]
    hours_saved: Decimal
    dropped: list[DocumentationRequirement]


def burden_overview(
    municipality: Municipality, proposals: QuerySet[BurdenProposal]
) -> BurdenOverview:
    """Counts of ``proposals`` by status and by theme, and the municipality's saved hours.

    Every status and every theme of the municipality is listed, with zero
    where there are none, so the counts add up to the total on their face.
    """
    statuses = list(BurdenProposal.Status.values)
    status_counts = dict.fromkeys(statuses, 0)
    for row in proposals.values("status").annotate(n=Count("pk")):
        status_counts[row["status"]] = row["n"]
    per_theme: dict[int, dict[str, int]] = {}
    for row in proposals.values("theme_id", "status").annotate(n=Count("pk")):
        per_theme.setdefault(row["theme_id"], dict.fromkeys(statuses, 0))[row["status"]] = row["n"]
    themes = BurdenTheme.objects.filter(
        Q(municipality=municipality) | Q(pk__in=list(per_theme))
    ).order_by("name")
    by_theme = [
        ThemeCount(
            theme_id=theme.pk,
            name=theme.name,
            total=sum(per_theme.get(theme.pk, {}).values()),
            by_status=per_theme.get(theme.pk, dict.fromkeys(statuses, 0)),
        )
        for theme in themes
    ]
    by_theme.sort(key=lambda t: (-t.total, t.name.lower()))
    dropped = list(
        DocumentationRequirement.objects.filter(
            municipality=municipality, status=DocumentationRequirement.Status.DROPPED
        )
        .select_related("dropped_by")
        .order_by("-dropped_on", "title")
    )
    return BurdenOverview(
        total=sum(status_counts.values()),
        by_status=status_counts,
        by_theme=by_theme,
        hours_saved=hours_saved(municipality),
        dropped=dropped,
    )
