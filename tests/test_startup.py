"""Start-up that matches the work: a command imports the libraries it uses, not every
renderer's. Checked in a fresh interpreter, through sys.modules (never by timing)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "wtsa28-ai-focus-group-template.toml"
RENDERING = ("docxtpl", "docx", "xlsxwriter", "openpyxl", "jinja2")
"""The libraries of the Word annex, the workbooks and the templated annexes."""

_RUN = """
import json, sys
from estimator.cli.app import main
sys.argv = ["finimpact", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit as e:
    code = e.code
else:
    code = 0
top = sorted({name.split(".")[0] for name in sys.modules})
sys.stderr.write("\\n" + json.dumps({"exit": code, "modules": top}) + "\\n")
"""


def imported_by(*argv: str) -> tuple[int, set[str]]:
    """The exit code of a command run in a fresh interpreter, and the packages it imported."""
    done = subprocess.run(
        [sys.executable, "-c", _RUN, json.dumps(argv)], capture_output=True, text=True, cwd=ROOT
    )
    found = json.loads(done.stderr.strip().splitlines()[-1])
    return found["exit"], set(found["modules"])


@pytest.mark.parametrize(
    "argv",
    [("validate", str(SEED)), ("estimate", str(SEED), "--json"), ("--help",)],
    ids=["validate", "estimate --json", "--help"],
)
def test_commands_that_render_nothing_import_no_renderer_library(argv: tuple[str, ...]) -> None:
    code, modules = imported_by(*argv)
    assert code == 0
    assert not modules & set(RENDERING), sorted(modules & set(RENDERING))


def test_help_loads_no_pipeline() -> None:
    code, modules = imported_by("--help")
    assert code == 0
    assert "pydantic" not in modules


def test_an_annex_in_markdown_loads_jinja2_but_not_the_word_or_workbook_libraries(
    tmp_path: Path,
) -> None:
    code, modules = imported_by("estimate", str(SEED), "--out", str(tmp_path), "--format", "md")
    assert code == 0
    assert [p.name for p in tmp_path.iterdir()] == ["WTSA28-41A3-1.annex.md"]
    assert "jinja2" in modules
    assert not modules & {"docxtpl", "docx", "xlsxwriter", "openpyxl"}


@pytest.mark.parametrize(
    "argv",
    [("validate", str(SEED)), ("estimate", str(SEED), "--json"), ("--help",), ("serve", "--help")],
    ids=["validate", "estimate --json", "--help", "serve --help"],
)
def test_only_serve_loads_the_web_app(argv: tuple[str, ...]) -> None:
    code, modules = imported_by(*argv)
    assert code == 0
    assert not modules & {"starlette", "uvicorn", "multipart"}, sorted(modules)


_COLLECTOR = """
import gc, json, sys
import estimator.api as api
seen = {}
def watched(name):
    def stand_in(*args, **kwargs):
        seen[name] = gc.get_threshold()
        raise SystemExit(0)
    return stand_in
api.batch = watched("batch")
api.estimate_file = watched("estimate")
python = gc.get_threshold()
from estimator.cli import main
for argv in json.loads(sys.argv[1]):
    sys.argv = ["finimpact", *argv]
    try:
        main()
    except SystemExit:
        pass
print(json.dumps({"python": python, **seen}))
"""


def test_one_estimate_collects_garbage_seldom_and_a_batch_as_python_does(tmp_path: Path) -> None:
    """An estimate is one piece of work: the collector waits for 50,000 new objects. A batch
    goes on costing proposals in forked workers that inherit the setting: Python's own, so that
    each worker frees its garbage as it goes."""
    argv = [["estimate", str(SEED), "--json"], ["batch", str(SEED), "--out", str(tmp_path)]]
    done = subprocess.run(
        [sys.executable, "-c", _COLLECTOR, json.dumps(argv)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["estimate"][0] >= 50_000
    assert seen["batch"] == seen["python"]
