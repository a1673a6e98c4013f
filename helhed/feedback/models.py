"""Rating scales and ratings: FIT (feedback-informed treatment) as data.

The engine knows nothing about any particular measure. A ``Scale`` says how
many items it has, their range, the clinical cut-off, the reliable-change
threshold and the ages it is for. The outcome and session rating scales (ORS,
SRS) and their child versions are licensed by their authors, so they are
shipped as definitions a municipality *enables* (``ScaleActivation``), never
as code. The family's rating of the collaboration is an open scale of the
same kind.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helhed.citizens.models import Citizen
from helhed.lib.validity import today
from helhed.organisation.models import Municipality, Staff
from helhed.plans.models import Plan


class Scale(models.Model):
    class Kind(models.TextChoices):
        OUTCOME = "outcome", _("Outcome (how is life going)")
        SESSION = "session", _("Session (how was the meeting)")
        COLLABORATION = "collaboration", _("The family's rating of the collaboration")

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_da = models.CharField(_("Danish name"), max_length=120, blank=True)
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    item_min = models.PositiveSmallIntegerField(_("lowest item score"), default=0)
    item_max = models.PositiveSmallIntegerField(_("highest item score"), default=10)
    clinical_cutoff = models.DecimalField(
        _("clinical cut-off"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("A total below this is in the clinical range."),
    )
    reliable_change = models.DecimalField(
        _("reliable change"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.1"))],
        help_text=_("A change in the total at least this large is more than measurement noise."),
    )
    age_min = models.PositiveSmallIntegerField(_("from age"), null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(_("to age"), null=True, blank=True)
    source = models.CharField(
        _("source and licence"),
        max_length=300,
        blank=True,
        help_text=_("Who publishes the measure and on which terms it may be used."),
    )

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("rating scale")
        verbose_name_plural = _("rating scales")
        constraints = [
            models.CheckConstraint(
                condition=Q(item_max__gt=models.F("item_min")),
                name="feedback_scale_range",
                violation_error_message=_("The highest score must be above the lowest."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        from django.utils.translation import get_language

        if self.name_da and (get_language() or "da").startswith("da"):
            return self.name_da
        return self.name

    @property
    def total_max(self) -> int:
        return self.item_max * len(self.item_list)

    @property
    def item_list(self) -> list[ScaleItem]:
        """The items in order (cached; prefetch ``items`` to avoid a query)."""
        return list(self.items.all())

    def fits_age(self, age: int) -> bool:
        return (self.age_min is None or age >= self.age_min) and (
            self.age_max is None or age <= self.age_max
        )


class ScaleItem(models.Model):
    scale = models.ForeignKey(Scale, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    label = models.CharField(_("label"), max_length=100)
    label_da = models.CharField(_("Danish label"), max_length=100, blank=True)
    low_anchor = models.CharField(_("low end"), max_length=100, blank=True)
    high_anchor = models.CharField(_("high end"), max_length=100, blank=True)

    class Meta:
        ordering = ["scale", "position"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "position"], name="feedback_item_position"),
        ]

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        from django.utils.translation import get_language

        if self.label_da and (get_language() or "da").startswith("da"):
            return self.label_da
        return self.label


class ScaleActivation(models.Model):
    """A municipality has enabled a scale (and holds the licence it needs)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="scale_activations"
    )
    scale = models.ForeignKey(Scale, on_delete=models.CASCADE, related_name="activations")
    enabled_on = models.DateField(default=today)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "scale"], name="feedback_activation_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality}: {self.scale}"


class Rating(models.Model):
    """One completed rating: the item scores and their total, on a date."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="ratings")
    scale = models.ForeignKey(Scale, on_delete=models.PROTECT, related_name="ratings")
    citizen = models.ForeignKey(
        Citizen,
        on_delete=models.PROTECT,
        related_name="ratings",
        verbose_name=_("about whom"),
    )
    rated_on = models.DateField(_("date"), default=today)
    scores = models.JSONField(_("item scores"))
    total = models.DecimalField(_("total"), max_digits=6, decimal_places=1)
    given_by = models.CharField(
        _("given by"), max_length=100, help_text=_("For example the child, the mother.")
    )
    recorded_by = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
        help_text=_("Empty when the family entered the rating themselves."),
    )
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["rated_on", "pk"]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        indexes = [
            models.Index(fields=["plan", "scale", "rated_on"], name="feedback_rating_series")
        ]

    def __str__(self) -> str:
        return f"{self.scale.code} {self.total} ({self.rated_on:%d.%m.%Y})"

    def clean(self) -> None:
        super().clean()
        if self.scale_id is None or not isinstance(self.scores, list):
            return
        items = self.scale.item_list
        if len(self.scores) != len(items):
            raise ValidationError(
                {
                    "scores": _("%(scale)s has %(n)d items; %(got)d scores were given.")
                    % {"scale": self.scale, "n": len(items), "got": len(self.scores)}
                },
                code="item_count",
            )
        errors = []
        for item, value in zip(items, self.scores, strict=True):
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not (self.scale.item_min <= value <= self.scale.item_max)
            ):
                errors.append(
                    ValidationError(
                        _("The score for “%(item)s” must be a number from %(low)d to %(high)d.")
                        % {
                            "item": item.display_label,
                            "low": self.scale.item_min,
                            "high": self.scale.item_max,
                        },
                        code="out_of_range",
                    )
                )
        if errors:
            raise ValidationError({"scores": errors})
