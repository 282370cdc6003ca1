"""The presentation layer: every word through a catalogue, every number through one formatter."""

from __future__ import annotations

import ast
import datetime as dt
import gettext
import html
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from babel.numbers import format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from cost_models.money import ROUNDING_RULE, to_cents
from estimator.batch.run import ORDER_RULE
from estimator.core.pipeline import estimate
from estimator.render import wording
from estimator.render.options import LANGUAGES
from estimator.render.wording import (
    FORMATS,
    ORDER_RULE_TEXT,
    ROUNDING_RULE_TEXT,
    Formats,
    article34_statement,
    phrase,
    using,
)

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


def test_dates_are_written_as_the_locale_writes_them() -> None:
    assert FORMATS.date(dt.date(2026, 9, 20)) == "2026-09-20"
    assert FORMATS.long_date(dt.date(2020, 1, 1)) == "1 January 2020"
    assert Formats("fr").long_date(dt.date(2020, 1, 1)) == "1 janvier 2020"


def test_amounts_in_a_sentence_are_rounded_to_the_cent_half_away_from_zero() -> None:
    assert FORMATS.amount("CHF", Decimal("1234.505")) == "CHF\u00a01,234.51"
    assert FORMATS.cents(Decimal("-0.125")) == "-0.13"
    assert FORMATS.whole(Decimal("123400")) == "123,400"


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", "CHF\u00a014,400.00"),
        ("zh", "CHF\u00a014,400.00"),
        ("fr", "14\u202f400,00\u00a0CHF"),
        ("ru", "14\u00a0400,00\u00a0CHF"),
        ("es", "14.400,00\u00a0CHF"),
        ("ar", "14,400.00\u00a0CHF"),
    ],
)
def test_a_currency_code_is_joined_to_its_figure_by_a_no_break_space_in_every_language(
    lang: str, said: str
) -> None:
    # a line may never end with 'CHF' and the next start with '14,400': U+00A0, on the side
    # of the figure where CLDR's currency pattern of the language puts the code
    with wording.language(lang):
        assert FORMATS.amount("CHF", Decimal("14400")) == said


