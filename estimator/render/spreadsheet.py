"""A spreadsheet as plain cells, written as the SpreadsheetML openpyxl 3.1 writes for them.

openpyxl makes an object per cell and, to save, an XML element per cell, and writes the
stylesheet, the theme and the package parts anew for every workbook: 13 ms for an estimate's
four sheets, where openpyxl's smallest workbook takes 5. A ``Book`` keeps its sheets' cells as
plain values (``Sheet``) and writes each as the XML openpyxl writes for it; openpyxl itself
writes the stylesheet (once for each set of styles: workbooks share a few) and, once per process
and set of sheets, everything the cells do not change (``_frame``). The bytes are openpyxl's:
tests/test_spreadsheet.py has openpyxl save the same cells and compares.

Same cells, same bytes: the document and its zip entries carry a fixed date (``FIXED_TIME``).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.compat import safe_string
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.styles.numbers import BUILTIN_FORMATS_MAX_SIZE, BUILTIN_FORMATS_REVERSE
from openpyxl.styles.stylesheet import write_stylesheet
from openpyxl.utils import absolute_coordinate, get_column_letter, quote_sheetname
from openpyxl.utils.datetime import to_excel
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter
from openpyxl.xml.functions import tostring

from estimator.render import stablezip
from estimator.render.xmltext import NOT_XML, xml_text

# -- sizes and styles -------------------------------------------------------------------------

FIXED_TIME = dt.datetime(2000, 1, 1)
"""The document and zip-entry timestamp of every workbook: same input, same bytes."""
ZIP_TIME: stablezip.DateTime = (2000, 1, 1, 0, 0, 0)
"""FIXED_TIME, as a zip entry's date."""

DATE_FORMAT = "yyyy-mm-dd"
MAX_TEXT = 32_767
"""The most characters a spreadsheet cell holds."""
MAX_WIDTH = 60
LINE_HEIGHT = 15
"""Points per line of wrapped text (11-point Calibri)."""
FORMULA_WIDTH = 14

BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
HEADER_BORDER = Border(bottom=Side(style="thin"))
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="bottom")
LEFT_TOP = Alignment(horizontal="left", vertical="top")


# -- styles -----------------------------------------------------------------------------------
#
# A cell's style is what openpyxl keeps in a StyleArray: nine numbers, most of them indices into
# the workbook's lists of fonts, fills, borders, number formats and alignments. The lists grow
# in the order styles are first used, and openpyxl numbers the cell formats of styles.xml in the
# order cells are written. Styles are added below in the order openpyxl adds them when a new
# cell is styled one assignment at a time (number format, alignment, font, fill, border), as
# the workbooks were once made: the same cells, made in the same order, keep the same styles.xml
# and the same style indices.

Style = tuple[int, ...]
"""A cell's style as openpyxl's StyleArray holds it: font, fill, border, number format,
protection and alignment indices, pivot button, quote prefix, named style."""
PLAIN: Style = (0, 0, 0, 0, 0, 0, 0, 0, 0)
"""No style: openpyxl does not write an empty cell that has none."""


