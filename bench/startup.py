"""Start-up that matches the work: python bench/startup.py [--runs 7] [--seed-file FILE].

Times, each as a fresh process and the median of --runs, what a user types most:
``finimpact --help``, ``validate`` and ``estimate --json`` of a seed proposal, and ``estimate``
writing every output, against two references: an empty Python (``python -c pass``) and the bare
import of the third-party libraries that the full estimate loads (found by running it once and
reading ``sys.modules``). For each command it also lists which of the heavy libraries it
imported: ``--help``, ``validate`` and ``estimate --json`` should import only what they use.
Target (issue 11): the estimate with every output at most 2 times the bare import.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
HEAVY = ("typer", "pydantic", "jinja2", "babel", "docxtpl", "docx", "openpyxl", "xlsxwriter")
"""The libraries whose import is worth counting: a command should load only those it uses."""

_PROBE = """
import sys
from estimator.cli.app import main
sys.argv = ["finimpact", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
third = sorted(name for name in {m.split(".")[0] for m in sys.modules}
               - set(sys.stdlib_module_names) - {"estimator", "cost_models", "cython_runtime"}
               if not name.startswith("_"))
sys.stderr.write("\\nMODULES " + " ".join(third) + "\\n")
"""


def wall(command: list[str], runs: int) -> float:
    """The median wall time of a command over `runs` fresh processes."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
        if done.returncode not in (0, 1):
            raise SystemExit(f"{command} failed:\n{done.stderr.decode()[-2000:]}")
    return statistics.median(times)


def modules(args: list[str]) -> list[str]:
    """The third-party top-level packages a command imports."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, cwd=ROOT
    )
    line = [x for x in done.stderr.splitlines() if x.startswith("MODULES ")]
    return line[-1].split()[1:] if line else []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--seed-file", type=Path, default=ROOT / "seeds" / "wtsa28-ai-focus-group-template.toml"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    seed = str(args.seed_file)
    out = tempfile.mkdtemp(prefix="finimpact-startup-")
    commands = {
        "--help": ["--help"],
        "validate": ["validate", seed],
        "estimate --json": ["estimate", seed, "--json"],
        "estimate, every output": ["estimate", seed, "--out", out],
    }
    py = [sys.executable]
    libraries = modules(commands["estimate, every output"])
    figures: dict[str, object] = {
        "python -c pass": wall([*py, "-c", "pass"], args.runs),
        "bare import": wall([*py, "-c", "import " + ", ".join(libraries)], args.runs),
    }
    print(
        f"load average {os.getloadavg()[0]:.2f}; median of {args.runs} runs;"
        f" the full estimate imports {', '.join(libraries)}"
    )
    print(f"  {'python -c pass':24} {figures['python -c pass']:.3f} s")
    print(f"  {'bare import of those':24} {figures['bare import']:.3f} s")
    bare = figures["bare import"]
    assert isinstance(bare, float)
    for name, argv in commands.items():
        seconds = wall([*py, "-m", "estimator", *argv], args.runs)
        heavy = [m for m in modules(argv) if m in HEAVY]
        figures[name] = {"seconds": seconds, "imports": heavy}
        print(
            f"  {name:24} {seconds:.3f} s ({seconds / bare:.2f}x the bare import);"
            f" imports {', '.join(heavy) or 'none of them'}"
        )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
