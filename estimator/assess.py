"""Assess: the Article 34 position of an estimate against a financial plan.

Article 34 of the ITU Convention (Nos. 488 and 489) asks, before a conference adopts a
proposal, whether it raises expenses beyond the credits the Council may authorize. The verdict:

- ``none``: the proposal costs nothing;
- ``absorbed``: every cost is met within existing budgetary provisions;
- ``extrabudgetary``: no additional credits, and the costs not absorbed are met from voluntary
  contributions (so existing + extrabudgetary, with nothing additional, is ``extrabudgetary``:
  part of the work depends on contributions being received, which the committee must know);
- ``within``: additional credits are needed and, taken alone, stay within the plan's headroom
  in every year and budget unit of its period;
- ``exceeds``: additional credits go beyond the headroom in at least one year and unit;
- ``additional``: additional credits are needed but could not be compared with a plan (no plan
  in the estimate's currency, or every additional cost falls outside the plan's period).

Additional costs in years outside the plan's period are reported as such in the statement and
the details, never dropped. No. 489 covers direct and indirect increases: every year counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from estimator.estimate import Assessment, CostLine, total, total_by
from estimator.money import money
from estimator.plan import FinancialPlan

NO_489 = {
    "number": 489,
    "text": (
        "Il n'est donné suite à aucune décision d'une conférence ayant pour conséquence une "
        "augmentation directe ou indirecte des dépenses au-delà des crédits que le Conseil est "
        "habilité à autoriser."
    ),
    "language": "fr",
    "source": "ITU Convention, Art. 34, No. 489, authentic French text "
    "(Swiss Classified Compilation SR 0.784.02)",
    "english": (
        "No decision of a conference shall be put into effect if it would result in a direct "
        "or indirect increase in expenses beyond the credits that the Council is empowered to "
        "authorize."
    ),
    "english_note": "English as usually printed in the ITU Collection of Basic Texts; not "
    "verified against the official English text: check it before quoting it verbatim.",
}
"""No. 489, quoted in the authentic French text (verified), with the usual English rendering."""

YearUnit = tuple[int, str]


def additional_by_year_unit(lines: Iterable[CostLine]) -> dict[YearUnit, Decimal]:
    """The additional credits a proposal needs, per (year, budget unit), in sorted order."""
    return total_by(
        (line for line in lines if line.funding == "additional"),
        lambda line: (line.year, line.unit),
    )


def amount_text(currency: str, value: Decimal) -> str:
    """An amount as a sentence shows it: 'CHF 1,234.50'."""
    return f"{currency} {Decimal(money(value)):,.2f}"


def assess(lines: list[CostLine], currency: str, plan: FinancialPlan | None = None) -> Assessment:
    by_funding = total_by(lines, lambda line: line.funding)
    additional = by_funding.get("additional", Decimal("0.00"))
    existing = by_funding.get("existing", Decimal("0.00"))
    voluntary = by_funding.get("extrabudgetary", Decimal("0.00"))
    details: dict[str, Any] = {
        "currency": currency,
        "total": money(total(lines)),
        "additional": money(additional),
        "existing": money(existing),
        "extrabudgetary": money(voluntary),
        "plan": plan.to_json() if plan is not None else None,
    }

    def say(value: Decimal) -> str:
        return amount_text(currency, value)

    if not lines or total(lines) == 0:
        return Assessment(
            "none",
            "The proposal has no financial implications: it requires no credits.",
            details,
        )
    if additional == 0:
        if voluntary == 0:
            return Assessment(
                "absorbed",
                f"The costs of the proposal, {say(existing)}, would be met within existing "
                "budgetary provisions; no additional credits are required.",
                details,
            )
        also = f", and {say(existing)} within existing budgetary provisions" if existing > 0 else ""
        return Assessment(
            "extrabudgetary",
            f"No additional credits are required: {say(voluntary)} would be met from voluntary "
            f"contributions{also}; the activities so funded can be carried out only to the extent "
            "that such contributions are received.",
            details,
        )

    needed = additional_by_year_unit(lines)
    years = sorted({y for y, _ in needed})
    span = f"{years[0]}" if len(years) == 1 else f"{years[0]}-{years[-1]}"
    opening = (
        f"Should the conference adopt the proposal, additional credits of {say(additional)} "
        f"would be required over {span}"
    )
    others = _others(existing, voluntary, say)

    if plan is None:
        details |= {"against_plan": [], "exceeded": [], "outside_plan": []}
        return Assessment(
            "additional",
            f"{opening}; they have not been compared with a financial plan, since none in "
            f"{currency} was given.{others}",
            details,
        )

    against: list[dict[str, str | int]] = []
    exceeded: list[dict[str, str | int]] = []
    outside: list[dict[str, str | int]] = []
    for (year, unit), amount in needed.items():
        if not plan.covers(year):
            outside.append({"year": year, "unit": unit, "additional": money(amount)})
            continue
        available = plan.available(year, unit)
        cell: dict[str, str | int] = {
            "year": year,
            "unit": unit,
            "additional": money(amount),
            "headroom": money(available),
            "remaining": money(available - amount),
        }
        against.append(cell)
        if amount > available:
            exceeded.append({**cell, "excess": money(amount - available)})
    details |= {"against_plan": against, "exceeded": exceeded, "outside_plan": outside}

    plan_name = (
        f"the financial plan {plan.info.period[0]}-{plan.info.period[1]} ({plan.info.label})"
    )
    beyond = _outside(outside, plan, say)
    if not against:
        return Assessment(
            "additional",
            f"{opening}; none of them falls within the period of {plan_name}, so they could "
            f"not be compared with its headroom.{beyond}{others}",
            details,
        )
    if not exceeded:
        return Assessment(
            "within",
            f"{opening}; taken alone, they stay within the credits available for new decisions "
            f"in every year and budget unit of {plan_name}.{beyond}{others}",
            details,
        )
    excesses = "; ".join(
        f"{c['unit']} in {c['year']} by {say(Decimal(str(c['excess'])))} "
        f"({say(Decimal(str(c['additional'])))} required against "
        f"{say(Decimal(str(c['headroom'])))} available)"
        for c in exceeded
    )
    details["provision"] = NO_489
    return Assessment(
        "exceeds",
        f"{opening}, beyond the credits available for new decisions in {plan_name}: "
        f"{excesses}. Under No. 489 of the Convention, « {NO_489['text']} » (authentic French "
        "text: no decision of a conference that would increase expenses, directly or "
        "indirectly, beyond the credits the Council is empowered to authorize is put into "
        "effect); the excess must be met by savings, voluntary contributions or a revised "
        f"plan before the decision can be implemented.{beyond}{others}",
        details,
    )


def _outside(
    outside: list[dict[str, str | int]], plan: FinancialPlan, say: Callable[[Decimal], str]
) -> str:
    if not outside:
        return ""
    by_year: dict[int, Decimal] = {}
    for c in outside:
        year = int(c["year"])
        by_year[year] = by_year.get(year, Decimal("0.00")) + Decimal(str(c["additional"]))
    parts = ", ".join(f"{say(v)} in {y}" for y, v in sorted(by_year.items()))
    first, last = plan.info.period
    return (
        f" Additional credits of {parts} fall outside the period of the plan ({first}-{last}) "
        "and are not assessed against it: they must be weighed against the plan in force for "
        "those years."
    )


def _others(existing: Decimal, voluntary: Decimal, say: Callable[[Decimal], str]) -> str:
    parts = []
    if existing > 0:
        parts.append(f"{say(existing)} would be met within existing budgetary provisions")
    if voluntary > 0:
        parts.append(f"{say(voluntary)} from voluntary contributions")
    if not parts:
        return ""
    return " In addition, " + " and ".join(parts) + "."
