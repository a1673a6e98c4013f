"""Forums: the municipality's meeting structure for leading across sectors.

Rudersdal runs a steering group, a strategic forum, a referral meeting, an
advisory meeting that may grant up to DKK 250,000 to a trial and a weekly
meeting of two chiefs; Aabenraa a chiefs' group, a daily leaders' group and a
joint forum. This app holds:

* ``Forum`` with its members, cadence, mandate, the forum items escalate to,
  and optionally a yearly budget it may grant from (with a limit per grant);
* ``ForumMeeting`` with agenda and minutes;
* ``Item``: a matter or an *obstacle* on a forum's board, with its history
  (``ItemEvent``): raised, taken by a chief, escalated to the next forum,
  resolved or declined with a reason. Escalation moves the item, never copies
  it, so its history is one list;
* ``Decision``: what a forum decided, by whom, under which part of its
  mandate, optionally a grant (checked against the forum's limit and budget),
  with follow-up actions (``FollowUp``);
* ``SelfAssessment``: a short survey for a chiefs' group before a meeting.

Nothing here names a citizen: an obstacle says *who is affected* in general
terms. Access is decided in ``helhed.policy``, section "forums".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from helhed.lib.validity import today
from helhed.organisation.models import Municipality, Staff, Unit


class Forum(models.Model):
    """A standing forum with members, a cadence, a mandate and perhaps a budget."""

    class Kind(models.TextChoices):
        STEERING_GROUP = "steering_group", _("Steering group")
        CHIEFS_GROUP = "chiefs_group", _("Chiefs' group")
        LEADERS_GROUP = "leaders_group", _("Daily leaders' group")
        STRATEGIC_FORUM = "strategic_forum", _("Strategic forum")
        REFERRAL_MEETING = "referral_meeting", _("Referral meeting")
        ADVISORY_MEETING = "advisory_meeting", _("Advisory meeting")
        JOINT_FORUM = "joint_forum", _("Joint forum")
        COMMITTEE = "committee", _("Committee")

    class Cadence(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")
        FORTNIGHTLY = "fortnightly", _("Every other week")
        MONTHLY = "monthly", _("Monthly")
        FIVE_A_YEAR = "five_a_year", _("Five times a year")
        QUARTERLY = "quarterly", _("Quarterly")
        AS_NEEDED = "as_needed", _("As needed")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    cadence = models.CharField(_("cadence"), max_length=20, choices=Cadence.choices)
    mandate = models.TextField(
        _("mandate"), help_text=_("What the forum may decide, and within which limits.")
    )
    units = models.ManyToManyField(
        Unit, related_name="forums", blank=True, verbose_name=_("units it covers")
    )
    escalates_to = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalated_from",
        verbose_name=_("escalates to"),
    )
    yearly_budget = models.DecimalField(
        _("yearly budget it may grant from (DKK)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    grant_limit = models.DecimalField(
        _("largest single grant (DKK)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("The mandate's limit per grant; empty when the forum grants nothing."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("forum")
        verbose_name_plural = _("forums")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"], name="forums_forum_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def may_grant(self) -> bool:
        return bool(self.yearly_budget) and bool(self.grant_limit)


class ForumMember(models.Model):
    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        MEMBER = "member", _("Member")
        SECRETARY = "secretary", _("Secretary")

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="members")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="forum_memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        ordering = ["role", "pk"]
        verbose_name = _("forum member")
        verbose_name_plural = _("forum members")
        constraints = [
            models.UniqueConstraint(fields=["forum", "staff"], name="forums_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.staff} ({self.get_role_display()})"


class ForumMeeting(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField(_("date"))
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    created_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("forum meeting")
        verbose_name_plural = _("forum meetings")

    def __str__(self) -> str:
        return f"{self.forum} {self.held_on:%d.%m.%Y}"


class Item(models.Model):
    """A matter or an obstacle on a forum's board; it moves up when escalated."""

    class Kind(models.TextChoices):
        OBSTACLE = "obstacle", _("Obstacle")
        MATTER = "matter", _("Matter")

    class Category(models.TextChoices):
        LAW = "law", _("Law")
        BUDGET = "budget", _("Budget")
        IT = "it", _("IT")
        PROCEDURE = "procedure", _("Procedure")
        CULTURE = "culture", _("Culture")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        TAKEN = "taken", _("Taken")
        RESOLVED = "resolved", _("Resolved")
        DECLINED = "declined", _("Declined")

    forum = models.ForeignKey(
        Forum, on_delete=models.PROTECT, related_name="items", verbose_name=_("forum")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OBSTACLE)
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.OTHER
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what blocks, and what it costs"))
    affected = models.CharField(
        _("who is affected"),
        max_length=300,
        help_text=_("In general terms, without names: for example 'young people turning 18'."),
    )
    raised_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    raised_on = models.DateField(_("raised on"), default=today)
    taken_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)

    class Meta:
        ordering = ["-raised_on", "-pk"]
        verbose_name = _("item")
        verbose_name_plural = _("items")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "taken"], closed_on__isnull=True)
                | Q(status__in=["resolved", "declined"], closed_on__isnull=False),
                name="forums_item_closed_has_date",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.TAKEN)

    def days_open(self, on: dt.date | None = None) -> int:
        """Days from raised to closed (or to ``on`` while open): the time to resolution."""
        end = self.closed_on or on or today()
        return (end - self.raised_on).days


