"""Small-number suppression: hand-made cases, three attacks, and a slow reference to agree with.

The attacks play the reader who knows every equation (hierarchy and group splits) and
every published number: solving the equations exactly (attack 1), reading one equation
(attack 2), and subtracting the published children from the parent (attack 3). The
reference implementation below follows the module's docstring one cell at a time with
dicts and recursion; the vectorised one must give the very same statuses.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from fractions import Fraction
from functools import cache

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helhed.analytics.kinds import AGE_BANDS, SEXES
from helhed.analytics.suppression import suppress

ALL = "all"
SEX_GROUPS = [f"sex:{sex}" for sex in SEXES]
AGE_GROUPS = [f"age:{name}" for name, _low, _high in AGE_BANDS]
GROUPS = [ALL, *SEX_GROUPS, *AGE_GROUPS]

Key = tuple[int, str]  # (unit, group)
Rows = Mapping[int, Iterable[tuple[str, str, int]]]  # unit -> (sex, age band, persons)


def build(parents: Mapping[int, int | None], rows: Rows):
    """Cells and own cells of a tree from each unit's own rows, as the engine rolls them up.

    A row (sex, age band, persons) counts in 'all', its sex and its band; a cell exists
    where some row of the unit's subtree falls in its group (possibly with 0 persons).
    """
    children: dict[int, list[int]] = {}
    for unit, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(unit)

    def subtree(unit: int) -> list[int]:
        return [unit, *(d for c in children.get(unit, []) for d in subtree(c))]

    def sums(units: Iterable[int]) -> dict[str, int]:
        total: dict[str, int] = {}
        for unit in units:
            for sex, band, persons in rows.get(unit, ()):
                for group in (ALL, f"sex:{sex}", f"age:{band}"):
                    total[group] = total.get(group, 0) + persons
        return total

    cell_rows, own_rows = [], []
    for unit in parents:
        for group, persons in sums(subtree(unit)).items():
            cell_rows.append(("ind", 2025, group, unit, persons))
        for group, persons in sums([unit]).items():
            own_rows.append(("ind", 2025, group, unit, persons))
    columns = ["indicator", "period", "grp", "unit_id", "persons"]
    return pd.DataFrame(cell_rows, columns=columns), pd.DataFrame(own_rows, columns=columns)


def statuses(cells: pd.DataFrame, result: pd.Series) -> dict[tuple[int, int, str], str]:
    return {
        (row.period, row.unit_id, row.grp): status
        for row, status in zip(cells.itertuples(), result, strict=True)
    }


# ---------------------------------------------------------------- the reference


def reference_patterns() -> list[tuple[str, ...]]:
    swaps: list[tuple[str, ...]] = [
        p for part in (SEX_GROUPS, AGE_GROUPS) for p in itertools.combinations(part, 2)
    ]
    moves: list[tuple[str, ...]] = [(ALL, s, a) for s in SEX_GROUPS for a in AGE_GROUPS]
    return swaps + moves


PATTERNS = reference_patterns()


def reference_suppress(
    cells: pd.DataFrame, own: pd.DataFrame, parents: Mapping[int, int | None], minimum: int = 5
) -> list[str]:
    """The module's method, one table, one cell and one equation at a time."""
    result: dict[tuple[object, object, int, str], str] = {}
    for (indicator, period), frame in cells.groupby(["indicator", "period"]):
        persons = {(r.unit_id, r.grp): r.persons for r in frame.itertuples()}
        mine = own[(own["indicator"] == indicator) & (own["period"] == period)]
        units = {unit for unit, _group in persons}
        own_persons = {
            (r.unit_id, r.grp): r.persons for r in mine.itertuples() if r.unit_id in units
        }
        hidden = reference_table(persons, own_persons, parents, minimum)
        for (unit, group), count in persons.items():
            status = (
                "primary" if count < minimum else "complementary" if (unit, group) in hidden else ""
            )
            result[(indicator, period, unit, group)] = status
    return [result[(r.indicator, r.period, r.unit_id, r.grp)] for r in cells.itertuples()]


