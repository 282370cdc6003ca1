"""Presentation rounding: figures rounded to a unit (1, 100, 1,000) that still add up.

Budget statements show amounts "rounded to the hundred" with components that add up exactly to
the rounded totals. Rounding each figure on its own does not do that (three parts of 50 each
round to 100 each, their total of 150 to 200), so this module rounds *tables* as a whole:

- ``round_vector``: parts and their total. The total is rounded half away from zero; each part
  goes down to a multiple of the unit, and the parts with the largest remainders go up one unit
  each until they add up to the rounded total (the largest-remainder method).
- ``round_table``: a table with row and column totals (controlled rounding, Cox 1987). The grand
  total is rounded half away from zero; every cell and every margin goes to one of the two
  multiples of the unit around it (a figure that is already a multiple stays as it is), and
  every row and every column adds up to its rounded total. Which cells go up is a small flow
  problem: a cell with a remainder can go up by one unit; each row and each column must get
  the number of ups that makes it add up. Such a rounding always exists; the search prefers
  margins rounded by largest remainder, and the column margins given by the caller (so that
  the year totals are the same in every table).

Amounts are Decimal and must not be negative. All functions are pure.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

ROUNDING_UNITS = (1, 100, 1000)


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


def round_table(
    rows: Sequence[Sequence[Decimal]],
    unit: int,
    column_totals: Sequence[Decimal] | None = None,
) -> RoundedTable:
    """Controlled rounding of a table of nonnegative amounts (see the module docstring).

    `column_totals`, when given, are the rounded column totals wanted (each a multiple of the
    unit next to the exact column sum, adding up to the rounded grand total); they are kept if
    some rounding of the cells reaches them, and otherwise rounded afresh.
    """
    width = len(rows[0]) if rows else len(column_totals or ())
    if any(len(r) != width for r in rows):
        raise ValueError("rows of different lengths")
    split = [[_split(v, unit) for v in row] for row in rows]
    remainders = [[r for _, r in row] for row in split]
    exact_rows = [sum(row, Decimal(0)) for row in rows]
    exact_cols = [sum((row[j] for row in rows), Decimal(0)) for j in range(width)]
    grand = round_half_up(sum(exact_rows, Decimal(0)), unit)
    grand_ups = int(grand / unit) - sum(f for row in split for f, _ in row)

    def needed(margin: Decimal, cells: Sequence[tuple[int, Decimal]]) -> tuple[int, int]:
        floors = sum(f for f, _ in cells)
        low, rest = _split(margin, unit)
        return low - floors, low - floors + (1 if rest > 0 else 0)

    row_cells = split
    col_cells = [[split[i][j] for i in range(len(rows))] for j in range(width)]
    row_bounds = [needed(m, c) for m, c in zip(exact_rows, row_cells, strict=True)]
    col_bounds = [needed(m, c) for m, c in zip(exact_cols, col_cells, strict=True)]

    def fixed(
        wanted: Sequence[Decimal], cells: Sequence[Sequence[tuple[int, Decimal]]]
    ) -> list[tuple[int, int]]:
        out = []
        for w, c in zip(wanted, cells, strict=True):
            n = int(w / unit) - sum(f for f, _ in c)
            out.append((n, n))
        return out

    lr_rows = fixed(round_vector(exact_rows, unit, grand), row_cells) if rows else []
    lr_cols = fixed(
        list(column_totals) if column_totals is not None else round_vector(exact_cols, unit, grand),
        col_cells,
    )
    attempts = [(lr_rows, lr_cols), (row_bounds, lr_cols), (row_bounds, col_bounds)]
    for rb, cb in attempts:
        ups = _choose_ups(remainders, rb, cb, grand_ups)
        if ups is not None:
            break
    else:  # pragma: no cover - the last attempt always has a solution (Cox 1987)
        raise AssertionError("no controlled rounding found")
    _closer(ups, remainders)
    cells = tuple(
        tuple(Decimal((f + ups[i][j]) * unit) for j, (f, _) in enumerate(row))
        for i, row in enumerate(split)
    )
    return RoundedTable(
        cells=cells,
        row_totals=tuple(sum(row, Decimal(0)) for row in cells),
        column_totals=tuple(sum((row[j] for row in cells), Decimal(0)) for j in range(width)),
        total=grand,
    )


def _choose_ups(
    remainders: Sequence[Sequence[Decimal]],
    row_bounds: Sequence[tuple[int, int]],
    col_bounds: Sequence[tuple[int, int]],
    total_ups: int,
) -> list[list[int]] | None:
    """Which cells go up one unit: a flow with lower and upper bounds on each row and column,
    and exactly `total_ups` in all; None if there is none.

    Network: source → row i [low_i, high_i] → cell (i, j) [0, 1] when it has a remainder →
    column j [low_j, high_j] → sink, and sink → source [total_ups, total_ups]. Lower bounds are
    removed the usual way (a super source and sink carry them); a feasible flow exists if and
    only if the maximum flow from the super source saturates its edges.
    """
    n_rows, n_cols = len(row_bounds), len(col_bounds)
    source, sink = 0, 1 + n_rows + n_cols
    super_source, super_sink = sink + 1, sink + 2
    size = sink + 3
    capacity: list[dict[int, int]] = [{} for _ in range(size)]
    excess = [0] * size

    def edge(u: int, v: int, low: int, high: int) -> None:
        if low > high or low < 0:
            raise _Infeasible
        capacity[u][v] = capacity[u].get(v, 0) + high - low
        capacity[v].setdefault(u, 0)
        excess[v] += low
        excess[u] -= low

    try:
        for i, (low, high) in enumerate(row_bounds):
            edge(source, 1 + i, low, high)
        for j, (low, high) in enumerate(col_bounds):
            edge(1 + n_rows + j, sink, low, high)
        # Larger remainders first, so that the search tends to round them up.
        cells = sorted(
            ((i, j) for i in range(n_rows) for j in range(n_cols) if remainders[i][j] > 0),
            key=lambda ij: (-remainders[ij[0]][ij[1]], ij),
        )
        for i, j in cells:
            edge(1 + i, 1 + n_rows + j, 0, 1)
        edge(sink, source, total_ups, total_ups)
    except _Infeasible:
        return None
    demand = 0
    for node in range(size - 2):
        if excess[node] > 0:
            edge(super_source, node, 0, excess[node])
            demand += excess[node]
        elif excess[node] < 0:
            edge(node, super_sink, 0, -excess[node])
    original = [dict(c) for c in capacity]
    if _max_flow(capacity, super_source, super_sink) < demand:
        return None
    ups = [[0] * n_cols for _ in range(n_rows)]
    for i, j in cells:
        u, v = 1 + i, 1 + n_rows + j
        ups[i][j] = original[u][v] - capacity[u][v]
    return ups


def _closer(ups: list[list[int]], remainders: Sequence[Sequence[Decimal]]) -> None:
    """Bring the shown cells closer to the exact ones without changing any total.

    Moving an up from (i, j) to (i, k) and one from (l, k) to (l, j) keeps every row and column
    total; do it whenever the cells end up nearer their exact values (cells without a remainder
    never go up). Repeats until no such swap helps, in place.
    """

    def error(i: int, j: int, up: int) -> Decimal:
        return 1 - remainders[i][j] if up else remainders[i][j]

    improved = True
    while improved:
        improved = False
        for i, row in enumerate(ups):
            for l in range(len(ups)):  # noqa: E741 - i, j, k, l name rows and columns
                if l == i:
                    continue
                for j in range(len(row)):
                    if not (ups[i][j] and not ups[l][j] and remainders[l][j] > 0):
                        continue
                    for k in range(len(row)):
                        if ups[i][k] or not ups[l][k] or remainders[i][k] == 0:
                            continue
                        before = error(i, j, 1) + error(l, k, 1) + error(i, k, 0) + error(l, j, 0)
                        after = error(i, j, 0) + error(l, k, 0) + error(i, k, 1) + error(l, j, 1)
                        if after < before:
                            ups[i][j], ups[l][k], ups[i][k], ups[l][j] = 0, 0, 1, 1
                            improved = True
                            break
                    if improved:
                        break
                if improved:
                    break
            if improved:
                break


class _Infeasible(Exception):
    pass


def _max_flow(capacity: list[dict[int, int]], s: int, t: int) -> int:
    """Edmonds-Karp on residual capacities (changed in place); returns the flow value."""
    flow = 0
    while True:
        parent: dict[int, int] = {s: s}
        queue = deque([s])
        while queue and t not in parent:
            u = queue.popleft()
            for v, cap in capacity[u].items():
                if cap > 0 and v not in parent:
                    parent[v] = u
                    queue.append(v)
        if t not in parent:
            return flow
        push = None
        v = t
        while v != s:
            u = parent[v]
            push = capacity[u][v] if push is None else min(push, capacity[u][v])
            v = u
        assert push is not None
        v = t
        while v != s:
            u = parent[v]
            capacity[u][v] -= push
            capacity[v][u] += push
            v = u
        flow += push
