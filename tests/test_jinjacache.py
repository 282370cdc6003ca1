"""Templates compiled once per machine (estimator.render.jinjacache): the cache changes no byte
of any output, and a damaged or unwritable cache never fails a run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest

from estimator.render import jinjacache
from estimator.render.jinjacache import DISABLE, QuietCache

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "wtsa28-ai-focus-group-template.toml"


def _render(cache: QuietCache) -> str:
    env = jinja2.Environment(
        loader=jinja2.DictLoader({"t": "{% for i in items %}{{ i }}, {% endfor %}"}),
        bytecode_cache=cache,
    )
    return env.get_template("t").render(items=[1, 2, 3])


def test_a_damaged_cache_file_is_compiled_again(tmp_path: Path) -> None:
    cache = QuietCache(str(tmp_path))
    assert _render(cache) == "1, 2, 3, "
    [kept] = tmp_path.iterdir()  # the compiled template was kept
    kept.write_bytes(kept.read_bytes()[:40])  # cut short, as by a full disk
    assert _render(cache) == "1, 2, 3, "


def test_a_cache_folder_that_cannot_be_written_fails_nothing(tmp_path: Path) -> None:
    cache = QuietCache(str(tmp_path / "gone"))  # never made: nothing can be kept there
    assert _render(cache) == "1, 2, 3, "
    assert not (tmp_path / "gone").exists()


def test_the_outputs_are_the_same_with_and_without_the_template_cache(tmp_path: Path) -> None:
    written = []
    for run, env in enumerate(({DISABLE: "1"}, {}, {})):  # compiled, kept, then read back
        out = tmp_path / f"run{run}"
        subprocess.run(
            [sys.executable, "-m", "estimator", "estimate", str(SEED), "--out", str(out)],
            check=True,
            capture_output=True,
            cwd=ROOT,
            env={**os.environ, **env},
        )
        written.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert {name.rsplit(".", 2)[-2] for name in written[0]} >= {"annex", "workings", "estimate"}
    assert written[0] == written[1] == written[2]


def test_a_kept_step_is_read_back_and_a_damaged_one_made_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jinjacache, "bytecode_cache", lambda kind: QuietCache(str(tmp_path)))
    made: list[str] = []

    def patch(source: str) -> str:
        made.append(source)
        return source.replace("{{", "{ {") + " ✓"

    assert jinjacache.kept("test", "a {{ b }}", patch) == "a { { b }} ✓"
    assert jinjacache.kept("test", "a {{ b }}", patch) == "a { { b }} ✓"
    assert made == ["a {{ b }}"]  # the second process would read it back
    [kept] = tmp_path.iterdir()
    kept.write_bytes(kept.read_bytes()[:-3])  # cut short, as by a full disk
    assert jinjacache.kept("test", "a {{ b }}", patch) == "a { { b }} ✓"
    assert made == ["a {{ b }}"] * 2


def test_a_kept_step_without_a_cache_folder_is_done_as_without_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = tmp_path / "gone"
    monkeypatch.setattr(jinjacache, "bytecode_cache", lambda kind: QuietCache(str(gone)))
    assert jinjacache.kept("test", "x", str.upper) == "X"
    monkeypatch.setattr(jinjacache, "bytecode_cache", lambda kind: None)  # turned off
    assert jinjacache.kept("test", "x", str.upper) == "X"
    assert not gone.exists()
