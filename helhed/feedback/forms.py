"""Forms for ratings: one field per item of the chosen scale."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from helhed.feedback.models import Scale, ScaleItem
from helhed.lib.forms import ActionErrorsForm
from helhed.lib.validity import today


def item_help(item: ScaleItem) -> str:
    """The item's anchors in one line (the seeded scales mostly describe the high end)."""
    return " – ".join(anchor for anchor in (item.low_anchor, item.high_anchor) if anchor)


class RatingForm(ActionErrorsForm):
    """A rating on ``scale``: the items as numbers, the date, who gave it, a comment.

    The score range is checked here as well as by ``Rating.clean``, with the
    same message, so that the error stands beside the item it is about.
    """

    rated_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    given_by = forms.CharField(
        label=_("Given by"),
        max_length=100,
        help_text=_("For example the child, the mother."),
    )
    comment = forms.CharField(
        label=_("Comment"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, scale: Scale, family: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scale = scale
        self.items = scale.item_list
        self.fields["rated_on"].initial = today()
        self.fields["rated_on"].widget.attrs["max"] = today().isoformat()
        if family:
            self.fields["given_by"].label = _("Who is answering?")
            self.fields["given_by"].help_text = _("For example your name, or “Alma and her mum”.")
            self.fields["comment"].label = _("Anything you want to tell us?")
        item_fields = {}
        for item in self.items:
            item_fields[self.item_field_name(item)] = forms.DecimalField(
                label=item.display_label,
                help_text=item_help(item),
                decimal_places=1,
                widget=forms.NumberInput(
                    attrs={
                        "min": scale.item_min,
                        "max": scale.item_max,
                        "step": "0.1",
                        "inputmode": "decimal",
                    }
                ),
                error_messages={"required": _("Give a score for this item.")},
            )
        # The items come first, in the scale's order; the date and the rest after them.
        self.fields = {**item_fields, **self.fields}

    @staticmethod
    def item_field_name(item: ScaleItem) -> str:
        return f"item_{item.position}"

    def item_fields(self) -> list[forms.BoundField]:
        return [self[self.item_field_name(item)] for item in self.items]

    def other_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("rated_on", "given_by", "comment")]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for item in self.items:
            name = self.item_field_name(item)
            value = data.get(name)
            if isinstance(value, Decimal) and not (
                self.scale.item_min <= value <= self.scale.item_max
            ):
                self.add_error(
                    name,
                    _("The score for “%(item)s” must be a number from %(low)d to %(high)d.")
                    % {
                        "item": item.display_label,
                        "low": self.scale.item_min,
                        "high": self.scale.item_max,
                    },
                )
        return data

    def scores(self) -> list[Decimal]:
        return [self.cleaned_data[self.item_field_name(item)] for item in self.items]
