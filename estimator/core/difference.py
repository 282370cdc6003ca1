"""The difference between estimates: what B (and C, ...) add, remove or change compared with A,
in cost, by year, object of expenditure, budget unit (Sector), source of funding and activity
(activities matched by id).

Facts only, as the estimate is: every amount is a sum of one estimate's own cent-rounded cost
lines (nothing is priced or rounded again), every change is the amount of one estimate minus
the amount of the first, and words are the renderers'. ``finimpact compare`` (scenarios a
delegation weighs) and the register (two versions of a proposal) both show this result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from cost_models.money import money
from cost_models.needs import ELEMENTS
from cost_models.parameters import BUDGET_UNITS, FUNDING
from estimator import __version__
from estimator.core.diagnostics import Diagnostic
from estimator.core.estimate import Estimate

FORMAT = "finimpact/difference/1"
ZERO = Decimal("0.00")

Status = Literal["added", "removed", "changed", "same", "absent"]
"""What an estimate does with a row compared with the first: it has the row and the first
does not (added), the first has it and it does not (removed), both have it at different amounts
(changed) or at the same (same), or neither has it (absent: only a third estimate has it)."""

Dimension = Literal["year", "element", "unit", "funding", "activity"]
DIMENSIONS: tuple[Dimension, ...] = ("year", "element", "unit", "funding", "activity")


@dataclass(frozen=True)
class Row:
    """One year, object of expenditure, budget unit, source of funding or activity, in each
    estimate: its amount, or None where that estimate does not have it."""

    key: str | int
    amounts: tuple[Decimal | None, ...]
    title: str = ""
    """An activity's title (in the last estimate that has it); empty for other rows."""

    def amount(self, i: int) -> Decimal:
        """The amount in estimate ``i``; nil where it does not have the row."""
        found = self.amounts[i]
        return ZERO if found is None else found

    def change(self, i: int) -> Decimal:
        """Estimate ``i`` minus the first."""
        return self.amount(i) - self.amount(0)

    @property
    def changes(self) -> tuple[Decimal, ...]:
        """Each later estimate minus the first, in order."""
        return tuple(self.change(i) for i in range(1, len(self.amounts)))

    def status(self, i: int) -> Status:
        base, other = self.amounts[0], self.amounts[i]
        if base is None:
            return "absent" if other is None else "added"
        if other is None:
            return "removed"
        return "same" if base == other else "changed"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.key}
        if self.title:
            out["title"] = self.title
        out["amounts"] = [None if a is None else money(a) for a in self.amounts]
        out["changes"] = [money(c) for c in self.changes]
        out["status"] = [self.status(i) for i in range(1, len(self.amounts))]
        return out


@dataclass(frozen=True)
class Difference:
    """Two or more estimates in one currency side by side; the first is the one the others are
    compared with. Each table holds every row any estimate has, in the annex's order."""

    names: tuple[str, ...]
    """How each estimate is named in the comparison (a reference, a file name, a version)."""
    estimates: tuple[Estimate, ...]
    total: Row
    by_year: tuple[Row, ...]
    by_element: tuple[Row, ...]
    """By object of expenditure (keys: the ids of cost_models.needs.ELEMENTS)."""
    by_unit: tuple[Row, ...]
    """By budget unit: the General Secretariat and the three Sectors."""
    by_funding: tuple[Row, ...]
    """By source of funding; its 'additional' row is the change in additional credits."""
    by_activity: tuple[Row, ...]
    """By activity, matched by id: the first estimate's in its order, then those the others add."""

    @property
    def currency(self) -> str:
        return self.estimates[0].currency

    @property
    def others(self) -> range:
        """The positions of the estimates compared with the first."""
        return range(1, len(self.estimates))

    def table(self, dimension: Dimension) -> tuple[Row, ...]:
        return {
            "year": self.by_year,
            "element": self.by_element,
            "unit": self.by_unit,
            "funding": self.by_funding,
            "activity": self.by_activity,
        }[dimension]

    def activities(self, i: int, status: Status) -> tuple[Row, ...]:
        """The activities estimate ``i`` added, removed, changed or kept as in the first."""
        return tuple(r for r in self.by_activity if r.status(i) == status)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "tool": {"name": "finimpact", "version": __version__},
            "currency": self.currency,
            "estimates": [
                _side_json(n, e) for n, e in zip(self.names, self.estimates, strict=True)
            ],
            "total": self.total.to_json(),
            **{f"by_{d}": [r.to_json() for r in self.table(d)] for d in DIMENSIONS},
        }


