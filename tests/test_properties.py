"""Laws the pricing obeys, checked on generated proposals (hypothesis).

- Reordering the activities of a proposal never changes a total.
- Splitting one activity into two (count = a + b) never changes a total: exactly so when every
  line amount is a whole number of cents before rounding, and within one cent per line
  otherwise (see the tests for why).
- The rate in force on a date is the latest value dated on or before it.
- ``RateCard.price`` escalates the value in force on 1 January by (1 + e)^(Y - year of value).
"""

from __future__ import annotations

import datetime as dt
from decimal import Context, Decimal, localcontext
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from estimator.core.assess import assess
from estimator.core.diagnostics import has_errors
from estimator.core.estimate import Estimate
from estimator.core.load import parse_toml
from estimator.core.pipeline import estimate as pipeline_estimate
from estimator.core.price import price
from estimator.core.ratecard import Rate, RateCard, parse_card
from estimator.core.validate import validate_proposal

FIRST, LAST = 2027, 2029
RATES = {
    # rate id: amount in whole cents, so that an integer quantity gives whole cents
    "interpretation": "1533.33",
    "conference-services": "350.10",
    "remote-participation": "185.05",
    "fellowship.travel": "3176.00",
    "subsistence": "461.71",
    "translation": "576.00",
    "processing": "80.15",
    "staff.P3": "15025.00",
    "staff.G5": "9123.45",
    "consultant.month": "11612.50",
    "consultant.day": "750.00",
    "travel.staff": "3176.99",
    "travel.expert": "2999.01",
}


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    raise TypeError(value)


def card(escalation: str, value_from: str) -> RateCard:
    text = [
        "format = 1",
        "[card]",
        'id = "properties"',
        'title = "Property tests"',
        'currency = "CHF"',
        f"escalation = {escalation}",
        "words_per_page = 250",
    ]
    for rid, amount in RATES.items():
        text += [
            "[[rate]]",
            f'id = "{rid}"',
            'label = "x"',
            'unit = "x"',
            "[[rate.value]]",
            f"from = {value_from}",
            f"amount = {amount}",
            'source = "Property test: figure in whole cents"',
            'basis = "published"',
        ]
    doc, diags = parse_toml("\n".join(text).encode(), "card.toml")
    assert doc is not None, diags
    parsed, diags = parse_card(doc)
    assert parsed is not None, [d.render() for d in diags]
    return parsed


# Without escalation and with values from the first year, every factor is exactly 1.
FLAT = card("0", f"{FIRST}-01-01")
# With 2.5% a year from a value of 2024, factors like 1.025^3 = 1.076890625 leave fractions of
# a cent, which each line rounds.
ESCALATED = card("0.025", "2024-07-01")


def estimate(activities: list[dict[str, Any]], rate_card: RateCard) -> Estimate:
    text = [
        "format = 1",
        "[proposal]",
        'reference = "PROP/1"',
        'title = "Generated"',
        'conference = "PP-26"',
        'submitted_by = ["Testland"]',
        'responsible = "GS"',
        f"period = [{FIRST}, {LAST}]",
    ]
    for a in activities:
        text.append("[[activity]]")
        text += [f"{k} = {_toml(v)}" for k, v in a.items()]
    doc, diags = parse_toml("\n".join(text).encode(), "proposal.toml")
    assert doc is not None, diags
    proposal, diags = validate_proposal(doc)
    assert proposal is not None, [d.render() for d in diags]
    lines, diags = price(proposal, rate_card, doc)
    assert not diags, [d.render() for d in diags]
    return Estimate(proposal, rate_card.info, rate_card.sha256, tuple(lines), assess(lines, "CHF"))


def totals(e: Estimate) -> dict[str, Any]:
    """Every total an estimate reports, except by activity (which names the activities)."""
    return {
        "total": e.total,
        "by_year": e.by_year(),
        "by_unit": e.by_unit(),
        "by_element": e.by_element(),
        "by_funding": e.by_funding(),
        "by_goal": e.by_goal(),
        "by_basis": e.by_basis(),
        "external": e.external_human_resources,
    }


# -- generated activities ------------------------------------------------------------------

common = st.fixed_dictionaries(
    {},
    optional={
        "unit": st.sampled_from(["GS", "ITU-R", "ITU-T", "ITU-D"]),
        "years": st.lists(st.integers(FIRST, LAST), min_size=1, max_size=3, unique=True),
        "funding": st.sampled_from(["additional", "existing", "extrabudgetary"]),
        "goal": st.sampled_from(["1", "2"]),
    },
)
languages = st.lists(st.sampled_from(["ar", "zh", "en", "fr", "ru", "es"]), unique=True)
targets = st.lists(st.sampled_from(["ar", "zh", "fr", "ru", "es"]), unique=True)
whole = st.integers(1, 40)


def kind(name: str, **fields: Any) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({"kind": st.just(name), **fields})


