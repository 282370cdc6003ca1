"""The command line: a thin face over the library (``estimator.api``). It parses options,
calls the library, prints what it returns and sets the exit code (0 done, 1 invalid input,
2 usage)."""

# No `from __future__ import annotations` in the command line's modules: Typer reads every
# command's annotations at each start, and as strings it evaluates them all again (20 ms of
# each run, bench/startup.py).

import io
import json
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from estimator import __version__
from estimator.cli.collector import long_running
from estimator.cli.common import (
    DifferenceFormatOption,
    DifferenceLangOption,
    JsonOption,
    PlanOption,
    RatesOption,
    _Command,
    _print_diagnostics,
    chosen_formats,
    chosen_language,
    echo,
    echo_json,
    out_folder,
    show_difference,
)
from estimator.cli.register import register_app
from estimator.core.diagnostics import Diagnostic, KeyPath, Severity, has_errors
from estimator.render.options import (
    DEFAULT_ROUND_TO,
    FORMATS,
    OptionProblem,
    RenderOptions,
    TemplateProblem,
)

if TYPE_CHECKING:
    from estimator.api import Checked

# Each command imports the library (estimator.api) when it runs: start-up that matches the work
# (--help loads no pipeline, validate and estimate --json no renderer; tests/test_startup.py).

