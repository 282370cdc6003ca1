"""The consolidated report of a batch: one view model, four renderings (xlsx, HTML, Markdown,
JSON), for a conference's Budget Control Committee.

The view model (:func:`consolidate`) does every sum; the renderers only lay it out. The
workbook recomputes the sums itself with formulas (totals, cumulative positions, remaining
headroom, credits outside the plan's period), so a budget officer can check them in the sheet.

Additional credits in years the plan does not cover are never dropped: they are summed per
year and budget unit (:class:`OutsideCell`), with the proposals that need them, and kept as a
running total in submission order beside the plan's own years.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import multiprocessing
import tempfile
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from xlsxwriter.utility import quote_sheetname, xl_rowcol_to_cell

from cost_models.money import money, to_cents
from cost_models.parameters import BUDGET_UNITS, FUNDING
from estimator import __version__
from estimator.batch.run import ORDER_RULE, Batch, BatchRow, Failure
from estimator.core.assess import YearUnit
from estimator.core.diagnostics import Diagnostic
from estimator.core.plan import FinancialPlan
from estimator.render import markdown
from estimator.render.annex import css_string
from estimator.render.jinjacache import bytecode_cache
from estimator.render.outputs import write_all
from estimator.render.resources import templates_dir
from estimator.render.scripts import direction, font_stack
from estimator.render.wording import (
    BATCH_VERDICTS,
    BATCH_VERDICTS_EXPLAINED,
    FORMATS,
    FUNDING_COLUMNS,
    N_,
    ORDER_RULE_TEXT,
    _,
    current_language,
    in_currency,
    install_words,
    label,
    language,
    ngettext,
    numbered,
    pgettext,
    plan_label,
    span,
    year_unit,
)
from estimator.render.xlsx import MONEY, MONEY_FLAGGED, Book, Sheet, cell, wrapped_lines

FORMAT = "finimpact/batch/1"
STEM = "batch-report"
FILES = {
    "json": f"{STEM}.json",
    "xlsx": f"{STEM}.xlsx",
    "html": f"{STEM}.html",
    "md": f"{STEM}.md",
}
"""Consolidated output format → file name in the --out folder."""

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Cell:
    """The position of one year and budget unit of the plan after every proposal."""

    year: int
    unit: str
    headroom: Decimal
    requested: Decimal
    """Additional credits the proposals of the batch need, together."""
    first_exceeded_by: int | None
    """Index (in submission order) of the proposal whose cumulative total first exceeds it."""
    first_reference: str | None = None

    @property
    def remaining(self) -> Decimal:
        return self.headroom - self.requested

    @property
    def label(self) -> str:
        return f"{self.year} {self.unit}"

    @property
    def first(self) -> str:
        """'3. PP26/1': the proposal that first exceeds the headroom, or ''."""
        if self.first_exceeded_by is None:
            return ""
        return numbered(self.first_exceeded_by + 1, self.first_reference or "")


@dataclass(frozen=True)
class OutsideCell:
    """Additional credits of the batch in one year (and budget unit) the plan does not cover:
    not compared with any headroom, so the committee must see them apart."""

    year: int
    unit: str
    amount: Decimal
    proposals: array[int]
    """Indices (in submission order) of the proposals that need credits here: integers only,
    their references are read back from the rows when a report shows them."""

    @property
    def label(self) -> str:
        return f"{self.year} {self.unit}"


@dataclass(frozen=True)
class Submitted:
    """One proposal in submission order, with the position of the plan after it."""

    index: int
    row: BatchRow
    cumulative: tuple[Decimal, ...]
    """Per cell of the plan: additional credits of this proposal and of those before it."""
    outside_own: Decimal
    """Additional credits of this proposal alone in years outside the plan's period."""
    outside_cumulative: Decimal
    """Additional credits outside the plan's period of this proposal and of those before it."""
    crosses: tuple[str, ...]
    """The cells ('2029 ITU-T') whose headroom this proposal is the first to exceed."""


