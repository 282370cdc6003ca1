"""The annex: a statement of financial implications, as Markdown, HTML and Word.

The view model (``estimator.render.view``) is built once per estimate and fills a template from
``templates/`` (or the user's, ``RenderOptions.template``); templates only read the view. Jinja2
runs with ``StrictUndefined``; HTML and Word escape what they insert. Same input, same bytes:
the Word file is zipped with fixed timestamps. A Word template is read once per process (and
again if its content changes): each annex renders only the parts docxtpl renders.

A user template that is missing or broken raises ``TemplateProblem`` with a one-line message.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import io
import re
import zipfile
from pathlib import Path
from typing import Any, ClassVar

import jinja2
import markupsafe
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from estimator.core.estimate import Estimate
from estimator.render import markdown, stablezip
from estimator.render.jinjacache import bytecode_cache, kept
from estimator.render.options import (
    DEFAULT_OPTIONS,
    RenderOptions,
    TemplateProblem,
    template_format,
)
from estimator.render.resources import templates_dir
from estimator.render.scripts import font_stack, set_word_script
from estimator.render.view import AnnexView, build_view
from estimator.render.wording import _, current_language, install_words
from estimator.render.xmltext import xml_text

_last_context: tuple[Estimate, RenderOptions, str, dict[str, Any]] | None = None


def _context(estimate: Estimate, options: RenderOptions) -> dict[str, Any]:
    """What the templates read: the view model, built once per estimate and rounding unit (the
    three annexes of one estimate share it; templates never change it)."""
    global _last_context
    lang = current_language()
    last = _last_context
    if last is not None and last[0] is estimate and last[1] == options and last[2] == lang:
        return last[3]
    view: AnnexView = build_view(estimate, options.round_to, options.prepared_by)
    context = {"annex": dataclasses.asdict(view)}
    _last_context = (estimate, options, lang, context)
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


class _Sandbox(SandboxedEnvironment):
    """Jinja's sandbox, with the operators that can build a value of gigabytes in one step
    (``'a' * 10**9``, ``10**10**10``) bounded: a template formats figures, it never needs
    them."""

    intercepted_binops = frozenset(["*", "**"])
    LIMIT = 100_000

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int | float) and abs(right) > 100:
            raise SecurityError(f"a power of {right} is beyond what a template needs")
        sized = [len(v) for v in (left, right) if isinstance(v, str | list | tuple)]
        times = [v for v in (left, right) if isinstance(v, int) and not isinstance(v, bool)]
        if operator == "*" and sized and times and sized[0] * abs(times[0]) > self.LIMIT:
            raise SecurityError("a text or list repeated that many times is too long")
        return super().call_binop(context, operator, left, right)


class _CompiledOnce(_Sandbox):
    """docxtpl compiles the source of each part it renders (body, headers, footers, core
    properties) with from_string on every render: compile each source once and keep it (the
    sources of one template are the same for every annex), and keep the compiled code in the
    bytecode cache (estimator.render.jinjacache) for the next process: each source is loaded
    as a template named by its SHA-256."""

    def __init__(self, **options: Any) -> None:
        super().__init__(
            loader=jinja2.FunctionLoader(self._source),
            bytecode_cache=bytecode_cache("word"),
            **options,
        )
        self.compiled: dict[str, jinja2.Template] = {}
        self.sources: dict[str, str] = {}

    def _source(self, name: str) -> str | None:
        return self.sources.get(name)

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Any:
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        compiled = self.compiled.get(source)
        if compiled is None:
            if len(self.compiled) >= 64:  # user templates: keep memory bounded
                self.compiled.clear()
                self.sources.clear()
            name = hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()
            self.sources[name] = source
            compiled = self.compiled[source] = self.get_template(name)
        return compiled


def _xml_value(value: object) -> object:
    """What a Word template inserts: text with what XML cannot hold shown as U+FFFD (a
    control character in a reference once broke the header's XML)."""
    return xml_text(value) if isinstance(value, str) else value


@functools.lru_cache(maxsize=1)
def _docx_environment() -> jinja2.Environment:
    env = _CompiledOnce(undefined=jinja2.StrictUndefined, autoescape=True, finalize=_xml_value)
    install_words(env)
    return env


@functools.lru_cache(maxsize=16)
def _environment(folder: Path, autoescape: bool, sandboxed: bool = False) -> jinja2.Environment:
    """One environment per template folder: templates are compiled once per process (Jinja's
    loader still notices a template file that changed). A user's --template is Jinja code: it
    runs in Jinja's sandbox (no access to Python internals, so no way out to run code)."""
    kind = _Sandbox if sandboxed else jinja2.Environment
    env = kind(
        loader=jinja2.FileSystemLoader(str(folder)),
        bytecode_cache=bytecode_cache("sandbox" if sandboxed else "shipped"),
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
    env.filters["css_string"] = css_string
    env.globals["font_stack"] = font_stack
    install_words(env)
    return env


def text_environment(folder: Path, autoescape: bool) -> jinja2.Environment:
    """The Jinja environment of the shipped Markdown (``autoescape=False``) and HTML templates
    in ``folder``, with the annex's filters and words: the Budget Control Committee's report
    is rendered by the same environment as the annex."""
    return _environment(folder, autoescape)


def css_string(value: object) -> markupsafe.Markup:
    """Text for the inside of a CSS string in a <style> element (the HTML annex's running
    reference on each printed page): every character but letters, digits, space, '.', '/' and
    '-' as a CSS escape, so that no text can end the string, the rule or the element. CSS
    reads a space after a six-digit escape as its end: a space that follows one is doubled."""
    text = str(value)
    return markupsafe.Markup(
        "".join(
            c
            if c.isascii() and (c.isalnum() or c in " ./-")
            else f"\\{ord(c):06x}" + (" " if text[i + 1 : i + 2] == " " else "")
            for i, c in enumerate(text)
        )
    )


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
    except (OverflowError, MemoryError) as e:  # range(10**9): the sandbox's own bound
        raise TemplateProblem(f"template {user}: a value too large: {e}") from e
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
    """The Word annex: docxtpl renders the template (DocxTemplate.render, then save), the tables
    of amounts are fitted to the page, the file properties and the zip's dates are fixed."""
    context = _context(estimate, options)
    user = _user_template(options, "docx")
    try:
        content = user.read_bytes() if user else _shipped_word_template()
        return render_word(content, context, _file_date(estimate))
    except Exception as e:  # a user's .docx can fail in docxtpl, jinja2, lxml or zipfile
        if user is None:
            raise
        if isinstance(e, zipfile.BadZipFile) or type(e).__name__ == "PackageNotFoundError":
            raise TemplateProblem(f"template {user}: not a Word (.docx) file") from e
        message = getattr(e, "message", None) or str(e) or type(e).__name__
        raise TemplateProblem(f"template {user}: {message.splitlines()[0]}") from e


@functools.lru_cache(maxsize=1)
def _shipped_word_template() -> bytes:
    """The shipped Word template, read once per process (it is the same for every annex)."""
    return (templates_dir() / "annex.docx").read_bytes()


def _file_date(estimate: Estimate) -> dt.datetime:
    """The date the file's properties carry: the day the proposal was submitted, if it says,
    else the earliest date a zip can hold (the same for every run: same input, same bytes)."""
    submitted = estimate.proposal.info.submitted
    if submitted:
        day = dt.date.fromisoformat(str(submitted))
        return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    return dt.datetime(*stablezip.EPOCH, tzinfo=dt.UTC)


_GENERATOR = "python-docx"


@functools.lru_cache(maxsize=1)
def _template_class() -> type[Any]:
    """docxtpl's DocxTemplate, with the two steps of its render that do not depend on the annex
    done once. ``patch_xml`` (turning Word's runs around ``{{ }}`` into Jinja source: some
    thirty regular expressions over the whole part) depends only on the template's XML, the
    same for every annex: its result is kept per source, in the process and on disk for the next
    one (``jinjacache.kept``, beside the compiled templates). ``resolve_listing`` (turning tabs,
    line feeds, bells and form feeds in the rendered text into Word's) changes nothing in a
    part that has none of them: such a part is returned as it is. Both are DocxTemplate's
    public methods, called with the same arguments and giving the same result."""
    from importlib.metadata import version as installed_version

    from docxtpl import DocxTemplate

    version = installed_version("docxtpl")  # the cache key: a new docxtpl patches again

    class OnceTemplate(DocxTemplate):  # type: ignore[misc]
        patched: ClassVar[dict[str, str]] = {}

        def patch_xml(self, src_xml: str) -> str:
            found = self.patched.get(src_xml)
            if found is None:
                if len(self.patched) >= 64:  # user templates: keep memory bounded
                    self.patched.clear()
                patch = super().patch_xml
                found = self.patched[src_xml] = kept(f"docxtpl-{version}-patch", src_xml, patch)
            return found

        def resolve_listing(self, xml: str) -> str:
            if not any(c in xml for c in _LISTING):
                return xml
            result: str = super().resolve_listing(xml)
            return result

    return OnceTemplate


_LISTING = "\t\a\n\f"
"""What docxtpl's resolve_listing turns into Word's tabs, paragraphs, line and page breaks."""


def render_word(
    content: bytes, context: dict[str, Any], date: dt.datetime, every_table: bool = False
) -> bytes:
    """A Word template (docxtpl tags inside) rendered with ``context``: the tables of amounts
    fitted to the page (``every_table``: each table with amounts, not only those whose last
    column is the total), codes kept whole, the file's dates set to ``date``. The annex and the
    Budget Control Committee's report are written by it."""
    template = _template_class()(io.BytesIO(content))
    template.render(context, jinja_env=_docx_environment(), autoescape=True)
    document = template.docx  # the python-docx Document it rendered
    set_word_script(document, current_language())  # direction and fonts of the language
    _fit_amount_tables(document, every_table)
    _no_break_hyphens(document)
    properties = document.core_properties
    properties.created = properties.modified = date
    for name in ("author", "last_modified_by", "comments"):  # python-docx's own words
        if _GENERATOR in getattr(properties, name):
            setattr(properties, name, "finimpact")
    saved = io.BytesIO()
    template.save(saved)
    return stablezip.restamped(saved.getvalue())


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


_CODE_HYPHEN = re.compile("(?<=[A-Z])-(?=[A-Z0-9])")
"""The hyphen of a code such as ITU-R, PP-26 or P-4: a line never breaks there."""
_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _no_break_hyphens(document: Any) -> None:
    """Word's non-breaking hyphen in codes of the body's text, so that "(ITU-R)" never wraps as
    "(ITU-" / "R)" (the text still reads "ITU-R" to a program that reads the file)."""
    for text in list(document.element.body.iter(_W + "t")):
        pieces = _CODE_HYPHEN.split(text.text or "")
        if len(pieces) == 1:
            continue
        text.text = pieces[0]
        text.set(_SPACE, "preserve")
        after = text
        for piece in pieces[1:]:
            hyphen = text.makeelement(_W + "noBreakHyphen", {})
            rest = text.makeelement(_W + "t", {_SPACE: "preserve"})
            rest.text = piece
            after.addnext(hyphen)
            hyphen.addnext(rest)
            after = rest


def _cell_text(cell: Any) -> str:
    return "".join(t.text or "" for t in cell.iter(_W + "t"))


def _fit_amount_tables(document: Any, every_table: bool = False) -> None:
    """Column widths of the tables of amounts, whose number of years the template cannot know:
    the label column takes a third of the text width, the amounts share the rest (the
    template's tables have a fixed layout: the widths are used as they are).

    Written on the document's XML (python-docx's `document.element`, with lxml): python-docx's
    table objects rebuild their cell grid on every access (5 ms an annex). A user's template
    may have no page size, or a table of one column under "Total" (in the annex's language):
    such tables are left as the template has them."""
    section = document.sections[0] if document.sections else None
    if section is None:
        return
    page, left, right = section.page_width, section.left_margin, section.right_margin
    if page is None or left is None or right is None:
        return
    width = int(page - left - right) // 635  # EMU to twentieths of a point
    for table in document.element.body.iterchildren(_W + "tbl"):
        first_row = table.find(_W + "tr")
        last_cell = first_row.findall(_W + "tc")[-1:] if first_row is not None else []
        if not last_cell:
            continue
        if not every_table and _cell_text(last_cell[0]).strip() != _("Total"):
            continue
        grid = table.find(_W + "tblGrid")
        columns = grid.findall(_W + "gridCol") if grid is not None else []
        n = len(columns)
        if n < (3 if every_table else 2):  # every table: not a two-column list of items
            continue
        label = width // 3
        widths = [str(label)] + [str((width - label) // (n - 1))] * (n - 1)
        for column, w in zip(columns, widths, strict=True):
            column.set(_W + "w", w)
        for row in table.iterchildren(_W + "tr"):
            for j, cell in enumerate(row.iterchildren(_W + "tc")):
                cell_width = cell.find(f"{_W}tcPr/{_W}tcW")
                if cell_width is not None:
                    cell_width.set(_W + "w", widths[min(j, n - 1)])
                    cell_width.set(_W + "type", "dxa")
