"""The one workbook writer (estimator/render/xlsx.py) keeps its house rules for any content.

Whatever text it is given, a reader finds it back as text (cleaned of what XML cannot hold),
with the quote prefix when it starts like a formula; every number comes back as the number;
every formula holds the value it was given; the same cells give the same bytes; a column is
as wide as its widest figure.
"""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
from hypothesis import given, settings
from hypothesis import strategies as st

from estimator.render.xlsx import (
    FONT,
    FORMULA_STARTS,
    LINE_HEIGHT,
    MONEY,
    UNIT_PIXELS,
    Book,
    clean_text,
    shown_width,
    text_pixels,
    wrapped_lines,
)

texts = st.text(max_size=200)
amounts = st.decimals(
    min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False
)


def _book(cells: list[str], figures: list[Decimal]) -> bytes:
    out = io.BytesIO()
    book = Book(out, title="Test", reference="T/1 & co")
    sheet = book.sheet("It's quoted", header_rows=(0, 0), freeze=(1, 0))
    sheet.header(0, ["Text", "Amount", "Twice"], numbers=(1, 2))
    for row, (text, figure) in enumerate(zip(cells, figures, strict=True), start=1):
        sheet.text(row, 0, text)
        sheet.number(row, 1, figure)
        sheet.formula(row, 2, f"=B{row + 1}*2", figure * 2)
    sheet.finish()
    book.close()
    return out.getvalue()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(texts, amounts), min_size=1, max_size=8))
def test_any_text_and_amount_read_back_as_written(cells: list[tuple[str, Decimal]]) -> None:
    blob = _book([t for t, _ in cells], [a for _, a in cells])
    wb = openpyxl.load_workbook(io.BytesIO(blob), data_only=True)
    ws = wb["It's quoted"]
    for row, (text, figure) in enumerate(cells, start=2):
        written = ws.cell(row, 1)
        if text:
            assert written.value == clean_text(text)
            assert written.data_type == "s"
            assert written.quotePrefix == clean_text(text).startswith(FORMULA_STARTS)
        else:
            assert written.value is None
        assert Decimal(str(ws.cell(row, 2).value)) == figure
        assert Decimal(str(ws.cell(row, 3).value)) == figure * 2  # the cached value, as given
        assert ws.cell(row, 2).number_format == MONEY
        assert ws.cell(row, 1).font.name == FONT


def test_the_same_cells_give_the_same_bytes() -> None:
    cells = ["=1+1", "+41 22", "plain", "line\nbreak"]
    figures = [Decimal("1.00"), Decimal("-2.50"), Decimal("1234567.89"), Decimal(0)]
    assert _book(cells, figures) == _book(cells, figures)


def test_a_column_is_as_wide_as_its_widest_figure() -> None:
    figures = [Decimal("1.00"), Decimal("-1234567.89")]
    wb = openpyxl.load_workbook(io.BytesIO(_book(["a", "b"], figures)))
    ws = wb["It's quoted"]
    widths = {i: d.width for d in ws.column_dimensions.values() for i in range(d.min, d.max + 1)}
    assert widths[2] >= len("-1,234,567.89") == shown_width(figures[1], MONEY)


def test_a_page_header_keeps_an_ampersand_of_the_reference() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(_book(["a"], [Decimal(1)])))
    ws = wb["It's quoted"]
    assert "T/1 && co" in ws.oddHeader.left.text  # '&&' prints one '&'
    assert ws.print_title_rows == "$1:$1"


def test_a_row_is_as_tall_as_its_text_laid_out_in_arial_widths() -> None:
    """The row-height estimate counted characters with a slack of 1.25 a unit of width, and
    the Rates sheet's sources and derivations were cut off: now the words are laid out in the
    pixels the column gives them, with each character's width. 60 'i' (narrow) fit a line of a
    column where 60 'W' (wide) take several; a word wider than the column breaks; each
    paragraph starts a line."""
    narrow, wide = " ".join(["iiii"] * 15), " ".join(["WWWW"] * 15)
    assert wrapped_lines(narrow, 40) == 1
    assert wrapped_lines(wide, 40) >= 3  # 60 W are 756 px, a column of 40 has some 270
    assert text_pixels("W" * 60) > 2 * 40 * UNIT_PIXELS
    assert wrapped_lines("W" * 60, 40) == wrapped_lines(wide, 40)
    assert wrapped_lines("a\nb\n\nc", 40) == 4


def test_a_wrapped_text_s_row_and_a_wrapped_title_s_row_are_made_tall_enough() -> None:
    """A long text wraps in its column (at most WIDEST wide) and its row is set to as many
    lines as the text takes there; a column title narrower than its column wraps too."""
    out = io.BytesIO()
    book = Book(out, title="Test", reference="T/1")
    sheet = book.sheet("S", header_rows=(0, 0))
    sheet.header(0, ["Derivation or assumption", "Basis of the rate value used"])
    long = "Formula: 184000 / 20 / 6 * 0.8220; " * 12
    sheet.text(1, 0, long)
    sheet.text(1, 1, "derived")
    sheet.finish()
    book.close()
    ws = openpyxl.load_workbook(io.BytesIO(out.getvalue()))["S"]
    width = ws.column_dimensions["A"].width
    assert ws.cell(2, 1).alignment.wrap_text and ws.cell(2, 1).alignment.horizontal == "left"
    assert ws.row_dimensions[2].height == LINE_HEIGHT * wrapped_lines(long, width) > LINE_HEIGHT
    assert wrapped_lines(long, width) >= text_pixels(long) / (width * UNIT_PIXELS)
    title, narrow = "Basis of the rate value used", ws.column_dimensions["B"].width
    assert narrow < len(title)
    lines = wrapped_lines(title, narrow, bold=True)
    assert ws.row_dimensions[1].height == LINE_HEIGHT * lines > LINE_HEIGHT
