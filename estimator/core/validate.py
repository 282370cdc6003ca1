"""Validate: a TOML document to a Proposal, with every problem reported at once."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cost_models.kind import Registry
from cost_models.kinds import KINDS
from cost_models.money import plain
from cost_models.parameters import BUDGET_UNITS, ActivityBase, Stated
from estimator.core.diagnostics import Diagnostic, KeyPath, Severity, cut, did_you_mean
from estimator.core.load import MAX_ACTIVITIES, MAX_ACTIVITY_YEARS, Source
from estimator.core.model import Activity, Proposal, ProposalInfo, TemplateDefault
from estimator.core.strategic import goal_diagnostics
from estimator.core.templates import Template, catalogue
from estimator.core.validation import show_value, validate_model

TOP_LEVEL = ("format", "proposal", "activity")


def validate_proposal(
    doc: Source,
    templates: Mapping[str, Template] | None = None,
    kinds: Registry = KINDS,
) -> tuple[Proposal | None, list[Diagnostic]]:
    """The proposal, or None, and every problem found. ``kinds`` are the activity kinds a
    proposal may name (every kind of cost_models/kinds/ unless given)."""
    templates = catalogue() if templates is None else templates
    data = doc.data
    diags: list[Diagnostic] = []

    for key in data:
        if key not in TOP_LEVEL:
            diags.append(
                doc.diag(
                    (key,), "unknown-key", f"unknown key '{key}'", did_you_mean(key, TOP_LEVEL)
                )
            )
    fmt = data.get("format", 1)
    if type(fmt) is not int or fmt != 1:
        diags.append(
            doc.diag(
                ("format",),
                "format",
                f"format {show_value(fmt)} is not supported",
                "this tool reads format = 1",
            )
        )

    info: ProposalInfo | None = None
    if "proposal" not in data:
        diags.append(
            doc.diag((), "missing", "the [proposal] table is missing", "add a [proposal] table")
        )
    elif not isinstance(data["proposal"], dict):
        diags.append(
            doc.diag(("proposal",), "type", "proposal must be a table", "write [proposal]")
        )
    else:
        info, found = validate_model(ProposalInfo, data["proposal"], doc, ("proposal",))
        diags += found

    raw_activities = data.get("activity", [])
    if not isinstance(raw_activities, list):
        diags.append(
            doc.diag(
                ("activity",), "type", "activity must be an array of tables", "write [[activity]]"
            )
        )
        raw_activities = []
    too_many = _too_many(doc, raw_activities, info)
    if too_many is not None:  # refused before any is validated: a hostile file costs nothing
        return None, [*diags, too_many]

    activities: list[Activity] = []
    years = info.years if info is not None else None
    for index, raw in enumerate(raw_activities):
        activities += _activity(doc, index, raw, templates, kinds, diags, years)
    diags += _expanded_ids(doc, activities)
    if info is not None:
        diags += _year_or_total(doc, activities, info.years)

    diags += _cross_checks(doc, raw_activities, info)
    diags += _conference_name(doc, info)
    diags += _template_conferences(doc, raw_activities, info, templates)
    diags += _template_sectors(doc, raw_activities, info, templates)
    diags.sort(key=lambda d: (d.line, d.col))
    if info is None or any(d.severity is Severity.ERROR for d in diags):
        return None, diags
    return Proposal(info, tuple(activities), doc.file, doc.sha256), diags


def _too_many(
    doc: Source, raw_activities: list[Any], info: ProposalInfo | None
) -> Diagnostic | None:
    """More activities, or activity-years, than the limits (docs/proposal-format.md, Limits),
    told at the first activity past the limit."""
    if len(raw_activities) > MAX_ACTIVITIES:
        return doc.diag(
            ("activity", MAX_ACTIVITIES),
            "too-many-activities",
            f"the proposal has {len(raw_activities):,} activities: at most {MAX_ACTIVITIES:,}",
            "split it into several proposals, or make like activities one, with a count",
        )
    period = len(info.years) if info is not None else 1
    total = 0
    for index, raw in enumerate(raw_activities):
        years = raw.get("years") if isinstance(raw, dict) else None
        total += len(years) if isinstance(years, list) and years else period
        if total > MAX_ACTIVITY_YEARS:
            return doc.diag(
                ("activity", index),
                "too-many-activity-years",
                f"the activities run for more than {MAX_ACTIVITY_YEARS:,} activity-years in all"
                f" (each activity counts the years it runs; {total:,} up to this one)",
                "split it into several proposals, or make like activities one, with a count",
            )
    return None


def _cross_checks(
    doc: Source, raw_activities: list[Any], info: ProposalInfo | None
) -> list[Diagnostic]:
    """Checks across keys, run on the raw tables so that they report even beside other errors."""
    diags: list[Diagnostic] = []
    seen: dict[str, int] = {}
    period = info.period if info is not None else _raw_period(doc.data)
    for index, raw in enumerate(raw_activities):
        if not isinstance(raw, dict):
            continue
        ident = raw.get("id")
        if isinstance(ident, str):
            if ident in seen:
                diags.append(
                    doc.diag(
                        ("activity", index, "id"),
                        "duplicate-id",
                        f"another activity has the id '{ident}' ({_written_at(doc, seen[ident])})",
                        "give each activity its own id",
                    )
                )
            seen.setdefault(ident, index)
        once = raw.get("once")
        if period is not None and type(once) is int and not period[0] <= once <= period[1]:
            diags.append(
                doc.diag(
                    ("activity", index, "once"),
                    "year-outside-period",
                    f"once = {once} is outside the period {period[0]}–{period[1]}",
                    "widen proposal.period or name a year within it",
                )
            )
        years = raw.get("years")
        if period is not None and isinstance(years, list):
            for j, y in enumerate(years):
                if (
                    isinstance(y, int)
                    and not isinstance(y, bool)
                    and not period[0] <= y <= period[1]
                ):
                    diags.append(
                        doc.diag(
                            ("activity", index, "years", j),
                            "year-outside-period",
                            f"year {y} is outside the period {period[0]}–{period[1]}",
                            "widen proposal.period or remove the year",
                        )
                    )
    diags += goal_diagnostics(doc, raw_activities, period)
    return diags


_FAMILIES = {
    "PP": "PP",
    "WRC": "WRC",
    "RA": "RA",
    "WTSA": "WTSA",
    "WTDC": "WTDC",
    "C": "Council",
    "COUNCIL": "Council",
}
_CONFERENCE = re.compile(
    r"\s*(?P<name>[A-Za-z]+)\.?\s*[-\u2010-\u2015]?\s*(?P<year>(?:19|20)?[0-9]{2})?\s*"
)
CANONICAL_EXAMPLES = "PP-26, WRC-27, RA-27, WTSA-28, WTDC-29 or C26 (the Council of 2026)"


@dataclass(frozen=True)
class Conference:
    """An ITU conference or assembly recognised in what a proposal wrote."""

    family: str
    """As templates name it: 'PP', 'WRC', 'RA', 'WTSA', 'WTDC', 'Council'."""
    year: int | None

    @property
    def canonical(self) -> str | None:
        """As ITU writes it in its documents: 'WTDC-29', 'PP-26', 'C26' (None without a year)."""
        if self.year is None:
            return None
        yy = f"{self.year % 100:02d}"
        return f"C{yy}" if self.family == "Council" else f"{self.family}-{yy}"


def conference_of(name: str) -> Conference | None:
    """The conference a proposal names ('WTDC29', 'wtdc-2029', 'Council 2026'), or None when
    it names none of ITU's conferences and assemblies."""
    m = _CONFERENCE.fullmatch(name)
    family = _FAMILIES.get(m.group("name").upper()) if m is not None else None
    if m is None or family is None:
        return None
    year = m.group("year")
    return Conference(family, None if year is None else int(year) % 100 + 2000)


