"""Hide small numbers in the engine's cells, and enough other cells that they cannot be worked out.

A cell counting fewer than ``minimum`` persons (zero included) is never published: a
*primary* cell. Hiding it is not enough, because the reader knows how the cells add up,
per indicator and period:

1. hierarchy, per group: cell(u) = own(u) + the sum of the cells of u's children, where
   own(u) counts the persons recorded at u itself (never published; an own cell that is
   absent is a known zero, and a unit with no child cell in a group holds all of that
   group itself);
2. groups, per unit: cell(u, 'all') = the sum over the sexes = the sum over the age bands
   (and the same for own cells).

So hidden cells that can be worked out from the published ones are hidden in vain. This
module hides more cells (*complementary*) in two steps.

**Step 1: protection patterns (linear algebra).** A hidden cell cannot be worked out by
any combination of the equations exactly when some change of the hidden numbers changes
that cell and leaves every equation true with every published number unchanged. For each
primary cell, and each own cell holding 1 to ``minimum - 1`` persons, we build such a
change explicitly and hide every cell it touches. Within one unit the change is one of
21 patterns that keep the unit's group equations true:

* a swap between the sexes (+d women, -d men: 'all' and the ages unchanged);
* a swap between two age bands;
* a move of d persons of one sex and one age band ('all', that sex and that band +d).

A pattern applied at unit x changes x's cells in the pattern's groups. Below x, the change
is taken by x's own cells when x has own cells in all those groups, else it is carried
down to one child with the same pattern. Above x, it is absorbed by the parent's own cells
when the parent has them, else cancelled by the mirrored pattern at one sibling (carried
down as before), else carried up to the parent. Every choice is priced by the persons in
the cells it newly hides; a dynamic programme over the tree, level by level for all
indicators, periods, units and patterns at once (numpy), gives each target its cheapest
change. Hiding more never lets a cell be worked out that could not be before, so the
union of all the changes protects every target at once.

**Step 2: the equation rule, to a fixpoint.** Every equation whose total is published
tells the reader the number of persons in its hidden members (children, own cell, or
sex and age cells). Where those hidden members include a cell or a small own cell and
are a single member, or sum to fewer than ``minimum`` persons, the published member with
the fewest persons is hidden too (ties: the lowest unit id or the first group), or the
total if no member is published. Where the total is hidden and every member is published,
the total could be computed: the smallest member is hidden. Rounds run on all equations
at once until nothing changes. An own cell of ``minimum`` or more persons may stand alone:
working it out reveals no small number, and no pattern of step 1 leaves one of its cells
alone in an equation.

Why not the rule alone: it looks at one equation at a time, and hidden cells can be
worked out from several. A parent holding 10 staff of its own (women, 30+) and one child
unit with one boy: the rule is content with hiding the boy's cells, as the parent's 'all'
equation then has two hidden members (the child's 1 and the own 10). But the parent's
published 'sex:F' cell gives own(F) = 10 = own('all'), and so the boy. Step 1 hides the
parent's 'all' cell. In general a row and a column each with two hidden cells can still
pin down the cell that joins two otherwise separate groups of hidden cells.

Limits:

* The guarantee is against exact solving. Hidden numbers are not negative, so several
  equations together can still bound a hidden cell or a sum of hidden cells (the total
  of two hidden cells known to be 3, reached through a chain of equations); step 2
  checks sums one equation at a time only. Protection against such intervals needs
  linear programming per cell, which is not done here.
* Each indicator and period is protected separately. Equations between them (a year's
  events as the sum of its quarters', the same persons in two indicators, differences
  between two runs of the engine) are not modelled.
* The reader is assumed to know which cells exist (hidden is not the same as absent) and
  that an absent own cell is zero; nothing is done to hide the existence of a cell.
* The choice is greedy per target and priced against the primary cells only, so it hides
  more than an optimal (and much slower) search would.
* The input must add up: a parent's cells must be the sums of its children's and its own.
  A target that cannot be protected (which only happens when it does not add up) raises
  ``ValueError`` rather than publishing it.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from helhed.analytics.kinds import AGE_BANDS, SEXES

Int = npt.NDArray[np.int64]
Float = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]

GROUPS: tuple[str, ...] = (
    "all",
    *(f"sex:{sex}" for sex in SEXES),
    *(f"age:{name}" for name, _low, _high in AGE_BANDS),
)
SEX_COLUMNS = np.arange(1, 1 + len(SEXES))
AGE_COLUMNS = np.arange(1 + len(SEXES), len(GROUPS))
COLUMNS = ("indicator", "period", "grp", "unit_id", "persons")
STATUSES = ("", "primary", "complementary")


def _patterns() -> tuple[tuple[int, ...], ...]:
    """The changes within one unit that keep its group equations true (see the docstring)."""
    sexes = [int(c) for c in SEX_COLUMNS]
    ages = [int(c) for c in AGE_COLUMNS]
    swaps: list[tuple[int, ...]] = [
        pair for part in (sexes, ages) for pair in itertools.combinations(part, 2)
    ]
    moves: list[tuple[int, ...]] = [(0, sex, age) for sex in sexes for age in ages]
    return tuple(swaps + moves)


PATTERNS = _patterns()
PATTERN_GROUPS = np.array([(*p, p[-1])[:3] for p in PATTERNS], dtype=np.int64)  # padded to 3
PATTERN_MATRIX = np.zeros((len(PATTERNS), len(GROUPS)), dtype=np.float64)
for _index, _pattern in enumerate(PATTERNS):
    PATTERN_MATRIX[_index, list(_pattern)] = 1.0

DONE, SIBLING, UP = 0, 1, 2


@dataclass
class _Nodes:
    """One node per (indicator, period, unit) with cells, in (table, unit id) order."""

    persons: Int  # [N, groups]; -1 where the cell is absent
    own: Int  # [N, groups]; -1 where the own cell is absent (a known zero)
    parent: Int  # [N]; -1 for a root (no parent with cells in the same table)
    depth: Int  # [N]
    row_node: Int  # the node of each input row
    row_group: Int  # the group column of each input row


def suppress(
    cells: pd.DataFrame,
    own: pd.DataFrame,
    parents: Mapping[int, int | None],
    minimum: int = 5,
) -> pd.Series:
    """Each cell's status, aligned with ``cells``: '', 'primary' or 'complementary'."""
    if minimum < 1:
        raise ValueError("minimum must be at least 1")
    if cells.empty:
        return pd.Series([], index=cells.index, dtype=object)
    nodes = _nodes(cells, own, parents)
    exists = nodes.persons >= 0
    primary = exists & (nodes.persons < minimum)
    hidden = primary.copy()
    _protect(nodes, hidden, minimum)
    _enforce_equations(nodes, hidden, minimum)
    at = (nodes.row_node, nodes.row_group)
    codes = np.where(primary[at], 1, np.where(hidden[at], 2, 0))
    return pd.Series(np.array(STATUSES, dtype=object)[codes], index=cells.index)


