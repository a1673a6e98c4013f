"""The indicator catalogue that ships with Helhed, installed into a municipality.

The indicators the municipalities name (grades, youth education at 18,
absence, well-being, notifications, placements, mainstream school,
lost-earnings spending, sickness absence, management span, and the plans'
waiting time and overdue actions) are kept as data in
``results/data/indicators.json``. Installing copies the entries a
municipality does not yet have; from then on they are the municipality's own
rows, to edit or retire. Installing again adds only what is new and never
overwrites an edit.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.db import transaction

from helhed.organisation.models import Municipality
from helhed.results.models import Indicator

CATALOGUE_FILE = Path(__file__).resolve().parent / "data" / "indicators.json"


@cache
def catalogue_entries() -> tuple[dict[str, Any], ...]:
    """The shipped catalogue, read once."""
    return tuple(json.loads(CATALOGUE_FILE.read_text(encoding="utf-8")))


def _fields(entry: dict[str, Any]) -> dict[str, Any]:
    fields = {key: value for key, value in entry.items() if key != "code"}
    if fields.get("national_value") is not None:
        fields["national_value"] = Decimal(str(fields["national_value"]))
    return fields


@transaction.atomic
def install_catalogue(municipality: Municipality) -> list[Indicator]:
    """Add the shipped indicators the municipality lacks; return the ones added."""
    have = set(municipality.indicators.values_list("code", flat=True))
    added = []
    for entry in catalogue_entries():
        if entry["code"] in have:
            continue
        indicator = Indicator(municipality=municipality, code=entry["code"], **_fields(entry))
        indicator.full_clean()
        indicator.save()
        added.append(indicator)
    return added
