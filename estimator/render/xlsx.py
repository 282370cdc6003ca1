"""The one workbook writer: XlsxWriter, through its public API, with the house rules.

Each proposal's workbook (``estimator.render.workbook``) and the batch report's
(``estimator.batch.report``) are written through a :class:`Book` and its :class:`Sheet`s, so
both follow the same rules:

- **Text stays text.** Every string is written as a string (XlsxWriter's guessing of formulas,
  numbers and links is off); one that starts with ``=``, ``+``, ``-`` or ``@`` also gets the
  quote prefix, so editing the cell in Excel or LibreOffice keeps it text. What XML cannot hold
  is shown as U+FFFD; a text is cut at the 32,767 characters a cell holds.
- **Numbers are numbers**, in a number format (amounts ``#,##0.00``, negatives in red where a
  shortfall matters); never text.
- **Every formula carries its computed value**, given by the caller from the Decimal figures,
  so a reader that does not recalculate (a mail preview, a script) sees the amounts; Excel and
  LibreOffice recalculate when the file is opened.
- **One font**, named on every style (``FONT``).
- **Columns sized to their content**, so no number shows as ``###``; long text wraps.
- **Pages a person would print**: A4 landscape, fitted to the page width, header rows repeated
  on every page, a header with the reference and the sheet, a footer with the page number.
- **Same input, same bytes**: the document's dates are fixed (``FIXED_TIME``); XlsxWriter
  gives every zip entry a fixed date itself.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import quote_sheetname, xl_col_to_name, xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from estimator import __version__
from estimator.render.scripts import is_rtl
from estimator.render.wording import page_parts
from estimator.render.xmltext import xml_text

FONT = "Arial"
"""The typeface of every cell: the annex's house font (templates/make_annex_docx.py), which
Excel has and LibreOffice shows with Liberation Sans's identical metrics."""
FONT_SIZE = 10
FIXED_TIME = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
"""The document's created and modified dates in every workbook: same input, same bytes."""

MAX_TEXT = 32_767
"""The most characters a spreadsheet cell holds."""
FORMULA_STARTS = ("=", "+", "-", "@")
"""What text cannot start with and stay text when the cell is edited (without a quote prefix)."""

MONEY = "#,##0.00"
MONEY_FLAGGED = "#,##0.00;[Red]-#,##0.00"
"""An amount whose negative is a shortfall: shown in red."""
YEAR = "0"
PERCENT = "0.00##%"
FACTOR = "0.0000"
"""A multiplier (the escalation factor 1.0319): a factor, not a percentage."""
DATE = "yyyy-mm-dd"
A4 = 9
"""XlsxWriter's paper size number for A4."""
WIDEST = 60
"""The widest a column is made for its text: longer text wraps."""
LINE_HEIGHT = 12.75
"""Points per line of wrapped text, at FONT_SIZE: what Excel gives a line of 10-point Arial
(LibreOffice draws one in about 11.5, so a row there has a little room to spare)."""
UNIT_PIXELS = 7
"""Pixels of one unit of column width (a digit of the default font), as spreadsheets count
them: a column of width w is w × 7 + 5 pixels wide, of which 5 are padding."""
INDENT_PIXELS = 12
"""Pixels an indent of one takes from the room of a cell's text (a little more than Excel and
LibreOffice give it, so that a row is never made too short)."""
_ARIAL_WIDTHS = (
    "278 278 355 556 556 889 667 191 333 333 389 584 278 333 278 278 "  # space to /
    "556 556 556 556 556 556 556 556 556 556 278 278 584 584 584 556 "  # 0 to ?
    "1015 667 667 722 722 667 611 778 722 278 500 667 556 833 722 778 "  # @ to O
    "667 778 722 667 611 722 667 944 667 667 611 278 278 278 469 556 "  # P to _
    "333 556 556 500 556 556 278 556 556 222 222 500 222 833 556 556 "  # ` to o
    "556 556 333 500 278 556 500 722 500 500 500 334 260 334 584"  # p to ~
)
ADVANCE = {chr(32 + i): int(w) for i, w in enumerate(_ARIAL_WIDTHS.split())} | {"\u00a0": 278}
"""The advance of each printable ASCII character in FONT (Arial; Liberation Sans has the same
metrics), in thousandths of the font size: Arial's published font metrics; the no-break space
that joins a currency code to its figure is as wide as a space."""

