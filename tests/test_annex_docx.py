"""The Word annex, prepared once per template, gives the bytes docxtpl gives.

render_docx reads a Word template once and renders only the parts docxtpl renders (body,
headers, footers, core properties, footnotes). The reference here is the plain way: docxtpl's
DocxTemplate.render on the whole template, saved by python-docx, zipped with fixed dates. Both
must give the same bytes, for the shipped template and for a user template with every part
docxtpl renders. Its shortcut to docxtpl's resolve_listing gives the same text for any text.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import docx
import jinja2
import markupsafe
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm
from docxtpl import DocxTemplate
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from estimator.core.estimate import Estimate
from estimator.core.pipeline import estimate as run_estimate
from estimator.render.annex import _docxtpl_steps, _fit_amount_tables, render_docx
from estimator.render.options import RenderOptions
from estimator.render.resources import templates_dir
from estimator.render.view import build_view

TESTS = Path(__file__).resolve().parent
SPECIAL = TESTS / "annex" / "special-characters.toml"
PP26 = TESTS / "golden" / "pp26-ai-capacity.toml"
CARD = TESTS / "annex" / "card.toml"


def _estimate(path: Path) -> Estimate:
    outcome = run_estimate(path, CARD)
    assert outcome.estimate is not None
    return outcome.estimate


def _docxtpl_render(template: Path, est: Estimate, round_to: int) -> bytes:
    """The annex as docxtpl renders it from the template file and python-docx saves it."""
    context = {"annex": dataclasses.asdict(build_view(est, round_to))}
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)
    document = DocxTemplate(str(template))
    document.render(context, jinja_env=env, autoescape=True)
    _fit_amount_tables(document.docx.element)
    saved = io.BytesIO()
    document.save(saved)
    out = io.BytesIO()
    with zipfile.ZipFile(saved) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(item))
    return out.getvalue()


_FOOTNOTES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b'<w:footnote w:id="1"><w:p><w:r><w:t>Note on {{ annex.reference }}</w:t></w:r></w:p>'
    b"</w:footnote></w:footnotes>"
)


def _user_template(path: Path) -> Path:
    """A template with every part docxtpl renders: core properties with tags, a body with a
    picture, a paragraph loop and a table whose {%tc %} loop makes more cells than its grid
    (fix_tables widens it), two sections, a header with a picture, a footer, and footnotes
    (which python-docx cannot make: added to the zip)."""
    picture = (templates_dir() / "annex.docx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(picture)) as z:
        jpeg = z.read("docProps/thumbnail.jpeg")
    document = docx.Document()
    document.core_properties.title = "{{ annex.reference }} & its costs"
    document.core_properties.subject = "{{ annex.title }}"
    document.add_heading("{{ annex.title }}", level=1)
    document.add_paragraph().add_run().add_picture(io.BytesIO(jpeg), width=Mm(20))
    for text in ("{%p for line in annex.assumptions %}", "{{ line }}", "{%p endfor %}"):
        document.add_paragraph(text)
    table = document.add_table(rows=4, cols=5)
    texts = [
        ["Item", "", "", "", "Total"],
        ["{%tr for item in annex.summary %}", "", "", "", ""],
        ["{{ item.label }}", "{%tc for n in [1, 2, 3, 4] %}", "{{ n }}", "{%tc endfor %}", "x"],
        ["{%tr endfor %}", "", "", "", ""],
    ]
    for row, row_texts in zip(table.rows, texts, strict=True):
        for cell, text in zip(row.cells, row_texts, strict=True):
            cell.text = text
    document.add_section()
    document.add_paragraph("{{ annex.rounding }}")
    section = document.sections[0]
    section.header.paragraphs[0].text = "{{ annex.reference }}"
    section.header.add_paragraph().add_run().add_picture(io.BytesIO(jpeg), width=Mm(10))
    section.footer.paragraphs[0].text = "{{ annex.stamp }}"
    saved = io.BytesIO()
    document.save(saved)
    footnotes_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
    footnotes_rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
    added = {
        "[Content_Types].xml": (
            b"</Types>",
            f'<Override PartName="/word/footnotes.xml" ContentType="{footnotes_type}"/></Types>',
        ),
        "word/_rels/document.xml.rels": (
            b"</Relationships>",
            f'<Relationship Id="rId99" Type="{footnotes_rel}" Target="footnotes.xml"/>'
            "</Relationships>",
        ),
    }
    with zipfile.ZipFile(saved) as src, zipfile.ZipFile(path, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name in added:
                end, replacement = added[name]
                data = data.replace(end, replacement.encode())
            dst.writestr(name, data)
        dst.writestr("word/footnotes.xml", _FOOTNOTES)
    return path


@pytest.mark.parametrize("round_to", [1, 100])
@pytest.mark.parametrize("proposal", [SPECIAL, PP26], ids=["special-characters", "pp26"])
def test_the_shipped_template_gives_what_docxtpl_gives(proposal: Path, round_to: int) -> None:
    est = _estimate(proposal)
    expected = _docxtpl_render(templates_dir() / "annex.docx", est, round_to)
    assert render_docx(est, RenderOptions(round_to=round_to)) == expected


@pytest.mark.parametrize("proposal", [SPECIAL, PP26], ids=["special-characters", "pp26"])
def test_a_user_template_gives_what_docxtpl_gives(tmp_path: Path, proposal: Path) -> None:
    template = _user_template(tmp_path / "mine.docx")
    est = _estimate(proposal)
    data = render_docx(est, RenderOptions(template=template))
    assert data == _docxtpl_render(template, est, 100)
    reference = est.proposal.info.reference
    with zipfile.ZipFile(io.BytesIO(data)) as z:  # the template has what it is meant to have
        footnotes = etree.fromstring(z.read("word/footnotes.xml"))
        grid = etree.fromstring(z.read("word/document.xml")).findall(".//" + qn("w:gridCol"))
    assert "".join(footnotes.itertext()) == f"Note on {reference}"
    assert len(grid) == 6  # fix_tables added a column for the loop's sixth cell
    title = docx.Document(io.BytesIO(data)).core_properties.title
    assert title == f"{markupsafe.escape(reference)} & its costs"  # as docxtpl has it


def test_a_user_template_changed_on_disk_is_read_again(tmp_path: Path) -> None:
    template = tmp_path / "mine.docx"
    est = _estimate(PP26)
    for words in ("First words:", "Other words:"):
        document = docx.Document()
        document.add_paragraph(words + " {{ annex.reference }}")
        document.save(str(template))
        text = "".join(
            p.text
            for p in docx.Document(
                io.BytesIO(render_docx(est, RenderOptions(template=template)))
            ).paragraphs
        )
        assert text == f"{words} {est.proposal.info.reference}"


def test_a_user_template_without_core_properties_gives_the_same_bytes_every_time(
    tmp_path: Path,
) -> None:
    # python-docx adds core properties to a package that has none, dated with the time of the
    # render: they are given the zip entries' fixed date, and the rest is what docxtpl gives.
    made = tmp_path / "made.docx"
    document = docx.Document()
    document.add_paragraph("{{ annex.reference }}")
    document.save(str(made))
    template = tmp_path / "mine.docx"
    with zipfile.ZipFile(made) as src, zipfile.ZipFile(template, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "docProps/core.xml":
                continue
            if name in ("_rels/.rels", "[Content_Types].xml"):
                data = re.sub(rb"<[^<]*(core-properties|/docProps/core.xml)[^>]*/>", b"", data)
            dst.writestr(name, data)
    est = _estimate(PP26)
    data = render_docx(est, RenderOptions(template=template))
    assert docx.Document(io.BytesIO(data)).core_properties.modified == dt.datetime(
        1980, 1, 1, tzinfo=dt.UTC
    )
    expected = _docxtpl_render(template, est, 100)
    with zipfile.ZipFile(io.BytesIO(data)) as ours, zipfile.ZipFile(io.BytesIO(expected)) as ref:
        assert ours.namelist() == ref.namelist()
        differ = [name for name in ours.namelist() if ours.read(name) != ref.read(name)]
    assert differ == ["docProps/core.xml"]


@pytest.mark.parametrize("odd", ["no page size", "a total column alone"])
def test_a_user_template_with_no_page_size_or_a_one_column_total_table_renders(
    tmp_path: Path, odd: str
) -> None:
    # The tables of amounts are fitted to the page between its margins: a table that cannot
    # be (no page size, or no column for the amounts) is left as the template has it.
    document = docx.Document()
    table = document.add_table(rows=2, cols=1)
    table.cell(0, 0).text = "Total"
    table.cell(1, 0).text = "{{ annex.reference }}"
    if odd == "no page size":
        table.add_column(Mm(30)).cells[0].text = "Total"
        body = document.element.body
        body.remove(body.sectPr)
    template = tmp_path / "mine.docx"
    document.save(str(template))
    est = _estimate(PP26)
    data = render_docx(est, RenderOptions(template=template))
    assert data == _docxtpl_render(template, est, 100)
    cells = docx.Document(io.BytesIO(data)).tables[0].column_cells(0)
    assert cells[1].text == est.proposal.info.reference


_XML_PIECES = st.sampled_from(  # joined at random: well-formed or not, with or without breaks
    [
        "<w:p>",
        '<w:p w:rsidR="1">',
        "</w:p>",
        "<w:pPr><w:jc/></w:pPr>",
        "<w:r>",
        '<w:r w:rsidR="2">',
        "</w:r>",
        "<w:rPr><w:b/></w:rPr>",
        "<w:t>",
        '<w:t xml:space="preserve">',
        "</w:t>",
        "<w:tbl>",
        "text",
        " ",
        "\t",
        "\n",
        "\a",
        "\f",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_XML_PIECES, max_size=40).map("".join))
def test_resolve_listing_on_the_paragraphs_it_changes_is_docxtpls(xml: str) -> None:
    steps = _docxtpl_steps()
    assert steps.resolve_listing(xml) == DocxTemplate.resolve_listing(steps, xml)


def test_the_shipped_word_template_is_what_its_script_builds() -> None:
    """templates/make_annex_docx.py is how the layout is changed: it must run and give the
    shipped file byte for byte (it once imported a function that had been removed)."""
    import importlib.util

    root = Path(__file__).resolve().parent.parent / "templates"
    spec = importlib.util.spec_from_file_location("make_annex_docx", root / "make_annex_docx.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.build() == (root / "annex.docx").read_bytes()
