"""The Word annex: docxtpl's render of the template, fitted and fixed so that the same input
gives the same bytes in every run.

Checked by what a reader of the file sees (text, tables, properties), never by comparing bytes
with another library's output: for the shipped template and for a user's template with every
part docxtpl renders (core properties, body, a paragraph loop, a cell loop, headers and
footers with pictures, two sections, footnotes). Same input, same bytes: two separate runs of
the tool, in other processes and time zones, write the same file.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import docx
import markupsafe
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm
from lxml import etree

from estimator import api
from estimator.core.estimate import Estimate
from estimator.core.pipeline import estimate as run_estimate
from estimator.render.annex import render_docx
from estimator.render.options import RenderOptions

TESTS = Path(__file__).resolve().parent
SPECIAL = TESTS / "annex" / "special-characters.toml"
PP26 = TESTS / "golden" / "pp26-ai-capacity.toml"
CARD = TESTS / "annex" / "card.toml"


def _estimate(path: Path) -> Estimate:
    outcome = run_estimate(path, CARD)
    assert outcome.estimate is not None
    return outcome.estimate


_FOOTNOTES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b'<w:footnote w:id="1"><w:p><w:r><w:t>Note on {{ annex.reference }}</w:t></w:r></w:p>'
    b"</w:footnote></w:footnotes>"
)


def _png() -> bytes:
    """A picture: one grey pixel, as PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x80"))
        + chunk(b"IEND", b"")
    )


def _user_template(path: Path) -> Path:
    """A template with every part docxtpl renders: core properties with tags, a body with a
    picture, a paragraph loop and a table whose {%tc %} loop makes more cells than its grid
    (fix_tables widens it), two sections, a header with a picture, a footer, and footnotes
    (which python-docx cannot make: added to the zip)."""
    jpeg = _png()
    document = docx.Document()
    document.core_properties.title = "{{ annex.reference }} & its costs"
    document.core_properties.subject = "{{ annex.title }}"
    document.add_heading("{{ annex.title }}", level=1)
    document.add_paragraph().add_run().add_picture(io.BytesIO(jpeg), width=Mm(20))
    for text in ("{%p for line in annex.caveats %}", "{{ line }}", "{%p endfor %}"):
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


def _text(data: bytes) -> str:
    """Every paragraph of the body, its tables, headers and footers, as a reader sees them."""
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    for section in document.sections:
        for part in (section.header, section.footer):
            parts += [p.text for p in part.paragraphs]
    return "\n".join(parts)


@pytest.mark.parametrize("round_to", [1, 100])
def test_the_shipped_template_renders_every_tag(round_to: int) -> None:
    est = _estimate(PP26)  # no tag in its own text
    data = render_docx(est, RenderOptions(round_to=round_to))
    text = _text(data)
    assert not re.search("{[{%#]|[}%#]}", text), text
    assert est.proposal.info.title in text
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None


@pytest.mark.parametrize("proposal", [SPECIAL, PP26], ids=["special-characters", "pp26"])
def test_a_user_template_renders_every_part_docxtpl_renders(tmp_path: Path, proposal: Path) -> None:
    template = _user_template(tmp_path / "mine.docx")
    est = _estimate(proposal)
    data = render_docx(est, RenderOptions(template=template))
    reference = est.proposal.info.reference
    document = docx.Document(io.BytesIO(data))
    assert document.paragraphs[0].text == est.proposal.info.title
    assert document.core_properties.title == f"{markupsafe.escape(reference)} & its costs"
    assert document.core_properties.subject == str(markupsafe.escape(est.proposal.info.title))
    assert document.sections[0].header.paragraphs[0].text == reference
    assert len(document.inline_shapes) == 1  # the body's picture (the header has its own)
    assert len(document.sections) == 2
    rows = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert rows[0] == ["Item", "", "", "", "Total"]  # the header row, as the template has it
    assert [row[:5] for row in rows[1:]] == [
        [item.label, "1", "2", "3", "4"] for item in _summary(est)
    ]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        footnotes = etree.fromstring(z.read("word/footnotes.xml"))
        grid = etree.fromstring(z.read("word/document.xml")).findall(".//" + qn("w:gridCol"))
        header = z.read("word/header1.xml")
    assert "".join(footnotes.itertext()) == f"Note on {reference}"
    assert len(grid) == 6  # docxtpl added a column for the loop's sixth cell
    assert b"r:embed" in header  # the header's picture is kept


def _summary(est: Estimate) -> list[object]:
    from estimator.render.view import build_view

    return list(build_view(est, 100).summary)


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


