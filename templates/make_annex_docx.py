"""Build templates/annex.docx, the Word template of the annex (docxtpl tags inside), and
templates/committee.docx, the Budget Control Committee's report in the same layout.

Run it after changing the layout:  python templates/make_annex_docx.py
It writes the same bytes every time (fixed dates, fixed zip timestamps). The template uses
real Word styles (Title, Heading 1-2, Quote, List Bullet, the "Light Grid Accent 1" and
"Light List Accent 1" table styles), A4 pages, a header with the proposal reference, a footer
with the page numbers, and the stamp once, at the end. It reads the view model `annex`
(estimator/render/view.py).

Pages that hold: no table row is split across pages (every row "cannot split"); the header
row of a table is repeated on each page it runs to; small tables (every one but the rates)
are kept whole and with the heading before them (their rows "keep with next"), as headings
are kept with what follows. One house font, Arial (HOUSE_FONT), in every slot (Latin, East
Asian, complex scripts) of every style: Word has it on every system, browsers too, and
LibreOffice shows it in Liberation Sans, drawn to Arial's measures, so that the lines and
pages break where Word breaks them. Amounts are right-aligned; the tab stops of the header
and footer are those of the A4 text width.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path
from typing import Any

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

HERE = Path(__file__).resolve().parent
AMOUNTS_STYLE = "Light Grid Accent 1"
ITEMS_STYLE = "Light List Accent 1"
TABLE_TEXT = "Table Text"
TABLE_AMOUNT = "Table Amount"
FIXED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
HOUSE_FONT = "Arial"
TEXT_WIDTH_MM = 170  # A4, 210 mm, less margins of 20 mm
STAMP = "Stamp"


def _field(paragraph: Paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word and LibreOffice fill in."""
    paragraph.add_run()
    simple = OxmlElement("w:fldSimple")
    simple.set(qn("w:instr"), instruction)
    inner = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    inner.append(text)
    simple.append(inner)
    paragraph.part.element.findall(f".//{qn('w:r')}")[-1].addnext(simple)


def _look(table: Table, first_row: bool, last_row: bool) -> None:
    """Which parts of the table style apply: the header row, the total row, the label column."""
    pr = _table_element(table).tblPr
    for old in pr.findall(qn("w:tblLook")):
        pr.remove(old)
    look = OxmlElement("w:tblLook")
    flags = {
        "w:firstRow": (first_row, 0x0020),
        "w:lastRow": (last_row, 0x0040),
        "w:firstColumn": (True, 0x0080),
        "w:lastColumn": (False, 0x0100),
        "w:noHBand": (False, 0x0200),
        "w:noVBand": (True, 0x0400),
    }
    look.set(qn("w:val"), f"{sum(bit for on, bit in flags.values() if on):04X}")
    for key, (on, _) in flags.items():
        look.set(qn(key), "1" if on else "0")
    pr.append(look)


def _cell_styles(table: Table, amounts_from: int | None = None) -> None:
    """Table text in 9 pt; amounts (columns from `amounts_from`) right-aligned."""
    for row in table.rows:
        for j, cell in enumerate(row.cells):
            for paragraph in cell.paragraphs:
                amount = amounts_from is not None and j >= amounts_from
                paragraph.style = TABLE_AMOUNT if amount else TABLE_TEXT


def _widths(table: Table, widths_mm: list[float]) -> None:
    table.autofit = False
    for j, width in enumerate(widths_mm):
        table.columns[j].width = Mm(width)
        for cell in table.columns[j].cells:
            cell.width = Mm(width)


def _table_element(table: Table) -> Any:
    """The table's XML element (w:tbl): the last one in the body, as tables are built in order
    and finished before the next."""
    return table.part.element.body.findall(qn("w:tbl"))[-1]


def _rows(table: Table) -> list[Any]:
    """The table's rows as XML elements (w:tr)."""
    return _table_element(table).findall(qn("w:tr"))


