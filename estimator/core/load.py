"""Load: bytes on disk to a TOML document, or diagnostics saying why not.

Every number that TOML reads as a float is read as a Decimal (``parse_float=Decimal``), so no
figure passes through binary floating point.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from estimator.core.diagnostics import Diagnostic, TomlLocator

MAX_BYTES = 2 * 1024 * 1024
"""The largest input file read, in bytes: a proposal or a rate card is a few kilobytes."""

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
class TomlDocument:
    file: str
    text: str
    data: dict[str, Any]
    sha256: str
    locator: TomlLocator

    def diag(
        self, path: tuple[str | int, ...], code: str, message: str, hint: str = "", **kw: Any
    ) -> Diagnostic:
        line, col = self.locator.locate(path)
        return Diagnostic(self.file, line, col, path, code, message, hint, **kw)


def read_toml(
    path: Path, display: str | None = None
) -> tuple[TomlDocument | None, list[Diagnostic]]:
    name = display or str(path)

    def fail(
        code: str, message: str, hint: str = "", line: int = 1, col: int = 1
    ) -> tuple[None, list[Diagnostic]]:
        return None, [Diagnostic(name, line, col, (), code, message, hint)]

    try:
        if path.is_dir():
            return fail("not-a-file", "is a folder, not a TOML file", "name a .toml file")
        with path.open("rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except FileNotFoundError:
        return fail("no-file", "no such file", "check the path")
    except OSError as e:
        return fail("unreadable", f"cannot be read: {e.strerror or e}")
    return parse_toml(raw, name)


def parse_toml(raw: bytes, name: str) -> tuple[TomlDocument | None, list[Diagnostic]]:
    def fail(
        code: str, message: str, hint: str = "", line: int = 1, col: int = 1
    ) -> tuple[None, list[Diagnostic]]:
        return None, [Diagnostic(name, line, col, (), code, message, hint)]

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
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as e:
        message = str(e)
        m = _AT.search(message)
        line, col = (int(m.group(1)), int(m.group(2))) if m else (1, 1)
        if m is None and "at end of document" in message:
            line, col = _end(text)
        message = re.sub(r"\s*\((at line \d+, column \d+|at end of document)\)", "", message)
        plain, hint = _plain_syntax(message.strip().rstrip("."))
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
    return TomlDocument(name, text, data, sha, TomlLocator(text)), []
