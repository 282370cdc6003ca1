"""The web app: one page, a form and the estimate beside it, over ``estimator.api``.

The app keeps nothing between requests: each request carries the whole proposal (the form's
fields, or an uploaded file), so one person's proposal is never seen by another, and nothing is
written to disk (the outputs are rendered in memory). The page shows the estimate of the
form's tables, as its script's ``/live`` does (the same figures and problems, never a line
number of a file the delegate does not see); every download is made from the TOML text the
'proposal as TOML' download gives, so it is byte for byte what ``finimpact estimate`` writes
for that file with the same options.

Routes: ``GET /`` the empty form; ``POST /`` the form (estimate, add, remove or move an
activity, download); ``POST /live`` the estimate and problems as JSON, for the page's script;
``POST /upload`` a TOML proposal that fills the form; ``GET /static/...`` the stylesheet and
the script. A request that is not what these take gets a 4xx with a one-line reason.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Message

from estimator import __version__, api
from estimator.render.outputs import RENDERERS, safe_stem
from estimator.web import form as forms
from estimator.web.feedback import Feedback, feedback
from estimator.web.fields import KIND_FORMS, PROPOSAL_FIELDS, shown
from estimator.web.tomlwrite import dumps

HERE = Path(__file__).resolve().parent
MAX_PROPOSAL = 2 * 1024 * 1024
"""The largest proposal file, as the command line reads them (docs/proposal-format.md)."""
MAX_BODY = MAX_PROPOSAL + 64 * 1024
"""The largest request: a proposal and the form's other fields, or a multipart upload."""
MAX_FIELDS = 20_000
ROUND_TO = (1, 100, 1000)
LANGUAGES = {
    "": "the proposal's (else English)",
    "ar": "Arabic",
    "zh": "Chinese",
    "en": "English",
    "fr": "French",
    "ru": "Russian",
    "es": "Spanish",
}
"""The languages of the documents (--lang), as the download offers them."""
DOWNLOADS: dict[str, tuple[str, str]] = {
    # what: (file suffix, media type)
    "docx": (
        "annex.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "html": ("annex.html", "text/html; charset=utf-8"),
    "md": ("annex.md", "text/markdown; charset=utf-8"),
    "xlsx": (
        "workings.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "json": ("estimate.json", "application/json"),
    "toml": ("proposal.toml", "application/toml; charset=utf-8"),
}
STATIC = {"app.css": "text/css; charset=utf-8", "app.js": "text/javascript; charset=utf-8"}
HEADERS = {
    # nothing from elsewhere: no CDN, no font, no frame; scripts and styles from this app only
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
COMMENTS_NOT_KEPT = (
    "Comments in the file are not kept: the form holds its values, and the proposal file it"
    " downloads is written afresh from them."
)
"""Said where a file is opened: keeping a file's comments through a form is not done."""
log = logging.getLogger("finimpact.web")
ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class ServeSettings:
    """What ``finimpact serve`` was started with: the card and plan every estimate uses."""

    rates: str | None = None
    plan: str | None = None


@dataclass
class Result:
    data: dict[str, Any]
    outcome: api.Outcome | None
    """The estimate of the form's tables, which the page shows."""
    feedback: Feedback


def _assert_outputs_known() -> None:
    for fmt, (suffix, _media) in DOWNLOADS.items():
        assert fmt == "toml" or RENDERERS[fmt][0] == suffix, fmt


_assert_outputs_known()


def evaluate(settings: ServeSettings, data: dict[str, Any], lang: str = "") -> Result:
    """Estimate the proposal the form holds, from its tables (no TOML written and read back):
    the figures the downloads have, and the problems as the form places them, without the line
    numbers of a file the page never shows; the estimate shown in ``lang``, the language
    chosen for the downloads ('' for the proposal's)."""
    name = f"{stem(data)}.{DOWNLOADS['toml'][0]}"  # as the download is named
    outcome = api.estimate_data(data, name, rates=settings.rates, plan=settings.plan)
    return Result(data, outcome, feedback(outcome, [], data, lang=lang))


def as_file(settings: ServeSettings, data: dict[str, Any]) -> api.Outcome:
    """The estimate of the TOML text the form downloads as, made as ``finimpact estimate``
    makes it from that file under the name it downloads as: what every download is made of."""
    name = f"{stem(data)}.{DOWNLOADS['toml'][0]}"
    return api.estimate_text(dumps(data), name, rates=settings.rates, plan=settings.plan)


def stem(data: Mapping[str, Any]) -> str:
    info = data.get("proposal")
    reference = info.get("reference") if isinstance(info, Mapping) else None
    return safe_stem(reference if isinstance(reference, str) else "")


# -- requests -------------------------------------------------------------------------------


class TooLarge(Exception):
    pass


async def _bounded(request: Request, limit: int = MAX_BODY) -> Request:
    """The request with its body read, at most ``limit`` bytes (else TooLarge)."""
    length = request.headers.get("content-length", "")
    if length and (not length.isdigit() or int(length) > limit):
        raise TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
    body = b"".join(chunks)
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return Request(request.scope, replay)


def _content_type(request: Request, wanted: tuple[str, ...]) -> bool:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return media in wanted


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def plain(status: int, text: str) -> Response:
    return PlainTextResponse(text + "\n", status_code=status, headers=HEADERS)


Handler = Callable[[Request], Awaitable[Response]]


def guarded(handler: Handler) -> Handler:
    """A handler whose every failure is an answer in one line: 413 for too much, 400 for a
    malformed form, 415 for what is not a form, 500 (logged in one line, never shown as a
    traceback) for a bug."""

    async def run(request: Request) -> Response:
        try:
            return await handler(request)
        except TooLarge:
            return plain(413, f"too large: a request may carry at most {MAX_PROPOSAL:,} bytes")
        except HTTPException as e:
            return plain(e.status_code, f"malformed request: {e.detail}")
        except Exception as e:  # a bug: one line in the log, one line to the browser
            log.error(
                "internal error (%s) on %s %s", type(e).__name__, request.method, request.url.path
            )
            return plain(500, "internal error; please report it")

    return run


# -- pages ------------------------------------------------------------------------------------


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(HERE / "templates")),
        undefined=StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        kinds=KIND_FORMS,
        proposal_fields=PROPOSAL_FIELDS,
        text_of=forms.text_of,
        activity_name=forms.activity_name,
        as_toml=forms.as_toml,
        checked=forms.checked,
        ordered=forms.ordered,
        shown=shown,
        downloads=DOWNLOADS,
        round_to_choices=ROUND_TO,
        languages=LANGUAGES,
        version=__version__,
        DEFAULT=forms.DEFAULT,
        COMMENTS_NOT_KEPT=COMMENTS_NOT_KEPT,
    )
    env.filters["field_id"] = field_id
    env.filters["anchor"] = anchor
    return env


def field_id(name: str) -> str:
    """The HTML id of a field: 'activity.2.days' → 'f-activity-2-days' (a key kept as written
    may hold any character: what an id may not is written as '_')."""
    return "f-" + ID_UNSAFE.sub("_", name.replace(".", "-"))


def anchor(name: str) -> str:
    """Where a problem's link takes the reader: its field, its activity or the proposal."""
    if name == "proposal":
        return "proposal-section"
    if name.startswith("activity.") and name.count(".") == 1:
        return name.replace(".", "-")
    return field_id(name)


class Pages:
    def __init__(self, settings: ServeSettings) -> None:
        self.settings = settings
        self.env = environment()
        self.page = self.env.get_template("page.html.j2")
        self.live = self.env.get_template("feedback.html.j2")

    def render(
        self,
        result: Result | None,
        data: dict[str, Any],
        round_to: int = 100,
        lang: str = "",
        note: str = "",
        status: int = 200,
        focus: str = "",
        located: tuple[str, ...] = (),
    ) -> Response:
        found = result.feedback if result else Feedback()
        html = self.page.render(
            data=data,
            proposal=data.get("proposal") if isinstance(data.get("proposal"), dict) else {},
            activities=[a for a in data.get("activity", []) if isinstance(a, dict)],
            fb=found,
            errors=found.by_field(),
            round_to=round_to,
            lang=lang,
            note=note,
            settings=self.settings,
            shown_any=result is not None,
            focus=focus,
            located=located,
        )
        return HTMLResponse(html, status_code=status, headers=HEADERS)


def _round_to(value: Any) -> int:
    try:
        chosen = int(value)
    except (TypeError, ValueError):
        return 100
    return chosen if chosen in ROUND_TO else 100


def create_app(settings: ServeSettings | None = None) -> Starlette:
    """The web app, estimating with the card and plan of ``settings``."""
    settings = settings or ServeSettings()
    pages = Pages(settings)
    # a malformed multipart body is answered 400 with its reason; the parser's own warning
    # ('Expected boundary character 45, got 103 at index 2') would only litter the console
    logging.getLogger("python_multipart").setLevel(logging.ERROR)

    async def index(request: Request) -> Response:
        return pages.render(None, {"format": 1, "proposal": {}})

    async def post(request: Request) -> Response:
        if not _content_type(request, FORM_TYPES):
            return plain(415, "send the form (application/x-www-form-urlencoded)")
        request = await _bounded(request)
        async with request.form(max_files=0, max_fields=MAX_FIELDS) as posted:
            data = forms.to_data(posted)
            action = str(posted.get("action") or "estimate")
            download = str(posted.get("download") or "")
            round_to = _round_to(posted.get("round_to"))
            lang = str(posted.get("lang") or "")
            new_kind = str(posted.get("new_kind") or "")
        focus = ""
        if action == "add":
            action = f"add:{new_kind}"
        if action != "estimate":
            data = forms.edited(data, action)
            n = len(data.get("activity", []))
            focus = f"activity-{n - 1}" if action.startswith("add:") and n else ""
        if lang not in LANGUAGES:
            return plain(400, f"unknown language '{lang}'")
        if download:
            if download not in DOWNLOADS:
                return plain(400, f"unknown download '{download}'")
            return _download(pages, settings, data, download, round_to, lang)
        result = evaluate(settings, data, lang)
        return pages.render(result, data, round_to, lang, focus=focus)

    async def live(request: Request) -> Response:
        if not _content_type(request, FORM_TYPES):
            return plain(415, "send the form (application/x-www-form-urlencoded)")
        request = await _bounded(request)
        async with request.form(max_files=0, max_fields=MAX_FIELDS) as posted:
            data = forms.to_data(posted)
            lang = str(posted.get("lang") or "")
        if lang not in LANGUAGES:
            return plain(400, f"unknown language '{lang}'")
        found = evaluate(settings, data, lang).feedback
        totals = found.totals
        costs = (
            {}
            if totals is None
            else {str(i): f"{totals.currency} {cost}" for i, cost in totals.by_activity.items()}
        )
        body = {
            "status": found.status,
            "feedback": pages.live.render(
                fb=found, activities=data.get("activity", []), shown_any=True
            ),
            "errors": {
                name: [{"text": p.text, "warning": p.warning} for p in problems]
                for name, problems in found.by_field().items()
                if name
            },
            "costs": costs,
        }
        return Response(
            json.dumps(body, ensure_ascii=False),
            media_type="application/json",
            headers=HEADERS,
        )

    async def upload(request: Request) -> Response:
        if not _content_type(request, ("multipart/form-data",)):
            return plain(415, "send the file as multipart/form-data, field 'proposal'")
        request = await _bounded(request)
        async with request.form(max_files=1, max_fields=20) as posted:
            file = posted.get("proposal")
            if not isinstance(file, UploadFile):
                return plain(400, "malformed request: no file in the field 'proposal'")
            raw = await file.read(MAX_PROPOSAL + 1)
            name = file.filename or "proposal.toml"
        if len(raw) > MAX_PROPOSAL:
            return plain(413, f"too large: a proposal is at most {MAX_PROPOSAL:,} bytes")
        return opened(raw, Path(name).name or "proposal.toml")

    def opened(raw: bytes, name: str) -> Response:
        """A proposal file opened in the form: its own problems are told as the command line
        tells them (with line and column, in the file the user has); the form then holds what
        it could read."""
        source, problems = api.parse_source(raw, name)
        if source is None or api.kind_of(source.data) != "proposal":
            if source is not None:
                problems = api.estimate(
                    source, rates=settings.rates, plan=settings.plan
                ).diagnostics
            note = f"{name} could not be opened as a proposal:"
            fb = feedback(None, problems, {}, placed=True)
            result = Result({"format": 1, "proposal": {}}, None, fb)
            # under the note, each problem as the command line prints it: file:line:col
            located = tuple(d.render() for d in problems)
            return pages.render(result, result.data, note=note, status=422, located=located)
        data = _readable(source.data)
        result = evaluate(settings, data)
        # what the form cannot hold (an unknown key, another table) is told as the file has it
        own = api.estimate(source, rates=settings.rates, plan=settings.plan)
        told = {(d.key, d.code) for d in (result.outcome.diagnostics if result.outcome else [])}
        lost = [d for d in own.diagnostics if (d.key, d.code) not in told]
        result.feedback.problems[:0] = feedback(None, lost, data).problems
        return pages.render(result, data, note=f"Opened {name}.")

    async def starter(request: Request) -> Response:
        from estimator.cli.starter import starter_proposal

        return opened(starter_proposal().encode("utf-8"), "starter-proposal.toml")

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC:
            return plain(404, "not found")
        body = (HERE / "static" / name).read_bytes()
        headers = {**HEADERS, "Cache-Control": "no-cache"}
        return Response(body, media_type=STATIC[name], headers=headers)

    async def not_found(request: Request, exc: Exception) -> Response:
        return plain(404, "not found")

    async def not_allowed(request: Request, exc: Exception) -> Response:
        return plain(405, f"{request.method} is not allowed here")

    routes = [
        Route("/", guarded(index), methods=["GET"]),
        Route("/", guarded(post), methods=["POST"]),
        Route("/live", guarded(live), methods=["POST"]),
        Route("/upload", guarded(upload), methods=["POST"]),
        Route("/example", guarded(starter), methods=["POST"]),
        Route("/static/{name}", guarded(static), methods=["GET"]),
    ]
    return Starlette(
        routes=routes,
        exception_handlers={404: not_found, 405: not_allowed},
    )


def _readable(data: Mapping[str, Any]) -> dict[str, Any]:
    """A file's tables as the form holds them: [proposal] and [[activity]] (what else a file
    has, the form cannot show, and its problems are told)."""
    out: dict[str, Any] = {"format": 1}
    info = data.get("proposal")
    out["proposal"] = dict(info) if isinstance(info, Mapping) else {}
    activities = data.get("activity")
    if isinstance(activities, list):
        out["activity"] = [dict(a) for a in activities if isinstance(a, Mapping)][
            : forms.MAX_ACTIVITIES
        ]
    return out


def _download(
    pages: Pages,
    settings: ServeSettings,
    data: dict[str, Any],
    what: str,
    round_to: int,
    lang: str,
) -> Response:
    suffix, media = DOWNLOADS[what]
    name = f"{stem(data)}.{suffix}"
    if what == "toml":
        body = dumps(data).encode("utf-8")
    else:
        outcome = as_file(settings, data)
        if not outcome.ok or outcome.estimate is None:
            return pages.render(
                evaluate(settings, data, lang),
                data,
                round_to,
                lang,
                note="Nothing to download yet: fix the problems shown first.",
                status=422,
            )
        options = api.RenderOptions(round_to=round_to, formats=(what,), language=lang or None)
        body = api.render(outcome.estimate, options)[what]
    headers = {**HEADERS, "Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, media_type=media, headers=headers)
