"""Strategic plans: the goals an activity's ``goal`` may name, by plan period.

Each plan is a TOML file in ``cost_models/strategic/`` (its period, its source, its goals). A
goal is checked against the plan in force for each year of its activity; a year after the last
plan is checked against the latest plan (and one before the first against the earliest), with a
warning saying so, because the next plan is not adopted yet.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, StrictStr, model_validator

import cost_models
from cost_models.parameters import Strict, Text, Year
from estimator.core.diagnostics import Diagnostic, did_you_mean
from estimator.core.load import Source, read_toml
from estimator.core.model import Proposal
from estimator.core.validation import validate_model

STRATEGIC = cost_models.HERE / "strategic"


class Goal(Strict):
    code: Annotated[StrictStr, Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z.]*$", max_length=20)]
    title: Text
    text: Text | None = None


class StrategicPlanInfo(Strict):
    id: Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    title: Text
    period: tuple[Year, Year]
    source: Text

    @model_validator(mode="after")
    def _period(self) -> StrategicPlanInfo:
        if self.period[0] > self.period[1]:
            raise ValueError(f"period runs backwards: {self.period[0]} is after {self.period[1]}")
        return self


class StrategicPlanFile(Strict):
    format: Literal[1] = 1
    plan: StrategicPlanInfo
    goal: Annotated[tuple[Goal, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique_codes(self) -> StrategicPlanFile:
        codes = [g.code for g in self.goal]
        for code in codes:
            if codes.count(code) > 1:
                raise ValueError(f"goal code '{code}' is defined twice")
        return self


@dataclass(frozen=True)
class StrategicPlan:
    info: StrategicPlanInfo
    goals: dict[str, Goal]
    file: str

    @property
    def id(self) -> str:
        return self.info.id

    @property
    def first(self) -> int:
        return self.info.period[0]

    @property
    def last(self) -> int:
        return self.info.period[1]

    @property
    def years(self) -> str:
        """Its period as a range: '2024–2027' (an en dash, as every document writes one)."""
        return _span(range(self.first, self.last + 1))

    def covers(self, year: int) -> bool:
        return self.first <= year <= self.last

    def listing(self) -> str:
        """The goals as a person reads them: '1 (Universal connectivity), 2 (...)'."""
        return ", ".join(f"{g.code} ({g.title})" for g in self.goals.values())


def load_plan(
    path: Path, display: str | None = None
) -> tuple[StrategicPlan | None, list[Diagnostic]]:
    doc, diags = read_toml(path, display)
    if doc is None:
        return None, diags
    return parse_plan(doc)


def parse_plan(doc: Source) -> tuple[StrategicPlan | None, list[Diagnostic]]:
    """A strategic plan from a source, or the diagnostics saying why not."""
    model, diags = validate_model(StrategicPlanFile, doc.data, doc, ())
    if model is None:
        return None, diags
    return StrategicPlan(model.plan, {g.code: g for g in model.goal}, doc.file), []


@functools.cache
def shipped_plans() -> tuple[StrategicPlan, ...]:
    """The plans shipped with the tool, oldest first. A broken shipped plan is a bug: it raises."""
    plans = []
    for path in sorted(STRATEGIC.glob("*.toml")):
        plan, diags = load_plan(path, f"cost_models/strategic/{path.name}")
        if plan is None:
            raise RuntimeError("; ".join(d.render() for d in diags))
        plans.append(plan)
    plans.sort(key=lambda p: p.first)
    return tuple(plans)


def plan_for(year: int, plans: Sequence[StrategicPlan]) -> tuple[StrategicPlan, bool]:
    """The plan in force in the year, and True; else the nearest plan (the latest for a later
    year, the earliest for an earlier one) and False."""
    for plan in plans:
        if plan.covers(year):
            return plan, True
    if year > plans[-1].last:
        return plans[-1], False
    return plans[0], False


def _span(years: Sequence[int]) -> str:
    low, high = min(years), max(years)
    if list(years) == list(range(low, high + 1)):
        return str(low) if low == high else f"{low}–{high}"
    return ", ".join(str(y) for y in years)


def _hint(code: str, plan: StrategicPlan) -> str:
    for goal in plan.goals.values():
        if code.strip().lower() in (goal.title.lower(), f"goal {goal.code}".lower()):
            return f'write the goal\'s code: goal = "{goal.code}" ({goal.title})'
    close = did_you_mean(code, plan.goals)
    if close.startswith("did you mean"):
        return f"{close} goals of the plan {plan.years}: {plan.listing()}"
    return f"goals of the plan {plan.years}: {plan.listing()}"


def goal_diagnostics(
    doc: Source,
    raw_activities: Sequence[Any],
    period: tuple[int, int] | None,
    plans: Sequence[StrategicPlan] | None = None,
) -> list[Diagnostic]:
    """Check each activity's goal against the plan in force for each of its years.

    An unknown goal is an error at the activity's ``goal``. Years no plan covers are checked
    against the nearest plan: not a problem of the proposal (the plan for those years is not
    adopted yet), so not a diagnostic; the documents say it (``goals_past_plans``).
    """
    plans = shipped_plans() if plans is None else plans
    if period is None or not plans:
        return []
    out: list[Diagnostic] = []
    for index, raw in enumerate(raw_activities):
        if not isinstance(raw, dict) or not isinstance(raw.get("goal"), str):
            continue
        code: str = raw["goal"]
        years = _years(raw.get("years"), period)
        by_plan: dict[str, tuple[StrategicPlan, list[int]]] = {}
        for year in years:
            plan, _ = plan_for(year, plans)
            by_plan.setdefault(plan.id, (plan, []))[1].append(year)
        for plan, plan_years in by_plan.values():
            if code in plan.goals:
                continue
            out.append(
                doc.diag(
                    ("activity", index, "goal"),
                    "unknown-goal",
                    f"goal '{code}' is not a goal of the {plan.info.title} ({plan.info.source}),"
                    f" which this activity's years {_span(plan_years)} are checked against",
                    _hint(code, plan),
                )
            )
    return out


def _years(raw_years: Any, period: tuple[int, int]) -> list[int]:
    if isinstance(raw_years, list):
        years = [
            y
            for y in raw_years
            if isinstance(y, int) and not isinstance(y, bool) and period[0] <= y <= period[1]
        ]
        if years:
            return sorted(set(years))
    return list(range(period[0], period[1] + 1))


def goal_titles(
    goals: Sequence[tuple[str, Sequence[int]]], plans: Sequence[StrategicPlan] | None = None
) -> dict[str, str]:
    """Goal code → title, for (code, years) pairs; a code whose title differs between the plans
    its years fall in gets both, each with its plan's years: 'Growth (2020–2023) / Universal
    ...'."""
    plans = shipped_plans() if plans is None else plans
    found: dict[str, dict[str, str]] = {}
    for code, years in goals:
        for year in years:
            plan, _ = plan_for(year, plans)
            goal = plan.goals.get(code)
            if goal is not None:
                found.setdefault(code, {})[plan.years] = goal.title
    out: dict[str, str] = {}
    for code in sorted(found):
        titles = found[code]
        if len(set(titles.values())) == 1:
            out[code] = next(iter(titles.values()))
        else:
            out[code] = " / ".join(f"{t} ({years})" for years, t in sorted(titles.items()))
    return out


def proposal_goal_titles(
    proposal: Proposal, plans: Sequence[StrategicPlan] | None = None
) -> dict[str, str]:
    """Goal code → title for the goals the proposal's activities name, in their years."""
    return goal_titles(
        [(a.spec.goal, proposal.years_of(a)) for a in proposal.activities if a.spec.goal], plans
    )


def goals_past_plans(
    proposal: Proposal, plans: Sequence[StrategicPlan] | None = None
) -> dict[str, list[int]]:
    """The years in which activities name goals that no adopted plan covers, by the title of
    the plan they were checked against instead (the nearest one)."""
    plans = shipped_plans() if plans is None else plans
    out: dict[str, set[int]] = {}
    for a in proposal.activities:
        if not a.spec.goal or not plans:
            continue
        for year in proposal.years_of(a):
            plan, exact = plan_for(year, plans)
            if not exact:
                out.setdefault(plan.info.title, set()).add(year)
    return {title: sorted(years) for title, years in out.items()}
