"""docs/architecture.md names only what exists, and has a paragraph for every package."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.architecture.graph import ROOT, module_files, packages

DOC = ROOT / "docs" / "architecture.md"
OTHER_ROOTS = ("rules", "tests", "docs", "deploy")

# extract/web/, proxy_addon/guard.py, extract/<family>.py (a pattern, not a file)
_PATH = re.compile(r"(?<![\w./-])((?:[a-z_]+/)+(?:[a-z_]+\.(?:py|md))?)(?![\w<])")
# policy.decide.applied, pipeline.evaluation.Active
_DOTTED = re.compile(r"(?<![\w./])([a-z_]+(?:\.[A-Za-z_]+)+)(?![\w/])")


def _text() -> str:
    return DOC.read_text("utf-8")


def _roots() -> set[str]:
    return {*packages(), *OTHER_ROOTS}


def test_every_named_path_exists() -> None:
    named = {m for m in _PATH.findall(_text()) if m.split("/")[0] in _roots()}
    assert len(named) > 40  # the pattern still finds the paths
    missing = sorted(p for p in named if not (ROOT / p).exists())
    assert missing == []


def _top_level_names(path: Path) -> set[str]:
    names = set()
    for node in ast.parse(path.read_text("utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def test_every_named_module_and_function_exists() -> None:
    modules = module_files()
    dotted = {d for d in _DOTTED.findall(_text()) if d.split(".")[0] in packages()}
    assert dotted, "the pattern still finds dotted names"
    missing = []
    for name in sorted(dotted):
        module, rest = name, []
        while module and module not in modules:
            module, _, tail = module.rpartition(".")
            rest.insert(0, tail)
        if not module or (rest and rest[0] not in _top_level_names(modules[module])):
            missing.append(name)
    assert missing == []


def test_every_package_has_its_paragraph() -> None:
    text = _text()
    assert [p for p in packages() if f"`{p}/`" not in text] == []
