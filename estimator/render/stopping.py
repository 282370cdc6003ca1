"""SIGTERM ends a run through its cleanup, as SIGINT does: the temporary files of outputs being
written (estimator/render/outputs.py, write_all) are removed on the way out. Imports nothing
heavy: the command line installs it before anything else."""

from __future__ import annotations

import signal


class Terminated(SystemExit):
    """SIGTERM, raised where the process is, so that the temporary files of the outputs it was
    writing are removed on the way out (as SIGINT's KeyboardInterrupt does); exit code 143."""

    def __init__(self) -> None:
        super().__init__(128 + signal.SIGTERM)


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def clean_up_on_sigterm() -> None:
    """Make SIGTERM (kill, a service manager, a timeout) end the process through its cleanup:
    without it, a batch stopped by SIGTERM left hidden '.part' files."""
    signal.signal(signal.SIGTERM, _terminate)
