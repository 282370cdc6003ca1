"""``finimpact register ...``: the command line of the register, a thin face over
``estimator.register`` (which costs through ``estimator.api``). Nothing heavy is imported
until a register command runs: the database libraries never slow the other commands."""

# No `from __future__ import annotations` in the command line's modules: Typer reads every
# command's annotations at each start, and as strings it evaluates them all again (20 ms of
# each run, bench/startup.py).

import json
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

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

if TYPE_CHECKING:
    from estimator.register.position import RunningPosition
    from estimator.register.store import DecisionInfo, Register, VersionInfo

register_app = typer.Typer(
    name="register",
    help="Keep a conference's costing: every version of every proposal, the decisions taken,"
    " and the running Article 34 position, in a database.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)

DEFAULT_DB = "finimpact-register.sqlite"  # estimator.register.store.DEFAULT_FILE (tested)

DbOption = Annotated[
    str,
    typer.Option(
        "--db",
        metavar="FILE|URL",
        help="The register: a SQLite file, or a PostgreSQL URL (postgresql://user@host/name)."
        f" Default: {DEFAULT_DB} in the current folder.",
    ),
]
ByOption = Annotated[
    str | None,
    typer.Option(
        "--by",
        metavar="NAME",
        help="Who records it (a person or an office), stored with it. Never guessed: without"
        " --by it is recorded as not stated.",
    ),
]
AtOption = Annotated[
    str | None,
    typer.Option(
        "--at",
        metavar="WHEN",
        help="When it is recorded: a date (2026-10-14) or a date and time (2026-10-14T16:30)."
        " Default: the clock's time now, in UTC.",
    ),
]


def _fail(message: str) -> NoReturn:
    echo(f"finimpact: {message}", err=True)
    raise typer.Exit(1)


def _open(db: str, create: bool = False) -> "Register":
    from estimator.register.store import RegisterProblem, open_register

    try:
        return open_register(db, create=create)
    except RegisterProblem as e:
        _fail(str(e))


def _at(at: str | None) -> str | None:
    from estimator.register.store import stated_time

    if at is None:
        return None
    try:
        return stated_time(at)
    except ValueError as e:
        raise typer.BadParameter(
            f"'{at}' is not a date (2026-10-14) or a date and time (2026-10-14T16:30)",
            param_hint="--at",
        ) from e


def _dumps(data: Any) -> bytes:
    return json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8")


@register_app.command(cls=_Command, short_help="Cost proposals and record them in the register.")
def add(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH", help="Proposal files, or folders searched for *.toml.", hidden=True
        ),
    ],
    db: DbOption = DEFAULT_DB,
    by: ByOption = None,
    at: AtOption = None,
    rates: RatesOption = None,
    plan: PlanOption = None,
) -> None:
    """Cost proposals and record each as a version of its proposal, all or none.

    PATH is a proposal file, or a folder searched for *.toml (rate cards and plans found there
    are skipped). Each version is keyed by its reference with its revision, as the proposal
    writes it: PP26/44A2/1, PP26/44A2/1(Rev.1), (Add.1), (Corr.1). Adding the same text again
    with the same card and plan changes nothing; a different text under a reference already
    recorded is refused (a changed text is a new version). If any proposal cannot be costed,
    nothing is recorded. Makes the register if it does not exist.
    """
    from estimator.core.diagnostics import has_errors
    from estimator.register.intake import submit_files
    from estimator.register.store import RegisterProblem

    when = _at(at)
    subs, problems, skipped = submit_files(paths, rates=rates, plan=plan)
    for note in skipped:
        echo(f"{note}", err=True)
    _print_diagnostics(problems)
    if has_errors(problems):
        _fail("nothing recorded: correct the proposals above, then add them again")
    if not subs:
        _fail("nothing recorded: no proposal found")
    with _open(db, create=True) as register:
        try:
            done = register.add(subs, by=by, at=when)
        except RegisterProblem as e:
            _fail(str(e))
    for ref in done.added:
        echo(f"recorded {ref}")
    for ref in done.unchanged:
        echo(f"{ref}: already recorded, unchanged")
    echo(f"{register.shown}: {len(done.added)} recorded, {len(done.unchanged)} unchanged")


