"""Conference activity templates: typical things proposals ask for, as elemental activities.

A template (``kind = "wtsa.focus-group"``) expands into elemental activities with stated,
justified defaults that the proposal file may override. The catalogue is filled from the
TOML files in ``cost_models/activities/``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from estimator.model import TemplateDefault


@dataclass(frozen=True)
class Expansion:
    """One elemental activity a template produced, as if written in the file."""

    raw: dict[str, Any]
    defaults: tuple[TemplateDefault, ...]


@dataclass(frozen=True)
class TemplateProblem:
    key: str
    """The key of the activity table it concerns ('' for the table itself)."""
    message: str
    hint: str = ""


class Template(Protocol):
    name: str
    title: str

    def expand(self, entry: Mapping[str, Any]) -> tuple[list[Expansion], list[TemplateProblem]]: ...


def catalogue() -> Mapping[str, Template]:
    """Every template, by name."""
    return {}
