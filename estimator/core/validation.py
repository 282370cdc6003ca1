"""Turn pydantic's validation errors into located diagnostics a person can act on."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from estimator.core.diagnostics import Diagnostic, KeyPath, cut, did_you_mean
from estimator.core.load import Source
from estimator.core.model import ProposalInfo

M = TypeVar("M", bound=BaseModel)

_TYPE_WORDS = {
    "string_type": "must be text in quotes",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "int_parsing": "must be a whole number",
    "bool_type": "must be true or false",
    "date_type": "must be a date such as 2026-01-01 (no quotes)",
    "date_from_datetime_inexact": "must be a date such as 2026-01-01, without a time",
    "tuple_type": "must be a list in square brackets",
    "list_type": "must be a list in square brackets",
    "model_type": "must be a table",
    "dict_type": "must be a table",
    "model_attributes_type": "must be a table",
}


def _fields(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Names of the keys allowed where loc points (aliases where fields have them)."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return []
        current = _inner_model(field.annotation)
        if current is None:
            return []
    fields = getattr(current, "model_fields", {})
    return [f.alias or name for name, f in fields.items()]


_FORMS = {
    "currency": "a three-letter ISO 4217 code in capitals, such as CHF or USD",
    "submitted": 'a date, such as 2026-05-01 or "2026-05-01"',
    "prepared": 'a date, such as 2026-05-01 or "2026-05-01"',
    "id": "letters, digits, '.', '_' and '-', starting with a letter or digit",
}
"""What a text checked against a pattern must look like, by key."""


def _missing_hint(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    """How to add a missing key: a [table], an [[array of tables]] or a key = value."""
    name = str(loc[-1])
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = getattr(current, "model_fields", {}).get(part)
        current = _inner_model(field.annotation) if field is not None else None
    field = getattr(current, "model_fields", {}).get(name)
    annotation = field.annotation if field is not None else None
    if _inner_model(annotation) is not None and len(loc) == 1:
        many = getattr(annotation, "__origin__", None) in (tuple, list)
        return f"add a [[{name}]] table" if many else f"add a [{name}] table"
    return f"add {name} = ..."


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def misplaced_proposal_key(name: str, path: KeyPath) -> str:
    """A hint for a [proposal] key written after an [[activity]] header, which TOML reads as a
    key of that activity."""
    if path[:1] == ("activity",) and name in ProposalInfo.model_fields:
        return (
            f"{name} belongs in [proposal]: keys written after an [[activity]] header belong to"
            " that activity, so move it above the first [[activity]]"
        )
    return ""


def show_value(value: Any) -> str:
    """A value as the file writes it: 2.5 not Decimal('2.5'), true not True."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, Decimal):
        text = str(value)
    elif isinstance(value, int):
        text = str(value) if value.bit_length() < 200 else "a number of many digits"
    else:
        text = repr(value)
    return cut(text)


def _user_loc(loc: tuple[Any, ...], data: Any) -> tuple[str | int, ...]:
    """The keys and indexes of loc that are in the data; pydantic's own labels
    ('function-after[...]', 'tagged-union[...]') are dropped, a key that merely contains '['
    is kept."""
    out: list[str | int] = []
    current = data
    for part in loc:
        if isinstance(current, dict) and part in current:
            out.append(part)
            current = current[part]
        elif isinstance(current, list | tuple) and isinstance(part, int):
            out.append(part)
            current = current[part] if 0 <= part < len(current) else None
        elif isinstance(part, int) or not (part.startswith("function-") or "[" in part):
            out.append(part)  # a missing key or index
            current = None
    return tuple(out)


def _merge(out: list[Diagnostic]) -> list[Diagnostic]:
    """One diagnostic per problem: drop the echoes pydantic adds to a real error.

    - a list reported 'too short' because one of its items failed;
    - a required key reported missing when an unknown key beside it is that key misspelled;
    - several missing items of one list (period = [2027]) become one.
    """
    misspelled = {
        (d.path[:-1], d.hint.removeprefix("did you mean '").removesuffix("'?"))
        for d in out
        if d.code == "extra_forbidden" and d.hint.startswith("did you mean")
    }
    kept: list[Diagnostic] = []
    short_lists: set[KeyPath] = set()
    for d in out:
        if d.code == "too_short" and any(
            o is not d and o.path[: len(d.path)] == d.path and len(o.path) > len(d.path)
            for o in out
        ):
            continue
        if d.code == "missing" and d.path and (d.path[:-1], d.path[-1]) in misspelled:
            continue
        if d.code == "missing-items":
            if d.path in short_lists:
                continue
            short_lists.add(d.path)
        kept.append(d)
    return kept


