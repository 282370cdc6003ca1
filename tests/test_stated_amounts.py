"""An amount the proposal states says whether it is a year's, the whole activity's or once in a
named year, and in which currency: a delegate's figure is never silently multiplied by the
years of the activity, nor relabelled in another currency."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from estimator import api
from estimator.cli.app import app
from estimator.core.diagnostics import Severity
from estimator.render.annex import render_markdown
from estimator.render.options import RenderOptions
from estimator.render.view import build_view

TESTS = Path(__file__).resolve().parent
EUR_CARD = TESTS / "cases" / "currency-eur" / "card.toml"

PLATFORM = 50000


def proposal(services: str, *, period: str = "[2027, 2030]", currency: str = "") -> str:
    return f"""format = 1

[proposal]
reference    = "TEST/12"
title        = "A learning platform"
conference   = "WTDC-29"
submitted_by = ["Kenya"]
responsible  = "ITU-D"
period       = {period}
{currency}

[[activity]]
id            = "platform"
kind          = "services"
title         = "Learning platform: design and build"
amount        = {PLATFORM}
justification = "Contract for the design and build of the platform"
{services}
"""


def _estimate(text: str, rates: Path | None = None) -> api.Outcome:
    return api.estimate_text(text, rates=rates)


def _by_year(outcome: api.Outcome) -> dict[int, Decimal]:
    assert outcome.estimate is not None, [d.render() for d in outcome.diagnostics]
    years: dict[int, Decimal] = {}
    for line in outcome.estimate.lines:
        years[line.year] = years.get(line.year, Decimal(0)) + line.amount
    return years


def _errors(outcome: api.Outcome) -> list[str]:
    return [d.render() for d in outcome.diagnostics if d.severity is Severity.ERROR]


def test_a_one_off_platform_costs_its_amount_once_in_the_year_named() -> None:
    outcome = _estimate(proposal("once = 2028"))
    assert _by_year(outcome) == {2028: Decimal(PLATFORM)}
    assert outcome.estimate is not None
    view = build_view(outcome.estimate)
    (stated,) = view.stated
    assert stated.amount == "CHF\u00a050,000.00 once, in 2028"
    (activity,) = view.activities
    assert "CHF\u00a050,000.00 once, in 2028, as stated" in activity.description


def test_an_amount_a_year_costs_it_in_every_year_of_the_activity() -> None:
    outcome = _estimate(proposal('per = "year"'))
    assert _by_year(outcome) == dict.fromkeys(range(2027, 2031), Decimal(PLATFORM))
    assert outcome.estimate is not None
    (stated,) = build_view(outcome.estimate).stated
    assert stated.amount == "CHF\u00a050,000.00 a year, 2027–2030"


def test_an_amount_in_total_is_spread_over_the_years_and_adds_up_to_it_to_the_cent() -> None:
    outcome = _estimate(proposal('per = "total"', period="[2027, 2029]"))
    years = _by_year(outcome)
    assert sum(years.values()) == Decimal(PLATFORM)
    assert sorted(years) == [2027, 2028, 2029]
    assert max(years.values()) - min(years.values()) <= Decimal("0.01")
    assert outcome.estimate is not None
    (stated,) = build_view(outcome.estimate).stated
    assert stated.amount == "CHF\u00a050,000.00 in total over 2027–2029"


@settings(max_examples=40, deadline=None)
@given(cents=st.integers(1, 10**11), first=st.integers(2027, 2040), n=st.integers(1, 20))
def test_the_parts_of_a_total_add_up_to_it_and_differ_by_at_most_a_cent(
    cents: int, first: int, n: int
) -> None:
    amount = Decimal(cents) / 100
    text = proposal('per = "total"', period=f"[{first}, {first + n - 1}]").replace(
        f"amount        = {PLATFORM}", f"amount        = {amount}"
    )
    years = _by_year(_estimate(text))
    assert sorted(years) == list(range(first, first + n))
    assert sum(years.values()) == amount
    assert max(years.values()) - min(years.values()) <= Decimal("0.01")


def test_an_amount_of_a_several_year_activity_that_says_neither_is_an_error_at_its_line(
    tmp_path: Path,
) -> None:
    text = proposal("")
    outcome = _estimate(text)
    (error,) = _errors(outcome)
    line = text.splitlines().index(f"amount        = {PLATFORM}") + 1
    assert f"proposal.toml:{line}:" in error
    assert "4 years (2027–2030)" in error
    assert 'per = "year"' in error and 'per = "total"' in error and "once = 2027" in error
    # nothing is written
    path = tmp_path / "p.toml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["estimate", str(path), "--out", str(out)])
    assert result.exit_code != 0
    assert not out.exists() or not any(out.iterdir())


def test_a_format_1_amount_of_a_single_year_needs_no_new_key() -> None:
    outcome = _estimate(proposal("years = [2029]"))
    assert _by_year(outcome) == {2029: Decimal(PLATFORM)}


def test_once_outside_the_period_is_an_error() -> None:
    (error,) = _errors(_estimate(proposal("once = 2035")))
    assert "once = 2035 is outside the period 2027–2030" in error


def test_once_and_per_together_are_an_error() -> None:
    (error,) = _errors(_estimate(proposal('once = 2028\nper = "year"')))
    assert "keep one of them" in error


def test_a_chf_amount_under_a_eur_card_is_an_error_at_its_line_naming_both() -> None:
    text = proposal("once = 2028", currency='currency = "CHF"')
    (error,) = _errors(_estimate(text, rates=EUR_CARD))
    line = text.splitlines().index(f"amount        = {PLATFORM}") + 1
    assert f"proposal.toml:{line}:" in error
    assert "CHF" in error and "EUR" in error


def test_an_amount_in_the_cards_currency_is_taken_as_stated() -> None:
    outcome = _estimate(proposal("once = 2028", currency='currency = "EUR"'), rates=EUR_CARD)
    assert _by_year(outcome) == {2028: Decimal(PLATFORM)}
    assert outcome.estimate is not None
    view = build_view(outcome.estimate)
    assert not any("does not name the currency" in a for g in view.notes for a in g.entries)


def test_where_the_currency_is_undeclared_the_annex_says_which_was_taken() -> None:
    outcome = _estimate(proposal("once = 2028"), rates=EUR_CARD)
    assert outcome.estimate is not None
    view = build_view(outcome.estimate)
    assert any(
        "taken in EUR, the currency of the rate card" in a for g in view.notes for a in g.entries
    )


def test_a_templates_amount_is_a_years_amount() -> None:
    text = """format = 1

