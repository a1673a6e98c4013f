"""Validate importer rows and write them in one transaction: all of it or nothing.

Both importers end here. The steps:

1. ``validate_rows`` checks what can be checked without writing: code-list
   values, duplicate ids, unknown parents and units, periods that end before
   they start, and cycles; it returns the units parents-first.
2. ``apply_rows`` then writes row by row inside one transaction, each row in
   its own savepoint so one bad row does not hide the errors of the others.
   Any error, or ``dry_run``, rolls the whole transaction back.

Matching is by ``external_id`` within the municipality: a unit's registrations
share it across reorganisations (``do_move_unit`` copies it), so the newest
registration is "the unit as it is now". A changed parent becomes a
reorganisation through ``do_move_unit``, never an in-place edit, so history is
kept. Units, staff and roles that the source no longer lists are left alone:
an import adds and corrects, it does not delete.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from itertools import pairwise
from typing import Literal, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from helhed.organisation.actions import (
    do_assign_role,
    do_close_unit,
    do_create_unit,
    do_end_assignment,
    do_move_unit,
)
from helhed.organisation.importers.rows import (
    Counts,
    ImportResult,
    RowError,
    StaffRow,
    UnitRow,
)
from helhed.organisation.models import (
    CodeList,
    Municipality,
    Role,
    RoleAssignment,
    Sector,
    Staff,
    Unit,
    UnitType,
)

Progress = Callable[[int, int], None]
ONE_DAY = dt.timedelta(days=1)
C = TypeVar("C", bound=CodeList)
R = TypeVar("R")

# Model field names as the import formats call them, for error messages.
_FIELD_NAMES = {"parent": "parent_id", "unit": "unit_id", "external_id": "id", "__all__": ""}


def _fmt(day: dt.date | None) -> str:
    return day.isoformat() if day else _("open")


def _end_min(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    """The earlier of two inclusive ends, where None means open."""
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def _ends_before(a: dt.date | None, b: dt.date | None) -> bool:
    """Whether end ``a`` comes before end ``b`` (None is the open end, last of all)."""
    return a is not None and (b is None or a < b)


def describe(exc: ValidationError) -> str:
    """One line from a ValidationError, field names as the import formats spell them."""
    if hasattr(exc, "error_dict"):
        parts = []
        for name, errors in exc.message_dict.items():
            label = _FIELD_NAMES.get(name, name)
            text = " ".join(errors)
            parts.append(f"{label}: {text}" if label else text)
        return " ".join(parts)
    return " ".join(exc.messages)


class CodeLists:
    """The active code-list entries, looked up by code or Danish or English name.

    Accepting names as well as codes lets a municipality export "Skole" from
    its own system without translating it first.
    """

    def __init__(self) -> None:
        self.unit_types = self._index(UnitType.objects.filter(active=True))
        self.sectors = self._index(Sector.objects.filter(active=True))
        self.roles = self._index(Role.objects.filter(active=True))

    @staticmethod
    def _index(entries: Iterable[C]) -> dict[str, C]:
        index: dict[str, C] = {}
        for entry in entries:
            for alias in (entry.name_en, entry.name_da, entry.code):
                index[alias.strip().lower()] = entry
        return index

    @staticmethod
    def choices(index: dict[str, C]) -> str:
        return ", ".join(sorted({entry.code for entry in index.values()}))


@dataclass
class _Checked:
    """Rows that passed validation: units parents-first, codes resolved."""

    units: list[UnitRow]
    staff: list[StaffRow]


def validate_rows(
    municipality: Municipality,
    units: Sequence[UnitRow],
    staff: Sequence[StaffRow],
    codes: CodeLists,
    known_ids: Iterable[str] = (),
) -> tuple[_Checked, list[RowError]]:
    """Check the rows without writing; return them parents-first with codes resolved.

    ``known_ids`` are unit ids of rows the reader already rejected: they count
    as known here so their children do not report a second, misleading error.
    """
    errors: list[RowError] = []
    known = set(known_ids)

    resolved_units: list[UnitRow] = []
    first_seen: dict[str, UnitRow] = {}
    for row in units:
        problems = []
        unit_type = codes.unit_types.get(row.unit_type.strip().lower())
        if unit_type is None:
            problems.append(
                _("Unknown unit_type '%(value)s'. Use one of: %(choices)s.")
                % {"value": row.unit_type, "choices": codes.choices(codes.unit_types)}
            )
        sector = None
        if row.sector:
            sector = codes.sectors.get(row.sector.strip().lower())
            if sector is None:
                problems.append(
                    _("Unknown sector '%(value)s'. Use one of: %(choices)s.")
                    % {"value": row.sector, "choices": codes.choices(codes.sectors)}
                )
        if row.valid_to is not None and row.valid_to < row.valid_from:
            problems.append(
                _(
                    "valid_to %(end)s is before valid_from %(start)s: "
                    "a unit cannot end before it starts."
                )
                % {"end": _fmt(row.valid_to), "start": _fmt(row.valid_from)}
            )
        if row.external_id in first_seen:
            problems.append(
                _("The id '%(id)s' is used twice; first at %(where)s.")
                % {"id": row.external_id, "where": first_seen[row.external_id].where}
            )
        else:
            first_seen[row.external_id] = row
        errors.extend(RowError(row.where, text, row.line) for text in problems)
        if not problems and unit_type is not None:
            resolved_units.append(
                replace(row, unit_type=unit_type.code, sector=sector.code if sector else None)
            )
        known.add(row.external_id)

    parent_ids = {p.parent_id for row in units for p in row.placements if p.parent_id}
    unit_ids = {row.unit_id for row in staff if row.unit_id}
    in_helhed = set(
        Unit.objects.filter(municipality=municipality, external_id__in=parent_ids | unit_ids)
        .exclude(external_id="")
        .values_list("external_id", flat=True)
    )
    known |= in_helhed

    for row in units:
        for parent_id in {p.parent_id for p in row.placements if p.parent_id}:
            if parent_id not in known:
                errors.append(
                    RowError(
                        row.where,
                        _(
                            "Unknown parent_id '%(id)s': no unit with that id in the file "
                            "or in Helhed."
                        )
                        % {"id": parent_id},
                        row.line,
                    )
                )

    ordered, cycle_errors = _parents_first(resolved_units)
    errors.extend(cycle_errors)

    resolved_staff: list[StaffRow] = []
    person: dict[str, StaffRow] = {}
    seen_roles: dict[tuple[str, str, str, dt.date | None], StaffRow] = {}
    for srow in staff:
        problems = []
        role = None
        if bool(srow.unit_id) != bool(srow.role):
            problems.append(_("Give both unit_id and role, or neither (a staff member only)."))
        if srow.role:
            role = codes.roles.get(srow.role.strip().lower())
            if role is None:
                problems.append(
                    _("Unknown role '%(value)s'. Use one of: %(choices)s.")
                    % {"value": srow.role, "choices": codes.choices(codes.roles)}
                )
        if srow.unit_id:
            if srow.unit_id not in known:
                problems.append(
                    _("Unknown unit_id '%(id)s': no unit with that id in the file or in Helhed.")
                    % {"id": srow.unit_id}
                )
            if srow.valid_from is None:
                problems.append(_("valid_from is required for a role."))
        if (
            srow.valid_from is not None
            and srow.valid_to is not None
            and srow.valid_to < srow.valid_from
        ):
            problems.append(
                _(
                    "valid_to %(end)s is before valid_from %(start)s: "
                    "a role cannot end before it starts."
                )
                % {"end": _fmt(srow.valid_to), "start": _fmt(srow.valid_from)}
            )
        first = person.setdefault(srow.external_id, srow)
        if (first.first_name, first.last_name, first.email) != (
            srow.first_name,
            srow.last_name,
            srow.email,
        ):
            problems.append(
                _("Staff id '%(id)s' has another name or email at %(where)s; they must agree.")
                % {"id": srow.external_id, "where": first.where}
            )
        if role is not None and srow.unit_id:
            role_key = (srow.external_id, srow.unit_id, role.code, srow.valid_from)
            if role_key in seen_roles:
                problems.append(
                    _("The same role is listed twice; first at %(where)s.")
                    % {"where": seen_roles[role_key].where}
                )
            else:
                seen_roles[role_key] = srow
        errors.extend(RowError(srow.where, text, srow.line) for text in problems)
        if not problems:
            resolved_staff.append(replace(srow, role=role.code if role else None))

    return _Checked(ordered, resolved_staff), errors


def _parents_first(rows: list[UnitRow]) -> tuple[list[UnitRow], list[RowError]]:
    """Sort units so every parent in the file comes before its children; report cycles.

    Every parent a unit has had counts, so a unit new to Helhed can be created
    under its first parent and then follow its later ones.
    """
    by_id = {row.external_id: row for row in rows}
    deps: dict[str, set[str]] = {
        row.external_id: {
            p.parent_id for p in row.placements if p.parent_id and p.parent_id in by_id
        }
        for row in rows
    }
    children: dict[str, list[str]] = defaultdict(list)
    for child, parents in deps.items():
        for parent in parents:
            children[parent].append(child)
    waiting = {unit_id: len(parents) for unit_id, parents in deps.items()}
    # Keep file order among siblings, so the output follows the file where it can.
    ready = [row.external_id for row in rows if waiting[row.external_id] == 0]
    ordered: list[UnitRow] = []
    while ready:
        unit_id = ready.pop(0)
        ordered.append(by_id[unit_id])
        for child in children[unit_id]:
            waiting[child] -= 1
            if waiting[child] == 0:
                ready.append(child)

    errors: list[RowError] = []
    stuck = {unit_id for unit_id, count in waiting.items() if count > 0}
    reported: set[str] = set()
    for row in rows:
        if row.external_id not in stuck or row.external_id in reported:
            continue
        # Every stuck unit waits for another stuck unit, so walking up finds a cycle.
        path: list[str] = []
        current = row.external_id
        while current not in path:
            path.append(current)
            current = sorted(deps[current] & stuck)[0]
        cycle = path[path.index(current) :]
        if reported.intersection(cycle):
            continue
        reported.update(cycle)
        members = sorted((by_id[unit_id] for unit_id in cycle), key=lambda r: r.line or 0)
        chain = " → ".join([*cycle, cycle[0]])
        places = ", ".join(m.where for m in members)
        first = members[0]
        errors.append(
            RowError(
                first.where,
                _("The units form a cycle: %(chain)s (%(places)s). A unit cannot be under itself.")
                % {"chain": chain, "places": places},
                first.line,
            )
        )
    return ordered, errors


Outcome = Literal["created", "updated", "moved", "unchanged"]


@dataclass
class _RolePlan:
    row: StaffRow
    staff: Staff
    role: Role
    key: uuid.UUID
    chain: list[RoleAssignment] | None


class _Writer:
    """Writes validated rows; each row in a savepoint, errors collected per row."""

    def __init__(
        self,
        municipality: Municipality,
        codes: CodeLists,
        on: dt.date | None,
        result: ImportResult,
        progress: Progress | None,
        total: int,
    ) -> None:
        self.municipality = municipality
        self.unit_types = {t.code: t for t in codes.unit_types.values()}
        self.sectors = {s.code: s for s in codes.sectors.values()}
        self.roles = {r.code: r for r in codes.roles.values()}
        self.on = on
        self.result = result
        self.progress = progress
        self.total = total
        self.done = 0
        self.failed_units: set[str] = set()
        self.failed_staff: set[str] = set()

    # Bookkeeping ------------------------------------------------------------

    def _step(self) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total)

    def _guarded(self, where: str, line: int | None, work: Callable[[], R]) -> R | None:
        """Run ``work`` in a savepoint; on a validation error record it, undo the row, give None.

        The savepoint keeps one bad row from hiding the errors of the rows after it.
        """
        try:
            with transaction.atomic():
                return work()
        except ValidationError as exc:
            self.result.errors.append(RowError(where, describe(exc), line))
        except IntegrityError as exc:
            self.result.errors.append(RowError(where, str(exc), line))
        return None

    @staticmethod
    def _count(counts: Counts, outcome: Outcome) -> None:
        setattr(counts, outcome, getattr(counts, outcome) + 1)

    # Look-ups ---------------------------------------------------------------

    def _registrations(self, external_id: str) -> list[Unit]:
        regs = list(
            Unit.objects.filter(municipality=self.municipality, external_id=external_id)
            .select_related("parent", "unit_type", "sector")
            .order_by("valid_from", "pk")
        )
        if len({r.key for r in regs}) > 1:
            raise ValidationError(
                _("The id '%(id)s' matches more than one unit in Helhed; give them distinct ids.")
                % {"id": external_id}
            )
        return regs

    def _cover(
        self, external_id: str, start: dt.date, end: dt.date | None, what: str
    ) -> list[tuple[Unit, dt.date, dt.date | None]]:
        """The registrations of a unit that together span [start, end], each clipped.

        A unit reorganised in Helhed has one registration per placement; a
        period that crosses a reorganisation is split along them.
        """
        regs = [
            r
            for r in self._registrations(external_id)
            if (r.valid_to is None or r.valid_to >= start) and (end is None or r.valid_from <= end)
        ]
        covered = bool(regs) and regs[0].valid_from <= start
        for before, after in pairwise(regs):
            if before.valid_to is None or after.valid_from != before.valid_to + ONE_DAY:
                covered = False
        if regs and _ends_before(regs[-1].valid_to, end):
            covered = False
        if not covered:
            all_regs = self._registrations(external_id)
            span = (
                f"{_fmt(all_regs[0].valid_from)} – {_fmt(all_regs[-1].valid_to)}"
                if all_regs
                else _("never")
            )
            message = _(
                "The %(what)s's period %(start)s – %(end)s must lie within the period of "
                "unit '%(id)s' (%(span)s)."
            ) % {
                "what": what,
                "start": _fmt(start),
                "end": _fmt(end),
                "id": external_id,
                "span": span,
            }
            raise ValidationError({"valid_from": ValidationError(message)})
        return [(r, max(start, r.valid_from), _end_min(end, r.valid_to)) for r in regs]

    def _on(self, external_id: str, day: dt.date) -> Unit:
        for reg in reversed(self._registrations(external_id)):
            if reg.is_valid_on(day):
                return reg
        raise ValidationError(
            {
                "parent": ValidationError(
                    _("The unit '%(id)s' does not exist on %(date)s.")
                    % {"id": external_id, "date": _fmt(day)}
                )
            }
        )

    # Units ------------------------------------------------------------------

    def units(self, rows: list[UnitRow]) -> None:
        for row in rows:
            if any(p.parent_id in self.failed_units for p in row.placements):
                # The parent's own error says what to fix; this row would only echo it.
                self.failed_units.add(row.external_id)
                self._step()
                continue
            outcome = self._guarded(row.where, row.line, partial(self._unit, row))
            if outcome is None:
                self.failed_units.add(row.external_id)
            else:
                self._count(self.result.units, outcome)
            self._step()

    def _unit(self, row: UnitRow) -> Outcome:
        regs = self._registrations(row.external_id)
        if not regs:
            self._create_unit(row)
            return "created"
        return self._update_unit(row, regs)

    def _create_unit(self, row: UnitRow) -> None:
        """Create a unit with its history of parents, following each parent's registrations.

        A new unit has no roles, children or engagements to carry along, so its
        registrations are created directly with the shared ``key`` and
        ``predecessor`` links that ``do_move_unit`` would have made.
        """
        key = uuid.uuid4()
        previous: Unit | None = None
        for index, placement in enumerate(row.placements):
            start = placement.since
            if index + 1 < len(row.placements):
                end: dt.date | None = row.placements[index + 1].since - ONE_DAY
            else:
                end = row.valid_to
            if placement.parent_id is None:
                segments: list[tuple[Unit | None, dt.date, dt.date | None]] = [(None, start, end)]
            else:
                segments = list(self._cover(placement.parent_id, start, end, _("unit")))
            for parent, seg_start, seg_end in segments:
                previous = do_create_unit(
                    municipality=self.municipality,
                    name=row.name,
                    unit_type=self.unit_types[row.unit_type],
                    parent=parent,
                    valid_from=seg_start,
                    valid_to=seg_end,
                    key=key,
                    predecessor=previous,
                    sector=self.sectors[row.sector] if row.sector else None,
                    external_id=row.external_id,
                )

    def _update_unit(self, row: UnitRow, regs: list[Unit]) -> Outcome:
        first, latest = regs[0], regs[-1]
        moved = updated = False

        parent = latest.parent
        target_parent = self._registrations(row.parent_id)[0].key if row.parent_id else None
        if (parent.key if parent else None) != target_parent:
            if parent is None or row.parent_id is None:
                raise ValidationError(
                    {
                        "parent": ValidationError(
                            _(
                                "An import cannot make a unit a top unit, "
                                "or give a top unit a parent."
                            )
                        )
                    }
                )
            since = row.placements[-1].since
            if since > latest.valid_from:
                on = since
            elif self.on is not None and self.on > latest.valid_from:
                on = self.on
            else:
                old = parent.external_id or parent.name
                raise ValidationError(
                    {
                        "parent": ValidationError(
                            _(
                                "The parent changed from '%(old)s' to '%(new)s'. Give the date "
                                "of the reorganisation: a valid_from after %(start)s, or --on."
                            )
                            % {"old": old, "new": row.parent_id, "start": _fmt(latest.valid_from)}
                        )
                    }
                )
            latest = do_move_unit(latest, self._on(row.parent_id, on), on)
            moved = True

        if row.valid_from not in (first.valid_from, latest.valid_from):
            raise ValidationError(
                {
                    "valid_from": ValidationError(
                        _(
                            "The unit started on %(stored)s in Helhed; an import does not move "
                            "start dates. Keep valid_from, or change the parent to reorganise."
                        )
                        % {"stored": _fmt(first.valid_from)}
                    )
                }
            )

        changed: list[str] = []
        if latest.name != row.name:
            latest.name = row.name
            changed.append("name")
        if latest.unit_type.code != row.unit_type:
            latest.unit_type = self.unit_types[row.unit_type]
            changed.append("unit_type")
        if (latest.sector.code if latest.sector else None) != row.sector:
            latest.sector = self.sectors[row.sector] if row.sector else None
            changed.append("sector")
        if changed:
            latest.full_clean()
            latest.save(update_fields=changed)
            updated = True

        if row.valid_to != latest.valid_to:
            if row.valid_to is not None and _ends_before(row.valid_to, latest.valid_to):
                do_close_unit(latest, row.valid_to)
            else:
                # Reopening or extending touches only this unit; its children
                # stay as they are until their own rows say otherwise.
                latest.valid_to = row.valid_to
                latest.full_clean()
                latest.save(update_fields=["valid_to"])
            updated = True

        if moved:
            return "moved"
        return "updated" if updated else "unchanged"

    # Staff ------------------------------------------------------------------

    def staff(self, rows: list[StaffRow]) -> None:
        people: dict[str, StaffRow] = {}
        for row in rows:
            people.setdefault(row.external_id, row)
        saved: dict[str, Staff] = {}
        for external_id, row in people.items():
            person = self._guarded(row.where, row.line, partial(self._person, row))
            if person is None:
                self.failed_staff.add(external_id)
            else:
                self._count(self.result.staff, person[0])
                saved[external_id] = person[1]
            self._step()

        plans: list[_RolePlan] = []
        for row in rows:
            if not (row.unit_id and row.role):
                continue
            if row.external_id in self.failed_staff or row.unit_id in self.failed_units:
                self._step()
                continue
            plan = self._guarded(
                row.where, row.line, partial(self._plan, row, saved[row.external_id])
            )
            if plan is None:
                self._step()
            else:
                plans.append(plan)

        # Shorten first, then extend, then create, so a leader handing over to
        # the next within one file never looks like two leaders at once.
        def phase(plan: _RolePlan) -> int:
            if plan.chain is None:
                return 3
            end = plan.chain[-1].valid_to
            if plan.row.valid_to != end and _ends_before(plan.row.valid_to, end):
                return 0
            return 1 if plan.row.valid_to == end else 2

        for plan in sorted(plans, key=phase):
            done = self._guarded(plan.row.where, plan.row.line, partial(self._assignment, plan))
            if done is not None:
                self._count(self.result.assignments, done)
            self._step()

    def _person(self, row: StaffRow) -> tuple[Outcome, Staff]:
        matches = list(
            Staff.objects.filter(municipality=self.municipality, external_id=row.external_id)[:2]
        )
        if len(matches) > 1:
            raise ValidationError(
                _("The id '%(id)s' matches more than one staff member in Helhed.")
                % {"id": row.external_id}
            )
        if not matches:
            staff = Staff(
                municipality=self.municipality,
                external_id=row.external_id,
                first_name=row.first_name,
                last_name=row.last_name,
                email=row.email,
            )
            staff.full_clean()
            staff.save()
            return "created", staff
        staff = matches[0]
        changed = [
            name
            for name in ("first_name", "last_name", "email")
            if getattr(staff, name) != getattr(row, name)
        ]
        if not changed:
            return "unchanged", staff
        for name in changed:
            setattr(staff, name, getattr(row, name))
        staff.full_clean()
        staff.save(update_fields=changed)
        return "updated", staff

    def _plan(self, row: StaffRow, staff: Staff) -> _RolePlan:
        """Find the role this row describes, if Helhed has it already.

        A reorganisation splits one role into pieces on successive
        registrations of the unit, back to back; the pieces form one chain and
        a row matches the chain that starts on its valid_from.
        """
        assert row.unit_id and row.role  # noqa: S101 - guaranteed by the caller
        role = self.roles[row.role]
        key = self._registrations(row.unit_id)[0].key
        pieces = RoleAssignment.objects.filter(staff=staff, role=role, unit__key=key).order_by(
            "valid_from", "pk"
        )
        chains: list[list[RoleAssignment]] = []
        for piece in pieces:
            last = chains[-1][-1] if chains else None
            if (
                last is not None
                and last.valid_to is not None
                and (piece.valid_from == last.valid_to + ONE_DAY)
            ):
                chains[-1].append(piece)
            else:
                chains.append([piece])
        chain = next((c for c in chains if c[0].valid_from == row.valid_from), None)
        return _RolePlan(row, staff, role, key, chain)

    def _assignment(self, plan: _RolePlan) -> Outcome:
        row, chain = plan.row, plan.chain
        assert row.unit_id and row.valid_from  # noqa: S101 - guaranteed by validation
        if chain is None:
            for unit, start, end in self._cover(
                row.unit_id, row.valid_from, row.valid_to, _("role")
            ):
                do_assign_role(
                    staff=plan.staff,
                    unit=unit,
                    role=plan.role,
                    valid_from=start,
                    valid_to=end,
                    job_title=row.job_title,
                )
            return "created"

        updated = False
        end = chain[-1].valid_to
        if row.valid_to != end:
            updated = True
            if row.valid_to is not None and _ends_before(row.valid_to, end):
                for piece in chain:
                    if piece.valid_from > row.valid_to:
                        piece.delete()
                    elif _ends_before(row.valid_to, piece.valid_to):
                        do_end_assignment(piece, row.valid_to)
            else:
                assert end is not None  # noqa: S101 - an open chain cannot be extended
                last = chain[-1]
                for unit, start, seg_end in self._cover(
                    row.unit_id, end + ONE_DAY, row.valid_to, _("role")
                ):
                    if unit.pk == last.unit_id:
                        last.valid_to = seg_end
                        last.full_clean()
                        last.save(update_fields=["valid_to"])
                    else:
                        do_assign_role(
                            staff=plan.staff,
                            unit=unit,
                            role=plan.role,
                            valid_from=start,
                            valid_to=seg_end,
                            job_title=row.job_title,
                        )
        retitled = RoleAssignment.objects.filter(
            pk__in=[p.pk for p in chain if p.pk is not None]
        ).exclude(job_title=row.job_title)
        for piece in retitled:
            piece.job_title = row.job_title
            piece.full_clean()
            piece.save(update_fields=["job_title"])
            updated = True
        return "updated" if updated else "unchanged"


def apply_rows(
    municipality: Municipality,
    units: Sequence[UnitRow],
    staff: Sequence[StaffRow] = (),
    *,
    on: dt.date | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    errors: Sequence[RowError] = (),
    known_ids: Iterable[str] = (),
) -> ImportResult:
    """Validate and write the rows in one transaction; any error writes nothing.

    ``errors`` are the reader's own (a bad date, a missing column): with any of
    them nothing is written either, but validation still runs so the user sees
    every problem at once. ``on`` dates a reorganisation whose row does not
    carry a later valid_from. ``dry_run`` does everything and rolls back, so
    the counts say what an import would do.
    """
    result = ImportResult(dry_run=dry_run, errors=list(errors))
    codes = CodeLists()
    checked, problems = validate_rows(municipality, units, staff, codes, known_ids)
    result.errors.extend(problems)
    if result.errors:
        return result

    total = len(checked.units) + len({r.external_id for r in checked.staff})
    total += sum(1 for r in checked.staff if r.unit_id)
    with transaction.atomic():
        writer = _Writer(municipality, codes, on, result, progress, total)
        writer.units(checked.units)
        writer.staff(checked.staff)
        if result.errors or dry_run:
            transaction.set_rollback(True)
    if result.errors:
        result.units, result.staff, result.assignments = Counts(), Counts(), Counts()
    return result