def _conference_name(doc: Source, info: ProposalInfo | None) -> list[Diagnostic]:
    """The conference as ITU writes it: a recognised name written otherwise ('WTDC29') is told
    with its canonical form, a name that is none of ITU's conferences is told with examples.
    Warnings, not errors: the name identifies the proposal and prices nothing, and a batch
    groups its proposals by it, so the budget officer wants it right but not at the cost of
    stopping the estimate."""
    if info is None:
        return []
    written = info.conference
    found = conference_of(written)
    where = ("proposal", "conference")
    if found is not None and found.canonical is not None:
        if written == found.canonical:
            return []
        return [
            doc.diag(
                where,
                "conference-name",
                f"'{cut(written)}' is written '{found.canonical}' in ITU's documents",
                f'write conference = "{found.canonical}": the annex prints it as written',
                severity=Severity.WARNING,
            )
        ]
    message = (
        f"'{cut(written)}' does not say which {found.family}: give its year"
        if found is not None
        else f"'{cut(written)}' is not the name of an ITU conference or assembly"
    )
    return [
        doc.diag(
            where,
            "conference-name",
            message,
            f"write the conference and its year as ITU does: {CANONICAL_EXAMPLES}",
            severity=Severity.WARNING,
        )
    ]


def _template_conferences(
    doc: Source,
    raw_activities: list[Any],
    info: ProposalInfo | None,
    templates: Mapping[str, Template],
) -> list[Diagnostic]:
    """A template made for other conferences (a wtdc.* template in a PP-26 proposal) is told,
    at the activity's kind: it may be the wrong template."""
    found = conference_of(info.conference) if info is not None else None
    if found is None or info is None:
        return []
    family = found.family
    out: list[Diagnostic] = []
    for index, raw in enumerate(raw_activities):
        kind = raw.get("kind") if isinstance(raw, dict) else None
        template = templates.get(kind) if isinstance(kind, str) else None
        conferences: tuple[str, ...] = getattr(template, "conferences", ())
        if not conferences or family in conferences:
            continue
        made_for = ", ".join(conferences)
        out.append(
            doc.diag(
                ("activity", index, "kind"),
                "template-conference",
                f"the template '{kind}' is made for proposals to {made_for}, and this proposal is"
                f" for {info.conference}",
                "check that it is the work the proposal asks for, or choose another kind:"
                " finimpact activities lists the templates and their conferences",
                severity=Severity.WARNING,
            )
        )
    return out


