"""The workbook reproduces every figure of the estimate with live formulas, and holds them.

Every seed and every hand-computed case of tests/cases is rendered to a workbook. Read as
written, without recalculation (as a mail preview or a script reads it), every formula holds
the amount of the JSON estimate to the cent. Recalculated by LibreOffice headless from copies
stripped of those values (one soffice call for all of them), every line amount and every total
again equals the JSON, with no error value anywhere. Changing one rate cell moves exactly the
lines that use it, and the totals, by the hand-computed amounts. Text that looks like a formula
stays text; two separate runs of the tool write the same bytes; printed by LibreOffice, no
figure of any workbook shows as ###.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, get_args

import openpyxl
import pytest
from libreoffice import convert, require_soffice
from openpyxl.utils.cell import range_boundaries
from openpyxl.workbook.workbook import Workbook
from typer.testing import CliRunner

from cost_models.money import ROUNDING_RULE
from cost_models.needs import ELEMENTS
from estimator.cli.app import app
from estimator.cli.starter import starter_proposal
from estimator.core.estimate import Estimate, Verdict
from estimator.core.pipeline import estimate
from estimator.render.options import RenderOptions
from estimator.render.outputs import RENDERERS
from estimator.render.wording import (
    FUNDING_LABELS,
    UNIT_LABELS,
    VERDICTS,
    article34_statement,
)
from estimator.render.workbook import PRINTED, WORKINGS_COLUMNS, rate_rows, render_workbook
from estimator.render.xlsx import FACTOR, FONT, INPUT_FILL, MONEY

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
SEEDS = sorted((ROOT / "seeds").glob("*.toml"))
CASE_DIRS = sorted(p for p in (TESTS / "cases").iterdir() if (p / "proposal.toml").exists())
ERROR_VALUES = {"#NAME?", "#REF!", "#VALUE!", "#DIV/0!", "#N/A", "#NUM!", "#NULL!"}

# A card for these tests, with public UN figures in US dollars (so that the shipped cards can
# change without changing the hand-computed figures below) and an escalation of 2% a year.
CARD = """
format = 1
[card]
id = "test-un-geneva-usd"
title = "Test card: UN Geneva figures, USD"
currency = "USD"
escalation = 0.02
escalation_source = "Assumed for the test: 2% a year."
words_per_page = 312

[[rate]]
id = "interpretation"
label = "Interpretation, one three-hour meeting, one language"
unit = "meeting-language"
  [[rate.value]]
  from = 2023-01-01
  amount = 1533.33
  source = "UN A/C.5/77/14: interpretation, six languages, Geneva, USD 184,000 for 20 meetings"
  basis = "derived"
  derivation = "184000 / 20 meetings = 9200 a meeting in six languages; 9200 / 6 = 1533.33"

[[rate]]
id = "conference-services"
label = "Conference services: sound technician and recording, one meeting"
unit = "meeting"
  [[rate.value]]
  from = 2023-01-01
  amount = 350
  source = "UN A/C.5/77/14: sound technician and recording, Geneva, USD 7,000 for 20 meetings"
  basis = "derived"
  derivation = "7000 / 20 meetings = 350"
"""

# Two years of one small Geneva meeting, priced with CARD: interpretation 1533.33 a
# meeting-language and conference services 350 a meeting, both in force from 2023-01-01.
RATE_CHANGE = """
format = 1
[proposal]
reference = "TEST/RATE-CHANGE"
title = "One meeting a year in two languages"
conference = "C26"
submitted_by = ["Test"]
responsible = "GS"
period = [2027, 2028]

[[activity]]
id = "meeting"
kind = "meeting"
title = "Expert meeting"
days = 1
languages = ["en", "fr"]
"""

INJECTION = """
format = 1
[proposal]
reference = "=cmd|' /C calc'!A0"
title = '=HYPERLINK("http://x","y")'
conference = "C26"
submitted_by = ["+41 22 730", "@SUM(A1)"]
instrument = "-2+3"
responsible = "GS"
period = [2027, 2027]
requests = ['=1+1', "bell\\u0007 and a tab\\t"]

[[activity]]
id = "meeting"
kind = "meeting"
title = '=HYPERLINK("http://x","y")'
note = "+41 22 730 5111"
days = 1

