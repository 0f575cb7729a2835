"""The config file of `leitplanke proxy`, and how it merges with flags and env vars.

Precedence: flag > environment variable > config file > built-in default. Click
resolves flag and environment variable (and tells which one it used); this module
reads the file and fills in what neither of them gave. Pure: no mitmproxy, no I/O
besides reading the file.

    policy: /etc/leitplanke/policy.yaml
    listen_host: 0.0.0.0
    listen_port: 8080
    set:
      leitplanke_workers: 2
      map_remote: ["|a|b", "|c|d"]        # a sequence option: one --set per item
    notify:                               # `leitplanke notify` (notify/config.py)
      smtp: {host: mail.example, port: 587}
      from: leitplanke@example
      to: [dsb@example]

Problems are reported as `file:line:column: what — fix`, with the policy loader's
line-numbered YAML helpers.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
)

from notify.config import EXAMPLE as NOTIFY_EXAMPLE
from notify.config import NotifyConfig
from policy.loader import (
    Path_,
    Problem,
    ProblemsError,
    YamlFileError,
    did_you_mean,
    located,
    read_text,
    read_yaml,
    yaml_marks,
)

DEFAULT_CONFIG = Path("/etc/leitplanke/config.yaml")
CONFIG_ENV = "LEITPLANKE_CONFIG"

LogFormat = Literal["auto", "text", "json"]
Scalar = StrictStr | StrictBool | StrictInt | StrictFloat

# Top-level keys whose value is a path: relative ones are relative to the config file.
PATH_KEYS = ("policy", "db", "confdir", "upstream_auth_file")

# What to write instead, per key, for a value of the wrong type.
EXAMPLES = {
    "policy": "policy: /etc/leitplanke/policy.yaml",
    "db": "db: /var/lib/leitplanke/leitplanke.db",
    "listen_host": "listen_host: 0.0.0.0",
    "listen_port": "listen_port: 8080",
    "confdir": "confdir: /var/lib/leitplanke/mitmproxy",
    "log_format": "log_format: json   (auto, text or json)",
    "upstream_proxy": "upstream_proxy: http://squid.firma.local:3128",
    "upstream_auth_file": "upstream_auth_file: /etc/leitplanke/upstream-auth",
    "set": "set: {leitplanke_workers: 2}",
    "notify": NOTIFY_EXAMPLE,
}


class ConfigFile(BaseModel):
    """The keys a config file may hold; they mirror the flags of `leitplanke proxy`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    policy: StrictStr | None = None
    db: StrictStr | None = None
    listen_host: StrictStr | None = None
    listen_port: StrictInt | None = Field(default=None, ge=1, le=65535)
    confdir: StrictStr | None = None
    log_format: LogFormat | None = None
    upstream_proxy: StrictStr | None = None
    upstream_auth_file: StrictStr | None = None
    set: dict[str, Scalar | list[Scalar]] = Field(default_factory=dict)
    # Not a flag of `leitplanke proxy`: the e-mail settings `leitplanke notify` reads.
    notify: NotifyConfig | None = None


class ConfigError(ProblemsError):
    """The config file is invalid."""


@dataclass(frozen=True)
class SetEntry:
    """One `set:` key of the file: its mitmproxy `KEY=VALUE` specs and where it stands."""

    key: str
    specs: tuple[str, ...]
    where: Problem  # file, line and column; message names the key

    def problem(self, message: str, hint: str = "") -> Problem:
        return Problem(self.where.file, self.where.line, self.where.column, message, hint)


@dataclass(frozen=True)
class ProxyConfig:
    source: str
    values: dict[str, Any]  # the top-level keys the file sets (paths made absolute)
    sets: tuple[SetEntry, ...] = ()
    lines: dict[str, int] = field(default_factory=dict)  # top-level key → line
    notify: NotifyConfig | None = None  # the `notify:` section (leitplanke notify)


@dataclass(frozen=True)
class Resolved:
    """The settings `leitplanke proxy` runs with."""

    values: dict[str, Any]
    sets: tuple[str, ...]  # file's `set:` first, then the command line's --set
    file_sets: tuple[SetEntry, ...]  # the file entries that survived (for option checks)
    notes: tuple[str, ...]  # config file keys a flag or env var overrode


def find_config(given: str | None, default: Path = DEFAULT_CONFIG) -> Path | None:
    """The config file to read: `--config`/LEITPLANKE_CONFIG, else `default` if it exists."""
    if given:
        return Path(given)
    return default if default.is_file() else None


def load_config(path: Path) -> ProxyConfig:
    try:
        text = read_text(path, "config")
    except YamlFileError as exc:
        raise ConfigError([exc.problem]) from exc
    return parse_config(text, str(path), base=path.parent)


