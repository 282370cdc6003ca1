"""A meeting: events of some days, with interpretation, conference services, remote
participation and fellowships."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictInt, model_validator

from cost_models.kind import Amount, Kind
from cost_models.needs import CardFacts, Need
from cost_models.parameters import (
    ActivityBase,
    Language,
    PositiveNumber,
    language_names,
    limit,
    unique,
)
from cost_models.phrases import N_, Phrase, phrase, plural_phrase, series


class Meeting(ActivityBase):
    kind: Literal["meeting"]
    count: Annotated[StrictInt, Field(ge=1, le=1000)] = 1
    days: Annotated[PositiveNumber, limit(366)]
    meetings_per_day: Annotated[StrictInt, Field(ge=1, le=4)] = 2
    languages: tuple[Language, ...] = ()
    location: Literal["geneva", "away", "virtual"] = "geneva"
    remote: StrictBool = False
    fellowships: Annotated[StrictInt, Field(ge=0, le=10_000)] = 0

    @model_validator(mode="after")
    def _languages(self) -> Meeting:
        unique(self.languages, "the language")
        return self

    @property
    def meetings(self) -> Decimal:
        return self.count * self.days * self.meetings_per_day


def _events(n: int | Decimal) -> Phrase:
    return plural_phrase("%(n)s event", "%(n)s events", n)


def _days(n: int | Decimal) -> Phrase:
    return plural_phrase("%(n)s day", "%(n)s days", n)


def _fellowships(n: int | Decimal) -> Phrase:
    return plural_phrase("%(n)s fellowship", "%(n)s fellowships", n)


def needs(a: Meeting, card: CardFacts) -> list[Need]:
    meetings_basis = Phrase(
        N_("%(events)s × %(days)s × %(meetings)s"),
        {
            "events": _events(a.count),
            "days": _days(a.days),
            "meetings": plural_phrase("%(n)s meeting", "%(n)s meetings", a.meetings_per_day),
        },
    )
    meetings = a.meetings
    found: list[Need] = []
    if len(a.languages) >= 2:
        found.append(
            Need(
                "interpretation",
                "interpretation",
                meetings * len(a.languages),
                N_("meeting-language"),
                Phrase(
                    N_("%(meetings)s × %(languages)s (%(codes)s)"),
                    {
                        "meetings": meetings_basis,
                        "languages": plural_phrase(
                            "%(n)s language", "%(n)s languages", len(a.languages)
                        ),
                        "codes": ", ".join(a.languages),
                    },
                ),
            )
        )
    if a.location != "virtual":
        found.append(
            Need(
                "conference-services",
                "conference-services",
                meetings,
                N_("meeting"),
                meetings_basis,
            )
        )
    if a.remote or a.location == "virtual":
        found.append(
            Need(
                "remote-participation",
                "remote-participation",
                meetings,
                N_("meeting"),
                meetings_basis,
            )
        )
    if a.fellowships:
        people = a.count * a.fellowships
        people_basis = Phrase(
            N_("%(events)s × %(fellowships)s"),
            {"events": _events(a.count), "fellowships": _fellowships(a.fellowships)},
        )
        found.append(
            Need("fellowships", "fellowship.travel", Decimal(people), N_("trip"), people_basis)
        )
        found.append(
            Need(
                "fellowships",
                "subsistence",
                people * (a.days + 1),
                N_("day"),
                Phrase(
                    N_("%(people)s × (%(days)s + 1)"),
                    {"people": people_basis, "days": _days(a.days)},
                ),
            )
        )
    return found


LOCATIONS = {
    "geneva": N_("in Geneva"),
    "away": N_("away from Geneva (the host country pays the costs above those of Geneva)"),
    "virtual": N_("virtually"),
}


def describe(a: Meeting, years: tuple[int, ...], amount: Amount) -> Phrase:
    parts: list[Phrase] = [
        phrase(
            "%(events)s a year of %(days)s each, %(sessions)s a day (%(meetings)s a year), "
            "held %(where)s",
            events=_events(a.count),
            days=_days(a.days),
            sessions=plural_phrase(
                "%(n)s three-hour meeting", "%(n)s three-hour meetings", a.meetings_per_day
            ),
            meetings=plural_phrase("%(n)s meeting", "%(n)s meetings", a.meetings),
            where=Phrase(LOCATIONS[a.location]),
        )
    ]
    languages = language_names(a.languages)
    if len(a.languages) >= 2:
        parts.append(phrase("with interpretation in %(languages)s", languages=languages))
    elif a.languages:
        parts.append(phrase("in %(languages)s without interpretation", languages=languages))
    else:
        parts.append(phrase("without interpretation"))
    if a.remote and a.location != "virtual":
        parts.append(phrase("with remote participation"))
    text = series(parts)
    if a.fellowships:
        fellows = plural_phrase(
            "%(n)s fellowship per event", "%(n)s fellowships per event", a.fellowships
        )
        text = phrase("%(meeting)s; %(fellowships)s", meeting=text, fellowships=fellows)
    return phrase("%(description)s.", description=text)


KIND = Kind(
    name="meeting",
    parameters=Meeting,
    needs=needs,
    rates=(
        "interpretation",
        "conference-services",
        "remote-participation",
        "fellowship.travel",
        "subsistence",
    ),
    label=N_("Meetings"),
    describe=describe,
)
