"""The words of every output, in one place: sentences, labels, plurals, numbers and dates.

The core returns facts (typed results, Decimal amounts, years, codes); every renderer (the
annex, the workbooks, the batch report, the console summary, the JSON statement) turns them into
words through this module only. Each message is a gettext call with named placeholders
(``_("Total over the period %(years)s")``, ``ngettext`` for plurals), so that a catalogue
extracted by Babel can replace the English without a change of code; numbers and dates go
through :class:`Formats` (Babel's CLDR formats). Today the catalogue is the English identity
(``gettext.NullTranslations``) and the locale is ``en``. See docs/presentation.md.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
import gettext
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

from cost_models.money import to_cents
from estimator.render.options import LANGUAGES
from estimator.render.scripts import as_written, ltr

if TYPE_CHECKING:
    import jinja2
    from babel import Locale

    from estimator.core.estimate import Assessment

LOCALE = "en"
"""The language of the outputs when nothing else is asked: English, the msgids themselves."""

DOMAIN = "finimpact"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
"""estimator/locale/<language>/LC_MESSAGES/finimpact.po and .mo (docs/languages.md)."""

CLDR_LOCALES = {"ar": "ar", "zh": "zh_Hans", "en": "en", "fr": "fr", "ru": "ru", "es": "es"}
"""The CLDR locale whose number and date formats each language's outputs follow."""

NUMBERING = {"ar": "latn"}
"""Digits other than the locale's default: Arabic outputs write Western digits (0-9), as the
documents of the Union and of the United Nations in Arabic do (docs/languages.md)."""

_writing: contextvars.ContextVar[tuple[str, gettext.NullTranslations]] = contextvars.ContextVar(
    "finimpact_writing", default=(LOCALE, gettext.NullTranslations())
)
"""The language being written and its catalogue, per thread and per task (a context variable,
not a module global): two requests of the web app rendering in two languages at once, in two
threads or two tasks, each write in their own."""


@functools.lru_cache(maxsize=8)
def catalogue(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of a language (its .mo, read by the standard library: no Babel at
    run time); English is the identity."""
    if lang not in LANGUAGES:
        raise ValueError(f"no catalogue for {lang!r}: one of {', '.join(LANGUAGES)}")
    if lang == LOCALE:
        return gettext.NullTranslations()
    with (LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo").open("rb") as f:
        return gettext.GNUTranslations(f)


def current_language() -> str:
    """The language the outputs are being written in ('en', 'fr', ...)."""
    return _writing.get()[0]


@contextlib.contextmanager
def language(lang: str) -> Iterator[None]:
    """Write in ``lang`` (one of :data:`LANGUAGES`) for the duration of a block: its catalogue
    and its number and date formats (``FORMATS``)."""
    token = _writing.set((lang, catalogue(lang)))
    try:
        yield
    finally:
        _writing.reset(token)


@contextlib.contextmanager
def using(translations: gettext.NullTranslations) -> Iterator[None]:
    """Render with another catalogue (a compiled ``.mo`` read by ``gettext.GNUTranslations``)
    for the duration of a block."""
    token = _writing.set((current_language(), translations))
    try:
        yield
    finally:
        _writing.reset(token)


def _(message: str) -> str:
    """The message in the output's language (a gettext msgid, English, named placeholders)."""
    return _writing.get()[1].gettext(message)


def ngettext(singular: str, plural: str, n: int | Decimal) -> str:
    """The singular or plural form of a message for the count ``n`` (as the language counts)."""
    count = int(n) if n == int(n) else 2  # a fraction (0.5 posts) takes the plural in English
    return _writing.get()[1].ngettext(singular, plural, count)


def pgettext(context: str, message: str) -> str:
    """A message whose meaning depends on a context (e.g. the separator of a list)."""
    return _writing.get()[1].pgettext(context, message)


def N_(message: str) -> str:
    """Marks a message for extraction without translating it: for labels kept in tables at
    import time, translated with ``_()`` where they are shown."""
    return message


# -- Phrases: wording that parts outside the renderers (cost_models' kinds) hand over ---------


class PhraseLike(Protocol):
    """What a renderer needs of a piece of wording made where this module cannot be imported
    (``cost_models`` never imports ``estimator``): an English msgid with named placeholders,
    the values to put in them, and for a plural its plural msgid and the count."""

    @property
    def msgid(self) -> str: ...

    @property
    def values(self) -> Mapping[str, object]: ...

    @property
    def plural(self) -> str | None: ...

    @property
    def n(self) -> int | Decimal | None: ...


def phrase(p: PhraseLike | str) -> str:
    """A phrase in the output's language: the msgid translated (``ngettext`` when it has a
    plural), each value put in its placeholder: a phrase in turn as a phrase, a number as the
    locale writes it (:meth:`Formats.number`), text as it is. A plain string is translated as a
    msgid (labels such as an object of expenditure's)."""
    if isinstance(p, str):
        return _(p)
    if p.plural is not None and p.n is not None:
        text = ngettext(p.msgid, p.plural, p.n)
    else:
        text = _(p.msgid)
    values = {k: _value(v) for k, v in p.values.items()}
    if p.n is not None and "n" not in values:
        values["n"] = FORMATS.number(p.n)
    return text % values if values or "%" in text else text


def _value(value: object) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | Decimal):
        return FORMATS.number(value)
    if isinstance(value, str):  # a code or a name ('P3', 'ar, en, fr'): apart in Arabic
        return as_written(value, current_language())
    return phrase(value)  # type: ignore[arg-type]


