"""Load: bytes on disk to a TOML document, or diagnostics saying why not.

Every number that TOML reads as a float is read as a Decimal (``parse_float=Decimal``), so no
figure passes through binary floating point.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import stat
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

from cost_models.parameters import as_toml_number
from estimator.core.diagnostics import (
    Diagnostic,
    KeyPath,
    TextPosition,
    TomlLocator,
    cut,
    named_path,
)

MAX_BYTES = 2 * 1024 * 1024
"""The largest input file read, in bytes: a proposal or a rate card is a few kilobytes."""

MAX_NUMBER = 10**15
"""The largest number (in size) any file may hold: a card's largest rate. Every quantity, rate
and headroom has a tighter bound of its own, checked by its model; this one keeps every figure
within the digits a spreadsheet holds exactly, and out of the reach of decimal overflow."""
MAX_PLACES = 10
"""The most decimal places a number may have (an exchange rate has six): together with
MAX_NUMBER, at most 25 significant digits, so that every sum and product is exact."""
MAX_TEXT = 10_000
"""The longest text (a title, a justification, a source), in characters."""
MAX_ACTIVITIES = 500
"""The most [[activity]] tables a proposal may have."""
MAX_ACTIVITY_YEARS = 2_000
"""The most activity-years a proposal may have: each [[activity]] counts the years it runs (its
years, else every year of the period). A year of an activity gives at most 9 cost lines (a
template's parts), so a proposal gives at most 18,000 cost lines: costed in seconds
(docs/benchmarks.md). The period is at most MAX_PERIOD_YEARS (estimator/core/model.py)."""
FIRST_DATE, LAST_DATE = dt.date(1900, 3, 1), dt.date(2199, 12, 31)
"""The dates a file may hold: a rate escalated from 1900 to 2199 still fits a spreadsheet, and
a spreadsheet's dates are wrong before 1 March 1900 (Excel's 1900 leap-year bug: LibreOffice
reads 1900-01-01 in a workbook as 1899-12-31, and escalated a rate one year more)."""

_AT = re.compile(r"\(at line (\d+), column (\d+)\)")
_LONG_NUMBER = re.compile(r"[0-9_]{1000,}")


def _locate(text: str, pattern: re.Pattern[str]) -> tuple[int, int]:
    """Line and column (1-based) of the first match of pattern in text, else 1:1."""
    m = pattern.search(text)
    if m is None:
        return 1, 1
    line = text.count("\n", 0, m.start()) + 1
    return line, m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1


_SYNTAX_WORDS: tuple[tuple[str, str, str], ...] = (
    (
        r"Illegal character '\\n'",
        "a quoted text is not closed on its line",
        'end it with " (or write a long text between """ and """)',
    ),
    (
        r"Unterminated string|Expected \"'\"|Expected '\"'",
        "a quoted text is not closed",
        "add the closing quote",
    ),
    (r"Unclosed array", "a list in [ ] is not closed", "add the closing ]"),
    (r"Unclosed inline table", "a table in { } is not closed on its line", "add the closing }"),
    (r"Cannot overwrite a value", "a key is given twice", "keep one of them"),
    (
        r"Cannot declare \((.*)\) twice",
        "a table is declared twice: {0}",
        "merge the two tables into one",
    ),
    (r"Invalid value", "the value is not valid", 'text goes in quotes ("..."), numbers do not'),
    (r"Expected '=' after a key", "a key must be followed by '='", "write key = value"),
    (r"Expected '\]' at the end of a table", "a table header is not closed", "write [name]"),
    (
        r"Expected newline or end of document after a statement",
        "unexpected text after a value",
        "one key = value a line; dates are written 2027-01-31, numbers without leading zeros",
    ),
    (r"Invalid statement", "a line is neither key = value nor a [table] header", ""),
    (
        r"Unescaped '\\' in a string",
        "a backslash in quoted text",
        "write \\\\ or use 'single quotes'",
    ),
    (r"Invalid date or datetime", "the date does not exist", "dates are written 2027-01-31"),
)


def _plain_syntax(message: str) -> tuple[str, str]:
    """tomllib's message in the words of the person who wrote the file, and a hint."""
    for pattern, plain, hint in _SYNTAX_WORDS:
        m = re.search(pattern, message)
        if m:
            if m.groups():  # the table's key, as tomllib shows it: ('activity', 'x')
                name = ".".join(re.findall(r"'([^']*)'", m.group(1))) or m.group(1)
                plain = plain.replace("{0}", f"[{name}]")
            return plain, hint or "see https://toml.io"
    return message, "see https://toml.io"


