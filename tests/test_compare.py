"""The difference between estimates (estimator.core.difference, ``finimpact compare``): the
scenarios of tests/scenarios (an expert group in three languages, in six, and virtually), priced
on a card of round figures, compared as a budget officer would check them, by hand."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from estimator import api

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
