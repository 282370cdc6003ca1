"""Where the packaged data lives, installed or in a source checkout."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def templates_dir() -> Path:
    """The templates folder of this copy of the code: installed as package data beside it
    (estimator/templates), or in the checkout it runs from (templates/). Looked up from this
    file, not through the import system, so that a checkout never reads the templates of
    another copy that is installed."""
    installed = _HERE / "templates"
    return installed if installed.is_dir() else _HERE.parent / "templates"
