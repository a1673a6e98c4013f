"""Forums: setting up the meeting structure, meetings, decisions, grants and follow-ups.

A forum has members, a cadence, a mandate and perhaps a forum it escalates
to: another forum of the same municipality, never one that (through its own
escalation) leads back, so the chain always ends. A forum may have a yearly
budget it grants from with a limit per grant; both are set or neither, and
the limit is at most the budget.

The chair or secretary plans a meeting, records its minutes (which marks it
held), and records decisions. A decision names the part of the mandate it
rests on and is decided by the chair. A grant is refused when the forum has
no budget, when it exceeds the limit per grant, or when it exceeds what is
left of the yearly budget in the decision's calendar year (the budget minus
the grants of the forum's decisions that year). The forum row is locked while
a grant is checked, so two grants at once cannot both take the last money.

Who may do what is asked of ``helhed.policy`` (section "forums") by the views
and the API; ``do_record_decision`` checks the chair-or-secretary rule itself
as well, because the trials app records a forum's grant through it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from helhed.forums.models import Decision, FollowUp, Forum, ForumMeeting, ForumMember, Item
from helhed.lib.validity import today
from helhed.organisation.models import Staff, Unit

MAX_TEXT = 20_000
# The database keeps 12 digits with 2 decimals.
MAX_AMOUNT = Decimal("9999999999.99")
CENT = Decimal("0.01")
RECORDERS = (ForumMember.Role.CHAIR, ForumMember.Role.SECRETARY)


def dkk(amount: Decimal) -> str:
    """An amount as people read it: 'DKK 250.000' in Danish, 'DKK 250,000' in English."""
    whole = amount == amount.to_integral_value()
    return _("DKK %(amount)s") % {
        "amount": number_format(amount, 0 if whole else 2, force_grouping=True)
    }


# --------------------------------------------------------------------------- reading


def forum_budget_used(forum: Forum, year: int) -> Decimal:
    """The sum granted by the forum's decisions dated in ``year``."""
    total = Decision.objects.filter(
        forum=forum, decided_on__year=year, grant_amount__isnull=False
    ).aggregate(total=Sum("grant_amount"))["total"]
    return (total or Decimal(0)).quantize(CENT)


def forum_budget_left(forum: Forum, year: int) -> Decimal | None:
    """What is left of the forum's yearly budget in ``year``; None when it has no budget."""
    if not forum.may_grant or forum.yearly_budget is None:
        return None
    return forum.yearly_budget - forum_budget_used(forum, year)


def escalation_chain(forum: Forum) -> list[Forum]:
    """The forums an item goes to from ``forum``, the nearest first (it never loops)."""
    chain: list[Forum] = []
    seen = {forum.pk}
    current = forum.escalates_to
    while current is not None and current.pk not in seen:
        chain.append(current)
        seen.add(current.pk)
        current = current.escalates_to
    return chain


def escalated_from(forum: Forum) -> QuerySet[Forum]:
    """The forums whose items come to ``forum`` when escalated."""
    return forum.escalated_from.order_by("name")


