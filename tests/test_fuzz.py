"""Fuzzing: whatever file it is given, finimpact answers with exit 0 or 1, never a crash.

Hypothesis generates random bytes, random TOML, seeds from ``seeds/`` mutated key by key and
byte by byte, rate cards with random figures and formulas, valid proposals built from the spec,
proposals at and past the input limits, every kind of file that is not a regular file (pipes,
folders, devices), hostile file names in a batch, and user templates. Numbers at the edge of
Decimal (``1e9999999999999999999``), Markdown that escapes its format (fences, indents, raw
HTML), terminal escape sequences and look-alike digits are drawn more often than chance. The
command line runs in-process with ``catch_exceptions=False``, so any exception fails the test.
For every valid proposal, the estimate's total is the sum of its lines and of each breakdown,
its Markdown annex parses (CommonMark) with no code, HTML, link or image from the text, its
outputs are the same bytes from an absolute and a relative path, and nothing printed holds an
escape sequence.

Examples: ``FINIMPACT_FUZZ_EXAMPLES`` in all, shared by the tests (default 200, a few
seconds: what CI runs, the same examples each time). A long run, new examples each time:
``FINIMPACT_FUZZ_EXAMPLES=10000 pytest tests/test_fuzz.py`` (at least that many in all). Run on
5 December 2026 (issue 13), each test in its own process, three at a time on a shared 2-core
machine (load 14): 909 examples a test, 9,132 in all (the path-kind test has only 42 cases),
then 1,000 more each of random bytes and random TOML and the 42 again: 11,174 examples across
every generator, 0 failures, about 27 minutes.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import tempfile
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from cost_models import CARDS, DEFAULT_CARD
from cost_models.parameters import BUDGET_UNITS, FUNDING, GRADES, LANGUAGES, TARGET_LANGUAGES
from estimator.cli.app import app
from estimator.core.load import MAX_ACTIVITIES, MAX_ACTIVITY_YEARS, MAX_TEXT

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.toml"))
SEED_TEXTS = [p.read_text("utf-8") for p in SEEDS]
SEED_DATA = [tomllib.loads(t, parse_float=Decimal) for t in SEED_TEXTS]
CARD_TEXT = (CARDS / f"{DEFAULT_CARD}.toml").read_text("utf-8")
CARD_DATA = tomllib.loads(CARD_TEXT, parse_float=Decimal)

EXAMPLES = int(os.environ.get("FINIMPACT_FUZZ_EXAMPLES", "200"))
TESTS = 11
settings.register_profile(
    "finimpact-fuzz",
    max_examples=max(1, -(-EXAMPLES // TESTS)),  # at least EXAMPLES in all
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=EXAMPLES <= 200,  # CI: the same examples each run; a long run explores
)
FUZZ = settings.get_profile("finimpact-fuzz")


# -- a small TOML writer for generated documents ------------------------------------------------


def _string(text: str) -> str:
    # JSON strings are TOML basic strings, once DEL is escaped too
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _key(key: str) -> str:
    return _string(key)


class Raw(str):
    """A TOML value written as it is: a number no Decimal or float holds, a formula."""


def _value(value: Any) -> str:
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value) if value.bit_length() < 10_000 else "1"
    if isinstance(value, Decimal):
        if value.is_nan():
            return "nan"
        if value.is_infinite():
            return "-inf" if value < 0 else "inf"
        return str(value) if "E" in str(value) or "." in str(value) else f"{value}.0"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else repr(value).replace("inf", "inf")
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(type(value))


def dumps(document: dict[str, Any]) -> str:
    """TOML text for a document: scalars first, then [tables], then [[arrays of tables]]."""
    out: list[str] = []
    tables: list[tuple[str, dict[str, Any]]] = []
    arrays: list[tuple[str, list[dict[str, Any]]]] = []
    for k, v in document.items():
        if isinstance(v, dict):
            tables.append((k, v))
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            arrays.append((k, v))
        else:
            out.append(f"{_key(k)} = {_value(v)}")
    for k, table in tables:
        out.append(f"\n[{_key(k)}]")
        out += [f"{_key(kk)} = {_value(vv)}" for kk, vv in table.items()]
    for k, items in arrays:
        for item in items:
            out.append(f"\n[[{_key(k)}]]")
            out += [f"{_key(kk)} = {_value(vv)}" for kk, vv in item.items()]
    return "\n".join(out) + "\n"


# -- strategies ---------------------------------------------------------------------------------

AWKWARD = (
    "\x00\x01\t\n\r\x0b\x1b\x07\x9b\x1f\x7f\x85\u2028\u202e\ufeff\ufffe\uffff\U0010ffff"
    "<>&\"'={}%\\`~#*_|[]!৪٣１"
)
"""Characters that have broken a renderer or a terminal somewhere: drawn more often than chance.
(ESC and BEL start terminal sequences; ৪, ٣ and １ are digits of other scripts.)"""
ESCAPING = (
    "~~~",
    "```",
    "\n    indented",
    "\n\n    code",
    "\n\ttab",
    "<img src=x onerror=alert(1)>",
    "\n# heading",
    "\r# heading",
    "\n---\n",
    "\n===",
    "| a | b |\n|---|---|",
    "[link](http://x)",
    "![i](y)",
    "&amp;",
    "\n1. one",
    "*em*",
    "\x1b]0;title\x07",
    "\x1b[2J",
    "{{ 7*7 }}",
    "{% raw %}",
)
"""Texts that once broke out of their place: Markdown fences, indents, raw HTML, headings, tables
and lists, terminal escape sequences, template tags."""
TEXT = st.one_of(
    st.text(
        st.one_of(st.characters(exclude_categories=("Cs",)), st.sampled_from(AWKWARD)), max_size=40
    ),
    st.lists(st.one_of(st.sampled_from(ESCAPING), st.text(max_size=5)), max_size=5).map("".join),
)
DECIMALS = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True),
    st.decimals(min_value=-10, max_value=10_000, places=2),
    st.sampled_from([Decimal("1e400"), Decimal("-1e-400"), Decimal("1e999999"), Decimal(0)]),
)
# around the limits: a card's 10^15, decimal's 28 and 60 digits, its largest exponent
HUGE = st.sampled_from([15, 16, 27, 28, 29, 59, 60, 61, 400, 999_998, 999_999, 10**9]).map(
    lambda e: Decimal(f"9.99e{e}")
)
EDGE = st.sampled_from(
    [
        "1e9999999999999999999",
        "-1e9999999999999999999",
        "1e-9999999999999999999",
        "1e-999999999",
        "0.00000000001",
        "0.0000000001",
        "1e15",
        "1000000000000001",
        "9.99e15",
        "1_000_000_000_000_000",
        "1e308",
        "1e-308",
        "0001-01-01",
        "9999-12-31",
    ]
).map(Raw)
"""Numbers and dates at the edge of what a file may hold (docs/proposal-format.md, Limits)."""
SCALARS = st.one_of(
    TEXT,
    EDGE,
    st.integers(),
    st.integers(min_value=-5, max_value=3000),
    DECIMALS,
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.sampled_from(
        [
            *LANGUAGES,
            *GRADES,
            *BUDGET_UNITS,
            *FUNDING,
            "meeting",
            "documentation",
            "staff",
            "consultant",
            "travel",
            "services",
            "virtual",
            "away",
            "",
        ]
    ),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=3)),
    max_leaves=8,
)
KEYS = st.one_of(
    TEXT,
    st.sampled_from(
        [
            "format",
            "proposal",
            "activity",
            "id",
            "kind",
            "title",
            "days",
            "count",
            "years",
            "period",
            "languages",
            "words",
            "pages",
            "grade",
            "months",
            "fte",
            "amount",
            "trips",
            "unit",
            "funding",
            "goal",
            "rate_card",
        ]
    ),
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path in a document."""
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _copy(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _copy(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_copy(v) for v in node]
    return node


@st.composite
def mutated(draw: st.DrawFn, documents: list[dict[str, Any]]) -> dict[str, Any]:
    """A document with a few keys deleted, replaced, added or duplicated."""
    doc = _copy(draw(st.sampled_from(documents)))
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(doc)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        last = path[-1]
        action = draw(st.sampled_from(["delete", "replace", "add", "duplicate"]))
        if action == "delete":
            del parent[last]
        elif action == "replace":
            parent[last] = draw(VALUES)
        elif action == "add" and isinstance(parent[last], dict):
            parent[last][draw(KEYS)] = draw(VALUES)
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(_copy(parent[last]))
    return doc


@st.composite
def edited(draw: st.DrawFn) -> bytes:
    """A seed's bytes with a slice deleted, replaced or repeated, as a hurried editor would."""
    raw = bytearray(draw(st.sampled_from(SEED_TEXTS)).encode("utf-8"))
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(raw)))
        j = draw(st.integers(i, min(len(raw), i + 40)))
        action = draw(st.sampled_from(["delete", "insert", "repeat"]))
        if action == "delete":
            del raw[i:j]
        elif action == "insert":
            raw[i:i] = draw(st.one_of(st.binary(max_size=8), TEXT.map(str.encode)))
        else:
            raw[i:i] = raw[i:j]
    return bytes(raw)


