"""The command line: help for every command, exit codes (0 done, 1 invalid input, 2 usage),
located diagnostics, and outputs that agree with each other.

Most tests drive ``estimator.cli.app`` through typer's CliRunner; two run the installed tool
in a real process (``python -m estimator`` and the ``finimpact`` entry point).
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from estimator.cli.app import app

TESTS = Path(__file__).resolve().parent
SEED = TESTS.parent / "seeds" / "pp26-ai-capacity.toml"
CASE = TESTS / "cases" / "escalation-dated-values"
DIAGNOSTIC = re.compile(
    r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<key>[\w.\[\]' ,-]+?): (.+)$"
)

VALID = """\
format = 1

[proposal]
reference    = "PP26/99/1"
title        = "A test proposal"
conference   = "PP-26"
submitted_by = ["Testland"]
responsible  = "GS"
period       = [2027, 2027]

[[activity]]
id    = "officer"
kind  = "consultant"
title = "Legal adviser"
days  = 10
"""

INVALID = """\
format = 1

[proposal]
reference    = "PP26/99/2"
title        = "A broken test proposal"
conference   = "PP-26"
submitted_by = ["Testland"]
responsible  = "GS"
period       = [2027, 2027]

[[activity]]
id      = "meeting"
kind    = "meeting"
title   = "A meeting"
days    = "2"
locaton = "away"
"""

runner = CliRunner()


def _commands() -> dict[str, typer.core.TyperCommand]:
    group = typer.main.get_command(app)
    return dict(group.commands)  # type: ignore[attr-defined]


@pytest.fixture
def valid(tmp_path: Path) -> Path:
    path = tmp_path / "valid.toml"
    path.write_text(VALID, encoding="utf-8")
    return path


@pytest.fixture
def invalid(tmp_path: Path) -> Path:
    path = tmp_path / "invalid.toml"
    path.write_text(INVALID, encoding="utf-8")
    return path


# -- help and usage ------------------------------------------------------------------------


def test_the_core_commands_exist() -> None:
    assert {"estimate", "validate", "rates", "init"} <= set(_commands())


@pytest.mark.parametrize("name", sorted(_commands()))
def test_every_command_has_help_text(name: str) -> None:
    command = _commands()[name]
    assert (command.help or "").strip(), f"'{name}' has no docstring"
    result = runner.invoke(app, [name, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.stdout
    first_line = command.help.strip().splitlines()[0]
    assert first_line[:40] in " ".join(result.stdout.split())
    for param in command.params:
        if param.param_type_name == "option" and param.name != "help":
            assert (getattr(param, "help", "") or "").strip(), f"{name} {param.opts} has no help"


def test_top_level_help_lists_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in _commands():
        assert name in result.stdout


def _help(*args: str) -> str:
    result = runner.invoke(app, [*args, "--help"], terminal_width=100)
    assert result.exit_code == 0
    return result.stdout


def test_init_is_listed_first_where_a_new_user_looks() -> None:
    listed = _help().split("Commands:")[1].split()
    assert listed[0] == "init"


def test_the_command_list_shows_each_description_whole() -> None:
    listing = _help().split("Commands:")[1]
    for name, command in _commands().items():
        [line] = [ln for ln in listing.splitlines() if ln.split()[:1] == [name]]
        shown = line.split(None, 1)[1]
        assert not shown.endswith("..."), shown
        assert shown == command.short_help, f"'{name}' shows {shown!r}"


@pytest.mark.parametrize("name", sorted(_commands()))
def test_help_shows_no_python_types(name: str) -> None:
    text = _help(name)
    python = r"<(path|str|int|float|bool|list\[[^>]*\]|\w+ range)>|list\[|\bx>="
    assert not re.search(python, text), text


def test_the_command_line_prices_writes_and_batches_only_through_the_library_api() -> None:
    """The faces stay thin: app.py parses options, calls estimator.api and prints."""
    source = (TESTS.parent / "estimator" / "cli" / "app.py").read_text("utf-8")
    imported = {
        node.module or ""
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom)
    } | {
        alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    stages = (
        "estimator.batch",
        "estimator.core.pipeline",
        "estimator.core.load",
        "estimator.core.validate",
        "estimator.core.price",
        "estimator.core.assess",
        "estimator.core.plan",
        "estimator.core.ratecard",
        "estimator.render.outputs",
        "estimator.render.annex",
        "estimator.render.workbook",
        "cost_models",
    )
    assert "estimator" in imported  # from estimator import api
    assert sorted(m for m in imported if m.startswith(stages)) == []


def test_version_prints_the_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert re.fullmatch(r"finimpact \d+\.\d+\.\d+\S*\n", result.stdout)


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["no-such-command"],
        ["estimate"],
        ["estimate", "x.toml", "--no-such-option"],
        ["estimate", "x.toml", "--format", "pdf-of-doom"],
        ["validate"],
    ],
    ids=["nothing", "unknown-command", "missing-file", "unknown-option", "unknown-format", "none"],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    assert runner.invoke(app, args).exit_code == 2


# Every command with a folder for its outputs, with the arguments it needs besides --out.
FOLDER_COMMANDS = {
    "estimate": ["estimate", "{valid}"],
    "batch": ["batch", "{valid}"],
    "compare": ["compare", "{valid}", "{valid}"],
    "register diff": ["register", "diff", "PP26/99/1"],
    "register report": ["register", "report"],
}


def _commands_with_out() -> set[str]:
    found = set()
    for name, command in _commands().items():
        subs = getattr(command, "commands", {name: command})
        for sub, cmd in subs.items():
            if any("--out" in p.opts for p in cmd.params):
                found.add(name if sub == name else f"{name} {sub}")
    return found


def test_every_command_with_an_out_folder_is_checked_below() -> None:
    assert _commands_with_out() == set(FOLDER_COMMANDS)


@pytest.mark.parametrize("name", sorted(FOLDER_COMMANDS))
@pytest.mark.parametrize("under", [False, True], ids=["the-file", "a-folder-under-it"])
def test_an_out_naming_a_file_is_a_usage_error_saying_to_give_a_folder(
    name: str, under: bool, valid: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the register's default file would be made here
    taken = tmp_path / "estimate.json"
    taken.write_text("kept", encoding="utf-8")
    out = taken / "out" if under else taken
    args = [a.format(valid=valid) for a in FOLDER_COMMANDS[name]]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 2, result.output
    [error] = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert error.startswith(f"Error: Invalid value for --out: {taken} is a file")
    assert error.endswith(
        "not a folder: give a folder for the outputs (one that does not exist yet is made)"
    )
    assert "File exists" not in result.output
    assert taken.read_text(encoding="utf-8") == "kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["estimate.json", "valid.toml"]


# -- estimate ------------------------------------------------------------------------------


def test_estimate_writes_the_json_under_the_safe_reference(valid: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["estimate", str(valid), "--out", str(out), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    # reference "PP26/99/1": the slashes become dashes
    written = out / "PP26-99-1.estimate.json"
    assert sorted(p.name for p in out.iterdir()) == [written.name]
    assert f"wrote {written}" in result.stdout
    data = json.loads(written.read_text(encoding="utf-8"))
    assert data["proposal"]["reference"] == "PP26/99/1"
    # one consultant line of 10 days, whatever the default card's rate: the total is that line
    assert data["lines"][0]["quantity"] == "10"
    assert data["total"] == data["lines"][0]["amount"]


def test_estimate_prints_a_summary_with_the_total(valid: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["estimate", str(valid), "--out", str(tmp_path), "--format", "json"]
    )
    assert result.exit_code == 0
    data = json.loads((tmp_path / "PP26-99-1.estimate.json").read_text(encoding="utf-8"))
    total = f"{float(data['total']):,.2f}"  # display only: the summary's thousands separators
    assert "Total" in result.stdout and total in result.stdout


def test_estimate_json_on_stdout_equals_the_file_written(valid: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["estimate", str(valid), "--json", "--out", str(tmp_path), "--format", "json"]
    )
    assert result.exit_code == 0, result.stderr
    printed = json.loads(result.stdout)
    written = json.loads((tmp_path / "PP26-99-1.estimate.json").read_text(encoding="utf-8"))
    assert printed == written
    assert printed["format"] == "finimpact/estimate/2"


def test_estimate_json_without_out_writes_no_file(
    valid: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    result = runner.invoke(app, ["estimate", str(valid), "--json"])
    assert result.exit_code == 0
    assert list(work.iterdir()) == []
    assert json.loads(result.stdout)["proposal"]["reference"] == "PP26/99/1"


def test_estimate_with_a_card_uses_the_card(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["estimate", str(CASE / "proposal.toml"), "--rates", str(CASE / "card.toml"), "--json"]
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["rate_card"]["id"] == "case-escalation"
    # the hand-computed total of tests/cases/escalation-dated-values
    assert data["total"] == "58104.00"


def test_estimate_of_invalid_input_exits_1_with_located_diagnostics(invalid: Path) -> None:
    result = runner.invoke(app, ["estimate", str(invalid), "--json"])
    assert result.exit_code == 1
    assert result.stdout == ""
    found = [DIAGNOSTIC.match(line) for line in result.stderr.splitlines()]
    assert all(found), result.stderr
    where = {(m["key"], int(m["line"]), int(m["col"])) for m in found if m}
    # days = "2" is on line 15, the misspelt locaton on line 16, both at column 1
    assert ("activity 'meeting', days", 15, 1) in where
    assert ("activity 'meeting', locaton", 16, 1) in where
    assert "did you mean 'location'?" in result.stderr
    assert "Traceback" not in result.stderr


def test_estimate_of_a_missing_file_exits_1(tmp_path: Path) -> None:
    result = runner.invoke(app, ["estimate", str(tmp_path / "nowhere.toml")])
    assert result.exit_code == 1
    assert "no such file" in result.stderr


def test_an_implausibly_large_rate_is_a_diagnostic_not_an_internal_error(tmp_path: Path) -> None:
    # 10 days × 1e30 a day: before the fix, rounding it to the cent raised InvalidOperation
    # (more than 28 digits) and the tool ended with "internal error"; totals beyond 28 digits
    # were silently rounded. A card now refuses a rate over 10^15 (tests/bad/): at 10^15 a day,
    # 10 days are 10^16, still far over the plausible 10^12 a line.
    card = (
        (CASE / "card.toml").read_text(encoding="utf-8").replace("amount = 1300", "amount = 1e15")
    )
    (tmp_path / "card.toml").write_text(card, encoding="utf-8")
    result = runner.invoke(
        app, ["estimate", str(CASE / "proposal.toml"), "--rates", str(tmp_path / "card.toml")]
    )
    assert result.exit_code == 1
    assert "activity 'legal-advice': the 2030 amount for 'consultant.day'" in result.stderr
    assert "implausibly large" in result.stderr


# -- validate ------------------------------------------------------------------------------


def test_validate_says_valid_and_exits_0(valid: Path) -> None:
    result = runner.invoke(app, ["validate", str(valid)])
    assert result.exit_code == 0
    # valid, and says how many warnings it printed on stderr
    warnings = [line for line in result.stderr.splitlines() if ": warning: " in line]
    expected = f"{valid}: valid" + (f" ({len(warnings)} warning" if warnings else "")
    assert result.stdout.strip().startswith(expected)


def test_validate_accepts_a_rate_card() -> None:
    result = runner.invoke(app, ["validate", str(CASE / "card.toml")])
    assert result.exit_code == 0, result.stderr


def test_validate_json_reports_each_file_and_exits_1_if_any_is_invalid(
    valid: Path, invalid: Path
) -> None:
    result = runner.invoke(app, ["validate", "--json", str(valid), str(invalid)])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert [(r["file"], r["valid"]) for r in report] == [(str(valid), True), (str(invalid), False)]
    assert {d["severity"] for d in report[0]["diagnostics"]} <= {"warning"}
    diags = {d["path"]: d for d in report[1]["diagnostics"]}
    assert diags["activity[0].days"]["line"] == 15
    assert diags["activity[0].locaton"]["hint"] == "did you mean 'location'?"
    assert {d["severity"] for d in diags.values()} == {"error"}


# -- rates ---------------------------------------------------------------------------------


def _card(path: Path) -> dict[str, object]:
    with path.open("rb") as f:
        return tomllib.load(f)


def test_rates_json_lists_every_rate_and_every_value_with_its_source() -> None:
    card = _card(CASE / "card.toml")
    result = runner.invoke(app, ["rates", "--rates", str(CASE / "card.toml"), "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["id"] == "case-escalation"
    assert data["escalation"] == "0.02"
    assert data["currency"] == "CHF"
    want = [
        (r["id"], [(str(v["from"]), str(v["amount"]), v["source"]) for v in r["value"]])
        for r in card["rate"]  # type: ignore[attr-defined]
    ]
    got = [
        (r["id"], [(v["from"], v["amount"], v["source"]) for v in r["values"]])
        for r in data["rates"]
    ]
    assert got == want
    # three dated values of consultant.day: 1000, 1200, 1300
    assert [v["amount"] for v in data["rates"][0]["values"]] == ["1000", "1200", "1300"]


def test_rates_shows_every_rate_of_the_default_card_with_every_source() -> None:
    result = runner.invoke(app, ["rates", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["rates"]
    text = runner.invoke(app, ["rates"])
    assert text.exit_code == 0
    for rate in data["rates"]:
        assert rate["id"] in text.stdout
        assert rate["values"], rate["id"]
        for value in rate["values"]:
            assert value["source"].strip(), rate["id"]
            assert value["source"] in text.stdout
            assert f"from {value['from']}" in text.stdout


def test_rates_with_an_invalid_card_exits_1(invalid: Path) -> None:
    assert runner.invoke(app, ["rates", "--rates", str(invalid)]).exit_code == 1


# -- init ----------------------------------------------------------------------------------


def test_init_writes_a_proposal_that_validates(tmp_path: Path) -> None:
    path = tmp_path / "proposal.toml"
    result = runner.invoke(app, ["init", str(path)])
    assert result.exit_code == 0
    assert path.exists()
    check = runner.invoke(app, ["validate", str(path)])
    assert check.exit_code == 0, check.stderr


@pytest.mark.parametrize(
    ("name", "command_name"),
    [("cwg-ai.toml", "cwg-ai.toml"), ("my draft.toml", "'my draft.toml'")],
)
def test_init_names_the_file_it_wrote_in_the_commands_it_suggests(
    name: str, command_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["init", name])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"wrote {name}; check it with: finimpact validate {command_name}\n"
    header = (tmp_path / name).read_text(encoding="utf-8").splitlines()[:3]
    assert header[1:] == [
        f"#   finimpact validate {command_name}",
        f"#   finimpact estimate {command_name}",
    ]
    assert "proposal.toml" not in (tmp_path / name).read_text(encoding="utf-8")
    assert runner.invoke(app, ["validate", name]).exit_code == 0


def test_init_to_a_name_with_a_line_break_still_writes_a_proposal_that_validates(
    tmp_path: Path,
) -> None:
    path = tmp_path / "two\nlines.toml"
    assert runner.invoke(app, ["init", str(path)]).exit_code == 0
    assert "two\\x0alines.toml" in path.read_text(encoding="utf-8").splitlines()[1]
    assert runner.invoke(app, ["validate", str(path)]).exit_code == 0


def test_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    path = tmp_path / "proposal.toml"
    path.write_text("# my work\n", encoding="utf-8")
    result = runner.invoke(app, ["init", str(path)])
    assert result.exit_code == 1
    assert "--force" in result.stderr
    assert path.read_text(encoding="utf-8") == "# my work\n"
    forced = runner.invoke(app, ["init", str(path), "--force"])
    assert forced.exit_code == 0
    assert path.read_text(encoding="utf-8") != "# my work\n"


# -- real processes ------------------------------------------------------------------------


def test_python_dash_m_estimator_runs_the_same_tool(invalid: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "estimator", "validate", str(invalid)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert f"{invalid}:15:1: activity 'meeting', days: must be a number" in done.stderr


def test_finimpact_entry_point_estimates_a_seed(tmp_path: Path) -> None:
    # the entry point installed beside the interpreter running the tests (a virtual
    # environment that is not activated is not on PATH), else the one on PATH
    beside = Path(sys.executable).parent / "finimpact"
    exe = str(beside) if beside.is_file() else shutil.which("finimpact")
    assert exe, "the finimpact entry point is not installed (pip install .)"
    done = subprocess.run(
        [exe, "estimate", str(SEED), "--json", "--out", str(tmp_path), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    written = json.loads((tmp_path / "PP26-44A2-1.estimate.json").read_text(encoding="utf-8"))
    assert printed == written


def test_rates_takes_the_id_of_a_shipped_card_as_well_as_a_file() -> None:
    result = CliRunner().invoke(app, ["rates", "--rates", "un-new-york", "--json"])
    assert result.exit_code == 0, result.output
    card = json.loads(result.stdout)
    assert (card["id"], card["currency"]) == ("un-new-york", "USD")


def test_rates_names_the_shipped_cards_when_neither_file_nor_id_matches() -> None:
    result = CliRunner().invoke(app, ["rates", "--rates", "no-such-card"])
    assert result.exit_code == 1
    assert "no-such-card: no such file, and no shipped rate card has this id" in result.stderr
    assert "itu-geneva, un-new-york" in result.stderr


def test_the_summary_shares_by_basis_add_up_to_100_0(tmp_path: Path) -> None:
    result = runner.invoke(app, ["estimate", str(SEED), "--out", str(tmp_path), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    section = result.stdout.split("By basis of the rates")[1].split("\n\n")[0]
    percents = [Decimal(p) for p in re.findall(r"(\d+\.\d)%", section)]
    assert len(percents) >= 2
    assert sum(percents) == Decimal("100.0")


@pytest.mark.parametrize("name", ["validate", "estimate"])
def test_help_names_the_file_as_its_text_does_and_keeps_card_ids_whole(name: str) -> None:
    text = runner.invoke(app, [name, "--help"], terminal_width=80).stdout
    assert f"Usage: finimpact {name} [OPTIONS] FILE" in text
    assert "{FILE}" not in text
    assert "itu-geneva (the default) or un-new-york." in text
    assert not re.search(r"\b(itu|un|new)-\s*\n", text)