def reference_table(
    persons: dict[Key, int], own: dict[Key, int], parents: Mapping[int, int | None], minimum: int
) -> set[Key]:
    units = sorted({unit for unit, _group in persons})

    def parent(unit: int) -> int | None:
        above = parents[unit]
        return above if above in units else None

    children = {unit: [c for c in units if parent(c) == unit] for unit in units}
    own = dict(own)
    for (unit, group), count in persons.items():
        if (unit, group) not in own and not any((c, group) in persons for c in children[unit]):
            own[(unit, group)] = count
    primary = {key for key, count in persons.items() if count < minimum}
    hidden = set(primary)

    def cost(unit: int, pattern: tuple[str, ...]) -> int:
        return sum(persons[(unit, g)] for g in pattern if (unit, g) not in primary)

    def valid(unit: int, pattern: tuple[str, ...]) -> bool:
        return all((unit, g) in persons for g in pattern)

    def is_open(unit: int, pattern: tuple[str, ...]) -> bool:
        return all((unit, g) in own for g in pattern)

    @cache
    def change(unit: int, pattern: tuple[str, ...]) -> float:
        if not valid(unit, pattern):
            return math.inf
        below = 0.0 if is_open(unit, pattern) else best_child(unit, pattern)[0]
        return cost(unit, pattern) + below

    def best_child(unit: int, pattern: tuple[str, ...], but: int | None = None):
        best: tuple[float, int | None] = (math.inf, None)
        for c in children[unit]:
            if c != but and change(c, pattern) < best[0]:
                best = (change(c, pattern), c)
        return best

    @cache
    def up(unit: int, pattern: tuple[str, ...]) -> tuple[float, str, int | None]:
        above = parent(unit)
        if above is None or is_open(above, pattern):
            return (0.0, "done", None)
        sibling_cost, sibling = best_child(above, pattern, but=unit)
        carried = (
            cost(above, pattern) + up(above, pattern)[0] if valid(above, pattern) else math.inf
        )
        if sibling_cost <= carried:
            return (sibling_cost, "sibling", sibling)
        return (carried, "up", None)

    def hide(unit: int | None, pattern: tuple[str, ...]) -> None:
        assert unit is not None
        hidden.update((unit, g) for g in pattern)

    def walk_down(unit: int, pattern: tuple[str, ...]) -> None:
        while not is_open(unit, pattern):
            child = best_child(unit, pattern)[1]
            assert child is not None
            hide(child, pattern)
            unit = child

    def walk_up(unit: int, pattern: tuple[str, ...]) -> None:
        while True:
            _cost, kind, sibling = up(unit, pattern)
            if kind == "done":
                return
            if kind == "sibling":
                assert sibling is not None
                hide(sibling, pattern)
                walk_down(sibling, pattern)
                return
            above = parent(unit)
            assert above is not None
            hide(above, pattern)
            unit = above

    for unit, group in sorted(primary):
        total, index = min(
            (change(unit, p) + up(unit, p)[0], i) for i, p in enumerate(PATTERNS) if group in p
        )
        assert total < math.inf
        pattern = PATTERNS[index]
        hide(unit, pattern)
        walk_down(unit, pattern)
        walk_up(unit, pattern)

    for (unit, group), count in sorted(own.items()):
        if not 0 < count < minimum:
            continue
        options = []
        for i, p in enumerate(PATTERNS):
            if group in p and is_open(unit, p):
                at_unit = cost(unit, p) + up(unit, p)[0] if valid(unit, p) else math.inf
                at_child, child = best_child(unit, p)
                options.append((min(at_unit, at_child), i, at_unit, at_child, child))
        total, index, at_unit, at_child, child = min(options, key=lambda o: (o[0], o[1]))
        assert total < math.inf
        if at_child < at_unit:
            assert child is not None
            hide(child, PATTERNS[index])
            walk_down(child, PATTERNS[index])
        else:
            hide(unit, PATTERNS[index])
            walk_up(unit, PATTERNS[index])

    equations: list[tuple[Key, list[Key], list[int]]] = []
    for unit in units:
        for members in (SEX_GROUPS, AGE_GROUPS):
            if (unit, ALL) in persons:
                parts = [(unit, g) for g in members if (unit, g) in persons]
                equations.append(((unit, ALL), parts, []))
        for group in GROUPS:
            if (unit, group) in persons:
                parts = [(c, group) for c in children[unit] if (c, group) in persons]
                owns = [own[(unit, group)]] if (unit, group) in own else []
                equations.append(((unit, group), parts, owns))
    while True:
        fix: set[Key] = set()
        for whole, parts, owns in equations:
            hidden_parts = [k for k in parts if k in hidden]
            shown = [(persons[k], i, k) for i, k in enumerate(parts) if k not in hidden]
            count = len(hidden_parts) + len(owns)
            if whole not in hidden:
                sensitive = hidden_parts or any(0 < o < minimum for o in owns)
                small = sum(persons[k] for k in hidden_parts) + sum(owns) < minimum
                broken = bool(sensitive) and (count == 1 or small)
            else:
                broken = count == 0 and bool(parts)
            if broken and shown:
                fix.add(min(shown)[2])
            elif broken and whole not in hidden:
                fix.add(whole)
        if fix <= hidden:
            return hidden
        hidden |= fix


