"""The annex's view model: everything the statement of financial implications shows, built once
from an estimate, every figure already rounded and formatted as text.

The Markdown, HTML and Word renderers (``estimator.render.annex``) only read it: templates do no
arithmetic. Figures are rounded to the unit the user chooses (1, 100 or 1,000) once, cost by
cost (``_Costs``, ``estimator.render.rounding.round_cells``): every figure is a sum of the same
rounded cells, so the same costs show the same figure in every table, and every table adds up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from cost_models.kinds import KINDS
from cost_models.kinds.documentation import STAGES
from cost_models.kinds.meeting import LOCATIONS
from cost_models.kinds.staff import Staff
from cost_models.needs import ELEMENTS
from cost_models.parameters import BUDGET_UNITS, FUNDING, GRADES, LANGUAGE_NAMES, Stated
from estimator import __version__
from estimator.core.estimate import Assessment, CostLine, Estimate
from estimator.core.model import Activity, TemplateDefault
from estimator.core.templates import ActivityTemplate, find
from estimator.render.caveats import caveats
from estimator.render.rounding import (
    ROUNDING_UNITS,
    Figure,
    round_cells,
    round_half_up,
    shares,
)
from estimator.render.scripts import as_written, direction, starts_left_to_right
from estimator.render.wording import (
    ACTION_LABELS,
    BASIS_LABELS,
    BASIS_SHARES,
    FORMATS,
    FUNDING_LABELS,
    FUNDING_SOURCES,
    N_,
    NO_489_SOURCE,
    NO_489_TRANSLATION,
    OFFICIAL_TEXTS,
    ROUNDING_RULE_TEXT,
    UNIT_LABELS,
    UNREVIEWED,
    VERDICT_TITLES,
    _,
    activity_title,
    amounts_unbroken,
    article34_paragraphs,
    currency_amount,
    current_language,
    instrument_text,
    join_words,
    label,
    ngettext,
    period_text,
    pgettext,
    phrase,
    sentences,
    unit_code,
)


@dataclass(frozen=True)
class Item:
    """A labelled value, e.g. ("Conference", "PP-26")."""

    label: str
    value: str
    amount: bool = False
    """True when the value is an amount (set right, as figures are); text is set left."""


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
    citation: str
    """The source, then the derivation or assumption in brackets, as the documents show them
    (:func:`_cited`)."""


@dataclass(frozen=True)
class StatedAmount:
    activity: str
    amount: str
    justification: str


@dataclass(frozen=True)
class Article34View:
    """The Article 34 conclusion: numbered paragraphs with the annex's rounded figures."""

    title: str
    """The position in words: 'Article 34 of the Convention: within the credits ...'."""
    paragraphs: tuple[str, ...]
    quote: str | None
    """The authentic French text of No. 489, quoted apart, when the credits are exceeded."""
    quote_source: str | None
    translation: str | None
    """No. 489 translated, marked unofficial, in an annex whose language has no official text
    the project can cite (every language but French); None otherwise."""
    excess: Table | None
    """Required, available and excess by year and budget unit, when a plan is exceeded."""


@dataclass(frozen=True)
class Notes:
    """Notes of one kind, as sentences under their own heading."""

    title: str
    intro: str | None
    entries: tuple[str, ...]


@dataclass(frozen=True)
class AnnexView:
    lang: str
    """The language of the words (BCP 47: 'en'), for the document's own language mark."""
    dir: str
    """The direction of the document's text: 'rtl' (Arabic) or 'ltr'."""
    short_form: bool
    """True when the proposal has no costs: the annex is a note saying so."""
    reference: str
    title: str
    identification: tuple[Item, ...]
    currency: str
    rounding: str
    """How the figures are rounded, in one sentence."""
    summary: tuple[Item, ...]
    article34: Article34View
    requests: tuple[str, ...]
    activities: tuple[ActivityView, ...]
    tables: tuple[Table, ...]
    """By object of expenditure, by budget unit and by funding, each × year."""
    servicing: tuple[Item, ...]
    """Conference servicing and other costs (sums of the rounded rows of the first table)."""
    external: str
    """Of which external human resources, rounded."""
    staff: Table | None
    """Staff by grade × year, in work-months (WHO's staffing by level), when the proposal has
    staff."""
    goals: Table | None
    """Relationship to the strategic plan: by goal × year; None when no activity names one."""
    card: tuple[Item, ...]
    rates: tuple[RateUsed, ...]
    stated: tuple[StatedAmount, ...]
    escalation: str
    rounding_rule: str
    notes: tuple[Notes, ...]
    card_notes: Notes | None
    """The rate card's own notes (words per page, its background): the same in every annex
    priced with the card, so in the appendix with the rates used."""
    """The assumptions and notes, each kind under its own heading, as sentences."""
    caveats: tuple[str, ...]
    """What a committee should know about the figures, as sentences (never diagnostics)."""
    stamp: str
    unreviewed: str | None
    """In a language other than English: the one line saying that the fixed text was translated
    for the tool and not reviewed by the Union's language services."""


