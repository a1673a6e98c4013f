"""Forms for burden proposals: proposing one, and deciding it."""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from helhed.leadership.actions.proposals import MAX_TEXT, MAX_THEME, MAX_TITLE
from helhed.leadership.models import BurdenProposal, BurdenTheme, DocumentationRequirement, Rule
from helhed.lib.forms import ActionErrorsForm
from helhed.organisation.models import Unit


class UnitChoiceField(forms.ModelChoiceField[Unit]):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class ProposalForm(ActionErrorsForm):
    """One proposal: what to change, about which one thing, under which theme.

    ``new_theme`` is there only for those who may add a theme; for everyone
    else the field does not exist, so a posted value is ignored.
    """

    title = forms.CharField(label=_("Proposal"), max_length=MAX_TITLE)
    description = forms.CharField(
        label=_("What and why"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What costs time today, and what would be better."),
    )
    change = forms.ChoiceField(
        label=_("Change"),
        choices=BurdenProposal.Change.choices,
        initial=BurdenProposal.Change.REMOVE,
        widget=forms.RadioSelect,
    )
    rule = forms.ModelChoiceField(
        queryset=Rule.objects.none(),
        label=_("A registered rule"),
        required=False,
        help_text=_("Its owning unit's leader decides."),
    )
    requirement = forms.ModelChoiceField(
        queryset=DocumentationRequirement.objects.none(),
        label=_("A documentation requirement"),
        required=False,
        help_text=_("Its owning unit's leader decides."),
    )
    procedure = forms.CharField(
        label=_("Or a procedure"),
        max_length=MAX_TITLE,
        required=False,
        help_text=_("When it is neither a registered rule nor a requirement."),
    )
    unit = UnitChoiceField(
        queryset=Unit.objects.none(),
        label=_("Unit whose procedure it is"),
        required=False,
        help_text=_("Only for a procedure: the unit's leader, or a leader above, decides."),
    )
    theme = forms.ModelChoiceField(
        queryset=BurdenTheme.objects.none(), label=_("Theme"), required=False
    )
    new_theme = forms.CharField(label=_("Or add a theme"), max_length=MAX_THEME, required=False)

    error_fields: ClassVar[dict[str, str]] = {"subject": "rule"}

    def __init__(
        self,
        *args: Any,
        rules: QuerySet[Rule],
        requirements: QuerySet[DocumentationRequirement],
        units: QuerySet[Unit],
        themes: QuerySet[BurdenTheme],
        may_add_theme: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField[Rule], self.fields["rule"]).queryset = rules
        cast(
            forms.ModelChoiceField[DocumentationRequirement], self.fields["requirement"]
        ).queryset = requirements
        cast(UnitChoiceField, self.fields["unit"]).queryset = units
        cast(forms.ModelChoiceField[BurdenTheme], self.fields["theme"]).queryset = themes
        if not may_add_theme:
            del self.fields["new_theme"]
            self.fields["theme"].required = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "new_theme" in self.fields:
            new_theme = " ".join(str(data.get("new_theme") or "").split())
            if data.get("theme") and new_theme:
                self.add_error("new_theme", _("Choose a theme or add one, not both."))
            elif not data.get("theme") and not new_theme and "theme" not in self.errors:
                self.add_error("theme", _("Choose a theme, or add a new one."))
        return data


class DecisionForm(ActionErrorsForm):
    """Accept or reject, always with a reason the proposer can read."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required: the proposer and everyone else can read it."),
    )