# -- Numbers and dates -------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _locale(name: str) -> Locale:
    """The CLDR locale of one of the six languages (or of a CLDR locale name, for tests)."""
    from babel import Locale  # imported on first use: commands that show no number skip it

    return Locale.parse(CLDR_LOCALES.get(name, name))


@functools.lru_cache(maxsize=4096)
def _babel(locale: str, text: str, pattern: str, exact: bool) -> str:
    """A number (given as its decimal text) in a CLDR pattern, by Babel; ``exact`` keeps every
    decimal the number has (never cut), else the pattern's."""
    from babel.numbers import format_decimal

    return format_decimal(
        Decimal(text),
        pattern,
        locale=_locale(locale),
        decimal_quantization=not exact,
        numbering_system=NUMBERING.get(locale, "default"),
    )


_MIN_PLACES = {"#,##0.###": 0, "#,##0.00": 2, "#,##0": 0, "0.0": 1}
"""The patterns the outputs use, and the decimals each shows at least."""
_USES = (("#,##0.###", True), ("#,##0.00", True), ("#,##0", False), ("0.0", False))
"""Each pattern with whether it keeps every decimal (exact) or rounds to its own."""


def _plain(value: Decimal, pattern: str, exact: bool, marks: Mapping[int, str] | None) -> str:
    """What Babel writes for a locale of three-digit groups and Western digits, by Python's
    own decimal formatting (which rounds half to even, as Babel does), its ',', '.' and '-'
    then replaced by the locale's marks (none to replace in English)."""
    places = _MIN_PLACES[pattern]
    if exact:  # keep every decimal the number has, beyond the pattern's least
        digits = format(value, "f")
        point = digits.find(".")
        if point >= 0 and len(digits) - point - 1 > places:
            places = max(places, len(digits.rstrip("0")) - point - 1)
    text = format(value, f",.{places}f" if "," in pattern else f".{places}f")
    return text.translate(marks) if marks else text


_PROBES = ("0", "7", "12", "1234", "-1234.5", "0.5", "0.4984", "1234567.891", "123456789012.25")


VERIFIED_MARKS: dict[str, dict[int, str]] = {"en": {}}
"""Locales whose marks a test checks against Babel (tests/test_wording.py): English writes
',', '.' and '-' as Python does, so English output needs no Babel at run time (it costs some
25 ms to import and 10 ms to load a locale, on every command that prints an amount)."""


@functools.lru_cache(maxsize=8)
def _marks(locale: str) -> dict[int, str] | None:
    if locale in VERIFIED_MARKS:
        return VERIFIED_MARKS[locale]
    return _probed_marks(locale)


