"""Caveats: what a committee should know about the figures of an estimate, as sentences.

Documents (the annex, the workbook) carry these under their own heading, never the raw
diagnostics of the command line (lower case, rate ids, file positions): each caveat is worked
out from the estimate itself.
"""

from __future__ import annotations

import datetime as dt

from estimator.core.estimate import Estimate
from estimator.core.strategic import goals_past_plans
from estimator.render.scripts import as_written
from estimator.render.wording import FORMATS, _, current_language, period_text

MAX_VALUE_AGE = 5
"""A unit cost used unescalated more than this many years after its date is a caveat."""


def caveats(estimate: Estimate) -> tuple[str, ...]:
    out: list[str] = []
    for title, years in goals_past_plans(estimate.proposal).items():
        out.append(
            _(
                "The strategic goals that the activities name for %(years)s were checked against"
                " the %(plan)s, the latest adopted; they should be checked again against the"
                " strategic plan for those years once it is adopted."
            )
            % {"years": period_text(years), "plan": as_written(title, current_language())}
        )
    if estimate.card.escalation == 0:
        old: dict[tuple[str, dt.date], list[int]] = {}
        labels: dict[str, str] = {}
        for line in estimate.lines:
            since = line.rate_from
            if since is not None and line.rate and line.year - since.year > MAX_VALUE_AGE:
                old.setdefault((line.rate_id, since), []).append(line.year)
                labels[line.rate_id] = line.rate_label
        for (rate_id, since), years in old.items():
            years = sorted(set(years))
            out.append(
                _(
                    "The unit cost \u201c%(rate)s\u201d dates from %(date)s and is used without"
                    " escalation for %(years)s, more than %(age)s years later: that cost may be"
                    " understated."
                )
                % {
                    "rate": as_written(labels[rate_id], current_language()),
                    "date": FORMATS.long_date(since),
                    "years": period_text(years),
                    "age": MAX_VALUE_AGE,
                }
            )
    return tuple(out)
