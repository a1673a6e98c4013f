"""The rule register: a local rule is kept only with a written reason and a decision.

Aalborg repealed its local rules and now keeps one only with a reason and a
decision to keep, change or repeal it when its review date comes. So a rule
is registered with a reason, an owner and a review date, which writes its
first decision ("adopt"); from then on its owner (or a leader of the owning
unit or above) keeps it with a new review date, changes its text, or repeals
it, always with a reason. Each decision adds a ``RuleDecision``: the history
is never edited, a change keeps the text it replaced, and a repealed rule
stays readable with its history but takes no further decisions.

Who may register or decide is asked of ``helhed.policy`` by the views and the
API (``can_register_rule``, ``can_decide_rule``); the rules of the record are
kept here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from helhed.leadership.models import Rule, RuleDecision
from helhed.lib.validity import today
from helhed.organisation.models import Staff, Unit

# A reason is a sentence, not a word: "needed" does not tell the next owner why.
MIN_REASON = 20
MAX_TEXT = 20_000
# A rule reviewed less often than this has in practice stopped being reviewed.
MAX_REVIEW_YEARS = 10
# "My rules to review" shows what is past review and what falls due within this many days.
DUE_WITHIN_DAYS = 30


def _years_after(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later (28 February for a 29 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def default_review_on(on: dt.date | None = None) -> dt.date:
    """A rule registered without a review date is reviewed in a year."""
    return _years_after(on or today(), 1)


def past_review(rules: QuerySet[Rule], on: dt.date | None = None) -> QuerySet[Rule]:
    """Rules in force whose review date has passed (the same test as ``Rule.is_past_review``)."""
    return rules.filter(status=Rule.Status.IN_FORCE, review_on__lt=on or today())


def due_for_review(rules: QuerySet[Rule], on: dt.date | None = None) -> QuerySet[Rule]:
    """Rules in force past review or due within ``DUE_WITHIN_DAYS``, past review first."""
    on = on or today()
    return rules.filter(
        status=Rule.Status.IN_FORCE, review_on__lte=on + dt.timedelta(days=DUE_WITHIN_DAYS)
    ).order_by("review_on", "title", "pk")


def search_rules(rules: QuerySet[Rule], query: str) -> QuerySet[Rule]:
    """Rules whose title, area or text contains every word of the query."""
    for word in query[:100].split():
        rules = rules.filter(
            Q(title__icontains=word) | Q(area__icontains=word) | Q(text__icontains=word)
        )
    return rules


def history(rule: Rule) -> QuerySet[RuleDecision]:
    """The rule's decisions, the latest first, with who made them."""
    return rule.decisions.select_related("decided_by").order_by("-decided_on", "-pk")


def _check_reason(reason: str, errors: dict[str, str]) -> str:
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        errors["reason"] = _(
            "Write the reason in a sentence or two (at least %(n)d characters)."
        ) % {"n": MIN_REASON}
    elif len(reason) > MAX_TEXT:
        errors["reason"] = _("Keep the reason under %(n)d characters.") % {"n": MAX_TEXT}
    return reason


def _check_review_on(
    review_on: dt.date | None, field: str, errors: dict[str, str], on: dt.date
) -> None:
    if review_on is None:
        errors[field] = _("Give the date by which the rule is to be reviewed again.")
    elif review_on <= on:
        errors[field] = _("The review date must be in the future.")
    elif review_on > _years_after(on, MAX_REVIEW_YEARS):
        errors[field] = _("Review the rule at least every %(n)d years.") % {"n": MAX_REVIEW_YEARS}