_WRITTEN_NUMBER = re.compile(r"[-+]?\d[\d.,]*\d")


def _thousands(text: str, line: int, col: int) -> tuple[str, str] | None:
    """When the text TOML stopped at is a comma inside a number (amount = 50,000, or a decimal
    comma: amount = 12,5), the message and hint for it; None otherwise."""
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return None
    row = lines[line - 1]
    if row[col - 1 : col] != ",":
        return None
    for m in _WRITTEN_NUMBER.finditer(row):
        if m.start() < col - 1 < m.end():
            written = m.group()
            plain = as_toml_number(written)
            if plain is None:
                return None
            if written.rfind(",") > written.rfind(".") and "." in plain:
                return (
                    f"{written} looks like a number with a decimal comma",
                    f"write {plain}: TOML numbers take a full stop for decimals",
                )
            return (
                f"{written} looks like a number with a thousands separator (',')",
                f"write {plain} or {written.replace(',', '_')}: TOML numbers take no commas",
            )
    return None


def _end(text: str) -> tuple[int, int]:
    """Line and column just after the last character of the text."""
    lines = text.splitlines() or [""]
    return len(lines), len(lines[-1]) + 1


def _deepest(text: str) -> tuple[int, int]:
    """Where the deepest nest of brackets and braces opens (a rough count ignoring quotes)."""
    depth = best = 0
    line = col = start_line = start_col = best_line = best_col = 1
    for ch in text:
        if ch in "[{":
            if depth == 0:
                start_line, start_col = line, col
            depth += 1
            if depth > best:
                best, best_line, best_col = depth, start_line, start_col
        elif ch in "]}":
            depth -= 1
        if ch == "\n":
            line, col = line + 1, 1
        else:
            col += 1
    return best_line, best_col


@dataclass(frozen=True)
class _Unreadable:
    """A number TOML accepts but no decimal can hold (1e9999999999999999999): kept as written,
    to be reported where it is."""

    text: str


def _parse_float(text: str) -> Decimal | _Unreadable:
    try:
        return Decimal(text)
    except InvalidOperation:
        return _Unreadable(text)


def _scalars(node: Any, path: KeyPath = ()) -> Iterator[tuple[KeyPath, Any]]:
    """Every number, date and text of a document, and every key, with its key path."""
    if isinstance(node, dict):
        for key, value in node.items():
            if len(key) > MAX_TEXT:
                yield (*path, key), _Key(key)
            yield from _scalars(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _scalars(value, (*path, index))
    elif not isinstance(node, bool):
        yield path, node


@dataclass(frozen=True)
class _Key:
    """A key, checked for its length like a text."""

    text: str


def _places(value: Decimal) -> int:
    """Decimal places of a finite decimal, trailing zeros not counted (1.50 has one)."""
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -(exponent + zeros)) if any(digits) else 0


