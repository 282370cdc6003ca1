"""The workbook: the estimate as live formulas a budget officer can audit and change.

Four sheets. **Workings** has one row per cost line; its rate is a formula naming a cell of
**Rates** (a defined name such as ``R_interpretation_2023``), its escalation factor a formula
over the card's yearly escalation (the defined name ``Escalation``) and the years, its amount
``ROUND(quantity × rate × escalation, 2)``. **Summary** totals the Workings with SUMIFS, so
changing one rate on the Rates sheet recomputes every line and total. **Proposal** lists the
activities as entered.

Python computes the estimate in Decimal; the workbook reproduces each line to the cent with
the same rule (ROUND in Excel and LibreOffice rounds half away from zero).

The building blocks are public for other workbooks (the consolidated batch workbook):
``text_cell``, ``number_cell``, ``formula_cell``, ``header_row``, ``fit_widths``,
``print_setup``, ``define_name``, ``number_format_for`` and ``workbook_bytes`` (a
deterministic save: same workbook, same bytes).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from weakref import WeakKeyDictionary

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, MergedCell
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.styles.numbers import BUILTIN_FORMATS_MAX_SIZE, BUILTIN_FORMATS_REVERSE
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from cost_models.elemental import ELEMENTS
from estimator import __version__
from estimator.estimate import CostLine, Estimate
from estimator.money import ROUNDING_RULE

# -- reusable pieces --------------------------------------------------------------------------

FIXED_TIME = dt.datetime(2000, 1, 1)
"""The document and zip-entry timestamp of every workbook: same input, same bytes."""

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

    The lists are an openpyxl workbook's (``StyleLists.of``).
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


# -- cells of an openpyxl workbook ------------------------------------------------------------

_STYLES: WeakKeyDictionary[Workbook, StyleLists] = WeakKeyDictionary()


def _styles(wb: Workbook) -> StyleLists:
    styles = _STYLES.get(wb)
    if styles is None:
        styles = _STYLES[wb] = StyleLists.of(wb)
    return styles


def _style_array(ws: Worksheet, kind: str, number_format: str = "") -> Any:
    """The style of a new cell of this kind (and number format), as a StyleArray."""
    return StyleArray(_styles(ws.parent).style(kind, number_format))


def _fresh_cell(ws: Worksheet, row: int, col: int) -> tuple[Cell, bool]:
    """The cell at row, col, and whether it is new (or has no style yet)."""
    cell = ws._cells.get((row, col))
    if cell is None:
        if row < 1 or col < 1:
            raise ValueError("Row or column values must be at least 1")
        cell = ws._get_cell(row, col)
        return cell, True
    return cell, cell._style is None or not any(cell._style)


def clean_text(value: str) -> str:
    """Text a cell can hold: control characters shown as U+FFFD, at most 32,767 characters."""
    text: str = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


FORMULA_STARTS = ("=", "+", "-", "@")
"""What text cannot start with and stay text when the cell is edited (without a quote prefix)."""


def text_cell(ws: Worksheet, row: int, col: int, value: str | None, *, bold: bool = False) -> Cell:
    """A cell that holds text, whatever the text: '=HYPERLINK(...)' or '+41 22' stays a string.

    openpyxl would take text starting with '=' for a formula; the cell's type is set to string
    explicitly, and text starting with = + - @ gets the quote prefix so that editing the cell
    in Excel or LibreOffice keeps it text.
    """
    return _text_cell(ws, row, col, value, "bold" if bold else "text")


def _text_cell(ws: Worksheet, row: int, col: int, value: str | None, kind: str) -> Cell:
    """text_cell, styled as kind: 'text', 'bold', 'wrap' or 'header' (see StyleLists.style)."""
    cell, fresh = _fresh_cell(ws, row, col)
    if value is None or value == "":
        if kind == "header":  # an empty column title is shaded and underlined all the same
            if fresh:
                cell._style = _style_array(ws, "header-empty")
            else:
                cell.fill = HEADER_FILL
                cell.border = HEADER_BORDER
                cell.alignment = HEADER_ALIGNMENT
        return cell
    text = clean_text(value)
    cell._value = text  # clean text: what cell.value = text would keep
    cell.data_type = "s"
    if fresh:
        cell._style = _style_array(ws, kind)
        if text.startswith(FORMULA_STARTS):
            cell._style.quotePrefix = 1
        return cell
    if text.startswith(FORMULA_STARTS):
        cell.quotePrefix = True
    cell.alignment = TOP
    if kind in ("bold", "header"):
        cell.font = BOLD
    if kind == "header":
        cell.fill = HEADER_FILL
        cell.border = HEADER_BORDER
        cell.alignment = HEADER_ALIGNMENT
    elif kind == "wrap":
        cell.alignment = WRAP
    return cell


def number_format_for(value: Decimal | int, minimum_decimals: int = 0) -> str:
    """A number format that shows every decimal the value has (and at least the minimum)."""
    decimals = 0
    if isinstance(value, Decimal):
        exponent = value.normalize().as_tuple().exponent
        decimals = max(0, -exponent) if isinstance(exponent, int) else 0
    decimals = min(max(decimals, minimum_decimals), 12)
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def number_cell(
    ws: Worksheet, row: int, col: int, value: Decimal | int, number_format: str | None = None
) -> Cell:
    """A number, never float on the way in: Decimal or int, with a number format."""
    return _number_cell(ws, row, col, value, number_format or number_format_for(value), "number")


def _number_cell(
    ws: Worksheet, row: int, col: int, value: Decimal | int, number_format: str, kind: str
) -> Cell:
    """number_cell, styled as kind: 'number', or 'number-left' (aligned left)."""
    cell, fresh = _fresh_cell(ws, row, col)
    if fresh and type(value) in (int, Decimal):
        cell._value = value
        cell.data_type = "n"
        cell._style = _style_array(ws, kind, number_format)
        return cell
    cell.value = value
    cell.number_format = number_format
    cell.alignment = TOP
    if kind == "number-left":
        cell.alignment = LEFT_TOP
    return cell


def formula_cell(ws: Worksheet, row: int, col: int, formula: str, number_format: str) -> Cell:
    """A formula written by finimpact (never built from user text), with its number format."""
    if not formula.startswith("="):
        raise ValueError(f"not a formula: {formula!r}")
    cell, fresh = _fresh_cell(ws, row, col)
    cell._value = cell.check_string(formula)  # what cell.value = formula would keep
    cell.data_type = "f"
    if fresh:
        cell._style = _style_array(ws, "formula", number_format)
        return cell
    cell.number_format = number_format
    cell.alignment = TOP
    return cell


def date_cell(ws: Worksheet, row: int, col: int, value: dt.date) -> Cell:
    cell: Cell = ws.cell(row=row, column=col, value=value)
    cell.number_format = DATE_FORMAT
    cell.alignment = TOP
    return cell


def header_row(ws: Worksheet, row: int, titles: Sequence[str], first_col: int = 1) -> None:
    """Column titles: bold, shaded, wrapped, underlined."""
    for i, title in enumerate(titles):
        _text_cell(ws, row, first_col + i, title, "header")


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


def fit_widths(
    ws: Worksheet, minimum: int = 6, maximum: int = MAX_WIDTH, skip_rows: Iterable[int] = ()
) -> None:
    """Column widths that fit their content, up to a maximum; longer text wraps.

    Column titles (``header_row``) wrap at word boundaries, so they ask only for their longest
    word, and their row is made tall enough for the wrapped lines. ``skip_rows`` are rows whose
    text may overflow into empty neighbours (sheet titles).
    """
    cells = ws._cells
    keys = sorted(cells)  # row by row, column by column, as ws.iter_rows()
    if keys:
        # ws.iter_rows() would have made every cell from A1 on: what shows of them in the file
        # is the sheet's dimension (from A1) and a <row> element for each row, empty or not.
        present = {row for row, _ in keys}
        for row in range(1, keys[-1][0] + 1):
            if row not in present:
                ws.cell(row=row, column=1)
        ws.cell(row=1, column=1)
    entries = [
        (key, cells[key].data_type, cells[key]._value, tuple(cells[key]._style or PLAIN))
        for key in keys
    ]
    widths, restyled, heights = _fitted(entries, _styles(ws.parent), minimum, maximum, skip_rows)
    for key, style in restyled.items():
        cells[key]._style = StyleArray(style)
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width
    for row, height in heights.items():
        ws.row_dimensions[row].height = height


def _fitted(
    cells: Iterable[tuple[tuple[int, int], str, Any, Style]],
    styles: StyleLists,
    minimum: int,
    maximum: int,
    skip_rows: Iterable[int],
) -> tuple[dict[int, int], dict[tuple[int, int], Style], dict[int, int]]:
    """fit_widths' rule.

    From the cells (position, data type, value, style), row by row: the width of each column,
    the new style of each text too long for its column (wrapped), and the height of each row
    whose wrapped text takes more than one line.
    """
    skipped = set(skip_rows)
    widths: dict[int, int] = {}
    restyled: dict[tuple[int, int], Style] = {}
    wrapped: list[tuple[int, int, str]] = []  # row, column, text
    for key, data_type, value, style in cells:
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
                if data_type == "s" and isinstance(value, str) and width > maximum:
                    style = restyled[key] = styles.wrapped(style)
            widths[col] = max(widths.get(col, minimum), min(width, maximum))
        if isinstance(value, str) and styles.wraps(style):
            wrapped.append((row, col, value))
    lines: dict[int, int] = {}
    for row, col, text in wrapped:
        lines[row] = max(lines.get(row, 1), wrapped_lines(text, widths.get(col, minimum)))
    return widths, restyled, {row: LINE_HEIGHT * n for row, n in lines.items() if n > 1}


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


def _merge_across(ws: Worksheet, row: int, first_col: int, last_col: int) -> None:
    """ws.merge_cells over columns first_col to last_col of one row, without its general case.

    For a top-left cell with no border and the default protection and no cell to its right,
    merge_cells only records the range and puts an unstyled MergedCell in each other cell (it
    copies borders and protection, which change nothing then); anything else goes to it.
    """
    cells = ws._cells
    start = cells.get((row, first_col))
    rest = [(row, col) for col in range(first_col + 1, last_col + 1)]
    style = None if start is None else start._style
    if style is None or style.borderId or style.protectionId or any(k in cells for k in rest):
        ws.merge_cells(start_row=row, start_column=first_col, end_row=row, end_column=last_col)
        return
    ref = f"{get_column_letter(first_col)}{row}:{get_column_letter(last_col)}{row}"
    ws.merged_cells.add(MergedCellRange(ws, ref))
    for r, col in rest:
        merged = MergedCell(ws, r, col)
        merged._style = StyleArray()
        cells[(r, col)] = merged


def print_setup(ws: Worksheet, title_rows: str | None = None) -> None:
    """Landscape, fitted to the page width, as many pages tall as needed."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        ws.print_title_rows = title_rows


