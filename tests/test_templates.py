"""Conference activity templates: every template, priced with its defaults and with overrides.

The expected figures are computed by hand from the round figures of ``template_card.toml``
(a fixed test card, never a shipped one), period 2027-2028 unless the case says otherwise:

    interpretation 100 a meeting and language    conference services 50 a meeting
    remote participation 10 a meeting            translation 200 per 1,000 words and language
    processing 20 per 1,000 words and version    subsistence 300 a day
    fellowship ticket 1,000   staff ticket 2,000   expert ticket 1,500
    P2 8,000  P3 10,000  P4 12,000  P5 14,000  G5 6,000  G6 7,000 a work-month
    consultant 9,000 a month                     300 words a page; no escalation

Meetings: meetings = count × days × 2; interpretation = meetings × languages × 100 (two
languages or more); conference services = meetings × 50 unless virtual; remote = meetings × 10;
fellowships = count × fellows × (1,000 + 300 × (days + 1)).
Documentation: thousands of words = pages × 300 / 1,000; translation = thousands × targets ×
200; processing = thousands × (targets + 1) × 20.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from estimator.cli.app import app
from estimator.cli.summary import summary
from estimator.core.estimate import Estimate
from estimator.core.load import parse_toml, read_toml
from estimator.core.pipeline import Outcome, estimate
from estimator.core.templates import ACTIVITIES, Catalogue, catalogue, show_value
from estimator.core.validate import validate_proposal

TESTS = Path(__file__).resolve().parent
CARD = TESTS / "template_card.toml"
SEEDS = TESTS.parent / "seeds"

HEAD = """\
format = 1

[proposal]
reference    = "TEST/1"
title        = "Template test"
conference   = "PP-26"
submitted_by = ["Testland"]
responsible  = "GS"
period       = [2027, 2028]

