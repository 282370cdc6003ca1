"""Babel's extractor for the Word template (babel.cfg): the messages of templates/annex.docx.

The Word template holds Jinja tags in its XML (``{{ _("2. Summary") }}``), which Babel's own
extractors cannot read inside a zip. This reads each XML part's text, turns docxtpl's
paragraph, row, cell and run tags (``{%p ...%}``) into plain Jinja tags, and hands the text to
Jinja's extractor, so that the Word template's messages join the catalogue with the others
(docs/languages.md). Used by ``pybabel extract`` only, never when the tool runs.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

_TAG = re.compile(r"<[^>]*>")
_DOCXTPL = re.compile(r"\{%(?:p|tr|tc|r)\s")


def extract_docx(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any] | Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str, Any, list[str]]]:
    from jinja2.ext import babel_extract

    with zipfile.ZipFile(fileobj) as package:
        for name in sorted(package.namelist()):
            if not name.endswith(".xml"):
                continue
            xml = package.read(name).decode("utf-8")
            if "{{" not in xml and "{%" not in xml:
                continue
            # a paragraph's end as a new line, so that a message's line says where it is
            text = html.unescape(_TAG.sub("", xml.replace("</w:p>", "</w:p>\n")))
            source = io.BytesIO(_DOCXTPL.sub("{% ", text).encode("utf-8"))
            yield from babel_extract(source, list(keywords), list(comment_tags), dict(options))


def extract_activity_templates(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any] | Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """The words of a conference activity template (cost_models/activities/*.toml) that the
    documents show: each parameter's label and the sentence that says why its default, each
    part's title ('meetings'), and the description of a part held in the first or last year
    only (the reason the documents give for that year)."""
    import tomllib

    data = tomllib.load(fileobj)
    for parameter in data.get("parameter", []):
        for key in ("label", "why"):
            if isinstance(parameter.get(key), str):
                yield 0, None, parameter[key], [f"activity template: parameter {key}"]
    for part in data.get("part", []):
        if isinstance(part.get("title"), str):
            yield 0, None, part["title"], ["activity template: part title"]
        if part.get("when", "every") != "every" and isinstance(part.get("description"), str):
            yield 0, None, part["description"], ["activity template: why that year"]
