"""Build templates/annex.docx, the Word template of the annex (docxtpl tags inside).

Run it after changing the layout:  python templates/make_annex_docx.py
It writes the same bytes every time (fixed dates, fixed zip timestamps). The template uses
real Word styles (Title, Heading 1-2, Quote, List Bullet, the "Light Grid Accent 1" and
"Light List Accent 1" table styles), A4 pages, a header with the proposal reference and a
footer with the stamp and page numbers. It reads the view model `annex` (estimator/view.py).
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import zipfile
from pathlib import Path

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

HERE = Path(__file__).resolve().parent
AMOUNTS_STYLE = "Light Grid Accent 1"
ITEMS_STYLE = "Light List Accent 1"
TABLE_TEXT = "Table Text"
TABLE_AMOUNT = "Table Amount"
FIXED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _field(paragraph: Paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word and LibreOffice fill in."""
    run = paragraph.add_run()
    simple = OxmlElement("w:fldSimple")
    simple.set(qn("w:instr"), instruction)
    inner = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    inner.append(text)
    simple.append(inner)
    run._r.addnext(simple)


def _look(table: Table, first_row: bool, last_row: bool) -> None:
    """Which parts of the table style apply: the header row, the total row, the label column."""
    pr = table._tbl.tblPr
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


def _repeat_header(table: Table) -> None:
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def _items_table(doc: docx.document.Document, loop: str) -> None:
    """Two columns, label and value, one row per item of `loop` (e.g. annex.summary)."""
    table = doc.add_table(rows=3, cols=2)
    table.style = doc.styles[ITEMS_STYLE]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.cell(0, 0).text = f"{{%tr for item in {loop} %}}"
    table.cell(1, 0).text = "{{ item.label }}"
    table.cell(1, 1).text = "{{ item.value }}"
    table.cell(2, 0).text = "{%tr endfor %}"
    _look(table, first_row=False, last_row=False)
    _cell_styles(table)
    _widths(table, [55, 115])


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
    _repeat_header(table)


def _p(doc: docx.document.Document, text: str, style: str | None = None) -> Paragraph:
    return doc.add_paragraph(text, style=style)


