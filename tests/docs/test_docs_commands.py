"""The docs only show commands and options that exist.

Every `leitplanke …` command line in a fenced code block of docs/*.md and README.md must
name a real (sub)command, and every `--flag` / `-o` it uses must be an option of that
command (checked against click's command objects, no subprocess). Every `--set NAME=…`
anywhere in those files must name a real option: a `leitplanke_*` option declared in an
addon's `load()`, or one of mitmproxy's own options.
"""

from __future__ import annotations

import io
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import click
import pytest
from mitmproxy import options
from mitmproxy.addons import default_addons, dumper, errorcheck, keepserving, readfile, termlog

from cli.main import cli
from proxy_addon.leitplanke_addon import make_addons

ROOT = Path(__file__).parents[2]
DOC_FILES = (*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md")

FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
# Where a shell token starts a new command (so `leitplanke` there is the program).
COMMAND_START = {
    "$",
    "#",
    "sudo",
    "exec",
    "nohup",
    "env",
    "time",
    "|",
    "||",
    "&&",
    ";",
    "!",
    "(",
    "$(",
    "then",
    "do",
    "else",
}
ENV_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=(.*)$")
FLAG = re.compile(r"^[\[(]*(--[A-Za-z][A-Za-z0-9-]*|-[A-Za-z])(?=$|[=\])|,])")
SET_OPTION = re.compile(r"--set\s+([A-Za-z_][A-Za-z0-9_]*)=")
OPTION_START = re.compile(r"^[\[(]*--?[A-Za-z]")
END_OF_COMMAND = {"&&", "||", ";", ">", ">>", "2>", "2>&1", "<", "<<<"}


@dataclass(frozen=True)
class Line:
    path: Path
    number: int
    text: str

    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.number}"


def fenced_lines(path: Path) -> Iterator[Line]:
    """The logical lines inside fenced code blocks: a line ending in `\\` is joined with
    the next, and so is an indented line that goes on with options (`    [--until …]`,
    a wrapped synopsis)."""
    fence: str | None = None
    block: list[Line] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = FENCE.match(raw)
        if fence is None:
            if match:
                fence, block = match.group(1), []
            continue
        if match and match.group(1).startswith(fence) and raw.strip() == match.group(1):
            yield from _logical(block)
            fence = None
            continue
        block.append(Line(path, number, raw.rstrip()))


def _logical(block: list[Line]) -> Iterator[Line]:
    pending: Line | None = None
    joins = False  # the previous line ended in a backslash
    for line in block:
        goes_on = line.text[:1].isspace() and OPTION_START.match(line.text.strip()) is not None
        if pending is not None and (joins or (goes_on and pending.text.strip())):
            pending = Line(line.path, pending.number, f"{pending.text} {line.text.strip()}")
        else:
            if pending is not None:
                yield pending
            pending = line
        joins = pending.text.endswith("\\")
        if joins:
            pending = Line(line.path, pending.number, pending.text[:-1].rstrip())
    if pending is not None:
        yield pending


def tokens_of(text: str) -> list[str]:
    """Shell-like words; a `#` comment after whitespace is dropped."""
    text = re.sub(r"(^|\s)#\s.*$", "", text)
    try:
        return shlex.split(text)
    except ValueError:  # an unbalanced quote in a synopsis: plain words are enough
        return text.split()


def is_program(token: str) -> bool:
    word = token.lstrip("`(").removeprefix("$(")
    return word == "leitplanke" or word.endswith("/bin/leitplanke")


@dataclass(frozen=True)
class Invocation:
    line: Line
    words: tuple[str, ...]  # after the program name, up to the end of this command


