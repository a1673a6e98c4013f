"""Forms for the catalogue: indicators, targets, values by hand, and file imports.

The forms only collect input; the rules live in ``helhed.results.actions``
(``catalogue``, ``targets``, ``measurements``) and their errors are put back
beside the fields with ``add_action_errors``.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import BLANK_CHOICE_DASH, QuerySet
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from helhed.lib.forms import ActionErrorsForm
from helhed.organisation.models import Unit
from helhed.results import sources
from helhed.results.actions.catalogue import INDICATOR_FIELDS
from helhed.results.imports import MAX_BYTES
from helhed.results.models import Indicator
from helhed.results.periods import Frequency


class UnitField(forms.ModelChoiceField[Unit]):
    def label_from_instance(self, obj: Unit) -> str:
        return f"{'· ' * max(obj.depth - 1, 0)}{obj.name}"


class IndicatorForm(ActionErrorsForm):
    """Every field a person edits, labelled and explained as on the model."""

    def __init__(self, *args: Any, current_source: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(Indicator, fields=INDICATOR_FIELDS))
        choices = [
            ("", _("Not computed: values are entered or imported")),
            *sources.source_choices(),
        ]
        if current_source and current_source not in dict(choices):
            choices.append((current_source, current_source))
        self.fields["computed_by"] = forms.ChoiceField(
            label=_("Computed by"),
            choices=choices,
            required=False,
            help_text=_("A registered computation; Helhed then computes the values itself."),
        )
        self.fields["code"].help_text = _(
            "Short, lower-case, with hyphens (“sygefravaer-medarbejdere”); "
            "used in import files and the API."
        )


class TargetForm(ActionErrorsForm):
    unit = UnitField(queryset=Unit.objects.none(), label=_("Unit"))
    applies_from = forms.CharField(
        label=_("From period"),
        max_length=10,
        help_text=_("The target holds from this period on: 2026, 2026-H1, 2026-Q1 or 2026-01."),
    )
    value = forms.DecimalField(label=_("Target"), max_digits=12, decimal_places=3)
    baseline_value = forms.DecimalField(
        label=_("Baseline"), max_digits=12, decimal_places=3, required=False
    )
    baseline_period = forms.CharField(
        label=_("Baseline period"),
        max_length=10,
        required=False,
        help_text=_("The period the baseline value is from."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(UnitField, self.fields["unit"]).queryset = units.order_by("path")


class MeasurementForm(ActionErrorsForm):
    unit = UnitField(queryset=Unit.objects.none(), label=_("Unit"))
    period = forms.CharField(label=_("Period"), max_length=10)
    value = forms.DecimalField(
        label=_("Value"),
        max_digits=14,
        decimal_places=3,
        required=False,
        help_text=_("Leave empty to have it computed from the numerator and the denominator."),
    )
    numerator = forms.DecimalField(
        label=_("Numerator"), max_digits=14, decimal_places=3, required=False
    )
    denominator = forms.DecimalField(
        label=_("Denominator"), max_digits=14, decimal_places=3, required=False
    )
    persons = forms.IntegerField(
        label=_("Persons counted"),
        min_value=0,
        required=False,
        help_text=_("How many persons the value is based on; fewer than 5 is not shown."),
    )

    def __init__(
        self, *args: Any, indicator: Indicator, units: QuerySet[Unit], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(UnitField, self.fields["unit"]).queryset = units.order_by("path")
        frequency = str(Frequency(indicator.frequency).label).lower()
        self.fields["period"].help_text = _(
            "This indicator is measured %(frequency)s: write 2025 (yearly), 2025-H1, 2025-Q3 "
            "or 2025-09 (monthly)."
        ) % {"frequency": frequency}


class ImportForm(ActionErrorsForm):
    file = forms.FileField(
        label=_("CSV or Excel file"),
        help_text=_("A .csv or .xlsx file of at most 5 MB and 50,000 rows."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt"}),
    )
    dry_run = forms.BooleanField(
        label=_("Check only (dry run)"),
        required=False,
        initial=True,
        help_text=_("Check every row and show what would be saved, without saving."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 5 MB. Split it into smaller files."), code="too_large"
            )
        return upload


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("RBA kind"),
        choices=[*BLANK_CHOICE_DASH, *Indicator.Kind.choices],
        required=False,
    )
    frequency = forms.ChoiceField(
        label=_("Frequency"),
        choices=[*BLANK_CHOICE_DASH, *Frequency.choices],
        required=False,
    )
