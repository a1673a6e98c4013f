"""Forms of the documentation register: a requirement, a use of data, ending a use, dropping.

The forms check the shape of the input; the rules (the municipality, the
legal basis, the reason) are the actions' (``actions/documentation.py``),
whose errors the forms show beside the field they are about.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from helhed.leadership.actions.documentation import (
    MAX_CASES,
    MAX_MINUTES,
    MAX_TEXT,
    MIN_REASON,
)
from helhed.leadership.models import DocumentationRequirement
from helhed.lib.forms import ActionErrorsForm
from helhed.organisation.models import Staff, Unit
from helhed.plans.forms.meetings import DateInput
from helhed.plans.forms.plans import IdsChoiceField, StaffChoiceField, UnitChoiceField


class UnitsChoiceField(IdsChoiceField[Unit]):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class RequirementForm(ActionErrorsForm):
    """Register a requirement: what it is, why, who owns it and what it costs."""

    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentationRequirement.Kind.choices)
    system = forms.CharField(
        label=_("IT system"), max_length=120, required=False, help_text=_("Where it is filled in.")
    )
    purpose = forms.CharField(
        label=_("Purpose"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        max_length=200,
        required=False,
        help_text=_("Empty when no law requires it: then only its use can justify it."),
    )
    owner = StaffChoiceField(queryset=Staff.objects.none(), label=_("Owner"))
    owning_unit = UnitChoiceField(
        queryset=Unit.objects.none(),
        label=_("Owning unit"),
        help_text=_("Its leader, or a leader above, may drop the requirement."),
    )
    units = UnitsChoiceField(
        queryset=Unit.objects.none(),
        label=_("Units that fill it in"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    minutes_per_case = forms.IntegerField(
        label=_("Minutes per case"), min_value=1, max_value=MAX_MINUTES
    )
    cases_per_year = forms.IntegerField(label=_("Cases per year"), min_value=0, max_value=MAX_CASES)

    def __init__(
        self, *args: Any, staff: QuerySet[Staff], units: QuerySet[Unit], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(StaffChoiceField, self.fields["owner"]).queryset = staff
        cast(UnitChoiceField, self.fields["owning_unit"]).queryset = units
        cast(UnitsChoiceField, self.fields["units"]).queryset = units


class DataUseForm(ActionErrorsForm):
    """Who uses the data, and for what."""

    user_description = forms.CharField(
        label=_("Who uses it"),
        max_length=200,
        help_text=_("A forum, a leader, a unit or a system."),
    )
    used_for = forms.CharField(
        label=_("What for"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )


class EndUseForm(ActionErrorsForm):
    """The day the data is no longer used (today when left empty)."""

    ended_on = forms.DateField(label=_("No longer used from"), widget=DateInput(), required=False)


class DropForm(ActionErrorsForm):
    """Drop a requirement, with the reason for the decision."""

    reason = forms.CharField(
        label=_("Why it is dropped"),
        max_length=MAX_TEXT,
        min_length=MIN_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RequirementFilterForm(forms.Form):
    """The register's search and filters; an unknown value is ignored, never an error page."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All")), *DocumentationRequirement.Status.choices],
        required=False,
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("All")), *DocumentationRequirement.Kind.choices],
        required=False,
    )
    nice = forms.BooleanField(label=_("Only nice to know"), required=False)
    order = forms.ChoiceField(
        label=_("Order by"),
        choices=[("", _("Title")), ("hours", _("Hours per year, most first"))],
        required=False,
    )


class IndicatorUseFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    nice = forms.BooleanField(label=_("Only nice to know"), required=False)
