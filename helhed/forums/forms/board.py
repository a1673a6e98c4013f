"""Forms of the obstacle board: raising an item, settling it, and filtering the closed ones."""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from helhed.forums.actions.board import MAX_AFFECTED, MAX_TEXT, MAX_TITLE
from helhed.forums.models import Forum, Item
from helhed.lib.forms import ActionErrorsForm


class ItemForm(ActionErrorsForm):
    """Raise an obstacle or a matter; the action refuses anything like a CPR number."""

    forum = forms.ModelChoiceField(
        queryset=Forum.objects.none(),
        label=_("Forum"),
        help_text=_("The forum whose board the item goes on."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Item.Kind.choices, initial=Item.Kind.OBSTACLE)
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE)
    description = forms.CharField(
        label=_("What blocks, and what it costs"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=Item.Category.choices, initial=Item.Category.OTHER
    )
    affected = forms.CharField(
        label=_("Who is affected"),
        max_length=MAX_AFFECTED,
        help_text=_(
            "In general terms, for example 'young people turning 18'. Never name a citizen "
            "or write a CPR number: the board is read by many."
        ),
    )

    def __init__(self, *args: Any, forums: QuerySet[Forum], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField[Forum], self.fields["forum"]).queryset = forums


class SettleForm(ActionErrorsForm):
    """Resolve, decline or escalate an item, with a reason."""

    OUTCOMES: ClassVar[list[tuple[str, Any]]] = [
        ("resolve", _("Resolved")),
        ("decline", _("Declined")),
        ("escalate", _("Escalate to the next forum")),
    ]

    outcome = forms.ChoiceField(label=_("Outcome"), choices=OUTCOMES, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("How it was resolved, why it is declined, or why it goes on."),
    )
    error_fields: ClassVar[dict[str, str]] = {"forum": "outcome", "status": "outcome"}


class BoardFilterForm(forms.Form):
    """Search and filters of the closed items; a bad value is ignored rather than refused."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            ("", _("All")),
            (Item.Status.RESOLVED.value, Item.Status.RESOLVED.label),
            (Item.Status.DECLINED.value, Item.Status.DECLINED.label),
        ],
        required=False,
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("All")), *Item.Category.choices], required=False
    )

    def value(self, name: str) -> Any:
        """The cleaned value of a valid field, or its empty value when the field is invalid."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get(name) or ""
