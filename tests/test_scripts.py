"""Arabic and Chinese documents as a reader gets them (estimator/render/scripts.py): the Arabic
annex runs right to left in Word, HTML and the workbooks, with years and references still
reading left to right; the Chinese annex names an East Asian font; LibreOffice lays both out
and pdftotext reads their words back, drawn by fonts that have the script.

The Word annexes of both languages are converted by one soffice call (module fixture)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import openpyxl
import pytest
from lxml import etree

from cost_models.phrases import Phrase
from estimator import api
from estimator.render.options import RenderOptions
from estimator.render.scripts import LRM, RLM, SCRIPTS, as_written, ltr, reads_left_to_right
from estimator.render.wording import (
    amounts_unbroken,
    catalogue,
    language,
    period_text,
    phrase,
    span,
)

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "pp26-ai-capacity.toml"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
LABELS = ("Reference", "Conference", "Submitted by", "Responsible budget unit")
"""Labels of the annex's identification, words a reader finds in the first table."""
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e"))


@pytest.fixture(scope="module")
def outputs() -> dict[str, dict[str, bytes]]:
    """The PP-26 seed's outputs in Arabic, Chinese and English."""
    outcome = api.estimate_file(SEED)
    assert outcome.estimate is not None
    return {
        lang: api.render(outcome.estimate, RenderOptions(language=lang))
        for lang in ("ar", "zh", "en")
    }