HEADER_FILL = "#DDE4EE"
INPUT_FILL = "#FFF2CC"
INPUT_FONT = "#0000CC"
OVER_FILL = "#F4CCCC"

_STYLES: dict[str, dict[str, Any]] = {
    "text": {},
    "bold": {"bold": True},
    "italic": {"italic": True},
    "title": {"bold": True, "font_size": 14},
    "header": {
        "bold": True,
        "bg_color": HEADER_FILL,
        "bottom": 1,
        "text_wrap": True,
        "valign": "bottom",
    },
    "header-number": {
        "bold": True,
        "bg_color": HEADER_FILL,
        "bottom": 1,
        "text_wrap": True,
        "valign": "bottom",
        "align": "right",
    },
    "number": {},
    "number-left": {"align": "left"},
    "total": {"bold": True, "top": 1},
    "input": {
        "bg_color": INPUT_FILL,
        "font_color": INPUT_FONT,
        "border": 1,
        "border_color": "#BFBFBF",
    },
    "first-over": {"bold": True, "bg_color": OVER_FILL},
}
"""The styles a cell can have, by name; a number format and wrapping are added per cell."""
BOLD_STYLES = frozenset(name for name, props in _STYLES.items() if props.get("bold"))


def clean_text(value: str) -> str:
    """Text a cell can hold: what XML cannot hold shown as U+FFFD, line ends as line feeds, at
    most 32,767 characters."""
    text = xml_text(value)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def number_format_for(value: Decimal | int, minimum_decimals: int = 0) -> str:
    """A number format that shows every decimal the value has (and at least the minimum)."""
    decimals = 0
    if isinstance(value, Decimal):
        exponent = value.normalize().as_tuple().exponent
        decimals = max(0, -exponent) if isinstance(exponent, int) else 0
    decimals = min(max(decimals, minimum_decimals), 12)
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def _advance(c: str) -> int:
    """A character's advance in thousandths of the font size: Arial's for ASCII, a full em for
    wide (East Asian) characters, a digit's for any other."""
    found = ADVANCE.get(c)
    if found is not None:
        return found
    return 1000 if unicodedata.east_asian_width(c) in "WF" else 556


def text_pixels(text: str, bold: bool = False) -> float:
    """How wide a line of text is drawn in FONT at FONT_SIZE, in pixels (bold: a tenth wider)."""
    em = FONT_SIZE * 96 / 72
    try:  # most texts are ASCII: one look-up a character
        advance = sum(map(ADVANCE.__getitem__, text))
    except KeyError:
        advance = sum(map(_advance, text))
    return advance * em / 1000 * (1.1 if bold else 1.0)


def wrapped_lines(text: str, width: float, *, bold: bool = False, indent: bool = True) -> int:
    """How many lines a text takes when a spreadsheet wraps it in a column this wide (in units
    of column width): each paragraph laid out word by word in the pixels the cell has for text
    (less its padding and indent), a word that fits no line broken where the line ends.
    Spreadsheets also break at hyphens: this count is never less than theirs."""
    room = max(UNIT_PIXELS, width * UNIT_PIXELS + 5 - 6 - (INDENT_PIXELS if indent else 0))
    space = text_pixels(" ", bold)
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0.0
        for word in paragraph.split(" "):
            need = text_pixels(word, bold)
            if used and used + space + need <= room:
                used += space + need
                continue
            if used:
                lines += 1
            while need > room:  # a word longer than the line: broken where the line ends
                lines += 1
                need -= room
            used = need
    return lines


