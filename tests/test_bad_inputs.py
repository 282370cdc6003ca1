"""The broken-input corpus (tests/bad/): every problem reported, located, in plain words.

``tests/bad/expected.toml`` lists each file with the problems the tool must report: the line and
column, the key path and the words of the message. A file must give exactly those errors (no
echo of one problem as two, nothing missed when a file has several) and exit 1; the files that
must be accepted (a byte-order mark, CRLF line ends) validate and exit 0.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from estimator.cli.app import app
from estimator.core.load import MAX_ACTIVITIES, MAX_ACTIVITY_YEARS, MAX_BYTES, MAX_TEXT

BAD = Path(__file__).resolve().parent / "bad"
EXPECTED: list[dict[str, Any]] = tomllib.loads((BAD / "expected.toml").read_text("utf-8"))["case"]
BROKEN = [c for c in EXPECTED if not c.get("valid")]
LOCATED = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<rest>.*)$")


def _validate(files: list[Path], rates: str | None) -> tuple[int, list[dict[str, Any]]]:
    """Run `finimpact validate --json` in-process; return the exit code and the report."""
    args = ["validate", "--json", *map(str, files)]
    if rates:
        args += ["--rates", str(BAD / rates)]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout)


def _errors(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [d for d in report["diagnostics"] if d["severity"] == "error"]


def test_the_corpus_has_at_least_40_broken_files_and_each_file_is_listed() -> None:
    assert len(BROKEN) >= 40
    listed = {c["file"] for c in EXPECTED}
    on_disk = {str(p.relative_to(BAD)) for p in BAD.rglob("*.toml") if p.name != "expected.toml"}
    # every file of the folder is a case, except the cards that cases use with --rates
    assert on_disk - listed == {c["rates"] for c in EXPECTED if c.get("rates")} - listed
    assert listed <= on_disk


@pytest.mark.parametrize("case", EXPECTED, ids=[c["file"] for c in EXPECTED])
def test_each_file_reports_exactly_its_problems_where_they_are(case: dict[str, Any]) -> None:
    code, [report] = _validate([BAD / case["file"]], case.get("rates"))
    errors = _errors(report)
    if case.get("valid"):
        assert errors == [], case["why"]
        assert code == 0
        return
    assert code == 1
    expected = case["problem"]
    found = [f"{d['line']}:{d['col']} {d['path']}: {d['message']} ({d['hint']})" for d in errors]
    assert len(errors) == len(expected), f"{case['why']}: got {found}"
    for want in expected:
        at = [
            d
            for d in errors
            if f"{d['line']}:{d['col']}" == want["at"] and d["path"] == want["key"]
        ]
        assert at, f"nothing reported at {want['at']} {want['key']!r}; got {found}"
        if "where" in want:  # named as the user wrote it: the activity's id, the value's date
            assert at[0]["where"] == want["where"]
        text = f"{at[0]['message']} {at[0]['hint']}".lower()
        missing = [w for w in want["words"] if w.lower() not in text]
        assert not missing, f"{want['at']} {want['key']}: {text!r} lacks {missing}"


def test_the_whole_corpus_in_one_run_prints_one_located_line_per_problem_and_no_traceback() -> None:
    """A real `finimpact validate` process on every file at once (one run per --rates card)."""
    groups: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    for case in EXPECTED:
        groups[case.get("rates")].append(case)
    for rates, cases in groups.items():
        args = [sys.executable, "-m", "estimator", "validate", *(c["file"] for c in cases)]
        if rates:
            args += ["--rates", rates]
        run = subprocess.run(args, cwd=BAD, capture_output=True, text=True, timeout=120)
        assert "Traceback" not in run.stderr + run.stdout
        assert "internal error" not in run.stderr
        assert run.returncode == (1 if any(not c.get("valid") for c in cases) else 0)
        lines = run.stderr.splitlines()
        errors = [line for line in lines if " warning: " not in line]
        # every line of stderr is located as file:line:col:
        assert all(LOCATED.match(line) for line in lines), [
            line for line in lines if not LOCATED.match(line)
        ]
        per_file = defaultdict(list)
        for line in errors:
            m = LOCATED.match(line)
            assert m is not None
            per_file[m["file"]].append((f"{m['line']}:{m['col']}", m["rest"]))
        for case in cases:
            want = sorted(p["at"] for p in case.get("problem", []))
            got = sorted(at for at, _ in per_file.get(case["file"], []))
            assert got == want, case["file"]
        valid = {c["file"] for c in cases if c.get("valid")}
        said_valid = {line.split(": valid")[0] for line in run.stdout.splitlines()}
        assert said_valid == valid


def _padded(size: int) -> bytes:
    """The corpus's valid proposal, padded with a comment to exactly size bytes."""
    text = (BAD / "base-valid.toml").read_bytes() + b"# "
    return text + b"x" * (size - len(text) - 1) + b"\n"


def test_a_file_of_exactly_the_size_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "at-limit.toml"
    path.write_bytes(_padded(MAX_BYTES))
    assert path.stat().st_size == MAX_BYTES  # 2 MiB = 2,097,152 bytes
    code, [report] = _validate([path], None)
    assert (code, _errors(report)) == (0, [])


