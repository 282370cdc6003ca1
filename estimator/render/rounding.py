"""Presentation rounding: figures rounded to a unit (1, 100, 1,000) that still add up.

Budget statements show amounts "rounded to the hundred" with components that add up exactly to
the rounded totals. Rounding each figure on its own does not do that (three parts of 50 each
round to 100 each, their total of 150 to 200), and rounding each table on its own does not show
the same costs with the same figure in every table (14,400 for an activity in one table, 14,500
for the same costs as an object of expenditure in another). So:

- ``round_vector``: parts and their total. The total is rounded half away from zero; each part
  goes down to a multiple of the unit, and the parts with the largest remainders go up one unit
  each until they add up to the rounded total (the largest-remainder method: of the roundings
  that add up, the one whose parts are closest to the exact ones).
- ``round_cells``: a document's costs, rounded once. The caller gives the finest cells that
  every figure it shows is a sum of (an annex: activity × object of expenditure × year), and
  the figures (which cells each sums, and the exact amount it stands for). Each cell goes to
  one of the two multiples of the unit around it (one that is a multiple already stays), the
  cells adding up to the exact total rounded half away from zero; every figure shown is then
  the sum of its cells, so that two figures of the same costs are equal wherever they stand,
  and every table adds up by construction. Of these roundings, the one taken:

  1. starts from the largest remainders (``round_vector`` over the cells; ties: the first);
  2. moves one cell down and another up while that brings the figures closer, the best move
     first (ties: the first pair), judged on: how many figures are off (a unit or more away
     from their exact amount); by how much, beyond that, in all; then the distance of all
     the figures together;
  3. then looks for a rounding whose farthest figure is closer than the farthest figure so
     far: a depth-first search over the cells for one in which every figure is closer than
     that (each cell tried first where it is, at most ``_SEARCH`` steps), moved on as in step
     2 with "off" meaning that far; again and again, until none is found. So a figure a unit
     or more off is left only when the search finds no rounding without one, and the
     farthest figure is as close as the search can bring it (163,999.97 is not shown
     163,000 when some rounding of the cells keeps every figure closer).

  A rounding with every figure within a unit of its exact amount need not exist when figures
  cross (a table by activity and one by object of expenditure, each by year, is a three-way
  table: Cox 1987); then the closest found is taken, and ``Rounding.worst`` says how far its
  farthest figure is.

  Steps 2 and 3 try every pair of cells at each move: their work grows with the square of the
  cells and more (a proposal of 1,008 cost lines took 20 s). So they are taken for at most
  ``_EXACT_CELLS`` (128) cells that can move, which covers the seeds, the test cases and the
  benchmark proposals (at most 40 cells). A larger proposal is rounded in bounded work, at most
  ``_WORK`` (48) pairs tried and cells looked at a cell from each of two starts, the same
  rounding every time:

  1. starts from the running total: the cells, in the caller's order, each the difference of
     two running totals rounded half away from zero (so every run of consecutive cells, an
     annex's year or activity in a year, is within a unit); failing that, from a diffusion:
     each cell in turn up or down, whichever leaves its figures closer so far, then the
     cheapest cells moved to make the rounded total;
  2. moves one cell down and another up while that lowers the cost of step 2 above: first the
     best pair within each figure of at most ``_NEAR`` cells (an activity in a year); then,
     for each figure a unit or more off, the farthest first, a few of its cells with a few
     partners each, a partner being in every figure that the cell's move alone would put a
     unit or more off (an activity's other object of expenditure in the same year);
  3. takes the second start only if the first leaves a figure a unit or more off, and then the
     rounding whose farthest figure is closer.

  No search of step 3 above: a figure may be a unit or more off where some rounding avoids it,
  and ``Rounding.worst`` says so. Measured on ``bench/scale.py``'s proposals of 28, 278 and 500
  activities (1,008, 10,008 and 18,000 cells), the farthest figure is 0.99, 1.05, 1.01 units
  from its exact amount to the unit, 0.98, 0.98, 1.00 to the hundred, 0.97, 1.05, 1.05 to the
  thousand (steps 1-3 above: 0.95 to the hundred on 1,008 cells, in 26 s).

Amounts are Decimal and must not be negative. All functions are pure and deterministic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from math import lcm
from typing import NamedTuple, TypeVar

ROUNDING_UNITS = (1, 100, 1000)
K = TypeVar("K")


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


class Figure(NamedTuple):
    """A figure a document shows: the sum of some cells (their positions), standing for an
    exact amount (their exact sum; or, for a figure that also subtracts one rounded apart,
    like an excess over credits available, that sum shifted by the other's rounding)."""

    cells: tuple[int, ...]
    exact: Decimal


@dataclass(frozen=True)
class Rounding:
    cells: tuple[Decimal, ...]
    """Each cell rounded to the unit; the cells add up to their exact total rounded half away
    from zero."""
    worst: Decimal
    """The largest distance of a figure from its exact amount, in units (below 1 when every
    figure is within a unit)."""
    work: int = 0
    """For more than ``_EXACT_CELLS`` cells that can move: the pairs of cells tried and the cells
    looked at by the bounded rounding, at most ``_WORK`` + 2 a cell from each of its two starts
    (the budget, and what its last step may look at beyond it); 0 for fewer cells."""


# How many steps each search for a closer rounding may take (step 3 of the module docstring; a
# few microseconds each). A search that finds none in this many steps keeps the rounding found
# before it. The last search of a rounding finds none: on the seeds, the test cases and 400
# benchmark proposals (at most 40 cells) the searches of a rounding take a few milliseconds in
# all.
_SEARCH = 20_000
# Up to this many cells that can move (not multiples of the unit already), steps 1-3; beyond,
# the bounded rounding of the module docstring, whose work is linear in the cells.
_EXACT_CELLS = 128
# The bounded rounding: its work (pairs tried, cells looked at) at most this many a cell...
_WORK = 48
# ...trying every pair within each figure of at most `_NEAR` cells once, then, in at most
# `_ROUNDS` rounds, for each figure a unit or more off, `_MOVERS` of its cells with `_PARTNERS`
# partners each (`_Search.repair`).
_ROUNDS = 8
_NEAR = 16
_MOVERS = 8
_PARTNERS = 32


def round_cells(cells: Sequence[Decimal], figures: Sequence[Figure], unit: int) -> Rounding:
    """Round the cells once, so that every figure, the sum of its rounded cells, is as close to
    its exact amount as the module docstring says."""
    ratios = [v.as_integer_ratio()[1] for v in (*cells, *(f.exact for f in figures))]
    scale = lcm(*ratios) if ratios else 1
    step = unit * scale
    exact = []
    for v in cells:
        if v < 0:
            raise ValueError(f"cannot round a negative amount ({v}) for presentation")
        exact.append(int(v * scale))
    floors = [e // step for e in exact]
    ups = int(round_half_up(sum(cells, Decimal(0)), unit) / unit) - sum(floors)
    unique = list(dict.fromkeys((tuple(f.cells), int(f.exact * scale)) for f in figures))
    search = _Search(exact, floors, unique, step, ups)
    if sum(search.movable) > _EXACT_CELLS:
        up = search.repair(search.cumulative())
        if search.worst(up) >= step:  # a unit or more off: the other start, if closer
            other = search.repair(search.diffused())
            up = min(up, other, key=lambda up: (search.worst(up), search.off(up)))
    else:
        up = search.descend(search.largest_remainders())
        while True:  # step 3
            search.limit = min(search.limit, search.worst(up))
            if search.limit == 0:
                break
            closer = search.within(up)
            if closer is None:
                break
            up = search.descend(closer)
    shown = tuple(Decimal((f + u) * unit) for f, u in zip(floors, up, strict=True))
    return Rounding(shown, Decimal(search.worst(up)) / Decimal(step), search.work)


class _Search:
    """The roundings of the cells, in integers: a cell's exact amount times `scale` (the
    remainders' common denominator), its multiple below in units, and whether it goes up."""

    def __init__(
        self,
        exact: Sequence[int],
        floors: Sequence[int],
        figures: Sequence[tuple[tuple[int, ...], int]],
        step: int,
        ups: int,
    ) -> None:
        self.exact, self.floors, self.step, self.ups = exact, floors, step, ups
        self.movable = [e % step != 0 for e in exact]
        self.figures = figures
        self.base = [sum(floors[i] for i in cells) * step - target for cells, target in figures]
        self.members: list[list[int]] = [[] for _ in exact]
        for f, (cells, _target) in enumerate(figures):
            for i in cells:
                if self.movable[i]:
                    self.members[i].append(f)
        self.shared = [frozenset(m) for m in self.members]
        # The levels of the objective folded into one integer: a figure a unit or more away
        # weighs more than all the distances beyond the unit can add up to, and those more
        # than all the distances.
        bound = (len(figures) + 1) * (len(exact) + 1) * step + 1
        self.beyond = bound
        self.away = (bound + 1) * bound + 1
        self.limit = step  # a figure this far or further from its exact amount is off
        self.work = 0  # the bounded rounding's: pairs tried and cells looked at

    def largest_remainders(self) -> list[bool]:
        order = sorted(
            (i for i, m in enumerate(self.movable) if m),
            key=lambda i: (-(self.exact[i] % self.step), i),
        )
        chosen = set(order[: self.ups])
        return [i in chosen for i in range(len(self.exact))]

    def distances(self, up: Sequence[bool]) -> list[int]:
        """Each figure's rounded sum less its exact amount, times `scale`."""
        return [
            b + sum(self.step for i in cells if up[i])
            for b, (cells, _target) in zip(self.base, self.figures, strict=True)
        ]

    def cost(self, d: int) -> int:
        d = abs(d)
        if d < self.limit:
            return d
        return self.away + self.beyond * (d - self.limit) + d

    def worst(self, up: Sequence[bool]) -> int:
        return max((abs(d) for d in self.distances(up)), default=0)

    def off(self, up: Sequence[bool]) -> int:
        return sum(abs(d) >= self.limit for d in self.distances(up))

    def cumulative(self) -> list[bool]:
        """The bounded rounding's first start: the cells' running total rounded half away from
        zero, each cell the difference of two roundings, so that every run of consecutive
        cells is within a unit."""
        up, running, before = [], 0, 0
        for e, floor, movable in zip(self.exact, self.floors, self.movable, strict=True):
            running += e
            now = (2 * running + self.step) // (2 * self.step)
            up.append(movable and now - before > floor)
            before = now
        return up

    def diffused(self) -> list[bool]:
        """The bounded rounding's second start: each cell in turn up or down, whichever leaves
        the figures it is in closer so far (the sum of their squared distances), then the
        cells whose change costs least moved to make the rounded total."""
        step = self.step
        partial = [0] * len(self.figures)
        up = [False] * len(self.exact)
        for i, members in enumerate(self.members):
            if not self.movable[i]:
                continue
            r = self.exact[i] % step
            if 2 * sum(partial[f] for f in members) < len(members) * (2 * r - step) or (
                not members and 2 * r >= step
            ):
                up[i] = True
                for f in members:
                    partial[f] += step - r
            else:
                for f in members:
                    partial[f] -= r
        d = self.distances(up)
        extra = sum(up) - self.ups
        if extra > 0:
            over = sorted((-sum(d[f] for f in self.members[i]), i) for i, u in enumerate(up) if u)
            for _, i in over[:extra]:
                up[i] = False
        elif extra < 0:
            under = sorted(
                (sum(d[f] for f in self.members[i]), i)
                for i, u in enumerate(up)
                if self.movable[i] and not u
            )
            for _, i in under[:-extra]:
                up[i] = True
        return up

    def repair(self, start: Sequence[bool]) -> list[bool]:
        """The bounded rounding's moves of one cell down and another up, each taken when it
        lowers the cost (`cost`, a figure a unit or more away being off), judged on the figures
        the two cells are not both in. First the best pair within each figure of at most
        `_NEAR` cells, once; then, in at most `_ROUNDS` rounds, for each figure a unit or more
        off (the farthest first) and while it is, the best pair of `_MOVERS` of its cells that
        would bring it closer (those whose remainders make the move the smallest change
        first), each with `_PARTNERS` partners in every figure that its move alone would put a
        unit or more off. Stops when a round finds no move, or after `_WORK` pairs tried and
        cells looked at a cell."""
        step, away, cost, sets = self.step, self.away, self.cost, self.shared
        up = list(start)
        d = self.distances(up)
        movable = [i for i, m in enumerate(self.movable) if m]
        budget = self.work + _WORK * len(movable)
        remainder = [e % step for e in self.exact]
        cells = [[i for i in c if self.movable[i]] for c, _target in self.figures]
        near = [c for c in cells if 2 <= len(c) <= _NEAR]
        # the cells in the order they would rather move: down, the smallest remainder first
        rather = {-1: sorted(movable, key=lambda i: (remainder[i], i))}
        rather[1] = sorted(movable, key=lambda i: (-remainder[i], i))
        ordered: dict[tuple[int, int], list[int]] = {}

        # what a figure's cost changes by when one of its cells goes down, or up
        lower = [cost(x - step) - cost(x) for x in d]
        raise_ = [cost(x + step) - cost(x) for x in d]

        def change(i: int, j: int) -> int:
            self.work += 1
            return sum(lower[f] for f in sets[i] - sets[j]) + sum(
                raise_[f] for f in sets[j] - sets[i]
            )

        def shift(figures: frozenset[int], by: int) -> None:
            for f in figures:
                d[f] += by
                lower[f] = cost(d[f] - step) - cost(d[f])
                raise_[f] = cost(d[f] + step) - cost(d[f])

        def move(i: int, j: int) -> None:
            shift(sets[i] - sets[j], -step)
            shift(sets[j] - sets[i], step)
            up[i], up[j] = False, True

        def partners(j: int, f: int, sign: int) -> list[int]:
            """Cells that may move the other way with j, in every figure j's move alone would
            put a unit or more off (the smallest such figure's cells), none in f."""
            crit = [g for g in sets[j] if g != f and (raise_ if sign > 0 else lower)[g] >= away]
            pool = cells[min(crit, key=lambda g: (len(cells[g]), g))] if crit else rather[-sign]
            need = frozenset(crit)
            found = []
            for i in pool:
                self.work += 1
                if up[i] == (sign > 0) and f not in sets[i] and need <= sets[i]:
                    found.append(i)
                    if len(found) == _PARTNERS or self.work >= budget:
                        break
            return found

        for group in near:
            if self.work >= budget:
                break
            best, pair = 0, None
            for i in group:
                if up[i]:
                    for j in group:
                        if not up[j] and (c := change(i, j)) < best:
                            best, pair = c, (i, j)
            if pair:
                move(*pair)
        for _round in range(_ROUNDS):
            moved = False
            for _far, f in sorted((-abs(x), f) for f, x in enumerate(d) if abs(x) >= step):
                while abs(d[f]) >= step and self.work < budget:
                    sign = -1 if d[f] > 0 else 1  # the way a cell of f must move
                    if (f, sign) not in ordered:
                        ordered[f, sign] = sorted(cells[f], key=lambda i: (-sign * remainder[i], i))
                        self.work += len(cells[f])
                    best, pair, movers = 0, None, 0
                    for j in ordered[f, sign]:
                        self.work += 1
                        if self.work >= budget:
                            break
                        if up[j] != (sign < 0):
                            continue
                        for i in partners(j, f, sign):
                            down, rise = (j, i) if sign < 0 else (i, j)
                            if (c := change(down, rise)) < best:
                                best, pair = c, (down, rise)
                        movers += 1
                        if movers == _MOVERS:
                            break
                    if pair is None:
                        break
                    move(*pair)
                    moved = True
                if self.work >= budget:
                    break
            if not moved or self.work >= budget:
                break
        return up

    def descend(self, start: Sequence[bool]) -> list[bool]:
        """Step 2: move one cell down and one up, the move that lowers the cost most first
        (ties: the first cell down, then the first up), until no move lowers it. A figure
        `limit` or further from its exact amount is off; one closer costs its distance."""
        up = list(start)
        d = self.distances(up)
        while True:
            down = [self.cost(x - self.step) - self.cost(x) for x in d]
            rise = [self.cost(x + self.step) - self.cost(x) for x in d]
            going_down = [
                (i, sum(down[f] for f in m))
                for i, m in enumerate(self.members)
                if up[i] and self.movable[i]
            ]
            going_up = [
                (j, sum(rise[f] for f in m))
                for j, m in enumerate(self.members)
                if not up[j] and self.movable[j]
            ]
            best, move = 0, None
            for i, gain_i in going_down:
                for j, gain_j in going_up:
                    change = gain_i + gain_j
                    if change >= best + 0 and not self.shared[i] & self.shared[j]:
                        continue
                    for f in self.shared[i] & self.shared[j]:
                        change -= down[f] + rise[f]
                    if change < best:
                        best, move = change, (i, j)
            if move is None:
                return up
            i, j = move
            up[i], up[j] = False, True
            for f in self.members[i]:
                d[f] -= self.step
            for f in self.members[j]:
                d[f] += self.step

    def within(self, prefer: Sequence[bool]) -> list[bool] | None:
        """Step 3: the first rounding found with every figure closer than `limit` to its
        exact amount, trying each cell first where `prefer` has it; None if there is none, or
        if none was found in `_SEARCH` steps."""
        cells = [i for i, m in enumerate(self.movable) if m]
        limit = self.limit
        bounds = [  # how many of a figure's movable cells may go up: lo..hi
            ((-limit - b) // self.step + 1, -((b - limit) // self.step) - 1) for b in self.base
        ]
        bounds.append((self.ups, self.ups))  # and all of them: the rounded total
        members = [[*self.members[i], len(self.base)] for i in range(len(self.exact))]
        raised = [0] * len(bounds)
        free = [0] * len(bounds)
        for i in cells:
            for f in members[i]:
                free[f] += 1
        if any(not (lo <= free[f] and hi >= 0) for f, (lo, hi) in enumerate(bounds)):
            return None
        up = list(prefer)
        # tried[k]: how many values cell k of `cells` has had (0, 1 or 2)
        tried = [0] * len(cells)
        k, steps = 0, 0
        while 0 <= k < len(cells):
            i = cells[k]
            if tried[k]:  # undo the value it had
                for f in members[i]:
                    raised[f] -= up[i]
                    free[f] += 1
            if tried[k] == 2:
                tried[k] = 0
                up[i] = prefer[i]
                k -= 1
                continue
            steps += 1
            if steps > _SEARCH:
                return None
            up[i] = prefer[i] if tried[k] == 0 else not prefer[i]
            tried[k] += 1
            for f in members[i]:
                raised[f] += up[i]
                free[f] -= 1
            if all(
                raised[f] <= bounds[f][1] and raised[f] + free[f] >= bounds[f][0]
                for f in members[i]
            ):
                k += 1
        return up if k == len(cells) else None