[proposal]
reference    = "TEST/12b"
title        = "A database"
conference   = "PP-26"
submitted_by = ["Kenya"]
responsible  = "GS"
period       = [2027, 2029]

[[activity]]
id             = "db"
kind           = "it.database"
title          = "Database of national AI strategies"
hosting_amount = 9000
"""
    outcome = _estimate(text)
    assert outcome.estimate is not None, [d.render() for d in outcome.diagnostics]
    hosting = [line for line in outcome.estimate.lines if line.basis == "stated"]
    assert [(line.year, line.amount) for line in hosting] == [
        (year, Decimal(9000)) for year in (2027, 2028, 2029)
    ]


CONSULTANT = """format = 1

[proposal]
reference    = "TEST/12c"
title        = "National assessments"
conference   = "WTDC-29"
submitted_by = ["Kenya"]
responsible  = "ITU-D"
period       = [2027, 2029]

[[activity]]
id     = "expert"
kind   = "consultant"
title  = "Expert for the national assessments"
months = 6
{timing}
"""


def test_consultant_months_of_several_years_that_say_neither_are_an_error_at_their_line() -> None:
    text = CONSULTANT.format(timing="")
    (error,) = _errors(_estimate(text))
    line = text.splitlines().index("months = 6") + 1
    assert f"proposal.toml:{line}:" in error
    assert "months = 6" in error and "3 years (2027–2029)" in error


def test_six_consultant_months_in_total_over_three_years_are_two_a_year() -> None:
    outcome = _estimate(CONSULTANT.format(timing='per = "total"'))
    assert outcome.estimate is not None, [d.render() for d in outcome.diagnostics]
    months = {line.year: line.quantity for line in outcome.estimate.lines}
    assert months == dict.fromkeys((2027, 2028, 2029), Decimal(2))
    a_year = _estimate(CONSULTANT.format(timing='per = "year"')).estimate
    assert a_year is not None
    # read as a year's, the same figure costs three times as much (each line rounded to the
    # cent on its own: at most a cent apart a line)
    assert abs(a_year.total - 3 * outcome.estimate.total) <= Decimal("0.03")
    (activity,) = build_view(outcome.estimate).activities
    assert "6 months each, in total over 2027–2029" in activity.description


REPORT = """format = 1