def test_a_file_one_byte_over_the_size_limit_is_refused_with_the_limit_stated(
    tmp_path: Path,
) -> None:
    path = tmp_path / "too-large.toml"
    path.write_bytes(_padded(MAX_BYTES + 1))
    code, [report] = _validate([path], None)
    assert code == 1
    [error] = _errors(report)
    assert (error["line"], error["col"], error["path"]) == (1, 1, "")
    assert "larger than the limit of 2 MiB" in error["message"]


def test_a_folder_or_a_missing_file_is_a_located_diagnostic(tmp_path: Path) -> None:
    code, report = _validate([tmp_path, tmp_path / "nowhere.toml"], None)
    assert code == 1
    assert [_errors(r)[0]["message"] for r in report] == [
        "is a folder, not a TOML file",
        "no such file",
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.parametrize(
    "args",
    [
        ["validate", "{fifo}"],
        ["estimate", "{fifo}", "--out", "{out}"],
        ["estimate", "{valid}", "--rates", "{fifo}", "--out", "{out}"],
        ["batch", "{fifo}", "--out", "{out}"],
    ],
    ids=["validate", "estimate", "rates", "batch"],
)
def test_a_named_pipe_is_refused_located_instead_of_waited_on(
    tmp_path: Path, args: list[str]
) -> None:
    fifo = tmp_path / "proposal.toml"
    os.mkfifo(fifo)  # nobody ever writes to it: reading it would block for good
    names = {"fifo": str(fifo), "out": str(tmp_path / "out"), "valid": str(BAD / "base-valid.toml")}
    run = subprocess.run(
        [sys.executable, "-m", "estimator", *(a.format(**names) for a in args)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1, run.stderr
    assert f"{fifo}: is a pipe, not a regular file" in run.stderr


def test_validate_reads_its_file_once_so_a_pipe_is_told_as_a_pipe_not_as_empty() -> None:
    run = subprocess.run(
        ["bash", "-c", f'"{sys.executable}" -m estimator validate <(cat base-valid.toml)'],
        cwd=BAD,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1
    assert "is a pipe, not a regular file" in run.stderr
    assert "empty" not in run.stderr


def test_validate_of_several_files_checks_each_even_after_a_number_no_decimal_holds() -> None:
    files = [BAD / "number-exponent-huge.toml", BAD / "base-valid.toml"]
    code, [huge, valid] = _validate(files, None)
    assert code == 1
    assert [d["code"] for d in _errors(huge)] == ["number-range"]
    assert valid["valid"] is True


@pytest.mark.parametrize("length", [9_000, 1_000_000])
def test_a_diagnostic_cuts_a_long_key_and_says_how_long_it_was(tmp_path: Path, length: int) -> None:
    path = tmp_path / "long-key.toml"
    text = (BAD / "base-valid.toml").read_text("utf-8") + f"{'x' * length} = 1\n"
    path.write_text(text, "utf-8")
    result = CliRunner().invoke(app, ["validate", str(path)], catch_exceptions=False)
    assert result.exit_code == 1
    assert len(result.stderr) < 1000
    assert f"{length:,} characters" in result.stderr


def _activities(n: int, period: tuple[int, int]) -> str:
    """The corpus's valid proposal with n copies of its activity over the period."""
    head, activity = (BAD / "base-valid.toml").read_text("utf-8").split("[[activity]]")
    head = head.replace("period = [2027, 2028]", f"period = [{period[0]}, {period[1]}]")
    copies = (activity.replace('id = "workshop"', f'id = "w{i}"') for i in range(n))
    return head + "".join("[[activity]]" + a for a in copies)


@pytest.mark.parametrize(
    ("n", "period", "code", "at"),
    [
        (MAX_ACTIVITIES, (2027, 2028), None, None),
        (MAX_ACTIVITIES + 1, (2027, 2028), "too-many-activities", MAX_ACTIVITIES),
        (MAX_ACTIVITY_YEARS // 20, (2027, 2046), None, None),
        (MAX_ACTIVITY_YEARS // 20 + 1, (2027, 2046), "too-many-activity-years", 100),
    ],
    ids=["500-activities", "501-activities", "2000-activity-years", "2020-activity-years"],
)
def test_activities_and_activity_years_are_limited_and_the_limit_is_told_where_it_is_passed(
    tmp_path: Path, n: int, period: tuple[int, int], code: str | None, at: int | None
) -> None:
    path = tmp_path / "many.toml"
    path.write_text(_activities(n, period), "utf-8")
    status, [report] = _validate([path], None)
    if code is None:
        assert (status, _errors(report)) == (0, [])
        return
    [error] = _errors(report)
    assert (status, error["code"], error["path"]) == (1, code, f"activity[{at}]")
    assert f"{MAX_ACTIVITIES if 'activities' in code else MAX_ACTIVITY_YEARS:,}" in error["message"]


def test_a_text_of_a_rate_card_longer_than_the_limit_is_told_with_its_length(
    tmp_path: Path,
) -> None:
    card = (BAD / "cards" / "corpus-valid.toml").read_text("utf-8")
    path = tmp_path / "card.toml"
    path.write_text(card.replace('"Corpus test figure"', f'"{"s" * (MAX_TEXT + 1)}"', 1), "utf-8")
    code, [report] = _validate([path], None)
    [error] = _errors(report)
    assert (code, error["path"], error["line"]) == (1, "rate[0].value[0].source", 17)
    assert f"{MAX_TEXT + 1:,} characters, at most {MAX_TEXT:,}" in error["message"]
