"""The audit log in the admin: read-only, always.

Entries are evidence. Nobody adds, changes or deletes one here (the model and
a database trigger refuse it anyway); an administrator may only read and
filter. Entries name citizens by number, never by name.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from helhed.audit.models import AuditEntry
from helhed.lib.admin import GuardedAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(GuardedAdmin[AuditEntry]):
    list_display = [
        "seq",
        "at",
        "actor",
        "action_label",
        "citizen_id",
        "object_type",
        "break_glass",
    ]
    list_filter = ["action", "break_glass"]
    ordering = ["-seq"]
    show_full_result_count = False  # counting a long log on every page is wasted work

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
