"""`finimpact validate` reads whatever it is given: a proposal, a rate card, a financial plan
or a strategic plan; every command tells them apart by one rule (``kind_of``)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from estimator.cli.app import app
from estimator.core.diagnostics import Severity
from estimator.core.load import kind_of
from estimator.core.pipeline import check_file, estimate, shipped_cards

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "cost_models" / "plans" / "example-itu.toml"

PARTIAL_CARD = """format = 1
[card]
id = "mini"
title = "Our meeting costs"
currency = "EUR"
escalation = 0
words_per_page = 300

[[rate]]
id = "interpretation"
label = "Interpretation, one meeting, one language"
unit = "meeting-language"
  [[rate.value]]
  from = 2020-01-01
  amount = 1000
  source = "Our standard costs 2020"
  basis = "published"
"""


@pytest.mark.parametrize("card", sorted(shipped_cards().values()), ids=lambda p: p.stem)
def test_a_shipped_card_has_every_rate_the_cost_models_use(card: Path) -> None:
    assert check_file(card) == []


def test_a_card_lacking_rates_is_valid_with_one_warning_naming_them(tmp_path: Path) -> None:
    path = tmp_path / "mini.toml"
    path.write_text(PARTIAL_CARD, encoding="utf-8")
    (warning,) = check_file(path)
    assert warning.severity is Severity.WARNING
    assert warning.code == "card-incomplete"
    assert (warning.line, warning.key) == (9, "rate")
    assert "'staff.G7'" in warning.message and "'subsistence'" in warning.message
    assert "'interpretation'" not in warning.message


def test_the_shipped_financial_plan_is_read_as_a_plan() -> None:
    assert check_file(ROOT / "cost_models" / "plans" / "example-itu.toml") == []


def test_a_broken_plan_is_reported_as_a_plan_not_as_a_proposal(tmp_path: Path) -> None:
    path = tmp_path / "plan.toml"
    path.write_text('format = 1\n[plan]\nid = "p"\n', encoding="utf-8")
    diags = check_file(path)
    keys = {d.key for d in diags}
    assert {"plan.title", "plan.period", "plan.currency", "headroom"} <= keys, keys


def test_a_proposal_key_written_after_an_activity_is_told_where_it_belongs(tmp_path: Path) -> None:
    text = (ROOT / "seeds" / "pp26-ai-capacity.toml").read_text(encoding="utf-8")
    path = tmp_path / "late-key.toml"
    path.write_text(text + '\nrate_card = "un-new-york"\n', encoding="utf-8")
    errors = [d for d in check_file(path) if d.severity is Severity.ERROR]
    assert len(errors) == 1
    assert errors[0].line == len(text.splitlines()) + 2
    assert errors[0].message == "unknown key 'rate_card'"
    assert errors[0].hint.startswith("rate_card belongs in [proposal]")


# -- one rule for what a file is, in every command ------------------------------------------------

ONLY_RATES = PARTIAL_CARD[PARTIAL_CARD.index("[[rate]]") :]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ('format = 1\n[proposal]\nreference = "X"\n', "proposal"),
        (PARTIAL_CARD, "rate card"),
        (ONLY_RATES, "rate card"),
        ((ROOT / "cost_models/plans/example-itu.toml").read_text("utf-8"), "financial plan"),
        ((ROOT / "cost_models/strategic/2024-2027.toml").read_text("utf-8"), "strategic plan"),
        ("[[activity]]\nid = 'a'\n", "proposal"),  # its missing [proposal] is then reported
    ],
    ids=["proposal", "card", "only-rates", "financial-plan", "strategic-plan", "no-proposal-table"],
)
def test_what_a_file_is_follows_from_its_tables(text: str, kind: str) -> None:
    assert kind_of(tomllib.loads(text)) == kind


def test_a_file_holding_only_rates_is_a_rate_card_to_validate_batch_and_estimate(
    tmp_path: Path,
) -> None:
    path = tmp_path / "rates.toml"
    path.write_text(ONLY_RATES, "utf-8")
    runner = CliRunner()
    validated = runner.invoke(app, ["validate", str(path)])
    assert ":1:1: card: is required (add a [card] table)" in validated.stderr
    assert "[proposal]" not in validated.stderr
    estimated = runner.invoke(app, ["estimate", str(path), "--out", str(tmp_path)])
    assert estimated.exit_code == 1
    assert estimated.stderr == (
        f"{path}:1:1: rate: this file is a rate card, not a proposal (a proposal has a"
        f" [proposal] table) (check the rate card with: finimpact validate {path})\n"
    )
    batched = runner.invoke(app, ["batch", str(path), "--out", str(tmp_path / "out")])
    assert f"{path}: note: skipped: a rate card, not a proposal" in batched.stderr


def test_a_strategic_plan_is_checked_as_one(tmp_path: Path) -> None:
    shipped = ROOT / "cost_models/strategic/2024-2027.toml"
    assert check_file(shipped) == []
    broken = tmp_path / "plan.toml"
    broken.write_text(shipped.read_text("utf-8").replace('code = "1"', 'code = ""', 1), "utf-8")
    assert [d.key for d in check_file(broken)] == ["goal[0].code"]


@pytest.mark.parametrize("kind", ["card", "plan"])
def test_estimating_a_card_or_a_plan_says_what_it_is_at_its_first_table(kind: str) -> None:
    path = {"card": ROOT / "cost_models/cards/itu-geneva.toml", "plan": PLAN}[kind]
    [d] = estimate(path).diagnostics
    text = path.read_text("utf-8").splitlines()
    assert d.code == "not-a-proposal"
    assert text[d.line - 1].startswith({"card": "[card]", "plan": "[plan]"}[kind])
