"""Each entry records which key signed it, so that the audit key can be rotated.

Nullable and without a default on purpose: SQLite then adds the column with
``ALTER TABLE ... ADD COLUMN``. Anything else (a default, NOT NULL, unique)
makes Django rebuild the table (create a copy, move the rows, drop the old
one), and the rebuild would silently lose the triggers that refuse changing
and deleting entries. Existing entries keep NULL: they verify with any
configured key (see ``helhed.audit.chain``).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="key_id",
            field=models.CharField(blank=True, max_length=16, null=True, verbose_name="key id"),
        ),
    ]
