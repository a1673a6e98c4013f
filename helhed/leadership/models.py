"""Room to lead: the registers a municipality uses to keep only what earns its place.

Aalborg repealed its local rules and keeps a rule only with a written reason
and a decision to keep, change or repeal it; Viborg's leaders made 247
proposals to remove administrative burden and cut management spans. This app
holds what that work needs:

* ``Rule`` and its ``RuleDecision`` history: every local rule, guideline and
  procedure with an owner, a reason and a review date.
* ``DocumentationRequirement`` and ``DataUse``: what staff must register, what
  it costs in minutes, and who uses the data for what. A requirement (or an
  indicator of the results catalogue) nobody uses is "nice to know".
* ``BurdenProposal``: a proposal to remove or simplify a rule, a requirement
  or a procedure, decided by the right level with a reason.
* ``SpanTarget``: the municipality's target for staff per leader (the spans
  themselves are computed from the organisation, ``organisation.span``).
* ``Principle`` (signed by units) and ``Method`` (with its research basis;
  efforts in plans may refer to one).
* ``Reform``, ``ReformElement`` and ``LocalDecision``: the national reforms and
  the decisions they leave to the municipality.
* ``LeaderTeam``, ``ReflectionQuestion``, ``TeamReflection``,
  ``ReflectionAnswer`` and ``Dilemma``: the four professional leadership
  tasks, reflected on before a meeting, and the team's dilemma log.

Nothing here is personal data about citizens: these are the municipality's
own rules and decisions, readable by its staff (``helhed.policy``, section
"leadership"). The rules that change data live in ``actions/``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from helhed.lib.validity import today
from helhed.organisation.models import Municipality, Staff, Unit
from helhed.results.models import Indicator

MINUTES_PER_HOUR = 60


# --------------------------------------------------------------------------- rules


class Rule(models.Model):
    """A local rule, guideline or procedure: kept only with a reason and a review date."""

    class Kind(models.TextChoices):
        RULE = "rule", _("Rule")
        GUIDELINE = "guideline", _("Guideline")
        PROCEDURE = "procedure", _("Procedure")

    class Status(models.TextChoices):
        IN_FORCE = "in_force", _("In force")
        REPEALED = "repealed", _("Repealed")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.RULE)
    area = models.CharField(
        _("area"), max_length=120, help_text=_("The welfare or work area it concerns.")
    )
    text = models.TextField(_("what the rule says"))
    reason = models.TextField(
        _("written reason"), help_text=_("Why the municipality needs this rule. Required.")
    )
    legal_basis = models.CharField(
        _("legal basis"),
        max_length=200,
        blank=True,
        help_text=_("The law or section it rests on; empty for a purely local rule."),
    )
    owner = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    owning_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owning unit"),
        help_text=_("Its leader, or a leader above, decides to keep, change or repeal it."),
    )
    units = models.ManyToManyField(
        Unit, related_name="bound_by_rules", blank=True, verbose_name=_("units it binds")
    )
    review_on = models.DateField(_("review by"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.IN_FORCE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["review_on", "title"]
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        indexes = [
            models.Index(fields=["municipality", "status", "review_on"], name="lead_rule_review")
        ]

    def __str__(self) -> str:
        return self.title

    def is_past_review(self, on: dt.date | None = None) -> bool:
        """A rule in force whose review date has passed waits for its owner's decision."""
        return self.status == self.Status.IN_FORCE and self.review_on < (on or today())


class RuleDecision(models.Model):
    """One decision on a rule. The history is never edited: each decision adds a row."""

    class Decision(models.TextChoices):
        ADOPT = "adopt", _("Adopted")
        KEEP = "keep", _("Keep")
        CHANGE = "change", _("Change")
        REPEAL = "repeal", _("Repeal")

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="decisions")
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices)
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    decided_on = models.DateField(_("decided on"))
    next_review_on = models.DateField(_("next review by"), null=True, blank=True)
    # What the rule said before a change, so a changed rule's history is readable.
    previous_text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["-decided_on", "-pk"]
        verbose_name = _("rule decision")
        verbose_name_plural = _("rule decisions")

    def __str__(self) -> str:
        return f"{self.rule}: {self.get_decision_display()} ({self.decided_on})"


# --------------------------------------------------------------------------- documentation


