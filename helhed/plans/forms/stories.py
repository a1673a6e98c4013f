"""Forms for everyday stories: writing one, and proposing an anonymised version."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from helhed.lib.forms import ActionErrorsForm
from helhed.plans.models import Goal


class GoalChoiceField(forms.ModelChoiceField[Goal]):
    def label_from_instance(self, obj: Goal) -> str:
        return obj.text[:80]


class StoryForm(ActionErrorsForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(
        label=_("The story"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What happened in an ordinary day, told as it was told to you."),
    )
    told_by = forms.CharField(
        label=_("Told by"),
        max_length=100,
        required=False,
        help_text=_("For example “Alma” or “Alma's mother”."),
    )
    goal = GoalChoiceField(
        queryset=Goal.objects.none(),
        required=False,
        label=_("About the goal"),
        empty_label=_("The plan as a whole"),
    )

    def __init__(self, *args: Any, goals: QuerySet[Goal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(GoalChoiceField, self.fields["goal"]).queryset = goals


class ProposeStoryForm(ActionErrorsForm):
    anonymised_text = forms.CharField(
        label=_("Anonymised version"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Without names, places or details that could identify the family. "
            "The leader who decides reads only this text."
        ),
    )
