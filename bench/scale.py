"""Cost that grows with one proposal: python bench/scale.py [--sizes 3,28,278,500] [--years 4].

For each size N it writes one proposal of N activities (not timed) and costs it in a fresh
process, as ``finimpact estimate`` with every output does: load, validate, price, assess, the
printed summary, each renderer, and the durable write of the files. It prints, per size, the
cost lines the proposal gives, the CPU seconds of each stage (process time: steadier than the
wall time on a shared machine; the wall time of the whole is printed too), the peak memory of
the process (its largest resident set, from getrusage), and both per cost line. Every stage
must be linear (or n log n) in the cost lines: its microseconds per line must not grow with N.

Two mixes (``--mix``): ``template`` (the default) is what an adversarial review used, every
activity a conference activity template (``--kind``, by default ``itut.study-group``: nine cost
lines a year, the most of any template, so that 3, 28, 278 and 500 activities over 4 years give
108, 1,008, 10,008 and 18,000 cost lines, the last the largest proposal the input limits accept);
``elemental`` is a realistic mix of the elemental kinds (bench/generate.py's), one to six cost
lines a year each. Ratios are read within one run, never asserted in the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

FIRST_YEAR = 2027


def proposal(n: int, years: int, mix: str, kind: str = "itut.study-group", seed: int = 2026) -> str:
    """The text of one proposal of n activities over `years` years."""
    import generate

    period = list(range(FIRST_YEAR, FIRST_YEAR + years))
    head = f"""format = 1

[proposal]
reference = "SCALE/{mix}/{n}"
title = "A proposal of {n} activities"
conference = "PP-26"
submitted_by = ["Kenya"]
action = "ADD"
instrument = "Resolution"
responsible = "ITU-D"
period = [{period[0]}, {period[-1]}]
requests = ["instructs the Secretary-General to carry out every activity below"]

"""
    rng = random.Random(seed)
    parts = []
    for i in range(1, n + 1):
        if mix == "template":
            parts.append(f'[[activity]]\nid = "a{i}"\nkind = "{kind}"\ntitle = "Group {i}"\n')
        else:
            parts.append(generate.activity(rng, i, period))
    return head + "\n".join(parts)


def measure_one(n: int, years: int, mix: str, kind: str) -> dict[str, Any]:
    """Cost one proposal in this process, stage by stage (run in a fresh process)."""
    import estimator.core.pipeline as pipeline
    from estimator.cli.summary import summary
    from estimator.render.options import DEFAULT_OPTIONS
    from estimator.render.outputs import RENDERERS, output_paths, write_all

    timing: dict[str, float] = {}

    def timed(stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                timing[stage] = timing.get(stage, 0.0) + time.process_time() - start

        return wrapper

    # the pipeline's own stages, timed where the pipeline calls them
    pipeline.read_toml = timed("load", pipeline.read_toml)  # type: ignore[assignment]
    pipeline.validate_proposal = timed("validate", pipeline.validate_proposal)  # type: ignore[assignment]
    pipeline.price = timed("price", pipeline.price)  # type: ignore[assignment]
    pipeline.assess = timed("assess", pipeline.assess)  # type: ignore[assignment]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "proposal.toml"
        path.write_text(proposal(n, years, mix, kind), encoding="utf-8")
        pipeline.resolve_card(None, None)  # the card is read once per process: not this stage
        start, wall = time.process_time(), time.perf_counter()
        outcome = pipeline.estimate(path)
        timing["pipeline"] = time.process_time() - start
        if outcome.estimate is None:
            problems = "\n".join(d.render() for d in outcome.diagnostics[:5])
            return {"n": n, "refused": problems}
        result = outcome.estimate
        timing["summary"] = 0.0
        timed("summary", summary)(result)
        rendered = {}
        for fmt, (_, render) in RENDERERS.items():
            rendered[fmt] = timed(f"render {fmt}", render)(result, DEFAULT_OPTIONS)
        out = Path(tmp) / "out"
        out.mkdir()
        paths = output_paths(result, out, list(RENDERERS))
        timed("write", write_all)({paths[f]: rendered[f] for f in RENDERERS})
        wall = time.perf_counter() - wall
        sizes = {f: len(b) for f, b in rendered.items()}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "n": n,
        "lines": len(result.lines),
        "timing": timing,
        "wall": wall,
        "bytes": sizes,
        "peak_mib": peak,
    }


def run_size(n: int, years: int, mix: str, kind: str) -> dict[str, Any]:
    code = [sys.executable, __file__, "--one", str(n), "--years", str(years), "--mix", mix]
    code += ["--kind", kind]
    done = subprocess.run(code, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"size {n} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def baseline_mib() -> float:
    """The peak memory of a process that only imports what an estimate uses."""
    code = (
        "import resource, estimator.core.pipeline, estimator.render.outputs, "
        "estimator.render.annex, estimator.render.workbook, estimator.cli.summary; "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=HERE.parent
    )
    return float(done.stdout)


def report(results: list[dict[str, Any]], base: float) -> list[str]:
    stages = [s for s in results[0]["timing"] if s != "pipeline"]
    out = [f"baseline (imports only): {base:.0f} MiB"]
    for r in results:
        if "refused" in r:
            out.append(f"{r['n']:>6} activities: refused at load:\n{r['refused']}")
            continue
        t, lines = r["timing"], r["lines"]
        total = t["pipeline"] + sum(t[s] for s in stages if s.startswith(("render", "summ", "wr")))
        mib = r["peak_mib"] - base
        out.append(
            f"{r['n']:>6} activities, {lines:>7} cost lines: {total:6.2f} s CPU"
            f" ({total / lines * 1e6:5.0f} us a line; wall {r['wall']:.2f} s),"
            f" peak {r['peak_mib']:6.0f} MiB"
            f" ({mib * 1024 / lines:5.1f} KiB a line above the imports);"
            f" JSON {r['bytes']['json'] / 2**20:.1f} MiB"
        )
        out.append(
            "    CPU us a line: "
            + ", ".join(f"{s} {t[s] / lines * 1e6:.0f}" for s in stages if s in t)
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="3,28,278,500", help="numbers of activities")
    parser.add_argument("--years", type=int, default=4, help="length of the period")
    parser.add_argument("--mix", choices=("template", "elemental"), default="template")
    parser.add_argument("--kind", default="itut.study-group", help="the template of --mix template")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(measure_one(args.one, args.years, args.mix, args.kind)))
        return
    print(
        f"machine: {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f} at start;"
        f" mix {args.mix} ({args.kind}), {args.years} years",
        flush=True,
    )
    base = baseline_mib()
    results = []
    for n in (int(s) for s in args.sizes.split(",")):
        results.append(run_size(n, args.years, args.mix, args.kind))
        print("\n".join(report(results[-1:], base)), flush=True)
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
