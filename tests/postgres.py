"""A throw-away PostgreSQL server for the tests: one cluster per test session, made with
Debian's initdb in a temporary folder and reached through a Unix socket there (no port, no
password, nothing outside the folder), one fresh database per test.

PostgreSQL refuses to run as root, and CI runs as root: the server is then run as the
``postgres`` user (``runuser``), in a folder given to it. Without PostgreSQL the tests that need
it are skipped with a message, except under CI (CI=true), where they fail, as
tests/libreoffice.py does for LibreOffice.

A session that is killed (kill -9, a closed terminal) cannot stop its server: the server and its
folder would stay behind, one more each time. So each session holds a lock on a file of its
folder (``session.lock``) for as long as it lives; the system lets go of it when the process
dies, however it dies. Each new session first looks for clusters whose lock it can take: their
session is dead, so it stops their server and removes their folder. A folder without that file
(being made, or made before the lock existed) is left alone.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

INSTALL_HINT = (
    "PostgreSQL is not installed: install it with `apt-get install postgresql` to run the"
    " register's tests against PostgreSQL"
)


def bin_dir() -> Path | None:
    """The folder of initdb and pg_ctl: Debian keeps them out of PATH, by major version."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=_major)
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _major(path: Path) -> int:
    name = path.parent.parent.name
    return int(name) if name.isdigit() else 0


def require_postgres() -> Path:
    found = bin_dir()
    if found is not None:
        return found
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and {INSTALL_HINT}")
    pytest.skip(INSTALL_HINT)


def _as_server_user(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


class Server:
    """A running cluster; :meth:`database` makes a fresh, empty database and gives its URL."""

    def __init__(self, folder: Path, bindir: Path) -> None:
        self.folder = folder
        self.bindir = bindir
        self.socket = folder / "socket"
        self.count = itertools.count(1)

    def url(self, name: str) -> str:
        return f"postgresql://postgres@/{name}?host={self.socket}"

    def database(self) -> str:
        import sqlalchemy as sa

        name = f"register_{next(self.count)}"
        admin = sa.create_engine(
            self.url("postgres").replace("postgresql://", "postgresql+psycopg://"),
            isolation_level="AUTOCOMMIT",
        )
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
        admin.dispose()
        return self.url(name)


PREFIX = "finimpact-pg-"
"""The name of every cluster's folder begins so, in the temporary folder."""
LOCK = "session.lock"
"""The file of a cluster's folder that its session holds locked while it lives."""


def claim(folder: Path) -> int:
    """Mark ``folder`` as this process's: a lock on its ``session.lock``, held until the
    returned descriptor is closed or the process dies. The file is locked before it takes its
    name, so no other session ever finds it unlocked while this one lives. The descriptor is
    not inherited (PEP 446): a server started from this process does not hold the lock."""
    fd, made = tempfile.mkstemp(dir=folder, prefix=".lock-")
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.replace(made, folder / LOCK)
    return fd


def remove_stale(bindir: Path, base: Path | None = None) -> list[Path]:
    """Stop the server of every cluster in ``base`` (the temporary folder) whose session is
    dead, and remove its folder; return the folders removed. Each is handled while its lock is
    held, so two sessions starting at once never both handle one."""
    removed = []
    for folder in sorted(Path(base or tempfile.gettempdir()).glob(f"{PREFIX}*")):
        try:
            fd = os.open(folder / LOCK, os.O_RDWR)
        except OSError:
            continue  # no lock file: being made, or made before the lock existed
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue  # its session lives
        try:
            _stop(bindir, folder)
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
        finally:
            os.close(fd)
    return removed


def _stop(bindir: Path, folder: Path) -> None:
    data = folder / "data"
    if (data / "postmaster.pid").exists():
        stop = [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]
        subprocess.run(_as_server_user(stop), check=False, capture_output=True)


@contextlib.contextmanager
def cluster(bindir: Path, durable: bool = False, base: Path | None = None) -> Iterator[Server]:
    """A throw-away cluster in a temporary folder (in ``base``, else the system's), stopped and
    removed on exit, after removing those that killed sessions left; for the tests without
    fsync (nothing to keep), ``durable`` for benchmarks (as a real server runs)."""
    remove_stale(bindir, base)
    folder = Path(tempfile.mkdtemp(prefix=PREFIX, dir=base))
    held = claim(folder)
    data, socket, log = folder / "data", folder / "socket", folder / "server.log"
    socket.mkdir()
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        shutil.chown(socket, "postgres")
    folder.chmod(0o755)
    run = [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log)]
    try:
        initdb = [str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]
        subprocess.run(
            _as_server_user([*initdb, "-E", "UTF8", "--no-sync"]), check=True, capture_output=True
        )
        options = f"-k {socket} -c listen_addresses=''"
        if not durable:
            options += " -c fsync=off -c full_page_writes=off"
        subprocess.run(
            _as_server_user([*run, "-o", options, "-w", "start"]), check=True, capture_output=True
        )
        yield Server(folder, bindir)
    finally:
        subprocess.run(
            _as_server_user([*run, "-m", "immediate", "stop"]), check=False, capture_output=True
        )
        shutil.rmtree(folder, ignore_errors=True)
        os.close(held)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Server]:
    with cluster(require_postgres()) as server:
        yield server
