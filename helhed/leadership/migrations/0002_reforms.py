"""Load the national catalogue of reforms (``data/reforms.json``).

Reforms are the same for every municipality, so they are data the app ships.
This migration keeps its own small loader on the historical models (a data
migration must not import the current ones); it matches reforms by code and
elements by title, like ``helhed.leadership.actions.reforms.install_reforms``,
so running either after the other changes nothing. Reversing leaves the rows
in place: local decisions may refer to them.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

REFORMS_FILE = Path(__file__).resolve().parent.parent / "data" / "reforms.json"


def load_reforms(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    reform_model: Any = apps.get_model("leadership", "Reform")
    element_model: Any = apps.get_model("leadership", "ReformElement")
    with REFORMS_FILE.open(encoding="utf-8") as handle:
        entries = json.load(handle)["reforms"]
    for entry in entries:
        reform, _created = reform_model.objects.update_or_create(
            code=entry["code"],
            defaults={
                "name": entry["name"],
                "area": entry["area"],
                "in_force_from": dt.date.fromisoformat(entry["in_force_from"]),
                "summary": entry["summary"],
            },
        )
        for position, element in enumerate(entry["elements"], start=1):
            element_model.objects.update_or_create(
                reform=reform,
                title=element["title"],
                defaults={
                    "description": element.get("description", ""),
                    "leaves_to_municipality": bool(element.get("leaves_to_municipality")),
                    "sort_order": position * 10,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("leadership", "0001_initial")]

    operations = [migrations.RunPython(load_reforms, migrations.RunPython.noop)]
