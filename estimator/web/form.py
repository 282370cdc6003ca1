"""The form's posted fields to a proposal's tables, and back.

A field's name is its key path: 'proposal.title', 'proposal.period.0', 'activity.2.days'. A
field left empty is left out of the proposal, so that the default applies (and a required key
is told missing, at its field). What a person types is kept as typed when it is not a number
where one is wanted: the library then says what is wrong, as it does for a file.

An activity of a kind the form does not know (a file written for a newer version, a misspelt
kind) has no fields of its own: each of its keys is kept as written, its value as TOML, in a
field named 'activity.2.raw.days', and read back as TOML; once its kind is one the form knows,
those values fill that kind's fields.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from estimator.core.diagnostics import cut
from estimator.web import tomlwrite
from estimator.web.fields import KIND_FORMS, PROPOSAL_FIELDS, Field

WHOLE = re.compile(r"^[+-]?[0-9]+$")
DECIMAL = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$")
INDEX = re.compile(r"^activity\.([0-9]{1,4})\.kind$")
RAW = re.compile(r"^activity\.([0-9]{1,4})\.raw\.(.+)$", re.S)
"""A key of an activity of a kind the form does not know, kept as written (its value as TOML)."""
MAX_ACTIVITIES = 500
"""As many [[activity]] tables as a proposal file may have."""
MAX_DIGITS = 60
"""Longer than any number a proposal may hold (and than Python turns into an int)."""
DEFAULT = "default"
"""The value of a languages field's 'use the default' box."""


class Posted(Protocol):
    """A posted form: every value of a name (Starlette's FormData has this)."""

    def getlist(self, key: str) -> list[Any]: ...

    def __iter__(self) -> Iterator[str]: ...


def _one(form: Posted, name: str) -> str:
    values = [v for v in form.getlist(name) if isinstance(v, str)]
    return values[0] if values else ""


def number(text: str, whole: bool = False) -> Any:
    """A typed number as the proposal holds it: 3 → 3, 2.5 → Decimal('2.5'); anything else is
    kept as the text typed (the library says why it is not a number)."""
    text = text.strip()
    if len(text) > MAX_DIGITS:  # no quantity is that long: the library says what is wrong
        return text
    if WHOLE.match(text):
        return int(text)
    if DECIMAL.match(text):
        try:
            return Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern is a Decimal's
            return text
    return text


def _value(f: Field, form: Posted, name: str) -> Any:
    """The value of one field, or None to leave the key out."""
    if f.shape == "languages":
        chosen = [v for v in form.getlist(name) if isinstance(v, str) and v]
        if chosen:
            return chosen
        if f.default and _one(form, f"{name}.{DEFAULT}"):
            return None
        return [] if f.default else None
    if f.shape == "period":
        first, last = _one(form, f"{name}.0").strip(), _one(form, f"{name}.1").strip()
        if not first and not last:
            return None
        return [number(first) if first else "", number(last) if last else ""]
    text = _one(form, name)
    if not text.strip():
        return None
    if f.shape in ("int", "number", "year"):
        return number(text)
    if f.shape == "years":
        return [number(t) for t in re.split(r"[\s,;]+", text.strip()) if t]
    if f.shape == "lines":
        return [line.strip() for line in text.splitlines() if line.strip()]
    if f.shape == "flag":
        return {"true": True, "false": False}.get(text, text)
    if f.shape == "long":
        return text.replace("\r\n", "\n")
    return text


def indices(form: Posted) -> list[int]:
    """The activities' indices in the posted form, in order."""
    found = sorted({int(m[1]) for k in form if (m := INDEX.match(k))})
    return found[:MAX_ACTIVITIES]


class Fields:
    """A posted form read once into lists by name (Starlette's getlist scans every field)."""

    def __init__(self, form: Posted) -> None:
        self.by_name: dict[str, list[Any]] = {}
        every = getattr(form, "multi_items", None)
        pairs = every() if callable(every) else [(k, v) for k in form for v in form.getlist(k)]
        for name, value in pairs:
            self.by_name.setdefault(name, []).append(value)

    def getlist(self, key: str) -> list[Any]:
        return self.by_name.get(key, [])

    def __iter__(self) -> Iterator[str]:
        return iter(self.by_name)


