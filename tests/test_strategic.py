"""Strategic plans: the shipped plans, the goal check in the validate stage, the goal titles."""

from __future__ import annotations

from pathlib import Path

import pytest

from estimator.core.diagnostics import Diagnostic, Severity
from estimator.core.load import parse_toml
from estimator.core.pipeline import estimate
from estimator.core.strategic import (
    goal_titles,
    load_plan,
    plan_for,
    shipped_plans,
)
from estimator.core.validate import validate_proposal
from estimator.render.caveats import caveats


def _proposal(period: str, *goals: tuple[str, str | None]) -> str:
    """A proposal with one staff activity per (goal, years) pair; years None = the period."""
    text = (
        "format = 1\n\n[proposal]\nreference = 'TEST/GOALS'\ntitle = 'Goals'\n"
        f"conference = 'PP-26'\nsubmitted_by = ['Member State']\nresponsible = 'GS'\n"
        f"period = {period}\n"
    )
    for i, (goal, years) in enumerate(goals):
        text += (
            f"\n[[activity]]\nid = 'a{i}'\nkind = 'staff'\ntitle = 'Officer'\ngrade = 'P3'\n"
            f"months = 1\ngoal = {goal!r}\n"
        )
        if years:
            text += f"years = {years}\n"
    return text


def _check(text: str) -> list[Diagnostic]:
    doc, diags = parse_toml(text.encode(), "proposal.toml")
    assert doc is not None, diags
    return [d for d in validate_proposal(doc)[1] if "goal" in d.code]


def test_the_shipped_plans_are_2020_2023_and_2024_2027_with_their_goals_and_sources() -> None:
    old, new = shipped_plans()
    assert (old.id, old.info.period, old.info.source) == (
        "2020-2023",
        (2020, 2023),
        "Resolution 71 (Rev. Dubai, 2018)",
    )
    assert {c: g.title for c, g in old.goals.items()} == {
        "1": "Growth",
        "2": "Inclusiveness",
        "3": "Sustainability",
        "4": "Innovation",
        "5": "Partnership",
    }
    assert (new.id, new.info.period, new.info.source) == (
        "2024-2027",
        (2024, 2027),
        "Resolution 71 (Rev. Bucharest, 2022)",
    )
    assert {c: g.title for c, g in new.goals.items()} == {
        "1": "Universal connectivity",
        "2": "Sustainable digital transformation",
    }
    text = new.goals["1"].text
    assert text is not None and text.startswith("Enable and foster universal access")


@pytest.mark.parametrize(
    ("year", "plan", "in_force"),
    [(2020, "2020-2023", True), (2023, "2020-2023", True), (2024, "2024-2027", True),
     (2027, "2024-2027", True), (2030, "2024-2027", False), (2019, "2020-2023", False)],
)  # fmt: skip
def test_the_plan_for_a_year_is_the_one_in_force_else_the_nearest(
    year: int, plan: str, in_force: bool
) -> None:
    found, exact = plan_for(year, shipped_plans())
    assert (found.id, exact) == (plan, in_force)


def test_a_goal_of_the_plan_in_force_passes_without_a_word() -> None:
    assert _check(_proposal("[2024, 2027]", ("2", None))) == []
    assert _check(_proposal("[2020, 2023]", ("5", None))) == []


def test_an_unknown_goal_is_a_located_error_listing_the_goals_of_the_plan() -> None:
    (d,) = _check(_proposal("[2024, 2027]", ("3", None)))
    assert d.severity is Severity.ERROR
    # line 17: 9 lines of [proposal], a blank line, then 7 keys of the activity, goal last
    assert (d.code, d.line, d.key) == ("unknown-goal", 17, "activity[0].goal")
    assert "goal '3' is not a goal of the Strategic plan of the Union for 2024–2027" in d.message
    assert "Resolution 71 (Rev. Bucharest, 2022)" in d.message
    assert d.hint == (
        "goals of the plan 2024–2027: 1 (Universal connectivity),"
        " 2 (Sustainable digital transformation)"
    )


def test_a_goal_written_as_its_title_is_told_its_code() -> None:
    (d,) = _check(_proposal("[2024, 2027]", ("Universal connectivity", None)))
    assert d.code == "unknown-goal"
    assert d.hint == 'write the goal\'s code: goal = "1" (Universal connectivity)'


