"""Forms of the leadership self-assessment: opening a round, and one member's answers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from helhed.forums.actions.assessments import MAX_TITLE
from helhed.forums.statements import SCORES, STATEMENTS
from helhed.lib.forms import ActionErrorsForm
from helhed.plans.forms.meetings import DateInput

SCORE_LABELS: dict[int, Any] = {
    1: _("1 disagree completely"),
    2: "2",
    3: "3",
    4: "4",
    5: _("5 agree completely"),
}


class AssessmentForm(ActionErrorsForm):
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE)
    meeting_on = forms.DateField(label=_("Before the meeting on"), widget=DateInput())


class AnswerForm(ActionErrorsForm):
    """A score from 1 to 5 for every statement; the fields are named by statement code."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for statement in STATEMENTS:
            self.fields[statement.code] = forms.TypedChoiceField(
                label=statement.text,
                choices=[(score, SCORE_LABELS[score]) for score in SCORES],
                coerce=int,
                widget=forms.RadioSelect,
            )

    def scores(self) -> dict[str, int]:
        return {statement.code: self.cleaned_data[statement.code] for statement in STATEMENTS}
