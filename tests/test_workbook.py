"""The workbook reproduces every figure of the estimate with live formulas.

Every seed and every hand-computed case of tests/cases is rendered to a workbook and
recalculated by LibreOffice headless (one soffice call for all of them): each line amount and
each total the spreadsheet computes must equal the JSON estimate to the cent, with no error
value anywhere. Changing one rate cell moves exactly the lines that use it, and the totals, by
the hand-computed amounts. Text that looks like a formula stays text, and two renderings of one
estimate are the same bytes: the bytes openpyxl writes when it is given the same cells.
"""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from libreoffice import convert, require_soffice
from openpyxl.workbook.workbook import Workbook
from test_spreadsheet import in_openpyxl
from typer.testing import CliRunner

from cost_models.money import ROUNDING_RULE
from cost_models.needs import ELEMENTS
from estimator.cli.app import app
from estimator.cli.starter import starter_proposal
from estimator.core.estimate import Estimate
from estimator.core.pipeline import estimate
from estimator.render.options import RenderOptions
from estimator.render.outputs import RENDERERS
from estimator.render.spreadsheet import FIXED_TIME, workbook_bytes
from estimator.render.wording import article34_statement
from estimator.render.workbook import (
    COL,
    MONEY_FORMAT,
    WORKINGS_COLUMNS,
    build_workbook,
    rate_rows,
    render_workbook,
)

TESTS = Path(__file__).resolve().parent
SEEDS = sorted((TESTS.parent / "seeds").glob("*.toml"))
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
    """One workbook made from an estimate, and where LibreOffice put its recalculated copy."""

    estimate: Estimate
    json: dict[str, Any]
    path: Path
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


def _rate_cell(wb: Workbook, name: str) -> tuple[str, str]:
    (sheet, ref), *_ = list(wb.defined_names[name].destinations)
    return sheet, ref.replace("$", "")


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Made]:
    """All workbooks, plus 'rate-change-edited' (interpretation set to 1600 on the Rates
    sheet) and 'escalation-edited' (escalation 3%), recalculated by LibreOffice in one call."""
    require_soffice()
    folder = tmp_path_factory.mktemp("workbooks")
    written = folder / "written"
    written.mkdir()
    estimates = _sources(folder)
    paths: dict[str, Path] = {}
    for name, est in estimates.items():
        paths[name] = written / f"{name}.xlsx"
        paths[name].write_bytes(render_workbook(est, RenderOptions()))
    wb = openpyxl.load_workbook(paths["rate-change"])
    sheet, ref = _rate_cell(wb, "R_interpretation_2023")
    wb[sheet][ref] = 1600
    paths["rate-change-edited"] = written / "rate-change-edited.xlsx"
    wb.save(paths["rate-change-edited"])
    estimates["rate-change-edited"] = estimates["rate-change"]
    wb = openpyxl.load_workbook(paths["rate-change"])
    sheet, ref = _rate_cell(wb, "Escalation")
    wb[sheet][ref] = Decimal("0.03")
    paths["escalation-edited"] = written / "escalation-edited.xlsx"
    wb.save(paths["escalation-edited"])
    estimates["escalation-edited"] = estimates["rate-change"]
    names = list(paths)
    out = convert([paths[n] for n in names], "xlsx", folder / "recalculated")
    return {
        n: Made(estimates[n], estimates[n].to_json(), paths[n], recalculated)
        for n, recalculated in zip(names, out, strict=True)
    }


CASE_NAMES = [
    *(f"seed-{p.stem}" for p in SEEDS),
    *(f"case-{c.name}" for c in CASE_DIRS),
    "starter",
    "rate-change",
    "injection",
]


def _cents(value: Any) -> str:
    """A computed amount as the JSON writes it; it must be a whole number of cents."""
    assert isinstance(value, int | float) and not isinstance(value, bool), value
    assert abs(value * 100 - round(value * 100)) < 1e-6, f"{value!r} is not rounded to the cent"
    return f"{value:.2f}"


def _rows(ws: Any) -> Iterator[tuple[Any, ...]]:
    yield from ws.iter_rows(values_only=True)


def workings_amounts(wb: Workbook) -> list[str]:
    rows = list(_rows(wb["Workings"]))
    assert rows[0][COL["amount"] - 1].startswith("Amount")
    return [_cents(row[COL["amount"] - 1]) for row in rows[1:] if row[0] is not None]


