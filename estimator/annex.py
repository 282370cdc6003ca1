"""The annex: a statement of financial implications, as Markdown, HTML and Word.

The view model (``estimator.view``) is built once per estimate and fills a template from
``templates/`` (or the user's, ``options["template"]``); templates only read the view. Jinja2
runs with ``StrictUndefined``; HTML and Word escape what they insert. Same input, same bytes:
the Word file is zipped with fixed timestamps.

A user template that is missing or broken raises ``TemplateProblem`` with a one-line message.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2

from estimator.estimate import Estimate
from estimator.resources import templates_dir
from estimator.view import AnnexView, build_view

DEFAULT_ROUND_TO = 100
TEMPLATE_FORMATS = {".md": "md", ".html": "html", ".htm": "html", ".docx": "docx"}
"""A user template's format, from its name: annex.md.j2 and annex.md are Markdown, and so on."""
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class TemplateProblem(Exception):
    """A user template is missing, of an unknown kind, or fails to render."""


def template_format(path: Path) -> str:
    """The format a template file is for, from its name ('annex.html.j2' → 'html')."""
    name = path.name.lower()
    name = name.removesuffix(".j2").removesuffix(".jinja").removesuffix(".jinja2")
    for suffix, fmt in TEMPLATE_FORMATS.items():
        if name.endswith(suffix):
            return fmt
    raise TemplateProblem(
        f"template {path}: cannot tell its format from its name; end it with .md.j2, "
        ".html.j2 or .docx"
    )


_last_context: tuple[Estimate, int, dict[str, Any]] | None = None


def _context(estimate: Estimate, options: Mapping[str, Any]) -> dict[str, Any]:
    """What the templates read: the view model, built once per estimate and rounding unit (the
    three annexes of one estimate share it; templates never change it)."""
    global _last_context
    round_to = int(options.get("round_to", DEFAULT_ROUND_TO))
    last = _last_context
    if last is not None and last[0] is estimate and last[1] == round_to:
        return last[2]
    view: AnnexView = build_view(estimate, round_to)
    context = {"annex": dataclasses.asdict(view)}
    _last_context = (estimate, round_to, context)
    return context


def _user_template(options: Mapping[str, Any], fmt: str) -> Path | None:
    """The user's template for this format, if --template names one."""
    given = options.get("template")
    if given is None:
        return None
    path = Path(given)
    if template_format(path) != fmt:
        return None
    if not path.is_file():
        raise TemplateProblem(f"template {path}: no such file")
    return path


_MD_SPECIAL = re.compile(r"([\\`\[\]<>|])")
_MD_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_MD_LINE_START = re.compile(r"^(\s*\d*)([#>+=.)*-])", re.MULTILINE)


def md_text(value: object) -> str:
    """Text shown as written in Markdown: characters that Markdown would read as markup
    (emphasis, links, code, inline HTML, entities, table pipes, a heading or list at the start
    of a line) are backslash-escaped, so that a viewer shows them and runs nothing."""
    text = _MD_SPECIAL.sub(r"\\\1", str(value))
    for mark in "*_":  # emphasis needs two: a lone '*' (as in 7*7) is shown as it is
        if text.count(mark) >= 2:
            text = text.replace(mark, "\\" + mark)
    text = _MD_ENTITY.sub(r"\\&", text)
    return _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def md_cell(value: object) -> str:
    """Text for a Markdown table cell, on one line (a new line would end the row)."""
    return md_text(" ".join(str(value).splitlines()))


def md_line(value: object) -> str:
    """Text on one line (a heading): new lines become spaces."""
    return md_cell(value)


def md_item(value: object) -> str:
    """Text as the body of a Markdown list item: later lines indented to stay in the item."""
    first, *rest = md_text(value).splitlines() or [""]
    return "\n".join([first, *(("  " + line) if line.strip() else "" for line in rest)])


def md_quote(value: object) -> str:
    """Text as a Markdown block quote, every line of it."""
    return "\n".join("> " + line for line in md_text(value).splitlines() or [""])


class _CompiledOnce(jinja2.Environment):
    """docxtpl compiles each part of the Word template (document, headers, footers) with
    from_string on every render: compile each source once and keep it."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._compiled: dict[str, jinja2.Template] = {}

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Any:
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        compiled = self._compiled.get(source)
        if compiled is None:
            if len(self._compiled) >= 64:  # user templates: keep memory bounded
                self._compiled.clear()
            compiled = self._compiled[source] = super().from_string(source)
        return compiled


@functools.lru_cache(maxsize=1)
def _docx_environment() -> jinja2.Environment:
    return _CompiledOnce(undefined=jinja2.StrictUndefined, autoescape=True)


@functools.lru_cache(maxsize=16)
def _environment(folder: Path, autoescape: bool) -> jinja2.Environment:
    """One environment per template folder: templates are compiled once per process (Jinja's
    loader still notices a template file that changed)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        undefined=jinja2.StrictUndefined,
        autoescape=autoescape,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = md_text
    env.filters["cell"] = md_cell
    env.filters["quote"] = md_quote
    env.filters["line"] = md_line
    env.filters["item"] = md_item
    return env


