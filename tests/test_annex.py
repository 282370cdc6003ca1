"""The annex (statement of financial implications) in Markdown, HTML and Word.

The figures are read back from each format, as a budget officer would read them: every
table's rows and columns add up to its totals, and the grand total is the JSON's, rounded as
declared. Proposal text with markup characters comes out verbatim. The Word annex opens in
LibreOffice (converted to PDF, text extracted). Golden files pin the Markdown and HTML of two
seeds (refresh them with ``pytest --update-golden``).
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import docx
import docx.table
import openpyxl
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from typer.testing import CliRunner

import cost_models
from cost_models.needs import ELEMENTS
from estimator import __version__
from estimator.cli.app import app
from estimator.core.assess import NO_489
from estimator.core.estimate import CostLine, Estimate
from estimator.core.pipeline import estimate as run_estimate
from estimator.render.annex import (
    TemplateProblem,
    md_text,
    render_docx,
    render_html,
    render_markdown,
    template_format,
)
from estimator.render.options import RenderOptions
from estimator.render.outputs import render_json
from estimator.render.rounding import ROUNDING_UNITS, round_half_up
from estimator.render.view import SERVICING_GROUPS, AnnexView, Item, build_view
from estimator.render.wording import FUNDING_LABELS, UNIT_LABELS, amounts_unbroken, language
from estimator.render.workbook import render_workbook

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
ANNEX = TESTS / "annex"
GOLDEN = TESTS / "golden"
CARD = ANNEX / "card.toml"
PROPOSALS = sorted(
    [*(ROOT / "seeds").glob("*.toml"), *(p for p in ANNEX.glob("*.toml") if p != CARD)]
)
SPECIAL = ANNEX / "special-characters.toml"
SPECIAL_TEXTS = [
    "Resolution <b>AI</b> & \"standards\" {{ annex.total }} {% if x %} 'quoted' | piped",
    'Ghana & "Kenya" <ATU>',
    "{{ 7*7 }}",
    "Resolution {% raw %}",
    'instructs the Director <to> report & {{ x }} {% endfor %} "now"',
    'Workshop <on> AI & "quantum" {{ w }}',
    'Assumes a room <free> & {% raw %} "as agreed" | split',
    "Portal {% set x = 1 %}",
    "Design & build <once> {{ 'one-off' }}",
    "Expert review {#",
]


@dataclass(frozen=True)
class Rendered:
    estimate: Estimate
    json: dict[str, object]
    md: str
    html: str
    docx: bytes


def _estimate(path: Path, card: Path | None = CARD) -> Estimate:
    outcome = run_estimate(path, card)
    assert outcome.estimate is not None, [d.render() for d in outcome.diagnostics]
    return outcome.estimate


@pytest.fixture(scope="module")
def rendered() -> dict[str, Rendered]:
    """Every seed (with the card it names, or the default) and every annex case (with the
    pinned card), in every format, rounded to the hundred."""
    out = {}
    for path in PROPOSALS:
        est = _estimate(path, None if path.parent.name == "seeds" else CARD)
        out[path.stem] = Rendered(
            estimate=est,
            json=json.loads(render_json(est, RenderOptions())),
            md=render_markdown(est, RenderOptions()).decode("utf-8"),
            html=render_html(est, RenderOptions()).decode("utf-8"),
            docx=render_docx(est, RenderOptions()),
        )
    return out


# Reading the figures back ------------------------------------------------------------------


@dataclass(frozen=True)
class AmountTable:
    header: list[str]
    rows: list[list[str]]
    total: list[str]


def _amount(text: str) -> int:
    text = text.strip()
    return 0 if text == NIL else int(text.replace(",", ""))


NIL = "\u2013"
"""A nil amount, as the annex's tables show it."""


def _amount_tables(tables: list[list[list[str]]]) -> list[AmountTable]:
    """The tables of amounts (their header ends in 'Total'; the staff table's, which counts
    work-months, starts with 'Grade'): header, rows, and the total row."""
    found = []
    for t in tables:
        if t and t[0][-1].strip() == "Total" and len(t) >= 2 and t[0][0].strip() != "Grade":
            found.append(AmountTable(t[0], t[1:-1], t[-1]))
    return found


def markdown_tables(text: str) -> list[list[list[str]]]:
    tables: list[list[list[str]]] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].startswith("|") and i + 1 < len(lines) and lines[i + 1].startswith("|---"):
            rows = [lines[i]]
            i += 2
            while i < len(lines) and lines[i].startswith("|"):
                rows.append(lines[i])
                i += 1
            tables.append([_md_cells(r) for r in rows])
        else:
            i += 1
    return tables


def _md_cells(line: str) -> list[str]:
    cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
    return [markdown_shown(c.strip().strip("*")) for c in cells]


VOID = {"meta", "br", "hr", "img", "link", "input", "col", "area", "base", "wbr", "source"}


