"""Financial plans: the credits left for new decisions, per year and budget unit, with sources.

A plan is a TOML file (see cost_models/plans/ and docs/article-34.md), read like a rate card:
an id, a title, a period, a currency and, for every year of the period and every budget unit,
the headroom: the credits the Council may still authorize for new decisions. Each figure cites
its source and basis. A plan marked ``example = true`` is an illustration to replace: every
output that uses it says so.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictStr, field_validator, model_validator

import cost_models
from cost_models.parameters import BUDGET_UNITS, BudgetUnit, Number, Strict, Text, Year
from estimator.core.diagnostics import Diagnostic
from estimator.core.load import TomlDocument, read_toml
from estimator.core.ratecard import RateCard
from estimator.core.validation import validate_model

PLANS = cost_models.HERE / "plans"
"""The financial plans shipped with the tool."""

Basis = Literal["published", "derived", "assumed"]


class Headroom(Strict):
    """The credits left for new decisions in one year and one budget unit."""

    year: Year
    unit: BudgetUnit
    amount: Annotated[Number, Field(ge=0)]
    source: Text
    basis: Basis
    derivation: Text | None = None
    assumption: Text | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _explained(self) -> Headroom:
        if self.basis == "derived" and not self.derivation:
            raise ValueError("a derived figure needs a derivation: the arithmetic from the source")
        if self.basis == "assumed" and not self.assumption:
            raise ValueError("an assumed figure needs an assumption: say what it rests on")
        return self


class PlanInfo(Strict):
    id: Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=80)]
    title: Text
    period: tuple[Year, Year]
    currency: Annotated[StrictStr, Field(pattern=r"^[A-Z]{3}$")]
    example: StrictBool = False
    """True for an illustration whose figures are not an organization's plan."""
    organization: Text | None = None
    adopted: dt.date | None = None
    notes: Text | None = None

    @field_validator("period")
    @classmethod
    def _period(cls, period: tuple[int, int]) -> tuple[int, int]:
        if period[0] > period[1]:
            raise ValueError(f"period runs backwards: {period[0]} is after {period[1]}")
        return period

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(range(self.period[0], self.period[1] + 1))

    @property
    def label(self) -> str:
        """The plan as outputs name it: its title, and a warning when it is an example."""
        if self.example and "example" not in self.title.lower():
            return f"{self.title} [example plan: its figures are illustrative; replace it]"
        return self.title


class PlanFile(Strict):
    format: Literal[1] = 1
    plan: PlanInfo
    headroom: Annotated[tuple[Headroom, ...], Field(min_length=1)]


@dataclass(frozen=True)
class FinancialPlan:
    info: PlanInfo
    headroom: dict[tuple[int, str], Headroom]
    """(year, budget unit) → headroom, for every year of the period and every unit."""
    file: str
    sha256: str
    currency_at: tuple[int, int] = (1, 1)
    """Line and column of plan.currency in the file, to locate a currency mismatch."""

    @property
    def id(self) -> str:
        return self.info.id

    @property
    def currency(self) -> str:
        return self.info.currency

    def covers(self, year: int) -> bool:
        return self.info.period[0] <= year <= self.info.period[1]

    def available(self, year: int, unit: str) -> Decimal:
        return self.headroom[(year, unit)].amount

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.info.id,
            "title": self.info.title,
            "period": list(self.info.period),
            "currency": self.info.currency,
            "example": self.info.example,
            "sha256": self.sha256,
        }


def parse_plan(doc: TomlDocument) -> tuple[FinancialPlan | None, list[Diagnostic]]:
    model, diags = validate_model(PlanFile, doc.data, doc, ())
    if model is None:
        return None, diags
    found: dict[tuple[int, str], Headroom] = {}
    first: dict[tuple[int, str], int] = {}
    period = model.plan.period
    for i, h in enumerate(model.headroom):
        key = (h.year, h.unit)
        if key in found:
            diags.append(
                doc.diag(
                    ("headroom", i, "unit"),
                    "duplicate-headroom",
                    f"{h.unit} in {h.year} already has a headroom in headroom[{first[key]}]",
                    "keep one figure per year and budget unit",
                )
            )
            continue
        if not period[0] <= h.year <= period[1]:
            diags.append(
                doc.diag(
                    ("headroom", i, "year"),
                    "year-outside-period",
                    f"year {h.year} is outside the plan's period {period[0]}-{period[1]}",
                    "widen plan.period or remove the figure",
                )
            )
            continue
        found[key] = h
        first[key] = i
    for year in model.plan.years:
        for unit in BUDGET_UNITS:
            if (year, unit) not in found:
                diags.append(
                    doc.diag(
                        ("plan", "period"),
                        "missing-headroom",
                        f"no headroom for {unit} in {year}",
                        f'add a [[headroom]] with year = {year}, unit = "{unit}"'
                        " (amount = 0 if nothing is left)",
                    )
                )
    if diags:
        return None, diags
    at = doc.locator.locate(("plan", "currency"))
    return FinancialPlan(model.plan, found, doc.file, doc.sha256, at), []


def load_plan(
    path: Path, display: str | None = None
) -> tuple[FinancialPlan | None, list[Diagnostic]]:
    doc, diags = read_toml(path, display)
    if doc is None:
        return None, diags
    return parse_plan(doc)


def shipped_plans() -> dict[str, Path]:
    """The plans shipped with the tool, by file name without .toml."""
    return {p.stem: p for p in sorted(PLANS.glob("*.toml"))}


def resolve_plan(
    plan_path: Path | None, card: RateCard
) -> tuple[FinancialPlan | None, list[Diagnostic]]:
    """The plan to assess against: --plan, else the shipped plan in the card's currency.

    A plan given with --plan in another currency than the card's is an error. When no plan is
    given and none is shipped in the card's currency, there is no plan (None, no diagnostic):
    the assessment then says that additional credits were not compared with a plan.
    """
    if plan_path is not None:
        plan, diags = load_plan(plan_path)
        if plan is not None and plan.currency != card.currency:
            return None, [plan_currency_mismatch(plan, card)]
        return plan, diags
    for name, path in shipped_plans().items():
        stat = path.stat()
        plan = _shipped(path, f"cost_models/plans/{name}.toml", stat.st_mtime_ns, stat.st_size)
        if plan is not None and plan.currency == card.currency:
            return plan, []
    return None, []


@functools.lru_cache(maxsize=8)
def _shipped(path: Path, display: str, mtime_ns: int, size: int) -> FinancialPlan | None:
    """A shipped plan, read once per file version (a batch assesses thousands of proposals)."""
    return load_plan(path, display)[0]


def plan_currency_mismatch(plan: FinancialPlan, card: RateCard) -> Diagnostic:
    """A plan and a rate card in two currencies, located at the plan's currency."""
    return Diagnostic(
        plan.file,
        *plan.currency_at,
        ("plan", "currency"),
        "plan-currency",
        f"the financial plan '{plan.id}' ({plan.file}) is in {plan.currency} but the rate card"
        f" '{card.id}' ({card.file}) is in {card.currency}: the Article 34 assessment needs one"
        " currency",
        f"use a rate card in {plan.currency} (--rates, or the proposal's rate_card) or a plan"
        f" in {card.currency} (--plan)",
    )