class StyleLists:
    """A workbook's fonts, fills, borders, alignments and number formats, and the style of each
    kind of cell made here.

    The lists are an openpyxl workbook's (``StyleLists.of``) or new lists that start as a new
    openpyxl workbook's do (``StyleLists.new``).
    """

    def __init__(
        self, fonts: Any, fills: Any, borders: Any, alignments: Any, number_formats: Any
    ) -> None:
        self.fonts = fonts
        self.fills = fills
        self.borders = borders
        self.alignments = alignments
        self.number_formats = number_formats
        self._styles: dict[tuple[str, str, Font | None], Style] = {}
        self._wrap_id: int | None = None
        self._header_fill: dict[int, bool] = {}
        self._wraps: dict[int, bool] = {}

    @classmethod
    def of(cls, wb: Workbook) -> StyleLists:
        """The lists of an openpyxl workbook (shared, not copied)."""
        return cls(wb._fonts, wb._fills, wb._borders, wb._alignments, wb._number_formats)

    @classmethod
    def new(cls) -> StyleLists:
        """New lists, holding what a new openpyxl workbook's hold (its defaults)."""
        return cls(*(IndexedList(items) for items in _style_defaults()))

    def contents(self) -> tuple[tuple[Any, ...], ...]:
        """The lists' contents, in the order StyleLists takes them."""
        lists = (self.fonts, self.fills, self.borders, self.alignments, self.number_formats)
        return tuple(tuple(items) for items in lists)

    def style(self, kind: str, number_format: str = "", font: Font | None = None) -> Style:
        """The style of a new cell of a kind, in a number format, in a font if one is given.

        Kinds: 'text', 'bold', 'wrap' (wrapped text), 'header' (a column title: bold, shaded,
        underlined, wrapped), 'header-empty' (an empty column title), 'number', 'number-left'
        (a number aligned left) and 'formula'.
        """
        key = (kind, number_format, font)
        style = self._styles.get(key)
        if style is None:
            style = self._styles[key] = self._add(kind, number_format, font)
        return style

    def _add(self, kind: str, number_format: str, font: Font | None) -> Style:
        """A kind's style, its parts added to the lists as openpyxl adds them (see above)."""
        font_id = fill_id = border_id = format_id = alignment_id = 0
        if kind in ("number", "formula", "number-left"):
            builtin = BUILTIN_FORMATS_REVERSE.get(number_format)
            format_id = (
                builtin
                if builtin is not None
                else self.number_formats.add(number_format) + BUILTIN_FORMATS_MAX_SIZE
            )
        if kind != "header-empty":
            alignment_id = self.alignments.add(TOP)
        if kind in ("bold", "header"):
            font_id = self.fonts.add(BOLD)
        if kind in ("header", "header-empty"):
            fill_id = self.fills.add(HEADER_FILL)
            border_id = self.borders.add(HEADER_BORDER)
            alignment_id = self.alignments.add(HEADER_ALIGNMENT)
        elif kind == "wrap":
            alignment_id = self.alignments.add(WRAP)
        elif kind == "number-left":
            alignment_id = self.alignments.add(LEFT_TOP)
        if font is not None:
            font_id = self.fonts.add(font)
        return (font_id, fill_id, border_id, format_id, 0, alignment_id, 0, 0, 0)

    @staticmethod
    def quoted(style: Style) -> Style:
        """The style with the quote prefix, which keeps a text starting with = + - @ text when
        the cell is edited."""
        return (*style[:7], 1, *style[8:])

    def wrapped(self, style: Style) -> Style:
        """The style with its text wrapped (the WRAP alignment)."""
        if self._wrap_id is None:
            self._wrap_id = self.alignments.add(WRAP)
        return (*style[:5], self._wrap_id, *style[6:])

    def is_header(self, style: Style) -> bool:
        """Whether the style has the fill of column titles."""
        fill_id = style[1]
        header = self._header_fill.get(fill_id)
        if header is None:
            fill = self.fills[fill_id]
            header = self._header_fill[fill_id] = fill.fgColor.rgb == HEADER_FILL.fgColor.rgb
        return header

    def wraps(self, style: Style) -> bool:
        """Whether the style's alignment wraps text."""
        alignment_id = style[5]
        wraps = self._wraps.get(alignment_id)
        if wraps is None:
            wraps = self._wraps[alignment_id] = bool(self.alignments[alignment_id].wrap_text)
        return wraps


# -- cell contents ----------------------------------------------------------------------------


def clean_text(value: str) -> str:
    """Text a cell can hold: what XML cannot hold shown as U+FFFD, at most 32,767 characters."""
    text = xml_text(value)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


FORMULA_STARTS = ("=", "+", "-", "@")
"""What text cannot start with and stay text when the cell is edited (without a quote prefix)."""