def _group_codes(frame: pd.DataFrame, name: str) -> Int:
    missing = [column for column in COLUMNS if column not in frame.columns]
    if missing:
        raise ValueError(f"{name} lacks the columns {missing}")
    # Factorise first: matching 800,000 strings against the names is the slow way round.
    found, names = pd.factorize(frame["grp"])
    codes = np.r_[pd.Index(GROUPS).get_indexer(names), -1].astype(np.int64)[found]
    if (codes < 0).any():
        unknown = sorted({str(g) for g in frame["grp"][codes < 0]})[:5]
        raise ValueError(f"{name} has unknown groups {unknown}")
    persons = frame["persons"].to_numpy()
    if len(persons) and (pd.isna(persons).any() or (persons < 0).any()):
        raise ValueError(f"{name} has missing or negative persons")
    return codes


def _sorted_unique(values: Int) -> Int:
    """``np.unique`` by sorting, which is several times faster on large integer arrays."""
    ordered = np.sort(values)
    first = np.ones(len(ordered), dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    return ordered[first]


def _has_duplicates(values: Int) -> bool:
    ordered = np.sort(values)
    return bool((ordered[1:] == ordered[:-1]).any())


def _nodes(cells: pd.DataFrame, own: pd.DataFrame, parents: Mapping[int, int | None]) -> _Nodes:
    """Index the cells by node and group, and link each node to its parent node."""
    groups = len(GROUPS)
    cell_group = _group_codes(cells, "cells")
    own_group = _group_codes(own, "own")
    # One code per (indicator, period), shared by the cells and the own cells.
    indicator = pd.factorize(pd.concat([cells["indicator"], own["indicator"]], ignore_index=True))
    period = pd.factorize(pd.concat([cells["period"], own["period"]], ignore_index=True))
    table = indicator[0].astype(np.int64) * len(period[1]) + period[0]
    cell_table, own_table = table[: len(cells)], table[len(cells) :]

    units = _sorted_unique(cells["unit_id"].to_numpy(np.int64))
    width = len(units)
    cell_unit = np.searchsorted(units, cells["unit_id"].to_numpy(np.int64))
    node_keys, row_node = np.unique(cell_table * width + cell_unit, return_inverse=True)
    row_node = row_node.astype(np.int64)
    count = len(node_keys)
    if _has_duplicates(row_node * groups + cell_group):
        raise ValueError("cells has more than one row for an indicator, period, unit and group")
    persons = np.full((count, groups), -1, dtype=np.int64)
    persons[row_node, cell_group] = cells["persons"].to_numpy(np.int64)

    own_matrix = np.full((count, groups), -1, dtype=np.int64)
    own_units = own["unit_id"].to_numpy(np.int64)
    own_unit = np.minimum(np.searchsorted(units, own_units), width - 1)
    own_key = own_table * width + own_unit
    own_node = np.minimum(np.searchsorted(node_keys, own_key), count - 1)
    found = (units[own_unit] == own_units) & (node_keys[own_node] == own_key)
    if _has_duplicates(own_node[found] * groups + own_group[found]):
        raise ValueError("own has more than one row for an indicator, period, unit and group")
    own_matrix[own_node[found], own_group[found]] = own["persons"].to_numpy(np.int64)[found]

    parent_unit = np.full(width, -1, dtype=np.int64)
    for code, unit in enumerate(units.tolist()):
        if unit not in parents:
            raise ValueError(f"unit {unit} has cells but is missing from parents")
        above = parents[unit]
        if above is not None:
            position = int(np.searchsorted(units, above))
            if position < width and units[position] == above:
                parent_unit[code] = position
    node_table, node_unit = node_keys // width, node_keys % width
    parent_key = node_table * width + parent_unit[node_unit]
    position = np.minimum(np.searchsorted(node_keys, parent_key), count - 1)
    has_parent = (parent_unit[node_unit] >= 0) & (node_keys[position] == parent_key)
    parent = np.where(has_parent, position, -1).astype(np.int64)

    depth = np.zeros(count, dtype=np.int64)
    above_node = parent.copy()
    for _step in range(count + 1):
        climbing = above_node >= 0
        if not climbing.any():
            break
        depth[climbing] += 1
        above_node[climbing] = parent[above_node[climbing]]
    else:
        raise ValueError("parents has a cycle")

    # A unit without a child cell in a group holds that group itself, listed in own or not.
    child = np.flatnonzero(parent >= 0)
    flat = (parent[child][:, None] * groups + np.arange(groups)).ravel()
    child_cells = np.bincount(flat[(persons[child] >= 0).ravel()], minlength=count * groups)
    alone = (persons >= 0) & (child_cells.reshape(count, groups) == 0) & (own_matrix < 0)
    own_matrix[alone] = persons[alone]
    return _Nodes(persons, own_matrix, parent, depth, row_node, cell_group)


def _group_min(keys: Int, ids: Int, values: Float) -> tuple[Int, Float, Int, Float, Int]:
    """Per key and column: the least value and its id, and the least of the others and its id.

    Ties go to the lowest id, so the choice is the same on every run and in the tests'
    reference implementation.
    """
    order = np.lexsort((ids, keys))
    key, value, ident = keys[order], values[order], ids[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    segment = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(key)]))
    position = np.arange(len(key))[:, None]
    columns = np.arange(values.shape[1])[None, :]
    best = np.minimum.reduceat(value, starts, axis=0)
    first = np.minimum.reduceat(np.where(value == best[segment], position, len(key)), starts)
    others = value.copy()
    others[first, columns] = np.inf
    second = np.minimum.reduceat(others, starts, axis=0)
    after = np.minimum.reduceat(np.where(others == second[segment], position, len(key)), starts)
    return key[starts], best, ident[first], second, ident[after]


