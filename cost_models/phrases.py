"""Wording handed to the renderers: English message ids with named placeholders.

``cost_models`` never imports ``estimator``, so it cannot translate. It marks each message (with
the no-op :func:`N_`, or by writing it in :func:`phrase` or :func:`plural_phrase`, so that a
catalogue extractor finds it: docs/presentation.md) and hands over a :class:`Phrase`:
the msgid, the values of its placeholders and, for a plural, the plural msgid and the count.
The presentation layer (``estimator/render/wording.py``, ``phrase()``) translates it and writes
its numbers as the output's language does. :meth:`Phrase.text` is the English with the
identity catalogue, for the data outputs (the JSON's ``quantity_basis``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

from cost_models.money import plain


def N_(message: str) -> str:
    """Marks an English message id for extraction into a catalogue; returns it unchanged."""
    return message


@dataclass(frozen=True)
class Phrase:
    """A piece of wording: ``msgid % values`` once translated (``%(name)s`` placeholders)."""

    msgid: str
    values: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    plural: str | None = None
    """The plural msgid, chosen by ``n`` as the output's language counts."""
    n: int | Decimal | None = None
    """The count that chooses singular or plural; also the value of ``%(n)s``."""

    def text(self, number: Callable[[Decimal | int], str] | None = None) -> str:
        """The English (identity catalogue), numbers written by ``number`` (plain by
        default: 8000, 0.5)."""
        write = number or _plain
        msgid = self.msgid
        if self.plural is not None and self.n is not None and self.n != 1:
            msgid = self.plural
        values = {k: _text(v, write) for k, v in self.values.items()}
        if self.n is not None and "n" not in values:
            values["n"] = write(self.n)
        return msgid % values if values else msgid

    def __str__(self) -> str:
        """The English with plain numbers: what the JSON keeps (``quantity_basis``)."""
        return self.text()


def _plain(value: Decimal | int) -> str:
    return plain(Decimal(value))


def _text(value: object, write: Callable[[Decimal | int], str]) -> str:
    if isinstance(value, Phrase):
        return value.text(write)
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return str(value)
    return write(value)


def phrase(msgid: str, **values: object) -> Phrase:
    """A phrase of a msgid (extracted with the keyword ``phrase``)."""
    return Phrase(msgid, MappingProxyType(values))


def plural_phrase(singular: str, plural: str, n: int | Decimal, **values: object) -> Phrase:
    """'1 event', '6 events': the two forms, chosen by ``n`` as the output's language counts
    (extracted with the keyword ``plural_phrase:1,2``, as a plural pair)."""
    return Phrase(singular, MappingProxyType(values), plural, n)


def series(parts: Sequence[Phrase | str]) -> Phrase:
    """Clauses one after another: 'A, B, C'."""
    items: Phrase | str = parts[0] if parts else ""
    for part in parts[1:]:
        items = Phrase(N_("%(items)s, %(item)s"), MappingProxyType({"items": items, "item": part}))
    return items if isinstance(items, Phrase) else Phrase("%(item)s", {"item": items})


def join(parts: Sequence[Phrase | str]) -> Phrase:
    """A list as a sentence gives it: 'A', 'A and B', 'A, B and C'."""
    if not parts:
        return Phrase("")
    if len(parts) == 1:
        part = parts[0]
        return part if isinstance(part, Phrase) else Phrase("%(item)s", {"item": part})
    items: Phrase | str = parts[0]
    for part in parts[1:-1]:
        items = Phrase(N_("%(items)s, %(item)s"), {"items": items, "item": part})
    return Phrase(N_("%(items)s and %(last)s"), {"items": items, "last": parts[-1]})
