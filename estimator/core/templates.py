"""Conference activity templates: typical things proposals ask for, as elemental activities.

A template (``kind = "wtsa.focus-group"``) expands into elemental activities (meeting,
documentation, staff, consultant, travel, services) with stated, justified defaults that the
proposal file may override. Templates hold quantities, never money: an amount a template
needs (hosting, say) is a parameter the proposal must give.

The catalogue is read from the TOML files in ``cost_models/activities/``, one file per
template; ``docs/activity-templates.md`` explains how to write one.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, Literal, Protocol

from pydantic import Field, StrictStr, ValidationError, field_validator, model_validator

import cost_models
from cost_models.kinds import KINDS
from cost_models.money import plain, product
from cost_models.parameters import (
    GRADES,
    LANGUAGES,
    ActivityBase,
    BudgetUnit,
    Strict,
    Text,
)
from estimator.core.diagnostics import did_you_mean
from estimator.core.model import TemplateDefault
from estimator.core.validation import misplaced_proposal_key

ACTIVITIES = cost_models.HERE / "activities"
COMMON_KEYS = tuple(ActivityBase.model_fields)
"""Keys every activity table may have (id, kind, title, unit, years, funding, goal, note)."""
MAX_ID = 64


@dataclass(frozen=True)
class Expansion:
    """One elemental activity a template produced, as if written in the file."""

    raw: dict[str, Any]
    defaults: tuple[TemplateDefault, ...]
    """The template defaults it uses: values the proposal did not override."""
    origin: Mapping[str, str]
    """Elemental key → the key of the proposal's activity table it came from, so that a
    problem with the expanded value is reported where the user can change it."""
    part: str | None = None
    """The title of the template's part it is ('meetings'), appended to the activity's title:
    the documents show it in their language."""


@dataclass(frozen=True)
class ParameterProblem:
    """A problem with the parameters an activity gives its activity template (an unknown key, a
    value out of range), found when the template expands it. Not to be confused with
    ``render.options.TemplateProblem``: an output template (``--template``) that cannot be used."""

    key: str
    """The key of the activity table it concerns ('' for the table itself)."""
    message: str
    hint: str = ""


class Template(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def title(self) -> str: ...

    def expand(
        self, entry: Mapping[str, Any], years: tuple[int, ...] | None = None
    ) -> tuple[list[Expansion], list[ParameterProblem]]: ...


# -- the template file ------------------------------------------------------------------------

ParamType = Literal["count", "number", "amount", "languages", "choice", "grade", "flag", "text"]
_TYPE_WORDS: dict[str, str] = {
    "count": "a whole number",
    "number": "a number",
    "amount": "an amount in the rate card's currency",
    "languages": "a list of language codes",
    "choice": "one of the choices",
    "grade": "a grade (P1-P5, D1, D2, G1-G7)",
    "flag": "true or false",
    "text": "text",
}
Key = Annotated[StrictStr, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]


class Parameter(Strict):
    """A quantity the template needs, with its default and why."""

    key: Key
    type: ParamType
    label: Text
    """What it counts, in a few words: 'meetings a year'."""
    default: Any = None
    """The default value; leave it out to make the parameter required."""
    why: Text
    """One sentence: why this default (or, for a required parameter, why there is none)."""
    minimum: Annotated[Decimal, Field(ge=0)] | None = None
    maximum: Annotated[Decimal, Field(gt=0)] | None = None
    choices: tuple[StrictStr, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Parameter:
        if self.key in COMMON_KEYS:
            raise ValueError(f"parameter '{self.key}' clashes with a common activity key")
        if self.type == "choice" and not self.choices:
            raise ValueError(f"parameter '{self.key}' is a choice: list its choices")
        if self.default is not None:
            problem = _convert(self, self.default)[1]
            if problem:
                raise ValueError(f"default of '{self.key}' {problem}")
        return self

    @property
    def required(self) -> bool:
        return self.default is None

    @property
    def default_value(self) -> Any:
        """The default as the elemental models want it (None when required)."""
        return None if self.default is None else _convert(self, self.default)[0]


class Part(Strict):
    """One elemental activity the template expands into."""

    id: Annotated[StrictStr, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=20)]
    kind: StrictStr
    """One of the activity kinds (cost_models/kinds/)."""
    title: Text
    """Appended to the activity's title: '<title>: <part title>'."""
    description: Text
    """What the part is, and when it is not every year, why."""
    when: Literal["every", "first", "last"] = "every"
    """In which of the activity's years the part takes place."""
    unless_zero: Key | None = None
    """A parameter that, set to 0, drops the part."""
    keys: dict[str, Key | tuple[Key, ...]]
    """Elemental key → parameter (or parameters, multiplied together)."""

    @field_validator("kind")
    @classmethod
    def _kind(cls, kind: str) -> str:
        if kind not in KINDS:
            raise ValueError(f"'{kind}' is not an activity kind ({', '.join(KINDS.names)})")
        return kind

    def params(self) -> tuple[str, ...]:
        out: list[str] = []
        for source in self.keys.values():
            out += [source] if isinstance(source, str) else list(source)
        if self.unless_zero and self.unless_zero not in out:
            out.append(self.unless_zero)
        return tuple(dict.fromkeys(out))