class DocumentationRequirement(models.Model):
    """Something staff must register or document: a form, a field, a report."""

    class Kind(models.TextChoices):
        FORM = "form", _("Form")
        FIELD = "field", _("Field in a system")
        REPORT = "report", _("Report")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Required")
        DROPPED = "dropped", _("Dropped")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.FORM)
    system = models.CharField(
        _("IT system"), max_length=120, blank=True, help_text=_("Where it is filled in.")
    )
    purpose = models.TextField(_("purpose"))
    legal_basis = models.CharField(
        _("legal basis"),
        max_length=200,
        blank=True,
        help_text=_("Empty when no law requires it: then only its use can justify it."),
    )
    owner = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    owning_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owning unit"),
        help_text=_("Its leader, or a leader above, may drop the requirement."),
    )
    units = models.ManyToManyField(
        Unit, related_name="documentation_requirements", blank=True, verbose_name=_("units")
    )
    minutes_per_case = models.PositiveIntegerField(
        _("minutes per case"), validators=[MinValueValidator(1), MaxValueValidator(10_000)]
    )
    cases_per_year = models.PositiveIntegerField(
        _("cases per year"), validators=[MaxValueValidator(10_000_000)]
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    dropped_on = models.DateField(_("dropped on"), null=True, blank=True)
    dropped_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    drop_reason = models.TextField(_("why it was dropped"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("documentation requirement")
        verbose_name_plural = _("documentation requirements")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="active", dropped_on__isnull=True)
                | Q(status="dropped", dropped_on__isnull=False),
                name="leadership_requirement_dropped_has_date",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def hours_per_year(self) -> Decimal:
        """The staff time it costs a year, in hours (minutes per case x cases / 60)."""
        minutes = Decimal(self.minutes_per_case) * Decimal(self.cases_per_year)
        return (minutes / MINUTES_PER_HOUR).quantize(Decimal("0.1"))


class DataUse(models.Model):
    """Who uses a requirement's data (or an indicator) for what.

    A requirement or an indicator with no use in force is "nice to know": the
    leadership can drop it. A use lapses when it is ended (``ended_on``).
    """

    requirement = models.ForeignKey(
        DocumentationRequirement,
        on_delete=models.CASCADE,
        related_name="uses",
        null=True,
        blank=True,
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="uses", null=True, blank=True
    )
    user_description = models.CharField(
        _("who uses it"), max_length=200, help_text=_("A forum, a leader, a unit or a system.")
    )
    used_for = models.TextField(_("what for"))
    recorded_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    recorded_on = models.DateField(_("recorded on"))
    ended_on = models.DateField(_("no longer used from"), null=True, blank=True)

    class Meta:
        ordering = ["-recorded_on", "-pk"]
        verbose_name = _("data use")
        verbose_name_plural = _("data uses")
        constraints = [
            models.CheckConstraint(
                condition=Q(requirement__isnull=False, indicator__isnull=True)
                | Q(requirement__isnull=True, indicator__isnull=False),
                name="leadership_datause_one_subject",
            )
        ]

    def __str__(self) -> str:
        return self.user_description

    def in_force(self, on: dt.date | None = None) -> bool:
        return self.ended_on is None or self.ended_on > (on or today())


def uses_in_force_q(on: dt.date | None = None, prefix: str = "uses__") -> Q:
    """The condition "has a use in force on ``on``", through ``prefix``."""
    return Q(**{f"{prefix}isnull": False}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gt": on or today()})
    )


# --------------------------------------------------------------------------- burden


class BurdenTheme(models.Model):
    """A theme the proposals are grouped by (documentation, meetings, IT, ...)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("theme"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"], name="leadership_theme_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class BurdenProposal(models.Model):
    """A proposal to remove or simplify a rule, a requirement or a procedure.

    It is decided by the leader of ``decision_unit`` or a leader above it: for
    a rule or a requirement that is the unit owning it; for a procedure the
    proposer names the unit whose procedure it is.
    """

    class Change(models.TextChoices):
        REMOVE = "remove", _("Remove")
        SIMPLIFY = "simplify", _("Simplify")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        DONE = "done", _("Done")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("proposal"), max_length=200)
    description = models.TextField(_("what and why"))
    change = models.CharField(
        _("change"), max_length=20, choices=Change.choices, default=Change.REMOVE
    )
    theme = models.ForeignKey(
        BurdenTheme, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("theme")
    )
    rule = models.ForeignKey(
        Rule, on_delete=models.PROTECT, null=True, blank=True, related_name="proposals"
    )
    requirement = models.ForeignKey(
        DocumentationRequirement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
    )
    procedure = models.CharField(
        _("procedure"),
        max_length=200,
        blank=True,
        help_text=_("When the proposal is about neither a registered rule nor a requirement."),
    )
    decision_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided at")
    )
    proposed_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    proposed_on = models.DateField(_("proposed on"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED
    )
    decided_by = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["-proposed_on", "-pk"]
        verbose_name = _("burden proposal")
        verbose_name_plural = _("burden proposals")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(rule__isnull=False, requirement__isnull=True, procedure="")
                    | Q(rule__isnull=True, requirement__isnull=False, procedure="")
                    | (Q(rule__isnull=True, requirement__isnull=True) & ~Q(procedure=""))
                ),
                name="leadership_proposal_one_subject",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def subject(self) -> str:
        if self.rule_id:
            return str(self.rule)
        if self.requirement_id:
            return str(self.requirement)
        return self.procedure

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PROPOSED, self.Status.ACCEPTED)


# --------------------------------------------------------------------------- span


class SpanTarget(models.Model):
    """The municipality's target for staff per leader, from a date. History is kept."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    max_direct_reports = models.PositiveSmallIntegerField(
        _("target span (staff per leader)"),
        validators=[MinValueValidator(2), MaxValueValidator(500)],
    )
    applies_from = models.DateField(_("applies from"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    set_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-applies_from", "-pk"]
        verbose_name = _("span target")
        verbose_name_plural = _("span targets")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "applies_from"], name="leadership_span_target_one_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.max_direct_reports} ({self.applies_from})"

    @classmethod
    def in_force(cls, municipality: Municipality, on: dt.date | None = None) -> SpanTarget | None:
        return (
            cls.objects.filter(municipality=municipality, applies_from__lte=on or today())
            .order_by("-applies_from", "-pk")
            .first()
        )


# --------------------------------------------------------------------------- principles, methods


class Principle(models.Model):
    """A principle agreed between units: who does what in a situation that crosses silos."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("principle"), max_length=200)
    situation = models.TextField(
        _("when it applies"), help_text=_("For example: a pupil's absence worries the school.")
    )
    who_does_what = models.TextField(_("who does what"))
    owner = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    review_on = models.DateField(_("review by"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("shared principle")
        verbose_name_plural = _("shared principles")

    def __str__(self) -> str:
        return self.title

    def is_past_review(self, on: dt.date | None = None) -> bool:
        return self.review_on < (on or today())


class PrincipleSignature(models.Model):
    """A unit has signed a principle: its leader did, on its behalf."""

    principle = models.ForeignKey(Principle, on_delete=models.CASCADE, related_name="signatures")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    signed_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    signed_on = models.DateField(_("signed on"))

    class Meta:
        ordering = ["signed_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["principle", "unit"], name="leadership_signature_once_per_unit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.principle}"


class Method(models.Model):
    """A common method (a shared view of the child, FIT, LØFT, IPS, ...) and its basis."""

    class Evidence(models.TextChoices):
        DOCUMENTED = "documented", _("Documented effect (controlled studies)")
        PROMISING = "promising", _("Promising (some evidence)")
        PRACTICE = "practice", _("Practice-based (experience only)")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("method"), max_length=120)
    description = models.TextField(_("description"))
    research_basis = models.TextField(
        _("research basis"), help_text=_("The studies or reviews the method rests on.")
    )
    evidence = models.CharField(
        _("evidence"), max_length=20, choices=Evidence.choices, default=Evidence.PRACTICE
    )
    link = models.URLField(_("read more"), blank=True)
    units = models.ManyToManyField(
        Unit, related_name="methods", blank=True, verbose_name=_("used in")
    )
    owner = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("method")
        verbose_name_plural = _("methods")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"], name="leadership_method_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


# --------------------------------------------------------------------------- reforms


class Reform(models.Model):
    """A national reform, shipped as data (``data/reforms.json``), the same everywhere."""

    class Area(models.TextChoices):
        CHILDREN = "children", _("Children and young people")
        SCHOOL = "school", _("School")
        ELDERLY = "elderly", _("Elderly")
        HEALTH = "health", _("Health")
        EMPLOYMENT = "employment", _("Employment")
        SOCIAL = "social", _("Social services")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("reform"), max_length=200)
    area = models.CharField(_("welfare area"), max_length=20, choices=Area.choices)
    in_force_from = models.DateField(_("in force from"))
    summary = models.TextField(_("summary"))

    class Meta:
        ordering = ["area", "in_force_from", "name"]
        verbose_name = _("reform")
        verbose_name_plural = _("reforms")

    def __str__(self) -> str:
        return self.name


class ReformElement(models.Model):
    """One element of a reform; ``leaves_to_municipality`` if it asks for a local decision."""

    reform = models.ForeignKey(Reform, on_delete=models.CASCADE, related_name="elements")
    title = models.CharField(_("element"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    leaves_to_municipality = models.BooleanField(_("a local decision"), default=False)
    sort_order = models.PositiveSmallIntegerField(default=10)

    class Meta:
        ordering = ["reform", "sort_order", "pk"]
        verbose_name = _("reform element")
        verbose_name_plural = _("reform elements")

    def __str__(self) -> str:
        return self.title


class LocalDecision(models.Model):
    """A decision a reform leaves to the municipality: its owner and where it stands."""

    class Status(models.TextChoices):
        OPEN = "open", _("Not started")
        PREPARING = "preparing", _("Being prepared")
        DECIDED = "decided", _("Decided")
        IMPLEMENTED = "implemented", _("Implemented")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    element = models.ForeignKey(
        ReformElement, on_delete=models.PROTECT, related_name="local_decisions"
    )
    title = models.CharField(_("decision to make"), max_length=200)
    owner = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    owning_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("owning unit")
    )
    due_on = models.DateField(_("due by"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    decision = models.TextField(_("what was decided"), blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("local decision")
        verbose_name_plural = _("local decisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "preparing"])
                | (Q(decided_on__isnull=False) & ~Q(decision="")),
                name="leadership_local_decision_decided_has_text",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, on: dt.date | None = None) -> bool:
        return (
            self.status in (self.Status.OPEN, self.Status.PREPARING)
            and self.due_on is not None
            and self.due_on < (on or today())
        )


# --------------------------------------------------------------------------- leader teams


class LeadershipTask(models.TextChoices):
    """The four professional leadership tasks (Ledelseskommissionen / KL)."""

    OWNERSHIP = "ownership", _("Ownership and meaning")
    METHODS = "methods", _("Methods with value for citizens")
    LEARNING = "learning", _("Learning and evaluation")
    HOLISTIC = "holistic", _("Holistic cross-disciplinary solutions")


class LeaderTeam(models.Model):
    """A leader team at one level of the management chain (a chiefs' group, a school's team)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("team"), max_length=150)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit it leads")
    )
    members = models.ManyToManyField(Staff, related_name="leader_teams", verbose_name=_("members"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("leader team")
        verbose_name_plural = _("leader teams")

    def __str__(self) -> str:
        return self.name


class ReflectionQuestion(models.Model):
    """A reflection question under one of the four tasks; shipped, editable per municipality."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    task = models.CharField(_("leadership task"), max_length=20, choices=LeadershipTask.choices)
    text = models.CharField(_("question"), max_length=300)
    sort_order = models.PositiveSmallIntegerField(default=10)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["task", "sort_order", "pk"]
        verbose_name = _("reflection question")
        verbose_name_plural = _("reflection questions")

    def __str__(self) -> str:
        return self.text


class TeamReflection(models.Model):
    """A round of reflection before a meeting: members answer, the answers become an agenda."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open for answers")
        CLOSED = "closed", _("Agenda made")

    team = models.ForeignKey(LeaderTeam, on_delete=models.CASCADE, related_name="reflections")
    meeting_on = models.DateField(_("meeting on"))
    title = models.CharField(_("meeting"), max_length=200)
    questions = models.ManyToManyField(ReflectionQuestion, related_name="+")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    created_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-meeting_on", "-pk"]
        verbose_name = _("team reflection")
        verbose_name_plural = _("team reflections")

    def __str__(self) -> str:
        return f"{self.team}: {self.title}"


class ReflectionAnswer(models.Model):
    """One member's answer to one question, or the team's joint answer (``as_team``)."""

    reflection = models.ForeignKey(TeamReflection, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(ReflectionQuestion, on_delete=models.PROTECT, related_name="+")
    answered_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    as_team = models.BooleanField(_("the team's joint answer"), default=False)
    text = models.TextField(_("answer"))
    for_agenda = models.BooleanField(
        _("raise at the meeting"),
        default=True,
        help_text=_("Answers marked here become agenda points for the dialogue."),
    )
    answered_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["question__task", "question__sort_order", "answered_at"]
        verbose_name = _("reflection answer")
        verbose_name_plural = _("reflection answers")
        constraints = [
            models.UniqueConstraint(
                fields=["reflection", "question", "answered_by", "as_team"],
                name="leadership_answer_once_per_question",
            )
        ]

    def __str__(self) -> str:
        return f"{self.answered_by}: {self.question}"


class Dilemma(models.Model):
    """A professional dilemma the team met, what it decided and why."""

    team = models.ForeignKey(LeaderTeam, on_delete=models.CASCADE, related_name="dilemmas")
    task = models.CharField(
        _("leadership task"), max_length=20, choices=LeadershipTask.choices, blank=True
    )
    title = models.CharField(_("dilemma"), max_length=200)
    description = models.TextField(_("the dilemma"))
    decision = models.TextField(_("what we decided"))
    reasoning = models.TextField(_("why"))
    recorded_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    recorded_on = models.DateField(_("recorded on"))

    class Meta:
        ordering = ["-recorded_on", "-pk"]
        verbose_name = _("dilemma")
        verbose_name_plural = _("dilemmas")

    def __str__(self) -> str:
        return self.title


def validate_not_past(value: dt.date) -> None:
    """A review or due date in the past is a mistake when it is set."""
    if value < today():
        raise ValidationError(_("The date cannot be in the past."), code="past")