def _repeat_header(table: Table) -> None:
    _rows(table)[0].get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def _hold_rows(table: Table, kept_whole: bool) -> None:
    """No row split across pages; a small table (kept_whole) on one page with the heading before
    it: every paragraph of its rows but the last keeps with the next (a long table only keeps
    its header row with the first row)."""
    rows = _rows(table)
    for i, row in enumerate(rows):
        row.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        if i == len(rows) - 1 or not (kept_whole or i == 0):
            continue
        for paragraph in row.iter(qn("w:p")):
            paragraph.get_or_add_pPr().keepNext_val = True


def _items_table(doc: docx.document.Document, loop: str, amounts: bool = False) -> None:
    """Two columns, label and value, one row per item of `loop` (e.g. annex.summary). With
    `amounts`, a value is right-aligned when the item is an amount (item.amount) and set left
    when it is text (the Summary's funding and basis lines)."""
    table = doc.add_table(rows=3, cols=2)
    table.style = doc.styles[ITEMS_STYLE]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.cell(0, 0).text = f"{{%tr for item in {loop} %}}"
    table.cell(1, 0).text = "{{ item.label }}"
    table.cell(1, 1).text = "{{ item.value }}"
    table.cell(2, 0).text = "{%tr endfor %}"
    _look(table, first_row=False, last_row=False)
    _cell_styles(table)
    if amounts:
        value = table.cell(1, 1)
        value.paragraphs[0].text = "{%p if item.amount %}"
        for text, style in [
            ("{{ item.value }}", TABLE_AMOUNT),
            ("{%p else %}", TABLE_TEXT),
            ("{{ item.value }}", TABLE_TEXT),
            ("{%p endif %}", TABLE_TEXT),
        ]:
            value.add_paragraph(text, style=style)
    _widths(table, [55, 115] if not amounts else [95, 75])
    _hold_rows(table, kept_whole=True)


def _amounts_table(doc: docx.document.Document, name: str) -> None:
    """A table of the view (header, rows, total): label column, then right-aligned amounts."""
    table = doc.add_table(rows=5, cols=4)
    table.style = doc.styles[AMOUNTS_STYLE]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for r, (source, cells) in enumerate(
        [
            (f"{name}.header", None),
            (None, f"{{%tr for row in {name}.rows %}}"),
            ("row", None),
            (None, "{%tr endfor %}"),
            (f"{name}.total", None),
        ]
    ):
        if source is None:
            table.cell(r, 0).text = cells or ""
            continue
        table.cell(r, 0).text = f"{{{{ {source}[0] }}}}"
        table.cell(r, 1).text = f"{{%tc for c in {source}[1:] %}}"
        table.cell(r, 2).text = "{{ c }}"
        table.cell(r, 3).text = "{%tc endfor %}"
    _look(table, first_row=True, last_row=True)
    _cell_styles(table, amounts_from=1)
    table.autofit = False  # fixed layout: the renderer gives the columns their widths
    _repeat_header(table)
    _hold_rows(table, kept_whole=True)


def _excess_table(doc: docx.document.Document, name: str) -> None:
    """The Article 34 excess table: year and budget unit (text, set left), then required,
    available and excess (amounts, right-aligned); its five columns are known."""
    table = doc.add_table(rows=5, cols=5)
    table.style = doc.styles[AMOUNTS_STYLE]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for j in range(5):
        table.cell(0, j).text = f"{{{{ {name}.header[{j}] }}}}"
        table.cell(2, j).text = f"{{{{ row[{j}] }}}}"
        table.cell(4, j).text = f"{{{{ {name}.total[{j}] }}}}"
    table.cell(1, 0).text = f"{{%tr for row in {name}.rows %}}"
    table.cell(3, 0).text = "{%tr endfor %}"
    _look(table, first_row=True, last_row=True)
    _cell_styles(table, amounts_from=2)
    _widths(table, [22, 32, 38, 38, 38])
    _repeat_header(table)
    _hold_rows(table, kept_whole=True)


def _p(doc: docx.document.Document, text: str, style: str | None = None) -> Paragraph:
    return doc.add_paragraph(text, style=style)


