"""Seed the 98 municipalities and the default code lists (editable afterwards)."""

from django.db import migrations


def seed(apps, schema_editor):
    from helhed.organisation import reference

    Municipality = apps.get_model("organisation", "Municipality")
    UnitType = apps.get_model("organisation", "UnitType")
    Sector = apps.get_model("organisation", "Sector")
    Role = apps.get_model("organisation", "Role")
    for row in reference.municipality_rows():
        Municipality.objects.update_or_create(
            code=int(row["code"]), defaults={"name": row["name"], "region": row["region"]}
        )
    for order, (code, da, en, level) in enumerate(reference.UNIT_TYPES):
        UnitType.objects.update_or_create(
            code=code, defaults={"name_da": da, "name_en": en, "level": level, "sort_order": order}
        )
    for order, (code, da, en) in enumerate(reference.SECTORS):
        Sector.objects.update_or_create(
            code=code, defaults={"name_da": da, "name_en": en, "sort_order": order}
        )
    for order, (code, da, en, kind) in enumerate(reference.ROLES):
        Role.objects.update_or_create(
            code=code, defaults={"name_da": da, "name_en": en, "kind": kind, "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("organisation", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