PERIOD_START = st.integers(2027, 2030)


@st.composite
def activity(draw: st.DrawFn, index: int, period: tuple[int, int]) -> dict[str, Any]:
    """A valid elemental activity, with quantities anywhere in their allowed ranges."""
    kind = draw(st.sampled_from(["meeting", "documentation", "staff", "consultant", "travel"]))
    a: dict[str, Any] = {"id": f"a{index}", "kind": kind, "title": draw(TEXT.filter(str.strip))}
    amount = st.decimals(min_value=Decimal("0.01"), max_value=366, places=2)
    if kind == "meeting":
        a["count"] = draw(st.integers(1, 1000))
        a["days"] = draw(amount)
        a["languages"] = draw(st.lists(st.sampled_from(LANGUAGES), unique=True))
        a["location"] = draw(st.sampled_from(["geneva", "away", "virtual"]))
        a["remote"] = draw(st.booleans())
        a["fellowships"] = draw(st.integers(0, 10_000))
    elif kind == "documentation":
        if draw(st.booleans()):
            a["words"] = draw(st.integers(1, 100_000_000))
        else:
            a["pages"] = draw(st.decimals(min_value=Decimal("0.5"), max_value=10_000, places=1))
        a["languages"] = draw(st.lists(st.sampled_from(TARGET_LANGUAGES), unique=True))
        a["per"] = "year"  # a document is produced whole: each year (or once, never spread)
    elif kind == "staff":
        a["grade"] = draw(st.sampled_from(GRADES))
        a["months"] = draw(st.decimals(min_value=Decimal("0.1"), max_value=12, places=1))
        a["posts"] = draw(st.integers(1, 1000))
    elif kind == "consultant":
        a["days"] = draw(amount)
        a["count"] = draw(st.integers(1, 1000))
        a["per"] = draw(st.sampled_from(["year", "total"]))
    else:
        a["trips"] = draw(st.integers(1, 10_000))
        a["days"] = draw(st.decimals(min_value=0, max_value=366, places=1))
        a["traveller"] = draw(st.sampled_from(["staff", "expert"]))
    if draw(st.booleans()):
        years = range(period[0], period[1] + 1)
        a["years"] = draw(st.lists(st.sampled_from(years), min_size=1, unique=True))
    a["funding"] = draw(st.sampled_from(FUNDING))
    a["unit"] = draw(st.sampled_from(BUDGET_UNITS))
    return a


