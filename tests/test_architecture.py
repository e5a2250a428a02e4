"""The package's shape, checked from the source: no private imports across modules, no import
cycle, and extraction independent of portal routing.

Every module of `newscrawl/` is parsed with `ast`; every import statement counts, at module level
or inside a function. `import a.b.c` is an edge to `a.b.c` only (a package's `__init__` when
`a.b.c` is a package), not to its parents; `from a.b import c` is an edge to the module `a.b.c`
when there is one, else to `a.b`.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "newscrawl"
#: The compiled pass's facade is the one module allowed to import a private module.
ALLOWED_PRIVATE = {("newscrawl.extract.compiled", "newscrawl.extract._treepass")}


@dataclass(frozen=True)
class Import:
    """One imported target: `module` (a newscrawl module) and, for `from m import n`, `name`."""

    source: str
    module: str
    name: str | None
    line: int


def _module_names() -> dict[str, Path]:
    """Every newscrawl module by dotted name (compiled extensions included, for resolution)."""
    modules: dict[str, Path] = {}
    for path in PACKAGE.rglob("*"):
        if path.suffix not in (".py", ".pyx", ".so") or "__pycache__" in path.parts:
            continue
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        parts[-1] = parts[-1].split(".")[0]  # _treepass.cpython-311-x86_64-linux-gnu
        if parts[-1] == "__init__":
            parts.pop()
        modules.setdefault(".".join(parts), path)
    return modules


MODULES = _module_names()
SOURCES = {name: path for name, path in MODULES.items() if path.suffix == ".py"}


def _resolve(source: str, level: int, module: str | None) -> str:
    """The absolute module named by a (possibly relative) `from` import in `source`."""
    if not level:
        return module or ""
    is_package = SOURCES[source].name == "__init__.py"
    base = source.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def imports_of(source: str) -> list[Import]:
    """Every import of a newscrawl module made anywhere in `source`."""
    tree = ast.parse(SOURCES[source].read_text(encoding="utf-8"), str(SOURCES[source]))
    found: list[Import] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in MODULES:
                    found.append(Import(source, alias.name, None, node.lineno))
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(source, node.level, node.module)
            if target not in MODULES:
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in MODULES:
                    found.append(Import(source, sub, None, node.lineno))
                else:
                    found.append(Import(source, target, alias.name, node.lineno))
    return found


GRAPH = {name: imports_of(name) for name in sorted(SOURCES)}


def _private(part: str) -> bool:
    return part.startswith("_") and not (part.startswith("__") and part.endswith("__"))


def test_the_parser_sees_the_package() -> None:
    assert "newscrawl.incremental.tracker" in GRAPH and "newscrawl.extract._treepass" in MODULES
    edges = {i.module for i in GRAPH["newscrawl.incremental.tracker"]}
    assert "newscrawl.incremental.freshness" in edges  # a module-level import
    assert "newscrawl.output.exporters" in edges  # an import inside a function
    assert _resolve("newscrawl.extract", 1, "parser") == "newscrawl.extract.parser"
    assert _resolve("newscrawl.extract.body", 2, "urls") == "newscrawl.urls"


def test_no_module_imports_another_modules_private_names() -> None:
    offences = []
    for imports in GRAPH.values():
        for imp in imports:
            if (imp.source, imp.module) in ALLOWED_PRIVATE:
                continue
            private_module = any(_private(p) for p in imp.module.split("."))
            if private_module or (imp.name is not None and _private(imp.name)):
                what = imp.module + (f".{imp.name}" if imp.name else "")
                offences.append(f"{SOURCES[imp.source].relative_to(PACKAGE.parent)}:{imp.line} "
                                f"imports {what}")
    assert not offences, "private names imported across modules:\n" + "\n".join(offences)


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (as a path a -> ... -> a) per strongly connected component (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                components.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_cycle_in(graph, set(c)) for c in components]


def _cycle_in(graph: dict[str, set[str]], members: set[str]) -> list[str]:
    """A shortest path from the smallest member back to itself, inside one component."""
    start = min(members)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        nxt_frontier = []
        for node in frontier:
            for nxt in sorted(graph.get(node, ())):
                if nxt == start:
                    return paths[node] + [start]
                if nxt in members and nxt not in paths:
                    paths[nxt] = paths[node] + [nxt]
                    nxt_frontier.append(nxt)
        frontier = nxt_frontier
    return sorted(members)  # pragma: no cover - a component always holds a cycle


def test_cycle_finder_reports_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"e"}}
    assert sorted(find_cycles(graph)) == [["a", "b", "c", "a"], ["e", "e"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle() -> None:
    graph = {name: {i.module for i in imports if i.module != name}
             for name, imports in GRAPH.items()}
    cycles = find_cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


@pytest.mark.parametrize("layer, forbidden", [("newscrawl.extract", "newscrawl.portals")])
def test_extraction_does_not_import_portals(layer: str, forbidden: str) -> None:
    offences = [f"{imp.source}:{imp.line} imports {imp.module}"
                for name, imports in GRAPH.items()
                if name == layer or name.startswith(layer + ".")
                for imp in imports
                if imp.module == forbidden or imp.module.startswith(forbidden + ".")]
    assert not offences, f"{layer} must not import {forbidden}:\n" + "\n".join(offences)
