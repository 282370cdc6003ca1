"""The estimate: priced cost lines, their totals and the Article 34 assessment, as facts, and
their JSON form (the output contract, less the words: ``estimator.render.outputs`` adds the
Article 34 statement, which the presentation layer writes)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any, Literal

from cost_models.money import ROUNDING_RULE, money, plain
from cost_models.parameters import FUNDING
from estimator import __version__
from estimator.core.diagnostics import Diagnostic
from estimator.core.model import Proposal, TemplateDefault
from estimator.core.plan import FinancialPlan
from estimator.core.ratecard import CardInfo, Rate

FORMAT = "finimpact/estimate/2"
"""2: a template's defaults are given once per activity (``template_defaults``), no longer on
every line of it (1)."""


@dataclass(frozen=True)
class CostLine:
    """One amount: a quantity times a dated rate, escalated, rounded to the cent."""

    activity: str
    title: str
    element: str
    unit: str
    year: int
    funding: str
    quantity: Decimal
    quantity_unit: str
    quantity_basis: str
    rate_id: str
    rate_label: str
    rate: Decimal
    """The rate's value as written in the card (or the stated amount), before escalation."""
    rate_from: dt.date | None
    escalation: Decimal
    """(1 + yearly escalation) ^ (year - year of the rate's value); 1 for stated amounts."""
    amount: Decimal
    source: str
    basis: str
    """published, derived, assumed, or stated (an amount the proposal states)."""
    external: bool
    goal: str | None
    template: str | None
    index: int
    """Position of the proposal's [[activity]] table the line comes from."""

    def to_json(self) -> dict[str, Any]:
        return {
            "activity": self.activity,
            "title": self.title,
            "element": self.element,
            "unit": self.unit,
            "year": self.year,
            "funding": self.funding,
            "quantity": plain(self.quantity),
            "quantity_unit": self.quantity_unit,
            "quantity_basis": self.quantity_basis,
            "rate_id": self.rate_id,
            "rate_label": self.rate_label,
            "rate": plain(self.rate),
            "rate_from": self.rate_from.isoformat() if self.rate_from else None,
            "escalation": plain(self.escalation),
            "amount": money(self.amount),
            "source": self.source,
            "basis": self.basis,
            "external": self.external,
            "goal": self.goal,
            "template": self.template,
        }


def _json_value(value: Any) -> Any:
    """A template default for JSON: numbers as decimal strings, lists as lists."""
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, tuple | list):
        return [_json_value(v) for v in value]
    return value


def total(lines: Iterable[CostLine]) -> Decimal:
    return sum((line.amount for line in lines), Decimal("0.00"))


def total_by(lines: Iterable[CostLine], key: Callable[[CostLine], Any]) -> dict[Any, Decimal]:
    out: dict[Any, Decimal] = {}
    for line in lines:
        k = key(line)
        out[k] = out.get(k, Decimal("0.00")) + line.amount
    return dict(sorted(out.items(), key=lambda kv: (kv[0] is None, kv[0])))


Verdict = Literal["none", "absorbed", "extrabudgetary", "within", "exceeds", "additional"]
"""The Article 34 verdict (estimator.core.assess explains each)."""


@dataclass(frozen=True)
class Requirement:
    """Additional credits a proposal needs in one year and budget unit."""

    year: int
    unit: str
    additional: Decimal

    def to_json(self) -> dict[str, Any]:
        return {"year": self.year, "unit": self.unit, "additional": money(self.additional)}


@dataclass(frozen=True)
class Position:
    """Additional credits in one year and budget unit of the plan, against its headroom."""

    year: int
    unit: str
    additional: Decimal
    headroom: Decimal
    """The credits the plan leaves for new decisions there."""

    @property
    def remaining(self) -> Decimal:
        return self.headroom - self.additional

    @property
    def excess(self) -> Decimal:
        """By how much the additional credits exceed the headroom (0 when they fit)."""
        return max(self.additional - self.headroom, Decimal("0.00"))

    def to_json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "unit": self.unit,
            "additional": money(self.additional),
            "headroom": money(self.headroom),
            "remaining": money(self.remaining),
        }


@dataclass(frozen=True)
class Assessment:
    """The Article 34 position of one proposal: facts only. Its statement, in words, is
    written by the presentation layer (``estimator.render.wording.article34_statement``)."""

    verdict: Verdict
    currency: str
    total: Decimal
    additional: Decimal
    """Additional credits (regular budget), every year."""
    existing: Decimal
    """Costs met within existing budgetary provisions."""
    extrabudgetary: Decimal
    """Costs met from voluntary contributions."""
    required: tuple[Requirement, ...] = ()
    """The additional credits by year and budget unit, in order."""
    plan: FinancialPlan | None = None
    """The plan they were compared with: None when no plan in the currency was available."""
    against_plan: tuple[Position, ...] = ()
    """Each year and unit of the plan's period where additional credits are needed."""
    outside_plan: tuple[Requirement, ...] = ()
    """Additional credits in years outside the plan's period: not assessed, never dropped."""
    provision: Mapping[str, Any] | None = None
    """The provision quoted when the credits exceed the headroom (No. 489)."""

    @property
    def years(self) -> tuple[int, ...]:
        """The years in which additional credits are needed."""
        return tuple(sorted({r.year for r in self.required}))

    @property
    def exceeded(self) -> tuple[Position, ...]:
        return tuple(p for p in self.against_plan if p.excess)

    @property
    def excess(self) -> Decimal:
        """The additional credits beyond the headroom, every year and unit together."""
        return sum((p.excess for p in self.exceeded), Decimal("0.00"))

    @property
    def outside_by_year(self) -> dict[int, Decimal]:
        """The additional credits outside the plan's period, per year, in order."""
        out: dict[int, Decimal] = {}
        for r in self.outside_plan:
            out[r.year] = out.get(r.year, Decimal("0.00")) + r.additional
        return dict(sorted(out.items()))

    def to_json(self) -> dict[str, Any]:
        """The facts in the JSON's form (the statement is added by the renderer)."""
        out: dict[str, Any] = {
            "verdict": self.verdict,
            "currency": self.currency,
            "total": money(self.total),
            "additional": money(self.additional),
            "existing": money(self.existing),
            "extrabudgetary": money(self.extrabudgetary),
            "plan": self.plan.to_json() if self.plan is not None else None,
        }
        if self.verdict in ("within", "exceeds", "additional"):
            out["against_plan"] = [p.to_json() for p in self.against_plan]
            out["exceeded"] = [p.to_json() | {"excess": money(p.excess)} for p in self.exceeded]
            out["outside_plan"] = [r.to_json() for r in self.outside_plan]
        if self.provision is not None:
            out["provision"] = dict(self.provision)
        return out