# ---------------------------------------------------------------- the attacks

Var = tuple[str, int, str]  # ("cell" | "own", unit, group)


def equations_of(persons: dict[Key, int], own: dict[Key, int], parents: Mapping[int, int | None]):
    """Every equation as (total, cell members, own members), one table."""
    units = sorted({unit for unit, _group in persons})
    children = {u: [c for c in units if parents[c] == u] for u in units}
    result: list[tuple[Var, list[Var], list[Var]]] = []
    for unit in units:
        for members in (SEX_GROUPS, AGE_GROUPS):
            if (unit, ALL) in persons:
                parts = [("cell", unit, g) for g in members if (unit, g) in persons]
                result.append((("cell", unit, ALL), parts, []))
            if (unit, ALL) in own:
                parts = [("own", unit, g) for g in members if (unit, g) in own]
                result.append((("own", unit, ALL), parts, []))
        for group in GROUPS:
            if (unit, group) in persons:
                parts = [("cell", c, group) for c in children[unit] if (c, group) in persons]
                owns = [("own", unit, group)] if (unit, group) in own else []
                result.append((("cell", unit, group), parts, owns))
    return result


def reduce(pivots: dict[int, dict[int, Fraction]], row: dict[int, Fraction]) -> dict[int, Fraction]:
    row = {k: v for k, v in row.items() if v}
    while row:
        lead = min(row)
        if lead not in pivots:
            return row
        factor = row[lead]
        for k, v in pivots[lead].items():
            value = row.get(k, Fraction(0)) - factor * v
            if value:
                row[k] = value
            else:
                row.pop(k, None)
    return row


def determined_targets(cells, own, parents, result, minimum=5) -> list[Var]:
    """Attack 1: the small cells and small own cells that the published numbers pin down.

    Moving the published numbers to the right-hand side leaves the equations restricted
    to the hidden variables (hidden cells and every own cell present); a hidden variable
    is determined exactly when its unit vector lies in the row space of that matrix.
    """
    found = []
    for period, frame in cells.assign(status=list(result)).groupby("period"):
        persons = {(r.unit_id, r.grp): r.persons for r in frame.itertuples()}
        hidden = {("cell", r.unit_id, r.grp) for r in frame.itertuples() if r.status}
        mine = own[own["period"] == period]
        owns = {(r.unit_id, r.grp): r.persons for r in mine.itertuples()}
        hidden |= {("own", u, g) for u, g in owns}
        index = {var: i for i, var in enumerate(sorted(hidden))}
        pivots: dict[int, dict[int, Fraction]] = {}
        for total, parts, own_parts in equations_of(persons, owns, parents):
            row: dict[int, Fraction] = {}
            for var, sign in [(total, 1), *((p, -1) for p in parts + own_parts)]:
                if var in index:
                    row[index[var]] = row.get(index[var], Fraction(0)) + sign
            rest = reduce(pivots, row)
            if rest:
                lead = min(rest)
                pivots[lead] = {k: v / rest[lead] for k, v in rest.items()}
        targets = [("cell", u, g) for (u, g), p in persons.items() if p < minimum]
        targets += [("own", u, g) for (u, g), p in owns.items() if 0 < p < minimum]
        found += [t for t in targets if not reduce(pivots, {index[t]: Fraction(1)})]
    return found


