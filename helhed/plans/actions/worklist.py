"""Setting the municipality's rule for composite needs (the worklist rule)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from helhed.organisation.models import Municipality, Staff
from helhed.plans.models import NeedsRule

# The issue asks for a review "after a set period (three to six months)"; the
# bounds leave room on both sides without allowing a review every week or
# never.
REVIEW_MIN_DAYS = 30
REVIEW_MAX_DAYS = 365


@transaction.atomic
def do_set_needs_rule(
    *,
    actor: Staff,
    municipality: Municipality,
    min_sectors: int,
    min_efforts: int,
    min_yearly_cost: Decimal,
    review_after_days: int,
) -> NeedsRule:
    """Store the municipality's thresholds (creating its rule the first time).

    Who may do this is the view's question (``policy.can_edit_needs_rule``);
    here the actor must at least belong to the municipality.
    """
    if actor.municipality_id != municipality.pk:
        raise ValidationError(
            _("You can set the rule only for your own municipality."), code="other_municipality"
        )
    errors: dict[str, str] = {}
    if min_sectors < 1:
        errors["min_sectors"] = _("Enter a whole number of at least 1.")
    if min_efforts < 1:
        errors["min_efforts"] = _("Enter a whole number of at least 1.")
    if min_yearly_cost <= 0:
        errors["min_yearly_cost"] = _("Enter an amount above 0 kroner.")
    if not REVIEW_MIN_DAYS <= review_after_days <= REVIEW_MAX_DAYS:
        errors["review_after_days"] = _(
            "Choose a review period from %(low)d to %(high)d days (three to six months is usual)."
        ) % {"low": REVIEW_MIN_DAYS, "high": REVIEW_MAX_DAYS}
    if errors:
        raise ValidationError(errors)
    rule = NeedsRule.objects.select_for_update().filter(municipality=municipality).first()
    rule = rule or NeedsRule(municipality=municipality)
    rule.min_sectors = min_sectors
    rule.min_efforts = min_efforts
    rule.min_yearly_cost = min_yearly_cost
    rule.review_after_days = review_after_days
    rule.full_clean()
    rule.save()
    return rule
