"""Read systemd unit files the way the tests need them (a configparser that keeps
repeated keys, as systemd does) and turn ExecStart into a runnable command line."""

from __future__ import annotations

import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SYSTEMD = ROOT / "deploy" / "systemd"
INSTALLED_BINARY = "/opt/leitplanke/bin/leitplanke"

Unit = dict[str, dict[str, list[str]]]


def parse_unit(path: Path) -> Unit:
    """section → key → every value in file order (an empty assignment included)."""
    unit: Unit = {}
    section: dict[str, list[str]] | None = None
    pending = ""
    for raw in path.read_text("utf-8").splitlines():
        line = pending + raw.strip()
        pending = ""
        if line.endswith("\\"):  # a continuation line
            pending = line[:-1] + " "
            continue
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = unit.setdefault(line[1:-1], {})
            continue
        assert section is not None, f"{path}: {line!r} outside a section"
        key, sep, value = line.partition("=")
        assert sep, f"{path}: not a key=value line: {line!r}"
        section.setdefault(key.strip(), []).append(value.strip())
    return unit


def last(unit: Unit, key: str, section: str = "Service") -> str:
    return unit[section][key][-1]


def specifiers(etc: Path, state: Path, credentials: Path) -> dict[str, str]:
    """The specifiers our units use: %E config root, %S state root, %d credentials."""
    return {"%E": str(etc), "%S": str(state), "%d": str(credentials), "%%": "%"}


def command_line(unit: Unit, values: dict[str, str], binary: str) -> list[str]:
    """ExecStart as argv, specifiers replaced and the installed binary swapped for ours."""
    argv = shlex.split(expand(last(unit, "ExecStart"), values))
    assert argv[0] == INSTALLED_BINARY, argv[0]
    return [binary, *argv[1:]]


def expand(text: str, values: dict[str, str]) -> str:
    for spec, value in values.items():
        text = text.replace(spec, value)
    return text


def environment(unit: Unit) -> dict[str, str]:
    env: dict[str, str] = {}
    for assignment in unit["Service"].get("Environment", []):
        for word in shlex.split(assignment):
            key, _, value = word.partition("=")
            env[key] = value
    return env