def parse_config(text: str, source: str, base: Path | None = None) -> ProxyConfig:
    """Validate a config file's text; `base` anchors relative paths (None: keep them)."""
    try:
        node, data = read_yaml(text, source)
    except YamlFileError as exc:
        raise ConfigError([exc.problem]) from exc
    if data is None:
        data = {}  # an empty file (or only comments): nothing set
    if not isinstance(data, dict):
        raise ConfigError(
            [
                Problem(
                    source,
                    1,
                    1,
                    "the config must be a YAML mapping (key: value lines)",
                    "e.g. 'listen_port: 8080'",
                )
            ]
        )
    marks, _ = yaml_marks(node)
    try:
        parsed = ConfigFile.model_validate(data)
    except ValidationError as exc:
        problems: dict[Path_, Problem] = {}
        for err in exc.errors():
            # A bad `set:` value fails every member of the union: report it once.
            loc = tuple(err["loc"])
            problems.setdefault(
                loc[:2] if loc[:1] == ("set",) else loc, _problem(source, marks, err)
            )
        ordered = sorted(problems.values(), key=lambda p: (p.line, p.column))
        raise ConfigError(ordered) from exc
    values = parsed.model_dump(exclude_unset=True, exclude={"set", "notify"})
    if base is not None:
        for key in PATH_KEYS:
            if key in values and not Path(values[key]).expanduser().is_absolute():
                values[key] = str(base / values[key])
    sets = []
    for key, value in parsed.set.items():
        line, column = marks.get(("set", key), (1, 1))
        items = value if isinstance(value, list) else [value]
        specs = tuple(f"{key}={_option_text(item)}" for item in items)
        sets.append(SetEntry(key, specs, Problem(source, line, column, key)))
    lines = {key[0]: line for key, (line, _) in marks.items() if len(key) == 1}
    return ProxyConfig(
        source, values, tuple(sets), {str(k): v for k, v in lines.items()}, parsed.notify
    )


def _option_text(value: str | bool | int | float) -> str:
    """A YAML scalar as mitmproxy's `--set` expects it (booleans as true/false)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _problem(source: str, marks: dict[Path_, tuple[int, int]], err: Any) -> Problem:
    loc: Path_ = tuple(err["loc"])
    found = located(marks, loc)
    line, column = marks.get(found, (1, 1))
    key = str(loc[0]) if loc else ""
    if key == "notify" and len(loc) > 1:
        return _notify_problem(source, line, column, loc, err)
    if err["type"] == "extra_forbidden":
        fields = list(ConfigFile.model_fields)
        close = difflib.get_close_matches(key.replace("-", "_"), fields, n=1, cutoff=0.6)
        notify_keys = {f.alias or name for name, f in NotifyConfig.model_fields.items()}
        if key in notify_keys:  # a notify.yaml pasted in (its keys were top-level)
            hint = f"the notifier's settings go under 'notify:', e.g. '{NOTIFY_EXAMPLE}'"
        elif close:
            hint = f"did you mean {close[0]!r}?"
        elif "_" in key:  # a mitmproxy or leitplanke_* option at the top level
            hint = f"options go under 'set:', e.g. 'set: {{{key}: …}}'"
        else:
            hint = did_you_mean(key, fields, "allowed keys")
        return Problem(source, line, column, f"unknown key {key!r}", hint)
    dotted = ".".join(str(p) for p in found) or "(top level)"
    message = re.sub(r" or instance of \w+", "", err["msg"].removeprefix("Value error, "))
    if key == "set" and len(loc) >= 2:
        message = f"set.{loc[1]}: the value must be text, a number, true/false or a list of those"
        return Problem(source, line, column, message, f"e.g. '{loc[1]}: 2' or '{loc[1]}: [a, b]'")
    hint = f"write e.g. '{EXAMPLES[key]}'" if key in EXAMPLES else ""
    return Problem(source, line, column, f"{dotted}: {message}", hint)


def _notify_problem(source: str, line: int, column: int, loc: Path_, err: Any) -> Problem:
    """A problem inside `notify:`: the dotted key, and a hint from the section's model."""
    dotted = ".".join(str(p) for p in loc)
    if err["type"] == "extra_forbidden":
        model: Any = NotifyConfig if len(loc) == 2 else NotifyConfig.model_fields["smtp"].annotation
        fields = [f.alias or name for name, f in model.model_fields.items()]
        hint = did_you_mean(str(loc[-1]), fields, "allowed keys")
        return Problem(source, line, column, f"unknown key {dotted!r}", hint)
    message = err["msg"].removeprefix("Value error, ")
    if err["type"] == "missing":
        message = "missing"
    return Problem(source, line, column, f"{dotted}: {message}", f"write e.g. '{NOTIFY_EXAMPLE}'")


