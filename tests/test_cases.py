"""Hand-computed cases: each folder of tests/cases holds a proposal, a small card made for it
and the expected cost lines and totals, with the arithmetic written out in comments.

The case is priced through :func:`estimator.core.pipeline.estimate` and every line and every total
stated in ``expected.toml`` must match to the cent. The line list must match exactly: no line
missing, none extra.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from estimator.core.diagnostics import has_errors
from estimator.core.pipeline import estimate

CASES = Path(__file__).resolve().parent / "cases"

CASE_DIRS = sorted(p for p in CASES.iterdir() if (p / "expected.toml").exists())
LINE_KEYS = ("activity", "element", "year", "rate_id", "quantity", "rate", "escalation", "amount")
NUMERIC = {"quantity", "rate", "escalation", "amount"}
OPTIONAL_LINE_KEYS = ("funding", "unit", "external", "rate_from", "basis")


def _number(value: Any) -> Decimal:
    return Decimal(str(value)) if not isinstance(value, Decimal) else value


def _line_key(line: dict[str, Any]) -> tuple[Any, ...]:
    return (line["activity"], line["element"], int(line["year"]), line["rate_id"])


def _expected(case: Path) -> dict[str, Any]:
    with (case / "expected.toml").open("rb") as f:
        return tomllib.load(f, parse_float=Decimal)


def _priced(case: Path) -> dict[str, Any]:
    outcome = estimate(case / "proposal.toml", case / "card.toml")
    assert outcome.estimate is not None, [d.render() for d in outcome.diagnostics]
    assert not has_errors(outcome.diagnostics), [d.render() for d in outcome.diagnostics]
    # the warnings a case expects, by code and key path (none unless expected.toml lists them)
    warned = sorted(f"{d.code} {d.key}" for d in outcome.diagnostics)
    assert warned == sorted(_expected(case).get("warnings", [])), warned
    return outcome.estimate.to_json()


def test_there_is_a_case_for_every_elemental_kind() -> None:
    kinds: set[str] = set()
    for case in CASE_DIRS:
        with (case / "proposal.toml").open("rb") as f:
            kinds |= {a["kind"] for a in tomllib.load(f).get("activity", [])}
    assert kinds >= {"meeting", "documentation", "staff", "consultant", "travel", "services"}


@pytest.mark.parametrize("case", CASE_DIRS, ids=[p.name for p in CASE_DIRS])
def test_case_lines_match_the_hand_computed_lines(case: Path) -> None:
    expected = _expected(case)
    got = _priced(case)
    want_lines = {_line_key(line): line for line in expected["line"]}
    got_lines = {_line_key(line): line for line in got["lines"]}
    assert len(want_lines) == len(expected["line"]), "expected.toml repeats a line"
    assert sorted(got_lines) == sorted(want_lines), "lines differ (activity, element, year, rate)"
    assert len(got["lines"]) == len(expected["line"])
    for key, want in want_lines.items():
        line = got_lines[key]
        for name in (*LINE_KEYS, *OPTIONAL_LINE_KEYS):
            if name not in want:
                assert name in OPTIONAL_LINE_KEYS, f"{key}: expected.toml lacks {name}"
                continue
            if name in NUMERIC:
                assert Decimal(line[name]) == _number(want[name]), f"{key}: {name}"
            elif name == "rate_from":
                assert line[name] == str(want[name]), f"{key}: {name}"
            else:
                assert line[name] == want[name], f"{key}: {name}"


@pytest.mark.parametrize("case", CASE_DIRS, ids=[p.name for p in CASE_DIRS])
def test_case_totals_match_the_hand_computed_totals(case: Path) -> None:
    expected = _expected(case)
    got = _priced(case)
    assert got["currency"] == expected["currency"]
    totals = expected["totals"]
    assert {"total", "by_year", "by_funding", "external_human_resources"} <= set(totals)
    for name, want in totals.items():
        if isinstance(want, dict):
            assert {k: Decimal(v) for k, v in got[name].items()} == {
                k: _number(v) for k, v in want.items()
            }, name
        else:
            assert Decimal(got[name]) == _number(want), name
    # a total is the sum of the line amounts, each already rounded to the cent
    assert Decimal(got["total"]) == sum(Decimal(line["amount"]) for line in got["lines"])
