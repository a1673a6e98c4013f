"""Forms for the directory of contact points: a contact point, its capacity, the list's filters."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from helhed.lib.forms import ActionErrorsForm
from helhed.organisation.models import ContactPoint, Unit


class DirectoryUnitField(forms.ModelChoiceField[Unit]):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class ContactPointForm(ActionErrorsForm):
    unit = DirectoryUnitField(queryset=Unit.objects.none(), label=_("Unit"), empty_label=None)
    name = forms.CharField(
        label=_("Contact point"), max_length=150, help_text=_("A role or a team, e.g. “Intake”.")
    )
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    opening_hours = forms.CharField(label=_("Opening hours"), max_length=150, required=False)
    has_capacity = forms.BooleanField(label=_("Has capacity now"), required=False, initial=True)
    capacity_note = forms.CharField(
        label=_("About capacity"),
        max_length=200,
        required=False,
        help_text=_("For example: waiting time, or who to call instead."),
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(DirectoryUnitField, self.fields["unit"]).queryset = units.order_by("path")


class ContactPointChangeForm(ContactPointForm):
    """Change a contact point; it stays in its unit."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, units=Unit.objects.none(), **kwargs)
        del self.fields["unit"]

    @classmethod
    def for_point(cls, point: ContactPoint, data: Any = None) -> ContactPointChangeForm:
        initial = {name: getattr(point, name) for name in cls.base_fields if name != "unit"}
        return cls(data, initial=initial)


class CapacityForm(forms.Form):
    has_capacity = forms.BooleanField(label=_("Has capacity now"), required=False)
    capacity_note = forms.CharField(label=_("About capacity"), max_length=200, required=False)


class DirectoryFilterForm(forms.Form):
    """The directory's search and filters; a bad value is ignored rather than refused."""

    q = forms.CharField(label=_("Search unit or contact point"), max_length=100, required=False)
    has_capacity = forms.BooleanField(label=_("Only with capacity now"), required=False)

    def value(self, name: str) -> Any:
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get(name) or ""
