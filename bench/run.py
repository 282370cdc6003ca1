"""The batch benchmark: python bench/run.py [--sizes 500,2000] [--jobs 2] [--work DIR].

For each size N it generates N synthetic proposals (bench/generate.py, fixed seed; not timed),
then times, each in its own child process:

- ``finimpact batch DIR --out OUT --jobs J`` with every registered output format;
- the floor (bench/floor.py): parsing the same files and rendering the same number of annexes
  and workbooks with the same libraries, without pricing logic, over the same J processes.

It prints, per size: wall time, CPU time (user + system, all processes), peak memory (the
largest resident set of any process of the run, from getrusage(RUSAGE_CHILDREN) in a wrapper
process), proposals per second, and the ratio batch / floor (wall and CPU). Targets: a wall
ratio of at most 1.5 with --jobs 2, and a peak memory that does not grow with N.
The machine's other load shows in the wall times: compare the CPU ratio too.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def measure(command: list[str]) -> dict[str, float]:
    """Run a command in a child process: wall and CPU seconds, peak RSS in MiB, exit code."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        sys.stderr.write(done.stderr.decode("utf-8", "replace")[-2000:])
        raise SystemExit(f"{command[:3]} failed with exit code {done.returncode}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "wall": wall,
        "cpu": cpu,
        "peak_mib": after.ru_maxrss / 1024,
        "exit": done.returncode,
    }


def isolated(command: list[str]) -> dict[str, float]:
    """measure() in a fresh wrapper process, so that each peak RSS is this run's alone."""
    code = (
        f"import json, sys; sys.path.insert(0, {str(HERE)!r}); from run import measure; "
        "print(json.dumps(measure(sys.argv[1:])))"
    )
    out = subprocess.run([sys.executable, "-c", code, *command], capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"{' '.join(command[:4])} failed:\n{out.stderr[-3000:]}")
    result: dict[str, float] = json.loads(out.stdout)
    return result


def formats() -> list[str]:
    sys.path.insert(0, str(ROOT))
    from estimator.render.outputs import RENDERERS

    return list(RENDERERS)


def bench(n: int, jobs: int, work: Path, seed: int) -> dict[str, object]:
    proposals = work / f"proposals-{n}"
    if not proposals.is_dir() or len(list(proposals.glob("*.toml"))) != n:
        shutil.rmtree(proposals, ignore_errors=True)
        subprocess.run(
            [
                sys.executable,
                str(HERE / "generate.py"),
                str(n),
                str(proposals),
                "--seed",
                str(seed),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    wanted = formats()
    out_batch, out_floor = work / f"batch-{n}", work / f"floor-{n}"
    for folder in (out_batch, out_floor):
        shutil.rmtree(folder, ignore_errors=True)
    finimpact = [sys.executable, "-m", "estimator"]
    options = ["--jobs", str(jobs)]
    options = [*options, "--format", ",".join(wanted)]
    batch = isolated([*finimpact, "batch", str(proposals), "--out", str(out_batch), *options])
    floor = isolated(
        [sys.executable, str(HERE / "floor.py"), str(proposals), str(out_floor), *options]
    )
    summary = json.loads((out_batch / "batch-report.json").read_text("utf-8"))
    return {
        "proposals": n,
        "jobs": jobs,
        "formats": wanted,
        "costed": summary["costed"],
        "failed": summary["failed"],
        "batch": batch,
        "floor": floor,
        "per_second": n / batch["wall"],
        "ratio_wall": batch["wall"] / floor["wall"],
        "ratio_cpu": batch["cpu"] / floor["cpu"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,2000", help="comma-separated numbers of proposals")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--work", type=Path, default=Path("/tmp/finimpact-bench"))
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} CPUs; load average {load:.2f} at start", flush=True)
    results = []
    for n in (int(s) for s in args.sizes.split(",")):
        r = bench(n, args.jobs, args.work, args.seed)
        results.append(r)
        b, f = r["batch"], r["floor"]
        assert isinstance(b, dict) and isinstance(f, dict)
        print(
            f"N={n} jobs={args.jobs} costed={r['costed']} failed={r['failed']}\n"
            f"  batch: wall {b['wall']:.1f} s, cpu {b['cpu']:.1f} s, peak {b['peak_mib']:.0f} MiB,"
            f" {r['per_second']:.1f} proposals/s\n"
            f"  floor: wall {f['wall']:.1f} s, cpu {f['cpu']:.1f} s, peak {f['peak_mib']:.0f} MiB\n"
            f"  ratio batch/floor: wall {r['ratio_wall']:.2f}, cpu {r['ratio_cpu']:.2f}"
            f" (target: wall <= 1.5)"
        )
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