def _probed_marks(locale: str) -> dict[int, str] | None:
    """How the locale's group and decimal marks and minus sign replace ',', '.' and '-' (empty
    for English), if Babel writes every probe in every pattern as :func:`_plain` does with
    them (English, and most locales of three-digit groups): then numbers are written without
    Babel's per-call cost (some 20 µs, against 2: a batch of thousands of proposals shows
    hundreds of thousands of figures). None: Babel writes each number."""
    from babel.numbers import get_decimal_symbol, get_group_symbol, get_minus_sign_symbol

    loc = _locale(locale)
    digits = NUMBERING.get(locale, "default")
    symbols = (
        get_group_symbol(loc, numbering_system=digits),
        get_decimal_symbol(loc, numbering_system=digits),
        get_minus_sign_symbol(loc, numbering_system=digits),
    )
    marks = {ord(plain): mark for plain, mark in zip(",.-", symbols, strict=True) if plain != mark}
    # Babel's patterns may write a plain '-' where the locale's minus sign has a direction mark
    # (Arabic with Western digits: U+200E then '-'): try the marks with and without it
    plain_minus = {k: v for k, v in marks.items() if k != ord("-")}
    for candidate in (marks, plain_minus) if plain_minus != marks else (marks,):
        if all(
            _plain(Decimal(text), pattern, exact, candidate) == _babel(locale, text, pattern, exact)
            for text in _PROBES
            for pattern, exact in _USES
        ):
            return candidate
    return None


def _decimal(locale: str, value: Decimal, pattern: str, exact: bool) -> str:
    marks = _marks(locale)
    if marks is None:
        return _babel(locale, str(value), pattern, exact)
    return _plain(value, pattern, exact, marks)


class Formats:
    """Every number and date of the outputs, as the locale writes them (Babel, CLDR data).

    Amounts are rounded by the project's one rule (``cost_models.money``) or by the annex's
    controlled rounding before they get here: a format only writes digits, it never rounds
    money by a rule of its own."""

    def __init__(self, locale: str | None = None) -> None:
        self._fixed = locale

    @property
    def locale(self) -> str:
        """The language these formats follow: the one named when made, else the language being
        written (:func:`language`)."""
        return self._fixed or current_language()

    def number(self, value: Decimal | int) -> str:
        """A quantity as written, thousands grouped: 8000 → '8,000', 0.5 → '0.5'."""
        return _decimal(self.locale, Decimal(value), "#,##0.###", True)

    def money(self, value: Decimal | int) -> str:
        """A sum of money as written, at least two decimals, never cut: 10048.3 → '10,048.30',
        366 → '366.00', a rate of 0.4984 → '0.4984'."""
        return _decimal(self.locale, Decimal(value), "#,##0.00", True)

    def cents(self, value: Decimal) -> str:
        """An amount to the cent (rounded by the one rule): 1234.5 → '1,234.50'."""
        return _decimal(self.locale, to_cents(value), "#,##0.00", True)

    def whole(self, value: Decimal) -> str:
        """An amount already rounded to a whole unit (the annex's tables): 123400 → '123,400'."""
        return _decimal(self.locale, value, "#,##0", False)

    def percent(self, value: Decimal) -> str:
        """A share in per cent to one decimal, without the sign: 5.06 → '5.1'."""
        return _decimal(self.locale, value, "0.0", False)

    def date(self, value: dt.date) -> str:
        """A date as the annex shows it: ISO 8601 ('2026-09-20'), in every language for now.
        CLDR's 'yyyy-MM-dd' writes Western digits in all six languages (Arabic included: the
        outputs' digits are Western, see NUMBERING), which is Python's own ISO format: a test
        checks each language against Babel, so a date needs no locale data (loading it was a
        twentieth of an English estimate, bench/startup.py)."""
        return value.isoformat()

    def long_date(self, value: dt.date) -> str:
        """A date in words, as a sentence gives it: '1 January 2020' (United Nations style in
        English), CLDR's long date in the other languages ('1 janvier 2020')."""
        from babel.dates import format_date

        pattern = "d MMMM y" if self.locale == "en" else "long"
        return format_date(value, pattern, locale=_locale(self.locale))

    def amount(self, currency: str, value: Decimal) -> str:
        """An amount to the cent with its currency, as a sentence gives it: 'CHF 1,234.50'."""
        return currency_amount(currency, self.cents(value))

    def currency_before(self) -> bool:
        """Whether the locale writes a currency before the figure (CLDR's currency pattern:
        'CHF 1,234.50' in English and Chinese, '1 234,50 CHF' in French)."""
        return _currency_before(self.locale)


@functools.lru_cache(maxsize=8)
def _currency_before(locale: str) -> bool:
    if locale == "en":
        return True
    pattern: str = _locale(locale).currency_formats["standard"].pattern.split(";")[0]
    return pattern.lstrip("\u200e\u200f\u061c").startswith("¤")


