"""finimpact batch: every proposal costed into its own outputs, and the consolidated report.

The five proposals of the main case use the test card (P3 at CHF 10,000 a work-month, no
escalation) and the test plan (CHF 100,000 per year and unit in 2028-2029, except ITU-T in
2029: CHF 50,000). All are ITU-T, 2028-2029, one P3 officer:

    file  submitted   months  funding     a year   order
    a     2026-03-05  2       additional  20,000   3
    b     2026-03-01  2       additional  20,000   1
    c     2026-03-02  2       additional  20,000   2
    d     (none)      6       existing    60,000   5   (no date: last)
    e     2026-03-10  1       additional  10,000   4

Cumulative additional ITU-T credits in 2029 after each proposal, in submission order:
20,000 (b), 40,000 (c), 60,000 (a) > 50,000: the third, a, is the first to exceed; 70,000 (e);
70,000 (d). In 2028 the same 70,000 stays within 100,000.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import pytest
import typer
from typer.testing import CliRunner

from estimator.batch.report import FILES
from estimator.cli.app import app
from estimator.render.outputs import RENDERERS

DATA = Path(__file__).resolve().parent / "article34"
CARD = DATA / "card.toml"
PLAN = DATA / "plan.toml"
ROOT = Path(__file__).resolve().parent.parent

FIVE = {
    "a": ("2026-03-05", 2, "additional"),
    "b": ("2026-03-01", 2, "additional"),
    "c": ("2026-03-02", 2, "additional"),
    "d": (None, 6, "existing"),
    "e": ("2026-03-10", 1, "additional"),
}


def proposal(
    name: str,
    submitted: str | None,
    months: int,
    funding: str,
    title: str = "",
    period: tuple[int, int] = (2028, 2029),
    unit: str = "ITU-T",
) -> str:
    date = f'submitted = "{submitted}"' if submitted else ""
    return f"""format = 1
[proposal]
reference = "T/{name.upper()}"
title = "{title or "Proposal " + name}"
conference = "PP-26"
submitted_by = ["Testland"]
responsible = "{unit}"
period = [{period[0]}, {period[1]}]
{date}

[[activity]]
id = "officer"
kind = "staff"
title = "Programme officer"
grade = "P3"
months = {months}
funding = "{funding}"
"""


def write_five(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, (date, months, funding) in FIVE.items():
        (folder / f"{name}.toml").write_text(proposal(name, date, months, funding), "utf-8")
    return folder


def run(*args: str) -> Any:
    return CliRunner().invoke(
        app, ["batch", *args, "--rates", str(CARD), "--plan", str(PLAN)], catch_exceptions=False
    )


@pytest.fixture(scope="module")
def five(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    base = tmp_path_factory.mktemp("five")
    folder = write_five(base / "in")
    result = run(str(folder), "--out", str(base / "out"))
    return base / "out", result


def summary_of(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "batch-report.json").read_text("utf-8"))
    return data


def test_five_proposals_are_costed_in_submission_order(five: tuple[Path, Any]) -> None:
    out, result = five
    assert result.exit_code == 0, result.output
    data = summary_of(out)
    assert [p["reference"] for p in data["proposals"]] == ["T/B", "T/C", "T/A", "T/E", "T/D"]
    # 2 × 10,000 × 2 years = 40,000 for a, b, c; 1 × 10,000 × 2 = 20,000 for e;
    # 6 × 10,000 × 2 = 120,000 for d: total 3 × 40,000 + 20,000 + 120,000 = 260,000
    assert [p["total"] for p in data["proposals"]] == [
        "40000.00",
        "40000.00",
        "40000.00",
        "20000.00",
        "120000.00",
    ]
    assert data["total"] == "260000.00"
    assert data["by_funding"] == {
        "additional": "140000.00",
        "existing": "120000.00",
        "extrabudgetary": "0.00",
    }


def test_the_third_proposal_is_the_first_to_exceed_the_headroom_in_2029(
    five: tuple[Path, Any],
) -> None:
    out, result = five
    data = summary_of(out)
    assert [p["first_to_exceed"] for p in data["proposals"]] == [[], [], ["2029 ITU-T"], [], []]
    assert [p["cumulative"]["2029 ITU-T"] for p in data["proposals"]] == [
        "20000.00",
        "40000.00",
        "60000.00",
        "70000.00",
        "70000.00",
    ]
    exceeded = [c for c in data["position"] if c["first_exceeded_by"]]
    # 50,000 headroom - 70,000 requested = -20,000
    assert exceeded == [
        {
            "year": 2029,
            "unit": "ITU-T",
            "headroom": "50000.00",
            "requested": "70000.00",
            "remaining": "-20000.00",
            "first_exceeded_by": "T/A",
        }
    ]
    # 2028: 100,000 - 70,000 = 30,000 left
    [cell_2028] = [c for c in data["position"] if (c["year"], c["unit"]) == (2028, "ITU-T")]
    assert cell_2028["remaining"] == "30000.00"
    assert "first exceeded by proposal 3, T/A" in result.output


def test_each_proposal_has_its_own_outputs_in_every_format(five: tuple[Path, Any]) -> None:
    out, _ = five
    for name in FIVE:
        for suffix, _render in RENDERERS.values():
            assert (out / f"T-{name.upper()}.{suffix}").is_file()
    estimate = json.loads((out / "T-A.estimate.json").read_text("utf-8"))
    assert estimate["article34"]["verdict"] == "within"


def test_markdown_and_html_reports_show_the_same_position(five: tuple[Path, Any]) -> None:
    out, _ = five
    md = (out / "batch-report.md").read_text("utf-8")
    html = (out / "batch-report.html").read_text("utf-8")
    for text in (md, html):
        assert "Test plan 2028-2029" in text
        assert "260,000.00" in text
        assert "-20,000.00" in text
        assert "ITU-T in 2029 is first exceeded by proposal 3, T/A" in text
    assert "| 3 | T/A |" in md
    assert "None: every additional credit falls in the plan's period (2028–2029)." in md
    assert "| 2029 | ITU-T | 50,000.00 | 70,000.00 | **-20,000.00** | 3. T/A |" in md


def table(ws: Any, first: str = "#") -> tuple[list[Any], dict[str, list[Any]], int]:
    """A sheet's table as a reader finds it: the column titles (the row whose first cell is
    `first`), each row below by its second cell (the reference, or 'Total'...), and the
    title row's number."""
    rows = list(ws.iter_rows(values_only=True))
    at = next(i for i, row in enumerate(rows) if row[0] == first)
    body = {row[1]: list(row) for row in rows[at + 1 :] if row[1] is not None}
    return list(rows[at]), body, at + 1


