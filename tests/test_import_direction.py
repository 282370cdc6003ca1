"""Imports run one way: faces (cli) → the library API (estimator.api) → batch → renderers
(estimator.render) → the pipeline core (estimator.core) → the cost models (cost_models), and
nothing imports in a circle.

Read from the source with the ast module, every import counted wherever it is written (at the
top of a module or inside a function): a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("cost_models", "estimator")

LAYERS = {
    "cost_models": 0,
    "estimator": 1,  # the package itself: its docstring and __version__
    "estimator.core": 1,
    "estimator.render": 2,
    "estimator.batch": 3,
    "estimator.api": 4,  # the library every face calls: the pipeline, renderers and batch
    "estimator.register": 5,  # the register: a face over the library, with its database
    # the register's position: a pure, typed value that any renderer may show
    "estimator.register.position": 1,
    "estimator.register.reference": 1,
    "estimator.cli": 5,
    "estimator.web": 5,  # a face, like the command line
    "estimator.__main__": 6,
}
"""Each part may import only parts of a lower or the same layer."""


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, Path]:
    return {
        _module_name(path): path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    }


SOURCES = _sources()


def _imports(name: str, path: Path) -> set[str]:
    """The project modules a module imports."""
    found: set[str] = set()
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name.split(".")
                if not is_package:
                    package.pop()
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, base] if base else package)
            # `from package import module` imports the module
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in SOURCES else base
                for alias in node.names
            ]
        else:
            continue
        for target in targets:
            while target and target not in SOURCES:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


GRAPH = {name: _imports(name, path) for name, path in SOURCES.items()}


def _part(module: str) -> str:
    """The layered part a module belongs to: the longest prefix named in LAYERS."""
    candidates = [p for p in LAYERS if module == p or module.startswith(p + ".")]
    assert candidates, f"{module} belongs to no layer: add its part to LAYERS"
    return max(candidates, key=len)


def test_the_source_was_read() -> None:
    # guards the other tests against passing on an empty graph
    assert "cost_models.money" in GRAPH
    assert "estimator.core.pipeline" in GRAPH["estimator.cli.app"] or any(
        m.startswith("estimator.core") for m in GRAPH["estimator.cli.app"]
    )


def test_the_cost_models_import_nothing_from_the_estimator() -> None:
    wrong = {
        module: sorted(m for m in imported if m.startswith("estimator"))
        for module, imported in GRAPH.items()
        if module.startswith("cost_models")
    }
    assert {m: w for m, w in wrong.items() if w} == {}


@pytest.mark.parametrize(
    ("part", "forbidden"),
    [
        ("estimator.core", ("estimator.render", "estimator.batch", "estimator.cli")),
        ("estimator.render", ("estimator.batch", "estimator.cli")),
        ("estimator.batch", ("estimator.cli",)),
    ],
)
def test_a_stage_imports_nothing_from_the_layers_above_it(
    part: str, forbidden: tuple[str, ...]
) -> None:
    wrong = {
        module: sorted(m for m in imported if m.startswith(forbidden))
        for module, imported in GRAPH.items()
        if module.startswith(part)
    }
    assert {m: w for m, w in wrong.items() if w} == {}


def test_every_import_runs_down_the_layers() -> None:
    upward = sorted(
        f"{module} imports {imported}"
        for module, targets in GRAPH.items()
        for imported in targets
        if LAYERS[_part(imported)] > LAYERS[_part(module)]
    )
    assert upward == []


def test_no_module_imports_itself_through_others() -> None:
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(GRAPH[module]):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module)
    assert cycles == []


def test_no_two_classes_share_a_name() -> None:
    # one name, one meaning: two classes once shared TemplateProblem, two PlanInfo
    where: dict[str, list[str]] = {}
    for module, path in _sources().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                where.setdefault(node.name, []).append(module)
    assert {name: mods for name, mods in where.items() if len(mods) > 1} == {}