class ItemEvent(models.Model):
    """One step in an item's history. Rows are only ever added."""

    class Kind(models.TextChoices):
        RAISED = "raised", _("Raised")
        TAKEN = "taken", _("Taken")
        ESCALATED = "escalated", _("Escalated")
        RESOLVED = "resolved", _("Resolved")
        DECLINED = "declined", _("Declined")
        NOTE = "note", _("Note")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("what happened"), max_length=20, choices=Kind.choices)
    forum = models.ForeignKey(
        Forum, on_delete=models.PROTECT, related_name="+", verbose_name=_("in forum")
    )
    to_forum = models.ForeignKey(
        Forum, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("when"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("item event")
        verbose_name_plural = _("item events")

    def __str__(self) -> str:
        return f"{self.item}: {self.get_kind_display()}"


class Decision(models.Model):
    """What a forum decided, under which part of its mandate, perhaps granting money."""

    forum = models.ForeignKey(Forum, on_delete=models.PROTECT, related_name="decisions")
    meeting = models.ForeignKey(
        ForumMeeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    item = models.ForeignKey(
        Item, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    text = models.TextField(_("decision"))
    mandate_basis = models.CharField(
        _("with which mandate"),
        max_length=300,
        help_text=_("The part of the forum's mandate the decision rests on."),
    )
    decided_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    decided_on = models.DateField(_("decided on"), default=today)
    grant_amount = models.DecimalField(
        _("amount granted (DKK)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    grant_purpose = models.CharField(_("granted for"), max_length=200, blank=True)

    class Meta:
        ordering = ["-decided_on", "-pk"]
        verbose_name = _("forum decision")
        verbose_name_plural = _("forum decisions")
        indexes = [models.Index(fields=["forum", "decided_on"], name="forums_decision_forum_day")]

    def __str__(self) -> str:
        return self.text[:60]


class FollowUp(models.Model):
    """A follow-up action of a decision, with an owner and a date."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="follow_ups")
    title = models.CharField(_("action"), max_length=200)
    owner = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("due by"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, on: dt.date | None = None) -> bool:
        return self.done_on is None and self.due_on < (on or today())


class SelfAssessment(models.Model):
    """A round of the leadership self-assessment for a forum before a meeting."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open for answers")
        CLOSED = "closed", _("Closed")

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="self_assessments")
    title = models.CharField(_("title"), max_length=200)
    meeting_on = models.DateField(_("before the meeting on"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    created_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-meeting_on", "-pk"]
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")

    def __str__(self) -> str:
        return self.title


class AssessmentAnswer(models.Model):
    """One member's score (1-5) on one statement (``forums/statements.py``)."""

    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="answers")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    statement = models.CharField(_("statement"), max_length=40)
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        ordering = ["statement", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "staff", "statement"], name="forums_answer_once"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="forums_answer_score_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.statement}: {self.score}"
