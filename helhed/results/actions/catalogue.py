"""The indicator catalogue: creating and editing indicators, installing the shipped ones.

An indicator's code is its name in files and the API, so it is unique in the
municipality (``results_indicator_unique_code``); the action says so in
words before the database would. ``computed_by`` must name a registered
computed source (``sources.source_choices``), or be empty for values that
are entered or imported.

Who may change the catalogue is asked of ``helhed.policy.can_manage_results``
by the views and the API.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from helhed.organisation.models import Municipality, Staff
from helhed.results import sources
from helhed.results.catalogue import catalogue_entries, install_catalogue
from helhed.results.models import Indicator

# The fields a person edits (everything but the municipality and the timestamps).
INDICATOR_FIELDS = (
    "code",
    "name",
    "definition",
    "population",
    "numerator",
    "denominator",
    "factor",
    "unit_label",
    "decimals",
    "direction",
    "kind",
    "source",
    "frequency",
    "computed_by",
    "counts_persons",
    "amber_margin",
    "national_value",
    "national_note",
    "is_active",
)


def missing_catalogue_codes(municipality: Municipality) -> list[str]:
    """The codes of the shipped indicators the municipality does not have."""
    have = set(municipality.indicators.values_list("code", flat=True))
    return [entry["code"] for entry in catalogue_entries() if entry["code"] not in have]


def _check(indicator: Indicator, *, previous_source: str = "") -> None:
    errors: dict[str, list[ValidationError]] = {}
    code = (indicator.code or "").strip().lower()
    indicator.code = code
    taken = Indicator.objects.filter(municipality_id=indicator.municipality_id, code=code)
    if indicator.pk:
        taken = taken.exclude(pk=indicator.pk)
    if code and taken.exists():
        errors["code"] = [
            ValidationError(
                _(
                    "The municipality already has an indicator with the code “%(code)s”. "
                    "Choose another code."
                )
                % {"code": code},
                code="code_taken",
            )
        ]
    registered = {name for name, _label in sources.source_choices()}
    # An unchanged source stays valid even if its code is not loaded in this process.
    if indicator.computed_by and indicator.computed_by not in registered | {previous_source}:
        errors["computed_by"] = [
            ValidationError(
                _("“%(name)s” is not a registered computed source.")
                % {"name": indicator.computed_by},
                code="unknown_source",
            )
        ]
    try:
        indicator.full_clean(validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.error_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _save(indicator: Indicator) -> Indicator:
    try:
        with transaction.atomic():
            indicator.save()
    except IntegrityError as exc:
        # Another manager took the code in the same moment.
        raise ValidationError(
            {"code": _("The municipality already has an indicator with this code.")},
            code="code_taken",
        ) from exc
    return indicator


@transaction.atomic
def do_create_indicator(*, actor: Staff, municipality: Municipality, **fields: Any) -> Indicator:
    """Add an indicator to the municipality's catalogue."""
    unknown = set(fields) - set(INDICATOR_FIELDS)
    if unknown:
        raise TypeError(f"Unknown indicator fields: {sorted(unknown)}")
    indicator = Indicator(municipality=municipality, **fields)
    _check(indicator)
    return _save(indicator)


@transaction.atomic
def do_update_indicator(*, actor: Staff, indicator: Indicator, **fields: Any) -> Indicator:
    """Change an indicator of the catalogue (its values and targets stay)."""
    unknown = set(fields) - set(INDICATOR_FIELDS)
    if unknown:
        raise TypeError(f"Unknown indicator fields: {sorted(unknown)}")
    previous_source = (
        Indicator.objects.filter(pk=indicator.pk).values_list("computed_by", flat=True).first()
        or ""
    )
    for name, value in fields.items():
        setattr(indicator, name, value)
    _check(indicator, previous_source=previous_source)
    return _save(indicator)


@transaction.atomic
def do_install_catalogue(*, actor: Staff, municipality: Municipality) -> list[Indicator]:
    """Add the shipped indicators the municipality lacks; never overwrite its own edits."""
    return install_catalogue(municipality)
