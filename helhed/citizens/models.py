"""Citizens, their families, their consents, and who works with them.

The CPR number is the most sensitive field we hold. It is stored only
encrypted (``cpr_encrypted``) and found by a keyed hash (``cpr_hash``); birth
date and sex are derived from it once, when it is set. Access to a citizen's
personal data is decided by ``helhed.policy`` from the ``Engagement`` rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from helhed.citizens import cpr as cprlib
from helhed.citizens import crypto
from helhed.lib.validity import ValidityPeriod, ValidityQuerySet, period_check, today
from helhed.organisation.models import Municipality, Sector, Staff, Unit


class CitizenQuerySet(models.QuerySet["Citizen"]):
    def by_cpr(self, raw: str) -> Citizen | None:
        """Find a citizen by CPR number without decrypting anything."""
        number = cprlib.normalise(raw)
        return self.filter(cpr_hash=crypto.keyed_hash(number)).first()

    def search(self, text: str) -> Self:
        """Search by name, or by full CPR number (exact, through the keyed hash)."""
        text = text.strip()
        if not text:
            return self
        try:
            number = cprlib.normalise(text)
        except ValidationError:
            condition = Q()
            for word in text.split():
                condition &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
            return self.filter(condition)
        return self.filter(cpr_hash=crypto.keyed_hash(number))


class Citizen(models.Model):
    class Sex(models.TextChoices):
        FEMALE = "F", _("Female")
        MALE = "M", _("Male")

    cpr_encrypted = models.TextField(editable=False)
    cpr_hash = models.CharField(max_length=64, unique=True, editable=False)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    birth_date = models.DateField(_("birth date"), editable=False)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, editable=False)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="citizens",
        verbose_name=_("municipality"),
    )
    current_unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enrolled_citizens",
        verbose_name=_("current school or institution"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="citizen",
        verbose_name=_("login"),
        help_text=_("The citizen's own login (MitID in production), for the family view."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when retention anonymised the row (names, CPR number and family links
    # removed); the row stays because audit entries and aggregates refer to it.
    anonymised_on = models.DateField(_("anonymised on"), null=True, blank=True, editable=False)

    objects = CitizenQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("citizen")
        verbose_name_plural = _("citizens")
        indexes = [models.Index(fields=["municipality", "birth_date"], name="cit_muni_birth")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def set_cpr(self, raw: str) -> cprlib.CprInfo:
        """Validate, encrypt and index a CPR number; derive birth date and sex from it."""
        info = cprlib.parse(raw)
        self.cpr_encrypted = crypto.encrypt(info.number)
        self.cpr_hash = crypto.keyed_hash(info.number)
        self.birth_date = info.birth_date
        self.sex = info.sex
        return info

    @property
    def cpr(self) -> str:
        """The decrypted CPR number, DDMMYY-SSSS. Read it only where the user may see it."""
        if not self.cpr_encrypted:
            return ""  # anonymised: the number is gone
        number = crypto.decrypt(self.cpr_encrypted)
        return f"{number[:6]}-{number[6:]}"

    @property
    def masked_cpr(self) -> str:
        return self.birth_date.strftime("%d%m%y") + "-xxxx"

    def age(self, on: dt.date | None = None) -> int:
        on = on or today()
        born = self.birth_date
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))

    def validate_unique(self, exclude: Collection[str] | None = None) -> None:
        """Check the CPR number here, with a message a user understands.

        Django's own check would say "Citizen with this Cpr hash already exists";
        the error is keyed ``cpr``, the name users type the number under.
        """
        super().validate_unique({*(exclude or ()), "cpr_hash"})
        if exclude is not None and "cpr_hash" in exclude:
            return  # as Django's contract says; a ModelForm excludes fields it lacks
        if (
            self.cpr_hash
            and Citizen.objects.filter(cpr_hash=self.cpr_hash).exclude(pk=self.pk).exists()
        ):
            raise ValidationError(
                {
                    "cpr": ValidationError(
                        _("A citizen with this CPR number is already registered."),
                        code="cpr_taken",
                    )
                }
            )

    def guardians(self) -> models.QuerySet[Citizen]:
        return Citizen.objects.filter(
            family_links_from__to_citizen=self,
            family_links_from__kind=FamilyLink.Kind.GUARDIAN,
        )

    def children_in_care(self) -> models.QuerySet[Citizen]:
        return Citizen.objects.filter(
            family_links_to__from_citizen=self,
            family_links_to__kind=FamilyLink.Kind.GUARDIAN,
        )

    def siblings(self) -> models.QuerySet[Citizen]:
        return Citizen.objects.filter(
            Q(family_links_from__to_citizen=self, family_links_from__kind=FamilyLink.Kind.SIBLING)
            | Q(family_links_to__from_citizen=self, family_links_to__kind=FamilyLink.Kind.SIBLING)
        ).distinct()


class FamilyLink(models.Model):
    """``from_citizen`` is the guardian (or sibling) of ``to_citizen``.

    Siblings are stored once and read in both directions.
    """

    class Kind(models.TextChoices):
        GUARDIAN = "guardian", _("Guardian of")
        SIBLING = "sibling", _("Sibling of")

    from_citizen = models.ForeignKey(
        Citizen, on_delete=models.CASCADE, related_name="family_links_from"
    )
    to_citizen = models.ForeignKey(
        Citizen, on_delete=models.CASCADE, related_name="family_links_to"
    )
    kind = models.CharField(_("relation"), max_length=20, choices=Kind.choices)

    class Meta:
        verbose_name = _("family link")
        verbose_name_plural = _("family links")
        constraints = [
            models.UniqueConstraint(
                fields=["from_citizen", "to_citizen", "kind"], name="citizens_familylink_unique"
            ),
            models.CheckConstraint(
                condition=~Q(from_citizen=models.F("to_citizen")),
                name="citizens_familylink_not_self",
                violation_error_message=_("A citizen cannot be related to themself."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_citizen} – {self.get_kind_display()} – {self.to_citizen}"

    def clean(self) -> None:
        super().clean()
        if not (self.from_citizen_id and self.to_citizen_id):
            return
        if self.from_citizen_id == self.to_citizen_id:
            raise ValidationError(
                _("A citizen cannot be related to themself."), code="self_relation"
            )
        if (
            self.kind == self.Kind.GUARDIAN
            and self.from_citizen.birth_date >= self.to_citizen.birth_date
        ):
            raise ValidationError(
                {
                    "from_citizen": ValidationError(
                        _("A guardian must be older than the child."), code="guardian_younger"
                    )
                }
            )


class Consent(models.Model):
    """The citizen's (or guardian's) consent to share data across the listed sectors."""

    citizen = models.ForeignKey(
        Citizen, on_delete=models.CASCADE, related_name="consents", verbose_name=_("citizen")
    )
    sectors = models.ManyToManyField(Sector, verbose_name=_("sectors covered"))
    purpose = models.CharField(_("purpose"), max_length=300)
    given_by = models.ForeignKey(
        Citizen,
        on_delete=models.PROTECT,
        related_name="consents_given",
        verbose_name=_("given by"),
        help_text=_("The citizen themself or a guardian."),
    )
    given_on = models.DateField(_("given on"), default=today)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        Staff, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("recorded by")
    )

    class Meta:
        ordering = ["-given_on"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=models.F("given_on")),
                name="citizens_consent_withdrawn_after_given",
                violation_error_message=_("A consent cannot be withdrawn before it was given."),
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("given_on")),
                name="citizens_consent_expires_after_given",
                violation_error_message=_("A consent cannot expire before it was given."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.citizen}: {self.purpose}"

    def is_active(self, on: dt.date | None = None) -> bool:
        on = on or today()
        if self.given_on > on:
            return False
        if self.withdrawn_on is not None and self.withdrawn_on <= on:
            return False
        return self.expires_on is None or self.expires_on >= on

    def clean(self) -> None:
        super().clean()
        if not (self.citizen_id and self.given_by_id):
            return
        if (
            self.given_by_id != self.citizen_id
            and not self.citizen.guardians().filter(pk=self.given_by_id).exists()
        ):
            raise ValidationError(
                {
                    "given_by": ValidationError(
                        _("Consent can be given only by the citizen or a guardian."),
                        code="not_guardian",
                    )
                }
            )


class Engagement(ValidityPeriod):
    """A staff member or a unit works with a citizen: the basis of access."""

    class Kind(models.TextChoices):
        CASEWORK = "casework", _("Case work")
        TEACHING = "teaching", _("Teaching")
        DAYCARE = "daycare", _("Daycare")
        PPR = "ppr", _("Pedagogical-psychological counselling (PPR)")
        HEALTH = "health", _("Health")
        EMPLOYMENT = "employment", _("Employment")
        COORDINATION = "coordination", _("Coordination")
        LEISURE = "leisure", _("Culture and leisure")
        EMERGENCY = "emergency", _("Emergency access (break the glass)")

    citizen = models.ForeignKey(
        Citizen, on_delete=models.CASCADE, related_name="engagements", verbose_name=_("citizen")
    )
    staff = models.ForeignKey(
        Staff,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="engagements",
        verbose_name=_("staff member"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="engagements",
        verbose_name=_("unit"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    consent = models.ForeignKey(
        Consent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="engagements",
        verbose_name=_("resting on consent"),
        help_text=_(
            "Set when the engagement shares data across sectors on the family's consent "
            "rather than a legal basis: it gives access only while the consent is active."
        ),
    )

    objects = ValidityQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        constraints = [
            period_check("citizens_engagement_period_order"),
            models.CheckConstraint(
                condition=Q(staff__isnull=False) | Q(unit__isnull=False),
                name="citizens_engagement_has_staff_or_unit",
                violation_error_message=_("An engagement needs a staff member or a unit."),
            ),
        ]
        indexes = [
            models.Index(fields=["staff", "valid_from"], name="cit_eng_staff_from"),
            models.Index(fields=["unit", "valid_from"], name="cit_eng_unit_from"),
        ]

    def __str__(self) -> str:
        who = self.staff or self.unit
        return f"{who} – {self.citizen} ({self.get_kind_display()})"

    def clean(self) -> None:
        super().clean()
        if not self.staff_id and not self.unit_id:
            raise ValidationError(
                _("An engagement needs a staff member or a unit."), code="no_party"
            )
