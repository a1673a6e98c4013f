"""Forms for trial actions: the trial, grant applications and decisions, money, evidence."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from helhed.forums.models import Forum
from helhed.lib.forms import ActionErrorsForm
from helhed.organisation.models import Staff, Unit
from helhed.plans.forms.meetings import DateInput
from helhed.plans.forms.plans import IdsChoiceField, StaffChoiceField, UnitChoiceField
from helhed.plans.models import Story
from helhed.results.models import Indicator
from helhed.trials.actions.trials import MAX_TEXT, ResultIn, story_label
from helhed.trials.models import Evaluation, Trial


def money_field(label: Any, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, max_digits=12, decimal_places=2, min_value=Decimal(0), **kwargs
    )


class UnitsField(IdsChoiceField[Unit]):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class StaffsField(IdsChoiceField[Staff]):
    def label_from_instance(self, obj: Staff) -> str:
        return obj.full_name


class IndicatorsField(IdsChoiceField[Indicator]):
    def label_from_instance(self, obj: Indicator) -> str:
        return obj.name


class ForumField(forms.ModelChoiceField[Forum]):
    def label_from_instance(self, obj: Forum) -> str:
        return obj.name


class StoryField(forms.ModelChoiceField[Story]):
    def label_from_instance(self, obj: Story) -> str:
        return story_label(obj)


class TrialForm(ActionErrorsForm):
    """Create or change a trial; the action checks the people, units, indicators and dates."""

    title = forms.CharField(label=_("Title"), max_length=200)
    hypothesis = forms.CharField(
        label=_("Hypothesis"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("If we do this, then that will happen, because ..."),
    )
    owner = StaffChoiceField(queryset=Staff.objects.none(), label=_("Owner"))
    units = UnitsField(
        queryset=Unit.objects.none(),
        label=_("Units taking part"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Across sectors: every unit whose staff or citizens take part."),
    )
    participants = StaffsField(
        queryset=Staff.objects.none(),
        label=_("Participants"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    indicators = IndicatorsField(
        queryset=Indicator.objects.none(),
        label=_("Indicators it watches"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput())
    comparison = forms.CharField(
        label=_("Comparison group"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who the trial is compared with; leave empty when only the own baseline is."),
    )
    budget = money_field(_("Budget (DKK)"), initial=Decimal(0))

    def __init__(
        self,
        *args: Any,
        staff: QuerySet[Staff],
        units: QuerySet[Unit],
        indicators: QuerySet[Indicator],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(StaffChoiceField, self.fields["owner"]).queryset = staff
        cast(StaffsField, self.fields["participants"]).queryset = staff
        cast(UnitsField, self.fields["units"]).queryset = units
        cast(IndicatorsField, self.fields["indicators"]).queryset = indicators

    @staticmethod
    def initial_for(trial: Trial) -> dict[str, Any]:
        return {
            "title": trial.title,
            "hypothesis": trial.hypothesis,
            "owner": trial.owner_id,
            "units": list(trial.units.values_list("pk", flat=True)),
            "participants": list(trial.participants.values_list("pk", flat=True)),
            "indicators": list(trial.indicators.values_list("pk", flat=True)),
            "starts_on": trial.starts_on,
            "ends_on": trial.ends_on,
            "comparison": trial.comparison,
            "budget": trial.budget,
        }


class ApplicationForm(ActionErrorsForm):
    forum = ForumField(queryset=Forum.objects.none(), label=_("Forum"))
    amount = money_field(_("Amount (DKK)"))
    reason = forms.CharField(
        label=_("What the money is for"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, forums: QuerySet[Forum], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(ForumField, self.fields["forum"]).queryset = forums


class ApplicationDecisionForm(ActionErrorsForm):
    DECISIONS: ClassVar[list[tuple[str, Any]]] = [
        ("grant", _("Grant the amount applied for")),
        ("refuse", _("Refuse")),
    ]
    error_fields: ClassVar[dict[str, str]] = {"grant_amount": "decision"}

    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("Decision text or reason"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to refuse: why, in a sentence or two."),
    )
    mandate_basis = forms.CharField(
        label=_("With which mandate"),
        max_length=300,
        help_text=_("The part of the forum's mandate the decision rests on."),
    )


class ExpenseForm(ActionErrorsForm):
    amount = money_field(_("Amount (DKK)"))
    spent_on = forms.DateField(label=_("Spent on"), widget=DateInput())
    text = forms.CharField(label=_("What for"), max_length=200)


class EvaluationForm(ActionErrorsForm):
    """An evaluation with, per watched indicator, the trial's, comparison and baseline values."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Evaluation.Kind.choices)
    evaluated_on = forms.DateField(label=_("Evaluated on"), widget=DateInput())
    summary = forms.CharField(
        label=_("What we see"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )
    persons_in_trial = forms.IntegerField(
        label=_("Persons in the trial"), min_value=0, max_value=10**7
    )
    persons_compared = forms.IntegerField(
        label=_("Persons in the comparison group"),
        min_value=0,
        max_value=10**7,
        required=False,
        help_text=_("Leave empty when the trial is measured against its own baseline only."),
    )
    estimated_saving = forms.DecimalField(
        label=_("Estimated saving a year (DKK)"),
        max_digits=14,
        decimal_places=2,
        required=False,
    )

    def __init__(self, *args: Any, indicators: list[Indicator], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for indicator in indicators:
            for part, label in (
                ("trial", _("in the trial")),
                ("comparison", _("in the comparison group")),
                ("baseline", _("baseline")),
            ):
                self.fields[f"ind_{indicator.pk}_{part}"] = forms.DecimalField(
                    label=f"{indicator.name}: {label}",
                    required=False,
                    max_digits=14,
                    decimal_places=3,
                )

    def indicator_rows(self) -> list[tuple[Indicator, list[forms.BoundField]]]:
        return [
            (i, [self[f"ind_{i.pk}_{part}"] for part in ("trial", "comparison", "baseline")])
            for i in self.indicators
        ]

    def base_fields_bound(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith("ind_")]

    def results(self) -> list[ResultIn]:
        """The results given: an indicator whose trial value is empty is left out."""
        rows = []
        for indicator in self.indicators:
            values = [
                self.cleaned_data.get(f"ind_{indicator.pk}_{part}")
                for part in ("trial", "comparison", "baseline")
            ]
            if values[0] is None:
                if values[1] is not None or values[2] is not None:
                    self.add_error(
                        f"ind_{indicator.pk}_trial", _("Give the value in the trial as well.")
                    )
                continue
            rows.append(ResultIn(indicator, values[0], values[1], values[2]))
        return rows


class StoryLinkForm(ActionErrorsForm):
    story = StoryField(queryset=Story.objects.none(), label=_("Shared story"))

    def __init__(self, *args: Any, stories: QuerySet[Story], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(StoryField, self.fields["story"]).queryset = stories


class OutcomeForm(ActionErrorsForm):
    error_fields: ClassVar[dict[str, str]] = {"outcome_reason": "reason"}

    outcome = forms.ChoiceField(
        label=_("Decision"), choices=Trial.Outcome.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Why"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )


class TrialFilterForm(forms.Form):
    """The portfolio's search and filters; a bad value is ignored rather than refused."""

    q = forms.CharField(label=_("Search title or hypothesis"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *Trial.Status.choices], required=False
    )
    unit = UnitChoiceField(queryset=Unit.objects.none(), label=_("Unit"), required=False)
    forum = ForumField(queryset=Forum.objects.none(), label=_("Forum"), required=False)

    def __init__(
        self, *args: Any, units: QuerySet[Unit], forums: QuerySet[Forum], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(UnitChoiceField, self.fields["unit"]).queryset = units
        cast(ForumField, self.fields["forum"]).queryset = forums

    def value(self, name: str) -> Any:
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get(name) or ""
