"""The throw-away PostgreSQL clusters of the tests (tests/postgres.py): a session that is killed
leaves its server running and its folder behind; the next session stops that server and
removes that folder, and never touches a cluster whose session lives."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from postgres import LOCK, PREFIX, claim, remove_stale, require_postgres

TESTS = Path(__file__).resolve().parent


def _running(pid: int) -> bool:
    """Whether a process runs (a zombie, dead but not yet reaped, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _python(code: str) -> list[str]:
    """A Python process that can import tests/postgres.py, running ``code``."""
    return [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(TESTS)!r})\n{code}"]


@pytest.fixture
def base() -> Iterator[Path]:
    """A folder of its own for the clusters (not the system's temporary folder, where other
    sessions keep theirs), short enough for a Unix socket's path, open to the server's user."""
    folder = Path(tempfile.mkdtemp(prefix="fpg-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_a_cluster_left_by_a_killed_session_is_stopped_and_removed_by_the_next(
    base: Path,
) -> None:
    bindir = require_postgres()
    start = (
        "import time\n"
        "from pathlib import Path\n"
        "from postgres import bin_dir, cluster\n"
        f"with cluster(bin_dir(), base=Path({str(base)!r})) as server:\n"
        "    print(server.folder, flush=True)\n"
        "    time.sleep(3600)\n"
    )
    with subprocess.Popen(_python(start), stdout=subprocess.PIPE, text=True) as session:
        try:
            assert session.stdout is not None
            folder = Path(session.stdout.readline().strip())
            assert folder.parent == base, "the session did not start its cluster"
            server = int((folder / "data" / "postmaster.pid").read_text().splitlines()[0])
            assert remove_stale(bindir, base) == []  # its session lives: left alone
            assert _running(server)

            session.send_signal(signal.SIGKILL)  # no clean-up of its own
            session.wait()
            assert _running(server) and folder.is_dir()  # what a killed session leaves

            assert remove_stale(bindir, base) == [folder]
            assert not _running(server)
            assert not folder.exists()
        finally:  # whatever failed above, nothing is left running
            session.kill()
            remove_stale(bindir, base)


def test_only_a_cluster_whose_session_ended_is_removed(base: Path) -> None:
    unlocked = base / f"{PREFIX}unlocked"  # being made, or made before the lock existed
    unlocked.mkdir()
    mine = base / f"{PREFIX}mine"  # this session's, alive
    mine.mkdir()
    held = claim(mine)
    ended = base / f"{PREFIX}ended"
    ended.mkdir()
    ended_code = (
        f"from pathlib import Path\nfrom postgres import claim\nclaim(Path({str(ended)!r}))"
    )
    done = subprocess.run(_python(ended_code), check=False)
    assert done.returncode == 0  # it ended without removing its folder
    other = base / "not-a-cluster"
    other.mkdir()
    (other / LOCK).touch()
    try:
        # no server was started in these folders: nothing for pg_ctl to stop
        assert remove_stale(Path("/nonexistent"), base) == [ended]
        assert sorted(p.name for p in base.iterdir()) == sorted(
            [unlocked.name, mine.name, other.name]
        )
        assert (mine / LOCK).is_file()
    finally:
        os.close(held)
    assert remove_stale(Path("/nonexistent"), base) == [mine]  # once its session lets go
