"""The web app (``finimpact serve``) over HTTP, in-process (Starlette's TestClient): the form
offers every kind and template, a proposal built in it is costed as the command line costs it,
every download is byte for byte the command line's, every seed goes in and comes back, problems
are shown at their fields, and nothing a request sends can break out of its place."""

from __future__ import annotations

import html
import logging
import re
import signal
import subprocess
import sys
import tomllib
import urllib.request
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from starlette.testclient import TestClient
from typer.testing import CliRunner
from webform import HOSTILE, figures, form_fields

from cost_models.kinds import KINDS
from estimator import api
from estimator.cli.app import app as cli
from estimator.core import templates as activity_templates
from estimator.render import wording
from estimator.render.outputs import RENDERERS
from estimator.web import app as web
from estimator.web.fields import KIND_FORMS, PROPOSAL_FIELDS
from estimator.web.tomlwrite import dumps

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.toml"))


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(web.create_app(), raise_server_exceptions=False)


FORM = {"content-type": "application/x-www-form-urlencoded"}
IDENTIFICATION = {
    "proposal.reference": "PP26/99/1",
    "proposal.title": "Capacity building on AI standards",
    "proposal.conference": "PP-26",
    "proposal.submitted_by": "Kenya\r\nGhana",
    "proposal.responsible": "ITU-D",
    "proposal.period.0": "2027",
    "proposal.period.1": "2028",
}
BUILT = {
    **IDENTIFICATION,
    "activity.0.kind": "meeting",
    "activity.0.id": "workshop",
    "activity.0.title": "Regional workshop",
    "activity.0.days": "2",
    "activity.0.languages": ["en", "fr"],
    "activity.1.kind": "documentation",
    "activity.1.id": "report",
    "activity.1.title": "Report to Council",
    "activity.1.pages": "40",
    "activity.1.per": "year",
    "activity.2.kind": "wtsa.focus-group",
    "activity.2.id": "fg",
    "activity.2.title": "Focus group on AI for networks",
    "activity.2.meetings": "3",
}
"""A proposal from nothing: a meeting, a document, a template with one default overridden."""


def _post(client: TestClient, fields: dict[str, Any], **extra: str) -> Any:
    return client.post("/", data={**fields, **extra})


def _problems_at(html: str, name: str) -> str:
    found = re.search(rf'data-problems-for="{re.escape(name)}"[^>]*>(.*?)</div>', html, flags=re.S)
    return found[1] if found else ""


# -- the form ---------------------------------------------------------------------------------


def test_the_form_offers_every_elemental_kind_and_every_template(client: TestClient) -> None:
    page = client.get("/").text
    offered = re.findall(r'<option value="([^"]+)">', page.split('id="new-kind"')[1])
    assert set(KINDS.names) | set(activity_templates.catalogue()) <= set(offered)


def test_every_field_has_a_label_and_help_and_every_template_default_its_reason() -> None:
    assert set(KIND_FORMS) == set(KINDS.names) | set(activity_templates.catalogue())
    for spec in KIND_FORMS.values():
        for f in spec.fields:
            assert f.label and (f.help or f.why), f"{spec.name}.{f.key} has no help"
            if spec.template and f.key in activity_templates.catalogue()[spec.name].parameters:
                assert f.why, f"{spec.name}.{f.key} does not say why its default"
    for f in PROPOSAL_FIELDS:
        assert f.label and f.help, f"proposal.{f.key} has no help"


def test_a_template_shows_its_parts_and_each_default_with_its_reason(
    client: TestClient,
) -> None:
    page = _post(client, IDENTIFICATION, action="add", new_kind="wtsa.focus-group").text
    template = activity_templates.catalogue()["wtsa.focus-group"]
    for part in template.spec.part:
        assert part.description.replace("'", "&#39;") in page
    for p in template.spec.parameter:
        why = p.why.replace("'", "&#39;")
        assert why in page, p.key


def test_every_field_is_labelled_by_a_label_tied_to_it(client: TestClient) -> None:
    page = _post(client, BUILT).text
    ids = re.findall(r'<(?:input|select|textarea) id="([^"]+)"', page)
    assert len(ids) > 30
    labelled = set(re.findall(r'<label for="([^"]+)"', page))
    assert [i for i in ids if i not in labelled] == []


