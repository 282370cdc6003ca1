"""A document: translated into the target languages and processed in every language version; over
several years, a year's pages (or words) or once in a named year (``Stated``); never a total
spread over the years, as a document is produced whole."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import field_validator, model_validator

from cost_models.kind import Amount, Kind
from cost_models.money import divide, product
from cost_models.needs import CardFacts, Need
from cost_models.parameters import (
    LANGUAGE_NAMES,
    SOURCE_LANGUAGE,
    TARGET_LANGUAGES,
    Language,
    PositiveNumber,
    Stated,
    language_names,
    limit,
    unique,
)
from cost_models.phrases import N_, Phrase, phrase, plural_phrase

ALL_LANGUAGES: tuple[str, ...] = ("ar", "zh", "en", "fr", "ru", "es")
"""The six official languages, in the order of the Convention's texts."""


class Documentation(Stated):
    STATED = ("pages", "words")
    TOTAL = False

    kind: Literal["documentation"]
    words: Annotated[PositiveNumber, limit(100_000_000)] | None = None
    pages: Annotated[PositiveNumber, limit(1_000_000)] | None = None
    source: Language = "en"
    """The language the document is drafted in (any of the six): it is not translated."""
    languages: tuple[Language, ...] = TARGET_LANGUAGES
    """The target languages; by default the five official languages other than the source."""
    stage: Literal["pre", "in", "post"] = "pre"

    @model_validator(mode="before")
    @classmethod
    def _targets_of_source(cls, data: Any) -> Any:
        """Without languages, a document drafted in French is translated into the five others
        (English among them), not into the default five."""
        source = data.get("source") if isinstance(data, dict) else None
        if isinstance(source, str) and source != SOURCE_LANGUAGE and "languages" not in data:
            others = [code for code in ALL_LANGUAGES if code != source]
            if len(others) == len(TARGET_LANGUAGES):
                data = {**data, "languages": others}
        return data

    @field_validator("per")
    @classmethod
    def _whole(cls, per: str | None) -> str | None:
        if per == "total":
            raise ValueError(
                'a document is produced whole, not spread over years: say per = "year" (every'
                " year) or once = YEAR (once, in that year); several documents, each its own"
                " [[activity]]"
            )
        return per

    @model_validator(mode="after")
    def _size(self) -> Documentation:
        if (self.words is None) == (self.pages is None):
            raise ValueError("give either words or pages (one of them, not both)")
        unique(self.languages, "the language")
        if self.source in self.languages:
            name = LANGUAGE_NAMES.get(self.source, self.source)
            raise ValueError(
                f"languages are the target languages: {name} is the source language,"
                f" remove '{self.source}'"
            )
        return self


def _words(n: int | Decimal) -> Phrase:
    return plural_phrase("%(n)s word", "%(n)s words", n)


def _pages(n: int | Decimal) -> Phrase:
    return plural_phrase("%(n)s page", "%(n)s pages", n)


def needs(a: Documentation, card: CardFacts) -> list[Need]:
    if a.words is not None:
        words = a.words
        words_basis = _words(words)
    else:
        pages = a.pages or Decimal(0)
        words = product(pages, Decimal(card.words_per_page))
        words_basis = Phrase(
            N_("%(pages)s × %(per_page)s words a page"),
            {"pages": _pages(pages), "per_page": card.words_per_page},
        )
    thousands = divide(words, Decimal(1000))
    found: list[Need] = []
    if a.languages:
        found.append(
            Need(
                "translation",
                "translation",
                thousands * len(a.languages),
                N_("1,000 words × language"),
                Phrase(
                    N_("%(words)s / 1,000 × %(languages)s (%(codes)s)"),
                    {
                        "words": words_basis,
                        "languages": plural_phrase(
                            "%(n)s target language", "%(n)s target languages", len(a.languages)
                        ),
                        "codes": ", ".join(a.languages),
                    },
                ),
            )
        )
    versions = len(a.languages) + 1
    found.append(
        Need(
            "documentation-processing",
            "processing",
            thousands * versions,
            N_("1,000 words × language version"),
            Phrase(
                N_("%(words)s / 1,000 × %(versions)s"),
                {
                    "words": words_basis,
                    "versions": plural_phrase(
                        "%(n)s language version", "%(n)s language versions", versions
                    ),
                },
            ),
        )
    )
    return found


STAGES = {"pre": N_("pre-session"), "in": N_("in-session"), "post": N_("post-session")}


def describe(a: Documentation, years: tuple[int, ...], amount: Amount) -> Phrase:
    """'A pre-session document of 40 pages, once, in 2030, ...' or '... of 40 pages a year,
    2027–2030, ...'."""
    size = _words(a.words) if a.words is not None else _pages(a.pages or 0)
    stage = Phrase(STAGES[a.stage])
    when = a.timing(years)
    if a.languages:
        once = N_(
            "A %(stage)s document of %(size)s, %(when)s, translated from %(source)s into"
            " %(languages)s."
        )
        yearly = N_(
            "A %(stage)s document of %(size)s %(when)s, translated from %(source)s into"
            " %(languages)s."
        )
        return phrase(
            once if len(years) == 1 else yearly,
            stage=stage,
            size=size,
            when=when,
            source=Phrase(LANGUAGE_NAMES.get(a.source, a.source)),
            languages=language_names(a.languages),
        )
    once = N_("A %(stage)s document of %(size)s, %(when)s, in %(source)s only.")
    yearly = N_("A %(stage)s document of %(size)s %(when)s, in %(source)s only.")
    return phrase(
        once if len(years) == 1 else yearly,
        stage=stage,
        size=size,
        when=when,
        source=Phrase(LANGUAGE_NAMES.get(a.source, a.source)),
    )


KIND = Kind(
    name="documentation",
    parameters=Documentation,
    needs=needs,
    rates=("translation", "processing"),
    label=N_("Documentation"),
    describe=describe,
)
