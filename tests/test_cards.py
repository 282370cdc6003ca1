"""Rate cards: the shipped cards trace every figure to the reference table; broken cards are
refused with a located message; formulas are arithmetic, checked in Decimal."""

from __future__ import annotations

import datetime as dt
import tomllib
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cost_models
from cost_models.money import to_cents
from cost_models.parameters import GRADES
from estimator.cli.summary import summary
from estimator.core.diagnostics import Severity
from estimator.core.pipeline import Outcome, estimate
from estimator.core.ratecard import (
    FormulaError,
    Rate,
    RateCard,
    evaluate,
    formula_numbers,
    load_card,
)

CARDS = sorted(cost_models.CARDS.glob("*.toml"))
BROKEN = Path(__file__).parent / "cards" / "broken"
REFERENCE = cost_models.HERE / "reference-figures.toml"

# The rates the activity kinds ask for (cost_models/kinds/).
NEEDED = (
    "interpretation",
    "conference-services",
    "remote-participation",
    "translation",
    "processing",
    "subsistence",
    "travel.staff",
    "travel.expert",
    "fellowship.travel",
    *(f"staff.{g}" for g in GRADES),
    "consultant.month",
    "consultant.day",
)


def _reference_numbers() -> set[Decimal]:
    data = tomllib.loads(REFERENCE.read_text(encoding="utf-8"), parse_float=Decimal)
    numbers: set[Decimal] = set()
    for row in data["figure"]:
        assert row["source"] and row["basis"], row["id"]
        numbers.update(Decimal(n) for n in row["numbers"].values())
    return numbers


def test_the_arithmetic_the_reference_shows_adds_up_in_this_copy() -> None:
    data = tomllib.loads(REFERENCE.read_text(encoding="utf-8"), parse_float=Decimal)
    checked = 0
    for row in data["figure"]:
        for name, formula in row.get("checks", {}).items():
            stated = Decimal(row["numbers"][name])
            # rounded as the reference rounds it: 92,900 / 8 = 11,612.5 is stated as 11,613
            got = evaluate(formula).quantize(stated, rounding=ROUND_HALF_UP)
            assert got == stated, f"{row['id']}.{name}: {formula} = {got}, stated {stated}"
            checked += 1
    assert checked == 34


def _card(path: Path) -> RateCard:
    card, diags = load_card(path)
    assert card is not None, [d.render() for d in diags]
    assert diags == []
    return card


@pytest.fixture(scope="module")
def shipped() -> list[RateCard]:
    return [_card(p) for p in CARDS]


def test_the_shipped_cards_are_the_two_reference_cards_and_geneva_is_the_default() -> None:
    assert [p.stem for p in CARDS] == ["itu-geneva", "un-new-york"]
    assert cost_models.DEFAULT_CARD == "itu-geneva"
    assert _card(cost_models.CARDS / "itu-geneva.toml").currency == "CHF"
    assert _card(cost_models.CARDS / "un-new-york.toml").currency == "USD"


def test_each_shipped_card_says_it_is_indicative(shipped: list[RateCard]) -> None:
    for card in shipped:
        assert card.info.indicative is True
        assert "indicative" in card.info.title.lower()
        assert card.info.notes is not None and "indicative" in card.info.notes.lower()


@pytest.mark.parametrize(
    ("card_id", "escalation", "forecaster", "forecast"),
    [
        # the SNB's forecast for 2026 and 2027: (0.3% + 0.6%) / 2 = 0.45% a year
        ("itu-geneva", (Decimal("0.3") + Decimal("0.6")) / 2 / 100, "Swiss National Bank", "0.6%"),
        # the FOMC's projection for 2026 and 2027: (2.4% + 2.1%) / 2 = 2.25% a year
        ("un-new-york", (Decimal("2.4") + Decimal("2.1")) / 2 / 100, "FOMC", "2.1%"),
    ],
)
def test_each_shipped_card_escalates_by_the_inflation_forecast_for_its_currency(
    card_id: str, escalation: Decimal, forecaster: str, forecast: str
) -> None:
    card = _card(cost_models.CARDS / f"{card_id}.toml")
    assert card.info.escalation == escalation
    assert card.info.escalation_basis == "derived"
    assert card.info.escalation_source is not None
    assert forecaster in card.info.escalation_source and forecast in card.info.escalation_source


