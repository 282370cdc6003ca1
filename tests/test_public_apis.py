"""The code uses its dependencies through their public APIs only.

A name that starts with one underscore is private to the library that defines it: it may change
or vanish in any release, and code that uses one needs an upper pin to stay working. The source
of estimator/ and cost_models/ is read with ast, and these fail the test:

- importing a private name or module of another package (``from docx.opc import _x``,
  ``from pydantic._internal import y``, ``import lxml._elementpath``);
- reading or writing a private attribute of anything but the code's own objects
  (``wb._fonts``, ``template.docx._part.rels``, ``getattr(doc, "_body")``): only ``self``,
  ``cls`` and the module's own names and imports from estimator or cost_models may be followed
  by ``._name`` (a module-level variable is not followed: it may hold a library's object).

The named tuple's public methods (``_replace``, ``_asdict``, ``_fields``, ``_make``) and dunder
names are not private.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OWN = {"estimator", "cost_models"}
PUBLIC_UNDERSCORED = {"_replace", "_asdict", "_fields", "_make", "_field_defaults"}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and name not in PUBLIC_UNDERSCORED


def _root(node: ast.expr) -> ast.expr:
    """What an attribute chain starts from: `a` in `a.b().c[0].d`."""
    while True:
        if isinstance(node, ast.Attribute):
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            return node


def private_uses(source: str, filename: str = "<source>") -> list[str]:
    """Each use of a dependency's private name in `source`, as 'file:line: what'."""
    tree = ast.parse(source, filename)
    found: list[str] = []
    own_names = {"self", "cls"}
    for node in tree.body:  # the module's own functions and classes
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            own_names.add(node.name)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] in OWN:
                    own_names.add(alias.asname or parts[0])
                elif any(_private(p) for p in parts):
                    found.append(f"{filename}:{node.lineno}: import {alias.name}")
        elif isinstance(node, ast.ImportFrom):
            parts = (node.module or "").split(".")
            if node.level or parts[0] in OWN:
                own_names.update(alias.asname or alias.name for alias in node.names)
                continue
            if any(_private(p) for p in parts):
                found.append(f"{filename}:{node.lineno}: from {node.module} import ...")
                continue
            for alias in node.names:
                if _private(alias.name):
                    where = f"{filename}:{node.lineno}"
                    found.append(f"{where}: from {node.module} import {alias.name}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            root = _root(node.value)
            if not (isinstance(root, ast.Name) and root.id in own_names):
                found.append(f"{filename}:{node.lineno}: {ast.unparse(node)}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"getattr", "setattr", "hasattr", "delattr"}
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and _private(node.args[1].value)
        ):
            root = _root(node.args[0])
            if not (isinstance(root, ast.Name) and root.id in own_names):
                found.append(f"{filename}:{node.lineno}: {ast.unparse(node)}")
    return found


def _sources() -> list[Path]:
    return sorted(p for top in OWN for p in (ROOT / top).rglob("*.py"))


def test_no_module_uses_a_private_name_of_a_dependency() -> None:
    found = [
        use
        for path in _sources()
        for use in private_uses(path.read_text("utf-8"), path.relative_to(ROOT).as_posix())
    ]
    assert found == [], (
        "private names of dependencies (use the library's public API, or own the format in "
        "a small module of ours):\n" + "\n".join(found)
    )


@pytest.mark.parametrize(
    "source",
    [
        "from docx.opc.pkgwriter import _ContentTypesItem",
        "from pydantic._internal import _model_construction",
        "import lxml._elementpath",
        "from openpyxl import Workbook\nwb = Workbook()\nfonts = wb._fonts",
        "import docxtpl\ndef f(t: docxtpl.DocxTemplate) -> None:\n    t.docx._part.rels",
        "def f(document):\n    return document._body",
        "def f(template):\n    template.docx._part = None",
        "def f(doc):\n    return getattr(doc, '_element')",
        "from docx.opc import pkgwriter\npkgwriter.PackageWriter._write_parts(1, 2)",
    ],
)
def test_the_scan_finds_a_private_name(source: str) -> None:
    assert len(private_uses(source)) == 1, source


@pytest.mark.parametrize(
    "source",
    [
        "class A:\n    def f(self):\n        return self._x",
        "class A:\n    @classmethod\n    def f(cls):\n        return cls._x",
        "class Cache:\n    _x = 1\nCache._x",
        "from estimator.render import stablezip\nstablezip._seen",
        "from . import helper\nhelper._x",
        "def f(row):\n    return row._replace(a=1), row._asdict()",
        "def f(x):\n    return x.__class__.__name__",
        "from docx import Document\nd = Document()\nd.core_properties.title = 't'",
    ],
)
def test_the_scan_lets_own_and_public_names_pass(source: str) -> None:
    assert private_uses(source) == [], source
