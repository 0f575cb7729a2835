"""The first-party import graph, read from the source with ast (nothing is imported)."""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

ROOT = Path(__file__).parents[2]


def packages() -> list[str]:
    """The first-party packages, as pyproject.toml lists them for mypy."""
    with (ROOT / "pyproject.toml").open("rb") as handle:
        return list(tomllib.load(handle)["tool"]["mypy"]["packages"])


def module_files() -> dict[str, Path]:
    """Module name -> file, for every module of every first-party package."""
    found: dict[str, Path] = {}
    for package in packages():
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


@dataclass
class Graph:
    modules: dict[str, Path]
    # module -> first-party modules it imports (at any level: functions and
    # TYPE_CHECKING blocks count, a cycle there is a design cycle all the same)
    edges: dict[str, set[str]] = field(default_factory=dict)
    # module -> top-level names of everything it imports (third-party included)
    tops: dict[str, set[str]] = field(default_factory=dict)

    def package_of(self, module: str) -> str:
        return module.split(".")[0]

    def cycles(self) -> list[list[str]]:
        """Strongly connected components with more than one module (Tarjan)."""
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        stack: list[str] = []
        on_stack: set[str] = set()
        found: list[list[str]] = []

        def visit(v: str) -> None:
            index[v] = low[v] = len(index)
            stack.append(v)
            on_stack.add(v)
            for w in sorted(self.edges.get(v, ())):
                if w not in index:
                    visit(w)
                    low[v] = min(low[v], low[w])
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
            if low[v] == index[v]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.append(w)
                    if w == v:
                        break
                if len(component) > 1:
                    found.append(sorted(component))

        for module in sorted(self.modules):
            if module not in index:
                visit(module)
        return found


def _imported(tree: ast.AST, module: str) -> Iterator[str]:
    package = module.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against the importing package
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


@cache
def graph() -> Graph:
    modules = module_files()
    result = Graph(modules)
    for module, path in modules.items():
        targets = set()
        tops = set()
        for name in _imported(ast.parse(path.read_text("utf-8"), str(path)), module):
            tops.add(name.split(".")[0])
            # the longest first-party module the name refers to (a module, or a
            # name inside one)
            candidate = name
            while candidate and candidate not in modules:
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != module:
                targets.add(candidate)
        result.edges[module] = targets
        result.tops[module] = tops
    return result
