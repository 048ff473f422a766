"""The shape of the code: no import cycle between the suite's modules, and no module so long
that it holds more than one thing.

Read from the source with ``ast``, nothing is imported: an import inside a function counts
like one at the top of the module (it still ties the two modules together, it only hides it),
and ``from a import b`` counts as importing ``a.b`` when ``b`` is a module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("services", "shared")
MAX_LINES = 600


def module_files(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the suite's packages by dotted name (a package by its ``__init__``)."""
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _known(name: str, modules: Mapping[str, Path]) -> str | None:
    """``name`` if it is one of the modules, else the longest known package it lies in."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def _base_of(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The absolute module a ``from ... import`` reads from (relative ones resolved)."""
    if not node.level:
        return node.module or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    anchor = package[: len(package) - (node.level - 1)]
    return ".".join([*anchor, *([node.module] if node.module else [])])


def imports_of(module: str, path: Path, modules: Mapping[str, Path]) -> set[str]:
    """The suite's modules that ``module`` imports, anywhere in its body."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    targets: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names: Iterable[str] = (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _base_of(node, module, is_package)
            names = (
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                for alias in node.names
            )
        else:
            continue
        for name in names:
            target = _known(name, modules)
            if target is not None and target != module:
                targets.add(target)
    return targets


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Each module and the suite's modules it imports."""
    modules = module_files(root)
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def _components(graph: Mapping[str, set[str]]) -> Iterator[list[str]]:
    """Strongly connected components (Tarjan), iteratively so depth is no limit."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            advanced = False
            for succ in successors:
                if succ not in index:
                    index[succ] = low[succ] = counter
                    counter += 1
                    stack.append(succ)
                    on_stack.add(succ)
                    work.append((succ, iter(sorted(graph.get(succ, ())))))
                    advanced = True
                    break
                if succ in on_stack:
                    low[node] = min(low[node], index[succ])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                yield sorted(component)


def _cycle_in(component: list[str], graph: Mapping[str, set[str]]) -> list[str]:
    """One concrete cycle through the component's first module, as a path back to it."""
    members = set(component)
    start = component[0]
    parents: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for succ in sorted(graph[node] & members):
                if succ == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(parents[path[-1]])
                    return [*reversed(path), start]
                if succ not in parents:
                    parents[succ] = node
                    following.append(succ)
        frontier = following
    raise AssertionError(f"no cycle through {start} in {component}")


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """One cycle for every group of modules that import each other, directly or around."""
    return [_cycle_in(c, graph) for c in tangles(graph)]


def tangles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The groups of modules that all reach each other through imports."""
    return [c for c in _components(graph) if len(c) > 1]


def test_the_graph_sees_submodules_relative_and_function_level_imports(tmp_path: Path) -> None:
    package = tmp_path / "shared"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from shared import b\n")
    (package / "b.py").write_text("from . import c\n")
    (package / "c.py").write_text("from shared.a import f\nimport json\n")
    (package / "d.py").write_text("from shared import a, b\n")
    graph = import_graph(tmp_path)
    assert graph["shared.a"] == {"shared.b"}
    assert graph["shared.b"] == {"shared.c"}
    assert graph["shared.c"] == {"shared.a"}
    assert graph["shared.d"] == {"shared.a", "shared.b"}
    assert cycles(graph) == [["shared.a", "shared.b", "shared.c", "shared.a"]]


def test_no_module_imports_itself_back() -> None:
    graph = import_graph()
    lines = []
    for group in tangles(graph):
        cycle = _cycle_in(group, graph)
        lines.append(" -> ".join(cycle))
        if len(group) > len(cycle) - 1:
            lines.append(f"    (one of the cycles among: {', '.join(group)})")
    report = "\n".join(lines)
    assert not lines, f"import cycles:\n{report}"


def test_no_module_is_longer_than_the_limit() -> None:
    long = {
        name: count
        for name, path in module_files().items()
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    report = "\n".join(f"{name}: {count} lines" for name, count in sorted(long.items()))
    assert not long, f"modules over {MAX_LINES} lines:\n{report}"