def invocations(line: Line) -> Iterator[Invocation]:
    words = tokens_of(line.text)
    top: click.Group = cli
    for index, word in enumerate(words):
        assignment = ENV_ASSIGNMENT.match(word)
        if assignment and is_program(assignment.group(1)):
            starts = True  # ExecStart=/opt/…/bin/leitplanke proxy
        elif is_program(word):
            previous = words[index - 1] if index else None
            following = words[index + 1] if index + 1 < len(words) else None
            starts = previous is None or previous in COMMAND_START
            starts = starts or ENV_ASSIGNMENT.match(previous or "") is not None
            starts = starts or following in top.commands
        else:
            continue
        if not starts:
            continue  # e.g. `sudo -u leitplanke …`, `journalctl -u leitplanke`
        rest: list[str] = []
        for position, after in enumerate(words[index + 1 :], index + 1):
            if after in END_OF_COMMAND:
                break
            nxt = words[position + 1] if position + 1 < len(words) else ""
            if after == "|" and not FLAG.match(nxt):
                break  # a pipe into another program; `| --policy` is a synopsis choice
            rest.append(after)
        yield Invocation(line, tuple(rest))


def all_invocations() -> list[Invocation]:
    return [inv for path in DOC_FILES for line in fenced_lines(path) for inv in invocations(line)]


def resolve(words: tuple[str, ...]) -> tuple[click.Command, list[str], list[str]]:
    """(command, its name path, the words after it); unknown subcommands raise."""
    command: click.Command = cli
    names = ["leitplanke"]
    rest = list(words)
    while isinstance(command, click.Group) and rest:
        word = rest[0]
        if word.startswith("-") or word.startswith("["):
            break
        sub = command.commands.get(word)
        if sub is None:
            raise LookupError(
                f"'{' '.join(names)}' has no subcommand {word!r} "
                f"(it has: {', '.join(sorted(command.commands))})"
            )
        command, names, rest = sub, [*names, word], rest[1:]
    return command, names, rest


def option_names(command: click.Command) -> set[str]:
    ctx = click.Context(command)
    names: set[str] = set()
    for param in command.get_params(ctx):
        if isinstance(param, click.Option):
            names.update(param.opts)
            names.update(param.secondary_opts)
    return names


class _Loader:
    """Stands in for mitmproxy's Loader: records the option names an addon declares."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def add_option(self, name: str, *args: Any, **kwargs: Any) -> None:
        self.names.add(name)


def _declared(addons: list[Any]) -> set[str]:
    loader = _Loader()

    def walk(addon: Any) -> None:
        load = getattr(addon, "load", None)
        if callable(load):
            load(loader)
        for sub in getattr(addon, "addons", None) or ():
            walk(sub)

    for addon in addons:
        walk(addon)
    return loader.names


@cache
def leitplanke_options() -> frozenset[str]:
    return frozenset(_declared(make_addons()))


@cache
def mitmproxy_options() -> frozenset[str]:
    """What `mitmdump --options` lists: the core options plus those of mitmdump's addons."""
    log = termlog.TermLog(out=io.StringIO())
    try:
        extra = [
            dumper.Dumper(),
            keepserving.KeepServing(),
            readfile.ReadFileStdin(),
            errorcheck.ErrorCheck(),
            log,
        ]
        names = _declared([*default_addons(), *extra])
    finally:
        log.uninstall()
    return frozenset(set(options.Options().keys()) | names)


def set_options() -> list[tuple[str, int, str]]:
    """(file, line, option name) of every `--set NAME=` in the docs, prose included."""
    found = []
    for path in DOC_FILES:
        text = path.read_text(encoding="utf-8")
        for match in SET_OPTION.finditer(text):
            if match.group(1).isupper():
                continue  # a placeholder: --set KEY=VALUE
            number = text.count("\n", 0, match.start()) + 1
            found.append((str(path.relative_to(ROOT)), number, match.group(1)))
    return found


# ---- the checks ----------------------------------------------------------------


def test_the_docs_show_leitplanke_commands() -> None:
    found = all_invocations()
    assert len(found) >= 30, "the extraction found suspiciously few commands"
    files = {inv.line.path.name for inv in found}
    assert {"README.md", "ca-rollout.md", "siem.md"} <= files


