"""The consolidated report of a batch: one view model, four renderings (xlsx, HTML, Markdown,
JSON), for a conference's Budget Control Committee.

The view model (:func:`consolidate`) does every sum; the renderers only lay it out. The
workbook recomputes the sums itself with formulas (totals, cumulative positions, remaining
headroom), so a budget officer can check them in the sheet.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from estimator import __version__
from estimator.assess import YearUnit
from estimator.batch import ORDER_RULE, Batch, Failure, Row
from estimator.model import BUDGET_UNITS, FUNDING
from estimator.money import money
from estimator.outputs import write_all
from estimator.resources import templates_dir

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

    @property
    def remaining(self) -> Decimal:
        return self.headroom - self.requested

    @property
    def label(self) -> str:
        return f"{self.year} {self.unit}"


@dataclass(frozen=True)
class Report:
    rows: tuple[Row, ...]
    failures: tuple[Failure, ...]
    currency: str
    plan_label: str | None
    plan_json: dict[str, object] | None
    plan_period: tuple[int, int] | None
    years: tuple[int, ...]
    cells: tuple[Cell, ...]
    cumulative: tuple[tuple[Decimal, ...], ...]
    """Per proposal (submission order), per cell: additional credits of it and those before."""
    outside_plan: tuple[Decimal, ...]
    """Per proposal: additional credits in years outside the plan's period."""
    crosses: tuple[tuple[str, ...], ...]
    """Per proposal: the cells (year unit) whose headroom it is the first to exceed."""
    files: int
    skipped: tuple[tuple[str, str], ...] = ()

    @property
    def total(self) -> Decimal:
        return sum((r.total for r in self.rows), ZERO)

    def by_year(self) -> dict[int, Decimal]:
        return {y: sum((r.by_year.get(y, ZERO) for r in self.rows), ZERO) for y in self.years}

    def by_unit(self) -> dict[str, Decimal]:
        return {u: sum((r.by_unit.get(u, ZERO) for r in self.rows), ZERO) for u in BUDGET_UNITS}

    def by_funding(self) -> dict[str, Decimal]:
        return {f: sum((r.by_funding.get(f, ZERO) for r in self.rows), ZERO) for f in FUNDING}

    @property
    def exceeded(self) -> tuple[Cell, ...]:
        return tuple(c for c in self.cells if c.first_exceeded_by is not None)


def consolidate(batch: Batch) -> Report:
    rows = batch.rows
    years = tuple(sorted({y for r in rows for y in r.by_year}))
    plan = batch.plan
    keys: list[YearUnit] = (
        [(y, u) for y in plan.info.years for u in BUDGET_UNITS] if plan is not None else []
    )
    running = dict.fromkeys(keys, ZERO)
    first: dict[YearUnit, int] = {}
    cumulative: list[tuple[Decimal, ...]] = []
    outside: list[Decimal] = []
    crosses: list[tuple[str, ...]] = []
    for i, row in enumerate(rows):
        crossed: list[str] = []
        beyond = ZERO
        for key, amount in row.additional.items():
            if key not in running:
                beyond += amount
                continue
            running[key] += amount
            if key not in first and plan is not None and running[key] > plan.available(*key):
                first[key] = i
                crossed.append(f"{key[0]} {key[1]}")
        cumulative.append(tuple(running[k] for k in keys))
        outside.append(beyond if plan is not None else sum(row.additional.values(), ZERO))
        crosses.append(tuple(crossed))
    cells = tuple(
        Cell(y, u, plan.available(y, u), running[(y, u)], first.get((y, u)))
        for (y, u) in keys
        if plan is not None
    )
    return Report(
        rows=rows,
        failures=batch.failures,
        currency=batch.currency,
        plan_label=plan.info.label if plan is not None else None,
        plan_json=plan.to_json() if plan is not None else None,
        plan_period=plan.info.period if plan is not None else None,
        years=years,
        cells=cells,
        cumulative=tuple(cumulative),
        outside_plan=tuple(outside),
        crosses=tuple(crosses),
        files=batch.files,
        skipped=batch.skipped,
    )


# -- JSON -------------------------------------------------------------------------------------