@dataclass(frozen=True)
class Report:
    """The batch, summed. Rows stay where the batch keeps them (on disk): :meth:`entries`
    reads them once per pass and recomputes the running position as it goes."""

    rows: Sequence[BatchRow]
    failures: tuple[Failure, ...]
    currency: str
    plan: FinancialPlan | None
    years: tuple[int, ...]
    cells: tuple[Cell, ...]
    total: Decimal
    by_year: dict[int, Decimal]
    by_unit: dict[str, Decimal]
    by_funding: dict[str, Decimal]
    outside_total: Decimal
    outside: tuple[OutsideCell, ...]
    """The outside credits per year and budget unit, by year, then unit in the plan's order."""
    files: int
    skipped: tuple[tuple[str, str], ...] = ()
    submitted: bool = False
    """Whether any proposal gives the date it was submitted."""
    language: str = "en"
    """The language of the report's words (``--lang``; English without it)."""

    @property
    def plan_label(self) -> str | None:
        return plan_label(self.plan.info) if self.plan is not None else None

    @property
    def plan_period(self) -> str | None:
        """'2028–2031', or None without a plan."""
        if self.plan is None:
            return None
        return span(*self.plan.info.period)

    @property
    def exceeded(self) -> tuple[Cell, ...]:
        return tuple(c for c in self.cells if c.first_exceeded_by is not None)

    def entries(self) -> Iterator[Submitted]:
        keys = [(c.year, c.unit) for c in self.cells]
        crosses: dict[int, list[str]] = {}
        for c in self.exceeded:
            crosses.setdefault(c.first_exceeded_by or 0, []).append(c.label)
        running = dict.fromkeys(keys, ZERO)
        outside = ZERO
        for i, row in enumerate(self.rows):
            beyond = ZERO
            for key, amount in row.additional.items():
                if key in running:
                    running[key] += amount
                else:
                    beyond += amount
            outside += beyond
            cumulative = tuple(running[k] for k in keys)
            yield Submitted(i, row, cumulative, beyond, outside, tuple(crosses.get(i, ())))

    def references(self, cell: OutsideCell) -> list[str]:
        """The references of the proposals that need credits in an outside cell, in order."""
        return [self.rows[i].reference for i in cell.proposals]

    def contributors(self, cell: OutsideCell) -> str:
        """'1. C26/75, 2. PP26/44A2/1': the proposals of an outside cell, numbered as listed."""
        return pgettext("list separator", ", ").join(
            numbered(i + 1, ref)
            for i, ref in zip(cell.proposals, self.references(cell), strict=True)
        )


def consolidate(batch: Batch, language: str = "en") -> Report:
    """Sum the batch in one pass over its rows: totals, and the position against the plan."""
    plan = batch.plan
    keys: list[YearUnit] = (
        [(y, u) for y in plan.info.years for u in BUDGET_UNITS] if plan is not None else []
    )
    running = dict.fromkeys(keys, ZERO)
    first: dict[YearUnit, tuple[int, str]] = {}
    years: dict[int, Decimal] = {}
    units = dict.fromkeys(BUDGET_UNITS, ZERO)
    funding = dict.fromkeys(FUNDING, ZERO)
    total = outside = ZERO
    submitted = False
    # per (year, unit) outside the plan: the sum, and which proposals need it
    beyond: dict[YearUnit, Decimal] = {}
    needed_by: dict[YearUnit, array[int]] = {}
    for i, row in enumerate(batch.rows):
        total += row.total
        submitted = submitted or row.submitted is not None
        for y, v in row.by_year.items():
            years[y] = years.get(y, ZERO) + v
        for u, v in row.by_unit.items():
            units[u] = units.get(u, ZERO) + v
        for f, v in row.by_funding.items():
            funding[f] = funding.get(f, ZERO) + v
        for key, amount in row.additional.items():
            if key not in running:
                outside += amount
                if amount:
                    beyond[key] = beyond.get(key, ZERO) + amount
                    needed_by.setdefault(key, array("q")).append(i)
                continue
            running[key] += amount
            if key not in first and plan is not None and running[key] > plan.available(*key):
                first[key] = (i, row.reference)
    cells = tuple(
        Cell(
            y,
            u,
            plan.available(y, u),
            running[(y, u)],
            first[(y, u)][0] if (y, u) in first else None,
            first[(y, u)][1] if (y, u) in first else None,
        )
        for (y, u) in keys
        if plan is not None
    )
    return Report(
        rows=batch.rows,
        failures=batch.failures,
        currency=batch.currency,
        plan=plan,
        years=tuple(sorted(years)),
        cells=cells,
        total=total,
        by_year=dict(sorted(years.items())),
        by_unit=units,
        by_funding=funding,
        outside_total=outside,
        outside=tuple(
            OutsideCell(y, u, credits, needed_by[(y, u)])
            for (y, u), credits in sorted(beyond.items(), key=_year_then_unit)
        ),
        files=batch.files,
        skipped=batch.skipped,
        submitted=submitted,
        language=language,
    )


def _year_then_unit(item: tuple[YearUnit, object]) -> tuple[int, int, str]:
    """Sort key of a (year, unit) cell: by year, then the units in the plan's order."""
    (year, unit), _ = item
    place = BUDGET_UNITS.index(unit) if unit in BUDGET_UNITS else len(BUDGET_UNITS)
    return year, place, unit


# -- JSON -------------------------------------------------------------------------------------


def _entry_json(report: Report, e: Submitted) -> dict[str, object]:
    r = e.row
    return {
        "order": e.index + 1,
        "file": file_name(r.file),
        "reference": r.reference,
        "title": r.title,
        "conference": r.conference,
        "submitted_by": list(r.submitted_by),
        "submitted": r.submitted,
        "rate_card": r.card,
        "total": money(r.total),
        "by_year": {str(y): money(v) for y, v in r.by_year.items()},
        "by_unit": {u: money(v) for u, v in r.by_unit.items()},
        "by_funding": {f: money(v) for f, v in r.by_funding.items()},
        "additional_outside_plan": money(e.outside_own),
        "cumulative": {c.label: money(v) for c, v in zip(report.cells, e.cumulative, strict=True)},
        "cumulative_outside_plan": money(e.outside_cumulative),
        "first_to_exceed": list(e.crosses),
        "verdict": r.verdict,
        "statement": r.statement,
        "outputs": list(r.outputs),
        "warnings": [d.to_json() for d in r.warnings],
    }