class HtmlReader(HTMLParser):
    """Collects tables (as cell texts), the text, and checks that tags nest properly."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self.text: list[str] = []
        self.stack: list[str] = []
        self.errors: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.stack.append(tag)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def read_html(text: str) -> HtmlReader:
    reader = HtmlReader()
    reader.feed(text)
    reader.close()
    return reader


def docx_tables(data: bytes) -> list[list[list[str]]]:
    document = docx.Document(io.BytesIO(data))
    return [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for t in document.tables:
        parts += [c.text for row in t.rows for c in row.cells]
    section = document.sections[0]
    parts += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
    return "\n".join(parts)


def assert_adds_up(table: AmountTable) -> None:
    rows = [[_amount(c) for c in row[1:]] for row in table.rows]
    total = [_amount(c) for c in table.total[1:]]
    for label, row in zip(table.rows, rows, strict=True):
        assert sum(row[:-1]) == row[-1], f"row {label[0]!r} does not add up"
    for j, column_total in enumerate(total):
        assert sum(row[j] for row in rows) == column_total, f"column {table.header[j + 1]}"
    assert sum(total[:-1]) == total[-1]


def _tables_of(fmt: str, r: Rendered) -> list[AmountTable]:
    if fmt == "md":
        return _amount_tables(markdown_tables(r.md))
    if fmt == "html":
        reader = read_html(r.html)
        return _amount_tables(reader.tables)
    return _amount_tables(docx_tables(r.docx))


# The figures --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
@pytest.mark.parametrize("name", [p.stem for p in PROPOSALS])
def test_every_table_adds_up_and_totals_are_the_json_rounded_to_the_hundred(
    rendered: dict[str, Rendered], name: str, fmt: str
) -> None:
    r = rendered[name]
    tables = _tables_of(fmt, r)
    exact_total = Decimal(str(r.json["total"]))
    if exact_total == 0:
        assert tables == [], "the short form has no tables of amounts"
        return
    # By object of expenditure, the same in conference-servicing groups, by budget unit, by
    # funding and by activity, each by year; and by goal when an activity names a goal.
    has_goals = any(line.goal is not None for line in r.estimate.lines)
    assert len(tables) == 5 + has_goals  # object, groups, unit, funding, activity (and goal)
    expected = round_half_up(exact_total, 100)
    by_year = {str(k): Decimal(str(v)) for k, v in dict(r.json["by_year"]).items()}  # type: ignore[call-overload]
    first_columns = None
    for table in tables:
        assert_adds_up(table)
        assert _amount(table.total[-1]) == expected
        # Each year's total is within one unit (100) of the exact one, and the same in every
        # table.
        years = table.header[1:-1]
        shown = [_amount(c) for c in table.total[1:-1]]
        for year, value in zip(years, shown, strict=True):
            assert abs(value - by_year[year]) < 100
        first_columns = first_columns or shown
        assert shown == first_columns


@pytest.mark.parametrize("name", [p.stem for p in PROPOSALS])
def test_the_summary_states_the_rounded_total_and_first_year_in_every_format(
    rendered: dict[str, Rendered], name: str
) -> None:
    r = rendered[name]
    if r.estimate.total == 0:
        return
    currency = r.estimate.currency
    total = f"{currency}\u00a0{round_half_up(r.estimate.total, 100):,.0f}"
    year_totals = _tables_of("md", r)[0].total
    first_year = f"{currency}\u00a0{year_totals[1]}"
    html_text = "".join(read_html(r.html).text)
    word_text = docx_text(r.docx)
    for text in (markdown_shown(r.md), html_text, word_text):
        assert total in text
        assert first_year in text


def test_controlled_rounding_by_hand(rendered: dict[str, Rendered]) -> None:
    # Stated amounts: GS 50 (2027), ITU-R 120 in 2027 and 120 in 2028, ITU-T 50 (2028).
    # Total 340 → 300. Years 170 and 170: floors 100 + 100, one up, the tie to the first year:
    # 2027 = 200, 2028 = 100. Units: GS 50, ITU-R 240, ITU-T 50 → floors 0 + 200 + 0, one up
    # to the largest remainder, ties to the first: GS 100, ITU-R 200, ITU-T 0. Cells: GS 2027
    # goes up (50 → 100), ITU-R 100 + 100, ITU-T 2028 goes down (50 → 0).
    r = rendered["hand-rounded"]
    unit_table = next(t for t in _tables_of("md", r) if t.header[0] == "Budget unit")
    assert unit_table.header == ["Budget unit", "2027", "2028", "Total"]
    assert [[c for c in row] for row in unit_table.rows] == [
        ["General Secretariat", "100", NIL, "100"],
        ["Radiocommunication Sector (ITU-R)", "100", "100", "200"],
        ["Telecommunication Standardization Sector (ITU-T)", NIL, NIL, NIL],  # 50 rounds to nil
    ]
    assert unit_table.total == ["Total", "200", "100", "300"]


CASES = sorted((TESTS / "cases").glob("*/proposal.toml"))
"""The test cases' proposals, each with the card beside it."""


def _figure_sets(est: Estimate) -> dict[str, Callable[[str, int], Callable[[CostLine], bool]]]:
    """Which costs a row of each table covers, from its label as a budget officer reads it
    (the tables are told apart by the heading of their first column), or, by activity, from
    its place: the activities that cost something, in the proposal's order (two activities
    may have the same title)."""
    paid = {(line.index, line.activity) for line in est.lines if line.amount}
    costed = [(a.index, a.id) for a in est.proposal.activities if (a.index, a.id) in paid]
    groups = {title: members for title, members in SERVICING_GROUPS}

    def goal(line: CostLine) -> str:
        if line.goal is None:
            return "Not linked to a goal"
        title = est.goal_titles.get(line.goal)
        return f"Goal {line.goal}: {title}" if title else f"Goal {line.goal}"

    return {
        "Object of expenditure": lambda label, _i: (
            lambda line: ELEMENTS[line.element].label == label
        ),
        "Objects of expenditure": lambda label, _i: (
            lambda line: (
                line.element in groups[label]
                if label in groups
                else not any(line.element in m for m in groups.values())
            )
        ),
        "Budget unit": lambda label, _i: lambda line: UNIT_LABELS[line.unit] == label,
        "Funding": lambda label, _i: lambda line: FUNDING_LABELS[line.funding] == label,
        "Activity": lambda _label, i: lambda line: (line.index, line.activity) == costed[i],
        "Strategic goal": lambda label, _i: lambda line: goal(line) == label,
    }


def _shown_figures(
    est: Estimate, tables: list[AmountTable], view: AnnexView
) -> list[tuple[str, frozenset[int], int]]:
    """Every figure of the tables of amounts, and of the summary, the servicing lines and the
    activities' costs, with the costs it covers (the positions of the nonzero lines in the
    JSON) and where it stands."""
    lines = est.lines
    sets = _figure_sets(est)

    def covering(where: Callable[[CostLine], bool]) -> frozenset[int]:
        return frozenset(i for i, line in enumerate(lines) if line.amount and where(line))

    figures = []
    for table in tables:
        years = [int(y) for y in table.header[1:-1]]
        kind = sets[table.header[0].strip()]
        for position, row in enumerate([*table.rows, table.total]):
            label = row[0].strip()
            pick = (lambda line: True) if row is table.total else kind(label, position)
            for year, cell in zip(years, row[1:-1], strict=True):
                where = f"{table.header[0]} / {label} / {year}"
                figures.append(
                    (
                        where,
                        covering(lambda line, p=pick, y=year: p(line) and line.year == y),
                        _amount(cell),
                    )
                )
            figures.append(
                (f"{table.header[0]} / {label} / Total", covering(pick), _amount(row[-1]))
            )
    years = est.proposal.info.years
    span = {(a.index, a.id): len(est.proposal.years_of(a)) for a in est.proposal.activities}
    # the summary: the total over the period, the first year, the recurring and one-off costs
    said = [_said_amount(item.value) for item in view.summary[:4]]
    assert view.summary[1].label == f"First year ({years[0]})"
    figures += [
        ("Summary / Total", covering(lambda line: True), said[0]),
        ("Summary / First year", covering(lambda line: line.year == years[0]), said[1]),
        (
            "Summary / Recurring",
            covering(lambda line: span[(line.index, line.activity)] > 1),
            said[2],
        ),
        (
            "Summary / One-off",
            covering(lambda line: span[(line.index, line.activity)] == 1),
            said[3],
        ),
        (
            "Conference servicing",
            covering(lambda line: ELEMENTS[line.element].conference_servicing),
            _amount(view.servicing[0].value),
        ),
        (
            "Of which external human resources",
            covering(lambda line: line.external),
            _said_amount(view.external),
        ),
    ]
    for a, activity in zip(est.proposal.activities, view.activities, strict=True):
        cost = next((d.value for d in activity.details if d.label == "Cost"), None)
        if cost is None or cost == "nil, once rounded":
            continue
        key = (a.index, a.spec.id)
        mine = covering(lambda line, key=key: (line.index, line.activity) == key)
        figures.append((f"Cost of {activity.title}", mine, _said_amount(cost.split(" (")[0])))
        for year, amount in re.findall(r"(\d{4}): ([\d,]+)", cost):
            in_year = covering(
                lambda line, key=key, y=int(year): (
                    (line.index, line.activity, line.year) == (*key, y)
                )
            )
            figures.append((f"Cost of {activity.title} in {year}", in_year, _amount(amount)))
    return figures


