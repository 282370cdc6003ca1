"""Start-up that matches the work: python bench/startup.py [--runs 7] [--seed-file FILE]
[--instructions].

Times, each as a fresh process, in --runs rounds that run every command once in turn, what a
user types most: ``finimpact --help``, ``validate`` and ``estimate --json`` of a seed proposal,
and ``estimate`` writing every output, against three references: an empty Python (``python -c
pass``); the bare import of the third-party libraries that the full estimate loads (``import
pydantic, typer, ...``: their top-level packages, found by running it once and reading
``sys.modules``), which is the reference of the target; and the import of every module of those
libraries that the estimate loaded, since some load their parts lazily (``import pydantic``
alone loads none of its model machinery, which any use of a model needs). The two imports run
with the garbage collector set as ``finimpact`` sets it (``SAME_COLLECTOR``). A ratio is the
median over the rounds of the command's CPU time over the reference's in the same round. For
each command it also lists which of the heavy libraries it imported: ``--help``, ``validate``
and ``estimate --json`` should import only what they use. Target (issue 11): the estimate with
every output at most 2 times the bare import.

``--instructions`` also counts, once per command, the instructions the process ran (valgrind's
cachegrind, if installed; about 60 times slower): a figure that does not move with the load of
a shared machine, for comparing two versions of the code.

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
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from estimator.cli.collector import YOUNG_OBJECTS  # noqa: E402

SAME_COLLECTOR = (
    f"import gc; y, m, o = gc.get_threshold(); gc.set_threshold(max(y, {YOUNG_OBJECTS}), m, o)"
)
"""The references run with the garbage collector as ``finimpact`` sets it (estimator.cli.main):
the ratios compare the same interpreter, not the collector's settings."""
HEAVY = ("typer", "pydantic", "jinja2", "babel", "docxtpl", "docx", "openpyxl", "xlsxwriter")
"""The libraries whose import is worth counting: a command should load only those it uses."""

_PROBE = """
import sys
from estimator.cli import main
sys.argv = ["finimpact", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
third = sorted(name for name in sys.modules
               if name.split(".")[0] not in set(sys.stdlib_module_names)
               | {"estimator", "cost_models", "cython_runtime"}
               and not name.startswith("_"))
sys.stderr.write("\\nMODULES " + " ".join(third) + "\\n")
"""


ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def once(command: list[str]) -> tuple[float, float]:
    """The wall time and the CPU time (user + system, read from the finished child with
    getrusage) of one fresh process running the command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, cwd=ROOT, env=ENV)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{command} failed:\n{done.stderr.decode()[-2000:]}")
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def rounds(commands: dict[str, list[str]], runs: int) -> dict[str, list[tuple[float, float]]]:
    """Each command's wall and CPU times over `runs` rounds, each round running every command
    once in turn (after one untimed round: as installed, see above). A shared or virtual
    machine's speed drifts over seconds; in turns, each round's commands see the same speed,
    and a ratio is read within a round."""
    for command in commands.values():
        subprocess.run(command, capture_output=True, cwd=ROOT, env=ENV)
    found: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            found[name].append(once(command))
    return found


def modules(args: list[str]) -> list[str]:
    """The third-party modules a command imports (packages and their modules)."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, cwd=ROOT
    )
    line = [x for x in done.stderr.splitlines() if x.startswith("MODULES ")]
    return line[-1].split()[1:] if line else []


def packages(names: list[str]) -> list[str]:
    """The top-level packages of these modules."""
    return sorted({name.split(".")[0] for name in names})


def instructions(command: list[str]) -> int | None:
    """The instructions a command ran (valgrind's cachegrind), or None without valgrind."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    done = subprocess.run(
        [
            valgrind,
            "--tool=cachegrind",
            "--cache-sim=no",
            "--cachegrind-out-file=/dev/null",
            *command,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**ENV, "PYTHONHASHSEED": "0"},
    )
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    return int(found[1].replace(",", "")) if found else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--seed-file", type=Path, default=ROOT / "seeds" / "wtsa28-ai-focus-group-template.toml"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--instructions", action="store_true", help="also count instructions (valgrind)"
    )
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
    loaded = modules(commands["estimate, every output"])
    libraries = packages(loaded)
    references = {
        "python -c pass": [*py, "-c", "pass"],
        "bare import": [*py, "-c", f"{SAME_COLLECTOR}; import {', '.join(libraries)}"],
        "every module loaded": [*py, "-c", f"{SAME_COLLECTOR}; import {', '.join(loaded)}"],
    }
    print(
        f"load average {os.getloadavg()[0]:.2f}; {args.runs} rounds, each command once a round;"
        " medians of wall and CPU seconds, and of each round's ratio;"
        f" the full estimate imports {', '.join(libraries)} ({len(loaded)} modules)"
    )
    every_command = references | {
        name: [*py, "-m", "estimator", *argv] for name, argv in commands.items()
    }
    times = rounds(every_command, args.runs)

    def median(name: str, i: int) -> float:
        return statistics.median(t[i] for t in times[name])

    def ratio(name: str, reference: str, i: int) -> float:
        """The median over the rounds of the command's time over the reference's."""
        return statistics.median(
            t[i] / r[i] for t, r in zip(times[name], times[reference], strict=True)
        )

    figures: dict[str, dict[str, object]] = {}
    for name in references:
        figures[name] = {"seconds": median(name, 0), "cpu": median(name, 1)}
        print(f"  {name:24} {median(name, 0):.3f} s, CPU {median(name, 1):.3f} s")
    for name, argv in commands.items():
        heavy = [m for m in packages(modules(argv)) if m in HEAVY]
        bare, every = ratio(name, "bare import", 1), ratio(name, "every module loaded", 1)
        figures[name] = {
            "seconds": median(name, 0),
            "cpu": median(name, 1),
            "cpu_over_bare_import": bare,
            "cpu_over_every_module": every,
            "imports": heavy,
        }
        print(
            f"  {name:24} {median(name, 0):.3f} s, CPU {median(name, 1):.3f} s;"
            f" CPU {bare:.2f}x the bare import ({ratio(name, 'bare import', 0):.2f}x in wall"
            f" time), {every:.2f}x every module; imports {', '.join(heavy) or 'none of them'}"
        )
    if args.instructions:
        counted = {name: instructions(command) for name, command in references.items()}
        counted |= {
            name: instructions([*py, "-m", "estimator", *argv]) for name, argv in commands.items()
        }
        known = {name: count for name, count in counted.items() if count is not None}
        if len(known) < len(counted):
            print("instructions: valgrind is not installed (or failed)")
        else:
            print("instructions (millions; x the bare import, x every module loaded):")
            for name, count in known.items():
                figures[name]["instructions"] = count
                print(
                    f"  {name:24} {count / 1e6:8.1f} M ({count / known['bare import']:.2f}x,"
                    f" {count / known['every module loaded']:.2f}x)"
                )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
