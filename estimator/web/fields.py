"""The form's fields, made from the models: the proposal's identification (ProposalInfo), every
elemental kind of the registry (cost_models.kinds.KINDS) and every conference activity template
(its parameters, defaults and reasons). What a field is (text, a number, a choice, languages),
whether it is required, its choices and its default come from the models; only the words a
person reads beside a field (its label, unit and help) are written here, in ``WORDS``.

Each field has a name that is its key path in the proposal ('proposal.title',
'activity.2.days'), so a diagnostic located at a key path is shown at its field.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, Union, get_args, get_origin

from pydantic.fields import FieldInfo

from cost_models.kinds import KINDS
from cost_models.parameters import GRADES, LANGUAGE_NAMES, ActivityBase
from estimator.core import templates as activity_templates
from estimator.core.model import ProposalInfo

Shape = Literal[
    "text",
    "long",
    "lines",
    "int",
    "number",
    "choice",
    "languages",
    "flag",
    "years",
    "year",
    "date",
    "period",
]
"""How a field is entered: one line of text, a paragraph, one item a line, a whole number, a
number, one of some choices, languages (check boxes), yes/no, years ('2027, 2029'), one year,
a date, the period (first and last year)."""


@dataclass(frozen=True)
class Field:
    key: str
    """The key in the proposal's table."""
    shape: Shape
    label: str
    help: str = ""
    unit: str = ""
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    """(value, what a person reads) for a choice or languages."""
    default: Any = None
    """The value taken when the field is left empty (None: no default, or nothing)."""
    why: str = ""
    """For a template's parameter: why its default."""

    @property
    def empty(self) -> str:
        """What the field's empty choice means: 'Choose…', 'Default: in Geneva', ..."""
        if self.required:
            return "Choose…"
        if self.default is not None:
            return f"Default: {self.default_text}"
        return EMPTY.get(self.key, "None")

    @property
    def default_text(self) -> str:
        """The default as a person reads it beside the field ('' when there is none)."""
        return shown(self.default, self)


@dataclass(frozen=True)
class PartShown:
    """One elemental activity a template expands into, as the form shows it."""

    id: str
    kind: str
    title: str
    description: str
    when: str
    unless_zero: str | None


@dataclass(frozen=True)
class KindForm:
    """The fields of one kind of activity: an elemental kind or a template."""

    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    template: bool = False
    parts: tuple[PartShown, ...] = field(default=())


LANGUAGE_CHOICES = tuple((code, name) for code, name in LANGUAGE_NAMES.items())

# -- the words: label, unit, help -------------------------------------------------------------