@transaction.atomic
def do_register_rule(
    *,
    actor: Staff,
    title: str,
    area: str,
    text: str,
    reason: str,
    owner: Staff,
    owning_unit: Unit,
    kind: str = Rule.Kind.RULE,
    legal_basis: str = "",
    units: Sequence[Unit] = (),
    review_on: dt.date | None = None,
) -> Rule:
    """Register a rule of the actor's municipality, and record its adoption as the first decision.

    The owner is a staff member of the municipality and the units are its
    own; without a review date the rule is reviewed in a year.
    """
    on = today()
    errors: dict[str, str] = {}
    title, area, text, legal_basis = title.strip(), area.strip(), text.strip(), legal_basis.strip()
    if not title:
        errors["title"] = _("Give the rule a title.")
    if not area:
        errors["area"] = _("Name the area the rule concerns.")
    if not text:
        errors["text"] = _("Write what the rule says.")
    elif len(text) > MAX_TEXT:
        errors["text"] = _("Keep the text under %(n)d characters.") % {"n": MAX_TEXT}
    if kind not in Rule.Kind.values:
        errors["kind"] = _("Choose whether it is a rule, a guideline or a procedure.")
    reason = _check_reason(reason, errors)
    municipality_id = actor.municipality_id
    if owner.municipality_id != municipality_id:
        errors["owner"] = _("The owner must be a staff member of the municipality.")
    if owning_unit.municipality_id != municipality_id or not owning_unit.is_valid_on(on):
        errors["owning_unit"] = _("Choose a unit of the municipality that exists today.")
    units = list(dict.fromkeys(units))
    foreign = [u.name for u in units if u.municipality_id != municipality_id]
    if foreign:
        errors["units"] = _("These units are not the municipality's: %(names)s.") % {
            "names": ", ".join(foreign)
        }
    if review_on is None:
        review_on = default_review_on(on)
    _check_review_on(review_on, "review_on", errors, on)
    if errors:
        raise ValidationError(errors, code="rule")
    rule = Rule.objects.create(
        municipality_id=municipality_id,
        title=title,
        kind=kind,
        area=area,
        text=text,
        reason=reason,
        legal_basis=legal_basis,
        owner=owner,
        owning_unit=owning_unit,
        review_on=review_on,
    )
    rule.units.set(units)
    RuleDecision.objects.create(
        rule=rule,
        decision=RuleDecision.Decision.ADOPT,
        reason=reason,
        decided_by=actor,
        decided_on=on,
        next_review_on=review_on,
    )
    return rule


@transaction.atomic
def do_decide_rule(
    *,
    actor: Staff,
    rule: Rule,
    decision: str,
    reason: str,
    next_review_on: dt.date | None = None,
    new_text: str = "",
) -> RuleDecision:
    """Keep, change or repeal a rule in force, with a reason; add the decision to its history.

    Keep needs a new review date; change needs new text that differs from
    the old (kept on the decision) and a new review date; repeal ends the
    rule, which stays readable but takes no further decisions.
    """
    on = today()
    rule = Rule.objects.select_for_update().get(pk=rule.pk)
    errors: dict[str, str] = {}
    if rule.status != Rule.Status.IN_FORCE:
        raise ValidationError(
            {"decision": _("The rule is repealed; it takes no further decisions.")},
            code="repealed",
        )
    choices = {
        RuleDecision.Decision.KEEP,
        RuleDecision.Decision.CHANGE,
        RuleDecision.Decision.REPEAL,
    }
    if decision not in choices:
        errors["decision"] = _("Choose to keep, change or repeal the rule.")
    reason = _check_reason(reason, errors)
    new_text = new_text.strip()
    if decision in (RuleDecision.Decision.KEEP, RuleDecision.Decision.CHANGE):
        _check_review_on(next_review_on, "next_review_on", errors, on)
    if decision == RuleDecision.Decision.CHANGE:
        if not new_text:
            errors["new_text"] = _("Write what the rule is to say from now on.")
        elif new_text == rule.text:
            errors["new_text"] = _(
                "The new text is the same as the old; to keep the rule as it is, choose keep."
            )
        elif len(new_text) > MAX_TEXT:
            errors["new_text"] = _("Keep the text under %(n)d characters.") % {"n": MAX_TEXT}
    if errors:
        raise ValidationError(errors, code="rule_decision")
    record = RuleDecision(
        rule=rule, decision=decision, reason=reason, decided_by=actor, decided_on=on
    )
    if decision == RuleDecision.Decision.REPEAL:
        rule.status = Rule.Status.REPEALED
        rule.save(update_fields=["status"])
    elif next_review_on is not None:  # always so for keep and change (checked above)
        record.next_review_on = next_review_on
        rule.review_on = next_review_on
        fields = ["review_on"]
        if decision == RuleDecision.Decision.CHANGE:
            record.previous_text = rule.text
            rule.text = new_text
            fields.append("text")
        rule.save(update_fields=fields)
    record.save()
    return record
