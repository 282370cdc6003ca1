"""The command line: a thin layer over the pipeline. It parses options, runs the library,
prints diagnostics and sets the exit code (0 done, 1 invalid input, 2 usage)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from estimator import __version__
from estimator.batch.report import consolidate, write_reports
from estimator.batch.run import ProgressBar, batch_settings, find_proposals, run_batch
from estimator.cli.starter import starter_proposal
from estimator.cli.summary import summary
from estimator.core import templates as activity_templates
from estimator.core.diagnostics import Diagnostic, has_errors, printable
from estimator.core.pipeline import check_file, resolve_card
from estimator.core.pipeline import estimate as run_estimate
from estimator.core.ratecard import RateCard
from estimator.render.annex import DEFAULT_ROUND_TO, TemplateProblem, template_format
from estimator.render.outputs import RENDERERS, render_json, write_outputs
from estimator.render.rounding import ROUNDING_UNITS

app = typer.Typer(
    name="finimpact",
    help="Estimate the financial implications of proposals to ITU conferences and assemblies "
    "(ITU Convention, Article 34).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)

RatesOption = Annotated[
    Path | None,
    typer.Option(
        "--rates",
        help="The rate card: a TOML file, or the id of a shipped card (itu-geneva, the default;"
        " un-new-york).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")]
PlanOption = Annotated[
    Path | None,
    typer.Option(
        "--plan",
        help="The financial plan for the Article 34 assessment: a TOML file, or the name of a"
        " shipped plan (example-itu, an illustration with assumed figures). Default: none, the"
        " additional credits are not assessed against a plan.",
    ),
]


def _formats(text: str) -> list[str]:
    """The --format list, checked against the registered renderers."""
    wanted = [f.strip() for f in text.split(",") if f.strip()]
    unknown = [f for f in wanted if f not in RENDERERS]
    if unknown or not wanted:
        raise typer.BadParameter(
            f"unknown format {', '.join(unknown) or '(none)'}; choose from {', '.join(RENDERERS)}",
            param_hint="--format",
        )
    return wanted


def _print_diagnostics(diags: list[Diagnostic]) -> None:
    for d in diags:
        typer.echo(d.render(), err=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"finimpact {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Estimate the financial implications of proposals to ITU conferences and assemblies."""


@app.command()
def estimate(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="The proposal, a TOML file (format 1).")
    ],
    rates: RatesOption = None,
    plan: PlanOption = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for the outputs [default: the current folder]."),
    ] = None,
    as_json: JsonOption = False,
    formats: Annotated[
        str,
        typer.Option("--format", help="Outputs to write, comma-separated: " + ", ".join(RENDERERS)),
    ] = ",".join(RENDERERS),
    round_to: Annotated[
        int,
        typer.Option(
            "--round-to",
            help="Round the annex's figures to 1, 100 or 1000; parts add up to the totals.",
        ),
    ] = DEFAULT_ROUND_TO,
    template: Annotated[
        Path | None,
        typer.Option(
            "--template",
            help="Your own annex template: a .md.j2, .html.j2 or .docx file (see docs/annex.md).",
        ),
    ] = None,
) -> None:
    """Price a proposal: write its outputs and print a summary.

    Writes <reference>.estimate.json (and the other formats) into --out. With --json, prints
    the estimate as JSON on stdout instead of the summary, and writes files only if --out is
    given.
    """
    wanted = _formats(formats)
    if round_to not in ROUNDING_UNITS:
        raise typer.BadParameter(
            f"{round_to} is not one of {', '.join(map(str, ROUNDING_UNITS))}",
            param_hint="--round-to",
        )
    if template is not None:
        try:
            template_format(template)
        except TemplateProblem as e:
            raise typer.BadParameter(str(e), param_hint="--template") from e
    outcome = run_estimate(file, rates, plan_path=plan)
    _print_diagnostics(outcome.diagnostics)
    if outcome.estimate is None or has_errors(outcome.diagnostics):
        raise typer.Exit(1)
    written: list[Path] = []
    if out is not None or not as_json:
        options = {"round_to": round_to, "template": template}
        try:
            written = write_outputs(outcome.estimate, out or Path("."), wanted, options)
        except TemplateProblem as e:
            typer.echo(f"finimpact: {e}", err=True)
            raise typer.Exit(1) from e
        except OSError as e:  # nothing was half-written: say why, in one line
            why = e.strerror or str(e)
            typer.echo(f"finimpact: cannot write the outputs in {out or '.'}: {why}", err=True)
            raise typer.Exit(1) from e
    if as_json:
        sys.stdout.write(render_json(outcome.estimate, {}).decode("utf-8"))
        return
    # proposal text on a terminal: escape sequences in a title are shown, not obeyed
    typer.echo("\n".join(map(printable, summary(outcome.estimate).splitlines())))
    typer.echo("")
    for path in written:
        typer.echo(f"wrote {path}")