def toml_value(text: str) -> Any:
    """A value written as TOML ('3', '"text"', '["en", "fr"]'), as the proposal holds it; text
    that is not one TOML value is kept as the text typed (the library then says what is
    wrong with it, if anything)."""
    if "\n" in text or "\r" in text:
        return text
    try:
        return tomllib.loads(f"v = {text}", parse_float=Decimal)["v"]
    except tomllib.TOMLDecodeError:
        return text


def as_toml(v: Any) -> str:
    """A value kept as written, as its field shows it: TOML ('3', '"text"', '["en", "fr"]');
    what TOML cannot write (a number that is not finite) is shown as text."""
    try:
        return tomlwrite.value(v)
    except (TypeError, ValueError):
        return tomlwrite.string(str(v))


def _raws(form: Fields) -> dict[int, dict[str, Any]]:
    """Each activity's keys kept as written (by its index), in the order of the page."""
    out: dict[int, dict[str, Any]] = {}
    for name in form:
        found = RAW.match(name)
        text = _one(form, name).strip() if found else ""
        if found and text and found[2] != "kind":
            out.setdefault(int(found[1]), {})[found[2]] = toml_value(text)
    return out


def to_data(posted: Posted) -> dict[str, Any]:
    """The proposal's tables from the posted form (activities renumbered from 0, in order)."""
    form = Fields(posted)
    proposal: dict[str, Any] = {}
    for f in PROPOSAL_FIELDS:
        v = _value(f, form, f"proposal.{f.key}")
        if v is not None:
            proposal[f.key] = v
    activities = []
    raws = _raws(form)
    for i in indices(form):
        kind = _one(form, f"activity.{i}.kind").strip()
        spec = KIND_FORMS.get(kind)
        kept = raws.get(i, {})
        activity: dict[str, Any] = {}
        for f in spec.fields if spec else ():
            v = _value(f, form, f"activity.{i}.{f.key}")
            held = kept.pop(f.key, None)  # a kind just made known: what was kept fills it
            if v is None:
                v = held
            if v is not None:
                activity[f.key] = v
        activity.update(kept)  # a kind the form does not know: every key as written
        activity = {"id": activity.pop("id", None), "kind": kind, **activity}
        if activity["id"] is None:
            del activity["id"]
        activities.append(activity)
    data: dict[str, Any] = {"format": 1, "proposal": proposal}
    if activities:
        data["activity"] = activities
    return data