[[activity]]
id    = "a"
title = "Test activity"
"""


def run(tmp_path: Path, kind: str, keys: str = "", head: str = HEAD) -> Outcome:
    path = tmp_path / "proposal.toml"
    path.write_text(f'{head}kind  = "{kind}"\n{keys}', encoding="utf-8")
    return estimate(path, CARD)


def priced(tmp_path: Path, kind: str, keys: str = "") -> dict[str, Decimal]:
    """Total by expanded activity, plus 'total'."""
    outcome = run(tmp_path, kind, keys)
    assert outcome.estimate is not None, [d.render() for d in outcome.diagnostics]
    return outcome.estimate.by_activity() | {"total": outcome.estimate.total}


# -- every template with its defaults --------------------------------------------------------

DEFAULTS: dict[str, tuple[str, dict[str, int]]] = {
    # meetings 2 × 2 days × 2 = 8: interpretation 8 × 6 × 100 = 4,800, services 8 × 50 = 400,
    #   remote 8 × 10 = 80 → 5,280 a year, 10,560 for two years
    # documents 20 pages = 6,000 words: translation 6 × 5 × 200 = 6,000, processing 6 × 6 × 20
    #   = 720 → 6,720 a year, 13,440
    # secretariat P4 2 months × 12,000 = 24,000 a year, 48,000
    # total 10,560 + 13,440 + 48,000 = 72,000
    "council.working-group": (
        "",
        {"a-meetings": 10560, "a-documents": 13440, "a-secretariat": 48000, "total": 72000},
    ),
    # meetings 3 × 2 × 2 = 12, English only: services 600, remote 120 → 720 a year, 1,440
    # report in 2028 only: 40 pages = 12,000 words: 12 × 5 × 200 = 12,000 + 12 × 6 × 20 = 1,440
    #   → 13,440
    # secretariat 3 × 12,000 = 36,000 a year, 72,000
    # total 1,440 + 13,440 + 72,000 = 86,880
    "council.expert-group": (
        "",
        {"a-meetings": 1440, "a-report": 13440, "a-secretariat": 72000, "total": 86880},
    ),
    # document 10 pages = 3,000 words: 3 × 5 × 200 = 3,000 + 3 × 6 × 20 = 360 → 3,360 a year
    # drafting 1 × 12,000 a year; total (3,360 + 12,000) × 2 = 30,720
    "council.report": ("", {"a-document": 6720, "a-drafting": 24000, "total": 30720}),
    # rapporteur 2 × 3 × 2 = 12: services 600 + remote 120 = 720 a year
    # recommendations 30 pages = 9: 9 × 5 × 200 = 9,000 + 9 × 6 × 20 = 1,080 → 10,080 a year
    # secretariat 1 × 12,000; total (720 + 10,080 + 12,000) × 2 = 45,600
    "itut.question": (
        "",
        {"a-rapporteur": 1440, "a-recommendations": 20160, "a-secretariat": 24000, "total": 45600},
    ),
    # meetings 4 × 3 × 2 = 24: services 1,200 + remote 240 = 1,440 a year
    # deliverables 150 pages = 45, English only: processing 45 × 1 × 20 = 900 a year
    # secretariat 3 × 12,000 = 36,000; total (1,440 + 900 + 36,000) × 2 = 76,680
    "wtsa.focus-group": (
        "",
        {"a-meetings": 2880, "a-deliverables": 1800, "a-secretariat": 72000, "total": 76680},
    ),
    # plenary 1 × 2 × 2 = 4: 4 × 6 × 100 = 2,400 + 200 + 40 = 2,640 a year
    # sessions 1 × 6 × 2 = 12: 600 + 120 = 720 a year
    # documents 200 pages = 60: 60 × 5 × 200 = 60,000 + 60 × 6 × 20 = 7,200 → 67,200 a year
    # counsellor 12 × 12,000 = 144,000; assistant G5 12 × 6,000 = 72,000 a year
    # total (2,640 + 720 + 67,200 + 144,000 + 72,000) × 2 = 286,560 × 2 = 573,120
    "itut.study-group": (
        "",
        {
            "a-plenary": 5280,
            "a-sessions": 1440,
            "a-documents": 134400,
            "a-counsellor": 288000,
            "a-assistant": 144000,
            "total": 573120,
        },
    ),
    # studies 2 × 2 × 2 = 8: 400 + 80 = 480 a year, 960
    # cpm-text in 2028 only: 20 pages = 6: 6 × 5 × 200 = 6,000 + 6 × 6 × 20 = 720 → 6,720
    # secretariat 2 × 12,000 = 24,000 a year, 48,000; total 960 + 6,720 + 48,000 = 55,680
    "wrc.agenda-item": (
        "",
        {"a-studies": 960, "a-cpm-text": 6720, "a-secretariat": 48000, "total": 55680},
    ),
    # studies 2 × 1 × 2 = 4: 200 + 40 = 240 a year, 480
    # output in 2028 only: 25 pages = 7.5: 7.5 × 5 × 200 = 7,500 + 7.5 × 6 × 20 = 900 → 8,400
    # secretariat 12,000 a year, 24,000; total 480 + 8,400 + 24,000 = 32,880
    "ra.question": (
        "",
        {"a-studies": 480, "a-output": 8400, "a-secretariat": 24000, "total": 32880},
    ),
    # workshops 1 × 2 × 2 = 4, away: interpretation 4 × 2 × 100 = 800, services 200;
    #   fellowships 1 × 10 = 10 tickets × 1,000 = 10,000 + 10 × (2 + 1) = 30 days × 300 = 9,000
    #   → 20,000 a year
    # experts 3 × 9,000 = 27,000; missions 2 × 1,500 = 3,000 + 2 × 5 = 10 days × 300 = 3,000
    #   → 6,000; coordination P3 3 × 10,000 = 30,000
    # total (20,000 + 27,000 + 6,000 + 30,000) × 2 = 166,000
    "wtdc.regional-initiative": (
        "",
        {
            "a-workshops": 40000,
            "a-experts": 54000,
            "a-missions": 12000,
            "a-coordination": 60000,
            "total": 166000,
        },
    ),
    # rapporteur 1 × 1 × 2 = 2: 2 × 6 × 100 = 1,200 + 100 + 20 = 1,320 a year, 2,640
    # report in 2028: 100 pages = 30: 30 × 5 × 200 = 30,000 + 30 × 6 × 20 = 3,600 → 33,600
    # focal point 2 × 12,000 = 24,000 a year, 48,000; total 2,640 + 33,600 + 48,000 = 84,240
    "wtdc.study-question": (
        "",
        {"a-rapporteur": 2640, "a-report": 33600, "a-focal-point": 48000, "total": 84240},
    ),
    # events 6 × 2 × 2 = 24, away: 24 × 3 × 100 = 7,200 + 24 × 50 = 1,200; fellowships 6 × 10
    #   = 60 tickets × 1,000 = 60,000 + 60 × 3 = 180 days × 300 = 54,000 → 122,400 a year
    # staff travel 6 events × 2 staff = 12 trips × 2,000 = 24,000 + 12 × 4 = 48 days × 300
    #   = 14,400 → 38,400 a year
    # total (122,400 + 38,400) × 2 = 321,600
    "regional.event-series": ("", {"a-events": 244800, "a-staff-travel": 76800, "total": 321600}),
    # P3 12 × 10,000 = 120,000 a year, 240,000
    "post.temporary": ("", {"a-post": 240000, "total": 240000}),
    # hosting_amount has no default (no cost figure in a template): the case gives 5,000
    # build in 2027 only: 6 × 9,000 = 54,000; upkeep P2 2 × 8,000 = 16,000 a year, 32,000
    # hosting 5,000 a year as stated, 10,000; total 54,000 + 32,000 + 10,000 = 96,000
    "it.database": (
        "hosting_amount = 5000\n",
        {"a-build": 54000, "a-upkeep": 32000, "a-hosting": 10000, "total": 96000},
    ),
    # in 2027 only: 100 pages = 30: 30 × 5 × 200 = 30,000 + 30 × 6 × 20 = 3,600 = 33,600
    "publication.six-languages": ("", {"a-publication": 33600, "total": 33600}),
    # workshop 1 × 1 × 2 = 2: 2 × 6 × 100 = 1,200 + 100 + 20 = 1,320 a year
    # outcome 10 pages = 3, English only: 3 × 1 × 20 = 60 a year
    # total (1,320 + 60) × 2 = 2,760
    "itu.workshop": ("", {"a-workshop": 2640, "a-outcome": 120, "total": 2760}),
}


def test_every_template_has_a_defaults_case() -> None:
    assert sorted(DEFAULTS) == sorted(catalogue())


@pytest.mark.parametrize("kind", sorted(DEFAULTS))
def test_template_priced_with_its_defaults(tmp_path: Path, kind: str) -> None:
    keys, expected = DEFAULTS[kind]
    assert priced(tmp_path, kind, keys) == {k: Decimal(v) for k, v in expected.items()}


# -- every template with overrides ------------------------------------------------------------

OVERRIDES: dict[str, tuple[str, int]] = {
    # meetings 1 × 2 × 2 = 4: 4 × 2 × 100 = 800 + 200 + 40 = 1,040; pages = 0 drops the
    # documents; staff P5 1 × 14,000; (1,040 + 14,000) × 2 = 30,080
    "council.working-group": (
        'meetings = 1\ninterpretation = ["en", "fr"]\npages = 0\n'
        'staff_grade = "P5"\nstaff_months = 1\n',
        30080,
    ),
    # 2027 only. meetings 2 × 1 × 2 = 4: 4 × 6 × 100 = 2,400 + 200, no remote = 2,600
    # report (last of [2027]) 10 pages = 3: 3 × 1 × 200 = 600 + 3 × 2 × 20 = 120 = 720
    # staff_months = 0 drops the secretariat; total 2,600 + 720 = 3,320
    "council.expert-group": (
        "years = [2027]\nmeetings = 2\nmeeting_days = 1\nremote = false\n"
        'interpretation = ["ar", "zh", "en", "fr", "ru", "es"]\npages = 10\n'
        'translation = ["fr"]\nstaff_months = 0\n',
        3320,
    ),
    # 5 pages = 1.5: 1.5 × 5 × 200 = 1,500 + 1.5 × 6 × 20 = 180; G5 0.5 × 6,000 = 3,000
    # (1,500 + 180 + 3,000) × 2 = 9,360
    "council.report": ('pages = 5\nstaff_grade = "G5"\nstaff_months = 0.5\n', 9360),
    # virtual 4 × 1 × 2 = 8: no services, remote 80; no documents; staff 2 × 12,000 = 24,000
    # (80 + 24,000) × 2 = 48,160
    "itut.question": (
        'location = "virtual"\nmeetings = 4\nmeeting_days = 1\npages = 0\nstaff_months = 2\n',
        48160,
    ),
    # 2027 only. 24 meetings away: 24 × 3 × 100 = 7,200 + 1,200, no remote = 8,400
    # 150 pages = 45: 45 × 1 × 200 = 9,000 + 45 × 2 × 20 = 1,800 = 10,800; staff 6 × 12,000
    # = 72,000; total 8,400 + 10,800 + 72,000 = 91,200
    "wtsa.focus-group": (
        'years = [2027]\ninterpretation = ["en", "fr", "es"]\nlocation = "away"\n'
        'remote = false\ntranslation = ["fr"]\nstaff_months = 6\n',
        91200,
    ),
    # plenary 2 × 2 × 2 = 8: 4,800 + 400 + 80 = 5,280; no sessions; 100 pages = 30: 30,000
    # + 3,600 = 33,600; counsellor 144,000; assistant G6 6 × 7,000 = 42,000
    # (5,280 + 33,600 + 144,000 + 42,000) × 2 = 224,880 × 2 = 449,760
    "itut.study-group": (
        'meetings = 2\nworking_days = 0\npages = 100\nassistant_grade = "G6"\n'
        "assistant_months = 6\n",
        449760,
    ),
    # studies 2 × 3 × 2 = 12: 600 + 120 = 720 a year, 1,440; cpm-text 10 pages = 3, English
    # only: 3 × 1 × 20 = 60; staff 12,000 a year, 24,000; total 1,440 + 60 + 24,000 = 25,500
    "wrc.agenda-item": (
        "meeting_days = 3\ntranslation = []\npages = 10\nstaff_months = 1\n",
        25500,
    ),
    # studies 1 × 1 × 2 = 2: 2 × 2 × 100 = 400 + 100 + 20 = 520 a year, 1,040; output 50
    # pages = 15: 15 × 2 × 200 = 6,000 + 15 × 3 × 20 = 900 = 6,900; no staff; 7,940
    "ra.question": (
        'meetings = 1\ninterpretation = ["en", "fr"]\npages = 50\n'
        'translation = ["fr", "es"]\nstaff_months = 0\n',
        7940,
    ),
    # virtual 4 meetings: 4 × 2 × 100 = 800 + remote 40 = 840; no experts, missions or
    # fellowships; staff P3 6 × 10,000 = 60,000; (840 + 60,000) × 2 = 121,680
    "wtdc.regional-initiative": (
        'interpretation = ["en", "es"]\nfellowships = 0\nlocation = "virtual"\n'
        "consultant_months = 0\nmissions = 0\nstaff_months = 6\n",
        121680,
    ),
    # 1 × 2 × 2 = 4: 2,400 + 200 + 40 + fellowships 5 × 1,000 + 5 × 3 × 300 = 9,500 → 12,140;
    # no report; P3 2 × 10,000 = 20,000; (12,140 + 20,000) × 2 = 64,280
    "wtdc.study-question": (
        'fellowships = 5\nmeeting_days = 2\npages = 0\nstaff_grade = "P3"\n',
        64280,
    ),
    # 3 × 2 × 2 = 12: 12 × 2 × 100 = 2,400 + 600; 3 × 1 = 3 trips × 2,000 = 6,000 + 3 × 3
    # = 9 days × 300 = 2,700; (2,400 + 600 + 6,000 + 2,700) × 2 = 23,400
    "regional.event-series": (
        'events = 3\ninterpretation = ["en", "ru"]\nfellowships = 0\n'
        "staff_per_event = 1\ntrip_days = 3\n",
        23400,
    ),
    # 2 posts × 6 months × 8,000 = 96,000 a year, 192,000
    "post.temporary": ('grade = "P2"\nmonths = 6\nposts = 2\n', 192000),
    # hosting 0 drops the hosting; build 3 × 9,000 = 27,000; upkeep G5 1 × 6,000 a year,
    # 12,000; total 39,000
    "it.database": (
        'hosting_amount = 0\nbuild_months = 3\nupkeep_grade = "G5"\nupkeep_months = 1\n',
        39000,
    ),
    # in 2028: 40 pages = 12: 12 × 3 × 200 = 7,200 + 12 × 4 × 20 = 960 = 8,160
    "publication.six-languages": (
        'pages = 40\ntranslation = ["fr", "es", "ar"]\nyears = [2028]\n',
        8160,
    ),
    # 2 × 2 × 2 = 8: 4,800 + 400 + 80 + fellowships 2 × 3 = 6 × 1,000 + 6 × 3 × 300 = 5,400
    # → 16,680 a year; no outcome; 33,360
    "itu.workshop": (
        "workshops = 2\nworkshop_days = 2\nfellowships = 3\npages = 0\n",
        33360,
    ),
}


def test_every_template_has_an_overrides_case() -> None:
    assert sorted(OVERRIDES) == sorted(catalogue())


@pytest.mark.parametrize("kind", sorted(OVERRIDES))
def test_template_priced_with_overrides(tmp_path: Path, kind: str) -> None:
    keys, expected = OVERRIDES[kind]
    assert priced(tmp_path, kind, keys)["total"] == Decimal(expected)


# -- the catalogue ------------------------------------------------------------------------------


def test_catalogue_has_at_least_fourteen_templates_across_the_conferences() -> None:
    templates = catalogue()
    assert len(templates) >= 14
    where = {c for t in templates.values() for c in t.spec.template.conferences}
    assert {"PP", "Council", "WRC", "RA", "WTSA", "WTDC"} <= where


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_every_default_is_justified_in_a_sentence(name: str) -> None:
    template = catalogue()[name]
    for p in template.spec.parameter:
        assert len(p.why.split()) >= 5 and p.why.endswith("."), (name, p.key, p.why)
    for part in template.spec.part:
        assert part.description.endswith("."), (name, part.id)


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_templates_hold_no_money(name: str) -> None:
    """An amount is a cost figure: a template may ask for one, never supply it."""
    for p in catalogue()[name].spec.parameter:
        if p.type == "amount":
            assert p.required, (name, p.key)


# -- what the estimate shows -------------------------------------------------------------------


def test_json_lines_carry_the_template_and_the_defaults_they_used(tmp_path: Path) -> None:
    outcome = run(tmp_path, "wtsa.focus-group", "meetings = 2\n")
    assert outcome.estimate is not None
    data = outcome.estimate.to_json()
    meeting = next(x for x in data["lines"] if x["activity"] == "a-meetings")
    assert meeting["template"] == "wtsa.focus-group"
    # the defaults a line used are its activity's, given once by the activity's id
    defaults = data["template_defaults"][meeting["activity"]]
    used = {d["key"]: d["value"] for d in defaults}
    # meetings is overridden, so not a default; the others are the template's
    assert used == {
        "meeting_days": "3",
        "interpretation": ["en"],
        "location": "geneva",
        "remote": True,
    }
    assert all(d["why"] for d in defaults)
    # 2 meetings × 3 days × 2 = 12 meetings a year
    assert meeting["quantity"] == "12"
    json.dumps(outcome.estimate.to_json())


def test_defaults_name_the_year_a_part_takes_place(tmp_path: Path) -> None:
    outcome = run(tmp_path, "wrc.agenda-item")
    assert outcome.estimate is not None
    data = outcome.estimate.to_json()
    cpm = [x for x in data["lines"] if x["activity"] == "a-cpm-text"]
    assert {x["year"] for x in cpm} == {2028}
    defaults = data["template_defaults"]["a-cpm-text"]
    assert {"key": "years", "value": [2028], "why": defaults[-1]["why"]} in defaults


def test_summary_shows_each_expanded_activity_with_its_defaults(tmp_path: Path) -> None:
    outcome = run(tmp_path, "post.temporary", 'grade = "P2"\n')
    assert outcome.estimate is not None
    text = summary(outcome.estimate)
    # 1 post × 12 months × 8,000 = 96,000 a year, 192,000
    assert "a-post (post.temporary): CHF\u00a0192,000.00" in text
    assert "default months = 12: A post is filled for the whole year" in text
    assert "default grade" not in text  # overridden


def test_common_keys_apply_to_every_expanded_activity(tmp_path: Path) -> None:
    keys = (
        'unit = "ITU-D"\nfunding = "extrabudgetary"\ngoal = "1"\nnote = "n"\nyears = [2028]\n'
        "hosting_amount = 1\n"
    )
    outcome = run(tmp_path, "it.database", keys)
    assert outcome.estimate is not None
    specs = [a.spec for a in outcome.estimate.proposal.activities]
    assert [s.id for s in specs] == ["a-build", "a-upkeep", "a-hosting"]
    assert {(s.unit, s.funding, s.goal, s.note, s.years) for s in specs} == {
        ("ITU-D", "extrabudgetary", "1", "n", (2028,))
    }
    assert specs[0].title == "Test activity: design and build"


# -- problems, located at the proposal's keys --------------------------------------------------


def problems(tmp_path: Path, kind: str, keys: str) -> list[str]:
    outcome = run(tmp_path, kind, keys)
    assert outcome.estimate is None
    # the test proposal is for PP-26, charged to GS, whatever the template: those warnings are
    # not the point here
    told = ("template-conference", "template-sector")
    return [d.render() for d in outcome.diagnostics if d.code not in told]


def test_unknown_parameter_gets_did_you_mean_at_its_line(tmp_path: Path) -> None:
    found = problems(tmp_path, "wtsa.focus-group", "meeting_dys = 2\n")
    # HEAD has 13 lines; kind is line 14, the misspelt key line 15
    assert found == [
        f"{tmp_path / 'proposal.toml'}:15:1: activity 'a', meeting_dys: unknown key 'meeting_dys':"
        " wtsa.focus-group has no such parameter (did you mean 'meeting_days'?)"
    ]


def test_wrong_type_is_located_at_the_parameter(tmp_path: Path) -> None:
    found = problems(tmp_path, "council.working-group", 'meetings = "2"\n')
    assert len(found) == 1
    assert ":15:1: activity 'a', meetings: must be a whole number, not '2'" in found[0]


def test_value_out_of_range_is_located_at_the_parameter(tmp_path: Path) -> None:
    found = problems(tmp_path, "post.temporary", "months = 13\n")
    assert found[0].endswith(
        "activity 'a', months: must be at most 12, not 13 (work-months a year)"
    )


def test_unknown_language_and_grade_are_named(tmp_path: Path) -> None:
    found = problems(tmp_path, "council.report", 'translation = ["de"]\nstaff_grade = "P9"\n')
    assert "activity 'a', translation: has 'de', not one of" in found[0]
    assert "activity 'a', staff_grade: 'P9' is not one of: P1" in found[1]


def test_required_parameter_is_asked_for(tmp_path: Path) -> None:
    found = problems(tmp_path, "it.database", "")
    assert len(found) == 1
    assert "activity 'a': it.database needs hosting_amount" in found[0]


def test_problem_found_by_the_elemental_model_names_no_internal_key(tmp_path: Path) -> None:
    # English is the source language: a documentation part rejects it as a target
    found = problems(tmp_path, "council.report", 'translation = ["en", "fr"]\n')
    assert len(found) == 1
    assert "activity 'a':" in found[0] and "English is the source language" in found[0]


def test_bad_common_key_is_reported_once(tmp_path: Path) -> None:
    found = problems(tmp_path, "council.working-group", 'funding = "sponsor"\n')
    assert len(found) == 1 and "activity 'a', funding:" in found[0]


def test_expanded_id_must_not_clash_with_another_activity(tmp_path: Path) -> None:
    extra = (
        '\n[[activity]]\nid = "a-post"\nkind = "staff"\ntitle = "Another post"\n'
        'grade = "P3"\nmonths = 1\n'
    )
    found = problems(tmp_path, "post.temporary", extra)
    assert len(found) == 1
    assert "activity 'a', id: template post.temporary makes the id 'a-post'" in found[0]


def test_id_too_long_for_its_parts(tmp_path: Path) -> None:
    # 60 characters + "-post" would pass the 64-character limit of an id
    head = HEAD.replace('id    = "a"', f'id    = "{"x" * 60}"')
    outcome = run(tmp_path, "post.temporary", "", head)
    assert outcome.estimate is None
    assert [d.key for d in outcome.diagnostics] == ["activity[0].id"]
    assert "id is too long for a template" in outcome.diagnostics[0].message


# -- the command --------------------------------------------------------------------------------

runner = CliRunner()


def test_activities_lists_every_template_with_its_defaults() -> None:
    result = runner.invoke(app, ["activities"])
    assert result.exit_code == 0
    for name, template in catalogue().items():
        assert f"{name}: {template.title}" in result.output
    assert "hosting_amount = required" in result.output
    assert "    meetings = 4  (meetings a year)" in result.output  # wtsa.focus-group


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_activities_name_explains_every_default_and_why(name: str) -> None:
    result = runner.invoke(app, ["activities", name])
    assert result.exit_code == 0
    for p in catalogue()[name].spec.parameter:
        assert f"  {p.key}: {p.label}" in result.output
        assert f"why: {p.why}" in result.output
    for part in catalogue()[name].spec.part:
        assert f"  {part.id}: {part.kind}" in result.output


def test_activities_unknown_name_exits_1_with_did_you_mean() -> None:
    result = runner.invoke(app, ["activities", "wtsa.focusgroup"])
    assert result.exit_code == 1
    assert "did you mean 'wtsa.focus-group'?" in result.output


def test_validating_a_proposal_reads_only_the_activity_templates_it_uses() -> None:
    templates = Catalogue(ACTIVITIES)
    doc, _ = read_toml(SEEDS / "wtsa28-ai-focus-group-template.toml")
    assert doc is not None
    proposal, _ = validate_proposal(doc, templates)
    assert proposal is not None
    used = {a.template for a in proposal.activities if a.template}
    assert "wtsa.focus-group" in used
    assert set(templates.read) == used  # and none of the other shipped templates
    assert len(used) < len(templates)


def test_a_misspelt_template_is_told_with_its_name_before_any_template_is_read() -> None:
    templates = Catalogue(ACTIVITIES)
    doc, _ = parse_toml(
        b'[proposal]\nid = "X"\n[[activity]]\nid = "a"\nkind = "wtsa.focus-grup"\n', "p.toml"
    )
    assert doc is not None
    told = [d for d in validate_proposal(doc, templates)[1] if d.code == "unknown-kind"]
    assert [(d.message, d.hint) for d in told] == [
        ("unknown kind 'wtsa.focus-grup'", "did you mean 'wtsa.focus-group'?")
    ]
    assert templates.read == {}


# -- seeds ----------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", sorted(SEEDS.glob("*template*.toml")), ids=lambda p: p.name)
def test_template_seeds_estimate_with_template_lines_only(seed: Path) -> None:
    outcome = estimate(seed, CARD)
    assert outcome.estimate is not None, [d.render() for d in outcome.diagnostics]
    assert outcome.estimate.lines
    assert all(line.template for line in outcome.estimate.lines)


# -- a template is exactly its expansion --------------------------------------------------------


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value)
    return str(value)


@pytest.mark.parametrize("kind", sorted(DEFAULTS))
def test_template_costs_what_its_expansion_written_out_costs(tmp_path: Path, kind: str) -> None:
    """The same activities written by hand, elemental kinds only, give the same lines."""
    keys, _ = DEFAULTS[kind]
    by_template = run(tmp_path, kind, keys).estimate
    assert by_template is not None
    head = HEAD.split("[[activity]]")[0]
    tables = []
    for activity in by_template.proposal.activities:
        fields = activity.spec.model_dump(exclude_none=True)
        body = "\n".join(f"{k} = {_toml(v)}" for k, v in fields.items())
        tables.append(f"[[activity]]\n{body}\n")
    path = tmp_path / "written-out.toml"
    path.write_text(head + "\n".join(tables), encoding="utf-8")
    by_hand = estimate(path, CARD).estimate
    assert by_hand is not None
    assert by_hand.by_activity() == by_template.by_activity()

    def lines(e: Estimate) -> list[tuple[str, int, str, Decimal, Decimal]]:
        return sorted((x.activity, x.year, x.element, x.quantity, x.amount) for x in e.lines)

    assert lines(by_hand) == lines(by_template)


def test_the_documentation_names_every_template() -> None:
    text = (TESTS.parent / "docs" / "activity-templates.md").read_text(encoding="utf-8")
    for name in catalogue():
        assert f"| `{name}` |" in text, name


def test_activities_json_gives_every_default_with_its_reason() -> None:
    result = runner.invoke(app, ["activities", "--json"])
    assert result.exit_code == 0
    listed = json.loads(result.output)
    assert [t["name"] for t in listed] == list(catalogue())
    focus = next(t for t in listed if t["name"] == "wtsa.focus-group")
    meetings = next(p for p in focus["parameters"] if p["key"] == "meetings")
    assert (meetings["default"], meetings["required"]) == (4, False)
    assert meetings["why"].startswith("Assumption: focus groups meet about once a quarter")
    one = json.loads(runner.invoke(app, ["activities", "it.database", "--json"]).output)
    hosting = next(p for p in one["parameters"] if p["key"] == "hosting_amount")
    assert (hosting["default"], hosting["required"]) == (None, True)


@pytest.mark.parametrize("kind", sorted(DEFAULTS))
def test_writing_every_default_out_changes_no_figure_and_leaves_no_default(
    tmp_path: Path, kind: str
) -> None:
    keys, expected = DEFAULTS[kind]
    written = "".join(
        f"{p.key} = {show_value(p.default_value)}\n"
        for p in catalogue()[kind].spec.parameter
        if not p.required
    )
    outcome = run(tmp_path, kind, keys + written)
    assert outcome.estimate is not None, [d.render() for d in outcome.diagnostics]
    assert outcome.estimate.total == Decimal(expected["total"])
    for activity, defaults in outcome.estimate.to_json()["template_defaults"].items():
        assert {d["key"] for d in defaults} <= {"years"}, activity


@pytest.mark.parametrize(
    ("written", "words"),
    [
        ("nan", "must be a finite number, not nan"),
        ("inf", "must be a finite number, not infinity"),
        ("1e400", "1E+400 is out of range: numbers are at most 1,000,000,000,000,000"),
        ("1e6", "must be at most 5000, not 1000000"),
    ],
)
def test_a_non_finite_or_huge_parameter_is_a_located_message_not_a_crash(
    tmp_path: Path, written: str, words: str
) -> None:
    found = problems(tmp_path, "wtsa.focus-group", f"pages = {written}\n")
    assert len(found) == 1
    assert ":15:1: activity 'a', pages: " + words in found[0]


def test_the_json_gives_each_template_default_once_and_every_line_traces_to_it() -> None:
    """A reader of the JSON follows a templated line to the defaults its activity used: each
    activity's defaults are given once (template_defaults, by the id the lines carry), not on
    every line of every year."""
    seed = Path(__file__).parent.parent / "seeds" / "wtsa28-ai-focus-group-template.toml"
    est = estimate(seed).estimate
    assert est is not None
    data = est.to_json()
    assert data["format"] == "finimpact/estimate/2"
    assert all("defaults" not in line for line in data["lines"])
    for line in est.lines:
        used = [{"key": d.key, "why": d.why} for d in est.defaults_of(line)]
        given = data["template_defaults"].get(line.activity, [])
        assert [{"key": d["key"], "why": d["why"]} for d in given] == used, line.activity
    # once per activity: as many entries as the activities' defaults, whatever the lines
    activities = {a.id: a for a in est.proposal.activities}
    assert sum(map(len, data["template_defaults"].values())) == sum(
        len(activities[a].defaults) for a in data["template_defaults"]
    )
    assert len({line.activity for line in est.lines}) < len(est.lines)
