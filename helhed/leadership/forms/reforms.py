"""Forms for local decisions, and the filters of the reform and decision lists.

The forms only parse; the rules (an element that leaves a decision, decided
needs the text, dates) are in ``helhed.leadership.actions.reforms``.
"""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from helhed.leadership.actions.reforms import MAX_TEXT
from helhed.leadership.models import LocalDecision, Reform
from helhed.lib.forms import ActionErrorsForm
from helhed.organisation.models import Staff, Unit
from helhed.plans.forms.meetings import DateInput

MAX_QUERY = 100


class StaffChoiceField(forms.ModelChoiceField[Staff]):
    def label_from_instance(self, obj: Staff) -> str:
        return obj.full_name


class UnitChoiceField(forms.ModelChoiceField[Unit]):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class LocalDecisionForm(ActionErrorsForm):
    title = forms.CharField(label=_("Decision to make"), max_length=200)
    owner = StaffChoiceField(queryset=Staff.objects.none(), label=_("Owner"))
    owning_unit = UnitChoiceField(queryset=Unit.objects.none(), label=_("Owning unit"))
    due_on = forms.DateField(label=_("Due by"), widget=DateInput(), required=False)

    def __init__(
        self, *args: Any, owners: QuerySet[Staff], units: QuerySet[Unit], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(StaffChoiceField, self.fields["owner"]).queryset = owners
        cast(UnitChoiceField, self.fields["owning_unit"]).queryset = units


class LocalDecisionUpdateForm(ActionErrorsForm):
    error_fields: ClassVar[dict[str, str]] = {"decision": "decision_text"}

    status = forms.ChoiceField(label=_("Status"), choices=LocalDecision.Status.choices)
    decision_text = forms.CharField(
        label=_("What was decided"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Required once the decision is made."),
    )
    decided_on = forms.DateField(
        label=_("Decided on"),
        widget=DateInput(),
        required=False,
        help_text=_("Today if left empty."),
    )
    due_on = forms.DateField(label=_("Due by"), widget=DateInput(), required=False)


class ReformFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=MAX_QUERY, required=False)
    area = forms.ChoiceField(
        label=_("Welfare area"), choices=[("", _("All")), *Reform.Area.choices], required=False
    )


class LocalDecisionFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=MAX_QUERY, required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All")), *LocalDecision.Status.choices],
        required=False,
    )
    mine = forms.BooleanField(label=_("Only mine"), required=False)
    overdue = forms.BooleanField(label=_("Only overdue"), required=False)