class TemplateFile(Strict):
    format: Literal[1] = 1
    template: TemplateInfo
    parameter: tuple[Parameter, ...]
    part: Annotated[tuple[Part, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _wired(self) -> TemplateFile:
        names = [p.key for p in self.parameter]
        if len(set(names)) != len(names):
            raise ValueError("a parameter key is defined twice")
        parts = [p.id for p in self.part]
        if len(set(parts)) != len(parts):
            raise ValueError("a part id is used twice")
        used: set[str] = set()
        for part in self.part:
            allowed = set(KINDS[part.kind].parameters.model_fields) - set(COMMON_KEYS)
            for key in part.keys:
                if key not in allowed:
                    raise ValueError(f"part '{part.id}': a {part.kind} has no key '{key}'")
            for name in part.params():
                if name not in names:
                    raise ValueError(f"part '{part.id}' uses an undefined parameter '{name}'")
            used.update(part.params())
        unused = [n for n in names if n not in used]
        if unused:
            raise ValueError(f"parameters no part uses: {', '.join(unused)}")
        return self


class TemplateInfo(Strict):
    name: Annotated[StrictStr, Field(pattern=r"^[a-z]+\.[a-z0-9-]+$")]
    title: Text
    conferences: Annotated[tuple[Text, ...], Field(min_length=1)]
    """Where proposals asking for it come from: PP, Council, WRC, RA, WTSA, WTDC."""
    description: Text
    sector: BudgetUnit | None = None
    """The budget unit whose work the template describes ('ITU-D' for a WTDC regional
    initiative); None when any unit may do it (a workshop, a publication)."""
    sector_source: Text | None = None
    """The provision that gives that unit this work: required with ``sector``."""

    @model_validator(mode="after")
    def _cited(self) -> TemplateInfo:
        if self.sector is not None and self.sector_source is None:
            raise ValueError("a template's sector needs its sector_source")
        return self


TemplateFile.model_rebuild()


# -- values -----------------------------------------------------------------------------------


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


UNQUOTED = " (write numbers without quotes)"
"""A file's advice after a template's number written as text (the web form leaves it out)."""


def _convert(param: Parameter, value: Any) -> tuple[Any, str]:
    """The value as the elemental models want it, or the problem with it ('' when none)."""
    kind = param.type
    wrong = f"must be {_TYPE_WORDS[kind]}, not {_show(value)}"
    if kind in ("count", "number", "amount"):
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            return None, wrong + UNQUOTED
        if kind == "count" and not (isinstance(value, int) or value == value.to_integral_value()):
            return None, wrong
        number = Decimal(value)
        if not number.is_finite():
            return None, f"must be a finite number, not {show_value(number)}"
        if param.minimum is not None and number < param.minimum:
            return None, f"must be at least {plain(param.minimum)}, not {show_value(number)}"
        if param.maximum is not None and number > param.maximum:
            return None, f"must be at most {plain(param.maximum)}, not {show_value(number)}"
        return (int(number) if kind == "count" else number), ""
    if kind == "languages":
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            return None, wrong + ' such as ["en", "fr"]'
        bad = [v for v in value if v not in LANGUAGES]
        if bad:
            return None, f"has {_show(bad[0])}, not one of: {', '.join(LANGUAGES)}"
        if len(set(value)) != len(value):
            return None, "lists a language twice"
        return tuple(value), ""
    if kind in ("choice", "grade"):
        choices = GRADES if kind == "grade" else param.choices
        if not isinstance(value, str) or value not in choices:
            return None, f"{_show(value)} is not one of: {', '.join(choices)}"
        return value, ""
    if kind == "flag":
        return (value, "") if isinstance(value, bool) else (None, wrong)
    if not isinstance(value, str) or not value.strip():
        return None, wrong
    return value, ""


def _closest(word: str, candidates: list[str]) -> str:
    hint = did_you_mean(word, candidates)
    return hint if hint.startswith("did you mean") else ""


def _elsewhere(key: str, params: Mapping[str, Parameter]) -> str:
    """The template's parameters, and which other kinds take the key, if any do."""
    own = f"its parameters are {', '.join(params)}"
    kinds = [k.name for k in KINDS if key in k.parameters.model_fields]
    kinds += [name for name, t in catalogue().items() if key in t.parameters]
    if not kinds:
        return own
    shown = ", ".join(kinds[:4]) + (f" and {len(kinds) - 4} more" if len(kinds) > 4 else "")
    return f"{own}; '{key}' is a key of {shown}"


def _json(value: Any) -> Any:
    """A parameter value for JSON: numbers as decimal strings, lists as lists."""
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, tuple | list):
        return [_json(v) for v in value]
    return value


def show_value(value: Any) -> str:
    """A parameter value as a person writes it in TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return plain(value) if abs(value.adjusted()) < 20 else str(value)
    if isinstance(value, tuple | list):
        return "[" + ", ".join(f'"{v}"' for v in value) + "]"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


# -- the template -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityTemplate:
    """A conference activity template read from a file in ``cost_models/activities/``."""

    spec: TemplateFile
    file: str

    @property
    def name(self) -> str:
        return self.spec.template.name

    @property
    def title(self) -> str:
        return self.spec.template.title

    @property
    def parameters(self) -> dict[str, Parameter]:
        return {p.key: p for p in self.spec.parameter}

    def expand(
        self, entry: Mapping[str, Any], years: tuple[int, ...] | None = None
    ) -> tuple[list[Expansion], list[ParameterProblem]]:
        """The elemental activities, as raw tables, and any problem with the entry.

        ``years`` are the proposal's years, used when a part takes place in the first or last
        year only and the entry names no years.
        """
        params = self.parameters
        problems: list[ParameterProblem] = []
        values: dict[str, Any] = {}
        for key, value in entry.items():
            if key in COMMON_KEYS:
                continue
            param = params.get(key)
            if param is None:
                problems.append(
                    ParameterProblem(
                        key,
                        f"unknown key '{key}': {self.name} has no such parameter",
                        misplaced_proposal_key(key, ("activity",))
                        or _closest(key, [*params, *COMMON_KEYS])
                        or _elsewhere(key, params),
                    )
                )
                continue
            converted, problem = _convert(param, value)
            if problem:
                problems.append(ParameterProblem(key, problem, param.label))
            else:
                values[key] = converted
        for param in params.values():
            if param.required and param.key not in entry:
                problems.append(
                    ParameterProblem(
                        "",
                        f"{self.name} needs {param.key} ({param.label})",
                        f"add {param.key} = ...: {param.why}",
                    )
                )
        ident = entry.get("id")
        if isinstance(ident, str):
            longest = max(len(p.id) for p in self.spec.part)
            if len(ident) + 1 + longest > MAX_ID:
                problems.append(
                    ParameterProblem(
                        "id",
                        f"id is too long for a template: '{ident}-<part>' must stay within"
                        f" {MAX_ID} characters",
                        f"use at most {MAX_ID - 1 - longest} characters",
                    )
                )
        if problems:
            return [], problems
        return [self._part(part, entry, values, years) for part in self._parts(values)], []

    def _parts(self, values: Mapping[str, Any]) -> list[Part]:
        params = self.parameters
        out = []
        for part in self.spec.part:
            if part.unless_zero:
                value = values.get(part.unless_zero, params[part.unless_zero].default_value)
                if value == 0:
                    continue
            out.append(part)
        return out

    def _part(
        self,
        part: Part,
        entry: Mapping[str, Any],
        values: Mapping[str, Any],
        years: tuple[int, ...] | None,
    ) -> Expansion:
        params = self.parameters
        raw: dict[str, Any] = {k: entry[k] for k in COMMON_KEYS if k in entry}
        raw["kind"] = part.kind
        raw["id"] = f"{entry.get('id')}-{part.id}"
        raw["title"] = f"{entry.get('title')}: {part.title}"
        origin: dict[str, str] = {"id": "id", "title": "title", "kind": "kind"}
        defaults: list[TemplateDefault] = []
        for key, source in part.keys.items():
            names = (source,) if isinstance(source, str) else source
            got = [values[n] if n in values else params[n].default_value for n in names]
            if len(got) == 1:
                raw[key] = got[0]
            elif all(isinstance(g, int) for g in got):
                raw[key] = int(product(*(Decimal(g) for g in got)))
            else:
                raw[key] = product(*(Decimal(g) for g in got))
            origin[key] = names[0]
        for name in part.params():
            if name not in values:
                defaults.append(TemplateDefault(name, params[name].default_value, params[name].why))
        if part.when != "every":
            chosen = entry.get("years")
            span = chosen if isinstance(chosen, list) and chosen else years
            if span and all(isinstance(y, int) for y in span):
                pick = min(span) if part.when == "first" else max(span)
                raw["years"] = [pick]
                if not isinstance(chosen, list):
                    defaults.append(TemplateDefault("years", (pick,), part.description))
        elif "per" in KINDS[part.kind].parameters.model_fields:
            raw["per"] = "year"  # a template's amounts are a year's: its parameters say so
        return Expansion(raw, tuple(defaults), MappingProxyType(origin), part.title)

    # -- explanations -----------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        info = self.spec.template
        return {
            "name": info.name,
            "title": info.title,
            "conferences": list(info.conferences),
            "description": info.description,
            "sector": info.sector,
            "sector_source": info.sector_source,
            "parameters": [
                {
                    "key": p.key,
                    "type": p.type,
                    "label": p.label,
                    "required": p.required,
                    "default": _json(p.default_value),
                    "why": p.why,
                    "minimum": _json(p.minimum),
                    "maximum": _json(p.maximum),
                    "choices": list(GRADES if p.type == "grade" else p.choices),
                }
                for p in self.spec.parameter
            ],
            "parts": [
                {
                    "id": part.id,
                    "kind": part.kind,
                    "title": part.title,
                    "description": part.description,
                    "when": part.when,
                    "unless_zero": part.unless_zero,
                    "keys": {k: _json(v) for k, v in part.keys.items()},
                }
                for part in self.spec.part
            ],
        }

    @property
    def conferences(self) -> tuple[str, ...]:
        """The conferences whose proposals the template is made for ('PP', 'WTDC', ...)."""
        return self.spec.template.conferences

    @property
    def sector(self) -> str | None:
        """The budget unit whose work the template describes, or None for any."""
        return self.spec.template.sector

    @property
    def sector_source(self) -> str | None:
        return self.spec.template.sector_source

    def summary_line(self) -> str:
        work = f"; {self.sector}'s work" if self.sector else ""
        return f"{self.name}: {self.title} ({', '.join(self.spec.template.conferences)}{work})"

    def parameter_lines(self) -> list[str]:
        out = []
        for p in self.spec.parameter:
            value = "required" if p.required else show_value(p.default_value)
            out.append(f"{p.key} = {value}  ({p.label})")
        return out

    def explain(self) -> str:
        """What the template expands into, each default and why."""
        info = self.spec.template
        out = [
            f"{info.name}: {info.title}",
            f"Proposals from: {', '.join(info.conferences)}",
            f"Work of: {info.sector} ({info.sector_source})"
            if info.sector
            else "Work of: any budget unit (the activity's unit, else the proposal's responsible)",
            "",
            info.description,
            "",
            "Expands into (ids '<id>-<part>'):",
        ]
        for part in self.spec.part:
            when = {"every": "every year", "first": "first year", "last": "last year"}
            out.append(f"  {part.id}: {part.kind}, {when[part.when]}: {part.title}")
            out.append(f"      {part.description}")
            keys = ", ".join(
                f"{k} = {v if isinstance(v, str) else ' × '.join(v)}" for k, v in part.keys.items()
            )
            out.append(f"      {keys}")
            if part.unless_zero:
                out.append(f"      left out when {part.unless_zero} = 0")
        out += ["", "Parameters (write them in the [[activity]] table to override):"]
        for p in self.spec.parameter:
            value = (
                "required, no default" if p.required else f"default {show_value(p.default_value)}"
            )
            kind, extra = _TYPE_WORDS[p.type], ""
            if p.type == "choice":
                kind = f"one of {', '.join(p.choices)}"
            elif p.minimum is not None or p.maximum is not None:
                low = plain(p.minimum) if p.minimum is not None else ""
                high = plain(p.maximum) if p.maximum is not None else ""
                extra = f"; from {low or 'any'} to {high or 'any'}"
            out.append(f"  {p.key}: {p.label} ({kind}{extra}), {value}")
            out.append(f"      why: {p.why}")
        out += [
            "",
            "The common keys (id, title, unit, years, funding, goal, note) apply to every part.",
        ]
        return "\n".join(out)


# -- the catalogue ----------------------------------------------------------------------------


class TemplateFileError(Exception):
    """A shipped template file is broken: a bug in the package, not in the user's input."""


def read_template(path: Path) -> ActivityTemplate:
    with path.open("rb") as f:
        data = tomllib.load(f, parse_float=Decimal)
    try:
        spec = TemplateFile.model_validate(data)
    except ValidationError as error:
        raise TemplateFileError(f"{path.name}: {error}") from error
    if spec.template.name != path.stem:
        raise TemplateFileError(f"{path.name}: the template is called '{spec.template.name}'")
    return ActivityTemplate(spec, path.name)


class Catalogue(Mapping[str, ActivityTemplate]):
    """The shipped templates by name, each read and validated the first time it is asked for:
    an estimate reads only the templates its proposal uses (the names, for a did-you-mean, are
    the files' names). Iterating over the values reads every one, as ``finimpact activities``
    does."""

    def __init__(self, folder: Path) -> None:
        self.paths = {p.stem: p for p in sorted(folder.glob("*.toml"))}
        self.read: dict[str, ActivityTemplate] = {}
        clash = [n for n in self.paths if n in KINDS]
        if clash:
            raise TemplateFileError(f"templates named like elemental kinds: {', '.join(clash)}")

    def __getitem__(self, name: str) -> ActivityTemplate:
        found = self.read.get(name)
        if found is None:
            found = self.read[name] = read_template(self.paths[name])  # KeyError: unknown
        return found

    def __contains__(self, name: object) -> bool:
        return name in self.paths

    def __iter__(self) -> Iterator[str]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)


@functools.cache
def _catalogue() -> Mapping[str, ActivityTemplate]:
    return Catalogue(ACTIVITIES)


def catalogue() -> Mapping[str, ActivityTemplate]:
    """Every template, by name (each read when first asked for)."""
    return _catalogue()


def find(name: str) -> tuple[ActivityTemplate | None, str]:
    """The template called name, or None and a did-you-mean hint."""
    templates = catalogue()
    if name in templates:
        return templates[name], ""
    return None, did_you_mean(name, templates) or "run 'finimpact activities' for the list"


def listing() -> str:
    """Every template with its parameters and defaults, for 'finimpact activities'."""
    out: list[str] = []
    for template in catalogue().values():
        out.append(template.summary_line())
        out += [f"    {line}" for line in template.parameter_lines()]
    out += ["", "Explain one: finimpact activities NAME"]
    return "\n".join(out)


__all__ = [
    "ActivityTemplate",
    "Expansion",
    "Parameter",
    "ParameterProblem",
    "Part",
    "Template",
    "TemplateFileError",
    "catalogue",
    "find",
    "listing",
    "show_value",
]
