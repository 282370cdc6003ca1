"""A conference played through the register, on SQLite and on PostgreSQL: 30 proposals added
in three waves, 10 of them revised, 5 merged (4 into a committee text that is itself costed, 1
into a text that is not), decisions recorded (adopted, adopted as amended, an older version
adopted, withdrawn, not adopted), and the running position checked against figures worked out
by hand below; then the same register exported and imported gives the same position, and the
difference between two versions of a proposal is what its texts say.

Every proposal states one amount a year (services are not escalated), in one budget unit, for
2027 and 2028, so each figure follows from the amounts without the tool.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_register import proposal
from typer.testing import CliRunner

from estimator.cli.app import app

runner = CliRunner()
UNITS = ("GS", "ITU-R", "ITU-T", "ITU-D")
YEARS = (2027, 2028)
PLAN = """\
format = 1

[plan]
id = "conference-test"
title = "Headroom for the test conference"
period = [2027, 2028]
currency = "CHF"
example = true

[headroom]
units = ["GS", "ITU-R", "ITU-T", "ITU-D"]
basis = "assumed"
source = "the test"
assumption = "round figures for the test"
2027 = [50_000, 40_000, 30_000, 10_000]
2028 = [50_000, 40_000, 30_000, 10_000]
"""


def cli(*args: str) -> str:
    result = runner.invoke(app, ["register", *args])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def unit(n: int) -> str:
    return UNITS[n % 4]


def play(db: str, folder: Path) -> Path:
    """The conference, command by command; returns the plan's file."""
    plan = folder / "plan.toml"
    plan.write_text(PLAN, encoding="utf-8")
    add = ("add", "--db", db)
    for wave, day in enumerate(("2026-09-01", "2026-09-15", "2026-10-01")):
        files = [
            proposal(folder, f"PP26/{n}/1", 1000 * n, unit=unit(n), years=YEARS)
            for n in range(1 + 10 * wave, 11 + 10 * wave)
        ]
        cli(*add, *map(str, files), "--by", f"officer {wave + 1}", "--at", day)
    revised = [
        proposal(folder, f"PP26/{n}/1(Rev.1)", 1000 * n + 500, unit=unit(n), years=YEARS)
        for n in range(1, 11)
    ]
    cli(*add, *map(str, revised), "--by", "officer 1", "--at", "2026-10-05")
    amended = proposal(folder, "PP26/7/1(Rev.2)", 7200, unit=unit(7), years=YEARS)
    committee = proposal(folder, "PP26/COM5/1", 20_000, unit="GS", years=YEARS)
    cli(*add, str(amended), str(committee), "--by", "Committee 5", "--at", "2026-10-10")
    decide = ("decide", "--db", db, "--by", "Plenary", "--at")
    for n in range(11, 15):
        cli(*decide, "2026-10-12", f"PP26/{n}/1", "merged", "--into", "PP26/COM5/1")
    cli(*decide, "2026-10-12", "PP26/15/1", "merged", "--into", "PP26/COM4/3")
    for n in range(1, 7):  # their current version: Rev.1
        cli(*decide, "2026-10-20", f"PP26/{n}/1", "adopted")
    cli(*decide, "2026-10-20", "PP26/7/1", "amended", "--version", "PP26/7/1(Rev.2)")
    cli(*decide, "2026-10-20", "PP26/8/1(Rev.1)", "adopted", "--version", "PP26/8/1")
    for n in range(16, 19):
        cli(*decide, "2026-10-21", f"PP26/{n}/1", "withdrawn")
    for n in (19, 20):
        cli(*decide, "2026-10-21", f"PP26/{n}/1", "not-adopted")
    cli(*decide, "2026-10-22", "PP26/COM5/1", "adopted")
    return plan


