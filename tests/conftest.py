"""Shared pytest configuration. Each test module names the files it reads itself (seeds/,
tests/cases/, ...) relative to its own path."""

from __future__ import annotations

from pathlib import Path

import pytest
from postgres import Server, postgres  # noqa: F401 (a fixture)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite the golden files (tests/golden/) from the current output.",
    )


# The register's tests run on SQLite and on a throw-away PostgreSQL server (tests/postgres.py).
@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty register's location: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "register.sqlite")
    server: Server = request.getfixturevalue("postgres")
    return server.database()
