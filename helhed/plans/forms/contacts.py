"""Forms for contacts: logging one, and filtering the coordinator's list.

The form only collects input; the rules (a unit where you work today, not in
the future, no CPR number) live in ``helhed.plans.actions.contacts``.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import BLANK_CHOICE_DASH, QuerySet
from django.utils.translation import gettext_lazy as _

from helhed.lib.forms import ActionErrorsForm
from helhed.lib.validity import today
from helhed.organisation.models import Unit
from helhed.plans.actions.contacts import PURPOSE_MAX
from helhed.plans.forms.meetings import DateInput
from helhed.plans.forms.plans import UnitChoiceField
from helhed.plans.models import Contact


class ContactForm(ActionErrorsForm):
    """Log a contact with a citizen for one of the user's units."""

    contacted_on = forms.DateField(label=_("Date of the contact"), widget=DateInput())
    channel = forms.ChoiceField(
        label=_("How"),
        choices=[*BLANK_CHOICE_DASH, *Contact.Channel.choices],
        error_messages={"required": _("Choose how the contact was made.")},
    )
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=PURPOSE_MAX,
        help_text=_("A few words: what the contact was about. No CPR numbers."),
    )
    unit = UnitChoiceField(
        queryset=Unit.objects.none(),
        label=_("For unit"),
        empty_label=None,
        help_text=_("The unit you were in contact for."),
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("contacted_on", today())
        super().__init__(*args, **kwargs)
        cast(UnitChoiceField, self.fields["unit"]).queryset = units.order_by("name")


class ToSeeFilterForm(forms.Form):
    """The coordinator's list: search and which contacts; bad values are ignored."""

    SHOW_CHOICES = [
        ("", _("Not yet seen")),
        ("seen", _("Seen")),
        ("all", _("All")),
    ]

    q = forms.CharField(
        label=_("Search name, unit, professional or purpose"), max_length=100, required=False
    )
    show = forms.ChoiceField(label=_("Show"), choices=SHOW_CHOICES, required=False)

    def value(self, name: str) -> Any:
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get(name) or ""
