"""The library behind every face: estimate a proposal from a file, from TOML text or from data
held in memory; render and write its outputs with one options object. The command line, the
batch and any later face (a web app, a register) call these functions; docs/api.md shows them
at work (its examples run in the tests).

Everything here is typed and pure except ``write`` (and ``batch``), which write files. Nothing
prints; problems come back as :class:`Diagnostic` values, located by source name and key path
(and line and column when the proposal was text). The renderers are imported only when
something is rendered, so ``from estimator.api import estimate_text`` stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from estimator.core import pipeline
from estimator.core.diagnostics import Diagnostic, Severity, has_errors
from estimator.core.difference import CURRENCIES_DIFFER, Difference, Row
from estimator.core.estimate import Estimate
from estimator.core.load import FileKind, Source, kind_of, parse_toml, read_toml
from estimator.core.pipeline import Checked, Outcome
from estimator.core.plan import FinancialPlan
from estimator.core.ratecard import RateCard
from estimator.render.options import (
    DEFAULT_OPTIONS,
    DEFAULT_ROUND_TO,
    FORMATS,
    OptionProblem,
    RenderOptions,
    TemplateProblem,
)

if TYPE_CHECKING:
    from estimator.batch.report import Report
    from estimator.batch.run import Batch
    from estimator.register.position import RunningPosition

__all__ = [
    "CANNOT_WRITE",
    "COMMITTEE_FORMATS",
    "CURRENCIES_DIFFER",
    "DEFAULT_OPTIONS",
    "DEFAULT_ROUND_TO",
    "DIFFERENCE_FORMATS",
    "FORMATS",
    "NO_PROPOSALS",
    "BatchRun",
    "Checked",
    "Diagnostic",
    "Difference",
    "Estimate",
    "FileKind",
    "OptionProblem",
    "Outcome",
    "RateCard",
    "RenderOptions",
    "Row",
    "Severity",
    "Source",
    "TemplateProblem",
    "batch",
    "check",
    "check_file",
    "committee_report",
    "compare_files",
    "difference",
    "estimate",
    "estimate_data",
    "estimate_file",
    "estimate_text",
    "financial_plan",
    "has_errors",
    "kind_of",
    "parse_source",
    "rate_card",
    "read_source",
    "render",
    "render_difference",
    "write",
    "write_committee_report",
    "write_difference",
]

Rates = str | Path | None
"""A rate card: the path of a TOML file, or the id of a shipped card ('itu-geneva',
'un-new-york'); None for the proposal's rate_card, else the default card."""


def _card(rates: Rates) -> Path | None:
    return None if rates is None else Path(rates)


def read_source(
    path: Path | str, name: str | None = None
) -> tuple[Source | None, list[Diagnostic]]:
    """A file read and parsed (not validated): its tables, hash and text. ``name`` is how
    diagnostics name it [default: the path]."""
    return read_toml(Path(path), name)


def parse_source(
    text: str | bytes, name: str = "proposal.toml"
) -> tuple[Source | None, list[Diagnostic]]:
    """TOML parsed (not validated), named ``name`` in diagnostics: text, or a file's bytes as
    read (an upload), whose encoding is checked as a file's is (UTF-8, told where it is not)."""
    return parse_toml(text if isinstance(text, bytes) else text.encode("utf-8"), name)


def estimate(source: Source, *, rates: Rates = None, plan: Path | str | None = None) -> Outcome:
    """Price and assess a parsed proposal (from :func:`read_source`, :func:`parse_source` or
    ``Source.of_data``). ``plan`` is a financial plan file for the Article 34 assessment
    [default: the shipped plan in the card's currency, if any]."""
    return pipeline.estimate_source(source, _card(rates), _plan(plan))


def estimate_file(
    path: Path | str, *, rates: Rates = None, plan: Path | str | None = None
) -> Outcome:
    """Price and assess the proposal in a TOML file."""
    return pipeline.estimate(Path(path), _card(rates), plan_path=_plan(plan))


def estimate_text(
    text: str,
    name: str = "proposal.toml",
    *,
    rates: Rates = None,
    plan: Path | str | None = None,
) -> Outcome:
    """Price and assess a proposal written in TOML, held in a string."""
    return pipeline.estimate_text(text, name, _card(rates), _plan(plan))


def estimate_data(
    data: Mapping[str, Any],
    name: str = "proposal",
    *,
    sha256: str | None = None,
    rates: Rates = None,
    plan: Path | str | None = None,
) -> Outcome:
    """Price and assess a proposal given as tables (the shape ``tomllib`` gives, numbers as int
    or Decimal, never float). ``sha256`` identifies it in the annex's stamp [default: the
    SHA-256 of the data as canonical JSON]. Diagnostics carry ``name`` and the key path; they
    have no line (line 0)."""
    return pipeline.estimate_data(data, name, sha256, _card(rates), _plan(plan))