def _said_amount(text: str) -> int:
    """'CHF\u00a01,234,500' → 1234500 (the code joined to its figure)."""
    return _amount(text.split("\u00a0", 1)[1])


@pytest.mark.parametrize("unit", ROUNDING_UNITS)
@pytest.mark.parametrize(
    "path",
    [*PROPOSALS, *CASES],
    ids=lambda p: p.parent.name if p.name == "proposal.toml" else p.stem,
)
def test_the_same_costs_show_the_same_figure_everywhere_within_a_unit_of_the_exact_amount(
    path: Path, unit: int
) -> None:
    """Read back from the Word, HTML and Markdown annex at every rounding unit offered: every
    two figures that cover the same costs (an activity that is one object of expenditure, a
    year's total, a Sector's total that is the grand total, a funding line) are equal, in the
    tables, the summary, the servicing lines and each activity's cost; every table adds up to
    its total, which is the exact total rounded half away from zero; and every figure is
    within one unit of its exact amount, so the annex does not say otherwise (docs/annex.md:
    none of the seeds, test cases or 400 benchmark proposals needs more)."""
    card = path.parent / "card.toml" if path.name == "proposal.toml" else None
    est = _estimate(path, card if card else (None if path.parent.name == "seeds" else CARD))
    if est.total == 0:
        return
    options = RenderOptions(round_to=unit)
    view = build_view(est, unit)
    exact = {i: line.amount for i, line in enumerate(est.lines)}
    documents = {
        "md": _amount_tables(markdown_tables(render_markdown(est, options).decode("utf-8"))),
        "html": _amount_tables(read_html(render_html(est, options).decode("utf-8")).tables),
        "docx": _amount_tables(docx_tables(render_docx(est, options))),
    }
    seen: dict[frozenset[int], tuple[str, int]] = {}
    for fmt, tables in documents.items():
        for table in tables:
            assert_adds_up(table)
            assert _amount(table.total[-1]) == round_half_up(est.total, unit)
        for where, costs, figure in _shown_figures(est, tables, view):
            first = seen.setdefault(costs, (f"{fmt}: {where}", figure))
            assert figure == first[1], f"{fmt}: {where} shows {figure}, {first[0]} {first[1]}"
            amount = sum((exact[i] for i in costs), Decimal(0))
            assert abs(figure - amount) < unit, f"{fmt}: {where} shows {figure} for {amount}"
    word = "unit" if unit == 1 else f"{unit:,}"
    assert view.rounding.startswith(f"Amounts in {est.currency}, rounded to the nearest {word};")
    assert "differ from the exact amounts" not in view.rounding


def test_an_annex_whose_figures_cannot_all_be_within_a_unit_says_so() -> None:
    """Three costs of CHF 0.50 to the unit, each two of them a figure of exactly CHF 1 (a
    Sector, a source of funding, a goal): no rounding shows every pair as 1, so one shows 2.
    The figures still agree between tables and add up, and the rounding note says that some
    differ from the exact amounts by the unit or more."""
    est = _estimate(TESTS / "rounding" / "no-rounding-within-a-unit.toml")
    md = render_markdown(est, RenderOptions(round_to=1)).decode("utf-8")
    tables = _amount_tables(markdown_tables(md))
    for table in tables:
        assert_adds_up(table)
    unit = next(t for t in tables if t.header[0] == "Budget unit")
    assert unit.rows[0][:2] == ["General Secretariat", "2"]  # CHF 1.00 exactly
    assert "some figures differ from the exact amounts by 1 or more" in md
    assert "some figures differ" not in render_markdown(est, RenderOptions()).decode("utf-8")


# Text from the proposal ---------------------------------------------------------------------


def test_markup_in_proposal_text_appears_verbatim_in_markdown(
    rendered: dict[str, Rendered],
) -> None:
    # Markdown viewers read <, *, _, [, |, an entity... as markup: the annex backslash-escapes
    # them, and a viewer shows the text as written (CommonMark: a backslash before ASCII
    # punctuation stands for the character itself).
    md = rendered["special-characters"].md
    assert "<b>" not in md and "<ATU>" not in md, "raw HTML would be rendered by a viewer"
    shown = markdown_shown(md)
    for text in SPECIAL_TEXTS:
        assert text in shown, text
    assert "49" not in shown.split("Submitted by")[1].splitlines()[0], "{{ 7*7 }} was evaluated"