def told_by_one_equation(cells, own, parents, result, minimum=5) -> list[str]:
    """Attack 2: what single equations tell about the hidden cells, where it is too much."""
    problems = []
    for period, frame in cells.assign(status=list(result)).groupby("period"):
        persons = {(r.unit_id, r.grp): r.persons for r in frame.itertuples()}
        hidden = {("cell", r.unit_id, r.grp) for r in frame.itertuples() if r.status}
        mine = own[own["period"] == period]
        owns = {(r.unit_id, r.grp): r.persons for r in mine.itertuples()}

        def count(var: Var, persons=persons, owns=owns) -> int:
            return (persons if var[0] == "cell" else owns)[(var[1], var[2])]

        for total, parts, own_parts in equations_of(persons, owns, parents):
            if total[0] == "own":
                continue  # every member hidden: the equation says nothing about counts
            hidden_members = [p for p in parts if p in hidden] + own_parts
            if total in hidden:
                if not hidden_members and parts:
                    problems.append(f"{period} {total} is its members' sum")
                continue
            learned = sum(count(m) for m in hidden_members)
            only_big_own = all(m[0] == "own" and not 0 < count(m) < minimum for m in hidden_members)
            if hidden_members and not only_big_own:
                if 0 < learned < minimum or (
                    learned == 0 and any(m[0] == "cell" for m in hidden_members)
                ):
                    problems.append(f"{period} {total}: its hidden members hold {learned}")
                if len(hidden_members) == 1:
                    problems.append(f"{period} {total}: its one hidden member is {learned}")
    return problems


# ---------------------------------------------------------------- random trees


@st.composite
def trees(draw, tables: int = 2):
    rnd = draw(st.randoms(use_true_random=False))
    ids = rnd.sample(range(1, 1000), 60)
    parents: dict[int, int | None] = {ids[0]: None}
    frontier = [ids[0]]
    for _level in range(rnd.randint(0, 3)):
        grown = []
        for unit in frontier:
            for _child in range(rnd.randint(1, 5)):
                if len(parents) < 40:
                    child = ids[len(parents)]
                    parents[child] = unit
                    grown.append(child)
        frontier = grown
    inner = {p for p in parents.values() if p is not None}
    persons = [0, 1, 2, 3, 4, 0, 1, 2, 5, 6, 9, 14, 30]
    tables_rows = []
    for _table in range(tables):
        rows: dict[int, list[tuple[str, str, int]]] = {}
        for unit in parents:
            if unit in inner and rnd.random() > 0.3:
                continue
            cross = [(s, a) for s in SEXES for a, _l, _h in AGE_BANDS]
            chosen = rnd.sample(cross, rnd.randint(1, 4))
            rows[unit] = [(s, a, rnd.choice(persons)) for s, a in chosen]
        tables_rows.append(rows)
    frames = [build(parents, rows) for rows in tables_rows]
    cells = pd.concat(
        [f[0].assign(period=2025 + i) for i, f in enumerate(frames)], ignore_index=True
    )
    own = pd.concat([f[1].assign(period=2025 + i) for i, f in enumerate(frames)], ignore_index=True)
    return cells, own, parents


FEW = settings(derandomize=True, deadline=None, max_examples=25)


@FEW
@given(trees(), st.sampled_from([5, 5, 3, 6]))
def test_it_agrees_with_the_reference(case, minimum):
    cells, own, parents = case
    # The vectorised code must not depend on row order or on own rows it can infer.
    shuffled = cells.sample(frac=1, random_state=1)
    leaves_dropped = own[own["unit_id"].isin(set(parents.values()))]
    result = suppress(shuffled, leaves_dropped, parents, minimum)
    assert list(result.loc[cells.index]) == reference_suppress(cells, own, parents, minimum)


