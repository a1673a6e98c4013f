"""Ship the scale definitions (not enabled: a municipality enables what it holds a licence for)."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "scales.json"


def seed(apps, schema_editor):
    Scale = apps.get_model("feedback", "Scale")
    ScaleItem = apps.get_model("feedback", "ScaleItem")
    for row in json.loads(DATA.read_text(encoding="utf-8")):
        items = row.pop("items")
        scale, _ = Scale.objects.update_or_create(code=row.pop("code"), defaults=row)
        for position, (label, label_da, anchor) in enumerate(items, start=1):
            ScaleItem.objects.update_or_create(
                scale=scale,
                position=position,
                defaults={"label": label, "label_da": label_da, "high_anchor": anchor},
            )


class Migration(migrations.Migration):
    dependencies = [("feedback", "0002_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