def amount_text(value: Decimal) -> str:
    """A rounded amount with thousands separators: 123400 → '123,400'."""
    return FORMATS.whole(value)


def nil_or_amount(value: Decimal) -> str:
    """A cell of a table of amounts: nil ('–') for zero, as budget tables show it, else the
    rounded amount."""
    return pgettext("nil amount", "\u2013") if value == 0 else amount_text(value)


def number_text(value: Decimal | int) -> str:
    """A quantity as written, with thousands separators: 8000 → '8,000', 0.5 → '0.5'."""
    return FORMATS.number(value)


def money_text(value: Decimal | int) -> str:
    """A sum of money as written, with at least two decimals: 10048.3 → '10,048.30', 366 →
    '366.00', 0.4984 → '0.4984' (a rate may have more decimals than the cent: never cut)."""
    return FORMATS.money(value)


def describe(activity: Activity, years: tuple[int, ...], currency: str) -> str:
    """What an activity does, in one sentence a delegate understands (its kind's wording)."""
    return phrase(
        KINDS.describe(
            activity.spec,
            years,
            lambda amount: currency_amount(currency, money_text(amount)),
        )
    )


def _stated_amounts(estimate: Estimate) -> tuple[StatedAmount, ...]:
    """Each amount the proposal states, as it states it: its figure and when it falls ('CHF
    50,000.00 once, in 2030', 'a year, 2027–2030', 'in total over 2027–2030')."""
    lines: dict[str, list[CostLine]] = {}
    for line in estimate.lines:
        if line.basis == "stated":
            lines.setdefault(line.activity, []).append(line)
    out: list[StatedAmount] = []
    for a in estimate.proposal.activities:
        found = lines.get(a.id)
        if not found:
            continue
        spec = a.spec
        in_total = isinstance(spec, Stated) and spec.per == "total"
        value = sum((line.amount for line in found), Decimal(0)) if in_total else found[0].rate
        years = estimate.proposal.years_of(a)
        when = phrase(spec.timing(years)) if isinstance(spec, Stated) else _("a year")
        amount = _("%(amount)s %(when)s") % {
            "amount": currency_amount(estimate.currency, money_text(value)),
            "when": when,
        }
        out.append(
            StatedAmount(
                activity_title(_written(spec.title), a.part), amount, _written(found[0].source)
            )
        )
    return tuple(out)


def _written(text: str) -> str:
    """Text as its author wrote it, its amounts unbroken (wording.amounts_unbroken), kept whole
    in a right-to-left document (scripts.as_written)."""
    return as_written(amounts_unbroken(text), current_language())


def _cited(source: str, explanation: str | None) -> str:
    """A rate's source, then its derivation or assumption in brackets, each as its author wrote
    it. In a right-to-left document, a source in English and its English derivation are set
    apart as one text, the brackets inside it: they read 'UN A/79/7 (USD 92,900 / 8 months
    ...)' from left to right, never 'USD 92,90) months ... (2025' as when the brackets stood in
    the Arabic between two English texts; an Arabic source keeps its place, the brackets going
    with the derivation they hold."""
    if not explanation:
        return _written(source)
    if starts_left_to_right(source):
        return _written(f"{source} ({explanation})")
    return f"{_written(source)} {_written(f'({explanation})')}"


def _instrument(written: str) -> str:
    """The instrument in the output's language when it is a usual name, else as written."""
    named = instrument_text(written)
    return named if named != written else _written(written)


def _activity_key(key: str | None) -> tuple[int, str]:
    index, _sep, id = str(key).partition(":")
    return int(index), id