def _plan(plan: Path | str | None) -> Path | None:
    return None if plan is None else Path(plan)


def check(path: Path | str, *, rates: Rates = None) -> Checked:
    """A file checked as ``finimpact validate`` checks it, whatever it is (proposal, rate card,
    financial or strategic plan: see :func:`kind_of`): its kind, every problem, and for a
    proposal the id of the rate card it was checked with (``rate_card``) and why that one
    (``card_chosen_by``: 'rates' when given, 'proposal' for its rate_card, or 'default')."""
    return pipeline.check(Path(path), _card(rates))


def check_file(path: Path | str, *, rates: Rates = None) -> list[Diagnostic]:
    """Every problem of a file (:func:`check`'s diagnostics)."""
    return pipeline.check_file(Path(path), _card(rates))


def rate_card(rates: Rates = None) -> tuple[RateCard | None, list[Diagnostic]]:
    """A rate card, loaded and checked: a file, or the id of a shipped card [default: the
    default card]. ``card.to_json()`` gives every rate, dated value and source."""
    return pipeline.resolve_card(_card(rates), None)


def difference(
    estimates: Sequence[Estimate], names: Sequence[str] | None = None
) -> tuple[Difference | None, list[Diagnostic]]:
    """What ``estimates[1:]`` add, remove or change compared with ``estimates[0]`` (two or
    more), in cost, by year, object of expenditure, budget unit, funding and activity (matched
    by id). ``names`` name them in the outputs [default: their references; their file names
    when references repeat]. Estimates in different currencies are not compared: (None, a
    problem per estimate, code ``currencies-differ``)."""
    from estimator.core.difference import difference as differ

    return differ(estimates, names)


def compare_files(
    paths: Sequence[Path | str], *, rates: Rates = None, plan: Path | str | None = None
) -> tuple[Difference | None, list[Diagnostic]]:
    """Estimate each proposal file with the same card and plan, then :func:`difference` them,
    the first against the others. Every problem of every file comes back at once (warnings
    too); the difference is None when any file has an error."""
    outcomes = [estimate_file(p, rates=rates, plan=plan) for p in paths]
    diags = [d for o in outcomes for d in o.diagnostics]
    estimates = [o.estimate for o in outcomes if o.estimate is not None]
    if has_errors(diags) or len(estimates) != len(outcomes):
        return None, diags
    found, problems = difference(estimates)
    return found, diags + problems


COMMITTEE_FORMATS = ("docx", "html", "md", "xlsx", "json")
"""What the Budget Control Committee's report is written as (committee-report.<format>)."""


def committee_report(
    position: RunningPosition,
    formats: Sequence[str] = COMMITTEE_FORMATS,
    language: str = "en",
) -> dict[str, bytes]:
    """The Budget Control Committee's report on the decisions taken (General Rules Nos. 71-74)
    from a register's running position, in each of ``formats``, its words in ``language`` (the
    JSON, the position's facts, stays English): format → bytes. Word, HTML and Markdown come
    from the annex's renderers; the workbook's position is formulas over every credit counted.
    Same position, same bytes."""
    from estimator.render.committee import render as render_committee

    return render_committee(position, tuple(formats), language)


def write_committee_report(
    position: RunningPosition,
    out_dir: Path | str,
    formats: Sequence[str] = COMMITTEE_FORMATS,
    language: str = "en",
) -> list[Path]:
    """Write committee-report.<format> into ``out_dir``, all or none; return the paths. Raises
    OSError if they cannot be written (the previous files are then untouched)."""
    from estimator.render.committee import write as write_committee

    return write_committee(position, Path(out_dir), tuple(formats), language)


def financial_plan(plan: Path | str) -> tuple[FinancialPlan | None, list[Diagnostic]]:
    """A financial plan, loaded and checked: a TOML file, or the name of a shipped plan
    ('example-itu'), as ``--plan`` takes it."""
    from estimator.core.plan import load_plan, shipped_plans

    shipped = shipped_plans().get(str(plan))
    if shipped is not None and not Path(plan).exists():
        return load_plan(shipped, f"cost_models/plans/{shipped.name}")
    return load_plan(Path(plan))


DIFFERENCE_FORMATS = ("json", "xlsx", "html", "md")
"""What a difference is written as (comparison.<format>)."""


