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

import functools
import json
import re
import shutil
import tempfile
import zipfile
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from cost_models.money import money, to_cents
from cost_models.parameters import BUDGET_UNITS, FUNDING
from estimator import __version__
from estimator.batch.run import ORDER_RULE, Batch, Failure, Row
from estimator.core.assess import YearUnit
from estimator.core.plan import FinancialPlan
from estimator.render.outputs import write_all
from estimator.render.resources import templates_dir
from estimator.render.spreadsheet import FORMULA_STARTS, clean_text
from estimator.render.workbook import MONEY_FORMAT

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
        return f"{self.first_exceeded_by + 1}. {self.first_reference}"


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
class Entry:
    """One proposal in submission order, with the position of the plan after it."""

    index: int
    row: Row
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

    rows: Sequence[Row]
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

    @property
    def plan_label(self) -> str | None:
        return self.plan.info.label if self.plan is not None else None

    @property
    def plan_period(self) -> str | None:
        """'2028-2031', or None without a plan."""
        if self.plan is None:
            return None
        first, last = self.plan.info.period
        return f"{first}-{last}"

    @property
    def exceeded(self) -> tuple[Cell, ...]:
        return tuple(c for c in self.cells if c.first_exceeded_by is not None)

    def entries(self) -> Iterator[Entry]:
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
            yield Entry(i, row, cumulative, beyond, outside, tuple(crosses.get(i, ())))

    def references(self, cell: OutsideCell) -> list[str]:
        """The references of the proposals that need credits in an outside cell, in order."""
        return [self.rows[i].reference for i in cell.proposals]

    def contributors(self, cell: OutsideCell) -> str:
        """'1. C26/75, 2. PP26/44A2/1': the proposals of an outside cell, numbered as listed."""
        return ", ".join(
            f"{i + 1}. {ref}" for i, ref in zip(cell.proposals, self.references(cell), strict=True)
        )


def consolidate(batch: Batch) -> Report:
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
    # per (year, unit) outside the plan: the sum, and which proposals need it
    beyond: dict[YearUnit, Decimal] = {}
    needed_by: dict[YearUnit, array[int]] = {}
    for i, row in enumerate(batch.rows):
        total += row.total
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
    )


def _year_then_unit(item: tuple[YearUnit, object]) -> tuple[int, int, str]:
    """Sort key of a (year, unit) cell: by year, then the units in the plan's order."""
    (year, unit), _ = item
    place = BUDGET_UNITS.index(unit) if unit in BUDGET_UNITS else len(BUDGET_UNITS)
    return year, place, unit


# -- JSON -------------------------------------------------------------------------------------


def _entry_json(report: Report, e: Entry) -> dict[str, object]:
    r = e.row
    return {
        "order": e.index + 1,
        "file": r.file,
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
                {"file": f.file, "diagnostics": [d.to_json() for d in f.diagnostics]}
                for f in report.failures
            ),
        ),
        ("skipped", ({"file": file, "reason": why} for file, why in report.skipped)),
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
    return f"{value:,.2f}"


class _RowViews:
    """The rows as the templates show them, made one at a time on each pass of a loop."""

    def __init__(self, report: Report) -> None:
        self.report = report

    def __iter__(self) -> Iterator[dict[str, Any]]:
        report = self.report
        for e in report.entries():
            r = e.row
            yield {
                "order": e.index + 1,
                "reference": r.reference,
                "title": r.title,
                "conference": r.conference,
                "submitted_by": ", ".join(r.submitted_by),
                "submitted": r.submitted or "",
                "file": r.file,
                "total": amount(r.total),
                "by_year": [amount(r.by_year.get(y, ZERO)) for y in report.years],
                "by_unit": [amount(r.by_unit.get(u, ZERO)) for u in BUDGET_UNITS],
                "by_funding": [amount(r.by_funding.get(f, ZERO)) for f in FUNDING],
                "verdict": r.verdict,
                "statement": r.statement,
                "crosses": ", ".join(e.crosses),
                "outside_cumulative": amount(e.outside_cumulative),
                "cumulative": [
                    {"value": amount(v), "over": v > c.headroom}
                    for c, v in zip(report.cells, e.cumulative, strict=True)
                ],
            }


