"""Messages name what the user wrote, and a proposal may say what it means: a number written
with thousands separators is recognised, a missing file has no made-up line, a template used at
a conference it was not made for is told, a document may be drafted in any of the six
languages, and `validate CARD PROPOSAL` checks the proposal with that card."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

import cost_models
from estimator.cli.app import app
from estimator.core.diagnostics import Severity
from estimator.core.pipeline import check_file, estimate
from estimator.core.templates import catalogue

HEAD = """format = 1
[proposal]
reference    = "TEST/WORDS"
title        = "Test"
conference   = "{conference}"
submitted_by = ["Test"]
responsible  = "ITU-D"
period       = [2030, 2030]
requests     = ["x"]
"""


def _write(tmp_path: Path, text: str, name: str = "proposal.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_number_written_with_thousands_separators_is_told_how_to_write_it(
    tmp_path: Path,
) -> None:
    text = HEAD.format(conference="PP-26") + (
        '[[activity]]\nid = "platform"\nkind = "services"\ntitle = "Platform"\n'
        'amount = "19,850"\njustification = "Contract"\n'
    )
    [d] = check_file(_write(tmp_path, text))
    assert d.key == "activity[0].amount"
    assert "not the text '19,850': write 19850, without quotes or thousands separators" in (
        d.message
    )


def test_an_unquoted_number_with_a_thousands_separator_is_told_how_to_write_it(
    tmp_path: Path,
) -> None:
    text = HEAD.format(conference="PP-26") + (
        '[[activity]]\nid = "platform"\nkind = "services"\ntitle = "Platform"\n'
        'amount = 50,000\njustification = "Contract"\n'
    )
    result = CliRunner().invoke(app, ["validate", str(_write(tmp_path, text))])
    assert result.exit_code == 1
    line = text.splitlines().index("amount = 50,000") + 1
    assert f"proposal.toml:{line}:12: TOML syntax error: 50,000 looks like a number with a" in (
        result.stderr
    )
    assert "write 50000 or 50_000" in result.stderr
    assert "leading zeros" not in result.stderr


def test_an_amount_written_the_french_way_is_told_the_same_amount_in_toml(
    tmp_path: Path,
) -> None:
    # A delegate who writes amounts as French, German or Swiss texts do is told the amount
    # they meant, never one a hundred times larger ('1 100,00' is 1100.00, not 110000).
    for written, meant in (
        ("1 100,00", "1100.00"),
        ("1.234,50", "1234.50"),
        ("1'100.50", "1100.50"),
        ("12,5", "12.5"),
        ("19,850", "19850"),
    ):
        text = HEAD.format(conference="PP-26") + (
            '[[activity]]\nid = "platform"\nkind = "services"\ntitle = "Platform"\n'
            f'amount = "{written}"\njustification = "Contract"\n'
        )
        [d] = check_file(_write(tmp_path, text))
        assert d.key == "activity[0].amount"
        assert f"not the text {written!r}: write {meant}," in d.message


def test_an_unquoted_decimal_comma_is_told_the_amount_with_a_full_stop(tmp_path: Path) -> None:
    for written, meant in (("1100,50", "1100.50"), ("12,5", "12.5"), ("1.234,50", "1234.50")):
        text = HEAD.format(conference="PP-26") + (
            '[[activity]]\nid = "platform"\nkind = "services"\ntitle = "Platform"\n'
            f'amount = {written}\njustification = "Contract"\n'
        )
        result = CliRunner().invoke(app, ["validate", str(_write(tmp_path, text))])
        assert result.exit_code == 1
        line = text.splitlines().index(f"amount = {written}") + 1
        assert f"proposal.toml:{line}:" in result.stderr
        assert f"{written} looks like a number with a decimal comma" in result.stderr
        assert f"write {meant}: TOML numbers take a full stop for decimals" in result.stderr


def test_a_bureau_named_as_responsible_is_told_its_budget_unit(tmp_path: Path) -> None:
    for bureau, unit in (("BDT", "ITU-D"), ("TSB", "ITU-T"), ("BR", "ITU-R"), ("SG", "GS")):
        text = HEAD.format(conference="PP-26").replace('"ITU-D"', f'"{bureau}"')
        [d] = check_file(_write(tmp_path, text))
        assert d.key == "proposal.responsible"
        assert d.line == text.splitlines().index(f'responsible  = "{bureau}"') + 1
        assert d.hint == f"did you mean '{unit}'? {bureau} is budgeted as {unit}"


def test_a_key_of_another_kind_on_a_template_names_the_kinds_that_take_it_not_a_far_guess(
    tmp_path: Path,
) -> None:
    text = HEAD.format(conference="WTSA-28") + (
        '[[activity]]\nid = "fg"\nkind = "wtsa.focus-group"\ntitle = "FG"\namount = 5000\n'
    )
    [d] = [d for d in check_file(_write(tmp_path, text)) if d.key == "activity[0].amount"]
    assert d.line == text.splitlines().index("amount = 5000") + 1
    assert "unknown key 'amount': wtsa.focus-group has no such parameter" in d.message
    assert "did you mean" not in d.hint  # 'unit' is not close to 'amount'
    assert d.hint.endswith("'amount' is a key of services")
    assert d.hint.startswith("its parameters are meetings, ")


def test_a_missing_file_is_told_without_a_made_up_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["validate", str(tmp_path / "nope.toml")])
    assert result.exit_code == 1
    assert result.stderr == f"{tmp_path / 'nope.toml'}: no such file (check the path)\n"


def test_a_template_made_for_another_conference_is_told_at_its_kind(tmp_path: Path) -> None:
    activity = '[[activity]]\nid = "initiative"\nkind = "wtdc.regional-initiative"\ntitle = "I"\n'
    path = _write(tmp_path, HEAD.format(conference="PP-26") + activity)
    [w] = [d for d in check_file(path) if d.code == "template-conference"]
    assert w.key == "activity[0].kind"
    assert "'wtdc.regional-initiative' is made for proposals to WTDC" in w.message
    assert "this proposal is for PP-26" in w.message
    # at the conference it was made for, nothing is said
    path = _write(tmp_path, HEAD.format(conference="WTDC-29") + activity)
    assert [d for d in check_file(path) if d.code == "template-conference"] == []


def test_a_document_drafted_in_french_is_translated_into_english_not_french(
    tmp_path: Path,
) -> None:
    text = HEAD.format(conference="WTDC-29") + (
        '[[activity]]\nid = "rapport"\nkind = "documentation"\ntitle = "Rapport"\n'
        'words = 10000\nsource = "fr"\n'
    )
    est = estimate(_write(tmp_path, text)).estimate
    assert est is not None
    translation = next(line for line in est.lines if line.rate_id == "translation")
    # 10,000 words / 1,000 × 5 target languages, English among them, French not
    assert translation.quantity == 50
    assert str(translation.quantity_basis).endswith("(ar, zh, en, ru, es)")
    # its source language cannot also be a target
    bad = text + 'languages = ["fr", "en"]\n'
    [d] = check_file(_write(tmp_path, bad))
    assert "French is the source language, remove 'fr'" in d.message


def test_validate_checks_a_proposal_with_the_card_named_beside_it(tmp_path: Path) -> None:
    # a card without interpretation: the meeting cannot be priced with it
    text = (cost_models.CARDS / "itu-geneva.toml").read_text(encoding="utf-8")
    start = text.index('[[rate]]\nid = "interpretation"')
    end = text.index('[[rate]]\nid = "conference-services"')
    card = _write(tmp_path, text[:start] + text[end:], "card.toml")
    meeting = (
        '[[activity]]\nid = "meeting"\nkind = "meeting"\ntitle = "Meeting"\ndays = 1\n'
        'languages = ["en", "fr"]\n'
    )
    proposal = _write(tmp_path, HEAD.format(conference="PP-26") + meeting)
    alone = CliRunner().invoke(app, ["validate", str(proposal)])
    assert alone.exit_code == 0, alone.output
    beside = CliRunner().invoke(app, ["validate", str(card), str(proposal)])
    assert beside.exit_code == 1
    assert "has no rate 'interpretation'" in beside.stderr


def test_a_broken_card_named_beside_proposals_is_told_once_and_they_are_not_checked(
    tmp_path: Path,
) -> None:
    """validate CARD P1 P2 with a broken card: each of the card's problems once, at the card,
    and each proposal said to be unchecked (it was told twice more, as if each proposal had
    the card's problems)."""
    geneva = (cost_models.CARDS / "itu-geneva.toml").read_text(encoding="utf-8")
    card = _write(tmp_path, geneva.replace('currency = "CHF"', 'currency = "francs"'), "c.toml")
    service = (
        '[[activity]]\nid = "portal"\nkind = "services"\ntitle = "Portal"\namount = 100\n'
        'justification = "Quote"\n'
    )
    first = _write(tmp_path, HEAD.format(conference="PP-26") + service, "p1.toml")
    second = _write(tmp_path, HEAD.format(conference="PP-26") + service, "p2.toml")
    for args in (
        [str(card), str(first), str(second)],
        [str(first), str(second), "--rates", str(card)],
    ):
        result = CliRunner().invoke(app, ["validate", *args])
        assert result.exit_code == 1
        assert result.stderr.count("'francs' is not in the expected form") == 1
        assert f"{first}: not checked: its rate card has the errors above" in result.stderr
        assert f"{second}: not checked: its rate card has the errors above" in result.stderr


def test_validate_says_which_rate_card_checked_each_proposal(tmp_path: Path) -> None:
    """A budget officer who names two cards beside a proposal learns which one checked it (the
    default, since neither was chosen) and how to choose; one card beside it checks it."""
    geneva = (cost_models.CARDS / "itu-geneva.toml").read_text(encoding="utf-8")
    new_york = (cost_models.CARDS / "un-new-york.toml").read_text(encoding="utf-8")
    mine = _write(tmp_path, new_york, "mine.toml")
    other = _write(tmp_path, geneva, "other.toml")
    service = (
        '[[activity]]\nid = "portal"\nkind = "services"\ntitle = "Portal"\namount = 100\n'
        'justification = "Quote"\n'
    )
    proposal = _write(tmp_path, HEAD.format(conference="PP-26") + service)
    two = CliRunner().invoke(app, ["validate", str(mine), str(other), str(proposal)])
    assert two.exit_code == 0, two.output
    assert (
        f"{proposal}: valid, checked with rate card 'itu-geneva' (the default; several cards"
        " are named: --rates CARD checks every proposal with one)"
    ) in two.stdout
    one = CliRunner().invoke(app, ["validate", str(mine), str(proposal)])
    assert f"{proposal}: valid, checked with rate card 'un-new-york' (named with it)" in one.stdout
    as_json = CliRunner().invoke(app, ["validate", "--json", str(mine), str(proposal)])
    checked = json.loads(as_json.stdout)[1]
    assert (checked["rate_card"], checked["rate_card_chosen_by"]) == ("un-new-york", "rates")


SERVICE = (
    '[[activity]]\nid = "portal"\nkind = "services"\ntitle = "Portal"\namount = 100\n'
    'justification = "Quote"\n'
)


def test_a_conference_written_otherwise_is_told_its_canonical_form(tmp_path: Path) -> None:
    """A budget officer files proposals under the conference's name as ITU writes it: 'WTDC29'
    and 'wtdc-2029' are WTDC-29, 'Council 2026' is C26; told as a warning (the name prices
    nothing), with the form to write."""
    for written, canonical in (
        ("WTDC29", "WTDC-29"),
        ("wtdc-2029", "WTDC-29"),
        ("wtdc-25", "WTDC-25"),
        ("Council 2026", "C26"),
        ("pp 26", "PP-26"),
    ):
        path = _write(tmp_path, HEAD.format(conference=written) + SERVICE)
        [w] = [d for d in check_file(path) if d.code == "conference-name"]
        assert (w.severity, w.key, w.line) == (Severity.WARNING, "proposal.conference", 5)
        assert f"'{written}' is written '{canonical}' in ITU's documents" in w.message
        assert f'write conference = "{canonical}"' in w.hint
    for canonical in ("PP-26", "WRC-27", "RA-27", "WTSA-28", "WTDC-29", "C26"):
        path = _write(tmp_path, HEAD.format(conference=canonical) + SERVICE)
        assert [d for d in check_file(path) if d.code == "conference-name"] == []


def test_a_name_that_is_no_itu_conference_is_told_with_examples(tmp_path: Path) -> None:
    for written, words in (
        ("Foo 2029", "'Foo 2029' is not the name of an ITU conference or assembly"),
        ("WTDC", "'WTDC' does not say which WTDC: give its year"),
    ):
        path = _write(tmp_path, HEAD.format(conference=written) + SERVICE)
        [w] = [d for d in check_file(path) if d.code == "conference-name"]
        assert w.severity is Severity.WARNING and words in w.message
        assert "PP-26, WRC-27, RA-27, WTSA-28, WTDC-29 or C26" in w.hint


def test_a_template_of_one_sector_charged_to_another_is_told(tmp_path: Path) -> None:
    """A WTDC regional initiative is ITU-D's work: charged to ITU-T, the cost would land in the
    wrong Sector's budget. Told at the activity's unit (or its kind, when the unit is the
    proposal's responsible), with the provision that makes it ITU-D's."""
    activity = '[[activity]]\nid = "initiative"\nkind = "wtdc.regional-initiative"\ntitle = "I"\n'
    text = HEAD.format(conference="WTDC-29") + activity
    at_unit = _write(tmp_path, text + 'unit = "ITU-T"\n')
    [w] = [d for d in check_file(at_unit) if d.code == "template-sector"]
    assert (w.severity, w.where) == (Severity.WARNING, "activity 'initiative', unit")
    assert "'wtdc.regional-initiative' is ITU-D's work (Constitution, Article 21" in w.message
    assert w.message.endswith("its cost is charged to ITU-T")
    assert 'write unit = "ITU-D"' in w.hint
    responsible = _write(tmp_path, text.replace('responsible  = "ITU-D"', 'responsible  = "GS"'))
    [w] = [d for d in check_file(responsible) if d.code == "template-sector"]
    assert w.key == "activity[0].kind"
    assert w.message.endswith("charged to GS (the proposal's responsible)")
    # charged to its own Sector, or a template any unit may use: nothing is said
    assert [d for d in check_file(_write(tmp_path, text)) if d.code == "template-sector"] == []
    workshop = text.replace("wtdc.regional-initiative", "itu.workshop")
    assert [d for d in check_file(_write(tmp_path, workshop)) if d.code == "template-sector"] == []


def test_every_template_of_one_sector_cites_why() -> None:
    sectors = {t.name: (t.sector, t.sector_source) for t in catalogue().values()}
    assert sectors["wtdc.regional-initiative"][0] == "ITU-D"
    assert sectors["wtsa.focus-group"][0] == "ITU-T"
    assert sectors["wrc.agenda-item"][0] == "ITU-R"
    assert sectors["itu.workshop"] == (None, None)  # any unit may hold a workshop
    assert all(source for sector, source in sectors.values() if sector is not None)