def _part(docx: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        return etree.fromstring(z.read(name))


def _translated(lang: str, msgid: str) -> str:
    text = catalogue(lang).gettext(msgid)
    assert text != msgid, f"{msgid!r} has no {lang} translation"
    return text


# Word: the XML -------------------------------------------------------------------------------


def test_the_arabic_word_annex_runs_right_to_left_in_its_sections_paragraphs_and_tables(
    outputs: dict[str, dict[str, bytes]],
) -> None:
    docx = outputs["ar"]["docx"]
    body = _part(docx, "word/document.xml")
    sections = list(body.iter(W + "sectPr"))
    assert sections and all(s.find(W + "bidi") is not None for s in sections)
    tables = list(body.iter(W + "tbl"))
    assert len(tables) > 5
    assert all(t.find(f"{W}tblPr/{W}bidiVisual") is not None for t in tables)
    defaults = _part(docx, "word/styles.xml").find(W + "docDefaults")
    assert defaults.find(f"{W}pPrDefault/{W}pPr/{W}bidi") is not None  # every paragraph
    assert defaults.find(f"{W}rPrDefault/{W}rPr/{W}rtl") is not None  # every run
    marks = defaults.find(f"{W}rPrDefault/{W}rPr/{W}lang")
    assert marks.get(W + "bidi") == "ar-SA"
    # no paragraph of the body turns it off but the French of the Convention and those that
    # hold only a text set apart to read left to right (an English request)
    off = [p for p in body.iter(W + "p") if p.find(f"{W}pPr/{W}bidi[@{W}val='0']") is not None]
    texts = ["".join(t.text or "" for t in p.iter(W + "t")) for p in off]
    assert all("« " in t or reads_left_to_right(t) for t in texts), texts


def _paragraphs(docx: bytes) -> list[tuple[str, etree._Element]]:
    """Each paragraph's text (a code's no-break hyphen read as '-') and the paragraph."""
    body = _part(docx, "word/document.xml")
    return [
        ("".join(t.text or "-" for t in p.iter(W + "t", W + "noBreakHyphen")), p)
        for p in body.iter(W + "p")
    ]


def _left_to_right(p: etree._Element) -> bool:
    return p.find(f"{W}pPr/{W}bidi[@{W}val='0']") is not None and all(
        r.find(f"{W}rPr/{W}rtl[@{W}val='0']") is not None for r in p.iter(W + "r")
    )


def test_an_english_request_is_a_left_to_right_paragraph_in_the_arabic_word_annex(
    outputs: dict[str, dict[str, bytes]],
) -> None:
    """A request written in English reads from the left margin, as the French of No. 489 does,
    where it was right-aligned in the Arabic paragraphs around it; a paragraph that mixes
    Arabic words with English text, and a heading, stay right to left."""
    outcome = api.estimate_file(SEED)
    assert outcome.estimate is not None
    paragraphs = _paragraphs(outputs["ar"]["docx"])
    for request in outcome.estimate.proposal.info.requests:
        (found,) = [p for text, p in paragraphs if text == f"{LRM}{request}{LRM}{RLM}"]
        assert _left_to_right(found), request
    mixed = [p for text, p in paragraphs if LRM in text and not reads_left_to_right(text)]
    assert mixed and not any(_left_to_right(p) for p in mixed)
    headings = [
        p for _text, p in paragraphs
        if (p.find(f"{W}pPr/{W}pStyle") is not None
            and p.find(f"{W}pPr/{W}pStyle").get(W + "val", "").startswith("Heading"))
    ]  # fmt: skip
    assert headings and not any(_left_to_right(p) for p in headings)
    for lang in ("en", "zh"):
        assert not any(_left_to_right(p) for _t, p in _paragraphs(outputs[lang]["docx"]))


def test_a_rates_english_source_and_its_bracketed_derivation_are_set_apart_as_one_in_arabic(
    outputs: dict[str, dict[str, bytes]],
) -> None:
    """The brackets around a rate's derivation are inside the left-to-right marks with the
    English they hold, in the Word and HTML annexes: 'UN A/79/7 (USD 92,900 / 8 months ...)'
    reads from left to right, never with its brackets in the Arabic around it."""
    outcome = api.estimate_file(SEED)
    assert outcome.estimate is not None
    words = [text for text, _p in _paragraphs(outputs["ar"]["docx"])]
    html = unescape(outputs["ar"]["html"].decode("utf-8"))
    checked = 0
    for line in outcome.estimate.lines:
        rate = outcome.estimate.rates.get(line.rate_id)
        value = rate.in_force(line.rate_from) if rate and line.rate_from else None
        explanation = value and (value.derivation or value.assumption)
        if not explanation or not line.source.isascii():
            continue
        cited = f"{LRM}{amounts_unbroken(f'{line.source} ({explanation})')}{LRM}{RLM}"
        assert any(w.endswith(cited) for w in words), line.rate_id
        assert cited in html, line.rate_id
        checked += 1
    assert checked > 3


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_annexes_in_other_languages_run_left_to_right(
    outputs: dict[str, dict[str, bytes]], lang: str
) -> None:
    docx = outputs[lang]["docx"]
    body = _part(docx, "word/document.xml")
    assert body.find(f".//{W}sectPr/{W}bidi") is None
    assert body.find(f".//{W}bidiVisual") is None
    assert _part(docx, "word/styles.xml").find(f".//{W}pPrDefault/{W}pPr/{W}bidi") is None


def test_complex_script_text_takes_the_size_and_weight_of_its_style(
    outputs: dict[str, dict[str, bytes]],
) -> None:
    """Word sizes Arabic by w:szCs and bolds it by w:bCs: each style's twin of w:sz and w:b."""
    styles = _part(outputs["ar"]["docx"], "word/styles.xml")
    checked = 0
    for props in styles.iter(W + "rPr"):
        for latin, complex_script in (("sz", "szCs"), ("b", "bCs")):
            found = props.find(W + latin)
            if found is not None:
                twin = props.find(W + complex_script)
                assert twin is not None and twin.attrib == found.attrib
                checked += 1
    assert checked > 5
    assert not [a for f in styles.iter(W + "rFonts") for a in f.attrib if "theme" in a.lower()]


def test_the_chinese_annex_names_an_east_asian_font_in_every_style(
    outputs: dict[str, dict[str, bytes]],
) -> None:
    styles = _part(outputs["zh"]["docx"], "word/styles.xml")
    fonts = list(styles.iter(W + "rFonts"))
    assert fonts
    assert {f.get(W + "eastAsia") for f in fonts} == {SCRIPTS["zh"].east_asian}
    assert {f.get(W + "ascii") for f in fonts} == {"Arial"}  # Latin text in the house font
    marks = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert marks.get(W + "eastAsia") == "zh-CN"


# Years and references read left to right in Arabic -------------------------------------------


def test_a_range_of_years_reads_left_to_right_in_arabic_and_is_plain_elsewhere() -> None:
    with language("ar"):
        assert period_text([2027, 2028, 2029, 2030]) == f"{LRM}2027–2030{LRM}{RLM}"
        assert span(2027, 2030) == f"{LRM}2027–2030{LRM}{RLM}"
        assert span(2027, 2027) == "2027"
    for lang in ("en", "zh", "fr"):
        with language(lang):
            assert period_text([2027, 2028, 2029, 2030]) + span(2027, 2030) == ("2027–2030" * 2)
    assert ltr("PP26/44A2/1", "ar") == f"{LRM}PP26/44A2/1{LRM}{RLM}"
    assert ltr("PP26/44A2/1", "en") == "PP26/44A2/1"


def test_the_proposals_own_text_keeps_its_full_stop_at_its_end_in_arabic(
    outputs: dict[str, dict[str, bytes]],
) -> None:
    """An English note or request in an Arabic annex is set apart by bidi marks (else its final
    full stop is drawn at the other end of the line); Arabic text, and every text in a
    left-to-right language, is left as written."""
    note = "One report a year, translated into the five other official languages."
    assert as_written(note, "ar") == f"{LRM}{note}{LRM}{RLM}"
    assert as_written("تقرير واحد في السنة.", "ar") == "تقرير واحد في السنة."
    assert as_written("2027: (see above)", "ar") == f"{LRM}2027: (see above){LRM}{RLM}"
    assert as_written(note, "en") == as_written(note, "zh") == note
    outcome = api.estimate_file(SEED)
    assert outcome.estimate is not None
    html = outputs["ar"]["html"].decode("utf-8")
    for request in outcome.estimate.proposal.info.requests:
        assert f"{LRM}{request}{LRM}{RLM}" in html
    assert LRM not in outputs["en"]["html"].decode("utf-8")
    with language("ar"):  # a grade before a figure: 'برتبة P3، 6 أشهر', never '6، P3'
        assert phrase(Phrase("%(grade)s, %(n)s", {"grade": "P3", "n": 6})).startswith(
            f"{LRM}P3{LRM}{RLM}"
        )


# HTML ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "direction"), [("ar", "rtl"), ("zh", "ltr"), ("en", "ltr")])
def test_the_html_annex_says_its_language_and_direction(
    outputs: dict[str, dict[str, bytes]], lang: str, direction: str
) -> None:
    html = outputs[lang]["html"].decode("utf-8")
    assert f'<html lang="{lang}" dir="{direction}">' in html
    assert '<blockquote lang="fr" dir="ltr">' in html or "blockquote lang" not in html
    assert "text-align: left" not in html and "text-align: right" not in html
    body = re.search(r"body \{ font: [^;]*;", html)
    assert body is not None and SCRIPTS[lang].css_fonts in body[0]


@pytest.fixture(scope="module")
def batches(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The seeds as a batch in Arabic and in English: their report folders."""
    seeds = sorted((ROOT / "seeds").glob("*.toml"))[:3]
    folders = {}
    for lang in ("ar", "en"):
        out = tmp_path_factory.mktemp(f"batch-{lang}")
        options = RenderOptions(language=lang, formats=("xlsx",))
        run, diagnostics = api.batch(seeds, out, options)
        assert run is not None, diagnostics
        with run:
            run.write_reports()
        folders[lang] = out
    return folders


@pytest.mark.parametrize(("lang", "direction"), [("ar", "rtl"), ("en", "ltr")])
def test_the_batch_report_says_its_language_and_direction(
    batches: dict[str, Path], lang: str, direction: str
) -> None:
    html = (batches[lang] / "batch-report.html").read_text(encoding="utf-8")
    assert f'<html lang="{lang}" dir="{direction}">' in html


# Workbooks -----------------------------------------------------------------------------------


def _directions(xlsx: bytes) -> set[bool | None]:
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    return {bool(ws.sheet_view.rightToLeft) for ws in book.worksheets}


def test_every_sheet_of_the_arabic_workbooks_runs_right_to_left(
    outputs: dict[str, dict[str, bytes]], batches: dict[str, Path]
) -> None:
    assert _directions(outputs["ar"]["xlsx"]) == {True}
    assert _directions((batches["ar"] / "batch-report.xlsx").read_bytes()) == {True}
    assert _directions(outputs["zh"]["xlsx"]) == {False}
    assert _directions(outputs["en"]["xlsx"]) == {False}
    assert _directions((batches["en"] / "batch-report.xlsx").read_bytes()) == {False}


# LibreOffice: what a reader sees -------------------------------------------------------------


@pytest.fixture(scope="module")
def pdfs(outputs: dict[str, dict[str, bytes]], tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The Arabic and Chinese Word annexes as PDF, by one soffice call."""
    from libreoffice import convert

    if shutil.which("pdftotext") is None or shutil.which("pdffonts") is None:
        pytest.skip("pdftotext and pdffonts (poppler-utils) are not installed")
    folder = tmp_path_factory.mktemp("scripts")
    files = []
    for lang in ("ar", "zh"):
        path = folder / "docx" / f"{lang}.docx"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(outputs[lang]["docx"])
        files.append(path)
    converted = convert(files, "pdf", folder / "pdf")
    return dict(zip(("ar", "zh"), converted, strict=True))


def _text(pdf: Path, *options: str) -> str:
    result = subprocess.run(
        ["pdftotext", *options, str(pdf), "-"], capture_output=True, text=True, check=True
    )
    return result.stdout


def _fonts_with(script: str) -> set[str]:
    """The families installed that cover a language (fontconfig), as a PDF names the fonts
    it embeds, without spaces and in lower case ('notonaskharabic')."""
    listed = subprocess.run(
        ["fc-list", f":lang={script}", "family"], capture_output=True, text=True, check=True
    ).stdout
    return {n.replace(" ", "").lower() for line in listed.splitlines() for n in line.split(",")}


def _embedded(pdf: Path) -> set[str]:
    listed = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    names = [line.split()[0] for line in listed.stdout.splitlines()[2:] if line.strip()]
    return {n.split("+", 1)[-1].split("-")[0].lower() for n in names}


def _words(pdf: Path) -> Iterator[tuple[float, float, str]]:
    """Each word of the first page with its left edge and its line (y), as drawn."""
    parser = etree.HTMLParser(encoding="utf-8")
    page = etree.fromstring(_text(pdf, "-bbox", "-l", "1").encode("utf-8"), parser)
    for word in page.iter("word"):
        yield float(word.get("xmin")), round(float(word.get("ymin"))), word.text or ""


@pytest.mark.libreoffice
def test_the_arabic_word_annex_reads_back_in_arabic_and_in_order(pdfs: dict[str, Path]) -> None:
    text = _text(pdfs["ar"]).translate(BIDI_CONTROLS)
    for label in LABELS:  # several words each: in the order they are written
        assert _translated("ar", label) in text, label
    # the period's range as drawn: one left-to-right run '2027–2030', never '2030–2027' (a
    # list of years, '2027: ...; 2030: ...', does run from the right, as Arabic reads it)
    lines: dict[float, list[tuple[float, str]]] = {}
    for x, y, word in _words(pdfs["ar"]):
        lines.setdefault(y, []).append((x, word))
    drawn = [" ".join(w for _, w in sorted(words)) for words in lines.values()]
    assert any("2027–2030" in line for line in drawn), drawn
    assert not [line for line in drawn if re.search("2030[–\\s]*2027", line)]
    assert _embedded(pdfs["ar"]) & _fonts_with("ar"), "no font with Arabic was used"


WRONG_BRACKET = re.compile(r"\)[A-Za-z0-9]|[A-Za-z0-9]\(")
"""A bracket at the wrong end of the words it holds: 'USD 92,90( months', ')A/80/400 para.'."""


@pytest.mark.libreoffice
def test_english_text_in_the_arabic_word_annex_has_its_brackets_at_the_right_ends(
    pdfs: dict[str, Path],
) -> None:
    # every line LibreOffice draws in English alone (the rates' sources and derivations, the
    # card's notes, the requests): no ')' before a word, no '(' after one, as the old annex
    # drew '8 months USD 92,900 (2025) (USD 92,900 / 8 months' as 'USD 92,90( months USD
    # 92,900 (2025)' when the brackets stood in the Arabic between two English texts
    lines = _text(pdfs["ar"]).splitlines()
    english = [line for line in lines if line.strip() and line.isascii()]
    assert len(english) > 50
    assert [line for line in english if WRONG_BRACKET.search(line)] == []
    assert sum("(" in line for line in english) > 10


@pytest.mark.libreoffice
def test_the_chinese_word_annex_reads_back_in_chinese(pdfs: dict[str, Path]) -> None:
    text = _text(pdfs["zh"])
    for label in LABELS:
        assert _translated("zh", label) in text, label
    assert _embedded(pdfs["zh"]) & _fonts_with("zh-cn"), "no font with Chinese was used"
