"""Shared pytest configuration. Each test module names the files it reads itself (seeds/,
tests/cases/, ...) relative to its own path."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite the golden files (tests/golden/) from the current output.",
    )
