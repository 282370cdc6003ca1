"""The workbook: the estimate as live formulas a budget officer can audit and change.

Four sheets. **Summary** lays the totals out as the annex does (object of expenditure, budget
unit, source of funding and activity, each by year, with totals), every figure a SUMIFS over
the Workings. **Workings** has one row per cost line: the amount beside the activity and the
year, ``ROUND(quantity × rate × escalation, 2)``; the rate a formula naming a cell of
**Rates** (a defined name such as ``R_interpretation``), the escalation factor a formula over
the card's yearly escalation (the defined name ``Escalation``), the years and the date the
rate's value is in force from; a total row. **Rates** holds the editable values (styled as
inputs): change one and every line and total that uses it recomputes. **Proposal** lists the
activities as entered.

Python computes the estimate in Decimal; every formula is written with the value Python
computed (a reader that does not recalculate sees the amounts), and the workbook reproduces
each line to the cent with the same rule (ROUND in Excel and LibreOffice rounds half away from
zero). Written by ``estimator.render.xlsx``.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, get_args

from xlsxwriter.utility import quote_sheetname

from cost_models.needs import ELEMENTS
from cost_models.parameters import BUDGET_UNITS, FUNDING, Year
from estimator import __version__
from estimator.core.estimate import CostLine, Estimate
from estimator.render import wording
from estimator.render.caveats import caveats
from estimator.render.options import DEFAULT_OPTIONS, RenderOptions
from estimator.render.wording import (
    ACTION_LABELS,
    FUNDING_LABELS,
    N_,
    ROUNDING_RULE_TEXT,
    UNIT_LABELS,
    VERDICTS,
    _,
    activity_title,
    amounts_unbroken,
    article34_statement,
    current_language,
    pgettext,
)
from estimator.render.xlsx import (
    FACTOR,
    MONEY,
    PERCENT,
    WIDEST,
    YEAR,
    Book,
    Sheet,
    cell,
    column,
    number_format_for,
)

ESCALATION_NAME = "Escalation"
"""A defined name: an identifier of the formulas, the same in every language."""
YES, NO = N_("yes"), N_("no")
"""External human resources, in the Workings column the Summary's SUMIFS counts."""
ZERO = Decimal("0.00")


def rates_sheet_name() -> str:
    """The Rates sheet's name in the workbook's language (the Workings' formulas refer to it)."""
    return pgettext("sheet name", "Rates")


def element_label(element: str) -> str:
    return _(ELEMENTS[element].label) if element in ELEMENTS else element


def funding_label(funding: str) -> str:
    return wording.label(FUNDING_LABELS, funding)


# -- names of rates ---------------------------------------------------------------------------