@app.command()
def batch(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH",
            help="Proposal files, or folders searched for *.toml (recursively).",
        ),
    ],
    out: Annotated[
        Path, typer.Option("--out", help="Folder for every output and the consolidated report.")
    ],
    rates: RatesOption = None,
    plan: PlanOption = None,
    formats: Annotated[
        str,
        typer.Option(
            "--format",
            help="Outputs to write for each proposal, comma-separated: " + ", ".join(RENDERERS),
        ),
    ] = ",".join(RENDERERS),
    jobs: Annotated[
        int,
        typer.Option("--jobs", min=1, help="Worker processes; the outputs do not depend on it."),
    ] = 1,
) -> None:
    """Cost every proposal of a conference and report them together against the financial plan.

    Each proposal gets its own outputs in --out; batch-report.xlsx, .html, .md and .json give
    one row per proposal, in submission order, and the cumulative additional credits against
    the plan's headroom per year and budget unit. Exits 1 if any proposal could not be costed,
    and before costing any if a PATH does not exist.
    """
    wanted = _formats(formats)
    files, missing = find_proposals(paths)
    settings, found = batch_settings(out, wanted, rates, plan)
    _print_diagnostics(missing + found)
    if settings is None or missing:  # a mistyped path: nothing is costed, nothing written
        raise typer.Exit(1)
    if not files:
        typer.echo("no proposal files (*.toml) found", err=True)
        raise typer.Exit(1)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:  # --out names a file, or a folder that cannot be made
        typer.echo(f"finimpact: cannot write the outputs in {out}: {e.strerror or e}", err=True)
        raise typer.Exit(1) from e
    progress = ProgressBar() if sys.stderr.isatty() else None
    with run_batch(files, settings, jobs, progress) as result:
        if progress is not None:
            progress.close()
        for failure in result.failures:
            _print_diagnostics(list(failure.diagnostics))
        warnings = 0
        for row in result.rows:
            _print_diagnostics(list(row.warnings))
            warnings += len(row.warnings)
        for file, why in result.skipped:
            typer.echo(f"{file}: note: skipped: {why}", err=True)
        report = consolidate(result)
        try:
            written = write_reports(report, out)
        except OSError as e:  # none of the reports was replaced
            why = e.strerror or str(e)
            typer.echo(f"finimpact: cannot write the batch report in {out}: {why}", err=True)
            raise typer.Exit(1) from e
    typer.echo(
        f"costed {len(result.rows)} of {result.files} proposals"
        f" ({len(result.failures)} failed, {warnings} warnings on stderr);"
        f" total {result.currency} {report.total:,.2f}"
    )
    for cell in report.exceeded:
        typer.echo(
            f"the headroom of {cell.unit} in {cell.year} is first exceeded by proposal"
            f" {(cell.first_exceeded_by or 0) + 1}, {cell.first_reference}"
        )
    for path in written:
        typer.echo(f"wrote {path}")
    if result.failures:
        raise typer.Exit(1)