def markdown_shown(md: str) -> str:
    """What a Markdown viewer shows of the text: backslash escapes resolved."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", md)


def test_markup_in_proposal_text_appears_verbatim_in_html(rendered: dict[str, Rendered]) -> None:
    html = rendered["special-characters"].html
    reader = read_html(html)
    assert reader.errors == []
    text = "".join(reader.text)
    for t in SPECIAL_TEXTS:
        assert t in text, t
    assert "<b>AI</b>" not in html, "markup from the proposal must be escaped"


def test_markup_in_proposal_text_appears_verbatim_in_word(rendered: dict[str, Rendered]) -> None:
    text = docx_text(rendered["special-characters"].docx)
    for t in SPECIAL_TEXTS:
        assert t in text, t


def test_the_html_is_well_formed_and_self_contained(rendered: dict[str, Rendered]) -> None:
    for name, r in rendered.items():
        reader = read_html(r.html)
        assert reader.errors == [], name
        assert reader.stack == [], name
        assert r.html.startswith("<!DOCTYPE html>")
        for outside in ("<link", "<script", "src=", "href=", "@import", "url("):
            assert outside not in r.html, (name, outside)
        assert "@page { size: A4" in r.html


def test_the_printed_html_runs_the_reference_on_every_page_and_keeps_rows_whole(
    rendered: dict[str, Rendered],
) -> None:
    for name, r in rendered.items():
        style = r.html.split("<style>", 1)[1].split("</style>", 1)[0]
        assert "@top-right { content: " in style, name  # the reference, on every printed page
        assert "tr, th, td { break-inside: avoid; }" in style, name
        assert "<" not in style and "&" not in style, name  # no text can end the <style>
    special = '@top-right { content: "TEST/\\00003c\\000026\\00003e/1";'
    assert special in rendered["special-characters"].html  # TEST/<&>/1, escaped for CSS


def test_the_word_annex_is_a4_with_the_reference_in_the_header_and_page_numbers() -> None:
    est = _estimate(GOLDEN / "pp26-ai-capacity.toml")
    data = render_docx(est, RenderOptions())
    document = docx.Document(io.BytesIO(data))
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert est.proposal.info.reference in section.header.paragraphs[0].text
    footer_xml = section.footer._element.xml
    assert 'w:instr="PAGE"' in footer_xml and 'w:instr="NUMPAGES"' in footer_xml
    styles = {p.style.name for p in document.paragraphs}
    assert {"Title", "Heading 1", "Heading 2", "Quote", "List Bullet"} <= styles
    assert {t.style.name for t in document.tables} == {"Light Grid Accent 1", "Light List Accent 1"}


def test_in_the_word_tables_of_amounts_the_label_column_takes_a_third_of_the_text_width() -> None:
    data = render_docx(_estimate(GOLDEN / "pp26-ai-capacity.toml"), RenderOptions())
    document = docx.Document(io.BytesIO(data))
    section = document.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    amount_tables = [t for t in document.tables if t.rows[0].cells[-1].text.strip() == "Total"]
    assert len(amount_tables) >= 3  # by object of expenditure, by budget unit, by funding
    for table in amount_tables:
        widths = [column.width for column in table.columns]
        assert abs(widths[0] - text_width // 3) <= 635, widths  # Word stores twips: 635 EMU
        assert len(set(widths[1:])) == 1 and widths[1] > 0, widths  # the years and the total


# The short form, the stamp, determinism ----------------------------------------------------


def test_a_proposal_without_costs_yields_the_short_form(rendered: dict[str, Rendered]) -> None:
    r = rendered["no-costs"]
    for text in (markdown_shown(r.md), "".join(read_html(r.html).text), docx_text(r.docx)):
        assert "Note: no financial implications" in text
        assert "The proposal has no financial implications: it requires no credits." in text
        assert "Estimated requirements" not in text
        assert "resolves to align the wording" in text
        assert r.estimate.proposal.sha256 in text


def test_the_stamp_names_the_tool_card_and_proposal(rendered: dict[str, Rendered]) -> None:
    r = rendered["pp26-ai-capacity"]
    stamp = (
        f"finimpact {__version__} · rate card {r.estimate.card.id} sha256 "
        f"{r.estimate.card_sha256} · proposal sha256 {r.estimate.proposal.sha256}"
    )
    for text in (markdown_shown(r.md), "".join(read_html(r.html).text), docx_text(r.docx)):
        assert stamp in text


def test_same_input_gives_the_same_bytes_in_every_format() -> None:
    est = _estimate(SPECIAL)
    again = _estimate(SPECIAL)
    for render in (render_markdown, render_html, render_docx):
        assert render(est, RenderOptions()) == render(again, RenderOptions())


# User templates ------------------------------------------------------------------------------


def test_a_user_template_replaces_the_shipped_one(tmp_path: Path) -> None:
    template = tmp_path / "mine.md.j2"
    template.write_text("{{ annex.reference }}: {{ annex.summary[0].value }}\n", "utf-8")
    est = _estimate(GOLDEN / "pp26-ai-capacity.toml")
    out = render_markdown(est, RenderOptions(template=template)).decode("utf-8")
    assert out == f"PP26/44A2/1: {est.currency}\u00a0{round_half_up(est.total, 100):,.0f}\n"


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("missing.md.j2", None, "no such file"),
        ("broken.html.j2", "{% for %}", "broken.html.j2:1: template error"),
        ("unknown.md.j2", "{{ annex.nothing }}", "has no attribute 'nothing'"),
        ("broken.docx", "not a zip", "not a Word (.docx) file"),
        ("notes.txt", "x", "cannot tell its format"),
    ],
)
def test_a_missing_or_broken_template_is_a_one_line_error(
    tmp_path: Path, name: str, content: str | None, words: str
) -> None:
    template = tmp_path / name
    if content is not None:
        template.write_text(content, "utf-8")
    est = _estimate(GOLDEN / "pp26-ai-capacity.toml")
    with pytest.raises(TemplateProblem, match=re.escape(words)):
        fmt = template_format(template)
        {"md": render_markdown, "html": render_html, "docx": render_docx}[fmt](
            est, RenderOptions(template=template)
        )


def test_the_cli_reports_a_broken_template_in_one_line_and_exits_1(tmp_path: Path) -> None:
    template = tmp_path / "broken.md.j2"
    template.write_text("{{ annex.nothing }}", "utf-8")
    result = CliRunner().invoke(
        app,
        [
            "estimate",
            str(GOLDEN / "pp26-ai-capacity.toml"),
            "--rates",
            str(CARD),
            "--out",
            str(tmp_path / "out"),
            "--template",
            str(template),
        ],
    )
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("finimpact:")]
    assert len(errors) == 1 and "has no attribute 'nothing'" in errors[0]
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_the_cli_writes_the_three_annexes_rounded_as_asked(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "estimate",
            str(GOLDEN / "pp26-ai-capacity.toml"),
            "--rates",
            str(CARD),
            "--out",
            str(tmp_path),
            "--format",
            "md,html,docx",
            "--round-to",
            "1000",
        ],
    )
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["PP26-44A2-1.annex.docx", "PP26-44A2-1.annex.html", "PP26-44A2-1.annex.md"]
    assert "rounded to the nearest 1,000;" in (tmp_path / "PP26-44A2-1.annex.md").read_text()


def test_the_cli_refuses_other_rounding_units(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["estimate", str(GOLDEN / "pp26-ai-capacity.toml"), "--round-to", "10"]
    )
    assert result.exit_code == 2
    assert "--round-to" in result.output


# Golden files ---------------------------------------------------------------------------------


def _normalized(text: str) -> str:
    """The tool's version changes with every release: the golden files do not record it."""
    return text.replace(f"finimpact {__version__} ·", "finimpact <version> ·")


@pytest.mark.parametrize("fmt", ["md", "html"])
@pytest.mark.parametrize("name", ["pp26-ai-capacity", "wtsa28-quantum-focus-group"])
def test_golden_annex(name: str, fmt: str, request: pytest.FixtureRequest) -> None:
    est = _estimate(GOLDEN / f"{name}.toml")
    render = render_markdown if fmt == "md" else render_html
    got = _normalized(render(est, RenderOptions()).decode("utf-8"))
    golden = GOLDEN / f"{name}.annex.{fmt}"
    if request.config.getoption("--update-golden"):
        golden.write_text(got, encoding="utf-8", newline="\n")
    assert golden.exists(), f"no golden file {golden.name}: run pytest --update-golden"
    assert got == golden.read_text(encoding="utf-8"), (
        f"{golden.name} differs: check the change, then run pytest --update-golden"
    )


