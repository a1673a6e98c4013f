"""Forms for citizens: the CPR number is a form field, validated and encrypted on save."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from helhed.citizens import actions
from helhed.citizens import cpr as cprlib
from helhed.citizens.models import Citizen
from helhed.lib.forms import ActionErrorsForm
from helhed.lib.logfilter import mask
from helhed.lib.validity import today
from helhed.organisation.models import Sector, Unit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# The largest id the database holds (a signed 64-bit integer).
MAX_ID = 2**63 - 1


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


# --------------------------------------------------------------------------- consents


class SectorsField(forms.ModelMultipleChoiceField[Sector]):
    """Sectors by id; an id too large for the database is an invalid choice.

    Django guards ``pk=`` against such ids but not the ``pk__in=`` this field
    queries with, which SQLite answers with an OverflowError (a 500).
    """

    def label_from_instance(self, obj: Sector) -> str:
        return obj.name

    def clean(self, value: Any) -> QuerySet[Sector]:
        for pk in value if isinstance(value, list | tuple) else ():
            try:
                too_large = abs(int(pk)) > MAX_ID
            except (TypeError, ValueError):
                continue  # Django says what is wrong with it
            if too_large:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super().clean(value)


class GivenByField(forms.ModelChoiceField[Citizen]):
    """The citizen themself or one of their guardians, named by their relation."""

    citizen_id: int | None = None

    def label_from_instance(self, obj: Citizen) -> str:
        if obj.pk == self.citizen_id:
            return str(_("%(name)s (the citizen)") % {"name": obj.full_name})
        return str(_("%(name)s (guardian)") % {"name": obj.full_name})


class RecordConsentForm(ActionErrorsForm):
    """Record a consent; ``do_record_consent`` checks the dates and who gave it."""

    sectors = SectorsField(
        queryset=Sector.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label=_("Sectors covered"),
        error_messages={"required": _("Choose the sectors the consent covers.")},
    )
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=300,
        help_text=_("What the data may be shared for, as the family agreed to it."),
    )
    given_by = GivenByField(
        queryset=Citizen.objects.none(),
        label=_("Given by"),
        empty_label=_("Choose who gave the consent"),
        error_messages={
            "required": _("Choose who gave the consent."),
            "invalid_choice": _("Consent can be given only by the citizen or a guardian."),
        },
    )
    given_on = forms.DateField(
        label=_("Given on"),
        required=False,
        widget=DATE,
        help_text=_("Left empty: today."),
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=DATE,
        help_text=_("Optional; the consent ends after this day."),
    )

    def __init__(self, *args: Any, citizen: Citizen, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sectors = cast(SectorsField, self.fields["sectors"])
        sectors.queryset = Sector.objects.filter(active=True).order_by("sort_order", "code")
        given_by = cast(GivenByField, self.fields["given_by"])
        given_by.citizen_id = citizen.pk
        given_by.queryset = Citizen.objects.filter(
            Q(pk=citizen.pk) | Q(pk__in=citizen.guardians().values("pk"))
        ).order_by("birth_date", "pk")
        self.fields["given_on"].initial = today


class WithdrawConsentForm(ActionErrorsForm):
    """Withdraw a consent, today unless the family said so on an earlier day."""

    withdrawn_on = forms.DateField(
        label=_("Withdrawn on"),
        required=False,
        widget=DATE,
        help_text=_("Left empty: today."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["withdrawn_on"].initial = today


# --------------------------------------------------------------------------- break the glass


class UnechoedTextInput(forms.TextInput):
    """A text box that never writes a submitted value back into the page.

    For the CPR number on the emergency form: it must not travel back to the
    browser in an error page, so a rejected form asks for it again.
    """

    def format_value(self, value: Any) -> str | None:
        return None


class MaskedTextarea(forms.Textarea):
    """A text area that writes a submitted value back with any CPR number masked."""

    def format_value(self, value: Any) -> str | None:
        text = super().format_value(value)
        return mask(text) if text else text


class BreakGlassForm(ActionErrorsForm):
    """Open a citizen in an emergency: their CPR number and the reason, for the leader."""

    cpr = CprField(
        widget=UnechoedTextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "inputmode": "numeric"}
        ),
        help_text=_("DDMMYY-SSSS. A citizen of your own municipality."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        # A reason refused for holding a CPR number must not carry it back to the browser.
        widget=MaskedTextarea(attrs={"rows": 3}),
        error_messages={"required": _("State the reason: your leader reviews it.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Here, not on the field: the text is translated for the request's language.
        self.fields["reason"].help_text = _(
            "Why you must open the citizen now, in at least %(n)d characters. "
            "Your leader reads it. Do not write the CPR number here."
        ) % {"n": actions.BREAK_GLASS_MIN_REASON}