@dataclass(frozen=True)
class Estimate:
    proposal: Proposal
    card: CardInfo
    card_sha256: str
    lines: tuple[CostLine, ...]
    article34: Assessment
    warnings: tuple[Diagnostic, ...] = ()
    goal_titles: dict[str, str] = field(default_factory=dict)
    """Strategic-plan goal code → title, for the goals the activities name."""
    rates: dict[str, Rate] = field(default_factory=dict)
    """The card's rates the lines use, by id, in card order (unit, label, every dated value
    with its source and derivation), for outputs that show where each rate comes from."""

    @property
    def currency(self) -> str:
        return self.card.currency

    @property
    def total(self) -> Decimal:
        return total(self.lines)

    def by_year(self) -> dict[int, Decimal]:
        years = dict.fromkeys(self.proposal.info.years, Decimal("0.00"))
        return years | total_by(self.lines, lambda line: line.year)

    def by_unit(self) -> dict[str, Decimal]:
        return total_by(self.lines, lambda line: line.unit)

    def by_element(self) -> dict[str, Decimal]:
        return total_by(self.lines, lambda line: line.element)

    def by_funding(self) -> dict[str, Decimal]:
        return dict.fromkeys(FUNDING, Decimal("0.00")) | total_by(
            self.lines, lambda line: line.funding
        )

    def by_activity(self) -> dict[str, Decimal]:
        return total_by(self.lines, lambda line: line.activity)

    def by_goal(self) -> dict[str | None, Decimal]:
        return total_by(self.lines, lambda line: line.goal)

    def by_basis(self) -> dict[str, Decimal]:
        return total_by(self.lines, lambda line: line.basis)

    @cached_property
    def _defaults(self) -> dict[tuple[int, str], tuple[TemplateDefault, ...]]:
        """(activity index, activity id) → its template defaults, the first activity of each
        pair: one pass, so that looking up every line's defaults stays linear in the lines."""
        found: dict[tuple[int, str], tuple[TemplateDefault, ...]] = {}
        for a in self.proposal.activities:
            found.setdefault((a.index, a.id), a.defaults)
        return found

    def defaults_of(self, line: CostLine) -> tuple[TemplateDefault, ...]:
        """The template defaults the line's activity used (none for an elemental activity)."""
        return self._defaults.get((line.index, line.activity), ())

    def template_defaults_json(self) -> dict[str, list[dict[str, Any]]]:
        """Each templated activity's defaults, once, by the activity id its lines carry."""
        out: dict[str, list[dict[str, Any]]] = {}
        for line in self.lines:
            if line.activity not in out and (defaults := self.defaults_of(line)):
                out[line.activity] = [
                    {"key": d.key, "value": _json_value(d.value), "why": d.why} for d in defaults
                ]
        return out

    @property
    def external_human_resources(self) -> Decimal:
        return total(line for line in self.lines if line.external)

    def to_json(self) -> dict[str, Any]:
        info = self.proposal.info
        return {
            "format": FORMAT,
            "tool": {"name": "finimpact", "version": __version__},
            "proposal": {
                "reference": info.reference,
                "title": info.title,
                "conference": info.conference,
                "submitted_by": list(info.submitted_by),
                "action": info.action,
                "instrument": info.instrument,
                "responsible": info.responsible,
                "period": list(info.period),
                "requests": list(info.requests),
                "submitted": info.submitted,
                "sha256": self.proposal.sha256,
            },
            "currency": self.currency,
            "rate_card": {
                "id": self.card.id,
                "title": self.card.title,
                "sha256": self.card_sha256,
                "escalation": plain(self.card.escalation),
                "indicative": self.card.indicative,
            },
            "rounding": ROUNDING_RULE,
            "total": money(self.total),
            "by_year": {str(k): money(v) for k, v in self.by_year().items()},
            "by_unit": {k: money(v) for k, v in self.by_unit().items()},
            "by_element": {k: money(v) for k, v in self.by_element().items()},
            "by_funding": {k: money(v) for k, v in self.by_funding().items()},
            "by_activity": {k: money(v) for k, v in self.by_activity().items()},
            "by_goal": {("none" if k is None else k): money(v) for k, v in self.by_goal().items()},
            "goal_titles": dict(self.goal_titles),
            "by_basis": {k: money(v) for k, v in self.by_basis().items()},
            "external_human_resources": money(self.external_human_resources),
            "lines": [line.to_json() for line in self.lines],
            "template_defaults": self.template_defaults_json(),
            "article34": self.article34.to_json(),
            "warnings": [d.to_json() for d in self.warnings],
            "rates": {r.id: r.to_json() for r in self.rates.values()},
        }