# By hand. Adopted, in the order decided (each amount a year, in 2027 and in 2028):
#   PP26/1/1(Rev.1) 1,500 ITU-R   PP26/2/1(Rev.1) 2,500 ITU-T   PP26/3/1(Rev.1) 3,500 ITU-D
#   PP26/4/1(Rev.1) 4,500 GS      PP26/5/1(Rev.1) 5,500 ITU-R   PP26/6/1(Rev.1) 6,500 ITU-T
#   PP26/7/1(Rev.2) 7,200 ITU-D (as amended)   PP26/8/1 8,000 GS (the first text, not Rev.1)
#   PP26/COM5/1 20,000 GS (the text PP26/11 to 14 were merged into)
# GS 4,500 + 8,000 + 20,000 = 32,500; ITU-R 1,500 + 5,500 = 7,000; ITU-T 2,500 + 6,500 = 9,000;
# ITU-D 3,500 + 7,200 = 10,700.
# Pending, in the order first recorded: PP26/9/1(Rev.1) 9,500 ITU-R, PP26/10/1(Rev.1) 10,500
# ITU-T, then PP26/21/1 to PP26/30/1 at 1,000 x n: GS 24,000 + 28,000 = 52,000; ITU-R 9,500 +
# 21,000 + 25,000 + 29,000 = 84,500; ITU-T 10,500 + 22,000 + 26,000 + 30,000 = 88,500; ITU-D
# 23,000 + 27,000 = 50,000. Nothing from PP26/11 to 20 (merged, withdrawn, not adopted).
ADOPTED = {"GS": "32500.00", "ITU-R": "7000.00", "ITU-T": "9000.00", "ITU-D": "10700.00"}
PENDING = {"GS": "52000.00", "ITU-R": "84500.00", "ITU-T": "88500.00", "ITU-D": "50000.00"}
# Headroom 50,000 / 40,000 / 30,000 / 10,000. Left after the adopted: 17,500 / 33,000 /
# 21,000 / -700; after all: 50,000 - 84,500 = -34,500; 40,000 - 91,500 = -51,500;
# 30,000 - 97,500 = -67,500; 10,000 - 60,700 = -50,700.
LEFT_ADOPTED = {"GS": "17500.00", "ITU-R": "33000.00", "ITU-T": "21000.00", "ITU-D": "-700.00"}
LEFT_ALL = {"GS": "-34500.00", "ITU-R": "-51500.00", "ITU-T": "-67500.00", "ITU-D": "-50700.00"}
# First beyond the headroom: GS 32,500 + 24,000 (PP26/24/1) = 56,500 > 50,000; ITU-R 7,000 +
# 9,500 + 21,000 = 37,500, + 25,000 (PP26/25/1) > 40,000; ITU-T 9,000 + 10,500 = 19,500, +
# 22,000 (PP26/22/1) > 30,000; ITU-D 3,500, + 7,200 (the amended PP26/7/1) = 10,700 > 10,000.
FIRST = {
    "GS": ("PP26/24/1", "pending"),
    "ITU-R": ("PP26/25/1", "pending"),
    "ITU-T": ("PP26/22/1", "pending"),
    "ITU-D": ("PP26/7/1(Rev.2)", "adopted"),
}


