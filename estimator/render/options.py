"""The options of the outputs: one frozen object that every face hands to the renderers.

``estimate``, ``batch`` and every later face build one :class:`RenderOptions` and pass it
whole, so that an option cannot be honoured by one command and dropped by another. A value that
cannot be used (a rounding unit other than 1, 100 or 1000, an unknown format, a template whose
format cannot be told from its name) is refused when the object is made, with
:class:`OptionProblem` naming the command-line option.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from estimator.render.rounding import ROUNDING_UNITS

FORMATS = ("json", "xlsx", "docx", "html", "md")
"""Every output format, in the order they are written."""

DEFAULT_ROUND_TO = 100
MAX_PREPARED_BY = 200
"""The most characters --prepared-by takes (a name, an office, a delegation)."""

LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")
"""The languages of the documents: the six official languages of the Union (docs/languages.md)."""


TEMPLATE_FORMATS = {".md": "md", ".html": "html", ".htm": "html", ".docx": "docx"}
"""A user template's format, from its name: annex.md.j2 and annex.md are Markdown, and so on."""


class TemplateProblem(Exception):
    """An output template (``--template``: Markdown, HTML or Word) is missing, of an unknown
    kind, or fails to render. A problem with an activity template's parameters is a
    ``core.templates.ParameterProblem``, reported as a diagnostic."""


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


class OptionProblem(ValueError):
    """An option value that cannot be used; ``option`` names it as the command line does."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(message)
        self.option = option


@dataclass(frozen=True)
class RenderOptions:
    """How the outputs of an estimate are made.

    - ``round_to``: the annex shows its figures rounded to 1, 100 or 1000 (the parts add up to
      the rounded totals); the JSON and the workbook keep every cent.
    - ``template``: the user's own annex template (a ``.md.j2``, ``.html.j2`` or ``.docx``
      file) replacing the shipped one for its format; None for the shipped templates. Its
      format is told from its name when the options are made; a template that is missing or
      does not render raises :class:`TemplateProblem` when it is used.
    - ``formats``: the outputs to write, among :data:`FORMATS`.
    - ``language``: the language of the documents (annex, workbooks, batch report), one of
      the six official languages (``ar``, ``zh``, ``en``, ``fr``, ``ru``, ``es``); None for
      the proposal's ``output_language``, else English. It wins over the proposal's key.
    - ``prepared_by``: who prepared the estimate (a person, an office, a delegation), stated
      by whoever runs the tool: the annex's "Prepared by". It wins over the proposal's
      ``prepared_by``; None for the proposal's, and without either the line is left out (never
      guessed from the machine, the user or the file).
    """

    round_to: int = DEFAULT_ROUND_TO
    template: Path | None = None
    formats: tuple[str, ...] = FORMATS
    language: str | None = None
    prepared_by: str | None = None

    def __post_init__(self) -> None:
        if self.prepared_by is not None:
            name = " ".join(self.prepared_by.split())
            if not name or not name.isprintable() or len(name) > MAX_PREPARED_BY:
                raise OptionProblem(
                    "--prepared-by",
                    f"say who prepared the estimate in 1 to {MAX_PREPARED_BY} printable "
                    "characters (a person, an office or a delegation)",
                )
            object.__setattr__(self, "prepared_by", name)
        if self.round_to not in ROUNDING_UNITS:
            raise OptionProblem(
                "--round-to",
                f"{self.round_to} is not one of {', '.join(map(str, ROUNDING_UNITS))}",
            )
        if self.language is not None and self.language not in LANGUAGES:
            raise OptionProblem("--lang", f"{self.language!r} is not one of {', '.join(LANGUAGES)}")
        unknown = [f for f in self.formats if f not in FORMATS]
        if self.template is not None:
            try:
                template_format(self.template)
            except TemplateProblem as e:
                raise OptionProblem("--template", str(e)) from e
        if unknown or not self.formats:
            named = ", ".join(unknown) or "(none)"
            raise OptionProblem(
                "--format", f"unknown format {named}; choose from {', '.join(FORMATS)}"
            )

    def language_of(self, proposal_language: str | None) -> str:
        """The language of a proposal's documents: this option, else the proposal's
        ``output_language``, else English."""
        return self.language or proposal_language or "en"

    @classmethod
    def parse_formats(cls, text: str) -> tuple[str, ...]:
        """The formats of a comma-separated list, as --format takes them ('json,md')."""
        return tuple(f.strip() for f in text.split(",") if f.strip())


DEFAULT_OPTIONS = RenderOptions()
"""The shipped templates, figures rounded to the hundred, every format."""
