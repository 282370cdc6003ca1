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


# How many steps each search for a closer rounding may take (step 3 of the module docstring; a
# few microseconds each). A search that finds none in this many steps keeps the rounding found
# before it. The last search of a rounding finds none: on the seeds, the test cases and 400
# benchmark proposals (at most 40 cells) the searches of a rounding take a few milliseconds in
# all; a proposal of 500 cells takes about 2.5 s.
_SEARCH = 20_000


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
    return Rounding(shown, Decimal(search.worst(up)) / Decimal(step))


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