def number_format_for(value: Decimal | int, minimum_decimals: int = 0) -> str:
    """A number format that shows every decimal the value has (and at least the minimum)."""
    decimals = 0
    if isinstance(value, Decimal):
        exponent = value.normalize().as_tuple().exponent
        decimals = max(0, -exponent) if isinstance(exponent, int) else 0
    decimals = min(max(decimals, minimum_decimals), 12)
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def _width(data_type: str, value: Any) -> int:
    if value is None:
        return 0
    if data_type == "f":
        return FORMULA_WIDTH
    if isinstance(value, str):
        return max(len(line) for line in value.splitlines() or [""]) + 1
    if isinstance(value, dt.date):
        return 11
    if isinstance(value, Decimal | int):
        return len(f"{value:,}") + 2
    return len(str(value)) + 1


def wrapped_lines(text: str, width: float) -> int:
    """How many lines a text takes when wrapped at word boundaries in a column this wide."""
    room = max(1, int(width) - 1)
    count = 0
    for paragraph in text.splitlines() or [""]:
        lines, used = 1, 0
        for word in paragraph.split():
            if used and used + 1 + len(word) > room:
                lines, used = lines + 1, len(word)
            else:
                used += len(word) + (1 if used else 0)
            while used > room:  # a word longer than the column breaks anywhere
                lines, used = lines + 1, used - room
        count += lines
    return count


# -- openpyxl's own save ----------------------------------------------------------------------


def _saved_files(wb: Workbook) -> dict[str, bytes]:
    """The files of the .xlsx openpyxl saves for a workbook, in its order, with FIXED_TIME as
    the document's created and modified dates (its save would write the time of saving)."""
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.properties.creator = "finimpact"
    wb.properties.lastModifiedBy = "finimpact"
    saved = io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(saved, "w")).save()
    with zipfile.ZipFile(saved) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def workbook_bytes(wb: Workbook) -> bytes:
    """An openpyxl workbook as .xlsx bytes, the same for the same content: the files openpyxl
    saves, each zipped with FIXED_TIME as its date (stablezip). What Book.xlsx must write for
    the same cells (tests/test_spreadsheet.py)."""
    return stablezip.archive(
        stablezip.deflated(name, data, ZIP_TIME) for name, data in _saved_files(wb).items()
    )


# -- the workbook as plain cells ----------------------------------------------------------------

Entry = tuple[str, Any, Style]
"""A cell: its data type as openpyxl has it ('s' text, 'n' number, 'f' formula, 'd' date), its
value (None for an empty cell) and its style."""
EMPTY: Entry = ("n", None, PLAIN)


@dataclass(frozen=True)
class SheetLayout:
    """What a sheet has whatever its cells: title, frozen panes, print settings."""

    title: str
    frozen_at: str
    """The top-left cell of the pane that scrolls."""
    title_rows: str | None = None
    """The rows printed at the top of every page ('1:1')."""
    paper_size: str = Worksheet.PAPERSIZE_A4

    def apply(self, ws: Worksheet) -> None:
        """Give an openpyxl worksheet this layout."""
        ws.title = self.title
        ws.freeze_panes = self.frozen_at
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = self.paper_size
        ws.page_setup.fitToWidth = 1  # fitted to the page width, as many pages tall as needed
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        if self.title_rows:
            ws.print_title_rows = self.title_rows


