"""Forms for turning the curve: starting, the text steps, the forecast, actions, closing."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from helhed.lib.forms import ActionErrorsForm
from helhed.organisation.models import Staff
from helhed.plans.forms.meetings import DateInput
from helhed.results.actions.curves import MAX_STEP_LENGTH
from helhed.results.periods import Period


class StaffChoiceField(forms.ModelChoiceField[Staff]):
    def label_from_instance(self, obj: Staff) -> str:
        return obj.full_name


class StartCurveForm(ActionErrorsForm):
    end_wanted = forms.CharField(
        label=_("The end we want"),
        required=False,
        max_length=MAX_STEP_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What it looks like for children and families when the curve has turned."),
    )


#: The steps written as text, their number, the form field's label and a hint.
STEPS: dict[str, tuple[int, Any, Any]] = {
    "end_wanted": (
        1,
        _("The end we want"),
        _("What it looks like for children and families when the curve has turned."),
    ),
    "story": (
        3,
        _("The story behind the curve"),
        _("Why the numbers look as they do: causes, forces at work, what we do not know yet."),
    ),
    "partners": (
        4,
        _("Partners with a role to play"),
        _("Who, inside and outside the municipality, can help turn the curve."),
    ),
    "what_works": (
        5,
        _("What works"),
        _("What could work, from research, from others and from our own experience."),
    ),
}


class CurveStepForm(ActionErrorsForm):
    """One text step; the field is named after the step so errors land beside it."""

    def __init__(self, *args: Any, step: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _number, label, hint = STEPS[step]
        self.step = step
        self.fields[step] = forms.CharField(
            label=label,
            help_text=hint,
            required=False,
            max_length=MAX_STEP_LENGTH,
            widget=forms.Textarea(attrs={"rows": 4}),
        )


class ForecastForm(ActionErrorsForm):
    """Rows of (period, value); the action checks them, the form only carries the text."""

    error_fields = {"forecast": "__all__"}

    def __init__(self, *args: Any, rows: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.row_count = rows
        for i in range(rows):
            self.fields[f"period_{i}"] = forms.CharField(
                label=_("Period"), required=False, max_length=20
            )
            self.fields[f"value_{i}"] = forms.CharField(
                label=_("Value"), required=False, max_length=30
            )

    @staticmethod
    def initial_for(rows: Sequence[tuple[Period, Decimal | None]]) -> dict[str, str]:
        initial: dict[str, str] = {}
        for i, (period, value) in enumerate(rows):
            initial[f"period_{i}"] = period.code
            initial[f"value_{i}"] = "" if value is None else f"{value:.3f}"
        return initial

    def rows(self) -> list[tuple[str, str]]:
        data = self.cleaned_data
        return [
            (data.get(f"period_{i}", "") or "", data.get(f"value_{i}", "") or "")
            for i in range(self.row_count)
        ]

    def row_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"period_{i}"], self[f"value_{i}"]) for i in range(self.row_count)]


class CurveActionForm(ActionErrorsForm):
    description = forms.CharField(label=_("What is to be done"), max_length=300)
    owner = StaffChoiceField(queryset=Staff.objects.none(), label=_("Owner"))
    due_on = forms.DateField(label=_("Due on"), widget=DateInput())

    def __init__(self, *args: Any, owners: QuerySet[Staff], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(StaffChoiceField, self.fields["owner"]).queryset = owners


class CurveFilterForm(forms.Form):
    STATES = (("active", _("Active")), ("closed", _("Closed")), ("all", _("All")))
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    state = forms.ChoiceField(label=_("Show"), choices=STATES, required=False)
