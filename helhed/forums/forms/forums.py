"""Forms for forums: setting one up, members, meetings, decisions, follow-ups, the log's filters."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from helhed.forums.actions.forums import MAX_AMOUNT, MAX_TEXT
from helhed.forums.models import Forum, ForumMeeting, ForumMember
from helhed.lib.forms import ActionErrorsForm
from helhed.organisation.models import Staff, Unit
from helhed.plans.forms.meetings import DateInput
from helhed.plans.forms.plans import IdsChoiceField, StaffChoiceField


class UnitsChoiceField(IdsChoiceField[Unit]):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class ForumChoiceField(forms.ModelChoiceField[Forum]):
    def label_from_instance(self, obj: Forum) -> str:
        return obj.name


class MeetingChoiceField(forms.ModelChoiceField[ForumMeeting]):
    def label_from_instance(self, obj: ForumMeeting) -> str:
        return f"{obj.held_on:%d.%m.%Y} ({obj.get_status_display()})"


def _amount(label: Any, help_text: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_value=MAX_AMOUNT,
        max_digits=12,
        decimal_places=2,
        help_text=help_text,
    )


class ForumForm(ActionErrorsForm):
    """Set up or change a forum; the action checks escalation and budget."""

    name = forms.CharField(label=_("Name"), max_length=150)
    kind = forms.ChoiceField(label=_("Kind"), choices=Forum.Kind.choices)
    cadence = forms.ChoiceField(label=_("Meets"), choices=Forum.Cadence.choices)
    mandate = forms.CharField(
        label=_("Mandate"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the forum may decide, and within which limits."),
    )
    units = UnitsChoiceField(
        queryset=Unit.objects.none(),
        label=_("Units it covers"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    escalates_to = ForumChoiceField(
        queryset=Forum.objects.none(),
        label=_("Escalates to"),
        required=False,
        help_text=_("The forum an item goes to when this one cannot solve it."),
    )
    yearly_budget = _amount(
        _("Yearly budget it may grant from (DKK)"),
        _("Leave empty when the forum grants nothing."),
    )
    grant_limit = _amount(
        _("Largest single grant (DKK)"), _("The mandate's limit per grant; at most the budget.")
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(
        self, *args: Any, units: QuerySet[Unit], forums: QuerySet[Forum], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(UnitsChoiceField, self.fields["units"]).queryset = units
        cast(ForumChoiceField, self.fields["escalates_to"]).queryset = forums


class MemberForm(ActionErrorsForm):
    staff = StaffChoiceField(queryset=Staff.objects.none(), label=_("Staff member"))
    role = forms.ChoiceField(
        label=_("Role"), choices=ForumMember.Role.choices, initial=ForumMember.Role.MEMBER
    )

    def __init__(self, *args: Any, staff: QuerySet[Staff], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(StaffChoiceField, self.fields["staff"]).queryset = staff


class MeetingForm(ActionErrorsForm):
    held_on = forms.DateField(label=_("Date"), widget=DateInput())
    agenda = forms.CharField(
        label=_("Agenda"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 6})
    )


class MinutesForm(ActionErrorsForm):
    minutes = forms.CharField(
        label=_("Minutes"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Recording the minutes marks the meeting as held."),
    )


class DecisionForm(ActionErrorsForm):
    text = forms.CharField(
        label=_("Decision"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )
    mandate_basis = forms.CharField(
        label=_("With which mandate"),
        max_length=300,
        help_text=_("The part of the forum's mandate the decision rests on."),
    )
    decided_on = forms.DateField(
        label=_("Decided on"), required=False, widget=DateInput(), help_text=_("Empty: today.")
    )
    meeting = MeetingChoiceField(
        queryset=ForumMeeting.objects.none(), label=_("At the meeting"), required=False
    )
    grant_amount = _amount(
        _("Amount granted (DKK)"), _("Only for a grant: within the forum's limit and budget.")
    )
    grant_purpose = forms.CharField(label=_("Granted for"), max_length=200, required=False)

    def __init__(self, *args: Any, meetings: QuerySet[ForumMeeting], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(MeetingChoiceField, self.fields["meeting"]).queryset = meetings


class FollowUpForm(ActionErrorsForm):
    title = forms.CharField(label=_("Action"), max_length=200)
    owner = StaffChoiceField(queryset=Staff.objects.none(), label=_("Owner"))
    due_on = forms.DateField(label=_("Due by"), widget=DateInput())

    def __init__(self, *args: Any, staff: QuerySet[Staff], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(StaffChoiceField, self.fields["owner"]).queryset = staff


class ForumFilterForm(forms.Form):
    """The forum list's search; a bad value is ignored rather than refused."""

    q = forms.CharField(label=_("Search name or mandate"), max_length=100, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All")), *Forum.Kind.choices], required=False
    )

    def value(self, name: str) -> Any:
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get(name) or ""


class DecisionFilterForm(forms.Form):
    """The decision log's search and filters; a bad value is ignored rather than refused."""

    q = forms.CharField(label=_("Search the decisions"), max_length=100, required=False)
    forum = ForumChoiceField(queryset=Forum.objects.none(), label=_("Forum"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())
    grants_only = forms.BooleanField(label=_("Only grants"), required=False)

    def __init__(self, *args: Any, forums: QuerySet[Forum], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(ForumChoiceField, self.fields["forum"]).queryset = forums

    def value(self, name: str) -> Any:
        """The cleaned value of a valid field, or None when the field is empty or invalid."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get(name) or None
