"""Writing systems of the outputs: direction, fonts and language marks, by language.

The words come from the catalogues (``wording``); how a document in a language is laid out is
set here, once per document, never patched per string: the direction of the whole document
(Word: the section, every paragraph and table; HTML: ``dir`` on the root; workbooks: each
sheet), the fonts of the script (Word: the complex-script and East Asian slots of the styles;
HTML: the font stack), and the language marks Word uses to choose them (``w:lang``).

Inside right-to-left text, a figure or code that must read left to right whatever surrounds
it (a range of years '2027–2030', a grade 'P3', an English note) is set apart by :func:`ltr`
with the marks that Word (ECMA-376, Annex I.7), LibreOffice and browsers all honour: a
left-to-right mark (U+200E) on each side, so that the text and its own final full stop read
left to right, then a right-to-left mark (U+200F), so that what follows (', 6 months') is read
in the right-to-left order again instead of joining the left-to-right run ('P3، 6' would read
'6، P3'). Together they do what Unicode's isolates (U+2066..2069) do; Office Open XML, older
than the isolates, does not provide for those.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import markupsafe

LRM = "\u200e"
"""LEFT-TO-RIGHT MARK: a strong left-to-right character that takes no room."""
RLM = "\u200f"
"""RIGHT-TO-LEFT MARK: a strong right-to-left character that takes no room."""

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass(frozen=True)
class Script:
    """How the documents of one language are set.

    - ``rtl``: written right to left (Arabic).
    - ``word_lang``: Word's language marks (w:lang): of Latin or Cyrillic text, of East Asian
      text, of complex-script text; Word chooses the font slot and the proofing with them.
    - ``east_asian`` and ``complex``: the fonts of Word's East Asian and complex-script slots;
      None keeps the house font (Arial, which draws Latin, Cyrillic and Arabic).
    - ``css_fonts``: the HTML's font stack: the first font that has a character draws it.
    """

    rtl: bool
    word_lang: tuple[str, str, str]
    east_asian: str | None
    complex: str | None
    css_fonts: str


_LATIN_STACK = 'Arial, "Liberation Sans", Helvetica, sans-serif'

ARABIC_FONT = "Arial"
"""Word's complex-script font in Arabic: Arial, the house font, has the Arabic script on
Windows and macOS, so that Latin and Arabic text share one design and metrics."""

CHINESE_FONT = "SimSun"
"""Word's East Asian font in Chinese: SimSun (宋体), present with every Windows and with
Office for Mac, the usual face of Chinese official documents."""

SCRIPTS: dict[str, Script] = {
    "ar": Script(
        rtl=True,
        word_lang=("en-GB", "zh-CN", "ar-SA"),
        east_asian=None,
        complex=ARABIC_FONT,
        css_fonts='Arial, "Noto Naskh Arabic", "Noto Sans Arabic", "Simplified Arabic", '
        '"Liberation Sans", "DejaVu Sans", sans-serif',
    ),
    "zh": Script(
        rtl=False,
        word_lang=("en-GB", "zh-CN", "ar-SA"),
        east_asian=CHINESE_FONT,
        complex=None,
        css_fonts='Arial, "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", '
        '"WenQuanYi Micro Hei", "WenQuanYi Zen Hei", SimSun, "Liberation Sans", sans-serif',
    ),
    "en": Script(False, ("en-GB", "zh-CN", "ar-SA"), None, None, _LATIN_STACK),
    "fr": Script(False, ("fr-FR", "zh-CN", "ar-SA"), None, None, _LATIN_STACK),
    "es": Script(False, ("es-ES", "zh-CN", "ar-SA"), None, None, _LATIN_STACK),
    "ru": Script(False, ("ru-RU", "zh-CN", "ar-SA"), None, None, _LATIN_STACK),
}


def script(lang: str) -> Script:
    """The writing system of a language ('ar'); English's for a language not listed."""
    return SCRIPTS.get(lang.split("-")[0], SCRIPTS["en"])


def is_rtl(lang: str) -> bool:
    return script(lang).rtl


def direction(lang: str) -> str:
    """The HTML ``dir`` of a document in the language: 'rtl' or 'ltr'."""
    return "rtl" if script(lang).rtl else "ltr"


def ltr(text: str, lang: str) -> str:
    """Text that reads left to right inside right-to-left text ('2027–2030' stays so, never
    '2030–2027'), and leaves what follows it in right-to-left order: between two left-to-right
    marks, then a right-to-left mark, in a right-to-left language; as it is in any other."""
    if not text or not script(lang).rtl or text.startswith(LRM):
        return text
    return f"{LRM}{text}{LRM}{RLM}"


def font_stack(lang: str) -> markupsafe.Markup:
    """The CSS font stack of the language's documents, for a <style> element (the names are
    this module's, never the user's: safe as they are)."""
    import markupsafe

    return markupsafe.Markup(script(lang).css_fonts)


def as_written(text: str, lang: str) -> str:
    """The proposal's or a card's own text (a title, a request, a note, a rate's source) in a
    document of the language: as written, but in a right-to-left document a text that starts
    in a left-to-right script (an English note in an Arabic annex, a grade 'P3') is set apart
    by :func:`ltr`, so that its final full stop stays at its end instead of moving to the
    other side of the line, and a figure after it stays in the right-to-left order (HTML's
    <bdi> does the same; Word has no equivalent)."""
    if text and script(lang).rtl and starts_left_to_right(text):
        return ltr(text, lang)
    return text


def starts_left_to_right(text: str) -> bool:
    """Whether the first letter of a text that has a direction reads left to right ('(UN
    A/80/400)' does, '(قرار)' and '2027' do not)."""
    for c in text:
        kind = unicodedata.bidirectional(c)
        if kind == "L":
            return True
        if kind in ("R", "AL"):
            return False
    return False


