"""Price: a Proposal and a rate card to cost lines.

For each activity, each year it takes place and each rate it needs: the value in force on
1 January of the year, escalated for the years since that value, times the quantity, rounded
to the cent half away from zero. A rate the card lacks is a located diagnostic, never a zero.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from cost_models.kind import Registry
from cost_models.kinds import KINDS
from cost_models.money import MAX_LINE_AMOUNT, product, to_cents
from cost_models.needs import CardFacts
from estimator.core.diagnostics import Diagnostic, Severity
from estimator.core.estimate import CostLine
from estimator.core.load import Source
from estimator.core.model import Activity, Proposal
from estimator.core.ratecard import PricedRate, RateCard


def price(
    proposal: Proposal, card: RateCard, doc: Source, kinds: Registry = KINDS
) -> tuple[list[CostLine], list[Diagnostic]]:
    facts = CardFacts(words_per_page=card.info.words_per_page, rates=frozenset(card.rates))
    lines: list[CostLine] = []
    diags: list[Diagnostic] = []
    reported: set[tuple[int, str]] = set()
    old: dict[tuple[str, dt.date], _OldValue] = {}
    for activity in proposal.activities:
        spec = activity.spec
        unit = proposal.unit_of(activity)
        years = proposal.years_of(activity)
        for need in kinds.needs(spec, facts):
            if need.fixed_amount is not None and (
                problem := _other_currency(proposal, card, doc, activity)
            ):
                diags.append(problem)
                continue
            whole = need.quantity if need.fixed_amount is None else need.fixed_amount
            shares = _shares(whole, years) if need.in_total else {}
            for year in years:
                quantity = need.quantity
                if need.fixed_amount is not None:
                    rate = shares.get(year, need.fixed_amount)
                    rate_from, factor = None, Decimal(1)
                    label, source, basis = spec.title, need.justification, "stated"
                else:
                    quantity = shares.get(year, need.quantity)
                    priced = card.price(need.rate_id, year)
                    if priced is None:
                        if (activity.index, need.rate_id) not in reported:
                            reported.add((activity.index, need.rate_id))
                            diags.append(_missing(card, doc, activity.index, need.rate_id, year))
                        continue
                    if _stale(card, priced):
                        found = old.setdefault(
                            (need.rate_id, priced.value.from_), _OldValue(priced, {}, set())
                        )
                        found.activities.setdefault(spec.id, activity.index)
                        found.years.add(year)
                    rate, rate_from, factor = priced.value.amount, priced.value.from_, priced.factor
                    label, source, basis = (
                        priced.rate.label,
                        priced.value.source,
                        priced.value.basis,
                    )
                amount = to_cents(product(quantity, rate, factor))
                if amount > MAX_LINE_AMOUNT:
                    diags.append(_implausible(doc, activity.index, need.rate_id, year, amount))
                    continue
                if not amount and quantity > 0 and rate > 0:
                    if (activity.index, "below-a-cent") not in reported:
                        reported.add((activity.index, "below-a-cent"))
                        diags.append(_below_a_cent(doc, activity.index, need.rate_id, year))
                    continue
                lines.append(
                    CostLine(
                        activity=spec.id,
                        title=spec.title,
                        element=need.element,
                        unit=unit,
                        year=year,
                        funding=spec.funding,
                        quantity=quantity,
                        quantity_unit=need.quantity_unit,
                        quantity_basis=need.basis.text(),
                        rate_id=need.rate_id,
                        rate_label=label,
                        rate=rate,
                        rate_from=rate_from,
                        escalation=factor,
                        amount=amount,
                        source=source,
                        basis=basis,
                        external=need.external,
                        goal=spec.goal,
                        template=activity.template,
                        index=activity.index,
                    )
                )
    lines.sort(key=lambda line: (line.year, line.index, line.activity))
    diags += [_too_old(doc, card, value) for value in old.values()]
    return lines, diags


def _shares(amount: Decimal | None, years: tuple[int, ...]) -> dict[int, Decimal]:
    """An amount (or a quantity) of the whole activity in equal parts over its years, to the
    hundredth: each part is the whole / years rounded down to the hundredth, and the hundredths
    left over go one each to the last years, so that the parts add up to the whole (to the
    hundredth) and differ by a hundredth at most."""
    if amount is None or not years:
        return {}
    cents = int(to_cents(amount) * 100)
    base, left = divmod(cents, len(years))
    first_with_more = len(years) - left
    return {
        year: Decimal(base + (1 if i >= first_with_more else 0)) / 100
        for i, year in enumerate(years)
    }


def _other_currency(
    proposal: Proposal, card: RateCard, doc: Source, activity: Activity
) -> Diagnostic | None:
    """A stated amount in another currency than the card's is never relabelled."""
    stated = proposal.info.currency
    if stated is None or stated == card.info.currency:
        return None
    keys = getattr(activity.spec, "STATED", ())
    where = ("activity", activity.index, keys[0]) if keys else ("activity", activity.index)
    return doc.diag(
        where,
        "stated-currency",
        f"the amount is stated in {stated} (the proposal's currency),"
        f" but the rate card '{card.id}' is in {card.info.currency}",
        f"state the amounts in {card.info.currency} and set currency = "
        f'"{card.info.currency}" in [proposal], or price with a card in {stated} (--rates)',
    )


