"""The command line: a thin Typer face over the library (``estimator.cli.app``).

``main`` is the ``finimpact`` command (and ``python -m estimator``). What it sets for the
process it sets when called, never at import: the library's users, and the tests that import
``estimator.cli.app``, are not touched by it.
"""

from __future__ import annotations

from estimator.cli.collector import seldom


def main() -> None:
    """The ``finimpact`` command.

    A command builds at start-up nearly all it will ever hold: the libraries' modules, the
    proposal models and their validators, the templates. With Python's default the garbage
    collector looked for cycles among them 124 times in one ``finimpact estimate`` and freed
    2,229 objects, against 54,000 alive at the end: a twentieth of the run (bench/startup.py).
    It now looks every 50,000 new objects: once or twice in an estimate. A command that goes on
    working (``batch``, ``serve``, ``register import``) calls ``collector.long_running`` first.
    """
    seldom()
    from estimator.cli.app import main as run

    run()