WORDS: dict[str, tuple[str, str, str]] = {
    # key (or kind.key): (label, unit, help)
    "proposal.reference": ("Reference", "", "The document reference as filed, e.g. PP26/44A2/1."),
    "proposal.title": ("Title", "", "The proposal's title, as in the document."),
    "proposal.conference": (
        "Conference",
        "",
        "The conference or assembly: PP-26, WRC-27, RA-27, WTSA-28, WTDC-29, C26, ...",
    ),
    "proposal.submitted_by": (
        "Submitted by",
        "",
        "The Member States or regional groups that submit it, one a line.",
    ),
    "proposal.action": ("Action", "", "ADD, MOD or SUP, if the proposal says."),
    "proposal.instrument": ("Instrument", "", "What the proposal adds or changes."),
    "proposal.responsible": (
        "Responsible",
        "",
        "The budget unit (General Secretariat or Sector) every activity is charged to,"
        " unless the activity names another.",
    ),
    "proposal.period": (
        "Period",
        "calendar years",
        "The first and last year the proposal has costs in.",
    ),
    "proposal.requests": (
        "Requests",
        "",
        "The operative paragraphs that ask for something, one a line; quoted in the annex.",
    ),
    "proposal.rate_card": (
        "Rate card",
        "",
        "The card whose dated rates price every quantity; each rate names its source.",
    ),
    "proposal.currency": (
        "Currency of stated amounts",
        "ISO 4217 code",
        "The currency the amounts you state are in (e.g. CHF); leave empty for the card's.",
    ),
    "proposal.output_language": (
        "Language of the documents",
        "",
        "The language the annex and workbook are written in (the download's choice wins).",
    ),
    "proposal.submitted": ("Filing date", "YYYY-MM-DD", "When the proposal was filed."),
    "proposal.prepared_by": (
        "Prepared by",
        "",
        "A person, an office or a delegation; the annex leaves the line blank without it.",
    ),
    "proposal.prepared": (
        "Date of preparation",
        "YYYY-MM-DD",
        "When the estimate was prepared; blank in the annex without it.",
    ),
    "id": (
        "Id",
        "",
        "A short name for the activity, unique in the proposal: lower-case letters, digits"
        " and '-'.",
    ),
    "title": ("Title", "", "What the activity is, as the annex names it."),
    "unit": (
        "Budget unit",
        "",
        "The General Secretariat or Sector that pays for it, if not the responsible one.",
    ),
    "years": (
        "Years",
        "calendar years, e.g. 2027, 2029",
        "The years it takes place in; leave empty for every year of the period.",
    ),
    "funding": (
        "Funding",
        "",
        "Additional credits, existing provisions, or voluntary contributions.",
    ),
    "goal": ("Strategic goal", "", "The strategic plan's goal it serves (Resolution 71), e.g. 1."),
    "note": ("Note", "", "Anything the annex should say about the activity."),
    "per": (
        "Amount per",
        "",
        "Over several years: the quantity stated is a year's, or the whole activity's.",
    ),
    "once": (
        "Once, in",
        "calendar year",
        "Over several years: the quantity falls once, in this year (instead of Years).",
    ),
    "meeting.count": ("Events", "events a year", "How many such meetings are held each year."),
    "meeting.days": ("Days", "days per event", "How long each event lasts."),
    "meeting.meetings_per_day": (
        "Sessions a day",
        "three-hour meetings per day",
        "Usually 2: a morning and an afternoon meeting.",
    ),
    "meeting.languages": (
        "Interpretation",
        "languages",
        "The languages interpreted; fewer than two means no interpretation.",
    ),
    "meeting.location": (
        "Where",
        "",
        "In Geneva; away (the host country pays what costs more than in Geneva); or virtual"
        " (no rooms; a remote platform).",
    ),
    "meeting.remote": ("Remote participation", "", "Whether remote participation is offered."),
    "meeting.fellowships": (
        "Fellowships",
        "funded participants per event",
        "Participants whose travel and subsistence the Union pays.",
    ),
    "documentation.words": (
        "Words",
        "words",
        "The length of the document (give words or pages).",
    ),
    "documentation.pages": (
        "Pages",
        "pages",
        "The length of the document (give pages or words); converted with the card's words"
        " per page.",
    ),
    "documentation.source": (
        "Drafted in",
        "",
        "The language the document is written in: processed, not translated.",
    ),
    "documentation.languages": (
        "Translated into",
        "languages",
        "The languages it is translated into; by default the five official languages other"
        " than the one it is drafted in.",
    ),
    "documentation.stage": (
        "Stage",
        "",
        "Before, during or after the session (shown in the annex).",
    ),
    "documentation.per": (
        "Produced",
        "",
        "Over several years: the document is produced every year (or choose Once, in).",
    ),
    "staff.grade": ("Grade", "", "The grade of the post: P1-P5, D1, D2, G1-G7."),
    "staff.months": (
        "Work-months",
        "work-months a year per post",
        "Temporary assistance, in work-months a year (give months or full-time equivalent).",
    ),
    "staff.fte": (
        "Full-time equivalent",
        "FTE per post, 0-1",
        "A post, as a share of a full year (give months or FTE).",
    ),
    "staff.posts": ("Posts", "posts", "How many posts of this grade."),
    "consultant.months": (
        "Months",
        "months",
        "Consultant time in months (give months or days).",
    ),
    "consultant.days": ("Days", "days", "Consultant time in days (give days or months)."),
    "consultant.count": ("Consultants", "persons", "How many consultants."),
    "travel.trips": ("Trips", "trips a year", "How many journeys each year."),
    "travel.days": ("Days", "days of subsistence per trip", "How long each trip lasts."),
    "travel.traveller": (
        "Traveller",
        "",
        "Staff of the secretariat, or an invited expert.",
    ),
    "services.amount": (
        "Amount",
        "in the currency of the proposal (else the card's)",
        "What the service costs, as you state it.",
    ),
    "services.justification": (
        "Justification",
        "",
        "Where the amount comes from (a quotation, a past contract).",
    ),
    "services.external": (
        "External human resources",
        "",
        "Whether the service buys people's work (reported apart).",
    ),
}

