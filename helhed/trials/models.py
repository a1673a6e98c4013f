"""Trial actions (prøvehandlinger): try something across sectors, fund it, evaluate it, decide.

Stevns funds trial actions and lets resources follow the child's community;
Aarhus's cross-administration team followed 62 families against their
baseline; Esbjerg compared its 200 young people with the job centre's usual
course. A ``Trial`` has a hypothesis, an owner, participants across sectors,
the indicators it watches, and a period. Money comes from a forum that may
grant (``Application`` decided by a ``forums.Decision`` within the forum's
limit and budget) and is spent (``Expense``). ``Evaluation`` rows hold the
interim and final evaluation, each with results per indicator against a
comparison group or a baseline (``EvaluationResult``). ``TrialStory`` links
the everyday stories (shared, anonymised) that show what numbers cannot.
The trial ends with a decision to scale, adjust or stop.

No citizen is named in a trial; access is decided in ``helhed.policy``,
section "trials".
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from helhed.forums.models import Decision, Forum
from helhed.lib.validity import today
from helhed.organisation.models import Municipality, Staff, Unit
from helhed.plans.models import Story
from helhed.results.models import Indicator


class Trial(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        RUNNING = "running", _("Running")
        EVALUATED = "evaluated", _("Evaluated")
        CLOSED = "closed", _("Decided")

    class Outcome(models.TextChoices):
        SCALE = "scale", _("Scale up")
        ADJUST = "adjust", _("Adjust and continue")
        STOP = "stop", _("Stop")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("trial"), max_length=200)
    hypothesis = models.TextField(
        _("hypothesis"), help_text=_("If we do this, then that will happen, because ...")
    )
    owner = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    units = models.ManyToManyField(Unit, related_name="trials", verbose_name=_("units taking part"))
    participants = models.ManyToManyField(
        Staff, related_name="trials", blank=True, verbose_name=_("participants")
    )
    indicators = models.ManyToManyField(
        Indicator, related_name="trials", blank=True, verbose_name=_("indicators it watches")
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    comparison = models.TextField(
        _("comparison group"),
        blank=True,
        help_text=_("Who the trial is compared with, or 'own baseline' when there is no group."),
    )
    budget = models.DecimalField(
        _("budget (DKK)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    outcome = models.CharField(_("decision"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_reason = models.TextField(_("why"), blank=True)
    outcome_on = models.DateField(_("decided on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("trial action")
        verbose_name_plural = _("trial actions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="trials_trial_ends_after_start",
                violation_error_message=_("A trial cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(outcome="", outcome_on__isnull=True)
                | (~Q(outcome="") & Q(outcome_on__isnull=False)),
                name="trials_trial_outcome_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Application(models.Model):
    """An application to a forum for a grant; the forum's decision grants it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting the forum")
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="applications")
    forum = models.ForeignKey(Forum, on_delete=models.PROTECT, related_name="applications")
    amount = models.DecimalField(
        _("amount applied for (DKK)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    reason = models.TextField(_("what the money is for"))
    applied_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    applied_on = models.DateField(_("applied on"), default=today)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    decision = models.OneToOneField(
        Decision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="application",
        verbose_name=_("the forum's decision"),
    )

    class Meta:
        ordering = ["-applied_on", "-pk"]
        verbose_name = _("grant application")
        verbose_name_plural = _("grant applications")

    def __str__(self) -> str:
        return f"{self.trial}: {self.amount} ({self.forum})"


class Expense(models.Model):
    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="expenses")
    amount = models.DecimalField(
        _("amount (DKK)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    spent_on = models.DateField(_("spent on"))
    text = models.CharField(_("what for"), max_length=200)
    recorded_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-spent_on", "-pk"]
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")

    def __str__(self) -> str:
        return f"{self.text}: {self.amount}"


class Evaluation(models.Model):
    class Kind(models.TextChoices):
        INTERIM = "interim", _("Interim evaluation")
        FINAL = "final", _("Final evaluation")

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="evaluations")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    evaluated_on = models.DateField(_("evaluated on"))
    summary = models.TextField(_("what we see"))
    persons_in_trial = models.PositiveIntegerField(_("persons in the trial"))
    persons_compared = models.PositiveIntegerField(
        _("persons in the comparison group"), null=True, blank=True
    )
    estimated_saving = models.DecimalField(
        _("estimated saving a year (DKK)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    written_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["evaluated_on", "pk"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self) -> str:
        return f"{self.trial}: {self.get_kind_display()}"


class EvaluationResult(models.Model):
    """One indicator's value in the trial against the comparison group or the baseline."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="results")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    trial_value = models.DecimalField(_("in the trial"), max_digits=14, decimal_places=3)
    comparison_value = models.DecimalField(
        _("in the comparison group"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    baseline_value = models.DecimalField(
        _("baseline"), max_digits=14, decimal_places=3, null=True, blank=True
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "indicator"], name="trials_result_once_per_indicator"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.trial_value}"


class TrialStory(models.Model):
    """An everyday story that belongs to the trial (only a shared, anonymised one is shown)."""

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="stories")
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["trial", "story"], name="trials_story_once")]

    def __str__(self) -> str:
        return f"{self.trial}: {self.story}"
