"""Estimates side by side (``finimpact compare``): one view model of a
:class:`~estimator.core.difference.Difference`, laid out on the console, in Markdown and HTML,
as JSON and as a workbook whose amounts are live formulas over every cost line.

The view does no arithmetic of its own: amounts and changes are the difference's, formatted by
the presentation layer (wording.py). The workbook recomputes them: each amount is a SUMIFS over
the Lines sheet (every cost line of every estimate), each change a subtraction, so a budget
officer sees where every figure comes from.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from xlsxwriter.utility import quote_sheetname

from cost_models.needs import ELEMENTS
from estimator import __version__
from estimator.core.difference import Difference, Dimension, Row
from estimator.render import markdown
from estimator.render.annex import css_string
from estimator.render.outputs import write_all
from estimator.render.resources import templates_dir
from estimator.render.wording import (
    FORMATS,
    FUNDING_LABELS,
    N_,
    UNIT_LABELS,
    VERDICTS,
    _,
    currency_amount,
    current_language,
    install_words,
    label,
    language,
    pgettext,
)
from estimator.render.xlsx import MONEY, YEAR, Book, Sheet, cell

STEM = "comparison"
FORMATS_WRITTEN = ("json", "xlsx", "html", "md")
"""The formats compare writes, in this order, as comparison.<format>."""

ZERO = Decimal("0.00")
SIGNED = "+#,##0.00;-#,##0.00;0.00"
"""A change in a workbook: its sign always shown."""

TABLE_TITLES: dict[Dimension, tuple[str, str]] = {
    "year": (N_("By year"), N_("Year")),
    "element": (N_("By object of expenditure"), N_("Object of expenditure")),
    "unit": (N_("By budget unit"), N_("Budget unit")),
    "funding": (N_("By source of funding"), N_("Funding")),
    "activity": (N_("By activity"), N_("Activity")),
}
"""Each table's title and the heading of its first column."""

HOW_TO_READ = N_(
    "Each estimate is compared with the first, %(first)s: a change is the estimate's amount "
    "minus the first's. Every amount is a sum of the estimate's own cost lines, each rounded "
    "to the cent; nothing is priced again."
)
WORKBOOK_NOTE = N_(
    "In %(currency)s. Each amount is the sum of the estimate's lines on the %(lines)s sheet "
    "(SUMIFS); each change is the estimate's amount minus the first's: change a line and "
    "every table recomputes."
)


def row_label(dimension: Dimension, row: Row) -> str:
    """A row's key as the outputs name it: an object of expenditure, a budget unit or a source
    of funding in words, an activity by its title, a year as it is."""
    key = str(row.key)
    if dimension == "element":
        return _(ELEMENTS[key].label) if key in ELEMENTS else key
    if dimension == "unit":
        return label(UNIT_LABELS, key)
    if dimension == "funding":
        return label(FUNDING_LABELS, key)
    if dimension == "activity":
        return row.title or key
    return key


def shown_rows(diff: Difference, dimension: Dimension) -> tuple[Row, ...]:
    """The rows a table shows: every row but one that is nil in every estimate (a rate priced
    at nil), except the sources of funding, which are all named."""
    rows = diff.table(dimension)
    if dimension == "funding":
        return rows
    return tuple(r for r in rows if any(r.amount(i) for i in range(len(diff.estimates))))


def amount_text(value: Decimal | None) -> str:
    """An amount to the cent; nil (or absent) as a dash, as in the annex."""
    if not value:
        return pgettext("nil amount", "–")
    return FORMATS.money(value)


def change_text(value: Decimal) -> str:
    """A change with its sign: '+36,000.00', '-7,272.00'; no change as a dash."""
    if not value:
        return pgettext("nil amount", "–")
    if value > 0:
        return pgettext("increase", "+%(amount)s") % {"amount": FORMATS.money(value)}
    return FORMATS.money(value)


def _cells(diff: Difference, row: Row) -> list[dict[str, Any]]:
    cells: list[dict[str, Any]] = [
        {"text": amount_text(row.amounts[0]), "change": False, "up": False}
    ]
    for i in diff.others:
        cells.append({"text": amount_text(row.amounts[i]), "change": False, "up": False})
        cells.append({"text": change_text(row.change(i)), "change": True, "up": row.change(i) > 0})
    return cells