[[activity]]
id = "portal"
kind = "services"
title = "@SUM(1+1)"
amount = 1000
justification = '=WEBSERVICE("http://x")'
"""


@dataclass(frozen=True)
class Made:
    """One workbook made from an estimate; its copy without cached values (saved by
    openpyxl, which keeps formulas and drops their results); and LibreOffice's
    recalculation of that copy."""

    estimate: Estimate
    json: dict[str, Any]
    path: Path
    stripped: Path
    recalculated: Path


def _estimate(proposal: Path, card: Path | None = None) -> Estimate:
    outcome = estimate(proposal, card)
    assert outcome.estimate is not None, [d.render() for d in outcome.diagnostics]
    return outcome.estimate


def _sources(folder: Path) -> dict[str, Estimate]:
    """Every seed, every hand-computed case, the starter, and the two cases of this file."""
    out = {f"seed-{p.stem}": _estimate(p) for p in SEEDS}
    for case in CASE_DIRS:
        card = case / "card.toml"
        out[f"case-{case.name}"] = _estimate(
            case / "proposal.toml", card if card.exists() else None
        )
    card = folder / "card.toml"
    card.write_text(CARD, encoding="utf-8")
    for name, text, rates in (
        ("starter", starter_proposal(), None),
        ("rate-change", RATE_CHANGE, card),
        ("injection", INJECTION, card),
    ):
        path = folder / f"{name}.toml"
        path.write_text(text, encoding="utf-8")
        out[name] = _estimate(path, rates)
    return out


CASE_NAMES = [
    *(f"seed-{p.stem}" for p in SEEDS),
    *(f"case-{c.name}" for c in CASE_DIRS),
    "starter",
    "rate-change",
    "injection",
]


def _rate_cell(wb: Workbook, name: str) -> tuple[str, str]:
    (sheet, ref), *_ = list(wb.defined_names[name].destinations)
    return sheet, ref.replace("$", "")


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Estimate, Path]]:
    """Every workbook as the tool writes it."""
    folder = tmp_path_factory.mktemp("workbooks")
    out = {}
    for name, est in _sources(folder).items():
        path = folder / f"{name}.xlsx"
        path.write_bytes(render_workbook(est, RenderOptions()))
        out[name] = (est, path)
    return out


@pytest.fixture(scope="module")
def made(
    written: dict[str, tuple[Estimate, Path]], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Made]:
    """Every workbook without its cached values, plus 'rate-change-edited' (interpretation
    set to 1600 on the Rates sheet) and 'escalation-edited' (escalation 3%), recalculated by
    LibreOffice in one call."""
    require_soffice()
    folder = tmp_path_factory.mktemp("stripped")
    stripped: dict[str, Path] = {}
    sources: dict[str, tuple[Estimate, Path]] = dict(written)
    for name, (_, path) in written.items():
        stripped[name] = folder / f"{name}.xlsx"
        openpyxl.load_workbook(path).save(stripped[name])
    for name, ref_name, value in (
        ("rate-change-edited", "R_interpretation", Decimal(1600)),
        ("escalation-edited", "Escalation", Decimal("0.03")),
    ):
        wb = openpyxl.load_workbook(written["rate-change"][1])
        sheet, ref = _rate_cell(wb, ref_name)
        wb[sheet][ref] = value
        stripped[name] = folder / f"{name}.xlsx"
        wb.save(stripped[name])
        sources[name] = written["rate-change"]
    names = list(stripped)
    out = convert([stripped[n] for n in names], "xlsx", folder / "recalculated")
    return {
        n: Made(sources[n][0], sources[n][0].to_json(), sources[n][1], stripped[n], recalculated)
        for n, recalculated in zip(names, out, strict=True)
    }


# -- reading a workbook back as a budget officer reads it --------------------------------------


def _cents(value: Any) -> str:
    """A computed amount as the JSON writes it; it must be a whole number of cents."""
    assert isinstance(value, int | float) and not isinstance(value, bool), value
    assert abs(value * 100 - round(value * 100)) < 1e-6, f"{value!r} is not rounded to the cent"
    return f"{value:.2f}"


def _rows(ws: Any) -> Iterator[tuple[Any, ...]]:
    yield from ws.iter_rows(values_only=True)


def _column(header: tuple[Any, ...], starts: str) -> int:
    return next(i for i, title in enumerate(header) if str(title).startswith(starts))


def workings_amounts(wb: Workbook) -> list[str]:
    """The Amount column of the Workings, line by line (the total row left out)."""
    header, *rows = _rows(wb["Workings"])
    amount, activity = _column(header, "Amount ("), _column(header, "Activity id")
    return [_cents(row[amount]) for row in rows if row[activity] is not None]


def workings_total(wb: Workbook) -> str:
    header, *rows = _rows(wb["Workings"])
    amount = _column(header, "Amount (")
    (total,) = [row[amount] for row in rows if "Total of the lines shown" in row]
    return _cents(total)


ELEMENT_IDS = {e.label: e.id for e in ELEMENTS.values()}
UNIT_IDS = {label: code for code, label in UNIT_LABELS.items()}
FUNDING_IDS = {label: code for code, label in FUNDING_LABELS.items()}
BLOCKS = {
    "By object of expenditure": ("by_element", ELEMENT_IDS),
    "By budget unit": ("by_unit", UNIT_IDS),
    "By source of funding": ("by_funding", FUNDING_IDS),
    "By activity": ("by_activity", None),
}


def summary_tables(wb: Workbook, est: Estimate) -> dict[str, dict[str, dict[str, str]]]:
    """Each table of the Summary: its rows by JSON key (element, unit, funding, activity id;
    'total' for the total row), each row's figures by year and 'total'."""
    titles = {line.title: line.activity for line in est.lines}
    rows = list(_rows(wb["Summary"]))
    out: dict[str, dict[str, dict[str, str]]] = {}
    for i, row in enumerate(rows):
        title = str(row[0]).rpartition(" (")[0]
        if title not in BLOCKS:
            continue
        key, ids = BLOCKS[title]
        header = rows[i + 1]
        years = [str(y) for y in header[1:] if isinstance(y, int)]
        assert header[len(years) + 1] == "Total"
        table: dict[str, dict[str, str]] = {}
        for body in rows[i + 2 :]:
            label = body[0]
            figures = [_cents(v) for v in body[1 : len(years) + 2]]
            name = "total" if label == "Total" else (ids or titles)[label]
            table[name] = dict(zip([*years, "total"], figures, strict=True))
            if label == "Total":
                break
        out[key] = table
    return out