def test_each_shipped_card_has_every_rate_the_cost_models_need(shipped: list[RateCard]) -> None:
    for card in shipped:
        missing = [r for r in NEEDED if r not in card.rates]
        assert missing == [], (card.id, missing)


def test_every_value_in_the_shipped_cards_has_a_source_and_a_basis(
    shipped: list[RateCard],
) -> None:
    for card in shipped:
        for rate in card.rates.values():
            for v in rate.value:
                assert v.source.strip(), (card.id, rate.id, v.from_)
                assert v.basis in ("published", "derived", "assumed"), (card.id, rate.id)
                if v.basis == "derived":
                    assert v.formula, f"{card.id} {rate.id} {v.from_}: derived without a formula"
                if v.basis == "assumed":
                    assert v.assumption, (card.id, rate.id, v.from_)


def test_every_figure_in_a_shipped_card_appears_in_the_reference_table_or_is_derived_from_it(
    shipped: list[RateCard],
) -> None:
    known = _reference_numbers()
    for card in shipped:
        assert Decimal(card.info.words_per_page) in known
        for rate in card.rates.values():
            for v in rate.value:
                where = f"{card.id} {rate.id} from {v.from_}"
                if v.formula is None:
                    # a written figure: it is in the table, or it is zero (an assumed nothing)
                    assert v.amount in known or (v.amount == 0 and v.basis == "assumed"), where
                    continue
                unknown = [n for n in formula_numbers(v.formula) if n not in known]
                assert unknown == [], f"{where}: {unknown} not in reference-figures.toml"
                assert v.amount == to_cents(evaluate(v.formula)), where


def test_every_geneva_value_is_converted_at_the_un_budget_rate_for_2026_and_says_so(
    shipped: list[RateCard],
) -> None:
    geneva = next(c for c in shipped if c.id == "itu-geneva")
    values = [(rate.id, v) for rate in geneva.rates.values() for v in rate.value]
    for rate_id, v in values:
        # every figure of the Geneva card is published in US dollars
        assert v.formula is not None and v.formula.endswith("* 0.8220"), rate_id
        words = f"{v.derivation or ''} {v.assumption or ''}"
        assert "CHF 0.8220 per USD" in words and "A/80/400" in words, rate_id
    assert len(values) == sum(len(r.value) for r in geneva.rates.values()) > 0


def test_the_shipped_cards_price_in_force_values_no_older_than_2016_where_a_newer_exists(
    shipped: list[RateCard],
) -> None:
    # the one older value is the consultant's daily fee (ST/AI/2013/4): no newer public figure
    for card in shipped:
        old = sorted(
            r.id for r in card.rates.values() for v in r.value if v.from_ < dt.date(2016, 1, 1)
        )
        assert old == ["consultant.day"], card.id


def test_every_proxy_value_is_labelled_a_proxy(shipped: list[RateCard]) -> None:
    # a figure standing for another (the US per diem for the UN allowance, ITU's associated
    # services for processing, a workshop's travel support for a fellow's ticket)
    for card in shipped:
        for rate_id in ("subsistence", "processing", "fellowship.travel"):
            value = card.rates[rate_id].value[-1]
            assert value.basis == "assumed", (card.id, rate_id)
            assert value.assumption is not None and "Proxy" in value.assumption, (card.id, rate_id)


