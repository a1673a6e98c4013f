"""Everyday stories (hverdagsfortællinger): writing them, and sharing them anonymised.

A story belongs to the plan and is read by those who may see the plan. Its
author may propose an anonymised version for sharing; a leader of the unit the
author works in decides, reading only the anonymised text. The names of the
family are checked out of that text here, as a guard against the obvious
slip; the author remains responsible for the rest (places, details).

Who may call these is asked of ``helhed.policy`` by the views and the API;
the author rule (only the author proposes their story) is kept here, since it
is about the story itself.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from helhed.citizens.models import Citizen
from helhed.lib.validity import today
from helhed.organisation.models import Role, RoleAssignment, Staff, Unit
from helhed.plans.actions.meetings import family_candidates
from helhed.plans.models import Goal, Participant, Plan, Story


@transaction.atomic
def do_write_story(
    *,
    actor: Staff,
    plan: Plan,
    title: str,
    text: str,
    told_by: str = "",
    goal: Goal | None = None,
) -> Story:
    """Write an everyday story into the plan, optionally about one of its goals."""
    if not plan.is_active:
        raise ValidationError(_("A closed plan cannot be changed."), code="closed")
    if goal is not None and goal.plan_id != plan.pk:
        raise ValidationError({"goal": _("The goal belongs to another plan.")}, code="goal")
    story = Story(
        plan=plan,
        goal=goal,
        title=title.strip(),
        text=text.strip(),
        told_by=told_by.strip(),
        written_by=actor,
    )
    story.full_clean()
    story.save()
    return story


def _name_parts(citizens: list[Citizen]) -> set[str]:
    parts: set[str] = set()
    for citizen in citizens:
        for name in (citizen.first_name, citizen.last_name):
            name = name.strip()
            if name:
                parts.add(name)
                # "Anne Marie" is caught as "Anne" and as "Marie" too.
                parts.update(p for p in re.split(r"[\s-]+", name) if len(p) > 1)
    return parts


def names_in_text(plan: Plan, text: str) -> list[str]:
    """The family's first and last names that occur in ``text`` as whole words.

    The family is the plan's members and their guardians: on a plan for one
    child, the parents' names identify the child just as well.
    """
    found = [
        name
        for name in _name_parts(family_candidates(plan))
        if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, flags=re.IGNORECASE)
    ]
    return sorted(found, key=str.lower)


def _sharing_unit(actor: Staff, plan: Plan) -> Unit | None:
    """The unit the author wrote for: where they hold a front-line role today.

    When they hold several, the one they take part in the plan for comes first.
    """
    units = Unit.objects.filter(
        pk__in=RoleAssignment.objects.valid_on(today())
        .filter(staff=actor, role__kind=Role.Kind.FRONTLINE, unit__municipality=plan.municipality)
        .values("unit_id")
    )
    in_plan = Participant.objects.filter(plan=plan, staff=actor, unit__in=units).first()
    if in_plan is not None:
        return in_plan.unit
    return units.order_by("path", "pk").first()


@transaction.atomic
def do_propose_story_for_sharing(*, actor: Staff, story: Story, anonymised_text: str) -> Story:
    """Propose an anonymised version of one's own story for sharing in the municipality."""
    if story.written_by_id != actor.pk:
        raise ValidationError(
            _("Only the author can propose a story for sharing."), code="not_author"
        )
    if story.sharing == Story.Sharing.SHARED:
        raise ValidationError(_("The story is already shared."), code="shared")
    anonymised_text = anonymised_text.strip()
    if not anonymised_text:
        raise ValidationError(
            {"anonymised_text": _("Write the anonymised version to share.")}, code="empty"
        )
    names = names_in_text(story.plan, anonymised_text)
    if names:
        raise ValidationError(
            {
                "anonymised_text": _(
                    "The anonymised version still names the family (%(names)s). Remove the "
                    "names, and any place or detail that could identify them."
                )
                % {"names": ", ".join(names)}
            },
            code="names",
        )
    unit = _sharing_unit(actor, story.plan)
    if unit is None:
        raise ValidationError(
            _(
                "You hold no front-line role in a unit today, so there is no leader to decide "
                "on sharing."
            ),
            code="no_unit",
        )
    story.anonymised_text = anonymised_text
    story.sharing = Story.Sharing.PROPOSED
    story.sharing_unit = unit
    story.sharing_decided_by = None
    story.full_clean()
    story.save(update_fields=["anonymised_text", "sharing", "sharing_unit", "sharing_decided_by"])
    return story


@transaction.atomic
def do_decide_story(*, actor: Staff, story: Story, share: bool) -> Story:
    """Share a proposed story anonymised, or decline to; the leader reads only that text."""
    if story.sharing != Story.Sharing.PROPOSED:
        raise ValidationError(_("The story is not proposed for sharing."), code="not_proposed")
    story.sharing = Story.Sharing.SHARED if share else Story.Sharing.DECLINED
    story.sharing_decided_by = actor
    story.save(update_fields=["sharing", "sharing_decided_by"])
    return story
