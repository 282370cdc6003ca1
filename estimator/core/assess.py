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
- ``additional``: additional credits are needed but were not assessed against a plan (none was
  named, or every additional cost falls outside the plan's period).

Additional costs in years outside the plan's period are reported as such in the statement and
the details, never dropped. No. 489 covers direct and indirect increases: every year counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from cost_models.money import money
from estimator.core.estimate import Assessment, CostLine, total, total_by
from estimator.core.plan import FinancialPlan

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


def join_words(parts: list[str]) -> str:
    """A list as an English sentence gives it: 'A', 'A and B', 'A, B and C' (no serial comma,
    as in United Nations editorial style)."""
    if len(parts) < 2:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def years_text(years: list[int]) -> str:
    """When costs fall, after 'would be required': 'in 2028', 'in 2028 and 2029', 'over the
    period 2028-2030' for three or more consecutive years, else each year: 'in 2028 and 2030'."""
    if len(years) >= 3 and years == list(range(years[0], years[-1] + 1)):
        return f"over the period {years[0]}-{years[-1]}"
    return "in " + join_words([str(y) for y in years])


VOLUNTARY_CAVEAT = (
    "The activities funded from voluntary contributions can be carried out only to the extent "
    "that those contributions are received."
)
"""Said whenever part of a proposal depends on voluntary contributions: the committee must know
that this part is not assured."""

NO_489_GLOSS = (
    "no decision of a conference that would increase expenses, directly or indirectly, beyond "
    "the credits the Council is empowered to authorize is put into effect"
)
"""No. 489 in finimpact's own words; the quoted text is the authentic French (see NO_489)."""


def assess(lines: list[CostLine], currency: str, plan: FinancialPlan | None = None) -> Assessment:
    """The verdict and a statement a Budget Control Committee could adopt as it stands.

    The statement gives the additional credits and the years they fall in, then the position
    against the plan (for ``exceeds``: each year and budget unit over the credits available,
    and by how much, then No. 489), then any years outside the plan, then the costs met within
    existing provisions or from voluntary contributions.
    """
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
                "budgetary provisions; no additional credits would be required.",
                details,
            )
        if existing == 0:
            sources = "from voluntary contributions"
        else:
            sources = (
                f"within existing budgetary provisions ({say(existing)}) and from voluntary "
                f"contributions ({say(voluntary)})"
            )
        return Assessment(
            "extrabudgetary",
            f"The costs of the proposal, {say(existing + voluntary)}, would be met {sources}; "
            f"no additional credits would be required. {VOLUNTARY_CAVEAT}",
            details,
        )

    needed = additional_by_year_unit(lines)
    years = sorted({y for y, _ in needed})
    opening = (
        f"Should the conference adopt the proposal, additional credits of {say(additional)} "
        f"would be required {years_text(years)}."
    )
    others = _others(existing, voluntary, say)

    if plan is None:
        details |= {"against_plan": [], "exceeded": [], "outside_plan": []}
        return Assessment(
            "additional",
            f"{opening} They have not been assessed against a financial plan: none was named "
            f"for this estimate.{others}",
            details,
        )

    against: list[dict[str, str | int]] = []
    exceeded: list[dict[str, str | int]] = []
    outside: list[dict[str, str | int]] = []
    over: list[tuple[int, str, Decimal, Decimal]] = []
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
            over.append((year, unit, amount, available))
    details |= {"against_plan": against, "exceeded": exceeded, "outside_plan": outside}

    first, last = plan.info.period
    plan_name = f"the financial plan {_span(first, last)} ({plan.info.label})"
    if not against:
        those = "that year" if len(years) == 1 else "each of those years"
        return Assessment(
            "additional",
            f"{opening} They fall outside the period of {plan_name} and have not been assessed "
            f"against it; they should be assessed against the financial plan in force for "
            f"{those}.{others}",
            details,
        )
    beyond = _outside(outside, plan, say)
    if not exceeded:
        return Assessment(
            "within",
            f"{opening} Taken alone, they would remain within the credits available for new "
            f"decisions in every year and budget unit of {plan_name}.{beyond}{others}",
            details,
        )
    excess = sum((amount - available for _, _, amount, available in over), Decimal("0.00"))
    in_all = f", {say(excess)} in all," if len(over) > 1 else ""
    details["provision"] = NO_489
    return Assessment(
        "exceeds",
        f"{opening} Taken alone, they would exceed the credits available for new decisions in "
        f"{plan_name} {_exceedances(over, say)}, and would remain within them in every other "
        f"year and budget unit of that plan. Under No. 489 of the Convention, {NO_489_GLOSS} "
        f"(authentic French text: « {NO_489['text']} »). The excess{in_all} would therefore "
        "have to be met by savings, voluntary contributions or a revision of the financial plan "
        f"before the decision could be put into effect.{beyond}{others}",
        details,
    )


