"""Diagnostics are values: where a problem is, what it is, and what to do about it.

Every stage returns its diagnostics instead of raising. A diagnostic is located by file and key
path (``activity[2].days``), so that a program (a web form) can place it; where the input was
text, its line and column are resolved when it is shown, so that editors can jump to it. It is
printed as the user wrote it (``activity 'workshops', days``), naming an activity, a rate or a
plan's row by its id, not by its position. The :class:`TomlLocator` maps key paths back to
positions in the TOML text, because ``tomllib`` forgets them; it reads the text only when asked.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

KeyPath = tuple[str | int, ...]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Placer(Protocol):
    """What places a key path in an input's text: its line and column, 1-based."""

    def locate(self, path: Sequence[str | int]) -> tuple[int, int]: ...


@dataclass(frozen=True, slots=True)
class TextPosition:
    """A place found in the text itself (a TOML syntax error, a byte that is not UTF-8): the
    same line and column whatever the key path."""

    line: int
    col: int

    def locate(self, path: Sequence[str | int]) -> tuple[int, int]:
        return self.line, self.col


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in one input.

    Its location is data: ``file`` names the input (a path, or the name given to a proposal
    held in memory) and ``path`` the key, a path into the document: ``("activity", 0,
    "days")`` is the ``days`` of the first ``[[activity]]`` (``key`` shows it as
    ``activity[0].days``, ``where`` as the user wrote it, ``activity 'workshops', days``). A
    face that is not text, such as a web form, shows the message at the field the path names.

    Line and column are resolved only when shown (``line``, ``col``, ``position``,
    ``render()``, ``to_json()``): ``locator`` places the path in the input's text (the
    source's :class:`TomlLocator`, or a :class:`TextPosition` for a problem of the text
    itself), at ``at`` when the problem is written elsewhere than its key (a missing key: at
    the table that lacks it). Without text (a proposal given as data) there is no locator,
    ``line`` and ``col`` are 0, and the line printed is ``name: key: message``.
    """

    file: str
    path: KeyPath
    code: str
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR
    named: str = ""
    """The key as the user wrote it (``activity 'workshops', days``): the activity, rate or
    row named by its id ('' to print the key path)."""
    at: KeyPath | None = None
    """Where the problem is written, when not at its key (a missing key: its table)."""
    locator: Placer | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> str:
        """The key path, for programs: ``activity[0].days``."""
        return format_path(self.path)

    @property
    def where(self) -> str:
        """The key as the user wrote it, for people: ``activity 'workshops', days``."""
        return self.named or self.key

    @property
    def position(self) -> tuple[int, int]:
        """Line and column (1-based) where the problem is written; (0, 0) without text."""
        if self.locator is None:
            return 0, 0
        return self.locator.locate(self.path if self.at is None else self.at)

    @property
    def line(self) -> int:
        return self.position[0]

    @property
    def col(self) -> int:
        return self.position[1]

    @property
    def placed(self) -> bool:
        """Whether line and column are known (the input was text)."""
        return self.line > 0

    def __reduce__(self) -> tuple[Any, ...]:
        # sent to another process (a batch worker's row) with its place resolved, not with
        # the whole text of its input
        locator = TextPosition(*self.position) if self.locator is not None else None
        return (
            Diagnostic,
            (
                self.file,
                self.path,
                self.code,
                self.message,
                self.hint,
                self.severity,
                self.named,
                None,
                locator,
            ),
        )

    def render(self) -> str:
        line, col = self.position
        where = f"{self.file}:{line}:{col}" if line > 0 else self.file
        key = f" {self.where}:" if self.path else ""
        level = "" if self.severity is Severity.ERROR else f" {self.severity}:"
        text = f"{where}:{level}{key} {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return printable(cut_runs(text))

    def to_json(self) -> dict[str, object]:
        line, col = self.position
        return {
            "file": cut_runs(self.file),
            "line": line if line > 0 else None,
            "col": col if line > 0 else None,
            "path": cut_runs(self.key),
            "where": cut_runs(self.where),
            "severity": str(self.severity),
            "code": self.code,
            "message": cut_runs(self.message),
            "hint": cut_runs(self.hint),
        }


SHOWN = 60
"""The most characters of a value from a file that a diagnostic repeats."""
_LONG_RUN = re.compile(rf"[^\s'\"]{{{2 * SHOWN},}}")


def cut(text: str, limit: int = SHOWN) -> str:
    """A value from a file, cut to its first characters when long, saying how long it was: a
    hostile file must not make a diagnostic megabytes long."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text):,} characters)"


def cut_runs(text: str) -> str:
    """Text with every long run of characters without a space or a quote (a key, an id, a
    value from the file) cut as cut() does."""
    return _LONG_RUN.sub(lambda m: cut(m.group(0)), text)


_UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)


def printable(text: str) -> str:
    """Text safe to print on one terminal line: control characters (escape sequences,
    line breaks, bidirectional overrides) from a file are shown as \\xNN or \\uNNNN."""

    def escape(m: re.Match[str]) -> str:
        code = ord(m.group(0))
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _UNPRINTABLE.sub(escape, text)


def format_path(path: Sequence[str | int]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def named_path(data: object, path: Sequence[str | int]) -> str:
    """The key path as the user wrote it: an activity, a rate or a goal named by its id
    (``activity 'workshops', days``), a rate's value by its date, a plan's headroom by its year
    and budget unit; '' when the path names none of these (the key path is then shown).
    Without a usable id the position is counted from 1, as a person counts: ``activity no. 2``."""
    if len(path) < 2 or not isinstance(data, dict):
        return ""
    head, index, rest = path[0], path[1], tuple(path[2:])
    table = data.get(head) if isinstance(head, str) else None
    if head == "headroom" and isinstance(table, dict) and isinstance(index, str):
        units = table.get("units")
        if rest and isinstance(rest[0], int) and isinstance(units, list):
            unit = units[rest[0]] if rest[0] < len(units) else None
            if isinstance(unit, str):
                return _joined(f"headroom.{index}, {cut(unit)}", rest[1:])
        return ""
    if head not in _NAMED or not isinstance(index, int) or not isinstance(table, list):
        return ""
    item = table[index] if 0 <= index < len(table) else None
    item = item if isinstance(item, dict) else {}
    if head == "headroom":
        year, unit = item.get("year"), item.get("unit")
        name = (
            f"headroom of {cut(unit)} in {year}"
            if isinstance(unit, str) and type(year) is int
            else f"headroom no. {index + 1}"
        )
        return _joined(name, rest)
    ident = item.get(_NAMED[head])
    name = (
        f"{head} '{cut(ident)}'"
        if isinstance(ident, str) and ident.strip()
        else f"{head} no. {index + 1}"
    )
    if head == "rate" and len(rest) >= 2 and rest[0] == "value" and isinstance(rest[1], int):
        values = item.get("value")
        value = values[rest[1]] if isinstance(values, list) and rest[1] < len(values) else None
        since = value.get("from") if isinstance(value, dict) else None
        dated = f"value of {since}" if isinstance(since, dt.date) else f"value no. {rest[1] + 1}"
        return _joined(f"{name}, {dated}", rest[2:])
    return _joined(name, rest)


_NAMED = {"activity": "id", "rate": "id", "goal": "code", "headroom": ""}
"""Arrays of tables whose items the user names, and the key that names them."""


def _joined(name: str, rest: Sequence[str | int]) -> str:
    return f"{name}, {format_path(rest)}" if rest else name


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """A hint naming the closest candidate, or listing them when none is close."""
    options = sorted(set(candidates))
    # 'ammount' is close to 'amount' (0.92), 'amount' is not close to 'unit' (0.6); a code of a
    # character or two is close at 0.6 ('1.' to '1')
    cutoff = 0.75 if len(word) > 3 else 0.6
    close = difflib.get_close_matches(word, options, n=1, cutoff=cutoff)
    if close:
        return f"did you mean '{close[0]}'?"
    if len(options) <= 12:
        return "expected one of: " + ", ".join(options)
    return ""


@dataclass
class _Entry:
    line: int
    col: int


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _basic_string(quoted: str) -> str:
    """The value of a double-quoted TOML key, escapes decoded ("a\\u0041" is 'aA')."""
    try:
        value = tomllib.loads(f"k = {quoted}")["k"]
    except (tomllib.TOMLDecodeError, ValueError):
        return quoted[1:-1]
    return value if isinstance(value, str) else quoted[1:-1]


@dataclass
class TomlLocator:
    """Maps key paths to the line and column where they are written.

    It reads the text the way a person does: table headers, array-of-tables headers (counted),
    keys (dotted or quoted) and the elements of arrays. Anything it cannot place is located at the
    nearest enclosing key or table it could place, and failing that at line 1, column 1. Without
    text (a source given as data), nothing is placed: every path is at line 0, column 0.
    """

    text: str | None
    _where: dict[KeyPath, _Entry] = field(default_factory=dict, repr=False)
    _scanned: bool = field(default=False, repr=False)

    def locate(self, path: Sequence[str | int]) -> tuple[int, int]:
        """Line and column (1-based) of the key path, or of its nearest enclosing key placed;
        (0, 0) without text. The text is read on the first call: an input without problems is
        never scanned."""
        if self.text is None:
            return 0, 0
        if not self._scanned:
            self._scanned = True
            # the locator must never turn a diagnostic into a crash
            with contextlib.suppress(Exception):
                self._scan()
        key = tuple(path)
        while key:
            entry = self._where.get(key)
            if entry is not None:
                return entry.line, entry.col
            key = key[:-1]
        return 1, 1

    # -- scanning -----------------------------------------------------------------------------

    def _scan(self) -> None:
        if self.text is None:
            return
        lines = self.text.splitlines()
        counts: dict[KeyPath, int] = {}
        table: KeyPath = ()
        i = 0
        while i < len(lines):
            raw = lines[i]
            stripped = raw.lstrip()
            indent = len(raw) - len(stripped)
            if not stripped or stripped.startswith("#"):
                i += 1
                continue
            if stripped.startswith("[["):
                name = self._keys(stripped[2 : stripped.find("]]")])
                array = (*self._resolve(name[:-1], counts), name[-1])
                index = counts.get(array, 0)
                counts[array] = index + 1
                table = (*array, index)
                self._where.setdefault(array, _Entry(i + 1, indent + 1))
                self._where.setdefault(table, _Entry(i + 1, indent + 1))
                i += 1
                continue
            if stripped.startswith("["):
                name = self._keys(stripped[1 : stripped.find("]")])
                table = self._resolve(name, counts)
                self._where.setdefault(table, _Entry(i + 1, indent + 1))
                i += 1
                continue
            eq = self._find_equals(stripped)
            if eq < 0:
                i += 1
                continue
            key = (*table, *self._keys(stripped[:eq]))
            self._where.setdefault(key, _Entry(i + 1, indent + 1))
            value_col = eq + 1 + (len(stripped[eq + 1 :]) - len(stripped[eq + 1 :].lstrip()))
            i = self._scan_value(lines, i, indent + value_col, key)

    @staticmethod
    def _resolve(name: KeyPath, counts: dict[KeyPath, int]) -> KeyPath:
        """[a.b] under [[a]] means the last a: insert the index of arrays of tables."""
        out: list[str | int] = []
        for part in name:
            out.append(part)
            n = counts.get(tuple(out))
            if n:
                out.append(n - 1)
        return tuple(out)

    @staticmethod
    def _keys(text: str) -> KeyPath:
        parts: list[str | int] = []
        text = text.strip()
        while text:
            if text[0] == "'":
                end = text.find("'", 1)
                parts.append(text[1:end])
                text = text[end + 1 :].strip()
            elif text[0] == '"':
                end = 1
                while end < len(text) and text[end] != '"':
                    end += 2 if text[end] == "\\" else 1
                parts.append(_basic_string(text[: end + 1]))
                text = text[end + 1 :].strip()
            else:
                m = _BARE_KEY.match(text)
                if not m:
                    break
                parts.append(m.group(0))
                text = text[m.end() :].strip()
            text = text[1:].strip() if text.startswith(".") else ""
        return tuple(parts)

    @staticmethod
    def _find_equals(line: str) -> int:
        quote = ""
        for j, ch in enumerate(line):
            if quote:
                if ch == quote:
                    quote = ""
            elif ch in "\"'":
                quote = ch
            elif ch == "=":
                return j
            elif ch == "#":
                return -1
        return -1

    def _scan_value(self, lines: list[str], i: int, col0: int, key: KeyPath) -> int:
        """Record the positions of array elements; return the index of the next line to read."""
        line = lines[i]
        j = col0
        while j < len(line) and line[j] in " \t":
            j += 1
        if line.startswith(('"""', "'''"), j):
            delim = line[j : j + 3]
            if line.count(delim, j + 3) == 0:
                i += 1
                while i < len(lines) and delim not in lines[i]:
                    i += 1
            return i + 1
        if j >= len(line) or line[j] != "[":
            return i + 1
        # walk the array, recording where each top-level element starts
        depth = 0
        index = 0
        expect = False
        quote = ""
        while i < len(lines):
            line = lines[i]
            while j < len(line):
                ch = line[j]
                if quote:
                    if ch == "\\" and quote == '"':
                        j += 2
                        continue
                    if ch == quote:
                        quote = ""
                elif ch == "#":
                    break
                elif ch in "[{":
                    if depth == 1 and expect:
                        self._where.setdefault((*key, index), _Entry(i + 1, j + 1))
                        expect = False
                    depth += 1
                    if depth == 1:
                        expect = True
                elif ch in "]}":
                    depth -= 1
                    if depth == 0:
                        return i + 1
                elif ch == ",":
                    if depth == 1:
                        index += 1
                        expect = True
                elif ch not in " \t":
                    if depth == 1 and expect:
                        self._where.setdefault((*key, index), _Entry(i + 1, j + 1))
                        expect = False
                    if ch in "\"'":
                        quote = ch
                j += 1
            i += 1
            j = 0
        return i
