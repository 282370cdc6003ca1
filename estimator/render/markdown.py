"""Text from a user, shown as written in Markdown: the one escaper of the annex and the batch
report (and of a user's --template, as the filters md, cell, line, item and quote).

Whatever a proposal, card, plan or file name holds, it renders (CommonMark) as that text and
nothing else: no emphasis, link, image, code span, raw HTML, entity, heading, list, quote,
thematic break, fence or indented code block, and no table cell ends early. Every character
that Markdown can read as markup is backslash-escaped (CommonMark's escapes: any ASCII
punctuation); the leading spaces and tabs of a line, which Markdown does not show but which
would make an indented code block, are dropped; a line break that Markdown would see but
Python's str.splitlines would not (a lone carriage return) is a line break like any other.
tests/test_safe_outputs.py parses every output with a CommonMark parser to prove it.
"""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])|&(?=#?[0-9A-Za-z]+;)")
"""Markup anywhere in a line: emphasis, code spans and fences, links and images, raw HTML and
autolinks, table pipes, a heading's closing #, and an '&' that would start an entity."""
_LINE_START = re.compile(r"^(\d{1,9})([.)])(?=\s|$)|^([>+=-])", re.MULTILINE)
"""What starts a list, a setext heading, a thematic break or a quote at the start of a line:
'1.' or '1)' before a space, and '>', '+', '=', '-' (a date such as 2026-09-20, or 1.5, starts
nothing; '*' and '#' are escaped everywhere)."""
_BREAKS = re.compile(r"\r\n?|[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
"""Line breaks other than \\n: CommonMark reads a lone \\r as one; the others are line breaks
to Python, and are shown as such."""


def _lines(value: object) -> list[str]:
    """The text's lines, without their leading spaces and tabs, with NUL shown as CommonMark
    shows it (U+FFFD)."""
    text = _BREAKS.sub("\n", str(value)).replace("\x00", "\ufffd")
    return [line.lstrip(" \t") for line in text.split("\n")]


def _inline(one: str) -> str:
    return _SPECIAL.sub(lambda m: "\\" + m[0], one)


def _escape(one: str) -> str:
    one = _inline(one)
    return _LINE_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] is not None else f"\\{m[3]}", one)


def text(value: object) -> str:
    """Text as one or more paragraphs (a blank line between two paragraphs is kept)."""
    return "\n".join(_escape(one) for one in _lines(value))


def cell(value: object) -> str:
    """Text for a table cell, or inline in a line, on one line (a new line would end it)."""
    return _inline(" ".join(one for one in _lines(value) if one).strip())


def line(value: object) -> str:
    """Text that starts a line, on one line: a heading, a list item."""
    return _escape(" ".join(one for one in _lines(value) if one).strip())


def item(value: object) -> str:
    """Text as the body of a list item ("- "): later lines indented to stay in the item."""
    first, *rest = [_escape(one) for one in _lines(value)] or [""]
    return "\n".join([first, *(("  " + one) if one.strip() else "" for one in rest)])


def quote(value: object) -> str:
    """Text as a block quote, every line of it."""
    return "\n".join(("> " + one).rstrip() for one in text(value).split("\n"))