def _french(doc: docx.document.Document) -> None:
    """The last paragraph is in French whatever the annex's language (the authentic text of
    the Convention): marked French, and left to right even in an Arabic annex (w:bidi and w:rtl
    off, where the Arabic annex turns them on for the whole document)."""
    paragraph = doc.element.body.findall(qn("w:p"))[-1]
    properties = paragraph.find(qn("w:pPr"))
    bidi = OxmlElement("w:bidi")
    bidi.set(qn("w:val"), "0")
    properties.append(bidi)  # after w:pStyle, the only property the paragraph has
    for run in paragraph.findall(qn("w:r")):
        rpr = OxmlElement("w:rPr")
        for tag, value in (("w:rtl", "0"), ("w:lang", "fr-FR")):
            element = OxmlElement(tag)
            element.set(qn("w:val"), value)
            rpr.append(element)
        run.insert(0, rpr)


def _document(header_text: str) -> docx.document.Document:
    """A new document with the house layout: A4, the styles, a header (``header_text``, Jinja)
    and a footer with the page numbers."""
    doc = docx.Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10)
    for name in ("Title", "Heading 1", "Heading 2"):
        doc.styles[name].paragraph_format.keep_with_next = True
    for name in ("Header", "Footer"):
        stops = doc.styles[name].paragraph_format.tab_stops
        stops.clear_all()
        stops.add_tab_stop(Mm(TEXT_WIDTH_MM / 2), WD_TAB_ALIGNMENT.CENTER)
        stops.add_tab_stop(Mm(TEXT_WIDTH_MM), WD_TAB_ALIGNMENT.RIGHT)
    stamp_style = doc.styles.add_style(STAMP, WD_STYLE_TYPE.PARAGRAPH)
    stamp_style.base_style = normal
    stamp_style.font.size = Pt(7.5)
    stamp_style.font.color.rgb = RGBColor(0x44, 0x44, 0x44)
    stamp_style.paragraph_format.space_before = Pt(18)
    text = doc.styles.add_style(TABLE_TEXT, WD_STYLE_TYPE.PARAGRAPH)
    text.base_style = normal
    text.font.size = Pt(9)
    text.paragraph_format.space_before = text.paragraph_format.space_after = Pt(0)
    amount = doc.styles.add_style(TABLE_AMOUNT, WD_STYLE_TYPE.PARAGRAPH)
    amount.base_style = text
    amount.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    header = section.header.paragraphs[0]
    header.text = header_text
    header.style = doc.styles["Header"]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    pages = section.footer.paragraphs[0]
    pages.style = doc.styles["Footer"]
    pages.alignment = WD_ALIGN_PARAGRAPH.CENTER
    pages.add_run("{{ page_parts()[0] }}")  # 'Page ', ' of ', '' as the language words them
    _field(pages, "PAGE")
    pages.add_run("{{ page_parts()[1] }}")
    _field(pages, "NUMPAGES")
    pages.add_run("{{ page_parts()[2] }}")
    return doc