def stripped(path: Path, folder: Path) -> Path:
    """A copy without the cached values (openpyxl keeps formulas, drops their results), for
    LibreOffice to recalculate: whatever its copy holds, it computed."""
    from openpyxl import load_workbook

    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / path.name
    load_workbook(path).save(copy)
    return copy


def test_workbook_has_one_row_per_proposal_and_totals_as_formulas(
    five: tuple[Path, Any],
) -> None:
    from openpyxl import load_workbook

    out, _ = five
    wb = load_workbook(out / "batch-report.xlsx")
    header, rows, at = table(wb["Proposals"])
    assert list(rows) == ["T/B", "T/C", "T/A", "T/E", "T/D", "Total"]
    total = header.index("Total (CHF)")
    letter = wb["Proposals"].cell(1, total + 1).column_letter
    # the total row sums the column over the five proposals' rows, under the titles
    assert rows["Total"][total] == f"=SUM({letter}{at + 1}:{letter}{at + 5})"
    against = wb["Against plan"]
    header, rows, _ = table(against)
    additional_header, _, add_at = table(wb["Additional"])
    col = header.index("2029 ITU-T")
    assert additional_header[col] == "2029 ITU-T"
    letter = against.cell(1, col + 1).column_letter
    assert rows["Headroom"][col] == 50000
    # the third proposal's running total: the Additional column from the first proposal's
    # row to the third's
    first, third = add_at + 1, add_at + 3
    assert rows["T/A"][col] == f"=SUM(Additional!{letter}${first}:{letter}{third})"
    beyond = header.index("Outside the plan's period")
    letter = against.cell(1, beyond + 1).column_letter
    assert rows["T/A"][beyond] == f"=SUM(Additional!{letter}${first}:{letter}{third})"
    assert rows["T/A"][header.index("First to exceed the headroom in")] == "2029 ITU-T"


def test_workbook_verdicts_are_words_said_to_be_taken_alone(five: tuple[Path, Any]) -> None:
    from openpyxl import load_workbook

    from estimator.render.wording import BATCH_VERDICTS, BATCH_VERDICTS_EXPLAINED

    out, _ = five
    data = summary_of(out)
    codes = {p["reference"]: p["verdict"] for p in data["proposals"]}
    ws = load_workbook(out / "batch-report.xlsx")["Proposals"]
    header, rows, at = table(ws)
    col = header.index("Taken alone")
    assert {ref: rows[ref][col] for ref in codes} == {
        ref: BATCH_VERDICTS[code] for ref, code in codes.items()
    }
    # above the table, what 'taken alone' and 'first to exceed' mean
    above = [c.value for row in ws.iter_rows(max_row=at - 1) for c in row if c.value]
    assert BATCH_VERDICTS_EXPLAINED in above


def test_every_formula_of_the_workbook_holds_the_figure_of_the_json(
    five: tuple[Path, Any],
) -> None:
    from openpyxl import load_workbook

    out, _ = five
    data = summary_of(out)
    path = out / "batch-report.xlsx"
    formulas, values = load_workbook(path), load_workbook(path, data_only=True)  # no recalculation
    missing = [
        f"{ws.title}!{c.coordinate}"
        for ws in formulas.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f" and values[ws.title][c.coordinate].value is None
    ]
    assert missing == []
    header, rows, _ = table(values["Proposals"])
    total = header.index("Total (CHF)")
    for p in data["proposals"]:
        assert f"{rows[p['reference']][total]:.2f}" == p["total"]
    assert f"{rows['Total'][total]:.2f}" == data["total"]
    header, rows, _ = table(values["Against plan"])
    for p in data["proposals"]:
        for label, amount in p["cumulative"].items():
            assert f"{rows[p['reference']][header.index(label)]:.2f}" == amount
    header, _, at = table(values["Position"], "Year")
    position = {
        f"{row[0]} {row[1]}": row
        for row in values["Position"].iter_rows(min_row=at + 1, values_only=True)
        if row[0] is not None
    }
    for cell in data["position"]:
        row = position[f"{cell['year']} {cell['unit']}"]
        assert f"{row[header.index('Requested')]:.2f}" == cell["requested"]
        assert f"{row[header.index('Remaining')]:.2f}" == cell["remaining"]


