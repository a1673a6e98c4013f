"""Forms for citizens: the CPR number is a form field, validated and encrypted on save."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from helhed.citizens import cpr as cprlib
from helhed.citizens.models import Citizen


class CprField(forms.CharField):
    default_error_messages = {"required": _("Enter the CPR number.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("CPR number"))
        kwargs.setdefault("help_text", _("DDMMYY-SSSS"))
        kwargs.setdefault("max_length", 11)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        text = super().clean(value)
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