app = typer.Typer(
    name="finimpact",
    help="Estimate the financial implications of proposals to ITU conferences and assemblies "
    "(ITU Convention, Article 34).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)


FormatOption = Annotated[
    str,
    typer.Option(
        "--format",
        metavar="LIST",
        help="Outputs to write, comma-separated: " + ", ".join(FORMATS) + ".",
    ),
]
RoundToOption = Annotated[
    int,
    typer.Option(
        "--round-to",
        metavar="UNIT",
        help="Round the annex's figures to 1, 100 or 1000; the parts add up to the totals.",
    ),
]
TemplateOption = Annotated[
    Path | None,
    typer.Option(
        "--template",
        metavar="FILE",
        help="Your own annex template: a .md.j2, .html.j2 or .docx file (see docs/annex.md).",
    ),
]
LangOption = Annotated[
    str | None,
    typer.Option(
        "--lang",
        metavar="LANG",
        help="The language of the annex, workbook and report: ar, zh, en, fr, ru or es."
        " Default: the proposal's output_language, else en.",
    ),
]


PreparedByOption = Annotated[
    str | None,
    typer.Option(
        "--prepared-by",
        metavar="WHO",
        help="Who prepared the estimate (a person, an office or a delegation), for the annex's"
        " 'Prepared by'. Default: the proposal's prepared_by; without either, no such line.",
    ),
]


def _options(
    formats: str,
    round_to: int,
    template: Path | None,
    lang: str | None = None,
    prepared_by: str | None = None,
) -> RenderOptions:
    """The one options object of the outputs, from the command line; a value that cannot be
    used is a usage error (exit 2) naming its option."""
    try:
        return RenderOptions(
            round_to, template, RenderOptions.parse_formats(formats), lang, prepared_by
        )
    except OptionProblem as e:
        raise typer.BadParameter(str(e), param_hint=e.option) from e


def _version(value: bool) -> None:
    if value:
        echo(f"finimpact {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Estimate the financial implications of proposals to ITU conferences and assemblies."""


@app.command(cls=_Command, short_help="Start here: write a commented starter proposal to edit.")
def init(
    path: Annotated[
        Path,
        typer.Argument(metavar="PATH", help="Where to write the starter proposal.", hidden=True),
    ] = Path("proposal.toml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented starter proposal that validates, to edit into your own.

    PATH is where to write it [default: proposal.toml].
    """
    from estimator.cli.starter import shown, write_starter

    problem = write_starter(path, force)
    if problem is not None:
        echo(f"finimpact: {problem}", err=True)
        raise typer.Exit(1)
    echo(f"wrote {path}; check it with: finimpact validate {shown(path)}")


@app.command(cls=_Command, short_help="Price a proposal: write its outputs and print a summary.")
def estimate(
    file: Annotated[
        Path,
        typer.Argument(metavar="FILE", help="The proposal, a TOML file (format 1).", hidden=True),
    ],
    rates: RatesOption = None,
    plan: PlanOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="DIR",
            callback=out_folder,
            help="Folder for the outputs [default: the current folder].",
        ),
    ] = None,
    as_json: JsonOption = False,
    formats: FormatOption = ",".join(FORMATS),
    round_to: RoundToOption = DEFAULT_ROUND_TO,
    template: TemplateOption = None,
    lang: LangOption = None,
    prepared_by: PreparedByOption = None,
) -> None:
    """Price a proposal: write its outputs and print a summary.

    FILE is the proposal, a TOML file (format 1). Writes <reference>.estimate.json (and the
    other formats) into --out. With --json, prints the estimate as JSON on stdout instead of
    the summary, and writes files only if --out is given.
    """
    from estimator import api

    options = _options(formats, round_to, template, lang, prepared_by)
    outcome = api.estimate_file(file, rates=rates, plan=plan)
    _print_diagnostics(outcome.diagnostics)
    if outcome.estimate is None or has_errors(outcome.diagnostics):
        raise typer.Exit(1)
    written: list[Path] = []
    if out is not None or not as_json:
        try:
            written = api.write(outcome.estimate, out or Path("."), options)
        except TemplateProblem as e:
            echo(f"finimpact: {e}", err=True)
            raise typer.Exit(1) from e
        except OSError as e:  # nothing was half-written: say why, in one line
            why = e.strerror or str(e)
            echo(f"finimpact: cannot write the outputs in {out or '.'}: {why}", err=True)
            raise typer.Exit(1) from e
    if as_json:
        as_data = replace(options, formats=("json",))
        echo_json(api.render(outcome.estimate, as_data)["json"])
        return
    from estimator.cli.summary import summary

    # proposal text on a terminal: escape sequences in a title are shown, not obeyed
    echo(summary(outcome.estimate))
    echo("")
    for path in written:
        echo(f"wrote {path}")


@app.command(
    cls=_Command, short_help="Cost every proposal of a conference and report them together."
)
def batch(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH",
            help="Proposal files, or folders searched for *.toml (recursively).",
            hidden=True,
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            metavar="DIR",
            callback=out_folder,
            help="Folder for every output and the consolidated report.",
        ),
    ],
    rates: RatesOption = None,
    plan: PlanOption = None,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Print the consolidated report (batch-report.json) on stdout."),
    ] = False,
    formats: FormatOption = ",".join(FORMATS),
    round_to: RoundToOption = DEFAULT_ROUND_TO,
    template: TemplateOption = None,
    lang: LangOption = None,
    prepared_by: PreparedByOption = None,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs",
            metavar="N",
            help="Worker processes, at least 1; the outputs do not depend on it.",
        ),
    ] = 1,
) -> None:
    """Cost every proposal of a conference and report them together against the financial plan.

    PATH is a proposal file, or a folder searched for *.toml (recursively); rate cards and
    plans, named or found, are skipped with a note. Each proposal gets its own outputs in
    --out, made with the same options as estimate's; batch-report.xlsx, .html, .md and .json
    give one row per proposal, in submission order, and the cumulative additional credits
    against the plan's headroom per year and budget unit. Exits 1 if any proposal could not be
    costed, and before costing any if a PATH does not exist.
    """
    from estimator import api

    options = _options(formats, round_to, template, lang, prepared_by)
    if jobs < 1:
        raise typer.BadParameter(f"{jobs} is not a number of worker processes", param_hint="--jobs")
    progress = ProgressBar() if sys.stderr.isatty() else None
    long_running()
    run, problems = api.batch(
        paths, out, options, rates=rates, plan=plan, jobs=jobs, progress=progress
    )
    if run is None:
        for d in problems:
            if d.code == api.NO_PROPOSALS:
                echo(d.message, err=True)
            elif d.code == api.CANNOT_WRITE:
                echo(f"finimpact: {d.message}", err=True)
            else:
                echo(d.render(), err=True)
        raise typer.Exit(1)
    _print_diagnostics(problems)
    with run:
        result, report = run.batch, run.report
        if progress is not None:
            progress.close()
        for failure in result.failures:
            _print_diagnostics(list(failure.diagnostics))
        told = _once_per_cause([(row.file, row.warnings) for row in result.rows])
        _print_diagnostics(told)
        warnings = len(told)
        for file, why in result.skipped:
            echo(f"{file}: note: skipped: {why}", err=True)
        try:
            written = run.write_reports()
        except OSError as e:  # none of the reports was replaced
            why = e.strerror or str(e)
            echo(f"finimpact: cannot write the batch report in {out}: {why}", err=True)
            raise typer.Exit(1) from e
    if as_json:
        json_report = next(p for p in written if p.name.endswith(".json"))
        echo_json(json_report.read_bytes())
        raise typer.Exit(1 if result.failures else 0)
    echo(
        f"costed {len(result.rows)} of {result.files} proposals"
        f" ({len(result.failures)} failed, {warnings} warnings on stderr);"
        f" total {result.currency} {report.total:,.2f}"
    )
    for cell in report.exceeded:
        echo(
            f"the headroom of {cell.unit} in {cell.year} is first exceeded by proposal"
            f" {(cell.first_exceeded_by or 0) + 1}, {cell.first_reference}"
        )
    for path in written:
        echo(f"wrote {path}")
    if result.failures:
        raise typer.Exit(1)


@app.command(cls=_Command, short_help="Compare estimates side by side: scenarios, versions.")
def compare(
    files: Annotated[
        list[Path],
        typer.Argument(
            metavar="FILE",
            help="Two or more proposals (TOML); the first is compared with the others.",
            hidden=True,
        ),
    ],
    rates: RatesOption = None,
    plan: PlanOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="DIR",
            callback=out_folder,
            help="Folder for comparison.json, .xlsx, .html and .md [default: none, the"
            " comparison is only printed].",
        ),
    ] = None,
    formats: DifferenceFormatOption = "json,xlsx,html,md",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the comparison as JSON on stdout.")
    ] = False,
    lang: DifferenceLangOption = "en",
) -> None:
    """Compare estimates side by side: scenarios a delegation weighs (three languages against
    six, Geneva against virtual), or two versions of a proposal.

    FILE is a proposal (TOML); give two or more, priced with the same card and plan. The first
    is compared with each of the others: the total, and by year, object of expenditure, budget
    unit, source of funding and activity (matched by id), each with the change (the estimate
    minus the first). With --out, writes comparison.json, .xlsx (every amount a formula over
    the cost lines), .html and .md. Exits 1, with every problem of every file, if any cannot
    be costed.
    """
    from estimator import api

    if len(files) < 2:
        raise typer.BadParameter("give two proposals or more to compare", param_hint="FILE")
    wanted = chosen_formats(formats, api.DIFFERENCE_FORMATS)
    chosen_language(lang)
    found, problems = api.compare_files(files, rates=rates, plan=plan)
    _print_diagnostics(problems)
    if found is None or has_errors(problems):
        raise typer.Exit(1)
    show_difference(found, out, wanted, lang, as_json)


@app.command(
    cls=_Command, short_help="Check proposals, rate cards and plans; report every problem."
)
def validate(
    files: Annotated[
        list[Path],
        typer.Argument(metavar="FILE", help="Proposals, rate cards or plans (TOML).", hidden=True),
    ],
    rates: RatesOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check proposals, rate cards and plans; report every problem, located as file:line:col.

    FILE is a proposal, a rate card, a financial plan or a strategic plan (TOML); what it is
    follows from its tables: [proposal], [card] or [[rate]], [headroom], [[goal]].
    """
    from estimator import api

    report: list[dict[str, object]] = []
    failed = False
    given = "--rates" if rates is not None else "named with it"
    if rates is None:
        rates, several = _card_named_beside(files)
        if several:
            given = "several cards are named: --rates CARD checks every proposal with one"
    told: set[str] = set()  # a card's problems, told at the card, not again at each proposal
    for file in files:
        checked = api.check(file, rates=rates)
        diags = checked.diagnostics
        failed |= has_errors(diags)
        if as_json:
            entry: dict[str, object] = {
                "file": str(file),
                "valid": not has_errors(diags),
                "diagnostics": [d.to_json() for d in diags],
            }
            if checked.kind == "proposal":
                entry["rate_card"] = checked.rate_card
                entry["rate_card_chosen_by"] = checked.card_chosen_by
            report.append(entry)
        else:
            new = [d for d in diags if json.dumps(d.to_json(), sort_keys=True) not in told]
            told.update(json.dumps(d.to_json(), sort_keys=True) for d in diags)
            _print_diagnostics(new)
            errors = [d for d in diags if d.severity is Severity.ERROR]
            if errors and all(d.file != str(file) for d in errors):
                echo(f"{file}: not checked: its rate card has the errors above", err=True)
            if not has_errors(diags):
                n = len(new)
                with_card = _checked_with(checked, given)
                warned = f" ({n} warning{'s' * (n > 1)})" if n else ""
                echo(f"{file}: valid{with_card}{warned}")
    if as_json:
        echo_json(json.dumps(report, indent=2, ensure_ascii=False).encode("utf-8"))
    if failed:
        raise typer.Exit(1)


def _once_per_cause(rows: Sequence[tuple[str, Sequence[Diagnostic]]]) -> list[Diagnostic]:
    """A batch's warnings, each cause told once: a value of the rate card (or any file but the
    proposal's own) warned about in several proposals is told at its first, saying in how many
    others (a flat card's old value, once, not once per proposal)."""
    shared: dict[tuple[str, KeyPath, str], list[Diagnostic]] = {}
    out: list[Diagnostic] = []
    for file, warnings in rows:
        for w in warnings:
            if w.file == file:
                out.append(w)
                continue
            same = shared.setdefault((w.file, w.path, w.code), [])
            if not same:
                out.append(w)
            same.append(w)
    for i, w in enumerate(out):
        others = len(shared.get((w.file, w.path, w.code), [w])) - 1
        if others > 0 and w.file != "":
            also = f"and in {others} other proposal{'s' * (others > 1)} of the batch"
            text = (
                f"{w.message[:-1]}; {also})" if w.message.endswith(")") else f"{w.message} ({also})"
            )
            out[i] = replace(w, message=text)
    return out


def _checked_with(checked: "Checked", given: str) -> str:
    """', checked with rate card 'x' (the default)': which card checked a proposal, and why
    that one (with several cards named, each proposal is checked with its own or the default)."""
    if checked.kind != "proposal" or checked.rate_card is None:
        return ""
    why = {"rates": given, "proposal": "its rate_card", "default": "the default"}
    if given.startswith("several"):  # the cards named did not check the proposals
        why = {k: f"{v}; {given}" for k, v in why.items() if k != "rates"}
    chosen = why.get(checked.card_chosen_by or "", "")
    return f", checked with rate card '{checked.rate_card}' ({chosen})"


def _card_named_beside(files: list[Path]) -> tuple[Path | None, bool]:
    """``validate CARD PROPOSAL``: the proposals are checked with the one rate card named
    beside them; with several, with their own rate_card or the default card (--rates chooses)."""
    from estimator import api

    cards = []
    for file in files:
        doc, _ = api.read_source(file) if file.is_file() else (None, [])
        if doc is not None and api.kind_of(doc.data) == "rate card":
            cards.append(file)
    if len(cards) == 1:
        return cards[0], False
    return None, len(cards) > 1


@app.command(
    "rates", cls=_Command, short_help="Show the rate card in use, every value with its source."
)
def rates_command(rates: RatesOption = None, as_json: JsonOption = False) -> None:
    """Show the rate card in use: every rate, every dated value and its source."""
    from estimator import api

    card, diags = api.rate_card(rates)
    _print_diagnostics(diags)
    if card is None or has_errors(diags):
        raise typer.Exit(1)
    if as_json:
        echo_json(json.dumps(card.to_json(), indent=2, ensure_ascii=False).encode("utf-8"))
        return
    info = card.info
    echo(f"{info.id}: {info.title}")
    echo(
        f"currency {info.currency}; escalation {info.escalation * 100:g}% a year; "
        f"{info.words_per_page} words a page; sha256 {card.sha256}"
    )
    if info.indicative:
        echo("Indicative: built from public figures, not an organization's standard costs.")
    if info.escalation_source:
        echo(f"Escalation: {info.escalation_source}")
    for rate in card.rates.values():
        echo(f"\n{rate.id}: {rate.label} (per {rate.unit})")
        for v in rate.value:
            echo(f"  from {v.from_}: {info.currency} {v.amount:,} [{v.basis}] {v.source}")
            if v.formula:
                echo(f"      formula: {v.formula}")
            if v.derivation:
                echo(f"      derivation: {v.derivation}")
            if v.assumption:
                echo(f"      assumption: {v.assumption}")


@app.command(cls=_Command, short_help="List the conference activity templates, or explain one.")
def activities(
    name: Annotated[
        str | None,
        typer.Argument(
            metavar="NAME", help="A template to explain, e.g. wtsa.focus-group.", hidden=True
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List the conference activity templates, or explain one: its parts, defaults and why.

    NAME is a template to explain, e.g. wtsa.focus-group.
    """
    from estimator.core import templates as activity_templates

    if name is None:
        if as_json:
            every = [t.to_json() for t in activity_templates.catalogue().values()]
            echo_json(json.dumps(every, indent=2, ensure_ascii=False).encode("utf-8"))
        else:
            echo(activity_templates.listing())
        return
    template, hint = activity_templates.find(name)
    if template is None:
        echo(f"no activity template is called '{name}' ({hint})", err=True)
        raise typer.Exit(1)
    if as_json:
        echo_json(json.dumps(template.to_json(), indent=2, ensure_ascii=False).encode("utf-8"))
    else:
        echo(template.explain())


@app.command(cls=_Command, short_help="Start the web app: cost a proposal in a browser form.")
def serve(
    host: Annotated[
        str,
        typer.Option(
            "--host",
            metavar="HOST",
            help="The address to listen on. Only this computer by default; 0.0.0.0 for every"
            " network it is on (an intranet).",
        ),
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", metavar="PORT", help="The port (0: any free port).")
    ] = 8000,
    rates: RatesOption = None,
    plan: PlanOption = None,
) -> None:
    """Start the web app: a form to cost a proposal without writing TOML, with the estimate
    beside it and the same downloads as estimate. Prints its address; Ctrl-C stops it. Works
    offline; keeps nothing between requests.
    """
    if not 0 <= port <= 65535:
        raise typer.BadParameter(f"{port} is not a port (0 to 65535)", param_hint="--port")
    from estimator.web.app import ServeSettings
    from estimator.web.server import serve as run

    long_running()
    settings = ServeSettings(
        None if rates is None else str(rates), None if plan is None else str(plan)
    )
    raise typer.Exit(run(host, port, settings, echo))


app.add_typer(
    register_app,
    name="register",
    short_help="Keep a conference's costing: versions, decisions, Article 34 position.",
)


class ProgressBar:
    """A one-line progress bar on stderr, for a terminal (shown only on one)."""

    def __init__(self, width: int = 30) -> None:
        self.width = width
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        filled = self.width * done // total if total else self.width
        if filled == self.shown and done != total:
            return
        self.shown = filled
        bar = "#" * filled + "-" * (self.width - filled)
        sys.stderr.write(f"\r[{bar}] {done}/{total}")
        sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write("\n")
        sys.stderr.flush()


def main() -> None:
    """Entry point: usage errors exit 2, invalid input 1; a bug prints one line, not locals."""
    from estimator.render.stopping import Terminated, clean_up_on_sigterm

    clean_up_on_sigterm()
    for stream in (sys.stdout, sys.stderr):  # a character the encoding lacks is shown as \\u...
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    try:
        app(prog_name="finimpact")
    except Terminated:
        echo("terminated", err=True)
        raise
    except SystemExit:
        raise
    except KeyboardInterrupt:
        echo("interrupted", err=True)
        sys.exit(130)
    except Exception as e:  # a bug: say so in one line, never dump proposal contents
        echo(f"finimpact: internal error ({type(e).__name__}); please report it", err=True)
        sys.exit(3)
