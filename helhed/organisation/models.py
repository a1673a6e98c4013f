"""The municipal organisation: municipalities, units in a tree, staff and their roles.

A ``Unit`` row is one *registration* of a unit: its name, type and place in the
tree for a validity period. A unit never changes parent in place; a
reorganisation closes the registration and opens a successor (same ``key``)
under the new parent (see ``actions.do_move_unit``). That keeps the
organisation as it was on any past date, and keeps each row's materialized
``path`` immutable, so "everything under this administration" is one indexed
prefix query.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from helhed.lib.validity import (
    ValidityPeriod,
    ValidityQuerySet,
    overlap_q,
    period_check,
    period_within,
    today,
)


class Municipality(models.Model):
    """One of the 98 Danish municipalities (reference data, seeded by a migration)."""

    code = models.PositiveSmallIntegerField(_("municipality code"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    region = models.CharField(_("region"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def root_unit(self, on: dt.date | None = None) -> Unit | None:
        return self.units.valid_on(on).filter(parent__isnull=True).order_by("-valid_from").first()


class CodeList(models.Model):
    """An editable classification: the municipality can rename, add and retire entries."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_da = models.CharField(_("Danish name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "da").startswith("en") else self.name_da


class UnitType(CodeList):
    """Municipality, administration (forvaltning), area, institution, team, ..."""

    level = models.PositiveSmallIntegerField(
        _("level"),
        help_text=_("Depth in the hierarchy: 1 municipality, 2 administration, 3 area, ..."),
    )

    class Meta(CodeList.Meta):
        verbose_name = _("unit type")
        verbose_name_plural = _("unit types")


class Sector(CodeList):
    """School, daycare, PPR, social services, health, employment, ..."""

    class Meta(CodeList.Meta):
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")


class Role(CodeList):
    """A role a staff member holds in a unit.

    The names are editable; ``kind`` is what the access policy reads, so a
    municipality can add "Skoleleder" or "Afdelingsleder" as leader roles
    without code changes.
    """

    class Kind(models.TextChoices):
        LEADER = "leader", _("Leader (sees aggregates of their units)")
        FRONTLINE = "frontline", _("Front-line professional (works with citizens)")
        ANALYST = "analyst", _("Analyst (pseudonymised data only)")
        POLITICIAN = "politician", _("Politician (suppressed aggregates only)")

    kind = models.CharField(_("access kind"), max_length=20, choices=Kind.choices)
    emergency_access = models.BooleanField(
        _("may break the glass"),
        default=False,
        help_text=_(
            "For on-call duty: front-line staff in this role may open a citizen they do not "
            "work with, for the rest of the day, by stating a reason. Every such look-up is "
            "logged and shown to their leader."
        ),
    )

    class Meta(CodeList.Meta):
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    @property
    def is_leader(self) -> bool:
        return self.kind == self.Kind.LEADER


class UnitQuerySet(ValidityQuerySet):
    def under(self, unit: Unit, include_self: bool = True) -> Self:
        """Every registration in the subtree of ``unit``: one indexed prefix query."""
        qs = self.filter(path__startswith=unit.path)
        return qs if include_self else qs.exclude(pk=unit.pk)

    def search(self, text: str) -> Self:
        return self.filter(name__icontains=text.strip()) if text.strip() else self


