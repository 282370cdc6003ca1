"""Start-up that matches the work: python bench/startup.py [--runs 7] [--seed-file FILE].

Times, each as a fresh process and the median of --runs, what a user types most:
``finimpact --help``, ``validate`` and ``estimate --json`` of a seed proposal, and ``estimate``
writing every output, against two references: an empty Python (``python -c pass``) and the bare
import of the third-party libraries that the full estimate loads (found by running it once and
reading ``sys.modules``). For each command it also lists which of the heavy libraries it
imported: ``--help``, ``validate`` and ``estimate --json`` should import only what they use.
Target (issue 11): the estimate with every output at most 2 times the bare import.

Measured as installed: an installed copy has its byte code compiled (pip compiles it), and its
annex templates compiled in Jinja2's bytecode cache after its first run (docs/benchmarks.md).
So each command is run once untimed first, with Python allowed to write byte code (even where
PYTHONDONTWRITEBYTECODE is set, as for an editable install in some shells, which would have
every run compile the project's modules again); the libraries' byte code came with pip.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
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


ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(command: list[str], runs: int) -> tuple[float, float]:
    """The median wall time and the median CPU time (user + system, read from the finished
    child with getrusage) of a command over `runs` fresh processes. On a shared machine the CPU
    time is the steadier: the wall time also counts the waits for a core."""
    walls, cpus = [], []
    subprocess.run(command, capture_output=True, cwd=ROOT, env=ENV)  # as installed: see above
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, cwd=ROOT, env=ENV)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if done.returncode not in (0, 1):
            raise SystemExit(f"{command} failed:\n{done.stderr.decode()[-2000:]}")
    return statistics.median(walls), statistics.median(cpus)


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
    empty = timed([*py, "-c", "pass"], args.runs)
    bare = timed([*py, "-c", "import " + ", ".join(libraries)], args.runs)
    figures: dict[str, object] = {
        "python -c pass": {"seconds": empty[0], "cpu": empty[1]},
        "bare import": {"seconds": bare[0], "cpu": bare[1]},
    }
    print(
        f"load average {os.getloadavg()[0]:.2f}; median of {args.runs} runs, wall and CPU"
        f" seconds; the full estimate imports {', '.join(libraries)}"
    )
    print(f"  {'python -c pass':24} {empty[0]:.3f} s, CPU {empty[1]:.3f} s")
    print(f"  {'bare import of those':24} {bare[0]:.3f} s, CPU {bare[1]:.3f} s")
    for name, argv in commands.items():
        seconds, cpu = timed([*py, "-m", "estimator", *argv], args.runs)
        heavy = [m for m in modules(argv) if m in HEAVY]
        figures[name] = {"seconds": seconds, "cpu": cpu, "imports": heavy}
        print(
            f"  {name:24} {seconds:.3f} s ({seconds / bare[0]:.2f}x the bare import),"
            f" CPU {cpu:.3f} s ({cpu / bare[1]:.2f}x); imports {', '.join(heavy) or 'none of them'}"
        )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
