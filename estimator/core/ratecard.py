"""Rate cards: what things cost, as dated values, each with its source.

A card is a TOML file (see cost_models/cards/ and the README). Each rate has an id, a label, a
unit and one or more values, each in force from a date and citing the document it comes from.
The value used for a year is the latest in force on 1 January of that year, escalated by the
card's yearly escalation for every year since the year of that value.

The arithmetic of a derived value is data: ``formula = "184000 / 20 / 6 * 0.8653"`` is read by a
tiny evaluator (numbers, + - * / and brackets, in Decimal; never Python's eval) and checked when
the card loads: the amount written must be the formula rounded to the cent.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass
from decimal import Context, Decimal, DivisionByZero, InvalidOperation, localcontext
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
    model_validator,
)

from cost_models.money import power, product, to_cents
from cost_models.parameters import Number, Strict, Text
from estimator.core.diagnostics import Diagnostic
from estimator.core.load import Source, read_toml
from estimator.core.validation import validate_model

Basis = Literal["published", "derived", "assumed"]

MAX_RATE = 10**15
"""No unit rate reaches a thousand million million in any currency: a larger value is a typo
(and would overflow the arithmetic)."""


class FormulaError(ValueError):
    """A formula that cannot be read or computed."""


_FORMULA_CONTEXT = Context(prec=60)
_TOKEN = re.compile(r"\s*(?:([0-9]+(?:\.[0-9]+)?)|([-+*/()]))")
"""ASCII digits only: a Bengali ৪ looks like 8 and Decimal reads it as 4."""


def _tokens(formula: str) -> list[str]:
    out: list[str] = []
    pos = 0
    text = formula.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            bad = text[pos:].lstrip()[:1]
            raise FormulaError(
                f"formula {formula!r}: '{bad}' is not allowed"
                " (write numbers without separators, + - * / and brackets)"
            )
        out.append(m.group(1) or m.group(2))
        pos = m.end()
    return out


class _Reader:
    """Recursive descent over: expr = term {(+|-) term}; term = factor {(*|/) factor};
    factor = number | - factor | ( expr )."""

    def __init__(self, formula: str) -> None:
        self.formula = formula
        self.tokens = _tokens(formula)
        self.pos = 0

    def fail(self, why: str) -> FormulaError:
        return FormulaError(f"formula {self.formula!r}: {why}")

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise self.fail("ends too early")
        self.pos += 1
        return token

    def expr(self) -> Decimal:
        value = self.term()
        while self.peek() in ("+", "-"):
            value = value + self.term() if self.take() == "+" else value - self.term()
        return value

    def term(self) -> Decimal:
        value = self.factor()
        while self.peek() in ("*", "/"):
            if self.take() == "*":
                value *= self.factor()
            else:
                divisor = self.factor()
                if divisor == 0:
                    raise self.fail("divides by zero")
                value /= divisor
        return value

    def factor(self) -> Decimal:
        token = self.take()
        if token == "-":
            return -self.factor()
        if token == "(":
            value = self.expr()
            if self.peek() != ")":
                raise self.fail("a bracket is not closed")
            self.take()
            return value
        if token in "+*/)":
            raise self.fail(f"'{token}' where a number was expected")
        return Decimal(token)


def evaluate(formula: str) -> Decimal:
    """The value of a card formula, computed in Decimal (60 significant digits), unrounded."""
    reader = _Reader(formula)
    if not reader.tokens:
        raise reader.fail("is empty")
    try:
        with localcontext(_FORMULA_CONTEXT):
            value = reader.expr()
    except (InvalidOperation, DivisionByZero) as e:  # pragma: no cover - guarded above
        raise reader.fail("cannot be computed") from e
    if reader.peek() is not None:
        raise reader.fail(f"unexpected '{reader.peek()}'")
    return value


def formula_numbers(formula: str) -> tuple[Decimal, ...]:
    """The numbers a formula uses, in order (to check each against its source)."""
    return tuple(Decimal(t) for t in _tokens(formula) if t[0] in "0123456789")


class RateValue(Strict):
    from_: dt.date = Field(alias="from")
    amount: Annotated[Number, Field(ge=0, le=MAX_RATE)]
    source: Text
    basis: Basis
    formula: Annotated[StrictStr, Field(min_length=1, max_length=500)] | None = None
    """The arithmetic of a derived (or assumed) value, e.g. "184000 / 20 / 6 * 0.8653": numbers,
    + - * / and brackets. The amount must be the formula rounded to the cent."""
    derivation: Text | None = None
    """How a derived value was computed from published figures, in words (what each number is,
    the exchange rate and its date)."""
    assumption: Text | None = None
    """What an assumed value rests on."""
    note: Text | None = None

    @field_validator("formula")
    @classmethod
    def _formula_reads(cls, formula: str) -> str:
        evaluate(formula)  # raises FormulaError (a ValueError) with the reason
        return formula

    @model_validator(mode="after")
    def _explained(self) -> RateValue:
        if self.basis == "derived" and not (self.derivation or self.formula):
            raise ValueError(
                "a derived value needs a formula or a derivation: the arithmetic from the source"
            )
        if self.basis == "assumed" and not self.assumption:
            raise ValueError("an assumed value needs an assumption: say what it rests on")
        return self

    def to_json(self) -> dict[str, object]:
        return {
            "from": self.from_.isoformat(),
            "amount": str(self.amount),
            "source": self.source,
            "basis": self.basis,
            "formula": self.formula,
            "derivation": self.derivation,
            "assumption": self.assumption,
            "note": self.note,
        }


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

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "label": self.label,
            "unit": self.unit,
            "values": [v.to_json() for v in self.value],
        }

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
    """Where the escalation comes from, or the assumption it rests on."""
    escalation_basis: Basis | None = None
    """published, derived or assumed, as for a rate value; it then needs escalation_source."""
    words_per_page: Annotated[StrictInt, Field(ge=1, le=10_000)]
    words_per_page_source: Text | None = None
    indicative: StrictBool = False
    """True for a reference card built from public figures, not a secretariat's own costs."""
    organization: Text | None = None
    notes: Text | None = None

    @model_validator(mode="after")
    def _escalation_explained(self) -> CardInfo:
        if self.escalation_basis is not None and not self.escalation_source:
            raise ValueError(
                f"escalation_basis is '{self.escalation_basis}': say in escalation_source"
                " where the escalation comes from or what it rests on"
            )
        return self


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
    document: Source

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

    def to_json(self) -> dict[str, object]:
        """The card as ``finimpact rates --json`` shows it: every rate, every dated value and
        its source."""
        info = self.info
        return {
            "id": info.id,
            "title": info.title,
            "currency": info.currency,
            "escalation": str(info.escalation),
            "escalation_basis": info.escalation_basis,
            "escalation_source": info.escalation_source,
            "words_per_page": info.words_per_page,
            "indicative": info.indicative,
            "sha256": self.sha256,
            "rates": [
                {
                    "id": r.id,
                    "label": r.label,
                    "unit": r.unit,
                    "currency": info.currency,
                    "values": [v.to_json() for v in r.value],
                }
                for r in self.rates.values()
            ],
        }

    def locate_rate(self, rate_id: str) -> tuple[str | int, ...]:
        for i, r in enumerate(self.rates.values()):
            if r.id == rate_id:
                return ("rate", i)
        return ("rate",)