# LibreOffice ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def word_in_libreoffice(
    rendered: dict[str, Rendered], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """Every Word annex converted to PDF by LibreOffice in one call, and the PDFs' text."""
    from libreoffice import convert

    folder = tmp_path_factory.mktemp("annex-docx")
    files = []
    for name, r in rendered.items():
        path = folder / f"{name}.docx"
        path.write_bytes(r.docx)
        files.append(path)
    pdfs = convert(files, "pdf", tmp_path_factory.mktemp("annex-pdf"))
    texts = {}
    if shutil.which("pdftotext"):
        for name, pdf in zip(rendered, pdfs, strict=True):
            assert pdf.read_bytes().startswith(b"%PDF")
            texts[name] = subprocess.run(
                ["pdftotext", "-enc", "UTF-8", str(pdf), "-"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
    else:  # LibreOffice's own text export, one more call
        for path in convert(files, "txt:Text (encoded):UTF8", tmp_path_factory.mktemp("txt")):
            texts[path.stem] = path.read_text(encoding="utf-8-sig")
    return texts


@pytest.mark.libreoffice
def test_the_word_annex_opens_in_libreoffice_with_its_figures(
    rendered: dict[str, Rendered], word_in_libreoffice: dict[str, str]
) -> None:
    for name, r in rendered.items():
        text = word_in_libreoffice[name]
        flat = " ".join(text.split())
        assert "Statement of financial implications" in flat, name
        assert r.estimate.proposal.info.reference in flat, name
        assert "Page 1 of" in flat, name
        if r.estimate.total:
            total = f"{round_half_up(r.estimate.total, 100):,.0f}"
            assert f"{r.estimate.currency} {total}" in flat, name
            assert "Estimated requirements" in flat, name
        else:
            assert "no financial implications" in flat, name
        # no line of the pages ends with a currency code whose figure starts the next one:
        # every amount of the annex, ours or a card's ('USD 532.01'), is drawn whole
        for code, figure in set(AMOUNT.findall(docx_text(r.docx))):
            assert f"{code}\n{figure}" not in text, (name, code, figure)
            assert f"{code} {figure}" in text, (name, code, figure)


AMOUNT = re.compile(r"(?<![\w-])([A-Z]{3})[ \u00a0](-?\d(?:[\d,.]*\d)?)")
"""A currency code and its figure ('CHF 14,400'), whatever space joins them."""


@pytest.mark.libreoffice
def test_markup_in_proposal_text_survives_libreoffice(
    word_in_libreoffice: dict[str, str],
) -> None:
    flat = " ".join(word_in_libreoffice["special-characters"].split())
    for t in ('Ghana & "Kenya" <ATU>', "{{ 7*7 }}", "Portal {% set x = 1 %}", "Expert review {#"):
        assert t in flat, t


# Activities in words ------------------------------------------------------------------------


def test_activities_are_described_in_words_a_delegate_understands() -> None:
    est = _estimate(GOLDEN / "pp26-ai-capacity.toml")
    view = build_view(est)
    described = {a.id: a.description for a in view.activities}
    # count 6, days 2, two meetings a day: 6 × 2 × 2 = 24 meetings a year.
    assert described["regional-workshops"] == (
        "6 events a year of 2 days each, 2 three-hour meetings a day (24 meetings a year), "
        "held away from Geneva (the host country pays the costs above those of Geneva), "
        "with interpretation in English, French and Arabic; 10 fellowships per event."
    )
    workshops = next(a for a in view.activities if a.id == "regional-workshops")
    assert Item("Years", "2027–2030") in workshops.details
    assert workshops.note is not None and workshops.note.startswith("Hosted by Member States")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("2026-09-20", "2026-09-20"),  # a date starts no list: it was shown as 2026\-09-20
        ("1.5 million", "1.5 million"),
        ("1. first", "1\\. first"),
        ("12) twelfth", "12\\) twelfth"),
        ("- item", "\\- item"),
        ("# heading", "\\# heading"),
        ("> quote", "\\> quote"),
        ("a - b", "a - b"),
    ],
)
def test_markdown_escapes_what_starts_a_list_heading_or_quote_and_nothing_else(
    text: str, shown: str
) -> None:
    assert md_text(text) == shown


def test_caveats_are_sentences_under_their_own_heading_never_diagnostics(tmp_path: Path) -> None:
    """With a card that does not escalate, the 2016 fellows' ticket priced for 2029 is a caveat:
    the annex says it as a sentence, naming the rate by its label, not its id or a file line."""
    card = tmp_path / "flat.toml"
    text = (cost_models.CARDS / "itu-geneva.toml").read_text(encoding="utf-8")
    card.write_text(text.replace("escalation = 0.0045", "escalation = 0", 1), encoding="utf-8")
    seed = ROOT / "seeds" / "wtdc29-digital-skills.toml"
    outcome = run_estimate(seed, card)
    assert outcome.estimate is not None
    assert any(d.code == "rate-value-old" for d in outcome.estimate.warnings)
    annex = render_markdown(outcome.estimate, RenderOptions()).decode("utf-8")
    section = annex.split("### Caveats\n", 1)[1].strip().split("\n\n", 1)[0]
    items = [line.removeprefix("- ") for line in section.splitlines()]
    assert items, annex
    assert any(
        "\u201cFellow's travel support, one participant\u201d dates from 1 January 2016" in i
        for i in items
    ), items
    for item in items:
        assert item[0].isupper() and item.endswith("."), item
        assert "fellowship.travel" not in item and "rate-value-old" not in item
        assert not re.search(r"\.toml:\d+", item), item
    for warning in outcome.estimate.warnings:
        assert warning.message not in annex


# Notes, caveats and no program text ---------------------------------------------------------


def _document_texts(r: Rendered) -> dict[str, str]:
    return {
        "md": r.md,
        "html": "".join(read_html(r.html).text),
        "docx": docx_text(r.docx),
    }


def _without_card_notes(text: str, estimate: Estimate) -> str:
    """The text less the rate card's own notes, which are quoted as the card writes them."""
    for paragraph in (estimate.card.notes or "").split("\n\n"):
        for line in paragraph.strip().splitlines():
            text = text.replace(amounts_unbroken(line.strip()), "")
    return text


def _assert_no_program_text(text: str, estimate: Estimate, where: str) -> None:
    # 'remote = True', 'translation = ,', 'staff_grade = P4' (a derivation's '8 months = USD
    # 92,900' or '70 million words = 224,425 pages' is arithmetic, not a key)
    assert not re.search(r"\b[a-z]+(\\?_[a-z]+)+ = ", text), where
    assert not re.search(r"\b[a-z]+ = (True|False|[a-z\[\",]|$)", text, re.MULTILINE), where
    assert not re.search(r"\b(True|False)\b", text), where
    assert "default of template" not in text, where
    quoted = _without_card_notes(text, estimate)
    for line in estimate.lines:
        assert f"({line.rate_id})" not in text, (where, line.rate_id)
        if "." in line.rate_id:
            assert line.rate_id not in quoted, (where, line.rate_id)
    for warning in estimate.warnings:
        assert warning.code not in text and warning.message not in text, (where, warning.code)
    assert not re.search(r"\.toml:\d+", text), where


def test_notes_are_sentences_without_program_text_in_every_format(
    rendered: dict[str, Rendered],
) -> None:
    """What a budget officer reads under the notes: no 'remote = True', no 'translation = ,
    default of template ...', no True/False, no rate id, no diagnostic code or file line, in
    any annex of any seed or case, in Markdown, HTML or Word."""
    for name, r in rendered.items():
        for fmt, text in _document_texts(r).items():
            _assert_no_program_text(text, r.estimate, f"{name}.{fmt}")


