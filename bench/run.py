"""The batch benchmark: python bench/run.py [--sizes 500,2000] [--jobs 2] [--work DIR].

For each size N it generates N synthetic proposals (bench/generate.py, fixed seed; not timed),
then times, each in its own child process, with the same --jobs:

- ``finimpact batch DIR --out OUT --jobs J`` with every registered output format;
- the plain floor (``bench/floor.py plain``): the same libraries, the same files (every output
  of every proposal and the four consolidated reports, written durably), no logic;
- the byte-replay floor (``bench/floor.py replay``, after an untimed ``stage``): parse each
  proposal, deflate and durably write the tool's own output files byte for byte. The I/O limit.

For each run it prints wall time, CPU time (user + system of every process), memory, and for
the batch the serial share. Memory is read from /proc every 50 ms over the whole process tree
(the main process and its workers): the largest sum of PSS (proportional set size: pages
shared between the processes counted once) and of RSS, and the largest RSS of any one process
(getrusage). The serial share is the CPU time the main process spends while no worker works
(its start-up, the duplicate check, the consolidated reports...) over the wall time, and
what that share would be on J idle cores: serial / (serial + (CPU - serial) / J), since the
machine's other load stretches the wall time. Targets
(issue 11): wall time at most 1.5 times the plain floor with --jobs 2, whole-tree memory flat in
N, serial share at most 10% on 2 cores. The machine's other load shows in the wall times:
compare CPU ratios too. Ratios are read within one run, never asserted in the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds) of a process, from /proc/PID/stat; None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            text = f.read()
    except OSError:
        return None
    fields = text[text.rindex(b")") + 2 :].split()
    # after the name: state, ppid, ... utime is field 14 and stime 15 of the whole line
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK


def _memory(pid: int) -> tuple[int, int]:
    """(PSS, RSS) of a process in bytes, from /proc/PID/smaps_rollup; zeros if it is gone."""
    pss = rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    pss = int(line.split()[1]) * 1024
                elif line.startswith(b"Rss:"):
                    rss = int(line.split()[1]) * 1024
    except OSError:
        pass
    return pss, rss


class TreeSampler(threading.Thread):
    """Samples a process and its descendants every `interval` seconds until stopped."""

    def __init__(self, root: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.interval = interval
        self.stopped = threading.Event()
        self.peak_pss = self.peak_rss = 0
        self.peak_processes = 0
        self.serial = 0.0  # CPU seconds of the main process while no worker worked
        self.main_cpu = 0.0
        self._last: dict[int, float] = {}

    def _tree(self) -> dict[int, float]:
        """Every process of the tree: pid → CPU seconds so far."""
        parents: dict[int, int] = {}
        cpu: dict[int, float] = {}
        for name in os.listdir("/proc"):
            if name.isdigit():
                found = _stat(int(name))
                if found is not None:
                    parents[int(name)], cpu[int(name)] = found
        tree = {self.root}
        grew = True
        while grew:
            grew = False
            for pid, parent in parents.items():
                if parent in tree and pid not in tree:
                    tree.add(pid)
                    grew = True
        return {pid: cpu[pid] for pid in tree if pid in cpu}

    def sample(self) -> None:
        cpu = self._tree()
        pss = rss = 0
        for pid in cpu:
            p, r = _memory(pid)
            pss += p
            rss += r
        self.peak_pss = max(self.peak_pss, pss)
        self.peak_rss = max(self.peak_rss, rss)
        self.peak_processes = max(self.peak_processes, len(cpu))
        if self.root in cpu:
            main = cpu[self.root] - self._last.get(self.root, 0.0)
            workers = sum(
                c - self._last.get(pid, 0.0) for pid, c in cpu.items() if pid != self.root
            )
            self.main_cpu = cpu[self.root]
            if workers <= 0.0:  # no worker got a tick of CPU in this interval
                self.serial += main
        self._last = cpu

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            self.sample()


def measure(command: list[str]) -> dict[str, float]:
    """Run a command: wall and CPU seconds, memory of its tree in MiB, serial share, exit."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = TreeSampler(child.pid)
    sampler.start()
    _, err = child.communicate()
    wall = time.perf_counter() - start
    sampler.stopped.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if child.returncode not in (0, 1):
        sys.stderr.write(err.decode("utf-8", "replace")[-2000:])
        raise SystemExit(f"{command[:3]} failed with exit code {child.returncode}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "wall": wall,
        "cpu": cpu,
        "peak_process_mib": after.ru_maxrss / 1024,
        "tree_pss_mib": sampler.peak_pss / 2**20,
        "tree_rss_mib": sampler.peak_rss / 2**20,
        "processes": sampler.peak_processes,
        "main_cpu": sampler.main_cpu,
        "serial": sampler.serial,
        "serial_share": sampler.serial / wall,
        "exit": child.returncode,
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


def tool() -> tuple[list[str], str]:
    """The tool's registered formats, and the library its workbooks are written with."""
    code = (
        "import sys; from estimator.render.outputs import RENDERERS; "
        "import estimator.render.workbook; "
        "print(','.join(RENDERERS)); "
        "print('xlsxwriter' if 'xlsxwriter' in sys.modules else 'openpyxl')"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    formats, library = done.stdout.split()
    return formats.split(","), library


def folder_size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.iterdir() if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def bench(n: int, jobs: int, work: Path, seed: int) -> dict[str, Any]:
    sys.path.insert(0, str(HERE))
    import floor

    proposals = work / f"proposals-{n}"
    # written anew each run (not timed): a corpus left by an older version may no longer be valid
    shutil.rmtree(proposals, ignore_errors=True)
    generate = [sys.executable, str(HERE / "generate.py"), str(n), str(proposals)]
    subprocess.run([*generate, "--seed", str(seed)], check=True, stdout=subprocess.DEVNULL)
    formats, library = tool()
    out = {k: work / f"{k}-{n}" for k in ("batch", "plain", "replay", "staged")}
    for folder in out.values():
        shutil.rmtree(folder, ignore_errors=True)
    options = ["--jobs", str(jobs)]
    batch = isolated(
        [
            *(sys.executable, "-m", "estimator", "batch", str(proposals)),
            *("--out", str(out["batch"]), *options, "--format", ",".join(formats)),
        ]
    )
    script = [sys.executable, str(HERE / "floor.py")]
    plain_options = [*options, "--xlsx", library, "--format", ",".join(formats)]
    plain = isolated([*script, "plain", str(proposals), str(out["plain"]), *plain_options])
    subprocess.run(
        [*script, "stage", str(out["batch"]), str(out["staged"])],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    replay_options = ["--from", str(out["staged"]), *options]
    replay = isolated([*script, "replay", str(proposals), str(out["replay"]), *replay_options])
    summary = json.loads((out["batch"] / "batch-report.json").read_text("utf-8"))
    same, total = floor.same_bytes(out["batch"], out["replay"])
    sizes = {k: folder_size(out[k]) for k in ("batch", "plain", "replay")}
    for k in ("plain", "replay", "staged"):
        shutil.rmtree(out[k], ignore_errors=True)
    return {
        "proposals": n,
        "jobs": jobs,
        "formats": formats,
        "workbook_library": library,
        "costed": summary["costed"],
        "failed": summary["failed"],
        "batch": batch,
        "plain": plain,
        "replay": replay,
        "files": sizes,
        "replay_identical": [same, total],
        "per_second": n / batch["wall"],
    }


def show(r: dict[str, Any]) -> str:
    b, p, x = r["batch"], r["plain"], r["replay"]
    lines = [f"N={r['proposals']} jobs={r['jobs']} costed={r['costed']} failed={r['failed']}"]
    for name, m in (("batch", b), ("plain floor", p), ("replay floor", x)):
        count, size = r["files"][name.split()[0]]
        lines.append(
            f"  {name:12}: wall {m['wall']:5.1f} s, cpu {m['cpu']:5.1f} s,"
            f" tree PSS {m['tree_pss_mib']:4.0f} MiB (RSS {m['tree_rss_mib']:4.0f},"
            f" one process {m['peak_process_mib']:3.0f}), {count} files {size / 2**20:.0f} MiB"
        )
    idle = b["serial"] / (b["serial"] + (b["cpu"] - b["serial"]) / r["jobs"])
    lines.append(
        f"  batch: {r['per_second']:.1f} proposals/s; serial share"
        f" {b['serial_share'] * 100:.1f}% of the wall time ({b['serial']:.1f} s of main-process"
        f" CPU while no worker works; main process {b['main_cpu']:.1f} s CPU);"
        f" {idle * 100:.1f}% on {r['jobs']} idle cores"
    )
    lines.append(
        f"  ratio batch/plain floor: wall {b['wall'] / p['wall']:.2f},"
        f" cpu {b['cpu'] / p['cpu']:.2f} (target: wall <= 1.5)"
    )
    same, total = r["replay_identical"]
    lines.append(
        f"  ratio batch/replay floor: wall {b['wall'] / x['wall']:.2f},"
        f" cpu {b['cpu'] / x['cpu']:.2f} ({same} of {total} files replayed byte for byte)"
    )
    return "\n".join(lines)


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
        results.append(bench(n, args.jobs, args.work, args.seed))
        print(show(results[-1]), flush=True)
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