def _span(first: int, last: int) -> str:
    """A plan's period as its name gives it: '2028-2031', or '2028' for a single year."""
    return f"{first}" if first == last else f"{first}-{last}"


def _exceedances(
    over: list[tuple[int, str, Decimal, Decimal]], say: Callable[[Decimal], str]
) -> str:
    """Where, and by how much, additional credits exceed the credits available: 'by CHF 10.00
    for ITU-T in 2029 (CHF 60.00 required against CHF 50.00 available)'. Years of one unit with
    the same figures are said once ('by CHF 10.00 a year for ITU-T in 2028 and 2029 (...) in
    each of those years'), so that a recurring excess reads as one, in order of first year."""
    years: dict[tuple[str, Decimal, Decimal], list[int]] = {}
    for year, unit, amount, available in over:
        years.setdefault((unit, amount, available), []).append(year)
    parts = []
    for (unit, amount, available), group in years.items():
        figures = f"{say(amount)} required against {say(available)} available"
        if len(group) == 1:
            parts.append(f"by {say(amount - available)} for {unit} in {group[0]} ({figures})")
        else:
            when = join_words([str(y) for y in group])
            parts.append(
                f"by {say(amount - available)} a year for {unit} in {when} "
                f"({figures} in each of those years)"
            )
    return join_words(parts)


def _outside(
    outside: list[dict[str, str | int]], plan: FinancialPlan, say: Callable[[Decimal], str]
) -> str:
    """The additional credits in years outside the plan's period, per year: never dropped."""
    if not outside:
        return ""
    by_year: dict[int, Decimal] = {}
    for c in outside:
        year = int(c["year"])
        by_year[year] = by_year.get(year, Decimal("0.00")) + Decimal(str(c["additional"]))
    amounts = join_words([f"{say(v)} in {y}" for y, v in sorted(by_year.items())])
    span = _span(*plan.info.period)
    if len(by_year) == 1:
        return (
            f" Of the additional credits, {amounts} falls outside the period of the plan "
            f"({span}) and has not been assessed against it; it should be assessed against the "
            "financial plan in force for that year."
        )
    return (
        f" Of the additional credits, {amounts} fall outside the period of the plan ({span}) "
        "and have not been assessed against it; they should be assessed against the financial "
        "plan in force for each of those years."
    )


def _others(existing: Decimal, voluntary: Decimal, say: Callable[[Decimal], str]) -> str:
    """The costs beside the additional credits, each with its source, as whole sentences."""
    parts = []
    if existing > 0:
        parts.append(f"{say(existing)} would be met within existing budgetary provisions")
    if voluntary > 0:
        verb = "" if parts else "would be met "
        parts.append(f"{say(voluntary)} {verb}from voluntary contributions")
    if not parts:
        return ""
    caveat = f" {VOLUNTARY_CAVEAT}" if voluntary > 0 else ""
    return f" In addition, {join_words(parts)}.{caveat}"
