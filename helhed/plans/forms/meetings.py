"""Forms for network meetings, their minutes and the actions that follow.

The forms only parse what was typed; the rules (Ballerup's rule, due dates
today or later, owners of the plan's municipality) are checked in
``helhed.plans.actions.meetings`` and reported beside the fields through
``add_action_errors``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helhed.citizens.models import Citizen
from helhed.lib.forms import ActionErrorsForm
from helhed.organisation.models import Staff
from helhed.plans.forms.plans import IdsChoiceField
from helhed.plans.models import Meeting


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


class StaffChoiceField(forms.ModelChoiceField[Staff]):
    def label_from_instance(self, obj: Staff) -> str:
        return obj.full_name


class StaffMultipleChoiceField(IdsChoiceField[Staff]):
    def label_from_instance(self, obj: Staff) -> str:
        return obj.full_name


class ScheduleMeetingForm(ActionErrorsForm):
    """When and where, the agenda, and who takes part: professionals and the family.

    The family is offered as one checkbox and one role per person (the plan's
    members and their guardians), so the role ("Mor", "Alma selv") is typed
    beside the name.
    """

    error_fields = {"starts_at": "date", "staff_participants": "staff"}

    date = forms.DateField(label=_("Date"), widget=DateInput())
    time = forms.TimeField(label=_("Time"), widget=TimeInput())
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    agenda = forms.CharField(
        label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    staff = StaffMultipleChoiceField(
        queryset=Staff.objects.none(),
        required=False,
        label=_("Professionals taking part"),
        widget=forms.CheckboxSelectMultiple,
    )
    without_citizen_reason = forms.CharField(
        label=_("Why the citizen and family are not taking part"),
        max_length=300,
        required=False,
        help_text=_("No meeting about the citizen without the citizen, unless you say why."),
    )

    def __init__(
        self, *args: Any, staff: QuerySet[Staff], family: list[Citizen], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(StaffMultipleChoiceField, self.fields["staff"]).queryset = staff
        self.family = family
        for citizen in family:
            self.fields[f"family_{citizen.pk}"] = forms.BooleanField(
                label=citizen.full_name, required=False
            )
            self.fields[f"family_{citizen.pk}_role"] = forms.CharField(
                label=_("Role of %(name)s") % {"name": citizen.full_name},
                max_length=100,
                required=False,
                widget=forms.TextInput(attrs={"placeholder": _("for example “Mother”")}),
            )
        # Ballerup's rule comes before the reason field, which only matters without the family.
        self.order_fields(
            ["date", "time", "place", "agenda", "staff"]
            + [name for c in family for name in (f"family_{c.pk}", f"family_{c.pk}_role")]
            + ["without_citizen_reason"]
        )

    def family_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"family_{c.pk}"], self[f"family_{c.pk}_role"]) for c in self.family]

    def plain_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("date", "time", "place", "agenda")]

    def starts_at(self) -> dt.datetime:
        combined = dt.datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"])
        return timezone.make_aware(combined)

    def family_participants(self) -> list[tuple[Citizen, str]]:
        return [
            (c, self.cleaned_data[f"family_{c.pk}_role"])
            for c in self.family
            if self.cleaned_data.get(f"family_{c.pk}")
        ]

    def staff_participants(self) -> list[tuple[Staff, str]]:
        return [(s, "") for s in self.cleaned_data["staff"]]


class MinutesForm(ActionErrorsForm):
    """The minutes, the family's summary, and who came (one checkbox per participant)."""

    minutes = forms.CharField(
        label=_("Minutes (internal)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("For the professionals. The family reads the summary below instead."),
    )
    family_summary = forms.CharField(
        label=_("Summary for the family"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("In plain language: what we talked about and what happens next."),
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.participants = list(meeting.participants.all())
        for participant in self.participants:
            self.fields[f"attended_{participant.pk}"] = forms.BooleanField(
                label=f"{participant.name} ({participant.role})",
                required=False,
                initial=True,
            )

    def attendance_fields(self) -> list[forms.BoundField]:
        return [self[f"attended_{p.pk}"] for p in self.participants]

    def attendance(self) -> dict[int, bool]:
        return {p.pk: bool(self.cleaned_data.get(f"attended_{p.pk}")) for p in self.participants}


class DecisionForm(forms.Form):
    text = forms.CharField(
        label=_("Decision"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


DecisionFormSet = formset_factory(DecisionForm, extra=3, max_num=30, absolute_max=30)


class MinutesActionForm(forms.Form):
    """One action agreed at the meeting; an empty row is ignored."""

    description = forms.CharField(label=_("What is to be done"), max_length=300, required=False)
    owner = StaffChoiceField(queryset=Staff.objects.none(), label=_("Owner"), required=False)
    due_on = forms.DateField(label=_("Due on"), widget=DateInput(), required=False)
    decision = forms.TypedChoiceField(
        label=_("Follows decision"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, owners: QuerySet[Staff], decisions: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(StaffChoiceField, self.fields["owner"]).queryset = owners
        cast(forms.TypedChoiceField, self.fields["decision"]).choices = [
            ("", "–"),
            *[(str(n), _("Decision %(n)s") % {"n": n}) for n in range(1, decisions + 1)],
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if any(data.get(f) for f in ("description", "owner", "due_on")):
            for name, message in (
                ("description", _("Say what is to be done.")),
                ("owner", _("Choose who owns the action.")),
                ("due_on", _("Give the action a due date.")),
            ):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, message)
        return data

    @property
    def is_filled(self) -> bool:
        return bool(getattr(self, "cleaned_data", {}).get("description"))


MinutesActionFormSet = formset_factory(MinutesActionForm, extra=3, max_num=30, absolute_max=30)


class CancelMeetingForm(ActionErrorsForm):
    reason = forms.CharField(label=_("Why is the meeting cancelled?"), max_length=300)


class AddActionForm(ActionErrorsForm):
    """An action for the plan outside a meeting: one owner, one due date."""

    description = forms.CharField(label=_("What is to be done"), max_length=300)
    owner = StaffChoiceField(queryset=Staff.objects.none(), label=_("Owner"))
    due_on = forms.DateField(label=_("Due on"), widget=DateInput())

    def __init__(self, *args: Any, owners: QuerySet[Staff], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(StaffChoiceField, self.fields["owner"]).queryset = owners


class CompleteActionForm(ActionErrorsForm):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class CancelActionForm(ActionErrorsForm):
    note = forms.CharField(label=_("Why is the action no longer needed?"), max_length=300)


class ReassignActionForm(AddActionForm):
    """A new owner or due date for an open action."""

    def __init__(self, *args: Any, owners: QuerySet[Staff], **kwargs: Any) -> None:
        super().__init__(*args, owners=owners, **kwargs)
        del self.fields["description"]
