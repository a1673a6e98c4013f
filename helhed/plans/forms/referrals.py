"""Forms for referrals: sending one, and rejecting one with a reason.

The forms only collect input; the rules (same municipality, an active consent,
no second open referral ...) live in ``helhed.plans.actions.referrals``, and
their errors are put back beside the fields with ``add_action_errors``.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import BLANK_CHOICE_DASH, QuerySet
from django.utils.translation import gettext_lazy as _

from helhed.citizens.models import Consent
from helhed.lib.forms import ActionErrorsForm
from helhed.organisation.models import Unit
from helhed.plans.actions.referrals import MAX_ACCESS_DAYS, MIN_ACCESS_DAYS
from helhed.plans.models import LegalBasis


class UnitField(forms.ModelChoiceField[Unit]):
    """A unit, labelled with its sector so the receiving unit is easy to find."""

    def label_from_instance(self, obj: Unit) -> str:
        if obj.sector_id and obj.sector:
            return f"{obj.sector.name}: {obj.name}"
        return obj.name


class ConsentField(forms.ModelChoiceField[Consent]):
    def label_from_instance(self, obj: Consent) -> str:
        sectors = ", ".join(s.name for s in obj.sectors.all())
        given = obj.given_on.strftime("%d.%m.%Y")
        return f"{obj.purpose} ({given}{': ' + sectors if sectors else ''})"


class ReferralForm(ActionErrorsForm):
    """Send a referral of one citizen from one of the user's units to another unit."""

    from_unit = UnitField(queryset=Unit.objects.none(), label=_("From unit"), empty_label=None)
    to_unit = UnitField(
        queryset=Unit.objects.none(),
        label=_("To unit"),
        help_text=_("The unit you ask for help; its sector is shown first."),
    )
    question = forms.CharField(
        label=_("What we ask for"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the receiving unit is asked to help with, and why now."),
    )
    legal_basis = forms.ChoiceField(
        label=_("Legal basis"),
        # No default: the sender chooses the basis the receiving unit's access rests on.
        choices=[*BLANK_CHOICE_DASH, *LegalBasis.choices],
        error_messages={"required": _("Choose the legal basis of the referral.")},
    )
    consent = ConsentField(
        queryset=Consent.objects.none(),
        required=False,
        label=_("Consent"),
        empty_label=_("No consent"),
        help_text=_("Required when the referral rests on the family's consent."),
    )
    access_days = forms.IntegerField(
        label=_("Access for (days)"),
        min_value=MIN_ACCESS_DAYS,
        max_value=MAX_ACCESS_DAYS,
        initial=90,
        help_text=_("How long the receiving unit may see the citizen once it accepts."),
    )

    def __init__(
        self,
        *args: Any,
        from_units: QuerySet[Unit],
        to_units: QuerySet[Unit],
        consents: QuerySet[Consent],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(UnitField, self.fields["from_unit"]).queryset = from_units.select_related(
            "sector"
        ).order_by("name")
        cast(UnitField, self.fields["to_unit"]).queryset = to_units.select_related(
            "sector"
        ).order_by("sector__sort_order", "sector__code", "name")
        cast(ConsentField, self.fields["consent"]).queryset = consents.prefetch_related("sectors")


class RejectReferralForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the referral is rejected"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The sender reads this: say where the family can get help instead."),
        error_messages={
            "required": _("Say why the referral is rejected, so the sender knows what to do next.")
        },
    )