def summary_figures(wb: Workbook, est: Estimate) -> dict[str, Any]:
    """The Summary's figures, keyed as in the JSON estimate."""
    tables = summary_tables(wb, est)
    out: dict[str, Any] = {
        key: {k: row["total"] for k, row in table.items() if k != "total"}
        for key, table in tables.items()
    }
    by_element_total = tables["by_element"]["total"]
    out["by_year"] = {y: v for y, v in by_element_total.items() if y != "total"}
    for label, value, *_ in _rows(wb["Summary"]):
        if str(label).startswith("Total ("):
            out["total"] = _cents(value)
        elif str(label).startswith("of which external human resources"):
            out["external_human_resources"] = _cents(value)
    return out


JSON_FIGURES = ("total", "external_human_resources", "by_year", "by_element", "by_unit")
JSON_FIGURES += ("by_funding", "by_activity")


def _formula_cells(path: Path) -> Iterator[tuple[str, Any]]:
    """(sheet!cell, cached value) of every formula in a workbook, as written."""
    formulas = openpyxl.load_workbook(path)
    values = openpyxl.load_workbook(path, data_only=True)
    for ws in formulas.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    yield f"{ws.title}!{c.coordinate}", values[ws.title][c.coordinate].value


# -- as written: every formula holds its value ----------------------------------------------


@pytest.mark.parametrize("name", CASE_NAMES)
def test_every_formula_holds_the_amount_of_the_json_without_recalculation(
    written: dict[str, tuple[Estimate, Path]], name: str
) -> None:
    est, path = written[name]
    expected = est.to_json()
    cached = list(_formula_cells(path))
    assert cached and [ref for ref, value in cached if value is None] == []
    wb = openpyxl.load_workbook(path, data_only=True)  # does not recalculate
    assert workings_amounts(wb) == [line["amount"] for line in expected["lines"]]
    assert workings_total(wb) == expected["total"]
    assert summary_figures(wb, est) == {key: expected[key] for key in JSON_FIGURES}


def test_each_summary_cell_is_the_sum_of_its_lines_for_that_year(
    written: dict[str, tuple[Estimate, Path]],
) -> None:
    est, path = written["seed-pp26-ai-capacity"]
    tables = summary_tables(openpyxl.load_workbook(path, data_only=True), est)
    for line_key, table in (("element", "by_element"), ("unit", "by_unit")):
        for key, row in tables[table].items():
            if key == "total":
                continue
            for year, figure in row.items():
                if year == "total":
                    continue
                lines = [
                    ln.amount
                    for ln in est.lines
                    if getattr(ln, line_key) == key and str(ln.year) == year
                ]
                assert figure == f"{sum(lines, Decimal(0)):.2f}", (table, key, year)


# -- recalculated by LibreOffice --------------------------------------------------------------


@pytest.mark.libreoffice
def test_the_copies_libreoffice_recalculates_hold_no_value_of_their_own(
    made: dict[str, Made],
) -> None:
    # openpyxl keeps the formulas and drops their results: whatever LibreOffice's copy holds,
    # LibreOffice computed.
    for name in ("starter", "rate-change-edited"):
        cached = list(_formula_cells(made[name].stripped))
        assert cached and {value for _, value in cached} == {None}, name


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", CASE_NAMES)
def test_every_line_amount_recalculates_to_the_json_amount(
    made: dict[str, Made], name: str
) -> None:
    m = made[name]
    wb = openpyxl.load_workbook(m.recalculated, data_only=True)
    assert workings_amounts(wb) == [line["amount"] for line in m.json["lines"]]
    assert workings_total(wb) == m.json["total"]


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", CASE_NAMES)
def test_every_total_recalculates_to_the_json_total(made: dict[str, Made], name: str) -> None:
    m = made[name]
    wb = openpyxl.load_workbook(m.recalculated, data_only=True)
    assert summary_figures(wb, m.estimate) == {key: m.json[key] for key in JSON_FIGURES}


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", [*CASE_NAMES, "rate-change-edited", "escalation-edited"])
def test_no_error_value_anywhere_after_recalculation(made: dict[str, Made], name: str) -> None:
    wb = openpyxl.load_workbook(made[name].recalculated, data_only=True)
    errors = [
        f"{ws.title}!{c.coordinate}: {c.value}"
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "e"
        or (isinstance(c.value, str) and (c.value in ERROR_VALUES or "Err:" in c.value))
    ]
    assert errors == []