def test_the_geneva_card_figures_a_budget_officer_would_check() -> None:
    card = _card(cost_models.CARDS / "itu-geneva.toml")

    def amount(rate_id: str, year: int) -> Decimal:
        priced = card.price(rate_id, year)
        assert priced is not None
        return priced.value.amount

    # USD 184,000 / 20 meetings / 6 languages = 1,533.333.. × 0.8220 = 1,260.40
    assert amount("interpretation", 2027) == Decimal("1260.40")
    # 2,880 × 60 / 100 / 5 = 345.60 × 0.8220 = 284.0832 -> 284.08
    assert amount("translation", 2027) == Decimal("284.08")
    # 2,880 × 40 / 100 / 6 = 192 × 0.8220 = 157.824 -> 157.82: an untranslated page costs
    assert amount("processing", 2027) == Decimal("157.82")
    # 648 × (394 / 487 + 394 / 473) / 2 = 532.013.. × 0.8220 = 437.31
    assert amount("subsistence", 2027) == Decimal("437.31")
    # a P-3 post-year: USD 203,200 × 0.8220 = 167,030.40
    assert amount("post.P3", 2027) == Decimal("167030.40")
    # a month of P-3 temporary assistance: 48,600 / 3 = 16,200 × 0.8220 = 13,316.40; twelve of
    # them, 159,796.80, cost less than the post-year
    assert amount("staff.P3", 2027) == Decimal("13316.40")
    assert 12 * amount("staff.P3", 2027) < amount("post.P3", 2027)
    # General Service is not flat: G-1 = 160,800 × 75,300 / 89,150 × 0.8220 = 111,643.00,
    # G-7 = 160,800 × 109,300 / 89,150 × 0.8220 = 162,052.85
    assert amount("post.G1", 2027) == Decimal("111643.00")
    assert amount("post.G7", 2027) == Decimal("162052.85")
    posts = [amount(f"post.G{n}", 2027) for n in range(1, 8)]
    assert posts == sorted(posts) and posts[0] < posts[-1]
    # escalation 0.45% a year: the 2026 post-year priced for 2028 is × 1.0045²
    priced = card.price("post.P3", 2028)
    assert priced is not None and priced.factor == Decimal("1.0045") ** 2
    # 167,030.40 × 1.00902025 = 168,537.0559..
    assert to_cents(priced.escalated) == Decimal("168537.06")


def test_the_new_york_card_figures_a_budget_officer_would_check() -> None:
    card = _card(cost_models.CARDS / "un-new-york.toml")
    # 79,500 / 10 meetings / 6 languages = 1,325
    assert card.rates["interpretation"].value[-1].amount == Decimal("1325")
    # 8,300 / 10 meetings = 830
    assert card.rates["conference-services"].value[-1].amount == Decimal("830")
    # the GSA per diem for New York City, the middle of USD 271-434: 352.50
    assert card.rates["subsistence"].value[-1].amount == Decimal("352.50")
    # a P-3 post-year in New York: 230,300 - 16,200 operational = 214,100
    assert card.rates["post.P3"].value[-1].amount == Decimal("214100.00")
    # 92,900 / 8 months = 11,612.50
    assert card.rates["consultant.month"].value[-1].amount == Decimal("11612.50")


# -- the formula evaluator ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("formula", "value"),
    [
        ("184000 / 20 / 6 * 0.8653", "1326.79"),
        ("2 + 3 * 4", "14"),  # * before +
        ("(2 + 3) * 4", "20"),
        ("10 - 4 - 3", "3"),  # left to right
        ("-5 + 2", "-3"),
        ("692300 / 12 - 15025 - 16100 - 16100 * 16100 / 15025", "9314.75"),
    ],
)
def test_a_formula_is_computed_in_decimal_with_the_usual_precedence(
    formula: str, value: str
) -> None:
    assert to_cents(evaluate(formula)) == Decimal(value)


@pytest.mark.parametrize(
    ("formula", "words"),
    [
        ('__import__("os")', "'_' is not allowed"),
        ("2 ** 3", "'*' where a number was expected"),
        ("1e3", "'e' is not allowed"),
        ("1,000 / 2", "',' is not allowed"),
        ("1 / 0", "divides by zero"),
        ("(1 + 2", "a bracket is not closed"),
        ("3 +", "ends too early"),
        ("3 4", "unexpected '4'"),
        ("", "is empty"),
    ],
)
def test_a_formula_that_is_not_plain_arithmetic_is_refused_with_the_reason(
    formula: str, words: str
) -> None:
    with pytest.raises(FormulaError, match=words.replace("*", r"\*").replace("(", r"\(")):
        evaluate(formula)


def test_formula_numbers_lists_every_number_in_order() -> None:
    assert formula_numbers("(692300 / 12 - 15025) * 0.8653") == (
        Decimal("692300"),
        Decimal("12"),
        Decimal("15025"),
        Decimal("0.8653"),
    )


# -- broken cards: one file per failure mode ------------------------------------------------

