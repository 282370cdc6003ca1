"""The parameters of activities: the vocabulary every kind shares (languages, grades, budget
units, funding, numbers that are Decimal and never float) and the keys every activity has.

Models are frozen and strict: unknown keys are rejected, text is text and numbers are numbers
(a quoted "6" is not a count). Quantities are Decimal, never float.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    model_validator,
)

from cost_models.phrases import N_, Phrase, join

LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")
"""The six official languages of the Union."""
SOURCE_LANGUAGE = "en"
TARGET_LANGUAGES: tuple[Language, ...] = ("ar", "zh", "fr", "ru", "es")
BUDGET_UNITS = ("GS", "ITU-R", "ITU-T", "ITU-D")
"""General Secretariat and the three Sectors."""
LANGUAGE_NAMES = {
    "ar": N_("Arabic"),
    "zh": N_("Chinese"),
    "en": N_("English"),
    "fr": N_("French"),
    "ru": N_("Russian"),
    "es": N_("Spanish"),
}
GRADES = (
    *(f"P{n}" for n in range(1, 6)),
    "D1",
    "D2",
    *(f"G{n}" for n in range(1, 8)),
)
FUNDING = ("additional", "existing", "extrabudgetary")

FIRST_YEAR, LAST_YEAR = 2000, 2100


def as_toml_number(written: str) -> str | None:
    """A number written as people write it, as TOML writes it, or None if it is no number.

    Spaces, apostrophes and underscores group digits ('1 100' is 1100). With both a comma and
    a full stop, the last is the decimal mark ('1.234,50' and '1,234.50' are 1234.50). A comma
    alone is a decimal comma unless it is followed by exactly three digits or appears more
    than once ('12,5' and '1 100,00' are 12.5 and 1100.00; '19,850' and '1,000,000' are
    19850 and 1000000); several full stops group digits ('1.000.000').
    """
    text = written.strip()
    spaced = re.search(r"[' \u00a0\u202f_]", text) is not None
    text = re.sub(r"[' \u00a0\u202f_]", "", text)
    if not re.fullmatch(r"[-+]?\d[\d.,]*", text) or text[-1] in ".,":
        return None
    marks = re.sub(r"[^.,]", "", text)
    if not marks:
        return text
    if "." in marks and "," in marks:
        decimal = marks[-1]
    elif marks.count(marks[0]) > 1:
        decimal = ""
    elif spaced or marks == "." or not re.search(r",\d{3}$", text):
        decimal = marks
    else:
        decimal = ""
    group = {".": ",", ",": "."}.get(decimal, marks[0])
    whole, _, fraction = text.rpartition(decimal) if decimal else (text, "", "")
    if (decimal and decimal in whole) or group in fraction:
        return None
    if group in whole and not re.fullmatch(rf"[-+]?\d{{1,3}}(\{group}\d{{3}})+", whole):
        return None
    whole = whole.replace(group, "")
    return f"{whole}.{fraction}" if decimal else whole


NOT_A_NUMBER = "must be a number, written without quotes"
"""What a quantity that is not a number is told, in a file (a face without quotes words it its
own way: the web form says 'must be a number, like 5')."""
HOW_TO_WRITE_NUMBERS = (
    ", without quotes or thousands separators and with a full stop for decimals (an underscore"
    " may group digits: 19_850)"
)
"""How a file writes a number, after 'write 1100.50' (a form field has no quotes: it stops
at the number)."""


def _number(value: Any) -> Any:
    """TOML integers and decimals are numbers; text, booleans and floats are not."""
    if isinstance(value, str):
        plain = as_toml_number(value)
        if plain is not None and plain != value.strip():
            raise ValueError(
                f"must be a number, not the text {value!r}: write {plain}{HOW_TO_WRITE_NUMBERS}"
            )
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise ValueError(NOT_A_NUMBER)
    value = Decimal(value)
    if not value.is_finite():
        raise ValueError("must be a finite number")
    return value


def limit(maximum: int) -> Any:
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
    """Every model of a file's content: frozen, and no key it does not know. A model's
    validator is built when the model is first used, not when its module is imported: a command
    builds those of the files it reads (most models are parts of a larger one, whose validator
    holds them), and a base such as Stated, never validated itself, never needs its own
    (ActivityBase's is built for the common keys of a templated or unknown activity)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=False, defer_build=True)


def unique(values: tuple[Any, ...], what: str) -> None:
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
            unique(self.years, "the year")
        return self

    def years_in(self, period: tuple[int, ...]) -> tuple[int, ...]:
        """The years the activity takes place: its ``years``, else every year of the period."""
        return tuple(sorted(self.years)) if self.years else period


class Stated(ActivityBase):
    """An activity with an amount (or quantity) that the proposal states, which a reader could
    take as a year's or as the whole activity's: it says which. ``per = "year"``: in each year
    the activity takes place; ``per = "total"``: for the whole activity, spread in equal parts
    over its years; ``once = 2030``: once, in that year. An activity of one year needs neither;
    one of several years that says neither is an error (``estimator/core/validate.py``)."""

    STATED: ClassVar[tuple[str, ...]] = ()
    """The keys the statement concerns (``("amount",)``)."""
    TOTAL: ClassVar[bool] = True
    """Whether ``per = "total"`` is offered (a document is produced whole: it is not)."""

    per: Literal["year", "total"] | None = None
    once: Year | None = None

    @model_validator(mode="after")
    def _once(self) -> Stated:
        if self.once is not None and self.per is not None:
            raise ValueError(
                f'says both once = {self.once} and per = "{self.per}": keep one of them'
            )
        if self.once is not None and self.years is not None and self.years != (self.once,):
            raise ValueError(f"once = {self.once} already says the year: remove years")
        return self

    def years_in(self, period: tuple[int, ...]) -> tuple[int, ...]:
        return (self.once,) if self.once is not None else super().years_in(period)

    def timing(self, years: tuple[int, ...]) -> Phrase:
        """When the stated amount falls, as the annex says it: 'a year, 2027–2030', 'once, in
        2030', 'in total over 2027–2030'."""
        if len(years) == 1:
            return Phrase(N_("once, in %(year)s"), {"year": str(years[0])})
        if self.per == "total":
            return Phrase(N_("in total over %(years)s"), {"years": years_phrase(years)})
        return Phrase(N_("a year, %(years)s"), {"years": years_phrase(years)})


def years_phrase(years: tuple[int, ...]) -> Phrase:
    """'2027–2030' for consecutive years, else '2027 and 2029' (years as text, never grouped
    like numbers)."""
    if len(years) > 1 and list(years) == list(range(years[0], years[-1] + 1)):
        return Phrase(N_("%(first)s–%(last)s"), {"first": str(years[0]), "last": str(years[-1])})
    return join([str(y) for y in years])


def language_names(codes: tuple[str, ...]) -> Phrase:
    """'Arabic, French and Spanish': the languages' names, each a msgid."""
    return join([Phrase(LANGUAGE_NAMES.get(c, c)) for c in codes])