def test_the_page_loads_nothing_from_elsewhere(client: TestClient) -> None:
    response = client.get("/")
    assert not re.search(r'(src|href|action)="(https?:)?//', response.text)
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    for name in ("app.css", "app.js"):
        asset = client.get(f"/static/{name}")
        assert asset.status_code == 200
        assert not re.search(r"url\(|@import|https?://", asset.text)


def test_the_form_works_without_script_adding_moving_and_removing_activities(
    client: TestClient,
) -> None:
    page = _post(client, IDENTIFICATION, action="add", new_kind="meeting").text
    page = _post(client, dict(form_fields(page)), action="add", new_kind="travel").text
    fields = dict(form_fields(page))
    assert [fields["activity.0.kind"], fields["activity.1.kind"]] == ["meeting", "travel"]
    page = _post(client, fields, action="up:1").text
    fields = dict(form_fields(page))
    assert [fields["activity.0.kind"], fields["activity.1.kind"]] == ["travel", "meeting"]
    page = _post(client, fields, action="remove:0").text
    fields = dict(form_fields(page))
    assert fields["activity.0.kind"] == "meeting" and "activity.1.kind" not in fields


# -- the estimate -----------------------------------------------------------------------------


def test_a_proposal_built_in_the_form_is_costed_as_the_command_line_costs_its_file(
    client: TestClient, tmp_path: Path
) -> None:
    toml = _post(client, BUILT, download="toml")
    assert toml.status_code == 200
    path = tmp_path / "PP26-99-1.proposal.toml"
    path.write_bytes(toml.content)
    outcome = api.estimate_file(path)
    assert outcome.ok and outcome.estimate is not None, outcome.diagnostics
    page = _post(client, BUILT).text
    total = f"{outcome.estimate.total:,.2f}"
    assert f'<span class="total-figure">CHF\u00a0{total}</span>' in page  # as the annex says it
    assert f"Total CHF {total}" in page  # the status line a screen reader announces
    for year, amount in outcome.estimate.by_year().items():
        assert re.search(rf"<th scope=\"row\">{year}</th><td class=\"num\">{amount:,.2f}<", page)
    assert "additional credits required" in page
    # a card built from public figures is said to be so, as the command line's summary says
    indicative = "The rates are indicative (public figures), not ITU standard costs."
    assert (indicative in page) is outcome.estimate.card.indicative


