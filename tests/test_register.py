"""The register: every command on SQLite and on PostgreSQL (tests/postgres.py), what a version
holds (its text, its card, its estimate, who recorded it and when), re-adding changes nothing,
a changed text under a recorded reference is refused with nothing recorded, and a register
that is missing, foreign, damaged or newer is refused with a clear message."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
import typer
from typer.testing import CliRunner

from estimator.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED = SEEDS / "pp26-ai-capacity.toml"
runner = CliRunner()

PROPOSAL = """\
format = 1

[proposal]
reference    = "{reference}"
title        = "{title}"
conference   = "PP-26"
submitted_by = ["Testland"]
responsible  = "{unit}"
period       = [{first}, {last}]

[[activity]]
id            = "work"
kind          = "services"
title         = "Contracted work"
amount        = {amount}
per           = "year"
justification = "stated for the test"
"""


def proposal(
    folder: Path,
    reference: str,
    amount: int,
    *,
    unit: str = "ITU-T",
    years: tuple[int, int] = (2027, 2027),
    title: str = "A proposal",
    name: str | None = None,
) -> Path:
    """A proposal whose additional credits are the amount stated, in each year, in one unit:
    a services amount is not escalated, so the figures are known without the tool."""
    path = folder / (name or re.sub(r"[^A-Za-z0-9]+", "-", reference).strip("-") + ".toml")
    path.write_text(
        PROPOSAL.format(
            reference=reference,
            title=title,
            unit=unit,
            first=years[0],
            last=years[1],
            amount=amount,
        ),
        encoding="utf-8",
    )
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["register", *args])
    return result.exit_code, result.stdout, result.stderr


def listed(db: str) -> list[dict[str, object]]:
    code, out, err = run("list", "--db", db, "--json")
    assert code == 0, err
    data: list[dict[str, object]] = json.loads(out)
    return data


def test_adding_the_seeds_records_one_current_version_each(db: str) -> None:
    code, out, err = run(
        "add", str(SEEDS), "--db", db, "--by", "BCC secretariat", "--at", "2026-10-14"
    )
    assert code == 0, err
    seeds = sorted(SEEDS.glob("*.toml"))
    rows = listed(db)
    assert len(rows) == len(seeds)
    assert all(r["current"] and r["recorded_by"] == "BCC secretariat" for r in rows)
    assert {r["recorded_at"] for r in rows} == {"2026-10-14"}
    assert f"{len(seeds)} recorded, 0 unchanged" in out


def test_adding_the_same_input_again_changes_nothing(db: str) -> None:
    assert run("add", str(SEEDS), "--db", db, "--at", "2026-10-14")[0] == 0
    before = listed(db)
    code, out, _ = run("add", str(SEEDS), "--db", db, "--at", "2026-10-20", "--by", "someone")
    assert code == 0
    assert listed(db) == before  # not even who or when
    assert f"0 recorded, {len(before)} unchanged" in out


def test_a_changed_text_under_a_recorded_reference_is_refused_and_nothing_is_recorded(
    db: str, tmp_path: Path
) -> None:
    first = proposal(tmp_path, "PP26/10/1", 1000)
    assert run("add", str(first), "--db", db)[0] == 0
    changed = proposal(tmp_path, "PP26/10/1", 2000, name="changed.toml")
    other = proposal(tmp_path, "PP26/11/1", 500)
    code, _, err = run("add", str(other), str(changed), "--db", db)
    assert code == 1
    assert "PP26/10/1" in err and "new version" in err
    assert [r["reference"] for r in listed(db)] == ["PP26/10/1"]  # PP26/11/1 neither


def test_revisions_are_versions_of_one_proposal_and_the_greatest_is_current(
    db: str, tmp_path: Path
) -> None:
    files = [
        proposal(tmp_path, "PP26/20/1", 1000),
        proposal(tmp_path, "PP26/20/1 (rev 1)", 1500),
        proposal(tmp_path, "PP26/20/1(Rev.1)(Corr.1)", 1400),
        proposal(tmp_path, "PP26/21/1", 700),
    ]
    assert run("add", *map(str, files), "--db", db)[0] == 0
    rows = listed(db)
    assert [(r["reference"], r["proposal"], r["current"]) for r in rows] == [
        ("PP26/20/1", "PP26/20/1", False),
        ("PP26/20/1(Rev.1)", "PP26/20/1", False),
        ("PP26/20/1(Rev.1)(Corr.1)", "PP26/20/1", True),
        ("PP26/21/1", "PP26/21/1", True),
    ]
    assert [r["total"] for r in rows] == ["1000.00", "1500.00", "1400.00", "700.00"]
    code, out, _ = run("show", "PP26/20/1", "--db", db)
    assert code == 0
    assert "\nPP26/20/1: CHF 1,000.00" in out  # the first text
    assert "* PP26/20/1(Rev.1)(Corr.1)  CHF 1,400.00" in out  # marked current
    code, out, _ = run("show", "PP26/20/1(REV.1)", "--db", db)
    assert "PP26/20/1(Rev.1): CHF 1,500.00" in out
    assert "additional credits 2027 ITU-T: 1,500.00" in out


def test_a_version_keeps_its_text_card_and_estimate_byte_for_byte(db: str) -> None:
    assert run("add", str(SEED), "--db", db)[0] == 0
    code, text, _ = run("show", "PP26/44A2/1", "--db", db, "--text")
    assert code == 0 and text == SEED.read_text(encoding="utf-8")
    code, stored, _ = run("show", "PP26/44A2/1", "--db", db, "--json")
    fresh = runner.invoke(app, ["estimate", str(SEED), "--json"]).stdout
    assert stored == fresh
    estimate = json.loads(stored)
    [row] = listed(db)
    assert row["card"] == {
        "id": estimate["rate_card"]["id"],
        "sha256": estimate["rate_card"]["sha256"],
    }
    assert row["total"] == estimate["total"]


def test_who_recorded_is_never_guessed_and_when_is_the_clock_unless_stated(db: str) -> None:
    assert run("add", str(SEED), "--db", db)[0] == 0
    [row] = listed(db)
    assert row["recorded_by"] is None
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", str(row["recorded_at"]))
    assert "by (not stated)" in run("list", "--db", db)[1]


def test_a_time_that_is_not_a_date_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run("add", str(SEED), "--db", str(tmp_path / "r.sqlite"), "--at", "monday")
    assert code == 2 and "--at" in err
    assert not (tmp_path / "r.sqlite").exists()


def test_a_proposal_that_cannot_be_costed_records_nothing(db: str, tmp_path: Path) -> None:
    good = proposal(tmp_path, "PP26/30/1", 100)
    bad = tmp_path / "bad.toml"
    bad.write_text(SEED.read_text(encoding="utf-8").replace("period", "perod"), "utf-8")
    code, _, err = run("add", str(good), str(bad), "--db", db)
    assert code == 1
    assert "bad.toml:" in err and "nothing recorded" in err
    if "://" not in db:
        assert not Path(db).exists()


# -- what is not a register ------------------------------------------------------------------


def test_reading_a_register_that_does_not_exist_says_how_to_start(tmp_path: Path) -> None:
    code, _, err = run("list", "--db", str(tmp_path / "none.sqlite"))
    assert code == 1 and "no register at" in err and "register add" in err
    assert not (tmp_path / "none.sqlite").exists()


def test_a_file_that_is_not_a_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_text("minutes of the plenary\n", encoding="utf-8")
    for args in (("list",), ("add", str(SEED))):
        code, _, err = run(*args, "--db", str(path))
        assert code == 1 and "is not a register: it is not a SQLite database" in err
    assert path.read_text(encoding="utf-8") == "minutes of the plenary\n"


def test_another_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE delegates (name TEXT)")
    code, _, err = run("add", str(SEED), "--db", str(path))
    assert code == 1 and "is not a finimpact register" in err and "delegates" in err
    with sqlite3.connect(path) as conn:
        tables = conn.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
    assert tables == [("delegates",)]


def test_a_damaged_register_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite"
    assert run("add", str(SEED), "--db", str(path))[0] == 0
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the first page's header and schema
    path.write_bytes(bytes(data))
    code, _, err = run("list", "--db", str(path))
    assert code == 1
    assert "cannot be read as a register" in err or "malformed" in err
    assert "Traceback" not in err


def test_register_diff_lays_out_a_difference_as_compare_does(db: str, tmp_path: Path) -> None:
    first = proposal(tmp_path, "PP26/5/1", 7500, years=(2027, 2028))
    second = proposal(tmp_path, "PP26/5/1(Rev.1)", 7200, years=(2027, 2028))
    code, _out, err = run("add", str(first), str(second), "--db", db)
    assert code == 0, err
    shown: dict[str, str] = {}
    files: dict[str, Path] = {}
    for face, args in (
        ("compare", ["compare", str(first), str(second)]),
        ("diff", ["register", "diff", "PP26/5/1(Rev.1)", "--db", db]),
    ):
        files[face] = tmp_path / face
        options = ["--out", str(files[face]), "--lang", "fr", "--format", "json,md"]
        result = runner.invoke(app, [*args, *options])
        assert result.exit_code == 0, result.stderr
        shown[face] = result.stdout.replace(str(files[face]), "OUT")
    # the same table, then a blank line and the files written
    assert shown["diff"] == shown["compare"]
    assert shown["diff"].endswith("\n\nwrote OUT/comparison.json\nwrote OUT/comparison.md\n")
    assert "-600.00" in shown["diff"]  # 2 years of 300 less

    def parts(face: str) -> tuple[dict[str, object], list[str]]:
        data = json.loads((files[face] / "comparison.json").read_text("utf-8"))
        for e in data["estimates"]:
            e.pop("file")
        texts = [str(e["sha256"]) for e in data["estimates"]]  # the lines naming the sources
        md = (files[face] / "comparison.md").read_text("utf-8")
        return data, [line for line in md.splitlines() if not any(t in line for t in texts)]

    (diff, diff_md), (compared, compared_md) = parts("diff"), parts("compare")
    assert diff == compared and diff_md == compared_md  # in French both, but for the sources
    # each version is named by the register it was read from, never a piece of its reference
    register = json.loads((files["diff"] / "comparison.json").read_text("utf-8"))
    named = Path(db).name if "://" not in db else db.split("?")[0].rsplit("/", 1)[1]
    assert [e["file"] for e in register["estimates"]] == [named, named]  # file or database


def test_a_register_from_a_newer_finimpact_is_refused_plainly(db: str) -> None:
    assert run("add", str(SEED), "--db", db)[0] == 0
    url = db if "://" in db else f"sqlite:///{db}"
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    code, _, err = run("list", "--db", db)
    assert code == 1
    assert "written by a newer finimpact (schema revision 9999" in err
    assert "upgrade finimpact" in err


def test_the_default_register_is_a_file_in_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from estimator.cli.register import DEFAULT_DB
    from estimator.register.store import DEFAULT_FILE

    assert DEFAULT_DB == DEFAULT_FILE
    monkeypatch.chdir(tmp_path)
    assert run("add", str(SEED))[0] == 0
    assert (tmp_path / DEFAULT_FILE).is_file()
    shown = runner.invoke(app, ["register", "add", "--help"], terminal_width=200).stdout
    assert f"Default: {DEFAULT_FILE} in the current folder" in shown


def test_the_register_commands_do_not_slow_the_others() -> None:
    from test_startup import imported_by

    for argv in (("--help",), ("validate", str(SEED))):
        code, modules = imported_by(*argv)
        assert code == 0
        assert not modules & {"sqlalchemy", "alembic", "psycopg"}, argv


@pytest.mark.parametrize(
    ("written", "words"),
    [
        ("PP26/1/1(Rev.1)(Rev.2)", "gives Rev. twice"),
        ("PP26/1/1(Corr.0)", "count from 1"),
        ("(Rev.1)", "no reference before its revision"),
    ],
)
def test_a_reference_that_cannot_be_read_says_why(written: str, words: str) -> None:
    from estimator.register.reference import ReferenceProblem, parse

    with pytest.raises(ReferenceProblem, match=re.escape(words)):
        parse(written)


def _register_commands() -> dict[str, typer.core.TyperCommand]:
    group = typer.main.get_command(app)
    register = group.commands["register"]  # type: ignore[attr-defined]
    return dict(register.commands)


@pytest.mark.parametrize("name", sorted(_register_commands()))
def test_every_register_command_has_help_and_is_in_the_guide(name: str) -> None:
    command = _register_commands()[name]
    assert (command.help or "").strip() and command.short_help
    for param in command.params:
        if param.param_type_name == "option" and param.name != "help":
            assert (getattr(param, "help", "") or "").strip(), f"{name} {param.opts}"
    guide = (ROOT / "docs" / "register.md").read_text(encoding="utf-8")
    assert f"finimpact register {name}" in guide
