"""Forms for citizens: the CPR number is a form field, validated and encrypted on save."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from helhed.citizens import cpr as cprlib
from helhed.citizens.models import Citizen
from helhed.lib.forms import ActionErrorsForm
from helhed.organisation.models import Unit


class CprField(forms.CharField):
    default_error_messages = {"required": _("Enter the CPR number.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("CPR number"))
        kwargs.setdefault("help_text", _("DDMMYY-SSSS"))
        kwargs.setdefault("max_length", 11)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        if text in self.empty_values:
            # Optional and left empty (the admin's "keep the current number").
            return ""
        return cprlib.parse(text).formatted


class CitizenAdminForm(forms.ModelForm[Citizen]):
    """Admin form: the CPR number is written, never shown in clear in the change list."""

    cpr = CprField(required=False, help_text=_("Leave empty to keep the current number."))

    class Meta:
        model = Citizen
        fields = ["cpr", "first_name", "last_name", "municipality", "current_unit"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.instance.pk and not data.get("cpr") and "cpr" not in self.errors:
            self.add_error("cpr", _("Enter the CPR number."))
        if data.get("cpr"):
            self.instance.set_cpr(data["cpr"])
            try:
                self.instance.validate_unique()
            except forms.ValidationError as exc:
                self.add_error("cpr", exc.messages[0])
        return data


class UnitChoiceField(forms.ModelChoiceField[Unit]):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class RegisterCitizenForm(ActionErrorsForm):
    """Register a citizen a front-line professional starts working with.

    A CPR number that is already registered is reported on ``cpr``:
    ``Citizen.validate_unique`` is the one check, and the fields derived from
    the number are shown there too.
    """

    error_fields = {"cpr_hash": "cpr", "birth_date": "cpr", "sex": "cpr"}

    cpr = CprField(widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    current_unit = UnitChoiceField(
        queryset=Unit.objects.none(),
        required=False,
        label=_("Current school or institution"),
        empty_label=_("None"),
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(UnitChoiceField, self.fields["current_unit"])
        field.queryset = units.order_by("name")
