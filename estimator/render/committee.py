"""The Budget Control Committee's report on the decisions taken (General Rules of conferences,
assemblies and meetings of the Union, Nos. 71-74): an estimate of the financial implications
that may be entailed by the execution of the decisions taken by the conference, from the
register's running position (``estimator.register.position.RunningPosition``).

One view model, four renderings, through the annex's renderers: Markdown and HTML from Jinja
templates, Word through the annex's Word renderer (``annex.render_word``, a docxtpl template
built by templates/make_annex_docx.py), and a workbook whose figures are live formulas over a
Credits sheet (every additional credit of every version counted). The view does no arithmetic
of its own but the sums of the position; words come from wording.py, figures from its Babel
formats.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

from xlsxwriter.utility import quote_sheetname

from cost_models.parameters import BUDGET_UNITS
from estimator import __version__
from estimator.register.position import Contribution, PositionCell, RunningPosition
from estimator.render import annex, stablezip
from estimator.render.outputs import write_all
from estimator.render.resources import templates_dir
from estimator.render.view import Item, Table
from estimator.render.wording import (
    FORMATS,
    N_,
    NO_489_GLOSS,
    _,
    currency_amount,
    current_language,
    language,
    pgettext,
    plan_label,
)
from estimator.render.xlsx import MONEY, MONEY_FLAGGED, YEAR, Book, cell

STEM = "committee-report"
FORMATS_WRITTEN = ("docx", "html", "md", "xlsx", "json")
ZERO = Decimal("0.00")

RULES = N_(
    "Under Nos. 71 to 74 of the General Rules of conferences, assemblies and meetings of the "
    "Union, the Budget Control Committee reports to the plenary an estimate of the financial "
    "implications that may be entailed by the execution of the decisions taken by the "
    "conference."
)
DECISION_WORDS = {
    "adopted": N_("adopted"),
    "amended": N_("adopted as amended"),
    "merged": N_("merged"),
    "withdrawn": N_("withdrawn"),
    "not-adopted": N_("not adopted"),
}


@dataclass(frozen=True)
class CommitteeView:
    """Everything the report shows, as text: the templates do no arithmetic."""

    title: str
    subtitle: str
    lang: str
    currency: str
    rules: str
    plan: str
    summary: tuple[Item, ...]
    conclusion: tuple[str, ...]
    tables: tuple[Table, ...]
    closed_title: str
    closed: tuple[str, ...]
    stamp: str


def amount_text(value: Decimal | None) -> str:
    """An amount to the cent; nil as a dash (as in the annex); not applicable as empty."""
    if value is None:
        return ""
    if not value:
        return pgettext("nil amount", "–")
    return FORMATS.money(value)


def _label(c: Contribution, n: int) -> str:
    return _("%(n)s. %(version)s: %(title)s") % {"n": n, "version": c.version, "title": c.title}


def _years(p: RunningPosition) -> list[int]:
    return sorted({n.year for c in (*p.adopted, *p.pending) for n in c.needs})


def _by_year_table(
    id: str, title: str, contributions: tuple[Contribution, ...], years: list[int]
) -> Table:
    rows = []
    totals = dict.fromkeys(years, ZERO)
    for n, c in enumerate(contributions, start=1):
        mine = dict.fromkeys(years, ZERO)
        for need in c.needs:
            mine[need.year] += need.amount
            totals[need.year] += need.amount
        rows.append(
            (_label(c, n), *(amount_text(mine[y]) for y in years), amount_text(c.additional))
        )
    grand = sum(totals.values(), ZERO)
    return Table(
        id,
        title,
        (_("Decision") if id == "adopted" else _("Proposal"), *map(str, years), _("Total")),
        tuple(rows),
        (_("Total"), *(amount_text(totals[y]) for y in years), amount_text(grand)),
    )


def _units_table(p: RunningPosition, years: list[int]) -> Table:
    sums = {(y, u): ZERO for y in years for u in BUDGET_UNITS}
    for c in p.adopted:
        for need in c.needs:
            sums[(need.year, need.unit)] = sums.get((need.year, need.unit), ZERO) + need.amount
    units = [*BUDGET_UNITS, *sorted({u for _y, u in sums} - set(BUDGET_UNITS))]
    rows = [
        (
            str(y),
            *(amount_text(sums.get((y, u), ZERO)) for u in units),
            amount_text(sum((sums.get((y, u), ZERO) for u in units), ZERO)),
        )
        for y in years
    ]
    column = [sum((sums.get((y, u), ZERO) for y in years), ZERO) for u in units]
    return Table(
        "by-unit",
        _("Additional credits of the decisions taken, by year and budget unit"),
        (_("Year"), *units, _("Total")),
        tuple(rows),
        (_("Total"), *map(amount_text, column), amount_text(sum(column, ZERO))),
    )


def _position_table(p: RunningPosition) -> Table:
    # the cells of the plan where credits are asked, decided or pending
    cells = [c for c in p.cells if c.headroom is not None and c.total]
    rows = tuple(
        (
            c.label,
            amount_text(c.headroom),
            amount_text(c.adopted),
            amount_text(c.remaining_after_adopted),
            amount_text(c.pending),
            amount_text(c.remaining),
        )
        for c in cells
    )

    def total(values: list[Decimal | None]) -> str:
        return amount_text(sum((v or ZERO for v in values), ZERO))

    return Table(
        "position",
        _("Position against the financial plan"),
        (
            _("Year and budget unit"),
            _("Headroom"),
            _("Decisions taken"),
            _("Remaining"),
            _("Pending"),
            _("Remaining if adopted"),
        ),
        rows,
        (
            _("Total"),
            total([c.headroom for c in cells]),
            total([c.adopted for c in cells]),
            total([c.remaining_after_adopted for c in cells]),
            total([c.pending for c in cells]),
            total([c.remaining for c in cells]),
        ),
    )


def _cell_words(c: PositionCell) -> str:
    return _("%(unit)s in %(year)s") % {"unit": c.unit, "year": c.year}


def _conclusion(p: RunningPosition, cur: str) -> tuple[str, ...]:
    """The position in sentences: the decisions taken against the headroom, then what the
    pending proposals would add."""
    say = [
        _(
            "The decisions taken entail additional credits of %(adopted)s; the proposals still "
            "pending would add %(pending)s."
        )
        % {
            "adopted": currency_amount(cur, amount_text(p.adopted_total)),
            "pending": currency_amount(cur, amount_text(p.pending_total)),
        }
    ]
    if p.plan is None:
        say.append(
            _(
                "No financial plan was named: the additional credits are summed, not assessed "
                "against the credits available."
            )
        )
        return tuple(say)
    assessed = [c for c in p.cells if c.headroom is not None]
    over = [
        c
        for c in assessed
        if c.remaining_after_adopted is not None and c.remaining_after_adopted < 0
    ]
    if over:
        say.append(
            _(
                "Article 34 of the Convention: the decisions taken exceed the credits available "
                "in %(cells)s; %(gloss)s (No. 489)."
            )
            % {
                "cells": pgettext("list separator", ", ").join(
                    _("%(cell)s by %(amount)s")
                    % {
                        "cell": _cell_words(c),
                        "amount": currency_amount(
                            cur, amount_text(-(c.remaining_after_adopted or ZERO))
                        ),
                    }
                    for c in over
                ),
                "gloss": _(NO_489_GLOSS),
            }
        )
    else:
        say.append(
            _(
                "Article 34 of the Convention: the decisions taken stay within the credits "
                "available in every year and budget unit of the plan."
            )
        )
    later = [c for c in assessed if c.first_exceeded_stage == "pending" and c not in over]
    for c in later:
        say.append(
            _(
                "If the proposals pending were adopted, the credits available in %(cell)s would "
                "be exceeded, first by %(version)s."
            )
            % {"cell": _cell_words(c), "version": c.first_exceeded_by}
        )
    outside = [c for c in p.cells if c.headroom is None and c.total]
    if outside:
        say.append(
            _(
                "Additional credits in years outside the plan's period are not assessed here: "
                "%(cells)s."
            )
            % {
                "cells": pgettext("list separator", ", ").join(
                    _("%(cell)s: %(amount)s")
                    % {"cell": _cell_words(c), "amount": currency_amount(cur, amount_text(c.total))}
                    for c in outside
                )
            }
        )
    return tuple(say)


def build_view(p: RunningPosition) -> CommitteeView:
    cur = p.currency or ""
    years = _years(p)
    plan = (
        _("Financial plan: %(plan)s") % {"plan": plan_label(p.plan)}
        if p.plan is not None
        else _("No financial plan was named.")
    )
    summary = [
        Item(_("Additional credits of the decisions taken"), amount_text(p.adopted_total), True),
        Item(_("Additional credits of the proposals pending"), amount_text(p.pending_total), True),
        Item(_("Together"), amount_text(p.adopted_total + p.pending_total), True),
    ]
    tables = [
        _by_year_table("adopted", _("Decisions taken"), p.adopted, years),
        _units_table(p, years),
    ]
    if p.plan is not None:
        tables.append(_position_table(p))
    tables.append(
        _by_year_table("pending", _("Proposals pending, not yet decided"), p.pending, years)
    )
    closed = []
    for c in p.closed:
        words = _(DECISION_WORDS.get(c.decision, c.decision))
        if c.decision == "merged" and c.into:
            where = _("merged into %(text)s") % {"text": c.into}
            if not c.into_recorded:
                where = _("%(merged)s (a text not costed in the register)") % {"merged": where}
            words = where
        closed.append(
            _("%(version)s: %(title)s; %(decision)s.")
            % {"version": c.version, "title": c.title, "decision": words}
        )
    stamp = _(
        "finimpact %(version)s; position as of %(as_of)s, from %(versions)s versions recorded."
    ) % {"version": __version__, "as_of": p.as_of or "–", "versions": p.versions}
    if p.plan is not None:
        stamp += " " + _("Plan %(id)s, SHA-256 %(sha256)s.") % {
            "id": p.plan.id,
            "sha256": p.plan.sha256,
        }
    return CommitteeView(
        title=_("Report of the Budget Control Committee"),
        subtitle=_("Financial implications of the decisions taken by the conference"),
        lang=current_language(),
        currency=cur,
        rules=_(RULES),
        plan=plan,
        summary=tuple(summary),
        conclusion=_conclusion(p, cur),
        tables=tuple(tables),
        closed_title=_("Proposals that count for nothing themselves"),
        closed=tuple(closed),
        stamp=stamp,
    )


# -- Markdown, HTML and Word: the annex's renderers -------------------------------------------


def _context(p: RunningPosition) -> dict[str, Any]:
    return {"report": dataclasses.asdict(build_view(p))}


def render_markdown(p: RunningPosition) -> bytes:
    env = annex.text_environment(templates_dir(), autoescape=False)
    return env.get_template("committee.md.j2").render(_context(p)).encode("utf-8")


def render_html(p: RunningPosition) -> bytes:
    env = annex.text_environment(templates_dir(), autoescape=True)
    return env.get_template("committee.html.j2").render(_context(p)).encode("utf-8")


@functools.lru_cache(maxsize=1)
def _word_template() -> bytes:
    return (templates_dir() / "committee.docx").read_bytes()


def render_docx(p: RunningPosition) -> bytes:
    """The Word report: the annex's Word renderer on the committee's template; the file's date
    is the position's (the latest recording or decision), so the same register gives the same
    bytes."""
    date = dt.datetime(*stablezip.EPOCH, tzinfo=dt.UTC)
    if p.as_of:
        with_time = dt.datetime.fromisoformat(p.as_of[:19])
        date = with_time.replace(tzinfo=dt.UTC)
    return annex.render_word(_word_template(), _context(p), date, every_table=True)


def render_json(p: RunningPosition) -> bytes:
    return (json.dumps(p.to_json(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


# -- Workbook ---------------------------------------------------------------------------------

CREDITS_HEAD = 3


def render_xlsx(p: RunningPosition) -> bytes:
    """The workbook: a Credits sheet (every additional credit of every version counted: stage,
    version, year, budget unit, amount) and a Position sheet whose credits are SUMIFS over it,
    whose remaining headroom is a subtraction, and whose totals are sums: change a credit and
    the position recomputes."""
    buffer = BytesIO()
    cur = p.currency or ""
    title = _("Report of the Budget Control Committee")
    book = Book(buffer, title=title, reference=title)
    position = book.sheet(pgettext("sheet name", "Position"), freeze=(CREDITS_HEAD + 1, 2))
    credits_name = pgettext("sheet name", "Credits")
    credits = book.sheet(
        credits_name, header_rows=(CREDITS_HEAD, CREDITS_HEAD), freeze=(CREDITS_HEAD + 1, 3)
    )
    rows = [(c, n) for c in (*p.adopted, *p.pending) for n in c.needs]
    first = CREDITS_HEAD + 1
    last = first + max(len(rows), 1) - 1

    def column(col: int) -> str:
        return f"{quote_sheetname(credits_name)}!{cell(first, col, True)}:{cell(last, col, True)}"

    credits.text(0, 0, _("Additional credits of every version counted"), "title", fits=False)
    credits.text(1, 0, _("In %(currency)s.") % {"currency": cur}, fits=False)
    heads = [_("Stage"), _("Version"), _("Title"), _("Decision"), _("Year"), _("Budget unit")]
    credits.header(CREDITS_HEAD, [*heads, _("Additional credits")], numbers=(4, 6))
    for i, (c, n) in enumerate(rows):
        at = first + i
        credits.text(at, 0, c.stage)
        credits.text(at, 1, c.version)
        credits.text(at, 2, c.title, wrap_at=40)
        credits.text(at, 3, _(DECISION_WORDS[c.decision]) if c.decision else "")
        credits.number(at, 4, n.year, YEAR)
        credits.text(at, 5, n.unit)
        credits.number(at, 6, n.amount)
    credits.ws.autofilter(CREDITS_HEAD, 0, last, 6)
    credits.finish()

    position.text(0, 0, title, "title", fits=False)
    position.text(1, 0, _(RULES), fits=False)
    note = (
        _("Financial plan: %(plan)s") % {"plan": plan_label(p.plan)}
        if p.plan is not None
        else _("No financial plan was named.")
    )
    position.text(2, 0, f"{_('In %(currency)s.') % {'currency': cur}} {note}", fits=False)
    heads = [_("Year"), _("Budget unit"), _("Headroom"), _("Decisions taken"), _("Remaining")]
    heads += [_("Pending"), _("Remaining if adopted"), _("First exceeded by")]
    position.header(CREDITS_HEAD, heads, numbers=(0, 2, 3, 4, 5, 6))
    top = CREDITS_HEAD + 1
    for i, here in enumerate(p.cells):
        at = top + i
        position.number(at, 0, here.year, YEAR)
        position.text(at, 1, here.unit)
        criteria = f"{column(4)},{cell(at, 0)},{column(5)},{cell(at, 1)}"
        adopted = f'=SUMIFS({column(6)},{column(0)},"adopted",{criteria})'
        pending = f'=SUMIFS({column(6)},{column(0)},"pending",{criteria})'
        position.formula(at, 3, adopted, here.adopted)
        position.formula(at, 5, pending, here.pending)
        if here.headroom is None:
            position.text(at, 2, _("outside the plan"))
        else:
            position.number(at, 2, here.headroom)
            position.formula(
                at,
                4,
                f"={cell(at, 2)}-{cell(at, 3)}",
                here.remaining_after_adopted or ZERO,
                MONEY_FLAGGED,
            )
            position.formula(
                at, 6, f"={cell(at, 4)}-{cell(at, 5)}", here.remaining or ZERO, MONEY_FLAGGED
            )
        position.text(at, 7, here.first_exceeded_by or "")
    total = top + len(p.cells)
    position.text(total, 1, _("Total"), "total")
    for col, value in (
        (3, sum((c.adopted for c in p.cells), ZERO)),
        (5, sum((c.pending for c in p.cells), ZERO)),
    ):
        formula = f"=SUM({cell(top, col)}:{cell(total - 1, col)})" if p.cells else "=0"
        position.formula(total, col, formula, value, MONEY, "total")
    position.finish()
    book.close()
    return buffer.getvalue()


RENDER: dict[str, Callable[[RunningPosition], bytes]] = {
    "docx": render_docx,
    "html": render_html,
    "md": render_markdown,
    "xlsx": render_xlsx,
    "json": render_json,
}


def render(
    p: RunningPosition, formats: tuple[str, ...] = FORMATS_WRITTEN, lang: str = "en"
) -> dict[str, bytes]:
    """The report in each format, in memory, its words in ``lang`` (the JSON, the position's
    facts, stays English): format → bytes. Same position, same bytes."""
    with language(lang):
        return {f: RENDER[f](p) for f in formats}


def write(
    p: RunningPosition, out_dir: Path, formats: tuple[str, ...] = FORMATS_WRITTEN, lang: str = "en"
) -> list[Path]:
    """Write committee-report.<format> into ``out_dir``, all or none; return the paths."""
    files = render(p, formats, lang)
    return write_all({out_dir / f"{STEM}.{f}": data for f, data in files.items()})