class Sheet:
    """A worksheet as plain cells, each made once (text, number, formula, date, header...),
    with its merged ranges, sizes and filter; ``xml`` writes it as openpyxl writes a worksheet
    holding the same cells."""

    def __init__(self, layout: SheetLayout, styles: StyleLists) -> None:
        self.layout = layout
        self.title = layout.title
        self.styles = styles
        self.cells: dict[tuple[int, int], Entry] = {}
        self.merges: list[tuple[int, int, int, int]] = []
        """Merged ranges, in the order they were merged: first row and column, last row and
        column."""
        self.widths: dict[int, int] = {}
        """Column widths by column number."""
        self.heights: dict[int, int] = {}
        """Row heights by row number (points)."""
        self.auto_filter: str | None = None
        """The range of the autofilter ('A1:E9'), if the sheet has one."""

    def text(
        self, row: int, col: int, value: str | None, kind: str = "text", font: Font | None = None
    ) -> None:
        """Text that stays text whatever it is: '=HYPERLINK(...)' or '+41 22' is a string, and
        one starting with = + - @ gets the quote prefix, so that editing the cell in Excel or
        LibreOffice keeps it text. Styled as kind: 'text', 'bold', 'wrap' or 'header'
        (StyleLists.style); cleaned by clean_text."""
        if value is None or value == "":
            if kind == "header":  # an empty column title is shaded and underlined all the same
                self.cells[(row, col)] = ("n", None, self.styles.style("header-empty"))
            else:
                self.empty(row, col)
            return
        text = clean_text(value)
        style = self.styles.style(kind, font=font)
        if text.startswith(FORMULA_STARTS):
            style = self.styles.quoted(style)
        self.cells[(row, col)] = ("s", text, style)

    def number(
        self,
        row: int,
        col: int,
        value: Decimal | int,
        number_format: str | None = None,
        kind: str = "number",
    ) -> None:
        """A number, never a float on the way in (Decimal or int), in a number format (by
        default one that shows every decimal it has). Kind 'number', or 'number-left' (aligned
        left)."""
        style = self.styles.style(kind, number_format or number_format_for(value))
        self.cells[(row, col)] = ("n", value, style)

    def formula(
        self, row: int, col: int, formula: str, number_format: str, font: Font | None = None
    ) -> None:
        """A formula written by finimpact (never built from user text), in its number format
        and in a font if one is given."""
        if not formula.startswith("="):
            raise ValueError(f"not a formula: {formula!r}")
        self.cells[(row, col)] = ("f", formula, self.styles.style("formula", number_format, font))

    def date(self, row: int, col: int, value: dt.date) -> None:
        """A date, shown as yyyy-mm-dd."""
        self.cells[(row, col)] = ("d", value, self.styles.style("number", DATE_FORMAT))

    def header(self, row: int, titles: Sequence[str], first_col: int = 1) -> None:
        """Column titles: bold, shaded, wrapped, underlined."""
        for i, title in enumerate(titles):
            self.text(row, first_col + i, title, "header")

    def empty(self, row: int, col: int) -> None:
        """A cell with nothing in it, if there is none: it counts in the sheet's dimension."""
        self.cells.setdefault((row, col), EMPTY)

    def merge_across(self, row: int, first_col: int, last_col: int) -> None:
        """The cells of one row from first_col to last_col merged: the range, and an empty
        cell in each other column, as openpyxl's merge_cells makes them when the first cell has
        no border (it would give them its border)."""
        self.merges.append((row, first_col, row, last_col))
        for col in range(first_col + 1, last_col + 1):
            self.cells[(row, col)] = EMPTY

    def fit_widths(
        self, minimum: int = 6, maximum: int = MAX_WIDTH, skip_rows: Iterable[int] = ()
    ) -> None:
        """Column widths that fit their content, up to a maximum; a longer text wraps.

        Column titles (``header``) wrap at word boundaries, so they ask only for their longest
        word, and a row is made tall enough for its wrapped texts. ``skip_rows`` are rows whose
        text may overflow into empty neighbours (sheet titles).
        """
        skipped = set(skip_rows)
        cells, styles = self.cells, self.styles
        widths: dict[int, int] = {}
        wrapped: list[tuple[int, int, str]] = []  # row, column, text
        for key in sorted(cells):  # row by row: a text is wrapped in the order it comes
            data_type, value, style = cells[key]
            if value is None:
                continue
            row, col = key
            if row not in skipped:
                if styles.is_header(style):
                    title = str(value)
                    longest = max(len(word) for word in title.split() or [""])
                    width = min(len(title), max(longest, 12)) + 2
                else:
                    width = _width(data_type, value)
                    if data_type == "s" and width > maximum:
                        style = styles.wrapped(style)
                        cells[key] = (data_type, value, style)
                widths[col] = max(widths.get(col, minimum), min(width, maximum))
            if isinstance(value, str) and styles.wraps(style):
                wrapped.append((row, col, value))
        self._rows_from_a1()
        lines: dict[int, int] = {}
        for row, col, text in wrapped:
            lines[row] = max(lines.get(row, 1), wrapped_lines(text, widths.get(col, minimum)))
        self.widths.update(widths)
        self.heights.update({row: LINE_HEIGHT * n for row, n in lines.items() if n > 1})

    def texts_in_column_a(self, first_row: int) -> list[str]:
        """The texts of column A from a row down, as openpyxl's ws["A"] reads them."""
        self._rows_from_a1()
        values = (self.cells[(row, 1)][1] for row in range(first_row, self._last_row() + 1))
        return [value for value in values if isinstance(value, str)]

    def _rows_from_a1(self) -> None:
        """A cell in column A of every row from 1 to the last, as openpyxl's ws.iter_rows()
        (fit_widths) and ws["A"] made them: every row shows in the file, empty or not, and the
        sheet's dimension starts at A1."""
        if self.cells:
            for row in range(1, self._last_row() + 1):
                self.empty(row, 1)

    def _last_row(self) -> int:
        return max(row for row, _ in self.cells) if self.cells else 1

    def xml(self, frame: tuple[str, str, str], cell_styles: dict[Style, int]) -> str:
        """The sheet's XML as openpyxl's WorksheetWriter writes it, around the frame's parts
        (what comes before the dimension, between it and the columns, after the merged cells).

        cell_styles numbers the styles in the order cells are written, from sheet to sheet, as
        openpyxl numbers the cell formats of styles.xml; a style new to it is added.
        """
        head, views, tail = frame
        cells = self.cells
        columns: dict[int, list[int]] = {row: [] for row in self.heights}
        for row, col in cells:
            columns.setdefault(row, []).append(col)
        if cells:
            first_col = min(min(cols) for cols in columns.values() if cols)
            last_col = max(max(cols) for cols in columns.values() if cols)
            rows = [row for row, cols in columns.items() if cols]
            dimension = (
                f"{get_column_letter(first_col)}{min(rows)}:"
                f"{get_column_letter(last_col)}{max(rows)}"
            )
        else:
            dimension = "A1:A1"
        out = [head, f'<dimension ref="{dimension}"/>', views]
        if self.widths:
            out.append("<cols>")
            for col, width in sorted(self.widths.items()):
                width_text = safe_string(float(width))
                out.append(f'<col width="{width_text}" customWidth="1" min="{col}" max="{col}"/>')
            out.append("</cols>")
        out.append("<sheetData>")
        for row in sorted(columns):
            height = self.heights.get(row)
            if height is None:
                out.append(f'<row r="{row}">')
            else:
                out.append(f'<row r="{row}" ht="{safe_string(float(height))}" customHeight="1">')
            for col in sorted(columns[row]):
                data_type, value, style = cells[(row, col)]
                if style == PLAIN:
                    if value is None:
                        continue  # openpyxl leaves out an empty cell without a style
                    start = f'<c r="{get_column_letter(col)}{row}"'
                else:
                    xf = cell_styles.setdefault(style, len(cell_styles))
                    start = f'<c r="{get_column_letter(col)}{row}" s="{xf}"'
                out.append(_cell_xml(start, data_type, value))
            out.append("</row>")
        out.append("</sheetData>")
        if self.auto_filter:
            out.append(f'<autoFilter ref="{self.auto_filter}"/>')
        if self.merges:
            # openpyxl keeps merged ranges in a set, each hashed as this tuple of its bounds:
            # the same ranges added in the same order come out in the same order.
            ranges: set[tuple[int, int, int, int]] = set()
            for merge in self.merges:
                ranges.add(merge)
            out.append(f'<mergeCells count="{len(ranges)}">')
            for min_row, min_col, max_row, max_col in ranges:
                ref = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{max_row}"
                out.append(f'<mergeCell ref="{ref}"/>')
            out.append("</mergeCells>")
        out.append(tail)
        return "".join(out)


