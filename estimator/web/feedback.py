"""What the page shows beside the form: the estimate's totals and the problems, each problem at
the field it concerns. Words and numbers come from the presentation layer
(``estimator.render.wording``), as the command line's summary does; nothing is priced here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from cost_models.needs import ELEMENTS
from cost_models.parameters import HOW_TO_WRITE_NUMBERS, NOT_A_NUMBER
from estimator.api import Diagnostic, Estimate, Outcome, RenderOptions, Severity
from estimator.core.templates import UNQUOTED
from estimator.render.rounding import shares
from estimator.render.scripts import direction, ltr
from estimator.render.wording import (
    BASIS_EXPLAINED,
    FORMATS,
    FUNDING_LABELS,
    UNIT_LABELS,
    VERDICTS,
    _,
    article34_statement,
    currency_amount,
    label,
    labelled,
    language,
    ngettext,
)
from estimator.web.fields import KIND_FORMS
from estimator.web.form import field_name, label_of

FORM_WORDS = {NOT_A_NUMBER: "must be a number, like 5"}
"""A file's words that the form says otherwise: a field has no quotes to leave out."""
FILE_ADVICE = (HOW_TO_WRITE_NUMBERS, UNQUOTED)
"""Advice about quotes that ends a file's message; the form leaves it out."""


def form_words(message: str) -> str:
    """A diagnostic's message as the form says it."""
    message = FORM_WORDS.get(message, message)
    for advice in FILE_ADVICE:
        message = message.removesuffix(advice)
    return message