def _row(v: "VersionInfo") -> str:
    by = v.recorded_by if v.recorded_by is not None else "(not stated)"
    mark = "*" if v.current else " "
    status = v.decision or "pending"
    counted = f"  [counted: {status}]" if v.counted else ""
    if v.current and v.decision in ("merged", "withdrawn", "not-adopted"):
        counted = f"  [{status}]"
    return (
        f"{mark} {v.reference}  {v.currency} {v.total:,.2f} (additional {v.additional:,.2f})"
        f"  card {v.card_id}  {v.recorded_at} by {by}{counted}"
    )


def _info_json(v: "VersionInfo") -> dict[str, Any]:
    return {
        "proposal": v.proposal,
        "reference": v.reference,
        "current": v.current,
        "title": v.title,
        "conference": v.conference,
        "currency": v.currency,
        "total": f"{v.total:.2f}",
        "additional": f"{v.additional:.2f}",
        "card": {"id": v.card_id, "sha256": v.card_sha256},
        "plan": v.plan_id,
        "recorded_by": v.recorded_by,
        "recorded_at": v.recorded_at,
        "decision": v.decision,
        "counted": v.counted,
    }


@register_app.command("list", cls=_Command, short_help="List every recorded version.")
def list_command(db: DbOption = DEFAULT_DB, as_json: JsonOption = False) -> None:
    """List every recorded version, proposals in the order they were first recorded; * marks
    each proposal's current version (its greatest revision, addendum, corrigendum), and
    [counted: ...] the version the position counts (the one adopted, or a pending proposal's
    current one)."""
    with _open(db) as register:
        versions = _run(register.versions)
    if as_json:
        echo_json(_dumps([_info_json(v) for v in versions]))
        return
    for v in versions:
        echo(_row(v))
    proposals = len({v.proposal for v in versions})
    echo(f"{len(versions)} versions of {proposals} proposals in {register.shown}")


@register_app.command(cls=_Command, short_help="Show a version: its cost, card, who and when.")
def show(
    reference: Annotated[
        str,
        typer.Argument(
            metavar="REFERENCE",
            help="A version: PP26/44A2/1, or PP26/44A2/1(Rev.1).",
            hidden=True,
        ),
    ],
    db: DbOption = DEFAULT_DB,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the version's stored estimate (JSON).")
    ] = False,
    text: Annotated[
        bool, typer.Option("--text", help="Print the version's proposal as recorded (TOML).")
    ] = False,
) -> None:
    """Show a version: what it costs, by year and budget unit, on which card (id and
    SHA-256), who recorded it and when, with every version of its proposal.

    REFERENCE is a version as its proposal writes it: PP26/44A2/1 (the first text), or
    PP26/44A2/1(Rev.1). --text prints the proposal as recorded, --json the estimate stored
    with it, byte for byte as it was made.
    """
    from estimator.register.reference import ReferenceProblem, parse

    try:
        ref = parse(reference)
    except ReferenceProblem as e:
        _fail(str(e))
    with _open(db) as register:
        versions = _run(register.versions, ref.text)
        if not versions:
            _fail(f"{ref.text} is not in {register.shown} (finimpact register list)")
        if ref.text not in {v.reference for v in versions}:
            known = ", ".join(v.reference for v in versions)
            _fail(f"{ref.text} is not recorded; the versions of {ref.base} are: {known}")
        record = _run(register.version, ref.text)
        decisions = _run(register.decisions, ref.text)
    assert record is not None
    if text:
        typer.echo(record.text, nl=False)
        return
    if as_json:
        echo_json(record.estimate_json.encode("utf-8"))
        return
    info = record.info
    echo(f"{info.proposal}: {info.title}")
    echo(f"conference {info.conference}; versions (* current):")
    for v in versions:
        echo(_row(v))
    for d in decisions:
        echo(f"decision: {_decision_text(d)}")
    echo("")
    echo(f"{info.reference}: {info.currency} {info.total:,.2f}, additional {info.additional:,.2f}")
    for n in record.needs:
        echo(f"  additional credits {n.year} {n.unit}: {n.amount:,.2f}")
    echo(f"  rate card {info.card_id}, sha256 {info.card_sha256}")
    if info.plan_id is not None:
        echo(f"  assessed against plan {info.plan_id}, sha256 {record.plan_sha256}")
    echo(f"  recorded {info.recorded_at} by {info.recorded_by or '(not stated)'}")
    echo(f"  costed by finimpact {record.tool_version}")