_BUREAUS = {
    "BR": "ITU-R",
    "RADIOCOMMUNICATION BUREAU": "ITU-R",
    "TSB": "ITU-T",
    "TELECOMMUNICATION STANDARDIZATION BUREAU": "ITU-T",
    "BDT": "ITU-D",
    "TELECOMMUNICATION DEVELOPMENT BUREAU": "ITU-D",
    "SG": "GS",
    "GENERAL SECRETARIAT": "GS",
}
"""The bureaus' and the General Secretariat's names, and the budget unit each one is (a
delegate may write responsible = "BDT" for ITU-D)."""


def diagnostics_from(
    error: ValidationError,
    model: type[BaseModel],
    doc: Source,
    prefix: KeyPath,
    data: Any = None,
) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for e in error.errors(include_url=False):
        loc = _user_loc(tuple(e["loc"]), data)
        path: KeyPath = (*prefix, *loc)
        kind = e["type"]
        hint = ""
        if kind == "missing" and loc and isinstance(loc[-1], int):
            # a list with too few items: name the list, once
            path = path[:-1]
            message = f"has {loc[-1]} item{'s' if loc[-1] != 1 else ''}: more are needed"
            if path == ("proposal", "period"):
                hint = "write period = [first year, last year]"
            out.append(doc.diag(path, "missing-items", message, hint))
            continue
        if kind == "extra_forbidden":
            name = str(loc[-1]) if loc else "?"
            message = f"unknown key '{name}'"
            hint = misplaced_proposal_key(name, path) or did_you_mean(name, _fields(model, loc))
        elif kind == "missing":
            message = "is required"
            hint = _missing_hint(model, loc) if loc else ""
        elif kind == "literal_error":
            expected = [
                s.strip().strip("'") for s in e["ctx"]["expected"].replace(" or ", ", ").split(",")
            ]
            value = e["input"]
            message = f"{show_value(value)} is not one of: {', '.join(expected)}"
            unit = _BUREAUS.get(value.strip().upper()) if isinstance(value, str) else None
            if unit is not None and unit in expected:
                hint = f"did you mean '{unit}'? {value.strip()} is budgeted as {unit}"
            elif isinstance(value, str):
                hint = did_you_mean(value, expected)
                if hint.startswith("expected"):
                    hint = ""
        elif kind in ("value_error", "assertion_error"):
            message = e["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
        elif kind in _TYPE_WORDS:
            message = f"{_TYPE_WORDS[kind]}, not {show_value(e['input'])}"
        elif kind == "string_pattern_mismatch":
            message = f"{show_value(e['input'])} is not in the expected form"
            if loc and loc[-1] == "id" and prefix[:1] == ("activity",):
                hint = "ids are lower case letters, digits and '-'"
            elif loc and str(loc[-1]) in _FORMS:
                hint = _FORMS[str(loc[-1])]
        elif kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
            words = {
                "greater_than": "more than",
                "greater_than_equal": "at least",
                "less_than": "less than",
                "less_than_equal": "at most",
            }[kind]
            bound = next(iter(e["ctx"].values()))
            if isinstance(bound, str) and bound.startswith("Decimal('"):
                bound = Decimal(bound.removeprefix("Decimal('").removesuffix("')"))
            shown = f"{bound:,}" if isinstance(bound, int | Decimal) else show_value(bound)
            message = f"must be {words} {shown}, not {show_value(e['input'])}"
        elif kind in ("too_short", "string_too_short"):
            message = "must not be empty"
        elif kind == "too_long" and "max_length" in e.get("ctx", {}):
            message = f"has too many items: at most {e['ctx']['max_length']}"
        elif kind in ("too_long", "string_too_long"):
            message = "is too long"
        else:
            message = e["msg"]
        # a missing key is shown at the table that lacks it
        out.append(_at(doc, path[:-1] if kind == "missing" else path, path, kind, message, hint))
    return _merge(out)


def _at(
    doc: Source, where: KeyPath, path: KeyPath, code: str, message: str, hint: str
) -> Diagnostic:
    """A diagnostic about ``path``, placed where ``where`` is written."""
    return doc.diag(path, code, message, hint, at=None if where == path else where)


def validate_model(
    model: type[M], data: Any, doc: Source, prefix: KeyPath
) -> tuple[M | None, list[Diagnostic]]:
    try:
        return model.model_validate(data), []
    except ValidationError as error:
        return None, diagnostics_from(error, model, doc, prefix, data)