def _number_problem(value: Any) -> tuple[str, str] | None:
    """Why a number, a date or a text is beyond what a proposal, card or plan can mean, and a
    hint; None for every other value."""
    limit = f"{MAX_NUMBER:,}"
    if isinstance(value, str | _Key):
        text = value if isinstance(value, str) else value.text
        if len(text) <= MAX_TEXT:
            return None
        what = "text" if isinstance(value, str) else "key"
        return (
            f"the {what} is too long: {len(text):,} characters, at most {MAX_TEXT:,}",
            "shorten it" if what == "text" else "check the key",
        )
    if not isinstance(value, int | Decimal | _Unreadable | dt.date):
        return None
    if isinstance(value, _Unreadable):
        return (
            f"{cut(value.text)} is out of range: its exponent is beyond any figure",
            f"numbers are at most {limit}, with at most {MAX_PLACES} decimal places",
        )
    if isinstance(value, dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        if FIRST_DATE <= day <= LAST_DATE:
            return None
        return (
            f"{value.isoformat()} is out of range: dates run from {FIRST_DATE.isoformat()}"
            f" to {LAST_DATE.isoformat()}",
            "check the year",
        )
    if isinstance(value, Decimal) and not value.is_finite():
        return None  # the models say 'must be a finite number', where a number is expected
    if value > MAX_NUMBER or value < -MAX_NUMBER:
        shown = cut(str(value) if isinstance(value, Decimal) else f"{value}")
        return f"{shown} is out of range: numbers are at most {limit}", "check the figure"
    if isinstance(value, Decimal) and (places := _places(value)) > MAX_PLACES:
        shown = cut(str(value))
        return (
            f"{shown} has {places:,} decimal places: at most {MAX_PLACES}",
            "round the figure",
        )
    return None


def number_diagnostics(doc: Source) -> list[Diagnostic]:
    """Every number out of range or too precise, every date out of range and every text too
    long, located: checked before any model reads the document, so that no figure overflows
    the arithmetic or a spreadsheet."""
    out = []
    for path, value in _scalars(doc.data):
        problem = _number_problem(value)
        if problem is not None:
            out.append(doc.diag(path, "number-range", *problem))
    return out


@dataclass(frozen=True)
class Source:
    """One input as the stages see it: its name, its tables, the SHA-256 that the annex stamps
    and, when it was read from text, the text's locator.

    A diagnostic is located by data: the source's name and the key path
    (``activity[0].days``). When the source has text (a file, a TOML string) the key path is
    also placed at its line and column; a proposal given as data (a web form, a register, a
    scenario) has no text, and its diagnostics have line and column 0.
    """

    file: str
    data: dict[str, Any]
    sha256: str
    text: str | None = None
    locator: TomlLocator = field(default_factory=lambda: TomlLocator(None))

    def diag(
        self, path: tuple[str | int, ...], code: str, message: str, hint: str = "", **kw: Any
    ) -> Diagnostic:
        named = named_path(self.data, path)
        return Diagnostic(
            self.file, path, code, message, hint, named=named, locator=self.locator, **kw
        )

    @classmethod
    def of_data(
        cls, data: Mapping[str, Any], name: str, sha256: str | None = None
    ) -> tuple[Source | None, list[Diagnostic]]:
        """A source from tables already in memory (what ``tomllib.load`` gives, with
        ``parse_float=Decimal``). ``sha256`` identifies the input in the annex's stamp; without
        it, the SHA-256 of the data as canonical JSON (keys sorted) is used.

        The data must have the shape TOML gives: tables as dicts with text keys, arrays as
        lists, and str, int, bool, Decimal, date, time or datetime values. Anything else is
        refused where it is, a float first (money never passes through binary floating point);
        so is a number, a date or a text out of range, as in a file."""
        wrong = [
            Diagnostic(name, path, code, message, hint, named=named_path(data, path))
            for path, code, message, hint in _not_toml(dict(data), ())
        ]
        if wrong:
            return None, wrong
        if sha256 is None:
            canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
            sha256 = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
        source = cls(name, dict(data), sha256)
        numbers = number_diagnostics(source)
        return (None, numbers) if numbers else (source, [])


_TOML_VALUES = (str, int, Decimal, dt.date, dt.time)
"""What a TOML value is in Python besides tables and arrays (bool is an int; datetime a date)."""


def _not_toml(value: Any, path: KeyPath) -> Iterator[tuple[KeyPath, str, str, str]]:
    """Where data given in memory is not what TOML gives: (key path, code, message, hint)."""
    if isinstance(value, float):
        yield (
            path,
            "float",
            "is a binary floating-point number",
            "give numbers as int or decimal.Decimal (tomllib.loads(text, parse_float=Decimal))",
        )
    elif isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                yield path, "not-toml", f"has a key that is not text: {k!r}", "keys are str"
            else:
                yield from _not_toml(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _not_toml(v, (*path, i))
    elif not isinstance(value, _TOML_VALUES):
        yield (
            path,
            "not-toml",
            f"is a {type(value).__name__}, which TOML has no value for",
            "tables are dict, arrays list; values str, int, bool, Decimal or a date",
        )


FileKind = Literal["proposal", "rate card", "financial plan", "strategic plan"]


def kind_of(data: Mapping[str, Any]) -> FileKind:
    """What a file is, from its top-level tables: the one rule every command follows.

    A file with a ``[proposal]`` table is a proposal; else one with ``[card]`` or ``[[rate]]``
    is a rate card; else one with ``[headroom]`` is a financial plan, and one with
    ``[[goal]]`` a strategic plan; anything else is taken as a proposal (whose missing
    ``[proposal]`` table is then reported).
    """
    if "proposal" in data:
        return "proposal"
    if "card" in data or "rate" in data:
        return "rate card"
    if "goal" in data and "headroom" not in data:
        return "strategic plan"
    if "plan" in data or "headroom" in data:
        return "financial plan"
    return "proposal"


def not_a_proposal(source: Source) -> Diagnostic | None:
    """A located, plain message when a file given to be priced as a proposal is something
    else (by the rule of ``kind_of``); None for a proposal."""
    kind = kind_of(source.data)
    if kind == "proposal":
        return None
    table = {"rate card": ("card", "rate"), "financial plan": ("plan", "headroom")}.get(
        kind, ("plan", "goal")
    )
    at = next((t for t in table if t in source.data), table[0])
    return source.diag(
        (at,),
        "not-a-proposal",
        f"this file is a {kind}, not a proposal (a proposal has a [proposal] table)",
        f"check the {kind} with: finimpact validate {source.file}",
    )


def read_toml(path: Path, display: str | None = None) -> tuple[Source | None, list[Diagnostic]]:
    name = display or str(path)

    def fail(
        code: str, message: str, hint: str = "", line: int = 1, col: int = 1
    ) -> tuple[None, list[Diagnostic]]:
        at = TextPosition(line, col) if line > 0 else None
        return None, [Diagnostic(name, (), code, message, hint, locator=at)]

    raw = read_bytes(path)
    if isinstance(raw, tuple):
        return fail(*raw, line=0, col=0)  # no text was read: no line to point at
    return parse_toml(raw, name)


def read_bytes(path: Path, limit: int = MAX_BYTES) -> bytes | tuple[str, str, str]:
    """The bytes of a regular file, read once (at most limit + 1 of them), or (code, message,
    hint) saying why not. A named pipe, a device or a socket is refused without waiting on it:
    opening is non-blocking, and the file is checked before anything is read."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return "no-file", "no such file", "check the path"
    except IsADirectoryError:
        return "not-a-file", "is a folder, not a TOML file", "name a .toml file"
    except OSError as e:
        return "unreadable", f"cannot be read: {e.strerror or e}", ""
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            return "not-a-file", "is a folder, not a TOML file", "name a .toml file"
        if not stat.S_ISREG(mode):
            what = "a pipe" if stat.S_ISFIFO(mode) else "a device or a socket"
            return (
                "not-a-file",
                f"is {what}, not a regular file",
                "save the content to a file and name that file",
            )
        os.set_blocking(fd, True)
        chunks: list[bytes] = []
        size = 0
        while size <= limit and (chunk := os.read(fd, limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    except OSError as e:
        return "unreadable", f"cannot be read: {e.strerror or e}", ""
    finally:
        os.close(fd)


def parse_toml(raw: bytes, name: str) -> tuple[Source | None, list[Diagnostic]]:
    def fail(
        code: str, message: str, hint: str = "", line: int = 1, col: int = 1
    ) -> tuple[None, list[Diagnostic]]:
        at = TextPosition(line, col) if line > 0 else None
        return None, [Diagnostic(name, (), code, message, hint, locator=at)]

    if len(raw) > MAX_BYTES:
        return fail(
            "too-large",
            f"file is larger than the limit of {MAX_BYTES // (1024 * 1024)} MiB",
            "a proposal or rate card is a few kilobytes: is this the right file?",
        )
    if not raw.strip():
        return fail("empty", "file is empty", "run 'finimpact init' for a starter proposal")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return fail("encoding", "file is UTF-16 text, not UTF-8", "save the file as UTF-8")
    if b"\x00" in raw:
        return fail("binary", "file is binary, not TOML text", "save the file as UTF-8 text")
    sha = hashlib.sha256(raw).hexdigest()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        return fail("encoding", "file is not UTF-8 text", "save the file as UTF-8", line, col)
    try:
        data = tomllib.loads(text, parse_float=_parse_float)
    except tomllib.TOMLDecodeError as e:
        message = str(e)
        m = _AT.search(message)
        line, col = (int(m.group(1)), int(m.group(2))) if m else (1, 1)
        if m is None and "at end of document" in message:
            line, col = _end(text)
        message = re.sub(r"\s*\((at line \d+, column \d+|at end of document)\)", "", message)
        plain, hint = _plain_syntax(message.strip().rstrip("."))
        grouped = _thousands(text, line, col)
        if grouped is not None:
            plain, hint = grouped
        return fail("toml-syntax", f"TOML syntax error: {plain}", hint, line, col)
    except RecursionError:
        line, col = _deepest(text)
        return fail(
            "too-deep",
            "arrays or tables are nested too deeply to read",
            "a proposal nests two or three levels: flatten them",
            line,
            col,
        )
    except ValueError:
        # Python refuses to read an integer of thousands of digits (int_max_str_digits)
        line, col = _locate(text, _LONG_NUMBER)
        return fail(
            "number-too-long",
            "a number has too many digits to be a quantity or an amount",
            "check the figure",
            line,
            col,
        )
    doc = Source(name, data, sha, text, TomlLocator(text))
    numbers = number_diagnostics(doc)
    return (None, numbers) if numbers else (doc, [])