@pytest.mark.libreoffice
def test_a_half_cent_rounds_away_from_zero_in_the_workbook_too(made: dict[str, Made]) -> None:
    # tests/cases/half-cent-rounding: 1 × 1000.005 → 1000.01; 3 × 100.835 = 302.505 → 302.51;
    # 0.5 × 650.25 = 325.125 → 325.13 (half to even would give 1000.00, 302.50, 325.12).
    m = made["case-half-cent-rounding"]
    wb = openpyxl.load_workbook(m.recalculated, data_only=True)
    assert sorted(workings_amounts(wb)) == ["1000.01", "302.51", "325.13"]
    assert summary_figures(wb, m.estimate)["total"] == "1627.65"  # 1000.01 + 302.51 + 325.13


@pytest.mark.libreoffice
def test_changing_one_rate_cell_moves_its_lines_and_the_totals(made: dict[str, Made]) -> None:
    # One meeting a year: 1 event × 1 day × 2 meetings = 2 meetings; × 2 languages = 4
    # meeting-languages. Escalation from the 2023 values: 1.02^4 = 1.08243216 in 2027,
    # 1.02^5 = 1.1040808032 in 2028.
    # As priced (interpretation 1533.33):
    #   2027 interpretation 4 × 1533.33 × 1.08243216 = 6638.9028... → 6638.90
    #   2027 conference services 2 × 350 × 1.08243216 = 757.7025... → 757.70
    #   2028 interpretation 4 × 1533.33 × 1.1040808032 = 6771.6808... → 6771.68
    #   2028 conference services 2 × 350 × 1.1040808032 = 772.8565... → 772.86
    # Interpretation set to 1600 on the Rates sheet:
    #   2027 interpretation 4 × 1600 × 1.08243216 = 6927.5658... → 6927.57 (+288.67)
    #   2028 interpretation 4 × 1600 × 1.1040808032 = 7066.1171... → 7066.12 (+294.44)
    before = made["rate-change"]
    assert [line["amount"] for line in before.json["lines"]] == [
        "6638.90",
        "757.70",
        "6771.68",
        "772.86",
    ]
    m = made["rate-change-edited"]
    wb = openpyxl.load_workbook(m.recalculated, data_only=True)
    assert workings_amounts(wb) == ["6927.57", "757.70", "7066.12", "772.86"]
    figures = summary_figures(wb, m.estimate)
    # 6927.57 + 757.70 + 7066.12 + 772.86 = 15524.25; before: 6638.90 + 757.70 + 6771.68 +
    # 772.86 = 14941.14; moved by 288.67 + 294.44 = 583.11
    assert figures["total"] == "15524.25"
    assert Decimal(before.json["total"]) == Decimal("14941.14")
    assert figures["by_year"] == {"2027": "7685.27", "2028": "7838.98"}  # 6927.57 + 757.70
    assert figures["by_element"] == {
        "interpretation": "13993.69",  # 6927.57 + 7066.12
        "conference-services": "1530.56",  # 757.70 + 772.86: unchanged
    }


@pytest.mark.libreoffice
def test_changing_the_escalation_cell_reescalates_every_line(made: dict[str, Made]) -> None:
    # The same meeting with the yearly escalation set to 3% on the Rates sheet:
    # 1.03^4 = 1.12550881 in 2027, 1.03^5 = 1.1592740743 in 2028.
    #   2027 interpretation 4 × 1533.33 × 1.12550881 = 6903.1056... → 6903.11
    #   2027 conference services 2 × 350 × 1.12550881 = 787.8561... → 787.86
    #   2028 interpretation 4 × 1533.33 × 1.1592740743 = 7110.1988... → 7110.20
    #   2028 conference services 2 × 350 × 1.1592740743 = 811.4918... → 811.49
    m = made["escalation-edited"]
    wb = openpyxl.load_workbook(m.recalculated, data_only=True)
    assert workings_amounts(wb) == ["6903.11", "787.86", "7110.20", "811.49"]
    # 6903.11 + 787.86 = 7690.97; 7110.20 + 811.49 = 7921.69; 7690.97 + 7921.69 = 15612.66
    figures = summary_figures(wb, m.estimate)
    assert figures["by_year"] == {"2027": "7690.97", "2028": "7921.69"}
    assert figures["total"] == "15612.66"


