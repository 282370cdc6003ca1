"""Nothing lost, nothing half-done, on SQLite and on PostgreSQL: two processes adding 200
proposals each at the same moment, one transaction per proposal, lose none of them; a process
killed in the middle of an add leaves the register as it was, and the next command works.

Each proposal states one amount in one year and budget unit, so the position is known by hand:
process A adds 100 + i in ITU-T and process B 1,000 + i in ITU-R, for i in 0..199.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from test_register import PROPOSAL
from typer.testing import CliRunner

from estimator.cli.app import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent

ADDER = """
import os, sys
from estimator.register.intake import submit_text
from estimator.register.store import open_register

db, tag, unit, base, count, mode, template = sys.argv[1:8]
subs = []
for i in range(int(count)):
    text = template.format(reference=f"PP26/{tag}{i}/1", title="t", unit=unit, first=2027,
                           last=2027, amount=int(base) + i)
    sub, problems = submit_text(text, f"{tag}{i}.toml")
    assert sub is not None, problems
    subs.append(sub)
with open_register(db, create=True) as register:
    if mode == "each":  # one transaction per proposal, as officers adding one by one
        for sub in subs:
            register.add([sub], by=tag, at="2026-10-01")
    else:  # one transaction for all, killed after the first hundred are written
        def kill(done, total):
            os.kill(os.getpid(), signal.SIGKILL)
        import signal
        register.add(subs, by=tag, at="2026-10-01", progress=kill)
"""


def adder(db: str, tag: str, unit: str, base: int, count: int, mode: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", ADDER, db, tag, unit, str(base), str(count), mode, PROPOSAL],
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    return process


def cli(*args: str) -> str:
    result = runner.invoke(app, ["register", *args])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_two_processes_adding_at_once_lose_nothing(db: str) -> None:
    a = adder(db, "A", "ITU-T", 100, 200, "each")
    b = adder(db, "B", "ITU-R", 1000, 200, "each")
    for p in (a, b):
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
    versions = json.loads(cli("list", "--db", db, "--json"))
    assert len(versions) == 400
    assert sum(v["recorded_by"] == "A" for v in versions) == 200
    found = json.loads(cli("position", "--db", db, "--json"))
    cells = {c["unit"]: c["pending"] for c in found["cells"]}
    # A: 200 x 100 + (0 + 1 + ... + 199) = 20,000 + 19,900; B: 200 x 1,000 + 19,900
    assert cells == {"ITU-T": "39900.00", "ITU-R": "219900.00"}


def test_an_add_killed_midway_leaves_the_register_as_it_was(db: str, tmp_path: Path) -> None:
    first = tmp_path / "first.toml"
    first.write_text(
        PROPOSAL.format(
            reference="PP26/1/1", title="t", unit="GS", first=2027, last=2027, amount=500
        ),
        encoding="utf-8",
    )
    cli("add", str(first), "--db", db, "--at", "2026-09-01")
    before = cli("list", "--db", db, "--json")
    killed = adder(db, "K", "ITU-D", 100, 150, "kill")
    killed.communicate(timeout=600)
    assert killed.returncode == -signal.SIGKILL
    assert cli("list", "--db", db, "--json") == before
    position = json.loads(cli("position", "--db", db, "--json"))
    assert position["pending_total"] == "500.00"
    # the register is not left locked: the same proposals can be added now
    again = adder(db, "K", "ITU-D", 100, 3, "each")
    _, err = again.communicate(timeout=600)
    assert again.returncode == 0, err
    assert len(json.loads(cli("list", "--db", db, "--json"))) == 4
