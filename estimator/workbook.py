"""The workbook: the estimate as live formulas a budget officer can audit and change.

Four sheets. **Workings** has one row per cost line; its rate is a formula naming a cell of
**Rates** (a defined name such as ``R_interpretation_2023``), its escalation factor a formula
over the card's yearly escalation (the defined name ``Escalation``) and the years, its amount
``ROUND(quantity × rate × escalation, 2)``. **Summary** totals the Workings with SUMIFS, so
changing one rate on the Rates sheet recomputes every line and total. **Proposal** lists the
activities as entered.

Python computes the estimate in Decimal; the workbook reproduces each line to the cent with
the same rule (ROUND in Excel and LibreOffice rounds half away from zero).

How it is written: the sheets are built as plain cells (``Book``, ``Sheet``) and written as the
SpreadsheetML openpyxl writes for them, byte for byte; openpyxl writes the stylesheet and, once
per process, the parts no estimate changes (see ``Book``). ``clean_text`` is also the rule of
the batch report's workbook for text.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
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

from cost_models.elemental import ELEMENTS
from estimator import __version__, stablezip
from estimator.estimate import CostLine, Estimate
from estimator.money import ROUNDING_RULE
from estimator.xmltext import NOT_XML, xml_text

# -- reusable pieces --------------------------------------------------------------------------

FIXED_TIME = dt.datetime(2000, 1, 1)
"""The document and zip-entry timestamp of every workbook: same input, same bytes."""
ZIP_TIME: stablezip.DateTime = (2000, 1, 1, 0, 0, 0)
"""FIXED_TIME, as a zip entry's date."""

MONEY_FORMAT = "#,##0.00"
YEAR_FORMAT = "0"
FACTOR_FORMAT = "0.00000000"
PERCENT_FORMAT = "0.00##%"
DATE_FORMAT = "yyyy-mm-dd"
MAX_TEXT = 32_767
"""The most characters a spreadsheet cell holds."""
MAX_WIDTH = 60
LINE_HEIGHT = 15
"""Points per line of wrapped text (11-point Calibri)."""
FORMULA_WIDTH = 14

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
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
# order cells are written. Styles are therefore added below in the order openpyxl adds them when
# a new cell is styled one assignment at a time (number format, alignment, font, fill, border):
# the same cells, made in the same order, have the same styles.xml and the same style indices.

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
        return cls(*(IndexedList(items) for items in _frame().style_defaults))

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
    the same cells (tests/test_workbook.py)."""
    return stablezip.archive(
        stablezip.deflated(name, data, ZIP_TIME) for name, data in _saved_files(wb).items()
    )


# -- the workbook as plain cells ----------------------------------------------------------------
#
# openpyxl makes an object per cell and, to save, an XML element per cell, and writes the
# stylesheet, the theme and the package parts anew for every workbook: 13 ms for a proposal's
# four sheets, where openpyxl's smallest workbook takes 5. A Book keeps the cells as plain
# values and writes each as the XML openpyxl writes for it; openpyxl writes the stylesheet (once
# for each set of styles: proposals share a few) and, once per process, everything that no
# estimate changes (_frame). tests/test_workbook.py builds the same cells in openpyxl and checks
# that openpyxl writes the same bytes.

Entry = tuple[str, Any, Style]
"""A cell: its data type as openpyxl has it ('s' text, 'n' number, 'f' formula, 'd' date), its
value (None for an empty cell) and its style."""
EMPTY: Entry = ("n", None, PLAIN)


@dataclass(frozen=True)
class SheetLayout:
    """What a sheet has whatever the estimate: title, frozen panes, print settings."""

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


RATES_HEADER_ROW = 7
LAYOUTS = (
    SheetLayout("Summary", "A2"),
    # eighteen columns: A3 keeps them readable
    SheetLayout("Workings", "C2", "1:1", Worksheet.PAPERSIZE_A3),
    SheetLayout("Rates", f"B{RATES_HEADER_ROW + 1}", f"{RATES_HEADER_ROW}:{RATES_HEADER_ROW}"),
    SheetLayout("Proposal", "A2", "1:1"),
)
"""The sheets of the workbook, in their order."""


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
    """The workbook being built: its four sheets (LAYOUTS) as plain cells, their styles and the
    defined names; ``xlsx()`` writes it as openpyxl would."""

    def __init__(self) -> None:
        self.styles = StyleLists.new()
        self.sheets = {layout.title: Sheet(layout, self.styles) for layout in LAYOUTS}
        self.names: dict[str, str] = {}
        """Workbook-wide defined names and what they refer to ("'Rates'!$B$3")."""

    def define_name(self, name: str, sheet: Sheet, ref: str) -> None:
        """A workbook-wide name for a cell or range of a sheet ('$E$8' or '$A$2:$A$9')."""
        self.names[name] = f"{quote_sheetname(sheet.title)}!{ref}"

    def xlsx(self) -> bytes:
        """The workbook as .xlsx bytes: what workbook_bytes writes for the same workbook."""
        frame = _frame()
        cell_styles: dict[Style, int] = {PLAIN: 0}
        written: dict[str, bytes] = {}
        for part, sheet, pieces in zip(
            _SHEET_PARTS, self.sheets.values(), frame.sheets, strict=True
        ):
            written[part] = _encode(sheet.xml(pieces, cell_styles))
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


_SHEET_PARTS = tuple(f"xl/worksheets/sheet{i}.xml" for i in range(1, len(LAYOUTS) + 1))
_STYLES_PART = "xl/styles.xml"
_WORKBOOK_PART = "xl/workbook.xml"


@dataclass(frozen=True)
class _Frame:
    """What openpyxl writes for the four sheets of LAYOUTS when they have no cell."""

    entries: tuple[str | stablezip.Entry, ...]
    """The zip's entries in openpyxl's order: those no estimate changes, deflated once; the
    names of those the cells make (the sheets, the stylesheet and the workbook part)."""
    sheets: tuple[tuple[str, str, str], ...]
    """Each sheet's XML before its dimension, between the dimension and the cells, after the
    cells (and the filter and merged cells, which it has not)."""
    workbook: tuple[str, str]
    """The workbook part up to its defined names, and after them."""
    print_titles: tuple[str, ...]
    """Each sheet's print titles, as its defined name refers to them ('' if none)."""
    style_defaults: tuple[tuple[Any, ...], ...]
    """A new workbook's fonts, fills, borders, alignments and number formats."""


@functools.cache
def _frame() -> _Frame:
    """The frame, from a workbook openpyxl saves: four sheets of LAYOUTS without cells."""
    wb = Workbook()
    defaults = StyleLists.of(wb).contents()
    sheets = [wb.active, *(wb.create_sheet() for _ in LAYOUTS[1:])]
    for ws, layout in zip(sheets, LAYOUTS, strict=True):
        layout.apply(ws)
    wb.calculation.fullCalcOnLoad = True
    print_titles = tuple(ws.print_titles or "" for ws in sheets)
    parts = _saved_files(wb)
    variable = {*_SHEET_PARTS, _STYLES_PART, _WORKBOOK_PART}
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
            for part in _SHEET_PARTS
        ),
        workbook=(head + "<definedNames>", "</definedNames>" + tail),
        print_titles=print_titles,
        style_defaults=defaults,
    )


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


# -- names of rates ---------------------------------------------------------------------------

ESCALATION_NAME = "Escalation"