@pytest.mark.libreoffice
def test_text_that_looks_like_a_formula_survives_recalculation_as_text(
    made: dict[str, Made],
) -> None:
    wb = openpyxl.load_workbook(made["injection"].recalculated, data_only=True)
    summary = {row[0]: row[1] for row in _rows(wb["Summary"]) if row[0]}
    assert summary["Reference"] == "=cmd|' /C calc'!A0"
    assert summary["Title"] == '=HYPERLINK("http://x","y")'
    assert summary["Submitted by"] == "+41 22 730; @SUM(A1)"
    assert summary["Instrument"] == "-2+3"
    assert summary["Request 1"] == "=1+1"
    header, *rows = _rows(wb["Workings"])
    activity = _column(header, "Activity")
    titles = {row[activity] for row in rows if row[activity] != "Total of the lines shown"}
    assert titles == {'=HYPERLINK("http://x","y")', "@SUM(1+1)"}


# -- printed by LibreOffice -------------------------------------------------------------------


@pytest.mark.libreoffice
def test_no_figure_of_any_workbook_prints_as_hashes_and_no_text_is_cut_off(
    tmp_path: Path,
) -> None:
    """Every seed's workbook and the batch report's, printed to PDF by LibreOffice: a number
    too wide for its column would show as ###; every word of every text cell is on the page."""
    require_soffice()
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is needed to read the PDF back")
    out = tmp_path / "out"
    args = ["batch", str(ROOT / "seeds"), "--out", str(out), "--plan", "example-itu"]
    result = CliRunner().invoke(app, args)  # against a plan: every sheet of the batch report
    assert result.exit_code == 0, result.output
    books = sorted(out.glob("*.xlsx"))
    assert len(books) == len(SEEDS) + 1  # and batch-report.xlsx
    for pdf in convert(books, "pdf", tmp_path / "pdf"):
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "Total" in text, pdf.name
        assert "###" not in text, pdf.name
        if pdf.stem == "batch-report":
            assert "Remaining after all" in text and "Position against" in text
        # no text cut off: a row too short for its wrapped text (the Rates sheet's sources and
        # derivations were) or a column too narrow loses words from the printed page
        # (pdftotext joins a word broken at a hyphen: 'CWG-' / 'Lang' reads 'CWGLang')
        printed = Counter(re.findall(r"\w+", text.replace("-\n", "").replace("-", "")))
        written = Counter(
            word
            for ws in openpyxl.load_workbook(out / f"{pdf.stem}.xlsx").worksheets
            for row in ws.iter_rows(values_only=True, **_print_area(ws))
            for value in row
            if isinstance(value, str) and not value.startswith("=")
            for word in re.findall(r"\w+", value.replace("-", ""))
        )
        assert not written - printed, (pdf.name, sorted(written - printed)[:20])


def _print_area(ws: Any) -> dict[str, int]:
    """The bounds of a sheet's print area (the Workings print their first columns), if set."""
    if not ws.print_area:
        return {}
    first_col, first_row, last_col, last_row = range_boundaries(
        str(ws.print_area).rsplit("!", 1)[-1].replace("$", "")
    )
    return {"min_col": first_col, "min_row": first_row, "max_col": last_col, "max_row": last_row}


# -- the written file, without LibreOffice ----------------------------------------------------


@pytest.fixture(scope="module")
def card(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("card") / "card.toml"
    path.write_text(CARD, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def injection(written: dict[str, tuple[Estimate, Path]]) -> bytes:
    return written["injection"][1].read_bytes()


@pytest.fixture(scope="module")
def rate_change(written: dict[str, tuple[Estimate, Path]]) -> Estimate:
    return written["rate-change"][0]


@pytest.fixture(scope="module")
def starter(written: dict[str, tuple[Estimate, Path]]) -> Estimate:
    return written["starter"][0]


def test_text_that_looks_like_a_formula_is_written_as_a_string(injection: bytes) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(injection))
    texts = {
        '=HYPERLINK("http://x","y")',
        "=cmd|' /C calc'!A0",
        "+41 22 730; @SUM(A1)",
        "-2+3",
        "=1+1",
        "@SUM(1+1)",
        '=WEBSERVICE("http://x")',
        "+41 22 730 5111",
    }
    found = {
        c.value: c
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value in texts
    }
    assert set(found) == texts
    for c in found.values():
        assert c.data_type == "s", c.coordinate
        assert c.quotePrefix, c.coordinate
    with zipfile.ZipFile(io.BytesIO(injection)) as z:
        formulas = [
            f
            for name in z.namelist()
            if name.startswith("xl/worksheets/")
            for f in re.findall(r"<f>(.*?)</f>", z.read(name).decode("utf-8"))
        ]
    assert formulas
    assert not [f for f in formulas if re.search(r"HYPERLINK|WEBSERVICE|cmd|SUM\(1|SUM\(A1", f)]


def test_no_text_of_ours_starts_like_a_formula_and_any_such_text_keeps_its_quote(
    written: dict[str, tuple[Estimate, Path]],
) -> None:
    for name in (n for n in CASE_NAMES if n != "injection"):
        wb = openpyxl.load_workbook(written[name][1])
        starts = [
            f"{ws.title}!{c.coordinate}: {c.value}"
            for ws in wb.worksheets
            for row in ws.iter_rows()
            for c in row
            if c.data_type == "s" and str(c.value).startswith(("=", "+", "-", "@"))
        ]
        assert starts == [], name


def test_control_characters_in_text_are_replaced_not_fatal(injection: bytes) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(injection))
    summary = {row[0]: row[1] for row in _rows(wb["Summary"]) if row[0]}
    assert summary["Request 2"] == "bell\ufffd and a tab\t"


