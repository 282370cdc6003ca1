"""The documents in the six official languages (docs/languages.md): --lang and the proposal's
output_language choose the language, figures are written as Babel writes them for its locale."""

from __future__ import annotations

import gettext
import html
import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from babel import Locale
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from libreoffice import convert
from typer.testing import CliRunner

from estimator import api
from estimator.cli.app import app
from estimator.core.estimate import Estimate
from estimator.render import wording
from estimator.render.options import OptionProblem, RenderOptions
from estimator.render.rounding import round_half_up
from estimator.render.wording import LANGUAGES, LOCALE_DIR, catalogue, language

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "pp26-ai-capacity.toml"


def _html(text: str, options: RenderOptions) -> str:
    outcome = api.estimate_text(text, "p.toml")
    assert outcome.estimate is not None
    return api.render(outcome.estimate, options)["html"].decode("utf-8")


def test_lang_wins_over_the_proposals_output_language() -> None:
    text = SEED.read_text(encoding="utf-8").replace(
        "[proposal]\n", '[proposal]\noutput_language = "ru"\n', 1
    )
    assert '<html lang="ru"' in _html(text, RenderOptions(formats=("html",)))
    assert '<html lang="fr"' in _html(text, RenderOptions(formats=("html",), language="fr"))
    plain = SEED.read_text(encoding="utf-8")
    assert '<html lang="en"' in _html(plain, RenderOptions(formats=("html",)))


def test_an_unknown_language_is_refused_naming_the_option() -> None:
    with pytest.raises(OptionProblem) as e:
        RenderOptions(language="de")
    assert e.value.option == "--lang"
    result = CliRunner().invoke(app, ["estimate", str(SEED), "--lang", "de"])
    assert result.exit_code == 2
    assert "--lang" in result.output


def test_the_proposal_refuses_an_output_language_that_is_not_official() -> None:
    text = SEED.read_text(encoding="utf-8").replace(
        "[proposal]\n", '[proposal]\noutput_language = "de"\n', 1
    )
    outcome = api.estimate_text(text, "p.toml")
    assert outcome.estimate is None or not outcome.ok
    assert any("output_language" in ".".join(map(str, d.path)) for d in outcome.diagnostics)


def test_the_json_is_the_same_in_every_language() -> None:
    outcome = api.estimate_file(SEED)
    assert outcome.estimate is not None
    english = api.render(outcome.estimate, RenderOptions(formats=("json",)))["json"]
    for lang in LANGUAGES:
        options = RenderOptions(formats=("json",), language=lang)
        assert api.render(outcome.estimate, options)["json"] == english


@pytest.mark.parametrize("lang", LANGUAGES)
def test_amounts_are_written_as_babel_writes_them_for_the_locale(lang: str) -> None:
    from estimator.render.wording import CLDR_LOCALES, FORMATS, NUMBERING

    digits = NUMBERING.get(lang, "default")
    locale = CLDR_LOCALES[lang]
    with language(lang):
        for text in ("0", "7", "1234", "-1234567", "123456789"):
            value = Decimal(text)
            assert FORMATS.whole(value) == format_decimal(
                value, "#,##0", locale=locale, numbering_system=digits
            )
        for text in ("0.5", "1234.5", "-98765.4321"):
            value = Decimal(text)
            assert FORMATS.money(value) == format_decimal(
                value, "#,##0.00", locale=locale, numbering_system=digits,
                decimal_quantization=False,
            )  # fmt: skip
        # Western digits in every language, Arabic included (docs/languages.md)
        assert [c for c in FORMATS.whole(Decimal(1234567)) if c.isdigit()] == list("1234567")


# -- Every seed in every language, in every format ---------------------------------------------

SEEDS = sorted((ROOT / "seeds").glob("*.toml"))
DOCUMENTS = ("xlsx", "docx", "html", "md")
GROUP = {"fr": "\u202f", "ru": "\u00a0", "es": "."}
"""The thousands mark of each language's figures (',' in the others)."""


