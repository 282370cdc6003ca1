"""What an activity kind is, and the registry of them.

A kind (``kind = "meeting"`` in a proposal) is one module of ``cost_models/kinds/`` that defines
``KIND = Kind(...)`` with all of its parts: its parameters (a frozen, strict pydantic model),
its pricing (an activity to its needs of rates), the card rates that pricing may ask for, and
its wording (a label and a description of what the activity does, as msgids). A part missing or
malformed fails when the module is imported, never when a proposal first uses the kind.
``docs/extending.md`` walks through adding one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType, ModuleType
from typing import Any, Generic, Literal, TypeVar, get_args, get_origin

from cost_models.needs import CardFacts, Need
from cost_models.parameters import ActivityBase
from cost_models.phrases import Phrase

P = TypeVar("P", bound=ActivityBase)

Amount = Callable[[Decimal], str]
"""How the output's language writes an amount of the card's currency ('CHF 50,000.00'): given
by the renderer, since a kind knows no number format."""

NAME = re.compile(r"^[a-z][a-z0-9-]*$")
"""A kind's name: lower case, no dot (a dotted name is a conference activity template)."""


class KindError(TypeError):
    """A kind is malformed: a bug in its module, reported when the module is imported."""


@dataclass(frozen=True, kw_only=True)
class Kind(Generic[P]):
    """An activity kind, whole: every part is required."""

    name: str
    """What a proposal writes as ``kind``."""
    parameters: type[P]
    """The activity's keys: a subclass of ActivityBase whose ``kind`` is ``Literal[name]``."""
    needs: Callable[[P, CardFacts], Sequence[Need]]
    """The pricing: what one activity needs of each rate in each year it takes place."""
    rates: tuple[str, ...]
    """Every card rate ``needs`` may ask for (``finimpact validate CARD`` warns of those the
    card lacks). A stated amount is not a card rate."""
    label: str
    """The kind as the annex names it ('Meetings'): a msgid."""
    describe: Callable[[P, tuple[int, ...], Amount], Phrase]
    """What one activity does, in one sentence a delegate understands, given the years it takes
    place in."""

    def __post_init__(self) -> None:
        where = f"activity kind '{self.name}'"
        if not isinstance(self.name, str) or not NAME.match(self.name):
            raise KindError(f"{where}: the name must be lower-case letters, digits and '-'")
        if not (isinstance(self.parameters, type) and issubclass(self.parameters, ActivityBase)):
            raise KindError(f"{where}: parameters must be a subclass of ActivityBase")
        config = self.parameters.model_config
        if config.get("frozen") is not True or config.get("extra") != "forbid":
            raise KindError(f"{where}: parameters must be frozen and forbid unknown keys")
        kind = self.parameters.model_fields["kind"].annotation
        if get_origin(kind) is not Literal or get_args(kind) != (self.name,):
            raise KindError(f"{where}: its parameters must declare kind: Literal['{self.name}']")
        for part in ("needs", "describe"):
            if not callable(getattr(self, part)):
                raise KindError(f"{where}: {part} must be a function")
        if not isinstance(self.rates, tuple) or not all(
            isinstance(r, str) and r for r in self.rates
        ):
            raise KindError(f"{where}: rates must be a tuple of rate ids")
        if not isinstance(self.label, str) or not self.label:
            raise KindError(f"{where}: label must be a non-empty msgid")


def kind_of_module(module: ModuleType) -> Kind[Any]:
    """The kind a module of ``cost_models/kinds/`` defines as ``KIND``."""
    kind = getattr(module, "KIND", None)
    if not isinstance(kind, Kind):
        raise KindError(f"{module.__name__} defines no KIND = Kind(...)")
    return kind


class Registry:
    """The activity kinds, by name, in a fixed order; no two with one name."""

    def __init__(self, kinds: Iterable[Kind[Any]]) -> None:
        by_name: dict[str, Kind[Any]] = {}
        for kind in kinds:
            if not isinstance(kind, Kind):
                raise KindError(f"{kind!r} is not a Kind")
            if kind.name in by_name:
                raise KindError(f"two activity kinds are named '{kind.name}'")
            by_name[kind.name] = kind
        self._by_name: Mapping[str, Kind[Any]] = MappingProxyType(by_name)

    def with_kinds(self, *kinds: Kind[Any]) -> Registry:
        """These kinds and more (for a test, or a secretariat's own kinds)."""
        return Registry((*self, *kinds))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._by_name)

    @property
    def rates(self) -> tuple[str, ...]:
        """Every card rate some kind may ask for, each once, in the kinds' order."""
        return tuple(dict.fromkeys(r for kind in self for r in kind.rates))

    def get(self, name: str) -> Kind[Any] | None:
        return self._by_name.get(name)

    def __getitem__(self, name: str) -> Kind[Any]:
        return self._by_name[name]

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __iter__(self) -> Iterator[Kind[Any]]:
        return iter(self._by_name.values())

    def __len__(self) -> int:
        return len(self._by_name)

    def needs(self, activity: ActivityBase, card: CardFacts) -> Sequence[Need]:
        return self[activity.kind].needs(activity, card)

    def describe(self, activity: ActivityBase, years: tuple[int, ...], amount: Amount) -> Phrase:
        return self[activity.kind].describe(activity, years, amount)