def _cell_xml(start: str, data_type: str, value: Any) -> str:
    """A cell's element as openpyxl's lxml_write_cell writes it, from '<c r=".." s=".."' on."""
    if value is None:
        type_attribute = _TYPE_ATTRIBUTE.get(data_type, f' t="{data_type}"')
        return f"{start}{type_attribute}></c>"
    if data_type == "s":
        space = ' xml:space="preserve"' if value != value.strip() else ""
        return f'{start} t="inlineStr"><is><t{space}>{_escape(value)}</t></is></c>'
    if data_type == "f":
        return f"{start}><f>{_escape(value[1:])}</f><v></v></c>"
    if data_type == "d":
        return f'{start} t="n"><v>{safe_string(to_excel(value))}</v></c>'
    return f'{start} t="{data_type}"><v>{safe_string(value)}</v></c>'


_TYPE_ATTRIBUTE = {"s": ' t="inlineStr"', "f": "", "d": ' t="n"'}


def _escape(text: str) -> str:
    """Text as lxml writes it in an element (other than ASCII characters: see _encode)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


def _encode(xml: str) -> bytes:
    """XML text as openpyxl's lxml writes it: ASCII, any other character as a reference.

    Like lxml, a character XML cannot hold is refused: text from a proposal has been through
    clean_text, so this only guards against a bug.
    """
    if NOT_XML.search(xml):
        raise ValueError(
            "All strings must be XML compatible: Unicode or ASCII, no control characters"
        )
    return xml.encode("ascii", "xmlcharrefreplace")


class Book:
    """A workbook being built: its sheets (one for each layout, in their order) as plain cells,
    their styles and the defined names; ``xlsx()`` writes it as openpyxl would."""

    def __init__(self, layouts: Sequence[SheetLayout]) -> None:
        self.layouts = tuple(layouts)
        self.styles = StyleLists.new()
        self.sheets = {layout.title: Sheet(layout, self.styles) for layout in self.layouts}
        self.names: dict[str, str] = {}
        """Workbook-wide defined names and what they refer to ("'Rates'!$B$3")."""

    def define_name(self, name: str, sheet: Sheet, ref: str) -> None:
        """A workbook-wide name for a cell or range of a sheet ('$E$8' or '$A$2:$A$9')."""
        self.names[name] = f"{quote_sheetname(sheet.title)}!{ref}"

    def xlsx(self) -> bytes:
        """The workbook as .xlsx bytes: what workbook_bytes writes for the same workbook."""
        frame = _frame(self.layouts)
        cell_styles: dict[Style, int] = {PLAIN: 0}
        written: dict[str, bytes] = {}
        for i, (sheet, pieces) in enumerate(zip(self.sheets.values(), frame.sheets, strict=True)):
            written[_sheet_part(i)] = _encode(sheet.xml(pieces, cell_styles))
        written[_STYLES_PART] = _stylesheet(self.styles.contents(), tuple(cell_styles))
        head, tail = frame.workbook
        written[_WORKBOOK_PART] = _encode(head + self._defined_names(frame) + tail)
        return stablezip.archive(
            stablezip.deflated(entry, written[entry], ZIP_TIME) if isinstance(entry, str) else entry
            for entry in frame.entries
        )

    def _defined_names(self, frame: _Frame) -> str:
        """The definedName elements, as openpyxl's WorkbookWriter writes them: the workbook's
        names, then each sheet's filter and print titles."""
        names = [
            f'<definedName name="{name}">{_escape(value)}</definedName>'
            for name, value in self.names.items()
        ]
        for i, (sheet, titles) in enumerate(
            zip(self.sheets.values(), frame.print_titles, strict=True)
        ):
            if sheet.auto_filter:
                where = f"{quote_sheetname(sheet.title)}!{absolute_coordinate(sheet.auto_filter)}"
                names.append(
                    f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
                    f"{_escape(where)}</definedName>"
                )
            if titles:
                names.append(
                    f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">'
                    f"{_escape(titles)}</definedName>"
                )
        return "".join(names)