def _run(method: Any, *args: Any, **kw: Any) -> Any:
    from estimator.register.store import RegisterProblem

    try:
        return method(*args, **kw)
    except RegisterProblem as e:
        _fail(str(e))


def _position(db: str, plan: Path | None) -> tuple["RunningPosition", str]:
    """The register's running position, against the financial plan named (its problems
    printed; an error ends the command) or against none; and the register as shown to the
    user."""
    from estimator import api

    loaded = None
    if plan is not None:
        loaded, problems = api.financial_plan(plan)
        _print_diagnostics(problems)
        if loaded is None or api.has_errors(problems):
            raise typer.Exit(1)
    with _open(db) as register:
        position: RunningPosition = _run(register.position, loaded)
        return position, register.shown


@register_app.command(cls=_Command, short_help="Record a decision taken on a proposal.")
def decide(
    reference: Annotated[
        str,
        typer.Argument(
            metavar="REFERENCE", help="The proposal, by any of its versions.", hidden=True
        ),
    ],
    decision: Annotated[
        str,
        typer.Argument(
            metavar="DECISION",
            help="adopted, amended, merged, withdrawn or not-adopted.",
            hidden=True,
        ),
    ],
    version: Annotated[
        str | None,
        typer.Option(
            "--version",
            metavar="REFERENCE",
            help="The version adopted: required for amended (the amended text, recorded as a"
            " revision); for adopted, default the proposal's current version.",
        ),
    ] = None,
    into: Annotated[
        str | None,
        typer.Option("--into", metavar="TEXT", help="merged: the text it was merged into."),
    ] = None,
    note: Annotated[
        str | None, typer.Option("--note", metavar="TEXT", help="A note kept with the decision.")
    ] = None,
    db: DbOption = DEFAULT_DB,
    by: ByOption = None,
    at: AtOption = None,
) -> None:
    """Record a decision taken on a proposal: adopted, amended (adopted as amended), merged
    (into another text), withdrawn or not-adopted.

    REFERENCE names the proposal by any of its versions. adopted counts the version named with
    --version, else the proposal's current one; amended needs --version, the amended text
    recorded as a version of the proposal (finimpact register add); merged needs --into, the
    text it was merged into (its cost counts there, if that text is recorded). A later decision
    replaces an earlier one in the position; every decision is kept. Recording the same
    decision again changes nothing.
    """
    from estimator.register.position import DECISIONS

    if decision not in DECISIONS:
        raise typer.BadParameter(
            f"'{decision}' is not a decision: {', '.join(DECISIONS)}", param_hint="DECISION"
        )
    with _open(db) as register:
        found, new = _run(
            register.decide,
            reference,
            decision,
            version=version,
            into=into,
            note=note,
            by=by,
            at=_at(at),
        )
    if new:
        echo(f"recorded: {_decision_text(found)}")
    else:
        echo(f"already recorded, unchanged: {_decision_text(found)}")


def _decision_text(d: "DecisionInfo") -> str:
    what = {
        "adopted": f"adopted ({d.version})",
        "amended": f"adopted as amended ({d.version})",
        "merged": f"merged into {d.into}",
        "withdrawn": "withdrawn",
        "not-adopted": "not adopted",
    }[d.kind]
    by = d.recorded_by if d.recorded_by is not None else "(not stated)"
    note = f"; {d.note}" if d.note else ""
    return f"{d.proposal} {what}, {d.recorded_at} by {by}{note}"