def _run_tool(proposal: Path, card: Path, out: Path, tz: str) -> bytes:
    args = ["estimate", str(proposal), "--rates", str(card), "--out", str(out)]
    done = subprocess.run(
        [sys.executable, "-m", "estimator", *args, "--format", "xlsx"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "TZ": tz},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return (out / "TEST-RATE-CHANGE.workings.xlsx").read_bytes()


def test_two_runs_of_the_tool_write_the_same_bytes(tmp_path: Path, card: Path) -> None:
    # two processes, in two time zones, a second apart or more: nothing of the clock or the
    # place gets into the file
    proposal = tmp_path / "proposal.toml"
    proposal.write_text(RATE_CHANGE, encoding="utf-8")
    first = _run_tool(proposal, card, tmp_path / "a", "UTC")
    second = _run_tool(proposal, card, tmp_path / "b", "Pacific/Auckland")
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        core = z.read("docProps/core.xml").decode("utf-8")
    assert core.count("2000-01-01T00:00:00Z") == 2  # created and modified, not the clock
    assert RENDERERS["xlsx"][0] == "workings.xlsx"


def test_every_amount_is_a_round_of_quantity_rate_and_escalation(starter: Estimate) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(render_workbook(starter, RenderOptions())))
    ws = wb["Workings"]
    names = set(wb.defined_names)
    header = [c.value for c in ws[1]]
    col = {key: openpyxl.utils.get_column_letter(i + 1) for i, key in enumerate(_keys(header))}
    lines = range(2, 2 + len(starter.lines))
    assert len(starter.lines) > 0
    for r in lines:
        q, rate, esc = col["quantity"], col["rate"], col["escalation"]
        assert ws[f"{col['amount']}{r}"].value == f"=ROUND({q}{r}*{rate}{r}*{esc}{r},2)"
        rate_formula = ws[f"{rate}{r}"].value
        assert rate_formula.startswith("=R_") and rate_formula[1:] in names
        assert re.fullmatch(
            rf"=\(1\+Escalation\)\^\({col['year']}{r}-YEAR\(Rates!\$F\$\d+\)\)",
            ws[f"{esc}{r}"].value,
        )
    sheet, ref = _rate_cell(wb, "Escalation")
    assert Decimal(str(wb[sheet][ref].value)) == starter.card.escalation


def _keys(header: list[Any]) -> list[str]:
    """The Workings' column keys, from its titles (which add the currency)."""
    titles = {title: key for key, title in WORKINGS_COLUMNS}
    return [titles[str(t).partition(" (")[0]] for t in header]


def test_rates_sheet_names_each_value_used_with_its_source(rate_change: Estimate) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(render_workbook(rate_change, RenderOptions())))
    ws = wb["Rates"]
    header = next(r for r in range(1, 20) if ws.cell(r, 1).value == "Name")
    rows = [
        [c.value for c in row]
        for row in ws.iter_rows(min_row=header + 1)
        if row[0].value is not None
    ]
    by_name = {row[0]: row for row in rows}
    assert {row[1] for row in rows} == {line.rate_id for line in rate_change.lines}
    interpretation = by_name["R_interpretation"]
    assert interpretation[1:5] == [
        "interpretation",
        "Interpretation, one three-hour meeting, one language",
        "meeting-language",
        1533.33,
    ]
    assert interpretation[5].date().isoformat() == "2023-01-01"
    assert interpretation[6].startswith("UN A/C.5/77/14")
    assert interpretation[7] == "derived"
    assert "184000 / 20" in interpretation[8]
    assert by_name["R_conference_services"][4] == 350
    sheet, ref = _rate_cell(wb, "Escalation")
    assert wb[sheet][ref].value == 0.02


