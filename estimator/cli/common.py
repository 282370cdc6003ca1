"""What every command of the command line shares: how a command shows its usage, the options
that several commands take, and how text, JSON and diagnostics are printed."""

# No `from __future__ import annotations` in the command line's modules: Typer reads every
# command's annotations at each start, and as strings it evaluates them all again (20 ms of
# each run, bench/startup.py).

import os
import re
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from estimator.core.diagnostics import Diagnostic, Severity, printable


class _Command(typer.core.TyperCommand):
    """A command whose usage line names its arguments as its help does: FILE, not {FILE}."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return [re.sub(r"^\{(.*)\}", r"\1", p) for p in super().collect_usage_pieces(ctx)]


RatesOption = Annotated[
    Path | None,
    typer.Option(
        "--rates",
        metavar="CARD",
        # \b: these lines are not re-wrapped, which would cut 'itu-' / 'geneva'
        help="\b\nThe rate card: a TOML file, or a shipped card,\n"
        "itu-geneva (the default) or un-new-york.",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")]
PlanOption = Annotated[
    Path | None,
    typer.Option(
        "--plan",
        metavar="PLAN",
        help="The financial plan for the Article 34 assessment: a TOML file, or the name of a"
        " shipped plan (example-itu, an illustration with assumed figures). Default: none, the"
        " additional credits are not assessed against a plan.",
    ),
]


DifferenceFormatOption = Annotated[
    str,
    typer.Option(
        "--format",
        metavar="LIST",
        help="Files to write with --out, comma-separated: json, xlsx, html, md.",
    ),
]
DifferenceLangOption = Annotated[
    str,
    typer.Option(
        "--lang",
        metavar="LANG",
        help="The language of the files written: ar, zh, en, fr, ru or es.",
    ),
]


def show_difference(
    found: Any, out: Path | None, wanted: tuple[str, ...], lang: str, as_json: bool
) -> None:
    """A difference as compare and register diff both show it: the files of --out (``wanted``
    formats, in ``lang``), then JSON with --json, else the table, a blank line and the files
    written. Exit 1 if the files cannot be written (none is)."""
    from estimator import api
    from estimator.render.comparison import console

    written: list[Path] = []
    if out is not None:
        try:
            written = api.write_difference(found, out, wanted, lang)
        except OSError as e:  # nothing was half-written: say why, in one line
            echo(f"finimpact: cannot write the comparison in {out}: {e.strerror or e}", err=True)
            raise typer.Exit(1) from e
    if as_json:
        echo_json(api.render_difference(found, ("json",))["json"])
        return
    echo(console(found))
    if written:
        echo("")
    for path in written:
        echo(f"wrote {path}")


def out_folder(value: Path | None) -> Path | None:
    """An --out option's check, made before anything is costed or written: it names a folder,
    made if missing, so a file there, or on the way there, is a usage error that says so."""
    if value is None:
        return None
    for place in (value, *value.parents):
        if os.path.isdir(place):
            break
        if os.path.lexists(place):
            on_the_way = "" if place == value else f" (on the way to {value})"
            raise typer.BadParameter(
                f"{place} is a file{on_the_way}, not a folder: give a folder for the outputs"
                " (one that does not exist yet is made)",
                param_hint="--out",
            )
    return value


def chosen_formats(formats: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    """The formats a --format option names ('md,html'), each one of ``allowed``; anything else
    is a usage error naming the choices."""
    wanted = tuple(f.strip() for f in formats.split(",") if f.strip())
    unknown = [f for f in wanted if f not in allowed]
    if unknown or not wanted:
        raise typer.BadParameter(
            f"{', '.join(unknown) or 'nothing'}: choose among " + ", ".join(allowed),
            param_hint="--format",
        )
    return wanted


def chosen_language(lang: str) -> str:
    """The language a --lang option names, one of the six; anything else is a usage error."""
    from estimator.render.options import LANGUAGES

    if lang not in LANGUAGES:
        raise typer.BadParameter(
            f"{lang!r} is not one of {', '.join(LANGUAGES)}", param_hint="--lang"
        )
    return lang


def echo(text: str = "", err: bool = False) -> None:
    """Print a message: text from a file, a card or a path (a title, a reference, a file name)
    can hold escape sequences that retitle or clear a terminal, so each line's control
    characters are shown escaped (\\x1b), never obeyed."""
    typer.echo("\n".join(printable(line) for line in text.split("\n")), err=err)


def echo_json(data: bytes) -> None:
    """Print JSON as the UTF-8 bytes it is, whatever the terminal's or the locale's encoding
    (LANG=C, a file on Windows): an encoding never fails a run after its outputs were
    written."""
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(data.decode("utf-8"))
        return
    buffer.write(data if data.endswith(b"\n") else data + b"\n")
    buffer.flush()


def _print_diagnostics(diags: list[Diagnostic]) -> None:
    """Warnings first, errors last: what stopped the run is what the user reads last."""
    for d in sorted(diags, key=lambda d: d.severity is Severity.ERROR):
        echo(d.render(), err=True)