def render_json(report: Report) -> bytes:
    cells = report.cells
    data = {
        "format": FORMAT,
        "tool": {"name": "finimpact", "version": __version__},
        "currency": report.currency,
        "plan": report.plan_json,
        "order": ORDER_RULE,
        "files": report.files,
        "costed": len(report.rows),
        "failed": len(report.failures),
        "total": money(report.total),
        "by_year": {str(y): money(v) for y, v in report.by_year().items()},
        "by_unit": {u: money(v) for u, v in report.by_unit().items()},
        "by_funding": {f: money(v) for f, v in report.by_funding().items()},
        "position": [
            {
                "year": c.year,
                "unit": c.unit,
                "headroom": money(c.headroom),
                "requested": money(c.requested),
                "remaining": money(c.remaining),
                "first_exceeded_by": None
                if c.first_exceeded_by is None
                else report.rows[c.first_exceeded_by].reference,
            }
            for c in cells
        ],
        "proposals": [
            {
                "order": i + 1,
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
                "additional_outside_plan": money(report.outside_plan[i]),
                "cumulative": {
                    c.label: money(v) for c, v in zip(cells, report.cumulative[i], strict=True)
                },
                "first_to_exceed": list(report.crosses[i]),
                "verdict": r.verdict,
                "statement": r.statement,
                "outputs": list(r.outputs),
                "warnings": [d.to_json() for d in r.warnings],
            }
            for i, r in enumerate(report.rows)
        ],
        "failures": [
            {"file": f.file, "diagnostics": [d.to_json() for d in f.diagnostics]}
            for f in report.failures
        ],
        "skipped": [{"file": file, "reason": why} for file, why in report.skipped],
    }
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


# -- HTML and Markdown ------------------------------------------------------------------------


def amount(value: Decimal) -> str:
    return f"{Decimal(money(value)):,.2f}"


def view(report: Report) -> dict[str, Any]:
    """Everything the HTML and Markdown templates show, as text: they do no arithmetic."""
    cur = report.currency
    exceeded = [
        {
            "cell": f"{c.unit} in {c.year}",
            "reference": report.rows[c.first_exceeded_by].reference,
            "order": c.first_exceeded_by + 1,
        }
        for c in report.cells
        if c.first_exceeded_by is not None
    ]
    return {
        "currency": cur,
        "plan": report.plan_label,
        "plan_period": (
            f"{report.plan_period[0]}-{report.plan_period[1]}" if report.plan_period else None
        ),
        "order_rule": ORDER_RULE,
        "files": report.files,
        "costed": len(report.rows),
        "failed": len(report.failures),
        "total": amount(report.total),
        "years": [str(y) for y in report.years],
        "units": list(BUDGET_UNITS),
        "fundings": list(FUNDING),
        "rows": [
            {
                "order": i + 1,
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
                "crosses": ", ".join(report.crosses[i]),
                "outside": amount(report.outside_plan[i]),
                "cumulative": [
                    {"value": amount(v), "over": v > c.headroom}
                    for c, v in zip(report.cells, report.cumulative[i], strict=True)
                ],
            }
            for i, r in enumerate(report.rows)
        ],
        "totals": {
            "by_year": [amount(v) for v in report.by_year().values()],
            "by_unit": [amount(v) for v in report.by_unit().values()],
            "by_funding": [amount(v) for v in report.by_funding().values()],
            "outside": amount(sum(report.outside_plan, ZERO)),
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
                "first": ""
                if c.first_exceeded_by is None
                else f"{c.first_exceeded_by + 1}. {report.rows[c.first_exceeded_by].reference}",
            }
            for c in report.cells
        ],
        "exceeded": exceeded,
        "failures": [
            {"file": f.file, "messages": [d.render() for d in f.diagnostics]}
            for f in report.failures
        ],
        "skipped": [f"{file}: {why}" for file, why in report.skipped],
        "version": __version__,
    }


_ENV: dict[str, Environment] = {}


