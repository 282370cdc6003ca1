"""The library API (estimator.api): the examples of docs/api.md run as written, and one
proposal estimated from a file, from its text, from its parsed source and from its tables gives
the same JSON."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from estimator import api

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.toml"))
JSON_ONLY = api.RenderOptions(formats=("json",))


def _blocks(markdown: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", markdown, flags=re.S | re.M)


def test_the_examples_of_docs_api_run(monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = _blocks((ROOT / "docs" / "api.md").read_text(encoding="utf-8"))
    assert len(blocks) >= 8
    monkeypatch.chdir(ROOT)
    namespace: dict[str, Any] = {"__name__": "docs_api"}
    for i, block in enumerate(blocks):
        exec(compile(block, f"docs/api.md, python block {i + 1}", "exec"), namespace)


def _json(outcome: api.Outcome) -> dict[str, Any]:
    assert outcome.estimate is not None, [d.render() for d in outcome.diagnostics]
    loaded: dict[str, Any] = json.loads(api.render(outcome.estimate, JSON_ONLY)["json"])
    return loaded


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem)
def test_a_file_its_text_and_its_parsed_source_give_identical_json(seed: Path) -> None:
    name = str(seed)
    from_file = _json(api.estimate_file(seed))
    from_text = _json(api.estimate_text(seed.read_text(encoding="utf-8"), name))
    source, problems = api.parse_source(seed.read_text(encoding="utf-8"), name)
    assert source is not None and not problems
    from_source = _json(api.estimate(source))
    assert from_text == from_file
    assert from_source == from_file


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem)
def test_its_tables_in_memory_give_the_same_figures_and_warnings_without_lines(
    seed: Path,
) -> None:
    raw = seed.read_bytes()
    data = tomllib.loads(raw.decode("utf-8"), parse_float=Decimal)
    sha = api.read_source(seed)[0].sha256  # type: ignore[union-attr]
    from_data = _json(api.estimate_data(data, str(seed), sha256=sha))
    from_file = _json(api.estimate_file(seed))
    for warning in from_file["warnings"]:  # text places a key path at a line; data cannot
        assert warning["line"] >= 1
        warning["line"] = warning["col"] = None
    assert from_data == from_file


def test_a_proposal_in_memory_without_a_hash_is_stamped_with_the_hash_of_its_data() -> None:
    form = tomllib.loads(
        (ROOT / "seeds" / "pp26-ai-capacity.toml").read_text(), parse_float=Decimal
    )
    first = api.estimate_data(form, "form")
    reordered = api.estimate_data(dict(reversed(list(form.items()))), "form")
    changed = api.estimate_data({**form, "activity": form["activity"][:1]}, "form")
    assert first.estimate and reordered.estimate and changed.estimate
    assert first.estimate.proposal.sha256 == reordered.estimate.proposal.sha256
    assert first.estimate.proposal.sha256 != changed.estimate.proposal.sha256


def test_a_float_anywhere_in_a_proposal_in_memory_is_refused_at_its_key() -> None:
    form = tomllib.loads(
        (ROOT / "seeds" / "pp26-ai-capacity.toml").read_text(), parse_float=Decimal
    )
    form["activity"][1]["words"] = 8000.0
    outcome = api.estimate_data(form, "form")
    assert outcome.estimate is None
    assert [(d.code, d.key, d.line) for d in outcome.diagnostics] == [
        ("float", "activity[1].words", 0)
    ]
    assert outcome.diagnostics[0].render().startswith("form: activity 'report-to-council', words: ")


def test_a_problem_of_a_proposal_in_memory_is_printed_by_name_and_key_without_a_line() -> None:
    outcome = api.estimate_data({"format": 1, "proposal": {"title": "t"}}, "web form")
    lines = [d.render() for d in outcome.diagnostics]
    assert any(line.startswith("web form: proposal.reference: is required") for line in lines)
    assert all(d.to_json()["line"] is None for d in outcome.diagnostics)


def test_importing_the_api_does_not_load_the_renderers() -> None:
    code = (
        "import sys, estimator.api;"
        "print(sorted(m for m in sys.modules if m.startswith(('estimator.render.annex',"
        " 'estimator.render.workbook', 'docxtpl', 'openpyxl'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("value", "code", "words"),
    [
        ((2027, 2028), "not-toml", "is a tuple, which TOML has no value for"),
        ({2027}, "not-toml", "is a set, which TOML has no value for"),
        (None, "not-toml", "is a NoneType, which TOML has no value for"),
        ({1: "x"}, "not-toml", "has a key that is not text: 1"),
    ],
    ids=["tuple", "set", "none", "int-key"],
)
def test_data_that_toml_cannot_hold_is_refused_at_its_key_not_a_traceback(
    value: object, code: str, words: str
) -> None:
    form = tomllib.loads(
        (ROOT / "seeds" / "pp26-ai-capacity.toml").read_text(), parse_float=Decimal
    )
    form["proposal"]["period"] = value
    outcome = api.estimate_data(form, "form")
    assert outcome.estimate is None
    [d] = outcome.diagnostics
    assert (d.code, d.key, d.message) == (code, "proposal.period", words)