FORMATS = Formats()
"""The formats of the output's language (:func:`language` changes its locale)."""


def currency_amount(currency: str, figure: str) -> str:
    """A formatted figure with its currency code, in the order of the language's CLDR currency
    pattern: 'CHF 1,234.50' in English and Chinese, '1 234,50 CHF' in French. In every language
    the two are joined by a no-break space (U+00A0, CLDR's currency spacing), so that a line
    never ends with 'CHF' and starts with '14,400'."""
    if FORMATS.currency_before():
        return f"{currency}\u00a0{figure}"
    return f"{figure}\u00a0{currency}"


_CODE_BESIDE_FIGURE = re.compile(r"(?<![\w-])([A-Z]{3}) (?=-?\d)|(?<=\d) (?=[A-Z]{3}(?![\w-]))")
"""A space between a code of three capitals ('USD', 'CHF') and a figure, on either side."""


def amounts_unbroken(text: str) -> str:
    """An author's text (a card's derivation or source, a proposal's note) with each currency
    code joined to its figure by a no-break space, as :func:`currency_amount` joins ours: '=
    USD 532.01 a day, × CHF 0.8220 per USD' never ends a line with 'USD'. Any code of three
    capitals next to a figure is kept with it ('WRC 2027' too, which does no harm); nothing
    else changes."""
    if " " not in text:
        return text
    return _CODE_BESIDE_FIGURE.sub(lambda m: (m[1] or "") + "\u00a0", text)


# -- Labels: codes of the facts, as outputs name them ----------------------------------------

FUNDING_LABELS = {
    "additional": N_("Additional credits (regular budget)"),
    "existing": N_("Within existing budgetary provisions"),
    "extrabudgetary": N_("Extrabudgetary (voluntary contributions)"),
}
FUNDING_SOURCES = {
    "additional": N_("additional credits (regular budget)"),
    "existing": N_("within existing budgetary provisions"),
    "extrabudgetary": N_("extrabudgetary (voluntary contributions)"),
}
"""The same, inside a sentence or a list ('additional credits (regular budget) CHF 1,200')."""
FUNDING_COLUMNS = {
    "additional": N_("Additional"),
    "existing": N_("Existing"),
    "extrabudgetary": N_("Extrabudgetary"),
}
"""The same, as a column of the batch report."""
BATCH_VERDICTS = {
    "within": N_("within"),
    "exceeds": N_("exceeds"),
    "additional": N_("no headroom to compare"),
    "absorbed": N_("within existing provisions"),
    "extrabudgetary": N_("extrabudgetary only"),
    "none": N_("no cost"),
}
"""A proposal's Article 34 verdict taken alone, as a cell of the batch report (under a
heading that names the headroom of the plan)."""
BATCH_VERDICTS_EXPLAINED = N_(
    "Verdicts against the headroom of the plan. Taken alone: the proposal's own additional "
    "credits, as its Article 34 statement says. Together with those before it: the running "
    "total of the additional credits in submission order, in each year and budget unit where "
    "the proposal asks for credits; “first to exceed” names where this proposal's credits take "
    "the running total over the headroom, “adds to the excess” where an earlier proposal "
    "already had."
)
"""What the batch report's two verdicts mean (the same words as over its HTML and Markdown
tables)."""
VERDICTS = {
    "none": N_("no financial implications"),
    "absorbed": N_("no additional credits: met within existing budgetary provisions"),
    "extrabudgetary": N_(
        "no additional credits: met from voluntary contributions (and existing provisions)"
    ),
    "additional": N_("additional credits required (no financial plan to compare with)"),
    "within": N_("additional credits, within the credits available in the financial plan"),
    "exceeds": N_("additional credits, exceeding the credits available in the financial plan"),
}
"""A proposal's Article 34 verdict in words, beside its statement (the workbook's Summary)."""
ACTION_LABELS = {
    "ADD": N_("ADD (addition)"),
    "MOD": N_("MOD (modification)"),
    "SUP": N_("SUP (suppression)"),
}