def test_template_defaults_are_said_as_sentences_under_their_own_heading(
    rendered: dict[str, Rendered],
) -> None:
    """The focus-group template's defaults read as 'remote participation: yes' and 'languages
    ...: none', each with its reason, under a heading of their own; the proposal's note of an
    activity a template expands into several parts is said once."""
    r = rendered["wtsa28-ai-focus-group-template"]
    section = r.md.split("### Quantities supplied by the activity templates\n", 1)[1]
    section = section.split("\n### ", 1)[0]
    items = [line.removeprefix("- ") for line in section.splitlines() if line.startswith("- ")]
    assert any("remote participation: yes." in i for i in items), items
    assert any("translated into: none." in i for i in items), items
    defaults = sum(len(a.defaults) for a in r.estimate.proposal.activities)
    assert len(items) == defaults
    for item in items:
        assert item[0].isupper() and item.endswith("."), item
    note = r.estimate.proposal.activities[0].spec.note
    notes = r.md.split("### Notes on the activities\n", 1)[1].split("\n### ", 1)[0]
    assert note is not None and notes.count(note) == 1


def test_no_diagnostic_closes_any_annex_even_when_the_figures_warn(tmp_path: Path) -> None:
    """Under a card that does not escalate, old unit costs warn on the command line; every
    seed's annex says them as caveats, and the document ends with the stamp, never with a
    diagnostic, a rate id or a file position."""
    card = tmp_path / "flat.toml"
    text = (cost_models.CARDS / "itu-geneva.toml").read_text(encoding="utf-8")
    card.write_text(text.replace("escalation = 0.0045", "escalation = 0", 1), encoding="utf-8")
    warned = 0
    for seed in sorted((ROOT / "seeds").glob("*.toml")):
        est = _estimate(seed, card)
        warned += len(est.warnings)
        md = render_markdown(est, RenderOptions()).decode("utf-8")
        word = render_docx(est, RenderOptions())
        for fmt, text in (("md", md), ("docx", docx_text(word))):
            _assert_no_program_text(text, est, f"{seed.stem}.{fmt}")
        last = md.rstrip().splitlines()[-1]
        assert last.startswith("finimpact "), (seed.stem, last)
    assert warned > 0


# The Article 34 conclusion ------------------------------------------------------------------

CENTS = re.compile(r"\b[A-Z]{3}\xa0[\d,]+\.\d\d(?!\d)")
"""An amount with cents, as a sentence writes it: 'CHF 1,756,193.30', the code and the figure
joined by a no-break space."""


def _article34_section(md: str) -> str:
    return md.split("### Article 34 of the Convention", 1)[1].split("\n## ", 1)[0]


@pytest.mark.parametrize("name", [p.stem for p in PROPOSALS])
def test_article34_is_numbered_paragraphs_with_the_figures_of_the_tables(
    rendered: dict[str, Rendered], name: str
) -> None:
    """The conclusion under the Summary is a few numbered paragraphs, headed by the position
    in words (never 'Article 34 (exceeds).'), with no cents under figures rounded to the
    hundred: the additional credits it states are the funding table's 'Additional credits'
    total, in every format."""
    r = rendered[name]
    if r.estimate.total == 0:
        return
    section = _article34_section(r.md)
    heading, body = section.split("\n", 1)
    assert heading.startswith(": ") and "(" not in heading, heading
    paragraphs = [p for p in body.strip().split("\n\n") if p[:1].isdigit()]
    assert [p.split(". ", 1)[0] for p in paragraphs] == [
        str(i) for i in range(1, len(paragraphs) + 1)
    ]
    assert not CENTS.search(section), section
    assert "Article 34 (" not in r.md
    if r.estimate.article34.additional > 0:
        funding = next(t for t in _tables_of("md", r) if t.header[0] == "Funding")
        additional = next(row for row in funding.rows if row[0].startswith("Additional"))
        amount = f"{r.estimate.currency}\u00a0{additional[-1]}"
        said = f"additional credits of {amount} would be required"
        for text in (section, "".join(read_html(r.html).text), docx_text(r.docx)):
            assert said in text


def test_an_exceeded_plan_gets_a_small_table_and_no_489_quoted_apart(tmp_path: Path) -> None:
    """PP-26 under the example plan exceeds the credits available for ITU-D: the annex shows
    each year and unit's required, available and excess, which add up along rows and down
    columns; the total excess is the one the paragraphs state; the authentic French text of
    No. 489 is a quotation of its own, not inside a paragraph; the JSON keeps its cents."""
    outcome = run_estimate(
        ROOT / "seeds" / "pp26-ai-capacity.toml", None, plan_path=Path("example-itu")
    )
    est = outcome.estimate
    assert est is not None and est.article34.verdict == "exceeds"
    md = render_markdown(est, RenderOptions()).decode("utf-8")
    section = _article34_section(md)
    table = next(t for t in markdown_tables(section) if t[0][-1] == "Excess")
    rows, total = table[1:-1], table[-1]
    assert [(row[0], row[1]) for row in rows] == [
        (str(p.year), p.unit) for p in est.article34.exceeded
    ]
    for row in rows:
        required, available, excess = (_amount(c) for c in row[2:])
        assert required == available + excess > 0
    for j in (2, 3, 4):
        assert _amount(total[j]) == sum(_amount(row[j]) for row in rows)
    assert f"The excess, {est.currency}\u00a0{total[4]} in all," in section
    french = str(NO_489["text"])
    quoted = [line for line in section.splitlines() if french in line]
    assert quoted == [f"> « {french} »"]
    assert not CENTS.search(section)
    document = docx.Document(io.BytesIO(render_docx(est, RenderOptions())))
    styles = [p.style.name for p in document.paragraphs if french in p.text]
    assert styles == ["Quote"]
    assert french in render_json(est, RenderOptions()).decode("utf-8")  # the JSON's statement


# Activities, reliability -------------------------------------------------------------------


@pytest.mark.parametrize("name", [p.stem for p in PROPOSALS])
def test_each_activity_states_its_cost_as_the_by_activity_table_shows_it(
    rendered: dict[str, Rendered], name: str
) -> None:
    """Under each activity, its cost is the total of its row in the table by activity (which
    adds up to the grand total like every other table), in Markdown, HTML and Word."""
    r = rendered[name]
    if r.estimate.total == 0:
        return
    table = next(t for t in _tables_of("md", r) if t.header[0] == "Activity")
    assert len(table.rows) == len(r.estimate.proposal.activities)
    costs = re.findall(r"^- Cost: ([A-Z]{3}\xa0[\d,]+|nil, once rounded)", r.md, re.MULTILINE)
    assert costs == [
        f"{r.estimate.currency}\u00a0{row[-1]}" if row[-1] != NIL else "nil, once rounded"
        for row in table.rows
    ]
    for text in ("".join(read_html(r.html).text), docx_text(r.docx)):
        for cost in costs:
            assert f"Cost: {cost}" in text