def test_a_code_and_a_figure_in_an_authors_text_are_joined_and_nothing_else_changes() -> None:
    card = "648 × 0.821 = USD 532.01 a day, × CHF 0.8220 per USD (A/80/400 para. 155). An ITU-D"
    assert wording.amounts_unbroken(card) == (
        "648 × 0.821 = USD\u00a0532.01 a day, × CHF\u00a00.8220 per USD (A/80/400 para. 155). "
        "An ITU-D"
    )
    # a figure before its code, as French writes it; a budget unit's code after a year is not
    # a currency and keeps its space
    assert wording.amounts_unbroken("soit 1 200 CHF en 2029 ITU-D") == (
        "soit 1 200\u00a0CHF en 2029 ITU-D"
    )
    assert wording.amounts_unbroken("USD -5 and SWIFT 12") == "USD\u00a0-5 and SWIFT 12"


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
    # years, the list of excesses; an amount is its figure and currency code, placed as CLDR
    # says); without the marks, the English is unchanged
    assert marked.startswith("⟦Should the conference adopt the proposal, additional credits of CHF")
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
    """The string msgids of every _(), ngettext(), N_() call in a module, and of the phrases
    that the activity kinds hand over (phrase(), plural_phrase())."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("_", "N_", "ngettext", "pgettext", "phrase", "plural_phrase")
        ):
            for arg in node.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.append((node.lineno, arg.value))
    return found


def test_every_message_names_its_placeholders_so_a_translation_can_reorder_them() -> None:
    modules = sorted((ROOT / "estimator").rglob("*.py")) + sorted(
        (ROOT / "cost_models").rglob("*.py")
    )
    messages = [(p, line, m) for p in modules for line, m in _messages(p)]
    assert len(messages) > 30  # the layer's messages are found
    positional = [
        f"{p.relative_to(ROOT)}:{line}: {m}"
        for p, line, m in messages
        if "%s" in m.replace("%%", "") or "%d" in m or "{" in m
    ]
    assert positional == []
    assert all(callable(getattr(wording, n)) for n in ("_", "ngettext", "pgettext", "N_"))


@settings(max_examples=300, deadline=None)
@given(
    digits=st.integers(min_value=-(10**15), max_value=10**15),
    places=st.integers(min_value=0, max_value=6),
    locale=st.sampled_from(["en", "fr", "ar"]),
)
def test_every_number_is_written_as_babel_writes_it_for_the_locale(
    digits: int, places: int, locale: str
) -> None:
    """The formats write what Babel's format_decimal writes with CLDR's data for the locale
    (English today; French marks and Arabic's own signs show the locale is honoured)."""
    value = Decimal(digits).scaleb(-places)
    formats = Formats(locale)

    def babel(pattern: str, exact: bool, v: Decimal = value) -> str:
        return format_decimal(v, pattern, locale=locale, decimal_quantization=not exact)

    assert formats.number(value) == babel("#,##0.###", True)
    assert formats.money(value) == babel("#,##0.00", True)
    assert formats.whole(value) == babel("#,##0", False)
    assert formats.percent(value) == babel("0.0", False)
    assert formats.cents(value) == babel("#,##0.00", False, to_cents(value))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_iso_date_written_without_babel_is_the_one_babel_writes(lang: str) -> None:
    from babel.dates import format_date

    locale = wording._locale(lang)
    for day in (dt.date(2026, 9, 20), dt.date(1999, 12, 31), dt.date(2030, 1, 1)):
        assert Formats(lang).date(day) == format_date(day, "yyyy-MM-dd", locale=locale)


def test_the_marks_taken_without_babel_are_those_babel_gives() -> None:
    for locale, marks in wording.VERIFIED_MARKS.items():
        assert wording._probed_marks(locale) == marks


def test_the_reports_state_the_rules_the_json_records() -> None:
    assert ROUNDING_RULE_TEXT == ROUNDING_RULE
    assert ORDER_RULE_TEXT == ORDER_RULE


def test_the_order_rule_is_said_without_the_file_format_s_words() -> None:
    """The batch report said 'by the 'submitted' date of [proposal]': a key and a table of the
    TOML file, not words a committee reads."""
    assert "[" not in ORDER_RULE_TEXT and "'" not in ORDER_RULE_TEXT
    assert "date each proposal was submitted" in ORDER_RULE_TEXT


RENDERERS = [
    *sorted((ROOT / "estimator" / "render").glob("*.py")),
    ROOT / "estimator" / "batch" / "report.py",
    ROOT / "estimator" / "cli" / "summary.py",
]


def test_renderers_format_no_number_themselves() -> None:
    """Thousands separators and decimals come from the one formatter (locale-aware), never
    from an f-string or format() spec in a renderer; padding for columns is layout, and a
    column's width measured from a number's length is no text: both allowed."""
    found = []
    for path in RENDERERS:
        if path.name == "wording.py":  # the formatter itself
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        widths = {
            id(n)
            for f in ast.walk(tree)
            if isinstance(f, ast.FunctionDef) and "width" in f.name
            for n in ast.walk(f)
        }
        for node in ast.walk(tree):
            if id(node) in widths:
                continue
            specs: list[ast.expr] = []
            if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
                specs.append(node.format_spec)
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "format":
                specs.extend(node.args[1:2])
            for spec in specs:
                text = "".join(str(c.value) for c in ast.walk(spec) if isinstance(c, ast.Constant))
                if re.search(r"[,_]|\.\d*[fFeEg%]|^[fFeEg%]$", text):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {text!r}")
    assert found == [], found


def test_templates_hold_no_words_of_their_own() -> None:
    """Every word a template shows comes from the view model or a catalogue call (_() in
    Jinja's i18n extension): outside Jinja's tags and HTML's markup, no word is left."""
    left = {}
    for path in sorted((ROOT / "templates").glob("*.j2")):
        text = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", path.read_text("utf-8"), flags=re.S)
        if path.name.endswith(".html.j2"):
            text = re.sub(r"<style>.*?</style>|<[^>]*>|&[a-z]+;", " ", text, flags=re.S)
        words = set(re.findall(r"[A-Za-z]{2,}", text)) - {"finimpact"}  # the tool's name
        if words:
            left[path.name] = sorted(words)
    # the Word template: the text of its body, header, footer and properties
    with zipfile.ZipFile(ROOT / "templates" / "annex.docx") as docx:
        for name in docx.namelist():
            if name.startswith(("word/", "docProps/")) and name.endswith(".xml"):
                xml = re.sub(r"<[^>]*>", " ", docx.read(name).decode("utf-8"))
                text = re.sub(r"\{%.*?%\}|\{\{.*?\}\}", " ", html.unescape(xml), flags=re.S)
                words = set(re.findall(r"[A-Za-z]{2,}", text)) - {"finimpact"}
                if words:
                    left[name] = sorted(words)
    assert left == {}


def test_two_threads_write_in_their_own_languages_at_the_same_time() -> None:
    """The web app renders requests in worker threads: a French annex being written must not
    switch a Russian one written at the same moment (the language is per context, not global)."""
    import threading

    seen: dict[str, list[str]] = {"fr": [], "ru": []}
    both_inside = threading.Barrier(2)

    def write(lang: str) -> None:
        with wording.language(lang):
            both_inside.wait(timeout=10)  # both blocks are open at once
            for _ in range(50):
                written = FORMATS.money(Decimal("1234.5"))
                seen[lang].append(written + "|" + wording.current_language())

    threads = [threading.Thread(target=write, args=(lang,)) for lang in seen]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with wording.language("fr"):
        french = FORMATS.money(Decimal("1234.5")) + "|fr"
    with wording.language("ru"):
        russian = FORMATS.money(Decimal("1234.5")) + "|ru"
    assert set(seen["fr"]) == {french}
    assert set(seen["ru"]) == {russian}
    assert french != russian
    assert wording.current_language() == "en"