def instrument_text(written: str) -> str:
    """The kind of text a proposal adds or changes, in the output's language when it is one of
    the Union's usual names ('Resolution', 'agenda item', in any case); any other wording as
    the proposal writes it."""
    usual = {
        "resolution": pgettext("instrument", "Resolution"),
        "decision": pgettext("instrument", "Decision"),
        "recommendation": pgettext("instrument", "Recommendation"),
        "question": pgettext("instrument", "Question"),
        "opinion": pgettext("instrument", "Opinion"),
        "agenda item": pgettext("instrument", "agenda item"),
    }
    return usual.get(" ".join(written.split()).casefold(), written)


UNIT_LABELS = {
    "GS": N_("General Secretariat"),
    "ITU-R": N_("Radiocommunication Sector (ITU-R)"),
    "ITU-T": N_("Telecommunication Standardization Sector (ITU-T)"),
    "ITU-D": N_("Telecommunication Development Sector (ITU-D)"),
}
BASIS_LABELS = {
    "published": N_("published"),
    "derived": N_("derived from published figures"),
    "assumed": N_("assumed"),
}
BASIS_EXPLAINED = {
    "published": N_("published (the figure is in its source)"),
    "derived": N_("derived (arithmetic on published figures)"),
    "assumed": N_("assumed (a stated assumption)"),
    "stated": N_("stated (an amount the proposal states)"),
}
"""The basis of a rate value with what it means, for the console summary."""
BASIS_SHARES = {
    "published": N_("published figures"),
    "derived": N_("derived from published figures"),
    "assumed": N_("assumed"),
    "stated": N_("stated in the proposal"),
}
"""The basis of a share of the total, in the annex's one-line reliability statement."""
ROUNDING_RULE_TEXT = N_(
    "Each cost line is rounded to the cent, half away from zero; totals are sums of lines."
)
"""cost_models.money.ROUNDING_RULE, in words (the JSON keeps that one in English)."""
ORDER_RULE_TEXT = N_(
    "Submission order: by the date each proposal was submitted, then by file path; proposals "
    "without a date come after those with one."
)
"""estimator.batch.run.ORDER_RULE, in words (the batch JSON keeps that one in English)."""


def label(table: Mapping[str, str], code: str) -> str:
    """A code's label from one of the tables above, in the output's language; an unknown code
    as it is."""
    return _(table[code]) if code in table else code


# -- Lists, years and periods ------------------------------------------------------------------


def join_words(parts: Sequence[str]) -> str:
    """A list as a sentence gives it: 'A', 'A and B', 'A, B and C' (no serial comma, as in
    United Nations editorial style)."""
    if len(parts) < 2:
        return "".join(parts)
    return _("%(items)s and %(last)s") % {
        "items": pgettext("list separator", ", ").join(parts[:-1]),
        "last": parts[-1],
    }


def span(first: int, last: int) -> str:
    """A range of years: '2028–2031' (an en dash, in every output and sentence), or '2028' for
    a single year. In a right-to-left language the range still reads from the first year to
    the last (``scripts.ltr``), never '2031–2028'."""
    if first == last:
        return str(first)
    return ltr(_("%(first)s–%(last)s") % {"first": first, "last": last}, current_language())


def years_text(years: Sequence[int]) -> str:
    """When costs fall, after 'would be required': 'in 2028', 'in 2028 and 2029', 'over the
    period 2028–2030' for three or more consecutive years, else each year: 'in 2028 and 2030'."""
    years = list(years)
    if len(years) >= 3 and years == list(range(years[0], years[-1] + 1)):
        return _("over the period %(period)s") % {"period": span(years[0], years[-1])}
    return _("in %(years)s") % {"years": join_words([str(y) for y in years])}


def period_text(years: Sequence[int]) -> str:
    """Years as the annex's tables name them: '2028', '2028–2031' (consecutive: an en dash),
    '2028, 2029 and 2031'."""
    years = sorted(years)
    if len(years) == 1:
        return str(years[0])
    if years == list(range(years[0], years[-1] + 1)):
        return span(years[0], years[-1])
    return join_words([str(y) for y in years])


def sentences(parts: Sequence[str]) -> str:
    """Sentences one after another, as the language separates them."""
    return pgettext("sentence separator", " ").join(p for p in parts if p)


UNIT_CODES = {
    "GS": N_("GS"),
    "ITU-R": N_("ITU-R"),
    "ITU-T": N_("ITU-T"),
    "ITU-D": N_("ITU-D"),
}
"""A budget unit's code as the documents write it: the Union's own in each language ('UIT-D'
in French and Spanish, 'МСЭ-D' in Russian); the JSON keeps the English code."""


