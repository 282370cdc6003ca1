"""A document: translated into the target languages and processed in every language version."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import model_validator

from cost_models.kind import Amount, Kind
from cost_models.money import divide, product
from cost_models.needs import CardFacts, Need
from cost_models.parameters import (
    SOURCE_LANGUAGE,
    TARGET_LANGUAGES,
    ActivityBase,
    Language,
    PositiveNumber,
    language_names,
    limit,
    unique,
)
from cost_models.phrases import N_, Phrase, phrase, plural_phrase


class Documentation(ActivityBase):
    kind: Literal["documentation"]
    words: Annotated[PositiveNumber, limit(100_000_000)] | None = None
    pages: Annotated[PositiveNumber, limit(1_000_000)] | None = None
    languages: tuple[Language, ...] = TARGET_LANGUAGES
    stage: Literal["pre", "in", "post"] = "pre"

    @model_validator(mode="after")
    def _size(self) -> Documentation:
        if (self.words is None) == (self.pages is None):
            raise ValueError("give either words or pages (one of them, not both)")
        unique(self.languages, "the language")
        if SOURCE_LANGUAGE in self.languages:
            raise ValueError(
                "languages are the target languages: English is the source language, remove 'en'"
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
    size = _words(a.words) if a.words is not None else _pages(a.pages or 0)
    stage = Phrase(STAGES[a.stage])
    if a.languages:
        return phrase(
            "A %(stage)s document of %(size)s a year, translated from English into %(languages)s.",
            stage=stage,
            size=size,
            languages=language_names(a.languages),
        )
    return phrase(
        "A %(stage)s document of %(size)s a year, in English only.", stage=stage, size=size
    )


KIND = Kind(
    name="documentation",
    parameters=Documentation,
    needs=needs,
    rates=("translation", "processing"),
    label=N_("Documentation"),
    describe=describe,
)
