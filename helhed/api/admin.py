from __future__ import annotations

from django.contrib import admin

from helhed.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ["user", "name", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["token_hash", "created_at", "last_used_at"]

    def has_add_permission(self, request: object) -> bool:
        # A token is issued with `helhed create_api_token`, which shows it once;
        # a row added here would have no usable token.
        return False
