"""The starter proposal that `finimpact init` writes (templates/starter-proposal.toml)."""

from __future__ import annotations

import os
import shlex
import stat
from pathlib import Path

from estimator.core.diagnostics import printable
from estimator.render.resources import templates_dir

DEFAULT_NAME = "proposal.toml"


def shown(path: Path | str) -> str:
    """A path as a command names it, quoted for the shell when it must be ('my draft.toml');
    a control character or an undecodable byte in it is shown escaped, so the line stays one
    line of a TOML comment."""
    quoted = printable(shlex.quote(str(path)))
    return quoted.encode("utf-8", "backslashreplace").decode("utf-8")


def starter_proposal(name: Path | str = DEFAULT_NAME) -> str:
    """The starter's text, its header's commands naming ``name``, the file it is written to."""
    text = (templates_dir() / "starter-proposal.toml").read_text(encoding="utf-8")
    for command in ("validate", "estimate"):
        text = text.replace(
            f"#   finimpact {command} {DEFAULT_NAME}\n", f"#   finimpact {command} {shown(name)}\n"
        )
    return text


def write_starter(path: Path, force: bool) -> str | None:
    """Write the starter proposal at path; None when written, else why not, in one line.

    An existing file is replaced only with force, and only if it is a regular file (never a
    folder, a device or a pipe); a folder that does not exist is not made, and a disk that is
    full or read-only is told, never an internal error. A file left half-written by a full
    disk is removed."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as e:
        return f"cannot write {path}: {e.strerror or e}"
    if mode is not None and stat.S_ISDIR(mode):
        return f"{path} is a folder; name the file to write, such as {path / DEFAULT_NAME}"
    if mode is not None and not stat.S_ISREG(mode):
        return f"{path} exists and is not a regular file; name another file"
    if mode is not None and not force:
        return f"{path} exists already; use --force to overwrite it"
    if not path.parent.is_dir():
        return f"cannot write {path}: the folder {path.parent} does not exist"
    data = starter_proposal(path).encode("utf-8")
    try:
        with path.open("wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except OSError as e:
        if mode is None:  # do not leave a half-written starter behind
            path.unlink(missing_ok=True)
        return f"cannot write {path}: {e.strerror or e}"
    return None