def text_of(f: Field, value: Any) -> str:
    """A value of the proposal as its field shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        joiner = "\n" if f.shape == "lines" else ", "
        return joiner.join(text_of(f, v) for v in value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def checked(value: Any) -> set[str]:
    """The languages a languages field has ticked."""
    if isinstance(value, list | tuple):
        return {v for v in value if isinstance(v, str)}
    return set()


def ordered(choices: tuple[tuple[str, str], ...], value: Any) -> list[tuple[str, str]]:
    """A languages field's boxes: those ticked first, in the proposal's order (the annex lists
    them in that order, and the form posts them in the order of the page), then the others."""
    ticked = [v for v in value if isinstance(v, str)] if isinstance(value, list | tuple) else []
    names = dict(choices)
    first = [(v, names[v]) for v in dict.fromkeys(ticked) if v in names]
    return first + [(v, n) for v, n in choices if v not in ticked]


def blank_activity(kind: str, taken: list[str]) -> dict[str, Any]:
    """A new activity of a kind, with an id no other activity has."""
    base = re.sub(r"[^a-z0-9-]+", "-", kind.split(".")[-1].lower()).strip("-") or "activity"
    n = 1
    while f"{base}-{n}" in taken:
        n += 1
    return {"id": f"{base}-{n}", "kind": kind}


def edited(data: dict[str, Any], action: str) -> dict[str, Any]:
    """The proposal after a button of the form: 'add:KIND', 'remove:N', 'up:N', 'down:N'."""
    activities: list[dict[str, Any]] = list(data.get("activity", []))
    verb, _, arg = action.partition(":")
    if verb == "add" and arg in KIND_FORMS and len(activities) < MAX_ACTIVITIES:
        taken = [str(a.get("id")) for a in activities]
        activities.append(blank_activity(arg, taken))
    elif verb in ("remove", "up", "down") and arg.isdigit() and int(arg) < len(activities):
        i = int(arg)
        if verb == "remove":
            del activities[i]
        elif verb == "up" and i > 0:
            activities[i - 1], activities[i] = activities[i], activities[i - 1]
        elif verb == "down" and i + 1 < len(activities):
            activities[i + 1], activities[i] = activities[i], activities[i + 1]
    out = {k: v for k, v in data.items() if k != "activity"}
    if activities:
        out["activity"] = activities
    return out


def field_name(path: tuple[str | int, ...], data: Mapping[str, Any]) -> str:
    """The form field a diagnostic's key path concerns: 'activity.2.days'; for a key the form
    has no field for, the nearest enclosing one ('activity.2', 'proposal'), '' for none."""
    parts = [str(p) for p in path]
    if parts[:1] == ["proposal"] and len(parts) >= 2:
        if any(f.key == parts[1] for f in PROPOSAL_FIELDS):
            return f"proposal.{parts[1]}"
        return "proposal"
    if parts[:1] == ["activity"] and len(parts) >= 2 and parts[1].isdigit():
        activities = data.get("activity")
        i = int(parts[1])
        if not isinstance(activities, list) or i >= len(activities):
            return ""
        kind = activities[i].get("kind") if isinstance(activities[i], Mapping) else None
        spec = KIND_FORMS.get(kind) if isinstance(kind, str) else None
        if len(parts) >= 3 and spec and any(f.key == parts[2] for f in spec.fields):
            return f"activity.{i}.{parts[2]}"
        if len(parts) >= 3 and parts[2] == "kind":
            return f"activity.{i}.kind"
        own = activities[i] if isinstance(activities[i], Mapping) else {}
        if len(parts) >= 3 and spec is None and parts[2] in own:
            return f"activity.{i}.raw.{parts[2]}"  # a key kept as written
        return f"activity.{i}"
    return ""


def activity_name(i: int, data: Mapping[str, Any]) -> str:
    """An activity as the form names it, as the command line does: by its id ("Activity
    'workshop'"); by its place ('Activity 2') when it has none, or one that another activity
    has too (the id then tells neither apart)."""
    activities = data.get("activity")
    if not isinstance(activities, list) or not 0 <= i < len(activities):
        return f"Activity {i + 1}"
    ids = [a.get("id") if isinstance(a, Mapping) else None for a in activities]
    ident = ids[i]
    if isinstance(ident, str) and ident.strip() and ids.count(ident) == 1:
        return f"Activity '{cut(ident)}'"
    return f"Activity {i + 1}"


def label_of(name: str, data: Mapping[str, Any]) -> str:
    """A field's name as a person reads it: 'Conference', "Activity 'workshop': Days"."""
    parts = name.split(".")
    if parts[0] == "proposal":
        if len(parts) == 1:
            return "The proposal"
        return next((f.label for f in PROPOSAL_FIELDS if f.key == parts[1]), parts[1])
    if parts[0] == "activity" and len(parts) >= 2 and parts[1].isdigit():
        i = int(parts[1])
        head = activity_name(i, data)
        if len(parts) == 2:
            return head
        if parts[2] == "raw" and len(parts) >= 4:
            return f"{head}: {name.split('.', 3)[3]}"  # a key kept as written, as written
        if parts[2] == "kind":
            return f"{head}: Kind"
        activities = data.get("activity")
        kind = activities[i].get("kind") if isinstance(activities, list) else None
        spec = KIND_FORMS.get(kind) if isinstance(kind, str) else None
        words = (
            next((f.label for f in spec.fields if f.key == parts[2]), parts[2])
            if spec
            else parts[2]
        )
        return f"{head}: {words}"
    return name
