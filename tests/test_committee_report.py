"""The Budget Control Committee's report (estimator/render/committee.py) on the decisions taken,
from a running position made by hand: two decisions that together exceed the example plan's
headroom of ITU-T in 2028, a pending proposal that would exceed ITU-D's in 2029, credits in a
year outside the plan, a merged and a withdrawn proposal. Each figure a budget officer checks
is computed here by hand."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest
from libreoffice import convert
from typer.testing import CliRunner

from estimator import api
from estimator.cli.app import app
from estimator.register.position import Closed, Contribution, Credit, RunningPosition, compute
from estimator.render.wording import FORMATS

ROOT = Path(__file__).resolve().parent.parent
HEADROOM = Decimal(205_925)  # cost_models/plans/example-itu.toml, each year and unit
D = Decimal


def _position() -> RunningPosition:
    plan, problems = api.financial_plan("example-itu")
    assert plan is not None and not problems
    first = Contribution(
        "adopted",
        "PP26/1",
        "PP26/1(Rev.1)",
        "Regional workshops",
        (Credit(2027, "ITU-T", D("5000.00")), Credit(2028, "ITU-T", D("150000.00")),
         Credit(2029, "ITU-T", D("100000.00"))),
        "amended",
        "2026-10-20T10:00:00",
    )  # fmt: skip
    second = Contribution(
        "adopted",
        "PP26/2",
        "PP26/2",
        "Study group on quantum networks",
        (Credit(2028, "ITU-T", D("80000.00")),),
        "adopted",
        "2026-10-21T09:30:00",
    )
    pending = Contribution(
        "pending",
        "PP26/3",
        "PP26/3(Add.1)",
        "Digital skills",
        (Credit(2029, "ITU-D", D("210000.00")),),
    )
    closed = (
        Closed("PP26/4", "PP26/4", "Satellite studies", "merged", "2026-10-21T11:00:00", "COM5/1"),
        Closed("PP26/5", "PP26/5", "A portal", "withdrawn", "2026-10-21T12:00:00"),
    )
    return compute(
        [first, second], [pending], plan, currency="CHF", closed=closed, versions=6,
        as_of="2026-10-21T12:00:00",
    )  # fmt: skip


DECISIONS_TOTAL = D("5000.00") + D("150000.00") + D("100000.00") + D("80000.00")
OVER_2028_ITU_T = D("150000.00") + D("80000.00") - HEADROOM  # 24,075.00


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return api.committee_report(_position())


def _text(files: dict[str, bytes], fmt: str) -> str:
    if fmt == "docx":
        document = docx.Document(io.BytesIO(files["docx"]))
        parts = [p.text for p in document.paragraphs]
        for table in document.tables:
            parts += [" | ".join(c.text for c in row.cells) for row in table.rows]
        return "\n".join(parts)
    return files[fmt].decode("utf-8")


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
def test_the_report_states_the_decisions_total_and_the_excess_computed_by_hand(
    files: dict[str, bytes], fmt: str
) -> None:
    text = _text(files, fmt)
    assert D("24075.00") == OVER_2028_ITU_T
    assert FORMATS.money(DECISIONS_TOTAL) in text  # 335,000.00
    assert f"ITU-T in 2028 by CHF\u00a0{FORMATS.money(OVER_2028_ITU_T)}" in text
    assert "first by PP26/3(Add.1)" in text  # ITU-D 2029, were the pending proposal adopted
    assert "merged into COM5/1" in text and "withdrawn" in text
    assert "Nos. 71 to 74 of the General Rules" in text


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
def test_the_position_row_of_2028_itu_t_is_headroom_less_the_decisions(
    files: dict[str, bytes], fmt: str
) -> None:
    [row] = [ln for ln in _text(files, fmt).splitlines() if "2028 ITU-T" in ln and "205,925" in ln]
    figures = re.findall(r"-?[\d,]+\.\d\d|–", row)
    assert figures[:3] == [
        FORMATS.money(HEADROOM),
        FORMATS.money(D("230000.00")),
        FORMATS.money(-OVER_2028_ITU_T),
    ]


def test_the_same_position_gives_the_same_bytes(files: dict[str, bytes]) -> None:
    assert api.committee_report(_position()) == files


@pytest.mark.libreoffice
def test_the_workbook_recalculates_the_position_from_the_credits(
    files: dict[str, bytes], tmp_path: Path
) -> None:
    path = tmp_path / "written.xlsx"
    path.write_bytes(files["xlsx"])
    stripped = tmp_path / "stripped" / "report.xlsx"
    stripped.parent.mkdir()
    openpyxl.load_workbook(path).save(stripped)
    [recalculated] = convert([stripped], "xlsx", tmp_path / "recalculated")
    sheet = openpyxl.load_workbook(recalculated, data_only=True)["Position"]
    rows = {(r[0], r[1]): r for r in sheet.iter_rows(values_only=True) if isinstance(r[0], int)}
    _, _, headroom, adopted, remaining, _, _, first = rows[(2028, "ITU-T")]
    assert D(str(headroom)) == HEADROOM
    assert D(str(adopted)) == D("230000")
    assert D(str(remaining)) == -OVER_2028_ITU_T
    assert first == "PP26/2"
    assert D(str(rows[(2029, "ITU-D")][6])) == HEADROOM - D("210000")
    assert rows[(2027, "ITU-T")][2] == "outside the plan"


def test_register_report_writes_every_format_from_the_register(tmp_path: Path) -> None:
    runner = CliRunner()
    db = str(tmp_path / "r.sqlite")
    seed = ROOT / "seeds" / "pp26-ai-capacity.toml"
    added = runner.invoke(app, ["register", "add", str(seed), "--db", db, "--by", "Secretariat"])
    assert added.exit_code == 0, added.output
    decided = runner.invoke(
        app, ["register", "decide", "PP26/44A2/1", "adopted", "--db", db, "--by", "Plenary"]
    )
    assert decided.exit_code == 0, decided.output
    out = tmp_path / "out"
    made = runner.invoke(
        app, ["register", "report", "--db", db, "--plan", "example-itu", "--out", str(out)]
    )
    assert made.exit_code == 0, made.output
    names = sorted(p.name for p in out.iterdir())
    assert names == [f"committee-report.{f}" for f in ("docx", "html", "json", "md", "xlsx")]
    estimate = api.estimate_file(seed).estimate
    assert estimate is not None
    md = (out / "committee-report.md").read_text("utf-8")
    assert FORMATS.money(estimate.article34.additional) in md