def shown_width(value: Decimal | int | float, number_format: str) -> int:
    """How many characters a number takes in a number format of this module."""
    if number_format == YEAR:
        return len(str(int(value)))
    if number_format == FACTOR:
        return len(str(int(value))) + 5
    if number_format.endswith("%"):
        return len(str(int(value * 100))) + 6
    if number_format == DATE:
        return 10
    digits = len(str(abs(int(value))))
    decimals = len(number_format.split(";")[0].partition(".")[2])
    return digits + (digits - 1) // 3 + (decimals + 1 if decimals else 0) + (value < 0)


def cell(row: int, col: int, absolute: bool = False) -> str:
    """A1 reference of a cell (rows and columns from 0); $-anchored if absolute."""
    ref: str = xl_rowcol_to_cell(row, col, row_abs=absolute, col_abs=absolute)
    return ref


def column(col: int) -> str:
    """The letters of a column (from 0)."""
    name: str = xl_col_to_name(col)
    return name


def _page_text(text: str) -> str:
    """Text for a page header or footer: '&' doubled (it starts a code), kept short."""
    text = clean_text(text).replace("\n", " ")
    if len(text) > 80:
        text = text[:79] + "…"
    return text.replace("&", "&&")


class Book:
    """One workbook being written; ``close()`` finishes it.

    ``target`` is a path or a binary file. In memory (the default) the file is built whole
    when closed; ``stream=True`` writes each sheet's rows to a temporary file in ``tmpdir`` as
    they come (rows must then be written in order), so memory does not grow with the rows.
    ``reference`` goes in every page header. In a right-to-left language (``lang``, Arabic)
    every sheet runs from the right: column A on the right, as Excel shows a sheet in Arabic.
    """

    def __init__(
        self,
        target: str | Path | IO[bytes],
        *,
        title: str,
        reference: str,
        stream: bool = False,
        tmpdir: str | Path | None = None,
        lang: str = "en",
    ) -> None:
        options: dict[str, Any] = {
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            # the workbook's Normal style too, so that an empty or unstyled cell is in FONT
            "default_format_properties": {"font_name": FONT, "font_size": FONT_SIZE},
        }
        if stream:
            options |= {"constant_memory": True, "tmpdir": str(tmpdir) if tmpdir else None}
        else:
            options["in_memory"] = True
        self.workbook = xlsxwriter.Workbook(target, options)
        self.workbook.set_properties(
            {
                "title": clean_text(title),
                "author": f"finimpact {__version__}",
                "comments": "Written by finimpact: every figure is a formula with its value.",
                "created": FIXED_TIME,
            }
        )
        self.reference = reference
        self.right_to_left = is_rtl(lang)
        self.stream = stream
        self._formats: dict[tuple[str, str, bool, bool, bool], Format] = {}

    def style(
        self,
        name: str,
        number_format: str = "",
        wrap: bool = False,
        quoted: bool = False,
        indent: bool = False,
    ) -> Format:
        """The format of a named style (see _STYLES), in a number format, wrapped or not, with
        the quote prefix or not, indented (text, kept off the figures on its left) or not:
        made once per workbook."""
        key = (name, number_format, wrap, quoted, indent)
        found = self._formats.get(key)
        if found is None:
            props = {"font_name": FONT, "font_size": FONT_SIZE, "valign": "top", **_STYLES[name]}
            if number_format:
                props["num_format"] = number_format
            if wrap:
                props["text_wrap"] = True
            if quoted:
                props["quote_prefix"] = True
            if indent:  # with the alignment it applies to: left, unless the style says right
                props["indent"] = 1
                props.setdefault("align", "left")
            found = self._formats[key] = self.workbook.add_format(props)
        return found

    def sheet(
        self,
        name: str,
        *,
        header_rows: tuple[int, int] | None = None,
        freeze: tuple[int, int] | None = None,
    ) -> Sheet:
        """A new sheet, laid out for printing; ``header_rows`` (first, last, from 0) are
        repeated on every printed page; ``freeze`` is the first cell that scrolls."""
        return Sheet(self, name, header_rows, freeze)

    def define_name(
        self, name: str, sheet: Sheet, first: tuple[int, int], last: tuple[int, int] | None = None
    ) -> None:
        """A workbook-wide name for a cell, or a range from first to last (rows, columns)."""
        ref = cell(*first, absolute=True)
        if last is not None and last != first:
            ref += ":" + cell(*last, absolute=True)
        if self.workbook.define_name(name, f"={quote_sheetname(sheet.name)}!{ref}") != 0:
            raise ValueError(f"not a valid name for a range: {name!r}")

    def close(self) -> None:
        self.workbook.close()


