"""The conference's running Article 34 position, as a frozen, typed value, and the pure
arithmetic that makes it. No database and no rendering: the register feeds it, the command
line prints it, the Budget Control Committee's report renders it.

Additional credits count in two stages: first those of the decisions taken (adopted, or
adopted as amended: the version the decision names), in the order the decisions were
recorded; then those of the proposals still pending (their current version), in the order
they were first recorded. Proposals merged into another text, withdrawn or not adopted count
for nothing themselves (a merged proposal's cost is in the text it was merged into, when that
text is costed in the register: ``Closed.into_recorded`` says whether it is).

Against a financial plan, each year and budget unit of its period has the headroom the plan
leaves for new decisions; the position says, per cell, the credits adopted, those pending, and
which version's credits first take the running total (adopted, then pending) beyond the
headroom. Years outside the plan's period are kept apart (``headroom`` None), never dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Literal

from cost_models.money import money
from cost_models.parameters import BUDGET_UNITS
from estimator.core.plan import FinancialPlan

FORMAT = "finimpact/position/1"
ZERO = Decimal("0.00")

Stage = Literal["adopted", "pending"]
DecisionKind = Literal["adopted", "amended", "merged", "withdrawn", "not-adopted"]
DECISIONS: tuple[DecisionKind, ...] = ("adopted", "amended", "merged", "withdrawn", "not-adopted")
"""adopted; adopted as amended (a named version); merged into another text; withdrawn; not
adopted."""


@dataclass(frozen=True)
class Credit:
    """Additional credits of one version in one year and budget unit."""

    year: int
    unit: str
    amount: Decimal


@dataclass(frozen=True)
class Contribution:
    """A proposal counted in the position: the version counted and its additional credits."""

    stage: Stage
    reference: str
    """The proposal (its reference without revision)."""
    version: str
    """The version counted: the one adopted, or the current one of a pending proposal."""
    title: str
    needs: tuple[Credit, ...]
    decision: DecisionKind | None = None
    decided_at: str | None = None
    crosses: tuple[tuple[int, str], ...] = ()
    """The (year, unit) cells whose headroom this contribution is the first to exceed."""

    @property
    def additional(self) -> Decimal:
        return sum((n.amount for n in self.needs), ZERO)


@dataclass(frozen=True)
class Closed:
    """A proposal that counts for nothing itself: merged, withdrawn or not adopted."""

    reference: str
    version: str
    title: str
    decision: DecisionKind
    decided_at: str
    into: str | None = None
    """The text a merged proposal was merged into."""
    into_recorded: bool = False
    """Whether that text is itself costed in the register (else its cost is in no figure)."""


@dataclass(frozen=True)
class PositionCell:
    """One year and budget unit: the credits adopted and pending, against the headroom."""

    year: int
    unit: str
    headroom: Decimal | None
    """What the plan leaves for new decisions; None outside its period or without a plan."""
    adopted: Decimal = ZERO
    pending: Decimal = ZERO
    first_exceeded_by: str | None = None
    """The version whose credits first take the running total beyond the headroom."""
    first_exceeded_stage: Stage | None = None

    @property
    def total(self) -> Decimal:
        return self.adopted + self.pending

    @property
    def remaining_after_adopted(self) -> Decimal | None:
        return None if self.headroom is None else self.headroom - self.adopted

    @property
    def remaining(self) -> Decimal | None:
        """The headroom left if every pending proposal were adopted too."""
        return None if self.headroom is None else self.headroom - self.total

    @property
    def label(self) -> str:
        return f"{self.year} {self.unit}"


@dataclass(frozen=True)
class PlanRef:
    """The financial plan the position is assessed against."""

    id: str
    title: str
    period: tuple[int, int]
    currency: str
    sha256: str
    example: bool


@dataclass(frozen=True)
class RunningPosition:
    """The register's running position: decisions taken, then proposals pending."""

    currency: str | None
    plan: PlanRef | None
    cells: tuple[PositionCell, ...]
    adopted: tuple[Contribution, ...]
    pending: tuple[Contribution, ...]
    closed: tuple[Closed, ...] = ()
    versions: int = 0
    """How many versions the register holds (every one recorded, counted or not)."""
    as_of: str | None = None
    """The latest recording or decision the position takes into account."""

    @property
    def adopted_total(self) -> Decimal:
        return sum((c.additional for c in self.adopted), ZERO)

    @property
    def pending_total(self) -> Decimal:
        return sum((c.additional for c in self.pending), ZERO)

    @property
    def exceeded(self) -> tuple[PositionCell, ...]:
        """The cells whose headroom the running total exceeds, adopted and pending together."""
        return tuple(c for c in self.cells if c.first_exceeded_by is not None)

    def by_year(self, stage: Stage) -> dict[int, Decimal]:
        out: dict[int, Decimal] = {}
        for c in self.cells:
            out[c.year] = out.get(c.year, ZERO) + (c.adopted if stage == "adopted" else c.pending)
        return out

    def to_json(self) -> dict[str, Any]:
        def contribution(c: Contribution) -> dict[str, Any]:
            return {
                "stage": c.stage,
                "reference": c.reference,
                "version": c.version,
                "title": c.title,
                "decision": c.decision,
                "decided_at": c.decided_at,
                "additional": money(c.additional),
                "needs": [
                    {"year": n.year, "unit": n.unit, "additional": money(n.amount)} for n in c.needs
                ],
                "first_exceeds": [f"{y} {u}" for y, u in c.crosses],
            }

        def cell(c: PositionCell) -> dict[str, Any]:
            optional = (c.headroom, c.remaining_after_adopted, c.remaining)
            headroom, after_adopted, remaining = (None if v is None else money(v) for v in optional)
            return {
                "year": c.year,
                "unit": c.unit,
                "headroom": headroom,
                "adopted": money(c.adopted),
                "pending": money(c.pending),
                "total": money(c.total),
                "remaining_after_adopted": after_adopted,
                "remaining": remaining,
                "first_exceeded_by": c.first_exceeded_by,
                "first_exceeded_stage": c.first_exceeded_stage,
            }

        plan = self.plan
        return {
            "format": FORMAT,
            "currency": self.currency,
            "plan": None
            if plan is None
            else {
                "id": plan.id,
                "title": plan.title,
                "period": list(plan.period),
                "currency": plan.currency,
                "sha256": plan.sha256,
                "example": plan.example,
            },
            "versions": self.versions,
            "as_of": self.as_of,
            "adopted_total": money(self.adopted_total),
            "pending_total": money(self.pending_total),
            "cells": [cell(c) for c in self.cells],
            "adopted": [contribution(c) for c in self.adopted],
            "pending": [contribution(c) for c in self.pending],
            "closed": [
                {
                    "reference": c.reference,
                    "version": c.version,
                    "title": c.title,
                    "decision": c.decision,
                    "decided_at": c.decided_at,
                    "into": c.into,
                    "into_recorded": c.into_recorded,
                }
                for c in self.closed
            ],
        }


