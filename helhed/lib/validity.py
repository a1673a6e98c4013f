"""Validity periods: rows that hold from one date to another (both inclusive).

Units, role assignments and engagements carry a period so the organisation can
be shown as of any date and a reorganisation keeps its history instead of
overwriting it. An open end (``valid_to`` is null) means "until further notice".
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Self

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def today() -> dt.date:
    return timezone.localdate()


def valid_on_q(on: dt.date, prefix: str = "") -> Q:
    """The condition "valid on this date", optionally through a relation prefix."""
    return Q(**{f"{prefix}valid_from__lte": on}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": on})
    )


def overlap_q(start: dt.date, end: dt.date | None) -> Q:
    """The condition "the row's period overlaps [start, end]"."""
    condition = Q(valid_to__isnull=True) | Q(valid_to__gte=start)
    if end is not None:
        condition &= Q(valid_from__lte=end)
    return condition


class ValidityQuerySet(models.QuerySet[Any]):
    def valid_on(self, on: dt.date | None = None) -> Self:
        return self.filter(valid_on_q(on or today()))


class ValidityPeriod(models.Model):
    valid_from = models.DateField(_("valid from"), default=today)
    valid_to = models.DateField(
        _("valid to"), null=True, blank=True, help_text=_("Last day; empty means open-ended.")
    )

    class Meta:
        abstract = True

    def is_valid_on(self, on: dt.date | None = None) -> bool:
        on = on or today()
        return self.valid_from <= on and (self.valid_to is None or self.valid_to >= on)

    def clean_period(self) -> None:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError(
                {
                    "valid_to": ValidationError(
                        _("The period cannot end before it starts."), code="period_order"
                    )
                }
            )

    def clean(self) -> None:
        super().clean()
        self.clean_period()


def period_check(name: str) -> models.CheckConstraint:
    """The database's own guard against a period that ends before it starts."""
    return models.CheckConstraint(
        condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
        name=name,
        violation_error_message=_("The period cannot end before it starts."),
    )


def period_within(
    inner_from: dt.date, inner_to: dt.date | None, outer_from: dt.date, outer_to: dt.date | None
) -> bool:
    if inner_from < outer_from:
        return False
    if outer_to is None:
        return True
    return inner_to is not None and inner_to <= outer_to