def build() -> bytes:
    doc = docx.Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    normal = doc.styles["Normal"]
    normal.font.name = "Liberation Sans"
    normal.font.size = Pt(10)
    text = doc.styles.add_style(TABLE_TEXT, WD_STYLE_TYPE.PARAGRAPH)
    text.base_style = normal
    text.font.size = Pt(9)
    text.paragraph_format.space_before = text.paragraph_format.space_after = Pt(0)
    amount = doc.styles.add_style(TABLE_AMOUNT, WD_STYLE_TYPE.PARAGRAPH)
    amount.base_style = text
    amount.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    header = section.header.paragraphs[0]
    header.text = "{{ annex.reference }} · Statement of financial implications"
    header.style = doc.styles["Header"]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    stamp = section.footer.paragraphs[0]
    stamp.text = "{{ annex.stamp }}"
    stamp.style = doc.styles["Footer"]
    for run in stamp.runs:
        run.font.size = Pt(7)
    pages = section.footer.add_paragraph(style=doc.styles["Footer"])
    pages.alignment = WD_ALIGN_PARAGRAPH.CENTER
    pages.add_run("Page ")
    _field(pages, "PAGE")
    pages.add_run(" of ")
    _field(pages, "NUMPAGES")

    _p(doc, "Statement of financial implications: {{ annex.reference }}", "Title")
    _p(doc, "{{ annex.title }}")
    _p(doc, "1. Identification", "Heading 1")
    _items_table(doc, "annex.identification")

    _p(doc, "{%p if annex.short_form %}")
    _p(doc, "Note: no financial implications", "Heading 1")
    _p(
        doc,
        "{{ annex.article34_statement }} None of the activities by which the requests would be "
        "implemented has a cost, so no estimate of requirements is given.",
    )
    _p(doc, "{%p if annex.requests %}")
    _p(doc, "Requests", "Heading 1")
    _p(doc, "{%p for request in annex.requests %}")
    _p(doc, "{{ request }}", "Quote")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p endif %}")
    _p(doc, "{%p else %}")

    _p(doc, "2. Summary", "Heading 1")
    _p(doc, "{{ annex.rounding }}")
    _items_table(doc, "annex.summary")
    article = doc.add_paragraph()
    article.paragraph_format.space_before = Pt(8)
    article.add_run("Article 34 ({{ annex.article34_verdict }}). ").bold = True
    article.add_run("{{ annex.article34_statement }}")

    _p(doc, "3. Requests", "Heading 1")
    _p(doc, "{%p for request in annex.requests %}")
    _p(doc, "{{ request }}", "Quote")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p if not annex.requests %}")
    _p(doc, "The proposal quotes no operative paragraph.")
    _p(doc, "{%p endif %}")

    _p(doc, "4. Activities by which the requests would be implemented", "Heading 1")
    _p(doc, "{%p for activity in annex.activities %}")
    _p(doc, "{{ activity.title }}", "Heading 2")
    _p(doc, "{{ activity.kind }}: {{ activity.description }}")
    _p(doc, "{%p for item in activity.details %}")
    _p(doc, "{{ item.label }}: {{ item.value }}", "List Bullet")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p if activity.note %}")
    _p(doc, "Note: {{ activity.note }}", "List Bullet")
    _p(doc, "{%p endif %}")
    _p(doc, "{%p endfor %}")

    _p(doc, "5. Estimated requirements", "Heading 1")
    _p(doc, "{{ annex.rounding }}")
    _p(doc, "{%p for table in annex.tables %}")
    _p(doc, "{{ table.title }} ({{ annex.currency }})", "Heading 2")
    _amounts_table(doc, "table")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p for item in annex.servicing %}")
    _p(doc, "{{ item.label }}: {{ annex.currency }} {{ item.value }}", "List Bullet")
    _p(doc, "{%p endfor %}")
    _p(
        doc,
        "Of which external human resources (consultants and outsourced services): "
        "{{ annex.external }}",
        "List Bullet",
    )

    _p(doc, "6. Relationship to the strategic plan", "Heading 1")
    _p(doc, "{%p if annex.goals %}")
    _p(doc, "{{ annex.goals.title }} ({{ annex.currency }})", "Heading 2")
    _amounts_table(doc, "annex.goals")
    _p(doc, "{%p else %}")
    _p(doc, "The activities do not name goals of the strategic plan.")
    _p(doc, "{%p endif %}")

    _p(doc, "7. Basis of the estimate", "Heading 1")
    _items_table(doc, "annex.card")
    _p(doc, "Rates used", "Heading 2")
    rates = doc.add_table(rows=4, cols=5)
    rates.style = doc.styles[AMOUNTS_STYLE]
    for i, title in enumerate(["Rate", "Unit", "Value", "In force from", "Basis and source"]):
        rates.cell(0, i).text = title
    rates.cell(1, 0).text = "{%tr for rate in annex.rates %}"
    for i, text in enumerate(
        [
            "{{ rate.rate }}",
            "{{ rate.unit }}",
            "{{ rate.value }}",
            "{{ rate.date }}",
            "{{ rate.basis }}: {{ rate.source }}"
            "{% if rate.derivation %} ({{ rate.derivation }}){% endif %}",
        ]
    ):
        rates.cell(2, i).text = text
    rates.cell(3, 0).text = "{%tr endfor %}"
    _look(rates, first_row=True, last_row=False)
    _cell_styles(rates)
    rates.cell(2, 2).paragraphs[0].style = TABLE_AMOUNT
    _widths(rates, [38, 24, 26, 24, 58])
    _repeat_header(rates)

    _p(doc, "{%p if annex.stated %}")
    _p(doc, "Amounts stated in the proposal", "Heading 2")
    _p(doc, "{%p for s in annex.stated %}")
    _p(doc, "{{ s.activity }}: {{ s.amount }}. {{ s.justification }}", "List Bullet")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p endif %}")
    _p(doc, "Escalation", "Heading 2")
    _p(doc, "{{ annex.escalation }}")
    _p(doc, "Rounding", "Heading 2")
    _p(doc, "{{ annex.rounding_rule }}")
    _p(doc, "Assumptions and notes", "Heading 2")
    _p(doc, "{%p for a in annex.assumptions %}")
    _p(doc, "{{ a }}", "List Bullet")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p if not annex.assumptions %}")
    _p(doc, "None.")
    _p(doc, "{%p endif %}")
    _p(doc, "{%p if annex.caveats %}")
    _p(doc, "Caveats", "Heading 2")
    _p(doc, "{%p for c in annex.caveats %}")
    _p(doc, "{{ c }}", "List Bullet")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p endif %}")
    _p(doc, "{%p endif %}")

    props = doc.core_properties
    props.title = "Statement of financial implications"
    props.author = "finimpact"
    props.last_modified_by = "finimpact"
    props.created = props.modified = FIXED
    props.revision = 1

    _prune(doc)
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
    AMOUNTS_STYLE,
    ITEMS_STYLE,
}
UNUSED_PARTS = ("stylesWithEffects", "customXml", "webSettings", "thumbnail", "extended-properties")
"""Parts of python-docx's default template that the annex does not need: Word 2010's copy of
the styles, a sample of custom XML, web settings, a thumbnail of a blank page, and the
application properties (which name 'Microsoft Macintosh Word' and one blank page)."""


def _prune(doc: docx.document.Document) -> None:
    """Only what the annex uses: python-docx's default template has 164 styles (350 KB of
    XML, read again for every annex) where the annex uses 16."""
    for style in list(doc.styles):
        if style.name not in USED_STYLES and not style.name.endswith(" Char"):
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
    target = HERE / "annex.docx"
    target.write_bytes(build())
    print(f"wrote {target}")
