"""The web app in a real browser: Debian's Chromium, headless, driven by Playwright (launched by
its path: a browser build that a tool downloads cannot be fetched here). Without Chromium the
tests are skipped with a message, except under CI (CI=true), where they fail.

A delegate builds a proposal from nothing with the keyboard and the form (a meeting, a document,
a template with a default overridden), sees the total, and downloads an annex that is the
command line's for the same proposal file; every seed goes in and comes back; the hostile texts
of the command line's corpus stay text."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from webform import HOSTILE, figures

from estimator import api
from estimator.web.app import create_app
from estimator.web.server import address, listen

CHROMIUM = "/usr/bin/chromium"
INSTALL_HINT = (
    "Chromium is not installed: install it with `apt-get install chromium` to run the web"
    " app's browser tests"
)
ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.toml"))

pytestmark = pytest.mark.chromium


def require_chromium() -> str:
    if Path(CHROMIUM).is_file():
        return CHROMIUM
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and {INSTALL_HINT}")
    pytest.skip(INSTALL_HINT)


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    """The app served by uvicorn on a free port of the loopback address."""
    sock = listen("127.0.0.1", 0)
    config = uvicorn.Config(create_app(), log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield address(sock)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    exe = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=exe, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    try:
        yield opened
    finally:
        context.close()


def _add(page: Any, kind: str) -> None:
    """Add an activity with the keyboard: choose its kind, Tab to the button, Enter."""
    page.locator("#new-kind").select_option(kind)
    page.locator("#new-kind").focus()
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _download(page: Any, what: str, folder: Path) -> Path:
    with page.expect_download() as info:
        page.locator(f'button[name="download"][value="{what}"]').click()
    download = info.value
    path = folder / download.suggested_filename
    download.save_as(path)
    return path


def test_a_proposal_built_from_nothing_in_the_form_gives_the_command_lines_annex(
    page: Any, url: str, tmp_path: Path
) -> None:
    page.goto(url)
    page.fill("#f-proposal-reference", "PP26/99/1")
    page.fill("#f-proposal-title", "Capacity building on AI standards")
    page.fill("#f-proposal-conference", "PP-26")
    page.fill("#f-proposal-submitted_by", "Kenya\nGhana")
    page.select_option("#f-proposal-responsible", "ITU-D")
    page.fill("#f-proposal-period-0", "2027")
    page.fill("#f-proposal-period-1", "2028")

    _add(page, "meeting")
    # the new activity's first field has the focus: the keyboard user types on
    assert page.evaluate("document.activeElement.id") == "f-activity-0-id"
    page.keyboard.type("workshop")
    page.fill("#f-activity-0-title", "Regional workshop")
    page.fill("#f-activity-0-days", "2")
    page.check('input[name="activity.0.languages"][value="en"]')
    page.check('input[name="activity.0.languages"][value="fr"]')

    _add(page, "documentation")
    page.fill("#f-activity-1-id", "report")
    page.fill("#f-activity-1-title", "Report to Council")
    page.fill("#f-activity-1-pages", "40")
    page.select_option("#f-activity-1-per", "year")

    _add(page, "wtsa.focus-group")
    page.fill("#f-activity-2-id", "fg")
    page.fill("#f-activity-2-title", "Focus group on AI for networks")
    page.fill("#f-activity-2-meetings", "3")  # overrides the default of 4 a year

    with page.expect_navigation():
        page.get_by_role("button", name="Update the estimate").last.click()
    shown = page.inner_text(".total-figure")

    proposal = _download(page, "toml", tmp_path)
    annex = _download(page, "md", tmp_path)
    assert proposal.name == "PP26-99-1.proposal.toml"
    os.chdir(tmp_path)  # the command line is given the file by the name it downloaded as
    try:
        outcome = api.estimate_file(proposal.name)
    finally:
        os.chdir(ROOT)
    assert outcome.ok and outcome.estimate is not None, outcome.diagnostics
    assert shown == f"CHF\u00a0{outcome.estimate.total:,.2f}"
    cli_annex = api.render(outcome.estimate, api.RenderOptions(formats=("md",)))["md"]
    assert annex.read_bytes() == cli_annex
    data = outcome.estimate.proposal.activities
    assert [a.spec.kind for a in data][:2] == ["meeting", "documentation"]

    # as you type, the script updates the total without a button
    before = page.inner_text("#status")
    page.fill("#f-activity-0-days", "4")
    page.wait_for_function(
        "before => document.getElementById('status').textContent !== before", arg=before
    )
    assert page.inner_text("#status").startswith("Total CHF ")


def test_every_seed_opened_in_the_form_downloads_back_as_an_equivalent_proposal(
    page: Any, url: str, tmp_path: Path
) -> None:
    for seed in SEEDS:
        page.goto(url)
        page.set_input_files("#upload-file", str(seed))
        with page.expect_navigation():
            page.get_by_role("button", name="Open", exact=True).click()
        assert page.inner_text(".note") == f"Opened {seed.name}."
        back = _download(page, "toml", tmp_path)
        original, again = api.estimate_file(seed), api.estimate_file(back)
        assert original.estimate is not None and again.estimate is not None, again.diagnostics
        as_json = api.RenderOptions(formats=("json",))
        assert figures(api.render(again.estimate, as_json)["json"]) == figures(
            api.render(original.estimate, as_json)["json"]
        ), seed.name


def test_the_command_lines_hostile_text_typed_in_the_form_stays_text(page: Any, url: str) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(url)
    page.fill("#f-proposal-reference", "PP26/1")
    page.fill("#f-proposal-title", HOSTILE)
    page.fill("#f-proposal-conference", HOSTILE[:40])
    page.fill("#f-proposal-submitted_by", HOSTILE)
    page.select_option("#f-proposal-responsible", "GS")
    page.fill("#f-proposal-period-0", "2027")
    page.fill("#f-proposal-period-1", "2027")
    _add(page, "services")
    page.fill("#f-activity-0-id", "portal")
    page.fill("#f-activity-0-title", HOSTILE)
    page.fill("#f-activity-0-justification", HOSTILE)
    page.fill("#f-activity-0-amount", "1000")
    with page.expect_navigation():
        page.get_by_role("button", name="Update the estimate").last.click()
    assert dialogs == []
    assert page.input_value("#f-proposal-title") == HOSTILE
    assert page.input_value("#f-activity-0-justification") == HOSTILE
    assert page.evaluate("document.scripts.length") == 1  # the app's own, nothing injected
    assert page.locator("b", has_text="bold").count() == 0
    assert page.inner_text(".total-figure") == "CHF\u00a01,000.00"


def test_choosing_a_language_for_the_downloads_shows_the_estimate_in_it_as_you_choose(
    page: Any, url: str
) -> None:
    page.goto(url)
    with page.expect_navigation():
        page.get_by_role("button", name="Start from the example proposal").click()
    assert page.get_attribute(".figures", "lang") == "en"
    page.select_option("#lang", "ar")  # no button: the script asks for the estimate again
    page.wait_for_selector('.figures[lang="ar"]')
    figures_ = page.locator(".figures")
    assert figures_.evaluate("e => getComputedStyle(e).direction") == "rtl"
    # the page's own words stay English, left to right
    assert page.evaluate("getComputedStyle(document.body).direction") == "ltr"
    assert page.inner_text("#status").startswith("Total ")
    # the same page posted (no script) is in the same language
    with page.expect_navigation():
        page.get_by_role("button", name="Update the estimate").last.click()
    assert page.get_attribute(".figures", "lang") == "ar"
    assert page.input_value("#lang") == "ar"