def position(db: str, plan: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(cli("position", "--db", db, "--plan", str(plan), "--json"))
    return data


def test_a_conference_played_through_gives_the_position_worked_out_by_hand(
    db: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    plan = play(db, tmp_path)
    found = position(db, plan)
    assert found["versions"] == 30 + 10 + 2
    assert found["currency"] == "CHF"
    cells = {(c["year"], c["unit"]): c for c in found["cells"]}
    assert set(cells) == {(y, u) for y in YEARS for u in UNITS}
    for (year, u), c in cells.items():
        assert (
            c["headroom"]
            == {"GS": "50000.00", "ITU-R": "40000.00", "ITU-T": "30000.00", "ITU-D": "10000.00"}[u]
        )
        assert (c["adopted"], c["pending"]) == (ADOPTED[u], PENDING[u]), (year, u)
        assert (c["remaining_after_adopted"], c["remaining"]) == (LEFT_ADOPTED[u], LEFT_ALL[u])
        assert (c["first_exceeded_by"], c["first_exceeded_stage"]) == FIRST[u]
    assert found["adopted_total"] == "118400.00"  # 2 years x (32,500 + 7,000 + 9,000 + 10,700)
    assert found["pending_total"] == "550000.00"  # 2 years x (52,000 + 84,500 + 88,500 + 50,000)
    assert [c["version"] for c in found["adopted"]] == [
        *(f"PP26/{n}/1(Rev.1)" for n in range(1, 7)),
        "PP26/7/1(Rev.2)",
        "PP26/8/1",
        "PP26/COM5/1",
    ]
    assert [c["version"] for c in found["pending"]] == [
        "PP26/9/1(Rev.1)",
        "PP26/10/1(Rev.1)",
        *(f"PP26/{n}/1" for n in range(21, 31)),
    ]
    closed = {
        c["reference"]: (c["decision"], c["into"], c["into_recorded"]) for c in found["closed"]
    }
    assert closed == {
        **{f"PP26/{n}/1": ("merged", "PP26/COM5/1", True) for n in range(11, 15)},
        "PP26/15/1": ("merged", "PP26/COM4/3", False),
        **{f"PP26/{n}/1": ("withdrawn", None, False) for n in range(16, 19)},
        **{f"PP26/{n}/1": ("not-adopted", None, False) for n in (19, 20)},
    }
    listed = json.loads(cli("list", "--db", db, "--json"))
    counted = [r["reference"] for r in listed if r["counted"]]
    assert sorted(counted) == sorted(c["version"] for c in found["adopted"] + found["pending"])
    assert {r["decision"] for r in listed if r["proposal"] == "PP26/15/1"} == {"merged"}
    shown = cli("position", "--db", db, "--plan", str(plan))
    assert "the headroom of ITU-D in 2027 is first exceeded by PP26/7/1(Rev.2) (adopted)" in shown
    assert "PP26/15/1 was merged into PP26/COM4/3, which is not recorded" in shown

    # export, then import into a new register: the same position, and the same files again
    out = tmp_path / "export"
    cli("export", str(out), "--db", db)
    copy = str(tmp_path / "copy.sqlite")
    if "://" in db:  # into PostgreSQL too: a second, empty database on the same server
        copy = request.getfixturevalue("postgres").database()
    cli("import", str(out), "--db", copy)
    assert position(copy, plan) == found
    again = tmp_path / "again"
    cli("export", str(again), "--db", copy)
    for file in sorted(p for p in out.rglob("*") if p.is_file()):
        assert (again / file.relative_to(out)).read_bytes() == file.read_bytes(), file

    # an export whose files were changed since is refused whole
    edited = next((out / "versions").glob("*PP26-24-1.toml"))
    edited.write_text(edited.read_text("utf-8").replace("24000", "2400"), "utf-8")
    result = runner.invoke(app, ["register", "import", str(out), "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 1
    assert "PP26/24/1" in result.stderr and "differ from the index" in result.stderr
    assert not (tmp_path / "x.db").exists()

    # what the amended text changed: 200 a year less than Rev.1, in ITU-D
    diff = json.loads(cli("diff", "PP26/7/1(Rev.1)", "PP26/7/1(Rev.2)", "--db", db, "--json"))
    assert diff["total"]["changes"] == ["-600.00"]  # 2 x (7,200 - 7,500)
    assert {str(r["key"]): r["changes"] for r in diff["by_year"]} == {
        "2027": ["-300.00"],
        "2028": ["-300.00"],
    }
    shown = cli("diff", "PP26/7/1(Rev.1)", "--db", db, "--out", str(tmp_path / "diff"))
    assert "PP26/7/1(Rev.1)" in shown and "PP26/7/1" in shown
    assert sorted(p.name for p in (tmp_path / "diff").iterdir()) == [
        "comparison.html",
        "comparison.json",
        "comparison.md",
        "comparison.xlsx",
    ]
    written = json.loads((tmp_path / "diff" / "comparison.json").read_text("utf-8"))
    assert written["total"]["changes"] == ["1000.00"]  # Rev.1: 500 a year more, 2 years


def test_decisions_need_what_they_name(db: str, tmp_path: Path) -> None:
    cli("add", str(proposal(tmp_path, "PP26/1/1", 100)), "--db", db)
    for args, words in (
        (("amended",), "--version"),
        (("merged",), "--into"),
        (("adopted", "--version", "PP26/1/1(Rev.4)"), "is not a recorded version of PP26/1/1"),
        (("withdrawn", "--into", "X"), "--into goes with merged"),
    ):
        result = runner.invoke(app, ["register", "decide", "PP26/1/1", *args, "--db", db])
        assert result.exit_code == 1 and words in result.stderr, result.stderr
    result = runner.invoke(app, ["register", "decide", "PP26/1/1", "accepted", "--db", db])
    assert result.exit_code == 2 and "not a decision" in result.stderr
    result = runner.invoke(app, ["register", "decide", "PP26/9/1", "adopted", "--db", db])
    assert result.exit_code == 1 and "PP26/9/1 is not in" in result.stderr
    first = cli("decide", "PP26/1/1", "adopted", "--db", db, "--at", "2026-10-20")
    again = cli("decide", "PP26/1/1", "adopted", "--db", db, "--at", "2026-10-21")
    assert first.startswith("recorded:") and again.startswith("already recorded, unchanged")


@pytest.mark.parametrize("kind", ["withdrawn", "not-adopted"])
def test_a_later_decision_replaces_an_earlier_one_in_the_position(
    db: str, tmp_path: Path, kind: str
) -> None:
    cli("add", str(proposal(tmp_path, "PP26/1/1", 100)), "--db", db)
    cli("decide", "PP26/1/1", "adopted", "--db", db)
    assert json.loads(cli("position", "--db", db, "--json"))["adopted_total"] == "100.00"
    cli("decide", "PP26/1/1", kind, "--db", db)
    after = json.loads(cli("position", "--db", db, "--json"))
    assert (after["adopted_total"], after["pending_total"]) == ("0.00", "0.00")
    assert "adopted" in cli("show", "PP26/1/1", "--db", db)  # the history is kept


def test_credits_outside_the_plans_period_are_listed_apart_never_dropped(tmp_path: Path) -> None:
    db = str(tmp_path / "r.sqlite")
    plan = tmp_path / "plan.toml"
    plan.write_text(PLAN, encoding="utf-8")  # 2027-2028
    late = proposal(tmp_path, "PP26/1/1", 900, unit="ITU-R", years=(2028, 2029))
    cli("add", str(late), "--db", db)
    found = position(db, plan)
    cells = {(c["year"], c["unit"]): c for c in found["cells"]}
    assert cells[(2028, "ITU-R")]["pending"] == "900.00"
    assert cells[(2029, "ITU-R")]["headroom"] is None  # outside the plan: not assessed
    assert cells[(2029, "ITU-R")]["pending"] == "900.00"
    assert found["pending_total"] == "1800.00"
    assert "outside plan" in cli("position", "--db", db, "--plan", str(plan))
    unplanned = json.loads(cli("position", "--db", db, "--json"))
    assert unplanned["plan"] is None
    assert [(c["year"], c["headroom"]) for c in unplanned["cells"]] == [(2028, None), (2029, None)]


def test_a_position_in_two_currencies_is_refused(tmp_path: Path) -> None:
    db = str(tmp_path / "r.sqlite")
    chf = proposal(tmp_path, "PP26/1/1", 100)
    usd = proposal(tmp_path, "PP26/2/1", 100)
    cli("add", str(chf), "--db", db)
    cli("add", str(usd), "--db", db, "--rates", "un-new-york")
    result = runner.invoke(app, ["register", "position", "--db", db])
    assert result.exit_code == 1
    assert "CHF and USD" in result.stderr and "one currency" in result.stderr
