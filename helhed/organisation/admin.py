"""Admin for the organisation's reference data and code lists.

Every class stands on ``GuardedAdmin`` (no deletes, declared lookups only),
and units, staff and role assignments are scoped to the administrator's
municipality through the access policy.

A role is access to citizens' data, and so is the login linked to a staff
record. The role assignment and staff forms ask the policy
(``may_assign_role``, ``may_change_staff``) and show its refusal as a form
error: no administrator grants, changes or ends their own roles, links their
own login to a staff record or changes the record that is theirs; another
administrator does. Every change is audited (``helhed.organisation.audited``).
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.contrib.auth.models import User
from django.db.models import ForeignKey, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest
from django.utils.translation import gettext as _

from helhed import policy
from helhed.lib.admin import GuardedAdmin
from helhed.organisation.actions import refusal
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


class StaffForm(forms.ModelForm[Staff]):
    """Refuses linking the administrator's own login, or changing their own record."""

    # Set on the class ``StaffAdmin.get_form`` makes for each request.
    editor: User | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        stored = self.instance if self.instance.pk else None
        login = cleaned.get("user")
        if policy.may_change_staff(self.editor, stored, login):
            return cleaned
        if stored is not None and self.editor is not None and stored.user_id == self.editor.pk:
            self.add_error(
                None,
                _(
                    "This is your own staff record: it decides which roles are yours. "
                    "Ask another administrator to change it."
                ),
            )
        elif login is not None and self.editor is not None and login.pk == self.editor.pk:
            self.add_error(
                "user",
                _(
                    "You cannot link your own login to a staff record: its roles would open "
                    "citizens' data to you. Ask another administrator to do it."
                ),
            )
        else:
            self.add_error(None, _("You cannot change this staff member."))
        return cleaned


class RoleAssignmentForm(forms.ModelForm[RoleAssignment]):
    """Asks the policy about the assignment as stored and as it would be saved."""

    # Set on the class ``RoleAssignmentAdmin.get_form`` makes for each request.
    assigner: User | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        asked: list[tuple[Staff, Unit | None]] = []
        if self.instance.pk is not None:
            # Whose role it is now: changing or ending it is asked about too.
            stored = RoleAssignment.objects.select_related("staff", "unit").get(pk=self.instance.pk)
            asked.append((stored.staff, stored.unit))
        staff = cleaned.get("staff")
        if staff is not None:
            asked.append((staff, cleaned.get("unit")))
        for who, unit in asked:
            if self.assigner is None:
                self.add_error(None, _("You cannot assign roles."))
                break
            if not policy.may_assign_role(self.assigner, who, unit):
                self.add_error("staff" if "staff" in cleaned else None, refusal(self.assigner, who))
                break
        return cleaned


@admin.register(Staff)
class StaffAdmin(ScopedForeignKeys, GuardedAdmin[Staff]):
    form = StaffForm
    list_display = ["last_name", "first_name", "email", "municipality", "user"]
    list_filter = ["municipality"]
    search_fields = ["first_name", "last_name", "email", "external_id"]
    raw_id_fields = ["user"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Staff]:
        return policy.visible_staff(request.user).select_related("municipality", "user")

    def get_form(
        self, request: HttpRequest, obj: Staff | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm[Staff]]:
        form = cast(type[StaffForm], super().get_form(request, obj, change, **kwargs))
        # A class made for this request (modelform_factory), so no other request shares it.
        form.editor = request.user if isinstance(request.user, User) else None
        return form


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ScopedForeignKeys, GuardedAdmin[RoleAssignment]):
    form = RoleAssignmentForm
    list_display = ["staff", "role", "unit", "valid_from", "valid_to"]
    list_filter = ["role"]
    search_fields = ["staff__first_name", "staff__last_name", "unit__name"]
    raw_id_fields = ["staff", "unit"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[RoleAssignment]:
        return RoleAssignment.objects.filter(
            unit__in=policy.visible_units(request.user)
        ).select_related("staff", "unit", "role")

    def get_form(
        self,
        request: HttpRequest,
        obj: RoleAssignment | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> type[forms.ModelForm[RoleAssignment]]:
        form = cast(type[RoleAssignmentForm], super().get_form(request, obj, change, **kwargs))
        # A class made for this request (modelform_factory), so no other request shares it.
        form.assigner = request.user if isinstance(request.user, User) else None
        return form
