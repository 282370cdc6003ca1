"""The readable summary that `finimpact estimate` prints: totals a person can check at a glance."""

from __future__ import annotations

from decimal import Decimal

from cost_models.elemental import ELEMENTS
from estimator.estimate import Estimate


def _amount(value: Decimal) -> str:
    return f"{value:,.2f}"


def _table(title: str, rows: list[tuple[str, Decimal]], currency: str) -> list[str]:
    width = max([len(k) for k, _ in rows] + [len("Total")])
    figures = [_amount(v) for _, v in rows]
    fw = max([len(f) for f in figures] + [len(currency)])
    out = [title, f"  {'':<{width}}  {currency:>{fw}}"]
    out += [f"  {k:<{width}}  {f:>{fw}}" for (k, _), f in zip(rows, figures, strict=True)]
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
    lines += [
        "",
        f"Total: {cur} {_amount(estimate.total)} in {len(estimate.lines)} cost lines"
        f"; of which external human resources {cur} {_amount(estimate.external_human_resources)}",
        f"Article 34 ({estimate.article34.verdict}): {estimate.article34.statement}",
    ]
    for w in estimate.warnings:
        lines.append(f"warning: {w.render()}")
    return "\n".join(lines)
