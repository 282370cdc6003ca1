"""The register at the scale of a conference: python bench/register.py [--n 2000]
[--revisions 4] [--db sqlite,postgresql].

For each database: ``finimpact register add`` of N synthetic proposals (bench/generate.py, one
command, one transaction), then ``finimpact register position --plan example-itu``; then each
proposal's text recorded again as Rev.1 to Rev.R (N x (R + 1) versions in all: 10,000 with the
defaults), half the proposals adopted (one decision, one transaction each, through the
library), and the position again, as a command and in the library (the median of 5). Every
version is costed by the register itself, as a secretariat's would be.

PostgreSQL is a throw-away cluster started for the run (tests/postgres.py), durable (fsync on,
as a real server), on a Unix socket. Wall and CPU times are printed; CPU is the command's own
(the server's is not counted). Times on a shared machine: read the load average printed.
"""

from __future__ import annotations

import argparse
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
sys.path[:0] = [str(ROOT), str(HERE), str(ROOT / "tests")]

from generate import generate  # noqa: E402


def timed(argv: list[str]) -> tuple[float, float]:
    """Run a command; its wall time and CPU time (user + system), in seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, cwd=ROOT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def revisions(sources: list[Path], count: int, folder: Path) -> Path:
    """Each proposal's text again as Rev.1 .. Rev.count (the same activities)."""
    out = folder / f"revisions-{len(sources)}x{count}"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for path in sources:
        text = path.read_text(encoding="utf-8")
        for k in range(1, count + 1):
            revised = re.sub(
                r'^reference = "([^"]+)"', rf'reference = "\1(Rev.{k})"', text, count=1, flags=re.M
            )
            (out / f"{path.stem}-rev{k}.toml").write_text(revised, encoding="utf-8")
    return out


def measure(db: str, proposals: Path, revised: Path, n: int) -> None:
    finimpact = [sys.executable, "-m", "estimator", "register"]
    wall, cpu = timed([*finimpact, "add", str(proposals), "--db", db, "--at", "2026-09-01"])
    print(
        f"  add {n} proposals (one command): {wall:.1f} s wall, {cpu:.1f} s CPU"
        f" ({1000 * cpu / n:.1f} ms CPU a proposal)"
    )
    wall, cpu = timed([*finimpact, "position", "--plan", "example-itu", "--db", db])
    print(f"  position of {n} versions (the command): {wall:.2f} s wall, {cpu:.2f} s CPU")
    extra = len(list(revised.glob("*.toml")))
    wall, cpu = timed([*finimpact, "add", str(revised), "--db", db, "--at", "2026-10-01"])
    print(f"  add {extra} revisions (one command): {wall:.1f} s wall, {cpu:.1f} s CPU")

    from estimator import api
    from estimator.register.store import open_register

    plan, _ = api.financial_plan("example-itu")
    with open_register(db) as register:
        start = time.perf_counter()
        for i in range(1, n + 1, 2):
            register.decide(f"BENCH/{i:05d}", "adopted", by="bench", at="2026-10-20")
        took = time.perf_counter() - start
        decided = (n + 1) // 2
        print(
            f"  {decided} decisions, one transaction each: {took:.1f} s wall"
            f" ({1000 * took / decided:.1f} ms each)"
        )
        times, cpus = [], []
        for _ in range(5):
            start, cpu = time.perf_counter(), time.process_time()
            found = register.position(plan)
            times.append(time.perf_counter() - start)
            cpus.append(time.process_time() - cpu)
    total = found.versions
    print(
        f"  position of {total} versions, {len(found.adopted)} adopted, {len(found.pending)}"
        f" pending (the library, median of 5): {statistics.median(times):.2f} s wall,"
        f" {statistics.median(cpus):.2f} s CPU"
    )
    wall, cpu = timed([*finimpact, "position", "--plan", "example-itu", "--db", db])
    print(
        f"  position of {total} versions (the command, start-up included): {wall:.2f} s wall,"
        f" {cpu:.2f} s CPU"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="proposals")
    parser.add_argument("--revisions", type=int, default=4, help="revisions of each")
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    work = Path(tempfile.gettempdir()) / "finimpact-bench"
    proposals = work / f"register-{args.n}"
    if proposals.exists():
        shutil.rmtree(proposals)
    generate(args.n, proposals, args.seed)
    revised = revisions(sorted(proposals.glob("*.toml")), args.revisions, work)
    print(f"load average {os.getloadavg()[0]:.1f}; {os.cpu_count()} cores")
    for kind in args.db.split(","):
        print(kind)
        if kind == "sqlite":
            folder = Path(tempfile.mkdtemp(prefix="finimpact-bench-register-"))
            try:
                measure(str(folder / "register.sqlite"), proposals, revised, args.n)
                size = (folder / "register.sqlite").stat().st_size
                print(f"  file size: {size / 2**20:.1f} MiB")
            finally:
                shutil.rmtree(folder, ignore_errors=True)
        else:
            from postgres import bin_dir, cluster

            found = bin_dir()
            if found is None:
                print("  skipped: PostgreSQL is not installed (apt-get install postgresql)")
                continue
            with cluster(found, durable=True) as server:
                measure(server.database(), proposals, revised, args.n)
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