def _side_json(name: str, e: Estimate) -> dict[str, Any]:
    info, a = e.proposal.info, e.article34
    return {
        "name": name,
        "reference": info.reference,
        "title": info.title,
        "file": Path(e.proposal.file).name,
        "sha256": e.proposal.sha256,
        "rate_card": {"id": e.card.id, "sha256": e.card_sha256},
        "plan": a.plan.to_json() if a.plan is not None else None,
        "period": list(info.period),
        "total": money(e.total),
        "additional": money(a.additional),
        "verdict": a.verdict,
    }


CURRENCIES_DIFFER = "currencies-differ"


def difference(
    estimates: Sequence[Estimate], names: Sequence[str] | None = None
) -> tuple[Difference | None, list[Diagnostic]]:
    """The difference of ``estimates[1:]`` from ``estimates[0]``. ``names`` name them in the
    outputs [default: their references, else their file names when references repeat, else
    numbered]. Estimates in different currencies are not compared: (None, one problem per
    estimate whose currency is not the first's, code ``currencies-differ``)."""
    if len(estimates) < 2:
        raise ValueError("a difference needs two estimates or more")
    if names is not None and len(names) != len(estimates):
        raise ValueError("one name per estimate")
    first = estimates[0]
    problems = [
        Diagnostic(
            e.proposal.file,
            (),
            CURRENCIES_DIFFER,
            f"priced in {e.currency} with the rate card '{e.card.id}', but"
            f" {first.proposal.file} is priced in {first.currency} ('{first.card.id}'):"
            " estimates in different currencies are not compared",
            "price them with the same rate card (--rates)",
        )
        for e in estimates[1:]
        if e.currency != first.currency
    ]
    if problems:
        return None, problems
    sides = tuple(estimates)
    titles: dict[str, str] = {}
    activity_order: list[str] = []
    for e in sides:
        for a in e.proposal.activities:
            if a.id not in titles:
                activity_order.append(a.id)
            titles[a.id] = a.spec.title
    return (
        Difference(
            names=tuple(names) if names is not None else default_names(sides),
            estimates=sides,
            total=Row("total", tuple(e.total for e in sides)),
            by_year=_rows(sides, lambda e: e.by_year(), ()),
            by_element=_rows(sides, lambda e: e.by_element(), tuple(ELEMENTS)),
            by_unit=_rows(sides, lambda e: e.by_unit(), BUDGET_UNITS),
            by_funding=_rows(sides, lambda e: e.by_funding(), FUNDING),
            by_activity=_rows(
                sides,
                lambda e: (
                    dict.fromkeys((a.id for a in e.proposal.activities), ZERO) | e.by_activity()
                ),
                tuple(activity_order),
                titles,
            ),
        ),
        [],
    )


def _rows(
    sides: tuple[Estimate, ...],
    totals: Callable[[Estimate], dict[Any, Decimal]],
    order: Iterable[str | int],
    titles: dict[str, str] | None = None,
) -> tuple[Row, ...]:
    """One row per key any estimate has: the keys of ``order`` first, in that order, then the
    others sorted."""
    each = [totals(e) for e in sides]
    keys = set().union(*each)
    ordered = [k for k in order if k in keys]
    ordered += sorted(keys - set(ordered), key=lambda k: (str(type(k)), k))
    return tuple(
        Row(k, tuple(t.get(k) for t in each), (titles or {}).get(str(k), "")) for k in ordered
    )


def default_names(estimates: Sequence[Estimate]) -> tuple[str, ...]:
    """Each estimate's reference; their file names if references repeat (scenarios of one
    proposal); else each reference numbered by its place ('2. PP26/1')."""
    references = tuple(e.proposal.info.reference for e in estimates)
    if len(set(references)) == len(references):
        return references
    files = tuple(Path(e.proposal.file).name for e in estimates)
    if len(set(files)) == len(files):
        return files
    return tuple(f"{i}. {r}" for i, r in enumerate(references, start=1))