def build() -> bytes:
    """The annex's template."""
    doc = _document('{{ annex.reference }} · {{ _("Statement of financial implications") }}')

    _p(
        doc,
        '{{ _("Statement of financial implications: %(reference)s", reference=annex.reference) }}',
        "Title",
    )
    _p(doc, "{{ annex.title }}")
    _p(doc, '{{ _("1. Identification") }}', "Heading 1")
    _items_table(doc, "annex.identification")

    _p(doc, "{%p if annex.short_form %}")
    _p(doc, '{{ _("Note: no financial implications") }}', "Heading 1")
    _p(
        doc,
        "{{ annex.article34.paragraphs | join(' ') }} "
        '{{ _("None of the activities by which the requests would be implemented has a cost, so no '
        'estimate of requirements is given.") }}',
    )
    _p(doc, "{%p if annex.requests %}")
    _p(doc, '{{ _("Requests") }}', "Heading 1")
    _p(doc, "{%p for request in annex.requests %}")
    _p(doc, "{{ request }}", "Quote")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p endif %}")
    _p(doc, "{%p else %}")

    _p(doc, '{{ _("2. Summary") }}', "Heading 1")
    _p(doc, "{{ annex.rounding }}")
    _items_table(doc, "annex.summary", amounts=True)
    _p(doc, "{{ annex.article34.title }}", "Heading 2")
    _p(doc, "{%p for paragraph in annex.article34.paragraphs %}")
    _p(doc, "{{ loop.index }}. {{ paragraph }}")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p if annex.article34.quote %}")
    _p(doc, "« {{ annex.article34.quote }} »", "Quote")
    _french(doc)
    _p(doc, "{{ annex.article34.quote_source }}")
    _p(doc, "{%p if annex.article34.translation %}")
    _p(doc, "{{ annex.article34.translation }}")
    _p(doc, "{%p endif %}")
    _p(doc, "{%p endif %}")
    _p(doc, "{%p if annex.article34.excess %}")
    _p(doc, "{{ annex.article34.excess.title }} ({{ annex.currency }})")
    _excess_table(doc, "annex.article34.excess")
    _p(doc, "{%p endif %}")

    _p(doc, '{{ _("3. Requests") }}', "Heading 1")
    _p(doc, "{%p for request in annex.requests %}")
    _p(doc, "{{ request }}", "Quote")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p if not annex.requests %}")
    _p(doc, '{{ _("The proposal quotes no operative paragraph.") }}')
    _p(doc, "{%p endif %}")

    _p(doc, '{{ _("4. Activities by which the requests would be implemented") }}', "Heading 1")
    _p(doc, "{%p for activity in annex.activities %}")
    _p(doc, "{{ activity.title }}", "Heading 2")
    _p(doc, "{{ labelled(activity.kind, activity.description) }}")
    _p(doc, "{%p for item in activity.details %}")
    _p(doc, "{{ labelled(item.label, item.value) }}", "List Bullet")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p if activity.note %}")
    _p(doc, '{{ _("Note:") }} {{ activity.note }}', "List Bullet")
    _p(doc, "{%p endif %}")
    _p(doc, "{%p endfor %}")

    _p(doc, '{{ _("5. Estimated requirements") }}', "Heading 1")
    _p(doc, "{{ annex.rounding }}")
    _p(doc, "{%p for table in annex.tables %}")
    _p(doc, "{{ table.title }} ({{ annex.currency }})", "Heading 2")
    _amounts_table(doc, "table")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p for item in annex.servicing %}")
    _p(
        doc,
        "{{ labelled(item.label, currency_amount(annex.currency, item.value)) }}",
        "List Bullet",
    )
    _p(doc, "{%p endfor %}")
    _p(
        doc,
        '{{ _("Of which external human resources (consultants and outsourced services):") }} '
        "{{ annex.external }}",
        "List Bullet",
    )
    _p(doc, "{%p if annex.staff %}")
    _p(doc, "{{ annex.staff.title }}", "Heading 2")
    _amounts_table(doc, "annex.staff")
    _p(doc, "{%p endif %}")

    _p(doc, '{{ _("6. Relationship to the strategic plan") }}', "Heading 1")
    _p(doc, "{%p if annex.goals %}")
    _p(doc, "{{ annex.goals.title }} ({{ annex.currency }})", "Heading 2")
    _amounts_table(doc, "annex.goals")
    _p(doc, "{%p else %}")
    _p(doc, '{{ _("The activities do not name goals of the strategic plan.") }}')
    _p(doc, "{%p endif %}")

    _p(doc, '{{ _("7. Basis of the estimate") }}', "Heading 1")
    _items_table(doc, "annex.card")
    _p(doc, "{%p if annex.stated %}")
    _p(doc, '{{ _("Amounts stated in the proposal") }}', "Heading 2")
    _p(doc, "{%p for s in annex.stated %}")
    _p(
        doc,
        '{{ _("%(activity)s: %(amount)s.", activity=s.activity, amount=s.amount) }} '
        "{{ s.justification }}",
        "List Bullet",
    )
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p endif %}")
    _p(doc, '{{ _("Escalation") }}', "Heading 2")
    _p(doc, "{{ annex.escalation }}")
    _p(doc, '{{ _("Rounding") }}', "Heading 2")
    _p(doc, "{{ annex.rounding_rule }}")
    _p(doc, "{%p for group in annex.notes %}")
    _p(doc, "{{ group.title }}", "Heading 2")
    _p(doc, "{%p if group.intro %}")
    _p(doc, "{{ group.intro }}")
    _p(doc, "{%p endif %}")
    _p(doc, "{%p for n in group.entries %}")
    _p(doc, "{{ n }}", "List Bullet")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p if annex.caveats %}")
    _p(doc, '{{ _("Caveats") }}', "Heading 2")
    _p(doc, "{%p for c in annex.caveats %}")
    _p(doc, "{{ c }}", "List Bullet")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p endif %}")
    _p(doc, '{{ _("Appendix: the rates used and their sources") }}', "Heading 1")
    _p(doc, '{{ _("Rates used") }}', "Heading 2")
    rates = doc.add_table(rows=4, cols=5)
    rates.style = doc.styles[AMOUNTS_STYLE]
    for i, title in enumerate(["Rate", "Unit", "Value", "In force from", "Basis and source"]):
        rates.cell(0, i).text = f'{{{{ _("{title}") }}}}'
    rates.cell(1, 0).text = "{%tr for rate in annex.rates %}"
    for i, text in enumerate(
        [
            "{{ rate.rate }}",
            "{{ rate.unit }}",
            "{{ rate.value }}",
            "{{ rate.date }}",
            "{{ rate.basis }}: {{ rate.citation }}",
        ]
    ):
        rates.cell(2, i).text = text
    rates.cell(3, 0).text = "{%tr endfor %}"
    _look(rates, first_row=True, last_row=False)
    _cell_styles(rates)
    rates.cell(2, 2).paragraphs[0].style = TABLE_AMOUNT
    _widths(rates, [36, 22, 30, 22, 60])  # the value: "CHF 1,192,931.42" on one line
    _repeat_header(rates)
    _hold_rows(rates, kept_whole=False)
    _p(doc, "{%p if annex.card_notes %}")
    _p(doc, "{{ annex.card_notes.title }}", "Heading 2")
    _p(doc, "{%p for n in annex.card_notes.entries %}")
    _p(doc, "{{ n }}", "List Bullet")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p endif %}")
    _p(doc, "{%p endif %}")

    _p(doc, "{{ annex.stamp }}", STAMP)  # once, at the end (not on every page)
    _p(doc, "{%p if annex.unreviewed %}")
    _p(doc, "{{ annex.unreviewed }}", STAMP)
    _p(doc, "{%p endif %}")

    return _finished(doc, '{{ _("Statement of financial implications") }}')