BROKEN_CASES = {
    # file: (line, col, key path, words the message must contain)
    "duplicate-date": (21, 3, "rate[0].value[1].from", "two values are in force from 2008-01-01"),
    "unsorted-dates": (21, 3, "rate[0].value[1].from", "not in date order"),
    "missing-source": (15, 3, "rate[0].value[0].source", "is required"),
    "non-numeric-amount": (17, 3, "rate[0].value[0].amount", "must be a number"),
    "unknown-key": (19, 3, "rate[0].value[0].sorce", "unknown key 'sorce'"),
    "formula-mismatch": (
        17,
        3,
        "rate[0].value[0].amount",
        "amount 1533.00 does not match its formula 184000 / 20 / 6 = 1533.33",
    ),
    "formula-not-arithmetic": (18, 3, "rate[0].value[0].formula", "'_' is not allowed"),
    "derived-without-arithmetic": (15, 3, "rate[0].value[0]", "needs a formula or a derivation"),
    "assumed-without-assumption": (15, 3, "rate[0].value[0]", "needs an assumption"),
    "escalation-without-source": (4, 1, "card", "say in escalation_source where"),
}


def test_every_broken_card_file_has_its_expected_message() -> None:
    assert sorted(p.stem for p in BROKEN.glob("*.toml")) == sorted(BROKEN_CASES)


@pytest.mark.parametrize("name", sorted(BROKEN_CASES))
def test_a_broken_card_is_refused_with_a_located_message(name: str) -> None:
    line, col, key, words = BROKEN_CASES[name]
    card, diags = load_card(BROKEN / f"{name}.toml")
    assert card is None
    assert len(diags) == 1, [d.render() for d in diags]
    d = diags[0]
    assert (d.line, d.col, d.key) == (line, col, key)
    assert words in d.message


def test_a_user_card_may_state_a_derived_value_with_a_derivation_in_words(tmp_path: Path) -> None:
    path = tmp_path / "own.toml"
    path.write_text(
        "format = 1\n[card]\nid = 'own'\ntitle = 'Own'\ncurrency = 'EUR'\nescalation = 0.02\n"
        "words_per_page = 300\n[[rate]]\nid = 'interpretation'\nlabel = 'Interpretation'\n"
        "unit = 'meeting-language'\n[[rate.value]]\nfrom = 2026-01-01\namount = 1200\n"
        "source = 'Internal costing 2026'\nbasis = 'derived'\n"
        "derivation = 'Annual interpretation budget / meetings / languages'\n",
        encoding="utf-8",
    )
    card = _card(path)
    # 2 years after the value, 2% a year: 1,200 × 1.02² = 1,248.48
    priced = card.price("interpretation", 2028)
    assert priced is not None and priced.escalated == Decimal("1248.4800")


# -- the law of dated values ----------------------------------------------------------------


@given(
    st.lists(st.dates(dt.date(2000, 1, 1), dt.date(2040, 12, 31)), min_size=1, unique=True),
    st.dates(dt.date(1999, 1, 1), dt.date(2041, 12, 31)),
)
def test_a_rate_lookup_returns_the_latest_value_in_force_on_the_date(
    dates: list[dt.date], on: dt.date
) -> None:
    dates = sorted(dates)
    rate = Rate.model_validate(
        {
            "id": "r",
            "label": "r",
            "unit": "day",
            "value": [
                {"from": d, "amount": i, "source": "s", "basis": "published"}
                for i, d in enumerate(dates)
            ],
        }
    )
    found = rate.in_force(on)
    earlier = [d for d in dates if d <= on]
    if not earlier:
        assert found is None
    else:
        assert found is not None and found.from_ == max(earlier)


# -- provenance in the estimate -------------------------------------------------------------

PROVENANCE = """\
format = 1

[proposal]
reference    = "TEST/PROVENANCE"
title        = "One meeting and one contract, priced with the Geneva card"
conference   = "PP-26"
submitted_by = ["Member State"]
responsible  = "GS"
period       = [2027, 2027]

[[activity]]
id          = "meeting"
kind        = "meeting"
title       = "One-day meeting in Geneva"
days        = 1
languages   = ["en", "fr"]
fellowships = 1

[[activity]]
id            = "portal"
kind          = "services"
title         = "Portal"
amount        = 1000
justification = "Contract, one-off"
"""


