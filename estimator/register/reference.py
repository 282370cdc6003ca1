"""An ITU reference with its revision: ``PP26/44A2/1`` is the first text of a proposal;
``PP26/44A2/1(Rev.1)`` its first revision, ``(Add.1)`` an addendum to it, ``(Corr.1)`` a
corrigendum. Each costed text is a version of the proposal named by the reference without them
(its *base*); versions are ordered by revision, then addendum, then corrigendum, and the
greatest is the proposal's current version.

Written with or without a space before the brackets, with or without the dot
(``PP26/44A2/1 (Rev 1)``), in any case; shown in one form, ``PP26/44A2/1(Rev.1)(Corr.1)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KINDS = ("Rev", "Add", "Corr")
_SUFFIX = re.compile(r"\s*\(\s*(rev|add|corr)\b\.?\s*([0-9]{1,4})\s*\)\s*$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Reference:
    """A version's reference: its base and its revision, addendum and corrigendum numbers (0
    when absent). Ordered as the versions of one proposal follow each other."""

    base: str
    rev: int = 0
    add: int = 0
    corr: int = 0

    @property
    def text(self) -> str:
        """The canonical form: PP26/44A2/1(Rev.1)(Corr.1)."""
        out = self.base
        for kind, n in zip(KINDS, (self.rev, self.add, self.corr), strict=True):
            if n:
                out += f"({kind}.{n})"
        return out

    @property
    def order(self) -> tuple[int, int, int]:
        return (self.rev, self.add, self.corr)

    def __str__(self) -> str:
        return self.text


class ReferenceProblem(ValueError):
    """A reference that cannot be read: says what is wrong and what to write."""


def parse(text: str) -> Reference:
    """Split a reference into its base and its revision; raise ReferenceProblem when a
    revision is given twice or the base is empty."""
    rest = text.strip()
    found: dict[str, int] = {}
    while (m := _SUFFIX.search(rest)) is not None:
        kind = m.group(1).capitalize()
        if kind in found:
            raise ReferenceProblem(
                f"'{text}' gives {kind}. twice: write one, such as PP26/44A2/1({kind}.2)"
            )
        found[kind] = int(m.group(2))
        rest = rest[: m.start()].rstrip()
    if not rest:
        raise ReferenceProblem(f"'{text}' has no reference before its revision")
    if any(n == 0 for n in found.values()):
        raise ReferenceProblem(f"'{text}': revisions, addenda and corrigenda count from 1")
    return Reference(rest, found.get("Rev", 0), found.get("Add", 0), found.get("Corr", 0))
