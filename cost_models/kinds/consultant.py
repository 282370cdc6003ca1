"""Consultants: external human resources, for months or days: a year's, the whole activity's,
or once in a named year (``Stated``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, StrictInt, model_validator

from cost_models.kind import Amount, Kind
from cost_models.needs import CardFacts, Need
from cost_models.parameters import PositiveNumber, Stated, limit
from cost_models.phrases import N_, Phrase, phrase, plural_phrase


class Consultant(Stated):
    STATED = ("months", "days")

    kind: Literal["consultant"]
    months: Annotated[PositiveNumber, limit(12)] | None = None
    days: Annotated[PositiveNumber, limit(366)] | None = None
    count: Annotated[StrictInt, Field(ge=1, le=1000)] = 1

    @model_validator(mode="after")
    def _time(self) -> Consultant:
        if (self.months is None) == (self.days is None):
            raise ValueError("give either months or days, not both")
        return self


def _consultants(n: int | Decimal) -> Phrase:
    return plural_phrase("%(n)s consultant", "%(n)s consultants", n)


def _time(a: Consultant) -> Phrase:
    if a.months is not None:
        return plural_phrase("%(n)s month", "%(n)s months", a.months)
    return plural_phrase("%(n)s day", "%(n)s days", a.days or Decimal(0))


def needs(a: Consultant, card: CardFacts) -> list[Need]:
    if a.months is not None:
        rate, quantity, unit = "consultant.month", a.months, N_("consultant-month")
    else:
        rate, quantity, unit = "consultant.day", a.days or Decimal(0), N_("consultant-day")
    return [
        Need(
            "consultants",
            rate,
            a.count * quantity,
            unit,
            phrase(
                N_("%(consultants)s × %(time)s, in equal parts over the activity's years")
                if a.per == "total"
                else N_("%(consultants)s × %(time)s"),
                consultants=_consultants(a.count),
                time=_time(a),
            ),
            external=True,
            in_total=a.per == "total",
        )
    ]


def describe(a: Consultant, years: tuple[int, ...], amount: Amount) -> Phrase:
    return plural_phrase(
        "%(n)s consultant, %(time)s each, %(when)s (external).",
        "%(n)s consultants, %(time)s each, %(when)s (external).",
        a.count,
        time=_time(a),
        when=a.timing(years),
    )


KIND = Kind(
    name="consultant",
    parameters=Consultant,
    needs=needs,
    rates=("consultant.month", "consultant.day"),
    label=N_("Consultants"),
    describe=describe,
)
