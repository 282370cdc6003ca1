"""Presentation rounding: rounded parts add up to rounded totals, in vectors and tables, and a
table's rounding is the closest to the exact figures of all the roundings that add up."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from itertools import product

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from estimator.render.rounding import round_half_up, round_table, round_vector, shares

D = Decimal
cents = st.integers(min_value=0, max_value=10_000_000).map(lambda c: D(c) / 100)
units = st.sampled_from([1, 100, 1000])


def test_three_parts_of_fifty_round_to_a_total_of_two_hundred_not_three() -> None:
    # 50 + 50 + 50 = 150 → 200 (half away from zero); parts: two go up to 100, one down to 0.
    assert round_vector([D(50), D(50), D(50)], 100) == [D(100), D(100), D(0)]


def test_largest_remainders_go_up_first() -> None:
    # 120 + 180 + 240 = 540 → 500; floors 100 + 100 + 200 = 400; one up: 180 (remainder 0.8).
    assert round_vector([D(120), D(180), D(240)], 100) == [D(100), D(200), D(200)]


def test_a_table_where_rounding_each_cell_alone_would_not_add_up() -> None:
    # Cells 50 and 50 on the diagonal: total 100. Rounding each alone gives 100 + 100 = 200.
    table = round_table([[D(50), D(0)], [D(0), D(50)]], 100)
    assert table.total == D(100)
    assert sum(table.row_totals) == table.total == sum(table.column_totals)
    assert sorted(c for row in table.cells for c in row) == [D(0), D(0), D(0), D(100)]


def test_a_case_where_largest_remainder_margins_alone_have_no_solution() -> None:
    # Remainders (in hundreds) row 0: .5 .5 0 (row sum exactly 1); row 1: 0 0 .5. Total 1.5 → 2.
    # Largest remainder on the columns (ties: first) would raise columns 0 and 1, forcing
    # row 0 to 2 although its sum is exactly 100. The search must find columns 0 and 2 or 1 and 2.
    table = round_table([[D(50), D(50), D(0)], [D(0), D(0), D(50)]], 100)
    assert table.total == D(200)
    assert table.row_totals == (D(100), D(100))


def test_year_totals_that_no_rounding_reaches_are_kept_as_far_as_they_can_be() -> None:
    # The same table with the columns wanted at 100, 100 and 0: row 0 (exactly 100) can raise
    # only one of its 50s, and column 2 needs the 50 of row 1 for the total of 200. So one of
    # the first two columns, the first, is kept.
    table = round_table([[D(50), D(50), D(0)], [D(0), D(0), D(50)]], 100, [D(100), D(100), D(0)])
    assert table.column_totals == (D(100), D(0), D(100))
    assert table.row_totals == (D(100), D(100))


def test_figures_that_are_already_multiples_stay_as_they_are() -> None:
    table = round_table([[D(1200), D(300)], [D(0), D(4500)]], 100)
    assert table.cells == ((D(1200), D(300)), (D(0), D(4500)))
    assert table.total == D(6000)


@settings(max_examples=300, deadline=None)
@given(st.lists(cents, min_size=1, max_size=12), units)
def test_rounded_parts_add_up_to_the_rounded_total(values: list[Decimal], unit: int) -> None:
    parts = round_vector(values, unit)
    assert sum(parts) == round_half_up(sum(values), unit)
    for exact, shown in zip(values, parts, strict=True):
        assert shown % unit == 0
        assert abs(shown - exact) < unit


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=1, max_value=6).flatmap(
        lambda w: st.lists(st.lists(cents, min_size=w, max_size=w), min_size=1, max_size=8)
    ),
    units,
)
def test_every_row_and_column_of_a_rounded_table_adds_up(
    rows: list[list[Decimal]], unit: int
) -> None:
    table = round_table(rows, unit)
    exact_total = sum(sum(r) for r in rows)
    assert table.total == round_half_up(exact_total, unit)
    for i, row in enumerate(table.cells):
        assert sum(row) == table.row_totals[i]
        assert abs(table.row_totals[i] - sum(rows[i])) < unit
        for j, shown in enumerate(row):
            assert shown % unit == 0
            assert abs(shown - rows[i][j]) < unit
    for j, col_total in enumerate(table.column_totals):
        assert col_total == sum(row[j] for row in table.cells)
        assert abs(col_total - sum(r[j] for r in rows)) < unit
    assert sum(table.row_totals) == table.total == sum(table.column_totals)


@settings(max_examples=200, deadline=None)
@given(st.lists(cents, min_size=1, max_size=8), st.lists(cents, min_size=1, max_size=8), units)
def test_year_totals_fixed_by_the_caller_are_kept(
    first: list[Decimal], second: list[Decimal], unit: int
) -> None:
    # The year totals rounded once (largest remainder) and imposed on a table of the same
    # years: a one-row table always reaches them, and a two-row table where the second row is
    # all whole units too (its cells have no remainder, so every up falls in the first row).
    width = min(len(first), len(second))
    whole = [round_half_up(v, unit) for v in second[:width]]
    rows = [first[:width], whole]
    wanted = round_vector([a + b for a, b in zip(rows[0], rows[1], strict=True)], unit)
    table = round_table(rows, unit, column_totals=wanted)
    assert table.column_totals == tuple(wanted)
    assert table.cells[1] == tuple(whole)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=2, max_value=5).flatmap(
        lambda w: st.lists(st.lists(cents, min_size=w, max_size=w), min_size=2, max_size=6)
    ),
    units,
)
def test_no_swap_of_ups_would_bring_the_cells_closer_to_the_exact_figures(
    rows: list[list[Decimal]], unit: int
) -> None:
    # Moving an up from (i, j) to (i, k) and from (l, k) to (l, j) keeps every total; the
    # rounding is chosen so that no such move reduces the total distance to the exact figures,
    # unless it shows identical figures of a row differently (which counts a unit).
    table = round_table(rows, unit)

    def distance(i: int, j: int, shown: Decimal) -> Decimal:
        return abs(shown - rows[i][j])

    n, m = len(rows), len(rows[0])
    for i in range(n):
        for l in range(n):  # noqa: E741
            for j in range(m):
                for k in range(m):
                    if i == l or j == k:
                        continue
                    a, b = table.cells[i][j], table.cells[l][k]
                    c, d = table.cells[i][k], table.cells[l][j]
                    # (i, j) and (l, k) went up, (i, k) and (l, j) went down, and the latter
                    # have a remainder so they could go up instead.
                    if not (a > rows[i][j] and b > rows[l][k]):
                        continue
                    if not (c < rows[i][k] and d < rows[l][j]):
                        continue
                    now = (
                        distance(i, j, a)
                        + distance(l, k, b)
                        + distance(i, k, c)
                        + distance(l, j, d)
                    )
                    swapped = (
                        distance(i, j, a - unit)
                        + distance(l, k, b - unit)
                        + distance(i, k, c + unit)
                        + distance(l, j, d + unit)
                    )
                    cells = [list(row) for row in table.cells]
                    cells[i][j], cells[l][k], cells[i][k], cells[l][j] = (
                        a - unit,
                        b - unit,
                        c + unit,
                        d + unit,
                    )
                    # Each set of identical figures of a row shown differently counts a unit.
                    assert swapped + unit * _shown_differently(rows, cells) >= now + unit * (
                        _shown_differently(rows, table.cells)
                    )


def test_three_equal_yearly_amounts_just_above_a_hundred_all_show_the_hundred_below() -> None:
    # A budget officer's case: staff of CHF 156,013.56 in each of three years, travel in the
    # second, services in the first and third. The year totals (rounded once, by largest
    # remainder: 170,100, 176,300, 175,200) need one more hundred in the second year than its
    # figures' nearest hundreds give. The previous rounding took it from staff (156,000,
    # 156,100, 156,000; total 468,100 for 468,040.68); the closest takes it from travel, whose
    # 20,249.63 is nearly as near to 20,300 (50.37) as to 20,200 (49.63).
    staff = [D("156013.56")] * 3
    travel = [D(0), D("20249.63"), D(0)]
    services = [D("14131.75"), D(0), D("19226.85")]
    rows = [staff, travel, services]
    years = round_vector([sum(row[j] for row in rows) for j in range(3)], 100)
    table = round_table(rows, 100, column_totals=years)
    assert table.column_totals == (D(170100), D(176300), D(175200))
    assert table.cells[0] == (D(156000), D(156000), D(156000))
    assert table.row_totals == (D(468000), D(20300), D(33300))
    assert table.cells[1] == (D(0), D(20300), D(0))


def test_identical_figures_in_a_row_show_alike_when_the_totals_allow() -> None:
    # Row 0 needs one more hundred (3,080 → 3,100) and any of the three columns can take it
    # (each sums to x,030 or 2,030). The cells alone would raise a 1,030 (70 off) rather than
    # the 1,020 (80 off), showing 1,030 and 1,030 differently: the 1,020 goes up instead.
    table = round_table([[D(1030), D(1030), D(1020)], [D(1000), D(1000), D(1010)]], 100)
    assert table.cells == ((D(1000), D(1000), D(1100)), (D(1000), D(1000), D(1000)))
    assert table.row_totals == (D(3100), D(3000))


def test_identical_figures_whose_total_needs_it_are_shown_differently() -> None:
    # 4 × 95,528.88 = 382,115.52: its total is 382,100, a hundred more than 4 × 95,500, so one
    # of the years has to show 95,600 (the first: ties go to the first figure).
    table = round_table([[D("95528.88")] * 4], 100)
    assert table.cells == ((D(95600), D(95500), D(95500), D(95500)),)
    assert table.total == D(382100)


@st.composite
def near_multiples(draw: st.DrawFn) -> tuple[list[list[Decimal]], int]:
    """Tables whose figures rounded each to its nearest multiple often add up: multiples of the
    unit moved by less than half a unit, and in half the tables by so little that every sum
    is also less than half a unit away from the sum of the multiples."""
    unit = draw(units)
    n, m = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    half = 50 * unit  # in cents
    shrink = n * m if draw(st.booleans()) else 1
    rows = []
    for _ in range(n):
        row = []
        for _ in range(m):
            multiple = draw(st.integers(1, 50)) * unit
            offset = draw(st.integers(-half, half))
            row.append(multiple + D(int(offset / shrink)) / 100)
        rows.append(row)
    return rows, unit


@settings(max_examples=300, deadline=None)
@given(near_multiples())
def test_when_every_figure_at_its_nearest_adds_up_that_is_the_rounding(
    table: tuple[list[list[Decimal]], int],
) -> None:
    rows, unit = table
    nearest = [[round_half_up(v, unit) for v in row] for row in rows]
    width = len(rows[0])
    assume(all(sum(n) == round_half_up(sum(r), unit) for n, r in zip(nearest, rows, strict=True)))
    assume(
        all(
            sum(n[j] for n in nearest) == round_half_up(sum(r[j] for r in rows), unit)
            for j in range(width)
        )
    )
    assume(sum(map(sum, nearest)) == round_half_up(sum(map(sum, rows)), unit))
    years = round_vector([sum(r[j] for r in rows) for j in range(width)], unit)
    for wanted in (None, years):
        assert round_table(rows, unit, column_totals=wanted).cells == tuple(map(tuple, nearest))


def _shown_differently(
    rows: Sequence[Sequence[Decimal]], cells: Sequence[Sequence[Decimal]]
) -> int:
    """Sets of identical figures in a row that are not all shown alike."""
    count = 0
    for exact, shown in zip(rows, cells, strict=True):
        alike: dict[Decimal, set[Decimal]] = {}
        for value, figure in zip(exact, shown, strict=True):
            alike.setdefault(value, set()).add(figure)
        count += sum(1 for figures in alike.values() if len(figures) > 1)
    return count


def _closest_by_brute_force(
    rows: list[list[Decimal]], unit: int, wanted: Sequence[Decimal] | None
) -> tuple[tuple[Decimal, ...], ...]:
    """The cells of the closest rounding, found by trying every cell up and down: the
    caller's column totals kept, the totals' distance, the cells' distance with a unit more
    for each set of identical figures of a row shown differently, and the first figure (cells
    row by row, row totals, column totals) where two roundings differ up. A rounding adds up
    and puts every figure on a multiple of the unit around it."""
    n, m = len(rows), len(rows[0])
    exact_rows = [sum(row) for row in rows]
    exact_columns = [sum(row[j] for row in rows) for j in range(m)]
    grand = round_half_up(sum(exact_rows), unit)
    low = [[v // unit * unit for v in row] for row in rows]
    free = [(i, j) for i in range(n) for j in range(m) if rows[i][j] % unit]
    best: tuple[object, ...] | None = None
    best_cells: tuple[tuple[Decimal, ...], ...] = ()
    for ups in product((0, 1), repeat=len(free)):
        cells = [list(row) for row in low]
        for (i, j), up in zip(free, ups, strict=True):
            cells[i][j] += up * unit
        row_totals = [sum(row) for row in cells]
        column_totals = [sum(row[j] for row in cells) for j in range(m)]
        if sum(row_totals) != grand:
            continue
        if any(abs(t - e) >= unit for t, e in zip(row_totals, exact_rows, strict=True)):
            continue
        if any(abs(t - e) >= unit for t, e in zip(column_totals, exact_columns, strict=True)):
            continue
        figures = [
            *((cells[i][j], rows[i][j]) for i in range(n) for j in range(m)),
            *zip(row_totals, exact_rows, strict=True),
            *zip(column_totals, exact_columns, strict=True),
        ]
        rank = (
            0
            if wanted is None
            else sum(1 for t, w in zip(column_totals, wanted, strict=True) if t != w),
            sum(abs(t - e) for t, e in figures[n * m :]),
            sum(abs(c - e) for c, e in figures[: n * m]) + unit * _shown_differently(rows, cells),
            tuple(shown < exact for shown, exact in figures),
        )
        if best is None or rank < best:
            best, best_cells = rank, tuple(map(tuple, cells))
    return best_cells


small_cents = st.integers(min_value=0, max_value=300_000).map(lambda c: D(c) / 100)


@st.composite
def small_tables(draw: st.DrawFn) -> tuple[list[list[Decimal]], int]:
    """Tables of up to 3 × 3, often with identical figures in a row."""
    n, m = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    pool = draw(st.lists(small_cents, min_size=1, max_size=4))
    figure = st.one_of(small_cents, st.sampled_from(pool))
    return [[draw(figure) for _ in range(m)] for _ in range(n)], draw(units)


@settings(max_examples=500, deadline=None)
@given(small_tables(), st.booleans())
def test_the_rounding_is_the_closest_of_all_that_add_up(
    table: tuple[list[list[Decimal]], int], years_given: bool
) -> None:
    # Against every way of rounding the cells of a small table: so it is never further from
    # the exact figures than any other controlled rounding, the previous algorithm's included.
    rows, unit = table
    wanted = None
    if years_given:
        wanted = round_vector([sum(r[j] for r in rows) for j in range(len(rows[0]))], unit)
    got = round_table(rows, unit, column_totals=wanted)
    assert got.cells == _closest_by_brute_force(rows, unit, wanted)


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