def test_workbook_is_laid_out_for_the_screen_and_the_page(five: tuple[Path, Any]) -> None:
    from openpyxl import load_workbook

    out, _ = five
    wb = load_workbook(out / "batch-report.xlsx")
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.page_setup.paperSize == 9, ws.title  # A4
        assert (ws.page_setup.fitToWidth or 1) == 1 and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.freeze_panes and ws.print_title_rows, ws.title
        used = {c.column for row in ws.iter_rows() for c in row if c.value is not None}
        sized = {i for d in ws.column_dimensions.values() for i in range(d.min, d.max + 1)}
        assert used <= sized, ws.title  # every column given a width
        texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        assert not [t for t in texts if ".toml" in t or str(out.parent) in t], ws.title
        assert not [t for t in texts if "[proposal]" in t], ws.title
    proposals = wb["Proposals"]
    header, rows, at = table(proposals)
    assert proposals.auto_filter.ref and proposals.auto_filter.ref.startswith(f"A{at}:")
    title = proposals.cell(at, 2)
    assert title.fill.fgColor.rgb.endswith("DDE4EE") and title.font.b
    # no empty column: every column has something under its title
    for i, name in enumerate(header):
        assert any(row[i] not in (None, "") for row in rows.values()), name
    assert "File" not in header
    position = wb["Position"]
    header, rows, _ = table(position, "Year")
    remaining = position.cell(1, header.index("Remaining") + 1).column_letter
    assert "[Red]" in position[f"{remaining}{_row_of(position, 'ITU-T', 2029)}"].number_format


def test_the_workbook_splits_the_proposals_as_the_html_report_does(
    five: tuple[Path, Any],
) -> None:
    """The Proposals sheet had 22 columns (identification, total, years, units, funding,
    verdicts) and printed at about 4 pt on A4 landscape: it keeps who, the amounts by source of
    funding, the total and the verdicts; 'By year and unit' has the amounts by year and budget
    unit, with the same total for each proposal, the JSON's."""
    from openpyxl import load_workbook

    out, _ = five
    data = summary_of(out)
    wb = load_workbook(out / "batch-report.xlsx", data_only=True)
    assert wb.sheetnames[:2] == ["Proposals", "By year and unit"]
    header, rows, _ = table(wb["Proposals"])
    assert header[-3:] == ["Total (CHF)", "Taken alone", "First to exceed the headroom in"]
    by_header, by_rows, _ = table(wb["By year and unit"])
    years = list(data["by_year"])
    assert by_header == ["#", "Reference", *years, "GS", "ITU-R", "ITU-T", "ITU-D", "Total (CHF)"]
    for p in data["proposals"]:
        ref = p["reference"]
        total = f"{by_rows[ref][-1]:.2f}"
        assert total == f"{rows[ref][header.index('Total (CHF)')]:.2f}" == p["total"]
        by_year = sum(Decimal(str(v)) for v in by_rows[ref][2 : 2 + len(years)])
        assert by_year == Decimal(p["total"])
    for ws in wb.worksheets:
        assert ws.max_column <= 14, ws.title


def _row_of(ws: Any, unit: str, year: int) -> int:
    return next(
        r
        for r in range(1, ws.max_row + 1)
        if ws.cell(r, 1).value == year and ws.cell(r, 2).value == unit
    )


@pytest.mark.libreoffice
def test_workbook_formulas_recalculate_to_the_figures(
    five: tuple[Path, Any], tmp_path: Path
) -> None:
    from libreoffice import convert
    from openpyxl import load_workbook

    out, _ = five
    copy = stripped(out / "batch-report.xlsx", tmp_path / "stripped")
    [recalculated] = convert([copy], "xlsx", tmp_path / "recalculated")
    wb = load_workbook(recalculated, data_only=True)
    header, rows, _ = table(wb["Proposals"])
    assert Decimal(str(rows["Total"][header.index("Total (CHF)")])) == Decimal("260000")
    header, rows, _ = table(wb["Against plan"])
    col = header.index("2029 ITU-T")
    # cumulative 2029 ITU-T after proposals 1-5: 20,000, 40,000, 60,000, 70,000, 70,000
    assert [rows[ref][col] for ref in ("T/B", "T/C", "T/A", "T/E", "T/D")] == [
        20000,
        40000,
        60000,
        70000,
        70000,
    ]
    assert rows["Remaining after all"][col] == -20000  # remaining: 50,000 - 70,000
    position = wb["Position"]
    header, _, _ = table(position, "Year")
    row = [c.value for c in position[_row_of(position, "ITU-T", 2029)]]
    # requested 70,000, remaining -20,000
    assert (row[header.index("Requested")], row[header.index("Remaining")]) == (70000, -20000)


def test_two_proposals_with_one_reference_are_an_error_naming_both(tmp_path: Path) -> None:
    folder = write_five(tmp_path / "in")
    (folder / "f.toml").write_text(proposal("a", "2026-04-01", 1, "additional"), "utf-8")
    result = run(str(folder), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    data = summary_of(tmp_path / "out")
    assert [p["reference"] for p in data["proposals"]] == ["T/B", "T/C", "T/E", "T/D"]
    failed = {Path(f["file"]).name: f["diagnostics"][0] for f in data["failures"]}
    assert set(failed) == {"a.toml", "f.toml"}
    assert failed["a.toml"]["message"] == "reference 'T/A' is also used by f.toml"
    assert failed["f.toml"]["message"] == "reference 'T/A' is also used by a.toml"
    assert failed["a.toml"]["line"] == 3
    assert "reference 'T/A' is also used by" in result.stderr
    assert not (tmp_path / "out" / "T-A.estimate.json").exists()


def test_a_broken_proposal_is_reported_and_the_others_are_costed(tmp_path: Path) -> None:
    folder = write_five(tmp_path / "in")
    broken = proposal("x", None, 2, "additional").replace('grade = "P3"', 'grade = "P9"')
    (folder / "sub").mkdir()
    (folder / "sub" / "x.toml").write_text(broken, "utf-8")
    result = run(str(folder), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    data = summary_of(tmp_path / "out")
    assert data["costed"] == 5
    assert data["failed"] == 1
    [failure] = data["failures"]
    assert failure["file"].endswith("x.toml")
    assert failure["diagnostics"][0]["path"] == "activity[0].grade"
    assert failure["diagnostics"][0]["line"] == 15
    assert "x.toml:15" in result.stderr
    assert "Proposals that could not be costed" in (tmp_path / "out" / "batch-report.md").read_text(
        "utf-8"
    )


def test_a_missing_path_stops_the_batch_before_anything_is_costed_or_written(
    tmp_path: Path,
) -> None:
    """A mistyped path once gave 'costed 0 of 1' and four empty reports."""
    folder = write_five(tmp_path / "in")
    result = run(str(folder / "a.toml"), str(folder / "nope.toml"), "--out", str(tmp_path / "o"))
    assert result.exit_code == 1
    assert result.stderr == f"{folder / 'nope.toml'}: no such file or folder (check the path)\n"
    assert not (tmp_path / "o").exists()


def test_text_that_looks_like_a_formula_stays_text_in_the_workbook(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    folder = tmp_path / "in"
    folder.mkdir()
    text = proposal("q", None, 1, "additional", title="=HYPERLINK(1)")
    (folder / "q.toml").write_text(text, "utf-8")
    assert run(str(folder), "--out", str(tmp_path / "out")).exit_code == 0
    ws = load_workbook(tmp_path / "out" / "batch-report.xlsx")["Proposals"]
    [found] = [c for row in ws.iter_rows() for c in row if c.value == "=HYPERLINK(1)"]
    assert found.data_type == "s"
    assert found.quotePrefix  # and stays text when the cell is edited


def test_two_jobs_write_the_same_bytes_as_one(tmp_path: Path) -> None:
    folder = write_five(tmp_path / "in")
    (folder / "broken.toml").write_text("format = 1\n[proposal]\n", "utf-8")
    one = run(str(folder), "--out", str(tmp_path / "one"), "--jobs", "1")
    two = run(str(folder), "--out", str(tmp_path / "two"), "--jobs", "2")
    assert one.exit_code == two.exit_code == 1
    assert one.stdout.replace("/one/", "/X/") == two.stdout.replace("/two/", "/X/")
    names = sorted(p.name for p in (tmp_path / "one").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "two").iterdir())
    assert len(names) == 5 * len(RENDERERS) + 4
    for name in names:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), (
            name
        )


def test_generator_writes_valid_proposals_of_5_to_40_lines(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), "3", str(tmp_path), "--seed", "7"],
        check=True,
        capture_output=True,
    )
    files = sorted(tmp_path.glob("*.toml"))
    assert len(files) == 3
    from estimator.core.pipeline import estimate

    for path in files:
        outcome = estimate(path)
        assert outcome.estimate is not None, [d.render() for d in outcome.diagnostics]
        assert 5 <= len(outcome.estimate.lines) <= 40


def test_no_progress_bar_when_stderr_is_not_a_terminal(five: tuple[Path, Any]) -> None:
    _, result = five
    assert "\r" not in result.stderr
    # what stderr holds is the proposals' warnings, one located line each
    assert all(": warning: " in line for line in result.stderr.splitlines())


def test_the_warnings_of_costed_proposals_are_printed_and_counted(five: tuple[Path, Any]) -> None:
    _, result = five
    warnings = result.stderr.splitlines()
    assert warnings, "the test card's staff.P3 value is from 2020: older than five years in 2028"
    assert all("more than 5 years old" in w for w in warnings)
    assert f"{len(warnings)} warnings on stderr" in result.stdout
    # the card's old value is one cause: told once for the five proposals, not five times
    [staff] = [w for w in warnings if "rate 'staff.P3'" in w]
    assert "and in 4 other proposals of the batch)" in staff