def json_chunks(report: Report) -> Iterator[str]:
    """The JSON summary, one proposal at a time (the whole document is never in memory)."""
    head = {
        "format": FORMAT,
        "tool": {"name": "finimpact", "version": __version__},
        "currency": report.currency,
        "plan": report.plan.to_json() if report.plan is not None else None,
        "order": ORDER_RULE,
        "files": report.files,
        "costed": len(report.rows),
        "failed": len(report.failures),
        "total": money(report.total),
        "by_year": {str(y): money(v) for y, v in report.by_year.items()},
        "by_unit": {u: money(v) for u, v in report.by_unit.items()},
        "by_funding": {f: money(v) for f, v in report.by_funding.items()},
        "additional_outside_plan": money(report.outside_total),
        "additional_outside_plan_by_year_unit": [
            {
                "year": o.year,
                "unit": o.unit,
                "additional": money(o.amount),
                "proposals": report.references(o),
            }
            for o in report.outside
        ],
        "position": [
            {
                "year": c.year,
                "unit": c.unit,
                "headroom": money(c.headroom),
                "requested": money(c.requested),
                "remaining": money(c.remaining),
                "first_exceeded_by": c.first_reference,
            }
            for c in report.cells
        ],
    }
    text = json.dumps(head, indent=2, ensure_ascii=False)
    yield text[: -len("\n}")]
    lists: list[tuple[str, Iterable[object]]] = [
        ("proposals", (_entry_json(report, e) for e in report.entries())),
        (
            "failures",
            (
                {
                    "file": file_name(f.file),
                    "diagnostics": [named(d).to_json() for d in f.diagnostics],
                }
                for f in report.failures
            ),
        ),
        ("skipped", ({"file": file_name(file), "reason": why} for file, why in report.skipped)),
    ]
    for name, items in lists:
        yield f',\n  "{name}": ['
        empty = True
        for item in items:
            body = json.dumps(item, indent=2, ensure_ascii=False).replace("\n", "\n    ")
            yield ("\n    " if empty else ",\n    ") + body
            empty = False
        yield "]" if empty else "\n  ]"
    yield "\n}\n"


# -- HTML and Markdown ------------------------------------------------------------------------


def amount(value: Decimal) -> str:
    """An amount with thousands separators and two decimals ('1,234.50'). Amounts of the
    report are sums of cent-rounded lines, so they are shown as they are; anything finer is
    rounded by the one rule first."""
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -2:
        value = to_cents(value)
    return FORMATS.money(value)


YEARS_PER_TABLE = 2
"""Years of the plan in one table of cumulative credits: with four budget units a year, two
years (eight amounts) fit an A4 landscape page and a 1280-pixel screen beside the reference."""


class _RowViews:
    """The rows as the templates show them, made one at a time on each pass of a loop."""

    def __init__(self, report: Report) -> None:
        self.report = report

    def __iter__(self) -> Iterator[dict[str, Any]]:
        report = self.report
        sep = pgettext("list separator", ", ")
        for e in report.entries():
            r = e.row
            # together with those before: the cells this proposal needs credits in whose
            # headroom the running total has passed, by it (first) or by those before it
            over = [
                c.label
                for c, v in zip(report.cells, e.cumulative, strict=True)
                if v > c.headroom and r.additional.get((c.year, c.unit), ZERO) > 0
            ]
            later = [cell for cell in over if cell not in e.crosses]
            cumulative = [
                {"value": amount(v), "over": v > c.headroom}
                for c, v in zip(report.cells, e.cumulative, strict=True)
            ]
            yield {
                "order": e.index + 1,
                "reference": r.reference,
                "title": r.title,
                "conference": r.conference,
                "submitted_by": sep.join(r.submitted_by),
                "submitted": r.submitted or "",
                "file": file_name(r.file),
                "total": amount(r.total),
                "by_year": [amount(r.by_year.get(y, ZERO)) for y in report.years],
                "by_unit": [amount(r.by_unit.get(u, ZERO)) for u in BUDGET_UNITS],
                "by_funding": [amount(r.by_funding.get(f, ZERO)) for f in FUNDING],
                "verdict": label(BATCH_VERDICTS, r.verdict),
                "alone_over": r.verdict == "exceeds",
                "statement": r.statement,
                "crosses": sep.join(e.crosses),
                "together": (
                    _("first to exceed: %(cells)s") % {"cells": sep.join(e.crosses)}
                    if e.crosses
                    else _("adds to the excess: %(cells)s") % {"cells": sep.join(later)}
                    if later
                    else _("within")
                ),
                "together_over": bool(over),
                "outside_cumulative": amount(e.outside_cumulative),
                "cumulative": cumulative,
                "cumulative_groups": [
                    cumulative[start : start + width] for start, width in _groups(report)
                ],
            }