# `n` is the quantity that the split test divides in two: a count of events, posts, trips...
SPLITTABLE = {
    "meeting": "count",
    "documentation": "words",
    "staff": "posts",
    "consultant": "count",
    "travel": "trips",
    "services": "amount",
}
elemental = st.one_of(
    kind(
        "meeting",
        count=whole,
        days=st.integers(1, 10),
        meetings_per_day=st.integers(1, 3),
        languages=languages,
        location=st.sampled_from(["geneva", "away", "virtual"]),
        remote=st.booleans(),
        fellowships=st.integers(0, 20),
    ),
    # whole thousands of words: words / 1000 is then a whole number
    kind(
        "documentation",
        words=st.integers(1, 50).map(lambda k: k * 1000),
        languages=targets,
        per=st.just("year"),
    ),
    kind("staff", grade=st.sampled_from(["P3", "G5"]), months=st.integers(1, 12), posts=whole),
    kind("consultant", count=whole, days=st.integers(1, 200), per=st.just("year")),
    kind("consultant", count=whole, months=st.integers(1, 12), per=st.just("year")),
    kind(
        "travel",
        trips=whole,
        days=st.integers(0, 15),
        traveller=st.sampled_from(["staff", "expert"]),
    ),
    kind(
        "services",
        amount=st.integers(1, 10_000_000).map(lambda c: Decimal(c) / 100),
        justification=st.just("Contractual services"),
        external=st.booleans(),
        per=st.just("year"),
    ),
)


@st.composite
def activity(draw: st.DrawFn) -> dict[str, Any]:
    spec = draw(elemental)
    return {"title": f"A {spec['kind']}", **spec, **draw(common)}


@st.composite
def activities(draw: st.DrawFn, min_size: int = 1) -> list[dict[str, Any]]:
    found = draw(st.lists(activity(), min_size=min_size, max_size=6))
    return [{"id": f"a{i}", **a} for i, a in enumerate(found)]


# -- reordering ----------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(data=st.data(), acts=activities(min_size=2))
def test_reordering_activities_never_changes_a_total(data: st.DataObject, acts: list[Any]) -> None:
    shuffled = data.draw(st.permutations(acts))
    for rate_card in (FLAT, ESCALATED):
        before, after = estimate(acts, rate_card), estimate(shuffled, rate_card)
        assert totals(after) == totals(before)
        assert after.by_activity() == before.by_activity()
        assert sorted(ln.amount for ln in after.lines) == sorted(ln.amount for ln in before.lines)


# -- splitting -----------------------------------------------------------------------------


def _split(
    acts: list[dict[str, Any]], which: int, part: Decimal
) -> tuple[list[dict[str, Any]], int]:
    """Replace activity `which` by two that share its splittable quantity: part and the rest."""
    a = acts[which]
    key = SPLITTABLE[a["kind"]]
    first = {**a, "id": "split-1", key: part}
    second = {**a, "id": "split-2", key: a[key] - part}
    if isinstance(a[key], int):
        first[key], second[key] = int(part), int(a[key] - part)
    return [*acts[:which], first, second, *acts[which + 1 :]], which


@st.composite
def split_case(draw: st.DrawFn) -> tuple[list[Any], list[Any], int]:
    acts = draw(activities())
    which = draw(st.integers(0, len(acts) - 1))
    a = acts[which]
    key = SPLITTABLE[a["kind"]]
    whole_value = a[key]
    if a["kind"] == "documentation":
        # split in whole thousands of words, so each half is still a whole number of thousands
        thousands = whole_value // 1000
        if thousands < 2:
            acts[which] = {**a, key: 2000}
            thousands = 2
        part = Decimal(draw(st.integers(1, thousands - 1)) * 1000)
    elif a["kind"] == "services":
        cents = int(whole_value * 100)
        if cents < 2:
            acts[which] = {**a, key: Decimal("0.02")}
            cents = 2
        part = Decimal(draw(st.integers(1, cents - 1))) / 100
    else:
        if whole_value < 2:
            acts[which] = {**a, key: 2}
            whole_value = 2
        part = Decimal(draw(st.integers(1, whole_value - 1)))
    split, _ = _split(acts, which, part)
    return acts, split, which


@settings(max_examples=80, deadline=None)
@given(case=split_case())
def test_splitting_an_activity_in_two_never_changes_a_total(case: Any) -> None:
    # Exact by construction: on the FLAT card every escalation factor is 1 and every rate is a
    # whole number of cents, and every quantity is a whole number (events, posts, trips, days,
    # thousands of words) or a services amount in cents. So every line amount, quantity × rate,
    # is already a whole number of cents: rounding to the cent changes nothing, and the
    # amounts of the two halves add up exactly to the amount of the whole.
    acts, split, _ = case
    assert totals(estimate(split, FLAT)) == totals(estimate(acts, FLAT))


