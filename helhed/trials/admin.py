"""Admin for trial actions: read-only views.

Trials, grants, expenses, evaluations and outcomes are kept through the
trial pages, where every change goes through the rules of
``helhed.trials.actions.trials`` and ``helhed.policy``; a technical
administrator may look, not change. Nothing is deleted here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from helhed.lib.admin import ReadOnlyAdmin, ReadOnlyInline
from helhed.trials.models import Application, Evaluation, Expense, Trial


class ApplicationInline(ReadOnlyInline[Application, Trial]):
    model = Application
    fields = ("forum", "amount", "applied_on", "applied_by", "status", "decision")
    readonly_fields = fields


class ExpenseInline(ReadOnlyInline[Expense, Trial]):
    model = Expense
    fields = ("spent_on", "amount", "text", "recorded_by")
    readonly_fields = fields


class EvaluationInline(ReadOnlyInline[Evaluation, Trial]):
    model = Evaluation
    fields = ("kind", "evaluated_on", "persons_in_trial", "persons_compared", "estimated_saving")
    readonly_fields = fields


@admin.register(Trial)
class TrialAdmin(ReadOnlyAdmin[Trial]):
    """Trials are created, funded, evaluated and decided on the trial pages, never here."""

    list_display = ["title", "municipality", "owner", "starts_on", "ends_on", "status", "outcome"]
    list_filter = ["municipality", "status", "outcome"]
    search_fields = ["title"]
    inlines = [ApplicationInline, ExpenseInline, EvaluationInline]
    exclude = ["units", "participants", "indicators"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Trial._meta.fields]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)