@pytest.mark.parametrize("name", [p.stem for p in PROPOSALS])
def test_the_summary_says_how_much_rests_on_each_basis_as_the_command_line_does(
    rendered: dict[str, Rendered], name: str
) -> None:
    """One line of the Summary gives the share of the total resting on published, derived,
    assumed and stated figures: the same percentages as the command line's summary."""
    from estimator.cli.summary import summary

    r = rendered[name]
    if r.estimate.total == 0:
        return
    line = next(row for row in markdown_tables(r.md)[1] if row[0] == "Basis of the figures")
    shown = re.findall(r"(\d+\.\d)%", line[1])
    console = summary(r.estimate).split("By basis of the rates", 1)[1]
    assert sorted(shown) == sorted(re.findall(r"(\d+\.\d)%", console))
    assert len(shown) == len(r.estimate.by_basis())
    assert abs(sum(Decimal(s) for s in shown) - 100) <= Decimal("0.1") * len(shown)


def test_prepared_by_and_date_come_from_the_proposal_and_are_never_guessed(tmp_path: Path) -> None:
    """With prepared_by and prepared in [proposal], the annex names them; without, the two
    lines are left out: no name or date is made up."""
    seed = (ROOT / "seeds" / "wtsa28-quantum-focus-group.toml").read_text(encoding="utf-8")
    given = tmp_path / "given.toml"
    given.write_text(
        seed.replace(
            "[proposal]\n",
            '[proposal]\nprepared_by = "Delegation of Japan"\nprepared = 2026-04-30\n',
            1,
        ),
        encoding="utf-8",
    )
    for fmt_text in _document_texts_of(_estimate(given, None)):
        assert "Prepared by" in fmt_text and "Delegation of Japan" in fmt_text
        assert "Date of preparation" in fmt_text and "2026-04-30" in fmt_text
    md = render_markdown(
        _estimate(ROOT / "seeds" / "wtsa28-quantum-focus-group.toml", None), RenderOptions()
    ).decode()
    rows = {row[0]: row[1] for row in markdown_tables(md)[0]}
    assert "Prepared by" not in rows and "Date of preparation" not in rows
    assert "Prepared by" not in md and "Date of preparation" not in md


def test_prepared_by_as_stated_on_the_command_line_wins_and_is_never_guessed(
    tmp_path: Path,
) -> None:
    """--prepared-by on estimate and batch names who prepared the estimate in every annex
    (over the proposal's prepared_by); without it and without the key there is no such line;
    an empty or unprintable name is refused, naming the option."""
    seed = ROOT / "seeds" / "wtsa28-quantum-focus-group.toml"
    given = tmp_path / "given.toml"
    given.write_text(
        seed.read_text("utf-8").replace(
            "[proposal]\n", '[proposal]\nprepared_by = "Delegation of Japan"\n', 1
        ),
        encoding="utf-8",
    )
    who = "ITU Financial Resources Management Department"
    for args in (
        ["estimate", str(given), "--out", str(tmp_path / "one")],
        ["batch", str(given), "--out", str(tmp_path / "all")],
    ):
        result = CliRunner().invoke(app, [*args, "--format", "md,html,docx", "--prepared-by", who])
        assert result.exit_code == 0, result.output
    for folder in ("one", "all"):
        md = next((tmp_path / folder).glob("*.annex.md")).read_text("utf-8")
        html = next((tmp_path / folder).glob("*.annex.html")).read_text("utf-8")
        word = docx_text(next((tmp_path / folder).glob("*.annex.docx")).read_bytes())
        rows = {row[0]: row[1] for row in markdown_tables(md)[0]}
        assert rows["Prepared by"] == who
        assert who in html and who in word and "Delegation of Japan" not in md + html + word
    result = CliRunner().invoke(
        app, ["estimate", str(seed), "--out", str(tmp_path / "none"), "--format", "md"]
    )
    assert result.exit_code == 0
    assert "Prepared by" not in next((tmp_path / "none").glob("*.annex.md")).read_text("utf-8")
    for bad in ("", "  ", "a\x07b"):
        result = CliRunner().invoke(app, ["estimate", str(seed), "--prepared-by", bad])
        assert result.exit_code == 2 and "--prepared-by" in result.output, bad


def _document_texts_of(est: Estimate) -> list[str]:
    return [
        render_markdown(est, RenderOptions()).decode("utf-8"),
        "".join(read_html(render_html(est, RenderOptions()).decode("utf-8")).text),
        docx_text(render_docx(est, RenderOptions())),
    ]


@pytest.mark.parametrize("name", [p.stem for p in PROPOSALS])
def test_nil_is_shown_as_nil_and_no_table_has_a_row_of_nothing(
    rendered: dict[str, Rendered], name: str
) -> None:
    """A zero in a table of amounts is shown as a dash, never '0'; no seed's table has a row of
    nil but the funding table's (each source of funding is named, even when nothing comes from
    it). (A row of small amounts that round to nil stays: see the rounding by hand.)"""
    r = rendered[name]
    seed = (ROOT / "seeds" / f"{name}.toml").exists()
    for fmt in ("md", "html", "docx"):
        for table in _tables_of(fmt, r):
            for row in table.rows:
                assert "0" not in row[1:], (fmt, row)
                if seed and table.header[0] != "Funding":
                    assert any(c != NIL for c in row[1:]), (fmt, row)


# One dash rule, text set left and amounts right ----------------------------------------------

YEAR_RANGE_WITH_A_HYPHEN = re.compile(r"(?<![\w-])(?:19|20)\d\d-(?:19|20)\d\d(?![\w-])")


def _exceeded_pp26() -> Estimate:
    outcome = run_estimate(
        ROOT / "seeds" / "pp26-ai-capacity.toml", None, plan_path=Path("example-itu")
    )
    assert outcome.estimate is not None
    return outcome.estimate


def test_a_range_of_years_is_written_with_an_en_dash_in_every_format_and_sentence(
    rendered: dict[str, Rendered],
) -> None:
    """The Article 34 sentences said 'over the period 2027-2030' under a table headed
    '2027–2030': one rule now, an en dash for a range, in the tables, the sentences, the plan's
    name, the shipped rate cards' sources and the JSON's statement, for every seed and PP-26
    under the example plan (whose sentences name the plan's years too). A user's card is quoted
    as written."""
    est = _exceeded_pp26()
    statement = json.loads(render_json(est, RenderOptions()))["article34"]["statement"]
    texts = [*_document_texts_of(est), statement]
    seeds = {p.stem for p in (ROOT / "seeds").glob("*.toml")}  # the test card quotes its own
    for r in (rendered[name] for name in seeds):
        texts += [*_document_texts(r).values(), str(r.json["article34"]["statement"])]  # type: ignore[index]
    for text in texts:
        assert not YEAR_RANGE_WITH_A_HYPHEN.search(text), YEAR_RANGE_WITH_A_HYPHEN.search(text)
    for text in [*_document_texts_of(est), statement]:
        assert "over the period 2027–2030" in text and "2028–2031" in text