def _sheet_part(index: int) -> str:
    """The zip entry of the sheet at this index (from 0), as openpyxl names it."""
    return f"xl/worksheets/sheet{index + 1}.xml"


_STYLES_PART = "xl/styles.xml"
_WORKBOOK_PART = "xl/workbook.xml"


@dataclass(frozen=True)
class _Frame:
    """What openpyxl writes for a workbook of sheets of some layouts when they have no cell."""

    entries: tuple[str | stablezip.Entry, ...]
    """The zip's entries in openpyxl's order: those the cells do not change, deflated once;
    the names of those they make (the sheets, the stylesheet and the workbook part)."""
    sheets: tuple[tuple[str, str, str], ...]
    """Each sheet's XML before its dimension, between the dimension and the cells, after the
    cells (and the filter and merged cells, which it has not)."""
    workbook: tuple[str, str]
    """The workbook part up to its defined names, and after them."""
    print_titles: tuple[str, ...]
    """Each sheet's print titles, as its defined name refers to them ('' if none)."""


@functools.lru_cache(maxsize=4)
def _frame(layouts: tuple[SheetLayout, ...]) -> _Frame:
    """The frame of a workbook of sheets of these layouts, from the workbook openpyxl saves
    with these sheets and no cell; remembered, keyed by the layouts' values."""
    wb = Workbook()
    sheets = [wb.active, *(wb.create_sheet() for _ in layouts[1:])]
    for ws, layout in zip(sheets, layouts, strict=True):
        layout.apply(ws)
    wb.calculation.fullCalcOnLoad = True
    print_titles = tuple(ws.print_titles or "" for ws in sheets)
    parts = _saved_files(wb)
    sheet_parts = [_sheet_part(i) for i in range(len(layouts))]
    variable = {*sheet_parts, _STYLES_PART, _WORKBOOK_PART}
    if not variable <= parts.keys():
        raise RuntimeError(f"openpyxl did not write the parts {sorted(variable - parts.keys())}")
    head, _, tail = _cut(parts[_WORKBOOK_PART].decode(), "<definedNames>", "</definedNames>")
    return _Frame(
        entries=tuple(
            name if name in variable else stablezip.deflated(name, data, ZIP_TIME)
            for name, data in parts.items()
        ),
        sheets=tuple(
            _cut(parts[part].decode(), '<dimension ref="A1:A1"/>', "<sheetData></sheetData>")
            for part in sheet_parts
        ),
        workbook=(head + "<definedNames>", "</definedNames>" + tail),
        print_titles=print_titles,
    )


