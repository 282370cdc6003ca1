"""Diagnostics: the TomlLocator finds where a key path is written, and hints name the key meant.

A budget officer jumps to ``file:line:col`` in an editor: the line and column must be those of
the key (or the array element) the message is about, whatever TOML syntax wrote it.
"""

from __future__ import annotations

import pickle
import tomllib
from pathlib import Path

import pytest

from estimator import api
from estimator.core.diagnostics import (
    Diagnostic,
    Severity,
    TextPosition,
    TomlLocator,
    did_you_mean,
    format_path,
)
from estimator.core.load import parse_toml
from estimator.core.ratecard import parse_card
from estimator.core.validate import validate_proposal

# Line numbers are written in the comments of the text so that a reader can check them.
TEXT = """\
# comment                                                       line 1
format = 1

[proposal]
reference = "A/1"   # trailing comment                            line 5
"quoted key" = 2
'literal.key' = 3
site.name = "x"
site . "quoted part" = 4
requests = [
  "first, with [brackets], a comma and a # hash",
  'second',
  \"\"\"third
continues\"\"\",
]
notes = \"\"\"
line = not a key
[not.a.table]
\"\"\"
after = 5
nested = [[1, 2], [3, 4]]
periods = [2027,
  2030]

[[activity]]
id = "a"
years = [2027, 2028]

[[activity]]
id = "b"
note = 'literal with "quotes" = fine'
years = [
  2029,  # comment, with a comma
  2030,
]

[[rate]]
id = "r1"
  [[rate.value]]
  from = 2026-01-01
  [[rate.value]]
  from = 2027-01-01

[[rate]]
id = "r2"
  [[rate.value]]
  from = 2028-01-01
  [rate.value.extra]
  k = 1

[card]
"a.b".c = 1
"""


@pytest.fixture(scope="module")
def locator() -> TomlLocator:
    return TomlLocator(TEXT)


@pytest.mark.parametrize(
    ("path", "where"),
    [
        (("format",), (2, 1)),
        (("proposal",), (4, 1)),
        (("proposal", "reference"), (5, 1)),
        (("proposal", "after"), (20, 1)),
    ],
)
def test_locator_finds_tables_and_keys(
    locator: TomlLocator, path: tuple[str], where: tuple[int, int]
) -> None:
    assert locator.locate(path) == where


@pytest.mark.parametrize(
    ("path", "where"),
    [
        (("proposal", "quoted key"), (6, 1)),
        (("proposal", "literal.key"), (7, 1)),  # a quoted dot is part of the key
        (("proposal", "site", "name"), (8, 1)),
        (("proposal", "site", "quoted part"), (9, 1)),
        (("card", "a.b", "c"), (52, 1)),
    ],
)
def test_locator_finds_dotted_and_quoted_keys(
    locator: TomlLocator, path: tuple[str, ...], where: tuple[int, int]
) -> None:
    assert locator.locate(path) == where


@pytest.mark.parametrize(
    ("path", "where"),
    [
        # a multi-line array of strings: brackets, commas and '#' inside strings are text
        (("proposal", "requests", 0), (11, 3)),
        (("proposal", "requests", 1), (12, 3)),
        (("proposal", "requests", 2), (13, 3)),
        # arrays of arrays: each element where its '[' is
        (("proposal", "nested", 0), (21, 11)),
        (("proposal", "nested", 1), (21, 19)),
        # an array that continues on the next line
        (("proposal", "periods", 0), (22, 12)),
        (("proposal", "periods", 1), (23, 3)),
        # elements of arrays inside arrays of tables, with comments between them
        (("activity", 0, "years", 1), (27, 16)),
        (("activity", 1, "years", 0), (33, 3)),
        (("activity", 1, "years", 1), (34, 3)),
    ],
)
def test_locator_finds_array_elements(
    locator: TomlLocator, path: tuple[str | int, ...], where: tuple[int, int]
) -> None:
    assert locator.locate(path) == where


def test_locator_skips_what_is_inside_multi_line_strings(locator: TomlLocator) -> None:
    # 'line = not a key' and '[not.a.table]' are text of the notes string (lines 16 to 19)
    assert locator.locate(("proposal", "notes")) == (16, 1)
    assert locator.locate(("proposal", "line")) == (4, 1)  # falls back to [proposal]
    assert locator.locate(("not",)) == (1, 1)
    # the key after the string is found on its own line
    assert locator.locate(("proposal", "after")) == (20, 1)