def members(forum: Forum) -> QuerySet[ForumMember]:
    """Chair first, then secretary, then members, by name."""
    order = {ForumMember.Role.CHAIR: 0, ForumMember.Role.SECRETARY: 1, ForumMember.Role.MEMBER: 2}
    return (
        forum.members.select_related("staff")
        .annotate(
            rank=Case(
                *(When(role=role, then=Value(rank)) for role, rank in order.items()),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "staff__first_name", "staff__last_name", "pk")
    )


def chair_of(forum: Forum) -> Staff | None:
    member = forum.members.filter(role=ForumMember.Role.CHAIR).select_related("staff").first()
    return member.staff if member else None


def search_forums(forums: QuerySet[Forum], query: str) -> QuerySet[Forum]:
    """Forums whose name or mandate contains every word of the query."""
    for word in query[:100].split():
        forums = forums.filter(Q(name__icontains=word) | Q(mandate__icontains=word))
    return forums


def search_decisions(
    decisions: QuerySet[Decision],
    *,
    query: str = "",
    forum: Forum | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    grants_only: bool = False,
) -> QuerySet[Decision]:
    """The decision log filtered: every word of the query in the text, mandate or purpose."""
    for word in query[:100].split():
        decisions = decisions.filter(
            Q(text__icontains=word)
            | Q(mandate_basis__icontains=word)
            | Q(grant_purpose__icontains=word)
            | Q(forum__name__icontains=word)
        )
    if forum is not None:
        decisions = decisions.filter(forum=forum)
    if date_from is not None:
        decisions = decisions.filter(decided_on__gte=date_from)
    if date_to is not None:
        decisions = decisions.filter(decided_on__lte=date_to)
    if grants_only:
        decisions = decisions.filter(grant_amount__isnull=False)
    return decisions.select_related("forum", "decided_by", "meeting").order_by("-decided_on", "-pk")


def overdue_follow_ups(
    follow_ups: QuerySet[FollowUp], on: dt.date | None = None
) -> QuerySet[FollowUp]:
    """Follow-ups not done whose due date has passed (the same test as ``FollowUp.is_overdue``)."""
    return follow_ups.filter(done_on__isnull=True, due_on__lt=on or today())


# --------------------------------------------------------------------------- forums


def _check_amount(value: Decimal | None, field: str, errors: dict[str, str]) -> None:
    if value is None:
        return
    if value <= 0:
        errors[field] = _("Give an amount above zero.")
    elif value > MAX_AMOUNT:
        errors[field] = _("The amount is too large.")
    elif value != value.quantize(CENT):
        errors[field] = _("Give the amount in whole øre (at most two decimals).")


def _cents(value: Decimal | None) -> Decimal | None:
    """The amount as the database keeps it (checked to have at most two decimals)."""
    return None if value is None else value.quantize(CENT)


def _check_forum(
    *,
    actor: Staff,
    forum: Forum | None,
    name: str,
    kind: str,
    cadence: str,
    mandate: str,
    units: Sequence[Unit],
    escalates_to: Forum | None,
    yearly_budget: Decimal | None,
    grant_limit: Decimal | None,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    municipality_id = actor.municipality_id
    if not name:
        errors["name"] = _("Give the forum a name.")
    elif len(name) > 150:
        errors["name"] = _("Keep the name under 150 characters.")
    elif (
        Forum.objects.filter(municipality_id=municipality_id, name__iexact=name)
        .exclude(pk=forum.pk if forum else 0)
        .exists()
    ):
        errors["name"] = _("The municipality already has a forum of that name.")
    if kind not in Forum.Kind.values:
        errors["kind"] = _("Choose the kind of forum.")
    if cadence not in Forum.Cadence.values:
        errors["cadence"] = _("Choose how often the forum meets.")
    if not mandate:
        errors["mandate"] = _("Write the forum's mandate: what it may decide, within which limits.")
    elif len(mandate) > MAX_TEXT:
        errors["mandate"] = _("Keep the mandate under %(n)d characters.") % {"n": MAX_TEXT}
    foreign = [u.name for u in units if u.municipality_id != municipality_id]
    if foreign:
        errors["units"] = _("These units are not the municipality's: %(names)s.") % {
            "names": ", ".join(foreign)
        }
    if escalates_to is not None:
        if escalates_to.municipality_id != municipality_id:
            errors["escalates_to"] = _(
                "A forum escalates only to a forum of the same municipality."
            )
        elif forum is not None and escalates_to.pk == forum.pk:
            errors["escalates_to"] = _("A forum cannot escalate to itself.")
        elif forum is not None and forum.pk in {f.pk for f in escalation_chain(escalates_to)}:
            errors["escalates_to"] = _(
                "%(target)s already escalates (directly or through other forums) to %(forum)s: "
                "the chain would go round in a circle."
            ) % {"target": escalates_to.name, "forum": forum.name}
        elif not escalates_to.is_active:
            errors["escalates_to"] = _("%(target)s is no longer active.") % {
                "target": escalates_to.name
            }
    _check_amount(yearly_budget, "yearly_budget", errors)
    _check_amount(grant_limit, "grant_limit", errors)
    if "yearly_budget" not in errors and "grant_limit" not in errors:
        if (yearly_budget is None) != (grant_limit is None):
            field = "grant_limit" if grant_limit is None else "yearly_budget"
            errors[field] = _(
                "Give both a yearly budget and a limit per grant, or neither (a forum that "
                "grants nothing)."
            )
        elif yearly_budget is not None and grant_limit is not None:
            if grant_limit > yearly_budget:
                errors["grant_limit"] = _(
                    "The limit per grant (%(limit)s) cannot be more than the yearly budget "
                    "(%(budget)s)."
                ) % {"limit": dkk(grant_limit), "budget": dkk(yearly_budget)}
            elif forum is not None:
                year = today().year
                used = forum_budget_used(forum, year)
                if yearly_budget < used:
                    errors["yearly_budget"] = _(
                        "The forum has already granted %(used)s in %(year)d; the yearly budget "
                        "cannot be less."
                    ) % {"used": dkk(used), "year": year}
    return errors


@transaction.atomic
def do_create_forum(
    *,
    actor: Staff,
    name: str,
    kind: str,
    cadence: str,
    mandate: str,
    units: Sequence[Unit] = (),
    escalates_to: Forum | None = None,
    yearly_budget: Decimal | None = None,
    grant_limit: Decimal | None = None,
    is_active: bool = True,
) -> Forum:
    """Set up a forum of the actor's municipality."""
    name, mandate = name.strip(), mandate.strip()
    units = list(dict.fromkeys(units))
    errors = _check_forum(
        actor=actor,
        forum=None,
        name=name,
        kind=kind,
        cadence=cadence,
        mandate=mandate,
        units=units,
        escalates_to=escalates_to,
        yearly_budget=yearly_budget,
        grant_limit=grant_limit,
    )
    if errors:
        raise ValidationError(errors, code="forum")
    yearly_budget, grant_limit = _cents(yearly_budget), _cents(grant_limit)
    forum = Forum.objects.create(
        municipality_id=actor.municipality_id,
        name=name,
        kind=kind,
        cadence=cadence,
        mandate=mandate,
        escalates_to=escalates_to,
        yearly_budget=yearly_budget,
        grant_limit=grant_limit,
        is_active=is_active,
    )
    forum.units.set(units)
    return forum


@transaction.atomic
def do_update_forum(
    *,
    actor: Staff,
    forum: Forum,
    name: str,
    kind: str,
    cadence: str,
    mandate: str,
    units: Sequence[Unit] = (),
    escalates_to: Forum | None = None,
    yearly_budget: Decimal | None = None,
    grant_limit: Decimal | None = None,
    is_active: bool = True,
) -> Forum:
    """Change a forum's name, mandate, cadence, escalation or budget (checked as at creation)."""
    forum = Forum.objects.select_for_update().get(pk=forum.pk)
    if forum.municipality_id != actor.municipality_id:
        raise PermissionDenied(_("The forum is not the municipality's."))
    name, mandate = name.strip(), mandate.strip()
    units = list(dict.fromkeys(units))
    errors = _check_forum(
        actor=actor,
        forum=forum,
        name=name,
        kind=kind,
        cadence=cadence,
        mandate=mandate,
        units=units,
        escalates_to=escalates_to,
        yearly_budget=yearly_budget,
        grant_limit=grant_limit,
    )
    if errors:
        raise ValidationError(errors, code="forum")
    yearly_budget, grant_limit = _cents(yearly_budget), _cents(grant_limit)
    forum.name, forum.kind, forum.cadence, forum.mandate = name, kind, cadence, mandate
    forum.escalates_to = escalates_to
    forum.yearly_budget, forum.grant_limit = yearly_budget, grant_limit
    forum.is_active = is_active
    forum.save(
        update_fields=[
            "name",
            "kind",
            "cadence",
            "mandate",
            "escalates_to",
            "yearly_budget",
            "grant_limit",
            "is_active",
        ]
    )
    forum.units.set(units)
    return forum


@transaction.atomic
def do_set_member(*, actor: Staff, forum: Forum, staff: Staff, role: str) -> ForumMember:
    """Add a staff member of the municipality to the forum, or change their role in it."""
    if role not in ForumMember.Role.values:
        raise ValidationError({"role": _("Choose chair, secretary or member.")}, code="role")
    if staff.municipality_id != forum.municipality_id:
        raise ValidationError(
            {"staff": _("A member must be a staff member of the municipality.")}, code="staff"
        )
    member, _created = ForumMember.objects.update_or_create(
        forum=forum, staff=staff, defaults={"role": role}
    )
    return member


@transaction.atomic
def do_remove_member(*, actor: Staff, member: ForumMember) -> None:
    """Take a member off the forum; decisions they made keep their name."""
    member.delete()


# --------------------------------------------------------------------------- meetings


def _may_record(actor: Staff, forum: Forum) -> bool:
    return (
        actor.municipality_id == forum.municipality_id
        and ForumMember.objects.filter(forum=forum, staff=actor, role__in=RECORDERS).exists()
    )


def _require_recorder(actor: Staff, forum: Forum) -> None:
    if not _may_record(actor, forum):
        raise PermissionDenied(_("Only the forum's chair or secretary records in the forum."))


@transaction.atomic
def do_plan_meeting(
    *, actor: Staff, forum: Forum, held_on: dt.date | None, agenda: str
) -> ForumMeeting:
    """Plan a meeting of the forum on a date, with an agenda."""
    _require_recorder(actor, forum)
    errors: dict[str, str] = {}
    agenda = agenda.strip()
    if held_on is None:
        errors["held_on"] = _("Give the meeting's date.")
    if not agenda:
        errors["agenda"] = _("Write the agenda: what the meeting is to deal with.")
    elif len(agenda) > MAX_TEXT:
        errors["agenda"] = _("Keep the agenda under %(n)d characters.") % {"n": MAX_TEXT}
    if not forum.is_active:
        errors["held_on"] = _("The forum is no longer active.")
    if errors:
        raise ValidationError(errors, code="meeting")
    assert held_on is not None  # noqa: S101 - checked above, for the type checker
    return ForumMeeting.objects.create(
        forum=forum, held_on=held_on, agenda=agenda, created_by=actor
    )


@transaction.atomic
def do_record_minutes(*, actor: Staff, meeting: ForumMeeting, minutes: str) -> ForumMeeting:
    """Record the minutes of a meeting that has taken place, and mark it held."""
    meeting = (
        ForumMeeting.objects.select_for_update(of=("self",))
        .select_related("forum")
        .get(pk=meeting.pk)
    )
    _require_recorder(actor, meeting.forum)
    minutes = minutes.strip()
    errors: dict[str, str] = {}
    if meeting.status == ForumMeeting.Status.CANCELLED:
        errors["minutes"] = _("The meeting was cancelled; it has no minutes.")
    elif meeting.held_on > today():
        errors["minutes"] = _("The meeting has not taken place yet (it is on %(on)s).") % {
            "on": meeting.held_on.strftime("%d.%m.%Y")
        }
    elif not minutes:
        errors["minutes"] = _("Write the minutes.")
    elif len(minutes) > MAX_TEXT:
        errors["minutes"] = _("Keep the minutes under %(n)d characters.") % {"n": MAX_TEXT}
    if errors:
        raise ValidationError(errors, code="minutes")
    meeting.minutes = minutes
    meeting.status = ForumMeeting.Status.HELD
    meeting.save(update_fields=["minutes", "status"])
    return meeting


@transaction.atomic
def do_cancel_meeting(*, actor: Staff, meeting: ForumMeeting) -> ForumMeeting:
    """Cancel a planned meeting (a held one stays held)."""
    meeting = (
        ForumMeeting.objects.select_for_update(of=("self",))
        .select_related("forum")
        .get(pk=meeting.pk)
    )
    _require_recorder(actor, meeting.forum)
    if meeting.status != ForumMeeting.Status.PLANNED:
        raise ValidationError(
            {"status": _("Only a planned meeting can be cancelled.")}, code="not_planned"
        )
    meeting.status = ForumMeeting.Status.CANCELLED
    meeting.save(update_fields=["status"])
    return meeting


# --------------------------------------------------------------------------- decisions


def _check_grant(
    forum: Forum, amount: Decimal, purpose: str, on: dt.date, errors: dict[str, str]
) -> None:
    """Refuse a grant beyond the forum's budget, its limit per grant or what is left this year."""
    _check_amount(amount, "grant_amount", errors)
    if "grant_amount" in errors:
        return
    if not forum.may_grant or forum.yearly_budget is None or forum.grant_limit is None:
        errors["grant_amount"] = _(
            "%(forum)s has no budget to grant from; its mandate gives no grants."
        ) % {"forum": forum.name}
        return
    if amount > forum.grant_limit:
        errors["grant_amount"] = _(
            "%(amount)s is more than %(forum)s may grant at once: its limit per grant is %(limit)s."
        ) % {"amount": dkk(amount), "forum": forum.name, "limit": dkk(forum.grant_limit)}
        return
    left = forum.yearly_budget - forum_budget_used(forum, on.year)
    if amount > left:
        errors["grant_amount"] = _(
            "%(amount)s is more than is left of %(forum)s's budget for %(year)d: "
            "%(left)s left of %(budget)s."
        ) % {
            "amount": dkk(amount),
            "forum": forum.name,
            "year": on.year,
            "left": dkk(max(left, Decimal(0))),
            "budget": dkk(forum.yearly_budget),
        }
    if not purpose:
        errors["grant_purpose"] = _("Say what the grant is for.")
    elif len(purpose) > 200:
        errors["grant_purpose"] = _("Keep the purpose under 200 characters.")


@transaction.atomic
def do_record_decision(
    *,
    actor: Staff,
    forum: Forum,
    text: str,
    mandate_basis: str,
    decided_on: dt.date | None = None,
    meeting: ForumMeeting | None = None,
    item: Item | None = None,
    grant_amount: Decimal | None = None,
    grant_purpose: str = "",
) -> Decision:
    """Record what the forum decided, on which part of its mandate; perhaps a grant.

    The chair or secretary records; the decision is the chair's. A grant is
    checked against the forum's limit per grant and what is left of its
    yearly budget in the year of ``decided_on`` (default today).
    """
    # Lock the forum: two grants checked at once must not both take the last money.
    forum = Forum.objects.select_for_update().get(pk=forum.pk)
    _require_recorder(actor, forum)
    on = today()
    decided_on = decided_on or on
    text, mandate_basis, grant_purpose = text.strip(), mandate_basis.strip(), grant_purpose.strip()
    errors: dict[str, str] = {}
    if not text:
        errors["text"] = _("Write what the forum decided.")
    elif len(text) > MAX_TEXT:
        errors["text"] = _("Keep the decision under %(n)d characters.") % {"n": MAX_TEXT}
    if not mandate_basis:
        errors["mandate_basis"] = _("Name the part of the forum's mandate the decision rests on.")
    elif len(mandate_basis) > 300:
        errors["mandate_basis"] = _("Keep it under 300 characters.")
    if decided_on > on:
        errors["decided_on"] = _("A decision cannot be dated in the future.")
    if meeting is not None and meeting.forum_id != forum.pk:
        errors["meeting"] = _("The meeting is not one of this forum's.")
    if item is not None and item.forum_id != forum.pk:
        errors["item"] = _("The item is not on this forum's board.")
    is_chair = ForumMember.objects.filter(
        forum=forum, staff=actor, role=ForumMember.Role.CHAIR
    ).exists()
    chair = actor if is_chair else chair_of(forum)
    if chair is None:
        errors["__all__"] = _("The forum has no chair to make the decision; appoint one first.")
    if grant_amount is not None:
        _check_grant(forum, grant_amount, grant_purpose, decided_on, errors)
    elif grant_purpose:
        errors["grant_amount"] = _("Give the amount granted, or leave the purpose empty.")
    if errors:
        raise ValidationError(errors, code="decision")
    assert chair is not None  # noqa: S101 - checked above, for the type checker
    if grant_amount is not None:
        grant_amount = grant_amount.quantize(CENT)
    return Decision.objects.create(
        forum=forum,
        meeting=meeting,
        item=item,
        text=text,
        mandate_basis=mandate_basis,
        decided_by=chair,
        decided_on=decided_on,
        grant_amount=grant_amount,
        grant_purpose=grant_purpose if grant_amount is not None else "",
    )


# --------------------------------------------------------------------------- follow-ups


@transaction.atomic
def do_add_follow_up(
    *, actor: Staff, decision: Decision, title: str, owner: Staff, due_on: dt.date | None
) -> FollowUp:
    """Give a decision a follow-up action with an owner and a due date."""
    _require_recorder(actor, decision.forum)
    title = title.strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("Say what is to be done.")
    elif len(title) > 200:
        errors["title"] = _("Keep it under 200 characters.")
    if owner.municipality_id != decision.forum.municipality_id:
        errors["owner"] = _("The owner must be a staff member of the municipality.")
    if due_on is None:
        errors["due_on"] = _("Give the date it is due by.")
    elif due_on < decision.decided_on:
        errors["due_on"] = _("The due date cannot be before the decision (%(on)s).") % {
            "on": decision.decided_on.strftime("%d.%m.%Y")
        }
    if errors:
        raise ValidationError(errors, code="follow_up")
    assert due_on is not None  # noqa: S101 - checked above, for the type checker
    return FollowUp.objects.create(decision=decision, title=title, owner=owner, due_on=due_on)


@transaction.atomic
def do_complete_follow_up(*, actor: Staff, follow_up: FollowUp) -> FollowUp:
    """Mark a follow-up done today."""
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.done_on is not None:
        raise ValidationError({"done_on": _("The action is already done.")}, code="done")
    follow_up.done_on = today()
    follow_up.save(update_fields=["done_on"])
    return follow_up