def _groups(report: Report) -> list[tuple[int, int]]:
    """(first cell, number of cells) of each table of cumulative credits: YEARS_PER_TABLE
    years of the plan each."""
    per_year = len(BUDGET_UNITS)
    years = len(report.cells) // per_year if report.cells else 0
    return [
        (first * per_year, min(YEARS_PER_TABLE, years - first) * per_year)
        for first in range(0, years, YEARS_PER_TABLE)
    ]


def view(report: Report) -> dict[str, Any]:
    """Everything the HTML and Markdown templates show, as text: they do no arithmetic."""
    cells = [
        {
            "label": c.label,
            "year": c.year,
            "unit": c.unit,
            "headroom": amount(c.headroom),
            "requested": amount(c.requested),
            "remaining": amount(c.remaining),
            "over": c.remaining < 0,
            "first": c.first,
        }
        for c in report.cells
    ]
    groups = _groups(report)
    title = _("Financial implications of the proposals: consolidated report")
    return {
        "title": title,
        "currency": report.currency,
        "plan": report.plan_label,
        "plan_period": report.plan_period,
        "order_rule": _(ORDER_RULE_TEXT),
        "verdicts_explained": _(BATCH_VERDICTS_EXPLAINED),
        "files": report.files,
        "costed": len(report.rows),
        "failed": len(report.failures),
        "total": amount(report.total),
        "additional": amount(report.by_funding.get("additional", ZERO)),
        "existing": amount(report.by_funding.get("existing", ZERO)),
        "extrabudgetary": amount(report.by_funding.get("extrabudgetary", ZERO)),
        "submitted": report.submitted,
        "years": [str(y) for y in report.years],
        "units": list(BUDGET_UNITS),
        "fundings": [label(FUNDING_COLUMNS, f) for f in FUNDING],
        "rows": _RowViews(report),
        "totals": {
            "by_year": [amount(v) for v in report.by_year.values()],
            "by_unit": [amount(v) for v in report.by_unit.values()],
            "by_funding": [amount(v) for v in report.by_funding.values()],
            "outside": amount(report.outside_total),
        },
        "cells": cells,
        "cumulative_tables": [
            {
                "index": i,
                "cells": cells[start : start + width],
                "years": sorted({c["year"] for c in cells[start : start + width]}),
                "last": i == len(groups) - 1,
            }
            for i, (start, width) in enumerate(groups)
        ],
        "exceeded": [
            {
                "cell": _("%(unit)s in %(year)s") % {"unit": c.unit, "year": c.year},
                "reference": c.first_reference,
                "order": (c.first_exceeded_by or 0) + 1,
            }
            for c in report.exceeded
        ],
        "failures": [
            {"file": file_name(f.file), "messages": [named(d).render() for d in f.diagnostics]}
            for f in report.failures
        ],
        "outside": [
            {
                "year": o.year,
                "unit": o.unit,
                "amount": amount(o.amount),
                "proposals": report.contributors(o),
            }
            for o in report.outside
        ],
        "skipped": [
            _("%(file)s: %(why)s") % {"file": file_name(file), "why": why}
            for file, why in report.skipped
        ],
        "version": __version__,
        "lang": current_language(),
        "dir": direction(current_language()),
    }


@functools.lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates_dir())),
        bytecode_cache=bytecode_cache("shipped"),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cell"] = markdown.cell
    env.filters["line"] = markdown.line
    env.filters["css_string"] = css_string
    env.globals["font_stack"] = font_stack
    install_words(env)
    return env


def file_name(file: str) -> str:
    """A proposal's file as a report names it: by its name, never its path, so that a report
    does not depend on where the files were (an absolute path holds a user name and a folder
    structure) and is the same bytes from any folder."""
    return Path(file).name


def named(d: Diagnostic) -> Diagnostic:
    """A diagnostic as a report shows it: its file by name."""
    return dataclasses.replace(d, file=file_name(d.file))


def html_chunks(report: Report) -> Iterator[str]:
    return _environment().get_template("batch.html.j2").generate(**view(report))


def markdown_chunks(report: Report) -> Iterator[str]:
    return _environment().get_template("batch.md.j2").generate(**view(report))


# -- Workbook ---------------------------------------------------------------------------------

WORKBOOK_ORDER = N_(
    "In order of submission: by the date each proposal was submitted, then by file name; "
    "proposals without a date come after those with one."
)
TITLE_ROWS = 3
"""Every sheet of the batch workbook: a title and notes, a blank row, then its table."""
NOTE_ROOM = 70
"""Characters a line of the Proposals sheet's note on the verdicts holds, at least, over the
columns before the amounts (its row's height is set when written, before the widths are
known)."""


