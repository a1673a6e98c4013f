"""Forms for concerns: logging one, following it up, closing and escalating it.

The forms only parse input; the rules (dates, owners, units, reasons) live in
``helhed.plans.actions.concerns``, whose ``ValidationError`` is shown beside
the field it names through ``add_action_errors``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from helhed.lib.forms import ActionErrorsForm
from helhed.organisation.models import Staff, Unit
from helhed.plans.models import Concern

FOLLOW_UP_DAYS = 14


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(**kwargs)


class UnitChoiceField(forms.ModelChoiceField[Unit]):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class StaffChoiceField(forms.ModelChoiceField[Staff]):
    default_error_messages = {
        "invalid_choice": _("Choose a staff member of the child's municipality."),
    }

    def label_from_instance(self, obj: Staff) -> str:
        return obj.full_name


def _set_queryset(form: forms.Form, name: str, queryset: QuerySet[Any] | Iterable[Any]) -> None:
    field = cast(forms.ModelChoiceField[Any], form.fields[name])
    field.queryset = queryset  # type: ignore[assignment]


class ConcernForm(ActionErrorsForm):
    """Log a concern: what was seen, how worrying it is, and who follows up by when."""

    unit = UnitChoiceField(
        queryset=Unit.objects.none(),
        label=_("On behalf of unit"),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose a unit where you work today.")},
    )
    observed_on = forms.DateField(label=_("Observed on"), widget=DateInput())
    observation = forms.CharField(
        label=_("What was observed"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text=_("Describe what you saw or heard, not conclusions."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=Concern.Category.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Concern.Severity.choices)
    parents_informed = forms.BooleanField(label=_("The parents have been told"), required=False)
    parents_not_informed_reason = forms.CharField(
        label=_("Why the parents have not been told"),
        max_length=300,
        required=False,
        help_text=_("Required when the parents have not been told."),
    )
    follow_up_owner = StaffChoiceField(
        queryset=Staff.objects.none(), label=_("Follow-up owner"), empty_label=None
    )
    follow_up_on = forms.DateField(label=_("Follow up by"), widget=DateInput())

    def __init__(
        self,
        *args: Any,
        units: Iterable[Unit],
        owners: QuerySet[Staff],
        actor: Staff,
        on: dt.date,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        unit_list = list(units)
        _set_queryset(self, "unit", Unit.objects.filter(pk__in=[u.pk for u in unit_list]))
        _set_queryset(self, "follow_up_owner", owners.order_by("first_name", "last_name"))
        if len(unit_list) == 1:
            self.fields["unit"].initial = unit_list[0].pk
        else:
            # Several units: the user chooses which one they speak for.
            cast(UnitChoiceField, self.fields["unit"]).empty_label = "---------"
        self.fields["follow_up_owner"].initial = actor.pk
        self.fields["observed_on"].initial = on
        self.fields["follow_up_on"].initial = on + dt.timedelta(days=FOLLOW_UP_DAYS)


class ConcernNoteForm(ActionErrorsForm):
    """A follow-up note, optionally with a new owner or a new follow-up date."""

    note = forms.CharField(
        label=_("Follow-up note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
        help_text=_("What was done or agreed, or why the follow-up changes."),
    )
    follow_up_owner = StaffChoiceField(
        queryset=Staff.objects.none(), label=_("Follow-up owner"), required=False
    )
    follow_up_on = forms.DateField(label=_("Follow up by"), widget=DateInput(), required=False)

    def __init__(
        self, *args: Any, concern: Concern, owners: QuerySet[Staff], **kwargs: Any
    ) -> None:
        kwargs.setdefault("prefix", "note")
        super().__init__(*args, **kwargs)
        _set_queryset(self, "follow_up_owner", owners.order_by("first_name", "last_name"))
        self.fields["follow_up_owner"].initial = concern.follow_up_owner_id
        self.fields["follow_up_on"].initial = concern.follow_up_on


class ConcernCloseForm(ActionErrorsForm):
    outcome = forms.CharField(
        label=_("Outcome"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text=_("What came of the concern: how it was met, or why it proved unfounded."),
        error_messages={"required": _("Say what came of the concern before you close it.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "close")
        super().__init__(*args, **kwargs)


class ConcernPlanForm(ActionErrorsForm):
    """Escalate into a plan: a new plan's title and coordinator (unused when joining one)."""

    title = forms.CharField(label=_("Title of the plan"), max_length=200, required=False)
    coordinator = StaffChoiceField(
        queryset=Staff.objects.none(), label=_("Coordinator"), required=False
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )

    def __init__(self, *args: Any, owners: QuerySet[Staff], actor: Staff, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "plan")
        super().__init__(*args, **kwargs)
        _set_queryset(self, "coordinator", owners.order_by("first_name", "last_name"))
        self.fields["coordinator"].initial = actor.pk


class ConcernNotificationForm(ActionErrorsForm):
    """Escalate into a formal notification to the social services."""

    to_unit = UnitChoiceField(
        queryset=Unit.objects.none(),
        label=_("To the social services unit"),
        error_messages={"invalid_choice": _("Choose a unit of the social services.")},
    )
    reason = forms.CharField(
        label=_("Reason for the notification"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": _("Say why you are notifying the social services.")},
    )

    def __init__(self, *args: Any, units: Iterable[Unit], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "notify")
        super().__init__(*args, **kwargs)
        unit_list = list(units)
        _set_queryset(self, "to_unit", Unit.objects.filter(pk__in=[u.pk for u in unit_list]))
        if len(unit_list) == 1:
            self.fields["to_unit"].initial = unit_list[0].pk
