"""The Article 34 verdict of one proposal against a financial plan, and reading plans.

The test card (tests/article34/card.toml) prices a P3 work-month at CHF 10,000, without
escalation; the test plan (tests/article34/plan.toml) leaves CHF 100,000 per year and budget
unit for new decisions in 2028-2029, except ITU-T in 2029: CHF 50,000.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from estimator.cli.app import app
from estimator.core.estimate import Assessment
from estimator.core.pipeline import estimate, resolve_card
from estimator.core.plan import PLANS, load_plan, resolve_plan
from estimator.render.wording import article34_statement, join_words, years_text

DATA = Path(__file__).resolve().parent / "article34"
CARD = DATA / "card.toml"
PLAN = DATA / "plan.toml"


def proposal(period: str = "[2028, 2029]", activities: str = "") -> str:
    return f"""format = 1
[proposal]
reference = "T/1"
title = "Test proposal"
conference = "PP-26"
submitted_by = ["Testland"]
responsible = "ITU-T"
period = {period}
{activities}
"""


def staff(months: int, funding: str = "additional", ident: str = "officer", unit: str = "") -> str:
    unit_line = f'unit = "{unit}"' if unit else ""
    return f"""
[[activity]]
id = "{ident}"
kind = "staff"
title = "Programme officer"
grade = "P3"
months = {months}
funding = "{funding}"
{unit_line}
"""


def services(amount: int, funding: str, ident: str = "portal", years: str = "[2028]") -> str:
    return f"""
