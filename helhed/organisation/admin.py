"""Admin for the organisation's reference data and code lists.

Every class stands on ``GuardedAdmin`` (no deletes, declared lookups only),
and units, staff and role assignments are scoped to the administrator's
municipality through the access policy.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import ForeignKey, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest

from helhed import policy
from helhed.lib.admin import GuardedAdmin
from helhed.organisation.models import (
    Municipality,
    Role,
    RoleAssignment,
    Sector,
    Staff,
    Unit,
    UnitType,
)


@admin.register(Municipality)
class MunicipalityAdmin(GuardedAdmin[Municipality]):
    list_display = ["code", "name", "region"]
    list_filter = ["region"]
    search_fields = ["name", "=code"]


@admin.register(UnitType)
class UnitTypeAdmin(GuardedAdmin[UnitType]):
    list_display = ["code", "name_da", "name_en", "level", "active"]
    list_editable = ["active"]


@admin.register(Sector)
class SectorAdmin(GuardedAdmin[Sector]):
    list_display = ["code", "name_da", "name_en", "sort_order", "active"]
    list_editable = ["active"]


@admin.register(Role)
class RoleAdmin(GuardedAdmin[Role]):
    list_display = ["code", "name_da", "name_en", "kind", "active"]
    list_filter = ["kind"]
    list_editable = ["active"]


class ScopedForeignKeys:
    """Offer only units and staff the policy lets this administrator see."""

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        if db_field.related_model is Unit:
            kwargs["queryset"] = policy.visible_units(request.user)
        elif db_field.related_model is Staff:
            kwargs["queryset"] = policy.visible_staff(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]


@admin.register(Unit)
class UnitAdmin(ScopedForeignKeys, GuardedAdmin[Unit]):
    # Role assignments are edited on their own page, where the whole form is
    # validated against the saved unit (an inline on an unsaved unit is not).
    list_display = ["name", "unit_type", "sector", "municipality", "valid_from", "valid_to"]
    list_filter = ["municipality", "unit_type", "sector"]
    search_fields = ["name", "external_id"]
    raw_id_fields = ["parent"]
    readonly_fields = ["key", "path", "depth", "predecessor"]
    list_select_related = ["unit_type", "sector", "municipality"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Unit]:
        return policy.visible_units(request.user).select_related(
            "unit_type", "sector", "municipality"
        )


@admin.register(Staff)
class StaffAdmin(ScopedForeignKeys, GuardedAdmin[Staff]):
    list_display = ["last_name", "first_name", "email", "municipality", "user"]
    list_filter = ["municipality"]
    search_fields = ["first_name", "last_name", "email", "external_id"]
    raw_id_fields = ["user"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Staff]:
        return policy.visible_staff(request.user).select_related("municipality", "user")


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ScopedForeignKeys, GuardedAdmin[RoleAssignment]):
    list_display = ["staff", "role", "unit", "valid_from", "valid_to"]
    list_filter = ["role"]
    search_fields = ["staff__first_name", "staff__last_name", "unit__name"]
    raw_id_fields = ["staff", "unit"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[RoleAssignment]:
        return RoleAssignment.objects.filter(
            unit__in=policy.visible_units(request.user)
        ).select_related("staff", "unit", "role")