class Unit(ValidityPeriod):
    """One registration of an organisational unit in the tree."""

    key = models.UUIDField(
        _("identity"),
        default=uuid.uuid4,
        db_index=True,
        help_text=_("Shared by every registration of the same unit across reorganisations."),
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="units", verbose_name=_("municipality")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    name = models.CharField(_("name"), max_length=200)
    unit_type = models.ForeignKey(UnitType, on_delete=models.PROTECT, verbose_name=_("type"))
    sector = models.ForeignKey(
        Sector, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("sector")
    )
    predecessor = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="successors",
        verbose_name=_("predecessor"),
    )
    external_id = models.CharField(
        _("external id"), max_length=64, blank=True, db_index=True, help_text=_("OS2mo UUID or id")
    )
    # Materialized path of primary keys, "12.40.97.": set on creation, never changed.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [period_check("organisation_unit_period_order")]
        indexes = [models.Index(fields=["municipality", "parent"], name="org_unit_muni_parent")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[ValidationError]] = {}
        if self.pk and self.parent_id is not None and self.parent_id == self.pk:
            errors.setdefault("parent", []).append(
                ValidationError(_("A unit cannot be placed under itself."), code="self_parent")
            )
        if self.pk:
            stored = Unit.objects.filter(pk=self.pk).values_list("parent_id", flat=True).first()
            if stored != self.parent_id:
                errors.setdefault("parent", []).append(
                    ValidationError(
                        _("To move a unit, reorganise it from a date; its history is kept."),
                        code="parent_changed",
                    )
                )
        parent = self.parent if self.parent_id else None
        if parent is not None:
            if self.municipality_id and parent.municipality_id != self.municipality_id:
                errors.setdefault("parent", []).append(
                    ValidationError(
                        _("The parent unit belongs to another municipality."),
                        code="other_municipality",
                    )
                )
            if self.unit_type_id and parent.unit_type.level >= self.unit_type.level:
                errors.setdefault("unit_type", []).append(
                    ValidationError(
                        _("A %(child)s cannot be placed under a %(parent)s."),
                        code="level_order",
                        params={"child": self.unit_type, "parent": parent.unit_type},
                    )
                )
            if self.valid_from and not period_within(
                self.valid_from, self.valid_to, parent.valid_from, parent.valid_to
            ):
                errors.setdefault("valid_from", []).append(
                    ValidationError(
                        _("The unit's period must lie within its parent's period."),
                        code="outside_parent",
                    )
                )
        if errors:
            raise ValidationError(errors)

    def save(self, *args: Any, **kwargs: Any) -> None:
        creating = self._state.adding or not self.path
        with transaction.atomic():
            super().save(*args, **kwargs)
            if creating:
                prefix = self.parent.path if self.parent_id and self.parent else ""
                self.path = f"{prefix}{self.pk}."
                self.depth = self.path.count(".")
                Unit.objects.filter(pk=self.pk).update(path=self.path, depth=self.depth)

    # Tree navigation -------------------------------------------------------

    def ancestor_ids(self) -> list[int]:
        """Primary keys from the root down to the parent, read from the path."""
        return [int(part) for part in self.path.split(".") if part][:-1]

    def ancestors(self) -> models.QuerySet[Unit]:
        return Unit.objects.filter(pk__in=self.ancestor_ids()).order_by("depth")

    def descendants(self, on: dt.date | None = None) -> UnitQuerySet:
        qs = Unit.objects.under(self, include_self=False)
        return qs.valid_on(on) if on else qs

    def leader_assignment(self, on: dt.date | None = None) -> RoleAssignment | None:
        return (
            self.role_assignments.valid_on(on)
            .filter(role__kind=Role.Kind.LEADER)
            .select_related("staff", "role")
            .first()
        )


class Staff(models.Model):
    """A person employed by the municipality; may or may not have a login."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("user"),
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="staff", verbose_name=_("municipality")
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"), blank=True)
    external_id = models.CharField(_("external id"), max_length=64, blank=True, db_index=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def assignments_on(self, on: dt.date | None = None) -> models.QuerySet[RoleAssignment]:
        return self.role_assignments.valid_on(on).select_related(
            "unit", "role", "unit__unit_type", "unit__sector"
        )


class RoleAssignment(ValidityPeriod):
    """Staff member X holds role R in unit U from one date to another."""

    staff = models.ForeignKey(
        Staff,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=_("staff member"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="role_assignments", verbose_name=_("unit")
    )
    role = models.ForeignKey(Role, on_delete=models.PROTECT, verbose_name=_("role"))
    job_title = models.CharField(_("job title"), max_length=120, blank=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        ordering = ["unit__path", "role__sort_order"]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [period_check("organisation_roleassignment_period_order")]
        indexes = [models.Index(fields=["unit", "valid_from"], name="org_ra_unit_from")]

    def __str__(self) -> str:
        return f"{self.staff} – {self.role} – {self.unit}"

    def clean(self) -> None:
        super().clean()
        if not (self.unit_id and self.staff_id and self.role_id and self.valid_from):
            return
        if self.staff.municipality_id != self.unit.municipality_id:
            raise ValidationError(
                {
                    "unit": ValidationError(
                        _("The unit belongs to another municipality than the staff member."),
                        code="other_municipality",
                    )
                }
            )
        if not period_within(
            self.valid_from, self.valid_to, self.unit.valid_from, self.unit.valid_to
        ):
            raise ValidationError(
                {
                    "valid_from": ValidationError(
                        _("The assignment must lie within the unit's period."),
                        code="outside_unit",
                    )
                }
            )
        if self.role.is_leader:
            clash = (
                RoleAssignment.objects.filter(unit_id=self.unit_id, role__kind=Role.Kind.LEADER)
                .filter(overlap_q(self.valid_from, self.valid_to))
                .exclude(pk=self.pk)
                .select_related("staff")
                .first()
            )
            if clash is not None:
                raise ValidationError(
                    {
                        "role": ValidationError(
                            _("%(unit)s already has a leader in this period: %(name)s."),
                            code="two_leaders",
                            params={"unit": self.unit, "name": clash.staff},
                        )
                    }
                )


class ContactPoint(models.Model):
    """Who to call in a unit: a contact point of the directory, with its capacity now."""

    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="contact_points", verbose_name=_("unit")
    )
    name = models.CharField(_("contact point"), max_length=150, help_text=_("A role or a team."))
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=150, blank=True)
    has_capacity = models.BooleanField(_("has capacity now"), default=True)
    capacity_note = models.CharField(_("about capacity"), max_length=200, blank=True)
    updated_on = models.DateField(_("updated on"), auto_now=True)

    class Meta:
        ordering = ["unit__path", "name"]
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")

    def __str__(self) -> str:
        return f"{self.unit}: {self.name}"


def leader_for_unit(unit: Unit, on: dt.date | None = None) -> Staff | None:
    assignment = unit.leader_assignment(on or today())
    return assignment.staff if assignment else None