def _environment(kind: str) -> Environment:
    if kind not in _ENV:
        env = Environment(
            loader=FileSystemLoader(str(templates_dir())),
            undefined=StrictUndefined,
            autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.filters["cell"] = markdown_cell
        _ENV[kind] = env
    return _ENV[kind]


def markdown_cell(text: object) -> str:
    """Text safe in a Markdown table cell: pipes escaped, line breaks and markup neutralised."""
    value = str(text).replace("\\", "\\\\").replace("|", "\\|")
    value = re.sub(r"[\r\n]+", " ", value)
    return re.sub(r"([*_`<>\[\]])", r"\\\1", value)


def render_html(report: Report) -> bytes:
    template = _environment("html").get_template("batch.html.j2")
    return template.render(**view(report)).encode("utf-8")


def render_markdown(report: Report) -> bytes:
    template = _environment("md").get_template("batch.md.j2")
    return template.render(**view(report)).encode("utf-8")


# -- Workbook ---------------------------------------------------------------------------------

MONEY_FORMAT = "#,##0.00"
_FORMULA_START = ("=", "+", "-", "@")


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

        cell = WriteOnlyCell(self.ws, value=None if value is None else str(value))
        if isinstance(value, str) and value.startswith(_FORMULA_START):
            cell.data_type = "s"
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


def render_xlsx(report: Report) -> bytes:
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
    head += [f.capitalize() for f in FUNDING] + ["Verdict", "First to exceed the headroom in"]
    top = sh.append([sh.text(h, bold=True) for h in head])
    first_money = 8
    money_cols = 1 + len(report.years) + len(BUDGET_UNITS) + len(FUNDING)
    years_from, years_to = col(first_money + 1), col(first_money + len(report.years))
    for i, r in enumerate(report.rows):
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
            + [sh.text(r.verdict), sh.text(", ".join(report.crosses[i]))]
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
    buffer = io.BytesIO()
    wb.properties.creator = f"finimpact {__version__}"
    wb.save(buffer)
    return reproducible_zip(buffer.getvalue())


def _plan_sheets(wb: Any, report: Report) -> None:
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import PatternFill
    from openpyxl.utils import get_column_letter as col

    cells = report.cells
    n = len(report.rows)
    # Sheet 2: each proposal's additional credits per year and unit of the plan (rows 4 on)
    sa = _Sheet(wb, "Additional")
    sa.append([sa.text("Additional credits per year and budget unit of the plan", bold=True)])
    sa.append([])
    head = ["#", "Reference", *(c.label for c in cells), "Outside the plan's period"]
    sa.append([sa.text(h, bold=True) for h in head])
    for i, r in enumerate(report.rows):
        figures = [r.additional.get((c.year, c.unit), ZERO) for c in cells]
        sa.append(
            [i + 1, sa.text(r.reference)]
            + [sa.number(v) for v in figures]
            + [sa.number(report.outside_plan[i])]
        )
    sa.ws.freeze_panes = "C4"
    sa.widths({2: 16} | {3 + j: 14 for j in range(len(cells) + 1)})

    # Sheet 3: the cumulative position after each proposal, against the headroom
    sc = _Sheet(wb, "Against plan")
    sc.append([sc.text(f"Cumulative additional credits against: {report.plan_label}", True)])
    sc.append([sc.text(ORDER_RULE)])
    sc.append([])
    head = ["#", "Reference", *(c.label for c in cells), "First to exceed the headroom in"]
    sc.append([sc.text(h, bold=True) for h in head])
    head_row = sc.append(
        [None, sc.text("Headroom", bold=True)] + [sc.number(c.headroom, bold=True) for c in cells]
    )
    first_data = head_row + 1
    for i, r in enumerate(report.rows):
        sums = [
            sc.number(
                f"=SUM(Additional!{col(3 + j)}$4:{col(3 + j)}{4 + i})",
                first=c.first_exceeded_by == i,
            )
            for j, c in enumerate(cells)
        ]
        sc.append([i + 1, sc.text(r.reference), *sums, sc.text(", ".join(report.crosses[i]))])
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
    sc.widths({2: 16} | {3 + j: 14 for j in range(len(cells))} | {3 + len(cells): 30})

    # Sheet 4: the position per year and unit
    sp = _Sheet(wb, "Position")
    sp.append([sp.text(f"Position against: {report.plan_label}", bold=True)])
    sp.append([])
    head = ["Year", "Budget unit", "Headroom", "Requested", "Remaining", "First exceeded by"]
    sp.append([sp.text(h, bold=True) for h in head])
    for j, c in enumerate(cells):
        row = 4 + j
        letter = col(3 + j)
        first = (
            ""
            if c.first_exceeded_by is None
            else f"{c.first_exceeded_by + 1}. {report.rows[c.first_exceeded_by].reference}"
        )
        requested = sp.number(f"=SUM(Additional!{letter}4:{letter}{max(3 + n, 4)})")
        left = sp.number(f"=C{row}-D{row}")
        sp.append([c.year, sp.text(c.unit), sp.number(c.headroom), requested, left, sp.text(first)])
    sp.widths({2: 12, 3: 16, 4: 16, 5: 16, 6: 30})


_CORE_DATES = re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>")


def reproducible_zip(data: bytes) -> bytes:
    """The same workbook bytes for the same content: fixed entry times and document dates."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _CORE_DATES.sub(b"", content)
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, content)
    return out.getvalue()


RENDER = {
    "json": render_json,
    "xlsx": render_xlsx,
    "html": render_html,
    "md": render_markdown,
}


def write_reports(report: Report, out_dir: Path) -> list[Path]:
    """Render the four consolidated outputs, then write them all or none."""
    files = {out_dir / FILES[kind]: render(report) for kind, render in RENDER.items()}
    return write_all(files)
