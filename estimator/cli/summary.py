"""The readable summary that `finimpact estimate` prints: totals a person can check at a glance.

Its words and numbers come from the presentation layer (``estimator.render.wording``); this
module only lays them out in columns."""

from __future__ import annotations

from decimal import Decimal

from cost_models.needs import ELEMENTS
from estimator.core.estimate import CostLine, Estimate
from estimator.render.rounding import shares
from estimator.render.wording import (
    BASIS_EXPLAINED,
    FORMATS,
    _,
    article34_statement,
    currency_amount,
    label,
    ngettext,
    pgettext,
    span,
)


def _amount(value: Decimal) -> str:
    return FORMATS.cents(value)


def _table(title: str, rows: list[tuple[str, Decimal]], currency: str) -> list[str]:
    width = max([len(k) for k, _v in rows] + [len(_("Total"))])
    figures = [_amount(v) for _k, v in rows]
    fw = max([len(f) for f in figures] + [len(currency)])
    out = [title, f"  {'':<{width}}  {currency:>{fw}}"]
    out += [f"  {k:<{width}}  {f:>{fw}}" for (k, _v), f in zip(rows, figures, strict=True)]
    return out


def _value(value: object) -> str:
    """A template default as the proposal would write it (TOML): true, [a, b], 3."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple | list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def _element(element: str) -> str:
    return _(ELEMENTS[element].label) if element in ELEMENTS else element


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
            out += ["", _("From conference activity templates (lines, and the defaults they used)")]
        amount = sum((line.amount for line in own), Decimal("0.00"))
        made_by = _("%(activity)s (%(template)s): %(amount)s") % {
            "activity": first.activity,
            "template": first.template,
            "amount": currency_amount(cur, _amount(amount)),
        }
        out.append(f"  {made_by}")
        spans: dict[str, tuple[int, int, Decimal]] = {}
        for line in own:
            low, high, value = spans.get(line.element, (line.year, line.year, Decimal("0.00")))
            spans[line.element] = (min(low, line.year), max(high, line.year), value + line.amount)
        for element, (low, high, value) in spans.items():
            part = _("%(element)s, %(years)s: %(amount)s") % {
                "element": _element(element),
                "years": span(low, high),
                "amount": currency_amount(cur, _amount(value)),
            }
            out.append(f"    {part}")
        for d in estimate.defaults_of(first):
            default = _("default %(key)s = %(value)s: %(why)s") % {
                "key": d.key,
                "value": _value(d.value),
                "why": d.why,
            }
            out.append(f"    {default}")
    return out


def _by_basis(estimate: Estimate) -> list[str]:
    """How much of the total rests on each basis of the rate values, with its share."""
    rows = [(label(BASIS_EXPLAINED, k), v) for k, v in estimate.by_basis().items()]
    shown = list(shares(estimate.by_basis()).values())
    title = _("By basis of the rates (how solid each part is)")
    out = ["", *_table(title, rows, estimate.currency)]
    for k, share in enumerate(shown):
        # out: blank line, title, currency, then the rows
        out[3 + k] += "  " + _("%(percent)s%%") % {"percent": FORMATS.percent(share).rjust(5)}
    return out


def summary(estimate: Estimate) -> str:
    info = estimate.proposal.info
    cur = estimate.currency
    if estimate.card.indicative:
        heading = _(
            "%(conference)s, submitted by %(by)s; period %(period)s; rate card %(card)s "
            "(indicative)"
        )
    else:
        heading = _("%(conference)s, submitted by %(by)s; period %(period)s; rate card %(card)s")
    lines = [
        _("%(reference)s: %(title)s") % {"reference": info.reference, "title": info.title},
        heading
        % {
            "conference": info.conference,
            "by": pgettext("list separator", ", ").join(info.submitted_by),
            "period": span(*info.period),
            "card": estimate.card.id,
        },
        "",
    ]
    by_year = [(str(y), v) for y, v in estimate.by_year().items()]
    lines += _table(_("By year"), by_year, cur)
    lines.append("")
    elements = [(_element(k), v) for k, v in estimate.by_element().items()]
    lines += _table(_("By object of expenditure"), elements, cur)
    lines.append("")
    lines += _table(_("By budget unit"), list(estimate.by_unit().items()), cur)
    lines.append("")
    lines += _table(_("By funding"), list(estimate.by_funding().items()), cur)
    lines += _by_basis(estimate)
    lines += _from_templates(estimate)
    total = ngettext(
        "Total: %(total)s in %(n)s cost line; of which external human resources %(external)s",
        "Total: %(total)s in %(n)s cost lines; of which external human resources %(external)s",
        len(estimate.lines),
    )
    lines += [
        "",
        total
        % {
            "total": currency_amount(cur, _amount(estimate.total)),
            "n": FORMATS.number(len(estimate.lines)),
            "external": currency_amount(cur, _amount(estimate.external_human_resources)),
        },
        _("Article 34 (%(verdict)s): %(statement)s")
        % {
            "verdict": estimate.article34.verdict,
            "statement": article34_statement(estimate.article34),
        },
    ]
    if estimate.warnings:
        # the warnings themselves are printed with the diagnostics, on stderr
        n = len(estimate.warnings)
        warned = ngettext(
            "%(n)s warning: see the diagnostics and the annex's notes",
            "%(n)s warnings: see the diagnostics and the annex's notes",
            n,
        )
        lines.append(warned % {"n": FORMATS.number(n)})
    return "\n".join(lines)
