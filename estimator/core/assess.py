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

Additional costs in years outside the plan's period are reported as such, never dropped. No. 489
covers direct and indirect increases: every year counts.

The result is facts only (:class:`~estimator.core.estimate.Assessment`); the statement in words
is written by the presentation layer (``estimator.render.wording.article34_statement``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal

from estimator.core.estimate import (
    Assessment,
    CostLine,
    Position,
    Requirement,
    Verdict,
    total,
    total_by,
)
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


def assess(lines: list[CostLine], currency: str, plan: FinancialPlan | None = None) -> Assessment:
    """The verdict, the amounts by source of funding, and the additional credits by year and
    budget unit: against the plan's headroom in its period, apart outside it."""
    by_funding = total_by(lines, lambda line: line.funding)
    additional = by_funding.get("additional", Decimal("0.00"))
    existing = by_funding.get("existing", Decimal("0.00"))
    voluntary = by_funding.get("extrabudgetary", Decimal("0.00"))
    grand = total(lines)
    needed = additional_by_year_unit(lines)
    required = tuple(Requirement(y, u, amount) for (y, u), amount in needed.items())
    found = Assessment("none", currency, grand, additional, existing, voluntary, required, plan)
    if not lines or grand == 0:
        return found
    if additional == 0:
        return replace(found, verdict="absorbed" if voluntary == 0 else "extrabudgetary")
    if plan is None:
        return replace(found, verdict="additional")
    against = tuple(
        Position(r.year, r.unit, r.additional, plan.available(r.year, r.unit))
        for r in required
        if plan.covers(r.year)
    )
    outside = tuple(r for r in required if not plan.covers(r.year))
    exceeds = any(p.excess for p in against)
    verdict: Verdict = "additional" if not against else "exceeds" if exceeds else "within"
    return replace(
        found,
        verdict=verdict,
        against_plan=against,
        outside_plan=outside,
        provision=NO_489 if exceeds else None,
    )
