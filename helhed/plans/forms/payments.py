"""Forms for who pays: the lists' filters, the ledger's budget and period, agreeing a payer."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from helhed.lib.forms import ActionErrorsForm
from helhed.organisation.models import Unit
from helhed.plans.forms.plans import DATE, UnitChoiceField


class SettlementFilterForm(forms.Form):
    """The open settlements' search; a bad value is ignored rather than refused."""

    q = forms.CharField(label=_("Search effort, unit or payer"), max_length=100, required=False)

    def value(self, name: str) -> Any:
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get(name) or ""


class LedgerForm(forms.Form):
    """Which budget (and everything beneath it) and which period the ledger shows."""

    unit = UnitChoiceField(
        queryset=Unit.objects.none(),
        required=False,
        label=_("Budget"),
        empty_label=_("All budgets I see"),
    )
    period = forms.CharField(
        label=_("Period"),
        max_length=10,
        required=False,
        help_text=_("A year (2026), a quarter (2026-Q3) or a month (2026-07)."),
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(UnitChoiceField, self.fields["unit"]).queryset = units


class AgreePayerForm(ActionErrorsForm):
    agreed_on = forms.DateField(
        label=_("Agreed on"),
        required=False,
        widget=DATE,
        help_text=_("Empty: today."),
    )
