"""``finimpact serve``: the web app on a local address, served by uvicorn until Ctrl-C."""

from __future__ import annotations

import socket
from collections.abc import Callable

import uvicorn

from estimator import api
from estimator.web.app import ServeSettings, create_app


def check(settings: ServeSettings) -> list[api.Diagnostic]:
    """The card and plan the app will use, checked before it starts: the example proposal
    costed with them (any problem is theirs: the example is valid)."""
    from estimator.cli.starter import starter_proposal

    outcome = api.estimate_text(
        starter_proposal(), "starter-proposal.toml", rates=settings.rates, plan=settings.plan
    )
    return [d for d in outcome.diagnostics if d.severity is api.Severity.ERROR]


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to host:port (port 0: any free port); OSError if it cannot be."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


def address(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def serve(host: str, port: int, settings: ServeSettings, say: Callable[..., None]) -> int:
    """Serve until interrupted; the exit code (0 stopped, 1 could not start)."""
    problems = check(settings)
    if problems:
        for d in problems:
            say(d.render(), err=True)
        return 1
    try:
        sock = listen(host, port)
    except OSError as e:
        say(f"finimpact: cannot listen on {host}:{port}: {e.strerror or e}", err=True)
        return 1
    config = uvicorn.Config(
        create_app(settings), log_level="warning", access_log=False, lifespan="off"
    )
    server = uvicorn.Server(config)
    say(f"finimpact: serving on {address(sock)} (press Ctrl-C to stop)")
    if host not in ("127.0.0.1", "localhost", "::1"):
        say("finimpact: reachable from other machines: anyone who can reach it can use it")
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn shut down, then passed the Ctrl-C on
        pass
    finally:
        sock.close()
    say("finimpact: stopped")
    return 0