def _what_changed(diff: Difference, i: int) -> list[str]:
    """What estimate ``i`` adds, removes and changes, activity by activity, in sentences."""
    cur = diff.currency
    say: list[str] = []
    for row in diff.activities(i, "added"):
        say.append(
            _("Adds %(activity)s: %(amount)s.")
            % {
                "activity": row_label("activity", row),
                "amount": currency_amount(cur, amount_text(row.amount(i))),
            }
        )
    for row in diff.activities(i, "removed"):
        say.append(
            _("Removes %(activity)s: %(amount)s.")
            % {
                "activity": row_label("activity", row),
                "amount": currency_amount(cur, amount_text(row.amount(0))),
            }
        )
    for row in diff.activities(i, "changed"):
        say.append(
            _("Changes %(activity)s: %(before)s becomes %(after)s (%(change)s).")
            % {
                "activity": row_label("activity", row),
                "before": currency_amount(cur, amount_text(row.amount(0))),
                "after": currency_amount(cur, amount_text(row.amount(i))),
                "change": change_text(row.change(i)),
            }
        )
    if not say:
        say.append(_("Costs every activity as the first does."))
    return say


def view(diff: Difference) -> dict[str, Any]:
    """Everything the console, Markdown and HTML show, as text: they do no arithmetic."""
    names = diff.names
    cur = diff.currency
    header = [names[0]]
    for i in diff.others:
        header += [names[i], _("Change")]
    tables = []
    for dimension, (title, first_column) in TABLE_TITLES.items():
        rows = shown_rows(diff, dimension)
        tables.append(
            {
                "id": dimension,
                "title": _(title),
                "header": [_(first_column), *header],
                "rows": [
                    {"label": row_label(dimension, r), "cells": _cells(diff, r)} for r in rows
                ],
                "total": {"label": _("Total"), "cells": _cells(diff, diff.total)},
            }
        )
    estimates = []
    for n, (name, e) in enumerate(zip(names, diff.estimates, strict=True), start=1):
        a = e.article34
        estimates.append(
            {
                "number": n,
                "name": name,
                "reference": e.proposal.info.reference,
                "title": e.proposal.info.title,
                "file": Path(e.proposal.file).name,
                "sha256": e.proposal.sha256,
                "card": e.card.id,
                "card_sha256": e.card_sha256,
                "plan": a.plan.info.id if a.plan is not None else "",
                "total": currency_amount(cur, amount_text(e.total)),
                "additional": currency_amount(cur, amount_text(a.additional)),
                "verdict": label(VERDICTS, a.verdict),
            }
        )
    others = [
        {
            "name": names[i],
            "headline": _(
                "%(name)s: %(total)s, %(change)s compared with %(first)s (%(first_total)s)."
            )
            % {
                "name": names[i],
                "total": currency_amount(cur, amount_text(diff.total.amount(i))),
                "change": currency_amount(cur, change_text(diff.total.change(i))),
                "first": names[0],
                "first_total": currency_amount(cur, amount_text(diff.total.amount(0))),
            },
            "changes": _what_changed(diff, i),
        }
        for i in diff.others
    ]
    return {
        "title": _("Comparison of estimates"),
        "lang": current_language(),
        "version": __version__,
        "currency": cur,
        "in_currency": _("Amounts in %(currency)s.") % {"currency": cur},
        "how_to_read": _(HOW_TO_READ) % {"first": names[0]},
        "estimates": estimates,
        "others": others,
        "tables": tables,
    }


# -- Console ----------------------------------------------------------------------------------


def console(diff: Difference) -> str:
    """The comparison as plain text for a terminal: the headlines, then each table with its
    columns aligned."""
    v = view(diff)
    out = [f"{v['title']}. {v['in_currency']}", v["how_to_read"], ""]
    for e in v["estimates"]:
        out.append(f"{e['number']}. {e['name']}: {e['reference']}, {e['title']}")
    out.append("")
    for o in v["others"]:
        out.append(o["headline"])
        out += [f"  {s}" for s in o["changes"]]
    for t in v["tables"]:
        out += ["", t["title"]]
        lines = [t["header"]] + [
            [r["label"], *(c["text"] for c in r["cells"])] for r in [*t["rows"], t["total"]]
        ]
        widths = [max(len(line[j]) for line in lines) for j in range(len(t["header"]))]
        widths[0] = min(widths[0], 40)
        for line in lines:
            first = line[0] if len(line[0]) <= 40 else line[0][:39] + "…"
            rest = "  ".join(text.rjust(w) for text, w in zip(line[1:], widths[1:], strict=True))
            out.append(f"  {first.ljust(widths[0])}  {rest}")
    return "\n".join(out)