def test_the_editable_values_are_styled_as_inputs_and_nothing_else_is(
    written: dict[str, tuple[Estimate, Path]],
) -> None:
    est, path = written["seed-pp26-ai-capacity"]
    wb = openpyxl.load_workbook(path)
    inputs = {
        f"{ws.title}!{c.coordinate}"
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.fill.fgColor.rgb == "FF" + INPUT_FILL[1:]
    }
    names = {
        f"{sheet}!{ref}"
        for name in [*(r.name for r in rate_rows(est).values()), "Escalation"]
        for sheet, ref in [_rate_cell(wb, name)]
    }
    dates = {n.replace("!E", "!F") for n in names if "!E" in n and "A_" not in n}
    assert names <= inputs
    assert inputs - names <= dates  # the date a value is in force from: it sets the escalation


def test_range_names_carry_no_year_a_user_may_change(
    written: dict[str, tuple[Estimate, Path]],
) -> None:
    est, path = written["case-escalation-dated-values"]
    names = list(openpyxl.load_workbook(path).defined_names)
    assert len({line.rate_from for line in est.lines}) > 1  # two values of one rate
    assert not [n for n in names if re.search(r"(19|20)\d\d", n)]


def test_a_stated_amount_has_its_own_named_cell_and_is_not_escalated(injection: bytes) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(injection))
    sheet, ref = _rate_cell(wb, "A_portal")
    assert wb[sheet][ref].value == 1000
    ws = wb["Workings"]
    header = [c.value for c in ws[1]]
    keys = _keys(header)
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if "portal" in r)
    line = dict(zip(keys, row, strict=True))
    assert line["rate"] == "=A_portal"
    assert line["escalation"] == 1


def test_every_style_names_its_font(written: dict[str, tuple[Estimate, Path]]) -> None:
    _, path = written["seed-pp26-ai-capacity"]
    with zipfile.ZipFile(path) as z:
        styles = z.read("xl/styles.xml").decode("utf-8")
    fonts = re.findall(r"<font>.*?</font>", styles, re.S)
    assert fonts and all('<name val="' in f for f in fonts)
    wb = openpyxl.load_workbook(path)
    used = {c.font.name for ws in wb.worksheets for row in ws.iter_rows() for c in row}
    assert used == {FONT}


def test_no_file_path_in_any_workbook(written: dict[str, tuple[Estimate, Path]]) -> None:
    for name in CASE_NAMES:
        wb = openpyxl.load_workbook(written[name][1])
        texts = [
            str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value
        ]
        assert not [t for t in texts if ".toml" in t or str(TESTS) in t or "/tmp" in t], name


def test_sheets_are_laid_out_for_reading_and_printing(
    written: dict[str, tuple[Estimate, Path]],
) -> None:
    est, path = written["seed-pp26-ai-capacity"]
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Summary", "Workings", "Rates", "Proposal"]
    reference = est.proposal.info.reference
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.page_setup.paperSize == 9, ws.title  # A4
        # one page wide (1 is the default of fitToWidth), as many tall as needed
        assert (ws.page_setup.fitToWidth or 1) == 1, ws.title
        assert ws.page_setup.fitToHeight == 0, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert reference in ws.oddHeader.left.text, ws.title
        assert "&P" in ws.oddFooter.right.text, ws.title
        widths = [d.width for d in ws.column_dimensions.values()]
        assert widths and all(6 <= w <= 70 for w in widths), ws.title
    for title in ("Workings", "Rates", "Proposal"):
        assert wb[title].freeze_panes, title
        assert wb[title].print_title_rows, title
    workings = wb["Workings"]
    header = [c.value for c in workings[1]]
    keys = _keys(header)
    # the amount sits beside the activity and the year
    assert keys[:3] == ["title", "year", "amount"]
    assert keys[PRINTED] == "escalation"  # the working is what is printed
    assert workings.auto_filter.ref == f"A1:{workings.cell(1, len(keys)).column_letter}" + str(
        1 + len(est.lines)
    )
    first = {key: workings.cell(2, i + 1) for i, key in enumerate(keys)}
    assert first["amount"].number_format == MONEY
    assert first["escalation"].number_format == FACTOR
    summary = {row[0]: row[1] for row in _rows(wb["Summary"]) if row[0]}
    assert summary["Rounding"] == ROUNDING_RULE
    assert summary["Verdict"] == VERDICTS[est.article34.verdict]
    assert summary["Statement"] == article34_statement(est.article34)
    assert summary[f"Total ({est.currency})"] == "=SUM(Line_amount)"


