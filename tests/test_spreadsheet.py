"""A Book's cells are written as the SpreadsheetML openpyxl writes for the same cells.

estimator.render.spreadsheet writes the sheets' XML, the defined names and the zip itself, and has
openpyxl write the stylesheet and the parts cells do not change. The reference is openpyxl's own
save of a workbook given the same cells, styles, merges, sizes, filters and names (``in_openpyxl``):
the bytes must be the same, for awkward cells and for any cells hypothesis draws.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.styles import Font
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from estimator.render.spreadsheet import BOLD, Book, Sheet, SheetLayout, workbook_bytes

LAYOUTS = (
    SheetLayout("Notes", "A2"),
    SheetLayout("Figures", "C2", "1:1", Worksheet.PAPERSIZE_A3),
    SheetLayout("It's quoted", "B3", "2:2"),  # its name is quoted in references: 'It''s quoted'
)
TITLE = Font(bold=True, size=14)


def in_openpyxl(book: Book) -> Workbook:
    """The book made cell by cell in openpyxl: its styles, cells, merges, sizes and names."""
    wb = Workbook()
    (wb._fonts, wb._fills, wb._borders, wb._alignments, wb._number_formats) = (
        IndexedList(items) for items in book.styles.contents()
    )
    for i, sheet in enumerate(book.sheets.values()):
        ws = wb.active if i == 0 else wb.create_sheet()
        sheet.layout.apply(ws)
        merged = {(r, c) for r, first, _, last in sheet.merges for c in range(first + 1, last + 1)}
        for (row, col), (data_type, value, style) in sheet.cells.items():
            if (row, col) not in merged:  # merge_cells makes those
                cell = ws.cell(row=row, column=col)
                cell._value, cell.data_type, cell._style = value, data_type, StyleArray(style)
        for first_row, first_col, last_row, last_col in sheet.merges:
            ws.merge_cells(
                start_row=first_row, start_column=first_col, end_row=last_row, end_column=last_col
            )
        for col, width in sheet.widths.items():
            ws.column_dimensions[get_column_letter(col)].width = width
        for row, height in sheet.heights.items():
            ws.row_dimensions[row].height = height
        if sheet.auto_filter:
            ws.auto_filter.ref = sheet.auto_filter
    for name, refers_to in book.names.items():
        wb.defined_names[name] = DefinedName(name, attr_text=refers_to)
    wb.calculation.fullCalcOnLoad = True
    return wb


def test_awkward_cells_are_what_openpyxl_writes_for_them() -> None:
    book = Book(LAYOUTS)
    notes, figures, quoted = book.sheets.values()
    texts = [
        " leading space",
        "trailing space\t",
        "a & b < c > d \"e\" 'f' ]]>",
        "line\r\nbreak",
        "accents é, dash –, emoji 😀, combining e\u0301, line separator \u2028",
        "=1+1",
        "-2",
        "x" * 200,
        "words " * 40,
        "bell\u0007",
        "\ufffe and \uffff",
        "y" * 40_000,  # cut to what a cell holds
    ]
    notes.text(1, 1, "Title", font=TITLE)
    for row, text in enumerate(texts, start=2):
        notes.text(row, 1, text, "bold")
        notes.text(row, 2, text, "wrap")
        notes.merge_across(row, 2, 3)
        figures.text(row, 1, text)
        figures.number(row, 2, Decimal(row) / 7, "#,##0.000")
        figures.formula(row, 3, f'=IF(B{row}<1,"<1 & more",B{row})', "0.00")
    figures.header(1, ["A column title that wraps", "", "Formula"])
    numbers = [0, -1, 2**53 + 1, 10**17, Decimal("0.1"), Decimal("-123456789.123456789")]
    numbers += [Decimal("-0"), Decimal("1E+30"), Decimal("1E-30"), Decimal("0E-10")]
    for col, number in enumerate(numbers, start=1):
        figures.number(20, col, number)
        figures.number(21, col, number, "0", "number-left")
    figures.date(22, 1, dt.date(1900, 1, 1))
    figures.date(22, 2, dt.date(1900, 3, 1))
    figures.date(22, 3, dt.date(2024, 2, 29))
    figures.empty(30, 40)
    figures.auto_filter = "A1:C11"
    figures.fit_widths(maximum=45, skip_rows=[20])
    notes.heights[40] = 45  # a row with a height and no cell
    quoted.text(1, 1, "On a sheet whose name needs quotes")
    quoted.auto_filter = "A1:A3"
    book.define_name("Numbers", figures, "$A$20:$F$20")
    book.define_name("Quoted", quoted, "$A$1")
    assert book.xlsx() == workbook_bytes(in_openpyxl(book))


def test_a_book_without_cells_is_what_openpyxl_writes() -> None:
    book = Book(LAYOUTS)
    assert book.xlsx() == workbook_bytes(in_openpyxl(book))


_TEXTS = st.text(
    st.sampled_from(["a", "Z", " ", "\t", "\n", "\r", "&", "<", ">", "é", "\u00a0", "\u2028"])
    | st.characters(),  # any character, those XML cannot hold too (shown as U+FFFD)
    max_size=60,
)
_NUMBERS = st.integers(-(10**15), 10**15) | st.decimals(
    min_value=-(10**15), max_value=10**15, allow_nan=False, places=None
)
_FORMATS = st.sampled_from(["#,##0", "#,##0.00", "0", "0.00##%", "yyyy-mm-dd", '"x"0;[Red]-0'])
_WHERE = st.tuples(st.integers(1, 30), st.integers(1, 8))


@st.composite
def _sheet_cells(draw: st.DrawFn, sheet: Sheet) -> None:
    """Draw cells of every kind into the sheet, some merged, perhaps fitted."""
    for _ in range(draw(st.integers(0, 25))):
        row, col = draw(_WHERE)
        kind = draw(st.sampled_from(["text", "number", "formula", "date", "header", "empty"]))
        if kind == "text":
            style = draw(st.sampled_from(["text", "bold", "wrap", "header"]))
            sheet.text(row, col, draw(_TEXTS), style, draw(st.sampled_from([None, TITLE])))
        elif kind == "number":
            number_format = draw(st.none() | _FORMATS)
            style = draw(st.sampled_from(["number", "number-left"]))
            sheet.number(row, col, draw(_NUMBERS), number_format, style)
        elif kind == "formula":
            sheet.formula(row, col, f'=SUM(A1:B{row})&"<{col}>"', draw(_FORMATS), font=BOLD)
        elif kind == "date":
            sheet.date(row, col, draw(st.dates(dt.date(1900, 1, 1), dt.date(2200, 12, 31))))
        elif kind == "header":
            sheet.header(row, draw(st.lists(_TEXTS, min_size=1, max_size=3)), col)
        else:
            sheet.empty(row, col)
    for row in draw(st.sets(st.integers(31, 40), max_size=3)):  # rows of their own
        sheet.text(row, 2, draw(_TEXTS), "wrap")
        sheet.merge_across(row, 2, 2 + draw(st.integers(1, 3)))
    for row in draw(st.sets(st.integers(1, 45), max_size=3)):
        sheet.heights[row] = 30
    if draw(st.booleans()):
        sheet.fit_widths(maximum=draw(st.sampled_from([10, 45, 60])), skip_rows=[1])
    if draw(st.booleans()):
        sheet.auto_filter = "A1:H30"


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_any_cells_are_what_openpyxl_writes_for_them(data: st.DataObject) -> None:
    book = Book(LAYOUTS)
    for sheet in book.sheets.values():
        data.draw(_sheet_cells(sheet))
    if data.draw(st.booleans()):
        book.define_name("Somewhere", book.sheets["Figures"], "$B$2:$B$9")
    assert book.xlsx() == workbook_bytes(in_openpyxl(book))