def test_every_download_is_byte_for_byte_what_the_command_line_writes(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The proposal downloaded, saved under the name it came with and given to `finimpact
    estimate` in its folder, gives the same bytes in every format, whatever the rounding."""
    toml = _post(client, BUILT, download="toml")
    name = re.findall(r'filename="([^"]+)"', toml.headers["content-disposition"])[0]
    assert name == "PP26-99-1.proposal.toml"
    (tmp_path / name).write_bytes(toml.content)
    monkeypatch.chdir(tmp_path)
    for round_to, lang in (("1", ""), ("1000", "fr")):
        out = tmp_path / f"out-{round_to}"
        options = ["--round-to", round_to, *(["--lang", lang] if lang else [])]
        done = CliRunner().invoke(cli, ["estimate", name, "--out", str(out), *options])
        assert done.exit_code == 0, done.output
        for fmt, (suffix, _renderer) in RENDERERS.items():
            got = _post(client, BUILT, download=fmt, round_to=round_to, lang=lang)
            assert got.status_code == 200
            assert got.headers["content-disposition"] == (
                f'attachment; filename="PP26-99-1.{suffix}"'
            )
            assert got.content == (out / f"PP26-99-1.{suffix}").read_bytes(), fmt


def _figures_part(page: str) -> str:
    """The estimate's figures beside the form: the element that carries their language."""
    found = re.search(r'<div class="figures"(.*?)\n</div>', page, flags=re.S)
    assert found, "no estimate shown"
    return found[0]


@pytest.mark.parametrize("lang", ["fr", "ar", "zh"])
def test_the_estimate_beside_the_form_is_in_the_language_chosen_for_the_downloads(
    client: TestClient, lang: str
) -> None:
    outcome = api.estimate_text(_post(client, BUILT, download="toml").text, "p.toml")
    assert outcome.estimate is not None
    est = outcome.estimate
    page = _post(client, BUILT, lang=lang).text
    shown = _figures_part(page)
    direction = "rtl" if lang == "ar" else "ltr"
    assert shown.startswith(f'<div class="figures" lang="{lang}" dir="{direction}">')
    with wording.language(lang):
        total = wording.currency_amount(est.currency, wording.FORMATS.cents(est.total))
        words = [
            wording._("By year"),
            wording._("By object of expenditure"),
            wording._("Article 34"),
            wording.label(wording.VERDICTS, est.article34.verdict),
        ]
    with wording.language("en"):
        english = [wording._("By year"), wording._("By object of expenditure")]
    assert f'<span class="total-figure">{html.escape(total)}</span>' in shown
    for word in words:
        assert html.escape(word) in shown
    for word in english:
        assert word not in shown
    # the page's own words, the status line and the problems stay English, outside that part
    assert f"Total {est.currency} {est.total:,.2f}" in page
    assert '<html lang="en">' in page
    # while typing, the script's answer is in the same language
    live = client.post("/live", data={**BUILT, "lang": lang}).json()
    assert _figures_part(live["feedback"]) == shown


def test_the_estimate_beside_the_form_follows_the_proposals_own_language_else_english(
    client: TestClient,
) -> None:
    french = _figures_part(_post(client, {**BUILT, "proposal.output_language": "fr"}).text)
    assert french.startswith('<div class="figures" lang="fr" dir="ltr">')
    english = _figures_part(_post(client, BUILT).text)
    assert english.startswith('<div class="figures" lang="en" dir="ltr">')
    assert "By object of expenditure" in english
    # the language chosen for the downloads wins over the proposal's, as --lang does
    chosen = _post(client, {**BUILT, "proposal.output_language": "fr"}, lang="es").text
    assert _figures_part(chosen).startswith('<div class="figures" lang="es" dir="ltr">')


def test_an_unknown_language_is_refused_by_the_live_answer_too(client: TestClient) -> None:
    answer = client.post("/live", data={**BUILT, "lang": "xx"})
    assert answer.status_code == 400
    assert answer.text == "unknown language 'xx'\n"


def test_a_problem_is_shown_at_its_field_not_as_a_file_position(client: TestClient) -> None:
    page = _post(client, {**BUILT, "activity.0.days": "-2", "activity.1.pages": ""}).text
    assert "must be more than 0, not -2" in _problems_at(page, "activity.0.days")
    assert 'id="f-activity-0-days"' in page
    assert re.search(r'id="f-activity-0-days"[^>]*aria-invalid="true"', page)
    assert "pages" in _problems_at(page, "activity.1.pages") + _problems_at(page, "activity.1")
    assert not re.search(r"proposal\.toml:\d+:\d+", page)
    assert 'href="#f-activity-0-days"' in page  # the summary links to the field


def _summary(page: str) -> list[str]:
    """The problems listed above the estimate, as read: 'label: message'."""
    found = re.search(r'<div class="summary-problems".*?</ul>', page, flags=re.S)
    items = re.findall(r"<li[^>]*>(.*?)</li>", found[0] if found else "", flags=re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", item)) for item in items]


def test_activities_are_named_by_their_id_in_legends_buttons_and_problems(
    client: TestClient,
) -> None:
    no_id = {k: v for k, v in BUILT.items() if k != "activity.2.id"}
    page = _post(client, {**no_id, "activity.0.days": "-2", "activity.2.meetings": "x"}).text
    legends = [html.unescape(t) for t in re.findall(r"<legend>(Activity.*?)</legend>", page)]
    titles = [KIND_FORMS[no_id[f"activity.{i}.kind"]].title for i in range(3)]
    assert legends == [
        f"Activity 'workshop': {titles[0]}",
        f"Activity 'report': {titles[1]}",
        f"Activity 3: {titles[2]}",  # no id: its place in the list
    ]
    listed = _summary(page)
    assert "Activity 'workshop': Days: must be more than 0, not -2" in listed
    assert any(p.startswith("Activity 3: Id: ") for p in listed)
    assert not any(p.startswith(("Activity 1", "Activity 2")) for p in listed)
    removes = re.findall(r'value="remove:\d+" class="danger">(.*?)</button>', page)
    assert [html.unescape(re.sub(r"<[^>]+>", "", b)) for b in removes] == [
        "Remove Activity 'workshop'",
        "Remove Activity 'report'",
        "Remove Activity 3",
    ]


def test_two_activities_with_one_id_are_told_apart_by_their_place_never_a_line_number(
    client: TestClient,
) -> None:
    twice = {**BUILT, "activity.1.id": "workshop"}
    page = _post(client, twice).text
    legends = [html.unescape(t) for t in re.findall(r"<legend>(Activity.*?)</legend>", page)]
    assert [t.split(":")[0] for t in legends] == ["Activity 1", "Activity 2", "Activity 'fg'"]
    under = html.unescape(_problems_at(page, "activity.1.id"))
    assert "another activity has the id 'workshop' (activity no. 1)" in under
    assert "line" not in under  # the form has no lines: a file the delegate never sees has
    # the script's answer while typing says the same under the field
    live = client.post("/live", data=twice).json()
    assert [p["text"] for p in live["errors"]["activity.1.id"]] == [
        re.sub(r"<[^>]+>", "", p).removeprefix("Problem: ")
        for p in re.findall(r"<p class=\"error\">(.*?)</p>", under)
    ]


def test_a_template_default_overridden_in_the_form_is_used(client: TestClient) -> None:
    fields = {k: v for k, v in BUILT.items() if not k.startswith(("activity.0", "activity.1"))}
    fewer = _post(client, fields, download="json")
    more = _post(client, {**fields, "activity.2.meetings": "6"}, download="json")
    lines = [figures(r.content)["lines"] for r in (fewer, more)]
    interpretation = [
        sum(Decimal(x["quantity"]) for x in ls if x["element"] == "conference-services")
        for ls in lines
    ]
    assert interpretation[1] == 2 * interpretation[0]


def test_the_live_answer_places_each_problem_at_its_field(client: TestClient) -> None:
    answer = client.post("/live", data={**BUILT, "activity.0.days": "-2"}).json()
    assert "must be more than 0" in answer["errors"]["activity.0.days"][0]["text"]
    assert answer["status"].startswith("No estimate yet")
    good = client.post("/live", data=BUILT).json()
    assert good["status"].startswith("Total CHF ")
    assert all(p["warning"] for ps in good["errors"].values() for p in ps)
    assert set(good["costs"]) == {"0", "1", "2"}


@pytest.mark.parametrize("seed", SEEDS, ids=[s.stem for s in SEEDS])
def test_the_live_answer_gives_the_pages_total_and_problems(client: TestClient, seed: Path) -> None:
    page = client.post("/upload", files={"proposal": (seed.name, seed.read_bytes())})
    fields = form_fields(page.text)
    shown = client.post("/", content=urlencode(fields), headers=FORM).text
    answer = client.post("/live", content=urlencode(fields), headers=FORM).json()
    assert f">{answer['status']}<" in shown
    assert answer["status"].startswith("Total ")
    for name, problems in answer["errors"].items():
        for p in problems:
            assert html.escape(p["text"]) in _problems_at(shown, name)


NEWER = """\
format = 1

[proposal]
reference    = "PP26/99/7"
title        = "A proposal written for a newer version"
conference   = "PP-26"
submitted_by = ["Kenya"]
responsible  = "ITU-D"
period       = [2027, 2028]

[[activity]]
id        = "hybrid"
kind      = "meeting.hybrid"
title     = "Hybrid \\"town hall\\" meeting"
days      = 2
rate      = 0.75
languages = ["en", "fr"]
starts    = 2027-03-01
rooms     = { main = 2, side = [1, 2] }

[[activity]]
id    = "adviser"
kind  = "consultant"
title = "Legal adviser"
days  = 10
per   = "year"
"""
"""A proposal whose first activity is of a kind this version does not know."""


def _round_trip(client: TestClient, fields: list[tuple[str, str]]) -> tuple[str, Any]:
    """The form submitted as a browser submits it: the page again, and its TOML download."""
    page = client.post("/", content=urlencode(fields), headers=FORM).text
    toml = client.post("/", content=urlencode([*fields, ("download", "toml")]), headers=FORM)
    return page, tomllib.loads(toml.text, parse_float=Decimal)


def test_an_activity_of_an_unknown_kind_keeps_what_was_written_through_every_submit(
    client: TestClient,
) -> None:
    written = tomllib.loads(NEWER, parse_float=Decimal)
    page = client.post("/upload", files={"proposal": ("newer.toml", NEWER.encode())}).text
    for _submit in range(2):
        page, back = _round_trip(client, form_fields(page))
        assert back["activity"] == written["activity"]
    # the problem is told under the kind, with the kinds this version knows
    under = html.unescape(re.sub(r"<[^>]+>", "", _problems_at(page, "activity.0.kind")))
    assert "unknown kind 'meeting.hybrid'" in under
    for kind in KIND_FORMS:
        assert kind in under
    assert 'id="f-activity-0-kind"' in page  # the kind is a field, to correct


def test_an_unknown_kind_corrected_fills_that_kinds_fields_with_what_was_kept(
    client: TestClient,
) -> None:
    known = NEWER.replace("meeting.hybrid", "meeting").replace("rate      = 0.75\n", "")
    known = known.replace("starts    = 2027-03-01\n", "").replace(
        "rooms     = { main = 2, side = [1, 2] }\n", ""
    )
    page = client.post(
        "/upload", files={"proposal": ("newer.toml", known.replace('"meeting"', '"meting"'))}
    ).text
    fields = [(k, "meeting" if k == "activity.0.kind" else v) for k, v in form_fields(page)]
    page, back = _round_trip(client, fields)
    assert back["activity"] == tomllib.loads(known, parse_float=Decimal)["activity"]
    assert html.unescape(_value_of(page, "f-activity-0-title")) == 'Hybrid "town hall" meeting'
    assert re.search(r'name="activity.0.languages" value="fr" checked', page)
    assert "Total CHF " in page


def test_where_a_file_is_opened_the_page_says_its_comments_are_not_kept(
    client: TestClient,
) -> None:
    commented = NEWER.replace(
        '[[activity]]\nid    = "adviser"', '# the adviser\'s days\n[[activity]]\nid    = "adviser"'
    )
    assert "# the adviser's days" in commented
    opened = client.post("/upload", files={"proposal": ("c.toml", commented.encode())}).text
    back = client.post(
        "/", content=urlencode([*form_fields(opened), ("download", "toml")]), headers=FORM
    ).text
    assert "#" not in back  # what the sentence says: the comment is gone
    for page in (client.get("/").text, opened):
        said = re.search(r'<p class="help" id="upload-comments">(.*?)</p>', page)
        assert said and html.unescape(said[1]) == (
            "Comments in the file are not kept: the form holds its values, and the proposal"
            " file it downloads is written afresh from them."
        )
        # beside the Open button, and read with the file field by a screen reader
        assert 'aria-describedby="upload-comments"' in page


def _value_of(page: str, field_id: str) -> str:
    found = re.search(rf'<(?:input|textarea)[^>]*id="{field_id}"[^>]*>', page)
    assert found, field_id
    value = re.search(r'value="([^"]*)"', found[0])
    if value:
        return value[1]
    rest = page[found.end() :]
    return rest[: rest.index("</textarea>")].removeprefix("\n")


# -- files in and out -------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS, ids=[s.stem for s in SEEDS])
def test_every_seed_uploaded_then_downloaded_gives_an_equivalent_proposal(
    client: TestClient, seed: Path
) -> None:
    page = client.post("/upload", files={"proposal": (seed.name, seed.read_bytes())})
    assert page.status_code == 200
    fields = form_fields(page.text)
    back = client.post("/", content=urlencode([*fields, ("download", "toml")]), headers=FORM)
    assert back.status_code == 200
    original = api.estimate_file(seed)
    again = api.estimate_text(back.text, "back.toml")
    assert original.estimate is not None and again.estimate is not None, again.diagnostics
    as_json = api.RenderOptions(formats=("json",))
    assert figures(api.render(again.estimate, as_json)["json"]) == figures(
        api.render(original.estimate, as_json)["json"]
    )


@pytest.mark.parametrize("seed", SEEDS, ids=[s.stem for s in SEEDS])
def test_the_toml_writer_gives_back_every_seed(seed: Path) -> None:
    data = tomllib.loads(seed.read_text("utf-8"), parse_float=Decimal)
    assert tomllib.loads(dumps(data), parse_float=Decimal) == data


def test_the_toml_writer_keeps_any_text_as_text() -> None:
    texts = [HOSTILE, 'a"b\\c', "line\nbreak\ttab\x00nul\x1b[31m\x7fdel", "Côte d'Ivoire ☃"]
    data = {"proposal": {"title": texts[0]}, "activity": [{"note": t} for t in texts]}
    assert tomllib.loads(dumps(data)) == data


def test_an_upload_that_is_not_a_proposal_is_told_and_the_form_stays_empty(
    client: TestClient,
) -> None:
    card = ROOT / "cost_models" / "cards" / "un-new-york.toml"
    page = client.post("/upload", files={"proposal": (card.name, card.read_bytes())})
    assert page.status_code == 422
    assert "could not be opened as a proposal" in page.text
    broken = client.post("/upload", files={"proposal": ("x.toml", b"format = 1\n[proposal\n")})
    assert broken.status_code == 422 and "x.toml" in broken.text
    assert "line 2, column" in broken.text  # a file's own problem, where it is in the file
    latin = b'format = 1\n[proposal]\ntitle = "C\xf4te"\n'
    told = client.post("/upload", files={"proposal": ("latin.toml", latin)})
    assert told.status_code == 422 and "line 3, column 11: file is not UTF-8 text" in told.text


def _start_box(page: str) -> str:
    found = re.search(r'<section class="open".*?</section>', page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", found[0])) if found else ""


def test_a_file_that_cannot_be_opened_is_told_beside_the_open_button_as_the_cli_prints_it(
    client: TestClient, tmp_path: Path
) -> None:
    files = {
        "unq.toml": b'format = 1\n[proposal]\ntitle = "x"\nreference = PP26\n',
        "latin.toml": b'title = "caf\xe9"',
    }
    for name, raw in files.items():
        (tmp_path / name).write_bytes(raw)
        printed = CliRunner().invoke(cli, ["estimate", str(tmp_path / name)]).output
        line = next(x for x in printed.splitlines() if x.startswith(str(tmp_path / name)))
        page = client.post("/upload", files={"proposal": (name, raw)})
        assert page.status_code == 422 and f"Opened {name}" not in page.text
        start = _start_box(page.text)
        assert f"{name} could not be opened as a proposal:" in start
        assert line.removeprefix(f"{tmp_path}/") in start  # 'unq.toml:4:13: TOML syntax error'


def test_an_upload_keeps_what_the_form_cannot_hold_told(client: TestClient) -> None:
    text = (SEEDS[0].read_text("utf-8")).replace("[proposal]", '[proposal]\ntitel = "x"', 1)
    page = client.post("/upload", files={"proposal": ("p.toml", text.encode())}).text
    assert "did you mean &#39;title&#39;?" in page


# -- safe by construction ---------------------------------------------------------------------


def test_hostile_text_in_every_field_is_shown_as_text(client: TestClient) -> None:
    fields = {**BUILT, "proposal.title": HOSTILE, "activity.0.title": HOSTILE}
    fields["activity.0.note"] = HOSTILE
    page = _post(client, fields).text
    assert "<script>alert" not in page and "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "{{ 7*7 }}" in page and ">49<" not in page
    back = _post(client, fields, download="toml").text
    data = tomllib.loads(back)
    assert data["proposal"]["title"] == HOSTILE and data["activity"][0]["note"] == HOSTILE


def test_a_number_too_long_for_any_quantity_is_a_problem_at_its_field(
    client: TestClient,
) -> None:
    page = _post(client, {**BUILT, "activity.0.days": "9" * 5000})
    assert page.status_code == 200
    assert "must be a number" in _problems_at(page.text, "activity.0.days")
    page = _post(client, {**BUILT, "activity.0.count": "1e999999"})
    assert "out of range" in _problems_at(page.text, "activity.0.count")


def test_a_word_in_a_number_field_is_told_as_a_form_says_it_not_as_a_file_does(
    client: TestClient,
) -> None:
    page = _post(client, {**BUILT, "activity.0.days": "trois"}).text
    told = _problems_at(page, "activity.0.days")
    assert "must be a number, like 5" in told and "quotes" not in told
    live = client.post("/live", data={**BUILT, "activity.0.days": "trois"}).json()
    assert [p["text"] for p in live["errors"]["activity.0.days"]] == ["must be a number, like 5"]
    page = _post(client, {**BUILT, "activity.0.days": "1 100,5", "activity.2.meetings": "trois"})
    days = html.unescape(_problems_at(page.text, "activity.0.days"))
    assert "write 1100.5" in days and "quotes" not in days
    meetings = html.unescape(_problems_at(page.text, "activity.2.meetings"))
    assert "must be a whole number, not 'trois'" in meetings and "quotes" not in meetings


def test_an_upload_larger_than_a_proposal_may_be_is_refused_with_413(client: TestClient) -> None:
    big = b"# " + b"x" * (web.MAX_PROPOSAL + 10) + b"\n"
    got = client.post("/upload", files={"proposal": ("big.toml", big)})
    assert got.status_code == 413 and "too large" in got.text


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("put", "/", {}, 405),
        ("get", "/nothing", {}, 404),
        ("get", "/static/../app.py", {}, 404),
        ("get", "/static/%2e%2e%2fapp.py", {}, 404),
        ("get", "/static/page.html.j2", {}, 404),
        ("post", "/", {"content": b"{}", "headers": {"content-type": "application/json"}}, 415),
        ("post", "/upload", {"data": {"a": "b"}}, 415),
        (
            "post",
            "/upload",
            {
                "content": b"--x\r\nContent-Disposition: form-data\r\n\r\nbroken",
                "headers": {"content-type": "multipart/form-data; boundary=x"},
            },
            400,
        ),
        ("post", "/", {"data": {"download": "../../etc/passwd"}}, 400),
        ("post", "/", {"data": {"proposal.title": "x" * (web.MAX_BODY + 1)}}, 413),
    ],
)
def test_a_malformed_request_gets_a_4xx_with_a_reason_never_a_traceback(
    client: TestClient, method: str, path: str, kwargs: dict[str, Any], status: int
) -> None:
    got = getattr(client, method)(path, **kwargs)
    assert got.status_code == status, got.text
    assert "Traceback" not in got.text and len(got.text.splitlines()) <= 1


def test_a_malformed_upload_leaves_nothing_on_the_console_beyond_its_400(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        got = client.post(
            "/upload",
            content=b"garbage, not a part",
            headers={"content-type": "multipart/form-data; boundary=x"},
        )
    assert got.status_code == 400 and got.text == "malformed request: Invalid multipart data.\n"
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_a_bug_is_a_one_line_500_never_a_traceback(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any) -> Any:
        raise RuntimeError("/home/someone/secret path")

    monkeypatch.setattr(web, "evaluate", broken)
    got = _post(client, BUILT)
    assert got.status_code == 500
    assert got.text == "internal error; please report it\n"


def test_one_users_proposal_is_never_shown_to_another(client: TestClient) -> None:
    _post(client, {**BUILT, "proposal.title": "Secret of delegation A"})
    other = TestClient(web.create_app())
    assert "Secret of delegation A" not in other.get("/").text
    assert "Secret of delegation A" not in client.get("/").text


def test_no_machine_path_is_reachable_through_the_rate_card(client: TestClient) -> None:
    page = _post(client, {**BUILT, "proposal.rate_card": "/etc/passwd"}).text
    assert "no shipped rate card is called" in page
    assert "root:" not in page


# -- finimpact serve --------------------------------------------------------------------------


def _finimpact() -> list[str]:
    beside = Path(sys.executable).with_name("finimpact")
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "estimator"]


def test_serve_prints_its_local_address_serves_the_form_and_stops_on_ctrl_c() -> None:
    proc = subprocess.Popen(
        [*_finimpact(), "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = proc.stdout.readline() if proc.stdout else ""
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", first)
        assert found, first
        with urllib.request.urlopen(found[0], timeout=30) as page:
            assert "Financial implications of a proposal" in page.read().decode()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "stopped" in out and "Traceback" not in err


def test_serve_on_a_port_in_use_says_so_in_one_line() -> None:
    from estimator.web.server import listen

    taken = listen("127.0.0.1", 0)
    try:
        port = taken.getsockname()[1]
        done = subprocess.run(
            [*_finimpact(), "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        taken.close()
    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr
