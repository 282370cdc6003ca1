"""The difference between estimates (estimator.core.difference, ``finimpact compare``): the
scenarios of tests/scenarios (an expert group in three languages, in six, and virtually), priced
on a card of round figures, compared as a budget officer would check them, by hand."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from libreoffice import convert
from typer.testing import CliRunner

from estimator import api
from estimator.cli.app import app
from estimator.render.wording import FORMATS

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "tests" / "scenarios"
CARD = SCENARIOS / "card.toml"
THREE, SIX, VIRTUAL = (
    SCENARIOS / f"{n}.toml" for n in ("three-languages", "six-languages", "virtual")
)

# The card (tests/scenarios/card.toml): values of 2027, escalated 2% a year.
INTERPRETATION = Decimal(1000)  # a meeting in one language
SERVICES = Decimal(300)  # a meeting in Geneva
AIRFARE, SUBSISTENCE = Decimal(2000), Decimal("250.50")
ESCALATION = {2027: Decimal(1), 2028: Decimal("1.02")}
# The expert group: 2 events × 3 days × 2 meetings a day (the default), 4 fellowships an event.
MEETINGS = 2 * 3 * 2
FELLOWS, FELLOW_DAYS = 2 * 4, 2 * 4 * (3 + 1)


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def _estimate(path: Path) -> api.Estimate:
    outcome = api.estimate_file(path, rates=CARD)
    assert outcome.estimate is not None, [d.render() for d in outcome.diagnostics]
    return outcome.estimate


def _difference(*paths: Path) -> api.Difference:
    diff, problems = api.compare_files(paths, rates=CARD)
    assert diff is not None and not problems, [d.render() for d in problems]
    return diff


def _row(rows: tuple[api.Row, ...], key: str | int) -> api.Row:
    [row] = [r for r in rows if r.key == key]
    return row


def test_six_languages_add_three_languages_of_interpretation_each_year_and_nothing_else() -> None:
    diff = _difference(THREE, SIX)
    by_hand = {y: cents(MEETINGS * 3 * INTERPRETATION * f) for y, f in ESCALATION.items()}
    assert by_hand == {2027: Decimal("36000.00"), 2028: Decimal("36720.00")}
    assert {r.key: r.change(1) for r in diff.by_year} == by_hand
    assert diff.total.change(1) == sum(by_hand.values())
    interpretation = _row(diff.by_element, "interpretation")
    assert interpretation.change(1) == sum(by_hand.values())
    assert interpretation.status(1) == "changed"
    assert all(r.change(1) == 0 for r in diff.by_element if r.key != "interpretation")
    assert _row(diff.by_activity, "expert-meeting").change(1) == sum(by_hand.values())
    assert _row(diff.by_activity, "catering").status(1) == "same"
    assert _row(diff.by_unit, "ITU-T").change(1) == sum(by_hand.values())
    assert _row(diff.by_funding, "additional").change(1) == sum(by_hand.values())


def test_meeting_virtually_removes_rooms_fellowships_and_coffee_and_adds_a_licence() -> None:
    diff = _difference(THREE, VIRTUAL)
    per_year = {
        y: -cents(MEETINGS * SERVICES * f)
        - cents(FELLOWS * AIRFARE * f)
        - cents(FELLOW_DAYS * SUBSISTENCE * f)
        - Decimal(2000)  # the coffee breaks, a stated amount: never escalated
        for y, f in ESCALATION.items()
    }
    per_year[2027] += Decimal(3000)  # the platform's licence, once, in 2027
    assert {r.key: r.change(1) for r in diff.by_year} == per_year
    assert diff.total.change(1) == sum(per_year.values())
    assert [r.key for r in diff.activities(1, "added")] == ["platform"]
    assert [r.key for r in diff.activities(1, "removed")] == ["catering"]
    assert [r.key for r in diff.activities(1, "changed")] == ["expert-meeting"]
    removed = {r.key for r in diff.by_element if r.status(1) == "removed"}
    assert removed == {"conference-services", "fellowships"}
    assert _row(diff.by_element, "conference-services").amounts[1] is None
    assert _row(diff.by_element, "interpretation").status(1) == "same"


def test_each_estimate_is_compared_with_the_first_and_every_table_adds_up_to_the_total() -> None:
    three, six, virtual = (_estimate(p) for p in (THREE, SIX, VIRTUAL))
    diff = _difference(THREE, SIX, VIRTUAL)
    assert diff.total.amounts == (three.total, six.total, virtual.total)
    assert diff.total.changes == (six.total - three.total, virtual.total - three.total)
    for dimension in ("year", "element", "unit", "funding", "activity"):
        rows = diff.table(dimension)  # type: ignore[arg-type]
        for i in range(3):
            assert sum(r.amount(i) for r in rows) == diff.total.amount(i), dimension
        for i in (1, 2):
            assert sum(r.change(i) for r in rows) == diff.total.change(i), dimension


def test_an_estimate_compared_with_itself_changes_nothing() -> None:
    diff = _difference(THREE, THREE)
    for dimension in ("year", "element", "unit", "funding", "activity"):
        for row in diff.table(dimension):  # type: ignore[arg-type]
            assert row.change(1) == 0 and row.status(1) == "same"


def test_scenarios_of_one_reference_are_named_by_their_files() -> None:
    diff = _difference(THREE, SIX)
    assert diff.names == ("three-languages.toml", "six-languages.toml")
    seeds = sorted((ROOT / "seeds").glob("*.toml"))[:2]
    diff, problems = api.compare_files(seeds)
    assert diff is not None and not problems
    assert diff.names == tuple(e.proposal.info.reference for e in diff.estimates)
    assert len(set(diff.names)) == 2


def test_estimates_in_two_currencies_are_not_compared() -> None:
    seed = ROOT / "seeds" / "pp26-ai-capacity.toml"
    in_usd = api.estimate_file(seed, rates="un-new-york").estimate
    assert in_usd is not None
    diff, problems = api.difference([_estimate(THREE), in_usd])
    assert diff is None
    [problem] = problems
    assert problem.code == api.CURRENCIES_DIFFER
    assert "USD" in problem.message and "CHF" in problem.message


def test_a_difference_needs_two_estimates() -> None:
    with pytest.raises(ValueError, match="two estimates"):
        api.difference([_estimate(THREE)])


# -- finimpact compare: the console, the files, the workbook's formulas -----------------------

runner = CliRunner()
THREE_WAYS = [str(THREE), str(SIX), str(VIRTUAL), "--rates", str(CARD)]


def test_compare_prints_each_total_beside_its_change() -> None:
    result = runner.invoke(app, ["compare", *THREE_WAYS])
    assert result.exit_code == 0, result.output
    diff = _difference(THREE, SIX, VIRTUAL)
    [total] = [ln.split() for ln in result.stdout.splitlines() if ln.split()[:1] == ["Total"]][:1]
    assert total[1:] == [
        FORMATS.money(diff.total.amount(0)),
        FORMATS.money(diff.total.amount(1)),
        "+" + FORMATS.money(diff.total.change(1)),
        FORMATS.money(diff.total.amount(2)),
        FORMATS.money(diff.total.change(2)),
    ]
    assert "Adds Licence of a virtual meeting platform" in result.stdout
    assert "Removes Coffee breaks at the meetings" in result.stdout


def test_compare_reports_every_problem_of_every_file_at_once_without_a_traceback(
    tmp_path: Path,
) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(
        THREE.read_text("utf-8").replace("days        = 3", "days        = -3"), "utf-8"
    )
    blank = tmp_path / "blank.toml"
    blank.write_text("", "utf-8")
    result = runner.invoke(app, ["compare", str(THREE), str(broken), str(blank)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert re.search(r"broken\.toml:\d+:\d+: activity .*days: ", result.stderr)
    assert "blank.toml:1:1: file is empty" in result.stderr
    assert "Traceback" not in result.output


def test_compare_needs_two_files_and_known_formats() -> None:
    assert runner.invoke(app, ["compare", str(THREE)]).exit_code == 2
    bad_format = runner.invoke(app, ["compare", str(THREE), str(SIX), "--format", "docx"])
    assert bad_format.exit_code == 2


def test_compare_refuses_two_currencies_located_at_the_file(tmp_path: Path) -> None:
    euros = tmp_path / "euros.toml"
    euros.write_text(THREE.read_text("utf-8").replace('"CHF"', '"EUR"'), "utf-8")
    card = tmp_path / "card-eur.toml"
    card.write_text(CARD.read_text("utf-8").replace('"CHF"', '"EUR"'), "utf-8")
    chf = api.estimate_file(THREE, rates=CARD).estimate
    eur = api.estimate_file(euros, rates=card).estimate
    assert chf is not None and eur is not None
    _, [problem] = api.difference([chf, eur])
    assert problem.file == str(euros) and "EUR" in problem.message


def test_the_files_are_the_same_bytes_twice_and_the_json_is_the_difference(
    tmp_path: Path,
) -> None:
    first = runner.invoke(app, ["compare", *THREE_WAYS, "--out", str(tmp_path / "a")])
    again = runner.invoke(app, ["compare", *THREE_WAYS, "--out", str(tmp_path / "b")])
    assert first.exit_code == again.exit_code == 0
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == ["comparison.html", "comparison.json", "comparison.md", "comparison.xlsx"]
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    data = json.loads((tmp_path / "a" / "comparison.json").read_text("utf-8"))
    assert data == json.loads(json.dumps(_difference(THREE, SIX, VIRTUAL).to_json()))
    years = {row["key"]: row["changes"][0] for row in data["by_year"]}
    assert years == {2027: "36000.00", 2028: "36720.00"}
    assert [e["sha256"] for e in data["estimates"]] == [
        _estimate(p).proposal.sha256 for p in (THREE, SIX, VIRTUAL)
    ]


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_documents_show_each_table_row_with_its_change(fmt: str) -> None:
    diff = _difference(THREE, VIRTUAL)
    text = api.render_difference(diff, (fmt,))[fmt].decode("utf-8")
    for row in diff.by_year:
        figures = [FORMATS.money(row.amount(0)), FORMATS.money(row.amount(1))]
        figures.append(FORMATS.money(row.change(1)))
        cells = re.findall(r"[-+]?[\d,]+\.\d\d", _line_of(text, str(row.key)))
        assert cells == figures
    assert "virtual.toml" in text and _estimate(VIRTUAL).proposal.sha256 in text


def _line_of(text: str, key: str) -> str:
    [line] = [ln for ln in text.splitlines() if re.match(rf"^(\| |<tr><td>){key}\b", ln)]
    return line


def _sheet_figures(path: Path) -> dict[str, Any]:
    sheet = openpyxl.load_workbook(path, data_only=True)["Comparison"]
    return {c.coordinate: c.value for row in sheet.iter_rows() for c in row if c.value is not None}


@pytest.mark.libreoffice
def test_the_workbook_recalculates_every_amount_and_change_from_its_lines(
    tmp_path: Path,
) -> None:
    """LibreOffice recomputes a copy without cached values: every SUMIFS over the Lines sheet
    and every change give what the tool wrote, and what the JSON says."""
    diff = _difference(THREE, SIX, VIRTUAL)
    path = tmp_path / "comparison.xlsx"
    path.write_bytes(api.render_difference(diff, ("xlsx",))["xlsx"])
    book = openpyxl.load_workbook(path)
    formulas = {
        c.coordinate: c.value
        for row in book["Comparison"].iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=")
    }
    assert any(f.startswith("=SUMIFS(Lines!") for f in formulas.values())
    stripped = tmp_path / "stripped" / "comparison.xlsx"
    stripped.parent.mkdir()
    book.save(stripped)
    [recalculated] = convert([stripped], "xlsx", tmp_path / "recalculated")
    written, computed = _sheet_figures(path), _sheet_figures(recalculated)
    for ref in formulas:
        assert Decimal(str(computed[ref])).quantize(Decimal("0.01")) == Decimal(
            str(written[ref])
        ).quantize(Decimal("0.01")), ref
    # the 2028 row of 'By year': 3 languages, 6, change, virtual, change
    sheet = openpyxl.load_workbook(recalculated, data_only=True)["Comparison"]
    [row] = [r for r in sheet.iter_rows(values_only=True) if r[0] == 2028]
    assert [Decimal(str(v)).quantize(Decimal("0.01")) for v in row[2:7]] == [
        diff.by_year[1].amount(0),
        diff.by_year[1].amount(1),
        Decimal("36720.00"),
        diff.by_year[1].amount(2),
        diff.by_year[1].change(2),
    ]


def test_in_french_the_documents_and_the_formulas_name_the_french_sheet(tmp_path: Path) -> None:
    diff = _difference(THREE, SIX)
    files = api.render_difference(diff, ("html", "xlsx", "json"), "fr")
    html = files["html"].decode("utf-8")
    assert '<html lang="fr">' in html and "Comparaison des estimations" in html
    assert files["json"] == api.render_difference(diff, ("json",))["json"]  # JSON: English
    path = tmp_path / "fr.xlsx"
    path.write_bytes(files["xlsx"])
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Comparaison", "Lignes"]
    formulas = [
        c.value
        for row in book["Comparaison"].iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=SUMIFS(")
    ]
    assert formulas and all(f.startswith("=SUMIFS(Lignes!") for f in formulas)