def xlsx_chunks(report: Report) -> Iterator[bytes]:
    """The consolidated workbook, written to a temporary file (each sheet's rows stream to
    disk as they come: memory does not grow with the proposals), then read back in pieces."""
    with tempfile.TemporaryDirectory(prefix="finimpact-xlsx-") as folder:
        path = Path(folder) / "batch-report.xlsx"
        build_xlsx(report, path, folder)
        with path.open("rb") as f:
            while chunk := f.read(1 << 16):
                yield chunk


def build_xlsx(report: Report, path: Path, tmpdir: str | None = None) -> None:
    """Write the consolidated workbook to path: Proposals (who, by source of funding, total,
    verdicts), By year and unit, and against a plan Additional, Against plan, Position and
    Outside the plan; Failed if any proposal failed. Every formula holds the figure the report
    computed."""
    n = len(report.rows)
    title = ngettext(
        "Financial implications of %(n)s proposal", "Financial implications of %(n)s proposals", n
    ) % {"n": FORMATS.number(n)}
    book = Book(
        path, title=title, reference=title, stream=True, tmpdir=tmpdir, lang=current_language()
    )
    cur = report.currency
    years, units = list(report.years), list(BUDGET_UNITS)
    cells = report.cells
    plan = report.plan is not None and bool(cells)

    # Proposals: one row per proposal, in submission order, with its amounts by source of
    # funding, its total and its verdicts; By year and unit: the same rows' amounts by year and
    # budget unit (the HTML report's two tables: on one sheet, 22 columns printed at about
    # 4 pt on A4 landscape); totals as formulas
    head = TITLE_ROWS + 1
    first = head + 1
    pr = book.sheet(
        pgettext("sheet name", "Proposals"), header_rows=(head, head), freeze=(first, 2)
    )
    pr.text(
        0,
        0,
        _("%(title)s, in %(currency)s") % {"title": title, "currency": cur},
        "title",
        fits=False,
    )
    if report.plan_label:
        plan_text = _("Financial plan: %(plan)s") % {"plan": report.plan_label}
    else:
        plan_text = _("Financial plan: none in %(currency)s") % {"currency": cur}
    pr.text(1, 0, plan_text, fits=False)
    pr.text(2, 0, _(WORKBOOK_ORDER), fits=False)
    columns = ["#", _("Reference"), _("Title"), _("Conference"), _("Submitted by")]
    if report.submitted:
        columns.append(_("Submitted"))
    money_from = len(columns)
    total_title = _("Total (%(currency)s)") % {"currency": cur}
    columns += [*(label(FUNDING_COLUMNS, f) for f in FUNDING), total_title]
    money_to = total_col = len(columns) - 1
    verdict_col = len(columns)
    columns.append(_("Taken alone") if report.plan is not None else _("Verdict"))
    if report.plan is not None:  # without a plan there is no headroom to exceed
        columns.append(_("First to exceed the headroom in"))
    if report.plan is not None:  # what 'taken alone' and 'first to exceed' mean
        note = _(BATCH_VERDICTS_EXPLAINED)
        pr.merged_text(TITLE_ROWS, 0, money_from - 1, note, "italic")
        pr.lines(TITLE_ROWS, wrapped_lines(note, NOTE_ROOM, indent=False))
    pr.header(head, columns, numbers=[0, *range(money_from, money_to + 1)])

    by = book.sheet(
        pgettext("sheet name", "By year and unit"), header_rows=(head, head), freeze=(first, 2)
    )
    by.text(0, 0, _("Amounts by year and by budget unit"), "title", fits=False)
    by.text(1, 0, _("Every source of funding; in %(currency)s.") % {"currency": cur}, fits=False)
    by.text(2, 0, _(WORKBOOK_ORDER), fits=False)
    by_columns = ["#", _("Reference"), *(str(y) for y in years), *units, total_title]
    by.header(head, by_columns, numbers=[0, *range(2, len(by_columns))])
    years_from, years_to = 2, 1 + len(years)
    by_total = len(by_columns) - 1

    if plan:
        ad, ag = _plan_sheets_heads(book, report)
    for e in report.entries():
        i, r = e.index, e.row
        row = first + i
        pr.number(row, 0, i + 1, "0")
        pr.text(row, 1, r.reference)
        pr.text(row, 2, r.title, wrap_at=36)
        pr.text(row, 3, r.conference)
        pr.text(row, 4, pgettext("list separator", ", ").join(r.submitted_by), wrap_at=20)
        if report.submitted:
            pr.text(row, 5, r.submitted)
        for j, source in enumerate(FUNDING, start=money_from):
            pr.number(row, j, r.by_funding.get(source, ZERO))
        total = f"=SUM({cell(row, money_from)}:{cell(row, total_col - 1)})"
        pr.formula(row, total_col, total, r.total)
        by.number(row, 0, i + 1, "0")
        by.text(row, 1, r.reference)
        figures: list[Decimal] = [r.by_year.get(y, ZERO) for y in years]
        figures += [r.by_unit.get(u, ZERO) for u in units]
        for j, figure in enumerate(figures, start=2):
            by.number(row, j, figure)
        total = f"=SUM({cell(row, years_from)}:{cell(row, years_to)})" if years else "=0"
        by.formula(row, by_total, total, r.total)
        pr.text(row, verdict_col, label(BATCH_VERDICTS, r.verdict), wrap_at=24)
        if report.plan is not None:
            pr.text(row, verdict_col + 1, pgettext("list separator", ", ").join(e.crosses))
        if plan:
            _plan_rows(ad, ag, report, e)
    last = first + max(n, 1) - 1
    total_row = last + 1
    pr.ws.autofilter(head, 0, last, len(columns) - 1)
    pr.text(total_row, 1, _("Total"), "total")
    for col in range(len(columns)):
        if col != 1 and not money_from <= col <= money_to:
            pr.text(total_row, col, None, "total")
    sums = [*report.by_funding.values(), report.total]
    for col, figure in zip(range(money_from, money_to + 1), sums, strict=True):
        pr.formula(
            total_row,
            col,
            f"=SUM({cell(first, col)}:{cell(last, col)})" if n else "=0",
            figure,
            MONEY,
            "total",
        )
    pr.finish()
    by.ws.autofilter(head, 0, last, len(by_columns) - 1)
    by.text(total_row, 0, None, "total")
    by.text(total_row, 1, _("Total"), "total")
    sums = [*report.by_year.values(), *report.by_unit.values(), report.total]
    for col, figure in zip(range(2, len(by_columns)), sums, strict=True):
        by.formula(
            total_row,
            col,
            f"=SUM({cell(first, col)}:{cell(last, col)})" if n else "=0",
            figure,
            MONEY,
            "total",
        )
    by.finish()

    if plan:
        _plan_sheets_tails(book, report, ad, ag)
        _position_sheet(book, report)
        _outside_sheet(book, report)
    if report.failures:
        sf = book.sheet(
            pgettext("sheet name", "Failed"),
            header_rows=(TITLE_ROWS, TITLE_ROWS),
            freeze=(TITLE_ROWS + 1, 0),
        )
        sf.text(0, 0, _("Proposals that could not be costed"), "title", fits=False)
        titles = [_("File"), _("Line"), _("Problem"), _("What to do")]
        sf.header(TITLE_ROWS, titles, numbers=(1,))
        row = TITLE_ROWS + 1
        for f in report.failures:
            for d in f.diagnostics:
                sf.text(row, 0, Path(f.file).name)
                sf.number(row, 1, d.line, "0")
                sf.text(row, 2, d.message, wrap_at=60)
                sf.text(row, 3, d.hint, wrap_at=50)
                row += 1
        sf.finish()
    book.close()