KIND_WORDS: dict[str, tuple[str, str]] = {
    # kind: (title, description)
    "meeting": ("Meeting", "Events of some days: interpretation, rooms, remote, fellowships."),
    "documentation": ("Document", "A document edited, processed and translated."),
    "staff": ("Staff", "A post (FTE) or temporary assistance (work-months)."),
    "consultant": ("Consultant", "Consultants' time, in months or days."),
    "travel": ("Travel", "Journeys of staff or experts: airfare and subsistence."),
    "services": ("Services", "An amount you state: a contract, hosting, a purchase."),
}

EMPTY: dict[str, str] = {
    "unit": "The proposal's responsible unit",
    "rate_card": "The default card (itu-geneva)",
    "action": "Not stated",
    "per": "Not stated (needed over several years)",
    "output_language": "English",
}
"""What leaving a choice empty means, where the model has no default value to show."""

CHOICE_WORDS: dict[str, str] = {
    "geneva": "in Geneva",
    "away": "away from Geneva",
    "virtual": "virtual",
    "additional": "additional credits (regular budget)",
    "existing": "within existing provisions",
    "extrabudgetary": "extrabudgetary (voluntary contributions)",
    "year": "a year's (each year)",
    "total": "the whole activity's",
    "pre": "pre-session",
    "in": "in session",
    "post": "post-session",
    "staff": "staff",
    "expert": "expert",
    "GS": "General Secretariat (GS)",
    "ITU-R": "Radiocommunication Sector (ITU-R)",
    "ITU-T": "Standardization Sector (ITU-T)",
    "ITU-D": "Development Sector (ITU-D)",
    "ADD": "ADD (addition)",
    "MOD": "MOD (modification)",
    "SUP": "SUP (suppression)",
}

# -- fields from the models -------------------------------------------------------------------

LONG = {"note", "justification", "proposal.title", "proposal.instrument"}
DATES = {"proposal.submitted", "proposal.prepared"}


def _words(kind: str, key: str) -> tuple[str, str, str]:
    found = WORDS.get(f"{kind}.{key}") or WORDS.get(key)
    if found is None:
        return key.replace("_", " ").capitalize(), "", ""
    return found


def _shape(where: str, key: str, info: FieldInfo) -> tuple[Shape, tuple[str, ...]]:
    """How a model field is entered, and its choices."""
    annotation = info.annotation
    if get_origin(annotation) in (Union, types.UnionType):
        annotation = next(a for a in get_args(annotation) if a is not type(None))
    while hasattr(annotation, "__metadata__"):  # Annotated[...]
        annotation = get_args(annotation)[0]
    origin = get_origin(annotation)
    name = f"{where}.{key}"
    if origin is Literal:
        return "choice", tuple(str(a) for a in get_args(annotation))
    if origin is tuple:
        inner = get_args(annotation)[0]
        while hasattr(inner, "__metadata__"):
            inner = get_args(inner)[0]
        if get_origin(inner) is Literal:
            return "languages", tuple(str(a) for a in get_args(inner))
        if inner is int:
            return ("period" if key == "period" else "years"), ()
        return "lines", ()
    if annotation is bool:
        return "flag", ()
    if annotation is int:
        return ("year" if key == "once" else "int"), ()
    if annotation is Decimal:
        return "number", ()
    if name in DATES:
        return "date", ()
    if key in LONG or name in LONG:
        return "long", ()
    return "text", ()