BLOCKS = {
    "By year": "by_year",
    "By budget unit": "by_unit",
    "By object of expenditure": "by_element",
    "By funding source": "by_funding",
    "By activity": "by_activity",
}
ELEMENT_IDS = {e.label: e.id for e in ELEMENTS.values()}


def summary_figures(wb: Workbook) -> dict[str, Any]:
    """The Summary's figures, keyed as in the JSON estimate."""
    out: dict[str, Any] = {key: {} for key in BLOCKS.values()}
    block: str | None = None
    for label, value, *_ in _rows(wb["Summary"]):
        if label is None:
            block = None
        elif label in BLOCKS and str(value).startswith("Amount"):
            block = BLOCKS[label]
        elif str(label).startswith("Total ("):
            out["total"] = _cents(value)
        elif str(label).startswith("of which external human resources"):
            out["external_human_resources"] = _cents(value)
        elif block == "by_element":
            out[block][ELEMENT_IDS.get(label, label)] = _cents(value)
        elif block is not None:
            out[block][str(label)] = _cents(value)
    return out


# -- recalculated by LibreOffice --------------------------------------------------------------


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", CASE_NAMES)
def test_every_line_amount_recalculates_to_the_json_amount(
    made: dict[str, Made], name: str
) -> None:
    m = made[name]
    wb = openpyxl.load_workbook(m.recalculated, data_only=True)
    assert workings_amounts(wb) == [line["amount"] for line in m.json["lines"]]


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", CASE_NAMES)
def test_every_total_recalculates_to_the_json_total(made: dict[str, Made], name: str) -> None:
    m = made[name]
    wb = openpyxl.load_workbook(m.recalculated, data_only=True)
    figures = summary_figures(wb)
    expected = {key: m.json[key] for key in ("total", "external_human_resources", *BLOCKS.values())}
    assert figures == expected


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", [*CASE_NAMES, "rate-change-edited", "escalation-edited"])
def test_no_error_value_anywhere_after_recalculation(made: dict[str, Made], name: str) -> None:
    wb = openpyxl.load_workbook(made[name].recalculated, data_only=True)
    errors = [
        f"{ws.title}!{cell.coordinate}: {cell.value}"
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "e"
        or (isinstance(cell.value, str) and (cell.value in ERROR_VALUES or "Err:" in cell.value))
    ]
    assert errors == []


@pytest.mark.libreoffice
def test_libreoffice_computes_formulas_that_have_no_cached_value(made: dict[str, Made]) -> None:
    # openpyxl writes formulas without results: the written file has none to read ...
    written = openpyxl.load_workbook(made["starter"].path, data_only=True)
    assert {row[COL["amount"] - 1] for row in list(_rows(written["Workings"]))[1:]} == {None}
    # ... so every amount read from the recalculated file was computed by LibreOffice.
    recalculated = openpyxl.load_workbook(made["starter"].recalculated, data_only=True)
    amounts = [row[COL["amount"] - 1] for row in list(_rows(recalculated["Workings"]))[1:]]
    assert amounts and all(isinstance(a, int | float) for a in amounts)


@pytest.mark.libreoffice
def test_a_half_cent_rounds_away_from_zero_in_the_workbook_too(made: dict[str, Made]) -> None:
    # tests/cases/half-cent-rounding: 1 × 1000.005 → 1000.01; 3 × 100.835 = 302.505 → 302.51;
    # 0.5 × 650.25 = 325.125 → 325.13 (half to even would give 1000.00, 302.50, 325.12).
    wb = openpyxl.load_workbook(made["case-half-cent-rounding"].recalculated, data_only=True)
    assert sorted(workings_amounts(wb)) == ["1000.01", "302.51", "325.13"]
    assert summary_figures(wb)["total"] == "1627.65"  # 1000.01 + 302.51 + 325.13


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
    wb = openpyxl.load_workbook(made["rate-change-edited"].recalculated, data_only=True)
    assert workings_amounts(wb) == ["6927.57", "757.70", "7066.12", "772.86"]
    figures = summary_figures(wb)
    # 6927.57 + 757.70 + 7066.12 + 772.86 = 15524.25; before: 6638.90 + 757.70 + 6771.68 +
    # 772.86 = 14941.14; moved by 288.67 + 294.44 = 583.11
    assert figures["total"] == "15524.25"
    assert Decimal(before.json["total"]) == Decimal("14941.14")
    assert figures["by_year"] == {"2027": "7685.27", "2028": "7838.98"}  # 6927.57 + 757.70
    assert figures["by_element"] == {
        "conference-services": "1530.56",  # 757.70 + 772.86: unchanged
        "interpretation": "13993.69",  # 6927.57 + 7066.12
    }


