"""Every change to rating scales' activations and to ratings goes through these functions."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from helhed import policy
from helhed.citizens.models import Citizen
from helhed.feedback import scoring
from helhed.feedback.models import Rating, Scale, ScaleActivation
from helhed.lib.validity import today
from helhed.organisation.models import Municipality, Staff
from helhed.plans.models import Plan


def enabled_scales(municipality: Municipality) -> QuerySet[Scale]:
    """The scales the municipality has enabled, items prefetched."""
    return Scale.objects.filter(activations__municipality=municipality).prefetch_related("items")


def is_enabled(scale: Scale, municipality: Municipality) -> bool:
    return ScaleActivation.objects.filter(municipality=municipality, scale=scale).exists()


def _check_may_manage(actor: Staff, municipality: Municipality) -> None:
    if not policy.can_manage_scales(actor.user, municipality):
        raise PermissionDenied(_("Only a leader in the municipality can enable or disable scales."))


@transaction.atomic
def do_enable_scale(*, actor: Staff, municipality: Municipality, scale: Scale) -> ScaleActivation:
    """Enable a scale for the municipality (idempotent: enabling twice keeps the first date).

    Enabling states that the municipality holds the licence the scale's
    source requires; the published measures are not free to use.
    """
    _check_may_manage(actor, municipality)
    activation, _created = ScaleActivation.objects.get_or_create(
        municipality=municipality, scale=scale, defaults={"enabled_on": today()}
    )
    return activation


@transaction.atomic
def do_disable_scale(*, actor: Staff, municipality: Municipality, scale: Scale) -> None:
    """Stop new ratings on a scale; the ratings already given stay, and stay visible."""
    _check_may_manage(actor, municipality)
    ScaleActivation.objects.filter(municipality=municipality, scale=scale).delete()


def _normalise_score(value: Any) -> Any:
    """Numbers to one decimal (the precision of a mark on a 10 cm line); anything else as is.

    Non-numbers are left for ``Rating.clean`` to refuse with its message.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return value
        rounded = round(value, 1)
        return int(rounded) if rounded.is_integer() else rounded
    return value


def _age_message(citizen: Citizen, scale: Scale, age: int, municipality: Municipality) -> str:
    alternatives = [
        s.display_name
        for s in enabled_scales(municipality).filter(kind=scale.kind).exclude(pk=scale.pk)
        if s.fits_age(age)
    ]
    text = _("%(name)s is %(age)d on that date, and %(scale)s is for ages %(ages)s.") % {
        "name": citizen.first_name,
        "age": age,
        "scale": scale.display_name,
        "ages": age_band(scale),
    }
    if alternatives:
        return text + " " + _("Use %(scales)s instead.") % {"scales": ", ".join(alternatives)}
    return text + " " + _("No enabled scale of this kind fits that age.")


def age_band(scale: Scale) -> str:
    """The ages a scale is for, in words."""
    if scale.age_min is not None and scale.age_max is not None:
        return _("%(low)d to %(high)d") % {"low": scale.age_min, "high": scale.age_max}
    if scale.age_min is not None:
        return _("%(low)d and over") % {"low": scale.age_min}
    if scale.age_max is not None:
        return _("up to %(high)d") % {"high": scale.age_max}
    return _("all ages")


@transaction.atomic
def do_record_rating(
    *,
    user: policy.AnyUser,
    plan: Plan,
    scale: Scale,
    citizen: Citizen,
    scores: Sequence[Any],
    rated_on: dt.date,
    given_by: str,
    comment: str = "",
) -> Rating:
    """Record one completed rating in a plan, or refuse it and save nothing.

    The family gives ratings themselves (then ``recorded_by`` is empty); staff
    who work on the plan record them on the family's behalf.
    """
    if not policy.can_rate_in_plan(user, plan):
        raise PermissionDenied(
            _("Only the family and those who work on the plan can record ratings in it.")
        )
    errors: dict[str, str] = {}
    if not is_enabled(scale, plan.municipality):
        errors["scale"] = _(
            "%(scale)s is not enabled in %(municipality)s. A leader can enable it on the "
            "page of rating scales."
        ) % {"scale": scale.display_name, "municipality": plan.municipality.name}
    is_member = plan.members.filter(citizen=citizen).exists()
    if not is_member:
        errors["citizen"] = _("The rating must be about a member of this plan.")
    if rated_on > today():
        errors["rated_on"] = _("The date of a rating cannot be in the future.")
    elif is_member and "scale" not in errors:
        age = citizen.age(rated_on)
        if not scale.fits_age(age):
            errors["scale"] = _age_message(citizen, scale, age, plan.municipality)
    if isinstance(scores, str | bytes) or not isinstance(scores, Sequence):
        errors["scores"] = _("Give the scores as a list: one number per item.")
    if errors:
        raise ValidationError(errors)

    values = [_normalise_score(value) for value in scores]
    rating = Rating(
        plan=plan,
        scale=scale,
        citizen=citizen,
        rated_on=rated_on,
        scores=values,
        total=Decimal(0),
        given_by=given_by.strip(),
        recorded_by=policy.staff_for(user),
        comment=comment.strip(),
    )
    # Rating.clean checks the item scores, so the total is summed from numbers only.
    rating.full_clean()
    rating.total = scoring.total(values)
    rating.save()
    return rating
