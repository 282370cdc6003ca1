"""The proposal, as the spec (docs/proposal-format.md, format 1) defines it.

Models are frozen and strict: unknown keys are rejected, text is text and numbers are numbers
(a quoted "6" is not a count). Quantities are Decimal, never float.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, StrictStr, field_validator

from cost_models.parameters import (
    ActivityBase,
    BudgetUnit,
    Strict,
    Text,
    Year,
)

ACTIONS = ("ADD", "MOD", "SUP")
MAX_PERIOD_YEARS = 20


def _filing_date(value: object) -> object:
    """A filing date written as a TOML date (2026-05-01) or in quotes ("2026-05-01"), kept as
    its ISO text; a date that does not exist ("2026-02-30") is refused, since it would order a
    batch wrongly."""
    if isinstance(value, dt.datetime):
        raise ValueError("must be a date without a time of day, such as 2026-05-01")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and len(value) == 10 and value[4] == value[7] == "-":
        try:
            dt.date.fromisoformat(value)
        except ValueError as e:
            raise ValueError(f"'{value}' is not a date of the calendar ({e})") from None
    return value


ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
"""A date as YYYY-MM-DD, in ASCII digits (a pattern's \\d would take any script's digits)."""


class ProposalInfo(Strict):
    reference: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    title: Text
    conference: Annotated[StrictStr, Field(min_length=1, max_length=40)]
    submitted_by: Annotated[tuple[Text, ...], Field(min_length=1)]
    action: Literal["ADD", "MOD", "SUP"] | None = None
    instrument: Text | None = None
    responsible: BudgetUnit
    period: tuple[Year, Year]
    requests: tuple[Text, ...] = ()
    rate_card: Annotated[StrictStr, Field(min_length=1)] | None = None
    currency: Annotated[StrictStr, Field(pattern=r"^[A-Z]{3}$")] | None = None
    """The currency of the amounts the proposal states (ISO 4217, e.g. "CHF"): an amount is
    never taken in another currency; without it, in the card's (and the annex says so)."""
    output_language: Literal["ar", "zh", "en", "fr", "ru", "es"] | None = None
    """The language finimpact writes the proposal's annex and workbook in (``--lang`` wins);
    not the language the proposal or its documents are drafted in (a document's ``source``)."""
    submitted: (
        Annotated[StrictStr, BeforeValidator(_filing_date), Field(pattern=ISO_DATE)] | None
    ) = None
    """Extension: the date the proposal was filed (YYYY-MM-DD), used to order a batch."""
    prepared_by: Text | None = None
    """Extension: who prepared the estimate (a person, an office, a delegation), as the annex
    names them; never guessed: without it the annex leaves the line blank to fill in."""
    prepared: (
        Annotated[StrictStr, BeforeValidator(_filing_date), Field(pattern=ISO_DATE)] | None
    ) = None
    """Extension: the date the estimate was prepared (YYYY-MM-DD), shown in the annex."""

    @field_validator("period")
    @classmethod
    def _period(cls, period: tuple[int, int]) -> tuple[int, int]:
        first, last = period
        if first > last:
            raise ValueError(f"period runs backwards: {first} is after {last}")
        if last - first + 1 > MAX_PERIOD_YEARS:
            raise ValueError(f"period covers more than {MAX_PERIOD_YEARS} years")
        return period

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(range(self.period[0], self.period[1] + 1))


@dataclass(frozen=True)
class TemplateDefault:
    """A value a conference activity template supplied, and why."""

    key: str
    value: Any
    why: str


@dataclass(frozen=True)
class Activity:
    """An activity of one of the kinds (cost_models/kinds/) to price, with where it came from
    in the proposal file."""

    spec: ActivityBase
    index: int
    """Position of its [[activity]] table in the file (0-based)."""
    template: str | None = None
    """The conference activity template it was expanded from, if any."""
    defaults: tuple[TemplateDefault, ...] = ()
    """The template defaults it uses (values the file did not override)."""
    part: str | None = None
    """The title of the template's part it is ('meetings'), the end of its title."""

    @property
    def id(self) -> str:
        return self.spec.id


@dataclass(frozen=True)
class Proposal:
    info: ProposalInfo
    activities: tuple[Activity, ...]
    file: str
    sha256: str

    def unit_of(self, activity: Activity) -> str:
        return activity.spec.unit or self.info.responsible

    def years_of(self, activity: Activity) -> tuple[int, ...]:
        return activity.spec.years_in(self.info.years)
