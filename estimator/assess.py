"""Assess: the Article 34 position of an estimate.

Article 34 of the ITU Convention (Nos. 488 and 489) asks, before a conference adopts a
proposal, whether it raises expenses beyond the credits the Council may authorize. The verdict
says whether the costs are nil, absorbed within existing provisions, met from voluntary
contributions, or need additional credits.
"""

from __future__ import annotations

from decimal import Decimal

from estimator.estimate import Assessment, CostLine, total, total_by
from estimator.money import money


def assess(lines: list[CostLine], currency: str) -> Assessment:
    if not lines or total(lines) == 0:
        return Assessment("none", "The proposal has no financial implications.")
    by_funding = total_by(lines, lambda line: line.funding)
    additional = by_funding.get("additional", Decimal(0))
    if additional > 0:
        return Assessment(
            "additional",
            f"Should the conference adopt the proposal, additional credits of {currency} "
            f"{money(additional)} would be required over the period.",
        )
    if by_funding.get("existing", Decimal(0)) > 0:
        return Assessment(
            "absorbed",
            "The costs of the proposal would be met within existing budgetary provisions.",
        )
    return Assessment(
        "extrabudgetary",
        "The costs of the proposal would be met entirely from voluntary contributions.",
    )