@app.command()
def validate(
    files: Annotated[
        list[Path],
        typer.Argument(metavar="FILE", help="Proposals, rate cards or financial plans (TOML)."),
    ],
    rates: RatesOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check proposals, rate cards and plans; report every problem, located as file:line:col."""
    report: list[dict[str, object]] = []
    failed = False
    for file in files:
        diags = check_file(file, rates)
        failed |= has_errors(diags)
        if as_json:
            report.append(
                {
                    "file": str(file),
                    "valid": not has_errors(diags),
                    "diagnostics": [d.to_json() for d in diags],
                }
            )
        else:
            _print_diagnostics(diags)
            if not has_errors(diags):
                n = len(diags)
                typer.echo(f"{file}: valid" + (f" ({n} warning{'s' * (n > 1)})" if n else ""))
    if as_json:
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
    if failed:
        raise typer.Exit(1)


@app.command("rates")
def rates_command(rates: RatesOption = None, as_json: JsonOption = False) -> None:
    """Show the rate card in use: every rate, every dated value and its source."""
    card, diags = resolve_card(rates, None)
    _print_diagnostics(diags)
    if card is None or has_errors(diags):
        raise typer.Exit(1)
    if as_json:
        typer.echo(json.dumps(card_json(card), indent=2, ensure_ascii=False))
        return
    info = card.info
    typer.echo(f"{info.id}: {info.title}")
    typer.echo(
        f"currency {info.currency}; escalation {info.escalation * 100:g}% a year; "
        f"{info.words_per_page} words a page; sha256 {card.sha256}"
    )
    if info.indicative:
        typer.echo("Indicative: built from public figures, not an organization's standard costs.")
    if info.escalation_source:
        typer.echo(f"Escalation: {info.escalation_source}")
    for rate in card.rates.values():
        typer.echo(f"\n{rate.id}: {rate.label} (per {rate.unit})")
        for v in rate.value:
            typer.echo(f"  from {v.from_}: {info.currency} {v.amount:,} [{v.basis}] {v.source}")
            if v.formula:
                typer.echo(f"      formula: {v.formula}")
            if v.derivation:
                typer.echo(f"      derivation: {v.derivation}")
            if v.assumption:
                typer.echo(f"      assumption: {v.assumption}")


def card_json(card: RateCard) -> dict[str, object]:
    info = card.info
    return {
        "id": info.id,
        "title": info.title,
        "currency": info.currency,
        "escalation": str(info.escalation),
        "escalation_basis": info.escalation_basis,
        "escalation_source": info.escalation_source,
        "words_per_page": info.words_per_page,
        "indicative": info.indicative,
        "sha256": card.sha256,
        "rates": [
            {
                "id": r.id,
                "label": r.label,
                "unit": r.unit,
                "currency": info.currency,
                "values": [
                    {
                        "from": v.from_.isoformat(),
                        "amount": str(v.amount),
                        "source": v.source,
                        "basis": v.basis,
                        "formula": v.formula,
                        "derivation": v.derivation,
                        "assumption": v.assumption,
                        "note": v.note,
                    }
                    for v in r.value
                ],
            }
            for r in card.rates.values()
        ],
    }


@app.command()
def activities(
    name: Annotated[
        str | None,
        typer.Argument(metavar="NAME", help="A template to explain, e.g. wtsa.focus-group."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List the conference activity templates, or explain one: its parts, defaults and why."""
    if name is None:
        if as_json:
            every = [t.to_json() for t in activity_templates.catalogue().values()]
            typer.echo(json.dumps(every, indent=2, ensure_ascii=False))
        else:
            typer.echo(activity_templates.listing())
        return
    template, hint = activity_templates.find(name)
    if template is None:
        typer.echo(f"no activity template is called '{name}' ({hint})", err=True)
        raise typer.Exit(1)
    if as_json:
        typer.echo(json.dumps(template.to_json(), indent=2, ensure_ascii=False))
    else:
        typer.echo(template.explain())


@app.command()
def init(
    path: Annotated[
        Path, typer.Argument(metavar="PATH", help="Where to write the starter proposal.")
    ] = Path("proposal.toml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented starter proposal that validates, to edit into your own."""
    if path.exists() and not force:
        typer.echo(f"{path} exists already; use --force to overwrite it", err=True)
        raise typer.Exit(1)
    path.write_text(starter_proposal(), encoding="utf-8")
    typer.echo(f"wrote {path}; check it with: finimpact validate {path}")


def main() -> None:
    """Entry point: usage errors exit 2, invalid input 1; a bug prints one line, not locals."""
    try:
        app(prog_name="finimpact")
    except SystemExit:
        raise
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as e:  # a bug: say so in one line, never dump proposal contents
        typer.echo(f"finimpact: internal error ({type(e).__name__}); please report it", err=True)
        sys.exit(3)
