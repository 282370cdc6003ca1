"""The batch report as a Budget Control Committee reads it: the Markdown's tables render, the
HTML leads with the additional credits, says of each verdict whether it is the proposal taken
alone or the running total, and prints on A4 without losing a column.

The batch is the seeds against the example plan (2028-2031): some proposals exceed the
headroom taken alone, some are the first to exceed it only together with those before them,
and some credits fall outside the plan's period. Every expected figure is read from the
batch's own JSON.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from estimator.batch.report import YEARS_PER_TABLE
from estimator.cli.app import app
from estimator.render.wording import BATCH_VERDICTS, FORMATS, currency_amount, label

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CHROMIUM = "/usr/bin/chromium"
INSTALL_HINT = (
    "Chromium is not installed: install it with `apt-get install chromium` (and poppler-utils "
    "for pdftotext) to print the batch report to PDF"
)


def batch(out: Path, *plan: str) -> dict[str, Any]:
    result = CliRunner().invoke(
        app, ["batch", str(SEEDS), "--out", str(out), "--format", "json", *plan]
    )
    assert result.exit_code in (0, 1), result.output
    data: dict[str, Any] = json.loads((out / "batch-report.json").read_text("utf-8"))
    return data


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("planned")
    return out, batch(out, "--plan", "example-itu")


@pytest.fixture(scope="module")
def unplanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("unplanned")
    return out, batch(out)


def tables(markdown: str) -> list[int]:
    """The tables a CommonMark (GFM tables) reader finds, each as its number of rows."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    counts: list[int] = []
    for token in tokens:
        if token.type == "table_open":
            counts.append(0)
        elif token.type == "tr_open":
            counts[-1] += 1
    return counts


def shown(value: str) -> str:
    return FORMATS.money(Decimal(value))


def test_every_markdown_table_renders_with_all_its_rows(
    planned: tuple[Path, dict[str, Any]],
) -> None:
    out, data = planned
    n = len(data["proposals"])
    plan_years = data["plan"]["period"][1] - data["plan"]["period"][0] + 1
    cumulative = -(-plan_years // YEARS_PER_TABLE)
    outside = data["additional_outside_plan_by_year_unit"]
    assert outside, "the seeds against the example plan have credits outside its period"
    # header + proposals + total: Proposals, Amounts; header + cells: Position; header + cells
    # + total: Outside; header + headroom + proposals: each table of cumulative credits
    expected = [n + 2, n + 2, len(data["position"]) + 1, len(outside) + 2]
    expected += [n + 2] * cumulative
    assert tables((out / "batch-report.md").read_text("utf-8")) == expected


def test_markdown_without_a_plan_has_its_two_tables(
    unplanned: tuple[Path, dict[str, Any]],
) -> None:
    out, data = unplanned
    n = len(data["proposals"])
    assert tables((out / "batch-report.md").read_text("utf-8")) == [n + 2, n + 2]


def test_the_headline_is_the_additional_credits_not_every_source(
    planned: tuple[Path, dict[str, Any]],
) -> None:
    out, data = planned
    additional = currency_amount(data["currency"], shown(data["by_funding"]["additional"]))
    every = currency_amount(data["currency"], shown(data["total"]))
    assert data["by_funding"]["additional"] != data["total"]
    for name in ("batch-report.html", "batch-report.md"):
        text = (out / name).read_text("utf-8")
        headline = f"Additional credits requested (Article 34 of the Convention): {additional}"
        assert headline in text
        assert text.index(headline) < text.index(every), "every source comes after, apart"
        assert "Total:" not in text


def test_each_verdict_says_taken_alone_or_together(planned: tuple[Path, dict[str, Any]]) -> None:
    """A proposal within the headroom taken alone that is the first to exceed it together with
    those before it shows both, each under its own heading."""
    out, data = planned
    html = (out / "batch-report.html").read_text("utf-8")
    md = (out / "batch-report.md").read_text("utf-8")
    assert "<th>Taken alone</th><th>Together with those before it</th>" in html
    assert "| Taken alone | Together with those before it |" in md
    both = [p for p in data["proposals"] if p["verdict"] == "within" and p["first_to_exceed"]]
    assert both, "the seeds have a proposal within alone and first to exceed together"
    for p in both:
        cells = ", ".join(p["first_to_exceed"])
        assert f'<td>within</td><td class="over">first to exceed: {cells}</td>' in html
        assert f"| within | **first to exceed: {cells}** |" in md


def require_chromium() -> str:
    """Chromium and pdftotext; without them, skip, or fail under CI (CI=true)."""
    if Path(CHROMIUM).is_file() and shutil.which("pdftotext") and shutil.which("pdfinfo"):
        return CHROMIUM
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and {INSTALL_HINT}")
    pytest.skip(INSTALL_HINT)


def printed(html: Path, pdf: Path) -> str:
    """The HTML printed by headless Chromium to PDF; the PDF's text, laid out as on paper."""
    exe = require_chromium()
    with tempfile.TemporaryDirectory(prefix="finimpact-chromium-") as profile:
        subprocess.run(
            [
                exe,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                f"--user-data-dir={profile}",
                "--no-pdf-header-footer",
                f"--print-to-pdf={pdf}",
                html.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


@pytest.mark.chromium
def test_the_printed_report_keeps_every_verdict_on_a4_landscape(
    planned: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    out, data = planned
    pdf = tmp_path / "batch-report.pdf"
    text = printed(out / "batch-report.html", pdf)
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    fields = dict(line.split(":", 1) for line in info.stdout.splitlines() if ":" in line)
    size = fields["Page size"].split()  # '841.92 x 594.96 pts (A4)'
    assert size[-1] == "(A4)" and float(size[0]) > float(size[2]), "A4 landscape"
    pages = int(fields["Pages"])
    assert "Verdict against the headroom" in text
    assert "Taken alone" in text
    # the title on every page (its ': ' escaped for CSS, the space kept) and once as the heading
    title = "Financial implications of the proposals: consolidated report"
    assert text.count(title) == pages + 1, "the running head"
    for page in range(1, pages + 1):
        assert f"Page {page} of {pages}" in text, "every page numbered"
    lines = text.splitlines()
    for p in data["proposals"]:
        # the row of the Proposals table: the reference, its additional credits and total
        row = [
            line
            for line in lines
            if p["reference"] in line
            and shown(p["by_funding"]["additional"]) in line
            and shown(p["total"]) in line
        ]
        assert row, f"{p['reference']}'s row is on the paper"
        assert label(BATCH_VERDICTS, p["verdict"]) in row[0]
        if p["first_to_exceed"]:
            assert "first to exceed" in row[0]