def unit_code(unit: str) -> str:
    """A budget unit's code in the output's language ('ITU-D' → 'UIT-D' in French)."""
    return _(UNIT_CODES[unit]) if unit in UNIT_CODES else unit


def year_unit(year: int, unit: str) -> str:
    """A year and budget unit as a column of the batch report names it: '2029 ITU-T'."""
    return _("%(year)s %(unit)s") % {
        "year": year,
        "unit": as_written(unit_code(unit), current_language()),
    }


def in_currency(currency: str, note: str) -> str:
    """A sheet's note, after the currency its amounts are in: 'In CHF. ...'."""
    return _("In %(currency)s. %(note)s") % {"currency": currency, "note": note}


def activity_title(title: str, part: str | None) -> str:
    """An activity's title as the documents show it: as the proposal wrote it, or, for a part
    of a conference activity template ('Focus group on AI: meetings'), the proposal's title and
    the part's title in the output's language."""
    if part is None or not title.endswith(": " + part):
        return title
    return _("%(activity)s: %(part)s") % {
        "activity": title.removesuffix(": " + part),
        "part": _(part),
    }


def labelled(label: str, value: str) -> str:
    """A label and its value in a line of text: 'Cost: CHF 1,200' ('Coût : 1 200 CHF', with the
    no-break space French puts before a colon)."""
    return _("%(label)s: %(value)s") % {"label": label, "value": value}


def page_parts() -> tuple[str, str, str]:
    """A page footer's words around its two numbers, which the document fills in: ('Page ',
    ' of ', '') in English, from one message, so that a language can put the numbers where its
    sentence needs them ('第 ', ' 页，共 ', ' 页')."""
    before, rest = _("Page %(page)s of %(pages)s").split("%(page)s", 1)
    between, after = rest.split("%(pages)s", 1)
    return before, between, after


def numbered(n: int, reference: str) -> str:
    """A proposal by its place in submission order: '3. PP26/1'."""
    return _("%(n)s. %(reference)s") % {"n": n, "reference": reference}


# -- Templates ---------------------------------------------------------------------------------


def install_words(env: jinja2.Environment) -> None:
    """Give a Jinja environment this layer's words: ``_()``, ``ngettext()`` and ``pgettext()``
    through Jinja's i18n extension (new style: named placeholders as keyword arguments,
    ``_("%(n)s of %(total)s", n=1, total=2)``, values escaped in HTML), and
    ``currency_amount(code, figure)``."""
    env.add_extension("jinja2.ext.i18n")
    cast(Any, env).install_gettext_callables(
        gettext=_, ngettext=ngettext, newstyle=True, pgettext=pgettext
    )
    env.globals["currency_amount"] = currency_amount
    env.globals["page_parts"] = page_parts
    env.globals["labelled"] = labelled


# -- The Article 34 statement -----------------------------------------------------------------

NO_489_TRANSLATION = N_(
    "No decision of a conference shall be put into effect if it would result in a direct or "
    "indirect increase in expenses beyond the credits that the Council is empowered to "
    "authorize."
)
"""No. 489 translated from the authentic French, unofficially: the project ships no official
text of the Convention in another language that it can cite (docs/languages.md)."""
NO_489_SOURCE = N_(
    "ITU Convention, Art. 34, No. 489, authentic French text (Swiss Classified Compilation SR "
    "0.784.02)"
)
OFFICIAL_TEXTS = ("fr",)
"""The languages in which the project ships an official text of the Convention it can cite:
French, the authentic text (Swiss Classified Compilation SR 0.784.02)."""
UNREVIEWED = N_(
    "The fixed text of this document was translated for finimpact and has not been reviewed by "
    "the language services of the International Telecommunication Union."
)
"""Said once in every document in a language other than English (docs/languages.md)."""

NO_489_GLOSS = N_(
    "no decision of a conference that would increase expenses, directly or indirectly, beyond "
    "the credits the Council is empowered to authorize is put into effect"
)
"""No. 489 in finimpact's own words; the quoted text is the authentic French (see NO_489)."""

VOLUNTARY_CAVEAT = N_(
    "The activities funded from voluntary contributions can be carried out only to the extent "
    "that those contributions are received."
)
"""Said whenever part of a proposal depends on voluntary contributions: the committee must know
that this part is not assured."""


