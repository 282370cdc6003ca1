"""The benchmark measures what it says (bench/): a representative corpus, and floors that write
the files the tool writes. Nothing here is timed: the benchmark's ratios are read within one
run (docs/benchmarks.md), never asserted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from estimator.cli.app import app
from estimator.core.pipeline import estimate

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"


def generate(n: int, folder: Path, seed: int = 7) -> list[Path]:
    subprocess.run(
        [sys.executable, str(BENCH / "generate.py"), str(n), str(folder), "--seed", str(seed)],
        check=True,
        capture_output=True,
    )
    return sorted(folder.glob("*.toml"))


def floor(*args: str) -> None:
    subprocess.run(
        [sys.executable, str(BENCH / "floor.py"), *args], check=True, capture_output=True
    )


def test_generator_keeps_proposals_with_fellowships(tmp_path: Path) -> None:
    # a realistic mix has meetings with funded participants (with the default card, which
    # escalates its values, they are no longer warned about as old)
    files = generate(30, tmp_path)
    outcomes = [estimate(p).estimate for p in files]
    assert all(o is not None for o in outcomes)
    assert any(line.element == "fellowships" for o in outcomes if o for line in o.lines)


def test_replay_floor_writes_the_tools_files_byte_for_byte(tmp_path: Path) -> None:
    generate(4, tmp_path / "in")
    result = CliRunner().invoke(app, ["batch", str(tmp_path / "in"), "--out", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    floor("stage", str(tmp_path / "b"), str(tmp_path / "staged"))
    floor("replay", str(tmp_path / "in"), str(tmp_path / "r"), "--from", str(tmp_path / "staged"))
    tool = sorted(p.name for p in (tmp_path / "b").iterdir())
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == tool
    for name in tool:
        assert (tmp_path / "r" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_plain_floor_writes_as_many_files_as_the_tool(tmp_path: Path) -> None:
    generate(3, tmp_path / "in")
    result = CliRunner().invoke(app, ["batch", str(tmp_path / "in"), "--out", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    floor("plain", str(tmp_path / "in"), str(tmp_path / "p"))
    assert len(list((tmp_path / "p").iterdir())) == len(list((tmp_path / "b").iterdir()))
