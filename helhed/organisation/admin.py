"""Admin for the organisation's reference data and code lists."""

from __future__ import annotations

from django.contrib import admin

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
class MunicipalityAdmin(admin.ModelAdmin[Municipality]):
    list_display = ["code", "name", "region"]
    list_filter = ["region"]
    search_fields = ["name", "=code"]


@admin.register(UnitType)
class UnitTypeAdmin(admin.ModelAdmin[UnitType]):
    list_display = ["code", "name_da", "name_en", "level", "active"]
    list_editable = ["active"]


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin[Sector]):
    list_display = ["code", "name_da", "name_en", "sort_order", "active"]
    list_editable = ["active"]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin[Role]):
    list_display = ["code", "name_da", "name_en", "kind", "active"]
    list_filter = ["kind"]
    list_editable = ["active"]


class RoleAssignmentInline(admin.TabularInline[RoleAssignment, Unit]):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["staff"]
    fields = ["staff", "role", "job_title", "valid_from", "valid_to"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin[Unit]):
    list_display = ["name", "unit_type", "sector", "municipality", "valid_from", "valid_to"]
    list_filter = ["municipality", "unit_type", "sector"]
    search_fields = ["name", "external_id"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["key", "path", "depth", "predecessor"]
    inlines = [RoleAssignmentInline]
    list_select_related = ["unit_type", "sector", "municipality"]


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin[Staff]):
    list_display = ["last_name", "first_name", "email", "municipality", "user"]
    list_filter = ["municipality"]
    search_fields = ["first_name", "last_name", "email", "external_id"]
    raw_id_fields = ["user"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin[RoleAssignment]):
    list_display = ["staff", "role", "unit", "valid_from", "valid_to"]
    list_filter = ["role"]
    search_fields = ["staff__first_name", "staff__last_name", "unit__name"]
    autocomplete_fields = ["staff", "unit"]