# -- Word -------------------------------------------------------------------------------------


def set_word_script(document: Any, lang: str) -> None:
    """Set a rendered Word document (python-docx's ``Document``) for the language, on its XML
    (``document.element`` and ``document.styles.element``, through lxml):

    - the language marks of the document defaults (w:lang);
    - the East Asian or complex-script font of the defaults and of every style that names its
      fonts (Chinese: SimSun for East Asian text; Arabic: the complex-script font);
    - right to left (Arabic): every section (w:bidi in w:sectPr, so that the pages, columns
      and the header's tabs run from the right), every paragraph (w:bidi in the paragraph
      defaults), every run's neutral characters and digits read in a right-to-left context
      (w:rtl in the run defaults), and every table (w:bidiVisual: the first column on the
      right);
    - in a right-to-left document, a paragraph that holds nothing but one text set apart by
      :func:`ltr` (an English request, a title, a rate's label: :func:`reads_left_to_right`)
      is a left-to-right paragraph (w:bidi off, its runs' w:rtl off), as the French of No. 489
      is: it starts at the left, and its own brackets and final full stop stay at its ends. A
      heading stays where the Arabic headings are (its words read left to right all the
      same, set apart)."""
    s = script(lang)
    styles = document.styles.element
    defaults = _child(styles, "docDefaults", ("latentStyles", "style"))
    run = _child(_child(defaults, "rPrDefault", ("pPrDefault",)), "rPr")
    paragraph = _child(_child(defaults, "pPrDefault"), "pPr")
    marks = _child(run, "lang", _AFTER_LANG)
    for key, value in zip(("val", "eastAsia", "bidi"), s.word_lang, strict=True):
        marks.set(_W + key, value)
    slots = {"eastAsia": s.east_asian, "cs": s.complex}
    if any(slots.values()):
        if run.find(f"{_W}rFonts") is None:
            run.insert(0, run.makeelement(f"{_W}rFonts", {}))
        for fonts in styles.iter(f"{_W}rFonts"):
            for slot, font in slots.items():
                if font is not None:
                    fonts.set(_W + slot, font)
                    fonts.attrib.pop(f"{_W}{slot}Theme", None)
                    fonts.attrib.pop(f"{_W}{slot.lower()}theme", None)
    if not s.rtl:
        return
    _child(paragraph, "bidi", _AFTER_BIDI)
    _child(run, "rtl", _AFTER_RTL)
    body = document.element.body
    for section in body.iter(f"{_W}sectPr"):
        _child(section, "bidi", ("rtlGutter", "docGrid", "printerSettings", "sectPrChange"))
    for table in body.iter(f"{_W}tbl"):
        properties = _child(table, "tblPr", ("tblGrid", "tr"))
        _child(properties, "bidiVisual", _AFTER_BIDI_VISUAL)
    for p in body.iter(f"{_W}p"):
        style = p.find(f"{_W}pPr/{_W}pStyle")
        if style is not None and style.get(f"{_W}val", "").startswith("Heading"):
            continue  # a heading keeps its place in the structure of the Arabic document
        if reads_left_to_right("".join(t.text or "" for t in p.iter(f"{_W}t"))):
            _child(_properties(p, "pPr"), "bidi", _AFTER_BIDI).set(f"{_W}val", "0")
            for r in p.iter(f"{_W}r"):
                _child(_properties(r, "rPr"), "rtl", _AFTER_RTL).set(f"{_W}val", "0")


def reads_left_to_right(text: str) -> bool:
    """Whether a paragraph of a right-to-left document is one text set apart by :func:`ltr`
    and nothing else, with a letter that reads left to right in it: 'instructs the Director
    ...' is, a range of years '2027–2030' alone (no letter) or 'ملاحظة: Hosted by ...' (an
    Arabic label before it) is not."""
    if not (text.startswith(LRM) and text.endswith(LRM + RLM)):
        return False
    inner = text[1:-2]
    return (
        LRM not in inner
        and RLM not in inner
        and any(unicodedata.bidirectional(c) == "L" for c in inner)
    )


_AFTER_LANG = ("eastAsianLayout", "specVanish", "oMath")
_AFTER_RTL = ("cs", "em", "lang", *_AFTER_LANG)
_AFTER_BIDI = (
    "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents",
    "suppressOverlap", "jc", "textDirection", "textAlignment", "textboxTightWrap",
    "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange",
)  # fmt: skip
_AFTER_BIDI_VISUAL = (
    "tblStyleRowBandSize", "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd",
    "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription",
    "tblPrChange",
)  # fmt: skip
"""The elements that come after the one added, in the schema's order (ECMA-376, Part 1,
17.3.1.26 pPr, 17.3.2.28 rPr, 17.4.60 tblPr, 17.6.17 sectPr): Word refuses a file whose
properties are out of order."""


def _properties(parent: Any, tag: str) -> Any:
    """A paragraph's or run's properties (w:pPr, w:rPr), added first when it has none."""
    found = parent.find(_W + tag)
    if found is None:
        found = parent.makeelement(_W + tag, {})
        parent.insert(0, found)
    return found


def _child(parent: Any, tag: str, before: tuple[str, ...] = ()) -> Any:
    """The child ``w:tag`` of an element, added when it has none: before the first child
    named in ``before`` (the schema's order), else last."""
    found = parent.find(_W + tag)
    if found is not None:
        return found
    found = parent.makeelement(_W + tag, {})
    after = {_W + t for t in before}
    for i, child in enumerate(parent):
        if child.tag in after:
            parent.insert(i, found)
            return found
    parent.append(found)
    return found
