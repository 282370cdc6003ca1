"""Presentation rounding: rounded parts add up to rounded totals; a document's costs are rounded
once, in cells, so that every figure is a sum of rounded cells, within a unit of its exact
amount whenever some rounding of the cells allows it, and how far it is told otherwise."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from itertools import product
from random import Random

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from estimator.render import rounding
from estimator.render.rounding import Figure, round_cells, round_half_up, round_vector, shares

D = Decimal
cents = st.integers(min_value=0, max_value=10_000_000).map(lambda c: D(c) / 100)
units = st.sampled_from([1, 100, 1000])


def test_three_parts_of_fifty_round_to_a_total_of_two_hundred_not_three() -> None:
    # 50 + 50 + 50 = 150 → 200 (half away from zero); parts: two go up to 100, one down to 0.
    assert round_vector([D(50), D(50), D(50)], 100) == [D(100), D(100), D(0)]


def test_largest_remainders_go_up_first() -> None:
    # 120 + 180 + 240 = 540 → 500; floors 100 + 100 + 200 = 400; one up: 180 (remainder 0.8).
    assert round_vector([D(120), D(180), D(240)], 100) == [D(100), D(200), D(200)]


@settings(max_examples=300, deadline=None)
@given(st.lists(cents, min_size=1, max_size=12), units)
def test_rounded_parts_add_up_to_the_rounded_total(values: list[Decimal], unit: int) -> None:
    parts = round_vector(values, unit)
    assert sum(parts) == round_half_up(sum(values), unit)
    for exact, shown in zip(values, parts, strict=True):
        assert shown % unit == 0
        assert abs(shown - exact) < unit


def _distances(
    cells: list[Decimal], figures: list[Figure], shown: Sequence[Decimal]
) -> list[Decimal]:
    return [abs(sum(shown[i] for i in f.cells) - f.exact) for f in figures]


def test_cells_of_fifty_go_up_in_order_when_nothing_else_is_shown() -> None:
    # 50 + 50 + 50 = 150 → 200: the largest remainders go up, ties to the first cells.
    rounded = round_cells([D(50), D(50), D(50)], [], 100)
    assert rounded.cells == (D(100), D(100), D(0))


def test_the_worst_distance_is_told_when_no_rounding_keeps_every_figure_within_a_unit() -> None:
    # Three cells of 50, each two of them a figure of exactly 100: a rounding keeps a pair at
    # 100 only by raising one of its two cells, and the three pairs cannot all have one up
    # (that would take one and a half ups). The total, 150, is 200: two cells go up, and one
    # pair shows 200 for 100, a whole unit off, which `worst` says.
    cells = [D(50), D(50), D(50)]
    pairs = [Figure((0, 1), D(100)), Figure((1, 2), D(100)), Figure((0, 2), D(100))]
    rounded = round_cells(cells, pairs, 100)
    assert sum(rounded.cells) == D(200)
    assert rounded.worst == 1


def test_a_rounding_that_moving_one_cell_down_and_one_up_cannot_reach_is_found() -> None:
    # Found by a random search: from the largest remainders, no move of one cell down and one
    # up brings every figure within a unit, but a rounding with every figure within a unit
    # exists (the search of step 3 finds it).
    cells = [D(63), D(67), D(26), D(59), D(30), D(8), D(1), D(2)]
    sets = [
        (0, 4, 6, 7),
        (4, 7),
        (0, 1, 2, 3, 5, 6, 7),
        (0, 1, 3, 5),
        (1, 2, 4, 5, 6, 7),
        (1, 2, 3, 4, 6, 7),
        (0, 7),
        (0, 1, 2, 4, 5, 6, 7),
        (1, 4, 6, 7),
    ]
    figures = [Figure(s, sum((cells[i] for i in s), D(0))) for s in sets]
    rounded = round_cells(cells, figures, 100)
    assert rounded.worst < 1
    assert all(d < 100 for d in _distances(cells, figures, rounded.cells))


@st.composite
def cells_and_figures(draw: st.DrawFn) -> tuple[list[Decimal], list[Figure], int]:
    unit = draw(units)
    n = draw(st.integers(min_value=1, max_value=8))
    cells = draw(st.lists(cents.map(lambda c: c % (4 * unit)), min_size=n, max_size=n))
    subsets = draw(
        st.lists(st.sets(st.integers(min_value=0, max_value=n - 1), min_size=1), max_size=8)
    )
    figures = [Figure(tuple(sorted(s)), sum((cells[i] for i in s), D(0))) for s in subsets]
    return cells, figures, unit


@settings(max_examples=400, deadline=None)
@given(cells_and_figures())
def test_the_farthest_figure_is_as_close_as_any_rounding_of_the_cells_allows(
    case: tuple[list[Decimal], list[Figure], int],
) -> None:
    # Against every rounding of the cells to one of their two multiples that adds up to the
    # total rounded half away from zero: so every figure is within a unit of its exact amount
    # whenever some rounding allows it, and `worst` says how far the farthest is.
    cells, figures, unit = case
    rounded = round_cells(cells, figures, unit)
    total = round_half_up(sum(cells, D(0)), unit)
    assert sum(rounded.cells) == total
    for exact, shown in zip(cells, rounded.cells, strict=True):
        assert shown % unit == 0 and abs(shown - exact) < unit
    worst = max(_distances(cells, figures, rounded.cells), default=D(0))
    assert rounded.worst == worst / unit
    choices = [sorted({v - v % unit, v - v % unit + (unit if v % unit else 0)}) for v in cells]
    best = min(
        max(_distances(cells, figures, option), default=D(0))
        for option in product(*choices)
        if sum(option) == total
    )
    assert worst == best


@settings(max_examples=100, deadline=None)
@given(cells_and_figures())
def test_the_same_cells_and_figures_give_the_same_rounding(
    case: tuple[list[Decimal], list[Figure], int],
) -> None:
    cells, figures, unit = case
    assert round_cells(cells, figures, unit) == round_cells(list(cells), list(figures), unit)


def _annex_like(activities: int, seed: int) -> tuple[list[Decimal], list[Figure]]:
    """Cells of `activities` activities x 3 objects of expenditure x 4 years, and the figures
    an annex shows of them: each activity, object and year, activity and object by year, the
    total."""
    rng = Random(seed)
    keys = [(a, o, y) for y in range(4) for a in range(activities) for o in range(3)]
    cells = [D(rng.randrange(1, 5_000_000)) / 100 for _ in keys]
    groupings = [
        lambda k: k[0],
        lambda k: k[1],
        lambda k: k[2],
        lambda k: (k[0], k[2]),
        lambda k: (k[1], k[2]),
        lambda k: None,
    ]
    figures = []
    for by in groupings:
        groups: dict[object, list[int]] = {}
        for i, k in enumerate(keys):
            groups.setdefault(by(k), []).append(i)
        figures += [Figure(tuple(c), sum((cells[i] for i in c), D(0))) for c in groups.values()]
    return cells, figures


@pytest.mark.parametrize("activities", [30, 120])
@pytest.mark.parametrize("unit", [1, 100, 1000])
def test_a_large_proposal_is_rounded_with_work_in_proportion_to_its_cells_and_adds_up(
    activities: int, unit: int
) -> None:
    # 360 and 1,440 cells, more than the exact rounding takes: the bounded rounding tries
    # pairs and looks at cells at most _WORK (+ 2 for its last step) times a cell from each of
    # its two starts, whatever the size (every pair at each move took 1,008 cells 20 s); it
    # keeps what makes equal costs equal and tables add up (each cell at one of its two
    # multiples, the rounded total), gives the same rounding each time, and tells its worst.
    cells, figures = _annex_like(activities, seed=activities + unit)
    assert len(cells) > rounding._EXACT_CELLS
    rounded = round_cells(cells, figures, unit)
    assert 0 < rounded.work <= 2 * (rounding._WORK + 2) * len(cells)
    assert sum(rounded.cells) == round_half_up(sum(cells, D(0)), unit)
    for exact, shown in zip(cells, rounded.cells, strict=True):
        assert shown % unit == 0 and abs(shown - exact) < unit
    assert rounded.worst == max(_distances(cells, figures, rounded.cells)) / unit
    assert rounded == round_cells(list(cells), list(figures), unit)


def test_shares_that_rounded_alone_make_100_1_are_shown_adding_up_to_100_0() -> None:
    parts = [Decimal("5000.00"), Decimal("4525.00"), Decimal("475.00")]  # 50%, 45.25%, 4.75%
    alone = [round_half_up(p / 100 * 10, 1) / 10 for p in parts]
    assert sum(alone) == Decimal("100.1")
    # one tenth goes up, to the largest remainder (a tie: the first)
    shown = shares(dict(enumerate(parts)))
    assert list(shown.values()) == [Decimal("50.0"), Decimal("45.3"), Decimal("4.7")]


@settings(max_examples=200, deadline=None)
@given(st.lists(cents, min_size=1, max_size=8))
def test_shares_add_up_to_100_and_each_is_within_a_tenth_of_its_exact_share(
    values: list[Decimal],
) -> None:
    total = sum(values, Decimal(0))
    assume(total > 0)
    shown = shares(dict(enumerate(values)))
    assert sum(shown.values()) == Decimal("100.0")
    for value, share in zip(values, shown.values(), strict=True):
        assert abs(share - value * 100 / total) < Decimal("0.1")
