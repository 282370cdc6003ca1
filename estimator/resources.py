"""Where the packaged data lives, installed or in a source checkout."""

from __future__ import annotations

from pathlib import Path


def templates_dir() -> Path:
    """The templates folder: installed as package data (estimator.templates), or the checkout's."""
    try:
        from importlib.resources import files

        found = Path(str(files("estimator.templates")))
        if found.is_dir():
            return found
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parent.parent / "templates"