def _activity_view(
    estimate: Estimate,
    activity: Activity,
    cost: tuple[str, ...] | None,
    header: tuple[str, ...],
) -> ActivityView:
    proposal = estimate.proposal
    spec = activity.spec
    details = []
    nil = nil_or_amount(Decimal(0))
    if cost is not None and cost[-1] == nil:
        details.append(Item(_("Cost"), _("nil, once rounded")))
    elif cost is not None and len(proposal.years_of(activity)) == 1:
        details.append(Item(_("Cost"), currency_amount(estimate.currency, cost[-1])))
    elif cost is not None:
        years = [
            _("%(year)s: %(amount)s") % {"year": year, "amount": amount}
            for year, amount in zip(header[1:-1], cost[1:-1], strict=True)
            if amount != nil
        ]
        details.append(
            Item(
                _("Cost"),
                _("%(total)s (%(years)s)")
                % {
                    "total": currency_amount(estimate.currency, cost[-1]),
                    "years": pgettext("list of amounts", "; ").join(years),
                },
            )
        )
    details += [
        Item(_("Years"), period_text(proposal.years_of(activity))),
        Item(_("Budget unit"), unit_code(proposal.unit_of(activity))),
        Item(_("Funding"), _(FUNDING_LABELS[spec.funding])),
    ]
    if spec.goal is not None:
        details.append(Item(_("Strategic goal"), _goal_label(estimate, spec.goal)))
    if activity.template is not None:
        details.append(Item(_("Template"), activity.template))
    return ActivityView(
        id=spec.id,
        title=activity_title(_written(spec.title), activity.part),
        kind=phrase(KINDS[spec.kind].label),
        description=describe(activity, proposal.years_of(activity), estimate.currency),
        details=tuple(details),
        note=_written(spec.note) if spec.note else spec.note,
    )


def _goal_label(estimate: Estimate, goal: str | None) -> str:
    if goal is None:
        return _("Not linked to a goal")
    title = estimate.goal_titles.get(goal)
    if title:
        return _("Goal %(goal)s: %(title)s") % {"goal": goal, "title": title}
    return _("Goal %(goal)s") % {"goal": goal}


CellKey = tuple[int, str, str, str, str, str | None, bool, int]


def _cell_key(line: CostLine) -> CellKey:
    """The finest grain every figure of the annex is a sum of: an activity's object of
    expenditure in a year (with what the activity's lines share: budget unit, funding, goal,
    and whether the costs are external human resources)."""
    return (
        line.index,
        line.activity,
        line.element,
        line.unit,
        line.funding,
        line.goal,
        line.external,
        line.year,
    )


class _Costs:
    """The estimate's costs in cells (`_cell_key`), rounded once for the whole annex
    (rounding.round_cells): every figure the annex shows is a sum of these rounded cells, so
    that the same costs show the same figure in every table, and every table adds up."""

    def __init__(
        self,
        estimate: Estimate,
        unit: int,
        by_year: Sequence[Callable[[CostLine], object]],
        whole: Sequence[Callable[[CostLine], object]],
    ) -> None:
        """`by_year`: what the tables give by year and in all (object of expenditure, budget
        unit, ...); `whole`: what the annex gives in all only (recurring costs, ...): each of
        these sums is a figure of the rounding."""
        self.years = estimate.proposal.info.years
        index: dict[CellKey, int] = {}
        self.lines: list[CostLine] = []
        exact: list[Decimal] = []
        for line in estimate.lines:
            k = index.setdefault(_cell_key(line), len(self.lines))
            if k == len(self.lines):
                self.lines.append(line)
                exact.append(Decimal(0))
            exact[k] += line.amount
        self.exact = exact
        groupings: list[Callable[[CostLine], object]] = [*whole]
        for key in by_year:
            groupings += [key, _and_year(key)]
        self.figures = [
            Figure(cells, sum((exact[i] for i in cells), Decimal(0)))
            for by in groupings
            for cells in self._groups(by).values()
        ]
        self.unit = unit
        self.rounded: tuple[Decimal, ...] = ()
        self.worst = Decimal(0)

    def _groups(self, key: Callable[[CostLine], object]) -> dict[object, tuple[int, ...]]:
        groups: dict[object, list[int]] = {}
        for i, line in enumerate(self.lines):
            groups.setdefault(key(line), []).append(i)
        return {k: tuple(v) for k, v in groups.items()}

    def cells(self, where: Callable[[CostLine], bool]) -> tuple[int, ...]:
        return tuple(i for i, line in enumerate(self.lines) if where(line))

    def add(self, cells: tuple[int, ...], exact: Decimal) -> None:
        """One more figure the annex shows (before `round`)."""
        self.figures.append(Figure(cells, exact))

    def round(self) -> None:
        result = round_cells(self.exact, self.figures, self.unit)
        self.rounded, self.worst = result.cells, result.worst

    def year_totals(self) -> list[Decimal]:
        totals = dict.fromkeys(self.years, Decimal(0))
        for line, rounded in zip(self.lines, self.rounded, strict=True):
            totals[line.year] += rounded
        return list(totals.values())

    def shown(self, cells: Sequence[int]) -> Decimal:
        return sum((self.rounded[i] for i in cells), Decimal(0))

    def sum(self, where: Callable[[CostLine], bool]) -> Decimal:
        return self.shown(self.cells(where))

    def table(
        self, key: Callable[[CostLine], str | None]
    ) -> dict[str | None, tuple[Decimal, dict[int, Decimal]]]:
        """By `key`: the exact total, and the rounded amount of each year."""
        out: dict[str | None, tuple[Decimal, dict[int, Decimal]]] = {}
        for i, line in enumerate(self.lines):
            total, shown = out.get(key(line), (Decimal(0), {}))
            shown[line.year] = shown.get(line.year, Decimal(0)) + self.rounded[i]
            out[key(line)] = (total + self.exact[i], shown)
        return out


