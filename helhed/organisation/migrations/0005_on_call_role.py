"""The on-call social worker: a front-line role that may break the glass."""

from django.db import migrations


def add_role(apps, schema_editor):
    Role = apps.get_model("organisation", "Role")
    Role.objects.update_or_create(
        code="on_call",
        defaults={
            "name_da": "Socialrådgiver i døgnvagt",
            "name_en": "On-call social worker",
            "kind": "frontline",
            "emergency_access": True,
            "sort_order": 20,
        },
    )


def remove_role(apps, schema_editor):
    apps.get_model("organisation", "Role").objects.filter(code="on_call").delete()


class Migration(migrations.Migration):
    dependencies = [("organisation", "0004_role_emergency_access")]
    operations = [migrations.RunPython(add_role, remove_role)]
