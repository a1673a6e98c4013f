"""Forms for handovers: starting one, adding and ticking points, returning one, the list's filters.

The forms only collect input; the rules (two units of one municipality, a
deadline not in the past, who may act) live in
``helhed.plans.actions.handovers`` and come back beside the fields through
``add_action_errors``.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import BLANK_CHOICE_DASH, QuerySet
from django.utils.translation import gettext_lazy as _

from helhed.citizens.models import Citizen
from helhed.lib.forms import ActionErrorsForm
from helhed.organisation.models import Unit
from helhed.plans.actions.handovers import MAX_ITEM_LENGTH, MAX_NOTE
from helhed.plans.forms.meetings import DateInput
from helhed.plans.forms.plans import CitizenChoiceField
from helhed.plans.forms.referrals import UnitField
from helhed.plans.models import Handover


class HandoverForm(ActionErrorsForm):
    """Start a handover of one citizen from one of the user's units to another unit."""

    citizen = CitizenChoiceField(queryset=Citizen.objects.none(), label=_("Citizen"))
    kind = forms.ChoiceField(
        label=_("Kind of handover"),
        choices=[*BLANK_CHOICE_DASH, *Handover.Kind.choices],
        error_messages={"required": _("Choose the kind of handover.")},
    )
    from_unit = UnitField(queryset=Unit.objects.none(), label=_("From unit"), empty_label=None)
    to_unit = UnitField(
        queryset=Unit.objects.none(),
        label=_("To unit"),
        help_text=_("The unit that takes over; it holds the responsibility once it accepts."),
    )
    deadline = forms.DateField(
        label=_("Deadline"),
        widget=DateInput(),
        help_text=_("When the receiving unit should have accepted the handover."),
    )
    note = forms.CharField(
        label=_("What the receiver needs to know"),
        max_length=MAX_NOTE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    items = forms.CharField(
        label=_("Checklist, one point per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Leave empty to use the standard checklist of the kind (shown below)."),
    )

    def __init__(
        self,
        *args: Any,
        citizens: QuerySet[Citizen],
        from_units: QuerySet[Unit],
        to_units: QuerySet[Unit],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(CitizenChoiceField, self.fields["citizen"]).queryset = citizens
        if citizens.count() == 1:
            self.fields["citizen"].widget = forms.HiddenInput()
        cast(UnitField, self.fields["from_unit"]).queryset = from_units.select_related(
            "sector"
        ).order_by("name")
        cast(UnitField, self.fields["to_unit"]).queryset = to_units.select_related(
            "sector"
        ).order_by("sector__sort_order", "sector__code", "name")

    def points(self) -> list[str]:
        return str(self.cleaned_data.get("items") or "").splitlines()


class AddItemForm(ActionErrorsForm):
    text = forms.CharField(label=_("New checklist point"), max_length=MAX_ITEM_LENGTH)


class ReturnHandoverForm(ActionErrorsForm):
    reason = forms.CharField(
        label=_("Why the handover is returned"),
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The sender reads this and keeps the responsibility until it is settled."),
        error_messages={
            "required": _("Say why the handover is returned, so the sender knows what to do.")
        },
    )


class HandoverFilterForm(forms.Form):
    """The list's search and filters; a bad value is ignored rather than refused."""

    q = forms.CharField(label=_("Search citizen or unit"), max_length=100, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All")), *Handover.Kind.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *Handover.Status.choices], required=False
    )

    def value(self, name: str) -> str:
        """The cleaned value of a valid field, or empty when the field is invalid."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return str(self.cleaned_data.get(name) or "")
