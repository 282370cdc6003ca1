"""`finimpact validate` reads whatever it is given: a proposal, a rate card or a financial plan."""

from __future__ import annotations

from pathlib import Path

import pytest

from estimator.core.diagnostics import Severity
from estimator.core.pipeline import check_file, shipped_cards

ROOT = Path(__file__).resolve().parent.parent

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
