"""``finimpact register ...``: the command line of the register, a thin face over
``estimator.register`` (which costs through ``estimator.api``). Nothing heavy is imported
until a register command runs: the database libraries never slow the other commands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from estimator.cli.common import (
    JsonOption,
    PlanOption,
    RatesOption,
    _Command,
    _print_diagnostics,
    echo,
    echo_json,
)

if TYPE_CHECKING:
    from estimator.register.store import Register, VersionInfo

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


def _open(db: str, create: bool = False) -> Register:
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


def _row(v: VersionInfo) -> str:
    by = v.recorded_by if v.recorded_by is not None else "(not stated)"
    mark = "*" if v.current else " "
    return (
        f"{mark} {v.reference}  {v.currency} {v.total:,.2f} (additional {v.additional:,.2f})"
        f"  card {v.card_id}  {v.recorded_at} by {by}"
    )


def _info_json(v: VersionInfo) -> dict[str, Any]:
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
    }


@register_app.command("list", cls=_Command, short_help="List every recorded version.")
def list_command(db: DbOption = DEFAULT_DB, as_json: JsonOption = False) -> None:
    """List every recorded version, proposals in the order they were first recorded; * marks
    each proposal's current version (its greatest revision, addendum, corrigendum)."""
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
