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
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool, StrictStr, field_validator, model_validator

import cost_models
from cost_models.parameters import (
    BUDGET_UNITS,
    BudgetUnit,
    Number,
    Strict,
    Text,
    Year,
    as_toml_number,
)
from estimator.core.diagnostics import Diagnostic, KeyPath, TextPosition, format_path
from estimator.core.load import Source, read_toml
from estimator.core.ratecard import RateCard
from estimator.core.validation import show_value, validate_model

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


class PlanFile(Strict):
    """The plan's own keys; its headroom is read apart, in either of its two forms."""

    format: Literal[1] = 1
    plan: PlanInfo
    headroom: Any = None


class HeadroomTable(Strict):
    """The compact form: one row of figures per year, one column per budget unit, under one
    source and basis (``[headroom]`` with ``units = [...]`` and ``2028 = [...]``)."""

    units: Annotated[tuple[BudgetUnit, ...], Field(min_length=1, max_length=len(BUDGET_UNITS))]
    source: Text
    basis: Basis
    derivation: Text | None = None
    assumption: Text | None = None
    note: Text | None = None

    @field_validator("units")
    @classmethod
    def _units_once(cls, units: tuple[str, ...]) -> tuple[str, ...]:
        twice = sorted({u for u in units if units.count(u) > 1})
        if twice:
            raise ValueError(f"{', '.join(twice)} is named twice: name each budget unit once")
        return units


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


def parse_plan(doc: Source) -> tuple[FinancialPlan | None, list[Diagnostic]]:
    """A plan, or every problem of the file at once: its [plan] and each headroom figure are
    checked apart, so that one mistake does not hide the others."""
    model, diags = validate_model(PlanFile, doc.data, doc, ())
    raw = doc.data.get("headroom")
    if isinstance(raw, dict):
        figures, found, complete = _table(doc, raw)
    elif isinstance(raw, list):
        figures, found, complete = _blocks(doc, raw)
    else:
        figures, complete = [], False
        found = [
            Diagnostic(
                doc.file,
                ("headroom",),
                "no-headroom",
                "a plan needs its headroom: the credits left for new decisions, per year and"
                " budget unit",
                'add a [headroom] table: units = ["GS", "ITU-R", "ITU-T", "ITU-D"], source,'
                " basis, and one row per year such as 2028 = [100000, 100000, 100000, 100000]",
                at=None if raw is not None else (),
                locator=doc.locator,
            )
        ]
    diags += found
    if model is None:
        return None, diags
    headroom: dict[tuple[int, str], Headroom] = {}
    first: dict[tuple[int, str], KeyPath] = {}
    period = model.plan.period
    for path, h in figures:
        key = (h.year, h.unit)
        if key in headroom:
            diags.append(
                doc.diag(
                    path,
                    "duplicate-headroom",
                    f"{h.unit} in {h.year} already has a headroom ({_written(doc, first[key])})",
                    "keep one figure per year and budget unit",
                )
            )
            continue
        if not period[0] <= h.year <= period[1]:
            diags.append(
                doc.diag(
                    path,
                    "year-outside-period",
                    f"year {h.year} is outside the plan's period {period[0]}–{period[1]}",
                    "widen plan.period or remove the figure",
                )
            )
            continue
        headroom[key] = h
        first[key] = path[:2]
    if complete:
        for year in model.plan.years:
            missing = [u for u in BUDGET_UNITS if (year, u) not in headroom]
            if missing:
                diags.append(
                    doc.diag(
                        ("plan", "period") if isinstance(raw, list) else ("headroom",),
                        "missing-headroom",
                        f"no headroom for {join_units(missing)} in {year}",
                        _missing_hint(raw, year, missing),
                    )
                )
    if diags:
        return None, diags
    at = doc.locator.locate(("plan", "currency"))
    return FinancialPlan(model.plan, headroom, doc.file, doc.sha256, at), []


def _written(doc: Source, path: KeyPath) -> str:
    """Where a figure is written: its line, or its key path when the plan has no text."""
    line, _ = doc.locator.locate(path)
    return f"at line {line}" if line else format_path(path)


def join_units(units: list[str]) -> str:
    return units[0] if len(units) == 1 else f"{', '.join(units[:-1])} and {units[-1]}"


def _missing_hint(raw: object, year: int, missing: list[str]) -> str:
    if isinstance(raw, dict):
        return f"add a row {year} = [...] with a figure for each unit (0 if nothing is left)"
    return (
        f'add a [[headroom]] with year = {year}, unit = "{missing[0]}"'
        " (amount = 0 if nothing is left)"
    )


Figure = tuple[KeyPath, Headroom]


def _blocks(doc: Source, raw: list[Any]) -> tuple[list[Figure], list[Diagnostic], bool]:
    """The long form: one [[headroom]] block per year and budget unit."""
    figures: list[Figure] = []
    diags: list[Diagnostic] = []
    for i, item in enumerate(raw):
        h, found = validate_model(Headroom, item, doc, ("headroom", i))
        diags += found
        if h is not None:
            figures.append((("headroom", i, "unit"), h))
    return figures, diags, not diags


