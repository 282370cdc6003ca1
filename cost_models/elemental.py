"""The elemental cost models of the spec, one small pure function per kind of activity.

Each function turns an activity into the quantities it needs per year of each rate; the price
stage looks the rates up for each year and multiplies. A function never reads a rate's value,
so the same quantities serve any card, in any currency.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from cost_models.money import divide, plain, product
from cost_models.parameters import (
    GRADES,
    Consultant,
    Documentation,
    Elemental,
    Meeting,
    Services,
    Staff,
    Travel,
)

LANGUAGE_NAMES = {
    "ar": "Arabic",
    "zh": "Chinese",
    "en": "English",
    "fr": "French",
    "ru": "Russian",
    "es": "Spanish",
}


@dataclass(frozen=True)
class Element:
    """An object of expenditure, as budget statements group costs."""

    id: str
    label: str
    conference_servicing: bool


ELEMENTS: dict[str, Element] = {
    e.id: e
    for e in (
        Element("interpretation", "Interpretation", True),
        Element("conference-services", "Conference services (rooms, sound, technicians)", True),
        Element("remote-participation", "Remote participation", True),
        Element("translation", "Translation", True),
        Element(
            "documentation-processing",
            "Documentation processing (editing, typing, reprography)",
            True,
        ),
        Element("fellowships", "Fellowships", False),
        Element("staff", "Staff", False),
        Element("consultants", "Consultants", False),
        Element("travel", "Travel and subsistence", False),
        Element("contractual-services", "Contractual services", False),
    )
}


@dataclass(frozen=True)
class Need:
    """What one activity needs of one rate in each year it takes place."""

    element: str
    rate_id: str
    quantity: Decimal
    quantity_unit: str
    basis: str
    """How the quantity was obtained, e.g. '6 events × 2 days × 2 meetings × 3 languages'."""
    external: bool = False
    """External human resources (consultants, outsourced services)."""
    fixed_amount: Decimal | None = None
    """For stated amounts (services): the amount itself, not escalated."""


@dataclass(frozen=True)
class CardFacts:
    """What a cost model may know of the card: never a rate's value."""

    words_per_page: int


def _n(value: Decimal | int, one: str, many: str | None = None) -> str:
    many = many or one + "s"
    return f"{plain(Decimal(value))} {one if value == 1 else many}"


def meeting(a: Meeting, card: CardFacts) -> list[Need]:
    parts = [_n(a.count, "event"), _n(a.days, "day"), _n(a.meetings_per_day, "meeting")]
    meetings = a.meetings
    meetings_basis = " × ".join(parts)
    needs: list[Need] = []
    if len(a.languages) >= 2:
        langs = _n(len(a.languages), "language")
        needs.append(
            Need(
                "interpretation",
                "interpretation",
                meetings * len(a.languages),
                "meeting-language",
                f"{meetings_basis} × {langs} ({', '.join(a.languages)})",
            )
        )
    if a.location != "virtual":
        needs.append(
            Need("conference-services", "conference-services", meetings, "meeting", meetings_basis)
        )
    if a.remote or a.location == "virtual":
        needs.append(
            Need(
                "remote-participation", "remote-participation", meetings, "meeting", meetings_basis
            )
        )
    if a.fellowships:
        people = a.count * a.fellowships
        people_basis = f"{_n(a.count, 'event')} × {_n(a.fellowships, 'fellowship')}"
        needs.append(
            Need("fellowships", "fellowship.travel", Decimal(people), "trip", people_basis)
        )
        needs.append(
            Need(
                "fellowships",
                "subsistence",
                people * (a.days + 1),
                "day",
                f"{people_basis} × ({_n(a.days, 'day')} + 1)",
            )
        )
    return needs


def documentation(a: Documentation, card: CardFacts) -> list[Need]:
    if a.words is not None:
        words = a.words
        words_basis = _n(words, "word")
    else:
        pages = a.pages or Decimal(0)
        words = product(pages, Decimal(card.words_per_page))
        words_basis = f"{_n(pages, 'page')} × {card.words_per_page} words a page"
    thousands = divide(words, Decimal(1000))
    needs: list[Need] = []
    if a.languages:
        needs.append(
            Need(
                "translation",
                "translation",
                thousands * len(a.languages),
                "1,000 words × language",
                f"{words_basis} / 1,000 × {_n(len(a.languages), 'target language')}"
                f" ({', '.join(a.languages)})",
            )
        )
    versions = len(a.languages) + 1
    needs.append(
        Need(
            "documentation-processing",
            "processing",
            thousands * versions,
            "1,000 words × language version",
            f"{words_basis} / 1,000 × {_n(versions, 'language version')}",
        )
    )
    return needs


def staff(a: Staff, card: CardFacts) -> list[Need]:
    time = (
        _n(a.months, "work-month")
        if a.months is not None
        else f"{plain(a.fte or Decimal(0))} FTE × 12 months"
    )
    return [
        Need(
            "staff",
            f"staff.{a.grade}",
            a.posts * a.work_months,
            "work-month",
            f"{_n(a.posts, 'post')} {a.grade} × {time}",
        )
    ]


def consultant(a: Consultant, card: CardFacts) -> list[Need]:
    if a.months is not None:
        rate, quantity, unit = "consultant.month", a.months, "month"
    else:
        rate, quantity, unit = "consultant.day", a.days or Decimal(0), "day"
    return [
        Need(
            "consultants",
            rate,
            a.count * quantity,
            f"consultant-{unit}",
            f"{_n(a.count, 'consultant')} × {_n(quantity, unit)}",
            external=True,
        )
    ]


def travel(a: Travel, card: CardFacts) -> list[Need]:
    needs = [Need("travel", f"travel.{a.traveller}", Decimal(a.trips), "trip", _n(a.trips, "trip"))]
    if a.days:
        needs.append(
            Need(
                "travel",
                "subsistence",
                a.trips * a.days,
                "day",
                f"{_n(a.trips, 'trip')} × {_n(a.days, 'day')}",
            )
        )
    return needs


def services(a: Services, card: CardFacts) -> list[Need]:
    return [
        Need(
            "contractual-services",
            f"services.{a.id}",
            Decimal(1),
            "lump sum",
            "amount stated in the proposal",
            external=a.external,
            fixed_amount=a.amount,
        )
    ]


COST_MODELS: dict[str, Callable[..., list[Need]]] = {
    "meeting": meeting,
    "documentation": documentation,
    "staff": staff,
    "consultant": consultant,
    "travel": travel,
    "services": services,
}


RATES_THE_COST_MODELS_USE: tuple[str, ...] = (
    "interpretation",
    "conference-services",
    "remote-participation",
    "fellowship.travel",
    "subsistence",
    "translation",
    "processing",
    *(f"staff.{grade}" for grade in GRADES),
    "consultant.month",
    "consultant.day",
    "travel.staff",
    "travel.expert",
)
"""Every card rate an elemental cost model may ask for (services amounts are stated, not
looked up). A card without one of them cannot price the activities that need it."""


def needs_of(activity: Elemental, card: CardFacts) -> list[Need]:
    return COST_MODELS[activity.kind](activity, card)