@dataclass
class _Running:
    headroom: Decimal | None
    adopted: Decimal = ZERO
    pending: Decimal = ZERO
    first: str | None = None
    stage: Stage | None = None
    crossers: list[int] = field(default_factory=list)


def _unit_order(unit: str) -> int:
    return BUDGET_UNITS.index(unit) if unit in BUDGET_UNITS else len(BUDGET_UNITS)


def compute(
    adopted: Sequence[Contribution],
    pending: Sequence[Contribution],
    plan: FinancialPlan | None,
    *,
    currency: str | None,
    closed: Iterable[Closed] = (),
    versions: int = 0,
    as_of: str | None = None,
) -> RunningPosition:
    """The position of the contributions given in order (adopted, then pending), against the
    plan (None: the credits are summed, not assessed)."""
    cells: dict[tuple[int, str], _Running] = {}
    if plan is not None:
        for year in plan.info.years:
            for unit in BUDGET_UNITS:
                cells[(year, unit)] = _Running(plan.available(year, unit))
    ordered = [*adopted, *pending]
    for index, c in enumerate(ordered):
        for n in c.needs:
            key = (n.year, n.unit)
            run = cells.get(key)
            if run is None:
                covered = plan is not None and plan.covers(n.year)
                run = cells[key] = _Running(plan.available(*key) if plan and covered else None)
            if c.stage == "adopted":
                run.adopted += n.amount
            else:
                run.pending += n.amount
            if (
                run.first is None
                and run.headroom is not None
                and run.adopted + run.pending > run.headroom
            ):
                run.first, run.stage = c.version, c.stage
                run.crossers.append(index)
    crosses: dict[int, list[tuple[int, str]]] = {}
    for key, run in cells.items():
        for index in run.crossers:
            crosses.setdefault(index, []).append(key)
    marked = [
        replace(c, crosses=tuple(sorted(crosses[i], key=lambda k: (k[0], _unit_order(k[1])))))
        if i in crosses
        else c
        for i, c in enumerate(ordered)
    ]
    out_cells = tuple(
        PositionCell(y, u, r.headroom, r.adopted, r.pending, r.first, r.stage)
        for (y, u), r in sorted(cells.items(), key=lambda kv: (kv[0][0], _unit_order(kv[0][1])))
    )
    ref = None
    if plan is not None:
        info = plan.info
        ref = PlanRef(info.id, info.title, info.period, info.currency, plan.sha256, info.example)
    return RunningPosition(
        currency=currency,
        plan=ref,
        cells=out_cells,
        adopted=tuple(marked[: len(adopted)]),
        pending=tuple(marked[len(adopted) :]),
        closed=tuple(closed),
        versions=versions,
        as_of=as_of,
    )