# the plan's sheets: where their tables start, from the layout (rows and columns from 0)
ADDITIONAL_HEAD = TITLE_ROWS
ADDITIONAL_FIRST = ADDITIONAL_HEAD + 1
AGAINST_HEAD = TITLE_ROWS
AGAINST_HEADROOM = AGAINST_HEAD + 1
AGAINST_FIRST = AGAINST_HEADROOM + 1
CELLS_FROM = 2
"""The first column of the plan's cells (year and budget unit), after # and Reference."""


def _beyond(report: Report) -> int:
    """The column of the additional credits outside the plan's period, after the cells."""
    return CELLS_FROM + len(report.cells)


def _plan_sheets_heads(book: Book, report: Report) -> tuple[Sheet, Sheet]:
    """The heads of the Additional and Against plan sheets, whose rows come with the
    Proposals'."""
    cells, outside = report.cells, report.outside
    beyond = _beyond(report)
    ad = book.sheet(
        additional_sheet_name(),
        header_rows=(ADDITIONAL_HEAD, ADDITIONAL_HEAD),
        freeze=(ADDITIONAL_FIRST, CELLS_FROM),
    )
    title = _("Additional credits per year and budget unit of the plan")
    ad.text(0, 0, title, "title", fits=False)
    ad.text(1, 0, in_currency(report.currency, _(WORKBOOK_ORDER)), fits=False)
    outside_period = _("Outside the plan's period")
    titles = ["#", _("Reference"), *(year_unit(c.year, c.unit) for c in cells), outside_period]
    titles += [_("%(cell)s (outside)") % {"cell": year_unit(o.year, o.unit)} for o in outside]
    ad.header(ADDITIONAL_HEAD, titles, numbers=[0, *range(CELLS_FROM, beyond + len(outside) + 1)])

    ag = book.sheet(
        pgettext("sheet name", "Against plan"),
        header_rows=(AGAINST_HEAD, AGAINST_HEADROOM),
        freeze=(AGAINST_FIRST, CELLS_FROM),
    )
    title = _("Cumulative additional credits against: %(plan)s") % {"plan": report.plan_label}
    ag.text(0, 0, title, "title", fits=False)
    ag.text(1, 0, in_currency(report.currency, _(WORKBOOK_ORDER)), fits=False)
    titles = ["#", _("Reference"), *(year_unit(c.year, c.unit) for c in cells), outside_period]
    titles += [_("First to exceed the headroom in")]
    ag.header(AGAINST_HEAD, titles, numbers=[0, *range(CELLS_FROM, beyond + 1)])
    ag.text(AGAINST_HEADROOM, 1, _("Headroom"), "total")
    for j, c in enumerate(cells, start=CELLS_FROM):
        ag.number(AGAINST_HEADROOM, j, c.headroom, MONEY, "total")
    return ad, ag


