"""Forms for leader teams: a team, a reflection round, an answer, a dilemma, a question."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from helhed.leadership.actions.teams import (
    MAX_ANSWER,
    MAX_DILEMMA_TEXT,
    MAX_QUESTION,
    MAX_TEAM_NAME,
    MAX_TITLE,
)
from helhed.leadership.models import LeadershipTask, ReflectionQuestion
from helhed.lib.forms import ActionErrorsForm
from helhed.organisation.models import Staff, Unit
from helhed.plans.forms.meetings import DateInput
from helhed.plans.forms.plans import IdsChoiceField, UnitChoiceField


class MembersField(IdsChoiceField[Staff]):
    def label_from_instance(self, obj: Staff) -> str:
        return obj.full_name


class QuestionsField(IdsChoiceField[ReflectionQuestion]):
    def label_from_instance(self, obj: ReflectionQuestion) -> str:
        return f"{obj.get_task_display()}: {obj.text}"


class TeamForm(ActionErrorsForm):
    name = forms.CharField(label=_("Name of the team"), max_length=MAX_TEAM_NAME)
    unit = UnitChoiceField(
        queryset=Unit.objects.none(),
        label=_("The unit it leads"),
        help_text=_("A unit you lead, or one beneath it."),
    )
    members = MembersField(
        queryset=Staff.objects.none(),
        label=_("Members"),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, units: QuerySet[Unit], candidates: QuerySet[Staff], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(UnitChoiceField, self.fields["unit"]).queryset = units
        cast(MembersField, self.fields["members"]).queryset = candidates


class RoundForm(ActionErrorsForm):
    title = forms.CharField(
        label=_("Meeting"),
        max_length=MAX_TITLE,
        help_text=_("For example: the leader team's meeting in March."),
    )
    meeting_on = forms.DateField(label=_("Meeting on"), widget=DateInput())
    questions = QuestionsField(
        queryset=ReflectionQuestion.objects.none(),
        label=_("Questions"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("All the active questions unless you choose fewer."),
    )

    def __init__(self, *args: Any, questions: QuerySet[ReflectionQuestion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(QuestionsField, self.fields["questions"]).queryset = questions


class AnswerForm(ActionErrorsForm):
    text = forms.CharField(
        label=_("Answer"), max_length=MAX_ANSWER, widget=forms.Textarea(attrs={"rows": 3})
    )
    as_team = forms.BooleanField(required=False, widget=forms.HiddenInput)
    for_agenda = forms.BooleanField(
        label=_("Raise at the meeting"),
        required=False,
        help_text=_("Only answers marked here go on the agenda the leaders above read."),
    )


class DilemmaForm(ActionErrorsForm):
    title = forms.CharField(label=_("Dilemma"), max_length=MAX_TITLE)
    task = forms.ChoiceField(
        label=_("Leadership task"),
        choices=[("", _("Not tied to one task")), *LeadershipTask.choices],
        required=False,
    )
    description = forms.CharField(
        label=_("The dilemma"),
        max_length=MAX_DILEMMA_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    decision = forms.CharField(
        label=_("What we decided"),
        max_length=MAX_DILEMMA_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reasoning = forms.CharField(
        label=_("Why"), max_length=MAX_DILEMMA_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )


class QuestionForm(ActionErrorsForm):
    task = forms.ChoiceField(label=_("Leadership task"), choices=LeadershipTask.choices)
    text = forms.CharField(label=_("Question"), max_length=MAX_QUESTION)