@register_app.command(
    cls=_Command, short_help="The running Article 34 position, by year and Sector."
)
def position(
    plan: PlanOption = None,
    db: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """The running Article 34 position: the additional credits of the decisions taken, then
    of the proposals pending, by year and budget unit (Sector), against the financial plan
    named with --plan, and which version first takes each one beyond its headroom.

    Adopted decisions count the version adopted, in the order the decisions were recorded;
    pending proposals their current version, in the order first recorded; proposals merged,
    withdrawn or not adopted count for nothing (a merged one's cost is in the text it was
    merged into, when that text is recorded). Without --plan the credits are summed, not
    assessed.
    """

    found, shown = _position(db, plan)
    if as_json:
        echo_json(_dumps(found.to_json()))
        return
    echo(_position_text(found, shown))


def _money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def _position_text(p: "RunningPosition", shown: str) -> str:
    cur = p.currency or ""
    lines = [
        f"Article 34 position of {shown}, in {cur or 'no currency yet'}"
        f" ({p.versions} versions recorded; as of {p.as_of or 'nothing recorded'})",
    ]
    if p.plan is None:
        lines.append("No financial plan named (--plan): the credits are summed, not assessed.")
    else:
        example = " (an example: its figures are assumed)" if p.plan.example else ""
        lines.append(
            f"Against the financial plan {p.plan.id}, {p.plan.period[0]}-{p.plan.period[1]}:"
            f" {p.plan.title}{example}"
        )
    lines.append(
        f"Adopted: {len(p.adopted)}, additional credits {cur} {p.adopted_total:,.2f};"
        f" pending: {len(p.pending)}, {cur} {p.pending_total:,.2f};"
        f" merged, withdrawn or not adopted: {len(p.closed)}"
    )
    head = ("year", "unit", "headroom", "adopted", "left after", "pending", "left after all")
    rows = [head] + [
        (
            str(c.year),
            c.unit,
            _money(c.headroom) if c.headroom is not None else "outside plan",
            _money(c.adopted),
            _money(c.remaining_after_adopted),
            _money(c.pending),
            _money(c.remaining),
        )
        for c in p.cells
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines.append("")
    for r in rows:
        lines.append(
            "  ".join(
                v.ljust(w) if i < 2 else v.rjust(w)
                for i, (v, w) in enumerate(zip(r, widths, strict=True))
            ).rstrip()
        )
    exceeded = p.exceeded
    if exceeded:
        lines.append("")
    for c in exceeded:
        lines.append(
            f"the headroom of {c.unit} in {c.year} is first exceeded by {c.first_exceeded_by}"
            f" ({c.first_exceeded_stage})"
        )
    for gone in p.closed:
        if gone.decision == "merged" and not gone.into_recorded:
            lines.append(
                f"note: {gone.reference} was merged into {gone.into}, which is not recorded: its"
                " cost is in no figure above until that text is added"
            )
    return "\n".join(lines)


@register_app.command(cls=_Command, short_help="What a version adds, removes or changes.")
def diff(
    first: Annotated[
        str,
        typer.Argument(
            metavar="REFERENCE", help="A version (compared with the one before it).", hidden=True
        ),
    ],
    second: Annotated[
        str | None,
        typer.Argument(metavar="[OTHER]", help="Another version to compare it with.", hidden=True),
    ] = None,
    db: DbOption = DEFAULT_DB,
    as_json: Annotated[bool, typer.Option("--json", help="Print the difference as JSON.")] = False,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="DIR",
            callback=out_folder,
            help="Folder for comparison.json, .xlsx, .html and .md, as finimpact compare writes"
            " them [default: none, the difference is only printed].",
        ),
    ] = None,
    formats: DifferenceFormatOption = "json,xlsx,html,md",
    lang: DifferenceLangOption = "en",
) -> None:
    """What a version adds, removes or changes in cost, by year, object of expenditure,
    budget unit (Sector), source of funding and activity.

    With one REFERENCE, the version against the one before it (PP26/44A2/1(Rev.1) against
    PP26/44A2/1); with two, the second against the first. Each estimate is made again from the
    text and card recorded with it. The same comparison as finimpact compare, laid out the
    same, printed, and with --out written as comparison.json, .xlsx, .html and .md (--format,
    --lang as compare takes them).
    """
    from estimator import api

    wanted = chosen_formats(formats, api.DIFFERENCE_FORMATS)
    chosen_language(lang)
    with _open(db) as register:
        if second is None:
            versions = _run(register.versions, first)
            names = [v.reference for v in versions]
            wanted_ref = _canonical(first)
            if wanted_ref not in names:
                _fail(f"{wanted_ref} is not recorded in {register.shown}")
            at = names.index(wanted_ref)
            if at == 0:
                _fail(f"{wanted_ref} is the first version of its proposal: name the one to compare")
            pair = [names[at - 1], wanted_ref]
        else:
            pair = [_canonical(first), _canonical(second)]
        outcomes = [_run(register.remake, ref) for ref in pair]
    found, problems = api.difference([o.estimate for o in outcomes], pair)
    _print_diagnostics(problems)
    if found is None:
        raise typer.Exit(1)
    show_difference(found, out, wanted, lang, as_json)