@FEW
@given(trees())
def test_solving_the_equations_pins_down_no_small_cell(case):
    cells, own, parents = case
    result = suppress(cells, own, parents)
    assert determined_targets(cells, own, parents, result) == []


@FEW
@given(trees())
def test_no_single_equation_tells_a_small_count(case):
    cells, own, parents = case
    result = suppress(cells, own, parents)
    assert told_by_one_equation(cells, own, parents, result) == []


def test_the_attacks_see_a_leak_when_only_primary_cells_are_hidden():
    """The attacks can fail: with the small school alone hidden, both find it."""
    cells, own = build({1: None, 2: 1, 3: 1}, {2: [("F", "6-11", 3)], 3: [("F", "6-11", 40)]})
    only_primary = pd.Series(["primary" if p < 5 else "" for p in cells["persons"]])
    assert ("cell", 2, ALL) in determined_targets(cells, own, {1: None, 2: 1, 3: 1}, only_primary)
    assert told_by_one_equation(cells, own, {1: None, 2: 1, 3: 1}, only_primary)


# ---------------------------------------------------------------- hand-made cases

ISSUE = {1: None, 3: 1, 40: 1, 50: 1}  # a municipality and schools named by their pupils
ISSUE_ROWS = {
    3: [("F", "6-11", 2), ("M", "6-11", 1)],
    40: [("F", "6-11", 10), ("M", "6-11", 10), ("F", "12-17", 10), ("M", "12-17", 10)],
    50: [("F", "6-11", 12), ("M", "6-11", 13), ("F", "12-17", 13), ("M", "12-17", 12)],
}


def test_subtracting_the_published_schools_gives_two_schools_not_the_small_one():
    cells, own = build(ISSUE, ISSUE_ROWS)
    no_own = own.iloc[0:0]  # the schools' own cells are inferred
    seen = statuses(cells, suppress(cells, no_own, ISSUE))

    assert seen[(2025, 3, ALL)] == "primary"
    assert seen[(2025, 40, ALL)] == "complementary"
    assert seen[(2025, 50, ALL)] == ""
    assert seen[(2025, 1, ALL)] == ""
    published = {k: p for k, p in zip(seen, cells["persons"], strict=True) if seen[k] == ""}
    difference = published[(2025, 1, ALL)] - published[(2025, 50, ALL)]
    assert difference == 43  # the 3 and the 40 together, not the 3
    assert {k[1] for k, s in seen.items() if s and k[2] == ALL} == {3, 40}
    # The 40 school's hidden split: the small school's cells swap or move with it.
    assert {g for (_p, u, g), s in seen.items() if u == 40 and s} == {
        ALL,
        "sex:F",
        "sex:M",
        "age:6-11",
    }
    assert seen[(2025, 40, "age:12-17")] == ""
    assert determined_targets(cells, own, ISSUE, seen.values()) == []


def test_nothing_under_the_minimum_hides_nothing():
    parents = {1: None, 2: 1, 3: 1}
    rows = {2: [("F", "6-11", 10), ("M", "6-11", 12)], 3: [("F", "12-17", 8), ("M", "12-17", 9)]}
    cells, own = build(parents, rows)
    assert set(suppress(cells, own, parents)) == {""}


def test_an_only_child_of_one_hides_the_parents_total():
    """The parent's own 10 (women, 30+) cannot absorb the child's boy, so its total goes.

    The equation rule alone is satisfied without this (the parent's 'all' equation has two
    hidden members, 1 and 10), yet the published 'sex:F' 10 gives the own 10 and so the 1.
    """
    parents = {1: None, 2: 1}
    cells, own = build(parents, {1: [("F", "30+", 10)], 2: [("M", "6-11", 1)]})
    seen = statuses(cells, suppress(cells, own, parents))
    assert seen == {
        (2025, 1, ALL): "complementary",
        (2025, 1, "sex:F"): "",
        (2025, 1, "sex:M"): "primary",
        (2025, 1, "age:30+"): "",
        (2025, 1, "age:6-11"): "primary",
        (2025, 2, ALL): "primary",
        (2025, 2, "sex:M"): "primary",
        (2025, 2, "age:6-11"): "primary",
    }