def build_committee() -> bytes:
    """The Budget Control Committee's report (estimator/render/committee.py): the annex's
    layout, styles and tables, over the view model `report`."""
    doc = _document("{{ report.title }}")
    _p(doc, "{{ report.title }}", "Title")
    _p(doc, "{{ report.subtitle }}").runs[0].bold = True
    _p(doc, "{{ report.rules }}")
    _p(doc, "{{ report.plan }}")
    _p(doc, '{{ _("Amounts in %(currency)s.", currency=report.currency) }}')
    _p(doc, '{{ _("Summary") }}', "Heading 1")
    _items_table(doc, "report.summary", amounts=True)
    _p(doc, "{%p for paragraph in report.conclusion %}")
    _p(doc, "{{ loop.index }}. {{ paragraph }}")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p for table in report.tables %}")
    _p(doc, "{{ table.title }} ({{ report.currency }})", "Heading 1")
    _p(doc, "{%p if table.rows %}")
    _amounts_table(doc, "table")
    _p(doc, "{%p else %}")
    _p(doc, '{{ _("None.") }}')
    _p(doc, "{%p endif %}")
    _p(doc, "{%p endfor %}")
    _p(doc, "{{ report.closed_title }}", "Heading 1")
    _p(doc, "{%p for c in report.closed %}")
    _p(doc, "{{ c }}", "List Bullet")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p if not report.closed %}")
    _p(doc, '{{ _("None.") }}')
    _p(doc, "{%p endif %}")
    _p(doc, "{{ report.stamp }}", STAMP)
    return _finished(doc, "{{ report.title }}")


