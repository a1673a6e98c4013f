"""The one shared plan per citizen, and the work around it.

* ``Concern``: an early worry about a child, logged before any case exists,
  with a follow-up owner and date. It can be escalated into a ``Plan`` or a
  formal ``Notification`` (underretning); its ``ConcernEvent`` rows keep the
  history.
* ``Plan``: one active plan per citizen (or per family, through
  ``PlanMember``), with goals in the family's own words, efforts per sector,
  one coordinator and participants. Every change bumps ``Plan.version`` and
  stores a ``PlanVersion`` snapshot, so nothing is overwritten and an edit
  based on an old version is refused (optimistic locking).
* ``Referral``: from one unit to another; accepting it opens a time-limited
  engagement for the receiving unit.
* ``Meeting``: a dialogue-based network meeting with participants (the family
  included), decisions and ``Action`` rows with an owner and a due date.
* ``Story``: an everyday story (hverdagsfortælling), shareable anonymised.

Rules that span several rows live in ``actions.py``; access lives in
``helhed.policy``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helhed.citizens.models import Citizen, Consent
from helhed.lib.validity import today
from helhed.organisation.models import Municipality, Sector, Staff, Unit


class LegalBasis(models.TextChoices):
    """The acts efforts and referrals are most often given under."""

    FOLKESKOLELOVEN = "folkeskoleloven", _("Folkeskoleloven (the Public School Act)")
    BARNETS_LOV = "barnets_lov", _("Barnets Lov (the Children's Act)")
    SERVICELOVEN = "serviceloven", _("Serviceloven (the Social Services Act)")
    DAGTILBUDSLOVEN = "dagtilbudsloven", _("Dagtilbudsloven (the Day Care Act)")
    SUNDHEDSLOVEN = "sundhedsloven", _("Sundhedsloven (the Health Act)")
    LAB = "lab", _("LAB (the Act on Active Employment Efforts)")
    KUI = "kui", _("KUI (municipal efforts for young people under 25)")
    CONSENT = "consent", _("The family's consent")
    OTHER = "other", _("Other")


# --------------------------------------------------------------------------- concerns


class Concern(models.Model):
    """An early worry about a child, logged by any staff member before a case exists."""

    class Category(models.TextChoices):
        ABSENCE = "absence", _("School absence")
        WELLBEING = "wellbeing", _("Well-being")
        BEHAVIOUR = "behaviour", _("Behaviour")
        LEARNING = "learning", _("Learning and development")
        HEALTH = "health", _("Health")
        FAMILY = "family", _("Family circumstances")
        NEGLECT = "neglect", _("Neglect")
        VIOLENCE = "violence", _("Violence or abuse")
        SUBSTANCE = "substance", _("Alcohol or drugs")
        OTHER = "other", _("Other")

    class Severity(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")
        ACUTE = "acute", _("Acute")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        PLAN = "plan", _("Escalated into a plan")
        NOTIFIED = "notified", _("Escalated into a notification")

    citizen = models.ForeignKey(
        Citizen, on_delete=models.CASCADE, related_name="concerns", verbose_name=_("child")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="concerns", verbose_name=_("unit")
    )
    raised_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="concerns_raised", verbose_name=_("raised by")
    )
    observed_on = models.DateField(_("observed on"), default=today)
    observation = models.TextField(
        _("what was observed"), help_text=_("Describe what you saw or heard, not conclusions.")
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    parents_informed = models.BooleanField(_("the parents have been told"), default=False)
    parents_not_informed_reason = models.CharField(
        _("why the parents have not been told"), max_length=300, blank=True
    )
    follow_up_owner = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        related_name="concerns_owned",
        verbose_name=_("follow-up owner"),
    )
    follow_up_on = models.DateField(_("follow up by"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    outcome = models.TextField(_("outcome"), blank=True)
    plan = models.ForeignKey(
        "Plan",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="concerns",
        verbose_name=_("plan"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["follow_up_on", "pk"]
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")
        indexes = [
            models.Index(fields=["status", "follow_up_on"], name="plans_concern_status_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} ({self.observed_on:%d.%m.%Y})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def is_overdue(self, on: dt.date | None = None) -> bool:
        return self.is_open and self.follow_up_on < (on or today())


class ConcernEvent(models.Model):
    """One step in a concern's history: logged, followed up, reassigned, escalated, closed."""

    class Kind(models.TextChoices):
        LOGGED = "logged", _("Logged")
        NOTE = "note", _("Follow-up note")
        REASSIGNED = "reassigned", _("New follow-up owner or date")
        CLOSED = "closed", _("Closed")
        PLAN = "plan", _("Escalated into a plan")
        NOTIFIED = "notified", _("Escalated into a notification")

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%d.%m.%Y}"


