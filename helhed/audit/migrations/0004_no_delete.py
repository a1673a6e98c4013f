"""The database refuses to delete an audit entry, from any client, as it refuses an update.

A removed entry was always caught by ``helhed audit verify`` (the chain has a
gap, or the head counts more entries than the log holds); the trigger makes
the database itself refuse it, so that removing an entry takes dropping the
trigger first, a deliberate act, and never a stray ``DELETE`` in a console.

What still empties the table, on purpose:

* PostgreSQL's ``TRUNCATE`` does not fire row triggers. Django's ``flush``
  (and so the test runner, between transactional tests) uses it, and it
  empties every table at once, not a chosen entry.
* SQLite has no ``TRUNCATE``: Django's ``flush`` runs ``DELETE FROM`` on each
  table, which this trigger refuses. The ``flush`` command is therefore
  overridden (``helhed/audit/management/commands/flush.py``) to lift the
  trigger for the flush and put it back in the same transaction: a flush
  empties the whole database on SQLite as on PostgreSQL, and every other
  ``DELETE`` is refused. Creating the trigger only outside tests was the
  alternative; it would leave the test databases without the trigger the
  tests are meant to prove.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

SQLITE_UP = """
CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_auditentry
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS audit_entry_no_delete;"
POSTGRES_UP = """
CREATE FUNCTION audit_entry_refuse_delete() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'audit entries are append-only'; END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_auditentry
FOR EACH ROW EXECUTE FUNCTION audit_entry_refuse_delete();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS audit_entry_no_delete ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_refuse_delete();
"""


def _run(sql: dict[str, str]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        statement = sql.get(schema_editor.connection.vendor)
        if statement:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_entry_key_id")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]
