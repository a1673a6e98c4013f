"""The internal rows every importer produces, and the result the apply step returns.

The CSV reader and the OS2mo mapper both turn their source into these rows,
so validation, matching and writing (``apply.py``) exist once. A row carries a
human-readable ``where`` ("units.csv, line 4" or "OS2mo org unit Bakkeskolen
(…)") so every error can point at the place the user has to fix.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class Placement(NamedTuple):
    """From ``since``, the unit sits under the unit with external id ``parent_id``."""

    since: dt.date
    parent_id: str | None


@dataclass(frozen=True)
class UnitRow:
    """One unit as the source describes it today, with its earlier parents if known.

    ``placements`` is never empty; its first ``since`` is ``valid_from``. A CSV
    row has one placement; OS2mo gives the whole history of parents, which is
    replayed when the unit is new to Helhed.
    """

    where: str
    line: int | None
    external_id: str
    name: str
    unit_type: str
    sector: str | None
    valid_from: dt.date
    valid_to: dt.date | None
    placements: tuple[Placement, ...]

    @property
    def parent_id(self) -> str | None:
        """The parent the source says the unit has now (its last placement)."""
        return self.placements[-1].parent_id


@dataclass(frozen=True)
class StaffRow:
    """One staff member and, unless ``unit_id`` is empty, one role they hold.

    A person with several roles has several rows; their name and email must
    agree across the rows.
    """

    where: str
    line: int | None
    external_id: str
    first_name: str
    last_name: str
    email: str
    unit_id: str | None
    role: str | None
    job_title: str
    valid_from: dt.date | None
    valid_to: dt.date | None


@dataclass(frozen=True)
class RowError:
    """A problem with one row (or the file itself), said so a person can fix it."""

    where: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class Counts:
    """What happened to the rows of one kind; each row is counted once."""

    created: int = 0
    updated: int = 0
    moved: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.moved + self.unchanged


@dataclass
class ImportResult:
    """Counts per kind and the errors; when there are errors nothing was written."""

    units: Counts = field(default_factory=Counts)
    staff: Counts = field(default_factory=Counts)
    assignments: Counts = field(default_factory=Counts)
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def written(self) -> bool:
        """Whether the database now holds the import (not a dry run, no errors)."""
        return self.ok and not self.dry_run

    def summary(self) -> str:
        """One line for the command's output and the logs."""
        if self.errors:
            return ngettext(
                "%(count)d error; nothing was imported.",
                "%(count)d errors; nothing was imported.",
                len(self.errors),
            ) % {"count": len(self.errors)}
        u, s, a = self.units, self.staff, self.assignments
        text = _(
            "Units: %(u_created)d created, %(u_updated)d updated, %(u_moved)d moved, "
            "%(u_unchanged)d unchanged. Staff: %(s_created)d created, %(s_updated)d updated, "
            "%(s_unchanged)d unchanged. Roles: %(a_created)d created, %(a_updated)d updated, "
            "%(a_unchanged)d unchanged."
        ) % {
            "u_created": u.created,
            "u_updated": u.updated,
            "u_moved": u.moved,
            "u_unchanged": u.unchanged,
            "s_created": s.created,
            "s_updated": s.updated,
            "s_unchanged": s.unchanged,
            "a_created": a.created,
            "a_updated": a.updated,
            "a_unchanged": a.unchanged,
        }
        if self.dry_run:
            text = _("Dry run, nothing written. %(summary)s") % {"summary": text}
        return text