def _name_part(text: str) -> str:
    """A rate or activity id as part of a defined name: letters, digits and '_', short enough
    for a name (at most 255 characters, with its prefix and suffix)."""
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")[:200].strip("_") or "x"


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

    A card value is named R_<rate id>, or R_<rate id>_v1, _v2... in date order when the lines
    use several values of one rate: no name carries a date, which a user may change. Amounts
    stated in a proposal are named A_<activity id>.
    """
    card_order = {rate_id: i for i, rate_id in enumerate(estimate.rates)}
    used: dict[tuple[str, str], CostLine] = {}
    for line in estimate.lines:
        used.setdefault(_rate_key(line), line)
    cards = sorted(
        (k for k in used if k[0] != "stated"), key=lambda k: (card_order.get(k[0], 10**6), k)
    )
    stated = sorted(k for k in used if k[0] == "stated")
    versions: dict[str, list[tuple[str, str]]] = {}
    for key in cards:
        versions.setdefault(key[0], []).append(key)
    taken: set[str] = {ESCALATION_NAME.upper()}
    rows: dict[tuple[str, str], RateRow] = {}
    for key in [*cards, *stated]:
        line = used[key]
        if key[0] == "stated":
            base = f"A_{_name_part(line.activity)}"
        else:
            base = f"R_{_name_part(key[0])}"
            same = versions[key[0]]
            if len(same) > 1:
                base += f"_v{same.index(key) + 1}"
        name, n = base, 1
        while name.upper() in taken:
            n += 1
            name = f"{base}_{n}"
        taken.add(name.upper())
        rows[key] = _rate_row(estimate, line, name)
    return rows


def activity_titles(estimate: Estimate) -> dict[tuple[int, str], str]:
    """(activity index, id) → its title in the workbook's language (a template's part named in
    it: wording.activity_title)."""
    return {
        (a.index, a.id): activity_title(a.spec.title, a.part) for a in estimate.proposal.activities
    }


def line_title(estimate: Estimate, line: CostLine) -> str:
    """A cost line's activity title in the workbook's language."""
    return activity_titles(estimate).get((line.index, line.activity), line.title)


def _rate_row(estimate: Estimate, line: CostLine, name: str) -> RateRow:
    if line.rate_from is None:
        return RateRow(
            name=name,
            rate_id=line.rate_id,
            label=line_title(estimate, line),
            unit=_("lump sum a year"),
            value=line.rate,
            from_=None,
            source=line.source or _("stated in the proposal"),
            basis=line.basis,
            explanation=_(
                "Amount stated in the proposal for activity '%(activity)s' for each year it "
                "takes place; not escalated."
            )
            % {"activity": line.activity},
        )
    rate = estimate.rates.get(line.rate_id)
    unit, explanation = line.quantity_unit, ""
    if rate is not None:
        unit = _(rate.unit)
        value = rate.in_force(line.rate_from)
        if value is not None:
            parts = [
                _("Formula: %(formula)s") % {"formula": value.formula} if value.formula else "",
                value.derivation or "",
                value.assumption or "",
                value.note or "",
            ]
            explanation = pgettext("clauses", "; ").join(p for p in parts if p)
    return RateRow(
        name=name,
        rate_id=line.rate_id,
        label=amounts_unbroken(line.rate_label),
        unit=unit,
        value=line.rate,
        from_=line.rate_from,
        source=amounts_unbroken(line.source),
        basis=line.basis,
        explanation=amounts_unbroken(explanation),
    )


# -- Workings ---------------------------------------------------------------------------------

WORKINGS_COLUMNS = (
    ("title", N_("Activity")),
    ("year", N_("Year")),
    ("amount", N_("Amount")),
    ("element", N_("Object of expenditure")),
    ("unit", N_("Budget unit")),
    ("funding", N_("Funding")),
    ("quantity", N_("Quantity")),
    ("quantity_unit", N_("Quantity unit")),
    ("quantity_basis", N_("How the quantity was obtained")),
    ("rate", N_("Rate")),
    ("escalation", N_("Escalation factor")),
    # on screen, not on paper (the Rates sheet prints the rates' sources)
    ("rate_label", N_("Rate used")),
    ("source", N_("Source of the rate")),
    ("basis", N_("Basis")),
    ("external", N_("External human resources")),
    ("goal", N_("Strategic goal")),
    ("activity", N_("Activity id")),
)
COL = {key: i for i, (key, _) in enumerate(WORKINGS_COLUMNS)}
"""Workings column (from 0) by key."""
PRINTED = COL["escalation"]
"""The last Workings column printed: the working of each amount, legible on A4."""
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
FIRST_LINE = 1
"""The Workings row (from 0) of the first cost line, under the column titles."""

# -- Rates ------------------------------------------------------------------------------------

RATE_COLUMNS = (
    N_("Name"),
    N_("Rate id"),
    N_("Label"),
    N_("Unit"),
    N_("Value"),
    N_("In force from"),
    N_("Source"),
    N_("Basis"),
    N_("Derivation or assumption"),
)
RATE_VALUE_COL, RATE_FROM_COL = 4, 5
ESCALATION_CELL = (2, 1)
RATES_HEADER_ROW = 6


def _rates_sheet(
    book: Book,
    estimate: Estimate,
    rows: Mapping[tuple[str, str], RateRow],
    rate_at: Mapping[tuple[str, str], int],
) -> None:
    """The Rates sheet, each value on the row ``rate_at`` gives it (the Workings refer to it)."""
    head = RATES_HEADER_ROW
    ws = book.sheet(rates_sheet_name(), header_rows=(head, head), freeze=(head + 1, 1))
    ws.ws.print_area(0, 0, head + max(len(rows), 1), len(RATE_COLUMNS) - 1)
    card = estimate.card
    last = len(RATE_COLUMNS) - 1
    ws.text(0, 0, _("Rate card"), "bold")
    ws.merged_text(0, 1, last, _("%(id)s: %(title)s") % {"id": card.id, "title": card.title})
    ws.text(1, 0, _("Currency"), "bold")
    ws.text(1, 1, card.currency)
    ws.text(2, 0, _("Yearly escalation"), "bold")
    ws.number(*ESCALATION_CELL, card.escalation, PERCENT, "input")
    book.define_name(ESCALATION_NAME, ws, ESCALATION_CELL)
    if card.escalation_source:
        ws.merged_text(2, 2, last, amounts_unbroken(card.escalation_source))
    ws.text(3, 0, _("Card file SHA-256"), "bold")
    ws.merged_text(3, 1, last, estimate.card_sha256)
    if card.indicative:
        ws.merged_text(
            4,
            0,
            last,
            _("Indicative card built from public figures, not a secretariat's standard costs."),
        )
    ws.merged_text(
        5,
        0,
        last,
        _(
            "The shaded cells are inputs: change a value, a date or the escalation, and every "
            "line and total that uses it recomputes. Each value is a defined name the Workings "
            "use."
        ),
        "italic",
    )
    titles = [_(title) for title in RATE_COLUMNS]
    titles[RATE_VALUE_COL] = _("Value (%(currency)s)") % {"currency": card.currency}
    ws.header(head, titles, numbers=(RATE_VALUE_COL,))
    for key, rate in rows.items():
        r = rate_at[key]
        ws.text(r, 0, rate.name)
        ws.text(r, 1, rate.rate_id)
        ws.text(r, 2, rate.label, wrap_at=30)
        ws.text(r, 3, rate.unit, wrap_at=18)
        ws.number(r, RATE_VALUE_COL, rate.value, number_format_for(rate.value, 2), "input")
        book.define_name(rate.name, ws, (r, RATE_VALUE_COL))
        if rate.from_ is not None:
            ws.date(r, RATE_FROM_COL, rate.from_, "input")
        ws.text(r, 6, rate.source, wrap_at=35)
        ws.text(r, 7, rate.basis)
        ws.text(r, 8, rate.explanation, wrap_at=45)
    ws.finish()


def _workings_sheet(
    book: Book,
    estimate: Estimate,
    rows: Mapping[tuple[str, str], RateRow],
    rate_at: Mapping[tuple[str, str], int],
) -> None:
    ws = book.sheet(
        pgettext("sheet name", "Workings"), header_rows=(0, 0), freeze=(FIRST_LINE, COL["year"])
    )
    ws.ws.print_area(0, 0, FIRST_LINE + len(estimate.lines), PRINTED)
    cur = estimate.currency
    titles = [_(title) for _key, title in WORKINGS_COLUMNS]
    titles[COL["rate"]] = _("Rate (%(currency)s)") % {"currency": cur}
    titles[COL["amount"]] = _("Amount (%(currency)s)") % {"currency": cur}
    numbers = [COL[k] for k in ("year", "amount", "quantity", "rate", "escalation")]
    ws.header(0, titles, numbers=numbers)
    c = COL
    letter = {key: column(i) for key, i in c.items()}
    last = FIRST_LINE + max(len(estimate.lines), 1) - 1
    activity_names = activity_titles(estimate)
    for r, line in enumerate(estimate.lines, start=FIRST_LINE):
        key = _rate_key(line)
        rate = rows[key]
        n = r + 1  # the row's number in A1 references
        ws.text(r, c["activity"], line.activity)
        ws.text(
            r, c["title"], activity_names.get((line.index, line.activity), line.title), wrap_at=28
        )
        ws.number(r, c["year"], line.year, YEAR)
        ws.formula(
            r,
            c["amount"],
            f"=ROUND({letter['quantity']}{n}*{letter['rate']}{n}*{letter['escalation']}{n},2)",
            line.amount,
        )
        ws.text(r, c["element"], element_label(line.element), wrap_at=22)
        ws.text(r, c["unit"], line.unit)
        ws.text(r, c["funding"], funding_label(line.funding), wrap_at=16)
        ws.number(r, c["quantity"], line.quantity, number_format_for(line.quantity))
        ws.text(r, c["quantity_unit"], line.quantity_unit, wrap_at=16)
        ws.formula(r, c["rate"], f"={rate.name}", line.rate, number_format_for(rate.value, 2))
        if line.rate_from is None:
            ws.number(r, c["escalation"], 1, FACTOR)
        else:
            since_cell = cell(rate_at[key], RATE_FROM_COL, absolute=True)
            since = f"YEAR({quote_sheetname(rates_sheet_name())}!{since_cell})"
            ws.formula(
                r,
                c["escalation"],
                f"=(1+{ESCALATION_NAME})^({letter['year']}{n}-{since})",
                line.escalation,
                FACTOR,
            )
        ws.text(r, c["quantity_basis"], line.quantity_basis, wrap_at=36)
        ws.text(r, c["rate_label"], amounts_unbroken(line.rate_label), wrap_at=WIDEST)
        ws.text(r, c["source"], amounts_unbroken(line.source), wrap_at=WIDEST)
        ws.text(r, c["basis"], line.basis)
        ws.text(r, c["external"], _(YES) if line.external else _(NO))
        ws.text(r, c["goal"], line.goal)
    for column_key, name in LINE_NAMES.items():
        col = c[column_key]
        book.define_name(name, ws, (FIRST_LINE, col), (last, col))
    ws.ws.autofilter(0, 0, last, len(WORKINGS_COLUMNS) - 1)
    total = last + 1
    ws.text(total, c["title"], _("Total of the lines shown"), "total", fits=False)
    for col in range(len(WORKINGS_COLUMNS)):
        if col not in (c["title"], c["amount"]):
            ws.text(total, col, None, "total")
    ws.formula(
        total, c["amount"], f"=SUBTOTAL(9,{LINE_NAMES['amount']})", estimate.total, MONEY, "total"
    )
    ws.finish()


# -- Summary ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """One table of the Summary: a row per item, a column per year, with totals."""

    title: str
    label_header: str
    key: str
    """The Workings column (LINE_NAMES) its rows are totalled over."""
    items: Sequence[tuple[str, str, bool]]
    """Each row: its label, what the Workings column holds for it, and whether that criterion
    is written in the formula (a code of finimpact's, never text from the proposal) or read
    from the label cell."""
    of: Callable[[CostLine], str]
    """What the Workings column holds for a line."""


def _blocks(estimate: Estimate) -> list[Block]:
    lines = estimate.lines
    elements = [e for e in ELEMENTS if any(line.element == e for line in lines)]
    elements += sorted({line.element for line in lines} - set(elements))
    units = [u for u in BUDGET_UNITS if any(line.unit == u for line in lines)]
    units += sorted({line.unit for line in lines} - set(units))
    by_index = activity_titles(estimate)
    titles: dict[str, str] = {}
    for line in lines:
        if line.activity not in titles:
            titles[line.activity] = by_index.get((line.index, line.activity), line.title)
    return [
        Block(
            _("By object of expenditure"),
            _("Object of expenditure"),
            "element",
            [(element_label(e), element_label(e), False) for e in elements],
            lambda line: element_label(line.element),
        ),
        Block(
            _("By budget unit"),
            _("Budget unit"),
            "unit",
            [(wording.label(UNIT_LABELS, u), u, True) for u in units],
            lambda line: line.unit,
        ),
        Block(
            _("By source of funding"),
            _("Funding"),
            "funding",
            [(funding_label(f), funding_label(f), False) for f in FUNDING],
            lambda line: funding_label(line.funding),
        ),
        Block(
            _("By activity"),
            _("Activity"),
            "activity",
            [(title, activity, True) for activity, title in titles.items()],
            lambda line: line.activity,
        ),
    ]


def _literal(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _summary_sheet(book: Book, estimate: Estimate) -> None:
    ws = book.sheet(pgettext("sheet name", "Summary"))
    info = estimate.proposal.info
    cur = estimate.currency
    years = list(estimate.by_year())
    total_col = len(years) + 1
    last_col = max(total_col, 4)
    title = _("Financial implications of proposal %(reference)s") % {"reference": info.reference}
    ws.text(0, 0, title, "title", fits=False)
    card = estimate.card
    ident: list[tuple[str, str | None]] = [
        (_("Reference"), info.reference),
        (_("Title"), info.title),
        (_("Conference"), info.conference),
        (_("Submitted by"), pgettext("clauses", "; ").join(info.submitted_by)),
        (_("Action"), wording.label(ACTION_LABELS, info.action) if info.action else None),
        (_("Instrument"), info.instrument),
        (_("Responsible budget unit"), wording.label(UNIT_LABELS, info.responsible)),
        (_("Period"), _("%(first)s–%(last)s") % {"first": info.period[0], "last": info.period[1]}),
        (_("Rate card"), _("%(id)s: %(title)s") % {"id": card.id, "title": card.title}),
        (_("Currency"), cur),
        (_("Produced by"), _("finimpact %(version)s") % {"version": __version__}),
    ]
    ident += [
        (_("Request %(n)s") % {"n": i}, text) for i, text in enumerate(info.requests, start=1)
    ]
    if card.indicative:
        note = _("The rates are indicative (public figures), not ITU standard costs.")
        ident.append((_("Note"), note))

    def long_text(row: int, label: str, value: str | None, style: str = "text") -> None:
        """A label in A and a text over the columns of the tables, wrapped (an amount in the
        proposal's own words kept whole)."""
        ws.text(row, 0, label, "bold", wrap_at=40)
        if value:
            ws.merged_text(row, 1, last_col, amounts_unbroken(value), style)

    r = 2
    for label, value in ident:
        if value:
            long_text(r, label, value)
            r += 1
    r += 1
    ws.text(r, 0, _("Total (%(currency)s)") % {"currency": cur}, "total")
    ws.formula(r, 1, f"=SUM({LINE_NAMES['amount']})", estimate.total, MONEY, "total")
    r += 1
    ws.text(r, 0, _("of which external human resources (%(currency)s)") % {"currency": cur})
    ws.formula(
        r,
        1,
        f"=SUMIFS({LINE_NAMES['amount']},{LINE_NAMES['external']},{_literal(_(YES))})",
        estimate.external_human_resources,
    )
    r += 2
    for block in _blocks(estimate):
        r = _block(ws, block, r, years, estimate) + 1
    ws.text(r, 0, _("Article 34 of the ITU Convention"), "bold", fits=False)
    r += 1
    long_text(r, _("Verdict"), wording.label(VERDICTS, estimate.article34.verdict))
    r += 1
    long_text(r, _("Statement"), article34_statement(estimate.article34))
    r += 1
    long_text(
        r,
        _("Note"),
        _(
            "The verdict and statement are those of the estimate as produced; the totals above "
            "recompute when a rate changes."
        ),
    )
    r += 2
    long_text(r, _("Rounding"), _(ROUNDING_RULE_TEXT))
    for caveat in caveats(estimate):
        r += 1
        long_text(r, _("Caveat"), caveat)
    ws.finish()


def _block(ws: Sheet, block: Block, top: int, years: Sequence[int], estimate: Estimate) -> int:
    """One table from row ``top``: title, column titles, a row per item, a total row.
    Returns the row after it."""
    cur = estimate.currency
    amounts: dict[tuple[str, int], Decimal] = {}
    for line in estimate.lines:
        k = (block.of(line), line.year)
        amounts[k] = amounts.get(k, ZERO) + line.amount
    ws.text(
        top,
        0,
        _("%(title)s (%(currency)s)") % {"title": block.title, "currency": cur},
        "bold",
        fits=False,
    )
    head = top + 1
    total_col = len(years) + 1
    ws.header(head, [block.label_header], numbers=())
    for j, year in enumerate(years, start=1):
        ws.ws.write_number(head, j, year, ws.book.style("header-number", YEAR))
    ws.text(head, total_col, _("Total"), "header-number")
    first = head + 1
    amount = LINE_NAMES["amount"]
    for i, (label, value, literal) in enumerate(block.items):
        r = first + i
        ws.text(r, 0, label, wrap_at=45)
        criterion = _literal(value) if literal else f"$A{r + 1}"
        row_total = ZERO
        for j, year in enumerate(years, start=1):
            figure = amounts.get((value, year), ZERO)
            row_total += figure
            year_cell = f"{column(j)}${head + 1}"
            ws.formula(
                r,
                j,
                f"=SUMIFS({amount},{LINE_NAMES[block.key]},{criterion},"
                f"{LINE_NAMES['year']},{year_cell})",
                figure,
            )
        ws.formula(r, total_col, f"=SUM({cell(r, 1)}:{cell(r, total_col - 1)})", row_total)
    last = first + len(block.items) - 1
    total = last + 1
    ws.text(total, 0, _("Total"), "total")
    for j in range(1, total_col + 1):
        figure = (
            sum((amounts.get((v, years[j - 1]), ZERO) for _, v, _ in block.items), ZERO)
            if j < total_col
            else sum((a for (v, _), a in amounts.items()), ZERO)
        )
        formula = f"=SUM({cell(first, j)}:{cell(last, j)})" if block.items else "=0"
        ws.formula(total, j, formula, figure, MONEY, "total")
    return total + 1


# -- Proposal ---------------------------------------------------------------------------------


def _shown(value: Any) -> Any:
    if isinstance(value, bool):
        return _(YES) if value else _(NO)
    if isinstance(value, tuple | list):
        return pgettext("list separator", ", ").join(str(v) for v in value)
    return value


def _holds_years(annotation: Any) -> bool:
    """Whether a field of an activity holds a year (``once``): shown without a separator."""
    return bool(annotation == Year or any(_holds_years(a) for a in get_args(annotation)))


def _proposal_sheet(book: Book, estimate: Estimate) -> None:
    ws = book.sheet(pgettext("sheet name", "Proposal"), header_rows=(0, 0), freeze=(1, 0))
    titles = ["#", _("Activity"), _("Key"), _("Value"), _("Where the value comes from")]
    ws.header(0, titles, numbers=(0,))
    r = 1
    for activity in estimate.proposal.activities:
        spec = activity.spec
        given = spec.model_fields_set
        from_template = {d.key: d for d in activity.defaults}
        entries: list[tuple[str, Any, str]] = []
        if activity.template:
            entries.append(
                ("template", activity.template, _("entered (conference activity template)"))
            )
        for key in type(spec).model_fields:
            value = getattr(spec, key)
            if value is None:
                continue
            if key in from_template:
                origin = _("template default: %(why)s") % {"why": _(from_template[key].why)}
            elif key in given:
                origin = (
                    _("entered") if not activity.template else _("entered or from the template")
                )
            else:
                origin = _("default")
            entries.append((key, value, origin))
        for key, value, origin in entries:
            ws.number(r, 0, activity.index + 1, "0")
            ws.text(r, 1, spec.id)
            ws.text(r, 2, key)
            shown = _shown(value)
            if isinstance(shown, Decimal | int):
                fields = type(spec).model_fields
                year = key in fields and _holds_years(fields[key].annotation)
                shown_as = YEAR if year else number_format_for(shown)
                ws.number(r, 3, shown, shown_as, "number-left")
            else:
                ws.text(r, 3, str(shown), wrap_at=50)
            ws.text(r, 4, origin, wrap_at=60)
            r += 1
    ws.ws.autofilter(0, 0, max(1, r - 1), 4)
    ws.finish()


def render_workbook(estimate: Estimate, options: RenderOptions = DEFAULT_OPTIONS) -> bytes:
    """The renderer of the 'xlsx' output: <reference>.workings.xlsx (Summary, Workings, Rates,
    Proposal)."""
    out = io.BytesIO()
    info = estimate.proposal.info
    title = _("Workings of %(reference)s") % {"reference": info.reference}
    book = Book(out, title=title, reference=info.reference, lang=current_language())
    rows = rate_rows(estimate)
    rate_at = {key: RATES_HEADER_ROW + 1 + i for i, key in enumerate(rows)}
    _summary_sheet(book, estimate)
    _workings_sheet(book, estimate, rows, rate_at)
    _rates_sheet(book, estimate, rows, rate_at)
    _proposal_sheet(book, estimate)
    book.close()
    return out.getvalue()
