"""The form for the worklist rule; the action checks the same bounds."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from helhed.lib.forms import ActionErrorsForm
from helhed.plans.actions.worklist import REVIEW_MAX_DAYS, REVIEW_MIN_DAYS
from helhed.plans.models import NeedsRule


class NeedsRuleForm(ActionErrorsForm):
    """A citizen is on the worklist when any one threshold is met."""

    min_sectors = forms.IntegerField(
        label=_("Ways into the municipality (sectors), at least"),
        min_value=1,
        max_value=20,
        help_text=_("Høje-Taastrup uses 2."),
    )
    min_efforts = forms.IntegerField(
        label=_("Efforts, at least"),
        min_value=1,
        max_value=100,
        help_text=_("Høje-Taastrup uses 3."),
    )
    min_yearly_cost = forms.DecimalField(
        label=_("Yearly cost across budgets, more than (DKK)"),
        min_value=Decimal(1),
        max_digits=12,
        decimal_places=0,
        help_text=_("Høje-Taastrup uses 150,000."),
    )
    review_after_days = forms.IntegerField(
        label=_("Review an effort without progress after (days)"),
        min_value=REVIEW_MIN_DAYS,
        max_value=REVIEW_MAX_DAYS,
        help_text=_("Three to six months is 90 to 180 days."),
    )

    @classmethod
    def for_rule(cls, rule: NeedsRule, data: Any = None) -> NeedsRuleForm:
        return cls(
            data,
            initial={
                "min_sectors": rule.min_sectors,
                "min_efforts": rule.min_efforts,
                "min_yearly_cost": rule.min_yearly_cost,
                "review_after_days": rule.review_after_days,
            },
        )
