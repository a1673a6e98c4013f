"""What the analytics engine publishes, and what benchmarking compares municipalities by.

``Cell`` is the engine's output after suppression: one indicator for one unit,
period and group (all, by sex, by age band). Dashboards, the API and the
exports read cells, never the observation store, so a page costs one indexed
query. A suppressed cell is stored *without* its numbers: nothing that reads
the table can show what the engine decided to hide.

``Profile`` holds a municipality's size and social profile (the ministry's
socio-economic index, 1.00 = the national average), from which the group of
comparable municipalities is chosen.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from helhed.organisation.models import Municipality, Unit
from helhed.results.periods import validate_period_code
from helhed.results.status import MIN_PERSONS


class Cell(models.Model):
    class Suppression(models.TextChoices):
        SHOWN = "", _("Shown")
        PRIMARY = "primary", _("Fewer than 5 persons")
        COMPLEMENTARY = "complementary", _("Hidden so a small number cannot be worked out")

    indicator_code = models.SlugField(_("indicator"), max_length=60)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name=_("municipality")
    )
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    unit_key = models.UUIDField(editable=False)
    period = models.CharField(_("period"), max_length=10, validators=[validate_period_code])
    period_start = models.DateField(editable=False)
    group = models.CharField(_("group"), max_length=20, default="all")
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=3, null=True)
    numerator = models.DecimalField(max_digits=18, decimal_places=3, null=True)
    denominator = models.DecimalField(max_digits=18, decimal_places=3, null=True)
    persons = models.PositiveIntegerField(null=True)
    suppression = models.CharField(
        _("suppression"), max_length=20, choices=Suppression.choices, blank=True, default=""
    )
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("published cell")
        verbose_name_plural = _("published cells")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator_code", "unit_key", "period", "group"],
                name="analytics_cell_one_per_unit_period_group",
            )
        ]
        indexes = [
            models.Index(
                fields=["unit_key", "indicator_code", "group", "period_start"],
                name="analytics_cell_series",
            ),
            models.Index(
                fields=["indicator_code", "period", "group"], name="analytics_cell_compare"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_code} {self.unit_key} {self.period} {self.group}"

    def is_visible(self) -> bool:
        """Whether the numbers may be shown: not hidden, a value, and at least 5 persons.

        The one rule every page, file and endpoint asks: a cell stored with
        fewer than 5 persons but no suppression mark (an import gone wrong) is
        hidden all the same.
        """
        return (
            not self.suppression
            and self.value is not None
            and self.persons is not None
            and self.persons >= MIN_PERSONS
        )

    def hidden_reason(self) -> str:
        """Why the cell is hidden (a ``Suppression`` value), or "" when it is not.

        A cell published without a value (a denominator of nothing) is not
        hidden: it has no data.
        """
        if self.is_visible():
            return ""
        if self.suppression or self.value is not None or self.persons is not None:
            return str(self.suppression or Cell.Suppression.PRIMARY)
        return ""


class Profile(models.Model):
    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, related_name="profile"
    )
    inhabitants = models.PositiveIntegerField(_("inhabitants"))
    social_index = models.DecimalField(
        _("socio-economic index"),
        max_digits=5,
        decimal_places=2,
        help_text=_("The ministry's index of expected spending need; 1.00 is national average."),
    )
    updated_on = models.DateField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("municipality profile")
        verbose_name_plural = _("municipality profiles")

    def __str__(self) -> str:
        return f"{self.municipality}: {self.inhabitants} ({self.social_index})"


class ComputeRun(models.Model):
    """One run of ``helhed compute``: what it did, for the freshness line on dashboards."""

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True)
    periods = models.CharField(max_length=400, blank=True)
    observations = models.BigIntegerField(default=0)
    cells = models.PositiveIntegerField(default=0)
    suppressed = models.PositiveIntegerField(default=0)
    seconds = models.DecimalField(max_digits=9, decimal_places=3, null=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}: {self.cells} cells"


class BenchObservation(models.Model):
    """The observation store's rows in the operational database, for ``helhed bench`` only.

    It exists so the benchmark can time what a web developer would write with
    the Django ORM (``analytics.bench.orm_baseline``) against the engine on
    the same data. Nothing else reads or writes it; the benchmark empties it
    when it is done. Unit ids are the store's plain integers, not foreign keys.
    """

    pseudonym = models.BigIntegerField()
    birth_year = models.SmallIntegerField()
    sex = models.CharField(max_length=1)
    unit_id = models.IntegerField()
    municipality = models.SmallIntegerField()
    date = models.DateField()
    kind = models.CharField(max_length=30)
    value = models.DecimalField(max_digits=18, decimal_places=3)

    class Meta:
        indexes = [models.Index(fields=["kind", "date"], name="analytics_benchobs_kind_date")]

    def __str__(self) -> str:
        return f"{self.kind} {self.pseudonym} {self.date}"


class BenchUnit(models.Model):
    """The store's unit tree for the ORM baseline of ``helhed bench``, which walks it in Python."""

    unit_id = models.IntegerField(primary_key=True)
    parent_id = models.IntegerField(null=True)

    def __str__(self) -> str:
        return f"{self.unit_id} < {self.parent_id}"
