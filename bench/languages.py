"""A batch in each language against the same batch in English: python bench/languages.py
[--n 300] [--jobs 2] [--langs ar,zh] [--rounds 2] [--work DIR].

It generates N synthetic proposals once (bench/generate.py, fixed seed; not timed), then runs
``finimpact batch DIR --lang L`` with every output format, in English and in each language
asked, each in its own child process (bench/run.py's ``isolated``: the whole process tree's
CPU time and wall time), in turns (en, ar, zh, en, ar, zh, ...) so that the machine's other
load falls on every language alike. It prints each run, then the ratio of each language's CPU
time to English's, both the least of their rounds (the run least disturbed by other work).
Target (issue 15): a batch in Arabic costs no more than 1.2 times the same batch in English.
Read within one run, never asserted in the tests (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import isolated, tool  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="proposals in the batch")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--langs", default="ar,zh", help="languages to compare with English")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each language")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--work", type=Path, default=Path("/tmp/finimpact-bench-languages"))
    args = parser.parse_args()

    proposals = args.work / f"proposals-{args.n}"
    shutil.rmtree(proposals, ignore_errors=True)
    generate = [sys.executable, str(HERE / "generate.py"), str(args.n), str(proposals)]
    subprocess.run([*generate, "--seed", str(args.seed)], check=True, stdout=subprocess.DEVNULL)
    formats, _library = tool()
    languages = ["en", *(lang for lang in args.langs.split(",") if lang and lang != "en")]
    cpu: dict[str, list[float]] = {lang: [] for lang in languages}
    wall: dict[str, list[float]] = {lang: [] for lang in languages}
    for round_ in range(1, args.rounds + 1):
        for lang in languages:
            out = args.work / f"batch-{lang}"
            shutil.rmtree(out, ignore_errors=True)
            command = [
                *(sys.executable, "-m", "estimator", "batch", str(proposals), "--out", str(out)),
                *("--jobs", str(args.jobs), "--format", ",".join(formats), "--lang", lang),
            ]
            result = isolated(command)
            cpu[lang].append(result["cpu"])
            wall[lang].append(result["wall"])
            print(
                f"round {round_} {lang}: {args.n} proposals, CPU {result['cpu']:.1f} s"
                f" ({1000 * result['cpu'] / args.n:.1f} ms a proposal), wall"
                f" {result['wall']:.1f} s, tree PSS {result['tree_pss_mib']:.0f} MiB",
                flush=True,
            )
            shutil.rmtree(out, ignore_errors=True)
    english = min(cpu["en"])
    for lang in languages[1:]:
        ratio = min(cpu[lang]) / english
        walls = min(wall[lang]) / min(wall["en"])
        verdict = "met" if ratio <= 1.2 else "NOT met"
        print(
            f"{lang} / en: CPU {ratio:.2f}x (wall {walls:.2f}x), target 1.2x: {verdict}",
            flush=True,
        )


if __name__ == "__main__":
    main()
