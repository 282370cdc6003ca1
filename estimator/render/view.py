"""The annex's view model: everything the statement of financial implications shows, built once
from an estimate, every figure already rounded and formatted as text.

The Markdown, HTML and Word renderers (``estimator.render.annex``) only read it: templates do no
arithmetic. Figures are rounded to the unit the user chooses (1, 100 or 1,000) by controlled
rounding (``estimator.render.rounding``), so the rounded parts add up to the rounded totals in every
table, and the year totals are the same in every table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from cost_models.elemental import ELEMENTS, LANGUAGE_NAMES
from cost_models.money import ROUNDING_RULE, plain
from cost_models.parameters import (
    BUDGET_UNITS,
    FUNDING,
    Consultant,
    Documentation,
    Meeting,
    Services,
    Staff,
    Travel,
)
from estimator import __version__
from estimator.core.estimate import CostLine, Estimate
from estimator.core.model import Activity
from estimator.render.rounding import ROUNDING_UNITS, round_half_up, round_table, round_vector
from estimator.render.wording import article34_statement

FUNDING_LABELS = {
    "additional": "Additional credits (regular budget)",
    "existing": "Within existing budgetary provisions",
    "extrabudgetary": "Extrabudgetary (voluntary contributions)",
}
ACTION_LABELS = {"ADD": "ADD (addition)", "MOD": "MOD (modification)", "SUP": "SUP (suppression)"}
UNIT_LABELS = {
    "GS": "General Secretariat",
    "ITU-R": "Radiocommunication Sector (ITU-R)",
    "ITU-T": "Telecommunication Standardization Sector (ITU-T)",
    "ITU-D": "Telecommunication Development Sector (ITU-D)",
}
KIND_LABELS = {
    "meeting": "Meetings",
    "documentation": "Documentation",
    "staff": "Staff",
    "consultant": "Consultants",
    "travel": "Travel",
    "services": "Contractual services",
}
BASIS_LABELS = {
    "published": "published",
    "derived": "derived from published figures",
    "assumed": "assumed",
}
STAGE_LABELS = {"pre": "pre-session", "in": "in-session", "post": "post-session"}
LOCATION_LABELS = {
    "geneva": "in Geneva",
    "away": "away from Geneva (the host country pays the costs above those of Geneva)",
    "virtual": "virtually",
}


@dataclass(frozen=True)
class Item:
    """A labelled value, e.g. ("Conference", "PP-26")."""

    label: str
    value: str


@dataclass(frozen=True)
class Table:
    """A table of rounded amounts: rows by year, with row and column totals that add up."""

    id: str
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    """Each row: its label, one formatted amount per year, and the row total."""
    total: tuple[str, ...]
    """'Total', the year totals, and the grand total."""


@dataclass(frozen=True)
class ActivityView:
    id: str
    title: str
    kind: str
    description: str
    """What happens, in words a delegate understands."""
    details: tuple[Item, ...]
    note: str | None


@dataclass(frozen=True)
class RateUsed:
    rate: str
    """Label and id of the rate."""
    unit: str
    value: str
    """The value as written in the card, with the currency."""
    date: str
    basis: str
    source: str
    derivation: str | None


@dataclass(frozen=True)
class StatedAmount:
    activity: str
    amount: str
    justification: str


@dataclass(frozen=True)
class AnnexView:
    short_form: bool
    """True when the proposal has no costs: the annex is a note saying so."""
    reference: str
    title: str
    identification: tuple[Item, ...]
    currency: str
    rounding: str
    """How the figures are rounded, in one sentence."""
    summary: tuple[Item, ...]
    article34_verdict: str
    article34_statement: str
    requests: tuple[str, ...]
    activities: tuple[ActivityView, ...]
    tables: tuple[Table, ...]
    """By object of expenditure, by budget unit and by funding, each × year."""
    servicing: tuple[Item, ...]
    """Conference servicing and other costs (sums of the rounded rows of the first table)."""
    external: str
    """Of which external human resources, rounded."""
    goals: Table | None
    """Relationship to the strategic plan: by goal × year; None when no activity names one."""
    card: tuple[Item, ...]
    rates: tuple[RateUsed, ...]
    stated: tuple[StatedAmount, ...]
    escalation: str
    rounding_rule: str
    assumptions: tuple[str, ...]
    stamp: str


def amount_text(value: Decimal) -> str:
    """A rounded amount with thousands separators: 123400 → '123,400'."""
    return f"{value.quantize(Decimal(1)):,}"


def number_text(value: Decimal | int) -> str:
    """A quantity as written, with thousands separators: 8000 → '8,000', 0.5 → '0.5'."""
    text = plain(Decimal(value))
    whole, _, frac = text.partition(".")
    return f"{int(whole):,}" + (f".{frac}" if frac else "")


def money_text(value: Decimal | int) -> str:
    """A sum of money as written, with at least two decimals: 10048.3 → '10,048.30', 366 →
    '366.00', 0.4984 → '0.4984' (a rate may have more decimals than the cent: never cut)."""
    whole, _, frac = number_text(value).partition(".")
    return f"{whole}.{frac.ljust(2, '0')}"


def _count(value: Decimal | int, one: str, many: str | None = None) -> str:
    return f"{number_text(value)} {one if value == 1 else (many or one + 's')}"


def _years_text(years: Sequence[int]) -> str:
    years = sorted(years)
    if len(years) == 1:
        return str(years[0])
    if years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}–{years[-1]}"
    return ", ".join(str(y) for y in years[:-1]) + f" and {years[-1]}"


def _languages_text(codes: Sequence[str]) -> str:
    names = [LANGUAGE_NAMES.get(c, c) for c in codes]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def describe(activity: Activity, currency: str) -> str:
    """What an activity does, in one sentence a delegate understands."""
    a = activity.spec
    if isinstance(a, Meeting):
        text = (
            f"{_count(a.count, 'event')} a year of {_count(a.days, 'day')} each, "
            f"{_count(a.meetings_per_day, 'three-hour meeting')} a day "
            f"({_count(a.meetings, 'meeting')} a year), held {LOCATION_LABELS[a.location]}"
        )
        if len(a.languages) >= 2:
            text += f", with interpretation in {_languages_text(a.languages)}"
        elif a.languages:
            text += f", in {_languages_text(a.languages)} without interpretation"
        else:
            text += ", without interpretation"
        if a.remote and a.location != "virtual":
            text += ", with remote participation"
        if a.fellowships:
            text += f"; {_count(a.fellowships, 'fellowship')} per event"
        return text + "."
    if isinstance(a, Documentation):
        size = _count(a.words, "word") if a.words is not None else _count(a.pages or 0, "page")
        text = f"A {STAGE_LABELS[a.stage]} document of {size} a year"
        if a.languages:
            text += f", translated from English into {_languages_text(a.languages)}"
        else:
            text += ", in English only"
        return text + "."
    if isinstance(a, Staff):
        time = (
            f"{_count(a.months, 'work-month')} a year"
            if a.months is not None
            else f"{number_text(a.fte or 0)} full-time equivalent"
        )
        return f"{_count(a.posts, 'post')} at grade {a.grade}, {time} each."
    if isinstance(a, Consultant):
        time = _count(a.months, "month") if a.months is not None else _count(a.days or 0, "day")
        return f"{_count(a.count, 'consultant')}, {time} a year each (external)."
    if isinstance(a, Travel):
        who = "staff" if a.traveller == "staff" else "experts"
        days = f" of {_count(a.days, 'day')} each" if a.days else ""
        return f"{_count(a.trips, 'trip')} a year{days}, by {who}."
    if isinstance(a, Services):
        ext = " (external human resources)" if a.external else ""
        return (
            f"Contractual services{ext} of {currency} {money_text(a.amount)} a year, "
            f"as stated in the proposal: {a.justification}"
        )
    raise TypeError(f"no description for activity kind {a.kind}")  # pragma: no cover


def _activity_view(estimate: Estimate, activity: Activity) -> ActivityView:
    proposal = estimate.proposal
    spec = activity.spec
    details = [
        Item("Years", _years_text(proposal.years_of(activity))),
        Item("Budget unit", proposal.unit_of(activity)),
        Item("Funding", FUNDING_LABELS[spec.funding]),
    ]
    if spec.goal is not None:
        details.append(Item("Strategic goal", _goal_label(estimate, spec.goal)))
    if activity.template is not None:
        details.append(Item("Template", activity.template))
    return ActivityView(
        id=spec.id,
        title=spec.title,
        kind=KIND_LABELS.get(spec.kind, spec.kind),
        description=describe(activity, estimate.currency),
        details=tuple(details),
        note=spec.note,
    )


def _goal_label(estimate: Estimate, goal: str | None) -> str:
    if goal is None:
        return "Not linked to a goal"
    title = estimate.goal_titles.get(goal)
    return f"Goal {goal}: {title}" if title else f"Goal {goal}"


def _table(
    id: str,
    title: str,
    label_header: str,
    estimate: Estimate,
    key: Callable[[CostLine], str | None],
    order: Sequence[str | None],
    label: Callable[[str | None], str],
    unit: int,
    year_totals: Sequence[Decimal],
    keep_empty: bool = False,
) -> tuple[Table, list[tuple[str | None, Decimal]]]:
    """A table of amounts by `key` × year, rounded so that rows and columns add up.

    Returns the table and each row's key with its rounded total."""
    years = estimate.proposal.info.years
    sums: dict[str | None, dict[int, Decimal]] = {}
    for line in estimate.lines:
        row = sums.setdefault(key(line), {})
        row[line.year] = row.get(line.year, Decimal(0)) + line.amount
    present = [k for k in order if k in sums or keep_empty]
    present += sorted((k for k in sums if k not in order), key=lambda k: (k is None, k or ""))
    exact = [[sums.get(k, {}).get(y, Decimal(0)) for y in years] for k in present]
    rounded = round_table(exact, unit, column_totals=year_totals)
    rows = tuple(
        (label(k), *(amount_text(c) for c in cells), amount_text(rounded.row_totals[i]))
        for i, (k, cells) in enumerate(zip(present, rounded.cells, strict=True))
    )
    table = Table(
        id=id,
        title=title,
        header=(label_header, *(str(y) for y in years), "Total"),
        rows=rows,
        total=(
            "Total",
            *(amount_text(c) for c in rounded.column_totals),
            amount_text(rounded.total),
        ),
    )
    return table, [(k, rounded.row_totals[i]) for i, k in enumerate(present)]