@functools.cache
def _style_defaults() -> tuple[tuple[Any, ...], ...]:
    """A new openpyxl workbook's fonts, fills, borders, alignments and number formats (the
    same objects for every Book: _stylesheet remembers stylesheets by their identity)."""
    return StyleLists.of(Workbook()).contents()


def _cut(text: str, first: str, second: str) -> tuple[str, str, str]:
    """The text before first, between first and second, after second."""
    before, found, rest = text.partition(first)
    between, found_too, after = rest.partition(second)
    if not (found and found_too):
        raise RuntimeError(f"openpyxl did not write {first}...{second} as expected")
    return before, between, after


_STYLESHEETS: dict[Any, tuple[tuple[tuple[Any, ...], ...], bytes]] = {}
"""styles.xml by style lists and cell formats (see _stylesheet), with the lists."""


def _stylesheet(lists: tuple[tuple[Any, ...], ...], cell_styles: tuple[Style, ...]) -> bytes:
    """styles.xml as openpyxl writes it for these style lists (StyleLists.contents) and these
    cell formats in this order, remembered (the 2,000 proposals of the benchmark have 26).

    Remembered by the identity of the fonts, fills, borders and alignments, as hashing them
    would take longer than writing a sheet (they are never changed, and an entry keeps them, so
    no other object has their identity while it is remembered); by the number formats' text.
    """
    *objects, number_formats = lists
    key = (tuple(tuple(map(id, items)) for items in objects), number_formats, cell_styles)
    remembered = _STYLESHEETS.get(key)
    if remembered is None:
        if len(_STYLESHEETS) >= 256:
            _STYLESHEETS.clear()
        wb = Workbook()
        (wb._fonts, wb._fills, wb._borders, wb._alignments, wb._number_formats) = (
            IndexedList(items) for items in lists
        )
        wb._cell_styles = IndexedList(StyleArray(style) for style in cell_styles)
        remembered = _STYLESHEETS[key] = (lists, bytes(tostring(write_stylesheet(wb))))
    return remembered[1]
