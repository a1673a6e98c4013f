"""Targets: the value a unit aims for from a period on, with the baseline it starts from.

Setting a target for an (indicator, unit, from period) that already has one
*replaces* it: the database keeps one target per unit and starting period
(``results_target_one_per_unit_period``), and a leader who sets it again means
to correct it. The page says so ("replaced the target of 85.0"). A target set
by mistake is deleted; units below then inherit again (``status.TargetBook``).

Who may set a target is asked of ``helhed.policy.can_set_target`` by the
views and the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from helhed.organisation.models import Staff, Unit
from helhed.results.actions.measurements import HUNDRED, LARGEST
from helhed.results.models import Indicator, Target
from helhed.results.periods import Period


@dataclass(frozen=True)
class TargetSet:
    target: Target
    previous_value: Decimal | None  # the value it replaced, if any

    @property
    def replaced(self) -> bool:
        return self.previous_value is not None


def _check_value(indicator: Indicator, value: Decimal) -> ValidationError | None:
    if not value.is_finite() or abs(value) > LARGEST:
        return ValidationError(_("The number is too large."), code="too_large")
    if indicator.factor == Indicator.Factor.PERCENT and not 0 <= value <= HUNDRED:
        return ValidationError(_("A percentage must be between 0 and 100."), code="percent_range")
    return None


@transaction.atomic
def do_set_target(
    *,
    actor: Staff,
    indicator: Indicator,
    unit: Unit,
    applies_from: str,
    value: Decimal,
    baseline_value: Decimal | None = None,
    baseline_period: str = "",
    note: str = "",
) -> TargetSet:
    """Set (or replace) the unit's target from a period on."""
    errors: dict[str, list[ValidationError]] = {}
    if unit.municipality_id != indicator.municipality_id:
        errors.setdefault("unit", []).append(
            ValidationError(_("The unit belongs to another municipality."), code="other")
        )
    start: Period | None = None
    try:
        start = Period.parse(applies_from)
    except ValidationError as exc:
        errors.setdefault("applies_from", []).append(exc)
    for name, number in (("value", value), ("baseline_value", baseline_value)):
        problem = None if number is None else _check_value(indicator, number)
        if problem is not None:
            errors.setdefault(name, []).append(problem)
    baseline_period = (baseline_period or "").strip()
    if baseline_value is None and baseline_period:
        errors.setdefault("baseline_value", []).append(
            ValidationError(_("Give the baseline value for the baseline period."), code="pair")
        )
    if baseline_value is not None and not baseline_period:
        errors.setdefault("baseline_period", []).append(
            ValidationError(_("Give the period the baseline is from."), code="pair")
        )
    if baseline_period:
        try:
            baseline = Period.parse(baseline_period)
        except ValidationError as exc:
            errors.setdefault("baseline_period", []).append(exc)
        else:
            baseline_period = baseline.code
            if start is not None and baseline.start > start.start:
                errors.setdefault("baseline_period", []).append(
                    ValidationError(
                        _("The baseline is where the unit starts from: it cannot come after %(p)s.")
                        % {"p": start.label},
                        code="baseline_after",
                    )
                )
    if errors or start is None:
        raise ValidationError(errors)
    target = Target.objects.filter(
        indicator=indicator, unit_key=unit.key, applies_from=start.code
    ).first()
    previous = target.value if target is not None else None
    if target is None:
        target = Target(indicator=indicator, unit=unit, applies_from=start.code)
    target.unit = unit
    target.value = value
    target.baseline_value = baseline_value
    target.baseline_period = baseline_period
    target.note = note.strip()
    target.set_by = actor
    target.full_clean(exclude=["unit_key", "applies_from_start"], validate_unique=False)
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError as exc:
        # Someone set the same target in the same moment; theirs stands.
        raise ValidationError(
            _("The target was set by someone else just now. Look at it and try again."),
            code="conflict",
        ) from exc
    return TargetSet(target=target, previous_value=previous)


@transaction.atomic
def do_delete_target(*, actor: Staff, target: Target) -> None:
    """Delete a target set by mistake; the unit then inherits the nearest one above."""
    target.delete()