def _table(
    id: str,
    title: str,
    label_header: str,
    costs: _Costs,
    key: Callable[[CostLine], str | None],
    order: Sequence[str | None],
    label: Callable[[str | None], str],
    keep_empty: bool = False,
) -> tuple[Table, list[tuple[str | None, Decimal]]]:
    """A table of amounts by `key` × year, each the sum of its rounded cells (`_Costs`), so
    that rows and columns add up and equal costs show equal figures in every table.

    Returns the table and each row's key with its rounded total."""
    years = costs.years
    sums = costs.table(key)
    present = [k for k in order if k in sums or keep_empty]
    present += sorted((k for k in sums if k not in order), key=lambda k: (k is None, k or ""))
    if not keep_empty:  # a row of nothing but zeros (a rate priced at nil) says nothing
        present = [k for k in present if k in sums and sums[k][0]]
    cells = [
        [sums[k][1].get(y, Decimal(0)) if k in sums else Decimal(0) for y in years] for k in present
    ]
    row_totals = [sum(row, Decimal(0)) for row in cells]
    rows = tuple(
        (label(k), *map(nil_or_amount, row), nil_or_amount(row_total))
        for k, row, row_total in zip(present, cells, row_totals, strict=True)
    )
    year_totals = costs.year_totals()
    table = Table(
        id=id,
        title=title,
        header=(label_header, *(str(y) for y in years), _("Total")),
        rows=rows,
        total=(
            _("Total"),
            *map(nil_or_amount, year_totals),
            nil_or_amount(sum(year_totals, Decimal(0))),
        ),
    )
    return table, list(zip(present, row_totals, strict=True))


OTHER_COSTS = N_("Other costs (staff, consultants, travel, fellowships, services)")
SERVICING_GROUPS: tuple[tuple[str, frozenset[str]], ...] = (
    (
        N_("Conference servicing: meetings (interpretation, rooms, remote participation)"),
        frozenset({"interpretation", "conference-services", "remote-participation"}),
    ),
    (
        N_("Conference servicing: documentation (translation, processing)"),
        frozenset({"translation", "documentation-processing"}),
    ),
)
"""The conference-servicing objects of expenditure by group, as the UN's statements give them
(cost_models.needs.ELEMENTS marks which are conference servicing); the rest are other costs."""


def _activity_of(line: CostLine) -> str:
    """The by-activity table's key: an activity, by its position and id."""
    return f"{line.index}:{line.activity}"


def _servicing_group(line: CostLine) -> str:
    """The conference-servicing group of a line's object of expenditure, or the other costs."""
    return next((g for g, members in SERVICING_GROUPS if line.element in members), OTHER_COSTS)


def _conference_servicing(line: CostLine) -> bool:
    return line.element in ELEMENTS and ELEMENTS[line.element].conference_servicing


def _staff_table(estimate: Estimate) -> Table | None:
    """The staff the proposal asks for, as WHO's statements give staffing by level: work-months
    of each grade in each year (posts × work-months a year, 12 for a full-time post), with
    totals; None without staff."""
    proposal = estimate.proposal
    years = proposal.info.years
    months: dict[str, dict[int, Decimal]] = {}
    for a in proposal.activities:
        if isinstance(a.spec, Staff):
            row = months.setdefault(a.spec.grade, {})
            for year in proposal.years_of(a):
                row[year] = row.get(year, Decimal(0)) + a.spec.posts * a.spec.work_months
    if not months:
        return None

    def shown(value: Decimal) -> str:
        return number_text(value) if value else nil_or_amount(Decimal(0))

    grades = sorted(months, key=lambda g: list(GRADES).index(g) if g in GRADES else len(GRADES))
    cells = [[months[g].get(y, Decimal(0)) for y in years] for g in grades]
    by_year = [sum(column, Decimal(0)) for column in zip(*cells, strict=True)]
    return Table(
        id="staff",
        title=_("Staff by grade and year, in work-months (12 work-months are one full-time post)"),
        header=(_("Grade"), *(str(y) for y in years), _("Total")),
        rows=tuple(
            (g, *map(shown, row), shown(sum(row, Decimal(0))))
            for g, row in zip(grades, cells, strict=True)
        ),
        total=(_("Total"), *map(shown, by_year), shown(sum(by_year, Decimal(0)))),
    )


