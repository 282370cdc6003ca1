"""The parameters of activities: the vocabulary every kind shares (languages, grades, budget
units, funding, numbers that are Decimal and never float) and the keys every activity has.

Models are frozen and strict: unknown keys are rejected, text is text and numbers are numbers
(a quoted "6" is not a count). Quantities are Decimal, never float.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    model_validator,
)

LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")
"""The six official languages of the Union."""
SOURCE_LANGUAGE = "en"
TARGET_LANGUAGES: tuple[Language, ...] = ("ar", "zh", "fr", "ru", "es")
BUDGET_UNITS = ("GS", "ITU-R", "ITU-T", "ITU-D")
"""General Secretariat and the three Sectors."""
GRADES = (
    *(f"P{n}" for n in range(1, 6)),
    "D1",
    "D2",
    *(f"G{n}" for n in range(1, 8)),
)
FUNDING = ("additional", "existing", "extrabudgetary")
ELEMENTAL_KINDS = ("meeting", "documentation", "staff", "consultant", "travel", "services")

FIRST_YEAR, LAST_YEAR = 2000, 2100


def _number(value: Any) -> Any:
    """TOML integers and decimals are numbers; text, booleans and floats are not."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise ValueError("must be a number, written without quotes")
    value = Decimal(value)
    if not value.is_finite():
        raise ValueError("must be a finite number")
    return value


def _limit(maximum: int) -> Any:
    def check(value: Decimal) -> Decimal:
        if value > maximum:
            raise ValueError(f"is implausibly large (more than {maximum:,}): check the figure")
        return value

    return AfterValidator(check)


Number = Annotated[Decimal, BeforeValidator(_number)]
PositiveNumber = Annotated[Number, Field(gt=0)]
Text = Annotated[StrictStr, Field(min_length=1, max_length=10_000)]
Year = Annotated[StrictInt, Field(ge=FIRST_YEAR, le=LAST_YEAR)]
Language = Literal["ar", "zh", "en", "fr", "ru", "es"]
BudgetUnit = Literal["GS", "ITU-R", "ITU-T", "ITU-D"]
Grade = Literal["P1", "P2", "P3", "P4", "P5", "D1", "D2", "G1", "G2", "G3", "G4", "G5", "G6", "G7"]
Funding = Literal["additional", "existing", "extrabudgetary"]
ActivityId = Annotated[StrictStr, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]


class Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=False)


def _unique(values: tuple[Any, ...], what: str) -> None:
    seen: set[Any] = set()
    for v in values:
        if v in seen:
            raise ValueError(f"lists {what} {v!s} twice")
        seen.add(v)


class ActivityBase(Strict):
    id: ActivityId
    kind: StrictStr
    title: Text
    unit: BudgetUnit | None = None
    years: tuple[Year, ...] | None = None
    funding: Funding = "additional"
    goal: Annotated[StrictStr, Field(min_length=1, max_length=20)] | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _years(self) -> ActivityBase:
        if self.years is not None:
            if not self.years:
                raise ValueError("years is empty: leave it out to mean every year of the period")
            _unique(self.years, "the year")
        return self


class Meeting(ActivityBase):
    kind: Literal["meeting"]
    count: Annotated[StrictInt, Field(ge=1, le=1000)] = 1
    days: Annotated[PositiveNumber, _limit(366)]
    meetings_per_day: Annotated[StrictInt, Field(ge=1, le=4)] = 2
    languages: tuple[Language, ...] = ()
    location: Literal["geneva", "away", "virtual"] = "geneva"
    remote: StrictBool = False
    fellowships: Annotated[StrictInt, Field(ge=0, le=10_000)] = 0

    @model_validator(mode="after")
    def _languages(self) -> Meeting:
        _unique(self.languages, "the language")
        return self

    @property
    def meetings(self) -> Decimal:
        return self.count * self.days * self.meetings_per_day


class Documentation(ActivityBase):
    kind: Literal["documentation"]
    words: Annotated[PositiveNumber, _limit(100_000_000)] | None = None
    pages: Annotated[PositiveNumber, _limit(1_000_000)] | None = None
    languages: tuple[Language, ...] = TARGET_LANGUAGES
    stage: Literal["pre", "in", "post"] = "pre"

    @model_validator(mode="after")
    def _size(self) -> Documentation:
        if (self.words is None) == (self.pages is None):
            raise ValueError("give either words or pages (one of them, not both)")
        _unique(self.languages, "the language")
        if SOURCE_LANGUAGE in self.languages:
            raise ValueError(
                "languages are the target languages: English is the source language, remove 'en'"
            )
        return self


class Staff(ActivityBase):
    kind: Literal["staff"]
    grade: Grade
    months: Annotated[PositiveNumber, _limit(12)] | None = None
    fte: Annotated[PositiveNumber, _limit(1)] | None = None
    posts: Annotated[StrictInt, Field(ge=1, le=1000)] = 1

    @model_validator(mode="after")
    def _time(self) -> Staff:
        if (self.months is None) == (self.fte is None):
            raise ValueError("give either months (work-months a year) or fte, not both")
        return self

    @property
    def work_months(self) -> Decimal:
        return self.months if self.months is not None else (self.fte or Decimal(0)) * 12


class Consultant(ActivityBase):
    kind: Literal["consultant"]
    months: Annotated[PositiveNumber, _limit(12)] | None = None
    days: Annotated[PositiveNumber, _limit(366)] | None = None
    count: Annotated[StrictInt, Field(ge=1, le=1000)] = 1

    @model_validator(mode="after")
    def _time(self) -> Consultant:
        if (self.months is None) == (self.days is None):
            raise ValueError("give either months or days a year, not both")
        return self


class Travel(ActivityBase):
    kind: Literal["travel"]
    trips: Annotated[StrictInt, Field(ge=1, le=10_000)]
    days: Annotated[Number, Field(ge=0), _limit(366)]
    traveller: Literal["staff", "expert"] = "staff"


class Services(ActivityBase):
    kind: Literal["services"]
    amount: Annotated[PositiveNumber, _limit(10_000_000_000)]
    justification: Text
    external: StrictBool = False


Elemental = Meeting | Documentation | Staff | Consultant | Travel | Services
ELEMENTAL_MODELS: dict[str, type[ActivityBase]] = {
    "meeting": Meeting,
    "documentation": Documentation,
    "staff": Staff,
    "consultant": Consultant,
    "travel": Travel,
    "services": Services,
}
