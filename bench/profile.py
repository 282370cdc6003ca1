"""Where the time of a batch goes: python bench/profile.py DIR [--n 100].

For the first N proposals of DIR, in this one process: the pipeline (load, validate, price,
assess) and each registered renderer, timed apart, against the floor's parse and its renderer
for the same format (bench/floor.py plain, with its durable write). Prints CPU milliseconds
per proposal for each stage (process time, steadier than wall time on a shared machine): the
ratio per format shows which renderer costs more than the library work it cannot avoid.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tomllib
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import floor  # noqa: E402

from estimator.core.pipeline import estimate  # noqa: E402
from estimator.render.options import RenderOptions  # noqa: E402
from estimator.render.outputs import RENDERERS  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--n", type=int, default=100)
    args = parser.parse_args()
    files = sorted(args.folder.rglob("*.toml"))[: args.n]
    n = len(files)
    timing: dict[str, float] = {}

    def timed(stage: str, start: float) -> None:
        timing[stage] = timing.get(stage, 0.0) + time.process_time() - start

    with tempfile.TemporaryDirectory() as out:
        floor._setup(Path(out), tuple(RENDERERS), floor.workbook_library())
        estimate(files[0])  # warm the caches (card, plan, templates), as a batch would
        for path in files:
            start = time.process_time()
            outcome = estimate(path)
            timed("pipeline", start)
            assert outcome.estimate is not None
            for fmt, (_, render) in RENDERERS.items():
                start = time.process_time()
                render(outcome.estimate, RenderOptions())
                timed(f"render {fmt}", start)
            start = time.process_time()
            tomllib.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
            timed("floor parse", start)
            for fmt in RENDERERS:
                floor._STATE["formats"] = (fmt,)
                start = time.process_time()
                floor.render_one(path)
                timed(f"floor {fmt}", start)
    print(f"{n} proposals, CPU milliseconds per proposal (one process)")
    print(f"  pipeline (load, validate, price, assess): {timing['pipeline'] / n * 1000:7.1f}")
    print(f"  floor parse:                              {timing['floor parse'] / n * 1000:7.1f}")
    total = timing["pipeline"]
    floor_total = timing["floor parse"]
    for fmt in RENDERERS:
        ours, least = timing[f"render {fmt}"], timing[f"floor {fmt}"]
        total += ours
        floor_total += least
        print(
            f"  {fmt:5} renderer {ours / n * 1000:7.1f}   floor (with writing) "
            f"{least / n * 1000:6.1f}   ratio {ours / least:5.2f}"
        )
    print(f"  total {total / n * 1000:.1f} against floor {floor_total / n * 1000:.1f}")


if __name__ == "__main__":
    main()
