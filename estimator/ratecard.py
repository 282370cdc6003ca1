"""Rate cards: what things cost, as dated values, each with its source.

A card is a TOML file (see cost_models/cards/ and the README). Each rate has an id, a label, a
unit and one or more values, each in force from a date and citing the document it comes from.
The value used for a year is the latest in force on 1 January of that year, escalated by the
card's yearly escalation for every year since the year of that value.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, StrictInt, StrictStr, model_validator

from estimator.diagnostics import Diagnostic
from estimator.load import TomlDocument, read_toml
from estimator.model import Number, Strict, Text
from estimator.money import power, product
from estimator.validation import validate_model

Basis = Literal["published", "derived", "assumed"]


class RateValue(Strict):
    from_: dt.date = Field(alias="from")
    amount: Annotated[Number, Field(ge=0)]
    source: Text
    basis: Basis
    derivation: Text | None = None
    """How a derived value was computed from published figures (the arithmetic, the exchange
    rate and its date)."""
    assumption: Text | None = None
    """What an assumed value rests on."""
    note: Text | None = None

    @model_validator(mode="after")
    def _explained(self) -> RateValue:
        if self.basis == "derived" and not self.derivation:
            raise ValueError("a derived value needs a derivation: the arithmetic from the source")
        if self.basis == "assumed" and not self.assumption:
            raise ValueError("an assumed value needs an assumption: say what it rests on")
        return self


class Rate(Strict):
    id: Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=80)]
    label: Text
    unit: Text
    value: Annotated[tuple[RateValue, ...], Field(min_length=1)]
    note: Text | None = None

    @model_validator(mode="after")
    def _dates(self) -> Rate:
        dates = [v.from_ for v in self.value]
        for earlier, later in itertools.pairwise(dates):
            if earlier == later:
                raise ValueError(f"two values are in force from {later}: keep one")
            if earlier > later:
                raise ValueError(f"values are not in date order: {later} comes after {earlier}")
        return self

    def in_force(self, on: dt.date) -> RateValue | None:
        """The latest value in force on the date, or None if none was yet."""
        found = None
        for v in self.value:
            if v.from_ <= on:
                found = v
        return found


class CardInfo(Strict):
    id: Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    title: Text
    currency: Annotated[StrictStr, Field(pattern=r"^[A-Z]{3}$")]
    escalation: Annotated[Number, Field(ge=0, le=Decimal("0.5"))]
    """Yearly escalation, as a fraction: 0.02 is 2% a year."""
    escalation_source: Text | None = None
    words_per_page: Annotated[StrictInt, Field(ge=1, le=10_000)]
    words_per_page_source: Text | None = None
    indicative: bool = False
    """True for a reference card built from public figures, not a secretariat's own costs."""
    organization: Text | None = None
    notes: Text | None = None


class RateCardFile(Strict):
    format: Literal[1] = 1
    card: CardInfo
    rate: Annotated[tuple[Rate, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique_ids(self) -> RateCardFile:
        seen: set[str] = set()
        for r in self.rate:
            if r.id in seen:
                raise ValueError(f"rate id '{r.id}' is defined twice")
            seen.add(r.id)
        return self


@dataclass(frozen=True)
class PricedRate:
    """A rate as applied to one year: the value in force, its escalation and the result."""

    rate: Rate
    value: RateValue
    year: int
    factor: Decimal
    """(1 + escalation) ^ (year - year of the value)."""

    @property
    def escalated(self) -> Decimal:
        return product(self.value.amount, self.factor)


@dataclass(frozen=True)
class RateCard:
    info: CardInfo
    rates: dict[str, Rate]
    file: str
    sha256: str
    document: TomlDocument

    @property
    def id(self) -> str:
        return self.info.id

    @property
    def currency(self) -> str:
        return self.info.currency

    def price(self, rate_id: str, year: int) -> PricedRate | None:
        rate = self.rates.get(rate_id)
        if rate is None:
            return None
        value = rate.in_force(dt.date(year, 1, 1))
        if value is None:
            return None
        factor = power(1 + self.info.escalation, max(0, year - value.from_.year))
        return PricedRate(rate, value, year, factor)

    def locate_rate(self, rate_id: str) -> tuple[str | int, ...]:
        for i, r in enumerate(self.rates.values()):
            if r.id == rate_id:
                return ("rate", i)
        return ("rate",)


def parse_card(doc: TomlDocument) -> tuple[RateCard | None, list[Diagnostic]]:
    model, diags = validate_model(RateCardFile, doc.data, doc, ())
    if model is None:
        return None, diags
    rates = {r.id: r for r in model.rate}
    return RateCard(model.card, rates, doc.file, doc.sha256, doc), diags


def load_card(path: Path, display: str | None = None) -> tuple[RateCard | None, list[Diagnostic]]:
    doc, diags = read_toml(path, display)
    if doc is None:
        return None, diags
    return parse_card(doc)