def _template_sectors(
    doc: Source,
    raw_activities: list[Any],
    info: ProposalInfo | None,
    templates: Mapping[str, Template],
) -> list[Diagnostic]:
    """A template describing one Sector's work (a wtdc.* template is ITU-D's) whose cost is
    charged to another budget unit is told, at the activity's unit (or its kind, when the unit
    is the proposal's responsible): the cost would land in the wrong Sector's budget."""
    if info is None:
        return []
    out: list[Diagnostic] = []
    for index, raw in enumerate(raw_activities):
        kind = raw.get("kind") if isinstance(raw, dict) else None
        template = templates.get(kind) if isinstance(kind, str) else None
        sector: str | None = getattr(template, "sector", None)
        if not isinstance(raw, dict) or sector is None:
            continue
        own = raw.get("unit")
        unit = own if isinstance(own, str) else info.responsible
        if unit == sector or unit not in BUDGET_UNITS:
            continue
        charged = unit if isinstance(own, str) else f"{unit} (the proposal's responsible)"
        why = getattr(template, "sector_source", "")
        out.append(
            doc.diag(
                ("activity", index, "unit" if isinstance(own, str) else "kind"),
                "template-sector",
                f"the template '{kind}' is {sector}'s work ({why}),"
                f" and its cost is charged to {charged}",
                f'if {sector} does the work, write unit = "{sector}" in the activity; if'
                f" {unit} does it, choose a template of its own (finimpact activities)",
                severity=Severity.WARNING,
            )
        )
    return out


def _raw_period(data: dict[str, Any]) -> tuple[int, int] | None:
    """The period as written, when the [proposal] table failed for another reason."""
    raw = data.get("proposal")
    period = raw.get("period") if isinstance(raw, dict) else None
    if (
        isinstance(period, list)
        and len(period) == 2
        and all(type(y) is int for y in period)
        and period[0] <= period[1]
    ):
        return period[0], period[1]
    return None