def _plan_rows(ad: Sheet, ag: Sheet, report: Report, e: Submitted) -> None:
    """One proposal's row on the Additional and Against plan sheets."""
    cells, outside = report.cells, report.outside
    beyond = _beyond(report)
    i, r = e.index, e.row
    row = ADDITIONAL_FIRST + i
    ad.number(row, 0, i + 1, "0")
    ad.text(row, 1, r.reference)
    for j, c in enumerate(cells, start=CELLS_FROM):
        ad.number(row, j, r.additional.get((c.year, c.unit), ZERO))
    if outside:
        span = f"=SUM({cell(row, beyond + 1)}:{cell(row, beyond + len(outside))})"
        ad.formula(row, beyond, span, e.outside_own)
    else:
        ad.number(row, beyond, e.outside_own)
    for j, o in enumerate(outside, start=beyond + 1):
        ad.number(row, j, r.additional.get((o.year, o.unit), ZERO))

    at = AGAINST_FIRST + i
    ag.number(at, 0, i + 1, "0")
    ag.text(at, 1, r.reference)
    for j, (c, figure) in enumerate(zip(cells, e.cumulative, strict=True), start=CELLS_FROM):
        ag.formula(
            at,
            j,
            _running(j, row),
            figure,
            MONEY,
            "first-over" if c.first_exceeded_by == i else "number",
        )
    ag.formula(at, beyond, _running(beyond, row), e.outside_cumulative)
    ag.text(at, beyond + 1, pgettext("list separator", ", ").join(e.crosses))


def additional_sheet_name() -> str:
    """The Additional sheet's name in the report's language (formulas refer to it)."""
    return pgettext("sheet name", "Additional")


def _running(col: int, row: int) -> str:
    """The sum of a column of the Additional sheet from the first proposal to this row."""
    start = xl_rowcol_to_cell(ADDITIONAL_FIRST, col, row_abs=True)
    return f"=SUM({quote_sheetname(additional_sheet_name())}!{start}:{cell(row, col)})"


def _plan_sheets_tails(book: Book, report: Report, ad: Sheet, ag: Sheet) -> None:
    """The Additional and Against plan sheets after the last proposal: remaining headroom,
    the cells over it flagged, the widths."""
    n = len(report.rows)
    cells = report.cells
    last = AGAINST_FIRST + n - 1
    remaining_row = AGAINST_FIRST + n
    ad.ws.autofilter(ADDITIONAL_HEAD, 0, ADDITIONAL_FIRST + max(n, 1) - 1, 1)
    ad.finish()
    ag.text(remaining_row, 1, _("Remaining after all"), "total")
    for j, c in enumerate(cells, start=CELLS_FROM):
        headroom = cell(AGAINST_HEADROOM, j)
        formula = f"={headroom}-{cell(last, j)}" if n else f"={headroom}"
        ag.formula(remaining_row, j, formula, c.remaining, MONEY_FLAGGED, "total")
        if n:
            ag.ws.conditional_format(
                AGAINST_FIRST,
                j,
                last,
                j,
                {
                    "type": "cell",
                    "criteria": ">",
                    "value": xl_rowcol_to_cell(AGAINST_HEADROOM, j, row_abs=True),
                    "format": book.style("first-over"),
                },
            )
    ag.finish()


def _position_sheet(book: Book, report: Report) -> None:
    n = len(report.rows)
    head = TITLE_ROWS
    sp = book.sheet(
        pgettext("sheet name", "Position"), header_rows=(head, head), freeze=(head + 1, 2)
    )
    sp.text(
        0, 0, _("Position against: %(plan)s") % {"plan": report.plan_label}, "title", fits=False
    )
    note = _("In %(currency)s; a negative remaining headroom is shown in red.")
    sp.text(1, 0, note % {"currency": report.currency}, fits=False)
    sp.header(
        head,
        [
            _("Year"),
            _("Budget unit"),
            _("Headroom"),
            _("Requested"),
            _("Remaining"),
            _("First exceeded by"),
        ],
        numbers=(0, 2, 3, 4),
    )
    last_additional = ADDITIONAL_FIRST + max(n, 1) - 1
    additional = quote_sheetname(additional_sheet_name())
    for j, c in enumerate(report.cells):
        row = head + 1 + j
        col = CELLS_FROM + j
        sp.number(row, 0, c.year, "0")
        sp.text(row, 1, c.unit)
        sp.number(row, 2, c.headroom)
        requested = f"=SUM({additional}!{cell(ADDITIONAL_FIRST, col)}:{cell(last_additional, col)})"
        sp.formula(row, 3, requested, c.requested)
        sp.formula(row, 4, f"={cell(row, 2)}-{cell(row, 3)}", c.remaining, MONEY_FLAGGED)
        sp.text(row, 5, c.first)
    sp.ws.autofilter(head, 0, head + max(len(report.cells), 1), 5)
    sp.finish()