def test_a_small_age_band_hides_another_band_and_a_partner_school():
    """Two adult pupils at a school: the band and its cheapest swap partners go, no more."""
    parents = {1: None, 2: 1, 3: 1}
    rows = {
        2: [("F", "12-17", 20), ("M", "12-17", 20), ("F", "30+", 2), ("F", "18-29", 6)],
        3: [("F", "12-17", 15), ("M", "12-17", 15), ("M", "30+", 5), ("F", "18-29", 7)],
    }
    cells, own = build(parents, rows)
    seen = statuses(cells, suppress(cells, own, parents))
    hidden = {k[1:] for k, s in seen.items() if s}
    # Swap 30+ with 18-29 at school 2, mirrored at school 3 (2+6 hidden, 5+7 hidden).
    assert hidden == {
        (2, "age:30+"),
        (2, "age:18-29"),
        (3, "age:30+"),
        (3, "age:18-29"),
    }
    assert determined_targets(cells, own, parents, seen.values()) == []


def test_a_small_own_cell_gets_a_pattern_of_its_own():
    """Two adults recorded at the municipality itself, beside a school's adults.

    Protecting the small 6-11 cells swaps 6-11 with 30+ at the school and the municipality,
    which keeps those cells underivable but leaves own(30+) = (6-11 + 30+ at the
    municipality) - (6-11 + 30+ at the school) = 11 - 9 = 2. The own cell's pattern swaps
    30+ with 18-29 in the municipality's own persons, so 18-29 is hidden too; its own
    women (2) move between the sexes with the school's.
    """
    parents = {1: None, 2: 1, 3: 1}
    rows = {
        1: [("F", "30+", 2), ("M", "18-29", 10)],
        2: [("M", "6-11", 3), ("M", "30+", 6), ("F", "12-17", 9)],
        3: [("F", "12-17", 20), ("M", "12-17", 20)],
    }
    cells, own = build(parents, rows)
    seen = statuses(cells, suppress(cells, own, parents))
    assert {k[1:]: s for k, s in seen.items() if s} == {
        (1, "age:6-11"): "primary",
        (2, "age:6-11"): "primary",
        (1, "age:30+"): "complementary",
        (2, "age:30+"): "complementary",
        (1, "age:18-29"): "complementary",
        (2, "sex:F"): "complementary",
        (2, "sex:M"): "complementary",
    }
    assert determined_targets(cells, own, parents, seen.values()) == []


def test_a_zero_cell_is_primary():
    parents = {1: None, 2: 1, 3: 1}
    rows = {2: [("F", "6-11", 10), ("M", "6-11", 0)], 3: [("F", "6-11", 10), ("M", "6-11", 9)]}
    cells, own = build(parents, rows)
    seen = statuses(cells, suppress(cells, own, parents))
    assert seen[(2025, 2, "sex:M")] == "primary"
    assert determined_targets(cells, own, parents, seen.values()) == []


def test_it_refuses_input_it_cannot_protect():
    cells, own = build({1: None, 2: 1}, {2: [("F", "6-11", 3)]})
    with pytest.raises(ValueError, match="missing from parents"):
        suppress(cells, own, {1: None})
    with pytest.raises(ValueError, match="unknown groups"):
        suppress(cells.replace({"grp": {"sex:F": "sex:X"}}), own, {1: None, 2: 1})
    with pytest.raises(ValueError, match="more than one row"):
        suppress(pd.concat([cells, cells]), own, {1: None, 2: 1})


def test_it_keeps_the_index_and_handles_no_cells():
    cells, own = build({1: None}, {1: [("F", "6-11", 30)]})
    cells.index = [f"row{i}" for i in range(len(cells))]
    assert list(suppress(cells, own, {1: None}).index) == list(cells.index)
    assert suppress(cells.iloc[0:0], own, {1: None}).empty
