"""The annex: a statement of financial implications, as Markdown, HTML and Word.

The view model (``estimator.render.view``) is built once per estimate and fills a template from
``templates/`` (or the user's, ``RenderOptions.template``); templates only read the view. Jinja2
runs with ``StrictUndefined``; HTML and Word escape what they insert. Same input, same bytes:
the Word file is zipped with fixed timestamps. A Word template is read once per process (and
again if its content changes): each annex renders only the parts docxtpl renders.

A user template that is missing or broken raises ``TemplateProblem`` with a one-line message.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import functools
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from estimator.core.estimate import Estimate
from estimator.render import markdown, stablezip
from estimator.render.options import DEFAULT_OPTIONS, RenderOptions
from estimator.render.resources import templates_dir
from estimator.render.view import AnnexView, build_view
from estimator.render.wording import install_words
from estimator.render.xmltext import xml_text

TEMPLATE_FORMATS = {".md": "md", ".html": "html", ".htm": "html", ".docx": "docx"}
"""A user template's format, from its name: annex.md.j2 and annex.md are Markdown, and so on."""


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


def _context(estimate: Estimate, options: RenderOptions) -> dict[str, Any]:
    """What the templates read: the view model, built once per estimate and rounding unit (the
    three annexes of one estimate share it; templates never change it)."""
    global _last_context
    round_to = options.round_to
    last = _last_context
    if last is not None and last[0] is estimate and last[1] == round_to:
        return last[2]
    view: AnnexView = build_view(estimate, round_to)
    context = {"annex": dataclasses.asdict(view)}
    _last_context = (estimate, round_to, context)
    return context


def _user_template(options: RenderOptions, fmt: str) -> Path | None:
    """The user's template for this format, if --template names one."""
    path = options.template
    if path is None:
        return None
    if template_format(path) != fmt:
        return None
    if not path.is_file():
        raise TemplateProblem(f"template {path}: no such file")
    return path


md_text = markdown.text
md_cell = markdown.cell
md_line = markdown.line
md_item = markdown.item
md_quote = markdown.quote


class _CompiledOnce(SandboxedEnvironment):
    """docxtpl compiles the source of each part it renders (body, headers, footers, core
    properties) with from_string on every render: compile each source once and keep it."""

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


def _xml_value(value: object) -> object:
    """What a Word template inserts: text with what XML cannot hold shown as U+FFFD (a
    control character in a reference once broke the header's XML)."""
    return xml_text(value) if isinstance(value, str) else value


@functools.lru_cache(maxsize=1)
def _docx_environment() -> jinja2.Environment:
    return _CompiledOnce(undefined=jinja2.StrictUndefined, autoescape=True, finalize=_xml_value)


