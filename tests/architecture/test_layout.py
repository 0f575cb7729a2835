"""Small modules, and every package registered wherever the build needs it."""

from __future__ import annotations

import tokenize
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.architecture.graph import ROOT, module_files, packages

MAX_LINES = 500


def _pyproject() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        return tomllib.load(handle)


def test_every_package_is_registered_for_build_types_lint_and_docker() -> None:
    data = _pyproject()
    tool = data["tool"]
    assert isinstance(tool, dict)
    on_disk = {
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in ("tests",) and not path.parent.name.startswith(".")
    }
    assert set(packages()) == on_disk, "mypy packages"
    include = tool["setuptools"]["packages"]["find"]["include"]
    assert {name.removesuffix("*") for name in include} == on_disk, "setuptools include"
    first_party = set(tool["ruff"]["lint"]["isort"]["known-first-party"])
    assert first_party == on_disk | {"tests"}, "ruff known-first-party"
    ignore = (ROOT / "deploy" / "docker" / "Dockerfile.dockerignore").read_text("utf-8")
    shipped = {line[1:].rstrip("/") for line in ignore.splitlines() if line.startswith("!")}
    assert on_disk <= shipped, "Docker build context"


def test_package_data_folders_exist() -> None:
    tool = _pyproject()["tool"]
    assert isinstance(tool, dict)
    for package, patterns in tool["setuptools"]["package-data"].items():
        for pattern in patterns:
            assert list((ROOT / package).glob(pattern)), f"{package}: {pattern} matches nothing"


@pytest.mark.parametrize("module", sorted(module_files()))
def test_modules_stay_small(module: str) -> None:
    path = module_files()[module]
    lines = len(path.read_text("utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)}: {lines} lines; split it by job"


def _comments(path: Path) -> Iterator[tuple[int, str]]:
    with path.open("rb") as handle:
        for token in tokenize.tokenize(handle.readline):
            if token.type == tokenize.COMMENT:
                yield token.start[0], token.string


def test_ruff_formats_everything() -> None:
    """No code kept away from `ruff format` (make lint checks the formatting itself)."""
    files = [*module_files().values(), *sorted((ROOT / "tests").rglob("*.py"))]
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in files
        for number, comment in _comments(path)
        if comment.replace(" ", "").startswith(("#fmt:skip", "#fmt:off"))
    ]
    assert found == []
