"""The pipeline: load → validate → price → assess. Rendering reads its result."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import cost_models
from cost_models.kinds import KINDS
from estimator.core.assess import assess
from estimator.core.diagnostics import Diagnostic, Severity, TextPosition, has_errors
from estimator.core.estimate import Estimate
from estimator.core.load import FileKind, Source, kind_of, not_a_proposal, parse_toml, read_toml
from estimator.core.plan import FinancialPlan, parse_plan, plan_currency_mismatch, resolve_plan
from estimator.core.price import price
from estimator.core.ratecard import RateCard, load_card, parse_card
from estimator.core.strategic import parse_plan as parse_strategic_plan
from estimator.core.strategic import proposal_goal_titles
from estimator.core.validate import validate_proposal


@dataclass(frozen=True)
class Outcome:
    """An estimate, or None when an error stopped it, and every problem found (warnings
    included: they do not stop the estimate)."""

    estimate: Estimate | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    rate_card: str | None = None
    """The id of the rate card the proposal was checked and priced with (None when no card
    could be used)."""

    @property
    def ok(self) -> bool:
        return self.estimate is not None and not has_errors(self.diagnostics)


def shipped_cards() -> dict[str, Path]:
    """The rate cards shipped with the tool, by id (the file name without .toml)."""
    return {p.stem: p for p in sorted(cost_models.CARDS.glob("*.toml"))}


def resolve_card(
    card_path: Path | None, wanted: str | None
) -> tuple[RateCard | None, list[Diagnostic]]:
    """The card to use: --rates (a file, or the id of a shipped card), else the proposal's
    rate_card, else the default card."""
    cards = shipped_cards()
    if card_path is not None and not card_path.exists():
        if str(card_path) not in cards:
            return None, [
                Diagnostic(
                    str(card_path),
                    (),
                    "no-file",
                    "no such file, and no shipped rate card has this id",
                    "shipped cards: " + ", ".join(cards) + "; or give the path of your own",
                )
            ]
        wanted, card_path = str(card_path), None
    if card_path is not None:
        return _card(card_path, None)
    card_id = wanted or cost_models.DEFAULT_CARD
    if card_id not in cards:
        return None, [
            Diagnostic(
                "<rate cards>",
                ("proposal", "rate_card"),
                "unknown-card",
                f"no shipped rate card is called '{card_id}'",
                "shipped cards: " + ", ".join(cards) + "; or pass your own with --rates PATH",
                locator=TextPosition(1, 1),
            )
        ]
    return _card(cards[card_id], f"cost_models/cards/{card_id}.toml")


def _card(path: Path, display: str | None) -> tuple[RateCard | None, list[Diagnostic]]:
    """load_card, read once per file version: a batch prices thousands of proposals."""
    try:
        stat = path.stat()
    except OSError:
        return load_card(path, display)
    card, diags = _cached_card(path, display, stat.st_mtime_ns, stat.st_size)
    return card, list(diags)


@functools.lru_cache(maxsize=8)
def _cached_card(
    path: Path, display: str | None, mtime_ns: int, size: int
) -> tuple[RateCard | None, tuple[Diagnostic, ...]]:
    card, diags = load_card(path, display)
    return card, tuple(diags)


ChosenBy = Literal["rates", "proposal", "default"]


@dataclass(frozen=True)
class Checked:
    """What ``finimpact validate`` found in one file: what it is, every problem, and for a
    proposal the rate card it was checked with and why that one."""

    kind: FileKind | None
    """None when the file could not be read as TOML."""
    diagnostics: list[Diagnostic]
    rate_card: str | None = None
    card_chosen_by: ChosenBy | None = None
    """The card given (--rates, or the one card named beside the proposals), the proposal's
    rate_card, or the default card."""


def check(path: Path, card_path: Path | None = None) -> Checked:
    """Every problem of one file, whatever it holds (the rule of ``kind_of``): a proposal, a
    rate card, a financial plan or a strategic plan."""
    doc, diags = read_toml(path)  # read once: a pipe or a changing file gives one content
    if doc is None:
        return Checked(None, diags)
    kind = kind_of(doc.data)
    if kind == "rate card":
        card, diags = parse_card(doc)
        return Checked(kind, diags if card is None else diags + _rates_lacking(card))
    if kind == "financial plan":
        return Checked(kind, parse_plan(doc)[1])
    if kind == "strategic plan":
        return Checked(kind, parse_strategic_plan(doc)[1])
    outcome = estimate_source(doc, card_path)
    raw = doc.data.get("proposal")
    wanted = isinstance(raw, dict) and isinstance(raw.get("rate_card"), str)
    chosen: ChosenBy = "rates" if card_path is not None else "proposal" if wanted else "default"
    return Checked(kind, outcome.diagnostics, outcome.rate_card, chosen)


def check_file(path: Path, card_path: Path | None = None) -> list[Diagnostic]:
    """Every problem of one file (see ``check``)."""
    return check(path, card_path).diagnostics


def _rates_lacking(card: RateCard) -> list[Diagnostic]:
    lacking = [r for r in KINDS.rates if r not in card.rates]
    if not lacking:
        return []
    return [
        card.document.diag(
            ("rate",),
            "card-incomplete",
            f"the card has no rate {', '.join(repr(r) for r in lacking)}:"
            " activities that need them cannot be priced with it",
            "fine if no proposal needs them; docs/pricing.md lists the rates each kind uses",
            severity=Severity.WARNING,
        )
    ]


def _told_at_rate_card(doc: Source, diags: list[Diagnostic], code: str) -> list[Diagnostic]:
    """The diagnostics of `code` located at the proposal's rate_card: the proposal chose the
    card, so the problem (an unknown card, a card in another currency than the plan) is its to
    fix, and told there."""
    return [
        doc.diag(("proposal", "rate_card"), d.code, d.message, d.hint) if d.code == code else d
        for d in diags
    ]


def estimate(
    path: Path,
    card_path: Path | None = None,
    display: str | None = None,
    plan_path: Path | None = None,
    plan: FinancialPlan | None = None,
    currency: str | None = None,
) -> Outcome:
    """Price and assess the proposal in the file ``path`` (named ``display`` in diagnostics):
    ``estimate_source`` on the file read."""
    doc, diags = read_toml(path, display)
    if doc is None:
        return Outcome(None, diags)
    return estimate_source(doc, card_path, plan_path, plan, currency)


def estimate_text(
    text: str,
    name: str = "proposal.toml",
    card_path: Path | None = None,
    plan_path: Path | None = None,
) -> Outcome:
    """Price and assess the proposal written in TOML ``text``, named ``name`` in diagnostics
    (located at line and column, as for a file)."""
    doc, diags = parse_toml(text.encode("utf-8"), name)
    if doc is None:
        return Outcome(None, diags)
    return estimate_source(doc, card_path, plan_path)


def estimate_data(
    data: Mapping[str, Any],
    name: str = "proposal",
    sha256: str | None = None,
    card_path: Path | None = None,
    plan_path: Path | None = None,
) -> Outcome:
    """Price and assess a proposal held in memory as tables (``Source.of_data``): a web form,
    a register, a scenario. Diagnostics name ``name`` and the key path, with no line."""
    doc, diags = Source.of_data(data, name, sha256)
    if doc is None:
        return Outcome(None, diags)
    return estimate_source(doc, card_path, plan_path)


def estimate_source(
    doc: Source,
    card_path: Path | None = None,
    plan_path: Path | None = None,
    plan: FinancialPlan | None = None,
    currency: str | None = None,
) -> Outcome:
    """Price and assess one proposal, read from text or given as data.

    The rate card is ``card_path`` (--rates: a file, or the id of a shipped card), else the
    proposal's rate_card, else the default card. The Article 34 assessment uses ``plan``
    (already loaded, as a batch does), else the plan file or shipped plan named by
    ``plan_path`` (--plan), else no plan. ``currency`` is the one every proposal of a batch
    must be costed in: a proposal whose rate_card is in another fails, told at its rate_card.
    """
    wrong = not_a_proposal(doc)
    if wrong is not None:
        return Outcome(None, [wrong])
    proposal, diags = validate_proposal(doc)
    wanted = None
    raw = doc.data.get("proposal")
    if isinstance(raw, dict) and isinstance(raw.get("rate_card"), str):
        wanted = raw["rate_card"]
    card, found = resolve_card(card_path, wanted)
    if wanted and card_path is None:
        found = _told_at_rate_card(doc, found, "unknown-card")
    diags += found
    if card is None:
        return Outcome(None, diags)
    if proposal is None or has_errors(diags):
        return Outcome(None, diags, card.id)
    if card_path is not None and wanted and wanted != card.id:
        diags.append(
            doc.diag(
                ("proposal", "rate_card"),
                "card-overridden",
                f"the proposal asks for rate card '{wanted}';"
                f" '{card.id}' from --rates is used instead",
                severity=Severity.WARNING,
            )
        )
    if currency is not None and card.currency != currency:
        diags.append(
            doc.diag(
                ("proposal", "rate_card"),
                "batch-currency",
                f"the rate card '{card.id}' is in {card.currency} but the batch is in {currency}",
                f"a batch is costed in one currency, here {currency}: remove this rate_card, or"
                f" name a card in {currency}",
            )
        )
        return Outcome(None, diags, card.id)
    if plan is None:
        plan, found = resolve_plan(plan_path, card)
    else:
        found = [] if plan.currency == card.currency else [plan_currency_mismatch(plan, card)]
    if wanted and card_path is None:
        found = _told_at_rate_card(doc, found, "plan-currency")
    diags += found
    lines, found = price(proposal, card, doc)
    diags += found
    if has_errors(diags):
        return Outcome(None, diags, card.id)
    result = Estimate(
        proposal=proposal,
        card=card.info,
        card_sha256=card.sha256,
        lines=tuple(lines),
        article34=assess(lines, card.currency, plan),
        rates={r.id: r for r in card.rates.values() if r.id in {line.rate_id for line in lines}},
        warnings=tuple(d for d in diags if d.severity is Severity.WARNING),
        goal_titles=proposal_goal_titles(proposal),
    )
    return Outcome(result, diags, card.id)
