"""Subtree queries: materialized path against a level-by-level walk.

Builds a municipality-sized tree (default: 8 administrations x 6 areas x 12
institutions x 4 teams = 2,937 units) in a scratch database, then times

* baseline: breadth-first walk with one ``parent_id IN (...)`` query per level,
  what a plain adjacency list needs;
* helhed: ``Unit.objects.under(unit)``, one indexed prefix query;

and prints both medians and the ratio. Also times the management span of
every leader under the root.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def setup_django() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    if "HELHED_DATABASE_URL" not in os.environ:
        scratch = Path(tempfile.mkdtemp()) / "bench.sqlite3"
        os.environ["HELHED_DATABASE_URL"] = f"sqlite:///{scratch}"
        # A scratch database needs none of the developer's keys (var/helhed.env,
        # perhaps with HELHED_AUDIT_KEYS, which may not be set beside HELHED_AUDIT_KEY).
        os.environ.setdefault("HELHED_ENV_FILE", str(scratch.parent / "bench.env"))
    os.environ.setdefault("HELHED_SECRET_KEY", "bench-only")
    os.environ.setdefault("HELHED_CPR_KEYS", "eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHg=")
    os.environ.setdefault("HELHED_PSEUDONYM_KEY", "bench-only")
    os.environ.setdefault("HELHED_AUDIT_KEY", "bench-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helhed.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def build_tree(admins: int, areas: int, institutions: int, teams: int) -> tuple[int, int]:
    from helhed.organisation.models import Municipality, Role, RoleAssignment, Staff, Unit, UnitType

    start = dt.date(2020, 1, 1)
    types = {t.code: t for t in UnitType.objects.all()}
    leader = Role.objects.get(code="leader")
    teacher = Role.objects.get(code="teacher")
    muni = Municipality.objects.get(code=230)
    Unit.objects.filter(municipality=muni).delete()

    def make(name: str, parent: Unit | None, kind: str) -> Unit:
        unit = Unit(name=name, parent=parent, municipality=muni, unit_type=types[kind])
        unit.valid_from = start
        unit.save()
        return unit

    staff_rows: list[tuple[Unit, Role]] = []
    root = make("Kommune", None, "municipality")
    first_admin = None
    for a in range(admins):
        admin = make(f"Forvaltning {a}", root, "administration")
        first_admin = first_admin or admin
        for b in range(areas):
            area = make(f"Område {a}.{b}", admin, "area")
            staff_rows.append((area, leader))
            for c in range(institutions):
                inst = make(f"Institution {a}.{b}.{c}", area, "institution")
                staff_rows.append((inst, leader))
                staff_rows += [(inst, teacher)] * 6
                for d in range(teams):
                    make(f"Team {a}.{b}.{c}.{d}", inst, "team")
    people = Staff.objects.bulk_create(
        Staff(municipality=muni, first_name="S", last_name=str(i)) for i in range(len(staff_rows))
    )
    RoleAssignment.objects.bulk_create(
        RoleAssignment(staff=p, unit=u, role=r, valid_from=start)
        for p, (u, r) in zip(people, staff_rows, strict=True)
    )
    assert first_admin is not None
    return root.pk, first_admin.pk


def walk_levels(unit_id: int) -> set[int]:
    from helhed.organisation.models import Unit

    found = {unit_id}
    frontier = [unit_id]
    while frontier:
        frontier = list(Unit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        found.update(frontier)
    return found


def by_path(unit_id: int) -> set[int]:
    from helhed.organisation.models import Unit

    unit = Unit.objects.get(pk=unit_id)
    return set(Unit.objects.under(unit).values_list("pk", flat=True))


def median_seconds(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--admins", type=int, default=8)
    parser.add_argument("--areas", type=int, default=6)
    parser.add_argument("--institutions", type=int, default=12)
    parser.add_argument("--teams", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=25)
    args = parser.parse_args()
    setup_django()
    from helhed.organisation.models import Unit
    from helhed.organisation.span import management_spans

    root_id, admin_id = build_tree(args.admins, args.areas, args.institutions, args.teams)
    total = Unit.objects.count()
    for target, label in ((root_id, "whole municipality"), (admin_id, "one administration")):
        assert walk_levels(target) == by_path(target), "the two methods disagree"
        size = len(by_path(target))
        baseline = median_seconds(lambda t=target: walk_levels(t), args.repeat)
        helhed = median_seconds(lambda t=target: by_path(t), args.repeat)
        print(
            f"subtree of {label} ({size} of {total} units): "
            f"level walk {baseline * 1000:.2f} ms, path prefix {helhed * 1000:.2f} ms, "
            f"ratio {baseline / helhed:.1f}x"
        )
    root = Unit.objects.get(pk=root_id)
    spans_time = median_seconds(lambda: management_spans(root), max(3, args.repeat // 5))
    spans = management_spans(root)
    print(f"management span of {len(spans)} leaders in {total} units: {spans_time * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