@st.composite
def valid_proposal(draw: st.DrawFn) -> dict[str, Any]:
    first = draw(PERIOD_START)
    period = (first, first + draw(st.integers(0, 3)))
    n = draw(st.integers(1, 5))
    return {
        "format": 1,
        "proposal": {
            "reference": draw(TEXT.filter(str.strip)),
            "title": draw(TEXT.filter(str.strip)),
            "conference": "PP-26",
            "submitted_by": draw(st.lists(TEXT.filter(str.strip), min_size=1, max_size=3)),
            "responsible": draw(st.sampled_from(BUDGET_UNITS)),
            "period": list(period),
        },
        "activity": [draw(activity(i, period)) for i in range(n)],
    }


# -- running the tool ---------------------------------------------------------------------------


def _run(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code in (0, 1), (args, result.exit_code, result.output)
    # what reaches a terminal never holds an escape sequence (JSON escapes ESC itself)
    assert not TERMINAL_CONTROL.search(result.stderr), result.stderr
    if "--json" not in args:
        assert not TERMINAL_CONTROL.search(result.stdout), result.stdout
    return result.exit_code, result.stdout


TERMINAL_CONTROL = re.compile("[\x1b\x07\x9b]")
MARKDOWN = MarkdownIt("commonmark").enable("table")
UNSAFE_MARKDOWN = {"fence", "code_block", "html_block", "html_inline", "image", "link_open"}


def _assert_markdown_safe(text: str) -> None:
    """No code block, fence, raw HTML, link or image: the annex makes none, so any is text
    from a proposal, a card or a file name that escaped its place."""
    tokens = MARKDOWN.parse(text)
    kinds = {t.type for t in tokens} | {c.type for t in tokens for c in (t.children or [])}
    assert not kinds & UNSAFE_MARKDOWN, (kinds & UNSAFE_MARKDOWN, text)


def _check_file(
    data: bytes,
    extra: list[str] | None = None,
    command: str = "estimate",
    formats: str = "json,md",
) -> int:
    """Run validate, or estimate --json, on one file: exit 0 or 1, never an exception.

    An estimate that succeeds must add up, and its outputs are rendered too (the JSON and the
    Markdown annex, checked with a CommonMark parser; every format for valid proposals)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "proposal.toml"
        path.write_bytes(data)
        out = str(Path(folder) / "out")
        json_flag = ["--json", "--out", out, "--format", formats] if command == "estimate" else []
        code, out = _run([command, str(path), *json_flag, *(extra or [])])
        if code == 0 and command == "estimate":
            _assert_adds_up(json.loads(out))
            for annex in (Path(folder) / "out").glob("*.annex.md"):
                _assert_markdown_safe(annex.read_text("utf-8"))
        return code


def _assert_adds_up(estimate: dict[str, Any]) -> None:
    total = Decimal(estimate["total"])
    assert sum((Decimal(line["amount"]) for line in estimate["lines"]), Decimal(0)) == total
    for breakdown in ("by_year", "by_unit", "by_element", "by_funding"):
        parts = estimate[breakdown].values()
        assert sum((Decimal(v) for v in parts), Decimal(0)) == total, breakdown


# -- the tests ----------------------------------------------------------------------------------


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_never_crash_the_tool(data: bytes) -> None:
    _check_file(data, command="validate")


@FUZZ
@given(st.dictionaries(KEYS, VALUES, max_size=6))
def test_random_toml_documents_never_crash_the_tool(document: dict[str, Any]) -> None:
    # validate reads a document with a [card] table as a rate card: both readers are fuzzed
    _check_file(dumps(document).encode("utf-8"), command="validate")


@FUZZ
@given(mutated(SEED_DATA))
def test_seeds_with_keys_deleted_replaced_or_added_never_crash_the_tool(
    document: dict[str, Any],
) -> None:
    _check_file(dumps(document).encode("utf-8"))


@FUZZ
@given(edited())
def test_seeds_with_bytes_deleted_inserted_or_repeated_never_crash_the_tool(data: bytes) -> None:
    _check_file(data)


@st.composite
def card_figures(draw: st.DrawFn) -> dict[str, Any]:
    """The default card with random amounts, dates and escalation, then mutated by key."""
    card = _copy(CARD_DATA)
    escalation = st.decimals(min_value=0, max_value=Decimal("0.5"), places=4)
    rarely_broken = draw(st.integers(0, 5)) == 0
    card["card"]["escalation"] = draw(DECIMALS if rarely_broken else escalation)
    # the latest value of a rate is the one in force for the years proposals cover
    values = [r["value"][-1] for r in card["rate"]]
    plausible = st.decimals(min_value=0, max_value=10**6, places=2)
    for value in draw(st.lists(st.sampled_from(values), max_size=4)):
        value["amount"] = draw(st.one_of(plausible, HUGE, DECIMALS, st.integers(), EDGE))
        value.pop("formula", None)  # the amount no longer matches it
        if draw(st.integers(0, 3)) == 0:  # a formula, perhaps with digits of other scripts
            digits = st.text(st.sampled_from("0123456789৪٣１.+-*/() "), min_size=1, max_size=12)
            value["formula"] = draw(digits)
        value["basis"] = "published"
        if draw(st.integers(0, 3)) == 0:
            value["from"] = draw(st.dates(dt.date(1990, 1, 1), dt.date(2035, 12, 31)))
    return draw(mutated([card])) if draw(st.integers(0, 3)) == 0 else card


@FUZZ
@given(card_figures(), st.sampled_from(SEEDS))
def test_rate_cards_with_random_figures_never_crash_the_tool(
    card: dict[str, Any], seed: Path
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        card_path = Path(folder) / "card.toml"
        card_path.write_text(dumps(card), encoding="utf-8")
        _check_file(seed.read_bytes(), ["--rates", str(card_path)])


@FUZZ
@given(valid_proposal())
def test_valid_proposals_estimate_and_their_totals_are_the_sum_of_their_lines(
    document: dict[str, Any],
) -> None:
    every = "json,xlsx,docx,html,md"
    assert _check_file(dumps(document).encode("utf-8"), formats=every) == 0, "a valid proposal"


def _same_bytes_from_any_path(document: dict[str, Any]) -> None:
    """The outputs of one proposal are the same bytes from a relative and an absolute path."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "p.toml").write_text(dumps(document), encoding="utf-8")
        seen = []
        for name, path in (("rel", "p.toml"), ("abs", str(root / "p.toml"))):
            previous = Path.cwd()
            os.chdir(root)
            try:
                _run(["estimate", path, "--out", name, "--format", "json,xlsx,md"])
            finally:
                os.chdir(previous)
            seen.append({p.name: p.read_bytes() for p in (root / name).iterdir()})
        assert seen[0] == seen[1]


@FUZZ
@given(valid_proposal())
def test_valid_proposals_give_the_same_bytes_from_a_relative_or_an_absolute_path(
    document: dict[str, Any],
) -> None:
    _same_bytes_from_any_path(document)


@st.composite
def at_the_limits(draw: st.DrawFn) -> dict[str, Any]:
    """A valid proposal grown to just within or just past a limit: activities, activity-years,
    the period, the length of a text."""
    document = draw(valid_proposal())
    info = document["proposal"]
    limit = draw(st.sampled_from(["activities", "activity-years", "period", "text"]))
    past = draw(st.booleans())
    if limit == "activities":
        n = MAX_ACTIVITIES + 1 if past else draw(st.integers(1, 8))
        first = document["activity"][0]
        document["activity"] = [{**first, "id": f"a{i}", "years": None} for i in range(n)]
        for a in document["activity"]:
            a.pop("years")
    elif limit == "activity-years":
        info["period"] = [2027, 2046]
        n = MAX_ACTIVITY_YEARS // 20 + (1 if past else -draw(st.integers(90, 99)))
        first = {k: v for k, v in document["activity"][0].items() if k != "years"}
        document["activity"] = [{**first, "id": f"a{i}"} for i in range(n)]
    elif limit == "period":
        first = info["period"][0]
        info["period"] = [first, first + (20 if past else draw(st.integers(0, 19)))]
        for a in document["activity"]:
            a.pop("years", None)
    else:
        size = MAX_TEXT + 1 if past else draw(st.integers(MAX_TEXT - 10, MAX_TEXT))
        info["title"] = draw(st.sampled_from(["x", "~", "\t", "<", "é"])) * size
    return document


@FUZZ
@given(at_the_limits())
def test_proposals_at_or_past_a_limit_never_crash_the_tool(document: dict[str, Any]) -> None:
    _check_file(dumps(document).encode("utf-8"), command="validate")


FILE_KINDS = ("pipe", "folder", "device", "missing", "loop", "empty-name-folder")
"""Files that are not regular files: a named pipe (nobody writes to it), a folder, /dev/null,
a path that does not exist, a symbolic link to itself."""


def _odd_path(folder: Path, kind: str) -> Path:
    path = folder / "odd.toml"
    if kind == "pipe":
        os.mkfifo(path)
    elif kind in ("folder", "empty-name-folder"):
        path.mkdir()
    elif kind == "device":
        path = Path(os.devnull)
    elif kind == "loop":
        path.symlink_to(path)
    return path


@FUZZ
@given(
    st.sampled_from(FILE_KINDS),
    st.sampled_from(["validate", "estimate", "rates", "batch", "plan", "init", "template"]),
)
def test_a_path_that_is_not_a_regular_file_never_crashes_or_blocks_the_tool(
    kind: str, where: str
) -> None:
    if not hasattr(os, "mkfifo"):
        return
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        odd = str(_odd_path(root, kind))
        seed, out = str(SEEDS[0]), str(root / "out")
        args = {
            "validate": ["validate", odd],
            "estimate": ["estimate", odd, "--out", out],
            "rates": ["estimate", seed, "--rates", odd, "--out", out],
            "plan": ["estimate", seed, "--plan", odd, "--out", out],
            "batch": ["batch", odd, "--out", out],
            "init": ["init", odd, "--force"],
            "template": ["estimate", seed, "--template", odd + ".md.j2", "--out", out],
        }[where]
        if where == "template" and kind != "missing":
            os.rename(odd, odd + ".md.j2") if kind != "device" else None
        result = CliRunner().invoke(app, args, catch_exceptions=False)
        assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.output)