def define_name(wb: Workbook, name: str, ws: Worksheet, ref: str) -> None:
    """A workbook-wide defined name for a cell or range of a sheet ('$E$8' or '$A$2:$A$9')."""
    wb.defined_names[name] = DefinedName(name, attr_text=f"{quote_sheetname(ws.title)}!{ref}")


class _FixedTimeZip(zipfile.ZipFile):
    """A zip whose every entry, however openpyxl writes it, carries FIXED_TIME and mode 644."""

    def writestr(
        self,
        zinfo_or_arcname: str | zipfile.ZipInfo,
        data: Any,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        name = (
            zinfo_or_arcname.filename
            if isinstance(zinfo_or_arcname, zipfile.ZipInfo)
            else zinfo_or_arcname
        )
        entry = zipfile.ZipInfo(name, date_time=_FIXED_ZIP_TIME)
        entry.compress_type = zipfile.ZIP_DEFLATED
        entry.external_attr = 0o644 << 16
        super().writestr(entry, data)

    def write(
        self,
        filename: Any,
        arcname: Any = None,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        info = zipfile.ZipInfo.from_file(filename, arcname)  # the name as ZipFile.write has it
        with open(filename, "rb") as file:
            self.writestr(info.filename, file.read())


_FIXED_ZIP_TIME = FIXED_TIME.timetuple()[:6]


class _InMemoryWriter(ExcelWriter):  # type: ignore[misc]
    """openpyxl's ExcelWriter, with each worksheet serialised in memory, not in a temporary file.

    Same steps as ExcelWriter.write_worksheet (openpyxl 3.1), with a BytesIO as the output of
    the WorksheetWriter: same XML, without creating, reading and deleting a file per sheet.
    """

    def write_worksheet(self, ws: Worksheet) -> None:
        if self.workbook.write_only:
            super().write_worksheet(ws)
            return
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        out = io.BytesIO()
        writer = WorksheetWriter(ws, out)
        writer.write()
        ws._rels = writer._rels
        self._archive.writestr(ws.path[1:], out.getvalue())
        self.manifest.append(ws)


def workbook_bytes(wb: Workbook) -> bytes:
    """The workbook as .xlsx bytes, identical for identical content.

    The document properties carry FIXED_TIME as created and modified dates (openpyxl would
    write the time of saving), and every zip entry carries FIXED_TIME as its date (the entries
    are written so as they are made: one compression, no second archive).
    """
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.properties.creator = "finimpact"
    wb.properties.lastModifiedBy = "finimpact"
    out = io.BytesIO()
    archive = _FixedTimeZip(out, "w", zipfile.ZIP_DEFLATED)
    _InMemoryWriter(wb, archive).save()  # writes every part and closes the archive
    return out.getvalue()


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
RATES_HEADER_ROW = 7
RATE_VALUE_COL, RATE_FROM_COL = 5, 6


def _cell_ref(col: int, row: int) -> str:
    return f"${get_column_letter(col)}${row}"


def _rates_sheet(
    wb: Workbook, estimate: Estimate, rows: Mapping[tuple[str, str], RateRow]
) -> dict[tuple[str, str], int]:
    """The Rates sheet; returns the row of each rate value."""
    ws = wb.create_sheet("Rates")
    card = estimate.card
    text_cell(ws, 1, 1, "Rate card", bold=True)
    text_cell(ws, 1, 2, f"{card.id}: {card.title}")
    text_cell(ws, 2, 1, "Currency", bold=True)
    text_cell(ws, 2, 2, card.currency)
    text_cell(ws, 3, 1, "Yearly escalation", bold=True)
    number_cell(ws, 3, 2, card.escalation, PERCENT_FORMAT)
    define_name(wb, ESCALATION_NAME, ws, "$B$3")
    text_cell(ws, 3, 3, card.escalation_source or "")
    text_cell(ws, 4, 1, "Card file SHA-256", bold=True)
    text_cell(ws, 4, 2, estimate.card_sha256)
    if card.indicative:
        text_cell(
            ws,
            5,
            1,
            "Indicative card built from public figures, not a secretariat's standard costs.",
        )
    text_cell(
        ws,
        6,
        1,
        "Change a value here (or the escalation above): every line and total that uses it "
        "recomputes. Each value is a defined name, used by the Workings sheet.",
    )
    header_row(
        ws, RATES_HEADER_ROW, [*RATE_COLUMNS[:4], f"Value ({card.currency})", *RATE_COLUMNS[5:]]
    )
    where: dict[tuple[str, str], int] = {}
    for i, (key, rate) in enumerate(rows.items()):
        r = RATES_HEADER_ROW + 1 + i
        where[key] = r
        text_cell(ws, r, 1, rate.name)
        text_cell(ws, r, 2, rate.rate_id)
        text_cell(ws, r, 3, rate.label)
        text_cell(ws, r, 4, rate.unit)
        number_cell(ws, r, RATE_VALUE_COL, rate.value, number_format_for(rate.value, 2))
        define_name(wb, rate.name, ws, _cell_ref(RATE_VALUE_COL, r))
        if rate.from_ is not None:
            date_cell(ws, r, RATE_FROM_COL, rate.from_)
        text_cell(ws, r, 7, rate.source)
        text_cell(ws, r, 8, rate.basis)
        text_cell(ws, r, 9, rate.explanation)
    ws.freeze_panes = ws.cell(row=RATES_HEADER_ROW + 1, column=2)
    fit_widths(ws, skip_rows=range(1, RATES_HEADER_ROW))
    print_setup(ws, f"{RATES_HEADER_ROW}:{RATES_HEADER_ROW}")
    return where


def _workings_sheet(
    wb: Workbook,
    estimate: Estimate,
    rows: Mapping[tuple[str, str], RateRow],
    rate_at: Mapping[tuple[str, str], int],
) -> None:
    ws = wb.create_sheet("Workings")
    titles = [title for _, title in WORKINGS_COLUMNS]
    titles[COL["rate"] - 1] = f"Rate ({estimate.currency})"
    titles[COL["amount"] - 1] = f"Amount ({estimate.currency})"
    header_row(ws, 1, titles)
    c = COL
    L = get_column_letter
    for r, line in enumerate(estimate.lines, start=2):
        key = _rate_key(line)
        rate = rows[key]
        element = ELEMENTS[line.element].label if line.element in ELEMENTS else line.element
        text_cell(ws, r, c["activity"], line.activity)
        text_cell(ws, r, c["title"], line.title)
        text_cell(ws, r, c["element"], element)
        text_cell(ws, r, c["unit"], line.unit)
        number_cell(ws, r, c["year"], line.year, YEAR_FORMAT)
        text_cell(ws, r, c["funding"], line.funding)
        number_cell(ws, r, c["quantity"], line.quantity)
        text_cell(ws, r, c["quantity_unit"], line.quantity_unit)
        text_cell(ws, r, c["quantity_basis"], line.quantity_basis)
        text_cell(ws, r, c["rate_id"], line.rate_id)
        formula_cell(ws, r, c["rate"], f"={rate.name}", number_format_for(rate.value, 2))
        if line.rate_from is None:
            number_cell(ws, r, c["escalation"], 1, FACTOR_FORMAT)
        else:
            rates_from = f"Rates!{_cell_ref(RATE_FROM_COL, rate_at[key])}"
            formula_cell(ws, r, c["rate_year"], f"=YEAR({rates_from})", YEAR_FORMAT)
            formula_cell(
                ws,
                r,
                c["escalation"],
                f"=(1+{ESCALATION_NAME})^({L(c['year'])}{r}-{L(c['rate_year'])}{r})",
                FACTOR_FORMAT,
            )
        formula_cell(
            ws,
            r,
            c["amount"],
            f"=ROUND({L(c['quantity'])}{r}*{L(c['rate'])}{r}*{L(c['escalation'])}{r},2)",
            MONEY_FORMAT,
        )
        text_cell(ws, r, c["source"], line.source)
        text_cell(ws, r, c["basis"], line.basis)
        text_cell(ws, r, c["external"], "yes" if line.external else "no")
        text_cell(ws, r, c["goal"], line.goal)
    last = max(2, len(estimate.lines) + 1)
    for column, name in LINE_NAMES.items():
        col = L(c[column])
        define_name(wb, name, ws, f"${col}$2:${col}${last}")
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:{L(len(WORKINGS_COLUMNS))}{last}"
    fit_widths(ws, maximum=45)
    print_setup(ws, "1:1")
    ws.page_setup.paperSize = ws.PAPERSIZE_A3  # eighteen columns: A3 keeps them readable


def _sumifs(criteria: Sequence[tuple[str, str]]) -> str:
    pairs = ",".join(f"{LINE_NAMES[k]},{ref}" for k, ref in criteria)
    return f"=SUMIFS({LINE_NAMES['amount']},{pairs})"


SUMMARY_WIDTHS = (30, 18, 72)
"""Summary columns: labels, amounts, and the rest of the width for long text (over B:C)."""


def _summary_sheet(wb: Workbook, estimate: Estimate) -> None:
    ws = wb.active
    ws.title = "Summary"
    info = estimate.proposal.info
    cur = estimate.currency
    text_cell(ws, 1, 1, "Financial implications: workings").font = TITLE
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
        text_cell(ws, row, 1, label, bold=True)
        if not value:
            return
        _text_cell(ws, row, 2, value, "wrap")
        _merge_across(ws, row, 2, 3)
        lines = wrapped_lines(clean_text(value), SUMMARY_WIDTHS[1] + SUMMARY_WIDTHS[2])
        if lines > 1:
            ws.row_dimensions[row].height = LINE_HEIGHT * lines

    r = 3
    for label, value in ident:
        long_text(r, label, value)
        r += 1
    r += 1
    text_cell(ws, r, 1, f"Total ({cur})", bold=True)
    formula_cell(ws, r, 2, f"=SUM({LINE_NAMES['amount']})", MONEY_FORMAT).font = BOLD
    r += 1
    text_cell(ws, r, 1, f"of which external human resources ({cur})")
    formula_cell(ws, r, 2, _sumifs([("external", '"yes"')]), MONEY_FORMAT)
    r += 2

    def block(title: str, key: str, values: Sequence[tuple[Any, str]]) -> None:
        nonlocal r
        header_row(ws, r, [title, f"Amount ({cur})", ""])
        r += 1
        for criterion, shown in values:
            if isinstance(criterion, int):
                _number_cell(ws, r, 1, criterion, YEAR_FORMAT, "number-left")
            else:
                text_cell(ws, r, 1, shown)
            formula_cell(ws, r, 2, _sumifs([(key, f"$A{r}")]), MONEY_FORMAT)
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
    header_row(ws, r, ["Article 34 of the ITU Convention", "", ""])
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
    ws.freeze_panes = "A2"
    labels = [len(str(c.value)) + 2 for c in ws["A"][2:] if isinstance(c.value, str)]
    ws.column_dimensions["A"].width = min(max([SUMMARY_WIDTHS[0], *labels]), 56)
    ws.column_dimensions["B"].width = SUMMARY_WIDTHS[1]
    ws.column_dimensions["C"].width = SUMMARY_WIDTHS[2]
    print_setup(ws)


def _shown(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value)
    return value


def _proposal_sheet(wb: Workbook, estimate: Estimate) -> None:
    ws = wb.create_sheet("Proposal")
    header_row(ws, 1, ["#", "Activity", "Key", "Value", "Where the value comes from"])
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
            number_cell(ws, r, 1, activity.index + 1, "0")
            text_cell(ws, r, 2, spec.id)
            text_cell(ws, r, 3, key)
            shown = _shown(value)
            if isinstance(shown, Decimal | int):
                _number_cell(ws, r, 4, shown, number_format_for(shown), "number-left")
            else:
                text_cell(ws, r, 4, str(shown))
            text_cell(ws, r, 5, origin)
            r += 1
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:E{max(2, r - 1)}"
    fit_widths(ws)
    print_setup(ws, "1:1")


def build_workbook(estimate: Estimate) -> Workbook:
    """The workbook of one estimate: Summary, Workings, Rates, Proposal."""
    wb = Workbook()
    rows = rate_rows(estimate)
    _summary_sheet(wb, estimate)
    rate_at = _rates_sheet(wb, estimate, rows)
    _workings_sheet(wb, estimate, rows, rate_at)
    wb.move_sheet("Workings", offset=-1)
    _proposal_sheet(wb, estimate)
    wb.calculation.fullCalcOnLoad = True
    return wb


def render_workbook(estimate: Estimate, options: Mapping[str, Any]) -> bytes:
    """The renderer of the 'xlsx' output: <reference>.workings.xlsx."""
    return workbook_bytes(build_workbook(estimate))