class Recorder(gettext.NullTranslations):
    """A catalogue that answers as the language's own and notes every message asked of it."""

    def __init__(self, inner: gettext.NullTranslations, asked: set[tuple[str | None, str]]):
        super().__init__()
        self.inner, self.asked = inner, asked

    def gettext(self, message: str) -> str:
        self.asked.add((None, message))
        return self.inner.gettext(message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        self.asked.add((None, msgid1))
        return self.inner.ngettext(msgid1, msgid2, n)

    def pgettext(self, context: str, message: str) -> str:
        self.asked.add((context, message))
        return self.inner.pgettext(context, message)


@dataclass(frozen=True)
class Documents:
    estimate: Estimate
    files: dict[str, bytes]


@pytest.fixture(scope="module")
def documents() -> tuple[dict[tuple[str, str], Documents], set[tuple[str | None, str]]]:
    """Every seed's documents in every language (the PP-26 seed against the example plan, so
    that No. 489 is quoted), and every message the renderers asked a catalogue for."""
    asked: set[tuple[str | None, str]] = set()
    real = wording.catalogue
    out: dict[tuple[str, str], Documents] = {}
    mp = pytest.MonkeyPatch()
    mp.setattr(wording, "catalogue", lambda lang: Recorder(real(lang), asked))
    try:
        for seed in SEEDS:
            plan = "example-itu" if seed.stem.startswith("pp26") else None
            outcome = api.estimate_file(seed, plan=plan)
            assert outcome.estimate is not None, seed
            for lang in LANGUAGES:
                options = RenderOptions(formats=DOCUMENTS, language=lang)
                out[(seed.stem, lang)] = Documents(
                    outcome.estimate, api.render(outcome.estimate, options)
                )
    finally:
        mp.undo()
    return out, asked


def _text(fmt: str, data: bytes) -> str:
    if fmt in ("md", "html"):
        return data.decode("utf-8")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = [n for n in z.namelist() if n.endswith(".xml")]
        return "".join(re.sub(r"<[^>]+>", "", z.read(n).decode("utf-8")) for n in parts)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_seed_renders_in_every_format_in_each_language(
    documents: tuple[dict[tuple[str, str], Documents], set[Any]], lang: str
) -> None:
    done, _asked = documents
    unreviewed = catalogue(lang).gettext(wording.UNREVIEWED)
    for seed in SEEDS:
        files = done[(seed.stem, lang)].files
        assert sorted(files) == sorted(DOCUMENTS)
        assert f'<html lang="{lang}"' in files["html"].decode("utf-8")
        for fmt in ("docx", "html", "md"):
            text = html.unescape(_text(fmt, files[fmt]))
            # the one line that says the fixed text was not reviewed: in every language but
            # English, in its own words
            assert (unreviewed in text) is (lang != "en"), (seed.stem, fmt)
            assert (" ".join(unreviewed.split()[:4]) in text) is (lang != "en")


def test_every_message_the_documents_ask_for_is_in_the_catalogues(
    documents: tuple[dict[tuple[str, str], Documents], set[tuple[str | None, str]]],
) -> None:
    _done, asked = documents
    with (LOCALE_DIR / "finimpact.pot").open("rb") as f:
        template = read_po(f)
    known = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in template if m.id}
    missing = sorted(asked - known, key=str)
    assert asked and missing == [], "\n".join(map(str, missing))


def _figure_tables(markdown: str, lang: str) -> list[list[list[int]]]:
    """The tables of amounts of a Markdown annex in `lang`, as whole numbers, row by row."""
    nil = catalogue(lang).pgettext("nil amount", "\u2013")
    group = GROUP.get(lang, ",")

    def amount(cell: str) -> int | None:
        cell = cell.strip().strip("*")
        if cell == nil:
            return 0
        digits = cell.replace(group, "")
        return int(digits) if digits.isdigit() else None

    tables: list[list[list[int]]] = []
    current: list[list[int]] | None = None
    for line in markdown.splitlines():
        cells = line.strip().strip("|").split("|") if line.startswith("| ") else None
        figures = [amount(c) for c in cells[1:]] if cells else []
        if cells and len(figures) >= 2 and None not in figures:
            if current is None:
                current = []
                tables.append(current)
            current.append([f for f in figures if f is not None])
        elif not line.startswith("|"):
            current = None
    return tables