def _docx_alignments(table: docx.table.Table) -> list[list[str]]:
    """Each cell's alignment as Word sets it (its paragraph's, else its style's)."""
    out = []
    for row in table.rows:
        cells = []
        for cell in row.cells:
            paragraph = cell.paragraphs[0]
            alignment = paragraph.alignment or paragraph.style.paragraph_format.alignment
            cells.append("right" if alignment == WD_ALIGN_PARAGRAPH.RIGHT else "left")
        out.append(cells)
    return out


def test_in_word_text_is_set_left_and_amounts_right(rendered: dict[str, Rendered]) -> None:
    """The excess table's year and budget unit, and the Summary's funding and basis lines, are
    text: set left; the required, available and excess, and the Summary's totals, are amounts:
    set right (the budget unit and the funding sentence were set right like figures)."""
    document = docx.Document(io.BytesIO(render_docx(_exceeded_pp26(), RenderOptions())))
    excess = next(t for t in document.tables if t.rows[0].cells[-1].text == "Excess")
    for row in _docx_alignments(excess):
        assert row == ["left", "left", "right", "right", "right"]
    summary = next(t for t in document.tables if t.rows[0].cells[0].text.startswith("Total"))
    aligned = dict(
        zip([row.cells[0].text for row in summary.rows], _docx_alignments(summary), strict=True)
    )
    for label, (_, value) in aligned.items():
        text = label in ("Funding", "Basis of the figures")
        assert value == ("left" if text else "right"), label
    assert len(aligned) == 6


@pytest.mark.parametrize("name", [p.stem for p in PROPOSALS])
def test_conference_servicing_is_grouped_and_its_groups_are_the_object_rows_summed(
    rendered: dict[str, Rendered], name: str
) -> None:
    """As a UN statement splits its requirements: conference servicing for meetings
    (interpretation, rooms, remote participation), for documentation (translation, processing),
    and the other costs, by year; each group is the sum of its objects' rows as the object table
    shows them, and the conference-servicing line below the tables is the two groups' sum."""
    r = rendered[name]
    if r.estimate.total == 0:
        return
    members = {
        "meetings": ("Interpretation", "Conference services", "Remote participation"),
        "documentation": ("Translation", "Documentation processing"),
    }
    every = tuple(m for group in members.values() for m in group)
    objects, groups = _tables_of("md", r)[:2]
    assert groups.header[0] == "Objects of expenditure" and groups.total == objects.total
    servicing = 0
    for row in groups.rows:
        which = next((k for k in members if f"Conference servicing: {k}" in row[0]), None)
        if which is None:
            assert row[0].startswith("Other costs")
            wanted = [o for o in objects.rows if not o[0].startswith(every)]
        else:
            wanted = [o for o in objects.rows if o[0].startswith(members[which])]
            servicing += _amount(row[-1])
        for j in range(1, len(row)):
            assert _amount(row[j]) == sum(_amount(o[j]) for o in wanted), (row[0], j)
    line = next(x for x in r.md.splitlines() if x.startswith("- Conference servicing ("))
    assert _amount(line.rsplit("\u00a0", 1)[-1]) == servicing


def test_the_servicing_groups_are_the_conference_servicing_objects() -> None:
    from cost_models.needs import ELEMENTS
    from estimator.render.view import SERVICING_GROUPS

    grouped = [e for _label, members in SERVICING_GROUPS for e in members]
    assert sorted(grouped) == sorted(e.id for e in ELEMENTS.values() if e.conference_servicing)


def test_staff_are_given_by_grade_and_year_in_work_months_where_the_proposal_has_staff(
    rendered: dict[str, Rendered],
) -> None:
    """As WHO's statements give staffing by level: each grade's work-months in each year (posts
    × work-months a year), with totals, in Markdown, HTML and Word; no such table without
    staff."""
    from cost_models.kinds.staff import Staff

    with_staff = 0
    for r in rendered.values():
        proposal = r.estimate.proposal
        expected: dict[str, dict[int, Decimal]] = {}
        for a in proposal.activities:
            if isinstance(a.spec, Staff):
                for year in proposal.years_of(a):
                    row = expected.setdefault(a.spec.grade, {})
                    row[year] = row.get(year, Decimal(0)) + a.spec.posts * a.spec.work_months
        title = "Staff by grade and year, in work-months"
        texts = _document_texts(r)
        if not expected or r.estimate.total == 0:
            assert all(title not in t for t in texts.values())
            continue
        with_staff += 1
        assert all(title in t for t in texts.values())
        found = {
            "md": markdown_tables(r.md),
            "html": read_html(r.html).tables,
            "docx": docx_tables(r.docx),
        }
        for fmt, tables in found.items():
            (table,) = [t for t in tables if t and t[0][0].strip() == "Grade"]
            years = [int(y) for y in table[0][1:-1]]
            shown = {row[0].strip(" *"): row[1:] for row in table[1:]}
            for grade, by_year in expected.items():
                row = [c.strip(" *") for c in shown[grade]]
                want = [by_year.get(y, Decimal(0)) for y in years]
                assert [Decimal(c) if c != NIL else Decimal(0) for c in row[:-1]] == want, fmt
                assert Decimal(row[-1]) == sum(want)
    assert with_staff >= 1


@pytest.mark.parametrize("name", [p.stem for p in PROPOSALS])
def test_an_activity_line_names_its_kind_once(name: str, rendered: dict[str, Rendered]) -> None:
    # 'Contractual services: CHF 80,000.00 once, in 2027 ...', never 'Contractual services:
    # Contractual services (external human resources) of ...'
    view = build_view(rendered[name].estimate)
    for activity in view.activities:
        line = f"{activity.kind}: {activity.description}"
        assert line.count(activity.kind) == 1, line
        if rendered[name].json["total"] != "0.00":  # the short form describes no activity
            assert line in rendered[name].md.replace("\\", ""), line


def test_a_rate_resting_on_an_assumption_says_so_once_in_the_appendix(
    rendered: dict[str, Rendered],
) -> None:
    r = rendered["pp26-ai-capacity"]
    assumed = [rate for rate in build_view(r.estimate).rates if rate.basis == "assumed"]
    assert assumed, "the seed prices at least one rate on an assumption"
    appendix = r.md.split("## Appendix: the rates used and their sources")[1]
    for rate in assumed:
        assert rate.derivation is not None
        assert r.md.count(rate.derivation) == 1, rate.rate
        row = next(line for line in appendix.splitlines() if line.startswith(f"| {rate.rate} |"))
        assert "| assumed |" in row and rate.derivation in row, row
    assert "Rates that rest on an assumption" not in r.md


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_workbook_gives_the_action_as_the_annex_does(
    lang: str, rendered: dict[str, Rendered]
) -> None:
    est = rendered["pp26-ai-capacity"].estimate
    with language(lang):
        action = next(i for i in build_view(est).identification if i.value and "ADD" in i.value)
        md = render_markdown(est).decode("utf-8")
        xlsx = render_workbook(est)
    assert f"| {action.label} | {action.value} |" in md
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    shown = {
        row[0].value: row[1].value for ws in book.worksheets for row in ws.iter_rows() if row[1:]
    }
    assert shown[action.label] == action.value, shown.get(action.label)
    assert action.value != "ADD"