def test_a_user_template_without_core_properties_gets_fixed_ones(tmp_path: Path) -> None:
    # python-docx adds core properties to a package that has none, dated with the time of the
    # render and "last modified by python-docx": they are given the file's fixed date and the
    # tool's name.
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
    properties = docx.Document(io.BytesIO(data)).core_properties
    assert properties.modified == properties.created == dt.datetime(1980, 1, 1, tzinfo=dt.UTC)
    assert properties.last_modified_by == "finimpact"
    assert render_docx(est, RenderOptions(template=template)) == data


def test_the_file_properties_name_the_tool_and_the_date_the_proposal_was_submitted(
    tmp_path: Path,
) -> None:
    proposal = tmp_path / "dated.toml"
    text = PP26.read_text("utf-8")
    proposal.write_text(text.replace("[proposal]\n", '[proposal]\nsubmitted = "2026-05-04"\n'))
    data = render_docx(_estimate(proposal))
    properties = docx.Document(io.BytesIO(data)).core_properties
    assert properties.created == properties.modified == dt.datetime(2026, 5, 4, tzinfo=dt.UTC)
    for value in (properties.author, properties.last_modified_by, properties.comments):
        assert "python-docx" not in value
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert {info.date_time for info in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_two_runs_of_the_tool_write_the_same_word_file(tmp_path: Path) -> None:
    """Same input, same bytes: two separate runs, in separate processes, with the clock read in
    time zones 26 hours apart (a date taken from the clock would differ)."""
    outputs = []
    for run, zone in enumerate(("Etc/GMT+12", "Etc/GMT-14")):
        out = tmp_path / f"run{run}"
        subprocess.run(
            [
                sys.executable,
                "-c",
                "from estimator.cli.app import main; main()",
                "estimate",
                str(PP26),
                "--rates",
                str(CARD),
                "--format",
                "docx",
                "--out",
                str(out),
            ],
            check=True,
            capture_output=True,
            env={**os.environ, "TZ": zone},
        )
        (written,) = out.glob("*.docx")
        outputs.append(written.read_bytes())
    assert outputs[0] == outputs[1]


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
    cells = docx.Document(io.BytesIO(data)).tables[0].column_cells(0)
    assert cells[1].text == est.proposal.info.reference


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


# Pages that hold ------------------------------------------------------------------------------

ROOT = TESTS.parent
SEEDS = sorted((ROOT / "seeds").glob("*.toml"))
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def seed_annexes() -> dict[str, bytes]:
    """Every seed's Word annex, with the card it names (or the default)."""
    out = {}
    for path in SEEDS:
        outcome = run_estimate(path)
        assert outcome.estimate is not None
        out[path.stem] = render_docx(outcome.estimate)
    return out


def _part(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return etree.fromstring(z.read(name))


def test_no_table_row_of_any_annex_splits_across_pages(seed_annexes: dict[str, bytes]) -> None:
    for name, data in seed_annexes.items():
        tables = _part(data, "word/document.xml").iter(W + "tbl")
        for table in tables:
            rows = table.findall(W + "tr")
            assert rows, name
            for row in rows:
                assert row.find(f"{W}trPr/{W}cantSplit") is not None, name
            if table.find(f"{W}tblPr/{W}tblLook").get(W + "firstRow") == "1":
                assert rows[0].find(f"{W}trPr/{W}tblHeader") is not None, name  # repeated


def test_small_tables_are_kept_whole_and_headings_with_what_follows(
    seed_annexes: dict[str, bytes],
) -> None:
    data = seed_annexes["pp26-ai-capacity"]
    document = docx.Document(io.BytesIO(data))
    for table in document.tables:
        if table.rows[0].cells[-1].text != "Total":
            continue
        for row in table.rows[:-1]:  # every row but the total keeps with the next
            for cell in row.cells:
                assert all(p.paragraph_format.keep_with_next for p in cell.paragraphs)
    for name in ("Title", "Heading 1", "Heading 2"):
        assert document.styles[name].paragraph_format.keep_with_next, name


def test_one_house_font_in_every_slot_of_every_style(seed_annexes: dict[str, bytes]) -> None:
    styles = _part(seed_annexes["pp26-ai-capacity"], "word/styles.xml")
    slots = ("ascii", "hAnsi", "eastAsia", "cs")
    fonts = list(styles.iter(W + "rFonts"))
    assert fonts and styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}rFonts") is not None
    for element in fonts:
        assert {element.get(W + slot) for slot in slots} == {"Arial"}
        assert not [a for a in element.attrib if a.endswith("Theme")]  # no Calibri, Cambria


def test_amounts_are_right_aligned_in_every_table(seed_annexes: dict[str, bytes]) -> None:
    document = docx.Document(io.BytesIO(seed_annexes["pp26-ai-capacity"]))
    money = re.compile(r"^[A-Z]{3}\xa0-?[\d,]+(?:\.\d+)?$")  # CHF 1,669,300 (summary, rates)
    checked = 0
    for table in document.tables:
        of_amounts = table.rows[0].cells[-1].text == "Total"
        for row in table.rows:
            for cell in row.cells[1:]:
                if of_amounts or money.match(cell.text):
                    alignment = cell.paragraphs[0].paragraph_format.alignment
                    style_alignment = cell.paragraphs[0].style.paragraph_format.alignment
                    assert WD_ALIGN_PARAGRAPH.RIGHT in (alignment, style_alignment), cell.text
                    checked += 1
    assert checked > 20


def test_codes_such_as_itu_r_never_break_at_their_hyphen(seed_annexes: dict[str, bytes]) -> None:
    body = _part(seed_annexes["pp26-ai-capacity"], "word/document.xml")
    texts = "".join(t.text or "" for t in body.iter(W + "t"))
    assert not re.search("[A-Z]-[A-Z0-9]", texts)  # every such hyphen is Word's non-breaking one
    assert body.find(f".//{W}noBreakHyphen") is not None
    read = docx.Document(io.BytesIO(seed_annexes["pp26-ai-capacity"]))
    assert "(ITU-D)" in "".join(cell.text for row in read.tables[0].rows for cell in row.cells)


def test_the_stamp_is_given_once_at_the_end_not_in_every_footer(
    seed_annexes: dict[str, bytes],
) -> None:
    for name, data in seed_annexes.items():
        document = docx.Document(io.BytesIO(data))
        footer = "".join(p.text for p in document.sections[0].footer.paragraphs)
        assert "sha256" not in footer and not re.search("[0-9a-f]{64}", footer), name
        body = [p.text for p in document.paragraphs if "sha256" in p.text]
        assert len(body) == 1 and body[0] == document.paragraphs[-1].text, name


def test_header_and_footer_tab_stops_are_those_of_an_a4_page(
    seed_annexes: dict[str, bytes],
) -> None:
    document = docx.Document(io.BytesIO(seed_annexes["pp26-ai-capacity"]))
    section = document.sections[0]
    width = section.page_width - section.left_margin - section.right_margin
    for name in ("Header", "Footer"):
        stops = [stop.position for stop in document.styles[name].paragraph_format.tab_stops]
        assert max(stops) <= width and abs(max(stops) - width) < Mm(1), name


@pytest.mark.libreoffice
def test_every_annex_prints_on_a_sensible_number_of_pages(
    seed_annexes: dict[str, bytes], tmp_path: Path
) -> None:
    """LibreOffice lays every seed's annex out on 3 to 12 A4 pages (7 to 9 today): a row or a
    table pushed onto pages of its own, or a layout that lost its page size, shows here."""
    from libreoffice import convert

    files = []
    for name, data in seed_annexes.items():
        path = tmp_path / "docx" / f"{name}.docx"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        files.append(path)
    for pdf in convert(files, "pdf", tmp_path / "pdf"):
        pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf.read_bytes()))
        assert 3 <= pages <= 12, (pdf.name, pages)


@pytest.mark.parametrize("template", ["shipped", "user"])
def test_what_is_kept_between_annexes_gives_the_annex_docxtpl_renders_afresh(
    tmp_path: Path, template: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the template XML patched once and kept, and docxtpl's listing step skipped for parts
    # without tabs or line breaks, make the same files as docxtpl's own class, annex after annex
    from docxtpl import DocxTemplate

    from estimator.render import annex

    user = _user_template(tmp_path / "mine.docx") if template == "user" else None
    options = RenderOptions(template=user)
    text = SPECIAL.read_text(encoding="utf-8").replace(
        'note      = "Assumes a room', 'note      = "Two lines:\\nand\\ta tab; assumes a room'
    )
    listing = api.estimate_text(text, "listing.toml", rates=CARD).estimate  # docxtpl's listing
    assert listing is not None
    order = [("listing", listing), ("pp26", _estimate(PP26)), ("special", _estimate(SPECIAL))]
    ours = [render_docx(est, options) for _, est in order + order]
    monkeypatch.setattr(annex, "_template_class", lambda: DocxTemplate)
    theirs = [render_docx(est, options) for _, est in order]
    assert ours == theirs + theirs