@pytest.mark.parametrize("lang", LANGUAGES)
def test_rounded_parts_add_up_in_every_language(
    documents: tuple[dict[tuple[str, str], Documents], set[Any]], lang: str
) -> None:
    done, _asked = documents
    checked = 0
    for seed in SEEDS:
        for rows in _figure_tables(done[(seed.stem, lang)].files["md"].decode("utf-8"), lang):
            *parts, total = rows
            for row in rows:
                assert sum(row[:-1]) == row[-1], (seed.stem, lang, row)
            if parts:
                assert [sum(c) for c in zip(*parts, strict=True)] == total, (seed.stem, lang)
            checked += 1
    assert checked >= len(SEEDS)


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_every_language_shows_the_figures_of_the_english_annex(
    documents: tuple[dict[tuple[str, str], Documents], set[Any]], lang: str
) -> None:
    # The costs are rounded once, whatever the language: so every table shows, figure for
    # figure, what the English annex shows (tests/test_annex.py checks there that the same
    # costs show the same figure in every table).
    done, _asked = documents
    for seed in SEEDS:
        english = _figure_tables(done[(seed.stem, "en")].files["md"].decode("utf-8"), "en")
        mine = _figure_tables(done[(seed.stem, lang)].files["md"].decode("utf-8"), lang)
        assert english and mine == english, (seed.stem, lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_total_is_written_as_babel_writes_it_for_the_locale(
    documents: tuple[dict[tuple[str, str], Documents], set[Any]], lang: str
) -> None:
    from estimator.render.wording import CLDR_LOCALES, NUMBERING

    done, _asked = documents
    for seed in SEEDS:
        d = done[(seed.stem, lang)]
        total = round_half_up(d.estimate.total, 100)
        figure = format_decimal(
            total,
            "#,##0",
            locale=CLDR_LOCALES[lang],
            numbering_system=NUMBERING.get(lang, "default"),
        )
        currency = d.estimate.currency
        before = Locale.parse(CLDR_LOCALES[lang]).currency_formats["standard"].pattern
        said = (
            f"{currency}\u00a0{figure}"
            if before.lstrip("\u200e\u200f").startswith("¤")
            else f"{figure}\u00a0{currency}"
        )
        text = d.files["md"].decode("utf-8")
        assert said in text, (seed.stem, lang, said)


SPLIT_AMOUNT = re.compile(r"(?<![\w-])[A-Z]{3} -?\d|\d [A-Z]{3}(?![\w-])")
"""A currency code and its figure joined by a space a line may break at ('CHF 14,400')."""


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_currency_code_is_parted_from_its_figure_in_any_document(
    documents: tuple[dict[tuple[str, str], Documents], set[Any]], lang: str
) -> None:
    # what a budget officer must never see: 'CHF' at the end of one line, '14,400' at the
    # start of the next, in our sentences and tables or in a card's derivation ('USD 532.01')
    done, _asked = documents
    for seed in SEEDS:
        d = done[(seed.stem, lang)]
        for fmt in DOCUMENTS:
            text = html.unescape(_text(fmt, d.files[fmt]))
            parted = [text[m.start() - 30 : m.end() + 10] for m in SPLIT_AMOUNT.finditer(text)]
            assert parted == [], (seed.stem, lang, fmt)
            if fmt != "xlsx":  # the workbook's amounts are numbers in cells
                cur = d.estimate.currency
                assert re.search(rf"{cur}\u00a0\d|\d\u00a0{cur}", text), (seed.stem, lang, fmt)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_489_is_quoted_in_french_with_a_translation_marked_unofficial_elsewhere(
    documents: tuple[dict[tuple[str, str], Documents], set[Any]], lang: str
) -> None:
    done, _asked = documents
    (seed,) = [s for s in SEEDS if s.stem.startswith("pp26")]
    d = done[(seed.stem, lang)]
    assert d.estimate.article34.verdict == "exceeds"
    unofficial = catalogue(lang).gettext("Unofficial translation: %(text)s").split("%")[0]
    authentic = "Il n'est donné suite à aucune décision d'une conférence"
    for fmt in ("md", "html", "docx"):
        text = html.unescape(_text(fmt, d.files[fmt]))
        assert authentic in text, fmt
        # French is the authentic text, which the project ships and cites: no translation
        assert (unofficial in text) is (lang != "fr"), fmt


@pytest.mark.libreoffice
def test_the_workbooks_recalculate_to_the_json_in_every_language(
    documents: tuple[dict[tuple[str, str], Documents], set[Any]], tmp_path: Path
) -> None:
    from estimator.render.workbook import COL, FIRST_LINE

    done, _asked = documents
    (seed,) = [s for s in SEEDS if s.stem.startswith("pp26")]
    stripped = []
    for lang in LANGUAGES:  # without the values XlsxWriter stored: LibreOffice computes them
        path = tmp_path / f"{lang}.xlsx"
        written = tmp_path / f"{lang}-written.xlsx"
        written.write_bytes(done[(seed.stem, lang)].files["xlsx"])
        openpyxl.load_workbook(written).save(path)
        stripped.append(path)
    recalculated = convert(stripped, "xlsx", tmp_path / "recalculated")  # one LibreOffice run
    estimate = done[(seed.stem, "en")].estimate
    expected = [line.amount for line in estimate.lines]
    for lang, path in zip(LANGUAGES, recalculated, strict=True):
        workings = openpyxl.load_workbook(path, data_only=True).worksheets[1]
        column = [row[COL["amount"]] for row in workings.iter_rows(values_only=True)]
        amounts = [
            Decimal(str(v)).quantize(Decimal("0.01")) for v in column[FIRST_LINE:][: len(expected)]
        ]
        assert amounts == expected, lang
        total = column[FIRST_LINE + len(expected)]
        assert Decimal(str(total)).quantize(Decimal("0.01")) == estimate.total, lang


def test_the_batch_report_is_written_in_the_language_asked(tmp_path: Path) -> None:
    options = RenderOptions(formats=("json",), language="ru")
    run, problems = api.batch([ROOT / "seeds"], tmp_path, options, plan="example-itu")
    assert run is not None, problems
    with run:
        run.write_reports()
    ru = catalogue("ru")
    page = (tmp_path / "batch-report.html").read_text(encoding="utf-8")
    assert '<html lang="ru"' in page
    title = ru.gettext("Financial implications of the proposals: consolidated report")
    assert f"<h1>{html.escape(title)}</h1>" in page
    sheets = openpyxl.load_workbook(tmp_path / "batch-report.xlsx").sheetnames
    assert ru.pgettext("sheet name", "Proposals") in sheets
    assert "Proposals" not in sheets
    # the JSON is data: the same words in every language
    report = (tmp_path / "batch-report.json").read_text(encoding="utf-8")
    assert ru.pgettext("sheet name", "Proposals") not in report


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_languages_figures_are_written_without_babel_at_run_time(lang: str) -> None:
    # the marks checked once against Babel on the probes (a batch shows hundreds of thousands
    # of figures; Babel costs some 20 µs each): Arabic too, whose minus Babel writes plainly
    assert wording._marks(lang) is not None


def test_the_usual_instrument_names_are_translated_and_others_kept_as_written() -> None:
    """'Instrument: Resolution' in a French annex reads 'Résolution'; a wording of the
    proposal's own that is not one of the Union's usual names stays as its authors wrote it."""
    text = SEED.read_text(encoding="utf-8")
    assert re.search(r'^instrument\s*=\s*"Resolution"', text, re.M)
    french = _html(text, RenderOptions(formats=("html",), language="fr"))
    assert "Résolution" in french and ">Resolution<" not in french
    russian = _html(text, RenderOptions(formats=("html",), language="ru"))
    assert "Резолюция" in russian
    own = re.sub(
        r'^instrument\s*=\s*"Resolution"', 'instrument = "Draft new Annex"', text, flags=re.M
    )
    assert "Draft new Annex" in _html(own, RenderOptions(formats=("html",), language="fr"))
