"""Presentation rounding: figures rounded to a unit (1, 100, 1,000) that still add up.

Budget statements show amounts "rounded to the hundred" with components that add up exactly to
the rounded totals. Rounding each figure on its own does not do that (three parts of 50 each
round to 100 each, their total of 150 to 200), so this module rounds *tables* as a whole:

- ``round_vector``: parts and their total. The total is rounded half away from zero; each part
  goes down to a multiple of the unit, and the parts with the largest remainders go up one unit
  each until they add up to the rounded total (the largest-remainder method: of the roundings
  that add up, the one whose parts are closest to the exact ones).
- ``round_table``: a table with row and column totals (controlled rounding, Cox and Ernst
  1982). The grand total is rounded half away from zero; every cell and every margin goes to
  one of the two multiples of the unit around it (a figure that is already a multiple stays as
  it is), and every row and every column adds up to its rounded total. Such roundings always
  exist; of them all, the one taken is the closest to the exact figures, judged in this order:

  1. the column totals given by the caller (the year totals, the same in every table) are
     kept, or as many of them as can be;
  2. the row and column totals: least total distance to their exact values;
  3. the cells: least total distance to their exact values, plus one unit for each set of
     identical figures in a row not all shown alike (so they are shown alike unless that
     takes the cells a unit or more further from the exact figures in all);
  4. position: the first figure (row by row, then the row totals, then the column totals) where
     two equally close roundings differ is rounded up.

  So when every figure rounded to its nearest multiple (halves up) already adds up, that is the
  result; otherwise figures leave their nearest multiple only as far as the sums require, cells
  before totals.

Amounts are Decimal and must not be negative. All functions are pure.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from math import lcm
from typing import NamedTuple, TypeVar

ROUNDING_UNITS = (1, 100, 1000)
K = TypeVar("K")


@dataclass(frozen=True)
class RoundedTable:
    """A table rounded so that every row and column adds up to its total."""

    cells: tuple[tuple[Decimal, ...], ...]
    row_totals: tuple[Decimal, ...]
    column_totals: tuple[Decimal, ...]
    total: Decimal


def round_half_up(value: Decimal, unit: int) -> Decimal:
    """The nearest multiple of the unit, halves away from zero."""
    return (value / unit).quantize(Decimal(1), rounding=ROUND_HALF_UP) * unit


def _split(value: Decimal, unit: int) -> tuple[int, Decimal]:
    """Whole units below the value, and the remainder as a fraction of a unit."""
    if value < 0:
        raise ValueError(f"cannot round a negative amount ({value}) for presentation")
    units = value / unit
    floor = int(units.to_integral_value(rounding=ROUND_FLOOR))
    return floor, units - floor


def _largest_remainder_ups(remainders: Sequence[Decimal], ups: int) -> list[int]:
    """Which positions go up: the `ups` largest nonzero remainders (ties: the first)."""
    order = sorted(
        (i for i, r in enumerate(remainders) if r > 0), key=lambda i: (-remainders[i], i)
    )
    if ups > len(order):
        raise ValueError("more ups than remainders: the total is not a rounding of the parts")
    chosen = set(order[:ups])
    return [1 if i in chosen else 0 for i in range(len(remainders))]


def round_vector(
    values: Sequence[Decimal], unit: int, total: Decimal | None = None
) -> list[Decimal]:
    """Round parts to the unit so that they add up to their total rounded half away from zero
    (or to `total`, a multiple of the unit next to the exact sum, when the caller fixes it)."""
    split = [_split(v, unit) for v in values]
    exact = sum(values, Decimal(0))
    target = round_half_up(exact, unit) if total is None else total
    floors = sum(f for f, _ in split)
    ups = _largest_remainder_ups([r for _, r in split], int(target / unit) - floors)
    return [Decimal((f + u) * unit) for (f, _), u in zip(split, ups, strict=True)]


def shares(amounts: Mapping[K, Decimal]) -> dict[K, Decimal]:
    """Each amount's share of their sum in per cent to one decimal, the shares adding up to
    100.0 (the largest remainders go up a tenth, as in round_vector); all 0.0 when the sum is
    zero. The one rule for every share shown."""
    total = sum(amounts.values(), Decimal(0))
    if not total:
        return {k: Decimal("0.0") for k in amounts}
    tenths = round_vector([v * 1000 / total for v in amounts.values()], 1, Decimal(1000))
    return {k: t / 10 for k, t in zip(amounts, tenths, strict=True)}


def round_table(
    rows: Sequence[Sequence[Decimal]],
    unit: int,
    column_totals: Sequence[Decimal] | None = None,
) -> RoundedTable:
    """Controlled rounding of a table of nonnegative amounts, the closest to the exact figures
    (see the module docstring for the order in which closeness is judged).

    `column_totals`, when given, are the rounded column totals wanted (each a multiple of the
    unit next to the exact column sum, adding up to the rounded grand total); they are kept if
    some rounding of the cells reaches them, and otherwise as many of them as can be.
    """
    width = len(rows[0]) if rows else len(column_totals or ())
    if any(len(r) != width for r in rows):
        raise ValueError("rows of different lengths")
    if column_totals is not None and len(column_totals) != width:
        raise ValueError("as many column totals as columns are needed")
    cells = [[_split(v, unit) for v in row] for row in rows]
    exact_rows = [sum(row, Decimal(0)) for row in rows]
    columns = [_split(sum((row[j] for row in rows), Decimal(0)), unit) for j in range(width)]
    grand = round_half_up(sum(exact_rows, Decimal(0)), unit)
    # Each column total the caller wants: the multiple above (True) or below (False) the
    # exact sum; None if not given, or not one of those two (no rounding reaches it).
    wanted: list[bool | None] = [None] * width
    for j, total in enumerate(column_totals or ()):
        floor, remainder = columns[j]
        if remainder > 0 and total == (floor + 1) * unit:
            wanted[j] = True
        elif total == floor * unit:
            wanted[j] = False
    network = _Network(
        cells, [_split(r, unit) for r in exact_rows], columns, int(grand / unit), wanted
    )
    up = network.closest()
    shown = tuple(
        tuple(Decimal((floor + up[i * width + j]) * unit) for j, (floor, _) in enumerate(row))
        for i, row in enumerate(cells)
    )
    return RoundedTable(
        cells=shown,
        row_totals=tuple(sum(row, Decimal(0)) for row in shown),
        column_totals=tuple(sum((row[j] for row in shown), Decimal(0)) for j in range(width)),
        total=grand,
    )


# How many roundings with a group of identical figures held alike the search may try (each
# takes a few dozen microseconds). The tables of the seeds, test cases and 400 benchmark
# proposals need at most 10; a table built with many groups that could each go either way
# could need thousands (the search is exhaustive), and gets the closest rounding found instead.
_TRIES = 64


class _Figure(NamedTuple):
    """A cell, row total or column total, as an edge of the flow network (see `_Network`).

    The edge carries `base` units, plus one when the figure is rounded up. `start`: up if its
    nearest multiple is above (halves up), or if the caller wants that column total. A figure
    without a remainder is a multiple already: it does not move.
    """

    tail: int
    head: int
    base: int
    movable: bool
    start: bool


class _Network:
    """The rounding of a table as a min-cost flow problem (Cox and Ernst 1982).

    Every figure is counted in units above the sum of its cells' multiples below, so a cell
    carries 0 or 1: whether it goes up. The source feeds each row its row total, each row gives
    one unit to the column of each of its cells that goes up, each column gives its column total
    to the sink, and the grand total goes back from the sink to the source: a rounding adds up
    if and only if flow is conserved at every node. Nodes: the source 0, the rows 1..n, the
    columns n+1..n+m, the sink n+m+1. Figures: the cells row by row, the row totals, the column
    totals (`up[k]` below is indexed so).

    The search starts with every figure at its nearest multiple (a column total the caller
    wants: at that), and moves figures to their other multiple along cheapest paths from the
    nodes with too much flow to those with too little (successive shortest paths) until the
    flow is conserved: a cheapest flow, so the closest rounding. Distances, in fractions of a
    unit, are made whole numbers by the remainders' least common denominator (exact, as the
    Decimals are); the levels are folded into one integer cost, each weighted above all that
    the levels below it can add up to, so that integer orders roundings as the levels do, one
    after the other. Identical figures shown differently are not a cost of any one figure: a
    search over the cheapest flows with some of them held alike takes care of them
    (`closest`).
    """

    def __init__(
        self,
        cells: Sequence[Sequence[tuple[int, Decimal]]],
        rows: Sequence[tuple[int, Decimal]],
        columns: Sequence[tuple[int, Decimal]],
        grand: int,
        wanted: Sequence[bool | None],
    ) -> None:
        n, m = len(rows), len(columns)
        self.nodes = n + m + 2
        self.sink = n + m + 1
        self.grand = grand - sum(floor for row in cells for floor, _ in row)
        remainders = [r for row in cells for _, r in row] + [r for _, r in (*rows, *columns)]
        self.scale = lcm(*(r.as_integer_ratio()[1] for r in remainders))
        self.count = len(remainders)
        # The levels of the objective, folded into one integer cost: each weighs more than the
        # most by which all the levels below it together can differ between two roundings.
        # Position: less than 2^count. Cells: a distance of at most a unit (scale) per cell,
        # and a unit per set of identical figures, fewer than two units per figure in all.
        # Totals: at most a unit per total. So the distances are weighed:
        span = 2 * self.scale * self.count + 1
        self.cell_weight = 1 << self.count
        self.total_weight = self.cell_weight * span
        self.wanted_weight = self.total_weight * span
        self.figures: list[_Figure] = []
        self.cost: list[int] = []
        for i, row in enumerate(cells):
            for j, (_, remainder) in enumerate(row):
                self._add(1 + i, 1 + n + j, 0, remainder, self.cell_weight)
        for i, (floor, remainder) in enumerate(rows):
            base = floor - sum(f for f, _ in cells[i])
            self._add(0, 1 + i, base, remainder, self.total_weight)
        for j, (floor, remainder) in enumerate(columns):
            base = floor - sum(row[j][0] for row in cells)
            self._add(1 + n + j, self.sink, base, remainder, self.total_weight, wanted[j])
        self.tries = 0  # roundings tried with a group of identical figures held (`_TRIES`)
        self.touching: list[list[int]] = [[] for _ in range(self.nodes)]
        for k, f in enumerate(self.figures):
            if f.movable:
                self.touching[f.tail].append(k)
                self.touching[f.head].append(k)
        # Identical figures of a row that can move, row by row.
        self.groups: list[tuple[int, ...]] = []
        for i, row in enumerate(cells):
            alike: dict[tuple[int, Decimal], list[int]] = {}
            for j, cell in enumerate(row):
                if cell[1] > 0:
                    alike.setdefault(cell, []).append(i * m + j)
            self.groups += [tuple(g) for g in alike.values() if len(g) > 1]

    def _add(
        self,
        tail: int,
        head: int,
        base: int,
        remainder: Decimal,
        weight: int,
        wanted: bool | None = None,
    ) -> None:
        """A figure, and what moving it from down to up costs (from up to down: the opposite):
        its distance to its exact value, weighed as a cell's or a total's; for a column total
        the caller wants, missing it; and its position, last: the k-th figure costs
        2^(count-1-k) more down than up, more than all the later figures together."""
        if remainder == 0:
            self.figures.append(_Figure(tail, head, base, False, False))
            self.cost.append(0)
            return
        numerator, denominator = remainder.as_integer_ratio()
        below = numerator * (self.scale // denominator)  # the distance down, in 1/scale units
        position = 1 << (self.count - 1 - len(self.figures))
        cost = weight * (self.scale - 2 * below) - position
        if wanted is not None:
            cost += -self.wanted_weight if wanted else self.wanted_weight
        start = 2 * below >= self.scale if wanted is None else wanted
        self.figures.append(_Figure(tail, head, base, True, start))
        self.cost.append(cost)

    def rank(self, up: Sequence[bool]) -> tuple[int, int]:
        """How far a rounding is from the exact figures, all levels weighed (smaller is
        closer; up to a constant, the same for all roundings of the table), with a unit of the
        cells' distance for each set of identical figures of a row shown differently; and the
        same without those units: when `up` is the cheapest rounding with some figures held,
        no rounding with them held ranks below that."""
        cost = sum(c for c, u in zip(self.cost, up, strict=True) if u)
        split = sum(1 for group in self.groups if len({up[k] for k in group}) > 1)
        return cost + split * self.scale * self.cell_weight, cost

    def closest(self) -> list[bool]:
        """Which figures go up in the closest rounding, identical figures counted.

        The flow cannot count a set of identical figures of a row shown differently (that is
        not a cost of any one figure), so the cheapest flow comes first, and for each such set
        it shows differently the search also tries the set held all down and all up
        (`_search`). Tables have few such sets: usually there is nothing to try.
        """
        up = self.cheapest([f.start for f in self.figures], {})
        assert up is not None, "no controlled rounding"  # there is always one (Cox 1987)
        self.best, self.best_rank = up, self.rank(up)[0]
        self._search(up, {}, frozenset())
        return self.best

    def _search(
        self, up: list[bool], held: Mapping[int, bool], allowed: frozenset[tuple[int, ...]]
    ) -> None:
        """Look for a closer rounding than `self.best` among those with the `held` figures
        where they are, given `up`, the cheapest of them.

        Any of them ranks at least as `up` does without the penalties for identical figures
        shown differently: if that is not closer than the best so far, there is nothing to
        find. Otherwise `up` is a candidate, and its first group of identical figures shown
        differently (and not `allowed` to be) is either shown so in the closest rounding too
        (searched with the group allowed), or all down, or all up (searched with the group
        held so, from the cheapest rounding that holds it): the search is exhaustive. After
        `_TRIES` roundings with a group held it stops, with the closest rounding found.
        """
        rank, bound = self.rank(up)
        if bound >= self.best_rank:
            return
        if rank < self.best_rank:
            self.best, self.best_rank = up, rank
        group = next(
            (g for g in self.groups if g not in allowed and len({up[k] for k in g}) > 1), None
        )
        if group is None:
            return
        self._search(up, held, allowed | {group})
        for side in (False, True):
            if self.tries == _TRIES:
                return
            self.tries += 1
            holding = {**held, **dict.fromkeys(group, side)}
            other = self.cheapest([holding.get(k, u) for k, u in enumerate(up)], holding)
            if other is not None:
                self._search(other, holding, allowed)

    def cheapest(self, start: Sequence[bool], held: Mapping[int, bool]) -> list[bool] | None:
        """The cheapest rounding from `start` with the `held` figures where they are, as which
        figures go up; None if there is none.

        Successive shortest paths: move figures along a cheapest path from a node with too
        much flow to one with too little, until there are none. `start` must be a cheapest flow
        for what it carries (no cycle of figures that would cost less moved): every figure at
        its nearest multiple is, and so is a cheapest rounding with some figures then held.
        """
        up = list(start)
        excess = [0] * self.nodes
        excess[0], excess[self.sink] = self.grand, -self.grand
        for f, u in zip(self.figures, up, strict=True):
            excess[f.tail] -= f.base + u
            excess[f.head] += f.base + u
        while any(excess):
            path = self._cheapest_path(up, held, excess)
            if path is None:
                return None
            first, last = self.figures[path[-1]], self.figures[path[0]]
            excess[first.head if up[path[-1]] else first.tail] -= 1
            excess[last.tail if up[path[0]] else last.head] += 1
            for k in path:
                up[k] = not up[k]
        return up

    def _cheapest_path(
        self, up: Sequence[bool], held: Mapping[int, bool], excess: Sequence[int]
    ) -> list[int] | None:
        """The figures to move on a cheapest path from a node with too much flow to one with
        too little, the last first; None if there is no such path.

        A figure that is down can go up, carrying a unit from its tail to its head at its cost;
        one that is up can go down, carrying a unit back at the opposite cost. Costs can be
        negative once figures have moved, hence Bellman-Ford (with a queue of the nodes whose
        distance fell) rather than Dijkstra; there is no cycle of negative cost, as each flow
        so far was a cheapest one. Position, the last level, makes the cheapest path unique.
        """
        distance = {v: 0 for v, e in enumerate(excess) if e > 0}
        via: dict[int, int] = {}
        queue = deque(distance)
        while queue:
            node = queue.popleft()
            for k in self.touching[node]:
                if k in held:
                    continue
                f = self.figures[k]
                if up[k]:
                    tail, head, cost = f.head, f.tail, -self.cost[k]
                else:
                    tail, head, cost = f.tail, f.head, self.cost[k]
                if tail != node:
                    continue
                if head not in distance or distance[node] + cost < distance[head]:
                    distance[head], via[head] = distance[node] + cost, k
                    if head not in queue:
                        queue.append(head)
        ends = [v for v in distance if excess[v] < 0]
        if not ends:
            return None
        node = min(ends, key=distance.__getitem__)
        path = []
        while node in via:
            path.append(via[node])
            f = self.figures[via[node]]
            node = f.head if up[via[node]] else f.tail
        return path
