"""Presentation rounding: rounded parts add up to rounded totals, in vectors and tables."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from estimator.rounding import round_half_up, round_table, round_vector

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
    # rounding is chosen so that no such move reduces the total distance to the exact figures.
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
                    assert swapped >= now