def render_difference(
    difference: Difference, formats: Sequence[str] = DIFFERENCE_FORMATS, language: str = "en"
) -> dict[str, bytes]:
    """A difference in each of ``formats`` (among DIFFERENCE_FORMATS), in memory, its words in
    ``language`` (the JSON stays English): format → bytes. The workbook's amounts are formulas
    over every cost line of every estimate. Same difference, same bytes."""
    from estimator.render.comparison import render as render_comparison

    return render_comparison(difference, tuple(formats), language)


def write_difference(
    difference: Difference,
    out_dir: Path | str,
    formats: Sequence[str] = DIFFERENCE_FORMATS,
    language: str = "en",
) -> list[Path]:
    """Write comparison.<format> into ``out_dir``, all or none; return the paths. Raises
    OSError if they cannot be written (the previous files are then untouched)."""
    from estimator.render.comparison import write as write_comparison

    return write_comparison(difference, Path(out_dir), tuple(formats), language)


def render(estimate: Estimate, options: RenderOptions = DEFAULT_OPTIONS) -> dict[str, bytes]:
    """The outputs of ``options.formats``, in memory: format ('json', 'md', ...) → bytes.
    Same estimate and options, same bytes. A user template that is missing or broken raises
    :class:`TemplateProblem`, with a one-line message."""
    from estimator.render.outputs import render_outputs

    return render_outputs(estimate, options)


def write(
    estimate: Estimate, out_dir: Path | str, options: RenderOptions = DEFAULT_OPTIONS
) -> list[Path]:
    """Write the outputs into ``out_dir`` as <reference>.<suffix>, all or none (temporary
    files, then one rename each); return the paths written. Raises OSError if they cannot be
    written (the previous outputs are then untouched), and TemplateProblem as :func:`render`."""
    from estimator.render.outputs import write_outputs

    return write_outputs(estimate, Path(out_dir), options)


class BatchRun:
    """A batch that ran: ``batch`` (rows in submission order, failures in file order, files
    skipped) and its consolidated ``report``; :meth:`write_reports` writes the report files.
    Close it (or use ``with``) to remove the temporary file that holds the rows."""

    def __init__(self, batch: Batch, report: Report, out_dir: Path, jobs: int = 1) -> None:
        self.batch = batch
        self.report = report
        self.out_dir = out_dir
        self.jobs = jobs

    def write_reports(self) -> list[Path]:
        """Write batch-report.json, .xlsx, .html and .md into the out folder, all or none;
        raises OSError if they cannot be written (the previous report is then untouched)."""
        from estimator.batch.report import write_reports

        return write_reports(self.report, self.out_dir, self.jobs)

    def close(self) -> None:
        self.batch.close()

    def __enter__(self) -> BatchRun:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


NO_PROPOSALS = "no-proposals"
CANNOT_WRITE = "cannot-write"


def batch(
    paths: Sequence[Path | str],
    out_dir: Path | str,
    options: RenderOptions = DEFAULT_OPTIONS,
    *,
    rates: Rates = None,
    plan: Path | str | None = None,
    jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[BatchRun | None, list[Diagnostic]]:
    """Cost every proposal of ``paths`` (files, or folders searched for *.toml) and write each
    one's outputs into ``out_dir`` with ``options``; then consolidate them.

    Returns (None, the problems) when the batch cannot start: a path that does not exist, a
    card or plan that cannot be used, no proposal found (code ``no-proposals``), an
    ``out_dir`` that cannot be made (code ``cannot-write``). Otherwise the run (write its
    report with ``run.write_reports()``), and the problems that stopped nothing.
    """
    from estimator.batch.report import consolidate
    from estimator.batch.run import batch_settings, find_proposals, run_batch

    out = Path(out_dir)
    files, missing = find_proposals([Path(p) for p in paths])
    settings, found = batch_settings(out, options, _card(rates), _plan(plan))
    diags = missing + found
    if settings is None or missing:  # a mistyped path: nothing is costed, nothing written
        return None, diags
    if not files:
        return None, [*diags, _problem(out, NO_PROPOSALS, "no proposal files (*.toml) found")]
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:  # --out names a file, or a folder that cannot be made
        why = f"cannot write the outputs in {out}: {e.strerror or e}"
        return None, [*diags, _problem(out, CANNOT_WRITE, why)]
    result = run_batch(files, settings, jobs, progress)
    try:
        return BatchRun(result, consolidate(result, options.language or "en"), out, jobs), diags
    except BaseException:
        result.close()
        raise


def _problem(out: Path, code: str, message: str) -> Diagnostic:
    return Diagnostic(str(out), (), code, message)