def _protect(nodes: _Nodes, hidden: Bool, minimum: int) -> None:
    """Hide, for every target, the cells of its cheapest protection pattern (step 1)."""
    exists = nodes.persons >= 0
    own_present = nodes.own >= 0
    count, patterns = len(nodes.parent), len(PATTERNS)
    valid = (~exists).astype(np.float64) @ PATTERN_MATRIX.T == 0
    open_ = (~own_present).astype(np.float64) @ PATTERN_MATRIX.T == 0
    cost = np.where(exists & ~hidden, nodes.persons, 0).astype(np.float64) @ PATTERN_MATRIX.T
    levels = [np.flatnonzero(nodes.depth == level) for level in range(nodes.depth.max() + 1)]

    # Down: D(x, P) = the cost of changing x's cells by pattern P, with what it takes below.
    changed = np.full((count, patterns), np.inf)
    child_best = np.full((count, patterns), np.inf)
    child_arg = np.full((count, patterns), -1, dtype=np.int64)
    child_second = np.full((count, patterns), np.inf)
    child_arg2 = np.full((count, patterns), -1, dtype=np.int64)
    for level in reversed(range(len(levels))):
        if level + 1 < len(levels) and len(levels[level + 1]):
            below = levels[level + 1]
            above, best, arg, second, arg2 = _group_min(nodes.parent[below], below, changed[below])
            child_best[above], child_arg[above] = best, arg
            child_second[above], child_arg2[above] = second, arg2
        here = levels[level]
        down = np.where(open_[here], 0.0, child_best[here])
        changed[here] = np.where(valid[here], cost[here] + down, np.inf)
    down_child = np.where(open_, -1, child_arg)

    # Up: U(x, P) = the cost of keeping x's parent and everything above it published.
    up = np.zeros((count, patterns))
    up_kind = np.full((count, patterns), DONE, dtype=np.int64)
    up_sibling = np.full((count, patterns), -1, dtype=np.int64)
    for here in levels[1:]:
        above = nodes.parent[here]
        itself = child_arg[above] == here[:, None]
        sibling = np.where(itself, child_second[above], child_best[above])
        carried = np.where(valid[above], cost[above] + up[above], np.inf)
        absorbed = open_[above]
        up[here] = np.where(absorbed, 0.0, np.minimum(sibling, carried))
        up_kind[here] = np.where(absorbed, DONE, np.where(sibling <= carried, SIBLING, UP))
        up_sibling[here] = np.where(itself, child_arg2[above], child_arg[above])

    contains = PATTERN_MATRIX.T > 0  # [groups, patterns]
    # Primary cells: the pattern at the cell's own unit, with what it takes below and above.
    cell_node, cell_group = np.nonzero(hidden)
    total = np.where(contains[cell_group], changed[cell_node] + up[cell_node], np.inf)
    cell_pattern = np.argmin(total, axis=1)
    cell_cost = total[np.arange(len(cell_node)), cell_pattern]

    # Small own cells: the pattern at the unit without a change below (a), or at one child (b).
    sensitive = (nodes.own > 0) & (nodes.own < minimum)
    own_node, own_group = np.nonzero(sensitive)
    usable = contains[own_group] & open_[own_node]
    at_unit = np.where(usable & valid[own_node], cost[own_node] + up[own_node], np.inf)
    at_child = np.where(usable, child_best[own_node], np.inf)
    own_pattern = np.argmin(np.minimum(at_unit, at_child), axis=1)
    rows = np.arange(len(own_node))
    unit_cost, child_cost = at_unit[rows, own_pattern], at_child[rows, own_pattern]
    if not (np.isfinite(cell_cost).all() and np.isfinite(np.minimum(unit_cost, child_cost)).all()):
        raise ValueError("a small cell cannot be protected: the cells do not add up")
    use_child = child_cost < unit_cost
    child_node = child_arg[own_node, own_pattern]

    def hide(node: Int, pattern: Int) -> None:
        hidden[node[:, None], PATTERN_GROUPS[pattern]] = True

    hide(cell_node, cell_pattern)
    hide(own_node[~use_child], own_pattern[~use_child])
    hide(child_node[use_child], own_pattern[use_child])
    going_down = (
        np.r_[cell_node, child_node[use_child]],
        np.r_[cell_pattern, own_pattern[use_child]],
    )
    going_up = (
        np.r_[cell_node, own_node[~use_child]],
        np.r_[cell_pattern, own_pattern[~use_child]],
    )
    while len(going_down[0]) or len(going_up[0]):
        node, pattern = _unique_pairs(*going_up)
        kind = up_kind[node, pattern]
        to_sibling, to_parent = kind == SIBLING, kind == UP
        siblings, sibling_patterns = up_sibling[node, pattern][to_sibling], pattern[to_sibling]
        going_up = (nodes.parent[node[to_parent]], pattern[to_parent])
        hide(siblings, sibling_patterns)
        hide(*going_up)

        node, pattern = _unique_pairs(*going_down)
        routed = ~open_[node, pattern]
        children = down_child[node, pattern][routed]
        if (children < 0).any():
            raise ValueError("a small cell cannot be protected: the cells do not add up")
        hide(children, pattern[routed])
        going_down = (np.r_[children, siblings], np.r_[pattern[routed], sibling_patterns])