MAX_VALUE_AGE = 5
"""A rate value more than this many years older than the year it prices is warned about."""


@dataclass(frozen=True)
class _OldValue:
    """A rate value more than MAX_VALUE_AGE years older than some year it prices."""

    priced: PricedRate
    activities: dict[str, int]
    """The activities it prices (id → index of their [[activity]]), in the proposal's order."""
    years: set[int]


def _stale(card: RateCard, priced: PricedRate) -> bool:
    """A value more than MAX_VALUE_AGE years older than the year it prices, used as it stands:
    a card that escalates its values brings each one to the year it prices, so its old values
    are not stale."""
    return (
        card.info.escalation == 0
        and priced.year - priced.value.from_.year > MAX_VALUE_AGE
        and priced.value.amount != 0
    )


def _too_old(doc: Source, card: RateCard, value: _OldValue) -> Diagnostic:
    """One warning per old value, at the value on the card (what to change), with the years it
    prices and the activities that use it: the first three by id, the first with its line, and
    how many more (the remedy, a newer value or an escalation, is the same for all)."""
    rate, since = value.priced.rate, value.priced.value.from_
    low, high = min(value.years), max(value.years)
    span = str(low) if low == high else f"{low}–{high}"
    age = f"{low - since.year}" if low == high else f"{low - since.year}–{high - since.year}"
    ids = list(value.activities)
    line, _ = doc.locator.locate(("activity", value.activities[ids[0]]))
    named = [f"'{ids[0]}'" + (f" (line {line})" if line else "")] + [f"'{a}'" for a in ids[1:3]]
    more = len(ids) - len(named)
    if more:
        named.append(f"{more:,} more")
    used = ", ".join(named[:-1]) + " and " + named[-1] if len(named) > 1 else named[0]
    where = ("rate", list(card.rates).index(rate.id), "value", rate.value.index(value.priced.value))
    return card.document.diag(
        where,
        "rate-value-old",
        f"prices {span} unescalated, {age} years later: more than {MAX_VALUE_AGE} years old"
        f" (used in {doc.file} by {used})",
        "check for a newer figure (finimpact rates shows each value's date and source), give"
        " the card a yearly escalation, or use a card with current values (--rates)",
        severity=Severity.WARNING,
    )


def _implausible(doc: Source, index: int, rate_id: str, year: int, amount: Decimal) -> Diagnostic:
    return doc.diag(
        ("activity", index),
        "implausible-amount",
        f"the {year} amount for '{rate_id}' is {amount:,}, more than {MAX_LINE_AMOUNT:,}:"
        " a quantity or the card's rate is implausibly large",
        "check the activity's quantities and the rate's value on the card (finimpact rates)",
    )


def _below_a_cent(doc: Source, index: int, rate_id: str, year: int) -> Diagnostic:
    """A positive quantity at a positive rate that costs nothing once rounded to the cent: the
    annex would say 'no financial implications' for a proposal that asks for something."""
    return doc.diag(
        ("activity", index),
        "amount-below-a-cent",
        f"the {year} amount for '{rate_id}' rounds to 0.00: a quantity more than 0 must cost"
        " at least a cent",
        "check the activity's quantities: a day is 1, half a day 0.5",
    )


def _missing(card: RateCard, doc: Source, index: int, rate_id: str, year: int) -> Diagnostic:
    rate = card.rates.get(rate_id)
    if rate is None:
        message = f"the rate card '{card.id}' ({card.file}) has no rate '{rate_id}'"
        hint = f'add a [[rate]] with id = "{rate_id}" to the card, or use another card (--rates)'
    else:
        first = rate.value[0].from_
        message = (
            f"the rate card '{card.id}' has no value of '{rate_id}' in force on 1 January {year}"
            f" (its first value is from {first})"
        )
        hint = "add an earlier dated value to the card, or change the activity's years"
    return doc.diag(("activity", index, "kind"), "rate-missing", message, hint)