[proposal]
reference    = "TEST/12d"
title        = "A report on implementation"
conference   = "PP-26"
submitted_by = ["Kenya"]
responsible  = "ITU-D"
period       = [2027, 2030]

[[activity]]
id    = "report"
kind  = "documentation"
title = "Report on implementation"
pages = 40
{timing}
"""


def _report(timing: str) -> api.Outcome:
    return _estimate(REPORT.format(timing=timing))


def test_a_40_page_report_translated_once_in_a_four_year_activity_is_costed_once() -> None:
    once = _report("once = 2030")
    assert set(_by_year(once)) == {2030}
    assert once.estimate is not None
    words = 40 * once.estimate.card.words_per_page
    translation = [line for line in once.estimate.lines if line.rate_id == "translation"]
    # one translation, into the five other official languages, in 2030 only
    assert [(line.year, line.quantity) for line in translation] == [
        (2030, Decimal(words) / 1000 * 5)
    ]
    # it costs what the same report costs in 2030 when it is produced every year
    every_year = _by_year(_report('per = "year"'))
    assert sorted(every_year) == [2027, 2028, 2029, 2030]
    assert _by_year(once) == {2030: every_year[2030]}


def test_the_annex_says_a_report_produced_once_is_produced_once_in_2030() -> None:
    once = _report("once = 2030").estimate
    assert once is not None
    (activity,) = build_view(once).activities
    assert "document of 40 pages, once, in 2030, translated" in activity.description
    annex = render_markdown(once, RenderOptions()).decode("utf-8")
    assert "40 pages, once, in 2030" in annex
    assert "40 pages a year" not in annex


def test_the_annex_says_a_report_produced_every_year_is_produced_each_year() -> None:
    every_year = _report('per = "year"').estimate
    assert every_year is not None
    (activity,) = build_view(every_year).activities
    assert "document of 40 pages a year, 2027–2030, translated" in activity.description


def test_a_report_of_several_years_that_says_neither_is_an_error_at_its_pages_giving_each_reading(
    tmp_path: Path,
) -> None:
    text = REPORT.format(timing="")
    (error,) = _errors(_estimate(text))
    line = text.splitlines().index("pages = 40") + 1
    assert f"proposal.toml:{line}:" in error
    assert "4 years (2027–2030)" in error
    # each reading with its quantity: 40 pages in each year (160 in all), or 40 pages once
    assert 'per = "year" (40 in each year, 160 in all)' in error
    assert "once = 2027 (40 pages, once, in that year)" in error
    # a document is produced whole: no total spread over the years is offered
    assert 'per = "total"' not in error
    path = tmp_path / "p.toml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["estimate", str(path), "--out", str(out)])
    assert result.exit_code != 0
    assert not out.exists() or not any(out.iterdir())


def test_a_documents_pages_spread_in_total_over_the_years_are_an_error_at_per() -> None:
    text = REPORT.format(timing='per = "total"')
    (error,) = _errors(_estimate(text))
    line = text.splitlines().index('per = "total"') + 1
    assert f"proposal.toml:{line}:" in error
    assert "a document is produced whole" in error


def test_a_report_of_a_single_year_needs_no_new_key() -> None:
    assert set(_by_year(_report("years = [2029]"))) == {2029}
