"""Status of many indicators for many units: one batch against a look-up per cell.

A unit page shows every indicator for the unit, two levels up and two levels
down: for an administration that is a few hundred (indicator, unit) cells.
Builds an administration with areas and schools, the catalogue, targets at
the top and 20 quarters of values for every unit, then times

* baseline: ``status_for`` once per cell (what a page that asks cell by cell
  would do: three queries per cell);
* helhed: ``statuses`` for the whole page (three queries in all);

and prints both medians and the ratio, after checking that they agree.
"""

from __future__ import annotations

import argparse
import random
from decimal import Decimal

from subtree import build_tree, median_seconds, setup_django


def fill_values(admin_id: int, quarters: int) -> tuple[list[object], list[object], object]:
    from helhed.organisation.models import Municipality, Unit
    from helhed.results.catalogue import install_catalogue
    from helhed.results.models import Indicator, Measurement, Target
    from helhed.results.periods import Frequency, Period

    muni = Municipality.objects.get(code=230)
    install_catalogue(muni)
    indicators = list(
        Indicator.objects.filter(municipality=muni, computed_by="", frequency=Frequency.QUARTERLY)
    )
    admin = Unit.objects.get(pk=admin_id)
    units = list(Unit.objects.under(admin).exclude(unit_type__code="team"))
    last = Period.parse("2026-Q3")
    periods = last.back(quarters)
    rng = random.Random(7)
    rows = []
    for unit in units:
        for indicator in indicators:
            level = rng.uniform(5, 20)
            for period in periods:
                rows.append(
                    Measurement(
                        indicator=indicator,
                        unit=unit,
                        unit_key=unit.key,
                        period=period.code,
                        period_start=period.start,
                        value=Decimal(str(round(level + rng.uniform(-2, 2), 3))),
                        persons=rng.randint(3, 400),
                    )
                )
    Measurement.objects.bulk_create(rows, batch_size=2000)
    for indicator in indicators:
        Target.objects.create(indicator=indicator, unit=admin, applies_from="2022", value=12)
    return indicators, units, last


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=4)
    parser.add_argument("--institutions", type=int, default=10)
    parser.add_argument("--quarters", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    setup_django()
    from helhed.results.status import status_for, statuses

    _root, admin_id = build_tree(1, args.areas, args.institutions, 0)
    indicators, units, period = fill_values(admin_id, args.quarters)
    cells = len(indicators) * len(units)

    def per_cell() -> dict[tuple[int, int], object]:
        return {
            (i.pk, u.pk): status_for(i, u, period)  # type: ignore[arg-type]
            for i in indicators
            for u in units
        }

    def batch() -> dict[tuple[int, int], object]:
        return statuses(indicators, units, period)  # type: ignore[arg-type]

    slow, fast = per_cell(), batch()
    for key, status in fast.items():
        other = slow[key]
        assert (status.value, status.rag, status.target_value) == (  # type: ignore[attr-defined]
            other.value,  # type: ignore[attr-defined]
            other.rag,  # type: ignore[attr-defined]
            other.target_value,  # type: ignore[attr-defined]
        ), "the two methods disagree"
    baseline = median_seconds(per_cell, max(1, args.repeat // 2))
    helhed = median_seconds(batch, args.repeat)
    print(
        f"status of {len(indicators)} indicators x {len(units)} units ({cells} cells, "
        f"{args.quarters} quarters of history): per cell {baseline * 1000:.0f} ms, "
        f"batch {helhed * 1000:.0f} ms, ratio {baseline / helhed:.1f}x"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
