"""Forms for contradicting efforts: flagging one, resolving it, and the list's filters."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helhed.lib.forms import ActionErrorsForm
from helhed.plans.models import Contradiction, Effort, Goal, Meeting, Plan


class EffortChoiceField(forms.ModelChoiceField[Effort]):
    def label_from_instance(self, obj: Effort) -> str:
        return f"{obj.title} ({obj.responsible_unit.name})"


class GoalChoiceField(forms.ModelChoiceField[Goal]):
    def label_from_instance(self, obj: Goal) -> str:
        return str(obj)


class MeetingChoiceField(forms.ModelChoiceField[Meeting]):
    def label_from_instance(self, obj: Meeting) -> str:
        when = timezone.localtime(obj.starts_at).strftime("%d.%m.%Y %H:%M")
        return f"{when} ({obj.get_status_display()})"


class ContradictionForm(ActionErrorsForm):
    """Two efforts, or an effort and a goal, of the plan that work against each other.

    The choices offered are the plan's own; the action checks it again, so a
    tampered id of another plan is refused either way.
    """

    effort = EffortChoiceField(queryset=Effort.objects.none(), label=_("Effort"))
    other_effort = EffortChoiceField(
        queryset=Effort.objects.none(),
        required=False,
        label=_("Contradicts the effort"),
        empty_label=_("(a goal, below)"),
    )
    goal = GoalChoiceField(
        queryset=Goal.objects.none(),
        required=False,
        label=_("Or works against the goal"),
        empty_label=_("(another effort, above)"),
    )
    description = forms.CharField(
        label=_("What contradicts"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For example: both require the family to be in two places on Tuesdays."),
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        efforts = plan.efforts.select_related("responsible_unit").order_by("title", "pk")
        cast(EffortChoiceField, self.fields["effort"]).queryset = efforts
        cast(EffortChoiceField, self.fields["other_effort"]).queryset = efforts
        cast(GoalChoiceField, self.fields["goal"]).queryset = plan.goals.order_by("pk")


class ResolveContradictionForm(ActionErrorsForm):
    meeting = MeetingChoiceField(
        queryset=Meeting.objects.none(),
        label=_("Resolved in the network meeting"),
        help_text=_("A meeting of this plan, held or planned."),
    )
    resolution = forms.CharField(
        label=_("How it was resolved"), widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, meetings: QuerySet[Meeting], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(MeetingChoiceField, self.fields["meeting"]).queryset = meetings


class ContradictionFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All")), *Contradiction.Status.choices],
        required=False,
    )

    def value(self, name: str) -> Any:
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get(name) or ""
