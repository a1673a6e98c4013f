"""Forms for status reports: a marker's narrative, returning a report, and the list's filters."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from helhed.lib.forms import ActionErrorsForm
from helhed.results.actions.reports import NARRATIVE_MAX, REASON_MAX
from helhed.results.models import Committee, StatusReport


class NarrativeForm(ActionErrorsForm):
    text = forms.CharField(
        label=_("Narrative"),
        max_length=NARRATIVE_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "What the numbers show, the story behind them, and what you are doing about it."
        ),
    )

    def __init__(self, *args: Any, marker_id: int, **kwargs: Any) -> None:
        # Several markers' forms share one page: the prefix keeps their ids apart.
        kwargs["auto_id"] = f"id_narrative_{marker_id}_%s"
        super().__init__(*args, **kwargs)


class ReturnReportForm(ActionErrorsForm):
    error_fields = {"returned_reason": "reason"}

    reason = forms.CharField(
        label=_("Why is the report returned?"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The writers read this on the report while they revise it."),
    )


class ReportFilterForm(forms.Form):
    """The list's filters; an unknown value is simply ignored, never an error page."""

    q = forms.CharField(label=_("Search committee"), required=False, max_length=100)
    committee = forms.ModelChoiceField(
        label=_("Committee"),
        queryset=Committee.objects.none(),
        required=False,
        empty_label=_("All committees"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *StatusReport.Status.choices],
    )

    def __init__(self, *args: Any, committees: QuerySet[Committee], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField[Committee], self.fields["committee"]).queryset = committees