def build_view(
    estimate: Estimate, round_to: int = 100, prepared_by: str | None = None
) -> AnnexView:
    """The annex's content, every figure rounded to `round_to` and formatted; `prepared_by`
    (--prepared-by) wins over the proposal's."""
    if round_to not in ROUNDING_UNITS:
        raise ValueError(f"round_to must be one of {ROUNDING_UNITS}, not {round_to}")
    info = estimate.proposal.info
    currency = estimate.currency
    years = info.years
    span = {
        (a.index, a.id): len(estimate.proposal.years_of(a)) for a in estimate.proposal.activities
    }

    def recurring(line: CostLine) -> bool:
        return span.get((line.index, line.activity), 1) > 1

    costs = _Costs(
        estimate,
        round_to,
        by_year=(
            lambda line: None,
            lambda line: line.element,
            lambda line: line.unit,
            lambda line: line.funding,
            _activity_of,
            lambda line: line.goal,
            _servicing_group,
        ),
        whole=(recurring, _conference_servicing, lambda line: line.external),
    )
    _article34_figures(estimate.article34, round_to, costs)
    costs.round()
    grand = costs.sum(lambda line: True)
    year_totals = costs.year_totals()
    if round_to == 1:
        rounding = _(
            "Amounts in %(currency)s, rounded to the nearest unit; each cost is rounded once, so "
            "that the same costs show the same figure in every table and the rounded parts add "
            "up to the rounded totals."
        )
    else:
        rounding = _(
            "Amounts in %(currency)s, rounded to the nearest %(unit)s; each cost is rounded once, "
            "so that the same costs show the same figure in every table and the rounded parts "
            "add up to the rounded totals."
        )
    if costs.worst >= 1:
        rounding = sentences(
            [
                rounding,
                _(
                    "To show the same costs with the same figure in every table, some figures "
                    "differ from the exact amounts by %(unit)s or more; the workbook gives the "
                    "exact amounts."
                ),
            ]
        )
    rounding %= {"currency": currency, "unit": number_text(round_to)}

    identification = [
        Item(_("Reference"), info.reference),
        Item(_("Title"), _written(info.title)),
        Item(_("Conference"), info.conference),
        Item(
            _("Submitted by"),
            pgettext("list separator", ", ").join(_written(s) for s in info.submitted_by),
        ),
    ]
    if info.action:
        identification.append(Item(_("Action"), _(ACTION_LABELS[info.action])))
    if info.instrument:
        identification.append(Item(_("Instrument"), _instrument(info.instrument)))
    identification.append(Item(_("Responsible budget unit"), _(UNIT_LABELS[info.responsible])))
    identification.append(Item(_("Period"), period_text(years)))
    if info.submitted:
        identification.append(Item(_("Submitted"), info.submitted))
    # Who prepared it and when: as stated (--prepared-by, the proposal's keys), never guessed;
    # not stated, the line is left out
    prepared_by = prepared_by or info.prepared_by
    if prepared_by:
        identification.append(Item(_("Prepared by"), prepared_by))
    if info.prepared:
        identification.append(Item(_("Date of preparation"), info.prepared))

    by_element, _rows = _table(
        "by-element",
        _("By object of expenditure"),
        _("Object of expenditure"),
        costs,
        lambda line: line.element,
        list(ELEMENTS),
        lambda k: _(ELEMENTS[k].label) if k in ELEMENTS else str(k),
    )
    # The object table's rows in groups: conference servicing for meetings, for documentation,
    # and the other costs (the conference-servicing lines below are their sums)
    by_servicing, _rows = _table(
        "by-servicing",
        _("Conference servicing and other costs"),
        _("Objects of expenditure"),
        costs,
        _servicing_group,
        [*(title for title, _members in SERVICING_GROUPS), OTHER_COSTS],
        lambda k: _(str(k)),
    )
    by_unit, _rows = _table(
        "by-unit",
        _("By budget unit"),
        _("Budget unit"),
        costs,
        lambda line: line.unit,
        list(BUDGET_UNITS),
        lambda k: label(UNIT_LABELS, str(k)),
    )
    by_funding, funding_rows = _table(
        "by-funding",
        _("By source of funding"),
        _("Funding"),
        costs,
        lambda line: line.funding,
        list(FUNDING),
        lambda k: label(FUNDING_LABELS, str(k)),
        keep_empty=True,
    )
    titles = {
        (a.index, a.id): activity_title(_written(a.spec.title), a.part)
        for a in estimate.proposal.activities
    }
    by_activity, activity_rows = _table(
        "by-activity",
        _("By activity"),
        _("Activity"),
        costs,
        _activity_of,
        [f"{a.index}:{a.id}" for a in estimate.proposal.activities],
        lambda k: titles.get(_activity_key(k), str(k)),
    )
    activity_costs = {
        _activity_key(k): row for (k, _t), row in zip(activity_rows, by_activity.rows, strict=True)
    }
    goals: Table | None = None
    if any(line.goal is not None for line in estimate.lines):
        goals, _rows = _table(
            "by-goal",
            _("By goal of the strategic plan"),
            _("Strategic goal"),
            costs,
            lambda line: line.goal,
            sorted(estimate.goal_titles),
            lambda k: _goal_label(estimate, k),
        )

    servicing_total = costs.sum(_conference_servicing)
    servicing = (
        Item(
            _("Conference servicing (interpretation, documentation, meeting services)"),
            amount_text(servicing_total),
        ),
        Item(
            _(OTHER_COSTS),
            amount_text(grand - servicing_total),
        ),
    )

    recurring_shown = costs.sum(recurring)
    one_off_shown = grand - recurring_shown
    funding_text = pgettext("list of amounts", "; ").join(
        _("%(source)s %(amount)s")
        % {
            "source": _(FUNDING_SOURCES[str(k)]),
            "amount": currency_amount(currency, amount_text(t)),
        }
        for k, t in funding_rows
        if t > 0
    )
    summary = [
        Item(
            _("Total over the period %(years)s") % {"years": period_text(years)},
            currency_amount(currency, amount_text(grand)),
            amount=True,
        ),
        Item(
            _("First year (%(year)s)") % {"year": years[0]},
            currency_amount(currency, amount_text(year_totals[0])),
            amount=True,
        ),
        Item(
            _("Recurring (activities in more than one year)"),
            currency_amount(currency, amount_text(recurring_shown)),
            amount=True,
        ),
        Item(
            _("One-off (activities in a single year)"),
            currency_amount(currency, amount_text(one_off_shown)),
            amount=True,
        ),
        Item(_("Funding"), funding_text or _("none")),
        Item(_("Basis of the figures"), _basis_text(estimate)),
    ]

    card = estimate.card
    card_items = [
        Item(
            _("Rate card"), _("%(id)s: %(title)s") % {"id": card.id, "title": _written(card.title)}
        ),
        Item(_("Version (sha256)"), estimate.card_sha256),
        Item(_("Currency"), card.currency),
        Item(_("Words per page"), number_text(card.words_per_page)),
    ]
    if card.organization:
        card_items.append(Item(_("Organization"), card.organization))
    if card.indicative:
        card_items.append(
            Item(
                _("Indicative"),
                _("built from public figures, not an organization's standard costs"),
            )
        )

    rates = _rates_used(estimate)
    stated = _stated_amounts(estimate)
    escalation = _(
        "Rates are escalated by %(percent)s%% a year: the value used for a year is the latest in "
        "force on 1 January of that year, times (1 + escalation) to the power of the number of "
        "years since the year of that value. Amounts stated in the proposal are not escalated."
    ) % {"percent": number_text(card.escalation * 100)}
    if card.escalation_source:
        escalation = sentences(
            [
                escalation,
                _("Source of the escalation: %(source)s")
                % {"source": _written(card.escalation_source)},
            ]
        )

    notes, card_notes = _notes(estimate, stated)

    external = costs.sum(lambda line: line.external)
    return AnnexView(
        lang=current_language(),
        dir=direction(current_language()),
        short_form=estimate.total == 0,
        reference=info.reference,
        title=_written(info.title),
        identification=tuple(identification),
        currency=currency,
        rounding=rounding,
        summary=tuple(summary),
        article34=_article34(estimate.article34, round_to, costs),
        requests=tuple(_written(r) for r in info.requests),
        activities=tuple(
            _activity_view(estimate, a, activity_costs.get((a.index, a.id)), by_activity.header)
            for a in estimate.proposal.activities
        ),
        tables=(
            by_element,
            by_servicing,
            by_unit,
            by_funding,
            by_activity,
        ),
        servicing=servicing,
        external=currency_amount(currency, amount_text(external)),
        staff=_staff_table(estimate),
        goals=goals,
        card=tuple(card_items),
        rates=rates,
        stated=stated,
        escalation=escalation,
        rounding_rule=sentences([_(ROUNDING_RULE_TEXT), rounding]),
        notes=notes,
        card_notes=card_notes,
        caveats=caveats(estimate),
        stamp=_(
            "finimpact %(version)s · rate card %(card)s sha256 %(card_sha256)s · proposal sha256 "
            "%(sha256)s"
        )
        % {
            "version": __version__,
            "card": card.id,
            "card_sha256": estimate.card_sha256,
            "sha256": estimate.proposal.sha256,
        },
        unreviewed=_(UNREVIEWED) if current_language() != "en" else None,
    )


