"""Forms for the citizen's journey: the filters, and a mark on one event.

The forms only collect input; the rules (a why, no CPR number, one mark each)
live in ``helhed.plans.actions.journey``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from helhed.lib.forms import ActionErrorsForm
from helhed.organisation.models import Sector
from helhed.plans.actions.journey import NOTE_MAX
from helhed.plans.forms.meetings import DateInput
from helhed.plans.models import JourneyMark


class JourneyFilterForm(forms.Form):
    """Sector, period and order; a bad value is shown as an error and ignored."""

    ORDER_CHOICES = [("newest", _("Newest first")), ("oldest", _("Oldest first"))]

    sector = forms.ModelChoiceField(
        queryset=Sector.objects.filter(active=True),
        to_field_name="code",
        required=False,
        label=_("Sector"),
        empty_label=_("All sectors"),
    )
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("To"), required=False, widget=DateInput())
    order = forms.ChoiceField(label=_("Order"), choices=ORDER_CHOICES, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since: dt.date | None = cleaned.get("since")
        until: dt.date | None = cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The period ends before it starts."))
        return cleaned

    def filters(self) -> dict[str, Any]:
        """The valid filters as keyword arguments for ``actions.journey``."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        data = self.cleaned_data
        # A half-valid period would show a period nobody asked for: drop both ends.
        period_ok = "since" not in self.errors and "until" not in self.errors
        since = data.get("since") if period_ok else None
        until = data.get("until") if period_ok else None
        return {
            "sector": data.get("sector"),
            "since": since,
            "until": until,
            "newest_first": data.get("order") != "oldest",
        }


class MarkForm(ActionErrorsForm):
    """Green or red, and a short why."""

    mark = forms.ChoiceField(
        label=_("How did it work?"),
        choices=JourneyMark.Mark.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose green (it worked well) or red (it worked badly).")},
    )
    note = forms.CharField(
        label=_("Why, in a few words"),
        max_length=NOTE_MAX,
        error_messages={"required": _("Say in a few words why.")},
    )
