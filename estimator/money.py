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

# Enough digits that (1 + e)^n times a large quantity and rate is exact before rounding.
_PRECISE = Context(prec=60)


def to_cents(value: Decimal) -> Decimal:
    """Round to the cent, half away from zero."""
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
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    text = format(value.normalize(), "f")
    return text


def money(value: Decimal) -> str:
    """An amount as text with exactly two decimals."""
    return format(to_cents(value), "f")
