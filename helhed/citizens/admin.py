"""Admin for citizens. It lists only the citizens the policy lets the user see.

Consents and family links are not in the admin: their forms would offer (and
name) any citizen by id. They are kept through the citizen's own pages.
"""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelChoiceField, ModelForm
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext

from helhed import policy
from helhed.audit import codes, trail
from helhed.citizens.actions import do_start_engagement
from helhed.citizens.forms import CitizenAdminForm
from helhed.citizens.models import Citizen, Consent, Engagement
from helhed.lib.admin import GuardedAdmin
from helhed.lib.validity import today
from helhed.organisation.admin import ScopedForeignKeys


def _stored_text(message: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(message)


class EngagementInline(ScopedForeignKeys, admin.TabularInline[Engagement, Citizen]):
    model = Engagement
    extra = 0

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # an engagement is ended with a date, not deleted

    def get_formset(
        self, request: HttpRequest, obj: Citizen | None = None, **kwargs: Any
    ) -> type[BaseInlineFormSet[Engagement, Citizen, ModelForm[Engagement]]]:
        """Offer the citizen's own consents only: the choices name the citizen they are about."""
        formset = super().get_formset(request, obj, **kwargs)
        consents = policy.visible_consents(request.user).select_related("citizen")
        field = cast(ModelChoiceField[Consent], formset.form.base_fields["consent"])
        field.queryset = consents.filter(citizen=obj) if obj is not None else consents.none()
        return formset


@admin.register(Citizen)
class CitizenAdmin(ScopedForeignKeys, GuardedAdmin[Citizen]):
    form = CitizenAdminForm
    list_display = ["last_name", "first_name", "masked_cpr", "birth_date", "municipality"]
    search_fields = ["first_name", "last_name"]
    inlines = [EngagementInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Citizen]:
        return policy.visible_citizens(request.user).select_related("municipality")

    def get_changelist_instance(self, request: HttpRequest) -> ChangeList:
        """The list page; the citizens on the page shown are logged as seen, like the web's."""
        changelist = super().get_changelist_instance(request)
        trail.log_list(
            request.user,
            [c.pk for c in changelist.result_list],
            what="admin:citizens",
            action=codes.SEARCH if changelist.query else codes.LIST,
        )
        return changelist

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Citizen | None:
        """One citizen for the change page, logged as looked at like the web's detail page."""
        citizen = super().get_object(request, object_id, from_field)
        if citizen is not None:
            policy.audit_read(request.user, citizen, [citizen.pk])
        return citizen

    def save_model(self, request: HttpRequest, obj: Citizen, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        staff = policy.staff_for(request.user)
        if not change and staff is not None:
            # As in do_register_citizen: whoever registers the citizen works
            # with them, or they could not see the record they just made.
            do_start_engagement(
                citizen=obj,
                staff=staff,
                kind=Engagement.Kind.CASEWORK,
                valid_from=today(),
                # Stored data is in the municipality's language, not the user's.
                purpose=_stored_text("Registered in the administration"),
            )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Citizen], search_term: str
    ) -> tuple[QuerySet[Citizen], bool]:
        return queryset.search(search_term), False  # type: ignore[attr-defined]