@pytest.mark.parametrize(
    ("path", "where"),
    [
        (("activity",), (25, 1)),
        (("activity", 0), (25, 1)),
        (("activity", 0, "id"), (26, 1)),
        (("activity", 1), (29, 1)),
        (("activity", 1, "id"), (30, 1)),
        (("activity", 1, "note"), (31, 1)),
        (("rate", 0, "id"), (38, 1)),
        # [[rate.value]] belongs to the last [[rate]], counted per rate
        (("rate", 0, "value", 0), (39, 3)),
        (("rate", 0, "value", 0, "from"), (40, 3)),
        (("rate", 0, "value", 1, "from"), (42, 3)),
        (("rate", 1, "id"), (45, 1)),
        (("rate", 1, "value", 0, "from"), (47, 3)),
        # a sub-table of the last element of a nested array of tables
        (("rate", 1, "value", 0, "extra", "k"), (49, 3)),
    ],
)
def test_locator_counts_arrays_of_tables_and_nested_arrays_of_tables(
    locator: TomlLocator, path: tuple[str | int, ...], where: tuple[int, int]
) -> None:
    assert locator.locate(path) == where


def test_locator_falls_back_to_the_nearest_enclosing_key(locator: TomlLocator) -> None:
    assert locator.locate(("activity", 1, "days")) == (29, 1)
    assert locator.locate(("activity", 0, "years", 7)) == (27, 1)
    assert locator.locate(("rate", 0, "value", 5, "from")) == (39, 3)  # the array's first header
    assert locator.locate(("nowhere", "at", "all")) == (1, 1)
    assert locator.locate(()) == (1, 1)


def test_locator_never_fails_on_text_it_cannot_read() -> None:
    for text in (
        "[[",
        "[a",
        "= 1",
        'x = "unterminated',
        "x = [1, [2",
        '"\\',
        "\x00",
        "[[a]]\n[a.b",
    ):
        line, col = TomlLocator(text).locate(("x", 0))
        assert line >= 1 and col >= 1


# -- end to end: validation errors land where the key is ----------------------------------

PROPOSAL = """\
format = 1

[proposal]
reference    = "T/1"
title        = "Test"
conference   = "PP-26"
submitted_by = ["X"]
responsible  = "GS"
period       = [2027, 2028]

[[activity]]
id    = "ok"
kind  = "travel"
title = "Missions"
trips = 1
days  = 2

[[activity]]
id    = "late"
kind  = "travel"
title = "Missions"
trips = 1
days  = 2
years = [2027,
         2031]
"""


def test_a_year_outside_the_period_is_located_at_the_element() -> None:
    doc, _ = parse_toml(PROPOSAL.encode(), "p.toml")
    assert doc is not None
    proposal, diags = validate_proposal(doc)
    assert proposal is None
    [d] = diags
    assert (d.line, d.col, d.key, d.code) == (25, 10, "activity[1].years[1]", "year-outside-period")
    assert d.render().startswith("p.toml:25:10: activity 'late', years[1]: year 2031 is outside")


def test_a_missing_key_is_located_at_the_table_that_lacks_it() -> None:
    text = PROPOSAL.replace("trips = 1\ndays  = 2\nyears", "days  = 2\nyears")
    doc, _ = parse_toml(text.encode(), "p.toml")
    assert doc is not None
    diags = validate_proposal(doc)[1]
    missing = [d for d in diags if d.code == "missing"]
    assert [(d.key, d.line, d.col) for d in missing] == [("activity[1].trips", 18, 1)]


def test_a_problem_is_its_key_path_placed_in_the_text_only_when_shown() -> None:
    # the same problem from text and from data: one key path, one message; the text places it
    text = PROPOSAL.replace("trips = 1\ndays  = 2\nyears", "days  = 2\nyears")
    from_text = api.estimate_text(text, "p.toml").diagnostics
    from_data = api.estimate_data(tomllib.loads(text), name="p.toml").diagnostics
    missing = [d for d in from_text if d.code == "missing"]
    assert [d.path for d in missing] == [("activity", 1, "trips")]
    assert missing[0].position == (18, 1)  # at the [[activity]] that lacks it
    assert from_data == from_text  # the place is not part of the problem...
    assert [d.position for d in from_data] == [(0, 0)] * len(from_data)  # ...data has none
    assert from_data[0].render().startswith("p.toml: activity 'late', trips: is required")


def test_a_problem_sent_to_another_process_keeps_its_place_but_not_the_text() -> None:
    # a batch worker sends its proposal's warnings and errors back: the text stays behind
    text = PROPOSAL.replace("years = [2027,\n         2031]", "years = [2027, 2031]")
    text += "# " + "a long comment " * 10_000 + "\n"
    [d] = api.estimate_text(text, "p.toml").diagnostics
    sent = pickle.dumps(d)
    assert len(sent) < 1_000 < len(text)
    copy = pickle.loads(sent)
    assert copy == d
    assert copy.render() == d.render() and copy.render().startswith("p.toml:24:")


