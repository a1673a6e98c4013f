"""Forms for committees, ambitions and markers; the rules are checked by the actions.

Choice fields accept any unit (or staff member, indicator) of the
municipality, but offer only the sensible ones: a unit outside the
ambition's units posted anyway reaches the action, which says clearly why
it is refused, instead of Django's "not one of the available choices".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from helhed.lib.forms import ActionErrorsForm
from helhed.organisation.models import Municipality, Staff, Unit
from helhed.plans.forms.plans import IdsChoiceField
from helhed.results.models import Committee, Indicator
from helhed.results.periods import Frequency


class StaffChoiceField(forms.ModelChoiceField[Staff]):
    def label_from_instance(self, obj: Staff) -> str:
        return obj.full_name


class UnitsField(IdsChoiceField[Unit]):
    def label_from_instance(self, obj: Unit) -> str:
        return "\u2003" * max(obj.depth - 1, 0) + obj.name


def _offer(field: forms.Field, items: Sequence[Any], label: Any = str, empty: bool = False) -> None:
    """Show only ``items`` in the widget; the field's queryset still decides what is valid."""
    choices: list[tuple[Any, str]] = [("", "---------")] if empty else []
    choices += [(item.pk, label(item)) for item in items]
    field.widget.choices = choices


class CommitteeForm(ActionErrorsForm):
    name = forms.CharField(label=_("Name"), max_length=150)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    cadence = forms.ChoiceField(
        label=_("Reporting cadence"), choices=Frequency.choices, initial=Frequency.QUARTERLY
    )
    report_due_days = forms.IntegerField(
        label=_("Report due (days after the period)"),
        min_value=1,
        max_value=365,
        initial=45,
        help_text=_("The report should be approved this many days after its period ends."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class AmbitionForm(ActionErrorsForm):
    """An ambition; ``full=False`` (the owner who is not a manager) keeps text and years only."""

    committee = forms.ModelChoiceField(queryset=Committee.objects.none(), label=_("Committee"))
    title = forms.CharField(label=_("Ambition"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    first_year = forms.IntegerField(label=_("From year"))
    last_year = forms.IntegerField(label=_("To year"))
    owner = StaffChoiceField(queryset=Staff.objects.none(), label=_("Owner"))
    units = UnitsField(
        queryset=Unit.objects.none(),
        label=_("Units"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The whole municipality, or the administrations the ambition spans."),
    )

    def __init__(
        self,
        *args: Any,
        municipality: Municipality,
        owners: Sequence[Staff],
        unit_choices: Sequence[Unit],
        full: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if not full:
            for name in ("committee", "owner", "units"):
                del self.fields[name]
            return
        cast(forms.ModelChoiceField, self.fields["committee"]).queryset = Committee.objects.filter(
            municipality=municipality, is_active=True
        )
        cast(StaffChoiceField, self.fields["owner"]).queryset = Staff.objects.filter(
            municipality=municipality
        )
        _offer(self.fields["owner"], owners, lambda s: s.full_name, empty=True)
        units = cast(UnitsField, self.fields["units"])
        units.queryset = Unit.objects.filter(municipality=municipality)
        _offer(units, unit_choices, units.label_from_instance)


class MarkerForm(ActionErrorsForm):
    title = forms.CharField(label=_("Quality marker"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    owner = StaffChoiceField(
        queryset=Staff.objects.none(),
        label=_("Responsible leader"),
        help_text=_("Writes the marker's narrative in the status reports."),
    )
    indicators = IdsChoiceField[Indicator](
        queryset=Indicator.objects.none(),
        label=_("Indicators"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("From the municipality's catalogue."),
    )
    units = UnitsField(
        queryset=Unit.objects.none(),
        label=_("Units"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only where the marker applies to some of the ambition's units; empty: all."),
    )

    def __init__(
        self,
        *args: Any,
        municipality: Municipality,
        owners: Sequence[Staff],
        unit_choices: Sequence[Unit],
        current_indicators: Sequence[Indicator] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        owner = cast(StaffChoiceField, self.fields["owner"])
        owner.queryset = Staff.objects.filter(municipality=municipality)
        _offer(owner, owners, lambda s: s.full_name, empty=True)
        catalogue = Indicator.objects.filter(municipality=municipality)
        indicators = cast(IdsChoiceField[Indicator], self.fields["indicators"])
        indicators.queryset = catalogue
        offered = Q(is_active=True) | Q(pk__in=[i.pk for i in current_indicators])
        _offer(indicators, list(catalogue.filter(offered).order_by("name")))
        units = cast(UnitsField, self.fields["units"])
        units.queryset = Unit.objects.filter(municipality=municipality)
        _offer(units, unit_choices, units.label_from_instance)


class AmbitionFilterForm(forms.Form):
    """The filters of the ambitions list: committee, a year the ambition covers, text."""

    committee = forms.ModelChoiceField(
        queryset=Committee.objects.none(),
        required=False,
        label=_("Committee"),
        empty_label=_("All committees"),
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    inactive = forms.BooleanField(label=_("Show inactive ambitions"), required=False)

    def __init__(self, *args: Any, municipality: Municipality | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["committee"]).queryset = Committee.objects.filter(
            municipality=municipality
        )
