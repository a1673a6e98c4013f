"""The filters of the audit pages: a period, and for a family whether to include its own look-ups.

Both pages read the query string with these forms, so a bad date is shown
beside its field (400) instead of failing; the rules of a period are
``review.check_period``, shared with the API.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from helhed.audit import review
from helhed.lib.forms import ActionErrorsForm

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodForm(ActionErrorsForm):
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE)

    checked: review.Period

    def period(self) -> review.Period:
        """The period asked for; call after ``is_valid``."""
        return self.checked

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors:
            try:
                self.checked = self._check(cleaned.get("date_from"), cleaned.get("date_to"))
            except ValidationError as exc:
                self.add_action_errors(exc)
        return cleaned

    def _check(self, start: dt.date | None, end: dt.date | None) -> review.Period:
        """Open-ended where a date is left out."""
        return review.check_period(start, end)


class InsightForm(PeriodForm):
    include_own = forms.BooleanField(label=_("Include my own look-ups"), required=False)


class ReviewForm(PeriodForm):
    """A period that defaults to the last 30 days, shown filled in."""

    def _check(self, start: dt.date | None, end: dt.date | None) -> review.Period:
        return review.review_period(start, end)