@pytest.mark.libreoffice
def test_changing_the_escalation_cell_reescalates_every_line(made: dict[str, Made]) -> None:
    # The same meeting with the yearly escalation set to 3% on the Rates sheet:
    # 1.03^4 = 1.12550881 in 2027, 1.03^5 = 1.1592740743 in 2028.
    #   2027 interpretation 4 × 1533.33 × 1.12550881 = 6903.1056... → 6903.11
    #   2027 conference services 2 × 350 × 1.12550881 = 787.8561... → 787.86
    #   2028 interpretation 4 × 1533.33 × 1.1592740743 = 7110.1988... → 7110.20
    #   2028 conference services 2 × 350 × 1.1592740743 = 811.4918... → 811.49
    wb = openpyxl.load_workbook(made["escalation-edited"].recalculated, data_only=True)
    assert workings_amounts(wb) == ["6903.11", "787.86", "7110.20", "811.49"]
    # 6903.11 + 787.86 = 7690.97; 7110.20 + 811.49 = 7921.69; 7690.97 + 7921.69 = 15612.66
    figures = summary_figures(wb)
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
    titles = {row[COL["title"] - 1] for row in list(_rows(wb["Workings"]))[1:]}
    assert titles == {'=HYPERLINK("http://x","y")', "@SUM(1+1)"}


# -- the written file, without LibreOffice ----------------------------------------------------


@pytest.fixture(scope="module")
def card(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("card") / "card.toml"
    path.write_text(CARD, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def injection(tmp_path_factory: pytest.TempPathFactory, card: Path) -> bytes:
    path = tmp_path_factory.mktemp("injection") / "proposal.toml"
    path.write_text(INJECTION, encoding="utf-8")
    return render_workbook(_estimate(path, card), RenderOptions())


@pytest.fixture(scope="module")
def rate_change(tmp_path_factory: pytest.TempPathFactory, card: Path) -> Estimate:
    path = tmp_path_factory.mktemp("rate-change") / "proposal.toml"
    path.write_text(RATE_CHANGE, encoding="utf-8")
    return _estimate(path, card)


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
        cell.value: cell
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.value in texts
    }
    assert set(found) == texts
    for cell in found.values():
        assert cell.data_type == "s", cell.coordinate
        assert cell.quotePrefix, cell.coordinate
    with zipfile.ZipFile(io.BytesIO(injection)) as z:
        formulas = [
            f
            for name in z.namelist()
            if name.startswith("xl/worksheets/")
            for f in re.findall(r"<f>(.*?)</f>", z.read(name).decode("utf-8"))
        ]
    assert formulas
    assert not [f for f in formulas if re.search(r"HYPERLINK|WEBSERVICE|cmd|SUM\(1|SUM\(A1", f)]


def test_control_characters_in_text_are_replaced_not_fatal(injection: bytes) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(injection))
    summary = {row[0]: row[1] for row in _rows(wb["Summary"]) if row[0]}
    assert summary["Request 2"] == "bell\ufffd and a tab\t"


@pytest.fixture(scope="module")
def starter(tmp_path_factory: pytest.TempPathFactory) -> Estimate:
    path = tmp_path_factory.mktemp("starter") / "proposal.toml"
    path.write_text(starter_proposal(), encoding="utf-8")
    return _estimate(path)


def test_two_renderings_of_one_estimate_are_the_same_bytes(starter: Estimate) -> None:
    first = render_workbook(starter, RenderOptions())
    second = render_workbook(starter, RenderOptions())
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert {info.date_time for info in z.infolist()} == {FIXED_TIME.timetuple()[:6]}
        core = z.read("docProps/core.xml").decode("utf-8")
    assert core.count("2000-01-01T00:00:00Z") == 2  # created and modified, not the clock


def test_estimate_command_writes_the_workings_workbook(tmp_path: Path, card: Path) -> None:
    proposal = tmp_path / "proposal.toml"
    proposal.write_text(RATE_CHANGE, encoding="utf-8")
    runs = []
    for out in ("a", "b"):
        args = ["estimate", str(proposal), "--rates", str(card), "--out", str(tmp_path / out)]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        runs.append((tmp_path / out / "TEST-RATE-CHANGE.workings.xlsx").read_bytes())
    assert RENDERERS["xlsx"][0] == "workings.xlsx"
    assert runs[0] == runs[1]