_YEAR_KEY = re.compile(r"[0-9]{4}")  # ASCII: int() reads other scripts' digits too


def _table(doc: Source, raw: dict[str, Any]) -> tuple[list[Figure], list[Diagnostic], bool]:
    """The compact form: [headroom] with units, source, basis and a row per year."""
    rows = {k: v for k, v in raw.items() if _YEAR_KEY.fullmatch(k)}
    common = {k: v for k, v in raw.items() if k not in rows}
    table, diags = validate_model(HeadroomTable, common, doc, ("headroom",))
    if not rows:
        diags.append(
            doc.diag(
                ("headroom",),
                "no-headroom",
                "the table has no row of figures",
                "add one row per year of the plan's period, such as"
                " 2028 = [100000, 100000, 100000, 100000], one figure per unit",
            )
        )
    figures: list[Figure] = []
    for key, row in rows.items():
        year = int(key)
        path: KeyPath = ("headroom", key)
        if not isinstance(row, list):
            diags.append(
                doc.diag(
                    path,
                    "row-type",
                    f"must be a list of figures in square brackets, not {show_value(row)}",
                    f"write {key} = [figure for each unit, in the order of units]",
                )
            )
            continue
        problems = [(j, _figure_problem(amount)) for j, amount in enumerate(row)]
        bad = [(j, p) for j, p in problems if p is not None]
        diags += [doc.diag((*path, j), "headroom-figure", p[0], p[1]) for j, p in bad]
        if table is None or bad:
            continue
        if len(row) != len(table.units):
            diags.append(
                doc.diag(
                    path,
                    "row-length",
                    f"the row for {year} has {len(row)} figure{'s' if len(row) != 1 else ''}"
                    f" but units names {len(table.units)} ({', '.join(table.units)})",
                    "give one figure per unit, in the order of units (0 if nothing is left)",
                )
            )
            continue
        fields = table.model_dump(exclude={"units"}, exclude_none=True)
        for unit, amount in zip(table.units, row, strict=True):
            h, found = validate_model(
                Headroom, fields | {"year": year, "unit": unit, "amount": amount}, doc, path
            )
            if h is None:
                diags += [doc.diag(path, d.code, f"{key}: {d.message}", d.hint) for d in found[:1]]
                break
            figures.append((path, h))
    return figures, diags, not diags


def _figure_problem(amount: object) -> tuple[str, str] | None:
    """Why a figure of a headroom row is not an amount, with what to do, or None."""
    if isinstance(amount, bool) or not isinstance(amount, int | Decimal):
        plain = as_toml_number(amount) if isinstance(amount, str) else None
        if plain is not None:
            return (
                f"must be a number, not the text {amount!r}",
                f"write {plain} without quotes or separators (205_925 is allowed)",
            )
        return f"must be a number, not {show_value(amount)}", "write the amount, such as 205925"
    if amount < 0:
        return f"must be at least 0, not {show_value(amount)}", "write 0 if nothing is left"
    return None


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


NO_PLAN = "none"
"""--plan none: assess against no plan (the default)."""


def resolve_plan(
    plan_path: Path | None, card: RateCard
) -> tuple[FinancialPlan | None, list[Diagnostic]]:
    """The plan named with --plan: a TOML file, or the name of a shipped plan (example-itu).

    No plan is applied unless one is named: without --plan, or with ``--plan none``, there is
    no plan (None, no diagnostic) and the assessment says that the additional credits were not
    assessed against a financial plan. A plan in another currency than the card's is an error.
    """
    if plan_path is None or str(plan_path) == NO_PLAN:
        return None, []
    shipped = shipped_plans().get(str(plan_path))
    if shipped is not None and not plan_path.exists():
        stat = shipped.stat()
        display = f"cost_models/plans/{shipped.name}"
        plan, found = _shipped(shipped, display, stat.st_mtime_ns, stat.st_size)
        diags = list(found)
    else:
        plan, diags = load_plan(plan_path)
    if plan is not None and plan.currency != card.currency:
        return None, [plan_currency_mismatch(plan, card)]
    return plan, diags


@functools.lru_cache(maxsize=8)
def _shipped(
    path: Path, display: str, mtime_ns: int, size: int
) -> tuple[FinancialPlan | None, tuple[Diagnostic, ...]]:
    """A shipped plan, read once per file version."""
    plan, diags = load_plan(path, display)
    return plan, tuple(diags)


def plan_currency_mismatch(plan: FinancialPlan, card: RateCard) -> Diagnostic:
    """A plan and a rate card in two currencies, located at the plan's currency."""
    return Diagnostic(
        plan.file,
        ("plan", "currency"),
        "plan-currency",
        f"the financial plan '{plan.id}' ({plan.file}) is in {plan.currency} but the rate card"
        f" '{card.id}' ({card.file}) is in {card.currency}: the Article 34 assessment needs one"
        " currency",
        f"use a rate card in {plan.currency} (--rates, or the proposal's rate_card) or a plan"
        f" in {card.currency} (--plan)",
        locator=TextPosition(*plan.currency_at),
    )