SAFE_NAME = st.text(
    st.one_of(
        st.characters(exclude_categories=("Cs",), exclude_characters="/\x00"),
        st.sampled_from("`<>*_#~|[]\t\x1b"),
    ),
    min_size=1,
    max_size=30,
).filter(lambda n: n not in (".", "..") and len(n.encode("utf-8")) < 200)


@FUZZ
@given(SAFE_NAME, st.sampled_from(SEED_TEXTS), st.sampled_from(["", "[proposal\n"]))
def test_a_batch_report_shows_any_file_name_as_text(name: str, seed: str, broken: str) -> None:
    """A failed proposal's file name once broke out of its code span into raw HTML."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "in").mkdir()
        (root / "in" / f"{name}.toml").write_text(broken or seed, encoding="utf-8")
        _run(["batch", str(root / "in"), "--out", str(root / "out"), "--format", "json"])
        report = root / "out" / "batch-report.md"
        if report.exists():
            _assert_markdown_safe(report.read_text("utf-8"))


TEMPLATE_PIECES = st.sampled_from(
    [
        "{{ annex.reference }}",
        "{{ annex.title | md }}",
        "{% for a in annex.activities %}{{ a.title | item }}{% endfor %}",
        "{% macro f(x) %}{{ f(x) }}{% endmacro %}{{ f(1) }}",
        "{{ ''.__class__.__mro__ }}",
        "{{ annex.__class__.__init__.__globals__ }}",
        "{{ cycler.__init__.__globals__.os }}",
        "{% include 'mine.md.j2' %}",
        "{{ range(10**9) | list }}",
        "{{ 'a' * 99999 * 99999 }}",
        "{{ (10**10)**(10**10) }}",
        "{{ undefined_name }}",
        "{% if %}",
        "{{ 7*7 }}",
        "{{ annex.nothing }}",
    ]
)


@FUZZ
@given(st.lists(st.one_of(TEMPLATE_PIECES, TEXT), max_size=4).map("".join))
def test_any_user_template_ends_in_its_annex_or_one_line_never_a_crash(source: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        template = root / "mine.md.j2"
        template.write_text(source, encoding="utf-8")
        seed = str(SEEDS[0])
        _run(["estimate", seed, "--template", str(template), "--out", str(root / "out")])
