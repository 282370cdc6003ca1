"""The presentation layer: every word through a catalogue, every number through one formatter."""

from __future__ import annotations

import ast
import gettext
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest

from estimator.core.pipeline import estimate
from estimator.render import wording
from estimator.render.wording import FORMATS, article34_statement, phrase, using

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "article34"


class Marked(gettext.NullTranslations):
    """A catalogue that marks every message it translates, to see which words pass through."""

    def gettext(self, message: str) -> str:
        return "⟦" + message + "⟧"

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return "⟦" + (msgid1 if n == 1 else msgid2) + "⟧"


@pytest.mark.parametrize(
    ("value", "number", "money"),
    [
        (Decimal("8000"), "8,000", "8,000.00"),
        (Decimal("0.5"), "0.5", "0.50"),
        (Decimal("10048.3"), "10,048.3", "10,048.30"),
        (Decimal("0.4984"), "0.4984", "0.4984"),
        (Decimal("1234567.25"), "1,234,567.25", "1,234,567.25"),
        (Decimal("-10000.00"), "-10,000", "-10,000.00"),
        (366, "366", "366.00"),
    ],
)
def test_numbers_are_written_as_written_with_their_decimals_never_cut(
    value: Decimal | int, number: str, money: str
) -> None:
    assert FORMATS.number(value) == number
    assert FORMATS.money(value) == money


def test_amounts_in_a_sentence_are_rounded_to_the_cent_half_away_from_zero() -> None:
    assert FORMATS.amount("CHF", Decimal("1234.505")) == "CHF 1,234.51"
    assert FORMATS.cents(Decimal("-0.125")) == "-0.13"
    assert FORMATS.whole(Decimal("123400")) == "123,400"


@dataclass(frozen=True)
class Phrase:
    """A phrase as a kind in cost_models makes it (docs/presentation.md)."""

    msgid: str
    values: dict[str, object] = field(default_factory=dict)
    plural: str | None = None
    n: int | Decimal | None = None


def test_a_kinds_phrase_is_put_in_words_with_plurals_and_numbers_of_the_language() -> None:
    events = Phrase("%(n)s event", plural="%(n)s events", n=6)
    words = Phrase("%(n)s word", plural="%(n)s words", n=Decimal("8000"))
    one = Phrase("%(n)s day", plural="%(n)s days", n=1)
    basis = Phrase(
        "%(events)s × %(days)s, %(words)s (%(codes)s)",
        {"events": events, "days": one, "words": words, "codes": "ar, en"},
    )
    assert phrase(basis) == "6 events × 1 day, 8,000 words (ar, en)"
    with using(Marked()):
        assert phrase(basis) == "⟦⟦6 events⟧ × ⟦1 day⟧, ⟦8,000 words⟧ (ar, en)⟧"


def test_the_article_34_statement_is_made_of_catalogue_messages_only(tmp_path: Path) -> None:
    # 6 P3 work-months at CHF 10,000 a year, 2028-2029, against a plan leaving 50,000 in 2029
    path = tmp_path / "proposal.toml"
    path.write_text(_EXCEEDS, encoding="utf-8")
    outcome = estimate(path, DATA / "card.toml", plan_path=DATA / "plan.toml")
    assert outcome.estimate is not None
    a = outcome.estimate.article34
    assert a.verdict == "exceeds"
    english = article34_statement(a)
    with using(Marked()):
        marked = article34_statement(a)
    # each sentence is a message of the catalogue, and so is each clause put into one (the
    # amounts, the years, the list of excesses); without the marks, the English is unchanged
    assert marked.startswith("⟦Should the conference adopt the proposal, additional credits of ⟦")
    assert "⟦Under No. 489 of the Convention, ⟦no decision of a conference" in marked
    assert marked.replace("⟦", "").replace("⟧", "") == english


_EXCEEDS = """format = 1
[proposal]
reference = "T/1"
title = "Test proposal"
conference = "PP-26"
submitted_by = ["Testland"]
responsible = "ITU-T"
period = [2028, 2029]

[[activity]]
id = "officer"
kind = "staff"
title = "Programme officer"
grade = "P3"
months = 6
funding = "additional"
"""


def _messages(path: Path) -> list[tuple[int, str]]:
    """The string msgids of every _(), ngettext() and N_() call in a module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("_", "N_", "ngettext", "pgettext")
        ):
            for arg in node.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.append((node.lineno, arg.value))
    return found


def test_every_message_names_its_placeholders_so_a_translation_can_reorder_them() -> None:
    modules = sorted((ROOT / "estimator").rglob("*.py"))
    messages = [(p, line, m) for p in modules for line, m in _messages(p)]
    assert len(messages) > 30  # the layer's messages are found
    positional = [
        f"{p.relative_to(ROOT)}:{line}: {m}"
        for p, line, m in messages
        if "%s" in m.replace("%%", "") or "%d" in m or "{" in m
    ]
    assert positional == []
    assert all(callable(getattr(wording, n)) for n in ("_", "ngettext", "pgettext", "N_"))
