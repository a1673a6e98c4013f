"""Admin for rating scales: reference data, not ratings.

Ratings are personal data about citizens and are kept through the plan's
pages, so they are not in the admin. Enabling a scale for a municipality is
a leader's decision on the scales page (``feedback:scales``); the admin only
lists the activations. Once a scale has ratings, its items and range are
read-only here: changing them would change what the stored scores mean.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from helhed.feedback.models import Scale, ScaleActivation, ScaleItem
from helhed.lib.admin import GuardedAdmin

FIXED_ONCE_USED = ("item_min", "item_max")


def _is_used(scale: Scale | None) -> bool:
    return scale is not None and scale.pk is not None and scale.ratings.exists()


class ScaleItemInline(admin.TabularInline[ScaleItem, Scale]):
    model = ScaleItem
    extra = 0
    fields = ["position", "label", "label_da", "low_anchor", "high_anchor"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _is_used(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _is_used(obj) and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["position"] if _is_used(obj) else []


@admin.register(Scale)
class ScaleAdmin(GuardedAdmin[Scale]):
    list_display = ["code", "name", "kind", "clinical_cutoff", "reliable_change", "age_min"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "name_da"]
    inlines = [ScaleItemInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("code", *FIXED_ONCE_USED) if _is_used(obj) else ()


@admin.register(ScaleActivation)
class ScaleActivationAdmin(GuardedAdmin[ScaleActivation]):
    list_display = ["scale", "municipality", "enabled_on"]
    list_filter = ["scale"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
