"""Forms for reflection meetings: recording one, and searching the list."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from helhed.lib.forms import ActionErrorsForm
from helhed.organisation.models import Staff
from helhed.plans.forms.meetings import DateInput
from helhed.plans.forms.plans import IdsChoiceField
from helhed.results.actions.reflections import MAX_TEXT
from helhed.results.models import Indicator


class StaffChoiceField(forms.ModelChoiceField[Staff]):
    def label_from_instance(self, obj: Staff) -> str:
        return obj.full_name


class StaffMultipleChoiceField(IdsChoiceField[Staff]):
    def label_from_instance(self, obj: Staff) -> str:
        return obj.full_name


class IndicatorMultipleChoiceField(IdsChoiceField[Indicator]):
    def label_from_instance(self, obj: Indicator) -> str:
        return obj.name


class ReflectionForm(ActionErrorsForm):
    held_on = forms.DateField(label=_("Held on"), widget=DateInput())
    participants = StaffMultipleChoiceField(
        queryset=Staff.objects.none(),
        label=_("Participants"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Staff with a role in the unit or beneath it."),
    )
    indicators = IndicatorMultipleChoiceField(
        queryset=Indicator.objects.none(),
        label=_("Data we looked at"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    what_we_see = forms.CharField(
        label=_("What we see"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    what_we_adjust = forms.CharField(
        label=_("What we will adjust"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    follow_up_owner = StaffChoiceField(
        queryset=Staff.objects.none(),
        label=_("Who follows up"),
        required=False,
        help_text=_("A participant, or you. Give the date too."),
    )
    follow_up_on = forms.DateField(label=_("Follow up on"), widget=DateInput(), required=False)

    def __init__(
        self,
        *args: Any,
        candidates: QuerySet[Staff],
        owners: QuerySet[Staff],
        indicators: QuerySet[Indicator],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(StaffMultipleChoiceField, self.fields["participants"]).queryset = candidates
        cast(StaffChoiceField, self.fields["follow_up_owner"]).queryset = owners
        cast(IndicatorMultipleChoiceField, self.fields["indicators"]).queryset = indicators