class Sheet:
    """A worksheet: cells written through the house rules, the widths their content needs
    (set by ``finish``), and the print layout."""

    def __init__(
        self,
        book: Book,
        name: str,
        header_rows: tuple[int, int] | None,
        freeze: tuple[int, int] | None,
    ) -> None:
        self.book = book
        self.name = name
        ws: Worksheet = book.workbook.add_worksheet(name)
        self.ws = ws
        if book.right_to_left:
            ws.right_to_left()
        ws.set_landscape()
        ws.set_paper(A4)
        ws.fit_to_pages(1, 0)  # the page width, as many pages tall as needed
        ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
        if header_rows is not None:
            ws.repeat_rows(*header_rows)
        if freeze is not None:
            ws.freeze_panes(*freeze)
        font = f'&"{FONT},Regular"&9'
        ws.set_header(f"&L{font}{_page_text(book.reference)}&R{font}{_page_text(name)}")
        before, between, after = (_page_text(t) for t in page_parts())
        ws.set_footer(f"&L{font}finimpact {__version__}&R{font}{before}&P{between}&N{after}")
        self.widths: dict[int, float] = {}
        """Column → the width its content needs (characters)."""
        self.fixed: dict[int, float] = {}
        """Column → a width set by the caller, whatever the content."""
        self.heights: dict[int, int] = {}
        """Row → the lines of text it is made tall enough for."""
        self.wrapped: list[tuple[int, int, str, bool, bool]] = []
        """Wrapped texts whose rows ``finish`` makes tall enough: row, column, text, bold,
        indented."""
        self.merged: list[tuple[int, int, int, str]] = []
        """Merged texts: row, first and last column, text."""

    def _need(self, col: int, width: float) -> None:
        if width > self.widths.get(col, 0):
            self.widths[col] = width

    def text(
        self,
        row: int,
        col: int,
        value: str | None,
        style: str = "text",
        *,
        wrap_at: float | None = WIDEST,
        fits: bool = True,
    ) -> None:
        """Text that stays text, whatever it is. A text longer than ``wrap_at`` wraps (the
        column is made that wide); ``fits=False`` leaves the width alone (a title that may
        run over empty neighbours)."""
        if value is None or value == "":
            self.ws.write_blank(row, col, None, self.book.style(style))
            return
        text = clean_text(value)
        several = "\n" in text
        longest = max(map(len, text.split("\n"))) if several else len(text)
        header = style.startswith("header")
        wrap = fits and wrap_at is not None and (longest > wrap_at or several) and not header
        quoted = text.startswith(FORMULA_STARTS)
        indent = style != "header-number"
        fmt = self.book.style(style, wrap=wrap, quoted=quoted, indent=indent)
        self.ws.write_string(row, col, text, fmt)
        if not fits:
            return
        need: float
        if header:  # titles wrap at word boundaries: the longest word, or the whole if short
            words = max((len(w) for w in text.split()), default=0)
            need = min(longest, max(words, 12)) + 3
        else:
            need = min(longest, wrap_at) if wrap_at is not None else longest
            need = need * (1.1 if style in BOLD_STYLES else 1.0) + 3
        self._need(col, need)
        if header:  # a title wraps in its column, which may be narrower: its row as tall
            wrap, wrap_at = True, need
        if wrap and wrap_at is not None:
            bold = style in BOLD_STYLES
            if self.book.stream:  # the row goes to disk with the next one: its height now
                self.lines(row, wrapped_lines(text, wrap_at, bold=bold, indent=indent))
            else:  # when the column's width is known
                self.wrapped.append((row, col, text, bold, indent))

    def lines(self, row: int, count: int) -> None:
        """Make a row tall enough for this many lines of text (a spreadsheet does not size a
        row written with wrapped text itself)."""
        if count > self.heights.get(row, 1):
            self.heights[row] = count
            self.ws.set_row(row, LINE_HEIGHT * count)

    def number(
        self,
        row: int,
        col: int,
        value: Decimal | int,
        number_format: str = MONEY,
        style: str = "number",
    ) -> None:
        """A number (Decimal or int, never a float on the way in) in a number format."""
        self.ws.write_number(row, col, _number(value), self.book.style(style, number_format))
        self._need(col, shown_width(value, number_format) * 1.1 + 3)

    def formula(
        self,
        row: int,
        col: int,
        formula: str,
        value: Decimal | int,
        number_format: str = MONEY,
        style: str = "number",
    ) -> None:
        """A formula written by finimpact (never from user text), with its computed value."""
        if not formula.startswith("="):
            raise ValueError(f"not a formula: {formula!r}")
        fmt = self.book.style(style, number_format)
        self.ws.write_formula(row, col, formula, fmt, _number(value))
        self._need(col, shown_width(value, number_format) * 1.1 + 3)

    def date(self, row: int, col: int, value: dt.date, style: str = "number") -> None:
        """A date, shown as yyyy-mm-dd."""
        when = dt.datetime(value.year, value.month, value.day)
        self.ws.write_datetime(row, col, when, self.book.style(style, DATE))
        self._need(col, 13)

    def header(
        self, row: int, titles: Sequence[str], first_col: int = 0, numbers: Iterable[int] = ()
    ) -> None:
        """Column titles: bold, shaded, underlined, wrapped; those of the ``numbers`` columns
        aligned right, over their figures."""
        right = set(numbers)
        for i, title in enumerate(titles):
            col = first_col + i
            self.text(row, col, title, "header-number" if col in right else "header")

    def merged_text(
        self, row: int, first_col: int, last_col: int, value: str, style: str = "text"
    ) -> None:
        """A text over several columns of one row, wrapped, its row made as tall as the text
        (by ``finish``, when the widths are known: in memory only)."""
        text = clean_text(value)
        fmt = self.book.style(style, wrap=True, quoted=text.startswith(FORMULA_STARTS))
        self.ws.merge_range(row, first_col, row, last_col, text, fmt)
        self.merged.append((row, first_col, last_col, text))

    def width(self, col: int, width: float) -> None:
        """Set a column's width, whatever its content."""
        self.fixed[col] = width

    def finish(self, minimum: float = 6) -> None:
        """Give every column the width its content needs, and merged texts their height."""
        widths = {col: max(minimum, w) for col, w in self.widths.items()} | self.fixed
        for col, w in sorted(widths.items()):
            self.ws.set_column(col, col, round(w, 1))
        for row, col, text, bold, indent in self.wrapped:
            self.lines(row, wrapped_lines(text, widths.get(col, 8.43), bold=bold, indent=indent))
        for row, first, last, text in self.merged:
            room = sum(widths.get(c, 8.43) for c in range(first, last + 1))
            self.lines(row, wrapped_lines(text, room, indent=False))


def _number(value: Decimal | int) -> float | int:
    """A number as the file holds it (a double): ints stay ints."""
    return value if isinstance(value, int) else float(value)
