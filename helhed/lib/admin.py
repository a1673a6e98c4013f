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
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

ALWAYS_ALLOWED_LOOKUPS = {"id", "pk"}
M = TypeVar("M", bound=Model)


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