@pytest.fixture(scope="module")
def provenance(tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    path = tmp_path_factory.mktemp("provenance") / "proposal.toml"
    path.write_text(PROVENANCE, encoding="utf-8")
    return estimate(path)


def test_the_estimate_says_how_much_of_its_total_rests_on_each_basis(provenance: Outcome) -> None:
    est = provenance.estimate
    assert est is not None and est.card.id == "itu-geneva"
    # 1 event × 1 day × 2 meetings = 2 meetings, in 2027, escalated at 0.45% a year
    # derived: interpretation 4 meeting-languages × 1,260.40 × 1.0045^4 (2023) = 5,132.96
    #          + conference services 2 × 287.70 × 1.0045^4                    =   585.83
    #                                                                           -> 5,718.79
    # assumed: fellow's ticket 1 × 1,726.20 × 1.0045^11 (2016)                 = 1,813.60
    #          + subsistence 1 fellow × (1 day + 1) × 437.31 × 1.0045 (2026)   =   878.56
    #                                                                           -> 2,692.16
    # stated: the portal, CHF 1,000                                            -> 1,000.00
    assert est.by_basis() == {
        "assumed": Decimal("2692.16"),
        "derived": Decimal("5718.79"),
        "stated": Decimal("1000.00"),
    }
    # 5,718.79 + 2,692.16 + 1,000.00 = 9,410.95
    assert est.total == Decimal("9410.95")
    data = est.to_json()
    assert data["by_basis"]["derived"] == "5718.79"
    # the JSON shows the arithmetic of every rate value the lines use
    assert data["rates"]["interpretation"]["values"][-1]["formula"] == "184000 / 20 / 6 * 0.8220"
    assert data["rates"]["fellowship.travel"]["values"][-1]["basis"] == "assumed"
    text = summary(est)
    # shares: 2,692.16 / 9,410.95 = 28.6%; 5,718.79 / 9,410.95 = 60.8%; 1,000 -> 10.6%
    assert "assumed (a stated assumption)" in text
    for figure, share in (("2,692.16", "28.6%"), ("5,718.79", "60.8%"), ("1,000.00", "10.6%")):
        row = next(line for line in text.splitlines() if f"{figure}  " in line and "%" in line)
        assert row.endswith(share), row


def test_the_default_card_escalates_its_values_so_none_is_warned_as_old(
    provenance: Outcome,
) -> None:
    est = provenance.estimate
    assert est is not None
    # the fellow's ticket of 2016 prices 2027, 11 years later, escalated: not stale
    assert [w for w in est.warnings if w.code == "rate-value-old"] == []


def _unescalated_default_card(tmp_path: Path) -> Path:
    text = (cost_models.CARDS / "itu-geneva.toml").read_text(encoding="utf-8")
    path = tmp_path / "flat.toml"
    path.write_text(text.replace("escalation = 0.0045", "escalation = 0", 1), encoding="utf-8")
    return path


def test_an_unescalated_value_more_than_five_years_old_is_warned_at_its_line_on_the_card(
    tmp_path: Path,
) -> None:
    """What to change is the card's value: the warning is there, and names the activity it
    prices (by id, with its line in the proposal)."""
    path = tmp_path / "proposal.toml"
    # the portal first: the old value (the fellow's ticket) is the meeting's
    meeting, portal = PROVENANCE.split("[[activity]]")[1:]
    path.write_text(
        PROVENANCE.split("[[activity]]")[0] + "[[activity]]" + portal + "\n[[activity]]" + meeting,
        encoding="utf-8",
    )
    card = _unescalated_default_card(tmp_path)
    est = estimate(path, card).estimate
    assert est is not None
    [w] = [w for w in est.warnings if w.code == "rate-value-old"]
    assert w.severity is Severity.WARNING
    assert (w.file, w.where) == (str(card), "rate 'fellowship.travel', value of 2016-01-01")
    card_lines = card.read_text(encoding="utf-8").splitlines()
    assert card_lines[w.line] == "  from = 2016-01-01"  # the line after its [[rate.value]]
    assert "prices 2027 unescalated, 11 years later" in w.message
    meeting_line = path.read_text(encoding="utf-8").splitlines().index('id          = "meeting"')
    assert f"by 'meeting' (line {meeting_line})" in w.message


def _many_meetings(n: int) -> str:
    head = PROVENANCE.split("[[activity]]")[0]
    one = 'kind = "meeting"\ntitle = "Meeting"\ndays = 1\nlanguages = ["en"]\nfellowships = 1\n'
    return head + "".join(f'\n[[activity]]\nid = "m{i}"\n{one}' for i in range(n))


def test_an_old_value_used_by_a_hundred_activities_is_one_short_warning(tmp_path: Path) -> None:
    """One warning per old value, whatever the number of activities it prices: it names the
    first three and counts the others, instead of listing a hundred ids."""
    path = tmp_path / "proposal.toml"
    path.write_text(_many_meetings(100), encoding="utf-8")
    first = path.read_text(encoding="utf-8").splitlines().index("[[activity]]") + 1
    est = estimate(path, _unescalated_default_card(tmp_path)).estimate
    assert est is not None
    old = [w for w in est.warnings if w.code == "rate-value-old"]
    assert [w.where for w in old] == ["rate 'fellowship.travel', value of 2016-01-01"]
    assert f"by 'm0' (line {first}), 'm1', 'm2' and 97 more)" in old[0].message
    assert "'m3'" not in old[0].message


# -- posts and temporary assistance ---------------------------------------------------------

POSTS_CARD = """\
format = 1
[card]
id = "posts"
title = "Posts and temporary assistance"
currency = "CHF"
escalation = 0
words_per_page = 300

[[rate]]
id = "staff.P3"
label = "P-3, one work-month of temporary assistance"
unit = "work-month"
  [[rate.value]]
  from = 2026-01-01
  amount = 15000
  source = "Test figure"
  basis = "published"

[[rate]]
id = "post.P3"
label = "P-3, one post-year"
unit = "post-year"
  [[rate.value]]
  from = 2026-01-01
  amount = 200000
  source = "Test figure"
  basis = "published"
"""

POSTS = """\
format = 1
[proposal]
reference    = "TEST/POSTS"
title        = "A post and temporary assistance"
conference   = "C26"
submitted_by = ["Test"]
responsible  = "GS"
period       = [2027, 2027]

[[activity]]
id    = "post"
kind  = "staff"
title = "Two half-time programme officers"
grade = "P3"
fte   = 0.5
posts = 2

[[activity]]
id     = "temporary"
kind   = "staff"
title  = "Temporary assistance"
grade  = "P3"
months = 3
"""


def test_staff_in_fte_is_a_post_priced_per_post_year_and_months_are_temporary_assistance(
    tmp_path: Path,
) -> None:
    card = tmp_path / "card.toml"
    card.write_text(POSTS_CARD, encoding="utf-8")
    path = tmp_path / "proposal.toml"
    path.write_text(POSTS, encoding="utf-8")
    est = estimate(path, card).estimate
    assert est is not None
    lines = {line.activity: line for line in est.lines}
    # 2 posts × 0.5 FTE = 1 post-year × 200,000 = 200,000
    assert (lines["post"].rate_id, lines["post"].quantity) == ("post.P3", Decimal(1))
    assert lines["post"].amount == Decimal("200000.00")
    # 3 work-months × 15,000 = 45,000: a month of temporary assistance, not a twelfth of a post
    assert (lines["temporary"].rate_id, lines["temporary"].amount) == (
        "staff.P3",
        Decimal("45000.00"),
    )


def test_a_card_without_post_years_prices_posts_per_work_month(tmp_path: Path) -> None:
    card = tmp_path / "card.toml"
    card.write_text(POSTS_CARD.split('[[rate]]\nid = "post.P3"')[0], encoding="utf-8")
    path = tmp_path / "proposal.toml"
    path.write_text(POSTS, encoding="utf-8")
    est = estimate(path, card).estimate
    assert est is not None
    post = next(line for line in est.lines if line.activity == "post")
    # 2 posts × 0.5 FTE × 12 = 12 work-months × 15,000 = 180,000
    assert (post.rate_id, post.quantity, post.amount) == (
        "staff.P3",
        Decimal(12),
        Decimal("180000.00"),
    )


def test_every_problem_of_a_card_is_told_in_one_run(tmp_path: Path) -> None:
    """An unknown key in one rate does not hide a wrong amount in another."""
    text = (cost_models.CARDS / "itu-geneva.toml").read_text(encoding="utf-8")
    # interpretation: a misspelt key; conference services: 7,000 / 20 × 0.8220 = 287.70, not 288
    text = text.replace('label = "Interpretation,', 'lable = "Interpretation,', 1)
    text = text.replace("amount = 287.70", "amount = 288", 1)
    path = tmp_path / "card.toml"
    path.write_text(text, encoding="utf-8")
    card, diags = load_card(path)
    assert card is None
    codes = {(d.code, d.key) for d in diags}
    assert ("extra_forbidden", "rate[0].lable") in codes
    assert ("formula-mismatch", "rate[1].value[0].amount") in codes
