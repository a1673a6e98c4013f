"""The results chain: ambitions > markers (pejlemærker) > indicators > targets, and reports.

A committee's political *ambition* is broken into a few *markers*; each marker
is followed by *indicators* from the municipality's catalogue; each indicator
has *targets* per unit and period and *measurements* per unit and period. A
*status report* tells a committee, at its cadence, how the markers are doing.
*Turn the curve* plans and *reflection meetings* are what leaders do with it.

Results follow a unit's identity, not one registration of it: targets and
measurements store the unit's ``key`` beside the registration they were made
for, so a reorganisation (which opens new registrations with the same key)
keeps a unit's history whole.

Everything here is an aggregate about units; no model in this app points at a
citizen.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from helhed.organisation.models import Municipality, Staff, Unit
from helhed.results.periods import Frequency, Period, validate_period_code

# --------------------------------------------------------------------------- committees


class Committee(models.Model):
    """A political committee (udvalg) that owns ambitions and receives status reports."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="committees"
    )
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    cadence = models.CharField(
        _("reporting cadence"),
        max_length=10,
        choices=Frequency.choices,
        default=Frequency.QUARTERLY,
        help_text=_("How often the committee gets a status report."),
    )
    report_due_days = models.PositiveSmallIntegerField(
        _("report due (days after the period)"),
        default=45,
        validators=[MinValueValidator(1)],
        help_text=_("The report should be approved this many days after its period ends."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("committee")
        verbose_name_plural = _("committees")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"], name="results_committee_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


# --------------------------------------------------------------------------- the catalogue


class Indicator(models.Model):
    """What is measured, how, and which way is better: one entry of the catalogue.

    The value is ``numerator / denominator * factor`` (a share in percent, a
    rate per 1,000, or a plain number when there is no denominator). The
    catalogue is seeded from ``results/data/indicators.json`` and then belongs
    to the municipality, which may edit it.
    """

    class Direction(models.TextChoices):
        HIGHER = "higher", _("Higher is better")
        LOWER = "lower", _("Lower is better")

    class Factor(models.IntegerChoices):
        NUMBER = 1, _("Number")
        PERCENT = 100, _("Percent")
        PER_THOUSAND = 1000, _("Per 1,000")

    class Kind(models.TextChoices):
        """Results-Based Accountability: population indicator or performance measure."""

        POPULATION = "population", _("Population indicator")
        HOW_MUCH = "how_much", _("How much did we do?")
        HOW_WELL = "how_well", _("How well did we do it?")
        BETTER_OFF = "better_off", _("Is anyone better off?")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="indicators"
    )
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    definition = models.TextField(_("definition"), help_text=_("What is counted, and how."))
    population = models.CharField(
        _("population"), max_length=300, blank=True, help_text=_("Who is counted.")
    )
    numerator = models.CharField(_("numerator"), max_length=300, blank=True)
    denominator = models.CharField(
        _("denominator"), max_length=300, blank=True, help_text=_("Empty for a plain number.")
    )
    factor = models.PositiveIntegerField(
        _("factor"), choices=Factor.choices, default=Factor.PERCENT
    )
    unit_label = models.CharField(_("unit of measure"), max_length=40, help_text=_("“%”, “days”"))
    decimals = models.PositiveSmallIntegerField(_("decimals shown"), default=1)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    kind = models.CharField(
        _("RBA kind"), max_length=12, choices=Kind.choices, default=Kind.POPULATION
    )
    source = models.CharField(_("source"), max_length=200)
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.QUARTERLY
    )
    computed_by = models.CharField(
        _("computed by"),
        max_length=60,
        blank=True,
        help_text=_("A registered computation; empty when values are entered or imported."),
    )
    counts_persons = models.BooleanField(
        _("counts persons"),
        default=True,
        help_text=_("Values based on fewer than 5 persons are not shown."),
    )
    amber_margin = models.DecimalField(
        _("amber margin"),
        max_digits=12,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text=_(
            "How far from the target (in the unit of measure) still counts as amber. "
            "Empty: 10 percent of the target."
        ),
    )
    national_value = models.DecimalField(
        _("national value"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    national_note = models.CharField(_("national comparison"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "code"], name="results_indicator_unique_code"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def higher_is_better(self) -> bool:
        return self.direction == self.Direction.HIGHER


# --------------------------------------------------------------------------- ambitions, markers


class Ambition(models.Model):
    """A political goal of a committee for a period of years, with one owner.

    Its units are the administrations it spans; more than one makes it a
    cross-cutting goal.
    """

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="ambitions"
    )
    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="ambitions", verbose_name=_("committee")
    )
    title = models.CharField(_("ambition"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    first_year = models.PositiveSmallIntegerField(_("from year"))
    last_year = models.PositiveSmallIntegerField(_("to year"))
    owner = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="ambitions_owned", verbose_name=_("owner")
    )
    units = models.ManyToManyField(Unit, related_name="ambitions", verbose_name=_("units"))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["committee__name", "title"]
        verbose_name = _("ambition")
        verbose_name_plural = _("ambitions")
        constraints = [
            models.CheckConstraint(
                condition=Q(last_year__gte=models.F("first_year")),
                name="results_ambition_years_order",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.first_year and self.last_year and self.last_year < self.first_year:
            raise ValidationError(
                {"last_year": _("The last year cannot come before the first.")}, code="years"
            )
        if (
            self.committee_id
            and self.municipality_id
            and self.committee.municipality_id != self.municipality_id
        ):
            raise ValidationError(
                {"committee": _("The committee belongs to another municipality.")},
                code="other_municipality",
            )

    def covers(self, period: Period) -> bool:
        return self.first_year <= period.year <= self.last_year


class Marker(models.Model):
    """A quality marker (pejlemærke): what the ambition means in practice, followed by indicators.

    Its units narrow the ambition's units; empty means the ambition's.
    """

    ambition = models.ForeignKey(
        Ambition, on_delete=models.CASCADE, related_name="markers", verbose_name=_("ambition")
    )
    title = models.CharField(_("quality marker"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        related_name="markers_owned",
        verbose_name=_("responsible leader"),
    )
    indicators = models.ManyToManyField(
        Indicator, related_name="markers", blank=True, verbose_name=_("indicators")
    )
    units = models.ManyToManyField(
        Unit, related_name="markers", blank=True, verbose_name=_("units")
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=10)

    class Meta:
        ordering = ["ambition_id", "sort_order", "pk"]
        verbose_name = _("quality marker")
        verbose_name_plural = _("quality markers")

    def __str__(self) -> str:
        return self.title

    def scope_units(self) -> list[Unit]:
        """The units the marker is measured for: its own, else its ambition's."""
        own = list(self.units.all())
        return own or list(self.ambition.units.all())


# --------------------------------------------------------------------------- targets, values


def _unit_key(unit: Unit) -> Any:
    return unit.key


class Target(models.Model):
    """The value a unit aims for from a period on, with the baseline it starts from.

    A target holds from ``applies_from`` until the unit's next target. A unit
    without one of its own inherits the nearest ancestor's (``status.target_for``).
    """

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    unit_key = models.UUIDField(db_index=True, editable=False)
    applies_from = models.CharField(
        _("from period"), max_length=10, validators=[validate_period_code]
    )
    applies_from_start = models.DateField(editable=False)
    value = models.DecimalField(_("target"), max_digits=12, decimal_places=3)
    baseline_value = models.DecimalField(
        _("baseline"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    baseline_period = models.CharField(
        _("baseline period"), max_length=10, blank=True, validators=[validate_period_code]
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    set_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", null=True)
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["indicator_id", "unit_key", "applies_from_start"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit_key", "applies_from"],
                name="results_target_one_per_unit_period",
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} – {self.unit} – {self.applies_from}: {self.value}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.unit_key = _unit_key(self.unit)
        self.applies_from = Period.parse(self.applies_from).code
        self.applies_from_start = Period.parse(self.applies_from).start
        super().save(*args, **kwargs)

    @property
    def period(self) -> Period:
        return Period.parse(self.applies_from)


class Measurement(models.Model):
    """The value of an indicator for a unit in a period, and where it came from."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by hand")
        IMPORT = "import", _("Imported")
        COMPUTED = "computed", _("Computed")

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="measurements")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    unit_key = models.UUIDField(editable=False)
    period = models.CharField(_("period"), max_length=10, validators=[validate_period_code])
    period_start = models.DateField(editable=False)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=3)
    numerator = models.DecimalField(
        _("numerator"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    denominator = models.DecimalField(
        _("denominator"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    persons = models.PositiveIntegerField(
        _("persons counted"),
        null=True,
        blank=True,
        help_text=_("How many persons the value is based on; fewer than 5 is not shown."),
    )
    # Set by the analytics engine's complementary suppression: the value is based
    # on enough persons, but showing it would let a reader subtract a hidden one.
    suppressed = models.BooleanField(
        _("suppressed"),
        default=False,
        help_text=_("Hidden so that a value under 5 persons cannot be worked out from it."),
    )
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.MANUAL
    )
    source_detail = models.CharField(_("source detail"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["indicator_id", "unit_key", "period_start"]
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit_key", "period"],
                name="results_measurement_one_per_unit_period",
            )
        ]
        indexes = [
            models.Index(
                fields=["indicator", "unit_key", "period_start"], name="results_meas_series"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} – {self.unit} – {self.period}: {self.value}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.unit_key = _unit_key(self.unit)
        self.period = Period.parse(self.period).code
        self.period_start = Period.parse(self.period).start
        super().save(*args, **kwargs)


# --------------------------------------------------------------------------- status reports


class StatusReport(models.Model):
    """A committee's status report for one period: draft > submitted > approved (frozen).

    While a draft or submitted, the report shows live values. On approval its
    whole content is stored in ``snapshot``, and from then on the report (its
    page, its API answer and its PDF) is read from the snapshot only.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")

    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="reports", verbose_name=_("committee")
    )
    period = models.CharField(_("period"), max_length=10, validators=[validate_period_code])
    period_start = models.DateField(editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    due_on = models.DateField(_("due on"))
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    returned_reason = models.CharField(_("returned with"), max_length=500, blank=True)
    snapshot = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-period_start", "committee__name"]
        verbose_name = _("status report")
        verbose_name_plural = _("status reports")
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "period"], name="results_report_one_per_period"
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(snapshot__isnull=False),
                name="results_report_approved_is_frozen",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.committee} – {self.period_obj.label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.period = Period.parse(self.period).code
        self.period_start = Period.parse(self.period).start
        super().save(*args, **kwargs)

    @property
    def period_obj(self) -> Period:
        return Period.parse(self.period)

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.APPROVED


class ReportNarrative(models.Model):
    """The responsible leader's words on one marker in one report."""

    report = models.ForeignKey(StatusReport, on_delete=models.CASCADE, related_name="narratives")
    marker = models.ForeignKey(Marker, on_delete=models.PROTECT, related_name="narratives")
    text = models.TextField(_("narrative"))
    written_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("narrative")
        verbose_name_plural = _("narratives")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "marker"], name="results_narrative_one_per_marker"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report} – {self.marker}"


# --------------------------------------------------------------------------- turn the curve


class CurvePlan(models.Model):
    """Turn the curve: the six steps of Results-Based Accountability for one indicator and unit.

    1. the end wanted, 2. the baseline with a forecast if nothing changes,
    3. the story behind the curve, 4. partners, 5. what works, 6. actions
    with owners (``CurveAction``).
    """

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="curves")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    unit_key = models.UUIDField(db_index=True, editable=False)
    owner = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="curves_owned", verbose_name=_("owner")
    )
    end_wanted = models.TextField(_("the end we want"), blank=True)
    story = models.TextField(_("the story behind the curve"), blank=True)
    partners = models.TextField(_("partners with a role to play"), blank=True)
    what_works = models.TextField(_("what works"), blank=True)
    # [{"period": "2026-Q1", "value": "12.5"}, ...]: the curve if nothing changes.
    forecast = models.JSONField(default=list, blank=True)
    forecast_set_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    forecast_set_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("turn-the-curve plan")
        verbose_name_plural = _("turn-the-curve plans")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "unit_key"],
                condition=Q(is_active=True),
                name="results_curve_one_active_per_unit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} – {self.unit}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.unit_key = _unit_key(self.unit)
        super().save(*args, **kwargs)


class CurveAction(models.Model):
    """Step 6 of turning the curve: what we will do, who owns it, by when.

    Shaped like the plans app's ``Action`` (owner, due date, open/done/
    cancelled) but kept apart: a plan action belongs to a citizen's plan and
    is personal data, a curve action is about a unit's numbers and is not.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    curve = models.ForeignKey(CurvePlan, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(_("what is to be done"), max_length=300)
    owner = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="curve_actions", verbose_name=_("owner")
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("curve action")
        verbose_name_plural = _("curve actions")

    def __str__(self) -> str:
        return self.description


# --------------------------------------------------------------------------- reflection


class Reflection(models.Model):
    """A leader team's reflection meeting on its data: see, adjust, follow up.

    Only unit-level numbers are brought to it; comparisons between individual
    employees are never shown.
    """

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("held on"))
    led_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("led by")
    )
    participants = models.ManyToManyField(
        Staff, related_name="reflections", blank=True, verbose_name=_("participants")
    )
    indicators = models.ManyToManyField(
        Indicator, related_name="reflections", blank=True, verbose_name=_("data we looked at")
    )
    what_we_see = models.TextField(_("what we see"))
    what_we_adjust = models.TextField(_("what we will adjust"), blank=True)
    follow_up_owner = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("follow-up owner"),
    )
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    followed_up_on = models.DateField(_("followed up on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("reflection meeting")
        verbose_name_plural = _("reflection meetings")

    def __str__(self) -> str:
        return f"{self.unit} – {self.held_on}"