@dataclass(frozen=True)
class Problem:
    field: str
    """The form field it concerns ('' for the proposal as a whole)."""
    message: str
    hint: str
    warning: bool
    key: str
    """Where it is, as the user wrote it (``rate 'staff.P3', value of 2024-01-01``), for a
    problem that no field of the form holds."""
    label: str = ""
    """The field as a person reads it ("Activity 'workshop': Days", 'Activity 2: Days' for an
    activity without an id)."""

    @property
    def text(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


@dataclass(frozen=True)
class TotalRow:
    label: str
    amount: str
    share: str = ""


@dataclass(frozen=True)
class TotalsTable:
    id: str
    caption: str
    head: str
    """The heading of the rows' column ('Year', 'Budget unit')."""
    rows: list[TotalRow]
    share: str = ""
    """The heading of the shares' column, when the table has one."""


@dataclass(frozen=True)
class Totals:
    """The estimate as the page shows it beside the form, in the language of the documents
    (the one chosen for the downloads, else the proposal's, else English): its words from the
    catalogues and its figures in the language's formats, as the annex has them."""

    lang: str
    dir: str
    """'rtl' for Arabic, else 'ltr'."""
    currency: str
    title: str
    """'Total', in the language."""
    total: str
    """The total with its currency, in the language ('1 234,50 CHF' in French)."""
    lines: str
    """How many cost lines, and of which external human resources."""
    card: str
    """The rate card, named."""
    indicative: str
    """The sentence saying that the card is built from public figures; '' when it is not."""
    article34: str
    verdict: str
    statement: str
    tables: list[TotalsTable]
    status_total: str
    """The total as the page's own (English) status line says it: 'CHF 1,234.50'."""
    by_activity: dict[int, str]
    """Each [[activity]]'s cost (by its position), to the cent, as the form (English) says it."""


@dataclass
class Feedback:
    problems: list[Problem] = field(default_factory=list)
    totals: Totals | None = None

    @property
    def errors(self) -> int:
        return sum(not p.warning for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(p.warning for p in self.problems)

    def at(self, name: str) -> list[Problem]:
        return [p for p in self.problems if p.field == name]

    @property
    def unplaced(self) -> list[Problem]:
        return [p for p in self.problems if not p.field]

    def by_field(self) -> dict[str, list[Problem]]:
        out: dict[str, list[Problem]] = {}
        for p in self.problems:
            out.setdefault(p.field, []).append(p)
        return out

    @property
    def status(self) -> str:
        """One line for a screen reader and the top of the page: the total, or what stops it."""
        parts = []
        if self.totals is not None:
            parts.append(f"Total {self.totals.status_total}")
        elif self.errors:
            parts.append("No estimate yet")
        if self.errors:
            parts.append(f"{self.errors} problem{'s' * (self.errors > 1)} to fix")
        if self.warnings:
            parts.append(f"{self.warnings} warning{'s' * (self.warnings > 1)}")
        return "; ".join(parts)


def _rows(amounts: Mapping[Any, Decimal], names: Mapping[Any, str]) -> list[TotalRow]:
    return [TotalRow(names.get(k, str(k)), FORMATS.cents(v)) for k, v in amounts.items()]


def totals(estimate: Estimate, lang: str = "en") -> Totals:
    """The estimate's totals, its words and figures in ``lang``."""
    by_index: dict[int, Decimal] = {}
    for line in estimate.lines:
        by_index[line.index] = by_index.get(line.index, Decimal("0.00")) + line.amount
    cur = estimate.currency
    status_total = f"{cur} {FORMATS.cents(estimate.total)}"  # the page's own words: English
    by_activity = {i: FORMATS.cents(v) for i, v in by_index.items()}
    with language(lang):
        elements = {k: _(e.label) for k, e in ELEMENTS.items()}
        basis = estimate.by_basis()
        share = shares(basis)
        n = len(estimate.lines)
        lines = ngettext(
            "%(n)s cost line; of which external human resources %(external)s",
            "%(n)s cost lines; of which external human resources %(external)s",
            n,
        ) % {
            "n": FORMATS.number(n),
            "external": currency_amount(cur, FORMATS.cents(estimate.external_human_resources)),
        }
        tables = [
            TotalsTable("by-year", _("By year"), _("Year"), _rows(estimate.by_year(), {})),
            TotalsTable(
                "by-element",
                _("By object of expenditure"),
                _("Object of expenditure"),
                _rows(estimate.by_element(), elements),
            ),
            TotalsTable(
                "by-unit",
                _("By budget unit"),
                _("Budget unit"),
                _rows(estimate.by_unit(), {k: _(v) for k, v in UNIT_LABELS.items()}),
            ),
            TotalsTable(
                "by-funding",
                _("By funding"),
                _("Funding"),
                _rows(estimate.by_funding(), {k: _(v) for k, v in FUNDING_LABELS.items()}),
            ),
            TotalsTable(
                "by-basis",
                _("By basis of the rates (how solid each part is)"),
                _("Basis"),
                [
                    TotalRow(
                        label(BASIS_EXPLAINED, k),
                        FORMATS.cents(v),
                        _("%(percent)s%%") % {"percent": FORMATS.percent(share[k])},
                    )
                    for k, v in basis.items()
                ],
                share=_("Share"),
            ),
        ]
        indicative = (
            _("The rates are indicative (public figures), not ITU standard costs.")
            if estimate.card.indicative
            else ""
        )
        return Totals(
            lang=lang,
            dir=direction(lang),
            currency=cur,
            title=_("Total"),
            total=currency_amount(cur, FORMATS.cents(estimate.total)),
            lines=lines,
            card=labelled(_("Rate card"), ltr(estimate.card.id, lang)),
            indicative=indicative,
            article34=_("Article 34"),
            verdict=label(VERDICTS, estimate.article34.verdict),
            statement=article34_statement(estimate.article34),
            tables=tables,
            status_total=status_total,
            by_activity=by_activity,
        )


UNKNOWN_KIND = "unknown-kind"


def kinds_hint(hint: str) -> str:
    """An unknown kind's hint as the form gives it: the kind it is close to, if any, and the
    kinds this version knows (the command line points to 'finimpact activities' instead)."""
    close = hint if hint.startswith("did you mean") else ""
    elemental = ", ".join(n for n, k in KIND_FORMS.items() if not k.template)
    templates = ", ".join(n for n, k in KIND_FORMS.items() if k.template)
    known = f"the kinds this version knows: {elemental}; templates: {templates}"
    return f"{close} {known}" if close else known


def problem(d: Diagnostic, data: Mapping[str, Any], placed: bool = False) -> Problem:
    """A diagnostic at its field; ``placed``: a file the form could not open, whose problems
    are told at their line and column in that file."""
    name = "" if placed else field_name(d.path, data)
    if placed and d.line > 0:
        where = f"line {d.line}, column {d.col}"
        d_message = f"{where}: {d.message}"
    else:
        d_message = form_words(d.message)
    # at its field, a required key left out needs no 'add key = ...': the field is there to fill
    hint = "" if d.code == "missing" and name.count(".") >= 1 else d.hint
    if d.code == UNKNOWN_KIND and not placed:
        hint = kinds_hint(d.hint)
    return Problem(
        name,
        d_message,
        hint,
        d.severity is Severity.WARNING,
        d.where,
        label_of(name, data) if name else "",
    )


def feedback(
    outcome: Outcome | None,
    extra: list[Diagnostic],
    data: Mapping[str, Any],
    placed: bool = False,
    lang: str = "",
) -> Feedback:
    """What the page shows: every problem at its field (in English, as the command line tells
    them), and the estimate in the language of the documents: ``lang`` (the one chosen for the
    downloads), else the proposal's ``output_language``, else English, as the downloads follow."""
    diags = [*extra, *(outcome.diagnostics if outcome else [])]
    found = Feedback([problem(d, data, placed) for d in diags])
    if outcome is not None and outcome.ok and outcome.estimate is not None:
        est = outcome.estimate
        chosen = RenderOptions(language=lang or None).language_of(est.proposal.info.output_language)
        found.totals = totals(est, chosen)
    return found