def test_every_amount_is_a_round_of_quantity_rate_and_escalation(starter: Estimate) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(render_workbook(starter, RenderOptions())))
    ws = wb["Workings"]
    names = set(wb.defined_names)
    letter = {key: openpyxl.utils.get_column_letter(i) for key, i in COL.items()}
    assert len(starter.lines) == ws.max_row - 1 > 0
    for r in range(2, ws.max_row + 1):
        q, rate, esc = letter["quantity"], letter["rate"], letter["escalation"]
        assert ws[f"{letter['amount']}{r}"].value == f"=ROUND({q}{r}*{rate}{r}*{esc}{r},2)"
        rate_formula = ws[f"{rate}{r}"].value
        assert rate_formula.startswith("=R_") and rate_formula[1:] in names
        assert (
            ws[f"{esc}{r}"].value
            == f"=(1+Escalation)^({letter['year']}{r}-{letter['rate_year']}{r})"
        )
    assert _rate_cell(wb, "Escalation") == ("Rates", "B3")
    assert wb["Rates"]["B3"].value == starter.card.escalation


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
    used = {line.rate_id for line in rate_change.lines}
    assert {row[1] for row in rows} == used
    interpretation = by_name["R_interpretation_2023"]
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
    assert by_name["R_conference_services_2023"][4] == 350
    assert wb["Rates"]["B3"].value == 0.02


def test_a_stated_amount_has_its_own_named_cell_and_is_not_escalated(injection: bytes) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(injection))
    sheet, ref = _rate_cell(wb, "A_portal")
    assert wb[sheet][ref].value == 1000
    ws = wb["Workings"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, COL["activity"]).value == "portal")
    assert ws.cell(row, COL["rate"]).value == "=A_portal"
    assert ws.cell(row, COL["escalation"]).value == 1


def test_sheets_are_laid_out_for_reading_and_printing(starter: Estimate) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(render_workbook(starter, RenderOptions())))
    assert wb.sheetnames == ["Summary", "Workings", "Rates", "Proposal"]
    workings = wb["Workings"]
    last = openpyxl.utils.get_column_letter(len(WORKINGS_COLUMNS))
    assert workings.freeze_panes == "C2"
    assert workings.auto_filter.ref == f"A1:{last}{len(starter.lines) + 1}"
    amount = workings.cell(2, COL["amount"])
    assert amount.number_format == MONEY_FORMAT
    assert workings.cell(2, COL["quantity"]).number_format == "#,##0"
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.freeze_panes, ws.title
        widths = [d.width for d in ws.column_dimensions.values()]
        assert widths and all(6 <= w <= 90 for w in widths), ws.title
    summary = {row[0]: row[1] for row in _rows(wb["Summary"]) if row[0]}
    assert summary["Rounding"] == ROUNDING_RULE
    assert summary["Verdict"] == starter.article34.verdict
    assert summary["Statement"] == article34_statement(starter.article34)
    assert summary[f"Total ({starter.currency})"] == "=SUM(Line_amount)"
    assert str(summary[2027]).startswith("=SUMIFS(Line_amount,Line_year,$A")


def test_proposal_sheet_lists_the_activities_as_entered(starter: Estimate) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(render_workbook(starter, RenderOptions())))
    rows = [row for row in _rows(wb["Proposal"])][1:]
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
    lines[1] = dataclasses.replace(lines[1], rate_id="conference.services")
    rows = rate_rows(dataclasses.replace(rate_change, lines=tuple(lines)))
    names = [row.name for row in rows.values()]
    assert len(set(names)) == len(names) == 3
    assert {"R_conference_services_2023", "R_conference_services_2023_2"} <= set(names)


# -- what openpyxl writes for the same cells (tests/test_spreadsheet.py) -------------------------


@pytest.fixture(scope="module")
def estimates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Estimate]:
    return _sources(tmp_path_factory.mktemp("sources"))


def test_every_workbook_is_what_openpyxl_writes_for_its_cells(
    estimates: dict[str, Estimate],
) -> None:
    # The sheets' XML, the stylesheet, the workbook part and the zip are written without
    # openpyxl's writer: it must write the same bytes for the same cells.
    assert len(estimates) == len(CASE_NAMES)
    for name, est in estimates.items():
        book = build_workbook(est)
        assert book.xlsx() == workbook_bytes(in_openpyxl(book)), name
