"""Every example proposal in seeds/ validates and estimates with the default card, and its JSON
adds up: the total equals the sum of the lines and the sum of each breakdown, to the cent.

The seeds are the README's quick start and show every elemental kind; a test keeps them so.
"""

from __future__ import annotations

import json
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from estimator.core.diagnostics import has_errors
from estimator.core.pipeline import estimate
from estimator.render.options import RenderOptions
from estimator.render.outputs import render_json

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.toml"))
BREAKDOWNS = (
    "by_year",
    "by_unit",
    "by_element",
    "by_funding",
    "by_activity",
    "by_goal",
    "by_basis",
)


def _raw(path: Path) -> dict[str, Any]:
    with path.open("rb") as f:
        return tomllib.load(f, parse_float=Decimal)


@pytest.fixture(scope="module", params=SEED_FILES, ids=[p.stem for p in SEED_FILES])
def seed(request: pytest.FixtureRequest) -> tuple[Path, dict[str, Any]]:
    path: Path = request.param
    outcome = estimate(path)
    assert outcome.estimate is not None, [d.render() for d in outcome.diagnostics]
    assert not has_errors(outcome.diagnostics), [d.render() for d in outcome.diagnostics]
    return path, json.loads(render_json(outcome.estimate, RenderOptions()))


def test_there_are_seeds_for_each_conference() -> None:
    conferences = {_raw(p)["proposal"]["conference"] for p in SEED_FILES}
    assert {"PP-26", "WRC-27", "WTSA-28", "WTDC-29", "C26"} <= conferences


def test_seeds_use_the_default_card() -> None:
    # the README's quick start runs them without --rates: they must follow the default card
    assert [p.name for p in SEED_FILES if "rate_card" in _raw(p)["proposal"]] == []


def test_seeds_together_exercise_every_elemental_feature() -> None:
    acts = [a for p in SEED_FILES for a in _raw(p)["activity"]]
    of = {kind: [a for a in acts if a["kind"] == kind] for kind in {a["kind"] for a in acts}}
    meetings = of["meeting"]
    assert {m.get("location", "geneva") for m in meetings} == {"geneva", "away", "virtual"}
    assert any(len(m.get("languages", [])) >= 2 for m in meetings)
    assert any(m.get("remote") for m in meetings)
    assert any(m.get("fellowships", 0) > 0 for m in meetings)
    keys = {kind: {k for a in of[kind] for k in a} for kind in of}
    assert {"words", "pages"} <= keys["documentation"]
    assert {"months", "fte"} <= keys["staff"]
    assert {"months", "days"} <= keys["consultant"]
    assert {t.get("traveller", "staff") for t in of["travel"]} == {"staff", "expert"}
    assert any(s.get("external") for s in of["services"])
    assert any(s.get("funding") == "extrabudgetary" for s in of["services"])
    assert {a.get("funding", "additional") for a in acts} == {
        "additional",
        "existing",
        "extrabudgetary",
    }
    assert {"1", "2"} <= {a["goal"] for a in acts if "goal" in a}


def test_seed_has_title_requests_and_notes(seed: tuple[Path, dict[str, Any]]) -> None:
    path, got = seed
    raw = _raw(path)["proposal"]
    assert raw["requests"], "quote the operative paragraphs that cost money"
    assert got["proposal"]["title"] == raw["title"]
    assert got["lines"], "a seed with no cost lines shows nothing"


def test_seed_total_is_the_sum_of_its_lines(seed: tuple[Path, dict[str, Any]]) -> None:
    _, got = seed
    assert Decimal(got["total"]) == sum(Decimal(line["amount"]) for line in got["lines"])
    assert Decimal(got["total"]) > 0


@pytest.mark.parametrize("breakdown", BREAKDOWNS)
def test_seed_total_is_the_sum_of_each_breakdown(
    seed: tuple[Path, dict[str, Any]], breakdown: str
) -> None:
    _, got = seed
    parts = got[breakdown]
    assert parts, breakdown
    assert sum(Decimal(v) for v in parts.values()) == Decimal(got["total"]), breakdown


def test_seed_breakdowns_match_the_lines_they_group(seed: tuple[Path, dict[str, Any]]) -> None:
    _, got = seed
    for breakdown, field in (("by_year", "year"), ("by_funding", "funding"), ("by_unit", "unit")):
        for key, value in got[breakdown].items():
            lines = [ln for ln in got["lines"] if str(ln[field]) == key]
            assert Decimal(value) == sum((Decimal(ln["amount"]) for ln in lines), Decimal(0))


def test_seed_external_human_resources_is_the_sum_of_external_lines(
    seed: tuple[Path, dict[str, Any]],
) -> None:
    _, got = seed
    external = sum((Decimal(ln["amount"]) for ln in got["lines"] if ln["external"]), Decimal(0))
    assert Decimal(got["external_human_resources"]) == external
    consultants = [ln for ln in got["lines"] if ln["element"] == "consultants"]
    assert all(ln["external"] for ln in consultants)


def test_every_seed_line_cites_a_dated_rate_or_a_stated_amount(
    seed: tuple[Path, dict[str, Any]],
) -> None:
    _, got = seed
    for line in got["lines"]:
        if line["basis"] == "stated":
            assert line["escalation"] == "1" and line["rate_from"] is None
        else:
            assert line["rate_from"] and line["source"], line


CONTRACT_KEYS = {
    "format", "proposal", "currency", "rate_card", "total", "by_year", "by_unit", "by_element",
    "by_funding", "external_human_resources", "lines", "article34",
}  # fmt: skip
CONTRACT_LINE_KEYS = {
    "activity", "element", "unit", "year", "funding", "quantity", "quantity_unit", "rate_id",
    "rate", "rate_from", "escalation", "amount", "source",
}  # fmt: skip


def test_seed_json_has_every_key_of_the_output_contract(seed: tuple[Path, dict[str, Any]]) -> None:
    _, got = seed
    assert got["format"] == "finimpact/estimate/2"
    assert set(got) >= CONTRACT_KEYS
    assert {"reference", "title", "conference", "submitted_by"} <= set(got["proposal"])
    assert {"id", "sha256"} <= set(got["rate_card"])
    assert set(got["by_funding"]) == {"additional", "existing", "extrabudgetary"}
    assert {"verdict", "statement"} <= set(got["article34"])
    for line in got["lines"]:
        assert set(line) >= CONTRACT_LINE_KEYS
        # amounts are decimal strings with exactly two decimals
        assert isinstance(line["amount"], str) and line["amount"].split(".")[1].isdigit()
        assert len(line["amount"].split(".")[1]) == 2


def test_a_typical_proposal_costed_with_the_default_card_prints_no_warning() -> None:
    """Warnings worth reading: every seed is a typical proposal, and the refreshed default card
    (current values, escalated to the year) gives none of them a warning."""
    for path in SEED_FILES:
        outcome = estimate(path)
        assert outcome.diagnostics == [], [d.render() for d in outcome.diagnostics]
