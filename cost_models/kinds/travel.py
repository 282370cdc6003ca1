"""Travel: trips by staff or experts, with subsistence for the days away."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, StrictInt

from cost_models.kind import Amount, Kind
from cost_models.needs import CardFacts, Need
from cost_models.parameters import ActivityBase, Number, limit
from cost_models.phrases import N_, Phrase, phrase, plural_phrase


class Travel(ActivityBase):
    kind: Literal["travel"]
    trips: Annotated[StrictInt, Field(ge=1, le=10_000)]
    days: Annotated[Number, Field(ge=0), limit(366)]
    traveller: Literal["staff", "expert"] = "staff"


def _trips(n: int | Decimal) -> Phrase:
    return plural_phrase("%(n)s trip", "%(n)s trips", n)


def _days(n: int | Decimal) -> Phrase:
    return plural_phrase("%(n)s day", "%(n)s days", n)


def needs(a: Travel, card: CardFacts) -> list[Need]:
    found = [Need("travel", f"travel.{a.traveller}", Decimal(a.trips), N_("trip"), _trips(a.trips))]
    if a.days:
        found.append(
            Need(
                "travel",
                "subsistence",
                a.trips * a.days,
                N_("day"),
                Phrase(
                    N_("%(trips)s × %(days)s"), {"trips": _trips(a.trips), "days": _days(a.days)}
                ),
            )
        )
    return found


TRAVELLERS = {"staff": N_("staff"), "expert": N_("experts")}


def describe(a: Travel, years: tuple[int, ...], amount: Amount) -> Phrase:
    trips = plural_phrase("%(n)s trip a year", "%(n)s trips a year", a.trips)
    who = Phrase(TRAVELLERS[a.traveller])
    if a.days:
        return phrase(
            "%(trips)s of %(days)s each, by %(who)s.", trips=trips, days=_days(a.days), who=who
        )
    return phrase("%(trips)s, by %(who)s.", trips=trips, who=who)


KIND = Kind(
    name="travel",
    parameters=Travel,
    needs=needs,
    rates=("travel.staff", "travel.expert", "subsistence"),
    label=N_("Travel"),
    describe=describe,
)
