"""The readable summary that `finimpact estimate` prints: totals a person can check at a glance."""

from __future__ import annotations

from decimal import Decimal

from cost_models.elemental import ELEMENTS
from estimator.core.estimate import CostLine, Estimate
from estimator.render.wording import article34_statement


def _amount(value: Decimal) -> str:
    return f"{value:,.2f}"


def _table(title: str, rows: list[tuple[str, Decimal]], currency: str) -> list[str]:
    width = max([len(k) for k, _ in rows] + [len("Total")])
    figures = [_amount(v) for _, v in rows]
    fw = max([len(f) for f in figures] + [len(currency)])
    out = [title, f"  {'':<{width}}  {currency:>{fw}}"]
    out += [f"  {k:<{width}}  {f:>{fw}}" for (k, _), f in zip(rows, figures, strict=True)]
    return out


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple | list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def _from_templates(estimate: Estimate) -> list[str]:
    """Each activity a template made: its lines by element and the defaults they came from."""
    out: list[str] = []
    cur = estimate.currency
    made: dict[tuple[int, str], list[CostLine]] = {}
    for line in estimate.lines:  # one pass: linear in the lines, whatever the activities
        if line.template:
            made.setdefault((line.index, line.activity), []).append(line)
    for activity in estimate.proposal.activities:
        own = made.pop((activity.index, activity.id), None)
        if not own:
            continue
        first = own[0]
        if not out:
            out += ["", "From conference activity templates (lines, and the defaults they used)"]
        amount = sum((line.amount for line in own), Decimal("0.00"))
        out.append(f"  {first.activity} ({first.template}): {cur} {_amount(amount)}")
        spans: dict[str, tuple[int, int, Decimal]] = {}
        for line in own:
            low, high, value = spans.get(line.element, (line.year, line.year, Decimal("0.00")))
            spans[line.element] = (min(low, line.year), max(high, line.year), value + line.amount)
        for element, (low, high, value) in spans.items():
            label = ELEMENTS[element].label if element in ELEMENTS else element
            years = str(low) if low == high else f"{low}-{high}"
            out.append(f"    {label}, {years}: {cur} {_amount(value)}")
        for d in estimate.defaults_of(first):
            out.append(f"    default {d.key} = {_value(d.value)}: {d.why}")
    return out


BASIS_WORDS = {
    "published": "published (the figure is in its source)",
    "derived": "derived (arithmetic on published figures)",
    "assumed": "assumed (a stated assumption)",
    "stated": "stated (an amount the proposal states)",
}


def _by_basis(estimate: Estimate) -> list[str]:
    """How much of the total rests on each basis of the rate values, with its share."""
    total = estimate.total
    rows = [(BASIS_WORDS.get(k, k), v) for k, v in estimate.by_basis().items()]
    out = ["", *_table("By basis of the rates (how solid each part is)", rows, estimate.currency)]
    for k, (_, value) in enumerate(rows):
        share = value / total * 100 if total else Decimal(0)
        out[3 + k] += f"  {share:5.1f}%"  # out: blank line, title, currency, then the rows
    return out


def summary(estimate: Estimate) -> str:
    info = estimate.proposal.info
    cur = estimate.currency
    lines = [
        f"{info.reference}: {info.title}",
        f"{info.conference}, submitted by {', '.join(info.submitted_by)}; "
        f"period {info.period[0]}-{info.period[1]}; rate card {estimate.card.id}"
        + (" (indicative)" if estimate.card.indicative else ""),
        "",
    ]
    lines += _table("By year", [(str(y), v) for y, v in estimate.by_year().items()], cur)
    lines.append("")
    elements = [
        (ELEMENTS[k].label if k in ELEMENTS else k, v) for k, v in estimate.by_element().items()
    ]
    lines += _table("By object of expenditure", elements, cur)
    lines.append("")
    lines += _table("By budget unit", list(estimate.by_unit().items()), cur)
    lines.append("")
    lines += _table("By funding", list(estimate.by_funding().items()), cur)
    lines += _by_basis(estimate)
    lines += _from_templates(estimate)
    lines += [
        "",
        f"Total: {cur} {_amount(estimate.total)} in {len(estimate.lines)} cost lines"
        f"; of which external human resources {cur} {_amount(estimate.external_human_resources)}",
        f"Article 34 ({estimate.article34.verdict}): {article34_statement(estimate.article34)}",
    ]
    if estimate.warnings:
        # the warnings themselves are printed with the diagnostics, on stderr
        n = len(estimate.warnings)
        plural = "s" if n > 1 else ""
        lines.append(f"{n} warning{plural}: see the diagnostics and the annex's notes")
    return "\n".join(lines)
