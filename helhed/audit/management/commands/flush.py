"""``flush``: Django's own, which on SQLite lifts the audit log's delete trigger while it runs.

The trigger (migration ``0004_no_delete``) refuses every ``DELETE`` of an
audit entry. On PostgreSQL ``flush`` truncates, which row triggers do not
see; on SQLite it deletes, table by table, and the trigger would stop it:
the test runner flushes between transactional tests (the browser tests), and
an operator's flush would fail half-way. So on SQLite the trigger is dropped
for the flush and created again from its own stored definition, all in one
transaction: whatever happens, the trigger is there afterwards, and a flush
empties the whole database on both databases alike.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import connections, transaction

TRIGGER = "audit_entry_no_delete"


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        database = options["database"]
        connection = connections[database]
        if connection.vendor != "sqlite":
            super().handle(**options)
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s", [TRIGGER]
            )
            found = cursor.fetchone()
        if found is None:
            super().handle(**options)
            return
        if options["interactive"] and not self._confirmed(connection.settings_dict["NAME"]):
            self.stdout.write("Flush cancelled.")
            return
        with transaction.atomic(using=database), connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER {TRIGGER}")
            super().handle(**{**options, "interactive": False})
            cursor.execute(found[0])

    def _confirmed(self, name: str) -> bool:
        """Ask as Django's flush does, before the transaction holds SQLite's write lock."""
        answer = input(
            "You have requested a flush of the database.\n"
            f'This will IRREVERSIBLY DESTROY all data currently in the "{name}" database,\n'
            "and return each table to an empty state.\n"
            "Are you sure you want to do this?\n\n"
            "    Type 'yes' to continue, or 'no' to cancel: "
        )
        return answer == "yes"
