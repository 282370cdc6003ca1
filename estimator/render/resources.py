"""Where the packaged templates live, installed or in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]


def templates_dir() -> Path:
    """The templates folder of this copy of the code: installed as package data beside it
    (estimator/templates), or in the checkout it runs from (templates/). Looked up from this
    file, not through the import system, so that a checkout never reads the templates of
    another copy that is installed."""
    installed = _PACKAGE / "templates"
    return installed if installed.is_dir() else _PACKAGE.parent / "templates"