# -- Markdown and HTML ------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates_dir())),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cell"] = markdown.cell
    env.filters["line"] = markdown.line
    env.filters["css_string"] = css_string
    install_words(env)
    return env


def render_markdown(diff: Difference) -> bytes:
    return _environment().get_template("compare.md.j2").render(**view(diff)).encode("utf-8")


def render_html(diff: Difference) -> bytes:
    return _environment().get_template("compare.html.j2").render(**view(diff)).encode("utf-8")


def render_json(diff: Difference) -> bytes:
    return (json.dumps(diff.to_json(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


# -- Workbook ---------------------------------------------------------------------------------

LINES_HEAD = 3
"""The Lines sheet: a title, a note, a blank row, then its header."""
LINE_COLUMNS = (
    N_("Estimate"),
    N_("Activity"),
    N_("Activity title"),
    N_("Object of expenditure"),
    N_("Budget unit"),
    N_("Funding"),
    N_("Year"),
    N_("Quantity"),
    N_("Rate"),
    N_("Escalation factor"),
    N_("Amount"),
    N_("Source of the rate"),
)
ESTIMATE_COL, KEYS = 0, {"activity": 2, "element": 4, "unit": 5, "funding": 6, "year": 7}
"""Columns of the Lines sheet a SUMIFS reads: the estimate's number, and each table's key."""
AMOUNT_COL = 11


def render_xlsx(diff: Difference) -> bytes:
    """The workbook: the Comparison sheet (the estimates, then each table: an amount per
    estimate as a SUMIFS over the Lines sheet, the change as a subtraction) and the Lines
    sheet (every cost line of every estimate, its key columns as codes: the criteria)."""
    buffer = BytesIO()
    title = _("Comparison of estimates")
    book = Book(buffer, title=title, reference=" / ".join(diff.names))
    cur = diff.currency
    sheet = book.sheet(pgettext("sheet name", "Comparison"), freeze=(0, 2))
    lines_name = pgettext("sheet name", "Lines")  # formulas name it as the language does
    lines = book.sheet(lines_name, header_rows=(LINES_HEAD, LINES_HEAD), freeze=(LINES_HEAD + 1, 2))
    first = LINES_HEAD + 1
    count = sum(len(e.lines) for e in diff.estimates)
    last = first + max(count, 1) - 1

    def column(col: int) -> str:
        return f"{quote_sheetname(lines_name)}!{cell(first, col, True)}:{cell(last, col, True)}"

    # the Lines sheet
    lines.text(0, 0, _("Every cost line of every estimate"), "title", fits=False)
    lines.text(1, 0, _("In %(currency)s.") % {"currency": cur}, fits=False)
    lines.header(LINES_HEAD, ["#", *(_(c) for c in LINE_COLUMNS)], numbers=(0, 7, 8, 9, 10, 11))
    row = first
    for n, (name, e) in enumerate(zip(diff.names, diff.estimates, strict=True), start=1):
        for line in e.lines:
            lines.number(row, 0, n, "0")
            lines.text(row, 1, name)
            lines.text(row, 2, line.activity)
            lines.text(row, 3, line.title, wrap_at=40)
            lines.text(row, 4, line.element)
            lines.text(row, 5, line.unit)
            lines.text(row, 6, line.funding)
            lines.number(row, 7, line.year, YEAR)
            lines.number(row, 8, line.quantity, "#,##0.####")
            lines.number(row, 9, line.rate, "#,##0.00##")
            lines.number(row, 10, line.escalation, "0.0000")
            lines.number(row, 11, line.amount)
            lines.text(row, 12, line.source, wrap_at=50)
            row += 1
    lines.ws.autofilter(LINES_HEAD, 0, last, len(LINE_COLUMNS) - 1)
    lines.finish()

    # the Comparison sheet
    sheet.text(0, 0, title, "title", fits=False)
    sheet.text(1, 0, _(WORKBOOK_NOTE) % {"currency": cur, "lines": lines_name}, fits=False)
    sheet.text(2, 0, _(HOW_TO_READ) % {"first": diff.names[0]}, fits=False)
    at = 4
    heads = ["#", _("Estimate"), _("Reference"), _("Title"), _("Rate card"), _("Total")]
    sheet.header(at, heads, numbers=(0, 5))
    sheet.text(at, 6, _("Article 34"), "header")
    for n, (name, e) in enumerate(zip(diff.names, diff.estimates, strict=True), start=1):
        at += 1
        sheet.number(at, 0, n, "0")
        sheet.text(at, 1, name)
        sheet.text(at, 2, e.proposal.info.reference)
        sheet.text(at, 3, e.proposal.info.title, wrap_at=40)
        sheet.text(at, 4, e.card.id)
        sheet.formula(at, 5, f"=SUMIFS({column(AMOUNT_COL)},{column(ESTIMATE_COL)},{n})", e.total)
        sheet.text(at, 6, label(VERDICTS, e.article34.verdict), wrap_at=40)
    for dimension, (table_title, first_column) in TABLE_TITLES.items():
        at += 2
        at = _table(sheet, diff, dimension, _(table_title), _(first_column), at, column)
    sheet.finish()
    book.close()
    return buffer.getvalue()


def _table(
    sheet: Sheet,
    diff: Difference,
    dimension: Dimension,
    title: str,
    first_column: str,
    at: int,
    column: Callable[[int], str],
) -> int:
    """One table of the Comparison sheet from row ``at``: key (a code, the SUMIFS criterion),
    label, then per estimate its amount, and after each but the first its change. Returns the
    last row written."""
    sheet.text(at, 0, title, "bold", fits=False)
    at += 1
    heads = [_("Key"), first_column, diff.names[0]]
    for i in diff.others:
        heads += [diff.names[i], _("Change")]
    sheet.header(at, heads, numbers=range(2, len(heads)))
    rows = shown_rows(diff, dimension)
    top = at + 1
    key_col = KEYS[dimension]
    for row in rows:
        at += 1
        if isinstance(row.key, int):
            sheet.number(at, 0, row.key, YEAR)
        else:
            sheet.text(at, 0, row.key)
        sheet.text(at, 1, "" if dimension == "year" else row_label(dimension, row), wrap_at=40)
        criterion = f"{column(key_col)},{cell(at, 0)}"
        _figures(
            sheet,
            at,
            [
                (
                    f"=SUMIFS({column(AMOUNT_COL)},{column(ESTIMATE_COL)},{i + 1},{criterion})",
                    row.amount(i),
                )
                for i in range(len(diff.estimates))
            ],
        )
    at += 1
    sheet.text(at, 0, None, "total")
    sheet.text(at, 1, _("Total"), "total")
    bottom = at - 1
    sums = [
        (
            f"=SUM({cell(top, _amount_col(i))}:{cell(bottom, _amount_col(i))})" if rows else "=0",
            diff.total.amount(i),
        )
        for i in range(len(diff.estimates))
    ]
    _figures(sheet, at, sums, "total")
    return at


def _amount_col(i: int) -> int:
    """The column of estimate ``i``'s amount in a table: 2, then 3, 5, 7 (a change after each
    but the first)."""
    return 2 if i == 0 else 1 + 2 * i


def _figures(
    sheet: Sheet, at: int, amounts: list[tuple[str, Decimal]], style: str = "number"
) -> None:
    """One table row: each estimate's amount (a formula and its value), and after each but the
    first its change, a subtraction."""
    for i, (formula, value) in enumerate(amounts):
        col = _amount_col(i)
        sheet.formula(at, col, formula, value, MONEY, style)
        if i:
            change = f"={cell(at, col)}-{cell(at, _amount_col(0))}"
            sheet.formula(at, col + 1, change, value - amounts[0][1], SIGNED, style)


# -- Files ------------------------------------------------------------------------------------

RENDER: dict[str, Callable[[Difference], bytes]] = {
    "json": render_json,
    "xlsx": render_xlsx,
    "html": render_html,
    "md": render_markdown,
}


def render(
    diff: Difference, formats: tuple[str, ...] = FORMATS_WRITTEN, lang: str = "en"
) -> dict[str, bytes]:
    """The comparison in each format, in memory, its words in ``lang`` (the JSON stays
    English): format → bytes. Same input, same bytes."""
    with language(lang):
        return {f: RENDER[f](diff) for f in formats}


def write(
    diff: Difference, out_dir: Path, formats: tuple[str, ...] = FORMATS_WRITTEN, lang: str = "en"
) -> list[Path]:
    """Write comparison.<format> into ``out_dir``, all or none; return the paths."""
    files = render(diff, formats, lang)
    return write_all({out_dir / f"{STEM}.{f}": data for f, data in files.items()})
