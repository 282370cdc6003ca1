"""The activity kinds: one module per kind, each defining ``KIND = Kind(...)``.

Every module of this folder is a kind; the registry ``KINDS`` holds them in the order of their
module names. Importing this package imports each kind, so a module that defines no ``KIND``,
or a kind missing a part, fails here, when the program starts. See ``docs/extending.md``.
"""

from __future__ import annotations

import importlib
import pkgutil

from cost_models.kind import Registry, kind_of_module

KINDS = Registry(
    kind_of_module(importlib.import_module(f"{__name__}.{module.name}"))
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name)
)
"""Every activity kind a proposal may name."""
