"""Forms for shared principles and the method library.

The forms only parse what was typed; the rules (a review date in the future,
one signature per unit, unique method names) are checked in
``helhed.leadership.actions.principles`` and shown beside the fields.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from helhed.leadership.actions.principles import MAX_TEXT
from helhed.leadership.models import Method
from helhed.lib.forms import ActionErrorsForm
from helhed.organisation.models import Staff, Unit
from helhed.plans.forms.meetings import DateInput
from helhed.plans.forms.plans import IdsChoiceField

MAX_QUERY = 100


class StaffChoiceField(forms.ModelChoiceField[Staff]):
    def label_from_instance(self, obj: Staff) -> str:
        return obj.full_name


class UnitsChoiceField(IdsChoiceField[Unit]):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class PrincipleForm(ActionErrorsForm):
    title = forms.CharField(label=_("Principle"), max_length=200)
    situation = forms.CharField(
        label=_("When it applies"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: a pupil's absence worries the school."),
    )
    who_does_what = forms.CharField(
        label=_("Who does what"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 8})
    )
    owner = StaffChoiceField(
        queryset=Staff.objects.none(),
        label=_("Owner"),
        help_text=_("Keeps the principle up to date and reviews it."),
    )
    review_on = forms.DateField(label=_("Review by"), widget=DateInput())

    def __init__(self, *args: Any, owners: QuerySet[Staff], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(StaffChoiceField, self.fields["owner"]).queryset = owners


class SignForm(forms.Form):
    """The unit to sign for: parsed as an id, so the view can say 404 or 403 about it."""

    unit = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)


class PrincipleFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=MAX_QUERY, required=False)
    past_review = forms.BooleanField(label=_("Only past review"), required=False)


class MethodForm(ActionErrorsForm):
    name = forms.CharField(label=_("Method"), max_length=120)
    description = forms.CharField(
        label=_("Description"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )
    research_basis = forms.CharField(
        label=_("Research basis"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The studies or reviews the method rests on."),
    )
    evidence = forms.ChoiceField(label=_("Evidence"), choices=Method.Evidence.choices)
    link = forms.URLField(
        label=_("Read more (link)"), required=False, max_length=200, assume_scheme="https"
    )
    units = UnitsChoiceField(
        queryset=Unit.objects.none(),
        label=_("Used in"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(UnitsChoiceField, self.fields["units"]).queryset = units


class MethodFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=MAX_QUERY, required=False)
    evidence = forms.ChoiceField(
        label=_("Evidence"),
        choices=[("", _("All")), *Method.Evidence.choices],
        required=False,
    )