def _outside_sheet(book: Book, report: Report) -> None:
    n = len(report.rows)
    outside = report.outside
    beyond = _beyond(report)
    head = TITLE_ROWS
    so = book.sheet(
        pgettext("sheet name", "Outside the plan"), header_rows=(head, head), freeze=(head + 1, 0)
    )
    period = {"period": report.plan_period}
    title = _("Additional credits in years outside the plan's period (%(period)s)") % period
    so.text(0, 0, title, "title", fits=False)
    note = _(
        "Not compared with any headroom: to be weighed against the plan in force for those years."
    )
    so.text(1, 0, in_currency(report.currency, note), fits=False)
    titles = [_("Year"), _("Budget unit"), _("Additional credits"), _("Proposals")]
    so.header(head, titles, numbers=(0, 2))
    last_additional = ADDITIONAL_FIRST + max(n, 1) - 1
    additional = quote_sheetname(additional_sheet_name())
    first = head + 1
    for j, o in enumerate(outside):
        row = first + j
        col = beyond + 1 + j
        credits = f"=SUM({additional}!{cell(ADDITIONAL_FIRST, col)}:{cell(last_additional, col)})"
        so.number(row, 0, o.year, "0")
        so.text(row, 1, o.unit)
        so.formula(row, 2, credits, o.amount)
        so.text(row, 3, report.contributors(o), wrap_at=60)
    if outside:
        total = first + len(outside)
        so.text(total, 1, _("Total"), "total")
        so.formula(
            total,
            2,
            f"=SUM({cell(first, 2)}:{cell(total - 1, 2)})",
            report.outside_total,
            MONEY,
            "total",
        )
    else:
        none = _("None: every additional credit falls in the plan's period (%(period)s).")
        so.text(first, 0, none % period, fits=False)
    so.finish()


def _encoded(chunks: Iterable[str]) -> Iterator[bytes]:
    for chunk in chunks:
        yield chunk.encode("utf-8")


RENDER: dict[str, Callable[[Report], Iterable[bytes]]] = {
    "json": lambda report: _encoded(json_chunks(report)),
    "xlsx": xlsx_chunks,
    "html": lambda report: _encoded(html_chunks(report)),
    "md": lambda report: _encoded(markdown_chunks(report)),
}
"""Consolidated format → renderer, yielding the file's bytes a piece at a time."""


APART = ("xlsx", "md")
"""The reports made in a second process when a batch has several (about half of the work)."""

_FORKED: Report | None = None
"""The report a forked process writes from (a Report holds an open file: it is not pickled)."""


def write_reports(report: Report, out_dir: Path, jobs: int = 1) -> list[Path]:
    """Stream the four consolidated outputs to disk and move them all into place, as each
    proposal's outputs are (``write_all``): on any failure, none is replaced.

    With ``jobs`` > 1, where processes can be forked, the workbook and the Markdown are made
    in a second process while this one writes the JSON and the HTML: the reports are the work
    a batch does at its end, once every proposal is costed, and it need not do it alone."""
    made: dict[str, Iterable[bytes]] = {}
    with contextlib.ExitStack() as stack:
        stack.enter_context(language(report.language))
        if jobs > 1 and "fork" in multiprocessing.get_all_start_methods():
            global _FORKED
            _FORKED = report
            stack.callback(globals().__setitem__, "_FORKED", None)
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="finimpact-")))
            context = multiprocessing.get_context("fork")
            pool = stack.enter_context(ProcessPoolExecutor(1, mp_context=context))
            apart = pool.submit(_write_apart, folder)
            made = {kind: _when_written(apart, folder / FILES[kind]) for kind in APART}
        return write_all(
            {
                out_dir / FILES[kind]: made.get(kind) or render(report)
                for kind, render in RENDER.items()
            }
        )


def _write_apart(folder: Path) -> None:
    """In the forked process: write the APART reports into folder."""
    assert _FORKED is not None, "not a process forked by write_reports"
    for kind in APART:
        with language(_FORKED.language), (folder / FILES[kind]).open("wb") as f:
            for chunk in RENDER[kind](_FORKED):
                f.write(chunk)


def _when_written(apart: Future[None], path: Path) -> Iterator[bytes]:
    """A report written apart, read in pieces once the other process is done."""
    apart.result()
    with path.open("rb") as f:
        while chunk := f.read(1 << 16):
            yield chunk