class PlanNamed(Protocol):
    """What a plan's label reads: a plan's PlanInfo, or the register's PlanRef."""

    @property
    def title(self) -> str: ...

    @property
    def example(self) -> bool: ...


def plan_label(info: PlanNamed) -> str:
    """A plan as outputs name it: its title, and a warning when it is an example."""
    title = as_written(info.title, current_language())  # the plan's own words, set apart in Arabic
    if info.example and "example" not in info.title.lower():
        return _("%(title)s [example plan: its figures are illustrative; replace it]") % {
            "title": title
        }
    return title


VERDICT_TITLES = {
    "none": N_("no financial implications"),
    "absorbed": N_("met within existing budgetary provisions"),
    "extrabudgetary": N_("met from voluntary contributions"),
    "within": N_("within the credits available under the financial plan"),
    "exceeds": N_("the credits available under the financial plan would be exceeded"),
    "additional": N_("additional credits required, not assessed against a financial plan"),
}
"""The Article 34 verdict as a heading says it (the JSON keeps the code)."""


def article34_statement(a: Assessment) -> str:
    """The Article 34 statement, a paragraph a Budget Control Committee could adopt as it
    stands: the additional credits and the years they fall in, then the position against the
    plan (for ``exceeds``: each year and budget unit over the credits available, and by how
    much, then No. 489 with its authentic French text), then any years outside the plan, then
    the costs met within existing provisions or from voluntary contributions
    (docs/article-34.md gives each variant). Amounts to the cent: the JSON's."""
    return sentences(
        [s for p in article34_paragraphs(a, lambda v: FORMATS.amount(a.currency, v)) for s in p]
    )


def article34_paragraphs(
    a: Assessment, say: Callable[[Decimal], str], quote_inline: bool = True
) -> list[list[str]]:
    """The Article 34 statement as paragraphs of sentences, each amount written by `say` (the
    annex passes its rounding). With ``quote_inline=False`` the authentic French text of No. 489
    is left out of the sentence that glosses it, for the document to quote it apart."""
    if a.verdict == "none":
        return [[_("The proposal has no financial implications: it requires no credits.")]]
    if a.verdict == "absorbed":
        return [
            [
                _(
                    "The costs of the proposal, %(total)s, would be met within existing budgetary "
                    "provisions; no additional credits would be required."
                )
                % {"total": say(a.existing)}
            ]
        ]
    if a.verdict == "extrabudgetary":
        if a.existing == 0:
            met = _(
                "The costs of the proposal, %(total)s, would be met from voluntary "
                "contributions; no additional credits would be required."
            )
        else:
            met = _(
                "The costs of the proposal, %(total)s, would be met within existing budgetary "
                "provisions (%(existing)s) and from voluntary contributions (%(voluntary)s); no "
                "additional credits would be required."
            )
        values = {
            "total": say(a.existing + a.extrabudgetary),
            "existing": say(a.existing),
            "voluntary": say(a.extrabudgetary),
        }
        return [[met % values, _(VOLUNTARY_CAVEAT)]]

    opening = _(
        "Should the conference adopt the proposal, additional credits of %(additional)s would "
        "be required %(when)s."
    ) % {"additional": say(a.additional), "when": years_text(a.years)}
    others = _others(a, say)
    tail = [p for p in ([*_outside(a, say)], others) if p]
    if a.plan is None:
        return [
            [
                opening,
                _(
                    "They have not been assessed against a financial plan: none was named for "
                    "this estimate."
                ),
            ],
            *tail,
        ]
    info = a.plan.info
    plan_name = _("the financial plan %(period)s (%(label)s)") % {
        "period": span(*info.period),
        "label": plan_label(info),
    }
    if not a.against_plan:
        fall = ngettext(
            "They fall outside the period of %(plan)s and have not been assessed against it; "
            "they should be assessed against the financial plan in force for that year.",
            "They fall outside the period of %(plan)s and have not been assessed against it; "
            "they should be assessed against the financial plan in force for each of those "
            "years.",
            len(a.years),
        )
        return [[opening, fall % {"plan": plan_name}], *([others] if others else [])]
    if not a.exceeded:
        within = _(
            "Taken alone, they would remain within the credits available for new decisions in "
            "every year and budget unit of %(plan)s."
        )
        return [[opening, within % {"plan": plan_name}], *tail]
    exceed = _(
        "Taken alone, they would exceed the credits available for new decisions in %(plan)s "
        "%(where)s, and would remain within them in every other year and budget unit of that "
        "plan."
    ) % {"plan": plan_name, "where": _exceedances(a, say)}
    if quote_inline:
        quote = _(
            "Under No. 489 of the Convention, %(gloss)s (authentic French text: « %(text)s »)."
        )
        provision = a.provision or {}
        quoted = quote % {"gloss": _(NO_489_GLOSS), "text": provision.get("text", "")}
    else:
        quoted = _("Under No. 489 of the Convention, %(gloss)s.") % {"gloss": _(NO_489_GLOSS)}
    if len(a.exceeded) > 1:
        therefore = _(
            "The excess, %(excess)s in all, would therefore have to be met by savings, voluntary "
            "contributions or a revision of the financial plan before the decision could be put "
            "into effect."
        )
    else:
        therefore = _(
            "The excess would therefore have to be met by savings, voluntary contributions or a "
            "revision of the financial plan before the decision could be put into effect."
        )
    return [[opening, exceed], [quoted, therefore % {"excess": say(a.excess)}], *tail]


