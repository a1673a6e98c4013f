"""Forms for the rule register: registering a rule, deciding on one, and filtering the list."""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from helhed.leadership.actions.rules import MAX_TEXT
from helhed.leadership.models import Rule, RuleDecision
from helhed.lib.forms import ActionErrorsForm
from helhed.organisation.models import Staff, Unit
from helhed.plans.forms.meetings import DateInput
from helhed.plans.forms.plans import IdsChoiceField, StaffChoiceField, UnitChoiceField


class UnitsChoiceField(IdsChoiceField[Unit]):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class RuleForm(ActionErrorsForm):
    """Register a rule; the action checks the reason, the owner, the units and the date."""

    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Rule.Kind.choices, initial=Rule.Kind.RULE)
    area = forms.CharField(
        label=_("Area"),
        max_length=120,
        widget=forms.TextInput(attrs={"list": "rule-areas"}),
        help_text=_("The welfare or work area it concerns."),
    )
    text = forms.CharField(
        label=_("What the rule says"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 6})
    )
    reason = forms.CharField(
        label=_("Written reason"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why the municipality needs this rule, in a sentence or two."),
    )
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        max_length=200,
        required=False,
        help_text=_("The law or section it rests on; leave empty for a purely local rule."),
    )
    owner = StaffChoiceField(queryset=Staff.objects.none(), label=_("Owner"))
    owning_unit = UnitChoiceField(
        queryset=Unit.objects.none(),
        label=_("Owning unit"),
        help_text=_("Its leader, or a leader above, decides to keep, change or repeal it."),
    )
    units = UnitsChoiceField(
        queryset=Unit.objects.none(),
        label=_("Units it binds"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    review_on = forms.DateField(
        label=_("Review by"),
        required=False,
        widget=DateInput(),
        help_text=_("A date in the future; leave empty to review the rule in a year."),
    )

    def __init__(
        self,
        *args: Any,
        owners: QuerySet[Staff],
        owning_units: QuerySet[Unit],
        units: QuerySet[Unit],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(StaffChoiceField, self.fields["owner"]).queryset = owners
        cast(UnitChoiceField, self.fields["owning_unit"]).queryset = owning_units
        cast(UnitsChoiceField, self.fields["units"]).queryset = units


class RuleDecisionForm(ActionErrorsForm):
    """Keep, change or repeal a rule, with a reason."""

    DECISIONS: ClassVar[list[tuple[str, Any]]] = [
        (RuleDecision.Decision.KEEP.value, _("Keep it as it is")),
        (RuleDecision.Decision.CHANGE.value, _("Change its text")),
        (RuleDecision.Decision.REPEAL.value, _("Repeal it")),
    ]

    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why, in a sentence or two: the history keeps it for the next owner."),
    )
    next_review_on = forms.DateField(
        label=_("Next review by"),
        required=False,
        widget=DateInput(),
        help_text=_("Required to keep or change the rule; a date in the future."),
    )
    new_text = forms.CharField(
        label=_("New text"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Only for a change: what the rule is to say from now on."),
    )


class RuleFilterForm(forms.Form):
    """The list's search and filters; a bad value is ignored rather than refused."""

    q = forms.CharField(label=_("Search title, area or text"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *Rule.Status.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All")), *Rule.Kind.choices], required=False
    )
    area = forms.ChoiceField(label=_("Area"), choices=[("", _("All"))], required=False)
    past_review = forms.BooleanField(label=_("Only past review"), required=False)

    def __init__(self, *args: Any, areas: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["area"]).choices = [
            ("", _("All")),
            *((area, area) for area in areas),
        ]

    def value(self, name: str) -> Any:
        """The cleaned value of a valid field, or its empty value when the field is invalid."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get(name) or ""
