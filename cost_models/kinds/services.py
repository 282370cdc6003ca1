"""Contractual services: an amount the proposal states and justifies, not looked up on a card
and not escalated; a year's, the whole activity's, or once in a named year (``Stated``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import StrictBool

from cost_models.kind import Amount, Kind
from cost_models.needs import CardFacts, Need
from cost_models.parameters import PositiveNumber, Stated, Text, limit
from cost_models.phrases import N_, Phrase, phrase


class Services(Stated):
    STATED = ("amount",)

    kind: Literal["services"]
    amount: Annotated[PositiveNumber, limit(10_000_000_000)]
    justification: Text
    external: StrictBool = False


def needs(a: Services, card: CardFacts) -> list[Need]:
    return [
        Need(
            "contractual-services",
            f"services.{a.id}",
            Decimal(1),
            N_("lump sum"),
            Phrase(N_("amount stated in the proposal")),
            external=a.external,
            fixed_amount=a.amount,
            justification=a.justification,
            in_total=a.per == "total",
        )
    ]


def describe(a: Services, years: tuple[int, ...], amount: Amount) -> Phrase:
    values = {
        "amount": amount(a.amount),
        "when": a.timing(years),
        "justification": a.justification,
    }
    if a.external:
        return phrase(
            "%(amount)s %(when)s (external human resources), as stated in the proposal: "
            "%(justification)s",
            **values,
        )
    return phrase(
        "%(amount)s %(when)s, as stated in the proposal: %(justification)s",
        **values,
    )


KIND = Kind(
    name="services",
    parameters=Services,
    needs=needs,
    rates=(),
    label=N_("Contractual services"),
    describe=describe,
)