class Notification(models.Model):
    """A formal notification (underretning) to the social services, Barnets Lov § 133."""

    citizen = models.ForeignKey(
        Citizen, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("child")
    )
    concern = models.OneToOneField(
        Concern,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notification",
        verbose_name=_("concern"),
    )
    reported_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("reported by")
    )
    from_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("from unit")
    )
    to_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="notifications_received",
        verbose_name=_("received by"),
    )
    reported_on = models.DateField(_("reported on"), default=today)
    reason = models.TextField(_("reason"))

    class Meta:
        ordering = ["-reported_on", "-pk"]
        verbose_name = _("notification (underretning)")
        verbose_name_plural = _("notifications (underretninger)")

    def __str__(self) -> str:
        return f"{self.citizen} {self.reported_on:%d.%m.%Y}"


# --------------------------------------------------------------------------- the plan


class Plan(models.Model):
    """The one shared plan around a citizen or a family."""

    class Kind(models.TextChoices):
        CITIZEN = "citizen", _("For one citizen")
        FAMILY = "family", _("For the whole family")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="plans", verbose_name=_("municipality")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CITIZEN)
    title = models.CharField(_("title"), max_length=200)
    what_matters = models.TextField(
        _("what matters to the family"),
        blank=True,
        help_text=_("In the family's own words: what a good everyday life looks like."),
    )
    coordinator = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        related_name="plans_coordinated",
        verbose_name=_("coordinator"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    started_on = models.DateField(_("started on"), default=today)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    close_reason = models.CharField(_("why the plan was closed"), max_length=300, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-started_on", "-pk"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    def citizens(self) -> models.QuerySet[Citizen]:
        return Citizen.objects.filter(plan_memberships__plan=self).order_by("plan_memberships__pk")

    @property
    def lead_citizen(self) -> Citizen:
        """The citizen the plan is first of all about (the first member)."""
        member = self.members.select_related("citizen").order_by("pk").first()
        if member is None:
            raise ValueError("A plan always has at least one member")
        return member.citizen


class PlanMember(models.Model):
    """A citizen the plan is about; a family plan has several.

    ``is_active`` mirrors the plan's status so that the database itself can
    guarantee one active plan per citizen (a partial unique index).
    """

    class Role(models.TextChoices):
        CHILD = "child", _("Child or young person")
        ADULT = "adult", _("Adult in the family")

    class Occupation(models.TextChoices):
        NONE = "", _("Not recorded")
        SCHOOL = "school", _("In school")
        EDUCATION = "education", _("In education")
        JOB = "job", _("In work")
        JOB_SEEKING = "job_seeking", _("Seeking work")
        SICK = "sick", _("On sick leave")
        OTHER_BENEFIT = "benefit", _("On another benefit")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="members")
    citizen = models.ForeignKey(
        Citizen,
        on_delete=models.PROTECT,
        related_name="plan_memberships",
        verbose_name=_("citizen"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.CHILD)
    occupation = models.CharField(
        _("job or education status"),
        max_length=12,
        choices=Occupation.choices,
        blank=True,
        default=Occupation.NONE,
    )
    is_active = models.BooleanField(default=True, editable=False)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["citizen"],
                condition=Q(is_active=True),
                name="plans_plan_one_active_per_citizen",
                violation_error_message=_("This citizen already has an active plan."),
            ),
            models.UniqueConstraint(fields=["plan", "citizen"], name="plans_planmember_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.citizen} – {self.plan}"


class Goal(models.Model):
    """A goal in the citizen's or family's own words."""

    class FormulatedBy(models.TextChoices):
        CHILD = "child", _("The child or young person")
        PARENT = "parent", _("A parent")
        FAMILY = "family", _("The family together")
        CITIZEN = "citizen", _("The citizen (adult)")
        NETWORK = "network", _("The family with the network")

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        PROGRESSING = "progressing", _("Progressing")
        STUCK = "stuck", _("Stuck")
        ACHIEVED = "achieved", _("Achieved")
        DROPPED = "dropped", _("Dropped")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    citizen = models.ForeignKey(
        Citizen,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("whose goal"),
        help_text=_("Empty for a goal of the whole family."),
    )
    text = models.TextField(_("goal in their own words"))
    formulated_by = models.CharField(
        _("formulated by"), max_length=10, choices=FormulatedBy.choices
    )
    formulated_by_name = models.CharField(_("name of who formulated it"), max_length=100)
    target_date = models.DateField(_("target date"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED
    )
    status_changed_on = models.DateField(_("status changed on"), default=today)

    class Meta:
        ordering = ["target_date", "pk"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self) -> str:
        return self.text[:60]


class Effort(models.Model):
    """An effort (indsats) by one sector, under a legal basis, with a monthly cost."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="efforts")
    citizen = models.ForeignKey(
        Citizen,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("for whom"),
        help_text=_("Empty for an effort for the whole family."),
    )
    title = models.CharField(_("effort"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    sector = models.ForeignKey(
        Sector, on_delete=models.PROTECT, related_name="+", verbose_name=_("sector")
    )
    responsible_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="efforts", verbose_name=_("responsible unit")
    )
    legal_basis = models.CharField(_("legal basis"), max_length=20, choices=LegalBasis.choices)
    legal_reference = models.CharField(
        _("section"), max_length=60, blank=True, help_text=_("For example § 32, stk. 1.")
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    monthly_cost = models.DecimalField(
        _("monthly cost (DKK)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    goals = models.ManyToManyField(
        Goal, blank=True, related_name="efforts", verbose_name=_("goals it serves")
    )
    # A method from the municipality's shared library (``leadership.Method``),
    # named by string so this app does not import the leadership app above it.
    method = models.ForeignKey(
        "leadership.Method",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="efforts",
        verbose_name=_("method"),
        help_text=_("The common method the effort works by, if any."),
    )
    # Who pays ("solve first, settle later"): the effort may start before the
    # payer is agreed. ``paying_unit`` is the budget that pays within the
    # municipality; ``paying_authority`` another municipality or the region.
    # While ``payer_agreed_on`` is empty the settlement is open, and the
    # responsible unit fronts the cost (``plans/actions/payments.py``).
    paying_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="efforts_paid",
        verbose_name=_("paying budget"),
    )
    paying_authority = models.CharField(
        _("paying authority"),
        max_length=150,
        blank=True,
        help_text=_("Another municipality or the region, when they pay."),
    )
    payer_agreed_on = models.DateField(_("payer agreed on"), null=True, blank=True)
    payer_agreed_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["starts_on", "pk"]
        verbose_name = _("effort")
        verbose_name_plural = _("efforts")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="plans_effort_ends_after_start",
                violation_error_message=_("An effort cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(monthly_cost__gte=0),
                name="plans_effort_cost_not_negative",
                violation_error_message=_("The monthly cost cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(payer_agreed_on__isnull=True)
                | Q(paying_unit__isnull=False)
                | ~Q(paying_authority=""),
                name="plans_effort_agreed_payer_named",
                violation_error_message=_("An agreed payer must be named."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def status_on(self, on: dt.date | None = None) -> str:
        on = on or today()
        if self.starts_on > on:
            return self.Status.PLANNED
        if self.ends_on is not None and self.ends_on < on:
            return self.Status.ENDED
        return self.Status.ACTIVE

    @property
    def yearly_cost(self) -> Decimal:
        return self.monthly_cost * 12


class Participant(models.Model):
    """A professional taking part in the plan; participation opens the plan to them."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="participants")
    staff = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="plan_participations", verbose_name=_("staff")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("on behalf of unit")
    )
    role = models.CharField(_("role in the plan"), max_length=100, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "staff"], name="plans_participant_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.staff} ({self.unit})"


class PlanVersion(models.Model):
    """A snapshot of the whole plan after a change: who, when, what."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    changed_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("changed by")
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    summary = models.CharField(_("what changed"), max_length=300)
    snapshot = models.JSONField()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plans_planversion_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"


# --------------------------------------------------------------------------- referrals


class Referral(models.Model):
    """A referral of a citizen from one unit to another, and its answer."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        RECEIVED = "received", _("Received")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    OPEN_STATUSES = (Status.SENT, Status.RECEIVED)

    citizen = models.ForeignKey(
        Citizen, on_delete=models.CASCADE, related_name="referrals", verbose_name=_("citizen")
    )
    plan = models.ForeignKey(
        Plan,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("plan"),
    )
    from_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="referrals_sent", verbose_name=_("from unit")
    )
    to_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="referrals_received",
        verbose_name=_("to unit"),
    )
    sent_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="referrals_sent", verbose_name=_("sent by")
    )
    question = models.TextField(
        _("what we ask for"), help_text=_("What the receiving unit is asked to help with.")
    )
    legal_basis = models.CharField(_("legal basis"), max_length=20, choices=LegalBasis.choices)
    consent = models.ForeignKey(
        Consent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("consent"),
    )
    access_days = models.PositiveIntegerField(
        _("access for (days)"),
        default=90,
        validators=[MinValueValidator(1)],
        help_text=_("How long the receiving unit may see the citizen once it accepts."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SENT
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    access_until = models.DateField(_("access until"), null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_unit=models.F("to_unit")),
                name="plans_referral_between_units",
                violation_error_message=_("A referral must go to another unit."),
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="plans_referral_rejection_has_reason",
                violation_error_message=_("A rejection needs a reason."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_unit} → {self.to_unit}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def waiting_time(self, now: dt.datetime | None = None) -> dt.timedelta:
        """From sending to the answer, or until now while it is still open."""
        end = self.decided_at or now or timezone.now()
        return end - self.sent_at

    @property
    def waiting_days(self) -> int:
        return self.waiting_time().days

    def clean(self) -> None:
        super().clean()
        if self.legal_basis == LegalBasis.CONSENT and self.consent_id is None:
            raise ValidationError(
                {"consent": _("Choose the consent the referral rests on.")}, code="no_consent"
            )


# --------------------------------------------------------------------------- meetings


class Meeting(models.Model):
    """A dialogue-based network meeting about a plan, with the family at the table."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    without_citizen_reason = models.CharField(
        _("why the citizen and family are not taking part"),
        max_length=300,
        blank=True,
        help_text=_("No meeting about the citizen without the citizen, unless you say why."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    minutes = models.TextField(_("minutes"), blank=True)
    family_summary = models.TextField(
        _("summary for the family"),
        blank=True,
        help_text=_("In plain language: what we talked about and what happens next."),
    )
    created_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("network meeting")
        verbose_name_plural = _("network meetings")

    def __str__(self) -> str:
        return f"{self.plan} {timezone.localtime(self.starts_at):%d.%m.%Y %H:%M}"

    def has_family(self) -> bool:
        return self.participants.filter(citizen__isnull=False).exists()


class MeetingParticipant(models.Model):
    """Someone at the table: a professional, or a member of the family by name and role."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    staff = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    citizen = models.ForeignKey(
        Citizen, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=100)
    attended = models.BooleanField(_("attended"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(staff__isnull=True) | Q(citizen__isnull=True),
                name="plans_meetingparticipant_staff_or_citizen",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("decision"))

    class Meta:
        ordering = ["pk"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return self.text[:60]


class ActionQuerySet(models.QuerySet["Action"]):
    def open(self) -> ActionQuerySet:
        return self.filter(status=Action.Status.OPEN)

    def overdue(self, on: dt.date | None = None) -> ActionQuerySet:
        return self.open().filter(due_on__lt=on or today())


class Action(models.Model):
    """A follow-up with one named owner and a due date."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    decision = models.ForeignKey(
        Decision, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    description = models.CharField(_("what is to be done"), max_length=300)
    owner = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="actions_owned", verbose_name=_("owner")
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        indexes = [models.Index(fields=["owner", "status", "due_on"], name="plans_action_owner")]

    def __str__(self) -> str:
        return self.description

    def is_overdue(self, on: dt.date | None = None) -> bool:
        return self.status == self.Status.OPEN and self.due_on < (on or today())


# --------------------------------------------------------------------------- stories


class Story(models.Model):
    """An everyday story (hverdagsfortælling) about a plan or a goal.

    The author may propose an anonymised version for sharing; a leader of the
    author's unit decides. Leaders only ever read the anonymised text.
    """

    class Sharing(models.TextChoices):
        PRIVATE = "private", _("Only in the plan")
        PROPOSED = "proposed", _("Proposed for sharing")
        SHARED = "shared", _("Shared anonymised")
        DECLINED = "declined", _("Not shared")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="stories")
    goal = models.ForeignKey(
        Goal,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stories",
        verbose_name=_("goal"),
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("story"))
    told_by = models.CharField(_("told by"), max_length=100, blank=True)
    written_by = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        related_name="stories_written",
        verbose_name=_("written by"),
    )
    written_on = models.DateField(_("written on"), default=today)
    anonymised_text = models.TextField(
        _("anonymised version"),
        blank=True,
        help_text=_("Without names, places or details that could identify the family."),
    )
    sharing = models.CharField(
        _("sharing"), max_length=10, choices=Sharing.choices, default=Sharing.PRIVATE
    )
    sharing_decided_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sharing_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit the author wrote for"),
    )

    class Meta:
        ordering = ["-written_on", "-pk"]
        verbose_name = _("everyday story")
        verbose_name_plural = _("everyday stories")

    def __str__(self) -> str:
        return self.title


# --------------------------------------------------------------------------- worklist rule


class NeedsRule(models.Model):
    """When a citizen has composite needs and should have one plan and a coordinator.

    Høje-Taastrup's rule is the default: two or more ways into the
    municipality (sectors), three or more efforts, or more than DKK 150,000 a
    year across budgets. Efforts without progress are flagged for review after
    ``review_after_days``.
    """

    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, related_name="needs_rule"
    )
    min_sectors = models.PositiveSmallIntegerField(
        _("ways into the municipality (sectors)"), default=2, validators=[MinValueValidator(1)]
    )
    min_efforts = models.PositiveSmallIntegerField(
        _("efforts"), default=3, validators=[MinValueValidator(1)]
    )
    min_yearly_cost = models.DecimalField(
        _("yearly cost across budgets (DKK)"),
        max_digits=12,
        decimal_places=0,
        default=Decimal(150_000),
        validators=[MinValueValidator(Decimal(0))],
    )
    review_after_days = models.PositiveSmallIntegerField(
        _("review an effort without progress after (days)"),
        default=120,
        validators=[MinValueValidator(30)],
    )

    class Meta:
        verbose_name = _("rule for composite needs")
        verbose_name_plural = _("rules for composite needs")

    def __str__(self) -> str:
        return str(self.municipality)

    @classmethod
    def for_municipality(cls, municipality: Municipality) -> NeedsRule:
        """The municipality's rule, or the default rule (unsaved) when it has none."""
        rule = cls.objects.filter(municipality=municipality).first()
        return rule or cls(municipality=municipality)


# --------------------------------------------------------------------------- across sectors


class Handover(models.Model):
    """A handover of a citizen's course from one unit or sector to another.

    The sending unit holds the responsibility until the receiving unit accepts
    (``responsible_unit``); a handover past its deadline and not accepted is
    overdue and shows on the responsible leader's list.
    """

    class Kind(models.TextChoices):
        DISCHARGE = "discharge", _("Hospital discharge to home care")
        SCHOOL_TO_YOUTH = "school_to_youth", _("School to youth guidance")
        YOUTH_TO_ADULT = "youth_to_adult", _("Youth to adult services at 18")
        DAYCARE_TO_SCHOOL = "daycare_to_school", _("Daycare to school")
        OTHER = "other", _("Other handover")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for acceptance")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned to the sender")

    citizen = models.ForeignKey(
        Citizen, on_delete=models.PROTECT, related_name="handovers", verbose_name=_("citizen")
    )
    plan = models.ForeignKey(
        Plan, on_delete=models.SET_NULL, null=True, blank=True, related_name="handovers"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    from_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="handovers_sent", verbose_name=_("from")
    )
    to_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="handovers_received", verbose_name=_("to")
    )
    deadline = models.DateField(_("deadline"))
    note = models.TextField(_("what the receiver needs to know"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    created_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    created_on = models.DateField(_("created on"), default=today)
    decided_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_on = models.DateField(_("accepted or returned on"), null=True, blank=True)
    return_reason = models.TextField(_("why it was returned"), blank=True)

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_unit=models.F("to_unit")),
                name="plans_handover_between_two_units",
                violation_error_message=_("A handover goes to another unit."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.from_unit} → {self.to_unit}"

    @property
    def responsible_unit(self) -> Unit:
        """Who holds the responsibility: the sender until the receiver accepts."""
        return self.to_unit if self.status == self.Status.ACCEPTED else self.from_unit

    def is_overdue(self, on: dt.date | None = None) -> bool:
        return self.status == self.Status.PENDING and self.deadline < (on or today())


class HandoverItem(models.Model):
    """One point on a handover's checklist."""

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="items")
    text = models.CharField(_("checklist point"), max_length=200)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("checklist point")
        verbose_name_plural = _("checklist points")

    def __str__(self) -> str:
        return self.text


class Contradiction(models.Model):
    """Two efforts (or an effort and a goal) of one plan that work against each other.

    Flagged by anyone taking part in the plan, resolved in a network meeting.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="contradictions")
    effort = models.ForeignKey(Effort, on_delete=models.CASCADE, related_name="+")
    other_effort = models.ForeignKey(
        Effort, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    description = models.TextField(_("what contradicts"))
    raised_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    raised_on = models.DateField(_("raised on"), default=today)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contradictions_resolved",
        verbose_name=_("resolved in the meeting"),
    )
    resolution = models.TextField(_("how it was resolved"), blank=True)

    class Meta:
        ordering = ["-raised_on", "-pk"]
        verbose_name = _("contradiction")
        verbose_name_plural = _("contradictions")
        constraints = [
            models.CheckConstraint(
                condition=Q(other_effort__isnull=False) | Q(goal__isnull=False),
                name="plans_contradiction_has_two_sides",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:60]


class Contact(models.Model):
    """A professional's contact with a citizen or family: the red thread.

    When a citizen has a coordinator of record (an active plan's coordinator)
    and someone from another unit makes contact, the coordinator is told:
    ``coordinator`` is set and the contact waits on the coordinator's list
    until ``coordinator_seen_on``.
    """

    class Channel(models.TextChoices):
        MEETING = "meeting", _("Meeting")
        PHONE = "phone", _("Phone")
        HOME_VISIT = "home_visit", _("Home visit")
        MESSAGE = "message", _("Message")
        OTHER = "other", _("Other")

    citizen = models.ForeignKey(
        Citizen, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("citizen")
    )
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="contacts_made")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    contacted_on = models.DateField(_("contacted on"), default=today)
    channel = models.CharField(_("how"), max_length=20, choices=Channel.choices)
    purpose = models.CharField(_("purpose"), max_length=200)
    coordinator = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="contacts_to_see"
    )
    coordinator_seen_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-contacted_on", "-pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return f"{self.staff} – {self.contacted_on}"


class JourneyMark(models.Model):
    """A mark on one event of a citizen's journey: it worked well (green) or badly (red)."""

    class Mark(models.TextChoices):
        GREEN = "green", _("Worked well")
        RED = "red", _("Worked badly")

    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="journey_marks")
    event_type = models.CharField(_("event type"), max_length=40)
    event_id = models.PositiveBigIntegerField()
    mark = models.CharField(_("mark"), max_length=10, choices=Mark.choices)
    note = models.CharField(_("why"), max_length=300, blank=True)
    marked_by_staff = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    marked_by_family = models.BooleanField(_("marked by the family"), default=False)
    marked_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-marked_at", "-pk"]
        verbose_name = _("journey mark")
        verbose_name_plural = _("journey marks")
        constraints = [
            models.UniqueConstraint(
                fields=["citizen", "event_type", "event_id", "marked_by_staff"],
                condition=Q(marked_by_staff__isnull=False),
                name="plans_journeymark_once_per_staff",
            ),
            models.UniqueConstraint(
                fields=["citizen", "event_type", "event_id"],
                condition=Q(marked_by_family=True),
                name="plans_journeymark_once_by_family",
            ),
            models.CheckConstraint(
                condition=Q(marked_by_staff__isnull=False, marked_by_family=False)
                | Q(marked_by_staff__isnull=True, marked_by_family=True),
                name="plans_journeymark_staff_or_family",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}: {self.mark}"


def snapshot_value(value: Any) -> Any:
    """Make a field value JSON-safe for a ``PlanVersion`` snapshot."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