def _canonical(reference: str) -> str:
    from estimator.register.reference import ReferenceProblem, parse

    try:
        return parse(reference).text
    except ReferenceProblem as e:
        _fail(str(e))


@register_app.command("export", cls=_Command, short_help="Write the register to plain files.")
def export_command(
    folder: Annotated[
        Path, typer.Argument(metavar="FOLDER", help="A new or empty folder.", hidden=True)
    ],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Write the register into FOLDER (new or empty) as plain files: each version's proposal
    (TOML) and estimate (JSON), each rate card (TOML), and index.json listing every version
    and decision in the order recorded, with who recorded it and when. All or nothing."""
    from estimator.register.store import RegisterProblem
    from estimator.register.transfer import export

    with _open(db) as register:
        try:
            written = export(register, folder)
        except RegisterProblem as e:
            _fail(str(e))
        except OSError as e:
            _fail(f"cannot write {folder}: {e.strerror or e}")
    echo(f"wrote {written[0]} and {len(written) - 1} files beside it")


@register_app.command("import", cls=_Command, short_help="Read a register back from an export.")
def import_command(
    folder: Annotated[
        Path, typer.Argument(metavar="FOLDER", help="A folder written by export.", hidden=True)
    ],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Record an export (a folder written by finimpact register export) into a new or empty
    register: every version is costed again from its text and card, and the folder is
    refused if any figure differs from its index; then every version and decision is
    recorded as it was, with who recorded it and when, in one transaction."""
    from estimator.register.store import RegisterProblem
    from estimator.register.transfer import read_export

    long_running()
    try:
        versions, decisions = read_export(folder)
    except RegisterProblem as e:
        _fail(str(e))
    with _open(db, create=True) as register:
        _run(register.load, versions, decisions)
    echo(f"{register.shown}: imported {len(versions)} versions and {len(decisions)} decisions")


@register_app.command(
    cls=_Command, short_help="The Budget Control Committee's report on the decisions taken."
)
def report(
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            metavar="DIR",
            callback=out_folder,
            help="Folder for committee-report.docx and the rest.",
        ),
    ],
    plan: PlanOption = None,
    db: DbOption = DEFAULT_DB,
    formats: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="LIST",
            help="Files to write, comma-separated: docx, html, md, xlsx, json.",
        ),
    ] = "docx,html,md,xlsx,json",
    lang: Annotated[
        str,
        typer.Option(
            "--lang",
            metavar="LANG",
            help="The language of the report: ar, zh, en, fr, ru or es.",
        ),
    ] = "en",
) -> None:
    """The Budget Control Committee's report to the plenary (General Rules Nos. 71-74): an
    estimate of the financial implications of the decisions taken by the conference, from the
    register's running position against the financial plan named with --plan.

    Writes committee-report.docx, .html, .md, .xlsx (the position as formulas over every
    credit counted) and .json into --out, all or none: the decisions taken with their
    additional credits by year, by year and budget unit, the position against the plan's
    headroom and who exceeds it first, the proposals pending, and those that count for nothing
    themselves (merged, withdrawn, not adopted).
    """
    from estimator import api

    wanted = chosen_formats(formats, api.COMMITTEE_FORMATS)
    chosen_language(lang)
    found, _shown = _position(db, plan)
    try:
        written = api.write_committee_report(found, out, wanted, lang)
    except OSError as e:  # nothing was half-written: say why, in one line
        _fail(f"cannot write the report in {out}: {e.strerror or e}")
    for path in written:
        echo(f"wrote {path}")