CARD = """\
format = 1

[card]
id = "c"
title = "Card"
currency = "CHF"
escalation = 0.02
words_per_page = 250

[[rate]]
id = "a"
label = "A"
unit = "day"
  [[rate.value]]
  from = 2026-01-01
  amount = 1
  source = "S"
  basis = "published"

[[rate]]
id = "b"
label = "B"
unit = "day"
  [[rate.value]]
  from = 2026-01-01
  amount = 1
  source = "S"
  basis = "published"
  [[rate.value]]
  from = 2027-01-01
  amount = "2"
  source = "S"
  basis = "published"
"""


def test_an_error_in_a_nested_array_of_tables_is_located_at_its_value() -> None:
    doc, _ = parse_toml(CARD.encode(), "card.toml")
    assert doc is not None
    card, diags = parse_card(doc)
    assert card is None
    [d] = diags
    # the second value of the second rate: amount = "2" on line 31, indented two spaces
    assert (d.key, d.line, d.col) == ("rate[1].value[1].amount", 31, 3)


# -- did you mean --------------------------------------------------------------------------


def test_did_you_mean_names_the_closest_candidate() -> None:
    assert did_you_mean("locaton", ["location", "languages", "days"]) == "did you mean 'location'?"
    assert did_you_mean("fellowship", ["fellowships", "remote"]) == "did you mean 'fellowships'?"


def test_did_you_mean_lists_a_few_candidates_when_none_is_close() -> None:
    assert did_you_mean("zzz", ["b", "a", "a"]) == "expected one of: a, b"


def test_did_you_mean_says_nothing_when_there_are_too_many_to_list() -> None:
    assert did_you_mean("zzz", [f"key{i}" for i in range(13)]) == ""


# -- a diagnostic as text ------------------------------------------------------------------


def test_a_diagnostic_renders_as_file_line_col_key_message_hint() -> None:
    path = ("activity", 2, "days")
    at = TextPosition(3, 7)
    d = Diagnostic("p.toml", path, "type", "must be a number", "no quotes", locator=at)
    assert d.render() == "p.toml:3:7: activity[2].days: must be a number (no quotes)"
    w = Diagnostic("p.toml", (), "x", "odd", severity=Severity.WARNING, locator=TextPosition(1, 1))
    assert w.render() == "p.toml:1:1: warning: odd"
    assert format_path(("rate", 0, "value", 1, "from")) == "rate[0].value[1].from"
    assert d.to_json()["path"] == "activity[2].days"


def test_no_code_or_test_reads_the_shared_reference_folder() -> None:
    # the project carries the facts it needs: nothing may read a folder outside it
    root = Path(__file__).resolve().parent.parent
    outside = ("/work/" + "shared", "../" + "shared")
    for folder in ("estimator", "cost_models", "tests"):
        for source in (root / folder).rglob("*.py"):
            text = source.read_text(encoding="utf-8")
            assert not any(o in text for o in outside), source


# -- what the user wrote, not positions ------------------------------------------------------

NAMED = """\
format = 1
[proposal]
reference = "A/1"
title = "t"
conference = "PP-26"
submitted_by = ["Kenya"]
responsible = "ITU-D"
period = [2027, 2028]
requests = ["r"]

[[activity]]
id = "regional-workshops"
kind = "meeting"
title = "w"
days = -2

[[activity]]
kind = "staff"
title = "s"
grade = "P3"
months = 6
"""


def test_a_problem_names_the_activity_by_the_id_written_not_its_position() -> None:
    doc, _ = parse_toml(NAMED.encode(), "p.toml")
    assert doc is not None
    _, diags = validate_proposal(doc)
    lines = [d.render() for d in diags]
    # the budget officer reads the id they wrote; an activity without one is counted from 1
    assert "p.toml:15:1: activity 'regional-workshops', days: must be more than 0, not -2" in lines
    assert any(line.startswith("p.toml:17:1: activity no. 2, id: is required") for line in lines)
    assert not any("activity[" in line for line in lines)
    # programs keep the key path, to place the problem at a field
    days = next(d for d in diags if d.key == "activity[0].days")
    assert days.to_json()["where"] == "activity 'regional-workshops', days"


def test_a_rate_value_is_named_by_its_rate_and_date() -> None:
    doc, _ = parse_toml(CARD.encode(), "c.toml")  # the 2027 value of rate b is quoted
    assert doc is not None
    _, diags = parse_card(doc)
    assert [d.where for d in diags] == ["rate 'b', value of 2027-01-01, amount"]
