"""The command line: a thin Typer face over the library (``estimator.cli.app``).

``main`` is the ``finimpact`` command (and ``python -m estimator``). What it sets for the
process it sets when called, never at import: the library's users, and the tests that import
``estimator.cli.app``, are not touched by it.
"""

from __future__ import annotations

import gc

YOUNG_OBJECTS = 50_000
"""How many new objects (net of those freed) the garbage collector lets the youngest generation
hold before it looks for cycles in it, in a command of one piece of work; Python's default is
700. See ``main``."""

_python_thresholds: tuple[int, int, int] | None = None
"""The collector's thresholds as Python had them when ``main`` started."""


def main() -> None:
    """The ``finimpact`` command.

    A command builds at start-up nearly all it will ever hold: the libraries' modules, the
    proposal models and their validators, the templates. With Python's default the garbage
    collector looked for cycles among them 124 times in one ``finimpact estimate`` and freed
    2,229 objects, against 54,000 alive at the end: a twentieth of the run (bench/startup.py).
    It now looks every 50,000 new objects: once or twice in an estimate. A command that goes on
    working (``batch``, ``serve``, ``register import``) calls :func:`long_running` first.
    """
    global _python_thresholds
    if _python_thresholds is None:  # called again in one process (tests): Python's, still
        _python_thresholds = gc.get_threshold()
    young, middle, old = _python_thresholds
    gc.set_threshold(max(young, YOUNG_OBJECTS), middle, old)
    from estimator.cli.app import main as run

    run()


def long_running() -> None:
    """The collector as Python had it, for a command that costs many proposals or serves
    requests: each proposal or download leaves cycles of 66-340 KB held by a few hundred objects,
    so that waiting for 50,000 new objects kept tens of megabytes more in each batch worker (a
    worker's peak 103 MB against 70) and in ``serve`` (68 against 51) for 8% less CPU. Batch
    workers, forked, inherit it."""
    if _python_thresholds is not None:
        gc.set_threshold(*_python_thresholds)