@functools.lru_cache(maxsize=16)
def _environment(folder: Path, autoescape: bool, sandboxed: bool = False) -> jinja2.Environment:
    """One environment per template folder: templates are compiled once per process (Jinja's
    loader still notices a template file that changed). A user's --template is Jinja code: it
    runs in Jinja's sandbox (no access to Python internals, so no way out to run code)."""
    kind = SandboxedEnvironment if sandboxed else jinja2.Environment
    env = kind(
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
    install_words(env)
    return env


def _render_text(estimate: Estimate, options: RenderOptions, fmt: str) -> bytes:
    context = _context(estimate, options)
    user = _user_template(options, fmt)
    folder, name = (user.parent, user.name) if user else (templates_dir(), f"annex.{fmt}.j2")
    env = _environment(folder, autoescape=fmt == "html", sandboxed=user is not None)
    if user is None:
        return env.get_template(name).render(context).encode("utf-8")
    try:
        return env.get_template(name).render(context).encode("utf-8")
    except RecursionError as e:
        raise TemplateProblem(
            f"template {user}: it calls itself without end (a recursive macro or include)"
        ) from e
    except SecurityError as e:
        raise TemplateProblem(f"template {user}: not allowed in a template: {e}") from e
    except jinja2.TemplateSyntaxError as e:
        raise TemplateProblem(f"{user}:{e.lineno}: template error: {e.message}") from e
    except jinja2.TemplateError as e:
        raise TemplateProblem(f"template {user}: {e.message or type(e).__name__}") from e
    except UnicodeDecodeError as e:
        raise TemplateProblem(f"template {user}: not UTF-8 text") from e


def render_markdown(estimate: Estimate, options: RenderOptions = DEFAULT_OPTIONS) -> bytes:
    return _render_text(estimate, options, "md")


def render_html(estimate: Estimate, options: RenderOptions = DEFAULT_OPTIONS) -> bytes:
    return _render_text(estimate, options, "html")


def render_docx(estimate: Estimate, options: RenderOptions = DEFAULT_OPTIONS) -> bytes:
    context = _context(estimate, options)
    user = _user_template(options, "docx")
    path = user or templates_dir() / "annex.docx"
    try:
        return _word_template(path.read_bytes()).render(context)
    except Exception as e:  # a user's .docx can fail in docxtpl, jinja2, lxml or zipfile
        if user is None:
            raise
        if isinstance(e, zipfile.BadZipFile) or type(e).__name__ == "PackageNotFoundError":
            raise TemplateProblem(f"template {user}: not a Word (.docx) file") from e
        message = getattr(e, "message", None) or str(e) or type(e).__name__
        raise TemplateProblem(f"template {user}: {message.splitlines()[0]}") from e


@functools.lru_cache(maxsize=4)
def _word_template(content: bytes) -> _WordTemplate:
    """The Word template with these bytes, prepared once per process. Keyed by content, not
    by path: a template changed on disk is prepared again."""
    return _WordTemplate(content)


_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
"""The core properties docxtpl renders (DocxTemplate.render_properties)."""
_FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


class _WordTemplate:
    """A Word template, prepared for many renders: each gives the bytes that docxtpl's
    DocxTemplate.render then saving through python-docx's package writer give.

    docxtpl (0.20) renders the document body, the headers and footers, the core properties
    and the footnotes with Jinja, then python-docx serialises and compresses every part again,
    though the others (styles, theme, numbering, settings, fonts, relationships...) are the same
    in every file. Here the template is read once: the parts docxtpl renders are kept as the
    Jinja sources its patch_xml makes of them, the others as zip entries, serialised as
    python-docx saves them and deflated. A render runs docxtpl's own steps on the rendered
    parts, in its order (render_xml_part, fix_tables and fix_docpr_ids on the body), serialises
    them as python-docx does (serialize_part_xml), and zips the whole with stablezip.
    """

    def __init__(self, content: bytes) -> None:
        from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
        from docx.oxml.ns import qn
        from docx.package import Package
        from docxtpl import DocxTemplate

        main = Package.open(io.BytesIO(content)).main_document_part
        if main.content_type != CONTENT_TYPE.WML_DOCUMENT_MAIN:  # as docx.Document checks
            raise ValueError(f"not a Word file, content type is '{main.content_type}'")
        template = DocxTemplate(io.BytesIO(content))
        document = template.docx = main.document  # what its init_docx reads
        package = document.part.package
        # as render_properties reads them (for a package without core properties, python-docx
        # adds its default part, which is then saved too: dated with the time of the render,
        # so given a fixed date here, as the zip entries have, for the same bytes every time)
        has_core_properties = any(
            rel.reltype == RELATIONSHIP_TYPE.CORE_PROPERTIES for rel in package.rels.values()
        )
        core_properties = document.core_properties
        if not has_core_properties:
            core_properties.modified = dt.datetime(*stablezip.EPOCH)
        self._properties = tuple((name, getattr(core_properties, name)) for name in _PROPERTIES)
        core_part = package.part_related_by(RELATIONSHIP_TYPE.CORE_PROPERTIES)
        self._core = core_part.partname.membername, copy.deepcopy(core_part.element)

        self._body = template.patch_xml(template.get_xml())
        self._shell = copy.deepcopy(document.element)  # the document, its body to be rendered
        self._shell.replace(self._shell.body, self._shell.makeelement(qn("w:body")))
        self._headers_footers: list[tuple[str, str, str]] = []  # name, source, encoding
        for uri in (template.HEADER_URI, template.FOOTER_URI):
            for _, part in template.get_headers_footers(uri):
                xml = template.get_part_xml(part)
                encoding = template.get_headers_footers_encoding(xml)
                self._headers_footers.append(
                    (part.partname.membername, template.patch_xml(xml), encoding)
                )
        self._footnotes = tuple(
            (part.partname.membername, part.blob)
            for part in package.parts
            if part.content_type == _FOOTNOTES
        )
        self._document_name = document.part.partname.membername
        rendered = {
            self._document_name,
            self._core[0],
            *(name for name, _, _ in self._headers_footers),
            *(name for name, _ in self._footnotes),
        }
        self._entries = [
            name if name in rendered else stablezip.deflated(name, blob)
            for name, blob in _package_files(package)
        ]

    def render(self, context: dict[str, Any]) -> bytes:
        from docx.opc.oxml import serialize_part_xml
        from docx.oxml.parser import parse_xml

        env = _docx_environment()
        steps = _docxtpl_steps()
        document = self._rendered_document(steps, context)
        files = {}
        for name, source, encoding in self._headers_footers:
            xml = steps.render_xml_part(source, None, context, env).encode(encoding)
            files[name] = serialize_part_xml(parse_xml(xml))  # as XmlPart.load, then its blob
        files[self._core[0]] = self._rendered_properties(context)
        footnotes = dict(self._footnotes)
        for _ in document.sectPr_lst:  # render_footnotes renders them once per section
            for name, blob in footnotes.items():
                xml = steps.patch_xml(blob.decode("utf-8"))
                footnotes[name] = steps.render_xml_part(xml, None, context, env).encode("utf-8")
        files.update(footnotes)
        _fit_amount_tables(document)
        files[self._document_name] = serialize_part_xml(document)
        return stablezip.archive(
            stablezip.deflated(entry, files[entry]) if isinstance(entry, str) else entry
            for entry in self._entries
        )

    def _rendered_document(self, steps: Any, context: dict[str, Any]) -> Any:
        """The document element with its body rendered, as DocxTemplate.render leaves it.

        (In a function of its own: the body's element, parsed by fix_tables without python-docx's
        element classes, must have no Python reference left when python-docx reads the tables,
        so that lxml gives them python-docx's classes.)"""
        xml = steps.render_xml_part(self._body, None, context, _docx_environment())
        body = steps.fix_tables(xml)
        steps.fix_docpr_ids(body)
        document = copy.deepcopy(self._shell)
        document.replace(document.body, body)
        return document

    def _rendered_properties(self, context: dict[str, Any]) -> bytes:
        """The core properties part, rendered as DocxTemplate.render_properties does."""
        from docx.opc.coreprops import CoreProperties
        from docx.opc.oxml import serialize_part_xml

        env = _docx_environment()
        element = copy.deepcopy(self._core[1])
        properties = CoreProperties(element)
        for name, initial in self._properties:
            setattr(properties, name, env.from_string(initial).render(context))
        return bytes(serialize_part_xml(element))


_PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", re.DOTALL)
_LISTING = re.compile("[\t\a\n\f]")


def _docxtpl_steps() -> Any:
    """A DocxTemplate for the steps of one render, set as its render_init sets it. It reads
    no file: it is given the sources prepared by _WordTemplate. (Its render_xml_part is given no
    part: a part is only for docxtpl's own objects in a context, such as InlineImage, and the
    annex's context is the view model's dictionaries.)"""
    steps = _docxtpl_steps_class()(None)
    steps.docx_ids_index = 1000
    return steps


@functools.lru_cache(maxsize=1)
def _docxtpl_steps_class() -> Any:
    """docxtpl's DocxTemplate, with resolve_listing given only the paragraphs it can change.

    resolve_listing turns tabs, new lines, paragraph and page breaks (\\t \\n \\a \\f) in
    the text of each paragraph (each match of _PARAGRAPH, its own pattern) into Word's runs and
    breaks: a paragraph without any is kept as it is, and a paragraph alone is resolved as it
    is in the whole body. Its nested regular expressions on every paragraph of the body took
    0.9 ms per annex, 0.4 like this: only the paragraphs of the rate card's notes have new lines.
    """
    from docxtpl import DocxTemplate

    class Steps(DocxTemplate):  # type: ignore[misc]
        def resolve_listing(self, xml: str) -> str:
            if not _LISTING.search(xml):
                return xml
            resolve = super().resolve_listing
            return _PARAGRAPH.sub(lambda m: resolve(m[0]) if _LISTING.search(m[0]) else m[0], xml)

    return Steps


def _package_files(package: Any) -> list[tuple[str, bytes]]:
    """The files of a python-docx package, in the order Document.save writes them (content
    types, package relationships, then each part and its relationships)."""
    from docx.opc import pkgwriter

    class Recorder:
        def __init__(self) -> None:
            self.files: list[tuple[str, bytes]] = []

        def write(self, pack_uri: Any, blob: bytes) -> None:
            self.files.append((pack_uri.membername, blob))

    steps: Any = pkgwriter.PackageWriter  # its static helpers, with the recorder as the zip
    recorder = Recorder()
    steps._write_content_types_stream(recorder, package.parts)
    steps._write_pkg_rels(recorder, package.rels)
    steps._write_parts(recorder, package.parts)
    return recorder.files


def _fit_amount_tables(document: Any) -> None:
    """Column widths of the tables of amounts, whose number of years the template cannot know:
    the label column takes a third of the text width, the amounts share the rest. (Written on
    the XML, python-docx's CT_Document: its cell grid is rebuilt on every access, and slow.)

    A user's template may have no page size, or a table of one column under "Total": such
    tables are left as the template has them."""
    width = _text_width(document)
    if width is None:
        return
    for tbl in document.body.tbl_lst:  # python-docx's document.tables
        rows = tbl.tr_lst
        header = rows[0].tc_lst if rows else []
        if not header or "".join(header[-1].xpath(".//w:t/text()")).strip() != "Total":
            continue
        n = len(tbl.tblGrid.gridCol_lst)
        if n < 2:
            continue
        label = width // 3
        widths = [label] + [(width - label) // (n - 1)] * (n - 1)
        tbl.tblPr.autofit = False
        for j, column in enumerate(tbl.tblGrid.gridCol_lst):
            column.w = widths[j]
        for row in rows:
            for j, cell in enumerate(row.tc_lst):
                cell.width = widths[j] if j < n else widths[-1]


def _text_width(document: Any) -> int | None:
    """The width between the margins of the first section's page (python-docx's
    document.sections[0]), if the template gives its page size and margins."""
    sections = document.sectPr_lst
    if not sections:
        return None
    section = sections[0]
    page, left, right = section.page_width, section.left_margin, section.right_margin
    if page is None or left is None or right is None:
        return None
    return int(page - left - right)