def test_the_summary_shows_labels_not_codes(written: dict[str, tuple[Estimate, Path]]) -> None:
    est, path = written["seed-pp26-ai-capacity"]
    labels = {row[0] for row in _rows(openpyxl.load_workbook(path)["Summary"])}
    codes = {line.element for line in est.lines} | {line.unit for line in est.lines}
    codes |= {line.funding for line in est.lines} | {line.activity for line in est.lines}
    assert labels & codes == set()
    assert {UNIT_LABELS[line.unit] for line in est.lines} <= labels
    assert {line.title for line in est.lines} <= labels


def test_proposal_sheet_lists_the_activities_as_entered(starter: Estimate) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(render_workbook(starter, RenderOptions())))
    rows = list(_rows(wb["Proposal"]))[1:]
    officer = {row[2]: (row[3], row[4]) for row in rows if row[1] == "officer"}
    # templates/starter-proposal.toml: grade = "P3", months = 3, posts left to its default 1
    assert officer["kind"] == ("staff", "entered")
    assert officer["grade"] == ("P3", "entered")
    assert officer["months"] == (3, "entered")
    assert officer["posts"] == (1, "default")
    assert {row[1] for row in rows} == {"workshop", "report", "officer"}


def test_rate_ids_that_differ_only_in_punctuation_get_distinct_names(
    rate_change: Estimate,
) -> None:
    # 'conference-services' and 'conference.services' both become conference_services.
    lines = list(rate_change.lines)
    lines[1] = replace(lines[1], rate_id="conference.services")
    rows = rate_rows(replace(rate_change, lines=tuple(lines)))
    names = [row.name for row in rows.values()]
    assert len(set(names)) == len(names) == 3
    assert {"R_conference_services", "R_conference_services_2"} <= set(names)


def test_a_rate_id_too_long_for_a_name_is_cut_to_one(rate_change: Estimate) -> None:
    lines = list(rate_change.lines)
    lines[0] = replace(lines[0], rate_id="interpretation." + "x" * 1000)
    rows = rate_rows(replace(rate_change, lines=tuple(lines)))
    names = [row.name for row in rows.values()]
    assert all(len(n) <= 255 for n in names) and len(set(names)) == len(names)
    wb = openpyxl.load_workbook(
        io.BytesIO(render_workbook(replace(rate_change, lines=tuple(lines))))
    )
    assert set(names) <= set(wb.defined_names)


def test_no_year_is_shown_with_a_thousands_separator(
    written: dict[str, tuple[Estimate, Path]], tmp_path: Path
) -> None:
    # A year reads 2030, never 2,030: a one-off amount's 'once' on the Proposal sheet, the
    # Workings' Year column and the years over the Summary's tables.
    seed = ROOT / "seeds" / "wtdc29-digital-skills.toml"
    text = seed.read_text(encoding="utf-8")
    assert 'per           = "year"' in text
    one_off = tmp_path / "one-off.toml"
    one_off.write_text(text.replace('per           = "year"', "once = 2030", 1), "utf-8")
    est = _estimate(one_off)
    books = {**written, "one-off": (est, tmp_path / "one-off.xlsx")}
    books["one-off"][1].write_bytes(render_workbook(est, RenderOptions()))
    seen = 0
    for name, (est, path) in books.items():
        wb = openpyxl.load_workbook(path)
        years = set(est.proposal.info.years)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if type(c.value) is int and c.value in years:
                        seen += 1
                        assert "," not in c.number_format, (name, ws.title, c.coordinate)
    once = [r for r in _rows(openpyxl.load_workbook(books["one-off"][1])["Proposal"])]
    assert [r[3] for r in once if r[2] == "once"] == [2030]
    assert seen


def test_the_summary_gives_the_verdict_in_words_not_its_code(
    written: dict[str, tuple[Estimate, Path]],
) -> None:
    seen = set()
    for name, (est, path) in written.items():
        summary = {row[0]: row[1] for row in _rows(openpyxl.load_workbook(path)["Summary"])}
        code = est.article34.verdict
        assert summary["Verdict"] == VERDICTS[code] != code, name
        seen.add(code)
    assert seen
    assert set(VERDICTS) == set(get_args(Verdict))  # every verdict has its words


def test_the_escalation_factor_is_shown_as_a_factor_beside_the_yearly_percentage(
    written: dict[str, tuple[Estimate, Path]],
) -> None:
    # 1.0319 (the rate times 1.0319), not 103.1928% beside a yearly escalation of 2.00%
    for name, (est, path) in written.items():
        wb = openpyxl.load_workbook(path)
        workings = wb["Workings"]
        keys = _keys([c.value for c in workings[1]])
        col = keys.index("escalation") + 1
        assert "factor" in str(workings.cell(1, col).value), name
        formats = {workings.cell(r, col).number_format for r in range(2, len(est.lines) + 2)}
        assert formats == {"0.0000"}, name
        yearly = next(row for row in wb["Rates"].iter_rows() if row[0].value == "Yearly escalation")
        assert yearly[1].number_format.endswith("%"), name
