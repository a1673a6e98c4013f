"""Guard rails every Helhed admin class stands on.

Django's admin is built for trusted superusers; Helhed's administrators are
trusted with reference data, not with citizens. So:

* nothing with history or people behind it is deleted from the admin (a unit
  is closed, not deleted; deleting would also list every related citizen on
  the confirmation page);
* list filters accept only the lookups the class declares, so a crafted URL
  like ``?enrolled_citizens=17`` cannot ask the database questions about
  citizens;
* foreign-key choices and querysets come from the access policy.

Registers kept through the app's own pages (where every change is checked and
audited) are shown with ``ReadOnlyAdmin`` and ``ReadOnlyInline``: the admin
may look, not change.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

ALWAYS_ALLOWED_LOOKUPS = {"id", "pk"}
M = TypeVar("M", bound=Model)
C = TypeVar("C", bound=Model)
P = TypeVar("P", bound=Model)


class GuardedAdmin(admin.ModelAdmin[M]):
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        declared = {
            entry if isinstance(entry, str) else entry[0]
            for entry in self.list_filter
            if isinstance(entry, str | tuple)
        }
        root = lookup.split("__", 1)[0]
        return root in declared | ALWAYS_ALLOWED_LOOKUPS and super().lookup_allowed(
            lookup, value, request
        )


class ReadOnlyAdmin(GuardedAdmin[M]):
    """Show rows that are only ever added and changed on the app's own pages.

    Nothing is added or changed here, since that would bypass the checks, the
    reasons and the audit of the app's actions; ``GuardedAdmin`` already
    refuses deleting. Say in the subclass's docstring where the rows are kept.
    """

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline[C, P]):
    """Show a parent's child rows (its history, signatures, events) without editing them.

    No row is added, changed or deleted here, and no empty extra form is shown.
    """

    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