def _and_year(key: Callable[[CostLine], object]) -> Callable[[CostLine], object]:
    return lambda line: (key(line), line.year)


def _funded_from(source: str) -> Callable[[CostLine], bool]:
    return lambda line: line.funding == source


def _additional(costs: _Costs, year: int | None = None, unit: str | None = None) -> tuple[int, ...]:
    """The cells of additional credits, in a year and budget unit if named."""
    return costs.cells(
        lambda line: (
            line.funding == "additional" and year in (None, line.year) and unit in (None, line.unit)
        )
    )


def _article34_figures(a: Assessment, unit: int, costs: _Costs) -> None:
    """The figures of the excess table, for the rounding (`_Costs.add`): each year and unit's
    additional credits (required), and the excess, which is required less the credits
    available rounded apart: the cells of what is required standing for the exact excess plus
    the available credits as shown, so that the excess shown is within a unit of the exact one
    wherever the rounding can do so; and the same for all of them."""
    required = Decimal(0)
    shifted = Decimal(0)
    for p in a.exceeded:
        cells = _additional(costs, p.year, p.unit)
        costs.add(cells, p.additional)
        costs.add(cells, p.excess + round_half_up(p.headroom, unit))
        required += p.additional
        shifted += p.excess + round_half_up(p.headroom, unit)
    if a.exceeded:
        cells = tuple(i for p in a.exceeded for i in _additional(costs, p.year, p.unit))
        costs.add(cells, required)
        costs.add(cells, shifted)