def build_view(estimate: Estimate, round_to: int = 100) -> AnnexView:
    """The annex's content, every figure rounded to `round_to` and formatted."""
    if round_to not in ROUNDING_UNITS:
        raise ValueError(f"round_to must be one of {ROUNDING_UNITS}, not {round_to}")
    info = estimate.proposal.info
    currency = estimate.currency
    years = info.years
    by_year = estimate.by_year()
    exact_years = [by_year.get(y, Decimal(0)) for y in years]
    year_totals = round_vector(exact_years, round_to)
    grand = round_half_up(estimate.total, round_to)
    unit_word = "unit" if round_to == 1 else number_text(round_to)
    rounding = (
        f"Amounts in {currency}, rounded to the nearest {unit_word}; the rounded parts add up "
        "to the rounded totals."
    )

    identification = [
        Item("Reference", info.reference),
        Item("Title", info.title),
        Item("Conference", info.conference),
        Item("Submitted by", ", ".join(info.submitted_by)),
    ]
    if info.action:
        identification.append(Item("Action", ACTION_LABELS[info.action]))
    if info.instrument:
        identification.append(Item("Instrument", info.instrument))
    identification.append(Item("Responsible budget unit", UNIT_LABELS[info.responsible]))
    identification.append(Item("Period", _years_text(years)))
    if info.submitted:
        identification.append(Item("Submitted", info.submitted))

    by_element, element_rows = _table(
        "by-element",
        "By object of expenditure",
        "Object of expenditure",
        estimate,
        lambda line: line.element,
        list(ELEMENTS),
        lambda k: ELEMENTS[k].label if k in ELEMENTS else str(k),
        round_to,
        year_totals,
    )
    by_unit, _ = _table(
        "by-unit",
        "By budget unit",
        "Budget unit",
        estimate,
        lambda line: line.unit,
        list(BUDGET_UNITS),
        lambda k: UNIT_LABELS.get(str(k), str(k)),
        round_to,
        year_totals,
    )
    by_funding, funding_rows = _table(
        "by-funding",
        "By source of funding",
        "Funding",
        estimate,
        lambda line: line.funding,
        list(FUNDING),
        lambda k: FUNDING_LABELS.get(str(k), str(k)),
        round_to,
        year_totals,
        keep_empty=True,
    )
    goals: Table | None = None
    if any(line.goal is not None for line in estimate.lines):
        goals, _ = _table(
            "by-goal",
            "By goal of the strategic plan",
            "Strategic goal",
            estimate,
            lambda line: line.goal,
            sorted(estimate.goal_titles),
            lambda k: _goal_label(estimate, k),
            round_to,
            year_totals,
        )

    servicing_total = sum(
        (t for k, t in element_rows if k in ELEMENTS and ELEMENTS[k].conference_servicing),
        Decimal(0),
    )
    servicing = (
        Item(
            "Conference servicing (interpretation, documentation, meeting services)",
            amount_text(servicing_total),
        ),
        Item(
            "Other costs (staff, consultants, travel, fellowships, services)",
            amount_text(grand - servicing_total),
        ),
    )

    span = {
        (a.index, a.id): len(estimate.proposal.years_of(a)) for a in estimate.proposal.activities
    }
    recurring = sum(
        (line.amount for line in estimate.lines if span.get((line.index, line.activity), 1) > 1),
        Decimal(0),
    )
    recurring_shown, one_off_shown = round_vector(
        [recurring, estimate.total - recurring], round_to, grand
    )
    funding_text = "; ".join(
        f"{FUNDING_LABELS[str(k)].lower()} {currency} {amount_text(t)}"
        for k, t in funding_rows
        if t > 0
    )
    summary = [
        Item(f"Total over the period {_years_text(years)}", f"{currency} {amount_text(grand)}"),
        Item(f"First year ({years[0]})", f"{currency} {amount_text(year_totals[0])}"),
        Item(
            "Recurring (activities in more than one year)",
            f"{currency} {amount_text(recurring_shown)}",
        ),
        Item("One-off (activities in a single year)", f"{currency} {amount_text(one_off_shown)}"),
        Item("Funding", funding_text or "none"),
    ]

    card = estimate.card
    card_items = [
        Item("Rate card", f"{card.id}: {card.title}"),
        Item("Version (sha256)", estimate.card_sha256),
        Item("Currency", card.currency),
        Item("Words per page", number_text(card.words_per_page)),
    ]
    if card.organization:
        card_items.append(Item("Organization", card.organization))
    if card.indicative:
        card_items.append(
            Item(
                "Indicative",
                "built from public figures, not an organization's standard costs",
            )
        )

    rates = _rates_used(estimate)
    stated = tuple(
        StatedAmount(a.spec.title, f"{currency} {money_text(a.spec.amount)}", a.spec.justification)
        for a in estimate.proposal.activities
        if isinstance(a.spec, Services)
    )
    escalation = (
        f"Rates are escalated by {number_text(card.escalation * 100)}% a year: the value used for "
        "a year is the latest in force on 1 January of that year, times (1 + escalation) to the "
        "power of the number of years since the year of that value. Amounts stated in the "
        "proposal are not escalated."
    )
    if card.escalation_source:
        escalation += f" Source of the escalation: {card.escalation_source}"

    assumptions: list[str] = []
    for a in estimate.proposal.activities:
        if a.spec.note:
            assumptions.append(f"{a.spec.title}: {a.spec.note}")
        for d in a.defaults:
            assumptions.append(
                f"{a.spec.title}: {d.key} = {_value_text(d.value)}, default of template "
                f"{a.template}: {d.why}"
            )
    for r in rates:
        if r.basis == BASIS_LABELS["assumed"] and r.derivation:
            assumptions.append(f"{r.rate}: {r.derivation}")
    if card.words_per_page_source:
        assumptions.append(f"Words per page: {card.words_per_page_source}")
    if card.notes:
        assumptions.append(f"Rate card: {card.notes}")
    assumptions.extend(d.message for d in estimate.warnings)

    external = round_half_up(estimate.external_human_resources, round_to)
    return AnnexView(
        short_form=estimate.total == 0,
        reference=info.reference,
        title=info.title,
        identification=tuple(identification),
        currency=currency,
        rounding=rounding,
        summary=tuple(summary),
        article34_verdict=estimate.article34.verdict,
        article34_statement=article34_statement(estimate.article34),
        requests=tuple(info.requests),
        activities=tuple(_activity_view(estimate, a) for a in estimate.proposal.activities),
        tables=(by_element, by_unit, by_funding),
        servicing=servicing,
        external=f"{currency} {amount_text(external)}",
        goals=goals,
        card=tuple(card_items),
        rates=rates,
        stated=stated,
        escalation=escalation,
        rounding_rule=f"{ROUNDING_RULE} {rounding}",
        assumptions=tuple(assumptions),
        stamp=(
            f"finimpact {__version__} · rate card {card.id} sha256 {estimate.card_sha256} · "
            f"proposal sha256 {estimate.proposal.sha256}"
        ),
    )


def _value_text(value: object) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, Decimal):
        return number_text(value)
    return str(value)


def _rates_used(estimate: Estimate) -> tuple[RateUsed, ...]:
    """Each rate value the lines use, once, in the order of first use."""
    seen: dict[tuple[str, str], RateUsed] = {}
    currency = estimate.currency
    for line in estimate.lines:
        if line.basis == "stated" or line.rate_from is None:
            continue
        key = (line.rate_id, line.rate_from.isoformat())
        if key in seen:
            continue
        rate = estimate.rates.get(line.rate_id)
        value = rate.in_force(line.rate_from) if rate is not None else None
        explanation = None
        if value is not None:
            explanation = value.derivation or value.assumption
        seen[key] = RateUsed(
            rate=f"{line.rate_label} ({line.rate_id})",
            unit=rate.unit if rate is not None else line.quantity_unit,
            value=f"{currency} {money_text(line.rate)}",
            date=line.rate_from.isoformat(),
            basis=BASIS_LABELS.get(line.basis, line.basis),
            source=line.source,
            derivation=explanation,
        )
    return tuple(sorted(seen.values(), key=lambda r: (r.rate, r.date)))
