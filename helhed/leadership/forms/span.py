"""Forms for management span: the scenario's target span, and setting the municipality's target."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from helhed.leadership.actions.span import MAX_NOTE, MAX_TARGET, MIN_TARGET
from helhed.lib.forms import ActionErrorsForm
from helhed.plans.forms.meetings import DateInput


class ScenarioForm(forms.Form):
    """GET form: the target span to try (the target in force unless given)."""

    target = forms.IntegerField(
        label=_("Target span (staff per leader)"),
        min_value=MIN_TARGET,
        max_value=MAX_TARGET,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class SpanTargetForm(ActionErrorsForm):
    max_direct_reports = forms.IntegerField(
        label=_("Target span (staff per leader)"),
        min_value=MIN_TARGET,
        max_value=MAX_TARGET,
        help_text=_("The most staff one leader should have reporting directly to them."),
    )
    applies_from = forms.DateField(label=_("Applies from"), widget=DateInput())
    note = forms.CharField(
        label=_("Note"),
        max_length=MAX_NOTE,
        required=False,
        help_text=_("Why this target, or the decision it comes from."),
    )