def parse_card(doc: Source) -> tuple[RateCard | None, list[Diagnostic]]:
    model, diags = validate_model(RateCardFile, doc.data, doc, ())
    if model is None:
        # every problem in one run: the formulas of the rates that are valid are checked too
        diags = _locate_duplicate_ids(doc, _locate_date_problems(doc, diags))
        raw = doc.data.get("rate")
        for i, item in enumerate(raw if isinstance(raw, list) else []):
            try:
                rate = Rate.model_validate(item)
            except ValidationError:
                continue  # its problems are told above
            diags += _check_rate_formulas(i, rate, doc)
        return None, diags
    for i, rate in enumerate(model.rate):
        diags += _check_rate_formulas(i, rate, doc)
    if diags:
        return None, diags
    rates = {r.id: r for r in model.rate}
    return RateCard(model.card, rates, doc.file, doc.sha256, doc), diags


def _locate_date_problems(doc: Source, diags: list[Diagnostic]) -> list[Diagnostic]:
    """Point a duplicate or out-of-order date at the value that has it, not at its rate."""
    out: list[Diagnostic] = []
    for d in diags:
        rate_index = d.path[1] if len(d.path) == 2 and d.path[0] == "rate" else None
        if not isinstance(rate_index, int) or d.code != "value_error":
            out.append(d)
            continue
        rates = doc.data.get("rate")
        raw = rates[rate_index] if isinstance(rates, list) and rate_index < len(rates) else {}
        values = raw.get("value", []) if isinstance(raw, dict) else []
        dates = [v.get("from") if isinstance(v, dict) else None for v in values or []]
        j = _first_out_of_order(dates)
        if j is None:
            out.append(d)
        else:
            path = ("rate", rate_index, "value", j, "from")
            hint = "each value starts on its own date; list them oldest first"
            out.append(doc.diag(path, d.code, d.message, hint))
    return out


def _locate_duplicate_ids(doc: Source, diags: list[Diagnostic]) -> list[Diagnostic]:
    """Point a rate id defined twice at its second definition, not at the top of the file."""
    rates = doc.data.get("rate")
    ids = [r.get("id") if isinstance(r, dict) else None for r in rates or []]
    out: list[Diagnostic] = []
    for d in diags:
        m = re.fullmatch(r"rate id '(.*)' is defined twice", d.message)
        if d.path or m is None or ids.count(m.group(1)) < 2:
            out.append(d)
            continue
        second = ids.index(m.group(1), ids.index(m.group(1)) + 1)
        out.append(doc.diag(("rate", second, "id"), d.code, d.message, "give each rate its own id"))
    return out


def _first_out_of_order(dates: list[object]) -> int | None:
    """Index of the first date not after the one before it."""
    for j in range(1, len(dates)):
        earlier, later = dates[j - 1], dates[j]
        if isinstance(earlier, dt.date) and isinstance(later, dt.date) and earlier >= later:
            return j
    return None


def _check_rate_formulas(i: int, rate: Rate, doc: Source) -> list[Diagnostic]:
    """Each value's amount must be its formula rounded to the cent."""
    out: list[Diagnostic] = []
    for j, v in enumerate(rate.value):
        if v.formula is None:
            continue
        expected = to_cents(evaluate(v.formula))
        if v.amount != expected:
            out.append(
                doc.diag(
                    ("rate", i, "value", j, "amount"),
                    "formula-mismatch",
                    f"amount {v.amount} does not match"
                    f" its formula {v.formula} = {expected} (rounded to the cent)",
                    f"write amount = {expected}, or correct the formula",
                )
            )
    return out


def load_card(path: Path, display: str | None = None) -> tuple[RateCard | None, list[Diagnostic]]:
    doc, diags = read_toml(path, display)
    if doc is None:
        return None, diags
    return parse_card(doc)
