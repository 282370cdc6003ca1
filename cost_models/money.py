"""Money is Decimal, end to end, with one rounding rule.

The rule: a cost line's amount is rounded to the cent, half away from zero
(``ROUND_HALF_UP`` in Python's decimal module, ``ROUND`` in Excel and LibreOffice).
Totals are sums of rounded line amounts and are never rounded again.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

CENT = Decimal("0.01")
ROUNDING_RULE = (
    "Each cost line is rounded to the cent, half away from zero; totals are sums of lines."
)

MAX_LINE_AMOUNT = Decimal(10) ** 12
"""No cost line of a proposal comes near a million million in any currency: a larger amount is
an error in a quantity or a rate. The bound also keeps every total (a sum of at most some
thousands of lines) well within the 28 digits of Python's default decimal context, so that sums
are exact everywhere (summary, workbook, batch report)."""

# Enough digits that (1 + e)^n times a large quantity and rate is exact before rounding.
_PRECISE = Context(prec=60)


def _digits_for(value: Decimal, places: int) -> Context:
    """A context with enough digits to hold the value to `places` decimals: quantize raises
    InvalidOperation when the result has more digits than the context's precision (28 by
    default), which an implausibly large rate on a card would otherwise reach."""
    return Context(prec=max(_PRECISE.prec, value.adjusted() + places + 2))


def to_cents(value: Decimal) -> Decimal:
    """Round to the cent, half away from zero."""
    with localcontext(_digits_for(value, 2)):
        return value.quantize(CENT, rounding=ROUND_HALF_UP)


def product(*factors: Decimal) -> Decimal:
    """Exact product of the factors (60 significant digits)."""
    with localcontext(_PRECISE):
        out = Decimal(1)
        for f in factors:
            out *= f
        return out


def power(base: Decimal, exponent: int) -> Decimal:
    with localcontext(_PRECISE):
        return base**exponent


def divide(a: Decimal, b: Decimal) -> Decimal:
    with localcontext(_PRECISE):
        return a / b


def plain(value: Decimal) -> str:
    """A decimal as plain text: no exponent, no trailing zeros beyond those it has."""
    if not value.is_finite():  # 'inf', 'nan': shown in messages about bad input, never raises
        return str(value).lower()
    if value == value.to_integral_value():
        with localcontext(_digits_for(value, 0)):
            return str(value.quantize(Decimal(1)))
    text = format(value.normalize(), "f")
    return text


def money(value: Decimal) -> str:
    """An amount as text with exactly two decimals."""
    return format(to_cents(value), "f")