def _activity(
    doc: Source,
    index: int,
    raw: Any,
    templates: Mapping[str, Template],
    kinds: Registry,
    diags: list[Diagnostic],
    years: tuple[int, ...] | None = None,
) -> list[Activity]:
    where = ("activity", index)
    if not isinstance(raw, dict):
        diags.append(doc.diag(where, "type", "each activity must be a table", "write [[activity]]"))
        return []
    kind = raw.get("kind")
    if kind is None:
        diags.append(
            doc.diag(where, "missing", "kind is required", 'add kind = "meeting" (or another kind)')
        )
        return []
    if not isinstance(kind, str):
        diags.append(doc.diag((*where, "kind"), "type", f"kind must be text, not {kind!r}"))
        return []
    if kind in kinds:
        spec, found = _of_kind(doc, where, raw, kinds)
        diags += found
        return [] if spec is None else [Activity(spec, index)]
    template = templates.get(kind)
    if template is None:
        common = {k: raw[k] for k in ActivityBase.model_fields if k in raw}
        diags += validate_model(ActivityBase, common, doc, where)[1]
        known = (*kinds.names, *templates)
        diags.append(
            doc.diag(
                (*where, "kind"),
                "unknown-kind",
                f"unknown kind '{kind}'",
                did_you_mean(kind, known) or "run 'finimpact activities' for the templates",
            )
        )
        return []
    common = {k: raw[k] for k in ActivityBase.model_fields if k in raw}
    found = validate_model(ActivityBase, common, doc, where)[1]
    if found:
        diags += found
        return []
    expansions, problems = template.expand(raw, years)
    for p in problems:
        path = (*where, p.key) if p.key else where
        diags.append(doc.diag(path, "template", p.message, p.hint))
    out: list[Activity] = []
    seen: set[tuple[KeyPath, str]] = set()
    for e in expansions:
        spec, found = _of_kind(doc, where, e.raw, kinds)
        for d in found:
            # report at the key of the proposal's table that the value came from
            part_key = str(d.path[len(where)]) if len(d.path) > len(where) else ""
            path = (*where, e.origin[part_key]) if part_key in e.origin else where
            if (path, d.message) not in seen:
                seen.add((path, d.message))
                diags.append(doc.diag(path, d.code, d.message, d.hint, severity=d.severity))
        if spec is not None:
            out.append(Activity(spec, index, kind, tuple(e.defaults), e.part))
    return out


def _year_or_total(
    doc: Source, activities: list[Activity], period: tuple[int, ...]
) -> list[Diagnostic]:
    """A stated amount of an activity of several years must say whether it is a year's or the
    whole activity's: read one way it is four times the other."""
    diags: list[Diagnostic] = []
    for a in activities:
        spec = a.spec
        if not isinstance(spec, Stated) or spec.per is not None or spec.once is not None:
            continue
        years = spec.years_in(period)
        if len(years) < 2:
            continue
        key = next((k for k in spec.STATED if getattr(spec, k, None) is not None), "")
        value = getattr(spec, key, None)
        if not isinstance(value, Decimal):
            continue
        n = len(years)
        diags.append(
            doc.diag(
                ("activity", a.index, key) if key else ("activity", a.index),
                "year-or-total",
                f"the activity takes place in {n} years ({_span(years)}): say whether "
                + (
                    f"{key} = {plain(value)} is for each year or for the whole activity"
                    if spec.TOTAL
                    else f"its {plain(value)} {key} are produced each year or once"
                ),
                f'add per = "year" ({plain(value)} in each year, {plain(value * n)} in all)'
                + (
                    f', per = "total" ({plain(value)} in all, spread over the {n} years) or'
                    if spec.TOTAL
                    else " or"
                )
                + f" once = {years[0]} ("
                + ("" if spec.TOTAL else f"{plain(value)} {key}, ")
                + "once, in that year)",
            )
        )
    return diags


def _span(years: tuple[int, ...]) -> str:
    if list(years) == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}–{years[-1]}"
    return ", ".join(str(y) for y in years)


def _expanded_ids(doc: Source, activities: list[Activity]) -> list[Diagnostic]:
    """An id a template made ('<id>-<part>') must not be one another activity already has."""
    diags: list[Diagnostic] = []
    first: dict[str, Activity] = {}
    for a in activities:
        other = first.setdefault(a.id, a)
        if other is not a and a.index != other.index and (a.template or other.template):
            made = a if a.template else other
            diags.append(
                doc.diag(
                    ("activity", made.index, "id"),
                    "duplicate-id",
                    f"template {made.template} makes the id '{a.id}', which another activity"
                    f" already has ({_written_at(doc, (other if made is a else a).index)})",
                    "give the activities ids that do not start alike",
                )
            )
    return diags


def _written_at(doc: Source, index: int) -> str:
    """Where an activity is written, for a message about another: its line, or its position
    when the proposal has no text."""
    line, _ = doc.locator.locate(("activity", index))
    return f"the [[activity]] at line {line}" if line else f"activity no. {index + 1}"


def _of_kind(
    doc: Source, where: tuple[str | int, ...], raw: dict[str, Any], kinds: Registry
) -> tuple[ActivityBase | None, list[Diagnostic]]:
    return validate_model(kinds[raw["kind"]].parameters, raw, doc, where)


__all__ = ["TemplateDefault", "validate_proposal"]
