"""The README cannot drift from the tool: its examples run, its commands exist, its quick start
is what CI runs."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import typer.main

from estimator.cli.app import app
from estimator.core.load import parse_toml
from estimator.core.validate import validate_proposal

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _shell_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", README, re.S)


def test_the_readme_proposal_example_validates() -> None:
    blocks = re.findall(r"```toml\n(.*?)```", README, re.S)
    assert blocks, "the README shows a proposal"
    for text in blocks:
        doc, diags = parse_toml(text.encode("utf-8"), "README.md")
        assert doc is not None, [d.render() for d in diags]
        proposal, diags = validate_proposal(doc)
        assert proposal is not None, [d.render() for d in diags]


QUICK_START = "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/finimpact estimate "
TEST_COMMAND = ".venv/bin/pip install '.[test]' && .venv/bin/pytest"


def test_the_quick_start_makes_its_own_environment_and_its_seed_exists() -> None:
    # a stock Debian or Ubuntu Python refuses 'pip install' outside a virtual environment
    install_and_run, install_and_test = (b.strip() for b in _shell_blocks()[:2])
    assert install_and_run.startswith(QUICK_START)
    assert "\n" not in install_and_run, "the first command is one line"
    seed = install_and_run.removeprefix(QUICK_START).split()[0]
    assert (ROOT / seed).is_file(), seed
    assert install_and_test == TEST_COMMAND


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    # word for word, in the virtual environment the quick start makes
    assert TEST_COMMAND in (line.strip() for line in ci)
    assert "python3 -m venv .venv" in "\n".join(ci)


def test_an_installed_copy_has_every_package_of_the_source() -> None:
    """'pip install .' (not editable) installs the packages pyproject lists: a package missing
    there works in a development install and fails in the quick start."""
    with (ROOT / "pyproject.toml").open("rb") as f:
        listed = set(tomllib.load(f)["tool"]["setuptools"]["packages"])
    for top in ("estimator", "cost_models"):
        for init in (ROOT / top).rglob("__init__.py"):
            package = ".".join(init.parent.relative_to(ROOT).parts)
            assert package in listed, f"{package} is not in pyproject's packages"


def test_every_command_is_in_the_readme_with_help_text() -> None:
    group = typer.main.get_group(app)
    assert group.commands
    for name, command in group.commands.items():
        assert f"`finimpact {name}" in README, f"the README does not document '{name}'"
        assert command.help, f"'{name}' has no help text"
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--") and opt != "--help":
                    assert opt in README, f"the README does not mention {name} {opt}"


def test_every_linked_doc_exists() -> None:
    for target in re.findall(r"\]\(([^)#]+)\)", README):
        if not target.startswith("http"):
            assert (ROOT / target).exists(), target
