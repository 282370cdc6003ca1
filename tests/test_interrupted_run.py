"""A run killed part-way leaves the previous outputs intact and complete.

A real ``finimpact estimate`` process is started on a changed proposal, with a test-only shim
(loaded by ``python -c`` before the tool's own ``main``) that stops it in the middle of writing
one of its temporary files: half the bytes written, the other half not. The test then kills it
with SIGKILL, which no program can catch or clean up after, and checks that every output of the
previous run is byte for byte what it was, and still readable (the JSON parses, the workbook and
the Word annex open as zip files). A later run then succeeds, replaces them all, and
removes the temporary files the killed run left once they are over an hour old.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from estimator.render.outputs import RENDERERS

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

PROPOSAL = """\
format = 1

[proposal]
reference = "PP26/77/1"
title = "Interrupted run"
conference = "PP-26"
submitted_by = ["Kenya"]
responsible = "ITU-D"
period = [2027, 2028]

[[activity]]
id = "workshop"
kind = "meeting"
title = "Workshop"
days = {days}
languages = ["en", "fr"]
"""

# Stops the process half-way through writing the Nth temporary file: half its bytes written and
# flushed, then a marker file tells the test it is time to kill.
SHIM = """\
import os, sys, time
import estimator.render.outputs as outputs

stop_at = int(os.environ["FINIMPACT_TEST_STOP_AT"])
marker = os.environ["FINIMPACT_TEST_MARKER"]
real_fdopen = os.fdopen
opened = []

class HalfWriter:
    def __init__(self, f):
        self.f = f
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        return self.f.__exit__(*exc)
    def write(self, data):
        self.f.write(data[: len(data) // 2])
        self.f.flush()
        open(marker, "w").close()
        time.sleep(120)
    def __getattr__(self, name):
        return getattr(self.f, name)

def fdopen(fd, mode="r", *args, **kwargs):
    f = real_fdopen(fd, mode, *args, **kwargs)
    opened.append(fd)
    return HalfWriter(f) if len(opened) == stop_at else f

outputs.os.fdopen = fdopen
from estimator.cli.app import main
sys.argv = ["finimpact", *sys.argv[1:]]
main()
"""


def _outputs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if not p.name.startswith(".")}


def _estimate(proposal: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "estimator", "estimate", str(proposal), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _assert_complete(files: dict[str, bytes]) -> None:
    """Every output reads back whole."""
    for name, data in files.items():
        if name.endswith(".json"):
            json.loads(data)
        elif name.endswith((".xlsx", ".docx")):
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                assert z.testzip() is None, name
        else:
            data.decode("utf-8")


@pytest.mark.parametrize("stop_at", [1, len(RENDERERS)], ids=["first-file", "last-file"])
def test_a_run_killed_while_writing_leaves_the_previous_outputs_intact(
    tmp_path: Path, stop_at: int
) -> None:
    proposal = tmp_path / "proposal.toml"
    out = tmp_path / "out"
    proposal.write_text(PROPOSAL.format(days=2), encoding="utf-8")
    first = _estimate(proposal, out)
    assert first.returncode == 0, first.stderr
    before = _outputs(out)
    assert len(before) == len(RENDERERS)
    _assert_complete(before)

    proposal.write_text(PROPOSAL.format(days=3), encoding="utf-8")  # the outputs will change
    marker = tmp_path / "writing"
    env = {
        **os.environ,
        "FINIMPACT_TEST_STOP_AT": str(stop_at),
        "FINIMPACT_TEST_MARKER": str(marker),
    }
    child = subprocess.Popen(
        [sys.executable, "-c", SHIM, "estimate", str(proposal), "--out", str(out)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert child.poll() is None, child.stderr.read() if child.stderr else ""
            assert time.monotonic() < deadline, "the run never started writing"
            time.sleep(0.02)
        temps = [p for p in out.iterdir() if p.name.startswith(".")]
        assert len(temps) == stop_at  # it was writing: stop_at temporary files, one half-done
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        if child.stderr:
            child.stderr.close()
    assert child.returncode == -signal.SIGKILL

    after = _outputs(out)
    assert after == before
    _assert_complete(after)
    # what the killed run leaves is hidden temporary files only, never a visible output
    debris = [p for p in out.iterdir() if p.name.startswith(".")]
    assert len(debris) == stop_at
    assert all(p.name.endswith(".part") for p in debris)
    an_hour_and_a_minute_ago = time.time() - 3660
    for p in debris:
        os.utime(p, (an_hour_and_a_minute_ago, an_hour_and_a_minute_ago))

    again = _estimate(proposal, out)
    assert again.returncode == 0, again.stderr
    renewed = _outputs(out)
    assert renewed.keys() == before.keys()
    [json_name] = [n for n in renewed if n.endswith(".estimate.json")]
    assert renewed[json_name] != before[json_name]
    _assert_complete(renewed)
    # the next run cleared the temporary files the killed run left, once over an hour old
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("command", ["estimate", "batch"])
def test_a_run_stopped_by_sigterm_while_writing_leaves_no_temporary_file(
    tmp_path: Path, command: str
) -> None:
    """SIGTERM (kill, a service manager, a timeout) left the hidden '.part' files of the
    outputs being written; it now ends the run through the same cleanup as Ctrl-C."""
    proposal = tmp_path / "proposal.toml"
    out = tmp_path / "out"
    proposal.write_text(PROPOSAL.format(days=2), encoding="utf-8")
    marker = tmp_path / "writing"
    env = {**os.environ, "FINIMPACT_TEST_STOP_AT": "2", "FINIMPACT_TEST_MARKER": str(marker)}
    child = subprocess.Popen(
        [sys.executable, "-c", SHIM, command, str(proposal), "--out", str(out)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert child.poll() is None, child.stderr.read() if child.stderr else ""
            assert time.monotonic() < deadline, "the run never started writing"
            time.sleep(0.02)
        assert [p for p in out.iterdir() if p.name.endswith(".part")]  # it was writing
        child.send_signal(signal.SIGTERM)
        child.wait(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=30)
        stderr = child.stderr.read().decode("utf-8") if child.stderr else ""
        if child.stderr:
            child.stderr.close()
    assert child.returncode == 128 + signal.SIGTERM, stderr
    assert stderr.splitlines()[-1] == "terminated"
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []
