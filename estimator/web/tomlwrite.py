"""A proposal's tables written as TOML text, for the web form's 'proposal as TOML' download: the
file a delegate keeps, edits and gives the command line. Only what a proposal holds is written:
text, whole numbers, Decimal (never float), booleans, dates, lists of these, tables and
arrays of tables. ``tomllib.loads(dumps(data), parse_float=Decimal)`` gives back ``data``
(numbers equal, a whole Decimal may come back as an int)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

BARE = re.compile(r"^[A-Za-z0-9_-]+$")
ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}
CONTROL = re.compile(r'["\\\x00-\x1f\x7f]')


def string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    return '"' + CONTROL.sub(lambda m: ESCAPES.get(m[0], f"\\u{ord(m[0]):04x}"), text) + '"'


def key(name: str) -> str:
    return name if BARE.match(name) else string(name)


def value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, Decimal):
        if not v.is_finite():
            raise ValueError(f"{v} cannot be written in a proposal")
        return str(v)  # '1.50', '1E+3', '-0': each a TOML number read back as this Decimal
    if isinstance(v, str):
        return string(v)
    if isinstance(v, dt.datetime | dt.date):
        return v.isoformat()
    if isinstance(v, list | tuple):
        return "[" + ", ".join(value(x) for x in v) + "]"
    if isinstance(v, Mapping):
        return "{ " + ", ".join(f"{key(k)} = {value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"a {type(v).__name__} cannot be written in a proposal")


def _is_tables(v: Any) -> bool:
    return isinstance(v, list | tuple) and bool(v) and all(isinstance(x, Mapping) for x in v)


def dumps(data: Mapping[str, Any]) -> str:
    """The tables as TOML: plain keys first, then each table, then each array of tables."""
    out = [f"{key(k)} = {value(v)}" for k, v in data.items() if not _table_like(v)]
    for k, v in data.items():
        if isinstance(v, Mapping):
            out += ["", f"[{key(k)}]", *_body(v)]
    for k, v in data.items():
        if _is_tables(v):
            for table in v:
                out += ["", f"[[{key(k)}]]", *_body(table)]
    return "\n".join(out) + "\n"


def _table_like(v: Any) -> bool:
    return isinstance(v, Mapping) or _is_tables(v)


def _body(table: Mapping[str, Any]) -> list[str]:
    return [f"{key(k)} = {value(v)}" for k, v in table.items()]