@settings(max_examples=80, deadline=None)
@given(case=split_case())
def test_splitting_an_activity_changes_a_total_by_at_most_a_cent_a_line(case: Any) -> None:
    # With escalation, quantity × rate × factor has fractions of a cent, and each line is
    # rounded on its own. For one line of the whole (amount x) and its two halves (y and z,
    # y + z = x), each rounding errs by at most half a cent, so
    # |round(y) + round(z) - round(x)| <= 1.5 cents; being a whole number of cents, it is at
    # most 1 cent. The bound on a total is therefore one cent for each line of the whole.
    acts, split, which = case
    whole_estimate = estimate(acts, ESCALATED)
    split_estimate = estimate(split, ESCALATED)
    lines_of_whole = sum(1 for ln in whole_estimate.lines if ln.activity == acts[which]["id"])
    bound = Decimal("0.01") * lines_of_whole
    assert abs(split_estimate.total - whole_estimate.total) <= bound
    for year, amount in whole_estimate.by_year().items():
        assert abs(split_estimate.by_year()[year] - amount) <= bound
    # the lines of the other activities are untouched
    others = [ln.amount for ln in whole_estimate.lines if ln.activity != acts[which]["id"]]
    kept = [ln.amount for ln in split_estimate.lines if not ln.activity.startswith("split-")]
    assert sorted(kept) == sorted(others)


# -- rates in force and escalation ---------------------------------------------------------

dates = st.dates(dt.date(2015, 1, 1), dt.date(2035, 12, 31))
amounts = st.integers(0, 10_000_000).map(lambda c: Decimal(c) / 100)


def _rate(values: list[tuple[dt.date, Decimal]]) -> Rate:
    return Rate.model_validate(
        {
            "id": "r",
            "label": "r",
            "unit": "x",
            "value": [
                {"from": d, "amount": a, "source": f"source of {d}", "basis": "published"}
                for d, a in values
            ],
        }
    )


dated_values = st.lists(st.tuples(dates, amounts), min_size=1, max_size=6, unique_by=lambda v: v[0])


@given(values=dated_values, on=dates)
def test_the_rate_in_force_is_the_latest_value_on_or_before_the_date(
    values: list[tuple[dt.date, Decimal]], on: dt.date
) -> None:
    values = sorted(values)
    found = _rate(values).in_force(on)
    earlier = [v for v in values if v[0] <= on]
    if not earlier:
        assert found is None
    else:
        assert found is not None
        assert (found.from_, found.amount) == earlier[-1]
        assert all(not (found.from_ < d <= on) for d, _ in values)


@given(
    values=dated_values,
    year=st.integers(2015, 2036),
    escalation=st.integers(0, 100).map(lambda p: Decimal(p) / 1000),
)
def test_price_escalates_by_one_plus_e_to_the_years_since_the_value(
    values: list[tuple[dt.date, Decimal]], year: int, escalation: Decimal
) -> None:
    values = sorted(values)
    base = card(str(escalation), "2015-01-01")
    rate = _rate(values)
    rate_card = RateCard(base.info, {"r": rate}, base.file, base.sha256, base.document)
    priced = rate_card.price("r", year)
    in_force = [v for v in values if v[0] <= dt.date(year, 1, 1)]
    if not in_force:
        assert priced is None
        return
    assert priced is not None
    value_from, amount = in_force[-1]
    years = year - value_from.year
    assert years >= 0
    assert priced.value.amount == amount
    # the factor is computed to 60 significant digits (money.power): exact for short spans,
    # and otherwise within 1e-55 of the exact value, far below a cent on any amount
    with localcontext(Context(prec=200)):  # exact: at most 21 factors of 4 significant digits
        factor = (1 + escalation) ** years
        assert abs(priced.factor - factor) <= factor * Decimal("1e-55")
        assert abs(priced.escalated - amount * factor) <= amount * factor * Decimal("1e-55")
        if years <= 10:  # 10 factors of at most 4 digits: at most 40 digits, held exactly
            assert priced.factor == factor
    assert rate_card.price("no-such-rate", year) is None


# -- bad input never raises ----------------------------------------------------------------

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
ELEMENTAL_SEEDS = sorted(
    p for p in SEEDS.glob("*.toml") if "template" not in p.read_text(encoding="utf-8")
)
BAD_VALUES = (
    "nan", "inf", "-inf", "1e400", "-1", "0", "1.5", '"2"', '""', "[]", "[2031, 2027]",
    '["en", "en"]', "{}", "true", "2027-01-01", "99999999999999999999",
)  # fmt: skip


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mutated") / "proposal.toml"


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_a_bad_value_anywhere_gives_diagnostics_never_an_exception(
    data: st.DataObject, scratch: Path
) -> None:
    seed = data.draw(st.sampled_from(ELEMENTAL_SEEDS))
    lines = seed.read_text(encoding="utf-8").splitlines()
    keys = [i for i, ln in enumerate(lines) if "=" in ln and not ln.lstrip().startswith("#")]
    changed = data.draw(st.lists(st.sampled_from(keys), min_size=1, max_size=3, unique=True))
    for i in changed:
        key = lines[i].split("=")[0]
        lines[i] = f"{key}= {data.draw(st.sampled_from(BAD_VALUES))}"
    scratch.write_text("\n".join(lines) + "\n", encoding="utf-8")
    outcome = pipeline_estimate(scratch)  # must not raise
    if outcome.estimate is None:
        assert has_errors(outcome.diagnostics)
        assert all(d.line >= 1 and d.col >= 1 for d in outcome.diagnostics)
    else:
        assert outcome.estimate.total == sum(ln.amount for ln in outcome.estimate.lines)