def test_progress_bar_redraws_one_line_and_ends_it(capsys: pytest.CaptureFixture[str]) -> None:
    from estimator.cli.app import ProgressBar

    bar = ProgressBar(width=10)
    for done in range(5):
        bar(done, 4)
    bar.close()
    err = capsys.readouterr().err
    # 0/4, 1/4, 2/4 (5 of 10 marks), 3/4, 4/4: one redraw each, on one line
    assert err == (
        "\r[----------] 0/4\r[##--------] 1/4\r[#####-----] 2/4"
        "\r[#######---] 3/4\r[##########] 4/4\n"
    )


def test_rate_cards_and_plans_found_in_a_folder_are_skipped_not_failed(tmp_path: Path) -> None:
    folder = write_five(tmp_path / "in")
    (folder / "plan.toml").write_bytes(PLAN.read_bytes())
    (folder / "card.toml").write_bytes(CARD.read_bytes())
    result = run(str(folder), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    data = summary_of(tmp_path / "out")
    assert (data["files"], data["costed"], data["failed"]) == (5, 5, 0)
    assert [Path(s["file"]).name for s in data["skipped"]] == ["card.toml", "plan.toml"]
    assert data["skipped"][1]["reason"] == "a financial plan, not a proposal"
    assert "plan.toml: note: skipped: a financial plan, not a proposal" in result.stderr


def test_a_proposal_whose_outputs_crash_fails_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import estimator.render.outputs

    def fragile(estimate: Any, options: Any) -> bytes:
        if estimate.proposal.info.reference == "T/C":
            raise RuntimeError("a bug")
        return b"{}"

    monkeypatch.setitem(estimator.render.outputs.RENDERERS, "json", ("estimate.json", fragile))
    folder = write_five(tmp_path / "in")
    result = run(str(folder), "--out", str(tmp_path / "out"), "--format", "json")
    assert result.exit_code == 1
    data = summary_of(tmp_path / "out")
    assert data["costed"] == 4
    [failure] = data["failures"]
    assert failure["file"].endswith("c.toml")
    assert failure["diagnostics"][0]["code"] == "internal-error"
    assert "RuntimeError" in failure["diagnostics"][0]["message"]


def test_a_proposal_in_another_currency_than_the_plan_fails_alone(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    chf = proposal("a", None, 1, "additional")
    usd = proposal("b", None, 1, "additional").replace(
        'responsible = "ITU-T"', 'responsible = "ITU-T"\nrate_card = "un-new-york"'
    )
    (folder / "a.toml").write_text(chf, "utf-8")
    (folder / "b.toml").write_text(usd, "utf-8")
    # no --rates: a uses the default card (CHF), b asks for the New York card (USD)
    result = CliRunner().invoke(
        app, ["batch", str(folder), "--out", str(tmp_path / "out"), "--plan", str(PLAN)]
    )
    assert result.exit_code == 1
    data = summary_of(tmp_path / "out")
    assert [p["reference"] for p in data["proposals"]] == ["T/A"]
    [failure] = data["failures"]
    assert failure["file"].endswith("b.toml")
    [d] = failure["diagnostics"]
    # told in b.toml, at its rate_card (it was once told at the plan, naming no proposal)
    assert (d["code"], d["path"]) == ("batch-currency", "proposal.rate_card")
    assert d["line"] == usd.splitlines().index('rate_card = "un-new-york"') + 1
    assert d["message"] == "the rate card 'un-new-york' is in USD but the batch is in CHF"
    assert f"{failure['file']}:{d['line']}:" in result.stderr


def test_a_plan_in_another_currency_than_the_card_stops_the_batch(tmp_path: Path) -> None:
    folder = write_five(tmp_path / "in")
    usd = tmp_path / "usd-plan.toml"
    usd.write_text(PLAN.read_text("utf-8").replace('"CHF"', '"USD"'), "utf-8")
    out = str(tmp_path / "out")
    args = ["batch", str(folder), "--out", out, "--rates", str(CARD), "--plan", str(usd)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert "usd-plan.toml:8:1: plan.currency: the financial plan 'test-plan'" in result.stderr
    assert "is in USD but the rate card 'test-chf'" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_folder_without_proposals_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = run(str(tmp_path / "empty"), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "no proposal files (*.toml) found" in result.stderr


def test_worker_pools_replaced_in_segments_keep_the_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import estimator.batch.run

    folder = write_five(tmp_path / "in")
    one = run(str(folder), "--out", str(tmp_path / "one"), "--format", "json", "--jobs", "1")
    # 2 workers × 1 proposal each: 5 proposals in 3 pools, one after the other
    monkeypatch.setattr(estimator.batch.run, "WORKER_PROPOSALS", 1)
    two = run(str(folder), "--out", str(tmp_path / "two"), "--format", "json", "--jobs", "2")
    assert one.exit_code == two.exit_code == 0
    for name in ("batch-report.json", "batch-report.md", "T-A.estimate.json"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_submission_order_is_date_then_file_path_undated_last() -> None:
    from estimator.batch.run import BatchRow, RowStore

    def row(file: str, submitted: str | None) -> BatchRow:
        zero = Decimal("0.00")
        return BatchRow(
            file,
            file,
            "t",
            "PP-26",
            ("X",),
            submitted,
            "CHF",
            "c",
            zero,
            {},
            {},
            {},
            {},
            "none",
            "s",
            (),
        )

    files = [Path("z.toml"), Path("b.toml"), Path("a.toml"), Path("c.toml")]
    store = RowStore(files)
    for r in (
        row("z.toml", None),
        row("b.toml", "2026-03-01"),
        row("a.toml", "2026-03-01"),
        row("c.toml", "2026-02-28"),
    ):
        store.add(r)
    store.seal()
    try:
        assert [r.file for r in store] == ["c.toml", "a.toml", "b.toml", "z.toml"]
        assert store[-1].file == "z.toml"
        assert [r.file for r in store[1:3]] == ["a.toml", "b.toml"]
    finally:
        store.close()


def test_proposal_text_is_escaped_in_the_html_and_markdown_reports(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    text = proposal("q", None, 1, "additional", title="<script>x</script> | *bold*")
    (folder / "q.toml").write_text(text, "utf-8")
    assert run(str(folder), "--out", str(tmp_path / "out")).exit_code == 0
    html = (tmp_path / "out" / "batch-report.html").read_text("utf-8")
    md = (tmp_path / "out" / "batch-report.md").read_text("utf-8")
    assert "<script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert r"\<script\>x\</script\> \| \*bold\*" in md


def test_a_file_whose_reference_clashes_still_has_its_other_problems_reported(
    tmp_path: Path,
) -> None:
    folder = write_five(tmp_path / "in")
    clash = proposal("a", "2026-04-01", 1, "additional").replace("months = 1", 'months = "1"')
    (folder / "f.toml").write_text(clash, "utf-8")
    result = run(str(folder), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    f_lines = [
        line for line in result.stderr.splitlines() if line.startswith(str(folder / "f.toml"))
    ]
    assert len(f_lines) == 2
    assert "reference 'T/A' is also used by" in f_lines[0]
    assert f_lines[1].endswith(
        "activity 'officer', months: must be a number, written without quotes"
    )


def test_an_out_that_is_a_file_is_a_usage_error_before_any_costing(tmp_path: Path) -> None:
    folder = write_five(tmp_path / "in")
    taken = tmp_path / "taken"
    taken.write_text("not a folder", "utf-8")
    for out in (taken, taken / "sub"):
        result = run(str(folder), "--out", str(out))
        assert result.exit_code == 2
        [error] = [line for line in result.stderr.splitlines() if line.startswith("Error")]
        assert error.startswith(f"Error: Invalid value for --out: {taken} is a file")
        assert "not a folder: give a folder for the outputs" in error
        assert str(folder) not in result.stderr  # not one problem per proposal
    assert taken.read_text("utf-8") == "not a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "taken"]


def test_outputs_that_cannot_be_written_fail_their_proposal_as_such_not_as_a_bug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from estimator.batch import run as batch

    def full_disk(*args: object) -> list[Path]:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(batch, "write_outputs", full_disk)
    folder = write_five(tmp_path / "in")
    result = run(str(folder), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    failures = summary_of(tmp_path / "out")["failures"]
    assert len(failures) == 5
    for failure in failures:
        [d] = failure["diagnostics"]
        assert d["code"] == "cannot-write"
        assert d["message"].endswith(": No space left on device")
    assert "internal error" not in result.stderr


# Additional credits outside the plan's period (2028-2029), from three proposals in two years
# and two units; same card (P3 at CHF 10,000 a work-month) and plan as above:
#
#     file  submitted   period     unit   months  a year   order  outside the plan
#     g     2026-03-01  2027-2028  ITU-T  2       20,000   1      2027 ITU-T 20,000
#     h     2026-03-02  2028-2029  ITU-T  1       10,000   2      -
#     i     2026-03-03  2029-2030  ITU-T  3       30,000   3      2030 ITU-T 30,000
#     j     2026-03-04  2027       ITU-D  1       10,000   4      2027 ITU-D 10,000
#     k     (none)      2030       ITU-T  1       10,000   5      2030 ITU-T 10,000
#
# Outside the plan, each proposal's own: 20,000, 0, 30,000, 10,000, 10,000; running total
# after each: 20,000, 20,000, 50,000, 60,000, 70,000. Per year and unit: 2027 ITU-T 20,000
# (T/G); 2027 ITU-D 10,000 (T/J); 2030 ITU-T 30,000 + 10,000 = 40,000 (T/I, T/K); in all
# 70,000. Within the plan, 2029 ITU-T: 0, 10,000, 40,000, 40,000, 40,000 (headroom 50,000).
OUTSIDE = {
    "g": ("2026-03-01", (2027, 2028), "ITU-T", 2),
    "h": ("2026-03-02", (2028, 2029), "ITU-T", 1),
    "i": ("2026-03-03", (2029, 2030), "ITU-T", 3),
    "j": ("2026-03-04", (2027, 2027), "ITU-D", 1),
    "k": (None, (2030, 2030), "ITU-T", 1),
}


def write_outside(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, (date, period, unit, months) in OUTSIDE.items():
        text = proposal(name, date, months, "additional", period=period, unit=unit)
        (folder / f"{name}.toml").write_text(text, "utf-8")
    return folder


@pytest.fixture(scope="module")
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("outside")
    result = run(str(write_outside(base / "in")), "--out", str(base / "out"))
    assert result.exit_code == 0, result.output
    return base / "out"


def test_credits_outside_the_plan_are_a_running_total_in_the_json(outside: Path) -> None:
    data = summary_of(outside)
    proposals = data["proposals"]
    assert [p["reference"] for p in proposals] == ["T/G", "T/H", "T/I", "T/J", "T/K"]
    assert [p["additional_outside_plan"] for p in proposals] == [
        "20000.00",
        "0.00",
        "30000.00",
        "10000.00",
        "10000.00",
    ]
    assert [p["cumulative_outside_plan"] for p in proposals] == [
        "20000.00",
        "20000.00",
        "50000.00",
        "60000.00",
        "70000.00",
    ]
    assert [p["cumulative"]["2029 ITU-T"] for p in proposals] == [
        "0.00",
        "10000.00",
        "40000.00",
        "40000.00",
        "40000.00",
    ]


def test_credits_outside_the_plan_are_given_per_year_and_unit_in_the_json(
    outside: Path,
) -> None:
    data = summary_of(outside)
    assert data["additional_outside_plan"] == "70000.00"
    assert data["additional_outside_plan_by_year_unit"] == [
        {"year": 2027, "unit": "ITU-T", "additional": "20000.00", "proposals": ["T/G"]},
        {"year": 2027, "unit": "ITU-D", "additional": "10000.00", "proposals": ["T/J"]},
        {"year": 2030, "unit": "ITU-T", "additional": "40000.00", "proposals": ["T/I", "T/K"]},
    ]


def test_the_markdown_and_html_reports_break_down_the_credits_outside_the_plan(
    outside: Path,
) -> None:
    md = (outside / "batch-report.md").read_text("utf-8")
    assert (
        "Additional credits in years outside the plan's period (2028–2029), all proposals:"
        " CHF\u00a070,000.00." in md
    )
    assert (
        "| Year | Budget unit | Additional credits | Proposals |\n"
        "|---:|---|---:|---|\n"
        "| 2027 | ITU-T | 20,000.00 | 1. T/G |\n"
        "| 2027 | ITU-D | 10,000.00 | 4. T/J |\n"
        "| 2030 | ITU-T | 40,000.00 | 3. T/I, 5. T/K |\n"
        "| | **Total** | **70,000.00** | |\n"
    ) in md
    # the cumulative table: 2028 GS, ITU-R, ITU-T, ITU-D, 2029 GS, ITU-R, ITU-T, ITU-D, then
    # outside the plan's period, every column a running total
    table = md.split("### Cumulative additional credits after each proposal")[1]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "T/" in line]
    assert [row.split(" | ")[-1] for row in rows] == [
        "20,000.00 |",
        "20,000.00 |",
        "50,000.00 |",
        "60,000.00 |",
        "70,000.00 |",
    ]
    assert rows[2] == (
        "| 3 | T/I | 0.00 | 0.00 | 30,000.00 | 0.00 | 0.00 | 0.00 | 40,000.00 | 0.00 | 50,000.00 |"
    )
    html = (outside / "batch-report.html").read_text("utf-8")
    assert (
        '<tr><td class="n">2030</td><td>ITU-T</td><td class="n">40,000.00</td>'
        "<td>3. T/I, 5. T/K</td></tr>"
    ) in html
    # after T/J: 2029 ITU-T 40,000, 2029 ITU-D 0, outside the plan's period 60,000
    assert (
        '<td class="n">40,000.00</td><td class="n">0.00</td><td class="n">60,000.00</td></tr>'
        in html
    )


@pytest.mark.libreoffice
def test_workbook_formulas_recalculate_the_credits_outside_the_plan(
    outside: Path, tmp_path: Path
) -> None:
    from libreoffice import convert
    from openpyxl import load_workbook

    copy = stripped(outside / "batch-report.xlsx", tmp_path / "stripped")
    [recalculated] = convert([copy], "xlsx", tmp_path / "recalculated")
    wb = load_workbook(recalculated, data_only=True)
    header, rows, _ = table(wb["Additional"])
    # after the plan's 8 cells: outside in all, then 2027 ITU-T, 2027 ITU-D, 2030 ITU-T
    beyond = header.index("Outside the plan's period")
    assert header[beyond + 1 :] == [
        "2027 ITU-T (outside)",
        "2027 ITU-D (outside)",
        "2030 ITU-T (outside)",
    ]
    order = ["T/G", "T/H", "T/I", "T/J", "T/K"]
    assert [rows[ref][beyond] for ref in order] == [20000, 0, 30000, 10000, 10000]
    header, rows, _ = table(wb["Against plan"])
    beyond = header.index("Outside the plan's period")
    assert [rows[ref][beyond] for ref in order] == [20000, 20000, 50000, 60000, 70000]
    sheet = wb["Outside the plan"]
    found = [
        [c.value for c in row][:4]
        for row in sheet.iter_rows()
        if row[1].value in ("ITU-T", "ITU-D", "Total")
    ]
    assert found == [
        [2027, "ITU-T", 20000, "1. T/G"],
        [2027, "ITU-D", 10000, "4. T/J"],
        [2030, "ITU-T", 40000, "3. T/I, 5. T/K"],
        [None, "Total", 70000, None],
    ]


def test_two_jobs_write_the_same_reports_as_one_with_credits_outside_the_plan(
    outside: Path,
) -> None:
    folder, two = outside.parent / "in", outside.parent / "two"
    assert run(str(folder), "--out", str(two), "--jobs", "2").exit_code == 0
    for name in FILES.values():
        assert (two / name).read_bytes() == (outside / name).read_bytes(), name


def test_the_reports_get_the_usual_permissions_like_each_proposals_outputs(
    tmp_path: Path,
) -> None:
    import stat

    folder = write_five(tmp_path / "in")
    previous = os.umask(0o027)
    try:
        result = run(str(folder), "--out", str(tmp_path / "out"))
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result.output

    def mode(name: str) -> int:
        return stat.S_IMODE((tmp_path / "out" / name).stat().st_mode)

    # 0666 less the umask 0027, not the 0600 of a temporary file
    assert {name: mode(name) for name in FILES.values()} == dict.fromkeys(FILES.values(), 0o640)
    assert mode("T-A.estimate.json") == 0o640


def test_without_a_plan_no_report_offers_a_headroom_to_exceed(tmp_path: Path) -> None:
    """The New York card is in USD and no plan is shipped in USD: nothing to exceed, so no
    'First to exceed' column (it was there, always empty)."""
    from openpyxl import load_workbook

    folder = write_five(tmp_path / "in")
    args = ["batch", str(folder), "--out", str(tmp_path / "o"), "--rates", "un-new-york"]
    assert CliRunner().invoke(app, args).exit_code == 0
    out = tmp_path / "o"
    assert "No financial plan in USD" in (out / "batch-report.md").read_text("utf-8")
    for name in ("batch-report.md", "batch-report.html"):
        assert "First to exceed" not in (out / name).read_text("utf-8"), name
    sheet = load_workbook(out / "batch-report.xlsx")["Proposals"]
    values = {c.value for r in sheet.iter_rows() for c in r}
    assert "First to exceed the headroom in" not in values


# -- batch honours every option estimate has ------------------------------------------------------


def _option_names(name: str) -> set[str]:
    command = typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]
    return {o for p in command.params if p.param_type_name == "option" for o in p.opts} - {"--help"}


def test_batch_takes_every_option_estimate_takes() -> None:
    assert _option_names("estimate") <= _option_names("batch")


def _word_template(path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("Costed by batch or estimate alike: {{ annex.reference }}")
    document.save(str(path))
    return path


def _markdown_template(path: Path) -> Path:
    path.write_text("{{ annex.reference }}: {{ annex.summary[0].value }}\n", "utf-8")
    return path


OTHER_PLAN = DATA / "plan.toml"


def _same_options(tmp_path: Path, options: list[str]) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The outputs of one proposal by estimate and by batch, given the same options (and the
    test card), by file name."""
    folder = tmp_path / "in"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "b.toml"
    path.write_text(proposal("b", "2026-03-01", 2, "additional"), "utf-8")
    common = ["--rates", str(CARD), *options]
    if "--plan" not in options:
        common += ["--plan", str(PLAN)]
    by_estimate, by_batch = tmp_path / "estimate", tmp_path / "batch"
    runner = CliRunner()
    done = runner.invoke(app, ["estimate", str(path), "--out", str(by_estimate), *common])
    assert done.exit_code == 0, done.output
    done = runner.invoke(app, ["batch", str(path), "--out", str(by_batch), *common])
    assert done.exit_code == 0, done.output
    estimate_files = {p.name: p.read_bytes() for p in by_estimate.iterdir()}
    batch_files = {p.name: p.read_bytes() for p in by_batch.iterdir() if p.name in estimate_files}
    return estimate_files, batch_files


def test_batch_round_to_1_and_a_word_template_give_the_annex_bytes_estimate_gives(
    tmp_path: Path,
) -> None:
    template = _word_template(tmp_path / "mine.docx")
    options = ["--round-to", "1", "--template", str(template)]
    by_estimate, by_batch = _same_options(tmp_path, options)
    assert by_batch == by_estimate
    annex = docx.Document(io.BytesIO(by_batch["T-B.annex.docx"]))
    assert [p.text for p in annex.paragraphs] == ["Costed by batch or estimate alike: T/B"]


@pytest.mark.parametrize(
    "option",
    ["--round-to", "--template", "--format", "--rates", "--plan"],
)
def test_batch_honours_the_option_as_estimate_does(option: str, tmp_path: Path) -> None:
    """Each option changes what estimate writes; batch, given it, writes the same bytes."""
    value = {
        "--round-to": "1",
        "--template": str(_markdown_template(tmp_path / "mine.md.j2")),
        "--format": "md,json",
        "--rates": "itu-geneva",
        "--plan": str(tmp_path / "plan.toml"),
    }[option]
    if option == "--plan":  # the test plan with less headroom: another Article 34 verdict
        text = PLAN.read_text("utf-8").replace("100000", "1000").replace("50000", "500")
        Path(value).write_text(text, "utf-8")
    by_estimate, by_batch = _same_options(tmp_path / "with", [option, value])
    plain_estimate, _ = _same_options(tmp_path / "without", [])
    assert by_batch == by_estimate
    assert by_estimate != plain_estimate  # the option made a difference


def test_batch_json_prints_the_consolidated_report_it_writes(tmp_path: Path) -> None:
    folder = write_five(tmp_path / "in")
    result = run(str(folder), "--out", str(tmp_path / "out"), "--format", "json", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == summary_of(tmp_path / "out")
    assert json.loads(result.stdout)["costed"] == 5
