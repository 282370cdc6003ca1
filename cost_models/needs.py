"""What a kind's pricing returns: the needs of rates of one activity, by object of expenditure.

A kind's pricing never reads a rate's value, so the same needs serve any card, in any currency;
the price stage (``estimator/core/price.py``) looks the rates up for each year and multiplies.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from cost_models.phrases import N_, Phrase


@dataclass(frozen=True)
class Element:
    """An object of expenditure, as budget statements group costs."""

    id: str
    label: str
    """A msgid (English), translated where it is shown."""
    conference_servicing: bool


ELEMENTS: dict[str, Element] = {
    e.id: e
    for e in (
        Element("interpretation", N_("Interpretation"), True),
        Element("conference-services", N_("Conference services (rooms, sound, technicians)"), True),
        Element("remote-participation", N_("Remote participation"), True),
        Element("translation", N_("Translation"), True),
        Element(
            "documentation-processing",
            N_("Documentation processing (editing, typing, reprography)"),
            True,
        ),
        Element("fellowships", N_("Fellowships"), False),
        Element("staff", N_("Staff"), False),
        Element("consultants", N_("Consultants"), False),
        Element("travel", N_("Travel and subsistence"), False),
        Element("contractual-services", N_("Contractual services"), False),
    )
}
"""The objects of expenditure, in the order the annex's tables show them. They are the budget's
classification: a new kind prices into these, it does not add its own."""


@dataclass(frozen=True)
class Need:
    """What one activity needs of one rate in each year it takes place."""

    element: str
    """An id of ELEMENTS."""
    rate_id: str
    quantity: Decimal
    quantity_unit: str
    """A msgid, e.g. 'meeting-language'."""
    basis: Phrase
    """How the quantity was obtained, e.g. '6 events × 2 days × 2 meetings × 3 languages'."""
    external: bool = False
    """External human resources (consultants, outsourced services)."""
    fixed_amount: Decimal | None = None
    """For a stated amount (services): the amount itself, not looked up, not escalated."""
    justification: str = ""
    """For a stated amount: the proposal's reason for it, shown as its source."""
    in_total: bool = False
    """The amount (or the quantity) is the whole activity's, spread in equal parts over its
    years to the hundredth; what is left over goes to the last years, so the parts add up."""

    def __post_init__(self) -> None:
        if self.element not in ELEMENTS:
            raise ValueError(
                f"need of '{self.rate_id}' is priced into '{self.element}', which is not an"
                f" object of expenditure ({', '.join(ELEMENTS)})"
            )


@dataclass(frozen=True)
class CardFacts:
    """What a kind's pricing may know of the card: never a rate's value."""

    words_per_page: int
    rates: frozenset[str] = frozenset()
    """The ids of the card's rates (a staff post is priced per post-year where the card has
    one for its grade)."""
