"""Admin for citizens. It lists only the citizens the policy lets the user see."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext

from helhed import policy
from helhed.citizens.actions import do_start_engagement
from helhed.citizens.forms import CitizenAdminForm
from helhed.citizens.models import Citizen, Consent, Engagement, FamilyLink
from helhed.lib.validity import today


def _stored_text(message: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(message)


class EngagementInline(admin.TabularInline[Engagement, Citizen]):
    model = Engagement
    extra = 0
    raw_id_fields = ["staff", "unit"]


@admin.register(Citizen)
class CitizenAdmin(admin.ModelAdmin[Citizen]):
    form = CitizenAdminForm
    list_display = ["last_name", "first_name", "masked_cpr", "birth_date", "municipality"]
    search_fields = ["first_name", "last_name"]
    raw_id_fields = ["current_unit"]
    inlines = [EngagementInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Citizen]:
        return policy.visible_citizens(request.user).select_related("municipality")

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


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin[Consent]):
    list_display = ["citizen", "purpose", "given_on", "withdrawn_on"]
    raw_id_fields = ["citizen", "given_by", "recorded_by"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Consent]:
        return Consent.objects.filter(citizen__in=policy.visible_citizens(request.user))


@admin.register(FamilyLink)
class FamilyLinkAdmin(admin.ModelAdmin[FamilyLink]):
    list_display = ["from_citizen", "kind", "to_citizen"]
    raw_id_fields = ["from_citizen", "to_citizen"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[FamilyLink]:
        return FamilyLink.objects.filter(to_citizen__in=policy.visible_citizens(request.user))