def test_a_goal_close_to_a_code_gets_a_did_you_mean() -> None:
    (d,) = _check(_proposal("[2024, 2027]", ("1.", None)))
    assert d.hint.startswith("did you mean '1'?")


def test_a_goal_is_checked_against_the_plan_of_each_of_its_years() -> None:
    # goal 3 (Sustainability) exists in 2020-2023 only: the error is about 2024-2025
    (d,) = _check(_proposal("[2022, 2025]", ("3", None)))
    assert "2024–2027" in d.message
    assert "this activity's years 2024–2025" in d.message
    # limited to 2022-2023 by its years, the same goal is fine
    assert _check(_proposal("[2022, 2025]", ("3", "[2022, 2023]"))) == []


def test_years_after_the_last_plan_are_checked_against_it_without_a_warning() -> None:
    # the plan for 2028-2031 is not adopted yet: nothing for the proposal to fix
    assert _check(_proposal("[2027, 2030]", ("1", None), ("2", "[2029]"))) == []
    # an unknown goal there is still an error
    codes = sorted(d.code for d in _check(_proposal("[2028, 2029]", ("5", None))))
    assert codes == ["unknown-goal"]


def test_the_annex_says_which_years_goals_were_checked_against_the_latest_plan(
    tmp_path: Path,
) -> None:
    path = tmp_path / "p.toml"
    path.write_text(_proposal("[2027, 2030]", ("1", None), ("2", "[2029]")), encoding="utf-8")
    est = estimate(path).estimate
    assert est is not None and est.warnings == ()
    assert caveats(est) == (
        "The strategic goals that the activities name for 2028–2030 were checked against"
        " the Strategic plan of the Union for 2024–2027, the latest adopted; they should be"
        " checked again against the strategic plan for those years once it is adopted.",
    )


def test_goal_titles_name_both_plans_when_a_code_changes_meaning_between_them() -> None:
    plans = shipped_plans()
    assert goal_titles([("1", [2025])], plans) == {"1": "Universal connectivity"}
    assert goal_titles([("1", [2023, 2024])], plans) == {
        "1": "Growth (2020–2023) / Universal connectivity (2024–2027)"
    }


def test_the_estimate_carries_the_titles_of_its_goals_and_totals_by_goal(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(_proposal("[2026, 2027]", ("1", None), ("2", "[2027]")), encoding="utf-8")
    outcome = estimate(path)
    assert outcome.estimate is not None, [d.render() for d in outcome.diagnostics]
    data = outcome.estimate.to_json()
    assert data["goal_titles"] == {
        "1": "Universal connectivity",
        "2": "Sustainable digital transformation",
    }
    # Geneva card, P-3 temporary assistance USD 48,600 / 3 × CHF 0.8220 = CHF 13,316.40 a
    # work-month (2024), escalated 0.45% a year: 2026 × 1.0045² = 13,436.52; 2027 × 1.0045³ =
    # 13,496.98. Goal 1: a month in 2026 and in 2027 = 26,933.50; goal 2: a month in 2027
    assert data["by_goal"] == {"1": "26933.50", "2": "13496.98"}


def test_a_broken_plan_file_is_refused_with_a_located_message(tmp_path: Path) -> None:
    path = tmp_path / "plan.toml"
    path.write_text(
        "format = 1\n[plan]\nid = 'x'\ntitle = 'X'\nperiod = [2028, 2031]\nsource = 'Res. 71'\n"
        "[[goal]]\ncode = '1'\ntitle = 'A'\n[[goal]]\ncode = '1'\ntitle = 'B'\ntitel = 'C'\n",
        encoding="utf-8",
    )
    plan, diags = load_plan(path)
    assert plan is None
    assert [(d.line, d.key, d.message) for d in diags] == [
        (13, "goal[1].titel", "unknown key 'titel'")
    ]
    path.write_text(path.read_text(encoding="utf-8").replace("titel = 'C'\n", ""), "utf-8")
    plan, diags = load_plan(path)
    assert plan is None
    assert [d.message for d in diags] == ["goal code '1' is defined twice"]