def view(report: Report) -> dict[str, Any]:
    """Everything the HTML and Markdown templates show, as text: they do no arithmetic."""
    return {
        "currency": report.currency,
        "plan": report.plan_label,
        "plan_period": report.plan_period,
        "order_rule": ORDER_RULE,
        "files": report.files,
        "costed": len(report.rows),
        "failed": len(report.failures),
        "total": amount(report.total),
        "years": [str(y) for y in report.years],
        "units": list(BUDGET_UNITS),
        "fundings": list(FUNDING),
        "rows": _RowViews(report),
        "totals": {
            "by_year": [amount(v) for v in report.by_year.values()],
            "by_unit": [amount(v) for v in report.by_unit.values()],
            "by_funding": [amount(v) for v in report.by_funding.values()],
            "outside": amount(report.outside_total),
        },
        "cells": [
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
        ],
        "exceeded": [
            {
                "cell": f"{c.unit} in {c.year}",
                "reference": c.first_reference,
                "order": (c.first_exceeded_by or 0) + 1,
            }
            for c in report.exceeded
        ],
        "failures": [
            {"file": f.file, "messages": [d.render() for d in f.diagnostics]}
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
        "skipped": [f"{file}: {why}" for file, why in report.skipped],
        "version": __version__,
    }


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
    env.filters["cell"] = markdown_cell
    return env


def markdown_cell(text: object) -> str:
    """Text safe in a Markdown table cell: pipes escaped, line breaks and markup neutralised."""
    value = str(text).replace("\\", "\\\\").replace("|", "\\|")
    value = re.sub(r"[\r\n]+", " ", value)
    return re.sub(r"([*_`<>\[\]])", r"\\\1", value)


def html_chunks(report: Report) -> Iterator[str]:
    return _environment().get_template("batch.html.j2").generate(**view(report))


def markdown_chunks(report: Report) -> Iterator[str]:
    return _environment().get_template("batch.md.j2").generate(**view(report))


# -- Workbook ---------------------------------------------------------------------------------


class _Sheet:
    """A write-only sheet (rows streamed to disk: memory does not grow with the rows) and the
    cell makers that keep text as text and give amounts a number format."""

    def __init__(self, wb: Any, title: str) -> None:
        from openpyxl.styles import Font, PatternFill

        self.ws = wb.create_sheet(title)
        self.bold = Font(bold=True)
        self.first = PatternFill("solid", fgColor="E06666")
        self.rows = 0

    def text(self, value: object, bold: bool = False) -> Any:
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(self.ws, value=None if value is None else clean_text(str(value)))
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            cell.data_type = "s"
            cell.quotePrefix = True  # stays text when the cell is edited, as in each workbook
        if bold:
            cell.font = self.bold
        return cell

    def number(self, value: Decimal | int | str, bold: bool = False, first: bool = False) -> Any:
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(self.ws, value=value)
        cell.number_format = MONEY_FORMAT
        if bold:
            cell.font = self.bold
        if first:
            cell.fill = self.first
            cell.font = self.bold
        return cell

    def append(self, cells: list[Any]) -> int:
        self.ws.append(cells)
        self.rows += 1
        return self.rows

    def widths(self, widths: Mapping[int, float]) -> None:
        from openpyxl.utils import get_column_letter

        for c, width in widths.items():
            self.ws.column_dimensions[get_column_letter(c)].width = width


def build_xlsx(report: Report, path: Path) -> None:
    """Write the consolidated workbook to path (write-only: rows stream to disk)."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter as col

    cur = report.currency
    wb = Workbook(write_only=True)

    # Sheet 1: one row per proposal, in submission order; totals as formulas
    sh = _Sheet(wb, "Proposals")
    title = f"Financial implications of {len(report.rows)} proposals, in {cur}"
    sh.append([sh.text(title, bold=True)])
    sh.append([sh.text(f"Financial plan: {report.plan_label or 'none in ' + cur}")])
    sh.append([sh.text(ORDER_RULE)])
    sh.append([])
    head = ["#", "Reference", "Title", "Conference", "Submitted by", "Submitted", "File"]
    head += ["Total"] + [str(y) for y in report.years] + list(BUDGET_UNITS)
    head += [f.capitalize() for f in FUNDING] + ["Verdict"]
    if report.plan is not None:  # without a plan there is no headroom to exceed
        head.append("First to exceed the headroom in")
    top = sh.append([sh.text(h, bold=True) for h in head])
    first_money = 8
    money_cols = 1 + len(report.years) + len(BUDGET_UNITS) + len(FUNDING)
    years_from, years_to = col(first_money + 1), col(first_money + len(report.years))
    for e in report.entries():
        i, r = e.index, e.row
        row = top + 1 + i
        figures: list[Decimal] = [r.by_year.get(y, ZERO) for y in report.years]
        figures += [r.by_unit.get(u, ZERO) for u in BUDGET_UNITS]
        figures += [r.by_funding.get(f, ZERO) for f in FUNDING]
        sh.append(
            [i + 1]
            + [sh.text(v) for v in (r.reference, r.title, r.conference)]
            + [sh.text(", ".join(r.submitted_by)), sh.text(r.submitted), sh.text(r.file)]
            + [sh.number(f"=SUM({years_from}{row}:{years_to}{row})")]
            + [sh.number(v) for v in figures]
            + [sh.text(r.verdict)]
            + ([sh.text(", ".join(e.crosses))] if report.plan is not None else [])
        )
    last = max(top + len(report.rows), top + 1)
    totals = [
        sh.number(f"=SUM({col(c)}{top + 1}:{col(c)}{last})", bold=True)
        for c in range(first_money, first_money + money_cols)
    ]
    sh.append([None, sh.text("Total", bold=True), None, None, None, None, None, *totals])
    sh.ws.freeze_panes = f"C{top + 1}"
    sh.widths({1: 5, 2: 16, 3: 48, 4: 10, 5: 24, 6: 11, 7: 24})
    sh.widths({c: 14 for c in range(first_money, first_money + money_cols)})

    if report.cells:
        _plan_sheets(wb, report)
    if report.failures:
        sf = _Sheet(wb, "Failed")
        sf.append([sf.text("File", bold=True), sf.text("Problem", bold=True)])
        for f in report.failures:
            for d in f.diagnostics:
                sf.append([sf.text(f.file), sf.text(d.render())])
        sf.widths({1: 30, 2: 100})
    wb.properties.creator = f"finimpact {__version__}"
    wb.save(path)


def _plan_sheets(wb: Any, report: Report) -> None:
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import PatternFill
    from openpyxl.utils import get_column_letter as col

    cells, outside = report.cells, report.outside
    n = len(report.rows)
    last_additional = max(3 + n, 4)
    # Sheet 2: each proposal's additional credits per year and unit of the plan (rows 4 on),
    # then outside the plan's period: in all (column `beyond`), and per year and unit after it
    sa = _Sheet(wb, "Additional")
    sa.append([sa.text("Additional credits per year and budget unit of the plan", bold=True)])
    sa.append([])
    beyond = 3 + len(cells)
    head = ["#", "Reference", *(c.label for c in cells), "Outside the plan's period"]
    head += [f"{o.label} (outside)" for o in outside]
    sa.append([sa.text(h, bold=True) for h in head])
    for e in report.entries():
        i, r = e.index, e.row
        figures = [r.additional.get((c.year, c.unit), ZERO) for c in cells]
        own = [r.additional.get((o.year, o.unit), ZERO) for o in outside]
        in_all = (
            sa.number(f"=SUM({col(beyond + 1)}{4 + i}:{col(beyond + len(outside))}{4 + i})")
            if outside
            else sa.number(e.outside_own)
        )
        sa.append(
            [i + 1, sa.text(r.reference)]
            + [sa.number(v) for v in figures]
            + [in_all]
            + [sa.number(v) for v in own]
        )
    sa.ws.freeze_panes = "C4"
    sa.widths({2: 16} | {3 + j: 14 for j in range(len(cells))})
    sa.widths({beyond + j: 18 for j in range(len(outside) + 1)})

    # Sheet 3: the cumulative position after each proposal, against the headroom
    sc = _Sheet(wb, "Against plan")
    sc.append([sc.text(f"Cumulative additional credits against: {report.plan_label}", True)])
    sc.append([sc.text(ORDER_RULE)])
    sc.append([])
    head = ["#", "Reference", *(c.label for c in cells), "Outside the plan's period"]
    head += ["First to exceed the headroom in"]
    sc.append([sc.text(h, bold=True) for h in head])
    head_row = sc.append(
        [None, sc.text("Headroom", bold=True)] + [sc.number(c.headroom, bold=True) for c in cells]
    )
    first_data = head_row + 1
    for e in report.entries():
        i, r = e.index, e.row
        sums = [
            sc.number(
                f"=SUM(Additional!{col(3 + j)}$4:{col(3 + j)}{4 + i})",
                first=c.first_exceeded_by == i,
            )
            for j, c in enumerate(cells)
        ]
        sums.append(sc.number(f"=SUM(Additional!{col(beyond)}$4:{col(beyond)}{4 + i})"))
        sc.append([i + 1, sc.text(r.reference), *sums, sc.text(", ".join(e.crosses))])
    last = first_data + n - 1
    remaining = [
        sc.number(
            f"={col(3 + j)}{head_row}-{col(3 + j)}{last}" if n else f"={col(3 + j)}{head_row}",
            bold=True,
        )
        for j in range(len(cells))
    ]
    sc.append([None, sc.text("Remaining after all", bold=True), *remaining])
    if n:
        red = PatternFill("solid", fgColor="F4CCCC")
        for j in range(len(cells)):
            letter = col(3 + j)
            sc.ws.conditional_formatting.add(
                f"{letter}{first_data}:{letter}{last}",
                CellIsRule(operator="greaterThan", formula=[f"{letter}${head_row}"], fill=red),
            )
    sc.ws.freeze_panes = f"C{first_data}"
    sc.widths({2: 16} | {3 + j: 14 for j in range(len(cells))})
    sc.widths({beyond: 18, beyond + 1: 30})

    # Sheet 4: the position per year and unit
    sp = _Sheet(wb, "Position")
    sp.append([sp.text(f"Position against: {report.plan_label}", bold=True)])
    sp.append([])
    head = ["Year", "Budget unit", "Headroom", "Requested", "Remaining", "First exceeded by"]
    sp.append([sp.text(h, bold=True) for h in head])
    for j, c in enumerate(cells):
        row = 4 + j
        letter = col(3 + j)
        first = c.first
        requested = sp.number(f"=SUM(Additional!{letter}4:{letter}{last_additional})")
        left = sp.number(f"=C{row}-D{row}")
        sp.append([c.year, sp.text(c.unit), sp.number(c.headroom), requested, left, sp.text(first)])
    sp.widths({2: 12, 3: 16, 4: 16, 5: 16, 6: 30})

    # Sheet 5: the additional credits in years outside the plan's period, per year and unit
    so = _Sheet(wb, "Outside the plan")
    period = f" ({report.plan_period})"
    so.append([so.text(f"Additional credits in years outside the plan's period{period}", True)])
    note = (
        "Not compared with any headroom: to be weighed against the plan in force for those years."
    )
    so.append([so.text(note)])
    head = ["Year", "Budget unit", "Additional credits", "Proposals"]
    so.append([so.text(h, bold=True) for h in head])
    for j, o in enumerate(outside):
        letter = col(beyond + 1 + j)
        credits = so.number(f"=SUM(Additional!{letter}4:{letter}{last_additional})")
        so.append([o.year, so.text(o.unit), credits, so.text(report.contributors(o))])
    if outside:
        total = so.number(f"=SUM(C4:C{3 + len(outside)})", bold=True)
        so.append([None, so.text("Total", bold=True), total])
    else:
        so.append([so.text(f"None: every additional credit falls in the plan's period{period}.")])
    so.widths({2: 12, 3: 18, 4: 60})


_CORE_DATES = re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>")


def reproducible_zip(source: Path, target: Path) -> None:
    """Copy a zip (a workbook) with fixed entry times and no document dates, entry by entry
    (streamed), so that the same content gives the same bytes."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            if info.filename == "docProps/core.xml":
                dst.writestr(entry, _CORE_DATES.sub(b"", src.read(info)))
                continue
            with src.open(info) as reader, dst.open(entry, "w") as writer:
                shutil.copyfileobj(reader, writer, 1 << 16)


def xlsx_chunks(report: Report) -> Iterator[bytes]:
    with tempfile.TemporaryDirectory(prefix="finimpact-xlsx-") as folder:
        raw, fixed = Path(folder) / "raw.xlsx", Path(folder) / "fixed.xlsx"
        build_xlsx(report, raw)
        reproducible_zip(raw, fixed)
        with fixed.open("rb") as f:
            while chunk := f.read(1 << 16):
                yield chunk


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


def write_reports(report: Report, out_dir: Path) -> list[Path]:
    """Stream the four consolidated outputs to disk and move them all into place, as each
    proposal's outputs are (``write_all``): on any failure, none is replaced."""
    return write_all({out_dir / FILES[kind]: render(report) for kind, render in RENDER.items()})