def _finished(doc: docx.document.Document, title: str) -> bytes:
    """The document's properties fixed, unused styles and parts pruned, the house font, the
    zip's dates fixed: the same bytes every time."""
    props = doc.core_properties
    props.title = title
    props.author = "finimpact"
    props.last_modified_by = "finimpact"
    props.comments = "finimpact"  # python-docx's 'generated by python-docx', in English
    props.created = props.modified = FIXED
    props.revision = 1

    _prune(doc)
    _house_font(doc)
    _complex_script_sizes(doc)
    out = io.BytesIO()
    doc.save(out)
    sys.path.insert(0, str(HERE.parent))
    from estimator.render import stablezip

    return stablezip.restamped(out.getvalue())  # fixed dates: the same bytes every time


USED_STYLES = {
    "Normal",
    "Default Paragraph Font",
    "Normal Table",
    "No List",
    "Title",
    "Heading 1",
    "Heading 2",
    "Quote",
    "List Paragraph",
    "List Bullet",
    "Header",
    "Footer",
    TABLE_TEXT,
    TABLE_AMOUNT,
    STAMP,
    AMOUNTS_STYLE,
    ITEMS_STYLE,
}
UNUSED_PARTS = ("stylesWithEffects", "customXml", "webSettings", "thumbnail", "extended-properties")
"""Parts of python-docx's default template that the annex does not need: Word 2010's copy of
the styles, a sample of custom XML, web settings, a thumbnail of a blank page, and the
application properties (which name 'Microsoft Macintosh Word' and one blank page)."""


def _house_font(doc: docx.document.Document) -> None:
    """HOUSE_FONT in every font slot (ASCII, high ANSI, East Asian, complex scripts) of the
    document defaults and every style, in place of the theme's fonts (Calibri, Cambria)."""
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    run_defaults = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if run_defaults.find(qn("w:rFonts")) is None:
        run_defaults.insert(0, OxmlElement("w:rFonts"))
    for fonts in styles.iter(qn("w:rFonts")):
        for name in list(fonts.attrib):
            if name.lower().endswith("theme"):  # w:asciiTheme ... and w:cstheme
                del fonts.attrib[name]
        for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(slot), HOUSE_FONT)


def _complex_script_sizes(doc: docx.document.Document) -> None:
    """Complex-script text (Arabic) in the size and weight of the style: Word sizes and
    emboldens it by w:szCs and w:bCs, which python-docx's font.size and font.bold leave out
    (an Arabic heading came out in 11 pt, not bold). Italic is left to Latin text: Arabic is
    not slanted for emphasis. No letter spacing (the Title had 0.25 pt): Arabic letters join.
    """
    for props in doc.styles.element.iter(qn("w:rPr")):
        for tracking in props.findall(qn("w:spacing")):  # the Title's letter spacing: Arabic
            props.remove(tracking)  # letters join, and LibreOffice drew the gaps as a rule
        for latin, complex_script in (("w:sz", "w:szCs"), ("w:b", "w:bCs")):
            found = props.find(qn(latin))
            if found is None or props.find(qn(complex_script)) is not None:
                continue
            twin = OxmlElement(complex_script)
            for key, value in found.attrib.items():
                twin.set(key, value)
            found.addnext(twin)


def _prune(doc: docx.document.Document) -> None:
    """Only what the annex uses: python-docx's default template has 164 styles (350 KB of
    XML, read again for every annex) where the annex uses 16."""
    for style in list(doc.styles):
        if style.name not in USED_STYLES and style.name.removesuffix(" Char") not in USED_STYLES:
            style.delete()
    for latent in list(doc.styles.latent_styles):
        latent.delete()
    for rel_id, rel in list(doc.part.rels.items()):
        if rel.reltype.rsplit("/", 1)[-1] in UNUSED_PARTS:
            doc.part.drop_rel(rel_id)
    package_rels = doc.part.package.rels
    for rel_id, rel in list(package_rels.items()):
        if rel.reltype.rsplit("/", 1)[-1] in UNUSED_PARTS:
            del package_rels[rel_id]


if __name__ == "__main__":
    for name, make in (("annex.docx", build), ("committee.docx", build_committee)):
        target = HERE / name
        target.write_bytes(make())
        print(f"wrote {target}")