def test_every_documented_command_and_flag_exists() -> None:
    problems = []
    for inv in all_invocations():
        try:
            command, names, rest = resolve(inv.words)
        except LookupError as exc:
            problems.append(f"{inv.line.where()}: {exc}")
            continue
        known = option_names(command)
        for word in rest:
            match = FLAG.match(word)
            if match and match.group(1) not in known:
                problems.append(
                    f"{inv.line.where()}: '{' '.join(names)}' has no option {match.group(1)}"
                )
    assert not problems, "\n".join(problems)


def test_every_set_option_in_the_docs_exists() -> None:
    known = leitplanke_options() | mitmproxy_options()
    problems = [
        f"{where}:{number}: --set {name}: no such option"
        for where, number, name in set_options()
        if name not in known
    ]
    assert not problems, "\n".join(problems)


def test_the_option_sources_are_complete() -> None:
    # Guards the checks above: the collectors really see the addons' and mitmproxy's options.
    assert {
        "leitplanke_policy",
        "leitplanke_banner",
        "leitplanke_portal_host",
        "leitplanke_admin_port",
        "leitplanke_siem",
    } <= leitplanke_options()
    assert {
        "mode",
        "proxyauth",
        "allow_hosts",
        "flow_detail",
        "confdir",
        "termlog_verbosity",
    } <= mitmproxy_options()
    assert all(name.startswith("leitplanke_") for name in leitplanke_options())


# ---- the extraction itself ---------------------------------------------------------


def _line(text: str) -> Line:
    return Line(ROOT / "README.md", 1, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "leitplanke proxy --policy p.yaml --set leitplanke_workers=2",
            [("proxy", "--policy", "p.yaml", "--set", "leitplanke_workers=2")],
        ),
        ("$ .venv/bin/leitplanke eval --json  # a comment --bogus", [("eval", "--json")]),
        ("sudo -u leitplanke leitplanke purge --dry-run", [("purge", "--dry-run")]),
        ("journalctl -u leitplanke --since today", []),
        ("ExecStart=/opt/lp/.venv/bin/leitplanke proxy --db x", [("proxy", "--db", "x")]),
        ("leitplanke pac --proxy h:1 | tee proxy.pac", [("pac", "--proxy", "h:1")]),
        (
            "leitplanke reidentify U (--candidates F | --policy F)",
            [("reidentify", "U", "(--candidates", "F", "|", "--policy", "F)")],
        ),
        (
            "cd /opt/leitplanke && leitplanke ca export -o ca.pem",
            [("ca", "export", "-o", "ca.pem")],
        ),
    ],
)
def test_invocations_are_found_in_shell_lines(text: str, expected: list[tuple[str, ...]]) -> None:
    assert [inv.words for inv in invocations(_line(text))] == expected


def test_unknown_subcommands_and_flags_are_caught() -> None:
    with pytest.raises(LookupError):
        resolve(("polcy", "check", "x.yaml"))
    command, names, rest = resolve(("ca", "rotate", "--prepare"))
    assert names == ["leitplanke", "ca", "rotate"] and rest == ["--prepare"]
    assert "--prepare" in option_names(command) and "--bogus" not in option_names(command)
    assert "-o" in option_names(resolve(("pac",))[0])


def test_continuation_lines_are_joined(tmp_path: Path) -> None:
    doc = tmp_path / "x.md"
    doc.write_text("text\n```sh\nleitplanke proxy \\\n    --db x.db\n```\nleitplanke nope\n")
    lines = list(fenced_lines(doc))
    assert [line.text for line in lines] == ["leitplanke proxy --db x.db"]
    assert lines[0].number == 3
    doc.write_text(
        "```\nleitplanke export --format jsonl\n    [--until 2026-11-30]\n\n  --x\n```\n"
    )
    assert [line.text for line in fenced_lines(doc)] == [
        "leitplanke export --format jsonl [--until 2026-11-30]",
        "",
        "  --x",
    ]