def _exceedances(a: Assessment, say: Callable[[Decimal], str]) -> str:
    """Where, and by how much, additional credits exceed the credits available: 'by CHF 10.00
    for ITU-T in 2029 (CHF 60.00 required against CHF 50.00 available)'. Years of one unit with
    the same figures are said once ('by CHF 10.00 a year for ITU-T in 2028 and 2029 (...) in
    each of those years'), so that a recurring excess reads as one, in order of first year."""
    years: dict[tuple[str, Decimal, Decimal], list[int]] = {}
    for p in a.exceeded:
        years.setdefault((p.unit, p.additional, p.headroom), []).append(p.year)
    parts = []
    for (unit, amount, available), group in years.items():
        values = {
            "excess": say(amount - available),
            "unit": unit_code(unit),
            "year": group[0],
            "years": join_words([str(y) for y in group]),
            "required": say(amount),
            "available": say(available),
        }
        if len(group) == 1:
            text = _(
                "by %(excess)s for %(unit)s in %(year)s (%(required)s required against "
                "%(available)s available)"
            )
        else:
            text = _(
                "by %(excess)s a year for %(unit)s in %(years)s (%(required)s required against "
                "%(available)s available in each of those years)"
            )
        parts.append(text % values)
    return join_words(parts)


def _outside(a: Assessment, say: Callable[[Decimal], str]) -> list[str]:
    """The additional credits in years outside the plan's period, per year: never dropped."""
    by_year = a.outside_by_year
    if not by_year or a.plan is None:
        return []
    amounts = join_words(
        [_("%(amount)s in %(year)s") % {"amount": say(v), "year": y} for y, v in by_year.items()]
    )
    text = ngettext(
        "Of the additional credits, %(amounts)s falls outside the period of the plan "
        "(%(period)s) and has not been assessed against it; it should be assessed against the "
        "financial plan in force for that year.",
        "Of the additional credits, %(amounts)s fall outside the period of the plan "
        "(%(period)s) and have not been assessed against it; they should be assessed against "
        "the financial plan in force for each of those years.",
        len(by_year),
    )
    return [text % {"amounts": amounts, "period": span(*a.plan.info.period)}]


def _others(a: Assessment, say: Callable[[Decimal], str]) -> list[str]:
    """The costs beside the additional credits, each with its source, as whole sentences."""
    parts = []
    if a.existing > 0:
        parts.append(
            _("%(amount)s would be met within existing budgetary provisions")
            % {"amount": say(a.existing)}
        )
    if a.extrabudgetary > 0:
        if parts:
            text = _("%(amount)s from voluntary contributions")
        else:
            text = _("%(amount)s would be met from voluntary contributions")
        parts.append(text % {"amount": say(a.extrabudgetary)})
    if not parts:
        return []
    said = [_("In addition, %(costs)s.") % {"costs": join_words(parts)}]
    if a.extrabudgetary > 0:
        said.append(_(VOLUNTARY_CAVEAT))
    return said


def article34_json(a: Assessment) -> dict[str, object]:
    """The assessment as the estimate's JSON gives it: the verdict, the statement, the facts."""
    facts = a.to_json()
    return {"verdict": facts.pop("verdict"), "statement": article34_statement(a), **facts}