def _render_text(estimate: Estimate, options: Mapping[str, Any], fmt: str) -> bytes:
    context = _context(estimate, options)
    user = _user_template(options, fmt)
    folder, name = (user.parent, user.name) if user else (templates_dir(), f"annex.{fmt}.j2")
    env = _environment(folder, autoescape=fmt == "html")
    if user is None:
        return env.get_template(name).render(context).encode("utf-8")
    try:
        return env.get_template(name).render(context).encode("utf-8")
    except jinja2.TemplateSyntaxError as e:
        raise TemplateProblem(f"{user}:{e.lineno}: template error: {e.message}") from e
    except jinja2.TemplateError as e:
        raise TemplateProblem(f"template {user}: {e.message or type(e).__name__}") from e
    except UnicodeDecodeError as e:
        raise TemplateProblem(f"template {user}: not UTF-8 text") from e


def render_markdown(estimate: Estimate, options: Mapping[str, Any]) -> bytes:
    return _render_text(estimate, options, "md")


def render_html(estimate: Estimate, options: Mapping[str, Any]) -> bytes:
    return _render_text(estimate, options, "html")


def render_docx(estimate: Estimate, options: Mapping[str, Any]) -> bytes:
    context = _context(estimate, options)
    user = _user_template(options, "docx")
    path = user or templates_dir() / "annex.docx"
    out = io.BytesIO()
    try:
        doc = _word_template_class()(str(path))
        doc.render(context, jinja_env=_docx_environment(), autoescape=True)
        _fit_amount_tables(doc.docx)
        save_stable_docx(doc.docx, out)
    except Exception as e:  # a user's .docx can fail in docxtpl, jinja2, lxml or zipfile
        if user is None:
            raise
        if isinstance(e, zipfile.BadZipFile) or type(e).__name__ == "PackageNotFoundError":
            raise TemplateProblem(f"template {user}: not a Word (.docx) file") from e
        message = getattr(e, "message", None) or str(e) or type(e).__name__
        raise TemplateProblem(f"template {user}: {message.splitlines()[0]}") from e
    return out.getvalue()


@functools.lru_cache(maxsize=1)
def _word_template_class() -> Any:
    """docxtpl's DocxTemplate, remembering the XML it prepares for Jinja (patch_xml is the
    same regular-expression work on the same template parts at every render)."""
    from docxtpl import DocxTemplate

    patched: dict[str, str] = {}

    class PreparedOnce(DocxTemplate):  # type: ignore[misc]
        def patch_xml(self, src_xml: str) -> str:
            found = patched.get(src_xml)
            if found is None:
                if len(patched) >= 64:  # user templates: keep memory bounded
                    patched.clear()
                found = patched[src_xml] = super().patch_xml(src_xml)
            return found

    return PreparedOnce


def _fit_amount_tables(document: Any) -> None:
    """Column widths of the tables of amounts, whose number of years the template cannot know:
    the label column takes a third of the text width, the amounts share the rest. (Written on
    the table's XML directly: python-docx's cell grid is rebuilt on every access, and slow.)"""
    section = document.sections[0]
    width = section.page_width - section.left_margin - section.right_margin
    for table in document.tables:
        tbl = table._tbl
        rows = tbl.tr_lst
        header = rows[0].tc_lst if rows else []
        if not header or "".join(header[-1].xpath(".//w:t/text()")).strip() != "Total":
            continue
        n = len(tbl.tblGrid.gridCol_lst)
        label = width // 3
        widths = [label] + [(width - label) // (n - 1)] * (n - 1)
        table.autofit = False
        for j, column in enumerate(tbl.tblGrid.gridCol_lst):
            column.w = widths[j]
        for row in rows:
            for j, cell in enumerate(row.tc_lst):
                cell.width = widths[j] if j < n else widths[-1]


class _StableZip:
    """python-docx's physical package writer, with fixed timestamps and permissions: same
    input, same bytes, without writing the zip twice."""

    def __init__(self, out: io.BytesIO) -> None:
        self._zip = zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED)

    def write(self, pack_uri: Any, blob: bytes) -> None:
        info = zipfile.ZipInfo(pack_uri.membername, date_time=_ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        self._zip.writestr(info, blob)

    def close(self) -> None:
        self._zip.close()


def save_stable_docx(document: Any, out: io.BytesIO) -> None:
    """Save a python-docx Document the way Document.save does (content types, package
    relationships, then each part), through a zip writer with fixed timestamps."""
    from docx.opc import pkgwriter

    steps: Any = pkgwriter.PackageWriter  # its static helpers, with our writer in place of its own
    package = document.part.package
    writer = _StableZip(out)
    steps._write_content_types_stream(writer, package.parts)
    steps._write_pkg_rels(writer, package.rels)
    steps._write_parts(writer, package.parts)
    writer.close()