def _unique_pairs(node: Int, pattern: Int) -> tuple[Int, Int]:
    pairs = _sorted_unique(node * len(PATTERNS) + pattern)
    return pairs // len(PATTERNS), pairs % len(PATTERNS)


def _enforce_equations(nodes: _Nodes, hidden: Bool, minimum: int) -> None:
    """Apply the equation rule in rounds over all equations until nothing changes (step 2)."""
    count, groups = nodes.persons.shape
    persons = nodes.persons
    exists = persons >= 0
    own_present = (nodes.own >= 0).ravel()
    own_persons = np.where(own_present, nodes.own.ravel(), 0)
    own_sensitive = own_present & (own_persons > 0) & (own_persons < minimum)

    # Children's cells by (parent, group), ordered by persons then unit for "the smallest".
    child, group = np.nonzero(exists & (nodes.parent >= 0)[:, None])
    key = nodes.parent[child] * groups + group
    order = np.lexsort((child, persons[child, group], key))
    child, group, key = child[order], group[order], key[order]
    child_persons = persons[child, group].astype(np.float64)
    has_children = np.bincount(key, minlength=count * groups) > 0

    while True:
        fix = np.zeros_like(hidden)
        for members in (SEX_COLUMNS, AGE_COLUMNS):
            _group_rule(persons, exists, hidden, members, minimum, fix)

        concealed = hidden[child, group]
        hidden_members = np.bincount(key, weights=concealed, minlength=count * groups)
        hidden_sum = np.bincount(key, weights=concealed * child_persons, minlength=count * groups)
        visible_key = key[~concealed]
        first = np.ones(len(visible_key), dtype=bool)
        first[1:] = visible_key[1:] != visible_key[:-1]
        smallest = np.full(count * groups, -1, dtype=np.int64)
        smallest[visible_key[first]] = child[~concealed][first]

        total = exists.ravel()
        total_visible = total & ~hidden.ravel()
        members_hidden = hidden_members + own_present
        told = (
            total_visible
            & (hidden_members + own_sensitive >= 1)
            & ((members_hidden == 1) | (hidden_sum + own_persons < minimum))
        )
        computable = total & ~total_visible & (members_hidden == 0) & has_children
        broken = np.flatnonzero(told | computable)
        with_member = broken[smallest[broken] >= 0]
        fix[smallest[with_member], with_member % groups] = True
        lone = broken[(smallest[broken] < 0) & total_visible[broken]]
        fix[lone // groups, lone % groups] = True

        new = fix & ~hidden
        if not new.any():
            return
        hidden |= new


def _group_rule(
    persons: Int, exists: Bool, hidden: Bool, members: Int, minimum: int, fix: Bool
) -> None:
    """Mark the fixes for one partition of 'all' (the sexes or the age bands) in every unit."""
    total = exists[:, 0]
    total_visible = total & ~hidden[:, 0]
    present = exists[:, members]
    concealed = present & hidden[:, members]
    shown = present & ~hidden[:, members]
    hidden_count = concealed.sum(axis=1)
    hidden_sum = np.where(concealed, persons[:, members], 0).sum(axis=1)
    told = total_visible & (hidden_count >= 1) & ((hidden_count == 1) | (hidden_sum < minimum))
    computable = total & ~total_visible & (hidden_count == 0) & present.any(axis=1)
    broken = told | computable
    has_shown = shown.any(axis=1)
    smallest = np.argmin(np.where(shown, persons[:, members], np.iinfo(np.int64).max), axis=1)
    rows = np.flatnonzero(broken & has_shown)
    fix[rows, members[smallest[rows]]] = True
    rows = np.flatnonzero(broken & ~has_shown & total_visible)
    fix[rows, 0] = True