def resolve(
    given: Mapping[str, Any],
    explicit: Iterable[str],
    config: ProxyConfig | None,
    cli_sets: tuple[str, ...],
    flag_names: Mapping[str, str] | None = None,
) -> Resolved:
    """Merge: `given` holds click's values (flag, env var or default), `explicit` the
    names that came from a flag or env var. The file fills in the rest; a command-line
    `--set KEY=…` replaces every `set:` entry of the same KEY."""
    explicit = set(explicit)
    values = dict(given)
    notes: list[str] = []
    file_sets: tuple[SetEntry, ...] = ()
    if config is not None:
        for key, value in config.values.items():
            if key in explicit:
                flag = (flag_names or {}).get(key, key)
                notes.append(
                    f"{config.source}:{config.lines.get(key, 1)}: '{key}' is overridden by {flag}"
                )
            else:
                values[key] = value
        cli_keys = {spec.split("=", 1)[0] for spec in cli_sets}
        for entry in config.sets:
            if entry.key in cli_keys:
                notes.append(
                    f"{entry.where.file}:{entry.where.line}: 'set: {entry.key}' is overridden "
                    f"by --set {entry.key}=…"
                )
        file_sets = tuple(e for e in config.sets if e.key not in cli_keys)
    specs = tuple(spec for entry in file_sets for spec in entry.specs)
    return Resolved(values, specs + tuple(cli_sets), file_sets, tuple(notes))


def check_options(
    entries: Iterable[SetEntry],
    known: Iterable[str],
    try_set: Callable[[tuple[str, ...]], str | None],
) -> list[Problem]:
    """Problems of the file's `set:` entries against the gateway's real options:
    `known` names every option, `try_set(specs)` returns mitmproxy's complaint about
    the values, or None when they parse."""
    names = sorted(known)
    problems = []
    for entry in entries:
        if entry.key not in names:
            close = difflib.get_close_matches(entry.key, names, n=1, cutoff=0.8)
            hint = (
                f"did you mean {close[0]!r}?"
                if close
                else "see 'mitmdump --options' and the leitplanke_* options in docs/service.md"
            )
            problems.append(entry.problem(f"set: unknown option {entry.key!r}", hint))
        elif (complaint := try_set(entry.specs)) is not None:
            problems.append(
                entry.problem(
                    f"set: {entry.key}: {complaint}",
                    "see the option's type in 'mitmdump --options' and docs/service.md",
                )
            )
    return problems


def check_cli_sets(
    specs: Iterable[str],
    known: Iterable[str],
    try_set: Callable[[tuple[str, ...]], str | None],
) -> list[str]:
    """One line per problem of the command line's `--set` values, the same checks as
    `check_options` makes for the file: an unknown option (mitmproxy would defer and
    then ignore it), a missing `=VALUE`, a value of the wrong type."""
    names = sorted(known)
    grouped: dict[str, list[str]] = {}
    for spec in specs:
        grouped.setdefault(spec.split("=", 1)[0], []).append(spec)
    problems = []
    for key, given in grouped.items():
        if key not in names:
            close = difflib.get_close_matches(key, names, n=1, cutoff=0.8)
            hint = (
                f"did you mean {close[0]}?"
                if close
                else "see 'mitmdump --options' and the leitplanke_* options in docs/service.md"
            )
            problems.append(f"--set {key}: unknown option — {hint}")
        elif any("=" not in spec and try_set((spec,)) is not None for spec in given):
            # Without `=VALUE` only a boolean (true) or a list option (empty) is valid;
            # mitmproxy would also skip it silently next to a `KEY=VALUE` of the same KEY.
            problems.append(f"--set {key}: needs a value — write --set {key}=VALUE")
        elif (complaint := try_set(tuple(given))) is not None:
            if len(given) > 1:  # a sequence option takes several; this one does not
                problems.append(f"--set {key}: given {len(given)} times — keep one")
            else:
                problems.append(
                    f"--set {key}: {complaint} — see the option's type in "
                    "'mitmdump --options' and docs/service.md"
                )
    return problems


def unread_env_vars(
    environ: Mapping[str, str], read: Iterable[str], options: Iterable[str]
) -> list[str]:
    """One line per environment variable named like a `leitplanke_*` option that the
    command does not read (`read`): LEITPLANKE_FAIL_MODE=closed looks like it works,
    as LEITPLANKE_POLICY does, but would be ignored."""
    read, options = set(read), set(options)
    return [
        f"{name} is not read by 'leitplanke proxy' — use --set {name.lower()}=… or "
        f"'set: {{{name.lower()}: …}}' in the config file"
        for name in sorted(environ)
        if name.startswith("LEITPLANKE_") and name not in read and name.lower() in options
    ]