[[activity]]
id = "{ident}"
kind = "services"
title = "Portal"
amount = {amount}
per = "year"
years = {years}
justification = "Contractual services"
funding = "{funding}"
"""


def assess_text(tmp_path: Path, text: str, plan: Path | None = PLAN) -> Assessment:
    path = tmp_path / "proposal.toml"
    path.write_text(text, encoding="utf-8")
    outcome = estimate(path, CARD, plan_path=plan)
    assert outcome.estimate is not None, [d.render() for d in outcome.diagnostics]
    return outcome.estimate.article34


PLAN_NAME = "the financial plan 2028–2029 (Test plan 2028-2029)"
NO_489_SENTENCES = (
    "Under No. 489 of the Convention, no decision of a conference that would increase "
    "expenses, directly or indirectly, beyond the credits the Council is empowered to "
    "authorize is put into effect (authentic French text: « Il n'est donné suite à aucune "
    "décision d'une conférence ayant pour conséquence une augmentation directe ou indirecte "
    "des dépenses au-delà des crédits que le Conseil est habilité à autoriser. »)."
)
CAVEAT = (
    "The activities funded from voluntary contributions can be carried out only to the extent "
    "that those contributions are received."
)


def test_no_activities_means_no_financial_implications(tmp_path: Path) -> None:
    a = assess_text(tmp_path, proposal())
    assert a.verdict == "none"
    assert a.to_json()["total"] == "0.00"
    assert (
        article34_statement(a)
        == "The proposal has no financial implications: it requires no credits."
    )


def test_existing_funding_only_is_absorbed(tmp_path: Path) -> None:
    # 6 work-months × CHF 10,000 × 2 years (2028, 2029) = CHF 120,000, all existing
    a = assess_text(tmp_path, proposal(activities=staff(6, "existing")))
    assert a.verdict == "absorbed"
    assert a.to_json()["existing"] == "120000.00"
    assert article34_statement(a) == (
        "The costs of the proposal, CHF\u00a0120,000.00, would be met within existing budgetary "
        "provisions; no additional credits would be required."
    )


def test_voluntary_funding_only_is_extrabudgetary(tmp_path: Path) -> None:
    # services of CHF 40,000 in 2028, stated, from voluntary contributions
    a = assess_text(tmp_path, proposal(activities=services(40000, "extrabudgetary")))
    assert a.verdict == "extrabudgetary"
    assert a.to_json()["extrabudgetary"] == "40000.00"
    assert article34_statement(a) == (
        "The costs of the proposal, CHF\u00a040,000.00, would be met from voluntary contributions; "
        f"no additional credits would be required. {CAVEAT}"
    )


def test_existing_and_voluntary_without_additional_is_extrabudgetary(tmp_path: Path) -> None:
    # existing: 6 × 10,000 × 2 years = 120,000; voluntary: 40,000 in 2028; additional: nil;
    # together 160,000
    text = proposal(activities=staff(6, "existing") + services(40000, "extrabudgetary"))
    a = assess_text(tmp_path, text)
    assert a.verdict == "extrabudgetary"
    assert article34_statement(a) == (
        "The costs of the proposal, CHF\u00a0160,000.00, would be met within existing budgetary "
        "provisions (CHF\u00a0120,000.00) and from voluntary contributions (CHF\u00a040,000.00); "
        f"no additional credits would be required. {CAVEAT}"
    )


def test_additional_within_headroom_of_every_year_and_unit(tmp_path: Path) -> None:
    # ITU-T: 3 × 10,000 = 30,000 a year; headroom 100,000 (2028) and 50,000 (2029)
    a = assess_text(tmp_path, proposal(activities=staff(3)))
    assert a.verdict == "within"
    assert a.to_json()["additional"] == "60000.00"
    cells = {(c["year"], c["unit"]): c for c in a.to_json()["against_plan"]}
    assert cells[(2028, "ITU-T")]["remaining"] == "70000.00"  # 100,000 - 30,000
    assert cells[(2029, "ITU-T")]["remaining"] == "20000.00"  # 50,000 - 30,000
    assert a.to_json()["exceeded"] == []
    # two years are named, not given as a range
    assert article34_statement(a) == (
        "Should the conference adopt the proposal, additional credits of CHF\u00a060,000.00 would "
        "be required in 2028 and 2029. Taken alone, they would remain within the credits available "
        f"for new decisions in every year and budget unit of {PLAN_NAME}."
    )


def test_additional_credits_in_one_year_are_required_in_that_year(tmp_path: Path) -> None:
    # 2028 only: 3 × 10,000 = 30,000
    a = assess_text(tmp_path, proposal("[2028, 2028]", staff(3)))
    assert a.verdict == "within"
    assert article34_statement(a).startswith(
        "Should the conference adopt the proposal, additional credits of CHF\u00a030,000.00 would "
        "be required in 2028. Taken alone,"
    )


def test_years_apart_are_named_one_by_one(tmp_path: Path) -> None:
    # services of CHF 20,000 in 2028 and in 2030 (not 2029): 40,000, not "over 2028-2030"
    text = proposal("[2028, 2030]", services(20000, "additional", years="[2028, 2030]"))
    a = assess_text(tmp_path, text)
    assert article34_statement(a).startswith(
        "Should the conference adopt the proposal, additional credits of CHF\u00a040,000.00 would "
        "be required in 2028 and 2030."
    )


def test_additional_beyond_headroom_names_year_unit_excess_and_quotes_489(
    tmp_path: Path,
) -> None:
    # ITU-T: 6 × 10,000 = 60,000 a year, 120,000 in all; 2029 headroom 50,000: excess 10,000;
    # 2028 fits. The statement gives the total, then only the one cell that exceeds.
    a = assess_text(tmp_path, proposal(activities=staff(6)))
    assert a.verdict == "exceeds"
    assert a.to_json()["exceeded"] == [
        {
            "year": 2029,
            "unit": "ITU-T",
            "additional": "60000.00",
            "headroom": "50000.00",
            "remaining": "-10000.00",
            "excess": "10000.00",
        }
    ]
    assert a.to_json()["provision"]["number"] == 489
    assert article34_statement(a) == (
        "Should the conference adopt the proposal, additional credits of CHF\u00a0120,000.00 would "
        "be required in 2028 and 2029. Taken alone, they would exceed the credits available for "
        f"new decisions in {PLAN_NAME} by CHF\u00a010,000.00 for ITU-T in 2029 (CHF\u00a060,000.00 "
        "required against CHF\u00a050,000.00 available), and would remain within them in every "
        f"other year and budget unit of that plan. {NO_489_SENTENCES} The excess would therefore "
        "have to be met by savings, voluntary contributions or a revision of the financial plan "
        "before the decision could be put into effect."
    )


def test_excess_in_several_cells_is_given_per_unit_and_in_all(tmp_path: Path) -> None:
    # GS: 11 × 10,000 = 110,000 a year against 100,000 in 2028 and 2029: 10,000 a year over,
    # said once for both years; ITU-T: 6 × 10,000 = 60,000 against 50,000 in 2029 only:
    # 10,000 over. Total additional 2 × (110,000 + 60,000) = 340,000; excess 30,000 in all.
    text = proposal(activities=staff(6) + staff(11, ident="registry", unit="GS"))
    a = assess_text(tmp_path, text)
    assert a.verdict == "exceeds"
    assert [(c["year"], c["unit"]) for c in a.to_json()["exceeded"]] == [
        (2028, "GS"),
        (2029, "GS"),
        (2029, "ITU-T"),
    ]
    assert article34_statement(a) == (
        "Should the conference adopt the proposal, additional credits of CHF\u00a0340,000.00 would "
        "be required in 2028 and 2029. Taken alone, they would exceed the credits available for "
        f"new decisions in {PLAN_NAME} by CHF\u00a010,000.00 a year for GS in 2028 and 2029 "
        "(CHF\u00a0110,000.00 required against CHF\u00a0100,000.00 available in each of those "
        "years) and by CHF\u00a010,000.00 for ITU-T in 2029 (CHF\u00a060,000.00 required against "
        "CHF\u00a050,000.00 available), and would remain within them in every other year and "
        f"budget unit of that plan. {NO_489_SENTENCES} The excess, CHF\u00a030,000.00 in all, "
        "would therefore have to be met by savings, voluntary contributions or a revision of the "
        "financial plan before the decision could be put into effect."
    )


def test_extra_existing_costs_do_not_count_against_headroom(tmp_path: Path) -> None:
    # additional ITU-T 3 × 10,000 = 30,000 a year (within); existing GS 6 × 10,000 = 60,000 a
    # year, which would exceed the 50,000 of ITU-T in 2029 if it were counted: it is not
    text = proposal(activities=staff(3) + staff(6, "existing", ident="registry", unit="GS"))
    a = assess_text(tmp_path, text)
    assert a.verdict == "within"
    assert article34_statement(a).endswith(
        f"every year and budget unit of {PLAN_NAME}. In addition, CHF\u00a0120,000.00 would be met "
        "within existing budgetary provisions."
    )


def test_mixed_funding_gives_each_source_with_a_verb_and_the_caveat(tmp_path: Path) -> None:
    # 2028-2030 (2030 outside the plan): additional ITU-T 3 × 10,000 × 3 = 90,000 (within);
    # existing GS 2 × 10,000 × 3 = 60,000; voluntary services 25,000 in 2028. The example of
    # docs/article-34.md.
    text = proposal(
        "[2028, 2030]",
        staff(3)
        + staff(2, "existing", ident="registry", unit="GS")
        + services(25000, "extrabudgetary"),
    )
    a = assess_text(tmp_path, text)
    assert a.verdict == "within"
    assert article34_statement(a) == (
        "Should the conference adopt the proposal, additional credits of CHF\u00a090,000.00 would "
        "be required over the period 2028–2030. Taken alone, they would remain within the credits "
        f"available for new decisions in every year and budget unit of {PLAN_NAME}. Of the "
        "additional credits, CHF\u00a030,000.00 in 2030 falls outside the period of the plan "
        "(2028–2029) and has not been assessed against it; it should be assessed against the "
        "financial plan in force for that year. In addition, CHF\u00a060,000.00 would be met "
        "within existing budgetary provisions and CHF\u00a025,000.00 from voluntary contributions. "
        f"{CAVEAT}"
    )


def test_voluntary_costs_beside_an_excess_keep_the_caveat(tmp_path: Path) -> None:
    # as the exceeds test above, with voluntary services of 40,000 in 2028
    a = assess_text(tmp_path, proposal(activities=staff(6) + services(40000, "extrabudgetary")))
    assert a.verdict == "exceeds"
    assert article34_statement(a).endswith(
        "before the decision could be put into effect. In addition, CHF\u00a040,000.00 would be "
        f"met from voluntary contributions. {CAVEAT}"
    )


def test_years_beyond_the_plan_are_reported_outside_it(tmp_path: Path) -> None:
    # 2028-2030, 3 × 10,000 = 30,000 a year; the plan covers 2028-2029: 2030 is outside
    a = assess_text(tmp_path, proposal("[2028, 2030]", staff(3)))
    assert a.verdict == "within"
    assert a.to_json()["outside_plan"] == [
        {"year": 2030, "unit": "ITU-T", "additional": "30000.00"}
    ]
    assert article34_statement(a) == (
        "Should the conference adopt the proposal, additional credits of CHF\u00a090,000.00 would "
        "be required over the period 2028–2030. Taken alone, they would remain within the credits "
        f"available for new decisions in every year and budget unit of {PLAN_NAME}. Of the "
        "additional credits, CHF\u00a030,000.00 in 2030 falls outside the period of the plan "
        "(2028–2029) and has not been assessed against it; it should be assessed against the "
        "financial plan in force for that year."
    )


def test_several_years_beyond_the_plan_are_listed(tmp_path: Path) -> None:
    # 2028-2032, 3 × 10,000 = 30,000 a year, 150,000 in all; 2030, 2031 and 2032 are outside
    a = assess_text(tmp_path, proposal("[2028, 2032]", staff(3)))
    assert a.verdict == "within"
    assert article34_statement(a).endswith(
        "Of the additional credits, CHF\u00a030,000.00 in 2030, CHF\u00a030,000.00 in 2031 and "
        "CHF\u00a030,000.00 in 2032 fall outside the period of the plan (2028–2029) and have not "
        "been assessed against it; they should be assessed against the financial plan in force for "
        "each of those years."
    )
    said = article34_statement(a)
    assert "CHF\u00a0150,000.00 would be required over the period 2028–2032." in said


def test_all_years_beyond_the_plan_cannot_be_called_within(tmp_path: Path) -> None:
    # 2031 only: 3 × 10,000 = 30,000, entirely outside 2028-2029
    a = assess_text(tmp_path, proposal("[2031, 2031]", staff(3)))
    assert a.verdict == "additional"
    assert a.to_json()["outside_plan"][0]["additional"] == "30000.00"
    assert article34_statement(a) == (
        "Should the conference adopt the proposal, additional credits of CHF\u00a030,000.00 would "
        f"be required in 2031. They fall outside the period of {PLAN_NAME} and have not been "
        "assessed against it; they should be assessed against the financial plan in force for that "
        "year."
    )
    # two years: 60,000
    a = assess_text(tmp_path, proposal("[2031, 2032]", staff(3)))
    assert article34_statement(a).endswith(
        "required in 2031 and 2032. They fall outside the period of "
        f"{PLAN_NAME} and have not been assessed against it; they should be assessed against the "
        "financial plan in force for each of those years."
    )


@pytest.mark.parametrize("plan", [None, Path("none")], ids=["no --plan", "--plan none"])
def test_without_a_named_plan_additional_credits_are_not_assessed(
    tmp_path: Path, plan: Path | None
) -> None:
    # the default card is in CHF like the shipped example plan: that plan still does not apply
    path = tmp_path / "proposal.toml"
    path.write_text(proposal(activities=staff(3)), encoding="utf-8")
    outcome = estimate(path, plan_path=plan)
    assert outcome.estimate is not None, [d.render() for d in outcome.diagnostics]
    a = outcome.estimate.article34
    assert a.verdict == "additional"
    assert a.to_json()["plan"] is None
    assert (
        "They have not been assessed against a financial plan: none was named"
        in article34_statement(a)
    )
    assert "No. 489" not in article34_statement(a)


def test_without_a_plan_the_statement_gives_the_additional_credits(tmp_path: Path) -> None:
    a = assess_text(tmp_path, proposal(activities=staff(3)), plan=None)
    # 3 × 10,000 × 2 years = 60,000
    assert article34_statement(a) == (
        "Should the conference adopt the proposal, additional credits of CHF\u00a060,000.00 would "
        "be required in 2028 and 2029. They have not been assessed against a financial plan: "
        "none was named for this estimate."
    )


@pytest.mark.parametrize(
    ("parts", "text"),
    [([], ""), (["A"], "A"), (["A", "B"], "A and B"), (["A", "B", "C"], "A, B and C")],
)
def test_lists_are_joined_as_a_sentence_gives_them(parts: list[str], text: str) -> None:
    assert join_words(parts) == text


@pytest.mark.parametrize(
    ("years", "text"),
    [
        ([2028], "in 2028"),
        ([2028, 2029], "in 2028 and 2029"),
        ([2028, 2029, 2030], "over the period 2028–2030"),
        ([2028, 2030], "in 2028 and 2030"),
        ([2028, 2029, 2031], "in 2028, 2029 and 2031"),
    ],
)
def test_years_are_said_as_one_a_list_or_a_period(years: list[int], text: str) -> None:
    assert years_text(years) == text


def test_example_plan_applies_when_named_and_is_never_called_itus(tmp_path: Path) -> None:
    # the shipped example plan covers 2028-2031 in CHF; 3 × 10,000 a year is within it
    a = assess_text(tmp_path, proposal(activities=staff(3)), plan=Path("example-itu"))
    assert a.verdict == "within"
    assert a.to_json()["plan"]["example"] is True
    assert "Example financial plan 2028–2031" in article34_statement(a)
    assert "not ITU figures" in article34_statement(a)
    assert "EXAMPLE TO REPLACE" not in article34_statement(a)


def test_plan_in_another_currency_than_the_card_is_a_located_error(tmp_path: Path) -> None:
    usd = tmp_path / "plan.toml"
    usd.write_text(PLAN.read_text(encoding="utf-8").replace('"CHF"', '"USD"'), encoding="utf-8")
    path = tmp_path / "proposal.toml"
    path.write_text(proposal(activities=staff(3)), encoding="utf-8")
    outcome = estimate(path, CARD, plan_path=usd)
    assert outcome.estimate is None
    [d] = [d for d in outcome.diagnostics if d.code == "plan-currency"]
    assert (d.line, d.key) == (8, "plan.currency")
    assert f"the financial plan 'test-plan' ({usd}) is in USD but the rate card" in d.message
    assert d.message.endswith("is in CHF: the Article 34 assessment needs one currency")


def test_a_proposal_whose_rate_card_is_in_another_currency_than_the_plan_is_told_there(
    tmp_path: Path,
) -> None:
    """The proposal chose the card: the mismatch is located at its rate_card, not at the plan."""
    path = tmp_path / "proposal.toml"
    text = proposal(activities=staff(3)).replace(
        "[proposal]\n", '[proposal]\nrate_card = "un-new-york"\n', 1
    )
    path.write_text(text, encoding="utf-8")
    outcome = estimate(path, plan_path=PLAN)
    assert outcome.estimate is None
    [d] = [d for d in outcome.diagnostics if d.code == "plan-currency"]
    assert (d.file, d.key) == (str(path), "proposal.rate_card")
    assert d.line == text.splitlines().index('rate_card = "un-new-york"') + 1
    assert "is in CHF but the rate card 'un-new-york'" in d.message


@pytest.mark.parametrize(
    ("edit", "code", "words"),
    [
        (
            ('unit = "ITU-D"\namount = 100000', 'unit = "ITU-D"\namount = 100000\nnote2 = 1'),
            "extra_forbidden",
            "unknown key 'note2'",
        ),
        (
            (
                '[[headroom]]\nyear = 2029\nunit = "ITU-D"',
                '[[headroom]]\nyear = 2029\nunit = "ITU-T"',
            ),
            "duplicate-headroom",
            "ITU-T in 2029 already has a headroom",
        ),
        (
            ('[[headroom]]\nyear = 2029\nunit = "GS"', '[[headroom]]\nyear = 2030\nunit = "GS"'),
            "year-outside-period",
            "year 2030 is outside the plan's period 2028–2029",
        ),
        (
            ('basis = "published"', 'basis = "assumed"'),
            "value_error",
            "an assumed figure needs an assumption",
        ),
    ],
)
def test_broken_plans_are_reported_with_their_location(
    tmp_path: Path, edit: tuple[str, str], code: str, words: str
) -> None:
    text = PLAN.read_text(encoding="utf-8")
    assert edit[0] in text
    broken = tmp_path / "plan.toml"
    broken.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    plan, diags = load_plan(broken)
    assert plan is None
    found = [d for d in diags if d.code == code]
    assert found, [d.render() for d in diags]
    assert words in found[0].message
    assert found[0].line > 1


def test_a_plan_must_give_every_unit_every_year(tmp_path: Path) -> None:
    text = PLAN.read_text(encoding="utf-8")
    cut = text.index('[[headroom]]\nyear = 2029\nunit = "ITU-D"')
    broken = tmp_path / "plan.toml"
    broken.write_text(text[:cut], encoding="utf-8")
    plan, diags = load_plan(broken)
    assert plan is None
    assert [d.message for d in diags] == ["no headroom for ITU-D in 2029"]


def test_shipped_plans_validate_and_every_figure_has_a_source() -> None:
    paths = sorted(PLANS.glob("*.toml"))
    assert paths
    for path in paths:
        plan, diags = load_plan(path)
        assert plan is not None, [d.render() for d in diags]
        assert all(h.source and h.basis for h in plan.headroom.values())
        # the headroom for new decisions is not public: a shipped plan must say it is an example
        assert plan.info.example
        assert "Example" in plan.info.title and "not ITU figures" in plan.info.title


def test_example_plan_figures_follow_their_derivation() -> None:
    card, _ = resolve_card(None, None)  # the default card, in CHF
    assert card is not None
    plan, _ = resolve_plan(Path("example-itu"), card)
    assert plan is not None
    # 0.5% of the 2019 budget CHF 164,740,000 = 823,700; shared by 4 units = 205,925
    assert plan.available(2028, "ITU-R") == Decimal("164740000") * Decimal("0.005") / 4
    assert plan.available(2031, "GS") == Decimal("205925")


def test_estimate_command_takes_a_plan(tmp_path: Path) -> None:
    path = tmp_path / "proposal.toml"
    path.write_text(proposal(activities=staff(6)), encoding="utf-8")
    result = CliRunner().invoke(
        app, ["estimate", str(path), "--rates", str(CARD), "--plan", str(PLAN), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert '"verdict": "exceeds"' in result.stdout