def _choices(values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    names = dict(LANGUAGE_CHOICES)
    return tuple((v, names.get(v) or CHOICE_WORDS.get(v, v)) for v in values)


def _model_fields(
    where: str, fields: Mapping[str, FieldInfo], skip: tuple[str, ...]
) -> list[Field]:
    out = []
    for key, info in fields.items():
        if key in skip:
            continue
        shape, choices = _shape(where, key, info)
        label, unit, help_ = _words(where, key)
        default = None if info.is_required() else info.default
        out.append(
            Field(
                key,
                shape,
                label,
                help_,
                unit,
                info.is_required(),
                _choices(choices),
                default,
            )
        )
    return out


PROPOSAL_FIELDS: tuple[Field, ...] = tuple(_model_fields("proposal", ProposalInfo.model_fields, ()))
COMMON = tuple(k for k in ActivityBase.model_fields if k != "kind")
"""The keys every activity has, kind apart (id, title, unit, years, funding, goal, note)."""


def _elemental(name: str) -> KindForm:
    model = KINDS[name].parameters
    fields = _model_fields(name, model.model_fields, ("kind",))
    title, description = KIND_WORDS.get(name, (name, ""))
    own = [f for f in fields if f.key not in COMMON]
    common = [f for f in fields if f.key in COMMON]
    return KindForm(name, title, description, (*common[:2], *own, *common[2:]))


PARAMETER_SHAPES: dict[str, Shape] = {
    "count": "int",
    "number": "number",
    "amount": "number",
    "languages": "languages",
    "choice": "choice",
    "grade": "choice",
    "flag": "flag",
    "text": "text",
}


def _template(template: activity_templates.ActivityTemplate) -> KindForm:
    common = [f for f in _elemental("services").fields if f.key in COMMON]
    params = []
    for p in template.spec.parameter:
        shape = PARAMETER_SHAPES[p.type]
        values = LANGUAGE_CHOICES if shape == "languages" else ()
        if p.type == "grade":
            values = tuple((g, g) for g in GRADES)
        elif p.type == "choice":
            values = _choices(p.choices)
        unit = "in the card's currency" if p.type == "amount" else ""
        if p.minimum is not None or p.maximum is not None:
            low = "" if p.minimum is None else f"{p.minimum:,}"
            high = "" if p.maximum is None else f"{p.maximum:,}"
            unit = ", ".join(x for x in (unit, f"from {low or 'any'} to {high or 'any'}") if x)
        params.append(
            Field(
                p.key,
                shape,
                p.label[:1].upper() + p.label[1:],
                "Required: the template has no default." if p.required else "",
                unit,
                p.required,
                values,
                p.default_value,
                p.why,
            )
        )
    info = template.spec.template
    parts = tuple(
        PartShown(part.id, part.kind, part.title, part.description, part.when, part.unless_zero)
        for part in template.spec.part
    )
    return KindForm(
        template.name,
        f"{info.title} ({template.name})",
        info.description.strip(),
        (*common[:2], *params, *common[2:]),
        template=True,
        parts=parts,
    )


def kind_forms() -> dict[str, KindForm]:
    """Every kind an activity may be, by name: the elemental kinds, then the templates."""
    forms = {name: _elemental(name) for name in KINDS.names}
    for name, template in activity_templates.catalogue().items():
        forms[name] = _template(template)
    return forms


KIND_FORMS = kind_forms()


def shown(value: Any, f: Field) -> str:
    """A value as a person reads it beside a field: 'yes', 'English, French', '4'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple | list):
        if not value:
            return "none"
        names = dict(f.choices)
        return ", ".join(names.get(str(v), str(v)) for v in value)
    names = dict(f.choices)
    return names.get(str(value), str(value))