def _name_part(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_") or "x"


@dataclass(frozen=True)
class RateRow:
    """One value on the Rates sheet: a dated card value, or an amount a proposal states."""

    name: str
    rate_id: str
    label: str
    unit: str
    value: Decimal
    from_: dt.date | None
    source: str
    basis: str
    explanation: str
    """The derivation (formula and words) or assumption of a card value; for a stated amount,
    what it is."""


def _rate_key(line: CostLine) -> tuple[str, str]:
    if line.rate_from is None:
        return ("stated", line.activity)
    return (line.rate_id, line.rate_from.isoformat())


def rate_rows(estimate: Estimate) -> dict[tuple[str, str], RateRow]:
    """Every rate value the lines use, each with a unique defined name.

    Card values are named R_<rate id>_<year> (R_<rate id>_<date> when one rate has two values
    in one year); amounts stated in a proposal are named A_<activity id>.
    """
    card_order = {rate_id: i for i, rate_id in enumerate(estimate.rates)}
    used: dict[tuple[str, str], CostLine] = {}
    for line in estimate.lines:
        used.setdefault(_rate_key(line), line)
    cards = sorted(
        (k for k in used if k[0] != "stated"), key=lambda k: (card_order.get(k[0], 10**6), k)
    )
    stated = sorted(k for k in used if k[0] == "stated")
    per_year: dict[tuple[str, str], int] = {}
    for rate_id, date in cards:
        per_year[(rate_id, date[:4])] = per_year.get((rate_id, date[:4]), 0) + 1
    taken: set[str] = {ESCALATION_NAME.upper()}
    rows: dict[tuple[str, str], RateRow] = {}
    for key in [*cards, *stated]:
        line = used[key]
        if key[0] == "stated":
            base = f"A_{_name_part(line.activity)}"
        else:
            rate_id, date = key
            when = date[:4] if per_year[(rate_id, date[:4])] == 1 else date.replace("-", "_")
            base = f"R_{_name_part(rate_id)}_{when}"
        name, n = base, 1
        while name.upper() in taken:
            n += 1
            name = f"{base}_{n}"
        taken.add(name.upper())
        rows[key] = _rate_row(estimate, line, name)
    return rows


def _rate_row(estimate: Estimate, line: CostLine, name: str) -> RateRow:
    if line.rate_from is None:
        return RateRow(
            name=name,
            rate_id=line.rate_id,
            label=line.title,
            unit="lump sum a year",
            value=line.rate,
            from_=None,
            source=line.source or "stated in the proposal",
            basis=line.basis,
            explanation=f"Amount stated in the proposal for activity '{line.activity}'"
            " for each year it takes place; not escalated.",
        )
    rate = estimate.rates.get(line.rate_id)
    unit, explanation = line.quantity_unit, ""
    if rate is not None:
        unit = rate.unit
        value = rate.in_force(line.rate_from)
        if value is not None:
            parts = [
                f"= {value.formula}" if value.formula else "",
                value.derivation or "",
                value.assumption or "",
                value.note or "",
            ]
            explanation = "; ".join(p for p in parts if p)
    return RateRow(
        name=name,
        rate_id=line.rate_id,
        label=line.rate_label,
        unit=unit,
        value=line.rate,
        from_=line.rate_from,
        source=line.source,
        basis=line.basis,
        explanation=explanation,
    )


# -- the sheets -------------------------------------------------------------------------------

WORKINGS_COLUMNS = (
    ("activity", "Activity"),
    ("title", "Title"),
    ("element", "Object of expenditure"),
    ("unit", "Budget unit"),
    ("year", "Year"),
    ("funding", "Funding"),
    ("quantity", "Quantity"),
    ("quantity_unit", "Quantity unit"),
    ("quantity_basis", "How the quantity was obtained"),
    ("rate_id", "Rate id"),
    ("rate", "Rate"),
    ("rate_year", "Year of the rate's value"),
    ("escalation", "Escalation factor"),
    ("amount", "Amount"),
    ("source", "Source of the rate"),
    ("basis", "Basis"),
    ("external", "External human resources"),
    ("goal", "Strategic goal"),
)
COL = {key: i + 1 for i, (key, _) in enumerate(WORKINGS_COLUMNS)}
"""Workings column number by key."""
LINE_NAMES = {
    "activity": "Line_activity",
    "element": "Line_element",
    "unit": "Line_unit",
    "year": "Line_year",
    "funding": "Line_funding",
    "amount": "Line_amount",
    "external": "Line_external",
}
"""Defined names of the Workings columns the Summary totals over."""

RATE_COLUMNS = (
    "Name",
    "Rate id",
    "Label",
    "Unit",
    "Value",
    "In force from",
    "Source",
    "Basis",
    "Derivation or assumption",
)
RATE_VALUE_COL, RATE_FROM_COL = 5, 6


def _cell_ref(col: int, row: int) -> str:
    return f"${get_column_letter(col)}${row}"


def _rates_sheet(
    book: Book, estimate: Estimate, rows: Mapping[tuple[str, str], RateRow]
) -> dict[tuple[str, str], int]:
    """The Rates sheet; returns the row of each rate value."""
    ws = book.sheets["Rates"]
    card = estimate.card
    ws.text(1, 1, "Rate card", "bold")
    ws.text(1, 2, f"{card.id}: {card.title}")
    ws.text(2, 1, "Currency", "bold")
    ws.text(2, 2, card.currency)
    ws.text(3, 1, "Yearly escalation", "bold")
    ws.number(3, 2, card.escalation, PERCENT_FORMAT)
    book.define_name(ESCALATION_NAME, ws, "$B$3")
    ws.text(3, 3, card.escalation_source or "")
    ws.text(4, 1, "Card file SHA-256", "bold")
    ws.text(4, 2, estimate.card_sha256)
    if card.indicative:
        ws.text(
            5, 1, "Indicative card built from public figures, not a secretariat's standard costs."
        )
    ws.text(
        6,
        1,
        "Change a value here (or the escalation above): every line and total that uses it "
        "recomputes. Each value is a defined name, used by the Workings sheet.",
    )
    ws.header(RATES_HEADER_ROW, [*RATE_COLUMNS[:4], f"Value ({card.currency})", *RATE_COLUMNS[5:]])
    where: dict[tuple[str, str], int] = {}
    for i, (key, rate) in enumerate(rows.items()):
        r = RATES_HEADER_ROW + 1 + i
        where[key] = r
        ws.text(r, 1, rate.name)
        ws.text(r, 2, rate.rate_id)
        ws.text(r, 3, rate.label)
        ws.text(r, 4, rate.unit)
        ws.number(r, RATE_VALUE_COL, rate.value, number_format_for(rate.value, 2))
        book.define_name(rate.name, ws, _cell_ref(RATE_VALUE_COL, r))
        if rate.from_ is not None:
            ws.date(r, RATE_FROM_COL, rate.from_)
        ws.text(r, 7, rate.source)
        ws.text(r, 8, rate.basis)
        ws.text(r, 9, rate.explanation)
    ws.empty(RATES_HEADER_ROW + 1, 2)  # the panes freeze there: openpyxl made that cell
    ws.fit_widths(skip_rows=range(1, RATES_HEADER_ROW))
    return where


def _workings_sheet(
    book: Book,
    estimate: Estimate,
    rows: Mapping[tuple[str, str], RateRow],
    rate_at: Mapping[tuple[str, str], int],
) -> None:
    ws = book.sheets["Workings"]
    titles = [title for _, title in WORKINGS_COLUMNS]
    titles[COL["rate"] - 1] = f"Rate ({estimate.currency})"
    titles[COL["amount"] - 1] = f"Amount ({estimate.currency})"
    ws.header(1, titles)
    c = COL
    L = get_column_letter
    for r, line in enumerate(estimate.lines, start=2):
        key = _rate_key(line)
        rate = rows[key]
        element = ELEMENTS[line.element].label if line.element in ELEMENTS else line.element
        ws.text(r, c["activity"], line.activity)
        ws.text(r, c["title"], line.title)
        ws.text(r, c["element"], element)
        ws.text(r, c["unit"], line.unit)
        ws.number(r, c["year"], line.year, YEAR_FORMAT)
        ws.text(r, c["funding"], line.funding)
        ws.number(r, c["quantity"], line.quantity)
        ws.text(r, c["quantity_unit"], line.quantity_unit)
        ws.text(r, c["quantity_basis"], line.quantity_basis)
        ws.text(r, c["rate_id"], line.rate_id)
        ws.formula(r, c["rate"], f"={rate.name}", number_format_for(rate.value, 2))
        if line.rate_from is None:
            ws.number(r, c["escalation"], 1, FACTOR_FORMAT)
        else:
            rates_from = f"Rates!{_cell_ref(RATE_FROM_COL, rate_at[key])}"
            ws.formula(r, c["rate_year"], f"=YEAR({rates_from})", YEAR_FORMAT)
            ws.formula(
                r,
                c["escalation"],
                f"=(1+{ESCALATION_NAME})^({L(c['year'])}{r}-{L(c['rate_year'])}{r})",
                FACTOR_FORMAT,
            )
        ws.formula(
            r,
            c["amount"],
            f"=ROUND({L(c['quantity'])}{r}*{L(c['rate'])}{r}*{L(c['escalation'])}{r},2)",
            MONEY_FORMAT,
        )
        ws.text(r, c["source"], line.source)
        ws.text(r, c["basis"], line.basis)
        ws.text(r, c["external"], "yes" if line.external else "no")
        ws.text(r, c["goal"], line.goal)
    last = max(2, len(estimate.lines) + 1)
    for column, name in LINE_NAMES.items():
        col = L(c[column])
        book.define_name(name, ws, f"${col}$2:${col}${last}")
    ws.auto_filter = f"A1:{L(len(WORKINGS_COLUMNS))}{last}"
    ws.fit_widths(maximum=45)


def _sumifs(criteria: Sequence[tuple[str, str]]) -> str:
    pairs = ",".join(f"{LINE_NAMES[k]},{ref}" for k, ref in criteria)
    return f"=SUMIFS({LINE_NAMES['amount']},{pairs})"


SUMMARY_WIDTHS = (30, 18, 72)
"""Summary columns: labels, amounts, and the rest of the width for long text (over B:C)."""


def _summary_sheet(book: Book, estimate: Estimate) -> None:
    ws = book.sheets["Summary"]
    info = estimate.proposal.info
    cur = estimate.currency
    ws.text(1, 1, "Financial implications: workings", font=TITLE)
    ident: list[tuple[str, str | None]] = [
        ("Reference", info.reference),
        ("Title", info.title),
        ("Conference", info.conference),
        ("Submitted by", "; ".join(info.submitted_by)),
        ("Action", info.action),
        ("Instrument", info.instrument),
        ("Responsible budget unit", info.responsible),
        ("Period", f"{info.period[0]}–{info.period[1]}"),
        ("Rate card", f"{estimate.card.id}: {estimate.card.title}"),
        ("Currency", cur),
        ("Produced by", f"finimpact {__version__}"),
    ]
    ident += [(f"Request {i}", text) for i, text in enumerate(info.requests, start=1)]
    if estimate.card.indicative:
        ident.append(("Note", "The rates are indicative (public figures), not ITU standard costs."))

    def long_text(row: int, label: str, value: str | None) -> None:
        """A label in A and a text over B:C, wrapped, its row as tall as the text."""
        ws.text(row, 1, label, "bold")
        if not value:
            return
        ws.text(row, 2, value, "wrap")
        ws.merge_across(row, 2, 3)
        lines = wrapped_lines(clean_text(value), SUMMARY_WIDTHS[1] + SUMMARY_WIDTHS[2])
        if lines > 1:
            ws.heights[row] = LINE_HEIGHT * lines

    r = 3
    for label, value in ident:
        long_text(r, label, value)
        r += 1
    r += 1
    ws.text(r, 1, f"Total ({cur})", "bold")
    ws.formula(r, 2, f"=SUM({LINE_NAMES['amount']})", MONEY_FORMAT, font=BOLD)
    r += 1
    ws.text(r, 1, f"of which external human resources ({cur})")
    ws.formula(r, 2, _sumifs([("external", '"yes"')]), MONEY_FORMAT)
    r += 2

    def block(title: str, key: str, values: Sequence[tuple[Any, str]]) -> None:
        nonlocal r
        ws.header(r, [title, f"Amount ({cur})", ""])
        r += 1
        for criterion, shown in values:
            if isinstance(criterion, int):
                ws.number(r, 1, criterion, YEAR_FORMAT, "number-left")
            else:
                ws.text(r, 1, shown)
            ws.formula(r, 2, _sumifs([(key, f"$A{r}")]), MONEY_FORMAT)
            r += 1
        r += 1

    block("By year", "year", [(y, str(y)) for y in estimate.by_year()])
    block("By budget unit", "unit", [(u, u) for u in estimate.by_unit()])
    block(
        "By object of expenditure",
        "element",
        [(e, ELEMENTS[e].label if e in ELEMENTS else e) for e in estimate.by_element()],
    )
    block("By funding source", "funding", [(f, f) for f in estimate.by_funding()])
    block("By activity", "activity", [(a, a) for a in estimate.by_activity()])
    ws.header(r, ["Article 34 of the ITU Convention", "", ""])
    r += 1
    long_text(r, "Verdict", estimate.article34.verdict)
    r += 1
    long_text(r, "Statement", estimate.article34.statement)
    r += 1
    long_text(
        r,
        "Note",
        "The verdict and statement are those of the estimate as produced; the totals above "
        "recompute when a rate changes.",
    )
    r += 2
    long_text(r, "Rounding", ROUNDING_RULE)
    for d in estimate.warnings:
        r += 1
        long_text(r, "Warning", d.render())
    labels = [len(text) + 2 for text in ws.texts_in_column_a(first_row=3)]
    ws.widths[1] = min(max([SUMMARY_WIDTHS[0], *labels]), 56)
    ws.widths[2] = SUMMARY_WIDTHS[1]
    ws.widths[3] = SUMMARY_WIDTHS[2]


def _shown(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value)
    return value


def _proposal_sheet(book: Book, estimate: Estimate) -> None:
    ws = book.sheets["Proposal"]
    ws.header(1, ["#", "Activity", "Key", "Value", "Where the value comes from"])
    r = 2
    for activity in estimate.proposal.activities:
        spec = activity.spec
        given = spec.model_fields_set
        from_template = {d.key: d for d in activity.defaults}
        entries: list[tuple[str, Any, str]] = []
        if activity.template:
            entries.append(
                ("template", activity.template, "entered (conference activity template)")
            )
        for key in type(spec).model_fields:
            value = getattr(spec, key)
            if value is None:
                continue
            if key in from_template:
                origin = f"template default: {from_template[key].why}"
            elif key in given:
                origin = "entered" if not activity.template else "entered or from the template"
            else:
                origin = "default"
            entries.append((key, value, origin))
        for key, value, origin in entries:
            ws.number(r, 1, activity.index + 1, "0")
            ws.text(r, 2, spec.id)
            ws.text(r, 3, key)
            shown = _shown(value)
            if isinstance(shown, Decimal | int):
                ws.number(r, 4, shown, number_format_for(shown), "number-left")
            else:
                ws.text(r, 4, str(shown))
            ws.text(r, 5, origin)
            r += 1
    ws.auto_filter = f"A1:E{max(2, r - 1)}"
    ws.fit_widths()


def build_workbook(estimate: Estimate) -> Book:
    """The workbook of one estimate: Summary, Workings, Rates, Proposal."""
    book = Book()
    rows = rate_rows(estimate)
    _summary_sheet(book, estimate)
    rate_at = _rates_sheet(book, estimate, rows)
    _workings_sheet(book, estimate, rows, rate_at)
    _proposal_sheet(book, estimate)
    return book


def render_workbook(estimate: Estimate, options: Mapping[str, Any]) -> bytes:
    """The renderer of the 'xlsx' output: <reference>.workings.xlsx."""
    return build_workbook(estimate).xlsx()
