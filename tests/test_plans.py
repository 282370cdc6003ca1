"""Financial plans a clerk can write: the compact table of years × budget units reads as the
long form of one [[headroom]] block per figure does, every problem of a plan is told in one run,
and no plan is applied unless one is named."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from estimator.cli.app import app
from estimator.core.diagnostics import Diagnostic, Severity
from estimator.core.plan import PLANS, load_plan

LONG = Path(__file__).resolve().parent / "article34" / "plan.toml"
"""The test plan in the long form: 100,000 for each unit in 2028 and 2029, but 50,000 for
ITU-T in 2029."""

HEADER = LONG.read_text(encoding="utf-8").split("[[headroom]]")[0]

TABLE = (
    HEADER
    + """[headroom]
units = ["GS", "ITU-R", "ITU-T", "ITU-D"]
source = "Test figure"
basis = "published"
#          GS       ITU-R    ITU-T    ITU-D
2028 = [100_000, 100_000, 100_000, 100_000]
2029 = [100_000, 100_000,  50_000, 100_000]
"""
)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_headroom_table_gives_the_same_plan_as_one_block_per_figure(tmp_path: Path) -> None:
    table, diags = load_plan(_write(tmp_path, TABLE))
    assert table is not None, [d.render() for d in diags]
    long, _ = load_plan(LONG)
    assert long is not None
    assert {k: (h.amount, h.source, h.basis) for k, h in table.headroom.items()} == {
        k: (h.amount, h.source, h.basis) for k, h in long.headroom.items()
    }
    assert len(table.headroom) == 2 * 4


def test_the_shipped_example_plan_is_a_table_of_one_row_a_year() -> None:
    text = (PLANS / "example-itu.toml").read_text(encoding="utf-8")
    assert "[[headroom]]" not in text
    plan, _ = load_plan(PLANS / "example-itu.toml")
    assert plan is not None
    assert all(f"\n{year} = [" in text for year in plan.info.years)


def test_a_row_with_a_figure_missing_is_told_at_its_year(tmp_path: Path) -> None:
    text = TABLE.replace("2029 = [100_000, 100_000,  50_000, 100_000]", "2029 = [100_000, 0, 5]")
    plan, diags = load_plan(_write(tmp_path, text))
    assert plan is None
    [d] = diags
    assert d.code == "row-length"
    assert d.line == text.splitlines().index("2029 = [100_000, 0, 5]") + 1
    assert "the row for 2029 has 3 figures but units names 4" in d.message


def test_a_figure_written_with_thousands_separators_is_told_how_to_write_it(
    tmp_path: Path,
) -> None:
    text = TABLE.replace(
        "2028 = [100_000, 100_000, 100_000, 100_000]",
        '2028 = [100_000, "100,000", 100_000, 100_000]',
    )
    plan, diags = load_plan(_write(tmp_path, text))
    assert plan is None
    [d] = diags
    assert "must be a number, not the text '100,000'" in d.message
    assert "write 100000 without quotes or separators" in d.hint


def test_a_figure_written_with_a_decimal_comma_is_told_the_same_figure(
    tmp_path: Path,
) -> None:
    text = TABLE.replace(
        "2028 = [100_000, 100_000, 100_000, 100_000]",
        '2028 = [100_000, "100 000,50", 100_000, 100_000]',
    )
    plan, diags = load_plan(_write(tmp_path, text))
    assert plan is None
    [d] = diags
    assert "write 100000.50 without quotes or separators" in d.hint


def test_every_problem_of_a_plan_is_told_in_one_run(tmp_path: Path) -> None:
    text = (
        TABLE.replace('currency = "CHF"', 'currency = "chf"')
        .replace('basis = "published"', 'basis = "official"')
        .replace("2029 = [100_000, 100_000,  50_000, 100_000]", "2029 = [100_000, -1, 0, 0]")
    )
    plan, diags = load_plan(_write(tmp_path, text))
    assert plan is None
    told = {(d.key, d.message.split(",")[0]) for d in diags}
    assert ("plan.currency", "'chf' is not in the expected form") in told
    assert any(key == "headroom.basis" for key, _ in told), told
    assert any(key == "headroom.2029[1]" for key, _ in told), told


def test_a_year_of_the_period_without_a_row_is_told(tmp_path: Path) -> None:
    text = TABLE.replace("2029 = [100_000, 100_000,  50_000, 100_000]\n", "")
    plan, diags = load_plan(_write(tmp_path, text))
    assert plan is None
    assert [d.message for d in diags] == ["no headroom for GS, ITU-R, ITU-T and ITU-D in 2029"]


def test_every_problem_of_a_long_form_plan_is_told_in_one_run(tmp_path: Path) -> None:
    text = LONG.read_text(encoding="utf-8")
    text = text.replace('title = "Test plan 2028-2029"', "title = 5", 1)
    text = text.replace("amount = 100000", 'amount = "100,000"', 1)
    plan, diags = load_plan(_write(tmp_path, text))
    assert plan is None
    assert {d.key for d in diags} >= {"plan.title", "headroom[0].amount"}


def test_estimate_without_a_plan_says_the_credits_were_not_assessed(tmp_path: Path) -> None:
    seed = Path(__file__).resolve().parent.parent / "seeds" / "pp26-ai-capacity.toml"
    for extra in ([], ["--plan", "none"]):
        result = CliRunner().invoke(app, ["estimate", str(seed), "--out", str(tmp_path), *extra])
        assert result.exit_code == 0, result.output
        assert "not been assessed against a financial plan" in result.output
        assert "No. 489" not in result.output
        annex = next(tmp_path.glob("*.annex.md")).read_text(encoding="utf-8")
        assert "not been assessed against a financial plan" in annex
        assert "xample" not in annex


def test_the_example_plan_is_applied_only_when_named(tmp_path: Path) -> None:
    seed = Path(__file__).resolve().parent.parent / "seeds" / "pp26-ai-capacity.toml"
    args = ["estimate", str(seed), "--plan", "example-itu", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert '"id": "example-itu-2028-2031"' in result.stdout
    assert "EXAMPLE TO REPLACE" not in result.stdout


def test_a_failing_run_shows_its_error_last(capsys: pytest.CaptureFixture[str]) -> None:
    from estimator.cli.app import _print_diagnostics

    error = Diagnostic("p.toml", ("proposal",), "x", "the error")
    warning = Diagnostic("p.toml", ("activity", 0), "y", "a warning", "", Severity.WARNING)
    _print_diagnostics([error, warning])
    lines = capsys.readouterr().err.splitlines()
    assert "a warning" in lines[0] and "the error" in lines[-1]