def _article34(a: Assessment, unit: int, costs: _Costs) -> Article34View:
    """The conclusion with the figures the tables show: the additional credits, the costs met
    within existing provisions and from voluntary contributions are the funding table's rounded
    figures (in all, and by year outside the plan); each year and unit's required credits are
    the rounded costs they are made of, its available credits are rounded to the unit apart (a
    credit, not a cost), and its excess is the difference, so that the excess table adds up as
    it reads."""
    shown: dict[Decimal, Decimal] = {}
    for source in ("additional", "existing", "extrabudgetary"):
        shown.setdefault(getattr(a, source), costs.sum(_funded_from(source)))
    shown.setdefault(
        a.existing + a.extrabudgetary,
        costs.sum(lambda line: line.funding in ("existing", "extrabudgetary")),
    )
    for year, value in a.outside_by_year.items():
        shown.setdefault(value, costs.shown(_additional(costs, year)))
    rows: list[tuple[str, ...]] = []
    required_total = available_total = excess_total = Decimal(0)
    for p in a.exceeded:
        available = round_half_up(p.headroom, unit)
        required = costs.shown(_additional(costs, p.year, p.unit))
        excess = required - available
        shown.setdefault(p.headroom, available)
        shown.setdefault(p.additional, required)
        shown.setdefault(p.additional - p.headroom, excess)
        required_total += required
        available_total += available
        excess_total += excess
        rows.append(
            (
                str(p.year),
                unit_code(p.unit),
                amount_text(required),
                amount_text(available),
                amount_text(excess),
            )
        )
    shown.setdefault(a.excess, excess_total)

    def say(value: Decimal) -> str:
        rounded = shown.get(value)
        if rounded is None:
            rounded = round_half_up(value, unit)
        return currency_amount(a.currency, amount_text(rounded))

    excess_table = None
    if rows:
        excess_table = Table(
            id="article34-excess",
            title=_("Additional credits against the credits available, where exceeded"),
            header=(_("Year"), _("Budget unit"), _("Required"), _("Available"), _("Excess")),
            rows=tuple(rows),
            total=(
                _("Total"),
                "",
                amount_text(required_total),
                amount_text(available_total),
                amount_text(excess_total),
            ),
        )
    paragraphs = article34_paragraphs(a, say, quote_inline=False)
    provision = a.provision if a.exceeded else None
    return Article34View(
        title=_("Article 34 of the Convention: %(position)s")
        % {"position": _(VERDICT_TITLES[a.verdict])},
        paragraphs=tuple(sentences(p) for p in paragraphs),
        quote=str(provision["text"]) if provision else None,
        quote_source=_(NO_489_SOURCE) if provision else None,
        translation=(
            _("Unofficial translation: %(text)s") % {"text": _(NO_489_TRANSLATION)}
            if provision and current_language() not in OFFICIAL_TEXTS
            else None
        ),
        excess=excess_table,
    )


