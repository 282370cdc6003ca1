"""The garbage collector as the command line sets it: seldom for one piece of work, as Python
has it for a command that goes on working (see ``estimator.cli.main``)."""

from __future__ import annotations

import gc

YOUNG_OBJECTS = 50_000
"""How many new objects (net of those freed) the garbage collector lets the youngest generation
hold before it looks for cycles in it, in a command of one piece of work; Python's default is
700. See ``estimator.cli.main``."""

_python_thresholds: tuple[int, int, int] | None = None
"""The collector's thresholds as Python had them when ``main`` started."""


def seldom() -> None:
    """Look for cycles every YOUNG_OBJECTS new objects (see ``estimator.cli.main``); Python's
    thresholds are kept, once per process, for :func:`long_running`."""
    global _python_thresholds
    if _python_thresholds is None:  # called again in one process (tests): Python's, still
        _python_thresholds = gc.get_threshold()
    young, middle, old = _python_thresholds
    gc.set_threshold(max(young, YOUNG_OBJECTS), middle, old)


def long_running() -> None:
    """The collector as Python had it, for a command that costs many proposals or serves
    requests: each proposal or download leaves cycles of 66-340 KB held by a few hundred objects,
    so that waiting for 50,000 new objects kept tens of megabytes more in each batch worker (a
    worker's peak 103 MB against 70) and in ``serve`` (68 against 51) for 8% less CPU. Batch
    workers, forked, inherit it."""
    if _python_thresholds is not None:
        gc.set_threshold(*_python_thresholds)
