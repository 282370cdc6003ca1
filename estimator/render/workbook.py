"""The workbook: the estimate as live formulas a budget officer can audit and change.

Four sheets. **Workings** has one row per cost line; its rate is a formula naming a cell of
**Rates** (a defined name such as ``R_interpretation_2023``), its escalation factor a formula
over the card's yearly escalation (the defined name ``Escalation``) and the years, its amount
``ROUND(quantity × rate × escalation, 2)``. **Summary** totals the Workings with SUMIFS, so
changing one rate on the Rates sheet recomputes every line and total. **Proposal** lists the
activities as entered.

Python computes the estimate in Decimal; the workbook reproduces each line to the cent with
the same rule (ROUND in Excel and LibreOffice rounds half away from zero).

How it is written: ``estimator.render.spreadsheet`` (plain cells, written as openpyxl writes them).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from cost_models.money import ROUNDING_RULE
from cost_models.needs import ELEMENTS
from estimator import __version__
from estimator.core.estimate import CostLine, Estimate
from estimator.render.options import DEFAULT_OPTIONS, RenderOptions
from estimator.render.spreadsheet import (
    BOLD,
    LINE_HEIGHT,
    Book,
    SheetLayout,
    clean_text,
    number_format_for,
    wrapped_lines,
)
from estimator.render.wording import article34_statement

MONEY_FORMAT = "#,##0.00"
YEAR_FORMAT = "0"
FACTOR_FORMAT = "0.00000000"
PERCENT_FORMAT = "0.00##%"
TITLE = Font(bold=True, size=14)

RATES_HEADER_ROW = 7
LAYOUTS = (
    SheetLayout("Summary", "A2"),
    # eighteen columns: A3 keeps them readable
    SheetLayout("Workings", "C2", "1:1", Worksheet.PAPERSIZE_A3),
    SheetLayout("Rates", f"B{RATES_HEADER_ROW + 1}", f"{RATES_HEADER_ROW}:{RATES_HEADER_ROW}"),
    SheetLayout("Proposal", "A2", "1:1"),
)
"""The sheets of the workbook, in their order."""


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
    long_text(r, "Statement", article34_statement(estimate.article34))
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
    book = Book(LAYOUTS)
    rows = rate_rows(estimate)
    _summary_sheet(book, estimate)
    rate_at = _rates_sheet(book, estimate, rows)
    _workings_sheet(book, estimate, rows, rate_at)
    _proposal_sheet(book, estimate)
    return book


def render_workbook(estimate: Estimate, options: RenderOptions = DEFAULT_OPTIONS) -> bytes:
    """The renderer of the 'xlsx' output: <reference>.workings.xlsx."""
    return build_workbook(estimate).xlsx()