def _basis_text(estimate: Estimate) -> str:
    """The share of the total resting on published, derived, assumed and stated figures, as
    the command line's summary gives it (rounding.shares: they add up to 100.0), in one line."""
    by_basis = shares(estimate.by_basis())
    return pgettext("list of amounts", "; ").join(
        _("%(basis)s %(percent)s%%")
        % {"basis": label(BASIS_SHARES, basis), "percent": FORMATS.percent(share)}
        for basis, share in sorted(by_basis.items(), key=lambda kv: list(BASIS_SHARES).index(kv[0]))
    )


def _notes(
    estimate: Estimate, stated: Sequence[StatedAmount]
) -> tuple[tuple[Notes, ...], Notes | None]:
    """The assumptions and notes as sentences, each kind under its own heading: the proposal's
    notes (once for an activity a template expands into several), the quantities a template
    supplied, the currency of stated amounts; and apart, for the appendix, the rate card's own
    notes (a rate that rests on an assumption says so in the appendix, with the assumption).
    Never a key, a code or a value as a program writes it."""
    activity_notes: dict[int, str] = {}
    defaults: list[str] = []
    for a in estimate.proposal.activities:
        entry = a.spec.title.rsplit(": ", 1)[0] if a.template is not None else a.spec.title
        if a.spec.note and a.index not in activity_notes:
            noted = _("%(activity)s: %(note)s")
            if starts_left_to_right(entry) and starts_left_to_right(a.spec.note):
                # an English title and its English note read as one, left to right (in Arabic)
                noted = _written(noted % {"activity": entry, "note": a.spec.note})
            else:
                noted %= {"activity": _written(entry), "note": _written(a.spec.note)}
            activity_notes[a.index] = noted
        template = find(a.template)[0] if a.template is not None else None
        for d in a.defaults:
            defaults.append(
                _default_sentence(activity_title(_written(a.spec.title), a.part), template, d)
            )
    card = estimate.card
    about_card: list[str] = []
    if card.words_per_page_source:
        about_card.append(
            _("Words per page (%(words)s): %(source)s")
            % {
                "words": number_text(card.words_per_page),
                "source": _written(card.words_per_page_source),
            }
        )
    if card.notes:
        about_card += [_written(p.strip()) for p in card.notes.split("\n\n") if p.strip()]
    other: list[str] = []
    if stated and estimate.proposal.info.currency is None:
        other.append(
            _(
                "The proposal does not name the currency of the amounts it states: they were "
                "taken in %(currency)s, the currency of the rate card."
            )
            % {"currency": estimate.currency}
        )
    groups = [
        Notes(_("Notes on the activities"), None, tuple(activity_notes.values())),
        Notes(
            _("Quantities supplied by the activity templates"),
            _(
                "Where the proposal does not give a quantity, the conference activity template "
                "it uses supplies one, for the reason given."
            ),
            tuple(defaults),
        ),
        Notes(_("Currency"), None, tuple(other)),
    ]
    card_notes = Notes(_("About the rate card"), None, tuple(about_card)) if about_card else None
    return tuple(g for g in groups if g.entries), card_notes


def _default_sentence(
    activity: str, template: ActivityTemplate | None, default: TemplateDefault
) -> str:
    """A template's default in words: 'Focus group: meetings, remote participation: yes.
    Focus groups are open to non-members worldwide and offer remote participation.'"""
    value = default.value
    param = template.parameters.get(default.key) if template is not None else None
    if param is None:  # the year a part falls in, chosen by the template
        years = tuple(value) if isinstance(value, list | tuple) else (value,)
        what = ngettext("year", "years", len(years))
        shown = period_text(years)
    else:
        what = _(param.label)
        shown = _default_value_text(param.type, value)
    return _("%(activity)s, %(label)s: %(value)s. %(why)s") % {
        "activity": activity,
        "label": what,
        "value": shown,
        "why": _(default.why),
    }


def _default_value_text(kind: str, value: object) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if kind == "languages" and isinstance(value, list | tuple):
        names = [label(LANGUAGE_NAMES, str(code)) for code in value]
        return join_words(names) if names else _("none")
    if isinstance(value, str) and value in LOCATIONS:
        return _(LOCATIONS[value])
    if isinstance(value, str) and value in STAGES:
        return _(STAGES[value])
    if isinstance(value, list | tuple):
        return join_words([str(v) for v in value]) if value else _("none")
    if isinstance(value, Decimal | int | float):
        return number_text(Decimal(str(value)))
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
            rate=_written(line.rate_label),
            unit=_(rate.unit if rate is not None else line.quantity_unit),
            value=currency_amount(currency, money_text(line.rate)),
            date=FORMATS.date(line.rate_from),
            basis=label(BASIS_LABELS, line.basis),
            source=_written(line.source),
            derivation=_written(explanation) if explanation else explanation,
            citation=_cited(line.source, explanation),
        )
    return tuple(sorted(seen.values(), key=lambda r: (r.rate, r.date)))
